//! A send: records -> checked, rendered requests -> delivery through the journal, on N threads.
//! The records are read, checked and rendered by the batch core ([`crate::batch`], the same
//! per-record path as `render --data-ndjson`, in constant memory), and handed here in input
//! order. The caller sees every record's fate as an [`Event`] (to print it, write rejects, move
//! a progress bar) and gets the counts back.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, TryRecvError};
use std::sync::Mutex;
use std::time::Duration;

use super::client::{deliver, Client, Outcome};
use super::journal::{record_key, History, Journal, Pending, Prior};
use super::retry::{Pacer, RetryPolicy};
use super::{scrub, Endpoint, Token};
use crate::api_error;
use crate::batch::{self as core, Done, Flow};
use crate::diagnostic::{codes, Diagnostic, Label, Origin, Severity};
use crate::span::Span;
use crate::Template;

/// One record of the data, as the batch core reads it: a JSON document, the `number`-th of the
/// input (its line, for NDJSON). Diagnostics about it point into its own text.
pub use crate::batch::Record;

/// How a send behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Everything but the POST: the requests are reported instead.
    pub dry_run: bool,
    /// Send records that repeat a customer_id of the same run, or that an earlier run (in the
    /// journal) sent another message to.
    pub allow_duplicate_customer_id: bool,
    /// Send again the records an earlier run may have delivered (no answer in the journal).
    pub resend_uncertain: bool,
    /// Requests in flight at once (threads).
    pub concurrency: usize,
    /// When and how often a failed request is tried again.
    pub retry: RetryPolicy,
    /// At most this many requests per second.
    pub rate: Option<f64>,
    /// Per request.
    pub timeout: Duration,
    /// Stop once this many records have been rejected (the last of them included): the
    /// records after it are not attempted. `None` goes on to the end.
    pub max_rejects: Option<usize>,
    /// A record whose rendering warns is not sent: its warnings are errors (`--deny-warnings`).
    pub deny_warnings: bool,
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
            max_rejects: None,
            deny_warnings: false,
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
    /// Its name in reports: `sent`, `dry-run`...
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
    /// The record.
    pub record: &'a Record,
    /// Its customer_id, when it rendered.
    pub customer_id: Option<&'a str>,
    /// How it ended.
    pub fate: Fate,
    /// The last HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// How many requests were made for it (0: none).
    pub attempts: u32,
    /// Why it was rejected or failed, and warnings. Data labels point into the record's text
    /// (its line of the input, for NDJSON); messages do not name the record (the caller does).
    pub diagnostics: Vec<Diagnostic>,
    /// The API's answer as received (token scrubbed), when it was not a success.
    pub answer: Option<&'a str>,
    /// Dry run: the URL (token `***`) and the body.
    pub request: Option<(&'a str, &'a [u8])>,
    /// An earlier record that labels of [`Origin::Earlier`] point into (the first record with
    /// a repeated customer_id): its number and text.
    pub earlier: Option<(usize, &'a str)>,
}

/// Receives the events of a send, from several threads.
pub trait Sink: Sync {
    /// Called once per record, when its fate is known.
    fn event(&self, event: Event<'_>);
}

/// The counts of a send.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Records of fate [`Fate::Sent`].
    pub sent: usize,
    /// Records of fate [`Fate::Skipped`].
    pub skipped: usize,
    /// Records of fate [`Fate::Rejected`].
    pub rejected: usize,
    /// Records of fate [`Fate::Failed`].
    pub failed: usize,
    /// Records of fate [`Fate::Uncertain`].
    pub uncertain: usize,
    /// Records of fate [`Fate::DryRun`].
    pub dry_run: usize,
    /// Records not looked at: the send was stopped (Ctrl-C, a refused token) before them.
    pub not_attempted: usize,
    /// The send stopped before the end of a live input ([`Batch::run_live`]), whose rest was
    /// left unread: how many records it held is not known.
    pub rest_unread: bool,
    /// [`Options::max_rejects`] was reached at this record: the records after it were not
    /// attempted.
    pub stopped_at: Option<usize>,
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
        self.rejected == 0
            && self.failed == 0
            && self.uncertain == 0
            && self.not_attempted == 0
            && !self.rest_unread
    }
}

