//! M7xxx: `missive build`, over a folder of templates.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::Diagnostic;

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M7001.md"))]
pub fn m7001_no_sample_data(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::NoSampleData, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M7002.md"))]
pub fn m7002_duplicate_output(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DuplicateOutput, message)
}
