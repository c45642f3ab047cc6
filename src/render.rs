//! Rendering: the compiled template and one data value -> JSON bytes. The walk writes JSON
//! straight out through serde_json's formatter: no output tree, no re-parse, and no template
//! engine for literals and plain paths. Rendered values are checked again (lengths, counts,
//! URLs), pointing at the template span that produced them and naming the data path.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

use crate::diagnostic::{codes, Severity};
use crate::model::api_path::iadvize_path;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::diagnostic::{Diagnostic, Origin};
use crate::ir::walk::{self, Data, Flow, Loops, Refused, Repeat, Sink, View};
use crate::ir::Node as IrNode;
use crate::ir::*;
use crate::json::{Json, Node};
use crate::model::images::{Aspect, ImageRef};
use crate::model::profile::Envelope;
use crate::model::profile::Profile;
use crate::model::receipt::totals_diagnostic;
use crate::model::schema::Kind;
use crate::model::types::Base;
use crate::model::values;
use crate::span::Span;

mod trace;
mod typed;

pub use trace::{Produced, ProducedField, ProducedList, ProducedObject};

/// The iAdvize API host; the guide's path is appended.
pub const IADVIZE_API: &str = "https://api.iadvize.com";

/// How to write the JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Indented, for humans; compact otherwise.
    pub pretty: bool,
}

/// What `--emit request` needs beyond the data.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// The Facebook page id: the digits of its `m.me/` link.
    pub page_id: String,
    /// Overrides the template's `customer_id` scheme.
    pub customer_id: Option<String>,
    /// The recipient's page-scoped id, for the Send API envelope.
    pub recipient: Option<String>,
}

/// At most this many diagnostics from one render: the first ones tell the story.
const MAX_DIAGNOSTICS: usize = 50;

impl Template {
    /// Renders the message body for one data value into `out`. Nothing is written unless the
    /// render succeeds; the `Ok` value holds warnings, the `Err` value the diagnostics.
    pub fn render_to<W: Write>(
        &self,
        out: &mut W,
        data: &Node<'_>,
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        self.render_with(out, data, RenderOptions::default())
    }

    /// Like [`Template::render_to`], with options.
    pub fn render_with<W: Write>(
        &self,
        out: &mut W,
        data: &Node<'_>,
        options: RenderOptions,
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        self.placed(self.emit(out, data, None, options))
    }

    /// Renders the body even when the data makes it invalid, for a preview (never for
    /// sending): the JSON as far as render wrote it (a field over its limit is written whole)
    /// and every diagnostic, errors included. `None` when what was written is not JSON.
    pub fn render_unchecked(
        &self,
        data: &Node<'_>,
    ) -> (Option<serde_json::Value>, Vec<Diagnostic>) {
        let mut r = Renderer::new(self, data);
        let mut w = Writer::new(CompactFormatter);
        r.message(&mut w);
        let body = serde_json::from_slice(&w.buf).ok();
        recycle(w.buf);
        let mut diags = r.diags;
        if let Some(map) = &self.sources {
            crate::diagnostic::place(&mut diags, map);
        }
        crate::diagnostic::sort(&mut diags);
        (body, diags)
    }

    /// Places diagnostics made at this template's positions (a field's span, as `image_spans`
    /// gives it) that fall in a shared part's items: in the part's file, with the use that
    /// brought it in labelled, as compiling and rendering report them.
    pub fn place_diagnostics(&self, diagnostics: &mut [Diagnostic]) {
        if let Some(map) = &self.sources {
            crate::diagnostic::place(diagnostics, map);
        }
    }

    /// What rendering found in the items of a shared part, placed in the part's file with the
    /// use that brought it in labelled (`diagnostic::place`), as compiling reports it.
    fn placed(
        &self,
        mut result: Result<Vec<Diagnostic>, Vec<Diagnostic>>,
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        if let Some(map) = &self.sources {
            match &mut result {
                Ok(d) | Err(d) => crate::diagnostic::place(d, map),
            }
        }
        result
    }

    /// Renders the request `{method, url, body}` that delivers the message (`--emit request`).
    pub fn render_request<W: Write>(
        &self,
        out: &mut W,
        data: &Node<'_>,
        request: &RequestOptions,
        options: RenderOptions,
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        self.placed(self.emit(out, data, Some(request), options))
    }

    /// The body, or with `request` the whole request, compact or pretty.
    fn emit<W: Write>(
        &self,
        out: &mut W,
        data: &Node<'_>,
        request: Option<&RequestOptions>,
        options: RenderOptions,
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        fn walk<F: Fmt>(
            r: &mut Renderer<'_, '_>,
            mut w: Writer<F>,
            request: Option<&RequestOptions>,
        ) -> Vec<u8> {
            match request {
                None => r.message(&mut w),
                Some(req) => r.request(&mut w, req),
            }
            w.buf
        }
        let mut r = Renderer::new(self, data);
        let buf = if options.pretty {
            walk(
                &mut r,
                Writer::new(PrettyFormatter::with_indent(b"  ")),
                request,
            )
        } else {
            walk(&mut r, Writer::new(CompactFormatter), request)
        };
        let result = r.finish(out, &buf);
        recycle(buf);
        result
    }

    /// The compact body (or with `request` the request) rendered into `out` itself, cleared
    /// first: the batch's way, one buffer per record, no copy out of a render buffer. On error
    /// `out` holds a partial render, to be discarded.
    pub(crate) fn render_owned(
        &self,
        out: &mut Vec<u8>,
        data: &Node<'_>,
        request: Option<&RequestOptions>,
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let mut r = Renderer::new(self, data);
        let mut w = Writer::with_buf(std::mem::take(out), CompactFormatter);
        match request {
            None => r.message(&mut w),
            Some(req) => r.request(&mut w, req),
        }
        *out = w.buf;
        self.placed(r.finish(&mut std::io::sink(), &[]))
    }

    /// The images the message shows with this data, each with the shape it is shown in.
    pub(crate) fn images(&self, data: &Node<'_>) -> Result<Vec<ImageRef>, Vec<Diagnostic>> {
        let mut r = Renderer::new(self, data);
        r.images = Some(Vec::new());
        let mut w = Writer::new(CompactFormatter);
        r.message(&mut w);
        recycle(w.buf);
        if r.diags.iter().any(Diagnostic::is_error) {
            return self.placed(Err(r.diags)).map(|_| Vec::new());
        }
        Ok(r.images.unwrap_or_default())
    }

    /// The customer_id that the template's scheme gives for this data (`None` without a
    /// scheme), with its warnings (M2014); `Err` with the errors if it cannot be rendered.
    #[allow(clippy::type_complexity)]
    pub fn customer_id_checked(
        &self,
        data: &Node<'_>,
    ) -> Result<(Option<String>, Vec<Diagnostic>), Vec<Diagnostic>> {
        let Some(f) = &self.customer_id else {
            return Ok((None, Vec::new()));
        };
        let mut r = Renderer::new(self, data);
        let id = r.customer_id(f).map(|c| c.into_owned());
        if let Some(map) = &self.sources {
            crate::diagnostic::place(&mut r.diags, map);
        }
        if r.diags.iter().any(Diagnostic::is_error) {
            return Err(r.diags);
        }
        Ok((id, r.diags))
    }

    /// Renders the body as a `serde_json::Value`: a convenience for tests and library users.
    pub fn render_value(&self, data: &Node<'_>) -> Result<serde_json::Value, Vec<Diagnostic>> {
        let mut buf = Vec::new();
        self.render_to(&mut buf, data)?;
        serde_json::from_slice(&buf).map_err(|e| {
            vec![codes::m3007_render_failed(format!("the rendered JSON cannot be read back as a value: {e}"))
                .help("a number in the data is beyond what serde_json's `Value` holds; use `render_to` for the bytes")]
        })
    }
}

