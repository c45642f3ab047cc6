//! Command-line parsing, file loading and report output, shared by the subcommands.

mod atomic;
mod batch;
mod build;
mod check;
mod completions;
mod explain;
mod fmt;
mod import;
mod lsp;
mod man;
mod new;
mod optin;
mod preview;
mod project;
mod rejects;
mod render;
mod sample;
mod send;
mod serve;
mod watch;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use missive::diagnostic::codes;
use missive::diagnostic::report::{self, FileReport};
use missive::{Code, Diagnostic, Profile, Severity, SourceFile, Span};

#[derive(Parser)]
#[command(
    name = "missive",
    version,
    about = "Author, check and render Messenger notifications for the iAdvize API",
    long_about = None,
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    common: Common,
}

/// Flags that every subcommand takes.
#[derive(Args, Clone)]
pub struct Common {
    /// Limits to check against: `iadvize` (default), `messenger`, or a TOML profile file.
    #[arg(long, global = true, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// How to print diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Read the template from standard input, reporting it under this name.
    #[arg(long, global = true, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Exit with status 1 when there are warnings (their severity is unchanged).
    #[arg(long, global = true)]
    pub deny_warnings: bool,
    /// The largest template source to parse, in bytes (default 16 MiB); a larger one is M0010.
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_source_bytes: Option<usize>,
    /// The deepest nesting of blocks (and JSON in `extra`) parsed (default 64, at most 256);
    /// deeper is M0004.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_depth: Option<u16>,
    /// The diagnostics of one file the human report shows (default 100; 0: all); it counts
    /// the rest.
    #[arg(long, global = true, value_name = "N")]
    pub max_diagnostics: Option<usize>,
    /// The largest JSON document read (data file, batch record, payload), in bytes (default
    /// 256 MiB); a larger one is M3025.
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_data_bytes: Option<usize>,
    /// The work one interpolation may do while rendering, in template-engine steps (default
    /// 1,000,000); running out of it is M3007.
    #[arg(long, global = true, value_name = "STEPS")]
    pub fuel: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical reports with source snippets (colours unless NO_COLOR is set).
    Human,
    /// One line per diagnostic: PATH:LINE:COL: SEVERITY[CODE]: MESSAGE.
    Short,
    /// One JSON document with every diagnostic and a summary.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
}

#[derive(Subcommand)]
enum Command {
    /// Check templates (files, or folders searched recursively for *.missive).
    Check(check::CheckArgs),
    /// Render a template with data into the API body (or the whole request).
    Render(render::RenderArgs),
    /// Explain a diagnostic code, with a wrong and a right example; or, with `--api-error`, map
    /// an API error back to the template line and the data that produced it.
    Explain(explain::ExplainArgs),
    /// Turn an existing JSON payload into `.missive` source.
    Import(import::ImportArgs),
    /// Render every template with its sample data, and write its input's JSON Schema.
    Build(build::BuildArgs),
    /// Print a shell completion script.
    Completions(completions::CompletionsArgs),
    /// Print the man page (or write one per command into a folder).
    Man(man::ManArgs),
    /// Rewrite templates in the canonical layout (`-`: standard input to standard output).
    Fmt(fmt::FmtArgs),
    /// Run the language server over stdio (for editors: diagnostics, completion, hover, ...).
    Lsp,
    /// Print the web page's opt-in snippet, with the customer_id built from the template's scheme.
    Optin(optin::OptinArgs),
    /// Draw a template rendered with data as Messenger shows it: one self-contained HTML
    /// page (or served on 127.0.0.1 and reloaded on every change, with `--serve`).
    Preview(preview::PreviewArgs),
    /// Render each record and POST it to the iAdvize API, through a journal.
    Send(send::SendArgs),
    /// Write sample data for a template from its `input`: plausible values, or with
    /// `--worst-case` every string and list at its declared `max`.
    Sample(sample::SampleArgs),
    /// Start a template and its sample data (and a `missive.toml` when there is none).
    New(new::NewArgs),
}

