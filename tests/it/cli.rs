//! End-to-end tests of the `missive` binary: stdout, stderr and exit status.

use std::path::Path;

use crate::common::http::{Reply, Server};
use crate::common::snapshots::assert_snapshot;
use crate::common::{missive, temp_dir, BUNDLED};

/// Runs missive with `args`, checks its exit status, and returns its stdout and stderr.
fn run(args: &[&str], code: i32) -> (Vec<u8>, Vec<u8>) {
    let out = missive()
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone();
    (out.stdout, out.stderr)
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// A file in a folder of its own: tests run in parallel and reuse names.
fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = temp_dir("cli").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

const GUIDE: &[&str] = &["text_only", "image_only", "carousel", "receipt"];

#[test]
fn the_guide_templates_render_the_guides_payloads() {
    for name in GUIDE {
        let out = missive()
            .args([
                "render",
                &format!("templates/{name}.missive"),
                "--data",
                &format!("examples/{name}.json"),
            ])
            .assert()
            .success()
            .get_output()
            .clone();
        let expected = std::fs::read_to_string(format!("tests/expected/{name}.json")).unwrap();
        assert_eq!(json(&out.stdout), json(expected.as_bytes()), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if ["carousel", "receipt"].contains(name) {
            // The guide's plain-http images: warnings, and nothing else.
            assert!(
                stderr.contains("warning[M4007]") && !stderr.contains("error"),
                "{name}: {stderr}"
            );
        } else {
            assert!(stderr.is_empty(), "{name}: {stderr}");
        }
    }
}

#[test]
fn pretty_output_matches_the_guide_byte_for_byte() {
    for name in GUIDE {
        let out = missive()
            .args([
                "render",
                &format!("templates/{name}.missive"),
                "--data",
                &format!("examples/{name}.json"),
                "--pretty",
            ])
            .assert()
            .success()
            .get_output()
            .clone();
        let expected = std::fs::read_to_string(format!("tests/expected/{name}.json")).unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected, "{name}");
    }
}

#[test]
fn every_bundled_template_renders_deterministically() {
    for name in BUNDLED {
        let run = || {
            run(
                &[
                    "render",
                    &format!("templates/{name}.missive"),
                    "--data",
                    &format!("examples/{name}.json"),
                ],
                0,
            )
            .0
        };
        let first = run();
        json(&first);
        assert_eq!(first, run(), "{name}: two runs differ");
        assert!(
            first.ends_with(b"}\n") && !first[..first.len() - 1].contains(&b'\n'),
            "{name}: compact, one line"
        );
    }
}

#[test]
fn bundled_templates_and_examples_are_clean() {
    missive()
        .args(["check", "templates"])
        .assert()
        .success()
        // The seven templates and the part file they share, templates/parts/contact.missive.
        .stdout("8 files checked: no problems found\n");
    for name in [
        "text_only",
        "image_only",
        "order_confirmation",
        "back_in_stock",
        "shipping_update",
    ] {
        missive()
            .args([
                "check",
                &format!("templates/{name}.missive"),
                "--data",
                &format!("examples/{name}.json"),
                "--deny-warnings",
            ])
            .assert()
            .success();
    }
}

/// The guide's own carousel and receipt use plain-http images: reproduced exactly, so their
/// samples get the M4007 warnings, and only those.
#[test]
fn the_guides_http_images_are_the_only_warnings() {
    let mut report = String::new();
    for name in ["carousel", "receipt"] {
        let out = run(
            &[
                "check",
                &format!("templates/{name}.missive"),
                "--data",
                &format!("examples/{name}.json"),
                "--format",
                "short",
            ],
            0,
        )
        .0;
        report.push_str(&String::from_utf8(out).unwrap());
    }
    assert_snapshot!("guide_http_image_warnings", report);
}

#[test]
fn emit_request_fills_the_url_and_keeps_the_token_a_placeholder() {
    let out = run(
        &[
            "render",
            "templates/back_in_stock.missive",
            "--data",
            "examples/back_in_stock.json",
            "--emit",
            "request",
            "--page-id",
            "322837607840703",
        ],
        0,
    )
    .0;
    let v = json(&out);
    assert_eq!(v["method"], "POST");
    assert_eq!(
        v["url"],
        "https://api.iadvize.com/social/facebook/messenger/pages/322837607840703/customers/instock-AB123-k45332j9i54/messages?access_token={access_token}"
    );
    assert_eq!(
        v["body"]["text"],
        "Good news Lisa! Super Hand Mixer 2000 is back in stock."
    );
}

#[test]
fn emit_request_percent_encodes_the_customer_id() {
    let out = run(
        &[
            "render",
            "templates/text_only.missive",
            "--emit",
            "request",
            "--page-id",
            "1",
            "--customer-id",
            "a b/é",
        ],
        0,
    )
    .0;
    let v = json(&out);
    assert!(
        v["url"]
            .as_str()
            .unwrap()
            .contains("/customers/a%20b%2F%C3%A9/messages"),
        "{v}"
    );
}

#[test]
fn emit_request_without_page_id_is_a_usage_error() {
    // expect: M9002
    missive()
        .args([
            "render",
            "templates/back_in_stock.missive",
            "--data",
            "examples/back_in_stock.json",
            "--emit",
            "request",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "error[M9002]: `--emit request` needs `--page-id`",
        ));
    let err = run(
        &[
            "render",
            "templates/back_in_stock.missive",
            "--data",
            "examples/back_in_stock.json",
            "--emit",
            "request",
        ],
        2,
    )
    .1;
    assert_snapshot!(
        "emit_request_without_page_id_human",
        String::from_utf8(err).unwrap()
    );
}

#[test]
fn messenger_profile_request_is_the_send_api_envelope() {
    let out = run(
        &[
            "render",
            "templates/image_only.missive",
            "--data",
            "examples/image_only.json",
            "--profile",
            "messenger",
            "--emit",
            "request",
            "--page-id",
            "1",
            "--recipient",
            "42",
        ],
        0,
    )
    .0;
    let v = json(&out);
    assert_eq!(v["body"]["recipient"]["id"], "42");
    assert_eq!(v["body"]["message"]["attachment"]["type"], "image");
    assert!(v["url"]
        .as_str()
        .unwrap()
        .starts_with("https://graph.facebook.com/"));
}

#[test]
fn messenger_request_needs_no_page_id_and_uses_the_profiles_graph_version() {
    // The command M6004's help gives, as is: the Send API URL names no page.
    let out = run(
        &[
            "render",
            "templates/image_only.missive",
            "--data",
            "examples/image_only.json",
            "--profile",
            "messenger",
            "--emit",
            "request",
            "--recipient",
            "PSID",
        ],
        0,
    )
    .0;
    let v = json(&out);
    assert_eq!(
        v["url"],
        "https://graph.facebook.com/v25.0/me/messages?access_token={access_token}"
    );
    assert_eq!(v["body"]["recipient"]["id"], "PSID");
    // A page id given anyway must still be digits.
    let err = run(
        &[
            "render",
            "templates/image_only.missive",
            "--data",
            "examples/image_only.json",
            "--profile",
            "messenger",
            "--emit",
            "request",
            "--page-id",
            "x",
        ],
        2,
    )
    .1;
    assert!(String::from_utf8(err)
        .unwrap()
        .contains("`--page-id x` is not a page id"));
}

#[test]
fn a_profile_with_the_send_api_envelope_names_its_graph_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(
        &path,
        "extends = \"messenger\"\nname = \"mine\"\n[send_api]\ngraph_version = \"v26.0\"\nsource = \"us\"\ndate = \"2027\"\n",
    )
    .unwrap();
    let out = run(
        &[
            "render",
            "templates/image_only.missive",
            "--data",
            "examples/image_only.json",
            "--profile",
            &path.to_string_lossy(),
            "--emit",
            "request",
        ],
        0,
    )
    .0;
    assert_eq!(
        json(&out)["url"],
        "https://graph.facebook.com/v26.0/me/messages?access_token={access_token}"
    );
    // The iAdvize envelope still needs the page id.
    let iadvize = dir.path().join("iadvize.toml");
    std::fs::write(&iadvize, "extends = \"iadvize\"\nname = \"mine\"\n").unwrap();
    let err = run(
        &[
            "render",
            "templates/image_only.missive",
            "--data",
            "examples/image_only.json",
            "--profile",
            &iadvize.to_string_lossy(),
            "--emit",
            "request",
        ],
        2,
    )
    .1;
    assert!(String::from_utf8(err)
        .unwrap()
        .contains("`--emit request` needs `--page-id`"));
}

