//! `missive fmt`: the canonical layout, idempotence, comments kept, meaning kept (the formatted
//! template renders the same JSON and gets the same diagnostics), and the command line.

use std::sync::Arc;

use proptest::prelude::*;

use missive::diagnostic::report::{self, FileReport};
use missive::fmt::format;
use missive::{Options, Profile, SourceFile};

use crate::common::snapshots::assert_snapshot;
use crate::common::{missive, payloads, read, repo, temp_dir};

fn fmt_ok(source: &str) -> String {
    format(source).unwrap_or_else(|d| panic!("refused: {d:#?}\n{source}"))
}

/// The comment texts of a source, in order.
fn comments(source: &str) -> Vec<String> {
    missive::syntax::parse(source)
        .file
        .comments
        .iter()
        .map(|c| c.text.trim_end().to_string())
        .collect()
}

/// Every comment of `before` appears in `after`, in the same order.
fn assert_comments_kept(before: &str, after: &str) {
    let mut rest = after;
    for c in comments(before) {
        let at = rest
            .find(&c)
            .unwrap_or_else(|| panic!("lost or out of order: {c}\n--- output ---\n{after}"));
        rest = &rest[at + c.len()..];
    }
    assert_eq!(comments(before), comments(after));
}

/// What a template means: its diagnostics (code and message) and, with data, its rendering.
fn meaning(source: &str, stem: &str, data: Option<&str>) -> (Vec<String>, Option<String>) {
    let options = Options {
        profile: Profile::default_profile(),
        file_stem: Some(stem.to_string()),
        parts: crate::common::bundled_parts(),
    };
    let compiled = missive::compile(source, &options);
    let codes = compiled
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    let rendered = match (data, &compiled.template) {
        (Some(data), Some(t)) => {
            let checked: Vec<String> = missive::driver::check_data(t, data)
                .iter()
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            let mut out = Vec::new();
            let rendered = match missive::json::parse(data) {
                Ok(data) => match t.render_to(&mut out, &data) {
                    Ok(_) => String::from_utf8(out).unwrap(),
                    Err(d) => format!("{:?}", d.iter().map(|d| &d.code).collect::<Vec<_>>()),
                },
                Err(_) => String::new(),
            };
            Some(format!("{rendered} {checked:?}"))
        }
        _ => None,
    };
    (codes, rendered)
}

// ---------------------------------------------------------------------------------------------
// The layout

#[test]
fn a_messy_template_with_comments_everywhere_gets_the_canonical_layout() {
    let messy = read("tests/fixtures/fmt/messy.missive");
    let out = fmt_ok(&messy);
    assert_comments_kept(&messy, &out);
    assert_eq!(fmt_ok(&out), out, "idempotent");
    assert_eq!(meaning(&messy, "messy", None), meaning(&out, "messy", None));
    assert_snapshot!("messy", out);
}

#[test]
fn the_bundled_templates_are_already_formatted_and_render_the_same_formatted() {
    let mut seen = 0;
    for e in std::fs::read_dir(repo("templates")).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            continue; // parts/: the next test
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let data = read(&format!("examples/{stem}.json"));
        // Formatting a copy squashed to minimal indentation gives the template back.
        let squashed: String = source
            .lines()
            .map(|l| format!("{}\n", l.trim_start()))
            .collect();
        let out = fmt_ok(&squashed);
        assert_eq!(out, source, "{stem} is not in canonical form");
        let before = meaning(&source, &stem, Some(&data));
        assert!(
            before.1.as_deref().is_some_and(|r| r.starts_with('{')),
            "{before:?}"
        );
        assert_eq!(before, meaning(&out, &stem, Some(&data)), "{stem}");
        assert_eq!(before, meaning(&squashed, &stem, Some(&data)), "{stem}");
        seen += 1;
    }
    assert!(seen >= 6);
}

