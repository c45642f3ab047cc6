//! The delivery journal: an append-only file of JSON lines, one `intent` synced to disk before
//! each request and one `outcome` after (syncs shared between lines: group commit), so that a rerun after a crash knows what was
//! delivered (skip it), what was not (send it), and what may have been (intent without outcome:
//! uncertain, sent again only when asked).
//!
//! A record is known by its key: a hash of the page id, the customer_id and the body, and how
//! many times that same triple came earlier in the run (so a rerun of the same input, even
//! reordered or with records added, finds each record's earlier fate, and two identical
//! records allowed by `--allow-duplicate-customer-id` stay two).

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// What an earlier run did with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prior {
    /// An outcome says it was delivered: never send it again.
    Delivered,
    /// An intent without an outcome, or an uncertain outcome: maybe delivered.
    Uncertain,
    /// Refused or failed: not delivered, send it again.
    NotDelivered,
}

/// What earlier runs did, as read from a journal.
#[derive(Debug, Default, Clone)]
pub struct History {
    keys: HashMap<String, Prior>,
    /// (page id, notification, customer_id) of every key delivered or maybe delivered.
    reached: HashSet<(String, String, String)>,
    /// The last line, when a crash cut it short while it was being written.
    cut: Option<Cut>,
    /// The last line is a whole entry without its line break.
    unterminated: bool,
}

/// A last line cut short while missive was writing it: the start of an entry, ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// 1-based line number.
    pub line: usize,
    /// How many bytes of the entry were written.
    pub bytes: usize,
}

impl History {
    /// The fate of a key in earlier runs.
    pub(crate) fn get(&self, key: &str) -> Option<Prior> {
        self.keys.get(key).copied()
    }

    /// Whether an earlier run delivered (or maybe delivered) this notification to this
    /// customer_id of this page, whatever the body was. (Another page's customer_id is
    /// another person.)
    pub(crate) fn reached(&self, page_id: &str, notification: &str, customer_id: &str) -> bool {
        self.reached.contains(&(
            page_id.to_string(),
            notification.to_string(),
            customer_id.to_string(),
        ))
    }

    /// How many records the journal has an entry for.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the journal has no entry.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The last line, when it was cut short while being written (and so ignored).
    pub fn cut(&self) -> Option<Cut> {
        self.cut
    }
}

/// The key of a record: page id, customer_id and body hashed (SHA-256, 128 bits in hex), then
/// `-N` for the N-th identical record of the run (N > 1).
pub(crate) fn record_key(
    page_id: &str,
    customer_id: &str,
    body: &[u8],
    occurrence: usize,
) -> String {
    let mut h = Sha256::new();
    for part in [page_id.as_bytes(), customer_id.as_bytes(), body] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    let digest = h.finalize();
    let mut key: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    if occurrence > 1 {
        key.push_str(&format!("-{occurrence}"));
    }
    key
}

/// Why a journal cannot be used.
#[derive(Debug)]
pub enum JournalError {
    /// An I/O error on the journal file.
    Io(std::io::Error),
    /// A line that is not a journal entry: where (1-based line, and column in bytes) and why.
    Corrupt {
        /// The line, from 1.
        line: usize,
        /// The column, in bytes.
        column: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Another process holds the journal.
    Busy,
}

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalError::Io(e) => write!(f, "{e}"),
            JournalError::Corrupt {
                line,
                column,
                reason,
            } => write!(f, "line {line}, column {column}: {reason}"),
            JournalError::Busy => f.write_str("another `missive send` is using it"),
        }
    }
}

/// An open journal: appends are written in order, and made durable by group commit: one
/// sync covers every line written before it started, so writers waiting at the same time
/// share it (see [`Journal::wait`]).
#[derive(Debug)]
pub struct Journal {
    /// The file, for writing; the number of lines written (a line's sequence number).
    file: Mutex<(File, u64)>,
    /// Which lines are durable, and whether a writer is syncing now.
    sync: Mutex<Synced>,
    /// Signalled after each sync.
    synced_cv: Condvar,
    sync_file: File,
    /// Syncs done, for measurements and tests.
    syncs: AtomicU64,
}

