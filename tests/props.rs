//! Property tests: whatever the data or the source, missive never panics, and what it renders
//! is always valid JSON.

use proptest::prelude::*;
use serde_json::Value;

const BUNDLED: &[&str] = &[
    "text_only",
    "image_only",
    "carousel",
    "receipt",
    "order_confirmation",
    "back_in_stock",
    "shipping_update",
];

fn template(name: &str) -> missive::Template {
    let path = format!("{}/templates/{name}.missive", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(path).unwrap();
    missive::compile(&source, &missive::Options::default())
        .template
        .unwrap()
}

fn example(name: &str) -> Value {
    let path = format!("{}/examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,120}".prop_map(Value::String),
        prop_oneof![
            Just("https://shop.example/a.png"),
            Just("{{ x }}"),
            Just("</script>\"'"),
            Just("😀\u{0}\n")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 64, 12, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..12).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the leaf at `pick` (in a depth-first walk) with `with`: data that is almost right.
fn mutate(v: &mut Value, pick: &mut usize, with: &Value) {
    match v {
        Value::Object(m) => m.values_mut().for_each(|x| mutate(x, pick, with)),
        Value::Array(a) => a.iter_mut().for_each(|x| mutate(x, pick, with)),
        leaf => {
            if *pick == 0 {
                *leaf = with.clone();
            }
            *pick = pick.wrapping_sub(1);
        }
    }
}

/// Renders and checks the outcome: valid JSON, or diagnostics that all have a label.
fn render_is_sound(t: &missive::Template, data_text: &str) {
    let Ok(data) = missive::json::parse(data_text) else {
        return;
    };
    let _ = missive::check::data::validate(&data, &t.input);
    let mut out = Vec::new();
    match t.render_to(&mut out, &data) {
        Ok(_) => {
            serde_json::from_slice::<Value>(&out).unwrap_or_else(|e| {
                panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(&out))
            });
        }
        Err(diags) => {
            assert!(out.is_empty(), "a failed render wrote output");
            assert!(!diags.is_empty());
            assert!(diags.iter().all(|d| !d.labels.is_empty()), "{diags:#?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn rendering_arbitrary_data_never_panics(which in 0..BUNDLED.len(), data in arb_json()) {
        let t = template(BUNDLED[which]);
        render_is_sound(&t, &data.to_string());
    }

    #[test]
    fn rendering_almost_right_data_never_panics(which in 0..BUNDLED.len(), pick in 0usize..64, with in arb_json()) {
        let name = BUNDLED[which];
        let mut data = example(name);
        let mut p = pick;
        mutate(&mut data, &mut p, &with);
        render_is_sound(&template(name), &data.to_string());
    }

    #[test]
    fn arbitrary_bytes_as_data_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        render_is_sound(&template("receipt"), &text);
    }

    #[test]
    fn compiling_arbitrary_source_never_panics(source in "(notification x\n)?([a-z_]{1,8}|[{}:,\"\\n ]|\"\"\"|\\{\\{|%\\}|//|for|if|else|in|[0-9.]{1,4}|\\\\){0,60}") {
        let compiled = missive::compile(&source, &missive::Options::default());
        for d in &compiled.diagnostics {
            for l in &d.labels {
                prop_assert!(l.span.end as usize <= source.len(), "{d:?}");
                prop_assert!(source.is_char_boundary(l.span.start as usize) && source.is_char_boundary(l.span.end as usize), "{d:?}");
            }
        }
    }

    #[test]
    fn compiling_mangled_bundled_templates_never_panics(which in 0..BUNDLED.len(), cut in 0usize..2000, insert in "[{}\"\\n:]{0,3}") {
        let path = format!("{}/templates/{}.missive", env!("CARGO_MANIFEST_DIR"), BUNDLED[which]);
        let mut source = std::fs::read_to_string(path).unwrap();
        let mut at = cut.min(source.len());
        while !source.is_char_boundary(at) { at -= 1; }
        source.insert_str(at, &insert);
        let compiled = missive::compile(&source, &missive::Options::default());
        if compiled.template.is_none() {
            prop_assert!(compiled.diagnostics.iter().any(|d| d.is_error()));
        }
    }
}
