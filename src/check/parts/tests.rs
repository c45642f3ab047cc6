use super::*;

fn subst_with(args: &Args) -> Subst<'_> {
    Subst {
        args,
        at: Span::new(0, 3),
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
