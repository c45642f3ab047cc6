//! Driver: the pipeline's stages in order, over a set of files checked together. Each template
//! is compiled (syntax, then check); when it compiled and has data, the data is validated and a
//! trial render shows what only rendered values can (lengths, counts, totals); with an image
//! source, the images it shows are read. The result is one report per file, and the rendered
//! body.
//!
//! The command line (`missive check`), the language server and the fixture tests all run this,
//! so they cannot drift apart; `missive render` and `missive build` compile and render one
//! product through [`compile_one`] and [`render`]. It is the one module that sees both `check` and `render`: neither
//! calls the other.

use std::path::Path;
use std::sync::Arc;

use crate::check::parts::{is_part_path, Catalogue};
use crate::check::{self, data, images, Options};
use crate::diagnostic::report::FileReport;
use crate::diagnostic::{self, Diagnostic};
use crate::ir::Template;
use crate::model::profile::Profile;
use crate::model::types::ObjTy;
use crate::render::{RenderOptions, RequestOptions};
use crate::span::SourceFile;
use crate::syntax::ast;

/// What one run checks with: the profile every file is checked against, and where image bytes
/// come from (no image check without it).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The profile every file is checked against.
    pub profile: Profile,
    /// Where image sizes are read from; `None`: no image check.
    pub images: Option<images::Source>,
}

impl Settings {
    /// The given profile, without the image check.
    pub fn new(profile: Profile) -> Settings {
        Settings {
            profile,
            images: None,
        }
    }
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `.missive` template.
    Template,
    /// A raw JSON payload, as `missive import` reads it: linted with the template checks at its
    /// own lines.
    Payload,
    /// A file of shared parts (a `.missive` file in a `parts/` folder): checked as parts,
    /// never rendered.
    Part,
}

/// One file of a project, already read.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path reports name the file by.
    pub path: String,
    /// Its text.
    pub source: Arc<SourceFile>,
    /// A template or a JSON payload.
    pub kind: Kind,
    /// The name the `notification` header is compared with (a payload: the template's name).
    pub stem: Option<String>,
    /// A data file to check against the template and render with, read through [`Files`] only
    /// when the template compiled.
    pub data: Option<String>,
    /// The shared parts its `use`s bring in (and, for a part file, the parts beside it).
    pub parts: Arc<Catalogue>,
}

impl Input {
    /// A template read from `path`; its stem is the file's. A `.missive` file in a folder
    /// named `parts` is a part file ([`Kind::Part`]).
    pub fn template(path: impl Into<String>, source: Arc<SourceFile>) -> Input {
        let path = path.into();
        Input {
            stem: stem(&path),
            kind: if is_part_path(&path) {
                Kind::Part
            } else {
                Kind::Template
            },
            path,
            source,
            data: None,
            parts: Arc::default(),
        }
    }

    /// A JSON payload read from `path`.
    pub fn payload(path: impl Into<String>, source: Arc<SourceFile>) -> Input {
        Input {
            kind: Kind::Payload,
            ..Input::template(path, source)
        }
    }

    /// The same input, with the shared parts its `use`s bring in.
    pub fn with_parts(mut self, parts: Arc<Catalogue>) -> Input {
        self.parts = parts;
        self
    }

    /// The same input, checked with this data file.
    pub fn with_data(mut self, path: impl Into<String>) -> Input {
        self.data = Some(path.into());
        self
    }
}

/// Where the driver reads the files a check needs besides the inputs (data files, and the
/// shared parts a template will include). The command line reads the disk and reports I/O
/// failures its way; a closure `FnMut(&str) -> Result<Arc<SourceFile>, E>` is one.
pub trait Files {
    /// Why a file could not be read, as the caller reports it.
    type Error;
    /// The file at `path` (as the input names it), or why it could not be read.
    fn read(&mut self, path: &str) -> Result<Arc<SourceFile>, Self::Error>;
}

