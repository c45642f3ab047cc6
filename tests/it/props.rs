//! Property tests: whatever the data or the source, missive never panics, and what it renders
//! is always valid JSON.

use proptest::prelude::*;
use serde_json::Value;

use crate::common::BUNDLED;

fn template(name: &str) -> missive::Template {
    let path = format!("{}/templates/{name}.missive", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(path).unwrap();
    missive::compile(&source, &crate::common::bundled_options())
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
        let compiled = missive::compile(&source, &crate::common::bundled_options());
        if compiled.template.is_none() {
            prop_assert!(compiled.diagnostics.iter().any(|d| d.is_error()));
        }
    }
}

/// One position as a report prints it: code, line, column.
type At = (String, usize, usize);

/// `path:L:C` -> `(L, C)`, whatever the path holds.
fn line_col(s: &str) -> (usize, usize) {
    let mut parts = s.rsplitn(3, ':');
    let col = parts.next().unwrap().parse().unwrap();
    let line = parts.next().unwrap().parse().unwrap();
    (line, col)
}

/// The human report: each `error[CODE]:` or `warning[CODE]:` line, and the `╭─[file:L:C]`
/// header after it.
fn human_positions(text: &str) -> Vec<At> {
    let mut out = Vec::new();
    let mut code: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line
            .strip_prefix("error[")
            .or_else(|| line.strip_prefix("warning["))
        {
            code = Some(rest[..rest.find(']').unwrap()].to_string());
        } else if let Some(at) = line.find("╭─[") {
            if let Some(code) = code.take() {
                let inner = &line[at + "╭─[".len()..line.rfind(']').unwrap()];
                let (l, c) = line_col(inner);
                out.push((code, l, c));
            }
        }
    }
    out
}

/// The short report: `path:L:C: severity[CODE]: message`, one line each (the path is the
/// template's or the data's).
fn short_positions(text: &str) -> Vec<At> {
    text.lines()
        .filter_map(|line| {
            let at = line.find(": error[").or_else(|| line.find(": warning["))?;
            let (l, c) = line_col(&line[..at]);
            let rest = &line[at..];
            let code = &rest[rest.find('[').unwrap() + 1..rest.find(']').unwrap()];
            Some((code.to_string(), l, c))
        })
        .collect()
}