/// The exit statuses, in order of gravity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Success (warnings allowed).
    Ok = 0,
    /// Diagnostics with errors (or warnings, with `--deny-warnings`).
    Errors = 1,
    /// A usage or I/O failure.
    Failure = 2,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

/// What a subcommand returns: how it ended normally, or an [`Exit`] that `?` carried up.
pub type Outcome = Result<ExitCode, Exit>;

/// A command that ends early: its status and the reports saying why, printed on the way out
/// in the `--format` asked for.
#[derive(Debug)]
pub struct Exit {
    status: Status,
    stream: Stream,
    reports: Vec<FileReport>,
    /// The files looked at, for the JSON summary.
    files: usize,
}

impl Exit {
    /// A usage error (a bad flag combination, a bad profile), about `path` (or nothing: `""`):
    /// exit 2.
    pub fn usage(stream: Stream, path: &str, d: Diagnostic) -> Exit {
        let mut r = FileReport::new(path);
        r.diagnostics.push(d);
        Exit {
            status: Status::Failure,
            stream,
            reports: vec![r],
            files: 0,
        }
    }

    /// Reports about one file (and the files it reads), then `status`.
    pub fn reports(status: Status, stream: Stream, reports: Vec<FileReport>) -> Exit {
        Exit {
            status,
            stream,
            reports,
            files: 1,
        }
    }

    /// Reports about `files` files, then `status`.
    pub fn files(status: Status, stream: Stream, reports: Vec<FileReport>, files: usize) -> Exit {
        Exit {
            status,
            stream,
            reports,
            files,
        }
    }

    /// Prints the reports; the exit status.
    pub fn finish(self, common: &Common) -> ExitCode {
        if !self.reports.is_empty() {
            print_reports(common, &self.reports, self.files, self.stream, false);
        }
        self.status.into()
    }
}

/// A command's context: the flags with the project file's defaults filled in, and the project
/// file, when there is one.
pub struct Session {
    pub common: Common,
    pub project: Option<project::Project>,
}

impl Session {
    /// Reads the nearest project file (`missive.toml`) into the flags the command line left
    /// unset; a broken one is reported on `stream` (exit 2).
    pub fn open(common: &Common, stream: Stream) -> Result<Session, Exit> {
        let mut common = common.clone();
        match project::apply(&mut common) {
            Ok(project) => {
                set_limits(&common);
                Ok(Session { common, project })
            }
            Err(r) => Err(Exit::reports(Status::Failure, stream, vec![r])),
        }
    }

    /// The profile named by `--profile` or the project file, or a usage error on `stream`.
    /// (Read each time: `check --watch` sees a profile file change.)
    pub fn profile(&self, stream: Stream) -> Result<Profile, Exit> {
        profile(&self.common).map_err(|d| Exit::usage(stream, "", d))
    }
}

/// The library's process-wide limits, from the flags (and the project file, once applied).
fn set_limits(common: &Common) {
    if let Some(limit) = common.max_source_bytes {
        missive::syntax::set_max_source_bytes(limit);
    }
    if let Some(limit) = common.max_depth {
        missive::syntax::set_max_depth(limit.into());
    }
    if let Some(limit) = common.max_data_bytes {
        missive::json::set_max_bytes(limit);
    }
    if let Some(fuel) = common.fuel {
        missive::check::set_fuel(fuel);
    }
}

pub fn run(args: Vec<std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&args, e).into(),
    };
    let common = &cli.common;
    set_limits(common);
    let outcome = match cli.command {
        Command::Check(a) => check::run(common, a),
        Command::Render(a) => render::run(common, a),
        Command::Preview(a) => preview::run(common, a),
        Command::Explain(a) => explain::run(common, a),
        Command::Import(a) => import::run(common, a),
        Command::Build(a) => build::run(common, a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
        Command::Fmt(a) => fmt::run(common, a),
        Command::Lsp => lsp::run(common),
        Command::Optin(a) => optin::run(common, a),
        Command::Send(a) => send::run(common, a),
        Command::Sample(a) => sample::run(common, a),
        Command::New(a) => new::run(common, a),
    };
    outcome.unwrap_or_else(|exit| exit.finish(common))
}

