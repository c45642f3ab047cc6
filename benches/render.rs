//! Render throughput, measured against a baseline in the same run (never as a timed test).
//!
//! One NDJSON record per notification, each a 10-element carousel. The baseline is the "Value
//! floor": parse the record into a `serde_json::Value` and write a prebuilt body. missive parses
//! the record into its borrowed, spanned JSON and renders the compiled template straight out.
//!
//!     cargo bench --bench render
//!     MISSIVE_BENCH_SHORT=1 cargo bench --bench render    # CI: a few hundred ms a line
//!
//! The last lines run the batch core (`Template::render_ndjson`: reading lines, data checks,
//! render, writing in input order) on one thread and on every core, then `missive check`
//! (a cold `check FILE` with its peak memory, and a folder of generated templates), then
//! `missive render --data-ndjson` process to process against the floor as a program.

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

/// The 10-element carousel of every render benchmark (and of the fast form's tests and the
/// Python benchmark), kept once.
const TEMPLATE: &str = include_str!("carousel_bench.missive");

fn records(n: usize) -> Vec<String> {
    (0..n)
        .map(|r| {
            let products: Vec<String> = (0..10)
                .map(|i| {
                    format!(
                        r#"{{"id":"{r}{i}","title":"Classic T-Shirt number {i}","subtitle":"Soft cotton t-shirt, back in style for record {r}","image":"https://shop.example/img/item{r}{i}.png","price":{p}.90}}"#, p = i * 10 + 9
                    )
                })
                .collect();
            format!(r#"{{"greeting":"hello, customer {r}!","products":[{}]}}"#, products.join(","))
        })
        .collect()
}

/// The typed borrowed probe: the record parsed into structs that borrow its strings (no
/// `Value`), the body written straight out. What a hand-written renderer for this one template
/// would do: the practical limit.
#[derive(serde::Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    greeting: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    products: Vec<Product<'a>>,
}

#[derive(serde::Deserialize)]
struct Product<'a> {
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    title: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    subtitle: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    image: std::borrow::Cow<'a, str>,
    #[allow(dead_code)]
    price: f64,
}

/// A JSON string's contents, escaped: copied as they are when nothing needs escaping (no
/// `String` built for the interpolated URLs).
fn contents(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        let quoted = serde_json::to_string(text).unwrap();
        out.extend_from_slice(&quoted.as_bytes()[1..quoted.len() - 1]);
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

fn probe(record: &str, out: &mut Vec<u8>) {
    let r: Record = serde_json::from_str(record).unwrap();
    let s = |out: &mut Vec<u8>, text: &str| serde_json::to_writer(&mut *out, text).unwrap();
    out.extend_from_slice(b"{\"text\":");
    s(out, &r.greeting);
    out.extend_from_slice(
        br#","attachment":{"type":"template","payload":{"template_type":"generic","elements":["#,
    );
    for (i, p) in r.products.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"title\":");
        s(out, &p.title);
        out.extend_from_slice(b",\"image_url\":");
        s(out, &p.image);
        out.extend_from_slice(b",\"subtitle\":");
        s(out, &p.subtitle);
        out.extend_from_slice(b",\"buttons\":[{\"type\":\"web_url\",\"url\":");
        out.extend_from_slice(b"\"https://shop.example/view?item_id=");
        contents(out, &p.id);
        out.extend_from_slice(b"\",\"title\":\"View Item\"},{\"type\":\"web_url\",\"url\":\"https://shop.example/buy?item_id=");
        contents(out, &p.id);
        out.push(b'"');
        out.extend_from_slice(b",\"title\":\"Buy Item\"}]}");
    }
    out.extend_from_slice(b"]}}}");
}

/// The whole payload as a minijinja text template, as a team would write it by hand (strings
/// through `tojson`), rendered from the record parsed into a `Value`.
const TEXT_TEMPLATE: &str = r#"{"text":{{ greeting|tojson }},"attachment":{"type":"template","payload":{"template_type":"generic","elements":[{% for p in products %}{% if not loop.first %},{% endif %}{"title":{{ p.title|tojson }},"image_url":{{ p.image|tojson }},"subtitle":{{ p.subtitle|tojson }},"buttons":[{"type":"web_url","url":{{ ("https://shop.example/view?item_id=" ~ p.id)|tojson }},"title":"View Item"},{"type":"web_url","url":{{ ("https://shop.example/buy?item_id=" ~ p.id)|tojson }},"title":"Buy Item"}]}{% endfor %}]}}}"#;

