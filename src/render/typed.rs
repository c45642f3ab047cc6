//! Render's fast form of a record: a typed, borrowed parse of one NDJSON line, driven by the
//! template's `input`, fed to the same renderer and the same walk as the spanned parse (a
//! second [`Data`] implementation, not a second renderer).
//!
//! The parser reads the record once, byte by byte, and keeps only what the template declared:
//! each object's members in declaration order (one slot per declared field), lists as runs of
//! slots, strings borrowed from the line (or, with escapes, decoded into one reused buffer).
//! No `Node` tree, no allocation per record once the buffers have grown.
//!
//! It does not report: it only has to tell that a record is *good*. Whatever a data check
//! would say something about (an unknown or repeated key, a wrong type, a `null` where a value
//! is required, a string over its `max`, a bad URL, a number out of range, a list over its
//! `max`), and whatever is merely unusual (an escaped key, a byte order mark, an undeclared
//! type), makes it give up; and a render that says anything at all (an error or a warning) is
//! not taken either. The caller then renders the record the usual way, through the spanned
//! parse, which gives the diagnostics with their spans. So the fast form changes speed, never
//! output nor verdicts.

use std::collections::BTreeMap;

use serde_json::ser::CompactFormatter;

use super::{number_to_minijinja, Renderer, RequestOptions, Writer};
use crate::ir::walk::{Data, View};
use crate::ir::Template;
use crate::json::{
    is_integer, max_bytes, number_out_of_range, plain_prefix, plain_prefix_marked, MAX_DEPTH,
};
use crate::model::lints::MARKUP_STARTS;
use crate::model::types::{ObjTy, Ty};
use crate::model::values::url_problem;
use crate::span::Span;

/// A record, parsed: slot 0 is the root object. Reused from record to record.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    slots: Vec<Slot>,
    /// List items waiting for their list to end (so that a list's items end up side by side).
    pending: Vec<Slot>,
    /// The strings that had escapes, decoded.
    decoded: String,
}

/// One value of the record, and where it is in the line.
#[derive(Debug, Clone, Copy)]
struct Slot {
    val: Val,
    start: u32,
    end: u32,
}

#[derive(Debug, Clone, Copy)]
enum Val {
    /// A declared member the record does not give.
    Absent,
    Null,
    Bool(bool),
    /// The number's text is the slot's bytes in the line.
    Number,
    /// A string: the line's bytes `from..to` (no escape), or the decoded buffer's;
    /// `marked` unless the parse saw that it holds none of the bytes markup starts with
    /// (always for a decoded one).
    Str {
        decoded: bool,
        marked: bool,
        from: u32,
        to: u32,
    },
    /// Items at `slots[first..first + len]`.
    List {
        first: u32,
        len: u32,
    },
    /// Members at `slots[first..]`, one per declared field, in declaration order.
    Object {
        first: u32,
    },
}

const ABSENT: Slot = Slot {
    val: Val::Absent,
    start: 0,
    end: 0,
};

/// Why the fast form gave up (the record goes the usual way).
#[derive(Debug)]
pub(crate) struct GiveUp;

type Parsed<T> = Result<T, GiveUp>;

