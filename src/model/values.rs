//! Checks on one text value, shared by the static checks (literals) and the render-time checks
//! (rendered values): length, emptiness, URL, phone number, currency, choice.

use super::schema::{FieldSpec, Kind, CURRENCIES};
use crate::diagnostic::{codes, Diagnostic, Severity};
use crate::model::profile::Profile;
use crate::span::Span;

/// What is wrong with a value, if anything.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    TooLong {
        chars: usize,
        utf16: usize,
        max: usize,
    },
    Empty,
    BadUrl(String),
    BadPhone,
    BadCurrency,
    BadChoice(&'static [&'static str]),
    BadAttachmentId,
    NotFacebookUrl,
}

/// Checks a text value against its field. `None` when it is fine.
pub fn problem(spec: &FieldSpec, text: &str, profile: &Profile) -> Option<Problem> {
    if text.is_empty() {
        return (spec.nonempty && spec.kind != Kind::TextOrInteger).then_some(Problem::Empty);
    }
    if let Some(limit) = spec.limit {
        let max = profile.limit(limit).max;
        // A text of at most `max` bytes has at most `max` characters: no count needed.
        let chars = if text.len() > max {
            text.chars().count()
        } else {
            0
        };
        if chars > max {
            return Some(Problem::TooLong {
                chars,
                utf16: text.encode_utf16().count(),
                max,
            });
        }
    }
    match spec.kind {
        Kind::Url => url_problem(text).map(Problem::BadUrl),
        Kind::Phone => (!is_phone(text)).then_some(Problem::BadPhone),
        Kind::AttachmentId => {
            (!text.bytes().all(|b| b.is_ascii_digit())).then_some(Problem::BadAttachmentId)
        }
        Kind::FacebookUrl => match url_problem(text) {
            Some(why) => Some(Problem::BadUrl(why)),
            None => (!is_facebook_url(text)).then_some(Problem::NotFacebookUrl),
        },
        Kind::Currency => (!CURRENCIES.contains(&text)).then_some(Problem::BadCurrency),
        Kind::Choice(choices) => (!choices.contains(&text)).then_some(Problem::BadChoice(choices)),
        _ => None,
    }
}

/// A warning about a value that Facebook accepts but the customer sees wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Lint {
    /// Markup shown literally: byte range in the value, and what it is.
    Styling(usize, usize, &'static str),
    Millis,
    Country,
    PlainHttp,
}

/// Lints a text value of a field (after [`problem`] found nothing wrong).
pub fn lint(spec: &FieldSpec, text: &str) -> Option<Lint> {
    lint_of(spec, text, false)
}

/// [`lint`], for a caller that knows whether the text holds none of
/// [`super::lints::MARKUP_STARTS`] (`markup_free`): then no markup is looked for.
#[inline]
pub fn lint_of(spec: &FieldSpec, text: &str, markup_free: bool) -> Option<Lint> {
    use super::lints;
    match spec.name {
        "text" | "title" | "subtitle" if markup_free => None,
        "text" | "title" | "subtitle" => {
            lints::styling_markup(text).map(|(s, e, what)| Lint::Styling(s, e, what))
        }
        "timestamp" => lints::looks_like_millis(text).then_some(Lint::Millis),
        "country" => (!lints::is_country_code(text)).then_some(Lint::Country),
        "image_url" | "image" => lints::is_plain_http(text).then_some(Lint::PlainHttp),
        _ => None,
    }
}

