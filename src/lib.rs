//! missive: a compiler for Messenger notification templates.

pub mod diagnostic;
pub mod span;
pub mod syntax;
pub mod json;
pub mod profile;
pub mod check;
pub mod ir;
pub mod render;
