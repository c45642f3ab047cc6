//! `missive import PAYLOAD.json`: an existing JSON payload -> `.missive` source.

use std::path::PathBuf;

use clap::Args;

use missive::diagnostic::report::FileReport;

use super::{Common, Exit, Outcome, Session, Status, Stream};

#[derive(Args)]
pub struct ImportArgs {
    /// The payload: an iAdvize body, a bare attachment, or a Send API request (`-`: stdin).
    payload: String,
    /// Write the source to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(common: &Common, args: ImportArgs) -> Outcome {
    // The project file's limits and profile hold here too: the template is written for the
    // project, whose commands will read it under them (`max-source-bytes` above all).
    let session = Session::open(common, Stream::Stderr)?;
    let common = &session.common;
    let src = super::load_or_report(&args.payload, args.payload == "-")?;
    // The notification is named after the output file, or the payload's.
    let named = args
        .output
        .as_ref()
        .map(|o| o.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.payload.clone());
    let name: String = std::path::Path::new(&named)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| s != "-")
        .unwrap_or_else(|| "imported".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{name}")
    } else if missive::syntax::KEYWORDS.contains(&name.as_str()) {
        // `if.json`, `-o null.missive`: `notification if` would not parse.
        format!("{name}_notification")
    } else {
        name
    };
    let mut report = FileReport::new(args.payload.clone());
    report.template = Some(src.clone());
    let profile = super::profile(common).map_err(|d| Exit::usage(Stream::Stderr, "", d))?;
    // A payload with errors still gives its template (exit 1), so that it can be fixed there.
    let (source, diagnostics) = missive::import::to_source_anyway(&src.text, &name, &profile);
    report.diagnostics = diagnostics;
    let Some(source) = source else {
        return Err(Exit::reports(Status::Errors, Stream::Stderr, vec![report]));
    };
    super::write_product(common, report, args.output.as_deref(), source.as_bytes())
}
