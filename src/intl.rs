//! Formatting per locale: the filters `money`, `number` and `date`, and the longest text each can
//! print (for the worst-case analysis). CLDR data comes from ICU4X's compiled data, time zones
//! from jiff's bundled tzdb (never the machine's), both behind the `intl` feature; without it,
//! every function here says that the build lacks the feature.

/// What every formatting function answers in a build without the `intl` feature.
pub(crate) const NO_FEATURE: &str =
    "this build of missive has no locale data: it was built without the Cargo feature `intl`";

/// The filters this module provides, as written in a template.
pub(crate) const FILTERS: &[&str] = &["money", "number", "date"];

/// The most fraction digits `number(digits)` takes.
pub(crate) const MAX_DIGITS: u8 = 10;

/// The style of `date(style)`: CLDR's date lengths, `full` with the weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateStyle {
    Short,
    Medium,
    Long,
    Full,
}

impl DateStyle {
    pub(crate) fn parse(s: &str) -> Option<DateStyle> {
        Some(match s {
            "short" => DateStyle::Short,
            "medium" => DateStyle::Medium,
            "long" => DateStyle::Long,
            "full" => DateStyle::Full,
            _ => return None,
        })
    }
}

/// An ISO 4217 code as `money` takes it: three capital letters (`EUR`).
pub(crate) fn currency_problem(code: &str) -> Option<String> {
    (code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase())).then(|| {
        format!("`{code}` is not an ISO 4217 currency code (three capital letters, such as `EUR`)")
    })
}

/// A value's printed length range in characters: the shortest, the longest, and the longest
/// text itself (`10 000,00 €`).
pub(crate) type Lengths = (usize, usize, String);

#[cfg(feature = "intl")]
mod imp {
    use super::{currency_problem, DateStyle, Lengths, MAX_DIGITS};
    use fixed_decimal::{Decimal, Sign};
    use icu_datetime::fieldsets::{self, enums::DateFieldSet};
    use icu_datetime::input::Date;
    use icu_datetime::options::YearStyle;
    use icu_datetime::DateTimeFormatter;
    use icu_decimal::DecimalFormatter;
    use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
    use icu_experimental::dimension::currency::CurrencyType;
    use icu_locale_core::Locale;

    /// A BCP 47 tag in its canonical form (`fr-fr` -> `fr-FR`).
    pub(crate) fn canonical_locale(tag: &str) -> Result<String, String> {
        Locale::try_from_str(tag)
            .map(|l| l.to_string())
            .map_err(|_| format!("`{tag}` is not a BCP 47 language tag"))
    }

    /// A time zone of the IANA database bundled in missive (`Europe/Paris`).
    pub(crate) fn zone_problem(name: &str) -> Option<String> {
        jiff::tz::TimeZone::get(name)
            .err()
            .map(|_| format!("`{name}` is not a time zone of the IANA database"))
    }

    fn locale(tag: &str) -> Result<Locale, String> {
        Locale::try_from_str(tag).map_err(|_| format!("`{tag}` is not a BCP 47 language tag"))
    }

    /// `v` as a decimal, exactly as Rust prints the float (never with an exponent).
    fn decimal(v: f64) -> Result<Decimal, String> {
        if !v.is_finite() {
            return Err(format!("`{v}` is not a finite number"));
        }
        format!("{v}")
            .parse::<Decimal>()
            .map_err(|_| format!("`{v}` cannot be formatted"))
    }

    /// `-0,00` is `0,00`.
    fn unsigned_zero(d: &mut Decimal) {
        if d.absolute.is_zero() {
            d.sign = Sign::None;
        }
    }

