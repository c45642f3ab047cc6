//! Sample data: a data document for a compiled template, made from its `input` declarations
//! and from what each input feeds in the message (a `url`, a phone number, a currency, one of
//! a field's choices), so that it passes the data checks and renders.
//!
//! Two kinds: [`SampleKind::Plausible`] values look like real data (a customer called Lisa,
//! `https://example.com/...` links, lists of two or three items, receipt totals that add up);
//! [`SampleKind::WorstCase`] puts every string with a declared `max` at that `max` (counted in
//! characters, as the data checks count, with a filler that is not all ASCII), every list at
//! its `max` and every optional value present, which is what the length checks assume. A
//! value that its field constrains keeps one the field accepts: a currency code, the longest
//! of a field's choices, a phone number of at most 15 digits, a Unix time for a `timestamp`.
//! Numbers keep their plausible values. The output depends on the template alone: the same
//! template always gives the same sample.

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::ir::walk::{self, Flow, NoData, Sink};
use crate::ir::{FieldIr, Items, ObjIr, ObjKind, Part, PathIr, StrIr, Template, Val};
use crate::model::schema::Kind;
use crate::model::types::{ObjTy, Ty};
use crate::span::Span;

/// Which sample [`generate`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SampleKind {
    /// Values that look real and pass the data checks.
    #[default]
    Plausible,
    /// The longest data the declarations allow: strings and lists at their `max`, optional
    /// values present.
    WorstCase,
}

/// A sample data document for `template`, as a JSON value.
pub fn generate(template: &Template, kind: SampleKind) -> serde_json::Value {
    Sample::new(template, kind).to_value()
}

/// A sample data document for `template` as indented JSON text, its keys in the order the
/// template declares them, with a final newline.
pub fn generate_json(template: &Template, kind: SampleKind) -> String {
    Sample::new(template, kind).to_pretty_json()
}

/// A sample's value, keeping the declaration order of object keys.
#[derive(Debug, Clone, PartialEq)]
enum Sample {
    Bool(bool),
    Integer(i64),
    Number(f64),
    String(String),
    List(Vec<Sample>),
    Object(Vec<(String, Sample)>),
}

impl Serialize for Sample {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Sample::Bool(b) => serializer.serialize_bool(*b),
            Sample::Integer(n) => serializer.serialize_i64(*n),
            Sample::Number(x) => serializer.serialize_f64(*x),
            Sample::String(s) => serializer.serialize_str(s),
            Sample::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Sample::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl Sample {
    fn new(template: &Template, kind: SampleKind) -> Sample {
        let uses = Uses::of(template);
        let mut sample = Generator { kind, uses: &uses }.object(&template.input, &Place::root());
        if let Some(totals) = &uses.receipt {
            totals.balance(&mut sample, &template.input);
        }
        // Where a record names its locale: the default locale's key, which the data accepts.
        if let (Some(from), Some(locale)) = (&template.locale_from, template.locale()) {
            if let Some(value @ Sample::String(_)) = sample.at_mut(&from.keys.join(".")) {
                *value = Sample::String(locale.key.clone());
            }
        }
        sample
    }

    fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    fn to_pretty_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    fn number(&self) -> Option<f64> {
        match self {
            Sample::Integer(n) => Some(*n as f64),
            Sample::Number(x) => Some(*x),
            _ => None,
        }
    }

    /// The values at a data path such as `order.items[*].price` (every item for `[*]`).
    fn at(&self, path: &str) -> Vec<&Sample> {
        let mut here = vec![self];
        for seg in segments(path) {
            here = here
                .into_iter()
                .flat_map(|s| match (seg, s) {
                    (Seg::Key(k), Sample::Object(members)) => members
                        .iter()
                        .filter(|(name, _)| name == k)
                        .map(|(_, v)| v)
                        .collect::<Vec<_>>(),
                    (Seg::Each, Sample::List(items)) => items.iter().collect(),
                    _ => Vec::new(),
                })
                .collect();
        }
        here
    }

    /// Every value at a data path, lists' items included (`order.items[*].price`): [`Sample::at`]
    /// to change them.
    fn at_all_mut(&mut self, path: &str) -> Vec<&mut Sample> {
        let mut here = vec![self];
        for seg in segments(path) {
            here = here
                .into_iter()
                .flat_map(|s| match (seg, s) {
                    (Seg::Key(k), Sample::Object(members)) => members
                        .iter_mut()
                        .filter(|(name, _)| name == k)
                        .map(|(_, v)| v)
                        .collect::<Vec<_>>(),
                    (Seg::Each, Sample::List(items)) => items.iter_mut().collect(),
                    _ => Vec::new(),
                })
                .collect();
        }
        here
    }

    /// The one value at a path without `[*]`, to change it.
    fn at_mut(&mut self, path: &str) -> Option<&mut Sample> {
        let mut here = self;
        for seg in segments(path) {
            let Seg::Key(k) = seg else { return None };
            let Sample::Object(members) = here else {
                return None;
            };
            here = members
                .iter_mut()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v)?;
        }
        Some(here)
    }
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Each,
}

