//! The compiled form of a template: what render walks. Literals are pre-serialized JSON, paths
//! are pre-resolved key lists, and only real expressions go through minijinja.

use std::sync::Arc;

use crate::model::profile::{LimitKey, Profile};
use crate::model::schema::FieldSpec;
use crate::model::types::{Base, ObjTy};
use crate::span::{SourceMap, Span};

pub(crate) mod walk;

/// A compiled template: compile once, render many times.
pub struct Template {
    /// The `notification` name.
    pub name: String,
    /// The `description` line, if the source has one.
    pub description: Option<String>,
    /// The `notification` header line, where message-level diagnostics point.
    pub header: Span,
    /// The iAdvize customer_id scheme.
    pub customer_id: Option<FieldIr>,
    /// The Send API's `messaging_type`, if the source sets one.
    pub messaging_type: Option<String>,
    /// The message tag (`tag`), if the source sets one.
    pub tag: Option<String>,
    /// The declared `input { }`: what a data document must look like.
    pub input: Arc<ObjTy>,
    /// The profile the template was checked against, whose limits render enforces too.
    pub profile: Profile,
    /// The BCP 47 tag of its readers (`locale "fr-FR"`), canonical: the locale of the
    /// formatting filters, and of the preview's amounts; for a template with `locales { }`,
    /// the tag of the locale it was compiled for.
    pub format_locale: Option<String>,
    pub(crate) body: ObjIr,
    pub(crate) env: minijinja::Environment<'static>,
    /// The locale this template was compiled for, when the source declares `locales { }`.
    pub(crate) locale: Option<Locale>,
    /// The same template compiled for each other declared locale (only on the default
    /// locale's template, which `compile` returns).
    pub(crate) translations: Vec<Template>,
    /// Where a record names its locale (`locales { ..., from: customer.locale }`).
    pub(crate) locale_from: Option<PathIr>,
    /// Where the items its shared parts brought in come from: their spans lie past the
    /// template's text, in the part files' copies this maps (`None`: it uses no part).
    pub(crate) sources: Option<Arc<SourceMap>>,
    /// The text its [`Val::Src`] literals are spans of (a payload's, shared with the caller
    /// that read it; `None` when it has none).
    pub(crate) source: Option<Arc<crate::span::SourceFile>>,
}

/// A locale a template declares in `locales { }`: the key its texts and `--locale` use, and
/// the BCP 47 tag that formats its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale {
    /// The key: `fr`.
    pub key: String,
    /// The BCP 47 tag: `fr-FR`.
    pub tag: String,
}

impl Template {
    /// A `customer_id` scheme built from this template's inputs, for a help to propose
    /// (`customer_id "back_in_stock-{{ product.sku }}-{{ session_id }}"`), and the input to
    /// declare first when none fits (`input { session_id: string }`).
    pub fn customer_id_example(&self) -> (String, Option<String>) {
        crate::model::types::customer_id_example(
            &self.name,
            &self.input,
            self.profile.limits.customer_id.max,
        )
    }
}

impl Template {
    /// The locale this template is compiled for: `None` for a template without `locales`.
    pub fn locale(&self) -> Option<&Locale> {
        self.locale.as_ref()
    }

    /// The declared locales, the default first; empty for a template without `locales`.
    pub fn locales(&self) -> Vec<&Locale> {
        self.locale
            .iter()
            .chain(self.translations.iter().filter_map(|t| t.locale.as_ref()))
            .collect()
    }

    /// The template compiled for the locale `key` (this one for the default locale), or
    /// `None` when the template does not declare it.
    pub fn for_locale(&self, key: &str) -> Option<&Template> {
        if self.locale.as_ref().is_some_and(|l| l.key == key) {
            return Some(self);
        }
        self.translations
            .iter()
            .find(|t| t.locale.as_ref().is_some_and(|l| l.key == key))
    }

    /// The data path a record names its locale at (`locales { ..., from: customer.locale }`),
    /// as written.
    pub fn locale_from(&self) -> Option<&str> {
        self.locale_from.as_ref().map(|p| &*p.dotted)
    }
}

impl Template {
    /// The text its [`Val::Src`] literals are spans of (empty when it has none).
    #[inline]
    pub(crate) fn literals(&self) -> &str {
        self.source.as_deref().map_or("", |s| s.text.as_str())
    }
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A path into the data, resolved against `input`.
#[derive(Debug, Clone)]
pub struct PathIr {
    pub base: Base,
    pub keys: Box<[Box<str>]>,
    /// As written, for messages: `order.items`.
    pub dotted: Box<str>,
    pub span: Span,
    /// Whether the input declares some segment optional (`first_name?`).
    pub optional: bool,
    pub decl: Option<Span>,
    /// Whether the declared type is an integer or number (inserted into text as minijinja would).
    pub numeric: bool,
}

#[derive(Debug, Clone)]
pub enum Val {
    /// A literal, already checked, as JSON text.
    Lit(Box<str>),
    /// A literal, already checked, whose JSON text is the template's source at this span as
    /// written ([`Template::source`]): a JSON payload's strings and numbers, which would
    /// otherwise be held twice, in the payload and here.
    Src(Span),
    /// A plain path: the data value is copied as is (boxed: a payload's fields are literals,
    /// and a `Val` is in every field of the IR).
    Path(Box<PathIr>),
    /// A string with interpolations.
    Str(StrIr),
}

impl Val {
    /// A literal's JSON text: its own, or `source`'s at its span (`source`: the text the
    /// template was checked from, [`Template::literals`]). `None` for what is not literal.
    #[inline]
    pub fn literal<'a>(&'a self, source: &'a str) -> Option<&'a str> {
        match self {
            Val::Lit(json) => Some(json),
            Val::Src(at) => source.get(at.range()),
            Val::Path(_) | Val::Str(_) => None,
        }
    }

