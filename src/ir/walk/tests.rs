//! Render and trace are the same walk with different sinks: over arbitrary data generated from
//! each template's input types, the trace has the shape of the rendered message. Also unit
//! tests of the check-time counting sink on loops and conditions.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

use crate::diagnostic::Code;
use crate::model::types::{ObjTy, Ty};
use crate::render::{Produced, ProducedObject};
use crate::{compile, Options, Template};

/// Data of the declared types: strings of random lengths (around the declared `max`), lists of
/// random sizes (up to one beyond the declared `max`), optional fields absent, null or present.
fn value_of(ty: &Ty) -> BoxedStrategy<Value> {
    match ty {
        Ty::String { max } => {
            let most = max.map_or(40, |m| m as usize + 2).min(120);
            let random = proptest::collection::vec(
                prop_oneof![
                    40 => proptest::char::range('a', 'z'),
                    4 => Just(' '),
                    1 => Just('é'),
                    1 => Just('😀'),
                    1 => Just('"'),
                    1 => Just('\\'),
                    1 => Just('\n'),
                ],
                1..=most.max(1),
            )
            .prop_map(|chars| chars.into_iter().collect::<String>());
            // Some string fields have a form (a currency, a country, a timestamp).
            let formed = proptest::sample::select(&["EUR", "USD", "FR", "US", "1428444852"][..])
                .prop_map(str::to_string);
            prop_oneof![
                10 => random,
                10 => formed,
                1 => Just(String::new()),
            ]
            .prop_map(Value::String)
            .boxed()
        }
        Ty::Url { .. } => prop_oneof![
            30 => "[a-z0-9/]{0,20}".prop_map(|p| Value::String(format!("https://shop.example/{p}"))),
            1 => Just(Value::String("not a url".into())),
            1 => Just(Value::String(String::new())),
        ]
        .boxed(),
        Ty::Number { .. } => prop_oneof![
            (-1000i64..100_000).prop_map(|n| json!(n)),
            (0u32..1_000_000).prop_map(|c| json!(f64::from(c) / 100.0)),
        ]
        .boxed(),
        Ty::Integer { .. } => (-5i64..1000).prop_map(|n| json!(n)).boxed(),
        Ty::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Ty::Object(o) => object_of(o),
        Ty::List { max, item } => {
            // Mostly within the declared `max`, sometimes one beyond.
            let max = max.map_or(4, |m| m as usize).min(11);
            prop_oneof![
                12 => proptest::collection::vec(value_of(item), 0..=max),
                1 => proptest::collection::vec(value_of(item), max + 1),
            ]
            .prop_map(Value::Array)
            .boxed()
        }
        Ty::Unknown => Just(Value::Null).boxed(),
    }
}

fn object_of(o: &ObjTy) -> BoxedStrategy<Value> {
    let mut fields: BoxedStrategy<Vec<(String, Option<Value>)>> = Just(Vec::new()).boxed();
    for f in &o.fields {
        let name = f.name.clone();
        let value = if f.optional {
            prop_oneof![
                1 => Just(None),
                1 => Just(Some(Value::Null)),
                3 => value_of(&f.ty).prop_map(Some),
            ]
            .boxed()
        } else {
            value_of(&f.ty).prop_map(Some).boxed()
        };
        fields = (fields, value)
            .prop_map(move |(mut fields, v)| {
                fields.push((name.clone(), v));
                fields
            })
            .boxed();
    }
    fields
        .prop_map(|fields| {
            Value::Object(
                fields
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| (k, v)))
                    .collect::<Map<_, _>>(),
            )
        })
        .boxed()
}

