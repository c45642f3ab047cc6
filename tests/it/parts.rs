//! Shared parts across files: a folder of templates with its `parts/`, through the command
//! line (`check`, `render`, `build`), and the bundled templates that share the "Contact us"
//! button.

use std::path::{Path, PathBuf};

use crate::common::snapshots::assert_snapshot;
use crate::common::{missive, temp_dir};

/// A project folder: `templates/` with these templates and `templates/parts/` with these part
/// files, each given as (file name, text).
fn project(what: &str, templates: &[(&str, &str)], parts: &[(&str, &str)]) -> PathBuf {
    let root = temp_dir(what);
    let dir = root.join("templates");
    std::fs::create_dir_all(dir.join("parts")).unwrap();
    for (name, text) in templates {
        std::fs::write(dir.join(name), text).unwrap();
    }
    for (name, text) in parts {
        std::fs::write(dir.join("parts").join(name), text).unwrap();
    }
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = missive().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const LINK: &str = r#"// Buttons shared by the order templates.
part order_link {
  input {
    number: string max 20
    page: url
  }
  button web_url { title: "Order {{ number }}", url: page }
}
"#;

const HELP: &str = r#"notification help

input {
  order: { number: string max 8, page: url }
}

buttons {
  text: "Need help with your order?"
  use order_link { number: order.number, page: order.page }
}
"#;

const DATA: &str =
    r#"{"order": {"number": "A1234", "page": "https://www.cooktoys.example/orders/A1234"}}"#;

#[test]
fn a_template_renders_with_the_part_of_its_parts_folder_and_follows_its_changes() {
    let dir = project(
        "parts-render",
        &[("help.missive", HELP)],
        &[("links.missive", LINK)],
    );
    std::fs::write(dir.join("help.json"), DATA).unwrap();
    let (code, out, err) = run_in(&dir, &["render", "help.missive", "--data", "help.json"]);
    assert_eq!(code, 0, "{err}");
    let body: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        body["attachment"]["payload"]["buttons"],
        serde_json::json!([{
            "type": "web_url",
            "title": "Order A1234",
            "url": "https://www.cooktoys.example/orders/A1234"
        }])
    );
    // A change to the part is seen by the next run of every template that uses it.
    std::fs::write(
        dir.join("parts/links.missive"),
        LINK.replace("\"Order {{ number }}\"", "\"See {{ number }}\""),
    )
    .unwrap();
    let (_, out, _) = run_in(&dir, &["render", "help.missive", "--data", "help.json"]);
    assert!(out.contains("\"See A1234\""), "{out}");
}

#[test]
fn check_of_a_folder_checks_part_files_as_parts_and_build_does_not_write_them() {
    let dir = project(
        "parts-check",
        &[("help.missive", HELP)],
        &[("links.missive", LINK)],
    );
    std::fs::write(dir.join("help.json"), DATA).unwrap();
    // The part file needs no `notification` line: the folder is clean.
    let (code, out, err) = run_in(&dir, &["check", "."]);
    assert_eq!(
        (code, out.as_str()),
        (0, "2 files checked: no problems found\n"),
        "{err}"
    );
    // `build` from the project's root, where `examples/` holds the sample data.
    let root = dir.parent().unwrap();
    std::fs::create_dir_all(root.join("examples")).unwrap();
    std::fs::write(root.join("examples/help.json"), DATA).unwrap();
    let dist = root.join("dist");
    let (code, _, err) = run_in(
        root,
        &[
            "build",
            "templates",
            "--out-dir",
            "dist",
            "--format",
            "short",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let mut written: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "help.json",
            "help.preview.html",
            "help.schema.json",
            "index.html"
        ]
    );
}

