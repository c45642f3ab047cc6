//! Resource limits (issue 15): a file over the source size limit gets its own diagnostic, which
//! names the limit and how to raise it, never a false syntax error.

use crate::common::snapshots::assert_snapshot;
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

/// Past its limit of diagnostics per file (100), the human report counts the rest and says how
/// to see them; `--max-diagnostics N` or `max-diagnostics` in missive.toml moves the limit (0
/// shows them all); the JSON report keeps every one.
#[test]
fn the_human_report_counts_what_it_does_not_show_and_its_limit_is_configurable() {
    let dir = temp_dir("max-diagnostics");
    let fields: String = (0..150)
        .map(|i| format!("    field_{i}: \"x\"\n"))
        .collect();
    std::fs::write(
        dir.join("many.missive"),
        format!(
            "notification many\ncarousel {{\n  element {{\n    title: \"t\"\n{fields}  }}\n}}\n"
        ),
    )
    .unwrap();
    let report = |args: &[&str]| {
        let out = missive()
            .current_dir(&dir)
            .args(args)
            .arg("many.missive")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let default = report(&["check"]);
    assert_eq!(default.matches("error[M1002]").count(), 100);
    assert!(
        default.contains("... and 50 more for `many.missive` (50 errors, 0 warnings)"),
        "{default}"
    );
    assert_snapshot!(
        "max_diagnostics_2",
        report(&["check", "--max-diagnostics", "2"])
    );
    let all = report(&["check", "--max-diagnostics", "0"]);
    assert_eq!(all.matches("error[M1002]").count(), 150);
    assert!(!all.contains(" more for "), "{all}");
    let json: serde_json::Value = serde_json::from_str(&report(&[
        "check",
        "--format",
        "json",
        "--max-diagnostics",
        "2",
    ]))
    .unwrap();
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 150);
    std::fs::write(dir.join("missive.toml"), "max-diagnostics = 5\n").unwrap();
    assert_eq!(report(&["check"]).matches("error[M1002]").count(), 5);
    // The flag wins over the project file.
    assert_eq!(
        report(&["check", "--max-diagnostics", "7"])
            .matches("error[M1002]")
            .count(),
        7
    );
}

