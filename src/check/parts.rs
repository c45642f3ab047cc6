//! Checking shared parts: the `part NAME { ... }` blocks of the files in a `parts/` folder,
//! each file checked on its own, and their uses in a template (`use NAME`, or with arguments
//! `use NAME { arg: value }`), expanded into the template's tree before it is checked: the
//! part's items take the use's place with each argument put where the part reads its input, so
//! every later stage (limits, worst case with the caller's declared `max`, render, trace,
//! sample, preview) sees ordinary items.
//!
//! The items a use brings in keep their positions in a copy of the part's file placed after
//! the template's text (`span::SourceMap`): the checks read the part's own text through them, and
//! a diagnostic found there is placed back in the part file with a label at the use
//! (`diagnostic::place`). What a part gets wrong on its own (syntax, its names, its own uses,
//! its field rules) is reported by its file's own check ([`check_file`]).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{codes, Diagnostic};
use crate::model::types::{self, ObjTy, Scope, Ty};
use crate::span::{SourceFile, SourceMap, Span, MAX_PART_FILES};
use crate::syntax::ast::{self, Item, StrLit, StrPart, Value};

use super::decls;

/// The parts a run can use: every `part` block of the files of a `parts/` folder, by name.
#[derive(Debug, Default)]
pub struct Catalogue {
    parts: Vec<Part>,
    /// The index in `parts` of each name's first definition.
    by_name: std::collections::HashMap<String, usize>,
}

/// One `part NAME { ... }` block: its typed inputs and the items a use brings in.
#[derive(Debug)]
pub struct Part {
    name: String,
    file: Arc<SourceFile>,
    name_span: Span,
    span: Span,
    decls: Vec<ast::Decl>,
    input: Arc<ObjTy>,
    items: Vec<Item>,
}

impl Part {
    /// Its name, as `use` writes it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The part file it is defined in (its name is the path reports give).
    pub fn file(&self) -> &Arc<SourceFile> {
        &self.file
    }

    /// Its name in its file.
    pub fn name_span(&self) -> Span {
        self.name_span
    }

    /// The whole `part` block in its file.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Its declared inputs: the arguments a use gives.
    pub fn input(&self) -> &ObjTy {
        &self.input
    }

    /// Its inputs as written in its `input { }` block (`phone?: string max 20`), one a line.
    pub fn signature(&self) -> Vec<String> {
        self.decls
            .iter()
            .filter_map(|d| {
                self.file
                    .text
                    .get(d.span.range())
                    .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            })
            .collect()
    }

    /// `path:line` of the declaration of its input `name` (of its name, without one).
    fn input_location(&self, name: &str) -> String {
        let at = self
            .decls
            .iter()
            .find(|d| d.name.name == name)
            .map_or(self.name_span, |d| d.span);
        let line = self.file.text[..at.start as usize].matches('\n').count() + 1;
        format!("{}:{line}", self.file.name)
    }

    /// `path:line` of its name, for notes.
    fn location(&self) -> String {
        let line = self.file.text[..self.name_span.start as usize]
            .matches('\n')
            .count()
            + 1;
        format!("{}:{line}", self.file.name)
    }
}

impl Catalogue {
    /// The parts of these part files, in order (a name defined twice: the first one counts;
    /// checking the files reports the second).
    pub fn from_sources(files: impl IntoIterator<Item = Arc<SourceFile>>) -> Catalogue {
        let mut parts = Vec::new();
        for file in files {
            let parsed = crate::syntax::parse(&file.text);
            for item in parsed.file.items {
                let Item::Block(b) = item else { continue };
                let (true, Some(label)) = (b.kind.name == "part", b.label) else {
                    continue;
                };
                let decls: Vec<ast::Decl> = b
                    .items
                    .iter()
                    .find_map(|i| match i {
                        Item::Input(inp) => Some(inp.decls.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let input = Arc::new(decls::lower_input(&decls, &mut Vec::new()));
                let items = b
                    .items
                    .into_iter()
                    .filter(|i| !matches!(i, Item::Input(_) | Item::Error(_)))
                    .collect();
                parts.push(Part {
                    name: label.name.to_string(),
                    file: file.clone(),
                    name_span: label.span,
                    span: b.span,
                    decls,
                    input,
                    items,
                });
            }
        }
        let mut by_name = std::collections::HashMap::new();
        for (i, p) in parts.iter().enumerate() {
            by_name.entry(p.name.clone()).or_insert(i);
        }
        Catalogue { parts, by_name }
    }

    /// The part files of a folder (`templates/parts/*.missive`, by name); a folder that does
    /// not exist holds none.
    pub fn read_dir(dir: &Path) -> std::io::Result<Catalogue> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Catalogue::default()),
            Err(e) => return Err(e),
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "missive"))
            .collect();
        paths.sort();
        let mut files = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p)?;
            files.push(Arc::new(SourceFile::new(
                p.to_string_lossy().replace('\\', "/"),
                text,
            )));
        }
        Ok(Catalogue::from_sources(files))
    }

    /// The same part files with some of them as given in `files` (the same path, other
    /// text: fixed in memory, not yet written): `check --diff` checks what its fixes leave.
    pub fn with_files(&self, files: &[Arc<SourceFile>]) -> Catalogue {
        let same = |a: &str, b: &str| {
            a == b
                || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                }
        };
        let mut sources: Vec<Arc<SourceFile>> = Vec::new();
        for part in &self.parts {
            if sources.iter().any(|f| f.name == part.file.name) {
                continue;
            }
            sources.push(part.file.clone());
        }
        let sources = sources.into_iter().map(|old| {
            files
                .iter()
                .find(|f| same(&f.name, &old.name))
                .map(|f| Arc::new(SourceFile::new(old.name.clone(), f.text.clone())))
                .unwrap_or(old)
        });
        Catalogue::from_sources(sources.collect::<Vec<_>>())
    }

    /// The part named `name`.
    pub fn get(&self, name: &str) -> Option<&Part> {
        self.by_name.get(name).map(|&i| &self.parts[i])
    }

    /// Every part, in the order of their files.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Whether it holds no part.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// Whether `path` names a part file: a `.missive` file in a folder named `parts`.
pub fn is_part_path(path: &str) -> bool {
    let p = Path::new(path);
    p.extension().is_some_and(|x| x == "missive")
        && p.parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "parts")
}

/// A `use` in a template, and the part it brought in.
#[derive(Debug, Clone)]
pub(crate) struct UseSite {
    /// `use NAME`.
    pub head: Span,
    /// The use is wrong (reported): nothing was brought in.
    pub failed: bool,
}

/// Whether the tree has any `use` or `part` item: only then is it expanded.
pub(crate) fn has_uses(items: &[Item]) -> bool {
    items.iter().any(|i| match i {
        Item::Command(c) => c.name.name == "use",
        Item::Block(b) => b.kind.name == "use" || b.kind.name == "part" || has_uses(&b.items),
        Item::For(f) => has_uses(&f.items),
        Item::If(i) => {
            i.branches.iter().any(|b| has_uses(&b.items))
                || i.otherwise.as_deref().is_some_and(has_uses)
        }
        _ => false,
    })
}

/// A template's tree with each `use` replaced by the part's items, the diagnostics of its uses,
/// and where each use stands.
pub(crate) struct Expanded {
    /// The tree, each `use` replaced by the part's items.
    pub file: ast::File,
    /// Each use of the template, and what it brought in.
    pub uses: Vec<UseSite>,
    /// The template's text followed by each use's copy of its part's file: the text the
    /// expanded tree's spans point into.
    pub text: String,
    /// Where each copy is, and the use that brought it in.
    pub map: SourceMap,
}

/// More than the parser's repair of a broken text adds after it: a `\n}` for each unclosed
/// bracket (at most the levels of nesting it accepts, `--max-depth` up to its cap), or
/// `\n\"\"\"\n`.
pub(crate) const REPAIR_ROOM: usize = 2 * crate::syntax::MAX_DEPTH_CAP + 8;

/// Expands the uses of a template's tree (`source` is its text).
pub(crate) fn expand(
    file: &ast::File,
    source: &str,
    catalogue: &Catalogue,
    diags: &mut Vec<Diagnostic>,
) -> Expanded {
    let root = file
        .items
        .iter()
        .find_map(|i| match i {
            Item::Input(inp) => Some(decls::lower_input(&inp.decls, &mut Vec::new())),
            _ => None,
        })
        .unwrap_or_default();
    let mut ex = Expander {
        catalogue,
        root: &root,
        locals: Vec::new(),
        stack: Vec::new(),
        diags,
        uses: Vec::new(),
        in_part_file: false,
        // Room for the closing brackets the parser adds to a broken template (its tree's spans
        // reach into them): a position there is the template's, never a part's.
        text: format!("{source}{}", "\n".repeat(REPAIR_ROOM)),
        map: SourceMap::new(source.len()),
        depth: 0,
        stopped: false,
        uncounted: 0,
    };
    let items = ex.items(&file.items, None);
    Expanded {
        file: ast::File {
            items,
            comments: file.comments.clone(),
        },
        uses: ex.uses,
        text: ex.text,
        map: ex.map,
    }
}

