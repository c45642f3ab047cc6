//! Printing: a syntax tree -> `.missive` source in the canonical layout: two-space indents, one
//! field a line, `extra` JSON one member a line with trailing commas. Two users: `import` prints
//! a tree it built (no source text, no comments); the formatter prints a parsed tree with its
//! source, copying every literal as written and putting every comment back.

use super::ast::*;
use crate::span::Span;

/// The widest line on which a short block may stay on one line.
pub const WIDTH: usize = 100;

/// Prints a tree that has no source text (import): literals are written from their values, and
/// header lines (`customer_id`, `messaging_type`, `tag`) stay together, other top-level items
/// get a blank line between them.
pub fn print(file: &File) -> String {
    Printer::new(None, &[]).file(file)
}

/// Prints a parsed tree in the canonical layout; `source` is the text it was parsed from.
/// Literals (strings, numbers, paths, conditions, JSON keys) are copied as written, `"""` texts
/// re-indented without changing their content, comments put back where they were (a comment
/// after code stays at the end of its line), blank lines between items kept (at most one), and
/// a block of fields written on one line stays on one line if it fits in [`WIDTH`] columns.
pub fn layout(file: &File, source: &str) -> String {
    Printer::new(Some(source), &file.comments).file(file)
}

/// The members of a JSON object, or the items of an array.
#[derive(Clone, Copy)]
enum Container<'b> {
    Object(&'b [JsonMember]),
    Array(&'b [JsonValue]),
}

/// An output line: its text (indentation included) and the comment that ends it.
#[derive(Default)]
struct Line {
    text: String,
    comment: Option<String>,
}

struct Printer<'a> {
    /// The source text, when printing a parsed tree.
    src: Option<&'a str>,
    comments: &'a [Comment],
    /// The next comment to place.
    next: usize,
    /// The end of the last piece of source placed: blank lines are counted from there.
    last: usize,
    lines: Vec<Line>,
    /// The text of the lines already let go of, when printing a tree without comments
    /// (import): no comment is ever aligned over them, so every line but the last non-empty one
    /// (and the blank lines after it) is written here at once, not held as a line of its own (a
    /// payload of 10 MB prints 300,000 lines, which took 50 MB held).
    done: Option<String>,
    indent: usize,
    /// Right after an opening line (or at the top of the file): no blank line here.
    fresh: bool,
}