#[derive(Debug, Default)]
struct Synced {
    /// Every line up to this sequence number is on disk.
    upto: u64,
    syncing: bool,
}

/// A line written but maybe not yet durable: [`Journal::wait`] returns once it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a line is durable only once waited for"]
pub struct Pending(u64);

impl Journal {
    /// Opens (or creates) a journal, locks it against a second sender, and reads what earlier
    /// runs did. A last line cut short by a crash is ignored, and cut off the file (see
    /// [`History::cut`]); a whole last line that lost its line break gets it back.
    pub fn open(path: &Path) -> Result<(Journal, History), JournalError> {
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(JournalError::Io)?;
        lock(&file)?;
        if !existed {
            // A new file's name must survive a crash too: sync its folder.
            sync_parent(path).map_err(JournalError::Io)?;
        }
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(JournalError::Io)?;
        let prior = read(&text)?;
        if prior.unterminated {
            file.write_all(b"\n").map_err(JournalError::Io)?;
            file.sync_data().map_err(JournalError::Io)?;
        } else if prior.cut.is_some() {
            // Cut the unfinished line off: it never happened (see `read`).
            let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            file.set_len(keep as u64).map_err(JournalError::Io)?;
            file.sync_data().map_err(JournalError::Io)?;
        }
        file.seek(SeekFrom::End(0)).map_err(JournalError::Io)?;
        let sync_file = file.try_clone().map_err(JournalError::Io)?;
        Ok((
            Journal {
                file: Mutex::new((file, 0)),
                sync: Mutex::new(Synced::default()),
                synced_cv: Condvar::new(),
                sync_file,
                syncs: AtomicU64::new(0),
            },
            prior,
        ))
    }

    /// Reads what earlier runs did, without opening the journal for writing (dry runs). A
    /// journal that does not exist yet has no history.
    pub fn history(path: &Path) -> Result<History, JournalError> {
        match std::fs::read(path) {
            Ok(text) => read(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(History::default()),
            Err(e) => Err(JournalError::Io(e)),
        }
    }

    /// The first line of a run: what it sends, where (never the token).
    pub fn run(&self, template: &str, page_id: &str, api_url: &str) -> std::io::Result<()> {
        self.append(&RunLine {
            api_url,
            event: "run",
            page_id,
            pid: std::process::id(),
            template,
            time: now(),
        })
    }

    /// Before a request: this key is about to be sent (synced before returning).
    pub(crate) fn intent(
        &self,
        key: &str,
        record: usize,
        notification: &str,
        customer_id: &str,
    ) -> std::io::Result<()> {
        self.append(&IntentLine {
            customer_id,
            event: "intent",
            key,
            notification,
            record,
            time: now(),
        })
    }

    /// After a request: how it ended (`delivered`, `refused`, `failed`, `uncertain`), synced
    /// before returning. The batch writes outcomes through the group commit instead; the tests
    /// write a journal's history with this.
    #[cfg(test)]
    pub(crate) fn outcome(
        &self,
        key: &str,
        record: usize,
        result: &str,
        status: Option<u16>,
        message: Option<&str>,
    ) -> std::io::Result<()> {
        let pending = self.outcome_pending(key, record, result, status, message)?;
        self.wait(pending)
    }

    /// After a request: how it ended (`delivered`, `refused`, `failed`, `uncertain`), returned
    /// once the line is written, not yet synced: the caller waits for
    /// it (with [`Journal::wait`]) before it reports the record, and may first write its next
    /// intent, so that one sync covers both lines. The outcome is then durable before the
    /// record is reported and before the caller's next request starts, at the cost of one
    /// sync instead of two.
    pub fn outcome_pending(
        &self,
        key: &str,
        record: usize,
        result: &str,
        status: Option<u16>,
        message: Option<&str>,
    ) -> std::io::Result<Pending> {
        self.write(&OutcomeLine {
            event: "outcome",
            key,
            message,
            record,
            result,
            status,
            time: now(),
        })
    }

    /// How many syncs this journal did since it was opened (a run's cost on the disk).
    pub fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    /// Writes a line and waits until it is durable.
    fn append(&self, entry: &impl Serialize) -> std::io::Result<()> {
        let pending = self.write(entry)?;
        self.wait(pending)
    }

    /// Writes a line (to the operating system, not yet to the disk).
    fn write(&self, entry: &impl Serialize) -> std::io::Result<Pending> {
        let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.0.write_all(line.as_bytes())?;
        f.1 += 1;
        Ok(Pending(f.1))
    }

    /// Returns once the line is on disk. Group commit: if no sync is running, this writer
    /// syncs, covering every line written so far (its own and those of writers that wrote
    /// since the last sync); if one is running, it waits for it, and then for the next one
    /// unless that one covered its line. So a line costs at most two syncs' time, and writers
    /// at the same time share syncs.
    pub fn wait(&self, pending: Pending) -> std::io::Result<()> {
        let Pending(seq) = pending;
        let mut state = self.sync.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if state.upto >= seq {
                return Ok(());
            }
            if state.syncing {
                state = self
                    .synced_cv
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
                continue;
            }
            state.syncing = true;
            drop(state);
            // Every line written before the sync starts is covered by it.
            let target = self.file.lock().unwrap_or_else(|e| e.into_inner()).1;
            let result = self.sync_file.sync_data();
            self.syncs.fetch_add(1, Ordering::Relaxed);
            state = self.sync.lock().unwrap_or_else(|e| e.into_inner());
            state.syncing = false;
            if result.is_ok() {
                state.upto = state.upto.max(target);
            }
            self.synced_cv.notify_all();
            result?;
        }
    }
}

