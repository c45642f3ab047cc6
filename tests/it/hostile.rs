//! Hostile and damaged input found by probing missive as an attacker and a careless user would
//! (issue 15): each test is the regression test of one finding.

use assert_cmd::Command;

use crate::common::http::{Reply, Server};
use crate::common::temp_dir;
use crate::send::missive;

/// A loopback server answering every request with `reply(request target)`: (status, body).
fn serve(reply: impl Fn(&str) -> (u16, String) + Send + Sync + 'static) -> Server {
    Server::start(move |_, seen| {
        let (status, body) = reply(&seen.target);
        Reply::Http(status, &[], body.into_bytes())
    })
}

const TEMPLATE: &str = r#"notification welcome
customer_id "w-{{ id }}"
input { id: string max 40, name: string max 40 }
text "Hello {{ name }}!"
"#;

/// `missive send` of `records` (NDJSON) with `token`, through `journal`, to `base`.
fn send(dir: &std::path::Path, base: &str, token: &str, records: usize, extra: &[&str]) -> Command {
    let template = dir.join("welcome.missive");
    std::fs::write(&template, TEMPLATE).unwrap();
    let data = dir.join("people.ndjson");
    let lines: String = (1..=records)
        .map(|i| format!("{{\"id\": \"{i}\", \"name\": \"P{i}\"}}\n"))
        .collect();
    std::fs::write(&data, lines).unwrap();
    let mut c = missive();
    c.env("MISSIVE_ACCESS_TOKEN", token)
        .arg("send")
        .arg(&template)
        .args(["--page-id", "123", "--api-url", base, "--backoff", "0.01"])
        .arg("--data-ndjson")
        .arg(&data)
        .arg("--journal")
        .arg(dir.join("j.journal"))
        .args(extra);
    c
}

