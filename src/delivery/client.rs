//! One POST to the API and its answer, classified for the retry loop; and the loop itself.

use std::time::Duration;

use super::retry::{parse_retry_after, retryable_status, Pacer, RetryPolicy};

/// A blocking HTTP client with a timeout per request.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
}

/// What came back from one try.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// An HTTP answer, any status.
    Http {
        status: u16,
        body: String,
        retry_after: Option<Duration>,
    },
    /// No answer. `maybe_sent`: the request may have reached the API (the connection broke or
    /// timed out after it was sent), as opposed to a connection that was never made.
    /// `lasting`: trying again would end the same (a TLS handshake the server cannot make).
    Transport {
        maybe_sent: bool,
        message: String,
        lasting: bool,
    },
}

impl Client {
    /// A client whose every request gives up after `timeout` (connection, sending, answer).
    pub fn new(timeout: Duration) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            // A fresh connection for every try: then a connection that breaks after the request
            // went out means the API may have it (uncertain), never a stale pooled socket.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .user_agent(concat!("missive/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent }
    }

    /// POSTs a JSON body. Error texts may contain the URL: the caller scrubs the token.
    pub fn post(&self, url: &str, body: &[u8]) -> Answer {
        let result = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(body);
        match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                // The status came and the body broke off: the status is the answer.
                let body = response.body_mut().read_to_string().unwrap_or_default();
                Answer::Http {
                    status,
                    body,
                    retry_after,
                }
            }
            Err(e) => {
                use ureq::Timeout;
                // A TLS handshake that failed: ureq makes it before writing the request, so
                // nothing of the request went out.
                if let Some(message) = tls_handshake_failure(&e) {
                    return Answer::Transport {
                        maybe_sent: false,
                        message,
                        lasting: true,
                    };
                }
                let maybe_sent = !matches!(
                    &e,
                    ureq::Error::HostNotFound
                        | ureq::Error::ConnectionFailed
                        | ureq::Error::BadUri(_)
                        | ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect)
                ) && !matches!(&e, ureq::Error::Io(io) if matches!(
                    io.kind(),
                    std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::AddrNotAvailable
                        | std::io::ErrorKind::NotFound
                ));
                let message = match &e {
                    ureq::Error::Timeout(_) => "no answer before the timeout".to_string(),
                    ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                        "the connection was refused".to_string()
                    }
                    other => other.to_string(),
                };
                Answer::Transport {
                    maybe_sent,
                    message,
                    lasting: false,
                }
            }
        }
    }
}

/// The reason of a TLS handshake that failed, said for a person (`None`: not one). ureq makes
/// the handshake when it connects, before the request is written (`RustlsConnector::connect`
/// completes it). These errors of rustls are about the handshake (the server's certificate,
/// what the peers support), and a record whose type is not TLS's at all is what a plain `http`
/// server sends back to a TLS hello; after a handshake that succeeded, it would mean a peer that
/// stopped speaking TLS mid-stream, which no API does. Anything else rustls says (a record that
/// cannot be decrypted, a handshake message after the handshake, ...) may come after the
/// request went out, and stays uncertain.
fn tls_handshake_failure(e: &ureq::Error) -> Option<String> {
    use rustls::{Error as Tls, InvalidMessage};
    let tls = match e {
        ureq::Error::Rustls(t) => t,
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<Tls>()?,
        _ => return None,
    };
    let why = match tls {
        // The first bytes back were not TLS: a plain `http` server answering in HTTP.
        Tls::InvalidMessage(InvalidMessage::InvalidContentType) => {
            "the server did not answer in TLS: is it an `http://` server given as `https://`?"
                .to_string()
        }
        Tls::InvalidCertificate(c) => {
            format!("the server's TLS certificate was not accepted ({c})")
        }
        Tls::InvalidEncryptedClientHello(_)
        | Tls::NoCertificatesPresented
        | Tls::UnsupportedNameType
        | Tls::PeerIncompatible(_)
        | Tls::InvalidCertRevocationList(_)
        | Tls::HandshakeNotComplete
        | Tls::NoApplicationProtocol
        | Tls::BadMaxFragmentSize => format!("the TLS handshake failed ({tls})"),
        _ => return None,
    };
    Some(format!("{why}; the request was not sent"))
}

/// How one message ended, after its retries.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered { status: u16, attempts: u32 },
    /// An answer that retrying cannot change (4xx other than 429, 3xx): not delivered.
    Refused {
        status: u16,
        body: String,
        attempts: u32,
    },
    /// Every try failed (connection, 429, 5xx), and none may have reached the API.
    /// `unreachable`: the last try could not reach the API at all (no connection, a failed
    /// TLS handshake): the records after it would fare the same.
    Failed {
        reason: String,
        status: Option<u16>,
        body: Option<String>,
        attempts: u32,
        unreachable: bool,
    },
    /// No answer, and some try may have reached the API: it may have been delivered.
    Uncertain { reason: String, attempts: u32 },
}

