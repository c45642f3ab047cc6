//! Reports: diagnostics as text for humans (miette's graphical snippets under a rustc-style
//! header), one line each (`short`), or one JSON document (`json`).

use std::fmt::Write as _;
use std::sync::Arc;

#[cfg(feature = "fancy")]
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use serde::Serialize;

use super::{Diagnostic, Label, Origin, Severity};
use crate::span::SourceFile;

/// The diagnostics of one file, with the sources their labels point into.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as given on the command line (or `--stdin-filename`).
    pub path: String,
    /// The template source, for labels in [`Origin::Template`].
    pub template: Option<Arc<SourceFile>>,
    /// The data document, for labels in [`Origin::Data`].
    pub data: Option<Arc<SourceFile>>,
    /// The shared parts' files the template uses, for labels in [`Origin::Part`] (by index).
    pub parts: Vec<Arc<SourceFile>>,
    /// An earlier record of the batch (its line of the data file), for labels in
    /// [`Origin::Earlier`].
    pub earlier: Option<Arc<SourceFile>>,
    /// The file's diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// An empty report for `path`: no sources, no diagnostics.
    pub fn new(path: impl Into<String>) -> FileReport {
        FileReport {
            path: path.into(),
            template: None,
            data: None,
            parts: Vec::new(),
            earlier: None,
            diagnostics: Vec::new(),
        }
    }

    fn source(&self, origin: Origin) -> Option<&SourceFile> {
        match origin {
            Origin::Template => self.template.as_deref(),
            Origin::Data => self.data.as_deref(),
            Origin::Part(i) => self.parts.get(i as usize).map(|s| &**s),
            Origin::Earlier => self.earlier.as_deref(),
        }
    }

    /// The file a label points into, as a path.
    fn file_of(&self, origin: Origin) -> &str {
        self.source(origin).map_or(&self.path, |s| &s.name)
    }
}

/// Counts for a summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Diagnostics of severity error.
    pub errors: usize,
    /// Diagnostics of severity warning.
    pub warnings: usize,
}

/// The errors and warnings over all `reports`.
pub fn count(reports: &[FileReport]) -> Counts {
    let mut c = Counts::default();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        match d.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
        }
    }
    c
}

// ---------------------------------------------------------------------------------------------
// human

/// The human report shows at most this many diagnostics of one file (errors first), then
/// counts the rest: a file with 20,000 mistakes has one cause, and a terminal cannot hold them.
/// `--max-diagnostics N` (or `max-diagnostics` in `missive.toml`) changes it: see
/// [`human_limited`].
pub const MAX_SHOWN_PER_FILE: usize = 100;

/// The human report: a rustc-style header, miette's snippets (feature `fancy`; else one line
/// per label), then help and notes; past [`MAX_SHOWN_PER_FILE`] (100) diagnostics in a file,
/// a count of the rest.
pub fn human(reports: &[FileReport], color: bool) -> String {
    human_limited(reports, color, MAX_SHOWN_PER_FILE)
}

/// The human report, showing at most `max_per_file` diagnostics of each file (0: all of them)
/// and counting the rest. The cost of a report grows with the diagnostics shown, not with
/// those counted.
pub fn human_limited(reports: &[FileReport], color: bool, max_per_file: usize) -> String {
    let max_per_file = if max_per_file == 0 {
        usize::MAX
    } else {
        max_per_file
    };
    let mut out = String::new();
    for r in reports {
        let shown = shown(&r.diagnostics, max_per_file);
        for (d, _) in r.diagnostics.iter().zip(&shown).filter(|(_, &s)| s) {
            out.push_str(&human_one(r, d, color));
            out.push('\n');
        }
        let hidden: Vec<&Diagnostic> = r
            .diagnostics
            .iter()
            .zip(&shown)
            .filter(|(_, &s)| !s)
            .map(|(d, _)| d)
            .collect();
        if !hidden.is_empty() {
            let errors = hidden.iter().filter(|d| d.is_error()).count();
            let file = if r.path.is_empty() {
                String::new()
            } else {
                format!(" for `{}`", printable(&r.path))
            };
            let _ = writeln!(
                out,
                "... and {} more{file} ({} errors, {} warnings): `--format short` lists them all, `--max-diagnostics N` shows N per file\n",
                thousands(hidden.len()),
                thousands(errors),
                thousands(hidden.len() - errors),
            );
        }
    }
    out
}

