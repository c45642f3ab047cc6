//! Fixture tests, after minijinja and ruff: each template under `tests/fixtures/check/` is
//! checked (with its `.json` data beside it, if any) and its diagnostics are snapshotted as the
//! human report and as JSON; each under `tests/fixtures/render/` is rendered with its data.
//!
//! A check fixture names the codes it must trigger in a header comment (`// expect: M2001`);
//! `ok_*` fixtures must be clean. `// profile: messenger` selects a profile.

use std::path::Path;
use std::sync::Arc;

use missive::diagnostic::report::{self, FileReport};
use missive::driver;
use missive::{compile, Options, Profile, SourceFile};

use crate::common::snapshots::assert_snapshot;

fn directive<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with("//"))
        .find_map(|l| {
            l.trim_start_matches('/')
                .trim()
                .strip_prefix(key)
                .map(str::trim)
        })
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Checks a fixture with the driver `missive check FILE [--data FILE.json]` runs.
fn check_fixture(path: &Path) -> FileReport {
    let text = std::fs::read_to_string(path).unwrap();
    check_text(path, text)
}

/// Checks `text` as the fixture at `path` (its profile, its data).
fn check_text(path: &Path, text: String) -> FileReport {
    let profile = directive(&text, "profile:")
        .map_or_else(Profile::default_profile, |p| Profile::builtin(p).unwrap());
    let source = Arc::new(SourceFile::new(relative(path), text));
    let mut input = driver::Input::template(relative(path), source);
    // The shared parts: `parts/` beside the fixture (a part file: its own folder).
    // Named relative to the repository (tests run there), as the snapshots show paths.
    let shown = std::path::PathBuf::from(relative(path));
    let folder = shown.parent().unwrap();
    let parts = match input.kind {
        driver::Kind::Part => folder.to_path_buf(),
        _ => folder.join("parts"),
    };
    input = input.with_parts(Arc::new(
        missive::check::parts::Catalogue::read_dir(&parts).unwrap(),
    ));
    // Beside api_error's templates are the API's answers, not data.
    let data_path = path.with_extension("json");
    let data_path = if path.parent().is_some_and(|d| d.ends_with("api_error")) {
        path.with_extension("no-data")
    } else {
        data_path
    };
    if data_path.exists() {
        input = input.with_data(relative(&data_path));
    }
    let mut read = |name: &str| -> std::io::Result<Arc<SourceFile>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join(name))?;
        Ok(Arc::new(SourceFile::new(name, text)))
    };
    let mut checked = driver::check(&[input], &driver::Settings::new(profile), &mut read);
    let checked = checked.pop().unwrap();
    if let Some(e) = checked.data_error {
        panic!("{}: cannot read its data: {e}", path.display());
    }
    if data_path.exists() && checked.template.is_none() {
        panic!(
            "{}: the template has errors, so its data cannot be checked",
            path.display()
        );
    }
    checked.report
}

#[test]
fn check_fixtures() {
    insta::glob!("..", "fixtures/check/*.missive", |path| {
        let report = check_fixture(path);
        let text = report.template.as_ref().unwrap().text.clone();
        let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
        let name = path.file_stem().unwrap().to_string_lossy();
        match directive(&text, "expect:") {
            Some(expected) => {
                for code in expected.split([',', ' ']).filter(|c| !c.is_empty()) {
                    assert!(
                        codes.contains(&code),
                        "{name}: expected {code}, got {codes:?}"
                    );
                }
            }
            None => assert!(
                name.starts_with("ok_"),
                "{name}: an error fixture needs a `// expect: CODE` header"
            ),
        }
        if name.starts_with("ok_") {
            assert!(
                codes.is_empty(),
                "{name}: expected no diagnostics, got {codes:?}"
            );
        }
        let reports = [report];
        let human = report::human(&reports, false);
        let json = report::json(&reports, 1);
        assert_snapshot!("check_fixtures", format!("{human}\n--- json ---\n{json}"));
    });
}

