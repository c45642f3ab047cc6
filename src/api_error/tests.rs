//! Reading error bodies and Facebook's messages. The texts are real ones, quoted from public
//! reports (the source is given beside each).

use super::*;

fn key(k: &str) -> Segment {
    Segment::Key(k.to_string())
}

#[test]
fn facebook_envelope_is_read() {
    // broidHQ/integrations#137 (Facebook's answer, verbatim).
    let body = r#"{"error":{"message":"(#100) Param [elements][0][title] must be a non-empty UTF-8 encoded string","type":"OAuthException","code":100,"fbtrace_id":"F8DlzRhbyZE"}}"#;
    let e = parse_body(Some(400), body);
    assert_eq!(
        e.message,
        "(#100) Param [elements][0][title] must be a non-empty UTF-8 encoded string"
    );
    assert_eq!(e.code, Some(100));
    assert_eq!(e.kind.as_deref(), Some("OAuthException"));
    assert_eq!(e.trace_id.as_deref(), Some("F8DlzRhbyZE"));
    assert_eq!(e.status, Some(400));
    assert_eq!(e.raw, body);
}

#[test]
fn facebook_envelope_with_subcode_and_escaped_slash() {
    // microsoft/botframework-sdk#789: the trace id holds an escaped `/`.
    let body = r#"{"error":{"message":"(#100) The parameter [summary][total_cost] is required","type":"OAuthException","code":100,"error_subcode":2018001,"fbtrace_id":"D7N\/8qwkicg"}}"#;
    let e = parse_body(None, body);
    assert_eq!(e.trace_id.as_deref(), Some("D7N/8qwkicg"));
    assert_eq!(e.subcode, Some(2018001));
    assert_eq!(e.status, None);
}

#[test]
fn facebook_error_object_alone_is_read() {
    // crisboarna/fb-messenger-bot-api#61: the error object as a client logged it.
    let e = parse_body(
        None,
        r#"{"message":"(#100) The parameter recipient is required","type":"OAuthException","code":100,"fbtrace_id":"XXX"}"#,
    );
    assert_eq!(e.message, "(#100) The parameter recipient is required");
    assert_eq!(e.code, Some(100));
    assert_eq!(e.kind.as_deref(), Some("OAuthException"));
    assert_eq!(e.trace_id.as_deref(), Some("XXX"));
}

