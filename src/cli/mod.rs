//! Command-line parsing, file loading and report output, shared by the subcommands.

mod check;
mod explain;
mod render;

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};

use missive::diagnostic::report::{self, FileReport};
use missive::{Code, Diagnostic, Profile, SourceFile, Span};

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
    #[arg(
        long,
        global = true,
        value_name = "NAME|FILE",
        default_value = "iadvize"
    )]
    pub profile: String,
    /// How to print diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Read the template from standard input, reporting it under this name.
    #[arg(long, global = true, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Exit with status 1 when there are warnings (their severity is unchanged).
    #[arg(long, global = true)]
    pub deny_warnings: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical reports with source snippets (colours unless NO_COLOR is set).
    Human,
    /// One line per diagnostic: PATH:LINE:COL: SEVERITY[CODE]: MESSAGE.
    Short,
    /// One JSON document with every diagnostic and a summary.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check templates (files, or folders searched recursively for *.missive).
    Check(check::CheckArgs),
    /// Render a template with data into the API body (or the whole request).
    Render(render::RenderArgs),
    /// Explain a diagnostic code, with a wrong and a right example.
    Explain(explain::ExplainArgs),
}

/// Exit statuses.
pub const OK: u8 = 0;
pub const ERRORS: u8 = 1;
pub const FAILURE: u8 = 2;

pub fn run(args: Vec<std::ffi::OsString>) -> u8 {
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&args, e),
    };
    match cli.command {
        Command::Check(a) => check::run(&cli.common, a),
        Command::Render(a) => render::run(&cli.common, a),
        Command::Explain(a) => explain::run(a),
    }
}

/// clap's errors: help and version are not errors; the rest are usage errors (exit 2), in JSON
/// when `--format json` was asked for.
fn usage_error(args: &[std::ffi::OsString], e: clap::Error) -> u8 {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            FAILURE
        } else {
            OK
        };
    }
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let json = words
        .windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json")
        || words.iter().any(|w| w == "--format=json");
    if json {
        let message = e
            .kind()
            .as_str()
            .map_or_else(|| "invalid command line".to_string(), str::to_string);
        let detail = e.to_string();
        let d = Diagnostic::error(
            Code::Usage,
            format!("{}: {}", message.to_lowercase(), first_line(&detail)),
        )
        .help("run `missive --help` for the usage");
        let mut r = FileReport::new("");
        r.diagnostics.push(d);
        let text = report::json(&[r], 0);
        if words.get(1).is_some_and(|w| w == "check") {
            print!("{text}");
        } else {
            eprint!("{text}");
        }
    } else {
        // clap's own report, under the code every usage error has.
        let text = e.render().to_string();
        let text = text.strip_prefix("error: ").unwrap_or(&text);
        eprint!("error[{}]: {text}", Code::Usage);
    }
    FAILURE
}

fn first_line(s: &str) -> &str {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .trim_start_matches("error: ")
}

/// The profile named by `--profile`, or a usage diagnostic.
pub fn profile(common: &Common) -> Result<Profile, Diagnostic> {
    Profile::resolve(&common.profile).map_err(|message| {
        let help = if message.starts_with("unknown profile") {
            "give a built-in name, or the path to a TOML profile file (a value containing `/` or ending in `.toml`)"
        } else {
            "a profile file sets `extends`, `name`, `description` and `[limits.KEY]` tables; the README lists the keys"
        };
        Diagnostic::error(Code::Profile, message).help(help)
    })
}

/// A template file read for checking: its source, or the report that explains why not.
pub enum Loaded {
    Source(Arc<SourceFile>),
    /// Read, but not UTF-8 or otherwise unusable: a located diagnostic (exit 1).
    Invalid(FileReport),
    /// Not readable: an I/O diagnostic (exit 2).
    Failed(FileReport),
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
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ if Path::new(path).is_dir() => "it is a folder".to_string(),
            _ => e.to_string(),
        };
        let mut r = FileReport::new(path);
        r.diagnostics.push(
            Diagnostic::error(Code::Io, format!("cannot read {what}: {reason}"))
                .help("check the path and that the file is readable"),
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
                Diagnostic::error(
                    Code::NotUtf8,
                    format!(
                        "`{path}` is not UTF-8 text (invalid byte at line {}, column {})",
                        lc.line, lc.column
                    ),
                )
                .at(Span::new(at, at + 1), "the first invalid byte")
                .help("save the file as UTF-8; templates and data must be UTF-8 encoded"),
            );
            r.template = Some(src);
            Loaded::Invalid(r)
        }
    }
}

/// Where a report goes.
#[derive(Clone, Copy, PartialEq, Eq)]
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
        Format::Human => {
            let tty = match stream {
                Stream::Stdout => std::io::stdout().is_terminal(),
                Stream::Stderr => std::io::stderr().is_terminal(),
            };
            let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let mut t = report::human(reports, color);
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
            "{} checked: {}, {}\n",
            plural(files, "file"),
            plural(c.errors, "error"),
            plural(c.warnings, "warning")
        )
    }
}

/// The exit status for a set of reports.
pub fn status(common: &Common, reports: &[FileReport], io_failure: bool) -> u8 {
    let c = report::count(reports);
    if io_failure {
        FAILURE
    } else if c.errors > 0 || (common.deny_warnings && c.warnings > 0) {
        ERRORS
    } else {
        OK
    }
}

/// A usage error (a bad flag combination): reported on `stream`, exit 2.
pub fn usage(common: &Common, stream: Stream, path: &str, d: Diagnostic) -> u8 {
    let mut r = FileReport::new(path);
    r.diagnostics.push(d);
    print_reports(common, &[r], 0, stream, false);
    FAILURE
}