/// The bundled part files are ordinary blocks: `fmt` gives them back from a squashed copy, and
/// formatting keeps what they mean (their diagnostics as part files).
#[test]
fn the_bundled_part_files_are_already_formatted() {
    let mut seen = 0;
    for e in std::fs::read_dir(repo("templates/parts"))
        .unwrap()
        .flatten()
    {
        let path = e.path();
        let source = std::fs::read_to_string(&path).unwrap();
        let squashed: String = source
            .lines()
            .map(|l| format!("{}\n", l.trim_start()))
            .collect();
        let out = fmt_ok(&squashed);
        assert_eq!(out, source, "{} is not in canonical form", path.display());
        // Each text checked with the parts it defines (a part's place is part of its identity).
        let check = |text: &str| {
            let file = std::sync::Arc::new(missive::SourceFile::new(path.to_string_lossy(), text));
            let parts = missive::check::parts::Catalogue::from_sources([file.clone()]);
            missive::check::parts::check_file(&file, &parts).diagnostics
        };
        assert!(check(&source).is_empty(), "{:#?}", check(&source));
        assert!(check(&squashed).is_empty() && check(&out).is_empty());
        seen += 1;
    }
    assert!(seen >= 1);
}

/// Every fixture that parses formats idempotently, keeps its comments, and keeps its
/// diagnostics and rendering.
#[test]
fn every_fixture_keeps_its_meaning_and_comments() {
    let mut formatted = 0;
    for dir in ["tests/fixtures/check", "tests/fixtures/render"] {
        for e in std::fs::read_dir(repo(dir)).unwrap().flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "missive") {
                continue;
            }
            let Ok(source) = std::fs::read_to_string(&path) else {
                continue;
            };
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let data = std::fs::read_to_string(path.with_extension("json")).ok();
            let Ok(out) = format(&source) else {
                // Only sources with syntax errors are refused.
                let parsed = missive::syntax::parse(&source);
                assert!(parsed.diagnostics.iter().any(|d| d.is_error()), "{stem}");
                continue;
            };
            assert_eq!(fmt_ok(&out), out, "{stem}: not idempotent");
            assert_comments_kept(&source, &out);
            assert_eq!(
                meaning(&source, &stem, data.as_deref()),
                meaning(&out, &stem, data.as_deref()),
                "{stem}\n{out}"
            );
            formatted += 1;
        }
    }
    assert!(formatted > 50, "{formatted}");
}

