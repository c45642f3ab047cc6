//! Checking the formatting filters (`money`, `number`, `date`) and what they need: the
//! template's `locale` and `time_zone` declarations, and literal arguments the formatter takes.

use std::collections::HashMap;

use super::{bounds, new_environment, Checker};
use crate::diagnostic::codes;
use crate::intl;
use crate::span::Span;
use crate::syntax::ast::{self, Item, Value};

/// The top-level declarations this module reads.
pub(super) const HEADERS: &[&str] = &["locale", "time_zone"];

impl Checker<'_> {
    /// The locale and time zone the worst cases of the formatting filters are computed in.
    pub(super) fn formats(&self) -> bounds::Formats<'_> {
        bounds::Formats {
            locale: self.format_locale.as_deref(),
        }
    }

    /// `locale "fr-FR"` and `time_zone "Europe/Paris"`, read before anything else, and the
    /// environment rebuilt with filters bound to them.
    pub(super) fn format_headers(&mut self, file: &ast::File) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for item in &file.items {
            let Item::Command(c) = item else {
                continue;
            };
            let name = c.name.name.as_str();
            if !HEADERS.contains(&name) {
                continue;
            }
            if let Some(prev) = seen.insert(name, c.name.span) {
                self.given_twice(name, c.name.span, prev);
                continue;
            }
            if name == "locale" && self.locale.is_some() {
                // `locales { en: "en-IE", ... }` gives each compile its tag.
                self.format_headers_broken = true;
                self.push(
                    codes::m1013_invalid_header(
                        "`locale` and `locales { }` both say which language the template is in",
                    )
                    .at(c.span, "a second declaration of the language")
                    .help("remove this line: each locale's tag is in `locales { }`, e.g. `fr: \"fr-FR\"`"),
                );
                continue;
            }
            let Some(v) = self.single_arg(c) else {
                continue;
            };
            let example = if name == "locale" {
                "fr-FR"
            } else {
                "Europe/Paris"
            };
            let Some(text) = (match v {
                Value::Str(s) => s.as_literal(),
                _ => None,
            }) else {
                self.push(
                    codes::m1013_invalid_header(format!("`{name}` takes a literal string"))
                        .at(v.span(), "expected a string in quotes")
                        .help(format!("write `{name} \"{example}\"`")),
                );
                continue;
            };
            let problem = if name == "locale" {
                match intl::canonical_locale(&text) {
                    Ok(tag) => {
                        self.format_locale = Some(tag);
                        None
                    }
                    Err(p) => Some(p),
                }
            } else {
                match intl::zone_problem(&text) {
                    None => {
                        self.time_zone = Some(text.clone());
                        None
                    }
                    p => p,
                }
            };
            if let Some(p) = problem {
                self.format_headers_broken = true;
                let what = if name == "locale" {
                    "the language and region of the readers, as a BCP 47 tag"
                } else {
                    "a time zone of the IANA database, by its name"
                };
                self.push(
                    codes::m1013_invalid_header(p)
                        .at(v.span(), format!("expected {what}"))
                        .help(format!("write `{name} \"{example}\"`")),
                );
            }
        }
        if self.format_locale.is_some() || self.time_zone.is_some() {
            self.env = new_environment(self.format_locale.as_deref(), self.time_zone.as_deref());
        }
    }

    /// M1041: a `money`, `number` or `date` at `span` (its name) with the arguments `args` (the
    /// text between its parentheses, `None` without them) that cannot format. True when fine.
    pub(super) fn format_filter(&mut self, name: &str, args: Option<&str>, span: Span) -> bool {
        let args: Vec<&str> = args
            .map(|a| {
                a.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let usage = match name {
            "money" => "`money('EUR')` (an ISO 4217 currency code)",
            "number" => "`number(2)` (the fraction digits, 0 to 10)",
            _ => {
                "`date('short')` (`short`, `medium`, `long` or `full`, and optionally a time zone)"
            }
        };
        let fail = |this: &mut Self, message: String, label: &str, help: String| {
            this.push(
                codes::m1041_format_filter(message)
                    .at(span, label.to_string())
                    .help(help),
            );
            false
        };
        if !intl::AVAILABLE {
            return fail(
                self,
                format!("`{name}` needs locale data, and this build of missive lacks it"),
                intl::NO_FEATURE,
                "build missive with the Cargo feature `intl` (the command line has it), or format the value before it reaches the template".into(),
            );
        }
        let most = if name == "date" { 2 } else { 1 };
        if args.is_empty() || args.len() > most {
            return fail(
                self,
                format!(
                    "`{name}` takes {}",
                    if name == "date" {
                        "a style and optionally a time zone"
                    } else {
                        "one argument"
                    }
                ),
                "wrong number of arguments",
                format!("write {usage}"),
            );
        }
        let literal = unquote(args[0]);
        let problem = match (name, literal) {
            ("money", Some(code)) => currency_problem(code),
            ("date", Some(style)) => intl::DateStyle::parse(style)
                .is_none()
                .then(|| format!("`{style}` is not a date style")),
            ("date", None) => Some("the style of `date` is written in the template".into()),
            ("number", _) => match args[0].parse::<u8>() {
                Ok(n) if n <= intl::MAX_DIGITS => None,
                _ => Some(format!("`{}` is not a number of fraction digits", args[0])),
            },
            _ => None,
        };
        if let Some(p) = problem {
            return fail(
                self,
                p,
                "cannot format with this argument",
                format!("write {usage}"),
            );
        }
        // A time zone written in the template is checked like `time_zone`'s.
        if let (true, Some(zone)) = (name == "date", args.get(1).and_then(|a| unquote(a))) {
            if let Some(p) = intl::zone_problem(zone) {
                return fail(
                    self,
                    p,
                    "not a time zone missive knows",
                    format!(
                        "name a zone of the IANA database, e.g. `date({}, 'Europe/Paris')`",
                        args[0]
                    ),
                );
            }
        }
        let missing = self.format_locale.is_none()
            || (name == "date" && args.len() == 1 && self.time_zone.is_none());
        if missing && self.format_headers_broken {
            // The declaration is wrong, and reported: one mistake, one diagnostic.
            return false;
        }
        if self.format_locale.is_none() {
            return fail(
                self,
                format!("`{name}` formats per locale, and this template declares none"),
                "in which language?",
                "declare the readers' locale under `notification`, e.g. `locale \"fr-FR\"` or `locale \"en-US\"` (a BCP 47 tag)".into(),
            );
        }
        if name == "date" && args.len() == 1 && self.time_zone.is_none() {
            return fail(
                self,
                "`date` needs a time zone, and this template declares none".into(),
                "in which time zone?",
                "declare it under `notification`, e.g. `time_zone \"Europe/Paris\"`, or pass it from the data: `date('short', order.time_zone)`; the machine's zone is never used".into(),
            );
        }
        true
    }
}

/// The text of a `'...'` or `"..."` argument.
fn unquote(arg: &str) -> Option<&str> {
    let q = arg.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    arg.strip_prefix(q)?.strip_suffix(q)
}

/// The text between the parentheses that follow a filter's name (at `after` in `src`), if any.
pub(super) fn call_args(src: &str, after: usize) -> Option<&str> {
    let rest = src.get(after..)?;
    let open = rest.len() - rest.trim_start().len();
    if !rest[open..].starts_with('(') {
        return None;
    }
    let mut quote = None;
    for (i, c) in rest[open + 1..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ')') => return Some(&rest[open + 1..open + 1 + i]),
            _ => {}
        }
    }
    None
}

