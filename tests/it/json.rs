//! missive reads and writes JSON with its own code, for speed and for spans: the data reader
//! (`missive::json::parse`) and the string escaper of the renderer. Both must agree with
//! serde_json, over arbitrary input: the reader on which texts are JSON and what they mean, the
//! escaper byte for byte.

use proptest::prelude::*;
use serde_json::Value;

use missive::json::{Json, Node};

/// Any string, weighted towards what needs care in JSON: quotes, backslashes, control
/// characters, surrogate pairs, `/`, DEL, a byte order mark, line separators.
fn tricky_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(String::from),
        2 => "[a-zA-Z0-9 ]{1,8}",
        1 => prop::sample::select(vec![
            "\"", "\\", "/", "\u{0}", "\u{1}", "\u{8}", "\u{c}", "\n", "\r", "\t", "\u{1f}",
            "\u{7f}", "\u{80}", "\u{feff}", "\u{2028}", "\u{2029}", "é", "😀", "\\u0041",
            "{{", "}}", "</script>",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Any JSON value serde_json can write: every kind of number, strings as above, keys too.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        tricky_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((tricky_string(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A piece of JSON's grammar, a near miss, or a stray character.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"", "\"a\"", "\"k\":", " ", "\n", "\t", "\r",
            "0", "1", "7", "-", ".", "e", "E", "+", "12.50", "-0", "01", "1.", ".5", "1e",
            "1e400", "-1e-400", "123456789012345678901234567890",
            "true", "false", "null", "tru", "nul", "True", "NaN", "Infinity",
            "\\", "\\\"", "\\n", "\\/", "\\b", "\\x", "\\u", "\\u00e9", "\\u12", "\\uD83D",
            "\\uDE00", "\\ud83d\\ude00", "\\uDC00", "\\u0000",
            "\u{0}", "\u{1f}", "\u{7f}", "é", "😀", "\u{feff}", "\u{a0}", "//", "/*", "'",
        ])
        .prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Text that is often almost JSON: a few tokens in any order.
fn json_ish() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 1..8).prop_map(|tokens| tokens.concat())
}

/// A valid document with a token inserted, or a character removed or replaced by one, once
/// or a few times.
fn damaged() -> impl Strategy<Value = String> {
    let edit = (any::<prop::sample::Index>(), 0..3u8, token());
    (value(), prop::collection::vec(edit, 1..4)).prop_map(|(v, edits)| {
        let mut text = v.to_string();
        for (at, how, token) in edits {
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let i = bounds[at.index(bounds.len())];
            let next = bounds.iter().copied().find(|&b| b > i);
            match (how, next) {
                (1, Some(next)) => text.replace_range(i..next, ""),
                (2, Some(next)) => text.replace_range(i..next, &token),
                _ => text.insert_str(i, &token),
            }
        }
        text
    })
}

/// What missive read, as serde_json's value: numbers through serde_json's reading of the text
/// missive kept (`None` if that text is out of serde_json's range), a repeated key's last value.
fn to_value(node: &Node<'_>) -> Option<Value> {
    Some(match &node.value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => serde_json::from_str(n).ok()?,
        Json::String(s) => Value::String(s.to_string()),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect::<Option<_>>()?),
        Json::Object(members) => {
            let mut map = serde_json::Map::new();
            for m in members {
                map.insert(m.key.to_string(), to_value(&m.value)?);
            }
            Value::Object(map)
        }
    })
}

/// The numbers' texts as missive kept them, in document order.
fn number_texts<'a>(node: &Node<'a>, out: &mut Vec<&'a str>) {
    match &node.value {
        Json::Number(n) => out.push(n),
        Json::Array(items) => items.iter().for_each(|n| number_texts(n, out)),
        Json::Object(members) => members.iter().for_each(|m| number_texts(&m.value, out)),
        _ => {}
    }
}

/// `text` is JSON for missive exactly when it is for serde_json, and then means the same; a
/// refusal is a located M3001 inside the text.
fn agrees_with_serde_json(text: &str) -> Result<(), TestCaseError> {
    // A byte order mark is skipped, as editors write one; serde_json refuses it.
    let without_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let theirs = serde_json::from_str::<Value>(without_bom);
    match (missive::json::parse(text), theirs) {
        (Ok(ours), Ok(theirs)) => {
            prop_assert_eq!(to_value(&ours), Some(theirs), "{:?}", text);
            prop_assert_eq!(ours.span.end as usize, text.trim_end().len());
        }
        (Err(d), Err(_)) => {
            prop_assert_eq!(d.code, missive::Code::InvalidJson);
            let span = d.primary().expect("a located error").span;
            prop_assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "{:?} outside {:?}",
                span,
                text
            );
        }
        // Numbers are kept as written: one beyond f64 (`1e400`) is text missive accepts and
        // serde_json refuses. Nothing else may differ.
        (Ok(ours), Err(e)) if e.to_string().starts_with("number out of range") => {
            prop_assert_eq!(to_value(&ours), None, "{:?}", text);
        }
        (Ok(ours), Err(e)) => {
            return Err(TestCaseError::fail(format!(
                "missive accepts what serde_json refuses ({e}): {text:?} read as {ours:?}"
            )));
        }
        (Err(d), Ok(v)) => {
            return Err(TestCaseError::fail(format!(
                "missive refuses what serde_json reads as {v}: {text:?}\n{d:#?}"
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn the_reader_reads_what_serde_json_writes(v in value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            serde_json::to_string(&v).unwrap()
        };
        agrees_with_serde_json(&text)?;
        // Numbers keep their text as written.
        let node = missive::json::parse(&text).unwrap();
        let mut ours = Vec::new();
        number_texts(&node, &mut ours);
        let mut theirs = Vec::new();
        numbers_written(&v, &mut theirs);
        prop_assert_eq!(ours, theirs);
    }

    #[test]
    fn the_reader_agrees_with_serde_json_on_json_ish_text(text in json_ish()) {
        agrees_with_serde_json(&text)?;
    }

    #[test]
    fn the_reader_agrees_with_serde_json_on_damaged_json(text in damaged()) {
        agrees_with_serde_json(&text)?;
    }

    #[test]
    fn the_reader_agrees_with_serde_json_on_any_text(text in any::<String>()) {
        agrees_with_serde_json(&text)?;
    }
}

/// The numbers' texts as serde_json writes them, in the order it writes them.
fn numbers_written(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| numbers_written(v, out)),
        Value::Object(map) => map.values().for_each(|v| numbers_written(v, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The escaper: strings missive writes are serde_json's, byte for byte.

/// A template that writes the data's `s` as a string of its own, in `extra` (which has no
/// length limit), after a fixed text.
fn echo_template() -> missive::Template {
    let source =
        "notification echo\ninput { s: string }\ntext \"x\"\nextra { \"echo\": \"{{ s }}\" }\n";
    let compiled = missive::compile(source, &missive::Options::default());
    compiled
        .template
        .unwrap_or_else(|| panic!("{:#?}", compiled.diagnostics))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn rendered_strings_are_escaped_as_serde_json_escapes_them(s in tricky_string()) {
        let template = echo_template();
        let data_text = serde_json::json!({ "s": s }).to_string();
        let data = missive::json::parse(&data_text).unwrap();
        let mut out = Vec::new();
        let rendered = template.render_to(&mut out, &data);
        prop_assert!(rendered.is_ok(), "{:#?}", rendered);
        let expected = format!(
            "{{\"text\":\"x\",\"echo\":{}}}",
            serde_json::to_string(&s).unwrap()
        );
        prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
