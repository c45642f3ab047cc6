//! `missive sample`: sample data for a template, from its `input`: plausible values, or with
//! `--worst-case` the longest data the declarations allow.

use std::path::PathBuf;

use clap::Args;

use missive::diagnostic::codes;
use missive::sample::{generate_json, SampleKind};

use super::{Common, Exit, Outcome, Session, Status, Stream};

#[derive(Args)]
pub struct SampleArgs {
    /// The template (or use `--stdin-filename` to read it from standard input).
    template: Option<PathBuf>,
    /// Every string at its declared `max`, every list at its `max`, every optional value
    /// present (plausible values by default).
    #[arg(long)]
    worst_case: bool,
    /// Write the JSON to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(common: &Common, args: SampleArgs) -> Outcome {
    let session = Session::open(common, Stream::Stderr)?;
    let common = &session.common;
    let profile = session.profile(Stream::Stderr)?;
    let (path, from_stdin) = super::one_template(
        args.template.as_deref(),
        common,
        codes::m9002_usage("no template to make sample data for")
            .help("run `missive sample TEMPLATE [--worst-case] [-o FILE]`"),
    )?;
    let src = super::load_or_report(&path, from_stdin)?;
    let (mut report, template) = super::compile_file(&path, src, profile);
    missive::diagnostic::sort(&mut report.diagnostics);
    let Some(template) = template else {
        return Err(Exit::reports(Status::Errors, Stream::Stderr, vec![report]));
    };
    let kind = if args.worst_case {
        SampleKind::WorstCase
    } else {
        SampleKind::Plausible
    };
    let json = generate_json(&template, kind);
    let outcome = super::write_product(common, report, args.output.as_deref(), json.as_bytes());
    super::say_written(common, args.output.as_deref(), &outcome);
    outcome
}