    /// `149` in `EUR`: `149,00 €` in `fr-FR`, `€149.00` in `en-IE`.
    pub(crate) fn money(tag: &str, v: f64, currency: &str) -> Result<String, String> {
        if let Some(p) = currency_problem(currency) {
            return Err(p);
        }
        let code = CurrencyType::try_from_str(currency)
            .map_err(|_| format!("`{currency}` is not an ISO 4217 currency code"))?;
        let loc = locale(tag)?;
        let f = CurrencyFormatter::try_new_symbol((&loc).into(), code, Default::default())
            .map_err(|e| format!("no currency data for `{tag}`: {e}"))?;
        // The currency's own digits (2 for EUR, 0 for JPY) are applied by the formatter.
        let mut d = decimal(v)?;
        unsigned_zero(&mut d);
        let text = f.format_fixed_decimal(&d).to_string();
        Ok(text)
    }

    /// `1234.5` with 1 digit: `1 234,5` in `fr-FR`, `1,234.5` in `en-US`.
    pub(crate) fn number(tag: &str, v: f64, digits: u8) -> Result<String, String> {
        if digits > MAX_DIGITS {
            return Err(format!(
                "`number` takes 0 to {MAX_DIGITS} fraction digits, not {digits}"
            ));
        }
        let loc = locale(tag)?;
        let f = DecimalFormatter::try_new((&loc).into(), Default::default())
            .map_err(|e| format!("no number data for `{tag}`: {e}"))?;
        let mut d = decimal(v)?;
        d.round(-i16::from(digits));
        d.absolute.pad_end(-i16::from(digits));
        unsigned_zero(&mut d);
        Ok(f.format(&d).to_string())
    }

    fn field_set(style: DateStyle) -> DateFieldSet {
        match style {
            DateStyle::Short => {
                DateFieldSet::YMD(fieldsets::YMD::short().with_year_style(YearStyle::Full))
            }
            DateStyle::Medium => DateFieldSet::YMD(fieldsets::YMD::medium()),
            DateStyle::Long => DateFieldSet::YMD(fieldsets::YMD::long()),
            DateStyle::Full => DateFieldSet::YMDE(fieldsets::YMDE::long()),
        }
    }

    fn date_formatter(
        tag: &str,
        style: DateStyle,
    ) -> Result<DateTimeFormatter<DateFieldSet>, String> {
        let loc = locale(tag)?;
        DateTimeFormatter::try_new((&loc).into(), field_set(style))
            .map_err(|e| format!("no date data for `{tag}`: {e}"))
    }

    /// A Unix timestamp in seconds, as the date it is in `zone`.
    pub(crate) fn date(
        tag: &str,
        seconds: i64,
        style: DateStyle,
        zone: &str,
    ) -> Result<String, String> {
        let tz = jiff::tz::TimeZone::get(zone)
            .map_err(|_| format!("`{zone}` is not a time zone of the IANA database"))?;
        let at = jiff::Timestamp::from_second(seconds).map_err(|_| {
            format!("`{seconds}` is not a timestamp in seconds between the years -9999 and 9999")
        })?;
        let day = tz.to_datetime(at).date();
        let date = Date::try_new_iso(i32::from(day.year()), day.month() as u8, day.day() as u8)
            .map_err(|e| format!("{e}"))?;
        Ok(date_formatter(tag, style)?.format(&date).to_string())
    }

    /// The shortest and longest text of `format` over the values of `min..=max`: the extremes
    /// hold the most digits and the sign, and rounding keeps that order; zero is the shortest.
    fn over_range(
        min: f64,
        max: f64,
        format: impl Fn(f64) -> Result<String, String>,
    ) -> Result<Lengths, String> {
        let mut candidates = vec![min, max];
        if min <= 0.0 && 0.0 <= max {
            candidates.push(0.0);
        }
        // The shortest value of a range away from zero is its end nearest to zero.
        let texts = candidates
            .into_iter()
            .map(format)
            .collect::<Result<Vec<_>, _>>()?;
        let len = |s: &String| s.chars().count();
        let shortest = texts.iter().map(len).min().unwrap_or(0);
        let longest = texts.into_iter().max_by_key(len).unwrap_or_default();
        Ok((shortest, len(&longest), longest))
    }

