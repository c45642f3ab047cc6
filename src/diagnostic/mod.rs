//! Diagnostics: the one model that every stage produces and every output format (human, short,
//! JSON) reads.

pub mod codes;
pub mod fix;
pub mod report;

pub use codes::Code;

use crate::span::{SourceMap, Span};

/// How bad a diagnostic is: an error stops compilation (no template) or fails a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth fixing; the template still compiles.
    Warning,
    /// The template, data or command cannot be used as is.
    Error,
}

impl Severity {
    /// As reports print it: `warning`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Which file a label points into: the template, a shared part's file it uses, or the data
/// file it is rendered with (or an earlier record of that data file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The template source (or the JSON payload it was imported from).
    Template,
    /// The data document rendered with it.
    Data,
    /// A file of shared parts that the template's `use`s bring in: the index of its source in
    /// the report's [`parts`](report::FileReport::parts) (and the compiled template's
    /// [`parts`](crate::check::Compiled::parts)).
    Part(u16),
    /// An earlier record of the batch whose record the diagnostic is about (the first record
    /// with a repeated customer_id): the report's [`earlier`](report::FileReport::earlier).
    Earlier,
}

/// A position a diagnostic points at, in the template or the data, with what to say there.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Which file `span` is in.
    pub origin: Origin,
    /// The bytes it marks.
    pub span: Span,
    /// The text shown at the position, if any.
    pub message: Option<String>,
    /// A suggested edit that fixes the problem this label shows, when the help names one:
    /// editors offer it as a quick fix, `missive check --fix` applies it, the JSON and SARIF
    /// reports carry it.
    pub fix: Option<Box<Fix>>,
}

/// How sure a fix is, after ruff and rustc: `missive check --fix` applies the safe ones,
/// `--unsafe-fixes` the others too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// A judgement the author should make (which limit to lower, which text to drop): the edit
    /// silences the diagnostic but may change what the message says.
    Unsafe,
    /// Meaning-preserving and certain: a misspelled name, a missing `:`, a positional argument
    /// given its name. Applying it changes nothing the author meant.
    Safe,
}

impl Applicability {
    /// `"safe"` or `"unsafe"`, as the JSON and SARIF outputs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A suggested edit: replace the template text at `span` with `replacement`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// The bytes to replace.
    pub span: Span,
    /// The text to put there.
    pub replacement: String,
    /// Whether `check --fix` applies it, or only `--unsafe-fixes`.
    pub applicability: Applicability,
    /// A short title for the edit, when the one made from the text ([`Fix::title`]) is not
    /// enough.
    pub title: Option<String>,
}

impl Fix {
    /// The edit's title, as an editor lists it: the given one, else made from the text it
    /// replaces ("Replace `subtilte` with `subtitle`", "Insert `:`", "Delete `,`").
    pub fn title(&self, text: &str) -> String {
        if let Some(t) = &self.title {
            return t.clone();
        }
        let original = text.get(self.span.range()).unwrap_or("");
        match (original.is_empty(), self.replacement.is_empty()) {
            (true, _) => format!("Insert `{}`", self.replacement),
            (false, true) => format!("Delete `{original}`"),
            (false, false) => format!("Replace `{original}` with `{}`", self.replacement),
        }
    }

    /// Whether the edit is meaning-preserving and certain ([`Applicability::Safe`]).
    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

/// One problem found in a template, a data file, or the command line.
///
/// `labels[0]` is the primary label (the diagnostic's own position); the others are secondary.
/// A diagnostic without labels (usage and I/O errors) has no position.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Its stable code, which has a page (`missive explain`).
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where: the primary label first.
    pub labels: Vec<Label>,
    /// How to fix it, when there is one thing to say.
    pub help: Option<String>,
    /// Background: the limit's source, what the platform does.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error with `code` and `message`, without a position yet.
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// A warning with `code` and `message`, without a position yet.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds a label in the template.
    pub fn at(self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.label(Origin::Template, span, message)
    }

    /// Adds a label in `origin` (an empty `message` marks the span without text).
    pub fn label(mut self, origin: Origin, span: Span, message: impl Into<String>) -> Diagnostic {
        let message = message.into();
        if self.labels.is_empty() {
            // Most diagnostics have one label: room for four (`push`'s first growth) would
            // take four times its size in each of them (100,000 diagnostics: 17 MB).
            self.labels.reserve_exact(1);
        }
        self.labels.push(Label {
            origin,
            span,
            message: (!message.is_empty()).then_some(message),
            fix: None,
        });
        self
    }

    /// Sets the help.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Attaches a safe fix (replace the template text at `span` with `replacement`) to the
    /// latest label, the one whose problem it fixes. Safe: the help names this edit, and it is
    /// certain (a near name, a missing `:`).
    pub fn fix(self, span: Span, replacement: impl Into<String>) -> Diagnostic {
        self.suggest(Fix {
            span,
            replacement: replacement.into(),
            applicability: Applicability::Safe,
            title: None,
        })
    }

