//! Lints: what Facebook accepts but the customer sees wrong, grounded in the integration guide
//! and Facebook's reference. Each returns the problem and where it is in the value, if any.

/// The bytes markup starts with: a text without any of them has none ([`styling_markup`]
/// finds nothing), which a scan that reads the text anyway can tell at once.
pub const MARKUP_STARTS: [u8; 4] = [b'*', b'_', b'<', b'&'];

/// Whether any of `*`, `_`, `<`, `&` is in the text: eight bytes at a time.
#[inline]
fn has_markup_start(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        let found = MARKUP_STARTS
            .iter()
            .fold(0, |acc, &c| acc | has_zero(x ^ (ONES * c as u64)));
        if found != 0 {
            return true;
        }
    }
    words.remainder().iter().any(|c| MARKUP_STARTS.contains(c))
}

/// Markup that Messenger shows literally: the guide says no styling is possible ("Pas de style
/// possible"). Returns the byte range of the first piece and what it is.
pub fn styling_markup(text: &str) -> Option<(usize, usize, &'static str)> {
    const TAGS: &[&str] = &[
        "b", "i", "u", "s", "em", "strong", "br", "p", "span", "font", "div", "a", "small", "big",
        "sup", "sub", "mark",
    ];
    let b = text.as_bytes();
    // Most text has none of the characters markup starts with.
    if !has_markup_start(b) {
        return None;
    }
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'*' | b'_' if b.get(i + 1) == Some(&b[i]) => {
                // `**bold**` / `__bold__`, between word boundaries (not `3** hotel`, `a__b`)
                let mark = &text[i..i + 2];
                if word_boundary(b, i) {
                    if let Some(end) = text[i + 2..].find(mark) {
                        let inner = &text[i + 2..i + 2 + end];
                        let close = i + 2 + end + 1;
                        if emphasised(inner) && closing_boundary(b, close) {
                            return Some((i, close + 1, "Markdown emphasis"));
                        }
                    }
                }
                i += 2;
                continue;
            }
            b'_' | b'*' if word_boundary(b, i) => {
                // `_italic_` / `*italic*`, between spaces or punctuation (not `item_id`)
                let c = b[i];
                if let Some(end) = text[i + 1..].find(c as char) {
                    let inner = &text[i + 1..i + 1 + end];
                    let close = i + 1 + end;
                    if emphasised(inner) && closing_boundary(b, close) {
                        return Some((i, close + 1, "Markdown emphasis"));
                    }
                }
            }
            b'<' => {
                let rest = &text[i + 1..];
                let name: String = rest
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if TAGS.contains(&name.as_str()) {
                    if let Some(end) = rest.find('>') {
                        let tag = &rest[..end];
                        let after = tag.trim_start_matches('/')[name.len()..].chars().next();
                        if matches!(after, None | Some(' ') | Some('/')) {
                            return Some((i, i + 1 + end + 1, "an HTML tag"));
                        }
                    }
                }
            }
            b'&' => {
                let rest = &text[i + 1..];
                if let Some(end) = rest.find(';') {
                    let name = &rest[..end];
                    let entity = (1..=8).contains(&name.len())
                        && (ENTITIES.contains(&name)
                            || name.strip_prefix('#').is_some_and(|n| {
                                !n.is_empty()
                                    && (n.chars().all(|c| c.is_ascii_digit())
                                        || n.strip_prefix(['x', 'X']).is_some_and(|h| {
                                            !h.is_empty()
                                                && h.chars().all(|c| c.is_ascii_hexdigit())
                                        }))
                            }));
                    if entity {
                        return Some((i, i + 1 + end + 1, "an HTML entity"));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Named HTML entities people paste from web pages.
const ENTITIES: &[&str] = &[
    "amp", "lt", "gt", "quot", "apos", "nbsp", "eacute", "egrave", "ecirc", "agrave", "acirc",
    "ccedil", "ocirc", "ugrave", "ucirc", "euro", "copy", "reg", "trade", "hellip", "mdash",
    "ndash", "laquo", "raquo", "lsquo", "rsquo", "ldquo", "rdquo", "bull", "middot", "deg",
];

/// Text that emphasis markers would wrap: starting and ending with a letter or digit.
fn emphasised(inner: &str) -> bool {
    let first = inner.chars().next();
    let last = inner.chars().next_back();
    first.is_some_and(char::is_alphanumeric)
        && last.is_some_and(char::is_alphanumeric)
        && !inner.contains('\n')
}

fn word_boundary(b: &[u8], i: usize) -> bool {
    i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'(' | b'"' | b'\'')
}

fn closing_boundary(b: &[u8], i: usize) -> bool {
    i + 1 >= b.len()
        || matches!(
            b[i + 1],
            b' ' | b'\t' | b'\n' | b')' | b'.' | b',' | b'!' | b'?' | b':' | b';' | b'"' | b'\''
        )
}

/// A receipt `timestamp` in milliseconds (Messenger wants seconds): 13 digits or more.
pub fn looks_like_millis(timestamp: &str) -> bool {
    let t = timestamp.trim();
    t.len() >= 13 && t.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a country is an ISO 3166-1 alpha-2 code, as Messenger's receipt address expects.
pub fn is_country_code(country: &str) -> bool {
    country.len() == 2 && COUNTRIES.split(' ').any(|c| c == country)
}

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// The alpha-2 code for a few country names people write instead.
pub fn country_hint(country: &str) -> Option<&'static str> {
    let c = country.trim();
    if c.len() == 2 && is_country_code(&c.to_ascii_uppercase()) {
        return ["FR", "US", "GB", "DE", "ES", "IT", "BE", "CH", "NL", "CA"]
            .into_iter()
            .find(|k| k.eq_ignore_ascii_case(c));
    }
    Some(match c.to_lowercase().as_str() {
        "france" | "fra" => "FR",
        "usa" | "united states" | "united states of america" => "US",
        "uk" | "united kingdom" | "great britain" | "gbr" => "GB",
        "germany" | "deutschland" | "deu" => "DE",
        "spain" | "españa" | "espagne" | "esp" => "ES",
        "italy" | "italia" | "italie" | "ita" => "IT",
        "belgium" | "belgique" | "bel" => "BE",
        "switzerland" | "suisse" | "che" => "CH",
        "canada" | "can" => "CA",
        _ => return None,
    })
}

/// A plain `http:` URL, which some Messenger clients refuse to load as an image.
pub fn is_plain_http(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time scan finds a markup start exactly where a byte scan does.
        #[test]
        fn the_markup_scan_is_the_byte_scan(s in "[a-z *_<&\u{e9}\u{1F600}]{0,40}") {
            let slow = s.bytes().any(|c| matches!(c, b'*' | b'_' | b'<' | b'&'));
            proptest::prop_assert_eq!(has_markup_start(s.as_bytes()), slow);
        }
    }

    #[test]
    fn markup_is_found_and_prose_is_not() {
        assert_eq!(
            styling_markup("Now **half price**!").map(|m| m.2),
            Some("Markdown emphasis")
        );
        assert_eq!(
            styling_markup("It is _really_ back").map(|m| m.2),
            Some("Markdown emphasis")
        );
        assert_eq!(
            styling_markup("Order <b>now</b>").map(|m| (m.0, m.1)),
            Some((6, 9))
        );
        assert_eq!(
            styling_markup("line<br/>break").map(|m| m.2),
            Some("an HTML tag")
        );
        assert_eq!(
            styling_markup("Tom &amp; Jerry").map(|m| m.2),
            Some("an HTML entity")
        );
        for prose in [
            "item_id=100",
            "2 * 3 = 6",
            "a < b and c > d",
            "Fish & Chips; fresh",
            "snake_case_name",
            "<3 you",
            "100% Soft and Luxurious Cotton",
        ] {
            assert_eq!(styling_markup(prose), None, "{prose}");
        }
    }

    #[test]
    fn timestamps_and_countries() {
        assert!(looks_like_millis("1428444852000"));
        assert!(!looks_like_millis("1428444852"));
        assert!(is_country_code("FR") && !is_country_code("fr") && !is_country_code("FRA"));
        assert_eq!(country_hint("France"), Some("FR"));
        assert_eq!(country_hint("fr"), Some("FR"));
    }
}
