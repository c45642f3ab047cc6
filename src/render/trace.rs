//! Rendering, traced: which template span and which data path produced each part of the
//! message. The walk follows render's (the same loops, conditions and count limits) but builds
//! a tree instead of writing JSON, so that a path in the rendered message (an API error's
//! `[elements][2][title]`) leads back to the line that wrote it. It is not on render's path.

use crate::ir::Node as IrNode;
use crate::ir::*;
use crate::json::{Json, Node};
use crate::model::profile::LimitKey;
use crate::model::schema::FieldSpec;
use crate::model::types::Base;
use crate::span::Span;

use super::Renderer;

/// One part of the rendered message, and what produced it.
#[derive(Debug, Clone)]
pub enum Produced {
    /// An object: the message, an attachment, a payload, an element, a button.
    Object(ProducedObject),
    /// The objects of a list (`elements`, `buttons`), from blocks, loops and conditions.
    List(ProducedList),
    /// A field's value.
    Field(ProducedField),
    /// A member the template always writes (`"type": "template"`).
    Const,
    /// A member of an `extra` block.
    Extra {
        /// The key's span in the `extra` block.
        key_span: Span,
    },
}

/// An object of the message.
#[derive(Debug, Clone)]
pub struct ProducedObject {
    /// What it is: `message`, `payload`, or the block's word (`element`, `button`).
    pub what: &'static str,
    /// The block that wrote it (its keyword); `None` for the message and a payload.
    pub block: Option<Span>,
    /// The data item it was written for, inside a `for`: `order.items[2]`.
    pub item: Option<String>,
    /// Traced without data, it stands for every iteration of a `for` or for one branch of an
    /// `if`, so an index in a path may not be this object.
    pub approximate: bool,
    /// Written by a `for` or an `if` among its list's blocks (traced without data, it stands
    /// for an unknown number of items of that list).
    pub repeated: bool,
    pub members: Vec<(Box<str>, Produced)>,
}

/// A list of objects, such as a carousel's `elements`.
#[derive(Debug, Clone)]
pub struct ProducedList {
    /// The block that holds the list (`carousel`).
    pub owner: Span,
    /// What one item is called: `element`.
    pub item: &'static str,
    pub limit: Option<LimitKey>,
    pub items: Vec<ProducedObject>,
    /// The data lists that `for` loops took items from: `order.items`.
    pub lists: Vec<String>,
}

/// A field of the message.
#[derive(Debug, Clone)]
pub struct ProducedField {
    pub key: Box<str>,
    /// The value's span in the template.
    pub span: Span,
    pub spec: FieldSpec,
    /// The data paths the value reads, with the loop indices: `order.items[2].title`.
    pub data: Vec<String>,
    /// The same paths as the template writes them: `item.title`.
    pub written: Vec<String>,
    /// The value is an expression (`{{ item.title | trim }}`), not a plain path or text with
    /// `{{ path }}`s.
    pub expression: bool,
    /// Where the inputs it reads are declared.
    pub decls: Vec<Span>,
    /// The rendered text of a string, or the JSON of another value; `None` without data.
    pub value: Option<String>,
    /// Left out of the message: the optional data it reads is absent.
    pub absent: bool,
}

impl Template {
    /// What produced each part of the message when rendered with `data`. Without data, the
    /// message as the template writes it: each `for` body once, each `if` branch, marked
    /// `approximate`.
    pub fn trace(&self, data: Option<&Node<'_>>) -> ProducedObject {
        let empty = Node {
            span: Span::new(0, 0),
            value: Json::Object(Vec::new()),
        };
        let root = data.unwrap_or(&empty);
        let mut t = Tracer {
            r: Renderer::new(self, root),
            with_data: data.is_some(),
            loops: Vec::new(),
            approximate: false,
            repeated: false,
        };
        t.object(&self.body, "message", None)
    }
}

struct Tracer<'t, 'd> {
    r: Renderer<'t, 'd>,
    with_data: bool,
    /// The loops around the current node: the list, and the index when there is data.
    loops: Vec<(&'t PathIr, Option<usize>)>,
    approximate: bool,
    /// Inside a `for` or an `if` among the current list's blocks.
    repeated: bool,
}

impl<'t, 'd> Tracer<'t, 'd> {
    fn object(&mut self, o: &'t ObjIr, what: &'static str, block: Option<Span>) -> ProducedObject {
        let item = self
            .loops
            .last()
            .map(|(list, index)| self.item(list, *index));
        let mut members = Vec::with_capacity(o.members.len());
        for m in &o.members {
            match m {
                Member::Const { key, .. } => members.push(((*key).into(), Produced::Const)),
                Member::Field(f) => members.push((f.key.clone(), Produced::Field(self.field(f)))),
                Member::Object { key, obj } => {
                    members.push(((*key).into(), Produced::Object(self.object(obj, key, None))))
                }
                Member::Items(items) => {
                    let list = self.items(items);
                    if items.single {
                        if let Some(first) = list.items.into_iter().next() {
                            members.push((items.key.into(), Produced::Object(first)));
                        }
                    } else {
                        members.push((items.key.into(), Produced::List(list)));
                    }
                }
                Member::Extra(extra) => {
                    for (key, _, key_span) in extra {
                        members.push((
                            key.clone(),
                            Produced::Extra {
                                key_span: *key_span,
                            },
                        ));
                    }
                }
            }
        }
        ProducedObject {
            what,
            block,
            item,
            approximate: self.approximate,
            repeated: self.repeated,
            members,
        }
    }

