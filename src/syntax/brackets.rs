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
    /// Openers whose `}` is inside a string never closed on their line (`{ title: "Open }`):
    /// the unclosed string is the mistake, and its fix gives the `}` back.
    pub in_unclosed_string: Vec<usize>,
    /// Some lines are indented with tabs, others with spaces: no guess was made.
    pub mixed_indentation: bool,
}

/// Where a one-line string that is never closed most likely ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StringEnd {
    /// An offset into the text after the opening quote: where to close it. `None` when the
    /// line holds a `//` after a space: a comment, or text? Either edit may lose something.
    pub at: Option<usize>,
    /// The line's last `}` closes the block opened before the quote on the line, not the
    /// string: `button web_url { title: "Open }`.
    pub gives_back: bool,
}

/// Where a one-line string that is never closed most likely ends, from `rest` (the line after
/// its opening quote, without the line break) and `before` (the line up to the quote, from its
/// start): at a comma that starts another field whose value is one token (`"Open, url: url }`),
/// before the `}` that ends the line when the line opened a block before the quote
/// (`{ title: "Open }`), else at the end of the line. A `//` after a space leaves it open to
/// the author (see [`StringEnd::at`]).
pub(crate) fn unclosed_string_end(before: &str, rest: &str) -> StringEnd {
    let text = rest.trim_end();
    // Outside `{{ }}`: an interpolation may hold anything.
    let outside = |at: usize| text[..at].matches("{{").count() <= text[..at].matches("}}").count();
    let opened = before.matches('{').count() > before.matches('}').count();
    let closes = |t: &str| opened && t.ends_with('}') && !t.ends_with("}}");
    let b = text.as_bytes();
    if let Some(i) = (1..b.len())
        .find(|&i| b[i - 1].is_ascii_whitespace() && b[i..].starts_with(b"//") && outside(i))
    {
        return StringEnd {
            at: None,
            gives_back: closes(text[..i].trim_end()),
        };
    }
    let mut end = text.len();
    for (i, _) in text.match_indices(',') {
        if outside(i) && next_field(&text[i + 1..]) {
            end = i;
            break;
        }
    }
    let gives_back = closes(text);
    if gives_back && end == text.len() {
        end = text[..text.len() - 1].trim_end().len();
    }
    StringEnd {
        at: Some(end),
        gives_back,
    }
}

/// Whether `s` (after a comma) is another field, `name: value`, whose value is one token (a
/// string, a number, a path), up to the next comma or `}`: `url: url }`, not `note: we ship`.
fn next_field(s: &str) -> bool {
    let s = s.trim_start();
    let name = s
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    if !s
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
    {
        return false;
    }
    let Some(value) = s[name..].trim_start().strip_prefix(':') else {
        return false;
    };
    let value = value.trim_start();
    if value.starts_with('"') {
        return true;
    }
    let token = value.split([',', '}']).next().unwrap_or("").trim_end();
    !token.is_empty()
        && token
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
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
                // A one-line string: ends at its closing quote, or, never closed, where it most
                // likely ends (a `}` after it on the line closes its block; a comment is one).
                let open = i;
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' && b.get(i + 1).is_some_and(|&c| c != b'\n') {
                        2
                    } else {
                        1
                    };
                }
                if i >= b.len() || b[i] == b'\n' {
                    // Never closed: it runs to the end of the line, as the grammar reads it.
                    // When the line's last `}` most likely closes the block opened before it
                    // on the line (`button web_url { title: "Open }`), that block's `}` is
                    // the string's to give back: its M0003 explains it, not an M0002.
                    let line_start = text[..open].rfind('\n').map_or(0, |n| n + 1);
                    let rest = text[open + 1..i].trim_end_matches('\r');
                    let before = &text[line_start..open];
                    let gives_back = unclosed_string_end(before, rest).gives_back;
                    if let Some(&opener) = stack.last().filter(|&&o| o >= line_start && gives_back)
                    {
                        out.in_unclosed_string.push(opener);
                    }
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
    // Indentation that mixes tabs and spaces says nothing reliable about where a block ends
    // (a tab is one byte here, and any width in the editor): no guess, rather than a `}` at
    // the wrong line.
    if mixed_indentation(text) {
        out.suspect = None;
        out.suspect_end = None;
        out.mixed_indentation = true;
    }
    out
}

/// Whether some lines are indented with tabs and others with spaces.
fn mixed_indentation(text: &str) -> bool {
    let (mut tabs, mut spaces) = (false, false);
    for line in text.lines() {
        match line.as_bytes().first() {
            Some(b'\t') => tabs = true,
            Some(b' ') if line.trim_start().len() < line.len() => {
                spaces |= line
                    .trim_start_matches(' ')
                    .starts_with(|c: char| !c.is_whitespace());
                tabs |= line.trim_start_matches(' ').starts_with('\t');
            }
            _ => {}
        }
        if tabs && spaces {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_string_ends_at_the_next_field_or_before_its_blocks_brace() {
        let end = |before: &str, rest: &str| unclosed_string_end(before, rest);
        let block = "  button web_url { title: ";
        let at = |n, gives_back| StringEnd {
            at: Some(n),
            gives_back,
        };
        assert_eq!(end(block, "Open }"), at(4, true));
        assert_eq!(end(block, "Open, url: url }"), at(4, true));
        assert_eq!(
            end(block, "Open, url: \"https://a.example\" }"),
            at(4, true)
        );
        // Not another field: prose with a colon, and `{{ }}` holding a comma.
        let text = "Hello {{ name }}, note: we ship today";
        assert_eq!(end("text ", text), at(text.len(), false));
        assert_eq!(end("text ", "{{ a, b: c }} x"), at(15, false));
        // No block opened before the quote on the line: its `}` stays text.
        assert_eq!(end("  title: ", "Open }"), at(6, false));
        // A `//` after a space: the author says.
        assert_eq!(
            end("text ", "Half price // today only"),
            StringEnd {
                at: None,
                gives_back: false
            }
        );
        assert_eq!(
            end(block, "Open, url: url } // x"),
            StringEnd {
                at: None,
                gives_back: true
            }
        );
        // `https://` is no comment.
        assert_eq!(end("text ", "see https://a.example"), at(21, false));
    }

    #[test]
    fn indentation_that_mixes_tabs_and_spaces_gives_no_guess() {
        // With tabs as one column, the first `element` looks left open before its own first
        // line; it is not: a guess here put the `}` at the wrong line.
        let s = "carousel {\n    element {\n\ttitle: \"A\"\n\n\telement {\n        title: \"B\"\n    }\n}\n";
        let b = scan(s, 64);
        assert_eq!(b.suspect, None);
        assert!(b.mixed_indentation);
        // Tabs alone keep the guess.
        let s =
            "carousel {\n\telement {\n\t\ttitle: \"A\"\n\n\telement {\n\t\ttitle: \"B\"\n\t}\n}\n";
        assert_eq!(scan(s, 64).suspect, Some(20));
    }

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