/// A token with `%` and `\` in it, echoed back by the API in the ways an answer may write it
/// (the query string as received, percent-encoded, and the token in a JSON string), never
/// shows in stderr, the journal or the rejects file.
#[test]
fn a_token_echoed_percent_encoded_or_json_escaped_is_never_shown() {
    let dir = temp_dir("leak");
    let token = r"abc%def\ghi-12345";
    let server = serve(|target| {
        let echoed = target
            .split("access_token=")
            .nth(1)
            .unwrap_or("")
            .to_string();
        let raw = r"abc%def\ghi-12345";
        let message = format!(
            "Invalid OAuth access token {echoed} ({}), lower case {}",
            raw,
            echoed.to_lowercase()
        );
        let body = serde_json::json!({"error": {"message": message, "type": "OAuthException", "code": 190}});
        (400, body.to_string())
    });
    let rejects = dir.join("rejects.ndjson");
    let out = send(
        &dir,
        &server.base,
        token,
        2,
        &["--rejects", rejects.to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert!(!server.seen().is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.contains("***"), "{stderr}");
    let journal = std::fs::read_to_string(dir.join("j.journal")).unwrap();
    let rejects = std::fs::read_to_string(&rejects).unwrap_or_default();
    for (name, text) in [
        ("stderr", &stderr),
        ("journal", &journal),
        ("rejects", &rejects),
    ] {
        for form in [
            "abc%def",
            "abc%25def",
            "abc%25DEF",
            "def%5Cghi",
            "def%5cghi",
            r"def\ghi",
            r"def\\ghi",
            r"def\\\\ghi",
        ] {
            assert!(!text.contains(form), "{form} in {name}:\n{text}");
        }
    }
}

/// A journal whose end was lost (a power cut left zeros where its last lines were) is
/// refused, at the damaged line, before anything is sent: the records of the lost lines
/// were delivered, and would be sent again.
#[test]
fn a_journal_damaged_mid_file_is_refused_at_its_line_and_column() {
    let dir = temp_dir("journal");
    let server = serve(|_| (200, r#"{"meta":{"status":"success"}}"#.to_string()));
    let token = "T0ken-for-the-journal-test";
    let first = send(&dir, &server.base, token, 6, &[]).output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert_eq!(server.seen().len(), 6);
    let path = dir.join("j.journal");
    let whole = std::fs::read(&path).unwrap();
    let lines: Vec<&[u8]> = whole.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(
        lines.len(),
        13,
        "a run line, an intent and an outcome per record"
    );
    let mut damaged = lines[..5].concat();
    damaged.extend(std::iter::repeat_n(0u8, 700));
    std::fs::write(&path, &damaged).unwrap();

    let again = send(&dir, &server.base, token, 6, &[]).output().unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{stderr}");
    assert_eq!(server.seen().len(), 6, "nothing sent again: {stderr}");
    let at = format!("the journal is damaged at {}:6:1", path.display());
    assert!(stderr.contains(&at), "{stderr}");
    assert!(stderr.contains("restore the journal"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), damaged, "left for repair");

    // Cut inside the line being written (a crash): said, not silent, and that record only.
    std::fs::write(&path, &whole[..whole.len() - 20]).unwrap();
    let resumed = send(&dir, &server.base, token, 6, &[]).output().unwrap();
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert_eq!(resumed.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:13:1, is cut short", path.display())),
        "{stderr}"
    );
    // Record 6's request was journaled: uncertain, not sent again.
    assert_eq!(server.seen().len(), 6, "{stderr}");
}

/// `import` of a payload with 20,000 keys missive does not model: every key kept, and the human
/// report shows 100 warnings and counts the rest instead of printing the payload's one line
/// 20,000 times (3,000 keys made 255 MB).
#[test]
fn import_of_20000_unknown_keys_keeps_them_all_and_reports_a_count() {
    let dir = temp_dir("import");
    let mut payload = serde_json::Map::new();
    payload.insert("text".into(), "hi".into());
    for i in 0..20_000 {
        payload.insert(format!("key_{i}"), i.into());
    }
    let path = dir.join("wide.json");
    std::fs::write(&path, serde_json::Value::Object(payload).to_string()).unwrap();
    let out = missive().arg("import").arg(&path).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    for i in [0, 9_999, 19_999] {
        assert_eq!(stdout.matches(&format!("\"key_{i}\": {i},")).count(), 1);
    }
    assert!(stderr.len() < 200_000, "{} bytes of report", stderr.len());
    assert_eq!(stderr.matches("warning[M6001]").count(), 100);
    let last = stderr.trim_end().lines().last().unwrap_or("");
    assert!(stderr.contains("... and 19,900 more for "), "{last}");
}

/// A file holding only a byte order mark (and maybe blank lines) is an empty template, for
/// `fmt` as for `check`: not "a bug in missive's formatter".
#[test]
fn fmt_of_a_file_holding_only_a_bom_says_it_is_empty() {
    for text in ["\u{FEFF}", "\u{FEFF}\n\n", "\u{FEFF} \r\n"] {
        let errors = missive::fmt::format(text).unwrap_err();
        let codes: Vec<String> = errors.iter().map(|d| d.code.to_string()).collect();
        assert_eq!(codes, ["M0008"], "{text:?}");
    }
    let dir = temp_dir("bom");
    let path = dir.join("bom.missive");
    std::fs::write(&path, "\u{FEFF}").unwrap();
    let out = missive().arg("fmt").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error[M0008]: this template is empty"),
        "{stderr}"
    );
    assert!(!stderr.contains("bug"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "\u{FEFF}");
}

/// `--rejects` holds every record not delivered, tagged with its outcome: refused (a 3xx or a
/// 4xx), failed after its tries (5xx), uncertain (no answer after the request went out); the
/// uncertain one is not under `data`, so that feeding `.data` back cannot send it twice.
#[test]
fn rejects_hold_failed_uncertain_and_redirected_records_tagged_with_their_outcome() {
    let dir = temp_dir("rejects");
    let server = serve(|target| {
        if target.contains("/customers/w-1/") {
            (200, r#"{"meta":{"status":"success"}}"#.to_string())
        } else if target.contains("/customers/w-2/") {
            (503, r#"{"error":"busy"}"#.to_string())
        } else if target.contains("/customers/w-3/") {
            (302, String::new())
        } else {
            // Longer than `--timeout`: the request went out, no answer came back.
            std::thread::sleep(std::time::Duration::from_millis(1_500));
            (200, String::new())
        }
    });
    let rejects = dir.join("rejects.ndjson");
    let out = send(
        &dir,
        &server.base,
        "T0ken-for-the-rejects-test",
        4,
        &[
            "--rejects",
            rejects.to_str().unwrap(),
            "--retries",
            "1",
            "--timeout",
            "0.5",
        ],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(server.seen().len(), 5, "w-2 tried twice: {stderr}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut got: Vec<(u64, &str, Option<u64>)> = lines
        .iter()
        .map(|l| {
            (
                l["record"].as_u64().unwrap(),
                l["outcome"].as_str().unwrap(),
                l["status"].as_u64(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (2, "failed", Some(503)),
            (3, "refused", Some(302)),
            (4, "uncertain", None)
        ],
        "{stderr}"
    );
    for l in &lines {
        let uncertain = l["outcome"] == "uncertain";
        let record =
            serde_json::json!({"id": l["record"].to_string(), "name": format!("P{}", l["record"])});
        let (kept, other) = if uncertain {
            ("maybe_delivered", "data")
        } else {
            ("data", "maybe_delivered")
        };
        assert_eq!(l[kept], record, "{l}");
        assert!(l.get(other).is_none(), "{l}");
    }
}

/// One rule for numbers, in a template and in data: 0, or between 10⁻⁶ and 10²¹ in size.
/// `1e-400` in data was accepted (it reads as 0) while `1e-300` was refused; `1e400` and a
/// 30-digit integer in a template passed, and `1e400` rendered as invalid JSON.
#[test]
fn numbers_follow_one_rule_in_templates_and_data() {
    let dir = temp_dir("numbers");
    let template = |price: &str, extra: &str| {
        format!(
            "notification n\ninput {{ a: number, b: integer }}\nreceipt {{\n  recipient_name: \"x\"\n  order_number: \"1\"\n  currency: \"EUR\"\n  payment_method: \"card\"\n  element {{ title: \"t\", price: {price} }}\n  summary {{ total_cost: 1 }}\n  extra {{ \"loyalty\": {extra} }}\n}}\n"
        )
    };
    let check = |price: &str, extra: &str, a: &str, b: &str| {
        let t = dir.join("n.missive");
        std::fs::write(&t, template(price, extra)).unwrap();
        let d = dir.join("n.json");
        std::fs::write(&d, format!("{{\"a\": {a}, \"b\": {b}}}")).unwrap();
        let out = missive()
            .args(["check", "--format", "short"])
            .arg(&t)
            .arg("--data")
            .arg(&d)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut codes: Vec<String> = stdout
            .lines()
            .filter(|l| l.contains("error["))
            .map(|l| {
                let at = l.find("error[").unwrap();
                let file = if l.starts_with(&*d.to_string_lossy()) {
                    "data"
                } else {
                    "template"
                };
                format!("{file} {}", &l[at + 6..at + 11])
            })
            .collect();
        codes.sort();
        codes
    };
    for n in [
        "0",
        "-0.0",
        "0e5",
        "1e-6",
        "9.99",
        "-75.00",
        "1e20",
        "99999999999999999999",
    ] {
        let integer = if n.contains(['.', 'e']) { "0" } else { n };
        assert!(check(n, n, n, integer).is_empty(), "{n}");
    }
    for n in [
        "1e400",
        "1e-400",
        "1e-300",
        "123456789012345678901234567890",
        "-1e21",
    ] {
        // In the template (where data is not checked until it compiles), then in the data.
        assert_eq!(
            check(n, n, "1", "1"),
            ["template M1003", "template M1003"],
            "{n}"
        );
        let integer = if n.contains(['.', 'e']) { "1" } else { n };
        let expected: &[&str] = if integer == "1" {
            &["data M3003"]
        } else {
            &["data M3003", "data M3003"]
        };
        assert_eq!(check("1", "1", n, integer), expected, "{n}");
    }
}
