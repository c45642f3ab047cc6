//! Checking: syntax tree -> compiled template (IR) and every diagnostic at once. Names and types
//! are resolved here, literals are measured exactly, and each construct is checked against
//! Messenger's model (`schema`) and the profile's limits.

mod blocks;
pub(crate) mod bounds;
pub mod data;
pub(crate) mod decls;
mod formats;
pub mod images;
mod interpolation;
mod limits;
mod locales;
pub mod parts;

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::{codes, Diagnostic, Severity};
use crate::ir::*;
use crate::model::profile::{LimitKey, Profile};
use crate::model::schema::{self, BlockKind, FieldSpec, Kind};
use crate::model::types::{self, ObjTy, Resolved, Scope, Ty};
use crate::model::values;
use crate::span::Span;
use crate::syntax::ast::{self, Item, StrLit, StrPart, Value};

/// Compile options.
#[derive(Debug, Clone)]
pub struct Options {
    /// The limits and rules to check against (default: the built-in `iadvize` profile).
    pub profile: Profile,
    /// The file's stem, which the `notification` name should match.
    pub file_stem: Option<String>,
    /// The shared parts that `use` brings in (default: none).
    pub parts: Arc<parts::Catalogue>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            profile: Profile::default_profile(),
            file_stem: None,
            parts: Arc::default(),
        }
    }
}

/// The result of compiling: the template when there is no error, and all diagnostics.
#[derive(Debug)]
pub struct Compiled {
    /// The compiled template; `None` when any diagnostic is an error.
    pub template: Option<Template>,
    /// Every syntax and check diagnostic, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The syntax tree, also for a file with errors; empty for a JSON payload
    /// ([`import::lint`](crate::import::lint)), whose tree is let go as it is checked.
    pub file: ast::File,
    /// The declared input as the checker lowered it, even when the file has errors: the
    /// scope the language server completes and hovers in.
    pub input: Arc<ObjTy>,
    /// The files of the shared parts its `use`s brought in, which its diagnostics' labels in
    /// [`Origin::Part`](crate::diagnostic::Origin::Part) point into (by index).
    pub parts: Vec<Arc<crate::span::SourceFile>>,
}

/// Parses and checks a template.
pub fn compile(source: &str, options: &Options) -> Compiled {
    let parsed = crate::syntax::parse(source);
    locales::check(parsed, source, options, Tree::Keep)
}

/// Checks a syntax tree built by other means (the JSON import builds one whose spans point into
/// the JSON payload), with the same checks as a parsed template. The tree is let go as it is
/// lowered: the result's `file` is empty.
///
/// Its [`ast::Item::Pending`] lists are built item by item as the check comes to them, by the
/// importer that made them (`payload`). A payload has no parts and no texts per locale, so its
/// check takes the plain path of [`locales::check`], the one that builds them.
pub(crate) fn check_tree(
    file: ast::File,
    text: &str,
    diagnostics: Vec<Diagnostic>,
    options: &Options,
    payload: Option<Payload<'_>>,
) -> Compiled {
    let parsed = crate::syntax::Parse {
        file,
        diagnostics,
        broken_from: None,
    };
    let tree = match payload {
        Some(payload) => Tree::Expand(payload),
        None => Tree::Release,
    };
    locales::check(parsed, text, options, tree)
}

/// Builds the item of a pending list ([`ast::Pending`]): what the list holds (its `kind`), the
/// item's place, and where its diagnostics go.
pub(crate) type Expand<'e> =
    dyn FnMut(&'static str, Span, &mut Vec<Diagnostic>) -> Option<Item> + 'e;

/// What the check of a JSON payload's tree is given besides the tree: how to build its pending
/// lists, and the payload's text as read, which the template's literals may be spans of
/// ([`Val::Src`]) rather than copies.
pub(crate) struct Payload<'e> {
    pub pending: &'e mut Expand<'e>,
    /// The text the tree's spans point into (the `text` checked).
    pub source: Option<Arc<crate::span::SourceFile>>,
}

/// Whether the caller of a check keeps the syntax tree in the result.
enum Tree<'e> {
    /// In `Compiled::file`, as written (the language server and `fmt` read it).
    Keep,
    /// Let go as it is lowered; `Compiled::file` is empty.
    Release,
    /// As `Release`, and its pending lists are built as they are checked.
    Expand(Payload<'e>),
}

/// Checks a parsed template, for one of the locales it declares (`locale`), or as a template
/// without `locales`. In a template broken before its end (`broken_from`), what is found past
/// the break is dropped, except in `kept` (the parts brought in by the uses before it).
fn check_parsed(
    mut parsed: crate::syntax::Parse,
    source: &str,
    options: &Options,
    locale: Option<&Locale>,
    kept: std::ops::Range<u32>,
    tree: Tree<'_>,
) -> Compiled {
    let keep = matches!(tree, Tree::Keep);
    // A block the break cuts is found in the tree as written, before it is lowered.
    let cut = parsed.broken_from.map(|opener| {
        let mut cut = Vec::new();
        headers_around(&parsed.file.items, line_start(source, opener), &mut cut);
        cut
    });
    let mut checker = Checker {
        text: source,
        profile: &options.profile,
        diags: parsed.diagnostics,
        root: Arc::new(ObjTy::default()),
        locals: Vec::new(),
        env: new_environment(None, None),
        engines: 0,
        locale: locale.cloned(),
        format_locale: locale.map(|l| l.tag.clone()),
        time_zone: None,
        format_headers_broken: false,
        guards: Vec::new(),
        field_at: None,
        release: !keep,
        pending: None,
        source: None,
    };
    if let Tree::Expand(payload) = tree {
        debug_assert!(
            payload.source.as_ref().is_none_or(|s| s.text == source),
            "a payload's literals are spans of the text checked"
        );
        checker.pending = Some(payload.pending);
        checker.source = payload.source;
    }
    // Each `use` of a shared part was replaced by the part's items before (`locales::check`).
    let template = checker.file(&mut parsed.file, options);
    if checker.pending.is_some() {
        checker.flush_pending(&mut parsed.file.items);
    }
    let mut diagnostics = checker.diags;
    if let Some(opener) = parsed.broken_from {
        // Past a `{` left open the tree is a guess: keep only what precedes its line (a count
        // on it, as `for slot in slots {`, may read the guess), the parser's diagnostics too
        // (inside `input { product: {` the lines after are read as declarations, and a "fix"
        // that made them so would damage the template), save the unclosed `{`s themselves.
        let from = line_start(source, opener);
        drop_past_break(&mut diagnostics, from, &kept);
        // A block the break cuts (`receipt {` around an `address {` left open) is judged on
        // what it holds as a whole (its required fields, an element with a title alone): that
        // is not known either. Its header's diagnostics go, and come back once it is closed.
        let cut = cut.unwrap_or_default();
        diagnostics.retain(|d| {
            d.code == crate::diagnostic::Code::UnclosedDelimiter
                || d.primary().is_none_or(|l| {
                    !cut.iter()
                        .any(|h: &std::ops::Range<u32>| h.contains(&l.span.start))
                })
        });
        // Say so at the `{` left open: the rest is not known to be right.
        let line = source[..(from as usize).min(source.len())]
            .matches('\n')
            .count()
            + 1;
        for d in &mut diagnostics {
            if d.code == crate::diagnostic::Code::UnclosedDelimiter
                && d.primary().is_some_and(|l| l.span.start == opener)
            {
                d.notes.push(format!(
                    "nothing from line {line} on is checked until this `{{` is closed"
                ));
            }
        }
    }
    // The checker's spans come from the tree, which may reach into the parser's repair text.
    crate::diagnostic::clamp_to(&mut diagnostics, source.len());
    crate::diagnostic::sort(&mut diagnostics);
    let template = template.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    Compiled {
        template,
        diagnostics,
        file: if keep {
            parsed.file
        } else {
            ast::File::default()
        },
        input: checker.root,
        parts: Vec::new(),
    }
}

