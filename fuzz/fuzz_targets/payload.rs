//! Arbitrary bytes as a Messenger JSON payload: the linter and the import never panic, and a
//! payload that imports gives a template that compiles.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = missive::import::lint(text, "fuzz", &missive::Options::default());
    if let Ok((source, _)) = missive::import::to_source(text, "fuzz") {
        let compiled = missive::compile(&source, &missive::Options::default());
        assert!(
            compiled.template.is_some(),
            "an imported template does not compile: {source}\n{:?}",
            compiled.diagnostics
        );
    }
});
