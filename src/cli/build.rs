//! `missive build`: every template rendered with its sample data, and its input's JSON Schema,
//! written into one folder, all or nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use missive::check::{self, data};
use missive::diagnostic::report::FileReport;
use missive::{Code, Diagnostic, Options, RenderOptions, SourceFile};

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

/// One template's products, in memory until every template has built.
struct Product {
    name: String,
    rendered: Vec<u8>,
    schema: Vec<u8>,
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
            Diagnostic::error(Code::Usage, "`build` needs a folder to write into")
                .help("pass `--out-dir DIR`, or set `out-dir = \"DIR\"` in `missive.toml`"),
        ));
    };
    let profile = session.profile(Stream::Stderr)?;
    if common.stdin_filename.is_some() {
        return Err(Exit::usage(
            Stream::Stderr,
            "",
            Diagnostic::error(
                Code::Usage,
                "`build` reads template files, not standard input",
            )
            .help("give the templates' paths (or folders) instead of `--stdin-filename`"),
        ));
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = super::templates(&paths);
    if files.is_empty() {
        let shown: Vec<String> = paths
            .iter()
            .map(|p| format!("`{}`", p.to_string_lossy()))
            .collect();
        return Err(Exit::usage(
            Stream::Stderr,
            "",
            Diagnostic::error(
                Code::Usage,
                format!("no templates to build in {}", shown.join(", ")),
            )
            .help("give template files or folders holding `*.missive` files"),
        ));
    }

    let mut reports: Vec<FileReport> = Vec::new();
    let mut products: Vec<Product> = Vec::new();
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
        let compiled = check::compile(
            &src.text,
            &Options {
                profile: profile.clone(),
                file_stem: Some(name.clone()),
            },
        );
        let mut report = FileReport::new(path.clone());
        report.template = Some(src.clone());
        report.diagnostics = compiled.diagnostics;
        let (outcome, data_io_failure) = match &compiled.template {
            Some(template) => {
                // `NAME.json` and `NAME.schema.json`: `a.schema.missive` renders to the
                // schema of `a.missive`.
                let outputs = [format!("{name}.json"), format!("{name}.schema.json")];
                let taken = outputs
                    .iter()
                    .find_map(|file| Some((file, claimed.get(file)?)));
                if let Some((file, first)) = taken {
                    report.diagnostics.push(
                        Diagnostic::error(
                            Code::DuplicateOutput,
                            format!("`{path}` and `{first}` would both be written to `{file}`"),
                        )
                        .at(template.header, "a second template writing this file")
                        .help("rename one of the files, or build them into separate folders"),
                    );
                    (None, None)
                } else {
                    for file in outputs {
                        claimed.insert(file, path.clone());
                    }
                    let sample = sample_path(path, &name, args.examples.as_deref());
                    build_one(template, &name, &sample, &mut report)
                }
            }
            None => (None, None),
        };
        if let Some(r) = data_io_failure {
            io_failure = true;
            missive::diagnostic::sort(&mut report.diagnostics);
            reports.push(report);
            reports.push(r);
            continue;
        }
        products.extend(outcome);
        missive::diagnostic::sort(&mut report.diagnostics);
        reports.push(report);
    }

    let result = status(common, &reports, io_failure);
    if result != Status::Ok {
        return Err(Exit::files(result, Stream::Stderr, reports, files.len()));
    }
    if let Err(failed) = write_all(&out_dir, &products) {
        reports.push(failed);
        return Err(Exit::files(
            Status::Failure,
            Stream::Stderr,
            reports,
            files.len(),
        ));
    }
    print_reports(common, &reports, files.len(), Stream::Stderr, false);
    if common.format == Format::Human {
        eprintln!(
            "built {} template{} into {}",
            products.len(),
            if products.len() == 1 { "" } else { "s" },
            out_dir.to_string_lossy()
        );
    }
    Ok(Status::Ok.into())
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
    report: &mut FileReport,
) -> (Option<Product>, Option<FileReport>) {
    let shown = sample.to_string_lossy().into_owned();
    let data_src = if sample.exists() {
        match super::load_data(&shown) {
            Ok(s) => s,
            Err((r, st)) => return (None, (st == Status::Failure).then_some(r)),
        }
    } else if template.input.fields.iter().all(|f| f.optional) {
        // Nothing required: the template renders without data, as `render` does.
        Arc::new(SourceFile::new("<no data>", "{}"))
    } else {
        report.diagnostics.push(
            Diagnostic::error(
                Code::NoSampleData,
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
    let node = match data::prepare(template, &data_src.text) {
        Ok((node, warnings)) => {
            report.diagnostics.extend(warnings);
            node
        }
        Err(errors) => {
            report.diagnostics.extend(errors);
            return (None, None);
        }
    };
    let mut rendered = Vec::new();
    match template.render_with(&mut rendered, &node, RenderOptions { pretty: true }) {
        Ok(warnings) => report.diagnostics.extend(warnings),
        Err(errors) => {
            report.diagnostics.extend(errors);
            return (None, None);
        }
    }
    rendered.push(b'\n');
    let schema = missive::input_schema::of_template(template)
        .to_pretty_json()
        .into_bytes();
    (
        Some(Product {
            name: name.to_string(),
            rendered,
            schema,
        }),
        None,
    )
}

/// Writes every product into a fresh folder inside `out_dir`, then moves each file into place:
/// a failure while writing leaves `out_dir` as it was.
fn write_all(out_dir: &Path, products: &[Product]) -> Result<(), FileReport> {
    let failed = |what: &Path, e: std::io::Error| {
        let what = what.to_string_lossy().into_owned();
        let mut r = FileReport::new(what.clone());
        r.diagnostics.push(
            Diagnostic::error(
                Code::Io,
                format!("cannot write `{what}`: {}", super::io_reason(&e, &what)),
            )
            .help("check that the output folder is writable"),
        );
        r
    };
    std::fs::create_dir_all(out_dir).map_err(|e| failed(out_dir, e))?;
    // Every file is written beside its destination first, then each is persisted over its
    // destination: a failure leaves the earlier output whole (and removes what was staged).
    let mut staged = Vec::new();
    for p in products {
        for (file, bytes) in [
            (format!("{}.json", p.name), &p.rendered),
            (format!("{}.schema.json", p.name), &p.schema),
        ] {
            let dest = out_dir.join(file);
            let mut tmp = new_file_options()
                .tempfile_in(out_dir)
                .map_err(|e| failed(out_dir, e))?;
            tmp.write_all(bytes).map_err(|e| failed(&dest, e))?;
            staged.push((tmp, dest));
        }
    }
    for (tmp, dest) in staged {
        tmp.persist(&dest).map_err(|e| failed(&dest, e.error))?;
    }
    Ok(())
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
}
