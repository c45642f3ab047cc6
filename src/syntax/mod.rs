//! Parsing: source text -> syntax tree with spans, plus syntax diagnostics. Never fails: a
//! broken line becomes an error node, a broken file at worst an empty tree.

pub(crate) mod ast;
mod bidi;
pub(crate) use bidi::check_json as bidi_in_json;
mod brackets;
mod lower;
mod pest_error;
pub(crate) mod print;
mod strings;

use std::sync::atomic::{AtomicUsize, Ordering};

use pest::Parser as _;

use crate::diagnostic::{codes, Diagnostic};
use crate::span::Span;

/// The generated parser, in a private module: pest's `Rule` enum is `pub` and undocumented.
mod generated {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/missive.pest"]
    pub(crate) struct MissiveParser;
}
pub(crate) use generated::{MissiveParser, Rule};

/// The words of the language, which cannot be names (the grammar's `reserved`).
pub const KEYWORDS: &[&str] = &["if", "else", "for", "in", "true", "false", "null"];

/// Whether `s` is a name the grammar reads whole (its `ident`): a letter or `_`, then letters,
/// digits and `_`, and not one of the [`KEYWORDS`].
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s)
}

/// Blocks nested deeper than this are refused before parsing, by default (`--max-depth` or
/// `max-depth` in `missive.toml` changes it, up to [`MAX_DEPTH_CAP`]).
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// The deepest nesting [`set_max_depth`] allows: the parser, the checker and the language
/// server's threads recurse once per level, and their stacks stay far from full at this depth.
pub const MAX_DEPTH_CAP: usize = 256;

static MAX_DEPTH: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_DEPTH);

/// Sets the deepest nesting of blocks (and JSON in `extra`) [`parse`] accepts, for the whole
/// process, at most [`MAX_DEPTH_CAP`]. Deeper nesting gets M0004.
pub fn set_max_depth(limit: usize) {
    MAX_DEPTH.store(limit.min(MAX_DEPTH_CAP), Ordering::Relaxed);
}

/// The deepest nesting [`parse`] accepts.
pub fn max_depth() -> usize {
    MAX_DEPTH.load(Ordering::Relaxed)
}

/// The default largest template source parsed, in bytes: 16 MiB, about 1.2 million lines of a
/// typical template (`--max-source-bytes` or `max-source-bytes` in `missive.toml` changes it).
pub const DEFAULT_MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;

static MAX_SOURCE_BYTES: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_SOURCE_BYTES);

/// Sets the largest template source [`parse`] accepts, in bytes, for the whole process (as the
/// command line's `--max-source-bytes` does). A larger file gets M0010 ([`codes::m0010_too_large`]).
pub fn set_max_source_bytes(limit: usize) {
    MAX_SOURCE_BYTES.store(limit, Ordering::Relaxed);
}

/// The largest template source [`parse`] accepts, in bytes.
pub fn max_source_bytes() -> usize {
    MAX_SOURCE_BYTES.load(Ordering::Relaxed)
}

/// The parser's step budget per byte of source. pest stops a parse after a number of steps (its
/// call limit, against runaway backtracking); a fixed number refused large valid files with a
/// false syntax error, so the budget grows with the file, linearly, never below
/// [`MIN_CALL_LIMIT`].
const CALLS_PER_BYTE: usize = 200;
const MIN_CALL_LIMIT: usize = 2_000_000;

/// pest's settings are process-wide and read when a parse starts: its step limit and whether
/// it records the detail of its attempts for error messages (which costs about half of a
/// parse). Between parses they stay at the floor: the limit at [`MIN_CALL_LIMIT`], no detail.
/// A parse with other settings takes [`PEST_SETTINGS`] alone and puts the floor back.
static PEST_SETTINGS: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn pest_floor() {
    pest::set_call_limit(std::num::NonZeroUsize::new(MIN_CALL_LIMIT));
    pest::set_error_detail(false);
}

/// Runs `parse` alone, with pest's step limit at `budget` and its error detail on.
fn with_detail<T>(budget: usize, parse: impl FnOnce() -> T) -> T {
    static FLOOR: std::sync::Once = std::sync::Once::new();
    FLOOR.call_once(pest_floor);
    let _alone = PEST_SETTINGS
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_call_limit(std::num::NonZeroUsize::new(budget));
    pest::set_error_detail(true);
    let result = parse();
    pest_floor();
    result
}

