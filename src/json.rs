//! A spanned JSON reader for data files: every value keeps its byte span (so that a data
//! problem is reported at its line and column), numbers keep their text as written (`75.00`
//! stays `75.00`, integers beyond 2^53 stay exact), and strings without escapes are borrowed.

mod unclosed;

use std::borrow::Cow;

use crate::diagnostic::{codes, Diagnostic, Origin};
use crate::span::Span;

/// JSON nested deeper than this is refused, so that no input can exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 128;

/// A JSON value with its position in the text it was parsed from, borrowing that text where it
/// can.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    /// The value's bytes in the text.
    pub span: Span,
    /// The value.
    pub value: Json<'a>,
}

/// A JSON value, as [`parse`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number's text, as written.
    Number(&'a str),
    /// A string, unescaped (borrowed when it has no escape).
    String(Cow<'a, str>),
    /// An array's items.
    Array(Vec<Node<'a>>),
    /// An object's members, in the text's order, repeated keys kept.
    Object(Vec<Member<'a>>),
}

/// One member of a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    /// The key, unescaped.
    pub key: Cow<'a, str>,
    /// The key's bytes in the text, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Node<'a>,
}

impl<'a> Node<'a> {
    /// The member `key` of an object (the last one, if the key is repeated).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.value {
            Json::Object(members) => members
                .iter()
                .rev()
                .find(|m| same_key(&m.key, key))
                .map(|m| &m.value),
            _ => None,
        }
    }

    /// The member `key` of an object (the last one, if the key is repeated), to change.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Node<'a>> {
        match &mut self.value {
            Json::Object(members) => members
                .iter_mut()
                .rev()
                .find(|m| same_key(&m.key, key))
                .map(|m| &mut m.value),
            _ => None,
        }
    }

    /// Whether it is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Json::Null)
    }

    /// The name of the value's JSON type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match &self.value {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(n) if is_integer(n) => "an integer",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "a list",
            Json::Object(_) => "an object",
        }
    }
}

/// Whether two keys are the same: lengths, then first bytes, before a full comparison (keys
/// of the same length are common, and the full comparison is a call).
#[inline]
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// Whether a JSON number's text is an integer (no fraction, no exponent).
pub(crate) fn is_integer(n: &str) -> bool {
    !n.contains(['.', 'e', 'E'])
}

/// The one rule for numbers, in a template and in data: 0, or between 10⁻⁶ and 10²¹ in size
/// (either sign). Such a number is a finite 64-bit float, prints in at most 28 characters
/// when a template interpolates it, and an integer in it is exact up to 2^53 and copied as
/// written above. `None` when `n` (the text of a JSON number) follows it, else why not.
pub(crate) fn number_out_of_range(n: &str) -> Option<NumberRange> {
    if plainly_in_range(n) {
        return None;
    }
    let mantissa = n.split(['e', 'E']).next().unwrap_or(n);
    if !mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        return None;
    }
    match n.parse::<f64>() {
        Ok(x) if !x.is_finite() => Some(NumberRange::Infinite),
        Ok(x) if (1e-6..1e21).contains(&x.abs()) => None,
        Ok(x) if x.abs() >= 1e21 => Some(NumberRange::TooLarge),
        _ => Some(NumberRange::TooSmall),
    }
}

/// The common case without parsing a float: no exponent and an integer part of 1 to 15
/// digits that does not start with 0 (`19.90`, `-3`), so at least 1 and far below 10²¹ in size.
#[inline]
fn plainly_in_range(n: &str) -> bool {
    let b = n.as_bytes();
    let b = b.strip_prefix(b"-").unwrap_or(b);
    let int = b
        .iter()
        .position(|&c| !c.is_ascii_digit())
        .unwrap_or(b.len());
    (1..=15).contains(&int)
        && b[0] != b'0'
        && match b.get(int) {
            None => true,
            Some(b'.') => b[int + 1..].iter().all(u8::is_ascii_digit),
            Some(_) => false,
        }
}

/// The length of the longest prefix of `bytes` with nothing a JSON string must escape (`"`,
/// `\\`, control characters): the reader's and the writer's scan of string contents, sixteen
/// bytes at a time where the machine has SSE2, eight otherwise.
#[inline]
pub(crate) fn plain_prefix(bytes: &[u8]) -> usize {
    scan::<false>(bytes, [0; 4]).0
}

