//! The hostile-input suite (issue 15): one case per file in `tests/hostile/`, each a TOML file
//! saying what to write (an input committed beside it, or one generated, for the inputs too big
//! to commit), which command to run, and what must come out: the exit status, the diagnostic
//! codes, text that must and must not appear. Every case runs under a time limit and bounds
//! its output and its peak memory, so that a hang, a flood or a blow-up is a failure of the
//! case that caused it, not of the whole run. `tests/hostile/README.md` describes the keys.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::common::http::{Reply, Server};
use crate::common::{repo, temp_dir};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The finding or the kind of input the case covers, in a sentence.
    about: String,
    /// Files to write into the case's scratch folder (`{dir}`) before anything runs.
    #[serde(default)]
    file: Vec<FileSpec>,
    /// A loopback server for `send`: `ok` (200 to everything) or `echo-token` (400, with an
    /// error message that echoes the token in the ways an API may write it). `{base}` is its
    /// address.
    server: Option<String>,
    /// `missive` commands run before the case's own, each of which must succeed.
    #[serde(default)]
    before: Vec<Vec<String>>,
    /// Damage done to a file after `before`: its first `keep_lines` lines kept, then
    /// `append_zeros` NUL bytes (a power cut on a file system that zero-fills).
    damage: Option<Damage>,
    /// Replaces a file by a folder that holds a file, after `before`: renaming a file over it
    /// fails (an I/O failure in the middle of writing the outputs).
    block_with_folder: Option<String>,
    /// The command's arguments, after `missive`.
    args: Vec<String>,
    /// A file of the scratch folder given as standard input (else the input is empty).
    stdin: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// The expected exit status.
    exit: i32,
    /// Codes that must each appear in the output as `[CODE]` (`--format short` or human), or
    /// as `"CODE"` in JSON.
    #[serde(default)]
    codes: Vec<String>,
    /// Text that must appear in the output (stdout and stderr together).
    #[serde(default)]
    contains: Vec<String>,
    /// Text that must appear in files of the scratch folder: file name -> texts.
    #[serde(default)]
    file_contains: BTreeMap<String, Vec<String>>,
    /// Text that must appear in no output and no file of the scratch folder that the case did
    /// not write itself. `panicked` and `a bug in missive` are always checked.
    #[serde(default)]
    absent: Vec<String>,
    /// Files of the scratch folder that must be left as they were after `before`, byte for byte
    /// (a folder: every file in it).
    #[serde(default)]
    unchanged: Vec<String>,
    /// The number of requests the server must have seen in all, `before` included.
    requests: Option<usize>,
    /// Seconds of processor time the command may use (a debug build): 60 unless set; ten
    /// times that on the wall clock.
    timeout: Option<u64>,
    /// Bytes of output (stdout and stderr together): 1 MB unless set.
    max_output: Option<usize>,
    /// Peak resident memory of the command, in MiB: 1024 unless set.
    max_rss_mib: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    /// The name in the scratch folder.
    name: String,
    /// Copy this file of `tests/hostile/`.
    from: Option<String>,
    /// Else: `head`, then `repeat` written `times` times (`{i}` in it is the repetition's
    /// number, from 0), then `tail`.
    #[serde(default)]
    head: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    times: usize,
    #[serde(default)]
    tail: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Damage {
    file: String,
    keep_lines: usize,
    append_zeros: usize,
}

const CASES: &str = "tests/hostile";

fn expand(text: &str, dir: &Path, base: &str) -> String {
    text.replace("{dir}", &dir.to_string_lossy())
        .replace("{case}", &repo(CASES).to_string_lossy())
        .replace("{base}", base)
}

fn generate(spec: &FileSpec, dir: &Path) -> Vec<u8> {
    if let Some(from) = &spec.from {
        return std::fs::read(repo(CASES).join(from)).unwrap();
    }
    let mut out = expand(&spec.head, dir, "").into_bytes();
    let parts: Vec<&str> = spec.repeat.split("{i}").collect();
    for i in 0..spec.times {
        let number = i.to_string();
        for (n, part) in parts.iter().enumerate() {
            if n > 0 {
                out.extend_from_slice(number.as_bytes());
            }
            out.extend_from_slice(part.as_bytes());
        }
    }
    out.extend_from_slice(spec.tail.as_bytes());
    out
}

/// Every file under `path` (or `path` itself), by its path relative to `root`.
fn files_under(root: &Path, path: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap().flatten() {
            files_under(root, &e.path(), out);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        out.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
    }
}

