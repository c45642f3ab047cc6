//! `missive preview`: a template rendered with data and drawn as Messenger shows it, as one
//! self-contained HTML page (or served on 127.0.0.1 and reloaded on every change, `--serve`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use missive::check::{data, images};
use missive::diagnostic::codes;
use missive::diagnostic::report::FileReport;
use missive::{Profile, SourceFile};

use super::{Common, Exit, Outcome, Session, Status, Stream};

#[derive(Args)]
pub struct PreviewArgs {
    /// The template to draw.
    template: Option<PathBuf>,
    /// The data: a JSON file, or `-` for standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "worst_case")]
    data: Option<String>,
    /// Draw the message with worst-case data made from the template's `input` (as
    /// `missive sample --worst-case` writes it): every string at its declared `max`, every
    /// list at its `max`, every optional value present.
    #[arg(long)]
    worst_case: bool,
    /// Write the page to this file instead of standard output.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "serve"
    )]
    output: Option<PathBuf>,
    /// Inline the images from this folder, which mirrors the URLs' paths
    /// (`https://shop.example/img/a.png` is `DIR/img/a.png`).
    #[arg(long, value_name = "DIR", conflicts_with = "fetch_images")]
    images: Option<PathBuf>,
    /// Fetch the images over HTTP and inline them (by default, nothing is fetched: each
    /// image is a placeholder of its shape, labelled with its URL).
    #[arg(long)]
    fetch_images: bool,
    /// Serve the preview on 127.0.0.1 and reload it when the template or the data changes.
    #[arg(long)]
    serve: bool,
    /// With `--serve`: the port (default 7878; 0 picks a free one, printed on stderr).
    #[arg(long, value_name = "N", requires = "serve")]
    port: Option<u16>,
    /// The locale to draw, one the template declares in `locales { }` (default: the record's,
    /// when the template reads it from the data, else the first declared).
    #[arg(long, value_name = "KEY")]
    locale: Option<String>,
}

/// The largest image inlined: Messenger's own limit for an image attachment is 8 MB.
const IMAGE_LIMIT: u64 = 8 * 1024 * 1024;

/// Where `preview` reads its inputs from, resolved once from the flags.
pub struct Sources {
    pub template: String,
    pub data: Option<String>,
    /// Worst-case sample data instead of a data file.
    pub worst_case: bool,
    pub images: Option<images::Source>,
    pub profile: Profile,
    /// `--locale KEY`.
    pub locale: Option<String>,
}

pub fn run(common: &Common, args: PreviewArgs) -> Outcome {
    let session = Session::open(common, Stream::Stderr)?;
    let common = &session.common;
    let profile = session.profile(Stream::Stderr)?;
    let Some(template) = args.template.as_ref() else {
        return Err(Exit::usage(
            Stream::Stderr,
            "",
            codes::m9002_usage("no template to preview")
                .help("run `missive preview TEMPLATE --data FILE`"),
        ));
    };
    let template = template.to_string_lossy().into_owned();
    if args.serve && args.data.as_deref() == Some("-") {
        return Err(Exit::usage(
            Stream::Stderr,
            &template,
            codes::m9002_usage("`--serve` reads the data file again on every change")
                .help("give the data as a file: `--data FILE`"),
        ));
    }
    let sources = Sources {
        template,
        data: args.data.clone(),
        worst_case: args.worst_case,
        images: image_source(&args),
        profile,
        locale: args.locale.clone(),
    };
    if args.serve {
        return super::serve::run(common, &sources, args.port.unwrap_or(7878));
    }
    let (report, html, failure) = page(&sources, None)?;
    if failure {
        return Err(Exit::reports(Status::Failure, Stream::Stderr, vec![report]));
    }
    // The page is written even with errors: its panel lists them. The status says so.
    let outcome = super::write_product(common, report, args.output.as_deref(), html.as_bytes());
    super::say_written(common, args.output.as_deref(), &outcome);
    outcome
}

fn image_source(args: &PreviewArgs) -> Option<images::Source> {
    if let Some(dir) = &args.images {
        return Some(images::Source::Dir(dir.clone()));
    }
    args.fetch_images.then(|| images::Source::Http {
        timeout: std::time::Duration::from_secs(5),
    })
}