/// The diagnostic for a lint. `literal` is true when the span covers the literal's text, so a
/// sub-span can point at the markup itself.
pub fn lint_diagnostic(l: &Lint, cx: &Context, literal_offset: Option<usize>) -> Diagnostic {
    let field = cx.field;
    let with = cx
        .data_path
        .map(|p| format!(" (from `{p}`)"))
        .unwrap_or_default();
    let mut d = match l {
        Lint::Styling(start, end, what) => {
            let span = match literal_offset {
                Some(o) => Span::new(o + start, o + end),
                None => cx.span,
            };
            let shown = cx.value.get(*start..*end).unwrap_or("");
            codes::m4003_styling_markup(format!("`{field}` contains {what}, which Messenger shows as is"))
                .at(span, format!("`{shown}` will appear literally{with}"))
                .help("Messenger has no bold, italics, colours or HTML: remove the markup, or use an emoji or capitals for emphasis")
                .note("iAdvize integration guide: « Pas de style possible (couleur/police/taille de police/sous-lignage/italique) »")
        }
        Lint::Millis => codes::m4005_millisecond_timestamp(format!("`{field}` looks like milliseconds; Messenger expects Unix time in seconds"))
            .at(cx.span, format!("{} digits{with}", cx.value.trim().len()))
            .help("divide by 1000: Messenger would show a date thousands of years ahead")
            .note("Facebook receipt template reference: `timestamp` is in seconds"),
        Lint::Country => {
            let d = codes::m4006_country_code(format!("`{field}` is not a two-letter ISO 3166 country code"))
                .at(cx.span, format!("not an ISO 3166-1 alpha-2 code{with}"));
            match super::lints::country_hint(cx.value) {
                // In the template (not rendered data), the code replaces the literal.
                Some(code) if cx.data_path.is_none() => d.help(format!("write `\"{code}\"`")).fix(cx.span, format!("\"{code}\"")),
                Some(code) => d.help(format!("write `\"{code}\"`")),
                None => d.help("write the country as a two-letter code in capitals, such as `FR`, `US` or `GB`"),
            }
            .note("Facebook receipt template reference: the address `country` is a two-letter code")
        }
        Lint::PlainHttp => codes::m4007_plain_http_image(format!("`{field}` is a plain `http:` URL"))
            .at(cx.span, format!("not `https:`{with}"))
            .help("serve the image over `https://`: Messenger clients may refuse to load images over plain http"),
    };
    // The data path goes in the message too: one-line reports show only the message.
    d.message.push_str(&with);
    d
}

/// `shop.example/mixer` as `https://shop.example/mixer`, when the scheme is all it lacks: a
/// host name with a dot, then an optional path, no spaces.
pub fn with_scheme(text: &str) -> Option<String> {
    let host = text.split(['/', '?', '#']).next()?;
    let hostlike = host.contains('.')
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let full = format!("https://{text}");
    (hostlike && url_problem(text).is_some() && url_problem(&full).is_none()).then_some(full)
}

/// Why a string is not an absolute http(s) URL.
pub fn url_problem(text: &str) -> Option<String> {
    if plainly_http_url(text) {
        return None;
    }
    let problem = url_problem_of(text);
    // The `url` crate trims spaces and drops tabs (` https://a.example/p` parses): a URL with
    // whitespace anywhere is not one Facebook takes as written.
    if problem.is_none() && text.chars().any(char::is_whitespace) {
        return Some("it contains whitespace (a space, a tab or a line break): remove it, or encode a space as `%20`".into());
    }
    problem
}