impl Doc {
    /// Parses `text` for `input`: `Err` when the record is not plainly good.
    pub(crate) fn parse(&mut self, text: &str, input: &ObjTy) -> Parsed<()> {
        self.slots.clear();
        self.pending.clear();
        self.decoded.clear();
        if text.len() > max_bytes() || text.len() >= u32::MAX as usize {
            return Err(GiveUp);
        }
        let mut p = Parser {
            text,
            b: text.as_bytes(),
            // A byte order mark is not part of the record, as the spanned reader has it.
            i: if text.starts_with('\u{FEFF}') { 3 } else { 0 },
            doc: self,
            depth: 0,
        };
        p.ws();
        let start = p.i;
        if p.peek() != Some(b'{') {
            return Err(GiveUp);
        }
        p.doc.slots.push(ABSENT);
        let root = p.object(input)?;
        p.doc.slots[0] = Slot {
            val: root,
            start: start as u32,
            end: p.i as u32,
        };
        p.ws();
        if p.i != p.b.len() {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// The root object, read with the template's input.
    pub(crate) fn root<'d>(&'d self, text: &'d str, input: &'d Ty) -> Value<'d> {
        Value {
            text,
            doc: self,
            at: 0,
            ty: input,
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    doc: &'a mut Doc,
    depth: usize,
}

impl Parser<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> Parsed<()> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// An object whose `{` is next, for its declared type; its members are pushed (one slot
    /// per declared field), its own slot is the caller's.
    fn object(&mut self, ty: &ObjTy) -> Parsed<Val> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        self.i += 1;
        let first = self.doc.slots.len();
        self.doc.slots.resize(first + ty.fields.len(), ABSENT);
        self.ws();
        // Members given (each once: a repeated key gives up).
        let mut seen = 0;
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            // Records mostly give the members in the order `input` declares them.
            let mut next = 0;
            loop {
                seen += 1;
                self.ws();
                let index = self.key(ty, next)?;
                next = index + 1;
                self.ws();
                self.eat(b':')?;
                self.ws();
                let slot = first + index;
                // A repeated key (M3008).
                if !matches!(self.doc.slots[slot].val, Val::Absent) {
                    return Err(GiveUp);
                }
                let field = &ty.fields[index];
                let start = self.i;
                let val = self.value(&field.ty)?;
                // `null` for a required input (M3002).
                if matches!(val, Val::Null) && !field.optional {
                    return Err(GiveUp);
                }
                self.doc.slots[slot] = Slot {
                    val,
                    start: start as u32,
                    end: self.i as u32,
                };
                self.ws();
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b'}') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(GiveUp),
                }
            }
        }
        // A required input missing (M3002); none when every declared member was given.
        let members = &self.doc.slots[first..first + ty.fields.len()];
        if seen < ty.fields.len()
            && ty
                .fields
                .iter()
                .zip(members)
                .any(|(f, m)| !f.optional && matches!(m.val, Val::Absent))
        {
            return Err(GiveUp);
        }
        self.depth -= 1;
        Ok(Val::Object {
            first: first as u32,
        })
    }

    /// A member's key: the index of the declared field it names, `hint` tried first. An
    /// undeclared key (M3005) or one with escapes gives up. (A declared name is an
    /// identifier: its bytes then `"` are the whole key, without escapes.)
    fn key(&mut self, ty: &ObjTy, hint: usize) -> Parsed<usize> {
        self.eat(b'"')?;
        let rest = &self.b[self.i..];
        let names = |f: &crate::model::types::FieldTy| {
            let n = f.name.as_bytes();
            rest.get(n.len()) == Some(&b'"') && same_bytes(&rest[..n.len()], n)
        };
        let index = match ty.fields.get(hint) {
            Some(f) if names(f) => hint,
            _ => ty.fields.iter().position(names).ok_or(GiveUp)?,
        };
        self.i += ty.fields[index].name.len() + 1;
        Ok(index)
    }

    /// A value of type `ty`, checked as the data checks would; `null` is left to the caller.
    fn value(&mut self, ty: &Ty) -> Parsed<Val> {
        match (self.peek(), ty) {
            (Some(b'n'), _) => self.word(b"null", Val::Null),
            (Some(b'"'), Ty::String { max }) => {
                let (val, text) = self.string::<true>()?;
                if let Some(max) = max {
                    too_long(text, *max)?;
                }
                Ok(val)
            }
            (Some(b'"'), Ty::Url { max }) => {
                let (val, text) = self.string::<false>()?;
                if let Some(max) = max {
                    too_long(text, *max)?;
                }
                if url_problem(text).is_some() {
                    return Err(GiveUp);
                }
                Ok(val)
            }
            (Some(b'-' | b'0'..=b'9'), Ty::Number { range } | Ty::Integer { range }) => {
                let start = self.i;
                let plain = self.number()?;
                let n = &self.text[start..self.i];
                let integer = matches!(ty, Ty::Integer { .. });
                if (integer && !is_integer(n)) || (!plain && number_out_of_range(n).is_some()) {
                    return Err(GiveUp);
                }
                if let Some(r) = range {
                    if !n.parse::<f64>().is_ok_and(|v| r.contains(v)) {
                        return Err(GiveUp);
                    }
                }
                Ok(Val::Number)
            }
            (Some(b't'), Ty::Bool) => self.word(b"true", Val::Bool(true)),
            (Some(b'f'), Ty::Bool) => self.word(b"false", Val::Bool(false)),
            (Some(b'{'), Ty::Object(o)) => self.object(o),
            (Some(b'['), Ty::List { max, item }) => self.list(*max, item),
            // A wrong type (M3003), an undeclared one, or not JSON.
            _ => Err(GiveUp),
        }
    }

    fn word(&mut self, word: &[u8], val: Val) -> Parsed<Val> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(val)
        } else {
            Err(GiveUp)
        }
    }

    fn list(&mut self, max: Option<u32>, item: &Ty) -> Parsed<Val> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        self.i += 1;
        let base = self.doc.pending.len();
        // Items of objects whose fields are read: `null` has none of them (M3002).
        let null_refused = matches!(item, Ty::Object(o) if o.fields.iter().any(|f| !f.optional));
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                let start = self.i;
                let val = self.value(item)?;
                if matches!(val, Val::Null) && null_refused {
                    return Err(GiveUp);
                }
                self.doc.pending.push(Slot {
                    val,
                    start: start as u32,
                    end: self.i as u32,
                });
                self.ws();
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b']') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(GiveUp),
                }
            }
        }
        let len = self.doc.pending.len() - base;
        // Over the list's `max` (M3004).
        if max.is_some_and(|m| len > m as usize) {
            return Err(GiveUp);
        }
        let first = self.doc.slots.len();
        let Doc { slots, pending, .. } = &mut *self.doc;
        slots.extend(pending.drain(base..));
        self.depth -= 1;
        Ok(Val::List {
            first: first as u32,
            len: len as u32,
        })
    }

    /// A number as JSON writes it (the spanned reader's grammar); `true` when it is plainly
    /// within `number_out_of_range`'s bounds, as its scan shows: no exponent, and an integer
    /// part of 1 to 15 digits that does not start with 0 (`19.90`, `-3`).
    fn number(&mut self) -> Parsed<bool> {
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.i += 1;
            }
            p.i > s
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        if !digits(self) || (self.b[int_start] == b'0' && self.i - int_start > 1) {
            return Err(GiveUp);
        }
        let mut plain = self.b[int_start] != b'0' && self.i - int_start <= 15;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(GiveUp);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            plain = false;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(GiveUp);
            }
        }
        Ok(plain)
    }

    /// A string whose `"` is next: its value and its text; with `MARKS`, the scan that finds
    /// its end also tells whether it holds a byte markup starts with (a text input's, which
    /// render lints).
    fn string<const MARKS: bool>(&mut self) -> Parsed<(Val, &str)> {
        self.i += 1;
        let start = self.i;
        let (n, marked) = if MARKS {
            plain_prefix_marked(&self.b[start..], MARKUP_STARTS)
        } else {
            (plain_prefix(&self.b[start..]), true)
        };
        self.i = start + n;
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                let text = &self.text[start..start + n];
                let val = Val::Str {
                    decoded: false,
                    marked,
                    from: start as u32,
                    to: (start + n) as u32,
                };
                return Ok((val, text));
            }
            Some(b'\\') => {}
            // A control character, or the end of the line.
            _ => return Err(GiveUp),
        }
        let from = self.doc.decoded.len();
        let mut run = start;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.push_run(run)?;
                    self.i += 1;
                    break;
                }
                Some(b'\\') => {
                    self.push_run(run)?;
                    let c = self.escape()?;
                    self.doc.decoded.push(c);
                    run = self.i;
                }
                Some(0..0x20) | None => return Err(GiveUp),
                Some(_) => self.i += 1 + plain_prefix(&self.b[self.i + 1..]),
            }
        }
        let to = self.doc.decoded.len();
        let val = Val::Str {
            decoded: true,
            marked: true,
            from: from as u32,
            to: to as u32,
        };
        Ok((val, &self.doc.decoded[from..to]))
    }

    /// Copies the plain bytes `run..i` of a string with escapes to the decoded buffer.
    fn push_run(&mut self, run: usize) -> Parsed<()> {
        let text = self.text.get(run..self.i).ok_or(GiveUp)?;
        self.doc.decoded.push_str(text);
        Ok(())
    }

    /// An escape whose `\` is next; a surrogate escape without its pair gives up.
    fn escape(&mut self) -> Parsed<char> {
        self.i += 1;
        let c = match self.peek().map(|b| (b, crate::json::short_escape(b))) {
            Some((_, Some(c))) => c,
            Some((b'u', None)) => {
                self.i += 1;
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    self.eat(b'\\')?;
                    self.eat(b'u')?;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(GiveUp);
                    }
                    crate::json::surrogate_pair(hi, lo)
                } else {
                    hi
                };
                return char::from_u32(code).ok_or(GiveUp);
            }
            _ => return Err(GiveUp),
        };
        self.i += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let h = self.b.get(self.i..self.i + 4).ok_or(GiveUp)?;
        let mut v = 0;
        for &d in h {
            v = v * 16 + (d as char).to_digit(16).ok_or(GiveUp)?;
        }
        self.i += 4;
        Ok(v)
    }
}

