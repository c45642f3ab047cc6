//! The Node packages some tests drive (an LSP client, VS Code's TextMate tokenizer, pinned by
//! `tests/lsp/package-lock.json`; playwright-core and html-validate, by
//! `tests/browser/package-lock.json`). `cargo test` installs them on first use with `npm ci`, so the
//! README's one test command is all the set-up a fresh machine needs; without Node and npm,
//! the tests that need them skip (see `tools`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use super::tools;

/// `node` and the folder holding the pinned packages with `package` installed, or `None` (the
/// test skips) when Node, or npm for a first install, is missing.
pub fn node_with(package: &str) -> Option<(PathBuf, PathBuf)> {
    node_with_in("tests/lsp", package)
}

/// [`node_with`] for the packages pinned in another folder of the repository
/// (`tests/browser`).
pub fn node_with_in(folder: &str, package: &str) -> Option<(PathBuf, PathBuf)> {
    let node = tools::require("node", "Node 20 runs this test")?;
    let dir = installed(folder, package)?;
    Some((node, dir))
}

/// The folder holding the pinned packages, with `package` installed, or `None` when they must
/// be installed and npm is missing.
fn installed(folder: &str, package: &str) -> Option<PathBuf> {
    // One installer at a time in this process; across processes, see `install`.
    static INSTALLING: Mutex<()> = Mutex::new(());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let ready = |dir: &Path| dir.join("node_modules").join(package).is_dir();
    if ready(&dir) {
        return Some(dir);
    }
    let _one = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    if !ready(&dir) {
        let npm = tools::require("npm", "npm installs the pinned Node packages")?;
        if let Err(e) = install(&npm, &dir) {
            panic!("{e}");
        }
    }
    assert!(
        ready(&dir),
        "`npm ci` did not install {package} in {folder}"
    );
    Some(dir)
}

/// Runs `npm ci` in a scratch folder beside `dir`, then renames its `node_modules` into `dir`:
/// the rename is atomic, so another process installing at the same time (nextest runs tests
/// in processes of their own) either wins or loses, and nobody sees half an install.
fn install(npm: &Path, dir: &Path) -> Result<(), String> {
    let scratch = dir.join(format!(".npm-install-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(dir.join(file), scratch.join(file))
            .map_err(|e| format!("copying {}: {e}", dir.join(file).display()))?;
    }
    let result = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&scratch)
        .output()
        .map_err(|e| format!("cannot run `npm`: {e}"))
        .and_then(|out| {
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "`npm ci` in {} failed ({}):\n{}",
                    dir.display(),
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        })
        .map(|()| {
            // Losing the race to another installer is fine: its packages are the same.
            let _ = std::fs::rename(scratch.join("node_modules"), dir.join("node_modules"));
        });
    let _ = std::fs::remove_dir_all(&scratch);
    result
}
