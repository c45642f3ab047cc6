//! Model: the receipt's arithmetic, checked on literal totals at check time and on rendered
//! totals at render time.

use crate::diagnostic::{codes, Diagnostic};
use crate::span::Span;

/// M4004: a receipt's `total_cost` that is not `subtotal + shipping_cost + total_tax` minus the
/// adjustments (to half a cent). Used at render time, and at check time for literal totals.
pub fn totals_diagnostic(
    subtotal: f64,
    shipping: f64,
    tax: f64,
    adjustments: f64,
    total: f64,
    written: &str,
    span: Span,
) -> Option<Diagnostic> {
    let expected = subtotal + shipping + tax - adjustments;
    if !expected.is_finite() || (expected - total).abs() < 0.005 {
        return None;
    }
    let adj = if adjustments != 0.0 {
        format!(" - adjustments {adjustments}")
    } else {
        String::new()
    };
    Some(
        codes::m4004_receipt_totals(format!("the receipt's `total_cost` is {written}, but its parts add up to {expected:.2}"))
            .at(span, format!("subtotal {subtotal} + shipping_cost {shipping} + total_tax {tax}{adj} = {expected:.2}"))
            .help("Messenger shows these numbers as given: make `total_cost` equal `subtotal + shipping_cost + total_tax` minus the adjustments"),
    )
}