/// Whether two short byte strings (names) are equal: a loop, where `==` calls `memcmp`.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A string over its declared `max` characters (M3004).
#[inline]
fn too_long(text: &str, max: u32) -> Parsed<()> {
    if text.len() > max as usize && text.chars().count() > max as usize {
        return Err(GiveUp);
    }
    Ok(())
}

/// A value of a parsed record, with its declared type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Value<'d> {
    text: &'d str,
    doc: &'d Doc,
    at: u32,
    ty: &'d Ty,
}

/// A list of a parsed record, with its items' declared type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct List<'d> {
    text: &'d str,
    doc: &'d Doc,
    first: u32,
    len: u32,
    item: &'d Ty,
}

impl<'d> Value<'d> {
    #[inline]
    fn slot(self) -> Slot {
        self.doc.slots[self.at as usize]
    }

    #[inline(never)]
    fn object_view(self) -> View<'d, List<'d>> {
        View::Object {
            empty: self.members().next().is_none(),
        }
    }

    /// The declared fields and their values, for an object.
    fn members(self) -> impl Iterator<Item = (&'d str, Value<'d>)> {
        let (fields, first): (&'d [_], usize) = match (self.slot().val, self.ty) {
            (Val::Object { first }, Ty::Object(o)) => (&o.fields, first as usize),
            _ => (&[], 0),
        };
        fields.iter().enumerate().filter_map(move |(i, f)| {
            let at = first + i;
            match self.doc.slots[at].val {
                Val::Absent => None,
                _ => Some((
                    f.name.as_str(),
                    Value {
                        at: at as u32,
                        ty: &f.ty,
                        ..self
                    },
                )),
            }
        })
    }
}