/// serde_json's two formatters, and whether this one is the compact one: its punctuation and
/// plain keys the writer then writes itself, a byte at a time, instead of a formatter call
/// and a copy each (the bytes are the same: the compact formatter writes them so).
trait Fmt: Formatter {
    const COMPACT: bool;
}

impl Fmt for CompactFormatter {
    const COMPACT: bool = true;
}

impl Fmt for PrettyFormatter<'_> {
    const COMPACT: bool = false;
}

/// A JSON writer over serde_json's formatter, keeping the "first member" state per level.
struct Writer<F: Fmt> {
    buf: Vec<u8>,
    fmt: F,
    /// Per open object or array: how many members or items it has so far.
    written: Vec<u32>,
}

thread_local! {
    /// The render buffer, reused across renders on a thread: a render allocates nothing for
    /// its output once the buffer has grown to the size of a message.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Hands the buffer back for the next render.
fn recycle(buf: Vec<u8>) {
    BUFFER.with(|b| *b.borrow_mut() = buf);
}

impl<F: Fmt> Writer<F> {
    /// A writer into this thread's recycled render buffer.
    fn new(fmt: F) -> Self {
        Self::with_buf(BUFFER.with(|b| std::mem::take(&mut *b.borrow_mut())), fmt)
    }

    /// A writer into `buf`, cleared first.
    fn with_buf(buf: Vec<u8>, fmt: F) -> Self {
        Self::with_bufs(buf, Vec::with_capacity(8), fmt)
    }

    /// A writer into `buf`, with `written` for its per-level counts (both cleared first): a
    /// batch reuses the counts' allocation from record to record.
    fn with_bufs(mut buf: Vec<u8>, mut written: Vec<u32>, fmt: F) -> Self {
        buf.clear();
        written.clear();
        Writer { buf, fmt, written }
    }

    // Writing into a Vec cannot fail: the results below are infallible.
    #[inline]
    fn begin_object(&mut self) {
        if F::COMPACT {
            self.buf.push(b'{');
        } else {
            let _ = self.fmt.begin_object(&mut self.buf);
        }
        self.written.push(0);
    }

    /// Closes an object; returns how many members it has.
    #[inline]
    fn end_object(&mut self) -> u32 {
        let n = self.written.pop().unwrap_or(0);
        if F::COMPACT {
            self.buf.push(b'}');
        } else {
            let _ = self.fmt.end_object(&mut self.buf);
        }
        n
    }

    /// Counts one more member or item in the open object or array; true for the first.
    #[inline]
    fn next(&mut self) -> bool {
        match self.written.last_mut() {
            Some(n) => {
                *n += 1;
                *n == 1
            }
            None => true,
        }
    }

    #[inline]
    fn key(&mut self, key: &str) {
        if crate::json::plain_prefix(key.as_bytes()) == key.len() {
            return self.name(key);
        }
        let first = self.next();
        let _ = self.fmt.begin_object_key(&mut self.buf, first);
        let _ = write_escaped(&mut self.buf, &mut self.fmt, key);
        let _ = self.fmt.end_object_key(&mut self.buf);
        let _ = self.fmt.begin_object_value(&mut self.buf);
    }

    /// A key with nothing to escape: the name of a field of Messenger's API (an identifier
    /// from the schema), or a key [`Writer::key`] found plain.
    #[inline(always)]
    fn name(&mut self, key: &str) {
        debug_assert_eq!(crate::json::plain_prefix(key.as_bytes()), key.len());
        let first = self.next();
        if F::COMPACT {
            return put_key(&mut self.buf, key.as_bytes(), first);
        }
        let _ = self.fmt.begin_object_key(&mut self.buf, first);
        self.buf.push(b'"');
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.push(b'"');
        let _ = self.fmt.end_object_key(&mut self.buf);
        let _ = self.fmt.begin_object_value(&mut self.buf);
    }

    #[inline]
    fn end_value(&mut self) {
        let _ = self.fmt.end_object_value(&mut self.buf);
    }

    #[inline]
    fn begin_array(&mut self) {
        if F::COMPACT {
            self.buf.push(b'[');
        } else {
            let _ = self.fmt.begin_array(&mut self.buf);
        }
        self.written.push(0);
    }

    #[inline]
    fn array_item(&mut self) {
        let first = self.next();
        if F::COMPACT {
            if !first {
                self.buf.push(b',');
            }
            return;
        }
        let _ = self.fmt.begin_array_value(&mut self.buf, first);
    }

    #[inline]
    fn end_array_item(&mut self) {
        let _ = self.fmt.end_array_value(&mut self.buf);
    }

    #[inline]
    fn end_array(&mut self) {
        self.written.pop();
        if F::COMPACT {
            self.buf.push(b']');
        } else {
            let _ = self.fmt.end_array(&mut self.buf);
        }
    }

    /// A scalar already serialized (a number as written, `true`, a JSON string).
    #[inline]
    fn raw(&mut self, json: &str) {
        let _ = self.fmt.write_raw_fragment(&mut self.buf, json);
    }

    /// A string known to hold nothing to escape (no `"`, `\\` or control character).
    #[inline]
    fn plain_string(&mut self, s: &str) {
        debug_assert_eq!(crate::json::plain_prefix(s.as_bytes()), s.len());
        if !F::COMPACT {
            return self.string(s);
        }
        let buf = &mut self.buf;
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    }

    #[inline]
    fn string(&mut self, s: &str) {
        let _ = write_escaped(&mut self.buf, &mut self.fmt, s);
    }

    /// Inlined into each caller: a message writes seventy-odd members this way, and the call
    /// was a sixth of writing one.
    #[inline(always)]
    fn member_raw(&mut self, key: &str, json: &str) {
        self.name(key);
        self.raw(json);
        self.end_value();
    }

    #[inline]
    fn member_str(&mut self, key: &str, s: &str) {
        self.name(key);
        self.string(s);
        self.end_value();
    }
}

/// Appends a plain key as the compact formatter writes it, `,"key":` (no comma before the
/// first member). A message writes a hundred keys or so, all short names: a key of 1 to 24
/// bytes is copied with a few fixed-size moves into a fixed-size run appended at once,
/// instead of four appends and a `memcpy` call (a tenth of a record's render).
#[inline(always)]
fn put_key(buf: &mut Vec<u8>, key: &[u8], first: bool) {
    let n = key.len();
    if !(1..=24).contains(&n) {
        buf.reserve(n + 4);
        if !first {
            buf.push(b',');
        }
        buf.push(b'"');
        buf.extend_from_slice(key);
        buf.extend_from_slice(b"\":");
        return;
    }
    let at = buf.len();
    buf.extend_from_slice(&[b','; 32]);
    // The opening quote: after the comma, or in its place for the first member.
    let q = usize::from(!first);
    let w = &mut buf[at + q..at + q + 27];
    w[0] = b'"';
    let k = &mut w[1..];
    if n < 4 {
        // `id`, `url`: the first, middle and last bytes.
        k[0] = key[0];
        k[n / 2] = key[n / 2];
        k[n - 1] = key[n - 1];
    } else if n <= 8 {
        k[..4].copy_from_slice(&key[..4]);
        k[n - 4..n].copy_from_slice(&key[n - 4..]);
    } else {
        k[..8].copy_from_slice(&key[..8]);
        if n > 16 {
            k[8..16].copy_from_slice(&key[8..16]);
        }
        k[n - 8..n].copy_from_slice(&key[n - 8..]);
    }
    k[n] = b'"';
    k[n + 1] = b':';
    buf.truncate(at + q + n + 3);
}

/// Bytes that a JSON string must escape: `"`, `\\` and the control characters.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Writes a JSON string: runs of plain bytes as fragments, the rest as escapes.
fn write_escaped<F: Formatter>(buf: &mut Vec<u8>, fmt: &mut F, s: &str) -> std::io::Result<()> {
    use serde_json::ser::CharEscape;
    let bytes = s.as_bytes();
    // Most text needs no escape at all: skip it eight bytes at a time, and copy it whole
    // (serde_json's compact and pretty formatters write a string's quotes and fragments as
    // they are, so the bytes are theirs).
    let clean = crate::json::plain_prefix(bytes);
    if clean == bytes.len() {
        buf.reserve(bytes.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(bytes);
        buf.push(b'"');
        return Ok(());
    }
    fmt.begin_string(buf)?;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate().skip(clean) {
        if !NEEDS_ESCAPE[b as usize] {
            continue;
        }
        let escape = match b {
            b'"' => CharEscape::Quote,
            b'\\' => CharEscape::ReverseSolidus,
            b'\n' => CharEscape::LineFeed,
            b'\r' => CharEscape::CarriageReturn,
            b'\t' => CharEscape::Tab,
            0x08 => CharEscape::Backspace,
            0x0c => CharEscape::FormFeed,
            _ => CharEscape::AsciiControl(b),
        };
        if start < i {
            fmt.write_string_fragment(buf, &s[start..i])?;
        }
        fmt.write_char_escape(buf, escape)?;
        start = i + 1;
    }
    if start < bytes.len() {
        fmt.write_string_fragment(buf, &s[start..])?;
    }
    fmt.end_string(buf)
}

/// The renderer: the walk's flow with data. `D` is how the data is held: the spanned parse
/// (`&json::Node`) by default; any [`Data`] renders the same way.
struct Renderer<'t, 'd, D: Data<'d> = &'d Node<'d>> {
    t: &'t Template,
    root: D,
    /// Loop variables, by loop depth.
    locals: Vec<D>,
    /// For each loop variable: the list it iterates and its index, for data paths in messages
    /// (`order.items[3].price`).
    loops: Loops<'t>,
    diags: Vec<Diagnostic>,
    _data: std::marker::PhantomData<&'d ()>,
    /// Errors pushed so far (kept as a count so that a check need not scan `diags`).
    errors: usize,
    scratch: String,
    /// The numbers of the receipt being rendered, to check that its totals add up.
    sums: Option<Sums>,
    /// Input variables already converted for minijinja during this render.
    engine_roots: Vec<(Box<str>, minijinja::Value)>,
    /// The images shown, when asked for (`--check-images`), and the shape they are shown in.
    images: Option<Vec<ImageRef>>,
    aspect: Aspect,
    in_receipt: bool,
    /// The image shape and receipt flag outside the current objects, when collecting images.
    outer: Vec<(Aspect, bool)>,
}

/// What the data's parse found about a text value already, which render's checks then skip.
#[derive(Debug, Clone, Copy)]
struct Known {
    /// A text whose URL check passed already (the fast form's parse checks every `url`
    /// input; an interpolated URL found plain past its checked head): the length and
    /// emptiness checks remain.
    url_checked: bool,
    /// A data value with none of the bytes markup starts with: no markup to look for.
    markup_free: bool,
}

impl Known {
    const NOTHING: Known = Known {
        url_checked: false,
        markup_free: false,
    };
}

/// A receipt's summary and adjustments, as rendered.
#[derive(Default)]
struct Sums {
    subtotal: Option<f64>,
    shipping_cost: f64,
    total_tax: f64,
    adjustments: crate::model::receipt::Adjustments,
    total_cost: Option<(f64, Span, String)>,
    /// Some number came from the data (all-literal totals are checked at check time).
    from_data: bool,
}

impl<'t, 'd, D: Data<'d>> Renderer<'t, 'd, D> {
    fn new(t: &'t Template, root: D) -> Self {
        Renderer {
            t,
            root,
            locals: Vec::new(),
            _data: std::marker::PhantomData,
            loops: Loops::default(),
            diags: Vec::new(),
            errors: 0,
            scratch: String::new(),
            sums: None,
            engine_roots: Vec::new(),
            images: None,
            aspect: Aspect::Horizontal,
            in_receipt: false,
            outer: Vec::new(),
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.errors += usize::from(d.is_error());
        if self.diags.len() < MAX_DIAGNOSTICS {
            self.diags.push(d);
        }
    }

    fn finish<W: Write>(self, out: &mut W, buf: &[u8]) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let mut diags = self.diags;
        if diags.iter().any(Diagnostic::is_error) {
            crate::diagnostic::sort(&mut diags);
            return Err(diags);
        }
        if let Err(e) = out.write_all(buf) {
            return Err(vec![codes::m9001_io(
                Severity::Error,
                format!("cannot write the output: {e}"),
            )]);
        }
        Ok(diags)
    }

    // -----------------------------------------------------------------------------------------
    // The message and the request

    fn message<F: Fmt>(&mut self, w: &mut Writer<F>) {
        let start = w.buf.len();
        let body = &self.t.body;
        walk::object(self, &mut JsonSink { w, written: 0 }, body);
        // `{}`: every member was left out by the data.
        if w.buf.len() - start <= 2 && self.errors == 0 {
            let span = self.t.header;
            self.push(
                codes::m2011_empty_message("with this data the message has neither text nor attachment")
                    .at(span, "nothing to send")
                    .help("give the data that the `text` or the attachment needs, or add an `else` branch"),
            );
        }
    }

    fn request<F: Fmt>(&mut self, w: &mut Writer<F>, req: &RequestOptions) {
        let customer_id = match (&req.customer_id, &self.t.customer_id) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(f)) => self.customer_id(f).map(Cow::into_owned),
            (None, None) => None,
        };
        w.begin_object();
        w.member_str("method", "POST");
        match self.t.profile.envelope {
            Envelope::Iadvize => {
                let cid = customer_id.unwrap_or_default();
                let url = format!(
                    "{IADVIZE_API}{}?access_token={{access_token}}",
                    iadvize_path(&req.page_id, &cid)
                );
                w.member_str("url", &url);
                w.key("body");
                self.message(w);
                w.end_value();
            }
            Envelope::SendApi => {
                let url = self.t.profile.send_api.as_ref().map(|s| s.url());
                let url = url
                    .as_deref()
                    .unwrap_or("https://graph.facebook.com/me/messages");
                w.member_str("url", &format!("{url}?access_token={{access_token}}"));
                w.key("body");
                w.begin_object();
                w.key("recipient");
                w.begin_object();
                w.member_str("id", req.recipient.as_deref().unwrap_or("{psid}"));
                w.end_object();
                w.end_value();
                w.member_str(
                    "messaging_type",
                    self.t.messaging_type.as_deref().unwrap_or("UPDATE"),
                );
                if let Some(tag) = &self.t.tag {
                    w.member_str("tag", tag);
                }
                w.key("message");
                self.message(w);
                w.end_value();
                w.end_object();
                w.end_value();
            }
        }
        w.end_object();
    }

    // -----------------------------------------------------------------------------------------
    // Objects, lists, loops, conditions: the render walk is `ir::walk` with this renderer as
    // its flow and a `JsonSink` as its sink.

    /// An object starts: a receipt's sums, a generic template's image shape.
    #[inline]
    fn open_object(&mut self, o: &ObjIr) {
        if o.kind == ObjKind::Receipt {
            self.sums = Some(Sums::default());
        }
        if self.images.is_some() {
            self.outer.push((self.aspect, self.in_receipt));
            match o.kind {
                ObjKind::Generic => self.aspect = self.aspect_of(o),
                ObjKind::Receipt => self.in_receipt = true,
                ObjKind::Plain | ObjKind::Element => {}
            }
        }
    }

    /// An object ends: a receipt's totals are checked.
    #[inline]
    fn close_object(&mut self, o: &ObjIr) {
        if self.images.is_some() {
            if let Some(outer) = self.outer.pop() {
                (self.aspect, self.in_receipt) = outer;
            }
        }
        if o.kind == ObjKind::Receipt {
            if let Some(sums) = self.sums.take() {
                self.receipt_totals(&sums);
            }
        }
    }

    /// A generic payload's `image_aspect_ratio`, literal or from the data.
    fn aspect_of(&self, o: &ObjIr) -> Aspect {
        for m in &o.members {
            let Member::Field(f) = m else { continue };
            if f.key() != "image_aspect_ratio" {
                continue;
            }
            return match &f.val {
                Val::Lit(_) | Val::Src(_) => Aspect::from_value(
                    f.val
                        .literal(self.t.literals())
                        .unwrap_or_default()
                        .trim_matches('"'),
                ),
                Val::Path(p) => match self.lookup(p).map(D::view) {
                    Some(View::String(s)) => Aspect::from_value(s),
                    _ => Aspect::Horizontal,
                },
                Val::Str(_) => Aspect::Horizontal,
            };
        }
        Aspect::Horizontal
    }

    /// Records an image the message shows, when images are being collected.
    fn note_image(&mut self, f: &FieldIr, url: &str, p: Option<&PathIr>) {
        if self.images.is_none() || self.in_receipt || !matches!(f.spec.name, "image_url" | "image")
        {
            return;
        }
        let data_path = p.map(|p| self.concrete(p));
        let image = ImageRef {
            url: url.to_string(),
            span: f.span,
            aspect: self.aspect,
            data_path,
        };
        if let Some(images) = self.images.as_mut() {
            images.push(image);
        }
    }

    /// `total_cost` should be `subtotal + shipping_cost + total_tax - adjustments` (M4004).
    fn receipt_totals(&mut self, s: &Sums) {
        if !s.from_data {
            return;
        }
        if let (Some(subtotal), Some((total, span, written))) = (s.subtotal, &s.total_cost) {
            if let Some(d) = totals_diagnostic(
                subtotal,
                s.shipping_cost,
                s.total_tax,
                s.adjustments,
                *total,
                written,
                *span,
            ) {
                self.push(d);
            }
        }
    }

    /// Records a receipt number as it is written.
    fn record(&mut self, key: &str, number: &str, span: Span, from_data: bool) {
        let Some(sums) = self.sums.as_mut() else {
            return;
        };
        let Ok(v) = number.parse::<f64>() else { return };
        sums.from_data |= from_data;
        match key {
            "subtotal" => sums.subtotal = Some(v),
            "shipping_cost" => sums.shipping_cost = v,
            "total_tax" => sums.total_tax = v,
            "total_cost" => sums.total_cost = Some((v, span, number.to_string())),
            "amount" => sums.adjustments.add(v),
            _ => {}
        }
    }

    /// A list that this data leaves with fewer items than Messenger accepts (M2012).
    fn too_few(&mut self, items: &Items) {
        let help = if items.single {
            format!("with this data no branch produces the `{}`: add an `else` branch, or move the `{}` out of the `if`", items.item, items.item)
        } else {
            format!("the `{}`s come from a list that is empty or absent in this data; Messenger refuses the message, so skip this record or fix its data", items.item)
        };
        self.push(
            codes::m2009_too_few(format!("with this data there is no `{}`", items.item))
                .at(
                    items.owner,
                    format!(
                        "Messenger needs at least {} `{}` here",
                        items.min, items.item
                    ),
                )
                .help(help),
        );
    }

    /// An item the data gives beyond what its list holds (M2002): said once per list.
    fn refused(&mut self, items: &Items, span: Span, count: usize, why: Refused) {
        match why {
            Refused::Second => self.push(
                codes::m2002_too_many(
                    Severity::Error,
                    format!("with this data there is more than one `{}`", items.item),
                )
                .at(span, "a second one")
                .help(format!("there can be one `{}` only", items.item)),
            ),
            Refused::OverLimit { max } if count == max + 1 => {
                let note = items
                    .limit
                    .map(|l| self.t.profile.cite(self.t.profile.limit(l)))
                    .unwrap_or_default();
                self.push(
                    codes::m2002_too_many(Severity::Error, format!("with this data there are more than {max} `{}`s", items.item))
                        .at(span, format!("`{}` number {} comes from here", items.item, max + 1))
                        .help(format!("lower `max` on the list in `input` to {max}, or send the rest in another notification"))
                        .note(note),
                );
            }
            Refused::OverLimit { .. } => {}
        }
    }

    fn truthy(&mut self, cond: &Cond) -> bool {
        match cond {
            Cond::Path(p) => self.lookup(p).is_some_and(|n| match n.view() {
                View::Null => false,
                View::Bool(b) => b,
                View::Number(n) => n.parse::<f64>().is_ok_and(|v| v != 0.0),
                View::String(s) => !s.is_empty(),
                View::List(l) => D::len(l) > 0,
                View::Object { empty } => !empty,
            }),
            Cond::Engine(e) => self.run_engine(e).is_some_and(|s| s == "1"),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Fields and values

    fn lookup(&self, p: &PathIr) -> Option<D> {
        let mut node = match p.base {
            Base::Root => self.root,
            Base::Local(depth) => *self.locals.get(depth)?,
        };
        for k in p.keys.iter() {
            node = node.get(k)?;
        }
        Some(node)
    }

    /// A carousel element that this data leaves with its `title` alone (its other fields are
    /// optional and absent): Facebook refuses it.
    fn title_only(&mut self, span: Span) {
        let which = match self.loops.last() {
            Some((list, index)) => format!(" (from `{}`)", self.loops.item(list, index)),
            None => String::new(),
        };
        let mut d = codes::m2012_title_only_element(
            format!("with this data a carousel element has only a title{which}"),
        )
        .at(span, "every other field of this element is absent in the data")
        .help("give the data a value for one of its optional fields (`subtitle`, `image_url`, a button...), or add a field that is always written");
        if self.loops.last().is_some() {
            if let Some(item) = self.locals.last() {
                d = d.label(Origin::Data, item.span(), "this item");
            }
        }
        self.push(d);
    }

    /// The data path a template path reads with the current loop indices:
    /// `item.price` -> `order.items[3].price`.
    fn concrete(&self, p: &PathIr) -> String {
        self.loops.concrete(p)
    }

    fn missing(&mut self, p: &PathIr, data_span: Option<Span>) {
        let path = self.concrete(p);
        let mut d = codes::m3002_missing_data(format!("`{path}` is missing from the data"))
            .at(p.span, format!("`{}` is required here", p.dotted))
            .help(format!(
                "add `{path}` to the data, or declare it optional in `input` (`name?: ...`)"
            ));
        if let Some(s) = data_span {
            d = d.label(Origin::Data, s, "null here");
        }
        if let Some(decl) = p.decl {
            d = d.at(decl, "declared here");
        }
        self.push(d);
    }

    fn wrong_type(&mut self, p: &PathIr, found: D, expected: &str) {
        let path = self.concrete(p);
        let mut d = codes::m3003_wrong_data_type(format!(
            "`{path}` should be {expected}, the data has {}",
            found.type_name()
        ))
        .label(
            Origin::Data,
            found.span(),
            format!("{} here", found.type_name()),
        )
        .at(p.span, format!("used here as {expected}"))
        .help(format!("give `{path}` as {expected} in the data"));
        if let Some(decl) = p.decl {
            d = d.at(decl, "declared here");
        }
        self.push(d);
    }

    #[inline]
    fn field<F: Fmt>(&mut self, w: &mut Writer<F>, f: &FieldIr) {
        match &f.val {
            Val::Lit(json) => self.literal_field(w, f, json),
            Val::Src(at) => {
                let t = self.t;
                let json = t.literals().get(at.range());
                debug_assert!(
                    json.is_some(),
                    "a literal span within the template's source"
                );
                self.literal_field(w, f, json.unwrap_or("null"))
            }
            Val::Path(p) => {
                let (node, view) = match self.lookup(p).map(|n| (n, n.view())) {
                    Some((n, view)) if !matches!(view, View::Null) => (n, view),
                    other => {
                        if !p.optional {
                            self.missing(p, other.map(|(n, _)| n.span()));
                        } else if f.spec.required {
                            self.required_absent(f, p);
                        }
                        return;
                    }
                };
                match (view, f.spec.kind) {
                    (View::String(s), k) if k.is_textual() => {
                        let known = Known {
                            url_checked: node.url_checked(),
                            markup_free: node.markup_free(),
                        };
                        self.check_text(f, s, Some(p), Some(node.span()), known);
                        // As written in the data, when that is how it is written out.
                        match node.json_string() {
                            Some(json) => w.member_raw(f.key(), json),
                            None => w.member_str(f.key(), s),
                        }
                    }
                    (View::Number(n), Kind::Number | Kind::Integer | Kind::TextOrInteger)
                        if !n.parse::<f64>().is_ok_and(f64::is_finite) =>
                    {
                        self.wrong_type(p, node, "a number within the range of a 64-bit float")
                    }
                    (View::Number(n), Kind::Number) => {
                        self.record(f.key(), n, f.span, true);
                        w.member_raw(f.key(), n)
                    }
                    (View::Number(n), Kind::Integer | Kind::TextOrInteger)
                        if crate::json::is_integer(n) =>
                    {
                        w.member_raw(f.key(), n)
                    }
                    (View::Bool(b), Kind::Bool) => {
                        w.member_raw(f.key(), if b { "true" } else { "false" })
                    }
                    (_, k) => self.wrong_type(p, node, k.describe()),
                }
            }
            Val::Str(s) => {
                let mut text = std::mem::take(&mut self.scratch);
                text.clear();
                if self.string_into(s, &mut text) {
                    // An interpolated URL with only URL bytes after its checked head is a good
                    // URL (`url_problem_after` says so by this same test), and has nothing to
                    // escape: one scan for both.
                    let plain = values::plain_after_url_head(&text, f.url_head as usize);
                    let known = Known {
                        url_checked: plain && f.spec.kind == Kind::Url,
                        markup_free: false,
                    };
                    self.check_text(f, &text, None, None, known);
                    if plain {
                        // An interpolated URL with only URL bytes: nothing to escape.
                        w.name(f.key());
                        w.plain_string(&text);
                        w.end_value();
                    } else {
                        w.member_str(f.key(), &text);
                    }
                }
                self.scratch = text;
            }
        }
    }

    /// A literal field, its JSON as the template holds it: written out as it is.
    #[inline]
    fn literal_field<F: Fmt>(&mut self, w: &mut Writer<F>, f: &FieldIr, json: &str) {
        if f.spec.kind == Kind::Number {
            self.record(f.key(), json, f.span, false);
        }
        if self.images.is_some() && f.spec.kind == Kind::Url {
            if let Ok(url) = serde_json::from_str::<String>(json) {
                self.note_image(f, &url, None);
            }
        }
        w.member_raw(f.key(), json)
    }

    fn required_absent(&mut self, f: &FieldIr, p: &PathIr) {
        let mut d = codes::m2003_missing_field(format!(
            "`{}` is required, but `{}` is absent from the data",
            f.key(),
            p.dotted
        ))
        .at(p.span, format!("`{}` is optional in `input`", p.dotted))
        .help(
            match crate::model::values::optional_fallback(&p.dotted, f.spec.kind == Kind::Text) {
                Some(fallback) => format!(
                    "declare `{}` required in `input`, or give a fallback: `{fallback}`",
                    p.dotted
                ),
                None => format!("declare `{}` required in `input`", p.dotted),
            },
        );
        if let Some(decl) = p.decl {
            d = d.at(decl, "declared optional here");
        }
        self.push(d);
    }

    /// The customer_id the scheme renders to, checked like any field, with a warning (M2014)
    /// when the data brings characters that are percent-encoded in the URL (those of the
    /// literal text are reported by `check`).
    fn customer_id(&mut self, f: &FieldIr) -> Option<Cow<'d, str>> {
        let id = self.text_of(f)?;
        let literal_has_some = match &f.val {
            Val::Lit(_) | Val::Src(_) => true,
            Val::Str(StrIr::Parts(parts)) => parts
                .iter()
                .any(|p| matches!(p, Part::Lit(t) if values::first_encoded_char(t).is_some())),
            Val::Str(StrIr::Engine(_)) | Val::Path(_) => false,
        };
        if !literal_has_some {
            if let Some((_, c)) = values::first_encoded_char(&id) {
                // The data value that brings it, when the scheme is plain paths.
                let source = f.val.reads().into_iter().find_map(|p| {
                    let n = self.lookup(p)?;
                    match n.view() {
                        View::String(s) if s.contains(c) => Some((self.concrete(p), n.span())),
                        _ => None,
                    }
                });
                let d = match source {
                    Some((path, span)) => values::customer_id_encoded(c, f.span, Some(&path))
                        .label(Origin::Data, span, "the value comes from here"),
                    None => {
                        let from = self.paths_in(&f.val);
                        let from = Some(from.as_str()).filter(|s| !s.is_empty());
                        values::customer_id_encoded(c, f.span, from)
                    }
                };
                self.push(d);
            }
        }
        Some(id)
    }

    /// The text a field renders to (for `customer_id`), checked like any field.
    fn text_of(&mut self, f: &FieldIr) -> Option<Cow<'d, str>> {
        let text: Cow<'d, str> = match &f.val {
            Val::Lit(_) | Val::Src(_) => {
                let json = f.val.literal(self.t.literals())?;
                Cow::Owned(serde_json::from_str::<String>(json).ok()?)
            }
            Val::Path(p) => match self.lookup(p).map(|n| (n, n.view())) {
                Some((_, View::String(s))) => Cow::Owned(s.to_string()),
                Some((n, view)) if !matches!(view, View::Null) => {
                    self.wrong_type(p, n, "text");
                    return None;
                }
                other => {
                    self.missing(p, other.map(|(n, _)| n.span()));
                    return None;
                }
            },
            Val::Str(s) => Cow::Owned(self.string(s)?),
        };
        let data_path = match &f.val {
            Val::Path(p) => Some(&**p),
            _ => None,
        };
        self.check_text(f, &text, data_path, None, Known::NOTHING);
        Some(text)
    }

    /// `known`: what the data's parse found about the text already (see [`Known`]).
    fn check_text(
        &mut self,
        f: &FieldIr,
        text: &str,
        p: Option<&PathIr>,
        data_span: Option<Span>,
        known: Known,
    ) {
        let Known {
            url_checked,
            markup_free,
        } = known;
        if self.images.is_some() {
            self.note_image(f, text, p);
        }
        let problem = if f.spec.kind == Kind::Url && (url_checked || f.url_head > 0) {
            // The same verdict: for a URL field, `problem` is the text's checks (kind-free)
            // then `url_problem`, already `None` for this very text when `url_checked`, and
            // needed only past the literal head of an interpolated URL.
            let spec = crate::model::schema::FieldSpec {
                kind: Kind::Text,
                ..*f.spec
            };
            values::problem(&spec, text, &self.t.profile).or_else(|| {
                if url_checked {
                    return None;
                }
                values::url_problem_after(text, f.url_head as usize).map(values::Problem::BadUrl)
            })
        } else {
            values::problem(f.spec, text, &self.t.profile)
        };
        if problem.is_none() {
            let lint = values::lint_of(f.spec, text, markup_free)
                .filter(|l| !(f.literal_markup && matches!(l, values::Lint::Styling(..))));
            if let Some(lint) = lint {
                let data_path = p
                    .map(|p| self.concrete(p))
                    .unwrap_or_else(|| self.paths_in(&f.val));
                let cx = values::Context {
                    field: f.key(),
                    value: text,
                    span: f.span,
                    data_path: Some(data_path.as_str()).filter(|s| !s.is_empty()),
                };
                let mut d = values::lint_diagnostic(&lint, &cx, None);
                if let Some(s) = data_span {
                    d = d.label(Origin::Data, s, "the value comes from here");
                }
                self.push(d);
            }
            return;
        }
        if let Some(problem) = problem {
            let data_path = p
                .map(|p| self.concrete(p))
                .or_else(|| Some(self.paths_in(&f.val)));
            let cx = values::Context {
                field: f.key(),
                value: text,
                span: f.span,
                data_path: data_path.as_deref().filter(|s| !s.is_empty()),
            };
            let mut d = values::diagnostic(&problem, f.spec, &cx, &self.t.profile);
            if let Some(s) = data_span {
                d = d.label(Origin::Data, s, "the value comes from here");
            }
            // Where the inputs it reads are declared: that is where a `max` would go.
            if matches!(problem, values::Problem::TooLong { .. }) {
                let mut decls: Vec<Span> = f.val.reads().iter().filter_map(|p| p.decl).collect();
                decls.sort_by_key(|s| (s.start, s.end));
                decls.dedup();
                // In the data, the values the text reads (a path checked where it is read has its
                // label above).
                if data_span.is_none() {
                    let mut seen: Vec<Span> = Vec::new();
                    for p in f.val.reads() {
                        let Some(n) = self.lookup(p) else { continue };
                        if seen.contains(&n.span()) {
                            continue;
                        }
                        let path = self.concrete(p);
                        // A number's printed length depends on its filter: its value says it.
                        let said = match n.view() {
                            View::String(s) => {
                                let chars = s.chars().count();
                                let plural = if chars == 1 { "" } else { "s" };
                                format!("`{path}` is {chars} character{plural} here")
                            }
                            View::Number(v) => format!("`{path}` is {v} here"),
                            _ => continue,
                        };
                        seen.push(n.span());
                        d = d.label(Origin::Data, n.span(), said);
                    }
                }
                let maxes: Vec<Option<u32>> = decls
                    .iter()
                    .map(|s| declared_max(&self.t.input, *s))
                    .collect();
                // A number has no `max` (M1009): its range bounds what it prints.
                let numbers: Vec<bool> = decls
                    .iter()
                    .map(|s| declared_number(&self.t.input, *s))
                    .collect();
                for ((decl, m), number) in decls.iter().zip(&maxes).zip(&numbers) {
                    d = match (m, number) {
                        (Some(m), _) => d.at(*decl, format!("declared `max {m}` here")),
                        (None, true) => {
                            d.at(*decl, "declared here: its range bounds what it prints")
                        }
                        (None, false) => d.at(*decl, "declared here: a `max` goes here"),
                    };
                }
                let in_locale = self
                    .t
                    .locale
                    .as_ref()
                    .map(|l| format!(" in `{}`", l.key))
                    .unwrap_or_default();
                // Numbers among the inputs, every other one with a `max` already: narrow the
                // ranges, lower the `max`es, or cut the value.
                if let values::Problem::TooLong { chars, max, .. } = problem {
                    if numbers.iter().any(|n| *n)
                        && maxes.iter().zip(&numbers).all(|(m, n)| m.is_some() || *n)
                    {
                        let has_max = maxes.iter().any(Option::is_some);
                        let lower = if has_max {
                            format!(
                                ", lower the `max` of the strings it reads by {} at least",
                                plural(chars - max, "character")
                            )
                        } else {
                            String::new()
                        };
                        d = d.help(format!(
                            "the data makes it too long for `{}` to fit in {max} characters{in_locale}: narrow the range of the numbers it reads{lower}, or cut the value with `| truncate(length=N, leeway=0)`",
                            f.key(),
                        ));
                        self.push(d);
                        return;
                    }
                }
                // Every input it reads has a `max` already: it is too high.
                if let values::Problem::TooLong { chars, max, .. } = problem {
                    if !maxes.is_empty() && maxes.iter().all(Option::is_some) {
                        let what = if maxes.len() == 1 {
                            "the `max` of the input it reads"
                        } else {
                            "the `max` of the inputs it reads"
                        };
                        d = d.help(format!(
                            "the data makes it too long for `{}` to fit in {max} characters: lower {what}, by {} at least (`missive check` says by how much for the longest values), or cut the value with `| truncate(length=N, leeway=0)`",
                            f.key(),
                            plural(chars - max, "character")
                        ));
                    }
                }
            }
            self.push(d);
        }
    }

    /// The data paths a value reads, for messages.
    fn paths_in(&self, v: &Val) -> String {
        match v {
            Val::Path(p) => self.concrete(p),
            Val::Str(StrIr::Parts(parts)) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Path(p) => Some(self.concrete(p)),
                    Part::Lit(_) => None,
                })
                .collect::<Vec<_>>()
                .join("`, `"),
            // The full paths it reads (`product.name`), else the names (`product`).
            Val::Str(StrIr::Engine(e)) if !e.reads.is_empty() => {
                let mut paths: Vec<String> = Vec::new();
                for p in &e.reads {
                    let p = self.concrete(p);
                    if !paths.contains(&p) {
                        paths.push(p);
                    }
                }
                paths.join("`, `")
            }
            Val::Str(StrIr::Engine(e)) => e
                .roots
                .iter()
                .map(|r| r.to_string())
                .chain(e.locals.iter().map(|(n, _)| n.to_string()))
                .collect::<Vec<_>>()
                .join("`, `"),
            Val::Lit(_) | Val::Src(_) => String::new(),
        }
    }

    /// A string with interpolations, rendered.
    fn string(&mut self, s: &StrIr) -> Option<String> {
        let mut text = String::new();
        self.string_into(s, &mut text).then_some(text)
    }

    /// Renders a string with interpolations into `out`; false when it failed (and said why).
    fn string_into(&mut self, s: &StrIr, out: &mut String) -> bool {
        match s {
            StrIr::Parts(parts) => {
                let mut ok = true;
                for part in parts {
                    match part {
                        Part::Lit(t) => out.push_str(t),
                        Part::Path(p) => match self.lookup(p).map(|n| (n, n.view())) {
                            Some((_, View::String(s))) => out.push_str(s),
                            Some((_, View::Number(n))) => out.push_str(&number_as_text(n)),
                            Some((_, View::Bool(b))) => {
                                out.push_str(if b { "true" } else { "false" })
                            }
                            Some((n, View::Null)) if !p.optional => {
                                self.missing(p, Some(n.span()));
                                ok = false;
                            }
                            Some((_, View::Null)) => {}
                            Some((n, _)) => {
                                self.wrong_type(p, n, "text");
                                ok = false;
                            }
                            None if p.optional => {}
                            None => {
                                self.missing(p, None);
                                ok = false;
                            }
                        },
                    }
                }
                ok
            }
            StrIr::Engine(e) => match self.run_engine(e) {
                Some(t) => {
                    out.push_str(&t);
                    true
                }
                None => false,
            },
        }
    }

    fn run_engine(&mut self, e: &Engine) -> Option<String> {
        let mut ctx: BTreeMap<&str, minijinja::Value> = BTreeMap::new();
        for name in &e.roots {
            // Converted once per render, however many interpolations read it.
            if let Some((_, v)) = self.engine_roots.iter().find(|(n, _)| n == name) {
                ctx.insert(name, v.clone());
            } else if let Some(n) = self.root.get(name) {
                let v = n.to_engine();
                self.engine_roots.push((name.clone(), v.clone()));
                ctx.insert(name, v);
            }
        }
        for (name, depth) in &e.locals {
            if let Some(n) = self.locals.get(*depth) {
                ctx.insert(name, n.to_engine());
            }
        }
        let result = self.t.env.get_template(&e.name).and_then(|t| t.render(ctx));
        match result {
            Ok(s) => Some(s),
            Err(err) => {
                let detail = match err.kind() {
                    minijinja::ErrorKind::OutOfFuel => {
                        "it does too much work (a loop over a huge range?); if it must, raise the limit with `--fuel STEPS` or `fuel = STEPS` in missive.toml".to_string()
                    }
                    _ => err
                        .detail()
                        .map_or_else(|| err.kind().to_string(), str::to_string),
                };
                if let Some(d) = self.bad_format_argument(e, &detail) {
                    self.push(d);
                    return None;
                }
                self.push(
                    codes::m3007_render_failed(format!(
                        "this interpolation failed with this data: {detail}"
                    ))
                    .at(e.span, "failed here")
                    .help(
                        "check the types of the values it reads, or guard it with `{% if ... %}`",
                    ),
                );
                None
            }
        }
    }

    /// A currency or time zone that `money` or `date` rejected, when it comes from a value of
    /// the data that the interpolation reads: M3007 at that value, with what to give instead.
    fn bad_format_argument(&self, e: &Engine, detail: &str) -> Option<Diagnostic> {
        let (what, help) = if detail.contains("is not an ISO 4217 currency code") {
            (
                "an ISO 4217 currency code",
                "give an ISO 4217 currency code such as `EUR`, `USD` or `GBP`",
            )
        } else if detail.contains("is not a time zone of the IANA database") {
            (
                "a time zone of the IANA database",
                "give an IANA time zone such as `Europe/Paris`",
            )
        } else {
            return None;
        };
        // The messages name the value first: `` `XYZ` is not ... ``.
        let value = detail.strip_prefix('`')?.split('`').next()?;
        let (path, span) = e.reads.iter().find_map(|p| {
            let n = self.lookup(p)?;
            match n.view() {
                View::String(s) if s == value => Some((self.concrete(p), n.span())),
                _ => None,
            }
        })?;
        Some(
            codes::m3007_render_failed(format!(
                "`{path}` is `{value}` in the data, which is not {what}"
            ))
            .label(Origin::Data, span, format!("not {what}"))
            .at(e.span, "formatted here")
            .help(help),
        )
    }

    fn json<F: Fmt>(&mut self, w: &mut Writer<F>, v: &JsonIr) {
        match v {
            JsonIr::Lit(json) => w.raw(json),
            JsonIr::Str(s) => match self.string(s) {
                Some(text) => w.string(&text),
                None => w.raw("null"),
            },
            JsonIr::Object(members) => {
                w.begin_object();
                for (k, v) in members {
                    w.key(k);
                    self.json(w, v);
                    w.end_value();
                }
                w.end_object();
            }
            JsonIr::Array(items) => {
                w.begin_array();
                for v in items {
                    w.array_item();
                    self.json(w, v);
                    w.end_array_item();
                }
                w.end_array();
            }
        }
    }
}

