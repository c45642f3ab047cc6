//! Rendering, traced: which template span and which data path produced each part of the
//! message. It is render's walk (`ir::walk`, the same loops, conditions and count limits) with a
//! sink that builds a tree instead of writing JSON, so that a path in the rendered message (an
//! API error's `[elements][2][title]`) leads back to the line that wrote it.

use crate::ir::walk::{self, Flow, NoData, Sink};
use crate::ir::*;
use crate::json::Node;
use crate::model::profile::LimitKey;
use crate::model::schema::FieldSpec;
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
    /// Its members in the order they are written, each with what produced it.
    pub members: Vec<(Box<str>, Produced)>,
}

/// A list of objects, such as a carousel's `elements`.
#[derive(Debug, Clone)]
pub struct ProducedList {
    /// The block that holds the list (`carousel`).
    pub owner: Span,
    /// What one item is called: `element`.
    pub item: &'static str,
    /// The profile's limit on how many items it may have, if it has one.
    pub limit: Option<LimitKey>,
    /// Its objects, in order.
    pub items: Vec<ProducedObject>,
    /// The data lists that `for` loops took items from: `order.items`.
    pub lists: Vec<String>,
}

/// A field of the message.
#[derive(Debug, Clone)]
pub struct ProducedField {
    /// The member's key: `title`.
    pub key: Box<str>,
    /// The value's span in the template.
    pub span: Span,
    /// The field's rules in Messenger's schema.
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
        let mut tracer = Tracer::default();
        match data {
            Some(root) => walk::object(&mut Renderer::new(self, root), &mut tracer, &self.body),
            None => walk::object(&mut NoData::over(self.literals()), &mut tracer, &self.body),
        }
        tracer.done.unwrap_or_else(|| ProducedObject {
            what: "message",
            block: None,
            item: None,
            approximate: false,
            repeated: false,
            members: Vec::new(),
        })
    }
}

/// The trace's sink: builds the tree of what produced what, as the walk goes.
#[derive(Default)]
struct Tracer {
    /// The objects being built, innermost last.
    objects: Vec<ProducedObject>,
    /// The lists being built, innermost last.
    lists: Vec<ProducedList>,
    /// What the next object is (`payload`, `element`) and the block that writes it; `None`:
    /// the message.
    next: Option<(&'static str, Option<Span>)>,
    /// The object just finished.
    done: Option<ProducedObject>,
    /// Inside a `for` or an `if` walked without data.
    approximate: bool,
    /// Inside a `for` or an `if` among the current list's blocks.
    repeated: bool,
    /// `(approximate, repeated)` outside the loops and conditions walked without data, and
    /// `repeated` outside the current lists.
    outer: Vec<(bool, bool)>,
}

impl Tracer {
    fn member(&mut self, key: Box<str>, produced: Produced) {
        if let Some(o) = self.objects.last_mut() {
            o.members.push((key, produced));
        }
    }

    fn enter_abstract(&mut self) {
        self.outer.push((self.approximate, self.repeated));
        (self.approximate, self.repeated) = (true, true);
    }

    fn leave_abstract(&mut self) {
        if let Some(outer) = self.outer.pop() {
            (self.approximate, self.repeated) = outer;
        }
    }
}

impl<'t, F: Flow<'t>> Sink<'t, F> for Tracer {
    type Mark = ();

    fn enter_object(&mut self, flow: &mut F, _: &'t ObjIr) -> bool {
        let (what, block) = self.next.take().unwrap_or(("message", None));
        let loops = flow.loops();
        let item = loops.last().map(|(list, index)| loops.item(list, index));
        self.objects.push(ProducedObject {
            what,
            block,
            item,
            approximate: self.approximate,
            repeated: self.repeated,
            members: Vec::new(),
        });
        true
    }

    fn leave_object(&mut self, _: &mut F, _: &'t ObjIr) {
        self.done = self.objects.pop();
    }

