//! `missive check`: lint templates, and optionally a data file against one template.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use missive::check::images;
use missive::diagnostic::fix::{self, Applied};
use missive::diagnostic::report::FileReport;
use missive::diagnostic::{codes, Applicability};
use missive::driver;
use missive::{Diagnostic, SourceFile};

use super::{print_reports, status, Common, Exit, Outcome, Session, Status, Stream};

#[derive(Args, Clone)]
pub struct CheckArgs {
    /// Template files or folders (searched recursively for *.missive); `.` by default.
    paths: Vec<PathBuf>,
    /// Also check this data file against the template's `input` (one template only).
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// With `--stdin-filename`, what standard input holds: a template, or a JSON payload.
    #[arg(long, value_enum, default_value_t = InputFormat::Missive)]
    input_format: InputFormat,
    /// Read each image's size (its first bytes, over HTTP) and warn when Messenger will crop it.
    #[arg(long)]
    check_images: bool,
    /// With `--check-images`, read images from this folder (it mirrors the URLs' paths) instead of
    /// over HTTP.
    #[arg(long, value_name = "DIR", requires = "check_images")]
    images: Option<PathBuf>,
    /// Check again whenever a template, data or project file changes (Ctrl-C to stop).
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    watch: bool,
    /// Apply the safe fixes the diagnostics suggest (a misspelled name, a missing `:`), print
    /// what changed, and check the result again; the report is the fixed file's.
    #[arg(long)]
    fix: bool,
    /// With `--fix` or `--diff`, apply the unsafe fixes too: judgements (review them).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes `--fix` would apply as a unified diff, and change no file; exit 1 when
    /// there are some.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
}

impl CheckArgs {
    /// What `--watch` watches: the checked paths (`.` by default) and the data file.
    fn watched(&self) -> Vec<PathBuf> {
        let mut watched = if self.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.paths.clone()
        };
        watched.extend(self.data.clone());
        watched
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Missive,
    Json,
}

pub fn run(common: &Common, mut args: CheckArgs) -> Outcome {
    let session = Session::open(common, Stream::Stdout)?;
    if let Some(project) = &session.project {
        if args.paths.is_empty() && session.common.stdin_filename.is_none() {
            args.paths.clone_from(&project.templates);
        }
    }
    if args.watch && session.common.stdin_filename.is_some() {
        return Err(Exit::usage(
            Stream::Stdout,
            "",
            codes::m9002_usage("`--watch` watches files, not standard input")
                .help("give the template's path instead of `--stdin-filename`"),
        ));
    }
    if args.unsafe_fixes && !(args.fix || args.diff) {
        return Err(Exit::usage(
            Stream::Stdout,
            "",
            codes::m9002_usage("`--unsafe-fixes` needs `--fix` or `--diff`")
                .help("add `--fix` to apply the fixes, or `--diff` to see them"),
        ));
    }
    if args.fix && session.common.stdin_filename.is_some() {
        return Err(Exit::usage(
            Stream::Stdout,
            "",
            codes::m9002_usage("`--fix` rewrites files, not standard input")
                .help("use `--diff` to see the fixes, or give the template's path"),
        ));
    }
    if args.watch {
        let check = || once(&session, &args).unwrap_or_else(|exit| exit.finish(common));
        return super::watch::run(&args.watched(), check);
    }
    once(&session, &args)
}

/// At most this many rounds of fixes on one file (ruff stops at 100; missive's fixes do not
/// chain far: a fix rarely enables another).
const FIX_PASSES: usize = 10;