impl<E, F: FnMut(&str) -> Result<Arc<SourceFile>, E>> Files for F {
    type Error = E;
    fn read(&mut self, path: &str) -> Result<Arc<SourceFile>, E> {
        self(path)
    }
}

/// One file, checked.
#[derive(Debug)]
pub struct Checked<E> {
    /// The file's diagnostics (sorted, data ones last), with its source and its data's.
    pub report: FileReport,
    /// The compiled template, when it has no error.
    pub template: Option<Template>,
    /// The syntax tree (the language server's hovers and completions read it); empty for a
    /// JSON payload.
    pub tree: ast::File,
    /// The declared input, lowered even when the file has errors.
    pub input: Arc<ObjTy>,
    /// The body the data renders to (compact JSON), when it rendered without error.
    pub rendered: Option<Vec<u8>>,
    /// The data file could not be read: the caller's error, reported after the file's report.
    pub data_error: Option<E>,
}

/// Checks a set of files together: one result per input, in order.
pub fn check<F: Files>(
    inputs: &[Input],
    settings: &Settings,
    files: &mut F,
) -> Vec<Checked<F::Error>> {
    let mut checked: Vec<Checked<F::Error>> = compile_all(inputs, &settings.profile)
        .into_iter()
        .zip(inputs)
        .map(|(compiled, input)| check_file(input, compiled, settings, files))
        .collect();
    let parts: Vec<FileReport> = checked
        .iter()
        .zip(inputs)
        .filter(|(_, input)| input.kind == Kind::Part)
        .map(|(c, _)| c.report.clone())
        .collect();
    if !parts.is_empty() {
        let mut reports: Vec<&mut FileReport> = checked.iter_mut().map(|c| &mut c.report).collect();
        part_mistakes_once(&mut reports, &parts);
    }
    checked
}

/// A part's own mistake (the same whatever a caller gives it: a field rule, a literal text too
/// long) is reported once, in the part file, when the run reports that file too (`missive
/// check templates/`; `missive build` checks the part files its templates use): the reports of
/// the templates that use the part (`reports`) lose what the part file's own report (one of
/// `parts`, by path) says identically (code, severity, message, position). What a caller's
/// values cause (a worst case with the caller's `max`, a text missing in a locale the template
/// declares) differs from what the part's own check says, and stays at the use. A run
/// without the part file (one template, an editor's document) keeps it at the use.
pub fn part_mistakes_once(reports: &mut [&mut FileReport], parts: &[FileReport]) {
    type Key = (
        diagnostic::Code,
        diagnostic::Severity,
        String,
        crate::span::Span,
    );
    let key = |d: &Diagnostic| -> Option<Key> {
        let primary = d.primary()?;
        Some((d.code, d.severity, d.message.clone(), primary.span))
    };
    let own: Vec<(&str, Vec<Key>)> = parts
        .iter()
        .map(|r| {
            let keys = r.diagnostics.iter().filter_map(key).collect();
            (plain_path(&r.path), keys)
        })
        .collect();
    for r in reports.iter_mut().filter(|r| !r.parts.is_empty()) {
        let files = r.parts.clone();
        r.diagnostics.retain(|d| {
            let Some(diagnostic::Origin::Part(i)) = d.primary().map(|l| l.origin) else {
                return true;
            };
            let Some(file) = files.get(i as usize) else {
                return true;
            };
            let file = plain_path(&file.name);
            let Some(k) = key(d) else { return true };
            !own.iter().any(|(f, keys)| *f == file && keys.contains(&k))
        });
    }
}

/// A path without its leading `./`, as two spellings of one file compare.
fn plain_path(path: &str) -> &str {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p
}

/// Inputs per thread below which compiling them on one thread is as fast.
const INPUTS_PER_THREAD: usize = 16;

