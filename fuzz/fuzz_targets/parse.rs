//! Arbitrary bytes as a template: parsing and checking never panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = missive::syntax::parse(text);
    for d in &parsed.diagnostics {
        for l in &d.labels {
            assert!(l.span.end as usize <= text.len(), "a span past the end: {d:?}");
        }
    }
    let compiled = missive::compile(text, &missive::Options::default());
    // A template that compiled has no errors; one that did not has at least one.
    assert_eq!(
        compiled.template.is_some(),
        !compiled.diagnostics.iter().any(missive::Diagnostic::is_error)
    );
});