    /// The data paths the value reads: a plain path, the paths a string interpolates, the
    /// loop variables its expressions read.
    pub fn reads(&self) -> Vec<&PathIr> {
        match self {
            Val::Path(p) => vec![p],
            Val::Str(StrIr::Parts(parts)) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Path(p) => Some(p),
                    Part::Lit(_) => None,
                })
                .collect(),
            Val::Str(StrIr::Engine(e)) => e.reads.iter().collect(),
            Val::Lit(_) | Val::Src(_) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum StrIr {
    /// Literal text and plain `{{ path }}`s, joined without a template engine.
    Parts(Vec<Part>),
    /// Anything else, rendered by minijinja (boxed, as it is the rarer and larger).
    Engine(Box<Engine>),
}

#[derive(Debug, Clone)]
pub enum Part {
    Lit(Box<str>),
    Path(PathIr),
}

/// A minijinja template in the template's environment, and the variables it reads.
#[derive(Debug, Clone)]
pub struct Engine {
    pub name: Box<str>,
    /// Input variables it reads (top-level names).
    pub roots: Vec<Box<str>>,
    /// Loop variables it reads: name and loop depth.
    pub locals: Vec<(Box<str>, usize)>,
    /// The paths it reads (`item.title`), for messages that name the data.
    pub reads: Vec<PathIr>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct FieldIr {
    pub val: Val,
    /// What the field accepts, from the schema's table (not a copy: a field is in every
    /// element of a payload).
    pub spec: &'static FieldSpec,
    /// The value's span in the template.
    pub span: Span,
    /// Markup in the literal text of an interpolated string, already reported at check time:
    /// render does not report it again for every record.
    pub literal_markup: bool,
    /// For an interpolated URL: the length of its literal head when that head is a plainly
    /// good URL whose host has ended (`model::values::url_head`), so that render checks only
    /// what the data appends; 0 otherwise.
    pub url_head: u32,
}

impl FieldIr {
    /// The output key: a schema name (the field's own, or `url` for `image URL`), from the
    /// spec (not a copy: a field is in every element of a payload).
    #[inline]
    pub fn key(&self) -> &'static str {
        self.spec.key
    }
}

#[derive(Debug, Clone)]
pub enum Member {
    /// A fixed member, such as `"type": "template"`; `json` is the serialized value.
    Const {
        key: &'static str,
        json: Box<str>,
    },
    Field(FieldIr),
    /// A nested object that is always present (`payload`; boxed: one per message, while
    /// fields are in every element).
    Object {
        key: &'static str,
        obj: Box<ObjIr>,
    },
    /// Objects produced by blocks, loops and conditions: a list (`elements`), or a single
    /// object (`attachment`, `summary`) when `single` (boxed: larger than a field).
    Items(Box<Items>),
    /// An `extra { }` block's members, each with the span of its key (where an API error about
    /// that key points).
    Extra(Vec<(Box<str>, JsonIr, Span)>),
}

#[derive(Debug, Clone)]
pub struct Items {
    pub key: &'static str,
    pub single: bool,
    pub nodes: Vec<Node>,
    /// Fewest items Messenger accepts.
    pub min: usize,
    pub limit: Option<LimitKey>,
    /// The block that holds them, for a "too few" diagnostic.
    pub owner: Span,
    /// What one item is called: "element".
    pub item: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct ObjIr {
    pub members: Vec<Member>,
    /// What the object is, where that matters after rendering.
    pub kind: ObjKind,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ObjKind {
    #[default]
    Plain,
    /// A receipt payload, whose totals are checked once rendered.
    Receipt,
    /// A generic template's payload, whose `image_aspect_ratio` applies to its images.
    Generic,
    /// A carousel element: Facebook refuses one that renders with nothing but its `title`.
    Element,
}

#[derive(Debug, Clone)]
pub enum Node {
    Obj {
        obj: ObjIr,
        span: Span,
    },
    For {
        /// Boxed: a `Node` is in every element of a payload, a loop in few.
        list: Box<PathIr>,
        /// The list's declared `max` (`None`: unbounded), for count checks before any data.
        max: Option<u32>,
        body: Vec<Node>,
    },
    If {
        branches: Vec<(Cond, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
}

#[derive(Debug, Clone)]
pub enum Cond {
    /// A plain path: true when present and truthy, as minijinja would judge it.
    Path(PathIr),
    /// `{% if COND %}1{% endif %}` in the environment.
    Engine(Engine),
}

#[derive(Debug, Clone)]
pub enum JsonIr {
    /// A literal subtree, serialized.
    Lit(Box<str>),
    Str(StrIr),
    Object(Vec<(Box<str>, JsonIr)>),
    Array(Vec<JsonIr>),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The IR of a payload holds a `Member` per field and a `Node` per element and button: a
    /// larger variant, added unboxed, would grow every one of them (a `Member` was 176 bytes).
    #[test]
    fn the_ir_s_nodes_stay_small() {
        use std::mem::size_of;
        assert!(size_of::<Val>() <= 24, "Val: {}", size_of::<Val>());
        assert!(
            size_of::<FieldIr>() <= 48,
            "FieldIr: {}",
            size_of::<FieldIr>()
        );
        assert!(size_of::<Member>() <= 48, "Member: {}", size_of::<Member>());
        assert!(size_of::<Node>() <= 48, "Node: {}", size_of::<Node>());
        assert!(size_of::<PathIr>() <= 72, "PathIr: {}", size_of::<PathIr>());
    }
}
