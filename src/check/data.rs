//! Data checks: a data file against the template's `input`. Every problem is located in the
//! data file (with its JSON path in the message) and labelled at the declaration too.

use crate::diagnostic::{codes, Code, Diagnostic, Origin};
use crate::json::{is_integer, number_out_of_range, same_key, Json, Node, NumberRange};
use crate::model::types::{FieldTy, ObjTy, Ty};
use crate::model::values::url_problem;
use crate::span::Span;

/// Checks `data` against the declared input; returns every problem at once.
pub fn validate(data: &Node<'_>, input: &ObjTy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match &data.value {
        Json::Object(_) => object(data, input, &Path::Root, &mut out),
        _ => out.push(
            codes::m3003_wrong_data_type(format!(
                "the data should be an object, found {}",
                data.type_name()
            ))
            .label(Origin::Data, data.span, "expected `{ ... }`")
            .help(object_help(data, input)),
        ),
    }
    out
}

/// How to give the data as the object the template reads: its declared top-level keys; for a
/// list, how to send its items as records, one per line.
fn object_help(data: &Node<'_>, input: &ObjTy) -> String {
    let keys: Vec<String> = input
        .fields
        .iter()
        .take(4)
        .map(|f| format!("\"{}\": ...", f.name))
        .collect();
    let shape = if keys.is_empty() {
        "`{}` (the template declares no input)".to_string()
    } else {
        let more = if input.fields.len() > keys.len() {
            ", ..."
        } else {
            ""
        };
        format!("`{{{}{more}}}`", keys.join(", "))
    };
    let mut help = format!("give the template's inputs as one JSON object: {shape}");
    if matches!(data.value, Json::Array(_)) {
        help.push_str("; if the list holds many records, give them one per line with `--data-ndjson` (`jq -c '.[]' FILE > records.ndjson`)");
    }
    help
}

/// A JSON path, built as the walk goes down and printed only when a problem needs it.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn is_root(&self) -> bool {
        matches!(self, Path::Root)
    }
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(parent, key) if parent.is_root() => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

fn join<'p>(parent: &'p Path<'p>, key: &'p str) -> Path<'p> {
    Path::Key(parent, key)
}

fn object(node: &Node<'_>, ty: &ObjTy, path: &Path<'_>, out: &mut Vec<Diagnostic>) {
    let Json::Object(members) = &node.value else {
        return;
    };
    let open = Span::new(node.span.start as usize, node.span.start as usize + 1);
    for f in &ty.fields {
        let present = members
            .iter()
            .rev()
            .find(|m| same_key(&m.key, f.name.as_str()));
        match present {
            Some(m) if m.value.is_null() && !f.optional => out.push(
                codes::m3002_missing_data(format!(
                    "`{}` is required but is `null`",
                    join(path, &f.name)
                ))
                .label(Origin::Data, m.value.span, "null here")
                .at(f.decl, "declared required here")
                .help(format!(
                    "give `{}` a value, or declare it optional with `{}?`",
                    join(path, &f.name),
                    f.name
                )),
            ),
            Some(m) => value(&m.value, f, &join(path, &f.name), out),
            None if !f.optional => out.push(
                codes::m3002_missing_data(format!(
                    "`{}` is missing from the data",
                    join(path, &f.name)
                ))
                .label(
                    Origin::Data,
                    open,
                    if path.is_root() {
                        "in this object".to_string()
                    } else {
                        format!("in `{path}`")
                    },
                )
                .at(f.decl, "declared required here")
                .help(format!(
                    "add `\"{}\": ...` to the data, or declare it optional with `{}?`",
                    f.name, f.name
                )),
            ),
            None => {}
        }
    }
    let mut seen = KeysSeen::new(members.len());
    for (i, m) in members.iter().enumerate() {
        if let Some(first_span) = seen.repeated(members, i) {
            out.push(
                codes::m3008_duplicate_data_key(format!(
                    "`{}` is given twice; the last one is used",
                    join(path, &m.key)
                ))
                .label(Origin::Data, m.key_span, "given again here")
                .label(Origin::Data, first_span, "first given here, and ignored")
                .help("remove one of them: JSON readers disagree on which one wins"),
            );
            continue;
        }
        if ty.get(&m.key).is_none() {
            let near =
                crate::model::types::suggest(&m.key, ty.fields.iter().map(|f| f.name.as_str()));
            let mut d = codes::m3005_unknown_data_key(format!(
                "`{}` is not declared in `input`",
                join(path, &m.key)
            ))
            .label(Origin::Data, m.key_span, "the template never reads this");
            d = match near {
                Some(n) => d.help(format!("a declared input with a similar name exists: `{}`", join(path, n))),
                None => d.help("remove it from the data, or declare it in `input` if the template should use it"),
            };
            out.push(d);
        }
    }
}

