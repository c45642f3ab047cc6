//! Source positions: byte spans on every node, and the line index that turns them into the
//! 1-based lines and columns (Unicode scalar values) that reports show.

use std::ops::Range;

/// A half-open byte range `[start, end)` into one source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// The first byte.
    pub start: u32,
    /// The byte after the last one.
    pub end: u32,
}

impl Span {
    /// The span of bytes `[start, end)`.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// Its length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether it covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The same bytes as a `usize` range, to slice the source text with.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// A sub-span given by offsets relative to this span's start.
    pub fn sub(self, start: usize, end: usize) -> Span {
        Span::new(self.start as usize + start, self.start as usize + end)
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(s: pest::Span<'_>) -> Span {
        Span::new(s.start(), s.end())
    }
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in Unicode scalar values.
    pub column: usize,
}

/// A named source text with its line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name reports show: a path, or a label such as `<stdin>`.
    pub name: String,
    /// The whole text.
    pub text: String,
    /// Lines of the file before `text`: a part of a file (an NDJSON record) is reported at the
    /// file's line numbers. 0 for a whole file.
    lines_before: usize,
    /// Where each line starts: after `\n`, and after a lone `\r`, as the grammar, terminals (and
    /// miette) and the Language Server Protocol count lines, so that every report gives the
    /// same line.
    line_starts: Vec<usize>,
    /// Every [`CHAR_STEP`] bytes: the char boundary at or before, and the chars before it; so a
    /// column costs at most that many bytes of counting, even on a line of a megabyte.
    char_marks: std::sync::OnceLock<Vec<(usize, usize)>>,
}

/// Where each line of `text` starts: at 0, after each `\n`, and after each `\r` not followed by
/// `\n` (a lone `\r` ends a line, as the grammar's `NEWLINE` says).
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    if !text.contains('\r') {
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        return starts;
    }
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// The spacing of [`SourceFile`]'s char count marks, in bytes.
const CHAR_STEP: usize = 256;

impl SourceFile {
    /// A source named `name`, its line index built at once.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = line_starts(&text);
        SourceFile {
            name: name.into(),
            text,
            lines_before: 0,
            line_starts,
            char_marks: std::sync::OnceLock::new(),
        }
    }

    /// The same text, reported as starting at line `line` (from 1) of its file: an NDJSON
    /// record, its file named by `name`, and its diagnostics at the file's line numbers.
    pub fn at_line(mut self, line: usize) -> SourceFile {
        self.lines_before = line.saturating_sub(1);
        self
    }

    /// Lines of the file before the text (see [`SourceFile::at_line`]).
    pub fn lines_before(&self) -> usize {
        self.lines_before
    }

    /// How many chars come before byte `offset` (a char boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let marks = self.char_marks.get_or_init(|| {
            let mut marks = Vec::with_capacity(self.text.len() / CHAR_STEP + 1);
            let (mut at, mut chars) = (0, 0);
            for k in 0..=self.text.len() / CHAR_STEP {
                let mut b = k * CHAR_STEP;
                while !self.text.is_char_boundary(b) {
                    b -= 1;
                }
                chars += self.text[at..b].chars().count();
                at = b;
                marks.push((b, chars));
            }
            marks
        });
        let (b, chars) = marks[offset / CHAR_STEP];
        chars + self.text[b..offset].chars().count()
    }

    /// The starts of the lines as a terminal shows them: a lone `\r` ends a line too.
    #[cfg_attr(not(feature = "fancy"), allow(dead_code))]
    pub(crate) fn display_line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// Line and column of a byte offset (clamped to the text, and to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = if offset - start <= CHAR_STEP {
            self.text[start..offset].chars().count() + 1
        } else {
            self.chars_before(offset) - self.chars_before(start) + 1
        };
        LineCol {
            line: self.lines_before + line + 1,
            column,
        }
    }

    /// 0-based line and UTF-16 column, as the Language Server Protocol counts them.
    pub fn utf16_position(&self, offset: usize) -> (usize, usize) {
        let lc = self.line_col(offset);
        let start = self.line_starts[lc.line - 1 - self.lines_before];
        let end = start
            + self.text[start..]
                .char_indices()
                .nth(lc.column - 1)
                .map_or(self.text.len() - start, |(i, _)| i);
        let units = self.text[start..end].encode_utf16().count();
        (lc.line - 1, units)
    }
}

/// One address space for a template and the shared parts its `use`s bring in, after rustc's
/// `SourceMap`: the template's bytes are `[0, len)`, and each use's copy of its part's file
/// follows, at a base of its own, so the items a use brings in keep their real positions (a
/// [`Span`] stays two integers) and the checks read the part's own text through them. Reports
/// turn a position past the template back into the part file and the use that brought it in
/// (`diagnostic::place`).
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceMap {
    /// The template's length: positions below it are the template's own.
    pub(crate) len: u32,
    /// The part files, each once; an [`Expansion`] names its file by index.
    pub(crate) files: Vec<std::sync::Arc<SourceFile>>,
    /// The copies, by increasing base.
    pub(crate) expansions: Vec<Expansion>,
    /// Each file's index in `files`, by name: a template with many uses finds its file at once.
    by_name: std::collections::HashMap<String, usize>,
}

/// The most part files one template's positions can point into: `Origin::Part` names a file
/// by a `u16` index.
pub(crate) const MAX_PART_FILES: usize = u16::MAX as usize;

/// One use's copy of a part file in a [`SourceMap`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expansion {
    /// Where the copy starts.
    pub base: u32,
    /// Its file, in [`SourceMap::files`].
    pub file: usize,
    /// The `use` that brought it in (`use NAME`), in the same address space: the template's,
    /// or another copy's for a part used by a part.
    pub call: Span,
    /// The part's name.
    pub part: String,
}

