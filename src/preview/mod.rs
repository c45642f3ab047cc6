//! The preview stage: a rendered message drawn as Messenger shows it on a phone, as one
//! self-contained HTML page (inline CSS, images inlined as `data:` URIs or drawn as labelled
//! placeholders, no script needed to view it, nothing fetched when it is opened).
//!
//! It draws from the rendered body (the JSON Messenger receives), so every kind of message
//! render writes is drawn: text, attachments, the generic, receipt, button and media
//! templates, and quick replies. Where Messenger cuts a text (a card's title after two lines),
//! the page cuts it the same way with CSS `line-clamp`, and marks the fields the page expects
//! to be cut with a numbered mark whose legend gives the full value and the field's
//! diagnostics. A panel lists every diagnostic of the template and the data with its code.

mod amount;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::diagnostic::report::FileReport;
use crate::diagnostic::{Diagnostic, Origin, Severity};
use crate::ir::Template;
use crate::json::Node;
use crate::span::Span;

pub use amount::{amount, amount_in};

/// What a preview draws.
pub struct Input<'a> {
    /// The compiled template, if it compiled.
    pub template: Option<&'a Template>,
    /// The data it was rendered with, to lead each drawn field back to the template span
    /// that wrote it (and so to its diagnostics).
    pub data: Option<&'a Node<'a>>,
    /// The rendered body, if it rendered.
    pub body: Option<&'a Value>,
    /// The diagnostics of the template and the data, with their sources.
    pub report: &'a FileReport,
    /// Image bytes by URL (read from a folder or fetched); an image not here is drawn as a
    /// placeholder labelled with its URL.
    pub images: &'a BTreeMap<String, Vec<u8>>,
    /// For `preview --serve`: the version the page shows; a small script asks the server for
    /// the current one (`/version`) and reloads when it changes. `None`: no script at all.
    pub reload: Option<u64>,
}

/// The preview of one message, as a whole HTML document.
pub fn html(input: &Input<'_>) -> String {
    let mut page = Page {
        input,
        trace: input
            .template
            .zip(input.data)
            .map(|(t, d)| t.trace(Some(d))),
        cuts: Vec::new(),
        out: String::new(),
    };
    let name = input
        .template
        .map(|t| t.name.as_str())
        .unwrap_or(input.report.path.as_str());
    let _ = write!(
        page.out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}: Messenger preview</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <main class=\"preview\">\n",
        esc(name)
    );
    page.phone();
    page.side(name);
    page.out.push_str("</main>\n");
    if let Some(version) = input.reload {
        let _ = writeln!(page.out, "<script>{}</script>", reload_script(version));
    }
    page.out.push_str("</body>\n</html>\n");
    page.out
}

/// One template's entry in the gallery: its name, description, preview file and counts.
#[derive(Debug, Clone)]
pub struct GalleryEntry {
    /// The template's name (the file stem).
    pub name: String,
    /// Its header's description, if any.
    pub description: Option<String>,
    /// The preview's file name, relative to the gallery (`NAME.preview.html`).
    pub file: String,
    /// How many errors and warnings its preview lists.
    pub errors: usize,
    /// See `errors`.
    pub warnings: usize,
}

/// The gallery of previews (`index.html` of `missive build`): one link per template.
pub fn gallery(entries: &[GalleryEntry]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Messenger previews</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <main class=\"gallery\">\n<h1>Messenger previews</h1>\n<ul class=\"gallery-list\">\n"
    );
    for e in entries {
        let _ = write!(out, "<li><a href=\"{}\">{}</a>", esc(&e.file), esc(&e.name));
        if let Some(d) = &e.description {
            let _ = write!(out, " <span class=\"muted\">{}</span>", esc(d));
        }
        let _ = writeln!(
            out,
            " <span class=\"counts\">{} error{}, {} warning{}</span></li>",
            e.errors,
            if e.errors == 1 { "" } else { "s" },
            e.warnings,
            if e.warnings == 1 { "" } else { "s" }
        );
    }
    out.push_str("</ul>\n</main>\n</body>\n</html>\n");
    out
}

/// Where the template writes each image of the message rendered with `data`: its URL and
/// the span of the field that gives it (for the diagnostics of `--images` and
/// `--fetch-images`). Empty when the data does not render.
pub fn image_spans(template: &Template, data: &Node<'_>) -> Vec<(String, Span)> {
    template
        .images(data)
        .map(|found| found.into_iter().map(|i| (i.url, i.span)).collect())
        .unwrap_or_default()
}

