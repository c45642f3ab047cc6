//! End-to-end tests of `missive send` and `missive optin` against a loopback HTTP server that
//! the test starts (tests/common/http.rs): it records every request and answers as each test scripts it (200, an API
//! error, 429 with Retry-After, 500, a dropped connection, or no answer until the test says).
//! No test measures time: a request the server holds stays unanswered until the test releases
//! it, so "slower than the timeout" and "killed midway" do not depend on the machine's speed.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::http::{Reply, Server};
use crate::common::snapshots::assert_snapshot;
use crate::common::{self, tools};

/// A distinctive token: it must never appear in anything missive writes.
const TOKEN: &str = "SeCrEt-t0ken_7f3a9";

/// The binary, with no token and no proxy from the environment.
pub(crate) fn missive() -> Command {
    let mut c = common::missive();
    c.env_remove("MISSIVE_ACCESS_TOKEN")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("all_proxy");
    c
}

/// A small template: the customer_id from `id`, the text from `name`.
/// An API nobody listens on: port 1, below the ports anything here binds. (A port bound, noted
/// and closed could be taken meanwhile by another test's server: tests run in parallel.)
const CLOSED: &str = "http://127.0.0.1:1";

const TEMPLATE: &str = r#"notification welcome
customer_id "w-{{ id }}"
input { id: string max 40, name: string max 40 }
text "Hello {{ name }}!"
"#;