/// The segments of a data path as the walk writes it: `order.items[*].price`.
fn segments(path: &str) -> impl Iterator<Item = Seg<'_>> {
    path.split('.').flat_map(|part| {
        let key = part.trim_end_matches("[*]");
        let each = (part.len() - key.len()) / 3;
        std::iter::once(Seg::Key(key))
            .filter(|s| !matches!(s, Seg::Key("")))
            .chain(std::iter::repeat_n(Seg::Each, each))
    })
}

/// Where a value goes in the sample: its data path (`order.items[*].title`, as the walk names
/// it without data), its key, the key of the object or list that holds it, and its index in
/// the nearest list.
#[derive(Clone)]
struct Place {
    path: String,
    key: String,
    parent: String,
    index: usize,
}

impl Place {
    fn root() -> Place {
        Place {
            path: String::new(),
            key: String::new(),
            parent: String::new(),
            index: 0,
        }
    }

    fn field(&self, key: &str) -> Place {
        Place {
            path: if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            },
            key: key.to_string(),
            parent: self.key.clone(),
            index: self.index,
        }
    }

    fn item(&self, index: usize) -> Place {
        Place {
            path: format!("{}[*]", self.path),
            key: self.key.clone(),
            parent: self.parent.clone(),
            index,
        }
    }
}

/// What the message does with each input, by data path: the fields it is the whole value of,
/// whether the customer_id reads it, and how many items the list may give where a `for` reads
/// it; and the receipt's amounts, to make them add up.
#[derive(Default)]
struct Uses {
    whole: BTreeMap<String, Vec<Kind>>,
    /// Paths read into a customer_id or inside a URL: their characters should need no
    /// encoding.
    plain: Vec<String>,
    /// Paths that are the whole value of a `timestamp`.
    timestamp: Vec<String>,
    /// For a list that a `for` reads, Messenger's count limit on the items it fills.
    list_limit: BTreeMap<String, usize>,
    receipt: Option<Totals>,
}

impl Uses {
    fn of(template: &Template) -> Uses {
        let mut sink = UseSink {
            template,
            uses: Uses::default(),
            items: Vec::new(),
            receipt_depth: 0,
        };
        let mut flow = NoData::over(template.literals());
        walk::object(&mut flow, &mut sink, &template.body);
        let mut uses = sink.uses;
        if let Some(f) = &template.customer_id {
            let flow = NoData::over(template.literals());
            for p in paths_read(&f.val) {
                uses.plain.push(flow_path(&flow, p));
            }
        }
        uses
    }

    fn kinds(&self, path: &str) -> &[Kind] {
        self.whole.get(path).map_or(&[], Vec::as_slice)
    }

    fn plain(&self, path: &str) -> bool {
        self.plain.iter().any(|p| p == path)
    }
}

fn flow_path<'t, F: Flow<'t>>(flow: &F, p: &PathIr) -> String {
    flow.loops().concrete(p)
}

/// The paths a value reads: the whole value, or the parts of an interpolated string.
fn paths_read(val: &Val) -> Vec<&PathIr> {
    match val {
        Val::Lit(_) | Val::Src(_) => Vec::new(),
        Val::Path(p) => vec![p],
        Val::Str(s) => str_paths(s),
    }
}

fn str_paths(s: &StrIr) -> Vec<&PathIr> {
    match s {
        StrIr::Parts(parts) => parts
            .iter()
            .filter_map(|p| match p {
                Part::Path(p) => Some(p),
                Part::Lit(_) => None,
            })
            .collect(),
        StrIr::Engine(e) => e.reads.iter().collect(),
    }
}

/// The receipt's amounts, by data path, as the template reads them.
#[derive(Default)]
struct Totals {
    price: Option<String>,
    quantity: Option<String>,
    subtotal: Option<String>,
    shipping: Option<String>,
    tax: Option<String>,
    total: Option<String>,
    adjustments: Vec<String>,
}

