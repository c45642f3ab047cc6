//! `missive build`: every template rendered with its sample data, and its input's JSON Schema,
//! written into one folder, all or nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use missive::diagnostic::codes;
use missive::diagnostic::report::FileReport;
use missive::driver;
use missive::{RenderOptions, Severity};

use super::{print_reports, status, Common, Exit, Format, Outcome, Session, Status, Stream};

#[derive(Args)]
pub struct BuildArgs {
    /// Template files or folders (searched recursively for *.missive); the project file's
    /// `templates`, or `.`, by default.
    paths: Vec<PathBuf>,
    /// The folder to write NAME.json and NAME.schema.json into (created if needed).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// The folder of sample data (NAME.json); by default `examples/` beside each template's
    /// folder.
    #[arg(long, value_name = "DIR")]
    examples: Option<PathBuf>,
}

/// One template's preview page (`NAME.preview.html`) and its gallery entry.
struct Preview {
    html: Vec<u8>,
    entry: missive::preview::GalleryEntry,
}

/// One template's products, in memory until every template has built.
struct Product {
    name: String,
    rendered: Vec<u8>,
    /// `None` for a second locale of a template: its input, so its schema, is the template's.
    schema: Option<Vec<u8>>,
}

pub fn run(common: &Common, mut args: BuildArgs) -> Outcome {
    let session = Session::open(common, Stream::Stderr)?;
    if let Some(project) = session.project.clone() {
        if args.paths.is_empty() {
            args.paths = project.templates;
        }
        if args.out_dir.is_none() {
            args.out_dir = project.out_dir;
        }
        if args.examples.is_none() {
            args.examples = project.examples;
        }
    }
    let common = &session.common;
    let Some(out_dir) = args.out_dir.clone() else {
        return Err(Exit::usage(
            Stream::Stderr,
            "",
            codes::m9002_usage("`build` needs a folder to write into")
                .help("pass `--out-dir DIR`, or set `out-dir = \"DIR\"` in `missive.toml`"),
        ));
    };
    let profile = session.profile(Stream::Stderr)?;
    if common.stdin_filename.is_some() {
        return Err(Exit::usage(
            Stream::Stderr,
            "",
            codes::m9002_usage("`build` reads template files, not standard input")
                .help("give the templates' paths (or folders) instead of `--stdin-filename`"),
        ));
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // Part files are built into the templates that use them, not on their own.
    let files: Vec<String> = super::templates(&paths)
        .into_iter()
        .filter(|f| !missive::check::parts::is_part_path(f))
        .collect();
    if files.is_empty() {
        let shown: Vec<String> = paths
            .iter()
            .map(|p| format!("`{}`", p.to_string_lossy()))
            .collect();
        return Err(Exit::usage(
            Stream::Stderr,
            "",
            codes::m9002_usage(format!("no templates to build in {}", shown.join(", ")))
                .help("give template files or folders holding `*.missive` files"),
        ));
    }

    let mut reports: Vec<FileReport> = Vec::new();
    let mut products: Vec<Product> = Vec::new();
    // Templates built (a template with `locales { }` makes one product per locale).
    let mut templates_built = 0usize;
    let mut previews: Vec<Preview> = Vec::new();
    // Output file name -> the template that claimed it first.
    let mut claimed: std::collections::HashMap<String, String> = Default::default();
    let mut io_failure = false;
    for path in &files {
        let src = match super::load(path, false) {
            super::Loaded::Source(s) => s,
            super::Loaded::Invalid(r) => {
                reports.push(r);
                continue;
            }
            super::Loaded::Failed(r) => {
                io_failure = true;
                reports.push(r);
                continue;
            }
        };
        let name = Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (mut report, template) =
            driver::compile_one(&super::template_input(path, src), &profile);
        // Each build: its output name, the template and the sample it renders.
        let mut builds: Vec<(String, &missive::Template, PathBuf)> = Vec::new();
        if let Some(template) = &template {
            let sample = sample_path(path, &name, args.examples.as_deref());
            builds.push((name.clone(), template, sample.clone()));
            // A template in several languages: `NAME.LOC.json` for each locale, with
            // `examples/NAME.LOC.json` when there is one, else the template's sample.
            for locale in template.locales() {
                let Some(t) = template.for_locale(&locale.key) else {
                    continue;
                };
                let out = format!("{name}.{}", locale.key);
                let own = sample_path(path, &out, args.examples.as_deref());
                let data = if own.exists() { own } else { sample.clone() };
                builds.push((out, t, data));
            }
        }
        // `NAME.json` and `NAME.schema.json`: `a.schema.missive` renders to the schema of
        // `a.missive`.
        let outputs: Vec<String> = builds
            .iter()
            .flat_map(|(out, _, _)| {
                [
                    format!("{out}.json"),
                    format!("{out}.schema.json"),
                    format!("{out}.preview.html"),
                ]
            })
            .collect();
        let taken = outputs
            .iter()
            .find_map(|file| Some((file.clone(), claimed.get(file)?.clone())));
        match (taken, &template) {
            (Some((file, first)), Some(template)) => {
                report.diagnostics.push(
                    codes::m7002_duplicate_output(format!(
                        "`{path}` and `{first}` would both be written to `{file}`"
                    ))
                    .at(template.header, "a second template writing this file")
                    .help("rename one of the files, or build them into separate folders"),
                );
                builds.clear();
            }
            _ => {
                for file in outputs {
                    claimed.insert(file, path.clone());
                }
            }
        }
        // The first build reports into the template's report; each locale's into its own (its
        // sample may be another data file).
        let mut locale_reports = Vec::new();
        let mut data_io_failure = None;
        for (i, (out, t, sample)) in builds.into_iter().enumerate() {
            let mut own = FileReport::new(path.clone());
            own.template = report.template.clone();
            let into = if i == 0 { &mut report } else { &mut own };
            let (outcome, failed) = build_one(t, &out, &sample, i == 0, into);
            if outcome.is_some() && i == 0 {
                templates_built += 1;
            }
            if let Some((product, preview)) = outcome {
                products.push(product);
                previews.push(preview);
            }
            if i > 0 {
                missive::diagnostic::sort(&mut own.diagnostics);
                locale_reports.push(own);
            }
            if failed.is_some() {
                data_io_failure = failed;
                break;
            }
        }
        if let Some(r) = data_io_failure {
            io_failure = true;
            missive::diagnostic::sort(&mut report.diagnostics);
            reports.push(report);
            reports.extend(locale_reports);
            reports.push(r);
            continue;
        }
        missive::diagnostic::sort(&mut report.diagnostics);
        reports.push(report);
        reports.extend(locale_reports);
    }

    let part_files = check_part_files(&mut reports, &profile);
    let result = status(common, &reports, io_failure);
    if result != Status::Ok {
        let failed = files
            .iter()
            .filter(|f| reports.iter().any(|r| r.path == **f && fails(common, r)))
            .count();
        let failed_parts = part_files
            .iter()
            .filter(|f| reports.iter().any(|r| r.path == **f && fails(common, r)))
            .count();
        print_reports(common, &reports, files.len(), Stream::Stderr, false);
        if matches!(common.format, Format::Human | Format::Short) {
            let c = missive::diagnostic::report::count(&reports);
            let counts = format!(
                "({}, {})",
                plural(c.errors, "error"),
                plural(c.warnings, "warning")
            );
            let templates = format!(
                "{failed} of {} {}",
                files.len(),
                if files.len() == 1 {
                    "template"
                } else {
                    "templates"
                }
            );
            let parts = plural(failed_parts, "part file");
            let why = match (failed, failed_parts) {
                (0, 0) => "a file could not be read".to_string(),
                (_, 0) => format!("{templates} failed {counts}"),
                (0, _) => format!("{parts} failed {counts}"),
                _ => format!("{templates} and {parts} failed {counts}"),
            };
            eprintln!(
                "build failed: {why}; nothing was written to {}",
                out_dir.to_string_lossy()
            );
        }
        return Ok(result.into());
    }
    if let Err(failed) = write_all_and(&out_dir, &products, &pages(previews)) {
        reports.push(failed);
        print_reports(common, &reports, files.len(), Stream::Stderr, false);
        if matches!(common.format, Format::Human | Format::Short) {
            eprintln!(
                "build failed: {} built, but writing them failed; {} is as it was before",
                plural(templates_built, "template"),
                out_dir.to_string_lossy()
            );
        }
        return Ok(Status::Failure.into());
    }
    print_reports(common, &reports, files.len(), Stream::Stderr, false);
    if matches!(common.format, Format::Human | Format::Short) {
        // A template with `locales { }` is built once per locale: count templates, and say
        // how many builds the locales made.
        let per_locale = if products.len() > templates_built {
            format!(" ({} builds with their locales)", products.len())
        } else {
            String::new()
        };
        eprintln!(
            "built {templates_built} template{}{per_locale} into {}",
            if templates_built == 1 { "" } else { "s" },
            out_dir.to_string_lossy()
        );
    }
    Ok(Status::Ok.into())
}

/// The part files the templates of `reports` use, each checked on its own once and its report
/// added when it has diagnostics: a part's own mistake is reported there, not again at each
/// template that uses the part (`driver::part_mistakes_once`). Their paths.
fn check_part_files(reports: &mut Vec<FileReport>, profile: &missive::Profile) -> Vec<String> {
    let mut files: Vec<std::sync::Arc<missive::SourceFile>> = Vec::new();
    for p in reports.iter().flat_map(|r| &r.parts) {
        if !files.iter().any(|f| f.name == p.name) {
            files.push(p.clone());
        }
    }
    if files.is_empty() {
        return Vec::new();
    }
    let inputs: Vec<driver::Input> = files
        .iter()
        .map(|f| super::template_input(&f.name, f.clone()))
        .collect();
    let settings = driver::Settings::new(profile.clone());
    // A part file is checked without data: no other file is read.
    let mut no_files = |_: &str| -> Result<std::sync::Arc<missive::SourceFile>, ()> { Err(()) };
    let own: Vec<FileReport> = driver::check(&inputs, &settings, &mut no_files)
        .into_iter()
        .map(|c| c.report)
        .collect();
    let mut templates: Vec<&mut FileReport> = reports.iter_mut().collect();
    driver::part_mistakes_once(&mut templates, &own);
    let paths = own.iter().map(|r| r.path.clone()).collect();
    reports.extend(own.into_iter().filter(|r| !r.diagnostics.is_empty()));
    paths
}

/// Whether `report` fails the build: an error, or a warning with `--deny-warnings`.
fn fails(common: &Common, report: &FileReport) -> bool {
    report
        .diagnostics
        .iter()
        .any(|d| d.is_error() || common.deny_warnings)
}

/// `3 errors`, `1 warning`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Where a template's sample data is: `DIR/NAME.json` for `--examples DIR`, else
/// `examples/NAME.json` beside the template's folder (`templates/a.missive` ->
/// `examples/a.json`).
fn sample_path(template: &str, name: &str, examples: Option<&Path>) -> PathBuf {
    let folder = match examples {
        Some(dir) => dir.to_path_buf(),
        None => {
            let parent = Path::new(template).parent().unwrap_or(Path::new(""));
            if parent.as_os_str().is_empty() {
                PathBuf::from("../examples")
            } else {
                parent
                    .parent()
                    .map_or_else(|| parent.join(".."), Path::to_path_buf)
                    .join("examples")
            }
        }
    };
    folder.join(format!("{name}.json"))
}

/// Renders one template with its sample and writes its schema, in memory. Problems go into
/// the report; an unreadable data file comes back as its own report.
fn build_one(
    template: &missive::Template,
    name: &str,
    sample: &Path,
    with_schema: bool,
    report: &mut FileReport,
) -> (Option<(Product, Preview)>, Option<FileReport>) {
    let shown = sample.to_string_lossy().into_owned();
    let data_src = if sample.exists() {
        match super::load_data(&shown) {
            Ok(s) => s,
            Err((r, st)) => return (None, (st == Status::Failure).then_some(r)),
        }
    } else if let Some(empty) = driver::no_data(template) {
        // Nothing required: the template renders without data, as `render` does.
        empty
    } else {
        report.diagnostics.push(
            codes::m7001_no_sample_data(
                format!("no sample data for `{name}`: `{shown}` does not exist"),
            )
            .at(template.header, "this template declares required inputs")
            .help(format!(
                "add `{shown}` with a value for each required input, or set `examples` in `missive.toml` to the folder of sample data"
            )),
        );
        return (None, None);
    };
    report.data = Some(data_src.clone());
    let run = driver::render(
        template,
        &data_src.text,
        driver::Product::Body,
        RenderOptions { pretty: true },
    );
    report.diagnostics.extend(run.diagnostics);
    let Ok(mut rendered) = run.output else {
        return (None, None);
    };
    rendered.push(b'\n');
    // The preview reads the data again for its field notes (the render above accepted it).
    let node = missive::json::parse(&data_src.text).ok();
    let preview = preview(template, name, node.as_ref(), &rendered, report);
    // One schema per template: each locale reads the same input.
    let schema = with_schema.then(|| {
        missive::input_schema::of_template(template)
            .to_pretty_json()
            .into_bytes()
    });
    (
        Some((
            Product {
                name: name.to_string(),
                rendered,
                schema,
            },
            preview,
        )),
        None,
    )
}

/// The preview of a rendered sample: images as placeholders (a build never fetches).
fn preview(
    template: &missive::Template,
    name: &str,
    node: Option<&missive::json::Node<'_>>,
    rendered: &[u8],
    report: &FileReport,
) -> Preview {
    let body: Option<serde_json::Value> = serde_json::from_slice(rendered).ok();
    let html = missive::preview::html(&missive::preview::Input {
        template: Some(template),
        data: node,
        body: body.as_ref(),
        report,
        images: &Default::default(),
        reload: None,
    });
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    Preview {
        html: html.into_bytes(),
        entry: missive::preview::GalleryEntry {
            name: name.to_string(),
            description: template.description.clone(),
            file: format!("{name}.preview.html"),
            errors,
            warnings: report.diagnostics.len() - errors,
        },
    }
}

/// The preview pages and the gallery (`index.html`) of a build, by file name.
fn pages(previews: Vec<Preview>) -> Vec<(String, Vec<u8>)> {
    let gallery =
        missive::preview::gallery(&previews.iter().map(|p| p.entry.clone()).collect::<Vec<_>>());
    let mut out: Vec<(String, Vec<u8>)> = previews
        .into_iter()
        .map(|p| (p.entry.file, p.html))
        .collect();
    out.push(("index.html".to_string(), gallery.into_bytes()));
    out
}

/// Writes every product into `out_dir`, all or nothing: see [`write_all_with`].
#[cfg(test)]
fn write_all(out_dir: &Path, products: &[Product]) -> Result<(), FileReport> {
    write_all_with(out_dir, products, &mut Faults::none())
}

/// Writes every product and the other `files` (name, bytes) into `out_dir`, all or nothing.
fn write_all_and(
    out_dir: &Path,
    products: &[Product],
    files: &[(String, Vec<u8>)],
) -> Result<(), FileReport> {
    let mut all = product_files(products);
    all.extend(files.iter().map(|(n, b)| (n.clone(), b.as_slice())));
    write_files_with(out_dir, &all, &mut Faults::none())
}

/// Each product's files: `NAME.json` and `NAME.schema.json` (`NAME.LOC.json` alone for a
/// template's locale).
fn product_files(products: &[Product]) -> Vec<(String, &[u8])> {
    products
        .iter()
        .flat_map(|p| {
            let schema = p
                .schema
                .as_ref()
                .map(|s| (format!("{}.schema.json", p.name), s.as_slice()));
            std::iter::once((format!("{}.json", p.name), p.rendered.as_slice())).chain(schema)
        })
        .collect()
}

/// One step of writing the output, which a test can make fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Creating a staged (temporary) file.
    Create,
    /// Writing one chunk of a staged file.
    Write,
    /// Keeping the old content of a destination (a hard link beside it).
    Keep,
    /// Moving a staged file into place.
    Move,
}

