//! Applying the fixes that diagnostics suggest (`missive check --fix`, and the test that applies
//! every fixture's fixes): the edits of one pass, in order, none overlapping another.

use super::{Applicability, Diagnostic, Fix};
use crate::span::SourceFile;

/// A fix that was applied, for the report of what changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The code of the diagnostic it fixed.
    pub code: super::Code,
    /// Where the replaced text started in the text the pass read (1-based, in characters):
    /// its line,
    pub line: usize,
    /// and its column.
    pub column: usize,
    /// What the edit did ("Replace `subtilte` with `subtitle`").
    pub title: String,
    /// Whether it was a safe or an unsafe fix.
    pub applicability: Applicability,
}

/// Applies, in one pass, the template fixes of `diagnostics` that are at least as sure as
/// `least` to `src`: each edit once, in the order of the text, an edit that overlaps one
/// already taken left for the next pass (its span would have moved). `None` when none applies.
pub fn apply(
    src: &SourceFile,
    diagnostics: &[Diagnostic],
    least: Applicability,
) -> Option<(String, Vec<Applied>)> {
    let text = src.text.as_str();
    let mut fixes: Vec<(&Diagnostic, &Fix)> = diagnostics
        .iter()
        .flat_map(|d| d.fixes().map(move |f| (d, f)))
        .filter(|(_, f)| f.applicability >= least)
        // A fix from a repaired text (a `}` added past the end) may point outside this one.
        .filter(|(_, f)| text.get(f.span.range()).is_some())
        .collect();
    fixes.sort_by_key(|(_, f)| (f.span.start, f.span.end));
    fixes.dedup_by(|(_, a), (_, b)| a.span == b.span && a.replacement == b.replacement);
    let mut out = String::with_capacity(text.len());
    let mut applied = Vec::new();
    let mut at = 0usize;
    for (d, f) in fixes {
        let r = f.span.range();
        // Two insertions at one place, or overlapping replacements: one per pass.
        if r.start < at || (!applied.is_empty() && r.start == at && r.is_empty()) {
            continue;
        }
        if text.get(r.clone()) == Some(f.replacement.as_str()) {
            continue;
        }
        out.push_str(&text[at..r.start]);
        out.push_str(&f.replacement);
        at = r.end;
        let p = src.line_col(r.start);
        applied.push(Applied {
            code: d.code,
            line: p.line,
            column: p.column,
            title: f.title(text),
            applicability: f.applicability,
        });
    }
    if applied.is_empty() {
        return None;
    }
    out.push_str(&text[at..]);
    Some((out, applied))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::codes;
    use crate::span::Span;

    fn src(text: &str) -> SourceFile {
        SourceFile::new("t.missive", text.to_string())
    }

    #[test]
    fn applies_in_order_and_leaves_overlaps_for_the_next_pass() {
        let s = src("abc def ghi");
        let d = |start: usize, end: usize, r: &str| {
            codes::m0001_syntax_error("x")
                .at(Span::new(start, end), "")
                .fix(Span::new(start, end), r)
        };
        let ds = [d(8, 11, "GHI"), d(0, 3, "ABC"), d(1, 5, "overlap")];
        let (out, applied) = apply(&s, &ds, Applicability::Safe).expect("applies");
        assert_eq!(out, "ABC def GHI");
        assert_eq!(applied.len(), 2);
        assert_eq!((applied[1].line, applied[1].column), (1, 9));
        assert_eq!(applied[0].title, "Replace `abc` with `ABC`");
    }

    #[test]
    fn unsafe_fixes_wait_for_their_flag() {
        let s = src("max 80");
        let ds = [codes::m0001_syntax_error("x")
            .at(Span::new(4, 6), "")
            .fix_unsafe(Span::new(4, 6), "60", "lower `max` to 60")];
        assert_eq!(apply(&s, &ds, Applicability::Safe), None);
        let (out, applied) = apply(&s, &ds, Applicability::Unsafe).expect("applies");
        assert_eq!(out, "max 60");
        assert_eq!(applied[0].title, "lower `max` to 60");
    }
}
