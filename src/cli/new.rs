//! `missive new NAME`: a new template and its sample data, where the project file keeps them
//! (or `templates/` and `examples/` here, with a `missive.toml`, when there is no project).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};

use missive::diagnostic::codes;
use missive::diagnostic::report::FileReport;
use missive::sample::{generate_json, SampleKind};
use missive::{Diagnostic, SourceFile, Span};

use super::{Common, Exit, Outcome, Session, Status, Stream};

#[derive(Args)]
pub struct NewArgs {
    /// The notification's name: a letter or `_`, then letters, digits and `_`
    /// (`back_in_stock`). It names the files too.
    name: String,
    /// What the message is: a text, a carousel of cards, a receipt, or a text with buttons.
    #[arg(long, value_enum, default_value_t = Kind::Text)]
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Kind {
    /// A text message.
    Text,
    /// A carousel of product cards (generic template).
    Carousel,
    /// An order receipt (receipt template).
    Receipt,
    /// A text with buttons (button template).
    Buttons,
}

/// The files `new` writes, in the order they are written.
struct Plan {
    template: PathBuf,
    example: PathBuf,
    /// A project file, when there is none.
    project: Option<PathBuf>,
}

pub fn run(common: &Common, args: NewArgs) -> Outcome {
    let session = Session::open(common, Stream::Stderr)?;
    let profile = session.profile(Stream::Stderr)?;
    if let Some(d) = name_problem(&args.name) {
        let mut r = FileReport::new("NAME");
        r.template = Some(Arc::new(SourceFile::new("NAME", args.name.clone())));
        r.diagnostics.push(d);
        return Err(Exit::reports(Status::Failure, Stream::Stderr, vec![r]));
    }
    let name = args.name.as_str();
    let plan = plan(session.project.as_ref(), name);
    let source = template_source(name, args.kind);

    // The template is checked as it will be checked from its file: it must compile clean.
    let template_path = plan.template.to_string_lossy().into_owned();
    let src = Arc::new(SourceFile::new(template_path.clone(), source.clone()));
    let (report, template) = super::compile_file(&template_path, src, profile);
    let Some(template) = template else {
        return Err(Exit::reports(Status::Errors, Stream::Stderr, vec![report]));
    };
    let example = generate_json(&template, SampleKind::Plausible);

    let mut files: Vec<(&Path, String)> = vec![
        (plan.template.as_path(), source),
        (plan.example.as_path(), example),
    ];
    if let Some(project) = &plan.project {
        let profile = session.common.profile.as_deref().unwrap_or("iadvize");
        files.push((project.as_path(), project_file(profile)));
    }
    // Nothing is written unless every file is new.
    for (path, _) in &files {
        if path.exists() {
            return Err(Exit::usage(
                Stream::Stderr,
                &path.to_string_lossy(),
                codes::m9002_usage(format!("`{}` already exists", path.display()),
                )
                .help("`missive new` never overwrites a file: choose another name, or move the file away first"),
            ));
        }
    }
    let mut written = Vec::new();
    for (path, text) in &files {
        if let Err(e) = create_new(path, text) {
            // Leave nothing half made: the files this run created go.
            for done in &written {
                let _ = std::fs::remove_file(done);
            }
            let shown = path.to_string_lossy();
            return Err(Exit::reports(
                Status::Failure,
                Stream::Stderr,
                vec![super::write_failure(&shown, &e)],
            ));
        }
        written.push(path.to_path_buf());
    }
    let mut out = String::new();
    for path in &written {
        out.push_str(&format!("created {}\n", path.display()));
    }
    out.push_str(&format!(
        "next: `missive check`, `missive sample {}`, `missive build`\n",
        plan.template.display()
    ));
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(Status::Ok.into())
}

/// Writes a file that must not exist yet, creating its folder.
fn create_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Where the files go: the project file's first templates folder and its examples folder (by
/// default `examples/` beside the templates folder, where `build` looks); without a project
/// file, `templates/` and `examples/` here, and a new `missive.toml`.
fn plan(project: Option<&super::project::Project>, name: &str) -> Plan {
    let Some(project) = project else {
        return Plan {
            template: Path::new("templates").join(format!("{name}.missive")),
            example: Path::new("examples").join(format!("{name}.json")),
            project: Some(PathBuf::from(super::project::FILE_NAME)),
        };
    };
    let templates = match project.templates.first() {
        // A template file named in the project: its folder.
        Some(t) if t.extension().is_some_and(|x| x == "missive") => {
            t.parent().map(Path::to_path_buf).unwrap_or_default()
        }
        Some(t) => t.clone(),
        None => project.dir.join("templates"),
    };
    let examples = project.examples.clone().unwrap_or_else(|| {
        match templates.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(parent) => parent.join("examples"),
            None if templates.as_os_str().is_empty() => PathBuf::from("../examples"),
            None => PathBuf::from("examples"),
        }
    });
    Plan {
        template: templates.join(format!("{name}.missive")),
        example: examples.join(format!("{name}.json")),
        project: None,
    }
}

