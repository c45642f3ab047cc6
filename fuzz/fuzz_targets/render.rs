//! A valid template (the bundled receipt) with arbitrary JSON data: rendering never panics and,
//! when it succeeds, always writes valid JSON.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

static TEMPLATE: &str = include_str!("../../templates/receipt.missive");

fn template() -> &'static missive::Template {
    static COMPILED: OnceLock<missive::Template> = OnceLock::new();
    COMPILED.get_or_init(|| {
        missive::compile(TEMPLATE, &missive::Options::default())
            .template
            .expect("the bundled receipt compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(node) = missive::json::parse(text) else {
        return;
    };
    let mut out = Vec::new();
    if template()
        .render_with(&mut out, &node, missive::RenderOptions::default())
        .is_ok()
    {
        serde_json::from_slice::<serde_json::Value>(&out).expect("rendering writes valid JSON");
    }
});