/// The rendered object and its trace have the same keys, and each list the same items.
fn same(path: &str, value: &Value, traced: &ProducedObject) -> Result<(), String> {
    let Some(obj) = value.as_object() else {
        return Err(format!("{path}: not an object"));
    };
    for (key, v) in obj {
        let Some((_, member)) = traced.members.iter().find(|(k, _)| **k == **key) else {
            return Err(format!("{path}: `{key}` is not in the trace"));
        };
        match (member, v) {
            (Produced::Object(o), _) => same(&format!("{path}.{key}"), v, o)?,
            (Produced::List(l), Value::Array(items)) => {
                if l.items.len() != items.len() {
                    return Err(format!(
                        "{path}.{key}: {} items traced, {} rendered",
                        l.items.len(),
                        items.len()
                    ));
                }
                for (i, (o, v)) in l.items.iter().zip(items).enumerate() {
                    same(&format!("{path}.{key}[{i}]"), v, o)?;
                }
            }
            (Produced::Field(f), _) if f.absent => {
                return Err(format!("{path}.{key} is rendered but traced as absent"))
            }
            (Produced::Field(_) | Produced::Const | Produced::Extra { .. }, _) => {}
            (other, v) => return Err(format!("{path}.{key}: {other:?} for {v}")),
        }
    }
    // What the trace has and render left out: absent fields and empty lists only.
    for (key, m) in &traced.members {
        if obj.contains_key(&**key) {
            continue;
        }
        match m {
            Produced::Field(f) if f.absent => {}
            Produced::List(l) if l.items.is_empty() => {}
            other => return Err(format!("{path}.{key}: {other:?} is not rendered")),
        }
    }
    Ok(())
}

