//! The corpus of real Messenger payloads (`tests/corpus/`, sources in `corpus.toml`): valid
//! ones check clean under `--profile messenger` and import to a template that renders them
//! back; invalid and retired ones get their code at their line; `check` and `import` agree.

use serde::Deserialize;
use serde_json::Value;

use crate::common::{read, repo};

#[derive(Deserialize)]
struct Manifest {
    payload: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    file: String,
    source: String,
    copied: String,
    kind: String,
    verdict: String,
    code: Option<String>,
    line: Option<usize>,
}

fn manifest() -> Vec<Entry> {
    let text = read("tests/corpus/corpus.toml");
    toml::from_str::<Manifest>(&text)
        .unwrap_or_else(|e| panic!("corpus.toml: {e}"))
        .payload
}

fn messenger() -> missive::Options {
    missive::Options {
        profile: missive::Profile::builtin("messenger").unwrap(),
        file_stem: None,
        ..Default::default()
    }
}

fn text_of(e: &Entry) -> String {
    read(&format!("tests/corpus/{}", e.file))
}

/// `missive check PAYLOAD.json --profile messenger`: the diagnostics, as (code, line, error?).
fn check(e: &Entry) -> Vec<(String, usize, bool)> {
    let text = text_of(e);
    let src = missive::SourceFile::new(&e.file, &text);
    missive::import::lint(&text, &e.file, &messenger())
        .diagnostics
        .iter()
        .map(|d| {
            let at = d
                .primary()
                .map_or(0, |l| src.line_col(l.span.start as usize).line);
            (d.code.as_str().to_string(), at, d.is_error())
        })
        .collect()
}

/// The message a payload sends: a Send API request's `message`, else the payload itself.
fn message_of(payload: &Value) -> &Value {
    match payload.get("message") {
        Some(m)
            if payload.get("recipient").is_some() || payload.get("messaging_type").is_some() =>
        {
            m
        }
        _ => payload,
    }
}

#[test]
fn the_corpus_has_forty_sourced_payloads_of_every_kind() {
    let entries = manifest();
    assert!(entries.len() >= 40, "{} payloads", entries.len());
    let mut files: Vec<String> = std::fs::read_dir(repo("tests/corpus"))
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".json"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = entries.iter().map(|e| e.file.clone()).collect();
    listed.sort();
    assert_eq!(
        files, listed,
        "every payload file has one entry in corpus.toml"
    );
    for e in &entries {
        assert!(
            e.source.starts_with("https://"),
            "{}: a source address",
            e.file
        );
        assert!(!e.copied.is_empty() && !e.kind.is_empty(), "{}", e.file);
        let located = e.code.is_some() && e.line.is_some();
        match e.verdict.as_str() {
            "valid" | "unmodelled" => assert!(!located, "{}", e.file),
            "invalid" | "deprecated" => assert!(located, "{}: code and line", e.file),
            other => panic!("{}: unknown verdict {other}", e.file),
        }
    }
    let kinds = entries
        .iter()
        .map(|e| e.kind.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for kind in [
        "text",
        "quick repl",
        "generic template",
        "button template",
        "media template",
        "receipt",
        "attachment by url",
        "attachment by attachment_id",
        "web_url",
        "postback",
        "phone_number",
        "account_link",
        "account_unlink",
        "metadata",
        "negative adjustments",
        "item_url (retired)",
        "list template (retired)",
        "element_share button (retired)",
        "location quick reply (retired)",
        "valid, not modelled",
    ] {
        assert!(kinds.contains(kind), "no payload of the kind `{kind}`");
    }
    for verdict in ["valid", "unmodelled", "invalid", "deprecated"] {
        assert!(
            entries.iter().any(|e| e.verdict == verdict),
            "no {verdict} payload"
        );
    }
}

#[test]
fn valid_payloads_check_clean_and_import_to_a_template_that_renders_them_back() {
    for e in manifest()
        .iter()
        .filter(|e| e.verdict == "valid" || e.verdict == "unmodelled")
    {
        let diagnostics = check(e);
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.2).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", e.file);
        if e.verdict == "unmodelled" {
            // A warning that it goes through unchecked, never an error.
            assert!(
                diagnostics.iter().any(|d| d.0 == "M4001"),
                "{}: {diagnostics:?}",
                e.file
            );
        }
        let text = text_of(e);
        let (source, _) = missive::import::to_source(&text, "corpus")
            .unwrap_or_else(|d| panic!("{}: import failed: {d:#?}", e.file));
        let compiled = missive::compile(&source, &messenger());
        let template = compiled
            .template
            .unwrap_or_else(|| panic!("{}\n{source}\n{:#?}", e.file, compiled.diagnostics));
        let out = template
            .render_value(&missive::json::parse("{}").unwrap())
            .unwrap_or_else(|d| panic!("{}: {d:#?}", e.file));
        let payload: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(&out, message_of(&payload), "{}\n{source}", e.file);
    }
}

#[test]
fn invalid_and_retired_payloads_get_their_code_at_their_line() {
    for e in manifest()
        .iter()
        .filter(|e| e.verdict == "invalid" || e.verdict == "deprecated")
    {
        let code = e.code.as_deref().unwrap();
        let line = e.line.unwrap();
        if e.verdict == "deprecated" {
            assert_eq!(code, "M2017", "{}: a retired feature is M2017", e.file);
        }
        let diagnostics = check(e);
        assert!(
            diagnostics
                .iter()
                .any(|d| d.2 && d.0 == code && d.1 == line),
            "{}: expected error {code} at line {line}, got {diagnostics:?}",
            e.file
        );
    }
}

/// The three verdicts are the same whether the payload is checked or imported: an error for
/// both (import refuses it, with the code the corpus expects), or for neither.
#[test]
fn check_and_import_give_every_payload_the_same_verdict() {
    for e in manifest() {
        let text = text_of(&e);
        let checked_errors = check(&e).iter().any(|d| d.2);
        match missive::import::to_source(&text, "corpus") {
            Ok((source, warnings)) => {
                assert!(
                    !checked_errors,
                    "{}: check finds errors, import none\n{source}",
                    e.file
                );
                assert!(warnings.iter().all(|d| !d.is_error()), "{}", e.file);
            }
            Err(errors) => {
                assert!(checked_errors, "{}: import refuses it: {errors:#?}", e.file);
                let code = e.code.as_deref().unwrap();
                assert!(
                    errors.iter().any(|d| d.code.as_str() == code),
                    "{}: import's errors lack {code}: {errors:#?}",
                    e.file
                );
            }
        }
    }
}