impl Totals {
    /// Makes `subtotal` the sum of the items' prices times their quantities, and `total_cost`
    /// `subtotal + shipping_cost + total_tax - adjustments`, as Messenger's receipt expects
    /// (M4004), where the template reads them from plain `number` inputs.
    ///
    /// The sums stay within their own declared ranges: where prices at their worst case add up
    /// past the range of `subtotal` or `total_cost` (20 items of 99 at 10,000 against a total
    /// of `0..100000`), the prices are scaled down until the sums fit, so that the sample is
    /// data the template accepts.
    fn balance(&self, sample: &mut Sample, input: &ObjTy) {
        let max_of = |path: &Option<String>| {
            path.as_deref()
                .and_then(|p| range_at(input, p))
                .map(|r| r.max)
        };
        // Shipping and tax alone past the total's range: they take their least values.
        if let ((Some(sub), Some(total)), Some(max)) = (self.sums(sample), max_of(&self.total)) {
            if total - sub > max {
                for path in [&self.shipping, &self.tax].into_iter().flatten() {
                    let least = range_at(input, path).map_or(0.0, |r| r.min.max(0.0));
                    for slot in sample.at_all_mut(path) {
                        if let Sample::Number(x) = slot {
                            *x = least;
                        }
                    }
                }
            }
        }
        for _ in 0..8 {
            let (Some(subtotal), total) = self.sums(sample) else {
                break;
            };
            // The largest subtotal both ranges allow: its own, and the total's less what the
            // total adds to it (shipping, tax, less the adjustments).
            let mut target = max_of(&self.subtotal).unwrap_or(f64::INFINITY);
            if let (Some(total), Some(max)) = (total, max_of(&self.total)) {
                target = target.min(max - (total - subtotal));
            }
            let Some(price) = self.price.as_deref().filter(|_| subtotal > target) else {
                break;
            };
            // A little under the ratio: prices are cut to cents, downwards.
            let ratio = (target / subtotal).max(0.0) * 0.999;
            let floor = range_at(input, price).map_or(0.0, |r| r.min.max(0.0));
            for slot in sample.at_all_mut(price) {
                if let Sample::Number(p) = slot {
                    *p = ((*p * ratio * 100.0).floor() / 100.0).max(floor);
                }
            }
        }
        self.set_sums(sample);
    }

    /// The subtotal and total that the amounts give, as [`Totals::set_sums`] sets them.
    fn sums(&self, sample: &Sample) -> (Option<f64>, Option<f64>) {
        let mut scratch = sample.clone();
        self.set_sums(&mut scratch);
        let one = |path: &Option<String>| {
            path.as_ref()
                .and_then(|p| scratch.at(p).first().and_then(|s| s.number()))
        };
        (one(&self.subtotal), one(&self.total))
    }

    fn set_sums(&self, sample: &mut Sample) {
        fn sum(sample: &Sample, path: &Option<String>) -> Option<f64> {
            let path = path.as_ref()?;
            Some(sample.at(path).iter().filter_map(|s| s.number()).sum())
        }
        let subtotal = match (&self.price, &self.quantity) {
            (Some(price), Some(quantity)) => {
                let prices = sample.at(price);
                let quantities = sample.at(quantity);
                (prices.len() == quantities.len()).then(|| {
                    prices
                        .iter()
                        .zip(&quantities)
                        .filter_map(|(p, q)| Some(p.number()? * q.number()?))
                        .sum::<f64>()
                })
            }
            (Some(_), None) => sum(sample, &self.price),
            _ => None,
        };
        let subtotal = match (subtotal, &self.subtotal) {
            (Some(value), Some(path)) if set_number(sample, path, value) => Some(cents(value)),
            _ => sum(sample, &self.subtotal),
        };
        let adjustments: f64 = self
            .adjustments
            .iter()
            .flat_map(|p| sample.at(p))
            .filter_map(|s| s.number())
            .sum();
        if let (Some(subtotal), Some(total)) = (subtotal, &self.total) {
            let value = subtotal
                + sum(sample, &self.shipping).unwrap_or(0.0)
                + sum(sample, &self.tax).unwrap_or(0.0)
                - adjustments;
            set_number(sample, total, value);
        }
    }
}

/// The declared range of the `number` or `integer` input at a data path
/// (`order.items[*].price`).
fn range_at<'t>(input: &'t ObjTy, path: &str) -> Option<&'t crate::model::types::NumRange> {
    let mut ty: Option<&Ty> = None;
    let mut obj = Some(input);
    for seg in segments(path) {
        ty = match (seg, ty) {
            (Seg::Key(k), _) => Some(&obj?.get(k)?.ty),
            (Seg::Each, Some(Ty::List { item, .. })) => Some(&**item),
            _ => return None,
        };
        obj = match ty {
            Some(Ty::Object(o)) => Some(&**o),
            _ => None,
        };
    }
    match ty? {
        Ty::Number { range } | Ty::Integer { range } => range.as_ref(),
        _ => None,
    }
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Sets a `number` at a path to `value` in cents; false when the path holds no `number` (an
/// `integer` is left as it is).
fn set_number(sample: &mut Sample, path: &str, value: f64) -> bool {
    match sample.at_mut(path) {
        Some(slot @ Sample::Number(_)) if value.is_finite() => {
            *slot = Sample::Number(cents(value));
            true
        }
        _ => false,
    }
}

/// The walk's sink that fills [`Uses`].
struct UseSink<'a> {
    template: &'a Template,
    uses: Uses,
    /// The lists of items being filled, innermost last.
    items: Vec<&'a Items>,
    /// How many receipt payloads are open.
    receipt_depth: usize,
}