/// The bundled templates and the fixtures, each with the profile named in its header
/// (`// profile: messenger`) when it has one.
fn sources() -> Vec<(PathBuf, String)> {
    fn collect(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                collect(&p, out);
            } else if p.extension().is_some_and(|e| e == "missive") {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push((p, text));
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    collect(&root.join("templates"), &mut out);
    collect(&root.join("tests/fixtures"), &mut out);
    out
}

/// Renders and traces one record; `Ok(false)` when this data does not render (its
/// diagnostics are render's business, tested elsewhere).
fn agree(t: &Template, data: &Value) -> Result<bool, TestCaseError> {
    let text = data.to_string();
    let node = crate::json::parse(&text).map_err(|d| TestCaseError::fail(d.message))?;
    // Traced without data, the walk takes every branch: it must not fail either.
    let _ = t.trace(None);
    let mut out = Vec::new();
    if t.render_to(&mut out, &node).is_err() {
        let _ = t.trace(Some(&node));
        return Ok(false);
    }
    let value: Value =
        serde_json::from_slice(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
    same("message", &value, &t.trace(Some(&node)))
        .map_err(|e| TestCaseError::fail(format!("{e}\ndata: {text}\nrendered: {value}")))?;
    Ok(true)
}

#[test]
fn the_trace_has_the_shape_of_the_render_over_arbitrary_data() {
    let mut templates = 0;
    let (mut cases, mut rendered) = (0usize, 0usize);
    for (path, text) in sources() {
        let options = Options {
            file_stem: path.file_stem().map(|s| s.to_string_lossy().into_owned()),
            ..Options::default()
        };
        let Some(t) = compile(&text, &options).template else {
            continue;
        };
        templates += 1;
        let bundled = path.parent().is_some_and(|p| p.ends_with("templates"));
        let mut runner = TestRunner::new(Config {
            cases: if bundled { 128 } else { 16 },
            failure_persistence: None,
            ..Config::default()
        });
        let here = std::cell::Cell::new(0usize);
        let result = runner.run(&object_of(&t.input), |data| {
            let ok = agree(&t, &data)?;
            here.set(here.get() + usize::from(ok));
            Ok(())
        });
        if let Err(e) = result {
            panic!("{}: {e}", path.display());
        }
        let n = runner.config().cases as usize;
        cases += n;
        rendered += here.get();
        assert!(
            !bundled || here.get() > 0,
            "{}: no generated record rendered, so nothing was compared",
            path.display()
        );
    }
    assert!(templates >= 40, "templates and fixtures found: {templates}");
    // Most records render: the comparison is not vacuous.
    assert!(
        rendered * 3 > cases,
        "only {rendered} of {cases} generated records rendered"
    );
}

/// The diagnostics of a template without data, as `code line:column` strings.
fn codes(source: &str) -> Vec<String> {
    let compiled = compile(source, &Options::default());
    let file = crate::SourceFile::new("t.missive", source);
    compiled
        .diagnostics
        .iter()
        .map(|d| {
            let at = d
                .primary()
                .map(|l| file.line_col(l.span.start as usize).line);
            format!("{} {}", d.code.as_str(), at.unwrap_or(0))
        })
        .collect()
}

#[test]
fn nested_loops_multiply_their_declared_max() {
    let source = "notification t\ninput { groups: list max 3 of { items: list max 4 of { t: string max 10 } } }\ncarousel {\n  for g in groups {\n    for i in g.items {\n      element { title: i.t, subtitle: \"x\" }\n    }\n  }\n}\n";
    let compiled = compile(source, &Options::default());
    let d = compiled
        .diagnostics
        .iter()
        .find(|d| d.code == Code::TooMany)
        .expect("a count warning");
    assert!(d.message.starts_with("there may be 12 "), "{}", d.message);
}

#[test]
fn an_if_counts_its_largest_branch_and_the_unbounded_else_first() {
    let bounded = "notification t\ninput { a: list max 4 of string, b: list max 12 of string, c?: bool }\ncarousel {\n  if c {\n    for x in a { element { title: x, subtitle: \"x\" } }\n  } else {\n    for y in b { element { title: y, subtitle: \"y\" } }\n  }\n}\n";
    let compiled = compile(bounded, &Options::default());
    let d = compiled
        .diagnostics
        .iter()
        .find(|d| d.code == Code::TooMany)
        .expect("a count warning");
    assert!(d.message.starts_with("there may be 12 "), "{}", d.message);

    // Both branches loop over unbounded lists: the `else`'s is the one reported.
    let unbounded = "notification t\ninput { a: list of string max 9, b: list of string max 9, c?: bool }\ncarousel {\n  if c {\n    for x in a { element { title: x, subtitle: \"x\" } }\n  } else {\n    for y in b { element { title: y, subtitle: \"y\" } }\n  }\n}\n";
    let found = codes(unbounded);
    let line = |l: usize| found.contains(&format!("{} {l}", Code::NoMaxDeclared));
    assert!(line(7) && !line(5), "{found:?}");
}

const LITERAL_RECEIPT: &str = r#"notification t
input { items: list max 3 of { title: string max 40, price: number } }
receipt {
  recipient_name: "Lisa Martin"
  order_number: "A1"
  currency: "EUR"
  payment_method: "Visa 5469"
  ELEMENTS
  summary { subtotal: 75.00, shipping_cost: 4.95, total_tax: 6.19, total_cost: 90.00 }
  adjustment { name: "Coupon", amount: 10 }
}
"#;

#[test]
fn literal_totals_are_checked_when_the_receipt_is_all_literal() {
    let fixed = LITERAL_RECEIPT.replace("ELEMENTS", r#"element { title: "Mug", price: 75.00 }"#);
    // 75.00 + 4.95 + 6.19 - 10 = 76.14, not 90.00.
    assert!(
        codes(&fixed)
            .iter()
            .any(|c| c.starts_with(&format!("{} ", Code::ReceiptTotals))),
        "{:?}",
        codes(&fixed)
    );
    // A loop among the receipt's lists: the totals are left to render, which sees the data.
    let looped = LITERAL_RECEIPT.replace(
        "ELEMENTS",
        "for i in items { element { title: i.title, price: i.price } }",
    );
    assert!(
        !codes(&looped)
            .iter()
            .any(|c| c.starts_with(&format!("{} ", Code::ReceiptTotals))),
        "{:?}",
        codes(&looped)
    );
}