/// [`plain_prefix`], and whether any of the bytes `marks` occurs in that prefix: found in the
/// same pass (the fast parse of a record learns so whether a string can hold markup, which
/// render's lint would otherwise look for in a second pass over the value).
#[inline]
pub(crate) fn plain_prefix_marked(bytes: &[u8], marks: [u8; 4]) -> (usize, bool) {
    scan::<true>(bytes, marks)
}

#[inline(always)]
fn scan<const MARKS: bool>(bytes: &[u8], marks: [u8; 4]) -> (usize, bool) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if bytes.len() >= 16 {
        return sse2::scan::<MARKS>(bytes, marks);
    }
    let end = swar_plain_prefix(bytes);
    let marked = MARKS && bytes[..end].iter().any(|b| marks.contains(b));
    (end, marked)
}

/// The scan sixteen bytes at a time (SSE2, which every x86-64 processor has): each chunk
/// compared at once, the first byte to escape found from the comparison's bit mask.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_set_epi64x,
    };

    /// For the sixteen bytes of `chunk`, a bit per byte: those a JSON string must escape, and
    /// (when `MARKS`) those among `marks`.
    #[target_feature(enable = "sse2")]
    fn masks<const MARKS: bool>(chunk: &[u8; 16], marks: [u8; 4]) -> (u32, u32) {
        let lo = u64::from_le_bytes(chunk[..8].try_into().expect("eight bytes"));
        let hi = u64::from_le_bytes(chunk[8..].try_into().expect("eight bytes"));
        let x = _mm_set_epi64x(hi as i64, lo as i64);
        let is = |b: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8));
        // Below 0x20: the byte is its own minimum with 0x1f.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
        let dirty = _mm_or_si128(_mm_or_si128(is(b'"'), is(b'\\')), control);
        let dirty = _mm_movemask_epi8(dirty) as u32;
        if !MARKS {
            return (dirty, 0);
        }
        let m = _mm_or_si128(
            _mm_or_si128(is(marks[0]), is(marks[1])),
            _mm_or_si128(is(marks[2]), is(marks[3])),
        );
        (dirty, _mm_movemask_epi8(m) as u32)
    }

    /// [`super::scan`] of at least sixteen bytes; the last chunk overlaps the one before it,
    /// its bytes already checked shifted out of its masks.
    #[inline(always)]
    pub(super) fn scan<const MARKS: bool>(bytes: &[u8], marks: [u8; 4]) -> (usize, bool) {
        let n = bytes.len();
        debug_assert!(n >= 16);
        let mut i = 0;
        let mut marked = false;
        loop {
            let at = i.min(n - 16);
            let chunk: &[u8; 16] = bytes[at..at + 16].try_into().expect("sixteen bytes");
            // SAFETY: `masks` needs SSE2, which this module is compiled only with (the `cfg`
            // above: x86-64's baseline).
            let (dirty, m) = unsafe { masks::<MARKS>(chunk, marks) };
            let skip = i - at;
            let (dirty, m) = (dirty >> skip, m >> skip);
            if dirty != 0 {
                let k = dirty.trailing_zeros();
                marked |= MARKS && m & ((1 << k) - 1) != 0;
                return (i + k as usize, marked);
            }
            marked |= MARKS && m != 0;
            i = at + 16;
            if i >= n {
                return (n, marked);
            }
        }
    }
}

/// [`plain_prefix`] eight bytes at a time, in a `u64`.
#[inline]
fn swar_plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    // A byte below 0x20, a `"` or a `\` in the word?
    let dirty = |x: u64| {
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        let quote = has_zero(x ^ (ONES * b'"' as u64));
        let backslash = has_zero(x ^ (ONES * b'\\' as u64));
        below_space | quote | backslash != 0
    };
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes"));
    let n = bytes.len();
    let mut i = 0;
    while i + 8 <= n {
        if dirty(word(i)) {
            break;
        }
        i += 8;
    }
    // Fewer than eight bytes left (keys, short texts): one test over words that overlap the
    // bytes already checked, instead of a byte at a time.
    if i + 8 > n {
        let tail = if n >= 8 {
            Some(word(n - 8))
        } else if n >= 4 {
            Some(u64::from(half(0)) | (u64::from(half(n - 4)) << 32))
        } else {
            None
        };
        if tail.is_some_and(|x| !dirty(x)) {
            return n;
        }
    }
    while i < n && !matches!(bytes[i], b'"' | b'\\' | 0..0x20) {
        i += 1;
    }
    i
}