/// A probe parse for an error message (a line on its own), with pest's error detail on.
pub(crate) fn parse_detailed(
    rule: Rule,
    text: &str,
) -> Result<pest::iterators::Pairs<'_, Rule>, pest::error::Error<Rule>> {
    with_detail(MIN_CALL_LIMIT, || MissiveParser::parse(rule, text))
}

/// Parses `source` with pest's step budget set to what a source of its length may take.
/// Sources whose budget is the floor (up to 10,000 bytes: nearly every template) parse at
/// once, sharing the settings, without error detail, so that `check` of a folder parses on
/// every core; a parse that fails is run again alone with the detail its messages need (the
/// same steps: the same result). A larger source takes the settings alone for its budget.
fn parse_with_budget(
    source: &str,
) -> Result<pest::iterators::Pairs<'_, Rule>, pest::error::Error<Rule>> {
    static FLOOR: std::sync::Once = std::sync::Once::new();
    FLOOR.call_once(pest_floor);
    let budget = source
        .len()
        .saturating_mul(CALLS_PER_BYTE)
        .max(MIN_CALL_LIMIT);
    if budget == MIN_CALL_LIMIT {
        let shared = PEST_SETTINGS
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Ok(pairs) = MissiveParser::parse(Rule::file, source) {
            return Ok(pairs);
        }
        drop(shared);
    }
    with_detail(budget, || MissiveParser::parse(Rule::file, source))
}

/// A file over the size limit, refused before it is parsed.
fn too_large(text: &str, limit: usize) -> Diagnostic {
    let end = text.len().min(1);
    codes::m0010_too_large(
        format!(
            "this template is {} bytes, over the limit of {limit} bytes",
            text.len()
        ),
    )
    .at(Span::new(0, end), "the file starts here")
    .help(format!(
        "raise the limit with `--max-source-bytes {}` or `max-source-bytes = {}` in missive.toml (the default is {DEFAULT_MAX_SOURCE_BYTES})",
        text.len(),
        text.len()
    ))
}

/// Nesting deeper than `max_depth`, from the level that passes it at `at`.
fn too_deep(at: usize, max_depth: usize) -> Diagnostic {
    codes::m0004_too_deep(format!("nesting is more than {max_depth} levels deep"))
        .at(Span::new(at, at + 1), format!("level {} starts here", max_depth + 1))
        .help(format!("a notification needs a few levels of blocks (or JSON in `extra`) at most: flatten the nesting, or raise the limit with `--max-depth N` or `max-depth = N` in missive.toml (the default is {DEFAULT_MAX_DEPTH}, at most {MAX_DEPTH_CAP})"))
}

/// The refusal [`parse`] gives `text` for nesting deeper than [`max_depth`], found without
/// parsing (a scan of its brackets): for a source made by missive itself (the import's), whose
/// tree is checked as built rather than parsed again.
pub(crate) fn nesting_refused(text: &str) -> Option<Diagnostic> {
    let max_depth = max_depth();
    brackets::scan(text, max_depth)
        .too_deep
        .map(|at| too_deep(at, max_depth))
}

