//! API errors: the body of a refused message read into one [`ApiError`] (Facebook's
//! `{"error": {...}}` passed through, iAdvize's `{"meta": {...}}`, both nested, or plain text),
//! and the parameter that Facebook's message names (`[elements][2][title]`) mapped back to the
//! template span and the data path that produced it.
//!
//! One code per family of Facebook message, so that a script can react to each and
//! `missive explain` gives the fix for each: M5002 length, M5003 too many items, M5004 a
//! required parameter, M5005 invalid keys, M5006 an empty string, M5007 too few items; M5001
//! for any other refusal, located when its message names a parameter that maps.

use crate::diagnostic::{codes, Diagnostic};
use crate::ir::Template;
use crate::json::Node;
use crate::render::{Produced, ProducedField, ProducedList, ProducedObject};
use crate::span::Span;

/// At most this many characters of an API message are kept in [`ApiError::message`] (the
/// whole body stays in [`ApiError::raw`]).
const MAX_MESSAGE: usize = 2000;

/// A refusal from the API, read from its response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status, when known.
    pub status: Option<u16>,
    /// The error's message: Facebook's `error.message`, iAdvize's `meta.message`, or the text.
    pub message: String,
    /// Facebook's `error.code` (100, 105...), or the `(#100)` at the start of the message.
    pub code: Option<i64>,
    /// Facebook's `error.type` (`OAuthException`).
    pub kind: Option<String>,
    /// Facebook's `error.error_subcode`.
    pub subcode: Option<i64>,
    /// Facebook's `error.fbtrace_id`, for Facebook's support.
    pub trace_id: Option<String>,
    /// The body exactly as received.
    pub raw: String,
}

/// Reads an API error body. Never fails: a body that is neither envelope is kept as text.
pub fn parse_body(status: Option<u16>, body: &str) -> ApiError {
    let mut e = ApiError {
        status,
        message: String::new(),
        code: None,
        kind: None,
        subcode: None,
        trace_id: None,
        raw: body.to_string(),
    };
    let text = body.trim();
    match first_json(text) {
        Some((value, whole)) => {
            read_envelope(&mut e, &value, 0);
            if e.message.is_empty() && !whole {
                e.message = text.to_string();
            }
        }
        None => e.message = text.to_string(),
    }
    if e.code.is_none() {
        e.code = code_in_message(&e.message);
    }
    e.message = clip(e.message.trim(), MAX_MESSAGE);
    e
}

/// A JSON object in the text: the whole text, or one that starts at a `{` inside it
/// (`Facebook graph API call failed with: BadRequest {"error": ...}`). The flag says whether it
/// is the whole text.
fn first_json(text: &str) -> Option<(serde_json::Value, bool)> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        return Some((v, true));
    }
    // Only a few starts are tried, so that a huge text with many braces stays cheap.
    for (i, _) in text.match_indices('{').take(8) {
        let mut stream =
            serde_json::Deserializer::from_str(&text[i..]).into_iter::<serde_json::Value>();
        if let Some(Ok(v)) = stream.next() {
            if v.get("error").is_some() || v.get("meta").is_some() {
                return Some((v, i == 0));
            }
        }
    }
    None
}

/// Fills `e` from Facebook's or iAdvize's envelope; iAdvize may carry Facebook's error in its
/// message (as JSON text) or beside its `meta`.
fn read_envelope(e: &mut ApiError, v: &serde_json::Value, depth: usize) {
    use serde_json::Value;
    if depth > 4 {
        return;
    }
    let int = |v: Option<&Value>| -> Option<i64> {
        match v? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let string = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    // Facebook's error object, under `error` or alone (as clients often log it).
    let mut error_object = |err: &Value| {
        if let Some(m) = string(err.get("message")) {
            e.message = m;
        }
        e.code = int(err.get("code")).or(e.code);
        e.kind = string(err.get("type")).or(e.kind.take());
        e.subcode = int(err.get("error_subcode")).or(e.subcode);
        e.trace_id = string(err.get("fbtrace_id")).or(e.trace_id.take());
    };
    if let Some(err) = v.get("error") {
        match err {
            Value::Object(_) => {
                error_object(err);
                return;
            }
            Value::String(s) => {
                e.message = s.clone();
                return;
            }
            _ => {}
        }
    }
    if let Some(meta) = v.get("meta") {
        if e.status.is_none() {
            e.status = int(meta.get("status"))
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (100..600).contains(s));
        }
        if let Some(m) = string(meta.get("message")) {
            // Facebook's body passed through as the message's text.
            match first_json(m.trim()) {
                Some((inner, _)) if inner.get("error").is_some() => {
                    read_envelope(e, &inner, depth + 1)
                }
                _ => e.message = m,
            }
        }
        // Or beside the meta: `{"meta": {...}, "data": {"error": {...}}}`.
        for key in ["data", "errors", "details"] {
            let inner = match v.get(key) {
                Some(Value::Array(items)) => items.first(),
                other => other,
            };
            if let Some(inner) = inner.filter(|i| i.get("error").is_some()) {
                read_envelope(e, inner, depth + 1);
            }
        }
        return;
    }
    error_object(v);
}

