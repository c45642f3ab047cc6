//! `preview --serve`: the preview on 127.0.0.1, drawn again whenever the template or the data
//! changes (through `check --watch`'s debouncer); the page asks `/version` every half second
//! and reloads when it has changed.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use missive::diagnostic::codes;
use missive::Severity;

use super::preview::{page, Sources};
use super::{Common, Exit, Format, Outcome, Stream};

/// The page being served, and its version (1, then one more for each change).
#[derive(Default)]
struct Current {
    version: u64,
    html: String,
}

pub fn run(common: &Common, sources: &Sources, port: u16) -> Outcome {
    // A template that cannot be read at the start is an error, not an empty server.
    super::load_or_report(&sources.template, false)?;
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        Exit::usage(
            Stream::Stderr,
            "",
            codes::m9001_io(
                Severity::Error,
                format!(
                    "cannot listen on 127.0.0.1:{port}: {}",
                    e.to_string().to_lowercase()
                ),
            )
            .help("choose another port with `--port N` (0 picks a free one)"),
        )
    })?;
    let addr = listener.local_addr().map_err(|e| {
        Exit::usage(
            Stream::Stderr,
            "",
            codes::m9001_io(Severity::Error, format!("cannot listen: {e}")),
        )
    })?;
    let current = Arc::new(Mutex::new(Current::default()));
    {
        let current = Arc::clone(&current);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let current = Arc::clone(&current);
                std::thread::spawn(move || answer(stream, &current));
            }
        });
    }
    let mut watched = vec![PathBuf::from(&sources.template)];
    watched.extend(sources.data.iter().map(PathBuf::from));
    let mut first = true;
    let draw = || -> ExitCode {
        let version = current.lock().unwrap_or_else(|e| e.into_inner()).version + 1;
        let (report, html, _) = match page(sources, Some(version)) {
            Ok(p) => p,
            Err(exit) => return exit.finish(common),
        };
        *current.lock().unwrap_or_else(|e| e.into_inner()) = Current { version, html };
        let counts = missive::diagnostic::report::count(std::slice::from_ref(&report));
        if common.format == Format::Human {
            eprintln!(
                "preview version {version}: {} error{}, {} warning{}",
                counts.errors,
                if counts.errors == 1 { "" } else { "s" },
                counts.warnings,
                if counts.warnings == 1 { "" } else { "s" },
            );
        }
        if std::mem::take(&mut first) {
            eprintln!("serving the preview on http://{addr}/ (Ctrl-C stops)");
        }
        ExitCode::SUCCESS
    };
    let draw = std::cell::RefCell::new(draw);
    super::watch::run(&watched, || (draw.borrow_mut())())
}

/// Answers one request: `/` is the page, `/version` its version; anything else is 404.
fn answer(stream: TcpStream, current: &Mutex<Current>) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The headers, up to the blank line; none is needed.
    let mut line = String::new();
    let mut read = 0;
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim() != "" && read < 100 {
        line.clear();
        read += 1;
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or(path);
    let (status, kind, body) = {
        let cur = current.lock().unwrap_or_else(|e| e.into_inner());
        match path {
            "/" | "/index.html" => ("200 OK", "text/html; charset=utf-8", cur.html.clone()),
            "/version" => ("200 OK", "text/plain", cur.version.to_string()),
            _ => ("404 Not Found", "text/plain", "not found\n".to_string()),
        }
    };
    let mut out = &stream;
    let _ = write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = out.flush();
}
