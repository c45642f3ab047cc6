//! String literals: escapes, `"""` blocks with their indentation stripped, and the split into
//! literal text and `{{ }}` / `{% %}` / `{# #}` interpolations.

use super::ast::{StrLit, StrPart};
use crate::diagnostic::{codes, Diagnostic};
use crate::span::Span;

/// Lowers a `"..."` literal. `inner` is the text between the quotes, starting at byte `offset`.
pub fn lower_string(span: Span, inner: &str, offset: usize, diags: &mut Vec<Diagnostic>) -> StrLit {
    let chunks = [Chunk {
        text: inner.to_string(),
        source_start: offset,
    }];
    StrLit {
        span,
        parts: split(&chunks, diags).into(),
        block: false,
    }
}

/// Lowers a `"""` block. `inner` is the text between the triple quotes, starting at `offset`:
/// the opening line must be empty, the closing `"""` stands on its own line, and its
/// indentation is stripped from every line.
pub fn lower_block_string(
    span: Span,
    inner: &str,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> StrLit {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        if c == '\n' {
            // A CRLF file's line ends are `\r\n`: the text gets `\n` alone.
            let end = if inner[..i].ends_with('\r') { i - 1 } else { i };
            lines.push((start, &inner[start..end]));
            start = i + 1;
        }
    }
    lines.push((start, &inner[start..]));

    let block = |parts| StrLit {
        span,
        parts,
        block: true,
    };
    let (first_at, first) = lines[0];
    if lines.len() < 2 || !first.trim().is_empty() {
        diags.push(
            codes::m0001_syntax_error("a `\"\"\"` text starts on the line after its opening `\"\"\"`")
                .at(Span::new(offset + first_at, offset + first_at + first.len()), "move this text to the next line")
                .help("write `\"\"\"`, a newline, the text, and `\"\"\"` on a line of its own; use `\"...\"` for one line"),
        );
        return block(smallvec::smallvec![StrPart::Lit {
            text: inner.into(),
            span,
        }]);
    }
    let (last_at, indent) = *lines.last().expect("two lines at least");
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        diags.push(
            codes::m0001_syntax_error("the closing `\"\"\"` must stand on a line of its own")
                .at(
                    Span::new(offset + last_at, offset + last_at + indent.len()),
                    "put a newline before the closing `\"\"\"`",
                )
                .help("its indentation is removed from every line of the text"),
        );
        return block(smallvec::smallvec![StrPart::Lit {
            text: inner.into(),
            span,
        }]);
    }
    let body = &lines[1..lines.len() - 1];
    let mut chunks = Vec::with_capacity(body.len());
    for (i, (at, line)) in body.iter().enumerate() {
        let strip = if line.starts_with(indent) {
            indent.len()
        } else {
            line.len() - line.trim_start_matches([' ', '\t']).len()
        };
        let mut text = line[strip..].to_string();
        if i + 1 < body.len() {
            text.push('\n');
        }
        chunks.push(Chunk {
            text,
            source_start: offset + at + strip,
        });
    }
    block(split(&chunks, diags).into())
}

/// A piece of raw string text and where it starts in the source.
struct Chunk {
    text: String,
    source_start: usize,
}

/// Maps positions in the joined chunks back to the source.
struct Joined {
    text: String,
    /// (position in `text`, position in the source) at each chunk start.
    starts: Vec<(usize, usize)>,
}

impl Joined {
    fn new(chunks: &[Chunk]) -> Joined {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(chunks.len());
        for c in chunks {
            starts.push((text.len(), c.source_start));
            text.push_str(&c.text);
        }
        Joined { text, starts }
    }

    fn source(&self, pos: usize) -> usize {
        let i = self.starts.partition_point(|&(p, _)| p <= pos).max(1) - 1;
        let (p, s) = self.starts.get(i).copied().unwrap_or((0, 0));
        s + (pos - p)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.source(start), self.source(end.max(start)))
    }
}

