//! Batch rendering: NDJSON records in, one rendered body per record out, in input order, on
//! several threads, in constant memory whatever the input's size.
//!
//! A reader thread cuts the input into chunks of records, `jobs` workers check and render
//! them, and the calling thread hands each record's result to the caller in input order. A
//! fixed number of chunks is in flight at once (the reader waits for a chunk to be handed over
//! before it reads another), so memory stays flat however long the input and however slow the
//! caller. A record that fails (not JSON, wrong types, a limit broken once rendered) does not
//! stop the batch: the caller gets its diagnostics and goes on.
//!
//! The calling thread waits only for messages (chunks read, chunks rendered, the reader's
//! end), never for the reader itself: with [`stream_live`] the reader runs on a thread that
//! owns the input and that nobody joins, so a batch stopped while its input is blocked in
//! `read` (standard input kept open by its producer) returns at once.
//!
//! ```
//! let source = "notification hello\ninput { name: string max 20 }\ntext \"Hello {{ name }}!\"\n";
//! let template = missive::compile(source, &missive::Options::default()).template.unwrap();
//! let input = "{\"name\": \"Lisa\"}\n{\"name\": 3}\n{\"name\": \"Bob\"}\n";
//! let mut out = Vec::new();
//! let summary = template
//!     .render_ndjson(input.as_bytes(), &mut out, &missive::batch::Options::default())
//!     .unwrap();
//! assert_eq!(out, b"{\"text\":\"Hello Lisa!\"}\n{\"text\":\"Hello Bob!\"}\n");
//! assert_eq!((summary.read, summary.rendered, summary.rejected), (3, 2, 1));
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{
    channel, sync_channel, Receiver, RecvTimeoutError, Sender, SyncSender, TryRecvError,
};
use std::sync::{Arc, Mutex};

use crate::check::data;
use crate::diagnostic::{self, codes, Diagnostic};
use crate::render::RequestOptions;
use crate::Template;

/// Records per chunk handed to a worker: enough to make the hand-over cheap, few enough that
/// the chunks in flight stay small.
const CHUNK_RECORDS: usize = 256;
/// A chunk also ends after this many bytes of input (long records).
const CHUNK_BYTES: usize = 256 * 1024;
/// Chunks in flight (read, not yet handed to the caller) per worker.
const CHUNKS_PER_JOB: usize = 4;

/// How a batch is rendered.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rendering threads; 0 means one per core.
    pub jobs: usize,
    /// Render the whole request (`{method, url, body}`) instead of the body.
    pub request: Option<RequestOptions>,
    /// Stop once this many records have been rejected (the last of them is still handed
    /// over); `None` goes on to the end.
    pub max_rejects: Option<usize>,
    /// [`Template::render_ndjson`] writes a `null` line for each rejected record and each
    /// blank line, so that output line N belongs to input line N.
    pub aligned: bool,
    /// Also render each record's customer_id (the template's scheme, [`Done::customer_id`]):
    /// a send's. Its errors reject the record, its warnings are the record's.
    pub customer_id: bool,
}

impl Options {
    /// The number of rendering threads: `jobs`, or one per core.
    pub fn threads(&self) -> usize {
        if self.jobs > 0 {
            self.jobs
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    }
}

/// One record of the input: the `number`-th line (blank lines are not records, but count as
/// lines), without its line break.
#[derive(Debug, Clone)]
pub struct Record {
    /// The record's line number in the input, from 1.
    pub number: usize,
    /// The line's text; a line that is not UTF-8 is kept with its bad bytes replaced (and
    /// rejected).
    pub text: String,
    /// A line that is not UTF-8: where its first invalid byte was (its `\u{fffd}` in `text`).
    not_utf8: Option<usize>,
}

impl Record {
    /// Whether the line was not UTF-8 (its text has the bad bytes replaced: not the record as
    /// written).
    pub fn is_utf8(&self) -> bool {
        self.not_utf8.is_none()
    }

    /// A record read otherwise than from NDJSON (a whole JSON file is record 1), for [`one`].
    pub fn new(number: usize, text: String) -> Record {
        Record {
            number,
            text,
            not_utf8: None,
        }
    }
}

/// How a record ended.
#[derive(Debug)]
pub enum Outcome {
    /// The rendered body (or request), without a line break, and the record's warnings.
    Rendered {
        /// The JSON text.
        json: Vec<u8>,
        /// The record's warnings.
        warnings: Vec<Diagnostic>,
    },
    /// Not rendered: every diagnostic (warnings too), sorted. Data labels point into the
    /// record's text.
    Rejected {
        /// Why: every diagnostic, errors and warnings.
        diagnostics: Vec<Diagnostic>,
    },
}

/// A record and how it ended, handed to the caller in input order.
#[derive(Debug)]
pub struct Done {
    /// The record as read.
    pub record: Record,
    /// Its rendered body, or why it was rejected.
    pub outcome: Outcome,
    /// With [`Options::customer_id`], the customer_id its template's scheme gives, when it
    /// rendered (a record rejected for its body still has one); else `None`.
    pub customer_id: Option<String>,
}

/// What the caller of [`stream_with`] wants after a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The next record.
    Next,
    /// No more records; none of the rest is handed over. [`stream_with`] still reads the rest
    /// of the input, but only to count its records ([`Summary::not_handed`]); [`stream_live`]
    /// counts them only when asked ([`Live::count_rest`]), else it leaves them unread
    /// ([`Summary::rest_unread`]) and returns at once.
    Stop,
}

