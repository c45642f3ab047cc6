//! `missive check`: lint templates, and optionally a data file against one template.

use std::path::PathBuf;

use clap::Args;

use missive::check::{self, data, images};
use missive::diagnostic::report::FileReport;
use missive::{Code, Diagnostic, Options};

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

    for (path, from_stdin) in &files {
        let payload = (!from_stdin && path.ends_with(".json"))
            || (*from_stdin && args.input_format == InputFormat::Json);
        let Some(src) = super::load_into(path, *from_stdin, &mut reports, &mut io_failure) else {
            continue;
        };
        let stem = std::path::Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        if payload {
            // A raw JSON payload, linted with the template checks at its own lines.
            let options = Options {
                profile: profile.clone(),
                file_stem: None,
            };
            let name = stem.clone().unwrap_or_else(|| "payload".into());
            let mut report = FileReport::new(path.clone());
            let compiled = missive::import::lint(&src.text, &name, &options);
            report.diagnostics = compiled.diagnostics;
            if let (Some(template), true) = (&compiled.template, args.check_images) {
                let source = args.images.clone().map_or(
                    images::Source::Http {
                        timeout: std::time::Duration::from_secs(5),
                    },
                    images::Source::Dir,
                );
                report
                    .diagnostics
                    .extend(images::check(&images::literal(template), &source));
            }
            report.template = Some(src.clone());
            missive::diagnostic::sort(&mut report.diagnostics);
            reports.push(report);
            continue;
        }

        let options = Options {
            profile: profile.clone(),
            file_stem: stem,
        };
        let compiled = check::compile(&src.text, &options);
        let mut report = FileReport::new(path.clone());
        report.template = Some(src.clone());
        report.diagnostics = compiled.diagnostics;

        let mut data_failure = None;
        let source = args.images.clone().map_or(
            images::Source::Http {
                timeout: std::time::Duration::from_secs(5),
            },
            images::Source::Dir,
        );
        if let (None, Some(template), true) = (&args.data, &compiled.template, args.check_images) {
            report
                .diagnostics
                .extend(images::check(&images::literal(template), &source));
        }
        if let (Some(data_path), Some(template)) = (&args.data, &compiled.template) {
            let dp = data_path.to_string_lossy().into_owned();
            match super::load_data(&dp) {
                Ok(d) => {
                    report.data = Some(d.clone());
                    report
                        .diagnostics
                        .extend(data::check_render(template, &d.text));
                    if args.check_images {
                        if let Ok((node, _)) = data::prepare(template, &d.text) {
                            if let Ok(found) = template.images(&node) {
                                report.diagnostics.extend(images::check(&found, &source));
                            }
                        }
                    }
                }
                Err((r, status)) => {
                    io_failure |= status == Status::Failure;
                    data_failure = Some(r);
                }
            }
        }
        missive::diagnostic::sort(&mut report.diagnostics);
        reports.push(report);
        reports.extend(data_failure);
    }

    print_reports(common, &reports, files.len(), Stream::Stdout, true);
    Ok(status(common, &reports, io_failure).into())
}