/// Why NAME cannot be a notification's name (a letter or `_`, then letters, digits and `_`;
/// not a keyword), located in NAME, with a name that would do.
fn name_problem(name: &str) -> Option<Diagnostic> {
    use missive::syntax::KEYWORDS;
    let rule = "a notification name is a letter or `_`, then letters, digits and `_`; it names the template's files too";
    if name.is_empty() {
        return Some(
            codes::m9002_usage("the notification name is empty")
                .help(format!("{rule}, e.g. `missive new back_in_stock`")),
        );
    }
    let suggestion = suggested_name(name);
    let help = |what: String| format!("{what}: `missive new {suggestion}` ({rule})");
    if KEYWORDS.contains(&name) {
        return Some(
            codes::m9002_usage(format!("`{name}` is a keyword, not a notification name"))
                .at(Span::new(0, name.len()), "a keyword of the language")
                .help(help("choose another name".into())),
        );
    }
    let (at, c) = name
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit())))?;
    let span = Span::new(at, at + c.len_utf8());
    let (message, label) = if at == 0 && c.is_ascii_digit() {
        (
            format!("`{name}` starts with a digit"),
            "a name starts with a letter or `_`".to_string(),
        )
    } else {
        (
            format!("`{name}` is not a notification name"),
            format!("`{}` cannot be in a name", c.escape_debug()),
        )
    };
    Some(
        codes::m9002_usage(message)
            .at(span, label)
            .help(help("a name that would do".into())),
    )
}

/// A valid name close to `name`: the file stem of a path, other characters as `_`, a `_` in
/// front of a leading digit.
fn suggested_name(name: &str) -> String {
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    let mut s = String::new();
    for c in stem.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && s.ends_with('_')) {
            s.push(c);
        }
    }
    let s = s.trim_matches('_').to_string();
    match s.chars().next() {
        None => "my_notification".into(),
        Some(c) if c.is_ascii_digit() => format!("_{s}"),
        Some(_) if missive::syntax::KEYWORDS.contains(&s.as_str()) => {
            format!("{s}_message")
        }
        Some(_) => s,
    }
}

/// The project file `new` writes when there is none: the profile the template was checked
/// against and the folders it used.
fn project_file(profile: &str) -> String {
    format!(
        "# missive's project file: the defaults for `missive check`, `build` and `render` run in this\n\
         # folder or below. Paths are relative to this file.\n\
         profile = {}\n\
         templates = \"templates\"\n\
         examples = \"examples\"\n\
         out-dir = \"dist\"\n",
        toml_string(profile)
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A starting template of `kind` named `name`, which checks clean.
fn template_source(name: &str, kind: Kind) -> String {
    let (what, body) = match kind {
        Kind::Text => ("a text message", TEXT),
        Kind::Carousel => ("a carousel of products", CAROUSEL),
        Kind::Receipt => ("an order receipt", RECEIPT),
        Kind::Buttons => ("a text with buttons", BUTTONS),
    };
    format!(
        "// {name}: {what}. Its sample data is in the examples folder: `missive check`,\n\
         // `missive sample --worst-case` and `missive build` work on it as it is.\n\
         notification {name} \"{}\"\n\n{body}",
        description(name)
    )
}

/// `back_in_stock` -> `Back in stock`.
fn description(name: &str) -> String {
    let words = name.replace('_', " ");
    let words = words.trim();
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => name.to_string(),
    }
}

const TEXT: &str = r#"input {
  first_name?: string max 40
  order: { number: string max 20, status: string max 60 }
}

text "Hello{% if first_name %} {{ first_name }}{% endif %}! Your order {{ order.number }}: {{ order.status }}."
"#;

const CAROUSEL: &str = r#"input {
  products: list max 10 of {
    name: string max 80
    price_label: string max 20  // formatted by the shop, e.g. "149,00 €"
    url: url
    image: url
  }
}

carousel {
  for product in products {
    element {
      title: product.name
      subtitle: "Now {{ product.price_label }}"
      image_url: product.image
      default_action { url: product.url }
      button web_url { title: "View item", url: product.url }
    }
  }
}
"#;

const RECEIPT: &str = r#"input {
  customer: { name: string max 60 }
  order: {
    number: string max 20
    currency: string max 3
    payment: string max 40  // e.g. "Visa 5469"
    url: url
    placed_at: string max 10  // Unix time in seconds
    items: list max 20 of {
      title: string max 80
      subtitle?: string max 80
      quantity: integer
      price: number
      image?: url
    }
    address: {
      street_1: string max 80
      street_2?: string max 80
      city: string max 40
      postal_code: string max 10
      state: string max 40
      country: string max 2
    }
    totals: { subtotal: number, shipping: number, tax: number, total: number }
  }
}

receipt {
  recipient_name: customer.name
  order_number: order.number
  currency: order.currency
  payment_method: order.payment
  order_url: order.url
  timestamp: order.placed_at
  for item in order.items {
    element {
      title: item.title
      subtitle: item.subtitle
      quantity: item.quantity
      price: item.price
      currency: order.currency
      image_url: item.image
    }
  }
  address {
    street_1: order.address.street_1
    street_2: order.address.street_2
    city: order.address.city
    postal_code: order.address.postal_code
    state: order.address.state
    country: order.address.country
  }
  summary {
    subtotal: order.totals.subtotal
    shipping_cost: order.totals.shipping
    total_tax: order.totals.tax
    total_cost: order.totals.total
  }
}
"#;

const BUTTONS: &str = r#"input {
  first_name?: string max 40
  order: {
    number: string max 20
    carrier: string max 30
    tracking_url: url
  }
}

buttons {
  text: "Good news{% if first_name %} {{ first_name }}{% endif %}! Your order {{ order.number }} has shipped with {{ order.carrier }}."
  button web_url { title: "Track package", url: order.tracking_url }
  button postback { title: "Talk to us", payload: "CONTACT" }
}
"#;
