//! A bracket pass over the raw text, before and beside the pest parse: it finds the `{` that is
//! never closed (pest alone can only report the end of the file), a stray `}`, an unclosed
//! `"""`, and nesting too deep to parse safely. Strings and comments are skipped.

/// What the bracket pass found. Offsets are bytes into the text.
#[derive(Debug, Default)]
pub struct Brackets {
    /// Openers `{` (or `[`) without a closer, outermost first.
    pub unclosed: Vec<usize>,
    /// Closers without an opener.
    pub stray: Vec<usize>,
    /// The opening `"""` of a block string that is never closed.
    pub unclosed_block_string: Option<usize>,
    /// The first opener that goes deeper than the limit.
    pub too_deep: Option<usize>,
    /// The opener that indentation says was left open: a later line, not a `}`, is indented
    /// no deeper than the opener's own line, or a `}` less deep (as rustc guesses).
    pub suspect: Option<usize>,
    /// Where the suspect's `}` belongs: the start of the line that showed it was left open.
    pub suspect_end: Option<usize>,
}

pub fn scan(text: &str, max_depth: usize) -> Brackets {
    let b = text.as_bytes();
    let mut out = Brackets::default();
    let mut stack: Vec<usize> = Vec::new();
    // The indentation of each open `{`'s line, and of the current line.
    let mut indents: Vec<usize> = Vec::new();
    let mut line_indent = 0;
    // `list` keywords in a row (`list of list of`), which nest like braces.
    let mut lists = 0;
    let mut i = 0;
    while i < b.len() {
        if i == 0 || b[i - 1] == b'\n' {
            let indent = b[i..]
                .iter()
                .take_while(|&&c| c == b' ' || c == b'\t')
                .count();
            line_indent = indent;
            let first = b.get(i + indent).copied();
            let blank = matches!(
                first,
                None | Some(b'\n') | Some(b'\r') | Some(b'}') | Some(b']')
            ) || b[i + indent..].starts_with(b"//");
            // A `}` less indented than the innermost open block's line closes an outer block:
            // the inner one lost its `}`.
            let dedented_close = first == Some(b'}');
            if (!blank || dedented_close) && out.suspect.is_none() {
                if let (Some(&open), Some(&open_indent)) = (stack.last(), indents.last()) {
                    let open_line_start = text[..open].rfind('\n').map_or(0, |n| n + 1);
                    let left_open = if dedented_close {
                        indent < open_indent
                    } else {
                        indent <= open_indent
                    };
                    if open_line_start < i && left_open {
                        out.suspect = Some(open);
                        out.suspect_end = Some(i);
                    }
                }
            }
        }
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => match text[i + 3..].find("\"\"\"") {
                Some(end) => i += 3 + end + 2,
                None => {
                    out.unclosed_block_string = Some(i);
                    break;
                }
            },
            b'"' => {
                // A one-line string: ends at its closing quote or at the end of the line.
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' && b.get(i + 1).is_some_and(|&c| c != b'\n') {
                        2
                    } else {
                        1
                    };
                }
                if i < b.len() && b[i] == b'\n' {
                    continue;
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                // `list of list of ...` nests as deeply as braces do.
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                match &text[start..i] {
                    "list" => {
                        lists += 1;
                        if stack.len() + lists > max_depth && out.too_deep.is_none() {
                            out.too_deep = Some(start);
                        }
                    }
                    "of" | "max" => {}
                    _ => lists = 0,
                }
                continue;
            }
            b'\n' => lists = 0,
            b'{' | b'[' => {
                lists = 0;
                stack.push(i);
                indents.push(line_indent);
                if stack.len() > max_depth && out.too_deep.is_none() {
                    out.too_deep = Some(i);
                }
            }
            b'}' | b']' => {
                indents.pop();
                if stack.pop().is_none() {
                    out.stray.push(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.unclosed = stack;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_opener_that_is_never_closed() {
        let s = "carousel {\n  element {\n    title: \"}\"\n  }\n";
        let b = scan(s, 64);
        assert_eq!(b.unclosed, vec![9]);
        assert!(b.stray.is_empty());
    }

    #[test]
    fn indentation_points_at_the_block_left_open() {
        let s =
            "carousel {\n  element {\n    title: \"x\"\n  element {\n    title: \"y\"\n  }\n}\n";
        let b = scan(s, 64);
        assert_eq!(b.unclosed, vec![9]);
        assert_eq!(b.suspect, Some(21));
    }

    #[test]
    fn a_dedented_closer_points_at_the_inner_block() {
        let text = "carousel {\n  element {\n    title: \"A\"\n}\n";
        let b = scan(text, 64);
        assert_eq!(b.suspect, Some(text.find("element {").unwrap() + 8));
        assert_eq!(b.suspect_end, Some(text.rfind('}').unwrap()));
        // A closer at its opener's indentation is fine.
        let text = "carousel {\n  element {\n    title: \"A\"\n  }\n}\n";
        assert_eq!(scan(text, 64).suspect, None);
    }

    #[test]
    fn braces_in_comments_and_strings_do_not_count() {
        let b = scan("// {\ntext \"{{ a }}\"\nx \"\"\"\n{\n\"\"\"\n", 64);
        assert!(b.unclosed.is_empty() && b.stray.is_empty() && b.unclosed_block_string.is_none());
    }

    #[test]
    fn reports_too_deep_nesting() {
        let s = "{".repeat(70);
        assert_eq!(scan(&s, 64).too_deep, Some(64));
        let s = format!("input {{ a: {}string }}", "list of ".repeat(100));
        assert!(scan(&s, 64).too_deep.is_some());
        assert!(scan("input { a: list max 3 of list of { b: string } }", 64)
            .too_deep
            .is_none());
    }
}
