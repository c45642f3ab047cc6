//! missive: a compiler for Messenger notification templates.
//!
//! A `.missive` source is parsed ([`syntax`]), checked against Messenger's model and a profile's
//! limits ([`check`]) into a compiled [`Template`], and rendered with JSON data into the body
//! that the iAdvize Send-to-Messenger API accepts ([`render`]). Both stages build on `model`
//! (the schema, input types, profiles and value rules) and neither calls the other; [`driver`]
//! runs them in order over a set of files, as `missive check` does. Compile once, render many
//! times:
//!
//! ```
//! let source = "notification hello\ninput { name: string max 20 }\ntext \"Hello {{ name }}!\"\n";
//! let compiled = missive::compile(source, &missive::Options::default());
//! let template = compiled.template.expect("no errors");
//! let data = missive::json::parse(r#"{"name": "Lisa"}"#).unwrap();
//! let mut out = Vec::new();
//! template.render_to(&mut out, &data).unwrap();
//! assert_eq!(out, br#"{"text":"Hello Lisa!"}"#);
//! ```
//!
//! When the API refuses a rendered message, [`api_error::parse_body`] reads its answer and
//! [`api_error::diagnose`] maps the parameter Facebook names back to the template and the data.
//! [`fmt::format`] rewrites a source in the canonical layout, keeping its comments and meaning.
//!
//! The public API is what the `missive` command, the benchmarks and the tests use: [`compile`],
//! [`Template::render_to`] and its siblings, [`Diagnostic`] and the report renderers of
//! [`diagnostic::report`] (human, short, JSON, SARIF), [`json`], [`api_error`], [`fmt`],
//! [`import`], [`input_schema`], [`sample`], [`driver`] and the data checks of [`check::data`]; with the
//! `delivery` and `lsp` features, `delivery` (sending, journal, retries) and `lsp`
//! (`lsp::run_stdio` only). Everything else, the syntax tree and the IR included, is
//! crate-internal and may change freely.

#![deny(missing_docs)]

pub mod api_error;
pub mod batch;
pub mod check;
#[cfg(feature = "delivery")]
pub mod delivery;
pub mod diagnostic;
pub mod driver;
pub mod fmt;
pub mod import;
pub mod input_schema;
pub(crate) mod intl;
pub(crate) mod ir;
pub mod json;
#[cfg(test)]
mod layering_tests;
#[cfg(feature = "lsp")]
pub mod lsp;
pub(crate) mod model;
#[cfg(feature = "preview")]
pub mod preview;
pub mod render;
pub mod sample;
pub(crate) mod span;
pub mod syntax;

pub use check::{compile, Compiled, Options};
pub use diagnostic::{Code, Diagnostic, Severity};
pub use ir::{Locale, Template};
pub use model::profile::{Envelope, Profile, SendApi};
pub use model::types::suggest;
pub use render::{RenderOptions, RequestOptions};
pub use span::{SourceFile, Span};
