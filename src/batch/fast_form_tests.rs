//! The fast form against the usual way (spanned parse, data checks, render), on the
//! templates of the fixtures with their data, mutated: the same verdict for every record, and
//! byte for byte the same output for every record the fast form takes.

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value as J;

use crate::check::data;
use crate::ir::Template;
use crate::render::RequestOptions;
use crate::{compile, Options};

/// The bench's carousel, as a template and a record.
const CAROUSEL: &str = include_str!("../../benches/carousel_bench.missive");

/// Every typed input at once: optional values, ranges, integers, booleans, nested objects and
/// lists, conditions and expressions.
const TYPES: &str = r#"notification types
input {
  name: string max 20
  nick?: string max 8
  age: integer 0..130
  score?: number
  vip: bool
  tags?: list max 3 of string max 10
  link?: url max 40
  order: { id: string max 12, lines: list max 4 of { sku: string max 8, qty: integer, price?: number 0..1000 } }
}
text "Hi {{ name }}{% if nick %} ({{ nick | upper }}){% endif %}, {{ age }} years, {{ tags | join(', ') if tags else 'no tags' }}{{ ' VIP' if vip else '' }}"
carousel {
  for line in order.lines {
    element {
      title: "{{ line.sku }} x {{ line.qty }}"
      subtitle: "Order {{ order.id }}: {{ line.price or 'free' }}"
    }
  }
  if link {
    element { title: "More", button web_url { title: "Open", url: link } }
  }
}
"#;

const TYPES_RECORD: &str = r#"{"name": "Léa \"Lou\"", "nick": "lou", "age": 34, "score": 2.5e3, "vip": true,
  "tags": ["a\tb", "ünï", "x"], "link": "https://shop.example/a?b=c",
  "order": {"id": "A-1", "lines": [{"sku": "S1", "qty": 2, "price": 19.90}, {"sku": "S2", "qty": 1, "price": null}]}}"#;

/// The templates of the fixtures that come with data, and the two above.
fn corpus() -> Vec<(Template, String)> {
    let mut out = Vec::new();
    for (source, data) in [(CAROUSEL, carousel_record()), (TYPES, TYPES_RECORD.into())] {
        out.push((compile(source, &Options::default()).template.unwrap(), data));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for dir in ["render", "check", "ten"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "missive"))
            .collect();
        files.sort();
        for path in files {
            let Ok(data) = std::fs::read_to_string(path.with_extension("json")) else {
                continue;
            };
            let source = std::fs::read_to_string(&path).unwrap();
            if let Some(t) = compile(&source, &Options::default()).template {
                out.push((t, data));
            }
        }
    }
    out
}

