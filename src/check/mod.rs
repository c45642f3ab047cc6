//! Checking: syntax tree -> compiled template (IR) and every diagnostic at once. Names and types
//! are resolved here, literals are measured exactly, and each construct is checked against
//! Messenger's model (`schema`) and the profile's limits.

pub mod bounds;
pub mod data;
pub mod images;
pub mod lints;
pub mod schema;
pub mod types;
pub mod values;

use std::collections::HashMap;
use std::sync::Arc;

use schema::{BlockKind, BlockSpec, ChildSpec, FieldSpec, Kind};
use types::{Base, ObjTy, Resolved, Scope, Ty};

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

    /// Counts known before any data: literal elements and buttons over the limit.
    fn static_counts(&mut self, obj: &ObjIr) {
        for m in &obj.members {
            let Member::Items(items) = m else { continue };
            let Some(limit) = items.limit else { continue };
            let l = self.profile.limit(limit);
            let (max, cite) = (l.max, self.profile.cite(l));
            let total = items
                .nodes
                .iter()
                .filter(|n| matches!(n, Node::Obj { .. }))
                .count();
            let mut fewest = 0usize;
            for node in &items.nodes {
                let Node::Obj { span, .. } = node else {
                    continue;
                };
                fewest += 1;
                if fewest == max + 1 {
                    self.push(
                        Diagnostic::error(
                            Code::TooMany,
                            format!(
                                "too many `{}`s: {total}, Messenger allows {max}",
                                items.item
                            ),
                        )
                        .at(
                            *span,
                            format!(
                                "this is `{}` number {}, Messenger allows {max}",
                                items.item,
                                max + 1
                            ),
                        )
                        .help(format!(
                            "remove the extra `{}`s, or send them in another notification",
                            items.item
                        ))
                        .note(cite.clone()),
                    );
                }
            }
            if fewest > max {
                continue;
            }
            // The most the loops and conditions can produce, from the lists' declared `max`.
            match most(&items.nodes) {
                Ok(most) if most > max => {
                    let at = items.nodes.iter().find_map(|n| match n {
                        Node::For { list, .. } => Some(list.span),
                        _ => None,
                    });
                    self.push(
                        Diagnostic::warning(Code::TooMany, format!("there may be {most} `{}`s, Messenger allows {max}", items.item))
                            .at(at.unwrap_or(items.owner), format!("up to {most} `{}`s with the lists' declared `max`", items.item))
                            .help(format!("lower the `max` of the list in `input` so that at most {max} `{}`s can be produced", items.item))
                            .note(cite),
                    );
                }
                Ok(_) => {}
                Err(span) => {
                    self.push(
                        Diagnostic::warning(Code::NoMaxDeclared, format!("the number of `{}`s has no bound: the list is declared without `max`", items.item))
                            .at(span, format!("Messenger allows {max} `{}`s; this list can be any length", items.item))
                            .help(format!("declare the list as `list max {max} of {{ ... }}` so that check can prove it fits"))
                            .note(cite),
                    );
                }
            }
        }
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

    /// The shortest and longest renderings of a limited field that reads variables: an error
    /// when even the shortest is too long, a warning when the longest could be (M2001), and a
    /// warning when there is no bound to compute (M4008, M4009).
    fn worst_case(&mut self, spec: &FieldSpec, limit: LimitKey, v: &Value) {
        let bound = match v {
            Value::Path(p) => {
                let segs: Vec<(&str, Span)> = p
                    .segments
                    .iter()
                    .map(|s| (s.name.as_str(), s.span))
                    .collect();
                let Ok(r) = self.scope().resolve(&segs) else {
                    return;
                };
                let c = bounds::Contributor {
                    path: p.dotted(),
                    span: p.span,
                    max: None,
                    decl: r.decl,
                    url: false,
                };
                bounds::of_type(&r.ty, c)
            }
            Value::Str(s) if s.as_literal().is_none() => bounds::of_string(s, &self.scope()),
            _ => return,
        };
        let l = self.profile.limit(limit);
        let (max, cite) = (l.max, self.profile.cite(l));
        let field = spec.name;
        let span = v.span();
        if bound.min > max {
            self.push(
                Diagnostic::error(
                    Code::TooLong,
                    format!(
                        "`{field}` is at least {} characters long, the limit is {max}",
                        bound.min
                    ),
                )
                .at(
                    span,
                    format!("{} characters even with every variable empty", bound.min),
                )
                .help(format!(
                    "shorten the literal text of `{field}` to fit in {max} characters"
                ))
                .note(cite),
            );
            return;
        }
        match bound.max {
            Ok(most) if most > max => {
                let when: Vec<String> = bound
                    .contributors
                    .iter()
                    .filter_map(|c| c.max.map(|m| format!("`{}` is {m} long", c.path)))
                    .collect();
                let when = if when.is_empty() {
                    String::new()
                } else {
                    format!(" when {}", join_and(&when))
                };
                let mut d = Diagnostic::warning(
                    Code::TooLong,
                    format!("`{field}` may reach {most} characters, the limit is {max}"),
                )
                .at(span, format!("up to {most} characters{when}"));
                let mut seen = Vec::new();
                for c in &bound.contributors {
                    if let (Some(decl), Some(m)) = (c.decl, c.max) {
                        if !seen.contains(&decl) {
                            seen.push(decl);
                            d = d.at(decl, format!("declared `max {m}`"));
                        }
                    }
                }
                let over = most - max;
                let help = if field == "customer_id" {
                    format!(
                        "lower the `max` of its variables by {over} characters in all: iAdvize holds a customer_id (extId) to {max} characters; the guide's scheme `instock-AB123-k45332j9i54` (purpose, product, session) needs 25"
                    )
                } else {
                    format!("lower the `max` of the variables by {over} characters in all, shorten the literal text, or cut the value with `| truncate(length=N)`")
                };
                self.push(d.help(help).note(cite));
            }
            Ok(_) => {}
            Err(bounds::Unbounded::NoMax(c)) => {
                let room = max.saturating_sub(bound.min).max(1);
                let name = c.path.rsplit('.').next().unwrap_or(&c.path).to_string();
                let mut d = Diagnostic::warning(
                    Code::NoMaxDeclared,
                    format!(
                        "`{field}` has no length bound: `{}` is declared without `max`",
                        c.path
                    ),
                )
                .at(
                    c.span,
                    format!("`{field}` allows {max} characters; this can be any length"),
                );
                if let Some(decl) = c.decl {
                    d = d.at(decl, "declared here without `max`");
                }
                self.push(
                    d.help(format!(
                        "declare a bound, e.g. `{name}: {} max {room}`, so that check can prove `{field}` fits; or cut it with `| truncate(length={room})`",
                        if c.url { "url" } else { "string" }
                    ))
                        .note(cite),
                );
            }
            Err(bounds::Unbounded::Opaque { span: at, what }) => {
                self.push(
                    Diagnostic::warning(Code::Unboundable, format!("missive cannot bound the length of `{field}`"))
                        .at(at, format!("{what} is outside what the length analysis understands"))
                        .help(format!(
                            "the limit ({max} characters) is still checked on every rendered value; to check it ahead, keep to paths, `if`, `for` and filters such as `truncate(length=N)`, `default`, `upper`"
                        ))
                        .note(cite),
                );
            }
        }
    }

    /// M4004 for a receipt whose summary and adjustments are all literal numbers (a payload
    /// being linted, or a template without data); with data, render checks them.
    fn literal_totals(&mut self, payload: &ObjIr) {
        let lit = |obj: &ObjIr, key: &str| -> Option<Option<(f64, Span, String)>> {
            for m in &obj.members {
                if let Member::Field(f) = m {
                    if &*f.key == key {
                        return match &f.val {
                            Val::Lit(raw) => raw
                                .parse::<f64>()
                                .ok()
                                .map(|v| Some((v, f.span, raw.to_string()))),
                            _ => None,
                        };
                    }
                }
            }
            Some(None)
        };
        let mut summary = None;
        let mut adjustments = 0.0;
        for m in &payload.members {
            let Member::Items(items) = m else { continue };
            for node in &items.nodes {
                let Node::Obj { obj, .. } = node else { return };
                match items.key {
                    "summary" => summary = Some(obj),
                    "adjustments" => match lit(obj, "amount") {
                        Some(Some((v, _, _))) => adjustments += v,
                        _ => return,
                    },
                    _ => {}
                }
            }
        }
        let Some(summary) = summary else { return };
        let (Some(Some((subtotal, _, _))), Some(Some((total, span, written)))) =
            (lit(summary, "subtotal"), lit(summary, "total_cost"))
        else {
            return;
        };
        let (Some(shipping), Some(tax)) =
            (lit(summary, "shipping_cost"), lit(summary, "total_tax"))
        else {
            return;
        };
        let value = |v: Option<(f64, Span, String)>| v.map_or(0.0, |(v, _, _)| v);
        if let Some(d) = crate::render::totals_diagnostic(
            subtotal,
            value(shipping),
            value(tax),
            adjustments,
            total,
            &written,
            span,
        ) {
            self.push(d);
        }
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

    /// A string with interpolations: plain `{{ path }}`s are joined directly; anything else is
    /// compiled by minijinja.
    fn string(&mut self, s: &StrLit) -> Option<StrIr> {
        let plain = s.parts.iter().all(|p| match p {
            StrPart::Lit { .. } | StrPart::Comment { .. } => true,
            StrPart::Expr { src, .. } => is_plain_path(src),
            StrPart::Stmt { .. } => false,
        });
        if plain {
            let mut parts = Vec::new();
            let mut ok = true;
            for p in &s.parts {
                match p {
                    StrPart::Lit { text, .. } => parts.push(Part::Lit(text.as_str().into())),
                    StrPart::Expr { src, span } => {
                        let (path, _) = self.text_path(src, *span);
                        match path {
                            Some(path) => parts.push(Part::Path(path)),
                            None => ok = false,
                        }
                    }
                    _ => {}
                }
            }
            return ok.then_some(StrIr::Parts(parts));
        }
        // Build the minijinja source; literal text is protected with `raw` when it has braces.
        let mut src = String::new();
        let mut map: Vec<(usize, usize)> = Vec::new();
        for p in &s.parts {
            match p {
                StrPart::Lit { text, span } => {
                    map.push((src.len(), span.start as usize));
                    if text.contains(['{', '}', '%', '#']) {
                        // Braces written with `\{` stay text: emit them as a string literal.
                        src.push_str("{{ '");
                        for c in text.chars() {
                            match c {
                                '\\' => src.push_str("\\\\"),
                                '\'' => src.push_str("\\'"),
                                '\n' => src.push_str("\\n"),
                                '\r' => src.push_str("\\r"),
                                '\t' => src.push_str("\\t"),
                                c => src.push(c),
                            }
                        }
                        src.push_str("' }}");
                    } else {
                        src.push_str(text);
                    }
                }
                StrPart::Expr { src: e, span } => {
                    map.push((src.len(), span.start as usize));
                    src.push_str("{{");
                    src.push_str(e);
                    src.push_str("}}");
                }
                StrPart::Stmt { src: e, span } => {
                    map.push((src.len(), span.start as usize));
                    src.push_str("{%");
                    src.push_str(e);
                    src.push_str("%}");
                }
                StrPart::Comment { .. } => {}
            }
        }
        let to_source = |pos: usize| -> usize {
            let i = map.partition_point(|&(p, _)| p <= pos).max(1) - 1;
            map.get(i)
                .map_or(s.span.start as usize, |&(p, start)| start + (pos - p))
        };
        let mut ok = true;
        for p in &s.parts {
            if let StrPart::Expr { src, span } | StrPart::Stmt { src, span } = p {
                ok &= self.filters_exist(src, span.start as usize + 2);
            }
        }
        let engine = self.engine(src, s.span, to_source);
        engine.filter(|_| ok).map(StrIr::Engine)
    }

    /// Reports filters and tests that minijinja does not have (it would only say so while
    /// rendering). `src` starts at byte `at` of the template.
    fn filters_exist(&mut self, src: &str, at: usize) -> bool {
        let mut ok = true;
        // minijinja-contrib's `truncate` takes keyword arguments only.
        if let Some(i) = src.find("truncate(") {
            let args = src[i + 9..].trim_start();
            if args.starts_with(|c: char| c.is_ascii_digit()) {
                ok = false;
                let n: String = args.chars().take_while(char::is_ascii_digit).collect();
                self.push(
                    Diagnostic::error(
                        Code::InvalidInterpolation,
                        "`truncate` takes its length by name",
                    )
                    .at(
                        Span::new(at + i, at + i + 9),
                        "a positional argument here fails when rendering",
                    )
                    .help(format!("write `truncate(length={n})`")),
                );
            }
        }
        for (name, offset, is_test) in filter_names(src) {
            let probe = if is_test {
                format!("{{{{ none is {name} }}}}")
            } else {
                format!("{{{{ none | {name} }}}}")
            };
            let unknown = match self.env.render_str(&probe, ()) {
                Err(e) => matches!(
                    e.kind(),
                    minijinja::ErrorKind::UnknownFilter | minijinja::ErrorKind::UnknownTest
                ),
                Ok(_) => false,
            };
            if !unknown {
                continue;
            }
            ok = false;
            let what = if is_test { "test" } else { "filter" };
            let span = Span::new(at + offset, at + offset + name.len());
            let known: &[&str] = if is_test { KNOWN_TESTS } else { KNOWN_FILTERS };
            let mut d = Diagnostic::error(
                Code::InvalidInterpolation,
                format!("unknown {what} `{name}`"),
            )
            .at(span, format!("minijinja has no such {what}"));
            d = match types::suggest(name, known.iter().copied()) {
                Some(s) => d.help(format!("a {what} with a similar name exists: `{s}`")),
                None => d.help(format!("the {what}s are minijinja's built-in ones and `truncate`, `pluralize`, `striptags`")),
            };
            self.push(d);
        }
        ok
    }

    /// Compiles a minijinja source and resolves the variables it reads.
    fn engine(
        &mut self,
        src: String,
        span: Span,
        to_source: impl Fn(usize) -> usize,
    ) -> Option<Engine> {
        let name = format!("s{}", self.engines);
        self.engines += 1;
        if let Err(e) = self.env.add_template_owned(name.clone(), src) {
            let at = e
                .range()
                .map(|r| Span::new(to_source(r.start), to_source(r.end.max(r.start))))
                .filter(|s| s.start >= span.start && s.end <= span.end)
                .unwrap_or(span);
            let detail = e.detail().unwrap_or("invalid expression").to_string();
            self.push(
                Diagnostic::error(Code::InvalidInterpolation, format!("invalid template expression: {detail}"))
                    .at(at, detail)
                    .help("interpolations use minijinja syntax: `{{ product.name }}`, `{{ price | round(2) }}`, `{% if first_name %}...{% endif %}`; inside a `\"...\"` string, quote text with `'...'`"),
            );
            return None;
        }
        let tmpl = self.env.get_template(&name).expect("just added");
        let mut vars: Vec<String> = tmpl.undeclared_variables(true).into_iter().collect();
        vars.sort();
        let mut roots: Vec<Box<str>> = Vec::new();
        let mut locals: Vec<(Box<str>, usize)> = Vec::new();
        let mut ok = true;
        for var in vars {
            let segs: Vec<&str> = var.split('.').collect();
            if types::ENGINE_NAMES.contains(&segs[0]) {
                continue;
            }
            let at = self.find_in(span, segs[0]);
            let spans: Vec<(&str, Span)> = segs.iter().map(|s| (*s, at)).collect();
            match self.scope().resolve(&spans) {
                Ok(r) => match r.base {
                    Base::Root => {
                        if !roots.iter().any(|x| &**x == segs[0]) {
                            roots.push(segs[0].into());
                        }
                    }
                    Base::Local(depth) => {
                        if !locals
                            .iter()
                            .any(|(x, _): &(Box<str>, usize)| &**x == segs[0])
                        {
                            locals.push((segs[0].into(), depth));
                        }
                    }
                },
                Err(d) => {
                    ok = false;
                    self.push(d);
                }
            }
        }
        ok.then(|| Engine {
            name: name.into(),
            roots,
            locals,
            span,
        })
    }

    /// The span of the first occurrence of a name inside a span of the source.
    fn find_in(&self, span: Span, name: &str) -> Span {
        let text = &self.text[span.range()];
        let mut from = 0;
        while let Some(i) = text[from..].find(name) {
            let at = from + i;
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if boundary(before) && boundary(after) && before != Some('.') {
                return span.sub(at, at + name.len());
            }
            from = at + name.len();
        }
        span
    }

    /// A plain `{{ path }}` in text.
    fn text_path(&mut self, src: &str, span: Span) -> (Option<PathIr>, ()) {
        let trimmed = src.trim();
        let lead = src.len() - src.trim_start().len();
        let start = span.start as usize + 2 + lead;
        let mut segs: Vec<(&str, Span)> = Vec::new();
        let mut off = 0;
        for seg in trimmed.split('.') {
            segs.push((seg, Span::new(start + off, start + off + seg.len())));
            off += seg.len() + 1;
        }
        let r = match self.scope().resolve(&segs) {
            Ok(r) => r,
            Err(d) => {
                self.push(d);
                return (None, ());
            }
        };
        if matches!(r.ty, Ty::Object(_) | Ty::List { .. }) {
            self.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "`{trimmed}` is {}, which cannot be inserted into text",
                        r.ty.describe()
                    ),
                )
                .at(span, "not a text value")
                .help(format!(
                    "insert one of its fields, e.g. `{{{{ {trimmed}.name }}}}`"
                )),
            );
            return (None, ());
        }
        let path = ast::Path {
            segments: segs
                .iter()
                .map(|(n, s)| ast::Ident {
                    name: n.to_string(),
                    span: *s,
                })
                .collect(),
            span: Span::new(start, start + trimmed.len()),
        };
        (Some(self.path_ir(&path, &r)), ())
    }

    fn condition(&mut self, c: &ast::Condition) -> Option<Cond> {
        if is_plain_path(&c.text) {
            let path = ast::Path {
                segments: {
                    let mut off = 0;
                    c.text
                        .split('.')
                        .map(|seg| {
                            let s = c.span.sub(off, off + seg.len());
                            off += seg.len() + 1;
                            ast::Ident {
                                name: seg.to_string(),
                                span: s,
                            }
                        })
                        .collect()
                },
                span: c.span,
            };
            let r = self.resolve_path(&path)?;
            return Some(Cond::Path(self.path_ir(&path, &r)));
        }
        if !self.filters_exist(&c.text, c.span.start as usize) {
            return None;
        }
        let prefix = "{% if ".len();
        let src = format!("{{% if {} %}}1{{% endif %}}", c.text);
        let start = c.span.start as usize;
        let len = c.text.len();
        self.engine(src, c.span, move |pos| {
            start + pos.saturating_sub(prefix).min(len)
        })
        .map(Cond::Engine)
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

/// The most items nodes can produce, or the span of a `for` over a list without `max`.
fn most(nodes: &[Node]) -> Result<usize, Span> {
    let mut total = 0;
    for n in nodes {
        total += match n {
            Node::Obj { .. } => 1,
            Node::For {
                max: Some(m), body, ..
            } => *m as usize * most(body)?,
            Node::For {
                max: None, list, ..
            } => return Err(list.span),
            Node::If {
                branches,
                otherwise,
            } => {
                let mut best = most(otherwise)?;
                for (_, b) in branches {
                    best = best.max(most(b)?);
                }
                best
            }
        };
    }
    Ok(total)
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// minijinja's filters (with minijinja-contrib's), for suggestions.
const KNOWN_FILTERS: &[&str] = &[
    "abs",
    "attr",
    "batch",
    "bool",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "format",
    "groupby",
    "indent",
    "int",
    "items",
    "join",
    "last",
    "length",
    "lines",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "pprint",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "safe",
    "select",
    "selectattr",
    "slice",
    "sort",
    "split",
    "string",
    "sum",
    "title",
    "tojson",
    "trim",
    "unique",
    "upper",
    "urlencode",
    "truncate",
    "pluralize",
    "striptags",
    "filesizeformat",
];

const KNOWN_TESTS: &[&str] = &[
    "defined",
    "undefined",
    "none",
    "true",
    "false",
    "boolean",
    "number",
    "integer",
    "float",
    "string",
    "sequence",
    "mapping",
    "iterable",
    "odd",
    "even",
    "divisibleby",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "startingwith",
    "endingwith",
    "containing",
    "lower",
    "upper",
    "safe",
    "escaped",
    "filter",
    "test",
];

/// The filters (`| name`) and tests (`is name`) of an expression, with their byte offsets;
/// quoted strings are skipped.
fn filter_names(src: &str) -> Vec<(&str, usize, bool)> {
    let b = src.as_bytes();
    let ident = |from: usize| -> (usize, usize) {
        let mut i = from;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        (start, i)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'|' => {
                let (s, e) = ident(i + 1);
                if e > s {
                    out.push((&src[s..e], s, false));
                }
            }
            c if c.is_ascii_alphabetic()
                && (i == 0
                    || !(b[i - 1].is_ascii_alphanumeric()
                        || b[i - 1] == b'_'
                        || b[i - 1] == b'.')) =>
            {
                let (s, e) = ident(i);
                if &src[s..e] == "is" {
                    let (mut s2, mut e2) = ident(e);
                    if &src[s2..e2] == "not" {
                        (s2, e2) = ident(e2);
                    }
                    if e2 > s2 {
                        out.push((&src[s2..e2], s2, true));
                    }
                }
                i = e.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `name` or `a.b.c`: a path that needs no template engine.
fn is_plain_path(src: &str) -> bool {
    let t = src.trim();
    !t.is_empty()
        && t.split('.').all(|seg| {
            let mut c = seg.chars();
            c.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        && !types::ENGINE_NAMES.contains(&t.split('.').next().unwrap_or(""))
}

/// A string as JSON text.
pub(crate) fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}