/// The keys of an object seen so far, to find a repeated one: a scan of the members before
/// for a small object (most records: no hashing at all), a foldhash map for a big one.
struct KeysSeen<'a> {
    map: Option<foldhash::HashMap<&'a str, Span>>,
}

/// Objects with more members than this get a map.
const SCAN_MEMBERS: usize = 16;

impl<'a> KeysSeen<'a> {
    fn new(members: usize) -> Self {
        KeysSeen {
            map: (members > SCAN_MEMBERS)
                .then(|| foldhash::HashMap::with_capacity_and_hasher(members, Default::default())),
        }
    }

    /// Whether member `i`'s key was given before: the span of its latest earlier occurrence.
    fn repeated(&mut self, members: &'a [crate::json::Member<'_>], i: usize) -> Option<Span> {
        let m = &members[i];
        match &mut self.map {
            Some(map) => map.insert(&m.key, m.key_span),
            None => members[..i]
                .iter()
                .rev()
                .find(|e| same_key(&e.key, &m.key))
                .map(|e| e.key_span),
        }
    }
}

/// M3002: a `null` item in a list of objects with required fields, at the `null` (rendering it
/// would report each required field missing, at the template).
fn null_item(node: &Node<'_>, obj: &ObjTy, decl: Span, path: &Path<'_>) -> Diagnostic {
    let required: Vec<String> = obj
        .fields
        .iter()
        .filter(|f| !f.optional)
        .map(|f| format!("`\"{}\"`", f.name))
        .collect();
    let list = match required.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    codes::m3002_missing_data(format!("`{path}` is `null`, but each item needs {list}"))
        .label(Origin::Data, node.span, "null here")
        .at(decl, "declared here")
        .help("remove the `null` from the list, or give the item as an object with those keys")
}

fn value(node: &Node<'_>, f: &FieldTy, path: &Path<'_>, out: &mut Vec<Diagnostic>) {
    check_ty(node, &f.ty, f.decl, path, out);
}

fn wrong(
    node: &Node<'_>,
    decl: Span,
    path: &Path<'_>,
    expected: &str,
    ty: &Ty,
    out: &mut Vec<Diagnostic>,
) {
    let hint = match (&node.value, ty) {
        (Json::String(s), Ty::Number { .. } | Ty::Integer { .. })
            if s.trim().parse::<f64>().is_ok() =>
        {
            format!("write the number without quotes: `{}`", s.trim())
        }
        (Json::Number(n), Ty::String { .. }) => {
            let whole = n.bytes().all(|b| b.is_ascii_digit() || b == b'-');
            let kind = if whole { "integer" } else { "number" };
            format!(
                "write it in quotes in the data: `\"{n}\"`; or, if it is a number, declare it `{kind}` in place of {}",
                ty.phrase()
            )
        }
        (Json::Number(n), Ty::Url { .. }) => {
            format!("write it in quotes: `\"{n}\"`")
        }
        (Json::Number(n), Ty::Integer { .. }) => {
            format!("`{n}` has a fraction: give a whole number, or declare the input `number`")
        }
        _ => format!("give `{path}` as {expected}"),
    };
    out.push(
        codes::m3003_wrong_data_type(format!(
            "`{path}` should be {expected}, found {}",
            node.type_name()
        ))
        .label(
            Origin::Data,
            node.span,
            format!("{} here", node.type_name()),
        )
        .at(decl, format!("declared {} here", ty.phrase()))
        .help(hint),
    );
}

/// A string over its declared `max` (M3004).
fn too_long(
    node: &Node<'_>,
    decl: Span,
    path: &Path<'_>,
    s: &str,
    max: u32,
    out: &mut Vec<Diagnostic>,
) {
    // At most `max` bytes is at most `max` characters: no count needed.
    if s.len() <= max as usize {
        return;
    }
    let n = s.chars().count();
    if n > max as usize {
        out.push(
            codes::m3004_data_too_long(format!(
                "`{path}` is {n} characters long, its `max` is {max}"
            ))
            .label(
                Origin::Data,
                node.span,
                format!("{n} characters, {} over", n - max as usize),
            )
            .at(decl, format!("declared `max {max}` here"))
            .help("shorten the value, or raise `max` in `input` if the template's limits allow it"),
        );
    }
}

