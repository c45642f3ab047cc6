use super::*;

const SRC: &str = r#"notification order_shipped
input {
  first_name?: string max 30
  order: {
    number: string max 20
    url: url
    items: list max 10 of { title: string max 60, image: url }
  }
}
text "Hi {{ first_name }}, order {{ order.number }} is on its way"
carousel {
  for item in order.items {
    element {
      title: item.title
      subtitle: "Order {{ order.number }}"
      button web_url { title: "View", url: order.url }
    }
  }
}
"#;

/// The source with `|` marking the cursor, and the offset of the cursor.
fn at(marked: &str) -> (String, usize) {
    let offset = marked.find('|').expect("a cursor");
    (marked.replacen('|', "", 1), offset)
}

fn labels(items: &[Completion]) -> Vec<&str> {
    items.iter().map(|c| c.label.as_str()).collect()
}

fn complete(marked: &str) -> Vec<Completion> {
    let (text, offset) = at(marked);
    let parsed = crate::check::compile(&text, &crate::Options::default());
    Analysis::new(&text, &parsed.file, parsed.input.clone())
        .complete(offset, &Profile::default_profile())
}

fn context(marked: &str) -> Context {
    let (text, offset) = at(marked);
    let parsed = crate::check::compile(&text, &crate::Options::default());
    Analysis::new(&text, &parsed.file, parsed.input.clone()).context(offset)
}

fn nth(text: &str, needle: &str, n: usize) -> usize {
    text.match_indices(needle).nth(n).expect("found").0
}

#[test]
fn word_before_splits_the_dotted_path() {
    assert_eq!(
        word_before("x: order.ite", 12),
        (vec!["order".to_string()], "ite".to_string())
    );
    assert_eq!(
        word_before("x: order.", 9),
        (vec!["order".to_string()], String::new())
    );
    assert_eq!(word_before("  ti", 4), (vec![], "ti".to_string()));
}

#[test]
fn context_detection() {
    // Field names at the start of a line in a block, or after a comma.
    assert_eq!(
        context("carousel {\n  element {\n    ti|\n  }\n}\n"),
        Context::Name
    );
    assert_eq!(
        context("carousel {\n  element { title: \"x\", |}\n}\n"),
        Context::Name
    );
    // Values after `:`, paths after a dot, the list of a `for`, a condition.
    assert_eq!(
        context("receipt {\n  order_number: or|\n}\n"),
        Context::Path(vec![])
    );
    assert_eq!(
        context("receipt {\n  order_number: order.|\n}\n"),
        Context::Path(vec!["order".into()])
    );
    assert_eq!(
        context("carousel {\n  for x in ord|\n}\n"),
        Context::Path(vec![])
    );
    assert_eq!(context("if gi| {\n}\n"), Context::Path(vec![]));
    assert_eq!(context("} else if gi| {\n}\n"), Context::Path(vec![]));
    // Inside a string: only in an interpolation.
    assert_eq!(context("text \"Hi {{ na|\n"), Context::Path(vec![]));
    assert_eq!(
        context("text \"Hi {{ order.| }}\"\n"),
        Context::Path(vec!["order".into()])
    );
    assert_eq!(
        context("text \"Hi {{ name }} and fri|\"\n"),
        Context::Nothing
    );
    assert_eq!(context("text \"Hi |\"\n"), Context::Nothing);
    assert_eq!(
        context("text \"\"\"\n  Hi {{ order.|\n  \"\"\"\n"),
        Context::Path(vec!["order".into()])
    );
    assert_eq!(
        context("text \"\"\"\n  Hi or|\n  \"\"\"\n"),
        Context::Nothing
    );
    // `extra` is JSON: no bare paths, but interpolations in its strings.
    assert_eq!(context("extra {\n  \"key\": |\n}\n"), Context::Nothing);
    assert_eq!(
        context("extra {\n  \"key\": \"{{ order.|\"\n}\n"),
        Context::Path(vec!["order".into()])
    );
    // The strings a field accepts.
    assert_eq!(
        context("carousel {\n  image_aspect_ratio: \"sq|\"\n}\n"),
        Context::Choice(vec!["horizontal", "square"])
    );
    assert_eq!(
        context(
            "carousel { element { default_action { url: \"x\", webview_height_ratio: \"|\" } } }\n"
        ),
        Context::Choice(vec!["compact", "tall", "full"])
    );
    let Context::Choice(currencies) = context("receipt {\n  currency: \"E|\n}\n") else {
        panic!("currencies");
    };
    assert!(currencies.contains(&"EUR"));
    assert_eq!(
        context("carousel { element { title: \"|\" } }\n"),
        Context::Nothing
    );
    // Comments, button types, input types.
    assert_eq!(context("// a comment ab|\n"), Context::Nothing);
    assert_eq!(
        context("carousel { element { button w| } }\n"),
        Context::ButtonType
    );
    assert_eq!(context("input {\n  name: str|\n}\n"), Context::Type);
    assert_eq!(context("input {\n  na|\n}\n"), Context::Nothing);
}

