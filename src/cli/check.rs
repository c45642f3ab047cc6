//! `missive check`: lint templates, and optionally a data file against one template.

use std::path::PathBuf;

use clap::Args;

use missive::check::images;
use missive::diagnostic::report::FileReport;
use missive::driver;
use missive::{Code, Diagnostic};

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
    #[arg(long)]
    watch: bool,
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
            Diagnostic::error(Code::Usage, "`--watch` watches files, not standard input")
                .help("give the template's path instead of `--stdin-filename`"),
        ));
    }
    if args.watch {
        let check = || once(&session, &args).unwrap_or_else(|exit| exit.finish(common));
        return super::watch::run(&args.watched(), check);
    }
    once(&session, &args)
}

/// One check of every file: prints the report, returns the exit status.
fn once(session: &Session, args: &CheckArgs) -> Outcome {
    let common = &session.common;
    let profile = session.profile(Stream::Stdout)?;
    let mut reports: Vec<FileReport> = Vec::new();
    let mut io_failure = false;

    let files = super::template_files(&args.paths, common.stdin_filename.as_deref());

    if args.data.is_some() && files.len() != 1 {
        return Err(Exit::usage(
            Stream::Stdout,
            "",
            Diagnostic::error(
                Code::Usage,
                "`--data` checks one template, but several were given",
            )
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
            let input = driver::Input::template(path.clone(), src);
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

    print_reports(common, &reports, files.len(), Stream::Stdout, true);
    Ok(status(common, &reports, io_failure).into())
}
