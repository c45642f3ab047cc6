//! `missive render`: a template and one data file -> the API body (or the whole request).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use missive::check::{self, data};
use missive::diagnostic::report::FileReport;
use missive::diagnostic::Origin;
use missive::{Code, Diagnostic, Options, RenderOptions, RequestOptions};

use super::{load, print_reports, status, usage, Common, Loaded, Stream, ERRORS, FAILURE};

#[derive(Args)]
pub struct RenderArgs {
    /// The template to render (or use `--stdin-filename` to read it from standard input).
    template: Option<PathBuf>,
    /// The data: a JSON file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    data: Option<String>,
    /// What to print: the message body, or the whole HTTP request.
    #[arg(long, value_enum, default_value_t = Emit::Body)]
    emit: Emit,
    /// Indent the JSON for humans (compact by default).
    #[arg(long)]
    pretty: bool,
    /// Write the JSON to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// The Facebook page id (the digits of its m.me/ link); needed by `--emit request`.
    #[arg(long, value_name = "ID")]
    page_id: Option<String>,
    /// The iAdvize customer_id, instead of the template's `customer_id` scheme.
    #[arg(long, value_name = "ID")]
    customer_id: Option<String>,
    /// The recipient's page-scoped id, for `--profile messenger --emit request`.
    #[arg(long, value_name = "PSID")]
    recipient: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Emit {
    /// The message body: {"text": ..., "attachment": ...}.
    Body,
    /// {"method", "url", "body"}, with the token left as `{access_token}`.
    Request,
}

pub fn run(common: &Common, args: RenderArgs) -> u8 {
    let profile = match super::profile(common) {
        Ok(p) => p,
        Err(d) => return usage(common, Stream::Stderr, "", d),
    };
    let (path, from_stdin) = match (&args.template, &common.stdin_filename) {
        (Some(p), _) => (p.to_string_lossy().into_owned(), false),
        (None, Some(name)) => (name.clone(), true),
        (None, None) => {
            return usage(
                common,
                Stream::Stderr,
                "",
                Diagnostic::error(Code::Usage, "no template to render")
                    .help("run `missive render TEMPLATE --data FILE`"),
            )
        }
    };
    let request = match args.emit {
        Emit::Body => None,
        Emit::Request => {
            let Some(page_id) = args.page_id.clone() else {
                return usage(
                    common,
                    Stream::Stderr,
                    &path,
                    Diagnostic::error(Code::Usage, "`--emit request` needs `--page-id`")
                        .help("give the digits of the page's m.me/ link, e.g. `--page-id 322837607840703`"),
                );
            };
            if page_id.is_empty() || !page_id.bytes().all(|b| b.is_ascii_digit()) {
                return usage(
                    common,
                    Stream::Stderr,
                    &path,
                    Diagnostic::error(
                        Code::Usage,
                        format!("`--page-id {page_id}` is not a page id"),
                    )
                    .help(
                        "a page id is the digits of the page's m.me/ link, e.g. `322837607840703`",
                    ),
                );
            }
            Some(RequestOptions {
                page_id,
                customer_id: args.customer_id.clone(),
                recipient: args.recipient.clone(),
            })
        }
    };

    let src = match load(&path, from_stdin) {
        Loaded::Source(s) => s,
        Loaded::Invalid(r) => {
            print_reports(common, &[r], 1, Stream::Stderr, false);
            return ERRORS;
        }
        Loaded::Failed(r) => {
            print_reports(common, &[r], 1, Stream::Stderr, false);
            return FAILURE;
        }
    };
    let stem = std::path::Path::new(&path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned());
    let compiled = check::compile(
        &src.text,
        &Options {
            profile,
            file_stem: stem,
        },
    );
    let mut report = FileReport::new(path.clone());
    report.template = Some(src.clone());
    report.diagnostics = compiled.diagnostics;
    let Some(template) = compiled.template else {
        print_reports(common, &[report], 1, Stream::Stderr, false);
        return ERRORS;
    };

    if let Some(req) = &request {
        if req.customer_id.is_none()
            && template.customer_id.is_none()
            && template.profile.envelope == missive::profile::Envelope::Iadvize
        {
            report.diagnostics.push(
                Diagnostic::error(Code::Usage, "`--emit request` needs a customer_id")
                    .help("declare a scheme in the template (`customer_id \"order-{{ order.number }}\"`) or pass `--customer-id ID`"),
            );
            print_reports(common, &[report], 1, Stream::Stderr, false);
            return FAILURE;
        }
    }

    // The data.
    let data_src = match &args.data {
        Some(d) => match load(d, d == "-") {
            Loaded::Source(s) => s,
            Loaded::Invalid(mut r) => {
                report.data = r.template.take();
                for mut diag in r.diagnostics {
                    for l in &mut diag.labels {
                        l.origin = Origin::Data;
                    }
                    report.diagnostics.push(diag);
                }
                print_reports(common, &[report], 1, Stream::Stderr, false);
                return ERRORS;
            }
            Loaded::Failed(r) => {
                report.diagnostics.extend(r.diagnostics);
                print_reports(common, &[report], 1, Stream::Stderr, false);
                return FAILURE;
            }
        },
        None if template.input.fields.iter().any(|f| !f.optional) => {
            report.diagnostics.push(
                Diagnostic::error(
                    Code::Usage,
                    "this template declares inputs: give them with `--data FILE`",
                )
                .help(format!(
                    "e.g. `missive render {path} --data examples/{}.json`",
                    template.name
                )),
            );
            print_reports(common, &[report], 1, Stream::Stderr, false);
            return FAILURE;
        }
        None => std::sync::Arc::new(missive::SourceFile::new("<no data>", "{}")),
    };
    report.data = Some(data_src.clone());
    let node = match missive::json::parse(&data_src.text) {
        Ok(n) => n,
        Err(d) => {
            report.diagnostics.push(d);
            print_reports(common, &[report], 1, Stream::Stderr, false);
            return ERRORS;
        }
    };
    let problems = data::validate(&node, &template.input);
    let data_errors = problems.iter().any(Diagnostic::is_error);
    report.diagnostics.extend(problems);
    if data_errors {
        print_reports(common, &[report], 1, Stream::Stderr, false);
        return ERRORS;
    }

    let options = RenderOptions {
        pretty: args.pretty,
    };
    let mut out = Vec::new();
    let result = match &request {
        None => template.render_with(&mut out, &node, options),
        Some(req) => template.render_request(&mut out, &node, req, options),
    };
    match result {
        Ok(warnings) => report.diagnostics.extend(warnings),
        Err(errors) => {
            report.diagnostics.extend(errors);
            print_reports(common, &[report], 1, Stream::Stderr, false);
            return ERRORS;
        }
    }
    out.push(b'\n');
    let written = match &args.output {
        Some(file) => {
            std::fs::write(file, &out).map_err(|e| (file.to_string_lossy().into_owned(), e))
        }
        None => std::io::stdout()
            .lock()
            .write_all(&out)
            .map_err(|e| ("standard output".to_string(), e)),
    };
    if let Err((what, e)) = written {
        report.diagnostics.push(
            Diagnostic::error(Code::Io, format!("cannot write {what}: {e}"))
                .help("check the path and permissions"),
        );
        print_reports(common, &[report], 1, Stream::Stderr, false);
        return FAILURE;
    }
    print_reports(
        common,
        std::slice::from_ref(&report),
        1,
        Stream::Stderr,
        false,
    );
    status(common, &[report], false)
}
