//! `missive render --data-ndjson`: many records, one rendered line each, through the library's
//! streaming core (`missive::batch`); here only the presentation: the output lines, the
//! rejected records on stderr and in `--rejects`, repeated warnings counted, the summary, the
//! progress bar.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use missive::batch::{self, Done, Outcome as Fate, Summary};
use missive::diagnostic::codes;
use missive::diagnostic::report::{self, FileReport};
use missive::{Diagnostic, RequestOptions, Severity, SourceFile, Template};

use super::rejects::{json_diagnostics, json_line, record_keys, record_source, RejectLine};
use super::{io_reason, print_reports, Common, Exit, Format, Outcome, Status, Stream};

/// A warning's full report is shown for this many records; later ones are only counted.
const EXAMPLES: usize = 3;

/// The batch flags of `render`.
pub struct Flags {
    /// The records' file, `-` for standard input.
    pub data: String,
    pub output: Option<PathBuf>,
    pub rejects: Option<PathBuf>,
    pub max_rejects: Option<usize>,
    pub aligned: bool,
    pub jobs: Option<usize>,
}

/// Renders every record of `flags.data`; `report` holds the template (and its own warnings).
pub fn run(
    common: &Common,
    report: FileReport,
    template: &Template,
    request: Option<RequestOptions>,
    flags: Flags,
) -> Outcome {
    let failure = |d| Exit::usage(Stream::Stderr, "", d);
    if flags.max_rejects == Some(0) || flags.jobs == Some(0) {
        let flag = if flags.jobs == Some(0) {
            "jobs"
        } else {
            "max-rejects"
        };
        return Err(failure(
            codes::m9002_usage(format!("`--{flag} 0` is not a count"))
                .help(format!("give a number from 1, e.g. `--{flag} 10`")),
        ));
    }
    if let Some(d) = clashing_files(&report.path, &flags) {
        return Err(failure(d));
    }
    let input: Box<dyn Read + Send> = if flags.data == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(&flags.data).map_err(|e| {
            failure(
                codes::m9001_io(
                    Severity::Error,
                    format!(
                        "cannot read `{}`: {}",
                        flags.data,
                        io_reason(&e, &flags.data)
                    ),
                )
                .help("check the path of `--data-ndjson`"),
            )
        })?)
    };
    let create = |path: &PathBuf| {
        File::create(path).map(BufWriter::new).map_err(|e| {
            let name = path.to_string_lossy().into_owned();
            failure(
                codes::m9001_io(
                    Severity::Error,
                    format!("cannot write `{name}`: {}", io_reason(&e, &name)),
                )
                .help("check that the folder exists and is writable"),
            )
        })
    };
    let rejects = flags.rejects.as_ref().map(create).transpose()?;
    let out: Box<dyn Write> = match flags.output.as_ref().map(create).transpose()? {
        Some(f) => Box::new(f),
        None => Box::new(BufWriter::with_capacity(
            256 * 1024,
            std::io::stdout().lock(),
        )),
    };
    let reporter = std::cell::RefCell::new(Reporter::new(common, report, &flags, out, rejects));
    let options = batch::Options {
        jobs: flags.jobs.unwrap_or(0),
        request,
        max_rejects: flags.max_rejects,
        aligned: flags.aligned,
        customer_id: false,
    };
    // Read on a thread of its own that a stop does not wait for: `--max-rejects` reached on
    // standard input kept open by its producer ends the batch at once. While the input has
    // nothing new, the lines so far are flushed (a live stream's reader gets each when its
    // record came), and a failure to write them ends the batch.
    let flush = || reporter.borrow_mut().flush_output();
    let failed = || reporter.borrow().output_failed;
    let live = batch::Live {
        stop: Some(&failed),
        waiting: Some(&flush),
        count_rest: false,
    };
    let result = batch::stream_live(template, input, &options, &live, |done| {
        reporter
            .borrow_mut()
            .record(done)
            .map(|()| batch::Flow::Next)
    });
    Ok(reporter.into_inner().finish(result).into())
}