impl<'t> Sink<'t, NoData<'t>> for UseSink<'t> {
    type Mark = ();

    fn enter_object(&mut self, _: &mut NoData<'t>, o: &'t ObjIr) -> bool {
        if o.kind == ObjKind::Receipt {
            self.receipt_depth += 1;
            self.uses.receipt.get_or_insert_with(Totals::default);
        }
        true
    }

    fn leave_object(&mut self, _: &mut NoData<'t>, o: &'t ObjIr) {
        if o.kind == ObjKind::Receipt {
            self.receipt_depth -= 1;
        }
    }

    fn field(&mut self, flow: &mut NoData<'t>, f: &'t FieldIr) {
        let p = match &f.val {
            Val::Path(p) => p,
            Val::Str(s) => {
                if matches!(f.spec.kind, Kind::Url | Kind::FacebookUrl) {
                    for p in str_paths(s) {
                        self.uses.plain.push(flow_path(flow, p));
                    }
                }
                return;
            }
            Val::Lit(_) | Val::Src(_) => return,
        };
        let path = flow_path(flow, p);
        self.uses
            .whole
            .entry(path.clone())
            .or_default()
            .push(f.spec.kind);
        if f.spec.name == "timestamp" {
            self.uses.timestamp.push(path.clone());
        }
        if self.receipt_depth > 0 {
            if let Some(totals) = &mut self.uses.receipt {
                let slot = match f.spec.name {
                    "price" => &mut totals.price,
                    "quantity" => &mut totals.quantity,
                    "subtotal" => &mut totals.subtotal,
                    "shipping_cost" => &mut totals.shipping,
                    "total_tax" => &mut totals.tax,
                    "total_cost" => &mut totals.total,
                    "amount" => {
                        totals.adjustments.push(path);
                        return;
                    }
                    _ => return,
                };
                slot.get_or_insert(path);
            }
        }
    }

    fn enter_items(&mut self, _: &mut NoData<'t>, items: &'t Items) {
        self.items.push(items);
    }

    fn leave_items(&mut self, _: &mut NoData<'t>, _: &'t Items, _: usize, _: bool) {
        self.items.pop();
    }

    fn enter_item(&mut self, _: &mut NoData<'t>, _: &'t Items, _: Span, _: bool) {}

    fn enter_for(&mut self, flow: &mut NoData<'t>, list: &'t PathIr, _: Option<u32>, _: bool) {
        let limit = self
            .items
            .last()
            .and_then(|items| items.limit)
            .map(|key| self.template.profile.limit(key).max);
        if let Some(limit) = limit {
            let path = flow_path(flow, list);
            let slot = self.uses.list_limit.entry(path).or_insert(limit);
            *slot = (*slot).min(limit);
        }
    }
}

/// Builds the sample from the declared types.
struct Generator<'a> {
    kind: SampleKind,
    uses: &'a Uses,
}

