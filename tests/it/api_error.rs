//! API errors mapped back to templates: real Facebook error texts of each family (the source of
//! each is named beside it; indices are adapted to the fixture), against the templates and data
//! in `tests/fixtures/api_error/`. Each case asserts the code, the line the diagnostic points at
//! and the data path it names, and snapshots how the human report reads. The CLI tests run
//! `missive explain --api-error`.

use std::path::Path;
use std::sync::Arc;

use missive::api_error::{self, ApiError};
use missive::diagnostic::report::{self, FileReport};
use missive::{compile, Options, SourceFile};

use crate::common::missive;
use crate::common::snapshots::assert_snapshot;

const DIR: &str = "tests/fixtures/api_error";

struct Case {
    /// The snapshot's name.
    name: &'static str,
    template: &'static str,
    data: Option<&'static str>,
    /// The response body or message, as received.
    error: &'static str,
    code: &'static str,
    /// The 1-based line of the primary label; `None`: no location.
    line: Option<usize>,
    /// Text the message must contain (the data path).
    says: &'static str,
}

/// Maps `error` like `missive explain --api-error` does, and returns the report.
fn explain(template: &str, data: Option<&str>, error: &ApiError) -> FileReport {
    let path = format!("{DIR}/{template}.missive");
    let text = std::fs::read_to_string(&path).unwrap();
    let compiled = compile(
        &text,
        &Options {
            file_stem: Some(template.to_string()),
            ..Options::default()
        },
    );
    let t = compiled
        .template
        .unwrap_or_else(|| panic!("{path}: {:#?}", compiled.diagnostics));
    let mut report = FileReport::new(path.clone());
    report.template = Some(Arc::new(SourceFile::new(path, text)));
    let d = match data {
        Some(file) => {
            let data_path = format!("{DIR}/{file}.json");
            let data_text = std::fs::read_to_string(&data_path).unwrap();
            let node = missive::json::parse(&data_text).unwrap();
            report.data = Some(Arc::new(SourceFile::new(data_path, data_text.clone())));
            api_error::diagnose(&t, Some(&node), error)
        }
        None => api_error::diagnose(&t, None, error),
    };
    report.diagnostics.push(d);
    report
}

fn run(case: &Case) {
    let error = api_error::parse_body(Some(400), case.error);
    let report = explain(case.template, case.data, &error);
    let d = &report.diagnostics[0];
    assert_eq!(d.code.as_str(), case.code, "{}: {d:#?}", case.name);
    let line = d.primary().map(|l| {
        report
            .template
            .as_ref()
            .unwrap()
            .line_col(l.span.start as usize)
            .line
    });
    assert_eq!(line, case.line, "{}: {d:#?}", case.name);
    assert!(
        d.message.contains(case.says),
        "{}: `{}` does not say `{}`",
        case.name,
        d.message,
        case.says
    );
    assert!(
        d.notes.iter().any(|n| n.contains(error.message.as_str())),
        "{}: Facebook's message is quoted in a note",
        case.name
    );
    let human = report::human(std::slice::from_ref(&report), false);
    assert_snapshot!(case.name, human);
}

// Length: "Length of param X must be less than or equal to N".

#[test]
fn length_of_an_anonymised_relative_path_maps_to_the_loop_item() {
    // expect: M5002
    // The text of the issue and of messenger-limits.md; relative to an element, as Facebook
    // reports it. The third item of the loop is the 4th element.
    run(&Case {
        name: "length_relative",
        template: "order_carousel",
        data: Some("order_carousel"),
        error: r#"{"error":{"message":"(#100) Length of param [buttons][1][payload] must be less than or equal to 1000","type":"OAuthException","code":100,"fbtrace_id":"AZx1"}}"#,
        code: "M5002",
        line: Some(22),
        says: "`order.items[2].sku`",
    });
}