/// The lines of a journal as written: fields in alphabetical order, `event` among them (the
/// order the journal has always had).
#[derive(Serialize)]
struct RunLine<'a> {
    api_url: &'a str,
    event: &'static str,
    page_id: &'a str,
    pid: u32,
    template: &'a str,
    time: u64,
}

#[derive(Serialize)]
struct IntentLine<'a> {
    customer_id: &'a str,
    event: &'static str,
    key: &'a str,
    notification: &'a str,
    record: usize,
    time: u64,
}

#[derive(Serialize)]
struct OutcomeLine<'a> {
    event: &'static str,
    key: &'a str,
    message: Option<&'a str>,
    record: usize,
    result: &'a str,
    status: Option<u16>,
    time: u64,
}

#[cfg(unix)]
fn sync_parent(path: &Path) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(parent)?.sync_all()
}

#[cfg(not(unix))]
fn sync_parent(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Locks the journal against a second sender (an advisory lock that goes with the file).
fn lock(file: &File) -> Result<(), JournalError> {
    match fs4::fs_std::FileExt::try_lock_exclusive(file) {
        Ok(true) => Ok(()),
        Ok(false) => Err(JournalError::Busy),
        Err(e) => Err(JournalError::Io(e)),
    }
}

/// The fate of every key in a journal's text.
fn read(text: &[u8]) -> Result<History, JournalError> {
    #[derive(PartialEq)]
    enum State {
        Pending,
        Is(Prior),
    }
    let mut states: HashMap<String, State> = HashMap::new();
    let mut ids: HashMap<String, (String, String, String)> = HashMap::new();
    // The page of the run whose lines follow (a run holds the journal's lock throughout).
    let mut page = String::new();
    let complete = text.is_empty() || text.ends_with(b"\n");
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let last = lines.len().saturating_sub(1);
    let mut run_seen = false;
    let mut cut = None;
    let mut unterminated = false;
    for (i, raw) in lines.iter().enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let corrupt = |column: usize, reason: String| JournalError::Corrupt {
            line: i + 1,
            column,
            reason,
        };
        let entry: serde_json::Value = match serde_json::from_slice(raw) {
            Ok(v) => {
                unterminated = i == last && !complete;
                v
            }
            Err(e) if i == last && !complete => {
                // A crash in the middle of writing the last line: that write never finished,
                // so its request was never sent (intent) or its outcome is unknown (outcome).
                // Only the start of an entry, after the run line that missive writes first,
                // can be such a line: anything else is damage (a block of zeros after a power
                // cut, a copy cut short or spliced), and going on could send records twice.
                match entry_prefix(raw) {
                    Ok(()) if run_seen => {
                        cut = Some(Cut {
                            line: i + 1,
                            bytes: raw.len(),
                        });
                        continue;
                    }
                    Ok(()) => {
                        return Err(corrupt(
                            1,
                            "the last line is cut short, and no `run` line comes before it: this is not a journal missive wrote".to_string(),
                        ))
                    }
                    Err(at) => {
                        return Err(corrupt(
                            at + 1,
                            format!(
                                "the last line has no line break and is not a journal entry, nor the start of one ({e})"
                            ),
                        ))
                    }
                }
            }
            Err(e) => {
                // serde_json's message without its own position (line 1 of the line alone).
                let message = e.to_string();
                let what = message
                    .rsplit_once(" at line ")
                    .map_or(message.as_str(), |(m, _)| m);
                return Err(corrupt(
                    e.column().max(1),
                    format!("not a journal entry (not JSON: {what})"),
                ));
            }
        };
        let event = entry.get("event").and_then(|e| e.as_str());
        let key = entry.get("key").and_then(|k| k.as_str());
        match (event, key) {
            (Some("run"), _) => {
                run_seen = true;
                page = entry
                    .get("page_id")
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string();
            }
            (Some("intent"), Some(key)) => {
                let field = |name: &str| {
                    entry
                        .get(name)
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                ids.insert(
                    key.to_string(),
                    (page.clone(), field("notification"), field("customer_id")),
                );
                let s = states.entry(key.to_string()).or_insert(State::Pending);
                if *s != State::Is(Prior::Delivered) {
                    *s = State::Pending;
                }
            }
            (Some("outcome"), Some(key)) => {
                let result = entry.get("result").and_then(|r| r.as_str());
                let prior = match result {
                    Some("delivered") => Prior::Delivered,
                    Some("uncertain") => Prior::Uncertain,
                    Some("refused" | "failed") => Prior::NotDelivered,
                    other => {
                        return Err(corrupt(1, format!("unknown result {other:?}")));
                    }
                };
                let s = states.entry(key.to_string()).or_insert(State::Pending);
                if *s != State::Is(Prior::Delivered) {
                    *s = State::Is(prior);
                }
            }
            _ => return Err(corrupt(1, "no `event` and `key`".to_string())),
        }
    }
    let keys: HashMap<String, Prior> = states
        .into_iter()
        .map(|(k, s)| {
            let p = match s {
                State::Pending => Prior::Uncertain,
                State::Is(p) => p,
            };
            (k, p)
        })
        .collect();
    let reached = keys
        .iter()
        .filter(|(_, p)| **p != Prior::NotDelivered)
        .filter_map(|(k, _)| ids.get(k).cloned())
        .collect();
    Ok(History {
        keys,
        reached,
        cut,
        unterminated,
    })
}

/// Whether `line` is the start of a line missive writes (a flat JSON object of its known
/// fields, with string, number or null values, written compactly); else the byte offset
/// where it stops being one.
fn entry_prefix(line: &[u8]) -> Result<(), usize> {
    const FIELDS: [&str; 13] = [
        "api_url",
        "customer_id",
        "event",
        "key",
        "message",
        "notification",
        "page_id",
        "pid",
        "record",
        "result",
        "status",
        "template",
        "time",
    ];
    #[derive(Clone, Copy, PartialEq)]
    enum At {
        Open,
        KeyQuote,
        Key(usize),
        Colon,
        Value,
        Str { escape: u8 },
        Number,
        Null(usize),
        After,
    }
    let mut at = At::Open;
    for (i, &b) in line.iter().enumerate() {
        at = match (at, b) {
            (At::Open, b'{') => At::KeyQuote,
            (At::KeyQuote, b'"') => At::Key(i + 1),
            (At::Key(start), b'"')
                if FIELDS.contains(&&*String::from_utf8_lossy(&line[start..i])) =>
            {
                At::Colon
            }
            (At::Key(start), _)
                if FIELDS
                    .iter()
                    .any(|f| f.as_bytes().starts_with(&line[start..=i])) =>
            {
                At::Key(start)
            }
            (At::Colon, b':') => At::Value,
            (At::Value, b'"') => At::Str { escape: 0 },
            (At::Value, b'0'..=b'9') => At::Number,
            (At::Value, b'n') => At::Null(1),
            (At::Null(n), _) if n < 4 && b == b"null"[n] => {
                if n == 3 {
                    At::After
                } else {
                    At::Null(n + 1)
                }
            }
            (At::Number, b'0'..=b'9') => At::Number,
            (At::Number | At::After, b',') => At::KeyQuote,
            // Inside a string: `escape` counts what is left of an escape (`\uXXXX`: 5).
            (At::Str { escape: 0 }, b'"') => At::After,
            (At::Str { escape: 0 }, b'\\') => At::Str { escape: 6 },
            (At::Str { escape: 0 }, 0x20..) => At::Str { escape: 0 },
            (At::Str { escape: 6 }, b'u') => At::Str { escape: 4 },
            (At::Str { escape: 6 }, b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                At::Str { escape: 0 }
            }
            (At::Str { escape: n @ 1..=4 }, _) if b.is_ascii_hexdigit() => {
                At::Str { escape: n - 1 }
            }
            _ => return Err(i),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("missive-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        let _ = std::fs::remove_file(&p);
        p
    }

    #[test]
    fn keys_depend_on_page_customer_body_and_occurrence() {
        let k = record_key("1", "c", b"{}", 1);
        assert_eq!(k.len(), 32);
        assert_eq!(k, record_key("1", "c", b"{}", 1));
        assert_ne!(k, record_key("2", "c", b"{}", 1));
        assert_ne!(k, record_key("1", "d", b"{}", 1));
        assert_ne!(k, record_key("1", "c", b"{ }", 1));
        assert_eq!(record_key("1", "c", b"{}", 2), format!("{k}-2"));
        // Lengths are hashed too: moving a byte between parts changes the key.
        assert_ne!(
            record_key("1", "cx", b"y", 1),
            record_key("1", "c", b"xy", 1)
        );
    }

    #[test]
    fn a_rerun_knows_delivered_uncertain_and_failed_keys() {
        let p = temp("states.journal");
        {
            let (j, prior) = Journal::open(&p).unwrap();
            assert!(prior.is_empty());
            j.run("t", "1", "http://x").unwrap();
            j.intent("a", 1, "t", "c1").unwrap();
            j.outcome("a", 1, "delivered", Some(200), None).unwrap();
            j.intent("b", 2, "t", "c2").unwrap();
            j.intent("c", 3, "t", "c3").unwrap();
            j.outcome("c", 3, "failed", Some(503), Some("busy"))
                .unwrap();
            j.intent("d", 4, "t", "c4").unwrap();
            j.outcome("d", 4, "uncertain", None, Some("timeout"))
                .unwrap();
        }
        // A crash while writing an outcome: the last line is cut short.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(br#"{"event":"intent","key":"e","record":5}"#)
            .unwrap();
        f.write_all(b"\n").unwrap();
        f.write_all(br#"{"event":"outcome","key":"e","res"#)
            .unwrap();
        drop(f);
        let (j, prior) = Journal::open(&p).unwrap();
        assert_eq!(prior.get("a"), Some(Prior::Delivered));
        assert_eq!(prior.get("b"), Some(Prior::Uncertain));
        assert_eq!(prior.get("c"), Some(Prior::NotDelivered));
        assert_eq!(prior.get("d"), Some(Prior::Uncertain));
        assert_eq!(prior.get("e"), Some(Prior::Uncertain));
        // The cut line is gone; appending goes on after the last whole line.
        j.intent("b", 2, "t", "c2").unwrap();
        j.outcome("b", 2, "delivered", Some(200), None).unwrap();
        drop(j);
        let prior = Journal::history(&p).unwrap();
        assert_eq!(prior.get("b"), Some(Prior::Delivered));
        assert_eq!(prior.len(), 5);
        // Who got what, whatever the body: not `c3`, which was not delivered; and on page `1`
        // only (the page of the run they came in).
        assert!(
            prior.reached("1", "t", "c1")
                && prior.reached("1", "t", "c2")
                && prior.reached("1", "t", "c4")
        );
        assert!(!prior.reached("1", "t", "c3") && !prior.reached("1", "u", "c1"));
        assert!(!prior.reached("2", "t", "c1"));
    }

    #[test]
    fn journal_lines_keep_their_keys_in_alphabetical_order() {
        let p = temp("lines.journal");
        let (j, _) = Journal::open(&p).unwrap();
        j.run("t", "1", "http://x").unwrap();
        j.intent("k", 2, "t", "c\"2").unwrap();
        j.outcome("k", 2, "failed", Some(503), Some("busy"))
            .unwrap();
        j.outcome("k", 2, "uncertain", None, None).unwrap();
        drop(j);
        let text = std::fs::read_to_string(&p).unwrap();
        let pid = std::process::id();
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                let time = l.rfind("\"time\":").expect("a time");
                format!("{}TIME}}", &l[..time + 7])
            })
            .collect();
        assert_eq!(
            lines,
            [
                format!(r#"{{"api_url":"http://x","event":"run","page_id":"1","pid":{pid},"template":"t","time":TIME}}"#),
                r#"{"customer_id":"c\"2","event":"intent","key":"k","notification":"t","record":2,"time":TIME}"#.to_string(),
                r#"{"event":"outcome","key":"k","message":"busy","record":2,"result":"failed","status":503,"time":TIME}"#.to_string(),
                r#"{"event":"outcome","key":"k","message":null,"record":2,"result":"uncertain","status":null,"time":TIME}"#.to_string(),
            ]
        );
    }

    #[test]
    fn one_sync_covers_an_outcome_and_the_next_intent() {
        let p = temp("group.journal");
        let (j, _) = Journal::open(&p).unwrap();
        j.intent("a", 1, "t", "c1").unwrap();
        let before = j.syncs();
        let outcome = j
            .outcome_pending("a", 1, "delivered", Some(200), None)
            .unwrap();
        assert_eq!(j.syncs(), before, "written, not yet synced");
        j.intent("b", 2, "t", "c2").unwrap();
        assert_eq!(j.syncs(), before + 1);
        // The intent's sync covered the outcome, written before it.
        j.wait(outcome).unwrap();
        assert_eq!(j.syncs(), before + 1);
        // Synced lines are synced once: waiting again costs nothing.
        j.wait(outcome).unwrap();
        j.outcome("b", 2, "delivered", Some(200), None).unwrap();
        assert_eq!(j.syncs(), before + 2);
        drop(j);
        let prior = Journal::history(&p).unwrap();
        assert_eq!(prior.get("a"), Some(Prior::Delivered));
        assert_eq!(prior.get("b"), Some(Prior::Delivered));
    }

    #[test]
    fn writers_at_the_same_time_each_get_a_durable_whole_line() {
        let p = temp("threads.journal");
        let (j, _) = Journal::open(&p).unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let j = &j;
                s.spawn(move || {
                    for i in 0..25 {
                        let key = format!("{t}-{i}");
                        j.intent(&key, i, "t", &key).unwrap();
                        let o = j
                            .outcome_pending(&key, i, "delivered", Some(200), None)
                            .unwrap();
                        j.wait(o).unwrap();
                    }
                });
            }
        });
        // Never more syncs than lines; each line whole.
        assert!(j.syncs() <= 400, "{} syncs", j.syncs());
        drop(j);
        let prior = Journal::history(&p).unwrap();
        assert_eq!(prior.len(), 200);
        assert!((0..8).all(|t| prior.get(&format!("{t}-24")) == Some(Prior::Delivered)));
    }

    #[test]
    fn a_damaged_journal_is_refused() {
        let p = temp("damaged.journal");
        std::fs::write(&p, "{\"event\":\"intent\",\"key\":\"a\"}\nhello\n{}\n").unwrap();
        match Journal::open(&p) {
            Err(JournalError::Corrupt { line: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    /// A journal of a finished run of `n` delivered records, as missive writes it.
    fn delivered_run(p: &std::path::Path, n: usize) -> Vec<u8> {
        {
            let (j, _) = Journal::open(p).unwrap();
            j.run("t", "1", "http://x").unwrap();
            for r in 1..=n {
                let key = format!("k{r}");
                j.intent(&key, r, "t", &format!("c{r}")).unwrap();
                j.outcome(&key, r, "delivered", Some(200), None).unwrap();
            }
        }
        std::fs::read(p).unwrap()
    }

    #[test]
    fn a_journal_cut_mid_file_by_damage_is_refused_where_it_is_damaged() {
        let p = temp("cut.journal");
        let whole = delivered_run(&p, 20);
        let line_of = |at: usize| whole[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        // A power cut leaves zeros where the last lines should be; a copy spliced from two
        // pieces leaves the rest of another line: the records those lines held would be sent
        // again, so the journal is refused, at the first byte that is not an entry's.
        let middle = whole.len() / 2 + 7;
        for (damage, column) in [
            (vec![0u8; 300], 1),
            (b"ent\":\"outcome\",\"key\":\"k19\"".to_vec(), 1),
            (b"{\"event\":\"intent\",\"key\":\"k9\",\"x".to_vec(), 31),
        ] {
            let start = middle
                - whole[..middle]
                    .iter()
                    .rev()
                    .position(|&b| b == b'\n')
                    .unwrap();
            let mut text = whole[..start].to_vec();
            text.extend(&damage);
            std::fs::write(&p, &text).unwrap();
            match Journal::open(&p) {
                Err(JournalError::Corrupt {
                    line, column: c, ..
                }) => {
                    assert_eq!((line, c), (line_of(start), column), "{damage:?}");
                }
                other => panic!("{damage:?}: {other:?}"),
            }
            // Refused, and left as it was for the user to repair.
            assert_eq!(std::fs::read(&p).unwrap(), text);
        }
        // Cut inside the entry missive was writing: that line alone is ignored, and said so.
        std::fs::write(&p, &whole[..middle]).unwrap();
        let (_, prior) = Journal::open(&p).unwrap();
        assert_eq!(prior.cut().map(|c| c.line), Some(line_of(middle)));
        let kept = std::fs::read(&p).unwrap();
        assert!(kept.ends_with(b"\n") && whole.starts_with(&kept));
        // A whole entry that lost only its line break counts, and gets it back.
        std::fs::write(&p, &whole[..whole.len() - 1]).unwrap();
        let (_, prior) = Journal::open(&p).unwrap();
        assert_eq!(prior.get("k20"), Some(Prior::Delivered));
        assert!(prior.cut().is_none());
        assert_eq!(std::fs::read(&p).unwrap(), whole);
    }

    #[test]
    fn a_second_sender_cannot_open_the_same_journal() {
        let p = temp("busy.journal");
        let (_j, _) = Journal::open(&p).unwrap();
        assert!(matches!(Journal::open(&p), Err(JournalError::Busy)));
    }
}
