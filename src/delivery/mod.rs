//! Delivery: rendered messages -> the iAdvize Send-to-Messenger API, each record once.
//!
//! The pieces, each usable alone: [`Token`] (the access token, never printed), [`Endpoint`]
//! (the request URL), [`retry`] (backoff, `Retry-After`, pacing), `client` (one POST, its
//! answer classified), [`journal`] (the append-only record of intents and outcomes that makes
//! a rerun safe), [`batch`] (records -> checked requests -> delivery, with events for the
//! caller), and [`optin`] (the web page's snippet from the same customer_id scheme).

pub mod batch;
pub(crate) mod client;
pub mod journal;
pub mod optin;
pub mod retry;

use percent_encoding::utf8_percent_encode;

use crate::model::api_path::{iadvize_path, PATH_SEGMENT};

/// What the token is replaced by wherever it would be shown.
pub(crate) const REDACTED: &str = "***";

/// The iAdvize access token. It is only ever written into the URL of a real request: its
/// `Debug` form is `***`, and [`Token::scrub`] removes it from any text that leaves missive.
#[derive(Clone)]
pub struct Token(String);

/// Why a text is not an access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Nothing but spaces and newlines.
    Empty,
    /// A space, a line break or a control character inside (two lines in a token file).
    Spaces,
    /// Fewer than [`Token::MIN_LEN`] characters: no real token, and one that short could not
    /// be told apart from the rest of the output to hide it (`2` would turn `200` into `***00`).
    TooShort(usize),
}

impl Token {
    /// The fewest characters a token may have.
    pub const MIN_LEN: usize = 8;

    /// A token from its text (an environment variable, a file's content): surrounding spaces
    /// and newlines removed; `None` when it is not a token (see [`Token::parse`]).
    pub fn new(text: &str) -> Option<Token> {
        Token::parse(text).ok()
    }

    /// A token from its text, surrounding spaces and newlines removed, or why it is not one.
    pub fn parse(text: &str) -> Result<Token, TokenProblem> {
        let t = text.trim();
        if t.is_empty() {
            Err(TokenProblem::Empty)
        } else if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Err(TokenProblem::Spaces)
        } else if t.chars().count() < Token::MIN_LEN {
            Err(TokenProblem::TooShort(t.chars().count()))
        } else {
            Ok(Token(t.to_string()))
        }
    }

    fn encoded(&self) -> String {
        utf8_percent_encode(&self.0, PATH_SEGMENT).to_string()
    }

    /// `text` with every occurrence of the token replaced by `***`: as is, percent-encoded (as
    /// in the URL, either case of hex digits), or escaped in a JSON string (`\uXXXX` in either
    /// case, `\/`, `\"`, `\\`), as an API may echo it in an error answer; each character of
    /// the token may take any of these forms, and a form may be escaped again (a JSON string
    /// inside a JSON string, a URL encoded twice), up to `ESCAPE_LAYERS` (2) deep.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        while let Some(c) = text[at..].chars().next() {
            match self.match_at(text.as_bytes(), at) {
                Some(end) => {
                    out.push_str(REDACTED);
                    at = end;
                }
                None => {
                    out.push(c);
                    at += c.len_utf8();
                }
            }
        }
        out
    }

    /// The end of the longest writing of the token that starts at byte `at` of `text`, if
    /// there is one. Every way each character may be written is followed (a `%` of the
    /// token may be a raw `%` or the start of `%25`), so no choice made early hides a match.
    fn match_at(&self, text: &[u8], at: usize) -> Option<usize> {
        let mut ends = vec![at];
        for c in self.0.chars() {
            let mut next = Vec::new();
            for &p in &ends {
                char_ends(text, p, c, ESCAPE_LAYERS, &mut next);
            }
            next.sort_unstable();
            next.dedup();
            if next.is_empty() {
                return None;
            }
            ends = next;
        }
        ends.last().copied()
    }
}

/// How many escapings [`Token::scrub`] sees through: two, as in a JSON string quoted in the
/// JSON string of an answer, or a URL percent-encoded twice (each layer multiplies the work on
/// a text dense with `%` and `\\`).
pub(crate) const ESCAPE_LAYERS: usize = 2;