/// The `100` of a message that starts `(#100)`.
fn code_in_message(message: &str) -> Option<i64> {
    let rest = message.trim_start().strip_prefix("(#")?;
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// At most `max` characters of `s`, with `…` when cut.
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Facebook's messages

/// What a refusal says is wrong, read from Facebook's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Family {
    /// `Length of param X must be less than or equal to N`.
    TooLong { limit: usize },
    /// `param X has too many elements.`
    TooMany,
    /// `param X has too few elements`
    TooFew,
    /// `The parameter X is required`, `param X is required`.
    Required,
    /// `Invalid keys "k" were found in param "X".`
    InvalidKeys(Vec<String>),
    /// `Param X must be a non-empty UTF-8 encoded string`
    Empty,
    /// Anything else.
    Other,
}

/// One segment of a parameter path: `[elements]`, `[2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A key: `[elements]`.
    Key(String),
    /// An index: `[2]`.
    Index(usize),
}

/// The parameter a message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Param {
    /// As Facebook wrote it: `name_placeholder[elements][0][buttons]`.
    pub written: String,
    /// Its segments, without the `message` or anonymised `name_placeholder` root.
    pub segments: Vec<Segment>,
}

/// Facebook's message, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub family: Family,
    pub param: Option<Param>,
}

/// Reads the family and the parameter path from Facebook's message.
pub(crate) fn refusal(message: &str) -> Refusal {
    let lower = message.to_ascii_lowercase();
    let family = if lower.contains("length of param") {
        let limit = lower
            .split("less than or equal to")
            .nth(1)
            .and_then(|rest| {
                let d: String = rest
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                d.parse().ok()
            });
        match limit {
            Some(limit) => Family::TooLong { limit },
            None => Family::Other,
        }
    } else if lower.contains("too many elements") {
        Family::TooMany
    } else if lower.contains("too few elements") {
        Family::TooFew
    } else if lower.contains("invalid keys") {
        Family::InvalidKeys(invalid_keys(message))
    } else if lower.contains("non-empty") {
        Family::Empty
    } else if lower.contains("is required") {
        Family::Required
    } else {
        Family::Other
    };
    // The path follows `param` or `parameter`; for invalid keys, the last one (after the keys).
    let mut params: Vec<Param> = word_ends(&lower, "param")
        .filter_map(|at| param_at(message, at))
        .collect();
    let param = if matches!(family, Family::InvalidKeys(_)) {
        params.pop()
    } else {
        params.into_iter().next()
    };
    Refusal { family, param }
}

/// Where each `param` or `parameter` word ends in `lower`.
fn word_ends<'a>(lower: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    lower.match_indices(word).filter_map(move |(i, _)| {
        let before = lower[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let mut end = i + word.len();
        if lower[end..].starts_with("eter") {
            end += 4;
        }
        let after = lower[end..].chars().next();
        (!after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(end)
    })
}

