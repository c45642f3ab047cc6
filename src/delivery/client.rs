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
    Transport { maybe_sent: bool, message: String },
}

impl Client {
    /// A client whose every request gives up after `timeout` (connection, sending, answer).
    pub fn new(timeout: Duration) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
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
                match response.body_mut().read_to_string() {
                    Ok(body) => Answer::Http {
                        status,
                        body,
                        retry_after,
                    },
                    // The status came, the body broke off: the status is the answer.
                    Err(_) if (200..300).contains(&status) => Answer::Http {
                        status,
                        body: String::new(),
                        retry_after,
                    },
                    Err(e) => Answer::Transport {
                        maybe_sent: true,
                        message: format!("the answer (HTTP {status}) broke off: {e}"),
                    },
                }
            }
            Err(e) => {
                use ureq::Timeout;
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
                }
            }
        }
    }
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
    Failed {
        reason: String,
        status: Option<u16>,
        body: Option<String>,
        attempts: u32,
    },
    /// No answer, and some try may have reached the API: it may have been delivered.
    Uncertain { reason: String, attempts: u32 },
}

/// Sends one message: paced, retried on connection errors, 429 and 5xx with backoff and
/// jitter (or the API's `Retry-After`), never retried on other answers. `scrub` cleans texts
/// (ureq's errors name the URL, token included) before they are kept.
pub fn deliver(
    client: &Client,
    policy: &RetryPolicy,
    pacer: &Pacer,
    url: &str,
    body: &[u8],
    scrub: &dyn Fn(&str) -> String,
) -> Outcome {
    let mut maybe_sent = false;
    let mut attempts = 0;
    loop {
        pacer.wait();
        attempts += 1;
        let answer = client.post(url, body);
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
                },
            ),
            Answer::Http { status, body, .. } => {
                return Outcome::Refused {
                    status,
                    body: scrub(&body),
                    attempts,
                };
            }
            Answer::Transport {
                maybe_sent: sent,
                message,
            } => {
                maybe_sent |= sent;
                (
                    None,
                    Outcome::Failed {
                        reason: scrub(&message),
                        status: None,
                        body: None,
                        attempts,
                    },
                )
            }
        };
        if attempts > policy.retries {
            return match last {
                Outcome::Failed { reason, .. } if maybe_sent => {
                    Outcome::Uncertain { reason, attempts }
                }
                other => other,
            };
        }
        std::thread::sleep(policy.delay(attempts, retry_after, fastrand::f64()));
    }
}