#[test]
fn short_blocks_stay_on_one_line_only_when_written_so_and_short() {
    let src = "notification x\ncarousel {\n  element { title: \"a\", subtitle: \"b\" }\n  element {\n    title: \"c\"\n  }\n  element { title: \"d\" // why\n  }\n}\n";
    insta::assert_snapshot!(fmt_ok(src), @r#"
    notification x
    carousel {
      element { title: "a", subtitle: "b" }
      element {
        title: "c"
      }
      element {
        title: "d"  // why
      }
    }
    "#);
}

#[test]
fn block_texts_are_reindented_without_changing_their_content() {
    let src = "notification x\ncarousel {\n      element {\n  title: \"t\"\n  subtitle: \"\"\"\n        first\n\n          deeper \\u{1F600}\n      \"\"\"\n}\n}\n";
    let out = fmt_ok(src);
    insta::assert_snapshot!(out, @r#"
    notification x
    carousel {
      element {
        title: "t"
        subtitle: """
            first

              deeper \u{1F600}
          """
      }
    }
    "#);
    assert_eq!(
        meaning(src, "x", Some("{}")),
        meaning(&out, "x", Some("{}"))
    );
}

#[test]
fn trailing_blanks_inside_a_block_text_are_kept() {
    let src = "notification x\ntext \"\"\"\n  Hi  \n  \t\n  \"\"\"\n";
    assert_eq!(fmt_ok(src), src);
}

#[test]
fn strings_and_numbers_are_kept_as_written() {
    let src = "notification x\ntext \"a\\u{20AC} \\{ \\\"q\\\" {{ n | default('x') }}\"\nextra { k: 1.50, \"j\": -3E+2, \"s\": \"\\/\" }\n";
    let out = fmt_ok(src);
    assert_eq!(out, src);
}

#[test]
fn line_ends_follow_the_first_one_and_keep_the_meaning() {
    let src = "notification x\r\n\r\ntext   \"\"\"\r\n  a\r\n  b\r\n  \"\"\"\r\n";
    let out = fmt_ok(src);
    assert_eq!(
        out,
        "notification x\r\n\r\ntext \"\"\"\r\n  a\r\n  b\r\n  \"\"\"\r\n"
    );
    assert_eq!(fmt_ok(&out), out, "idempotent on CRLF");
    // A file that starts with LF comes out all LF, stray CRLFs included.
    let mixed = "notification x\ntext \"a\"\r\n";
    assert_eq!(fmt_ok(mixed), "notification x\ntext \"a\"\n");
    assert_eq!(
        meaning(src, "x", Some("{}")),
        meaning(&out, "x", Some("{}"))
    );
}

#[test]
fn a_source_with_a_syntax_error_is_refused_with_its_diagnostic() {
    let err = format("notification x\ncarousel {\n  element {\n").unwrap_err();
    assert_eq!(err[0].code, missive::Code::UnclosedDelimiter);
    let err = format("notification x\ntext \"\\q\"\n").unwrap_err();
    assert_eq!(err[0].code, missive::Code::InvalidEscape);
    assert_eq!(
        format("  \n").unwrap_err()[0].code,
        missive::Code::EmptyFile
    );
}

/// The formatter's own safety net: a rewrite that would not read back the same is refused.
#[test]
fn a_rewrite_that_changes_the_meaning_is_refused() {
    let source = read("templates/back_in_stock.missive");
    let changed = source.replace("\"View item\"", "\"View items\"");
    // expect: M0009
    let err = missive::fmt::verify(&source, &changed).unwrap_err();
    assert_eq!(err[0].code, missive::Code::FormatChanged);
    let dropped = source.replace("// formatted by the shop, e.g. \"149,00 €\"", "");
    assert_eq!(
        missive::fmt::verify(&source, &dropped).unwrap_err()[0].code,
        missive::Code::FormatChanged
    );
    assert!(missive::fmt::verify(&source, &fmt_ok(&source)).is_ok());
    let mut r = FileReport::new("templates/back_in_stock.missive");
    r.template = Some(Arc::new(SourceFile::new(
        "templates/back_in_stock.missive",
        source,
    )));
    r.diagnostics = err;
    assert_snapshot!("format_changed_human", report::human(&[r], false));
}

// ---------------------------------------------------------------------------------------------
// Properties: generated templates (imported payloads) and the bundled ones, with comments and
// whitespace noise, format to the same meaning, keep their comments, and format idempotently.

/// Noise for one line: leading and trailing blanks, a comment after it, blank and comment lines
/// before it, spaces around a field's colon and after a leading word, `else` moved to a line of
/// its own.
#[derive(Debug, Clone)]
struct Noise {
    indent: String,
    trail: String,
    comment: Option<String>,
    before: Vec<Option<String>>,
    colon: (String, String),
    gap: String,
    split_else: bool,
}

fn noise() -> impl Strategy<Value = Noise> {
    let blanks = "[ \t]{0,3}";
    let comment = "[A-Za-z0-9 {}\"'/*é-]{0,20}".prop_map(|c| format!("//{c}"));
    (
        blanks,
        blanks,
        prop::option::weighted(0.3, comment.clone()),
        prop::collection::vec(prop::option::weighted(0.5, comment), 0..2),
        (blanks, "[ \t]{0,3}"),
        "[ \t]{0,3}",
        any::<bool>(),
    )
        .prop_map(
            |(indent, trail, comment, before, colon, gap, split_else)| Noise {
                indent,
                trail,
                comment,
                before,
                colon,
                gap,
                split_else,
            },
        )
}

/// Applies noise to the lines of `source` outside `"""` texts.
fn noisy(source: &str, noise: &[Noise]) -> String {
    let mut out = String::new();
    let mut in_block = false;
    for (i, line) in source.lines().enumerate() {
        let quotes =
            !line.trim_start().starts_with("//") && line.matches("\"\"\"").count() % 2 == 1;
        if in_block {
            out.push_str(line);
            out.push('\n');
            in_block ^= quotes;
            continue;
        }
        let n = &noise[i % noise.len()];
        for b in &n.before {
            if let Some(c) = b {
                out.push_str(&n.indent);
                out.push_str(c);
            }
            out.push('\n');
        }
        let mut text = line.trim_start().to_string();
        let word = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|&n| n > 0 && text[n..].starts_with(' '));
        if let Some(at) = word {
            text = format!("{}{}{}", &text[..at], n.gap, &text[at..]);
        }
        if n.split_else && text.starts_with("} else") {
            text = format!("}}\n{}{}", n.indent, &text[2..]);
        }
        if let Some(colon) = field_colon(&text) {
            text = format!(
                "{}{}:{}{}",
                &text[..colon],
                n.colon.0,
                n.colon.1,
                text[colon + 1..].trim_start()
            );
        }
        out.push_str(&n.indent);
        out.push_str(&text);
        if !quotes {
            out.push_str(&n.trail);
            if let Some(c) = &n.comment {
                out.push(' ');
                out.push_str(c);
            }
        }
        out.push('\n');
        in_block ^= quotes;
    }
    out
}

/// The offset of a field's colon, when a line starts with `name:` or `"key":`.
fn field_colon(line: &str) -> Option<usize> {
    let ident = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '?'))
        .filter(|&n| n > 0);
    let key = line
        .strip_prefix('"')
        .and_then(|r| r.find('"'))
        .filter(|&n| !line[1..n + 1].contains('\\'))
        .map(|n| n + 2);
    [ident, key]
        .into_iter()
        .flatten()
        .find(|&n| line[n..].starts_with(':'))
}