/// The image URLs of a rendered body (attachments, cards, receipt items, quick replies), in
/// order, each once: what `--images DIR` or `--fetch-images` load.
pub fn image_urls(body: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                let is_image = m.get("type").and_then(Value::as_str) == Some("image")
                    || m.get("media_type").and_then(Value::as_str) == Some("image");
                // An image attachment's URL is in its payload; a media element's beside it.
                let payload_url = m
                    .get("payload")
                    .filter(|_| is_image)
                    .and_then(|p| p.get("url"));
                for (k, v) in m {
                    let image_key = k == "image_url" || (is_image && k == "url");
                    if let Some(u) = payload_url
                        .filter(|_| k == "payload")
                        .or(image_key.then_some(v))
                    {
                        if let Some(u) = u.as_str() {
                            if !out.iter().any(|o| o == u) {
                                out.push(u.to_string());
                            }
                        }
                    }
                    walk(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(body, &mut out);
    out
}

/// How Messenger shows a text field: at most `lines` lines of about `chars` characters.
#[derive(Clone, Copy)]
struct Clamp {
    lines: usize,
    chars: usize,
    class: &'static str,
}

/// A generic template card's title: two lines of bold text in a 250-pixel card.
const CARD_TITLE: Clamp = Clamp {
    lines: 2,
    chars: 28,
    class: "card-title clamp-2",
};
/// A card's subtitle: two lines of smaller grey text.
const CARD_SUBTITLE: Clamp = Clamp {
    lines: 2,
    chars: 34,
    class: "card-subtitle clamp-2",
};
/// A receipt item's title: one line, beside its picture.
const ITEM_TITLE: Clamp = Clamp {
    lines: 1,
    chars: 20,
    class: "item-title clamp-1",
};
/// A receipt item's subtitle: one line.
const ITEM_SUBTITLE: Clamp = Clamp {
    lines: 1,
    chars: 24,
    class: "item-subtitle clamp-1",
};
/// A button's title: one line across the card.
const BUTTON_TITLE: Clamp = Clamp {
    lines: 1,
    chars: 30,
    class: "button-title clamp-1",
};

/// A field that Messenger probably cuts: its path in the message, the full value and the
/// diagnostics of the template span that wrote it.
struct Cut {
    path: String,
    value: String,
    lines: usize,
    diagnostics: Vec<String>,
}

/// One step of a path into the message.
#[derive(Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

struct Page<'a> {
    input: &'a Input<'a>,
    trace: Option<crate::render::ProducedObject>,
    cuts: Vec<Cut>,
    out: String,
}

impl Page<'_> {
    fn phone(&mut self) {
        self.out.push_str(
            "<section class=\"phone\" aria-label=\"Messenger\">\n\
             <div class=\"bar\"><span class=\"avatar\"></span><span class=\"page-name\">Messenger</span></div>\n\
             <div class=\"thread\">\n",
        );
        match self.input.body {
            Some(body) => self.message(body),
            None => self.out.push_str(
                "<p class=\"not-rendered\">The message was not rendered: see the diagnostics.</p>\n",
            ),
        }
        self.out.push_str("</div>\n</section>\n");
    }

    fn message(&mut self, body: &Value) {
        let path = Vec::new();
        if let Some(text) = body.get("text").and_then(Value::as_str) {
            let _ = writeln!(self.out, "<div class=\"bubble text\">{}</div>", esc(text));
        }
        if let Some(att) = body.get("attachment") {
            self.attachment(att, &key(&path, "attachment"));
        }
        if let Some(Value::Array(replies)) = body.get("quick_replies") {
            self.out.push_str("<div class=\"quick-replies\">\n");
            for r in replies {
                let title = match r.get("content_type").and_then(Value::as_str) {
                    Some("user_phone_number") => "📞 Phone number".to_string(),
                    Some("user_email") => "✉ Email".to_string(),
                    _ => str_of(r, "title").to_string(),
                };
                self.out.push_str("<span class=\"chip\">");
                if let Some(url) = r.get("image_url").and_then(Value::as_str) {
                    self.image(url, "chip-image", "r-1");
                }
                let _ = writeln!(self.out, "{}</span>", esc(&title));
            }
            self.out.push_str("</div>\n");
        }
    }

    fn attachment(&mut self, att: &Value, path: &[Seg]) {
        let kind = str_of(att, "type");
        let payload = att.get("payload").unwrap_or(&Value::Null);
        let ppath = key(path, "payload");
        match kind {
            "template" => match str_of(payload, "template_type") {
                "generic" => self.generic(payload, &ppath),
                "receipt" => self.receipt(payload, &ppath),
                "button" => self.button_template(payload, &ppath),
                "media" => self.media(payload, &ppath),
                other => {
                    let _ = writeln!(
                        self.out,
                        "<div class=\"card file\">A <code>{}</code> template (not drawn by the preview)</div>",
                        esc(other)
                    );
                }
            },
            "image" => match payload.get("url").and_then(Value::as_str) {
                Some(url) => {
                    self.out.push_str("<div class=\"attachment-image\">");
                    self.image(url, "photo", "r-191");
                    self.out.push_str("</div>\n");
                }
                None => self.media_card("Image", payload),
            },
            "video" => self.media_card("Video", payload),
            "audio" => self.media_card("Audio", payload),
            "file" => self.media_card("File", payload),
            other => {
                let _ = writeln!(
                    self.out,
                    "<div class=\"card file\">A <code>{}</code> attachment</div>",
                    esc(other)
                );
            }
        }
    }

    /// A video, audio or file attachment: a labelled card naming its URL or attachment id.
    fn media_card(&mut self, label: &str, payload: &Value) {
        let (icon, class) = match label {
            "Video" => ("▶", "video"),
            "Audio" => ("♫", "audio"),
            "File" => ("📄", "file"),
            _ => ("🖼", "file"),
        };
        let source = match (payload.get("url"), payload.get("attachment_id")) {
            (Some(Value::String(u)), _) => file_name(u).to_string(),
            (_, Some(id)) => format!("attachment {}", scalar(id)),
            _ => String::new(),
        };
        let full = payload
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let _ = writeln!(
            self.out,
            "<div class=\"card media-card {class}\" title=\"{}\"><span class=\"media-icon\">{icon}</span><span class=\"media-label\">{label}</span> <span class=\"media-source\">{}</span></div>",
            esc(full),
            esc(&source)
        );
    }

    fn generic(&mut self, payload: &Value, path: &[Seg]) {
        let ratio = match str_of(payload, "image_aspect_ratio") {
            "square" => "r-1",
            _ => "r-191",
        };
        let elements = array_of(payload, "elements");
        let epath = key(path, "elements");
        let _ = writeln!(
            self.out,
            "<div class=\"carousel\" data-cards=\"{}\">",
            elements.len()
        );
        for (i, el) in elements.iter().enumerate() {
            let p = index(&epath, i);
            self.out.push_str("<div class=\"card generic-card\">\n");
            if let Some(url) = el.get("image_url").and_then(Value::as_str) {
                self.image(url, "card-image", ratio);
            }
            self.out.push_str("<div class=\"card-body\">\n");
            self.clamped(el, "title", &p, CARD_TITLE);
            self.clamped(el, "subtitle", &p, CARD_SUBTITLE);
            if let Some(url) = el
                .get("default_action")
                .and_then(|d| d.get("url"))
                .and_then(Value::as_str)
            {
                let _ = writeln!(
                    self.out,
                    "<div class=\"card-domain\">{}</div>",
                    esc(host(url))
                );
            }
            self.out.push_str("</div>\n");
            self.buttons(el, &p);
            self.out.push_str("</div>\n");
        }
        self.out.push_str("</div>\n");
    }

    fn buttons(&mut self, parent: &Value, path: &[Seg]) {
        let buttons = array_of(parent, "buttons");
        if buttons.is_empty() {
            return;
        }
        let bpath = key(path, "buttons");
        self.out.push_str("<div class=\"buttons\">\n");
        for (i, b) in buttons.iter().enumerate() {
            let p = index(&bpath, i);
            let shown = match str_of(b, "type") {
                "account_link" => Value::String("Log in".into()),
                "account_unlink" => Value::String("Log out".into()),
                _ => b.get("title").cloned().unwrap_or(Value::Null),
            };
            let hint = match (str_of(b, "type"), b.get("url"), b.get("payload")) {
                ("phone_number", _, Some(p)) => format!("calls {}", scalar(p)),
                (_, Some(Value::String(u)), _) => format!("opens {u}"),
                ("postback", _, Some(p)) => format!("sends the postback {}", scalar(p)),
                (t, _, _) => t.to_string(),
            };
            let mut b2 = serde_json::Map::new();
            b2.insert("title".into(), shown);
            let _ = write!(self.out, "<div class=\"button\" title=\"{}\">", esc(&hint));
            self.clamped(&Value::Object(b2), "title", &p, BUTTON_TITLE);
            self.out.push_str("</div>\n");
        }
        self.out.push_str("</div>\n");
    }

    fn receipt(&mut self, payload: &Value, path: &[Seg]) {
        let locale = self.input.template.and_then(|t| t.format_locale.as_deref());
        let currency = str_of(payload, "currency");
        self.out.push_str("<div class=\"card receipt\">\n");
        let _ = writeln!(
            self.out,
            "<div class=\"receipt-head\"><span class=\"receipt-heading\">Order confirmation</span>{}</div>",
            payload
                .get("merchant_name")
                .and_then(Value::as_str)
                .map(|m| format!("<span class=\"merchant\">{}</span>", esc(m)))
                .unwrap_or_default()
        );
        let elements = array_of(payload, "elements");
        let epath = key(path, "elements");
        self.out.push_str("<div class=\"receipt-items\">\n");
        for (i, el) in elements.iter().enumerate() {
            let p = index(&epath, i);
            self.out.push_str("<div class=\"receipt-item\">\n");
            match el.get("image_url").and_then(Value::as_str) {
                Some(url) => self.image(url, "item-image", "r-1"),
                None => self
                    .out
                    .push_str("<span class=\"item-image no-image\"></span>"),
            }
            self.out.push_str("<div class=\"item-text\">\n");
            self.clamped(el, "title", &p, ITEM_TITLE);
            self.clamped(el, "subtitle", &p, ITEM_SUBTITLE);
            if let Some(q) = el.get("quantity") {
                let _ = writeln!(
                    self.out,
                    "<div class=\"item-quantity\">Qty {}</div>",
                    esc(&scalar(q))
                );
            }
            self.out.push_str("</div>\n");
            if let Some(price) = el.get("price") {
                let cur = el
                    .get("currency")
                    .and_then(Value::as_str)
                    .unwrap_or(currency);
                let _ = writeln!(
                    self.out,
                    "<div class=\"item-price amount\">{}</div>",
                    esc(&money(price, cur, locale))
                );
            }
            self.out.push_str("</div>\n");
        }
        self.out.push_str("</div>\n");
        let row = |out: &mut String, class: &str, label: &str, value: &str| {
            let _ = writeln!(
                out,
                "<div class=\"receipt-row {class}\"><span class=\"label\">{label}</span><span class=\"value\">{value}</span></div>"
            );
        };
        if let Some(order) = payload.get("order_number") {
            row(
                &mut self.out,
                "order-number",
                "Order number",
                &esc(&scalar(order)),
            );
        }
        if let Some(ts) = payload.get("timestamp") {
            let shown = scalar(ts)
                .parse::<i64>()
                .map(date)
                .unwrap_or_else(|_| scalar(ts));
            row(&mut self.out, "order-date", "Order date", &esc(&shown));
        }
        if let Some(pm) = payload.get("payment_method") {
            row(&mut self.out, "paid-with", "Paid with", &esc(&scalar(pm)));
        }
        if let Some(addr) = payload.get("address") {
            let street = [str_of(addr, "street_1"), str_of(addr, "street_2")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(esc)
                .collect::<Vec<_>>()
                .join("<br>");
            let city = format!(
                "{}, {} {}",
                str_of(addr, "city"),
                str_of(addr, "state"),
                str_of(addr, "postal_code")
            );
            let shown = format!(
                "{}<br>{}<br>{}",
                street,
                esc(&city),
                esc(str_of(addr, "country"))
            );
            row(&mut self.out, "ship-to", "Ship to", &shown);
        }
        for adj in array_of(payload, "adjustments") {
            let amount = adj
                .get("amount")
                .map(|a| money(a, currency, locale))
                .unwrap_or_default();
            row(
                &mut self.out,
                "adjustment",
                &esc(str_of(adj, "name")),
                &esc(&amount),
            );
        }
        if let Some(summary) = payload.get("summary") {
            for (field, label) in [
                ("subtotal", "Subtotal"),
                ("shipping_cost", "Shipping"),
                ("total_tax", "Tax"),
            ] {
                if let Some(v) = summary.get(field) {
                    row(
                        &mut self.out,
                        &field.replace('_', "-"),
                        label,
                        &format!(
                            "<span class=\"amount\">{}</span>",
                            esc(&money(v, currency, locale))
                        ),
                    );
                }
            }
            if let Some(v) = summary.get("total_cost") {
                row(
                    &mut self.out,
                    "total",
                    "Total",
                    &format!(
                        "<span class=\"amount\">{}</span>",
                        esc(&money(v, currency, locale))
                    ),
                );
            }
        }
        self.out.push_str("</div>\n");
    }

    fn button_template(&mut self, payload: &Value, path: &[Seg]) {
        self.out.push_str("<div class=\"card button-template\">\n");
        let _ = writeln!(
            self.out,
            "<div class=\"button-template-text\">{}</div>",
            esc(str_of(payload, "text"))
        );
        self.buttons(payload, path);
        self.out.push_str("</div>\n");
    }

    fn media(&mut self, payload: &Value, path: &[Seg]) {
        let epath = key(path, "elements");
        for (i, el) in array_of(payload, "elements").iter().enumerate() {
            self.out.push_str("<div class=\"card media-template\">\n");
            match (
                str_of(el, "media_type"),
                el.get("url").and_then(Value::as_str),
            ) {
                ("image", Some(url)) => self.image(url, "photo", "r-191"),
                ("video", _) => {
                    let _ = writeln!(
                        self.out,
                        "<div class=\"placeholder r-169 video\"><span class=\"media-icon\">▶</span><span class=\"placeholder-label\">{}</span></div>",
                        esc(&el.get("url").or(el.get("attachment_id")).map(scalar).unwrap_or_default())
                    );
                }
                _ => {
                    let _ = writeln!(
                        self.out,
                        "<div class=\"placeholder r-191\"><span class=\"placeholder-label\">{}</span></div>",
                        esc(&el.get("attachment_id").map(|a| format!("attachment {}", scalar(a))).unwrap_or_default())
                    );
                }
            }
            self.buttons(el, &index(&epath, i));
            self.out.push_str("</div>\n");
        }
    }

    /// An image: inlined when its bytes were given, else a placeholder of the shape Messenger
    /// shows it in (`ratio`: `r-191` or `r-1`), labelled with its URL.
    fn image(&mut self, url: &str, class: &str, ratio: &str) {
        let inlined = self.input.images.get(url).and_then(|bytes| {
            let mime = mime(bytes)?;
            let size = imagesize::blob_size(bytes).ok()?;
            Some((mime, size, bytes))
        });
        match inlined {
            Some((mime, size, bytes)) => {
                let _ = write!(
                    self.out,
                    "<img class=\"{class} {ratio}\" src=\"data:{mime};base64,{}\" width=\"{}\" height=\"{}\" alt=\"{}\" title=\"{}\">",
                    base64(bytes),
                    size.width,
                    size.height,
                    esc(file_name(url)),
                    esc(url)
                );
            }
            None => {
                let _ = write!(
                    self.out,
                    "<span class=\"{class} {ratio} placeholder\" title=\"{}\"><span class=\"placeholder-label\">{}</span></span>",
                    esc(url),
                    esc(url)
                );
            }
        }
    }

    /// A text field clamped to the lines Messenger shows, marked when it is probably cut.
    fn clamped(&mut self, parent: &Value, field: &str, path: &[Seg], clamp: Clamp) {
        let Some(v) = parent.get(field) else { return };
        let text = scalar(v);
        let p = key(path, field);
        if !probably_cut(&text, clamp) {
            // The full value on hover too: the browser's clamp may cut where the estimate
            // did not. (A button's hover says what it does instead.)
            let title = if clamp.class.starts_with("button") {
                String::new()
            } else {
                format!(" title=\"{}\"", esc(&text))
            };
            let _ = writeln!(
                self.out,
                "<div class=\"{}\"{title}>{}</div>",
                clamp.class,
                esc(&text)
            );
            return;
        }
        let diagnostics = self.field_diagnostics(&p);
        let n = self.cuts.len() + 1;
        let mut tip = format!("Messenger shows {} line", clamp.lines);
        if clamp.lines > 1 {
            tip.push('s');
        }
        let _ = write!(tip, "; the full value: {text}");
        for d in &diagnostics {
            let _ = write!(tip, "\n{d}");
        }
        let _ = writeln!(
            self.out,
            "<div class=\"{} cut\" title=\"{}\">{}</div><a class=\"cut-mark\" href=\"#cut-{n}\">✂{n}</a>",
            clamp.class,
            esc(&tip),
            esc(&text)
        );
        self.cuts.push(Cut {
            path: show_path(&p),
            value: text,
            lines: clamp.lines,
            diagnostics,
        });
    }

    /// The diagnostics that point into the template span that wrote the field at `path`, and
    /// that are about this field: a span inside a `for` writes one field per item, and a
    /// diagnostic about another item's value (`(from `products[3].name`)`) is that item's.
    fn field_diagnostics(&self, path: &[Seg]) -> Vec<String> {
        let Some(trace) = self.trace.as_ref() else {
            return Vec::new();
        };
        let Some(field) = field_at(trace, path) else {
            return Vec::new();
        };
        let span = field.span;
        // The data paths the same span read for the other items.
        let mut others = Vec::new();
        same_span_data(trace, span, &mut others);
        others.retain(|p| !field.data.contains(p));
        // A field a shared part wrote: its diagnostics are placed in the part's file.
        let placed = self
            .input
            .template
            .and_then(|t| t.sources.as_deref())
            .and_then(|m| m.locate(span));
        let (origin, span) = match placed {
            Some((e, local)) => (Origin::Part(e.file as u16), local),
            None => (Origin::Template, span),
        };
        let mentions = |d: &Diagnostic, p: &str| {
            let p = format!("`{p}`");
            d.message.contains(&p)
                || d.labels
                    .iter()
                    .any(|l| l.message.as_deref().is_some_and(|m| m.contains(&p)))
        };
        self.input
            .report
            .diagnostics
            .iter()
            .filter(|d| {
                d.labels.iter().any(|l| {
                    l.origin == origin
                        && l.span.start < span.end.max(span.start + 1)
                        && span.start < l.span.end.max(l.span.start + 1)
                })
            })
            .filter(|d| {
                field.data.iter().any(|p| mentions(d, p)) || !others.iter().any(|p| mentions(d, p))
            })
            .map(|d| format!("{}[{}]: {}", d.severity.as_str(), d.code, d.message))
            .collect()
    }

    fn side(&mut self, name: &str) {
        self.out
            .push_str("<section class=\"side\" aria-label=\"Diagnostics\">\n");
        let _ = writeln!(self.out, "<h1>{}</h1>", esc(name));
        if let Some(d) = self.input.template.and_then(|t| t.description.as_deref()) {
            let _ = writeln!(self.out, "<p class=\"muted\">{}</p>", esc(d));
        }
        let report = self.input.report;
        let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = report.diagnostics.len() - errors;
        let _ = writeln!(
            self.out,
            "<h2>Diagnostics</h2>\n<p class=\"summary\">{errors} error{}, {warnings} warning{}</p>",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
        if !report.diagnostics.is_empty() {
            self.out.push_str("<ul class=\"diagnostics\">\n");
            for d in &report.diagnostics {
                self.diagnostic(d);
            }
            self.out.push_str("</ul>\n");
        }
        if !self.cuts.is_empty() {
            self.out
                .push_str("<h2>Cut by Messenger</h2>\n<ol class=\"cuts\">\n");
            for (i, c) in self.cuts.iter().enumerate() {
                let _ = write!(
                    self.out,
                    "<li id=\"cut-{}\"><code>{}</code>: shown on {} line{}; the full value: <q>{}</q>",
                    i + 1,
                    esc(&c.path),
                    c.lines,
                    if c.lines == 1 { "" } else { "s" },
                    esc(&c.value)
                );
                if !c.diagnostics.is_empty() {
                    self.out.push_str("<ul>");
                    for d in &c.diagnostics {
                        let _ = write!(self.out, "<li>{}</li>", esc(d));
                    }
                    self.out.push_str("</ul>");
                }
                self.out.push_str("</li>\n");
            }
            self.out.push_str("</ol>\n");
        }
        self.out.push_str("</section>\n");
    }

    fn diagnostic(&mut self, d: &Diagnostic) {
        let report = self.input.report;
        let at = d.primary().and_then(|l| {
            let (file, src) = match l.origin {
                Origin::Template => (report.path.as_str(), report.template.as_ref()?),
                Origin::Data => (
                    report.data.as_ref().map(|s| s.name.as_str())?,
                    report.data.as_ref()?,
                ),
                Origin::Part(i) => {
                    let src = report.parts.get(i as usize)?;
                    (src.name.as_str(), src)
                }
                Origin::Earlier => {
                    let src = report.earlier.as_ref()?;
                    (src.name.as_str(), src)
                }
            };
            let lc = src.line_col(l.span.start as usize);
            Some(format!("{file}:{}:{}", lc.line, lc.column))
        });
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = write!(
            self.out,
            "<li class=\"diagnostic {severity}\" data-code=\"{}\"><span class=\"code\">{severity}[{}]</span> {}",
            d.code,
            d.code,
            esc(&d.message)
        );
        if let Some(at) = at {
            let _ = write!(self.out, " <span class=\"at\">{}</span>", esc(&at));
        }
        if let Some(help) = &d.help {
            let _ = write!(self.out, "<div class=\"help\">help: {}</div>", esc(help));
        }
        self.out.push_str("</li>\n");
    }
}

/// Whether a text probably takes more lines than Messenger shows: its characters against the
/// lines times the characters of a line (an estimate: the browser's clamp cuts exactly, this
/// only decides where the page puts a mark).
fn probably_cut(text: &str, clamp: Clamp) -> bool {
    let lines: usize = text
        .split('\n')
        .map(|l| l.chars().count().div_ceil(clamp.chars).max(1))
        .sum();
    lines > clamp.lines
}

/// The template span of the field at `path` in the traced message.
fn field_at<'t>(
    obj: &'t crate::render::ProducedObject,
    path: &[Seg],
) -> Option<&'t crate::render::ProducedField> {
    use crate::render::Produced;
    let (Seg::Key(k), rest) = path.split_first()? else {
        return None;
    };
    let (_, produced) = obj.members.iter().find(|(m, _)| &**m == k.as_str())?;
    match produced {
        Produced::Field(f) if rest.is_empty() => Some(f),
        Produced::Object(o) => field_at(o, rest),
        Produced::List(l) => match rest.split_first()? {
            (Seg::Index(i), rest) => field_at(l.items.get(*i)?, rest),
            _ => None,
        },
        _ => None,
    }
}