#[test]
fn field_completion_uses_the_schema_of_the_enclosing_block() {
    let items = complete("carousel {\n  element {\n    title: \"x\"\n    |\n  }\n}\n");
    let l = labels(&items);
    // `title` is already given; the rest of a carousel element, fields and blocks.
    assert!(!l.contains(&"title"), "{l:?}");
    for want in ["subtitle", "image_url", "default_action", "button", "extra"] {
        assert!(l.contains(&want), "{want} missing from {l:?}");
    }
    let subtitle = items
        .iter()
        .find(|c| c.label == "subtitle")
        .expect("subtitle");
    assert_eq!(subtitle.insert, "subtitle: ");
    assert!(subtitle.detail.contains("max 80"), "{}", subtitle.detail);
    // Blocks come with their braces for clients that take snippets.
    let button = items.iter().find(|c| c.label == "button").expect("button");
    assert_eq!(
        button.snippet.as_deref(),
        Some("button ${1|web_url,postback,phone_number,account_link,account_unlink,game_play|} {\n\ttitle: $0\n}")
    );
    let action = items
        .iter()
        .find(|c| c.label == "default_action")
        .expect("action");
    assert_eq!(action.snippet.as_deref(), Some("default_action {\n\t$0\n}"));

    let receipt = labels(&complete("receipt {\n  |\n}\n")).join(" ");
    assert!(
        receipt.contains("recipient_name") && receipt.contains("summary"),
        "{receipt}"
    );

    let button = labels(&complete(
        "carousel { element {\n button postback {\n  |\n }\n} }\n",
    ))
    .join(" ");
    assert_eq!(button, "title payload extra");

    let top = labels(&complete("notification x\n|\n")).join(" ");
    assert!(
        top.contains("carousel") && !top.contains("notification"),
        "{top}"
    );
}

#[test]
fn a_button_template_completes_and_hovers_from_the_schema() {
    let items = complete("notification x\nbuttons {\n  |\n}\n");
    assert_eq!(labels(&items), ["text", "button", "for", "if", "extra"]);
    let text = items.iter().find(|c| c.label == "text").expect("text");
    assert!(text.detail.contains("max 640"), "{}", text.detail);
    let top = complete("notification x\n|\n");
    let buttons = top.iter().find(|c| c.label == "buttons").expect("buttons");
    assert!(
        buttons.detail.contains("1 to 3 buttons"),
        "{}",
        buttons.detail
    );

    let src = "notification x\nbuttons {\n  text: \"Shipped\"\n  button postback { title: \"Help\", payload: \"HELP\" }\n}\n";
    let parsed = crate::check::compile(src, &crate::Options::default());
    let a = Analysis::new(src, &parsed.file, parsed.input.clone());
    let p = Profile::default_profile();
    let (block, _) = a.hover(nth(src, "buttons", 0), &p).expect("hover");
    assert!(
        block.contains("a button template") && block.contains("`button { }`, repeated, at most 3"),
        "{block}"
    );
    let (text, _) = a.hover(nth(src, "text:", 0), &p).expect("hover");
    assert!(text.contains("Limit: **640**"), "{text}");

    let replies = complete("notification x\nquick_replies {\n  |\n}\n");
    assert_eq!(labels(&replies), ["quick_reply", "for", "if", "extra"]);
    assert_eq!(
        replies[0].snippet.as_deref(),
        Some("quick_reply ${1|text,user_phone_number,user_email|} {\n\t$0\n}")
    );
    let types = complete("notification x\nquick_replies {\n  quick_reply |\n}\n");
    assert_eq!(labels(&types), ["text", "user_phone_number", "user_email"]);
    let fields = complete("notification x\nquick_replies {\n  quick_reply text {\n  |\n  }\n}\n");
    assert_eq!(labels(&fields), ["title", "payload", "image_url", "extra"]);
    assert!(fields[0].detail.contains("max 20"), "{}", fields[0].detail);
}

