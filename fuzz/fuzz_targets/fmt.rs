//! Arbitrary bytes as a template to format: formatting never panics, never reports itself as
//! changing the template's meaning (M0009), and its output formats to itself and means the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match missive::fmt::format(text) {
        Ok(formatted) => {
            missive::fmt::verify(text, &formatted).expect("the formatted text means the same");
            let again = missive::fmt::format(&formatted).expect("the formatted text formats");
            assert_eq!(again, formatted, "formatting is not idempotent");
        }
        Err(diagnostics) => assert!(
            !diagnostics
                .iter()
                .any(|d| d.code == missive::Code::FormatChanged),
            "the formatter would change the template: {diagnostics:?}"
        ),
    }
});