#[test]
fn length_of_an_absolute_path_maps_to_the_same_field() {
    for (name, message) in [
        (
            "length_absolute",
            "(#100) Length of param message[attachment][payload][elements][3][buttons][1][payload] must be less than or equal to 1000",
        ),
        (
            "length_name_placeholder",
            "(#100) Length of param name_placeholder[elements][3][buttons][1][payload] must be less than or equal to 1000",
        ),
    ] {
        run(&Case {
            name,
            template: "order_carousel",
            data: Some("order_carousel"),
            error: message,
            code: "M5002",
            line: Some(22),
            says: "`order.items[2].sku`",
        });
    }
}

#[test]
fn length_without_data_maps_to_the_loop_body() {
    let error = api_error::parse_body(
        None,
        "(#100) Length of param name_placeholder[elements][3][buttons][1][payload] must be less than or equal to 1000",
    );
    let report = explain("order_carousel", None, &error);
    let d = &report.diagnostics[0];
    assert_eq!(d.code.as_str(), "M5002");
    assert!(d.message.contains("`order.items[*].sku`"), "{}", d.message);
    assert!(
        d.notes.iter().any(|n| n.contains("--data")),
        "{:?}",
        d.notes
    );
    assert_snapshot!(
        "length_without_data",
        report::human(std::slice::from_ref(&report), false)
    );
}

#[test]
fn length_of_a_quick_reply_in_extra_maps_to_the_extra_key() {
    // microsoft/botframework-sdk#1335: Facebook's body inside a client's log line.
    run(&Case {
        name: "length_quick_reply",
        template: "quick_replies",
        data: Some("quick_replies"),
        error: r#"Facebook graph API call failed with: BadRequest {"error":{"message":"(#100) Length of param message[quick_replies][1][title] must be less than or equal to 20","type":"OAuthException","code":100,"fbtrace_id":"DRAKp97EzXc"}}"#,
        code: "M5002",
        line: Some(6),
        says: "`message[quick_replies][1][title]`",
    });
}

// Too many elements: "param X has too many elements."

#[test]
fn too_many_buttons_anonymised_maps_to_the_element() {
    // expect: M5003
    // botman/botman#694, verbatim: relative to the element that has 3 buttons.
    run(&Case {
        name: "too_many_buttons",
        template: "order_carousel",
        data: Some("order_carousel"),
        error: "(#105) param name_placeholder[buttons] has too many elements.",
        code: "M5003",
        line: Some(11),
        says: "too many `button`s",
    });
}

#[test]
fn too_many_elements_with_spaces_in_the_path_maps_to_the_carousel() {
    // fchat.co/faq/error, as that page prints it (spaces inside the path).
    run(&Case {
        name: "too_many_elements",
        template: "order_carousel",
        data: Some("order_carousel"),
        error: "(# 105) param name_placeholder [ elements] has too many elements",
        code: "M5003",
        line: Some(10),
        says: "`order.items`",
    });
}

#[test]
fn too_few_elements_maps_to_the_carousel_and_its_list() {
    // expect: M5007
    // fchat.co/faq/error: "(# 194) param name_placeholder [elements] has too few elements".
    run(&Case {
        name: "too_few_elements",
        template: "extra_key",
        data: Some("extra_key_empty"),
        error: "(#194) param name_placeholder[elements] has too few elements",
        code: "M5007",
        line: Some(4),
        says: "`products`",
    });
}

// Required: "The parameter X is required".

#[test]
fn required_total_maps_to_the_field_the_data_left_out() {
    // expect: M5004
    // microsoft/botframework-sdk#789, Facebook's body verbatim.
    run(&Case {
        name: "required_total",
        template: "receipt_total",
        data: Some("receipt_total"),
        error: r#"{"error":{"message":"(#100) The parameter [summary][total_cost] is required","type":"OAuthException","code":100,"fbtrace_id":"D7N\/8qwkicg"}}"#,
        code: "M5004",
        line: Some(14),
        says: "`order.total`",
    });
}

