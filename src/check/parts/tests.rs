use super::*;

fn subst_with(args: &Args) -> Subst<'_> {
    Subst {
        args,
        base: 100,
        part: "p",
    }
}

fn path(text: &str) -> Value {
    Value::Path(ast::Path {
        segments: text
            .split('.')
            .map(|s| ast::Ident {
                name: s.into(),
                span: Span::new(0, 0),
            })
            .collect(),
        span: Span::new(0, 0),
    })
}

#[test]
fn expressions_read_the_arguments_and_nothing_else() {
    let args: Args = vec![
        ("phone".into(), Some(path("shop.phone"))),
        ("title".into(), None),
    ];
    let s = subst_with(&args);
    assert_eq!(rewrite_expr(" phone ", &s, &[]), " shop.phone ");
    assert_eq!(
        rewrite_expr("phone.country | title", &s, &[]),
        "shop.phone.country | title"
    );
    assert_eq!(
        rewrite_expr("x.phone ~ 'phone'", &s, &[]),
        "x.phone ~ 'phone'"
    );
    assert_eq!(rewrite_expr("title or 'Call'", &s, &[]), "none or 'Call'");
    assert_eq!(
        rewrite_expr("f(phone=1) == phone", &s, &[]),
        "f(phone=1) == shop.phone"
    );
    assert_eq!(rewrite_expr("phone", &s, &["phone".into()]), "phone");
}

#[test]
fn a_text_argument_becomes_a_minijinja_string() {
    let parsed = crate::syntax::parse("text \"Hi {{ name }}, it's\"");
    let Item::Command(c) = &parsed.file.items[0] else {
        panic!("{:?}", parsed.file.items)
    };
    let args: Args = vec![("greeting".into(), Some(c.args[0].clone()))];
    let s = subst_with(&args);
    assert_eq!(
        rewrite_expr("greeting | upper", &s, &[]),
        "('Hi ' ~ (name) ~ ', it\\'s') | upper"
    );
}

#[test]
fn parts_paths_are_recognised() {
    assert!(is_part_path("templates/parts/contact.missive"));
    assert!(!is_part_path("templates/contact.missive"));
    assert!(!is_part_path("templates/parts/contact.json"));
}

fn compile_with(parts: &str, template: &str) -> crate::check::Compiled {
    let file = Arc::new(SourceFile::new("parts/p.missive", parts));
    let options = crate::check::Options {
        parts: Arc::new(Catalogue::from_sources([file])),
        ..crate::check::Options::default()
    };
    crate::check::compile(template, &options)
}

