//! `missive send`: render each record and POST it to the iAdvize API, through the journal.
//! Everything here is presentation: the library's `delivery::batch` does the work.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;

use missive::delivery::batch::{self, Batch, Event, Fate, Record, Sink, Summary};
use missive::delivery::journal::{History, Journal, JournalError};
use missive::delivery::retry::RetryPolicy;
use missive::delivery::{Endpoint, Token, TokenProblem};
use missive::diagnostic::report::{self, FileReport};
use missive::render::IADVIZE_API;
use missive::{Code, Diagnostic, SourceFile};

use super::optin::{compile_with_scheme, Compiled};
use super::{io_reason, print_reports, usage, Common, Format, Stream, ERRORS, FAILURE, OK};

/// The environment variable the token is read from.
const TOKEN_VAR: &str = "MISSIVE_ACCESS_TOKEN";

#[derive(Args)]
pub struct SendArgs {
    /// The template to send.
    template: Option<PathBuf>,
    /// One record: a JSON file, or `-` for standard input.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "data_ndjson",
        required_unless_present = "data_ndjson"
    )]
    data: Option<String>,
    /// Many records: one JSON document per line, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    data_ndjson: Option<String>,
    /// The Facebook page id (the digits of its m.me/ link).
    #[arg(long, value_name = "ID")]
    page_id: String,
    /// Read the access token from this file (else from MISSIVE_ACCESS_TOKEN).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// The API's scheme and host; the guide's path is appended.
    #[arg(long, value_name = "URL", default_value = IADVIZE_API)]
    api_url: String,
    /// Do everything but the POST: print the requests, token as `***`.
    #[arg(long)]
    dry_run: bool,
    /// Write every record not delivered to this NDJSON file, with its `outcome` (rejected,
    /// refused, failed, uncertain) and the reason; an uncertain record (it may have arrived)
    /// is kept under `maybe_delivered` instead of `data`, so that it is not resent by accident.
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// The delivery journal: a rerun skips what it says was delivered.
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// Send again the records an earlier run may have delivered (no answer in the journal).
    #[arg(long)]
    resend_uncertain: bool,
    /// Send records that repeat a customer_id of the same run, or that an earlier run (in the
    /// journal) sent another message to.
    #[arg(long)]
    allow_duplicate_customer_id: bool,
    /// Seconds before a request is given up.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// Tries after the first, on connection errors, 429 and 5xx.
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,
    /// Seconds before the first retry; doubled at each retry (with jitter), at most 30.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.5)]
    backoff: f64,
    /// The longest wait a `Retry-After` answer is honoured for, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    max_retry_after: f64,
    /// At most N requests per second.
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 1)]
    concurrency: usize,
    /// Write the delivery lines to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// A duration flag's value: from 0 (or, with `positive`, above 0) to a billion seconds.
fn seconds(flag: &str, value: f64, positive: bool) -> Result<Duration, Diagnostic> {
    if (0.0..1e9).contains(&value) && !(positive && value == 0.0) {
        Ok(Duration::from_secs_f64(value))
    } else {
        let what = if positive { "above 0, " } else { "" };
        Err(
            Diagnostic::error(Code::Usage, format!("`--{flag} {value}` is not a duration")).help(
                format!("give a number of seconds {what}e.g. `--timeout 10` or `--backoff 0.25`"),
            ),
        )
    }
}

