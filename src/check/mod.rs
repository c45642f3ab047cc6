//! Checking: syntax tree -> compiled template (IR) and every diagnostic at once. Names and types
//! are resolved here, literals are measured exactly, and each construct is checked against
//! Messenger's model (`schema`) and the profile's limits.

pub mod bounds;
pub mod data;
pub mod images;
mod interpolation;
mod limits;
pub mod lints;
pub mod schema;
pub mod types;
pub mod values;

use std::collections::HashMap;
use std::sync::Arc;

use schema::{BlockKind, BlockSpec, ChildSpec, FieldSpec, Kind};
use types::{ObjTy, Resolved, Scope, Ty};

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::*;
use crate::profile::{LimitKey, Profile};
use crate::span::Span;
use crate::syntax::ast::{self, Item, StrLit, StrPart, Value};

/// Compile options.
#[derive(Debug, Clone)]
pub struct Options {
    pub profile: Profile,
    /// The file's stem, which the `notification` name should match.
    pub file_stem: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            profile: Profile::default_profile(),
            file_stem: None,
        }
    }
}

/// The result of compiling: the template when there is no error, and all diagnostics.
#[derive(Debug)]
pub struct Compiled {
    pub template: Option<Template>,
    pub diagnostics: Vec<Diagnostic>,
    pub file: ast::File,
}

/// Parses and checks a template.
pub fn compile(source: &str, options: &Options) -> Compiled {
    let parsed = crate::syntax::parse(source);
    check_parsed(parsed, source, options)
}

/// Checks a syntax tree built by other means (the JSON import builds one whose spans point into
/// the JSON payload), with the same checks as a parsed template.
pub fn check_tree(
    file: ast::File,
    text: &str,
    diagnostics: Vec<Diagnostic>,
    options: &Options,
) -> Compiled {
    let parsed = crate::syntax::Parse {
        file,
        diagnostics,
        broken_from: None,
    };
    check_parsed(parsed, text, options)
}

fn check_parsed(parsed: crate::syntax::Parse, source: &str, options: &Options) -> Compiled {
    let parsed_count = parsed.diagnostics.len();
    let mut checker = Checker {
        text: source,
        profile: &options.profile,
        diags: parsed.diagnostics,
        root: Arc::new(ObjTy::default()),
        locals: Vec::new(),
        env: new_environment(),
        engines: 0,
    };
    let syntax_count = parsed_count;
    let template = checker.file(&parsed.file, options);
    let mut diagnostics = checker.diags;
    if let Some(from) = parsed.broken_from {
        // Past a `{` left open the tree is a guess: keep only what precedes it.
        let mut i = 0;
        diagnostics.retain(|d| {
            i += 1;
            i <= syntax_count || d.primary().is_none_or(|l| l.span.start < from)
        });
    }
    crate::diagnostic::sort(&mut diagnostics);
    let template = template.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    Compiled {
        template,
        diagnostics,
        file: parsed.file,
    }
}