impl Generator<'_> {
    fn worst(&self) -> bool {
        self.kind == SampleKind::WorstCase
    }

    fn object(&self, obj: &ObjTy, at: &Place) -> Sample {
        let mut members = Vec::with_capacity(obj.fields.len());
        for f in &obj.fields {
            // Plausible data leaves an optional value out of every second item of a list, so
            // that the sample shows both.
            if f.optional && !self.worst() && at.index % 2 == 1 {
                continue;
            }
            members.push((f.name.clone(), self.value(&f.ty, &at.field(&f.name))));
        }
        Sample::Object(members)
    }

    fn value(&self, ty: &Ty, at: &Place) -> Sample {
        match ty {
            Ty::String { max } => Sample::String(self.string(*max, false, at)),
            Ty::Url { max } => Sample::String(self.string(*max, true, at)),
            Ty::Integer { range } => {
                Sample::Integer(
                    in_range(plausible_integer(at) as f64, range.as_ref(), self.worst()) as i64,
                )
            }
            Ty::Number { range } => {
                Sample::Number(in_range(plausible_number(at), range.as_ref(), self.worst()))
            }
            Ty::Bool | Ty::Unknown => Sample::Bool(true),
            Ty::Object(obj) => self.object(obj, at),
            Ty::List { max, item } => {
                let count = match (self.kind, *max) {
                    (SampleKind::WorstCase, Some(max)) => max as usize,
                    (SampleKind::WorstCase, None) => self
                        .uses
                        .list_limit
                        .get(&at.path)
                        .copied()
                        .unwrap_or(PLAUSIBLE_ITEMS),
                    (SampleKind::Plausible, max) => {
                        let wanted = if matches!(**item, Ty::Object(_)) {
                            PLAUSIBLE_ITEMS
                        } else {
                            2
                        };
                        let limit = self.uses.list_limit.get(&at.path).copied();
                        [Some(wanted), max.map(|m| m as usize), limit]
                            .into_iter()
                            .flatten()
                            .min()
                            .unwrap_or(wanted)
                    }
                };
                Sample::List((0..count).map(|i| self.value(item, &at.item(i))).collect())
            }
        }
    }

    fn string(&self, max: Option<u32>, url: bool, at: &Place) -> String {
        let kinds = self.uses.kinds(&at.path);
        let kind = kinds
            .iter()
            .copied()
            .find(|k| !matches!(k, Kind::Text | Kind::TextOrInteger))
            .or_else(|| url.then_some(Kind::Url))
            .unwrap_or(Kind::Text);
        let max = max.map(|m| m as usize);
        let plain = self.uses.plain(&at.path);
        let timestamp = self.uses.timestamp.contains(&at.path);
        let plausible = match kind {
            Kind::Url => plausible_url(at),
            Kind::FacebookUrl => "https://www.facebook.com/cooktoys/videos/1234567890".into(),
            Kind::Phone => PHONE.into(),
            Kind::Currency => "EUR".into(),
            Kind::Choice(choices) => {
                let fits = |c: &&&str| max.is_none_or(|m| c.chars().count() <= m);
                let pick = if self.worst() {
                    choices
                        .iter()
                        .filter(fits)
                        .max_by_key(|c| c.chars().count())
                } else {
                    choices.iter().find(fits)
                };
                return pick.copied().unwrap_or_default().to_string();
            }
            Kind::AttachmentId => "1234567890".into(),
            _ if timestamp => "1764930000".into(),
            _ => plausible_text(at),
        };
        let plausible = if plain && kind == Kind::Text {
            id_safe(&plausible)
        } else {
            plausible
        };
        let Some(max) = max else {
            return plausible;
        };
        if !self.worst() || timestamp || matches!(kind, Kind::Currency) {
            return truncate(&plausible, max);
        }
        match kind {
            Kind::Phone => {
                // The longest phone number the model accepts: `+` and 15 digits.
                let digits = max.saturating_sub(1).clamp(7, 15);
                format!("+{}", &DIGITS[..digits])
            }
            Kind::AttachmentId => DIGITS.chars().cycle().take(max).collect(),
            Kind::Url | Kind::FacebookUrl => fill(&plausible, "/", ASCII_FILLER, max),
            _ if plain => fill(&plausible, "-", ASCII_FILLER, max),
            _ => fill(&plausible, " ", TEXT_FILLER, max),
        }
    }
}

/// Items in a plausible list of objects (two for a list of scalars).
const PLAUSIBLE_ITEMS: usize = 3;

const PHONE: &str = "+33612345678";
const DIGITS: &str = "336123456789012345678901234567890";
/// Fills URLs and ids: characters that need no encoding in a URL path.
const ASCII_FILLER: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
/// Fills text: letters of one, two and three bytes in UTF-8 (all in the Basic Multilingual
/// Plane, so characters and UTF-16 units count alike), words and no markup.
const TEXT_FILLER: &str = "Ŵíde wörds — lóng nämes ñever end ";

/// `start`, then `sep` and `filler` repeated, to exactly `max` characters (counted as the data
/// checks count: Unicode scalar values), never ending in a space.
fn fill(start: &str, sep: &str, filler: &str, max: usize) -> String {
    let mut s: String = start
        .chars()
        .chain(sep.chars())
        .chain(filler.chars().cycle())
        .take(max)
        .collect();
    if s.ends_with(' ') {
        s.pop();
        s.push('Ŵ');
    }
    s
}

/// The first `max` characters.
fn truncate(s: &str, max: usize) -> String {
    s.chars()
        .take(max)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Keeps the characters a customer_id takes as they are (RFC 3986's unreserved set).
fn id_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A key without a plural `s`, lowercased: `items` -> `item`.
fn singular(key: &str) -> String {
    let k = key.to_ascii_lowercase();
    match k.strip_suffix('s') {
        Some(stem) if !stem.is_empty() && !k.ends_with("ss") => stem.to_string(),
        _ => k,
    }
}

fn pick<'a>(options: &[&'a str], index: usize) -> &'a str {
    options[index % options.len()]
}

const PRODUCTS: &[&str] = &["Wooden Kitchen Set", "Copper Saucepan", "Linen Apron"];
const PEOPLE: &[&str] = &["Lisa Martin", "Karim Benali", "Chloé Durand"];
const FIRST_NAMES: &[&str] = &["Lisa", "Karim", "Chloé"];

fn is_product(parent: &str) -> bool {
    matches!(
        parent,
        "product" | "item" | "article" | "element" | "card" | "offer" | "line"
    )
}

