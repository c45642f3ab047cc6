//! Checking blocks against Messenger's model: their fields, child blocks, `for` and `if`
//! around children of one kind, required members, and the names that have no place there.

use std::collections::HashMap;

use super::Checker;
use crate::diagnostic::codes;
use crate::ir::*;
use crate::model::schema::{self, BlockKind, BlockSpec, ChildSpec, FieldSpec, CURRENCIES};
use crate::model::types::{self, Ty};
use crate::span::Span;
use crate::syntax::ast::{self, Item};

/// A block's members as its items are lowered, and where its child lists are among them.
struct Children {
    obj: ObjIr,
    /// The member index of each child list (by its key).
    items_at: HashMap<&'static str, usize>,
    /// Where each child that can be given once was given.
    singles: HashMap<&'static str, Span>,
}

impl Checker<'_> {
    /// The members of a block: its fields, child blocks, loops and conditions, and `extra`.
    /// When the caller does not keep the tree (`Checker::release`), the block's items are let
    /// go once lowered: a payload's tree and its IR are not held at once.
    pub(super) fn block_body(&mut self, b: &mut ast::Block, spec: &'static BlockSpec) -> ObjIr {
        // A member per constant and item at most, and one for a label's constant (a button's
        // `type`): sized once, as a payload's thousands of blocks would otherwise leave their
        // grown and shrunk buffers' pieces between what they keep.
        let mut obj = ObjIr {
            members: Vec::with_capacity(
                spec.constants.len() + b.items.len() + usize::from(b.label.is_some()),
            ),
            ..ObjIr::default()
        };
        for (k, v) in spec.constants {
            obj.members.push(Member::Const {
                key: k,
                json: super::json_string(v).into(),
            });
        }
        let mut fields: HashMap<&str, Span> = HashMap::new();
        let mut children = Children {
            obj,
            items_at: HashMap::new(),
            singles: HashMap::new(),
        };
        let mut extra_keys: Vec<(String, Span)> = Vec::new();
        // A line that did not parse, a misspelled field or a rejected child block: the
        // "missing field" checks would only repeat the same mistake, so they are skipped.
        let mut broken = false;
        // The currency a missing `currency`'s help suggests: the one its children give, read
        // before they are lowered (and, when the tree is not kept, let go).
        let currency = spec
            .fields
            .iter()
            .any(|f| f.required && f.kind == schema::Kind::Currency)
            .then(|| currency_in(&b.items))
            .flatten();

        for i in 0..b.items.len() {
            match &b.items[i] {
                Item::Error(_) => broken = true,
                Item::Field(f) => {
                    let Some(fs) = spec.fields.iter().find(|s| s.name == f.name.name) else {
                        // A misspelled field's value is still checked, as the field its fix
                        // names, so that the fix does not reveal new errors (a misspelled
                        // path inside it); its output is dropped.
                        if let Some(meant) = self.unknown_field(&f.name, spec, b) {
                            let _ = self.field_ir(&f.value, meant);
                        }
                        broken = true;
                        continue;
                    };
                    if let Some(prev) = fields.insert(fs.name, f.name.span) {
                        self.given_twice(&f.name.name, f.name.span, prev);
                        continue;
                    }
                    self.field_at = Some(f.name.span);
                    let ir = self.field_ir(&f.value, fs);
                    self.field_at = None;
                    if let Some(ir) = ir {
                        children.obj.members.push(Member::Field(ir));
                    }
                }
                Item::Command(c) => {
                    broken = true;
                    if spec.fields.iter().any(|s| s.name == c.name.name) {
                        let after = c.name.span.end as usize;
                        self.push(
                            codes::m0001_syntax_error(format!(
                                "expected `:` after `{}`",
                                c.name.name
                            ))
                            .at(Span::new(after, after), "add `:` here")
                            .help(format!(
                                "a field is `name: value`: write `{}: ...`",
                                c.name.name
                            ))
                            .fix(Span::new(after, after), ":"),
                        );
                    } else {
                        self.unknown_child(&c.name, spec, &b.kind);
                    }
                }
                Item::Extra(e) => {
                    for m in &e.members {
                        extra_keys.push((m.key.clone(), m.key_span));
                    }
                    if let Some(m) = self.extra(e) {
                        children.obj.members.push(m);
                    }
                }
                Item::Input(i) => {
                    self.push(
                        codes::m1004_unknown_block("`input` belongs at the top level")
                            .at(i.span.sub(0, 5), "inside a block")
                            .help("move `input { ... }` out to the top of the file"),
                    );
                }
                Item::Block(_) | Item::For(_) | Item::If(_) => {
                    let room = b.items.len() - i;
                    let (item, kind) = (&mut b.items[i], &b.kind);
                    if !self.child(item, spec, kind, room, &mut children) {
                        broken = true;
                    }
                }
                Item::Pending(_) => {
                    // A payload's list, each item built as it comes: lowered, then let go.
                    let Item::Pending(p) = &mut b.items[i] else {
                        continue;
                    };
                    let (what, list) = (p.kind, std::mem::take(&mut p.items));
                    let room = list.len() + b.items.len() - i - 1;
                    for (n, at) in list.into_iter().enumerate() {
                        // An item that builds to nothing (`7` as an element) was reported by
                        // the importer and is dropped, as it is when the list is built whole.
                        let Some(mut item) = self.build_pending(what, at) else {
                            continue;
                        };
                        if !self.child(&mut item, spec, &b.kind, room - n, &mut children) {
                            broken = true;
                        }
                    }
                }
            }
        }
        let Children {
            mut obj, items_at, ..
        } = children;

        // Extra keys that clash with modelled ones, or with each other.
        let mut seen_extra: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (k, span) in &extra_keys {
            let clash = spec
                .fields
                .iter()
                .any(|f| f.name == k && fields.contains_key(f.name))
                || items_at.contains_key(k.as_str())
                || spec.constants.iter().any(|(c, _)| c == k)
                || spec.reserved.contains(&k.as_str());
            let twice = !seen_extra.insert(k.as_str());
            if clash || twice {
                self.push(
                    codes::m1005_duplicate_field(format!("`extra` repeats the field `{k}`"))
                        .at(*span, if twice { "already given by `extra`" } else { "already given by the block" })
                        .help("remove it: the output would have the key twice, and Messenger would read only one of them"),
                );
            }
        }

        if !broken {
            self.required_members(b, spec, &fields, &items_at, &obj, currency.as_deref());
        }
        self.static_counts(&obj);
        // Pushed one by one, the members have room to spare (a button's three held four
        // 176-byte members), kept for as long as the template: none kept.
        obj.members.shrink_to_fit();
        for m in &mut obj.members {
            if let Member::Items(items) = m {
                items.nodes.shrink_to_fit();
            }
        }
        if spec.what == "a carousel element" {
            obj.kind = ObjKind::Element;
        }
        if !broken
            && spec.what == "a carousel element"
            && fields.len() == 1
            && fields.contains_key("title")
            && items_at.is_empty()
            && extra_keys.is_empty()
        {
            self.push(
                codes::m2012_title_only_element("a carousel element needs more than a title")
                    .at(b.kind.span, "this element has only a `title`")
                    .help("add a `subtitle`, an `image_url`, a `default_action` or a `button`: Facebook refuses title-only elements"),
            );
        }
        if self.release {
            b.items = Vec::new();
        }
        obj
    }

    /// An item of a pending list, built by the importer that left it so (its diagnostics
    /// reported); `None` when it builds to nothing.
    fn build_pending(&mut self, what: &'static str, at: Span) -> Option<Item> {
        let build = self.pending.as_mut()?;
        build(what, at, &mut self.diags)
    }

    /// The pending lists the check did not come to (in a block it did not lower, such as a
    /// second attachment): their items are built for what the importer says of them, then
    /// dropped, so that a payload's mistakes are reported whether or not its block is checked.
    pub(super) fn flush_pending(&mut self, items: &mut [Item]) {
        for item in items {
            match item {
                Item::Pending(p) => {
                    for at in std::mem::take(&mut p.items) {
                        if let Some(mut built) = self.build_pending(p.kind, at) {
                            self.flush_pending(std::slice::from_mut(&mut built));
                        }
                    }
                }
                Item::Block(b) => self.flush_pending(&mut b.items),
                Item::For(f) => self.flush_pending(&mut f.items),
                Item::If(i) => {
                    for branch in &mut i.branches {
                        self.flush_pending(&mut branch.items);
                    }
                    if let Some(items) = &mut i.otherwise {
                        self.flush_pending(items);
                    }
                }
                _ => {}
            }
        }
    }

    /// A child block, `for` or `if` of a block, lowered into the block's members: `false` when
    /// it has no place there (reported). `room`: how many of the block's items are left, this
    /// one included (its list's capacity: 40,000 elements would otherwise double their list
    /// some fifteen times).
    fn child(
        &mut self,
        item: &mut Item,
        spec: &'static BlockSpec,
        kind: &ast::Ident,
        room: usize,
        children: &mut Children,
    ) -> bool {
        let span = item.span();
        let Some((child, node)) = self.child_node(item, spec, kind) else {
            return false;
        };
        if !child.many {
            if let (Node::Obj { .. }, Some(prev)) = (&node, children.singles.get(child.key)) {
                self.push(
                    codes::m1005_duplicate_field(format!("`{}` is given twice", child.keyword))
                        .at(span, "given again here")
                        .at(*prev, "first given here")
                        .help(format!("{} has one `{}`", spec.what, child.keyword)),
                );
                return true;
            }
            children.singles.insert(child.key, span);
        }
        let obj = &mut children.obj;
        match children.items_at.get(child.key) {
            Some(&i) => {
                if let Member::Items(items) = &mut obj.members[i] {
                    items.nodes.push(node);
                }
            }
            None => {
                children.items_at.insert(child.key, obj.members.len());
                let mut nodes = Vec::with_capacity(if child.many { room } else { 1 });
                nodes.push(node);
                obj.members.push(Member::Items(Box::new(Items {
                    key: child.key,
                    single: !child.many,
                    nodes,
                    min: child.min,
                    limit: child.limit,
                    owner: kind.span,
                    item: child.keyword,
                })));
            }
        }
        true
    }

    fn required_members(
        &mut self,
        b: &ast::Block,
        spec: &BlockSpec,
        fields: &HashMap<&str, Span>,
        items_at: &HashMap<&'static str, usize>,
        obj: &ObjIr,
        currency: Option<&str>,
    ) {
        let extra: Vec<&str> = obj
            .members
            .iter()
            .filter_map(|m| match m {
                Member::Extra(ms) => Some(ms.iter().map(|(k, _, _)| &**k).collect::<Vec<_>>()),
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
                codes::m2009_too_few(format!("{} needs at least {} `{}`", spec.what, c.min, c.keyword))
                    .at(b.kind.span, format!("this {} has no `{}`", spec.what.trim_start_matches("a ").trim_start_matches("an "), c.keyword))
                    .help(match c.block {
                        BlockKind::Button => "add `button web_url { title: ..., url: ... }`, or `for x in list { button postback { ... } }`".to_string(),
                        BlockKind::MediaElement => "add `element { media_type: \"video\", attachment_id: \"...\" }`".to_string(),
                        _ => format!("add `{} {{ title: ..., subtitle: ... }}`, or `for x in list {{ {} {{ ... }} }}`", c.keyword, c.keyword),
                    }),
            );
        }
        let given: Vec<&str> = spec
            .one_of
            .iter()
            .copied()
            .filter(|f| fields.contains_key(f) || extra.contains(f))
            .collect();
        if !spec.one_of.is_empty() && given.len() != 1 {
            let names: Vec<String> = spec.one_of.iter().map(|f| format!("`{f}`")).collect();
            let names = names.join(" or ");
            let d = if given.is_empty() {
                codes::m2003_missing_field(format!("{} needs {names}", spec.what))
                    .at(b.kind.span, format!("this {} has neither", b.kind.name))
                    .help("add `url: \"https://...\"`, or `attachment_id: \"...\"` for a file uploaded with Facebook's Attachment Upload API")
            } else {
                let second = fields.get(given[1]).copied().unwrap_or(b.kind.span);
                codes::m1005_duplicate_field(format!("{} takes {names}, not both", spec.what))
                    .at(second, "given beside the other")
                    .help("keep `attachment_id` for a file already uploaded to Facebook, or `url` to have Facebook fetch it")
            };
            self.push(d);
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
                None => {
                    // A value of the field's kind, so that the help shows what to write.
                    let kind = spec.fields.iter().find(|f| f.name == *m).map(|f| f.kind);
                    match kind {
                        Some(schema::Kind::Currency) => match currency {
                            // An element's `currency`: the order's, most likely.
                            Some(c) => format!(
                                "a line `{m}: \"{c}\"` inside the {}'s braces (the currency its elements give)",
                                b.kind.name
                            ),
                            None => format!(
                                "a line `{m}: \"...\"` inside the {}'s braces, with the ISO 4217 code of the order's currency (`\"EUR\"`, `\"USD\"`, `\"GBP\"`…)",
                                b.kind.name
                            ),
                        },
                        Some(schema::Kind::Url) => format!("`{m}: \"https://...\"`"),
                        Some(schema::Kind::Phone) => format!("`{m}: \"+15105551234\"`"),
                        Some(
                            schema::Kind::Text
                            | schema::Kind::Choice(_)
                            | schema::Kind::AttachmentId,
                        ) => {
                            format!("`{m}: \"...\"`")
                        }
                        _ => format!("`{m}: ...`"),
                    }
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        self.push(
            codes::m2003_missing_field(format!(
                "{} is missing the required {noun} {}",
                spec.what,
                list.join(", ")
            ))
            .at(
                b.kind.span,
                format!("{} {verb} required here", list.join(", ")),
            )
            .help(format!("add {example}")),
        );
    }

    /// Reports a field `spec` does not have; returns the field its fix renames it to, if any.
    fn unknown_field(
        &mut self,
        name: &ast::Ident,
        spec: &'static BlockSpec,
        b: &ast::Block,
    ) -> Option<&'static FieldSpec> {
        // A field Facebook retired (`item_url`) is not a typo: say what replaced it (M2017),
        // as `check` of a JSON payload does.
        if b.kind.name == "element" {
            if let Some(d) = schema::Deprecated::find(schema::DEPRECATED_ELEMENT_FIELDS, &name.name)
            {
                let mut d = d.diagnostic("the field", name.span);
                // The field's own line, rewritten: `default_action { url: <its value> }`.
                let field = b.items.iter().find_map(|i| match i {
                    ast::Item::Field(f) if f.name.span == name.span => Some(f),
                    _ => None,
                });
                if let Some(f) = field {
                    if let Some(value) = self.text.get(f.value.span().range()) {
                        let edit = format!("default_action {{ url: {value} }}");
                        d = d.help(format!("instead, write `{edit}`")).fix_unsafe(
                            f.span,
                            edit,
                            "Replace `item_url` with `default_action`",
                        );
                    }
                }
                self.push(d);
                return None;
            }
        }
        let candidates = spec
            .fields
            .iter()
            .map(|f| f.name)
            .chain(spec.children.iter().map(|c| c.keyword));
        let mut d =
            codes::m1002_unknown_field(format!("unknown field `{}` in {}", name.name, spec.what))
                .at(name.span, format!("`{}` has no such field", b.kind.name));
        let given = |s: &str| {
            b.items
                .iter()
                .any(|i| matches!(i, ast::Item::Field(f) if f.name.name == s))
        };
        let mut meant = None;
        d = match types::suggest(&name.name, candidates) {
            // Renamed, it would be given twice: the author decides which one stays.
            Some(s) if given(s) => d.help(format!(
                "`{s}` is close, but this `{}` already has it: delete this line, or give it the name of another field",
                b.kind.name
            )),
            Some(s) => {
                meant = spec.fields.iter().find(|f| f.name == s);
                d.help(format!("a field with a similar name exists: `{s}`"))
                    .fix(name.span, s)
            }
            // A field of a block that goes inside this one (`title` in a `carousel`): it
            // belongs there, not in `extra`, which would send what Facebook refuses.
            None if let Some(child) = child_with_field(spec, &name.name) => d.help(format!(
                "`{}` belongs inside `{} {{ }}`: move it into one",
                name.name, child
            )),
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
        meant
    }

    /// A child block `name` that `spec` (the block `parent`) does not hold.
    fn unknown_child(&mut self, name: &ast::Ident, spec: &BlockSpec, parent: &ast::Ident) {
        let mut d =
            codes::m1004_unknown_block(format!("`{}` is not allowed in {}", name.name, spec.what))
                .at(name.span, format!("not a block of `{}`", parent.name));
        let candidates = spec
            .children
            .iter()
            .map(|c| c.keyword)
            .chain(spec.fields.iter().map(|f| f.name));
        d = if name.name == "button" && spec.what == "a receipt" {
            d.help("Messenger receipts have no buttons; link to the order with `order_url`")
        } else {
            match types::suggest(&name.name, candidates) {
                Some(s) => d
                    .help(format!("a block with a similar name exists: `{s}`"))
                    .fix(name.span, s),
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
    pub(super) fn child_node(
        &mut self,
        item: &mut Item,
        spec: &'static BlockSpec,
        parent: &ast::Ident,
    ) -> Option<(&'static ChildSpec, Node)> {
        match item {
            Item::Block(b) => {
                let Some(child) = spec.children.iter().find(|c| c.keyword == b.kind.name) else {
                    if spec.fields.iter().any(|f| f.name == b.kind.name) {
                        self.push(
                            codes::m1003_type_mismatch(format!(
                                "`{}` is a field, not a block",
                                b.kind.name
                            ))
                            .at(b.kind.span, "written as a block")
                            .help(format!("write `{}: value`", b.kind.name)),
                        );
                    } else {
                        self.unknown_child(&b.kind, spec, parent);
                    }
                    return None;
                };
                let child_spec = if child.block == BlockKind::QuickReply {
                    self.quick_reply_spec(b)?
                } else if child.block == BlockKind::Button {
                    match &b.label {
                        Some(l) => match schema::spec(BlockKind::Button, Some(&l.name)) {
                            Some(s) => s,
                            None => {
                                // Retired (`element_share`): M2017, as in a payload.
                                if let Some(r) =
                                    schema::Deprecated::find(schema::DEPRECATED_BUTTONS, &l.name)
                                {
                                    self.push(r.diagnostic("the button type", l.span));
                                    return None;
                                }
                                let mut d = codes::m1011_unknown_button_type(format!(
                                    "unknown button type `{}`",
                                    l.name
                                ))
                                .at(l.span, "not a Messenger button type");
                                d = match types::suggest(
                                    &l.name,
                                    schema::BUTTON_TYPES.iter().copied(),
                                ) {
                                    Some(s) => d
                                        .help(format!(
                                            "a button type with a similar name exists: `{s}` (`button {s}`)"
                                        ))
                                        .fix(l.span, s),
                                    None => d.help(format!(
                                        "the button types are {}",
                                        types::quoted_list(schema::BUTTON_TYPES)
                                    )),
                                };
                                self.push(d);
                                return None;
                            }
                        },
                        None => {
                            self.push(
                                codes::m1011_unknown_button_type("a button needs a type")
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
                if let Some(rule) = schema::labelled(child.block) {
                    let label = b.label.as_ref().expect("checked").name.clone();
                    // Room for one more, not twice as many (a button's members were exact).
                    obj.members.reserve_exact(1);
                    obj.members.insert(
                        0,
                        Member::Const {
                            key: rule.key,
                            json: super::json_string(&label).into(),
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
                let segs: Vec<(&str, Span)> = f.iterable.segs();
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
                        codes::m1008_not_a_list(format!("`for` needs a list, `{}` is {}", f.iterable.dotted(), resolved.ty.describe()))
                            .at(f.iterable.span, "not a list")
                            .help(format!(
                                "declare it as a list in `input`, e.g. `{}: list max 10 of {{ ... }}`",
                                f.iterable.segments.last().map_or("items", |s| s.name.as_str())
                            )),
                    );
                        return None;
                    }
                };
                if let Some(d) = super::decls::engine_name(&f.var) {
                    self.push(d);
                }
                let list = self.path_ir(&f.iterable, &resolved);
                self.locals.push((
                    f.var.name.to_string(),
                    *item,
                    resolved.decl.unwrap_or(f.var.span),
                ));
                let body = self.child_nodes(&mut f.items, spec, parent);
                self.locals.pop();
                let (child, body) = body?;
                Some((
                    child,
                    Node::For {
                        list: Box::new(list),
                        max: list_max,
                        body,
                    },
                ))
            }
            Item::If(i) => {
                let mut child = None;
                let mut branches = Vec::new();
                for br in &mut i.branches {
                    let cond = self.condition(&br.condition);
                    let guards = self.guard(&br.condition);
                    let nodes = self.child_nodes(&mut br.items, spec, parent);
                    self.guards.truncate(guards);
                    if let Some((c, nodes)) = nodes {
                        if self.same_kind(&mut child, c, i.span) {
                            if let Some(cond) = cond {
                                branches.push((cond, nodes));
                            }
                        }
                    }
                }
                let mut otherwise = Vec::new();
                if let Some(items) = &mut i.otherwise {
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

    /// The spec of a `quick_reply TYPE { }` (M1011 for a missing or unknown type).
    fn quick_reply_spec(&mut self, b: &ast::Block) -> Option<&'static BlockSpec> {
        let Some(l) = &b.label else {
            self.push(
                codes::m1011_unknown_button_type("a quick reply needs a type")
                    .at(b.kind.span, "which kind of quick reply?")
                    .help("write `quick_reply text { title: ..., payload: ... }`, `quick_reply user_phone_number { }` or `quick_reply user_email { }`"),
            );
            return None;
        };
        if let Some(spec) = schema::spec(BlockKind::QuickReply, Some(&l.name)) {
            return Some(spec);
        }
        // Retired (`location`): M2017, as in a payload.
        if let Some(r) = schema::Deprecated::find(schema::DEPRECATED_QUICK_REPLIES, &l.name) {
            self.push(r.diagnostic("the quick reply type", l.span));
            return None;
        }
        let mut d =
            codes::m1011_unknown_button_type(format!("unknown quick reply type `{}`", l.name))
                .at(l.span, "not a Messenger quick reply `content_type`");
        d = match types::suggest(&l.name, schema::QUICK_REPLY_TYPES.iter().copied()) {
            Some(s) => d
                .help(format!(
                    "a quick reply type with a similar name exists: `{s}`"
                ))
                .fix(l.span, s),
            None => {
                d.help("the quick reply types are `text`, `user_phone_number` and `user_email`")
            }
        };
        self.push(d);
        None
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
                    codes::m1004_unknown_block(format!(
                        "this `if` mixes `{}` and `{}` blocks",
                        s.keyword, c.keyword
                    ))
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
        items: &mut [Item],
        spec: &'static BlockSpec,
        parent: &ast::Ident,
    ) -> Option<(&'static ChildSpec, Vec<Node>)> {
        let mut kind: Option<&'static ChildSpec> = None;
        let mut nodes = Vec::new();
        for item in items {
            match &*item {
                Item::Error(_) => {}
                Item::Field(_) | Item::Command(_) | Item::Extra(_) | Item::Input(_) => {
                    let what = match item {
                        Item::Field(f) => format!("the field `{}`", f.name.name),
                        Item::Command(c) => format!("`{}`", c.name.name),
                        Item::Extra(_) => "`extra`".into(),
                        _ => "`input`".into(),
                    };
                    self.push(
                        codes::m1010_conditional_field(format!("{what} cannot be inside `for` or `if`"))
                            .at(item.span(), "only blocks (elements, buttons, adjustments) can repeat or be conditional")
                            .help("move it out of the `for`/`if`; an optional input that is absent already leaves its field out"),
                    );
                }
                _ => {
                    let span = item.span();
                    if let Some((c, node)) = self.child_node(item, spec, parent) {
                        if self.same_kind(&mut kind, c, span) {
                            nodes.push(node);
                        }
                    }
                }
            }
        }
        kind.map(|k| (k, nodes))
    }
}

/// The first literal `currency` given in `items`' blocks (a receipt's elements), looking inside
/// `for` and `if` too.
fn currency_in(items: &[ast::Item]) -> Option<String> {
    items.iter().find_map(|i| match i {
        ast::Item::Block(b) => b
            .items
            .iter()
            .find_map(|i| match i {
                ast::Item::Field(f) if f.name.name == "currency" => match &f.value {
                    ast::Value::Str(s) => {
                        s.as_literal().filter(|c| CURRENCIES.contains(&c.as_str()))
                    }
                    _ => None,
                },
                _ => None,
            })
            .or_else(|| currency_in(&b.items)),
        ast::Item::For(f) => currency_in(&f.items),
        ast::Item::If(f) => f
            .branches
            .iter()
            .find_map(|b| currency_in(&b.items))
            .or_else(|| f.otherwise.as_deref().and_then(currency_in)),
        _ => None,
    })
}

/// The keyword of a block that goes inside a block of `spec` and has the field `name`
/// (`element` for `title` in a carousel; `button web_url` for `url` in `buttons`).
fn child_with_field(spec: &BlockSpec, name: &str) -> Option<String> {
    spec.children.iter().find_map(|c| {
        let has = |s: Option<&'static BlockSpec>| {
            s.is_some_and(|s| s.fields.iter().any(|f| f.name == name))
        };
        match schema::spec(c.block, None) {
            Some(s) if has(Some(s)) => return Some(c.keyword.to_string()),
            Some(_) => return None,
            // A block whose fields depend on its label: a button.
            None => {}
        }
        schema::BUTTON_TYPES
            .iter()
            .find(|t| has(schema::spec(c.block, Some(t))))
            .map(|t| format!("{} {t}", c.keyword))
    })
}