/// Compiles every input, in order: on one thread per core when there are many (the data,
/// images and caller's files come after, on the calling thread).
fn compile_all(inputs: &[Input], profile: &Profile) -> Vec<check::Compiled> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(inputs.len() / INPUTS_PER_THREAD);
    if threads <= 1 {
        return inputs.iter().map(|i| compile(i, profile)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut slots: Vec<Option<check::Compiled>> = inputs.iter().map(|_| None).collect();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(input) = inputs.get(i) else { break };
                        done.push((i, compile(input, profile)));
                    }
                    done
                })
            })
            .collect();
        for w in workers {
            let done = w.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            for (i, c) in done {
                slots[i] = Some(c);
            }
        }
    });
    slots
        .into_iter()
        .map(|c| c.expect("every input compiled"))
        .collect()
}

fn check_file<F: Files>(
    input: &Input,
    compiled: check::Compiled,
    settings: &Settings,
    files: &mut F,
) -> Checked<F::Error> {
    let report = report_of(input, compiled.diagnostics, compiled.parts);
    let mut checked = Checked {
        report,
        template: None,
        tree: compiled.file,
        input: compiled.input,
        rendered: None,
        data_error: None,
    };
    let Some(template) = compiled.template else {
        return checked;
    };
    let data = match &input.data {
        None => None,
        Some(path) => match files.read(path) {
            Ok(source) => Some(source),
            Err(e) => {
                checked.data_error = Some(e);
                None
            }
        },
    };
    match &data {
        Some(source) => {
            checked.report.data = Some(source.clone());
            let run = run_data(&template, &source.text, settings.images.as_ref());
            // A warning that the data may leave a required field empty, when this data does:
            // the data's error says it, at the same place.
            let report = &mut checked.report.diagnostics;
            drop_confirmed(report, &run.diagnostics);
            report.extend(run.diagnostics);
            checked.rendered = run.rendered;
        }
        // Without data, the images named literally; not when the data could not be read.
        None if checked.data_error.is_none() => {
            if let Some(source) = &settings.images {
                let mut found = images::check(&images::literal(&template), source);
                place(&template, &mut found);
                checked.report.diagnostics.extend(found);
            }
        }
        None => {}
    }
    diagnostic::sort(&mut checked.report.diagnostics);
    checked.template = Some(template);
    checked
}

/// Drops from `report` each warning that a required field may read an absent input (M2003)
/// that the data confirms: an error of `data` (its diagnostics) with the same code at one of
/// the warning's places (in a part, the warning is at the part's field and the error at the
/// `use`'s argument). The error says it, alone, as `check --data` and `render` print it.
pub fn drop_confirmed(report: &mut Vec<Diagnostic>, data: &[Diagnostic]) {
    report.retain(|d| {
        d.severity != crate::diagnostic::Severity::Warning
            || d.code != crate::diagnostic::Code::MissingField
            || !data.iter().any(|e| {
                e.is_error()
                    && e.code == d.code
                    && e.primary().is_some_and(|at| {
                        d.labels
                            .iter()
                            .any(|l| l.origin == at.origin && l.span == at.span)
                    })
            })
    });
}

/// A report on `input`'s source with the diagnostics compiling it gave, and the part files
/// they point into.
fn report_of(
    input: &Input,
    diagnostics: Vec<Diagnostic>,
    parts: Vec<Arc<SourceFile>>,
) -> FileReport {
    let mut report = FileReport::new(input.path.clone());
    report.template = Some(input.source.clone());
    report.diagnostics = diagnostics;
    report.parts = parts;
    report
}

/// Places what a check of a compiled template found in the items its shared parts brought in
/// (the images they show) back in the part's file ([`Origin::Part`](crate::diagnostic::Origin::Part),
/// an index into the compiled template's [`parts`](check::Compiled::parts)), with a label at
/// the `use` that brought it in, as compiling and rendering do. A diagnostic placed already is
/// left as it is.
fn place(template: &Template, diagnostics: &mut [Diagnostic]) {
    if let Some(map) = &template.sources {
        diagnostic::place(diagnostics, map);
    }
}

