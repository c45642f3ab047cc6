//! Pipelines end to end: `build` (rendered samples and input JSON Schemas), the project file
//! `missive.toml`, `--format sarif` against the SARIF 2.1.0 schema, `check --watch`, and the
//! completions and man page.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

use crate::common::snapshots::assert_snapshot;
use crate::common::{missive, BUNDLED};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn missive_in(dir: &Path) -> Command {
    let mut c = missive();
    c.current_dir(dir);
    c
}

/// Runs missive in `dir`, checks the exit status, returns stdout and stderr as text.
fn run_in(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let out = missive_in(dir)
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A temporary folder holding `files` (path, contents).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// The bundled templates built into a fresh folder, with the repository's `missive.toml`.
fn build_bundled() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let dist = out.path().join("dist");
    let (_, stderr) = run_in(
        root(),
        &[
            "build",
            "--out-dir",
            dist.to_str().unwrap(),
            "--format",
            "short",
        ],
        0,
    );
    assert!(!stderr.contains("error"), "{stderr}");
    (out, dist)
}

// ---------------------------------------------------------------------------------------------
// build

/// The summary counts templates, not the renders their locales add.
#[test]
fn build_counts_templates_and_says_how_many_builds_the_locales_made() {
    let out = tempfile::tempdir().unwrap();
    let dist = out.path().join("dist");
    let (_, stderr) = run_in(root(), &["build", "--out-dir", dist.to_str().unwrap()], 0);
    let templates = std::fs::read_dir(root().join("templates"))
        .unwrap()
        .filter(|e| {
            let p = e.as_ref().unwrap().path();
            p.extension().is_some_and(|x| x == "missive")
        })
        .count();
    let renders = std::fs::read_dir(&dist)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name().into_string().unwrap();
            name.ends_with(".json")
                && !name.ends_with(".schema.json")
                && name.matches('.').count() == 1
        })
        .count();
    assert!(
        stderr.contains(&format!("built {templates} templates (")),
        "{stderr}"
    );
    assert!(
        renders == templates,
        "{renders} default renders for {templates} templates"
    );
}

/// A template in several languages builds one render per locale, each with its own sample
/// when there is one (`examples/NAME.LOC.json`), else the template's; `NAME.json` stays the
/// default locale's.
#[test]
fn build_writes_every_locale_of_a_template() {
    let (_keep, dist) = build_bundled();
    let read = |f: &str| read_json(&dist.join(f));
    let default = read("order_confirmation.json");
    assert_eq!(read("order_confirmation.en.json"), default);
    assert!(default["text"]
        .as_str()
        .unwrap()
        .starts_with("Hi Lisa! Thanks a lot"));
    let fr = read("order_confirmation.fr.json");
    assert!(
        fr["text"]
            .as_str()
            .unwrap()
            .starts_with("Bonjour Camille ! Merci beaucoup"),
        "{fr}"
    );
    assert_eq!(
        fr["attachment"]["payload"]["elements"][0]["subtitle"],
        "Référence 2290815"
    );
    assert!(!dist.join("order_confirmation.fr.schema.json").exists());
    let (rendered, _) = run_in(
        root(),
        &[
            "render",
            "templates/order_confirmation.missive",
            "--data",
            "examples/order_confirmation.fr.json",
            "--locale",
            "fr",
            "--pretty",
        ],
        0,
    );
    assert_eq!(
        std::fs::read_to_string(dist.join("order_confirmation.fr.json")).unwrap(),
        rendered
    );
}

