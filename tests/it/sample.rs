//! `missive::sample`: sample data made from a template's `input`, plausible or worst case.

use missive::sample::{generate, generate_json, SampleKind};
use missive::{Options, Template};
use serde_json::Value;

use crate::common::{read, BUNDLED};

fn bundled(name: &str) -> Template {
    let source = read(&format!("templates/{name}.missive"));
    let c = missive::compile(&source, &Options::default());
    c.template
        .unwrap_or_else(|| panic!("{name}: {:#?}", c.diagnostics))
}

fn compiled(source: &str) -> Template {
    let c = missive::compile(source, &Options::default());
    c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics))
}

/// Every diagnostic of `check --data` for the sample, as `code: message` lines.
fn check(template: &Template, data: &str) -> Vec<String> {
    missive::driver::check_data(template, data)
        .iter()
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect()
}

#[test]
fn the_plausible_sample_of_every_bundled_template_checks_and_renders_clean() {
    for name in BUNDLED {
        let t = bundled(name);
        let text = generate_json(&t, SampleKind::Plausible);
        assert_eq!(check(&t, &text), Vec::<String>::new(), "{name}:\n{text}");
        let data = missive::json::parse(&text).unwrap();
        let body = t
            .render_value(&data)
            .unwrap_or_else(|d| panic!("{name}: {d:#?}"));
        assert!(body.is_object(), "{name}: {body}");
        // The value and the text are the same sample.
        assert_eq!(
            generate(&t, SampleKind::Plausible),
            serde_json::from_str::<Value>(&text).unwrap()
        );
    }
}

/// Walks a sample beside the template's input schema: every string with a `maxLength` is that
/// many characters long, every list with `maxItems` has that many items, and every declared
/// property is present. Returns how many maxima were reached.
fn assert_at_max(schema: &Value, sample: &Value, path: &str) -> usize {
    let mut reached = 0;
    // Read into a receipt's `timestamp`, which Messenger shows as a date: the sample keeps a
    // real Unix time in seconds (a longer one would read as milliseconds, M4005).
    if path == "order_confirmation.order.placed_at" {
        assert_eq!(sample, "1764930000");
        return 0;
    }
    if let Some(max) = schema["maxLength"].as_u64() {
        let s = sample
            .as_str()
            .unwrap_or_else(|| panic!("{path}: {sample}"));
        assert_eq!(s.chars().count() as u64, max, "{path}: {s:?}");
        reached += 1;
    }
    if let Some(props) = schema["properties"].as_object() {
        for (key, sub) in props {
            let value = sample
                .get(key)
                .unwrap_or_else(|| panic!("{path}.{key} is missing: {sample}"));
            reached += assert_at_max(sub, value, &format!("{path}.{key}"));
        }
    }
    if schema.get("items").is_some() {
        let items = sample
            .as_array()
            .unwrap_or_else(|| panic!("{path}: {sample}"));
        if let Some(max) = schema["maxItems"].as_u64() {
            assert_eq!(items.len() as u64, max, "{path}");
            reached += 1;
        }
        for (i, item) in items.iter().enumerate() {
            reached += assert_at_max(&schema["items"], item, &format!("{path}[{i}]"));
        }
    }
    reached
}

#[test]
fn the_worst_case_puts_every_string_and_list_at_its_declared_max() {
    let mut reached = 0;
    for name in BUNDLED {
        let t = bundled(name);
        let worst = generate(&t, SampleKind::WorstCase);
        let schema = missive::input_schema::of_template(&t).to_value();
        reached += assert_at_max(&schema, &worst, name);
        // Still data the template accepts; and where `check` foresees no limit broken, none is.
        let foreseen = missive::compile(
            &read(&format!("templates/{name}.missive")),
            &Options::default(),
        )
        .diagnostics
        .iter()
        .any(|d| d.code.as_str() == "M2001");
        let problems = check(&t, &generate_json(&t, SampleKind::WorstCase));
        assert!(foreseen || problems.is_empty(), "{name}: {problems:#?}");
    }
    // The receipt alone has 100 items of two strings with a `max`.
    assert!(reached > 200, "{reached}");
}

#[test]
fn the_worst_case_text_is_multibyte_and_counted_in_characters() {
    let t = bundled("back_in_stock");
    let worst = generate(&t, SampleKind::WorstCase);
    let name = worst["product"]["name"].as_str().unwrap();
    assert_eq!(name.chars().count(), 60);
    assert!(name.len() > 60, "{name:?} is all ASCII");
    // Read into the customer_id: characters that need no encoding in the request path.
    let sku = worst["product"]["sku"].as_str().unwrap();
    assert_eq!(sku.chars().count(), 16);
    assert!(
        sku.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
        "{sku:?}"
    );
}

/// The first number after `after` in `text`.
fn number_after(text: &str, after: &str) -> usize {
    let rest = &text[text
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} in {text:?}"))
        + after.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("a number after {after:?} in {text:?}"))
}

#[test]
fn the_worst_case_renders_as_long_as_the_check_foresees() {
    // `title` reads an optional and a required string: the check adds their `max` to the
    // literal text, and the worst case must reach exactly that, no more and no less.
    let source = "notification t\ninput {\n  first_name?: string max 20\n  product: { name: string max 60, url: url }\n}\ncarousel {\n  element {\n    title: \"{% if first_name %}{{ first_name }}, {% endif %}{{ product.name }} is back\"\n    subtitle: \"Now in stock\"\n    default_action { url: product.url }\n  }\n}\n";
    let c = missive::compile(source, &Options::default());
    let foreseen: Vec<&missive::Diagnostic> = c
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "M2001")
        .collect();
    assert_eq!(foreseen.len(), 1, "{:#?}", c.diagnostics);
    let most = number_after(&foreseen[0].message, "may reach ");
    assert_eq!(most, 20 + 2 + 60 + 8);
    let t = compiled(source);
    let data = generate_json(&t, SampleKind::WorstCase);
    let rendered = check(&t, &data);
    assert_eq!(rendered.len(), 1, "{rendered:#?}");
    assert!(rendered[0].starts_with("M2001"), "{rendered:#?}");
    assert_eq!(number_after(&rendered[0], "is "), most, "{rendered:#?}");
    // The plausible sample of the same template fits.
    assert_eq!(
        check(&t, &generate_json(&t, SampleKind::Plausible)),
        Vec::<String>::new()
    );
}

#[test]
fn the_sample_command_prints_the_library_sample_and_writes_the_worst_case_to_a_file() {
    for name in ["receipt", "back_in_stock"] {
        let t = bundled(name);
        let out = crate::common::missive()
            .args(["sample", &format!("templates/{name}.missive")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            generate_json(&t, SampleKind::Plausible)
        );
        let dir = crate::common::temp_dir("sample-cli");
        let file = dir.join("worst.json");
        let out = crate::common::missive()
            .args([
                "sample",
                &format!("templates/{name}.missive"),
                "--worst-case",
                "-o",
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert!(out.stdout.is_empty());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            generate_json(&t, SampleKind::WorstCase)
        );
    }
}

#[test]
fn the_sample_command_exits_1_for_a_broken_template_and_2_without_one() {
    let dir = crate::common::temp_dir("sample-cli-errors");
    let broken = dir.join("broken.missive");
    std::fs::write(&broken, "notification broken\ntext \"{{ nobody }}\"\n").unwrap();
    let out = crate::common::missive()
        .args(["sample", "--format", "short"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("M1001"),
        "{out:?}"
    );
    let out = crate::common::missive()
        .args(["sample", "--format", "short"])
        .arg(dir.join("missing.missive"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = crate::common::missive().arg("sample").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
