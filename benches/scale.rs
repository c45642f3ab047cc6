//! Cost against input size (issue 15): `missive check` of a payload, `missive import` of the same
//! payload, `missive check` of a template with a data file, `missive import` of a payload with
//! many fields missive does not model (at 100x its template is over the default source size
//! limit: written all the same, with a warning), and `check` of a template with many errors
//! (the human report), each on inputs of 1x,
//! 10x and 100x a base size, with the time and peak memory of the process and their ratios to
//! the 1x run. Linear cost shows as ratios near 10 and 100; peak memory is also given as a
//! multiple of the input's size. Figures are printed, nothing is asserted on time (a shared
//! machine is noisy).
//!
//!     cargo bench --bench scale                          # 1 MB .. 100 MB payloads
//!     MISSIVE_BENCH_SHORT=1 cargo bench --bench scale    # CI: 100 KB .. 10 MB, a few seconds
//!
//! Each command runs in a process of its own, spawned by a small process (this bench run with
//! `--peak-of`) that reports the child's peak memory: Linux counts in a child's peak the
//! memory of the process it was spawned from, so that one must be small.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// `--peak-of COMMAND...`: runs it, prints `SECONDS PEAK_KIB EXIT`.
fn peak_of(command: &[String]) {
    let start = Instant::now();
    let status = Command::new(&command[0])
        .args(&command[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let seconds = start.elapsed().as_secs_f64();
    // SAFETY: getrusage writes the struct it is given and nothing else.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut u);
        u
    };
    println!(
        "{seconds} {} {}",
        usage.ru_maxrss,
        status.code().unwrap_or(-1)
    );
}

/// One measured run: seconds, peak memory in KiB.
fn measure(args: &[&str], expected_exit: i32) -> (f64, f64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .arg("--peak-of")
        .arg(env!("CARGO_BIN_EXE_missive"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(fields.len(), 3, "missive {args:?}: {text}");
    let exit: i32 = fields[2].parse().unwrap();
    assert_eq!(exit, expected_exit, "missive {}", args.join(" "));
    (fields[0].parse().unwrap(), fields[1].parse().unwrap())
}

/// A carousel payload of about `bytes` bytes: its elements are over Messenger's 10, so
/// `check` reports one error (the 11th element) after reading all of it.
fn payload(bytes: usize) -> String {
    let mut out = String::from(
        r#"{"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": ["#,
    );
    let mut i = 0;
    while out.len() < bytes {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!(
            r#"{{"title": "Classic T-Shirt number {i}", "subtitle": "Soft cotton, back in style", "image_url": "https://shop.example/img/{i}.png", "buttons": [{{"type": "web_url", "url": "https://shop.example/view?item={i}", "title": "View"}}]}}"#
        ));
        i += 1;
    }
    out.push_str("]}}}\n");
    out
}

/// A data file of about `bytes` bytes for [`LIST_TEMPLATE`]: a list of products.
fn data(bytes: usize) -> String {
    let mut out = String::from(r#"{"items": ["#);
    let mut i = 0;
    while out.len() < bytes {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!(
            r#"{{"title": "Classic T-Shirt number {i}", "subtitle": "Soft cotton, back in style", "url": "https://shop.example/img/{i}.png", "buttons": [{{"type": "web_url", "url": "https://shop.example/view?item={i}", "title": "View"}}]}}"#
        ));
        i += 1;
    }
    out.push_str("]}\n");
    out
}

/// A template whose input takes [`data`]'s list: `check --data` reads and checks all of it.
const LIST_TEMPLATE: &str = "notification list\n\ninput {\n  items: list of { title: string, subtitle: string, url: url, buttons: list of { type: string, url: url, title: string } }\n}\n\ntext \"Hello\"\n";

/// A text payload with `keys` fields missive does not model (`import` keeps them in `extra`).
fn wide(keys: usize) -> String {
    let mut out = String::from(r#"{"text": "hello""#);
    for i in 0..keys {
        out.push_str(&format!(r#", "custom_field_{i}": {i}"#));
    }
    out.push_str("}\n");
    out
}

/// A template with `errors` unknown fields in one element: that many errors for the human
/// report (which shows 100 and counts the rest).
fn errors(errors: usize) -> String {
    let mut out = String::from("notification many\ncarousel {\n  element {\n    title: \"t\"\n");
    for i in 0..errors {
        out.push_str(&format!("    unknown_field_{i}: \"x\"\n"));
    }
    out.push_str("  }\n}\n");
    out
}

struct Row {
    what: String,
    input: usize,
    seconds: f64,
    peak_kib: f64,
}

fn print_rows(title: &str, rows: &[Row]) {
    println!("{title}");
    let first = &rows[0];
    for r in rows {
        println!(
            "  {:<18} {:>9.1} KB  {:>8.3} s ({:>5.1}x)  peak {:>8.1} MiB ({:>5.1}x, {:>5.1}x the input)",
            r.what,
            r.input as f64 / 1e3,
            r.seconds,
            r.seconds / first.seconds,
            r.peak_kib / 1024.0,
            r.peak_kib / first.peak_kib,
            r.peak_kib * 1024.0 / r.input as f64,
        );
    }
}

/// One table: at each scale `k` (1x, 10x, 100x), the input `input(k)` (its label and text)
/// written to `name` in `dir` and the command `args(path)` measured, expecting `exit`.
fn table(
    title: &str,
    dir: &Path,
    name: &str,
    input: &dyn Fn(usize) -> (String, String),
    args: &dyn Fn(&str) -> Vec<String>,
    exit: i32,
) {
    let rows: Vec<Row> = [1, 10, 100]
        .into_iter()
        .map(|k| {
            let (what, text) = input(k);
            let path = write(dir, name, &text);
            let args = args(&path.to_string_lossy());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (seconds, peak_kib) = measure(&args, exit);
            Row {
                what,
                input: text.len(),
                seconds,
                peak_kib,
            }
        })
        .collect();
    print_rows(title, &rows);
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--peak-of") {
        return peak_of(&args[i + 1..]);
    }
    // `cargo bench` passes `--bench`; any other argument is a filter no one asked for here.
    let short = std::env::var_os("MISSIVE_BENCH_SHORT").is_some_and(|v| !v.is_empty());
    let (base_bytes, base_keys, base_errors) = if short {
        (100_000, 1_000, 400)
    } else {
        (1_000_000, 10_000, 4_000)
    };
    let dir = std::env::temp_dir().join(format!("missive-bench-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let template = write(&dir, "list.missive", LIST_TEMPLATE);
    let template = template.to_string_lossy().into_owned();
    let times = |k: usize| format!("{k}x");
    table(
        "missive check PAYLOAD.json (a carousel payload; one error, found after reading it all):",
        &dir,
        "payload.json",
        &|k| (times(k), payload(base_bytes * k)),
        &|path| vec!["check".into(), path.into()],
        1,
    );
    table(
        "missive import PAYLOAD.json (the same carousels; the template is written, the error reported):",
        &dir,
        "payload.json",
        &|k| (times(k), payload(base_bytes * k)),
        &|path| vec!["import".into(), path.into(), "-o".into(), out("payload.missive")],
        1,
    );
    table(
        "missive check TEMPLATE --data DATA.json (a list of products, checked against `input`):",
        &dir,
        "list.json",
        &|k| (times(k), data(base_bytes * k)),
        &|path| {
            vec![
                "check".into(),
                template.clone(),
                "--data".into(),
                path.into(),
            ]
        },
        0,
    );
    table(
        "missive import PAYLOAD.json (fields missive does not model, kept in `extra`):",
        &dir,
        "wide.json",
        &|k| {
            (
                format!("{k}x ({} keys)", base_keys * k),
                wide(base_keys * k),
            )
        },
        &|path| {
            vec![
                "import".into(),
                path.into(),
                "-o".into(),
                out("wide.missive"),
            ]
        },
        0,
    );
    table(
        "missive check TEMPLATE, the human report (100 shown, the rest counted):",
        &dir,
        "many.missive",
        &|k| {
            (
                format!("{k}x ({} errors)", base_errors * k),
                errors(base_errors * k),
            )
        },
        &|path| vec!["check".into(), path.into()],
        1,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