/// The largest template with its parts brought in, whatever `--max-source-bytes` says: its
/// positions are `u32` (with room for the parser's repair).
const MAX_EXPANDED: usize = u32::MAX as usize - REPAIR_ROOM - 1;

/// M0010: the copies of part files that a template's uses bring in take it past the size limit
/// (`size` bytes with the use at `head`, the part `part`).
fn over_budget(part: &Part, head: Span, size: usize, limit: usize) -> Diagnostic {
    let (message, help) = if limit < MAX_EXPANDED {
        (
            format!("this template with the parts it uses is over the size limit of {limit} bytes"),
            format!(
                "each use brings in its part file whole, and the template with them must fit the limit: keep a large part in a file of its own, use it less often, or raise the limit with `--max-source-bytes N` or `max-source-bytes = N` in missive.toml (the default is {})",
                crate::syntax::DEFAULT_MAX_SOURCE_BYTES
            ),
        )
    } else {
        (
            format!("this template with the parts it uses is over {MAX_EXPANDED} bytes, the most missive can check"),
            "each use brings in its part file whole: keep a large part in a file of its own, or use it less often".to_string(),
        )
    };
    codes::m0010_too_large(message)
        .at(
            head,
            format!(
                "this use brings in `{}` ({} bytes), {size} bytes in all",
                part.file.name,
                part.file.text.len()
            ),
        )
        .help(help)
}

/// The levels of blocks, loops, conditions and `extra` JSON in `items`, as the expanded tree
/// nests them (uses not counted: they are measured when they are brought in).
fn nesting(items: &[Item]) -> usize {
    fn json(v: &ast::JsonValue) -> usize {
        match v {
            ast::JsonValue::Object(members, _) => {
                1 + members.iter().map(|m| json(&m.value)).max().unwrap_or(0)
            }
            ast::JsonValue::Array(values, _) => 1 + values.iter().map(json).max().unwrap_or(0),
            _ => 0,
        }
    }
    items
        .iter()
        .map(|i| match i {
            Item::Block(b) if b.kind.name == "use" => 0,
            Item::Block(b) => 1 + nesting(&b.items),
            Item::For(f) => 1 + nesting(&f.items),
            Item::If(i) => {
                let branches = i.branches.iter().map(|b| nesting(&b.items));
                1 + branches
                    .chain(i.otherwise.as_deref().map(nesting))
                    .max()
                    .unwrap_or(0)
            }
            Item::Extra(e) => 1 + e.members.iter().map(|m| json(&m.value)).max().unwrap_or(0),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Drops the counts that a wrong use (already reported) leaves short, as "a button template
/// needs a button".
pub(crate) fn drop_follow_ons(diags: &mut Vec<Diagnostic>, uses: &[UseSite]) {
    diags.retain(|d| {
        let follows = matches!(
            d.code,
            crate::diagnostic::Code::TooFew | crate::diagnostic::Code::MissingField
        );
        !follows
            || !d.primary().is_some_and(|l| {
                // A count is reported at its block's opening (`buttons {`), whose end the
                // diagnostic does not hold: a wrong use after it may be what left it short. The
                // use's error stays, so the template is refused either way.
                uses.iter()
                    .any(|u| u.failed && l.span.start <= u.head.start)
            })
    });
}

/// Checks a part file on its own: its syntax, that it holds only `part` blocks with a name
/// given once, each part's `input`, the paths it reads, and its own uses of other parts.
pub fn check_file(source: &SourceFile, catalogue: &Catalogue) -> super::Compiled {
    let parsed = crate::syntax::parse(&source.text);
    let mut diags = parsed.diagnostics;
    for item in &parsed.file.items {
        let b = match item {
            Item::Block(b) if b.kind.name == "part" => b,
            Item::Error(_) => continue,
            other => {
                let at = match other {
                    Item::Block(b) => b.kind.span,
                    Item::Command(c) => c.name.span,
                    Item::Field(f) => f.name.span,
                    _ => other.span().sub(0, 0),
                };
                diags.push(
                    codes::m1026_misplaced_part(
                        "a part file holds only `part NAME { ... }` blocks",
                    )
                    .at(at, "not a part")
                    .help("move it into a `part` block, or into a template outside `parts/`"),
                );
                continue;
            }
        };
        let Some(label) = &b.label else {
            diags.push(
                codes::m1026_misplaced_part("a part needs a name")
                    .at(b.kind.span, "no name")
                    .help("write `part NAME { ... }`, e.g. `part contact_us { ... }`"),
            );
            continue;
        };
        if let Some(first) = catalogue.get(&label.name) {
            if first.file.name != source.name || first.name_span != label.span {
                diags.push(
                    codes::m1025_duplicate_part(format!(
                        "the part `{}` is defined twice",
                        label.name
                    ))
                    .at(label.span, "second definition")
                    .help(format!(
                        "rename one of them; the first, at {}, is the one `use` finds",
                        first.location()
                    )),
                );
            }
        }
        let inputs: Vec<&ast::Input> = b
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Input(inp) => Some(inp),
                _ => None,
            })
            .collect();
        for extra in inputs.iter().skip(1) {
            diags.push(
                codes::m1005_duplicate_field("`input` is given twice")
                    .at(extra.span.sub(0, 5), "second `input` block")
                    .help("declare all of the part's inputs in one `input { ... }` block"),
            );
        }
        let root = inputs
            .first()
            .map(|inp| decls::lower_input(&inp.decls, &mut diags))
            .unwrap_or_default();
        let mut ex = Expander {
            catalogue,
            root: &root,
            locals: Vec::new(),
            stack: vec![label.name.to_string()],
            diags: &mut diags,
            uses: Vec::new(),
            in_part_file: true,
            // A part file's own text: the help of a use in it quotes its arguments.
            text: source.text.clone(),
            map: SourceMap::default(),
            depth: 0,
            stopped: false,
            uncounted: 0,
        };
        ex.items(&b.items, None);
        for (name, at) in foreign_reads(&b.items, &root, &source.text, false) {
            diags.push(not_an_input(&label.name, &root, &name, at, &source.text));
        }
        diags.extend(field_rules(source, b));
    }
    crate::diagnostic::clamp_to(&mut diags, source.text.len());
    crate::diagnostic::sort(&mut diags);
    super::Compiled {
        template: None,
        diagnostics: diags,
        file: parsed.file,
        input: Arc::new(ObjTy::default()),
        parts: Vec::new(),
    }
}

/// The rules of fields a part can be checked against without a caller: its buttons checked as
/// in a button template, its elements as in a carousel, each with the part's inputs declared:
/// unknown fields (M1002), the limits of literal texts (M2001), required fields (M2003). What a
/// caller's values cause is checked at each `use`; the part's own uses, in their own files.
fn field_rules(source: &SourceFile, part: &ast::Block) -> Vec<Diagnostic> {
    fn only(item: &Item, kind: &str) -> bool {
        match item {
            Item::Block(b) => b.kind.name == kind,
            Item::For(f) => !f.items.is_empty() && f.items.iter().all(|i| only(i, kind)),
            Item::If(i) => i
                .branches
                .iter()
                .map(|b| &b.items)
                .chain(i.otherwise.iter())
                .flatten()
                .all(|i| only(i, kind)),
            _ => false,
        }
    }
    let input: Vec<Item> = part
        .items
        .iter()
        .filter(|i| matches!(i, Item::Input(_)))
        .take(1)
        .cloned()
        .collect();
    let mut out = Vec::new();
    let end = source.text.len();
    let wrappers = [
        ("button", "buttons {\n  text: \"x\"\n}\n"),
        ("element", "carousel {\n}\n"),
    ];
    for (kind, wrapper) in wrappers {
        let items: Vec<Item> = part
            .items
            .iter()
            .filter(|i| only(i, kind))
            .cloned()
            .collect();
        if items.is_empty() {
            continue;
        }
        // The message around the part's items is parsed past the end of the part file, so
        // that nothing said about it can stand in the file.
        let head = format!("\nnotification part_check\n{wrapper}");
        let padded = format!("{}{head}", " ".repeat(end));
        let mut file = crate::syntax::parse(&padded).file;
        let Some(Item::Block(outer)) = file
            .items
            .iter_mut()
            .find(|i| matches!(i, Item::Block(b) if b.kind.name != "part"))
        else {
            continue;
        };
        outer.items.extend(items);
        file.items.splice(0..0, input.iter().cloned());
        let text = format!("{}{head}", source.text);
        let compiled = super::check_tree(file, &text, Vec::new(), &super::Options::default(), None);
        out.extend(compiled.diagnostics.into_iter().filter(|d| {
            // A worst case from the part's own `max` is the caller's to judge, with its values.
            let rule = match d.code {
                crate::diagnostic::Code::UnknownField | crate::diagnostic::Code::MissingField => {
                    true
                }
                crate::diagnostic::Code::TooLong => d.is_error(),
                _ => false,
            };
            rule && d.primary().is_some_and(|l| l.span.end as usize <= end)
        }));
    }
    out
}

/// M1026: a part file given where a template is rendered (`render`, `sample`, `preview`): it
/// has no message of its own.
pub fn not_a_template(text: &str) -> Diagnostic {
    let end = text.find('\n').unwrap_or(text.len());
    codes::m1026_misplaced_part("a part file is not a template: it renders only where a template uses its parts")
        .at(Span::new(0, end), "a part file")
        .help("give a template that uses its parts (`use NAME`); `missive check` checks a part file on its own")
}

/// The arguments of one use: each input of the part, what the caller gives it (`None`: an
/// optional input not given).
type Args = Vec<(String, Option<Value>)>;

/// What a use's items are rewritten with: the arguments, and where the use stands.
struct Subst<'a> {
    args: &'a Args,
    /// Where the use's copy of the part's file starts: a span of the part moves by it.
    base: u32,
    /// The part's name: a loop variable of the part named like the first name of an argument
    /// is renamed `VAR_PART`, so that the argument still reads the caller's value.
    part: &'a str,
}

