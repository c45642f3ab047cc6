use super::ast::*;
use super::*;
use crate::diagnostic::Code;

fn ok(src: &str) -> ast::File {
    let p = parse(src);
    assert!(p.diagnostics.is_empty(), "{:#?}", p.diagnostics);
    p.file
}

#[test]
fn parses_the_design_sketch_shapes() {
    let f = ok(r#"// header comment
notification back_in_stock "Back-in-stock alert"
customer_id "instock-{{ product.sku }}-{{ session_id }}"

input {
  session_id: string max 24
  first_name?: string max 40
  product: {
    sku: string max 16, url: url
  }
  items: list max 100 of { title: string max 80, price: number }
}

text "Good news{% if first_name %} {{ first_name }}{% endif %}!"

carousel {
  for item in items {
    element {
      title: item.title   // trailing comment
      button web_url { title: "View item", url: product.url }
    }
  }
  if items {
    element { title: "x", subtitle: "y" }
  } else if true {
    element { title: "z", subtitle: "w" }
  } else {
    element { title: "q", subtitle: "r", }
  }
  extra { "sharable": true, "nested": { "a": [1, 2,], }, }
}
"#);
    assert_eq!(f.items.len(), 5);
    assert_eq!(f.comments.len(), 2);
    let Item::Block(carousel) = &f.items[4] else {
        panic!()
    };
    assert_eq!(carousel.kind.name, "carousel");
    assert!(matches!(carousel.items[0], Item::For(_)));
    let Item::If(cond) = &carousel.items[1] else {
        panic!()
    };
    assert_eq!(cond.branches.len(), 2);
    assert_eq!(cond.branches[0].condition.text, "items");
    assert!(cond.otherwise.is_some());
    assert!(matches!(carousel.items[2], Item::Extra(_)));
}

#[test]
fn a_broken_line_is_one_error_and_the_rest_still_parses() {
    let src = "notification x\ncarousel {\n  element {\n    title: : \"x\"\n    subtitle: \"ok\"\n  }\n}\n";
    let p = parse(src);
    assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
    assert_eq!(p.diagnostics[0].code, Code::SyntaxError);
    let Item::Block(c) = &p.file.items[1] else {
        panic!()
    };
    let Item::Block(e) = &c.items[0] else {
        panic!()
    };
    assert!(matches!(e.items[0], Item::Error(_)));
    assert!(matches!(e.items[1], Item::Field(_)));
}

#[test]
fn an_unclosed_brace_is_reported_at_its_opener() {
    let src = "notification x\ncarousel {\n  element {\n    title: \"x\"\n  }\n";
    let p = parse(src);
    assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
    assert_eq!(p.diagnostics[0].code, Code::UnclosedDelimiter);
    assert_eq!(p.diagnostics[0].labels[0].span, Span::new(24, 25));
    assert_eq!(p.file.items.len(), 2);
}

#[test]
fn an_unclosed_string_is_reported_at_its_quote() {
    let src = "notification x\ntext \"hello\nimage \"https://a.b/c.png\"\n";
    let p = parse(src);
    assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
    assert_eq!(p.diagnostics[0].code, Code::UnclosedString);
    assert_eq!(p.diagnostics[0].labels[0].span, Span::new(20, 21));
    assert!(matches!(p.file.items[2], Item::Command(_)));
}

#[test]
fn a_value_must_start_on_its_names_line() {
    let p = parse("notification x\ncarousel {\n  element {\n    title:\n      \"x\"\n  }\n}\n");
    assert!(!p.diagnostics.is_empty());
    assert_eq!(p.diagnostics[0].code, Code::SyntaxError);
}

#[test]
fn reserved_words_are_allowed_after_a_dot() {
    let f = ok("notification x\ntext order.for\n");
    let Item::Command(c) = &f.items[1] else {
        panic!()
    };
    let Value::Path(p) = &c.args[0] else { panic!() };
    assert_eq!(p.dotted(), "order.for");
}

#[test]
fn numbers_are_kept_as_written() {
    let f = ok("notification x\nreceipt { summary { total_cost: 75.00 } }\n");
    let Item::Block(r) = &f.items[1] else {
        panic!()
    };
    let Item::Block(s) = &r.items[0] else {
        panic!()
    };
    let Item::Field(t) = &s.items[0] else {
        panic!()
    };
    assert!(matches!(&t.value, Value::Number(n, _) if n == "75.00"));
}

#[test]
fn empty_and_deep_files_get_one_diagnostic() {
    assert_eq!(parse("").diagnostics[0].code, Code::EmptyFile);
    let deep = format!("notification x\n{}", "a {\n".repeat(70));
    let p = parse(&deep);
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(p.diagnostics[0].code, Code::TooDeep);
}

#[test]
fn if_branches_know_where_their_bodies_open_and_close() {
    let src = "notification x\ncarousel {\n  if a { element {} }   // one\n  // two\n  else if b {\n  } else { }\n}\n";
    let p = parse(src);
    assert!(p.diagnostics.is_empty(), "{:#?}", p.diagnostics);
    let Item::Block(c) = &p.file.items[1] else {
        panic!()
    };
    let Item::If(i) = &c.items[0] else { panic!() };
    let text = |s: Span| &src[s.range()];
    assert_eq!(text(i.branches[0].body), "{ element {} }");
    assert_eq!(text(i.branches[1].body), "{\n  }");
    assert_eq!(i.otherwise_body.map(text), Some("{ }"));
}

#[test]
fn the_expected_words_never_name_the_byte_order_mark() {
    // U+FEFF is whitespace to the grammar (an editor's buffer may start with it); before, it was
    // listed among the expected tokens, as an invisible "`﻿`".
    for src in [
        "notification x\ncarousel\n{\n}\n",
        "notification x\nextra\n{ \"a\": 1 }\n",
        "notification x\nif true\n{\n}\n",
    ] {
        let p = parse(src);
        assert!(!p.diagnostics.is_empty(), "{src}");
        for d in &p.diagnostics {
            assert!(!d.message.contains('\u{FEFF}'), "{}", d.message);
            for l in &d.labels {
                let m = l.message.as_deref().unwrap_or_default();
                assert!(!m.contains('\u{FEFF}'), "{m}");
            }
        }
    }
}

/// pest's "call limit reached" (or "stack limit reached") is the parser giving up on its budget,
/// not a syntax error: it gets M0010 at the place the parser stopped, never "expected ...".
#[test]
fn the_parser_giving_up_is_not_a_syntax_error() {
    let text = "notification big\n\ntext \"hello\"\n";
    for message in ["call limit reached", "stack limit reached"] {
        let err = pest::error::Error::<Rule>::new_from_pos(
            pest::error::ErrorVariant::CustomError {
                message: message.into(),
            },
            pest::Position::new(text, 18).unwrap(),
        );
        let d = parser_gave_up(&err, text).expect("a budget diagnostic");
        assert_eq!(d.code, Code::TooLarge);
        assert!(d.message.contains(message), "{}", d.message);
        assert_eq!(d.labels[0].span, Span::new(18, 19));
    }
    // A real syntax error is left to the syntax error explanation.
    let err = pest::error::Error::<Rule>::new_from_pos(
        pest::error::ErrorVariant::ParsingError {
            positives: vec![Rule::file],
            negatives: vec![],
        },
        pest::Position::new(text, 0).unwrap(),
    );
    assert!(parser_gave_up(&err, text).is_none());
}

/// `is_name` and `KEYWORDS` say what the grammar's `ident` reads whole: the checks and the
/// importer ask them instead of running the parser on a name.
#[test]
fn is_name_is_the_grammar_s_ident() {
    let read = |s: &str| {
        super::parse_detailed(super::Rule::ident, s)
            .is_ok_and(|mut pairs| pairs.next().is_some_and(|p| p.as_str() == s))
    };
    for s in super::KEYWORDS.iter().copied().chain([
        "order", "_x9", "if_then", "input", "Null", "iff", "a.b", "9lives", "é", "", "a b", "x-y",
    ]) {
        assert_eq!(super::is_name(s), read(s), "{s:?}");
    }
    assert!(super::KEYWORDS.iter().all(|k| !super::is_name(k)));
}