#[test]
fn required_field_the_data_gives_is_not_said_to_be_left_out() {
    // The same answer, but this data has the total: the record sent was another, or the value
    // was lost on the way; missive must not claim the data leaves it out.
    let error = r#"{"error":{"message":"(#100) The parameter [summary][total_cost] is required","type":"OAuthException","code":100}}"#;
    run(&Case {
        name: "required_total_given",
        template: "receipt_total",
        data: Some("receipt_total_given"),
        error,
        code: "M5004",
        line: Some(14),
        says: "`total_cost` is required (from `order.total`)",
    });
    let report = explain(
        "receipt_total",
        Some("receipt_total_given"),
        &api_error::parse_body(Some(400), error),
    );
    let human = report::human(&[report], false);
    assert!(!human.contains("leaves it out"), "{human}");
    assert!(!human.contains("absent"), "{human}");
}

#[test]
fn required_key_the_template_never_writes_maps_to_the_block() {
    // The same family with a key missive does not write in a summary.
    run(&Case {
        name: "required_missing_key",
        template: "receipt_total",
        data: Some("receipt_total"),
        error: "(#100) The parameter message[attachment][payload][summary][total_tax] is required",
        code: "M5004",
        line: Some(12),
        says: "`total_tax`",
    });
}

#[test]
fn required_without_a_name_has_no_location() {
    // microsoft/botframework-sdk#789: "(#100) The parameter is required", verbatim.
    run(&Case {
        name: "required_unnamed",
        template: "receipt_total",
        data: Some("receipt_total"),
        error: r#"{"error":{"message":"(#100) The parameter is required","type":"OAuthException","code":100,"fbtrace_id":"EMwZFz9wR2A"}}"#,
        code: "M5004",
        line: None,
        says: "The parameter is required",
    });
}

#[test]
fn required_envelope_parameter_has_no_location() {
    // crisboarna/fb-messenger-bot-api#61, Facebook's body verbatim: outside the message.
    run(&Case {
        name: "required_recipient",
        template: "text_only",
        data: Some("text_only"),
        error: r#"{"message":"(#100) The parameter recipient is required","type":"OAuthException","code":100,"fbtrace_id":"XXX"}"#,
        code: "M5004",
        line: None,
        says: "recipient is required",
    });
}

#[test]
fn a_parameter_the_template_does_not_write_has_no_location() {
    run(&Case {
        name: "unmapped_parameter",
        template: "text_only",
        data: Some("text_only"),
        error: "(#100) param [elements][0][image_url] must be a valid URL",
        code: "M5001",
        line: None,
        says: "must be a valid URL",
    });
}

// Invalid keys: `Invalid keys "k" were found in param "X".`

#[test]
fn invalid_key_maps_to_the_extra_key_of_the_loop_item() {
    // expect: M5005
    // The shape of remixz/messenger-bot#38 and microsoft/botframework-sdk#2427, with an
    // anonymised path into the second product's button.
    run(&Case {
        name: "invalid_keys",
        template: "extra_key",
        data: Some("extra_key"),
        error: r#"{"error":{"message":"(#100) Invalid keys \"playload\" were found in param \"name_placeholder[elements][1][buttons][1]\".","type":"OAuthException","code":100}}"#,
        code: "M5005",
        line: Some(12),
        says: "`products[1]`",
    });
}

#[test]
fn an_element_of_the_third_iteration_maps_to_the_element_in_the_for() {
    // The third item of `order.items` is the 4th element (one fixed element comes first).
    run(&Case {
        name: "invalid_keys_element",
        template: "order_carousel",
        data: Some("order_carousel"),
        error: r#"(#100) Invalid keys "item_url" were found in param "name_placeholder[elements][3]"."#,
        code: "M5005",
        line: Some(19),
        says: "(from `order.items[2]`)",
    });
}

