//! A loopback HTTP server that a test scripts: it records every request and answers each as
//! the test says (any status, headers and body; a dropped connection; or no answer until the
//! test releases it). Nothing in it measures time: a test waits for a state of the server's
//! log (`wait_until`), never for a while.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The request target: path and query.
    pub target: String,
    pub content_type: String,
    pub body: String,
}

/// How the server answers one request.
pub enum Reply {
    /// Status, extra headers, body.
    Http(u16, &'static [(&'static str, &'static str)], Vec<u8>),
    /// Holds the request unanswered until the test calls `Server::release` (or drops the
    /// server), then answers 200.
    Hold,
    /// Reads the request and closes the connection without a word.
    Drop,
}

/// What the server has seen, shared with its connection threads.
#[derive(Default)]
pub struct Log {
    pub seen: Vec<Seen>,
    /// Requests held now.
    pub held: usize,
    released: bool,
}

#[derive(Default)]
struct Shared {
    log: Mutex<Log>,
    /// Notified whenever the log changes.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    shared: Arc<Shared>,
}

impl Server {
    /// Answers the n-th request (0-based, counted over all requests) with `reply(n, &request)`.
    pub fn start(reply: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared: Arc<Shared> = Arc::default();
        let reply = Arc::new(reply);
        let log = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                let reply = Arc::clone(&reply);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
                    let mut length = 0;
                    let mut content_type = String::new();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                        let (name, value) = h.split_once(':').unwrap_or((&h, ""));
                        let value = value.trim().to_string();
                        match name.to_ascii_lowercase().as_str() {
                            "content-length" => length = value.parse().unwrap_or(0),
                            "content-type" => content_type = value,
                            _ => {}
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    let request = Seen {
                        target,
                        content_type,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    let n = {
                        let mut l = log.lock();
                        l.seen.push(request.clone());
                        log.changed.notify_all();
                        l.seen.len() - 1
                    };
                    let mut s = stream;
                    let (status, headers, body) = match reply(n, &request) {
                        Reply::Drop => return,
                        Reply::Hold => {
                            let mut l = log.lock();
                            l.held += 1;
                            log.changed.notify_all();
                            while !l.released {
                                l = log.changed.wait(l).unwrap_or_else(|e| e.into_inner());
                            }
                            l.held -= 1;
                            (200, &[][..], b"{}".to_vec())
                        }
                        Reply::Http(status, headers, body) => (status, headers, body),
                    };
                    let mut head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                        body.len()
                    );
                    for (k, v) in headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = s.write_all(head.as_bytes());
                    let _ = s.write_all(&body);
                });
            }
        });
        Server { base, shared }
    }

    /// Answers every request 200, with the body of the iAdvize API's success.
    pub fn ok() -> Server {
        Server::start(|_, _| Reply::Http(200, &[], br#"{"meta":{"status":"success"}}"#.to_vec()))
    }

    /// Every request so far, in the order they came.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.lock().seen.clone()
    }

    /// Blocks until `ready` holds of the server's log (it is checked again at every request).
    pub fn wait_until(&self, ready: impl Fn(&Log) -> bool) {
        let mut l = self.shared.lock();
        while !ready(&l) {
            l = self
                .shared
                .changed
                .wait(l)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Answers the held requests, and every later `Reply::Hold` at once.
    pub fn release(&self) {
        self.shared.lock().released = true;
        self.shared.changed.notify_all();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.release();
    }
}
