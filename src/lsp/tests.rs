use super::*;

use lsp_types::{Position, Range};

use crate::diagnostic::Code;

fn uri(s: &str) -> Uri {
    s.parse().expect("a URI")
}

#[test]
fn diagnostics_have_utf16_ranges_codes_help_and_related_information() {
    // `😀` is two UTF-16 units: the undeclared `nme` starts at column 14, not 13.
    let text = "notification greet\ninput { name: string max 20 }\ntext \"😀 {{ nme }}\"\n";
    let u = uri("file:///tmp/greet.missive");
    let mut doc = Document::new(&u, text.into(), 1);
    let diags = doc.diagnostics(&u, &Profile::default_profile());
    let d = diags
        .iter()
        .find(|d| {
            d.code
                == Some(NumberOrString::String(
                    Code::UndeclaredVariable.as_str().into(),
                ))
        })
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(
        d.range,
        Range::new(Position::new(2, 12), Position::new(2, 15))
    );
    assert!(
        d.message
            .contains("help: a variable with a similar name exists: `name`"),
        "{}",
        d.message
    );
    assert_eq!(d.source.as_deref(), Some("missive"));

    let twice = "notification greet\ntext \"a\"\ntext \"b\"\n";
    let mut doc = Document::new(&u, twice.into(), 1);
    let diags = doc.diagnostics(&u, &Profile::default_profile());
    let related = diags[0].related_information.as_ref().expect("related");
    assert_eq!(related[0].message, "first `text`");
    assert_eq!(related[0].location.range.start, Position::new(1, 0));
}

#[test]
fn incremental_edits_apply_in_utf16_units() {
    let u = uri("file:///tmp/x.missive");
    let mut doc = Document::new(&u, "a😀b\ncd\n".into(), 1);
    // Replace `b` (after the two units of the emoji) and insert on the next line.
    doc.edit(
        Some(Range::new(Position::new(0, 3), Position::new(0, 4))),
        "B",
    );
    doc.edit(
        Some(Range::new(Position::new(1, 1), Position::new(1, 1))),
        "X",
    );
    assert_eq!(doc.text, "a😀B\ncXd\n");
    doc.edit(None, "whole");
    assert_eq!(doc.text, "whole");
}

#[test]
fn the_file_stem_comes_from_the_uri() {
    assert_eq!(
        file_stem(&uri("file:///home/me/order%20shipped.missive")).as_deref(),
        Some("order shipped")
    );
    assert_eq!(file_stem(&uri("untitled:Untitled-1")), None);
}

/// A server with one open document, under the default profile.
fn server_with(u: &Uri, text: &str) -> Server {
    let mut server = Server {
        profile: std::sync::Arc::new(Profile::default_profile()),
        profile_for: None,
        snippets: false,
        docs: HashMap::new(),
        dirty: HashSet::new(),
    };
    server
        .docs
        .insert(u.clone(), Document::new(u, text.into(), 1));
    server
}

#[test]
fn quick_fixes_replace_the_misspelled_name() {
    let text =
        "notification t\ncarousel {\n  element {\n    title: \"x\"\n    subtilte: \"y\"\n  }\n}\n";
    let u = uri("file:///tmp/t.missive");
    let mut server = server_with(&u, text);
    let params: CodeActionParams = serde_json::from_value(serde_json::json!({
        "textDocument": {"uri": u.as_str()},
        "range": {"start": {"line": 4, "character": 6}, "end": {"line": 4, "character": 6}},
        "context": {"diagnostics": []}
    }))
    .expect("params");
    let actions = server.code_actions(params).expect("actions");
    let [CodeActionOrCommand::CodeAction(a)] = actions.as_slice() else {
        panic!("{actions:?}");
    };
    assert_eq!(a.title, "Replace `subtilte` with `subtitle`");
    let edits = &a
        .edit
        .as_ref()
        .expect("edit")
        .changes
        .as_ref()
        .expect("changes")[&u];
    assert_eq!(
        edits[0].range,
        Range::new(Position::new(4, 4), Position::new(4, 12))
    );
    assert_eq!(edits[0].new_text, "subtitle");
}

/// The quick fixes are the diagnostics' fixes, with their titles: a safe one is preferred, an
/// unsafe one (a judgement) is offered but not preferred.
#[test]
fn quick_fixes_prefer_the_safe_ones() {
    let text = "notification shipped\ncarousel {\n  element {\n    title: 2026\n    subtitle: \"y\"\n  }\n}\n";
    let u = uri("file:///tmp/t.missive");
    let mut server = server_with(&u, text);
    let params: CodeActionParams = serde_json::from_value(serde_json::json!({
        "textDocument": {"uri": u.as_str()},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 7, "character": 0}},
        "context": {"diagnostics": []}
    }))
    .expect("params");
    let actions = server.code_actions(params).expect("actions");
    let offered: Vec<(String, Option<bool>)> = actions
        .iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => (a.title.clone(), a.is_preferred),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        offered,
        [
            // M4002: the file is `t.missive`; which name is wrong is a judgement.
            ("Rename the notification to `t`".to_string(), Some(false)),
            ("Replace `2026` with `\"2026\"`".to_string(), Some(true)),
        ]
    );
}