/// The headers (`receipt`, `element`, up to the `{`) of the blocks that start before `from` and
/// hold it: a `{` left open inside them cuts them.
fn headers_around(items: &[Item], from: u32, out: &mut Vec<std::ops::Range<u32>>) {
    for item in items {
        let span = item.span();
        if !(span.start < from && from < span.end.max(span.start + 1)) {
            continue;
        }
        match item {
            Item::Block(b) => {
                let end = b.label.as_ref().map_or(b.kind.span.end, |l| l.span.end);
                out.push(b.span.start..end.max(b.span.start + 1));
                headers_around(&b.items, from, out);
            }
            Item::For(f) => headers_around(&f.items, from, out),
            Item::If(i) => {
                for branch in &i.branches {
                    headers_around(&branch.items, from, out);
                }
                if let Some(items) = &i.otherwise {
                    headers_around(items, from, out);
                }
            }
            _ => {}
        }
    }
}

/// Where the line of `at` starts in `source`: past a `{` left open (at `at`), the tree is a
/// guess from there on.
pub(super) fn line_start(source: &str, at: u32) -> u32 {
    source[..(at as usize).min(source.len())]
        .rfind('\n')
        .map_or(0, |n| n as u32 + 1)
}

/// Of the diagnostics of a template broken by a `{` left open, whose line starts at `from`:
/// drops those found from there on, but in `kept` (the copies of the parts brought in by the
/// uses before it) and the unclosed `{`s themselves, and the fixes that reach past it, but the
/// `}` the unclosed `{` asks for.
pub(super) fn drop_past_break(
    diagnostics: &mut Vec<Diagnostic>,
    from: u32,
    kept: &std::ops::Range<u32>,
) {
    diagnostics.retain(|d| {
        d.code == crate::diagnostic::Code::UnclosedDelimiter
            || d.primary()
                .is_none_or(|l| l.span.start < from || kept.contains(&l.span.start))
    });
    for d in diagnostics {
        if d.code == crate::diagnostic::Code::UnclosedDelimiter {
            continue;
        }
        for l in &mut d.labels {
            if l.fix
                .as_ref()
                .is_some_and(|f| f.span.end > from && !kept.contains(&f.span.start))
            {
                l.fix = None;
            }
        }
    }
}

/// The minijinja environment for interpolations: no auto-escaping (the output is JSON, escaped
/// when written), absent and null values print as nothing. The formatting filters (`money`,
/// `number`, `date`) are bound to `locale` (a BCP 47 tag) and `time_zone` (an IANA name).
pub(crate) fn new_environment(
    locale: Option<&str>,
    time_zone: Option<&str>,
) -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    minijinja_contrib::add_to_environment(&mut env);
    add_format_filters(&mut env, locale, time_zone);
    // A template cannot run away: `{% for i in range(100000) %}` nested is refused, not run.
    env.set_fuel(Some(fuel()));
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

/// `money(currency)`, `number(digits)` and `date(style[, zone])`, in `locale`. An absent value
/// prints nothing, as a plain path does; a wrong argument, a missing locale or time zone, or a
/// build without the `intl` feature fail the render (check reports them first, as M1041).
fn add_format_filters(
    env: &mut minijinja::Environment<'static>,
    locale: Option<&str>,
    time_zone: Option<&str>,
) {
    use minijinja::{Error, ErrorKind, Value};
    fn fail(msg: String) -> Error {
        Error::new(ErrorKind::InvalidOperation, msg)
    }
    fn amount(filter: &str, v: &Value) -> Result<f64, Error> {
        match v.as_i64() {
            Some(i) => Ok(i as f64),
            None => f64::try_from(v.clone())
                .map_err(|_| fail(format!("`{filter}` formats a number, not {}", v.kind()))),
        }
    }
    let locale: Option<std::sync::Arc<str>> = locale.map(Into::into);
    let zone: Option<std::sync::Arc<str>> = time_zone.map(Into::into);
    let need_locale = |filter: &str, l: &Option<std::sync::Arc<str>>| {
        l.clone().ok_or_else(|| {
            fail(format!(
                "`{filter}` formats per locale, and the template declares none"
            ))
        })
    };
    let l = locale.clone();
    env.add_filter("money", move |v: Value, currency: String| {
        if v.is_none() || v.is_undefined() {
            return Ok(String::new());
        }
        let tag = need_locale("money", &l)?;
        if let Some(p) = formats::currency_problem(&currency) {
            return Err(fail(p));
        }
        crate::intl::money(&tag, amount("money", &v)?, &currency).map_err(fail)
    });
    let l = locale.clone();
    env.add_filter("number", move |v: Value, digits: u8| {
        if v.is_none() || v.is_undefined() {
            return Ok(String::new());
        }
        let tag = need_locale("number", &l)?;
        crate::intl::number(&tag, amount("number", &v)?, digits).map_err(fail)
    });
    env.add_filter(
        "date",
        move |v: Value, style: String, given_zone: Option<String>| {
            if v.is_none() || v.is_undefined() {
                return Ok(String::new());
            }
            let tag = need_locale("date", &locale)?;
            let style = crate::intl::DateStyle::parse(&style).ok_or_else(|| {
                fail(format!(
                    "`{style}` is not a date style: `short`, `medium`, `long` or `full`"
                ))
            })?;
            let seconds = v.as_i64().ok_or_else(|| {
                fail(format!(
                    "`date` formats a timestamp in whole seconds, not {v}"
                ))
            })?;
            let z = match (&given_zone, &zone) {
                (Some(z), _) => z.as_str(),
                (None, Some(z)) => z,
                (None, None) => {
                    return Err(fail(
                        "`date` needs a time zone: the template declares none".into(),
                    ))
                }
            };
            crate::intl::date(&tag, seconds, style, z).map_err(fail)
        },
    );
}

/// The work one interpolation may do by default (minijinja counts instructions): far more than
/// any notification needs, far less than a runaway loop.
pub const DEFAULT_FUEL: u64 = 1_000_000;

static FUEL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(DEFAULT_FUEL);

/// Sets the work one interpolation may do, for the templates compiled from now on, in the
/// whole process (`--fuel`, `fuel` in missive.toml); running out of it is M3007.
pub fn set_fuel(steps: u64) {
    FUEL.store(steps, std::sync::atomic::Ordering::Relaxed);
}

/// The work one interpolation may do: [`DEFAULT_FUEL`] unless [`set_fuel`] changed it.
pub fn fuel() -> u64 {
    FUEL.load(std::sync::atomic::Ordering::Relaxed)
}

struct Checker<'a> {
    text: &'a str,
    profile: &'a Profile,
    diags: Vec<Diagnostic>,
    root: Arc<ObjTy>,
    /// Loop variables: (name, item type, declaration span).
    locals: Vec<(String, Ty, Span)>,
    env: minijinja::Environment<'static>,
    engines: usize,
    /// The locale this compile is for (its tag formats values), when the template declares
    /// `locales { }`.
    locale: Option<Locale>,
    /// The BCP 47 tag this template is compiled for (`locale "fr-FR"`, or the tag of the
    /// `locales { }` entry being compiled): the formatting filters and their worst cases are
    /// in this locale.
    format_locale: Option<String>,
    /// The IANA time zone of `date` (`time_zone "Europe/Paris"`).
    time_zone: Option<String>,
    /// A `locale` or `time_zone` declaration was reported: the filters needing it are not.
    format_headers_broken: bool,
    /// The conditions of the `if`s around the items being checked: a required field reading
    /// an optional input that one of them names is taken to be guarded (M2003's warning).
    guards: Vec<String>,
    /// The name of the block field being checked, for a label at it when its value was
    /// brought from elsewhere (a part's field reading a `use`'s argument).
    field_at: Option<Span>,
    /// The caller does not keep the tree: each block's items are let go once lowered, so that
    /// a payload's tree and its IR are not held at once (40,000 elements make each of them
    /// over three times the payload's size).
    release: bool,
    /// Builds the items of the tree's pending lists (the JSON import's check).
    pending: Option<&'a mut Expand<'a>>,
    /// The text checked, shared: literals written in it exactly as their JSON are kept as
    /// spans of it ([`Val::Src`]) and the template holds it.
    source: Option<Arc<crate::span::SourceFile>>,
}