/// clap's errors: help and version are not errors; the rest are usage errors (exit 2), in JSON
/// when `--format json` was asked for.
fn usage_error(args: &[std::ffi::OsString], e: clap::Error) -> Status {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            Status::Failure
        } else {
            Status::Ok
        };
    }
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let format = words
        .windows(2)
        .find(|w| w[0] == "--format")
        .map(|w| w[1].clone())
        .or_else(|| {
            words
                .iter()
                .find_map(|w| w.strip_prefix("--format=").map(str::to_string))
        });
    // `check` and `explain --api-error` report on stdout; the other commands keep stdout for
    // their product.
    let has = |word: &str| {
        words
            .iter()
            .skip(1)
            .any(|w| w == word || w.starts_with(&format!("{word}=")))
    };
    let on_stdout = has("check") || (has("explain") && has("--api-error"));
    let message = first_line(&e.to_string()).to_string();
    let text = match format.as_deref() {
        Some("json") => {
            let d = codes::m9002_usage(message).help("run `missive --help` for the usage");
            let mut r = FileReport::new("");
            r.diagnostics.push(d);
            report::json(&[r], 0)
        }
        Some("short") => format!("error[{}]: {message}\n", Code::Usage),
        Some("sarif") => {
            let mut r = FileReport::new("");
            r.diagnostics
                .push(codes::m9002_usage(message).help("run `missive --help` for the usage"));
            report::sarif(&[r])
        }
        _ => {
            // clap's own report, under the code every usage error has.
            let text = e.render().to_string();
            format!(
                "error[{}]: {}",
                Code::Usage,
                text.strip_prefix("error: ").unwrap_or(&text)
            )
        }
    };
    if on_stdout {
        print!("{text}");
    } else {
        eprint!("{text}");
    }
    Status::Failure
}

fn first_line(s: &str) -> &str {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .trim_start_matches("error: ")
}

/// The clap definition of the command line, for completions and the man page.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Compiles a template read from `path` through the driver: its report (the source attached,
/// the checker's diagnostics in it) and the template, when it compiled. The file's stem is the
/// name the `notification` header is compared with.
pub fn compile_file(
    path: &str,
    src: Arc<SourceFile>,
    profile: Profile,
) -> (FileReport, Option<missive::Template>) {
    missive::driver::compile_one(&template_input(path, src), &profile)
}

/// A template (or part file) read from `path`, with the shared parts of the `parts/` folder
/// beside it (for a part file: its own folder). A part file that cannot be read is reported
/// when the folder is checked; here its parts are missing (M1020 at their uses).
pub fn template_input(path: &str, src: Arc<SourceFile>) -> missive::driver::Input {
    let input = missive::driver::Input::template(path, src);
    let file = Path::new(path);
    let folder = file.parent().unwrap_or(Path::new(""));
    let parts = if input.kind == missive::driver::Kind::Part {
        folder.to_path_buf()
    } else {
        folder.join("parts")
    };
    let catalogue = missive::check::parts::Catalogue::read_dir(&parts).unwrap_or_default();
    input.with_parts(Arc::new(catalogue))
}

/// The profile named by `--profile` (or the project file), or a usage diagnostic.
pub fn profile(common: &Common) -> Result<Profile, Diagnostic> {
    Profile::resolve(common.profile.as_deref().unwrap_or("iadvize")).map_err(|message| {
        let help = if message.starts_with("unknown profile") {
            "give a built-in name, or the path to a TOML profile file (a value containing `/` or ending in `.toml`)"
        } else {
            "a profile file sets `extends`, `name`, `description` and `[limits.KEY]` tables; the README lists the keys"
        };
        codes::m9003_profile(message).help(help)
    })
}