/// The counts of a batch: `read == rendered + rejected`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Records handed to the caller.
    pub read: usize,
    /// Records rendered: each wrote one line.
    pub rendered: usize,
    /// Records rejected: each wrote no line (or `null`, aligned).
    pub rejected: usize,
    /// `max_rejects` was reached at this record: the records after it were not read.
    pub stopped_at: Option<usize>,
    /// Lines of input handed over, records and blank lines: all of them, or up to the record
    /// where the batch stopped. Aligned output has this many lines.
    pub lines: usize,
    /// Records after the one where the caller stopped the batch ([`Flow::Stop`], or
    /// [`Live::stop`]): read and counted, never handed over (not in `read`). With
    /// [`Summary::rest_unread`], only those read ahead before the stop.
    pub not_handed: usize,
    /// The caller stopped a live batch ([`stream_live`] without [`Live::count_rest`]) before
    /// the end of its input, and the rest of the input was left unread: how many records it
    /// held is not known.
    pub rest_unread: bool,
}

/// How [`stream_live`] stops: its input may be a stream that never ends (standard input fed
/// by `tail -f`, a queue consumer), whose next record may never come.
#[derive(Default)]
pub struct Live<'a> {
    /// Asked on the calling thread while no record is ready (a few times a second): `true`
    /// stops the batch as [`Flow::Stop`] does. For a stop decided elsewhere (Ctrl-C, the API
    /// refusing the token) while the input has nothing new.
    pub stop: Option<&'a dyn Fn() -> bool>,
    /// After a stop, read the rest of the input to count its records
    /// ([`Summary::not_handed`]), as [`stream_with`] does: cheap for a regular file, endless
    /// for a stream. Without it, the rest is left unread ([`Summary::rest_unread`]).
    pub count_rest: bool,
    /// Called on the calling thread each time it is about to wait for a record that is not
    /// ready yet: flush the output there, so that whoever reads it gets each result when its
    /// record came in, not when a buffer fills.
    pub waiting: Option<&'a dyn Fn()>,
}

/// Renders every NDJSON record of `input` and hands each one's result to `each`, in input
/// order, on the calling thread. An error from `each` (a closed output) stops the batch and
/// is returned; so is an error reading `input`.
pub fn stream<R, F>(
    template: &Template,
    input: R,
    options: &Options,
    mut each: F,
) -> std::io::Result<Summary>
where
    R: Read + Send,
    F: FnMut(Done) -> std::io::Result<()>,
{
    stream_with(template, input, options, |done| {
        each(done).map(|()| Flow::Next)
    })
}

/// Like [`stream`], and `each` may stop the batch ([`Flow::Stop`]) while the rest of the input
/// is still counted: a send interrupted, whose summary says how many records it did not reach.
///
/// The input is read on a thread of the call's own, which the call waits for before it
/// returns: an input whose `read` blocks for ever (a pipe kept open) holds the call after a
/// stop. For such an input, use [`stream_live`].
pub fn stream_with<R, F>(
    template: &Template,
    input: R,
    options: &Options,
    each: F,
) -> std::io::Result<Summary>
where
    R: Read + Send,
    F: FnMut(Done) -> std::io::Result<Flow>,
{
    scoped(template, input, options, None, each)
}

/// Like [`stream_with`], for an input that may never end or pause for ever (standard input
/// fed by another program): the input is read on a thread that owns it and that the call does
/// not wait for, so a stop ([`Flow::Stop`], [`Options::max_rejects`], an error from `each`,
/// [`Live::stop`]) returns at once, even while that thread is blocked reading. A read that
/// thread had started finishes (up to a buffer's worth, or the rest of a line) and what it
/// returns is discarded; the thread then ends, or with the process. The input is not given
/// back (standard input stays locked by that thread while it waits): do not read it after.
pub fn stream_live<R, F>(
    template: &Template,
    input: R,
    options: &Options,
    live: &Live<'_>,
    each: F,
) -> std::io::Result<Summary>
where
    R: Read + Send + 'static,
    F: FnMut(Done) -> std::io::Result<Flow>,
{
    let start = |reader: Reader| {
        std::thread::Builder::new()
            .name("missive-batch-reader".into())
            .spawn(move || reader.run(input))
            .map(drop)
    };
    let rest = if live.count_rest {
        Rest::Count
    } else {
        Rest::Leave
    };
    let hooks = Hooks {
        stop: live.stop,
        waiting: live.waiting,
    };
    run(template, options, start, rest, hooks, each)
}

/// [`stream_with`] with a stop asked while no record is ready (a send's Ctrl-C, its token
/// refused): the reader on a scoped thread, the rest counted after a stop.
pub(crate) fn scoped<R, F>(
    template: &Template,
    input: R,
    options: &Options,
    idle_stop: Option<&dyn Fn() -> bool>,
    each: F,
) -> std::io::Result<Summary>
where
    R: Read + Send,
    F: FnMut(Done) -> std::io::Result<Flow>,
{
    std::thread::scope(|s| {
        let start = |reader: Reader| {
            s.spawn(move || reader.run(input));
            Ok(())
        };
        let hooks = Hooks {
            stop: idle_stop,
            waiting: None,
        };
        run(template, options, start, Rest::Count, hooks, each)
    })
}

/// What the calling thread asks and tells while no record is ready: [`Live::stop`],
/// [`Live::waiting`].
#[derive(Clone, Copy)]
struct Hooks<'a> {
    stop: Option<&'a dyn Fn() -> bool>,
    waiting: Option<&'a dyn Fn()>,
}

