//! The language server's transport: LSP frames read from standard input with a bound, before
//! they reach the protocol crate.
//!
//! `lsp-server`'s own stdio transport ends the server on the first malformed frame (bad JSON, a
//! missing or non-numeric `Content-Length`, a short body, an object as a request id) and sizes
//! its buffer from the header, so `Content-Length: 1000000000000` aborts the process on
//! allocation. This reader parses the headers itself and refuses a frame longer than
//! [`MAX_FRAME`] bytes before reading it. What it can answer it answers with a JSON-RPC error
//! (`-32700` parse error for a body that is not JSON, `-32600` invalid request for JSON that is
//! not a message, or for a frame it refuses), what it cannot it skips, looking for the next
//! `Content-Length` header, and it stays up. Well-formed messages go to the server through the
//! channels of a [`Connection`].

use std::io::{self, BufRead, Read, Write};
use std::thread::{self, JoinHandle};

use lsp_server::{Connection, Message};
use serde_json::Value;

/// The largest frame body the server reads, in bytes: 64 MiB, far more than any template.
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

/// The longest header line the server reads, in bytes; a longer one is a damaged frame.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// JSON-RPC's "parse error": the body is not JSON.
const PARSE_ERROR: i32 = -32700;
/// JSON-RPC's "invalid request": JSON that is not a message, or a frame refused.
const INVALID_REQUEST: i32 = -32600;

/// The two threads that move frames between the process's stdio and the server.
pub struct Transport {
    reader: JoinHandle<()>,
    writer: JoinHandle<io::Result<()>>,
}

impl Transport {
    /// Waits for both threads: the reader stops at `exit` or at the end of input, the writer once
    /// the server has dropped its side of the connection.
    pub fn join(self) -> io::Result<()> {
        let written = self
            .writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("writer panicked")));
        // The reader may still be blocked on standard input when the server stops on its own;
        // it holds nothing that needs cleaning up, so it is not waited for then.
        if self.reader.is_finished() {
            let _ = self.reader.join();
        }
        written
    }
}

/// A connection for the server over standard input and output, and the threads serving it.
pub fn stdio() -> (Connection, Transport) {
    // Rendezvous channels, as lsp-server's own stdio transport has: the server sees a message
    // only once it asks for one, so its "is a burst of edits over" test (an empty queue) holds.
    let (to_server, server_receiver) = crossbeam_channel::bounded::<Message>(0);
    let (server_sender, from_server) = crossbeam_channel::bounded::<Message>(0);
    let server = Connection {
        sender: server_sender,
        receiver: server_receiver,
    };
    let reader = thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        read_frames(&mut input, |frame| match frame {
            Frame::Message(msg) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                // A server that has stopped no longer listens; the frames left are dropped.
                to_server.send(msg).is_ok() && !exit
            }
            Frame::Error(answer) => write_frame(answer.to_string().as_bytes()).is_ok(),
        });
    });
    let writer = thread::spawn(move || {
        for msg in from_server {
            write_message(&msg)?;
        }
        Ok(())
    });
    (server, Transport { reader, writer })
}

/// Writes one frame to standard output, whole: the lock keeps the reader's error answers and the
/// server's messages from interleaving.
fn write_message(msg: &Message) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    msg.write(&mut out)?;
    out.flush()
}

/// Writes one frame of the reader's own (an error answer) to standard output, whole.
fn write_frame(body: &[u8]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
    out.write_all(body)?;
    out.flush()
}

/// What one frame of input turned out to be.
#[derive(Debug)]
pub enum Frame {
    /// A well-formed message, for the server.
    Message(Message),
    /// A frame that could not be passed on, and the JSON-RPC error answering it.
    Error(Value),
}