#[test]
fn attachments_by_url_or_id_complete_their_fields() {
    for kind in ["image", "video", "audio", "file"] {
        let items = complete(&format!("notification x\n{kind} {{\n  |\n}}\n"));
        assert_eq!(
            labels(&items),
            ["url", "is_reusable", "attachment_id", "extra"],
            "{kind}"
        );
        assert!(
            items[2].detail.contains("attachment id"),
            "{}",
            items[2].detail
        );
    }
    let top = labels(&complete("notification x\n|\n")).join(" ");
    assert!(top.contains("video") && top.contains("file"), "{top}");
    assert!(top.contains("media"), "{top}");
    let element = complete("notification x\nmedia {\n  element {\n  |\n  }\n}\n");
    assert_eq!(
        labels(&element),
        [
            "media_type",
            "url",
            "attachment_id",
            "button",
            "for",
            "if",
            "extra"
        ]
    );
    assert!(
        element[1].detail.contains("Facebook URL"),
        "{}",
        element[1].detail
    );
}

#[test]
fn path_completion_follows_inputs_and_loop_variables() {
    let offset = nth(SRC, "item.title", 0);
    let mut text = SRC.to_string();
    text.replace_range(offset..offset + "item.title".len(), "");
    let parsed = crate::check::compile(&text, &crate::Options::default());
    let a = Analysis::new(&text, &parsed.file, parsed.input.clone());
    let p = Profile::default_profile();
    let roots = a.complete(offset, &p);
    assert_eq!(labels(&roots), ["item", "first_name", "order"]);
    assert!(roots[0].detail.starts_with("loop variable"));

    text.insert_str(offset, "item.");
    let parsed = crate::check::compile(&text, &crate::Options::default());
    let a = Analysis::new(&text, &parsed.file, parsed.input.clone());
    assert_eq!(labels(&a.complete(offset + 5, &p)), ["title", "image"]);

    // In an interpolation.
    let offset = nth(SRC, "order.number", 0) + "order.".len();
    let parsed = crate::check::compile(SRC, &crate::Options::default());
    let a = Analysis::new(SRC, &parsed.file, parsed.input.clone());
    assert_eq!(labels(&a.complete(offset, &p)), ["number", "url", "items"]);
}

#[test]
fn hover_shows_limits_lengths_and_types() {
    let parsed = crate::check::compile(SRC, &crate::Options::default());
    let a = Analysis::new(SRC, &parsed.file, parsed.input.clone());
    let p = Profile::default_profile();

    let (title, _) = a.hover(nth(SRC, "title: item", 0) + 1, &p).expect("hover");
    assert!(title.contains("Limit: **80**"), "{title}");
    assert!(title.contains("Worst case: 0 to **60**"), "{title}");

    let (subtitle, _) = a.hover(nth(SRC, "subtitle", 0), &p).expect("hover");
    assert!(subtitle.contains("Worst case: 6 to **26**"), "{subtitle}");

    let (button, _) = a.hover(nth(SRC, "title: \"View\"", 0), &p).expect("hover");
    assert!(button.contains("Limit: **20**"), "{button}");
    assert!(button.contains("Length: 4 characters"), "{button}");

    let (text, _) = a.hover(nth(SRC, "text", 0), &p).expect("hover");
    assert!(text.contains("Limit: **320**"), "{text}");

    let (var, span) = a.hover(nth(SRC, "number }}", 0) + 2, &p).expect("hover");
    assert_eq!(var, "`order.number`: `string max 20`");
    assert_eq!(&SRC[span.range()], "number");

    let (item, _) = a.hover(nth(SRC, "item.title", 0), &p).expect("hover");
    assert!(
        item.contains("`{ title: string max 60, image: url }`"),
        "{item}"
    );
    assert!(item.contains("loop variable"), "{item}");

    let (optional, _) = a.hover(nth(SRC, "first_name }}", 0), &p).expect("hover");
    assert!(optional.contains("(optional)"), "{optional}");

    let (decl, _) = a.hover(nth(SRC, "url: url", 0), &p).expect("hover");
    assert_eq!(decl, "input `order.url`: `url`");
}

