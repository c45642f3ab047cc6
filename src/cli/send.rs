//! `missive send`: render each record and POST it to the iAdvize API, through the journal.
//! Everything here is presentation: the library's `delivery::batch` does the work.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use serde::Serialize;
use serde_json::value::RawValue;

use missive::delivery::batch::{self, Batch, Event, Fate, Record, Sink, Summary};
use missive::delivery::journal::{History, Journal, JournalError};
use missive::delivery::retry::RetryPolicy;
use missive::delivery::{Endpoint, Token, TokenProblem};
use missive::diagnostic::codes;
use missive::diagnostic::report::{self, FileReport};
use missive::render::IADVIZE_API;
use missive::{Diagnostic, Severity, SourceFile};

use super::optin::{compile_with_scheme, Compiled};
use super::rejects::{json_diagnostics, json_line, record_keys, record_source, RejectLine};
use super::{io_reason, print_reports, Common, Exit, Format, Outcome, Session, Status, Stream};

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
    /// Stop once N records are rejected (they fail to render or check, or repeat a
    /// customer_id): the records after the Nth are not sent.
    #[arg(long, value_name = "N")]
    max_rejects: Option<usize>,
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
            codes::m9002_usage(format!("`--{flag} {value}` is not a duration")).help(format!(
                "give a number of seconds {what}e.g. `--timeout 10` or `--backoff 0.25`"
            )),
        )
    }
}