/// The keys of `Invalid keys "a", "b" were found in param ...` (or `"a, b"`).
fn invalid_keys(message: &str) -> Vec<String> {
    let lower = message.to_ascii_lowercase();
    let start = lower
        .find("invalid keys")
        .map_or(0, |i| i + "invalid keys".len());
    let end = lower[start..]
        .find("were found")
        .map_or(message.len(), |i| start + i);
    message[start..end]
        .split([',', '"', '\\'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect()
}

/// Words that follow `param` when no path does: `The parameter is required`.
const NOT_A_PATH: &[&str] = &["is", "must", "has", "have", "was", "were", "should", "of"];

/// Reads a parameter path at byte `at` of `message`: `name_placeholder[elements][0]`,
/// `"message[quick_replies][0]"`, `[buttons][1][payload]`, `recipient`, spaces tolerated
/// (`name_placeholder [ elements]`).
fn param_at(message: &str, at: usize) -> Option<Param> {
    let rest = message.get(at..)?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
    let root_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let root = &rest[..root_len];
    let mut segments = Vec::new();
    let mut s = &rest[root_len..];
    let mut consumed = root_len;
    loop {
        let t = s.trim_start();
        let Some(inner) = t.strip_prefix('[') else {
            break;
        };
        let Some(close) = inner.find(']') else { break };
        let seg = inner[..close].trim().trim_matches(['"', '\'']).trim();
        if seg.is_empty() {
            break;
        }
        segments.push(match seg.parse::<usize>() {
            Ok(n) if seg.bytes().all(|b| b.is_ascii_digit()) => Segment::Index(n),
            _ => Segment::Key(seg.to_string()),
        });
        let used = (s.len() - t.len()) + 1 + close + 1;
        consumed += used;
        s = &s[used..];
    }
    if segments.is_empty() && (root.is_empty() || NOT_A_PATH.contains(&root)) {
        return None;
    }
    let written = rest[..consumed].to_string();
    if !root.is_empty() && root != "message" && root != "name_placeholder" {
        segments.insert(0, Segment::Key(root.to_string()));
    }
    Some(Param { written, segments })
}

// ---------------------------------------------------------------------------------------------
// From a parameter path to the template

/// What a parameter path leads to in the traced message.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    Object(&'a ProducedObject),
    List(&'a ProducedList),
    Field(&'a ProducedField),
    /// A member the template always writes.
    Const,
    Extra(Span),
    /// A key the object does not have.
    Missing,
}

/// The end of a walk along a path from one object.
#[derive(Debug, Clone)]
struct Walk<'a> {
    target: Target<'a>,
    /// How many segments were followed.
    depth: usize,
    /// The innermost object on the way, and the innermost one written by a block.
    object: &'a ProducedObject,
    block: Option<&'a ProducedObject>,
    approximate: bool,
}

fn walk<'a>(from: &'a ProducedObject, segments: &[Segment]) -> Walk<'a> {
    let mut w = Walk {
        target: Target::Object(from),
        depth: 0,
        object: from,
        block: from.block.is_some().then_some(from),
        approximate: from.approximate,
    };
    for seg in segments {
        let next = match (w.target, seg) {
            (Target::Object(o), Segment::Key(k)) => {
                match o.members.iter().find(|(key, _)| **key == **k) {
                    Some((_, Produced::Object(x))) => Target::Object(x),
                    Some((_, Produced::List(l))) => Target::List(l),
                    Some((_, Produced::Field(f))) => Target::Field(f),
                    Some((_, Produced::Const)) => Target::Const,
                    Some((_, Produced::Extra { key_span })) => Target::Extra(*key_span),
                    None => {
                        w.target = Target::Missing;
                        return w;
                    }
                }
            }
            (Target::List(l), Segment::Index(n)) => match item_at(l, *n) {
                Some((x, approximate)) => {
                    w.approximate |= approximate;
                    Target::Object(x)
                }
                None => return w,
            },
            // Inside an `extra` value: its key is as deep as the template says.
            (Target::Extra(_), _) => {
                w.depth += 1;
                continue;
            }
            _ => return w,
        };
        if let Target::Object(x) = next {
            w.object = x;
            if x.block.is_some() {
                w.block = Some(x);
            }
        }
        w.target = next;
        w.depth += 1;
    }
    w
}

/// Item `n` of a list. Traced without data, a `for` body or an `if` branch stands for an
/// unknown number of items: an index past the fixed items leads to the first of those.
fn item_at(l: &ProducedList, n: usize) -> Option<(&ProducedObject, bool)> {
    let fixed = l.items.iter().take_while(|i| !i.repeated).count();
    if n < fixed {
        return Some((&l.items[n], false));
    }
    if fixed < l.items.len() {
        return Some((&l.items[fixed], true));
    }
    None
}

/// Every object of the message, outermost first: the places a relative path may start.
fn objects<'a>(o: &'a ProducedObject, out: &mut Vec<&'a ProducedObject>) {
    out.push(o);
    for (_, m) in &o.members {
        match m {
            Produced::Object(x) => objects(x, out),
            Produced::List(l) => l.items.iter().for_each(|x| objects(x, out)),
            _ => {}
        }
    }
}

