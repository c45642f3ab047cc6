//! What is at a position of a template: the blocks and loops around it, the scope of variables
//! there, and from those the completions, hover text and definitions. Everything reuses the
//! checker's tables (`schema`), types (`types`) and worst-case lengths (`bounds`), on the tree
//! the parser built (which exists, with spans, even for a broken file).

use std::sync::Arc;

use crate::check::bounds::{self, Bound, Unbounded};
use crate::model::profile::{LimitKey, Profile};
use crate::model::schema::{self, BlockKind, BlockSpec, FieldSpec, Kind};
use crate::model::types::{self, ObjTy, Scope, Ty};
use crate::span::Span;
use crate::syntax::ast::{self, Item, StrLit, StrPart, Value};

/// A template's tree and its declared inputs, ready for questions about positions.
pub struct Analysis<'a> {
    pub text: &'a str,
    pub file: &'a ast::File,
    pub root: Arc<ObjTy>,
}

/// Where a position is in the tree.
#[derive(Default)]
pub struct Cursor<'a> {
    /// Blocks whose body (between the braces) holds the position, outermost first.
    pub blocks: Vec<&'a ast::Block>,
    /// `for` loops whose body holds the position, outermost first.
    pub fors: Vec<&'a ast::For>,
    /// The `input { }` block, when the position is inside it.
    pub input: Option<&'a ast::Input>,
    /// The innermost item whose span holds the position.
    pub item: Option<&'a Item>,
}

/// What to complete at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// A field or block name in the enclosing block (or a top-level word).
    Name,
    /// An input path: the segments before the one being typed.
    Path(Vec<String>),
    /// The type of a button, after `button`.
    ButtonType,
    /// The `content_type` of a quick reply, after `quick_reply`.
    QuickReplyType,
    /// A type in `input { }`, after `name:`.
    Type,
    /// One of the strings a field accepts, in its quotes: `image_aspect_ratio: "sq`.
    Choice(Vec<&'static str>),
    /// Nothing to offer (plain text in a string, a comment...).
    Nothing,
}

/// A completion: label, what it is, and the text to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: String,
    pub insert: String,
    /// The same as an LSP snippet (`$0` the cursor, `${1:name}` placeholders), for clients that
    /// take snippets: blocks come with their braces.
    pub snippet: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Field,
    Block,
    Keyword,
    Variable,
    Type,
    Value,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The dotted word that ends at `offset`: `order.ite|` gives (["order"], "ite").
pub fn word_before(text: &str, offset: usize) -> (Vec<String>, String) {
    let before = &text[..offset.min(text.len())];
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_ident_char(c) || c == '.')
        .last()
        .map_or(before.len(), |(i, _)| i);
    let word = &before[start..];
    let mut segments: Vec<String> = word.split('.').map(str::to_string).collect();
    let partial = segments.pop().unwrap_or_default();
    (segments, partial)
}

/// The dotted path around `offset` as segments with spans, and the index of the segment that
/// holds `offset`.
pub fn path_at(text: &str, offset: usize) -> Option<(Vec<(String, Span)>, usize)> {
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_ident_char(c) || c == '.')
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !(is_ident_char(c) || c == '.'))
        .map_or(text.len(), |(i, _)| offset + i);
    if start == end {
        return None;
    }
    let mut segments = Vec::new();
    let mut at = start;
    let mut hovered = None;
    for seg in text[start..end].split('.') {
        let span = Span::new(at, at + seg.len());
        if hovered.is_none() && offset >= span.start as usize && offset <= span.end as usize {
            hovered = Some(segments.len());
        }
        segments.push((seg.to_string(), span));
        at += seg.len() + 1;
    }
    let hovered = hovered?;
    let valid = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    };
    if !segments[..=hovered].iter().all(|(s, _)| valid(s)) {
        return None;
    }
    segments.truncate(hovered + 1);
    Some((segments, hovered))
}