impl Subst<'_> {
    /// A span of the part's file, in the use's copy of it.
    fn shift(&self, span: Span) -> Span {
        Span {
            start: span.start + self.base,
            end: span.end + self.base,
        }
    }
}

struct Expander<'c, 'd> {
    catalogue: &'c Catalogue,
    root: &'c ObjTy,
    /// Loop variables of the caller: (name, item type, declaration).
    locals: Vec<(String, Ty, Span)>,
    /// The parts being expanded, outermost first: a use of one of them is a cycle.
    stack: Vec<String>,
    diags: &'d mut Vec<Diagnostic>,
    uses: Vec<UseSite>,
    /// Checking a part file: its paths must be its own inputs.
    in_part_file: bool,
    /// The template's text and each use's copy of its part's file, as [`Expanded::text`] (in a
    /// part file, its own text).
    text: String,
    map: SourceMap,
    /// The levels of blocks, loops and conditions around the item being expanded, in the
    /// expanded tree: a use may not take it past `--max-depth`, as no parsed file can.
    depth: usize,
    /// The expansion stopped at a limit (reported once): no further use is brought in.
    stopped: bool,
    /// The bytes of `text` that do not count against `--max-source-bytes`: the copies made
    /// only for a label (the near part of M1020), which bring in nothing, and the newline
    /// before each copy (the limit is on the template and the part files as written).
    uncounted: usize,
}

impl Expander<'_, '_> {
    /// `items` with each use expanded; with `subst`, the items of a part, rewritten first.
    fn items(&mut self, items: &[Item], subst: Option<&Subst<'_>>) -> Vec<Item> {
        let mut out = Vec::with_capacity(items.len());
        let rewritten;
        let items = match subst {
            Some(s) => {
                rewritten = rewrite_items(items, s, &mut Vec::new());
                &rewritten
            }
            None => items,
        };
        for item in items {
            self.item(item.clone(), &mut out);
        }
        out
    }

    fn item(&mut self, item: Item, out: &mut Vec<Item>) {
        match item {
            Item::Command(c) if c.name.name == "use" => {
                let name = match c.args.as_slice() {
                    [Value::Path(p)] if p.segments.len() == 1 => p.segments[0].clone(),
                    _ => {
                        self.diags.push(
                            codes::m1020_unknown_part("`use` takes the name of a part")
                                .at(c.span, "no part name")
                                .help("write `use NAME`, or `use NAME { input: value }`"),
                        );
                        return;
                    }
                };
                let head = Span::new(c.span.start as usize, name.span.end as usize);
                self.use_part(&name, head, c.span, &[], out);
            }
            Item::Block(b) if b.kind.name == "use" => {
                let Some(name) = &b.label else {
                    self.diags.push(
                        codes::m1020_unknown_part("`use` takes the name of a part")
                            .at(b.kind.span, "no part name")
                            .help("write `use NAME { input: value }`"),
                    );
                    return;
                };
                let head = Span::new(b.span.start as usize, name.span.end as usize);
                self.use_part(name, head, b.span, &b.items, out);
            }
            Item::Block(b) if b.kind.name == "part" && !self.in_part_file => {
                self.diags.push(
                    codes::m1026_misplaced_part("a part is defined in a part file, not in a template")
                        .at(b.kind.span, "a part in a template")
                        .help("move it to a file in the `parts/` folder beside the templates, e.g. `parts/shared.missive`"),
                );
            }
            Item::Block(mut b) => {
                self.depth += 1;
                b.items = self.items(&std::mem::take(&mut b.items), None);
                self.depth -= 1;
                out.push(Item::Block(b));
            }
            Item::For(mut f) => {
                self.path(&f.iterable);
                let ty = self.item_type(&f.iterable);
                self.locals.push((f.var.name.to_string(), ty, f.var.span));
                self.depth += 1;
                f.items = self.items(&std::mem::take(&mut f.items), None);
                self.depth -= 1;
                self.locals.pop();
                out.push(Item::For(f));
            }
            Item::If(mut i) => {
                self.depth += 1;
                for b in &mut i.branches {
                    b.items = self.items(&std::mem::take(&mut b.items), None);
                }
                if let Some(o) = &mut i.otherwise {
                    *o = self.items(&std::mem::take(o), None);
                }
                self.depth -= 1;
                out.push(Item::If(i));
            }
            other => {
                if let Item::Field(f) = &other {
                    if let Value::Path(p) = &f.value {
                        self.path(p);
                    }
                }
                if let Item::Command(c) = &other {
                    for a in &c.args {
                        if let Value::Path(p) = a {
                            self.path(p);
                        }
                    }
                }
                out.push(other);
            }
        }
    }

    /// In a part file, a path the part reads must be one of its inputs or loop variables.
    fn path(&mut self, p: &ast::Path) {
        if !self.in_part_file {
            return;
        }
        let segs: Vec<(&str, Span)> = p.segs();
        if let Err(d) = self.scope().resolve(&segs) {
            let (first, at) = segs[0];
            let known = self.root.get(first).is_some() || self.locals.iter().any(|l| l.0 == first);
            // A name the part does not have is worded as in an expression (`{{ order }}`);
            // a field its input lacks, as in a template.
            self.diags.push(match (&self.stack[..], known) {
                ([part, ..], false) => not_an_input(part, self.root, first, at, &self.text),
                _ => d,
            });
        }
    }