/// An echo of the token as an API may write it: the query string as received
/// (percent-encoded), the raw token, and the received text in lower case.
fn echo_token(target: &str) -> (u16, String) {
    let echoed = target.split("access_token=").nth(1).unwrap_or("");
    let raw = percent_encoding::percent_decode_str(echoed).decode_utf8_lossy();
    let message = format!(
        "Invalid OAuth access token {echoed} ({raw}), lower case {}",
        echoed.to_lowercase()
    );
    let body =
        serde_json::json!({"error": {"message": message, "type": "OAuthException", "code": 190}});
    (400, body.to_string())
}

fn start_server(kind: &str) -> Server {
    match kind {
        "ok" => Server::ok(),
        "echo-token" => Server::start(|_, seen| {
            let (status, body) = echo_token(&seen.target);
            Reply::Http(status, &[], body.into_bytes())
        }),
        // By customer: w-0 delivered, w-1 failing (503), w-2 redirected (302), any other
        // answered after the client's timeout (uncertain).
        "mixed" => Server::start(|_, seen| {
            let target = &seen.target;
            let (status, body): (u16, &[u8]) = if target.contains("/customers/w-0/") {
                (200, br#"{"meta":{"status":"success"}}"#)
            } else if target.contains("/customers/w-1/") {
                (503, br#"{"error":"busy"}"#)
            } else if target.contains("/customers/w-2/") {
                (302, b"")
            } else {
                std::thread::sleep(Duration::from_millis(1_500));
                (200, b"")
            };
            Reply::Http(status, &[], body.to_vec())
        }),
        other => panic!("no server `{other}`"),
    }
}

/// What a run gave.
struct Run {
    status: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Peak resident memory in KiB.
    max_rss_kib: u64,
    elapsed: Duration,
}

/// The peak resident memory of a running process, in KiB (`VmHWM`, which starts again at
/// `exec`: the memory of the test process that spawned it does not count, as it does in
/// `wait4`'s `ru_maxrss`).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The processor time a running process has used so far (user and system).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf reads a configuration value and has no other effect.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Some(Duration::from_millis(ticks * 1000 / per_second))
}

/// Runs `missive ARGS` with a time limit on the processor time it uses (a machine shared with
/// other builds stretches the wall-clock time of a case, not its work), and ten times that on
/// the wall clock (a process blocked, not working), and measures the peak memory of that process alone,
/// read every few milliseconds while it runs (a peak in its last moments may be missed: the
/// bound can pass wrongly, never fail wrongly).
fn run(
    args: &[String],
    stdin: Option<Vec<u8>>,
    env: &BTreeMap<String, String>,
    timeout: Duration,
) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_missive"))
        .args(args)
        .current_dir(repo(""))
        .env("NO_COLOR", "1")
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        if let Some(bytes) = stdin {
            // The command may stop reading early: a broken pipe is no failure of the case.
            let _ = input.write_all(&bytes);
        }
    });
    let read = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            // At most a little over the largest limit: a flood is measured, not kept.
            let _ = (&mut r).take(64 << 20).read_to_end(&mut out);
            let _ = std::io::copy(&mut r, &mut std::io::sink());
            out
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let cpu = cpu_time(child.id()).unwrap_or_default();
        if cpu > timeout || start.elapsed() > timeout * 10 {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "missive {} used {cpu:?} of processor time in {:?}, over the limit of {timeout:?}: killed",
                args.join(" "),
                start.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    feeder.join().unwrap();
    Run {
        status: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        max_rss_kib: peak,
        elapsed,
    }
}