#[test]
fn the_proposed_truncate_fits_where_the_default_leeway_does_not() {
    // An 84-character name: `truncate(length=80)` keeps it whole (leeway 5), over the limit;
    // `truncate(length=80, leeway=0)`, what the help proposes, cuts it to 80.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.json");
    std::fs::write(&data, format!("{{\"name\": \"{}\"}}", "n".repeat(84))).unwrap();
    let template = |cut: &str| {
        let path = dir.path().join("t.missive");
        std::fs::write(
            &path,
            format!("notification t\n\ninput {{\n  name: string\n}}\n\ncarousel {{\n  element {{\n    title: \"{{{{ name | {cut} }}}}\"\n    subtitle: \"Back\"\n  }}\n}}\n"),
        )
        .unwrap();
        path.to_string_lossy().into_owned()
    };
    let path = template("truncate(length=80)");
    let err = run(&["render", &path, "--data", &data.to_string_lossy()], 1).1;
    assert!(String::from_utf8(err)
        .unwrap()
        .contains("rendered `title` is 84 characters long, the limit is 80"));
    let path = template("truncate(length=80, leeway=0)");
    let out = run(&["render", &path, "--data", &data.to_string_lossy()], 0).0;
    let title = json(&out)["attachment"]["payload"]["elements"][0]["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(title, format!("{}...", "n".repeat(77)));
}

/// A carousel of `n` elements with `buttons` buttons on the first, as template source.
fn carousel(elements: usize, buttons: usize, title: &str) -> String {
    let mut s = String::from("notification limits\n\ncarousel {\n");
    for i in 0..elements {
        s.push_str("  element {\n");
        s.push_str(&format!(
            "    title: \"{}\"\n",
            if i == 0 {
                title.to_string()
            } else {
                format!("Item {i}")
            }
        ));
        s.push_str("    subtitle: \"In stock\"\n");
        if i == 0 {
            for b in 0..buttons {
                s.push_str(&format!(
                    "    button postback {{ title: \"Option {b}\", payload: \"OPT_{b}\" }}\n"
                ));
            }
        }
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}

/// Runs `check` on a source in all three formats; returns (short line, JSON diagnostic).
fn check_all_formats(
    name: &str,
    source: &str,
    profile: &str,
) -> (String, serde_json::Value, String) {
    let path = temp_file(name, source.as_bytes());
    let p = path.to_string_lossy().into_owned();
    let human = run(&["check", &p, "--profile", profile], 1).0;
    let short = run(&["check", &p, "--format", "short", "--profile", profile], 1).0;
    let j = run(&["check", &p, "--format", "json", "--profile", profile], 1).0;
    let v = json(&j);
    let first = v["diagnostics"][0].clone();
    (
        String::from_utf8(short).unwrap(),
        first,
        String::from_utf8(human).unwrap(),
    )
}

#[test]
fn a_title_of_81_characters_is_an_error_at_its_value() {
    let title = "x".repeat(81);
    let (short, j, human) = check_all_formats("limits.missive", &carousel(1, 0, &title), "iadvize");
    assert!(
        short.ends_with(
            "limits.missive:5:12: error[M2001]: `title` is 81 characters long, the limit is 80\n"
        ),
        "{short}"
    );
    assert_eq!(
        (
            j["code"].as_str(),
            j["line"].as_u64(),
            j["column"].as_u64(),
            j["end_column"].as_u64()
        ),
        (Some("M2001"), Some(5), Some(12), Some(95))
    );
    assert!(
        human.contains("error[M2001]") && human.contains("limits.missive:5:12"),
        "{human}"
    );
}

#[test]
fn a_fourth_button_is_an_error_at_the_fourth_button() {
    let (short, j, human) =
        check_all_formats("limits.missive", &carousel(1, 4, "Mixer"), "iadvize");
    assert!(
        short.ends_with(
            "limits.missive:10:5: error[M2002]: too many `button`s: 4, Messenger allows 3\n"
        ),
        "{short}"
    );
    assert_eq!(
        (j["line"].as_u64(), j["column"].as_u64()),
        (Some(10), Some(5))
    );
    assert!(human.contains("error[M2002]"), "{human}");
}

#[test]
fn an_eleventh_element_is_an_error_at_the_eleventh_element() {
    let (short, j, _) = check_all_formats("limits.missive", &carousel(11, 0, "Mixer"), "iadvize");
    // Element k starts on line 4 + 4 * (k - 1).
    assert!(
        short.ends_with(
            "limits.missive:44:3: error[M2002]: too many `element`s: 11, Messenger allows 10\n"
        ),
        "{short}"
    );
    assert_eq!(
        (j["line"].as_u64(), j["column"].as_u64()),
        (Some(44), Some(3))
    );
}

#[test]
fn a_321_character_text_is_an_error_under_iadvize_but_not_messenger() {
    let source = format!("notification limits\n\ntext \"{}\"\n", "a".repeat(321));
    let (short, j, _) = check_all_formats("limits.missive", &source, "iadvize");
    assert!(
        short.ends_with(
            "limits.missive:3:6: error[M2001]: `text` is 321 characters long, the limit is 320\n"
        ),
        "{short}"
    );
    assert_eq!(j["notes"][0], "limit from profile `iadvize` (iAdvize integration guide (« Limitation de Text : 320 »), 2019)");
    let path = temp_file("limits.missive", source.as_bytes());
    missive()
        .args(["check", &path.to_string_lossy(), "--profile", "messenger"])
        .assert()
        .success();
}

#[test]
fn text_beside_an_attachment_is_an_error_under_messenger_at_the_text() {
    let source = "notification limits\n\ntext \"Your order has shipped\"\nimage \"https://shop.example/parcel.png\"\n";
    let (short, j, _) = check_all_formats("limits.missive", source, "messenger");
    assert!(short.ends_with("limits.missive:3:1: error[M2008]: profile `messenger` does not allow text beside an attachment\n"), "{short}");
    assert_eq!(
        (j["line"].as_u64(), j["column"].as_u64()),
        (Some(3), Some(1))
    );
    let path = temp_file("limits.missive", source.as_bytes());
    missive()
        .args(["check", &path.to_string_lossy()])
        .assert()
        .success();
}

#[test]
fn a_missing_file_is_an_io_error_and_the_others_are_still_checked() {
    // expect: M9001
    let out = run(
        &[
            "check",
            "no/such/file.missive",
            "templates/text_only.missive",
            "--format",
            "json",
        ],
        2,
    )
    .0;
    let v = json(&out);
    assert_eq!(v["diagnostics"][0]["code"], "M9001");
    assert_eq!(v["diagnostics"][0]["file"], "no/such/file.missive");
    assert!(v["diagnostics"][0]["line"].is_null());
    assert_eq!(v["summary"]["files"], 2);
    let human = run(&["check", "no/such/file.missive"], 2).0;
    assert_snapshot!("missing_file_human", String::from_utf8(human).unwrap());
    missive()
        .args(["check", "no/such/file.missive", "--format", "short"])
        .assert()
        .code(2)
        .stdout("no/such/file.missive: error[M9001]: cannot read `no/such/file.missive`: no such file or folder\n");
}

#[test]
fn a_file_that_is_not_utf8_gets_a_located_diagnostic() {
    // expect: M0007
    let path = temp_file("latin1.missive", b"notification latin1\ntext \"caf\xe9\"\n");
    let out = run(&["check", &path.to_string_lossy(), "--format", "json"], 1).0;
    let d = &json(&out)["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("M0007"), Some(2), Some(10))
    );
    let human = run(&["check", &path.to_string_lossy()], 1).0;
    let human = String::from_utf8(human)
        .unwrap()
        .replace(&*path.to_string_lossy(), "latin1.missive");
    assert_snapshot!("not_utf8_human", human);
}

#[test]
fn an_empty_file_is_reported_at_1_1() {
    // expect: M0008
    let path = temp_file("empty.missive", b"");
    missive()
        .args(["check", &path.to_string_lossy(), "--format", "short"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "empty.missive:1:1: error[M0008]: this template is empty",
        ));
    let human = run(&["check", &path.to_string_lossy()], 1).0;
    let human = String::from_utf8(human)
        .unwrap()
        .replace(&*path.to_string_lossy(), "empty.missive");
    assert_snapshot!("empty_file_human", human);
}

#[test]
fn garbage_gets_syntax_errors_not_a_crash() {
    for garbage in [
        &b"\x00\x01\x02{{{{"[..],
        b"}}}} ]]] ((",
        b"notification x\n\"\"\"",
        b"{ { { { {",
        b"notification x\ncarousel { element { title: \"x\" }",
    ] {
        let path = temp_file("garbage.missive", garbage);
        let out = run(&["check", &path.to_string_lossy(), "--format", "json"], 1).0;
        let v = json(&out);
        assert!(v["summary"]["errors"].as_u64().unwrap() >= 1, "{v}");
        assert!(v["diagnostics"][0]["line"].is_u64(), "{v}");
    }
}

#[test]
fn a_data_file_that_is_not_json_is_a_located_data_error() {
    let data = temp_file(
        "bad.json",
        b"{\n  \"image\": 'https://x.example/a.png'\n}\n",
    );
    let d = data.to_string_lossy().into_owned();
    let out = missive()
        .args([
            "render",
            "templates/image_only.missive",
            "--data",
            &d,
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    let v = json(&out);
    let diag = &v["diagnostics"][0];
    assert_eq!(diag["code"], "M3001");
    assert_eq!(diag["file"], d.as_str());
    assert_eq!(
        (diag["line"].as_u64(), diag["column"].as_u64()),
        (Some(2), Some(12))
    );
}

#[test]
fn a_wrong_data_type_is_reported_at_its_line_in_the_data_file() {
    let data = temp_file(
        "receipt.json",
        std::fs::read_to_string("examples/receipt.json")
            .unwrap()
            .replace("\"price\": 25", "\"price\": \"25\"")
            .as_bytes(),
    );
    let d = data.to_string_lossy().into_owned();
    let out = missive()
        .args([
            "render",
            "templates/receipt.missive",
            "--data",
            &d,
            "--format",
            "short",
        ])
        .assert()
        .code(1)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(&format!(
            "{d}:23:18: error[M3003]: `order.items[1].price` should be a number, found a string"
        )),
        "{text}"
    );
}

#[test]
fn render_reads_data_from_stdin() {
    missive()
        .args(["render", "templates/image_only.missive", "--data", "-"])
        .write_stdin("{\"image\": \"https://shop.example/a.png\"}")
        .assert()
        .success()
        .stdout("{\"attachment\":{\"type\":\"image\",\"payload\":{\"url\":\"https://shop.example/a.png\"}}}\n");
}

#[test]
fn stdin_filename_checks_an_unsaved_buffer() {
    missive()
        .args([
            "check",
            "--stdin-filename",
            "draft.missive",
            "--format",
            "short",
        ])
        .write_stdin("notification draft\ntext \"\"\n")
        .assert()
        .code(1)
        .stdout("draft.missive:2:6: error[M2004]: `text` is empty\n");
}

#[test]
fn deny_warnings_turns_warnings_into_exit_1() {
    let path = temp_file(
        "other_name.missive",
        b"notification some_name\ntext \"Hello\"\n",
    );
    let p = path.to_string_lossy().into_owned();
    missive().args(["check", &p]).assert().success();
    missive()
        .args(["check", &p, "--deny-warnings"])
        .assert()
        .code(1);
}

#[test]
fn an_unknown_profile_is_a_usage_error() {
    // expect: M9003
    missive()
        .args([
            "check",
            "templates",
            "--profile",
            "whatsapp",
            "--format",
            "short",
        ])
        .assert()
        .code(2)
        .stdout(predicates::str::contains(
            "error[M9003]: unknown profile `whatsapp`",
        ));
    let out = run(&["check", "templates", "--profile", "whatsapp"], 2).0;
    assert_snapshot!("unknown_profile_human", String::from_utf8(out).unwrap());
}

#[test]
fn a_user_profile_file_can_extend_a_builtin() {
    let profile = temp_file("short.toml", b"extends = \"iadvize\"\nname = \"short\"\n[limits.text]\nmax = 10\nsource = \"our style guide\"\ndate = \"2026-11\"\n");
    let out = run(
        &[
            "check",
            "templates/text_only.missive",
            "--profile",
            &profile.to_string_lossy(),
            "--format",
            "json",
        ],
        1,
    )
    .0;
    let v = json(&out);
    assert_eq!(
        v["diagnostics"][0]["notes"][0],
        "limit from profile `short` (our style guide, 2026-11)"
    );
}

#[test]
fn a_bad_flag_is_a_usage_error_with_exit_2() {
    missive().args(["check", "--no-such-flag"]).assert().code(2);
    let out = run(&["check", "--no-such-flag", "--format", "json"], 2).0;
    assert_eq!(json(&out)["diagnostics"][0]["code"], "M9002");
}

#[test]
fn explain_prints_the_page_of_a_code() {
    missive()
        .args(["explain", "M2001"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("# M2001"));
    missive().args(["explain", "M0000"]).assert().code(2);
}

#[test]
fn the_expected_payloads_are_the_guides() {
    // tests/expected/ is a copy of the integration guide's payloads (shared/seed/expected/).
    for name in GUIDE {
        assert!(Path::new(&format!("tests/expected/{name}.json")).exists());
    }
}

#[test]
fn a_missing_data_file_is_reported_under_its_own_name() {
    let out = missive()
        .args([
            "render",
            "templates/image_only.missive",
            "--data",
            "no/such/data.json",
            "--format",
            "short",
        ])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "no/such/data.json: error[M9001]: cannot read `no/such/data.json`: no such file or folder\n"
    );
}

#[test]
fn data_that_is_not_utf8_is_a_data_error() {
    let data = temp_file("latin1.json", b"{\"image\": \"caf\xe9\"}");
    let out = run(
        &[
            "render",
            "templates/image_only.missive",
            "--data",
            &data.to_string_lossy(),
            "--format",
            "json",
        ],
        1,
    )
    .1;
    let d = &json(&out)["diagnostics"][0];
    assert_eq!(d["code"], "M3001");
    assert_eq!(
        (
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["end_column"].as_u64()
        ),
        (Some(1), Some(15), Some(16))
    );
}

#[test]
fn template_and_data_cannot_both_come_from_stdin() {
    missive()
        .args(["render", "--stdin-filename", "t.missive", "--data", "-"])
        .write_stdin("notification t\ntext \"hi\"\n")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "cannot both come from standard input",
        ));
}

#[test]
fn a_customer_id_given_on_the_command_line_is_checked() {
    for id in ["", &"x".repeat(51)] {
        missive()
            .args([
                "render",
                "templates/text_only.missive",
                "--emit",
                "request",
                "--page-id",
                "1",
                "--customer-id",
                id,
            ])
            .assert()
            .code(2)
            .stdout("");
    }
}

#[test]
fn usage_errors_follow_the_format_and_stream() {
    missive()
        .args(["check", "--format", "short", "--bogus"])
        .assert()
        .code(2)
        .stdout("error[M9002]: unexpected argument '--bogus' found\n");
    let out = run(&["--format", "json", "check", "--bogus"], 2).0;
    assert_eq!(json(&out)["diagnostics"][0]["code"], "M9002");
}

/// The first bytes of a PNG of the given size: enough for a header reader.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut b = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

fn carousel_with_images(aspect: &str, urls: &[&str]) -> String {
    let mut s = format!("notification images\n\ncarousel {{\n{aspect}");
    for (i, u) in urls.iter().enumerate() {
        s.push_str(&format!(
            "  element {{\n    title: \"Product {i}\"\n    image_url: \"{u}\"\n  }}\n"
        ));
    }
    s.push_str("}\n");
    s
}

#[test]
fn check_images_reads_sizes_from_a_local_folder() {
    // expect: M4010 M4011
    let dir = temp_file("img/wide.png", &png(1910, 1000))
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    std::fs::write(dir.join("img/square.png"), png(1000, 1000)).unwrap();
    let template = dir.join("images.missive");
    std::fs::write(
        &template,
        carousel_with_images(
            "",
            &[
                "https://shop.example/img/wide.png",
                "https://shop.example/img/square.png",
                "https://shop.example/img/missing.png",
            ],
        ),
    )
    .unwrap();
    let out = run(
        &[
            "check",
            &template.to_string_lossy(),
            "--check-images",
            "--images",
            &dir.to_string_lossy(),
        ],
        0,
    )
    .0;
    let text = String::from_utf8(out)
        .unwrap()
        .replace(&*dir.to_string_lossy(), "DIR");
    assert!(
        text.contains("warning[M4010]: the image is 1000×1000 (1.00:1), shown at 1.91:1"),
        "{text}"
    );
    assert!(text.contains("warning[M4011]"), "{text}");
    assert!(!text.contains("1910×1000"), "{text}");
    assert_snapshot!("check_images_local_human", text);
}

#[test]
fn check_images_fetches_the_first_bytes_over_http() {
    let server = Server::start(|_, request| match request.target.as_str() {
        "/square.png" => Reply::Http(200, &[], png(800, 800)),
        _ => Reply::Http(404, &[], b"not found".to_vec()),
    });
    let base = &server.base;
    let square = format!("{base}/square.png");
    let gone = format!("{base}/gone.png");
    let dir = temp_file("x", b"").parent().unwrap().to_path_buf();
    let template = dir.join("images.missive");

    // Shown square: the square image fits.
    std::fs::write(
        &template,
        carousel_with_images("  image_aspect_ratio: \"square\"\n", &[&square]),
    )
    .unwrap();
    let out = run(
        &[
            "check",
            &template.to_string_lossy(),
            "--check-images",
            "--format",
            "short",
        ],
        0,
    )
    .0;
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("M4010") && !text.contains("M4011"), "{text}");

    // Shown horizontal: cropped; and a 404 is reported, not fatal.
    std::fs::write(&template, carousel_with_images("", &[&square, &gone])).unwrap();
    let out = run(
        &[
            "check",
            &template.to_string_lossy(),
            "--check-images",
            "--format",
            "short",
        ],
        0,
    )
    .0;
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("warning[M4010]: the image is 800×800 (1.00:1), shown at 1.91:1"),
        "{text}"
    );
    assert!(text.contains("warning[M4011]"), "{text}");
}

