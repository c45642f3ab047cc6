//! Parsing: source text -> syntax tree with spans, plus syntax diagnostics. Never fails: a
//! broken line becomes an error node, a broken file at worst an empty tree.

pub(crate) mod ast;
mod brackets;
mod lower;
mod pest_error;
pub(crate) mod print;
mod strings;

use pest::Parser as _;

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The generated parser, in a private module: pest's `Rule` enum is `pub` and undocumented.
mod generated {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/missive.pest"]
    pub(crate) struct MissiveParser;
}
pub(crate) use generated::{MissiveParser, Rule};

/// Blocks nested deeper than this are refused before parsing.
pub(crate) const MAX_DEPTH: usize = 64;

/// The result of parsing: always a tree, and the syntax diagnostics.
#[derive(Debug)]
pub struct Parse {
    /// The tree: declarations, blocks and comments, each with its span.
    pub file: ast::File,
    /// The syntax errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the tree stops being trustworthy: after a `{` left open, the tree is a guess, so
    /// later stages report nothing beyond this offset.
    pub broken_from: Option<u32>,
}

/// Parses a template. Never fails: errors are in the result's `diagnostics`, beside a tree.
pub fn parse(text: &str) -> Parse {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        pest::set_error_detail(true);
        pest::set_call_limit(std::num::NonZeroUsize::new(50_000_000));
    });

    let mut diagnostics = Vec::new();
    // A byte order mark is whitespace to the grammar: a file of nothing else is empty.
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
        .is_empty()
    {
        diagnostics.push(
            Diagnostic::error(Code::EmptyFile, "this template is empty")
                .at(Span::new(0, 0), "nothing to compile")
                .help("start with a header such as `notification order_shipped`, then a `text \"...\"` or an attachment block"),
        );
        return Parse {
            file: ast::File::default(),
            diagnostics,
            broken_from: None,
        };
    }

    let scan = brackets::scan(text, MAX_DEPTH);
    if let Some(at) = scan.too_deep {
        diagnostics.push(
            Diagnostic::error(Code::TooDeep, format!("nesting is more than {MAX_DEPTH} levels deep"))
                .at(Span::new(at, at + 1), format!("level {} starts here", MAX_DEPTH + 1))
                .help("a notification needs a few levels of blocks (or JSON in `extra`) at most: flatten the nesting"),
        );
        return Parse {
            file: ast::File::default(),
            diagnostics,
            broken_from: None,
        };
    }

    let mut explained = Vec::new();
    let mut repaired = None;
    let mut broken_from = None;
    if let Some(at) = scan.unclosed_block_string {
        diagnostics.push(
            Diagnostic::error(Code::UnclosedString, "unclosed `\"\"\"` text")
                .at(Span::new(at, at + 3), "this `\"\"\"` is never closed")
                .help("end the text with `\"\"\"` on a line of its own"),
        );
        explained.push(at);
        repaired = Some(format!("{text}\n\"\"\"\n"));
    } else if !scan.unclosed.is_empty() {
        let report: Vec<usize> = match scan.suspect {
            Some(s) => vec![s],
            None => scan.unclosed.clone(),
        };
        broken_from = report.first().map(|&s| s as u32);
        for &at in &report {
            let what = if text.as_bytes()[at] == b'{' {
                "{"
            } else {
                "["
            };
            let mut d = Diagnostic::error(Code::UnclosedDelimiter, format!("unclosed `{what}`"))
                .at(Span::new(at, at + 1), "this delimiter is never closed")
                .help(format!(
                    "add the matching `{}` where the block ends",
                    if what == "{" { "}" } else { "]" }
                ));
            if let (Some(end), true) = (
                scan.suspect_end.filter(|_| scan.suspect == Some(at)),
                what == "{",
            ) {
                d = unclosed_block(text, at, end, d);
            }
            diagnostics.push(d);
        }
        explained.extend(scan.unclosed.iter().copied());
        let closers: String = scan
            .unclosed
            .iter()
            .rev()
            .map(|&at| {
                if text.as_bytes()[at] == b'{' {
                    "\n}"
                } else {
                    "\n]"
                }
            })
            .collect();
        repaired = Some(format!("{text}{closers}\n"));
    }

    let source = repaired.as_deref().unwrap_or(text);
    match MissiveParser::parse(Rule::file, source) {
        Ok(mut pairs) => {
            let mut lowerer = lower::Lowerer {
                text: source,
                comments: Vec::new(),
                diags: Vec::new(),
                explained,
            };
            let file = lowerer.file(pairs.next().expect("a file pair"));
            diagnostics.extend(lowerer.diags);
            // Nothing that points into the repair text should escape.
            crate::diagnostic::clamp_to(&mut diagnostics, text.len());
            Parse {
                file,
                diagnostics,
                broken_from,
            }
        }
        Err(err) => {
            if diagnostics.is_empty() {
                diagnostics.push(pest_error::explain_file(source, &err));
            }
            Parse {
                file: ast::File::default(),
                diagnostics,
                broken_from,
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// The unclosed block that indentation points at: named (`element`), with where its `}`
/// belongs (before the line at `end`, which is indented no deeper than the block's opener), as
/// an unsafe fix: indentation is a guess.
fn unclosed_block(text: &str, open: usize, end: usize, d: Diagnostic) -> Diagnostic {
    let line_start = text[..open].rfind('\n').map_or(0, |n| n + 1);
    let header = text[line_start..open].trim();
    let indent = &text[line_start
        ..line_start + (text[line_start..].len() - text[line_start..].trim_start().len())];
    let line = text[..end].matches('\n').count() + 1;
    if header.is_empty() {
        return d;
    }
    let name = header.split_whitespace().next().unwrap_or(header);
    let mut d = d;
    if let Some(l) = d.labels.first_mut() {
        l.message = Some(format!("`{header}` is never closed"));
    }
    d.help(format!(
        "the indentation shows that `{name}` ends before line {line}: add `}}` there, on a line of its own"
    ))
    .fix_unsafe(
        Span::new(end, end),
        format!("{indent}}}\n"),
        format!("Insert `}}` before line {line} to close `{name}`"),
    )
}