/// Whether the end of `s` is inside an interpolation: `"Hi {{ na` is inside an expression,
/// `"Hi {{ name }} x` is not.
fn open_interpolation(s: &str) -> bool {
    let expr = s.rfind("{{").max(s.rfind("{%"));
    let close = s.rfind("}}").max(s.rfind("%}"));
    match (expr, close) {
        (Some(o), Some(c)) => o > c,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Whether the end of a one-line prefix is inside a `"..."` string, and from where.
fn open_string(prefix: &str) -> Option<usize> {
    let mut open = None;
    let mut chars = prefix.char_indices();
    while let Some((i, c)) = chars.next() {
        match (c, open) {
            ('\\', Some(_)) => {
                chars.next();
            }
            ('"', None) => open = Some(i + 1),
            ('"', Some(_)) => open = None,
            ('/', None) if prefix[i..].starts_with("//") => return None,
            _ => {}
        }
    }
    open
}

/// Where the body of a block starts: after its `{`. (The tree of a file with a `{` left open
/// was parsed with closers appended, so its spans may run past the end of the text.)
fn body_start(text: &str, after: usize, end: usize) -> usize {
    let end = end.min(text.len());
    text.get(after..end)
        .and_then(|s| s.find('{'))
        .map_or(end, |i| after + i + 1)
}

impl<'a> Analysis<'a> {
    /// The analysis of a checked file: its tree, and its input as the checker lowered it.
    pub fn new(text: &'a str, file: &'a ast::File, root: Arc<ObjTy>) -> Analysis<'a> {
        Analysis { text, file, root }
    }

    /// The blocks, loops and item around `offset`.
    pub fn cursor(&self, offset: usize) -> Cursor<'a> {
        let mut c = Cursor::default();
        self.walk(&self.file.items, offset, &mut c);
        c
    }

    fn walk(&self, items: &'a [Item], offset: usize, c: &mut Cursor<'a>) {
        for item in items {
            let span = item.span();
            if offset < span.start as usize || offset > span.end as usize {
                continue;
            }
            c.item = Some(item);
            let inside = |after: usize| {
                let open = body_start(self.text, after, span.end as usize);
                offset >= open && offset < span.end as usize
            };
            match item {
                Item::Block(b) => {
                    let after = b.label.as_ref().map_or(b.kind.span.end, |l| l.span.end);
                    if inside(after as usize) {
                        c.blocks.push(b);
                        self.walk(&b.items, offset, c);
                    }
                }
                Item::For(f) if inside(f.iterable.span.end as usize) => {
                    c.fors.push(f);
                    self.walk(&f.items, offset, c);
                }
                Item::If(i) => {
                    for br in &i.branches {
                        self.walk(&br.items, offset, c);
                    }
                    if let Some(items) = &i.otherwise {
                        self.walk(items, offset, c);
                    }
                }
                Item::Input(inp) if inside(span.start as usize) => c.input = Some(inp),
                _ => {}
            }
            return;
        }
    }

    /// The spec of each enclosing block, outermost first (`None` past an unknown block).
    pub fn specs(&self, blocks: &[&ast::Block]) -> Option<&'static BlockSpec> {
        let mut spec: Option<&'static BlockSpec> = None;
        for (i, b) in blocks.iter().enumerate() {
            let label = b.label.as_ref().map(|l| l.name.as_str());
            spec = if i == 0 {
                match b.kind.name.as_str() {
                    name if schema::MEDIA_ATTACHMENTS.iter().any(|(k, _)| *k == name) => {
                        schema::MEDIA_ATTACHMENTS
                            .iter()
                            .find(|(k, _)| *k == name)
                            .and_then(|(_, kind)| schema::spec(*kind, None))
                    }
                    "quick_replies" => schema::spec(BlockKind::QuickReplies, None),
                    name => schema::ATTACHMENT_BLOCKS
                        .iter()
                        .find(|(k, _, _)| *k == name)
                        .and_then(|(_, kind, _)| schema::spec(*kind, None)),
                }
            } else {
                let child = spec?.children.iter().find(|c| c.keyword == b.kind.name)?;
                schema::spec(child.block, label)
            };
        }
        spec
    }

    /// Input variables and the loop variables of the enclosing `for`s; a loop variable's
    /// declaration is its name in the `for`.
    pub fn locals(&self, fors: &[&ast::For]) -> Vec<(String, Ty, Span)> {
        let mut locals: Vec<(String, Ty, Span)> = Vec::new();
        for f in fors {
            let segs: Vec<(&str, Span)> = f.iterable.segs();
            let scope = Scope {
                root: &self.root,
                locals: locals.clone(),
            };
            let ty = match scope.resolve(&segs).map(|r| r.ty) {
                Ok(Ty::List { item, .. }) => *item,
                _ => Ty::Unknown,
            };
            locals.push((f.var.name.to_string(), ty, f.var.span));
        }
        locals
    }

    // -----------------------------------------------------------------------------------------
    // Completion

    /// What is being typed at `offset`.
    pub fn context(&self, offset: usize) -> Context {
        let offset = offset.min(self.text.len());
        if !self.text.is_char_boundary(offset) {
            return Context::Nothing;
        }
        let (before, partial) = word_before(self.text, offset);
        let word_len = partial.len() + before.iter().map(|s| s.len() + 1).sum::<usize>();
        let word_start = offset - word_len;
        if self.in_comment(word_start) {
            return Context::Nothing;
        }
        let path = || Context::Path(before.clone());
        // A multi-line `"""` text: only its interpolations complete.
        if let Some(s) = self.block_string_at(offset) {
            let from = (s.span.start as usize + 3).min(word_start);
            return if open_interpolation(&self.text[from..word_start]) {
                path()
            } else {
                Context::Nothing
            };
        }
        let line_start = self.text[..word_start].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &self.text[line_start..word_start];
        if let Some(from) = open_string(prefix) {
            if open_interpolation(&prefix[from..]) {
                return path();
            }
            return if before.is_empty() && prefix[from..].is_empty() {
                self.choices(offset, &prefix[..from - 1])
            } else {
                Context::Nothing
            };
        }
        if !before.is_empty() {
            return path();
        }
        let cursor = self.cursor(offset);
        let trimmed = prefix.trim_end();
        if matches!(cursor.item, Some(Item::Extra(_))) || trimmed.trim_start().starts_with('"') {
            // JSON in `extra` (keys in quotes): only its strings' interpolations read variables.
            return Context::Nothing;
        }
        let tokens: Vec<&str> = trimmed.split_whitespace().collect();
        let first = tokens.first().copied().unwrap_or("");
        let last = tokens.last().copied().unwrap_or("");
        if trimmed.ends_with(':') {
            return if cursor.input.is_some() {
                Context::Type
            } else {
                path()
            };
        }
        if cursor.input.is_some() {
            return if last == "of" {
                Context::Type
            } else {
                Context::Nothing
            };
        }
        if trimmed.is_empty() || trimmed.ends_with('{') || trimmed.ends_with(',') {
            return Context::Name;
        }
        if last == "button" {
            return Context::ButtonType;
        }
        if last == "quick_reply" {
            return Context::QuickReplyType;
        }
        if (first == "for" && last == "in")
            || first == "if"
            || (first == "}" && tokens.get(1) == Some(&"else"))
            || first == "else"
        {
            return path();
        }
        if tokens.len() == 1
            && matches!(
                first,
                "text" | "image" | "video" | "audio" | "file" | "customer_id" | "metadata"
            )
        {
            return path();
        }
        Context::Nothing
    }

    /// The strings the field before `"` accepts, when it accepts only some.
    fn choices(&self, offset: usize, before_quote: &str) -> Context {
        let Some(name) = before_quote.trim_end().strip_suffix(':') else {
            return Context::Nothing;
        };
        let name = name.trim_start().trim_start_matches([',', '{', ' ']);
        let name = name.rsplit([' ', ',', '{']).next().unwrap_or(name);
        let cursor = self.cursor(offset);
        let Some(spec) = self.specs(&cursor.blocks) else {
            return Context::Nothing;
        };
        match spec.fields.iter().find(|f| f.name == name).map(|f| f.kind) {
            Some(Kind::Choice(values)) => Context::Choice(values.to_vec()),
            Some(Kind::Currency) => Context::Choice(schema::CURRENCIES.to_vec()),
            _ => Context::Nothing,
        }
    }

    fn in_comment(&self, offset: usize) -> bool {
        self.file
            .comments
            .iter()
            .any(|c| c.span.start as usize <= offset && offset <= c.span.end as usize)
    }

    fn block_string_at(&self, offset: usize) -> Option<&'a StrLit> {
        let cursor = self.cursor(offset);
        let item = cursor.item?;
        strings_of(item).into_iter().find(|s| {
            s.block && (s.span.start as usize) + 3 <= offset && offset < s.span.end as usize
        })
    }

    /// The completions at `offset`.
    pub fn complete(&self, offset: usize, profile: &Profile) -> Vec<Completion> {
        match self.context(offset) {
            Context::Nothing => Vec::new(),
            Context::ButtonType => schema::BUTTON_TYPES
                .iter()
                .map(|t| Completion {
                    label: t.to_string(),
                    kind: CompletionKind::Keyword,
                    detail: "button type".into(),
                    insert: t.to_string(),
                    snippet: None,
                })
                .collect(),
            Context::QuickReplyType => schema::QUICK_REPLY_TYPES
                .iter()
                .map(|t| Completion {
                    label: t.to_string(),
                    kind: CompletionKind::Keyword,
                    detail: "quick reply type".into(),
                    insert: t.to_string(),
                    snippet: None,
                })
                .collect(),
            Context::Type => crate::check::decls::TYPE_NAMES
                .iter()
                .map(|t| Completion {
                    label: t.to_string(),
                    kind: CompletionKind::Type,
                    detail: "type".into(),
                    insert: t.to_string(),
                    snippet: None,
                })
                .collect(),
            Context::Path(before) => self.complete_path(offset, &before),
            Context::Choice(values) => values
                .into_iter()
                .map(|v| Completion {
                    label: v.to_string(),
                    kind: CompletionKind::Value,
                    detail: "accepted value".into(),
                    insert: v.to_string(),
                    snippet: None,
                })
                .collect(),
            Context::Name => self.complete_name(offset, profile),
        }
    }

    fn complete_path(&self, offset: usize, before: &[String]) -> Vec<Completion> {
        let cursor = self.cursor(offset);
        let locals = self.locals(&cursor.fors);
        let variable = |name: &str, ty: &Ty, optional: bool, what: &str| Completion {
            label: name.to_string(),
            kind: CompletionKind::Variable,
            detail: format!(
                "{what}{}: {}",
                if optional { ", optional" } else { "" },
                ty.describe()
            ),
            insert: name.to_string(),
            snippet: None,
        };
        if before.is_empty() {
            let mut out: Vec<Completion> = locals
                .iter()
                .rev()
                .map(|(n, ty, _)| variable(n, ty, false, "loop variable"))
                .collect();
            out.extend(
                self.root
                    .fields
                    .iter()
                    .filter(|f| !locals.iter().any(|(n, _, _)| *n == f.name))
                    .map(|f| variable(&f.name, &f.ty, f.optional, "input")),
            );
            return out;
        }
        let scope = Scope {
            root: &self.root,
            locals,
        };
        let segs: Vec<(&str, Span)> = before
            .iter()
            .map(|s| (s.as_str(), Span::new(offset, offset)))
            .collect();
        match scope.resolve(&segs).map(|r| r.ty) {
            Ok(Ty::Object(obj)) => obj
                .fields
                .iter()
                .map(|f| variable(&f.name, &f.ty, f.optional, "field"))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn complete_name(&self, offset: usize, profile: &Profile) -> Vec<Completion> {
        let cursor = self.cursor(offset);
        let keyword = |w: &str, detail: &str, insert: &str| Completion {
            label: w.to_string(),
            kind: CompletionKind::Keyword,
            detail: detail.to_string(),
            insert: insert.to_string(),
            snippet: Some(snippet(w)),
        };
        let Some(block) = cursor.blocks.last() else {
            if cursor.fors.is_empty() {
                let given: Vec<&str> = self
                    .file
                    .items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Command(c) => Some(c.name.name.as_str()),
                        Item::Block(b) => Some(b.kind.name.as_str()),
                        Item::Input(_) => Some("input"),
                        _ => None,
                    })
                    .collect();
                return schema::TOP_LEVEL_WORDS
                    .iter()
                    .chain(["locales"].iter().filter(|_| !given.contains(&"locales")))
                    .filter(|w| !given.contains(w) || **w == "extra")
                    .map(|w| keyword(w, top_level_detail(w), &format!("{w} ")))
                    .chain(
                        [("if", "condition"), ("for", "loop")]
                            .map(|(w, d)| keyword(w, d, &format!("{w} "))),
                    )
                    .collect();
            }
            return Vec::new();
        };
        if self.is_localized(&cursor.blocks) {
            return self.complete_locales(block, offset);
        }
        let Some(spec) = self.specs(&cursor.blocks) else {
            return Vec::new();
        };
        let given = given_fields(block, offset);
        let in_loop = cursor
            .fors
            .last()
            .is_some_and(|f| f.span.start > block.span.start);
        let mut out = Vec::new();
        if !in_loop {
            out.extend(
                spec.fields
                    .iter()
                    .filter(|f| !given.contains(&f.name))
                    .map(|f| Completion {
                        label: f.name.to_string(),
                        kind: CompletionKind::Field,
                        detail: field_detail(f, profile),
                        insert: format!("{}: ", f.name),
                        snippet: None,
                    }),
            );
        }
        for c in spec.children {
            let insert = if schema::labelled(c.block).is_some() {
                format!("{} ", c.keyword)
            } else {
                format!("{} {{ ", c.keyword)
            };
            out.push(Completion {
                label: c.keyword.to_string(),
                kind: CompletionKind::Block,
                detail: format!(
                    "{}{}",
                    schema::spec(c.block, schema::labelled(c.block).map(|l| l.labels[0]))
                        .map_or("block", |s| s.what),
                    if c.required { ", required" } else { "" }
                ),
                insert,
                snippet: Some(snippet(c.keyword)),
            });
        }
        if !spec.children.is_empty() {
            out.push(keyword("for", "repeat blocks over a list", "for "));
            out.push(keyword("if", "blocks under a condition", "if "));
        }
        if !in_loop {
            out.push(keyword(
                "extra",
                "Messenger fields missive does not model",
                "extra { ",
            ));
        }
        out
    }

    /// The locales the template declares in `locales { }`: key and tag.
    fn declared_locales(&self) -> Vec<(&'a str, String)> {
        self.file
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Block(b) if b.kind.name == "locales" && b.label.is_none() => Some(b),
                _ => None,
            })
            .flat_map(|b| &b.items)
            .filter_map(|i| match i {
                Item::Field(f) if f.name.name != "from" => match &f.value {
                    Value::Str(s) => Some((f.name.name.as_str(), s.as_literal()?)),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Whether the innermost block is a text per locale: `text { }` at the top level, or a
    /// block named like a field of the block around it (`title { }`).
    fn is_localized(&self, blocks: &[&ast::Block]) -> bool {
        let Some((last, outer)) = blocks.split_last() else {
            return false;
        };
        if last.label.is_some() {
            return false;
        }
        if outer.is_empty() {
            return last.kind.name == "text";
        }
        self.specs(outer).is_some_and(|spec| {
            spec.fields.iter().any(|f| f.name == last.kind.name)
                && !spec.children.iter().any(|c| c.keyword == last.kind.name)
        })
    }

    /// Inside a text per locale: the declared locales it does not give yet.
    fn complete_locales(&self, block: &ast::Block, offset: usize) -> Vec<Completion> {
        let given = given_fields(block, offset);
        self.declared_locales()
            .into_iter()
            .filter(|(key, _)| !given.contains(key))
            .map(|(key, tag)| Completion {
                label: key.to_string(),
                kind: CompletionKind::Field,
                detail: format!("the `{}` text, in {tag}", block.kind.name),
                insert: format!("{key}: "),
                snippet: Some(format!("{key}: \"$0\"")),
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // Hover and definition

    /// The hover text at `offset`, and the span it is about.
    pub fn hover(&self, offset: usize, profile: &Profile) -> Option<(String, Span)> {
        let cursor = self.cursor(offset);
        let item = cursor.item?;
        let on = |s: Span| s.start as usize <= offset && offset <= s.end as usize;
        // Anywhere on a field (its name, or its value's text) is the field, except on a path
        // in the value, whose own hover (its type) is more precise.
        let on_field = |name: Span, whole: Span| {
            on(name) || (on(whole) && self.path_in_item(item, offset).is_none())
        };
        match item {
            Item::Field(f)
                if on_field(f.name.span, f.span) && self.is_localized(&cursor.blocks) =>
            {
                return self.locale_hover(f, &cursor, profile);
            }
            Item::Field(f) if on_field(f.name.span, f.span) => {
                let spec = self.specs(&cursor.blocks)?;
                let fs = spec.fields.iter().find(|s| s.name == f.name.name)?;
                let text = self.field_hover(fs, spec.what, Some(&f.value), &cursor, profile);
                return Some((text, f.name.span));
            }
            Item::Command(c) if on_field(c.name.span, c.span) => {
                let (what, key) = match c.name.name.as_str() {
                    "text" => ("the message", LimitKey::Text),
                    "customer_id" => ("the iAdvize customer_id", LimitKey::CustomerId),
                    "metadata" => ("the message echo", LimitKey::Metadata),
                    _ => return None,
                };
                let name = match key {
                    LimitKey::Text => "text",
                    LimitKey::Metadata => "metadata",
                    _ => "customer_id",
                };
                let spec = FieldSpec {
                    name,
                    key: name,
                    kind: Kind::Text,
                    required: key == LimitKey::CustomerId,
                    nonempty: true,
                    limit: Some(key),
                };
                let text = self.field_hover(&spec, what, c.args.first(), &cursor, profile);
                return Some((text, c.name.span));
            }
            Item::Block(b) if on(b.kind.span) => {
                let mut blocks = cursor.blocks.clone();
                if !blocks.iter().any(|x| std::ptr::eq(*x, b)) {
                    blocks.push(b);
                }
                let spec = self.specs(&blocks)?;
                let fields: Vec<String> = spec
                    .fields
                    .iter()
                    .map(|f| {
                        format!(
                            "- `{}`: {}{}",
                            f.name,
                            kind_phrase(f.kind),
                            if f.required { " (required)" } else { "" }
                        )
                    })
                    .chain(spec.children.iter().map(|c| {
                        format!(
                            "- `{} {{ }}`{}{}",
                            c.keyword,
                            if c.many { ", repeated" } else { "" },
                            c.limit.map_or(String::new(), |k| format!(
                                ", at most {}",
                                profile.limit(k).max
                            ))
                        )
                    }))
                    .collect();
                let text = format!(
                    "**{}**: {}\n\n{}",
                    b.kind.name,
                    spec.what,
                    fields.join("\n")
                );
                return Some((text, b.kind.span));
            }
            Item::For(f) if on(f.var.span) => {
                let mut fors = cursor.fors.clone();
                fors.push(f);
                let locals = self.locals(&fors);
                let (_, ty, _) = locals.last()?;
                let text = format!(
                    "loop variable `{}`: each item of `{}`, {}",
                    f.var.name,
                    f.iterable.dotted(),
                    describe_ty(ty)
                );
                return Some((text, f.var.span));
            }
            Item::Input(inp) => {
                if let Some((d, path)) = decl_at(&inp.decls, offset, Vec::new()) {
                    let ty = self.text.get(d.ty.span().range()).unwrap_or("");
                    let text = format!(
                        "input `{}`{}: `{}`",
                        path.join("."),
                        if d.optional { " (optional)" } else { "" },
                        ty.trim()
                    );
                    return Some((text, d.name.span));
                }
                return None;
            }
            _ => {}
        }
        // A path: a value, the list of a `for`, or inside `{{ }}` / `{% %}` / a condition.
        let (segments, hovered) = self.path_in_item(item, offset)?;
        let locals = self.locals(&cursor.fors);
        let scope = Scope {
            root: &self.root,
            locals,
        };
        let segs: Vec<(&str, Span)> = segments.iter().map(|(s, sp)| (s.as_str(), *sp)).collect();
        let r = scope.resolve(&segs).ok()?;
        let dotted: Vec<&str> = segs.iter().map(|(s, _)| *s).collect();
        let is_local = matches!(r.base, types::Base::Local(_));
        let mut text = format!(
            "`{}`{}: {}",
            dotted.join("."),
            if r.optional { " (optional)" } else { "" },
            describe_ty(&r.ty)
        );
        if is_local && segs.len() == 1 {
            text.push_str("\n\nloop variable");
        }
        Some((text, segments[hovered].1))
    }

    /// Where the path at `offset` is declared: an input in `input { }`, or the `for` that
    /// binds a loop variable.
    pub fn definition(&self, offset: usize) -> Option<Span> {
        let cursor = self.cursor(offset);
        let item = cursor.item?;
        let (segments, _) = self.path_in_item(item, offset)?;
        let scope = Scope {
            root: &self.root,
            locals: self.locals(&cursor.fors),
        };
        let segs: Vec<(&str, Span)> = segments.iter().map(|(s, sp)| (s.as_str(), *sp)).collect();
        let decl = scope.resolve(&segs).ok()?.decl?;
        // An input's declaration starts with its name: point at the name.
        let name = &segments.last()?.0;
        let start = decl.start as usize;
        Some(if self.text.get(start..start + name.len()) == Some(name) {
            Span::new(start, start + name.len())
        } else {
            decl
        })
    }

    /// The path at `offset` inside `item`, where paths are: a value, the list of a `for`, an
    /// `if` condition, or inside an interpolation.
    fn path_in_item(&self, item: &Item, offset: usize) -> Option<(Vec<(String, Span)>, usize)> {
        let on = |s: Span| s.start as usize <= offset && offset <= s.end as usize;
        let mut regions: Vec<Span> = Vec::new();
        match item {
            Item::Field(f) => regions.extend(value_path(&f.value)),
            Item::Command(c) if c.name.name != "notification" => {
                regions.extend(c.args.iter().filter_map(value_path));
            }
            Item::For(f) => regions.push(f.iterable.span),
            Item::If(i) => regions.extend(i.branches.iter().map(|b| b.condition.span)),
            _ => {}
        }
        for s in strings_of(item) {
            for p in &s.parts {
                if let StrPart::Expr { span, .. } | StrPart::Stmt { span, .. } = p {
                    regions.push(*span);
                }
            }
        }
        if !regions.into_iter().any(on) {
            return None;
        }
        let (segments, hovered) = path_at(self.text, offset)?;
        // A filter or test name (`| upper`, `is defined`) is not a path.
        let before = self.text[..segments[0].1.start as usize].trim_end();
        if before.ends_with('|') || before.ends_with(" is") || before.ends_with(')') {
            return None;
        }
        Some((segments, hovered))
    }

    /// A locale's key in a text per locale: the locale, and the field's hover for this text
    /// (its limit, and the worst case of this locale's value).
    fn locale_hover(
        &self,
        f: &'a ast::Field,
        cursor: &Cursor<'a>,
        profile: &Profile,
    ) -> Option<(String, Span)> {
        let (last, outer) = cursor.blocks.split_last()?;
        let key = &f.name.name;
        let head = match self.declared_locales().into_iter().find(|(k, _)| k == key) {
            Some((_, tag)) => format!("the `{}` text in `{key}` ({tag})", last.kind.name),
            None => format!("`{key}` is not a declared locale"),
        };
        let field = self.specs(outer).and_then(|spec| {
            let fs = spec.fields.iter().find(|s| s.name == last.kind.name)?;
            Some(self.field_hover(fs, spec.what, Some(&f.value), cursor, profile))
        });
        let text = match field {
            Some(field) => format!("{head}\n\n{field}"),
            None => head,
        };
        Some((text, f.name.span))
    }

    fn field_hover(
        &self,
        spec: &FieldSpec,
        what: &str,
        value: Option<&Value>,
        cursor: &Cursor<'_>,
        profile: &Profile,
    ) -> String {
        let mut out = format!(
            "**{}**: {} in {what}{}",
            spec.name,
            kind_phrase(spec.kind),
            if spec.required { ", required" } else { "" }
        );
        let Some(key) = spec.limit else {
            return out;
        };
        let limit = profile.limit(key);
        out.push_str(&format!(
            "\n\nLimit: **{}** characters, {}",
            limit.max,
            profile.cite(limit)
        ));
        let scope = Scope {
            root: &self.root,
            locals: self.locals(&cursor.fors),
        };
        let length = match value {
            Some(Value::Str(s)) => match s.as_literal() {
                Some(text) => {
                    let chars = text.chars().count();
                    let units = text.encode_utf16().count();
                    Some(if units == chars {
                        format!("Length: {chars} characters")
                    } else {
                        format!("Length: {chars} characters ({units} UTF-16 units)")
                    })
                }
                None => {
                    let locale = bounds::declared_locale(self.file);
                    let formats = bounds::Formats {
                        locale: locale.as_deref(),
                    };
                    Some(describe_bound(&bounds::of_string_in(s, &scope, formats)))
                }
            },
            Some(Value::Path(p)) => {
                let segs: Vec<(&str, Span)> = p.segs();
                scope.resolve(&segs).ok().map(|r| {
                    let c = bounds::Contributor {
                        path: p.dotted(),
                        span: p.span,
                        max: None,
                        decl: r.decl,
                        url: false,
                        unranged: None,
                        prints: None,
                    };
                    describe_bound(&bounds::of_type(&r.ty, c))
                })
            }
            _ => None,
        };
        if let Some(l) = length {
            out.push_str("\n\n");
            out.push_str(&l);
        }
        out
    }
}

/// What a field accepts, with the strings when it accepts only some.
fn kind_phrase(kind: Kind) -> String {
    match kind {
        Kind::Choice(values) => {
            let quoted: Vec<String> = values.iter().map(|v| format!("`\"{v}\"`")).collect();
            format!("one of {}", quoted.join(", "))
        }
        Kind::Currency => "an ISO 4217 currency code (`\"EUR\"`)".into(),
        other => other.describe().into(),
    }
}

fn describe_bound(b: &Bound) -> String {
    match &b.max {
        Ok(max) if *max == b.min => format!("Length: {max} characters"),
        Ok(max) => {
            let when: Vec<String> = b
                .maxed()
                .map(|(path, m)| format!("`{path}` max {m}"))
                .chain(b.contributors.iter().filter_map(|c| {
                    c.prints
                        .as_ref()
                        .map(|t| format!("`{}` printing `{t}`", c.path))
                }))
                .collect();
            let when = if when.is_empty() {
                String::new()
            } else {
                format!(" (with {})", when.join(", "))
            };
            format!("Worst case: {} to **{max}** characters{when}", b.min)
        }
        Err(Unbounded::NoMax(c)) => format!(
            "Worst case: at least {} characters, no upper bound: `{}` has no `max`",
            b.min, c.path
        ),
        Err(Unbounded::Opaque { what, .. }) => format!(
            "Worst case: at least {} characters, no upper bound: {what} cannot be bounded",
            b.min
        ),
    }
}

fn describe_ty(ty: &Ty) -> String {
    match ty {
        Ty::Object(obj) => {
            let fields: Vec<String> = obj
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "{}{}: {}",
                        f.name,
                        if f.optional { "?" } else { "" },
                        short_ty(&f.ty)
                    )
                })
                .collect();
            format!("`{{ {} }}`", fields.join(", "))
        }
        other => format!("`{}`", short_ty(other)),
    }
}

fn short_ty(ty: &Ty) -> String {
    match ty {
        Ty::Object(_) => "{ ... }".into(),
        Ty::List { max, item } => format!(
            "list{} of {}",
            max.map_or(String::new(), |m| format!(" max {m}")),
            short_ty(item)
        ),
        Ty::Unknown => "?".into(),
        other => other.describe(),
    }
}

fn field_detail(f: &FieldSpec, profile: &Profile) -> String {
    let mut d = f.kind.describe().to_string();
    if f.required {
        d.push_str(", required");
    }
    if let Some(k) = f.limit {
        d.push_str(&format!(", max {} characters", profile.limit(k).max));
    }
    d
}

/// The snippet that writes a keyword or block with its braces or quotes.
/// The fields a block already gives, but the one being typed at `offset`.
fn given_fields(block: &ast::Block, offset: usize) -> Vec<&str> {
    block
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Field(f) if !(f.span.start as usize..=f.span.end as usize).contains(&offset) => {
                Some(f.name.name.as_str())
            }
            _ => None,
        })
        .collect()
}