    fn scope(&self) -> Scope<'_> {
        Scope {
            root: self.root,
            locals: self.locals.clone(),
        }
    }

    /// The type of a `for`'s items, `Unknown` when the list does not resolve.
    fn item_type(&self, p: &ast::Path) -> Ty {
        let segs: Vec<(&str, Span)> = p.segs();
        match self.scope().resolve(&segs) {
            Ok(r) => match r.ty {
                Ty::List { item, .. } => *item,
                _ => Ty::Unknown,
            },
            Err(_) => Ty::Unknown,
        }
    }

    /// One use of the part `name`, standing at `head` (the whole use: `whole`), with the
    /// arguments `given`.
    fn use_part(
        &mut self,
        name: &ast::Ident,
        head: Span,
        whole: Span,
        given: &[Item],
        out: &mut Vec<Item>,
    ) {
        let catalogue = self.catalogue;
        let Some(part) = catalogue.get(&name.name) else {
            let mut d = codes::m1020_unknown_part(format!("there is no part `{}`", name.name))
                .at(name.span, "not a part of the `parts/` folder");
            d = match types::suggest(&name.name, catalogue.parts.iter().map(|p| p.name.as_str())) {
                Some(s) => {
                    let near = catalogue.get(s).expect("a part of the catalogue");
                    // In a template, the near part is labelled in its file (through a copy of
                    // it whose use is this name, which the label at the name stands for).
                    let base = match self.in_part_file {
                        false => self.label_copy_of(near, name.span),
                        true => None,
                    };
                    match base {
                        Some(base) => d
                            .help(format!("a part with a similar name exists: `{s}`"))
                            .fix(name.span, s)
                            .at(
                                Span::new(
                                    near.name_span.start as usize + base,
                                    near.name_span.end as usize + base,
                                ),
                                format!("the part `{s}` is defined here"),
                            ),
                        None => d
                            .help(format!(
                                "a part with a similar name exists: `{s}`, defined at {}",
                                near.location()
                            ))
                            .fix(name.span, s),
                    }
                }
                None if catalogue.is_empty() => d.help(
                    "define it in a file of the `parts/` folder beside the templates: `part NAME { ... }`",
                ),
                None => {
                    let names: Vec<&str> = catalogue.parts.iter().map(|p| p.name.as_str()).collect();
                    d.help(format!("the parts are {}", types::quoted_list(&names)))
                }
            };
            self.diags.push(d);
            self.failed(head);
            return;
        };
        if let Some(at) = self.stack.iter().position(|p| *p == name.name) {
            let mut chain: Vec<&str> = self.stack[at..].iter().map(String::as_str).collect();
            chain.push(&name.name);
            self.diags.push(
                codes::m1021_part_cycle(format!(
                    "the part `{}` uses itself: {}",
                    name.name,
                    chain.join(" → ")
                ))
                .at(head, "this use closes the cycle")
                .help("a part cannot use itself, directly or through other parts: remove one of the uses"),
            );
            self.failed(head);
            return;
        }
        let Some(args) = self.arguments(part, name, head, whole, given) else {
            self.failed(head);
            return;
        };
        // In a part file, only the part's own uses are checked; what they bring in is checked
        // in each template that uses it.
        if self.in_part_file {
            let mut seen = HashSet::new();
            if let Some(mut chain) = path_back(catalogue, &part.name, &self.stack[0], &mut seen) {
                chain.insert(0, self.stack[0].clone());
                self.diags.push(
                    codes::m1021_part_cycle(format!(
                        "the part `{}` uses itself: {}",
                        self.stack[0],
                        chain.join(" → ")
                    ))
                    .at(head, "this use closes the cycle")
                    .help("a part cannot use itself, directly or through other parts: remove one of the uses"),
                );
            }
            return;
        }
        // A part sees only its own inputs: one that reads anything else is not brought in, so
        // that it never reads the caller's values. What it reads is reported as the part file's
        // own check reports it, placed in the part file with a label at this use (so `check
        // DIR`, which checks the part file too, reports it once).
        if self.stopped {
            self.failed(head);
            return;
        }
        if let Some(d) = self.too_deep(part, head) {
            self.diags.push(d);
            self.failed(head);
            return;
        }
        if !foreign_reads(&part.items, &part.input, &part.file.text, true).is_empty() {
            let Some(base) = self.copy_of(part, head) else {
                self.failed(head);
                return;
            };
            let base = base as u32;
            let mut own = own_reads(part, catalogue);
            if own.is_empty() {
                // Not expected (the part's check reads what `foreign_reads` reads): at the use.
                own.push(
                    codes::m1001_undeclared_variable(format!(
                        "the part `{}` reads outside its inputs",
                        part.name
                    ))
                    .at(head, "this part reads outside its inputs"),
                );
            }
            for mut d in own {
                for l in &mut d.labels {
                    if l.origin == crate::diagnostic::Origin::Template {
                        l.span =
                            Span::new((l.span.start + base) as usize, (l.span.end + base) as usize);
                        if let Some(f) = &mut l.fix {
                            f.span = Span::new(
                                (f.span.start + base) as usize,
                                (f.span.end + base) as usize,
                            );
                        }
                    }
                }
                self.diags.push(d);
            }
            self.failed(head);
            return;
        }
        if self.stack.is_empty() {
            self.uses.push(UseSite {
                head,
                failed: false,
            });
        }
        let Some(base) = self.copy_of(part, head) else {
            self.failed(head);
            return;
        };
        self.stack.push(part.name.clone());
        let subst = Subst {
            part: &part.name,
            args: &args,
            base: base as u32,
        };
        let expanded = self.items(&part.items, Some(&subst));
        self.stack.pop();
        out.extend(expanded);
    }

    /// Adds a copy of the part's file for the use at `head`: where it starts. The part's items
    /// keep their positions in it, after a line break (so that the template's end is never a
    /// part's start). `None` past the size limit, or past the most part files one template can
    /// use: reported once, at the first use beyond it, and nothing more is brought in.
    fn copy_of(&mut self, part: &Part, head: Span) -> Option<usize> {
        if self.stopped {
            return None;
        }
        let size = self.text.len().saturating_sub(REPAIR_ROOM) + 1 + part.file.text.len();
        let counted = size.saturating_sub(self.uncounted + 1);
        let limit = crate::syntax::max_source_bytes();
        if counted > limit.min(MAX_EXPANDED) {
            self.stopped = true;
            self.diags.push(over_budget(part, head, counted, limit));
            return None;
        }
        if size > MAX_EXPANDED {
            // The copies made for labels alone leave no room.
            self.stopped = true;
            self.diags.push(over_budget(part, head, size, MAX_EXPANDED));
            return None;
        }
        if !self.map.has_room_for(&part.file) {
            self.stopped = true;
            self.diags.push(
                codes::m0010_too_large(format!(
                    "this template uses parts from more than {MAX_PART_FILES} part files"
                ))
                .at(head, format!("this use brings in a part file beyond the first {MAX_PART_FILES}"))
                .help(format!("a template can use the parts of at most {MAX_PART_FILES} files: gather the parts into fewer files")),
            );
            return None;
        }
        self.text.push('\n');
        self.uncounted += 1;
        let base = self.text.len();
        self.text.push_str(&part.file.text);
        self.map.add(base, &part.file, head, &part.name);
        Some(base)
    }

    /// A copy of `part`'s file for a label only (the near part of M1020, at the misspelt
    /// name `head`): it brings in nothing, so it does not count against the size limit and
    /// stops nothing; without room for it (the most missive can check, or the part files), no
    /// copy (`None`: the help names the part's place).
    fn label_copy_of(&mut self, part: &Part, head: Span) -> Option<usize> {
        let size = self.text.len().saturating_sub(REPAIR_ROOM) + 1 + part.file.text.len();
        if self.stopped || size > MAX_EXPANDED || !self.map.has_room_for(&part.file) {
            return None;
        }
        self.text.push('\n');
        let base = self.text.len();
        self.text.push_str(&part.file.text);
        self.uncounted += 1 + part.file.text.len();
        self.map.add(base, &part.file, head, &part.name);
        Some(base)
    }

    /// M0004: bringing in `part` at `head` would nest the expanded tree deeper than
    /// `--max-depth` allows a parsed file, or chain more uses than that.
    fn too_deep(&self, part: &Part, head: Span) -> Option<Diagnostic> {
        let max = crate::syntax::max_depth();
        let raise = format!(
            "or raise the limit with `--max-depth N` or `max-depth = N` in missive.toml (the default is {}, at most {})",
            crate::syntax::DEFAULT_MAX_DEPTH,
            crate::syntax::MAX_DEPTH_CAP
        );
        if self.stack.len() >= max {
            return Some(
                codes::m0004_too_deep(format!(
                    "parts are used through more than {max} levels of `use`"
                ))
                .at(head, format!("level {} of uses", self.stack.len() + 1))
                .help(format!(
                    "a part that uses a part that uses a part...: use the innermost parts from the template itself, {raise}"
                )),
            );
        }
        let depth = self.depth + nesting(&part.items);
        (depth > max).then(|| {
            codes::m0004_too_deep(format!(
                "the part `{}` brought in here nests blocks {depth} levels deep, more than {max}",
                part.name
            ))
            .at(
                head,
                format!("{} levels of blocks around this use", self.depth),
            )
            .help(format!(
                "use the part where fewer blocks are around it, flatten the part's blocks, {raise}"
            ))
        })
    }

    /// A wrong use, already reported: of the template, or of a part brought in by the template's
    /// use being expanded (the last one), which then brings in less than its part holds, so that
    /// the counts it leaves short are follow-ons too.
    fn failed(&mut self, head: Span) {
        if self.stack.is_empty() {
            self.uses.push(UseSite { head, failed: true });
        } else if let Some(outer) = self.uses.last_mut() {
            outer.failed = true;
        }
    }

    /// The arguments of a use, checked against the part's inputs; `None` when one is wrong.
    fn arguments(
        &mut self,
        part: &Part,
        name: &ast::Ident,
        head: Span,
        whole: Span,
        given: &[Item],
    ) -> Option<Args> {
        let mut ok = true;
        // Where the part's file is copied for labels at its inputs, once for this use.
        let mut copy: Option<u32> = None;
        let mut values: Vec<(String, Value, Span)> = Vec::new();
        for item in given {
            let Item::Field(f) = item else {
                self.diags.push(
                    codes::m1024_unknown_part_argument(format!(
                        "only arguments (`input: value`) go inside `use {} {{ }}`",
                        name.name
                    ))
                    .at(item.span(), "not an argument")
                    .help("give each of the part's inputs as `name: value`"),
                );
                ok = false;
                continue;
            };
            let Some(param) = part.input.get(&f.name.name) else {
                let names: Vec<&str> = part.input.fields.iter().map(|f| f.name.as_str()).collect();
                let mut d = codes::m1024_unknown_part_argument(format!(
                    "the part `{}` has no input `{}`",
                    part.name, f.name.name
                ))
                .at(f.name.span, "not an input of the part");
                d = match types::suggest(&f.name.name, names.iter().copied()) {
                    Some(s) => d
                        .help(format!("an input with a similar name exists: `{s}`"))
                        .fix(f.name.span, s),
                    None if names.is_empty() => d.help(format!(
                        "`{}` takes no input: write `use {}`",
                        part.name, part.name
                    )),
                    None => d.help(format!(
                        "the inputs of `{}` are {}",
                        part.name,
                        types::quoted_list(&names)
                    )),
                };
                self.diags.push(d);
                ok = false;
                continue;
            };
            if let Some((_, _, first)) = values.iter().find(|(n, _, _)| *n == f.name.name) {
                self.diags.push(
                    codes::m1005_duplicate_field(format!(
                        "the argument `{}` is given twice",
                        f.name.name
                    ))
                    .at(f.name.span, "second value")
                    .at(*first, "first value")
                    .help("give each argument once"),
                );
                ok = false;
                continue;
            }
            ok &= self.argument_fits(part, param, &f.value, head, &mut copy);
            values.push((f.name.name.to_string(), f.value.clone(), f.name.span));
        }
        let missing: Vec<&str> = part
            .input
            .fields
            .iter()
            .filter(|p| !p.optional && !values.iter().any(|(n, _, _)| *n == p.name))
            .map(|p| p.name.as_str())
            .collect();
        if !missing.is_empty() {
            self.missing_arguments(part, &missing, head, whole, given, &values, &mut copy);
            ok = false;
        }
        ok.then(|| {
            part.input
                .fields
                .iter()
                .map(|p| {
                    let v = values
                        .iter()
                        .find(|(n, _, _)| *n == p.name)
                        .map(|(_, v, _)| v.clone());
                    (p.name.clone(), v)
                })
                .collect()
        })
    }

    /// Where the part's file is copied for a label at one of its inputs (once per use, in
    /// `copy`); `None` in a part file, whose uses are not placed.
    fn input_base(&mut self, part: &Part, head: Span, copy: &mut Option<u32>) -> Option<u32> {
        if self.in_part_file {
            return None;
        }
        if copy.is_none() {
            *copy = self.copy_of(part, head).map(|b| b as u32);
        }
        *copy
    }

    /// The declaration of the part's input `name`, in the use's copy of its file, and as
    /// written (`page: url`).
    fn input_decl(
        &mut self,
        part: &Part,
        name: &str,
        head: Span,
        copy: &mut Option<u32>,
    ) -> (Option<Span>, String) {
        let decl = part.decls.iter().find(|d| d.name.name == name);
        let written = decl
            .and_then(|d| part.file.text.get(d.span.range()))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| name.to_string());
        let at = match (decl, self.input_base(part, head, copy)) {
            (Some(d), Some(base)) => Some(Span::new(
                (d.span.start + base) as usize,
                (d.span.end + base) as usize,
            )),
            _ => None,
        };
        (at, written)
    }

    /// M1023: the inputs `missing` of a use. The help writes the whole use with them added
    /// (what is copied works), each with the caller's value of that name when there is one
    /// that fits (a fix, unsafe: a guess), and a label at each input's declaration.
    #[allow(clippy::too_many_arguments)]
    fn missing_arguments(
        &mut self,
        part: &Part,
        missing: &[&str],
        head: Span,
        whole: Span,
        given: &[Item],
        values: &[(String, Value, Span)],
        copy: &mut Option<u32>,
    ) {
        let mut args: Vec<String> = given
            .iter()
            .filter_map(|i| match i {
                Item::Field(f) => Some(
                    self.text
                        .get(f.span.range())
                        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                        .unwrap_or_else(|| f.name.name.to_string()),
                ),
                _ => None,
            })
            .collect();
        let given_count = args.len();
        let mut guessed = Vec::new();
        let mut labels = Vec::new();
        for m in missing {
            let (at, written) = self.input_decl(part, m, head, copy);
            let param = part.input.get(m);
            // A use inside a part brought in here reads the part's inputs, not the caller's
            // values: no guess from them (the part file's own check makes it).
            let own_use = self.in_part_file || self.stack.is_empty();
            let guess = param
                .filter(|_| own_use)
                .and_then(|p| self.guess(p, values));
            args.push(format!("{m}: {}", guess.as_deref().unwrap_or("...")));
            if let Some(g) = &guess {
                guessed.push(format!("`{m}: {g}`"));
            }
            labels.push((at, written));
        }
        let whole_use = format!("use {} {{ {} }}", part.name, args.join(", "));
        let declared: Vec<String> = labels.iter().map(|(_, w)| format!("`{w}`")).collect();
        let mut d = codes::m1023_missing_part_argument(format!(
            "the part `{}` needs {} {}",
            part.name,
            if missing.len() == 1 {
                "the input"
            } else {
                "the inputs"
            },
            types::quoted_list(missing)
        ))
        .at(head, "missing here");
        let all_guessed = guessed.len() == missing.len();
        d = d.help(if all_guessed {
            format!(
                "give {}, the value of that name here (the part declares {}): `{whole_use}`",
                guessed.join(" and "),
                declared.join(", ")
            )
        } else {
            format!(
                "the part declares {}; give {}: `{whole_use}`",
                declared.join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            )
        });
        if all_guessed {
            // The edit adds the arguments and leaves those given as written (their spacing,
            // comments, texts over several lines).
            let added = args[given_count..].join(", ");
            let written = self.text.get(whole.range()).unwrap_or_default();
            let start = whole.start as usize;
            let (span, insert) = match written.rfind('}') {
                // Between the last argument and the `}` (the blank there is replaced).
                Some(close) => {
                    let before = written[..close].trim_end();
                    let sep = if before.ends_with('{') || before.ends_with(',') {
                        " "
                    } else {
                        ", "
                    };
                    (
                        Span::new(start + before.len(), start + close),
                        format!("{sep}{added} "),
                    )
                }
                None => (
                    Span::new(whole.end as usize, whole.end as usize),
                    format!(" {{ {added} }}"),
                ),
            };
            d = d.fix_unsafe(span, insert, format!("give {}", guessed.join(" and ")));
        }
        for (at, written) in labels {
            if let Some(at) = at {
                d = d.at(at, format!("`{written}` is declared here"));
            }
        }
        self.diags.push(d);
    }

    /// The caller's value named like the part's input `param` that fits it: a name in scope
    /// (`page`), a field of the objects the other arguments read (`order.page` beside
    /// `number: order.number`), or a field of one of the caller's input objects.
    fn guess(&self, param: &types::FieldTy, values: &[(String, Value, Span)]) -> Option<String> {
        let mut candidates = vec![param.name.clone()];
        for (_, v, _) in values {
            if let Value::Path(p) = v {
                let dotted = p.dotted();
                if let Some((parent, _)) = dotted.rsplit_once('.') {
                    let c = format!("{parent}.{}", param.name);
                    if !candidates.contains(&c) {
                        candidates.push(c);
                    }
                }
            }
        }
        // Then a field of that name of the caller's objects (`order.page` for `use X`).
        for f in &self.root.fields {
            if let Ty::Object(o) = &f.ty {
                if o.get(&param.name).is_some() {
                    let c = format!("{}.{}", f.name, param.name);
                    if !candidates.contains(&c) {
                        candidates.push(c);
                    }
                }
            }
        }
        candidates.into_iter().find(|c| {
            let segs: Vec<(&str, Span)> = c.split('.').map(|s| (s, Span::new(0, 0))).collect();
            self.scope()
                .resolve(&segs)
                .is_ok_and(|r| (param.optional || !r.optional) && fits(&param.ty, &r.ty))
        })
    }

    /// M1022: whether an argument's value fits the part's input.
    fn argument_fits(
        &mut self,
        part: &Part,
        param: &types::FieldTy,
        value: &Value,
        head: Span,
        copy: &mut Option<u32>,
    ) -> bool {
        let mut caller_decl = None;
        let given: Result<(Ty, bool), String> = match value {
            Value::Path(p) => {
                let segs: Vec<(&str, Span)> = p.segs();
                match self.scope().resolve(&segs) {
                    Ok(r) => {
                        caller_decl = r.decl;
                        Ok((r.ty, r.optional))
                    }
                    Err(d) => {
                        self.diags.push(d);
                        return false;
                    }
                }
            }
            Value::Str(s) if s.parts.iter().any(|p| matches!(p, StrPart::Stmt { .. })) => {
                Err("a text with `{% %}`".into())
            }
            // A text given for a `url` is checked as a URL where the part puts it.
            Value::Str(_) if matches!(param.ty, Ty::Url { .. }) => {
                Ok((Ty::Url { max: None }, false))
            }
            Value::Str(_) => Ok((Ty::String { max: None }, false)),
            Value::Number(raw, _) => {
                let integer = !raw.contains(['.', 'e', 'E']);
                Ok((
                    if integer {
                        Ty::Integer { range: None }
                    } else {
                        Ty::Number { range: None }
                    },
                    false,
                ))
            }
            Value::Bool(..) => Ok((Ty::Bool, false)),
            Value::Null(_) => Err("null".into()),
        };
        let problem = match &given {
            Err(what) if what == "null" && param.optional => None,
            Err(what) if what == "null" => {
                Some(format!("`null`, but `{}` is required", param.name))
            }
            Err(what) => Some(format!("{what}: give an input path or a text without tags")),
            Ok((ty, _)) if !fits(&param.ty, ty) => Some(ty.phrase()),
            Ok((_, true)) if !param.optional => Some(format!(
                "optional, but `{}` is required in the part",
                param.name
            )),
            Ok(_) => None,
        };
        let Some(problem) = problem else {
            return true;
        };
        let wanted = if param.optional {
            format!("`{}?: {}`", param.name, param.ty.describe())
        } else {
            format!("`{}: {}`", param.name, param.ty.describe())
        };
        let declared = part.input_location(&param.name);
        let mut d = codes::m1022_part_argument_type(format!(
            "the argument `{}` of `{}` does not fit its input",
            param.name, part.name
        ))
        .at(value.span(), format!("this is {problem}"));
        if let (Some(at), Ok((ty, _))) = (caller_decl, &given) {
            d = d.at(at, format!("declared `{}` here", ty.describe()));
        }
        if let (Some(at), written) = self.input_decl(part, &param.name, head, copy) {
            d = d.at(at, format!("the part's input: `{written}`"));
        }
        d = match (value, &given) {
            // An optional value of the caller for a required input: a default makes it present.
            // (`...` is a text: offered only for a `string` input.)
            (Value::Path(p), Ok((ty, true))) if fits(&param.ty, ty) => d.help(
                match crate::model::values::optional_fallback(
                    &p.dotted(),
                    matches!(param.ty, Ty::String { .. }),
                ) {
                    Some(fallback) => format!(
                        "the part declares {wanted} (at {declared}); give a value that is always there, e.g. `{}: {fallback}`",
                        param.name,
                    ),
                    None => format!(
                        "the part declares {wanted} (at {declared}); give a value that is always there: declare `{}` required in `input`",
                        p.dotted(),
                    ),
                },
            ),
            // A number or a yes/no of the caller where the part reads a text: it printed.
            (Value::Path(p), Ok((Ty::Number { .. } | Ty::Integer { .. } | Ty::Bool, false)))
                if matches!(param.ty, Ty::String { .. }) =>
            {
                let text = format!("\"{{{{ {} }}}}\"", p.dotted());
                d.help(format!(
                    "the part declares {wanted} (at {declared}); give it as a text: `{}: {text}`",
                    param.name
                ))
                .fix(value.span(), text)
            }
            // A number where the part reads a text: the same text, quoted.
            (Value::Number(raw, span), _) if matches!(param.ty, Ty::String { .. }) => d
                .help(format!(
                    "the part declares {wanted} (at {declared}); quote it to give a text: `\"{raw}\"`"
                ))
                .fix(*span, format!("\"{raw}\"")),
            _ => d.help(format!(
                "the part declares {wanted} (at {declared}); give a value of that type"
            )),
        };
        self.diags.push(d);
        false
    }
}