/// Where `c` is written as is in a string literal's source (`raw`, quotes included), outside
/// its `{{ }}` and `{% %}`.
fn raw_literal_char(raw: &str, c: char) -> Option<usize> {
    let inner = raw.get(1..raw.len().saturating_sub(1))?;
    let mut in_code = false;
    let mut prev = '\0';
    for (i, r) in inner.char_indices() {
        match (prev, r) {
            ('{', '{' | '%') => in_code = true,
            ('}' | '%', '}') => in_code = false,
            _ if !in_code && r == c => return Some(i + 1),
            _ => {}
        }
        prev = r;
    }
    None
}

/// What the top-level items gave, as `Checker::file` reads them in order.
#[derive(Default)]
struct Top<'f> {
    name: Option<(String, Span)>,
    description: Option<String>,
    customer_id: Option<FieldIr>,
    messaging_type: Option<String>,
    tag: Option<String>,
    body: ObjIr,
    text_at: Option<Span>,
    attachment_at: Option<Span>,
    quick_replies_at: Option<Span>,
    metadata_at: Option<Span>,
    seen_headers: HashMap<&'f str, Span>,
    /// Keys of the top-level `extra`: an `attachment` there is the message's attachment when
    /// the template has none of its own (a template missive does not model yet).
    top_extra: Vec<(String, Span)>,
    top_extra_keys: std::collections::HashSet<String>,
}

/// What a top-level item contributes to the message.
enum TopKind {
    Text,
    Attachment,
    QuickReplies,
    Metadata,
}