/// Sends one message: paced, retried on connection errors, 429 and 5xx with backoff and
/// jitter (or the API's `Retry-After`), never retried on other answers. `scrub` cleans texts
/// (ureq's errors name the URL, token included) before they are kept. Once `stopped` says yes
/// (a Ctrl-C), a wait (for the pacer's slot, or before a retry) ends at once and no request
/// starts: the record ends as failed (none of its requests is in flight), so a rerun with the
/// journal sends it. `Failed::unreachable` only when every try failed to connect.
pub fn deliver(
    client: &Client,
    policy: &RetryPolicy,
    pacer: &Pacer,
    url: &str,
    body: &[u8],
    scrub: &dyn Fn(&str) -> String,
    stopped: &dyn Fn() -> bool,
) -> Outcome {
    let mut attempts = 0;
    // Whether no try got an answer, nor any connection at all: the API cannot be reached.
    let mut never_reached = true;
    loop {
        // A stop while waiting for a slot (a low `--rate`) starts no request.
        if !pacer.wait_unless(stopped) || stopped() && attempts == 0 {
            return Outcome::Failed {
                reason: "the send was stopped before it".to_string(),
                status: None,
                body: None,
                attempts,
                unreachable: false,
            };
        }
        attempts += 1;
        let answer = client.post(url, body);
        never_reached &= matches!(
            answer,
            Answer::Transport {
                maybe_sent: false,
                ..
            }
        );
        let (retry_after, last) = match answer {
            Answer::Http { status, .. } if (200..300).contains(&status) => {
                return Outcome::Delivered { status, attempts };
            }
            Answer::Http {
                status,
                body,
                retry_after,
            } if retryable_status(status) => (
                retry_after,
                Outcome::Failed {
                    reason: format!("the API answered HTTP {status}"),
                    status: Some(status),
                    body: Some(scrub(&body)),
                    attempts,
                    unreachable: false,
                },
            ),
            Answer::Http { status, body, .. } => {
                return Outcome::Refused {
                    status,
                    body: scrub(&body),
                    attempts,
                };
            }
            // The request may have reached the API: trying again could deliver it twice, so it
            // ends here as uncertain (a rerun with `--resend-uncertain` decides).
            Answer::Transport {
                maybe_sent: true,
                message,
                ..
            } => {
                return Outcome::Uncertain {
                    reason: scrub(&message),
                    attempts,
                };
            }
            // A handshake the server cannot make: the next try would fail the same.
            Answer::Transport {
                maybe_sent: false,
                message,
                lasting: true,
            } => {
                return Outcome::Failed {
                    reason: scrub(&message),
                    status: None,
                    body: None,
                    attempts,
                    unreachable: never_reached,
                };
            }
            Answer::Transport {
                maybe_sent: false,
                message,
                lasting: false,
            } => (
                None,
                Outcome::Failed {
                    reason: scrub(&message),
                    status: None,
                    body: None,
                    attempts,
                    unreachable: never_reached,
                },
            ),
        };
        if attempts > policy.retries {
            return last;
        }
        if !wait(
            policy.delay(attempts, retry_after, fastrand::f64()),
            stopped,
        ) {
            // Stopped, not shown unreachable: its tries were cut short.
            return match last {
                Outcome::Failed {
                    reason,
                    status,
                    body,
                    attempts,
                    ..
                } => Outcome::Failed {
                    reason: format!("{reason}; not tried again: the send was stopped"),
                    status,
                    body,
                    attempts,
                    unreachable: false,
                },
                other => other,
            };
        }
    }
}

/// How often a wait before a retry looks whether the send was stopped.
const STOP_POLL: Duration = Duration::from_millis(50);