/// The files written must not be one another, the records or the template.
fn clashing_files(template: &str, flags: &Flags) -> Option<Diagnostic> {
    let written = [
        ("--rejects", flags.rejects.as_deref()),
        ("--output", flags.output.as_deref()),
    ];
    let read = [
        ("TEMPLATE", Some(std::path::Path::new(template))),
        (
            "--data-ndjson",
            (flags.data != "-").then(|| std::path::Path::new(&flags.data)),
        ),
    ];
    super::send::first_clash(&written, &read)
}

/// A warning's tally: on how many records, and how many of them were shown.
#[derive(Default)]
struct Tally {
    records: usize,
    shown: usize,
}

/// The records' warnings by code: a warning repeated on every record is shown for the first
/// [`EXAMPLES`] records only, and counted (`render` and `send` alike).
#[derive(Default)]
pub(super) struct Repeats(BTreeMap<&'static str, Tally>);

impl Repeats {
    /// A record's warnings: counted once per record and code; those to show (the codes not yet
    /// shown on [`EXAMPLES`] records) are kept.
    pub(super) fn keep(&mut self, warnings: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut codes: Vec<&'static str> = warnings.iter().map(|d| d.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let mut show = Vec::new();
        for code in codes {
            let t = self.0.entry(code).or_default();
            t.records += 1;
            if t.shown < EXAMPLES {
                t.shown += 1;
                show.push(code);
            }
        }
        warnings
            .into_iter()
            .filter(|d| show.contains(&d.code.as_str()))
            .collect()
    }

    /// On how many records each code warned.
    pub(super) fn counts(&self) -> BTreeMap<String, usize> {
        self.0
            .iter()
            .map(|(c, t)| (c.to_string(), t.records))
            .collect()
    }

    /// Records warned, over every code.
    pub(super) fn records(&self) -> usize {
        self.0.values().map(|t| t.records).sum()
    }

    /// For the human and short reports: a line for each code shown on fewer records than it
    /// warned on.
    pub(super) fn lines(&self) -> String {
        let mut text = String::new();
        for (code, t) in self
            .0
            .iter()
            .filter(|(_, t)| t.records > t.shown && t.shown > 0)
        {
            text.push_str(&format!(
                "warning[{code}] on {} records in all: the first {} shown above\n",
                t.records, t.shown
            ));
        }
        text
    }
}

struct Reporter<'a> {
    common: &'a Common,
    template_path: String,
    template_src: Option<Arc<SourceFile>>,
    /// The shared parts' files the template uses, which diagnostics can point into.
    template_parts: Vec<Arc<SourceFile>>,
    data_name: String,
    aligned: bool,
    /// `--aligned`: the input lines written so far (a blank line gets its `null` too).
    lines: batch::Aligned,
    out: Box<dyn Write + 'a>,
    rejects: Option<BufWriter<File>>,
    /// The first failure to write the rejects file.
    rejects_error: Option<std::io::Error>,
    /// The template's own warnings (shown once, before the records).
    template_warnings: usize,
    /// Set when writing the output failed (else a failure of the batch is in reading).
    output_failed: bool,
    /// The record being reported (`--format json` names it).
    last_record: Option<usize>,
    /// Records reported so far, rendered (their line given to the output) and rejected: said
    /// when the batch is cut short.
    handled: (usize, usize),
    /// The records' warnings by code.
    warnings: Repeats,
    /// `--format sarif`: the reports, printed as one log at the end.
    sarif: Vec<FileReport>,
    bar: Option<indicatif::ProgressBar>,
    color: bool,
}