/// Applies the fixes of `least` applicability to a template until none applies (or
/// [`FIX_PASSES`] rounds), checking it again after each round, as ruff does: the edits of one
/// round do not overlap, and the next round sees the diagnostics of the fixed text. A round
/// that would add a syntax error is not kept (its fixes are returned second, to be said). The
/// input holds the fixed text; what was applied, in order.
fn fix_input(
    input: &mut driver::Input,
    settings: &driver::Settings,
    least: Applicability,
) -> (Vec<Applied>, Vec<Applied>) {
    // A payload's fixes too: the lint keeps only those that leave valid JSON.
    let mut applied = Vec::new();
    // The fixes need no image read.
    let settings = driver::Settings::new(settings.profile.clone());
    let errors = |input: &driver::Input| {
        let mut c = driver::check(std::slice::from_ref(input), &settings, &mut |p: &str| {
            super::load_data(p)
        });
        c.pop().map(|c| c.report.diagnostics).unwrap_or_default()
    };
    let mut diagnostics = errors(input);
    for _ in 0..FIX_PASSES {
        let Some((text, round)) = fix::apply(&input.source, &diagnostics, least) else {
            break;
        };
        let mut next = input.clone();
        next.source = Arc::new(SourceFile::new(input.path.clone(), text));
        let after = errors(&next);
        // A fix that breaks the syntax is a bug in the fix: keep the text as it was.
        let count = |ds: &[Diagnostic]| {
            ds.iter()
                .filter(|d| d.is_error() && d.code.as_str().starts_with("M0"))
                .count()
        };
        if count(&after) > count(&diagnostics) {
            return (applied, round);
        }
        *input = next;
        diagnostics = after;
        applied.extend(round);
    }
    (applied, Vec::new())
}

/// Takes out of `reports` the fixes that a round refused (applied, they left a syntax error):
/// they are not "fixable" by `--fix`, which would refuse them again.
fn drop_refused(reports: &mut [FileReport], refused: &[(String, Applied)]) {
    for r in reports.iter_mut() {
        let text = r
            .template
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        for d in &mut r.diagnostics {
            for l in &mut d.labels {
                let drop = l.fix.as_ref().is_some_and(|f| {
                    refused.iter().any(|(path, a)| {
                        *path == r.path && a.code == d.code && a.title == f.title(&text)
                    })
                });
                if drop {
                    l.fix = None;
                }
            }
        }
    }
}

/// Named folders that hold no template but JSON files: the user meant the payloads checked,
/// and "no problems found" would pass a pipeline that checked nothing of them (alone, or
/// beside other files). Its file is the first of them.
fn payloads_only(paths: &[PathBuf]) -> Option<(String, Diagnostic)> {
    let mut json = 0;
    let folders: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir() && super::search(p, "missive").is_empty())
        .filter(|p| {
            let n = super::search(p, "json").len();
            json += n;
            n > 0
        })
        .collect();
    if folders.is_empty() {
        return None;
    }
    let named: Vec<String> = folders
        .iter()
        .map(|f| format!("`{}`", f.display()))
        .collect();
    let first = folders[0].display().to_string();
    let first = first.trim_end_matches('/');
    Some((
        first.to_string(),
        codes::m9002_usage(format!(
            "{} {} no template, only JSON ({json} `.json` {}): nothing was checked",
            named.join(", "),
            if named.len() == 1 { "holds" } else { "hold" },
            if json == 1 { "file" } else { "files" }
        ))
        .help(format!(
            "a folder is searched for `*.missive`; a JSON payload is checked when it is named: `missive check {first}/*.json`"
        )),
    ))
}