/// M1001: what the part reads that is not one of its inputs, as the check of its file reports
/// it (the same messages and positions in its file), for a template that uses it.
fn own_reads(part: &Part, catalogue: &Catalogue) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut ex = Expander {
        catalogue,
        root: &part.input,
        locals: Vec::new(),
        stack: vec![part.name.clone()],
        diags: &mut diags,
        uses: Vec::new(),
        in_part_file: true,
        text: part.file.text.clone(),
        map: SourceMap::default(),
        depth: 0,
        stopped: false,
        uncounted: 0,
    };
    ex.items(&part.items, None);
    for (name, at) in foreign_reads(&part.items, &part.input, &part.file.text, false) {
        diags.push(not_an_input(
            &part.name,
            &part.input,
            &name,
            at,
            &part.file.text,
        ));
    }
    diags.retain(|d| d.code == crate::diagnostic::Code::UndeclaredVariable);
    diags
}

/// The chain of uses from the part `from` to the part `target` (both included), if any.
fn path_back(
    catalogue: &Catalogue,
    from: &str,
    target: &str,
    seen: &mut HashSet<String>,
) -> Option<Vec<String>> {
    // Depth first, in the order of the uses, with a stack of its own: a chain of thousands of
    // part files is walked without recursion.
    let mut path: Vec<(String, std::vec::IntoIter<String>)> = Vec::new();
    let mut next = Some(from.to_string());
    loop {
        if let Some(name) = next.take() {
            if name == target {
                let mut found: Vec<String> = path.into_iter().map(|(n, _)| n).collect();
                found.push(name);
                return Some(found);
            }
            if seen.insert(name.clone()) {
                if let Some(part) = catalogue.get(&name) {
                    let mut used = Vec::new();
                    used_names(&part.items, &mut used);
                    path.push((name, used.into_iter()));
                }
            }
        }
        let (_, uses) = path.last_mut()?;
        match uses.next() {
            Some(n) => next = Some(n),
            None => {
                path.pop();
            }
        }
    }
}

