//! Amounts of money as the preview shows them: the one place where a receipt's prices and
//! totals become text. The currency's symbol and number of decimals come from ISO 4217 data
//! (the `iso_currency` crate); the layout is English's (`€1,234.50`, `-$5.00`), unless the
//! template declares a locale: then CLDR's, through the formatter of the `money` filter.

/// `value` in `currency` (an ISO 4217 code), formatted for display: the currency's symbol
/// before the amount, its number of decimals (two for EUR, none for JPY), thousands grouped.
/// An unknown code is written after the number (`12.50 XYZ`).
pub fn amount(value: f64, currency: &str) -> String {
    let known = iso_currency::Currency::from_code(currency);
    let decimals = known.and_then(|c| c.exponent()).unwrap_or(2) as usize;
    let sign = if value < 0.0 { "-" } else { "" };
    let number = grouped(&format!("{:.*}", decimals, value.abs()));
    match known {
        Some(c) => {
            let symbol = c.symbol().symbol;
            let symbol = if symbol.is_empty() {
                currency.to_string()
            } else {
                symbol
            };
            // A symbol of letters (`CHF`, `kr`) is set apart from the digits.
            let space = if symbol.ends_with(char::is_alphabetic) {
                " "
            } else {
                ""
            };
            format!("{sign}{symbol}{space}{number}")
        }
        None => format!("{sign}{number} {currency}"),
    }
}

/// [`amount`] in `locale` (a BCP 47 tag), as the `money` filter writes it (`149,00 €` in
/// `fr-FR`), when the build has the `intl` feature; English's layout otherwise.
pub fn amount_in(value: f64, currency: &str, locale: Option<&str>) -> String {
    locale
        .and_then(|tag| crate::intl::money(tag, value, currency).ok())
        .unwrap_or_else(|| amount(value, currency))
}

/// `1234567.50` -> `1,234,567.50`.
fn grouped(digits: &str) -> String {
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(digits.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::amount;

    #[test]
    fn amounts_take_the_currencys_symbol_and_decimals() {
        assert_eq!(amount(149.0, "EUR"), "€149.00");
        assert_eq!(amount(1234567.5, "USD"), "$1,234,567.50");
        assert_eq!(amount(-10.0, "EUR"), "-€10.00");
        assert_eq!(amount(1500.0, "JPY"), "¥1,500");
        assert_eq!(amount(0.0, "EUR"), "€0.00");
        assert_eq!(amount(12.5, "XYZ"), "12.50 XYZ");
    }

    #[cfg(feature = "intl")]
    #[test]
    fn amounts_follow_the_templates_locale() {
        use super::amount_in;
        assert_eq!(amount_in(149.0, "EUR", Some("fr-FR")), "149,00\u{a0}€");
        assert_eq!(amount_in(149.0, "EUR", None), "€149.00");
    }
}