struct Setup {
    dir: PathBuf,
    template: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = common::temp_dir("send");
        let template = dir.join("welcome.missive");
        std::fs::write(&template, TEMPLATE).unwrap();
        Setup { dir, template }
    }

    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `missive send` as [`Setup::send`] starts it (without the short backoff), running in the
    /// background with its output piped, for a test that signals it or runs another beside it.
    fn spawn(&self, base: &str, args: &[&str]) -> std::process::Child {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("missive"))
            .env("MISSIVE_ACCESS_TOKEN", TOKEN)
            .arg("send")
            .arg(&self.template)
            .args(["--page-id", "123", "--api-url", base])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// `missive send TEMPLATE --page-id 123 --api-url BASE` with the token in the environment,
    /// a short backoff, and `args`.
    fn send(&self, base: &str, args: &[&str]) -> Command {
        let mut c = missive();
        c.env("MISSIVE_ACCESS_TOKEN", TOKEN)
            .arg("send")
            .arg(&self.template)
            .args(["--page-id", "123", "--api-url", base])
            .args(["--backoff", "0.01"])
            .args(args);
        c
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run<C: std::borrow::BorrowMut<Command>>(mut c: C) -> Run {
    let out = c.borrow_mut().output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token leaked:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn path_for(customer_id_encoded: &str) -> String {
    format!(
        "/social/facebook/messenger/pages/123/customers/{customer_id_encoded}/messages?access_token={TOKEN}"
    )
}

/// The port changes from run to run: snapshots see `PORT`.
fn stable(text: &str, base: &str) -> String {
    text.replace(base, "http://127.0.0.1:PORT")
}

#[test]
fn a_record_is_posted_to_the_exact_path_query_and_body() {
    let s = Setup::new();
    let server = Server::ok();
    let data = s.file("lisa.json", r#"{"id": "a b/c", "name": "Lisa"}"#);
    let r = run(s.send(&server.base, &["--data", data.to_str().unwrap()]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    // The customer_id is percent-encoded in the path; the token is the query.
    assert_eq!(seen[0].target, path_for("w-a%20b%2Fc"));
    assert_eq!(seen[0].body, r#"{"text":"Hello Lisa!"}"#);
    assert_eq!(seen[0].content_type, "application/json");
    assert_eq!(
        lines(&r.stdout),
        vec![
            serde_json::json!({"record": 1, "customer_id": "w-a b/c", "result": "sent", "status": 200, "attempts": 1})
        ]
    );
    // In the README's order, the record first.
    assert_eq!(
        r.stdout,
        "{\"record\":1,\"customer_id\":\"w-a b/c\",\"result\":\"sent\",\"status\":200,\"attempts\":1}\n"
    );
    // The encoding is said, with the data value that brings it.
    assert!(r.stderr.contains("warning[M2014]"), "{}", r.stderr);
    assert!(r
        .stderr
        .contains("sent 1, skipped 0 (already sent), rejected 0, failed 0, uncertain 0"));
}

#[test]
fn a_400_is_reported_with_the_api_message_and_not_retried() {
    // expect: M5002 M5001
    let s = Setup::new();
    let server = Server::start(|_, _| {
        Reply::Http(
            400,
            &[],
            r#"{"error":{"message":"(#100) Length of param [text] must be less than or equal to 320","type":"OAuthException","code":100,"fbtrace_id":"AbC"}}"#.into(),
        )
    });
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let rejects = s.path("rejects.ndjson");
    let r = run(s.send(
        &server.base,
        &[
            "--data",
            data.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
            "--retries",
            "3",
        ],
    ));
    assert_eq!(r.code, 1);
    assert_eq!(server.seen().len(), 1, "a 400 is not retried");
    assert_eq!(server.seen()[0].target, path_for("w-42"));
    assert_eq!(server.seen()[0].body, r#"{"text":"Hello Lisa!"}"#);
    assert_snapshot!(
        "refused_400_human",
        r.stderr.replace(&*s.dir.to_string_lossy(), "TMP")
    );
    let rejects = lines(&std::fs::read_to_string(&rejects).unwrap());
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["record"], 1);
    assert_eq!(rejects[0]["status"], 400);
    assert_eq!(rejects[0]["customer_id"], "w-42");
    // The raw answer is kept.
    assert!(rejects[0]["answer"]
        .as_str()
        .unwrap()
        .contains(r#""fbtrace_id":"AbC""#));
    assert_eq!(
        rejects[0]["data"],
        serde_json::json!({"id": "42", "name": "Lisa"})
    );

    // iAdvize's own error shape.
    let server = Server::start(|_, _| {
        Reply::Http(
            404,
            &[],
            r#"{"meta":{"status":"error","message":"Customer not found"}}"#.into(),
        )
    });
    let r = run(s.send(&server.base, &["--data", data.to_str().unwrap()]));
    assert_eq!(r.code, 1);
    assert_eq!(server.seen().len(), 1);
    assert!(
        r.stderr
            .contains("error[M5001]: record 1: the API refused the message: Customer not found"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_429_waits_for_its_retry_after_then_delivers() {
    let s = Setup::new();
    // A day's backoff, and a day's Retry-After capped at 0.05 s: the retry comes at once only
    // if Retry-After wins over the backoff and its cap applies; else this test would not end.
    // (No clock: the lengths of the waits are unit-tested on `RetryPolicy::delay`.)
    let server = Server::start(|n, _| match n {
        0 => Reply::Http(429, &[("Retry-After", "86400")], "{}".into()),
        _ => Reply::Http(200, &[], "{}".into()),
    });
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let r = run(missive()
        .env("MISSIVE_ACCESS_TOKEN", TOKEN)
        .arg("send")
        .arg(&s.template)
        .args(["--page-id", "123", "--api-url", &server.base])
        .args(["--backoff", "86400", "--max-retry-after", "0.05"])
        .args(["--data", data.to_str().unwrap()]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].target, path_for("w-42"));
    assert_eq!(seen[1].body, r#"{"text":"Hello Lisa!"}"#);
    assert_eq!(lines(&r.stdout)[0]["attempts"], 2);
}

#[test]
fn a_500_is_retried_then_failed_and_a_rerun_sends_it_again() {
    // expect: M5021
    let s = Setup::new();
    let server = Server::start(|_, _| Reply::Http(500, &[], "Internal Server Error".into()));
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let journal = s.path("j.journal");
    let args = [
        "--data",
        data.to_str().unwrap(),
        "--retries",
        "2",
        "--journal",
        journal.to_str().unwrap(),
    ];
    let r = run(s.send(&server.base, &args));
    assert_eq!(r.code, 1);
    assert_eq!(server.seen().len(), 3, "one try and two retries");
    assert!(server
        .seen()
        .iter()
        .all(|q| q.target == path_for("w-42") && q.body == r#"{"text":"Hello Lisa!"}"#));
    assert_snapshot!(
        "failed_500_human",
        r.stderr.replace(&*s.dir.to_string_lossy(), "TMP")
    );
    // Failed is not delivered: the rerun tries again, and delivers this time.
    let ok = Server::ok();
    let r = run(s.send(&ok.base, &args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ok.seen().len(), 1);
}

#[test]
fn an_answer_slower_than_the_timeout_is_uncertain_and_not_resent_unless_asked() {
    // expect: M5022
    let s = Setup::new();
    // The server holds the request past any timeout: it answers only when released.
    let server = Server::start(|_, _| Reply::Hold);
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let journal = s.path("j.journal");
    let j = journal.to_str().unwrap();
    let d = data.to_str().unwrap();
    let r = run(s.send(
        &server.base,
        &[
            "--data",
            d,
            "--timeout",
            "0.2",
            "--retries",
            "1",
            "--journal",
            j,
        ],
    ));
    assert_eq!(r.code, 1);
    assert_eq!(
        server.seen().len(),
        1,
        "a request that may have arrived is never tried again in the run"
    );
    for q in server.seen() {
        assert_eq!(q.target, path_for("w-42"));
        assert_eq!(q.body, r#"{"text":"Hello Lisa!"}"#);
    }
    assert_eq!(lines(&r.stdout)[0]["result"], "uncertain");
    assert_snapshot!(
        "uncertain_timeout_human",
        r.stderr.replace(&*s.dir.to_string_lossy(), "TMP")
    );
    // A rerun lists it, and sends nothing.
    let ok = Server::ok();
    let r = run(s.send(&ok.base, &["--data", d, "--journal", j]));
    assert_eq!(r.code, 1);
    assert_eq!(ok.seen().len(), 0);
    assert!(r
        .stderr
        .contains("may have been delivered by an earlier run"));
    assert!(r.stderr.contains("uncertain 1"));
    // Asked to, it sends it; then it is delivered for good.
    let r = run(s.send(
        &ok.base,
        &["--data", d, "--journal", j, "--resend-uncertain"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ok.seen().len(), 1);
    let r = run(s.send(
        &ok.base,
        &["--data", d, "--journal", j, "--resend-uncertain"],
    ));
    assert_eq!(r.code, 0);
    assert_eq!(ok.seen().len(), 1, "delivered records are never resent");
    assert!(r.stderr.contains("sent 0, skipped 1 (already sent)"));
}

#[test]
fn a_dropped_connection_is_uncertain_and_not_tried_again() {
    // The server read the whole request, then closed without answering: the API may have it.
    let s = Setup::new();
    let server = Server::start(|n, _| match n {
        0 => Reply::Drop,
        _ => Reply::Http(200, &[], "{}".into()),
    });
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let journal = s.path("j.journal");
    let (d, j) = (data.to_str().unwrap(), journal.to_str().unwrap());
    let r = run(s.send(&server.base, &["--data", d, "--journal", j]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let seen = server.seen();
    assert_eq!(
        seen.len(),
        1,
        "never a second try that could deliver it twice"
    );
    assert_eq!(seen[0].target, path_for("w-42"));
    assert_eq!(seen[0].body, r#"{"text":"Hello Lisa!"}"#);
    assert_eq!(lines(&r.stdout)[0]["result"], "uncertain");
    // Asked to, a rerun sends it.
    let r = run(s.send(
        &server.base,
        &["--data", d, "--journal", j, "--resend-uncertain"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn a_refused_connection_is_a_failure_not_an_uncertainty() {
    let s = Setup::new();
    let base = CLOSED.to_string();
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let r = run(s.send(&base, &["--data", data.to_str().unwrap(), "--retries", "1"]));
    assert_eq!(r.code, 1);
    assert_eq!(lines(&r.stdout)[0]["result"], "failed");
    assert!(
        r.stderr.contains("record 1: not delivered after 2 tries"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_records_are_rejected_with_their_number_and_the_rest_is_sent() {
    // expect: M5023
    let s = Setup::new();
    let server = Server::ok();
    let records = s.file(
        "batch.ndjson",
        concat!(
            "{\"id\": \"1\", \"name\": \"Ann\"}\n",
            "{\"id\": \"2\"}\n",
            "\n",
            "{\"id\": \"3\", \"name\": \"Bob\"\n",
            "{\"id\": \"1\", \"name\": \"Ann again\"}\n",
            "{\"id\": \"5\", \"name\": \"Eve\"}\n",
        ),
    );
    let rejects = s.path("rejects.ndjson");
    let r = run(s.send(
        &server.base,
        &[
            "--data-ndjson",
            records.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    ));
    assert_eq!(r.code, 1);
    let targets: Vec<String> = server.seen().into_iter().map(|q| q.target).collect();
    assert_eq!(targets, vec![path_for("w-1"), path_for("w-5")]);
    // Lines come as records end: rejected ones at once, sent ones when answered.
    let out = lines(&r.stdout);
    let mut fates: Vec<(u64, &str)> = out
        .iter()
        .map(|l| (l["record"].as_u64().unwrap(), l["result"].as_str().unwrap()))
        .collect();
    fates.sort();
    assert_eq!(
        fates,
        vec![
            (1, "sent"),
            (2, "rejected"),
            (4, "rejected"),
            (5, "rejected"),
            (6, "sent")
        ]
    );
    assert_snapshot!(
        "rejected_records_human",
        r.stderr.replace(&*s.dir.to_string_lossy(), "TMP")
    );
    let rejects = lines(&std::fs::read_to_string(&rejects).unwrap());
    let numbers: Vec<u64> = rejects
        .iter()
        .map(|r| r["record"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 4, 5]);
    assert_eq!(rejects[0]["diagnostics"][0]["code"], "M3002");
    assert_eq!(rejects[0]["diagnostics"][0]["line"], 2);
    assert_eq!(rejects[0]["data"], serde_json::json!({"id": "2"}));
    // Not JSON: the line is kept as text, under `text`, so that `data` is always a record.
    assert_eq!(rejects[1]["text"], "{\"id\": \"3\", \"name\": \"Bob\"");
    assert!(rejects[1].get("data").is_none());
    assert_eq!(rejects[2]["customer_id"], "w-1");
    assert_eq!(rejects[2]["diagnostics"][0]["code"], "M5023");
    // It points at the repeating record, in the data file.
    assert_eq!(rejects[2]["diagnostics"][0]["line"], 5);
    assert!(rejects[2]["diagnostics"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("batch.ndjson"));

    // Allowed, the repeated customer_id is sent.
    let server = Server::ok();
    let r = run(s.send(
        &server.base,
        &[
            "--data-ndjson",
            records.to_str().unwrap(),
            "--allow-duplicate-customer-id",
            "--format",
            "json",
        ],
    ));
    assert_eq!(r.code, 1);
    assert_eq!(server.seen().len(), 3);
    let doc: serde_json::Value = serde_json::from_str(&r.stderr).unwrap();
    assert_eq!(
        doc["delivery"],
        serde_json::json!({"read": 5, "sent": 3, "skipped": 0, "rejected": 2, "failed": 0, "uncertain": 0, "dry_run": 0, "not_attempted": 0})
    );
}

#[test]
fn a_dry_run_prints_the_requests_and_needs_no_token() {
    let s = Setup::new();
    let server = Server::ok();
    let records = s.file(
        "batch.ndjson",
        "{\"id\": \"1\", \"name\": \"Ann\"}\n{\"id\": \"2\", \"name\": \"Bob\"}\n",
    );
    let mut c = missive();
    c.arg("send")
        .arg(&s.template)
        .args(["--page-id", "123", "--api-url", &server.base, "--dry-run"])
        .arg("--data-ndjson")
        .arg(&records);
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(server.seen().is_empty());
    let out = lines(&stable(&r.stdout, &server.base));
    assert_eq!(
        out[0],
        serde_json::json!({
            "record": 1, "method": "POST",
            "url": "http://127.0.0.1:PORT/social/facebook/messenger/pages/123/customers/w-1/messages?access_token=***",
            "body": {"text": "Hello Ann!"}
        })
    );
    assert_eq!(out.len(), 2);
    assert!(
        r.stderr.contains("dry run: read 2 records: 2 to send"),
        "{}",
        r.stderr
    );
}

#[test]
fn without_a_token_nothing_is_attempted() {
    // expect: M9010
    let s = Setup::new();
    let server = Server::ok();
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let mut c = missive();
    c.arg("send")
        .arg(&s.template)
        .args(["--page-id", "123", "--api-url", &server.base, "--data"])
        .arg(&data);
    let r = run(&mut c);
    assert_eq!(r.code, 2);
    assert_snapshot!("no_token_human", r.stderr);
    assert!(server.seen().is_empty());

    // From a file: trimmed.
    let token_file = s.file("token", &format!("{TOKEN}\n"));
    let mut c = missive();
    c.arg("send")
        .arg(&s.template)
        .args(["--page-id", "123", "--api-url", &server.base, "--data"])
        .arg(&data)
        .arg("--token-file")
        .arg(&token_file);
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(server.seen()[0].target, path_for("w-42"));

    // A token file of two lines, or a token too short to be hidden in the output: exit 2,
    // nothing sent (it would go out with the line break, or turn `200` into `***00`).
    let two_lines = s.file("token2", &format!("{TOKEN}\n# my token\n"));
    for (env, file) in [
        (None, Some(&two_lines)),
        (Some("20"), None),
        (Some("a b c d e f"), None),
    ] {
        let mut c = missive();
        c.arg("send")
            .arg(&s.template)
            .args(["--page-id", "123", "--api-url", &server.base, "--data"])
            .arg(&data);
        if let Some(t) = env {
            c.env("MISSIVE_ACCESS_TOKEN", t);
        }
        if let Some(f) = file {
            c.arg("--token-file").arg(f);
        }
        let r = run(&mut c);
        assert_eq!(r.code, 2, "{env:?}: {}", r.stderr);
        assert!(r.stderr.contains("error[M9010]"), "{}", r.stderr);
        assert!(!r.stderr.contains("# my token"), "{}", r.stderr);
    }
    assert_eq!(server.seen().len(), 1);

    // Bad flags: exit 2, nothing sent.
    let v1 = format!("{}/v1", server.base);
    for (page, api, extra) in [
        ("123", v1.as_str(), &[][..]),
        ("abc", &server.base, &[]),
        ("123", &server.base, &["--concurrency", "0"]),
        ("123", &server.base, &["--rate", "0"]),
        ("123", &server.base, &["--timeout=-1"]),
        // No time at all: every request would end unanswered, and uncertain.
        ("123", &server.base, &["--timeout", "0"]),
        // The token would cross the network in clear text.
        ("123", "http://api.iadvize.com", &[]),
    ] {
        let r = run(missive()
            .env("MISSIVE_ACCESS_TOKEN", TOKEN)
            .arg("send")
            .arg(&s.template)
            .args(["--page-id", page, "--api-url", api, "--data"])
            .arg(&data)
            .args(extra));
        assert_eq!(r.code, 2, "{page} {api} {extra:?}: {}", r.stderr);
        assert!(r.stderr.contains("M9002"), "{extra:?}: {}", r.stderr);
    }
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn a_damaged_journal_is_refused_before_anything_is_sent() {
    // expect: M9011
    let s = Setup::new();
    let server = Server::ok();
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let journal = s.file(
        "j.journal",
        "{\"event\":\"intent\",\"key\":\"k\"}\nnot json\n{}\n",
    );
    let r = run(s.send(
        &server.base,
        &[
            "--data",
            data.to_str().unwrap(),
            "--journal",
            journal.to_str().unwrap(),
        ],
    ));
    assert_eq!(r.code, 2);
    assert!(server.seen().is_empty());
    assert_snapshot!(
        "damaged_journal_human",
        r.stderr.replace(&*s.dir.to_string_lossy(), "TMP")
    );
}

/// A journal that another send holds is refused, and the help says to wait for that send: a
/// new journal would send its records a second time.
#[test]
fn a_journal_in_use_by_another_send_is_refused_with_advice_that_sends_nothing_twice() {
    // expect: M9011
    let s = Setup::new();
    let server = Server::start(|_, _| Reply::Hold);
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let journal = s.path("j.journal");
    let args = [
        "--data",
        data.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ];
    let first = s.spawn(&server.base, &args);
    server.wait_until(|l| l.held == 1);
    let r = run(s.send(&server.base, &args));
    server.release();
    let out = first.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("another `missive send` is using it"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "help: wait for that send to end (or stop it with Ctrl-C), then run this command again with the same journal: a new journal would send its records a second time"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(server.seen().len(), 1);
}

/// Evaluates a snippet in `node` and returns `window.idzCustomData.social_notification_customer_id`.
fn node_eval(node: &Path, snippet: &str) -> String {
    let script = "const vm = require('vm'); const ctx = { window: {} }; vm.runInNewContext(require('fs').readFileSync(0, 'utf8'), ctx); process.stdout.write(JSON.stringify(ctx.window.idzCustomData.social_notification_customer_id));";
    let out = std::process::Command::new(node)
        .args(["-e", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(snippet.as_bytes())?;
            child.wait_with_output()
        })
        .expect("cannot run `node`");
    assert!(out.status.success(), "node failed on:\n{snippet}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_optin_snippet_evaluates_to_exactly_the_id_that_send_posts_to() {
    let s = Setup::new();
    let session = "k4\"5'\\</script><b>&\u{2028}\u{2029}<!--é";
    let data = s.file(
        "visitor.json",
        &serde_json::json!({"id": session, "name": "Lisa"}).to_string(),
    );
    let r = run(missive()
        .arg("optin")
        .arg(&s.template)
        .arg("--data")
        .arg(&data));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with("window.idzCustomData = window.idzCustomData || {};\n"));
    // Nothing in it can close the <script> element it is pasted into.
    assert!(!r.stdout.to_lowercase().contains("</script"));
    assert!(!r.stdout.contains('\u{2028}'));
    let id = format!("w-{session}");
    // What a browser makes of the snippet; the rest of the test needs no Node.
    if let Some(node) = tools::require("node", "it evaluates the snippet as a page would") {
        assert_eq!(node_eval(&node, &r.stdout), id);
    }
    // Also inside a real <script> element's text, as a page would have it.
    let html = format!("<script>{}</script>", r.stdout);
    let inner = html
        .strip_prefix("<script>")
        .and_then(|h| h.split("</script>").next())
        .unwrap();
    assert_eq!(inner, r.stdout);

    // --format json: the id itself.
    let r = run(missive()
        .arg("optin")
        .arg(&s.template)
        .arg("--data")
        .arg(&data)
        .args(["--format", "json"]));
    assert_eq!(r.code, 0);
    assert_eq!(
        lines(&r.stdout)[0],
        serde_json::json!({ "customer_id": id })
    );

    // send posts to that same id (percent-encoded in the path).
    let server = Server::ok();
    let r = run(s.send(&server.base, &["--data", data.to_str().unwrap()]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.stdout)[0]["customer_id"], id);
    let target = &server.seen()[0].target;
    let encoded = target
        .strip_prefix("/social/facebook/messenger/pages/123/customers/")
        .and_then(|t| t.split('/').next())
        .unwrap();
    let decoded = percent_decode(encoded);
    assert_eq!(decoded, id);
}

#[test]
fn optin_and_send_agree_on_the_bundled_back_in_stock_template() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = run(missive().args([
        "optin",
        "templates/back_in_stock.missive",
        "--data",
        "examples/back_in_stock.json",
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = lines(&r.stdout)[0]["customer_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(id, "instock-AB123-k45332j9i54");
    let server = Server::ok();
    let r = run(missive()
        .env("MISSIVE_ACCESS_TOKEN", TOKEN)
        .args(["send", "templates/back_in_stock.missive", "--data"])
        .arg(root.join("examples/back_in_stock.json"))
        .args(["--page-id", "322837607840703", "--api-url", &server.base]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        server.seen()[0].target,
        format!("/social/facebook/messenger/pages/322837607840703/customers/{id}/messages?access_token={TOKEN}")
    );
    // A template without a scheme cannot do either.
    let r = run(missive().args([
        "optin",
        "templates/text_only.missive",
        "--data",
        "examples/text_only.json",
    ]));
    assert_eq!(r.code, 2);
    assert!(r
        .stderr
        .contains("needs the template's `customer_id` scheme"));
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A thousand records, the sender killed midway: no record is delivered twice, every record
/// ends delivered or listed uncertain, and `--resend-uncertain` delivers the rest.
#[test]
fn a_send_killed_midway_resumes_from_its_journal_without_doubles() {
    let s = Setup::new();
    // The first 300 requests are answered; the next ones are held, so the sender is killed
    // with exactly its 8 threads' requests in flight, however fast the machine is.
    let server = Server::start(|n, _| {
        if n < 300 {
            Reply::Http(200, &[], "{}".into())
        } else {
            Reply::Hold
        }
    });
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!("{{\"id\": \"{i}\", \"name\": \"n{i}\"}}\n"));
    }
    let records = s.file("batch.ndjson", &text);
    let journal = s.path("batch.journal");
    let args = [
        "--data-ndjson",
        records.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
        "--concurrency",
        "8",
    ];
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("missive"))
        .env("MISSIVE_ACCESS_TOKEN", TOKEN)
        .arg("send")
        .arg(&s.template)
        .args(["--page-id", "123", "--api-url", &server.base])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    server.wait_until(|l| l.held == 8);
    assert!(
        child.try_wait().unwrap().is_none(),
        "the send ended before the kill"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let first = server.seen().len();
    assert_eq!(first, 308, "300 answered and 8 in flight");
    // From here on, every request is answered.
    server.release();

    let count = |server: &Server| {
        let mut n = std::collections::HashMap::<String, usize>::new();
        for q in server.seen() {
            *n.entry(q.target).or_default() += 1;
        }
        n
    };
    // The rerun: what was delivered is skipped, the rest sent, the unknown listed.
    let r = run(s.send(&server.base, &args));
    let out = lines(&r.stdout);
    assert_eq!(out.len(), 1000);
    let uncertain: Vec<u64> = out
        .iter()
        .filter(|l| l["result"] == "uncertain")
        .map(|l| l["record"].as_u64().unwrap())
        .collect();
    assert!(out
        .iter()
        .all(|l| ["sent", "skipped", "uncertain"].contains(&l["result"].as_str().unwrap())));
    assert_eq!(r.code, 1);
    assert_eq!(
        uncertain.len(),
        8,
        "the requests in flight at the kill, one per thread"
    );
    let id_of = |target: &str| -> u64 {
        target
            .split("/customers/w-")
            .nth(1)
            .and_then(|t| t.split('/').next())
            .unwrap()
            .parse()
            .unwrap()
    };
    // Record N holds id N-1.
    let is_uncertain = |target: &str| uncertain.contains(&(id_of(target) + 1));
    let counts = count(&server);
    for (target, n) in &counts {
        assert_eq!(*n, 1, "{target} was delivered {n} times");
    }
    // Every record reached the server once, except uncertain ones, which may not have.
    assert_eq!(
        counts.len()
            + uncertain
                .iter()
                .filter(|&&r| !counts.keys().any(|t| id_of(t) + 1 == r))
                .count(),
        1000
    );
    // Whatever the server had seen at the kill was skipped or listed, never sent again.
    let skipped = out.iter().filter(|l| l["result"] == "skipped").count();
    assert_eq!(skipped, 300, "the answered requests are in the journal");
    let before: std::collections::HashMap<String, usize> = counts;

    // Asked to, the uncertain ones are sent again; nothing else is.
    let r = run(s.send(&server.base, &args).arg("--resend-uncertain"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let counts = count(&server);
    assert_eq!(counts.len(), 1000, "every record delivered");
    for (target, n) in &counts {
        let expected = if is_uncertain(target) {
            before.get(target).copied().unwrap_or(0) + 1
        } else {
            1
        };
        assert_eq!(*n, expected, "{target}");
    }
    assert!(r.stderr.contains(&format!(
        "sent {}, skipped {}",
        uncertain.len(),
        1000 - uncertain.len()
    )));
}

/// Whatever fails, the token appears in no output and no file.
#[test]
fn the_token_never_leaks() {
    let s = Setup::new();
    // A server that echoes the request line, token included, in its error answers.
    let echo = Server::start(|n, q| match n % 4 {
        0 => Reply::Http(
            400,
            &[],
            format!("{{\"error\":{{\"message\":\"bad {}\"}}}}", q.target).into(),
        ),
        1 => Reply::Http(500, &[], format!("oops {}", q.target).into()),
        2 => Reply::Drop,
        _ => Reply::Http(
            403,
            &[],
            format!("{{\"meta\":{{\"status\":\"error\",\"message\":\"token {TOKEN} refused\"}}}}")
                .into(),
        ),
    });
    let slow = Server::start(|_, _| Reply::Hold);
    let closed = CLOSED.to_string();
    let records = s.file(
        "batch.ndjson",
        concat!(
            "{\"id\": \"1\", \"name\": \"a\"}\n",
            "{\"id\": \"2\", \"name\": \"b\"}\n",
            "{\"id\": \"3\", \"name\": \"c\"}\n",
            "{\"id\": \"4\", \"name\": \"d\"}\n",
            "{\"id\": \"5\"}\n",
            "not json\n",
        ),
    );
    let journal = s.path("j.journal");
    let rejects = s.path("rejects.ndjson");
    let common = [
        "--data-ndjson",
        records.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
        "--retries",
        "1",
        "--timeout",
        "0.3",
        "--resend-uncertain",
        "--concurrency",
        "4",
    ];
    for format in ["human", "short", "json"] {
        for base in [&echo.base, &slow.base, &closed] {
            let r = run(s.send(base, &common).args(["--format", format]));
            assert_eq!(r.code, 1, "{}", r.stderr);
            for file in [&journal, &rejects] {
                let text = std::fs::read_to_string(file).unwrap();
                assert!(!text.contains(TOKEN), "{}: {text}", file.display());
                assert!(!text.contains("SeCrEt"), "{}: {text}", file.display());
            }
            if base == &echo.base {
                // The rejects did get the API's answers, scrubbed.
                let text = std::fs::read_to_string(&rejects).unwrap();
                assert!(text.contains("access_token=***"), "{text}");
                assert!(
                    r.stderr.contains("access_token=***") || format == "short",
                    "{}",
                    r.stderr
                );
            }
        }
        let r = run(missive()
            .env("MISSIVE_ACCESS_TOKEN", TOKEN)
            .arg("send")
            .arg(&s.template)
            .args([
                "--page-id",
                "123",
                "--api-url",
                &echo.base,
                "--dry-run",
                "--format",
                format,
            ])
            .args(&common[..6]));
        assert!(r.stdout.contains("access_token=***"));
    }
}

/// A rerun after the template changed would send each delivered customer the new version too:
/// refused, unless asked.
#[test]
fn a_rerun_with_a_changed_message_does_not_send_it_again_to_the_same_customer() {
    let s = Setup::new();
    let server = Server::ok();
    let records = s.file(
        "batch.ndjson",
        "{\"id\": \"1\", \"name\": \"Ann\"}\n{\"id\": \"2\", \"name\": \"Bob\"}\n",
    );
    let journal = s.path("j.journal");
    let args = [
        "--data-ndjson",
        records.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ];
    assert_eq!(run(s.send(&server.base, &args)).code, 0);
    assert_eq!(server.seen().len(), 2);
    std::fs::write(&s.template, TEMPLATE.replace("Hello", "Hi")).unwrap();
    let r = run(s.send(&server.base, &args));
    assert_eq!(r.code, 1);
    assert_eq!(server.seen().len(), 2);
    assert!(
        r.stderr.contains(
            "error[M5023]: record 1: an earlier run already sent `welcome` to customer_id `w-1`, with another message"
        ),
        "{}",
        r.stderr
    );
    let r = run(s
        .send(&server.base, &args)
        .arg("--allow-duplicate-customer-id"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(server.seen().len(), 4);
    assert_eq!(server.seen()[3].body, r#"{"text":"Hi Bob!"}"#);
}

/// Ctrl-C stops starting requests but lets those in flight finish: nothing is left uncertain,
/// and the rerun sends exactly the rest.
#[test]
fn ctrl_c_stops_cleanly_and_the_rerun_sends_the_rest() {
    let s = Setup::new();
    // The first 50 requests are answered, the next ones held: the interrupt comes with exactly
    // the 4 threads' requests in flight.
    let server = Server::start(|n, _| {
        if n < 50 {
            Reply::Http(200, &[], "{}".into())
        } else {
            Reply::Hold
        }
    });
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!("{{\"id\": \"{i}\", \"name\": \"n{i}\"}}\n"));
    }
    let records = s.file("batch.ndjson", &text);
    let journal = s.path("batch.journal");
    let args = [
        "--data-ndjson",
        records.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
        "--concurrency",
        "4",
    ];
    let child = s.spawn(&server.base, &args);
    server.wait_until(|l| l.held == 4);
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    // The requests in flight are answered now. (The signal has been sent; should its handler
    // run only after a released thread took its next record, that request is answered too: the
    // counts below follow what the server saw.)
    server.release();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("interrupted: read 300 records: sent "),
        "{stderr}"
    );
    assert!(stderr.contains("uncertain 0, not attempted "), "{stderr}");
    let first = server.seen().len();
    assert!(first >= 54, "the requests in flight finished: {first}");
    assert!(first < 300, "interrupted too late");
    let sent_lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(sent_lines, first, "every request that left has its outcome");

    let r = run(s.send(&server.base, &args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(&format!(
        "sent {}, skipped {first} (already sent), rejected 0, failed 0, uncertain 0",
        300 - first
    )));
    assert_eq!(server.seen().len(), 300);
}

/// Ctrl-C during a wait before a retry (a 503 asking for a minute) ends the wait at once: the
/// record is failed, not tried again, and the rerun with the journal sends it and the rest.
#[test]
fn ctrl_c_cuts_short_a_wait_before_a_retry_and_the_rerun_sends_the_record() {
    let s = Setup::new();
    let server = Server::start(|n, _| match n {
        0 => Reply::Http(503, &[("Retry-After", "60")], "busy".into()),
        _ => Reply::Http(200, &[], "{}".into()),
    });
    let records = s.file(
        "batch.ndjson",
        "{\"id\": \"1\", \"name\": \"Ann\"}\n{\"id\": \"2\", \"name\": \"Bob\"}\n",
    );
    let journal = s.path("batch.journal");
    let args = [
        "--data-ndjson",
        records.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
        "--concurrency",
        "1",
    ];
    let mut child = s.spawn(&server.base, &args);
    server.wait_until(|l| l.seen.len() == 1);
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    // Bounded: the minute's wait must not be waited out (should it be, the test fails here,
    // well before the minute).
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the send waited for its retry after Ctrl-C");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "not delivered after 1 try (customer_id `w-1`): the API answered HTTP 503; not tried again: the send was stopped"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("failed 1, uncertain 0"), "{stderr}");
    assert_eq!(server.seen().len(), 1);

    let r = run(s.send(&server.base, &args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("sent 2, skipped 0 (already sent), rejected 0, failed 0, uncertain 0"),
        "{}",
        r.stderr
    );
    assert_eq!(server.seen().len(), 3);
}

/// An API that cannot be reached (nothing listens at `--api-url`) stops the send after the
/// first record's tries: the rest would each wait through the same tries for nothing.
#[test]
fn an_api_that_cannot_be_reached_stops_the_send_after_the_first_record() {
    // expect: M5021
    let s = Setup::new();
    let closed = CLOSED.to_string();
    let mut text = String::new();
    for i in 0..20 {
        text.push_str(&format!("{{\"id\": \"{i}\", \"name\": \"n{i}\"}}\n"));
    }
    let records = s.file("batch.ndjson", &text);
    let r = run(s.send(
        &closed,
        &["--data-ndjson", records.to_str().unwrap(), "--retries", "1"],
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "error[M5021]: record 1: not delivered after 2 tries (customer_id `w-0`): the connection was refused"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("the API could not be reached: missive started no further request"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("failed 1, uncertain 0, not attempted 19"),
        "{}",
        r.stderr
    );
}

/// Without a journal, a send stopped early must not tell the user that the same command goes
/// on: it would send the records already sent a second time.
#[test]
fn a_stopped_send_without_a_journal_says_a_rerun_would_send_again() {
    // expect: M5001
    let s = Setup::new();
    let server = Server::start(|n, _| match n {
        0 => Reply::Http(200, &[], "{}".into()),
        _ => Reply::Http(401, &[], r#"{"error":{"message":"bad token"}}"#.into()),
    });
    let records = s.file(
        "batch.ndjson",
        "{\"id\": \"1\", \"name\": \"Ann\"}\n{\"id\": \"2\", \"name\": \"Bob\"}\n{\"id\": \"3\", \"name\": \"Cy\"}\n",
    );
    let r = run(s.send(
        &server.base,
        &[
            "--data-ndjson",
            records.to_str().unwrap(),
            "--concurrency",
            "1",
        ],
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.ends_with(
            "not attempted 1 (no `--journal`: the same command again would send the 1 record sent a second time; the delivery lines say which. Give a send that may have to be resumed `--journal FILE`)\n"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("run the same command again to go on"));
}

/// A warning repeated on every record is shown for the first three records and counted, as
/// `render` does, in every format (`--format json` kept each one for its document at the end).
#[test]
fn a_warning_repeated_on_every_record_is_shown_three_times_and_counted() {
    let s = Setup::new();
    let server = Server::ok();
    let mut text = String::new();
    for i in 0..10 {
        text.push_str(&format!(
            "{{\"id\": \"{i}\", \"name\": \"n{i}\", \"nmae\": \"x\"}}\n"
        ));
    }
    let records = s.file("batch.ndjson", &text);
    let args = ["--data-ndjson", records.to_str().unwrap(), "--dry-run"];
    let r = run(s.send(&server.base, &args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("warning[M3005]: record").count(),
        3,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("warning[M3005] on 10 records in all: the first 3 shown above\ndry run: read 10 records: 10 to send"),
        "{}",
        r.stderr
    );
    let r = run(s.send(&server.base, &args).args(["--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stderr).unwrap();
    assert_eq!(doc["delivery"]["warnings"]["M3005"], 10);
    assert_eq!(
        doc["diagnostics"].as_array().map(Vec::len),
        Some(3),
        "{doc}"
    );
    assert!(server.seen().is_empty());
}

/// `--deny-warnings` is a gate, as rustc's `-D warnings`: a record whose rendering warns is not
/// sent (its warnings are errors), and a template that warns sends nothing.
#[test]
fn deny_warnings_sends_no_record_that_warns_and_nothing_from_a_template_that_warns() {
    let s = Setup::new();
    let server = Server::ok();
    let records = s.file(
        "batch.ndjson",
        "{\"id\": \"1\", \"name\": \"Ann\"}\n{\"id\": \"2\", \"name\": \"Bob\", \"nmae\": \"x\"}\n",
    );
    let r = run(s
        .send(&server.base, &["--data-ndjson", records.to_str().unwrap()])
        .arg("--deny-warnings"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("error[M3005]: record 2: `nmae` is not declared in `input`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("`--deny-warnings` makes this warning an error: the record is not sent"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("sent 1, skipped 0 (already sent), rejected 1"),
        "{}",
        r.stderr
    );
    assert_eq!(server.seen().len(), 1);

    let warns = s.file(
        "warns.missive",
        "notification warns\ncustomer_id \"w-{{ id }}\"\ninput { id: string max 40 }\nimage \"http://shop.example/a.png\"\n",
    );
    let r = run(missive()
        .env("MISSIVE_ACCESS_TOKEN", TOKEN)
        .arg("send")
        .arg(&warns)
        .args(["--page-id", "123", "--api-url", &server.base])
        .args([
            "--data-ndjson",
            records.to_str().unwrap(),
            "--deny-warnings",
        ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error[M4007]"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`--deny-warnings` makes this warning an error: nothing is sent"),
        "{}",
        r.stderr
    );
    assert_eq!(server.seen().len(), 1, "nothing more was sent");

    // A record an earlier run delivered stays skipped under `--deny-warnings`: rejected, it
    // would be in the rejects file as data to send again.
    let journal = s.path("deny.journal");
    let rejects = s.path("deny.rejects");
    let args = [
        "--data-ndjson",
        records.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ];
    let r = run(s.send(&server.base, &args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(server.seen().len(), 3);
    let r = run(s.send(&server.base, &args).args([
        "--deny-warnings",
        "--rejects",
        rejects.to_str().unwrap(),
    ]));
    // Exit status 1 all the same: a warning was shown, and warnings are denied.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("sent 0, skipped 2 (already sent), rejected 0"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&rejects).unwrap(), "");
    assert_eq!(server.seen().len(), 3);
}

/// A dry run with a journal that the send could not create (its folder does not exist) fails
/// as the send would, instead of passing.
#[test]
fn a_dry_run_with_a_journal_in_a_missing_folder_fails_as_the_send_would() {
    // expect: M9001
    let s = Setup::new();
    let server = Server::ok();
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let journal = s.path("nodir/j.journal");
    let r = run(s.send(
        &server.base,
        &[
            "--data",
            data.to_str().unwrap(),
            "--journal",
            journal.to_str().unwrap(),
            "--dry-run",
        ],
    ));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot create the journal") && r.stderr.contains("does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn records_can_come_from_standard_input() {
    let s = Setup::new();
    let server = Server::ok();
    let r = run(s
        .send(&server.base, &["--data-ndjson", "-"])
        .write_stdin("{\"id\": \"1\", \"name\": \"Ann\"}\n{\"id\": \"2\", \"name\": \"Bob\"}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut targets: Vec<String> = server.seen().into_iter().map(|q| q.target).collect();
    targets.sort();
    assert_eq!(targets, vec![path_for("w-1"), path_for("w-2")]);
}

/// An API that echoes the token in its error answer, escaped its own way in a JSON string
/// (`\/`, `\u00e9`): the token still appears in no output and no file.
#[test]
fn a_token_echoed_json_escaped_by_the_api_does_not_leak() {
    let s = Setup::new();
    let token = "t0k/\u{e9}\"n-7f3a9";
    let escaped = r#"t0k\/\u00e9\"n-7f3a9"#;
    let server = Server::start(move |_, _| {
        Reply::Http(
            400,
            &[],
            format!("{{\"error\":{{\"message\":\"Invalid OAuth access token: {escaped}\",\"code\":190}}}}").into(),
        )
    });
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let journal = s.path("j.journal");
    let rejects = s.path("rejects.ndjson");
    for format in ["human", "json"] {
        let out = s
            .send(&server.base, &[])
            .env("MISSIVE_ACCESS_TOKEN", token)
            .args(["--data", data.to_str().unwrap(), "--format", format])
            .args(["--journal", journal.to_str().unwrap()])
            .args(["--rejects", rejects.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let texts = [
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            std::fs::read_to_string(&journal).unwrap(),
            std::fs::read_to_string(&rejects).unwrap(),
        ];
        for text in &texts {
            assert!(
                !text.contains("t0k") && !text.contains(escaped),
                "the token leaked: {text}"
            );
        }
        assert!(
            texts[3].contains("Invalid OAuth access token: ***"),
            "{}",
            texts[3]
        );
    }
}

/// The rejects file gives back each record as it was written (key order, `1.50`, integers
/// beyond 2^53), so that it can be fixed and sent again; a multi-line `--data` file is kept on
/// the rejects line.
#[test]
fn a_rejected_record_is_kept_exactly_as_written() {
    let s = Setup::new();
    let server = Server::ok();
    let record =
        r#"{"name": "Ann", "id": "1", "price": 1.50, "ref": 123456789012345678901234567890}"#;
    let records = s.file("batch.ndjson", &format!("{record}\r\n{record}\n"));
    let pretty = s.file(
        "one.json",
        "\u{feff}{\n  \"id\": \"9\",\r\n  \"n\": 1.50\n}\n",
    );
    let rejects = s.path("rejects.ndjson");
    for (flag, data) in [("--data-ndjson", &records), ("--data", &pretty)] {
        let r = run(s.send(
            &server.base,
            &[
                flag,
                data.to_str().unwrap(),
                "--rejects",
                rejects.to_str().unwrap(),
            ],
        ));
        assert_eq!(r.code, 1, "{}", r.stderr);
        let text = std::fs::read_to_string(&rejects).unwrap();
        let line = lines(&text).pop().unwrap();
        let expected = if flag == "--data" {
            r#""data":{  "id": "9",  "n": 1.50}"#.to_string()
        } else {
            format!(r#""data":{record}"#)
        };
        assert!(text.contains(&expected), "{text}");
        assert!(line["data"].is_object(), "{text}");
    }
}

/// The same journal used for another Facebook page: that page's customers are other people,
/// so nothing is taken for a repeat.
#[test]
fn a_journal_of_another_page_does_not_refuse_this_pages_customers() {
    let s = Setup::new();
    let server = Server::ok();
    let data = s.file("lisa.json", r#"{"id": "42", "name": "Lisa"}"#);
    let journal = s.path("j.journal");
    let args = [
        "--data",
        data.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ];
    assert_eq!(run(s.send(&server.base, &args)).code, 0);
    let r = run(missive()
        .env("MISSIVE_ACCESS_TOKEN", TOKEN)
        .arg("send")
        .arg(&s.template)
        .args(["--page-id", "999", "--api-url", &server.base])
        .args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].target.contains("/pages/999/customers/w-42/"));
    // On the first page it is still delivered, and skipped.
    let r = run(s.send(&server.base, &args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("skipped 1"), "{}", r.stderr);
    assert_eq!(server.seen().len(), 2);
}

/// `--rejects` or `-o` naming the journal or the data would erase which records were
/// delivered, or the batch itself: refused before anything is read or sent.
#[test]
fn an_output_over_the_journal_or_the_data_is_refused() {
    let s = Setup::new();
    let server = Server::ok();
    let data = s.file("batch.ndjson", "{\"id\": \"1\", \"name\": \"Ann\"}\n");
    let journal = s.path("j.journal");
    let (d, j) = (data.to_str().unwrap(), journal.to_str().unwrap());
    assert_eq!(
        run(s.send(&server.base, &["--data-ndjson", d, "--journal", j])).code,
        0
    );
    let before = std::fs::read_to_string(&journal).unwrap();
    // The same file, written another way.
    let j2 = format!("{}/./j.journal", s.dir.display());
    for extra in [
        ["--rejects", j],
        ["-o", j2.as_str()],
        ["--rejects", d],
        ["--output", d],
    ] {
        let r = run(s
            .send(&server.base, &["--data-ndjson", d, "--journal", j])
            .args(extra));
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains("name the same file"), "{}", r.stderr);
    }
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), before);
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        "{\"id\": \"1\", \"name\": \"Ann\"}\n"
    );
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn a_refused_token_stops_the_batch() {
    let s = Setup::new();
    let server = Server::start(|_, _| {
        Reply::Http(
            401,
            &[],
            r#"{"meta":{"status":"error","message":"Invalid access token"}}"#.into(),
        )
    });
    let records = s.file(
        "batch.ndjson",
        concat!(
            "{\"id\": \"1\", \"name\": \"Ann\"}\n",
            "{\"id\": \"2\", \"name\": \"Bob\"}\n",
            "{\"id\": \"3\", \"name\": \"Eve\"}\n",
        ),
    );
    let r = run(s.send(&server.base, &["--data-ndjson", records.to_str().unwrap()]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(server.seen().len(), 1, "one refusal of the token is enough");
    assert!(
        r.stderr.contains("started no further request"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("not attempted 2"), "{}", r.stderr);
}

/// `--format json`: each diagnostic about a record says which (`"record": N`, the field of
/// `render --data-ndjson --format json`); the template's own have none.
#[test]
fn json_diagnostics_of_a_send_carry_their_record_number() {
    let s = Setup::new();
    std::fs::write(
        &s.template,
        // A warning of the template's own (its name is not its file's): no record.
        TEMPLATE.replace("notification welcome", "notification other"),
    )
    .unwrap();
    let server = Server::ok();
    let records = s.file(
        "batch.ndjson",
        concat!(
            "{\"id\": \"1\", \"name\": \"Ann\"}\n",
            "{\"id\": \"2\"}\n",
            "\n",
            "{\"id\": \"1\", \"name\": \"Ann again\"}\n",
        ),
    );
    let r = run(s.send(
        &server.base,
        &[
            "--data-ndjson",
            records.to_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stderr).unwrap();
    let numbered: Vec<(Option<u64>, &str)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["record"].as_u64(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        numbered,
        [(None, "M4002"), (Some(2), "M3002"), (Some(4), "M5023")]
    );
    assert_eq!(doc["delivery"]["sent"], 1);
}

#[test]
fn max_rejects_stops_a_send_at_the_nth_rejected_record() {
    let s = Setup::new();
    let server = Server::ok();
    let records = s.file(
        "batch.ndjson",
        concat!(
            "{\"id\": \"1\", \"name\": \"Ann\"}\n",
            "{\"id\": \"2\"}\n",
            "{\"id\": \"3\", \"name\": \"Bob\"}\n",
            "{\"id\": \"1\", \"name\": \"Ann again\"}\n",
            "{\"id\": \"5\", \"name\": \"Eve\"}\n",
            "{\"id\": \"6\"}\n",
        ),
    );
    let rejects = s.path("rejects.ndjson");
    let (d, r) = (records.to_str().unwrap(), rejects.to_str().unwrap());
    let out = run(s.send(
        &server.base,
        &["--data-ndjson", d, "--rejects", r, "--max-rejects", "2"],
    ));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.ends_with(concat!(
            "stopped at record 4: `--max-rejects 2` reached, the records after it were not sent\n",
            "read 6 records: sent 2, skipped 0 (already sent), rejected 2, failed 0, uncertain 0, not attempted 2\n"
        )),
        "{}",
        out.stderr
    );
    let targets: Vec<String> = server.seen().into_iter().map(|q| q.target).collect();
    assert_eq!(targets, vec![path_for("w-1"), path_for("w-3")]);
    // The rejects file has both, in the format render's has, each line whole.
    let rejected = lines(&std::fs::read_to_string(&rejects).unwrap());
    let fates: Vec<(u64, &str, &str)> = rejected
        .iter()
        .map(|l| {
            (
                l["record"].as_u64().unwrap(),
                l["outcome"].as_str().unwrap(),
                l["diagnostics"][0]["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(fates, [(2, "rejected", "M3002"), (4, "rejected", "M5023")]);

    // JSON: where it stopped, among the counts.
    let server = Server::ok();
    let out = run(s.send(
        &server.base,
        &["--data-ndjson", d, "--max-rejects", "1", "--format", "json"],
    ));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stderr).unwrap();
    assert_eq!(doc["delivery"]["stopped_at"], 2);
    assert_eq!(doc["delivery"]["not_attempted"], 4);
    assert_eq!(server.seen().len(), 1);

    let out = run(s.send(&server.base, &["--data-ndjson", d, "--max-rejects", "0"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("`--max-rejects 0` is not a count"));
}
