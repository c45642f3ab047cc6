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
            if changed {
                writeln!(stdout, "{path}").map_err(|e| ("-".to_string(), e))
            } else {
                Ok(())
            }
        } else if *from_stdin {
            stdout
                .write_all(formatted.as_bytes())
                .map_err(|e| ("-".to_string(), e))
        } else if changed {
            replace(Path::new(path), &formatted).map_err(|e| (path.clone(), e))
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

/// Replaces a file's content atomically: a temporary file beside it (with its permissions),
/// persisted over it, so that an interruption leaves either the old file or the new one. A
/// symbolic link stays a link to the rewritten file.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    replace_with(path, text, &mut Faults::default())
}

/// Where [`replace_with`] fails, for the fault-injection tests: before a numbered step (create,
/// write, sync, permissions, rename) or after a number of bytes. In `fmt`, nothing fails.
#[derive(Default)]
struct Faults {
    fail_at_step: Option<usize>,
    fail_after_bytes: Option<usize>,
    steps: usize,
}

impl Faults {
    fn step(&mut self) -> std::io::Result<()> {
        let n = self.steps;
        self.steps += 1;
        if self.fail_at_step == Some(n) {
            return Err(std::io::Error::other(format!(
                "injected failure at step {n}"
            )));
        }
        Ok(())
    }
}

fn replace_with(path: &Path, text: &str, faults: &mut Faults) -> std::io::Result<()> {
    // Through a symbolic link, the file it points to is the one to replace.
    let path = &std::fs::canonicalize(path)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(path)?.permissions();
    // Dropped on an error, the temporary file is removed.
    faults.step()?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.fmt-"))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    faults.step()?;
    let bytes = text.as_bytes();
    match faults.fail_after_bytes {
        Some(n) if n < bytes.len() => {
            tmp.write_all(&bytes[..n])?;
            return Err(std::io::Error::other("injected failure: disk full"));
        }
        _ => tmp.write_all(bytes)?,
    }
    faults.step()?;
    tmp.as_file().sync_all()?;
    faults.step()?;
    std::fs::set_permissions(tmp.path(), permissions)?;
    faults.step()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    /// `fmt` interrupted at every step, or after any number of bytes, leaves the file whole and
    /// old, and nothing beside it; not interrupted, the file is new.
    #[test]
    fn fmt_interrupted_at_every_point_leaves_the_old_file_or_the_new() {
        let dir = std::env::temp_dir().join(format!("missive-fmt-faults-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.missive");
        let old = "notification a\ntext   \"old\"\n";
        let new = "notification a\n\ntext \"new, and longer than the old text\"\n";
        std::fs::write(&file, old).unwrap();
        let before = folder(&dir);
        let mut faults: Vec<Faults> = (0..5)
            .map(|n| Faults {
                fail_at_step: Some(n),
                ..Faults::default()
            })
            .collect();
        faults.extend((0..new.len()).map(|n| Faults {
            fail_after_bytes: Some(n),
            ..Faults::default()
        }));
        for mut f in faults {
            assert!(replace_with(&file, new, &mut f).is_err());
            assert_eq!(folder(&dir), before);
        }
        replace_with(&file, new, &mut Faults::default()).unwrap();
        assert_eq!(folder(&dir), [("a.missive".to_string(), new.to_string())]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