/// The parser gave up on its step or stack budget (pest's "call limit reached" or "stack limit
/// reached"): the file is not known to be wrong, so this is not a syntax error.
fn parser_gave_up(err: &pest::error::Error<Rule>, text: &str) -> Option<Diagnostic> {
    let pest::error::ErrorVariant::CustomError { message } = &err.variant else {
        return None;
    };
    if !message.ends_with("limit reached") {
        return None;
    }
    let at = match err.location {
        pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => p,
    }
    .min(text.len());
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    Some(
        codes::m0010_too_large(
            format!("the parser gave up on this template ({message})"),
        )
        .at(Span::new(at, end), "the parser stopped here")
        .help(format!(
            "the parser's budget is {CALLS_PER_BYTE} steps per byte; a file this costly is generated or corrupted: split it, or flatten what repeats"
        )),
    )
}

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
    let mut diagnostics = Vec::new();
    let limit = max_source_bytes();
    if text.len() > limit {
        diagnostics.push(too_large(text, limit));
        return Parse {
            file: ast::File::default(),
            diagnostics,
            broken_from: None,
        };
    }
    diagnostics.extend(bidi::check(text));

    // A byte order mark is whitespace to the grammar: a file of nothing else is empty.
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
        .is_empty()
    {
        diagnostics.push(
            codes::m0008_empty_file("this template is empty")
                .at(Span::new(0, 0), "nothing to compile")
                .help("start with a header such as `notification order_shipped`, then a `text \"...\"` or an attachment block"),
        );
        return Parse {
            file: ast::File::default(),
            diagnostics,
            broken_from: None,
        };
    }

    let max_depth = max_depth();
    let scan = brackets::scan(text, max_depth);
    if let Some(at) = scan.too_deep {
        diagnostics.push(too_deep(at, max_depth));
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
            codes::m0003_unclosed_string("unclosed `\"\"\"` text")
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
        // A `{` whose `}` an unclosed string swallowed is that string's M0003, whose fix gives
        // the `}` back: no M0002 (its `}` added elsewhere would damage the template), and the
        // tree after it is sound once the parse has the `}`.
        let given_back = report
            .iter()
            .copied()
            .find(|at| scan.in_unclosed_string.contains(at));
        let report: Vec<usize> = report
            .into_iter()
            .filter(|at| !scan.in_unclosed_string.contains(at))
            .collect();
        // The repair closes that block at the end of the file: the tree after its line is a
        // guess, so nothing after the line is reported (its M0003 says so).
        let after_line =
            given_back.map(|at| text[at..].find('\n').map_or(text.len(), |n| at + n + 1));
        broken_from = report
            .first()
            .copied()
            .into_iter()
            .chain(after_line)
            .min()
            .map(|s| s as u32);
        for &at in &report {
            let what = if text.as_bytes()[at] == b'{' {
                "{"
            } else {
                "["
            };
            let mut d = codes::m0002_unclosed_delimiter(format!("unclosed `{what}`"))
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
            } else if what == "{" {
                d = unclosed_to_end(text, at, d);
            }
            if scan.mixed_indentation {
                d = d.note("the lines are indented with tabs and with spaces, so missive cannot tell from the indentation which block was left open: look for the block whose `}` is missing");
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
    match parse_with_budget(source) {
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
            if let Some(gave_up) = parser_gave_up(&err, text) {
                diagnostics.push(gave_up);
            } else if diagnostics.is_empty() {
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

/// An unclosed `{` that nothing after it shows the end of: named by its block (`carousel {`),
/// its `}` after the block's last line.
fn unclosed_to_end(text: &str, open: usize, d: Diagnostic) -> Diagnostic {
    let line_start = text[..open].rfind('\n').map_or(0, |n| n + 1);
    let header = text[line_start..open].trim();
    let Some(name) = header.split_whitespace().next() else {
        return d;
    };
    let mut d = d;
    d.message = format!("`{header} {{` is never closed");
    if let Some(l) = d.labels.first_mut() {
        l.message = Some(format!("`{header}` is never closed"));
    }
    d.help = Some(format!(
        "add `}}` on a line of its own after the last line of `{name}` (at the end of the file, if the rest of the file is inside it)"
    ));
    d
}

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
    // Named in the message too: one-line reports show only the message.
    d.message = format!("`{header} {{` is never closed");
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
    .at(
        first_token(text, end),
        format!(
            "by its indentation, the `{name}` of line {} ends before this line: add `}}` above it",
            text[..open].matches('\n').count() + 1
        ),
    )
}

/// The first token of the line starting at `at` (what follows its indentation, up to a space),
/// or the empty span at the line's end when it is blank.
fn first_token(text: &str, at: usize) -> Span {
    let line = &text[at..text[at..].find('\n').map_or(text.len(), |n| at + n)];
    let start = at + (line.len() - line.trim_start().len());
    let len = text[start..at + line.len()]
        .find(char::is_whitespace)
        .unwrap_or(at + line.len() - start);
    Span::new(start, start + len)
}
