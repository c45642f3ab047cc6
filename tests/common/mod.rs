//! What the integration tests share: the `missive` binary as a command, scratch folders, the
//! bundled templates, snapshot names, and the rule for tests that need a tool besides cargo.

pub mod http;
pub mod npm;
pub mod payloads;
pub mod snapshots;
pub mod tools;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The templates in `templates/`, each with its sample data in `examples/`.
pub const BUNDLED: &[&str] = &[
    "text_only",
    "image_only",
    "carousel",
    "receipt",
    "order_confirmation",
    "back_in_stock",
    "shipping_update",
];

/// A path in the repository, from its root: `repo("templates/receipt.missive")`.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The text of a file in the repository (see [`repo`]).
pub fn read(path: &str) -> String {
    let path = repo(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `missive` binary, run from the repository's root, without colours.
pub fn missive() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("missive").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

/// A new empty folder of its own, named after `what`: tests run in parallel and reuse file names.
pub fn temp_dir(what: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("missive-{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