fn url_problem_of(text: &str) -> Option<String> {
    if text.chars().any(char::is_whitespace) {
        // Said only of a URL that has its scheme: `not a url` lacks more than an encoding.
        if let Some((scheme, rest)) = text.split_once("://") {
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
                let host = rest.split(['/', '?', '#']).next().unwrap_or("");
                let first = text.chars().find(|c| c.is_whitespace()).unwrap_or(' ');
                return Some(if host.chars().any(char::is_whitespace) {
                    format!(
                        "its host name `{}` contains a space, which no host name can",
                        host.trim()
                    )
                } else if first == ' ' {
                    "it contains a space; encode it as `%20`".into()
                } else {
                    "it contains whitespace (a tab or a line break): remove it".into()
                });
            }
        }
    }
    // `https:/host/x` or `https:host`: browsers and the `url` crate repair these, Facebook's
    // URL check does not; an http(s) URL starts with `//` and the host after the scheme.
    if let Some((scheme, rest)) = text.split_once(':') {
        if (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
            && !rest.starts_with("//")
        {
            return Some(format!(
                "it has no host: write `{}://` then the host name",
                scheme.to_ascii_lowercase()
            ));
        }
    }
    match url::Url::parse(text) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {
            u.host_str().is_none().then(|| "it has no host".into())
        }
        Ok(u) => Some(format!(
            "its scheme is `{}:`, Messenger opens only `https:` and `http:` links",
            u.scheme()
        )),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            // `shop.example/mixer`: a host written without its scheme.
            let host = text.split(['/', '?', '#']).next().unwrap_or("");
            Some(if host.contains('.') && !host.starts_with('.') {
                "it has no scheme, so it reads as a relative path; Messenger needs `https://` (or `http://`) in front".into()
            } else {
                "it is a relative path; Messenger needs a full URL: `https://` (or `http://`) and a host".into()
            })
        }
        Err(e) => Some(format!("it is not a valid URL ({e})")),
    }
}

/// Why a URL that starts with the literal `prefix`, then data (`"www.track.example.com/{{ sku }}"`),
/// cannot be an absolute http(s) URL whatever the data: the prefix neither starts with
/// `https://` or `http://` nor is the start of one.
pub fn url_prefix_problem(prefix: &str) -> Option<String> {
    let p = prefix.to_ascii_lowercase();
    let fits = |scheme: &str| p.starts_with(scheme) || scheme.starts_with(p.as_str());
    if fits("https://") || fits("http://") {
        return None;
    }
    Some(format!(
        "it starts with `{prefix}`, so it is not absolute whatever the data; start it with `https://`"
    ))
}

/// An http(s) URL whose host is `facebook.com` or one of its subdomains
/// (`business.facebook.com`, `www.facebook.com`).
pub fn is_facebook_url(text: &str) -> bool {
    url::Url::parse(text)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|h| h == "facebook.com" || h.ends_with(".facebook.com"))
}

/// The common case, without a full URL parse: `http(s)://`, an ASCII host name, then no
/// spaces or control characters. Anything else goes through the `url` crate for the reason.
fn plainly_http_url(text: &str) -> bool {
    plain_host_end(text).is_some_and(|end| all_url_bytes(&text.as_bytes()[end..]))
}

/// Where the host of `text` ends (the offset of its `/`, `?` or `#`, or the text's length),
/// when `text` starts as a plainly good URL does: `http(s)://`, then a plain host name.
/// `None` for anything else (a port, or any other byte, goes the long way).
#[inline]
fn plain_host_end(text: &str) -> Option<usize> {
    let scheme = match text.get(..8) {
        // Lower case first: nearly every URL is written so.
        _ if text.starts_with("https://") => 8,
        Some(p) if p.eq_ignore_ascii_case("https://") => 8,
        _ => match text.get(..7) {
            Some(p) if p.eq_ignore_ascii_case("http://") => 7,
            _ => return None,
        },
    };
    let bytes = &text.as_bytes()[scheme..];
    // The host: letters, digits, dots and hyphens, up to `/`, `?`, `#` or the end.
    let host_end = bytes
        .iter()
        .position(|&b| !HOST_BYTE[b as usize])
        .unwrap_or(bytes.len());
    // A host whose last label starts with a digit (`a.0`, `10.0.0.1`) is read as an IPv4
    // address by the URL standard, and may be refused: the long way says why.
    let host = &bytes[..host_end];
    let host = host.strip_suffix(b".").unwrap_or(host);
    let last_label = host.rsplit(|&b| b == b'.').next().unwrap_or_default();
    let plain = !matches!(bytes.first(), None | Some(b'.' | b'-'))
        && !last_label.first().is_some_and(u8::is_ascii_digit)
        && host_end > 0
        && matches!(bytes.get(host_end), None | Some(b'/' | b'?' | b'#'));
    plain.then_some(scheme + host_end)
}