    /// Attaches an unsafe fix, a judgement the author confirms (`--unsafe-fixes`), with its
    /// title.
    pub fn fix_unsafe(
        self,
        span: Span,
        replacement: impl Into<String>,
        title: impl Into<String>,
    ) -> Diagnostic {
        self.suggest(Fix {
            span,
            replacement: replacement.into(),
            applicability: Applicability::Unsafe,
            title: Some(title.into()),
        })
    }

    /// Attaches a fix to the latest label.
    pub fn suggest(mut self, fix: Fix) -> Diagnostic {
        if let Some(l) = self.labels.last_mut() {
            l.fix = Some(Box::new(fix));
        }
        self
    }

    /// The fixes in the template.
    pub fn fixes(&self) -> impl Iterator<Item = &Fix> {
        self.labels
            .iter()
            .filter(|l| l.origin == Origin::Template)
            .filter_map(|l| l.fix.as_deref())
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Whether its severity is `Error`.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary label (the diagnostic's own position); `None` for one without a position.
    pub fn primary(&self) -> Option<&Label> {
        self.labels.first()
    }
}

/// Keeps every label of the template within its `len` bytes: a tree parsed from a repaired text
/// (closing braces added after an unclosed `{`) has spans past the end of the file.
pub(crate) fn clamp_to(diagnostics: &mut [Diagnostic], len: usize) {
    let len = len as u32;
    for l in diagnostics
        .iter_mut()
        .flat_map(|d| d.labels.iter_mut())
        .filter(|l| l.origin == Origin::Template)
    {
        l.span.start = l.span.start.min(len);
        l.span.end = l.span.end.min(len);
    }
}

/// Sorts diagnostics by position: unlocated ones first, then the template's, then the data
/// file's; equal ones keep their order. One in a shared part stands where the template uses
/// the part (the `use` that `place` labels last).
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(sort_key);
}

fn sort_key(d: &Diagnostic) -> Option<(bool, u32, u32)> {
    let primary = d.primary()?;
    let at = match primary.origin {
        Origin::Part(_) => d
            .labels
            .iter()
            .rev()
            .find(|l| l.origin == Origin::Template)
            .unwrap_or(primary),
        _ => primary,
    };
    Some((at.origin == Origin::Data, at.span.start, at.span.end))
}

/// Drops each diagnostic equal to one before it, in diagnostics sorted by [`sort`]: an argument
/// that a shared part reads in two places is checked at each, and would be reported twice.
pub fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut run = 0;
    for d in diagnostics.drain(..) {
        if kept.last().map(sort_key) != Some(sort_key(&d)) {
            run = kept.len();
        }
        if !kept[run..].contains(&d) {
            kept.push(d);
        }
    }
    *diagnostics = kept;
}