/// A JSON value as minijinja's (its `serde` feature is off in missive's build).
fn jinja_value(v: &serde_json::Value) -> minijinja::Value {
    use serde_json::Value as J;
    match v {
        J::Null => minijinja::Value::from(()),
        J::Bool(b) => minijinja::Value::from(*b),
        J::Number(n) => n.as_i64().map_or_else(
            || minijinja::Value::from(n.as_f64().unwrap_or(0.0)),
            minijinja::Value::from,
        ),
        J::String(s) => minijinja::Value::from(s.as_str()),
        J::Array(a) => minijinja::Value::from(a.iter().map(jinja_value).collect::<Vec<_>>()),
        J::Object(o) => minijinja::Value::from(
            o.iter()
                .map(|(k, v)| (k.clone(), jinja_value(v)))
                .collect::<std::collections::BTreeMap<String, minijinja::Value>>(),
        ),
    }
}

/// Runs `f` over all records repeatedly for about `budget`; returns records per second.
fn measure(records: &[String], budget: Duration, mut f: impl FnMut(&str, &mut Vec<u8>)) -> f64 {
    let mut out = Vec::with_capacity(64 * 1024);
    // Warm up.
    for r in records.iter().take(1000) {
        out.clear();
        f(r, &mut out);
    }
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < budget {
        for r in records {
            out.clear();
            f(r, &mut out);
            black_box(&out);
        }
        done += records.len();
    }
    done as f64 / start.elapsed().as_secs_f64()
}

/// The floor as a program: each line of standard input parsed into a `serde_json::Value`, the
/// prebuilt body in `body_file` written for it. The bench runs itself with `--floor` to time it
/// process to process against `missive render --data-ndjson`.
fn floor(body_file: &str) {
    use std::io::BufRead;
    let body = std::fs::read(body_file).expect("the body file");
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
    let mut line = String::new();
    let mut input = stdin.lock();
    while input.read_line(&mut line).expect("standard input") > 0 {
        if !line.trim().is_empty() {
            let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON record");
            black_box(&v);
            out.write_all(&body).unwrap();
            out.write_all(b"\n").unwrap();
        }
        line.clear();
    }
    out.flush().unwrap();
}