#[test]
fn invalid_key_in_the_message_has_no_field_to_point_at() {
    // botpress/v12#788, verbatim: a key beside `text`, which this template does not write.
    run(&Case {
        name: "invalid_keys_message",
        template: "text_only",
        data: Some("text_only"),
        error: r#"(#100) Invalid keys "preview" were found in param "message"."#,
        code: "M5005",
        line: Some(1),
        says: "`preview`",
    });
}

// Non-empty string: "Param X must be a non-empty UTF-8 encoded string".

#[test]
fn empty_title_maps_to_the_field_and_names_the_data() {
    // expect: M5006
    // broidHQ/integrations#137, with the index of the fixture's 3rd element.
    run(&Case {
        name: "empty_title",
        template: "order_carousel",
        data: Some("order_carousel"),
        error: r#"{"error":{"message":"(#100) Param [elements][2][title] must be a non-empty UTF-8 encoded string","type":"OAuthException","code":100,"fbtrace_id":"F8DlzRhbyZE"}}"#,
        code: "M5006",
        line: Some(20),
        says: "`order.items[1].title`",
    });
}

#[test]
fn empty_button_title_relative_to_the_payload() {
    // paked/messenger#25 and maciekmm/messenger-platform-go-sdk#14, verbatim: the first
    // element's first button; here its title is not empty, and the note says so.
    run(&Case {
        name: "empty_button_title",
        template: "order_carousel",
        data: Some("order_carousel"),
        error:
            "(#100) Param [elements][0][buttons][0][title] must be a non-empty UTF-8 encoded string",
        code: "M5006",
        line: Some(14),
        says: "`title`",
    });
}

// Others.

#[test]
fn a_named_parameter_of_another_family_is_located() {
    // expect: M5001
    // shepherd-06/Messenger-Bot-Library#2, verbatim.
    run(&Case {
        name: "other_located",
        template: "text_only",
        data: Some("text_only"),
        error: r#"{"error":{"message":"(#100) Param name_placeholder[text] must be a UTF-8 encoded string","type":"OAuthException","code":100,"fbtrace_id":"DHhmpWQcfZJ"}}"#,
        code: "M5001",
        line: Some(3),
        says: "`name_placeholder[text]`",
    });
}

#[test]
fn an_error_without_a_parameter_has_no_location() {
    // messenger-limits.md: the 24-hour window, inside iAdvize's meta envelope.
    run(&Case {
        name: "outside_window",
        template: "text_only",
        data: Some("text_only"),
        error: r#"{"meta":{"status":400,"message":"(#10) This message is sent outside of allowed window."}}"#,
        code: "M5001",
        line: None,
        says: "outside of allowed window",
    });
}

#[test]
fn iadvize_carrying_facebooks_body_is_mapped() {
    let fb = r#"{"error":{"message":"(#105) param name_placeholder[elements][0][buttons] has too many elements.","type":"OAuthException","code":105}}"#;
    let body = serde_json::json!({"meta": {"status": 400, "message": fb}}).to_string();
    let error = api_error::parse_body(None, &body);
    let report = explain("order_carousel", Some("order_carousel"), &error);
    let d = &report.diagnostics[0];
    assert_eq!(d.code.as_str(), "M5003");
    assert_eq!(
        report
            .template
            .as_ref()
            .unwrap()
            .line_col(d.primary().unwrap().span.start as usize)
            .line,
        11
    );
    assert!(
        d.notes.iter().any(|n| n.contains("(HTTP 400)")),
        "{:?}",
        d.notes
    );
}

// The command line.

