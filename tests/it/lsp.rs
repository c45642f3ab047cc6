//! The language server, end to end: a real LSP client (Node, with the pinned
//! `vscode-languageserver-protocol` in tests/lsp/) starts `missive lsp` and drives it over stdio:
//! initialize, didOpen of a broken template and its diagnostics, a quick fix, completion, hover,
//! definition, didChange clearing the diagnostics, the re-check latency, formatting, shutdown.

use std::process::Command;

use crate::common::{npm, tools};

#[test]
fn a_real_client_drives_the_server_over_stdio() {
    let Some((node, dir)) = npm::node_with("vscode-languageserver-protocol") else {
        return;
    };
    let out = Command::new(node)
        .arg(dir.join("e2e.mjs"))
        .arg(env!("CARGO_BIN_EXE_missive"))
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node`: {e}"));
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
fn vscode_server_command(node: &std::path::Path, settings: &str) -> Vec<String> {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/vscode_client.cjs");
    let out = Command::new(node)
        .arg(script)
        .arg(settings)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node`: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON list")
}

#[test]
fn the_vscode_client_leaves_the_profile_to_the_project_file_unless_set() {
    let Some(node) = tools::require("node", "the VS Code client is JavaScript") else {
        return;
    };
    // With the default settings, no `--profile`: a flag would override the project file's
    // `profile`, and the editor would check other limits than `missive check`.
    assert_eq!(vscode_server_command(&node, "{}"), ["missive", "lsp"]);
    assert_eq!(
        vscode_server_command(&node, r#"{"profile": "messenger", "path": "/opt/missive"}"#),
        ["/opt/missive", "--profile", "messenger", "lsp"]
    );
}

/// One JSON-RPC message, framed as LSP wants it.
fn frame(message: &serde_json::Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Every message in a server's output.
fn messages(mut out: &[u8]) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    while let Some(i) = out.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&out[..i]).to_string();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("a Content-Length header");
        let body = &out[i + 4..i + 4 + len];
        all.push(serde_json::from_slice(body).expect("a JSON message"));
        out = &out[i + 4 + len..];
    }
    all
}

#[test]
fn each_document_takes_the_profile_of_its_own_project_file() {
    // A project whose missive.toml says `messenger`, and a server started somewhere else (as
    // Neovim does): a 400-character text is fine for Messenger (2000) but not for iAdvize (320).
    let dir = std::env::temp_dir().join(format!("missive-lsp-project-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("missive.toml"), "profile = \"messenger\"\n").unwrap();
    let text = format!("notification long\ntext \"{}\"\n", "a".repeat(400));
    let file = dir.join("templates/long.missive");
    std::fs::write(&file, &text).unwrap();
    let elsewhere = std::env::temp_dir();

    let diagnostics_for = |uri: &str| {
        let mut input = Vec::new();
        input.extend(frame(
            &serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"capabilities": {}}}),
        ));
        input.extend(frame(
            &serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        ));
        input.extend(frame(&serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "missive", "version": 1, "text": text}}})));
        input.extend(frame(
            &serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
        ));
        input.extend(frame(
            &serde_json::json!({"jsonrpc": "2.0", "method": "exit"}),
        ));
        let out = assert_cmd::Command::cargo_bin("missive")
            .unwrap()
            .arg("lsp")
            .current_dir(&elsewhere)
            .write_stdin(input)
            .output()
            .unwrap();
        let published = messages(&out.stdout)
            .into_iter()
            .find(|m| m["method"] == "textDocument/publishDiagnostics")
            .expect("diagnostics are published");
        published["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let inside = format!("file://{}", file.display());
    assert!(
        !diagnostics_for(&inside).contains(&"M2001".to_string()),
        "the project's messenger profile applies"
    );
    // The same text outside any project: the default profile, iAdvize's 320 characters.
    let outside = "file:///nowhere-near-a-project/long.missive";
    assert!(diagnostics_for(outside).contains(&"M2001".to_string()));
    std::fs::remove_dir_all(&dir).ok();
}