#[cfg(feature = "intl")]
#[test]
fn hover_shows_ranges_and_the_worst_case_of_formatted_numbers() {
    let src = "notification t\nlocale \"fr-FR\"\ninput { item: { name: string max 60, price: number 0..10000, url: url } }\ncarousel {\n  element {\n    title: \"{{ item.name }} - {{ item.price | money('EUR') }}\"\n    button web_url { title: \"Acheter\", url: item.url }\n  }\n}\n";
    let parsed = crate::check::compile(src, &crate::Options::default());
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    let a = Analysis::new(src, &parsed.file, parsed.input.clone());
    let p = Profile::default_profile();
    let (title, _) = a.hover(nth(src, "title: \"{{", 0) + 1, &p).expect("hover");
    assert!(
        title.contains("Worst case: 9 to **74** characters (with `item.name` max 60, `item.price` printing `10\u{202f}000,00\u{a0}€`)"),
        "{title}"
    );
    let (price, _) = a.hover(nth(src, "price | money", 0), &p).expect("hover");
    assert!(price.contains("`number 0..10000`"), "{price}");
}

#[test]
fn definitions_point_at_declarations_and_loops() {
    let parsed = crate::check::compile(SRC, &crate::Options::default());
    let a = Analysis::new(SRC, &parsed.file, parsed.input.clone());
    let decl = a
        .definition(nth(SRC, "order.url", 0) + 7)
        .expect("definition");
    assert_eq!(decl.start as usize, nth(SRC, "url: url", 0));
    assert_eq!(&SRC[decl.range()], "url");

    let local = a
        .definition(nth(SRC, "item.title", 0) + 1)
        .expect("definition");
    assert_eq!(local.start as usize, nth(SRC, "item in", 0));

    let in_string = a
        .definition(nth(SRC, "first_name }}", 0))
        .expect("definition");
    assert_eq!(in_string.start as usize, nth(SRC, "first_name?", 0));

    // A field name is not a path.
    assert_eq!(a.definition(nth(SRC, "subtitle", 0)), None);
}

#[test]
fn a_broken_file_still_answers() {
    let text = "notification x\ninput { order: { number: string } }\ncarousel {\n  element {\n    title: \"{{ order.\n";
    let parsed = crate::check::compile(text, &crate::Options::default());
    let a = Analysis::new(text, &parsed.file, parsed.input.clone());
    let p = Profile::default_profile();
    assert_eq!(labels(&a.complete(text.len() - 1, &p)), ["number"]);
}

#[test]
fn an_unclosed_block_being_typed_completes_its_fields() {
    let items = complete("notification x\ncarousel {\n  element {\n    |");
    let l = labels(&items);
    assert!(l.contains(&"title") && l.contains(&"button"), "{l:?}");
}

