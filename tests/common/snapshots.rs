//! Snapshot files keep the names they had when each test file was a crate of its own:
//! `tests/snapshots/<file>__<name>.snap`. In one crate, insta would prefix the crate's name too
//! (`it__fixtures__…`) and look beside `tests/it/`; pinning the folder and the prefix keeps
//! every existing snapshot in use, unchanged, instead of orphaning it and writing a new one.

use std::path::Path;

/// The settings and the file name (without `.snap`) for snapshot `name` asserted in module
/// `module_path` (as `module_path!()` gives it: `it::fixtures`).
pub fn pinned(module_path: &str, name: &str) -> (insta::Settings, String) {
    let file = module_path.rsplit("::").next().unwrap_or(module_path);
    // Cloned from the current settings, so that `insta::glob!`'s suffix is kept.
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    (settings, format!("{file}__{name}"))
}

/// `insta::assert_snapshot!(name, value)`, stored as `tests/snapshots/<file>__<name>.snap`,
/// `<file>` being the test module's name.
macro_rules! assert_snapshot {
    ($name:expr, $value:expr $(,)?) => {{
        let (settings, name) = $crate::common::snapshots::pinned(module_path!(), &$name);
        settings.bind(|| insta::assert_snapshot!(name, $value));
    }};
}
pub(crate) use assert_snapshot;