    fn items(&mut self, items: &'t Items) -> ProducedList {
        let mut list = ProducedList {
            owner: items.owner,
            item: items.item,
            limit: items.limit,
            items: Vec::new(),
            lists: Vec::new(),
        };
        let outer = std::mem::replace(&mut self.repeated, false);
        for node in &items.nodes {
            self.node(node, items, &mut list);
        }
        self.repeated = outer;
        list
    }

    fn node(&mut self, node: &'t IrNode, items: &'t Items, list: &mut ProducedList) {
        match node {
            IrNode::Obj { obj, span } => {
                // Render leaves out what is beyond a count limit or a second single item.
                if self.with_data {
                    let count = list.items.len() + 1;
                    if items.single && count > 1 {
                        return;
                    }
                    if let Some(limit) = items.limit {
                        if count > self.r.t.profile.limit(limit).max {
                            return;
                        }
                    }
                }
                let o = self.object(obj, items.item, Some(*span));
                list.items.push(o);
            }
            IrNode::For { list: lp, body, .. } => {
                let shown = self.concrete(lp);
                if !list.lists.contains(&shown) {
                    list.lists.push(shown);
                }
                if !self.with_data {
                    let outer = (self.approximate, self.repeated);
                    (self.approximate, self.repeated) = (true, true);
                    self.loops.push((lp, None));
                    for n in body {
                        self.node(n, items, list);
                    }
                    self.loops.pop();
                    (self.approximate, self.repeated) = outer;
                    return;
                }
                let Some(Node {
                    value: Json::Array(elements),
                    ..
                }) = self.r.lookup(lp)
                else {
                    return;
                };
                for (index, element) in elements.iter().enumerate() {
                    self.r.locals.push(element);
                    self.loops.push((lp, Some(index)));
                    for n in body {
                        self.node(n, items, list);
                    }
                    self.loops.pop();
                    self.r.locals.pop();
                }
            }
            IrNode::If {
                branches,
                otherwise,
            } => {
                if !self.with_data {
                    let outer = (self.approximate, self.repeated);
                    (self.approximate, self.repeated) = (true, true);
                    for n in branches.iter().flat_map(|(_, b)| b).chain(otherwise) {
                        self.node(n, items, list);
                    }
                    (self.approximate, self.repeated) = outer;
                    return;
                }
                let chosen = branches
                    .iter()
                    .find(|(cond, _)| self.r.truthy(cond))
                    .map_or(otherwise, |(_, nodes)| nodes);
                for n in chosen {
                    self.node(n, items, list);
                }
            }
        }
    }

    fn field(&mut self, f: &'t FieldIr) -> ProducedField {
        let mut data = Vec::new();
        let mut written = Vec::new();
        let mut decls = Vec::new();
        match &f.val {
            Val::Lit(_) => {}
            Val::Path(p) => {
                data.push(self.concrete(p));
                written.push(p.dotted.to_string());
                decls.extend(p.decl);
            }
            Val::Str(StrIr::Parts(parts)) => {
                for part in parts {
                    if let Part::Path(p) = part {
                        data.push(self.concrete(p));
                        written.push(p.dotted.to_string());
                        decls.extend(p.decl);
                    }
                }
            }
            Val::Str(StrIr::Engine(e)) => {
                for p in &e.reads {
                    data.push(self.concrete(p));
                    written.push(p.dotted.to_string());
                    decls.extend(p.decl);
                }
            }
        }
        data.dedup();
        written.dedup();
        decls.dedup();
        let (value, absent) = self.value(f);
        ProducedField {
            key: f.key.clone(),
            span: f.span,
            spec: f.spec,
            data,
            written,
            expression: matches!(f.val, Val::Str(StrIr::Engine(_))),
            decls,
            value,
            absent,
        }
    }

    /// The value a field renders to, and whether it is left out.
    fn value(&mut self, f: &FieldIr) -> (Option<String>, bool) {
        match &f.val {
            Val::Lit(json) => (
                Some(serde_json::from_str::<String>(json).unwrap_or_else(|_| json.to_string())),
                false,
            ),
            _ if !self.with_data => (None, false),
            Val::Path(p) => match self.r.lookup(p).map(|n| &n.value) {
                None | Some(Json::Null) => (None, true),
                Some(Json::String(s)) => (Some(s.to_string()), false),
                Some(Json::Number(n)) => (Some(n.to_string()), false),
                Some(Json::Bool(b)) => (Some(b.to_string()), false),
                Some(_) => (None, false),
            },
            Val::Str(s) => (self.r.string(s), false),
        }
    }

    /// The data item of a loop: `order.items[2]`, or `order.items[*]` without data.
    fn item(&self, list: &PathIr, index: Option<usize>) -> String {
        match index {
            Some(i) => format!("{}[{i}]", self.concrete(list)),
            None => format!("{}[*]", self.concrete(list)),
        }
    }

    /// The data path a template path reads in the current loops: `item.price` ->
    /// `order.items[3].price`.
    fn concrete(&self, p: &PathIr) -> String {
        match p.base {
            Base::Root => p.dotted.to_string(),
            Base::Local(depth) => match self.loops.get(depth) {
                Some((list, index)) => {
                    let mut s = self.item(list, *index);
                    for k in p.keys.iter() {
                        s.push('.');
                        s.push_str(k);
                    }
                    s
                }
                None => p.dotted.to_string(),
            },
        }
    }
}