#[test]
fn a_part_defined_twice_and_a_loose_item_are_reported_in_the_part_file() {
    // expect: M1025 M1026
    let twice = "part order_link {\n  button web_url { title: \"Orders\", url: \"https://www.cooktoys.example/orders\" }\n}\n\ntext \"loose\"\n";
    let dir = project(
        "parts-twice",
        &[("help.missive", HELP)],
        &[("links.missive", LINK), ("more.missive", twice)],
    );
    let (code, out, _) = run_in(&dir, &["check", "parts", "--format", "short"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "parts/more.missive:1:6: error[M1025]: the part `order_link` is defined twice\n\
         parts/more.missive:5:1: error[M1026]: a part file holds only `part NAME { ... }` blocks\n"
    );
    // The first definition is the one the template uses.
    let (code, _, err) = run_in(&dir, &["check", "help.missive"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_part_reads_only_its_own_inputs() {
    let stray = "part stray {\n  input { page: url }\n  button web_url { title: \"Order\", url: order.page }\n}\n";
    let dir = project("parts-stray", &[], &[("stray.missive", stray)]);
    let (code, out, _) = run_in(&dir, &["check", "parts/stray.missive", "--format", "short"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "parts/stray.missive:3:41: error[M1001]: `order` is not an input of the part `stray`"
        ),
        "{out}"
    );
}

/// The primary label is in the part file, at the title the caller's value makes too long; a
/// second one, in the template, at the `use` (the caller's `max` is labelled too).
#[test]
fn a_limit_a_part_breaks_with_the_callers_max_points_into_the_part_with_a_label_at_the_use() {
    let long = HELP.replace("string max 8", "string max 30");
    let dir = project(
        "parts-limit",
        &[("help.missive", &long)],
        &[("links.missive", LINK)],
    );
    let (code, out, _) = run_in(&dir, &["check", "help.missive"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("warning[M2001]: `title` may reach 36 characters, the limit is 20"),
        "{out}"
    );
    assert!(out.contains("╭─[parts/links.missive:7:27]"), "{out}");
    assert!(
        out.contains("╰── up to 36 characters when `order.number` is 30 long"),
        "{out}"
    );
    assert!(out.contains("╭─[help.missive:4:12]"), "{out}");
    assert!(
        out.contains("╰── the part `order_link` is brought in here"),
        "{out}"
    );
    let (_, short, _) = run_in(&dir, &["check", "help.missive", "--format", "short"]);
    assert_eq!(
        short,
        "parts/links.missive:7:27: warning[M2001]: `title` may reach 36 characters, the limit is 20 (used at help.missive:9:3)\n"
    );
}

/// A part's own mistake (the same whatever the caller gives) is reported once, in the part
/// file, when the run checks the folder: not again at each of the templates that use it. A
/// run of one template shows it at its use, in the part file.
#[test]
fn a_parts_own_mistake_is_reported_once_in_the_part_file_not_at_every_use() {
    let part = "part contact_us {\n  button phone_number { title: \"Contact us, we answer every question\", payload: \"+33123456789\" }\n}\n";
    let template = |name: &str| {
        format!("notification {name}\n\nbuttons {{\n  text: \"Need help?\"\n  use contact_us\n}}\n")
    };
    let (a, b, c) = (template("a"), template("b"), template("c"));
    let dir = project(
        "parts-once",
        &[("a.missive", &a), ("b.missive", &b), ("c.missive", &c)],
        &[("contact.missive", part)],
    );
    let (code, out, _) = run_in(&dir, &["check", ".", "--format", "short"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        "./parts/contact.missive:2:32: error[M2001]: `title` is 36 characters long, the limit is 20\n",
    );
    let (code, out, _) = run_in(&dir, &["check", ".", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(doc["summary"]["errors"], 1, "{out}");
    // `build` checks the part files its templates use: once there too, and nothing written.
    let root = dir.parent().unwrap();
    let (code, _, err) = run_in(root, &["build", "templates", "--out-dir", "dist"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("error[M2001]").count(), 1, "{err}");
    assert!(
        err.contains("╭─[templates/parts/contact.missive:2:32]"),
        "{err}"
    );
    assert!(
        err.ends_with(
            "build failed: 1 part file failed (1 error, 0 warnings); nothing was written to dist\n"
        ),
        "{err}"
    );
    assert!(!root.join("dist").exists());
    // One template on its own: at its use, in the part file.
    let (code, out, _) = run_in(&dir, &["check", "a.missive", "--format", "short"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        "parts/contact.missive:2:32: error[M2001]: `title` is 36 characters long, the limit is 20 (used at a.missive:5:3)\n",
    );
}

/// shipping_update renders exactly as it did before its buttons moved into parts, and
/// back_in_stock gains the shared "Contact us" button as the last of its element's three.
#[test]
fn the_bundled_templates_share_the_contact_button() {
    let render = |name: &str| {
        let out = missive()
            .args([
                "render",
                &format!("templates/{name}.missive"),
                "--data",
                &format!("examples/{name}.json"),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let contact = serde_json::json!({
        "type": "phone_number",
        "title": "Contact us",
        "payload": "+33123456789"
    });
    let shipping = render("shipping_update");
    let buttons = &shipping["attachment"]["payload"]["buttons"];
    assert_eq!(buttons.as_array().unwrap().len(), 2);
    assert_eq!(buttons[0]["title"], "Track package");
    assert_eq!(buttons[1], contact);
    let back = render("back_in_stock");
    let buttons = &back["attachment"]["payload"]["elements"][0]["buttons"];
    assert_eq!(buttons.as_array().unwrap().len(), 3);
    assert_eq!(buttons[2], contact);
}

#[test]
fn a_part_file_is_not_rendered_on_its_own() {
    let out = missive()
        .args([
            "render",
            "templates/parts/contact.missive",
            "--format",
            "short",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    assert!(
        text.contains(
            "templates/parts/contact.missive:1:1: error[M1026]: a part file is not a template"
        ),
        "{text}"
    );
}

const FOOTER: &str = r#"part bad_read {
  button web_url { title: "{{ labl }}", url: "https://shop.example/h" }
}

part typo {
  button web_url { titel: "Hello", url: "https://shop.example/h" }
}

part long {
  button web_url { title: "abcdefghijklmnopqrstuvwxyz12345", url: "https://shop.example/h" }
}

part shop_link {
  input {
    label: string max 10
  }
  button web_url { title: "{{ label }} {{ first_name }}", url: "https://shop.example/h" }
  if first_name {
    button postback { title: "x", payload: "y" }
  }
}
"#;

#[test]
fn a_part_file_is_checked_on_its_own_and_reads_only_its_inputs() {
    let dir = project("parts-alone", &[], &[("footer.missive", FOOTER)]);
    let (code, out, err) = run_in(
        &dir,
        &["check", "--format", "short", "parts/footer.missive"],
    );
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "parts/footer.missive:2:31: error[M1001]: `labl` is not an input of the part `bad_read`\n\
             parts/footer.missive:6:20: error[M1002]: unknown field `titel` in a `web_url` button\n\
             parts/footer.missive:10:27: error[M2001]: `title` is 31 characters long, the limit is 20\n\
             parts/footer.missive:17:43: error[M1001]: `first_name` is not an input of the part `shop_link`\n\
             parts/footer.missive:18:6: error[M1001]: `first_name` is not an input of the part `shop_link`\n"
        ),
        "{err}"
    );
    // The folder is not clean while no template uses the parts.
    let (code, _, _) = run_in(&dir, &["check", "."]);
    assert_eq!(code, 1);
    // The unknown field's fix applies to the part file.
    let (_, _, err) = run_in(&dir, &["check", "--fix", "parts/footer.missive"]);
    let fixed = std::fs::read_to_string(dir.join("parts/footer.missive")).unwrap();
    assert!(
        fixed.contains(r#"button web_url { title: "Hello""#),
        "{err}\n{fixed}"
    );
    assert!(fixed.contains("{{ labl }}"), "{fixed}");
}

#[test]
fn a_part_never_reads_the_callers_values() {
    let template = r#"notification leak

input {
  labl: string
  first_name: string max 10
}

buttons {
  text: "Hi"
  use bad_read
}
"#;
    let dir = project(
        "parts-leak",
        &[
            ("leak.missive", template),
            (
                "leak2.missive",
                &template.replace("use bad_read", "use shop_link { label: \"Shop\" }"),
            ),
        ],
        &[("footer.missive", FOOTER)],
    );
    std::fs::write(
        dir.join("leak.json"),
        r#"{"labl": "LEAKED", "first_name": "LEAKED"}"#,
    )
    .unwrap();
    for name in ["leak.missive", "leak2.missive"] {
        let (code, out, err) = run_in(&dir, &["render", name, "--data", "leak.json"]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(!out.contains("LEAKED"), "{out}");
        // Where the part reads it, in the part file, with the use labelled.
        assert!(err.contains("is not an input of the part"), "{out}{err}");
        assert!(err.contains("is brought in here"), "{out}{err}");
    }
    let (_, out, _) = run_in(&dir, &["check", "--format", "short", "leak.missive"]);
    assert_eq!(
        out.lines().next(),
        Some("parts/footer.missive:2:31: error[M1001]: `labl` is not an input of the part `bad_read` (used at leak.missive:10:3)")
    );
}

/// The trial of issue 16: a part reading a caller's path (`url: order.page`) is reported once
/// by `check DIR`, in the part file, not again at each use; one template checked on its own
/// shows it where the part reads it, with a label at the use.
#[test]
fn a_part_reading_a_callers_path_is_reported_once_where_it_reads_it() {
    let part = "part order_buttons {\n  input {\n    number: string max 10\n    page: url\n  }\n  button web_url { title: \"Order {{ number }}\", url: order.page }\n}\n";
    let template = |name: &str| {
        format!("notification {name}\n\ninput {{\n  order: {{ number: string max 10, page: url }}\n}}\n\nbuttons {{\n  text: \"Shipped\"\n  use order_buttons {{ number: order.number, page: order.page }}\n}}\n")
    };
    let dir = project(
        "parts-caller-path",
        &[("a.missive", &template("a")), ("b.missive", &template("b"))],
        &[("shop.missive", part)],
    );
    let (code, out, _) = run_in(&dir, &["check", ".", "--format", "short"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        "./parts/shop.missive:6:54: error[M1001]: `order` is not an input of the part `order_buttons`\n"
    );
    let (code, out, _) = run_in(&dir, &["check", "a.missive"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("╭─[parts/shop.missive:6:54]"), "{out}");
    assert!(out.contains("╭─[a.missive:9:3]"), "{out}");
    assert!(
        out.contains("╰── the part `order_buttons` is brought in here"),
        "{out}"
    );
    assert_eq!(out.matches("error[M1001]").count(), 1, "{out}");
}

#[test]
fn an_argument_that_does_not_fit_says_where_the_input_is_declared_and_how_to_fix_it() {
    let part = "part shop_link {\n  input {\n    label: string max 12\n  }\n  button web_url { title: \"{{ label }}\", url: \"https://shop.example/h\" }\n}\n";
    let template = "notification link\n\ninput {\n  first_name?: string max 10\n}\n\nbuttons {\n  text: \"Hi\"\n  use shop_link { label: first_name }\n  use shop_link { label: 42 }\n}\n";
    let dir = project(
        "parts-argument",
        &[("link.missive", template)],
        &[("links.missive", part)],
    );
    let (code, out, err) = run_in(&dir, &["check", "link.missive"]);
    assert_eq!(code, 1, "{err}");
    // The input's own line, not the part's.
    assert!(out.contains("(at parts/links.missive:3)"), "{out}");
    assert!(
        out.contains("e.g. `label: \"{{ first_name | default('...', true) }}\"`\n"),
        "{out}"
    );
    assert!(out.contains("quote it to give a text: `\"42\"`"), "{out}");
    // The quote fix, and the default the help suggests, are accepted.
    run_in(&dir, &["check", "--fix", "link.missive"]);
    let fixed = std::fs::read_to_string(dir.join("link.missive")).unwrap();
    assert!(fixed.contains("use shop_link { label: \"42\" }"), "{fixed}");
    std::fs::write(
        dir.join("link.missive"),
        fixed.replace(
            "label: first_name }",
            "label: \"{{ first_name | default('...', true) }}\" }",
        ),
    )
    .unwrap();
    std::fs::write(dir.join("link.json"), "{}").unwrap();
    let (code, out, err) = run_in(&dir, &["render", "link.missive", "--data", "link.json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(r#""title":"...""#), "{out}");
}

/// A part's texts per locale are lowered with the template's own: each locale renders its
/// text, and a part's text missing a declared locale is M1031 (found by a new user: the use
/// of such a part failed with M1003 "`title` is a field, not a block").
#[test]
fn a_parts_texts_per_locale_render_in_each_locale_of_the_template() {
    let part = r#"part contact_us {
  button phone_number { title { en: "Contact us", fr: "Nous contacter" }, payload: "+33123456789" }
}
"#;
    let template = r#"notification help
locales { en: "en-IE", fr: "fr-FR" }

buttons {
  text { en: "Need help?", fr: "Besoin d'aide ?" }
  use contact_us
}
"#;
    let dir = project(
        "parts-locales",
        &[("help.missive", template)],
        &[("contact.missive", part)],
    );
    let (code, _, err) = run_in(&dir, &["check", "help.missive"]);
    assert_eq!(code, 0, "{err}");
    for (locale, title) in [("en", "Contact us"), ("fr", "Nous contacter")] {
        let (code, out, err) = run_in(&dir, &["render", "help.missive", "--locale", locale]);
        assert_eq!(code, 0, "{err}");
        let body: serde_json::Value = serde_json::from_str(&out).unwrap();
        let button = &body["attachment"]["payload"]["buttons"][0];
        assert_eq!(button["title"], title, "{out}");
    }
    // A declared locale the part's text lacks.
    let three = template
        .replace(r#"fr: "fr-FR" }"#, r#"fr: "fr-FR", de: "de-DE" }"#)
        .replace(
            r#"fr: "Besoin d'aide ?" }"#,
            r#"fr: "Besoin d'aide ?", de: "Hilfe?" }"#,
        );
    std::fs::write(dir.join("help.missive"), three).unwrap();
    let (code, out, _) = run_in(&dir, &["check", "help.missive", "--format", "short"]);
    assert_eq!(code, 1, "{out}");
    // The text is the part's; the template's `de` is what makes it missing: reported in the
    // part file, with a label at the use.
    assert!(
        out.contains("parts/contact.missive:2:25: error[M1031]: `title` has no `de` text"),
        "{out}"
    );
    let (_, json, _) = run_in(&dir, &["check", "help.missive", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(d["file"], "parts/contact.missive", "{json}");
    let at_use = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["file"] == "help.missive")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(
        (&at_use["line"], &at_use["column"]),
        (&serde_json::json!(6), &serde_json::json!(3)),
        "{json}"
    );
}

/// A mistake in a used part is fixed in the part file: the template's report offers no fix
/// it cannot make at the `use`, and `check --fix` of the folder reports the templates with
/// the part as fixed (found by a new user: the report still showed the old part's error).
#[test]
fn a_parts_mistake_is_fixed_in_the_part_file_and_the_report_follows() {
    let part = "part contact_us {\n  button phone_number { titel: \"Contact us\", payload: \"+33123456789\" }\n}\n";
    let template = "notification help\n\nbuttons {\n  text: \"Need help?\"\n  use contact_us\n}\n";
    let dir = project(
        "parts-fix",
        &[("help.missive", template)],
        &[("footer.missive", part)],
    );
    let (code, out, _) = run_in(&dir, &["check", "help.missive"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("╭─[parts/footer.missive:2:25]"), "{out}");
    assert!(
        out.contains("╰── the part `contact_us` is brought in here"),
        "{out}"
    );
    assert!(
        out.contains("note: its fix is an edit of `parts/footer.missive`"),
        "{out}"
    );
    assert!(!out.contains("fixable"), "{out}");
    let (code, out, err) = run_in(&dir, &["check", "--fix", "."]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("Replace `titel` with `title`"), "{err}");
    assert!(out.contains("no problems found"), "{out}");
    let fixed = std::fs::read_to_string(dir.join("parts/footer.missive")).unwrap();
    assert!(fixed.contains("title: \"Contact us\""), "{fixed}");
}

/// A diagnostic from a part's items in every output format: human (a snippet of the part file,
/// then the use), short (the part file's position), JSON (each label with its file) and SARIF
/// (`locations` in the part's artifact, `relatedLocations` at the use), valid SARIF 2.1.0.
#[test]
fn a_cross_file_diagnostic_in_every_output_format() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = "tests/fixtures/check/warn_part_title_with_callers_max.missive";
    let run = |format: &str| {
        let (code, out, err) = run_in(root, &["check", fixture, "--format", format]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let (human, short, json, sarif) = (run("human"), run("short"), run("json"), run("sarif"));
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let validator = crate::pipelines::sarif_validator();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{sarif}");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/check/parts/shop.missive"
    );
    let related = result["relatedLocations"].as_array().unwrap();
    assert!(
        related.iter().any(
            |r| r["physicalLocation"]["artifactLocation"]["uri"] == fixture
                && r["message"]["text"] == "the part `order_link` is brought in here"
        ),
        "{sarif}"
    );
    assert_snapshot!(
        "cross_file_every_format",
        format!("{human}\n--- short ---\n{short}\n--- json ---\n{json}\n--- sarif ---\n{sarif}")
    );
}

/// What only rendering finds in a part's items (the caller's value, longer than the title
/// allows) is reported in the part file too, with the use labelled in the template.
#[test]
fn a_render_diagnostic_in_a_parts_items_points_into_the_part() {
    let part = "part order_link {\n  input { number: string, page: url }\n  button web_url { title: \"Order {{ number }}\", url: page }\n}\n";
    let template = HELP.replace("string max 8", "string");
    let dir = project(
        "parts-render",
        &[("help.missive", &template)],
        &[("links.missive", part)],
    );
    let data = r#"{"order": {"number": "A1234567890123456789", "page": "https://www.cooktoys.example/o"}}"#;
    std::fs::write(dir.join("help.json"), data).unwrap();
    let (code, out, err) = run_in(
        &dir,
        &[
            "check",
            "help.missive",
            "--data",
            "help.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rendered = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(rendered["file"], "parts/links.missive", "{out}");
    assert_eq!(
        (&rendered["line"], &rendered["column"]),
        (&serde_json::json!(3), &serde_json::json!(27)),
        "{out}"
    );
    assert!(
        rendered["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["file"] == "help.missive"
                && l["message"] == "the part `order_link` is brought in here"
                && l["line"] == 9),
        "{out}"
    );
}

/// Every batch path places a part's render diagnostics as `render --data` does: `render
/// --data-ndjson` and `send --dry-run` read their records through one core, and once reported
/// there with the template's position past its end (the part's copy) and no file. The value
/// that made the text too long is labelled in the NDJSON file, at its record's line.
#[test]
fn a_batch_render_diagnostic_in_a_parts_items_points_into_the_part() {
    let part = "part order_link {\n  input { number: string, page: url }\n  button web_url { title: \"Order {{ number }}\", url: page }\n}\n";
    let template = HELP.replace("string max 8", "string").replacen(
        "notification help\n",
        "notification help\ncustomer_id \"help-{{ order.number }}\"\n",
        1,
    );
    let dir = project(
        "parts-batch",
        &[("help.missive", &template)],
        &[("links.missive", part)],
    );
    let data = r#"{"order": {"number": "A1234567890123456789", "page": "https://www.cooktoys.example/o"}}"#;
    std::fs::write(dir.join("help.ndjson"), format!("{data}\n")).unwrap();
    for args in [
        &["render", "help.missive", "--data-ndjson", "help.ndjson"][..],
        &[
            "send",
            "help.missive",
            "--page-id",
            "42",
            "--dry-run",
            "--data-ndjson",
            "help.ndjson",
        ],
    ] {
        let (code, out, err) = run_in(&dir, args);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        let at = err
            .find("error[M2001]: record 1")
            .unwrap_or_else(|| panic!("{args:?}: {err}"));
        let report = &err[at..];
        assert!(
            report.contains("parts/links.missive:3:27")
                && report.contains("the part `order_link` is brought in here")
                && report.contains("help.ndjson:1:")
                && report.contains("`order.number` is 20 characters here"),
            "{args:?}: {report}"
        );
    }
}

/// Two templates pushing one part over a limit with their own `max` (issue 16): `check DIR
/// --format short` gives one line per use, each naming its use, not two identical lines.
#[test]
fn a_short_line_in_a_part_file_names_the_use_it_was_found_through() {
    let long = HELP.replace("string max 8", "string max 30");
    let dir = project(
        "parts-short-use",
        &[
            (
                "a.missive",
                &long.replace("notification help", "notification a"),
            ),
            (
                "b.missive",
                &long.replace("notification help", "notification b"),
            ),
        ],
        &[("links.missive", LINK)],
    );
    let (code, out, _) = run_in(&dir, &["check", ".", "--format", "short"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "./parts/links.missive:7:27: warning[M2001]: `title` may reach 36 characters, the limit is 20 (used at ./a.missive:9:3)\n\
         ./parts/links.missive:7:27: warning[M2001]: `title` may reach 36 characters, the limit is 20 (used at ./b.missive:9:3)\n"
    );
}

/// M1023 (issue 16): the help writes the whole use with the missing input added (what is
/// copied keeps the arguments given), the part's declaration is labelled with its type, and
/// the caller's value of that name is proposed, as an unsafe fix.
#[test]
fn a_missing_argument_gives_the_whole_use_and_the_callers_value_of_that_name() {
    let template = HELP.replace(", page: order.page }\n}", " }\n}");
    assert!(template.contains("use order_link { number: order.number }"));
    let dir = project(
        "parts-missing-arg",
        &[("help.missive", &template)],
        &[("links.missive", LINK)],
    );
    let (code, out, _) = run_in(&dir, &["check", "help.missive"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`use order_link { number: order.number, page: order.page }`"),
        "{out}"
    );
    assert!(out.contains("╭─[parts/links.missive:5:5]"), "{out}");
    assert!(out.contains("╰── `page: url` is declared here"), "{out}");
    // A guess: not applied by a plain `--fix`.
    run_in(&dir, &["check", "--fix", "help.missive"]);
    let kept = std::fs::read_to_string(dir.join("help.missive")).unwrap();
    assert_eq!(kept, template);
    let (code, _, _) = run_in(&dir, &["check", "--fix", "--unsafe-fixes", "help.missive"]);
    assert_eq!(code, 0);
    let fixed = std::fs::read_to_string(dir.join("help.missive")).unwrap();
    assert!(
        fixed.contains("  use order_link { number: order.number, page: order.page }\n"),
        "{fixed}"
    );
    // Without a value of that name, the use to write has `...` in its place.
    let none = template.replace("page: url }", "link: url }");
    std::fs::write(dir.join("help.missive"), &none).unwrap();
    let (_, out, _) = run_in(&dir, &["check", "help.missive", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(
        d["help"],
        "the part declares `page: url`; give it: `use order_link { number: order.number, page: ... }`"
    );
    assert_eq!(d["labels"][0]["file"], "parts/links.missive");
    assert!(d.get("fixes").is_none(), "{out}");
}

/// M1022 (issue 16): a number of the caller given to a text input is labelled at both
/// declarations, and the help gives the text that prints it, which `--fix` applies.
#[test]
fn a_number_given_to_a_text_input_is_given_as_the_text_that_prints_it() {
    let template = HELP.replace("number: string max 8", "number: integer 1..99999");
    let dir = project(
        "parts-number-arg",
        &[("help.missive", &template)],
        &[("links.missive", LINK)],
    );
    let (code, out, _) = run_in(&dir, &["check", "help.missive", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "M1022");
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .ends_with("give it as a text: `number: \"{{ order.number }}\"`"),
        "{out}"
    );
    let labels: Vec<(&str, &str)> = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["file"].as_str().unwrap(), l["message"].as_str().unwrap()))
        .collect();
    assert!(
        labels.contains(&("help.missive", "declared `integer 1..99999` here")),
        "{labels:?}"
    );
    assert!(
        labels.contains(&(
            "parts/links.missive",
            "the part's input: `number: string max 20`"
        )),
        "{labels:?}"
    );
    let (code, _, _) = run_in(&dir, &["check", "--fix", "help.missive"]);
    assert_eq!(code, 0);
    let fixed = std::fs::read_to_string(dir.join("help.missive")).unwrap();
    assert!(
        fixed.contains("use order_link { number: \"{{ order.number }}\", page: order.page }"),
        "{fixed}"
    );
}

/// An integer without a range given to a part's text (the conversion M1022 proposes): the
/// worst-case warning is worded `an integer` (it said `a integer`).
#[test]
fn an_integer_without_a_range_in_a_parts_title_is_an_integer() {
    let template = HELP
        .replace("number: string max 8", "number: integer")
        .replace("number: order.number", "number: \"{{ order.number }}\"");
    let dir = project(
        "parts-integer-article",
        &[("help.missive", &template)],
        &[("links.missive", LINK)],
    );
    let (_, out, _) = run_in(&dir, &["check", "help.missive"]);
    assert!(
        out.contains("help: an integer without a range is assumed to print up to"),
        "{out}"
    );
    assert!(!out.contains("a integer"), "{out}");
}

/// A part's title too long on its own, checked through a template (issue 16): the help names
/// the command that applies its fix (of the part file, since every template using the part
/// shares it), `check --diff` of the template exits 1 with the error rather than 0 with
/// nothing, and the command named does fix the part.
#[test]
fn a_fix_in_a_part_file_names_the_command_that_applies_it_and_diff_does_not_pass_the_error() {
    let part = LINK.replace(
        "  button web_url { title: \"Order {{ number }}\", url: page }\n",
        "  button web_url { title: \"Order {{ number }}\", url: page }\n  button postback { title: \"Talk to us about your order please\", payload: \"HELP\" }\n",
    );
    let dir = project(
        "parts-fix-elsewhere",
        &[("help.missive", HELP)],
        &[("links.missive", &part)],
    );
    let (code, out, _) = run_in(&dir, &["check", "help.missive"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("applied by `missive check --fix --unsafe-fixes parts/links.missive`"),
        "{out}"
    );
    assert!(
        out.contains(
            "make it there (`missive check --fix --unsafe-fixes parts/links.missive` applies it;"
        ),
        "{out}"
    );
    let (code, diff, err) = run_in(
        &dir,
        &[
            "check",
            "--diff",
            "--unsafe-fixes",
            "help.missive",
            "--format",
            "short",
        ],
    );
    assert_eq!(code, 1, "{diff}{err}");
    assert_eq!(diff, "");
    assert_eq!(
        err,
        "parts/links.missive:8:28: error[M2001]: `title` is 34 characters long, the limit is 20 (used at help.missive:9:3)\n"
    );
    // The template is left alone; the command the help names fixes the part.
    let (code, _, _) = run_in(&dir, &["check", "--fix", "--unsafe-fixes", "help.missive"]);
    assert_eq!(code, 1);
    assert_eq!(
        std::fs::read_to_string(dir.join("help.missive")).unwrap(),
        HELP
    );
    let (code, _, err) = run_in(
        &dir,
        &["check", "--fix", "--unsafe-fixes", "parts/links.missive"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("fixed parts/links.missive:8:28: Cut at a word: `Talk to us about…` [M2001]"),
        "{err}"
    );
    let (code, out, _) = run_in(&dir, &["check", "help.missive"]);
    assert_eq!(code, 0, "{out}");
}

/// A part that reads the caller's `order.number` where it has an input `number`: the help and
/// an unsafe fix read the input; without such an input, the help declares `order` as the
/// object it is read as.
#[test]
fn a_part_reading_a_callers_field_is_pointed_to_its_own_input() {
    let part = "part order_buttons {\n  input { number: string max 10, page: url }\n  button web_url { title: \"Order {{ number }}\", url: page }\n  button postback { title: \"Cancel\", payload: \"CANCEL-{{ order.number }}\" }\n}\n";
    let dir = project("parts-callers-field", &[], &[("shop.missive", part)]);
    let (code, out, _) = run_in(&dir, &["check", "parts/shop.missive"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("it has an input `number`: read `number` here (each `use` gives it, e.g. `number: order.number`), or declare `order: { number: string }` in the part's `input { }`"),
        "{out}"
    );
    let (code, _, err) = run_in(
        &dir,
        &["check", "--fix", "--unsafe-fixes", "parts/shop.missive"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(dir.join("parts/shop.missive"))
            .unwrap()
            .contains("payload: \"CANCEL-{{ number }}\""),
        "{err}"
    );
}

/// M1023's fix adds the missing argument and leaves the given ones as written: a text's
/// spacing, a comment, a use over several lines.
#[test]
fn the_missing_argument_fix_keeps_the_given_arguments_as_written() {
    let part = "part order_link {\n  input { number: string max 20, page: url }\n  button web_url { title: \"Order {{ number }}\", url: page }\n}\n";
    let template = "notification help\n\ninput {\n  order: { number: string max 8, page: url }\n}\n\nbuttons {\n  text: \"Need help?\"\n  use order_link {\n    // the order's own number\n    number: \"{{ order.number }}  x\"\n  }\n}\n";
    let dir = project(
        "parts-fix-keeps",
        &[("help.missive", template)],
        &[("links.missive", part)],
    );
    let (code, _, err) = run_in(&dir, &["check", "--fix", "--unsafe-fixes", "help.missive"]);
    assert_eq!(code, 0, "{err}");
    let fixed = std::fs::read_to_string(dir.join("help.missive")).unwrap();
    assert!(
        fixed.contains("    // the order's own number\n    number: \"{{ order.number }}  x\", page: order.page }\n"),
        "{fixed}"
    );
}

/// A part's text per locale too long in one locale only: the part file's own check does not
/// know the template's locales, so no command is said to apply the cut; it is made by hand.
#[test]
fn a_parts_text_too_long_in_one_locale_offers_no_fix_that_nothing_applies() {
    let part = "part cancel {\n  button postback { title { en: \"Cancel order\", fr: \"Annuler cette commande\" }, payload: \"CANCEL\" }\n}\n";
    let template = "notification shipped\nlocales { en: \"en-IE\", fr: \"fr-FR\" }\n\nbuttons {\n  text { en: \"Shipped.\", fr: \"Expédiée.\" }\n  use cancel\n}\n";
    let dir = project(
        "parts-locale-fix",
        &[("shipped.missive", template)],
        &[("shop.missive", part)],
    );
    let (code, out, _) = run_in(&dir, &["check", "shipped.missive"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`title` is 22 characters long in `fr`, the limit is 20")
            && out.contains("an edit to make in the part file by hand")
            && !out.contains("applied by")
            && !out.contains("fixable"),
        "{out}"
    );
    let (code, out, _) = run_in(&dir, &["check", "parts/shop.missive"]);
    assert_eq!(
        code, 0,
        "the part file on its own has no locales to check: {out}"
    );
}

/// An argument the part reads in two places is checked at each: a mistake in it is reported
/// once, with one fix.
#[test]
fn a_mistake_in_an_argument_read_twice_is_reported_once() {
    let part = "part order_buttons {\n  input { number: string max 10, page: url }\n  button web_url { title: \"Order {{ number }}\", url: page }\n  button postback { title: \"Cancel\", payload: \"CANCEL-{{ number }}\" }\n}\n";
    let template = HELP.replace(
        "use order_link { number: order.number, page: order.page }",
        "use order_buttons { number: \"{{ order.nmber }}\", page: order.page }",
    );
    let dir = project(
        "parts-argument-twice",
        &[("help.missive", &template)],
        &[("shop.missive", part)],
    );
    let (code, out, _) = run_in(&dir, &["check", "help.missive", "--format", "short"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("`order` has no field `nmber`"))
            .count(),
        1,
        "{out}"
    );
}

/// `check --diff` of a folder checks what its fixes leave with the part files as fixed in
/// memory: a fixed part is neither reported as defined twice (its own check read the file on
/// disk beside it) nor its fixed mistake again at each template that uses it.
#[test]
fn diff_of_a_folder_checks_the_templates_with_the_parts_as_fixed() {
    for (mistake, unsafe_fixes, would) in [
        (
            "  button postback { titel: \"Talk\", payload: \"HELP\" }\n",
            false,
            "Replace `titel` with `title` [M1002]",
        ),
        (
            "  button postback { title: \"Talk to us about your order please\", payload: \"HELP\" }\n",
            true,
            "Cut at a word: `Talk to us about…` [M2001]",
        ),
    ] {
        let part = LINK.replace(
            "  button web_url { title: \"Order {{ number }}\", url: page }\n",
            &format!("  button web_url {{ title: \"Order {{{{ number }}}}\", url: page }}\n{mistake}"),
        );
        let dir = project(
            "parts-diff-folder",
            &[
                ("help.missive", HELP),
                ("more.missive", &HELP.replace("notification help", "notification more")),
            ],
            &[("links.missive", &part)],
        );
        let mut args = vec!["check", "--diff", ".", "--format", "short"];
        if unsafe_fixes {
            args.push("--unsafe-fixes");
        }
        let (code, diff, err) = run_in(&dir, &args);
        assert_eq!(code, 1, "{diff}{err}");
        assert!(diff.contains("parts/links.missive"), "{diff}");
        assert_eq!(err.lines().count(), 1, "only the fix, nothing left: {err}");
        assert!(err.contains(would), "{err}");
    }
}

/// A part that uses another without one of its inputs: the part file's check proposes the
/// part's own input of that name; a template using the outer part gets the same M1023 in the
/// part file (no guess from the template's values, which the part cannot read), and no
/// follow-on "needs at least 1 `button`" for what the wrong use left out.
#[test]
fn a_missing_argument_inside_a_part_is_guessed_from_the_parts_inputs_and_has_no_follow_on() {
    let parts = "part inner {\n  input {\n    number: string max 10\n    page: url\n  }\n  button web_url { title: \"Order {{ number }}\", url: page }\n}\n\npart outer {\n  input {\n    number: string max 10\n    page: url\n  }\n  use inner { number: number }\n}\n";
    let template = "notification t\n\ninput {\n  order: { number: string max 10, page: url }\n}\n\nbuttons {\n  text: \"Hi\"\n  use outer { number: order.number, page: order.page }\n}\n";
    let dir = project(
        "parts-nested-missing",
        &[("t.missive", template)],
        &[("p.missive", parts)],
    );
    let (code, out, _) = run_in(&dir, &["check", "t.missive", "--format", "short"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "parts/p.missive:14:3: error[M1023]: the part `inner` needs the input `page` (used at t.missive:9:3)\n"
    );
    let (_, out, _) = run_in(&dir, &["check", "t.missive"]);
    assert!(
        out.contains("give it: `use inner { number: number, page: ... }`"),
        "{out}"
    );
    let (code, out, _) = run_in(&dir, &["check", "parts/p.missive"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("`use inner { number: number, page: page }`"),
        "{out}"
    );
}

/// A part file of about `bytes` bytes: the part `big`, a text, and a long comment.
fn big_part(bytes: usize) -> String {
    let head = "part big {\n  button postback { title: \"Hello\", payload: \"HI\" }\n}\n// ";
    format!("{head}{}\n", "x".repeat(bytes - head.len() - 1))
}

#[test]
fn uses_that_bring_in_more_than_the_source_size_limit_are_refused_at_the_use_past_it() {
    // Each use brings in a copy of its part file: 1000 bytes of part used 6 times, with the
    // template, passes 4,000 bytes at the 4th use.
    let template = "notification t\ninput { a: bool, b: bool, c: bool, d: bool, e: bool }\n\nbuttons {\n  text: \"Hi\"\n  if a {\n    use big\n  } else if b {\n    use big\n  } else if c {\n    use big\n  } else if d {\n    use big\n  } else if e {\n    use big\n  } else {\n    use big\n  }\n}\n";
    let dir = project(
        "parts-budget",
        &[("t.missive", template)],
        &[("big.missive", &big_part(1000))],
    );
    let (code, out, err) = run_in(
        &dir,
        &[
            "--max-source-bytes",
            "4000",
            "check",
            "t.missive",
            "--format",
            "short",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("M0010")).collect::<Vec<_>>(),
        ["t.missive:13:5: error[M0010]: this template with the parts it uses is over the size limit of 4000 bytes"],
        "{out}"
    );
    // The follow-on of a use refused: no other error.
    assert_eq!(
        out.lines().filter(|l| l.contains("error[")).count(),
        1,
        "{out}"
    );
    let (_, human, _) = run_in(&dir, &["--max-source-bytes", "4000", "check", "t.missive"]);
    assert!(
        human.contains("this use brings in `parts/big.missive` (1000 bytes), 4")
            && human.contains("raise the limit with `--max-source-bytes N`"),
        "{human}"
    );
    // Raised as the help says, it passes.
    let (code, out, err) = run_in(&dir, &["--max-source-bytes", "8000", "check", "t.missive"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_chain_of_uses_deeper_than_the_depth_limit_is_refused_not_a_stack_overflow() {
    // 300 part files, each using the next: without a limit the expansion recursed until the
    // stack overflowed.
    let parts: Vec<(String, String)> = (0..300)
        .map(|i| {
            let body = if i < 299 {
                format!("  use p{}\n", i + 1)
            } else {
                "  text \"end\"\n".to_string()
            };
            (
                format!("p{i:03}.missive"),
                format!("part p{i} {{\n{body}}}\n"),
            )
        })
        .collect();
    let parts: Vec<(&str, &str)> = parts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = project(
        "parts-chain",
        &[("t.missive", "notification t\n\nuse p0\n")],
        &parts,
    );
    let (code, out, err) = run_in(&dir, &["check", "t.missive", "--format", "short"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("parts/p063.missive:2:3: error[M0004]: parts are used through more than 64 levels of `use` (used at t.missive:3:1)"),
        "{out}"
    );
    // Within the limit, the same chain is brought in.
    let short: Vec<(&str, &str)> = parts[..60].to_vec();
    let mut short = short;
    let last = "part p59 {\n  text \"end\"\n}\n";
    short[59] = ("p059.missive", last);
    let dir = project(
        "parts-chain-short",
        &[("t.missive", "notification t\n\nuse p0\n")],
        &short,
    );
    let (code, out, err) = run_in(&dir, &["render", "t.missive"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.trim(), r#"{"text":"end"}"#);
}

#[test]
fn a_part_that_takes_the_nesting_past_the_depth_limit_is_refused_at_the_use() {
    // Each file nests 2 levels; the part's button inside the template's element makes 3.
    let dir = project(
        "parts-depth",
        &[(
            "t.missive",
            "notification t\n\ncarousel {\n  element {\n    title: \"Hi\"\n    subtitle: \"There\"\n    use link\n  }\n}\n",
        )],
        &[(
            "link.missive",
            "part link {\n  button web_url { title: \"Go\", url: \"https://a.example/\" }\n}\n",
        )],
    );
    let (code, out, err) = run_in(
        &dir,
        &[
            "--max-depth",
            "2",
            "check",
            "t.missive",
            "--format",
            "short",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("t.missive:7:5: error[M0004]: the part `link` brought in here nests blocks 3 levels deep, more than 2"),
        "{out}"
    );
    let (code, out, err) = run_in(&dir, &["--max-depth", "3", "check", "t.missive"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_part_used_before_an_unclosed_block_is_still_checked_and_the_block_says_what_is_not() {
    let dir = project(
        "parts-broken",
        &[(
            "t.missive",
            "notification t\n\nbuttons {\n  text: \"Hello\"\n  use contact\n  button web_url { title: \"Go\", url: \"https://a.example/\"\n  button postback { titel: \"Yes\", payload: \"Y\" }\n}\n",
        )],
        &[(
            "shop.missive",
            "part contact {\n  button phone_number { title: \"Call us, we are here all day\", payload: \"+33123456789\" }\n}\n",
        )],
    );
    let (code, out, err) = run_in(&dir, &["check", "t.missive", "--format", "short"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "parts/shop.missive:2:32: error[M2001]: `title` is 28 characters long, the limit is 20 (used at t.missive:5:3)",
            "t.missive:6:18: error[M0002]: `button web_url {` is never closed",
        ],
        "{out}"
    );
    // What is past the break is not checked, and the error says so.
    let (_, human, _) = run_in(&dir, &["check", "t.missive"]);
    assert!(
        human.contains("note: nothing from line 6 on is checked until this `{` is closed"),
        "{human}"
    );
}

#[test]
fn a_part_reading_a_name_it_does_not_have_is_worded_alike_in_a_path_and_in_an_expression() {
    let part = "part link {\n  input { page: url }\n  button web_url { title: \"Order {{ order.number }}\", url: order.url }\n}\n";
    let dir = project("parts-wording", &[], &[("shop.missive", part)]);
    let (code, out, err) = run_in(&dir, &["check", "parts/shop.missive", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["message"].as_str().unwrap().to_string(),
                d["help"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let help = |field: &str| {
        format!("a part reads only its own inputs (`page`) and loop variables: declare `order: {{ {field}: string }}` in the part's `input {{ }}` and give it at each `use`")
    };
    assert_eq!(
        found,
        [
            (
                "`order` is not an input of the part `link`".to_string(),
                help("number")
            ),
            (
                "`order` is not an input of the part `link`".to_string(),
                help("url")
            ),
        ]
    );
    // Declared as the helps say, the part passes.
    std::fs::write(
        dir.join("parts/shop.missive"),
        part.replace(
            "input { page: url }",
            "input { page: url, order: { number: string, url: string } }",
        ),
    )
    .unwrap();
    let (code, out, err) = run_in(&dir, &["check", "parts/shop.missive"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// A card whose subtitle prints three of its inputs.
const CARD: &str = r#"part product_card {
  input {
    name: string max 40
    qty: integer
    fresh: bool
    note: string
    url: url
  }
  element {
    title: name
    subtitle: "{{ qty }} left, new: {{ fresh }}, {{ note }}"
    button web_url { title: "View", url: url }
  }
}
"#;

#[test]
fn literal_arguments_have_their_exact_length() {
    // `qty: 12345` prints 5 characters, `fresh: true` 4, the note its own: a subtitle of 80
    // characters fits the limit, with no M4009 for an argument the length analysis cannot read.
    let note = "n".repeat(80 - "12345 left, new: true, ".len());
    let shop = |note: &str| {
        format!(
            "notification shop\n\ninput {{\n  product: {{ name: string max 40, url: url }}\n}}\n\ncarousel {{\n  use product_card {{ name: product.name, qty: 12345, fresh: true, note: \"{note}\", url: product.url }}\n}}\n"
        )
    };
    let dir = project(
        "parts-literal",
        &[("shop.missive", &shop(&note))],
        &[("cards.missive", CARD)],
    );
    let (code, out, _) = run_in(&dir, &["check", "shop.missive"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "1 file checked: no problems found\n")
    );
    // One character more is over, and said so exactly, at the part's subtitle.
    std::fs::write(dir.join("shop.missive"), shop(&format!("{note}n"))).unwrap();
    let (_, short, _) = run_in(&dir, &["check", "shop.missive", "--format", "short"]);
    assert!(
        short.starts_with("parts/cards.missive:11:15: ") && short.contains("81 characters"),
        "{short}"
    );
    assert!(!short.contains("M4009"), "{short}");
}

#[test]
fn a_parts_required_field_given_an_optional_input_is_shown_in_the_part_and_fixed_in_the_use() {
    // The part's `title: name`, the caller's optional `product.name` as `name`: the warning is
    // at the part's `title`, with the argument labelled at the use, and its help writes the
    // fallback as an argument: applied as written, the template checks clean and renders a
    // record without the name.
    let part = "part product_card {\n  input {\n    name?: string max 40\n    url: url\n  }\n  element {\n    title: name\n    subtitle: \"In stock\"\n    button web_url { title: \"View\", url: url }\n  }\n}\n";
    let shop = "notification shop\n\ninput {\n  product: { name?: string max 40, url: url }\n}\n\ncarousel {\n  use product_card { name: product.name, url: product.url }\n}\n";
    let dir = project(
        "parts-optional-required",
        &[("shop.missive", shop)],
        &[("cards.missive", part)],
    );
    let (code, out, _) = run_in(&dir, &["check", "shop.missive", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(
        (d["code"].as_str(), d["file"].as_str(), d["line"].as_u64()),
        (Some("M2003"), Some("parts/cards.missive"), Some(7)),
        "{out}"
    );
    let at = |file: &str, line: u64| {
        d["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["file"] == file && l["line"] == line)
    };
    assert!(at("shop.missive", 8) && at("shop.missive", 4), "{out}");
    let help = d["help"].as_str().unwrap();
    let start = help.find("`name: ").expect("the fallback as an argument") + 1;
    let fallback = &help[start..start + help[start..].find('`').unwrap()];
    std::fs::write(
        dir.join("shop.missive"),
        shop.replace("name: product.name", &fallback.replace("...", "This item")),
    )
    .unwrap();
    let (code, out, _) = run_in(&dir, &["check", "shop.missive"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "1 file checked: no problems found\n")
    );
    for data in [
        r#"{"product": {"url": "https://a.example/"}}"#,
        r#"{"product": {"url": "https://a.example/", "name": null}}"#,
    ] {
        std::fs::write(dir.join("data.json"), data).unwrap();
        let (code, out, err) = run_in(&dir, &["render", "shop.missive", "--data", "data.json"]);
        assert_eq!(code, 0, "{err}");
        let body: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            body["attachment"]["payload"]["elements"][0]["title"],
            "This item"
        );
    }
}

#[test]
fn the_text_fallback_is_offered_only_where_a_text_fits() {
    // `"{{ x | default('...', true) }}"` is a text: for a number field it gives M1003, for a
    // URL it renders a relative `...` (M2005), for a part's number input M1022. There the
    // help says to declare the input required, and offers no fallback.
    let price = "part price {\n  input {\n    amount: number\n    label: string max 20\n  }\n  element {\n    title: label\n    subtitle: \"{{ amount | number(2) }}\"\n  }\n}\n";
    let card = "part card {\n  input {\n    name: string max 60\n    link?: url\n  }\n  element {\n    title: name\n    button web_url { title: \"View\", url: link }\n  }\n}\n";
    let shop = "notification shop\nlocale \"en-US\"\n\ninput {\n  product: { name: string max 60, url?: url, amount?: number }\n}\n\ncarousel {\n  use price { amount: product.amount, label: product.name }\n  use card { name: product.name, link: product.url }\n}\n";
    let receipt = "notification total\n\ninput {\n  order: { number: string max 20, total?: number, currency: string, payment: string max 40, name: string max 40 }\n}\n\nreceipt {\n  recipient_name: order.name\n  order_number: order.number\n  currency: order.currency\n  payment_method: order.payment\n  summary {\n    total_cost: order.total\n  }\n}\n";
    let dir = project(
        "parts-fallback-kinds",
        &[("shop.missive", shop), ("total.missive", receipt)],
        &[("price.missive", price), ("card.missive", card)],
    );
    let (_, out, _) = run_in(
        &dir,
        &["check", "shop.missive", "total.missive", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = report["diagnostics"].as_array().unwrap();
    let codes: Vec<_> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes.iter().filter(|c| **c == "M1022").count(), 1, "{out}");
    assert_eq!(codes.iter().filter(|c| **c == "M2003").count(), 2, "{out}");
    for d in diags {
        let help = d["help"].as_str().unwrap_or_default();
        if matches!(d["code"].as_str(), Some("M1022" | "M2003")) {
            assert!(!help.contains("default("), "{help}");
            assert!(help.contains("required in `input`"), "{help}");
        }
    }
    // Declared required, as the help says, all three check clean.
    std::fs::write(
        dir.join("shop.missive"),
        shop.replace("url?: url, amount?: number", "url: url, amount: number"),
    )
    .unwrap();
    std::fs::write(
        dir.join("total.missive"),
        receipt.replace("total?: number", "total: number"),
    )
    .unwrap();
    let (code, out, _) = run_in(&dir, &["check", "shop.missive", "total.missive"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "2 files checked: no problems found\n")
    );
}

#[test]
fn a_parts_optional_read_through_a_whole_object_argument_has_no_argument_fallback() {
    // `use card { prod: product }` and the part's `title: prod.name`: there is no argument
    // `prod: "{{ product.name | ... }}"` to give (that is M1022), so the help says to declare
    // it required, and the label at `product` says it is given whole.
    let card = "part card {\n  input {\n    prod: { name?: string max 60, url: url }\n  }\n  element {\n    title: prod.name\n    button web_url { title: \"View\", url: prod.url }\n  }\n}\n";
    let shop = "notification shop\n\ninput {\n  product: { name?: string max 60, url: url }\n}\n\ncarousel {\n  use card { prod: product }\n}\n";
    let dir = project(
        "parts-whole-object",
        &[("shop.missive", shop)],
        &[("card.missive", card)],
    );
    let (code, out, _) = run_in(&dir, &["check", "shop.missive", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = report["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{out}");
    let d = &diags[0];
    assert_eq!(d["code"], "M2003", "{out}");
    let help = d["help"].as_str().unwrap();
    assert!(
        !help.contains("prod:") && !help.contains("default("),
        "{help}"
    );
    assert!(help.contains("declare `product.name` required"), "{help}");
    let at_use = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["file"] == "shop.missive" && l["line"] == 8)
        .expect("a label at the use's argument");
    assert!(
        at_use["message"]
            .as_str()
            .unwrap()
            .contains("gives `product`"),
        "{out}"
    );
    // Declared required, as the help says: clean.
    std::fs::write(
        dir.join("shop.missive"),
        shop.replace("name?: string", "name: string"),
    )
    .unwrap();
    let (code, out, _) = run_in(&dir, &["check", "shop.missive"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "1 file checked: no problems found\n")
    );
}

#[test]
fn the_data_error_replaces_the_m2003_warning_in_check_and_render() {
    // A record without the optional name: the warning (at the part's field, or the
    // template's) and the data's error (at the template's path) are one problem, and the
    // error says it alone, in `check --data` and in `render` alike.
    let card = "part card {\n  input {\n    prod: { name?: string max 60, url: url }\n  }\n  element {\n    title: prod.name\n    button web_url { title: \"View\", url: prod.url }\n  }\n}\n";
    let shop = "notification shop\n\ninput {\n  product: { name?: string max 60, url: url }\n}\n\ncarousel {\n  use card { prod: product }\n}\n";
    let plain = "notification plain\n\ninput {\n  product?: { name: string max 60, url: url }\n}\n\ncarousel {\n  element {\n    title: product.name\n    button web_url { title: \"View\", url: product.url }\n  }\n}\n";
    let dir = project(
        "parts-m2003-data",
        &[("shop.missive", shop), ("plain.missive", plain)],
        &[("card.missive", card)],
    );
    std::fs::write(
        dir.join("d.json"),
        r#"{"product": {"url": "https://a.example/"}}"#,
    )
    .unwrap();
    std::fs::write(dir.join("e.json"), "{}").unwrap();
    for (file, data, errors) in [
        ("shop.missive", "d.json", 1),
        ("plain.missive", "e.json", 2),
    ] {
        for command in ["check", "render"] {
            let (code, out, err) =
                run_in(&dir, &[command, file, "--data", data, "--format", "short"]);
            let all = format!("{out}{err}");
            assert_eq!(code, 1, "{all}");
            assert_eq!(all.matches("error[M2003]").count(), errors, "{all}");
            assert!(!all.contains("warning[M2003]"), "{command} {file}: {all}");
        }
    }
}

#[test]
fn only_an_if_that_makes_the_path_present_silences_m2003() {
    // `title: product.name` (optional) in the `if` branch, and again in the `else`: a guard is
    // the path itself, or an optional prefix of it, in a plain `if PATH` or `if PATH and ...`,
    // and for its own branch only.
    let template = |input: &str, condition: &str| {
        format!(
            "notification g\n\ninput {{\n  kind: string\n  {input}\n}}\n\ncarousel {{\n  if {condition} {{\n    element {{\n      title: product.name\n      button web_url {{ title: \"View\", url: product.url }}\n    }}\n  }} else {{\n    element {{\n      title: product.name\n      button web_url {{ title: \"View\", url: product.url }}\n    }}\n  }}\n}}\n"
        )
    };
    let name_optional = "product: { tagline?: string max 40, name?: string max 60, url: url }";
    let product_optional = "product?: { name: string max 60, url: url }";
    let dir = project("m2003-guards", &[], &[]);
    for (input, condition, lines) in [
        // Guarded in its branch; the `else` is not.
        (name_optional, "product.name", vec![16]),
        (name_optional, "product.name and product.tagline", vec![16]),
        (name_optional, "product.tagline and product.name", vec![16]),
        (product_optional, "product", vec![16, 17]),
        // Not guards: another path, a required prefix, a negation, a string.
        (name_optional, "product.tagline", vec![11, 16]),
        (name_optional, "product", vec![11, 16]),
        (name_optional, "not product.name", vec![11, 16]),
        (name_optional, "kind == \"product.name\"", vec![11, 16]),
        (
            name_optional,
            "product.name or product.tagline",
            vec![11, 16],
        ),
    ] {
        std::fs::write(dir.join("g.missive"), template(input, condition)).unwrap();
        let (_, out, _) = run_in(&dir, &["check", "g.missive", "--format", "short"]);
        let warned: Vec<usize> = out
            .lines()
            .filter(|l| l.contains("warning[M2003]"))
            .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(warned, lines, "`if {condition}` with `{input}`: {out}");
    }
}

#[test]
fn a_use_on_the_line_of_an_unclosed_brace_keeps_no_diagnostics() {
    // `use card { ...` is never closed: nothing from its line on is checked, the copy of the
    // part it brings in included (its M2003 is not reported "used at" that line).
    let card = "part card {\n  input { name?: string max 60, link: url }\n  element {\n    title: name\n    button web_url { title: \"View\", url: link }\n  }\n}\n";
    let shop = "notification shop\n\ninput {\n  product: { name?: string max 60, url: url }\n}\n\ncarousel {\n  element {\n    title: product.name\n    button web_url { title: \"View\", url: product.url }\n  }\n  use card { name: product.name, link: product.url\n}\n";
    let dir = project(
        "parts-unclosed-use",
        &[("shop.missive", shop)],
        &[("card.missive", card)],
    );
    let (code, out, _) = run_in(&dir, &["check", "shop.missive", "--format", "short"]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("warning[") || l.contains("error["))
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("shop.missive:9:12: warning[M2003]"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("shop.missive:12:12: error[M0002]"),
        "{out}"
    );
}

#[test]
fn the_near_part_of_a_misspelt_use_does_not_count_against_the_size_limit() {
    // `use crad` labels the part `card` in its file, through a copy of it that brings in
    // nothing: with a limit that the template and one copy of `card` fit exactly, the good
    // use after it is brought in, and there is no M0010.
    let card = "part card {\n  input { name: string max 60, link: url }\n  element {\n    title: name\n    button web_url { title: \"View\", url: link }\n  }\n}\n";
    let shop = "notification shop\n\ninput {\n  product: { name: string max 60, url: url }\n}\n\ncarousel {\n  use crad { name: product.name, link: product.url }\n  use card { name: product.name, link: product.url }\n}\n";
    let dir = project(
        "parts-near-label-size",
        &[("shop.missive", shop)],
        &[("card.missive", card)],
    );
    let limit = (shop.len() + card.len()).to_string();
    let (code, out, _) = run_in(
        &dir,
        &[
            "check",
            "--max-source-bytes",
            &limit,
            "shop.missive",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = report["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["M1020"], "{out}");
    assert!(
        diags[0]["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["file"] == "parts/card.missive"),
        "{out}"
    );
    // One byte less, the good use is over the limit, and said so at it, with the size of
    // the files as written (no newline between them counted).
    let limit = (shop.len() + card.len() - 1).to_string();
    let (_, out, _) = run_in(
        &dir,
        &[
            "check",
            "--max-source-bytes",
            &limit,
            "shop.missive",
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &report["diagnostics"][1];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64()),
        (Some("M0010"), Some(9)),
        "{out}"
    );
    let all = format!("{} bytes in all", shop.len() + card.len());
    assert!(d["label"].as_str().unwrap().ends_with(&all), "{out}");
}

#[test]
fn m2003_points_at_the_optional_parent_of_a_required_field() {
    // `product?: { name: string ... }`: `product.name` may be absent because `product` may;
    // "declared optional here" is at `product?` (line 4, column 3), not at `name: string`.
    let plain = "notification plain\n\ninput {\n  product?: {\n    name: string max 60,\n    url: url\n  }\n}\n\ncarousel {\n  element {\n    title: product.name\n    button web_url { title: \"View\", url: product.url }\n  }\n}\n";
    let dir = project("m2003-optional-parent", &[("plain.missive", plain)], &[]);
    let (_, out, _) = run_in(&dir, &["check", "plain.missive", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = report["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2, "{out}");
    for d in diags {
        let decl = d["labels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["message"] == "declared optional here")
            .expect("the declaration labelled");
        assert_eq!(
            (decl["line"].as_u64(), decl["column"].as_u64()),
            (Some(4), Some(3)),
            "{out}"
        );
        // What to declare required is `product`: `product.name` is required already.
        let help = d["help"].as_str().unwrap_or_default();
        assert!(
            help.starts_with("declare `product` required in `input`"),
            "{help}"
        );
    }
}
