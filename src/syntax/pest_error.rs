//! The one place where pest's errors become sentences a user understands: rule names map to
//! words ("a field name", "`:`"), never to `ident` or `kw_if`.

use pest::error::InputLocation;

use super::Rule;
use crate::diagnostic::{codes, Diagnostic};
use crate::span::Span;

/// What a user calls the thing a rule matches; `None` for rules that are never "expected" on
/// their own (the words for their parts are enough).
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::ident | Rule::ident_any => "a name",
        Rule::path => "a path",
        Rule::string | Rule::string_inner => "a string",
        Rule::block_string | Rule::block_inner => "a `\"\"\"` text",
        Rule::number | Rule::integer => "a number",
        Rule::kw_true | Rule::kw_false => "`true` or `false`",
        Rule::kw_null => "`null`",
        Rule::kw_if | Rule::if_stmt => "`if`",
        Rule::kw_else | Rule::else_if | Rule::else_branch => "`else`",
        Rule::kw_for | Rule::for_stmt => "`for`",
        Rule::kw_in => "`in`",
        Rule::kw_input | Rule::input_block => "`input`",
        Rule::kw_extra | Rule::extra_block => "`extra`",
        Rule::kw_list | Rule::list_type => "`list`",
        Rule::kw_of => "`of`",
        Rule::kw_max | Rule::max_clause => "`max`",
        Rule::range_clause => "a range such as `0..10000`",
        Rule::optional_mark => "`?`",
        Rule::condition => "a condition",
        Rule::field => "a field",
        Rule::command | Rule::block => "a block",
        Rule::decl => "a declaration",
        Rule::scalar_type | Rule::object_type => "a type",
        Rule::json_object => "a JSON object",
        Rule::json_array => "a JSON array",
        Rule::json_member => "a JSON key",
        Rule::EOI => "the end of the line",
        Rule::file
        | Rule::nl
        | Rule::sep
        | Rule::end
        | Rule::top_item
        | Rule::body
        | Rule::body_item
        | Rule::item
        | Rule::decl_item
        | Rule::type_expr
        | Rule::json_sep
        | Rule::json_sep_arr
        | Rule::json_value
        | Rule::value
        | Rule::ident_char
        | Rule::reserved
        | Rule::balanced
        | Rule::quoted
        | Rule::unclosed
        | Rule::COMMENT
        | Rule::WHITESPACE
        | Rule::error_line
        | Rule::stray_close
        | Rule::probe_item
        | Rule::probe_decl => return None,
    })
}

fn token_word(token: &str) -> Option<String> {
    match token {
        "\n" | "\r\n" | "\r" | "//" | " " | "\t" | "\u{FEFF}" | "_" | "BUILTIN_RULE" => None,
        "\"" => Some("a string".into()),
        "\"\"\"" => Some("a `\"\"\"` text".into()),
        "-" | "0" | "." => Some("a number".into()),
        t if t.len() > 2 && t.contains("..") => None,
        t => Some(format!("`{t}`")),
    }
}

