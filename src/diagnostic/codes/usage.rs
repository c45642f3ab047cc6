//! M9xxx: usage and I/O: flags, files, profiles, the project file, tokens and journals.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::{Diagnostic, Severity};

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M9001.md"))]
pub fn m9001_io(severity: Severity, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity,
        ..Diagnostic::error(Code::Io, message)
    }
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M9002.md"))]
pub fn m9002_usage(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Usage, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M9003.md"))]
pub fn m9003_profile(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Profile, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M9004.md"))]
pub fn m9004_project_file(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ProjectFile, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M9010.md"))]
pub fn m9010_no_token(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::NoToken, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M9011.md"))]
pub fn m9011_bad_journal(severity: Severity, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity,
        ..Diagnostic::error(Code::BadJournal, message)
    }
}