/// With data: loops iterate the data's lists, conditions are evaluated, count limits apply.
impl<'t, 'd, D: Data<'d>> Flow<'t> for Renderer<'t, 'd, D> {
    type List = D::List;

    #[inline]
    fn counts(&self) -> Option<&Profile> {
        Some(&self.t.profile)
    }

    fn enter_for(&mut self, list: &'t PathIr) -> Repeat<D::List> {
        let Some(value) = self.lookup(list) else {
            if !list.optional {
                self.missing(list, None);
            }
            return Repeat::Skip;
        };
        match value.view() {
            View::List(elements) => Repeat::Each(elements),
            View::Null => {
                if !list.optional {
                    self.missing(list, Some(value.span()));
                }
                Repeat::Skip
            }
            _ => {
                self.wrong_type(list, value, "a list");
                Repeat::Skip
            }
        }
    }

    #[inline]
    fn len(list: D::List) -> usize {
        D::len(list)
    }

    #[inline]
    fn enter_iteration(&mut self, list: &'t PathIr, items: Option<D::List>, index: usize) {
        if let Some(element) = items.and_then(|items| D::item(items, index)) {
            self.locals.push(element);
        }
        self.loops.push(list, Some(index));
    }

    #[inline]
    fn leave_iteration(&mut self) {
        self.loops.pop();
        self.locals.pop();
    }

