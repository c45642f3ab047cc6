//! `missive render --data-ndjson`: many records, one line each, in input order; rejected
//! records reported with their number, counted, and written to `--rejects`.

use std::path::PathBuf;

use crate::common::snapshots::assert_snapshot;
use crate::common::{missive, temp_dir};

/// A template whose name matches its file (no warning of its own), in a folder of its own.
fn hello(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("hello.missive");
    std::fs::write(
        &path,
        "notification hello\ninput { name: string max 10 }\ntext \"Hello {{ name }}!\"\n",
    )
    .unwrap();
    path
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn render(template: &std::path::Path, data: &std::path::Path, args: &[&str]) -> Run {
    let out = missive()
        .arg("render")
        .arg(template)
        .arg("--data-ndjson")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `n` records named `p1`, `p2`, ..., with bad ones at the lines `bad` gives (a wrong type,
/// broken JSON, a name too long, in turn), and a blank line after line 10.
fn records(n: usize, bad: &[usize]) -> String {
    let mut text = String::new();
    for i in 1..=n {
        match bad.iter().position(|&b| b == i) {
            Some(k) if k % 3 == 0 => text.push_str("{\"name\": 7}\n"),
            Some(k) if k % 3 == 1 => text.push_str("{\"name\": \"p\n"),
            Some(_) => text.push_str("{\"name\": \"far too long a name\"}\n"),
            None => text.push_str(&format!("{{\"name\": \"p{i}\"}}\n")),
        }
        if i == 10 {
            text.push('\n');
        }
    }
    text
}

#[test]
fn bad_records_in_the_middle_do_not_stop_the_batch_and_the_counts_add_up() {
    let dir = temp_dir("batch");
    let template = hello(&dir);
    let data = dir.join("records.ndjson");
    // Line numbers: the blank line after line 10 is line 11, so record i > 10 is on line i + 1.
    let bad = [3, 500, 998];
    std::fs::write(&data, records(1000, &bad)).unwrap();
    let rejects = dir.join("rejects.ndjson");
    let r = render(
        &template,
        &data,
        &["--rejects", rejects.to_str().unwrap(), "--jobs", "2"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Every good record, in input order, and nothing else.
    let expected: Vec<String> = (1..=1000)
        .filter(|i| !bad.contains(i))
        .map(|i| format!("{{\"text\":\"Hello p{i}!\"}}"))
        .collect();
    assert_eq!(r.stdout.lines().collect::<Vec<_>>(), expected);
    // Each bad one named by its line, with its reason.
    for (line, what) in [
        (3, "`name` should be a string"),
        (501, "invalid JSON"),
        (999, "`name` is 19 characters long"),
    ] {
        assert!(
            r.stderr.contains(&format!("record {line}: {what}")),
            "record {line}: {}",
            r.stderr
        );
    }
    assert!(
        r.stderr
            .ends_with("read 1000 records: rendered 997, rejected 3\n"),
        "{}",
        r.stderr
    );
    // The rejects file: the record as written, its number and reasons (send's format).
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let numbers: Vec<u64> = lines
        .iter()
        .map(|l| l["record"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 501, 999]);
    assert_eq!(lines[0]["data"], serde_json::json!({"name": 7}));
    // The same format as send's rejects file: a record never rendered is `rejected`.
    assert!(lines.iter().all(|l| l["outcome"] == "rejected"));
    // A record that is not JSON is kept as text under `text`: `data` is always a record.
    assert_eq!(lines[1]["text"], "{\"name\": \"p");
    for (i, l) in lines.iter().enumerate() {
        let keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        let record = if i == 1 { "text" } else { "data" };
        assert_eq!(
            keys,
            [
                "answer",
                "customer_id",
                "data",
                "diagnostics",
                "outcome",
                "reason",
                "record",
                "status",
                "text"
            ]
            .into_iter()
            .filter(|k| *k != "data" && *k != "text" || *k == record)
            .collect::<Vec<_>>()
        );
        assert_eq!(l["diagnostics"][0]["severity"], "error");
        assert!(l["reason"].as_str().unwrap().starts_with("record "));
    }
}

#[test]
fn rejected_records_human() {
    let dir = temp_dir("batch");
    let template = hello(&dir);
    let data = dir.join("records.ndjson");
    std::fs::write(&data, records(5, &[2, 4])).unwrap();
    let r = render(&template, &data, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "{\"text\":\"Hello p1!\"}\n{\"text\":\"Hello p3!\"}\n{\"text\":\"Hello p5!\"}\n"
    );
    assert_snapshot!(
        "rejected_records_human",
        r.stderr.replace(&*dir.to_string_lossy(), "TMP")
    );
}

#[test]
fn more_jobs_write_the_same_output_in_the_same_order() {
    let dir = temp_dir("batch");
    // The bundled carousel, 3,000 records of one to ten products.
    let example: serde_json::Value =
        serde_json::from_str(&crate::common::read("examples/carousel.json")).unwrap();
    let product = example["products"][0].clone();
    let mut text = String::new();
    for i in 0..3000 {
        let products: Vec<serde_json::Value> = (0..1 + i % 10)
            .map(|k| {
                let mut p = product.clone();
                p["id"] = format!("{i}-{k}").into();
                p
            })
            .collect();
        let mut record = example.clone();
        record["greeting"] = format!("hello {i}").into();
        record["products"] = products.into();
        text.push_str(&record.to_string());
        text.push('\n');
    }
    let data = dir.join("carousel.ndjson");
    std::fs::write(&data, &text).unwrap();
    let template = crate::common::repo("templates/carousel.missive");
    let one = render(&template, &data, &["--jobs", "1"]);
    let two = render(&template, &data, &["--jobs", "2"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(two.code, 0, "{}", two.stderr);
    assert_eq!(one.stdout.lines().count(), 3000);
    assert!(one.stdout == two.stdout, "--jobs 2 differs from --jobs 1");
    // A line is what `render --data` gives for the record alone.
    let first = dir.join("first.json");
    std::fs::write(&first, text.lines().nth(7).unwrap()).unwrap();
    let alone = missive()
        .arg("render")
        .arg(&template)
        .arg("--data")
        .arg(&first)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(alone.stdout).unwrap(),
        format!("{}\n", one.stdout.lines().nth(7).unwrap())
    );
    // The guide's plain-http images warn on every record: shown for three records, counted
    // (here on every product: once on record 1, twice on record 2, three times on record 3).
    let shown: Vec<&str> = one
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning[M4007]: record "))
        .map(|l| &l[..l.find(':').unwrap()])
        .collect();
    assert_eq!(shown, ["1", "2", "2", "3", "3", "3"], "{}", one.stderr);
    assert!(one
        .stderr
        .contains("warning[M4007] on 3000 records in all: the first 3 shown above"));
    assert!(one
        .stderr
        .ends_with("read 3000 records: rendered 3000, rejected 0\n"));
}

#[test]
fn aligned_output_has_a_line_per_input_line_and_exits_0() {
    let dir = temp_dir("batch");
    let template = hello(&dir);
    let data = dir.join("records.ndjson");
    // Records 2 and 11 (on line 12) bad, line 11 blank, and two blank lines at the end (one of
    // spaces, one with a CRLF).
    let input = format!("{}   \n\r\n", records(12, &[2, 11]));
    std::fs::write(&data, &input).unwrap();
    let r = render(&template, &data, &["--aligned", "--format", "short"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // `paste input output`: output line N belongs to input line N.
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), input.lines().count(), "{}", r.stdout);
    assert_eq!(lines.len(), 15);
    for (n, (line, record)) in (1..).zip(lines.iter().zip(input.lines())) {
        if record.trim().is_empty() || n == 2 || n == 12 {
            assert_eq!(*line, "null", "line {n}");
        } else {
            let name = serde_json::from_str::<serde_json::Value>(record).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(*line, format!("{{\"text\":\"Hello {name}!\"}}"), "line {n}");
        }
    }
    // Rejects are still reported, one line each, by record (line) number.
    let errors: Vec<&str> = r.stderr.lines().filter(|l| l.contains("error[")).collect();
    assert_eq!(errors.len(), 2, "{}", r.stderr);
    assert!(errors[0].contains("record 2: ") && errors[1].contains("record 12: "));
    // Blank lines are not records: the counts are unchanged.
    assert!(r
        .stderr
        .ends_with("read 12 records: rendered 10, rejected 2\n"));
    // The library's `render_ndjson` aligns the same way.
    let src = std::fs::read_to_string(&template).unwrap();
    let compiled = missive::compile(&src, &missive::Options::default())
        .template
        .unwrap();
    let mut out = Vec::new();
    let options = missive::batch::Options {
        aligned: true,
        ..Default::default()
    };
    let summary = compiled
        .render_ndjson(input.as_bytes(), &mut out, &options)
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), r.stdout);
    assert_eq!(summary.lines, 15);
}

/// A record's diagnostics are located in the NDJSON file: its path, the record's line, the
/// column in that line; in every format, in the rejects file, and for standard input.
#[test]
fn record_diagnostics_point_at_the_line_of_the_ndjson_file() {
    let dir = temp_dir("batch");
    let template = hello(&dir);
    let data = dir.join("bis.ndjson");
    std::fs::write(
        &data,
        "{\"name\": \"a\"}\n\n{\"name\": \"b\", \"extra\": 1, \"more\": [1, 2, 3, 4, 5], \"name\": 7}\n{\"name\": \"c\",}\n",
    )
    .unwrap();
    let path = data.to_string_lossy().into_owned();
    // Short: `path:line:column`, the line the file's own.
    let r = render(&template, &data, &["--format", "short"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let errors: Vec<&str> = r.stderr.lines().filter(|l| l.contains("error[")).collect();
    assert_eq!(errors.len(), 2, "{}", r.stderr);
    assert!(
        errors[0].starts_with(&format!("{path}:3:")) && errors[0].contains("record 3: "),
        "{}",
        r.stderr
    );
    assert!(
        errors[1].starts_with(&format!("{path}:4:13: error[M3001]: record 4: ")),
        "{}",
        r.stderr
    );
    // JSON, with the rejects file: the same place, and a help that speaks of lines.
    let rejects = dir.join("rejects.ndjson");
    let r = render(
        &template,
        &data,
        &["--format", "json", "--rejects", rejects.to_str().unwrap()],
    );
    let docs: Vec<serde_json::Value> = r
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rejected: Vec<serde_json::Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for diagnostics in [&docs[0]["diagnostics"], &rejected[0]["diagnostics"]] {
        let d = &diagnostics[0];
        assert_eq!(d["file"], path.as_str(), "{d}");
        assert_eq!(
            (d["line"].as_u64(), d["end_line"].as_u64()),
            (Some(3), Some(3))
        );
    }
    for diagnostics in [&docs[1]["diagnostics"], &rejected[1]["diagnostics"]] {
        let d = &diagnostics[0];
        assert_eq!(d["file"], path.as_str(), "{d}");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(4), Some(13))
        );
        assert_eq!(d["code"], "M3001");
        assert!(
            d["help"]
                .as_str()
                .unwrap()
                .starts_with("each line must be one JSON value"),
            "{d}"
        );
    }
    // SARIF: the same region.
    let r = render(&template, &data, &["--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let regions: Vec<(String, u64, u64)> = results
        .iter()
        .filter(|res| res["level"] == "error")
        .map(|res| {
            let loc = &res["locations"][0]["physicalLocation"];
            (
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
                loc["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(regions.len(), 2, "{log}");
    assert!(regions.iter().all(|r| r.0.ends_with("bis.ndjson")), "{log}");
    assert_eq!((regions[1].1, regions[1].2), (4, 13), "{log}");
    assert_eq!(regions[0].1, 3, "{log}");
    // Human: the record's line as its snippet, numbered as in the file.
    let r = render(&template, &data, &[]);
    assert!(
        r.stderr
            .contains(&format!("[{path}:4:13]\n 4 │ {{\"name\": \"c\",}}\n")),
        "{}",
        r.stderr
    );
    // Standard input: `<stdin>`, the same lines.
    let out = missive()
        .arg("render")
        .arg(&template)
        .args(["--data-ndjson", "-", "--format", "short"])
        .write_stdin(std::fs::read(&data).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("<stdin>:4:13: error[M3001]: record 4: "),
        "{stderr}"
    );
}

#[test]
fn max_rejects_stops_at_the_nth_rejected_record() {
    let dir = temp_dir("batch");
    let template = hello(&dir);
    let data = dir.join("records.ndjson");
    std::fs::write(&data, records(5000, &[20, 40, 60, 4000])).unwrap();
    let r = render(
        &template,
        &data,
        &["--max-rejects", "2", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Records 1 to 39 but 20; the blank line after line 10 puts record 20 on line 21.
    assert_eq!(r.stdout.lines().count(), 38);
    assert_eq!(r.stdout.lines().last(), Some("{\"text\":\"Hello p39!\"}"));
    let docs: Vec<serde_json::Value> = r
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 3, "{}", r.stderr);
    assert_eq!(docs[0]["record"], 21);
    assert_eq!(docs[1]["record"], 41);
    assert_eq!(
        docs[2]["summary"],
        serde_json::json!({"read": 40, "rendered": 38, "rejected": 2, "stopped_at": 41, "warnings": {}})
    );
}

#[test]
fn emit_request_renders_each_records_request_from_standard_input() {
    let out = missive()
        .args([
            "render",
            "templates/back_in_stock.missive",
            "--data-ndjson",
            "-",
            "--emit",
            "request",
            "--page-id",
            "42",
        ])
        .write_stdin(format!(
            "{}\n{}\n",
            crate::common::read("examples/back_in_stock.json").replace('\n', " "),
            crate::common::read("examples/back_in_stock.json").replace('\n', " ")
        ))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(lines[0], lines[1]);
    assert_eq!(lines[0]["method"], "POST");
    assert!(lines[0]["url"].as_str().unwrap().contains("42"));
}

#[test]
fn a_limit_broken_once_rendered_rejects_only_that_record() {
    let dir = temp_dir("batch");
    let template = dir.join("note.missive");
    // No `max`: the data check lets any length through; the rendered text is checked.
    std::fs::write(
        &template,
        "notification note\ninput { note: string }\ntext note\n",
    )
    .unwrap();
    let data = dir.join("records.ndjson");
    let long = "x".repeat(400);
    std::fs::write(
        &data,
        format!("{{\"note\": \"a\"}}\n{{\"note\": \"{long}\"}}\n{{\"note\": \"b\"}}\n"),
    )
    .unwrap();
    let rejects = dir.join("rejects.ndjson");
    let r = render(&template, &data, &["--rejects", rejects.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
    assert!(
        r.stderr
            .contains("error[M2001]: record 2: rendered `text` is 400 characters long"),
        "{}",
        r.stderr
    );
    assert!(r
        .stderr
        .ends_with("read 3 records: rendered 2, rejected 1\n"));
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&rejects).unwrap().trim()).unwrap();
    assert_eq!(line["record"], 2);
    assert_eq!(line["data"]["note"], long.as_str());
}

/// The batch flags with `--data` (one record) did nothing, silently: they are refused, and so
/// is one `--customer-id` for every record of a batch.
#[test]
fn batch_flags_with_one_record_and_one_customer_id_for_a_batch_are_refused() {
    // expect: M9002
    let dir = temp_dir("batch-flags");
    let t = hello(&dir);
    let one = dir.join("one.json");
    std::fs::write(&one, r#"{"name": "Ann"}"#).unwrap();
    for flag in [
        &["--rejects", "x.ndjson"][..],
        &["--aligned"],
        &["--jobs", "2"],
        &["--max-rejects", "1"],
    ] {
        let out = missive()
            .current_dir(&dir)
            .arg("render")
            .arg(&t)
            .arg("--data")
            .arg(&one)
            .args(flag)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "error[M9002]: the argument '--data <FILE>' cannot be used with '{}",
                flag[0]
            )),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
    assert!(!dir.join("x.ndjson").exists());
    let r = render(
        &t,
        &one,
        &[
            "--emit",
            "request",
            "--page-id",
            "1",
            "--customer-id",
            "same",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cannot be used with '--customer-id <ID>'"),
        "{}",
        r.stderr
    );
}

/// The shapes a newcomer gives the wrong flag get a help that names the right one: NDJSON to
/// `--data`, a pretty-printed array to `--data-ndjson`, a one-line array to `--data`, and the
/// template and the data swapped.
#[test]
fn data_in_the_wrong_shape_or_the_wrong_place_is_told_the_right_flag() {
    // expect: M3001
    let dir = temp_dir("batch-shapes");
    let t = hello(&dir);
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let ndjson = file("two.ndjson", "{\"name\": \"A\"}\n{\"name\": \"B\"}\n");
    let pretty = file(
        "pretty.json",
        "[\n  {\"name\": \"A\"},\n  {\"name\": \"B\"}\n]\n",
    );
    let array = file("array.json", "[{\"name\": \"A\"}]");
    let one = |args: &[&std::ffi::OsStr]| {
        let out = missive().arg("render").args(args).output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = one(&[t.as_os_str(), "--data".as_ref(), ndjson.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("help: the data file must be one JSON value; a file with one record per line (NDJSON) is given with `--data-ndjson`"),
        "{stderr}"
    );
    let r = render(&t, &pretty, &[]);
    assert!(
        r.stderr.contains("note: this line opens a JSON array written over several lines: give its records one per line, e.g. `jq -c '.[]' FILE > records.ndjson`"),
        "{}",
        r.stderr
    );
    let (code, stderr) = one(&[t.as_os_str(), "--data".as_ref(), array.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("help: give the template's inputs as one JSON object: `{\"name\": ...}`; if the list holds many records, give them one per line with `--data-ndjson`"),
        "{stderr}"
    );
    // A one-line array given as NDJSON: its line is the list, whose items are the records.
    let r = render(&t, &array, &[]);
    assert!(
        r.stderr.contains("help: this line is a list: give its records one a line, e.g. `jq -c '.[]' FILE > records.ndjson`"),
        "{}",
        r.stderr
    );
    let (code, stderr) = one(&[ndjson.as_os_str(), "--data-ndjson".as_ref(), t.as_os_str()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error[M9002]: the template and the data look swapped"),
        "{stderr}"
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        2,
        "one error, not one per line: {stderr}"
    );
}