/// The templates that PATHs name, in a stable order: files as given, folders searched
/// recursively for `*.missive`.
pub fn templates(paths: &[PathBuf]) -> Vec<String> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(search(p, "missive"));
        } else {
            files.push(p.to_string_lossy().into_owned());
        }
    }
    files
}

/// The files of `folder` and its subfolders ending in `.EXTENSION`, sorted, but in the folders
/// a search skips.
pub fn search(folder: &Path, extension: &str) -> Vec<String> {
    let mut found: Vec<String> = walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        // Build output, dependencies and hidden folders are not the project's templates (a
        // folder named on the command line is always searched).
        .filter_entry(|e| e.depth() == 0 || !skipped_folder(e))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == extension))
        .map(|e| e.path().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

/// Folders a search skips: hidden ones, `target` and `node_modules`.
fn skipped_folder(e: &walkdir::DirEntry) -> bool {
    let name = e.file_name().to_string_lossy();
    e.file_type().is_dir() && (name.starts_with('.') || name == "target" || name == "node_modules")
}

/// A template file read for checking: its source, or the report that explains why not.
pub enum Loaded {
    Source(Arc<SourceFile>),
    /// Read, but not UTF-8 or otherwise unusable: a located diagnostic (exit 1).
    Invalid(FileReport),
    /// Not readable: an I/O diagnostic (exit 2).
    Failed(FileReport),
}

/// The one template a command reads: its path, or with `--stdin-filename` standard input under
/// that name (`true`); neither is the usage error `none` (M9002).
/// The template and the data given the wrong way round (`render records.ndjson --data-ndjson
/// t.missive`): the data read as a template makes an error per line.
pub fn swapped(template: &str, data: &str, flag: &str, command: &str) -> Option<Diagnostic> {
    let records = |p: &str| {
        [".ndjson", ".jsonl", ".json"]
            .iter()
            .any(|e| p.ends_with(e))
    };
    (data.ends_with(".missive") && (records(template) || !template.ends_with(".missive"))).then(
        || {
            codes::m9002_usage(format!(
            "the template and the data look swapped: `{data}`, given with `{flag}`, is a template"
        ))
            .help(format!(
                "give the template first: `missive {command} {data} {flag} {template}`"
            ))
        },
    )
}

pub fn one_template(
    template: Option<&std::path::Path>,
    common: &Common,
    none: Diagnostic,
) -> Result<(String, bool), Exit> {
    match (template, &common.stdin_filename) {
        (Some(p), _) => Ok((p.to_string_lossy().into_owned(), false)),
        (None, Some(name)) => Ok((name.clone(), true)),
        (None, None) => Err(Exit::usage(Stream::Stderr, "", none)),
    }
}

/// The templates named on the command line, in a stable order, each with whether it is read
/// from standard input: the `--stdin-filename` input first, then each path (a folder is
/// searched recursively for `*.missive`); no path and no standard input means `.`.
pub fn template_files(paths: &[PathBuf], stdin_filename: Option<&str>) -> Vec<(String, bool)> {
    let mut files: Vec<(String, bool)> = Vec::new();
    if let Some(name) = stdin_filename {
        files.push((name.to_string(), true));
    }
    let paths = if paths.is_empty() && stdin_filename.is_none() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    files.extend(templates(&paths).into_iter().map(|f| (f, false)));
    files
}

/// Reads a file (or standard input, for `-`), as UTF-8.
pub fn load(path: &str, from_stdin: bool) -> Loaded {
    let mut bytes = Vec::new();
    let read = if from_stdin {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    if let Err(e) = read {
        let what = if from_stdin {
            "standard input".to_string()
        } else {
            format!("`{path}`")
        };
        let mut r = FileReport::new(path);
        let help = match similar_file(path).filter(|_| e.kind() == std::io::ErrorKind::NotFound) {
            Some(near) => format!("a file with a similar name exists: `{near}`"),
            None => "check the path and that the file is readable".to_string(),
        };
        r.diagnostics.push(
            codes::m9001_io(
                Severity::Error,
                format!("cannot read {what}: {}", io_reason(&e, path)),
            )
            .help(help),
        );
        return Loaded::Failed(r);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Loaded::Source(Arc::new(SourceFile::new(path, text))),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let src = Arc::new(SourceFile::new(path, text));
            let lc = src.line_col(at);
            let mut r = FileReport::new(path);
            r.diagnostics.push(
                codes::m0007_not_utf8(format!(
                    "`{path}` is not UTF-8 text (invalid byte at line {}, column {})",
                    lc.line, lc.column
                ))
                // The lossy text holds U+FFFD where the invalid byte was.
                .at(
                    Span::new(at, at + '\u{FFFD}'.len_utf8()),
                    "the first invalid byte",
                )
                .help("save the file as UTF-8; templates and data must be UTF-8 encoded"),
            );
            r.template = Some(src);
            Loaded::Invalid(r)
        }
    }
}

/// Reads one of the files a command goes through: its source, or its report added to `reports`
/// (setting `io_failure` when the file could not be read at all).
pub fn load_into(
    path: &str,
    from_stdin: bool,
    reports: &mut Vec<FileReport>,
    io_failure: &mut bool,
) -> Option<Arc<SourceFile>> {
    match load(path, from_stdin) {
        Loaded::Source(s) => Some(s),
        Loaded::Invalid(r) => {
            reports.push(r);
            None
        }
        Loaded::Failed(r) => {
            *io_failure = true;
            reports.push(r);
            None
        }
    }
}

/// Reads the file a command works on, or reports why not and gives the exit status: 1 for a
/// file that is not UTF-8 (a located diagnostic), 2 for one that cannot be read.
pub fn load_or_report(path: &str, from_stdin: bool) -> Result<Arc<SourceFile>, Exit> {
    match load(path, from_stdin) {
        Loaded::Source(s) => Ok(s),
        Loaded::Invalid(r) => Err(Exit::reports(Status::Errors, Stream::Stderr, vec![r])),
        Loaded::Failed(r) => Err(Exit::reports(Status::Failure, Stream::Stderr, vec![r])),
    }
}

/// An I/O error in words, without the OS's error numbers.
/// For a path that does not exist, a file of its folder with a close name and the same
/// extension (`templates/restock.missive` -> `templates/restock_alert.missive`): a near name,
/// or the one file whose name starts with the one given.
pub fn similar_file(path: &str) -> Option<String> {
    let given = Path::new(path);
    let stem = given.file_stem()?.to_str()?;
    let ext = given.extension().and_then(|e| e.to_str());
    let folder = given.parent().filter(|p| !p.as_os_str().is_empty());
    let names: Vec<String> = std::fs::read_dir(folder.unwrap_or(Path::new(".")))
        .ok()?
        .flatten()
        .take(10_000)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| Path::new(n).extension().and_then(|e| e.to_str()) == ext)
        .collect();
    let stems: Vec<&str> = names
        .iter()
        .filter_map(|n| Path::new(n).file_stem()?.to_str())
        .collect();
    let near = missive::suggest(stem, stems.iter().copied()).or_else(|| {
        let mut starting = stems
            .iter()
            .filter(|s| s.starts_with(stem) && !stem.is_empty());
        match (starting.next(), starting.next()) {
            (Some(one), None) => Some(*one),
            _ => None,
        }
    })?;
    let name = match ext {
        Some(ext) => format!("{near}.{ext}"),
        None => near.to_string(),
    };
    Some(match folder {
        Some(f) => f.join(name).to_string_lossy().into_owned(),
        None => name,
    })
}

