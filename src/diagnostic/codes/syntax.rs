//! M0xxx: syntax, what the parser finds in the text.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::Diagnostic;

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0001.md"))]
pub fn m0001_syntax_error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::SyntaxError, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0002.md"))]
pub fn m0002_unclosed_delimiter(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnclosedDelimiter, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0003.md"))]
pub fn m0003_unclosed_string(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnclosedString, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0004.md"))]
pub fn m0004_too_deep(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::TooDeep, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0005.md"))]
pub fn m0005_invalid_escape(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidEscape, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0006.md"))]
pub fn m0006_invalid_interpolation(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidInterpolation, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0007.md"))]
pub fn m0007_not_utf8(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::NotUtf8, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0008.md"))]
pub fn m0008_empty_file(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::EmptyFile, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0009.md"))]
pub fn m0009_format_changed(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::FormatChanged, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M0010.md"))]
pub fn m0010_too_large(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::TooLarge, message)
}