/// At most five classes of expected things: the literal values (a string, a number, `true`,
/// `false`, `null`) are one class, "a value", and the list ends with "something else" past five.
fn grouped(words: &[String]) -> Vec<String> {
    const VALUES: &[&str] = &[
        "a string",
        "a `\"\"\"` text",
        "a number",
        "`true`",
        "`false`",
        "`true` or `false`",
        "`null`",
    ];
    let values = words
        .iter()
        .filter(|w| VALUES.contains(&w.as_str()))
        .count();
    let mut out: Vec<String> = Vec::new();
    for w in words {
        let w = if values > 2 && VALUES.contains(&w.as_str()) {
            "a value (a string, a number, `true`, `false` or `null`)".to_string()
        } else if values > 2 && (w == "a name" || w == "a path") {
            "a path such as `product.name`".to_string()
        } else {
            w.clone()
        };
        if !out.contains(&w) {
            out.push(w);
        }
    }
    if out.len() > 5 {
        out.truncate(4);
        out.push("something else".to_string());
    }
    out
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => "something else".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The "expected ..." words and the offset (relative to `input`) of a failed parse.
fn expected(err: &pest::error::Error<Rule>) -> (usize, Vec<String>) {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut words: Vec<String> = Vec::new();
    fn push(words: &mut Vec<String>, w: String) {
        if !words.contains(&w) {
            words.push(w)
        }
    }
    if let Some(attempts) = err.parse_attempts() {
        for t in attempts.expected_tokens() {
            if let Some(w) = token_word(&t.to_string()) {
                push(&mut words, w);
            }
        }
        if words.is_empty() {
            for stack in attempts.call_stacks() {
                if let Some(w) = stack.deepest.get_rule().copied().and_then(describe) {
                    push(&mut words, w.to_string());
                }
            }
        }
    }
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &err.variant {
        for r in positives {
            if let Some(w) = describe(*r) {
                push(&mut words, w.to_string());
            }
        }
    }
    (pos, words)
}

fn found(text: &str, at: usize) -> String {
    match text[at..].chars().next() {
        None | Some('\n') | Some('\r') => "the end of the line".into(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = text[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            format!("`{word}`")
        }
        Some(c) => format!("`{c}`"),
    }
}

/// Explains a line that did not parse: an unclosed string at its opening quote, otherwise what
/// was expected where the line went wrong.
pub fn explain_line(text: &str, span: Span, in_input: bool) -> Diagnostic {
    let line = &text[span.range()];

    if line.starts_with('}') {
        return codes::m0001_syntax_error("unexpected `}`")
            .at(span.sub(0, 1), "this `}` closes nothing")
            .help("remove it, or check that the blocks above open with `{` where they should");
    }

    if let Some(q) = unclosed_quote(line) {
        // Where it most likely ends, from the line's own start (the item may begin after a
        // block's `{` on it): at a comma that starts the next field, before the `}` of its
        // block; else at the end of the line.
        let at = span.start as usize + q;
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        let end = super::brackets::unclosed_string_end(&text[line_start..at], &line[q + 1..]);
        let whole = line[q..].trim_end();
        let rest = match end.at {
            Some(n) => &line[q..q + 1 + n],
            None => whole,
        };
        // `"Hi {{ first_name`: the `{{` is open too.
        let braces = rest.matches("{{").count() > rest.matches("}}").count();
        let close = if braces { " }}\"" } else { "\"" };
        let fix_at = span.start as usize + q + rest.len();
        let mut d = codes::m0003_unclosed_string("unclosed string")
            .at(span.sub(q, q + 1), "this string is never closed");
        d = if braces {
            d.help("close the `{{` with `}}`, then end the string with `\"` on the same line; for text over several lines use `\"\"\"`")
        } else {
            d.help("end the string with `\"` on the same line; for text over several lines use `\"\"\"`")
        };
        if end.gives_back {
            d = d.note("the `}` on this line is inside the string, so its block is not closed: nothing after this line is checked until the string is");
        }
        // Closed right after its quote it would be empty: the quotes pair otherwise than the
        // guess can tell (`"Open }, subtitle: "s", ...` on one line); no fix.
        let Some(n) = end.at.filter(|&n| n > 0) else {
            if end.at == Some(0) {
                return d;
            }
            // `"Half price // today only`: a comment after the text, or text? The author says.
            return d.note("the line holds `//` after a space: if what follows is a comment, end the string before it; if it is text, at the end of the line");
        };
        return d.fix_unsafe(
            Span::new(fix_at, fix_at),
            close,
            if n == line[q + 1..].trim_end().len() {
                format!("Insert `{close}` at the end of the line")
            } else {
                format!("Insert `{close}` after `{}`", &rest[1..])
            },
        );
    }

    let rule = if in_input {
        Rule::probe_decl
    } else {
        Rule::probe_item
    };
    let Err(err) = super::parse_detailed(rule, line) else {
        // The line parses on its own: what went wrong is what follows it on the line.
        return codes::m0001_syntax_error("expected a new line or `,` here")
            .at(span, "this line does not end where expected")
            .help("put one field per line, or separate fields with `,`");
    };
    let (at, words) = expected(&err);
    let at = at.min(line.len());
    let point = Span::new(
        span.start as usize + at,
        span.start as usize + at + next_len(line, at),
    );

    // `prénom: ...`: names are ASCII.
    let ascii: usize = line
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if let Some(c) = line[ascii..]
        .chars()
        .next()
        .filter(|c| c.is_alphabetic() && !c.is_ascii())
    {
        let at = span.start as usize + ascii;
        return codes::m0001_syntax_error(format!("`{c}` cannot be part of a name"))
            .at(Span::new(at, at + c.len_utf8()), "not an ASCII letter")
            .help("names use ASCII letters, digits and `_` (e.g. `prenom` or `first_name`); text in quotes can hold any character");
    }

    // `title: {en: "Yes", fr: "Oui"}`: a text per locale is a block, written without `:`.
    if let Some(d) = per_locale_colon(line, at, span) {
        return d;
    }

    // `title: 'Shipped today'`: strings use double quotes.
    if line[at..].starts_with('\'') {
        let open = span.start as usize + at;
        let rest = &line[at + 1..];
        let d = codes::m0001_syntax_error("strings use double quotes, not `'`");
        return match rest.find('\'') {
            Some(len) => {
                let inner = &rest[..len];
                let written = format!("\"{inner}\"");
                let d = d
                    .at(Span::new(open, open + len + 2), "a single-quoted string")
                    .help(format!("write `{written}`"));
                // Certain only when the text needs no escape in double quotes.
                if inner.contains(['"', '\\']) {
                    d
                } else {
                    d.fix(Span::new(open, open + len + 2), written)
                }
            }
            None => d
                .at(point, "a `'` opens no string")
                .help("write the text between double quotes: `\"Shipped today\"`"),
        };
    }

    // `name = value`, `name value value`: the common slip is a missing colon after a name.
    let name: String = line
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let after_name = name.len() + line[name.len()..].len() - line[name.len()..].trim_start().len();
    if !name.is_empty() && at == after_name && words.iter().any(|w| w == "`:`") {
        let d = codes::m0001_syntax_error(format!(
            "expected `:` after `{name}`, found {}",
            found(line, at)
        ))
        .at(point, "expected `:`")
        .help(if in_input {
            format!("a declaration is `name: type`: write `{name}: string max 40`")
        } else {
            format!("a field is `name: value`: write `{name}: ...`")
        });
        // The fix: `name = value` and `name value` become `name: value`.
        let name_end = span.start as usize + name.len();
        return match line[at..].chars().next() {
            Some('=') => d.fix(Span::new(name_end, span.start as usize + at + 1), ":"),
            Some(c) if !c.is_whitespace() => d.fix(Span::new(name_end, name_end), ":"),
            _ => d,
        };
    }
    // At the start of a line, pest offers only the keywords: say what a line can be instead.
    let words = if at == 0 && words.iter().any(|w| w == "`input`") {
        vec![
            "a field (`name: value`), a block (`name { ... }`) or a line such as `text \"...\"`"
                .to_string(),
        ]
    } else {
        words
    };
    let what = join_or(&grouped(&words));
    let mut d = codes::m0001_syntax_error(format!("expected {what}, found {}", found(line, at)))
        .at(point, format!("expected {what}"));
    d = d.help(if in_input {
        "a declaration is `name: type`, e.g. `first_name?: string max 40` or `items: list max 10 of { ... }`"
    } else if words.iter().any(|w| w == "a string") && words.iter().any(|w| w == "a number") {
        "a value is text in double quotes (`\"Shipped today\"`), a number, `true`, `false`, `null`, or an input's path (`product.name`)"
    } else if words.iter().any(|w| w == "`:`") {
        "a field is `name: value`, e.g. `title: \"Classic White T-Shirt\"` or `title: product.name`"
    } else {
        "each line is a field (`name: value`), a block (`name { ... }`), `for x in list { ... }` or `if cond { ... }`"
    });
    d
}

/// Explains a whole-file parse failure that no recovery caught.
pub fn explain_file(text: &str, err: &pest::error::Error<Rule>) -> Diagnostic {
    let (at, words) = expected(err);
    let at = at.min(text.len());
    let what = join_or(&grouped(&words));
    codes::m0001_syntax_error(format!("expected {what}, found {}", found(text, at)))
        .at(
            Span::new(at, at + next_len(text, at)),
            format!("expected {what}"),
        )
        .help("check the line above for a missing `}` or `\"`")
}

fn next_len(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(0, char::len_utf8)
}

/// The byte offset of a `"` that opens a string which the line never closes.
fn unclosed_quote(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            return None;
        }
        if b[i..].starts_with(b"\"\"\"") {
            return None;
        }
        if b[i] == b'"' {
            let open = i;
            i += 1;
            loop {
                if i >= b.len() {
                    return Some(open);
                }
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => break,
                    _ => i += 1,
                }
            }
        }
        i += 1;
    }
    None
}