#[test]
fn formatting_edits_replace_only_the_lines_that_change() {
    let text = "notification x\n\ninput {   name: string max 20 }\ntext   \"Hi {{ name }}\"\n";
    let index = LineIndex::new(text);
    let edits = formatting_edits(text, &index)
        .expect("formats")
        .expect("edits");
    let [edit] = edits.as_slice() else {
        panic!("{edits:?}");
    };
    assert_eq!(edit.range.start, Position::new(2, 0));
    assert_eq!(edit.range.end, Position::new(4, 0));
    let formatted = crate::fmt::format(text).expect("formats");
    let mut applied = text.to_string();
    applied.replace_range(index.span(text, edit.range).range(), &edit.new_text);
    assert_eq!(applied, formatted);

    // Already formatted: no edit. A syntax error: refused, with the error.
    let index = LineIndex::new(&formatted);
    assert_eq!(formatting_edits(&formatted, &index), Ok(Some(vec![])));
    let broken = "notification x\ntext \"Hi\n";
    let err = formatting_edits(broken, &LineIndex::new(broken)).expect_err("refused");
    assert!(err.starts_with("cannot format: "), "{err}");
    assert!(err.contains("at line 2"), "{err}");
}

#[test]
fn quick_fixes_add_a_missing_colon() {
    let text =
        "notification t\ncarousel {\n  element {\n    title \"x\"\n    subtitle = \"y\"\n  }\n}\n";
    let u = uri("file:///tmp/t.missive");
    let mut server = server_with(&u, text);
    let params: CodeActionParams = serde_json::from_value(serde_json::json!({
        "textDocument": {"uri": u.as_str()},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}},
        "context": {"diagnostics": []}
    }))
    .expect("params");
    let actions = server.code_actions(params).expect("actions");
    let mut fixed = text.to_string();
    let mut titles = Vec::new();
    let mut edits: Vec<TextEdit> = Vec::new();
    for a in &actions {
        let CodeActionOrCommand::CodeAction(a) = a else {
            panic!("{a:?}");
        };
        titles.push(a.title.clone());
        edits.extend(
            a.edit
                .as_ref()
                .expect("edit")
                .changes
                .as_ref()
                .expect("changes")[&u]
                .clone(),
        );
    }
    assert_eq!(titles, ["Insert `:`", "Replace ` =` with `:`"]);
    let index = LineIndex::new(text);
    for e in edits.iter().rev() {
        fixed.replace_range(index.span(text, e.range).range(), &e.new_text);
    }
    assert_eq!(
        fixed,
        "notification t\ncarousel {\n  element {\n    title: \"x\"\n    subtitle: \"y\"\n  }\n}\n"
    );
}

#[test]
fn diagnostics_follow_the_profile() {
    let text = "notification greet\ntext \"Hi\"\nimage \"https://example.com/a.png\"\n";
    let u = uri("file:///tmp/greet.missive");
    let codes = |profile: &str| -> Vec<String> {
        let mut doc = Document::new(&u, text.into(), 1);
        let profile = Profile::resolve(profile).expect("a profile");
        doc.diagnostics(&u, &profile)
            .into_iter()
            .filter_map(|d| match d.code {
                Some(NumberOrString::String(c)) => Some(c),
                _ => None,
            })
            .collect()
    };
    // Text beside an attachment: allowed by the iAdvize guide, refused by the Send API.
    assert!(!codes("iadvize").contains(&Code::TextWithAttachment.as_str().to_string()));
    assert!(codes("messenger").contains(&Code::TextWithAttachment.as_str().to_string()));
}