/// Every fix that any fixture's diagnostics suggest, applied alone, makes its diagnostic go
/// away and adds no error; all the safe ones, applied as `check --fix` does, add no error.
#[test]
fn every_suggested_fix_works() {
    use missive::diagnostic::fix;
    use missive::diagnostic::Applicability;
    use std::collections::BTreeMap;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = walk(&root.join("tests/fixtures"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "missive"))
        .collect();
    paths.sort();
    let errors = |r: &FileReport| {
        let mut m: BTreeMap<&'static str, usize> = BTreeMap::new();
        for d in r.diagnostics.iter().filter(|d| d.is_error()) {
            *m.entry(d.code.as_str()).or_default() += 1;
        }
        m
    };
    let added = |before: &BTreeMap<&'static str, usize>, after: &BTreeMap<&'static str, usize>| {
        after
            .iter()
            .filter(|(c, n)| before.get(*c).copied().unwrap_or(0) < **n)
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
    };
    let mut tried = 0;
    for path in &paths {
        let name = relative(path);
        let report = check_fixture(path);
        let src = report.template.clone().unwrap();
        let before = errors(&report);
        for d in &report.diagnostics {
            for f in d.fixes() {
                tried += 1;
                let one = [missive::Diagnostic {
                    labels: vec![missive::diagnostic::Label {
                        fix: Some(Box::new(f.clone())),
                        ..d.labels[0].clone()
                    }],
                    ..d.clone()
                }];
                let (text, _) = fix::apply(&src, &one, Applicability::Unsafe)
                    .unwrap_or_else(|| panic!("{name}: {} does not apply", f.title(&src.text)));
                let after = check_text(path, text.clone());
                let same = |r: &FileReport| {
                    r.diagnostics
                        .iter()
                        .filter(|x| x.code == d.code && x.message == d.message)
                        .count()
                };
                assert!(
                    same(&after) < same(&report),
                    "{name}: `{}` leaves [{}] {}\n{text}",
                    f.title(&src.text),
                    d.code,
                    d.message
                );
                let new = added(&before, &errors(&after));
                assert!(
                    new.is_empty(),
                    "{name}: `{}` adds the errors {new:?}\n{text}",
                    f.title(&src.text)
                );
            }
        }
        // All the safe ones, round after round.
        let mut current = report;
        for _ in 0..10 {
            let src = current.template.clone().unwrap();
            let Some((text, _)) = fix::apply(&src, &current.diagnostics, Applicability::Safe)
            else {
                break;
            };
            current = check_text(path, text);
        }
        let new = added(&before, &errors(&current));
        assert!(new.is_empty(), "{name}: `--fix` adds the errors {new:?}");
    }
    assert!(tried > 5, "only {tried} fixes found in the fixtures");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn render_fixtures() {
    insta::glob!("..", "fixtures/render/*.missive", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let compiled = compile(&text, &Options::default());
        let template = compiled
            .template
            .unwrap_or_else(|| panic!("{}: {:#?}", path.display(), compiled.diagnostics));
        let data_text =
            std::fs::read_to_string(path.with_extension("json")).unwrap_or_else(|_| "{}".into());
        let data = missive::json::parse(&data_text).unwrap();
        let mut out = Vec::new();
        template
            .render_with(&mut out, &data, missive::RenderOptions { pretty: true })
            .unwrap_or_else(|d| panic!("{}: {d:#?}", path.display()));
        let out = String::from_utf8(out).unwrap();
        serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
        assert_snapshot!("render_fixtures", out);
    });
}

/// Every diagnostic code has a page in docs/codes/ and a fixture that triggers it.
#[test]
fn every_code_has_a_page_and_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut expected = String::new();
    for e in std::fs::read_dir(root.join("tests/fixtures/check"))
        .unwrap()
        .flatten()
    {
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            if let Some(codes) = directive(&text, "expect:") {
                expected.push_str(codes);
                expected.push(' ');
            }
        }
    }
    // Codes only the command line or the import can trigger (I/O, usage, non-UTF-8 files,
    // payloads, API errors, pipelines...) are tested in the other modules of tests/it/, marked
    // `// expect: CODE`.
    let mut cli = String::new();
    for dir in ["tests", "tests/it", "tests/common"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "rs") {
                cli.push_str(&std::fs::read_to_string(e.path()).unwrap());
                cli.push('\n');
            }
        }
    }
    for line in cli.lines() {
        if let Some(codes) = line.trim().strip_prefix("// expect:") {
            expected.push_str(codes);
            expected.push(' ');
        }
    }
    let mut missing_pages = Vec::new();
    let mut missing_fixtures = Vec::new();
    for code in missive::Code::ALL {
        if !root.join(format!("docs/codes/{code}.md")).exists() {
            missing_pages.push(code.as_str());
        }
        if !expected.contains(code.as_str()) {
            missing_fixtures.push(code.as_str());
        }
    }
    assert!(
        missing_pages.is_empty(),
        "codes without a page in docs/codes/: {missing_pages:?}"
    );
    assert!(
        missing_fixtures.is_empty(),
        "codes without a fixture (`// expect: CODE`): {missing_fixtures:?}"
    );
}