/// Which diagnostics the human report shows in full: all, or the first `max` with errors
/// before warnings.
fn shown(diagnostics: &[Diagnostic], max: usize) -> Vec<bool> {
    if diagnostics.len() <= max {
        return vec![true; diagnostics.len()];
    }
    let mut shown = vec![false; diagnostics.len()];
    let mut left = max;
    for errors in [true, false] {
        for (i, d) in diagnostics.iter().enumerate() {
            if left > 0 && d.is_error() == errors {
                shown[i] = true;
                left -= 1;
            }
        }
    }
    shown
}

/// `19900` as `19,900`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Text from the user's files, made safe to print on a terminal.
fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c.is_control() && c != '\n') {
        s.chars()
            .map(|c| {
                if c.is_control() && c != '\n' {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

fn human_one(r: &FileReport, d: &Diagnostic, color: bool) -> String {
    let mut out = String::new();
    let (sev, c) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(
        out,
        "{}{} {}",
        paint(color, c, &format!("{sev}[{}]", d.code)),
        paint(color, "1", ":"),
        paint(color, "1", &printable(&d.message))
    );
    if d.labels.is_empty() && !r.path.is_empty() {
        let _ = writeln!(out, "   {} {}", paint(color, "34", "-->"), r.path);
    }
    // One snippet per file, primary file first.
    let mut origins: Vec<Origin> = Vec::new();
    for l in &d.labels {
        if !origins.contains(&l.origin) {
            origins.push(l.origin);
        }
    }
    for (i, origin) in origins.iter().enumerate() {
        let labels: Vec<&Label> = d.labels.iter().filter(|l| l.origin == *origin).collect();
        let Some(src) = r.source(*origin) else {
            continue;
        };
        if src.text.trim().is_empty() {
            // Nothing to show a snippet of.
            let _ = writeln!(
                out,
                "   {} {}:{}:1",
                paint(color, "34", "-->"),
                src.name,
                src.lines_before() + 1
            );
            continue;
        }
        out.push_str(&snippet(src, &labels, i == 0, color));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(
            out,
            "  {} {}",
            paint(color, "1;36", "help:"),
            printable(help)
        );
    }
    for note in &d.notes {
        let _ = writeln!(out, "  {} {}", paint(color, "1", "note:"), printable(note));
    }
    out
}

/// Without miette (feature `fancy` off): each label as a `-->` line with its position and
/// message, the primary first.
#[cfg(not(feature = "fancy"))]
fn snippet(src: &SourceFile, labels: &[&Label], has_primary: bool, color: bool) -> String {
    let mut out = String::new();
    for (i, l) in labels.iter().enumerate() {
        let at = src.line_col(l.span.start as usize);
        let arrow = if i == 0 && has_primary { "-->" } else { ":::" };
        let _ = write!(
            out,
            "   {} {}:{}:{}",
            paint(color, "34", arrow),
            src.name,
            at.line,
            at.column
        );
        if let Some(m) = &l.message {
            let _ = write!(out, ": {}", printable(m));
        }
        out.push('\n');
    }
    out
}

/// Source lines longer than this (in bytes) are shown clipped around the labels, with `…` where
/// text is left out: a line of a megabyte is shown once per diagnostic, not in full.
#[cfg(feature = "fancy")]
const MAX_LINE_BYTES: usize = 400;

/// How much of a clipped line is shown before its first label, in bytes.
#[cfg(feature = "fancy")]
const CLIP_LEAD: usize = 40;

/// The part of a source file a snippet shows: the lines around its labels (clipped when long),
/// with the line number and columns of the file. miette reads only this, so a report costs
/// the size of its snippets, not of the file, per diagnostic.
#[cfg(feature = "fancy")]
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// The file's line number (0-based) of the excerpt's first line.
    first_line: usize,
    /// Per excerpt line: where it starts in `text`, and what to add to a column in it (in
    /// characters) to get the file's column.
    lines: Vec<(usize, isize)>,
}

#[cfg(feature = "fancy")]
impl Excerpt {
    /// The excerpt of `src` around the byte ranges `ranges`, and those ranges in its text.
    fn new(src: &SourceFile, ranges: &[(usize, usize)]) -> (Excerpt, Vec<(usize, usize)>) {
        let text = &src.text;
        let starts = src.display_line_starts();
        let line_of = |o: usize| starts.partition_point(|&s| s <= o) - 1;
        let lo = ranges.iter().map(|r| r.0).min().unwrap_or(0);
        let hi = ranges.iter().map(|r| r.1).max().unwrap_or(0);
        // Three lines of margin: miette shows one line of context on each side.
        let first = line_of(lo).saturating_sub(3);
        let last = (line_of(hi) + 3).min(starts.len() - 1);
        let mut out = String::new();
        let mut lines = Vec::new();
        // Per line: (file start, file end of the shown part, excerpt start of it).
        let mut windows = Vec::new();
        for i in first..=last {
            let start = starts[i];
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            let full = &text[start..end];
            let content = full.trim_end_matches(['\n', '\r']);
            let brk = &full[content.len()..];
            let ex_start = out.len();
            if content.len() <= MAX_LINE_BYTES {
                push_printable(&mut out, full);
                lines.push((ex_start, 0));
                windows.push((start, start + content.len(), ex_start));
                continue;
            }
            // Clipped around the first label that starts in this line.
            let anchor = ranges
                .iter()
                .map(|r| r.0)
                .filter(|&o| o >= start && o <= start + content.len())
                .min()
                .unwrap_or(start);
            let mut a = anchor.saturating_sub(CLIP_LEAD).max(start);
            while !text.is_char_boundary(a) {
                a -= 1;
            }
            let mut b = (a + MAX_LINE_BYTES).min(start + content.len());
            while !text.is_char_boundary(b) {
                b += 1;
            }
            if a > start {
                out.push('…');
            }
            let shown = out.len();
            push_printable(&mut out, &text[a..b]);
            if b < start + content.len() {
                out.push('…');
            }
            push_printable(&mut out, brk);
            let left_out = text[start..a].chars().count() as isize;
            lines.push((
                ex_start,
                left_out - out[ex_start..shown].chars().count() as isize,
            ));
            windows.push((a, b, shown));
        }
        let map = |o: usize| {
            let i = line_of(o).clamp(first, last) - first;
            let (a, b, at) = windows[i];
            at + o.clamp(a, b) - a
        };
        let mapped = ranges
            .iter()
            .map(|&(s, e)| (map(s), map(e).max(map(s))))
            .collect();
        (
            Excerpt {
                name: src.name.clone(),
                text: out,
                first_line: src.lines_before() + first,
                lines,
            },
            mapped,
        )
    }
}

/// Text from the user's files for a snippet: control characters (but line ends and tabs) as
/// `?`, or `¿` for the two-byte ones (U+0080 to U+009F), and bidirectional controls, which
/// would reorder the line on a terminal (M4013), as `�` (`¿` for the two-byte U+061C), so that
/// byte offsets and character columns both stay put.
#[cfg(feature = "fancy")]
fn push_printable(out: &mut String, s: &str) {
    for c in s.chars() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        {
            out.push(if c.len_utf8() == 2 { '¿' } else { '\u{FFFD}' });
        } else if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            out.push(if c.len_utf8() == 1 { '?' } else { '¿' });
        } else {
            out.push(c);
        }
    }
}

#[cfg(feature = "fancy")]
impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        // The header's column (read without context lines) counts characters, as every other
        // format does (miette's counts bytes: `2:40` for `2:38` on a line with `é`).
        let column = if before == 0 {
            let i = self.lines.partition_point(|&(s, _)| s <= span.offset()) - 1;
            let (line_start, left_out) = self.lines[i];
            let at = span.offset().min(self.text.len());
            self.text
                .get(line_start..at)
                .map_or(inner.column(), |t| t.chars().count())
                .saturating_add_signed(left_out)
        } else {
            inner.column()
        };
        let contents = miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count() + self.first_line,
        )
        .with_language("missive");
        Ok(Box::new(contents))
    }
}