/// Compiles, checks the data, renders and draws: the template's report, the page, and
/// whether the data file could not be read or no data was given to a template that needs
/// some (an I/O or usage failure: exit 2). A template that cannot be read is an [`Exit`].
pub fn page(sources: &Sources, reload: Option<u64>) -> Result<(FileReport, String, bool), Exit> {
    let path = &sources.template;
    let src = super::load_or_report(path, false)?;
    let (mut report, template) = super::compile_file(path, src, sources.profile.clone());
    let draw = |report: &FileReport,
                template: Option<&missive::Template>,
                node: Option<&missive::json::Node<'_>>,
                body: Option<&serde_json::Value>,
                images: &BTreeMap<String, Vec<u8>>| {
        missive::preview::html(&missive::preview::Input {
            template,
            data: node,
            body,
            report,
            images,
            reload,
        })
    };
    let none = BTreeMap::new();
    let Some(template) = template else {
        let html = draw(&report, None, None, None, &none);
        return Ok((report, html, false));
    };
    let data_src = match &sources.data {
        _ if sources.worst_case => Arc::new(SourceFile::new(
            "<worst case>",
            missive::sample::generate_json(&template, missive::sample::SampleKind::WorstCase),
        )),
        Some(d) => match super::load_data(d) {
            Ok(s) => s,
            Err((r, status)) => {
                report.diagnostics.extend(r.diagnostics);
                report.data = r.data.or(r.template);
                let html = draw(&report, Some(&template), None, None, &none);
                return Ok((report, html, status == Status::Failure));
            }
        },
        None if template.input.fields.iter().any(|f| !f.optional) => {
            // A usage error (exit 2), as giving both is: without data there is no message.
            report.diagnostics.push(
                codes::m9002_usage(
                    "this template declares required inputs: pass `--data FILE` or `--worst-case`",
                )
                .at(template.header, "this template declares required inputs")
                .help(format!(
                    "make a data file to edit with `missive sample {}`, or draw the longest values with `--worst-case`",
                    sources.template
                )),
            );
            let html = draw(&report, Some(&template), None, None, &none);
            return Ok((report, html, true));
        }
        None => Arc::new(SourceFile::new("<no data>", "{}")),
    };
    report.data = Some(data_src.clone());
    let node = match data::prepare(&template, &data_src.text) {
        Ok((node, warnings)) => {
            report.diagnostics.extend(warnings);
            node
        }
        Err(e) => {
            report.diagnostics.extend(e);
            missive::diagnostic::sort(&mut report.diagnostics);
            let html = draw(&report, Some(&template), None, None, &none);
            return Ok((report, html, false));
        }
    };
    // The locale: `--locale`, else the record's when the template reads it from the data.
    let chosen = match &sources.locale {
        Some(key) => super::template_locale(&template, key).map_err(|d| (d, true)),
        None => data::for_record(&template, &node).map_err(|d| (d, false)),
    };
    let template = match chosen {
        Ok(t) => t,
        Err((d, usage)) => {
            report.diagnostics.push(d);
            missive::diagnostic::sort(&mut report.diagnostics);
            let html = draw(&report, Some(&template), None, None, &none);
            return Ok((report, html, usage));
        }
    };
    // Drawn even when the data makes it invalid (a title over its limit is drawn whole, and
    // cut as Messenger would cut it): the errors are in the panel and the exit status.
    let (body, diagnostics) = template.render_unchecked(&node);
    report.diagnostics.extend(diagnostics);
    let images = match (&body, &sources.images) {
        (Some(body), Some(source)) => load_images(body, source, template, &node, &mut report),
        _ => BTreeMap::new(),
    };
    missive::diagnostic::sort(&mut report.diagnostics);
    let html = draw(&report, Some(template), Some(&node), body.as_ref(), &images);
    Ok((report, html, false))
}

/// The bytes of each image of the message, from the folder or over HTTP; an image that
/// cannot be read is a warning (M4011), and the page shows its placeholder.
fn load_images(
    body: &serde_json::Value,
    source: &images::Source,
    template: &missive::Template,
    data: &missive::json::Node<'_>,
    report: &mut FileReport,
) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let spans = missive::preview::image_spans(template, data);
    for url in missive::preview::image_urls(body) {
        match images::read(&url, source, IMAGE_LIMIT) {
            Ok(bytes) => {
                out.insert(url, bytes);
            }
            Err(why) => {
                // At the field that gives the image, as `check --check-images` points it.
                let span = spans
                    .iter()
                    .find(|(u, _)| *u == url)
                    .map_or(template.header, |(_, s)| *s);
                let mut d = [codes::m4011_image_unreadable(format!(
                    "could not read the image `{url}` for the preview"
                ))
                .at(span, why)
                .help(images::unreadable_help(&url, source))];
                // An image a shared part gives is reported in the part's file.
                template.place_diagnostics(&mut d);
                report.diagnostics.extend(d);
            }
        }
    }
    out
}