/// Pushes onto `out` every end of the character `c` written at byte `at` of `text`: as is, or
/// (with `layers` left) percent-encoded or escaped in a JSON string, each character of that
/// escape itself written in any form with one layer less.
fn char_ends(text: &[u8], at: usize, c: char, layers: usize, out: &mut Vec<usize>) {
    let Some(&first) = text.get(at) else {
        return;
    };
    let mut buf = [0u8; 4];
    let raw = c.encode_utf8(&mut buf).as_bytes();
    if text[at..].starts_with(raw) {
        out.push(at + raw.len());
    }
    // Every escaped form starts with `%` or `\`, at whatever depth.
    if layers == 0 || !matches!(first, b'%' | b'\\') {
        return;
    }
    let layers = layers - 1;
    // Percent-encoded: each UTF-8 byte as `%XX`.
    let mut ends = vec![at];
    for &b in raw {
        ends = seq_ends(text, &ends, &[Is('%'), Hex(b >> 4), Hex(b & 0xf)], layers);
    }
    out.extend(ends);
    // Escaped in a JSON string: a short escape, or each UTF-16 unit as `\uXXXX`.
    let short = match c {
        '"' | '\\' | '/' => Some(c),
        '\n' => Some('n'),
        '\r' => Some('r'),
        '\t' => Some('t'),
        '\u{8}' => Some('b'),
        '\u{c}' => Some('f'),
        _ => None,
    };
    if let Some(e) = short {
        out.extend(seq_ends(text, &[at], &[Is('\\'), Is(e)], layers));
    }
    let mut units = [0u16; 2];
    let mut ends = vec![at];
    for &u in c.encode_utf16(&mut units).iter() {
        let nibble = |shift: u16| Hex(((u >> shift) & 0xf) as u8);
        let form = [
            Is('\\'),
            Is('u'),
            nibble(12),
            nibble(8),
            nibble(4),
            nibble(0),
        ];
        ends = seq_ends(text, &ends, &form, layers);
    }
    out.extend(ends);
}

/// One character of an escape.
#[derive(Clone, Copy)]
enum Part {
    /// This character.
    Is(char),
    /// The hex digit of this value, in either case.
    Hex(u8),
}
use Part::{Hex, Is};