/// Compiles one file on its own, as `missive render` and `missive build` do before they render
/// it: its report (the compiler's diagnostics, in its order) and the template, when it has no
/// error. The data stage is the caller's: [`render`].
pub fn compile_one(input: &Input, profile: &Profile) -> (FileReport, Option<Template>) {
    let mut compiled = compile(input, profile);
    if input.kind == Kind::Part {
        compiled
            .diagnostics
            .push(check::parts::not_a_template(&input.source.text));
    }
    (
        report_of(input, compiled.diagnostics, compiled.parts),
        compiled.template,
    )
}

/// The data a template renders with when none is given: an empty document, for a template
/// whose inputs are all optional (or that has none); `None` when it declares a required one.
pub fn no_data(template: &Template) -> Option<Arc<SourceFile>> {
    template
        .input
        .fields
        .iter()
        .all(|f| f.optional)
        .then(|| Arc::new(SourceFile::new("<no data>", "{}")))
}

/// What [`render`] writes: the message body, or the whole HTTP request.
#[derive(Debug, Clone, Copy)]
pub enum Product<'a> {
    /// The message body, `{"text": ..., "attachment": ...}`.
    Body,
    /// `{"method", "url", "body"}`, with these options.
    Request(&'a RequestOptions),
}

/// Where a [`render`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The data is not JSON or does not match `input`: nothing was rendered.
    Data,
    /// The render found errors in the rendered values.
    Render,
}

/// One template rendered with one data document.
#[derive(Debug)]
pub struct Rendered {
    /// What checking the data and rendering found, in that order (not sorted).
    pub diagnostics: Vec<Diagnostic>,
    /// The output (without a final newline), or where it stopped.
    pub output: Result<Vec<u8>, Stopped>,
}

/// Renders a compiled template with a data text, as `missive render` and `missive build` do:
/// the data must be JSON and match `input`, then it renders `product` within Messenger's limits.
pub fn render(
    template: &Template,
    data_text: &str,
    product: Product<'_>,
    options: RenderOptions,
) -> Rendered {
    let (node, mut diagnostics) = match data::prepare(template, data_text) {
        Ok(prepared) => prepared,
        Err(errors) => {
            return Rendered {
                diagnostics: errors,
                output: Err(Stopped::Data),
            }
        }
    };
    let mut out = Vec::new();
    let result = match product {
        Product::Body => template.render_with(&mut out, &node, options),
        Product::Request(request) => template.render_request(&mut out, &node, request, options),
    };
    let output = match result {
        Ok(warnings) => {
            diagnostics.extend(warnings);
            Ok(out)
        }
        Err(errors) => {
            diagnostics.extend(errors);
            Err(Stopped::Render)
        }
    };
    Rendered {
        diagnostics,
        output,
    }
}

/// The template to render a data text with: the one for the locale the data names, when the
/// template reads its locale from the data (`locales { ..., from: PATH }`), else `template`.
/// Data that is not JSON, or does not name its locale, gets `template` ([`render`] then reports
/// what is wrong with it); a locale the template does not declare is an error (M3030).
pub fn locale_of<'t>(template: &'t Template, data_text: &str) -> Result<&'t Template, Diagnostic> {
    match crate::json::parse(data_text) {
        Ok(node) => data::for_record(template, &node),
        Err(_) => Ok(template),
    }
}

/// Syntax and check: a template's source, or a payload through the import.
fn compile(input: &Input, profile: &Profile) -> check::Compiled {
    match input.kind {
        Kind::Template => check::compile(
            &input.source.text,
            &Options {
                profile: profile.clone(),
                file_stem: input.stem.clone(),
                parts: input.parts.clone(),
            },
        ),
        Kind::Part => check::parts::check_file(&input.source, &input.parts),
        Kind::Payload => {
            let name = input.stem.clone().unwrap_or_else(|| "payload".into());
            let options = Options {
                profile: profile.clone(),
                file_stem: None,
                ..Options::default()
            };
            // Its fixes are those that leave valid JSON (the lint keeps no other).
            crate::import::lint_source(&input.source, &name, &options)
        }
    }
}

/// What the data stage found.
struct DataRun {
    diagnostics: Vec<Diagnostic>,
    rendered: Option<Vec<u8>>,
}