impl<'d> Data<'d> for Value<'d> {
    type List = List<'d>;

    #[inline]
    fn get(self, key: &str) -> Option<Self> {
        let (Val::Object { first }, Ty::Object(o)) = (self.slot().val, self.ty) else {
            return None;
        };
        let i = o
            .fields
            .iter()
            .position(|f| same_bytes(f.name.as_bytes(), key.as_bytes()))?;
        let at = first + i as u32;
        match self.doc.slots[at as usize].val {
            Val::Absent => None,
            _ => Some(Value {
                at,
                ty: &o.fields[i].ty,
                ..self
            }),
        }
    }

    /// Inlined into each read (render reads a view per field): the object case, which walks
    /// the members, is out of line.
    #[inline(always)]
    fn view(self) -> View<'d, List<'d>> {
        let slot = self.slot();
        match slot.val {
            Val::Absent | Val::Null => View::Null,
            Val::Bool(b) => View::Bool(b),
            Val::Number => View::Number(&self.text[slot.start as usize..slot.end as usize]),
            Val::Str {
                decoded, from, to, ..
            } => View::String(if decoded {
                &self.doc.decoded[from as usize..to as usize]
            } else {
                &self.text[from as usize..to as usize]
            }),
            Val::List { first, len } => View::List(List {
                text: self.text,
                doc: self.doc,
                first,
                len,
                item: match self.ty {
                    Ty::List { item, .. } => item,
                    other => other,
                },
            }),
            Val::Object { .. } => self.object_view(),
        }
    }

    #[inline]
    fn span(self) -> Span {
        let slot = self.slot();
        Span::new(slot.start as usize, slot.end as usize)
    }

    #[inline]
    fn len(list: List<'d>) -> usize {
        list.len as usize
    }

    #[inline]
    fn item(list: List<'d>, index: usize) -> Option<Self> {
        (index < list.len as usize).then_some(Value {
            text: list.text,
            doc: list.doc,
            at: list.first + index as u32,
            ty: list.item,
        })
    }

    fn type_name(self) -> &'static str {
        match self.view() {
            View::Null => "null",
            View::Bool(_) => "a boolean",
            View::Number(n) if is_integer(n) => "an integer",
            View::Number(_) => "a number",
            View::String(_) => "a string",
            View::List(_) => "a list",
            View::Object { .. } => "an object",
        }
    }

    /// A string without escapes has neither a `\\` nor a control character (which JSON
    /// forbids unescaped) nor a lone `"`: it is written out as it is written in.
    #[inline]
    fn json_string(self) -> Option<&'d str> {
        match self.slot().val {
            Val::Str {
                decoded: false,
                from,
                to,
                ..
            } => Some(&self.text[from as usize - 1..to as usize + 1]),
            _ => None,
        }
    }

    /// The parse of a text input's string looked for markup's first bytes as it found the
    /// string's end.
    #[inline]
    fn markup_free(self) -> bool {
        matches!(self.slot().val, Val::Str { marked: false, .. })
    }

    /// The parse checks every string of a `url` input with `url_problem`, and takes none it
    /// finds a problem with.
    #[inline]
    fn url_checked(self) -> bool {
        matches!(self.ty, Ty::Url { .. }) && matches!(self.slot().val, Val::Str { .. })
    }

    fn to_engine(self) -> minijinja::Value {
        match self.view() {
            View::Null => minijinja::Value::from(()),
            View::Bool(b) => minijinja::Value::from(b),
            View::Number(n) => number_to_minijinja(n),
            View::String(s) => minijinja::Value::from(s),
            View::List(l) => minijinja::Value::from(
                (0..l.len as usize)
                    .filter_map(|i| Self::item(l, i))
                    .map(Self::to_engine)
                    .collect::<Vec<_>>(),
            ),
            View::Object { .. } => minijinja::Value::from(
                self.members()
                    .map(|(k, v)| (k.to_string(), v.to_engine()))
                    .collect::<BTreeMap<String, minijinja::Value>>(),
            ),
        }
    }
}

