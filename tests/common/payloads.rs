//! A generator of the Messenger payloads missive supports (texts, images, carousels, receipts,
//! quick replies in `extra`), shared by the import and formatter property tests.

use proptest::prelude::*;
use serde_json::{json, Value};

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ,.!?'\"\\\\{}%#éü€😀\n\t-]{1,60}".prop_filter("not blank", |s| !s.trim().is_empty())
}

fn url() -> impl Strategy<Value = String> {
    "[a-z]{1,10}".prop_map(|p| format!("https://shop.example/{p}.png"))
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0i64..100_000).prop_map(Value::from),
        (0u32..100_000).prop_map(|c| serde_json::from_str::<Value>(&format!(
            "{}.{:02}",
            c / 100,
            c % 100
        ))
        .unwrap())
    ]
}

fn button() -> impl Strategy<Value = Value> {
    let title = "[A-Za-z ]{1,20}".prop_filter("not blank", |s| !s.trim().is_empty());
    prop_oneof![
        (title.clone(), url()).prop_map(|(t, u)| json!({"type": "web_url", "url": u, "title": t})),
        (title.clone(), text())
            .prop_map(|(t, p)| json!({"type": "postback", "title": t, "payload": p})),
        (title, "[1-9][0-9]{7,12}").prop_map(
            |(t, n)| json!({"type": "phone_number", "title": t, "payload": format!("+{n}")})
        ),
    ]
}

fn element() -> impl Strategy<Value = Value> {
    (
        text(),
        text(),
        prop::option::of(url()),
        prop::option::of(url()),
        prop::collection::vec(button(), 0..=3),
    )
        .prop_map(|(title, subtitle, image, action, buttons)| {
            let mut e = json!({"title": title, "subtitle": subtitle});
            if let Some(i) = image {
                e["image_url"] = json!(i);
            }
            if let Some(a) = action {
                e["default_action"] = json!({"type": "web_url", "url": a});
            }
            if !buttons.is_empty() {
                e["buttons"] = Value::Array(buttons);
            }
            e
        })
}

fn receipt() -> impl Strategy<Value = Value> {
    let item = (text(), 1i64..10, number())
        .prop_map(|(t, q, p)| json!({"title": t, "quantity": q, "price": p, "currency": "EUR"}));
    (text(), "[A-Z0-9]{4,12}", prop::collection::vec(item, 0..5), number(), prop::collection::vec((text(), number()), 0..3)).prop_map(
        |(name, number, elements, total, adjustments)| {
            let mut p = json!({"template_type": "receipt", "recipient_name": name, "order_number": number, "currency": "EUR", "payment_method": "Visa 5469"});
            if !elements.is_empty() {
                p["elements"] = Value::Array(elements);
            }
            p["summary"] = json!({"total_cost": total});
            if !adjustments.is_empty() {
                p["adjustments"] = adjustments.into_iter().map(|(n, a)| json!({"name": n, "amount": a})).collect();
            }
            json!({"type": "template", "payload": p})
        },
    )
}

pub fn payload() -> impl Strategy<Value = Value> {
    let attachment = prop_oneof![
        url().prop_map(|u| json!({"type": "image", "payload": {"url": u}})),
        (
            prop::collection::vec(element(), 1..=10),
            prop::option::of(prop_oneof![Just("horizontal"), Just("square")])
        )
            .prop_map(|(els, ratio)| {
                let mut p = json!({"template_type": "generic", "elements": els});
                if let Some(r) = ratio {
                    p["image_aspect_ratio"] = json!(r);
                }
                json!({"type": "template", "payload": p})
            }),
        receipt(),
    ];
    (
        prop::option::of(text()),
        prop::option::of(attachment),
        any::<bool>(),
    )
        .prop_filter("text or attachment", |(t, a, _)| t.is_some() || a.is_some())
        .prop_map(|(t, a, extra)| {
            let mut body = json!({});
            if let Some(t) = t {
                body["text"] = json!(t);
            }
            if let Some(a) = a {
                body["attachment"] = a;
            }
            if extra {
                body["quick_replies"] =
                    json!([{"content_type": "text", "title": "Yes", "payload": "Y"}]);
            }
            body
        })
}
