//! `missive import PAYLOAD.json`: an existing JSON payload -> `.missive` source.

use std::path::PathBuf;

use clap::Args;

use missive::diagnostic::report::FileReport;

use super::{print_reports, Common, Stream, ERRORS};

#[derive(Args)]
pub struct ImportArgs {
    /// The payload: an iAdvize body, a bare attachment, or a Send API request (`-`: stdin).
    payload: String,
    /// Write the source to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(common: &Common, args: ImportArgs) -> u8 {
    let src = match super::load_or_report(common, &args.payload, args.payload == "-") {
        Ok(s) => s,
        Err(status) => return status,
    };
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
    } else {
        name
    };
    let mut report = FileReport::new(args.payload.clone());
    report.template = Some(src.clone());
    let source = match missive::import::to_source(&src.text, &name) {
        Ok((source, warnings)) => {
            report.diagnostics = warnings;
            source
        }
        Err(errors) => {
            report.diagnostics = errors;
            print_reports(common, &[report], 1, Stream::Stderr, false);
            return ERRORS;
        }
    };
    super::write_product(common, report, args.output.as_deref(), source.as_bytes())
}
