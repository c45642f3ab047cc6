//! Import: a JSON payload -> the syntax tree of a template that renders it back, with every
//! span pointing into the JSON. The same tree serves two purposes: printed, it is the `.missive`
//! source of `missive import`; checked as is, it lints the raw payload (`missive check
//! PAYLOAD.json`) with the template checks, each diagnostic at its line in the JSON file.

use crate::diagnostic::{codes, Diagnostic};
use crate::json::{Json, Member, Node};
use crate::span::Span;
use crate::syntax::ast::*;

/// What the tree is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A template to print: fields missive does not model go into `extra { }`.
    Import,
    /// A payload to check: unknown fields stay fields, so the checker names them (and
    /// suggests the near name), as Facebook refuses them.
    Lint,
}

/// The tree and what the import had to say.
#[derive(Debug)]
pub(crate) struct Imported {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Builds the template of a payload: an iAdvize body (`{"text", "attachment"}`), a bare
/// attachment, or a Send API envelope (`{"recipient", "messaging_type", "tag", "message"}`).
pub(crate) fn import(root: &Node<'_>, name: &str, mode: Mode) -> Imported {
    let mut b = Builder {
        mode,
        diags: Vec::new(),
    };
    let mut items = vec![command(
        "notification",
        Span::new(0, 0),
        vec![Value::Path(path(name, Span::new(0, 0)))],
    )];
    let Json::Object(members) = &root.value else {
        b.diags.push(
            codes::m6005_import_shape(format!("a payload is a JSON object, this is {}", root.type_name()))
                .at(root.span, "expected `{ \"text\": ..., \"attachment\": ... }`")
                .help("give the message body, a bare attachment, or a Send API request (`{\"recipient\", \"message\"}`)"),
        );
        return Imported {
            file: File {
                items,
                comments: Vec::new(),
            },
            diagnostics: b.diags,
        };
    };
    let body = if let Some(message) = root
        .get("message")
        .filter(|_| root.get("recipient").is_some() || root.get("messaging_type").is_some())
    {
        for m in members {
            match &*m.key {
                "message" => {}
                "messaging_type" | "tag" => {
                    if let Some(v) = b.value(&m.key, &m.value) {
                        items.push(command(&m.key, m.key_span, vec![v]));
                    }
                }
                "recipient" if mode == Mode::Lint => {}
                "recipient" => b.diags.push(
                    codes::m6004_import_dropped("`recipient` is left out of the template")
                        .at(m.key_span, "per-send data, not part of the notification")
                        .help("give the recipient when sending: `missive render --profile messenger --emit request --recipient PSID`"),
                ),
                // Send API envelope fields missive does not model: valid for Facebook.
                "notification_type" | "persona_id" if mode == Mode::Lint => {}
                _ => b.outside(m, "the request"),
            }
        }
        message
    } else {
        root
    };
    if body.get("type").is_some() && body.get("payload").is_some() {
        // A bare attachment.
        items.extend(b.attachment(body, body.span));
    } else {
        b.body(body, &mut items);
    }
    Imported {
        file: File {
            items,
            comments: Vec::new(),
        },
        diagnostics: b.diags,
    }
}

struct Builder {
    mode: Mode,
    diags: Vec<Diagnostic>,
}

fn ident(name: &str, span: Span) -> Ident {
    Ident {
        name: name.to_string(),
        span,
    }
}

fn path(name: &str, span: Span) -> Path {
    Path {
        segments: vec![ident(name, span)],
        span,
    }
}

fn command(name: &str, span: Span, args: Vec<Value>) -> Item {
    Item::Command(Command {
        name: ident(name, span),
        args,
        span,
    })
}

fn block(kind: &str, label: Option<&str>, span: Span, items: Vec<Item>) -> Item {
    Item::Block(Block {
        kind: ident(kind, span),
        label: label.map(|l| ident(l, span)),
        items,
        span,
    })
}

fn string(text: &str, span: Span) -> StrLit {
    StrLit {
        span,
        parts: vec![StrPart::Lit {
            text: text.to_string(),
            span,
        }],
        block: false,
    }
}

impl Builder {
    /// The message body: `text`, `attachment`, and anything else.
    fn body(&mut self, body: &Node<'_>, items: &mut Vec<Item>) {
        let Json::Object(members) = &body.value else {
            self.diags.push(
                codes::m6005_import_shape(format!(
                    "the message should be an object, found {}",
                    body.type_name()
                ))
                .at(
                    body.span,
                    "expected `{ \"text\": ..., \"attachment\": ... }`",
                )
                .help("a message has a `text`, an `attachment`, or both"),
            );
            return;
        };
        for m in members {
            match &*m.key {
                "text" => {
                    if let Some(v) = self.value("text", &m.value) {
                        items.push(command("text", m.key_span, vec![v]));
                    }
                }
                "attachment" => items.extend(self.attachment(&m.value, m.key_span)),
                "quick_replies" => items.extend(self.quick_replies(m)),
                "metadata" => {
                    if let Some(v) = self.value("metadata", &m.value) {
                        items.push(command("metadata", m.key_span, vec![v]));
                    }
                }
                _ if self.mode == Mode::Lint => self.unknown_key(
                    m,
                    "the message",
                    &["text", "attachment", "quick_replies", "metadata"],
                ),
                _ => items.extend(self.unknown(m)),
            }
        }
    }