/// Runs a command with `input` as its standard input (output discarded) `runs` times; the
/// best time in seconds.
fn best_of(runs: usize, input: &std::path::Path, cmd: impl Fn() -> std::process::Command) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            let status = cmd()
                .stdin(std::fs::File::open(input).unwrap())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "{status}");
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--floor") {
        return floor(&args[i + 1]);
    }
    if let Some(i) = args.iter().position(|a| a == "--peak-of") {
        return peak_of(&args[i + 1..]);
    }
    let recs = records(2000);
    let template = missive::compile(TEMPLATE, &missive::Options::default())
        .template
        .expect("the bench template compiles");
    let short = std::env::var_os("MISSIVE_BENCH_SHORT").is_some_and(|v| !v.is_empty());
    let budget = if short {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(3)
    };

    // The body a Value-based tool would write after parsing the record.
    let data = missive::json::parse(&recs[0]).unwrap();
    let mut prebuilt = Vec::new();
    template.render_to(&mut prebuilt, &data).unwrap();

    let baseline = measure(&recs, budget, |r, out| {
        let v: serde_json::Value = serde_json::from_str(r).unwrap();
        black_box(&v);
        out.write_all(&prebuilt).unwrap();
        out.push(b'\n');
    });
    // The probe and the text template write what missive writes.
    let same = |f: &dyn Fn(&str, &mut Vec<u8>)| {
        let mut out = Vec::new();
        f(&recs[1], &mut out);
        let mut expected = Vec::new();
        template
            .render_to(&mut expected, &missive::json::parse(&recs[1]).unwrap())
            .unwrap();
        let value = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
        assert_eq!(value(&out), value(&expected));
    };
    same(&probe);
    let mut env = minijinja::Environment::new();
    // (minijinja's own `tojson` needs a feature missive does not build it with.)
    env.add_filter("tojson", |v: String| {
        minijinja::Value::from_safe_string(serde_json::to_string(&v).unwrap())
    });
    env.add_template("payload", TEXT_TEMPLATE).unwrap();
    let text_template = env.get_template("payload").unwrap();
    let jinja = |r: &str, out: &mut Vec<u8>| {
        let v: serde_json::Value = serde_json::from_str(r).unwrap();
        let text = text_template.render(jinja_value(&v)).unwrap();
        out.extend_from_slice(text.as_bytes());
    };
    same(&jinja);
    let typed = measure(&recs, budget, |r, out| {
        probe(r, out);
        out.push(b'\n');
    });
    let text = measure(&recs, budget, |r, out| {
        jinja(r, out);
        out.push(b'\n');
    });
    let parse_only = measure(&recs, budget, |r, out| {
        let data = missive::json::parse(r).unwrap();
        black_box(&data);
        out.push(b'\n');
    });
    // Render alone, over data parsed beforehand.
    let parsed: Vec<missive::json::Node> = recs
        .iter()
        .map(|r| missive::json::parse(r).unwrap())
        .collect();
    let render_only = {
        let mut out = Vec::with_capacity(64 * 1024);
        let start = Instant::now();
        let mut done = 0usize;
        while start.elapsed() < budget {
            for d in &parsed {
                out.clear();
                template.render_to(&mut out, d).unwrap();
                black_box(&out);
            }
            done += parsed.len();
        }
        done as f64 / start.elapsed().as_secs_f64()
    };
    let render = measure(&recs, budget, |r, out| {
        let data = missive::json::parse(r).unwrap();
        template.render_to(out, &data).unwrap();
        out.push(b'\n');
    });
    let checked = measure(&recs, budget, |r, out| {
        let data = missive::json::parse(r).unwrap();
        assert!(missive::check::data::validate(&data, &template.input).is_empty());
        template.render_to(out, &data).unwrap();
        out.push(b'\n');
    });

    // The batch core, over the same records as one NDJSON input.
    let ndjson: String = recs.iter().map(|r| format!("{r}\n")).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // The batch (which takes the fast form for good records) writes, line for line, what
    // `render_to` writes from the spanned parse: for record 0, the floor's prebuilt body.
    {
        let mut out = Vec::new();
        template
            .render_ndjson(ndjson.as_bytes(), &mut out, &Default::default())
            .unwrap();
        let mut expected = Vec::new();
        for r in &recs {
            template
                .render_to(&mut expected, &missive::json::parse(r).unwrap())
                .unwrap();
            expected.push(b'\n');
        }
        assert!(
            out == expected,
            "the batch's output differs from render_to's"
        );
        assert!(out.starts_with(&prebuilt));
    }
    let batch = |jobs: usize| {
        let options = missive::batch::Options {
            jobs,
            ..Default::default()
        };
        let mut out = Vec::with_capacity(ndjson.len() * 2);
        let start = Instant::now();
        let mut done = 0usize;
        while start.elapsed() < budget {
            out.clear();
            let summary = template
                .render_ndjson(ndjson.as_bytes(), &mut out, &options)
                .unwrap();
            assert_eq!(summary.rendered, recs.len());
            black_box(&out);
            done += recs.len();
        }
        done as f64 / start.elapsed().as_secs_f64()
    };
    let batch_one = batch(1);
    let batch_all = batch(cores);

    println!(
        "10-element carousel per record, one core, {} records per pass",
        recs.len()
    );
    println!(
        "  baseline: serde_json::Value parse + prebuilt body  {baseline:>10.0} records/s  1.00x"
    );
    println!(
        "  typed borrowed probe (serde structs, body written)  {typed:>10.0} records/s  {:.2}x",
        typed / baseline
    );
    println!(
        "  minijinja text template of the whole payload       {text:>10.0} records/s  {:.2}x",
        text / baseline
    );
    println!(
        "  missive: spanned JSON parse only                   {parse_only:>10.0} records/s  {:.2}x",
        parse_only / baseline
    );
    println!(
        "  missive: render only (data parsed beforehand)      {render_only:>10.0} records/s  {:.2}x",
        render_only / baseline
    );
    println!(
        "  missive: parse + render                            {render:>10.0} records/s  {:.2}x",
        render / baseline
    );
    println!(
        "  missive: parse + data checks + render              {checked:>10.0} records/s  {:.2}x",
        checked / baseline
    );
    println!(
        "  missive: render_ndjson, --jobs 1                   {batch_one:>10.0} records/s  {:.2}x",
        batch_one / baseline
    );
    println!(
        "  missive: render_ndjson, --jobs {cores:<2}                  {batch_all:>10.0} records/s  {:.2}x",
        batch_all / baseline
    );

    check_figures(short);

    // Process to process: the floor program against `missive render --data-ndjson`.
    let n = if short { 20_000 } else { 200_000 };
    let dir = std::env::temp_dir().join(format!("missive-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("records.ndjson");
    let mut text = String::with_capacity(n * recs[0].len());
    for r in recs.iter().cycle().take(n) {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&input, text).unwrap();
    let body_file = dir.join("body.json");
    std::fs::write(&body_file, &prebuilt).unwrap();
    let template_file = dir.join("carousel_bench.missive");
    std::fs::write(&template_file, TEMPLATE).unwrap();
    let runs = if short { 1 } else { 3 };
    let me = std::env::current_exe().unwrap();
    let floor_s = best_of(runs, &input, || {
        let mut c = std::process::Command::new(&me);
        c.arg("--floor").arg(&body_file);
        c
    });
    let missive_s = |jobs: usize| {
        best_of(runs, &input, || {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_missive"));
            c.arg("render").arg(&template_file).args([
                "--data-ndjson",
                "-",
                "--jobs",
                &jobs.to_string(),
            ]);
            c
        })
    };
    let one = missive_s(1);
    let all = missive_s(cores);
    let _ = std::fs::remove_dir_all(&dir);
    let rate = |s: f64| n as f64 / s;
    println!("process to process, {n} records through a pipe (best of {runs}):");
    println!(
        "  floor program: Value parse + prebuilt body           {:>10.0} records/s  1.00x",
        rate(floor_s)
    );
    println!(
        "  missive render --data-ndjson --jobs 1                {:>10.0} records/s  {:.2}x",
        rate(one),
        floor_s / one
    );
    println!(
        "  missive render --data-ndjson --jobs {cores:<2}               {:>10.0} records/s  {:.2}x",
        rate(all),
        floor_s / all
    );
}

/// Runs a command and prints the largest resident set of its process in KiB. The bench runs
/// itself with `--peak-of` to measure `missive check FILE`: Linux counts in a child's peak the
/// memory of the process it was spawned from, so that process is a fresh, small one.
fn peak_of(command: &[String]) {
    let status = std::process::Command::new(&command[0])
        .args(&command[1..])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{command:?}: {status}");
    // SAFETY: getrusage writes the struct it is given and nothing else.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut u);
        u
    };
    println!("{}", usage.ru_maxrss);
}

