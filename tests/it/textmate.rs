//! The TextMate grammar in editors/textmate: valid JSON with the keys editors read, and, with
//! VS Code's own tokenizer (vscode-textmate and Oniguruma, pinned in tests/lsp/), regexes that
//! compile and a sample template coloured as expected.

use std::path::Path;
use std::process::Command;

use crate::common::npm;

fn grammar_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/textmate/missive.tmLanguage.json")
}

#[test]
fn the_grammar_is_json_with_the_keys_editors_read() {
    let text = std::fs::read_to_string(grammar_path()).expect("the grammar file");
    let g: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(g["scopeName"], "source.missive");
    assert_eq!(g["name"], "missive");
    assert_eq!(g["fileTypes"], serde_json::json!(["missive"]));
    let patterns = g["patterns"].as_array().expect("top-level patterns");
    let repository = g["repository"].as_object().expect("a repository");
    // Every include names a rule of the repository.
    for p in patterns {
        let include = p["include"].as_str().expect("includes at the top level");
        let name = include.strip_prefix('#').expect("a local include");
        assert!(repository.contains_key(name), "no rule `{name}`");
    }
    for rule in [
        "comment",
        "string",
        "block-string",
        "interpolation",
        "field",
        "block",
    ] {
        assert!(repository.contains_key(rule), "no rule `{rule}`");
    }
}

#[test]
fn vscode_textmate_tokenizes_a_template_with_the_expected_scopes() {
    let Some((node, dir)) = npm::node_with("vscode-textmate") else {
        return;
    };
    let out = Command::new(node)
        .arg(dir.join("textmate.mjs"))
        .arg(grammar_path())
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node`: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("ok - textmate"),
        "the grammar test failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