#[test]
fn build_writes_the_pretty_render_and_a_schema_for_every_bundled_template() {
    let (_keep, dist) = build_bundled();
    let mut expected: Vec<String> = BUNDLED
        .iter()
        .flat_map(|n| {
            [
                format!("{n}.json"),
                format!("{n}.schema.json"),
                format!("{n}.preview.html"),
            ]
        })
        .chain(["index.html".to_string()])
        // The order confirmation is written in English and French: a render per locale.
        .chain(["en", "fr"].iter().flat_map(|l| {
            [
                format!("order_confirmation.{l}.json"),
                format!("order_confirmation.{l}.preview.html"),
            ]
        }))
        .collect();
    expected.sort();
    assert_eq!(
        files_in(&dist),
        expected,
        "nothing else, no staging folder left"
    );
    for name in BUNDLED {
        let (rendered, _) = run_in(
            root(),
            &[
                "render",
                &format!("templates/{name}.missive"),
                "--data",
                &format!("examples/{name}.json"),
                "--pretty",
            ],
            0,
        );
        let built = std::fs::read_to_string(dist.join(format!("{name}.json"))).unwrap();
        assert_eq!(
            built, rendered,
            "{name}: build writes what `render --pretty` prints"
        );
        let schema = read_json(&dist.join(format!("{name}.schema.json")));
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["title"], *name);
    }
    let text = std::fs::read_to_string(dist.join("back_in_stock.schema.json")).unwrap();
    assert_snapshot!("back_in_stock_schema", text);
}

#[test]
fn build_schemas_accept_every_bundled_sample_and_reject_a_wrong_type() {
    let (_keep, dist) = build_bundled();
    for name in BUNDLED {
        let schema = read_json(&dist.join(format!("{name}.schema.json")));
        let validator = jsonschema::validator_for(&schema)
            .unwrap_or_else(|e| panic!("{name}: the schema itself is invalid: {e}"));
        let sample = read_json(&root().join(format!("examples/{name}.json")));
        let errors: Vec<String> = validator
            .iter_errors(&sample)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{name}: the sample is refused: {errors:?}"
        );
    }
    // A wrong type: the product's name as a number; `check --data` refuses it too.
    let schema = read_json(&dist.join("back_in_stock.schema.json"));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut sample = read_json(&root().join("examples/back_in_stock.json"));
    sample["product"]["name"] = json!(42);
    assert!(!validator.is_valid(&sample));
    let bad = project(&[("bad.json", &sample.to_string())]);
    let (stdout, _) = run_in(
        root(),
        &[
            "check",
            "templates/back_in_stock.missive",
            "--data",
            bad.path().join("bad.json").to_str().unwrap(),
            "--format",
            "short",
        ],
        1,
    );
    assert!(stdout.contains("M3003"), "{stdout}");
}

const T: &str = r#"notification t "Every type"
input {
  name: string max 5
  nick?: string max 3
  count?: integer
  price: number
  ok?: bool
  site: url
  items: list max 2 of { title: string max 4, note?: string }
}
text "{{ name }}{% if nick %} {{ nick }}{% endif %}"
"#;

