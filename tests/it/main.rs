//! The integration tests, in one test crate so that `cargo test` links one binary, not one per
//! file. Each module is one area; helpers shared between them are in `tests/common/`.

#[path = "../common/mod.rs"]
mod common;

mod api_error;
mod batch;
mod cli;
mod corpus;
mod fix;
mod fixtures;
mod fmt;
mod hostile;
mod hostile_suite;
mod import;
mod json;
mod limits;
mod live_input;
mod locales;
mod lsp;
mod lsp_frames;
mod parts;
mod pipelines;
mod preview;
mod props;
mod sample;
mod send;
mod send_batch;
mod spark;
mod ten;
mod textmate;