/// Where writing fails, for the fault-injection tests: after a number of steps or of bytes
/// written. In a build, nothing fails on purpose.
struct Faults {
    steps_left: Option<usize>,
    bytes_left: Option<usize>,
}

impl Faults {
    fn none() -> Faults {
        Faults {
            steps_left: None,
            bytes_left: None,
        }
    }

    fn step(&mut self, step: Step) -> std::io::Result<()> {
        if let Some(left) = &mut self.steps_left {
            if *left == 0 {
                return Err(std::io::Error::other(format!(
                    "injected failure at {step:?}"
                )));
            }
            *left -= 1;
        }
        Ok(())
    }

    /// How many of `len` bytes may be written before the injected failure.
    fn bytes(&mut self, len: usize) -> std::io::Result<usize> {
        match &mut self.bytes_left {
            None => Ok(len),
            Some(0) => Err(std::io::Error::other("injected failure: disk full")),
            Some(left) => {
                let n = len.min(*left);
                *left -= n;
                Ok(n)
            }
        }
    }
}

/// Writes every product into `out_dir`, all or nothing, in three stages:
///
/// 1. every file is written whole to a staged temporary file in `out_dir` (`.missive-build-*`);
///    a failure removes the staged files and leaves `out_dir` as it was;
/// 2. each destination that exists is kept under a second name (a hard link, or a copy);
/// 3. each staged file is renamed over its destination (one atomic rename per file). If one
///    rename fails, those already done are undone: every kept old file is renamed back, every
///    new one removed, so `out_dir` is as it was.
///
/// So a failing build leaves every output file as it was before, and a successful one leaves
/// every file new. Each file is always whole (never truncated): a crash (power loss, SIGKILL)
/// during stage 3 can leave some files new and others old, and `.missive-build-*` files behind.
/// A destination that is a symbolic link is replaced by the new file; what it points to is not
/// written.
#[cfg(test)]
fn write_all_with(
    out_dir: &Path,
    products: &[Product],
    faults: &mut Faults,
) -> Result<(), FileReport> {
    write_files_with(out_dir, &product_files(products), faults)
}