#[test]
fn check_images_with_data_checks_the_rendered_urls() {
    let dir = temp_file("img/p/AB123.jpg", &png(600, 600))
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let out = run(
        &[
            "check",
            "templates/back_in_stock.missive",
            "--data",
            "examples/back_in_stock.json",
            "--check-images",
            "--images",
            &dir.to_string_lossy(),
            "--format",
            "short",
        ],
        0,
    )
    .0;
    let text = String::from_utf8(out).unwrap();
    // examples/back_in_stock.json names https://www.cooktoys.example/img/products/AB123.jpg
    assert!(
        text.contains("M4011") && text.contains("from `product.image`"),
        "{text}"
    );
}

#[test]
fn raising_a_max_in_a_bundled_template_warns_at_the_title() {
    let source = std::fs::read_to_string("templates/back_in_stock.missive").unwrap();
    let raised = source.replace("name: string max 60", "name: string max 90");
    assert_ne!(raised, source);
    let title_line = raised
        .lines()
        .position(|l| l.trim() == "title: product.name")
        .unwrap()
        + 1;
    let path = temp_file("back_in_stock.missive", raised.as_bytes());
    // Its shared parts, beside it as in templates/.
    let parts = path.parent().unwrap().join("parts");
    std::fs::create_dir_all(&parts).unwrap();
    std::fs::copy(
        "templates/parts/contact.missive",
        parts.join("contact.missive"),
    )
    .unwrap();
    let out = run(&["check", &path.to_string_lossy(), "--format", "short"], 0).0;
    let text = String::from_utf8(out).unwrap();
    let expected = format!("back_in_stock.missive:{title_line}:12: warning[M2001]: `title` may reach 90 characters, the limit is 80");
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn explain_without_a_code_lists_the_catalog() {
    let out = run(&["explain"], 0).0;
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), missive::Code::ALL.len());
    assert!(text.contains("M2001  a text over Messenger's length limit"));
}

