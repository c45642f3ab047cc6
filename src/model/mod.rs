//! Model: what Messenger accepts, below every pipeline stage. The block and field schema, the
//! input types, the profiles' limits, and the rules a value must follow (URL, phone, currency,
//! receipt totals, lints), applied by `check` to literals and by `render` to rendered values.
//! Depends on nothing of the pipeline: `syntax`, `check`, `ir` and `render` all build on it.

pub mod api_path;
pub mod images;
pub mod lints;
pub mod profile;
pub mod receipt;
pub mod schema;
pub mod types;
pub mod values;