    fn take(
        &mut self,
        branches: &'t [(Cond, Vec<IrNode>)],
        otherwise: &'t [IrNode],
    ) -> Option<&'t [IrNode]> {
        for (cond, nodes) in branches {
            if self.truthy(cond) {
                return Some(nodes);
            }
        }
        Some(otherwise)
    }

    #[inline]
    fn loops(&self) -> &Loops<'t> {
        &self.loops
    }

    fn text(&mut self, f: &'t FieldIr) -> (Option<String>, bool) {
        match &f.val {
            Val::Lit(_) | Val::Src(_) => (
                f.val.literal(self.t.literals()).map(walk::literal_text),
                false,
            ),
            Val::Path(p) => match self.lookup(p).map(D::view) {
                None | Some(View::Null) => (None, true),
                Some(View::String(s)) => (Some(s.to_string()), false),
                Some(View::Number(n)) => (Some(n.to_string()), false),
                Some(View::Bool(b)) => (Some(b.to_string()), false),
                Some(_) => (None, false),
            },
            Val::Str(s) => (self.string(s), false),
        }
    }
}

/// The render walk's sink: writes the JSON, and checks what needs the written shape (a
/// carousel element left with its title alone, a list with too few items).
struct JsonSink<'w, F: Fmt> {
    w: &'w mut Writer<F>,
    /// How many members the object just closed has.
    written: u32,
}