/// How a number breaks the rule of [`number_out_of_range`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberRange {
    /// Beyond a 64-bit float (`1e400`): most JSON readers refuse it.
    Infinite,
    /// 10²¹ or more (a 30-digit integer): minijinja prints it with an exponent.
    TooLarge,
    /// Not 0, but under 10⁻⁶ (`1e-400` reads as 0).
    TooSmall,
}

impl NumberRange {
    /// What is wrong, for a label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            NumberRange::Infinite => "beyond what a 64-bit float can hold",
            NumberRange::TooLarge => "10²¹ or more",
            NumberRange::TooSmall => "not 0, but under 10⁻⁶",
        }
    }
}

/// The largest JSON document [`parse`] reads by default: 256 MiB. A parsed document takes
/// about three times its size in memory (its text, then a tree of about twice that); a data
/// file, a record or a payload over the limit is refused with M3025 instead.
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024 * 1024;

static MAX_BYTES: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(DEFAULT_MAX_BYTES);

/// Sets the largest JSON document [`parse`] reads, in the whole process (`--max-data-bytes`,
/// `max-data-bytes` in missive.toml).
pub fn set_max_bytes(limit: usize) {
    MAX_BYTES.store(limit, std::sync::atomic::Ordering::Relaxed);
}

/// The largest JSON document [`parse`] reads: [`DEFAULT_MAX_BYTES`] unless [`set_max_bytes`]
/// changed it.
pub fn max_bytes() -> usize {
    MAX_BYTES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Parses a JSON document. The error is a located M3001 diagnostic in the data file, or M3025
/// for a document over [`max_bytes`].
pub fn parse(text: &str) -> Result<Node<'_>, Diagnostic> {
    let limit = max_bytes();
    if text.len() > limit {
        // At the first character past the limit.
        let mut at = limit;
        while !text.is_char_boundary(at) {
            at += 1;
        }
        let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
        return Err(codes::m3025_data_too_large(format!(
            "this JSON document is {} bytes, over the limit of {limit} bytes",
            text.len()
        ))
        .label(Origin::Data, Span::new(at, end), "the limit is passed here")
        .help(format!(
            "raise the limit with `--max-data-bytes {}` or `max-data-bytes = {}` in missive.toml (the default is {DEFAULT_MAX_BYTES}), or split the data",
            text.len(),
            text.len()
        )));
    }
    let mut p = Reader {
        text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
        // Room for a record of a batch (a carousel of ten elements) without regrowing.
        members: Vec::with_capacity(64),
        items: Vec::with_capacity(64),
    };
    // A byte order mark, as some editors write, is not part of the document.
    if text.starts_with('\u{FEFF}') {
        p.i = 3;
    }
    p.ws();
    if p.i == p.b.len() {
        return Err(p.error(
            "expected a JSON value, found the end of the file",
            "the data file is empty",
        ));
    }
    let node = p.value().map_err(|d| unclosed::by_indentation(text, d))?;
    p.ws();
    if p.i < p.b.len() {
        let mut d = p.error(
            "unexpected text after the JSON value",
            "the document should end here",
        );
        // Another value on a line of its own: records one per line (NDJSON).
        if matches!(p.b[p.i], b'{' | b'[')
            && text[..p.i].trim_end_matches([' ', '\t']).ends_with('\n')
        {
            d.help = Some("the data file must be one JSON value; a file with one record per line (NDJSON) is given with `--data-ndjson`".into());
        }
        return Err(d);
    }
    Ok(node)
}