/// A miette snippet of the labels in one file; the first label of the primary file is primary.
#[cfg(feature = "fancy")]
fn snippet(src: &SourceFile, labels: &[&Label], has_primary: bool, color: bool) -> String {
    #[derive(Debug)]
    struct Snippet {
        src: Excerpt,
        labels: Vec<LabeledSpan>,
    }
    impl std::fmt::Display for Snippet {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            Ok(())
        }
    }
    impl std::error::Error for Snippet {}
    impl miette::Diagnostic for Snippet {
        fn source_code(&self) -> Option<&dyn miette::SourceCode> {
            Some(&self.src)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    let len = src.text.len();
    let ranges: Vec<(usize, usize)> = labels
        .iter()
        .map(|l| {
            let start = (l.span.start as usize).min(len);
            (start, (l.span.end as usize).clamp(start, len))
        })
        .collect();
    let mut ranges = ranges;
    // miette cannot draw a label inside another (it draws the inner one past the outer's
    // end): the outer, primary label is drawn up to where an inner one at its end begins
    // ("81 characters, 1 over" up to the character past the limit). The other formats keep
    // the spans as they are.
    if let Some(&(start, end)) = ranges.first() {
        let inner = ranges[1..]
            .iter()
            .filter(|&&(s, e)| s > start && e <= end && end - e <= 1)
            .map(|&(s, _)| s)
            .min();
        if let Some(s) = inner {
            ranges[0].1 = s;
        }
    }
    let (excerpt, ranges) = Excerpt::new(src, &ranges);
    let spans = labels
        .iter()
        .zip(ranges)
        .enumerate()
        .map(|(i, (l, (start, end)))| {
            let span = SourceSpan::new(start.into(), end - start);
            let message = l.message.as_deref().map(|m| printable(m).into_owned());
            if i == 0 && has_primary {
                LabeledSpan::new_primary_with_span(message, span)
            } else {
                LabeledSpan::new_with_span(message, span)
            }
        })
        .collect();
    let snip = Snippet {
        src: excerpt,
        labels: spans,
    };
    let mut theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    theme.characters.error = String::new();
    theme.characters.warning = String::new();
    theme.characters.advice = String::new();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(80)
        .with_links(false);
    let mut rendered = String::new();
    if handler.render_report(&mut rendered, &snip).is_err() {
        return String::new();
    }
    // Drop miette's own (empty) message line; keep the snippet. In colour that line still
    // holds escape codes: it is blank to the eye, and dropped too.
    let mut lines: Vec<&str> = rendered.lines().collect();
    while lines
        .first()
        .is_some_and(|l| without_escapes(l).trim().is_empty())
    {
        lines.remove(0);
    }
    let mut out = String::new();
    for l in lines {
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}

/// `line` without its ANSI colour sequences (`ESC [ ... m`), as it shows on a terminal.
#[cfg(feature = "fancy")]
fn without_escapes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Up to the sequence's final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// short

/// One line per diagnostic: `PATH:LINE:COL: SEVERITY[CODE]: MESSAGE`. A diagnostic in a
/// shared part's file ends with the `use` of the template it was found through, ` (used at
/// PATH:LINE:COL)`, so that two templates pushing one part over a limit give two lines that
/// say which is which.
pub fn short(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            match d.primary() {
                Some(l) => {
                    let at = |l: &Label| {
                        let pos = r
                            .source(l.origin)
                            .map(|s| s.line_col(l.span.start as usize));
                        let (line, col) = pos.map_or((1, 1), |p| (p.line, p.column));
                        format!("{}:{line}:{col}", r.file_of(l.origin))
                    };
                    let used = match (l.origin, use_in_template(d)) {
                        (Origin::Part(_), Some(u)) => format!(" (used at {})", at(u)),
                        _ => String::new(),
                    };
                    let _ = writeln!(
                        out,
                        "{}: {}[{}]: {}{used}",
                        at(l),
                        d.severity.as_str(),
                        d.code,
                        d.message
                    );
                }
                None if r.path.is_empty() => {
                    let _ = writeln!(out, "{}[{}]: {}", d.severity.as_str(), d.code, d.message);
                }
                None => {
                    let _ = writeln!(
                        out,
                        "{}: {}[{}]: {}",
                        r.path,
                        d.severity.as_str(),
                        d.code,
                        d.message
                    );
                }
            }
        }
    }
    out
}