/// Whether a walk's end is what the family says is wrong there.
fn fits(family: &Family, w: &Walk<'_>, segments: usize, template: &Template) -> bool {
    let full = w.depth == segments;
    match (family, w.target) {
        (Family::TooLong { limit }, Target::Field(f)) if full => {
            f.value.as_ref().is_some_and(|v| v.chars().count() > *limit)
        }
        (Family::Empty, Target::Field(f)) if full => {
            f.absent || f.value.as_ref().is_some_and(|v| v.trim().is_empty())
        }
        (Family::TooMany, Target::List(l)) if full => l
            .limit
            .is_none_or(|k| l.items.len() >= template.profile.limit(k).max),
        (Family::TooFew, Target::List(l)) if full => l.items.is_empty(),
        (Family::Required, Target::Field(f)) if full => f.absent,
        (Family::Required, Target::Missing) => w.depth + 1 == segments,
        (Family::InvalidKeys(keys), Target::Object(o)) if full => o
            .members
            .iter()
            .any(|(k, m)| matches!(m, Produced::Extra { .. }) && keys.iter().any(|x| **x == **k)),
        _ => false,
    }
}

/// Where a path leads: from the message itself when it resolves there, else from the object
/// where it resolves and fits the family (Facebook's paths are often relative to a payload or
/// an element), else as far as it goes. The count is how many other places fit as well.
fn locate<'a>(
    root: &'a ProducedObject,
    segments: &[Segment],
    family: &Family,
    template: &Template,
) -> Option<(Walk<'a>, usize)> {
    let from_root = walk(root, segments);
    let resolved = |w: &Walk<'_>| {
        w.depth == segments.len()
            || (matches!(family, Family::Required)
                && matches!(w.target, Target::Missing)
                && w.depth + 1 == segments.len())
    };
    if from_root.depth == segments.len() && !segments.is_empty() {
        return Some((from_root, 0));
    }
    let mut anchors = Vec::new();
    objects(root, &mut anchors);
    let walks: Vec<Walk<'a>> = anchors.iter().map(|a| walk(a, segments)).collect();
    let fitting: Vec<&Walk<'a>> = walks
        .iter()
        .filter(|w| fits(family, w, segments.len(), template))
        .collect();
    if let Some(first) = fitting.first() {
        return Some(((*first).clone(), fitting.len() - 1));
    }
    let full: Vec<&Walk<'a>> = walks.iter().filter(|w| resolved(w)).collect();
    if let Some(first) = full.first() {
        return Some(((*first).clone(), full.len() - 1));
    }
    // As far as the path goes, from the message first.
    walks
        .into_iter()
        .filter(|w| w.depth > 0)
        .max_by_key(|w| w.depth)
        .or_else(|| segments.is_empty().then_some(from_root))
        .map(|w| (w, 0))
}

/// The Send API request's keys beside `message`: no template span writes them.
const ENVELOPE: &[&str] = &[
    "recipient",
    "messaging_type",
    "tag",
    "notification_type",
    "sender_action",
    "persona_id",
];

/// Turns an API error into a diagnostic at the template span that produced the parameter it
/// names, with the data path (when `data` is the record that was sent), Facebook's message
/// in a note, and a help that says how to fix the template or the data.
pub fn diagnose(template: &Template, data: Option<&Node<'_>>, error: &ApiError) -> Diagnostic {
    let r = refusal(&error.message);
    let Some(param) = &r.param else {
        return unlocated(error, &r);
    };
    if let Some(Segment::Key(k)) = param.segments.first() {
        if ENVELOPE.contains(&k.as_str()) {
            let mut d = unlocated(error, &r);
            d.help = Some(format!(
                "`{k}` belongs to the request's envelope, not to the message: with the iAdvize API, iAdvize writes it from the page id and the customer_id; with the Send API, from `--recipient` and the `messaging_type` and `tag` header lines"
            ));
            return d;
        }
    }
    let trace = template.trace(data);
    let Some((w, others)) = locate(&trace, &param.segments, &r.family, template) else {
        return unlocated(error, &r).note(format!(
            "nothing in this template writes `{}`",
            param.written
        ));
    };
    let full = w.depth == param.segments.len();
    let mut d = located(template, error, &r, param, &w, full);
    let checkable = !matches!(r.family, Family::Other | Family::InvalidKeys(_))
        && !matches!(w.target, Target::Extra(_));
    if data.is_some() && checkable && !fits(&r.family, &w, param.segments.len(), template) {
        d = d.note(
            "with this data the part it names looks right: is `--data` the record that was sent?",
        );
    }
    if w.approximate {
        d = d.note(if data.is_some() {
            "an index in the path may not be the item shown: the data did not decide it"
        } else {
            "without the record's data (`--data FILE`), an index in the path is counted on the template's blocks, so the item shown may be another iteration of its `for`"
        });
    }
    if others > 0 {
        d = d.note(format!(
            "the path fits {others} other place{} in the message too; this is the first",
            if others == 1 { "" } else { "s" }
        ));
    }
    // A parameter a shared part wrote: in the part's file, with the use labelled.
    if let Some(map) = &template.sources {
        crate::diagnostic::place(std::slice::from_mut(&mut d), map);
    }
    d
}