/// Parses the JSON value that starts at byte `start` of `text` (a value that [`parse`] of the
/// whole text read already), with its spans in `text`: a list item read again when needed
/// rather than held.
pub(crate) fn parse_at(text: &str, start: usize) -> Result<Node<'_>, Diagnostic> {
    let mut p = Reader {
        text,
        b: text.as_bytes(),
        i: start,
        depth: 0,
        members: Vec::new(),
        items: Vec::new(),
    };
    p.value()
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
    /// The members of the objects being read, innermost last: an object's members are moved
    /// from here into a vector of their exact number when it closes. A vector per object
    /// grown as it goes kept up to twice the room it needed (a one-member object held eight),
    /// and made the tree eight times the size of its text.
    members: Vec<Member<'a>>,
    /// The items of the arrays being read, likewise.
    items: Vec<Node<'a>>,
}

impl<'a> Reader<'a> {
    fn error(&self, message: &str, label: &str) -> Diagnostic {
        let end = self.i
            + self.text[self.i.min(self.text.len())..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        codes::m3001_invalid_json(format!("invalid JSON: {message}"))
            .label(Origin::Data, Span::new(self.i, end), label)
            .help("the data file must be one JSON value (an object, usually) with double-quoted keys and no trailing commas")
    }

    /// At a closing bracket right after a comma: point at the comma.
    fn trailing_comma(&mut self) -> Diagnostic {
        let before = self.text[..self.i].trim_end();
        self.i = before.len().saturating_sub(1);
        self.error(
            "a trailing comma before the closing bracket",
            "remove this comma",
        )
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn found(&self) -> String {
        match self.text[self.i..].chars().next() {
            None => "the end of the file".into(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn value(&mut self) -> Result<Node<'a>, Diagnostic> {
        let start = self.i;
        let value = match self.b.get(self.i) {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Json::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => Json::Number(self.number()?),
            Some(b't') => self.word("true", Json::Bool(true))?,
            Some(b'f') => self.word("false", Json::Bool(false))?,
            Some(b'n') => self.word("null", Json::Null)?,
            _ => {
                let found = self.found();
                return Err(self.error(
                    &format!("expected a value, found {found}"),
                    "expected a string, number, object, list, `true`, `false` or `null`",
                ));
            }
        };
        Ok(Node {
            span: Span::new(start, self.i),
            value,
        })
    }

    fn word(&mut self, word: &str, value: Json<'a>) -> Result<Json<'a>, Diagnostic> {
        if self.text[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(value)
        } else {
            let w: String = self.text[self.i..]
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            Err(self.error(
                &format!("expected a value, found `{w}`"),
                "not a JSON value (strings need double quotes)",
            ))
        }
    }

    fn enter(&mut self) -> Result<(), Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                &format!("nested more than {MAX_DEPTH} levels deep"),
                "too deep",
            ));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Json<'a>, Diagnostic> {
        self.enter()?;
        self.i += 1;
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Json::Object(Vec::new()));
        }
        let base = self.members.len();
        loop {
            self.ws();
            if self.b.get(self.i) == Some(&b'}') {
                return Err(self.trailing_comma());
            }
            if self.b.get(self.i) != Some(&b'"') {
                let found = self.found();
                return Err(self.error(
                    &format!("expected a key in double quotes, found {found}"),
                    "expected `\"key\"`",
                ));
            }
            let key_start = self.i;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.i);
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                let found = self.found();
                return Err(self.error(
                    &format!("expected `:` after the key, found {found}"),
                    "expected `:`",
                ));
            }
            self.i += 1;
            self.ws();
            let value = self.value()?;
            self.members.push(Member {
                key,
                key_span,
                value,
            });
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                _ => {
                    let found = self.found();
                    return Err(self.error(
                        &format!("expected `,` or `}}`, found {found}"),
                        "expected `,` or `}`",
                    ));
                }
            }
        }
        self.depth -= 1;
        Ok(Json::Object(self.members.drain(base..).collect()))
    }

    fn array(&mut self) -> Result<Json<'a>, Diagnostic> {
        self.enter()?;
        self.i += 1;
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Json::Array(Vec::new()));
        }
        let base = self.items.len();
        loop {
            self.ws();
            if self.b.get(self.i) == Some(&b']') {
                return Err(self.trailing_comma());
            }
            let item = self.value()?;
            self.items.push(item);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                _ => {
                    let found = self.found();
                    return Err(self.error(
                        &format!("expected `,` or `]`, found {found}"),
                        "expected `,` or `]`",
                    ));
                }
            }
        }
        self.depth -= 1;
        Ok(Json::Array(self.items.drain(base..).collect()))
    }

    fn number(&mut self) -> Result<&'a str, Diagnostic> {
        let start = self.i;
        let digits = |r: &mut Self| {
            let s = r.i;
            while r.i < r.b.len() && r.b[r.i].is_ascii_digit() {
                r.i += 1;
            }
            r.i > s
        };
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        let int_start = self.i;
        if !digits(self) {
            return Err(self.error("expected a digit", "a number needs digits"));
        }
        if self.b[int_start] == b'0' && self.i - int_start > 1 {
            self.i = int_start;
            return Err(self.error("a number cannot start with `0`", "leading zero"));
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.error("expected a digit after `.`", "a fraction needs digits"));
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.error(
                    "expected a digit in the exponent",
                    "an exponent needs digits",
                ));
            }
        }
        Ok(&self.text[start..self.i])
    }

    fn string(&mut self) -> Result<Cow<'a, str>, Diagnostic> {
        let open = self.i;
        self.i += 1;
        let start = self.i;
        // Fast path: no escapes, borrow the text.
        self.i += plain_prefix(&self.b[start..]);
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' => {
                    let s = &self.text[start..self.i];
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => break,
                c if c < 0x20 => return Err(self.control_error()),
                _ => self.i += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.i]);
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    let c = self.escape()?;
                    out.push(c);
                }
                c if c < 0x20 => return Err(self.control_error()),
                _ => {
                    let c = self.text[self.i..].chars().next().expect("in bounds");
                    out.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
        self.i = open;
        Err(self.error("this string is never closed", "unclosed string"))
    }

    fn control_error(&self) -> Diagnostic {
        self.error(
            "a control character (such as a newline) inside a string",
            "write it as an escape, such as `\\n`",
        )
    }

    fn hex4(&mut self) -> Result<u32, Diagnostic> {
        let h = self
            .text
            .get(self.i..self.i + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match h {
            Some(h) => {
                self.i += 4;
                Ok(u32::from_str_radix(h, 16).expect("hex digits"))
            }
            None => Err(self.error(
                "expected four hex digits after `\\u`",
                "invalid `\\u` escape",
            )),
        }
    }

    fn escape(&mut self) -> Result<char, Diagnostic> {
        self.i += 1;
        let c = match self.b.get(self.i).map(|&b| (b, short_escape(b))) {
            Some((_, Some(c))) => c,
            Some((b'u', None)) => {
                self.i += 1;
                let start = self.i - 2;
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by a low one: `\ud83d\ude00`.
                    let lo = if self.text[self.i..].starts_with("\\u") {
                        self.i += 2;
                        Some(self.hex4()?)
                    } else {
                        None
                    };
                    match lo {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => surrogate_pair(hi, lo),
                        _ => {
                            self.i = start;
                            return Err(self.error(
                                "a UTF-16 surrogate escape without its pair",
                                "`\\uD800` to `\\uDBFF` must be followed by `\\uDC00` to `\\uDFFF`",
                            ));
                        }
                    }
                } else {
                    hi
                };
                return match char::from_u32(code) {
                    Some(c) => Ok(c),
                    None => {
                        self.i = start;
                        Err(self.error(
                            "a lone UTF-16 surrogate escape",
                            "not a character on its own",
                        ))
                    }
                };
            }
            _ => {
                self.i -= 1;
                return Err(self.error(
                    "unknown escape in a string",
                    "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                ));
            }
        };
        self.i += 1;
        Ok(c)
    }
}

/// The character a one-letter JSON escape stands for (`n` in `\\n`), if it is one.
pub(crate) fn short_escape(b: u8) -> Option<char> {
    Some(match b {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

/// The code point of a UTF-16 surrogate pair (`hi` in D800..DC00, `lo` in DC00..E000).
pub(crate) fn surrogate_pair(hi: u32, lo: u32) -> u32 {
    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    /// [`number_out_of_range`] the long way: the float parse alone.
    fn parsed_verdict(n: &str) -> Option<NumberRange> {
        let mantissa = n.split(['e', 'E']).next().unwrap_or(n);
        if !mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            return None;
        }
        match n.parse::<f64>() {
            Ok(x) if !x.is_finite() => Some(NumberRange::Infinite),
            Ok(x) if (1e-6..1e21).contains(&x.abs()) => None,
            Ok(x) if x.abs() >= 1e21 => Some(NumberRange::TooLarge),
            _ => Some(NumberRange::TooSmall),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// The fast path for plain numbers gives the float parse's verdict.
        #[test]
        fn the_plain_number_path_agrees_with_the_float_parse(
            n in "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,12})?([eE][+-]?[0-9]{1,3})?",
        ) {
            proptest::prop_assert_eq!(number_out_of_range(&n), parsed_verdict(&n), "{}", n);
        }

        /// The word-at-a-time scan stops where a byte-by-byte one does.
        #[test]
        fn the_plain_prefix_is_the_byte_scan(s in "[ -~\u{e9}\u{1F600}\"\\\\\t\n\u{1}]{0,40}") {
            let b = s.as_bytes();
            let slow = b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(b.len());
            proptest::prop_assert_eq!(plain_prefix(b), slow);
        }

        /// The scan that also looks for markup's first bytes finds them in the prefix exactly
        /// where a byte scan does, at every offset of the sixteen-byte chunks.
        #[test]
        fn the_marked_prefix_is_the_byte_scan(s in "[a-z *_<&\u{e9}\u{1F600}\"\\\\\t\u{1}]{0,70}") {
            let b = s.as_bytes();
            let marks = [b'*', b'_', b'<', b'&'];
            let end = b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(b.len());
            let marked = b[..end].iter().any(|c| marks.contains(c));
            proptest::prop_assert_eq!(plain_prefix_marked(b, marks), (end, marked));
            proptest::prop_assert_eq!(plain_prefix(b), end);
        }
    }

    #[test]
    fn one_rule_for_numbers_zero_or_between_a_millionth_and_1e21() {
        for n in [
            "0",
            "-0",
            "0.000",
            "0e400",
            "1e-6",
            "-1e-6",
            "75.00",
            "1e20",
            "99999999999999999999",
            "-9.99e20",
        ] {
            assert_eq!(number_out_of_range(n), None, "{n}");
        }
        for (n, why) in [
            ("1e400", NumberRange::Infinite),
            ("-1e309", NumberRange::Infinite),
            ("1e21", NumberRange::TooLarge),
            ("123456789012345678901234567890", NumberRange::TooLarge),
            ("1e-400", NumberRange::TooSmall),
            ("-1e-300", NumberRange::TooSmall),
            ("0.0000009", NumberRange::TooSmall),
        ] {
            assert_eq!(number_out_of_range(n), Some(why), "{n}");
        }
    }

    #[test]
    fn numbers_keep_their_text() {
        let n = parse(r#"{"a": 75.00, "b": 12345678901234567890123}"#).unwrap();
        assert_eq!(n.get("a").unwrap().value, Json::Number("75.00"));
        assert_eq!(
            n.get("b").unwrap().value,
            Json::Number("12345678901234567890123")
        );
    }

    #[test]
    fn strings_are_unescaped() {
        let n = parse(r#"["a\"b\u00e9\ud83d\ude00"]"#).unwrap();
        let Json::Array(items) = n.value else {
            panic!()
        };
        assert_eq!(items[0].value, Json::String("a\"bé😀".into()));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(e.code, Code::InvalidJson);
        assert_eq!(e.labels[0].span.start, 10);
        assert!(e.message.contains("trailing comma"));
        assert!(parse("NaN").is_err());
        assert!(parse("{\"a\": 01}").is_err());
        assert!(parse(&"[".repeat(1000)).is_err());
        assert!(parse(r#""a\ud83d\u0041""#).is_err());
        assert!(parse(r#""a\udc00b""#).is_err());
        assert!(parse("\u{FEFF}{}").is_ok());
    }

    #[test]
    fn spans_cover_values() {
        let n = parse(r#"{"k": "v"}"#).unwrap();
        assert_eq!(n.get("k").unwrap().span, Span::new(6, 9));
    }
}
