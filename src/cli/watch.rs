//! `check --watch`: check again whenever a template, data or project file changes, through
//! notify's debouncer (a save is several events; they come as one).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use notify_debouncer_mini::notify::{self, RecursiveMode, Watcher};
use notify_debouncer_mini::{new_debouncer_opt, Config, DebounceEventResult};

use missive::diagnostic::codes;
use missive::Severity;

use super::{Exit, Stream};

/// How long the files must be quiet before a check: a save is several events.
const QUIET: Duration = Duration::from_millis(150);

/// Runs `check` once, then again on every change under `paths` (a file is watched through its
/// folder: editors save by replacing the file), clearing the terminal before each report.
/// Returns the last check's status when the watcher stops.
pub fn run(paths: &[PathBuf], check: impl Fn() -> ExitCode) -> Result<ExitCode, Exit> {
    use std::io::{IsTerminal, Write};

    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let config = Config::default().with_timeout(QUIET);
    let mut debouncer = match new_debouncer_opt::<_, Changes>(config, tx) {
        Ok(d) => d,
        Err(e) => return Err(failed(".", &e.to_string())),
    };
    for p in paths {
        let (target, mode) = if p.is_dir() {
            (p.clone(), RecursiveMode::Recursive)
        } else {
            let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
            (
                parent.map_or_else(|| PathBuf::from("."), Path::to_path_buf),
                RecursiveMode::NonRecursive,
            )
        };
        if let Err(e) = debouncer.watcher().watch(&target, mode) {
            return Err(failed(&target.to_string_lossy(), &e.to_string()));
        }
        // A template's shared parts: a change to one re-checks the templates that use it.
        let parts = target.join("parts");
        if mode == RecursiveMode::NonRecursive && parts.is_dir() {
            if let Err(e) = debouncer.watcher().watch(&parts, mode) {
                return Err(failed(&parts.to_string_lossy(), &e.to_string()));
            }
        }
    }
    let clear = std::io::stdout().is_terminal();
    let mut status = check();
    loop {
        let _ = std::io::stdout().flush();
        let Ok(batch) = rx.recv() else {
            return Ok(status);
        };
        if !batch.is_ok_and(|events| !events.is_empty()) {
            continue;
        }
        if clear {
            print!("\x1b[2J\x1b[H");
        }
        status = check();
    }
}

/// The platform's watcher, passing on only the events that change a template, data or project
/// file (the debouncer keeps paths, not kinds, so the filter comes before it).
struct Changes(notify::RecommendedWatcher);

impl Watcher for Changes {
    fn new<F: notify::EventHandler>(
        mut handler: F,
        config: notify::Config,
    ) -> notify::Result<Self> {
        let filter = move |event: notify::Result<notify::Event>| {
            if is_change(&event) {
                handler.handle_event(event);
            }
        };
        notify::RecommendedWatcher::new(filter, config).map(Changes)
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        self.0.watch(path, mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.0.unwatch(path)
    }

    fn kind() -> notify::WatcherKind {
        notify::RecommendedWatcher::kind()
    }
}

/// Whether an event changed a template, data or project file. Opening and reading a file is
/// not a change: a check reads every file, and would otherwise wake the watcher forever.
fn is_change(event: &notify::Result<notify::Event>) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    let Ok(event) = event else { return false };
    let read_only =
        matches!(event.kind, EventKind::Access(a) if a != AccessKind::Close(AccessMode::Write));
    !read_only
        && event.paths.iter().any(|p| {
            p.extension()
                .is_some_and(|x| x == "missive" || x == "json" || x == "toml")
        })
}

fn failed(path: &str, reason: &str) -> Exit {
    Exit::usage(
        Stream::Stdout,
        path,
        codes::m9001_io(Severity::Error, format!("cannot watch `{path}`: {}", reason.to_lowercase()))
            .help("check that the path exists; on Linux, raise fs.inotify.max_user_watches if it is exhausted"),
    )
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