/// [`write_all_with`] for any files, by name.
fn write_files_with(
    out_dir: &Path,
    files: &[(String, &[u8])],
    faults: &mut Faults,
) -> Result<(), FileReport> {
    let failed = |what: &Path, e: std::io::Error| {
        let what = what.to_string_lossy().into_owned();
        let mut r = FileReport::new(what.clone());
        r.diagnostics.push(
            codes::m9001_io(
                Severity::Error,
                format!("cannot write `{what}`: {}", super::io_reason(&e, &what)),
            )
            .help("check that the output folder is writable"),
        );
        r
    };
    std::fs::create_dir_all(out_dir).map_err(|e| failed(out_dir, e))?;
    // Stage 1. Dropping a staged file removes it, so an early return cleans up.
    let mut staged = Vec::new();
    for (file, bytes) in files {
        // The name is a file stem: never a path, so never outside `out_dir`.
        debug_assert!(!file.contains(['/', '\\']));
        let dest = out_dir.join(file);
        faults.step(Step::Create).map_err(|e| failed(out_dir, e))?;
        let mut tmp = new_file_options()
            .tempfile_in(out_dir)
            .map_err(|e| failed(out_dir, e))?;
        for chunk in bytes
            .chunks(64 * 1024)
            .chain(bytes.is_empty().then_some(&[][..]))
        {
            faults.step(Step::Write).map_err(|e| failed(&dest, e))?;
            let n = faults.bytes(chunk.len()).map_err(|e| failed(&dest, e))?;
            tmp.write_all(&chunk[..n]).map_err(|e| failed(&dest, e))?;
            if n < chunk.len() {
                return Err(failed(
                    &dest,
                    std::io::Error::other("injected failure: disk full"),
                ));
            }
        }
        staged.push((tmp, dest));
    }
    // Stage 2: the old content of each destination, kept until the end.
    let mut kept: Vec<Option<tempfile::TempPath>> = Vec::new();
    for (_, dest) in &staged {
        kept.push(keep(out_dir, dest, faults).map_err(|e| failed(dest, e))?);
    }
    // Stage 3.
    let mut moved: Vec<&Path> = Vec::new();
    for (tmp, dest) in staged.iter() {
        let done = faults
            .step(Step::Move)
            .and_then(|()| std::fs::rename(tmp.path(), dest));
        if let Err(e) = done {
            let mut report = failed(dest, e);
            for (i, dest) in moved.iter().enumerate() {
                if let Err(e) = undo(dest, kept[i].as_deref()) {
                    report.diagnostics.push(
                        codes::m9001_io(
                            Severity::Error,
                            format!("cannot put back the old `{}`: {e}", dest.to_string_lossy()),
                        )
                        .help("the folder holds old and new files: build again"),
                    );
                }
            }
            return Err(report);
        }
        moved.push(dest);
    }
    // Renamed away: dropping them must not remove the files now at their destinations.
    for (tmp, _) in staged {
        let _ = tmp.into_temp_path().keep();
    }
    // The kept old files are removed when dropped.
    drop(kept);
    Ok(())
}

