//! A send: records -> checked, rendered requests -> delivery through the journal, on N threads.
//! The caller sees every record's fate as an [`Event`] (to print it, write rejects, move a
//! progress bar) and gets the counts back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;
use std::time::Duration;

use super::client::{deliver, Client, Outcome};
use super::journal::{record_key, History, Journal, Prior};
use super::retry::{Pacer, RetryPolicy};
use super::{scrub, Endpoint, Token};
use crate::api_error;
use crate::check::data;
use crate::diagnostic::{Code, Diagnostic, Label, Origin};
use crate::span::Span;
use crate::Template;

/// One record of the data: a JSON document, the `number`-th of the input (its line, for
/// NDJSON), at byte `offset` of the input.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub number: usize,
    pub offset: usize,
    pub text: &'a str,
}

/// The records of an NDJSON text: one per non-blank line, numbered by line.
pub fn ndjson_records(text: &str) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        if !body.trim().is_empty() {
            out.push(Record {
                number: i + 1,
                offset,
                text: body,
            });
        }
        offset += line.len();
    }
    out
}

/// How a send behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Everything but the POST: the requests are reported instead.
    pub dry_run: bool,
    pub allow_duplicate_customer_id: bool,
    pub resend_uncertain: bool,
    /// Requests in flight at once (threads).
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// At most this many requests per second.
    pub rate: Option<f64>,
    /// Per request.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            dry_run: false,
            allow_duplicate_customer_id: false,
            resend_uncertain: false,
            concurrency: 1,
            retry: RetryPolicy::default(),
            rate: None,
            timeout: Duration::from_secs(30),
        }
    }
}

/// How a record ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Delivered now.
    Sent,
    /// Delivered by an earlier run (the journal says so): not sent again.
    Skipped,
    /// Not sent: it fails to render or check, or repeats a customer_id.
    Rejected,
    /// Not delivered: refused by the API, or every try failed.
    Failed,
    /// Maybe delivered: no answer after sending (now or in an earlier run).
    Uncertain,
    /// `--dry-run`: what would be sent.
    DryRun,
}

impl Fate {
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Sent => "sent",
            Fate::Skipped => "skipped",
            Fate::Rejected => "rejected",
            Fate::Failed => "failed",
            Fate::Uncertain => "uncertain",
            Fate::DryRun => "dry-run",
        }
    }
}

/// One record's fate, for the caller to report.
#[derive(Debug)]
pub struct Event<'a> {
    pub record: &'a Record<'a>,
    pub customer_id: Option<&'a str>,
    pub fate: Fate,
    /// The last HTTP status, when there was an answer.
    pub status: Option<u16>,
    pub attempts: u32,
    /// Why it was rejected or failed, and warnings. Data labels point into the whole input
    /// (the record's offset added); messages do not name the record (the caller does).
    pub diagnostics: Vec<Diagnostic>,
    /// The API's answer as received (token scrubbed), when it was not a success.
    pub answer: Option<&'a str>,
    /// Dry run: the URL (token `***`) and the body.
    pub request: Option<(&'a str, &'a [u8])>,
}

/// Receives the events of a send, from several threads.
pub trait Sink: Sync {
    fn event(&self, event: Event<'_>);
}

/// The counts of a send.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub sent: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub failed: usize,
    pub uncertain: usize,
    pub dry_run: usize,
    /// Records not looked at: the send was stopped (Ctrl-C) before them.
    pub not_attempted: usize,
}

impl Summary {
    fn count(&mut self, fate: Fate) {
        match fate {
            Fate::Sent => self.sent += 1,
            Fate::Skipped => self.skipped += 1,
            Fate::Rejected => self.rejected += 1,
            Fate::Failed => self.failed += 1,
            Fate::Uncertain => self.uncertain += 1,
            Fate::DryRun => self.dry_run += 1,
        }
    }

    /// Whether every record was delivered (now or earlier) or, in a dry run, would be sent.
    pub fn all_delivered(&self) -> bool {
        self.rejected == 0 && self.failed == 0 && self.uncertain == 0 && self.not_attempted == 0
    }
}