#[test]
fn a_text_snippet_with_an_optional_input_and_quick_replies_are_parts_too() {
    let parts = "part greeting {\n  input { name?: string max 20 }\n  text \"Hi{% if name %} {{ name }}{% endif %}!\"\n}\n\npart replies {\n  quick_replies {\n    quick_reply text { title: \"Yes\", payload: \"Y\" }\n  }\n}\n";
    let template = "notification t\ninput { first_name?: string max 20 }\nuse greeting { name: first_name }\nuse replies\n";
    let c = compile_with(parts, template);
    let t = c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
    let render = |data: &str| {
        let node = crate::json::parse(data).expect("JSON");
        t.render_value(&node).expect("renders")
    };
    assert_eq!(
        render(r#"{"first_name": "Lisa"}"#),
        serde_json::json!({"text": "Hi Lisa!", "quick_replies": [{"content_type": "text", "title": "Yes", "payload": "Y"}]})
    );
    assert_eq!(render("{}")["text"], "Hi!");
    // Not given at all: the part's `{% if name %}` is never taken.
    let c = compile_with(parts, "notification t\nuse greeting\n");
    let t = c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
    let node = crate::json::parse("{}").expect("JSON");
    assert_eq!(t.render_value(&node).expect("renders")["text"], "Hi!");
}

#[test]
fn a_part_loop_variable_hides_the_callers_names() {
    let parts = "part links {\n  input { items: list max 3 of { url: url }, url: url }\n  for url in items {\n    button web_url { title: \"Open\", url: url.url }\n  }\n  button web_url { title: \"All\", url: url }\n}\n";
    let template = "notification t\ninput { products: list max 2 of { url: url }, shop: url }\nbuttons {\n  text: \"See\"\n  use links { items: products, url: shop }\n}\n";
    let c = compile_with(parts, template);
    let t = c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
    let node = crate::json::parse(
        r#"{"products": [{"url": "https://a.example/1"}], "shop": "https://a.example/"}"#,
    )
    .expect("JSON");
    let body = t.render_value(&node).expect("renders");
    let urls: Vec<&str> = body["attachment"]["payload"]["buttons"]
        .as_array()
        .expect("buttons")
        .iter()
        .map(|b| b["url"].as_str().expect("a url"))
        .collect();
    assert_eq!(urls, ["https://a.example/1", "https://a.example/"]);
}

#[test]
fn a_part_loop_variable_is_renamed_where_it_would_hide_an_argument() {
    // The part loops with `p`; the caller gives `p.name` from its own loop named `p`.
    let parts = "part cards {\n  input { label: string max 20, items: list max 2 of { url: url } }\n  for p in items {\n    element {\n      title: label\n      subtitle: \"{{ p.url }}\"\n      default_action { url: p.url }\n    }\n  }\n}\n";
    let template = "notification t\ninput { groups: list max 2 of { name: string max 20, links: list max 2 of { url: url } } }\ncarousel {\n  for p in groups {\n    use cards { label: p.name, items: p.links }\n  }\n}\n";
    let c = compile_with(parts, template);
    let t = c.template.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
    let node = crate::json::parse(
        r#"{"groups": [{"name": "Mixers", "links": [{"url": "https://a.example/1"}]}]}"#,
    )
    .expect("JSON");
    let body = t.render_value(&node).expect("renders");
    let element = &body["attachment"]["payload"]["elements"][0];
    assert_eq!(element["title"], "Mixers");
    assert_eq!(element["subtitle"], "https://a.example/1");
    assert_eq!(element["default_action"]["url"], "https://a.example/1");
}

#[test]
fn a_template_using_more_part_files_than_positions_can_name_is_refused_at_the_use() {
    // `Origin::Part` names a part file by a `u16`: with the map full (the file of `q` among
    // them), a use of `q` is brought in, and the use of `p`, whose file would be one too many,
    // is refused (M0010) at the use, never wrapped into another file's positions.
    let catalogue = Catalogue::from_sources([
        Arc::new(SourceFile::new(
            "parts/p.missive",
            "part p {\n  text \"P\"\n}\n",
        )),
        Arc::new(SourceFile::new(
            "parts/q.missive",
            "part q {\n  text \"Q\"\n}\n",
        )),
    ]);
    let template = "notification t\nuse q\nuse p\n";
    let parsed = crate::syntax::parse(template);
    let mut map = SourceMap::new(template.len());
    let q = catalogue.get("q").expect("q").file.clone();
    map.add(template.len() + 1, &q, Span::new(0, 0), "q");
    for i in 1..MAX_PART_FILES {
        let other = Arc::new(SourceFile::new(format!("parts/f{i}.missive"), ""));
        map.add(template.len() + 1, &other, Span::new(0, 0), "f");
    }
    let mut diags = Vec::new();
    let mut ex = Expander {
        catalogue: &catalogue,
        root: &ObjTy::default(),
        locals: Vec::new(),
        stack: Vec::new(),
        diags: &mut diags,
        uses: Vec::new(),
        in_part_file: false,
        text: format!("{template}{}", "\n".repeat(REPAIR_ROOM)),
        map,
        depth: 0,
        stopped: false,
        uncounted: 0,
    };
    let items = ex.items(&parsed.file.items, None);
    assert_eq!(ex.map.files().len(), MAX_PART_FILES);
    // The header, and `q`'s text; `p` is not brought in.
    assert_eq!(items.len(), 2, "{items:#?}");
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, crate::diagnostic::Code::TooLarge);
    assert_eq!(
        diags[0].message,
        "this template uses parts from more than 65535 part files"
    );
    let at = diags[0].primary().expect("a label").span;
    assert_eq!(&template[at.range()], "use p");
}
