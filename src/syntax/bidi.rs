//! Trojan Source (CVE-2021-42574): bidirectional control characters make a text display in
//! another order than it is read, so a template can look different from what it does. Each one
//! gets a located warning, M4013, as rustc's `text_direction_codepoint_in_literal` lint does.

use crate::diagnostic::{codes, Applicability, Diagnostic, Fix};
use crate::span::Span;

/// The Unicode name of a bidirectional control character, or `None` for any other character.
fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{061C}' => "ARABIC LETTER MARK",
        _ => return None,
    })
}

/// Where a character stands, for what removing it would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Outside strings and comments.
    Code,
    /// In a `// comment`.
    Comment,
    /// In the text of a `"..."` string.
    Str,
    /// In the text of a `"""` block string.
    Block,
    /// In a `{{ }}`, `{% %}` or `{# #}` inside a string, with its closer and the string kind.
    Interp(&'static str, bool),
}

/// A warning for each bidirectional control character in `text`.
pub(crate) fn check(text: &str) -> Vec<Diagnostic> {
    // Every one of them starts with the byte 0xD8 (U+061C) or 0xE2 (the others).
    if !text.bytes().any(|b| b == 0xE2 || b == 0xD8) || !text.chars().any(|c| name(c).is_some()) {
        return Vec::new();
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut place = Place::Code;
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        let c = rest.chars().next().expect("at a character boundary");
        if let Some(n) = name(c) {
            out.push(warning(c, n, Span::new(i, i + c.len_utf8()), place));
            i += c.len_utf8();
            continue;
        }
        let mut step = c.len_utf8();
        place = match place {
            Place::Code if rest.starts_with("//") => Place::Comment,
            Place::Code if rest.starts_with("\"\"\"") => {
                step = 3;
                Place::Block
            }
            Place::Code if c == '"' => Place::Str,
            Place::Comment if c == '\n' => Place::Code,
            Place::Str | Place::Block if c == '\\' => {
                step += rest[1..].chars().next().map_or(0, char::len_utf8);
                place
            }
            Place::Str if c == '"' || c == '\n' => Place::Code,
            Place::Block if rest.starts_with("\"\"\"") => {
                step = 3;
                Place::Code
            }
            Place::Str | Place::Block
                if rest.starts_with("{{") || rest.starts_with("{%") || rest.starts_with("{#") =>
            {
                step = 2;
                let close = match &rest[1..2] {
                    "{" => "}}",
                    "%" => "%}",
                    _ => "#}",
                };
                Place::Interp(close, place == Place::Block)
            }
            Place::Interp(close, block) if rest.starts_with(close) => {
                step = 2;
                if block {
                    Place::Block
                } else {
                    Place::Str
                }
            }
            Place::Interp(_, false) if c == '\n' => Place::Code,
            other => other,
        };
        i += step;
    }
    out
}

/// A warning for each bidirectional control character in a JSON payload (`check
/// PAYLOAD.json`). In valid JSON they can only be in strings, where the JSON escape `\uXXXX`
/// stands for the same character, also inside a `{{ }}`: the fix writes it so, safely.
pub(crate) fn check_json(text: &str) -> Vec<Diagnostic> {
    if !text.bytes().any(|b| b == 0xE2 || b == 0xD8) {
        return Vec::new();
    }
    text.char_indices()
        .filter_map(|(i, c)| {
            let name = name(c)?;
            let code = format!("U+{:04X}", u32::from(c));
            let escape = format!("\\u{:04X}", u32::from(c));
            let span = Span::new(i, i + c.len_utf8());
            Some(
                codes::m4013_bidi_control(format!(
                    "a bidirectional control character in a string: {code} {name}"
                ))
                .at(span, "this invisible character in the string")
                .help(format!(
                    "it can make the payload read differently from what it does: remove it, or, if the text needs it, write it as the JSON escape `{escape}`"
                ))
                .suggest(Fix {
                    span,
                    replacement: escape.clone(),
                    applicability: Applicability::Safe,
                    title: Some(format!("Write the {code} {name} as `{escape}`")),
                }),
            )
        })
        .collect()
}

fn warning(c: char, name: &str, span: Span, place: Place) -> Diagnostic {
    let code = format!("U+{:04X}", u32::from(c));
    let (where_, label) = match place {
        Place::Code => ("", "this invisible character"),
        Place::Comment => (" in a comment", "this invisible character in the comment"),
        Place::Str | Place::Block => (" in a string", "this invisible character in the string"),
        Place::Interp(..) => (
            " in an interpolation",
            "this invisible character in the interpolation",
        ),
    };
    let d = codes::m4013_bidi_control(format!(
        "a bidirectional control character{where_}: {code} {name}"
    ))
    .at(span, label);
    // The fixes have titles of their own: one made from the text would print the character.
    let fix = |replacement: String, applicability, title: String| Fix {
        span,
        replacement,
        applicability,
        title: Some(title),
    };
    let hex = format!("{:X}", u32::from(c));
    match place {
        Place::Str | Place::Block => d
            .help(format!(
                "it can make the template read differently from what it does: remove it, or, if the text needs it, write it as the escape `\\u{{{hex}}}`"
            ))
            .suggest(fix(
                format!("\\u{{{hex}}}"),
                Applicability::Safe,
                format!("Write the {code} {name} as `\\u{{{hex}}}`"),
            )),
        Place::Interp(..) => d
            .help("it can make the template read differently from what it does: remove it")
            .suggest(fix(
                String::new(),
                Applicability::Unsafe,
                format!("Remove the {code} {name}"),
            )),
        Place::Code | Place::Comment => d
            .help("it can make the template read differently from what it does: remove it")
            .suggest(fix(
                String::new(),
                Applicability::Safe,
                format!("Remove the {code} {name}"),
            )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(usize, usize, String)> {
        check(text)
            .iter()
            .map(|d| {
                let l = d.primary().unwrap();
                (
                    l.span.start as usize,
                    l.span.end as usize,
                    d.message.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn each_character_is_named_and_located_by_place() {
        let text = "// a\u{202E}b\ntext \"x\u{2066}y {{ a\u{200F} }}\"\n\u{061C}notification n\n";
        let f = found(text);
        assert_eq!(f.len(), 4, "{f:?}");
        assert_eq!(&text[f[0].0..f[0].1], "\u{202E}");
        assert!(f[0]
            .2
            .ends_with("in a comment: U+202E RIGHT-TO-LEFT OVERRIDE"));
        assert!(f[1]
            .2
            .ends_with("in a string: U+2066 LEFT-TO-RIGHT ISOLATE"));
        assert!(f[2]
            .2
            .ends_with("in an interpolation: U+200F RIGHT-TO-LEFT MARK"));
        assert_eq!(f[3].1 - f[3].0, 2);
        assert_eq!(
            f[3].2,
            "a bidirectional control character: U+061C ARABIC LETTER MARK"
        );
    }

    #[test]
    fn a_string_keeps_its_text_as_an_escape_and_a_comment_loses_the_character() {
        let d = check("text \"\"\"\nab\u{202D}\n\"\"\" // \u{2069}\n");
        let fixes: Vec<_> = d.iter().flat_map(|d| d.fixes()).collect();
        assert_eq!(fixes.len(), 2);
        assert_eq!(fixes[0].replacement, "\\u{202D}");
        assert!(fixes[0].is_safe());
        assert_eq!(fixes[1].replacement, "");
        assert!(fixes[1].is_safe());
    }

    #[test]
    fn text_without_them_has_no_warning() {
        assert!(check("text \"é ✓ \u{2028} – “quoted” ؛\"\n").is_empty());
    }
}
