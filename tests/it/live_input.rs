//! Issue 15's "never hang" on a live input: `send --data-ndjson -` and `render --data-ndjson -`
//! fed by a producer that never closes standard input (`tail -f`, a queue consumer) still end
//! when they stop: after the API refuses the token, after Ctrl-C, at `--max-rejects`. Each test
//! keeps the child's standard input open until the child has exited, and gives it a bound
//! (10 s: a hang, not a slow machine) before it kills it and fails. Only 127.0.0.1.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::http::{Reply, Server};
use crate::common::temp_dir;

/// A distinctive token: it must never appear in anything missive writes.
const TOKEN: &str = "LiVe-t0ken_5e1c2b9";

/// The bound for a child to exit once it should: far above any machine's slowness.
const BOUND: Duration = Duration::from_secs(10);

const TEMPLATE: &str = r#"notification welcome
customer_id "w-{{ id }}"
input { id: string max 40, name: string max 40 }
text "Hello {{ name }}!"
"#;

fn record(id: u32) -> String {
    format!("{{\"id\": \"{id}\", \"name\": \"n{id}\"}}\n")
}

/// A child whose standard input the test holds open, its outputs in files.
struct Live {
    child: Child,
    stdin: ChildStdin,
    stdout: PathBuf,
    stderr: PathBuf,
}

/// What the child left when it exited.
struct Exited {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Live {
    fn spawn(dir: &Path, mut command: Command) -> Live {
        let stdout = dir.join("stdout");
        let stderr = dir.join("stderr");
        let mut child = command
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        Live {
            child,
            stdin,
            stdout,
            stderr,
        }
    }

    fn write(&mut self, text: &str) {
        self.stdin.write_all(text.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Waits until `ready` holds of the child's standard output, within the bound.
    fn wait_for_stdout(&mut self, ready: impl Fn(&str) -> bool) {
        let stdout = self.stdout.clone();
        self.wait_for(&stdout, ready);
    }

    /// Waits until `ready` holds of the file at `path`, within the bound.
    fn wait_for(&mut self, path: &Path, ready: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + BOUND;
        while !ready(&std::fs::read_to_string(path).unwrap_or_default()) {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the child's output never came");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn interrupt(&self) {
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits for the child to exit, its standard input still open; kills it and fails past
    /// the bound.
    fn exit(self) -> Exited {
        self.wait(false)
    }

    /// Closes the child's standard input (its producer is done), then waits as [`Live::exit`].
    fn close(self) -> Exited {
        self.wait(true)
    }

    fn wait(mut self, close: bool) -> Exited {
        let stdin = (!close).then_some(self.stdin);
        let deadline = Instant::now() + BOUND;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "still running {BOUND:?} after it should have stopped, its input open:\n{}",
                    std::fs::read_to_string(&self.stderr).unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(stdin); // only now
        let exited = Exited {
            code: status.code(),
            stdout: std::fs::read_to_string(&self.stdout).unwrap(),
            stderr: std::fs::read_to_string(&self.stderr).unwrap(),
        };
        assert!(
            !exited.stdout.contains(TOKEN) && !exited.stderr.contains(TOKEN),
            "the token leaked"
        );
        exited
    }
}

/// The binary, with no token and no proxy from the environment (requests go to 127.0.0.1).
fn missive() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("missive"));
    for var in [
        "MISSIVE_ACCESS_TOKEN",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        c.env_remove(var);
    }
    c
}

/// `missive send TEMPLATE --data-ndjson DATA --page-id 123 --api-url BASE` and `args`.
fn send(template: &Path, base: &str, data: &str, args: &[&str]) -> Command {
    let mut c = missive();
    c.env("MISSIVE_ACCESS_TOKEN", TOKEN)
        .arg("send")
        .arg(template)
        .args(["--page-id", "123", "--api-url", base, "--backoff", "0.01"])
        .args(["--data-ndjson", data])
        .args(args);
    c
}

/// Every line of a file the run wrote is whole JSON.
fn json_lines(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "cut short: {text}");
    assert!(!text.contains(TOKEN), "the token leaked into {path:?}");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{path:?}: {e}: {l}")))
        .collect()
}

fn setup(what: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(what);
    let template = dir.join("welcome.missive");
    std::fs::write(&template, TEMPLATE).unwrap();
    (dir, template)
}

#[test]
fn send_on_an_open_stdin_ends_after_the_token_is_refused() {
    let (dir, template) = setup("live-send-401");
    let server = Server::start(|_, _| {
        Reply::Http(
            401,
            &[],
            br#"{"meta":{"status":"error","message":"Invalid access token"}}"#.to_vec(),
        )
    });
    let journal = dir.join("journal");
    let rejects = dir.join("rejects.ndjson");
    let (j, r) = (journal.to_str().unwrap(), rejects.to_str().unwrap());
    let mut child = Live::spawn(
        &dir,
        send(
            &template,
            &server.base,
            "-",
            &["--journal", j, "--rejects", r],
        ),
    );
    child.write(&record(1));
    let out = child.exit();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(server.seen().len(), 1);
    assert!(
        out.stderr.ends_with("interrupted: read 1 record: sent 0, skipped 0 (already sent), rejected 0, failed 1, uncertain 0, not attempted 0, the rest of the input not read (run the same command again to go on)\n"),
        "{}",
        out.stderr
    );
    let delivered: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        delivered,
        [
            serde_json::json!({"record": 1, "customer_id": "w-1", "result": "failed", "status": 401, "attempts": 1})
        ]
    );
    let rejected = json_lines(&rejects);
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        (&rejected[0]["record"], &rejected[0]["outcome"]),
        (&serde_json::json!(1), &serde_json::json!("refused"))
    );
    // The journal holds the request and its answer, each line whole.
    let entries = json_lines(&journal);
    assert!(entries.len() >= 2, "{entries:?}");
}

