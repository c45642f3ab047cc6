//! `missive check`: lint templates, and optionally a data file against one template.

use std::path::PathBuf;

use clap::Args;

use missive::check::images;
use missive::diagnostic::report::FileReport;
use missive::driver;
use missive::{Code, Diagnostic};

use super::{print_reports, status, usage, Common, Stream};

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

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Missive,
    Json,
}

pub fn run(common: &Common, mut args: CheckArgs) -> u8 {
    let mut common = common.clone();
    match super::project::apply(&mut common) {
        Ok(Some(project)) if args.paths.is_empty() && common.stdin_filename.is_none() => {
            args.paths = project.templates;
        }
        Ok(_) => {}
        Err(r) => {
            print_reports(&common, &[r], 1, Stream::Stdout, false);
            return super::FAILURE;
        }
    }
    if args.watch && common.stdin_filename.is_some() {
        return usage(
            &common,
            Stream::Stdout,
            "",
            Diagnostic::error(Code::Usage, "`--watch` watches files, not standard input")
                .help("give the template's path instead of `--stdin-filename`"),
        );
    }
    if args.watch {
        return watch(&common, &args);
    }
    once(&common, &args)
}

/// Checks on every change under the checked paths, clearing the terminal before each report.
fn watch(common: &Common, args: &CheckArgs) -> u8 {
    use notify_debouncer_mini::notify::{self, RecursiveMode, Watcher};
    use std::io::{IsTerminal, Write};

    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => return watch_failed(common, ".", &e.to_string()),
    };
    let mut watched = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    watched.extend(args.data.clone());
    for p in &watched {
        // A file is watched through its folder: editors save by replacing the file.
        let (target, mode) = if p.is_dir() {
            (p.clone(), RecursiveMode::Recursive)
        } else {
            let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
            (
                parent.map_or_else(|| PathBuf::from("."), std::path::Path::to_path_buf),
                RecursiveMode::NonRecursive,
            )
        };
        if let Err(e) = watcher.watch(&target, mode) {
            return watch_failed(common, &target.to_string_lossy(), &e.to_string());
        }
    }
    let clear = std::io::stdout().is_terminal();
    let mut status = once(common, args);
    loop {
        let _ = std::io::stdout().flush();
        let Ok(event) = rx.recv() else {
            return status;
        };
        // Gather the changes that come within 150 ms of each other (a save is several events).
        let mut relevant = is_change(&event);
        while let Ok(event) = rx.recv_timeout(std::time::Duration::from_millis(150)) {
            relevant |= is_change(&event);
        }
        if !relevant {
            continue;
        }
        if clear {
            print!("\x1b[2J\x1b[H");
        }
        status = once(common, args);
    }
}

/// Whether an event changed a template, data or project file. Opening and reading a file is
/// not a change: a check reads every file, and would otherwise wake the watcher forever.
fn is_change(
    event: &notify_debouncer_mini::notify::Result<notify_debouncer_mini::notify::Event>,
) -> bool {
    use notify_debouncer_mini::notify::event::{AccessKind, AccessMode, EventKind};
    let Ok(event) = event else { return false };
    let read_only =
        matches!(event.kind, EventKind::Access(a) if a != AccessKind::Close(AccessMode::Write));
    !read_only
        && event.paths.iter().any(|p| {
            p.extension()
                .is_some_and(|x| x == "missive" || x == "json" || x == "toml")
        })
}

fn watch_failed(common: &Common, path: &str, reason: &str) -> u8 {
    usage(
        common,
        Stream::Stdout,
        path,
        Diagnostic::error(Code::Io, format!("cannot watch `{path}`: {}", reason.to_lowercase()))
            .help("check that the path exists; on Linux, raise fs.inotify.max_user_watches if it is exhausted"),
    )
}

/// One check of every file: prints the report, returns the exit status.
fn once(common: &Common, args: &CheckArgs) -> u8 {
    let profile = match super::profile(common) {
        Ok(p) => p,
        Err(d) => return usage(common, Stream::Stdout, "", d),
    };
    let mut reports: Vec<FileReport> = Vec::new();
    let mut io_failure = false;

    let files = super::template_files(&args.paths, common.stdin_filename.as_deref());

    if args.data.is_some() && files.len() != 1 {
        return usage(
            common,
            Stream::Stdout,
            "",
            Diagnostic::error(
                Code::Usage,
                "`--data` checks one template, but several were given",
            )
            .help("run `missive check TEMPLATE --data FILE` once per template"),
        );
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
                    io_failure |= status == super::FAILURE;
                    reports.push(r);
                }
            }
        }
    }

    print_reports(common, &reports, files.len(), Stream::Stdout, true);
    status(common, &reports, io_failure)
}

#[cfg(test)]
mod tests {
    use super::is_change;
    use notify_debouncer_mini::notify::event::{
        AccessKind, AccessMode, CreateKind, DataChange, EventKind, ModifyKind,
    };
    use notify_debouncer_mini::notify::{Event, Result};

    fn event(kind: EventKind, path: &str) -> Result<Event> {
        Ok(Event::new(kind).add_path(path.into()))
    }

    #[test]
    fn reading_a_file_is_not_a_change_writing_one_is() {
        // A check reads every file: were a read a change, `--watch` would check again forever.
        for read in [
            AccessKind::Any,
            AccessKind::Read,
            AccessKind::Open(AccessMode::Any),
            AccessKind::Open(AccessMode::Read),
            AccessKind::Close(AccessMode::Read),
        ] {
            assert!(
                !is_change(&event(EventKind::Access(read), "t.missive")),
                "{read:?}"
            );
        }
        let write = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert!(is_change(&event(write, "t.missive")));
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        assert!(is_change(&event(modify, "t.missive")));
        assert!(is_change(&event(modify, "data/t.json")));
        assert!(is_change(&event(modify, "missive.toml")));
        assert!(is_change(&event(
            EventKind::Create(CreateKind::File),
            "new.missive"
        )));
        // Only the files a check reads count.
        assert!(!is_change(&event(modify, "notes.txt")));
    }
}