/// The diagnostic for an error that names no parameter of this message.
pub fn describe(error: &ApiError) -> Diagnostic {
    unlocated(error, &refusal(&error.message))
}

/// The constructor of the code for what the API refused.
fn constructor_for(family: &Family) -> fn(String) -> Diagnostic {
    match family {
        Family::TooLong { .. } => codes::m5002_api_too_long,
        Family::TooMany => codes::m5003_api_too_many,
        Family::TooFew => codes::m5007_api_too_few,
        Family::Required => codes::m5004_api_required,
        Family::InvalidKeys(_) => codes::m5005_api_invalid_keys,
        Family::Empty => codes::m5006_api_empty_string,
        Family::Other => codes::m5001_api_refused,
    }
}

/// The note that quotes the API's message (or its body, when it has no message).
fn said(error: &ApiError) -> String {
    let status = error
        .status
        .map(|s| format!(" (HTTP {s})"))
        .unwrap_or_default();
    let body = clip(error.raw.trim(), 300);
    if !error.message.is_empty() {
        format!("the API answered{status}: {}", error.message)
    } else if body.is_empty() {
        format!("the API answered{status} with an empty body")
    } else {
        format!("the API answered{status}: {body}")
    }
}

fn unlocated(error: &ApiError, r: &Refusal) -> Diagnostic {
    let message = if error.message.is_empty() {
        "the API refused the message without saying why".to_string()
    } else {
        format!("the API refused the message: {}", error.message)
    };
    let help = match (error.code, error.subcode) {
        (Some(190), _) => "the access token is invalid or expired: get a new one for the page",
        (Some(10), _) | (_, Some(2018278)) => {
            "the message is outside the window in which the page may write: send it with a message tag (`tag \"POST_PURCHASE_UPDATE\"` and `messaging_type \"MESSAGE_TAG\"`) or after the user writes"
        }
        (Some(551), _) | (_, Some(1545041)) => {
            "this person cannot be reached now: nothing in the template to fix"
        }
        (Some(4 | 613), _) => "too many requests: send more slowly (`--rate`)",
        _ if r.param.is_some() => {
            "the parameter it names is not one this template writes: check the message as rendered (`missive render`)"
        }
        _ => "the error names no part of the message: fix what the API's message says, or ask its support with the trace id",
    };
    let mut d = constructor_for(&r.family)(message).help(help);
    // The message says what the API said; the body, when it holds more.
    let raw = error.raw.trim();
    if error.message.is_empty() || error.status.is_some() {
        d = d.note(said(error));
    }
    if !error.message.is_empty() && raw != error.message {
        d = d.note(format!("the API's response: {}", clip(raw, 300)));
    }
    if let Some(t) = &error.trace_id {
        d = d.note(format!("Facebook trace id: {t}"));
    }
    d
}

/// The data paths of a walk's end, for messages: `order.items[2].title`.
fn data_of(w: &Walk<'_>) -> Option<String> {
    match w.target {
        Target::Field(f) if !f.data.is_empty() => Some(f.data.join("`, `")),
        Target::List(l) if !l.lists.is_empty() => Some(l.lists.join("`, `")),
        _ => w.object.item.clone().or_else(|| w.block?.item.clone()),
    }
}

