//! Model: input types (the `input { }` declarations, lowered by `check::decls`), and the scope
//! that resolves paths (input variables and loop variables) with "did you mean" suggestions.

use std::sync::Arc;

use crate::diagnostic::{codes, Diagnostic};
use crate::span::Span;

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String {
        max: Option<u32>,
    },
    Url {
        max: Option<u32>,
    },
    /// `number`, with its declared range (`number 0..10000`) if any.
    Number {
        range: Option<NumRange>,
    },
    /// `integer`, with its declared range (`integer 1..99`) if any.
    Integer {
        range: Option<NumRange>,
    },
    Bool,
    Object(Arc<ObjTy>),
    List {
        max: Option<u32>,
        item: Box<Ty>,
    },
    /// A declaration whose type is wrong (already reported): accepted anywhere, so that the
    /// one mistake gives one diagnostic.
    Unknown,
}

impl Ty {
    /// The type as a phrase: `` `string max 40` `` in backticks, "an object" and "a list" not.
    pub fn phrase(&self) -> String {
        match self {
            Ty::Object(_) | Ty::List { .. } | Ty::Unknown => self.describe(),
            _ => format!("`{}`", self.describe()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Ty::String { max: Some(m) } => format!("string max {m}"),
            Ty::String { max: None } => "string".into(),
            Ty::Url { max: Some(m) } => format!("url max {m}"),
            Ty::Url { max: None } => "url".into(),
            Ty::Number { range: None } => "number".into(),
            Ty::Number { range: Some(r) } => format!("number {r}"),
            Ty::Integer { range: None } => "integer".into(),
            Ty::Integer { range: Some(r) } => format!("integer {r}"),
            Ty::Bool => "bool".into(),
            Ty::Object(_) => "an object".into(),
            Ty::List { .. } => "a list".into(),
            Ty::Unknown => "of an unknown type".into(),
        }
    }
}

/// The declared range of a number input, both ends included (`0..10000`): it bounds the value
/// in the data, and so the length it prints with.
#[derive(Debug, Clone, PartialEq)]
pub struct NumRange {
    pub min: f64,
    pub max: f64,
    /// Both ends as written, for messages and the printer.
    pub min_raw: String,
    pub max_raw: String,
}

impl NumRange {
    pub fn contains(&self, v: f64) -> bool {
        self.min <= v && v <= self.max
    }
}

impl std::fmt::Display for NumRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.min_raw, self.max_raw)
    }
}

