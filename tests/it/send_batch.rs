//! `send` reads its records through the batch core, like `render --data-ndjson`: the same
//! bodies, the same rejections with the same rejects lines, and memory that does not follow the
//! size of the input.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;

use crate::common::temp_dir;

/// The customer_id from `id`; the text from `name`, at most 40 characters, then from `note`,
/// checked only once rendered (320 characters in all).
const TEMPLATE: &str = r#"notification welcome
customer_id "w-{{ id }}"
input { id: string max 40, name: string max 40, note?: string }
text "Hello {{ name }}!{% if note %} {{ note }}{% endif %}"
"#;

fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The rejects file's lines, by record number.
fn rejects(path: &Path) -> std::collections::BTreeMap<u64, serde_json::Value> {
    lines(&std::fs::read_to_string(path).unwrap())
        .into_iter()
        .map(|l| (l["record"].as_u64().unwrap(), l))
        .collect()
}

#[test]
fn a_dry_run_and_render_emit_request_give_the_same_bodies_and_rejects() {
    let dir = temp_dir("send-batch");
    let template = dir.join("welcome.missive");
    std::fs::write(&template, TEMPLATE).unwrap();
    let long = "x".repeat(400);
    let mut input: Vec<u8> = Vec::new();
    for line in [
        "{\"id\": \"1\", \"name\": \"Ann\"}".to_string(),
        "{\"id\": \"2\", \"name\": \"Bob\"".to_string(), // not JSON
        "{\"id\": \"3\", \"name\": 7}".to_string(),      // a wrong type
        "{\"id\": \"4\", \"name\": \"Eve\", \"note\": \"1.50 \\u00e9\"}".to_string(),
        "{\"id\": \"1\", \"name\": \"Ann again\"}".to_string(), // the customer_id of record 1
        String::new(),                                          // blank: not a record
        format!("{{\"id\": \"7\", \"name\": \"Lu\", \"note\": \"{long}\"}}"), // over 320 once rendered
        "{\"id\": \"8\", \"name\": \"Zoé\"}\r".to_string(),
    ] {
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(b"{\"id\": \"9\", \"name\": \"\xff\"}\n"); // not UTF-8
    let data = dir.join("records.ndjson");
    std::fs::write(&data, &input).unwrap();
    let (send_rejects, render_rejects) = (dir.join("send.rejects"), dir.join("render.rejects"));

    let send = crate::send::missive()
        .arg("send")
        .arg(&template)
        .args(["--page-id", "42", "--dry-run", "--data-ndjson"])
        .arg(&data)
        .arg("--rejects")
        .arg(&send_rejects)
        .output()
        .unwrap();
    let send_err = String::from_utf8(send.stderr).unwrap();
    assert_eq!(send.status.code(), Some(1), "{send_err}");
    assert!(
        send_err
            .ends_with("dry run: read 8 records: 3 to send, 0 skipped (already sent), 5 rejected, 0 uncertain\n"),
        "{send_err}"
    );
    // Aligned: output line N is input line N (`null` for a rejected record or a blank line).
    let render = crate::common::missive()
        .arg("render")
        .arg(&template)
        .args([
            "--emit",
            "request",
            "--page-id",
            "42",
            "--aligned",
            "--data-ndjson",
        ])
        .arg(&data)
        .arg("--rejects")
        .arg(&render_rejects)
        .output()
        .unwrap();
    let render_err = String::from_utf8(render.stderr).unwrap();
    assert_eq!(render.status.code(), Some(0), "{render_err}");
    assert!(
        render_err.ends_with("read 8 records: rendered 4, rejected 4\n"),
        "{render_err}"
    );

    // The same requests: render's token placeholder is `{access_token}`, a dry run's `***`.
    let rendered = lines(&String::from_utf8(render.stdout).unwrap());
    assert_eq!(rendered.len(), 9);
    // A dry run's output: the request of each record it would send, the fate of the others.
    let out = lines(&String::from_utf8(send.stdout).unwrap());
    let fates: Vec<(u64, &str)> = out
        .iter()
        .map(|l| {
            let fate = l["result"].as_str().unwrap_or("request");
            (l["record"].as_u64().unwrap(), fate)
        })
        .collect();
    assert_eq!(
        fates,
        [
            (1, "request"),
            (2, "rejected"),
            (3, "rejected"),
            (4, "request"),
            (5, "rejected"),
            (7, "rejected"),
            (8, "request"),
            (9, "rejected")
        ]
    );
    let sent: Vec<&serde_json::Value> = out.iter().filter(|l| l.get("method").is_some()).collect();
    for line in sent.iter().copied() {
        let n = line["record"].as_u64().unwrap() as usize;
        let request = &rendered[n - 1];
        assert_eq!(line["method"], request["method"]);
        assert_eq!(line["body"], request["body"], "record {n}");
        assert_eq!(
            line["url"]
                .as_str()
                .unwrap()
                .replace("***", "{access_token}"),
            request["url"].as_str().unwrap(),
            "record {n}"
        );
    }
    assert_eq!(rendered[3]["body"]["text"], "Hello Eve! 1.50 é");
    // Record 5 renders (render has no customer_id policy); send refuses the repeated id.
    assert!(rendered[4].is_object());
    assert_eq!(
        rendered[4]["url"],
        sent[0]["url"]
            .as_str()
            .unwrap()
            .replace("***", "{access_token}")
    );

    // The same rejects, line for line, in the one format; send's has the repeated id too.
    let (send_rejects, render_rejects) = (rejects(&send_rejects), rejects(&render_rejects));
    assert_eq!(render_rejects.keys().collect::<Vec<_>>(), [&2, &3, &7, &9]);
    assert_eq!(
        send_rejects.keys().collect::<Vec<_>>(),
        [&2, &3, &5, &7, &9]
    );
    for (n, line) in &render_rejects {
        let mut from_send = send_rejects[n].clone();
        if *n == 7 {
            // Rejected once rendered: send names the customer_id it rendered; render does not
            // render one for a record it rejects.
            assert_eq!(from_send["customer_id"], "w-7");
            from_send["customer_id"] = serde_json::Value::Null;
        }
        assert_eq!(&from_send, line, "record {n}");
    }
    let codes = |l: &serde_json::Value| -> Vec<String> {
        l["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&render_rejects[&2]), ["M3001"]);
    assert_eq!(codes(&render_rejects[&3]), ["M3003"]);
    assert_eq!(codes(&render_rejects[&7]), ["M2001"]);
    assert_eq!(codes(&render_rejects[&9]), ["M0007"]);
    // Located in the data file, at the first invalid byte of its line.
    let not_utf8 = &render_rejects[&9]["diagnostics"][0];
    assert_eq!(
        (&not_utf8["line"], &not_utf8["column"]),
        (&9.into(), &22.into())
    );
    assert!(not_utf8["file"]
        .as_str()
        .unwrap()
        .ends_with("records.ndjson"));
    assert_eq!(
        render_rejects[&2]["text"],
        "{\"id\": \"2\", \"name\": \"Bob\""
    );
    // A line that was not UTF-8 is under `text`, its bad byte replaced: under `data`, a
    // rejects file fed back (`jq -c .data`) would render the replacement character.
    assert_eq!(render_rejects[&9]["data"], serde_json::Value::Null);
    assert_eq!(
        render_rejects[&9]["text"],
        "{\"id\": \"9\", \"name\": \"\u{fffd}\"}"
    );
    assert_eq!(render_rejects[&3]["diagnostics"][0]["line"], 3);
    assert_eq!(codes(&send_rejects[&5]), ["M5023"]);
    assert_eq!(send_rejects[&5]["outcome"], "rejected");
    assert_eq!(send_rejects[&5]["customer_id"], "w-1");
    assert_eq!(send_rejects[&5]["diagnostics"][0]["line"], 5);
    assert_eq!(
        send_rejects[&5]["data"],
        serde_json::json!({"id": "1", "name": "Ann again"})
    );

    // The same diagnostics on stderr, at the same places.
    for n in [2, 3, 7, 9] {
        let first = |stderr: &str| {
            stderr
                .lines()
                .skip_while(|l| !l.contains(&format!("record {n}: ")))
                .take(2)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(!first(&send_err).is_empty(), "record {n}: {send_err}");
        assert_eq!(first(&send_err), first(&render_err), "record {n}");
    }
}

/// Peak resident memory of a `send --dry-run` fed `records` generated records of about 1.3 KB
/// through standard input (the input never exists whole, in the test or on disk), and the
/// number of records it says it would send.
#[cfg(target_os = "linux")]
fn dry_run_peak(template: &Path, records: usize) -> (u64, usize, usize) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("missive"))
        .arg("send")
        .arg(template)
        .args(["--page-id", "42", "--dry-run", "--data-ndjson", "-"])
        .env_remove("MISSIVE_ACCESS_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let memo = "m".repeat(1000);
    let writer = std::thread::spawn(move || {
        let mut input = std::io::BufWriter::new(&mut stdin);
        for i in 0..records {
            let note = format!("{:0>250}", i);
            writeln!(
                input,
                "{{\"id\": \"{i}\", \"name\": \"n{}\", \"note\": \"{note}\", \"memo\": \"{memo}\"}}",
                i % 1000
            )
            .unwrap();
        }
    });
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut count = 0;
        for line in BufReader::new(stdout).lines() {
            line.unwrap();
            count += 1;
        }
        count
    });
    // The peak so far (VmHWM), read while the process runs; the last reading before it ends
    // is within a few chunks of the true peak.
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let proc_status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok();
        // Only once it runs missive: before its exec, the child may still share the test's
        // memory (vfork), whose peak is not missive's.
        if let Some(text) = proc_status.filter(|t| t.lines().any(|l| l == "Name:\tmissive")) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    writer.join().unwrap();
    let lines = reader.join().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    let to_send = stderr
        .lines()
        .find_map(|l| l.strip_prefix("dry run: "))
        .and_then(|l| l.split(": ").nth(1))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stderr}"));
    (peak, to_send, lines)
}