/// `missive check`: cold on one template (time and peak memory), and on a folder of
/// generated templates (every core).
fn check_figures(short: bool) {
    let dir = std::env::temp_dir().join(format!("missive-bench-check-{}", std::process::id()));
    let folder = dir.join("templates");
    std::fs::create_dir_all(&folder).unwrap();
    let n = if short { 1_000 } else { 10_000 };
    for i in 0..n {
        let source = TEMPLATE.replacen("carousel_bench", &format!("t{i}"), 1);
        std::fs::write(folder.join(format!("t{i}.missive")), source).unwrap();
    }
    let check = |path: &std::path::Path, runs: usize| {
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_missive"))
                    .arg("check")
                    .arg(path)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status()
                    .unwrap();
                assert!(out.success(), "missive check {}: {out}", path.display());
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let cold = check(&folder.join("t0.missive"), if short { 5 } else { 20 });
    let me = std::env::current_exe().unwrap();
    let peak = std::process::Command::new(me)
        .arg("--peak-of")
        .arg(env!("CARGO_BIN_EXE_missive"))
        .arg("check")
        .arg(folder.join("t0.missive"))
        .output()
        .unwrap();
    let peak: f64 = String::from_utf8_lossy(&peak.stdout)
        .trim()
        .parse()
        .unwrap();
    let all = check(&folder, if short { 1 } else { 3 });
    let _ = std::fs::remove_dir_all(&dir);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("missive check (the carousel template):");
    println!(
        "  one file, cold process                     {:>8.2} ms  peak RSS {:.1} MiB",
        cold * 1e3,
        peak / 1024.0
    );
    println!(
        "  a folder of {n} templates, {cores} cores        {:>8.2} s   {:.0} templates/s",
        all,
        n as f64 / all
    );
}