#[test]
fn explain_api_error_prints_the_diagnostic_on_stdout_and_exits_1() {
    let out = missive()
        .args([
            "explain",
            "--api-error",
            "(#100) Length of param [buttons][1][payload] must be less than or equal to 1000",
            "tests/fixtures/api_error/order_carousel.missive",
            "--data",
            "tests/fixtures/api_error/order_carousel.json",
            "--format",
            "short",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "tests/fixtures/api_error/order_carousel.missive:22:50: error[M5002]: the API refused `payload` (from `order.items[2].sku`): Facebook allows at most 1000 characters, it has 1009\n"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn explain_api_error_reads_the_body_from_stdin_and_prints_json() {
    let out = missive()
        .args([
            "explain",
            "--api-error",
            "-",
            "tests/fixtures/api_error/receipt_total.missive",
            "--data",
            "tests/fixtures/api_error/receipt_total.json",
            "--format",
            "json",
        ])
        .write_stdin(r#"{"error":{"message":"(#100) The parameter [summary][total_cost] is required","type":"OAuthException","code":100}}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "M5004");
    assert_eq!(d["line"], 14);
    assert_eq!(d["file"], "tests/fixtures/api_error/receipt_total.missive");
    assert!(d["notes"][0]
        .as_str()
        .unwrap()
        .contains("(#100) The parameter [summary][total_cost] is required"));
}

#[test]
fn explain_api_error_without_a_template_describes_the_error() {
    let out = missive()
        .args([
            "explain",
            "--api-error",
            r#"{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("error[M5001]: the API refused the message: Invalid OAuth access token."),
        "{text}"
    );
    assert!(
        text.contains("access token is invalid or expired"),
        "{text}"
    );
}

#[test]
fn explain_api_error_with_a_missing_template_is_an_io_failure() {
    let out = missive()
        .args(["explain", "--api-error", "x", "no/such.missive"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_api_error_usage_errors_go_where_its_report_goes() {
    let out = missive()
        .args([
            "explain",
            "--api-error",
            "x",
            "t.missive",
            "--status",
            "abc",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "M9002");
}

#[test]
fn explain_api_error_status_is_quoted() {
    let out = missive()
        .args([
            "explain",
            "--api-error",
            "(#194) param name_placeholder[elements] has too few elements",
            "tests/fixtures/api_error/extra_key.missive",
            "--data",
            "tests/fixtures/api_error/extra_key_empty.json",
            "--status",
            "400",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("error[M5007]"), "{text}");
    assert!(
        text.contains("the API answered (HTTP 400): (#194)"),
        "{text}"
    );
}

#[test]
fn explain_code_still_works() {
    let out = missive().args(["explain", "M5002"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("# M5002: a text the API refused as too long"));
    let out = missive()
        .args(["explain", "--data", "x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--data needs --api-error");
}

#[test]
fn fixture_templates_compile() {
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR)).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "missive") {
            let text = std::fs::read_to_string(&p).unwrap();
            let c = compile(&text, &Options::default());
            assert!(
                c.template.is_some(),
                "{}: {:#?}",
                p.display(),
                c.diagnostics
            );
        }
    }
}

/// Whatever the API answers, reading it and mapping it never panics, with or without data.
#[test]
fn any_answer_is_read_and_mapped_without_panic() {
    use proptest::test_runner::{Config, TestRunner};
    let fixtures: Vec<(missive::Template, Option<String>)> = [
        ("order_carousel", Some("order_carousel")),
        ("receipt_total", None),
        ("extra_key", Some("extra_key_empty")),
    ]
    .iter()
    .map(|(t, d)| {
        let text = std::fs::read_to_string(format!("{DIR}/{t}.missive")).unwrap();
        let template = compile(&text, &Options::default()).template.unwrap();
        let data = d.map(|d| std::fs::read_to_string(format!("{DIR}/{d}.json")).unwrap());
        (template, data)
    })
    .collect();
    let bodies = proptest::string::string_regex(
        r#"(\{"error":\{"message":")?(\(#1[0-9]{2}\) )?((Length of )?[Pp]aram(eter)? |Invalid keys "[a-z ,]{0,8}" were found in param ")?(message|name_placeholder)?( ?\[ ?([a-z_]{1,12}|[0-9]{1,3}) ?\]){0,6}"?( must be less than or equal to [0-9]{1,4}| has too (many|few) elements| is required| must be a non-empty UTF-8 encoded string)?.{0,8}"#,
    )
    .unwrap();
    let mut runner = TestRunner::new(Config::with_cases(256));
    runner
        .run(
            &(bodies, proptest::option::of(100u16..600)),
            |(body, status)| {
                let error = api_error::parse_body(status, &body);
                let _ = api_error::describe(&error);
                for (template, data) in &fixtures {
                    let node = data.as_deref().map(|d| missive::json::parse(d).unwrap());
                    let d = api_error::diagnose(template, node.as_ref(), &error);
                    proptest::prop_assert!(d.code.as_str().starts_with("M500"));
                }
                Ok(())
            },
        )
        .unwrap();
}

/// The trace follows render: the same keys in each object and the same number of items in each
/// list, for the bundled templates with their sample data.
#[test]
fn the_trace_has_the_shape_of_the_rendered_message() {
    use missive::render::{Produced, ProducedObject};

    fn same(path: &str, value: &serde_json::Value, traced: &ProducedObject) {
        let obj = value
            .as_object()
            .unwrap_or_else(|| panic!("{path}: not an object"));
        for (key, v) in obj {
            let (_, member) = traced
                .members
                .iter()
                .find(|(k, _)| **k == **key)
                .unwrap_or_else(|| panic!("{path}: `{key}` is not in the trace"));
            match (member, v) {
                (Produced::Object(o), _) => same(&format!("{path}.{key}"), v, o),
                (Produced::List(l), serde_json::Value::Array(items)) => {
                    assert_eq!(l.items.len(), items.len(), "{path}.{key}");
                    for (i, (o, v)) in l.items.iter().zip(items).enumerate() {
                        same(&format!("{path}.{key}[{i}]"), v, o);
                    }
                }
                (Produced::Field(f), _) => assert!(!f.absent, "{path}.{key} is absent"),
                (Produced::Const | Produced::Extra { .. }, _) => {}
                (other, v) => panic!("{path}.{key}: {other:?} for {v}"),
            }
        }
        // What the trace has and render left out: absent fields and empty lists only.
        for (key, m) in &traced.members {
            if !obj.contains_key(&**key) {
                match m {
                    Produced::Field(f) => assert!(f.absent, "{path}.{key} is not rendered"),
                    Produced::List(l) => assert!(l.items.is_empty(), "{path}.{key}"),
                    other => panic!("{path}.{key}: {other:?} is not rendered"),
                }
            }
        }
    }

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for e in std::fs::read_dir(root.join("templates")).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        let data_path = root.join("examples").join(format!("{stem}.json"));
        let (Ok(text), Ok(data)) = (
            std::fs::read_to_string(&p),
            std::fs::read_to_string(&data_path),
        ) else {
            continue;
        };
        let t = compile(&text, &crate::common::bundled_options())
            .template
            .unwrap();
        let node = missive::json::parse(&data).unwrap();
        let value = t.render_value(&node).unwrap();
        same(&stem, &value, &t.trace(Some(&node)));
        seen += 1;
    }
    assert!(
        seen >= 4,
        "the bundled templates and their examples were found"
    );
}

#[test]
fn length_counts_characters_and_utf16_units() {
    let t = compile(
        "notification t\ninput { name: string max 80 }\ncarousel {\n  element { title: name, subtitle: \"x\" }\n}\n",
        &Options::default(),
    )
    .template
    .unwrap();
    let data = missive::json::parse(r#"{"name": "😀😀😀"}"#).unwrap();
    let e = api_error::parse_body(
        None,
        "(#100) Length of param name_placeholder[elements][0][title] must be less than or equal to 2",
    );
    let d = api_error::diagnose(&t, Some(&data), &e);
    assert_eq!(d.code.as_str(), "M5002");
    assert!(
        d.message
            .ends_with("at most 2 characters, it has 3 (6 UTF-16 units)"),
        "{}",
        d.message
    );
}