    fn constant(&mut self, _: &mut F, key: &'static str, _: &'t str) {
        self.member(key.into(), Produced::Const);
    }

    fn field(&mut self, flow: &mut F, f: &'t FieldIr) {
        let field = field(flow, f);
        self.member(f.key().into(), Produced::Field(field));
    }

    fn enter_member(&mut self, _: &mut F, key: &'static str) {
        self.next = Some((key, None));
    }

    fn leave_member(&mut self, _: &mut F, key: &'static str) {
        if let Some(o) = self.done.take() {
            self.member(key.into(), Produced::Object(o));
        }
    }

    fn extra(&mut self, _: &mut F, key: &'t str, _: &'t JsonIr, key_span: Span) {
        self.member(key.into(), Produced::Extra { key_span });
    }

    fn enter_items(&mut self, _: &mut F, items: &'t Items) {
        self.lists.push(ProducedList {
            owner: items.owner,
            item: items.item,
            limit: items.limit,
            items: Vec::new(),
            lists: Vec::new(),
        });
        self.outer.push((self.approximate, self.repeated));
        self.repeated = false;
    }

    fn leave_items(&mut self, _: &mut F, items: &'t Items, _: usize, _: bool) {
        if let Some((_, repeated)) = self.outer.pop() {
            self.repeated = repeated;
        }
        let Some(list) = self.lists.pop() else { return };
        if items.single {
            if let Some(first) = list.items.into_iter().next() {
                self.member(items.key.into(), Produced::Object(first));
            }
        } else {
            self.member(items.key.into(), Produced::List(list));
        }
    }

    fn enter_item(&mut self, _: &mut F, items: &'t Items, span: Span, _: bool) {
        self.next = Some((items.item, Some(span)));
    }

    fn leave_item(&mut self, _: &mut F, _: &'t Items, _: &'t ObjIr, _: Span, _: ()) {
        if let (Some(o), Some(list)) = (self.done.take(), self.lists.last_mut()) {
            list.items.push(o);
        }
    }

    fn enter_for(&mut self, flow: &mut F, list: &'t PathIr, _: Option<u32>, abstract_: bool) {
        let shown = flow.loops().concrete(list);
        if let Some(l) = self.lists.last_mut() {
            if !l.lists.contains(&shown) {
                l.lists.push(shown);
            }
        }
        if abstract_ {
            self.enter_abstract();
        }
    }

    fn leave_for(&mut self, _: &mut F, _: &'t PathIr, abstract_: bool) {
        if abstract_ {
            self.leave_abstract();
        }
    }

    fn enter_if(&mut self, _: &mut F) {
        self.enter_abstract();
    }

    fn leave_if(&mut self, _: &mut F) {
        self.leave_abstract();
    }
}

/// What a field reads and renders to.
fn field<'t, F: Flow<'t>>(flow: &mut F, f: &'t FieldIr) -> ProducedField {
    let mut data = Vec::new();
    let mut written = Vec::new();
    let mut decls = Vec::new();
    let mut read = |p: &PathIr| {
        data.push(flow.loops().concrete(p));
        written.push(p.dotted.to_string());
        decls.extend(p.decl);
    };
    match &f.val {
        Val::Lit(_) | Val::Src(_) => {}
        Val::Path(p) => read(p),
        Val::Str(StrIr::Parts(parts)) => {
            for part in parts {
                if let Part::Path(p) = part {
                    read(p);
                }
            }
        }
        Val::Str(StrIr::Engine(e)) => e.reads.iter().for_each(read),
    }
    data.dedup();
    written.dedup();
    decls.dedup();
    let (value, absent) = flow.text(f);
    ProducedField {
        key: f.key().into(),
        span: f.span,
        spec: *f.spec,
        data,
        written,
        expression: matches!(f.val, Val::Str(StrIr::Engine(_))),
        decls,
        value,
        absent,
    }
}