/// Places the labels of diagnostics found in a template whose shared parts were brought in
/// through `map` ([`SourceMap`]): a position past the template is put back in its part file
/// ([`Origin::Part`]), and the `use` that brought it in is labelled in the file where it
/// stands (the template, or the file of the part that used this one), each use once. A fix in
/// a part's file is not made from the template (it would change every template that uses the
/// part): it is left out, and a note says where to make it.
pub(crate) fn place(diagnostics: &mut [Diagnostic], map: &SourceMap) {
    if map.is_empty() {
        return;
    }
    for d in diagnostics.iter_mut() {
        let mut calls: Vec<Label> = Vec::new();
        // The part file of a fix left out, and whether the fix is safe.
        let mut dropped: Option<(usize, bool)> = None;
        let mut moved: Option<Box<Fix>> = None;
        for l in d.labels.iter_mut().filter(|l| l.origin == Origin::Template) {
            let Some((expansion, local)) = map.locate(l.span) else {
                if l.fix.as_ref().is_some_and(|f| map.locate(f.span).is_some()) {
                    let fix = l.fix.take().expect("a fix");
                    dropped = map.locate(fix.span).map(|(e, _)| (e.file, fix.is_safe()));
                }
                // Past the template's end but before the parts: the parser's repair of a
                // broken template, kept within the template as `clamp_to` keeps it.
                l.span.start = l.span.start.min(map.len);
                l.span.end = l.span.end.min(map.len);
                continue;
            };
            l.origin = Origin::Part(expansion.file as u16);
            l.span = local;
            if let Some(fix) = l.fix.take() {
                match map.locate(fix.span) {
                    Some((e, _)) => dropped = Some((e.file, fix.is_safe())),
                    None => moved = moved.or(Some(fix)),
                }
            }
            // The chain of uses that brought it in, innermost first.
            let mut call = Some(expansion);
            while let Some(e) = call {
                let (origin, span, next) = match map.locate(e.call) {
                    Some((outer, local)) => (Origin::Part(outer.file as u16), local, Some(outer)),
                    None => (Origin::Template, e.call, None),
                };
                if !calls.iter().any(|c| c.origin == origin && c.span == span) {
                    calls.push(Label {
                        origin,
                        span,
                        message: Some(format!("the part `{}` is brought in here", e.part)),
                        fix: None,
                    });
                }
                call = next;
            }
        }
        // A use that is itself the diagnostic's position (a missing argument) is not labelled
        // again.
        if let Some(p) = d.labels.first() {
            calls.retain(|c| !(c.origin == p.origin && c.span == p.span));
        }
        if calls.is_empty() {
            continue;
        }
        // An edit of the template (a `max` to lower) goes with the use in the template.
        if let Some(fix) = moved {
            if let Some(c) = calls
                .iter_mut()
                .rev()
                .find(|c| c.origin == Origin::Template)
            {
                c.fix = Some(fix);
            }
        }
        d.labels.extend(calls);
        if let Some((file, safe)) = dropped {
            let name = &map.files[file].name;
            // The help names the command that applies the fix: of the part file, where it is.
            if let Some(help) = &mut d.help {
                for command in [
                    "`missive check --fix --unsafe-fixes`",
                    "`missive check --fix`",
                ] {
                    if help.contains(command) {
                        let with_file = format!("{} {name}`", &command[..command.len() - 1]);
                        *help = help.replace(command, &with_file);
                        break;
                    }
                }
            }
            d.notes.push(format!(
                "its fix is an edit of `{name}`, which every template using the part shares: make it there (`missive check {}{name}` applies it; `missive check` of that file offers what the part gets wrong on its own)",
                if safe { "--fix " } else { "--fix --unsafe-fixes " }
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::span::SourceFile;

    /// A template of 20 bytes using part `a` at 5..10, whose file uses part `b` at its 2..7.
    fn nested() -> SourceMap {
        let a = Arc::new(SourceFile::new("parts/a.missive", "x use b y\n"));
        let b = Arc::new(SourceFile::new("parts/b.missive", "title: \"long\"\n"));
        let mut map = SourceMap::new(20);
        map.add(21, &a, Span::new(5, 10), "a");
        let b_base = 21 + a.text.len() + 1;
        map.add(b_base, &b, Span::new(21 + 2, 21 + 7), "b");
        map
    }

    #[test]
    fn a_position_in_a_nested_part_is_placed_in_its_file_with_each_use_of_the_chain() {
        let map = nested();
        let b_base = 21 + 10 + 1;
        let mut d = vec![
            codes::m2001_too_long(Severity::Error, "`title` is too long")
                .at(Span::new(b_base + 7, b_base + 13), "here")
                .fix(Span::new(b_base + 7, b_base + 13), "\"ok\""),
        ];
        place(&mut d, &map);
        let placed: Vec<(Origin, Span, Option<&str>)> = d[0]
            .labels
            .iter()
            .map(|l| (l.origin, l.span, l.message.as_deref()))
            .collect();
        assert_eq!(
            placed,
            [
                (Origin::Part(1), Span::new(7, 13), Some("here")),
                (
                    Origin::Part(0),
                    Span::new(2, 7),
                    Some("the part `b` is brought in here")
                ),
                (
                    Origin::Template,
                    Span::new(5, 10),
                    Some("the part `a` is brought in here")
                ),
            ]
        );
        // The fix edits the part's file: not made from the template, and a note says so.
        assert_eq!(d[0].fixes().count(), 0);
        assert!(d[0].labels.iter().all(|l| l.fix.is_none()));
        assert!(
            d[0].notes[0].contains("`parts/b.missive`"),
            "{:?}",
            d[0].notes
        );
        // Placing again changes nothing.
        let once = d.clone();
        place(&mut d, &map);
        assert_eq!(d, once);
    }

    #[test]
    fn a_template_position_stays_and_its_end_is_not_a_parts_start() {
        let map = nested();
        let mut d = vec![codes::m2001_too_long(Severity::Error, "x")
            .at(Span::new(20, 20), "at the end")
            .at(Span::new(3, 4), "in the template")];
        let before = d.clone();
        place(&mut d, &map);
        assert_eq!(d, before);
        // Between the template's end and the first part: the repair of a broken template,
        // kept at the template's end.
        let part = Arc::new(SourceFile::new("parts/a.missive", "x\n"));
        let mut far = SourceMap::new(20);
        far.add(300, &part, Span::new(5, 10), "a");
        let mut d = vec![codes::m2001_too_long(Severity::Error, "x").at(Span::new(22, 23), "")];
        place(&mut d, &far);
        assert_eq!(
            (d[0].labels[0].origin, d[0].labels[0].span),
            (Origin::Template, Span::new(20, 20))
        );
    }

    #[test]
    fn a_template_edit_of_a_diagnostic_in_a_part_goes_with_the_use() {
        let map = nested();
        let mut d = vec![
            codes::m2001_too_long(Severity::Error, "`title` may reach 30 characters")
                .at(Span::new(22, 24), "up to 30")
                .fix_unsafe(Span::new(1, 3), "8", "lower the max"),
        ];
        place(&mut d, &map);
        let fixes: Vec<&Fix> = d[0].fixes().collect();
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].span, Span::new(1, 3));
        assert!(d[0].notes.is_empty());
    }
}
