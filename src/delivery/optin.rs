//! The web page's side of the opt-in: the customData snippet that carries the customer_id,
//! built from the same scheme as the send, escaped for a `<script>` element.

/// A JavaScript string literal of `text` that is safe inside a `<script>` element: JSON
/// (quotes, backslashes and control characters escaped), then `<`, `>`, `&`, U+2028 and U+2029
/// as `\uXXXX`, so that `</script>` or `<!--` in the data cannot end the element and older
/// engines do not see a line break.
pub(crate) fn script_string(text: &str) -> String {
    let json = serde_json::Value::String(text.to_string()).to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet that sets iAdvize's `social_notification_customer_id` customData, as the
/// integration guide writes it.
pub fn snippet(customer_id: &str) -> String {
    format!(
        "window.idzCustomData = window.idzCustomData || {{}};\nwindow.idzCustomData.social_notification_customer_id = {};\n",
        script_string(customer_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_the_id_can_close_the_script_element() {
        let s = script_string("a\"b\\c</script><!--&\u{2028}\u{2029}\n");
        assert_eq!(
            s,
            r#""a\"b\\c\u003c/script\u003e\u003c!--\u0026\u2028\u2029\n""#
        );
        assert!(!s.contains('<') && !s.contains('>'));
        // Still a JSON string of the same text.
        assert_eq!(
            serde_json::from_str::<String>(&s).unwrap(),
            "a\"b\\c</script><!--&\u{2028}\u{2029}\n"
        );
    }

    #[test]
    fn the_snippet_is_the_guides() {
        assert_eq!(
            snippet("instock-AB123-k45332j9i54"),
            "window.idzCustomData = window.idzCustomData || {};\nwindow.idzCustomData.social_notification_customer_id = \"instock-AB123-k45332j9i54\";\n"
        );
    }
}
