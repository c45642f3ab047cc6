//! M2xxx: Messenger's limits and value rules, at check time and on rendered values.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::{Diagnostic, Severity};

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2001.md"))]
pub fn m2001_too_long(severity: Severity, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity,
        ..Diagnostic::error(Code::TooLong, message)
    }
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2002.md"))]
pub fn m2002_too_many(severity: Severity, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity,
        ..Diagnostic::error(Code::TooMany, message)
    }
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2003.md"))]
pub fn m2003_missing_field(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::MissingField, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2004.md"))]
pub fn m2004_empty_string(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::EmptyString, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2005.md"))]
pub fn m2005_invalid_url(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidUrl, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2006.md"))]
pub fn m2006_invalid_phone(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidPhone, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2007.md"))]
pub fn m2007_invalid_currency(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidCurrency, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2008.md"))]
pub fn m2008_text_with_attachment(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::TextWithAttachment, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2009.md"))]
pub fn m2009_too_few(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::TooFew, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2010.md"))]
pub fn m2010_invalid_choice(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidChoice, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2011.md"))]
pub fn m2011_empty_message(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::EmptyMessage, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2012.md"))]
pub fn m2012_title_only_element(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::TitleOnlyElement, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2013.md"))]
pub fn m2013_constant_customer_id(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ConstantCustomerId, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2014.md"))]
pub fn m2014_customer_id_encoded(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::CustomerIdEncoded, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2015.md"))]
pub fn m2015_invalid_attachment_id(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidAttachmentId, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2016.md"))]
pub fn m2016_not_facebook_url(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::NotFacebookUrl, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M2017.md"))]
pub fn m2017_deprecated(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Deprecated, message)
}