pub fn io_reason(e: &std::io::Error, path: &str) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ if Path::new(path).is_dir() => "it is a folder".to_string(),
        _ => {
            let text = e.to_string();
            text.split(" (os error")
                .next()
                .unwrap_or(&text)
                .to_lowercase()
        }
    }
}

/// Whether standard input is a regular file (`< records.ndjson`), which a batch stopped early
/// may read to its end to count what is left; a pipe or a terminal may never end.
pub fn stdin_is_regular_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Reads a data file (`-`: standard input). A file that cannot be read is an I/O failure
/// (exit 2); one that is not UTF-8 is a located data error (M3001, exit 1). Either way the
/// report names the data file.
pub fn load_data(path: &str) -> Result<Arc<SourceFile>, (FileReport, Status)> {
    // Standard input is named as a batch names it.
    let from_stdin = path == "-";
    let path = if from_stdin { "<stdin>" } else { path };
    match load(path, from_stdin) {
        Loaded::Source(s) => Ok(s),
        Loaded::Failed(r) => Err((r, Status::Failure)),
        Loaded::Invalid(mut r) => {
            let src = r.template.take();
            for d in &mut r.diagnostics {
                let read = std::mem::replace(
                    d,
                    codes::m3001_invalid_json(format!("invalid JSON: {}", d.message)),
                );
                d.labels = read.labels;
                d.help = read.help;
                d.notes = read.notes;
                for l in &mut d.labels {
                    l.origin = missive::diagnostic::Origin::Data;
                }
            }
            r.data = src;
            Err((r, Status::Errors))
        }
    }
}