/// The token from `--token-file` or the environment, or the exit status (reason printed).
fn token(common: &Common, args: &SendArgs) -> Result<Token, u8> {
    let (text, source) = match &args.token_file {
        Some(file) => {
            let name = file.to_string_lossy().into_owned();
            match std::fs::read_to_string(file) {
                Ok(text) => (text, format!("the token file `{name}`")),
                Err(e) => {
                    return Err(usage(
                        common,
                        Stream::Stderr,
                        "",
                        Diagnostic::error(
                            Code::Io,
                            format!("cannot read `{name}`: {}", io_reason(&e, &name)),
                        )
                        .help("check the path of `--token-file` and that the file is readable"),
                    ))
                }
            }
        }
        None => (
            std::env::var(TOKEN_VAR).unwrap_or_default(),
            format!("`{TOKEN_VAR}`"),
        ),
    };
    let from_file = args.token_file.is_some();
    Token::parse(&text).map_err(|problem| {
        let d = match problem {
            TokenProblem::Empty if from_file => {
                Diagnostic::error(Code::NoToken, format!("{source} is empty"))
                    .help("put the iAdvize access token in it, alone")
            }
            TokenProblem::Empty => Diagnostic::error(Code::NoToken, "no access token: nothing was sent")
                .help(format!("set `{TOKEN_VAR}`, or give `--token-file FILE`; the token is never taken from a flag value (shell history), and `--dry-run` needs none")),
            TokenProblem::Spaces => Diagnostic::error(
                Code::NoToken,
                format!("{source} is not one access token: it has a space or a line break inside"),
            )
            .help("put the iAdvize access token alone, on one line, and nothing else"),
            TokenProblem::TooShort(n) => Diagnostic::error(
                Code::NoToken,
                format!(
                    "{source} holds {n} character{}, too few for an access token",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .help(format!(
                "give the iAdvize access token ({} characters at least); missive could not hide one this short in its output",
                Token::MIN_LEN
            )),
        };
        usage(common, Stream::Stderr, "", d)
    })
}

pub fn run(common: &Common, args: SendArgs) -> u8 {
    // The project file's profile and deny-warnings apply here too.
    let common = match super::with_project(common, Stream::Stderr) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let common = &common;
    let data_arg = args.data_ndjson.as_deref().or(args.data.as_deref());
    let Some(data_path) = data_arg.map(str::to_string) else {
        return usage(
            common,
            Stream::Stderr,
            "",
            Diagnostic::error(
                Code::Usage,
                "`send` needs `--data FILE` or `--data-ndjson FILE`",
            )
            .help("give the records to send"),
        );
    };
    // Flags first: nothing is read when the command line is wrong.
    let endpoint = match Endpoint::new(&args.api_url, &args.page_id) {
        Ok(e) => e,
        Err(message) => {
            // The message quotes the flag: if the token was pasted into it, it stays hidden.
            let env_token = Token::new(&std::env::var(TOKEN_VAR).unwrap_or_default());
            let message = missive::delivery::scrub(env_token.as_ref(), &message);
            return usage(
                common,
                Stream::Stderr,
                "",
                Diagnostic::error(Code::Usage, message).help(format!(
                    "e.g. `--page-id 322837607840703 --api-url {IADVIZE_API}`"
                )),
            );
        }
    };
    let durations = (|| {
        Ok::<_, Diagnostic>((
            // No time at all would leave every request unanswered, and uncertain.
            seconds("timeout", args.timeout, true)?,
            seconds("backoff", args.backoff, false)?,
            seconds("max-retry-after", args.max_retry_after, false)?,
        ))
    })();
    let (timeout, backoff, max_retry_after) = match durations {
        Ok(d) => d,
        Err(d) => return usage(common, Stream::Stderr, "", d),
    };
    if args.concurrency == 0 || args.concurrency > 256 {
        return usage(
            common,
            Stream::Stderr,
            "",
            Diagnostic::error(
                Code::Usage,
                format!("`--concurrency {}` is out of range", args.concurrency),
            )
            .help("give from 1 to 256 requests in flight"),
        );
    }
    if let Some(r) = args.rate.filter(|r| !(r.is_finite() && *r > 0.0)) {
        return usage(
            common,
            Stream::Stderr,
            "",
            Diagnostic::error(
                Code::Usage,
                format!("`--rate {r}` is not a positive number"),
            )
            .help("give requests per second, e.g. `--rate 10` or `--rate 0.5`"),
        );
    }
    // A file written must not be one read or another written: `--rejects` over the journal
    // would erase which records were delivered, over the data the batch itself.
    if let Some(d) = clashing_files(&args, &data_path) {
        return usage(common, Stream::Stderr, "", d);
    }
    let token = if args.dry_run {
        None
    } else {
        match token(common, &args) {
            Ok(t) => Some(t),
            Err(status) => return status,
        }
    };

    let Compiled {
        template,
        mut report,
        ..
    } = match compile_with_scheme(common, args.template.as_deref(), "send", data_path == "-") {
        Ok(c) => c,
        Err(status) => return status,
    };
    let data_src = match super::load_data(&data_path) {
        Ok(s) => s,
        Err((r, status)) => {
            print_reports(common, &[report, r], 1, Stream::Stderr, false);
            return status;
        }
    };
    let records: Vec<Record<'_>> = if args.data_ndjson.is_some() {
        batch::ndjson_records(&data_src.text)
    } else {
        vec![Record {
            number: 1,
            offset: 0,
            text: &data_src.text,
        }]
    };

    let failure = |d: Diagnostic| usage(common, Stream::Stderr, "", d);
    let (journal, prior) = match &args.journal {
        None => (None, History::default()),
        Some(path) => {
            let name = path.to_string_lossy().into_owned();
            let opened = if args.dry_run {
                Journal::history(path).map(|p| (None, p))
            } else {
                Journal::open(path).map(|(j, p)| (Some(j), p))
            };
            match opened {
                Ok(x) => x,
                Err(JournalError::Io(e)) => {
                    return failure(
                        Diagnostic::error(Code::Io, format!("cannot open the journal `{name}`: {}", io_reason(&e, &name)))
                            .help("check that its folder exists and is writable"),
                    )
                }
                Err(JournalError::Corrupt { line, column, reason }) => {
                    return failure(
                        Diagnostic::error(Code::BadJournal, format!("the journal is damaged at {name}:{line}:{column}: {reason}"))
                            .help(format!("the damaged part may have held records already sent, which would be sent again: restore the journal from a backup or a full copy; failing that, keep its lines before line {line} in a new file, see with `--dry-run` what it would send, and take the records you know were delivered out of the data"))
                            .note("nothing was sent"),
                    )
                }
                Err(e) => {
                    return failure(
                        Diagnostic::error(Code::BadJournal, format!("cannot use the journal `{name}`: {e}"))
                            .help("give the journal of this batch's earlier runs, unedited, or a new file to start afresh"),
                    )
                }
            }
        }
    };
    // The rejects file and `-o`, created before anything is sent.
    let create = |path: &std::path::Path| {
        std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .map_err(|e| {
                let name = path.to_string_lossy().into_owned();
                Diagnostic::error(
                    Code::Io,
                    format!("cannot write `{name}`: {}", io_reason(&e, &name)),
                )
                .help("check that the folder exists and is writable")
            })
    };
    let rejects = match args.rejects.as_deref().map(create).transpose() {
        Ok(r) => r,
        Err(d) => return failure(d),
    };
    let out: Box<dyn Write + Send> = match args.output.as_deref().map(create).transpose() {
        Ok(Some(f)) => Box::new(f),
        Ok(None) => Box::new(std::io::stdout()),
        Err(d) => return failure(d),
    };
    if let Some(j) = &journal {
        if let Err(e) = j.run(&template.name, endpoint.page_id(), endpoint.base()) {
            return failure(
                Diagnostic::error(Code::Io, format!("cannot write the journal: {e}"))
                    .help("check that its disk has room and is writable"),
            );
        }
    }

    // The template's own warnings, once.
    // JSON and SARIF are one document at the end: collect the reports.
    let json = matches!(common.format, Format::Json | Format::Sarif);
    let template_src = report.template.clone();
    let mut reports = Vec::new();
    let template_warnings = report.diagnostics.iter().filter(|d| !d.is_error()).count();
    if !report.diagnostics.is_empty() {
        if json {
            reports.push(std::mem::replace(&mut report, FileReport::new("")));
        } else {
            print_reports(common, &[report], 1, Stream::Stderr, false);
        }
    }
    // A journal whose last line a crash cut short: not silent, the line is dropped.
    if let (Some(cut), Some(path)) = (prior.cut(), &args.journal) {
        let name = path.to_string_lossy();
        let mut r = FileReport::new(name.clone());
        r.diagnostics.push(
            Diagnostic::warning(
                Code::BadJournal,
                format!("the last line of the journal, {name}:{}:1, is cut short after {} bytes: ignored", cut.line, cut.bytes),
            )
            .note("missive was stopped while writing it (a crash or a power cut): its record counts as not sent, or as uncertain if its request was written before")
            .help("if the journal was instead cut short by a copy or a full disk, records it lost would be sent again: stop now and restore the whole journal"),
        );
        if json {
            reports.push(r);
        } else {
            print_reports(common, &[r], 1, Stream::Stderr, false);
        }
    }

    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(records.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} records  {msg}")
        {
            bar.set_style(style);
        }
        bar
    });
    let sink = Reporter {
        common,
        token: token.as_ref(),
        template_path: template_src
            .as_ref()
            .map_or_else(String::new, |s| s.name.clone()),
        template_src,
        data_src: Arc::clone(&data_src),
        state: Mutex::new(State {
            out,
            rejects,
            reports,
            warnings: template_warnings,
            write_error: None,
        }),
        bar,
        color: std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let batch = Batch {
        template: &template,
        endpoint: &endpoint,
        token: token.as_ref(),
        journal: journal.as_ref(),
        prior: &prior,
        stop: Some(interrupt::install()),
        options: batch::Options {
            dry_run: args.dry_run,
            allow_duplicate_customer_id: args.allow_duplicate_customer_id,
            resend_uncertain: args.resend_uncertain,
            concurrency: args.concurrency,
            retry: RetryPolicy {
                retries: args.retries,
                base: backoff,
                cap: Duration::from_secs(30).max(backoff),
                retry_after_cap: max_retry_after,
            },
            rate: args.rate,
            timeout,
        },
    };
    let summary = batch.run(&records, &sink);
    interrupt::restore();
    if let Some(bar) = &sink.bar {
        bar.finish_and_clear();
    }
    sink.finish(summary, args.dry_run)
}

