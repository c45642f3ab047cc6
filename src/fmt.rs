//! Formatting: a template -> the same template in the canonical layout, every comment kept. The
//! layout itself is the printer's (`syntax::print::layout`); this module refuses what
//! does not parse and checks that the result means what the source meant.

use crate::diagnostic::{codes, Diagnostic};
use crate::span::Span;
use crate::syntax::{self, ast, print};

/// Formats a template: two-space indents, one field a line (a short block of fields written on
/// one line stays so), normalised spacing, at most one blank line between items and a final
/// newline. Comments, `"""` texts, strings and numbers are kept as written.
///
/// A source with a syntax error is refused with its diagnostics, and so is one whose formatting
/// would not read back the same (a bug in missive, reported as M0009): the formatter never
/// changes what a template renders.
///
/// ```
/// let out = missive::fmt::format("notification hi\ntext   \"Hello\"   // greeting\n").unwrap();
/// assert_eq!(out, "notification hi\ntext \"Hello\"  // greeting\n");
/// ```
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = syntax::parse(source);
    if parsed.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(parsed.diagnostics);
    }
    let mut formatted = print::layout(&parsed.file, source);
    // Line ends follow the file's first one, as rustfmt's `Auto` does: a CRLF checkout (Windows
    // with `core.autocrlf`) stays CRLF, so `fmt --check` does not flag every file.
    if first_line_end_is_crlf(source) {
        formatted = formatted.replace('\n', "\r\n");
    }
    verify_tree(&parsed.file, &formatted)?;
    Ok(formatted)
}

fn first_line_end_is_crlf(source: &str) -> bool {
    source
        .find('\n')
        .is_some_and(|i| source[..i].ends_with('\r'))
}

/// Checks that `formatted` means the same as `source` (the same tree, literal for literal, once
/// comments and layout are set aside) and keeps its comments, in order. [`format()`] runs this
/// on its own output.
pub fn verify(source: &str, formatted: &str) -> Result<(), Vec<Diagnostic>> {
    let parsed = syntax::parse(source);
    if parsed.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(parsed.diagnostics);
    }
    verify_tree(&parsed.file, formatted)
}

fn verify_tree(before: &ast::File, formatted: &str) -> Result<(), Vec<Diagnostic>> {
    let bug = |span: Span, label: &str| {
        vec![codes::m0009_format_changed(
            "formatting would change this template, so it is left as it is",
        )
        .at(span, label.to_string())
        .help("this is a bug in missive's formatter: please report it with this file; `check` and `render` are not affected")]
    };
    let after = syntax::parse(formatted);
    if after.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(bug(
            before
                .items
                .first()
                .map_or(Span::new(0, 0), ast::Item::span),
            "the formatted text does not parse",
        ));
    }
    if let Some(span) = first_difference(&before.items, &after.file.items) {
        return Err(bug(span, "this would not read back the same"));
    }
    for (i, c) in before.comments.iter().enumerate() {
        let kept = after.file.comments.get(i);
        if kept.map(|k| k.text.trim_end()) != Some(c.text.trim_end()) {
            return Err(bug(
                c.span,
                "this comment would be lost or moved out of order",
            ));
        }
    }
    if after.file.comments.len() != before.comments.len() {
        return Err(bug(
            before.items.last().map_or(Span::new(0, 0), ast::Item::span),
            "the formatted text has comments this one does not",
        ));
    }
    Ok(())
}

/// Where two item lists first differ in meaning (the canonical print of a tree without its
/// source shows every literal by value): the innermost item of `before` that differs.
fn first_difference(before: &[ast::Item], after: &[ast::Item]) -> Option<Span> {
    let canonical = |item: &ast::Item| {
        print::print(&ast::File {
            items: vec![item.clone()],
            comments: Vec::new(),
        })
    };
    let children = |item: &ast::Item| match item {
        ast::Item::Block(b) => Some(b.items.clone()),
        ast::Item::For(f) => Some(f.items.clone()),
        _ => None,
    };
    for i in 0..before.len().max(after.len()) {
        let (a, b) = (before.get(i), after.get(i));
        if a.map(canonical) == b.map(canonical) {
            continue;
        }
        let Some(a) = a.or(before.last()) else {
            return Some(Span::new(0, 0));
        };
        let inner = match (children(a), b.and_then(children)) {
            (Some(x), Some(y)) => first_difference(&x, &y),
            _ => None,
        };
        return Some(inner.unwrap_or(a.span()));
    }
    None
}