impl Ty {
    /// The declared range of a `number` or `integer`.
    pub fn range(&self) -> Option<&NumRange> {
        match self {
            Ty::Number { range } | Ty::Integer { range } => range.as_ref(),
            _ => None,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Number { .. } | Ty::Integer { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjTy {
    pub fields: Vec<FieldTy>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldTy {
    pub name: String,
    pub optional: bool,
    pub ty: Ty,
    /// The declaration, for labels that point back at it.
    pub decl: Span,
}

/// A `customer_id` scheme built from the template's own inputs, for a help to propose:
/// `customer_id "NAME-{{ product.sku }}-{{ session_id }}"` from the required text and integer
/// inputs outside lists whose names say they identify something (`id`, `sku`, `session`,
/// `number`, `ref`, `code`). With no such input, the scheme reads `session_id`, and the
/// second value says what to declare for it (`add input { session_id: string max 40 }`).
pub fn customer_id_example(
    notification: &str,
    input: &ObjTy,
    limit: usize,
) -> (String, Option<String>) {
    fn collect(obj: &ObjTy, prefix: &str, out: &mut Vec<String>, maxes: &mut Vec<usize>) {
        for f in obj.fields.iter().filter(|f| !f.optional) {
            let path = format!("{prefix}{}", f.name);
            match &f.ty {
                // An integer prints at most 20 characters; a text without `max`, say 40.
                Ty::String { max } => {
                    out.push(path);
                    maxes.push(max.map_or(40, |m| m as usize));
                }
                Ty::Integer { .. } => {
                    out.push(path);
                    maxes.push(20);
                }
                Ty::Object(o) => collect(o, &format!("{path}."), out, maxes),
                _ => {}
            }
        }
    }
    let mut scalars = Vec::new();
    let mut maxes = Vec::new();
    collect(input, "", &mut scalars, &mut maxes);
    // Whole words of the name (`order_number`, `sessionId` is one word: `sessionid`); not an
    // email, which the request URL would percent-encode (`@`).
    let says_id = |p: &&String| {
        let last = p.rsplit('.').next().unwrap_or(p).to_ascii_lowercase();
        last.split('_').any(|w| {
            [
                "id",
                "sku",
                "session",
                "sessionid",
                "number",
                "ref",
                "code",
                "psid",
            ]
            .contains(&w)
        })
    };
    // A name or a title is not unique to the visitor: without an identifying input, say which
    // to add.
    let mut chosen: Vec<(&String, usize)> = scalars
        .iter()
        .zip(maxes.iter().copied())
        .filter(|(p, _)| says_id(p))
        .take(2)
        .collect();
    let name = if notification.is_empty() {
        "notification"
    } else {
        notification
    };
    // Within the customer_id's limit: the second input goes, then the name shortens to its
    // words' initials (`back_in_stock` -> `bis`), then goes.
    let longest = |prefix: &str, chosen: &[(&String, usize)]| {
        prefix.len() + chosen.iter().map(|(_, m)| m + 1).sum::<usize>()
    };
    let initials: String = name.split('_').filter_map(|w| w.chars().next()).collect();
    let session = [(&"session_id".to_string(), 40)];
    let of = if chosen.is_empty() {
        &session[..]
    } else {
        &chosen[..]
    };
    if longest(name, of) > limit && chosen.len() > 1 {
        chosen.truncate(1);
    }
    let of = if chosen.is_empty() {
        &session[..]
    } else {
        &chosen[..]
    };
    let prefix = if longest(name, of) <= limit {
        format!("{name}-")
    } else if longest(&initials, of) <= limit {
        format!("{initials}-")
    } else {
        String::new()
    };
    let scheme = |parts: &[String]| format!("`customer_id \"{prefix}{}\"`", parts.join("-"));
    if chosen.is_empty() {
        let add = match input.get("session_id") {
            // Declared, optional: a customer_id needs it always.
            Some(f) if f.optional => "declare `session_id` required (without its `?`)",
            _ if input.fields.is_empty() => "add `input { session_id: string max 40 }`",
            _ => "add `session_id: string max 40` to `input { }`",
        };
        return (scheme(&["{{ session_id }}".into()]), Some(add.into()));
    }
    let parts: Vec<String> = chosen
        .iter()
        .map(|(p, _)| format!("{{{{ {p} }}}}"))
        .collect();
    (scheme(&parts), None)
}

impl ObjTy {
    pub fn get(&self, name: &str) -> Option<&FieldTy> {
        // First bytes before the full comparison: many keys have the same length.
        self.fields.iter().find(|f| {
            f.name.len() == name.len()
                && f.name.as_bytes().first() == name.as_bytes().first()
                && f.name == name
        })
    }
}

/// Names in backticks, joined for a sentence: "`a`, `b` and `c`".
pub fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The closest of `candidates` to `name`, if close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    suggest_with(name, candidates, strsim::damerau_levenshtein)
}

/// Names longer than this (in characters) get no suggestion, and are suggested for none: the
/// edit distance costs the product of the two lengths, and a 100,000-character name would take
/// minutes (a language server checks on every keystroke).
pub const SUGGEST_MAX_CHARS: usize = 64;

/// [`suggest`] with its edit distance given. A distance is computed only for a candidate whose
/// length is close enough for it to pass (it is at least the difference of the lengths), and
/// both at most [`SUGGEST_MAX_CHARS`] long.
fn suggest_with<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    mut distance: impl FnMut(&str, &str) -> usize,
) -> Option<&'a str> {
    let chars = |s: &str| s.chars().take(SUGGEST_MAX_CHARS + 1).count();
    let n = chars(name);
    if n > SUGGEST_MAX_CHARS {
        return None;
    }
    candidates
        .into_iter()
        .filter_map(|c| {
            let most = (name.len().max(c.len()) / 3).max(1);
            let below = name.len().max(1);
            let m = chars(c);
            let gap = n.abs_diff(m);
            if m > SUGGEST_MAX_CHARS || gap > most || gap >= below {
                return None;
            }
            let d = distance(name, c);
            (d <= most && d < below).then_some((d, c))
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Where a resolved path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    Root,
    /// A loop variable, by its loop depth.
    Local(usize),
}

/// A path resolved against the scope.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub base: Base,
    pub keys: Vec<String>,
    pub ty: Ty,
    /// Some segment is optional: the value may be absent.
    pub optional: bool,
    /// The declaration of the last segment (or the loop's list).
    pub decl: Option<Span>,
}

/// Input variables and the loop variables in scope.
pub struct Scope<'a> {
    pub root: &'a ObjTy,
    /// (name, item type, declaration span), outermost first.
    pub locals: Vec<(String, Ty, Span)>,
}

impl Scope<'_> {
    /// Resolves dotted segments; the error names the first segment that does not exist.
    pub fn resolve(&self, segments: &[(&str, Span)]) -> Result<Resolved, Diagnostic> {
        let (first, first_span) = segments[0];
        let (base, mut ty, mut optional, mut decl) =
            if let Some(depth) = self.locals.iter().rposition(|(n, _, _)| n == first) {
                let (_, ty, span) = &self.locals[depth];
                (Base::Local(depth), ty.clone(), false, Some(*span))
            } else if let Some(f) = self.root.get(first) {
                (Base::Root, f.ty.clone(), f.optional, Some(f.decl))
            } else {
                let names = self
                    .root
                    .fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .chain(self.locals.iter().map(|(n, _, _)| n.as_str()));
                let mut d = codes::m1001_undeclared_variable(format!("`{first}` is not declared"))
                    .at(first_span, "not an input or a loop variable");
                d = match suggest(first, names) {
                    Some(s) => d
                        .help(format!("a variable with a similar name exists: `{s}`"))
                        .fix(first_span, s),
                    None => d.help(format!(
                        "declare it in `input {{ ... }}`, e.g. `{first}: string max 40`"
                    )),
                };
                return Err(d);
            };
        let mut keys = Vec::with_capacity(segments.len());
        if base == Base::Root {
            keys.push(first.to_string());
        }
        let mut so_far = first.to_string();
        for &(seg, span) in &segments[1..] {
            let Ty::Object(obj) = &ty else {
                return Err(codes::m1001_undeclared_variable(format!(
                    "`{so_far}` is {}, it has no field `{seg}`",
                    ty.describe()
                ))
                .at(span, "no such field")
                .help(format!(
                    "`{so_far}` is declared as {}; only objects have fields",
                    ty.describe()
                )));
            };
            let Some(f) = obj.get(seg) else {
                let mut d =
                    codes::m1001_undeclared_variable(format!("`{so_far}` has no field `{seg}`"))
                        .at(span, "not declared in `input`");
                d = match suggest(seg, obj.fields.iter().map(|f| f.name.as_str())) {
                    Some(s) => d
                        .help(format!(
                            "a field with a similar name exists: `{so_far}.{s}`"
                        ))
                        .fix(span, s),
                    None => d.help(format!(
                        "declare `{seg}` in the `{so_far}` object in `input`"
                    )),
                };
                return Err(d);
            };
            optional |= f.optional;
            decl = Some(f.decl);
            keys.push(seg.to_string());
            so_far = format!("{so_far}.{seg}");
            ty = f.ty.clone();
        }
        Ok(Resolved {
            base,
            keys,
            ty,
            optional,
            decl,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_id_example_reads_identifying_inputs_by_whole_words() {
        let field = |name: &str, optional: bool| FieldTy {
            name: name.into(),
            optional,
            ty: Ty::String { max: Some(40) },
            decl: crate::span::Span::new(0, 0),
        };
        let input = ObjTy {
            fields: vec![
                field("video_title", false),
                field("email", false),
                field("order_number", false),
                field("session_id", true),
            ],
        };
        // `video_title` holds `id` but is no id; an email would be percent-encoded; an
        // optional input cannot build every id.
        assert_eq!(
            customer_id_example("alert", &input, 50),
            (
                "`customer_id \"alert-{{ order_number }}\"`".to_string(),
                None
            )
        );
        let input = ObjTy {
            fields: vec![field("video_title", false), field("session_id", true)],
        };
        assert_eq!(
            customer_id_example("alert", &input, 50).1.as_deref(),
            Some("declare `session_id` required (without its `?`)")
        );
    }

    #[test]
    fn a_customer_id_example_stays_within_the_limit() {
        let field = |name: &str, max: u32| FieldTy {
            name: name.into(),
            optional: false,
            ty: Ty::String { max: Some(max) },
            decl: crate::span::Span::new(0, 0),
        };
        // A long name shortens to its initials: 26 + 1 + 40 would pass 50.
        let none = ObjTy::default();
        assert_eq!(
            customer_id_example("back_in_stock_reminder_vip", &none, 50).0,
            "`customer_id \"bisrv-{{ session_id }}\"`"
        );
        // An id as long as the limit goes alone.
        let long = ObjTy {
            fields: vec![field("customer_id", 50)],
        };
        assert_eq!(
            customer_id_example("alert", &long, 50).0,
            "`customer_id \"{{ customer_id }}\"`"
        );
        // Two ids past the limit together: the first stays.
        let two = ObjTy {
            fields: vec![field("order_id", 30), field("session_id", 30)],
        };
        assert_eq!(
            customer_id_example("alert", &two, 50).0,
            "`customer_id \"alert-{{ order_id }}\"`"
        );
    }

    #[test]
    fn suggestions_find_near_names_only() {
        assert_eq!(
            suggest("subtilte", ["title", "subtitle", "image_url"]),
            Some("subtitle")
        );
        assert_eq!(
            suggest("frist_name", ["first_name", "product"]),
            Some("first_name")
        );
        assert_eq!(suggest("zzz", ["title", "subtitle"]), None);
    }

    #[test]
    fn suggestions_for_huge_names_compare_nothing() {
        // The edit distance costs the product of the lengths: count it.
        let cells = std::cell::Cell::new(0);
        let mut counted = |a: &str, b: &str| {
            cells.set(cells.get() + a.chars().count() * b.chars().count());
            strsim::damerau_levenshtein(a, b)
        };
        let huge = "x".repeat(100_000);
        let near_huge = format!("{}y", "x".repeat(99_999));
        let names = [near_huge.as_str(), "title", "subtitle"];
        assert_eq!(suggest_with(&huge, names, &mut counted), None);
        assert_eq!(suggest_with("titel", [huge.as_str()], &mut counted), None);
        assert_eq!(cells.get(), 0);
        // Names of ordinary length are compared only with candidates of a length that can pass.
        let long = "a".repeat(200);
        let names = ["subtitle", "title", "image_url", "x", long.as_str()];
        assert_eq!(
            suggest_with("subtilte", names, &mut counted),
            Some("subtitle")
        );
        assert_eq!(cells.get(), 8 * 8 + 8 * 9, "not `title`, 3 shorter");
        let edge = "b".repeat(SUGGEST_MAX_CHARS);
        let near_edge = format!("{}c", "b".repeat(SUGGEST_MAX_CHARS - 1));
        assert_eq!(suggest(&near_edge, [edge.as_str()]), Some(edge.as_str()));
    }
}