/// The token from `--token-file` or the environment.
fn token(args: &SendArgs) -> Result<Token, Exit> {
    let failure = |d| Exit::usage(Stream::Stderr, "", d);
    let (text, source) = match &args.token_file {
        Some(file) => {
            let name = file.to_string_lossy().into_owned();
            let text = std::fs::read_to_string(file).map_err(|e| {
                failure(
                    codes::m9001_io(
                        Severity::Error,
                        format!("cannot read `{name}`: {}", io_reason(&e, &name)),
                    )
                    .help("check the path of `--token-file` and that the file is readable"),
                )
            })?;
            (text, format!("the token file `{name}`"))
        }
        None => (
            std::env::var(TOKEN_VAR).unwrap_or_default(),
            format!("`{TOKEN_VAR}`"),
        ),
    };
    let from_file = args.token_file.is_some();
    Token::parse(&text).map_err(|problem| {
        failure(match problem {
            TokenProblem::Empty if from_file => {
                codes::m9010_no_token(format!("{source} is empty"))
                    .help("put the iAdvize access token in it, alone")
            }
            TokenProblem::Empty => codes::m9010_no_token("no access token: nothing was sent")
                .help(format!("set `{TOKEN_VAR}`, or give `--token-file FILE`; the token is never taken from a flag value (shell history), and `--dry-run` needs none")),
            TokenProblem::Spaces => codes::m9010_no_token(
                format!("{source} is not one access token: it has a space or a line break inside"),
            )
            .help("put the iAdvize access token alone, on one line, and nothing else"),
            TokenProblem::TooShort(n) => codes::m9010_no_token(
                format!(
                    "{source} holds {n} character{}, too few for an access token",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .help(format!(
                "give the iAdvize access token ({} characters at least); missive could not hide one this short in its output",
                Token::MIN_LEN
            )),
        })
    })
}

/// What a send will do, its flags checked: nothing is read (but the token) and nothing is
/// written before the plan is whole.
struct Plan {
    template: Option<PathBuf>,
    /// The records' file, `-` for standard input.
    data: String,
    /// One record a line (`--data-ndjson`), or one record (`--data`).
    ndjson: bool,
    endpoint: Endpoint,
    /// `None` in a dry run.
    token: Option<Token>,
    journal: Option<PathBuf>,
    rejects: Option<PathBuf>,
    output: Option<PathBuf>,
    options: batch::Options,
}

impl Plan {
    /// The flags, checked in the order a user reads them: the records, the endpoint, the
    /// durations and limits, the files, then the token.
    fn new(args: SendArgs) -> Result<Plan, Exit> {
        let failure = |d| Exit::usage(Stream::Stderr, "", d);
        let Some(data) = args.data_ndjson.clone().or(args.data.clone()) else {
            return Err(failure(
                codes::m9002_usage("`send` needs `--data FILE` or `--data-ndjson FILE`")
                    .help("give the records to send"),
            ));
        };
        let endpoint = Endpoint::new(&args.api_url, &args.page_id).map_err(|message| {
            // The message quotes the flag: if the token was pasted into it, it stays hidden.
            let env_token = Token::new(&std::env::var(TOKEN_VAR).unwrap_or_default());
            let message = missive::delivery::scrub(env_token.as_ref(), &message);
            failure(codes::m9002_usage(message).help(format!(
                "e.g. `--page-id 322837607840703 --api-url {IADVIZE_API}`"
            )))
        })?;
        // No time at all would leave every request unanswered, and uncertain.
        let timeout = seconds("timeout", args.timeout, true).map_err(failure)?;
        let backoff = seconds("backoff", args.backoff, false).map_err(failure)?;
        let max_retry_after =
            seconds("max-retry-after", args.max_retry_after, false).map_err(failure)?;
        if args.concurrency == 0 || args.concurrency > 256 {
            return Err(failure(
                codes::m9002_usage(format!(
                    "`--concurrency {}` is out of range",
                    args.concurrency
                ))
                .help("give from 1 to 256 requests in flight"),
            ));
        }
        if args.max_rejects == Some(0) {
            return Err(failure(
                codes::m9002_usage("`--max-rejects 0` is not a count")
                    .help("give a number from 1, e.g. `--max-rejects 10`"),
            ));
        }
        if let Some(r) = args.rate.filter(|r| !(r.is_finite() && *r > 0.0)) {
            return Err(failure(
                codes::m9002_usage(format!("`--rate {r}` is not a positive number"))
                    .help("give requests per second, e.g. `--rate 10` or `--rate 0.5`"),
            ));
        }
        // A file written must not be one read or another written: `--rejects` over the journal
        // would erase which records were delivered, over the data the batch itself.
        if let Some(d) = clashing_files(&args, &data) {
            return Err(failure(d));
        }
        let token = if args.dry_run {
            None
        } else {
            Some(token(&args)?)
        };
        Ok(Plan {
            ndjson: args.data_ndjson.is_some(),
            data,
            endpoint,
            token,
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
                max_rejects: args.max_rejects,
                deny_warnings: false,
            },
            template: args.template,
            journal: args.journal,
            rejects: args.rejects,
            output: args.output,
        })
    }

    /// The journal (none in a dry run, which only reads it) and what earlier runs did.
    fn open_journal(&self) -> Result<(Option<Journal>, History), Exit> {
        let Some(path) = &self.journal else {
            return Ok((None, History::default()));
        };
        let name = path.to_string_lossy().into_owned();
        // A dry run only reads the journal; the send it rehearses must be able to create it.
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        if self.options.dry_run && !path.exists() && folder.is_some_and(|f| !f.is_dir()) {
            let d = codes::m9001_io(
                Severity::Error,
                format!(
                    "cannot create the journal `{name}`: its folder `{}` does not exist",
                    folder.map_or_else(String::new, |f| f.to_string_lossy().into_owned())
                ),
            )
            .help(
                "create the folder, or give a journal in one that exists: the send would stop here",
            );
            return Err(Exit::usage(Stream::Stderr, "", d));
        }
        let opened = if self.options.dry_run {
            Journal::history(path).map(|p| (None, p))
        } else {
            Journal::open(path).map(|(j, p)| (Some(j), p))
        };
        opened.map_err(|e| {
            let d = match e {
                JournalError::Io(e) => codes::m9001_io(Severity::Error, format!("cannot open the journal `{name}`: {}", io_reason(&e, &name)))
                    .help("check that its folder exists and is writable"),
                JournalError::Corrupt { line, column, reason } => codes::m9011_bad_journal(Severity::Error, format!("the journal is damaged at {name}:{line}:{column}: {reason}"))
                    .help(format!("the damaged part may have held records already sent, which would be sent again: restore the journal from a backup or a full copy; failing that, keep its lines before line {line} in a new file, see with `--dry-run` what it would send, and take the records you know were delivered out of the data"))
                    .note("nothing was sent"),
                JournalError::Busy => codes::m9011_bad_journal(Severity::Error, format!("cannot use the journal `{name}`: {}", JournalError::Busy))
                    .help("wait for that send to end (or stop it with Ctrl-C), then run this command again with the same journal: a new journal would send its records a second time")
                    .note("nothing was sent"),
            };
            Exit::usage(Stream::Stderr, "", d)
        })
    }

    /// The rejects file and the delivery lines' output, created before anything is sent.
    fn outputs(&self) -> Result<State, Exit> {
        let create = |path: &Path| {
            File::create(path).map(BufWriter::new).map_err(|e| {
                let name = path.to_string_lossy().into_owned();
                Exit::usage(
                    Stream::Stderr,
                    "",
                    codes::m9001_io(
                        Severity::Error,
                        format!("cannot write `{name}`: {}", io_reason(&e, &name)),
                    )
                    .help("check that the folder exists and is writable"),
                )
            })
        };
        let rejects = self.rejects.as_deref().map(create).transpose()?;
        let out: Box<dyn Write + Send> = match self.output.as_deref().map(create).transpose()? {
            Some(f) => Box::new(f),
            None => Box::new(std::io::stdout()),
        };
        Ok(State::new(out, rejects))
    }
}

pub fn run(common: &Common, args: SendArgs) -> Outcome {
    // `--deny-warnings` as given here: a gate on what is sent. The project file's
    // `deny-warnings`, meant for check and build, only sets the exit status (it cannot be
    // turned off from the command line, and would reject every record that warns).
    let deny = common.deny_warnings;
    // The project file's profile and deny-warnings apply here too.
    let session = Session::open(common, Stream::Stderr)?;
    let common = &session.common;
    // Flags first: nothing is read when the command line is wrong.
    let mut plan = Plan::new(args)?;
    plan.options.deny_warnings = deny;
    if let Some(template) = plan.template.as_deref() {
        let flag = if plan.ndjson {
            "--data-ndjson"
        } else {
            "--data"
        };
        if let Some(d) = super::swapped(&template.to_string_lossy(), &plan.data, flag, "send") {
            return Err(Exit::usage(Stream::Stderr, "", d));
        }
    }
    let Compiled {
        template,
        mut report,
        ..
    } = compile_with_scheme(&session, plan.template.as_deref(), "send", plan.data == "-")?;
    // `--deny-warnings` is a gate, as rustc's `-D warnings`: a template that warns sends
    // nothing, each warning an error.
    if deny && !report.diagnostics.is_empty() {
        for d in &mut report.diagnostics {
            if !d.is_error() {
                d.severity = Severity::Error;
                d.notes.push(
                    "`--deny-warnings` makes this warning an error: nothing is sent".to_string(),
                );
            }
        }
        return Err(Exit::reports(Status::Errors, Stream::Stderr, vec![report]));
    }
    // The records: NDJSON read as the send goes (constant memory), or one document whole.
    let data = if plan.ndjson {
        match open_ndjson(&plan.data) {
            Ok((input, regular)) => Data::Ndjson(input, regular),
            Err(r) => {
                return Err(Exit::reports(
                    Status::Failure,
                    Stream::Stderr,
                    vec![report, r],
                ))
            }
        }
    } else {
        match super::load_data(&plan.data) {
            Ok(s) => Data::One(s),
            Err((r, status)) => return Err(Exit::reports(status, Stream::Stderr, vec![report, r])),
        }
    };
    let (journal, prior) = plan.open_journal()?;
    let outputs = plan.outputs()?;
    if let Some(j) = &journal {
        let endpoint = &plan.endpoint;
        j.run(&template.name, endpoint.page_id(), endpoint.base())
            .map_err(|e| {
                Exit::usage(
                    Stream::Stderr,
                    "",
                    codes::m9001_io(Severity::Error, format!("cannot write the journal: {e}"))
                        .help("check that its disk has room and is writable"),
                )
            })?;
    }

    // A journal whose last line a crash cut short: not silent, the line is dropped.
    let cut = plan.journal.as_ref().zip(prior.cut()).map(|(path, cut)| {
        let name = path.to_string_lossy();
        let mut r = FileReport::new(name.clone());
        r.diagnostics.push(
            codes::m9011_bad_journal(
                Severity::Warning,
                format!("the last line of the journal, {name}:{}:1, is cut short after {} bytes: ignored", cut.line, cut.bytes),
            )
            .note("missive was stopped while writing it (a crash or a power cut): its record counts as not sent, or as uncertain if its request was written before")
            .help("if the journal was instead cut short by a copy or a full disk, records it lost would be sent again: stop now and restore the whole journal"),
        );
        r
    });
    let single = match &data {
        Data::One(src) => Some(Arc::clone(src)),
        Data::Ndjson(..) => None,
    };
    let sink = Reporter::new(
        common,
        plan.token.as_ref(),
        [Some(report), cut],
        &plan.data,
        single,
        outputs,
    );
    let interrupt = interrupt::Interrupt::install();
    let batch = Batch {
        template: &template,
        endpoint: &plan.endpoint,
        token: plan.token.as_ref(),
        journal: journal.as_ref(),
        prior: &prior,
        stop: Some(interrupt.flag()),
        options: plan.options.clone(),
    };
    let (summary, read_error) = match data {
        // Read on a thread of its own that a stop does not wait for: standard input kept open
        // by its producer cannot hold the send after a refused token or a Ctrl-C.
        Data::Ndjson(input, regular) => batch.run_live(input, regular, &sink),
        Data::One(src) => (batch.run_one(Record::new(1, src.text.clone()), &sink), None),
    };
    drop(interrupt);
    Ok(sink
        .finish(
            summary,
            read_error,
            plan.options.dry_run,
            plan.journal.is_some(),
        )
        .into())
}

/// The records of a send.
enum Data {
    /// `--data-ndjson`: read line by line as the send goes; whether it is a regular file
    /// (after a stop, the records left in it are counted; a pipe's rest is left unread).
    Ndjson(Box<dyn Read + Send>, bool),
    /// `--data`: one JSON document, read whole.
    One(Arc<SourceFile>),
}

/// The `--data-ndjson` input, opened (`-`: standard input), and whether it is a regular file;
/// a file that cannot be read is an I/O failure, reported as `load_data` reports it.
fn open_ndjson(path: &str) -> Result<(Box<dyn Read + Send>, bool), FileReport> {
    if path == "-" {
        return Ok((Box::new(std::io::stdin()), super::stdin_is_regular_file()));
    }
    let opened = File::open(path).and_then(|f| {
        // A folder opens but cannot be read: refused here, before anything is sent.
        let metadata = f.metadata()?;
        if metadata.is_dir() {
            Err(std::io::Error::other("a folder"))
        } else {
            Ok((f, metadata.is_file()))
        }
    });
    opened
        .map(|(f, regular)| (Box::new(f) as Box<dyn Read + Send>, regular))
        .map_err(|e| {
            let mut r = FileReport::new(path);
            r.diagnostics.push(
                codes::m9001_io(
                    Severity::Error,
                    format!("cannot read `{path}`: {}", io_reason(&e, path)),
                )
                .help("check the path and that the file is readable"),
            );
            r
        })
}

/// Where the events go: delivery lines on stdout, diagnostics on stderr (or in one JSON
/// document at the end), rejects to their file.
struct Reporter<'a> {
    common: &'a Common,
    token: Option<&'a Token>,
    template_path: String,
    template_src: Option<Arc<SourceFile>>,
    /// The shared parts' files the template uses, which diagnostics can point into.
    template_parts: Vec<Arc<SourceFile>>,
    /// The data's name (its path as given), for NDJSON records' reports.
    data_name: String,
    /// `--data`: the one document, read whole (its reports show it all).
    single: Option<Arc<SourceFile>>,
    state: Mutex<State>,
    bar: Option<indicatif::ProgressBar>,
    /// Colours in human reports: stderr is a terminal and NO_COLOR is not set.
    color: bool,
}