impl<'t, 'd, D: Data<'d>, F: Fmt> Sink<'t, Renderer<'t, 'd, D>> for JsonSink<'_, F> {
    /// The errors so far when an item starts: a new one explains a short item.
    type Mark = usize;

    #[inline]
    fn enter_object(&mut self, r: &mut Renderer<'t, 'd, D>, o: &'t ObjIr) -> bool {
        r.open_object(o);
        self.w.begin_object();
        true
    }

    #[inline]
    fn leave_object(&mut self, r: &mut Renderer<'t, 'd, D>, o: &'t ObjIr) {
        self.written = self.w.end_object();
        r.close_object(o);
    }

    #[inline]
    fn constant(&mut self, _: &mut Renderer<'t, 'd, D>, key: &'static str, json: &'t str) {
        self.w.member_raw(key, json);
    }

    #[inline]
    fn field(&mut self, r: &mut Renderer<'t, 'd, D>, f: &'t FieldIr) {
        r.field(self.w, f);
    }

    #[inline]
    fn enter_member(&mut self, _: &mut Renderer<'t, 'd, D>, key: &'static str) {
        self.w.name(key);
    }

    #[inline]
    fn leave_member(&mut self, _: &mut Renderer<'t, 'd, D>, _: &'static str) {
        self.w.end_value();
    }

    fn extra(&mut self, r: &mut Renderer<'t, 'd, D>, key: &'t str, value: &'t JsonIr, _: Span) {
        self.w.key(key);
        r.json(self.w, value);
        self.w.end_value();
    }

    #[inline]
    fn enter_item(
        &mut self,
        r: &mut Renderer<'t, 'd, D>,
        items: &'t Items,
        _: Span,
        first: bool,
    ) -> usize {
        if first {
            self.w.name(items.key);
            if !items.single {
                self.w.begin_array();
            }
        }
        if !items.single {
            self.w.array_item();
        }
        r.errors
    }

    #[inline]
    fn leave_item(
        &mut self,
        r: &mut Renderer<'t, 'd, D>,
        items: &'t Items,
        obj: &'t ObjIr,
        span: Span,
        errors: usize,
    ) {
        // One member and no new error (a missing title has its own): the title alone.
        if obj.kind == ObjKind::Element && self.written == 1 && r.errors == errors {
            r.title_only(span);
        }
        if !items.single {
            self.w.end_array_item();
        }
    }

    fn refuse_item(
        &mut self,
        r: &mut Renderer<'t, 'd, D>,
        items: &'t Items,
        span: Span,
        count: usize,
        why: Refused,
    ) {
        r.refused(items, span, count, why);
    }

    #[inline]
    fn leave_items(
        &mut self,
        r: &mut Renderer<'t, 'd, D>,
        items: &'t Items,
        count: usize,
        opened: bool,
    ) {
        if opened {
            if !items.single {
                self.w.end_array();
            }
            self.w.end_value();
        }
        if count < items.min {
            r.too_few(items);
        }
    }
}