/// The names of the parts that `items` use.
fn used_names(items: &[Item], out: &mut Vec<String>) {
    for item in items {
        match item {
            Item::Command(c) if c.name.name == "use" => {
                if let [Value::Path(p)] = c.args.as_slice() {
                    out.push(p.dotted());
                }
            }
            Item::Block(b) if b.kind.name == "use" => {
                out.extend(b.label.as_ref().map(|l| l.name.to_string()))
            }
            Item::Block(b) => used_names(&b.items, out),
            Item::For(f) => used_names(&f.items, out),
            Item::If(i) => {
                for b in &i.branches {
                    used_names(&b.items, out);
                }
                if let Some(o) = &i.otherwise {
                    used_names(o, out);
                }
            }
            _ => {}
        }
    }
}

/// Whether a value of type `arg` can stand where a part reads `param`.
fn fits(param: &Ty, arg: &Ty) -> bool {
    match (param, arg) {
        (Ty::Unknown, _) | (_, Ty::Unknown) => true,
        (Ty::String { .. }, Ty::String { .. } | Ty::Url { .. }) => true,
        (Ty::Url { .. }, Ty::Url { .. }) => true,
        // A range is the caller's own: the use reads the caller's value, with its range.
        (Ty::Number { .. }, Ty::Number { .. } | Ty::Integer { .. })
        | (Ty::Integer { .. }, Ty::Integer { .. })
        | (Ty::Bool, Ty::Bool) => true,
        (Ty::List { item: p, .. }, Ty::List { item: a, .. }) => fits(p, a),
        (Ty::Object(p), Ty::Object(a)) => p.fields.iter().all(|pf| match a.get(&pf.name) {
            Some(af) => fits(&pf.ty, &af.ty) && (pf.optional || !af.optional),
            None => pf.optional,
        }),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Rewriting a part's items for one use

/// `item` for one use: every span in the use's copy of the part's file, each input the part reads replaced by its
/// argument; `None` when it reads an optional input that was not given, in a place where
/// absent means "leave it out" (a field, a `for`).
fn rewrite_item(item: &Item, s: &Subst<'_>, shadow: &mut Vec<String>) -> Option<Item> {
    Some(match item {
        Item::Field(f) => Item::Field(ast::Field {
            name: at(&f.name, s),
            value: rewrite_value(&f.value, s, shadow)?,
            span: s.shift(f.span),
        }),
        Item::Command(c) => Item::Command(ast::Command {
            name: at(&c.name, s),
            args: c
                .args
                .iter()
                .map(|a| rewrite_value(a, s, shadow).unwrap_or(Value::Null(s.shift(a.span()))))
                .collect(),
            span: s.shift(c.span),
        }),
        Item::Block(b) => Item::Block(ast::Block {
            kind: at(&b.kind, s),
            label: b.label.as_ref().map(|l| at(l, s)),
            items: rewrite_items(&b.items, s, shadow),
            span: s.shift(b.span),
        }),
        Item::For(f) => {
            let iterable = match rewrite_path(&f.iterable, s, shadow)? {
                Value::Path(p) => p,
                _ => return None,
            };
            shadow.push(f.var.name.to_string());
            let items = rewrite_items(&f.items, s, shadow);
            shadow.pop();
            Item::For(ast::For {
                var: ast::Ident {
                    name: local_name(&f.var.name, s).into(),
                    span: s.shift(f.var.span),
                },
                iterable,
                items,
                span: s.shift(f.span),
            })
        }
        Item::If(i) => Item::If(ast::If {
            branches: i
                .branches
                .iter()
                .map(|b| ast::Branch {
                    condition: ast::Condition {
                        text: rewrite_expr(&b.condition.text, s, shadow),
                        span: s.shift(b.condition.span),
                    },
                    items: rewrite_items(&b.items, s, shadow),
                    body: s.shift(b.body),
                })
                .collect(),
            otherwise: i.otherwise.as_ref().map(|o| rewrite_items(o, s, shadow)),
            otherwise_body: i.otherwise_body.map(|b| s.shift(b)),
            span: s.shift(i.span),
        }),
        Item::Extra(e) => Item::Extra(ast::Extra {
            members: e
                .members
                .iter()
                .map(|m| rewrite_member(m, s, shadow))
                .collect(),
            span: s.shift(e.span),
        }),
        // A part is a parsed file: nothing in it is pending (only a payload's check is).
        Item::Input(_) | Item::Error(_) | Item::Pending(_) => return None,
    })
}

fn rewrite_items(items: &[Item], s: &Subst<'_>, shadow: &mut Vec<String>) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Item::If(i) => out.extend(rewrite_if(i, s, shadow)),
            other => out.extend(rewrite_item(other, s, shadow)),
        }
    }
    out
}