struct State {
    out: Box<dyn Write + Send>,
    rejects: Option<BufWriter<File>>,
    /// `--format json`: every report, printed as one document at the end.
    reports: Vec<FileReport>,
    /// The record each of `reports` is about (none for the template's, the journal's, an
    /// I/O failure's): each of its diagnostics says it in JSON (`"record": N`).
    records: Vec<Option<usize>>,
    warnings: usize,
    /// The warnings of records sent, by code (a repeated one is shown a few times).
    repeats: super::batch::Repeats,
    write_error: Option<String>,
}

impl State {
    /// A report for the document at the end (`--format json`, `sarif`), about `record`.
    fn push(&mut self, report: FileReport, record: Option<usize>) {
        self.reports.push(report);
        self.records.push(record);
    }

    /// The JSON document's diagnostics, each of a record's with its `record` number (the field
    /// of `render --data-ndjson --format json`). `report::json` lists them report by report.
    fn number_diagnostics(&self, doc: &mut serde_json::Value) {
        let Some(list) = doc["diagnostics"].as_array_mut() else {
            return;
        };
        let mut items = list.iter_mut();
        for (report, record) in self.reports.iter().zip(&self.records) {
            for item in items.by_ref().take(report.diagnostics.len()) {
                if let (Some(n), Some(fields)) = (record, item.as_object_mut()) {
                    fields.insert("record".to_string(), (*n).into());
                }
            }
        }
    }