#[test]
fn send_on_an_open_stdin_ends_after_ctrl_c_and_a_rerun_does_not_send_again() {
    let (dir, template) = setup("live-send-int");
    let server = Server::ok();
    let journal = dir.join("journal");
    let j = journal.to_str().unwrap();
    let mut child = Live::spawn(&dir, send(&template, &server.base, "-", &["--journal", j]));
    child.write(&record(1));
    // Its outcome is on disk once its delivery line is out; then nothing more comes.
    child.wait_for_stdout(|out| out.lines().count() == 1);
    child.interrupt();
    let out = child.exit();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.ends_with("interrupted: read 1 record: sent 1, skipped 0 (already sent), rejected 0, failed 0, uncertain 0, not attempted 0, the rest of the input not read (run the same command again to go on)\n"),
        "{}",
        out.stderr
    );
    assert_eq!(server.seen().len(), 1);
    json_lines(&journal);

    // The same send again, with the whole input: the record delivered is skipped.
    let data = dir.join("all.ndjson");
    std::fs::write(&data, format!("{}{}", record(1), record(2))).unwrap();
    let again = send(
        &template,
        &server.base,
        data.to_str().unwrap(),
        &["--journal", j],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.ends_with(
            "read 2 records: sent 1, skipped 1 (already sent), rejected 0, failed 0, uncertain 0\n"
        ),
        "{stderr}"
    );
    let targets: Vec<String> = server.seen().into_iter().map(|s| s.target).collect();
    assert_eq!(targets.len(), 2);
    assert!(targets[0].contains("/customers/w-1/") && targets[1].contains("/customers/w-2/"));
    json_lines(&journal);
}

#[test]
fn send_json_summary_says_the_rest_was_not_read() {
    let (dir, template) = setup("live-send-json");
    let server = Server::start(|_, _| Reply::Http(403, &[], b"{}".to_vec()));
    let mut child = Live::spawn(
        &dir,
        send(&template, &server.base, "-", &["--format", "json"]),
    );
    child.write(&record(7));
    let out = child.exit();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stderr).unwrap();
    assert_eq!(
        doc["delivery"],
        serde_json::json!({"read": 1, "sent": 0, "skipped": 0, "rejected": 0, "failed": 1, "uncertain": 0, "dry_run": 0, "not_attempted": 0, "rest_unread": true})
    );
}

#[test]
fn send_on_an_open_stdin_ends_at_max_rejects() {
    let (dir, template) = setup("live-send-max-rejects");
    let server = Server::ok();
    let rejects = dir.join("rejects.ndjson");
    let r = rejects.to_str().unwrap();
    let mut child = Live::spawn(
        &dir,
        send(
            &template,
            &server.base,
            "-",
            &["--max-rejects", "1", "--rejects", r],
        ),
    );
    child.write(&format!("{}{{\"id\": \"2\"}}\n", record(1)));
    let out = child.exit();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.ends_with(concat!(
            "stopped at record 2: `--max-rejects 1` reached, the records after it were not sent\n",
            "read 2 records: sent 1, skipped 0 (already sent), rejected 1, failed 0, uncertain 0, not attempted 0, the rest of the input not read\n"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(server.seen().len(), 1);
    let rejected = json_lines(&rejects);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["record"], 2);
}

#[test]
fn render_on_an_open_stdin_ends_at_max_rejects() {
    let (dir, template) = setup("live-render");
    let rejects = dir.join("rejects.ndjson");
    let mut c = missive();
    c.arg("render")
        .arg(&template)
        .args(["--data-ndjson", "-", "--max-rejects", "1", "--rejects"])
        .arg(&rejects);
    let mut child = Live::spawn(&dir, c);
    child.write(&format!("{}{{\"id\": \"2\", \"name\": 3}}\n", record(1)));
    let out = child.exit();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.stdout, "{\"text\":\"Hello n1!\"}\n");
    assert!(
        out.stderr.ends_with("stopped at record 2: `--max-rejects 1` reached, the records after it were not read\nread 2 records: rendered 1, rejected 1\n"),
        "{}",
        out.stderr
    );
    let rejected = json_lines(&rejects);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["record"], 2);
    assert_eq!(
        rejected[0]["data"],
        serde_json::json!({"id": "2", "name": 3})
    );
}