/// How often [`Live::stop`] is asked while no record is ready.
const IDLE_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// What the reader does: read on, or, the batch stopped, leave the rest or count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Rest {
    Read = 0,
    Leave = 1,
    Count = 2,
}

impl Rest {
    fn load(flag: &AtomicU8) -> Rest {
        match flag.load(Ordering::SeqCst) {
            0 => Rest::Read,
            1 => Rest::Leave,
            _ => Rest::Count,
        }
    }
}

/// What the reader and the workers tell the calling thread.
enum Message {
    /// The next chunk of records read (chunks are numbered here, in the order they come).
    Read(Vec<Record>),
    /// The chunk of that number, rendered.
    Rendered(usize, Vec<Done>),
    /// The reader's last word.
    End(End),
    /// A thread of the batch panicked (a bug): the batch ends rather than wait for it.
    Panicked,
}

/// Held by each thread of a batch: should the thread panic, the calling thread is told, and
/// does not wait for a chunk that will never come.
struct Alive<'a>(&'a Sender<Message>);

impl Drop for Alive<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = self.0.send(Message::Panicked);
        }
    }
}

/// How the reading ended.
#[derive(Default)]
struct End {
    /// Lines read, blank ones too.
    lines: usize,
    /// Records counted (not handed over) after a stop, [`Rest::Count`].
    counted: usize,
    /// The input was read (or counted) to its end; a reader that stopped short says `false`.
    eof: bool,
    error: Option<std::io::Error>,
}

/// The reader's side of a batch: it owns nothing borrowed, so it may run on a thread that
/// outlives the call ([`stream_live`]).
struct Reader {
    /// One per chunk it may read: the chunks in flight are bounded (constant memory).
    permits: Receiver<()>,
    /// A [`Rest`], set by the calling thread when the batch stops.
    rest: Arc<AtomicU8>,
    to: Sender<Message>,
}

impl Reader {
    fn run<R: Read>(self, input: R) {
        let _alive = Alive(&self.to);
        let mut lines = Lines::new(input);
        let mut end = End::default();
        loop {
            // A stop drops the permits' sender: this wakes, and reads no more.
            let permit = self.permits.recv();
            match Rest::load(&self.rest) {
                Rest::Read if permit.is_ok() => {}
                Rest::Count => {
                    match lines.count_rest() {
                        Ok(n) => {
                            end.counted = n;
                            end.eof = true;
                        }
                        Err(e) => end.error = Some(e),
                    }
                    break;
                }
                _ => break,
            }
            match lines.chunk() {
                Ok(chunk) if chunk.is_empty() => {
                    end.eof = true;
                    break;
                }
                Ok(chunk) => {
                    if self.to.send(Message::Read(chunk)).is_err() {
                        return; // the batch is over
                    }
                }
                Err(e) => {
                    end.error = Some(e);
                    break;
                }
            }
        }
        end.lines = lines.number;
        let _ = self.to.send(Message::End(end));
    }
}

/// The batch: `start` runs the reader on a thread (scoped or not), `jobs` workers render, and
/// the calling thread hands the records over in order. After a stop by `each` (or
/// `idle_stop`), the rest of the input is `after_stop`: counted, or left unread. The calling
/// thread never waits on the reader but for its messages, so a reader blocked in `read` cannot
/// hold a stop ([`Rest::Leave`]).
fn run<S, F>(
    template: &Template,
    options: &Options,
    start: S,
    after_stop: Rest,
    hooks: Hooks<'_>,
    mut each: F,
) -> std::io::Result<Summary>
where
    S: FnOnce(Reader) -> std::io::Result<()>,
    F: FnMut(Done) -> std::io::Result<Flow>,
{
    let jobs = options.threads();
    let in_flight = jobs * CHUNKS_PER_JOB;
    let rest = Arc::new(AtomicU8::new(Rest::Read as u8));
    let (permit_tx, permit_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        permit_tx.send(()).expect("the receiver is alive");
    }
    // Unbounded, but the permits bound what is in it.
    let (to_caller, messages) = channel::<Message>();
    start(Reader {
        permits: permit_rx,
        rest: Arc::clone(&rest),
        to: to_caller.clone(),
    })?;
    let (work_tx, work_rx) = channel::<(usize, Vec<Record>)>();
    let work_rx = Mutex::new(work_rx);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let to_caller = to_caller.clone();
            let (work_rx, rest) = (&work_rx, &rest);
            let request = options.request.as_ref();
            let with_customer_id = options.customer_id;
            s.spawn(move || loop {
                let _alive = Alive(&to_caller);
                let job = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((seq, records)) = job else { break };
                if Rest::load(rest) != Rest::Read {
                    continue; // stopped: nobody takes it
                }
                let done = records
                    .into_iter()
                    .map(|record| {
                        let mut customer_id = None;
                        let cid = with_customer_id.then_some(&mut customer_id);
                        let outcome = render_record(template, &record, request, cid);
                        Done {
                            record,
                            outcome,
                            customer_id,
                        }
                    })
                    .collect();
                if to_caller.send(Message::Rendered(seq, done)).is_err() {
                    break;
                }
            });
        }
        drop(to_caller);
        let mut caller = Caller {
            options,
            rest: &rest,
            permits: Some(permit_tx),
            work: Some(work_tx),
            waiting: BTreeMap::new(),
            next: 0,
            chunks_read: 0,
            records_read: 0,
            last_handed: 0,
            end: None,
            stopped: None,
            failure: None,
            summary: Summary::default(),
        };
        caller.run(&messages, after_stop, hooks, &mut each);
        // Dropped here (the work channel among them), so the workers end before the scope.
        caller.finish(&messages)
    })
}