/// One check of every file: prints the report, returns the exit status.
fn once(session: &Session, args: &CheckArgs) -> Outcome {
    let common = &session.common;
    let profile = session.profile(Stream::Stdout)?;
    let mut reports: Vec<FileReport> = Vec::new();
    let mut io_failure = false;

    let files = super::template_files(&args.paths, common.stdin_filename.as_deref());
    if let Some((folder, d)) = payloads_only(&args.paths) {
        return Err(Exit::usage(Stream::Stdout, &folder, d));
    }

    if args.data.is_some() && files.len() != 1 {
        return Err(Exit::usage(
            Stream::Stdout,
            "",
            codes::m9002_usage("`--data` checks one template, but several were given")
                .help("run `missive check TEMPLATE --data FILE` once per template"),
        ));
    }

    // Every template is read first, then the driver checks them together; a file that could
    // not be read keeps its place among the reports (`None`: the next checked input's place).
    let mut unread: Vec<Option<FileReport>> = Vec::new();
    let mut inputs: Vec<driver::Input> = Vec::new();
    for (path, from_stdin) in &files {
        let payload = (!from_stdin && path.ends_with(".json"))
            || (*from_stdin && args.input_format == InputFormat::Json);
        let src = match super::load(path, *from_stdin) {
            super::Loaded::Source(s) => s,
            super::Loaded::Invalid(r) => {
                unread.push(Some(r));
                continue;
            }
            super::Loaded::Failed(r) => {
                io_failure = true;
                unread.push(Some(r));
                continue;
            }
        };
        let input = if payload {
            // A raw JSON payload: `--data` is for templates.
            driver::Input::payload(path.clone(), src)
        } else {
            let input = super::template_input(path, src);
            match &args.data {
                Some(data) => input.with_data(data.to_string_lossy()),
                None => input,
            }
        };
        unread.push(None);
        inputs.push(input);
    }
    let settings = driver::Settings {
        profile,
        images: args.check_images.then(|| {
            args.images.clone().map_or(
                images::Source::Http {
                    timeout: std::time::Duration::from_secs(5),
                },
                images::Source::Dir,
            )
        }),
    };
    // Fixes that `--fix` tried and refused: not counted as fixable in the report.
    let mut refused: Vec<(String, Applied)> = Vec::new();
    if args.fix || args.diff {
        let least = if args.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let mut changed = false;
        for input in inputs.iter_mut() {
            let before = input.source.clone();
            let (applied, not_kept) = fix_input(input, &settings, least);
            {
                let mut err = std::io::stderr().lock();
                for a in &not_kept {
                    let _ = writeln!(
                        err,
                        "not fixed {}:{}:{}: {} [{}]: applied, it leaves a syntax error; make this edit by hand",
                        input.path, a.line, a.column, a.title, a.code
                    );
                }
            }
            refused.extend(not_kept.into_iter().map(|a| (input.path.clone(), a)));
            if applied.is_empty() {
                continue;
            }
            changed = true;
            let mut err = std::io::stderr().lock();
            let verb = if args.diff { "would fix" } else { "fixed" };
            for a in &applied {
                let _ = writeln!(
                    err,
                    "{verb} {}:{}:{}: {} [{}]",
                    input.path, a.line, a.column, a.title, a.code
                );
            }
            if args.diff {
                let diff = super::unified_diff(&input.path, &before.text, &input.source.text);
                let _ = std::io::stdout().lock().write_all(diff.as_bytes());
            } else if let Err(e) = super::replace(Path::new(&input.path), &input.source.text) {
                io_failure = true;
                reports.push(super::write_failure(&input.path, &e));
            }
        }
        if changed && !args.diff {
            // A fixed part file changes the templates that use it: the report is of the
            // parts as they are now.
            for input in inputs.iter_mut() {
                if input.kind != driver::Kind::Payload {
                    input.parts = super::template_input(&input.path, input.source.clone()).parts;
                }
            }
        }
        if changed && args.diff {
            // The part files as fixed in memory, for the templates that use them and for
            // their own check (its catalogue held the file as it is on disk).
            let fixed: Vec<Arc<SourceFile>> = inputs
                .iter()
                .filter(|i| i.kind == driver::Kind::Part)
                .map(|i| i.source.clone())
                .collect();
            for input in inputs.iter_mut() {
                if input.kind != driver::Kind::Payload && !fixed.is_empty() {
                    input.parts = Arc::new(input.parts.with_files(&fixed));
                }
            }
        }
        if args.diff {
            // As `fmt --check`: the diff is the output, and exit 1 says there is one. What the
            // fixes leave (the inputs as fixed in memory) decides the status too: an error
            // without a fix here (one in a part file) is never passed with exit 0, and is
            // printed on stderr so that the status is explained.
            let checked =
                driver::check(&inputs, &settings, &mut |path: &str| super::load_data(path));
            for c in checked {
                reports.push(c.report);
                if let Some((r, status)) = c.data_error {
                    io_failure |= status == Status::Failure;
                    reports.push(r);
                }
            }
            drop_refused(&mut reports, &refused);
            let left = status(common, &reports, io_failure);
            if left != Status::Ok {
                print_reports(common, &reports, files.len(), Stream::Stderr, false);
            }
            let status = match left {
                Status::Ok if changed => Status::Errors,
                s => s,
            };
            return Ok(status.into());
        }
    }
    let mut checked =
        driver::check(&inputs, &settings, &mut |path: &str| super::load_data(path)).into_iter();
    for place in unread {
        match place {
            Some(r) => reports.push(r),
            None => {
                let c = checked.next().expect("one result per input");
                reports.push(c.report);
                if let Some((r, status)) = c.data_error {
                    io_failure |= status == Status::Failure;
                    reports.push(r);
                }
            }
        }
    }

    drop_refused(&mut reports, &refused);
    print_reports(common, &reports, files.len(), Stream::Stdout, true);
    Ok(status(common, &reports, io_failure).into())
}
