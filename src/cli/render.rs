//! `missive render`: a template and one data file -> the API body (or the whole request).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use missive::diagnostic::codes;
use missive::driver::{self, Product, Stopped};
use missive::{Diagnostic, RenderOptions, RequestOptions};

use super::{Common, Exit, Outcome, Session, Status, Stream};

#[derive(Args)]
pub struct RenderArgs {
    /// The template to render (or use `--stdin-filename` to read it from standard input).
    template: Option<PathBuf>,
    /// The data: a JSON file, or `-` for standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "data_ndjson")]
    data: Option<String>,
    /// Many records: one JSON document a line (a file, or `-` for standard input), rendered
    /// to one line each, in input order.
    #[arg(long, value_name = "FILE", conflicts_with = "pretty")]
    data_ndjson: Option<String>,
    // The batch flags conflict with `--data` as well as requiring `--data-ndjson`: clap does not
    // enforce `requires` when an argument that conflicts with the required one is present.
    /// With `--data-ndjson`: write the records that are not rendered, with the reasons, to
    /// this NDJSON file (the format of `send --rejects`).
    #[arg(
        long,
        value_name = "FILE",
        requires = "data_ndjson",
        conflicts_with = "data"
    )]
    rejects: Option<PathBuf>,
    /// With `--data-ndjson`: stop once N records are rejected.
    #[arg(
        long,
        value_name = "N",
        requires = "data_ndjson",
        conflicts_with = "data"
    )]
    max_rejects: Option<usize>,
    /// With `--data-ndjson`: one output line per input line, `null` for a rejected record or a
    /// blank line, so that output line N belongs to input line N; rejects do not change the
    /// exit status.
    #[arg(long, requires = "data_ndjson", conflicts_with = "data")]
    aligned: bool,
    /// With `--data-ndjson`: rendering threads (default: one per core); the output keeps the
    /// input's order.
    #[arg(
        short = 'j',
        long,
        value_name = "N",
        requires = "data_ndjson",
        conflicts_with = "data"
    )]
    jobs: Option<usize>,
    /// What to print: the message body, or the whole HTTP request.
    #[arg(long, value_enum, default_value_t = Emit::Body)]
    emit: Emit,
    /// Indent the JSON for humans (compact by default).
    #[arg(long)]
    pretty: bool,
    /// Write the JSON to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// The Facebook page id (the digits of its m.me/ link); needed by `--emit request`
    /// for the iAdvize API (the Send API's URL names no page).
    #[arg(long, value_name = "ID")]
    page_id: Option<String>,
    /// The iAdvize customer_id, instead of the template's `customer_id` scheme (one record:
    /// with `--data-ndjson`, each record's comes from the scheme).
    #[arg(long, value_name = "ID", conflicts_with = "data_ndjson")]
    customer_id: Option<String>,
    /// The recipient's page-scoped id, for `--profile messenger --emit request`.
    #[arg(long, value_name = "PSID")]
    recipient: Option<String>,
    /// The locale to render, one the template declares in `locales { }` (default: the
    /// record's, when the template reads it from the data, else the first declared).
    #[arg(long, value_name = "KEY")]
    locale: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Emit {
    /// The message body: {"text": ..., "attachment": ...}.
    Body,
    /// {"method", "url", "body"}, with the token left as `{access_token}`.
    Request,
}