    /// A key that has no place in a template: reported (lint) or left out with a warning.
    fn outside(&mut self, m: &Member<'_>, what: &str) {
        match self.mode {
            Mode::Lint => self.unknown_key(m, what, &["recipient", "messaging_type", "tag", "message", "notification_type", "persona_id", "type", "payload"]),
            Mode::Import => self.diags.push(
                codes::m6004_import_dropped(format!("`{}` of {what} is left out of the template", m.key))
                    .at(m.key_span, "missive has no place for it here")
                    .help("add it to the request yourself when sending, or tell us which Messenger field it is"),
            ),
        }
    }

    /// An unknown key in a payload being linted (M1002), with the near name.
    fn unknown_key(&mut self, m: &Member<'_>, what: &str, known: &[&str]) {
        let mut d = codes::m1002_unknown_field(format!("unknown key `{}` in {what}", m.key)).at(
            m.key_span,
            "Facebook refuses keys it does not know (\"Invalid keys were found\")",
        );
        d = match crate::model::types::suggest(&m.key, known.iter().copied()) {
            Some(s) => d.help(format!("a key with a similar name exists: `{s}`")),
            None => d.help(format!(
                "the keys of {what} are {}",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        self.diags.push(d);
    }

    /// A field's value; objects and lists are not values (M6002).
    fn value(&mut self, key: &str, node: &Node<'_>) -> Option<Value> {
        Some(match &node.value {
            Json::String(s) => Value::Str(string(s, node.span)),
            Json::Number(n) => Value::Number(n.to_string(), node.span),
            Json::Bool(b) => Value::Bool(*b, node.span),
            Json::Null => Value::Null(node.span),
            Json::Array(_) | Json::Object(_) => {
                self.diags.push(
                    codes::m6002_import_type(format!(
                        "`{key}` should be a plain value, found {}",
                        node.type_name()
                    ))
                    .at(node.span, format!("{} here", node.type_name()))
                    .help(format!(
                        "Messenger takes text, a number or a boolean for `{key}`"
                    )),
                );
                return None;
            }
        })
    }

    /// A key missive does not model: a field (lint, so that the checker names it) or an
    /// `extra` member (import, so that nothing is lost).
    fn unknown(&mut self, m: &Member<'_>) -> Option<Item> {
        match self.mode {
            Mode::Lint => {
                let value = match &m.value.value {
                    Json::Array(_) | Json::Object(_) => Value::Null(m.value.span),
                    _ => self.value(&m.key, &m.value)?,
                };
                Some(Item::Field(Field {
                    name: ident(&m.key, m.key_span),
                    value,
                    span: m.key_span.cover(m.value.span),
                }))
            }
            Mode::Import => {
                self.diags.push(
                    codes::m6001_import_extra(format!("`{}` is kept in an `extra` block", m.key))
                        .at(m.key_span, "a field missive does not model")
                        .help("it is copied to the output as is, unchecked; check it against Facebook's reference"),
                );
                Some(Item::Extra(Extra {
                    members: vec![JsonMember {
                        key: m.key.to_string(),
                        key_span: m.key_span,
                        value: json_value(&m.value),
                    }],
                    span: m.key_span,
                }))
            }
        }
    }

    /// Fields and unknown keys of an object, except `skip`.
    fn fields(&mut self, node: &Node<'_>, skip: &[&str], items: &mut Vec<Item>) {
        let Json::Object(members) = &node.value else {
            return;
        };
        for m in members {
            if skip.contains(&&*m.key) {
                continue;
            }
            match self.value(&m.key, &m.value) {
                Some(value) if !matches!(m.value.value, Json::Array(_) | Json::Object(_)) => items
                    .push(Item::Field(Field {
                        name: ident(&m.key, m.key_span),
                        value,
                        span: m.key_span.cover(m.value.span),
                    })),
                _ => {}
            }
        }
    }

    fn attachment(&mut self, node: &Node<'_>, key_span: Span) -> Vec<Item> {
        let kind = node.get("type").and_then(|t| match &t.value {
            Json::String(s) => Some(s.to_string()),
            _ => None,
        });
        let Some(payload) = node.get("payload") else {
            self.diags.push(
                codes::m6005_import_shape("the attachment has no `payload`")
                    .at(key_span, "expected `{ \"type\": ..., \"payload\": { ... } }`")
                    .help("an attachment is `{\"type\": \"image\", \"payload\": {\"url\": ...}}` or a template"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Json::Object(members) = &node.value {
            for m in members
                .iter()
                .filter(|m| !matches!(&*m.key, "type" | "payload"))
            {
                let guide_layout = kind.as_deref() == Some("template")
                    && matches!(&*m.key, "address" | "summary" | "adjustments");
                if !guide_layout {
                    self.outside(m, "the attachment");
                }
            }
        }
        match kind.as_deref() {
            Some(media @ ("image" | "video" | "audio" | "file")) => {
                out.extend(self.media(media, payload, key_span));
            }
            Some("template") => {
                let template_type = payload.get("template_type").and_then(|t| match &t.value {
                    Json::String(s) => Some(s.to_string()),
                    _ => None,
                });
                match template_type.as_deref() {
                    Some("generic") => out.push(self.generic(payload, key_span)),
                    Some("receipt") => out.push(self.receipt(payload, node, key_span)),
                    Some("button") => out.push(self.button_template(payload, key_span)),
                    Some("media") => out.push(self.media_template(payload, key_span)),
                    other => self.diags.push(
                        codes::m6005_import_shape(
                            format!("missive does not model the `{}` template", other.unwrap_or("?")),
                        )
                        .at(payload.get("template_type").map_or(payload.span, |t| t.span), "not `generic`, `receipt`, `button` or `media`")
                        .help("missive writes generic templates (carousels), receipts, button and media templates; keep other templates as JSON for now"),
                    ),
                }
            }
            other => self.diags.push(
                codes::m6005_import_shape(format!(
                    "missive does not model `{}` attachments",
                    other.unwrap_or("?")
                ))
                .at(
                    node.get("type").map_or(node.span, |t| t.span),
                    "not `image`, `video`, `audio`, `file` or `template`",
                )
                .help("missive writes image, video, audio, file and template attachments"),
            ),
        }
        out
    }

    /// Children of a block from an array: one block per item, at the array's key.
    /// A field copied as it is written: `key: value`.
    fn field(&mut self, m: &Member<'_>) -> Option<Item> {
        let value = self.value(&m.key, &m.value)?;
        Some(Item::Field(Field {
            name: ident(&m.key, m.key_span),
            value,
            span: m.key_span,
        }))
    }

    /// A `buttons` array as `button TYPE { }` blocks.
    fn buttons(&mut self, m: &Member<'_>) -> Vec<Item> {
        self.blocks_from(m, &mut |b: &mut Self, node: &Node<'_>, at: Span| {
            b.button(node, at)
        })
    }

    fn blocks_from(
        &mut self,
        array: &Member<'_>,
        build: &mut dyn FnMut(&mut Self, &Node<'_>, Span) -> Option<Item>,
    ) -> Vec<Item> {
        if matches!(&array.value.value, Json::Array(items) if items.is_empty())
            && &*array.key != "elements"
        {
            // `"buttons": []`: nothing to model, but the import keeps it so the output is the same.
            return match self.mode {
                Mode::Import => self.unknown(array).into_iter().collect(),
                Mode::Lint => Vec::new(),
            };
        }
        let Json::Array(items) = &array.value.value else {
            self.diags.push(
                codes::m6002_import_type(format!(
                    "`{}` should be a list, found {}",
                    array.key,
                    array.value.type_name()
                ))
                .at(array.value.span, "expected `[ ... ]`")
                .help(format!("give `{}` as a JSON array", array.key)),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| build(self, item, array.key_span))
            .collect()
    }

    fn object_or_error(&mut self, key: &str, node: &Node<'_>) -> bool {
        if matches!(node.value, Json::Object(_)) {
            return true;
        }
        self.diags.push(
            codes::m6002_import_type(format!(
                "`{key}` should be an object, found {}",
                node.type_name()
            ))
            .at(node.span, "expected `{ ... }`")
            .help(format!("give `{key}` as a JSON object")),
        );
        false
    }

    fn generic(&mut self, payload: &Node<'_>, key_span: Span) -> Item {
        let mut items = Vec::new();
        if let Json::Object(members) = &payload.value {
            for m in members {
                match &*m.key {
                    "template_type" => {}
                    "elements" => {
                        let mut element =
                            |b: &mut Self, node: &Node<'_>, at: Span| b.element(node, at);
                        let els = self.blocks_from(m, &mut element);
                        items.extend(els);
                    }
                    "sharable" | "image_aspect_ratio" => {
                        items.extend(self.field(m));
                    }
                    _ => items.extend(self.unknown(m)),
                }
            }
        }
        block("carousel", None, key_span, items)
    }

    /// An attachment by URL or id: `image URL` when the payload is a URL alone (the guide's
    /// form), `KIND { url | attachment_id, is_reusable }` otherwise.
    fn media(&mut self, kind: &str, payload: &Node<'_>, key_span: Span) -> Option<Item> {
        if !self.object_or_error("payload", payload) {
            return None;
        }
        let Json::Object(members) = &payload.value else {
            return None;
        };
        if let [only] = members.as_slice() {
            if only.key == "url" && matches!(only.value.value, Json::String(_)) {
                let url = self.value("url", &only.value)?;
                return Some(command(kind, key_span, vec![url]));
            }
        }
        let mut items = Vec::new();
        self.known_fields(
            payload,
            &["url", "is_reusable", "attachment_id"],
            &[],
            &mut items,
        );
        Some(block(kind, None, key_span, items))
    }

    /// The message's quick replies: `quick_replies { quick_reply TYPE { ... } }`.
    fn quick_replies(&mut self, m: &Member<'_>) -> Vec<Item> {
        if matches!(&m.value.value, Json::Array(items) if items.is_empty()) {
            // Nothing to model, but the import keeps it so the output is the same.
            return match self.mode {
                Mode::Import => self.unknown(m).into_iter().collect(),
                Mode::Lint => Vec::new(),
            };
        }
        if self.mode == Mode::Import {
            // A reply of a type missive does not model (`location`, from older samples): the
            // whole list stays in `extra`, as it was, rather than losing that reply.
            let unmodelled = match &m.value.value {
                Json::Array(items) => items.iter().any(|r| {
                    matches!(r.get("content_type").map(|t| &t.value),
                        Some(Json::String(t)) if !crate::model::schema::QUICK_REPLY_TYPES.contains(&&**t))
                }),
                _ => false,
            };
            if unmodelled {
                return self.unknown(m).into_iter().collect();
            }
        }
        let mut reply = |b: &mut Self, node: &Node<'_>, at: Span| b.quick_reply(node, at);
        let replies = self.blocks_from(m, &mut reply);
        if !matches!(&m.value.value, Json::Array(_)) {
            return Vec::new();
        }
        vec![block("quick_replies", None, m.key_span, replies)]
    }

    fn quick_reply(&mut self, node: &Node<'_>, at: Span) -> Option<Item> {
        if !self.object_or_error("quick reply", node) {
            return None;
        }
        let kind = match node.get("content_type").map(|t| &t.value) {
            Some(Json::String(s)) => s.to_string(),
            _ => {
                self.diags.push(
                    codes::m6005_import_shape("a quick reply without a `content_type`")
                        .at(node.span, "expected `\"content_type\": \"text\"`, `\"user_phone_number\"` or `\"user_email\"`")
                        .help("every Messenger quick reply has a `content_type`"),
                );
                return None;
            }
        };
        let known: &[&str] = match kind.as_str() {
            "text" => &["title", "payload", "image_url"],
            "user_phone_number" | "user_email" => &[],
            // The checker names the type: `quick_reply bogus` is M1011.
            _ if self.mode == Mode::Lint => &["title", "payload", "image_url"],
            other => {
                self.diags.push(
                    codes::m6005_import_shape(format!(
                        "missive does not model `{other}` quick replies"
                    ))
                    .at(
                        node.get("content_type").map_or(node.span, |t| t.span),
                        "not `text`, `user_phone_number` or `user_email`",
                    )
                    .help("keep this quick reply out of the template, or give the list in `extra`"),
                );
                return None;
            }
        };
        let mut items = Vec::new();
        self.known_fields(node, known, &["content_type"], &mut items);
        Some(block("quick_reply", Some(&kind), at, items))
    }

    /// A media template: `media { element { media_type, url | attachment_id, button } }`.
    fn media_template(&mut self, payload: &Node<'_>, key_span: Span) -> Item {
        let mut items = Vec::new();
        if let Json::Object(members) = &payload.value {
            for m in members {
                match &*m.key {
                    "template_type" => {}
                    "elements" => {
                        let mut element =
                            |b: &mut Self, node: &Node<'_>, at: Span| b.media_element(node, at);
                        let els = self.blocks_from(m, &mut element);
                        items.extend(els);
                    }
                    "sharable" => {
                        let single = Node {
                            span: payload.span,
                            value: Json::Object(vec![m.clone()]),
                        };
                        self.fields(&single, &[], &mut items);
                    }
                    _ => items.extend(self.unknown(m)),
                }
            }
        }
        block("media", None, key_span, items)
    }

    fn media_element(&mut self, node: &Node<'_>, at: Span) -> Option<Item> {
        if !self.object_or_error("element", node) {
            return None;
        }
        let Json::Object(members) = &node.value else {
            return None;
        };
        let mut items = Vec::new();
        for m in members {
            match &*m.key {
                "media_type" | "url" | "attachment_id" => {
                    items.extend(self.field(m));
                }
                "buttons" => {
                    items.extend(self.buttons(m));
                }
                _ => items.extend(self.unknown(m)),
            }
        }
        Some(block("element", None, at, items))
    }

    /// A button template: `buttons { text: ..., button ... }`.
    fn button_template(&mut self, payload: &Node<'_>, key_span: Span) -> Item {
        let mut items = Vec::new();
        if let Json::Object(members) = &payload.value {
            for m in members {
                match &*m.key {
                    "template_type" => {}
                    "text" => {
                        items.extend(self.field(m));
                    }
                    "buttons" => {
                        items.extend(self.buttons(m));
                    }
                    _ => items.extend(self.unknown(m)),
                }
            }
        }
        block("buttons", None, key_span, items)
    }

    fn element(&mut self, node: &Node<'_>, at: Span) -> Option<Item> {
        if !self.object_or_error("element", node) {
            return None;
        }
        let Json::Object(members) = &node.value else {
            return None;
        };
        let mut items = Vec::new();
        for m in members {
            match &*m.key {
                "title" | "subtitle" | "image_url" => {
                    items.extend(self.field(m));
                }
                "default_action" => {
                    if self.object_or_error("default_action", &m.value) {
                        let mut fields = Vec::new();
                        self.known_fields(
                            &m.value,
                            &[
                                "url",
                                "webview_height_ratio",
                                "messenger_extensions",
                                "fallback_url",
                                "webview_share_button",
                            ],
                            &["type"],
                            &mut fields,
                        );
                        items.push(block("default_action", None, m.key_span, fields));
                    }
                }
                "buttons" => {
                    items.extend(self.buttons(m));
                }
                _ => items.extend(self.unknown(m)),
            }
        }
        Some(block("element", None, at, items))
    }

    /// The `known` fields of an object as fields, `skip` ignored, the rest unknown.
    fn known_fields(
        &mut self,
        node: &Node<'_>,
        known: &[&str],
        skip: &[&str],
        items: &mut Vec<Item>,
    ) {
        let Json::Object(members) = &node.value else {
            return;
        };
        for m in members {
            if skip.contains(&&*m.key) {
                continue;
            }
            if known.contains(&&*m.key) || self.mode == Mode::Lint {
                if known.contains(&&*m.key) {
                    items.extend(self.field(m));
                } else {
                    items.extend(self.unknown(m));
                }
            } else {
                items.extend(self.unknown(m));
            }
        }
    }

    fn button(&mut self, node: &Node<'_>, at: Span) -> Option<Item> {
        if !self.object_or_error("button", node) {
            return None;
        }
        let kind = match node.get("type").map(|t| &t.value) {
            Some(Json::String(s)) => s.to_string(),
            _ => {
                self.diags.push(
                    codes::m6005_import_shape("a button without a `type`")
                        .at(node.span, "expected `\"type\": \"web_url\"`, `\"postback\"` or `\"phone_number\"`")
                        .help("every Messenger button has a `type`"),
                );
                return None;
            }
        };
        let known: &[&str] = match kind.as_str() {
            "web_url" => &[
                "title",
                "url",
                "webview_height_ratio",
                "messenger_extensions",
                "fallback_url",
                "webview_share_button",
            ],
            "postback" | "phone_number" | "game_play" => &["title", "payload"],
            "account_link" => &["url"],
            "account_unlink" => &[],
            _ if self.mode == Mode::Lint => &["title", "url", "payload"],
            other => {
                self.diags.push(
                    codes::m6005_import_shape(format!("missive does not model `{other}` buttons"))
                        .at(
                            node.get("type").map_or(node.span, |t| t.span),
                            "not a button type of Facebook's reference",
                        )
                        .help(
                            "keep this button out of the template, or write the element in `extra`",
                        ),
                );
                return None;
            }
        };
        let mut items = Vec::new();
        let metadata = node.get("game_metadata").filter(|_| kind == "game_play");
        let skip: &[&str] = if metadata.is_some() {
            &["type", "game_metadata"]
        } else {
            &["type"]
        };
        self.known_fields(node, known, skip, &mut items);
        if let Some(m) = metadata {
            if self.object_or_error("game_metadata", m) {
                let mut fields = Vec::new();
                self.known_fields(m, &["player_id", "context_id"], &[], &mut fields);
                let at = match &node.value {
                    Json::Object(ms) => ms
                        .iter()
                        .find(|x| x.key == "game_metadata")
                        .map_or(m.span, |x| x.key_span),
                    _ => m.span,
                };
                items.push(block("game_metadata", None, at, fields));
            }
        }
        Some(block("button", Some(&kind), at, items))
    }

    /// A receipt; `attachment` may hold `address`, `summary` and `adjustments` beside the
    /// payload, as the integration guide's example does: they are moved inside (M6003).
    fn receipt(&mut self, payload: &Node<'_>, attachment: &Node<'_>, key_span: Span) -> Item {
        let mut items = Vec::new();
        let mut parts: Vec<&Member<'_>> = Vec::new();
        if let Json::Object(members) = &payload.value {
            parts.extend(members.iter());
        }
        if let Json::Object(members) = &attachment.value {
            for m in members
                .iter()
                .filter(|m| matches!(&*m.key, "address" | "summary" | "adjustments"))
            {
                if payload.get(&m.key).is_some() {
                    self.outside(m, "the attachment (it is also inside `payload`)");
                } else {
                    self.diags.push(
                        codes::m6003_import_moved(format!("`{}` is beside `payload`; it belongs inside", m.key))
                            .at(m.key_span, "moved into the receipt's payload")
                            .help("Messenger reads `address`, `summary` and `adjustments` inside `payload`; beside it, Facebook ignores or refuses them")
                            .note("the integration guide's example places them beside `payload`"),
                    );
                    parts.push(m);
                }
            }
        }
        for m in parts {
            match &*m.key {
                "template_type" => {}
                "elements" => {
                    let mut element = |b: &mut Self, node: &Node<'_>, at: Span| {
                        if !b.object_or_error("element", node) {
                            return None;
                        }
                        let mut fields = Vec::new();
                        b.known_fields(
                            node,
                            &[
                                "title",
                                "subtitle",
                                "quantity",
                                "price",
                                "currency",
                                "image_url",
                            ],
                            &[],
                            &mut fields,
                        );
                        Some(block("element", None, at, fields))
                    };
                    let els = self.blocks_from(m, &mut element);
                    items.extend(els);
                }
                "address" | "summary" => {
                    if self.object_or_error(&m.key, &m.value) {
                        let known: &[&str] = if &*m.key == "address" {
                            &[
                                "street_1",
                                "street_2",
                                "city",
                                "postal_code",
                                "state",
                                "country",
                            ]
                        } else {
                            &["subtotal", "shipping_cost", "total_tax", "total_cost"]
                        };
                        let mut fields = Vec::new();
                        self.known_fields(&m.value, known, &[], &mut fields);
                        items.push(block(&m.key, None, m.key_span, fields));
                    }
                }
                "adjustments" => {
                    let mut adjustment = |b: &mut Self, node: &Node<'_>, at: Span| {
                        if !b.object_or_error("adjustment", node) {
                            return None;
                        }
                        let mut fields = Vec::new();
                        b.known_fields(node, &["name", "amount"], &[], &mut fields);
                        Some(block("adjustment", None, at, fields))
                    };
                    let adj = self.blocks_from(m, &mut adjustment);
                    items.extend(adj);
                }
                "recipient_name" | "merchant_name" | "order_number" | "currency"
                | "payment_method" | "order_url" | "timestamp" | "sharable" => {
                    let mut fields = Vec::new();
                    let single = Node {
                        span: payload.span,
                        value: Json::Object(vec![m.clone()]),
                    };
                    self.fields(&single, &[], &mut fields);
                    items.extend(fields);
                }
                _ => items.extend(self.unknown(m)),
            }
        }
        block("receipt", None, key_span, items)
    }
}

/// A JSON value as the `extra` block's JSON, keeping spans.
fn json_value(node: &Node<'_>) -> JsonValue {
    match &node.value {
        Json::Null => JsonValue::Null(node.span),
        Json::Bool(b) => JsonValue::Bool(*b, node.span),
        Json::Number(n) => JsonValue::Number(n.to_string(), node.span),
        Json::String(s) => JsonValue::Str(string(s, node.span)),
        Json::Array(items) => JsonValue::Array(items.iter().map(json_value).collect(), node.span),
        Json::Object(members) => JsonValue::Object(
            members
                .iter()
                .map(|m| JsonMember {
                    key: m.key.to_string(),
                    key_span: m.key_span,
                    value: json_value(&m.value),
                })
                .collect(),
            node.span,
        ),
    }
}

/// Lints a raw JSON payload with the template checks; every diagnostic points into the JSON.
/// The template is there when the payload has no error (for `--check-images`).
pub fn lint(text: &str, name: &str, options: &crate::Options) -> crate::Compiled {
    let node = match crate::json::parse(text) {
        Ok(n) => n,
        Err(mut d) => {
            // The payload is the file being checked, not a data file beside a template.
            for l in &mut d.labels {
                l.origin = crate::diagnostic::Origin::Template;
            }
            if d.code == crate::diagnostic::Code::InvalidJson {
                d.help = Some(
                    "a payload is one JSON object, with double-quoted keys and no trailing commas"
                        .into(),
                );
            }
            return crate::Compiled {
                template: None,
                diagnostics: vec![d],
                file: File::default(),
                input: Default::default(),
            };
        }
    };
    let mut imported = import(&node, name, Mode::Lint);
    // The tree holds what the check needs: the JSON's own tree is let go before it runs.
    drop(node);
    imported
        .diagnostics
        .extend(crate::syntax::bidi_in_json(text));
    crate::check::check_tree(imported.file, text, imported.diagnostics, options)
}

/// Imports a payload's text: the template's source, or the diagnostics that stop it.
pub fn to_source(text: &str, name: &str) -> Result<(String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let node = crate::json::parse(text).map_err(|mut d| {
        for l in &mut d.labels {
            l.origin = crate::diagnostic::Origin::Template;
        }
        vec![d]
    })?;
    let Imported { file, diagnostics } = import(&node, name, Mode::Import);
    // What follows needs the trees no more: they are let go before the source is compiled
    // (a payload of 100 MB makes trees of several times its size).
    let root_span = node.span;
    drop(node);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let source = crate::syntax::print::print(&file);
    drop(file);
    // The template must compile: what Facebook would refuse is reported at its line in the JSON.
    let compiled = crate::compile(&source, &crate::Options::default());
    if compiled.template.is_none() {
        let first = compiled
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map_or(String::new(), |d| format!(": {}", d.message));
        drop(compiled);
        let options = crate::Options::default();
        let mut errors: Vec<Diagnostic> = lint(text, name, &options)
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        if errors.is_empty() {
            errors.push(
                codes::m6005_import_shape(format!("the imported template does not compile{first}"))
                    .at(root_span, "this payload")
                    .help("run `missive check` on the payload to see what Messenger would refuse"),
            );
        }
        return Err(errors);
    }
    Ok((source, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    fn round_trip(payload: &str) -> String {
        let (source, _) = to_source(payload, "t").unwrap_or_else(|d| panic!("{d:#?}"));
        let compiled = crate::compile(&source, &crate::Options::default());
        let template = compiled
            .template
            .unwrap_or_else(|| panic!("{source}\n{:#?}", compiled.diagnostics));
        let data = crate::json::parse("{}").unwrap();
        let out = template.render_value(&data).unwrap();
        let expected: serde_json::Value = serde_json::from_str(payload).unwrap();
        assert_eq!(out, expected, "{source}");
        source
    }

    #[test]
    fn quick_replies_import_as_blocks_and_render_back() {
        let s = round_trip(
            r#"{"text": "Track it?", "quick_replies": [{"content_type": "text", "title": "Yes", "payload": "Y", "image_url": "https://a.example/y.png"}, {"content_type": "user_email"}]}"#,
        );
        assert!(s.contains("quick_replies {\n  quick_reply text {"), "{s}");
        assert!(s.contains("quick_reply user_email {}"), "{s}");
    }

    #[test]
    fn quick_replies_of_an_unmodelled_type_stay_in_extra() {
        let s = round_trip(
            r#"{"text": "Where are you?", "quick_replies": [{"content_type": "location"}, {"content_type": "text", "title": "Skip", "payload": "SKIP"}]}"#,
        );
        assert!(s.contains("extra {\n  \"quick_replies\""), "{s}");
    }

    #[test]
    fn metadata_imports_as_its_line() {
        let s = round_trip(r#"{"text": "Shipped", "metadata": "shipping_update:CT-58213"}"#);
        assert!(s.contains("metadata \"shipping_update:CT-58213\""), "{s}");
    }

    #[test]
    fn linting_checks_quick_replies() {
        // Fourteen replies, titles of 39 characters, and a `content_type` Facebook lacks.
        let reply = r#"{"content_type": "text", "title": "Track my parcel on the carrier's website", "payload": "T"}"#;
        let mut replies = vec![reply; 14];
        replies.push(r#"{"content_type": "bogus", "title": "?", "payload": "B"}"#);
        let payload = format!(
            "{{\"text\": \"Shipped\", \"quick_replies\": [{}]}}",
            replies.join(", ")
        );
        let options = crate::Options {
            profile: crate::Profile::builtin("messenger").unwrap(),
            file_stem: None,
        };
        let compiled = lint(&payload, "p", &options);
        let codes: Vec<&str> = compiled
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert!(compiled.template.is_none(), "{codes:?}");
        for code in [Code::UnknownButtonType, Code::TooLong, Code::TooMany] {
            let code = code.as_str();
            assert!(codes.contains(&code), "{code} missing from {codes:?}");
        }
    }

    #[test]
    fn text_and_braces_survive() {
        let s = round_trip(r#"{"text": "Hi {{ name }} \"quoted\"\nbye"}"#);
        assert!(
            s.contains(r#"text "Hi \{\{ name }} \"quoted\"\nbye""#),
            "{s}"
        );
    }

    #[test]
    fn unknown_fields_go_to_extra() {
        round_trip(r#"{"text": "x", "x_shop_ref": "order-CT-58213"}"#);
    }

    #[test]
    fn the_guides_receipt_layout_is_moved_into_the_payload() {
        let guide = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/expected/receipt_guide_layout.json"
        ))
        .unwrap();
        let (source, diags) = to_source(&guide, "receipt").unwrap();
        assert_eq!(
            diags.iter().filter(|d| d.code == Code::ImportMoved).count(),
            3
        );
        let template = crate::compile(&source, &crate::Options::default())
            .template
            .unwrap();
        let out = template
            .render_value(&crate::json::parse("{}").unwrap())
            .unwrap();
        let fixed: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/expected/receipt.json"
            ))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(out, fixed);
    }
}
