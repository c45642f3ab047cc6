//! M1xxx: names and types, what the checker finds in blocks, fields and `input`.
//!
//! One constructor per code, whose documentation is the code's page (`missive explain`).

use super::Code;
use crate::diagnostic::Diagnostic;

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1001.md"))]
pub fn m1001_undeclared_variable(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UndeclaredVariable, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1002.md"))]
pub fn m1002_unknown_field(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownField, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1003.md"))]
pub fn m1003_type_mismatch(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::TypeMismatch, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1004.md"))]
pub fn m1004_unknown_block(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownBlock, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1005.md"))]
pub fn m1005_duplicate_field(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DuplicateField, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1006.md"))]
pub fn m1006_missing_header(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::MissingHeader, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1007.md"))]
pub fn m1007_duplicate_declaration(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DuplicateDeclaration, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1008.md"))]
pub fn m1008_not_a_list(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::NotAList, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1009.md"))]
pub fn m1009_unknown_type(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownType, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1010.md"))]
pub fn m1010_conditional_field(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ConditionalField, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1011.md"))]
pub fn m1011_unknown_button_type(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownButtonType, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1012.md"))]
pub fn m1012_several_attachments(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::SeveralAttachments, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1013.md"))]
pub fn m1013_invalid_header(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidHeader, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1014.md"))]
pub fn m1014_reserved_name(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::ReservedName, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1020.md"))]
pub fn m1020_unknown_part(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownPart, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1021.md"))]
pub fn m1021_part_cycle(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::PartCycle, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1022.md"))]
pub fn m1022_part_argument_type(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::PartArgumentType, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1023.md"))]
pub fn m1023_missing_part_argument(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::MissingPartArgument, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1024.md"))]
pub fn m1024_unknown_part_argument(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownPartArgument, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1025.md"))]
pub fn m1025_duplicate_part(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DuplicatePart, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1026.md"))]
pub fn m1026_misplaced_part(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::MisplacedPart, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1030.md"))]
pub fn m1030_locales_declaration(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::LocalesDeclaration, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1031.md"))]
pub fn m1031_missing_translation(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::MissingTranslation, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1032.md"))]
pub fn m1032_unknown_locale(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownLocale, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1040.md"))]
pub fn m1040_invalid_range(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidRange, message)
}

#[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/M1041.md"))]
pub fn m1041_format_filter(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::FormatFilter, message)
}
