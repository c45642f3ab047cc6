//! `missive fmt`: rewrite templates in the canonical layout, or list those that would change.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use missive::diagnostic::report::FileReport;

use super::{print_reports, Common, Outcome, Session, Status, Stream};

#[derive(Args)]
pub struct FmtArgs {
    /// Template files or folders (searched recursively for *.missive); `.` by default; `-`
    /// formats standard input to standard output.
    paths: Vec<PathBuf>,
    /// Change nothing: list the files that would change, one a line, and exit 1 if there are any.
    #[arg(long)]
    check: bool,
    /// With `--check`, print what would change as a unified diff instead of the file names.
    #[arg(long, requires = "check")]
    diff: bool,
}

pub fn run(common: &Common, args: FmtArgs) -> Outcome {
    let Session { common, project } = Session::open(common, Stream::Stderr)?;
    let common = &common;
    let dash = args.paths.iter().any(|p| p.as_os_str() == "-");
    let mut paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let stdin_name = match (&common.stdin_filename, dash) {
        (Some(name), _) => Some(name.clone()),
        (None, true) => Some("-".to_string()),
        (None, false) => None,
    };
    // No path: the project file's templates, else `.`.
    if let Some(project) = project.filter(|_| paths.is_empty() && stdin_name.is_none()) {
        paths = project.templates;
    }
    let files = super::template_files(&paths, stdin_name.as_deref());

    let mut reports: Vec<FileReport> = Vec::new();
    let mut io_failure = false;
    let mut would_change = false;
    let mut stdout = std::io::stdout().lock();
    for (path, from_stdin) in &files {
        let Some(src) = super::load_into(path, *from_stdin, &mut reports, &mut io_failure) else {
            continue;
        };
        let formatted = match missive::fmt::format(&src.text) {
            Ok(f) => f,
            Err(diagnostics) => {
                let mut r = FileReport::new(path.clone());
                r.template = Some(src.clone());
                r.diagnostics = diagnostics;
                reports.push(r);
                continue;
            }
        };
        let changed = formatted != src.text;
        let written = if args.check {
            would_change |= changed;
            if changed && args.diff {
                let diff = super::unified_diff(path, &src.text, &formatted);
                stdout
                    .write_all(diff.as_bytes())
                    .map_err(|e| ("-".to_string(), e))
            } else if changed {
                writeln!(stdout, "{path}").map_err(|e| ("-".to_string(), e))
            } else {
                Ok(())
            }
        } else if *from_stdin {
            stdout
                .write_all(formatted.as_bytes())
                .map_err(|e| ("-".to_string(), e))
        } else if changed {
            super::replace(Path::new(path), &formatted).map_err(|e| (path.clone(), e))
        } else {
            Ok(())
        };
        if let Err((what, e)) = written {
            io_failure = true;
            reports.push(super::write_failure(&what, &e));
        }
    }
    let _ = stdout.flush();
    if !reports.is_empty() {
        print_reports(common, &reports, files.len(), Stream::Stderr, false);
    }
    let status = match super::status(common, &reports, io_failure) {
        Status::Ok if would_change => Status::Errors,
        status => status,
    };
    Ok(status.into())
}