    pub(crate) fn money_lengths(
        tag: &str,
        min: f64,
        max: f64,
        currency: &str,
    ) -> Result<Lengths, String> {
        over_range(min, max, |v| money(tag, v, currency))
    }

    pub(crate) fn number_lengths(
        tag: &str,
        min: f64,
        max: f64,
        digits: u8,
    ) -> Result<Lengths, String> {
        over_range(min, max, |v| number(tag, v, digits))
    }

    /// The shortest and longest date of `style` in the locale: every day of a leap year (every
    /// month and weekday name, every day number), with a four-digit year.
    pub(crate) fn date_lengths(tag: &str, style: DateStyle) -> Result<Lengths, String> {
        let f = date_formatter(tag, style)?;
        let mut lens = (usize::MAX, 0, String::new());
        for month in 1..=12u8 {
            for day in 1..=31u8 {
                let Ok(d) = Date::try_new_iso(2028, month, day) else {
                    continue;
                };
                let text = f.format(&d).to_string();
                let n = text.chars().count();
                lens.0 = lens.0.min(n);
                if n > lens.1 {
                    lens = (lens.0, n, text);
                }
            }
        }
        Ok(lens)
    }
}

#[cfg(not(feature = "intl"))]
mod imp {
    use super::{DateStyle, Lengths, NO_FEATURE};

    pub(crate) fn canonical_locale(tag: &str) -> Result<String, String> {
        Ok(tag.to_string())
    }
    pub(crate) fn zone_problem(_: &str) -> Option<String> {
        None
    }
    pub(crate) fn money(_: &str, _: f64, _: &str) -> Result<String, String> {
        Err(NO_FEATURE.into())
    }
    pub(crate) fn number(_: &str, _: f64, _: u8) -> Result<String, String> {
        Err(NO_FEATURE.into())
    }
    pub(crate) fn date(_: &str, _: i64, _: DateStyle, _: &str) -> Result<String, String> {
        Err(NO_FEATURE.into())
    }
    pub(crate) fn money_lengths(_: &str, _: f64, _: f64, _: &str) -> Result<Lengths, String> {
        Err(NO_FEATURE.into())
    }
    pub(crate) fn number_lengths(_: &str, _: f64, _: f64, _: u8) -> Result<Lengths, String> {
        Err(NO_FEATURE.into())
    }
    pub(crate) fn date_lengths(_: &str, _: DateStyle) -> Result<Lengths, String> {
        Err(NO_FEATURE.into())
    }
}

pub(crate) use imp::*;

/// Whether this build formats (the `intl` feature).
pub(crate) const AVAILABLE: bool = cfg!(feature = "intl");

#[cfg(all(test, feature = "intl"))]
mod tests {
    use super::*;

    #[test]
    fn money_follows_the_locale() {
        assert_eq!(money("fr-FR", 149.0, "EUR").unwrap(), "149,00\u{a0}€");
        assert_eq!(money("en-IE", 149.0, "EUR").unwrap(), "€149.00");
        assert_eq!(money("en-US", 1234.5, "USD").unwrap(), "$1,234.50");
        assert_eq!(money("de-DE", 1234.5, "EUR").unwrap(), "1.234,50\u{a0}€");
        assert_eq!(money("en-US", 149.0, "EUR").unwrap(), "€149.00");
        assert_eq!(money("ja-JP", 1500.4, "JPY").unwrap(), "￥1,500");
    }

    #[test]
    fn number_has_the_digits_asked_for() {
        assert_eq!(number("fr-FR", 1234.5, 1).unwrap(), "1\u{202f}234,5");
        assert_eq!(number("en-US", 1234.5, 1).unwrap(), "1,234.5");
        assert_eq!(number("en-IE", 19.5, 2).unwrap(), "19.50");
        assert_eq!(number("fr-FR", 19.5, 2).unwrap(), "19,50");
        assert_eq!(number("de-DE", 1234.567, 2).unwrap(), "1.234,57");
        assert_eq!(number("en-US", -0.4, 0).unwrap(), "0");
    }

