//! M4xxx: lints, what is allowed but likely a mistake.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::Diagnostic;

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4001.md"))]
pub fn m4001_extra_fields(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::ExtraFields, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4002.md"))]
pub fn m4002_name_mismatch(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::NameMismatch, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4003.md"))]
pub fn m4003_styling_markup(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::StylingMarkup, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4004.md"))]
pub fn m4004_receipt_totals(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::ReceiptTotals, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4005.md"))]
pub fn m4005_millisecond_timestamp(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::MillisecondTimestamp, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4006.md"))]
pub fn m4006_country_code(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::CountryCode, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4007.md"))]
pub fn m4007_plain_http_image(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::PlainHttpImage, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4008.md"))]
pub fn m4008_no_max_declared(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::NoMaxDeclared, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4009.md"))]
pub fn m4009_unboundable(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::Unboundable, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4010.md"))]
pub fn m4010_image_aspect(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::ImageAspect, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4011.md"))]
pub fn m4011_image_unreadable(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::ImageUnreadable, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4012.md"))]
pub fn m4012_platform_may_drop(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::PlatformMayDrop, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4013.md"))]
pub fn m4013_bidi_control(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::BidiControl, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M4020.md"))]
pub fn m4020_no_messaging_type(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::NoMessagingType, message)
}