/// The head of an interpolated URL, checked once: `literal.len()` when `literal` (the text
/// before the first interpolation) is a plainly good URL whose host has ended within it
/// (`https://shop.example/view?item_id=`), so that whatever the data appends leaves the
/// scheme and host as they are; else 0. [`url_problem_after`] then checks only the rest.
pub fn url_head(literal: &str) -> usize {
    match plain_host_end(literal) {
        Some(end) if end < literal.len() && all_url_bytes(&literal.as_bytes()[end..]) => {
            literal.len()
        }
        _ => 0,
    }
}

/// [`url_problem`] of a `text` that starts with a literal whose [`url_head`] is `head`: the
/// same verdict, in the common case (nothing after the head but bytes a URL may hold as
/// written) without looking at the head again.
#[inline]
pub fn url_problem_after(text: &str, head: usize) -> Option<String> {
    if plain_after_url_head(text, head) {
        return None;
    }
    url_problem(text)
}

/// Whether `text`, which starts with a literal whose [`url_head`] is `head` (not 0), holds
/// after it only bytes a URL may hold as written. Such a text is a good URL, and a JSON
/// string with nothing to escape (no `"`, `\\` or control character, in the head either).
#[inline]
pub fn plain_after_url_head(text: &str, head: usize) -> bool {
    head > 0 && text.as_bytes().get(head..).is_some_and(all_url_bytes)
}

/// Whether every byte is one a URL may hold as written ([`URL_BYTE`]), eight at a time.
#[inline]
fn all_url_bytes(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        // Below 0x21 (a space or a control), or DEL, `\\`, `"`, `<`, `>`? (Bytes of 0x80 and
        // above, UTF-8, are allowed: the high bit masks them out of the test below 0x21.)
        let low = x.wrapping_sub(ONES * 0x21) & !x & HIGHS;
        let bad = [0x7f, b'\\', b'"', b'<', b'>']
            .iter()
            .fold(low, |acc, &c| acc | has_zero(x ^ (ONES * c as u64)));
        if bad != 0 {
            return false;
        }
    }
    words.remainder().iter().all(|&b| URL_BYTE[b as usize])
}

/// Bytes of a plain host name: ASCII letters and digits, `.` and `-`.
static HOST_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'.' || b == b'-';
        i += 1;
    }
    t
};

/// Bytes a URL may hold as written: no spaces, controls, quotes, angle brackets or backslash.
static URL_BYTE: [bool; 256] = {
    let mut t = [true; 256];
    let mut i = 0;
    while i <= 0x20 {
        t[i] = false;
        i += 1;
    }
    t[0x7f] = false;
    t[b'\\' as usize] = false;
    t[b'"' as usize] = false;
    t[b'<' as usize] = false;
    t[b'>' as usize] = false;
    t
};

fn is_phone(text: &str) -> bool {
    let digits = text.strip_prefix('+').unwrap_or("");
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// The help for a literal over its limit: how many characters must go, and which ones fall past
/// the limit ("remove at least 1 character (past the limit: `y`)").
pub fn remove_at_least(text: &str, max: usize) -> String {
    let over = text.chars().count().saturating_sub(max);
    let chars = if over == 1 { "character" } else { "characters" };
    let tail = past_limit(text, max);
    let past = if over <= 20 {
        format!("`{tail}`")
    } else {
        let head: String = tail.chars().take(12).collect();
        format!("from `{head}`")
    };
    format!("remove at least {over} {chars} (past the limit: {past})")
}

/// The part of `text` after its first `max` characters: what does not fit.
pub fn past_limit(text: &str, max: usize) -> &str {
    text.char_indices().nth(max).map_or("", |(i, _)| &text[i..])
}

/// `text` cut at the last word boundary that leaves room for a final `…` within `max`
/// characters ("…, order yours…"); `None` when no word boundary fits.
pub fn cut_at_word(text: &str, max: usize) -> Option<String> {
    let fits = max.checked_sub(1)?;
    let end = text.char_indices().nth(fits).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    // A cut inside a word goes back to the space before it.
    let next_is_space = text[end..].starts_with(char::is_whitespace);
    let kept = if next_is_space {
        head
    } else {
        &head[..head.rfind(char::is_whitespace)?]
    };
    let kept = kept
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '.'));
    (!kept.is_empty()).then(|| format!("{kept}…"))
}

