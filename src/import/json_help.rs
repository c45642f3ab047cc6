//! Help for JSON payloads (`missive check PAYLOAD.json`): the template checks write their help
//! in missive syntax (`add \`currency: ...\``); in a JSON file the edit is JSON
//! (`add \`"currency": "USD"\``). Each help's quoted snippets are translated: fields become
//! `"key": value`, blocks the objects and arrays Facebook reads, and a `for` (which JSON has
//! not) is left out. Snippets that are not missive fields or blocks are kept as written.

/// The help of a diagnostic on a JSON payload.
pub(crate) fn help(help: &str) -> String {
    let mut out = String::with_capacity(help.len() + 16);
    let mut rest = help;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        let snippet = &rest[open + 1..open + 1 + len];
        let before = &rest[..open];
        let after = &rest[open + len + 2..];
        if snippet.starts_with("for ") {
            // `..., or `for x in list { ... }``: no loops in JSON.
            out.push_str(before.trim_end_matches(", or ").trim_end_matches(" or "));
        } else {
            // `the extra `element`s` is plural already.
            let plural = after.starts_with('s');
            // `button postback`: in JSON, the button's `"type"`.
            let button = snippet
                .strip_prefix("button ")
                .filter(|t| {
                    !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                })
                .map(|t| format!("\"type\": \"{t}\""));
            let json = button.or_else(|| snippet_json(snippet)).unwrap_or_else(|| {
                if plural {
                    snippet.to_string()
                } else {
                    word(snippet)
                }
            });
            if json == word(snippet) && json != snippet {
                // `a `button`` -> `or `buttons``: the key is plural, drop the article.
                let trimmed = before
                    .strip_suffix(" an ")
                    .or_else(|| before.strip_suffix(" a "))
                    .map(|b| format!("{b} "));
                out.push_str(trimmed.as_deref().unwrap_or(before));
            } else {
                out.push_str(before);
            }
            out.push('`');
            out.push_str(&json);
            out.push('`');
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A lone block keyword names the JSON key that holds it.
fn word(w: &str) -> String {
    match w {
        "button" => "buttons",
        "element" => "elements",
        "adjustment" => "adjustments",
        "quick_reply" => "quick_replies",
        other => other,
    }
    .to_string()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Str(&'a str),
    Dots,
    Punct(char),
}

fn tokens(s: &str) -> Option<Vec<Tok<'_>>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b' ' {
            i += 1;
        } else if s[i..].starts_with("...") {
            out.push(Tok::Dots);
            i += 3;
        } else if matches!(c, b':' | b'{' | b'}' | b',') {
            out.push(Tok::Punct(c as char));
            i += 1;
        } else if c == b'"' {
            let end = s[i + 1..].find('"')? + i + 2;
            out.push(Tok::Str(&s[i..end]));
            i = end;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-' {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'-'))
            {
                i += 1;
            }
            out.push(Tok::Word(&s[start..i]));
        } else {
            return None;
        }
    }
    Some(out)
}

/// A missive snippet of fields and blocks as JSON, or `None` when it is not one.
fn snippet_json(s: &str) -> Option<String> {
    if !s.contains(':') && !s.contains('{') {
        return None;
    }
    let toks = tokens(s)?;
    let mut p = Parser { toks, i: 0 };
    let items = p.items()?;
    if p.i != p.toks.len() || items.is_empty() {
        return None;
    }
    // One item of a list: the object, and the array it goes in.
    if let [one] = items.as_slice() {
        if let Some((key, object)) = one.split_once(": [") {
            return Some(format!("{}` in `{key}", object.trim_end_matches(']')));
        }
    }
    Some(items.join(", "))
}

