//! Model: the iAdvize send request's path, and RFC 3986's path-segment set, written once for
//! render (`render --emit request`) and delivery (`send`).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The path of the iAdvize send request, page id and customer_id percent-encoded: the one
/// place it is built, for `render --emit request`, `send` and `send --dry-run`.
pub fn iadvize_path(page_id: &str, customer_id: &str) -> String {
    format!(
        "/social/facebook/messenger/pages/{}/customers/{}/messages",
        utf8_percent_encode(page_id, PATH_SEGMENT),
        utf8_percent_encode(customer_id, PATH_SEGMENT),
    )
}

/// Characters percent-encoded in a URL path segment: all but RFC 3986's unreserved ones.
pub const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