/// Where a checked value came from, for the diagnostic's wording.
pub struct Context<'a> {
    pub field: &'a str,
    /// The value that has the problem.
    pub value: &'a str,
    /// The value's span in the template.
    pub span: Span,
    /// The data path that produced it, at render time.
    pub data_path: Option<&'a str>,
}

/// The diagnostic for a problem.
pub fn diagnostic(p: &Problem, spec: &FieldSpec, cx: &Context, profile: &Profile) -> Diagnostic {
    let field = cx.field;
    let rendered = if cx.data_path.is_some() {
        "rendered "
    } else {
        ""
    };
    let with = cx
        .data_path
        .map(|p| format!(" (from `{p}`)"))
        .unwrap_or_default();
    let mut d = match p {
        Problem::TooLong { chars, utf16, max } => {
            let limit = profile.limit(spec.limit.expect("a length problem has a limit"));
            let units = if utf16 != chars {
                format!(" ({utf16} UTF-16 units)")
            } else {
                String::new()
            };
            codes::m2001_too_long(
                Severity::Error,
                format!("{rendered}`{field}` is {chars} characters long, the limit is {max}"),
            )
            .at(cx.span, format!("{chars} characters{units}{with}, {} over", chars - max))
            .help(match cx.data_path {
                Some(_) => format!(
                    "the data makes it too long: set a `max` on the inputs it reads so that `{field}` fits in {max} characters, or shorten the literal text"
                ),
                None if field == "text" => format!("{}, or move detail into an attachment", remove_at_least(cx.value, *max)),
                None => remove_at_least(cx.value, *max),
            })
            .note(profile.cite(limit))
            .note("characters are counted as Unicode scalar values, as Facebook counts them")
        }
        Problem::Empty => codes::m2004_empty_string(format!("{rendered}`{field}` is empty"))
            .at(cx.span, format!("empty{with}; Messenger needs text here"))
            .help(format!("give `{field}` some text; Facebook refuses the message with \"must be a non-empty UTF-8 encoded string\"")),
        Problem::BadUrl(why) => codes::m2005_invalid_url(format!("{rendered}`{field}` is not an absolute http(s) URL"))
            .at(cx.span, format!("{why}{with}"))
            .help(match with_scheme(cx.value) {
                // `shop.example/mixer`: the scheme alone is missing.
                Some(full) => format!("add the scheme: `{full}`"),
                None => "write a full URL such as `https://shop.example/item/100`".to_string(),
            }),
        Problem::BadPhone => codes::m2006_invalid_phone(format!("{rendered}`{field}` is not a phone number in international format"))
            .at(cx.span, format!("expected `+`, the country code and the number{with}"))
            .help("write it as `+` then digits, without spaces, e.g. `+33612345678`"),
        Problem::NotFacebookUrl => codes::m2016_not_facebook_url(format!("{rendered}`{field}` is not a Facebook URL"))
            .at(cx.span, format!("the media template takes only URLs on facebook.com{with}"))
            .help("upload the image or video with Facebook's Attachment Upload API and give `attachment_id: \"...\"`, or use an `image`/`video` attachment, which takes any URL")
            .note("Facebook media template reference, 2026-04: \"Facebook URLs only\""),
        Problem::BadAttachmentId => codes::m2015_invalid_attachment_id(format!("{rendered}`{field}` is not an attachment id"))
            .at(cx.span, format!("expected the digits the Attachment Upload API returned{with}"))
            .help(if url_problem(cx.value).is_none() {
                "this is a URL: give it as `url: ...`; `attachment_id` takes the id of an uploaded file, such as `\"1857777774821032\"`".to_string()
            } else {
                "give the id the Attachment Upload API returned for the file, digits only, such as `\"1857777774821032\"`".to_string()
            }),
        Problem::BadCurrency => {
            let d = codes::m2007_invalid_currency(format!("{rendered}`{field}` is not an ISO 4217 currency code"))
                .at(cx.span, format!("not a currency code{with}"))
                .help(match currency_hint(cx.value) {
                    Some(code) => format!("write `\"{code}\"`: Messenger takes three-letter ISO 4217 codes in capitals"),
                    None => "use a three-letter ISO 4217 code in capitals, such as `EUR`, `USD` or `GBP`".to_string(),
                });
            // In the template, the code replaces the literal: safe for a code in other capitals
            // or a symbol of one currency, unsafe for `$` (not only the US dollar).
            match currency_hint(cx.value).filter(|_| cx.data_path.is_none()) {
                Some(code) if matches!(cx.value.trim(), "$" | "US$" | "Fr.") => d.fix_unsafe(
                    cx.span,
                    format!("\"{code}\""),
                    format!("Replace with `\"{code}\"`"),
                ),
                Some(code) => d.fix(cx.span, format!("\"{code}\"")),
                None => d,
            }
        }
        Problem::BadChoice(choices) => {
            let list: Vec<String> = choices.iter().map(|c| format!("`\"{c}\"`")).collect();
            codes::m2010_invalid_choice(format!("{rendered}`{field}` must be one of {}", list.join(", ")))
                .at(cx.span, format!("not one of Messenger's values{with}"))
                .help(format!("write one of {}", list.join(", ")))
        }
    };
    // The data path goes in the message too: one-line reports show only the message.
    d.message.push_str(&with);
    d
}