#[test]
fn every_position_of_every_template_answers_without_panicking() {
    let mut sources: Vec<String> = Vec::new();
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")).expect("templates")
    {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            // The shared parts of `parts/`.
            for part in std::fs::read_dir(&path).expect("parts") {
                let part = part.expect("entry").path();
                sources.push(std::fs::read_to_string(part).expect("a part file"));
            }
            continue;
        }
        sources.push(std::fs::read_to_string(path).expect("a template"));
    }
    sources.push(SRC.to_string());
    // Broken variants: cut in the middle (unclosed blocks, strings, interpolations).
    let cut: Vec<String> = sources
        .iter()
        .flat_map(|s| {
            [s.len() / 3, s.len() / 2, 2 * s.len() / 3]
                .into_iter()
                .filter(|&i| s.is_char_boundary(i))
                .map(|i| s[..i].to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    sources.extend(cut);
    sources.push("\"\"\"\n{{ {% \"".into());
    sources.push("é😀{{.}}.\n..a..b\n}{".into());
    let p = Profile::default_profile();
    for text in &sources {
        let parsed = crate::check::compile(text, &crate::Options::default());
        let a = Analysis::new(text, &parsed.file, parsed.input.clone());
        for offset in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let _ = a.complete(offset, &p);
            let _ = a.hover(offset, &p);
            let _ = a.definition(offset);
        }
    }
}

/// Issue 14: hovering inside a field's value (the title's text, not only its name) shows the
/// field's limit, length and worst case; a path inside the value keeps its own hover.
#[test]
fn hover_anywhere_on_a_field_shows_the_field() {
    let parsed = crate::check::compile(SRC, &crate::Options::default());
    let a = Analysis::new(SRC, &parsed.file, parsed.input.clone());
    let p = Profile::default_profile();

    // In a literal's text: its limit and length.
    let (button, span) = a.hover(nth(SRC, "\"View\"", 0) + 2, &p).expect("hover");
    assert!(button.contains("Limit: **20**"), "{button}");
    assert!(button.contains("Length: 4 characters"), "{button}");
    assert_eq!(&SRC[span.range()], "title");

    // In an interpolated string's text, outside its `{{ }}`: the worst case.
    let (subtitle, _) = a.hover(nth(SRC, "\"Order {{", 0) + 3, &p).expect("hover");
    assert!(subtitle.contains("Worst case: 6 to **26**"), "{subtitle}");

    // The message's text, in its words: the text limit.
    let (text, _) = a.hover(nth(SRC, "is on its way", 0), &p).expect("hover");
    assert!(text.contains("Limit: **320**"), "{text}");

    // A path in the value keeps the path's hover.
    let (var, _) = a.hover(nth(SRC, "number }}\"", 0) + 2, &p).expect("hover");
    assert_eq!(var, "`order.number`: `string max 20`");
}

#[test]
fn a_text_per_locale_completes_the_declared_locales_it_lacks() {
    let src = r#"notification promo
locales { en: "en-IE", fr: "fr-FR", de: "de-DE" }
input { product: { name: string max 40, url: url } }
carousel {
  element {
    title { en: "{{ product.name }}", | }
  }
}
"#;
    let items = complete(src);
    assert_eq!(labels(&items), ["fr", "de"]);
    assert_eq!(items[0].detail, "the `title` text, in fr-FR");
    // The message's own text, at the top level.
    let text =
        "notification promo\nlocales { en: \"en-IE\", fr: \"fr-FR\" }\ntext { fr: \"Salut\", | }\n";
    assert_eq!(labels(&complete(text)), ["en"]);
    // A child block is not a text per locale: `default_action` completes its fields.
    let child = src.replace(
        "title { en: \"{{ product.name }}\", | }",
        "default_action { | }",
    );
    assert!(labels(&complete(&child)).contains(&"url"));
    // At the top level, `locales` is offered until it is written.
    assert!(labels(&complete("notification a\n|\n")).contains(&"locales"));
    let declared = "notification a\nlocales { en: \"en-IE\" }\n|\n";
    assert!(!labels(&complete(declared)).contains(&"locales"));
}

#[test]
fn a_locale_key_hovers_with_its_tag_and_the_fields_limit() {
    let (text, offset) = at(r#"notification promo
locales { en: "en-IE", fr: "fr-FR" }
input { product: { name: string max 40, url: url } }
carousel {
  element {
    title { en: "{{ product.name }}", f|r: "{{ product.name }} !" }
  }
}
"#);
    let parsed = crate::check::compile(&text, &crate::Options::default());
    let (hover, _) = Analysis::new(&text, &parsed.file, parsed.input.clone())
        .hover(offset, &Profile::default_profile())
        .expect("a hover");
    assert!(
        hover.starts_with("the `title` text in `fr` (fr-FR)"),
        "{hover}"
    );
    assert!(hover.contains("**title**"), "{hover}");
}