/// Data for a compiled template: it must be JSON and match `input` (check), then render within
/// Messenger's limits with a customer_id that the scheme can build (render); then, with an
/// image source, the images it shows.
fn run_data(template: &Template, data_text: &str, images: Option<&images::Source>) -> DataRun {
    let (node, mut diagnostics) = match data::prepare(template, data_text) {
        Ok(prepared) => prepared,
        Err(errors) => {
            return DataRun {
                diagnostics: errors,
                rendered: None,
            }
        }
    };
    // The record's locale, when the template reads it from the data.
    let template = match data::for_record(template, &node) {
        Ok(t) => t,
        Err(d) => {
            diagnostics.push(d);
            return DataRun {
                diagnostics,
                rendered: None,
            };
        }
    };
    let mut out = Vec::new();
    let rendered = match template.render_to(&mut out, &node) {
        Ok(warnings) => {
            diagnostics.extend(warnings);
            Some(out)
        }
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    };
    // The customer_id the scheme gives for this data, checked like the fields.
    match template.customer_id_checked(&node) {
        Ok((_, warnings)) => diagnostics.extend(warnings),
        Err(errors) => diagnostics.extend(errors),
    }
    if let Some(source) = images {
        if let Ok(found) = template.images(&node) {
            diagnostics.extend(images::check(&found, source));
        }
    }
    // Rendering placed its own; the images' are placed here.
    place(template, &mut diagnostics);
    DataRun {
        diagnostics,
        rendered,
    }
}

/// Checks a data text for a compiled template as `missive check --data` does: it must be JSON,
/// match `input`, and render within Messenger's limits. Every diagnostic, sorted.
pub fn check_data(template: &Template, data_text: &str) -> Vec<Diagnostic> {
    let mut diagnostics = run_data(template, data_text, None).diagnostics;
    diagnostic::sort(&mut diagnostics);
    diagnostics
}