fn located(
    template: &Template,
    error: &ApiError,
    r: &Refusal,
    param: &Param,
    w: &Walk<'_>,
    full: bool,
) -> Diagnostic {
    let block = w.block.and_then(|b| b.block);
    let what = w.block.map_or("message", |b| b.what);
    // Where it points: the field, the extra key, the list's block, or the block that lacks it.
    let span = match w.target {
        Target::Field(f) if full => f.span,
        Target::Extra(s) => s,
        Target::List(l) if full => l.owner,
        _ => block.unwrap_or(template.header),
    };
    let data = data_of(w);
    let from = data
        .as_ref()
        .map(|p| format!(" (from `{p}`)"))
        .unwrap_or_default();
    let place = Place {
        refused: constructor_for(&r.family),
        span,
        from: &from,
        what,
        profile: &template.profile,
    };
    let mut d = match (&r.family, w.target) {
        (Family::TooLong { limit }, Target::Field(f)) if full => too_long(&place, f, limit),
        (Family::TooMany, Target::List(l)) if full => too_many(&place, l),
        (Family::TooFew, Target::List(l)) if full => too_few(&place, l),
        // Written with this data (or no data to tell): the record sent was not this one.
        (Family::Required, Target::Field(f)) if full && !f.absent => required_field(&place, f),
        (Family::Required, Target::Field(f)) if full => required_field_left_out(&place, f),
        (Family::Required, Target::Missing) => required_key(&place, param, w),
        (Family::InvalidKeys(keys), _) => keys_not_accepted(&place, keys, w),
        (family, Target::Extra(s)) => in_extra(&place, family, s, param),
        (Family::Empty, Target::Field(f)) if full => empty(&place, f),
        _ => elsewhere(&place, param, full),
    };
    d = d.note(said(error));
    if let Some(t) = &error.trace_id {
        d = d.note(format!("Facebook trace id: {t}"));
    }
    d
}

/// What every located refusal is written with: the code's constructor, where it points, the
/// data it came from (` (from `order.items[2].title`)`), the block's name and the profile.
#[derive(Clone, Copy)]
struct Place<'x> {
    refused: fn(String) -> Diagnostic,
    span: Span,
    from: &'x str,
    what: &'static str,
    profile: &'x crate::model::profile::Profile,
}

/// M5002 at a field: how long it was with this data, and where a `max` or a `truncate` goes.
fn too_long(p: &Place<'_>, f: &ProducedField, limit: &usize) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        profile,
        ..
    } = *p;
    let n = f.value.as_ref().map(|v| v.chars().count());
    // Characters as Unicode scalar values; UTF-16 units too where they differ (emoji).
    let utf16 = f.value.as_ref().map(|v| v.encode_utf16().count());
    let has = match (n, utf16) {
        (Some(n), Some(u)) if u != n => format!(", it has {n} ({u} UTF-16 units)"),
        (Some(n), _) => format!(", it has {n}"),
        _ => String::new(),
    };
    let label = match n {
        Some(n) => format!("{n} characters with this data"),
        None => format!("over {limit} characters"),
    };
    let mut help = match f.written.first() {
        Some(_) if f.expression => format!(
            "declare `max` on `{}` in `input` so that `missive check` catches it, or end the expression with `| truncate(length={limit}, leeway=0)`",
            f.written.join("`, `")
        ),
        Some(p) => format!(
            "declare `max {limit}` on the input it reads so that `missive check` catches it, or cut it in the template: `\"{{{{ {p} | truncate(length={limit}, leeway=0) }}}}\"`"
        ),
        None if !f.data.is_empty() => format!(
            "declare `max` on the inputs it reads (`{}`) so that `missive check` catches it, or end the expression with `| truncate(length={limit}, leeway=0)`",
            f.data.join("`, `")
        ),
        None => format!("shorten the text to {limit} characters"),
    };
    if let Some(k) = f.spec.limit {
        let l = profile.limit(k);
        if l.max > *limit {
            help.push_str(&format!(
                "; profile `{}` allows {}: Facebook's limit is lower, so lower it in a profile file",
                profile.name, l.max
            ));
        }
    }
    let mut d = refused(format!(
        "the API refused `{}`{from}: Facebook allows at most {limit} characters{has}",
        f.key
    ))
    .at(span, label)
    .help(help);
    for decl in &f.decls {
        d = d.at(*decl, "declared here: a `max` goes here");
    }
    d
}