/// Where the events go: delivery lines on stdout, diagnostics on stderr (or in one JSON
/// document at the end), rejects to their file.
struct Reporter<'a> {
    common: &'a Common,
    token: Option<&'a Token>,
    template_path: String,
    template_src: Option<Arc<SourceFile>>,
    data_src: Arc<SourceFile>,
    state: Mutex<State>,
    bar: Option<indicatif::ProgressBar>,
    /// Colours in human reports: stderr is a terminal and NO_COLOR is not set.
    color: bool,
}

struct State {
    out: Box<dyn Write + Send>,
    rejects: Option<std::io::BufWriter<std::fs::File>>,
    /// `--format json`: every report, printed as one document at the end.
    reports: Vec<FileReport>,
    warnings: usize,
    write_error: Option<String>,
}

impl Reporter<'_> {
    fn scrub(&self, text: &str) -> String {
        missive::delivery::scrub(self.token, text)
    }

    fn finish(&self, summary: Summary, dry_run: bool) -> u8 {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut write_error = state.write_error.take();
        if let Err(e) = state.out.flush() {
            write_error.get_or_insert(e.to_string());
        }
        if let Some(r) = state.rejects.as_mut() {
            if let Err(e) = r.flush() {
                write_error.get_or_insert(e.to_string());
            }
        }
        let counts = serde_json::json!({
            "sent": summary.sent, "skipped": summary.skipped, "rejected": summary.rejected,
            "failed": summary.failed, "uncertain": summary.uncertain, "dry_run": summary.dry_run,
            "not_attempted": summary.not_attempted,
        });
        if let Some(e) = &write_error {
            let mut r = FileReport::new("");
            r.diagnostics.push(
                Diagnostic::error(Code::Io, format!("cannot write the output: {e}"))
                    .help("check the disk and the files given with `-o` and `--rejects`"),
            );
            if matches!(self.common.format, Format::Json | Format::Sarif) {
                state.reports.push(r);
            } else {
                print_reports(self.common, &[r], 1, Stream::Stderr, false);
            }
        }
        let text = match self.common.format {
            Format::Json => {
                let doc = report::json(&state.reports, 1);
                let mut v: serde_json::Value =
                    serde_json::from_str(&doc).unwrap_or_else(|_| serde_json::json!({}));
                v["delivery"] = counts;
                format!("{}\n", self.scrub(&v.to_string()))
            }
            // SARIF readers want the log alone: the counts are in the exit status.
            Format::Sarif => format!("{}\n", self.scrub(&report::sarif(&state.reports))),
            _ if summary.not_attempted > 0 => format!(
                "interrupted: sent {}, skipped {} (already sent), rejected {}, failed {}, uncertain {}, not attempted {} (run the same command again to go on)\n",
                summary.sent, summary.skipped, summary.rejected, summary.failed, summary.uncertain, summary.not_attempted
            ),
            _ if dry_run => format!(
                "dry run: {} to send, {} skipped (already sent), {} rejected, {} uncertain\n",
                summary.dry_run, summary.skipped, summary.rejected, summary.uncertain
            ),
            _ => format!(
                "sent {}, skipped {} (already sent), rejected {}, failed {}, uncertain {}\n",
                summary.sent, summary.skipped, summary.rejected, summary.failed, summary.uncertain
            ),
        };
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
        if write_error.is_some() {
            ERRORS.max(if summary.sent == 0 { FAILURE } else { ERRORS })
        } else if !summary.all_delivered() || (self.common.deny_warnings && state.warnings > 0) {
            ERRORS
        } else {
            OK
        }
    }
}