fn run_case(name: &str, case: &Case) -> Result<String, String> {
    let dir = temp_dir(&format!("hostile-{name}"));
    let server = case.server.as_deref().map(start_server);
    let base = server.as_ref().map_or(String::new(), |s| s.base.clone());
    let env: BTreeMap<String, String> = case
        .env
        .iter()
        .map(|(k, v)| (k.clone(), expand(v, &dir, &base)))
        .collect();
    let mut written = Vec::new();
    for f in &case.file {
        let bytes = generate(f, &dir);
        let path = dir.join(&f.name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        written.push(path);
    }
    let expand_all =
        |args: &[String]| -> Vec<String> { args.iter().map(|a| expand(a, &dir, &base)).collect() };
    for before in &case.before {
        let r = run(&expand_all(before), None, &env, Duration::from_secs(60));
        if r.status != Some(0) {
            return Err(format!(
                "`missive {}` before the case: {:?}\n{}",
                before.join(" "),
                r.status,
                String::from_utf8_lossy(&r.stderr)
            ));
        }
    }
    if let Some(d) = &case.damage {
        let path = dir.join(&d.file);
        let whole = std::fs::read(&path).unwrap();
        let mut kept: Vec<u8> = whole
            .split_inclusive(|&b| b == b'\n')
            .take(d.keep_lines)
            .flatten()
            .copied()
            .collect();
        kept.extend(std::iter::repeat_n(0u8, d.append_zeros));
        std::fs::write(&path, kept).unwrap();
    }
    if let Some(blocked) = &case.block_with_folder {
        let path = dir.join(blocked);
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir_all(path.join("in-the-way")).unwrap();
        std::fs::write(path.join("in-the-way/file"), "x").unwrap();
    }
    let snapshot = |paths: &[String]| {
        let mut files = BTreeMap::new();
        for p in paths {
            files_under(&dir, &dir.join(p), &mut files);
        }
        files
    };
    let unchanged_before = snapshot(&case.unchanged);
    let stdin = case
        .stdin
        .as_ref()
        .map(|f| std::fs::read(dir.join(f)).unwrap());
    let timeout = Duration::from_secs(case.timeout.unwrap_or(60));
    let r = run(&expand_all(&case.args), stdin, &env, timeout);
    let stdout = String::from_utf8_lossy(&r.stdout);
    let stderr = String::from_utf8_lossy(&r.stderr);
    let output = format!("{stdout}{stderr}");
    let excerpt = || {
        let mut e: String = output.chars().take(3_000).collect();
        if e.len() < output.len() {
            e.push_str("\n[...]");
        }
        e
    };
    let mut problems = Vec::new();
    if r.status != Some(case.exit) {
        problems.push(format!(
            "exit status {:?}, expected {}",
            r.status, case.exit
        ));
    }
    let max_output = case.max_output.unwrap_or(1_000_000);
    if r.stdout.len() + r.stderr.len() > max_output {
        problems.push(format!(
            "{} bytes of output, over {max_output}",
            r.stdout.len() + r.stderr.len()
        ));
    }
    let max_rss = case.max_rss_mib.unwrap_or(1024);
    if r.max_rss_kib > max_rss * 1024 {
        problems.push(format!(
            "peak memory {} MiB, over {max_rss} MiB",
            r.max_rss_kib / 1024
        ));
    }
    for code in &case.codes {
        if !output.contains(&format!("[{code}]")) && !output.contains(&format!("\"{code}\"")) {
            problems.push(format!("no {code}"));
        }
    }
    for text in &case.contains {
        if !output.contains(&expand(text, &dir, &base)) {
            problems.push(format!("no `{text}`"));
        }
    }
    for (file, texts) in &case.file_contains {
        let content = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        for text in texts {
            if !content.contains(text.as_str()) {
                problems.push(format!("no `{text}` in {file}"));
            }
        }
    }
    let mut places = vec![("the output".to_string(), output.clone())];
    let mut outputs = BTreeMap::new();
    files_under(&dir, &dir, &mut outputs);
    for (path, bytes) in outputs {
        if !written.contains(&dir.join(&path)) {
            places.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    let always = ["panicked".to_string(), "a bug in missive".to_string()];
    for text in case.absent.iter().chain(&always) {
        for (place, content) in &places {
            if content.contains(text.as_str()) {
                problems.push(format!("`{text}` in {place}"));
            }
        }
    }
    if snapshot(&case.unchanged) != unchanged_before {
        problems.push(format!("{:?} changed", case.unchanged));
    }
    if let (Some(n), Some(server)) = (case.requests, &server) {
        let seen = server.seen().len();
        if seen != n {
            problems.push(format!("{seen} requests, expected {n}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let figures = format!(
        "{name}: exit {:?}, {:.1} s, {} bytes out, peak {} MiB",
        r.status,
        r.elapsed.as_secs_f64(),
        r.stdout.len() + r.stderr.len(),
        r.max_rss_kib / 1024
    );
    if problems.is_empty() {
        Ok(figures)
    } else {
        Err(format!(
            "{figures} ({})\n  {}\n{}",
            case.about,
            problems.join("\n  "),
            excerpt()
        ))
    }
}

/// Every case of `tests/hostile/`, two at a time (the big ones take a few seconds each in a
/// debug build); all failures are reported together. `MISSIVE_HOSTILE=NAME` runs one.
#[test]
fn every_hostile_input_gets_its_diagnostic_and_exit_status_within_bounds() {
    let only = std::env::var("MISSIVE_HOSTILE").ok();
    let mut cases: Vec<(String, Case)> = std::fs::read_dir(repo(CASES))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            let case: Case =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, case)
        })
        .filter(|(name, _)| only.as_deref().is_none_or(|o| o == name))
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!cases.is_empty(), "no case in {CASES}");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((name, case)) = cases.get(i) else {
                    break;
                };
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_case(name, case)))
                        .unwrap_or_else(|p| {
                            Err(format!(
                                "{name}: {}",
                                p.downcast_ref::<String>()
                                    .map_or("panicked", String::as_str)
                            ))
                        });
                results.lock().unwrap().push(result);
            });
        }
    });
    let results = results.into_inner().unwrap();
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    for r in results.iter().flatten() {
        eprintln!("{r}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n{}",
        failures.len(),
        results.len(),
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}