/// An `if` of the part: a branch on an optional input that was not given (`if label`) is
/// never taken, so it is left out (with every branch left out, the `else` items stand alone).
fn rewrite_if(i: &ast::If, s: &Subst<'_>, shadow: &mut Vec<String>) -> Vec<Item> {
    let kept: Vec<&ast::Branch> = i
        .branches
        .iter()
        .filter(|b| {
            let first = b.condition.text.trim().split('.').next().unwrap_or("");
            !matches!(argument(first, s, shadow), Some(None))
        })
        .collect();
    if kept.is_empty() {
        return i
            .otherwise
            .as_ref()
            .map(|o| rewrite_items(o, s, shadow))
            .unwrap_or_default();
    }
    let pruned = ast::If {
        branches: kept.into_iter().cloned().collect(),
        ..i.clone()
    };
    rewrite_item(&Item::If(pruned), s, shadow)
        .into_iter()
        .collect()
}

/// A name of the part, in the use's copy of its file.
fn at(ident: &ast::Ident, s: &Subst<'_>) -> ast::Ident {
    ast::Ident {
        name: ident.name.clone(),
        span: s.shift(ident.span),
    }
}

fn rewrite_member(m: &ast::JsonMember, s: &Subst<'_>, shadow: &[String]) -> ast::JsonMember {
    ast::JsonMember {
        key: m.key.clone(),
        key_span: s.shift(m.key_span),
        value: rewrite_json(&m.value, s, shadow),
    }
}

fn rewrite_json(v: &ast::JsonValue, s: &Subst<'_>, shadow: &[String]) -> ast::JsonValue {
    use ast::JsonValue as J;
    match v {
        J::Object(ms, at) => J::Object(
            ms.iter().map(|m| rewrite_member(m, s, shadow)).collect(),
            s.shift(*at),
        ),
        J::Array(vs, at) => J::Array(
            vs.iter().map(|v| rewrite_json(v, s, shadow)).collect(),
            s.shift(*at),
        ),
        J::Str(lit) => J::Str(Box::new(rewrite_str(lit, s, shadow))),
        J::Number(n, at) => J::Number(n.clone(), s.shift(*at)),
        J::Bool(b, at) => J::Bool(*b, s.shift(*at)),
        J::Null(at) => J::Null(s.shift(*at)),
    }
}

/// The argument of the input `name`, when `name` is one the use rewrites: `Some(None)` for an
/// optional input not given.
fn argument<'a>(name: &str, s: &'a Subst<'_>, shadow: &[String]) -> Option<Option<&'a Value>> {
    if shadow.iter().any(|v| v == name) {
        return None;
    }
    s.args
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_ref())
}

fn rewrite_value(v: &Value, s: &Subst<'_>, shadow: &[String]) -> Option<Value> {
    Some(match v {
        Value::Path(p) => return rewrite_path(p, s, shadow),
        Value::Str(lit) => Value::Str(rewrite_str(lit, s, shadow)),
        Value::Number(n, at) => Value::Number(n.clone(), s.shift(*at)),
        Value::Bool(b, at) => Value::Bool(*b, s.shift(*at)),
        Value::Null(at) => Value::Null(s.shift(*at)),
    })
}

/// A path of the part: its input replaced by the argument (a path of the caller, its own
/// spans; or a literal, for the input itself).
fn rewrite_path(p: &ast::Path, s: &Subst<'_>, shadow: &[String]) -> Option<Value> {
    let moved = |segs: &[ast::Ident]| segs.iter().map(|i| at(i, s)).collect::<Vec<_>>();
    match argument(&p.segments[0].name, s, shadow) {
        None => {
            let mut segments = moved(&p.segments);
            if shadow.iter().any(|s| *s == p.segments[0].name) {
                segments[0].name = local_name(&p.segments[0].name, s).into();
            }
            Some(Value::Path(ast::Path {
                segments,
                span: s.shift(p.span),
            }))
        }
        Some(None) => None,
        Some(Some(Value::Path(arg))) => {
            let mut segments = arg.segments.clone();
            segments.extend(moved(&p.segments[1..]));
            Some(Value::Path(ast::Path {
                segments,
                span: arg.span,
            }))
        }
        Some(Some(literal)) => Some(literal.clone()),
    }
}

/// A string of the part: `{{ input }}` alone takes the argument's text (an interpolated one
/// too), other expressions read the argument in minijinja's syntax.
fn rewrite_str(lit: &StrLit, s: &Subst<'_>, shadow: &[String]) -> StrLit {
    let mut parts = Vec::with_capacity(lit.parts.len());
    for p in &lit.parts {
        match p {
            StrPart::Lit { text, span } => parts.push(StrPart::Lit {
                text: text.clone(),
                span: s.shift(*span),
            }),
            StrPart::Comment { span } => parts.push(StrPart::Comment {
                span: s.shift(*span),
            }),
            StrPart::Expr { src, span } => match argument(src.trim(), s, shadow) {
                Some(Some(Value::Str(arg))) => parts.extend(arg.parts.iter().cloned()),
                _ => parts.push(StrPart::Expr {
                    src: rewrite_expr(src, s, shadow),
                    span: s.shift(*span),
                }),
            },
            StrPart::Stmt { src, span } => parts.push(StrPart::Stmt {
                src: rewrite_expr(src, s, shadow),
                span: s.shift(*span),
            }),
        }
    }
    StrLit {
        span: s.shift(lit.span),
        parts: parts.into(),
        block: lit.block,
    }
}

/// A minijinja expression (or tag) of the part with each input it reads replaced by its
/// argument: a path of the caller as written, a literal in minijinja's syntax, `none` for an
/// optional input not given. Names after `.`, `|` (filters), `is` (tests), and keyword
/// arguments are not inputs; string literals are copied as they are.
fn rewrite_expr(src: &str, s: &Subst<'_>, shadow: &[String]) -> String {
    let mut out = String::with_capacity(src.len());
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut prev_token = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.extend(&chars[start..i]);
            prev_token = "'".into();
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            let kwarg = next == Some(&'=')
                && chars[i..].iter().filter(|c| !c.is_whitespace()).nth(1) != Some(&'=');
            let reads = !matches!(prev_token.as_str(), "." | "|" | "is") && !kwarg;
            match argument(&word, s, shadow).filter(|_| reads) {
                Some(arg) => out.push_str(&expr_of(arg)),
                None if reads && shadow.contains(&word) => out.push_str(&local_name(&word, s)),
                None => out.push_str(&word),
            }
            prev_token = word;
            continue;
        }
        out.push(c);
        if !c.is_whitespace() {
            prev_token = c.to_string();
        }
        i += 1;
    }
    out
}

