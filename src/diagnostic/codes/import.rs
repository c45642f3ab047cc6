//! M6xxx: import, what reading a JSON payload into a template finds.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::{Diagnostic, Severity};

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M6001.md"))]
pub fn m6001_import_extra(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::ImportExtra, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M6002.md"))]
pub fn m6002_import_type(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ImportType, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M6003.md"))]
pub fn m6003_import_moved(message: impl Into<String>, severity: Severity) -> Diagnostic {
    Diagnostic {
        severity,
        ..Diagnostic::warning(Code::ImportMoved, message)
    }
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M6004.md"))]
pub fn m6004_import_dropped(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::ImportDropped, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M6005.md"))]
pub fn m6005_import_shape(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ImportShape, message)
}