struct Parser<'a> {
    toks: Vec<Tok<'a>>,
    i: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<Tok<'_>> {
        let t = self.toks.get(self.i)?.clone();
        self.i += 1;
        Some(t)
    }

    fn peek(&self) -> Option<&Tok<'_>> {
        self.toks.get(self.i)
    }

    /// Fields and blocks up to a `}` or the end, separated by commas.
    fn items(&mut self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::Punct('}')) => return Some(out),
                Some(Tok::Punct(',')) => {
                    self.i += 1;
                }
                Some(Tok::Dots) => {
                    self.i += 1;
                    out.push("...".to_string());
                }
                Some(Tok::Word(_)) => out.push(self.item()?),
                _ => return None,
            }
        }
    }

    fn item(&mut self) -> Option<String> {
        let Some(Tok::Word(name)) = self.next() else {
            return None;
        };
        let name = name.to_string();
        match self.next()? {
            Tok::Punct(':') => {
                let value = match self.next()? {
                    Tok::Str(s) => s.to_string(),
                    Tok::Dots => example(&name).to_string(),
                    Tok::Word(w) if w.parse::<f64>().is_ok() || w == "true" || w == "false" => {
                        w.to_string()
                    }
                    Tok::Word(_) => example(&name).to_string(),
                    Tok::Punct(_) => return None,
                };
                Some(format!("\"{name}\": {value}"))
            }
            Tok::Punct('{') => {
                let inner = self.block_body()?;
                Some(block(&name, None, &inner))
            }
            Tok::Word(label) => {
                let label = label.to_string();
                if self.next()? != Tok::Punct('{') {
                    return None;
                }
                let inner = self.block_body()?;
                Some(block(&name, Some(&label), &inner))
            }
            _ => None,
        }
    }

    fn block_body(&mut self) -> Option<Vec<String>> {
        let inner = self.items()?;
        (self.next()? == Tok::Punct('}')).then_some(inner)
    }
}

/// A block as the JSON that holds it: a list's item in its array, an object under its key.
fn block(kind: &str, label: Option<&str>, inner: &[String]) -> String {
    let mut members: Vec<String> = Vec::new();
    match (kind, label) {
        ("button", Some(t)) => members.push(format!("\"type\": \"{t}\"")),
        ("quick_reply", Some(t)) => members.push(format!("\"content_type\": \"{t}\"")),
        _ => {}
    }
    members.extend(inner.iter().cloned());
    let object = format!("{{ {} }}", members.join(", "));
    match kind {
        "button" | "element" | "adjustment" | "quick_reply" => {
            format!("\"{}\": [{object}]", word(kind))
        }
        _ => format!("\"{kind}\": {object}"),
    }
}

/// A value to show for a field whose help gives none: a JSON value of its kind.
fn example(name: &str) -> &'static str {
    match name {
        "quantity" => "1",
        "price" | "amount" | "subtotal" | "shipping_cost" | "total_tax" | "total_cost" => "56.14",
        "currency" => "\"USD\"",
        "sharable" | "is_reusable" | "messenger_extensions" => "true",
        "url" | "image_url" | "order_url" | "fallback_url" => "\"https://...\"",
        "payload" => "\"...\"",
        _ => "\"...\"",
    }
}

#[cfg(test)]
mod tests {
    use super::help;

    #[test]
    fn fields_and_blocks_become_json() {
        assert_eq!(help("add `currency: ...`"), "add `\"currency\": \"USD\"`");
        assert_eq!(
            help("a button type with a similar name exists: `postback` (`button postback`)"),
            "a button type with a similar name exists: `postback` (`\"type\": \"postback\"`)"
        );
        assert_eq!(
            help("write it in quotes: `title: \"42\"`"),
            "write it in quotes: `\"title\": \"42\"`"
        );
        assert_eq!(
            help("add `button web_url { title: ..., url: ... }`, or `for x in list { button postback { ... } }`"),
            "add `{ \"type\": \"web_url\", \"title\": \"...\", \"url\": \"https://...\" }` in `\"buttons\"`"
        );
        assert_eq!(
            help("add `summary { total_cost: ... }`"),
            "add `\"summary\": { \"total_cost\": 56.14 }`"
        );
        assert_eq!(
            help("add a `subtitle`, an `image_url`, a `default_action` or a `button`: Facebook refuses title-only elements"),
            "add a `subtitle`, an `image_url`, a `default_action` or `buttons`: Facebook refuses title-only elements"
        );
    }

    #[test]
    fn other_snippets_stay_as_written() {
        let h = "write a full URL such as `https://shop.example/item/100`";
        assert_eq!(help(h), h);
        assert_eq!(help("shorten `title` to 80"), "shorten `title` to 80");
        let h = "remove the extra `element`s, or send them in another notification";
        assert_eq!(help(h), h);
    }
}