/// Everything a send needs besides the records.
pub struct Batch<'a> {
    /// The template each record is rendered with.
    pub template: &'a Template,
    /// Where the requests go.
    pub endpoint: &'a Endpoint,
    /// `None` only in a dry run.
    pub token: Option<&'a Token>,
    /// Where intents and outcomes are written, so a later run knows what was sent.
    pub journal: Option<&'a Journal>,
    /// What earlier runs did, from the journal.
    pub prior: &'a History,
    /// How it behaves.
    pub options: Options,
    /// Set (by a Ctrl-C handler) to stop: no new request starts, those in flight finish and
    /// their outcomes are journaled.
    pub stop: Option<&'a AtomicBool>,
}

/// How a delivery ended: for the journal (`word`, `message`) and the event.
struct Verdict<'o> {
    fate: Fate,
    word: &'static str,
    status: Option<u16>,
    attempts: u32,
    answer: Option<&'o str>,
    message: Option<String>,
    diagnostic: Option<Diagnostic>,
}

/// A record sent, to report once its outcome is on disk.
struct Finished {
    record: Record,
    customer_id: String,
    fate: Fate,
    status: Option<u16>,
    attempts: u32,
    warnings: Vec<Diagnostic>,
    diagnostic: Option<Diagnostic>,
    answer: Option<String>,
    /// The outcome's line in the journal, written (or not), maybe not yet durable.
    written: Option<std::io::Result<Pending>>,
}

/// A record ready to go.
struct Job {
    record: Record,
    customer_id: String,
    key: String,
    body: Vec<u8>,
    warnings: Vec<Diagnostic>,
}

/// What a send does with a record that rendered, given the run so far and the journal's
/// history: the policy, apart from threads, files and the network.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    /// Send it, journaled under this key.
    Send { key: String },
    /// `--dry-run`: report the request it would send.
    DryRun,
    /// An earlier run delivered it: not sent again.
    Skip,
    /// An earlier run may have delivered it: not sent again, for the reason given.
    Uncertain(Diagnostic),
    /// Not sent, for the reason given (a repeated customer_id).
    Reject(Diagnostic),
}

/// The policy of a send, record after record: repeated customer_ids (in this run, or reached by
/// an earlier one with another message), what the journal says earlier runs did, dry runs. It
/// remembers the customer_ids (or, when repeats are allowed, the bodies) of the run by hashes,
/// in one map of 16-byte entries: the one memory of a send that grows with its input. It reads
/// and writes nothing.
#[derive(Debug)]
pub(crate) struct Policy<'a> {
    page_id: &'a str,
    notification: &'a str,
    prior: &'a History,
    options: &'a Options,
    /// customer_id (96 bits of its SHA-256: no two of 10 million ids collide but with odds of
    /// about 1e-15) -> the number of the first record with it (`u32::MAX` past 4 billion).
    /// Not kept when duplicates are allowed: it would only be written.
    first_with: HashMap<[u8; 12], u32>,
    /// How many records of the run had the same page, customer_id and body (by first key, its
    /// 128 bits, as the journal knows records). Kept only when duplicates are allowed: else
    /// each customer_id comes once.
    occurrences: HashMap<[u8; 16], u32>,
    /// The texts of the latest records that came first with their customer_id, for the label
    /// of a repeat at the first one ([`Policy::decide_record`]).
    earlier: Earlier,
    /// Set by [`Policy::decide`]: the record was the first with its customer_id.
    fresh: bool,
    /// Set by [`Policy::decide`]: the record repeats the customer_id of this record of the run.
    repeat_of: Option<u32>,
}

/// How many bytes of records' text a send keeps for the label of a repeated customer_id at
/// the first record with it: the latest records only, so that memory does not grow with the
/// input (a repeat of a record no longer kept is reported without that label).
const EARLIER_BYTES: usize = 1 << 20;
/// What a kept text costs beside its bytes: its slot in the queue and its allocation.
const EARLIER_OVERHEAD: usize = 48;

/// The texts of the latest records that came first with their customer_id, in input order,
/// [`EARLIER_BYTES`] at most.
#[derive(Debug, Default)]
struct Earlier {
    texts: std::collections::VecDeque<(usize, Box<str>)>,
    bytes: usize,
}