    fn new(out: Box<dyn Write + Send>, rejects: Option<BufWriter<File>>) -> State {
        State {
            out,
            rejects,
            reports: Vec::new(),
            records: Vec::new(),
            warnings: 0,
            repeats: Default::default(),
            write_error: None,
        }
    }
}

impl<'a> Reporter<'a> {
    /// A reporter for the records of `data_name` (`single`: the one document of `--data`);
    /// the template's own warnings (and a warning about the journal) are reported once, here
    /// (in JSON and SARIF, in the document at the end).
    fn new(
        common: &'a Common,
        token: Option<&'a Token>,
        [report, journal]: [Option<FileReport>; 2],
        data_name: &str,
        single: Option<Arc<SourceFile>>,
        mut state: State,
    ) -> Reporter<'a> {
        let template_src = report.as_ref().and_then(|r| r.template.clone());
        let template_parts = report.as_ref().map_or_else(Vec::new, |r| r.parts.clone());
        state.warnings = report
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| !d.is_error())
            .count();
        for r in [report, journal].into_iter().flatten() {
            if r.diagnostics.is_empty() {
                continue;
            }
            if matches!(common.format, Format::Json | Format::Sarif) {
                state.push(r, None);
            } else {
                print_reports(common, &[r], 1, Stream::Stderr, false);
            }
        }
        // The records are read as the send goes: their number is not known ahead.
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {human_pos} records  {per_sec}  {elapsed}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Reporter {
            common,
            token,
            template_path: template_src
                .as_ref()
                .map_or_else(String::new, |s| s.name.clone()),
            template_src,
            template_parts,
            // Standard input is named as `render` names it.
            data_name: if data_name == "-" {
                "<stdin>".to_string()
            } else {
                data_name.to_string()
            },
            single,
            state: Mutex::new(state),
            bar,
            color: std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn scrub(&self, text: &str) -> String {
        missive::delivery::scrub(self.token, text)
    }

    /// Flushes the outputs, prints the counts; the exit status. `read_error` cut the reading
    /// of the records short; `journaled`: the send has a journal, so a rerun goes on.
    fn finish(
        &self,
        summary: Summary,
        read_error: Option<std::io::Error>,
        dry_run: bool,
        journaled: bool,
    ) -> Status {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
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
        let mut counts = serde_json::json!({
            "read": read_count(&summary), "sent": summary.sent, "skipped": summary.skipped, "rejected": summary.rejected,
            "failed": summary.failed, "uncertain": summary.uncertain, "dry_run": summary.dry_run,
            "not_attempted": summary.not_attempted,
        });
        if summary.rest_unread {
            // Only when it is so: the input was not read to its end (a stream kept open).
            counts["rest_unread"] = serde_json::Value::Bool(true);
        }
        if let Some(n) = summary.stopped_at {
            // Only when it is so: `--max-rejects` was reached at this record.
            counts["stopped_at"] = n.into();
        }
        if let Some(e) = &read_error {
            let mut r = FileReport::new("");
            r.diagnostics.push(
                codes::m9001_io(
                    Severity::Error,
                    format!(
                        "the send stopped: cannot read `{}`: {e}",
                        self.data_name
                    ),
                )
                .help("check the file given with `--data-ndjson`; the records before the failure have their fates above, and a rerun with the same `--journal` skips those delivered"),
            );
            if matches!(self.common.format, Format::Json | Format::Sarif) {
                state.push(r, None);
            } else {
                print_reports(self.common, &[r], 1, Stream::Stderr, false);
            }
        }
        if let Some(e) = &write_error {
            let mut r = FileReport::new("");
            r.diagnostics.push(
                codes::m9001_io(Severity::Error, format!("cannot write the output: {e}"))
                    .help("check the disk and the files given with `-o` and `--rejects`"),
            );
            if matches!(self.common.format, Format::Json | Format::Sarif) {
                state.push(r, None);
            } else {
                print_reports(self.common, &[r], 1, Stream::Stderr, false);
            }
        }
        let repeats = state.repeats.counts();
        if !repeats.is_empty() {
            counts["warnings"] = serde_json::json!(repeats);
        }
        let text = match self.common.format {
            Format::Json => {
                let doc = report::json(&state.reports, 1);
                let mut v: serde_json::Value =
                    serde_json::from_str(&doc).unwrap_or_else(|_| serde_json::json!({}));
                state.number_diagnostics(&mut v);
                v["delivery"] = counts;
                format!("{}\n", self.scrub(&v.to_string()))
            }
            // SARIF readers want the log alone: the counts are in the exit status.
            Format::Sarif => format!("{}\n", self.scrub(&report::sarif(&state.reports))),
            _ if summary.stopped_at.is_some() => stopped(&summary, dry_run),
            _ if summary.not_attempted > 0 || summary.rest_unread => format!(
                "interrupted: {}: sent {}, skipped {} (already sent), rejected {}, failed {}, uncertain {}, not attempted {}{} ({})\n",
                read(&summary),
                summary.sent, summary.skipped, summary.rejected, summary.failed, summary.uncertain, summary.not_attempted,
                if summary.rest_unread { ", the rest of the input not read" } else { "" },
                resume(&summary, dry_run, journaled),
            ),
            _ if dry_run => format!(
                "dry run: {}: {} to send, {} skipped (already sent), {} rejected, {} uncertain\n",
                read(&summary),
                summary.dry_run, summary.skipped, summary.rejected, summary.uncertain
            ),
            _ => format!(
                "{}: sent {}, skipped {} (already sent), rejected {}, failed {}, uncertain {}\n",
                read(&summary),
                summary.sent, summary.skipped, summary.rejected, summary.failed, summary.uncertain
            ),
        };
        let text = match self.common.format {
            Format::Human | Format::Short => state.repeats.lines() + &text,
            _ => text,
        };
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
        if read_error.is_some() {
            Status::Failure
        } else if write_error.is_some() {
            if summary.sent == 0 {
                Status::Failure
            } else {
                Status::Errors
            }
        } else if !summary.all_delivered() || (self.common.deny_warnings && state.warnings > 0) {
            Status::Errors
        } else {
            Status::Ok
        }
    }
}