/// The currency a user most likely meant: `eur` -> `EUR`, `€` -> `EUR`.
fn currency_hint(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let by_symbol = match v {
        "€" => Some("EUR"),
        "$" | "US$" => Some("USD"),
        "£" => Some("GBP"),
        "¥" => Some("JPY"),
        "CHF" | "Fr." => Some("CHF"),
        _ => None,
    };
    by_symbol.or_else(|| {
        CURRENCIES
            .iter()
            .copied()
            .find(|c| c.eq_ignore_ascii_case(v))
    })
}

/// The first character of a customer_id that is percent-encoded in a URL path segment (all but
/// RFC 3986's unreserved `A-Z a-z 0-9 - . _ ~`), with its byte offset.
pub fn first_encoded_char(text: &str) -> Option<(usize, char)> {
    text.char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
}

/// M2014: a customer_id character that goes percent-encoded into the request path.
pub fn customer_id_encoded(c: char, span: Span, data_path: Option<&str>) -> Diagnostic {
    let shown = match c {
        ' ' => "a space".to_string(),
        // Characters that show as nothing, or as a line break, are named by their code point.
        c if c.is_control()
            || c.is_whitespace()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}') =>
        {
            format!("`U+{:04X}`", c as u32)
        }
        c => format!("`{c}`"),
    };
    let mut encoded = String::new();
    let mut buf = [0u8; 4];
    for b in c.encode_utf8(&mut buf).bytes() {
        encoded.push_str(&format!("%{b:02X}"));
    }
    let from = data_path
        .map(|p| format!(" (from `{p}`)"))
        .unwrap_or_default();
    codes::m2014_customer_id_encoded(
        format!("`customer_id` contains {shown}, which is percent-encoded in the request URL{from}"),
    )
    .at(span, format!("sent as `{encoded}`"))
    .help("build the id from letters, digits and `-`, `.`, `_`, `~` only, as the guide's `instock-AB123-k45332j9i54`")
    .note("the web page's opt-in sets the id as is and the request path carries it encoded; iAdvize decodes it, but proxies may treat `%2F` and the like differently")
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_invisible_customer_id_character_is_named_by_its_code_point() {
        let span = crate::span::Span::new(0, 1);
        for (c, shown) in [
            ('\u{2028}', "`U+2028`"),
            ('\u{200B}', "`U+200B`"),
            ('\u{A0}', "`U+00A0`"),
            ('\t', "`U+0009`"),
            (' ', "a space"),
            ('\u{e9}', "`\u{e9}`"),
        ] {
            let d = super::customer_id_encoded(c, span, None);
            assert!(
                d.message.contains(&format!("contains {shown},")),
                "{}",
                d.message
            );
        }
    }

    use super::*;

    /// What the `url` crate alone says of a text (the long way of [`url_problem`]).
    fn parsed_ok(text: &str) -> bool {
        // As Facebook checks it: `//` and the host right after the scheme (the `url` crate
        // repairs `https:/host`).
        let authority = text
            .split_once(':')
            .is_some_and(|(_, rest)| rest.starts_with("//"));
        authority
            && !text.chars().any(char::is_whitespace)
            && url::Url::parse(text).is_ok_and(|u| {
                (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some()
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// The fast path accepts only what the `url` crate accepts, so `url_problem` gives the
        /// same verdicts as the `url` crate alone, whatever the host, port, path or stray byte.
        #[test]
        fn the_fast_url_path_agrees_with_the_url_crate(
            scheme in "(https?|HTTPS?|ftp|)(://|:/|:)",
            host in "[a-zA-Z0-9.\\-_~%:@\\[\\] \u{e9}]{0,12}",
            rest in "([/?#][ -~\u{e9}\u{7f}\t]{0,30})?",
        ) {
            let text = format!("{scheme}{host}{rest}");
            if plainly_http_url(&text) {
                proptest::prop_assert!(parsed_ok(&text), "{:?}", text);
            }
            proptest::prop_assert_eq!(url_problem(&text).is_none(), parsed_ok(&text), "{:?}", text);
        }

        /// An interpolated URL checked after its literal head gets `url_problem`'s verdict,
        /// whatever the head and whatever the data appends (spaces, quotes, a host that the
        /// data would go on, an `@`, non-ASCII).
        #[test]
        fn a_url_checked_after_its_head_gets_the_same_verdict(
            scheme in "(https?|HTTPS?|ftp|)(://|:/|:)",
            host in "[a-zA-Z0-9.\\-_:@ \u{e9}]{0,10}",
            path in "([/?#][ -~\u{e9}]{0,12})?",
            data in "[ -~\u{e9}\u{7f}\t]{0,12}",
        ) {
            let head = format!("{scheme}{host}{path}");
            let text = format!("{head}{data}");
            let at = url_head(&head);
            proptest::prop_assert!(at == 0 || at == head.len());
            proptest::prop_assert_eq!(url_problem_after(&text, at), url_problem(&text), "{:?}", text);
            // Render writes such a text without escaping it.
            if plain_after_url_head(&text, at) {
                proptest::prop_assert_eq!(serde_json::to_string(&text).unwrap(), format!("\"{text}\""));
            }
        }
    }

    #[test]
    fn a_url_head_is_one_whose_host_has_ended() {
        for (head, at) in [
            ("https://shop.example/view?item_id=", 34),
            ("https://shop.example/", 21),
            ("https://shop.example", 0),
            ("https://shop.", 0),
            ("https://shop.example:8080/", 0),
            ("shop.example/", 0),
            ("https://10.0.0.1/", 0),
            ("https://shop.example/a b/", 0),
        ] {
            assert_eq!(url_head(head), at, "{head}");
        }
        assert_eq!(url_problem_after("https://shop.example/x?id=12", 21), None);
        assert!(url_problem_after("https://shop.example/x?id=1 2", 21).is_some());
    }

    #[test]
    fn urls() {
        assert_eq!(url_problem("https://a.example/x?y=1"), None);
        assert!(url_problem("/relative").unwrap().contains("relative"));
        assert!(url_problem("javascript:alert(1)")
            .unwrap()
            .contains("javascript"));
        assert!(url_problem("https://a.example/a b")
            .unwrap()
            .contains("space; encode it as `%20`"));
        // A space is not what is wrong with a text that has no scheme, nor `%20` the fix of a
        // space in a host name.
        assert_eq!(
            url_problem("not a url").unwrap(),
            "it is a relative path; Messenger needs a full URL: `https://` (or `http://`) and a host"
        );
        assert_eq!(
            url_problem("https://shop example/p").unwrap(),
            "its host name `shop example` contains a space, which no host name can"
        );
        // The `url` crate would trim or drop these.
        for text in [
            " https://shop.example/p",
            "ht\ttps://shop.example/p",
            "https://shop.example/p\n",
        ] {
            assert!(
                url_problem(text).unwrap().contains("whitespace"),
                "{text:?}"
            );
        }
        assert!(url_prefix_problem("www.track.example.com/").is_some());
        assert!(url_prefix_problem("/track/").is_some());
        for fine in ["https://track.example.com/", "HTTP://", "https:/", "h", ""] {
            assert_eq!(url_prefix_problem(fine), None, "{fine}");
        }
        // One slash, or none: the `url` crate repairs these, Facebook does not.
        for text in [
            "https:/track.example.com/x",
            "https:track.example.com",
            "HTTP:/a",
        ] {
            assert!(url_problem(text).unwrap().contains("no host"), "{text}");
        }
    }

    #[test]
    fn the_fast_path_agrees_with_the_url_crate() {
        for u in [
            "https://a.example/x?y=1#z",
            "http://shop.example",
            "HTTPS://A.EXAMPLE/",
            "https://a.example:8080/x",
            "https://ex ample.com",
            "https://",
            "https://[::1]/",
            "https://bücher.example/",
        ] {
            let slow = url::Url::parse(u)
                .map(|x| x.scheme() == "http" || x.scheme() == "https")
                .unwrap_or(false)
                && !u.contains(' ');
            if plainly_http_url(u) {
                assert!(slow, "{u}");
            }
        }
        assert!(plainly_http_url(
            "https://petersapparel.parseapp.com/view_item?item_id=100"
        ));
    }

    #[test]
    fn phones() {
        assert!(is_phone("+16505551234"));
        assert!(!is_phone("0612345678"));
        assert!(!is_phone("+33 6 12"));
    }
}

#[cfg(test)]
mod media_tests {
    use super::*;
    use crate::model::schema::{spec, BlockKind};

    #[test]
    fn a_media_url_must_be_on_facebook_and_an_attachment_id_is_digits() {
        let p = Profile::default_profile();
        let element = spec(BlockKind::MediaElement, None).unwrap();
        let url = element.fields.iter().find(|f| f.name == "url").unwrap();
        assert_eq!(
            problem(url, "https://www.cooktoys.example/v.mp4", &p),
            Some(Problem::NotFacebookUrl)
        );
        assert_eq!(
            problem(url, "https://business.facebook.com/cooktoys/videos/123", &p),
            None
        );
        assert!(matches!(
            problem(url, "facebook.com/x", &p),
            Some(Problem::BadUrl(_))
        ));
        let id = element
            .fields
            .iter()
            .find(|f| f.name == "attachment_id")
            .unwrap();
        assert_eq!(problem(id, "1857777774821032", &p), None);
        assert_eq!(
            problem(id, "https://www.facebook.com/x", &p),
            Some(Problem::BadAttachmentId)
        );
    }
}

/// The fallback that the help of M2003 (a required field reading an optional input) writes for
/// `path`, at check time and at render time alike: a text that checks clean and renders
/// `...` (to be replaced) when the input is absent, null or empty (`default`'s `true`).
/// Offered only where a plain text fits (`text`: a text field, or a part's `string` input):
/// `...` is no number and no URL, so elsewhere there is `None`, and the help says to declare
/// the input required.
pub(crate) fn optional_fallback(path: &str, text: bool) -> Option<String> {
    text.then(|| format!("\"{{{{ {path} | default('...', true) }}}}\""))
}