/// A file's stem, which the `notification` name should match.
fn stem(path: &str) -> Option<String> {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    const HELLO: &str =
        "notification hello\ninput { name: string max 20 }\ntext \"Hello {{ name }}!\"\n";
    const BROKEN: &str = "notification broken\ntext \"{{ nobody }}\"\n";

    fn source(name: &str, text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile::new(name, text))
    }

    fn run<F: Files<Error = String>>(inputs: &[Input], files: &mut F) -> Vec<Checked<String>> {
        check(inputs, &Settings::new(Profile::default_profile()), files)
    }

    fn codes(c: &Checked<String>) -> Vec<Code> {
        c.report.diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn each_input_gets_its_report_in_order() {
        let inputs = [
            Input::template("hello.missive", source("hello.missive", HELLO)),
            Input::template("broken.missive", source("broken.missive", BROKEN)),
        ];
        let mut never = |path: &str| -> Result<Arc<SourceFile>, String> {
            panic!("no data was asked for, yet `{path}` was read")
        };
        let checked = run(&inputs, &mut never);
        assert_eq!(checked.len(), 2);
        assert_eq!(checked[0].report.path, "hello.missive");
        assert!(checked[0].template.is_some() && codes(&checked[0]).is_empty());
        assert_eq!(checked[1].report.path, "broken.missive");
        assert!(checked[1].template.is_none());
        assert_eq!(codes(&checked[1]), [Code::UndeclaredVariable]);
        // The tree is there even for a file with errors (the language server reads it).
        assert!(!checked[1].tree.items.is_empty());
    }

    #[test]
    fn data_is_read_only_for_a_template_that_compiled() {
        let mut asked = Vec::new();
        let mut files = |path: &str| -> Result<Arc<SourceFile>, String> {
            asked.push(path.to_string());
            Ok(source(path, r#"{"name": "Lisa"}"#))
        };
        let inputs = [
            Input::template("broken.missive", source("broken.missive", BROKEN))
                .with_data("broken.json"),
            Input::template("hello.missive", source("hello.missive", HELLO))
                .with_data("hello.json"),
        ];
        let checked = run(&inputs, &mut files);
        assert_eq!(asked, ["hello.json"]);
        assert!(checked[0].report.data.is_none());
        assert_eq!(
            checked[1].report.data.as_ref().map(|d| d.name.as_str()),
            Some("hello.json")
        );
        assert_eq!(
            checked[1].rendered.as_deref(),
            Some(&br#"{"text":"Hello Lisa!"}"#[..])
        );
    }

    #[test]
    fn a_data_file_that_cannot_be_read_comes_back_as_the_callers_error() {
        let mut files = |path: &str| -> Result<Arc<SourceFile>, String> {
            Err(format!("cannot read `{path}`"))
        };
        let inputs = [
            Input::template("hello.missive", source("hello.missive", HELLO)).with_data("gone.json"),
        ];
        let checked = run(&inputs, &mut files);
        assert_eq!(
            checked[0].data_error.as_deref(),
            Some("cannot read `gone.json`")
        );
        assert!(checked[0].report.data.is_none() && checked[0].rendered.is_none());
        assert!(checked[0].template.is_some());
    }

    #[test]
    fn data_problems_are_located_in_the_data_and_nothing_is_rendered() {
        let mut files = |path: &str| -> Result<Arc<SourceFile>, String> {
            Ok(source(path, r#"{"name": "a name far longer than twenty"}"#))
        };
        let inputs = [
            Input::template("hello.missive", source("hello.missive", HELLO)).with_data("long.json"),
        ];
        let checked = run(&inputs, &mut files);
        assert_eq!(codes(&checked[0]), [Code::DataTooLong]);
        assert_eq!(
            checked[0].report.diagnostics[0].labels[0].origin,
            crate::diagnostic::Origin::Data
        );
        assert!(checked[0].rendered.is_none());
        assert_eq!(
            check_data(
                checked[0].template.as_ref().unwrap(),
                r#"{"name": "a name far longer than twenty"}"#
            )
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>(),
            [Code::DataTooLong]
        );
    }

    #[test]
    fn a_payload_is_linted_through_the_import_under_its_stem() {
        let payload = r#"{"text": "Hello!"}"#;
        let inputs = [Input::payload(
            "welcome.json",
            source("welcome.json", payload),
        )];
        let mut never =
            |path: &str| -> Result<Arc<SourceFile>, String> { panic!("`{path}` was read") };
        let checked = run(&inputs, &mut never);
        let template = checked[0]
            .template
            .as_ref()
            .expect("a clean payload compiles");
        assert_eq!(template.name, "welcome");
        assert!(codes(&checked[0]).is_empty());
    }

    #[test]
    fn compile_one_reports_the_file_and_render_stops_at_bad_data() {
        let input = Input::template("hello.missive", source("hello.missive", HELLO));
        let (report, template) = compile_one(&input, &Profile::default_profile());
        assert_eq!(report.path, "hello.missive");
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        let template = template.expect("hello compiles");
        assert!(no_data(&template).is_none(), "`name` is required");

        let body = render(
            &template,
            r#"{"name": "Lisa"}"#,
            Product::Body,
            RenderOptions::default(),
        );
        assert_eq!(body.output.unwrap(), br#"{"text":"Hello Lisa!"}"#);

        let wrong = render(
            &template,
            r#"{"name": 3}"#,
            Product::Body,
            RenderOptions::default(),
        );
        assert_eq!(wrong.output, Err(Stopped::Data));
        assert!(wrong.diagnostics.iter().any(Diagnostic::is_error));
    }

    #[test]
    fn a_template_without_required_inputs_renders_with_an_empty_document() {
        let text = "notification hi\ninput { name?: string max 20 }\ntext \"Hi\"\n";
        let (_, template) = compile_one(
            &Input::template("hi.missive", source("hi.missive", text)),
            &Profile::default_profile(),
        );
        let empty = no_data(&template.expect("hi compiles")).expect("nothing is required");
        assert_eq!(empty.text, "{}");
    }
}
