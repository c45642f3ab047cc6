//! The one walk over the IR: objects, their members, lists of items, loops and conditions, in
//! the order the message writes them. Everything that reads the IR's shape is a sink of this
//! walk: render's JSON writer, the tracer that maps output paths back to the template, the
//! image collector and the check-time limit counters. So they cannot disagree about which
//! objects a message holds.
//!
//! The walk is generic over two things, both monomorphized (no `dyn` on render's path):
//! - a [`Flow`], the data side: with data, a `for` walks its body once per item of the list
//!   and an `if` walks the branch the data takes; without data (check time, a trace without
//!   data), a `for` walks its body once, standing for every iteration, with its declared `max`,
//!   and an `if` walks every branch. With data, items beyond a list's count limit are left out
//!   here, in one place.
//! - a [`Sink`], what is fed: it sees each object, member, item, loop and condition, and reads
//!   the data through the flow it is handed.
//!
//! Render's flow reads the data through [`Data`], a small trait: the spanned parse is one
//! implementation; a faster source (a typed, borrowed parse of a record) is another, rendered
//! by the same renderer and this same walk. A faster writer is another `Sink`. Either way the
//! walk stays this one.

use crate::ir::{Cond, FieldIr, Items, JsonIr, Member, Node, ObjIr, PathIr};
use crate::model::profile::Profile;
use crate::model::types::Base;
use crate::span::Span;

#[cfg(test)]
mod tests;

/// How a `for` runs, as the flow decides.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Repeat<L> {
    /// Without data: the body once, standing for every iteration.
    Abstract,
    /// With data: the body once per item of this list.
    Each(L),
    /// With data: not at all (the list is absent, null or not a list).
    Skip,
}

/// Why an item that the data gives is left out of its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// A second item where there can be one (`attachment`, `summary`).
    Second,
    /// Beyond the list's count limit (`max` items).
    OverLimit { max: usize },
}

