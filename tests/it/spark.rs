//! The Spark recipe of docs/spark.md: `examples/spark/render_pipe.py` runs `missive render
//! --data-ndjson - --aligned` as an `rdd.pipe` stage in PySpark local mode, and every line it
//! produces is compared with single-process rendering of the same records. Needs the PySpark
//! venv that `.ci/spark-venv` makes (`MISSIVE_SPARK_VENV`, or its default place) and Java 17;
//! without them the test is skipped (fails under MISSIVE_REQUIRE_ALL=1).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, value::RawValue, Value};

use crate::common::{repo, temp_dir, tools};

const RECORDS: usize = 3000;

/// The PySpark venv's python: `MISSIVE_SPARK_VENV`, else where `.ci/spark-venv` puts it.
fn spark_python() -> Option<PathBuf> {
    let venv = match std::env::var_os("MISSIVE_SPARK_VENV") {
        Some(v) => PathBuf::from(v),
        None => {
            let base = std::env::var_os("MISSIVE_CI_DIR")
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/missive-ci"))
                })?;
            base.join("spark-venv")
        }
    };
    let python = venv.join("bin/python");
    python.is_file().then_some(python)
}

/// Record `i`: a back-in-stock alert, its key `s00042` first in `session_id`; one record in
/// about forty is bad in one of four ways that a typed DataFrame can hold.
fn record(i: usize) -> (Value, bool) {
    const NAMES: &[&str] = &[
        "Wooden Kitchen Set",
        "Crème brûlée torch",
        "Copper Saucepan 24 cm",
        "Linen apron — natural",
        "Ŵíde Ŵok",
    ];
    let mut r = json!({
        "session_id": format!("s{i:05}"),
        "product": {
            "sku": format!("SKU{i}"),
            "name": format!("{} #{i}", NAMES[i % NAMES.len()]),
            "price_label": format!("{},{:02} €", 10 + i % 90, i % 100),
            "url": format!("https://example.com/p/{i}"),
            "image": format!("https://example.com/i/{i}.jpg"),
        }
    });
    if !i.is_multiple_of(3) {
        r["first_name"] = json!(["Lisa", "Karim", "Chloé"][i % 3]);
    }
    let bad = i % 41 == 7;
    if bad {
        match (i / 41) % 4 {
            0 => r["product"]["url"] = json!("not a url"),
            1 => r["product"]["name"] = json!("x".repeat(61)),
            2 => {
                r["product"].as_object_mut().unwrap().remove("sku");
            }
            _ => r["session_id"] = json!(format!("s{i:05}-{}", "y".repeat(24))),
        }
    }
    (r, bad)
}

fn key(record: &Value) -> String {
    record["session_id"].as_str().unwrap()[..6].to_string()
}

/// The lines of every `part-*` file in a Spark output folder.
fn part_lines(dir: &Path) -> Vec<String> {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("part-")
        })
        .collect();
    parts.sort();
    parts
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct Rendered<'a> {
    #[serde(borrow)]
    record: &'a RawValue,
    #[serde(borrow)]
    body: &'a RawValue,
}

#[test]
fn a_spark_pipe_stage_renders_every_record_as_one_process_does_and_keeps_every_reject() {
    let Some(python) = spark_python() else {
        tools::skip("no PySpark venv (run `.ci/spark-venv`, or set MISSIVE_SPARK_VENV)");
        return;
    };
    if tools::require("java", "PySpark runs on Java 17").is_none() {
        return;
    }
    let dir = temp_dir("spark");
    let template = repo("templates/back_in_stock.missive");
    let missive = env!("CARGO_BIN_EXE_missive");

    let mut input = String::new();
    let mut bad_keys = Vec::new();
    for i in 0..RECORDS {
        let (r, bad) = record(i);
        if bad {
            bad_keys.push(key(&r));
        }
        input.push_str(&r.to_string());
        input.push('\n');
    }
    let input_path = dir.join("records.ndjson");
    std::fs::write(&input_path, &input).unwrap();

    // Single process: the same binary over the same records, aligned by line.
    let single = Command::new(missive)
        .args(["render", "--format", "short", "--aligned", "--data-ndjson"])
        .arg(&input_path)
        .arg(&template)
        .output()
        .unwrap();
    assert_eq!(single.status.code(), Some(0), "{single:?}");
    let single = String::from_utf8(single.stdout).unwrap();
    let expected: BTreeMap<String, &str> = single
        .lines()
        .enumerate()
        .map(|(i, line)| (key(&record(i).0), line))
        .collect();
    assert_eq!(expected.len(), RECORDS);
    let nulls: Vec<&String> = expected
        .iter()
        .filter(|(_, l)| **l == "null")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        nulls,
        bad_keys.iter().collect::<Vec<_>>(),
        "the bad records are the rejected ones"
    );

    let out = dir.join("out");
    let run = Command::new(&python)
        .arg(repo("examples/spark/render_pipe.py"))
        .arg("--missive")
        .arg(missive)
        .arg("--template")
        .arg(&template)
        .arg("--input")
        .arg(&input_path)
        .args([
            "--schema",
            "session_id STRING, first_name STRING, product STRUCT<sku: STRING, name: STRING, price_label: STRING, url: STRING, image: STRING>",
            "--partitions",
            "4",
            "--master",
            "local[2]",
        ])
        .arg("--output")
        .arg(&out)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .env("PYSPARK_PYTHON", &python)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}\n{stderr}",
        String::from_utf8_lossy(&run.stdout)
    );
    let summary: Value = serde_json::from_str(
        String::from_utf8_lossy(&run.stdout)
            .lines()
            .last()
            .unwrap_or(""),
    )
    .unwrap_or_else(|e| panic!("{e}: {run:?}"));
    assert_eq!(
        summary,
        json!({"read": RECORDS, "rendered": RECORDS - bad_keys.len(), "rejected": bad_keys.len()})
    );
    // Each reject was reported by the stage's missive, with its reason.
    assert!(
        stderr.matches("error[M").count() >= bad_keys.len(),
        "{stderr}"
    );

    let mut seen = BTreeMap::new();
    for line in part_lines(&out.join("rendered")) {
        let r: Rendered = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let record: Value = serde_json::from_str(r.record.get()).unwrap();
        let k = key(&record);
        assert_eq!(
            r.body.get(),
            expected[&k],
            "{k}: Spark's body differs from one process's"
        );
        assert!(seen.insert(k.clone(), "rendered").is_none(), "{k} twice");
    }
    for line in part_lines(&out.join("rejected")) {
        let record: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let k = key(&record);
        assert_eq!(expected[&k], "null", "{k}: rejected by Spark's stage only");
        assert!(seen.insert(k.clone(), "rejected").is_none(), "{k} twice");
    }
    // Nothing vanished: every record came out once, rendered or rejected.
    assert_eq!(seen.len(), RECORDS);
    let rejected: Vec<&String> = seen
        .iter()
        .filter(|(_, v)| **v == "rejected")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(rejected, bad_keys.iter().collect::<Vec<_>>());
}