/// Where a report goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Prints reports in the chosen format. `files` counts the files looked at, for the summary.
pub fn print_reports(
    common: &Common,
    reports: &[FileReport],
    files: usize,
    stream: Stream,
    summary: bool,
) {
    let text = match common.format {
        Format::Json => report::json(reports, files),
        Format::Short => report::short(reports),
        Format::Sarif => report::sarif(reports),
        Format::Human => {
            let tty = match stream {
                Stream::Stdout => std::io::stdout().is_terminal(),
                Stream::Stderr => std::io::stderr().is_terminal(),
            };
            let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let max = common.max_diagnostics.unwrap_or(report::MAX_SHOWN_PER_FILE);
            let mut t = report::human_limited(reports, color, max);
            if summary {
                t.push_str(&summary_line(reports, files));
            }
            t
        }
    };
    if text.is_empty() {
        return;
    }
    let _ = match stream {
        Stream::Stdout => std::io::stdout().lock().write_all(text.as_bytes()),
        Stream::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
    };
}

fn summary_line(reports: &[FileReport], files: usize) -> String {
    let c = report::count(reports);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if c.errors == 0 && c.warnings == 0 {
        format!("{} checked: no problems found\n", plural(files, "file"))
    } else {
        format!(
            "{} checked: {}, {}\n{}",
            plural(files, "file"),
            plural(c.errors, "error"),
            plural(c.warnings, "warning"),
            fixable_line(reports)
        )
    }
}

/// How many diagnostics `check --fix` would fix (a safe fix), and how many more
/// `--unsafe-fixes` would: a line under the summary, or nothing when there are none.
fn fixable_line(reports: &[FileReport]) -> String {
    let (mut safe, mut unsafe_only) = (0, 0);
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        let mut fixes = d.fixes().peekable();
        if fixes.peek().is_none() {
            continue;
        }
        if fixes.any(|f| f.is_safe()) {
            safe += 1;
        } else {
            unsafe_only += 1;
        }
    }
    match (safe, unsafe_only) {
        (0, 0) => String::new(),
        (0, u) => format!("{u} fixable with `missive check --fix --unsafe-fixes` (review the changes)\n"),
        (s, 0) => format!("{s} fixable with `missive check --fix`\n"),
        (s, u) => format!(
            "{s} fixable with `missive check --fix`, {u} more with `--unsafe-fixes` (review those)\n"
        ),
    }
}