fn split(chunks: &[Chunk], diags: &mut Vec<Diagnostic>) -> Vec<StrPart> {
    let joined = Joined::new(chunks);
    let t = joined.text.as_str();
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut lit_start = 0;
    let mut i = 0;
    let flush = |lit: &mut String, start: usize, end: usize, parts: &mut Vec<StrPart>| {
        if !lit.is_empty() {
            parts.push(StrPart::Lit {
                text: std::mem::take(lit).into(),
                span: joined.span(start, end),
            });
        }
    };
    while i < t.len() {
        let rest = &t[i..];
        if rest.starts_with('\\') {
            let (consumed, cooked) = escape(rest);
            match cooked {
                Some(c) => lit.push(c),
                None => diags.push(
                    codes::m0005_invalid_escape(format!("unknown escape `{}`", &rest[..consumed]))
                        .at(joined.span(i, i + consumed), "not an escape missive knows")
                        .help(escape_help(&rest[..consumed])),
                ),
            }
            i += consumed;
            continue;
        }
        let close = if rest.starts_with("{{") {
            Some("}}")
        } else if rest.starts_with("{%") {
            Some("%}")
        } else if rest.starts_with("{#") {
            Some("#}")
        } else {
            None
        };
        if let Some(close) = close {
            let Some(len) = rest[2..].find(close) else {
                diags.push(
                    codes::m0006_invalid_interpolation(format!("`{}` is never closed", &rest[..2]))
                        .at(
                            joined.span(i, i + 2),
                            format!("expected a `{close}` after this"),
                        )
                        .help(format!(
                            "close it with `{close}`, or write `\\{{` for a literal `{{`"
                        )),
                );
                lit.push_str(rest);
                break;
            };
            flush(&mut lit, lit_start, i, &mut parts);
            let src = rest[2..2 + len].to_string();
            let span = joined.span(i, i + 2 + len + 2);
            parts.push(match close {
                "}}" => StrPart::Expr { src, span },
                "%}" => StrPart::Stmt { src, span },
                _ => StrPart::Comment { span },
            });
            i += 2 + len + 2;
            lit_start = i;
            continue;
        }
        let c = rest.chars().next().expect("not at the end");
        lit.push(c);
        i += c.len_utf8();
    }
    flush(&mut lit, lit_start, t.len(), &mut parts);
    parts
}

fn escape_help(bad: &str) -> String {
    let list = "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\{` and `\\}` (literal braces), `\\/`, `\\'` and `\\u{1F600}`";
    match bad.chars().nth(1) {
        Some(c) if !c.is_alphanumeric() => format!("write `{c}` without the backslash; {list}"),
        Some('u') => format!("a Unicode escape is `\\u{{...}}` with 1 to 6 hex digits naming a character (not a surrogate, at most 10FFFF); {list}"),
        _ => list.to_string(),
    }
}

/// One escape at the start of `s` (which starts with `\`): bytes consumed, and the character.
fn escape(s: &str) -> (usize, Option<char>) {
    let mut chars = s[1..].chars();
    let Some(c) = chars.next() else {
        return (1, None);
    };
    let simple = match c {
        '"' => Some('"'),
        '\\' => Some('\\'),
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '{' => Some('{'),
        '}' => Some('}'),
        '/' => Some('/'),
        '\'' => Some('\''),
        _ => None,
    };
    if simple.is_some() {
        return (1 + c.len_utf8(), simple);
    }
    if c == 'u' && s[2..].starts_with('{') {
        if let Some(close) = s[3..].find('}') {
            let hex = &s[3..3 + close];
            let ch = (1..=6)
                .contains(&hex.len())
                .then(|| u32::from_str_radix(hex, 16).ok())
                .flatten()
                .and_then(char::from_u32);
            return (3 + close + 1, ch);
        }
    }
    (1 + c.len_utf8(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    fn parts(s: &str) -> (Vec<StrPart>, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let lit = lower_string(Span::new(0, s.len() + 2), s, 1, &mut d);
        (lit.parts.into_vec(), d)
    }

    #[test]
    fn escapes_are_applied_and_braces_can_be_literal() {
        let (p, d) = parts(r#"a\"b\\c\n\{x\u{1F600}"#);
        assert!(d.is_empty());
        match &p[..] {
            [StrPart::Lit { text, .. }] => assert_eq!(text, "a\"b\\c\n{x😀"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn interpolations_are_split_out_with_their_spans() {
        let (p, d) = parts("Hi {{ name }}!");
        assert!(d.is_empty());
        assert_eq!(p.len(), 3);
        match &p[1] {
            StrPart::Expr { src, span } => {
                assert_eq!(src, " name ");
                assert_eq!(*span, Span::new(4, 14));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unclosed_interpolation_is_reported_at_its_opener() {
        let (_, d) = parts("Hi {{ name");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::InvalidInterpolation);
        assert_eq!(d[0].labels[0].span, Span::new(4, 6));
    }

    #[test]
    fn block_strings_lose_the_closing_indentation() {
        let mut d = Vec::new();
        let inner = "\n    Hello\n      world\n    ";
        let lit = lower_block_string(Span::new(0, 40), inner, 3, &mut d);
        assert!(d.is_empty(), "{d:?}");
        let text = lit.as_literal().unwrap();
        assert_eq!(text, "Hello\n  world");
    }
}