/// docs/codes/README.md lists every code with its summary, in order, and nothing else.
#[test]
fn the_catalog_lists_every_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = std::fs::read_to_string(root.join("docs/codes/README.md")).unwrap();
    let listed: Vec<(String, String)> = catalog
        .lines()
        .filter_map(|l| l.strip_prefix("| [M"))
        .map(|l| {
            let code = format!("M{}", &l[..4]);
            let summary = l
                .split(" | ")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches(" |")
                .to_string();
            (code, summary)
        })
        .collect();
    let expected: Vec<(String, String)> = missive::Code::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.summary().to_string()))
        .collect();
    assert_eq!(
        listed, expected,
        "docs/codes/README.md is out of step with src/diagnostic/code.rs"
    );
}

/// The codes each payload under `tests/fixtures/payload/` must trigger (a JSON file has no
/// header comment to hold them).
const PAYLOAD_EXPECT: &[(&str, &str)] = &[
    // expect: M1011
    ("err_button_type_misspelled", "M1011"),
    // expect: M2003
    ("err_receipt_missing_currency", "M2003"),
    // expect: M2012
    ("err_title_only_second_element", "M2012"),
    // expect: M3001
    ("err_missing_brace", "M3001"),
    // expect: M1002
    ("err_misspelled_key", "M1002"),
    // expect: M1003
    ("err_title_number", "M1003"),
    // expect: M2009
    ("err_button_template_without_buttons", "M2009"),
];

/// `missive check PAYLOAD.json` on each payload fixture: its diagnostics at the item, the
/// object or the bracket where the mistake is, with help written in JSON, snapshotted as the
/// human report and JSON. Every fix a payload's diagnostics carry leaves valid JSON, and
/// applying it makes its diagnostic go.
#[test]
fn check_payload_fixtures() {
    use missive::diagnostic::{fix, Applicability};
    insta::glob!("..", "fixtures/payload/*.json", |path| {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = PAYLOAD_EXPECT
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("{name}: add it to PAYLOAD_EXPECT"))
            .1;
        let check = |text: String| {
            let source = Arc::new(SourceFile::new(relative(path), text));
            let input = driver::Input::payload(relative(path), source);
            let mut read =
                |name: &str| -> std::io::Result<Arc<SourceFile>> { panic!("{name} read") };
            let settings = driver::Settings::new(Profile::default_profile());
            driver::check(&[input], &settings, &mut read)
                .pop()
                .unwrap()
                .report
        };
        let report = check(std::fs::read_to_string(path).unwrap());
        let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(
            codes.contains(&expected),
            "{name}: expected {expected}, got {codes:?}"
        );
        let src = report.template.clone().unwrap();
        for d in &report.diagnostics {
            for f in d.fixes() {
                let one = [missive::Diagnostic {
                    labels: vec![missive::diagnostic::Label {
                        fix: Some(Box::new(f.clone())),
                        ..d.labels[0].clone()
                    }],
                    ..d.clone()
                }];
                let (text, _) = fix::apply(&src, &one, Applicability::Unsafe).unwrap();
                assert!(missive::json::parse(&text).is_ok(), "{name}: {text}");
                let after = check(text);
                assert!(
                    !after
                        .diagnostics
                        .iter()
                        .any(|x| x.code == d.code && x.message == d.message),
                    "{name}: `{}` leaves {}",
                    f.title(&src.text),
                    d.message
                );
            }
        }
        let reports = [report];
        let human = report::human(&reports, false);
        let json = report::json(&reports, 1);
        assert_snapshot!(
            "check_payload_fixtures",
            format!("{human}\n--- json ---\n{json}")
        );
    });
}