/// For data that `check --data` accepts, the schema accepts it; and here, for the cases the
/// schema can express, it refuses what `check --data` refuses.
#[test]
fn the_schema_agrees_with_check_data() {
    let compiled = missive::compile(T, &missive::Options::default());
    let template = compiled
        .template
        .unwrap_or_else(|| panic!("{:#?}", compiled.diagnostics));
    let schema = missive::input_schema::of_template(&template).to_value();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let base = json!({"name": "Ann", "price": 9.5, "site": "https://shop.example/a", "items": [{"title": "Mug"}]});
    let with = |key: &str, value: Value| {
        let mut v = base.clone();
        v[key] = value;
        v
    };
    let cases: Vec<(&str, Value, bool)> = vec![
        ("the base case", base.clone(), true),
        (
            "optional absent, undeclared key",
            with("extra", json!({"a": 1})),
            true,
        ),
        ("optional null", with("nick", Value::Null), true),
        ("optional integer null", with("count", Value::Null), true),
        // Its items have a required `title`: a `null` item is an error (M3002, at the `null`).
        ("a null list item", with("items", json!([null])), false),
        (
            "an optional field null in an item",
            with("items", json!([{"title": "a", "note": null}])),
            true,
        ),
        (
            "max counts characters, not bytes",
            with("name", json!("ééééé")),
            true,
        ),
        (
            "an emoji is one character",
            with("nick", json!("😀😀😀")),
            true,
        ),
        ("zero", with("price", json!(0)), true),
        ("a negative price", with("price", json!(-2.5)), true),
        ("an integer", with("count", json!(3)), true),
        ("a bool", with("ok", json!(false)), true),
        (
            "http in capitals",
            with("site", json!("HTTP://shop.example")),
            true,
        ),
        ("over max", with("name", json!("éééééé")), false),
        ("required null", with("name", Value::Null), false),
        ("a number for a string", with("name", json!(5)), false),
        ("a string for a number", with("price", json!("9.5")), false),
        (
            "a number too small to print",
            with("price", json!(1e-7)),
            false,
        ),
        (
            "a fraction for an integer",
            with("count", json!(1.5)),
            false,
        ),
        ("a string for a bool", with("ok", json!("yes")), false),
        ("a relative url", with("site", json!("/a")), false),
        (
            "an ftp url",
            with("site", json!("ftp://shop.example/a")),
            false,
        ),
        (
            "a url with a space",
            with("site", json!("https://shop.example/a b")),
            false,
        ),
        (
            "too many items",
            with(
                "items",
                json!([{"title": "a"}, {"title": "b"}, {"title": "c"}]),
            ),
            false,
        ),
        (
            "an item missing its title",
            with("items", json!([{}])),
            false,
        ),
        ("an object for a list", with("items", json!({})), false),
        ("the data is a list", json!([]), false),
    ];
    let required_missing = {
        let mut v = base.clone();
        v.as_object_mut().unwrap().remove("site");
        v
    };
    let cases = cases
        .into_iter()
        .chain([("a required key missing", required_missing, false)]);
    for (what, data, accepted) in cases {
        let diagnostics = missive::driver::check_data(&template, &data.to_string());
        let check_accepts = !diagnostics.iter().any(|d| d.is_error());
        assert_eq!(
            check_accepts, accepted,
            "{what}: check --data says {diagnostics:#?}"
        );
        assert_eq!(
            validator.is_valid(&data),
            accepted,
            "{what}: the schema disagrees with check --data on {data}"
        );
    }
}

/// Values of every shape for any key: right and wrong types, limits, nulls, nesting.
fn any_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(0.0),
            Just(1e-7),
            Just(2.5),
            Just(-3.25),
            Just(1e21),
            Just(1e20)
        ]
        .prop_map(Value::from),
        "[a-zé😀 ]{0,7}".prop_map(Value::from),
        prop_oneof![
            Just("https://shop.example/a"),
            Just("http://x.y"),
            Just("ftp://x.y"),
            Just("/relative"),
            Just("https://a b"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("title".to_string()),
                    Just("note".to_string()),
                    Just("x".to_string())
                ],
                inner,
                0..3
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Data for `T`: each key mostly a value of its declared type (near its limits), sometimes
/// anything, sometimes absent.
fn data_for_t() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let s = |re: &'static str| re.prop_map(Value::from).boxed();
    let either = |good: BoxedStrategy<Value>| {
        proptest::option::weighted(0.97, prop_oneof![12 => good, 1 => any_value()])
    };
    let item = (
        either(prop_oneof![6 => s("[a-zé😀]{1,4}"), 1 => s("[a-z]{5}")].boxed()),
        either(prop_oneof![s("[a-z]{0,8}"), Just(Value::Null).boxed()].boxed()),
    )
        .prop_map(|(title, note)| {
            let mut m = serde_json::Map::new();
            m.extend(title.map(|v| ("title".to_string(), v)));
            m.extend(note.map(|v| ("note".to_string(), v)));
            Value::Object(m)
        });
    let items = prop_oneof![
        6 => proptest::collection::vec(item, 0..3).prop_map(Value::from),
        1 => proptest::collection::vec(Just(Value::Null), 1..3).prop_map(Value::from),
    ]
    .boxed();
    let price = prop_oneof![
        6 => prop_oneof![Just(0.0), Just(2.5), Just(-3.25), Just(9.99), Just(1e20)],
        1 => prop_oneof![Just(1e-7), Just(1e21)],
    ]
    .prop_map(Value::from)
    .boxed();
    let site = prop_oneof![
        6 => prop_oneof![Just("https://shop.example/a"), Just("HTTP://x.y/é")],
        1 => prop_oneof![Just("ftp://x.y"), Just("https://a b")],
    ]
    .prop_map(Value::from)
    .boxed();
    (
        either(prop_oneof![6 => s("[a-zé😀]{1,5}"), 1 => s("[a-z]{6}")].boxed()),
        either(prop_oneof![6 => s("[a-z😀]{0,3}"), 1 => s("[a-z]{4}"), 1 => Just(Value::Null).boxed()].boxed()),
        either(prop_oneof![6 => any::<i32>().prop_map(Value::from).boxed(), 1 => Just(json!(1.5)).boxed(), 1 => Just(Value::Null).boxed()].boxed()),
        either(price),
        either(prop_oneof![any::<bool>().prop_map(Value::from).boxed(), Just(Value::Null).boxed()].boxed()),
        either(site),
        either(items),
        proptest::option::of(any_value()),
    )
        .prop_map(|(name, nick, count, price, ok, site, items, extra)| {
            let mut m = serde_json::Map::new();
            for (k, v) in [
                ("name", name),
                ("nick", nick),
                ("count", count),
                ("price", price),
                ("ok", ok),
                ("site", site),
                ("items", items),
                ("extra", extra),
            ] {
                m.extend(v.map(|v| (k.to_string(), v)));
            }
            Value::Object(m)
        })
}