/// Reads frames from `input` until it ends or `each` returns `false`, handing each message or
/// error answer to `each`. Never fails: damaged input is answered or skipped.
pub fn read_frames(input: &mut impl BufRead, mut each: impl FnMut(Frame) -> bool) {
    // Set after a damaged header: the reader looks for the next `Content-Length` line.
    let mut resync = false;
    loop {
        let length = match read_header(input, &mut resync) {
            Header::End => return,
            Header::Damaged(why) => {
                resync = true;
                if !each(error(PARSE_ERROR, Value::Null, why)) {
                    return;
                }
                continue;
            }
            Header::Length(n) => n,
        };
        if length > MAX_FRAME {
            let why = format!(
                "a frame of {length} bytes is over the language server's maximum of {MAX_FRAME} bytes; it is skipped"
            );
            if !each(error(INVALID_REQUEST, Value::Null, why)) {
                return;
            }
            // Skip the body as announced; input that ends first ends the session.
            match io::copy(&mut input.take(length as u64), &mut io::sink()) {
                Ok(n) if n == length as u64 => continue,
                _ => return,
            }
        }
        let mut body = Vec::with_capacity(length.min(1 << 20));
        match input.take(length as u64).read_to_end(&mut body) {
            Ok(n) if n == length => {}
            // A body cut short by the end of input: nothing more will come.
            _ => {
                let _ = each(error(
                    PARSE_ERROR,
                    Value::Null,
                    format!("the input ended inside a frame of {length} bytes"),
                ));
                return;
            }
        }
        let frame = frame(&body);
        // A body that is not JSON may be a short one that ran into the next frame: look for
        // that frame's `Content-Length` rather than read the rest of it as headers.
        if matches!(&frame, Frame::Error(answer) if answer["error"]["code"] == PARSE_ERROR) {
            resync = true;
        }
        if !each(frame) {
            return;
        }
    }
}

enum Header {
    /// The length of the body that follows.
    Length(usize),
    /// A header that cannot be used, and why.
    Damaged(String),
    /// The end of input.
    End,
}

/// Reads one header block, up to its empty line. In `resync` mode, lines are skipped until one
/// holds a `Content-Length` header (a body without a line end runs into the next header).
fn read_header(input: &mut impl BufRead, resync: &mut bool) -> Header {
    let mut length: Option<Result<usize, String>> = None;
    let mut seen_any = false;
    loop {
        let line = match read_line(input) {
            Line::End => return Header::End,
            Line::TooLong => {
                *resync = true;
                if seen_any {
                    return Header::Damaged(format!(
                        "a header line is longer than {MAX_HEADER_LINE} bytes"
                    ));
                }
                continue;
            }
            Line::Text(line) => line,
        };
        let mut line = line.as_str();
        if *resync {
            let Some(at) = line.find("Content-Length:") else {
                continue;
            };
            line = &line[at..];
            *resync = false;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !seen_any {
                // Stray blank lines between frames are harmless.
                continue;
            }
            return match length {
                Some(Ok(n)) => Header::Length(n),
                Some(Err(why)) => Header::Damaged(why),
                None => Header::Damaged("a frame without a `Content-Length` header".into()),
            };
        }
        seen_any = true;
        let header = line.split_once(':').filter(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        let Some((name, value)) = header else {
            *resync = true;
            return Header::Damaged(format!("`{}` is not a header", clip(line)));
        };
        if name.trim().eq_ignore_ascii_case("Content-Length") {
            let value = value.trim();
            length = Some(value.parse::<usize>().map_err(|_| {
                format!("`Content-Length: {}` is not a length in bytes", clip(value))
            }));
        }
    }
}

enum Line {
    Text(String),
    TooLong,
    End,
}

/// Reads one line of at most [`MAX_HEADER_LINE`] bytes; the rest of a longer one is consumed.
fn read_line(input: &mut impl BufRead) -> Line {
    let mut buf = Vec::new();
    match input
        .take(MAX_HEADER_LINE as u64)
        .read_until(b'\n', &mut buf)
    {
        Ok(0) | Err(_) => return Line::End,
        Ok(_) => {}
    }
    if buf.last() != Some(&b'\n') && buf.len() >= MAX_HEADER_LINE {
        // Consume the rest of the overlong line.
        loop {
            let mut rest = Vec::new();
            match input
                .take(MAX_HEADER_LINE as u64)
                .read_until(b'\n', &mut rest)
            {
                Ok(0) | Err(_) => return Line::End,
                Ok(_) if rest.last() == Some(&b'\n') => return Line::TooLong,
                Ok(_) => {}
            }
        }
    }
    Line::Text(String::from_utf8_lossy(&buf).into_owned())
}

/// What a body holds: a message, or the error that answers it.
fn frame(body: &[u8]) -> Frame {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => {
            return error(
                PARSE_ERROR,
                Value::Null,
                format!("the body is not JSON: {e}"),
            )
        }
    };
    let Value::Object(fields) = &value else {
        return error(
            INVALID_REQUEST,
            Value::Null,
            "a message is a JSON object".into(),
        );
    };
    // `lsp-server` would read a request whose id is not an integer or a string as a notification
    // (and not answer it): refuse it here.
    let id = match fields.get("id") {
        None => None,
        Some(Value::String(s)) => Some(Value::String(s.clone())),
        Some(Value::Number(n)) => match n.as_i64().and_then(|n| i32::try_from(n).ok()) {
            Some(n) => Some(Value::from(n)),
            None => {
                return error(
                    INVALID_REQUEST,
                    Value::Null,
                    format!("the id `{n}` is not a 32-bit integer or a string"),
                )
            }
        },
        Some(Value::Null) if !fields.contains_key("method") => None,
        Some(other) => {
            return error(
                INVALID_REQUEST,
                Value::Null,
                format!(
                    "the id `{}` is not an integer or a string",
                    clip(&other.to_string())
                ),
            )
        }
    };
    if let Some(method) = fields.get("method") {
        if !method.is_string() {
            return error(
                INVALID_REQUEST,
                id.unwrap_or(Value::Null),
                "the `method` is not a string".into(),
            );
        }
    }
    match serde_json::from_value::<Message>(value) {
        Ok(msg) => Frame::Message(msg),
        Err(e) => error(
            INVALID_REQUEST,
            id.unwrap_or(Value::Null),
            format!("the body is not a JSON-RPC message: {e}"),
        ),
    }
}

