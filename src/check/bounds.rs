//! Worst-case lengths: how short and how long a field can render, from its literal text and the
//! declared `max` of each variable it reads, without any data.
//!
//! The analysis understands the subset of minijinja that matters for length: literal text,
//! paths, the filters whose effect on length is known (`truncate`, `default`, `upper`, `lower`,
//! `title`, `capitalize`, `trim`, `striptags`, `round`, `int`, `length`), `{% if %}` / `{% elif %}`
//! / `{% else %}` (the shortest and longest branch), and `{% for %}` over a list with a `max`.
//! Anything else cannot be bounded, and says so in a warning rather than guessing.

use crate::model::types::{Scope, Ty};
use crate::span::Span;
use crate::syntax::ast::{StrLit, StrPart};

/// The longest text an integer prints as (an i128, sign included).
const INTEGER_CHARS: usize = 40;
/// The longest text a `number` prints as: the data checks hold numbers to 1e-6 <= |x| < 1e21
/// (or 0), where minijinja prints at most 21 integer digits, a point and 17 significant digits.
const NUMBER_CHARS: usize = 42;

/// A variable that makes the field longer, where it is read, and its declared `max`.
#[derive(Debug, Clone, PartialEq)]
pub struct Contributor {
    pub path: String,
    pub span: Span,
    /// `None`: declared without `max`.
    pub max: Option<usize>,
    pub decl: Option<Span>,
    /// Declared `url` rather than `string`, for the suggested declaration.
    pub url: bool,
    /// A number declared without a range: the length it is assumed to print up to.
    pub unranged: Option<Unranged>,
    /// The longest text a formatting filter prints for it (`10 000,00 €`).
    pub prints: Option<String>,
}

/// What a number without a declared range is assumed to print, and so what a range would bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unranged {
    pub chars: usize,
    pub integer: bool,
}

/// The locale the formatting filters (`money`, `number`, `date`) are bounded in (a date's
/// length does not depend on its time zone).
#[derive(Debug, Clone, Copy, Default)]
pub struct Formats<'a> {
    pub locale: Option<&'a str>,
}

/// Why a length has no upper bound.
#[derive(Debug, Clone, PartialEq)]
pub enum Unbounded {
    /// A string (or list) declared without `max`.
    NoMax(Contributor),
    /// An expression outside the subset the analysis understands.
    Opaque { span: Span, what: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub min: usize,
    /// `Err`: no upper bound, and why.
    pub max: Result<usize, Unbounded>,
    pub contributors: Vec<Contributor>,
}

impl Bound {
    /// The variables that make up the worst case, each with its declared `max`.
    pub fn maxed(&self) -> impl Iterator<Item = (&str, usize)> {
        self.contributors
            .iter()
            .filter_map(|c| c.max.map(|m| (c.path.as_str(), m)))
    }

    fn exact(n: usize) -> Bound {
        Bound {
            min: n,
            max: Ok(n),
            contributors: Vec::new(),
        }
    }