/// Everything a send needs besides the records.
pub struct Batch<'a> {
    pub template: &'a Template,
    pub endpoint: &'a Endpoint,
    /// `None` only in a dry run.
    pub token: Option<&'a Token>,
    pub journal: Option<&'a Journal>,
    /// What earlier runs did, from the journal.
    pub prior: &'a History,
    pub options: Options,
    /// Set (by a Ctrl-C handler) to stop: no new request starts, those in flight finish and
    /// their outcomes are journaled.
    pub stop: Option<&'a AtomicBool>,
}

/// A record ready to go.
struct Job<'a> {
    record: &'a Record<'a>,
    customer_id: String,
    key: String,
    body: Vec<u8>,
    warnings: Vec<Diagnostic>,
}

impl Batch<'_> {
    /// Sends the records (in a dry run, reports them) and returns the counts.
    pub fn run(&self, records: &[Record<'_>], sink: &dyn Sink) -> Summary {
        let summary = Mutex::new(Summary::default());
        let emit = |mut e: Event<'_>| {
            for d in &mut e.diagnostics {
                point_at_record(d, e.record);
            }
            summary
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .count(e.fate);
            sink.event(e);
        };
        let client = Client::new(self.options.timeout);
        let pacer = Pacer::new(self.options.rate);
        let workers = self.options.concurrency.max(1);
        let (tx, rx) = sync_channel::<Job<'_>>(workers * 2);
        let rx = Mutex::new(rx);
        // Set when the API refuses the token (401, 403): every other record would be refused
        // the same way, so no new request starts.
        let halt = AtomicBool::new(false);
        let stopped =
            || halt.load(Ordering::SeqCst) || self.stop.is_some_and(|s| s.load(Ordering::SeqCst));
        std::thread::scope(|s| {
            if !self.options.dry_run {
                for _ in 0..workers {
                    s.spawn(|| loop {
                        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            Ok(_) if stopped() => {
                                summary
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .not_attempted += 1;
                            }
                            Ok(job) => self.send(job, &client, &pacer, &halt, &emit),
                            Err(_) => break,
                        }
                    });
                }
            }
            let mut first_with: HashMap<String, usize> = HashMap::new();
            let mut occurrences: HashMap<String, usize> = HashMap::new();
            for (i, record) in records.iter().enumerate() {
                if stopped() {
                    summary
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .not_attempted += records.len() - i;
                    break;
                }
                let (customer_id, prepared) = self.prepare(record);
                let (customer_id, body, mut warnings) = match (customer_id, prepared) {
                    (Some(cid), Ok((body, warnings))) => (cid, body, warnings),
                    (cid, Err(diagnostics)) => {
                        emit(rejected(record, cid.as_deref(), diagnostics));
                        continue;
                    }
                    (None, Ok(_)) => {
                        let d = Diagnostic::error(
                            Code::Usage,
                            "the template has no `customer_id` scheme",
                        )
                        .help("declare one: `customer_id \"order-{{ order.number }}\"`");
                        emit(rejected(record, None, vec![d]));
                        continue;
                    }
                };
                if let Some(&first) = first_with.get(&customer_id) {
                    if !self.options.allow_duplicate_customer_id {
                        let d = Diagnostic::error(
                            Code::DuplicateCustomerId,
                            format!("same customer_id `{customer_id}` as record {first}"),
                        )
                        .help("make the scheme unique to the person (the guide: a customer_id must be unique, or notifications reach people who should not get them); if the repetition is intended, pass `--allow-duplicate-customer-id`");
                        warnings.push(d);
                        emit(rejected(record, Some(&customer_id), warnings));
                        continue;
                    }
                } else {
                    first_with.insert(customer_id.clone(), record.number);
                }
                let base = record_key(self.endpoint.page_id(), &customer_id, &body, 1);
                let n = occurrences.entry(base).or_insert(0);
                *n += 1;
                let key = record_key(self.endpoint.page_id(), &customer_id, &body, *n);
                let prior = self.prior.get(&key);
                // A new body for a customer an earlier run reached: the template or the data
                // changed since; sending would give that person the notification twice.
                if prior.is_none()
                    && !self.options.allow_duplicate_customer_id
                    && self.prior.reached(
                        self.endpoint.page_id(),
                        &self.template.name,
                        &customer_id,
                    )
                {
                    warnings.push(
                        Diagnostic::error(
                            Code::DuplicateCustomerId,
                            format!("an earlier run already sent `{}` to customer_id `{customer_id}`, with another message", self.template.name),
                        )
                        .help("the template or the record changed since that run; if this customer should get the new message too, pass `--allow-duplicate-customer-id`"),
                    );
                    emit(rejected(record, Some(&customer_id), warnings));
                    continue;
                }
                match prior {
                    Some(Prior::Delivered) => {
                        emit(Event {
                            record,
                            customer_id: Some(&customer_id),
                            fate: Fate::Skipped,
                            status: None,
                            attempts: 0,
                            diagnostics: warnings,
                            answer: None,
                            request: None,
                        });
                        continue;
                    }
                    Some(Prior::Uncertain) if !self.options.resend_uncertain => {
                        warnings.push(
                            Diagnostic::error(
                                Code::DeliveryUncertain,
                                format!("may have been delivered by an earlier run (customer_id `{customer_id}`): not sent again"),
                            )
                            .help("the journal has its request but no answer; when you know it did not arrive, send it with `--resend-uncertain`"),
                        );
                        emit(Event {
                            record,
                            customer_id: Some(&customer_id),
                            fate: Fate::Uncertain,
                            status: None,
                            attempts: 0,
                            diagnostics: warnings,
                            answer: None,
                            request: None,
                        });
                        continue;
                    }
                    _ => {}
                }
                if self.options.dry_run {
                    let url = self.endpoint.url(&customer_id, None);
                    emit(Event {
                        record,
                        customer_id: Some(&customer_id),
                        fate: Fate::DryRun,
                        status: None,
                        attempts: 0,
                        diagnostics: warnings,
                        answer: None,
                        request: Some((&url, &body)),
                    });
                    continue;
                }
                let job = Job {
                    record,
                    customer_id,
                    key,
                    body,
                    warnings,
                };
                if tx.send(job).is_err() {
                    break;
                }
            }
            drop(tx);
        });
        summary.into_inner().unwrap_or_else(|p| p.into_inner())
    }

    /// Checks and renders one record: its customer_id (when the scheme renders), and the body
    /// with its warnings, or every diagnostic.
    #[allow(clippy::type_complexity)]
    fn prepare(
        &self,
        record: &Record<'_>,
    ) -> (
        Option<String>,
        Result<(Vec<u8>, Vec<Diagnostic>), Vec<Diagnostic>>,
    ) {
        let shift = |ds: Vec<Diagnostic>| {
            ds.into_iter()
                .map(|d| shift_data_labels(d, record.offset))
                .collect::<Vec<_>>()
        };
        let (node, mut warnings) = match data::prepare(self.template, record.text) {
            Ok(x) => x,
            Err(errors) => return (None, Err(shift(errors))),
        };
        let mut errors = Vec::new();
        let customer_id = match self.template.customer_id_checked(&node) {
            Ok((id, w)) => {
                warnings.extend(w);
                id
            }
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let mut body = Vec::new();
        match self.template.render_to(&mut body, &node) {
            Ok(w) => warnings.extend(w),
            Err(e) => errors.extend(e),
        }
        if errors.is_empty() {
            (customer_id, Ok((body, shift(warnings))))
        } else {
            errors.extend(warnings);
            let mut errors = shift(errors);
            crate::diagnostic::sort(&mut errors);
            (customer_id, Err(errors))
        }
    }

    /// Sends one job through the journal and reports its fate.
    fn send(
        &self,
        job: Job<'_>,
        client: &Client,
        pacer: &Pacer,
        halt: &AtomicBool,
        emit: &dyn Fn(Event<'_>),
    ) {
        let Job {
            record,
            customer_id,
            key,
            body,
            mut warnings,
        } = job;
        let n = record.number;
        let token = self.token;
        if let Some(j) = self.journal {
            if let Err(e) = j.intent(&key, n, &self.template.name, &customer_id) {
                warnings.push(
                    Diagnostic::error(Code::Io, format!("not sent: cannot write the journal: {e}"))
                        .help("check that the journal's disk has room and is writable, then run again with the same journal"),
                );
                emit(Event {
                    record,
                    customer_id: Some(&customer_id),
                    fate: Fate::Failed,
                    status: None,
                    attempts: 0,
                    diagnostics: warnings,
                    answer: None,
                    request: None,
                });
                return;
            }
        }
        let url = self.endpoint.url(&customer_id, token);
        let outcome = deliver(client, &self.options.retry, pacer, &url, &body, &|t| {
            scrub(token, t)
        });
        let cid = &customer_id;
        let (fate, word, status, attempts, answer, message, diagnostic) = match &outcome {
            Outcome::Delivered { status, attempts } => (
                Fate::Sent,
                "delivered",
                Some(*status),
                *attempts,
                None,
                None,
                None,
            ),
            Outcome::Refused {
                status,
                body,
                attempts,
            } => {
                // Facebook's message mapped back to the template line and the data path.
                let error = api_error::parse_body(Some(*status), body);
                let data = crate::json::parse(record.text).ok();
                let mut d = shift_data_labels(
                    api_error::diagnose(self.template, data.as_ref(), &error),
                    record.offset,
                )
                .note(format!(
                    "not delivered to customer_id `{cid}` (HTTP {status}), and not retried: the same request would get the same answer"
                ));
                if matches!(status, 401 | 403) {
                    halt.store(true, Ordering::SeqCst);
                    d = d.note("the API refused the access token or this page: missive started no further request; fix the token (or `--page-id`) and run the same command again (with the same `--journal`, delivered records are skipped)");
                }
                (
                    Fate::Failed,
                    "refused",
                    Some(*status),
                    *attempts,
                    Some(body.as_str()),
                    Some(error.message),
                    Some(d),
                )
            }
            Outcome::Failed {
                reason,
                status,
                body,
                attempts,
            } => {
                let mut d = Diagnostic::error(
                    Code::DeliveryFailed,
                    format!("not delivered after {attempts} tries (customer_id `{cid}`): {reason}"),
                )
                .help("run again with the same `--journal` to send it again; if the API answered 429, lower `--rate` or `--concurrency`");
                if let Some(b) = body.as_deref().filter(|b| !b.is_empty()) {
                    d = d.note(format!("the API's answer: {}", shorten(b)));
                }
                (
                    Fate::Failed,
                    "failed",
                    *status,
                    *attempts,
                    body.as_deref(),
                    Some(reason.clone()),
                    Some(d),
                )
            }
            Outcome::Uncertain { reason, attempts } => {
                let d = Diagnostic::error(
                    Code::DeliveryUncertain,
                    format!("may have been delivered (customer_id `{cid}`): {reason}"),
                )
                .help("the request went out but no answer came back, so it is not sent again (that could deliver it twice); if the API is only slow, raise `--timeout`; once you know the customer did not get it, run again with the same `--journal` and `--resend-uncertain`");
                (
                    Fate::Uncertain,
                    "uncertain",
                    None,
                    *attempts,
                    None,
                    Some(reason.clone()),
                    Some(d),
                )
            }
        };
        if let Some(j) = self.journal {
            if let Err(e) = j.outcome(&key, n, word, status, message.as_deref()) {
                warnings.push(
                    Diagnostic::warning(
                        Code::Io,
                        format!("cannot write its outcome to the journal: {e}"),
                    )
                    .help("a rerun with this journal will list the record as uncertain"),
                );
            }
        }
        warnings.extend(diagnostic);
        emit(Event {
            record,
            customer_id: Some(&customer_id),
            fate,
            status,
            attempts,
            diagnostics: warnings,
            answer,
            request: None,
        });
    }
}

fn rejected<'a>(
    record: &'a Record<'a>,
    customer_id: Option<&'a str>,
    diagnostics: Vec<Diagnostic>,
) -> Event<'a> {
    Event {
        record,
        customer_id,
        fate: Fate::Rejected,
        status: None,
        attempts: 0,
        diagnostics,
        answer: None,
        request: None,
    }
}