/// The data paths read by every field that the template span `span` wrote.
fn same_span_data(obj: &crate::render::ProducedObject, span: Span, out: &mut Vec<String>) {
    use crate::render::Produced;
    for (_, produced) in &obj.members {
        match produced {
            Produced::Field(f) if f.span == span => out.extend(f.data.iter().cloned()),
            Produced::Object(o) => same_span_data(o, span, out),
            Produced::List(l) => {
                for item in &l.items {
                    same_span_data(item, span, out);
                }
            }
            _ => {}
        }
    }
}

fn key(path: &[Seg], k: &str) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Key(k.to_string()));
    p
}

fn index(path: &[Seg], i: usize) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Index(i));
    p
}

/// `attachment.payload.elements[0].title`.
fn show_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

fn str_of<'v>(v: &'v Value, k: &str) -> &'v str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn array_of<'v>(v: &'v Value, k: &str) -> &'v [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A value as text: a string as it is, anything else as JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A price or total: a number (or a numeric string) formatted by [`amount_in`], in the
/// template's locale when it declares one.
fn money(v: &Value, currency: &str, locale: Option<&str>) -> String {
    let n = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match n {
        Some(n) if n.is_finite() => amount_in(n, currency, locale),
        _ => scalar(v),
    }
}

/// A Unix time in seconds as a UTC date, `2024-06-19`.
fn date(seconds: i64) -> String {
    // Howard Hinnant's days-to-civil.
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The host of a URL, or the URL itself.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// The last segment of a URL's path, or the URL itself.
fn file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|s| !s.is_empty() && !s.contains(':'))
        .unwrap_or(url)
}

/// The MIME type of image bytes, for a `data:` URI; `None` for what is not an image a
/// browser shows.
fn mime(bytes: &[u8]) -> Option<&'static str> {
    use imagesize::ImageType;
    Some(match imagesize::image_type(bytes).ok()? {
        ImageType::Png => "image/png",
        ImageType::Jpeg => "image/jpeg",
        ImageType::Gif => "image/gif",
        ImageType::Webp => "image/webp",
        ImageType::Bmp => "image/bmp",
        ImageType::Ico => "image/x-icon",
        _ => return None,
    })
}