fn check_round_trip(source: &str, stem: &str, data: Option<&str>) -> Result<(), TestCaseError> {
    let out = format(source).map_err(|d| TestCaseError::fail(format!("{d:#?}\n{source}")))?;
    prop_assert_eq!(format(&out).ok(), Some(out.clone()), "idempotent");
    prop_assert_eq!(comments(source), comments(&out));
    prop_assert_eq!(
        meaning(source, stem, data),
        meaning(&out, stem, data),
        "{}\n--- formatted ---\n{}",
        source,
        out
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn generated_templates_keep_their_meaning(
        p in payloads::payload(),
        noise in prop::collection::vec(noise(), 1..8),
    ) {
        let payload = serde_json::to_string_pretty(&p).unwrap();
        let (source, _) = missive::import::to_source(&payload, "imported").unwrap();
        // An imported template is already in canonical form.
        prop_assert_eq!(format(&source).ok(), Some(source.clone()));
        check_round_trip(&noisy(&source, &noise), "imported", Some("{}"))?;
    }

    #[test]
    fn bundled_templates_with_noise_keep_their_meaning(
        which in 0usize..6,
        noise in prop::collection::vec(noise(), 1..8),
    ) {
        let names = ["back_in_stock", "carousel", "image_only", "order_confirmation", "receipt", "text_only"];
        let name = names[which];
        let source = read(&format!("templates/{name}.missive"));
        let data = read(&format!("examples/{name}.json"));
        let messy = noisy(&source, &noise);
        check_round_trip(&messy, name, Some(&data))?;
        prop_assert_eq!(format(&messy).ok().map(|f| f.lines().count() >= source.lines().count()), Some(true));
    }

    #[test]
    fn templates_with_every_construct_keep_their_meaning(source in template()) {
        check_round_trip(&source, "x", Some("{}"))?;
    }

    #[test]
    fn fixtures_with_noise_keep_their_meaning(
        which in 0usize..3,
        noise in prop::collection::vec(noise(), 1..8),
    ) {
        let name = ["escapes_and_block_text", "extra_nested_json", "conditional_elements"][which];
        let source = read(&format!("tests/fixtures/render/{name}.missive"));
        let data = read(&format!("tests/fixtures/render/{name}.json"));
        check_round_trip(&noisy(&source, &noise), name, Some(&data))?;
    }
}

/// A separator between items: newlines, commas, comments, blank lines.
fn sep() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "\n",
        ", ",
        ",\n",
        "\n\n",
        "  // after\n",
        ",  // after a comma\n",
        "\n  // own line\n\n",
    ])
}

/// Items joined by separators, between braces that open and close on the same line or not.
fn braced(head: String, items: Vec<String>, seps: Vec<&'static str>, open: bool) -> String {
    let mut out = format!("{head} {{{}", if open { " " } else { "\n" });
    for (i, item) in items.iter().enumerate() {
        out.push_str(item);
        out.push_str(if i + 1 < items.len() {
            seps[i % seps.len()]
        } else {
            ""
        });
    }
    out.push_str(if open && seps.iter().all(|s| !s.contains('\n')) {
        " }"
    } else {
        "\n}"
    });
    out
}