/// A folder with a template using a shared part of its `parts/`, opened in a server: go to
/// definition from the use to the part's file, completion of part and argument names, hover
/// with the part's inputs, and a change to the open part file re-checks the template.
#[test]
fn uses_of_shared_parts_lead_to_their_part_and_follow_its_edits() {
    let dir = std::env::temp_dir().join(format!("missive-lsp-parts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("parts")).expect("a folder");
    let part = "part order_link {\n  input { number: string max 8, page: url }\n  button web_url { title: \"Order {{ number }}\", url: page }\n}\n";
    std::fs::write(dir.join("parts/links.missive"), part).expect("written");
    let template = "notification help\ninput { order: { number: string max 8, page: url } }\nbuttons {\n  text: \"Need help?\"\n  use order_link { number: order.number, page: order.page }\n}\n";
    let file_uri = |p: &std::path::Path| uri(url::Url::from_file_path(p).expect("a path").as_str());
    let (t, p) = (
        file_uri(&dir.join("help.missive")),
        file_uri(&dir.join("parts/links.missive")),
    );
    let mut server = server_with(
        &uri("file:///elsewhere/none.missive"),
        "notification none\ntext \"x\"\n",
    );
    let open = |server: &mut Server, u: &Uri, text: &str| {
        server.notification(Notification::new(
            DidOpenTextDocument::METHOD.into(),
            serde_json::json!({"textDocument": {"uri": u.as_str(), "languageId": "missive", "version": 1, "text": text}}),
        ));
    };
    open(&mut server, &t, template);
    let published = server.publish();
    let diagnostics_of = |published: &[Notification], u: &Uri| -> Vec<String> {
        published
            .iter()
            .filter(|n| n.params["uri"] == u.as_str())
            .flat_map(|n| {
                n.params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|d| d["message"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(diagnostics_of(&published, &t), Vec::<String>::new());

    let position = |line: u32, character: u32| serde_json::json!({"textDocument": {"uri": t.as_str()}, "position": {"line": line, "character": character}});
    let definition = server
        .definition(serde_json::from_value(position(4, 8)).expect("params"))
        .expect("a definition");
    let GotoDefinitionResponse::Scalar(location) = definition else {
        panic!("{definition:?}");
    };
    assert_eq!(location.uri, p);
    assert_eq!(
        location.range,
        Range::new(Position::new(0, 5), Position::new(0, 15))
    );

    let hover = server
        .hover(serde_json::from_value(position(4, 8)).expect("params"))
        .expect("a hover");
    let HoverContents::Markup(m) = hover.contents else {
        panic!("{hover:?}");
    };
    assert!(m.value.contains("`number: string max 8`"), "{}", m.value);

    // Completion: the part's name after `use `, its arguments inside the braces.
    let edited = template.replace(
        "use order_link { number: order.number, page: order.page }",
        "use ",
    );
    server.docs.get_mut(&t).expect("open").edit(None, &edited);
    let labels = |server: &mut Server, line: u32, character: u32| -> Vec<String> {
        let params = serde_json::from_value(position(line, character)).expect("params");
        match server.completion(params) {
            Some(CompletionResponse::Array(items)) => items.into_iter().map(|i| i.label).collect(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(labels(&mut server, 4, 6), ["order_link"]);
    let edited = template.replace(
        "{ number: order.number, page: order.page }",
        "{ number: order.number,  }",
    );
    server.docs.get_mut(&t).expect("open").edit(None, &edited);
    assert_eq!(labels(&mut server, 4, 41), ["page"]);
    server.docs.get_mut(&t).expect("open").edit(None, template);

    // The part file, opened and edited: the template is checked again with the new text.
    open(&mut server, &p, part);
    server.publish();
    server.notification(Notification::new(
        DidChangeTextDocument::METHOD.into(),
        serde_json::json!({
            "textDocument": {"uri": p.as_str(), "version": 2},
            "contentChanges": [{"text": part.replace("\"Order {{ number }}\"", "\"Your order number {{ number }}\"")}]
        }),
    ));
    let published = server.publish();
    let messages = diagnostics_of(&published, &t);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`title` may reach 26 characters")),
        "{messages:?}"
    );
    // Published for the template, at its `use` (line 5), with the title in the part file as
    // related information.
    let d = published
        .iter()
        .filter(|n| n.params["uri"] == t.as_str())
        .flat_map(|n| {
            n.params["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|d| d["code"] == crate::diagnostic::Code::TooLong.as_str())
        .expect("the worst case");
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 4, "character": 2}),
        "{d}"
    );
    let related = d["relatedInformation"].as_array().expect("related");
    let in_part = related
        .iter()
        .find(|r| r["location"]["uri"] == p.as_str())
        .unwrap_or_else(|| panic!("{d}"));
    assert_eq!(
        in_part["location"]["range"]["start"],
        serde_json::json!({"line": 2, "character": 26}),
        "{d}"
    );
    assert!(
        in_part["message"]
            .as_str()
            .is_some_and(|m| m.contains("up to 26 characters")),
        "{d}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn past_an_unclosed_brace_the_editor_gets_only_its_error_and_its_brace() {
    // `input {` lost its `}`: the `text` and `carousel` lines after it would read as
    // declarations lacking their `:`; the editor sees M0002 alone, and its `}` as the only fix.
    let text = "notification t\ninput {\n  name: string max 20\n\ntext \"Hi {{ name }}\"\n\ncarousel {\n  element {\n    title: name\n  }\n}\n";
    let u = uri("file:///tmp/t.missive");
    let mut doc = Document::new(&u, text.into(), 1);
    let diags = doc.diagnostics(&u, &Profile::default_profile());
    let codes: Vec<_> = diags.iter().map(|d| d.code.clone()).collect();
    assert_eq!(
        codes,
        [Some(NumberOrString::String(
            Code::UnclosedDelimiter.as_str().into()
        ))],
        "{diags:?}"
    );
    let mut server = server_with(&u, text);
    let params: CodeActionParams = serde_json::from_value(serde_json::json!({
        "textDocument": {"uri": u.as_str()},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 11, "character": 0}},
        "context": {"diagnostics": []}
    }))
    .expect("params");
    let actions = server.code_actions(params).expect("actions");
    let titles: Vec<String> = actions
        .iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a.title.clone(),
            CodeActionOrCommand::Command(c) => c.title.clone(),
        })
        .collect();
    assert_eq!(titles.len(), 1, "{titles:?}");
    assert!(titles[0].starts_with("Insert `}`"), "{titles:?}");
}