/// Standard base64 with padding, for `data:` URIs.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Text escaped for HTML content and quoted attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Serve mode's script: asks for the current version every half second and reloads the page
/// when it is not the one shown.
fn reload_script(version: u64) -> String {
    format!(
        "(function(){{var shown={version};setInterval(function(){{fetch('/version',{{cache:'no-store'}}).then(function(r){{return r.text();}}).then(function(v){{if(Number(v)!==shown){{location.reload();}}}}).catch(function(){{}});}},500);}})();"
    )
}

/// The page's style: a phone-sized Messenger thread beside the diagnostics panel.
const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;background:#f0f2f5;color:#050505}
.preview{display:flex;flex-wrap:wrap;gap:24px;padding:24px;align-items:flex-start}
.phone{width:375px;min-height:640px;background:#fff;border:10px solid #1c1e21;border-radius:36px;overflow:hidden;flex:none}
.bar{display:flex;align-items:center;gap:8px;padding:12px 16px;border-bottom:1px solid #e4e6eb;font-weight:600}
.avatar{display:inline-block;width:28px;height:28px;border-radius:50%;background:#0866ff}
.thread{padding:12px 12px 24px 12px;display:flex;flex-direction:column;gap:8px}
.bubble{max-width:260px;padding:8px 12px;border-radius:18px;background:#e4e6eb;white-space:pre-wrap;overflow-wrap:anywhere;font-size:15px;line-height:20px}
.card{width:250px;border:1px solid #dadde1;border-radius:18px;overflow:hidden;background:#fff;font-size:14px}
.carousel{display:flex;gap:8px;overflow-x:auto;max-width:100%;padding-bottom:4px;scroll-snap-type:x mandatory}
.generic-card{flex:none;scroll-snap-align:start}
.card-body{padding:8px 12px}
.card-title{font-weight:600;font-size:15px;line-height:20px}
.card-subtitle{color:#65676b;font-size:13px;line-height:17px}
.card-domain{color:#65676b;font-size:12px}
.clamp-1,.clamp-2{display:-webkit-box;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere}
.clamp-1{-webkit-line-clamp:1;line-clamp:1}
.clamp-2{-webkit-line-clamp:2;line-clamp:2}
.cut{background:#fff4ce}
.cut-mark{font-size:11px;color:#b35900;text-decoration:none;font-weight:600}
.buttons{border-top:1px solid #dadde1}
.button{padding:8px 12px;text-align:center;color:#0866ff;font-weight:600;border-top:1px solid #dadde1}
.button:first-child{border-top:0}
.placeholder{display:flex;align-items:center;justify-content:center;background:repeating-linear-gradient(45deg,#e4e6eb,#e4e6eb 10px,#d8dadf 10px,#d8dadf 20px);color:#65676b;font-size:11px;overflow:hidden;text-align:center;padding:6px}
.placeholder-label{overflow-wrap:anywhere;max-height:100%;overflow:hidden}
.card-image,.photo{display:block;width:100%;object-fit:cover;height:auto}
.card-image.placeholder,.photo.placeholder{display:flex}
.r-191{aspect-ratio:1.91/1}
.r-1{aspect-ratio:1/1}
.r-169{aspect-ratio:16/9}
.attachment-image{width:250px;border-radius:18px;overflow:hidden}
.attachment-image .photo{aspect-ratio:auto}
.attachment-image .placeholder{aspect-ratio:1.91/1}
.media-card{display:flex;align-items:center;gap:8px;padding:12px}
.media-icon{font-size:20px}
.media-label{font-weight:600}
.media-source{color:#65676b;overflow-wrap:anywhere}
.receipt{width:300px}
.receipt-head{padding:10px 12px;border-bottom:1px solid #dadde1;display:flex;justify-content:space-between;font-weight:600}
.merchant{color:#65676b;font-weight:400}
.receipt-item{display:flex;gap:8px;padding:8px 12px;align-items:flex-start}
.item-image{flex:none;width:48px;height:48px;border-radius:6px;object-fit:cover}
.item-image.placeholder{padding:2px;font-size:7px}
.no-image{display:inline-block;background:#e4e6eb}
.item-text{flex:1;min-width:0}
.item-title{font-weight:600}
.item-subtitle,.item-quantity{color:#65676b;font-size:12px}
.item-price{flex:none;font-size:13px}
.receipt-row{display:flex;justify-content:space-between;gap:12px;padding:6px 12px;border-top:1px solid #f0f2f5}
.receipt-row .label{color:#65676b;white-space:nowrap}
.receipt-row .value{text-align:right}
.receipt-row.total{font-weight:700;border-top:1px solid #dadde1}
.button-template-text{padding:10px 12px;white-space:pre-wrap;overflow-wrap:anywhere}
.quick-replies{display:flex;gap:6px;flex-wrap:wrap;justify-content:flex-end}
.chip{display:inline-flex;align-items:center;gap:4px;border:1px solid #0866ff;color:#0866ff;border-radius:16px;padding:4px 12px;font-size:14px}
.chip-image{width:16px;height:16px;border-radius:50%;padding:0;font-size:0}
.not-rendered{color:#b00020}
.side{flex:1;min-width:280px;max-width:720px;background:#fff;border-radius:12px;padding:16px 20px}
.side h1{font-size:20px;margin:0 0 4px 0}
.side h2{font-size:16px;margin:16px 0 4px 0}
.muted,.at{color:#65676b}
.diagnostics{list-style:none;padding:0;margin:0}
.diagnostic{padding:6px 0;border-top:1px solid #e4e6eb;overflow-wrap:anywhere}
.diagnostic .code{font-family:ui-monospace,monospace;font-weight:600}
.diagnostic.error .code{color:#b00020}
.diagnostic.warning .code{color:#8a5a00}
.help{color:#65676b;font-size:13px}
.cuts li{margin:4px 0;overflow-wrap:anywhere}
.cuts li:target{background:#fff4ce}
.gallery{padding:24px}
.gallery-list li{margin:6px 0}
.counts{color:#65676b;font-size:13px}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>"x" & 'y'</script>"#),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn base64_pads_as_the_standard_says() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn unix_seconds_become_a_utc_date() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_718_788_500), "2024-06-19");
        assert_eq!(date(951_782_400), "2000-02-29");
    }

    #[test]
    fn image_urls_are_listed_once_each() {
        let body: Value = serde_json::json!({
            "attachment": {"type": "template", "payload": {"template_type": "generic", "elements": [
                {"title": "a", "image_url": "https://x.example/a.png"},
                {"title": "b", "image_url": "https://x.example/a.png", "buttons": [{"type": "web_url", "url": "https://x.example/p", "title": "b"}]}
            ]}},
            "quick_replies": [{"content_type": "text", "title": "q", "payload": "q", "image_url": "https://x.example/q.png"}]
        });
        assert_eq!(
            image_urls(&body),
            ["https://x.example/a.png", "https://x.example/q.png"]
        );
        let image = serde_json::json!({"attachment": {"type": "image", "payload": {"url": "https://x.example/i.jpg"}}});
        assert_eq!(image_urls(&image), ["https://x.example/i.jpg"]);
    }

    #[test]
    fn a_title_is_marked_cut_past_the_lines_messenger_shows() {
        assert!(!probably_cut("Classic White T-Shirt", CARD_TITLE));
        assert!(probably_cut(&"x".repeat(57), CARD_TITLE));
        assert!(probably_cut("a\nb\nc", CARD_TITLE));
        assert!(probably_cut(
            "100% Soft and Luxurious Cotton",
            ITEM_SUBTITLE
        ));
    }
}