/// A string that looks like what its name says, from the key and the key of its parent.
fn plausible_text(at: &Place) -> String {
    let key = at.key.to_ascii_lowercase();
    let parent = singular(&at.parent);
    let i = at.index;
    let words = |s: &str| key.split('_').any(|w| w == s);
    let s = match key.as_str() {
        "first_name" | "firstname" | "given_name" => pick(FIRST_NAMES, i),
        "last_name" | "lastname" | "family_name" | "surname" => "Martin",
        "name" | "full_name" | "display_name" | "recipient_name" if is_product(&parent) => {
            pick(PRODUCTS, i)
        }
        "name" | "label" | "title"
            if matches!(
                parent.as_str(),
                "discount" | "adjustment" | "promo" | "promotion" | "coupon" | "voucher"
            ) =>
        {
            pick(&["Welcome offer", "Loyalty discount", "Free gift wrap"], i)
        }
        "name" if matches!(parent.as_str(), "merchant" | "shop" | "store" | "brand") => "Cooktoys",
        "name" | "full_name" | "display_name" | "recipient_name" | "customer" => pick(PEOPLE, i),
        "title" | "product_name" | "product" if is_product(&parent) || key != "title" => {
            pick(PRODUCTS, i)
        }
        "title" | "headline" => "Your order is on its way",
        "subtitle" => pick(
            &[
                "In stock, ships tomorrow",
                "Limited edition",
                "Gift wrap available",
            ],
            i,
        ),
        "description" | "details" | "summary" => "Handmade in Nantes from solid beech wood",
        "sku" | "ref" | "reference" | "product_id" | "article_id" => {
            pick(&["AB123", "CD456", "EF789"], i)
        }
        "session" | "session_id" => "k45332j9i54",
        "number" | "order_number" | "order_id" | "order_ref" | "invoice" => "A1024",
        "currency" => "EUR",
        "payment" | "payment_method" | "card" => "Visa 5469",
        "street" | "street_1" | "address" | "address_1" | "line1" | "line_1" => {
            "2 ter Quai François Mitterrand"
        }
        "street_2" | "address_2" | "line2" | "line_2" => "Bâtiment B",
        "city" | "town" => "Nantes",
        "postal_code" | "postcode" | "zip" | "zip_code" => "44200",
        "state" | "region" | "province" => "Pays de la Loire",
        "country" | "country_code" => "FR",
        "country_name" => "France",
        "email" | "mail" => "lisa.martin@example.com",
        "phone" | "mobile" | "telephone" | "tel" => PHONE,
        "carrier" => "Colissimo",
        "tracking" | "tracking_number" | "tracking_code" => "6A12345678901",
        "status" => "Shipped",
        "code" | "coupon" | "promo_code" | "voucher" => "WELCOME10",
        "message" | "text" | "body" | "greeting" => "Thank you for your order!",
        "size" => pick(&["M", "L", "S"], i),
        "color" | "colour" => pick(&["Blue", "Red", "Green"], i),
        "merchant" | "shop" | "store" | "brand" | "merchant_name" => "Cooktoys",
        "eta" | "delivery" | "delivery_window" => "Tomorrow before 1 pm",
        _ if words("estimate") || words("eta") => "Thursday 12 March",
        _ if words("price") || words("label") && parent == "price" => {
            pick(&["149,00 €", "39,90 €", "12,50 €"], i)
        }
        _ if words("date") || key.ends_with("_at") || words("time") || words("day") => {
            "5 December 2026"
        }
        _ if words("id") || words("ref") => pick(&["a1b2c3d4", "e5f6g7h8", "i9j0k1l2"], i),
        _ if words("name") => pick(PEOPLE, i),
        _ => return humanized(&at.key),
    };
    s.to_string()
}

/// `delivery_window` -> `Delivery window`.
fn humanized(key: &str) -> String {
    let spaced = key.replace(['_', '-'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Sample".into(),
    }
}

fn slug(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "page".into()
    } else {
        s
    }
}

/// `https://example.com/...`: an image for a key that names one, a page otherwise.
fn plausible_url(at: &Place) -> String {
    let key = at.key.to_ascii_lowercase();
    let key = ["_url", "_link", "_uri"]
        .iter()
        .find_map(|s| key.strip_suffix(s))
        .unwrap_or(&key)
        .to_string();
    let parent = singular(&at.parent);
    let what = slug(if parent.is_empty() { &key } else { &parent });
    let numbered = if at.path.contains("[*]") {
        format!("{what}-{}", at.index + 1)
    } else {
        what
    };
    let image = [
        "image",
        "img",
        "photo",
        "picture",
        "thumbnail",
        "logo",
        "avatar",
        "icon",
    ]
    .iter()
    .any(|w| key.contains(w));
    if image {
        format!("https://example.com/images/{numbered}.jpg")
    } else if key == "url" || key == "link" || key == "page" {
        format!("https://example.com/{numbered}")
    } else {
        format!("https://example.com/{numbered}/{}", slug(&key))
    }
}