/// Keeps the old content of `dest`, if there is one, under a temporary name in `out_dir`.
fn keep(
    out_dir: &Path,
    dest: &Path,
    faults: &mut Faults,
) -> std::io::Result<Option<tempfile::TempPath>> {
    if std::fs::symlink_metadata(dest).is_err() {
        return Ok(None);
    }
    faults.step(Step::Keep)?;
    let path = new_file_options().tempfile_in(out_dir)?.into_temp_path();
    // A hard link to the old file itself (or to the symbolic link itself: Linux's `link` does
    // not follow it); where links are not possible, a copy.
    std::fs::remove_file(&path)?;
    if std::fs::hard_link(dest, &path).is_err() {
        std::fs::copy(dest, &path)?;
    }
    Ok(Some(path))
}

/// Puts `dest` back as it was: its kept old file renamed over it, or, if it is new, removed.
fn undo(dest: &Path, kept: Option<&Path>) -> std::io::Result<()> {
    match kept {
        Some(old) => std::fs::rename(old, dest),
        None => std::fs::remove_file(dest),
    }
}

/// Temporary files that become the output: named `.missive-build-*`, created with the
/// permissions of a new file (the umask applies), not a temporary file's private ones.
fn new_file_options() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(".missive-build-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_data_is_beside_the_templates_folder() {
        assert_eq!(
            sample_path("templates/a.missive", "a", None),
            Path::new("examples/a.json")
        );
        assert_eq!(
            sample_path("x/templates/a.missive", "a", None),
            Path::new("x/examples/a.json")
        );
        assert_eq!(
            sample_path("a.missive", "a", None),
            Path::new("../examples/a.json")
        );
        assert_eq!(
            sample_path("templates/a.missive", "a", Some(Path::new("samples"))),
            Path::new("samples/a.json")
        );
    }

    /// The files of a folder and their contents, sorted.
    fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(e.path()).unwrap_or_default())
            })
            .collect();
        files.sort();
        files
    }

    fn products() -> Vec<Product> {
        ["a", "b"]
            .iter()
            .map(|name| Product {
                name: name.to_string(),
                rendered: format!("{{\"new\": \"{name}\"}}").repeat(40).into_bytes(),
                schema: Some(format!("{{\"schema\": \"{name}\"}}").into_bytes()),
            })
            .collect()
    }

    /// A folder holding an earlier build of `a` (not `b`) and a file of someone else's.
    fn old_output(what: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "missive-build-faults-{what}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.json"), "{\"old\": \"a\"}").unwrap();
        std::fs::write(dir.join("a.schema.json"), "{\"old\": \"schema\"}").unwrap();
        std::fs::write(dir.join("notes.txt"), "not missive's").unwrap();
        dir
    }

    /// A build that fails at any step, or after any number of bytes, leaves the folder exactly
    /// as it was; one that does not fail leaves every output new. Never a mix, never a
    /// truncated file, never a staged file left behind.
    #[test]
    fn a_build_interrupted_at_every_point_leaves_the_old_output_or_the_new() {
        let products = products();
        let dir = old_output("steps");
        let before = snapshot(&dir);
        // The number of steps of a whole build, counted by a run that does not fail.
        let mut steps = 0;
        loop {
            let dir = old_output("steps");
            let mut faults = Faults {
                steps_left: Some(steps),
                bytes_left: None,
            };
            match write_all_with(&dir, &products, &mut faults) {
                Err(_) => {
                    assert_eq!(snapshot(&dir), before, "failing at step {steps}");
                    steps += 1;
                }
                Ok(()) => break,
            }
            assert!(steps < 1000, "the build never finishes");
        }
        // 4 files: 4 creations, 4 writes, 2 kept old files, 4 moves.
        assert_eq!(steps, 14);
        let after = snapshot(&dir);
        let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "a.json",
                "a.schema.json",
                "b.json",
                "b.schema.json",
                "notes.txt"
            ]
        );
        assert_eq!(after[0].1, products[0].rendered);
        assert_eq!(Some(&after[3].1), products[1].schema.as_ref());
        assert_eq!(after[4].1, b"not missive's");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_build_running_out_of_disk_at_any_byte_leaves_the_old_output() {
        let products = products();
        let total: usize = products
            .iter()
            .map(|p| p.rendered.len() + p.schema.as_ref().map_or(0, Vec::len))
            .sum();
        for bytes in (0..total).step_by(7).chain([total - 1]) {
            let dir = old_output("bytes");
            let before = snapshot(&dir);
            let mut faults = Faults {
                steps_left: None,
                bytes_left: Some(bytes),
            };
            assert!(write_all_with(&dir, &products, &mut faults).is_err());
            assert_eq!(snapshot(&dir), before, "failing after {bytes} bytes");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    /// An output file that is a symbolic link to a file outside the folder is replaced by the
    /// new file; the file it pointed to is not written.
    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_in_the_output_folder_is_replaced_not_followed() {
        let dir = old_output("symlink");
        let outside = dir.with_extension("outside");
        std::fs::write(&outside, "precious").unwrap();
        std::fs::remove_file(dir.join("a.json")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("a.json")).unwrap();
        write_all(&dir, &products()).unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
        let meta = std::fs::symlink_metadata(dir.join("a.json")).unwrap();
        assert!(meta.file_type().is_file());
        // A failing build puts the link back as it was.
        let dir2 = old_output("symlink-fail");
        std::fs::remove_file(dir2.join("a.json")).unwrap();
        std::os::unix::fs::symlink(&outside, dir2.join("a.json")).unwrap();
        let mut faults = Faults {
            steps_left: Some(13),
            bytes_left: None,
        };
        assert!(write_all_with(&dir2, &products(), &mut faults).is_err());
        let meta = std::fs::symlink_metadata(dir2.join("a.json")).unwrap();
        assert!(meta.file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
        for d in [&dir, &dir2] {
            std::fs::remove_dir_all(d).unwrap();
        }
        std::fs::remove_file(outside).unwrap();
    }
}
