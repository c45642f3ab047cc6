//! Model: the receipt's arithmetic, checked on literal totals at check time and on rendered
//! totals at render time.

use crate::diagnostic::{codes, Diagnostic};
use crate::span::Span;

/// A receipt's adjustments as they add up. Facebook's own samples write a discount either way:
/// its receipt reference gives `20` and `10` off a total, its sample bot (fbsamples
/// messenger-platform-samples, node/app.js) `-50` and `-100`; both are subtracted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Adjustments {
    /// The amounts as written, added up.
    signed: f64,
    /// The amounts without their sign, added up: discounts however they are written.
    discounts: f64,
    /// Whether any amount is negative.
    negative: bool,
}

impl Adjustments {
    /// Adds one adjustment's `amount`.
    pub fn add(&mut self, amount: f64) {
        self.signed += amount;
        self.discounts += amount.abs();
        self.negative |= amount < 0.0;
    }
}

/// A number as a label shows it: to a millionth, without the binary noise of a sum
/// (`29.3`, not `29.299999999999997`).
fn shown(x: f64) -> String {
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 {
        "0".into()
    } else {
        format!("{r}")
    }
}

/// M4004: a receipt's `total_cost` that is not `subtotal + shipping_cost + total_tax` minus the
/// adjustments (to half a cent). Used at render time, and at check time for literal totals.
/// Adjustments are discounts, positive or negative as written; a total that adds a
/// positive amount as a surcharge (the amounts as written, subtracted) is accepted too.
pub fn totals_diagnostic(
    subtotal: f64,
    shipping: f64,
    tax: f64,
    adjustments: Adjustments,
    total: f64,
    written: &str,
    span: Span,
) -> Option<Diagnostic> {
    let parts = subtotal + shipping + tax;
    let expected = parts - adjustments.discounts;
    let close = |x: f64| (x - total).abs() < 0.005;
    if !expected.is_finite() || close(expected) || close(parts - adjustments.signed) {
        return None;
    }
    let adj = if adjustments.discounts != 0.0 {
        format!(" - adjustments {}", shown(adjustments.discounts))
    } else {
        String::new()
    };
    let mut d = codes::m4004_receipt_totals(format!("the receipt's `total_cost` is {written}, but its parts add up to {expected:.2}"))
        .at(span, format!("subtotal {} + shipping_cost {} + total_tax {}{adj} = {expected:.2}", shown(subtotal), shown(shipping), shown(tax)))
        .help("Messenger shows these numbers as given: make `total_cost` equal `subtotal + shipping_cost + total_tax` minus the adjustments (a discount is subtracted whether its amount is written `10` or `-10`); where prices include tax, `subtotal` is the prices without it");
    if adjustments.negative {
        d = d.note("negative adjustment amounts count as discounts, as in Facebook's own receipt sample (`-50`, `-100`)");
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adjustments(amounts: &[f64]) -> Adjustments {
        let mut a = Adjustments::default();
        for &x in amounts {
            a.add(x);
        }
        a
    }

    fn check(parts: [f64; 3], amounts: &[f64], total: f64) -> Option<Diagnostic> {
        let [subtotal, shipping, tax] = parts;
        let written = total.to_string();
        totals_diagnostic(
            subtotal,
            shipping,
            tax,
            adjustments(amounts),
            total,
            &written,
            Span::new(0, 1),
        )
    }

    #[test]
    fn facebooks_two_samples_add_up_whichever_sign_their_discounts_have() {
        // The receipt reference: 20 and 10 off.
        assert!(check([75.00, 4.95, 6.19], &[20.0, 10.0], 56.14).is_none());
        // The sample bot (fbsamples messenger-platform-samples, node/app.js): -50 and -100.
        assert!(check([698.99, 20.00, 57.67], &[-50.0, -100.0], 626.66).is_none());
        // A surcharge written as a positive amount and added: accepted too.
        assert!(check([10.0, 0.0, 0.0], &[-2.0], 12.0).is_none());
    }

    #[test]
    fn a_wrong_total_is_labelled_with_the_numbers_as_written() {
        let d = check([0.1, 0.2, 0.0], &[-0.1, 29.2], 1.0).expect("a warning");
        let label = d.primary().unwrap().message.clone().unwrap_or_default();
        assert_eq!(
            label,
            "subtotal 0.1 + shipping_cost 0.2 + total_tax 0 - adjustments 29.3 = -29.00"
        );
        assert!(!label.contains("0000"), "{label}");
        assert!(d.notes.iter().any(|n| n.contains("-50")), "{:?}", d.notes);
    }
}