fn check_ty(node: &Node<'_>, ty: &Ty, decl: Span, path: &Path<'_>, out: &mut Vec<Diagnostic>) {
    match (ty, &node.value) {
        (_, Json::Null) | (Ty::Unknown, _) => {}
        (Ty::String { max }, Json::String(s)) => {
            if let Some(max) = max {
                too_long(node, decl, path, s, *max, out);
            }
        }
        (Ty::Url { max }, Json::String(s)) => {
            if let Some(max) = max {
                too_long(node, decl, path, s, *max, out);
            }
            if let Some(why) = url_problem(s) {
                out.push(
                    codes::m3006_invalid_data_url(
                        format!("`{path}` is not an absolute http(s) URL"),
                    )
                    .label(Origin::Data, node.span, why)
                    .at(decl, "declared `url` here")
                    .help("give a full URL such as `https://shop.example/item/100`"),
                );
            }
        }
        (Ty::Number { .. } | Ty::Integer { .. }, Json::Number(n)) if number_out_of_range(n) == Some(NumberRange::Infinite) => out.push(
            codes::m3003_wrong_data_type(format!("`{path}` is out of range: {n} is beyond what a JSON number can hold"))
                .label(Origin::Data, node.span, "too large for a 64-bit float")
                .at(decl, "declared here")
                .help("give a number between -1.7e308 and 1.7e308; Facebook and most JSON readers refuse larger ones"),
        ),
        // The one rule for numbers, in data as in a template (see `number_out_of_range`).
        (Ty::Number { .. } | Ty::Integer { .. }, Json::Number(n)) if number_out_of_range(n).is_some() => out.push(
            codes::m3003_wrong_data_type(format!("`{path}` is out of range: {n} would print as a very long text"))
                .label(Origin::Data, node.span, "outside 0.000001 to 10²¹")
                .at(decl, format!("declared `{}` here", if matches!(ty, Ty::Integer { .. }) { "integer" } else { "number" }))
                .help("give an amount between 0.000001 and 10²¹ (or 0); an identifier belongs in a `string`"),
        ),
        (Ty::Number { range: Some(r) } | Ty::Integer { range: Some(r) }, Json::Number(n))
            if !n.parse::<f64>().is_ok_and(|v| r.contains(v))
                && (matches!(ty, Ty::Number { .. }) || is_integer(n)) =>
        {
            out.push(
                codes::m3040_data_out_of_range(format!("`{path}` is {n}, its range is `{r}`"))
                    .label(Origin::Data, node.span, format!("outside `{r}`"))
                    .at(decl, format!("declared `{}` here", ty.describe()))
                    .help(format!("give a value from {} to {}, or widen the range in `input` if the template's limits allow it (`check` proves them for the range)", r.min_raw, r.max_raw)),
            )
        }
        (Ty::Number { .. }, Json::Number(_)) => {}
        (Ty::Integer { .. }, Json::Number(n)) if is_integer(n) => {}
        (Ty::Bool, Json::Bool(_)) => {}
        (Ty::Object(obj), Json::Object(_)) => object(node, obj, path, out),
        (Ty::List { max, item }, Json::Array(items)) => {
            if let Some(max) = max {
                if items.len() > *max as usize {
                    let first_over = &items[*max as usize];
                    out.push(
                        codes::m3004_data_too_long(format!("`{path}` has {} items, its `max` is {max}", items.len()))
                            .label(Origin::Data, first_over.span, format!("item {} is over the `max`", *max + 1))
                            .at(decl, format!("declared `max {max}` here"))
                            .help("send fewer items, or raise `max` in `input` if Messenger's limits allow it"),
                    );
                }
            }
            for (i, it) in items.iter().enumerate() {
                let at = Path::Index(path, i);
                match (&it.value, &**item) {
                    // An item the template reads fields of: `null` has none of them.
                    (Json::Null, Ty::Object(obj)) if obj.fields.iter().any(|f| !f.optional) => {
                        out.push(null_item(it, obj, decl, &at));
                    }
                    _ => check_ty(it, item, decl, &at, out),
                }
            }
        }
        (ty, _) => {
            let expected = match ty {
                Ty::String { .. } => "a string",
                Ty::Url { .. } => "a URL string",
                Ty::Number { .. } => "a number",
                Ty::Integer { .. } => "an integer",
                Ty::Bool => "`true` or `false`",
                Ty::Object(_) => "an object",
                Ty::List { .. } => "a list",
                Ty::Unknown => return,
            };
            wrong(node, decl, path, expected, ty, out);
        }
    }
}

/// Reads a data file for a template: the document, and the warnings of checking it against
/// `input`; or every problem, when it is not JSON or does not match.
pub fn prepare<'a>(
    template: &crate::Template,
    data_text: &'a str,
) -> Result<(Node<'a>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let node = crate::json::parse(data_text).map_err(|d| vec![d])?;
    let diags = validate(&node, &template.input);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok((node, diags))
}