/// A diagnostic that points nowhere (a repeated customer_id, a delivery that failed) points
/// at its record's first character in the input: that says where it is, as its number does.
fn point_at_record(d: &mut Diagnostic, record: &Record<'_>) {
    if d.labels.is_empty() {
        let bom = if record.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        let first = record.text[bom..].chars().next().map_or(0, char::len_utf8);
        let start = record.offset + bom;
        let span = Span::new(start, start + first);
        d.labels.push(Label {
            origin: Origin::Data,
            span,
            message: Some("this record".to_string()),
            fix: None,
        });
    }
}

/// A record's diagnostic with its data labels moved from the record's text into the input's.
fn shift_data_labels(mut d: Diagnostic, offset: usize) -> Diagnostic {
    for l in &mut d.labels {
        if l.origin == Origin::Data {
            l.span = Span::new(l.span.start as usize + offset, l.span.end as usize + offset);
        }
    }
    d
}

/// At most 500 characters of an answer, for a note.
fn shorten(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(500) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Record number, fate, customer_id, codes of the diagnostics.
    type Seen = (usize, Fate, Option<String>, Vec<Code>);

    struct Collect(Mutex<Vec<Seen>>);

    impl Sink for Collect {
        fn event(&self, e: Event<'_>) {
            let codes = e.diagnostics.iter().map(|d| d.code).collect();
            self.0.lock().unwrap().push((
                e.record.number,
                e.fate,
                e.customer_id.map(str::to_string),
                codes,
            ));
        }
    }

    const TEMPLATE: &str = "notification hi\ncustomer_id \"c-{{ id }}\"\ninput { id: string max 9, name: string max 9 }\ntext \"Hi {{ name }}\"\n";

    #[test]
    fn a_dry_run_rejects_bad_and_repeated_records_and_skips_delivered_ones() {
        let template = crate::compile(TEMPLATE, &crate::Options::default())
            .template
            .unwrap();
        let endpoint = Endpoint::new("http://127.0.0.1:1", "7").unwrap();
        let dir = std::env::temp_dir().join(format!("missive-batch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j.journal");
        let _ = std::fs::remove_file(&path);
        {
            // An earlier run delivered record `c-1` with this very body.
            let (j, _) = Journal::open(&path).unwrap();
            let key = record_key("7", "c-1", br#"{"text":"Hi Ann"}"#, 1);
            j.intent(&key, 1, "hi", "c-1").unwrap();
            j.outcome(&key, 1, "delivered", Some(200), None).unwrap();
        }
        let history = Journal::history(&path).unwrap();
        let text = concat!(
            "{\"id\": \"1\", \"name\": \"Ann\"}\n",
            "{\"id\": \"2\"}\n",
            "{\"id\": \"3\", \"name\": \"Bob\"}\n",
            "{\"id\": \"3\", \"name\": \"Bob2\"}\n",
            "{\"id\": \"1\", \"name\": \"Ann\"}\n",
        );
        let records = ndjson_records(text);
        let batch = Batch {
            template: &template,
            endpoint: &endpoint,
            token: None,
            journal: None,
            prior: &history,
            options: Options {
                dry_run: true,
                ..Options::default()
            },
            stop: None,
        };
        let sink = Collect(Mutex::new(Vec::new()));
        let summary = batch.run(&records, &sink);
        let events = sink.0.into_inner().unwrap();
        let c = |s: &str| Some(s.to_string());
        assert_eq!(
            events,
            vec![
                (1, Fate::Skipped, c("c-1"), vec![]),
                (2, Fate::Rejected, None, vec![Code::MissingData]),
                (3, Fate::DryRun, c("c-3"), vec![]),
                (4, Fate::Rejected, c("c-3"), vec![Code::DuplicateCustomerId]),
                (5, Fate::Rejected, c("c-1"), vec![Code::DuplicateCustomerId]),
            ]
        );
        assert_eq!(
            summary,
            Summary {
                skipped: 1,
                rejected: 3,
                dry_run: 1,
                ..Summary::default()
            }
        );
        assert!(!summary.all_delivered());
    }

    #[test]
    fn ndjson_records_are_numbered_by_line() {
        let text = "{\"a\":1}\n\n  \r\n{\"a\":2}\r\n{\"a\":3}";
        let r = ndjson_records(text);
        let got: Vec<(usize, usize, &str)> =
            r.iter().map(|r| (r.number, r.offset, r.text)).collect();
        assert_eq!(
            got,
            vec![
                (1, 0, "{\"a\":1}"),
                (4, 13, "{\"a\":2}"),
                (5, 22, "{\"a\":3}")
            ]
        );
        assert_eq!(&text[13..20], "{\"a\":2}");
    }
}
