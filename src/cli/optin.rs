//! `missive optin`: the web page's opt-in snippet, from the template's customer_id scheme and
//! one visitor's data (the same id `send` posts to).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use missive::check;
use missive::delivery::optin;
use missive::diagnostic::codes;
use missive::diagnostic::report::FileReport;
use missive::Template;

use super::{Common, Exit, Format, Outcome, Session, Status, Stream};

#[derive(Args)]
pub struct OptinArgs {
    /// The template whose `customer_id` scheme builds the id.
    template: Option<PathBuf>,
    /// The visitor's data: a JSON file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    data: Option<String>,
    /// Write the snippet to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// A template compiled for a command that needs its `customer_id` scheme, with the report its
/// diagnostics go into.
pub struct Compiled {
    pub path: String,
    pub template: Template,
    pub report: FileReport,
}

/// Loads and compiles the template of `optin` or `send` (a path, or standard input with
/// `--stdin-filename`), and checks that it declares a customer_id scheme.
pub fn compile_with_scheme(
    session: &Session,
    template: Option<&std::path::Path>,
    command: &str,
    data_from_stdin: bool,
) -> Result<Compiled, Exit> {
    let profile = session.profile(Stream::Stderr)?;
    let (path, from_stdin) = super::one_template(
        template,
        &session.common,
        codes::m9002_usage(format!("no template for `{command}`"))
            .help(format!("run `missive {command} TEMPLATE --data FILE`")),
    )?;
    if from_stdin && data_from_stdin {
        return Err(Exit::usage(
            Stream::Stderr,
            &path,
            codes::m9002_usage("the template and the data cannot both come from standard input")
                .help("give the data as a file, or the template as a path"),
        ));
    }
    let src = super::load_or_report(&path, from_stdin)?;
    let (mut report, template) = super::compile_file(&path, src, profile);
    let Some(template) = template else {
        return Err(Exit::reports(Status::Errors, Stream::Stderr, vec![report]));
    };
    if template.customer_id.is_none() {
        report.diagnostics.push(
            codes::m9002_usage(
                format!("`{command}` needs the template's `customer_id` scheme, and `{path}` has none"),
            )
            .help(match template.customer_id_example() {
                (scheme, None) => format!("declare how the id is built, under the `notification` line: {scheme}"),
                (scheme, Some(add)) => format!("declare how the id is built, under the `notification` line: {add}, then write {scheme}"),
            }),
        );
        return Err(Exit::reports(Status::Failure, Stream::Stderr, vec![report]));
    }
    Ok(Compiled {
        path,
        template,
        report,
    })
}

pub fn run(common: &Common, args: OptinArgs) -> Outcome {
    // The project file's profile and deny-warnings apply here too.
    let session = Session::open(common, Stream::Stderr)?;
    let common = &session.common;
    let data_from_stdin = args.data.as_deref() == Some("-");
    let Compiled {
        path,
        template,
        mut report,
    } = compile_with_scheme(&session, args.template.as_deref(), "optin", data_from_stdin)?;
    let data_src = match &args.data {
        Some(d) => match super::load_data(d) {
            Ok(s) => s,
            Err((r, status)) => return Err(Exit::reports(status, Stream::Stderr, vec![report, r])),
        },
        None => {
            return Err(Exit::usage(
                Stream::Stderr,
                &path,
                codes::m9002_usage("`optin` needs the visitor's data: `--data FILE`").help(
                    format!(
                        "e.g. `missive optin {path} --data examples/{}.json`",
                        template.name
                    ),
                ),
            ))
        }
    };
    report.data = Some(Arc::clone(&data_src));
    let id = match check::data::prepare(&template, &data_src.text) {
        Ok((node, warnings)) => {
            report.diagnostics.extend(warnings);
            match template.customer_id_checked(&node) {
                Ok((id, warnings)) => {
                    report.diagnostics.extend(warnings);
                    id
                }
                Err(errors) => {
                    report.diagnostics.extend(errors);
                    None
                }
            }
        }
        Err(errors) => {
            report.diagnostics.extend(errors);
            None
        }
    };
    missive::diagnostic::sort(&mut report.diagnostics);
    let Some(id) = id else {
        return Err(Exit::reports(Status::Errors, Stream::Stderr, vec![report]));
    };
    let product = match common.format {
        Format::Json => format!("{}\n", serde_json::json!({ "customer_id": id })),
        Format::Human | Format::Short | Format::Sarif => optin::snippet(&id),
    };
    super::write_product(common, report, args.output.as_deref(), product.as_bytes())
}