thread_local! {
    /// The parsed record's buffers, reused across records on a thread.
    static DOC: std::cell::RefCell<Doc> = std::cell::RefCell::new(Doc::default());
    /// The renderer's scratch text and the writer's per-level counts, reused likewise.
    static SPARE: std::cell::RefCell<(String, Vec<u32>)> = const {
        std::cell::RefCell::new((String::new(), Vec::new()))
    };
}

impl Template {
    /// Renders one NDJSON record the fast way into `out` (cleared first): `true` when the
    /// record is good (it passes the data checks and renders without a diagnostic), and `out`
    /// holds the compact body (or request); `false` when it must go the usual way
    /// (the batch's spanned parse and data checks, then [`Template::render_owned`]), which
    /// says why.
    pub(crate) fn render_fast(
        &self,
        out: &mut Vec<u8>,
        text: &str,
        request: Option<&RequestOptions>,
    ) -> bool {
        DOC.with(|cell| {
            let Ok(mut doc) = cell.try_borrow_mut() else {
                return false;
            };
            if doc.parse(text, &self.input).is_err() {
                return false;
            }
            let input = Ty::Object(self.input.clone());
            let root = doc.root(text, &input);
            let Some(template) = self.for_typed_record(root) else {
                return false;
            };
            let (scratch, written) = SPARE.with(|s| std::mem::take(&mut *s.borrow_mut()));
            let mut r = Renderer::new(template, root);
            r.scratch = scratch;
            let mut w = Writer::with_bufs(std::mem::take(out), written, CompactFormatter);
            match request {
                None => r.message(&mut w),
                Some(req) => r.request(&mut w, req),
            }
            *out = w.buf;
            SPARE.with(|s| *s.borrow_mut() = (std::mem::take(&mut r.scratch), w.written));
            r.diags.is_empty()
        })
    }

    /// The template for the record's locale, when the template reads it from the data
    /// (`locales { ..., from: PATH }`); `None` when the record names one the template does not
    /// declare (the usual way then reports it).
    fn for_typed_record<'t>(&'t self, root: Value<'_>) -> Option<&'t Template> {
        let Some(from) = &self.locale_from else {
            return Some(self);
        };
        let mut value = root;
        for key in from.keys.iter() {
            match value.get(key) {
                Some(v) => value = v,
                None => return Some(self),
            }
        }
        match value.view() {
            View::String(key) => self.for_locale(key),
            _ => Some(self),
        }
    }
}