fn snippet(word: &str) -> String {
    match word {
        "notification" => "notification ${1:name}".into(),
        "customer_id" | "messaging_type" | "tag" | "locale" | "time_zone" | "text" | "metadata" => {
            format!("{word} \"$0\"")
        }
        "image" => "image $0".into(),
        "button" => format!(
            "button ${{1|{}|}} {{\n\ttitle: $0\n}}",
            schema::BUTTON_TYPES.join(",")
        ),
        "quick_reply" => format!(
            "quick_reply ${{1|{}|}} {{\n\t$0\n}}",
            schema::QUICK_REPLY_TYPES.join(",")
        ),
        "for" => "for ${1:item} in ${2:list} {\n\t$0\n}".into(),
        "if" => "if ${1:condition} {\n\t$0\n}".into(),
        _ => format!("{word} {{\n\t$0\n}}"),
    }
}

fn top_level_detail(word: &str) -> &'static str {
    match word {
        "notification" => "the header: `notification NAME \"description\"`",
        "customer_id" => "the iAdvize customer_id scheme",
        "messaging_type" => "Send API messaging type",
        "tag" => "Send API message tag",
        "locale" => "the readers' locale (a BCP 47 tag) for `money`, `number` and `date`",
        "time_zone" => "the time zone (IANA) of `date`",
        "input" => "declared input variables",
        "text" => "the message text",
        "image" => "an image attachment",
        "video" => "a video attachment, by `url` or `attachment_id`",
        "audio" => "an audio attachment, by `url` or `attachment_id`",
        "file" => "a file attachment, by `url` or `attachment_id`",
        "carousel" => "a generic template (1 to 10 elements)",
        "receipt" => "a receipt template",
        "buttons" => "a button template: a text above 1 to 3 buttons",
        "media" => "a media template: one image or video on Facebook, up to 1 button",
        "quick_replies" => "quick replies under the message (up to 13)",
        "metadata" => "a string Facebook sends back in the message echo",
        "extra" => "Messenger fields missive does not model",
        "locales" => "the locales the template is written in: `locales { en: \"en-IE\" }`",
        _ => "",
    }
}