/// A plausible value kept inside the declared range (its nearest end), or for the worst case the
/// end that prints longest (the one with more digits; the negative one when they tie).
fn in_range(v: f64, range: Option<&crate::model::types::NumRange>, worst: bool) -> f64 {
    let Some(r) = range else {
        return v;
    };
    if worst {
        let digits = |x: f64| format!("{}", x.abs().trunc()).len() + usize::from(x < 0.0);
        return if digits(r.min) > digits(r.max) {
            r.min
        } else {
            r.max
        };
    }
    v.clamp(r.min, r.max)
}

fn plausible_integer(at: &Place) -> i64 {
    let key = at.key.to_ascii_lowercase();
    let has = |w: &str| key.contains(w);
    if has("quantity") || has("qty") || has("count") {
        [2, 1, 3][at.index % 3]
    } else if has("year") {
        2026
    } else if has("time") || key.ends_with("_at") {
        1_764_930_000
    } else if has("price") || has("amount") || has("total") || has("cost") {
        [49, 25, 12][at.index % 3]
    } else {
        [3, 5, 8][at.index % 3]
    }
}

fn plausible_number(at: &Place) -> f64 {
    let key = at.key.to_ascii_lowercase();
    let parent = singular(&at.parent);
    let has = |w: &str| key.contains(w);
    if has("quantity") || has("qty") || has("count") {
        [2.0, 1.0, 3.0][at.index % 3]
    } else if has("shipping") || has("delivery") {
        4.95
    } else if has("tax") || has("vat") {
        9.98
    } else if matches!(
        parent.as_str(),
        "discount" | "adjustment" | "promo" | "coupon"
    ) {
        [5.0, 2.5, 1.0][at.index % 3]
    } else if has("rating") || has("stars") {
        4.5
    } else if has("percent") || has("rate") {
        15.0
    } else if has("price") || has("amount") || has("total") || has("cost") {
        [49.9, 24.5, 12.0][at.index % 3]
    } else {
        [3.5, 7.25, 1.5][at.index % 3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{compile, Options};

    fn template(src: &str) -> Template {
        let c = compile(src, &Options::default());
        c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics))
    }

    #[test]
    fn numbers_stay_in_their_range_and_the_worst_case_takes_the_longest_end() {
        let t = template(
            "notification t\ninput {\n  price: number 200..10000\n  qty: integer -50..9\n}\ntext \"{{ price }} {{ qty }}\"\n",
        );
        let plausible = generate(&t, SampleKind::Plausible);
        let price = plausible["price"].as_f64().unwrap();
        assert!((200.0..=10000.0).contains(&price), "{price}");
        let qty = plausible["qty"].as_i64().unwrap();
        assert!((-50..=9).contains(&qty), "{qty}");
        let worst = generate(&t, SampleKind::WorstCase);
        assert_eq!(worst["price"].as_f64(), Some(10000.0));
        assert_eq!(worst["qty"].as_i64(), Some(-50));
    }

    #[test]
    fn a_worst_case_receipt_keeps_its_sums_within_their_declared_ranges() {
        // 20 items of 99 at 10,000 would add up to 19,800,000 against totals of 0..100000:
        // the prices come down until the sums fit, and the data checks and render accept it.
        let src = include_str!("../templates/receipt.missive")
            .replace("items: list max 100 of {", "items: list max 20 of {")
            .replace("quantity: integer\n", "quantity: integer 1..99\n")
            .replace("price: number\n", "price: number 0..10000\n")
            .replace(
                "totals: { subtotal: number, shipping: number, tax: number, total: number }",
                "totals: { subtotal: number 0..100000, shipping: number 0..100, tax: number 0..1000, total: number 0..100000 }",
            );
        assert!(src.contains("0..100000"));
        let t = template(&src);
        let worst = generate(&t, SampleKind::WorstCase);
        let totals = &worst["order"]["totals"];
        for key in ["subtotal", "total"] {
            let v = totals[key].as_f64().unwrap();
            assert!((0.0..=100000.0).contains(&v), "{key}: {v}");
        }
        assert_eq!(worst["order"]["items"].as_array().map(Vec::len), Some(20));
        let diagnostics = crate::driver::check_data(&t, &worst.to_string());
        assert!(
            diagnostics.iter().all(|d| !d.is_error()),
            "{diagnostics:#?}"
        );
        // Shipping and tax at their range's end take the room of the total too; and alone
        // past it, they take their least values.
        for (totals, sub_max) in [
            (
                "totals: { subtotal: number 0..50000, shipping: number 0..50, tax: number 0..10000, total: number 0..60000 }",
                50000.0,
            ),
            (
                "totals: { subtotal: number 0..900, shipping: number 0..50, tax: number 0..10000, total: number 0..1000 }",
                900.0,
            ),
        ] {
            let src = include_str!("../templates/receipt.missive")
                .replace("quantity: integer\n", "quantity: integer 1..99\n")
                .replace("price: number\n", "price: number 0.01..9999.99\n")
                .replace(
                    "totals: { subtotal: number, shipping: number, tax: number, total: number }",
                    totals,
                );
            let t = template(&src);
            let worst = generate(&t, SampleKind::WorstCase);
            let sub = worst["order"]["totals"]["subtotal"].as_f64().unwrap();
            assert!(sub <= sub_max, "{sub}");
            let diagnostics = crate::driver::check_data(&t, &worst.to_string());
            assert!(
                diagnostics.iter().all(|d| !d.is_error()),
                "{totals}: {diagnostics:#?}"
            );
        }
    }

    #[test]
    fn paths_split_into_keys_and_items() {
        let s = Sample::Object(vec![(
            "order".into(),
            Sample::Object(vec![(
                "items".into(),
                Sample::List(vec![
                    Sample::Object(vec![("price".into(), Sample::Number(2.0))]),
                    Sample::Object(vec![("price".into(), Sample::Integer(3))]),
                ]),
            )]),
        )]);
        let prices: Vec<f64> = s
            .at("order.items[*].price")
            .iter()
            .filter_map(|s| s.number())
            .collect();
        assert_eq!(prices, [2.0, 3.0]);
        assert!(s.at("order.nothing").is_empty());
    }

    #[test]
    fn the_filler_reaches_max_characters_exactly_and_never_ends_in_a_space() {
        for max in [1, 2, 5, 17, 80, 640] {
            let s = fill("Lisa", " ", TEXT_FILLER, max);
            assert_eq!(s.chars().count(), max, "{s:?}");
            assert!(!s.ends_with(' '));
            assert!(
                s.len() > s.chars().count() || max < 6,
                "not all ASCII: {s:?}"
            );
        }
    }

    #[test]
    fn phone_currency_and_choice_inputs_get_values_their_field_accepts() {
        let phone = template(
            "notification t\ninput { tel: string max 20 }\nbuttons {\n  text: \"Call us\"\n  button phone_number { title: \"Call\", payload: tel }\n}\n",
        );
        assert_eq!(generate(&phone, SampleKind::Plausible)["tel"], PHONE);
        let worst = generate(&phone, SampleKind::WorstCase);
        assert_eq!(worst["tel"], "+336123456789012", "at most 15 digits");

        let choice = template(
            "notification t\ninput { ratio: string max 10 }\ncarousel {\n  image_aspect_ratio: ratio\n  element { title: \"A\", subtitle: \"B\" }\n}\n",
        );
        assert_eq!(
            generate(&choice, SampleKind::Plausible)["ratio"],
            "horizontal"
        );
        assert_eq!(
            generate(&choice, SampleKind::WorstCase)["ratio"],
            "horizontal"
        );

        let currency = template(
            "notification t\ninput {\n  cur: string\n  items: list max 2 of { title: string max 80, price: number }\n}\nreceipt {\n  recipient_name: \"Lisa\"\n  order_number: \"1\"\n  currency: cur\n  payment_method: \"Visa\"\n  for item in items {\n    element { title: item.title, price: item.price }\n  }\n  summary { total_cost: 3 }\n}\n",
        );
        for kind in [SampleKind::Plausible, SampleKind::WorstCase] {
            let v = generate(&currency, kind);
            assert_eq!(v["cur"], "EUR");
            assert_eq!(v["items"].as_array().unwrap().len(), 2);
        }
        let worst = generate(&currency, SampleKind::WorstCase);
        assert_eq!(
            worst["items"][1]["title"].as_str().unwrap().chars().count(),
            80
        );
    }

    #[test]
    fn worst_case_urls_and_ids_reach_their_max_and_stay_valid() {
        let t = template(
            "notification t\ncustomer_id \"order-{{ ref }}\"\ninput {\n  link: url max 70\n  ref: string max 30\n}\nbuttons {\n  text: \"Your order\"\n  button web_url { title: \"Open\", url: link }\n}\n",
        );
        let worst = generate(&t, SampleKind::WorstCase);
        let link = worst["link"].as_str().unwrap();
        assert_eq!(link.chars().count(), 70);
        assert_eq!(crate::model::values::url_problem(link), None, "{link}");
        let id = worst["ref"].as_str().unwrap();
        assert_eq!(id.chars().count(), 30);
        assert_eq!(crate::model::values::first_encoded_char(id), None, "{id}");
    }

    #[test]
    fn the_same_template_gives_the_same_sample() {
        let t = template(
            "notification t\ninput {\n  first_name?: string max 40\n  product: { name: string max 60, url: url }\n}\ntext \"{{ first_name }} {{ product.name }}\"\n",
        );
        let a = generate_json(&t, SampleKind::Plausible);
        assert_eq!(a, generate_json(&t, SampleKind::Plausible));
        // Keys in the order the template declares them.
        assert!(a.find("first_name").unwrap() < a.find("product").unwrap());
        assert!(a.find("\"name\"").unwrap() < a.find("\"url\"").unwrap());
        assert!(a.contains("https://example.com/"));
    }
}