/// A data number as minijinja prints it inside `{{ }}`.
fn number_as_text(n: &str) -> String {
    number_to_minijinja(n).to_string()
}

fn number_to_minijinja(n: &str) -> minijinja::Value {
    if crate::json::is_integer(n) {
        if let Ok(i) = n.parse::<i64>() {
            return minijinja::Value::from(i);
        }
        if let Ok(i) = n.parse::<i128>() {
            return minijinja::Value::from(i);
        }
    }
    minijinja::Value::from(n.parse::<f64>().unwrap_or(f64::NAN))
}

/// The spanned parse of the data, as render reads it.
impl<'d> Data<'d> for &'d Node<'d> {
    type List = &'d [Node<'d>];

    #[inline]
    fn get(self, key: &str) -> Option<Self> {
        Node::get(self, key)
    }

    #[inline]
    fn view(self) -> View<'d, Self::List> {
        match &self.value {
            Json::Null => View::Null,
            Json::Bool(b) => View::Bool(*b),
            Json::Number(n) => View::Number(n),
            Json::String(s) => View::String(s),
            Json::Array(items) => View::List(items),
            Json::Object(members) => View::Object {
                empty: members.is_empty(),
            },
        }
    }

    #[inline]
    fn span(self) -> Span {
        self.span
    }

    #[inline]
    fn len(list: Self::List) -> usize {
        list.len()
    }

    #[inline]
    fn item(list: Self::List, index: usize) -> Option<Self> {
        list.get(index)
    }

    fn type_name(self) -> &'static str {
        Node::type_name(self)
    }

    fn to_engine(self) -> minijinja::Value {
        to_minijinja(self)
    }
}