/// M5003 at a list: how many items it had, and the limit to declare.
fn too_many(p: &Place<'_>, l: &ProducedList) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        profile,
        ..
    } = *p;
    let allowed = l.limit.map(|k| profile.limit(k).max);
    let help = match (allowed, l.lists.first()) {
        (Some(max), _) if l.items.len() <= max => format!(
            "profile `{}` allows {max} `{}`s here, but Facebook refused {}: send fewer, and lower the limit in a profile file so that `missive check` catches it",
            profile.name,
            l.item,
            l.items.len()
        ),
        (Some(max), Some(list)) => format!(
            "Messenger allows at most {max} `{}`s here: declare `list max {max}` on `{list}` in `input` (missive then stops at {max}), or fewer `{}` blocks",
            l.item, l.item
        ),
        (Some(max), None) => format!("Messenger allows at most {max} `{}`s here: remove some", l.item),
        (None, _) => format!("send fewer `{}`s", l.item),
    };
    refused(format!(
        "the API refused the message: too many `{}`s{from}, {} with this data",
        l.item,
        l.items.len()
    ))
    .at(span, format!("{} `{}`s here", l.items.len(), l.item))
    .help(help)
}

/// M5007 at a list that had no item with this data.
fn too_few(p: &Place<'_>, l: &ProducedList) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        ..
    } = *p;
    refused(
        format!("the API refused the message: no `{}`{from} with this data", l.item),
    )
    .at(span, format!("no `{}` here with this data", l.item))
    .help(format!(
        "Messenger needs at least one `{}`: skip records whose list is empty, or write one `{}` outside the `for`",
        l.item, l.item
    ))
}

/// M5004 at a field written with this data (or no data to tell): the record sent was not this one.
fn required_field(p: &Place<'_>, f: &ProducedField) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        ..
    } = *p;
    refused(
        format!("the API refused the message: `{}` is required{from}", f.key),
    )
    .at(
        span,
        match &f.value {
            Some(v) => format!("Facebook found no `{}` (with this data: {})", f.key, clip_quoted(v)),
            None => format!("Facebook found no `{}`", f.key),
        },
    )
    .help(match f.data.first() {
        Some(p) => format!("give `{p}` in every record, or declare it required in `input` so that `missive check` catches a record without it"),
        None => "give it a value".to_string(),
    })
}

/// M5004 at a field that this data leaves out.
fn required_field_left_out(p: &Place<'_>, f: &ProducedField) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        ..
    } = *p;
    refused(
        format!("the API refused the message: `{}` is required{from}, and this data leaves it out", f.key),
    )
    .at(span, "left out: the data it reads is absent")
    .help(match f.data.first() {
        Some(p) => format!("give `{p}` in the data, or declare it required in `input` so that `missive check` catches it"),
        None => "give it a value".to_string(),
    })
}

/// M5004 for a key the block does not write.
fn required_key(p: &Place<'_>, param: &Param, w: &Walk<'_>) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        what,
        ..
    } = *p;
    let key = match param.segments.get(w.depth) {
        Some(Segment::Key(k)) => k.clone(),
        _ => param.written.clone(),
    };
    refused(format!(
        "the API refused the message: `{key}` is required in this `{what}`{from}"
    ))
    .at(span, format!("this `{what}` has no `{key}`"))
    .help(format!("add `{key}` to this `{what}`"))
}

/// M5005: keys Facebook does not accept, at the `extra` block that writes them when one does.
fn keys_not_accepted(p: &Place<'_>, keys: &[String], w: &Walk<'_>) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        what,
        ..
    } = *p;
    let list = keys
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let near: Vec<String> = keys
        .iter()
        .filter_map(|k| near_key(k).map(|n| format!("`{k}` -> `{n}`")))
        .collect();
    let extra = match w.target {
        Target::Object(o) => o.members.iter().find_map(|(k, m)| match m {
            Produced::Extra { key_span } if keys.iter().any(|x| **x == **k) => Some(*key_span),
            _ => None,
        }),
        Target::Extra(s) => Some(s),
        _ => None,
    };
    let (span, label) = match extra {
        Some(s) => (s, "written by this `extra` block".to_string()),
        None => (
            span,
            format!("Facebook does not accept it in this `{what}`"),
        ),
    };
    let mut help = if extra.is_some() {
        format!("remove {list} from the `extra` block, or spell it as Facebook's reference does")
    } else {
        format!("this template writes no {list}: the message sent was not this template's (another version, or a client that adds keys)")
    };
    if extra.is_some() && !near.is_empty() {
        help = format!("a key with a similar name exists: {}", near.join(", "));
    }
    refused(format!(
        "the API refused the message: Facebook does not accept {list} in this `{what}`{from}"
    ))
    .at(span, label)
    .help(help)
}