fn value_path(v: &Value) -> Option<Span> {
    match v {
        Value::Path(p) => Some(p.span),
        _ => None,
    }
}

/// The string literals of an item (not of its nested items).
fn strings_of(item: &Item) -> Vec<&StrLit> {
    fn json<'a>(v: &'a ast::JsonValue, out: &mut Vec<&'a StrLit>) {
        match v {
            ast::JsonValue::Str(s) => out.push(s),
            ast::JsonValue::Object(ms, _) => ms.iter().for_each(|m| json(&m.value, out)),
            ast::JsonValue::Array(vs, _) => vs.iter().for_each(|v| json(v, out)),
            _ => {}
        }
    }
    fn value(v: &Value) -> Option<&StrLit> {
        match v {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    let mut out = Vec::new();
    match item {
        Item::Field(f) => out.extend(value(&f.value)),
        Item::Command(c) => out.extend(c.args.iter().filter_map(value)),
        Item::Extra(e) => e.members.iter().for_each(|m| json(&m.value, &mut out)),
        _ => {}
    }
    out
}

/// The declaration whose name holds `offset`, with its dotted path.
fn decl_at(
    decls: &[ast::Decl],
    offset: usize,
    mut path: Vec<String>,
) -> Option<(&ast::Decl, Vec<String>)> {
    for d in decls {
        if offset < d.span.start as usize || offset > d.span.end as usize {
            continue;
        }
        path.push(d.name.name.to_string());
        if d.name.span.start as usize <= offset && offset <= d.name.span.end as usize {
            return Some((d, path));
        }
        let mut ty = &d.ty;
        loop {
            match ty {
                ast::TypeExpr::List { item, .. } => ty = item,
                ast::TypeExpr::Object { decls, .. } => return decl_at(decls, offset, path),
                ast::TypeExpr::Scalar { .. } => return None,
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
