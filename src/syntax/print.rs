//! Printing: a syntax tree -> `.missive` source in the canonical layout (two-space indents, one
//! field per line, a blank line between top-level items). Used by `import`; the formatter will
//! reuse it.

use super::ast::*;

/// Prints a file.
pub fn print(file: &File) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
    };
    let mut previous: Option<&Item> = None;
    for item in &file.items {
        // Header lines stay together; everything else is separated by a blank line.
        let headers = |i: &Item| matches!(i, Item::Command(c) if matches!(c.name.name.as_str(), "messaging_type" | "tag" | "customer_id"));
        if let Some(prev) = previous {
            if !(headers(prev) && headers(item)) {
                p.out.push('\n');
            }
        }
        p.item(item);
        previous = Some(item);
    }
    p.out
}

struct Printer {
    out: String,
    indent: usize,
}

impl Printer {
    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn items(&mut self, items: &[Item]) {
        self.indent += 1;
        for item in items {
            self.item(item);
        }
        self.indent -= 1;
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Field(f) => self.line(&format!("{}: {}", f.name.name, value(&f.value))),
            Item::Command(c) => {
                let args: Vec<String> = c.args.iter().map(value).collect();
                self.line(&format!("{} {}", c.name.name, args.join(" ")));
            }
            Item::Block(b) => {
                let head = match &b.label {
                    Some(l) => format!("{} {}", b.kind.name, l.name),
                    None => b.kind.name.clone(),
                };
                if b.items.is_empty() {
                    self.line(&format!("{head} {{}}"));
                } else {
                    self.line(&format!("{head} {{"));
                    self.items(&b.items);
                    self.line("}");
                }
            }
            Item::For(f) => {
                self.line(&format!("for {} in {} {{", f.var.name, f.iterable.dotted()));
                self.items(&f.items);
                self.line("}");
            }
            Item::If(i) => {
                for (n, b) in i.branches.iter().enumerate() {
                    let head = if n == 0 { "if" } else { "} else if" };
                    self.line(&format!("{head} {} {{", b.condition.text));
                    self.items(&b.items);
                }
                if let Some(items) = &i.otherwise {
                    self.line("} else {");
                    self.items(items);
                }
                self.line("}");
            }
            Item::Input(_) | Item::Error(_) => {}
            Item::Extra(e) => {
                self.line("extra {");
                self.indent += 1;
                for m in &e.members {
                    self.member(m);
                }
                self.indent -= 1;
                self.line("}");
            }
        }
    }

    fn member(&mut self, m: &JsonMember) {
        self.json_lines(&format!("{}: ", quote(&m.key)), &m.value);
    }

    /// A JSON value after `prefix` (a key, or nothing in an array): objects and arrays over
    /// several lines, one member or item a line.
    fn json_lines(&mut self, prefix: &str, v: &JsonValue) {
        match v {
            JsonValue::Object(members, _) if !members.is_empty() => {
                self.line(&format!("{prefix}{{"));
                self.indent += 1;
                for m in members {
                    self.member(m);
                }
                self.indent -= 1;
                self.line("}");
            }
            JsonValue::Array(items, _) if !items.is_empty() => {
                self.line(&format!("{prefix}["));
                self.indent += 1;
                for v in items {
                    self.json_lines("", v);
                }
                self.indent -= 1;
                self.line("]");
            }
            v => self.line(&format!("{prefix}{}", json(v))),
        }
    }
}

/// A scalar or empty JSON value, on one line.
fn json(v: &JsonValue) -> String {
    match v {
        JsonValue::Object(..) => "{}".into(),
        JsonValue::Array(..) => "[]".into(),
        JsonValue::Str(s) => str_lit(s),
        JsonValue::Number(n, _) => n.clone(),
        JsonValue::Bool(b, _) => b.to_string(),
        JsonValue::Null(_) => "null".into(),
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Str(s) => str_lit(s),
        Value::Number(n, _) => n.clone(),
        Value::Bool(b, _) => b.to_string(),
        Value::Null(_) => "null".into(),
        Value::Path(p) => p.dotted(),
    }
}

/// A string literal, its interpolations kept and its literal text escaped.
fn str_lit(s: &StrLit) -> String {
    let mut out = String::from("\"");
    for part in &s.parts {
        match part {
            StrPart::Lit { text, .. } => out.push_str(&escape(text)),
            StrPart::Expr { src, .. } => {
                out.push_str("{{");
                out.push_str(src);
                out.push_str("}}");
            }
            StrPart::Stmt { src, .. } => {
                out.push_str("{%");
                out.push_str(src);
                out.push_str("%}");
            }
            StrPart::Comment { .. } => {}
        }
    }
    out.push('"');
    out
}

/// Literal text inside `"..."`: quotes, backslashes, control characters and braces escaped, so
/// that text is never read as an interpolation.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '{' => out.push_str("\\{"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn quote(key: &str) -> String {
    format!("\"{}\"", escape(key))
}