impl Sink for Reporter<'_> {
    fn event(&self, e: Event<'_>) {
        let n = e.record.number;
        let line = match (e.fate, e.request) {
            (Fate::DryRun, Some((url, body))) => {
                let mut line = format!(
                    "{{\"record\":{n},\"method\":\"POST\",\"url\":{},\"body\":",
                    serde_json::Value::String(url.to_string())
                );
                line.push_str(&String::from_utf8_lossy(body));
                line.push('}');
                line
            }
            // Keys in the README's order (the record first), which `json!` would sort.
            _ => format!(
                "{{\"record\":{n},\"customer_id\":{},\"result\":\"{}\",\"status\":{},\"attempts\":{}}}",
                serde_json::json!(e.customer_id),
                e.fate.as_str(),
                serde_json::json!(e.status),
                e.attempts
            ),
        };
        let mut report = FileReport::new(self.template_path.clone());
        report.template = self.template_src.clone();
        report.data = Some(Arc::clone(&self.data_src));
        report.diagnostics = e.diagnostics;
        // Every format shows the message: it names the record (its line, for NDJSON).
        for d in &mut report.diagnostics {
            d.message = format!("record {n}: {}", d.message);
        }
        // Every record not delivered, with its outcome: `rejected` (never sent), `refused` (an
        // answer that a rerun would get again: 3xx, 4xx but 429), `failed` (not delivered
        // after its tries), `uncertain` (may have been delivered).
        let outcome = match e.fate {
            Fate::Rejected => Some("rejected"),
            Fate::Failed
                if e.status
                    .is_some_and(|s| !missive::delivery::retry::retryable_status(s)) =>
            {
                Some("refused")
            }
            Fate::Failed => Some("failed"),
            Fate::Uncertain => Some("uncertain"),
            _ => None,
        };
        let reject_line = outcome.map(|outcome| {
            let doc = report::json(std::slice::from_ref(&report), 1);
            let diagnostics = serde_json::from_str::<serde_json::Value>(&doc)
                .ok()
                .and_then(|mut v| v.get_mut("diagnostics").map(serde_json::Value::take))
                .unwrap_or_default();
            let reason = report
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .map(|d| d.message.clone());
            let line = serde_json::json!({
                "record": n,
                "outcome": outcome,
                "customer_id": e.customer_id,
                "reason": reason,
                "status": e.status,
                "answer": e.answer,
                "diagnostics": diagnostics,
            })
            .to_string();
            // The record as written (key order, `1.50`, big integers), on one line.
            let data = original_record(e.record.text);
            let head = line.strip_suffix('}').unwrap_or(&line);
            // A record that may have been delivered is not under `data`: a rejects file fed
            // back (`jq -c .data`) must not send it again by accident.
            let key = if outcome == "uncertain" {
                "maybe_delivered"
            } else {
                "data"
            };
            format!("{head},\"{key}\":{data}}}")
        });

        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let write = |w: &mut dyn Write, text: &str| -> Result<(), String> {
            w.write_all(self.scrub(text).as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|e| e.to_string())
        };
        let mut error = write(&mut state.out, &line).err();
        if let (Some(r), Some(text)) = (state.rejects.as_mut(), &reject_line) {
            error = error.or(write(r, text).err());
        }
        if let Some(e) = error {
            state.write_error.get_or_insert(e);
        }
        state.warnings += report.diagnostics.iter().filter(|d| !d.is_error()).count();
        if !report.diagnostics.is_empty() {
            if matches!(self.common.format, Format::Json | Format::Sarif) {
                state.reports.push(report);
            } else {
                let text = self.scrub(&match self.common.format {
                    Format::Short => report::short(&[report]),
                    _ => report::human(&[report], self.color),
                });
                let print = || {
                    let _ = std::io::stderr().lock().write_all(text.as_bytes());
                };
                match &self.bar {
                    Some(bar) => bar.suspend(print),
                    None => print(),
                }
            }
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

/// The first two of the files a send writes (journal, rejects, output) and reads (template,
/// data, token file) that are one file, as a usage error.
fn clashing_files(args: &SendArgs, data: &str) -> Option<Diagnostic> {
    let written = [
        ("--journal", args.journal.as_deref()),
        ("--rejects", args.rejects.as_deref()),
        ("--output", args.output.as_deref()),
    ];
    let read = [
        ("TEMPLATE", args.template.as_deref()),
        ("--data", (data != "-").then(|| std::path::Path::new(data))),
        ("--token-file", args.token_file.as_deref()),
    ];
    for (i, (flag, path)) in written.iter().enumerate() {
        let Some(path) = path else { continue };
        for (other, other_path) in written[i + 1..].iter().chain(&read) {
            if other_path.is_some_and(|o| same_file(path, o)) {
                return Some(
                    Diagnostic::error(
                        Code::Usage,
                        format!(
                            "`{flag}` and `{other}` name the same file `{}`",
                            path.display()
                        ),
                    )
                    .help(format!("give `{flag}` a file of its own")),
                );
            }
        }
    }
    None
}

/// Whether two paths name one file (existing or not).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    // The folder resolved (links, `..`), then the name: works for files not created yet.
    let resolve = |p: &std::path::Path| {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        let file = std::fs::canonicalize(p).ok();
        file.or_else(|| Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?)))
    };
    match (resolve(a), resolve(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A record for the rejects file: its JSON text as written, on one line (line breaks are only
/// whitespace between tokens in JSON), or, when it is not JSON, a JSON string of its text.
fn original_record(text: &str) -> String {
    let text = text.trim_start_matches('\u{feff}').trim();
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        text.replace(['\n', '\r'], "")
    } else {
        serde_json::Value::String(text.to_string()).to_string()
    }
}

/// Ctrl-C during a send: the first one stops starting requests (those in flight finish and are
/// journaled, so none is left uncertain); a second one ends the process at once.
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    static STOP: AtomicBool = AtomicBool::new(false);

    #[cfg(unix)]
    extern "C" fn on_sigint(_: libc::c_int) {
        STOP.store(true, Ordering::SeqCst);
        // SAFETY: `signal` is async-signal-safe; the next Ctrl-C gets the default action.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
        }
    }

    pub fn install() -> &'static AtomicBool {
        #[cfg(unix)]
        // SAFETY: the handler only stores to an atomic and resets the disposition.
        unsafe {
            libc::signal(
                libc::SIGINT,
                on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
        &STOP
    }

    pub fn restore() {
        #[cfg(unix)]
        // SAFETY: back to the default action.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
        }
    }
}