/// An interpolation that runs out of fuel says how to raise the limit; raised by `--fuel` or
/// `fuel` in missive.toml, the same template renders.
#[test]
fn the_render_fuel_is_configurable_and_running_out_of_it_says_how_to_raise_it() {
    // expect: M3007
    let dir = temp_dir("fuel");
    std::fs::write(
        dir.join("loops.missive"),
        "notification loops\ninput { n: integer }\ntext \"{% for i in range(n) %}{% for j in range(n) %}{% endfor %}{% endfor %}done\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("loops.json"), r#"{"n": 1200}"#).unwrap();
    let render = |args: &[&str]| {
        missive()
            .current_dir(&dir)
            .args(args)
            .args(["render", "loops.missive", "--data", "loops.json"])
            .output()
            .unwrap()
    };
    let out = render(&["--format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[M3007]"), "{stderr}");
    assert!(
        stderr.contains("raise the limit with `--fuel STEPS` or `fuel = STEPS` in missive.toml"),
        "{stderr}"
    );
    let raised = render(&["--fuel", "20000000"]);
    assert_eq!(raised.status.code(), Some(0), "{raised:?}");
    assert_eq!(
        String::from_utf8_lossy(&raised.stdout),
        "{\"text\":\"done\"}\n"
    );
    std::fs::write(dir.join("missive.toml"), "fuel = 20000000\n").unwrap();
    assert_eq!(render(&[]).status.code(), Some(0));
    // The flag wins over the project file.
    assert_eq!(render(&["--fuel", "1000"]).status.code(), Some(1));
}

/// A JSON document over the data size limit is refused before it is read, at the first byte
/// past the limit, with how to raise it; the same limit holds for each record of a batch.
#[test]
fn data_over_the_size_limit_is_refused_with_its_own_code() {
    // expect: M3025
    let dir = temp_dir("max-data-bytes");
    std::fs::write(
        dir.join("hello.missive"),
        "notification hello\ninput { name: string max 40 }\ntext \"Hello {{ name }}\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("hello.json"), "{\"name\": \"Ada Lovelace\"}\n").unwrap();
    std::fs::write(
        dir.join("people.ndjson"),
        "{\"name\": \"Ada\"}\n{\"name\": \"Ada Lovelace, Countess\"}\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = missive()
            .current_dir(&dir)
            .args(["--format", "short"])
            .args(args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    let (status, report) = run(&[
        "--max-data-bytes",
        "20",
        "check",
        "hello.missive",
        "--data",
        "hello.json",
    ]);
    assert_eq!(status, Some(1), "{report}");
    assert!(
        report.contains(
            "hello.json:1:21: error[M3025]: this JSON document is 25 bytes, over the limit of 20 bytes"
        ),
        "{report}"
    );
    assert!(!report.contains("M3001"), "{report}");
    let (status, _) = run(&["check", "hello.missive", "--data", "hello.json"]);
    assert_eq!(status, Some(0));
    // Per record: the short one renders, the long one is refused.
    let (status, out) = run(&[
        "--max-data-bytes",
        "20",
        "render",
        "hello.missive",
        "--data-ndjson",
        "people.ndjson",
    ]);
    assert_eq!(status, Some(1), "{out}");
    assert!(out.contains("{\"text\":\"Hello Ada\"}"), "{out}");
    assert!(out.contains("people.ndjson:2:21: error[M3025]"), "{out}");
    // A payload too, and from the project file.
    std::fs::write(dir.join("missive.toml"), "max-data-bytes = 10\n").unwrap();
    std::fs::write(dir.join("payload.json"), "{\"text\": \"hello there\"}").unwrap();
    let (status, report) = run(&["check", "payload.json"]);
    assert_eq!(status, Some(1), "{report}");
    assert!(
        report.contains("payload.json:1:11: error[M3025]"),
        "{report}"
    );
    // The human report says how to raise it.
    let out = missive()
        .current_dir(&dir)
        .args(["check", "payload.json"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains(
            "raise the limit with `--max-data-bytes 23` or `max-data-bytes = 23` in missive.toml"
        ),
        "{human}"
    );
}

/// The nesting limit (64) is refused with M0004, which says how to raise it; `--max-depth` or
/// `max-depth` in missive.toml moves it up to 256, where a folder checked on every core (each
/// file on a thread of its own) still has stack to spare; past 256 is a usage error.
#[test]
fn the_nesting_limit_is_configurable_up_to_its_cap() {
    let dir = temp_dir("max-depth");
    let nested = |name: &str, depth: usize| {
        let open: String = (0..depth).map(|i| format!("{{ \"n{i}\": ")).collect();
        let close = " }".repeat(depth);
        format!("notification {name}\ntext \"hi\"\nextra {{\n  \"a\": {open}\"x\"{close}\n}}\n")
    };
    std::fs::create_dir_all(dir.join("deep")).unwrap();
    for i in 0..3 {
        std::fs::write(
            dir.join(format!("deep/d{i}.missive")),
            nested(&format!("d{i}"), 254),
        )
        .unwrap();
    }
    let check = |args: &[&str]| {
        let out = missive().current_dir(&dir).args(args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    let (status, report) = check(&["check", "deep/d0.missive"]);
    assert_eq!(status, Some(1), "{report}");
    assert!(
        report.contains("nesting is more than 64 levels deep"),
        "{report}"
    );
    assert!(
        report.contains("raise the limit with `--max-depth N` or `max-depth = N` in missive.toml"),
        "{report}"
    );
    let (status, report) = check(&["--max-depth", "256", "--format", "short", "check", "deep"]);
    assert_eq!(status, Some(0), "{report}");
    assert!(!report.contains("error"), "{report}");
    let (status, report) = check(&["--max-depth", "257", "check", "deep"]);
    assert_eq!(status, Some(2), "{report}");
    std::fs::write(dir.join("missive.toml"), "max-depth = 256\n").unwrap();
    assert_eq!(check(&["check", "deep"]).0, Some(0));
    std::fs::write(dir.join("missive.toml"), "max-depth = 1000\n").unwrap();
    let (status, report) = check(&["check", "deep"]);
    assert_eq!(status, Some(2), "{report}");
    assert!(
        report.contains("`max-depth` is 1000, not between 1 and 256"),
        "{report}"
    );
}