#[test]
fn a_folder_search_skips_hidden_folders_target_and_node_modules() {
    let root = temp_file(
        "shop/notif.missive",
        b"notification notif\ntext \"Hello\"\n",
    );
    let shop = root.parent().unwrap().to_path_buf();
    for skipped in ["node_modules/pkg", "target/debug", ".git"] {
        let dir = shop.join(skipped);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("broken.missive"), b"not a template {").unwrap();
    }
    let shop = shop.to_str().unwrap();
    let (out, _) = run(&["check", shop], 0);
    assert_eq!(
        String::from_utf8_lossy(&out),
        "1 file checked: no problems found\n"
    );
    // A folder named on the command line is searched, whatever its name.
    let named = format!("{shop}/node_modules");
    run(&["check", &named], 1);
}

/// A currency without a symbol in the locale (CHF in `de-DE`) renders with its code, and ICU4X's
/// data miss is never printed: stderr stays empty.
#[test]
fn a_currency_without_a_local_symbol_prints_nothing_on_stderr() {
    let template = temp_file(
        "swiss_total.missive",
        b"notification swiss_total\nlocale \"de-DE\"\ninput { order: { total: number 0..10000 } }\ntext \"Total: {{ order.total | money('CHF') }}\"\n",
    );
    let data = temp_file("swiss_total.json", br#"{ "order": { "total": 5 } }"#);
    let (out, err) = run(
        &[
            "render",
            template.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        0,
    );
    assert_eq!(json(&out)["text"], "Total: 5,00\u{a0}CHF");
    assert_eq!(String::from_utf8_lossy(&err), "");
}

/// M2013's help proposes a scheme built from the template's own inputs, and the edit it
/// proposes checks clean (it proposed `{{ session_id }}`, which no template declared).
#[test]
fn the_constant_customer_id_help_proposes_a_scheme_that_checks_clean() {
    // expect: M2013
    for (input, expected) in [
        (
            "input { product: { sku: string max 16, name: string max 60 } }",
            "customer_id \"alert-{{ product.sku }}\"",
        ),
        (
            "input { name: string max 60 }",
            "customer_id \"alert-{{ session_id }}\"",
        ),
        ("", "customer_id \"alert-{{ session_id }}\""),
    ] {
        let text =
            format!("notification alert\ncustomer_id \"same\"\n{input}\ntext \"Back in stock.\"\n");
        let path = temp_file("alert.missive", text.as_bytes());
        let (out, _) = run(&["check", path.to_str().unwrap(), "--format", "json"], 1);
        let doc = json(&out);
        let help = doc["diagnostics"][0]["help"].as_str().unwrap().to_string();
        assert!(help.contains(&format!("`{expected}`")), "{help}");
        // The edit the help proposes (and the input it says to add), made by hand.
        let mut fixed = text.replace("customer_id \"same\"", expected);
        if input.is_empty() {
            assert!(
                help.contains("add `input { session_id: string max 40 }`"),
                "{help}"
            );
            fixed.push_str("input { session_id: string max 40 }\n");
        } else if !input.contains("sku") {
            // A name is not unique to the visitor: the help says which input to add.
            assert!(
                help.contains("add `session_id: string max 40` to `input { }`"),
                "{help}"
            );
            fixed = fixed.replace("input { ", "input { session_id: string max 40, ");
        }
        let path = temp_file("alert.missive", fixed.as_bytes());
        run(&["check", path.to_str().unwrap()], 0);
    }
}

/// `explain 3003` names the code meant; a code that does not exist says what codes look like.
#[test]
fn explain_of_a_code_without_its_m_names_the_code_meant() {
    // expect: M9002
    let (_, err) = run(&["explain", "3003"], 2);
    assert_eq!(
        String::from_utf8_lossy(&err),
        "error[M9002]: unknown diagnostic code `3003`\n  help: codes start with `M`: `missive explain M3003` (a data value of the wrong type)\n"
    );
    let (_, err) = run(&["explain", "M9999"], 2);
    assert!(String::from_utf8_lossy(&err).contains("codes look like `M2001`"));
    let (out, _) = run(&["explain", "m3003"], 0);
    assert!(String::from_utf8_lossy(&out).starts_with("# M3003"));
}

/// A path that does not exist, with a file of a close name beside it: the help names that file.
#[test]
fn a_missing_file_with_a_close_name_beside_it_is_named() {
    // expect: M9001
    let (out, _) = run(&["check", "templates/back_in_stok.missive"], 2);
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("help: a file with a similar name exists: `templates/back_in_stock.missive`"),
        "{err}"
    );
    let (_, err) = run(&["render", "templates/nothing_like_it.missive"], 2);
    assert!(String::from_utf8_lossy(&err).contains("check the path and that the file is readable"));
}

/// Data read from standard input is named `<stdin>`, with `--data -` as in a batch.
#[test]
fn data_from_standard_input_is_named_stdin() {
    // expect: M3005
    let out = missive()
        .args(["render", "templates/text_only.missive", "--data", "-"])
        .write_stdin("{\"first_name\": 5}")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[<stdin>:1:"), "{err}");
}

/// M4008's proposed `max` leaves room for the value's other unbounded variables: followed for
/// each in turn, the field fits (it proposed 77 for `brand`, then 77 for `product`, and the
/// title then reached 157 characters of 80).
#[test]
fn the_no_max_help_shares_the_room_among_the_unbounded_variables() {
    // expect: M4008
    let mut text = "notification m31\ninput { brand: string, product: string }\ncarousel {\n  element {\n    title: \"{{ brand }} - {{ product }}\"\n    subtitle: \"x\"\n  }\n}\n".to_string();
    for name in ["brand", "product"] {
        let path = temp_file("m31.missive", text.as_bytes());
        let (out, _) = run(&["check", path.to_str().unwrap(), "--format", "json"], 0);
        let doc = json(&out);
        let help = doc["diagnostics"][0]["help"].as_str().unwrap().to_string();
        let proposed = help
            .split('`')
            .nth(1)
            .filter(|p| p.starts_with(&format!("{name}: string max ")))
            .unwrap_or_else(|| panic!("{help}"))
            .to_string();
        text = text.replacen(&format!("{name}: string"), &proposed, 1);
    }
    assert!(
        text.contains("brand: string max 38") && text.contains("product: string max 39"),
        "{text}"
    );
    let path = temp_file("m31.missive", text.as_bytes());
    let (out, _) = run(&["check", path.to_str().unwrap(), "--format", "json"], 0);
    assert_eq!(json(&out)["diagnostics"], serde_json::json!([]));
    // A variable used twice takes two shares.
    let twice = "notification m31\ninput { brand: string }\ncarousel {\n  element {\n    title: \"{{ brand }} - {{ brand }}\"\n    subtitle: \"x\"\n  }\n}\n";
    let path = temp_file("m31.missive", twice.as_bytes());
    let (out, _) = run(&["check", path.to_str().unwrap(), "--format", "json"], 0);
    let help = json(&out)["diagnostics"][0]["help"].clone();
    assert!(
        help.as_str().unwrap().contains("`brand: string max 38`"),
        "{help}"
    );
}

#[test]
fn a_folder_of_payloads_alone_is_not_a_silent_pass() {
    // `missive check payloads/` said "0 files checked: no problems found" (exit 0) over a
    // folder of broken payloads: a folder is searched for templates only (trial).
    let dir = crate::common::temp_dir("payload-folder");
    let folder = dir.join("payloads");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.json"), r#"{"text": 5}"#).unwrap();
    let out = missive()
        .arg("check")
        .arg(&folder)
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("holds no template, only JSON (1 `.json` file): nothing was checked"),
        "{text}"
    );
    assert!(text.contains("/*.json`"), "{text}");
    // A folder with a template beside the JSON is checked as before (the JSON is its data).
    std::fs::write(folder.join("a.missive"), "notification a\ntext \"hi\"\n").unwrap();
    missive().arg("check").arg(&folder).assert().code(0);
}

#[test]
fn a_folder_of_payloads_beside_a_template_is_not_skipped_silently() {
    // Named beside a template, the folder of payloads was skipped and the run passed (trial).
    let dir = crate::common::temp_dir("payload-folder-beside");
    let folder = dir.join("payloads");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.json"), r#"{"text": 5}"#).unwrap();
    let template = dir.join("a.missive");
    std::fs::write(&template, "notification a\ntext \"hi\"\n").unwrap();
    let out = missive()
        .args(["check", "--format", "short"])
        .arg(&template)
        .arg(&folder)
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("holds no template, only JSON"), "{text}");
}
