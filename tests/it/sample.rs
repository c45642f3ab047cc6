//! `missive::sample`: sample data made from a template's `input`, plausible or worst case.

use missive::sample::{generate, generate_json, SampleKind};
use missive::{Options, Template};
use serde_json::Value;

use crate::common::{read, BUNDLED};

fn bundled(name: &str) -> Template {
    let source = read(&format!("templates/{name}.missive"));
    let c = missive::compile(&source, &crate::common::bundled_options());
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
            &crate::common::bundled_options(),
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

/// `missive` run in `dir`.
fn missive_in(dir: &std::path::Path) -> assert_cmd::Command {
    let mut c = crate::common::missive();
    c.current_dir(dir);
    c
}

#[test]
fn new_makes_a_template_of_every_kind_that_checks_and_builds() {
    let dir = crate::common::temp_dir("new-kinds");
    for kind in ["text", "carousel", "receipt", "buttons"] {
        let name = format!("{kind}_alert");
        let out = missive_in(&dir)
            .args(["new", &name, "--kind", kind])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{kind}: {out:?}");
        let template = dir.join(format!("templates/{name}.missive"));
        let example = dir.join(format!("examples/{name}.json"));
        assert!(template.is_file() && example.is_file(), "{kind}");
        // Its sample data is the plausible sample of the template it wrote.
        let compiled = missive::compile(
            &std::fs::read_to_string(&template).unwrap(),
            &Options::default(),
        );
        let t = compiled.template.expect("compiles");
        assert!(
            compiled.diagnostics.is_empty(),
            "{kind}: {:#?}",
            compiled.diagnostics
        );
        assert_eq!(
            std::fs::read_to_string(&example).unwrap(),
            generate_json(&t, SampleKind::Plausible)
        );
        // And the longest data it allows fits Messenger's limits too.
        assert_eq!(
            check(&t, &generate_json(&t, SampleKind::WorstCase)),
            Vec::<String>::new(),
            "{kind}"
        );
    }
    // The first `new` wrote a project file, which `check` and `build` read with no flags.
    assert!(dir.join("missive.toml").is_file());
    let out = missive_in(&dir)
        .args(["check", "--deny-warnings"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("4 files checked"),
        "{out:?}"
    );
    // ...and is already formatted: a fresh project passes a CI's `fmt --check`.
    let out = missive_in(&dir).args(["fmt", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = missive_in(&dir)
        .args(["build", "--deny-warnings"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for kind in ["text", "carousel", "receipt", "buttons"] {
        let body = std::fs::read_to_string(dir.join(format!("dist/{kind}_alert.json"))).unwrap();
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!(body.is_object(), "{kind}: {body}");
    }
}

#[test]
fn new_puts_files_where_the_project_file_says() {
    let dir = crate::common::temp_dir("new-project");
    std::fs::write(
        dir.join("missive.toml"),
        "templates = \"notifications/src\"\nexamples = \"data\"\nout-dir = \"out\"\n",
    )
    .unwrap();
    let sub = dir.join("deep/er");
    std::fs::create_dir_all(&sub).unwrap();
    let out = missive_in(&sub)
        .args(["new", "welcome", "--kind", "buttons"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(dir.join("notifications/src/welcome.missive").is_file());
    assert!(dir.join("data/welcome.json").is_file());
    // The project file is left as it was; no second one is made.
    assert!(!sub.join("missive.toml").exists());
    let out = missive_in(&dir).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(dir.join("out/welcome.json").is_file());
}

#[test]
fn new_never_overwrites_and_writes_nothing_when_one_file_exists() {
    let dir = crate::common::temp_dir("new-exists");
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    std::fs::write(dir.join("examples/promo.json"), "{\"kept\": true}").unwrap();
    let out = missive_in(&dir)
        .args(["new", "promo", "--format", "short"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("examples/promo.json")).unwrap(),
        "{\"kept\": true}"
    );
    assert!(!dir.join("templates/promo.missive").exists());
    assert!(!dir.join("missive.toml").exists());
}

#[test]
fn new_refuses_a_name_that_is_no_notification_name_and_says_where_and_what_would_do() {
    let dir = crate::common::temp_dir("new-names");
    for (name, at, suggestion) in [
        ("back-in-stock", "NAME:1:5:", "missive new back_in_stock"),
        ("2fa_code", "NAME:1:1:", "missive new _2fa_code"),
        ("for", "NAME:1:1:", "missive new for_message"),
        ("templates/promo.missive", "NAME:1:10:", "missive new promo"),
        ("café", "NAME:1:4:", "missive new caf"),
    ] {
        let out = missive_in(&dir)
            .args(["new", name, "--format", "short"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(at), "{name}: {stderr}");
        assert!(stderr.contains("M9002"), "{name}: {stderr}");
        let out = missive_in(&dir)
            .args(["new", name, "--format", "json"])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stderr).unwrap();
        let help = report["diagnostics"][0]["help"].as_str().unwrap();
        assert!(help.contains(suggestion), "{name}: {help}");
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn new_under_another_profile_writes_it_into_the_project_file_and_checks_against_it() {
    let dir = crate::common::temp_dir("new-messenger");
    for kind in ["text", "carousel", "receipt", "buttons"] {
        let out = missive_in(&dir)
            .args([
                "new",
                &format!("{kind}_m"),
                "--kind",
                kind,
                "--profile",
                "messenger",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{kind}: {out:?}");
    }
    let project = std::fs::read_to_string(dir.join("missive.toml")).unwrap();
    assert!(project.contains("profile = \"messenger\""), "{project}");
    for command in ["check", "build"] {
        let out = missive_in(&dir)
            .args([command, "--deny-warnings", "--format", "short"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{command}: {out:?}");
    }
}

#[test]
fn sample_o_says_on_stderr_which_file_it_wrote_except_in_json() {
    let dir = crate::common::temp_dir("sample-wrote");
    let file = dir.join("data.json");
    let out = crate::common::missive()
        .args(["sample", "templates/receipt.missive", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("wrote {}\n", file.display())
    );
    let out = crate::common::missive()
        .args([
            "sample",
            "templates/receipt.missive",
            "--format",
            "json",
            "-o",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(!String::from_utf8(out.stderr).unwrap().contains("wrote"));
}
