//! The language server's transport, driven with raw bytes over the real binary's stdio: malformed
//! frames are answered with JSON-RPC errors or skipped, and the server stays up.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

const INITIALIZE: &str =
    r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;

/// Runs `missive lsp` on `input`, closes its input, and returns its exit status and the messages
/// it wrote.
fn session(input: Vec<u8>) -> (std::process::ExitStatus, Vec<Value>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_missive"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("missive starts");
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        // The server may stop reading (after `exit`); a broken pipe is no failure of the test.
        let _ = stdin.write_all(&input);
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    feeder.join().unwrap();
    (status, parse_frames(&stdout), stderr)
}

fn parse_frames(mut out: &[u8]) -> Vec<Value> {
    let mut messages = Vec::new();
    while !out.is_empty() {
        let text = std::str::from_utf8(out).expect("UTF-8 output");
        let head_end = text.find("\r\n\r\n").expect("a header block");
        let length: usize = text[..head_end]
            .strip_prefix("Content-Length: ")
            .expect("a Content-Length header")
            .parse()
            .unwrap();
        let body = &out[head_end + 4..head_end + 4 + length];
        messages.push(serde_json::from_slice(body).expect("a JSON body"));
        out = &out[head_end + 4 + length..];
    }
    messages
}

fn error_codes(messages: &[Value]) -> Vec<i64> {
    messages
        .iter()
        .filter_map(|m| m.pointer("/error/code").and_then(Value::as_i64))
        .collect()
}

#[test]
fn malformed_frames_are_answered_and_the_server_stays_up() {
    let mut input = framed(INITIALIZE);
    input.extend(framed(INITIALIZED));
    // No Content-Length at all.
    input.extend(b"Content-Type: application/vscode-jsonrpc\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    // Bad JSON.
    input.extend(framed(r#"{"jsonrpc":"2.0","id":2,"method":"#));
    // A Content-Length that is not a number.
    input.extend(b"Content-Length: twelve\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    // An object as a request id.
    input.extend(framed(
        r#"{"jsonrpc":"2.0","id":{"no":1},"method":"textDocument/hover","params":{}}"#,
    ));
    // A body shorter than announced: it runs into the next frame, which is lost with it.
    input.extend(b"Content-Length: 60\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    input.extend(framed(r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#));
    // The server is still there: it shuts down when asked.
    input.extend(framed(r#"{"jsonrpc":"2.0","id":4,"method":"shutdown"}"#));
    input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    let (status, messages, stderr) = session(input);
    assert!(status.success(), "{status}: {stderr}\n{messages:#?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The reader's error answers and the server's messages are written by two threads: their
    // order is not fixed, the order within each is.
    let initialized = messages
        .iter()
        .find(|m| m["id"] == 1)
        .expect("initialize answered");
    assert!(initialized["result"]["capabilities"].is_object());
    // The missing length, bad JSON and the length that is not a number are parse errors, the object id an invalid request
    // answered with a null id, the short body a parse error.
    assert_eq!(
        error_codes(&messages),
        [-32700, -32700, -32700, -32600, -32700],
        "{messages:#?}"
    );
    let invalid = messages
        .iter()
        .find(|m| m.pointer("/error/code") == Some(&Value::from(-32600)))
        .unwrap();
    assert_eq!(invalid["id"], Value::Null);
    let shutdown = messages
        .iter()
        .find(|m| m["id"] == 4)
        .expect("shutdown answered");
    assert_eq!(shutdown["result"], Value::Null);
}

#[test]
fn a_huge_content_length_is_refused_not_allocated() {
    let mut input = framed(INITIALIZE);
    input.extend(framed(INITIALIZED));
    input.extend(b"Content-Length: 1000000000000\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    let (status, messages, stderr) = session(input);
    // The announced body never comes: the input ends, and so does the session, cleanly.
    assert!(status.success(), "{status}: {stderr}\n{messages:#?}");
    assert_eq!(error_codes(&messages), [-32600], "{messages:#?}");
    let message = messages
        .iter()
        .find_map(|m| m.pointer("/error/message"))
        .unwrap()
        .as_str()
        .unwrap();
    assert!(message.contains("maximum of 67108864 bytes"), "{message}");
}

/// Issue 14: hovering inside a field's value, not only on its name, answers with the field's
/// limit, length and worst case (over the real binary, as an editor asks).
#[test]
fn hover_inside_a_fields_value_shows_its_limit_length_and_worst_case() {
    let src = "notification shipped\ninput {\n  order: { number: string max 20 }\n}\ncarousel {\n  element {\n    title: \"Order {{ order.number }} has shipped\"\n    subtitle: \"Arriving on Tuesday\"\n  }\n}\n";
    let open = serde_json::json!({
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": "file:///tmp/shipped.missive", "languageId": "missive", "version": 1, "text": src}}
    });
    let mut input = framed(INITIALIZE);
    input.extend(framed(INITIALIZED));
    input.extend(framed(&open.to_string()));
    // On the words of each value (line 7: "has shipped", line 8: "Tuesday"), 0-based.
    for (id, line, character) in [(10, 6, 40), (11, 7, 30)] {
        let hover = serde_json::json!({
            "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "file:///tmp/shipped.missive"}, "position": {"line": line, "character": character}}
        });
        input.extend(framed(&hover.to_string()));
    }
    input.extend(framed(r#"{"jsonrpc":"2.0","id":4,"method":"shutdown"}"#));
    input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    let (status, messages, stderr) = session(input);
    assert!(status.success(), "{status}: {stderr}");
    let hover = |id: i64| {
        let m = messages.iter().find(|m| m["id"] == id).expect("answered");
        m.pointer("/result/contents/value")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no hover: {m:#}"))
            .to_string()
    };
    let report = format!("title:\n{}\n\nsubtitle:\n{}\n", hover(10), hover(11));
    assert!(report.contains("Worst case"), "{report}");
    assert!(report.contains("Length: 19 characters"), "{report}");
    crate::common::snapshots::assert_snapshot!("hover_inside_a_value", report);
}