/// Whatever `check --data` accepts, the schema accepts (over generated data, about a fifth of
/// which `check --data` accepts, so the property is not vacuous).
#[test]
fn the_schema_accepts_what_check_data_accepts() {
    use proptest::test_runner::{Config, TestRunner};
    let compiled = missive::compile(T, &missive::Options::default());
    let template = compiled.template.unwrap();
    let schema = missive::input_schema::of_template(&template).to_value();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let accepted = std::cell::Cell::new(0usize);
    let refused = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: 500,
        ..Config::default()
    });
    runner
        .run(&data_for_t(), |data| {
            let diagnostics = missive::driver::check_data(&template, &data.to_string());
            if diagnostics.iter().any(|d| d.is_error()) {
                refused.set(refused.get() + 1);
            } else {
                accepted.set(accepted.get() + 1);
                proptest::prop_assert!(
                    validator.is_valid(&data),
                    "check --data accepts, the schema refuses {}",
                    data
                );
            }
            Ok(())
        })
        .unwrap();
    assert!(
        accepted.get() >= 50 && refused.get() >= 50,
        "accepted {}, refused {}",
        accepted.get(),
        refused.get()
    );
}

#[test]
fn build_writes_nothing_when_one_template_fails() {
    let p = project(&[
        (
            "templates/good.missive",
            "notification good\ninput { name: string max 10 }\ntext \"Hi {{ name }}\"\n",
        ),
        ("examples/good.json", r#"{"name": "Ann"}"#),
        (
            "templates/bad.missive",
            "notification bad\ntext \"Hi\"\ncarousel { }\n",
        ),
    ]);
    let (stdout, stderr) = run_in(
        p.path(),
        &[
            "build",
            "templates",
            "--out-dir",
            "dist",
            "--format",
            "short",
        ],
        1,
    );
    assert_eq!(stdout, "", "build prints its diagnostics on stderr");
    assert!(stderr.contains("templates/bad.missive:3:"), "{stderr}");
    assert!(!p.path().join("dist").exists(), "nothing written");

    // An existing output folder is left as it was, and the human report says so last.
    std::fs::create_dir(p.path().join("dist")).unwrap();
    std::fs::write(p.path().join("dist/keep.txt"), "mine").unwrap();
    let (_, stderr) = run_in(p.path(), &["build", "templates", "--out-dir", "dist"], 1);
    assert_eq!(files_in(&p.path().join("dist")), ["keep.txt"]);
    assert!(
        stderr.ends_with(
            "\nbuild failed: 1 of 2 templates failed (1 error, 0 warnings); nothing was written to dist\n"
        ),
        "{stderr}"
    );
}

#[test]
fn build_without_sample_data_is_an_error_unless_nothing_is_required() {
    let p = project(&[
        (
            "templates/order.missive",
            "notification order\ninput { number: string max 20 }\ntext \"Order {{ number }}\"\n",
        ),
        (
            "templates/hello.missive",
            "notification hello\ninput { name?: string max 20 }\ntext \"Hello{% if name %} {{ name }}{% endif %}\"\n",
        ),
    ]);
    // expect: M7001
    let (_, stderr) = run_in(p.path(), &["build", "templates", "--out-dir", "dist"], 1);
    assert_snapshot!("build_no_sample_data_human", stderr);
    assert!(!p.path().join("dist").exists());

    std::fs::remove_file(p.path().join("templates/order.missive")).unwrap();
    run_in(p.path(), &["build", "templates", "--out-dir", "dist"], 0);
    assert_eq!(
        read_json(&p.path().join("dist/hello.json")),
        json!({"text": "Hello"})
    );
}

#[test]
fn two_templates_with_one_name_are_refused() {
    let t = "notification order\ntext \"Hi\"\n";
    let p = project(&[("a/order.missive", t), ("b/order.missive", t)]);
    // expect: M7002
    let (_, stderr) = run_in(
        p.path(),
        &["build", "a", "b", "--out-dir", "dist", "--format", "short"],
        1,
    );
    assert_eq!(
        stderr,
        "b/order.missive:1:14: error[M7002]: `b/order.missive` and `a/order.missive` would both be written to `order.json`\n\
         build failed: 1 of 2 templates failed (1 error, 0 warnings); nothing was written to dist\n"
    );
    assert!(!p.path().join("dist").exists());
}

#[test]
fn a_template_whose_output_is_another_ones_schema_is_refused() {
    // `a.schema.missive` renders to `a.schema.json`, the schema of `a.missive`: before, the
    // second write failed half-way and left `dist` with one template's files.
    let p = project(&[
        ("t/a.missive", "notification a\ntext \"A\"\n"),
        ("t/a.schema.missive", "notification a_schema\ntext \"B\"\n"),
    ]);
    let (_, stderr) = run_in(
        p.path(),
        &["build", "t", "--out-dir", "dist", "--format", "short"],
        1,
    );
    assert!(
        stderr.contains("error[M7002]: `t/a.schema.missive` and `t/a.missive` would both be written to `a.schema.json`"),
        "{stderr}"
    );
    assert!(!p.path().join("dist").exists());
}

#[test]
fn build_into_a_file_is_an_io_failure() {
    let p = project(&[
        ("t.missive", "notification t\ntext \"Hi\"\n"),
        ("dist", "a file"),
    ]);
    let (_, stderr) = run_in(
        p.path(),
        &[
            "build",
            "t.missive",
            "--out-dir",
            "dist",
            "--format",
            "short",
        ],
        2,
    );
    assert!(
        stderr.starts_with("dist: error[M9001]: cannot write `dist`"),
        "{stderr}"
    );
    let (_, stderr) = run_in(p.path(), &["build", "t.missive", "--out-dir", "dist"], 2);
    assert!(
        stderr.ends_with(
            "build failed: 1 template built, but writing them failed; dist is as it was before\n"
        ),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(p.path().join("dist")).unwrap(),
        "a file"
    );
}

#[test]
fn build_needs_an_out_dir() {
    let p = project(&[("t.missive", "notification t\ntext \"Hi\"\n")]);
    let (_, stderr) = run_in(p.path(), &["build", "t.missive", "--format", "short"], 2);
    assert_eq!(
        stderr,
        "error[M9002]: `build` needs a folder to write into\n"
    );
}

// ---------------------------------------------------------------------------------------------
// missive.toml

const MESSENGER_ONLY: &str =
    "notification promo\ntext \"Hi\"\nimage \"https://shop.example/a.png\"\n";

#[test]
fn the_project_file_sets_the_defaults_from_a_parent_folder() {
    let p = project(&[
        (
            "missive.toml",
            "profile = \"messenger\"\ntemplates = [\"notifications\"]\nexamples = \"samples\"\nout-dir = \"dist\"\n",
        ),
        ("notifications/promo.missive", MESSENGER_ONLY),
        ("src/deep/.keep", ""),
    ]);
    let deep = p.path().join("src/deep");
    // From two folders below, with no flags: the templates and the profile come from the file.
    let (stdout, _) = run_in(&deep, &["check", "--format", "short"], 1);
    assert_eq!(
        stdout,
        "../../notifications/promo.missive:2:1: error[M2008]: profile `messenger` does not allow text beside an attachment\n"
    );
    // A flag overrides the file.
    run_in(&deep, &["check", "--profile", "iadvize"], 0);
    // `build` writes into the file's out-dir, relative to the file.
    run_in(&deep, &["build", "--profile", "iadvize"], 0);
    assert_eq!(
        files_in(&p.path().join("dist")),
        [
            "index.html",
            "promo.json",
            "promo.preview.html",
            "promo.schema.json"
        ]
    );
}

#[test]
fn the_project_file_can_deny_warnings() {
    let p = project(&[
        ("missive.toml", "deny-warnings = true\n"),
        (
            "t.missive",
            "notification t\ninput { name: string }\ntext \"Hi {{ name }}\"\n",
        ),
    ]);
    let (stdout, _) = run_in(p.path(), &["check", "--format", "short"], 1);
    assert!(stdout.contains("warning[M4008]"), "{stdout}");
}

#[test]
fn an_unknown_key_in_the_project_file_is_located() {
    let p = project(&[("missive.toml", "# defaults\nprofil = \"messenger\"\n")]);
    // expect: M9004
    let (stdout, _) = run_in(p.path(), &["check"], 2);
    assert_snapshot!("project_file_unknown_key_human", stdout);
    let p = project(&[("missive.toml", "deny-warnings = \"yes\"\n")]);
    let (stdout, _) = run_in(p.path(), &["check", "--format", "short"], 2);
    assert_eq!(
        stdout,
        "missive.toml:1:17: error[M9004]: `missive.toml` cannot be used: invalid type: string \"yes\", expected a boolean\n"
    );
}

#[test]
fn an_unknown_profile_in_the_project_file_is_located() {
    // Before, the report named neither the file nor the line: `unknown profile `iadvise``, with
    // nothing to say where that name came from when no `--profile` was typed.
    let p = project(&[
        ("missive.toml", "profile = \"iadvise\"\n"),
        ("sub/t.missive", "notification t\ntext \"Hi\"\n"),
    ]);
    let (stdout, _) = run_in(&p.path().join("sub"), &["check", "--format", "short"], 2);
    assert_eq!(
        stdout,
        "../missive.toml:1:11: error[M9004]: `../missive.toml` cannot be used: unknown profile `iadvise` (the built-in profiles are `iadvize` and `messenger`)\n"
    );
}

#[test]
fn an_empty_path_in_the_project_file_is_located() {
    // Before: `cannot read ``` with no location (and, from a subfolder, `..` checked instead).
    let p = project(&[
        (
            "missive.toml",
            "templates = \"templates\"\nout-dir = \"\"\n",
        ),
        ("templates/t.missive", "notification t\ntext \"Hi\"\n"),
    ]);
    let (_, stderr) = run_in(p.path(), &["build", "--format", "short"], 2);
    assert_eq!(
        stderr,
        "missive.toml:2:11: error[M9004]: `missive.toml` cannot be used: `out-dir` is an empty path\n"
    );
    let p = project(&[("missive.toml", "templates = [\"a\", \"\"]\n")]);
    let (stdout, _) = run_in(p.path(), &["check", "--format", "short"], 2);
    assert_eq!(
        stdout,
        "missive.toml:1:13: error[M9004]: `missive.toml` cannot be used: `templates` is an empty path\n"
    );
}

// ---------------------------------------------------------------------------------------------
// SARIF

pub(crate) fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0.json")).unwrap();
    // The 2.1.0 schema's `language` pattern has a stray `]` that a strict regex engine refuses;
    // the OASIS errata fix it (oasis-tcs/sarif-spec#488). missive never writes `language`.
    let broken = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(broken), "the vendored schema changed");
    let text = text.replace(broken, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let validator = sarif_validator();
    // Errors with secondary labels in two files (template and data), warnings, notes.
    let (stdout, _) = run_in(
        root(),
        &[
            "check",
            "tests/fixtures/check/err_data_wrong_type.missive",
            "--data",
            "tests/fixtures/check/err_data_wrong_type.json",
            "--format",
            "sarif",
        ],
        1,
    );
    let log: Value = serde_json::from_str(&stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{stdout}");
    assert_snapshot!("sarif_data_wrong_type", stdout);

    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let i = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], result["ruleId"]);
    }

    // Every bundled fixture with errors, and usage and I/O errors without a position.
    let (stdout, _) = run_in(
        root(),
        &[
            "check",
            "tests/fixtures/check",
            "no-such-file.missive",
            "--format",
            "sarif",
        ],
        2,
    );
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert!(validator.is_valid(&log));
    let (json, _) = run_in(
        root(),
        &[
            "check",
            "tests/fixtures/check",
            "no-such-file.missive",
            "--format",
            "json",
        ],
        2,
    );
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        log["runs"][0]["results"].as_array().unwrap().len(),
        json["diagnostics"].as_array().unwrap().len(),
        "one result per diagnostic"
    );
    let (stdout, _) = run_in(root(), &["check", "--nope", "--format", "sarif"], 2);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert!(validator.is_valid(&log));
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "M9002");
}