/// An ISO 4217 code as `money` takes it: three capital letters (`EUR`) that name a currency of
/// ISO 4217 (`XYZ` does not: ICU4X would print it as is).
pub(super) fn currency_problem(code: &str) -> Option<String> {
    intl::currency_problem(code).or_else(|| {
        (!crate::model::schema::CURRENCIES.contains(&code)).then(|| {
            format!("`{code}` is not an ISO 4217 currency code (no currency is written `{code}`)")
        })
    })
}

// Without the feature only: with it, tests/it/locales.rs renders the filters.
#[cfg(all(test, not(feature = "intl")))]
mod tests {
    use crate::check::{compile, Options};

    const SRC: &str = "notification t\nlocale \"fr-FR\"\ninput { price: number 0..100 }\ntext \"{{ price | money('EUR') }}\"\n";

    #[test]
    fn without_the_feature_the_filters_say_the_build_lacks_it() {
        use crate::diagnostic::codes::Code;
        let c = compile(SRC, &Options::default());
        let d = c
            .diagnostics
            .iter()
            .find(|d| d.code == Code::FormatFilter)
            .expect("the formatting filter error");
        assert!(d.help.as_deref().unwrap_or("").contains("`intl`"), "{d:?}");
        assert_eq!(&SRC[d.primary().expect("located").span.range()], "money");
    }
}