impl Sink for Reporter<'_> {
    fn event(&self, e: Event<'_>) {
        let n = e.record.number;
        let line = delivery_line(&e);
        let mut report = FileReport::new(self.template_path.clone());
        report.template = self.template_src.clone();
        report.parts = self.template_parts.clone();
        if !e.diagnostics.is_empty() {
            // An NDJSON record's diagnostics are located in the file, at the record's line.
            report.data = Some(
                self.single
                    .clone()
                    .unwrap_or_else(|| record_source(&self.data_name, &e.record.text, n)),
            );
        }
        // A repeated customer_id: the first record with it, at its line of the file.
        report.earlier = e
            .earlier
            .map(|(first, text)| record_source(&self.data_name, text, first));
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
            // The record as written (key order, `1.50`, big integers), on one line. A record
            // that may have been delivered is not under `data`: a rejects file fed back
            // (`jq -c .data`) must not send it again by accident.
            // A record that is not JSON is under `text`, so that `data` is always a record.
            let (data, maybe_delivered, text) = record_keys(e.record, outcome == "uncertain");
            json_line(&RejectLine {
                answer: e.answer,
                customer_id: e.customer_id,
                diagnostics: json_diagnostics(&report),
                outcome,
                reason: report
                    .diagnostics
                    .iter()
                    .find(|d| d.is_error())
                    .map(|d| d.message.clone()),
                record: n,
                status: e.status,
                data,
                maybe_delivered,
                text,
            })
        });

        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.write_lines(&mut state, &line, reject_line.as_deref());
        state.warnings += report.diagnostics.iter().filter(|d| !d.is_error()).count();
        if outcome.is_none() {
            // A record sent (or to send) with warnings: a warning repeated on every record is
            // shown for the first few only, and counted, as `render` does.
            report.diagnostics = state.repeats.keep(std::mem::take(&mut report.diagnostics));
        }
        if !report.diagnostics.is_empty() {
            if matches!(self.common.format, Format::Json | Format::Sarif) {
                state.push(report, Some(n));
            } else {
                self.print(&report);
            }
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

impl Reporter<'_> {
    /// A delivery line to the output and a reject line to the rejects file, token scrubbed; the
    /// first failure to write is kept for the end.
    fn write_lines(&self, state: &mut State, line: &str, reject_line: Option<&str>) {
        // Each line whole, in one write, at once: a send killed (a second Ctrl-C) or one that
        // waits on a live input leaves every line it reported in the files, none cut.
        let write = |w: &mut dyn Write, text: &str| -> Result<(), String> {
            let mut text = self.scrub(text);
            text.push('\n');
            w.write_all(text.as_bytes())
                .and_then(|()| w.flush())
                .map_err(|e| e.to_string())
        };
        let mut error = write(&mut state.out, line).err();
        if let (Some(r), Some(text)) = (state.rejects.as_mut(), reject_line) {
            error = error.or(write(r, text).err());
        }
        if let Some(e) = error {
            state.write_error.get_or_insert(e);
        }
    }

    /// A record's diagnostics on standard error, above the progress bar.
    fn print(&self, report: &FileReport) {
        let text = self.scrub(&match self.common.format {
            Format::Short => report::short(std::slice::from_ref(report)),
            _ => report::human(std::slice::from_ref(report), self.color),
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

/// A record's line on the output: its fate, or in a dry run the request.
fn delivery_line(e: &Event<'_>) -> String {
    match (e.fate, e.request) {
        (Fate::DryRun, Some((url, body))) => json_line(&RequestLine {
            record: e.record.number,
            method: "POST",
            url,
            body: &raw_json(&String::from_utf8_lossy(body)),
        }),
        _ => json_line(&DeliveryLine {
            record: e.record.number,
            customer_id: e.customer_id,
            result: e.fate.as_str(),
            status: e.status,
            attempts: e.attempts,
        }),
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
    first_clash(&written, &read)
}

/// The first file written (`written`) that is also another written one or one read (`read`),
/// as a usage error naming both flags: writing it would erase what the other holds.
pub(super) fn first_clash(
    written: &[(&str, Option<&std::path::Path>)],
    read: &[(&str, Option<&std::path::Path>)],
) -> Option<Diagnostic> {
    for (i, (flag, path)) in written.iter().enumerate() {
        let Some(path) = path else { continue };
        for (other, other_path) in written[i + 1..].iter().chain(read) {
            if other_path.is_some_and(|o| same_file(path, o)) {
                return Some(
                    codes::m9002_usage(format!(
                        "`{flag}` and `{other}` name the same file `{}`",
                        path.display()
                    ))
                    .help(format!("give `{flag}` a file of its own")),
                );
            }
        }
    }
    None
}

/// Whether two paths name one file (existing or not).
pub(super) fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
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

/// A line of standard output (or `-o`) in a send: the record's fate, keys in the README's order.
#[derive(Serialize)]
struct DeliveryLine<'a> {
    record: usize,
    customer_id: Option<&'a str>,
    result: &'static str,
    status: Option<u16>,
    attempts: u32,
}

/// "read 8 records", as `render --data-ndjson`'s summary opens: every record has one fate
/// (not attempted included), so the counts that follow add up to it.
fn read(summary: &Summary) -> String {
    let n = read_count(summary);
    format!("read {n} record{}", if n == 1 { "" } else { "s" })
}

/// The records read: every fate counted, those not attempted included.
fn read_count(summary: &Summary) -> usize {
    summary.sent
        + summary.skipped
        + summary.rejected
        + summary.failed
        + summary.uncertain
        + summary.dry_run
        + summary.not_attempted
}

/// The summary of a send that `--max-rejects` stopped: where, then the counts, the records
/// after it among them (not attempted, or, from a stream, not read).
/// How to go on after a send stopped early: the same command again, when a journal says what
/// was sent; without one, a rerun would send those records a second time.
fn resume(summary: &Summary, dry_run: bool, journaled: bool) -> String {
    let sent = summary.sent + summary.uncertain;
    if journaled || dry_run || sent == 0 {
        return "run the same command again to go on".into();
    }
    format!(
        "no `--journal`: the same command again would send the {sent} record{} sent a second time; the delivery lines say which. Give a send that may have to be resumed `--journal FILE`",
        if sent == 1 { "" } else { "s" }
    )
}

fn stopped(summary: &Summary, dry_run: bool) -> String {
    let at = summary.stopped_at.unwrap_or_default();
    let mut text = format!(
        "stopped at record {at}: `--max-rejects {}` reached, the records after it were not {}\n",
        summary.rejected,
        if dry_run { "looked at" } else { "sent" }
    );
    text.push_str(&if dry_run {
        format!(
            "dry run: {}: {} to send, {} skipped (already sent), {} rejected, {} uncertain",
            read(summary),
            summary.dry_run,
            summary.skipped,
            summary.rejected,
            summary.uncertain
        )
    } else {
        format!(
            "{}: sent {}, skipped {} (already sent), rejected {}, failed {}, uncertain {}",
            read(summary),
            summary.sent,
            summary.skipped,
            summary.rejected,
            summary.failed,
            summary.uncertain
        )
    });
    text.push_str(&format!(", not attempted {}", summary.not_attempted));
    if summary.rest_unread {
        text.push_str(", the rest of the input not read");
    }
    text.push('\n');
    text
}

/// A line of a dry run: the request that would be sent (the token as `***`).
#[derive(Serialize)]
struct RequestLine<'a> {
    record: usize,
    method: &'static str,
    url: &'a str,
    body: &'a RawValue,
}

/// JSON text (a rendered body), copied as is; text that is not JSON becomes a JSON string.
fn raw_json(text: &str) -> Box<RawValue> {
    serde_json::from_str::<&RawValue>(text)
        .map(ToOwned::to_owned)
        .unwrap_or_else(|_| serde_json::value::to_raw_value(text).expect("a string is JSON"))
}

/// Ctrl-C during a send: the first one stops starting requests (those in flight finish and are
/// journaled, so none is left uncertain); a second one ends the process at once.
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    /// The flag a send watches. Set by the first Ctrl-C; once set, the next Ctrl-C gets the
    /// default action (signal-hook's documented two-step pattern).
    pub struct Interrupt(Arc<AtomicBool>);

    impl Interrupt {
        pub fn install() -> Interrupt {
            let stop = Arc::new(AtomicBool::new(false));
            #[cfg(unix)]
            {
                use signal_hook::consts::SIGINT;
                use signal_hook::flag;
                // The order matters: the conditional default sees the flag before the first
                // Ctrl-C sets it. If a handler cannot be installed, Ctrl-C keeps its default.
                let _ = flag::register_conditional_default(SIGINT, Arc::clone(&stop))
                    .and_then(|_| flag::register(SIGINT, Arc::clone(&stop)));
            }
            Interrupt(stop)
        }

        pub fn flag(&self) -> &AtomicBool {
            &self.0
        }
    }

    impl Drop for Interrupt {
        /// After the send, Ctrl-C ends the process again.
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
}