fn json_positions(text: &str) -> Vec<At> {
    let v: Value = serde_json::from_str(text).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as usize,
                d["column"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

fn sarif_positions(text: &str) -> Vec<At> {
    let v: Value = serde_json::from_str(text).unwrap();
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                region["startLine"].as_u64().unwrap() as usize,
                region["startColumn"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

/// Text that is not ASCII, or not one column per byte: accents (precomposed and combining),
/// emoji (one, and a family joined by ZWJ), CJK, tabs, a dash, a right-to-left override
/// (M4013 of its own). Up to `most` pieces: past 400 bytes the human report clips the line.
fn arb_text(most: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "é",
            "😀",
            "日本",
            "\t",
            "a",
            " ",
            "e\u{301}",
            "👩\u{200D}👩\u{200D}👧",
            "—",
            "\u{202E}",
        ]),
        0..most,
    )
    .prop_map(|parts| parts.concat())
}

/// The four reports of one template's diagnostics, as positions, each sorted.
fn four_reports(path: &str, source: &str) -> [Vec<At>; 4] {
    let compiled = missive::compile(source, &missive::Options::default());
    four_reports_of(path, source, None, compiled.diagnostics)
}

/// The four reports of `diagnostics` in a template and, when given, its data (path, text).
fn four_reports_of(
    path: &str,
    source: &str,
    data: Option<(&str, &str)>,
    diagnostics: Vec<missive::Diagnostic>,
) -> [Vec<At>; 4] {
    use missive::diagnostic::report::{self, FileReport};
    let mut r = FileReport::new(path);
    r.template = Some(std::sync::Arc::new(missive::SourceFile::new(path, source)));
    r.data = data.map(|(p, t)| std::sync::Arc::new(missive::SourceFile::new(p, t)));
    r.diagnostics = diagnostics;
    let reports = [r];
    let mut all = [
        human_positions(&report::human(&reports, false)),
        short_positions(&report::short(&reports)),
        json_positions(&report::json(&reports, 1)),
        sarif_positions(&report::sarif(&reports)),
    ];
    for a in &mut all {
        a.sort();
    }
    all
}

/// A template with a mistake after `prefix` on its last line, below comment `lines`: an
/// undeclared name in an interpolation, or an unknown escape. Returns the source and where
/// the mistake is, as `(code, line, column)` counted here: characters, from 1.
fn with_mistake(lines: &[String], prefix: &str, eol: &str, escape: bool) -> (String, At) {
    let mut source = format!("notification props{eol}");
    for l in lines {
        source.push_str(&format!("// {l}{eol}"));
    }
    let (mistake, code, before) = if escape {
        ("\\q", "M0005", "")
    } else {
        ("{{ nme }}", "M1001", "{{ ")
    };
    source.push_str(&format!("text \"{prefix}{mistake}\"{eol}"));
    let line = lines.len() + 2;
    let column = "text \"".len() + prefix.chars().count() + before.len() + 1;
    (source, (code.to_string(), line, column))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// The human, short, JSON and SARIF reports of the same diagnostics agree on code, line and
    /// column, and put the mistake where it is, on lines of any characters.
    #[test]
    fn the_four_reports_agree_on_code_line_and_column(
        lines in prop::collection::vec(arb_text(40), 0..4),
        prefix in arb_text(160),
        eol in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        escape in any::<bool>(),
    ) {
        let path = "props/é t.missive";
        let (source, mistake) = with_mistake(&lines, &prefix, eol, escape);
        let [human, short, json, sarif] = four_reports(path, &source);
        prop_assert!(json.contains(&mistake), "{mistake:?} not in {json:?}\n{source:?}");
        prop_assert_eq!(&human, &json, "human and JSON differ\n{:?}", source);
        prop_assert_eq!(&short, &json, "short and JSON differ\n{:?}", source);
        prop_assert_eq!(&sarif, &json, "SARIF and JSON differ\n{:?}", source);
    }

    /// The same in the data: a value of the wrong type after a string of any characters, on
    /// any line of the data file, beside unknown keys (M3005).
    #[test]
    fn the_four_reports_agree_on_positions_in_the_data(
        before in prop::collection::vec(arb_text(40), 0..4),
        prefix in arb_text(160),
        eol in prop::sample::select(vec!["\n", "\r\n", "\r"]),
    ) {
        let source = "notification props\ninput {\n  note: string\n  count: number\n}\ntext \"{{ note }} {{ count }}\"\n";
        let template = missive::compile(source, &missive::Options::default()).template.unwrap();
        // Raw characters but tabs, which JSON escapes (`\t`).
        let note = serde_json::to_string(&prefix).unwrap();
        let mut data = format!("{{{eol}");
        for (i, b) in before.iter().enumerate() {
            let b = serde_json::to_string(b).unwrap();
            data.push_str(&format!("  \"_{i}\": {b},{eol}"));
        }
        data.push_str(&format!("  \"note\": {note}, \"count\": \"7\"{eol}}}{eol}"));
        let node = missive::json::parse(&data).unwrap();
        let diagnostics = missive::check::data::validate(&node, &template.input);
        let line = before.len() + 2;
        let column = "  \"note\": ".len() + note.chars().count() + ", \"count\": ".len() + 1;
        let mistake = ("M3003".to_string(), line, column);
        let [human, short, json, sarif] =
            four_reports_of("t.missive", source, Some(("data é.json", &data)), diagnostics);
        prop_assert!(json.contains(&mistake), "{mistake:?} not in {json:?}\n{data:?}");
        prop_assert_eq!(&human, &json, "human and JSON differ\n{:?}", data);
        prop_assert_eq!(&short, &json, "short and JSON differ\n{:?}", data);
        prop_assert_eq!(&sarif, &json, "SARIF and JSON differ\n{:?}", data);
    }
}

/// Found by the property above: with lone `\r` line ends, the human report's header (miette's
/// lines) said `3:13` and the short, JSON and SARIF reports `1:34`. A lone `\r` ends a line in
/// all four now, as in the grammar and the Language Server Protocol.
#[test]
fn a_lone_cr_ends_a_line_in_every_report() {
    let source = "notification x\r// é😀\rtext \"日本\t{{ nme }}\"\r";
    let [human, short, json, sarif] = four_reports("x.missive", source);
    assert_eq!(json, vec![("M1001".to_string(), 3, 13)]);
    assert_eq!(human, json);
    assert_eq!(short, json);
    assert_eq!(sarif, json);
}