impl Earlier {
    fn keep(&mut self, number: usize, text: &str) {
        if text.len() > EARLIER_BYTES {
            return;
        }
        // A kept text costs its bytes and its slot (with the allocator's own): small records
        // count for more than their text, so the window stays near its size whatever they are.
        self.bytes += text.len() + EARLIER_OVERHEAD;
        self.texts.push_back((number, text.into()));
        while self.bytes > EARLIER_BYTES {
            let Some((_, gone)) = self.texts.pop_front() else {
                break;
            };
            self.bytes -= gone.len() + EARLIER_OVERHEAD;
        }
    }

    /// The text of record `number`, if it is still kept.
    fn get(&self, number: usize) -> Option<&str> {
        let i = self.texts.binary_search_by_key(&number, |(n, _)| *n).ok()?;
        Some(&self.texts[i].1)
    }
}

/// A customer_id as the policy remembers it: 96 bits of its SHA-256.
fn id_hash(customer_id: &str) -> [u8; 12] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(customer_id.as_bytes());
    let mut first = [0; 12];
    first.copy_from_slice(&digest[..12]);
    first
}

/// A record key (32 hex digits, no `-N`) as its 16 bytes.
fn key_bytes(key: &str) -> [u8; 16] {
    let mut bytes = [0; 16];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = key
            .get(2 * i..2 * i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .expect("a record key is 32 hex digits");
    }
    bytes
}

impl<'a> Policy<'a> {
    pub fn new(
        page_id: &'a str,
        notification: &'a str,
        prior: &'a History,
        options: &'a Options,
    ) -> Policy<'a> {
        Policy {
            page_id,
            notification,
            prior,
            options,
            first_with: HashMap::new(),
            occurrences: HashMap::new(),
            earlier: Earlier::default(),
            fresh: false,
            repeat_of: None,
        }
    }

    /// [`Policy::decide`] for a record of the input, and, when it is rejected for repeating
    /// the customer_id of an earlier record of the run, that record (its number and text)
    /// while its text is still kept.
    pub fn decide_record(
        &mut self,
        record: &Record,
        customer_id: &str,
        body: &[u8],
    ) -> (Decision, Option<(usize, &str)>) {
        let decision = self.decide(record.number, customer_id, body);
        if self.fresh {
            self.earlier.keep(record.number, &record.text);
        }
        let earlier = match (&decision, self.repeat_of) {
            (Decision::Reject(_), Some(n)) if n != u32::MAX => {
                let n = n as usize;
                self.earlier.get(n).map(|text| (n, text))
            }
            _ => None,
        };
        (decision, earlier)
    }

    /// The decision for the `number`-th record, which renders to `body` for `customer_id`.
    pub fn decide(&mut self, number: usize, customer_id: &str, body: &[u8]) -> Decision {
        let allow_duplicates = self.options.allow_duplicate_customer_id;
        (self.fresh, self.repeat_of) = (false, None);
        if !allow_duplicates {
            match self.first_with.entry(id_hash(customer_id)) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    self.repeat_of = Some(*first.get());
                    let first = match *first.get() {
                        u32::MAX => "an earlier record".to_string(),
                        n => format!("record {n}"),
                    };
                    return Decision::Reject(
                        codes::m5023_duplicate_customer_id(
                            format!("same customer_id `{customer_id}` as {first}"),
                        )
                        .help("make the scheme unique to the person (the guide: a customer_id must be unique, or notifications reach people who should not get them); if the repetition is intended, pass `--allow-duplicate-customer-id`"),
                    );
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(u32::try_from(number).unwrap_or(u32::MAX));
                    self.fresh = true;
                }
            }
        }
        let base = record_key(self.page_id, customer_id, body, 1);
        // The N-th identical record of the run (N is 1 when each customer_id comes once).
        let n = if allow_duplicates {
            let n = self.occurrences.entry(key_bytes(&base)).or_insert(0);
            *n = n.saturating_add(1);
            *n as usize
        } else {
            1
        };
        let key = if n == 1 {
            base
        } else {
            record_key(self.page_id, customer_id, body, n)
        };
        let prior = self.prior.get(&key);
        // A new body for a customer an earlier run reached: the template or the data changed
        // since; sending would give that person the notification twice.
        if prior.is_none()
            && !allow_duplicates
            && self
                .prior
                .reached(self.page_id, self.notification, customer_id)
        {
            return Decision::Reject(
                codes::m5023_duplicate_customer_id(
                    format!("an earlier run already sent `{}` to customer_id `{customer_id}`, with another message", self.notification),
                )
                .help("the template or the record changed since that run; if this customer should get the new message too, pass `--allow-duplicate-customer-id`"),
            );
        }
        match prior {
            Some(Prior::Delivered) => Decision::Skip,
            Some(Prior::Uncertain) if !self.options.resend_uncertain => Decision::Uncertain(
                codes::m5022_delivery_uncertain(
                    format!("may have been delivered by an earlier run (customer_id `{customer_id}`): not sent again"),
                )
                .help("the journal has its request but no answer; when you know it did not arrive, send it with `--resend-uncertain`"),
            ),
            _ if self.options.dry_run => Decision::DryRun,
            _ => Decision::Send { key },
        }
    }
}

