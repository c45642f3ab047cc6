//! The Node packages some tests drive (an LSP client, VS Code's TextMate tokenizer), pinned by
//! `tests/lsp/package-lock.json`. `cargo test` installs them on first use with `npm ci`, so the
//! README's one test command is all the set-up a fresh machine needs (Node 20 and the npm
//! registry are required).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The folder holding the pinned packages, with `package` installed.
pub fn installed(package: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp");
    let ready = |dir: &Path| dir.join("node_modules").join(package).is_dir();
    if ready(&dir) {
        return dir;
    }
    // One installer at a time, across test binaries run in parallel: a lock folder.
    let lock = dir.join(".npm-install-lock");
    let mut waited = 0;
    while std::fs::create_dir(&lock).is_err() {
        std::thread::sleep(Duration::from_millis(200));
        waited += 1;
        assert!(
            waited < 900,
            "{} stayed locked for 3 minutes: remove it if no install runs",
            lock.display()
        );
    }
    let result = if ready(&dir) {
        Ok(())
    } else {
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .map_err(|e| format!("cannot run `npm` (Node 20 and npm are needed): {e}"))
            .and_then(|out| {
                if out.status.success() {
                    Ok(())
                } else {
                    Err(format!(
                        "`npm ci` in tests/lsp failed ({}):\n{}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr)
                    ))
                }
            })
    };
    let _ = std::fs::remove_dir(&lock);
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        ready(&dir),
        "`npm ci` did not install {package} in tests/lsp"
    );
    dir
}