/// Standard input that is a regular file (`< records.ndjson`) is not a stream: after a stop,
/// the records left in it are counted, as for `--data-ndjson FILE`.
#[test]
fn send_from_a_regular_file_on_stdin_counts_the_records_left() {
    let (dir, template) = setup("live-send-file-stdin");
    let server = Server::start(|_, _| Reply::Http(401, &[], b"{}".to_vec()));
    let data = dir.join("records.ndjson");
    std::fs::write(&data, (1..=3).map(record).collect::<String>()).unwrap();
    let out = send(&template, &server.base, "-", &[])
        .stdin(std::fs::File::open(&data).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.ends_with("interrupted: read 3 records: sent 0, skipped 0 (already sent), rejected 0, failed 1, uncertain 0, not attempted 2 (run the same command again to go on)\n"),
        "{stderr}"
    );
}

/// A record rendered from a live stream is written out when it comes, not when the output's
/// buffer fills or the input ends.
#[test]
fn render_on_an_open_stdin_writes_each_line_when_its_record_comes() {
    let (dir, template) = setup("live-render-lines");
    let mut c = missive();
    c.arg("render").arg(&template).args(["--data-ndjson", "-"]);
    let mut child = Live::spawn(&dir, c);
    child.write(&record(1));
    child.wait_for_stdout(|out| out == "{\"text\":\"Hello n1!\"}\n");
    child.write(&record(2));
    child.wait_for_stdout(|out| out.lines().count() == 2);
    let out = child.close();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "{\"text\":\"Hello n1!\"}\n{\"text\":\"Hello n2!\"}\n"
    );
}

/// `tail -f records | missive render --data-ndjson - | head -1`: once its reader is gone, the
/// batch ends (a failure to write, exit 2), though its input never does.
#[test]
fn render_on_an_open_stdin_ends_when_its_output_is_closed() {
    use std::io::BufRead;
    let (dir, template) = setup("live-render-closed");
    let mut child = missive()
        .arg("render")
        .arg(&template)
        .args(["--data-ndjson", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdin.write_all(record(1).as_bytes()).unwrap();
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(first, "{\"text\":\"Hello n1!\"}\n");
    drop(stdout); // `head -1` is done
    stdin.write_all(record(2).as_bytes()).unwrap();
    let deadline = Instant::now() + BOUND;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running with its output closed and its input open");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    let stderr = std::fs::read_to_string(dir.join("stderr")).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("its output was closed (the program reading it ended)"),
        "{stderr}"
    );
    // What was done before it is said.
    assert!(
        stderr.contains("rendered and 0 rejected before it; the records after it were not read"),
        "{stderr}"
    );
}

/// A send on a live input writes each record's line to `-o` and `--rejects` when the record's
/// fate is known, whole, not when a buffer fills or the send ends.
#[test]
fn send_on_an_open_stdin_writes_each_line_to_its_files_at_once() {
    let (dir, template) = setup("live-send-files");
    let server = Server::ok();
    let (output, rejects) = (dir.join("out.ndjson"), dir.join("rejects.ndjson"));
    let (o, r) = (output.to_str().unwrap(), rejects.to_str().unwrap());
    let mut child = Live::spawn(
        &dir,
        send(&template, &server.base, "-", &["-o", o, "--rejects", r]),
    );
    child.write(&format!("{}{{\"id\": \"2\"}}\n", record(1)));
    child.wait_for(&output, |text| text.lines().count() == 2);
    child.wait_for(&rejects, |text| text.ends_with('\n'));
    child.interrupt();
    let out = child.exit();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    // Lines come as fates are known: the rejected record's at once, the sent one's on its answer.
    let mut fates: Vec<(u64, String)> = json_lines(&output)
        .iter()
        .map(|l| {
            (
                l["record"].as_u64().unwrap(),
                l["result"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    fates.sort();
    assert_eq!(
        fates,
        [(1, "sent".to_string()), (2, "rejected".to_string())]
    );
    let rejected = json_lines(&rejects);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["record"], 2);
}