impl Batch<'_> {
    /// Sends the NDJSON records of `input` (in a dry run, reports them) and returns the
    /// counts. The batch core reads, checks and renders them (on one thread per core, in
    /// constant memory) and hands them over in input order; they are decided on this thread
    /// and sent on `concurrency` others. An error reading `input` ends the send early: the
    /// records before it have their fates and counts, and the error comes with the counts.
    pub fn run<R: Read + Send>(
        &self,
        input: R,
        sink: &dyn Sink,
    ) -> (Summary, Option<std::io::Error>) {
        let options = self.render_options();
        self.deliver(sink, |stopped, each| {
            core::scoped(self.template, input, &options, Some(stopped), |done| {
                Ok(each(done))
            })
        })
    }

    /// Like [`Batch::run`], for an input that may never end or pause for ever (standard input
    /// fed by another program): a stop (Ctrl-C, a refused token) returns once the requests in
    /// flight are answered and journaled, even while no record comes
    /// ([`crate::batch::stream_live`]). With `count_rest` (a regular file) the records left are
    /// counted as not attempted; else they are left unread ([`Summary::rest_unread`]).
    pub fn run_live<R: Read + Send + 'static>(
        &self,
        input: R,
        count_rest: bool,
        sink: &dyn Sink,
    ) -> (Summary, Option<std::io::Error>) {
        let options = self.render_options();
        self.deliver(sink, |stopped, each| {
            let live = core::Live {
                stop: Some(stopped),
                count_rest,
                waiting: None,
            };
            core::stream_live(self.template, input, &options, &live, |done| Ok(each(done)))
        })
    }

    /// Sends one record read whole (a `--data` file): the same path, for one document.
    pub fn run_one(&self, record: Record, sink: &dyn Sink) -> Summary {
        let options = self.render_options();
        let (summary, _) = self.deliver(sink, |_, each| {
            each(core::one(self.template, record, &options));
            Ok(core::Summary::default())
        });
        summary
    }

    /// How the core renders a send's records: the body (never the request: `send` posts the
    /// iAdvize body) and the customer_id.
    fn render_options(&self) -> core::Options {
        core::Options {
            customer_id: true,
            ..core::Options::default()
        }
    }

    /// The delivery stage: `feed` hands each record to the closure it is given, in input
    /// order, asks the predicate it is given whether the send stopped while no record is
    /// ready, and returns the core's counts (how many records it did not hand over once told
    /// to stop, whether it left the rest unread).
    fn deliver<F>(&self, sink: &dyn Sink, feed: F) -> (Summary, Option<std::io::Error>)
    where
        F: FnOnce(
            &dyn Fn() -> bool,
            &mut dyn FnMut(Done) -> Flow,
        ) -> std::io::Result<core::Summary>,
    {
        let summary = Mutex::new(Summary::default());
        let not_attempted = |n: usize| {
            summary
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .not_attempted += n;
        };
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
        let (tx, rx) = sync_channel::<Job>(workers * 2);
        let rx = Mutex::new(rx);
        // Set when the API refuses the token (401, 403): every other record would be refused
        // the same way, so no new request starts.
        let halt = AtomicBool::new(false);
        let stopped =
            || halt.load(Ordering::SeqCst) || self.stop.is_some_and(|s| s.load(Ordering::SeqCst));
        let fed = std::thread::scope(|s| {
            if !self.options.dry_run {
                for _ in 0..workers {
                    s.spawn(|| {
                        // The last record sent, its outcome written but maybe not yet on disk:
                        // the next intent's sync covers it (group commit), and it is reported
                        // then, or at once when no job is waiting.
                        let mut held: Option<Finished> = None;
                        loop {
                            let ready = rx.lock().unwrap_or_else(|p| p.into_inner()).try_recv();
                            let job = match ready {
                                Ok(job) => Ok(job),
                                Err(TryRecvError::Disconnected) => Err(()),
                                Err(TryRecvError::Empty) => {
                                    if let Some(f) = held.take() {
                                        self.report(f, &emit);
                                    }
                                    let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
                                    rx.recv().map_err(|_| ())
                                }
                            };
                            match job {
                                Ok(_) if stopped() => not_attempted(1),
                                Ok(job) => {
                                    let before = held.take();
                                    held = self.send(job, before, &client, &pacer, &halt, &emit);
                                }
                                Err(()) => break,
                            }
                        }
                        if let Some(f) = held {
                            self.report(f, &emit);
                        }
                    });
                }
            }
            let mut policy = Policy::new(
                self.endpoint.page_id(),
                &self.template.name,
                self.prior,
                &self.options,
            );
            // Once stopped (Ctrl-C, a refused token), the records not reached are counted.
            let fed = feed(&stopped, &mut |done: Done| {
                if stopped() {
                    not_attempted(1);
                    return Flow::Stop;
                }
                let number = done.record.number;
                if let Some(job) = self.decide(done, &mut policy, &emit) {
                    if tx.send(job).is_err() {
                        // No worker left to take it: never attempted, nor the rest.
                        not_attempted(1);
                        return Flow::Stop;
                    }
                }
                // `max_rejects` reached at this record: the records before it go on.
                if let Some(max) = self.options.max_rejects {
                    let mut s = summary.lock().unwrap_or_else(|p| p.into_inner());
                    if s.rejected >= max {
                        s.stopped_at = Some(number);
                        return Flow::Stop;
                    }
                }
                Flow::Next
            });
            drop(tx);
            fed
        });
        let error = match fed {
            Ok(core_summary) => {
                not_attempted(core_summary.not_handed);
                summary
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .rest_unread = core_summary.rest_unread;
                None
            }
            Err(e) => Some(e),
        };
        (
            summary.into_inner().unwrap_or_else(|p| p.into_inner()),
            error,
        )
    }

    /// Applies the policy to a record the core rendered (or rejected): the job to send, or
    /// `None` when its fate is already known (and emitted).
    fn decide(&self, done: Done, policy: &mut Policy<'_>, emit: &dyn Fn(Event<'_>)) -> Option<Job> {
        let Done {
            record,
            outcome,
            customer_id,
        } = done;
        let (customer_id, body, mut warnings) = match (customer_id, outcome) {
            (Some(cid), core::Outcome::Rendered { json, warnings }) => (cid, json, warnings),
            (cid, core::Outcome::Rejected { diagnostics }) => {
                emit(rejected(&record, cid.as_deref(), diagnostics));
                return None;
            }
            (None, core::Outcome::Rendered { .. }) => {
                let d = codes::m9002_usage("the template has no `customer_id` scheme")
                    .help("declare one: `customer_id \"order-{{ order.number }}\"`");
                emit(rejected(&record, None, vec![d]));
                return None;
            }
        };
        let (decision, earlier) = policy.decide_record(&record, &customer_id, &body);
        let event = |fate: Fate, diagnostics: Vec<Diagnostic>, request: Option<(&str, &[u8])>| {
            emit(Event {
                record: &record,
                customer_id: Some(&customer_id),
                fate,
                status: None,
                attempts: 0,
                diagnostics,
                answer: None,
                request,
                earlier: None,
            });
        };
        // As rustc's `-D warnings`: a record about to be sent (or shown as sent, in a dry run)
        // whose rendering warns is not sent, each warning an error. One the journal says was
        // delivered, or may have been, keeps its fate: it is not a reject to send again.
        if self.options.deny_warnings
            && !warnings.is_empty()
            && matches!(decision, Decision::Send { .. } | Decision::DryRun)
        {
            let denied = warnings
                .into_iter()
                .map(|mut d| {
                    d.severity = crate::diagnostic::Severity::Error;
                    d.note("`--deny-warnings` makes this warning an error: the record is not sent")
                })
                .collect();
            emit(rejected(&record, Some(&customer_id), denied));
            return None;
        }
        match decision {
            Decision::Send { key } => {
                return Some(Job {
                    record,
                    customer_id,
                    key,
                    body,
                    warnings,
                })
            }
            Decision::DryRun => {
                let url = self.endpoint.url(&customer_id, None);
                event(Fate::DryRun, warnings, Some((&url, &body)));
            }
            Decision::Skip => event(Fate::Skipped, warnings, None),
            Decision::Uncertain(d) => {
                warnings.push(d);
                event(Fate::Uncertain, warnings, None);
            }
            Decision::Reject(d) => {
                // Labelled at this record and, when it is kept, at the first with the id.
                let d = match earlier {
                    Some((_, text)) => d
                        .label(Origin::Data, record_start(&record.text), "this record")
                        .label(
                            Origin::Earlier,
                            record_start(text),
                            "the first record with this customer_id",
                        ),
                    None => d,
                };
                warnings.push(d);
                emit(Event {
                    record: &record,
                    customer_id: Some(&customer_id),
                    fate: Fate::Rejected,
                    status: None,
                    attempts: 0,
                    diagnostics: warnings,
                    answer: None,
                    request: None,
                    earlier,
                });
            }
        }
        None
    }

    /// Sends one job through the journal. `held`, the previous record of this worker, is
    /// reported once this job's intent is on disk (the same sync covered its outcome, written
    /// before). Returns the record's fate, to report once its outcome is on disk.
    fn send(
        &self,
        job: Job,
        held: Option<Finished>,
        client: &Client,
        pacer: &Pacer,
        halt: &AtomicBool,
        emit: &dyn Fn(Event<'_>),
    ) -> Option<Finished> {
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
            let intent = j.intent(&key, n, &self.template.name, &customer_id);
            if let Some(h) = held {
                self.report(h, emit);
            }
            if let Err(e) = intent {
                warnings.push(
                    codes::m9001_io(Severity::Error, format!("not sent: cannot write the journal: {e}"))
                        .help("check that the journal's disk has room and is writable, then run again with the same journal"),
                );
                emit(Event {
                    record: &record,
                    customer_id: Some(&customer_id),
                    fate: Fate::Failed,
                    status: None,
                    attempts: 0,
                    diagnostics: warnings,
                    answer: None,
                    request: None,
                    earlier: None,
                });
                return None;
            }
        } else if let Some(h) = held {
            self.report(h, emit);
        }
        let url = self.endpoint.url(&customer_id, token);
        let stopped =
            || halt.load(Ordering::SeqCst) || self.stop.is_some_and(|s| s.load(Ordering::SeqCst));
        let outcome = deliver(
            client,
            &self.options.retry,
            pacer,
            &url,
            &body,
            &|t| scrub(token, t),
            &stopped,
        );
        let Verdict {
            fate,
            word,
            status,
            attempts,
            answer,
            message,
            diagnostic,
        } = self.verdict(&outcome, &record, &customer_id, halt);
        let written = self
            .journal
            .map(|j| j.outcome_pending(&key, n, word, status, message.as_deref()));
        Some(Finished {
            record,
            customer_id,
            fate,
            status,
            attempts,
            warnings,
            diagnostic,
            answer: answer.map(str::to_string),
            written,
        })
    }

    /// Reports a record sent, once its outcome is on disk.
    fn report(&self, f: Finished, emit: &dyn Fn(Event<'_>)) {
        let Finished {
            record,
            customer_id,
            fate,
            status,
            attempts,
            mut warnings,
            diagnostic,
            answer,
            written,
        } = f;
        let durable = match (written, self.journal) {
            (Some(Ok(pending)), Some(j)) => j.wait(pending),
            (Some(Err(e)), _) => Err(e),
            _ => Ok(()),
        };
        if let Err(e) = durable {
            warnings.push(
                codes::m9001_io(
                    Severity::Warning,
                    format!("cannot write its outcome to the journal: {e}"),
                )
                .help("a rerun with this journal will list the record as uncertain"),
            );
        }
        warnings.extend(diagnostic);
        emit(Event {
            record: &record,
            customer_id: Some(&customer_id),
            fate,
            status,
            attempts,
            diagnostics: warnings,
            answer: answer.as_deref(),
            request: None,
            earlier: None,
        });
    }

    /// How a delivery ended, in the journal's word and the caller's terms. A refusal of the
    /// token (401, 403) sets `halt`, and so does an API that could not be reached at all.
    fn verdict<'o>(
        &self,
        outcome: &'o Outcome,
        record: &Record,
        cid: &str,
        halt: &AtomicBool,
    ) -> Verdict<'o> {
        let (fate, word, status, attempts, answer, message, diagnostic) = match outcome {
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
                let data = crate::json::parse(&record.text).ok();
                let mut d = api_error::diagnose(self.template, data.as_ref(), &error)
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
                unreachable,
            } => {
                let mut d = codes::m5021_delivery_failed(match attempts {
                    // Stopped before its first try.
                    0 => format!("not sent (customer_id `{cid}`): {reason}"),
                    1 => format!("not delivered after 1 try (customer_id `{cid}`): {reason}"),
                    n => format!("not delivered after {n} tries (customer_id `{cid}`): {reason}"),
                });
                d = if *unreachable {
                    // Every record after it would wait through the same tries: the send stops.
                    halt.store(true, Ordering::SeqCst);
                    d.help("check `--api-url` (its scheme and port) and the network, then run the same command again (with the same `--journal`, delivered records are skipped)")
                        .note("the API could not be reached: missive started no further request")
                } else {
                    d.help("run again with the same `--journal` to send it again; if the API answered 429, lower `--rate` or `--concurrency`")
                };
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
                let d = codes::m5022_delivery_uncertain(
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
        Verdict {
            fate,
            word,
            status,
            attempts,
            answer,
            message,
            diagnostic,
        }
    }
}