/// The calling thread's side of a batch: chunks to the workers, rendered chunks put back in
/// order and handed over, permits returned.
struct Caller<'a> {
    options: &'a Options,
    rest: &'a AtomicU8,
    /// Dropped at a stop: the reader reads no more.
    permits: Option<SyncSender<()>>,
    /// Dropped at a stop, or at the end: the workers end.
    work: Option<Sender<(usize, Vec<Record>)>>,
    waiting: BTreeMap<usize, Vec<Done>>,
    /// The next chunk to hand over.
    next: usize,
    chunks_read: usize,
    records_read: usize,
    /// The number of the last record handed over.
    last_handed: usize,
    end: Option<End>,
    /// How the batch stopped, before the end of the input.
    stopped: Option<Rest>,
    failure: Option<std::io::Error>,
    summary: Summary,
}

impl Caller<'_> {
    fn run<F>(
        &mut self,
        messages: &Receiver<Message>,
        after_stop: Rest,
        hooks: Hooks<'_>,
        each: &mut F,
    ) where
        F: FnMut(Done) -> std::io::Result<Flow>,
    {
        loop {
            match (self.stopped, &self.end) {
                // Every chunk read was handed over, or the reader's count after a stop is in.
                (None, Some(_)) if self.next == self.chunks_read => return,
                (Some(Rest::Count), Some(_)) | (Some(Rest::Leave), _) => return,
                _ => {}
            }
            let message = match messages.try_recv() {
                Ok(m) => Some(m),
                Err(TryRecvError::Disconnected) => return,
                Err(TryRecvError::Empty) => None,
            };
            let waiting = hooks.waiting.filter(|_| self.stopped.is_none());
            if let (None, Some(waiting)) = (&message, waiting) {
                waiting();
            }
            let message = match (message, hooks.stop) {
                (Some(m), _) => m,
                (None, Some(asked)) if self.stopped.is_none() => {
                    match messages.recv_timeout(IDLE_POLL) {
                        Ok(m) => m,
                        Err(RecvTimeoutError::Timeout) => {
                            if asked() {
                                self.stop(after_stop);
                            }
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                (None, _) => match messages.recv() {
                    Ok(m) => m,
                    Err(_) => return,
                },
            };
            self.take(message, after_stop, each);
        }
    }

    fn take<F>(&mut self, message: Message, after_stop: Rest, each: &mut F)
    where
        F: FnMut(Done) -> std::io::Result<Flow>,
    {
        match message {
            Message::Read(records) => {
                self.records_read += records.len();
                if let Some(work) = &self.work {
                    let _ = work.send((self.chunks_read, records));
                }
                self.chunks_read += 1;
            }
            Message::End(end) => self.end = Some(end),
            Message::Panicked => {
                // A scoped thread's panic is raised again when the scope ends.
                self.failure = Some(std::io::Error::other(
                    "a thread of the batch panicked: this is a bug in missive",
                ));
                self.stop(Rest::Leave);
            }
            Message::Rendered(_, _) if self.stopped.is_some() => {}
            Message::Rendered(seq, chunk) => {
                self.waiting.insert(seq, chunk);
                while let Some(chunk) = self.waiting.remove(&self.next) {
                    self.next += 1;
                    for done in chunk {
                        if let Some(how) = self.hand(done, after_stop, each) {
                            self.stop(how);
                            return;
                        }
                    }
                    if let Some(p) = &self.permits {
                        let _ = p.send(());
                    }
                }
            }
        }
    }

    /// Hands one record over; how the rest is treated if the batch stops there.
    fn hand<F>(&mut self, done: Done, after_stop: Rest, each: &mut F) -> Option<Rest>
    where
        F: FnMut(Done) -> std::io::Result<Flow>,
    {
        let rejected = matches!(done.outcome, Outcome::Rejected { .. });
        let number = done.record.number;
        let summary = &mut self.summary;
        summary.read += 1;
        if rejected {
            summary.rejected += 1;
        } else {
            summary.rendered += 1;
        }
        self.last_handed = number;
        let handed = each(done);
        if rejected
            && self
                .options
                .max_rejects
                .is_some_and(|m| summary.rejected >= m)
        {
            summary.stopped_at = Some(number);
        }
        match handed {
            Err(e) => {
                self.failure = Some(e);
                Some(Rest::Leave)
            }
            Ok(Flow::Stop) => Some(after_stop),
            // `max_rejects` reached: the rest is not read.
            Ok(Flow::Next) if summary.stopped_at.is_some() => Some(Rest::Leave),
            Ok(Flow::Next) => None,
        }
    }

    /// Stops the batch: the reader reads no more (or only counts), the workers end.
    fn stop(&mut self, how: Rest) {
        self.rest.store(how as u8, Ordering::SeqCst); // before the permits go: the reader sees it
        self.permits = None;
        self.work = None;
        self.stopped = Some(how);
        self.summary.lines = self.last_handed;
    }

    /// The summary, or the batch's error.
    fn finish(mut self, messages: &Receiver<Message>) -> std::io::Result<Summary> {
        self.work = None;
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        if self.stopped == Some(Rest::Leave) && self.end.is_none() {
            // What the reader sent before it saw the stop (its end, if it came to it).
            while let Ok(message) = messages.try_recv() {
                match message {
                    Message::Read(records) => self.records_read += records.len(),
                    Message::End(end) => self.end = Some(end),
                    Message::Rendered(..) | Message::Panicked => {}
                }
            }
        }
        let mut end = self.end.take();
        if let Some(e) = end.as_mut().and_then(|e| e.error.take()) {
            return Err(e);
        }
        let mut summary = self.summary;
        match self.stopped {
            None => summary.lines = end.map_or(0, |e| e.lines),
            // `max_rejects`: the records after it are neither handed nor counted.
            Some(_) if summary.stopped_at.is_some() => {}
            Some(_) => {
                summary.not_handed =
                    self.records_read - summary.read + end.as_ref().map_or(0, |e| e.counted);
                // A reader that stopped short of the end sends its `End` too: only one
                // that came to the end of the input read all of it.
                summary.rest_unread = !end.as_ref().is_some_and(|e| e.eof);
            }
        }
        Ok(summary)
    }
}

/// Checks and renders one record that was not read from NDJSON (a whole JSON file), as
/// [`stream`] does each of its records.
pub fn one(template: &Template, record: Record, options: &Options) -> Done {
    let mut customer_id = None;
    let cid = options.customer_id.then_some(&mut customer_id);
    let outcome = render_record(template, &record, options.request.as_ref(), cid);
    Done {
        record,
        outcome,
        customer_id,
    }
}

impl Template {
    /// Renders the NDJSON records of `input` to `output`, one line per rendered record, in
    /// input order (with [`Options::aligned`], a `null` line for each rejected record and each
    /// blank line: one output line per input line), and returns the counts. For the rejected
    /// records' diagnostics, use [`stream`]. It returns once the input is read to its end (or
    /// at [`Options::max_rejects`], once the record being read is): for an input that may
    /// stay open without end, use [`stream_live`].
    pub fn render_ndjson<R: Read + Send, W: Write>(
        &self,
        input: R,
        mut output: W,
        options: &Options,
    ) -> std::io::Result<Summary> {
        let mut aligned = options.aligned.then(Aligned::default);
        let summary = stream(self, input, options, |done| {
            if let Some(a) = &mut aligned {
                a.blank_lines_before(&mut output, done.record.number)?;
            }
            match &done.outcome {
                Outcome::Rendered { json, .. } => {
                    output.write_all(json)?;
                    output.write_all(b"\n")
                }
                Outcome::Rejected { .. } if options.aligned => output.write_all(b"null\n"),
                Outcome::Rejected { .. } => Ok(()),
            }
        })?;
        if let Some(a) = &mut aligned {
            a.blank_lines_before(&mut output, summary.lines + 1)?;
        }
        output.flush()?;
        Ok(summary)
    }
}

/// Aligned output's bookkeeping: the input lines written so far, so that the blank lines
/// between two records (and after the last one) get their `null` too.
#[derive(Debug, Default)]
pub struct Aligned {
    written: usize,
}

impl Aligned {
    /// Writes a `null` line for each input line before line `number` not yet written (blank
    /// lines), then counts line `number` as written by the caller. At the end of a batch, call
    /// it with [`Summary::lines`] + 1.
    pub fn blank_lines_before(
        &mut self,
        output: &mut impl Write,
        number: usize,
    ) -> std::io::Result<()> {
        while self.written + 1 < number {
            output.write_all(b"null\n")?;
            self.written += 1;
        }
        self.written = self.written.max(number);
        Ok(())
    }
}

/// Checks and renders one record; with `customer_id`, its customer_id too (a send's), whose
/// errors reject the record with the body's.
fn render_record(
    template: &Template,
    record: &Record,
    request: Option<&RequestOptions>,
    customer_id: Option<&mut Option<String>>,
) -> Outcome {
    if let Some(at) = record.not_utf8 {
        let span = crate::span::Span::new(at, at + '\u{fffd}'.len_utf8());
        return Outcome::Rejected {
            diagnostics: vec![codes::m0007_not_utf8("the record is not UTF-8 text")
                .label(diagnostic::Origin::Data, span, "the first invalid byte")
                .help("write the records in UTF-8; the rejects file keeps this line under `text`, its bad bytes replaced by `\u{fffd}`, to fix by hand")],
        };
    }
    thread_local! {
        /// The size of the last body rendered on this thread: the next one's buffer is sized
        /// from it (rendered straight into, no copy, seldom grown).
        static LAST: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
    let hint = LAST.with(|l| l.get()).max(record.text.len() + 256);
    let mut json = Vec::with_capacity(hint + hint / 8);
    // A good record (the common case) the fast way; any other is done again below, which
    // says what is wrong with it. A send's customer_id is rendered from the spanned data.
    if customer_id.is_none() && template.render_fast(&mut json, &record.text, request) {
        LAST.with(|l| l.set(json.len()));
        return Outcome::Rendered {
            json,
            warnings: Vec::new(),
        };
    }
    let (node, mut warnings) = match data::prepare(template, &record.text) {
        Ok(x) => x,
        Err(mut diagnostics) => {
            data::record_help(&mut diagnostics, &record.text);
            return Outcome::Rejected { diagnostics };
        }
    };
    // The record's locale, when the template reads it from the data.
    let template = match data::for_record(template, &node) {
        Ok(t) => t,
        Err(d) => {
            let mut diagnostics = warnings;
            diagnostics.push(d);
            diagnostic::sort(&mut diagnostics);
            return Outcome::Rejected { diagnostics };
        }
    };
    // A send's customer_id, from the same data.
    let mut id_errors = Vec::new();
    if let Some(id) = customer_id {
        match template.customer_id_checked(&node) {
            Ok((cid, w)) => {
                *id = cid;
                warnings.extend(w);
            }
            Err(e) => id_errors = e,
        }
    }
    match template.render_owned(&mut json, &node, request) {
        Ok(w) if id_errors.is_empty() => {
            LAST.with(|l| l.set(json.len()));
            warnings.extend(w);
            Outcome::Rendered { json, warnings }
        }
        rendered => {
            let mut diagnostics = id_errors;
            match rendered {
                Ok(w) => warnings.extend(w),
                Err(e) => diagnostics.extend(e),
            }
            diagnostics.extend(warnings);
            diagnostic::sort(&mut diagnostics);
            Outcome::Rejected { diagnostics }
        }
    }
}

/// The input's lines, numbered, cut into chunks of records.
struct Lines<R> {
    input: BufReader<R>,
    number: usize,
    buf: Vec<u8>,
}

impl<R: Read> Lines<R> {
    fn new(input: R) -> Lines<R> {
        Lines {
            input: BufReader::with_capacity(256 * 1024, input),
            number: 0,
            buf: Vec::new(),
        }
    }

    /// Reads the rest of the input and counts its records (lines not blank).
    fn count_rest(&mut self) -> std::io::Result<usize> {
        let mut records = 0;
        loop {
            self.buf.clear();
            if self.input.read_until(b'\n', &mut self.buf)? == 0 {
                return Ok(records);
            }
            self.number += 1;
            if !self.buf.iter().all(u8::is_ascii_whitespace) {
                records += 1;
            }
        }
    }

    /// The next records, empty at the end of the input.
    fn chunk(&mut self) -> std::io::Result<Vec<Record>> {
        let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
        let mut bytes = 0;
        while chunk.len() < CHUNK_RECORDS && bytes < CHUNK_BYTES {
            // No whole line read yet (nothing buffered, a blank line's end, half a record): the
            // chunk goes now rather than wait for more input, so a record from a live stream
            // (a queue piped in) is rendered when it arrives.
            if !chunk.is_empty() && !self.input.buffer().contains(&b'\n') {
                break;
            }
            self.buf.clear();
            if self.input.read_until(b'\n', &mut self.buf)? == 0 {
                break;
            }
            self.number += 1;
            let mut line = &self.buf[..];
            while let [rest @ .., b'\n' | b'\r'] = line {
                line = rest;
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            bytes += line.len();
            let (text, not_utf8) = match std::str::from_utf8(line) {
                Ok(t) => (t.to_string(), None),
                // The valid bytes before the first invalid one are kept as they are.
                Err(e) => (
                    String::from_utf8_lossy(line).into_owned(),
                    Some(e.valid_up_to()),
                ),
            };
            chunk.push(Record {
                number: self.number,
                text,
                not_utf8,
            });
        }
        Ok(chunk)
    }
}

/// The fast form against the usual way: a test of render's fast form that needs the data
/// checks as its oracle, so it stands here, where both stages meet, not in render.
#[cfg(test)]
mod fast_form_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> Template {
        let src = "notification hello\ninput { name: string max 5 }\ntext \"Hello {{ name }}!\"\n";
        crate::compile(src, &crate::Options::default())
            .template
            .expect("compiles")
    }

    /// A batch of `n` records, every seventh one bad in a different way.
    fn input(n: usize) -> String {
        (1..=n)
            .map(|i| match i % 7 {
                0 => "{\"name\": 3}\n".to_string(),
                3 if i % 2 == 0 => "{\"name\": \n".to_string(),
                5 => "\n".to_string(),
                _ => format!("{{\"name\": \"n{}\"}}\n", i % 1000),
            })
            .collect()
    }

    fn numbers(t: &Template, input: &str, options: &Options) -> (Vec<(usize, bool)>, Summary) {
        let mut seen = Vec::new();
        let summary = stream(t, input.as_bytes(), options, |d| {
            seen.push((
                d.record.number,
                matches!(d.outcome, Outcome::Rendered { .. }),
            ));
            Ok(())
        })
        .unwrap();
        (seen, summary)
    }

    /// A stream that gives one line and then has nothing yet: the first chunk is that line
    /// alone, handed over without asking the stream for more.
    #[test]
    fn a_chunk_goes_when_the_input_has_nothing_more_yet() {
        use std::sync::atomic::AtomicBool;
        struct Trickle<'a> {
            given: bool,
            asked_again: &'a AtomicBool,
        }
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.given {
                    self.asked_again.store(true, Ordering::SeqCst);
                    return Ok(0);
                }
                self.given = true;
                let line = b"{\"name\": \"Lisa\"}\n";
                buf[..line.len()].copy_from_slice(line);
                Ok(line.len())
            }
        }
        let asked_again = AtomicBool::new(false);
        let mut lines = Lines::new(Trickle {
            given: false,
            asked_again: &asked_again,
        });
        let chunk = lines.chunk().unwrap();
        assert_eq!(chunk.len(), 1);
        assert!(!asked_again.load(Ordering::SeqCst));
    }

    #[test]
    fn records_come_back_in_input_order_whatever_the_threads() {
        let t = template();
        let text = input(5000);
        let one = numbers(
            &t,
            &text,
            &Options {
                jobs: 1,
                ..Options::default()
            },
        );
        let four = numbers(
            &t,
            &text,
            &Options {
                jobs: 4,
                ..Options::default()
            },
        );
        assert_eq!(one, four);
        let (seen, summary) = one;
        // Blank lines are not records, but count as lines.
        let expected: Vec<usize> = (1..=5000).filter(|i| i % 7 != 5).collect();
        assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), expected);
        assert_eq!(summary.read, expected.len());
        assert_eq!(summary.read, summary.rendered + summary.rejected);
        let bad = seen.iter().filter(|s| !s.1).map(|s| s.0);
        assert!(bad
            .clone()
            .all(|n| n % 7 == 0 || (n % 7 == 3 && n % 2 == 0)));
        assert_eq!(bad.count(), summary.rejected);
        assert_eq!(summary.stopped_at, None);
    }

    #[test]
    fn max_rejects_stops_at_the_nth_rejected_record() {
        let t = template();
        let text = input(5000);
        let options = Options {
            jobs: 2,
            max_rejects: Some(3),
            ..Options::default()
        };
        let (seen, summary) = numbers(&t, &text, &options);
        // Rejected: 7, 10, 14.
        assert_eq!(summary.stopped_at, Some(14));
        assert_eq!(seen.last(), Some(&(14, false)));
        assert_eq!((summary.rejected, summary.read), (3, seen.len()));
    }

    #[test]
    fn render_ndjson_writes_bodies_and_aligned_nulls() {
        let t = template();
        let text: &[u8] =
            b"{\"name\": \"Ann\"}\n{\"name\": \"far too long\"}\n\xff\n{\"name\": \"Bo\"}";
        let mut out = Vec::new();
        let options = Options {
            aligned: true,
            ..Options::default()
        };
        let summary = t.render_ndjson(text, &mut out, &options).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"text\":\"Hello Ann!\"}\nnull\nnull\n{\"text\":\"Hello Bo!\"}\n"
        );
        assert_eq!(
            (summary.read, summary.rendered, summary.rejected),
            (4, 2, 2)
        );
    }

    #[test]
    fn a_stop_hands_over_no_more_records_but_counts_them() {
        let t = template();
        let text = input(5000);
        let records = (1..=5000).filter(|i| i % 7 != 5).count();
        for jobs in [1, 3] {
            let mut handed = Vec::new();
            let options = Options {
                jobs,
                ..Options::default()
            };
            let summary = stream_with(&t, text.as_bytes(), &options, |d| {
                handed.push(d.record.number);
                Ok(if handed.len() == 300 {
                    Flow::Stop
                } else {
                    Flow::Next
                })
            })
            .unwrap();
            let expected: Vec<usize> = (1..=5000).filter(|i| i % 7 != 5).take(300).collect();
            assert_eq!(handed, expected);
            assert_eq!(summary.read, 300);
            assert_eq!(summary.read + summary.not_handed, records);
            assert_eq!(summary.lines, expected[299]);
        }
    }

    /// An input that gives `text`, then blocks in `read` until the test drops its sender (a
    /// pipe whose writer stays open), then ends.
    struct Open {
        text: std::io::Cursor<Vec<u8>>,
        open: std::sync::mpsc::Receiver<()>,
    }

    impl Read for Open {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.text.read(buf)? {
                0 => {
                    let _ = self.open.recv();
                    Ok(0)
                }
                n => Ok(n),
            }
        }
    }

    /// Runs a live batch over `text` followed by an input kept open, on a thread: the batch
    /// must return within 10 s, while the input is still open.
    fn live(text: &str, options: Options, stop_after: usize, asked: bool) -> (Vec<usize>, Summary) {
        let (keep_open, open) = std::sync::mpsc::channel();
        let input = Open {
            text: std::io::Cursor::new(text.as_bytes().to_vec()),
            open,
        };
        let (result_tx, result) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let t = template();
            let handed = std::cell::RefCell::new(Vec::new());
            let stop = || asked && handed.borrow().len() >= stop_after;
            let live = Live {
                stop: Some(&stop),
                ..Live::default()
            };
            let summary = stream_live(&t, input, &options, &live, |d| {
                let mut handed = handed.borrow_mut();
                handed.push(d.record.number);
                Ok(if !asked && handed.len() == stop_after {
                    Flow::Stop
                } else {
                    Flow::Next
                })
            });
            let _ = result_tx.send((handed.into_inner(), summary));
        });
        let (handed, summary) = result
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the batch returned while its input was open");
        drop(keep_open);
        (handed, summary.unwrap())
    }

    #[test]
    fn a_live_batch_stopped_returns_with_its_input_open_and_the_rest_unread() {
        let text = "{\"name\": \"Ann\"}\n{\"name\": \"Bo\"}\n\n{\"name\": \"Cy\"}\n";
        for jobs in [1, 3] {
            let options = Options {
                jobs,
                ..Options::default()
            };
            let (handed, summary) = live(text, options, 2, false);
            assert_eq!(handed, [1, 2]);
            assert_eq!((summary.read, summary.lines), (2, 2));
            // Record 4 was read ahead (in the same read); the rest never came.
            assert_eq!(summary.not_handed, 1);
            assert!(summary.rest_unread);
        }
    }

    #[test]
    fn a_record_followed_by_a_blank_line_or_half_a_record_is_handed_over_without_waiting() {
        for text in [
            "{\"name\": \"Ann\"}\n\n",
            "{\"name\": \"Ann\"}\n{\"name\": \"B",
        ] {
            let (handed, summary) = live(text, Options::default(), 1, false);
            assert_eq!(handed, [1], "{text:?}");
            assert!(summary.rest_unread);
        }
    }

    #[test]
    fn a_live_batch_stopped_while_its_reader_is_ahead_says_the_rest_is_unread() {
        // The input comes faster than the caller takes it: at the stop, the reader is waiting
        // for a permit, not blocked in `read`; it then ends short of the input's end.
        let t = template();
        let text = input(20_000);
        let records = (1..=20_000).filter(|i| i % 7 != 5).count();
        for _ in 0..20 {
            let mut handed = 0;
            let summary = stream_live(
                &t,
                std::io::Cursor::new(text.clone().into_bytes()),
                &Options {
                    jobs: 1,
                    ..Options::default()
                },
                &Live::default(),
                |_| {
                    handed += 1;
                    Ok(if handed == 10 { Flow::Stop } else { Flow::Next })
                },
            )
            .unwrap();
            assert_eq!(summary.read, 10);
            assert!(summary.read + summary.not_handed < records);
            assert!(summary.rest_unread, "{summary:?}");
        }
    }

    #[test]
    fn a_live_batch_waiting_for_input_stops_when_asked() {
        let text = "{\"name\": \"Ann\"}\n";
        let (handed, summary) = live(text, Options::default(), 1, true);
        assert_eq!(handed, [1]);
        assert_eq!((summary.read, summary.not_handed), (1, 0));
        assert!(summary.rest_unread);
    }

    #[test]
    fn a_live_batch_stops_at_max_rejects_with_its_input_open() {
        let text = "{\"name\": \"Ann\"}\n{\"name\": 3}\n";
        let options = Options {
            max_rejects: Some(1),
            ..Options::default()
        };
        let (handed, summary) = live(text, options, usize::MAX, false);
        assert_eq!(handed, [1, 2]);
        assert_eq!(summary.stopped_at, Some(2));
        assert_eq!((summary.read, summary.rejected, summary.lines), (2, 1, 2));
    }

    #[test]
    fn a_live_batch_that_counts_the_rest_reads_a_finite_input_to_its_end() {
        let t = template();
        let text = input(3000);
        let records = (1..=3000).filter(|i| i % 7 != 5).count();
        let live = Live {
            count_rest: true,
            ..Live::default()
        };
        let mut handed = 0;
        let summary = stream_live(
            &t,
            std::io::Cursor::new(text.into_bytes()),
            &Options::default(),
            &live,
            |_| {
                handed += 1;
                Ok(if handed == 100 {
                    Flow::Stop
                } else {
                    Flow::Next
                })
            },
        )
        .unwrap();
        assert_eq!(summary.read + summary.not_handed, records);
        assert!(!summary.rest_unread);
        // To its end, the live form hands over what the scoped one does.
        let (seen, full) = numbers(&t, &input(3000), &Options::default());
        let mut live_seen = Vec::new();
        let live_full = stream_live(
            &t,
            std::io::Cursor::new(input(3000).into_bytes()),
            &Options::default(),
            &Live::default(),
            |d| {
                live_seen.push((
                    d.record.number,
                    matches!(d.outcome, Outcome::Rendered { .. }),
                ));
                Ok(Flow::Next)
            },
        )
        .unwrap();
        assert_eq!((live_seen, live_full), (seen, full));
    }

    #[test]
    fn a_send_gets_each_records_customer_id_from_the_same_render() {
        let src = "notification hello\ncustomer_id \"c-{{ name }}\"\ninput { name: string max 5 }\ntext \"Hello {{ name }}!\"\n";
        let t = crate::compile(src, &crate::Options::default())
            .template
            .expect("compiles");
        let options = Options {
            customer_id: true,
            ..Options::default()
        };
        let text = "{\"name\": \"Ann\"}\n{\"name\": 3}\n";
        let mut seen = Vec::new();
        stream(&t, text.as_bytes(), &options, |d| {
            let one = one(
                &t,
                Record::new(d.record.number, d.record.text.clone()),
                &options,
            );
            assert_eq!(one.customer_id, d.customer_id);
            assert_eq!(format!("{:?}", one.outcome), format!("{:?}", d.outcome));
            seen.push((d.customer_id, matches!(d.outcome, Outcome::Rendered { .. })));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [(Some("c-Ann".to_string()), true), (None, false)]);
        // Without the option, none.
        let (_, summary) = numbers(&t, text, &Options::default());
        assert_eq!(summary.rendered, 1);
    }

    #[test]
    fn records_are_numbered_by_line_without_their_line_breaks() {
        let t = template();
        let text = "{\"a\":1}\n\n  \r\n{\"a\":2}\r\n{\"a\":3}";
        let mut seen = Vec::new();
        let summary = stream(&t, text.as_bytes(), &Options::default(), |d| {
            seen.push((d.record.number, d.record.text));
            Ok(())
        })
        .unwrap();
        let expected = [(1, "{\"a\":1}"), (4, "{\"a\":2}"), (5, "{\"a\":3}")];
        assert_eq!(seen, expected.map(|(n, t)| (n, t.to_string())));
        assert_eq!(summary.lines, 5);
    }

    #[test]
    fn a_closed_output_stops_the_batch_with_its_error() {
        let t = template();
        let text = input(10_000);
        let mut n = 0;
        let r = stream(&t, text.as_bytes(), &Options::default(), |_| {
            n += 1;
            if n == 100 {
                Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            } else {
                Ok(())
            }
        });
        assert_eq!(r.unwrap_err().kind(), std::io::ErrorKind::BrokenPipe);
        assert_eq!(n, 100);
    }
}