fn leaf() -> impl Strategy<Value = String> {
    let block_text = ("[ \t]{0,4}", "[ \t]{0,6}", "[ \t]{0,6}").prop_map(|(close, a, b)| {
        format!("subtitle: \"\"\"\n{a}Hi {{{{ a }}}} \n\n{b}  \\{{x}} \"q\"\n{b}\n{close}\"\"\"")
    });
    prop_oneof![
        Just("title: \"T {{ p.q }} \\u{1F600}\"".to_string()),
        Just("subtitle:p.q".to_string()),
        Just("price: 1.50".to_string()),
        Just("quantity:   -2e3".to_string()),
        Just("sharable: true".to_string()),
        Just("image_url: null".to_string()),
        Just("text \"a\"  \"b\"".to_string()),
        block_text,
    ]
}

fn json() -> impl Strategy<Value = String> {
    let scalar = prop::sample::select(vec!["1", "2.50", "-3e2", "true", "null", "\"s {{ a }}\""])
        .prop_map(str::to_string);
    scalar.prop_recursive(3, 12, 3, |inner| {
        (prop::collection::vec(inner, 0..3), sep(), any::<bool>()).prop_map(
            |(items, sep, object)| {
                let sep = if sep.starts_with(',') { sep } else { ",\n" };
                if object {
                    let members: Vec<String> = items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| format!("\"k{i}\": {v}"))
                        .collect();
                    format!("{{{}}}", members.join(sep))
                } else {
                    format!(
                        "[{}{}]",
                        items.join(sep),
                        if items.is_empty() { "" } else { "," }
                    )
                }
            },
        )
    })
}

fn decls() -> impl Strategy<Value = String> {
    let scalar = prop::sample::select(vec![
        "a: string max 3",
        "b?: url",
        "c :  integer",
        "d: bool",
    ])
    .prop_map(str::to_string);
    let ty = scalar.prop_recursive(3, 10, 3, |inner| {
        (
            prop::collection::vec(inner, 1..3),
            prop::collection::vec(sep(), 1..3),
            any::<bool>(),
            0..3usize,
        )
            .prop_map(|(items, seps, open, kind)| {
                let name = ["o:", "l: list max 2 of", "m?: list of"][kind];
                braced(name.to_string(), items, seps, open)
            })
    });
    (
        prop::collection::vec(ty, 1..4),
        prop::collection::vec(sep(), 1..3),
    )
        .prop_map(|(items, seps)| braced("input".into(), items, seps, false))
}

/// Templates with every construct: headers, `input`, blocks, `for`, `if` chains, `extra`,
/// `"""` texts, comments, in odd but valid layouts.
fn template() -> impl Strategy<Value = String> {
    let item = leaf().prop_recursive(3, 24, 4, |inner| {
        let body = move || {
            (
                prop::collection::vec(inner.clone(), 0..4),
                prop::collection::vec(sep(), 1..3),
                any::<bool>(),
            )
        };
        prop_oneof![
            (
                prop::sample::select(vec!["element", "button postback", "summary"]),
                body()
            )
                .prop_map(|(head, (items, seps, open))| braced(
                    head.into(),
                    items,
                    seps,
                    open
                )),
            body().prop_map(|(items, seps, open)| braced("for p in ps".into(), items, seps, open)),
            (
                body(),
                prop::option::of(body()),
                prop::option::of(body()),
                "[ \n]{1,2}"
            )
                .prop_map(|((a, sa, oa), elif, els, gap)| {
                    let mut out = braced("if a > 1".into(), a, sa, oa);
                    if let Some((items, seps, open)) = elif {
                        out = format!(
                            "{out}{gap}{}",
                            braced("else if b".into(), items, seps, open)
                        );
                    }
                    if let Some((items, seps, open)) = els {
                        out = format!("{out} {}", braced("else".into(), items, seps, open));
                    }
                    out
                }),
            json().prop_map(|j| format!("extra {{ \"j\": {j} }}")),
        ]
    });
    (
        prop::option::of(decls()),
        prop::collection::vec(item, 0..5),
        prop::collection::vec(sep(), 1..4),
    )
        .prop_map(|(input, items, seps)| {
            let mut out = String::from("// generated\nnotification x \"d\"\n");
            if let Some(i) = input {
                out.push_str(&i);
                out.push('\n');
            }
            out.push_str(&braced("carousel".into(), items, seps, false));
            out.push('\n');
            out
        })
}

// ---------------------------------------------------------------------------------------------
// The command line