/// The minijinja environment for interpolations: no auto-escaping (the output is JSON, escaped
/// when written), absent and null values print as nothing.
fn new_environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    minijinja_contrib::add_to_environment(&mut env);
    // A template cannot run away: `{% for i in range(100000) %}` nested is refused, not run.
    env.set_fuel(Some(ENGINE_FUEL));
    // `{{ order.gift.message }}` with `gift` absent prints nothing, as a plain path does.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("default delimiters"),
    );
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_formatter(|out, state, value| {
        if value.is_none() || value.is_undefined() {
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env
}

/// The work one interpolation may do (minijinja counts instructions): far more than any
/// notification needs, far less than a runaway loop.
const ENGINE_FUEL: u64 = 1_000_000;

struct Checker<'a> {
    text: &'a str,
    profile: &'a Profile,
    diags: Vec<Diagnostic>,
    root: Arc<ObjTy>,
    /// Loop variables: (name, item type, declaration span).
    locals: Vec<(String, Ty, Span)>,
    env: minijinja::Environment<'static>,
    engines: usize,
}

/// What a top-level item contributes to the message.
enum TopKind {
    Text,
    Attachment,
}

impl<'a> Checker<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn scope(&self) -> Scope<'_> {
        Scope {
            root: &self.root,
            locals: self.locals.clone(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // The file

    fn file(&mut self, file: &ast::File, options: &Options) -> Option<Template> {
        if file.items.is_empty() {
            // Nothing parsed: either the parser already said why, or there is only comments.
            if self.diags.is_empty() {
                self.push(
                    Diagnostic::error(Code::EmptyFile, "this template has nothing but comments")
                        .at(Span::new(0, 0), "nothing to compile")
                        .help("add a header such as `notification order_shipped`, then a `text \"...\"` or an attachment block"),
                );
            }
            return None;
        }
        // Inputs first: every other item refers to them.
        let inputs: Vec<&ast::Input> = file
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Input(inp) => Some(inp),
                _ => None,
            })
            .collect();
        if let Some(first) = inputs.first() {
            for extra in &inputs[1..] {
                self.push(
                    Diagnostic::error(Code::DuplicateField, "`input` is given twice")
                        .at(extra.span.sub(0, 5), "second `input` block")
                        .at(first.span.sub(0, 5), "first `input` block")
                        .help("declare all variables in one `input { ... }` block"),
                );
            }
            self.root = Arc::new(types::lower_input(&first.decls, &mut self.diags));
        }

        let mut name: Option<(String, Span)> = None;
        let mut description = None;
        let mut customer_id = None;
        let mut messaging_type = None;
        let mut tag = None;
        let mut body = ObjIr::default();
        let mut text_at: Option<Span> = None;
        let mut attachment_at: Option<Span> = None;
        let mut seen_headers: HashMap<&str, Span> = HashMap::new();
        let mut top_extra: Vec<String> = Vec::new();

        for item in &file.items {
            match item {
                Item::Input(_) | Item::Error(_) => {}
                Item::Command(c)
                    if matches!(
                        c.name.name.as_str(),
                        "notification" | "customer_id" | "messaging_type" | "tag"
                    ) =>
                {
                    if let Some(prev) = seen_headers.insert(&c.name.name, c.name.span) {
                        self.given_twice(&c.name.name, c.name.span, prev);
                        continue;
                    }
                    match c.name.name.as_str() {
                        "notification" => {
                            if let Some((n, d)) = self.notification_header(c) {
                                name = Some(n);
                                description = d;
                            }
                        }
                        "customer_id" => {
                            const SPEC: FieldSpec = FieldSpec {
                                name: "customer_id",
                                kind: Kind::Text,
                                required: true,
                                nonempty: true,
                                limit: Some(LimitKey::CustomerId),
                            };
                            if let Some(v) = self.single_arg(c) {
                                customer_id = self.field_ir("customer_id", v, &SPEC);
                            }
                        }
                        "messaging_type" => {
                            const SPEC: FieldSpec = FieldSpec {
                                name: "messaging_type",
                                kind: Kind::Choice(&["RESPONSE", "UPDATE", "MESSAGE_TAG"]),
                                required: true,
                                nonempty: true,
                                limit: None,
                            };
                            messaging_type = self.literal_header(c, &SPEC);
                        }
                        _ => {
                            const SPEC: FieldSpec = FieldSpec {
                                name: "tag",
                                kind: Kind::Choice(&[
                                    "CONFIRMED_EVENT_UPDATE",
                                    "POST_PURCHASE_UPDATE",
                                    "ACCOUNT_UPDATE",
                                    "HUMAN_AGENT",
                                ]),
                                required: true,
                                nonempty: true,
                                limit: None,
                            };
                            tag = self.literal_header(c, &SPEC);
                        }
                    }
                }
                other => {
                    // What the item is, known from its shape: a value that fails its checks
                    // still counts as present, so one mistake gives one diagnostic.
                    let kind = match other {
                        Item::Command(c) if c.name.name == "text" => Some(TopKind::Text),
                        Item::Command(c) if c.name.name == "image" => Some(TopKind::Attachment),
                        Item::Block(b) if b.kind.name == "image" => Some(TopKind::Attachment),
                        Item::Block(b)
                            if schema::ATTACHMENT_BLOCKS
                                .iter()
                                .any(|(k, _, _)| *k == b.kind.name) =>
                        {
                            Some(TopKind::Attachment)
                        }
                        Item::If(_) => Some(TopKind::Attachment),
                        _ => None,
                    };
                    let previous = match kind {
                        Some(TopKind::Text) => text_at.replace(other.span()),
                        Some(TopKind::Attachment) => attachment_at.replace(other.span()),
                        _ => None,
                    };
                    if let Some(prev) = previous {
                        let d = match kind {
                            Some(TopKind::Text) => Diagnostic::error(Code::DuplicateField, "`text` is given twice")
                                .at(other.span(), "second `text`")
                                .at(prev, "first `text`")
                                .help("a message has one text: merge them, or use `{% if %}` inside one `text`"),
                            _ => Diagnostic::error(Code::SeveralAttachments, "a message has one attachment at most")
                                .at(other.span(), "second attachment")
                                .at(prev, "first attachment")
                                .help("send the second attachment in a notification of its own, or choose one with `if ... { } else { }`"),
                        };
                        self.push(d);
                        continue;
                    }
                    if let Item::Extra(e) = other {
                        for m in &e.members {
                            if ["text", "attachment"].contains(&m.key.as_str())
                                || top_extra.contains(&m.key)
                            {
                                self.push(
                                    Diagnostic::error(Code::DuplicateField, format!("`extra` repeats the field `{}`", m.key))
                                        .at(m.key_span, "already in the message")
                                        .help(format!("give the message's `{}` with its own line or block, not in `extra`", m.key)),
                                );
                            }
                            top_extra.push(m.key.clone());
                        }
                    }
                    if let Some(member) = self.top_item(other) {
                        body.members.push(member);
                    }
                }
            }
        }

        // Facebook sends a message tag only with `messaging_type "MESSAGE_TAG"`, and needs one then.
        match (messaging_type.as_deref(), &tag, seen_headers.get("messaging_type"), seen_headers.get("tag")) {
            (Some("MESSAGE_TAG"), None, Some(at), _) => self.push(
                Diagnostic::error(Code::InvalidHeader, "`messaging_type \"MESSAGE_TAG\"` needs a `tag` line")
                    .at(*at, "a message tag is announced here")
                    .help("add the tag, e.g. `tag \"POST_PURCHASE_UPDATE\"` for an order update")
                    .note("Facebook Send API reference: `tag` is required when `messaging_type` is `MESSAGE_TAG`"),
            ),
            (other, Some(_), _, Some(at)) if other != Some("MESSAGE_TAG") => self.push(
                Diagnostic::error(Code::InvalidHeader, "`tag` needs `messaging_type \"MESSAGE_TAG\"`")
                    .at(*at, "Facebook ignores or refuses this tag")
                    .help("add `messaging_type \"MESSAGE_TAG\"` above it, or remove the `tag`")
                    .note("Facebook Send API reference: a tag is sent with `messaging_type: MESSAGE_TAG` only"),
            ),
            _ => {}
        }

        if let Some(f) = &customer_id {
            let constant = match &f.val {
                Val::Lit(_) => true,
                Val::Str(StrIr::Engine(e)) => e.roots.is_empty() && e.locals.is_empty(),
                Val::Str(StrIr::Parts(parts)) => !parts.iter().any(|p| matches!(p, Part::Path(_))),
                Val::Path(_) => false,
            };
            if constant {
                self.push(
                    Diagnostic::error(Code::ConstantCustomerId, "`customer_id` is the same for every visitor")
                        .at(f.span, "uses no input variable")
                        .help("build it from something unique to the visitor, e.g. `customer_id \"instock-{{ product.sku }}-{{ session_id }}\"` (the guide's `instock-AB123-k45332j9i54`)")
                        .note("iAdvize integration guide: the customer_id must be unique, or notifications reach visitors who should not receive them"),
                );
            }
        }

        let header_span = name.as_ref().map(|(_, s)| *s);
        if name.is_none() && !seen_headers.contains_key("notification") {
            let first = file.items.first().map_or(Span::new(0, 0), |i| {
                let s = i.span();
                Span::new(s.start as usize, s.start as usize)
            });
            let stem = options
                .file_stem
                .clone()
                .unwrap_or_else(|| "order_confirmation".into());
            self.push(
                Diagnostic::error(Code::MissingHeader, "the template has no `notification` header")
                    .at(first, "expected `notification NAME` at the top")
                    .help(format!("start the file with `notification {stem}` (and, optionally, a description in quotes)")),
            );
        }
        if let (Some((n, span)), Some(stem)) = (&name, &options.file_stem) {
            if n != stem {
                self.push(
                    Diagnostic::warning(Code::NameMismatch, format!("the notification is named `{n}` but its file is `{stem}.missive`"))
                        .at(*span, "the notification's name")
                        .help(format!("rename the notification to `{stem}`, or the file to `{n}.missive`, so that templates are easy to find")),
                );
            }
        }

        // Text beside an attachment.
        if let (Some(t), Some(_)) = (text_at, attachment_at) {
            let rule = &self.profile.text_with_attachment;
            if !rule.allowed {
                self.push(
                    Diagnostic::error(Code::TextWithAttachment, format!("profile `{}` does not allow text beside an attachment", self.profile.name))
                        .at(t, "this text is sent with the attachment")
                        .help("send the text and the attachment as two notifications, or use the `iadvize` profile")
                        .note(format!("rule from profile `{}` ({}, {})", self.profile.name, rule.source, rule.date)),
                );
            }
        }
        let clean = !self.diags.iter().any(Diagnostic::is_error);
        if text_at.is_none() && attachment_at.is_none() && name.is_some() && clean {
            self.push(
                Diagnostic::error(
                    Code::EmptyMessage,
                    "the notification has neither text nor an attachment",
                )
                .at(
                    header_span.expect("named"),
                    "this notification sends nothing",
                )
                .help("add `text \"...\"`, or an `image`, `carousel` or `receipt` block"),
            );
        }

        let (name, header) = name?;
        Some(Template {
            name,
            description,
            header,
            customer_id,
            messaging_type,
            tag,
            input: self.root.clone(),
            profile: self.profile.clone(),
            body,
            env: std::mem::replace(&mut self.env, new_environment()),
        })
    }

    fn notification_header(
        &mut self,
        c: &ast::Command,
    ) -> Option<((String, Span), Option<String>)> {
        let bad = |this: &mut Self, span: Span| {
            this.push(
                Diagnostic::error(
                    Code::InvalidHeader,
                    "`notification` takes a name and an optional description",
                )
                .at(span, "expected a name such as `order_confirmation`")
                .help("write `notification order_confirmation \"Sent when an order is placed\"`"),
            );
            None
        };
        let name = match c.args.first() {
            Some(Value::Path(p)) if p.segments.len() == 1 => (p.segments[0].name.clone(), p.span),
            Some(v) => return bad(self, v.span()),
            None => return bad(self, c.span),
        };
        let description = match c.args.get(1) {
            None => None,
            Some(Value::Str(s)) if s.as_literal().is_some() => s.as_literal(),
            Some(v) => return bad(self, v.span()),
        };
        if let Some(v) = c.args.get(2) {
            return bad(self, v.span());
        }
        Some((name, description))
    }

    /// M1005: a field, header or block given a second time.
    fn given_twice(&mut self, name: &str, again: Span, first: Span) {
        self.push(
            Diagnostic::error(Code::DuplicateField, format!("`{name}` is given twice"))
                .at(again, "given again here")
                .at(first, "first given here")
                .help("keep one of them"),
        );
    }

    /// Checks a literal text against its field; true when it has a problem (reported).
    fn literal_problem(&mut self, spec: &FieldSpec, text: &str, span: Span) -> bool {
        let Some(p) = values::problem(spec, text, self.profile) else {
            return false;
        };
        let cx = values::Context {
            field: spec.name,
            value: text,
            span,
            data_path: None,
        };
        let d = values::diagnostic(&p, spec, &cx, self.profile);
        self.push(d);
        true
    }

    fn single_arg<'v>(&mut self, c: &'v ast::Command) -> Option<&'v Value> {
        if c.args.len() != 1 {
            let span = c.args.get(1).map_or(c.span, Value::span);
            self.push(
                Diagnostic::error(
                    Code::InvalidHeader,
                    format!("`{}` takes one value", c.name.name),
                )
                .at(
                    span,
                    if c.args.len() > 1 {
                        "unexpected second value"
                    } else {
                        "expected a value"
                    },
                )
                .help(format!("write `{} \"...\"`", c.name.name)),
            );
            return None;
        }
        c.args.first()
    }

    fn literal_header(&mut self, c: &ast::Command, spec: &FieldSpec) -> Option<String> {
        let v = self.single_arg(c)?;
        match v {
            Value::Str(s) if s.as_literal().is_some() => {
                let text = s.as_literal().expect("literal");
                if self.literal_problem(spec, &text, s.span) {
                    return None;
                }
                Some(text)
            }
            other => {
                self.push(
                    Diagnostic::error(
                        Code::InvalidHeader,
                        format!("`{}` takes a literal string", spec.name),
                    )
                    .at(other.span(), "expected a string in quotes")
                    .help(format!("write `{} \"...\"`", spec.name)),
                );
                None
            }
        }
    }

    /// A top-level item: `text`, an attachment (`image`, `carousel`, `receipt`, or an `if`
    /// choosing between them), or `extra`.
    fn top_item(&mut self, item: &Item) -> Option<Member> {
        match item {
            Item::Command(c) if c.name.name == "text" => {
                const SPEC: FieldSpec = FieldSpec {
                    name: "text",
                    kind: Kind::Text,
                    // An absent optional text leaves the key out (the attachment goes alone).
                    required: false,
                    nonempty: true,
                    limit: Some(LimitKey::Text),
                };
                let v = self.single_arg(c)?;
                let f = self.field_ir("text", v, &SPEC)?;
                Some(Member::Field(f))
            }
            Item::Extra(e) => self.extra(e),
            _ => {
                let node = self.attachment_node(item, true)?;
                Some(Member::Items(Items {
                    key: "attachment",
                    single: true,
                    nodes: vec![node],
                    min: 0,
                    limit: None,
                    owner: item.span(),
                    item: "attachment",
                }))
            }
        }
    }

    /// An attachment, or an `if` choosing one.
    fn attachment_node(&mut self, item: &Item, top: bool) -> Option<Node> {
        match item {
            Item::Block(b) if b.kind.name == "image" => {
                self.no_label(b);
                let payload =
                    self.block_body(b, schema::spec(BlockKind::Image, None).expect("image spec"));
                Some(Node::Obj {
                    obj: ObjIr {
                        members: vec![
                            Member::Const {
                                key: "type",
                                json: "\"image\"".into(),
                            },
                            Member::Object {
                                key: "payload",
                                obj: payload,
                            },
                        ],
                        kind: ObjKind::Plain,
                    },
                    span: b.kind.span,
                })
            }
            Item::Command(c) if c.name.name == "image" => {
                const SPEC: FieldSpec = FieldSpec {
                    name: "image",
                    kind: Kind::Url,
                    required: true,
                    nonempty: true,
                    limit: None,
                };
                let v = self.single_arg(c)?;
                let url = self.field_ir("url", v, &SPEC)?;
                Some(Node::Obj {
                    obj: ObjIr {
                        members: vec![
                            Member::Const {
                                key: "type",
                                json: "\"image\"".into(),
                            },
                            Member::Object {
                                key: "payload",
                                obj: ObjIr {
                                    members: vec![Member::Field(url)],
                                    kind: ObjKind::Plain,
                                },
                            },
                        ],
                        kind: ObjKind::Plain,
                    },
                    span: c.name.span,
                })
            }
            Item::Block(b)
                if schema::ATTACHMENT_BLOCKS
                    .iter()
                    .any(|(k, _, _)| *k == b.kind.name) =>
            {
                let &(_, kind, template_type) = schema::ATTACHMENT_BLOCKS
                    .iter()
                    .find(|(k, _, _)| *k == b.kind.name)
                    .expect("found");
                self.no_label(b);
                let spec = schema::spec(kind, None).expect("attachment spec");
                let mut payload = self.block_body(b, spec);
                payload.kind = match kind {
                    BlockKind::Receipt => ObjKind::Receipt,
                    _ => ObjKind::Generic,
                };
                if payload.kind == ObjKind::Receipt {
                    self.literal_totals(&payload);
                }
                payload.members.insert(
                    0,
                    Member::Const {
                        key: "template_type",
                        json: format!("\"{template_type}\"").into(),
                    },
                );
                Some(Node::Obj {
                    obj: ObjIr {
                        members: vec![
                            Member::Const {
                                key: "type",
                                json: "\"template\"".into(),
                            },
                            Member::Object {
                                key: "payload",
                                obj: payload,
                            },
                        ],
                        kind: ObjKind::Plain,
                    },
                    span: b.kind.span,
                })
            }
            Item::If(i) => {
                let mut branches = Vec::new();
                for b in &i.branches {
                    let cond = self.condition(&b.condition);
                    let nodes = self.attachment_branch(&b.items);
                    if let Some(cond) = cond {
                        branches.push((cond, nodes));
                    }
                }
                let otherwise = i
                    .otherwise
                    .as_ref()
                    .map(|items| self.attachment_branch(items))
                    .unwrap_or_default();
                Some(Node::If {
                    branches,
                    otherwise,
                })
            }
            Item::Command(c) if top => {
                self.unknown_top(&c.name);
                None
            }
            Item::Block(b) if top => {
                self.unknown_top(&b.kind);
                None
            }
            Item::Field(f) if top => {
                let known = schema::TOP_LEVEL_WORDS.contains(&f.name.name.as_str());
                let mut d = Diagnostic::error(
                    Code::UnknownBlock,
                    format!(
                        "`{}:` is a field, and fields belong inside a block",
                        f.name.name
                    ),
                )
                .at(f.name.span, "a field at the top level");
                d = if known {
                    d.help(format!(
                        "at the top level, write `{} ...` without the colon",
                        f.name.name
                    ))
                } else {
                    d.help("put it inside the block it belongs to, e.g. `carousel { element { title: ... } }`")
                };
                self.push(d);
                None
            }
            Item::For(f) if top => {
                self.push(
                    Diagnostic::error(Code::UnknownBlock, "`for` cannot repeat a whole message")
                        .at(f.span.sub(0, 3), "a `for` at the top level")
                        .help("a notification has one text and one attachment: put the `for` inside a `carousel` or `receipt`, around `element`s"),
                );
                None
            }
            other => {
                self.push(
                    Diagnostic::error(Code::UnknownBlock, "only attachments can be chosen with `if` here")
                        .at(other.span(), "expected `image`, `carousel` or `receipt`")
                        .help("inside a top-level `if`, put an attachment; for conditional text use `{% if %}` inside the `text`"),
                );
                None
            }
        }
    }

    fn attachment_branch(&mut self, items: &[Item]) -> Vec<Node> {
        let nodes: Vec<Node> = items
            .iter()
            .filter(|i| !matches!(i, Item::Error(_)))
            .filter_map(|i| self.attachment_node(i, false))
            .collect();
        if nodes.len() > 1 {
            let second = items
                .iter()
                .filter(|i| !matches!(i, Item::Error(_)))
                .nth(1)
                .map(Item::span);
            if let Some(span) = second {
                self.push(
                    Diagnostic::error(
                        Code::SeveralAttachments,
                        "a message has one attachment at most",
                    )
                    .at(span, "second attachment in this branch")
                    .help("keep one attachment per branch"),
                );
            }
        }
        nodes
    }

    fn unknown_top(&mut self, name: &ast::Ident) {
        let mut d = Diagnostic::error(
            Code::UnknownBlock,
            format!("unknown block `{}` at the top level", name.name),
        )
        .at(name.span, "not a part of a message");
        d = match types::suggest(&name.name, schema::TOP_LEVEL_WORDS.iter().copied()) {
            Some(s) => d.help(format!("a block with a similar name exists: `{s}`")),
            None => d.help("the top level holds `notification`, `customer_id`, `input`, `text`, `image`, `carousel`, `receipt` and `extra`"),
        };
        self.push(d);
    }

    fn no_label(&mut self, b: &ast::Block) {
        if let Some(l) = &b.label {
            self.push(
                Diagnostic::error(
                    Code::SyntaxError,
                    format!("`{}` takes no name", b.kind.name),
                )
                .at(l.span, "unexpected name")
                .help(format!("write `{} {{ ... }}`", b.kind.name)),
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // Blocks

    /// The members of a block: its fields, child blocks, loops and conditions, and `extra`.
    fn block_body(&mut self, b: &ast::Block, spec: &'static BlockSpec) -> ObjIr {
        let mut obj = ObjIr::default();
        for (k, v) in spec.constants {
            obj.members.push(Member::Const {
                key: k,
                json: format!("\"{v}\"").into(),
            });
        }
        let mut fields: HashMap<&str, Span> = HashMap::new();
        let mut items_at: HashMap<&'static str, usize> = HashMap::new();
        let mut singles: HashMap<&'static str, Span> = HashMap::new();
        let mut extra_keys: Vec<(String, Span)> = Vec::new();
        // A line that did not parse, a misspelled field or a rejected child block: the
        // "missing field" checks would only repeat the same mistake, so they are skipped.
        let mut broken = false;

        for item in &b.items {
            match item {
                Item::Error(_) => broken = true,
                Item::Field(f) => {
                    let Some(fs) = spec.fields.iter().find(|s| s.name == f.name.name) else {
                        self.unknown_field(&f.name, spec, b);
                        broken = true;
                        continue;
                    };
                    if let Some(prev) = fields.insert(fs.name, f.name.span) {
                        self.given_twice(&f.name.name, f.name.span, prev);
                        continue;
                    }
                    if let Some(ir) = self.field_ir(fs.name, &f.value, fs) {
                        obj.members.push(Member::Field(ir));
                    }
                }
                Item::Command(c) => {
                    broken = true;
                    if spec.fields.iter().any(|s| s.name == c.name.name) {
                        let after = c.name.span.end as usize;
                        self.push(
                            Diagnostic::error(
                                Code::SyntaxError,
                                format!("expected `:` after `{}`", c.name.name),
                            )
                            .at(Span::new(after, after), "add `:` here")
                            .help(format!(
                                "a field is `name: value`: write `{}: ...`",
                                c.name.name
                            )),
                        );
                    } else {
                        self.unknown_child(&c.name, spec, b);
                    }
                }
                Item::Extra(e) => {
                    for m in &e.members {
                        extra_keys.push((m.key.clone(), m.key_span));
                    }
                    if let Some(m) = self.extra(e) {
                        obj.members.push(m);
                    }
                }
                Item::Input(i) => {
                    self.push(
                        Diagnostic::error(Code::UnknownBlock, "`input` belongs at the top level")
                            .at(i.span.sub(0, 5), "inside a block")
                            .help("move `input { ... }` out to the top of the file"),
                    );
                }
                Item::Block(_) | Item::For(_) | Item::If(_) => {
                    let Some((child, node)) = self.child_node(item, spec, b) else {
                        broken = true;
                        continue;
                    };
                    if !child.many {
                        if let (Node::Obj { .. }, Some(prev)) = (&node, singles.get(child.key)) {
                            self.push(
                                Diagnostic::error(
                                    Code::DuplicateField,
                                    format!("`{}` is given twice", child.keyword),
                                )
                                .at(item.span(), "given again here")
                                .at(*prev, "first given here")
                                .help(format!("{} has one `{}`", spec.what, child.keyword)),
                            );
                            continue;
                        }
                        singles.insert(child.key, item.span());
                    }
                    match items_at.get(child.key) {
                        Some(&i) => {
                            if let Member::Items(items) = &mut obj.members[i] {
                                items.nodes.push(node);
                            }
                        }
                        None => {
                            items_at.insert(child.key, obj.members.len());
                            obj.members.push(Member::Items(Items {
                                key: child.key,
                                single: !child.many,
                                nodes: vec![node],
                                min: child.min,
                                limit: child.limit,
                                owner: b.kind.span,
                                item: child.keyword,
                            }));
                        }
                    }
                }
            }
        }

        // Extra keys that clash with modelled ones, or with each other.
        let mut seen_extra: Vec<&str> = Vec::new();
        for (k, span) in &extra_keys {
            let clash = spec
                .fields
                .iter()
                .any(|f| f.name == k && fields.contains_key(f.name))
                || items_at.contains_key(k.as_str())
                || spec.constants.iter().any(|(c, _)| c == k)
                || spec.reserved.contains(&k.as_str());
            let twice = seen_extra.contains(&k.as_str());
            seen_extra.push(k);
            if clash || twice {
                self.push(
                    Diagnostic::error(Code::DuplicateField, format!("`extra` repeats the field `{k}`"))
                        .at(*span, if twice { "already given by `extra`" } else { "already given by the block" })
                        .help("remove it: the output would have the key twice, and Messenger would read only one of them"),
                );
            }
        }

        if !broken {
            self.required_members(b, spec, &fields, &items_at, &obj);
        }
        self.static_counts(&obj);
        if !broken
            && spec.what == "a carousel element"
            && fields.len() == 1
            && fields.contains_key("title")
            && items_at.is_empty()
            && extra_keys.is_empty()
        {
            self.push(
                Diagnostic::error(Code::TitleOnlyElement, "a carousel element needs more than a title")
                    .at(b.kind.span, "this element has only a `title`")
                    .help("add a `subtitle`, an `image_url`, a `default_action` or a `button`: Facebook refuses title-only elements"),
            );
        }
        obj
    }

    fn required_members(
        &mut self,
        b: &ast::Block,
        spec: &BlockSpec,
        fields: &HashMap<&str, Span>,
        items_at: &HashMap<&'static str, usize>,
        obj: &ObjIr,
    ) {
        let extra: Vec<&str> = obj
            .members
            .iter()
            .filter_map(|m| match m {
                Member::Extra(ms) => Some(ms.iter().map(|(k, _)| &**k).collect::<Vec<_>>()),
                _ => None,
            })
            .flatten()
            .collect();
        // A list Messenger refuses empty (a carousel's elements) has its own code.
        for c in spec
            .children
            .iter()
            .filter(|c| c.many && c.min > 0 && !items_at.contains_key(c.key))
        {
            self.push(
                Diagnostic::error(Code::TooFew, format!("{} needs at least {} `{}`", spec.what, c.min, c.keyword))
                    .at(b.kind.span, format!("this {} has no `{}`", b.kind.name, c.keyword))
                    .help(format!("add `{} {{ title: ..., subtitle: ... }}`, or `for x in list {{ {} {{ ... }} }}`", c.keyword, c.keyword)),
            );
        }
        let missing: Vec<&str> = spec
            .fields
            .iter()
            .filter(|f| f.required && !fields.contains_key(f.name) && !extra.contains(&f.name))
            .map(|f| f.name)
            .chain(
                spec.children
                    .iter()
                    .filter(|c| c.required && !c.many && !items_at.contains_key(c.key))
                    .map(|c| c.keyword),
            )
            .collect();
        if missing.is_empty() {
            return;
        }
        let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
        let (noun, verb) = if missing.len() == 1 {
            ("field", "is")
        } else {
            ("fields", "are")
        };
        let example = missing
            .iter()
            .map(|m| match spec.children.iter().find(|c| c.keyword == *m) {
                Some(c) => {
                    let inner = schema::spec(c.block, None)
                        .map(|s| {
                            s.fields
                                .iter()
                                .filter(|f| f.required)
                                .map(|f| format!("{}: ...", f.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    format!("`{m} {{ {inner} }}`")
                }
                None => format!("`{m}: ...`"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        self.push(
            Diagnostic::error(
                Code::MissingField,
                format!(
                    "{} is missing the required {noun} {}",
                    spec.what,
                    list.join(", ")
                ),
            )
            .at(
                b.kind.span,
                format!("{} {verb} required here", list.join(", ")),
            )
            .help(format!("add {example}")),
        );
    }

    fn unknown_field(&mut self, name: &ast::Ident, spec: &BlockSpec, b: &ast::Block) {
        let candidates = spec
            .fields
            .iter()
            .map(|f| f.name)
            .chain(spec.children.iter().map(|c| c.keyword));
        let mut d = Diagnostic::error(
            Code::UnknownField,
            format!("unknown field `{}` in {}", name.name, spec.what),
        )
        .at(name.span, format!("`{}` has no such field", b.kind.name));
        d = match types::suggest(&name.name, candidates) {
            Some(s) => d.help(format!("a field with a similar name exists: `{s}`")),
            None => {
                let names: Vec<String> = spec
                    .fields
                    .iter()
                    .map(|f| format!("`{}`", f.name))
                    .chain(
                        spec.children
                            .iter()
                            .map(|c| format!("`{} {{ }}`", c.keyword)),
                    )
                    .collect();
                d.help(format!(
                    "the fields of {} are {}; for a Messenger field missive does not model, use `extra {{ \"{}\": ... }}`",
                    spec.what,
                    names.join(", "),
                    name.name
                ))
            }
        };
        self.push(d);
    }

    fn unknown_child(&mut self, name: &ast::Ident, spec: &BlockSpec, b: &ast::Block) {
        let mut d = Diagnostic::error(
            Code::UnknownBlock,
            format!("`{}` is not allowed in {}", name.name, spec.what),
        )
        .at(name.span, format!("not a block of `{}`", b.kind.name));
        let candidates = spec
            .children
            .iter()
            .map(|c| c.keyword)
            .chain(spec.fields.iter().map(|f| f.name));
        d = if name.name == "button" && spec.what == "a receipt" {
            d.help("Messenger receipts have no buttons; link to the order with `order_url`")
        } else {
            match types::suggest(&name.name, candidates) {
                Some(s) => d.help(format!("a block with a similar name exists: `{s}`")),
                None if spec.children.is_empty() => {
                    d.help(format!("{} holds only fields (`name: value`)", spec.what))
                }
                None => {
                    let kids: Vec<String> = spec
                        .children
                        .iter()
                        .map(|c| format!("`{}`", c.keyword))
                        .collect();
                    d.help(format!(
                        "the blocks allowed in {} are {}",
                        spec.what,
                        kids.join(", ")
                    ))
                }
            }
        };
        self.push(d);
    }

    /// A child block, or a `for` / `if` around child blocks of one kind.
    fn child_node(
        &mut self,
        item: &Item,
        spec: &'static BlockSpec,
        parent: &ast::Block,
    ) -> Option<(&'static ChildSpec, Node)> {
        match item {
            Item::Block(b) => {
                let Some(child) = spec.children.iter().find(|c| c.keyword == b.kind.name) else {
                    if spec.fields.iter().any(|f| f.name == b.kind.name) {
                        self.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                format!("`{}` is a field, not a block", b.kind.name),
                            )
                            .at(b.kind.span, "written as a block")
                            .help(format!("write `{}: value`", b.kind.name)),
                        );
                    } else {
                        self.unknown_child(&b.kind, spec, parent);
                    }
                    return None;
                };
                let child_spec = if child.block == BlockKind::Button {
                    match &b.label {
                        Some(l) => match schema::spec(BlockKind::Button, Some(&l.name)) {
                            Some(s) => s,
                            None => {
                                let mut d = Diagnostic::error(
                                    Code::UnknownButtonType,
                                    format!("unknown button type `{}`", l.name),
                                )
                                .at(l.span, "not a Messenger button type");
                                d = match types::suggest(&l.name, schema::BUTTON_TYPES.iter().copied()) {
                                    Some(s) => d.help(format!("a button type with a similar name exists: `{s}`")),
                                    None => d.help("the button types are `web_url`, `postback` and `phone_number`"),
                                };
                                self.push(d);
                                return None;
                            }
                        },
                        None => {
                            self.push(
                                Diagnostic::error(Code::UnknownButtonType, "a button needs a type")
                                    .at(b.kind.span, "which kind of button?")
                                    .help("write `button web_url { ... }`, `button postback { ... }` or `button phone_number { ... }`"),
                            );
                            return None;
                        }
                    }
                } else {
                    self.no_label(b);
                    schema::spec(child.block, None).expect("spec")
                };
                let mut obj = self.block_body(b, child_spec);
                if child.block == BlockKind::Button {
                    let label = b.label.as_ref().expect("checked").name.clone();
                    obj.members.insert(
                        0,
                        Member::Const {
                            key: "type",
                            json: format!("\"{label}\"").into(),
                        },
                    );
                }
                Some((
                    child,
                    Node::Obj {
                        obj,
                        span: b.kind.span,
                    },
                ))
            }
            Item::For(f) => {
                let segs: Vec<(&str, Span)> = f
                    .iterable
                    .segments
                    .iter()
                    .map(|s| (s.name.as_str(), s.span))
                    .collect();
                let resolved = match self.scope().resolve(&segs) {
                    Ok(r) => r,
                    Err(d) => {
                        self.push(d);
                        return None;
                    }
                };
                let list_max = match &resolved.ty {
                    Ty::List { max, .. } => *max,
                    _ => Some(0),
                };
                let item = match &resolved.ty {
                    Ty::List { item, .. } => item.clone(),
                    Ty::Unknown => Box::new(Ty::Unknown),
                    _ => {
                        self.push(
                        Diagnostic::error(Code::NotAList, format!("`for` needs a list, `{}` is {}", f.iterable.dotted(), resolved.ty.describe()))
                            .at(f.iterable.span, "not a list")
                            .help(format!(
                                "declare it as a list in `input`, e.g. `{}: list max 10 of {{ ... }}`",
                                f.iterable.segments.last().map_or("items", |s| s.name.as_str())
                            )),
                    );
                        return None;
                    }
                };
                if let Some(d) = types::engine_name(&f.var) {
                    self.push(d);
                }
                let depth = self.locals.len();
                let list = self.path_ir(&f.iterable, &resolved);
                self.locals.push((
                    f.var.name.clone(),
                    *item,
                    resolved.decl.unwrap_or(f.var.span),
                ));
                let body = self.child_nodes(&f.items, spec, parent);
                self.locals.pop();
                let (child, body) = body?;
                Some((
                    child,
                    Node::For {
                        depth,
                        list,
                        max: list_max,
                        body,
                        span: f.span,
                    },
                ))
            }
            Item::If(i) => {
                let mut child = None;
                let mut branches = Vec::new();
                for br in &i.branches {
                    let cond = self.condition(&br.condition);
                    let nodes = self.child_nodes(&br.items, spec, parent);
                    if let Some((c, nodes)) = nodes {
                        if self.same_kind(&mut child, c, i.span) {
                            if let Some(cond) = cond {
                                branches.push((cond, nodes));
                            }
                        }
                    }
                }
                let mut otherwise = Vec::new();
                if let Some(items) = &i.otherwise {
                    if let Some((c, nodes)) = self.child_nodes(items, spec, parent) {
                        if self.same_kind(&mut child, c, i.span) {
                            otherwise = nodes;
                        }
                    }
                }
                Some((
                    child?,
                    Node::If {
                        branches,
                        otherwise,
                    },
                ))
            }
            _ => None,
        }
    }

    fn same_kind(
        &mut self,
        seen: &mut Option<&'static ChildSpec>,
        c: &'static ChildSpec,
        span: Span,
    ) -> bool {
        match seen {
            Some(s) if s.key != c.key => {
                self.push(
                    Diagnostic::error(
                        Code::UnknownBlock,
                        format!("this `if` mixes `{}` and `{}` blocks", s.keyword, c.keyword),
                    )
                    .at(span.sub(0, 2), "branches produce different kinds of blocks")
                    .help("use one `if` per kind of block"),
                );
                false
            }
            _ => {
                *seen = Some(c);
                true
            }
        }
    }

    /// The body of a `for` or an `if` branch: child blocks of one kind.
    fn child_nodes(
        &mut self,
        items: &[Item],
        spec: &'static BlockSpec,
        parent: &ast::Block,
    ) -> Option<(&'static ChildSpec, Vec<Node>)> {
        let mut kind: Option<&'static ChildSpec> = None;
        let mut nodes = Vec::new();
        for item in items {
            match item {
                Item::Error(_) => {}
                Item::Field(_) | Item::Command(_) | Item::Extra(_) | Item::Input(_) => {
                    let what = match item {
                        Item::Field(f) => format!("the field `{}`", f.name.name),
                        Item::Command(c) => format!("`{}`", c.name.name),
                        Item::Extra(_) => "`extra`".into(),
                        _ => "`input`".into(),
                    };
                    self.push(
                        Diagnostic::error(Code::ConditionalField, format!("{what} cannot be inside `for` or `if`"))
                            .at(item.span(), "only blocks (elements, buttons, adjustments) can repeat or be conditional")
                            .help("move it out of the `for`/`if`; an optional input that is absent already leaves its field out"),
                    );
                }
                _ => {
                    if let Some((c, node)) = self.child_node(item, spec, parent) {
                        if self.same_kind(&mut kind, c, item.span()) {
                            nodes.push(node);
                        }
                    }
                }
            }
        }
        kind.map(|k| (k, nodes))
    }

    // -----------------------------------------------------------------------------------------
    // Values

    /// A field's value, checked against what the field accepts.
    fn field_ir(&mut self, key: &str, v: &Value, spec: &FieldSpec) -> Option<FieldIr> {
        let val = self.value(v, spec)?;
        if let Some(limit) = spec.limit {
            self.worst_case(spec, limit, v);
        }
        let literal_markup = match (v, &val) {
            (Value::Str(s), Val::Str(_)) => self.literal_markup(s, spec),
            _ => false,
        };
        Some(FieldIr {
            key: key.into(),
            val,
            spec: *spec,
            span: v.span(),
            literal_markup,
        })
    }

    /// Markup in the literal parts of an interpolated string (M4003), reported where it is.
    fn literal_markup(&mut self, s: &StrLit, spec: &FieldSpec) -> bool {
        let mut found = false;
        for part in &s.parts {
            let StrPart::Lit { text, span } = part else {
                continue;
            };
            let Some(values::Lint::Styling(start, end, what)) = values::lint(spec, text) else {
                continue;
            };
            found = true;
            let verbatim = self.text.get(span.range()) == Some(text.as_str());
            let cx = values::Context {
                field: spec.name,
                value: text,
                span: *span,
                data_path: None,
            };
            let lint = values::Lint::Styling(start, end, what);
            let d = values::lint_diagnostic(&lint, &cx, verbatim.then_some(span.start as usize));
            self.push(d);
        }
        found
    }

    fn mismatch(&mut self, spec: &FieldSpec, span: Span, found: &str, help: String) {
        self.push(
            Diagnostic::error(
                Code::TypeMismatch,
                format!(
                    "`{}` needs {}, found {found}",
                    spec.name,
                    spec.kind.describe()
                ),
            )
            .at(span, format!("expected {}", spec.kind.describe()))
            .help(help),
        );
    }

    fn value(&mut self, v: &Value, spec: &FieldSpec) -> Option<Val> {
        let kind = spec.kind;
        match v {
            Value::Str(s) => {
                if !kind.is_textual() {
                    let help = match (kind, s.as_literal()) {
                        (Kind::Bool, _) => format!("write `{}: true` or `{}: false`, without quotes", spec.name, spec.name),
                        (_, Some(t)) if t.trim().parse::<f64>().is_ok() => format!("write the number without quotes: `{}: {}`", spec.name, t.trim()),
                        _ => format!("give a number literal or a path to a `number` input, e.g. `{}: item.price`", spec.name),
                    };
                    self.mismatch(spec, s.span, "a string", help);
                    return None;
                }
                if let Some(text) = s.as_literal() {
                    if self.literal_problem(spec, &text, s.span) {
                        return None;
                    }
                    if let Some(l) = values::lint(spec, &text) {
                        let cx = values::Context {
                            field: spec.name,
                            value: &text,
                            span: s.span,
                            data_path: None,
                        };
                        // Point inside the literal when its source is the text itself.
                        let inner = s.span.start as usize + 1;
                        let verbatim = !s.block
                            && self.text.get(inner..s.span.end as usize - 1) == Some(text.as_str());
                        let d = values::lint_diagnostic(&l, &cx, verbatim.then_some(inner));
                        self.push(d);
                    }
                    return Some(Val::Lit(json_string(&text).into()));
                }
                self.string(s).map(Val::Str)
            }
            Value::Number(raw, span) => {
                let integer = crate::json::is_integer(raw);
                match kind {
                    Kind::Number => Some(Val::Lit(raw.as_str().into())),
                    Kind::Integer | Kind::TextOrInteger if integer => {
                        Some(Val::Lit(raw.as_str().into()))
                    }
                    Kind::Integer => {
                        self.mismatch(
                            spec,
                            *span,
                            "a number with a fraction",
                            format!("write a whole number, e.g. `{}: 2`", spec.name),
                        );
                        None
                    }
                    _ => {
                        self.mismatch(
                            spec,
                            *span,
                            "a number",
                            format!("write it in quotes: `{}: \"{raw}\"`", spec.name),
                        );
                        None
                    }
                }
            }
            Value::Bool(b, span) => {
                if kind == Kind::Bool {
                    Some(Val::Lit(if *b { "true" } else { "false" }.into()))
                } else {
                    let help = if kind.is_textual() {
                        format!("write it in quotes: `{}: \"{b}\"`", spec.name)
                    } else {
                        format!("give {}", kind.describe())
                    };
                    self.mismatch(spec, *span, "a boolean", help);
                    None
                }
            }
            Value::Null(span) => {
                if spec.required {
                    self.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            format!("`{}` is required and cannot be `null`", spec.name),
                        )
                        .at(*span, "`null` here")
                        .help(format!("give `{}` a value", spec.name)),
                    );
                    None
                } else {
                    Some(Val::Lit("null".into()))
                }
            }
            Value::Path(p) => {
                let resolved = self.resolve_path(p)?;
                let ok = match (&resolved.ty, kind) {
                    (Ty::Unknown, _) => true,
                    (Ty::String { .. } | Ty::Url { .. }, k) => k.is_textual(),
                    (Ty::Integer, Kind::Number | Kind::Integer | Kind::TextOrInteger) => true,
                    (Ty::Number, Kind::Number) => true,
                    (Ty::Bool, Kind::Bool) => true,
                    _ => false,
                };
                if !ok {
                    let dotted = p.dotted();
                    let declared = resolved.ty.phrase();
                    let help = match (&resolved.ty, kind) {
                        (Ty::Number | Ty::Integer | Ty::Bool, k) if k.is_textual() => {
                            format!("write `\"{{{{ {dotted} }}}}\"` to insert it as text")
                        }
                        (Ty::Object(_) | Ty::List { .. }, _) => format!("pick a field of it, e.g. `{dotted}.name`"),
                        (Ty::Number, Kind::Integer) => format!("declare `{dotted}` as `integer` in `input`"),
                        (Ty::String { .. } | Ty::Url { .. }, Kind::Number | Kind::Integer) => format!(
                            "`{}` needs the amount itself, not a formatted label: give it a `number` input (e.g. `price: number`)",
                            spec.name
                        ),
                        _ => format!("declare `{dotted}` as {} in `input`", match kind {
                            Kind::Number => "`number`",
                            Kind::Integer => "`integer`",
                            Kind::Bool => "`bool`",
                            _ => "`string`",
                        }),
                    };
                    let mut d = Diagnostic::error(
                        Code::TypeMismatch,
                        format!(
                            "`{}` needs {}, but `{dotted}` is declared {declared}",
                            spec.name,
                            kind.describe()
                        ),
                    )
                    .at(p.span, format!("this is {declared}"));
                    if let Some(decl) = resolved.decl {
                        d = d.at(decl, "declared here");
                    }
                    self.push(d.help(help));
                    return None;
                }
                Some(Val::Path(self.path_ir(p, &resolved)))
            }
        }
    }

    fn resolve_path(&mut self, p: &ast::Path) -> Option<Resolved> {
        let segs: Vec<(&str, Span)> = p
            .segments
            .iter()
            .map(|s| (s.name.as_str(), s.span))
            .collect();
        match self.scope().resolve(&segs) {
            Ok(r) => Some(r),
            Err(d) => {
                self.push(d);
                None
            }
        }
    }

    fn path_ir(&self, p: &ast::Path, r: &Resolved) -> PathIr {
        PathIr {
            base: r.base,
            keys: r.keys.iter().map(|k| k.as_str().into()).collect(),
            dotted: p.dotted().into(),
            span: p.span,
            optional: r.optional,
            decl: r.decl,
            numeric: matches!(r.ty, Ty::Number | Ty::Integer),
        }
    }

    fn extra(&mut self, e: &ast::Extra) -> Option<Member> {
        let keys: Vec<String> = e.members.iter().map(|m| format!("`{}`", m.key)).collect();
        self.push(
            Diagnostic::warning(Code::ExtraFields, format!("`extra` fields are copied to the output unchecked: {}", keys.join(", ")))
                .at(e.span.sub(0, 5), "not checked against Messenger's rules")
                .help("check these fields against Facebook's reference yourself; if missive should model one, open an issue"),
        );
        let mut members = Vec::new();
        for m in &e.members {
            members.push((m.key.as_str().into(), self.json_ir(&m.value)?));
        }
        Some(Member::Extra(members))
    }

    /// A key given twice in one JSON object of an `extra` block (M1005).
    fn repeated_json_key(&mut self, members: &[ast::JsonMember]) -> bool {
        let mut found = false;
        for (i, m) in members.iter().enumerate() {
            if let Some(first) = members[..i].iter().find(|p| p.key == m.key) {
                found = true;
                self.push(
                    Diagnostic::error(
                        Code::DuplicateField,
                        format!("`{}` is given twice in this JSON object", m.key),
                    )
                    .at(m.key_span, "given again here")
                    .at(first.key_span, "first given here")
                    .help("keep one of them: JSON readers keep only one, and which one varies"),
                );
            }
        }
        found
    }

    fn json_ir(&mut self, v: &ast::JsonValue) -> Option<JsonIr> {
        Some(match v {
            ast::JsonValue::Str(s) => match s.as_literal() {
                Some(t) => JsonIr::Lit(json_string(&t).into()),
                None => JsonIr::Str(self.string(s)?, s.span),
            },
            ast::JsonValue::Number(n, _) => JsonIr::Lit(n.as_str().into()),
            ast::JsonValue::Bool(b, _) => JsonIr::Lit(if *b { "true" } else { "false" }.into()),
            ast::JsonValue::Null(_) => JsonIr::Lit("null".into()),
            ast::JsonValue::Array(items, _) => JsonIr::Array(
                items
                    .iter()
                    .map(|i| self.json_ir(i))
                    .collect::<Option<Vec<_>>>()?,
            ),
            ast::JsonValue::Object(members, _) if self.repeated_json_key(members) => return None,
            ast::JsonValue::Object(members, _) => JsonIr::Object(
                members
                    .iter()
                    .map(|m| Some((m.key.as_str().into(), self.json_ir(&m.value)?)))
                    .collect::<Option<Vec<_>>>()?,
            ),
        })
    }
}

/// A string as JSON text.
pub(crate) fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}