    fn then(mut self, other: Bound) -> Bound {
        self.min = self.min.saturating_add(other.min);
        self.max = match (self.max, other.max) {
            (Ok(a), Ok(b)) => Ok(a.saturating_add(b)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        self.contributors.extend(other.contributors);
        self
    }

    fn either(self, other: Bound) -> Bound {
        let mut contributors = self.contributors;
        contributors.extend(other.contributors);
        Bound {
            min: self.min.min(other.min),
            max: match (self.max, other.max) {
                (Ok(a), Ok(b)) => Ok(a.max(b)),
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
            contributors,
        }
    }

    fn times(self, n: Option<usize>, why: Unbounded) -> Bound {
        Bound {
            min: 0,
            max: match (self.max, n) {
                (Ok(m), Some(n)) => Ok(m.saturating_mul(n)),
                (Err(e), _) => Err(e),
                (Ok(_), None) => Err(why),
            },
            contributors: self.contributors,
        }
    }
}

/// The bound of a value read through a path of type `ty`.
pub fn of_type(ty: &Ty, c: Contributor) -> Bound {
    match ty {
        Ty::String { max: Some(m) } | Ty::Url { max: Some(m) } => Bound {
            min: 0,
            max: Ok(*m as usize),
            contributors: vec![Contributor {
                max: Some(*m as usize),
                ..c
            }],
        },
        Ty::String { max: None } | Ty::Url { max: None } => {
            let c = Contributor {
                url: matches!(ty, Ty::Url { .. }),
                ..c
            };
            Bound {
                min: 0,
                max: Err(Unbounded::NoMax(c.clone())),
                contributors: vec![c],
            }
        }
        // Already reported where it is declared.
        Ty::Unknown => Bound::exact(0),
        Ty::Integer { range: Some(r) } => Bound {
            min: 1,
            max: Ok(integer_chars(r.min).max(integer_chars(r.max))),
            contributors: vec![c],
        },
        Ty::Number { range: Some(r) } => Bound {
            min: 1,
            max: Ok(number_chars(r)),
            contributors: vec![c],
        },
        Ty::Integer { range: None } | Ty::Number { range: None } => {
            let integer = matches!(ty, Ty::Integer { .. });
            let chars = if integer { INTEGER_CHARS } else { NUMBER_CHARS };
            Bound {
                min: 1,
                max: Ok(chars),
                contributors: vec![Contributor {
                    unranged: Some(Unranged { chars, integer }),
                    ..c
                }],
            }
        }
        Ty::Bool => Bound {
            min: 4,
            max: Ok(5),
            contributors: Vec::new(),
        },
        Ty::Object(_) | Ty::List { .. } => Bound {
            min: 0,
            max: Err(Unbounded::Opaque {
                span: c.span,
                what: format!("`{}`", c.path),
            }),
            contributors: Vec::new(),
        },
    }
}

/// The characters an integer in the range prints (`-250`: 4).
fn integer_chars(v: f64) -> usize {
    format!("{}", v.trunc()).trim_end_matches(".0").len()
}

/// The characters a `number` in the range prints as minijinja writes a float: its sign, its
/// integer digits, a point and up to 17 more significant digits.
fn number_chars(r: &crate::model::types::NumRange) -> usize {
    let sign = usize::from(r.min < 0.0);
    let digits = integer_chars(r.min.abs()).max(integer_chars(r.max.abs()));
    (sign + digits + 18).min(NUMBER_CHARS)
}

/// The locale a template declares (`locale "fr-FR"`, or the default of `locales { }`), canonical, when it is a valid tag: what
/// its formatting filters are bounded in (for the language server's hover).
#[cfg_attr(not(feature = "lsp"), allow(dead_code))]
pub fn declared_locale(file: &crate::syntax::ast::File) -> Option<String> {
    use crate::syntax::ast::{Item, Value};
    let tag = |v: &Value| match v {
        Value::Str(s) => crate::intl::canonical_locale(&s.as_literal()?).ok(),
        _ => None,
    };
    file.items.iter().find_map(|i| match i {
        Item::Command(c) if c.name.name == "locale" => match c.args.as_slice() {
            [v] => tag(v),
            _ => None,
        },
        // `locales { en: "en-IE", ... }`: the default locale, the first.
        Item::Block(b) if b.kind.name == "locales" => b.items.iter().find_map(|i| match i {
            Item::Field(f) if f.name.name != "from" => tag(&f.value),
            _ => None,
        }),
        _ => None,
    })
}

/// The bound of a string literal with interpolations, with the formatting filters bounded in
/// the locale of `formats`.
pub fn of_string_in(s: &StrLit, scope: &Scope<'_>, formats: Formats<'_>) -> Bound {
    let mut locals: Vec<(String, Ty, Span)> = scope.locals.clone();
    let parts: Vec<&StrPart> = s.parts.iter().collect();
    let mut i = 0;
    sequence(&parts, &mut i, scope, &mut locals, &[], formats).0
}

/// Bounds parts until one of `stops` (a block tag such as `endif`) and returns which stopped it.
fn sequence(
    parts: &[&StrPart],
    i: &mut usize,
    scope: &Scope<'_>,
    locals: &mut Vec<(String, Ty, Span)>,
    stops: &[&str],
    formats: Formats<'_>,
) -> (Bound, Option<String>) {
    let mut total = Bound::exact(0);
    while *i < parts.len() {
        let part = parts[*i];
        *i += 1;
        match part {
            StrPart::Lit { text, .. } => total = total.then(Bound::exact(text.chars().count())),
            StrPart::Comment { .. } => {}
            StrPart::Expr { src, span } => {
                total = total.then(expression(src, *span, scope, locals, formats))
            }
            StrPart::Stmt { src, span } => {
                let src = src
                    .trim()
                    .trim_start_matches('-')
                    .trim_end_matches('-')
                    .trim();
                let keyword = src.split_whitespace().next().unwrap_or("");
                if stops.contains(&keyword) {
                    return (total, Some(src.to_string()));
                }
                match keyword {
                    "if" => {
                        let mut branches: Vec<Bound> = Vec::new();
                        let mut has_else = false;
                        loop {
                            let (b, stop) = sequence(
                                parts,
                                i,
                                scope,
                                locals,
                                &["elif", "else", "endif"],
                                formats,
                            );
                            branches.push(b);
                            match stop
                                .as_deref()
                                .map(|s| s.split_whitespace().next().unwrap_or(""))
                            {
                                Some("elif") => continue,
                                Some("else") => has_else = true,
                                Some(_) => break,
                                None => {
                                    return (
                                        opaque(*span, "an `{% if %}` without `{% endif %}`"),
                                        None,
                                    )
                                }
                            }
                            if has_else {
                                let (b, stop) =
                                    sequence(parts, i, scope, locals, &["endif"], formats);
                                branches.push(b);
                                if stop.is_none() {
                                    return (
                                        opaque(*span, "an `{% if %}` without `{% endif %}`"),
                                        None,
                                    );
                                }
                                break;
                            }
                        }
                        if !has_else {
                            branches.push(Bound::exact(0));
                        }
                        let b = branches
                            .into_iter()
                            .reduce(Bound::either)
                            .expect("one branch at least");
                        total = total.then(b);
                    }
                    "for" => {
                        // `for x in path`
                        let words: Vec<&str> = src.split_whitespace().collect();
                        let (var, list) = match words.as_slice() {
                            ["for", var, "in", list] => (*var, *list),
                            _ => {
                                skip_to(parts, i, "endfor");
                                total = total.then(opaque(*span, "this `{% for %}`"));
                                continue;
                            }
                        };
                        let (item, max, list_c) = match resolve(list, *span, scope, locals) {
                            Some((Ty::List { max, item }, c)) => {
                                (*item, max.map(|m| m as usize), c)
                            }
                            _ => {
                                skip_to(parts, i, "endfor");
                                total = total.then(opaque(*span, "this `{% for %}`"));
                                continue;
                            }
                        };
                        locals.push((var.to_string(), item, *span));
                        let (body, stop) = sequence(parts, i, scope, locals, &["endfor"], formats);
                        locals.pop();
                        if stop.is_none() {
                            return (opaque(*span, "a `{% for %}` without `{% endfor %}`"), None);
                        }
                        total = total.then(body.times(max, Unbounded::NoMax(list_c)));
                    }
                    _ => total = total.then(opaque(*span, &format!("`{{% {keyword} %}}`"))),
                }
            }
        }
    }
    (total, None)
}

fn skip_to(parts: &[&StrPart], i: &mut usize, end: &str) {
    while *i < parts.len() {
        let p = parts[*i];
        *i += 1;
        if let StrPart::Stmt { src, .. } = p {
            if src.trim().trim_matches('-').trim().starts_with(end) {
                return;
            }
        }
    }
}

fn opaque(span: Span, what: &str) -> Bound {
    Bound {
        min: 0,
        max: Err(Unbounded::Opaque {
            span,
            what: what.to_string(),
        }),
        contributors: Vec::new(),
    }
}

fn resolve(
    path: &str,
    span: Span,
    scope: &Scope<'_>,
    locals: &[(String, Ty, Span)],
) -> Option<(Ty, Contributor)> {
    let segs: Vec<(&str, Span)> = path.split('.').map(|s| (s, span)).collect();
    if segs
        .iter()
        .any(|(s, _)| s.is_empty() || !s.chars().all(|c| c.is_alphanumeric() || c == '_'))
    {
        return None;
    }
    let inner = Scope {
        root: scope.root,
        locals: locals.to_vec(),
    };
    let r = inner.resolve(&segs).ok()?;
    let max = match &r.ty {
        Ty::String { max } | Ty::Url { max } | Ty::List { max, .. } => max.map(|m| m as usize),
        _ => None,
    };
    Some((
        r.ty.clone(),
        Contributor {
            path: path.to_string(),
            span,
            max,
            decl: r.decl,
            url: false,
            unranged: None,
            prints: None,
        },
    ))
}

/// `path`, `path | filter(args) | ...`, `'literal'`.
fn expression(
    src: &str,
    span: Span,
    scope: &Scope<'_>,
    locals: &[(String, Ty, Span)],
    formats: Formats<'_>,
) -> Bound {
    let mut stages = split_filters(src);
    let head = stages.remove(0);
    let head = head.trim();
    let mut head_ty = None;
    let mut bound = if let Some(lit) = quoted(head) {
        Bound::exact(lit.chars().count())
    } else if let Some(printed) = printed_literal(head) {
        Bound::exact(printed.chars().count())
    } else {
        match resolve(head, span, scope, locals) {
            Some((ty, c)) => {
                let b = of_type(&ty, c);
                head_ty = Some(ty);
                b
            }
            None => return opaque(span, &format!("`{}`", src.trim())),
        }
    };
    for (n, stage) in stages.into_iter().enumerate() {
        let stage = stage.trim();
        let (name, args) = match stage.find('(') {
            Some(p) if stage.ends_with(')') => (stage[..p].trim(), &stage[p + 1..stage.len() - 1]),
            _ => (stage, ""),
        };
        bound = match name {
            // Case mapping keeps the length of ASCII and most Latin text; `ß` -> `SS` and a few
            // ligatures grow, which the render-time check still catches.
            "upper" | "lower" | "title" | "capitalize" => bound,
            "trim" | "striptags" => Bound { min: 0, ..bound },
            "round" | "int" | "float" | "length" | "count" => Bound {
                min: 1,
                max: Ok(NUMBER_CHARS),
                contributors: bound
                    .contributors
                    .into_iter()
                    .filter(|c| c.unranged.is_some())
                    .collect(),
            },
            "money" | "number" | "date" => {
                let ty = if n == 0 { head_ty.as_ref() } else { None };
                match formatted(name, args, ty, bound, formats) {
                    Ok(b) => b,
                    Err(what) => return opaque(span, &what),
                }
            }
            "truncate" => match truncate_limit(args) {
                Some(limit) => Bound {
                    min: bound.min.min(limit),
                    max: Ok(match bound.max {
                        Ok(m) => m.min(limit),
                        Err(_) => limit,
                    }),
                    contributors: bound
                        .contributors
                        .into_iter()
                        .filter(|c| c.max.is_some_and(|m| m <= limit))
                        .collect(),
                },
                None => return opaque(span, &format!("`{}`", src.trim())),
            },
            "default" | "d" => match quoted(args.split(',').next().unwrap_or("").trim()) {
                Some(lit) => {
                    let n = lit.chars().count();
                    Bound {
                        min: bound.min.min(n),
                        max: bound.max.map(|m| m.max(n)),
                        contributors: bound.contributors,
                    }
                }
                None => return opaque(span, &format!("`{}`", src.trim())),
            },
            _ => return opaque(span, &format!("the filter `{name}`")),
        };
    }
    bound
}

/// The bound of `value | money(...)`, `| number(...)` or `| date(...)` (`ty`: the value's
/// declared type when the filter applies to an input directly): the real formatter run on the
/// range's extremes in the locale; a number without a range is assumed at the extremes of the
/// number rule (10²¹), and said so. `Err`: why it cannot be bounded.
fn formatted(
    name: &str,
    args: &str,
    ty: Option<&Ty>,
    value: Bound,
    formats: Formats<'_>,
) -> Result<Bound, String> {
    use crate::intl;
    let Some(tag) = formats.locale else {
        return Err(format!("`{name}` without a declared `locale`"));
    };
    let args: Vec<&str> = args.split(',').map(str::trim).collect();
    let (lengths, unranged) = if name == "date" {
        let style = quoted(args[0])
            .and_then(intl::DateStyle::parse)
            .ok_or_else(|| format!("`date` with the style `{}`", args[0]))?;
        (intl::date_lengths(tag, style)?, None)
    } else {
        let (range, integer) = match ty {
            Some(Ty::Number { range }) => (range.as_ref(), false),
            Some(Ty::Integer { range }) => (range.as_ref(), true),
            _ => return Err(format!("`{name}` of a value that is not a `number` input")),
        };
        // The number rule: under 10²¹ in size (M3003).
        let (min, max) = range.map_or((-9.99e20, 9.99e20), |r| (r.min, r.max));
        let lengths = if name == "money" {
            let currency = quoted(args[0])
                .ok_or_else(|| "`money` with a currency from the data".to_string())?;
            intl::money_lengths(tag, min, max, currency)?
        } else {
            let digits = args[0]
                .parse::<u8>()
                .map_err(|_| format!("`number` with the digits `{}`", args[0]))?;
            intl::number_lengths(tag, min, max, digits)?
        };
        let unranged = range.is_none().then_some(Unranged {
            chars: lengths.1,
            integer,
        });
        (lengths, unranged)
    };
    // The value read, with what it prints at the longest (`item.price` prints `10 000,00 €`).
    let contributors = value
        .contributors
        .into_iter()
        .map(|c| Contributor {
            unranged,
            prints: Some(lengths.2.clone()),
            ..c
        })
        .collect();
    Ok(Bound {
        min: lengths.0,
        max: Ok(lengths.1),
        contributors,
    })
}

/// The most characters `truncate(...)` lets through: `length` (default 255) plus `leeway`
/// (default 5), as minijinja-contrib's `truncate` does.
fn truncate_limit(args: &str) -> Option<usize> {
    let mut length: usize = 255;
    let mut leeway: usize = TRUNCATE_LEEWAY;
    for (n, arg) in args
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .enumerate()
    {
        match arg.split_once('=') {
            Some((k, v)) => match k.trim() {
                "length" => length = v.trim().parse().ok()?,
                "leeway" => leeway = v.trim().parse().ok()?,
                "killwords" | "end" => {}
                _ => return None,
            },
            None if n == 0 => length = arg.parse().ok()?,
            None => {}
        }
    }
    Some(length.saturating_add(leeway))
}

/// minijinja-contrib's `truncate` keeps a value up to `length` + `leeway` characters whole
/// (leeway 5 unless given) and cuts a longer one to `length`, `...` included.
pub const TRUNCATE_LEEWAY: usize = 5;

/// A `truncate(...)` written without `leeway`, so that it lets `length` + 5 characters through.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultLeeway {
    /// The filter call, `truncate(length=80)`.
    pub span: Span,
    /// Its `length`.
    pub length: usize,
    /// Where `leeway=0` goes (just before the `)`), and what to insert there; `None` when the
    /// expression's source has escapes, so that offsets in it are not those of the file.
    pub insert: Option<(Span, &'static str)>,
}

/// The `truncate` calls in `s` that keep the default leeway.
pub fn default_leeways(s: &StrLit) -> Vec<DefaultLeeway> {
    let mut out = Vec::new();
    for part in &s.parts {
        let StrPart::Expr { src, span } = part else {
            continue;
        };
        let base = span.start as usize + 2;
        let exact = !src.contains(['\\', '"']);
        for stage in split_filters(src).into_iter().skip(1) {
            let off = stage.as_ptr() as usize - src.as_ptr() as usize;
            let t = stage.trim_start();
            let start = off + stage.len() - t.len();
            let t = t.trim_end();
            let Some(p) = t.find('(') else {
                continue;
            };
            if t[..p].trim() != "truncate" || !t.ends_with(')') {
                continue;
            }
            let args = &t[p + 1..t.len() - 1];
            let has_leeway = args
                .split(',')
                .any(|a| a.split_once('=').is_some_and(|(k, _)| k.trim() == "leeway"));
            if has_leeway {
                continue;
            }
            let Some(limit) = truncate_limit(args) else {
                continue;
            };
            let close = base + start + t.len() - 1;
            let text = if args.trim().is_empty() {
                "leeway=0"
            } else {
                ", leeway=0"
            };
            out.push(DefaultLeeway {
                span: Span::new(base + start, close + 1),
                length: limit - TRUNCATE_LEEWAY,
                insert: exact.then(|| (Span::new(close, close), text)),
            });
        }
    }
    out
}

/// `s` with `leeway=0` added to each `truncate` that keeps the default leeway, to bound it as
/// it would be once fixed.
pub fn without_leeway(s: &StrLit) -> StrLit {
    let mut fixed = s.clone();
    for part in &mut fixed.parts {
        let StrPart::Expr { src, span } = part else {
            continue;
        };
        let one = StrLit {
            span: s.span,
            parts: smallvec::smallvec![StrPart::Expr {
                src: src.clone(),
                span: *span,
            }],
            block: s.block,
        };
        let base = span.start as usize + 2;
        let mut sites = default_leeways(&one);
        sites.sort_by_key(|d| std::cmp::Reverse(d.span.start));
        for d in sites {
            let close = d.span.end as usize - 1 - base;
            let text = if src[..close].trim_end().ends_with('(') {
                "leeway=0"
            } else {
                ", leeway=0"
            };
            src.insert_str(close, text);
        }
    }
    fixed
}

/// What minijinja prints for a number, `true`, `false` or `none` written in an expression (a
/// part's input given a literal argument reads it so: `{{ qty }}` with `qty: 5` is `{{ 5 }}`).
fn printed_literal(head: &str) -> Option<String> {
    let number = head.strip_prefix('-').unwrap_or(head);
    let is_number = number.starts_with(|c: char| c.is_ascii_digit())
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-' | '_'));
    match head {
        // The formatter prints an absent value as nothing.
        "none" | "None" => Some(String::new()),
        "true" | "false" | "True" | "False" => Some(head.to_lowercase()),
        _ if is_number => minijinja::Environment::new()
            .render_str(&format!("{{{{ {head} }}}}"), ())
            .ok(),
        _ => None,
    }
}

fn quoted(s: &str) -> Option<&str> {
    let s = s.trim();
    let q = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    if s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    // A single literal: no unescaped quote inside (`'[' ~ name ~ ']'` is an expression).
    let mut escaped = false;
    for c in inner.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            c if c == q && !escaped => return None,
            _ => escaped = false,
        }
    }
    Some(inner)
}

/// Splits `a | f(x, '|') | g` at the top-level pipes.
fn split_filters(src: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in src.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, '|') if depth == 0 => {
                out.push(&src[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&src[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::decls::lower_decls;
    use crate::syntax::ast::{Item, Value};

    fn bound(input: &str, text: &str) -> Bound {
        let src = format!("notification t\ninput {{ {input} }}\ntext {text}\n");
        let parsed = crate::syntax::parse(&src);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let mut d = Vec::new();
        let Item::Input(inp) = &parsed.file.items[1] else {
            panic!()
        };
        let root = lower_decls(&inp.decls, &mut d);
        let Item::Command(c) = &parsed.file.items[2] else {
            panic!()
        };
        let Value::Str(s) = &c.args[0] else { panic!() };
        of_string_in(
            s,
            &Scope {
                root: &root,
                locals: Vec::new(),
            },
            Formats {
                locale: Some("fr-FR"),
            },
        )
    }

    #[test]
    fn literals_and_paths_add_up() {
        let b = bound("name: string max 60", "\"Hi {{ name }}!\"");
        assert_eq!((b.min, b.max.clone().ok()), (4, Some(64)));
        assert_eq!(b.contributors[0].path, "name");
    }

    #[test]
    fn if_takes_the_longest_branch_and_no_else_means_empty() {
        let b = bound(
            "a?: string max 10, b: string max 3",
            "\"x{% if a %}{{ a }}{% else %}{{ b }}{% endif %}\"",
        );
        assert_eq!((b.min, b.max.ok()), (1, Some(11)));
        let b = bound("a?: string max 10", "\"{% if a %} {{ a }}{% endif %}!\"");
        assert_eq!((b.min, b.max.ok()), (1, Some(12)));
    }

    #[test]
    fn truncate_bounds_an_unbounded_string() {
        let b = bound("name: string", "\"{{ name | truncate(length=20) }}\"");
        assert_eq!(b.max.ok(), Some(25));
        let b = bound("name: string", "\"{{ name }}\"");
        assert!(matches!(b.max, Err(Unbounded::NoMax(_))));
    }

    /// The string literal of `text {text}`, with its source.
    fn literal(text: &str) -> (String, StrLit) {
        let src = format!("notification t\ntext {text}\n");
        let parsed = crate::syntax::parse(&src);
        let Item::Command(c) = &parsed.file.items[1] else {
            panic!()
        };
        let Value::Str(s) = &c.args[0] else { panic!() };
        (src.clone(), s.clone())
    }

    #[test]
    fn default_leeways_find_each_truncate_without_leeway_and_where_it_goes() {
        let (src, s) = literal(
            "\"{{ a | truncate(length=20) }}-{{ b | truncate(length=9, leeway=0) }}-{{ c | upper | truncate() }}\"",
        );
        let sites = default_leeways(&s);
        assert_eq!(sites.len(), 2);
        let at = |sp: Span| &src[sp.start as usize..sp.end as usize];
        assert_eq!(at(sites[0].span), "truncate(length=20)");
        assert_eq!(sites[0].length, 20);
        let (ins, text) = sites[0].insert.unwrap();
        assert_eq!(
            (&src[ins.start as usize..ins.start as usize + 1], text),
            (")", ", leeway=0")
        );
        assert_eq!(at(sites[1].span), "truncate()");
        assert_eq!(sites[1].length, 255);
        assert_eq!(sites[1].insert.unwrap().1, "leeway=0");
        // Escapes shift offsets inside the expression: no edit is offered.
        let (_, s) = literal("\"{{ a | default(\\\"x\\\") | truncate(length=20) }}\"");
        let sites = default_leeways(&s);
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].insert, None);
    }

    #[test]
    fn without_leeway_bounds_each_truncate_at_its_length() {
        let (_, s) = literal("\"{{ name | truncate(length=20) }}, {{ name | truncate() }}\"");
        let fixed = without_leeway(&s);
        let srcs: Vec<&str> = fixed
            .parts
            .iter()
            .filter_map(|p| match p {
                StrPart::Expr { src, .. } => Some(src.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            srcs,
            [
                " name | truncate(length=20, leeway=0) ",
                " name | truncate(leeway=0) "
            ]
        );
        let b = bound(
            "name: string",
            "\"{{ name | truncate(length=20, leeway=0) }}\"",
        );
        assert_eq!(b.max.ok(), Some(20));
    }

    #[test]
    fn for_multiplies_by_the_lists_max() {
        let b = bound(
            "tags: list max 3 of { name: string max 5 }",
            "\"{% for t in tags %}{{ t.name }},{% endfor %}\"",
        );
        assert_eq!(b.max.ok(), Some(18));
    }

    #[test]
    fn expressions_between_quotes_are_not_literals() {
        let b = bound("name: string max 100", "\"{{ '[' ~ name ~ ']' }}\"");
        assert!(matches!(b.max, Err(Unbounded::Opaque { .. })));
        let b = bound("name: string max 100", "\"{{ 'x' }}\"");
        assert_eq!(b.max.ok(), Some(1));
    }

    #[test]
    fn a_literal_number_or_bool_is_its_printed_length() {
        let b = bound(
            "x: string",
            "\"{{ 5 }}/{{ -1250 }}/{{ 1.50 }}/{{ true }}/{{ none }}\"",
        );
        // `5`, `-1250`, `1.5` (as minijinja prints it), `true`, nothing, and four `/`.
        assert_eq!((b.min, b.max), (1 + 5 + 3 + 4 + 4, Ok(1 + 5 + 3 + 4 + 4)));
        let b = bound("x: string", "\"{{ 12 | default('none given') }}\"");
        assert_eq!((b.min, b.max), (2, Ok(10)));
    }

    #[test]
    fn huge_bounds_saturate() {
        let b = bound(
            "name: string max 10",
            "\"{{ name | truncate(length=18446744073709551615) }}\"",
        );
        assert_eq!(b.max.ok(), Some(10));
    }

    #[test]
    fn unknown_filters_are_opaque() {
        let b = bound(
            "name: string max 5",
            "\"{{ name | replace('a', 'bbbb') }}\"",
        );
        assert!(matches!(b.max, Err(Unbounded::Opaque { .. })));
    }

    #[test]
    fn a_range_bounds_an_integer_and_a_number() {
        let b = bound("qty: integer -5..250", "\"x{{ qty }}\"");
        assert_eq!(b.max, Ok(4));
        assert!(b.contributors.iter().all(|c| c.unranged.is_none()));
        // Without a range: the number rule's length, and said so.
        let b = bound("price: number", "\"{{ price }}\"");
        assert_eq!(b.max, Ok(NUMBER_CHARS));
        assert_eq!(
            b.contributors[0].unranged.map(|u| u.chars),
            Some(NUMBER_CHARS)
        );
    }

    #[cfg(feature = "intl")]
    #[test]
    fn money_and_dates_are_bounded_in_the_locale() {
        // `10 000,00 €`: 11 characters in fr-FR.
        let b = bound(
            "name: string max 60, price: number 0..10000",
            "\"{{ name }} - {{ price | money('EUR') }}\"",
        );
        assert_eq!((b.min, b.max.clone()), (3 + 6, Ok(60 + 3 + 11)));
        let price = b.contributors.iter().find(|c| c.path == "price").unwrap();
        assert_eq!(price.prints.as_deref(), Some("10\u{202f}000,00\u{a0}€"));
        // `dimanche 10 septembre 2028`: the longest full date in French.
        let b = bound("at: integer", "\"{{ at | date('full') }}\"");
        assert_eq!(b.max, Ok(26));
        // A currency from the data cannot be bounded.
        let b = bound(
            "price: number 0..10, cur: string max 3",
            "\"{{ price | money(cur) }}\"",
        );
        assert!(matches!(b.max, Err(Unbounded::Opaque { .. })));
    }
}
