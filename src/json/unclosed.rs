//! A JSON document that ends, or closes a bracket, where another bracket was expected: the
//! reader finds out at the end of the file, or many lines below the `{` that lost its `}`.
//! As the template's bracket pass does, the indentation says which one: the `{` (or `[`) whose
//! first line back at its own indentation is not its closing bracket.

use crate::diagnostic::{codes, Diagnostic, Origin};
use crate::span::Span;

/// The reader's error `d`, said at the bracket the indentation shows unclosed, when there is
/// one before the error; else `d` unchanged.
pub(super) fn by_indentation(text: &str, d: Diagnostic) -> Diagnostic {
    let Some(at) = d.primary().map(|l| l.span.start as usize) else {
        return d;
    };
    // Only where a closing bracket was due: at the end, or at the other kind of bracket.
    let found = text.get(at..).and_then(|s| s.chars().next());
    if !matches!(found, None | Some('}' | ']')) {
        return d;
    }
    let Some(open) = first_unclosed(text, at) else {
        return d;
    };
    let closer = if open.bracket == b'{' { '}' } else { ']' };
    let what = match &open.key {
        Some(k) => format!("`\"{k}\"`"),
        None if open.bracket == b'{' => "this object".to_string(),
        None => "this list".to_string(),
    };
    let prev = &text[open.prev_line..open.prev_line_end];
    let (n_next, n_prev) = (
        line_number(text, open.dedent),
        line_number(text, open.prev_line),
    );
    let help = if let Some(body) = prev.trim_end().strip_suffix(',') {
        format!(
            "end line {n_prev} with `{closer},` instead of `,`: `{}{closer},`",
            body.trim_start()
        )
    } else {
        format!(
            "add `{closer}` at the end of line {n_prev}: `{}{closer}`",
            prev.trim()
        )
    };
    let origin = d.primary().map_or(Origin::Data, |l| l.origin);
    codes::m3001_invalid_json(format!(
        "invalid JSON: the `{}` of {what} is never closed",
        open.bracket as char
    ))
    .label(
        origin,
        Span::new(open.at, open.at + 1),
        format!("this `{}` has no `{closer}`", open.bracket as char),
    )
    .label(
        origin,
        Span::new(open.dedent_text, open.dedent_text + 1),
        format!(
            "line {n_next} is back at the indentation of {what}: its `{closer}` belongs before it"
        ),
    )
    .help(help)
}

struct Open {
    /// The bracket, `{` or `[`, and where it is.
    bracket: u8,
    at: usize,
    /// The key it is the value of, if any.
    key: Option<String>,
    /// The first line back at the bracket's indentation: its start, and its first character.
    dedent: usize,
    dedent_text: usize,
    /// The last non-blank line before it, where the closing bracket goes.
    prev_line: usize,
    prev_line_end: usize,
}

fn line_number(text: &str, at: usize) -> usize {
    text[..at].bytes().filter(|&b| b == b'\n').count() + 1
}

/// Lines of `text` as (start, end without the line break).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            out.push((start, end));
            start = i + 1;
        }
    }
    out.push((start, text.len()));
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// The first bracket before `before` that ends its line and whose first later line at its
/// indentation or less (before `before`) does not start with its closing bracket.
fn first_unclosed(text: &str, before: usize) -> Option<Open> {
    let lines = lines(text);
    let b = text.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    for (n, &(start, end)) in lines.iter().enumerate() {
        if start >= before {
            break;
        }
        // Brackets outside strings; the last one on the line, if it ends it.
        let mut last: Option<usize> = None;
        for (i, &c) in b.iter().enumerate().take(end).skip(start) {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == b'"' {
                    in_string = false;
                }
                continue;
            }
            match c {
                b'"' => in_string = true,
                b'{' | b'[' => last = Some(i),
                b' ' | b'\t' => {}
                _ => last = None,
            }
        }
        let Some(at) = last else { continue };
        let line = &text[start..end];
        let own = indent(line);
        let closer = if b[at] == b'{' { '}' } else { ']' };
        let mut prev = (start, end);
        for &(s, e) in &lines[n + 1..] {
            if s >= before {
                break;
            }
            let l = &text[s..e];
            if l.trim().is_empty() {
                continue;
            }
            if indent(l) <= own {
                if l.trim_start().starts_with(closer) {
                    break;
                }
                return Some(Open {
                    bracket: b[at],
                    at,
                    key: key_before(&text[start..at]),
                    dedent: s,
                    dedent_text: s + indent(l),
                    prev_line: prev.0,
                    prev_line_end: prev.1,
                });
            }
            prev = (s, e);
        }
    }
    None
}

/// `"address": ` before a bracket: `address`.
fn key_before(head: &str) -> Option<String> {
    let head = head
        .trim_end()
        .strip_suffix(':')?
        .trim_end()
        .strip_suffix('"')?;
    let start = head.rfind('"')?;
    Some(head[start + 1..].to_string())
}

#[cfg(test)]
mod tests {
    use crate::json::parse;

    #[test]
    fn a_missing_brace_is_said_where_the_indentation_shows_it() {
        let text = "{\n  \"payload\": {\n    \"address\": {\n      \"city\": \"Paris\",\n    \"summary\": {\n      \"total_cost\": 5\n    }\n  }\n}\n";
        let d = parse(text).unwrap_err();
        assert_eq!(
            d.message,
            "invalid JSON: the `{` of `\"address\"` is never closed"
        );
        assert_eq!(
            d.labels[0].span.start as usize,
            text.find("{\n      \"city").unwrap()
        );
        assert_eq!(
            d.help.as_deref(),
            Some("end line 4 with `},` instead of `,`: `\"city\": \"Paris\"},`")
        );
    }

    #[test]
    fn a_list_item_without_its_brace_is_named() {
        let text = "{\n  \"elements\": [\n    {\n      \"title\": \"A\"\n  ]\n}\n";
        let d = parse(text).unwrap_err();
        assert_eq!(
            d.message,
            "invalid JSON: the `{` of this object is never closed"
        );
        assert_eq!(
            d.help.as_deref(),
            Some("add `}` at the end of line 4: `\"title\": \"A\"}`")
        );
    }

    #[test]
    fn other_errors_are_left_alone() {
        let d = parse("{\n  \"a\": 1,\n}\n").unwrap_err();
        assert_eq!(
            d.message,
            "invalid JSON: a trailing comma before the closing bracket"
        );
    }
}