/// Any refusal of what an `extra` block writes, which missive copies unchecked.
fn in_extra(p: &Place<'_>, family: &Family, s: Span, param: &Param) -> Diagnostic {
    let Place { refused, from, .. } = *p;
    let says = match family {
        Family::TooLong { limit } => format!("Facebook allows at most {limit} characters"),
        Family::TooMany => "it has too many items".to_string(),
        Family::TooFew => "it has too few items".to_string(),
        Family::Required => "something required is missing".to_string(),
        Family::Empty => "Facebook needs a non-empty text".to_string(),
        Family::InvalidKeys(_) | Family::Other => "see the API's message".to_string(),
    };
    refused(format!(
        "the API refused `{}`{from}, which an `extra` block writes: {says}",
        param.written
    ))
    .at(
        s,
        "written by this `extra` block, which missive copies unchecked",
    )
    .help("fix the value in the `extra` block as the API's message says (see the note)")
}

/// M5006 at a field that rendered empty.
fn empty(p: &Place<'_>, f: &ProducedField) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        ..
    } = *p;
    refused(
        format!("the API refused `{}`{from}: Facebook needs a non-empty text", f.key),
    )
    .at(
        span,
        match &f.value {
            Some(v) if !v.trim().is_empty() => format!("Facebook found this empty (with this data: {})", clip_quoted(v)),
            Some(_) | None if f.absent => "empty: the data it reads is absent".to_string(),
            Some(_) => "empty with this data".to_string(),
            None => "Facebook found this empty".to_string(),
        },
    )
    .help(match (f.data.first(), f.written.first()) {
        (Some(p), Some(_)) if f.expression => format!("make sure `{p}` gives a non-empty text, or add a fallback to the expression: `or '...'`"),
        (Some(p), Some(w)) => format!("give `{p}` a non-empty value in the data, or a fallback in the template: `\"{{{{ {w} or '...' }}}}\"`"),
        (Some(p), None) => format!("make sure `{p}` gives a non-empty text, or add a fallback to the expression: `or '...'`"),
        _ => "write a non-empty text".to_string(),
    })
}

/// Any other refusal at the part that writes the parameter (M5001 when the template writes it only in part).
fn elsewhere(p: &Place<'_>, param: &Param, full: bool) -> Diagnostic {
    let Place {
        refused,
        span,
        from,
        ..
    } = *p;
    let (refused, intro) = if full {
        (
            refused,
            format!("the API refused the message at `{}`{from}", param.written),
        )
    } else {
        (codes::m5001_api_refused as fn(String) -> Diagnostic, format!("the API refused the message at `{}`{from}, which this template writes only in part", param.written))
    };
    refused(intro)
        .at(span, format!("Facebook's `{}` comes from here", param.written))
        .help("fix this part as the API's message says (see the note), then check the message with `missive render`")
}

/// A value in quotes, cut to a readable length.
fn clip_quoted(v: &str) -> String {
    format!("\"{}\"", clip(v, 40))
}

/// Keys of Messenger's message model, from missive's schema, for "did you mean" on invalid
/// keys.
fn messenger_keys() -> Vec<&'static str> {
    use crate::model::schema::{self, BlockKind};
    let kinds = [
        BlockKind::Image,
        BlockKind::Carousel,
        BlockKind::GenericElement,
        BlockKind::DefaultAction,
        BlockKind::Receipt,
        BlockKind::ReceiptElement,
        BlockKind::Address,
        BlockKind::Summary,
        BlockKind::Adjustment,
    ];
    let specs = kinds.iter().filter_map(|k| schema::spec(*k, None)).chain(
        schema::BUTTON_TYPES
            .iter()
            .filter_map(|t| schema::spec(BlockKind::Button, Some(t))),
    );
    // The message's own keys, and those of attachments and quick replies.
    let mut keys = vec![
        "text",
        "attachment",
        "type",
        "payload",
        "template_type",
        "quick_replies",
        "content_type",
    ];
    for s in specs {
        keys.extend(s.fields.iter().map(|f| f.name));
        keys.extend(s.constants.iter().map(|(k, _)| *k));
        keys.extend(s.reserved.iter().copied());
        keys.extend(s.children.iter().map(|c| c.key));
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn near_key(key: &str) -> Option<&'static str> {
    messenger_keys()
        .into_iter()
        .map(|k| (strsim::jaro_winkler(key, k), k))
        .filter(|(score, k)| *score > 0.85 && *k != key)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests;