/// Eight times the records (about 50 MB more input) cost the dry run a small fraction of that:
/// records stream through, only the duplicate customer_id policy's 16-byte hashes stay.
#[cfg(target_os = "linux")]
#[test]
fn a_large_dry_run_holds_records_in_constant_memory() {
    let dir = temp_dir("send-memory");
    let template = dir.join("welcome.missive");
    std::fs::write(
        &template,
        "notification welcome\ncustomer_id \"w-{{ id }}\"\ninput { id: string max 40, name: string max 40, note: string max 300, memo: string }\ntext \"Hello {{ name }}! {{ note }}\"\nextra { \"metadata\": \"{{ memo | length }}\" }\n",
    )
    .unwrap();
    let (small, big) = (5_000, 40_000);
    let (small_peak, small_sent, small_lines) = dry_run_peak(&template, small);
    let (big_peak, big_sent, big_lines) = dry_run_peak(&template, big);
    assert_eq!((small_sent, small_lines), (small, small));
    assert_eq!((big_sent, big_lines), (big, big));
    assert!(small_peak > 0 && big_peak > 0, "the peaks were read");
    let input_growth_kb = ((big - small) * 1300 / 1024) as u64;
    let growth = big_peak.saturating_sub(small_peak);
    eprintln!(
        "send --dry-run peak RSS: {small} records {small_peak} kB, {big} records {big_peak} kB (input grew by {input_growth_kb} kB)"
    );
    assert!(
        growth < input_growth_kb / 4,
        "peak RSS grew by {growth} kB for {input_growth_kb} kB more input ({small_peak} -> {big_peak} kB)"
    );
}

