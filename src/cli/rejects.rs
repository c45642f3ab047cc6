//! The rejects file that `send` and `render --data-ndjson` write: one JSON line per record
//! not sent (or not rendered), with its reasons and the record as written.

use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;

use missive::diagnostic::report::{self, FileReport};
use missive::SourceFile;

/// A line of the rejects file: keys in alphabetical order (as they have always been), then the
/// record as written.
#[derive(Serialize)]
pub struct RejectLine<'a> {
    pub answer: Option<&'a str>,
    pub customer_id: Option<&'a str>,
    pub diagnostics: serde_json::Value,
    /// `rejected` (never sent, or not rendered), `refused` (an answer a rerun would get again),
    /// `failed` (not delivered after its tries) or `uncertain` (may have been delivered).
    pub outcome: &'static str,
    pub reason: Option<String>,
    pub record: usize,
    pub status: Option<u16>,
    /// The record, unless it may have been delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Box<RawValue>>,
    /// An uncertain record: kept out of `data`, so that feeding the file back cannot resend it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maybe_delivered: Option<Box<RawValue>>,
    /// A record that is not JSON, as a string of its text: kept out of `data`, so that `data`
    /// is always a record (`jq -c .data` feeds back only JSON records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// An NDJSON record as the source of its diagnostics: the `line`-th line of the file `name`,
/// with its line break (so that a label at the end of the record, where a `}` is missing, has
/// a place to be drawn).
pub fn record_source(name: &str, text: &str, line: usize) -> Arc<SourceFile> {
    let mut text = text.to_string();
    text.push('\n');
    Arc::new(SourceFile::new(name, text).at_line(line))
}

/// A record's diagnostics as `--format json` has them.
pub fn json_diagnostics(report: &FileReport) -> serde_json::Value {
    let doc = report::json(std::slice::from_ref(report), 1);
    serde_json::from_str::<serde_json::Value>(&doc)
        .ok()
        .and_then(|mut v| v.get_mut("diagnostics").map(serde_json::Value::take))
        .unwrap_or_default()
}

/// One line of JSON.
pub fn json_line(line: &impl Serialize) -> String {
    serde_json::to_string(line).expect("strings, numbers and JSON values serialize")
}

/// A record for the rejects file: its JSON text as written (key order, `1.50`, big integers),
/// on one line (line breaks are only whitespace between tokens in JSON), or, when it is not
/// JSON, its text (for the `text` key).
pub fn original_record(text: &str) -> Result<Box<RawValue>, String> {
    let text = text.trim_start_matches('\u{feff}').trim();
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .ok()
        .and_then(|_| RawValue::from_string(text.replace(['\n', '\r'], "")).ok())
        .ok_or_else(|| text.to_string())
}

/// Where a record goes in its rejects line: `data` (a JSON record), `maybe_delivered` (a
/// record that may have been delivered) or `text` (not JSON, or a line that was not UTF-8,
/// whose text has its bad bytes replaced: fed back as data, it would render them).
#[allow(clippy::type_complexity)]
pub fn record_keys(
    record: &missive::batch::Record,
    maybe_delivered: bool,
) -> (Option<Box<RawValue>>, Option<Box<RawValue>>, Option<String>) {
    let text = &record.text;
    if !record.is_utf8() {
        return (None, None, Some(text.trim().to_string()));
    }
    match (original_record(text), maybe_delivered) {
        (Ok(json), false) => (Some(json), None, None),
        (Ok(json), true) => (None, Some(json), None),
        // Not JSON: never sent, so never uncertain; under `text` either way.
        (Err(text), _) => (None, None, Some(text)),
    }
}