#[test]
fn check_lists_the_files_that_would_change_and_exits_1() {
    let dir = temp_dir("fmt-check");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let clean = read("templates/text_only.missive");
    std::fs::write(dir.join("clean.missive"), &clean).unwrap();
    let messy = clean.replace("notification text_only", "notification    text_only");
    std::fs::write(dir.join("sub/messy.missive"), &messy).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a template").unwrap();

    let out = missive()
        .current_dir(&dir)
        .args(["fmt", "--check"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let listed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listed.trim().replace('\\', "/"), "./sub/messy.missive");
    // Nothing was written.
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/messy.missive")).unwrap(),
        messy
    );

    missive()
        .current_dir(&dir)
        .args(["fmt", "--check", "clean.missive"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn fmt_rewrites_only_the_files_that_change() {
    let dir = temp_dir("fmt-write");
    let clean = read("templates/text_only.missive");
    let messy = clean.replace("notification text_only", "notification\ttext_only");
    std::fs::write(dir.join("clean.missive"), &clean).unwrap();
    std::fs::write(dir.join("text_only.missive"), &messy).unwrap();
    // A modification time long past: any write, in place or by a rename, would make it now.
    let before = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .append(true)
        .open(dir.join("clean.missive"))
        .unwrap()
        .set_modified(before)
        .unwrap();
    missive()
        .args(["fmt", &dir.to_string_lossy()])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(
        std::fs::read_to_string(dir.join("text_only.missive")).unwrap(),
        clean
    );
    let after = std::fs::metadata(dir.join("clean.missive"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "an unchanged file is not rewritten");
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn fmt_dash_formats_standard_input_to_standard_output() {
    missive()
        .args(["fmt", "-"])
        .write_stdin("notification   x\ntext  \"hi\"   // hello\n")
        .assert()
        .success()
        .stdout("notification x\ntext \"hi\"  // hello\n");
    // `--check` on standard input names it, and prints no source.
    missive()
        .args(["fmt", "--check", "--stdin-filename", "draft.missive"])
        .write_stdin("notification   x\ntext \"hi\"\n")
        .assert()
        .code(1)
        .stdout("draft.missive\n");
}

#[test]
fn a_file_that_does_not_parse_is_refused_and_left_untouched() {
    let dir = temp_dir("fmt-broken");
    let broken = "notification   broken\ncarousel {\n  element { title: \"x\" }\n";
    let path = dir.join("broken.missive");
    std::fs::write(&path, broken).unwrap();
    let ok = dir.join("ok.missive");
    std::fs::write(&ok, "notification  ok\ntext \"hi\"\n").unwrap();
    let out = missive()
        .current_dir(&dir)
        .args(["fmt", "broken.missive", "ok.missive", "--format", "short"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    // The other file is still formatted.
    assert_eq!(
        std::fs::read_to_string(&ok).unwrap(),
        "notification ok\ntext \"hi\"\n"
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "");
    insta::assert_snapshot!(String::from_utf8(out.stderr).unwrap(), @"broken.missive:2:10: error[M0002]: `carousel {` is never closed");

    // The human report, and standard input under its `--stdin-filename`.
    let out = missive()
        .args(["fmt", "--stdin-filename", "draft.missive"])
        .write_stdin(broken)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "");
    assert_snapshot!("refused_human", String::from_utf8(out.stderr).unwrap());
    let out = missive()
        .args(["fmt", "-", "--format", "json"])
        .write_stdin(broken)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(json["diagnostics"][0]["code"], "M0002");
    assert_eq!(json["diagnostics"][0]["file"], "-");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let out = missive()
        .args(["fmt", "no/such/file.missive", "--format", "short"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "no/such/file.missive: error[M9001]: cannot read `no/such/file.missive`: no such file or folder\n"
    );
}

#[cfg(unix)]
#[test]
fn a_linked_template_is_rewritten_through_its_link() {
    let dir = temp_dir("fmt-link");
    std::fs::write(dir.join("real.missive"), "notification   real\n").unwrap();
    std::os::unix::fs::symlink("real.missive", dir.join("link.missive")).unwrap();
    missive()
        .args(["fmt", &dir.join("link.missive").to_string_lossy()])
        .assert()
        .success();
    assert!(std::fs::symlink_metadata(dir.join("link.missive"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(dir.join("real.missive")).unwrap(),
        "notification real\n"
    );
}
