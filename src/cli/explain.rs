//! `missive explain [CODE]`: the long explanation of a diagnostic code, or the catalog of all.
//! `missive explain --api-error TEXT TEMPLATE [--data FILE]`: an API error mapped back to the
//! template line and the data path that produced the parameter it names.

use std::io::Read;

use clap::Args;

use missive::api_error;
use missive::check::data;
use missive::diagnostic::codes;
use missive::diagnostic::report::FileReport;
use missive::{Code, Severity};

use super::{print_reports, status, Common, Exit, Outcome, Status, Stream};

#[derive(Args)]
pub struct ExplainArgs {
    /// A diagnostic code, such as M2001 (without one, the catalog of every code); with
    /// `--api-error`, the template the refused message was rendered from.
    #[arg(value_name = "CODE|TEMPLATE")]
    target: Option<String>,
    /// An API error to explain: the response body, or Facebook's message alone; `-` reads it
    /// from standard input.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    api_error: Option<String>,
    /// With `--api-error`: the data of the record that was sent (`-`: standard input).
    #[arg(long, value_name = "FILE", requires = "api_error")]
    data: Option<String>,
    /// With `--api-error`: the response's HTTP status.
    #[arg(long, value_name = "STATUS", requires = "api_error")]
    status: Option<u16>,
}

pub fn run(common: &Common, args: ExplainArgs) -> Outcome {
    if let Some(text) = &args.api_error {
        return api_error(common, &args, text);
    }
    let Some(code) = args.target else {
        print!("{}", catalog());
        return Ok(Status::Ok.into());
    };
    match Code::parse(&code) {
        Some(code) => {
            print!("{}", code.explanation());
            Ok(Status::Ok.into())
        }
        None => {
            eprintln!("error[{}]: unknown diagnostic code `{code}`", Code::Usage);
            // `3003`, `M 3003`, `m-3003`: the digits of a code that exists.
            let digits: String = code.chars().filter(char::is_ascii_digit).collect();
            match Code::parse(&format!("M{digits}")).filter(|_| digits.len() == 4) {
                Some(meant) => eprintln!(
                    "  help: codes start with `M`: `missive explain {meant}` ({})",
                    meant.summary()
                ),
                None => {
                    eprintln!("  help: codes look like `M2001`; `missive explain` lists them all")
                }
            }
            Ok(Status::Failure.into())
        }
    }
}

/// One line per code, as `docs/codes/README.md` lists them.
pub fn catalog() -> String {
    Code::ALL
        .iter()
        .map(|c| format!("{c}  {}\n", c.summary()))
        .collect()
}

/// `--api-error`: the diagnostic on stdout, like `check`'s; exit 1 (it is an error).
fn api_error(common: &Common, args: &ExplainArgs, text: &str) -> Outcome {
    if text == "-" && args.data.as_deref() == Some("-") {
        return Err(Exit::usage(
            Stream::Stdout,
            "",
            codes::m9002_usage("the API error and the data cannot both come from standard input")
                .help("give the data as a file with `--data FILE`"),
        ));
    }
    let body = if text == "-" {
        let mut bytes = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
            return Err(Exit::usage(
                Stream::Stdout,
                "",
                codes::m9001_io(Severity::Error, format!("cannot read standard input: {e}"))
                    .help("pipe the API's response body into `missive explain --api-error -`"),
            ));
        }
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        text.to_string()
    };
    let error = api_error::parse_body(args.status, &body);

    // Without a template, the error as the API gave it.
    let Some(path) = &args.target else {
        let mut report = FileReport::new("");
        report.diagnostics.push(api_error::describe(&error));
        return Err(Exit::files(Status::Errors, Stream::Stdout, vec![report], 0));
    };
    let profile = super::profile(common).map_err(|d| Exit::usage(Stream::Stdout, "", d))?;
    let src = match super::load(path, false) {
        super::Loaded::Source(s) => s,
        super::Loaded::Invalid(r) => {
            return Err(Exit::reports(Status::Errors, Stream::Stdout, vec![r]))
        }
        super::Loaded::Failed(r) => {
            return Err(Exit::reports(Status::Failure, Stream::Stdout, vec![r]))
        }
    };
    let (mut report, template) = super::compile_file(path, src.clone(), profile);
    let template_diagnostics = std::mem::take(&mut report.diagnostics);
    let Some(template) = template else {
        // The template's own errors first: nothing can be mapped until they are fixed.
        report.diagnostics = template_diagnostics;
        report.diagnostics.push(api_error::describe(&error));
        missive::diagnostic::sort(&mut report.diagnostics);
        return Err(Exit::reports(Status::Errors, Stream::Stdout, vec![report]));
    };

    let mut reports = Vec::new();
    let mut io_failure = false;
    let node_src = match &args.data {
        Some(d) => match super::load_data(d) {
            Ok(s) => Some(s),
            Err((r, st)) => {
                io_failure = st == Status::Failure;
                reports.push(r);
                None
            }
        },
        None => None,
    };
    let diagnostic = match &node_src {
        Some(d) => {
            report.data = Some(d.clone());
            match data::prepare(&template, &d.text) {
                Ok((node, _)) => api_error::diagnose(&template, Some(&node), &error),
                Err(errors) => {
                    // Data that does not fit the template: its errors, and the mapping without it.
                    report.diagnostics.extend(errors);
                    api_error::diagnose(&template, None, &error)
                }
            }
        }
        None => api_error::diagnose(&template, None, &error),
    };
    report.diagnostics.push(diagnostic);
    missive::diagnostic::sort(&mut report.diagnostics);
    reports.insert(0, report);
    print_reports(common, &reports, 1, Stream::Stdout, false);
    Ok(status(common, &reports, io_failure).into())
}