/// Waits `delay`, or less if `stopped` says yes meanwhile: whether the whole wait was made.
fn wait(delay: Duration, stopped: &dyn Fn() -> bool) -> bool {
    let end = std::time::Instant::now() + delay;
    loop {
        if stopped() {
            return false;
        }
        let now = std::time::Instant::now();
        if now >= end {
            return true;
        }
        std::thread::sleep((end - now).min(STOP_POLL));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    /// A server that answers its n-th connection with `answers[n]` (`None`: closes it).
    fn serve(answers: Vec<Option<&'static str>>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (stream, answer) in listener.incoming().flatten().zip(answers) {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                if let Some(a) = answer {
                    let mut s = stream;
                    let _ = s.write_all(a.as_bytes());
                }
            }
        });
        base
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            retries: 2,
            base: Duration::from_millis(1),
            cap: Duration::from_millis(5),
            retry_after_cap: Duration::from_millis(5),
        }
    }

    fn send(base: &str) -> Outcome {
        let client = Client::new(Duration::from_secs(2));
        deliver(
            &client,
            &fast(),
            &Pacer::new(None),
            &format!("{base}/x?access_token=T0K"),
            b"{}",
            &|t| t.replace("T0K", "***"),
            &|| false,
        )
    }

    #[test]
    fn a_stop_ends_the_wait_before_a_retry_and_the_record_is_failed_not_tried_again() {
        // The API asks for a minute's wait before each retry; the send is stopped meanwhile.
        let busy = "HTTP/1.1 503 Busy\r\nRetry-After: 60\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let base = serve(vec![Some(busy), Some(busy)]);
        let policy = RetryPolicy {
            retry_after_cap: Duration::from_secs(60),
            ..fast()
        };
        let stop = std::sync::atomic::AtomicBool::new(false);
        let started = std::time::Instant::now();
        let outcome = std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(200));
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            deliver(
                &Client::new(Duration::from_secs(2)),
                &policy,
                &Pacer::new(None),
                &format!("{base}/x?access_token=T0K"),
                b"{}",
                &|t| t.to_string(),
                &|| stop.load(std::sync::atomic::Ordering::SeqCst),
            )
        });
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the wait was not cut short"
        );
        assert_eq!(
            outcome,
            Outcome::Failed {
                reason: "the API answered HTTP 503; not tried again: the send was stopped".into(),
                status: Some(503),
                body: Some(String::new()),
                attempts: 1,
                unreachable: false,
            }
        );
    }

    #[test]
    fn a_record_is_unreachable_only_when_no_try_reached_the_api() {
        // Two 503s, then the server is gone (its listener closed): the API was reached, and a
        // send must not stop as if `--api-url` were wrong.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for _ in 0..2 {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let mut request = [0; 1024];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(
                    b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
            // The listener is dropped here: the third try is refused.
        });
        let policy = RetryPolicy {
            base: Duration::from_millis(300),
            cap: Duration::from_millis(300),
            ..fast()
        };
        let outcome = deliver(
            &Client::new(Duration::from_secs(2)),
            &policy,
            &Pacer::new(None),
            &format!("{base}/x"),
            b"{}",
            &|t| t.to_string(),
            &|| false,
        );
        match outcome {
            Outcome::Failed {
                attempts: 3,
                unreachable,
                ..
            } => assert!(!unreachable),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn https_to_a_plain_http_server_is_not_sent_and_says_why() {
        // The server answers whatever comes (a TLS hello) in plain HTTP, as an `http` server
        // given as `https://` does.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten().take(3) {
                let mut hello = [0; 512];
                let _ = stream.read(&mut hello);
                let _ = stream.write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        match send(&format!("https://127.0.0.1:{port}")) {
            // Not tried again: the next handshake would fail the same.
            Outcome::Failed {
                reason,
                status: None,
                attempts: 1,
                unreachable: true,
                ..
            } => assert_eq!(
                reason,
                "the server did not answer in TLS: is it an `http://` server given as `https://`?; the request was not sent"
            ),
            other => panic!("{other:?}"),
        }
    }

    const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";

    #[test]
    fn a_503_then_a_200_is_delivered_on_the_second_try() {
        let base = serve(vec![
            Some("HTTP/1.1 503 Busy\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            Some(OK),
        ]);
        assert_eq!(
            send(&base),
            Outcome::Delivered {
                status: 200,
                attempts: 2
            }
        );
    }

    #[test]
    fn a_400_is_refused_at_once_with_its_body() {
        let base = serve(vec![Some(
            "HTTP/1.1 400 Bad\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"t\":\"T0K\"}xx",
        )]);
        assert_eq!(
            send(&base),
            Outcome::Refused {
                status: 400,
                body: "{\"t\":\"***\"}xx".into(),
                attempts: 1
            }
        );
    }

    #[test]
    fn every_try_a_500_is_failed_and_a_dropped_connection_uncertain_at_once() {
        let e500 = "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let base = serve(vec![Some(e500), Some(e500), Some(e500)]);
        assert!(matches!(
            send(&base),
            Outcome::Failed {
                status: Some(500),
                attempts: 3,
                ..
            }
        ));
        // Dropped after the request went out: never tried again (it may have arrived).
        let base = serve(vec![None, None, None]);
        assert!(matches!(
            send(&base),
            Outcome::Uncertain { attempts: 1, .. }
        ));
        // A refused connection never reached anyone.
        let closed = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        match send(&closed) {
            Outcome::Failed {
                reason,
                status: None,
                attempts: 3,
                ..
            } => {
                assert!(!reason.contains("T0K"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}