/// The name a loop variable of the part takes in the caller: its own, unless an argument reads
/// a caller's name that it would hide (`for item in ...` in the part, `item.title` given by a
/// caller's loop): then `item_PART`.
fn local_name(var: &str, s: &Subst<'_>) -> String {
    let word_in = |src: &str| {
        src.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w == var)
    };
    let hides = s.args.iter().any(|(_, v)| match v {
        Some(Value::Path(p)) => p.segments[0].name == var,
        Some(Value::Str(lit)) => lit.parts.iter().any(|p| match p {
            StrPart::Expr { src, .. } | StrPart::Stmt { src, .. } => word_in(src),
            _ => false,
        }),
        _ => false,
    });
    if hides {
        format!("{var}_{}", s.part)
    } else {
        var.to_string()
    }
}

/// An argument in minijinja's syntax.
fn expr_of(arg: Option<&Value>) -> String {
    match arg {
        None | Some(Value::Null(_)) => "none".into(),
        Some(Value::Path(p)) => p.dotted(),
        Some(Value::Number(n, _)) => n.clone(),
        Some(Value::Bool(b, _)) => b.to_string(),
        Some(Value::Str(lit)) => {
            let quoted = |t: &str| format!("'{}'", t.replace('\\', "\\\\").replace('\'', "\\'"));
            let pieces: Vec<String> = lit
                .parts
                .iter()
                .filter_map(|p| match p {
                    StrPart::Lit { text, .. } => Some(quoted(text)),
                    StrPart::Expr { src, .. } => Some(format!("({})", src.trim())),
                    // A text with tags is refused as an argument (M1022).
                    StrPart::Stmt { .. } | StrPart::Comment { .. } => None,
                })
                .collect();
            match pieces.len() {
                0 => "''".into(),
                _ => format!("({})", pieces.join(" ~ ")),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What a part reads that is not its own

/// The names a part's items read that are neither its inputs nor its own loop variables, with
/// where each is read in the part's file (`text`): inside `{{ }}`/`{% %}`, conditions, `extra`
/// strings and arguments of its uses, and with `paths` plain paths too (a part file checks
/// those as it goes).
fn foreign_reads(items: &[Item], input: &ObjTy, text: &str, paths: bool) -> Vec<(String, Span)> {
    let mut w = Foreign {
        input,
        text,
        paths,
        locals: Vec::new(),
        out: Vec::new(),
    };
    w.items(items);
    w.out
}

struct Foreign<'a> {
    input: &'a ObjTy,
    text: &'a str,
    paths: bool,
    locals: Vec<String>,
    out: Vec<(String, Span)>,
}

impl Foreign<'_> {
    fn known(&self, name: &str) -> bool {
        self.input.get(name).is_some()
            || self.locals.iter().any(|l| l == name)
            || decls::ENGINE_NAMES.contains(&name)
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Field(f) => self.value(&f.value),
                Item::Command(c) if c.name.name == "use" => {}
                Item::Command(c) => c.args.iter().for_each(|a| self.value(a)),
                Item::Block(b) if b.kind.name == "use" => {
                    for i in &b.items {
                        if let Item::Field(f) = i {
                            self.value(&f.value);
                        }
                    }
                }
                Item::Block(b) => self.items(&b.items),
                Item::For(f) => {
                    self.path(&f.iterable);
                    self.locals.push(f.var.name.to_string());
                    self.items(&f.items);
                    self.locals.pop();
                }
                Item::If(i) => {
                    for b in &i.branches {
                        let src = format!("{{% if {} %}}{{% endif %}}", b.condition.text);
                        self.engine(&src, &[b.condition.span]);
                        self.items(&b.items);
                    }
                    if let Some(o) = &i.otherwise {
                        self.items(o);
                    }
                }
                Item::Extra(e) => e.members.iter().for_each(|m| self.json(&m.value)),
                Item::Input(_) | Item::Error(_) | Item::Pending(_) => {}
            }
        }
    }

    fn json(&mut self, v: &ast::JsonValue) {
        match v {
            ast::JsonValue::Object(ms, _) => ms.iter().for_each(|m| self.json(&m.value)),
            ast::JsonValue::Array(vs, _) => vs.iter().for_each(|v| self.json(v)),
            ast::JsonValue::Str(lit) => self.string(lit),
            _ => {}
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Path(p) => self.path(p),
            Value::Str(lit) => self.string(lit),
            _ => {}
        }
    }

    fn path(&mut self, p: &ast::Path) {
        let first = &p.segments[0];
        if self.paths && !self.known(&first.name) {
            self.push(first.name.to_string(), first.span);
        }
    }

    fn string(&mut self, lit: &StrLit) {
        let mut src = String::new();
        let mut spans = Vec::new();
        for p in &lit.parts {
            match p {
                StrPart::Lit { text, .. } => src.push_str(text),
                StrPart::Expr { src: e, span } => {
                    src.push_str(&format!("{{{{{e}}}}}"));
                    spans.push(*span);
                }
                StrPart::Stmt { src: e, span } => {
                    src.push_str(&format!("{{%{e}%}}"));
                    spans.push(*span);
                }
                StrPart::Comment { .. } => {}
            }
        }
        if !spans.is_empty() {
            self.engine(&src, &spans);
        }
    }

    /// The names a minijinja source reads, each placed at its first whole-word occurrence in
    /// `spans` of the file (a source that does not compile is reported elsewhere).
    fn engine(&mut self, src: &str, spans: &[Span]) {
        let env = minijinja::Environment::new();
        let Ok(tmpl) = env.template_from_str(src) else {
            return;
        };
        let mut names: Vec<String> = tmpl.undeclared_variables(false).into_iter().collect();
        names.sort();
        for name in names {
            if self.known(&name) {
                continue;
            }
            let at = spans
                .iter()
                .find_map(|s| word_in(self.text, *s, &name))
                .unwrap_or(spans[0]);
            self.push(name, at);
        }
    }

    fn push(&mut self, name: String, at: Span) {
        if !self.out.iter().any(|(n, s)| *n == name && *s == at) {
            self.out.push((name, at));
        }
    }
}

/// The first whole-word occurrence of `word` in the file's text at `span`.
fn word_in(text: &str, span: Span, word: &str) -> Option<Span> {
    let hay = text.get(span.range())?;
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = hay[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident) {
            let base = span.start as usize;
            return Some(Span::new(base + start, base + end));
        }
        from = end;
    }
    None
}

/// M1001 in a part file: `name` read by the part `part` is not one of its inputs.
fn not_an_input(part: &str, input: &ObjTy, name: &str, at: Span, text: &str) -> Diagnostic {
    let names: Vec<&str> = input.fields.iter().map(|f| f.name.as_str()).collect();
    let d =
        codes::m1001_undeclared_variable(format!("`{name}` is not an input of the part `{part}`"))
            .at(at, "not declared in the part");
    // `order.number`: the field it reads, declared as an object's; when the part has an input
    // of that field's name (the caller's `order.number` given as `number`), that one.
    let field: Option<&str> = text
        .get(at.end as usize..)
        .and_then(|rest| rest.strip_prefix('.'))
        .map(|rest| {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|f| !f.is_empty());
    let ty = match field {
        Some(f) => format!("{{ {f}: string }}"),
        None => "string".to_string(),
    };
    let inputs = if names.is_empty() {
        "it has none".to_string()
    } else {
        types::quoted_list(&names)
    };
    let declare = format!(
        "a part reads only its own inputs ({inputs}) and loop variables: declare `{name}: {ty}` in the part's `input {{ }}` and give it at each `use`"
    );
    if let Some(f) = field.filter(|f| names.contains(f)) {
        let whole = Span::new(at.start as usize, at.end as usize + 1 + f.len());
        return d
            .help(format!(
                "a part reads only its own inputs and loop variables, and it has an input `{f}`: read `{f}` here (each `use` gives it, e.g. `{f}: {name}.{f}`), or declare `{name}: {ty}` in the part's `input {{ }}` and give it at each `use`"
            ))
            .fix_unsafe(whole, f, format!("Read the part's input `{f}`"));
    }
    match types::suggest(name, names.iter().copied()) {
        Some(s) => d
            .help(format!(
                "an input of the part has a similar name: `{s}`; or {declare}"
            ))
            .fix(at, s),
        None => d.help(declare),
    }
}

#[cfg(test)]
mod tests;
