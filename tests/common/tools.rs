//! Tests that need a program besides cargo (Node and npm today; Chromium, Spark and Python
//! later) skip with a printed reason when it is missing, so that `cargo test` passes on a
//! machine without them. Under `MISSIVE_REQUIRE_ALL=1` (set by `.ci/run`) they fail instead,
//! so a broken install cannot pass as green.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The variable under which a missing tool fails the test instead of skipping it.
pub const REQUIRE_ALL: &str = "MISSIVE_REQUIRE_ALL";

/// Whether every tool is required (`MISSIVE_REQUIRE_ALL` set, and not to `0` or empty).
pub fn all_required() -> bool {
    std::env::var_os(REQUIRE_ALL).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The path of `program` found on `PATH`, for a test that needs it `for_what`. When it is not
/// found, the test is skipped: this prints why on standard error (past the test harness's
/// capture, so the reader sees it) and returns `None`, and the caller returns. Under
/// `MISSIVE_REQUIRE_ALL=1` it panics instead.
#[track_caller]
pub fn require(program: &str, for_what: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find_map(|dir| executable(&dir, program)));
    if found.is_none() {
        skip(&format!("`{program}` is not on PATH ({for_what})"));
    }
    found
}

/// Skips the running test for `reason`, or, under `MISSIVE_REQUIRE_ALL=1`, fails it.
#[track_caller]
pub fn skip(reason: &str) {
    assert!(
        !all_required(),
        "{reason}, and {REQUIRE_ALL} is set: install it, or unset {REQUIRE_ALL} to skip"
    );
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    // Straight to the process's standard error: `eprintln!` would be captured and only shown
    // for a failing test.
    let _ = writeln!(
        std::io::stderr(),
        "skipped in {test}: {reason} (set {REQUIRE_ALL}=1 to fail instead)"
    );
}

fn executable(dir: &Path, program: &str) -> Option<PathBuf> {
    let candidates = if cfg!(windows) {
        vec![
            dir.join(format!("{program}.exe")),
            dir.join(format!("{program}.cmd")),
        ]
    } else {
        vec![dir.join(program)]
    };
    candidates.into_iter().find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