/// Data -> minijinja value, for the expressions that need the engine.
fn to_minijinja(n: &Node<'_>) -> minijinja::Value {
    match &n.value {
        Json::Null => minijinja::Value::from(()),
        Json::Bool(b) => minijinja::Value::from(*b),
        Json::Number(x) => number_to_minijinja(x),
        Json::String(s) => minijinja::Value::from(s.as_ref()),
        Json::Array(items) => {
            minijinja::Value::from(items.iter().map(to_minijinja).collect::<Vec<_>>())
        }
        Json::Object(members) => minijinja::Value::from(
            members
                .iter()
                .map(|m| (m.key.to_string(), to_minijinja(&m.value)))
                .collect::<BTreeMap<String, minijinja::Value>>(),
        ),
    }
}

/// The `max` declared at `decl` (a string or URL, or a list of them), if the input declared
/// there has one.
/// Whether the input declared at `decl` is a number (`number` or `integer`, in a list or not).
fn declared_number(obj: &crate::model::types::ObjTy, decl: Span) -> bool {
    use crate::model::types::Ty;
    fn is_number(ty: &Ty) -> bool {
        match ty {
            Ty::Number { .. } | Ty::Integer { .. } => true,
            Ty::List { item, .. } => is_number(item),
            _ => false,
        }
    }
    fn inner(ty: &Ty, decl: Span) -> Option<bool> {
        match ty {
            Ty::Object(o) => find(o, decl),
            Ty::List { item, .. } => inner(item, decl),
            _ => None,
        }
    }
    fn find(obj: &crate::model::types::ObjTy, decl: Span) -> Option<bool> {
        obj.fields.iter().find_map(|f| {
            if f.decl == decl {
                Some(is_number(&f.ty))
            } else {
                inner(&f.ty, decl)
            }
        })
    }
    find(obj, decl).unwrap_or(false)
}

