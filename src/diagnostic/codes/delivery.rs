//! M5xxx: delivery and the API's refusals mapped back to the template.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::Diagnostic;

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5001.md"))]
pub fn m5001_api_refused(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ApiRefused, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5002.md"))]
pub fn m5002_api_too_long(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ApiTooLong, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5003.md"))]
pub fn m5003_api_too_many(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ApiTooMany, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5004.md"))]
pub fn m5004_api_required(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ApiRequired, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5005.md"))]
pub fn m5005_api_invalid_keys(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ApiInvalidKeys, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5006.md"))]
pub fn m5006_api_empty_string(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ApiEmptyString, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5007.md"))]
pub fn m5007_api_too_few(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ApiTooFew, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5021.md"))]
pub fn m5021_delivery_failed(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DeliveryFailed, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5022.md"))]
pub fn m5022_delivery_uncertain(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DeliveryUncertain, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M5023.md"))]
pub fn m5023_duplicate_customer_id(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DuplicateCustomerId, message)
}