#[test]
fn iadvize_meta_envelope_is_read() {
    let body = r#"{"meta":{"status":"error","message":"Customer not found"}}"#;
    let e = parse_body(Some(404), body);
    assert_eq!(e.message, "Customer not found");
    assert_eq!(e.status, Some(404));
    assert_eq!(e.code, None);

    // A numeric status in the meta fills in a status the caller did not know.
    let e = parse_body(None, r#"{"meta":{"status":400,"message":"Bad request"}}"#);
    assert_eq!(e.status, Some(400));
}

#[test]
fn iadvize_carrying_facebooks_error_as_its_message() {
    let fb = r#"{"error":{"message":"(#105) param name_placeholder[buttons] has too many elements.","type":"OAuthException","code":105}}"#;
    let body = serde_json::json!({"meta": {"status": 400, "message": fb}}).to_string();
    let e = parse_body(None, &body);
    assert_eq!(
        e.message,
        "(#105) param name_placeholder[buttons] has too many elements."
    );
    assert_eq!(e.code, Some(105));
    assert_eq!(e.status, Some(400));
    assert_eq!(e.raw, body);

    // Facebook's message passed through as plain text in the meta.
    let e = parse_body(
        Some(400),
        r#"{"meta":{"status":400,"message":"(#100) Length of param message[text] must be less than or equal to 320"}}"#,
    );
    assert_eq!(e.code, Some(100));
    assert!(e.message.starts_with("(#100) Length of param"));

    // Or beside the meta.
    let e = parse_body(
        None,
        r#"{"meta":{"status":400},"data":{"error":{"message":"(#100) Invalid keys \"playload\" were found in param \"name_placeholder[buttons][0]\".","code":100}}}"#,
    );
    assert!(e.message.starts_with("(#100) Invalid keys"), "{e:?}");
}

#[test]
fn facebook_error_inside_a_log_line() {
    // microsoft/botframework-sdk#1335: a client's log with Facebook's body after a prefix.
    let text = r#"Facebook graph API call failed with: BadRequest {"error":{"message":"(#100) Length of param message[quick_replies][1][title] must be less than or equal to 20","type":"OAuthException","code":100,"fbtrace_id":"DRAKp97EzXc"}}"#;
    let e = parse_body(None, text);
    assert_eq!(
        e.message,
        "(#100) Length of param message[quick_replies][1][title] must be less than or equal to 20"
    );
    assert_eq!(e.trace_id.as_deref(), Some("DRAKp97EzXc"));
}

#[test]
fn plain_text_bare_message_and_code() {
    let e = parse_body(
        None,
        "  (#105) param name_placeholder[elements] has too many elements  ",
    );
    assert_eq!(
        e.message,
        "(#105) param name_placeholder[elements] has too many elements"
    );
    assert_eq!(e.code, Some(105));
    let e = parse_body(Some(502), "<html><body>Bad Gateway</body></html>");
    assert_eq!(e.message, "<html><body>Bad Gateway</body></html>");
    assert_eq!(e.code, None);
}

#[test]
fn garbage_and_empty_bodies_never_panic() {
    for body in [
        "",
        "   ",
        "{",
        "}",
        "null",
        "[]",
        "42",
        "\"just a string\"",
        r#"{"error": null}"#,
        r#"{"error": 5}"#,
        r#"{"error": {"message": 5, "code": "x"}}"#,
        r#"{"meta": "nope"}"#,
        r#"{"meta": {"status": 99999999999, "message": ["a"]}}"#,
        "(#",
        "(#abc) x",
        "{\"error\":{\"message\":\"\u{0}\"}}",
        "\u{FFFD}\u{FFFD}{{{{",
    ] {
        let e = parse_body(None, body);
        assert_eq!(e.raw, body);
        let _ = refusal(&e.message);
    }
    assert_eq!(parse_body(Some(400), "").message, "");
    assert_eq!(parse_body(None, r#"{"error": "denied"}"#).message, "denied");
}

#[test]
fn huge_bodies_are_clipped_but_kept_raw() {
    let body = "x{".repeat(500_000);
    let e = parse_body(Some(500), &body);
    assert_eq!(e.raw.len(), body.len());
    assert!(e.message.chars().count() <= MAX_MESSAGE + 1);
    assert!(e.message.ends_with('…'));
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = parse_body(None, &nested);
    assert_eq!(e.raw.len(), nested.len());
}

#[test]
fn length_family() {
    // jun85664396/messenger-bot-rails#15.
    let r = refusal("(#100) Length of param message[text] must be less than or equal to 320");
    assert_eq!(r.family, Family::TooLong { limit: 320 });
    let p = r.param.unwrap();
    assert_eq!(p.written, "message[text]");
    assert_eq!(p.segments, vec![key("text")]);

    // The issue's own example (messenger-limits.md).
    let r =
        refusal("(#100) Length of param [buttons][1][payload] must be less than or equal to 1000");
    assert_eq!(r.family, Family::TooLong { limit: 1000 });
    assert_eq!(
        r.param.unwrap().segments,
        vec![key("buttons"), Segment::Index(1), key("payload")]
    );

    // nyaruka/rapidpro#644: a quoted key inside the brackets.
    let r = refusal("Length of param message[\"text\"] must be less or equal to 320 characters.");
    assert_eq!(r.family, Family::Other, "no `less than or equal to` number");
    assert_eq!(r.param.unwrap().segments, vec![key("text")]);
}

#[test]
fn too_many_and_too_few_families() {
    // botman/botman#694.
    let r = refusal("(#105) param name_placeholder[buttons] has too many elements.");
    assert_eq!(r.family, Family::TooMany);
    let p = r.param.unwrap();
    assert_eq!(p.written, "name_placeholder[buttons]");
    assert_eq!(p.segments, vec![key("buttons")]);

    // fchat.co/faq/error: spaces inside the anonymised path, as that page prints it.
    let r = refusal("(# 105) param name_placeholder [ elements] has too many elements");
    assert_eq!(r.family, Family::TooMany);
    assert_eq!(r.param.unwrap().segments, vec![key("elements")]);
    let r = refusal("(# 194) param name_placeholder [elements] has too few elements");
    assert_eq!(r.family, Family::TooFew);
    assert_eq!(r.param.unwrap().segments, vec![key("elements")]);

    let r = refusal("(#105) param name_placeholder[elements][0][buttons] has too many elements.");
    assert_eq!(
        r.param.unwrap().segments,
        vec![key("elements"), Segment::Index(0), key("buttons")]
    );
}

#[test]
fn required_family() {
    // microsoft/botframework-sdk#789.
    let r = refusal("(#100) The parameter [summary][total_cost] is required");
    assert_eq!(r.family, Family::Required);
    assert_eq!(
        r.param.unwrap().segments,
        vec![key("summary"), key("total_cost")]
    );
    // crisboarna/fb-messenger-bot-api#61: a bare name.
    let r = refusal("(#100) The parameter recipient is required");
    assert_eq!(r.param.unwrap().segments, vec![key("recipient")]);
    // microsoft/botframework-sdk#789 too: no name at all.
    let r = refusal("(#100) The parameter is required");
    assert_eq!(r.family, Family::Required);
    assert_eq!(r.param, None);
    let r = refusal("(#100) param message[attachment][payload][elements][0][price] is required");
    assert_eq!(
        r.param.unwrap().segments,
        vec![
            key("attachment"),
            key("payload"),
            key("elements"),
            Segment::Index(0),
            key("price")
        ]
    );
}

#[test]
fn invalid_keys_family() {
    // remixz/messenger-bot#38.
    let r = refusal("(#100) Invalid keys \"sayHi\" were found in param \"message\".");
    assert_eq!(r.family, Family::InvalidKeys(vec!["sayHi".into()]));
    let p = r.param.unwrap();
    assert_eq!(p.written, "message");
    assert!(p.segments.is_empty());

    let r = refusal(
        "(#100) Invalid keys \"playload\" were found in param \"name_placeholder[attachment][payload][buttons][0]\".",
    );
    assert_eq!(r.family, Family::InvalidKeys(vec!["playload".into()]));
    assert_eq!(
        r.param.unwrap().segments,
        vec![
            key("attachment"),
            key("payload"),
            key("buttons"),
            Segment::Index(0)
        ]
    );

    // claudiajs/claudia-bot-builder#20: escaped quotes from a log, and a cut-off param.
    let r = refusal(r#"(#100) Invalid keys \"total_amount\" were found in param \""#);
    assert_eq!(r.family, Family::InvalidKeys(vec!["total_amount".into()]));
    assert_eq!(r.param, None);

    let r =
        refusal("(#100) Invalid keys \"a, b\" were found in param \"message[quick_replies][0]\".");
    assert_eq!(r.family, Family::InvalidKeys(vec!["a".into(), "b".into()]));
}

#[test]
fn non_empty_and_other_families() {
    // paked/messenger#25.
    let r = refusal(
        "Facebook error : (#100) Param [elements][0][buttons][0][title] must be a non-empty UTF-8 encoded string",
    );
    assert_eq!(r.family, Family::Empty);
    assert_eq!(
        r.param.unwrap().segments,
        vec![
            key("elements"),
            Segment::Index(0),
            key("buttons"),
            Segment::Index(0),
            key("title")
        ]
    );
    // shepherd-06/Messenger-Bot-Library#2: not a string at all.
    let r = refusal("(#100) Param name_placeholder[text] must be a UTF-8 encoded string");
    assert_eq!(r.family, Family::Other);
    assert_eq!(r.param.unwrap().segments, vec![key("text")]);

    let r = refusal("(#10) This message is sent outside of allowed window.");
    assert_eq!(r.family, Family::Other);
    assert_eq!(r.param, None);
}

#[test]
fn words_that_contain_param_are_not_params() {
    assert_eq!(refusal("parameters are wrong [x]").param, None);
    assert_eq!(refusal("bad paramx[0]").param, None);
    assert_eq!(refusal("param").param, None);
    assert_eq!(refusal("param [").param, None);
    assert_eq!(refusal("param [ ]").param, None);
    assert_eq!(
        refusal("ünïcödé param [é][1]").param.unwrap().segments,
        vec![key("é"), Segment::Index(1)]
    );
}