/// `title: { en: "Yes", fr: "Oui" }` (pest stops at the `{`): the colon of a field before a
/// block whose first entry is a language tag (`en:`, `pt-BR:`), and the fix that removes it.
fn per_locale_colon(line: &str, at: usize, span: Span) -> Option<Diagnostic> {
    let inner = line.get(at..)?.strip_prefix('{')?.trim_start();
    let tag_len = inner
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
        .count();
    let tag = &inner[..tag_len];
    let first = tag.split('-').next().unwrap_or("");
    let is_tag = (2..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_lowercase());
    if !is_tag || !inner[tag_len..].trim_start().starts_with(':') {
        return None;
    }
    let before = line[..at].trim_end();
    let name = before.strip_suffix(':')?.trim_end();
    if name.is_empty() {
        return None;
    }
    let colon = before.len() - 1;
    let start = span.start as usize;
    // The block up to its `}` (strings may hold braces).
    let (mut depth, mut quoted, mut end) = (0usize, false, line.len());
    for (i, c) in line[at..].char_indices() {
        match c {
            '"' => quoted = !quoted,
            '{' if !quoted => depth += 1,
            '}' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    end = at + i + 1;
                    break;
                }
            }
            _ => {}
        }
    }
    let block = line[at..end].trim_end();
    let name = name.rsplit(['{', ',', ' ']).next().unwrap_or(name);
    let written = format!("{name} {block}");
    Some(
        codes::m0001_syntax_error("a text per locale is written without `:`")
            .at(
                Span::new(start + colon, start + colon + 1),
                "remove this `:`",
            )
            .help(format!("write `{written}`"))
            .fix(Span::new(start + colon, start + at), " "),
    )
}