fn declared_max(obj: &crate::model::types::ObjTy, decl: Span) -> Option<u32> {
    use crate::model::types::Ty;
    fn of(ty: &Ty) -> Option<u32> {
        match ty {
            Ty::String { max } | Ty::Url { max } => *max,
            Ty::List { item, .. } => of(item),
            _ => None,
        }
    }
    fn inner(ty: &Ty, decl: Span) -> Option<Option<u32>> {
        match ty {
            Ty::Object(o) => find(o, decl),
            Ty::List { item, .. } => inner(item, decl),
            _ => None,
        }
    }
    fn find(obj: &crate::model::types::ObjTy, decl: Span) -> Option<Option<u32>> {
        obj.fields.iter().find_map(|f| {
            if f.decl == decl {
                Some(of(&f.ty))
            } else {
                inner(&f.ty, decl)
            }
        })
    }
    find(obj, decl).flatten()
}

/// "1 character", "3 characters".
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An interpolated URL with a plain head: what the data appends is still checked (a space
    /// is an error) and escaped when it must be (a quote), and written as it is otherwise,
    /// through the spanned data and through the batch's fast form alike.
    #[test]
    fn an_interpolated_url_is_checked_and_escaped_past_its_plain_head() {
        let src = "notification u\ninput { id: string max 20 }\nbuttons {\n  text: \"Hi\"\n  button web_url { title: \"Go\", url: \"https://shop.example/view?id={{ id }}\" }\n}\n";
        let t = crate::compile(src, &crate::Options::default())
            .template
            .expect("compiles");
        let url_of = |record: &str| {
            let data = crate::json::parse(record).unwrap();
            let mut out = Vec::new();
            let result = t.render_to(&mut out, &data);
            let mut fast = Vec::new();
            let took = t.render_fast(&mut fast, record, None);
            assert_eq!(took, result.as_ref().is_ok_and(Vec::is_empty), "{record}");
            if took {
                assert_eq!(fast, out, "{record}");
            }
            result.map(|_| {
                let body: serde_json::Value = serde_json::from_slice(&out).unwrap();
                body["attachment"]["payload"]["buttons"][0]["url"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        };
        let head = "https://shop.example/view?id=";
        assert_eq!(url_of(r#"{"id": "A-12"}"#).unwrap(), format!("{head}A-12"));
        assert_eq!(
            url_of(r#"{"id": "\u00e9"}"#).unwrap(),
            format!("{head}\u{e9}")
        );
        assert_eq!(url_of(r#"{"id": "a\"b"}"#).unwrap(), format!("{head}a\"b"));
        assert!(url_of(r#"{"id": "a b"}"#).is_err());
    }

    /// Every key length, first member or not, as the compact formatter writes it.
    #[test]
    fn keys_are_written_as_the_compact_formatter_writes_them() {
        let name = "abcdefghijklmnopqrstuvwxyz0123";
        for n in 0..=name.len() {
            for first in [true, false] {
                let mut buf = b"{\"x\":1".to_vec();
                put_key(&mut buf, &name.as_bytes()[..n], first);
                let mut expected = b"{\"x\":1".to_vec();
                let mut fmt = CompactFormatter;
                fmt.begin_object_key(&mut expected, first).unwrap();
                expected.extend_from_slice(serde_json::to_string(&name[..n]).unwrap().as_bytes());
                fmt.end_object_key(&mut expected).unwrap();
                fmt.begin_object_value(&mut expected).unwrap();
                assert_eq!(
                    String::from_utf8(buf).unwrap(),
                    String::from_utf8(expected).unwrap()
                );
            }
        }
    }

    #[test]
    fn escaping_matches_serde_json() {
        for s in [
            "",
            "plain text that is long enough",
            "a\"b",
            "tab\there",
            "\u{1}x",
            "😀 é \\ / end",
            "12345678\n",
        ] {
            let mut buf = Vec::new();
            write_escaped(&mut buf, &mut CompactFormatter, s).unwrap();
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                serde_json::to_string(s).unwrap(),
                "{s:?}"
            );
        }
    }
}