pub fn run(common: &Common, args: RenderArgs) -> Outcome {
    // The project file's profile and deny-warnings apply here too.
    let session = Session::open(common, Stream::Stderr)?;
    let common = &session.common;
    let profile = session.profile(Stream::Stderr)?;
    let (path, from_stdin) = super::one_template(
        args.template.as_deref(),
        common,
        codes::m9002_usage("no template to render")
            .help("run `missive render TEMPLATE --data FILE`"),
    )?;
    let given = match (&args.data, &args.data_ndjson) {
        (Some(d), _) => Some((d.as_str(), "--data")),
        (_, Some(d)) => Some((d.as_str(), "--data-ndjson")),
        _ => None,
    };
    if let Some(d) = given.and_then(|(data, flag)| super::swapped(&path, data, flag, "render")) {
        return Err(Exit::usage(Stream::Stderr, "", d));
    }
    let data_from_stdin =
        args.data.as_deref() == Some("-") || args.data_ndjson.as_deref() == Some("-");
    if from_stdin && data_from_stdin {
        return Err(Exit::usage(
            Stream::Stderr,
            &path,
            codes::m9002_usage("the template and the data cannot both come from standard input")
                .help("give the data as a file with `--data FILE`, or the template as a path"),
        ));
    }
    let send_api = profile.envelope == missive::Envelope::SendApi;
    let request = request_options(&args, profile.limits.customer_id.max, send_api)
        .map_err(|d| Exit::usage(Stream::Stderr, &path, d))?;

    let src = super::load_or_report(&path, from_stdin)?;
    let (mut report, template) =
        driver::compile_one(&super::template_input(&path, src.clone()), &profile);
    let Some(template) = template else {
        return Err(errors(report));
    };
    let pinned = match &args.locale {
        Some(key) => Some(
            super::template_locale(&template, key)
                .map_err(|d| Exit::usage(Stream::Stderr, &path, d))?,
        ),
        None => None,
    };
    let reads_locale = template.locale_from().map(str::to_string);
    let template = pinned.unwrap_or(&template);

    if let Some(req) = &request {
        if req.customer_id.is_none()
            && template.customer_id.is_none()
            && template.profile.envelope == missive::Envelope::Iadvize
        {
            return Err(Exit::usage(
                Stream::Stderr,
                &path,
                codes::m9002_usage("`--emit request` needs a customer_id").help(
                    "declare a scheme in the template (`customer_id \"order-{{ order.number }}\"`) or pass `--customer-id ID`",
                ),
            ));
        }
    }

    if let (Some(key), Some(from), Some(_)) = (&args.locale, &reads_locale, &args.data_ndjson) {
        return Err(Exit::usage(
            Stream::Stderr,
            &path,
            codes::m9002_usage(format!(
                "`--locale {key}` with `--data-ndjson`: the template takes each record's locale from `{from}`"
            ))
            .help("leave out `--locale` (each record is rendered in its own locale), or set the records' locale field"),
        ));
    }
    if let Some(data) = args.data_ndjson {
        missive::diagnostic::sort(&mut report.diagnostics);
        let flags = super::batch::Flags {
            data,
            output: args.output,
            rejects: args.rejects,
            max_rejects: args.max_rejects,
            aligned: args.aligned,
            jobs: args.jobs,
        };
        return super::batch::run(common, report, template, request, flags);
    }

    // The data: a file, standard input, or nothing for a template without required inputs.
    let data_src = match &args.data {
        Some(d) => match super::load_data(d) {
            Ok(s) => s,
            Err((r, status)) => return Err(Exit::reports(status, Stream::Stderr, vec![report, r])),
        },
        None => match driver::no_data(template) {
            Some(empty) => empty,
            None => {
                return Err(Exit::usage(
                    Stream::Stderr,
                    &path,
                    codes::m9002_usage(
                        "this template declares inputs: give them with `--data FILE`",
                    )
                    .help(format!(
                        "e.g. `missive render {path} --data examples/{}.json`",
                        template.name
                    )),
                ));
            }
        },
    };
    report.data = Some(data_src.clone());

    let options = RenderOptions {
        pretty: args.pretty,
    };
    let product = match &request {
        None => Product::Body,
        Some(req) => Product::Request(req),
    };
    // Without `--locale`, the record's own, when the template reads it from the data.
    let template = match pinned {
        Some(t) => t,
        None => match driver::locale_of(template, &data_src.text) {
            Ok(t) => t,
            Err(d) => {
                report.diagnostics.push(d);
                return Err(errors(report));
            }
        },
    };
    let rendered = driver::render(template, &data_src.text, product, options);
    driver::drop_confirmed(&mut report.diagnostics, &rendered.diagnostics);
    report.diagnostics.extend(rendered.diagnostics);
    let mut out = match rendered.output {
        Ok(out) => out,
        Err(Stopped::Data) => return Err(errors(report)),
        Err(Stopped::Render) => {
            missive::diagnostic::sort(&mut report.diagnostics);
            return Err(errors(report));
        }
    };
    missive::diagnostic::sort(&mut report.diagnostics);
    out.push(b'\n');
    super::write_product(common, report, args.output.as_deref(), &out)
}

/// The template's report, with errors in it: exit 1.
fn errors(report: missive::diagnostic::report::FileReport) -> Exit {
    Exit::reports(Status::Errors, Stream::Stderr, vec![report])
}

/// `--emit request`'s options, checked: a page id of digits (the Send API's URL, `send_api`,
/// has none), a usable customer_id.
fn request_options(
    args: &RenderArgs,
    customer_id_max: usize,
    send_api: bool,
) -> Result<Option<RequestOptions>, Diagnostic> {
    if args.emit == Emit::Body {
        return Ok(None);
    }
    // The Send API's URL (`…/me/messages`) names no page: the token does.
    let Some(page_id) = args.page_id.clone().or_else(|| send_api.then(String::new)) else {
        return Err(codes::m9002_usage("`--emit request` needs `--page-id`")
            .help("give the digits of the page's m.me/ link, e.g. `--page-id 322837607840703`"));
    };
    if (!send_api || args.page_id.is_some())
        && (page_id.is_empty() || !page_id.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(
            codes::m9002_usage(format!("`--page-id {page_id}` is not a page id"))
                .help("a page id is the digits of the page's m.me/ link, e.g. `322837607840703`"),
        );
    }
    if let Some(id) = &args.customer_id {
        let n = id.chars().count();
        if id.trim().is_empty() || n > customer_id_max {
            return Err(codes::m9002_usage(
                if id.trim().is_empty() {
                    "`--customer-id` is empty".to_string()
                } else {
                    format!("`--customer-id` is {n} characters long, iAdvize allows {customer_id_max}")
                },
            )
            .help("give the visitor's unique id, as set on the web page for the opt-in (at most 50 characters)"));
        }
    }
    Ok(Some(RequestOptions {
        page_id,
        customer_id: args.customer_id.clone(),
        recipient: args.recipient.clone(),
    }))
}