impl SourceMap {
    /// The map of a template of `len` bytes, with no copy yet.
    pub(crate) fn new(len: usize) -> SourceMap {
        SourceMap {
            len: len as u32,
            ..SourceMap::default()
        }
    }

    /// Whether it maps no part: every position is the template's.
    pub fn is_empty(&self) -> bool {
        self.expansions.is_empty()
    }

    /// The part files its positions can point into, by index (what `Origin::Part` names).
    pub fn files(&self) -> &[std::sync::Arc<SourceFile>] {
        &self.files
    }

    /// Whether a copy of `file` can be added: its file is mapped already, or there is room for
    /// one more ([`MAX_PART_FILES`]).
    pub(crate) fn has_room_for(&self, file: &SourceFile) -> bool {
        self.by_name.contains_key(&file.name) || self.files.len() < MAX_PART_FILES
    }

    /// Adds a copy of `file` (the part `part`) brought in by the use at `call`, at `base`:
    /// the index of its file. The caller checks [`SourceMap::has_room_for`] first.
    pub(crate) fn add(
        &mut self,
        base: usize,
        file: &std::sync::Arc<SourceFile>,
        call: Span,
        part: &str,
    ) -> usize {
        let index = match self.by_name.get(&file.name) {
            Some(&i) => i,
            None => {
                self.files.push(file.clone());
                self.by_name.insert(file.name.clone(), self.files.len() - 1);
                self.files.len() - 1
            }
        };
        self.expansions.push(Expansion {
            base: base as u32,
            file: index,
            call,
            part: part.to_string(),
        });
        index
    }

    /// The template position of the use that brought in the copy `e`, through the uses of
    /// parts by parts.
    fn call_site(&self, e: &Expansion) -> u32 {
        let mut call = e.call;
        while let Some((outer, _)) = self.locate(call) {
            call = outer.call;
        }
        call.start
    }

    /// The positions of the copies brought in by the template's uses before `at` (a position
    /// of the template), with those their parts' uses bring in: the copies are laid out in the
    /// order of the uses.
    pub(crate) fn copies_before(&self, at: u32) -> Range<u32> {
        let Some(start) = self.expansions.first().map(|e| e.base) else {
            return 0..0;
        };
        let end = self
            .expansions
            .iter()
            .find(|e| self.call_site(e) >= at)
            .map_or(u32::MAX, |e| e.base);
        start..end.max(start)
    }

    /// The copy a span past the template lies in, and the span in its part file; `None` for a
    /// span of the template.
    pub(crate) fn locate(&self, span: Span) -> Option<(&Expansion, Span)> {
        if span.start < self.len || self.expansions.is_empty() {
            return None;
        }
        let i = self
            .expansions
            .partition_point(|e| e.base <= span.start)
            .checked_sub(1)?;
        let e = &self.expansions[i];
        let len = self.files[e.file].text.len() as u32;
        let start = (span.start - e.base).min(len);
        let end = span.end.saturating_sub(e.base).clamp(start, len);
        Some((e, Span { start, end }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_cr_ends_a_line_and_a_crlf_is_one_line_end() {
        let f = SourceFile::new("t", "a\rbé\r\nc\nd");
        assert_eq!(f.line_col(2), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(7), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_col(9), LineCol { line: 4, column: 1 });
        assert_eq!(f.utf16_position(5), (1, 2));
    }

    #[test]
    fn columns_on_long_lines_count_the_same_from_the_marks() {
        let line: String = (0..3_000).map(|i| ["a", "é", "€", "😀"][i % 4]).collect();
        let text = format!("x\n{line}\n{line}");
        let f = SourceFile::new("t", text.as_str());
        for offset in (0..=text.len()).step_by(7) {
            let lc = f.line_col(offset);
            let mut o = offset;
            while !text.is_char_boundary(o) {
                o -= 1;
            }
            let start = text[..o].rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(lc.column, text[start..o].chars().count() + 1, "{offset}");
        }
    }

    #[test]
    fn a_text_at_a_line_of_its_file_is_reported_at_the_files_lines() {
        let f = SourceFile::new("t.ndjson", "{\"é\": 7}").at_line(3);
        assert_eq!(f.line_col(0), LineCol { line: 3, column: 1 });
        // `}` after the two bytes of `é`: column 8, UTF-16 unit 7, on the file's third line.
        assert_eq!(f.line_col(8), LineCol { line: 3, column: 8 });
        assert_eq!(f.utf16_position(8), (2, 7));
        assert_eq!(SourceFile::new("t", "x").line_col(0).line, 1);
    }

    #[test]
    fn columns_count_scalar_values_not_bytes() {
        let f = SourceFile::new("t", "é\n€x\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // `x` comes after the three bytes of `€`
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(100), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn the_copies_before_a_position_are_those_of_the_uses_before_it_with_their_own_uses() {
        // A template of 20 bytes: `a` used at 5, whose file uses `b`, then `a` again at 15.
        let a = std::sync::Arc::new(SourceFile::new("parts/a.missive", "x use b y\n"));
        let b = std::sync::Arc::new(SourceFile::new("parts/b.missive", "title\n"));
        let mut map = SourceMap::new(20);
        map.add(21, &a, Span::new(5, 10), "a");
        map.add(32, &b, Span::new(23, 28), "b");
        map.add(39, &a, Span::new(15, 20), "a");
        assert_eq!(map.copies_before(12), 21..39);
        assert_eq!(map.copies_before(3), 21..21);
        assert_eq!(map.copies_before(18), 21..u32::MAX);
        assert!(SourceMap::new(20).copies_before(3).is_empty());
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        let f = SourceFile::new("t", "😀a");
        assert_eq!(f.utf16_position(4), (0, 2));
    }
}