/// Records that cannot be read: a folder is refused before anything is sent (as when the whole
/// input was read first); an input that fails midway ends the send with an I/O error (exit 2),
/// the records before it reported.
#[test]
fn an_unreadable_input_is_an_io_failure() {
    let dir = temp_dir("send-batch");
    let template = dir.join("welcome.missive");
    std::fs::write(&template, TEMPLATE).unwrap();
    let send = |data: &Path| {
        let out = crate::send::missive()
            .arg("send")
            .arg(&template)
            .args(["--page-id", "42", "--dry-run", "--data-ndjson"])
            .arg(data)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, stdout, stderr) = send(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("it is a folder"), "{stderr}");
    assert!(!stderr.contains("dry run:"), "{stderr}");
    // Reading a process's own memory at offset 0 fails (EIO) once the file is open.
    #[cfg(target_os = "linux")]
    {
        let (code, _, stderr) = send(Path::new("/proc/self/mem"));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains("error[M9001]: the send stopped: cannot read `/proc/self/mem`"),
            "{stderr}"
        );
        assert!(
            stderr.ends_with(
                "dry run: read 0 records: 0 to send, 0 skipped (already sent), 0 rejected, 0 uncertain\n"
            ),
            "{stderr}"
        );
    }
}

/// A send stopped early (here by a refused token) counts every record it did not reach, those
/// still in the input as well as those the core had already read ahead: the counts add up.
#[test]
fn a_stopped_send_counts_the_records_left_in_the_input() {
    let dir = temp_dir("send-batch");
    let template = dir.join("welcome.missive");
    std::fs::write(&template, TEMPLATE).unwrap();
    let records: String = (0..3000)
        .map(|i| format!("{{\"id\": \"{i}\", \"name\": \"n{i}\"}}\n"))
        .collect();
    let data = dir.join("records.ndjson");
    std::fs::write(&data, records).unwrap();
    let server = crate::common::http::Server::start(|_, _| {
        crate::common::http::Reply::Http(
            401,
            &[],
            br#"{"meta":{"status":"error","message":"Invalid access token"}}"#.to_vec(),
        )
    });
    let out = crate::send::missive()
        .env("MISSIVE_ACCESS_TOKEN", "a-token-long-enough-0123")
        .arg("send")
        .arg(&template)
        .args([
            "--page-id",
            "42",
            "--api-url",
            &server.base,
            "--data-ndjson",
        ])
        .arg(&data)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(server.seen().len(), 1);
    assert!(
        stderr.ends_with("interrupted: read 3000 records: sent 0, skipped 0 (already sent), rejected 0, failed 1, uncertain 0, not attempted 2999 (run the same command again to go on)\n"),
        "{stderr}"
    );
}