impl<'a> Checker<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// M1003: a number literal outside the rule that data numbers follow too (0, or between
    /// 10⁻⁶ and 10²¹ in size): `1e400` would be invalid JSON, `1e-400` reads as 0.
    fn number_in_range(&mut self, raw: &str, span: Span) -> bool {
        let Some(problem) = crate::json::number_out_of_range(raw) else {
            return true;
        };
        self.push(
            codes::m1003_type_mismatch(format!("`{raw}` is out of range: a number is 0 or between 10⁻⁶ and 10²¹ in size"))
                .at(span, problem.label())
                .help(format!("give a number in range, or, for an identifier, a string: `\"{raw}\"`; numbers in the data follow the same rule")),
        );
        false
    }

    /// M2014: literal text of the `customer_id` scheme that is percent-encoded in the URL path.
    /// Characters that come from the data are reported when rendering.
    fn customer_id_encoded(&mut self, f: &FieldIr) {
        let literals: Vec<String> = match &f.val {
            Val::Lit(_) | Val::Src(_) => f
                .val
                .literal(self.text)
                .and_then(|json| serde_json::from_str::<String>(json).ok())
                .into_iter()
                .collect(),
            Val::Str(StrIr::Parts(parts)) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Lit(t) => Some(t.to_string()),
                    Part::Path(_) => None,
                })
                .collect(),
            Val::Str(StrIr::Engine(_)) | Val::Path(_) => Vec::new(),
        };
        let Some(c) = literals
            .iter()
            .find_map(|t| values::first_encoded_char(t).map(|(_, c)| c))
        else {
            return;
        };
        // Point at the character itself when it is written as is in the source.
        let raw = self.text.get(f.span.range()).unwrap_or("");
        let span = match raw_literal_char(raw, c) {
            Some(i) => f.span.sub(i, i + c.len_utf8()),
            None => f.span,
        };
        self.push(values::customer_id_encoded(c, span, None));
    }

    fn scope(&self) -> Scope<'_> {
        Scope {
            root: &self.root,
            locals: self.locals.clone(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // The file

    fn file(&mut self, file: &mut ast::File, options: &Options) -> Option<Template> {
        if file.items.is_empty() {
            // Nothing parsed: either the parser already said why, or there is only comments.
            if self.diags.is_empty() {
                self.push(
                    codes::m0008_empty_file("this template has nothing but comments")
                        .at(Span::new(0, 0), "nothing to compile")
                        .help("add a header such as `notification order_shipped`, then a `text \"...\"` or an attachment block"),
                );
            }
            return None;
        }
        self.lower_inputs(file);
        self.format_headers(file);
        let first = file.items.first().map_or(Span::new(0, 0), |i| {
            let s = i.span();
            Span::new(s.start as usize, s.start as usize)
        });
        let mut top = Top::default();
        for item in &mut file.items {
            match &*item {
                Item::Input(_) | Item::Error(_) => {}
                Item::Command(c) if formats::HEADERS.contains(&c.name.name.as_str()) => {}
                Item::Command(c)
                    if matches!(
                        c.name.name.as_str(),
                        "notification" | "customer_id" | "messaging_type" | "tag"
                    ) =>
                {
                    if let Item::Command(c) = item {
                        self.header_line(c, &mut top)
                    }
                }
                _ => self.message_part(item, &mut top),
            }
        }
        self.extra_beside_own_parts(&top);
        self.tag_needs_message_tag(&top);
        if let Some(f) = &top.customer_id {
            let name = top.name.as_ref().map_or("", |(n, _)| n.as_str());
            self.customer_id_scheme(f, name);
        }
        self.header_name(first, options, &top);
        self.message_rules(&top);
        let Top {
            name,
            description,
            customer_id,
            messaging_type,
            tag,
            body,
            ..
        } = top;
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
            format_locale: self.format_locale.clone(),
            body,
            env: std::mem::replace(&mut self.env, new_environment(None, None)),
            locale: self.locale.clone(),
            translations: Vec::new(),
            locale_from: None,
            sources: None,
            source: self.source.clone(),
        })
    }

    /// `input { }`, lowered once: every other item refers to it.
    fn lower_inputs(&mut self, file: &ast::File) {
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
                    codes::m1005_duplicate_field("`input` is given twice")
                        .at(extra.span.sub(0, 5), "second `input` block")
                        .at(first.span.sub(0, 5), "first `input` block")
                        .help("declare all variables in one `input { ... }` block"),
                );
            }
            self.root = Arc::new(decls::lower_input(&first.decls, &mut self.diags));
        }
    }

    /// A header line (`notification`, `customer_id`, `messaging_type`, `tag`), at most once each.
    fn header_line<'f>(&mut self, c: &'f ast::Command, top: &mut Top<'f>) {
        if let Some(prev) = top.seen_headers.insert(&c.name.name, c.name.span) {
            self.given_twice(&c.name.name, c.name.span, prev);
            return;
        }
        match c.name.name.as_str() {
            "notification" => {
                if let Some((n, d)) = self.notification_header(c) {
                    top.name = Some(n);
                    top.description = d;
                }
            }
            "customer_id" => {
                const SPEC: FieldSpec = FieldSpec {
                    name: "customer_id",
                    key: "customer_id",
                    kind: Kind::Text,
                    required: true,
                    nonempty: true,
                    limit: Some(LimitKey::CustomerId),
                };
                if let Some(v) = self.single_arg(c) {
                    top.customer_id = self.field_ir(v, &SPEC);
                }
            }
            "messaging_type" => {
                const SPEC: FieldSpec = FieldSpec {
                    name: "messaging_type",
                    key: "messaging_type",
                    kind: Kind::Choice(&["RESPONSE", "UPDATE", "MESSAGE_TAG"]),
                    required: true,
                    nonempty: true,
                    limit: None,
                };
                top.messaging_type = self.literal_header(c, &SPEC);
            }
            _ => {
                const SPEC: FieldSpec = FieldSpec {
                    name: "tag",
                    key: "tag",
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
                // A retired tag is reported as such, and still counts as the
                // message's tag (no second error for a missing one).
                top.tag = match self.deprecated_tag(c) {
                    Some(retired) => Some(retired),
                    None => self.literal_header(c, &SPEC),
                };
            }
        }
    }

    /// A part of the message (text, attachment, quick replies, metadata, `extra`), at most one
    /// of each, lowered into the body.
    fn message_part(&mut self, other: &mut Item, top: &mut Top<'_>) {
        // What the item is, known from its shape: a value that fails its checks
        // still counts as present, so one mistake gives one diagnostic.
        let kind = match other {
            Item::Command(c) if c.name.name == "text" => Some(TopKind::Text),
            Item::Command(c) if c.name.name == "metadata" => Some(TopKind::Metadata),
            Item::Command(c) if media_kind(&c.name.name).is_some() => Some(TopKind::Attachment),
            Item::Block(b) if media_kind(&b.kind.name).is_some() => Some(TopKind::Attachment),
            Item::Block(b) if b.kind.name == "quick_replies" => Some(TopKind::QuickReplies),
            Item::Block(b)
                if schema::ATTACHMENT_BLOCKS
                    .iter()
                    .any(|(k, _, _)| *k == b.kind.name) =>
            {
                Some(TopKind::Attachment)
            }
            // A choice of attachments; one that chooses only what `if` cannot choose here
            // (texts) is an error of its own (M1004), not an attachment beside another.
            Item::If(i)
                if i.branches
                    .iter()
                    .flat_map(|b| &b.items)
                    .chain(i.otherwise.iter().flatten())
                    .any(|item| !matches!(item, Item::Command(c) if c.name.name == "text")) =>
            {
                Some(TopKind::Attachment)
            }
            _ => None,
        };
        let previous = match kind {
            Some(TopKind::Text) => top.text_at.replace(other.span()),
            Some(TopKind::Attachment) => top.attachment_at.replace(other.span()),
            Some(TopKind::QuickReplies) => top.quick_replies_at.replace(other.span()),
            Some(TopKind::Metadata) => top.metadata_at.replace(other.span()),
            _ => None,
        };
        if let Some(prev) = previous {
            let d = match kind {
                Some(TopKind::Metadata) => codes::m1005_duplicate_field("`metadata` is given twice")
                    .at(other.span(), "second `metadata`")
                    .at(prev, "first `metadata`")
                    .help("a message has one `metadata` string: keep one"),
                Some(TopKind::QuickReplies) => codes::m1005_duplicate_field("`quick_replies` is given twice")
                    .at(other.span(), "second `quick_replies`")
                    .at(prev, "first `quick_replies`")
                    .help("a message has one list of quick replies: put every `quick_reply` in one `quick_replies` block"),
                Some(TopKind::Text) => codes::m1005_duplicate_field("`text` is given twice")
                    .at(other.span(), "second `text`")
                    .at(prev, "first `text`")
                    .help("a message has one text: merge them, or use `{% if %}` inside one `text`"),
                _ => codes::m1012_several_attachments("a message has one attachment at most")
                    .at(other.span(), "second attachment")
                    .at(prev, "first attachment")
                    .help("send the second attachment in a notification of its own, or choose one with `if ... { } else { }`"),
            };
            self.push(d);
            return;
        }
        if let Item::Extra(e) = other {
            for m in &e.members {
                if !top.top_extra_keys.insert(m.key.clone()) {
                    self.extra_repeats(&m.key, m.key_span);
                }
                top.top_extra.push((m.key.clone(), m.key_span));
            }
        }
        if let Some(member) = self.top_item(other) {
            top.body.members.push(member);
        }
    }

    /// A key of the top-level `extra` that the template also writes as its own part.
    fn extra_beside_own_parts(&mut self, top: &Top<'_>) {
        for (key, span) in &top.top_extra {
            let own = match key.as_str() {
                "text" => top.text_at.is_some(),
                "attachment" => top.attachment_at.is_some(),
                "quick_replies" => top.quick_replies_at.is_some(),
                "metadata" => top.metadata_at.is_some(),
                _ => false,
            };
            if own {
                self.extra_repeats(key, *span);
            }
        }
    }

    /// Facebook sends a message tag only with `messaging_type "MESSAGE_TAG"`, and needs one then.
    fn tag_needs_message_tag(&mut self, top: &Top<'_>) {
        match (top.messaging_type.as_deref(), &top.tag, top.seen_headers.get("messaging_type"), top.seen_headers.get("tag")) {
            (Some("MESSAGE_TAG"), None, Some(at), _) => self.push(
                codes::m1013_invalid_header("`messaging_type \"MESSAGE_TAG\"` needs a `tag` line")
                    .at(*at, "a message tag is announced here")
                    .help("add the tag, e.g. `tag \"POST_PURCHASE_UPDATE\"` for an order update")
                    .note("Facebook Send API reference: `tag` is required when `messaging_type` is `MESSAGE_TAG`"),
            ),
            (other, Some(_), _, Some(at)) if other != Some("MESSAGE_TAG") => self.push(
                codes::m1013_invalid_header("`tag` needs `messaging_type \"MESSAGE_TAG\"`")
                    .at(*at, "Facebook ignores or refuses this tag")
                    .help("add `messaging_type \"MESSAGE_TAG\"` above it, or remove the `tag`")
                    .note("Facebook Send API reference: a tag is sent with `messaging_type: MESSAGE_TAG` only"),
            ),
            _ => {}
        }
    }

    /// The `customer_id` scheme: the same for every visitor (M2013), or with literal text that
    /// the URL percent-encodes (M2014).
    fn customer_id_scheme(&mut self, f: &FieldIr, notification: &str) {
        let constant = match &f.val {
            Val::Lit(_) | Val::Src(_) => true,
            Val::Str(StrIr::Engine(e)) => e.roots.is_empty() && e.locals.is_empty(),
            Val::Str(StrIr::Parts(parts)) => !parts.iter().any(|p| matches!(p, Part::Path(_))),
            Val::Path(_) => false,
        };
        if constant {
            self.push(
                codes::m2013_constant_customer_id("`customer_id` is the same for every visitor")
                    .at(f.span, "uses no input variable")
                    .help(match crate::model::types::customer_id_example(notification, &self.root, self.profile.limits.customer_id.max) {
                        (scheme, None) => format!("build it from something unique to the visitor, e.g. {scheme} (the guide's `instock-AB123-k45332j9i54`)"),
                        (scheme, Some(add)) => format!("build it from something unique to the visitor: {add}, then write {scheme} (the guide's `instock-AB123-k45332j9i54`)"),
                    })
                    .note("iAdvize integration guide: the customer_id must be unique, or notifications reach visitors who should not receive them"),
            );
        }
        self.customer_id_encoded(f);
    }

    /// The `notification` header: missing (M1006), or named unlike its file (M4002).
    fn header_name(&mut self, first: Span, options: &Options, top: &Top<'_>) {
        if top.name.is_none() && !top.seen_headers.contains_key("notification") {
            let stem = options
                .file_stem
                .clone()
                .unwrap_or_else(|| "order_confirmation".into());
            self.push(
                codes::m1006_missing_header("the template has no `notification` header")
                    .at(first, "expected `notification NAME` at the top")
                    .help(format!("start the file with `notification {stem}` (and, optionally, a description in quotes)")),
            );
        }
        if let (Some((n, span)), Some(stem)) = (&top.name, &options.file_stem) {
            if n != stem {
                let d = codes::m4002_name_mismatch(format!(
                    "the notification is named `{n}` but its file is `{stem}.missive`"
                ))
                .at(*span, "the notification's name");
                // The file's name is offered only when it is a name the header accepts.
                let d = if crate::syntax::is_name(stem) {
                    d.help(format!("rename the notification to `{stem}`, or the file to `{n}.missive`, so that templates are easy to find"))
                        .fix_unsafe(*span, stem.clone(), format!("Rename the notification to `{stem}`"))
                } else {
                    // A keyword of the language, or not a name at all.
                    let why = if crate::syntax::KEYWORDS.contains(&stem.as_str()) {
                        format!("`{stem}` is a keyword of the language, not a name")
                    } else {
                        format!("`{stem}` cannot be a notification's name: a name is a letter or `_`, then letters, digits and `_`")
                    };
                    d.help(format!("rename the file to `{n}.missive`, so that templates are easy to find ({why})"))
                };
                self.push(d);
            }
        }
    }

    /// The rules on the message as a whole: text beside an attachment, parts a platform may
    /// drop, a message that sends nothing.
    fn message_rules(&mut self, top: &Top<'_>) {
        let header_span = top.name.as_ref().map(|(_, s)| *s);
        // Text beside an attachment.
        if let (Some(t), Some(_)) = (top.text_at, top.attachment_at) {
            let rule = &self.profile.text_with_attachment;
            if !rule.allowed {
                self.push(
                    codes::m2008_text_with_attachment(format!("profile `{}` does not allow text beside an attachment", self.profile.name))
                        .at(t, "this text is sent with the attachment")
                        .help("send the text and the attachment as two notifications, or use the `iadvize` profile")
                        .note(format!("rule from profile `{}` ({}, {})", self.profile.name, rule.source, rule.date)),
                );
            }
        }
        if let Some(at) = top.quick_replies_at {
            self.platform_may_drop("quick_replies", at);
        }
        if let Some(at) = top.metadata_at {
            self.platform_may_drop("metadata", at);
        }
        let clean = !self.diags.iter().any(Diagnostic::is_error);
        let sends_something = top.text_at.is_some()
            || top.attachment_at.is_some()
            || top
                .top_extra
                .iter()
                .any(|(k, _)| k == "text" || k == "attachment");
        if !sends_something && top.name.is_some() && clean {
            self.push(
                codes::m2011_empty_message("the notification has neither text nor an attachment")
                    .at(
                        header_span.expect("named"),
                        "this notification sends nothing",
                    )
                    .help("add `text \"...\"`, or an `image`, `carousel` or `receipt` block"),
            );
        }
    }

    fn notification_header(
        &mut self,
        c: &ast::Command,
    ) -> Option<((String, Span), Option<String>)> {
        let bad = |this: &mut Self, span: Span| {
            this.push(
                codes::m1013_invalid_header(
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
        Some(((name.0.into(), name.1), description))
    }

    /// M2017: a message tag Facebook retired, with its replacement; the tag when reported.
    fn deprecated_tag(&mut self, c: &ast::Command) -> Option<String> {
        let Some(Value::Str(s)) = c.args.first() else {
            return None;
        };
        let text = s.as_literal()?;
        let d = schema::DEPRECATED_TAGS.iter().find(|d| d.name == text)?;
        self.push(
            codes::m2017_deprecated(format!(
                "the message tag `{}` was retired by Facebook",
                d.name
            ))
            .at(s.span, format!("use `{}` instead", d.instead))
            .help(format!("write `tag \"{}\"`", d.instead))
            .fix(s.span, format!("\"{}\"", d.instead))
            .note(format!("{}, effective {}", d.source, d.date)),
        );
        Some(text)
    }

    /// M4012: a message field the profile's platform does not document passing on.
    fn platform_may_drop(&mut self, field: &str, at: Span) {
        let rule = &self.profile.message_fields;
        if rule.passes_on(field) {
            return;
        }
        let documented: Vec<String> = rule.fields.iter().map(|f| format!("`{f}`")).collect();
        self.push(
            codes::m4012_platform_may_drop(
                format!(
                    "profile `{}` documents only {} in a message: `{field}` may not reach Messenger",
                    self.profile.name,
                    documented.join(" and ")
                ),
            )
            .at(at.sub(0, field.len()), "the platform may not pass this on")
            .help(format!("check with the platform that it sends `{field}`, or send through Facebook's Send API with `--profile messenger`"))
            .note(format!("rule from profile `{}` ({}, {})", self.profile.name, rule.source, rule.date)),
        );
    }

    /// M1005: a key of the top-level `extra` that the message already has, or that `extra`
    /// gives twice.
    fn extra_repeats(&mut self, key: &str, span: Span) {
        self.push(
            codes::m1005_duplicate_field(format!("`extra` repeats the field `{key}`"))
                .at(span, "already in the message")
                .help(format!(
                    "give the message's `{key}` with its own line or block, not in `extra`"
                )),
        );
    }

    /// M1005: a field, header or block given a second time.
    fn given_twice(&mut self, name: &str, again: Span, first: Span) {
        self.push(
            codes::m1005_duplicate_field(format!("`{name}` is given twice"))
                .at(again, "given again here")
                .at(first, "first given here")
                .help("keep one of them"),
        );
    }

    /// Checks a literal text against its field; true when it has a problem (reported).
    /// M2005 at check time for a URL whose literal start makes it relative whatever the data
    /// (`"www.track.example.com/{{ sku }}"`), at that literal rather than at every rendering.
    fn relative_url_prefix(&mut self, spec: &FieldSpec, s: &ast::StrLit) -> bool {
        let Some(ast::StrPart::Lit { text, span }) = s.parts.first() else {
            return false;
        };
        let Some(why) = values::url_prefix_problem(text) else {
            return false;
        };
        let cx = values::Context {
            field: spec.name,
            value: text,
            span: *span,
            data_path: None,
        };
        let mut d = values::diagnostic(&values::Problem::BadUrl(why), spec, &cx, self.profile);
        // The help names the whole string with its scheme, interpolations included.
        let written = self.text.get(s.span.range()).map(|w| w.trim_matches('"'));
        if let (Some(written), Some(full)) = (written, values::with_scheme(text)) {
            let scheme = &full[..full.len() - text.len()];
            d.help = Some(format!("add the scheme: `{scheme}{written}`"));
        }
        self.push(d);
        true
    }

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
        let mut d = values::diagnostic(&p, spec, &cx, self.profile);
        let plain = self.text.get(span.range()) == Some(format!("\"{text}\"").as_str());
        // A plain quoted literal over its limit: mark what does not fit, and offer a cut at a
        // word (unsafe: it rewrites the author's copy).
        if let (values::Problem::TooLong { chars, max, .. }, true) = (&p, plain) {
            let tail = values::past_limit(text, *max);
            let end = span.end as usize - 1;
            let start = end - tail.len();
            let over = chars - max;
            d = d.at(
                Span::new(start, end),
                if over == 1 {
                    "this character is past the limit".to_string()
                } else {
                    format!("these {over} characters are past the limit")
                },
            );
            if let Some(cut) = values::cut_at_word(text, *max) {
                let n = cut.chars().count();
                let help = d.help.take().unwrap_or_default();
                // A long text is shown by its new end only.
                let (shown, title) = if n <= 90 {
                    (format!(": `\"{cut}\"`"), format!("Cut at a word: `{cut}`"))
                } else {
                    let end: String = cut.chars().skip(n - 30).collect();
                    (
                        format!(" so that it ends `…{end}`"),
                        format!("Cut at a word, ending `…{end}`"),
                    )
                };
                d = d
                    .help(format!(
                        "{help}; e.g. cut at a word{shown} ({n} characters, applied by `missive check --fix --unsafe-fixes`), or reword it"
                    ))
                    .fix_unsafe(span, format!("\"{cut}\""), title);
            }
        }
        // A URL written without its scheme, as a plain quoted literal: an unsafe fix adds it.
        if let (values::Problem::BadUrl(_), Some(full)) = (&p, values::with_scheme(text)) {
            if plain {
                let title = format!("Add the scheme: `{full}`");
                d = d.fix_unsafe(span, format!("\"{full}\""), title);
            }
        }
        self.push(d);
        true
    }

    fn single_arg<'v>(&mut self, c: &'v ast::Command) -> Option<&'v Value> {
        if c.args.len() != 1 {
            let span = c.args.get(1).map_or(c.span, Value::span);
            self.push(
                codes::m1013_invalid_header(format!("`{}` takes one value", c.name.name))
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
                    codes::m1013_invalid_header(format!("`{}` takes a literal string", spec.name))
                        .at(other.span(), "expected a string in quotes")
                        .help(format!("write `{} \"...\"`", spec.name)),
                );
                None
            }
        }
    }

    /// A top-level item: `text`, an attachment (`image`, `carousel`, `receipt`, `buttons`, or an `if`
    /// choosing between them), or `extra`.
    fn top_item(&mut self, item: &mut Item) -> Option<Member> {
        match item {
            Item::Command(c) if c.name.name == "text" => {
                const SPEC: FieldSpec = FieldSpec {
                    name: "text",
                    key: "text",
                    kind: Kind::Text,
                    // An absent optional text leaves the key out (the attachment goes alone).
                    required: false,
                    nonempty: true,
                    limit: Some(LimitKey::Text),
                };
                let v = self.single_arg(c)?;
                let f = self.field_ir(v, &SPEC)?;
                Some(Member::Field(f))
            }
            Item::Command(c) if c.name.name == "metadata" => {
                const SPEC: FieldSpec = FieldSpec {
                    name: "metadata",
                    key: "metadata",
                    kind: Kind::Text,
                    required: false,
                    nonempty: true,
                    limit: Some(LimitKey::Metadata),
                };
                let v = self.single_arg(c)?;
                let f = self.field_ir(v, &SPEC)?;
                Some(Member::Field(f))
            }
            Item::Extra(e) => self.extra(e),
            Item::Block(b) if b.kind.name == "quick_replies" => self.quick_replies(b),
            _ => {
                let owner = item.span();
                let node = self.attachment_node(item, true)?;
                Some(Member::Items(Box::new(Items {
                    key: "attachment",
                    single: true,
                    nodes: vec![node],
                    min: 0,
                    limit: None,
                    owner,
                    item: "attachment",
                })))
            }
        }
    }

    /// `quick_replies { quick_reply ... }`: the message's `quick_replies` list. An empty list
    /// (every reply from an empty list or a false condition) leaves the key out.
    fn quick_replies(&mut self, b: &mut ast::Block) -> Option<Member> {
        self.no_label(b);
        for item in &b.items {
            if let Item::Extra(e) = item {
                self.push(
                    codes::m1004_unknown_block(
                        "`extra` is not allowed in `quick_replies`",
                    )
                    .at(e.span.sub(0, 5), "between quick replies")
                    .help(
                        "put the key in a `quick_reply` block's `extra`, or in a top-level `extra`",
                    ),
                );
            }
        }
        let spec = schema::spec(BlockKind::QuickReplies, None).expect("spec");
        let obj = self.block_body(b, spec);
        obj.members
            .into_iter()
            .find(|m| matches!(m, Member::Items(_)))
    }

    /// M4007 for `image { url: "http://..." }`, as for `image "http://..."` and `image_url`.
    fn plain_http_image_block(&mut self, b: &ast::Block) {
        for item in &b.items {
            let Item::Field(f) = item else { continue };
            let Value::Str(s) = &f.value else { continue };
            let Some(text) = s.as_literal() else { continue };
            if f.name.name != "url" || !crate::model::lints::is_plain_http(&text) {
                continue;
            }
            let cx = values::Context {
                field: "url",
                value: &text,
                span: s.span,
                data_path: None,
            };
            let d = values::lint_diagnostic(&values::Lint::PlainHttp, &cx, None);
            self.push(d);
        }
    }

    /// An attachment, or an `if` choosing one.
    fn attachment_node(&mut self, item: &mut Item, top: bool) -> Option<Node> {
        match item {
            Item::Block(b) if media_kind(&b.kind.name).is_some() => {
                self.no_label(b);
                let kind = media_kind(&b.kind.name).expect("media");
                if kind == BlockKind::Image {
                    self.plain_http_image_block(b);
                }
                let payload = self.block_body(b, schema::spec(kind, None).expect("media spec"));
                Some(media_node(&b.kind.name, payload, b.kind.span))
            }
            Item::Command(c) if media_kind(&c.name.name).is_some() => {
                // `image URL` is `image { url: URL }`; the field keeps the keyword's name, so
                // that messages and image lints say `image`.
                const fn url(name: &'static str) -> FieldSpec {
                    FieldSpec {
                        name,
                        key: "url",
                        kind: Kind::Url,
                        required: true,
                        nonempty: true,
                        limit: None,
                    }
                }
                // One per keyword of `schema::MEDIA_ATTACHMENTS`.
                static SPECS: [FieldSpec; 4] =
                    [url("image"), url("video"), url("audio"), url("file")];
                let spec = SPECS.iter().find(|s| s.name == c.name.name).expect("media");
                let v = self.single_arg(c)?;
                let url = self.field_ir(v, spec)?;
                let payload = ObjIr {
                    members: vec![Member::Field(url)],
                    kind: ObjKind::Plain,
                };
                Some(media_node(&c.name.name, payload, c.name.span))
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
                    BlockKind::Carousel => ObjKind::Generic,
                    _ => ObjKind::Plain,
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
                                obj: Box::new(payload),
                            },
                        ],
                        kind: ObjKind::Plain,
                    },
                    span: b.kind.span,
                })
            }
            Item::If(i) => {
                let mut branches = Vec::new();
                for b in &mut i.branches {
                    let cond = self.condition(&b.condition);
                    let guards = self.guard(&b.condition);
                    let nodes = self.attachment_branch(&mut b.items);
                    self.guards.truncate(guards);
                    if let Some(cond) = cond {
                        branches.push((cond, nodes));
                    }
                }
                let otherwise = i
                    .otherwise
                    .as_mut()
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
                let mut d = codes::m1004_unknown_block(format!(
                    "`{}:` is a field, and fields belong inside a block",
                    f.name.name
                ))
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
                    codes::m1004_unknown_block("`for` cannot repeat a whole message")
                        .at(f.span.sub(0, 3), "a `for` at the top level")
                        .help("a notification has one text and one attachment: put the `for` inside a `carousel` or `receipt`, around `element`s"),
                );
                None
            }
            other => {
                self.push(
                    codes::m1004_unknown_block("only attachments can be chosen with `if` here")
                        .at(other.span(), "expected `image`, `carousel`, `receipt` or `buttons`")
                        .help("inside a top-level `if`, put an attachment; for conditional text use `{% if %}` inside the `text`"),
                );
                None
            }
        }
    }

    fn attachment_branch(&mut self, items: &mut [Item]) -> Vec<Node> {
        let nodes: Vec<Node> = items
            .iter_mut()
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
                    codes::m1012_several_attachments("a message has one attachment at most")
                        .at(span, "second attachment in this branch")
                        .help("keep one attachment per branch"),
                );
            }
        }
        nodes
    }

    fn unknown_top(&mut self, name: &ast::Ident) {
        let mut d =
            codes::m1004_unknown_block(format!("unknown block `{}` at the top level", name.name))
                .at(name.span, "not a part of a message");
        // A block that belongs inside another (`quick_reply` at the top level): renamed to a
        // near top-level word (`quick_replies`) it would still be wrong; it goes inside.
        const INSIDE: &[(&str, &str)] = &[
            ("quick_reply", "a `quick_replies { }` block"),
            (
                "element",
                "a `carousel { }`, a `media { }` or a `receipt { }`",
            ),
            (
                "button",
                "a `buttons { }` block, or an `element { }` of a carousel or a media",
            ),
            ("summary", "a `receipt { }`"),
            ("address", "a `receipt { }`"),
            ("adjustment", "a `receipt { }`"),
            ("default_action", "an `element { }` of a `carousel`"),
        ];
        if let Some((_, outer)) = INSIDE.iter().find(|(inner, _)| *inner == name.name) {
            self.push(d.help(format!(
                "`{}` goes inside {outer}: move it there",
                name.name
            )));
            return;
        }
        let facebook = schema::FACEBOOK_NAMES
            .iter()
            .find(|(fb, _)| *fb == name.name)
            .map(|(_, ours)| *ours);
        d = match facebook
            .or_else(|| types::suggest(&name.name, schema::TOP_LEVEL_WORDS.iter().copied()))
        {
            Some(s) if facebook.is_some() => d
                .help(format!(
                    "Facebook's `{}` template is written `{s}` in missive",
                    name.name
                ))
                .fix(name.span, s),
            Some(s) => d
                .help(format!("a block with a similar name exists: `{s}`"))
                .fix(name.span, s),
            None => d.help(format!(
                "the top level holds {}",
                types::quoted_list(schema::TOP_LEVEL_WORDS)
            )),
        };
        self.push(d);
    }

    fn no_label(&mut self, b: &ast::Block) {
        if let Some(l) = &b.label {
            self.push(
                codes::m0001_syntax_error(format!("`{}` takes no name", b.kind.name))
                    .at(l.span, "unexpected name")
                    .help(format!("write `{} {{ ... }}`", b.kind.name)),
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // Blocks

    // -----------------------------------------------------------------------------------------
    // Values

    /// Adds the paths that a branch's condition makes sure are present to the guards, for the
    /// branch's body (not for the other branches, nor the `else`): the count of guards to go
    /// back to after it.
    fn guard(&mut self, condition: &ast::Condition) -> usize {
        let before = self.guards.len();
        self.guards.extend(present_in(&condition.text));
        before
    }

    /// Whether the guard `guard` (a path an `if` makes sure is present) makes `dotted` present:
    /// it is the path itself, or a prefix of it after which no segment is optional.
    fn covers(&self, guard: &str, dotted: &str) -> bool {
        if guard == dotted {
            return true;
        }
        if !dotted
            .strip_prefix(guard)
            .is_some_and(|rest| rest.starts_with('.'))
        {
            return false;
        }
        let Some(optional) = self.optional_segments(dotted) else {
            return false;
        };
        let given = guard.split('.').count();
        !optional[given..].iter().any(|(o, _)| *o)
    }

    /// Whether each segment of the path `dotted` is declared optional, with its declaration,
    /// in order (`None` when it does not resolve).
    fn optional_segments(&self, dotted: &str) -> Option<Vec<(bool, Span)>> {
        let mut segs = dotted.split('.');
        let first = segs.next()?;
        let (mut ty, mut out) = match self.locals.iter().rposition(|(n, _, _)| n == first) {
            Some(depth) => {
                let (_, ty, at) = &self.locals[depth];
                (ty.clone(), vec![(false, *at)])
            }
            None => {
                let f = self.root.get(first)?;
                (f.ty.clone(), vec![(f.optional, f.decl)])
            }
        };
        for seg in segs {
            let Ty::Object(obj) = &ty else {
                return None;
            };
            let f = obj.get(seg)?;
            out.push((f.optional, f.decl));
            ty = f.ty.clone();
        }
        Some(out)
    }

    /// M2003, a warning: a required field reads a plain path to an optional input, outside any
    /// `if` naming it, so a record without the input fails at render time.
    fn optional_into_required(&mut self, spec: &FieldSpec, p: &PathIr) {
        let dotted: &str = &p.dotted;
        if self.guards.iter().any(|g| self.covers(g, dotted)) {
            return;
        }
        // In a part, the field reads an input whose argument, at the `use`, precedes it: the
        // warning is at the field, in the part's file, and the fallback goes in the argument.
        let in_part = self.field_at.filter(|at| p.span.start < at.start);
        let fallback = values::optional_fallback(dotted, spec.kind == Kind::Text);
        // What to declare required: the first optional segment (`product`, for `product.name`
        // under `product?: { name: string }`).
        let segments = self.optional_segments(dotted);
        let optional = segments
            .as_ref()
            .and_then(|segs| segs.iter().position(|(o, _)| *o))
            .map_or(dotted, |i| {
                let end = dotted
                    .match_indices('.')
                    .nth(i)
                    .map_or(dotted.len(), |(at, _)| at);
                &dotted[..end]
            });
        let optional_label = if optional == dotted {
            format!("`{dotted}` is optional in `input`")
        } else {
            format!("`{dotted}` may be absent: `{optional}` is optional in `input`")
        };
        let mut d = codes::m2003_missing_field(format!(
            "`{}` is required, but `{dotted}` may be absent from the data",
            spec.name
        ));
        d = match in_part {
            // The argument is the read path itself (`name: product.name`): the fallback goes
            // there. A whole object (`prod: product`) has no place for it.
            Some(at) if self.text.get(p.span.range()) != Some(dotted) => {
                let given = self.text.get(p.span.range()).unwrap_or(dotted);
                d.at(at, format!("required, and the `use` gives it `{dotted}`"))
                    .at(
                        p.span,
                        format!("the `use` gives `{given}`, whose `{dotted}` is optional in `input`"),
                    )
                    .help(format!(
                        "declare `{optional}` required in `input`; a record without it fails to render"
                    ))
            }
            Some(at) => {
                let argument = self.text[..p.span.start as usize]
                    .trim_end()
                    .strip_suffix(':')
                    .map(|b| {
                        let b = b.trim_end();
                        let start = b
                            .char_indices()
                            .rfind(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
                            .map_or(0, |(i, c)| i + c.len_utf8());
                        &b[start..]
                    })
                    .filter(|a| !a.is_empty());
                let help = match (argument, fallback) {
                    (Some(a), Some(f)) => format!(
                        "declare `{optional}` required in `input`, or give a fallback in the `use`: `{a}: {f}`; a record without it fails to render"
                    ),
                    (None, Some(f)) => format!(
                        "declare `{optional}` required in `input`, or give a fallback in the `use`: `{f}`; a record without it fails to render"
                    ),
                    (_, None) => format!(
                        "declare `{optional}` required in `input`; a record without it fails to render"
                    ),
                };
                d.at(at, format!("required, and the `use` gives it `{dotted}`"))
                    .at(p.span, optional_label)
                    .help(help)
            }
            None => d
                .at(p.span, optional_label)
                .help(match fallback {
                    Some(f) => format!(
                        "declare `{optional}` required in `input`, or give a fallback: `{f}`; a record without it fails to render"
                    ),
                    None => format!(
                        "declare `{optional}` required in `input`; a record without it fails to render"
                    ),
                }),
        };
        d.severity = Severity::Warning;
        // The first optional segment's declaration (`product?`, for `product.name`).
        let optional_decl = segments
            .and_then(|segs| segs.into_iter().find(|(o, _)| *o))
            .map(|(_, at)| at)
            .or(p.decl);
        if let Some(decl) = optional_decl {
            d = d.at(decl, "declared optional here");
        }
        self.push(d);
    }

    /// A field's value, checked against what the field accepts.
    fn field_ir(&mut self, v: &Value, spec: &'static FieldSpec) -> Option<FieldIr> {
        let val = self.value(v, spec)?;
        if let Val::Path(p) = &val {
            if spec.required && p.optional {
                self.optional_into_required(spec, p);
            }
        }
        if let Some(limit) = spec.limit {
            self.worst_case(spec, limit, v);
        }
        let literal_markup = match (v, &val) {
            (Value::Str(s), Val::Str(_)) => self.literal_markup(s, spec),
            _ => false,
        };
        let url_head = match &val {
            Val::Str(StrIr::Parts(parts)) if spec.kind == Kind::Url => match parts.first() {
                // A head past 4 GiB is not looked at (a template is far smaller).
                Some(Part::Lit(head)) => u32::try_from(values::url_head(head)).unwrap_or(0),
                _ => 0,
            },
            _ => 0,
        };
        Some(FieldIr {
            val,
            spec,
            span: v.span(),
            literal_markup,
            url_head,
        })
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

    /// The model's lint of a literal's value, if it says anything (`offset`: where the value's
    /// own text starts in the source, for a label on the part it names).
    fn literal_lint(&mut self, spec: &FieldSpec, value: &str, span: Span, offset: Option<usize>) {
        if let Some(l) = values::lint(spec, value) {
            let cx = values::Context {
                field: spec.name,
                value,
                span,
                data_path: None,
            };
            let d = values::lint_diagnostic(&l, &cx, offset);
            self.push(d);
        }
    }

    fn mismatch(&mut self, spec: &FieldSpec, span: Span, found: &str, help: String) {
        let d = self.mismatch_diagnostic(spec, span, found, help);
        self.push(d);
    }

    fn mismatch_diagnostic(
        &self,
        spec: &FieldSpec,
        span: Span,
        found: &str,
        help: String,
    ) -> Diagnostic {
        codes::m1003_type_mismatch(format!(
            "`{}` needs {}, found {found}",
            spec.name,
            spec.kind.describe()
        ))
        .at(span, format!("expected {}", spec.kind.describe()))
        .help(help)
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
                    let mut d = self.mismatch_diagnostic(spec, s.span, "a string", help);
                    // `"149.00"` and `"true"` without their quotes: the same value, certainly.
                    let literal = s.as_literal().map(|t| t.trim().to_string());
                    let unquoted = match (kind, literal) {
                        (Kind::Bool, Some(t)) if t == "true" || t == "false" => Some(t),
                        (Kind::Number, Some(t)) if plain_number(&t) => Some(t),
                        (Kind::Integer, Some(t)) if plain_number(&t) && !t.contains('.') => Some(t),
                        _ => None,
                    };
                    if let Some(t) = unquoted {
                        d = d.fix(s.span, t);
                    }
                    self.push(d);
                    return None;
                }
                if let Some(text) = s.as_literal() {
                    if self.literal_problem(spec, &text, s.span) {
                        return None;
                    }
                    // Point inside the literal when its source is the text itself.
                    let inner = s.span.start as usize + 1;
                    let verbatim = !s.block
                        && self.text.get(inner..s.span.end as usize - 1) == Some(text.as_str());
                    self.literal_lint(spec, &text, s.span, verbatim.then_some(inner));
                    // Written as its JSON: nothing in it that JSON escapes.
                    if verbatim
                        && self.source.is_some()
                        && !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
                    {
                        return Some(Val::Src(s.span));
                    }
                    return Some(Val::Lit(json_string(&text).into()));
                }
                if kind == Kind::Url && self.relative_url_prefix(spec, s) {
                    return None;
                }
                self.string(s).map(Val::Str)
            }
            Value::Number(raw, span) => {
                if !self.number_in_range(raw, *span) {
                    return None;
                }
                let integer = crate::json::is_integer(raw);
                // As written in a payload: a span of it.
                let lit = if self.source.is_some() && self.text.get(span.range()) == Some(raw) {
                    Val::Src(*span)
                } else {
                    Val::Lit(raw.as_str().into())
                };
                match kind {
                    Kind::Number => Some(lit),
                    Kind::Integer | Kind::TextOrInteger if integer => {
                        // `timestamp: 1764930000000`: milliseconds written as a number.
                        self.literal_lint(spec, raw, *span, None);
                        Some(lit)
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
                    // `image_url: 42`: in quotes it would still not be a URL.
                    Kind::Url => {
                        let help = url_help(&self.root, spec.name, raw);
                        self.mismatch(spec, *span, "a number", help);
                        None
                    }
                    Kind::Text => {
                        let d = self
                            .mismatch_diagnostic(
                                spec,
                                *span,
                                "a number",
                                format!("write it in quotes: `{}: \"{raw}\"`", spec.name),
                            )
                            .fix(*span, format!("\"{raw}\""));
                        self.push(d);
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
                    let mut d = self.mismatch_diagnostic(spec, *span, "a boolean", help);
                    if kind == Kind::Text {
                        d = d.fix(*span, format!("\"{b}\""));
                    }
                    self.push(d);
                    None
                }
            }
            Value::Null(span) => {
                if spec.required {
                    self.push(
                        codes::m1003_type_mismatch(format!(
                            "`{}` is required and cannot be `null`",
                            spec.name
                        ))
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
                    (Ty::Integer { .. }, Kind::Number | Kind::Integer | Kind::TextOrInteger) => {
                        true
                    }
                    (Ty::Number { .. }, Kind::Number) => true,
                    (Ty::Bool, Kind::Bool) => true,
                    _ => false,
                };
                if !ok {
                    let dotted = p.dotted();
                    let declared = resolved.ty.phrase();
                    let help = match (&resolved.ty, kind) {
                        (Ty::Number { .. } | Ty::Integer { .. } | Ty::Bool, k) if k.is_textual() => {
                            format!("write `\"{{{{ {dotted} }}}}\"` to insert it as text")
                        }
                        (Ty::Object(_) | Ty::List { .. }, _) => format!("pick a field of it, e.g. `{dotted}.name`"),
                        (Ty::Number { .. }, Kind::Integer) => format!("declare `{dotted}` as `integer` in `input`"),
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
                    let mut d = codes::m1003_type_mismatch(format!(
                        "`{}` needs {}, but `{dotted}` is declared {declared}",
                        spec.name,
                        kind.describe()
                    ))
                    .at(p.span, format!("this is {declared}"));
                    if let Some(decl) = resolved.decl {
                        d = d.at(decl, "declared here");
                    }
                    self.push(d.help(help));
                    return None;
                }
                Some(Val::Path(Box::new(self.path_ir(p, &resolved))))
            }
        }
    }

    fn resolve_path(&mut self, p: &ast::Path) -> Option<Resolved> {
        let segs: Vec<(&str, Span)> = p.segs();
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
            numeric: matches!(r.ty, Ty::Number { .. } | Ty::Integer { .. }),
        }
    }

    fn extra(&mut self, e: &ast::Extra) -> Option<Member> {
        let keys: Vec<String> = e.members.iter().map(|m| format!("`{}`", m.key)).collect();
        self.push(
            codes::m4001_extra_fields(format!("`extra` fields are copied to the output unchecked: {}", keys.join(", ")))
                .at(e.span.sub(0, 5), "not checked against Messenger's rules")
                .help("check these fields against Facebook's reference yourself; if missive should model one, open an issue"),
        );
        let mut members = Vec::with_capacity(e.members.len());
        for m in &e.members {
            members.push((m.key.as_str().into(), self.json_ir(&m.value)?, m.key_span));
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
                    codes::m1005_duplicate_field(format!(
                        "`{}` is given twice in this JSON object",
                        m.key
                    ))
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
                None => JsonIr::Str(self.string(s)?),
            },
            ast::JsonValue::Number(n, span) => {
                if !self.number_in_range(n, *span) {
                    return None;
                }
                JsonIr::Lit(n.as_str().into())
            }
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

/// The block kind of an attachment by URL or id (`image`, `video`, `audio`, `file`).
fn media_kind(keyword: &str) -> Option<BlockKind> {
    schema::MEDIA_ATTACHMENTS
        .iter()
        .find(|(k, _)| *k == keyword)
        .map(|(_, kind)| *kind)
}

/// An attachment by URL or id: `{"type": "image", "payload": {...}}`.
fn media_node(keyword: &str, payload: ObjIr, span: Span) -> Node {
    Node::Obj {
        obj: ObjIr {
            members: vec![
                Member::Const {
                    key: "type",
                    json: json_string(keyword).into(),
                },
                Member::Object {
                    key: "payload",
                    obj: Box::new(payload),
                },
            ],
            kind: ObjKind::Plain,
        },
        span,
    }
}

/// A string as JSON text, in a buffer of its size when nothing is escaped. (serde_json's
/// `to_string` starts at 128 bytes: a literal boxed from it left the rest of that buffer as a
/// piece too small to reuse, four per element of a payload.)
pub(crate) fn json_string(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    serde_json::to_writer(&mut out, s).expect("strings serialize");
    String::from_utf8(out).expect("JSON text is UTF-8")
}

/// The help for a URL field given something else (`image_url: 42`): the declared `url` inputs
/// it could take (outside lists), else an absolute https URL; never the value in quotes, which
/// is not a URL either.
fn url_help(root: &ObjTy, field: &str, raw: &str) -> String {
    fn collect(obj: &ObjTy, prefix: &str, out: &mut Vec<String>) {
        for f in &obj.fields {
            let path = format!("{prefix}{}", f.name);
            match &f.ty {
                Ty::Url { .. } => out.push(path),
                Ty::Object(o) => collect(o, &format!("{path}."), out),
                _ => {}
            }
        }
    }
    let mut urls = Vec::new();
    collect(root, "", &mut urls);
    let example = format!("`{field}: \"https://shop.example/images/{raw}.png\"`");
    match urls.as_slice() {
        [] => format!("give an absolute https URL in quotes, e.g. {example}"),
        [one] => format!("give the `url` input `{one}` (`{field}: {one}`), or an absolute https URL in quotes, e.g. {example}"),
        many => {
            let list: Vec<String> = many.iter().take(5).map(|u| format!("`{u}`")).collect();
            format!("give one of the `url` inputs {} (`{field}: {}`), or an absolute https URL in quotes, e.g. {example}", list.join(", "), many[0])
        }
    }
}

/// A number as the grammar reads it, written plainly: `-`, digits, and a fraction (`149.00`).
fn plain_number(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && (whole == "0" || !whole.starts_with('0'))
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// The paths that an `if`'s condition makes sure are present in its branch: that of a plain
/// `if PATH`, or each of `if PATH and PATH ...`. Any other form (`not`, `or`, a comparison, a
/// string, a filter) guards nothing here: the M2003 warning stays, rather than being silenced
/// by a condition that does not make the value present.
fn present_in(condition: &str) -> Vec<String> {
    let is_path = |w: &str| {
        !matches!(
            w,
            "not" | "or" | "and" | "true" | "false" | "none" | "True" | "False" | "None"
        ) && w.split('.').all(|seg| {
            seg.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
    };
    let words: Vec<&str> = condition.split_whitespace().collect();
    let mut paths = Vec::new();
    for conjunct in words.split(|w| *w == "and") {
        match conjunct {
            [path] if is_path(path) => paths.push((*path).to_string()),
            _ => return Vec::new(),
        }
    }
    paths
}
