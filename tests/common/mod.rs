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

/// The shared parts of the bundled templates, `templates/parts/`, that `back_in_stock` and
/// `shipping_update` use.
pub fn bundled_parts() -> std::sync::Arc<missive::check::parts::Catalogue> {
    let dir = repo("templates/parts");
    std::sync::Arc::new(missive::check::parts::Catalogue::read_dir(&dir).unwrap())
}

/// The options that compile a bundled template as `missive check templates/` does: the
/// default profile, with the bundled parts.
pub fn bundled_options() -> missive::Options {
    missive::Options {
        parts: bundled_parts(),
        ..missive::Options::default()
    }
}

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
/// The folders of one test run share a parent, `missive-tests-PID`; the first call removes the
/// parents that earlier runs left (their process is gone), so the scratch folders do not pile up.
pub fn temp_dir(what: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(sweep_earlier_runs);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir()
        .join(format!("missive-tests-{}", std::process::id()))
        .join(format!("{what}-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes the scratch parents of earlier test runs whose process has ended (on Linux, where
/// `/proc` tells; elsewhere they stay, as any temporary folder does).
fn sweep_earlier_runs() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("missive-tests-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