/// The ends of the characters of `form` written one after the other from any of `starts`.
fn seq_ends(text: &[u8], starts: &[usize], form: &[Part], layers: usize) -> Vec<usize> {
    let mut ends = starts.to_vec();
    for &part in form {
        let mut next = Vec::new();
        for &p in &ends {
            match part {
                Is(c) => char_ends(text, p, c, layers, &mut next),
                Hex(v) => {
                    let digit = char::from_digit(u32::from(v), 16).unwrap_or('0');
                    char_ends(text, p, digit, layers, &mut next);
                    if digit.is_ascii_alphabetic() {
                        char_ends(text, p, digit.to_ascii_uppercase(), layers, &mut next);
                    }
                }
            }
        }
        next.sort_unstable();
        next.dedup();
        if next.is_empty() {
            return next;
        }
        ends = next;
    }
    ends
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Scrubs the token from `text`, if there is a token.
pub fn scrub(token: Option<&Token>, text: &str) -> String {
    match token {
        Some(t) => t.scrub(text),
        None => text.to_string(),
    }
}

/// Where the requests go: the API's scheme and host, and the Facebook page.
#[derive(Debug, Clone)]
pub struct Endpoint {
    base: String,
    page_id: String,
}

impl Endpoint {
    /// Checks `api_url` (scheme `http`/`https` and host, with an optional port; no path, query
    /// or credentials) and `page_id` (digits). The error says what is wrong, for a usage error.
    pub fn new(api_url: &str, page_id: &str) -> Result<Endpoint, String> {
        if page_id.is_empty() || !page_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`--page-id {page_id}` is not a page id: give the digits of the page's m.me/ link"
            ));
        }
        // `localhost:8080` parses as a URL of scheme `localhost`: say what is missing.
        if !api_url.is_empty() && !api_url.contains("://") {
            return Err(format!(
                "`--api-url {api_url}` has no scheme: write `https://{api_url}` (or `http://` for a test server on this machine)"
            ));
        }
        let url = url::Url::parse(api_url)
            .map_err(|e| format!("`--api-url {api_url}` is not a URL ({e})"))?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(format!(
                "`--api-url {api_url}`: the scheme must be `https` (or `http` for a local test server)"
            ));
        }
        let Some(host) = url.host_str() else {
            return Err(format!("`--api-url {api_url}` has no host"));
        };
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        if url.scheme() == "http" && !loopback {
            return Err(format!(
                "`--api-url {api_url}`: `http` would send the access token unencrypted to `{host}`; use `https` (`http` is for a test server on this machine: localhost, 127.0.0.1, [::1])"
            ));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "`--api-url {api_url}`: give only the scheme and host (and port); missive appends the API's path"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("`--api-url` must not carry credentials; the token comes from `MISSIVE_ACCESS_TOKEN` or `--token-file`".to_string());
        }
        let base = match url.port() {
            Some(p) => format!("{}://{host}:{p}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        };
        Ok(Endpoint {
            base,
            page_id: page_id.to_string(),
        })
    }

    /// The page id the requests are sent for, as given.
    pub fn page_id(&self) -> &str {
        &self.page_id
    }

    /// The API's scheme and host, as given.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The request URL for one customer. With `token` the real URL (only for the request
    /// itself); without, the token shows as `***` (dry runs, messages).
    pub(crate) fn url(&self, customer_id: &str, token: Option<&Token>) -> String {
        let token = match token {
            Some(t) => t.encoded(),
            None => REDACTED.to_string(),
        };
        format!(
            "{}{}?access_token={token}",
            self.base,
            iadvize_path(&self.page_id, customer_id)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows_in_debug_or_scrubbed_text() {
        let t = Token::new(" s3cr:et/tok\n").unwrap();
        assert_eq!(format!("{t:?}"), "***");
        let e = Endpoint::new("http://127.0.0.1:8080", "123").unwrap();
        let url = e.url("a b", Some(&t));
        assert_eq!(
            url,
            "http://127.0.0.1:8080/social/facebook/messenger/pages/123/customers/a%20b/messages?access_token=s3cr%3Aet%2Ftok"
        );
        assert_eq!(
            t.scrub(&format!("error: {url} and s3cr:et/tok")),
            "error: http://127.0.0.1:8080/social/facebook/messenger/pages/123/customers/a%20b/messages?access_token=*** and ***"
        );
        assert!(e.url("x", None).ends_with("access_token=***"));
        assert!(Token::new(" \n").is_none());
        assert_eq!(Token::parse(" \n").err(), Some(TokenProblem::Empty));
        assert_eq!(
            Token::parse("s3cr3t-tok\n# comment\n").err(),
            Some(TokenProblem::Spaces)
        );
        assert_eq!(Token::parse("2").err(), Some(TokenProblem::TooShort(1)));
    }

    #[test]
    fn the_token_is_scrubbed_however_an_answer_escapes_it() {
        // An API that echoes the token in a JSON string escapes it its own way (PHP writes
        // `\/`, Python `\u00e9`); a URL may use either case of hex digits.
        let t = Token::new("s\u{e9}cr/\"t+k\u{1F600}").unwrap();
        for echoed in [
            "s\u{e9}cr/\"t+k\u{1F600}",
            r#"s\u00e9cr\/\"t+k\ud83d\ude00"#,
            r#"s\u00E9cr\u002f\u0022t\u002bk\uD83D\uDE00"#,
            "s%C3%A9cr%2F%22t%2Bk%F0%9F%98%80",
            "s%c3%a9cr%2f%22t%2bk%f0%9f%98%80",
        ] {
            assert_eq!(
                t.scrub(&format!("token: {echoed}!")),
                "token: ***!",
                "{echoed}"
            );
        }
        // A near miss is left alone, and text around a match is kept as it was.
        assert_eq!(t.scrub("s\u{e9}cr/\"t+\u{e9}"), "s\u{e9}cr/\"t+\u{e9}");
        assert_eq!(t.scrub("\\u00e9 %zz \\"), "\\u00e9 %zz \\");
    }

    #[test]
    fn a_token_with_a_percent_or_a_backslash_is_scrubbed_in_every_form() {
        // The scrubber once took the raw `%` (or `\\`) and did not try `%25` (or `\\\\`) after.
        let t = Token::new("abc%def\\ghi").unwrap();
        for echoed in [
            "abc%def\\ghi",
            "abc%25def%5Cghi",
            "abc%25def%5cghi",
            "abc%def\\\\ghi",
            "abc\\u0025def\\u005Cghi",
            // A JSON string quoting a JSON string, and a URL encoded twice.
            "abc%def\\\\\\\\ghi",
            "abc%2525def%255Cghi",
            // Each character its own way.
            "abc%25def%5C\\u0067hi",
        ] {
            assert_eq!(t.scrub(&format!("<{echoed}>")), "<***>", "{echoed}");
        }
        assert_eq!(t.scrub("abc%25def%5Cgh"), "abc%25def%5Cgh");
    }

    /// A token's character in one of the ways an answer may write it.
    fn write_char(c: char, form: u8) -> String {
        let mut buf = [0u8; 4];
        let bytes = c.encode_utf8(&mut buf).as_bytes();
        match form % 5 {
            0 => c.to_string(),
            1 => bytes.iter().map(|b| format!("%{b:02X}")).collect(),
            2 => bytes.iter().map(|b| format!("%{b:02x}")).collect(),
            3 => json_inside(&c.to_string()),
            _ => c
                .encode_utf16(&mut [0u16; 2])
                .iter()
                .map(|u| format!("\\u{u:04X}"))
                .collect(),
        }
    }

    fn json_inside(s: &str) -> String {
        let q = serde_json::to_string(s).unwrap();
        q[1..q.len() - 1].to_string()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Whatever the token and the text around it, and however the answer writes it (each
        /// character its own way, then maybe escaped again), no writing of it is left.
        #[test]
        fn no_writing_of_the_token_survives_scrubbing(
            token in "[a-zA-Z0-9%\\\\\"/+:u\u{e9}\u{1F600}-]{8,20}",
            forms in proptest::collection::vec(0u8..5, 20),
            layer in 0u8..5,
            before in "[%\\\\u0-9a-fA-F\"*\u{e9}x]{0,8}|\\PC{0,20}",
            after in "[%\\\\u0-9a-fA-F\"*\u{e9}x]{0,8}|\\PC{0,20}",
        ) {
            let t = Token::new(&token).unwrap();
            let mixed: String = token.chars().zip(forms.iter().cycle()).map(|(c, &f)| write_char(c, f)).collect();
            let pct = utf8_percent_encode(&mixed, PATH_SEGMENT).to_string();
            // At most two escapings ([`ESCAPE_LAYERS`]): the mixed writing is one.
            let written = match layer {
                0 => mixed,
                1 => json_inside(&mixed),
                2 => pct,
                3 => json_inside(&json_inside(&token)),
                _ => json_inside(&utf8_percent_encode(&token, PATH_SEGMENT).to_string()),
            };
            let scrubbed = t.scrub(&format!("{before}{written}{after}"));
            proptest::prop_assert!(!scrubbed.contains(&written), "{written:?} in {scrubbed:?}");
            proptest::prop_assert!(!scrubbed.contains(&token), "{token:?} in {scrubbed:?}");
        }
    }

    #[test]
    fn the_api_url_is_a_scheme_and_a_host() {
        assert_eq!(
            Endpoint::new("https://api.iadvize.com/", "1")
                .unwrap()
                .base(),
            "https://api.iadvize.com"
        );
        assert!(Endpoint::new("https://api.iadvize.com/social", "1").is_err());
        assert!(Endpoint::new("ftp://x", "1").is_err());
        assert!(Endpoint::new("https://u:p@x", "1").is_err());
        assert!(Endpoint::new("https://x", "12a").is_err());
        assert!(Endpoint::new("https://x?a=1", "1").is_err());
        for bare in ["localhost:8080", "api.iadvize.com"] {
            let e = Endpoint::new(bare, "1").unwrap_err();
            assert!(
                e.contains(&format!("has no scheme: write `https://{bare}`")),
                "{e}"
            );
        }
        // The token goes in the URL: in clear text only to this machine.
        assert!(Endpoint::new("http://api.iadvize.com", "1").is_err());
        assert!(Endpoint::new("http://10.0.0.1:8080", "1").is_err());
        for local in [
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://[::1]:9",
        ] {
            assert!(Endpoint::new(local, "1").is_ok(), "{local}");
        }
    }
}