/// The `use` in the template that brought in the part a diagnostic is found in: the last
/// label in the template, which `diagnostic::place` adds after the part's own.
fn use_in_template(d: &Diagnostic) -> Option<&Label> {
    d.labels
        .iter()
        .skip(1)
        .rev()
        .find(|l| l.origin == Origin::Template)
}

// ---------------------------------------------------------------------------------------------
// json

/// A position in a file; all `None` for diagnostics without one.
#[derive(Serialize)]
struct Position {
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
}

fn position(r: &FileReport, l: Option<&Label>) -> Position {
    match l.and_then(|l| r.source(l.origin).map(|src| (l, src))) {
        Some((l, src)) => {
            let s = src.line_col(l.span.start as usize);
            let e = src.line_col(l.span.end as usize);
            Position {
                line: Some(s.line),
                column: Some(s.column),
                end_line: Some(e.line),
                end_column: Some(e.column),
            }
        }
        None => Position {
            line: None,
            column: None,
            end_line: None,
            end_column: None,
        },
    }
}

// The documented shape, field by field in the documented order.
#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    message: &'a str,
    #[serde(flatten)]
    at: Position,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    #[serde(flatten)]
    at: Position,
    /// The primary label's text ("11 over"); `labels` are the secondary ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    help: Option<&'a str>,
    /// The suggested edits, in the template.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<JsonFix<'a>>,
    labels: Vec<JsonLabel<'a>>,
    notes: &'a [String],
}