fn carousel_record() -> String {
    let products: Vec<String> = (0..10)
        .map(|i| format!(r#"{{"id":"{i}","title":"Classic T-Shirt number {i}","subtitle":"Soft cotton","image":"https://shop.example/img/item{i}.png","price":{i}9.90}}"#))
        .collect();
    format!(
        r#"{{"greeting":"hello, customer!","products":[{}]}}"#,
        products.join(",")
    )
}

/// The usual way, as the batch does it: the body, or `None` when the record is rejected;
/// and whether it said anything (warnings too).
fn usual(t: &Template, text: &str, request: Option<&RequestOptions>) -> (Option<Vec<u8>>, bool) {
    let (node, warnings) = match data::prepare(t, text) {
        Ok(x) => x,
        Err(_) => return (None, true),
    };
    let Ok(t) = data::for_record(t, &node) else {
        return (None, true);
    };
    let mut out = Vec::new();
    match t.render_owned(&mut out, &node, request) {
        Ok(w) => (Some(out), !(warnings.is_empty() && w.is_empty())),
        Err(_) => (None, true),
    }
}

/// Asserts that the fast form takes exactly the records the usual way renders without a
/// word, and writes the same bytes for them.
fn same(t: &Template, text: &str, request: Option<&RequestOptions>) -> Result<bool, String> {
    let mut fast = Vec::new();
    let took = t.render_fast(&mut fast, text, request);
    let (body, said) = usual(t, text, request);
    let clean = body.is_some() && !said;
    if took != clean {
        return Err(format!(
            "fast form took it: {took}, usual way rendered it without a word: {clean}\n{text}"
        ));
    }
    if took && body.as_deref() != Some(fast.as_slice()) {
        return Err(format!(
            "different bodies for {text}\nfast:  {}\nusual: {}",
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(body.as_deref().unwrap_or_default())
        ));
    }
    Ok(took)
}

#[test]
fn every_fixture_record_takes_the_fast_form_or_says_why() {
    let mut taken = 0;
    let corpus = corpus();
    assert!(corpus.len() > 10, "{} templates with data", corpus.len());
    for (t, data) in &corpus {
        taken += usize::from(same(t, data, None).unwrap());
        let request = RequestOptions {
            page_id: "12345".into(),
            ..Default::default()
        };
        same(t, data, Some(&request)).unwrap();
    }
    // Many fixtures' data is bad on purpose (`err_data_*`); the good ones are taken.
    assert!(taken >= 15, "{taken} of {}", corpus.len());
}

#[test]
fn good_records_with_escapes_non_ascii_nulls_and_limits_take_the_fast_form() {
    let t = compile(TYPES, &Options::default()).template.unwrap();
    let long = "é".repeat(20);
    for record in [
        TYPES_RECORD.to_string(),
        // At the limits: 20 characters of two bytes, lists at their `max`.
        format!(
            r#"{{"name":"{long}","age":130,"vip":false,"tags":["1","2","3"],"order":{{"id":"x","lines":[{{"sku":"a","qty":1}},{{"sku":"b","qty":2}},{{"sku":"c","qty":3}},{{"sku":"d","qty":4}}]}}}}"#
        ),
        // Escapes of every kind, a surrogate pair, optional values `null`, spaces around.
        r#" { "name" : "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00" , "nick": null, "age": 0, "vip": true, "link": null, "tags": null,
            "order": {"id": "\u0041", "lines": [{"sku": "s", "qty": -0, "price": 1000}]} } "#
            .to_string(),
    ] {
        assert!(same(&t, &record, None).unwrap(), "{record}");
    }
    // A record over a limit, with an unknown key, a repeated one, a wrong type: the usual way.
    for record in [
        format!(r#"{{"name":"{long}x","age":1,"vip":true,"order":{{"id":"x","lines":[]}}}}"#),
        r#"{"name":"a","age":1,"vip":true,"order":{"id":"x","lines":[]},"extra":1}"#.into(),
        r#"{"name":"a","name":"b","age":1,"vip":true,"order":{"id":"x","lines":[]}}"#.into(),
        r#"{"name":"a","age":1.5,"vip":true,"order":{"id":"x","lines":[]}}"#.into(),
        r#"{"name":"a","age":1,"vip":true,"order":{"id":"x","lines":[]},"link":"https://a b"}"#
            .into(),
        r#"{"name":"a","age":1,"vip":true,"order":{"id":"x","lines":[null]}}"#.to_string(),
    ] {
        assert!(!same(&t, &record, None).unwrap(), "{record}");
    }
}

/// A change to a record, at the `at`-th value of the record (in a walk of the value).
#[derive(Debug, Clone)]
enum Mutation {
    Null,
    Remove,
    Unknown,
    Text(&'static str),
    Long(usize),
    Number(&'static str),
    Bool,
    Url(&'static str),
    Repeat(usize),
    Empty,
}

fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
    let m = prop_oneof![
        Just(Mutation::Null),
        Just(Mutation::Remove),
        Just(Mutation::Unknown),
        prop::sample::select(vec![
            "a\"b",
            "back\\slash",
            "tab\there\nnew line",
            "\u{1}ctl",
            "é à ü 😀",
            "",
            " ",
            "*bold* _it_",
            "12",
            "<b>x</b>",
            // Longer than the parse's sixteen-byte chunks, markup in the first, the second
            // or the last of them, and after an escape.
            "a plain text longer than a chunk, then *bold* at its end",
            "*bold* first, then a plain text longer than a chunk",
            "sixteen bytes..._and here_",
            "Ben &amp; Jerry's, in a text of more than sixteen bytes",
            "a text with an escape \"here\" then <b>markup</b> after it",
        ])
        .prop_map(Mutation::Text),
        prop::sample::select(vec![
            5usize, 8, 10, 12, 13, 20, 21, 30, 40, 41, 60, 61, 80, 81, 100, 101, 640, 641, 2001
        ])
        .prop_map(Mutation::Long),
        prop::sample::select(vec![
            "0",
            "-0",
            "7",
            "3.0",
            "-2.5",
            "1e3",
            "1E-7",
            "1e400",
            "1e21",
            "0.0000001",
            "12345678901234567890",
            "1000",
            "1000.5",
            "130",
            "131",
        ])
        .prop_map(Mutation::Number),
        Just(Mutation::Bool),
        prop::sample::select(vec![
            "https://a.example/x",
            "http://a.example",
            "https://a.example/x y",
            "ftp://a.example/x",
            "https:/a.example",
            "a.example/x",
            "https://10.0.0.1/x",
            "HTTPS://A.EXAMPLE/é",
            "https://a.example:8080/x",
            "https://very-long-host.example/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ])
        .prop_map(Mutation::Url),
        (0usize..12).prop_map(Mutation::Repeat),
        Just(Mutation::Empty),
    ];
    (any::<usize>(), m)
}

/// The values of `v`, depth first, as JSON pointers.
fn pointers(v: &J, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        J::Object(m) => {
            for (k, v) in m {
                pointers(v, format!("{at}/{k}"), out);
            }
        }
        J::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn apply(v: &mut J, (at, m): &(usize, Mutation)) {
    let mut all = Vec::new();
    pointers(v, String::new(), &mut all);
    let ptr = &all[at % all.len()];
    if let Mutation::Remove = m {
        if let Some((parent, key)) = ptr.rsplit_once('/') {
            match v.pointer_mut(parent) {
                Some(J::Object(o)) => {
                    o.remove(key);
                }
                Some(J::Array(a)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        a.remove(i);
                    }
                }
                _ => {}
            }
        }
        return;
    }
    let Some(target) = v.pointer_mut(ptr) else {
        return;
    };
    match m {
        Mutation::Null => *target = J::Null,
        Mutation::Remove => {}
        Mutation::Unknown => {
            if let J::Object(o) = target {
                o.insert("unknown_key".into(), J::from(1));
            }
        }
        Mutation::Text(s) => *target = J::from(*s),
        Mutation::Long(n) => *target = J::from("é".repeat(*n / 2) + &"a".repeat(*n % 2)),
        Mutation::Number(n) => *target = serde_json::from_str(n).unwrap_or(J::Null),
        Mutation::Bool => *target = J::from(!target.as_bool().unwrap_or(false)),
        Mutation::Url(u) => *target = J::from(*u),
        Mutation::Repeat(n) => {
            if let J::Array(a) = target {
                if let Some(last) = a.last().cloned() {
                    a.extend(std::iter::repeat_n(last, *n));
                }
            }
        }
        Mutation::Empty => {
            *target = match target {
                J::Array(_) => J::Array(Vec::new()),
                _ => J::Object(Default::default()),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn fast_form_and_usual_way_agree_on_mutated_records(
        which in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 0..4),
        repeat_first_key in any::<bool>(),
        pretty in any::<bool>(),
        request in any::<bool>(),
    ) {
        thread_local! {
            static CORPUS: Vec<(Template, String)> = corpus();
        }
        CORPUS.with(|corpus| -> Result<(), TestCaseError> {
            let (t, data) = &corpus[which % corpus.len()];
            let Ok(mut v) = serde_json::from_str::<J>(data) else { return Ok(()) };
            for m in &mutations {
                apply(&mut v, m);
            }
            let mut text = if pretty {
                serde_json::to_string_pretty(&v).unwrap()
            } else {
                serde_json::to_string(&v).unwrap()
            };
            // A repeated key: the first member again, in front.
            if repeat_first_key {
                if let Some((k, first)) = v.as_object().and_then(|o| o.iter().next()) {
                    text = format!("{{{}:{},{}", J::from(k.as_str()), first, &text[1..]);
                }
            }
            let options = RequestOptions { page_id: "12345".into(), ..Default::default() };
            same(t, &text, request.then_some(&options)).map_err(TestCaseError::fail)?;
            Ok(())
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Broken JSON too (cut short, a byte removed, a stray character put in): whatever the
    /// spanned reader refuses, the fast form gives up on.
    #[test]
    fn fast_form_and_usual_way_agree_on_broken_text(
        which in any::<usize>(),
        edits in prop::collection::vec(
            (any::<usize>(), 0u8..3, prop::sample::select(vec![
                ",", "}", "]", "{", "[", "\"", "\\", " ", "0", "-", ".", "e", "+", ":", "\n",
                "\u{1}", "x", "\u{feff}", "é", "\\u", "\\ud83d", "null", "tru", "01", "1.", "1e",
            ])),
            1..3,
        ),
    ) {
        thread_local! {
            static CORPUS: Vec<(Template, String)> = corpus();
        }
        CORPUS.with(|corpus| -> Result<(), TestCaseError> {
            let (t, data) = &corpus[which % corpus.len()];
            let mut text = data.trim().to_string();
            for (at, op, piece) in &edits {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match op {
                    0 => text.truncate(at),
                    1 => {
                        if let Some(c) = text[at..].chars().next() {
                            text.replace_range(at..at + c.len_utf8(), "");
                        }
                    }
                    _ => text.insert_str(at, piece),
                }
            }
            same(t, &text, None).map_err(TestCaseError::fail)?;
            Ok(())
        })?;
    }
}
