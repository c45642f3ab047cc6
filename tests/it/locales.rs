//! Templates in several languages: `locales { }`, texts per locale, `render --locale`, the
//! record's locale in a batch, and the library's `Template::for_locale`.

use std::path::PathBuf;

use crate::common::{missive, temp_dir};

const WELCOME: &str = r#"notification welcome
locales { en: "en-IE", fr: "fr-FR", from: customer.locale }
input { customer: { first_name: string max 30, locale?: string max 2 } }
text { en: "Hi {{ customer.first_name }}!", fr: "Bonjour {{ customer.first_name }} !" }
"#;

fn welcome(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("welcome.missive");
    std::fs::write(&path, WELCOME).unwrap();
    path
}

fn text_of(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["text"].as_str().unwrap().to_string()
}

#[test]
fn the_order_confirmation_renders_in_english_and_french_from_one_template() {
    let render = |locale: Option<&str>| {
        let mut cmd = missive();
        cmd.args([
            "render",
            "templates/order_confirmation.missive",
            "--data",
            "examples/order_confirmation.json",
        ]);
        if let Some(l) = locale {
            cmd.args(["--locale", l]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let default = render(None);
    assert_eq!(render(Some("en")), default, "English is the default locale");
    assert!(text_of(&default).starts_with("Hi Lisa! Thanks a lot for your order on Cooktoys."));
    let fr = render(Some("fr"));
    assert!(
        text_of(&fr).starts_with("Bonjour Lisa ! Merci beaucoup pour votre commande sur Cooktoys."),
        "{fr}"
    );
    assert!(fr.contains(r#""subtitle":"Référence 2324388""#), "{fr}");
    // What does not differ per locale is the same: the receipt's amounts, names, address.
    let (en, fr): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&default).unwrap(),
        serde_json::from_str(&fr).unwrap(),
    );
    assert_eq!(
        en["attachment"]["payload"]["summary"],
        fr["attachment"]["payload"]["summary"]
    );
}

#[test]
fn an_undeclared_locale_on_the_command_line_is_a_usage_error_listing_the_declared_ones() {
    // expect: M9002
    let out = missive()
        .args([
            "render",
            "templates/order_confirmation.missive",
            "--data",
            "examples/order_confirmation.json",
            "--locale",
            "de",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("does not declare this locale") && stderr.contains("`en`, `fr`"),
        "{stderr}"
    );
    let out = missive()
        .args(["render", "templates/text_only.missive", "--locale", "fr"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("declares no `locales`"));
}

#[test]
fn a_batch_renders_each_record_in_its_own_locale_and_rejects_an_undeclared_one() {
    let dir = temp_dir("locales-batch");
    let template = welcome(&dir);
    let data = dir.join("records.ndjson");
    std::fs::write(
        &data,
        concat!(
            r#"{"customer": {"first_name": "Lisa", "locale": "en"}}"#,
            "\n",
            r#"{"customer": {"first_name": "Camille", "locale": "fr"}}"#,
            "\n",
            r#"{"customer": {"first_name": "Hans", "locale": "de"}}"#,
            "\n",
            r#"{"customer": {"first_name": "Ana"}}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = missive()
        .arg("render")
        .arg(&template)
        .arg("--data-ndjson")
        .arg(&data)
        .args(["--format", "short"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let texts: Vec<String> = stdout.lines().map(text_of).collect();
    assert_eq!(
        texts,
        ["Hi Lisa!", "Bonjour Camille !", "Hi Ana!"],
        "{stderr}"
    );
    assert!(
        stderr.contains("M3030") && stderr.contains("`de` is not one the template declares"),
        "{stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a rejected record fails the run"
    );
    // A single render takes the record's locale too; `--locale` pins it.
    let one = dir.join("one.json");
    std::fs::write(
        &one,
        r#"{"customer": {"first_name": "Camille", "locale": "fr"}}"#,
    )
    .unwrap();
    let render = |extra: &[&str]| {
        let out = missive()
            .arg("render")
            .arg(&template)
            .arg("--data")
            .arg(&one)
            .args(extra)
            .output()
            .unwrap();
        text_of(&String::from_utf8(out.stdout).unwrap())
    };
    assert_eq!(render(&[]), "Bonjour Camille !");
    assert_eq!(render(&["--locale", "en"]), "Hi Camille!");
}

#[test]
fn the_library_gives_each_locale_its_template() {
    let compiled = missive::compile(WELCOME, &missive::Options::default());
    let template = compiled.template.expect("no errors");
    let keys: Vec<(&str, &str)> = template
        .locales()
        .iter()
        .map(|l| (l.key.as_str(), l.tag.as_str()))
        .collect();
    assert_eq!(keys, [("en", "en-IE"), ("fr", "fr-FR")]);
    assert_eq!(template.locale().unwrap().key, "en");
    assert_eq!(template.locale_from(), Some("customer.locale"));
    let data = missive::json::parse(r#"{"customer": {"first_name": "Lisa"}}"#).unwrap();
    let fr = template.for_locale("fr").unwrap();
    assert_eq!(fr.render_value(&data).unwrap()["text"], "Bonjour Lisa !");
    assert!(template.for_locale("de").is_none());
    // A template without `locales` has none, and is its own default.
    let plain = missive::compile(
        "notification hi\ntext \"Hi\"\n",
        &missive::Options::default(),
    )
    .template
    .unwrap();
    assert!(plain.locales().is_empty() && plain.locale().is_none());
}

#[test]
fn a_text_over_its_limit_in_one_locale_only_names_that_locale() {
    let source = r#"notification promo
locales { en: "en-IE", fr: "fr-FR" }
input { product: { name: string max 60, url: url } }
carousel {
  element {
    title { en: "{{ product.name }} is back", fr: "{{ product.name }} est de nouveau disponible" }
    button web_url { title { en: "View", fr: "Voir" }, url: product.url }
  }
}
"#;
    let compiled = missive::compile(source, &missive::Options::default());
    let messages: Vec<&str> = compiled
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["`title` may reach 86 characters in `fr`, the limit is 80"]
    );
    // Fits in both: nothing to say, and the template compiles.
    let fits = source.replace("max 60", "max 40");
    let compiled = missive::compile(&fits, &missive::Options::default());
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    assert!(compiled.template.is_some());
}

#[test]
fn fmt_lays_out_locales_and_texts_per_locale_and_keeps_their_meaning() {
    let messy = "notification a\nlocales{en:\"en-IE\",\n fr:\"fr-FR\"}\ntext {\nen: \"Hi\"\n    fr: \"Salut\" }\ncarousel { element { title {en:\"A\",fr:\"B\"}\n subtitle: \"x\" } }\n";
    let out = missive::fmt::format(messy).unwrap();
    assert_eq!(
        out,
        "notification a\nlocales {\n  en: \"en-IE\"\n  fr: \"fr-FR\"\n}\ntext {\n  en: \"Hi\"\n  fr: \"Salut\"\n}\ncarousel {\n  element {\n    title { en: \"A\", fr: \"B\" }\n    subtitle: \"x\"\n  }\n}\n"
    );
    assert_eq!(missive::fmt::format(&out).unwrap(), out, "idempotent");
    let render = |src: &str, locale: &str| {
        let t = missive::compile(src, &missive::Options::default())
            .template
            .unwrap();
        let data = missive::json::parse("{}").unwrap();
        t.for_locale(locale).unwrap().render_value(&data).unwrap()
    };
    for locale in ["en", "fr"] {
        assert_eq!(render(messy, locale), render(&out, locale));
    }
}

#[test]
fn send_posts_each_record_in_its_own_locale_and_rejects_an_undeclared_one() {
    let dir = temp_dir("locales-send");
    let template = dir.join("welcome.missive");
    std::fs::write(
        &template,
        WELCOME.replace(
            "notification welcome\n",
            "notification welcome\ncustomer_id \"w-{{ customer.first_name }}\"\n",
        ),
    )
    .unwrap();
    let records = dir.join("records.ndjson");
    std::fs::write(
        &records,
        concat!(
            r#"{"customer": {"first_name": "Camille", "locale": "fr"}}"#,
            "\n",
            r#"{"customer": {"first_name": "Hans", "locale": "de"}}"#,
            "\n",
            r#"{"customer": {"first_name": "Lisa"}}"#,
            "\n",
        ),
    )
    .unwrap();
    let server = crate::common::http::Server::ok();
    let out = crate::send::missive()
        .env("MISSIVE_ACCESS_TOKEN", "l0cale-t0ken-9c2e")
        .arg("send")
        .arg(&template)
        .args(["--page-id", "123", "--api-url", &server.base])
        .arg("--data-ndjson")
        .arg(&records)
        .args(["--journal", dir.join("journal").to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let bodies: Vec<String> = server.seen().iter().map(|r| r.body.clone()).collect();
    assert_eq!(
        bodies,
        [r#"{"text":"Bonjour Camille !"}"#, r#"{"text":"Hi Lisa!"}"#],
        "{stderr}"
    );
    assert!(stderr.contains("M3030"), "{stderr}");
    assert!(stderr.contains("rejected 1"), "{stderr}");
}

#[test]
fn preview_draws_the_locale_asked_for() {
    let draw = |locale: &str| {
        missive()
            .args([
                "preview",
                "templates/order_confirmation.missive",
                "--data",
                "examples/order_confirmation.json",
                "--locale",
                locale,
            ])
            .output()
            .unwrap()
    };
    let fr = draw("fr");
    assert!(fr.status.success());
    let html = String::from_utf8(fr.stdout).unwrap();
    assert!(html.contains("Bonjour Lisa !"), "the French text is drawn");
    assert!(!html.contains("Hi Lisa!"));
    let de = draw("de");
    assert_eq!(de.status.code(), Some(2));
    assert!(String::from_utf8(de.stderr)
        .unwrap()
        .contains("does not declare this locale"));
}

/// The formatting filters render in the template's declared `locale` (moved out of `check`'s
/// unit tests, which must not call render).
#[test]
fn the_filters_render_in_the_declared_locale() {
    let src = "notification t\nlocale \"fr-FR\"\ninput { price: number 0..100 }\ntext \"{{ price | money('EUR') }}\"\n";
    let c = missive::compile(src, &missive::Options::default());
    assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
    let data = missive::json::parse("{\"price\": 19.5}").unwrap();
    let mut out = Vec::new();
    c.template.unwrap().render_to(&mut out, &data).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"text\":\"19,50\u{a0}€\"}"
    );
}

#[test]
fn past_an_unclosed_brace_locale_mistakes_are_neither_reported_nor_fixed() {
    // `buttons {` is never closed: the unknown locale `fe` past it is not reported, and
    // `check --fix` does not rewrite it (to `fr`): nothing from that line on is known.
    let text = "notification u2\nlocales { en: \"en-IE\", fr: \"fr-FR\" }\ninput { first_name: string max 30 }\nbuttons {\n  text { en: \"Hi {{ first_name }}!\", fe: \"Bonjour {{ first_name }} !\" }\n  button web_url { title { en: \"View item\" }, url: \"https://a.example/\" }\n";
    let dir = temp_dir("locales-unclosed");
    let path = dir.join("u2.missive");
    std::fs::write(&path, text).unwrap();
    let out = missive()
        .args(["check", "--format", "short"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let codes: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .collect();
    assert_eq!(codes, ["M0002"], "{stdout}");
    let out = missive()
        .args(["check", "--fix", "--unsafe-fixes", "--format", "short"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}