fn rejected<'a>(
    record: &'a Record,
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
        earlier: None,
    }
}

/// A diagnostic that points nowhere (a repeated customer_id, a delivery that failed) points
/// at its record's first character: that says where it is, as its number does.
fn point_at_record(d: &mut Diagnostic, record: &Record) {
    if d.labels.is_empty() {
        let span = record_start(&record.text);
        d.labels.push(Label {
            origin: Origin::Data,
            span,
            message: Some("this record".to_string()),
            fix: None,
        });
    }
}

/// A record's first character (after a BOM): where a diagnostic about the whole record points.
fn record_start(text: &str) -> Span {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first = text[bom..].chars().next().map_or(0, char::len_utf8);
    Span::new(bom, bom + first)
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
    use crate::diagnostic::Code;

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
        let (summary, error) = batch.run(text.as_bytes(), &sink);
        assert!(error.is_none());
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

    /// A history read from journal lines (a file, as `send` reads it).
    fn history(name: &str, lines: &[String]) -> History {
        let dir = std::env::temp_dir().join(format!("missive-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, lines.concat()).unwrap();
        Journal::history(&path).unwrap()
    }

    fn run_line(page: &str) -> String {
        format!("{{\"event\":\"run\",\"page_id\":\"{page}\"}}\n")
    }

    fn intent(key: &str, customer_id: &str) -> String {
        format!("{{\"event\":\"intent\",\"key\":\"{key}\",\"notification\":\"hi\",\"customer_id\":\"{customer_id}\"}}\n")
    }

    fn outcome(key: &str, result: &str) -> String {
        format!("{{\"event\":\"outcome\",\"key\":\"{key}\",\"result\":\"{result}\"}}\n")
    }

    fn code(d: &Decision) -> Option<Code> {
        match d {
            Decision::Reject(d) | Decision::Uncertain(d) => Some(d.code),
            _ => None,
        }
    }

    #[test]
    fn a_repeated_customer_id_is_rejected_unless_allowed() {
        let none = History::default();
        let options = Options::default();
        let mut p = Policy::new("7", "hi", &none, &options);
        let first = p.decide(1, "c-1", b"a");
        assert_eq!(
            first,
            Decision::Send {
                key: record_key("7", "c-1", b"a", 1)
            }
        );
        let again = p.decide(2, "c-1", b"b");
        assert_eq!(code(&again), Some(Code::DuplicateCustomerId));
        let Decision::Reject(d) = again else {
            unreachable!()
        };
        assert_eq!(d.message, "same customer_id `c-1` as record 1");
        assert!(matches!(p.decide(3, "c-2", b"a"), Decision::Send { .. }));

        let allowed = Options {
            allow_duplicate_customer_id: true,
            ..Options::default()
        };
        let mut p = Policy::new("7", "hi", &none, &allowed);
        p.decide(1, "c-1", b"a");
        // The same body twice is two records: the second gets its own key.
        assert_eq!(
            p.decide(2, "c-1", b"a"),
            Decision::Send {
                key: format!("{}-2", record_key("7", "c-1", b"a", 1))
            }
        );
    }

    #[test]
    fn a_repeat_gets_the_first_records_text_while_it_is_kept() {
        let none = History::default();
        let options = Options::default();
        let mut p = Policy::new("7", "hi", &none, &options);
        let record = |n: usize, text: &str| Record::new(n, text.to_string());
        let (first, earlier) = p.decide_record(&record(1, "{\"id\": 1}"), "c-1", b"a");
        assert!(matches!(first, Decision::Send { .. }) && earlier.is_none());
        let (again, earlier) = p.decide_record(&record(2, "{\"id\": 1, \"x\": 2}"), "c-1", b"b");
        assert_eq!(code(&again), Some(Code::DuplicateCustomerId));
        assert_eq!(earlier, Some((1, "{\"id\": 1}")));
        // Past the bytes kept, the oldest texts go: the repeat is still refused, unlabelled.
        let long = "x".repeat(EARLIER_BYTES / 2);
        for n in 3..6 {
            p.decide_record(&record(n, &long), &format!("c-{n}"), b"a");
        }
        let (again, earlier) = p.decide_record(&record(6, "{}"), "c-1", b"c");
        assert_eq!(code(&again), Some(Code::DuplicateCustomerId));
        assert_eq!(earlier, None);
        let (_, earlier) = p.decide_record(&record(7, "{}"), "c-5", b"c");
        assert_eq!(earlier.map(|(n, t)| (n, t.len())), Some((5, long.len())));
        assert!(p.earlier.bytes <= EARLIER_BYTES);
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_repeat_of_a_record_past_four_billion_names_it_an_earlier_record() {
        let none = History::default();
        let options = Options::default();
        let mut p = Policy::new("7", "hi", &none, &options);
        assert!(matches!(
            p.decide(5_000_000_000, "c-1", b"a"),
            Decision::Send { .. }
        ));
        let Decision::Reject(d) = p.decide(5_000_000_001, "c-1", b"b") else {
            unreachable!()
        };
        assert_eq!(d.message, "same customer_id `c-1` as an earlier record");
    }

    #[test]
    fn the_journal_decides_skip_uncertain_and_send_again() {
        let key = |cid: &str| record_key("7", cid, b"x", 1);
        let h = history(
            "fates.journal",
            &[
                run_line("7"),
                intent(&key("sent"), "sent"),
                outcome(&key("sent"), "delivered"),
                intent(&key("maybe"), "maybe"),
                intent(&key("failed"), "failed"),
                outcome(&key("failed"), "failed"),
            ],
        );
        let options = Options::default();
        let mut p = Policy::new("7", "hi", &h, &options);
        assert_eq!(p.decide(1, "sent", b"x"), Decision::Skip);
        assert_eq!(
            code(&p.decide(2, "maybe", b"x")),
            Some(Code::DeliveryUncertain)
        );
        assert_eq!(
            p.decide(3, "failed", b"x"),
            Decision::Send { key: key("failed") }
        );
        // Another body for a customer an earlier run reached: not sent twice.
        let other = p.decide(4, "sent2", b"x");
        assert!(matches!(other, Decision::Send { .. }));
        let changed = Policy::new("7", "hi", &h, &options).decide(1, "sent", b"new body");
        assert_eq!(code(&changed), Some(Code::DuplicateCustomerId));
        // On another page, the same customer_id is another person.
        let elsewhere = Policy::new("8", "hi", &h, &options).decide(1, "sent", b"new body");
        assert!(matches!(elsewhere, Decision::Send { .. }));

        let resend = Options {
            resend_uncertain: true,
            ..Options::default()
        };
        let mut p = Policy::new("7", "hi", &h, &resend);
        assert_eq!(
            p.decide(1, "maybe", b"x"),
            Decision::Send { key: key("maybe") }
        );
    }

    #[test]
    fn a_dry_run_decides_like_a_send_but_sends_nothing() {
        let key = record_key("7", "sent", b"x", 1);
        let h = history(
            "dry.journal",
            &[
                run_line("7"),
                intent(&key, "sent"),
                outcome(&key, "delivered"),
            ],
        );
        let options = Options {
            dry_run: true,
            ..Options::default()
        };
        let mut p = Policy::new("7", "hi", &h, &options);
        assert_eq!(p.decide(1, "sent", b"x"), Decision::Skip);
        assert_eq!(p.decide(2, "new", b"x"), Decision::DryRun);
        assert_eq!(
            code(&p.decide(3, "new", b"y")),
            Some(Code::DuplicateCustomerId)
        );
    }
}