/// The data side of a walk: how loops and conditions go, and where loop variables point.
pub(crate) trait Flow<'t> {
    /// A list from the data, as the flow holds it.
    type List: Copy;

    /// With data, the profile whose count limits leave items out; `None` without data (every
    /// item the template writes is walked).
    fn counts(&self) -> Option<&Profile>;

    /// A `for` starts: how it runs.
    fn enter_for(&mut self, list: &'t PathIr) -> Repeat<Self::List>;

    /// How many items a list from the data has.
    fn len(list: Self::List) -> usize;

    /// An iteration starts: item `index` of `items` (`None`: the abstract iteration).
    fn enter_iteration(&mut self, list: &'t PathIr, items: Option<Self::List>, index: usize);

    fn leave_iteration(&mut self);

    /// The nodes of the branch an `if` takes, or `None` to walk every branch (without data).
    fn take(
        &mut self,
        branches: &'t [(Cond, Vec<Node>)],
        otherwise: &'t [Node],
    ) -> Option<&'t [Node]>;

    /// The loops around the current node.
    fn loops(&self) -> &Loops<'t>;

    /// The text a field renders to (the JSON of a non-string value), and whether the data
    /// leaves it out; `(None, false)` when there is no data to tell.
    fn text(&mut self, f: &'t FieldIr) -> (Option<String>, bool);
}

/// What a walk feeds. Every method but `enter_item` (which gives the mark) has a default
/// that does nothing, so a sink names only what it looks at.
#[allow(unused_variables)]
pub(crate) trait Sink<'t, F: Flow<'t>> {
    /// Kept by the walk from [`Sink::enter_item`] to [`Sink::leave_item`].
    type Mark;

    /// An object starts; `false` skips its members (and [`Sink::leave_object`]).
    fn enter_object(&mut self, flow: &mut F, o: &'t ObjIr) -> bool {
        true
    }
    fn leave_object(&mut self, flow: &mut F, o: &'t ObjIr) {}

    /// A member the template always writes (`"type": "template"`).
    fn constant(&mut self, flow: &mut F, key: &'static str, json: &'t str) {}
    fn field(&mut self, flow: &mut F, f: &'t FieldIr) {}
    /// A nested object that is always present (`payload`): its object follows.
    fn enter_member(&mut self, flow: &mut F, key: &'static str) {}
    fn leave_member(&mut self, flow: &mut F, key: &'static str) {}
    /// A member of an `extra` block, with the span of its key.
    fn extra(&mut self, flow: &mut F, key: &'t str, value: &'t JsonIr, key_span: Span) {}

    /// A list of items (or a single item) starts.
    fn enter_items(&mut self, flow: &mut F, items: &'t Items) {}
    /// The list ends: `count` items were given (with those left out), `opened` if some were
    /// written.
    fn leave_items(&mut self, flow: &mut F, items: &'t Items, count: usize, opened: bool) {}
    /// An item is written, the first of its list when `first`; its object follows.
    fn enter_item(&mut self, flow: &mut F, items: &'t Items, span: Span, first: bool)
        -> Self::Mark;
    fn leave_item(
        &mut self,
        flow: &mut F,
        items: &'t Items,
        obj: &'t ObjIr,
        span: Span,
        mark: Self::Mark,
    ) {
    }
    /// Item number `count` of the list is left out (with data only).
    fn refuse_item(
        &mut self,
        flow: &mut F,
        items: &'t Items,
        span: Span,
        count: usize,
        why: Refused,
    ) {
    }

    /// A `for` starts (before its iterations), `abstract_` without data.
    fn enter_for(&mut self, flow: &mut F, list: &'t PathIr, max: Option<u32>, abstract_: bool) {}
    fn leave_for(&mut self, flow: &mut F, list: &'t PathIr, abstract_: bool) {}
    /// Without data, an `if` whose branches are all walked: [`Sink::branch`] comes before each
    /// branch, the `else` last (an empty one too).
    fn enter_if(&mut self, flow: &mut F) {}
    fn branch(&mut self, flow: &mut F) {}
    fn leave_if(&mut self, flow: &mut F) {}
}

/// A value of the data, as render reads it. The spanned parse (`&json::Node`) is one; a typed,
/// borrowed parse of a record is another, and render is the same code over either: the
/// renderer, its checks and this walk are generic over it.
pub(crate) trait Data<'d>: Copy {
    /// A list of the data.
    type List: Copy;

    /// An object's member (the last one, when a key is repeated).
    fn get(self, key: &str) -> Option<Self>;

    /// What the value is, borrowed.
    fn view(self) -> View<'d, Self::List>;

    /// Where it is in the data file, for diagnostics.
    fn span(self) -> Span;

    fn len(list: Self::List) -> usize;

    fn item(list: Self::List, index: usize) -> Option<Self>;

    /// "a string", "null": for diagnostics.
    fn type_name(self) -> &'static str;

    /// The value for the template engine, for the expressions that need it.
    fn to_engine(self) -> minijinja::Value;

    /// A string's JSON text (quotes included) when it is written out exactly so: no escape
    /// in it, nothing to escape. `None` when the source does not know.
    #[inline]
    fn json_string(self) -> Option<&'d str> {
        None
    }

    /// Whether this value is a string known to hold none of the bytes markup starts with
    /// (`model::lints::MARKUP_STARTS`), so that render need not look for markup in it.
    #[inline]
    fn markup_free(self) -> bool {
        false
    }

    /// Whether this value is a string that passed the URL check already (the data checks
    /// of a `url` input), so that render need not check it again.
    #[inline]
    fn url_checked(self) -> bool {
        false
    }
}

/// A data value's kind and scalar contents, borrowed from the data.
#[derive(Debug, Clone, Copy)]
pub(crate) enum View<'d, L> {
    Null,
    Bool(bool),
    /// A number as written in the data (copied to the output as is).
    Number(&'d str),
    String(&'d str),
    List(L),
    Object {
        empty: bool,
    },
}

/// The loops around a node: each list, and the item's index when there is data.
#[derive(Debug, Default)]
pub(crate) struct Loops<'t> {
    stack: Vec<(&'t PathIr, Option<usize>)>,
}

impl<'t> Loops<'t> {
    #[inline]
    pub(crate) fn push(&mut self, list: &'t PathIr, index: Option<usize>) {
        self.stack.push((list, index));
    }

    #[inline]
    pub(crate) fn pop(&mut self) {
        self.stack.pop();
    }

    /// The innermost loop.
    pub(crate) fn last(&self) -> Option<(&'t PathIr, Option<usize>)> {
        self.stack.last().copied()
    }

    /// The data item of a loop: `order.items[2]`, or `order.items[*]` without data.
    pub(crate) fn item(&self, list: &PathIr, index: Option<usize>) -> String {
        match index {
            Some(i) => format!("{}[{i}]", self.concrete(list)),
            None => format!("{}[*]", self.concrete(list)),
        }
    }

    /// The data path a template path reads in the current loops: `item.price` ->
    /// `order.items[3].price`.
    pub(crate) fn concrete(&self, p: &PathIr) -> String {
        match p.base {
            Base::Root => p.dotted.to_string(),
            Base::Local(depth) => match self.stack.get(depth) {
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

/// The flow without data: every `for` once, every `if` branch.
#[derive(Debug)]
pub(crate) struct NoData<'t> {
    loops: Loops<'t>,
    /// The text the template's [`Val::Src`](crate::ir::Val::Src) literals are spans of, for [`Flow::text`].
    source: &'t str,
}

impl<'t> NoData<'t> {
    /// The flow without data over a template whose literals may be spans of `source`
    /// ([`Template::literals`](crate::ir::Template::literals)).
    pub(crate) fn over(source: &'t str) -> Self {
        NoData {
            loops: Loops::default(),
            source,
        }
    }

    /// The text the template's literals may be spans of.
    pub(crate) fn source(&self) -> &'t str {
        self.source
    }
}

impl<'t> Flow<'t> for NoData<'t> {
    type List = ();

    fn counts(&self) -> Option<&Profile> {
        None
    }

    fn enter_for(&mut self, _: &'t PathIr) -> Repeat<()> {
        Repeat::Abstract
    }

    fn len(_: ()) -> usize {
        0
    }

    fn enter_iteration(&mut self, list: &'t PathIr, _: Option<()>, _: usize) {
        self.loops.push(list, None);
    }

    fn leave_iteration(&mut self) {
        self.loops.pop();
    }

    fn take(&mut self, _: &'t [(Cond, Vec<Node>)], _: &'t [Node]) -> Option<&'t [Node]> {
        None
    }

    fn loops(&self) -> &Loops<'t> {
        &self.loops
    }

    fn text(&mut self, f: &'t FieldIr) -> (Option<String>, bool) {
        (f.val.literal(self.source).map(literal_text), false)
    }
}

/// A literal's text: a JSON string's contents, or the JSON of another value.
pub(crate) fn literal_text(json: &str) -> String {
    serde_json::from_str::<String>(json).unwrap_or_else(|_| json.to_string())
}

/// Walks an object and everything in it.
pub(crate) fn object<'t, F: Flow<'t>, S: Sink<'t, F>>(flow: &mut F, sink: &mut S, o: &'t ObjIr) {
    if !sink.enter_object(flow, o) {
        return;
    }
    for m in &o.members {
        match m {
            Member::Const { key, json } => sink.constant(flow, key, json),
            Member::Field(f) => sink.field(flow, f),
            Member::Object { key, obj } => {
                sink.enter_member(flow, key);
                object(flow, sink, obj);
                sink.leave_member(flow, key);
            }
            Member::Items(items) => self::items(flow, sink, items),
            Member::Extra(members) => {
                for (key, value, key_span) in members {
                    sink.extra(flow, key, value, *key_span);
                }
            }
        }
    }
    sink.leave_object(flow, o);
}

/// The count of a list's items so far, and whether one was written.
struct Tally {
    count: usize,
    opened: bool,
}

fn items<'t, F: Flow<'t>, S: Sink<'t, F>>(flow: &mut F, sink: &mut S, items: &'t Items) {
    sink.enter_items(flow, items);
    let mut tally = Tally {
        count: 0,
        opened: false,
    };
    nodes(flow, sink, items, &items.nodes, &mut tally);
    sink.leave_items(flow, items, tally.count, tally.opened);
}

fn nodes<'t, F: Flow<'t>, S: Sink<'t, F>>(
    flow: &mut F,
    sink: &mut S,
    items: &'t Items,
    nodes: &'t [Node],
    tally: &mut Tally,
) {
    for n in nodes {
        node(flow, sink, items, n, tally);
    }
}

fn node<'t, F: Flow<'t>, S: Sink<'t, F>>(
    flow: &mut F,
    sink: &mut S,
    items: &'t Items,
    node: &'t Node,
    tally: &mut Tally,
) {
    match node {
        Node::Obj { obj, span } => {
            tally.count += 1;
            if let Some(profile) = flow.counts() {
                let refused = if items.single && tally.count > 1 {
                    Some(Refused::Second)
                } else {
                    items
                        .limit
                        .map(|limit| profile.limit(limit).max)
                        .filter(|max| tally.count > *max)
                        .map(|max| Refused::OverLimit { max })
                };
                if let Some(why) = refused {
                    sink.refuse_item(flow, items, *span, tally.count, why);
                    return;
                }
            }
            let first = !tally.opened;
            tally.opened = true;
            let mark = sink.enter_item(flow, items, *span, first);
            object(flow, sink, obj);
            sink.leave_item(flow, items, obj, *span, mark);
        }
        Node::For {
            list, max, body, ..
        } => {
            let repeat = flow.enter_for(list);
            let abstract_ = matches!(repeat, Repeat::Abstract);
            sink.enter_for(flow, list, *max, abstract_);
            match repeat {
                Repeat::Abstract => {
                    flow.enter_iteration(list, None, 0);
                    nodes(flow, sink, items, body, tally);
                    flow.leave_iteration();
                }
                Repeat::Each(elements) => {
                    for index in 0..F::len(elements) {
                        flow.enter_iteration(list, Some(elements), index);
                        nodes(flow, sink, items, body, tally);
                        flow.leave_iteration();
                    }
                }
                Repeat::Skip => {}
            }
            sink.leave_for(flow, list, abstract_);
        }
        Node::If {
            branches,
            otherwise,
        } => match flow.take(branches, otherwise) {
            Some(taken) => nodes(flow, sink, items, taken, tally),
            None => {
                sink.enter_if(flow);
                for (_, body) in branches {
                    sink.branch(flow);
                    nodes(flow, sink, items, body, tally);
                }
                sink.branch(flow);
                nodes(flow, sink, items, otherwise, tally);
                sink.leave_if(flow);
            }
        },
    }
}