impl<'a> Printer<'a> {
    fn new(src: Option<&'a str>, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            src,
            comments,
            next: 0,
            last: 0,
            lines: Vec::new(),
            done: src.is_none().then(String::new),
            indent: 0,
            fresh: true,
        }
    }

    fn file(mut self, file: &File) -> String {
        let header = |i: &Item| matches!(i, Item::Command(c) if matches!(c.name.name.as_str(), "messaging_type" | "tag" | "customer_id"));
        let mut previous: Option<&Item> = None;
        for item in &file.items {
            if let (None, Some(prev)) = (self.src, previous) {
                if !(header(prev) && header(item)) {
                    self.blank();
                }
            }
            self.item(item);
            previous = Some(item);
        }
        self.comments_before(usize::MAX);
        while self.lines.last().is_some_and(|l| l.text.is_empty()) {
            self.lines.pop();
        }
        match self.done {
            Some(mut out) => {
                render_to(&mut out, &self.lines);
                out
            }
            None => render(&self.lines),
        }
    }

    /// Adds a line without a comment. A line with text lets the ones before it go into
    /// `done`, when lines are let go of (they are never the file's last, which are dropped
    /// when blank).
    fn add(&mut self, text: String) {
        if let Some(done) = &mut self.done {
            if !text.is_empty() {
                render_to(done, &self.lines);
                self.lines.clear();
            }
        }
        self.lines.push(Line {
            text,
            comment: None,
        });
    }

    // -----------------------------------------------------------------------------------------
    // Lines, blank lines and comments

    /// Pushes `text` at the current indentation. Lines after the first (those of a `"""` text)
    /// are pushed as they are.
    fn push(&mut self, text: &str) {
        let mut segments = text.split('\n');
        let first = segments.next().unwrap_or_default();
        let text = if first.is_empty() {
            String::new()
        } else {
            format!("{}{first}", "  ".repeat(self.indent))
        };
        self.add(text);
        for s in segments {
            self.add(s.to_string());
        }
        self.fresh = false;
    }

    /// Pushes a line that opens a body (`element {`), its comment, and indents.
    fn open(&mut self, text: &str, brace: usize) {
        self.push(text);
        self.trailing(brace + 1);
        self.indent += 1;
        self.fresh = true;
    }

    /// Puts back the comments left before the closing brace at `brace`, dedents and pushes
    /// `text` (`}`), ending at source offset `end`.
    fn close(&mut self, brace: usize, text: &str, end: usize) {
        self.comments_before(brace);
        self.indent -= 1;
        self.push(text);
        self.trailing(end);
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.text.is_empty()) {
            self.lines.push(Line::default());
        }
    }

    /// A blank line before what starts at `at`, if the source has one there.
    fn blank_before(&mut self, at: usize) {
        let Some(src) = self.src else { return };
        if !self.fresh && self.last < at && src[self.last..at].matches('\n').nth(1).is_some() {
            self.blank();
        }
    }

    /// Puts the comments that start before `at` on lines of their own.
    fn comments_before(&mut self, at: usize) {
        while let Some(c) = self.comments.get(self.next) {
            let start = c.span.start as usize;
            if start >= at {
                break;
            }
            self.blank_before(start);
            self.push(c.text.trim_end());
            self.last = c.span.end as usize;
            self.next += 1;
        }
    }

    /// After a line whose source ends at `end`: a comment further on the same source line, with
    /// nothing but separators before it, goes at the end of the printed line.
    fn trailing(&mut self, end: usize) {
        self.last = self.last.max(end);
        let (Some(src), Some(c)) = (self.src, self.comments.get(self.next)) else {
            return;
        };
        let start = c.span.start as usize;
        if start >= end
            && src[end..start]
                .chars()
                .all(|ch| matches!(ch, ' ' | '\t' | ','))
        {
            if let Some(line) = self.lines.last_mut() {
                line.comment = Some(c.text.trim_end().to_string());
            }
            self.last = c.span.end as usize;
            self.next += 1;
        }
    }

    /// Whether the source of `span` is on one line with no comment in it (a parsed tree only).
    fn one_line(&self, span: Span) -> bool {
        self.src
            .is_some_and(|src| !src[span.range()].contains('\n') && !self.has_comment(span))
    }

    /// Whether a comment not yet placed starts inside `span` (comments are in source order).
    fn has_comment(&self, span: Span) -> bool {
        let rest = &self.comments[self.next.min(self.comments.len())..];
        let i = rest.partition_point(|c| c.span.start < span.start);
        rest.get(i).is_some_and(|c| c.span.start < span.end)
    }

    fn fits(&self, text: &str) -> bool {
        self.indent * 2 + text.chars().count() <= WIDTH
    }

    /// The offset of the `{` at or after `at` (a parsed tree only).
    fn brace_after(&self, at: usize) -> usize {
        self.src
            .and_then(|src| src.get(at..)?.find('{'))
            .map_or(at, |i| at + i)
    }

    // -----------------------------------------------------------------------------------------
    // Items

    fn item(&mut self, item: &Item) {
        let span = item.span();
        self.comments_before(span.start as usize);
        self.blank_before(span.start as usize);
        match item {
            Item::Field(f) => self.inline(&self.field(f), f.span),
            Item::Command(c) => {
                let mut text = c.name.name.clone();
                for a in &c.args {
                    text.push(' ');
                    text.push_str(&self.value(a));
                }
                self.inline(&text, c.span);
            }
            Item::Block(b) => {
                let head = match &b.label {
                    Some(l) => format!("{} {}", b.kind.name, l.name),
                    None => b.kind.name.to_string(),
                };
                let after = b.label.as_ref().unwrap_or(&b.kind).span.end as usize;
                let fields = b.items.iter().all(|i| matches!(i, Item::Field(_)));
                self.braced(&head, &b.items, b.span, after, fields);
            }
            Item::For(f) => {
                let head = format!("for {} in {}", f.var.name, self.path(&f.iterable));
                self.braced(&head, &f.items, f.span, f.iterable.span.end as usize, false);
            }
            Item::If(i) => self.if_chain(i),
            Item::Input(input) => self.input(input),
            Item::Extra(e) => {
                let brace = self.brace_after(e.span.start as usize);
                let span = Span::new(brace, e.span.end as usize);
                self.json_container("extra ", Container::Object(&e.members), span, "");
            }
            Item::Error(span) => {
                if let Some(src) = self.src {
                    self.inline(src[span.range()].trim_end(), *span);
                }
            }
            // Only a payload's check makes pending items, and it prints no tree: the import
            // that prints one builds its lists whole.
            Item::Pending(_) => debug_assert!(false, "a pending list is never printed"),
        }
    }

    /// An item printed on one line; comments inside it (there can only be some between a JSON
    /// key and its value) go before it.
    fn inline(&mut self, text: &str, span: Span) {
        self.comments_before(span.end as usize);
        self.push(text);
        self.trailing(span.end as usize);
    }

    /// `head { items }`: on one line if `fields_only`, written so and short enough, else one
    /// item a line. `after` is where to look for the `{`.
    fn braced(&mut self, head: &str, items: &[Item], span: Span, after: usize, fields_only: bool) {
        let brace = self.brace_after(after);
        let body = Span::new(brace, span.end as usize);
        if items.is_empty() && !self.has_comment(body) {
            return self.inline(&format!("{head} {{}}"), span);
        }
        if fields_only && self.one_line(body) {
            let inner: Vec<String> = items
                .iter()
                .filter_map(|i| match i {
                    Item::Field(f) => Some(self.field(f)),
                    _ => None,
                })
                .collect();
            let text = format!("{head} {{ {} }}", inner.join(", "));
            if self.fits(&text) {
                return self.inline(&text, span);
            }
        }
        self.open(&format!("{head} {{"), brace);
        for item in items {
            self.item(item);
        }
        let end = span.end as usize;
        self.close(end.saturating_sub(1), "}", end);
    }

    fn if_chain(&mut self, i: &If) {
        for (n, b) in i.branches.iter().enumerate() {
            let head = if n == 0 { "if" } else { "} else if" };
            if n > 0 {
                self.indent -= 1;
            }
            self.open(
                &format!("{head} {} {{", b.condition.text),
                b.body.start as usize,
            );
            for item in &b.items {
                self.item(item);
            }
            // Comments between this body's `}` and the next `else` go before the `}`.
            let next = match (i.branches.get(n + 1), i.otherwise_body) {
                (Some(next), _) => next.body.start as usize,
                (None, Some(body)) => body.start as usize,
                (None, None) => (b.body.end as usize).saturating_sub(1),
            };
            self.comments_before(next);
        }
        if let Some(items) = &i.otherwise {
            self.indent -= 1;
            let brace = i.otherwise_body.map_or(0, |b| b.start as usize);
            self.open("} else {", brace);
            for item in items {
                self.item(item);
            }
        }
        let end = i.span.end as usize;
        self.close(end.saturating_sub(1), "}", end);
    }

    // -----------------------------------------------------------------------------------------
    // `input`

    fn input(&mut self, input: &Input) {
        let brace = self.brace_after(input.span.start as usize);
        let body = Span::new(brace, input.span.end as usize);
        if let Some(t) = self.object_inline(&input.decls, body) {
            let text = format!("input {t}");
            if self.fits(&text) {
                return self.inline(&text, input.span);
            }
        }
        self.open("input {", brace);
        for d in &input.decls {
            self.decl(d);
        }
        let end = input.span.end as usize;
        self.close(end.saturating_sub(1), "}", end);
    }

    fn decl(&mut self, d: &Decl) {
        self.comments_before(d.span.start as usize);
        self.blank_before(d.span.start as usize);
        let prefix = format!("{}{}: ", d.name.name, if d.optional { "?" } else { "" });
        if let Some(t) = self.type_inline(&d.ty) {
            let text = format!("{prefix}{t}");
            if self.fits(&text) {
                return self.inline(&text, d.span);
            }
        }
        self.type_lines(prefix, &d.ty, d.span.end as usize);
    }

    /// A type that does not fit on its line: its object (the first one, after any `list of`)
    /// one declaration a line.
    fn type_lines(&mut self, prefix: String, ty: &TypeExpr, end: usize) {
        match ty {
            TypeExpr::Scalar { .. } => {
                let text = format!("{prefix}{}", self.scalar(ty));
                self.push(&text);
                self.trailing(end);
            }
            TypeExpr::List { max, item, .. } => {
                let prefix = format!("{prefix}list {}of ", self.max(max));
                self.type_lines(prefix, item, end);
            }
            TypeExpr::Object { decls, span } => {
                self.open(&format!("{prefix}{{"), span.start as usize);
                for d in decls {
                    self.decl(d);
                }
                let end = span.end as usize;
                self.close(end.saturating_sub(1), "}", end);
            }
        }
    }

    fn type_inline(&self, ty: &TypeExpr) -> Option<String> {
        match ty {
            TypeExpr::Scalar { .. } => Some(self.scalar(ty)),
            TypeExpr::List { max, item, .. } => Some(format!(
                "list {}of {}",
                self.max(max),
                self.type_inline(item)?
            )),
            TypeExpr::Object { decls, span } => self.object_inline(decls, *span),
        }
    }

    /// `{ name: T, ... }` on one line, if it was written so (or is empty) with no comment.
    fn object_inline(&self, decls: &[Decl], span: Span) -> Option<String> {
        if decls.is_empty() && !self.has_comment(span) {
            return Some("{}".into());
        }
        if !self.one_line(span) {
            return None;
        }
        let inner = decls
            .iter()
            .map(|d| {
                let t = self.type_inline(&d.ty)?;
                Some(format!(
                    "{}{}: {t}",
                    d.name.name,
                    if d.optional { "?" } else { "" }
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(format!("{{ {} }}", inner.join(", ")))
    }

    fn scalar(&self, ty: &TypeExpr) -> String {
        match ty {
            TypeExpr::Scalar {
                name,
                range: Some(r),
                ..
            } => format!("{} {}..{}", name.name, r.min, r.max),
            TypeExpr::Scalar { name, max, .. } => format!("{} {}", name.name, self.max(max))
                .trim_end()
                .to_string(),
            _ => String::new(),
        }
    }

    /// `max N ` (with its space), or nothing.
    fn max(&self, max: &Option<Max>) -> String {
        match (max, self.src) {
            (Some(m), Some(src)) => format!("max {} ", &src[m.span.range()]),
            (Some(m), None) => format!("max {} ", m.value),
            (None, _) => String::new(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // `extra` JSON

    /// A JSON value after `prefix` (a key, or nothing in an array), followed by `suffix`.
    fn json(&mut self, prefix: &str, v: &JsonValue, suffix: &str) {
        match v {
            JsonValue::Object(members, span) => {
                self.json_container(prefix, Container::Object(members), *span, suffix)
            }
            JsonValue::Array(items, span) => {
                self.json_container(prefix, Container::Array(items), *span, suffix)
            }
            v => {
                let text = format!("{prefix}{}{suffix}", self.json_scalar(v));
                self.inline(&text, json_span(v));
            }
        }
    }

    /// An object or array: on one line if written so and short enough, else one member or item
    /// a line, each followed by a comma. `span` runs from its opening to its closing bracket.
    fn json_container(&mut self, prefix: &str, c: Container<'_>, span: Span, suffix: &str) {
        if let Some(t) = self.container_inline(c, span) {
            let text = format!("{prefix}{t}{suffix}");
            if self.fits(&text) {
                return self.inline(&text, span);
            }
        }
        let (open, close) = match c {
            Container::Object(_) => ("{", "}"),
            Container::Array(_) => ("[", "]"),
        };
        self.open(&format!("{prefix}{open}"), span.start as usize);
        match c {
            Container::Object(members) => {
                for m in members {
                    self.comments_before(m.key_span.start as usize);
                    self.blank_before(m.key_span.start as usize);
                    let key = self.json_key(m);
                    self.json(&format!("{key}: "), &m.value, ",");
                }
            }
            Container::Array(items) => {
                for item in items {
                    let start = json_span(item).start as usize;
                    self.comments_before(start);
                    self.blank_before(start);
                    self.json("", item, ",");
                }
            }
        }
        let end = span.end as usize;
        self.close(end.saturating_sub(1), &format!("{close}{suffix}"), end);
    }

    /// A JSON value on one line, if it was written so (or is empty) with no comment in it.
    fn json_inline(&self, v: &JsonValue) -> Option<String> {
        match v {
            JsonValue::Object(members, span) => {
                self.container_inline(Container::Object(members), *span)
            }
            JsonValue::Array(items, span) => self.container_inline(Container::Array(items), *span),
            v => Some(self.json_scalar(v)),
        }
    }

    fn container_inline(&self, c: Container<'_>, span: Span) -> Option<String> {
        let empty = match c {
            Container::Object(members) => members.is_empty(),
            Container::Array(items) => items.is_empty(),
        };
        if empty && !self.has_comment(span) {
            return Some(match c {
                Container::Object(_) => "{}".into(),
                Container::Array(_) => "[]".into(),
            });
        }
        if !self.one_line(span) {
            return None;
        }
        Some(match c {
            Container::Object(members) => {
                let inner = members
                    .iter()
                    .map(|m| {
                        Some(format!(
                            "{}: {}",
                            self.json_key(m),
                            self.json_inline(&m.value)?
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?;
                format!("{{ {} }}", inner.join(", "))
            }
            Container::Array(items) => {
                let inner = items
                    .iter()
                    .map(|i| self.json_inline(i))
                    .collect::<Option<Vec<_>>>()?;
                format!("[{}]", inner.join(", "))
            }
        })
    }

    fn json_key(&self, m: &JsonMember) -> String {
        match self.src {
            Some(src) => src[m.key_span.range()].to_string(),
            None => quote(&m.key),
        }
    }

    fn json_scalar(&self, v: &JsonValue) -> String {
        match v {
            JsonValue::Object(..) => "{}".into(),
            JsonValue::Array(..) => "[]".into(),
            JsonValue::Str(s) => self.string(s),
            JsonValue::Number(n, _) => n.clone(),
            JsonValue::Bool(b, _) => b.to_string(),
            JsonValue::Null(_) => "null".into(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Values

    fn field(&self, f: &Field) -> String {
        format!("{}: {}", f.name.name, self.value(&f.value))
    }

    fn value(&self, v: &Value) -> String {
        match v {
            Value::Str(s) => self.string(s),
            Value::Number(n, _) => n.clone(),
            Value::Bool(b, _) => b.to_string(),
            Value::Null(_) => "null".into(),
            Value::Path(p) => self.path(p),
        }
    }

    fn path(&self, p: &Path) -> String {
        match self.src {
            Some(src) => src[p.span.range()].to_string(),
            None => p.dotted(),
        }
    }

    /// A string literal: as written (a `"""` text re-indented one level deeper than its line),
    /// or, without source, from its parts.
    fn string(&self, s: &StrLit) -> String {
        let Some(src) = self.src else {
            return str_lit(s);
        };
        let raw = &src[s.span.range()];
        match raw
            .strip_prefix("\"\"\"")
            .and_then(|r| r.strip_suffix("\"\"\""))
        {
            Some(inner) if s.block => reindent_block(inner, &"  ".repeat(self.indent + 1)),
            _ => raw.to_string(),
        }
    }
}

/// The text of a `"""` block (between the triple quotes) with its closing indentation replaced
/// by `indent`: each line loses what the parser strips (the closing line's indentation, or all
/// of its leading blanks if it does not start with it) and gains `indent`, so the text the
/// parser reads back is unchanged.
fn reindent_block(inner: &str, indent: &str) -> String {
    let lines: Vec<&str> = inner
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let old = lines.last().copied().unwrap_or_default();
    let mut out = String::from("\"\"\"\n");
    for line in lines.iter().skip(1).take(lines.len().saturating_sub(2)) {
        let rest = match line.strip_prefix(old) {
            Some(rest) => rest,
            None => line.trim_start_matches([' ', '\t']),
        };
        if !rest.is_empty() {
            out.push_str(indent);
            out.push_str(rest);
        }
        out.push('\n');
    }
    out.push_str(indent);
    out.push_str("\"\"\"");
    out
}

/// The lines joined, runs of end-of-line comments at one indentation aligned two spaces after
/// the longest line of the run.
fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    render_to(&mut out, lines);
    out
}

/// [`render`], appended to `out`.
fn render_to(out: &mut String, lines: &[Line]) {
    let indent = |l: &Line| l.text.len() - l.text.trim_start_matches(' ').len();
    let width = |l: &Line| l.text.chars().count();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].comment.is_none() {
            // Not trimmed: trailing blanks on a line of a `"""` text are part of the text.
            out.push_str(&lines[i].text);
            out.push('\n');
            i += 1;
            continue;
        }
        let run = lines[i..]
            .iter()
            .take_while(|l| l.comment.is_some() && indent(l) == indent(&lines[i]))
            .count();
        let column = lines[i..i + run].iter().map(width).max().unwrap_or(0) + 2;
        for l in &lines[i..i + run] {
            out.push_str(&l.text);
            out.extend(std::iter::repeat_n(' ', column - width(l)));
            out.push_str(l.comment.as_deref().unwrap_or_default());
            out.push('\n');
        }
        i += run;
    }
}

fn json_span(v: &JsonValue) -> Span {
    match v {
        JsonValue::Object(_, s)
        | JsonValue::Array(_, s)
        | JsonValue::Number(_, s)
        | JsonValue::Bool(_, s)
        | JsonValue::Null(s) => *s,
        JsonValue::Str(s) => s.span,
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
/// that text is never read as an interpolation; bidirectional controls too, which a payload
/// wrote escaped (`\u202e`) and a template would otherwise show raw (Trojan Source, M4013).
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
            c if c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn quote(key: &str) -> String {
    format!("\"{}\"", escape(key))
}
