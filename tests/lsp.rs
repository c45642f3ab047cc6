//! The language server, end to end: a real LSP client (Node, with the pinned
//! `vscode-languageserver-protocol` in tests/lsp/) starts `missive lsp` and drives it over stdio:
//! initialize, didOpen of a broken template and its diagnostics, a quick fix, completion, hover,
//! definition, didChange clearing the diagnostics, the re-check latency, formatting, shutdown.

mod npm;

use std::process::Command;

#[test]
fn a_real_client_drives_the_server_over_stdio() {
    let dir = npm::installed("vscode-languageserver-protocol");
    let out = Command::new("node")
        .arg(dir.join("e2e.mjs"))
        .arg(env!("CARGO_BIN_EXE_missive"))
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node` (Node 20 is needed for this test): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the LSP end-to-end test failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // Every step reported itself: a script that stopped early would not print them all.
    for step in [
        "initialize",
        "didOpen of a broken template",
        "codeAction",
        "completion at a field position",
        "completion after `order.`",
        "hover",
        "definition",
        "didChange with the quick fixes applied",
        "latency",
        "formatting",
        "shutdown and exit",
    ] {
        assert!(
            stdout.contains(&format!("ok - {step}")),
            "step `{step}` did not pass:\n{stdout}"
        );
    }
}

/// The command line the VS Code client (editors/vscode/extension.js, run with stand-ins for the
/// `vscode` modules) starts the server with, given its settings as JSON.
fn vscode_server_command(settings: &str) -> Vec<String> {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/vscode_client.cjs");
    let out = Command::new("node")
        .arg(script)
        .arg(settings)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node` (Node 20 is needed for this test): {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON list")
}

#[test]
fn the_vscode_client_leaves_the_profile_to_the_project_file_unless_set() {
    // With the default settings, no `--profile`: a flag would override the project file's
    // `profile`, and the editor would check other limits than `missive check`.
    assert_eq!(vscode_server_command("{}"), ["missive", "lsp"]);
    assert_eq!(
        vscode_server_command(r#"{"profile": "messenger", "path": "/opt/missive"}"#),
        ["/opt/missive", "--profile", "messenger", "lsp"]
    );
}