/// The template to render a record with: the one for the locale the record names at the
/// template's `locales { ..., from: PATH }`; the default locale's when the record gives none
/// (absent or `null`), or when the template reads no locale from the data. A key the template
/// does not declare is an error at the value (M3030): the record is refused, not sent in
/// another language.
pub fn for_record<'t>(
    template: &'t crate::Template,
    data: &Node<'_>,
) -> Result<&'t crate::Template, Diagnostic> {
    let Some(from) = &template.locale_from else {
        return Ok(template);
    };
    let mut node = data;
    for key in from.keys.iter() {
        match node.get(key) {
            Some(n) => node = n,
            None => return Ok(template),
        }
    }
    let Json::String(key) = &node.value else {
        // `null` (the type is checked against `input` already).
        return Ok(template);
    };
    if let Some(t) = template.for_locale(key) {
        return Ok(t);
    }
    let keys: Vec<&str> = template.locales().iter().map(|l| l.key.as_str()).collect();
    let listed: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    let mut d = codes::m3030_unknown_record_locale(format!(
        "the record's locale `{key}` is not one the template declares"
    ))
    .label(Origin::Data, node.span, format!("`{}`", from.dotted));
    if let Some(decl) = from.decl {
        d = d.at(decl, "the record's locale is read here");
    }
    let near = crate::model::types::suggest(&key.to_ascii_lowercase(), keys.iter().copied())
        .or_else(|| {
            // `fr-FR` for the key `fr`: the language before the region.
            let lang = key
                .split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            keys.iter().copied().find(|k| *k == lang)
        });
    Err(match near {
        Some(k) => d.help(format!(
            "give one of the declared keys ({}), here probably `{k}`; or declare and translate `{key}` in the template",
            listed.join(", ")
        )),
        None => d.help(format!(
            "give one of the declared keys ({}), or declare and translate `{key}` in the template",
            listed.join(", ")
        )),
    })
}

/// A record's diagnostics say what an NDJSON line must be, not a data file (M3001); and when
/// the line is the start of a document written over several lines (`[` of a pretty-printed
/// array, `{` of an object), how to make it NDJSON. A record that holds a line break is a
/// whole data file (`send --data`): its help stays the data file's.
pub(crate) fn record_help(diagnostics: &mut [Diagnostic], text: &str) {
    if text.trim_end().contains('\n') {
        return;
    }
    let line = text.trim();
    // A line that is a list: its items are the records, one a line (the help for a data file
    // says to use `--data-ndjson`, already in use here).
    for d in diagnostics
        .iter_mut()
        .filter(|d| d.code == Code::WrongDataType && line.starts_with('['))
    {
        d.help = Some(
            "this line is a list: give its records one a line, e.g. `jq -c '.[]' FILE > records.ndjson`"
                .into(),
        );
    }
    for d in diagnostics
        .iter_mut()
        .filter(|d| d.code == Code::InvalidJson)
    {
        d.help = Some(
            "each line must be one JSON value (an object, usually) with double-quoted keys and no trailing commas"
                .to_string(),
        );
        if line.starts_with('[') && !line.ends_with(']') {
            d.notes.push("this line opens a JSON array written over several lines: give its records one per line, e.g. `jq -c '.[]' FILE > records.ndjson`".into());
        } else if line == "{" {
            d.notes.push("this line opens a record written over several lines: write each record whole on one line, e.g. `jq -c . FILE > records.ndjson`".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{compile, Options};

    fn problems(src: &str, data: &str) -> Vec<Diagnostic> {
        let c = compile(src, &Options::default());
        let t = c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
        validate(&crate::json::parse(data).unwrap(), &t.input)
    }

    const T: &str = "notification t\ninput {\n  name: string max 5\n  n?: integer\n  items: list max 1 of { price: number }\n}\ntext \"{{ name }}\"\n";

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let d = problems(
            T,
            r#"{"name": "toolong", "n": 1.5, "items": [{"price": "3"}, {"price": 2}], "extra": 1}"#,
        );
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("`name` is 7 characters")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("`n` should be an integer")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("`items` has 2 items")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("`items[0].price` should be a number")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("`extra` is not declared")),
            "{msgs:?}"
        );
    }

    #[test]
    fn missing_required_keys_point_at_their_object() {
        let d = problems(T, r#"{"items": []}"#);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::MissingData);
        assert_eq!(d[0].labels[0].origin, Origin::Data);
        assert_eq!(d[0].labels[1].origin, Origin::Template);
    }
}