impl<'a> Reporter<'a> {
    fn new(
        common: &'a Common,
        report: FileReport,
        flags: &Flags,
        out: Box<dyn Write + 'a>,
        rejects: Option<BufWriter<File>>,
    ) -> Reporter<'a> {
        let tty = std::io::stderr().is_terminal();
        let mut r = Reporter {
            common,
            template_path: report.path.clone(),
            template_src: report.template.clone(),
            template_parts: report.parts.clone(),
            data_name: if flags.data == "-" {
                "<stdin>".to_string()
            } else {
                flags.data.clone()
            },
            aligned: flags.aligned,
            lines: batch::Aligned::default(),
            out,
            rejects,
            rejects_error: None,
            template_warnings: 0,
            last_record: None,
            handled: (0, 0),
            output_failed: false,
            warnings: Repeats::default(),
            sarif: Vec::new(),
            bar: None,
            color: tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        };
        // The template's own warnings, once.
        r.template_warnings = report.diagnostics.len();
        if !report.diagnostics.is_empty() {
            r.show(report);
        }
        r.bar = tty.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {human_pos} records  {msg}  {elapsed}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        r
    }

    /// The output so far, written out while the batch waits for its next record; a failure
    /// is kept (`output_failed`), and said at the end, when the flush fails again.
    fn flush_output(&mut self) {
        if self.out.flush().is_err() {
            self.output_failed = true;
        }
    }

    /// One record, in input order: its line, its diagnostics.
    fn record(&mut self, done: Done) -> std::io::Result<()> {
        let written = self.handle(done);
        self.output_failed |= written.is_err();
        written
    }

    fn handle(&mut self, done: Done) -> std::io::Result<()> {
        self.last_record = Some(done.record.number);
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let pos = bar.position();
            if pos % 4096 == 0 {
                let secs = bar.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!("{:.0} records/s", pos as f64 / secs));
            }
        }
        let n = done.record.number;
        if self.aligned {
            self.lines.blank_lines_before(&mut self.out, n)?;
        }
        match done.outcome {
            Fate::Rendered { json, warnings } => {
                self.out.write_all(&json)?;
                self.out.write_all(b"\n")?;
                self.handled.0 += 1;
                // A warning repeated on every record is shown for the first few only.
                let shown = self.warnings.keep(warnings);
                if !shown.is_empty() {
                    let report = self.report(n, &done.record.text, shown);
                    self.show(report);
                }
            }
            Fate::Rejected { diagnostics } => {
                self.handled.1 += 1;
                if self.aligned {
                    self.out.write_all(b"null\n")?;
                }
                let report = self.report(n, &done.record.text, diagnostics);
                if self.rejects.is_some() {
                    let (data, _, text) = record_keys(&done.record, false);
                    let line = json_line(&RejectLine {
                        answer: None,
                        customer_id: None,
                        diagnostics: json_diagnostics(&report),
                        outcome: "rejected",
                        reason: report
                            .diagnostics
                            .iter()
                            .find(|d| d.is_error())
                            .map(|d| d.message.clone()),
                        record: n,
                        status: None,
                        data,
                        maybe_delivered: None,
                        text,
                    });
                    if let Some(w) = self.rejects.as_mut() {
                        // The line whole, in one write, at once (rejects are rare): a batch
                        // killed leaves none cut.
                        if let Err(e) = w
                            .write_all(format!("{line}\n").as_bytes())
                            .and_then(|()| w.flush())
                        {
                            self.rejects_error.get_or_insert(e);
                        }
                    }
                }
                self.show(report);
            }
        }
        Ok(())
    }

    /// A record's report: its diagnostics, named by record, over the record's text at its line
    /// of the input.
    fn report(&self, n: usize, text: &str, mut diagnostics: Vec<Diagnostic>) -> FileReport {
        for d in &mut diagnostics {
            d.message = format!("record {n}: {}", d.message);
        }
        let mut report = FileReport::new(self.template_path.clone());
        report.template = self.template_src.clone();
        report.parts = self.template_parts.clone();
        // Located in the NDJSON file itself: its path, the record's line, the column in it.
        report.data = Some(record_source(&self.data_name, text, n));
        report.diagnostics = diagnostics;
        report
    }

    /// A report on standard error in the format asked for, above the progress bar. JSON: one
    /// document a line; SARIF: one log at the end.
    fn show(&mut self, report: FileReport) {
        let text = match self.common.format {
            Format::Human => report::human(std::slice::from_ref(&report), self.color),
            Format::Short => report::short(std::slice::from_ref(&report)),
            Format::Json => {
                let record = report.data.as_ref().and(self.last_record);
                let doc =
                    serde_json::json!({"record": record, "diagnostics": json_diagnostics(&report)});
                format!("{doc}\n")
            }
            Format::Sarif => {
                self.sarif.push(report);
                return;
            }
        };
        let print = || {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// Flushes the outputs, prints the summary; the exit status.
    fn finish(mut self, result: std::io::Result<Summary>) -> Status {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let result = result.and_then(|s| {
            let end = if self.aligned {
                self.lines.blank_lines_before(&mut self.out, s.lines + 1)
            } else {
                Ok(())
            };
            match end.and_then(|()| self.out.flush()) {
                // A write that failed earlier stopped the batch, though this flush went through.
                Ok(()) if self.output_failed => Err(std::io::Error::other(
                    "a write failed before the end, and the batch stopped there",
                )),
                Ok(()) => Ok(s),
                Err(e) => {
                    self.output_failed = true;
                    Err(e)
                }
            }
        });
        let summary = match result {
            Ok(s) => s,
            Err(e) => {
                // Standard output closed, a disk full, a read error: the batch is cut short.
                let (rendered, rejected) = self.handled;
                let handled = format!(
                    "{rendered} record{} rendered and {rejected} rejected before it; the records after it were not read",
                    if rendered == 1 { "" } else { "s" },
                );
                let d = if self.output_failed && e.kind() == std::io::ErrorKind::BrokenPipe {
                    // `| head -1`: the reader of the output stopped reading.
                    codes::m9001_io(
                        Severity::Error,
                        "the batch stopped: its output was closed (the program reading it ended)",
                    )
                    .note(handled)
                    .help("to render every record, write them to a file (`-o FILE`) or let the reader read to the end")
                } else if self.output_failed {
                    codes::m9001_io(
                        Severity::Error,
                        format!("the batch stopped: cannot write the output: {e}"),
                    )
                    .note(handled)
                    .help("check the disk and the file given with `-o`")
                } else {
                    codes::m9001_io(
                        Severity::Error,
                        format!("the batch stopped: cannot read `{}`: {e}", self.data_name),
                    )
                    .help("check the file given with `--data-ndjson`")
                };
                let mut r = FileReport::new("");
                r.diagnostics.push(d);
                print_reports(self.common, &[r], 1, Stream::Stderr, false);
                return Status::Failure;
            }
        };
        if let Some(w) = self.rejects.as_mut() {
            if let Err(e) = w.flush() {
                self.rejects_error.get_or_insert(e);
            }
        }
        let warned: usize = self.template_warnings + self.warnings.records();
        let stderr = &mut std::io::stderr().lock();
        match self.common.format {
            Format::Json => {
                let doc = serde_json::json!({"summary": {
                    "read": summary.read, "rendered": summary.rendered,
                    "rejected": summary.rejected, "stopped_at": summary.stopped_at,
                    "warnings": self.warnings.counts(),
                }});
                let _ = writeln!(stderr, "{doc}");
            }
            Format::Sarif => {
                let _ = writeln!(stderr, "{}", report::sarif(&self.sarif));
            }
            Format::Human | Format::Short => {
                let _ = stderr.write_all(self.warnings.lines().as_bytes());
                if let Some(n) = summary.stopped_at {
                    let _ = writeln!(
                        stderr,
                        "stopped at record {n}: `--max-rejects {}` reached, the records after it were not read",
                        summary.rejected
                    );
                }
                let _ = writeln!(
                    stderr,
                    "read {} record{}: rendered {}, rejected {}",
                    summary.read,
                    if summary.read == 1 { "" } else { "s" },
                    summary.rendered,
                    summary.rejected
                );
            }
        }
        if let Some(e) = &self.rejects_error {
            let mut r = FileReport::new("");
            r.diagnostics.push(
                codes::m9001_io(
                    Severity::Error,
                    format!("cannot write the rejects file: {e}"),
                )
                .help("check the disk and the file given with `--rejects`"),
            );
            print_reports(self.common, &[r], 1, Stream::Stderr, false);
            return Status::Failure;
        }
        let rejected = summary.rejected > 0 && !self.aligned;
        let denied = self.common.deny_warnings && warned > 0;
        if rejected || summary.stopped_at.is_some() || denied {
            Status::Errors
        } else {
            Status::Ok
        }
    }
}