/// A JSON-RPC error answer; `id` is `null` when the message's own id is unknown, as JSON-RPC
/// says (which `lsp_server::RequestId` cannot hold, so these are written as plain JSON).
fn error(code: i32, id: Value, message: String) -> Frame {
    Frame::Error(serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    }))
}

/// At most 80 characters of a piece of input, for a message.
fn clip(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut out = Vec::new();
        read_frames(&mut &input[..], |f| {
            out.push(f);
            true
        });
        out
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn code(frame: &Frame) -> Option<i64> {
        match frame {
            Frame::Error(answer) => answer.pointer("/error/code").and_then(Value::as_i64),
            Frame::Message(_) => None,
        }
    }

    #[test]
    fn an_object_as_an_id_is_an_invalid_request_answered_with_a_null_id() {
        let got = frames(framed(r#"{"jsonrpc":"2.0","id":{},"method":"hover"}"#).as_bytes());
        assert_eq!(code(&got[0]), Some(INVALID_REQUEST.into()));
        let Frame::Error(answer) = &got[0] else {
            unreachable!()
        };
        assert_eq!(answer["id"], Value::Null);
    }

    #[test]
    fn an_oversized_frame_is_refused_without_reading_it_whole() {
        let good = framed(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let input = format!("Content-Length: 1000000000000\r\n\r\nshort{good}");
        let got = frames(input.as_bytes());
        // The body as announced swallows the rest of the input, which then ends.
        assert_eq!(got.len(), 1);
        assert_eq!(code(&got[0]), Some(INVALID_REQUEST.into()));
    }

    #[test]
    fn a_damaged_header_is_answered_and_the_next_frame_read() {
        let good = framed(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#);
        let input = format!("Content-Length: lots\r\n\r\n{{}}{good}");
        let got = frames(input.as_bytes());
        assert_eq!(code(&got[0]), Some(PARSE_ERROR.into()));
        assert!(matches!(&got[1], Frame::Message(Message::Request(r)) if r.method == "shutdown"));
        assert_eq!(got.len(), 2);
    }
}
