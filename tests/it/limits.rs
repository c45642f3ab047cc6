//! Resource limits (issue 15): a file over the source size limit gets its own diagnostic, which
//! names the limit and how to raise it, never a false syntax error.

use crate::common::{missive, repo, temp_dir};

#[test]
fn a_template_over_the_size_limit_is_refused_with_its_own_code() {
    // expect: M0010
    let receipt = repo("templates/receipt.missive");
    let size = std::fs::metadata(&receipt).unwrap().len();
    let out = missive()
        .args(["--max-source-bytes", "100", "check"])
        .arg(&receipt)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("M0010"), "{report}");
    assert!(
        report.contains(&format!(
            "this template is {size} bytes, over the limit of 100 bytes"
        )),
        "{report}"
    );
    assert!(report.contains("--max-source-bytes"), "{report}");
    // Refused before parsing: no syntax error beside it.
    assert!(!report.contains("M0001"), "{report}");
    // Within the limit, the same file is fine.
    missive()
        .args(["--max-source-bytes", &size.to_string(), "check"])
        .arg(&receipt)
        .assert()
        .success();
}

#[test]
fn the_project_file_sets_the_size_limit_and_the_flag_overrides_it() {
    let dir = temp_dir("max-source-bytes");
    std::fs::write(dir.join("missive.toml"), "max-source-bytes = 50\n").unwrap();
    std::fs::write(
        dir.join("hello.missive"),
        "notification hello\n\ntext \"Hello, this is a text of some length.\"\n",
    )
    .unwrap();
    let out = missive()
        .current_dir(&dir)
        .args(["check", "hello.missive"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("over the limit of 50 bytes"), "{report}");
    missive()
        .current_dir(&dir)
        .args(["--max-source-bytes", "1000", "check", "hello.missive"])
        .assert()
        .success();
}

/// Found by the `parse` fuzz target: 1.7 KB that sends the parser backtracking for 50 million
/// steps (16 s in a debug build) before it gave up. Its budget now grows with the file from a
/// small floor, and running out of it is M0010, not a syntax error.
#[test]
fn a_small_file_that_makes_the_parser_backtrack_is_stopped_by_its_budget() {
    let text = std::fs::read_to_string(crate::common::repo(
        "tests/fixtures/fuzz/parser_budget.missive",
    ))
    .unwrap();
    let parsed = missive::syntax::parse(&text);
    let codes: Vec<_> = parsed.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&missive::Code::TooLarge), "{codes:?}");
    assert!(!codes.contains(&missive::Code::SyntaxError), "{codes:?}");
    let gave_up = parsed
        .diagnostics
        .iter()
        .find(|d| d.code == missive::Code::TooLarge)
        .unwrap();
    assert!(
        gave_up.message.contains("call limit reached"),
        "{}",
        gave_up.message
    );
}
