//! M3xxx: data, what checking and rendering a data document finds.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::Diagnostic;

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3001.md"))]
pub fn m3001_invalid_json(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidJson, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3002.md"))]
pub fn m3002_missing_data(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::MissingData, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3003.md"))]
pub fn m3003_wrong_data_type(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::WrongDataType, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3004.md"))]
pub fn m3004_data_too_long(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DataTooLong, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3005.md"))]
pub fn m3005_unknown_data_key(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::UnknownDataKey, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3006.md"))]
pub fn m3006_invalid_data_url(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidDataUrl, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3007.md"))]
pub fn m3007_render_failed(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::RenderFailed, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3008.md"))]
pub fn m3008_duplicate_data_key(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::DuplicateDataKey, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3025.md"))]
pub fn m3025_data_too_large(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DataTooLarge, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3030.md"))]
pub fn m3030_unknown_record_locale(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownRecordLocale, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M3040.md"))]
pub fn m3040_data_out_of_range(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DataOutOfRange, message)
}