/// The exit status for a set of reports.
pub fn status(common: &Common, reports: &[FileReport], io_failure: bool) -> Status {
    let c = report::count(reports);
    if io_failure {
        Status::Failure
    } else if c.errors > 0 || (common.deny_warnings && c.warnings > 0) {
        Status::Errors
    } else {
        Status::Ok
    }
}

/// Writes a command's product to `-o FILE` (`-`: stdout) or stdout, then its diagnostics to
/// stderr; a write failure is an I/O error named by the file (exit 2). The file the command
/// read (`import self.json -o self.json`) is not written over.
pub fn write_product(
    common: &Common,
    report: FileReport,
    output: Option<&Path>,
    bytes: &[u8],
) -> Outcome {
    let output = output.filter(|o| *o != Path::new("-"));
    if let Some(file) = output {
        let same = |a: &Path, b: &Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b);
        if same(file, Path::new(&report.path)) {
            return Err(Exit::usage(
                Stream::Stderr,
                "",
                codes::m9002_usage(format!(
                    "`-o {}` is the file this command reads: it would be written over",
                    file.display()
                ))
                .help("name another file with `-o`, or leave `-o` out to print the result"),
            ));
        }
    }
    let written = match output {
        Some(file) => {
            atomic::write(file, bytes).map_err(|e| (file.to_string_lossy().into_owned(), e))
        }
        None => std::io::stdout()
            .lock()
            .write_all(bytes)
            .map_err(|e| ("-".to_string(), e)),
    };
    if let Err((what, e)) = written {
        let failed = write_failure(&what, &e);
        return Err(Exit::reports(
            Status::Failure,
            Stream::Stderr,
            vec![report, failed],
        ));
    }
    print_reports(
        common,
        std::slice::from_ref(&report),
        1,
        Stream::Stderr,
        false,
    );
    Ok(status(common, &[report], false).into())
}

/// After [`write_product`] wrote `-o FILE`: one line on stderr saying so, in the human
/// format only (as `build` says what it built).
pub fn say_written(common: &Common, output: Option<&Path>, outcome: &Outcome) {
    if let (Some(file), Ok(_), Format::Human) = (output, outcome, common.format) {
        eprintln!("wrote {}", file.display());
    }
}

/// The report of a file (or `-`, standard output) that could not be written.
pub fn write_failure(what: &str, e: &std::io::Error) -> FileReport {
    let mut failed = FileReport::new(what);
    failed.diagnostics.push(
        codes::m9001_io(
            Severity::Error,
            format!("cannot write `{what}`: {}", io_reason(e, what)),
        )
        .help("check that the file and its folder exist and are writable"),
    );
    failed
}

pub use atomic::replace;

/// A unified diff of a file's text before and after a change (`check --diff`, `fmt --check
/// --diff`), with `a/` and `b/` headers as git writes them.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The template compiled for the locale `key` (`--locale KEY`), or a usage error that lists
/// the locales the template declares.
fn template_locale<'t>(
    template: &'t missive::Template,
    key: &str,
) -> Result<&'t missive::Template, missive::Diagnostic> {
    if let Some(t) = template.for_locale(key) {
        return Ok(t);
    }
    let keys: Vec<String> = template
        .locales()
        .iter()
        .map(|l| format!("`{}`", l.key))
        .collect();
    Err(if keys.is_empty() {
        codes::m9002_usage(format!(
            "`--locale {key}`: the template declares no `locales`"
        ))
        .help("declare them in the template (`locales { en: \"en-IE\", fr: \"fr-FR\" }`), or leave out `--locale`")
    } else {
        codes::m9002_usage(format!(
            "`--locale {key}`: the template does not declare this locale"
        ))
        .help(format!("give one of {}", keys.join(", ")))
    })
}