#[test]
fn sarif_columns_count_characters() {
    let p = project(&[(
        "t.missive",
        "notification t\ncarousel { element { subtitle: \"é\", titl: \"x\" } }\n",
    )]);
    let (stdout, _) = run_in(p.path(), &["check", "t.missive", "--format", "sarif"], 1);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let typo = results.iter().find(|r| r["ruleId"] == "M1002").unwrap();
    // `titl` starts after `é` (two bytes, one character): column 37, as in the other formats.
    let region = &typo["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 37, "{region}");
    assert_eq!(region["endColumn"], 41, "{region}");
    let (short, _) = run_in(p.path(), &["check", "t.missive", "--format", "short"], 1);
    assert!(short.contains("t.missive:2:37: error[M1002]"), "{short}");
}

// ---------------------------------------------------------------------------------------------
// watch (that a check's own reads of the files do not wake the watcher is unit-tested beside
// the watch loop, `is_change` in src/cli/check.rs: here it would take waiting for nothing)

#[test]
fn check_watch_reports_again_when_a_file_changes() {
    use std::io::BufRead;
    let p = project(&[("t.missive", "notification t\ntext \"\"\n")]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("missive"))
        .args(["check", "--watch", "--format", "short", "."])
        .current_dir(p.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // No timeout: if the watcher died, its output closed and `recv` fails.
    let first = rx.recv();
    // Change the file only once the first report is out (the watcher is set up by then).
    std::fs::write(
        p.path().join("t.missive"),
        "notification t\ntext \"Hi\"\ncarousel { }\n",
    )
    .unwrap();
    let second = rx.recv();
    let _ = child.kill();
    let _ = child.wait();
    let first = first.expect("a first report");
    assert!(
        first.starts_with("./t.missive:2:6: error[M2004]"),
        "{first}"
    );
    let second = second.expect("a report after the change");
    assert!(
        second.starts_with("./t.missive:3:1: error[M2009]"),
        "{second}"
    );
}

// ---------------------------------------------------------------------------------------------
// completions and man

#[test]
fn completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (stdout, _) = run_in(root(), &["completions", shell], 0);
        for sub in ["check", "render", "build", "explain", "import"] {
            assert!(stdout.contains(sub), "{shell}: no `{sub}` in the script");
        }
        assert!(stdout.contains("out-dir"), "{shell}: no flags of `build`");
    }
}

#[test]
fn the_man_page_names_every_subcommand() {
    let (stdout, _) = run_in(root(), &["man"], 0);
    assert!(stdout.starts_with(".ie"), "roff");
    assert!(stdout.contains(".TH missive 1"), "{stdout}");
    for sub in ["check", "render", "build", "completions"] {
        assert!(stdout.contains(sub), "no `{sub}`");
    }
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("man");
    run_in(root(), &["man", "--out-dir", dir.to_str().unwrap()], 0);
    let pages = files_in(&dir);
    for page in ["missive.1", "missive-check.1", "missive-build.1"] {
        assert!(pages.iter().any(|p| p == page), "{page} in {pages:?}");
    }
}