/// A suggested edit: replace the text from `line:column` to `end_line:end_column` (exclusive)
/// with `replacement`.
#[derive(Serialize)]
struct JsonFix<'a> {
    title: String,
    applicability: &'static str,
    replacement: &'a str,
    file: &'a str,
    #[serde(flatten)]
    at: Position,
}

/// The template fixes of a diagnostic, as JSON.
fn json_fixes<'a>(r: &'a FileReport, d: &'a Diagnostic) -> Vec<JsonFix<'a>> {
    let Some(src) = r.source(Origin::Template) else {
        return Vec::new();
    };
    d.fixes()
        .map(|f| {
            let s = src.line_col(f.span.start as usize);
            let e = src.line_col(f.span.end as usize);
            JsonFix {
                title: f.title(&src.text),
                applicability: f.applicability.as_str(),
                replacement: &f.replacement,
                file: r.file_of(Origin::Template),
                at: Position {
                    line: Some(s.line),
                    column: Some(s.column),
                    end_line: Some(e.line),
                    end_column: Some(e.column),
                },
            }
        })
        .collect()
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

/// One JSON document with every diagnostic and a summary.
pub fn json(reports: &[FileReport], files: usize) -> String {
    let mut diagnostics = Vec::new();
    for r in reports {
        for d in &r.diagnostics {
            let primary = d.primary();
            diagnostics.push(JsonDiagnostic {
                file: primary.map_or(&r.path, |l| r.file_of(l.origin)),
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                message: &d.message,
                at: position(r, primary),
                label: primary.and_then(|l| l.message.as_deref()),
                help: d.help.as_deref(),
                fixes: json_fixes(r, d),
                labels: d
                    .labels
                    .iter()
                    .skip(1)
                    .map(|l| JsonLabel {
                        file: r.file_of(l.origin),
                        message: l.message.as_deref().unwrap_or(""),
                        at: position(r, Some(l)),
                    })
                    .collect(),
                notes: &d.notes,
            });
        }
    }
    let c = count(reports);
    let doc = JsonReport {
        diagnostics,
        summary: JsonSummary {
            files,
            errors: c.errors,
            warnings: c.warnings,
        },
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("serializes");
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------------
// sarif

/// Where the page of each code is published (`docs/codes/CODE.md` of the released crate).
pub(crate) const CODES_URL: &str = concat!(
    "https://docs.rs/crate/",
    env!("CARGO_PKG_NAME"),
    "/",
    env!("CARGO_PKG_VERSION"),
    "/source/docs/codes/"
);

/// A path as a URI: relative paths stay relative references (`/` separators), absolute ones
/// become `file://` URIs; anything that is not a plain path character is percent-encoded.
fn uri(path: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'.')
        .remove(b'-')
        .remove(b'_')
        .remove(b'~');
    let path = path.replace('\\', "/");
    // `./templates/a.missive` is `templates/a.missive` to a SARIF reader.
    let mut path = path.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    let encoded = utf8_percent_encode(path, KEEP).to_string();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn sarif_location(r: &FileReport, l: &Label) -> serde_json::Value {
    let file = r.file_of(l.origin);
    let mut physical = serde_json::json!({ "artifactLocation": { "uri": uri(file) } });
    if let Some(src) = r.source(l.origin) {
        let s = src.line_col(l.span.start as usize);
        let e = src.line_col(l.span.end as usize);
        physical["region"] = serde_json::json!({
            "startLine": s.line,
            "startColumn": s.column,
            "endLine": e.line,
            "endColumn": e.column,
        });
    }
    serde_json::json!({ "physicalLocation": physical })
}

/// A diagnostic's template fixes as SARIF `fix` objects: one replacement each, its
/// applicability (`safe` or `unsafe`) in the properties.
fn sarif_fixes(r: &FileReport, d: &Diagnostic) -> Vec<serde_json::Value> {
    use serde_json::json;
    let Some(src) = r.source(Origin::Template) else {
        return Vec::new();
    };
    d.fixes()
        .map(|f| {
            let s = src.line_col(f.span.start as usize);
            let e = src.line_col(f.span.end as usize);
            json!({
                "description": { "text": f.title(&src.text) },
                "artifactChanges": [{
                    "artifactLocation": { "uri": uri(r.file_of(Origin::Template)) },
                    "replacements": [{
                        "deletedRegion": {
                            "startLine": s.line,
                            "startColumn": s.column,
                            "endLine": e.line,
                            "endColumn": e.column,
                        },
                        "insertedContent": { "text": f.replacement },
                    }],
                }],
                "properties": { "applicability": f.applicability.as_str() },
            })
        })
        .collect()
}

/// One SARIF 2.1.0 log: a run of missive with one rule per code used (summary and a link to
/// the code's page) and one result per diagnostic. Columns count Unicode scalar values, as in
/// every other format, and the run says so (`columnKind: unicodeCodePoints`); ends are
/// exclusive, as SARIF's are. The primary label's text follows the message in brackets;
/// secondary labels are `relatedLocations`; help and notes follow the message on lines of their
/// own; suggested edits are `fixes`.
pub fn sarif(reports: &[FileReport]) -> String {
    use serde_json::json;
    let mut codes: Vec<super::Code> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(|d| d.code))
        .collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<serde_json::Value> = codes
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": format!("{c:?}"),
                "shortDescription": { "text": c.summary() },
                "helpUri": format!("{CODES_URL}{c}.md"),
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        for d in &r.diagnostics {
            let mut text = d.message.clone();
            // The primary label's text ("11 over"), which the location cannot carry.
            // ("found a string (a string here)" says nothing new: left out.)
            if let Some(label) = d.primary().and_then(|l| l.message.as_deref()) {
                if !d.message.contains(label.trim_end_matches(" here")) {
                    let _ = write!(text, " ({label})");
                }
            }
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            for note in &d.notes {
                text.push_str("\nnote: ");
                text.push_str(note);
            }
            let locations: Vec<serde_json::Value> = match d.primary() {
                Some(l) => vec![sarif_location(r, l)],
                None if r.path.is_empty() => Vec::new(),
                None => vec![json!({
                    "physicalLocation": { "artifactLocation": { "uri": uri(&r.path) } }
                })],
            };
            let related: Vec<serde_json::Value> = d
                .labels
                .iter()
                .skip(1)
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = sarif_location(r, l);
                    loc["id"] = json!(i + 1);
                    if let Some(m) = &l.message {
                        loc["message"] = json!({ "text": m });
                    }
                    loc
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": codes.binary_search(&d.code).unwrap_or(0),
                "level": d.severity.as_str(),
                "message": { "text": text },
                "locations": locations,
            });
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            let fixes = sarif_fixes(r, d);
            if !fixes.is_empty() {
                result["fixes"] = json!(fixes);
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "missive",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": concat!("https://docs.rs/crate/", env!("CARGO_PKG_NAME")),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).expect("serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::codes;
    use crate::span::Span;

    /// A report of `text` with an error on each of `spans`.
    fn report(name: &str, text: &str, spans: &[(usize, usize)]) -> FileReport {
        let mut r = FileReport::new(name);
        r.template = Some(Arc::new(SourceFile::new(name, text)));
        r.diagnostics = spans
            .iter()
            .map(|&(s, e)| codes::m1004_unknown_block("unknown block").at(Span::new(s, e), "here"))
            .collect();
        r
    }

    #[test]
    fn the_human_report_of_20000_errors_shows_100_and_counts_the_rest() {
        let text: String = (0..20_000).map(|i| format!("bogus_{i} \"x\"\n")).collect();
        let mut spans = Vec::new();
        let mut at = 0;
        for line in text.lines() {
            spans.push((at, at + line.find(' ').unwrap()));
            at += line.len() + 1;
        }
        let out = human(&[report("u.missive", &text, &spans)], false);
        assert_eq!(out.matches("error[M1004]").count(), MAX_SHOWN_PER_FILE);
        assert!(out.len() < MAX_SHOWN_PER_FILE * 600, "{} bytes", out.len());
        assert!(
            out.trim_end().ends_with(
                "... and 19,900 more for `u.missive` (19,900 errors, 0 warnings): `--format short` lists them all, `--max-diagnostics N` shows N per file"
            ),
            "{}",
            &out[out.len() - 300..]
        );
        // What miette reads for one diagnostic is its lines, not the file.
        #[cfg(feature = "fancy")]
        {
            let src = SourceFile::new("u.missive", text.as_str());
            let (excerpt, mapped) = Excerpt::new(&src, &spans[10_000..10_001]);
            assert!(excerpt.text.len() < 200, "{}", excerpt.text);
            assert_eq!(excerpt.first_line, 9_997);
            assert_eq!(&excerpt.text[mapped[0].0..mapped[0].1], "bogus_10000");
        }
    }

    /// Issue 14: in colour, the headline was followed by a line blank to the eye (miette's
    /// empty message line, kept for its escape codes); the report reads as without colour.
    #[test]
    #[cfg(feature = "fancy")]
    fn the_coloured_report_has_no_blank_line_after_its_headline() {
        let r = report("c.missive", "bogus \"x\"\n", &[(0, 5)]);
        let coloured = human(std::slice::from_ref(&r), true);
        let plain = human(&[r], false);
        let shown: Vec<String> = coloured.lines().map(without_escapes).collect();
        assert_eq!(shown.join("\n").trim_end(), plain.trim_end());
        assert!(!shown[1].trim().is_empty(), "{coloured:?}");
    }

    #[test]
    #[cfg(feature = "fancy")]
    fn a_long_source_line_is_clipped_around_the_label() {
        // 3,000 unknown keys on one line: each diagnostic shows a window of it, at its column.
        let line: String = (0..3_000).map(|i| format!("\"k{i}\": {i}, ")).collect();
        let text = format!("{{{line}}}\n");
        let spans: Vec<(usize, usize)> = (0..3_000)
            .map(|i| {
                let s = text.find(&format!("\"k{i}\"")).unwrap();
                (s, s + format!("\"k{i}\"").len())
            })
            .collect();
        let out = human(&[report("d.json", &text, &spans)], false);
        assert!(
            out.len() < MAX_SHOWN_PER_FILE * 1_200,
            "{} bytes",
            out.len()
        );
        assert!(out.lines().all(|l| l.len() < MAX_LINE_BYTES + 100));
        let (start, _) = spans[60];
        let one = human(&[report("d.json", &text, &spans[60..61])], false);
        assert!(one.contains(&format!("[d.json:1:{}]", start + 1)), "{one}");
        // The label is drawn under its key, in the window that starts with `…`.
        let source = one.lines().find(|l| l.contains(" │ …")).unwrap();
        let marks = one.lines().find(|l| l.contains('┬')).unwrap();
        let key_at = source.find("\"k60\"").unwrap();
        let key_at = source[..key_at].chars().count();
        let mark_at = marks.chars().position(|c| c == '─').unwrap();
        assert_eq!(mark_at, key_at, "{one}");
        assert!(source.ends_with('…') && source.len() < MAX_LINE_BYTES + 20);
    }

    #[test]
    fn sarif_uris_are_relative_references_or_file_uris() {
        assert_eq!(uri("./templates/a.missive"), "templates/a.missive");
        assert_eq!(
            uri("my templates/ü.missive"),
            "my%20templates/%C3%BC.missive"
        );
        assert_eq!(uri("templates\\a.missive"), "templates/a.missive");
        assert_eq!(uri("/tmp/a.missive"), "file:///tmp/a.missive");
    }

    /// Without miette (`cargo test --lib --no-default-features`), a label is one line.
    #[cfg(not(feature = "fancy"))]
    #[test]
    fn without_fancy_each_label_is_a_located_line() {
        use super::{human, FileReport};
        use crate::span::{SourceFile, Span};
        let mut r = FileReport::new("a.missive");
        r.template = Some(std::sync::Arc::new(SourceFile::new(
            "a.missive",
            "notification a\ntext \"hi\"\n",
        )));
        r.diagnostics.push(
            codes::m9002_usage("something is wrong")
                .at(Span::new(20, 24), "here")
                .help("fix it"),
        );
        assert_eq!(
            human(&[r], false),
            "error[M9002]: something is wrong\n   --> a.missive:2:6: here\n  help: fix it\n\n"
        );
    }
}