    #[test]
    fn date_is_the_day_in_the_zone() {
        // 2026-11-25 12:00 UTC.
        let noon = 1_795_608_000;
        assert_eq!(
            date("fr-FR", noon, DateStyle::Short, "Europe/Paris").unwrap(),
            "25/11/2026"
        );
        assert_eq!(
            date("en-US", noon, DateStyle::Short, "America/New_York").unwrap(),
            "11/25/2026"
        );
        assert_eq!(
            date("de-DE", noon, DateStyle::Long, "Europe/Berlin").unwrap(),
            "25. November 2026"
        );
        assert_eq!(
            date("en-IE", noon, DateStyle::Long, "Europe/Dublin").unwrap(),
            "25 November 2026"
        );
        assert_eq!(
            date("en-IE", noon, DateStyle::Short, "Europe/Dublin").unwrap(),
            "25/11/2026"
        );
        // 23:30 UTC is already the next day in Paris.
        let late = noon + 11 * 3600 + 1800;
        assert_eq!(
            date("fr-FR", late, DateStyle::Short, "Europe/Paris").unwrap(),
            "26/11/2026"
        );
        assert_eq!(
            date("fr-FR", late, DateStyle::Short, "UTC").unwrap(),
            "25/11/2026"
        );
    }

    #[test]
    fn bad_arguments_are_explained() {
        assert!(money("fr-FR", 1.0, "euro")
            .unwrap_err()
            .contains("ISO 4217"));
        assert!(number("fr-FR", 1.0, 11).unwrap_err().contains("0 to 10"));
        assert!(date("fr-FR", 0, DateStyle::Short, "Mars/Olympus")
            .unwrap_err()
            .contains("IANA"));
        assert!(zone_problem("Europe/Paris").is_none());
        assert_eq!(canonical_locale("fr-fr").unwrap(), "fr-FR");
    }

    #[test]
    fn lengths_cover_the_range() {
        // `10 000,00 €` is 11 characters, `0,00 €` 6.
        assert_eq!(
            money_lengths("fr-FR", 0.0, 10000.0, "EUR").unwrap(),
            (6, 11, "10\u{202f}000,00\u{a0}€".to_string())
        );
        assert_eq!(number_lengths("en-US", -5.0, 99.0, 1).unwrap().0, 3);
        assert_eq!(number_lengths("en-US", -5.0, 99.0, 1).unwrap().1, 4);
        let (short, long, text) = date_lengths("fr-FR", DateStyle::Full).unwrap();
        assert_eq!(text, "dimanche 10 septembre 2028");
        assert!(short < long && long == text.chars().count());
    }

    proptest::proptest! {
        /// The worst case is a bound: no value of the range prints longer, in any of the
        /// locales, for money and for numbers.
        #[test]
        fn no_value_in_range_prints_longer_than_its_bound(
            a in -20_000.0f64..20_000.0,
            b in -20_000.0f64..20_000.0,
            t in 0.0f64..1.0,
            digits in 0u8..4,
            loc in proptest::sample::select(vec!["fr-FR", "en-IE", "en-US", "de-DE", "ar-EG", "hi-IN"]),
        ) {
            let (min, max) = (a.min(b), a.max(b));
            let v = min + (max - min) * t;
            let money_bound = money_lengths(loc, min, max, "EUR").unwrap();
            let m = money(loc, v, "EUR").unwrap();
            proptest::prop_assert!(m.chars().count() <= money_bound.1, "{m} over {money_bound:?}");
            proptest::prop_assert!(m.chars().count() >= money_bound.0, "{m} under {money_bound:?}");
            let number_bound = number_lengths(loc, min, max, digits).unwrap();
            let n = number(loc, v, digits).unwrap();
            proptest::prop_assert!(n.chars().count() <= number_bound.1, "{n} over {number_bound:?}");
        }
    }
}
