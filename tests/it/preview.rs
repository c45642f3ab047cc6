//! `missive preview`: one self-contained HTML page per message, escaped, with its diagnostics;
//! images inlined only when asked; `--serve` reloading on change; and, in Debian's headless
//! Chromium (driven by playwright-core, pinned in tests/browser/), the DOM of every bundled
//! template's preview, no network request, valid HTML (html-validate) and screenshots in
//! `target/previews/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::http::{Reply, Server};
use crate::common::{missive, npm, repo, temp_dir, tools, BUNDLED};

/// Runs `missive preview ARGS`: stdout, stderr, exit code.
fn preview(args: &[&str]) -> (String, String, i32) {
    let out = missive().arg("preview").args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn bundled(name: &str) -> (String, String) {
    (
        format!("templates/{name}.missive"),
        format!("examples/{name}.json"),
    )
}

/// A PNG's first bytes: enough for its size to be read.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut b = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

/// Asserts that a page loads nothing: no script, stylesheet, frame or image from elsewhere.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    for needle in [
        "<script",
        "<link",
        "<iframe",
        "src=\"http",
        "src='http",
        "url(",
        "@import",
    ] {
        assert!(!html.contains(needle), "the page has `{needle}`:\n{html}");
    }
}

#[test]
fn every_bundled_template_previews_as_one_self_contained_page() {
    for name in BUNDLED {
        let (template, data) = bundled(name);
        let (html, stderr, code) = preview(&[&template, "--data", &data]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_self_contained(&html);
        assert!(html.contains("class=\"phone\""), "{name}");
    }
}

#[test]
fn the_cooktoys_receipt_shows_its_items_payment_address_and_total_in_euros() {
    let (template, data) = bundled("order_confirmation");
    let (html, _, code) = preview(&[&template, "--data", &data]);
    assert_eq!(code, 0);
    assert_eq!(html.matches("class=\"receipt-item\"").count(), 2);
    for shown in [
        "Super Hand Mixer 2000",
        "Gift card",
        "Visa 5469",
        "2 ter Quai François Mitterrand",
        "Nantes, Pays de la Loire 44200",
        "€149.00",
        "€124.17",
        "Hi Lisa! Thanks a lot for your order on Cooktoys.",
    ] {
        assert!(html.contains(shown), "no `{shown}` in:\n{html}");
    }
}

#[test]
fn output_goes_to_the_file_named_by_o_and_nothing_to_stdout() {
    let dir = temp_dir("preview-o");
    let out = dir.join("oc.html");
    let (template, data) = bundled("order_confirmation");
    let (stdout, _, code) = preview(&[&template, "--data", &data, "-o", &out.to_string_lossy()]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "");
    assert!(std::fs::read_to_string(&out).unwrap().contains("Visa 5469"));
}

/// A notification whose text and card come from data, so that hostile data reaches every
/// kind of field.
const ECHO: &str = r#"notification echo
input { name: string max 200, items: list max 10 of { title: string max 80 } }
text "Hello {{ name }}"
carousel {
  for item in items {
    element {
      title: item.title
      subtitle: "For {{ name | truncate(length=40, leeway=0) }}"
      button postback { title: "Pick", payload: "pick" }
    }
  }
}
"#;

fn echo(dir: &Path, data: &serde_json::Value) -> (PathBuf, PathBuf) {
    let template = dir.join("echo.missive");
    std::fs::write(&template, ECHO).unwrap();
    let data_file = dir.join("echo.json");
    std::fs::write(&data_file, data.to_string()).unwrap();
    (template, data_file)
}

#[test]
fn hostile_data_is_shown_as_text_never_as_markup() {
    let dir = temp_dir("preview-hostile");
    let evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'&";
    let (template, data) = echo(
        &dir,
        &serde_json::json!({"name": evil, "items": [{"title": evil}]}),
    );
    let (html, stderr, code) = preview(&[
        &template.to_string_lossy(),
        "--data",
        &data.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_self_contained(&html);
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(!html.contains("onerror=alert(2)>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x"),
        "{html}"
    );
}

#[test]
fn a_data_error_is_listed_in_the_panel_with_its_code_and_exits_1() {
    let dir = temp_dir("preview-seeded");
    let (template, data) = echo(&dir, &serde_json::json!({"items": []}));
    let (html, stderr, code) = preview(&[
        &template.to_string_lossy(),
        "--data",
        &data.to_string_lossy(),
        "--format",
        "short",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let seeded = stderr
        .lines()
        .find_map(|l| l.split("error[").nth(1)?.split(']').next())
        .unwrap_or_else(|| panic!("no error on stderr: {stderr}"))
        .to_string();
    assert!(
        html.contains(&format!("data-code=\"{seeded}\"")),
        "{seeded} not in the panel:\n{html}"
    );
    assert!(html.contains("1 error"), "{html}");
}

#[test]
fn a_title_past_two_lines_is_marked_with_its_full_value_in_the_legend() {
    let dir = temp_dir("preview-cut");
    let long = "An extremely long product name that Messenger cannot show on two lines of a card";
    let (template, data) = echo(
        &dir,
        &serde_json::json!({"name": "Lisa", "items": [{"title": long}, {"title": "Short"}]}),
    );
    let (html, _, code) = preview(&[
        &template.to_string_lossy(),
        "--data",
        &data.to_string_lossy(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(html.matches("class=\"cut-mark\"").count(), 1, "{html}");
    assert!(
        html.contains(
            "<li id=\"cut-1\"><code>attachment.payload.elements[0].title</code>: shown on 2 lines"
        ),
        "{html}"
    );
    assert!(html.contains("card-title clamp-2 cut"), "{html}");
}

/// A message of each kind the bundled templates do not show, with what its page must hold.
const KINDS: &[(&str, &str, &[&str])] = &[
    (
        "quick_replies",
        "notification quick_replies\ntext \"Pick one\"\nquick_replies {\n  quick_reply text { title: \"Yes\", payload: \"YES\", image_url: \"https://x.example/yes.png\" }\n  quick_reply user_email {}\n}\n",
        &["<div class=\"quick-replies\">", "</span>Yes</span>", "<span class=\"chip\">✉ Email</span>"],
    ),
    (
        "media",
        "notification media\nmedia {\n  element {\n    media_type: \"video\"\n    url: \"https://www.facebook.com/cooktoys/videos/1234567890/\"\n    button web_url { title: \"Shop\", url: \"https://x.example/shop\" }\n  }\n}\n",
        &["<div class=\"card media-template\">", "placeholder r-169 video", ">Shop</div>"],
    ),
    (
        "file",
        "notification file\nfile { url: \"https://x.example/docs/invoice.pdf\", is_reusable: true }\n",
        &["media-card file", "<span class=\"media-source\">invoice.pdf</span>"],
    ),
    (
        "video",
        "notification video\nvideo { attachment_id: \"1857777774821032\" }\n",
        &["media-card video", "attachment 1857777774821032"],
    ),
];

/// Writes each of [`KINDS`] into `dir`: (name, template path, what its page must hold).
fn kinds(dir: &Path) -> Vec<(&'static str, PathBuf, &'static [&'static str])> {
    KINDS
        .iter()
        .map(|(name, source, shown)| {
            let path = dir.join(format!("{name}.missive"));
            std::fs::write(&path, source).unwrap();
            (*name, path, *shown)
        })
        .collect()
}

#[test]
fn quick_replies_media_files_and_videos_are_drawn() {
    let dir = temp_dir("preview-kinds");
    for (name, template, shown) in kinds(&dir) {
        let (html, stderr, code) = preview(&[&template.to_string_lossy()]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_self_contained(&html);
        for s in shown {
            assert!(html.contains(s), "{name}: no `{s}` in\n{html}");
        }
    }
}

fn images_template(dir: &Path, url: &str) -> PathBuf {
    let template = dir.join("images.missive");
    std::fs::write(
        &template,
        format!("notification images\ncarousel {{\n  element {{\n    title: \"Product\"\n    subtitle: \"New\"\n    image_url: \"{url}\"\n  }}\n}}\n"),
    )
    .unwrap();
    template
}

#[test]
fn images_are_placeholders_unless_a_folder_is_given() {
    let dir = temp_dir("preview-images");
    std::fs::create_dir_all(dir.join("img")).unwrap();
    std::fs::write(dir.join("img/a.png"), png(191, 100)).unwrap();
    let template = images_template(&dir, "https://shop.example/img/a.png");
    let template = template.to_string_lossy();
    let (html, _, code) = preview(&[&template]);
    assert_eq!(code, 0);
    assert!(
        html.contains("placeholder\" title=\"https://shop.example/img/a.png\""),
        "{html}"
    );
    assert!(!html.contains("data:image"), "{html}");
    let (html, _, code) = preview(&[&template, "--images", &dir.to_string_lossy()]);
    assert_eq!(code, 0);
    assert!(
        html.contains("src=\"data:image/png;base64,iVBORw0KGgo"),
        "{html}"
    );
    assert!(html.contains("width=\"191\" height=\"100\""), "{html}");
}

#[test]
fn fetch_images_inlines_them_and_nothing_is_fetched_without_it() {
    let server = Server::start(|_, request| match request.target.as_str() {
        "/a.png" => Reply::Http(200, &[], png(100, 100)),
        _ => Reply::Http(404, &[], b"not found".to_vec()),
    });
    let dir = temp_dir("preview-fetch");
    let template = images_template(&dir, &format!("{}/a.png", server.base));
    let template = template.to_string_lossy();
    let (html, _, code) = preview(&[&template]);
    assert_eq!(code, 0);
    assert!(!html.contains("data:image"));
    assert!(server.seen().is_empty(), "fetched without --fetch-images");
    let (html, stderr, code) = preview(&[&template, "--fetch-images"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(html.contains("src=\"data:image/png;base64,"), "{html}");
    assert_eq!(server.seen().len(), 1);
    assert_self_contained(&html);
}

/// One GET on the serving preview: the body, or `None` when it does not answer.
fn get(port: u16, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out.split_once("\r\n\r\n")?.1.to_string())
}

/// Kills the serving child when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_draws_again_when_the_template_changes() {
    let dir = temp_dir("preview-serve");
    let template = dir.join("hello.missive");
    std::fs::write(&template, "notification hello\ntext \"Hello first\"\n").unwrap();
    let mut child = Child(
        Command::new(assert_cmd::cargo::cargo_bin("missive"))
            .args(["preview", "--serve", "--port", "0"])
            .arg(&template)
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let port: u16 = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("http://127.0.0.1:")
                .nth(1)?
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()
        })
        .expect("the address on stderr");
    // Keep reading stderr so that the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    assert_eq!(get(port, "/version").as_deref(), Some("1"));
    let page = get(port, "/").unwrap();
    assert!(page.contains("Hello first"), "{page}");
    assert!(page.contains("<script>"), "serve mode reloads: {page}");
    assert_eq!(get(port, "/nothing").as_deref(), Some("not found\n"));

    std::fs::write(&template, "notification hello\ntext \"Hello second\"\n").unwrap();
    // The watcher's debounce is 150 ms; wait for the new version, up to a generous bound.
    let mut changed = false;
    for _ in 0..200 {
        if get(port, "/version").is_some_and(|v| v != "1") {
            changed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(changed, "the version never changed");
    let page = get(port, "/").unwrap();
    assert!(page.contains("Hello second"), "{page}");
    drop(child);
}

/// What `tests/browser/preview.mjs` reports about one page.
#[derive(serde::Deserialize, Debug)]
struct Seen {
    name: String,
    url: String,
    requests: Vec<String>,
    dom: serde_json::Value,
    valid: bool,
    messages: Vec<String>,
}

/// Chromium, as Debian installs it (`chromium`), or `None`: the test skips.
fn chromium() -> Option<PathBuf> {
    tools::require(
        "chromium",
        "the browser tests open the previews in headless Chromium",
    )
}

#[test]
fn in_chromium_every_preview_draws_makes_no_request_and_is_valid_html() {
    let Some(chromium) = chromium() else { return };
    let Some((node, dir)) = npm::node_with_in("tests/browser", "playwright-core") else {
        return;
    };
    let pages = temp_dir("preview-browser");
    let mut list = Vec::new();
    for name in BUNDLED {
        let (template, data) = bundled(name);
        let file = pages.join(format!("{name}.html"));
        let (_, stderr, code) =
            preview(&[&template, "--data", &data, "-o", &file.to_string_lossy()]);
        assert_eq!(code, 0, "{stderr}");
        list.push(serde_json::json!({"name": name, "file": file}));
    }
    // Ten cards, the first with a title over two lines; and a seeded data error.
    let long = "An extremely long product name that Messenger cannot show on two lines of a card";
    let items: Vec<_> = (0..10)
        .map(|i| serde_json::json!({"title": if i == 0 { long.to_string() } else { format!("Card {i}") }}))
        .collect();
    let work = temp_dir("preview-browser-src");
    let (template, data) = echo(&work, &serde_json::json!({"name": "Lisa", "items": items}));
    let file = pages.join("ten_cards.html");
    let (_, _, code) = preview(&[
        &template.to_string_lossy(),
        "--data",
        &data.to_string_lossy(),
        "-o",
        &file.to_string_lossy(),
    ]);
    assert_eq!(code, 0);
    list.push(serde_json::json!({"name": "ten_cards", "file": file}));
    std::fs::write(&data, r#"{"items": [{"title": 42}]}"#).unwrap();
    let file = pages.join("seeded_error.html");
    let (_, _, code) = preview(&[
        &template.to_string_lossy(),
        "--data",
        &data.to_string_lossy(),
        "-o",
        &file.to_string_lossy(),
    ]);
    assert_eq!(code, 1);
    list.push(serde_json::json!({"name": "seeded_error", "file": file}));

    for (name, template, _) in kinds(&work) {
        let file = pages.join(format!("{name}.html"));
        let (_, stderr, code) =
            preview(&[&template.to_string_lossy(), "-o", &file.to_string_lossy()]);
        assert_eq!(code, 0, "{stderr}");
        list.push(serde_json::json!({"name": name, "file": file}));
    }
    // The gallery and a preview page of `missive build`.
    let built = temp_dir("preview-browser-build");
    let out = missive()
        .args(["build", "--out-dir"])
        .arg(&built)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    list.push(serde_json::json!({"name": "build_index", "file": built.join("index.html")}));
    list.push(
        serde_json::json!({"name": "build_receipt", "file": built.join("receipt.preview.html")}),
    );

    // Screenshots are kept for review (target/ is ignored by git).
    let screenshots = repo("target/previews");
    std::fs::create_dir_all(&screenshots).unwrap();
    let config = pages.join("config.json");
    std::fs::write(
        &config,
        serde_json::json!({
            "chromium": chromium,
            "userDataDir": temp_dir("chromium-profile"),
            "screenshots": screenshots,
            "pages": list,
        })
        .to_string(),
    )
    .unwrap();
    let out = Command::new(node)
        .arg(dir.join("preview.mjs"))
        .arg(&config)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the browser script failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Vec<Seen> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen.len(), BUNDLED.len() + KINDS.len() + 4);
    for page in &seen {
        assert_eq!(
            page.requests,
            std::slice::from_ref(&page.url),
            "{}: a request besides the page itself",
            page.name
        );
        assert!(
            page.valid,
            "{}: invalid HTML: {:#?}",
            page.name, page.messages
        );
        assert_eq!(page.dom["scripts"], 0, "{}", page.name);
        assert!(
            screenshots.join(format!("{}.png", page.name)).is_file(),
            "no screenshot of {}",
            page.name
        );
    }
    let by_name = |n: &str| seen.iter().find(|p| p.name == n).unwrap();

    let receipt = &by_name("order_confirmation").dom["receipt"];
    assert_eq!(
        receipt["items"],
        serde_json::json!(["Super Hand Mixer 2000", "Gift card"])
    );
    assert_eq!(receipt["paidWith"], "Visa 5469");
    let ship_to = receipt["shipTo"].as_str().unwrap();
    assert!(
        ship_to.contains("2 ter Quai François Mitterrand")
            && ship_to.contains("Nantes")
            && ship_to.contains("44200"),
        "{ship_to}"
    );
    assert_eq!(receipt["total"], "€149.00");

    let ten = &by_name("ten_cards").dom;
    let carousel = &ten["carousels"][0];
    assert_eq!(carousel["cards"], 10);
    assert!(
        carousel["scrollWidth"].as_u64() > carousel["clientWidth"].as_u64(),
        "ten cards do not scroll: {carousel}"
    );
    let title = ten["clamped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == long)
        .expect("the long title");
    assert_eq!(title["lineClamp"], "2");
    assert!(
        title["scrollHeight"].as_u64() > title["clientHeight"].as_u64(),
        "the long title is not clamped: {title}"
    );
    assert_eq!(title["cut"], true);

    let codes = &by_name("seeded_error").dom["diagnostics"];
    assert!(
        codes.as_array().is_some_and(|c| c
            .iter()
            .any(|c| c.as_str().is_some_and(|c| c.starts_with("M3")))),
        "the seeded data error is not in the panel: {codes}"
    );
}

#[test]
fn worst_case_draws_every_string_at_its_max_and_marks_what_messenger_cuts() {
    let (template, _) = bundled("order_confirmation");
    let (html, stderr, code) = preview(&[&template, "--worst-case"]);
    assert_eq!(code, 0, "{stderr}");
    assert_self_contained(&html);
    // `order.items` is `list max 100`: one hundred items, each title at its max of 80.
    assert_eq!(html.matches("class=\"receipt-item\"").count(), 100);
    assert!(
        html.contains("<li id=\"cut-1\"><code>attachment.payload.elements[0].title</code>"),
        "{html}"
    );
    // Worst-case data or a data file, not both.
    let (_, _, code) = preview(&[
        &template,
        "--worst-case",
        "--data",
        "examples/order_confirmation.json",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn a_data_file_that_cannot_be_read_exits_2() {
    let (template, _) = bundled("order_confirmation");
    let (_, stderr, code) = preview(&[&template, "--data", "examples/no_such_file.json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no_such_file.json"), "{stderr}");
}

#[test]
fn a_title_over_its_limit_is_still_drawn_cut_with_its_diagnostics_in_the_legend() {
    // expect: M2001
    let dir = temp_dir("preview-over");
    let template = dir.join("bis.missive");
    std::fs::write(
        &template,
        r#"notification bis
input { product: { name: string max 60, url: url } }
carousel {
  element {
    title: "{{ product.name }} is back in stock, order now!"
    subtitle: "New"
    button web_url { title: "Buy now", url: product.url }
  }
}
"#,
    )
    .unwrap();
    let (html, stderr, code) = preview(&[&template.to_string_lossy(), "--worst-case"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!html.contains("class=\"not-rendered\""), "{html}");
    let legend = html
        .split("<li id=\"cut-1\">")
        .nth(1)
        .expect("a cut legend")
        .split("</li></ul></li>")
        .next()
        .unwrap();
    assert!(
        legend.contains("is back in stock, order now!</q>"),
        "{legend}"
    );
    assert!(
        legend
            .contains("<li>error[M2001]: rendered `title` is 89 characters long, the limit is 80"),
        "{legend}"
    );
}

#[test]
fn serve_without_a_readable_template_exits_2_at_once() {
    let (_, stderr, code) = preview(&["--serve", "no_such_template.missive", "--port", "0"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no_such_template.missive"), "{stderr}");
}

#[test]
fn in_worst_case_each_cut_card_lists_only_its_own_diagnostics() {
    // expect: M2001
    let dir = temp_dir("preview-own-diagnostics");
    let template = dir.join("bis.missive");
    std::fs::write(
        &template,
        r#"notification bis
input { products: list max 10 of { name: string max 80, url: url } }
carousel {
  for product in products {
    element {
      title: "{{ product.name }} is back in stock, order now!"
      button web_url { title: "Buy now", url: product.url }
    }
  }
}
"#,
    )
    .unwrap();
    let (html, stderr, code) = preview(&[&template.to_string_lossy(), "--worst-case"]);
    assert_eq!(code, 1, "{stderr}");
    let legend = html
        .split("<h2>Cut by Messenger</h2>")
        .nth(1)
        .expect("a cut legend");
    for n in 0..10 {
        let card = legend
            .split(&format!(
                "<code>attachment.payload.elements[{n}].title</code>"
            ))
            .nth(1)
            .unwrap_or_else(|| panic!("no cut for element {n}: {legend}"))
            .split("</li></ul></li>")
            .next()
            .unwrap();
        let own = format!("(from `products[{n}].name`)");
        assert!(card.contains(&own), "element {n}: {card}");
        assert_eq!(
            card.matches("error[M2001]: rendered").count(),
            1,
            "element {n} lists other elements' errors: {card}"
        );
    }
}

#[test]
fn a_missing_image_is_reported_at_its_field_with_the_file_looked_for() {
    // expect: M4011
    let dir = temp_dir("preview-missing-image");
    let template = images_template(&dir, "https://shop.example/img/missing.png");
    let folder = dir.join("imgs");
    std::fs::create_dir_all(&folder).unwrap();
    let (html, stderr, code) = preview(&[
        &template.to_string_lossy(),
        "--images",
        &folder.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(html.contains("placeholder"), "{html}");
    assert!(stderr.contains("warning[M4011]"), "{stderr}");
    // At the `image_url` line (6), as `check --check-images` points it, not the header.
    assert!(stderr.contains("images.missive:6:16]"), "{stderr}");
    let looked_for = folder.join("img").join("missing.png");
    assert!(
        stderr.contains(&format!(
            "help: put the image at `{}`",
            looked_for.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("give a local copy"), "{stderr}");
}

#[test]
fn without_data_a_template_with_required_inputs_is_a_usage_error() {
    // expect: M9002
    let (template, _) = bundled("order_confirmation");
    let (stdout, stderr, code) = preview(&[&template]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "", "no page is written");
    assert!(stderr.contains("error[M9002]"), "{stderr}");
    assert!(
        stderr.contains("pass `--data FILE` or `--worst-case`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("`missive sample {template}`")),
        "{stderr}"
    );
    // A template without required inputs is drawn without data.
    let dir = temp_dir("preview-no-inputs");
    let plain = images_template(&dir, "https://shop.example/img/a.png");
    let (html, stderr, code) = preview(&[&plain.to_string_lossy()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(html.contains("class=\"phone\""), "{html}");
}

#[test]
fn preview_o_says_on_stderr_which_file_it_wrote() {
    let dir = temp_dir("preview-wrote");
    let out = dir.join("oc.html");
    let (template, data) = bundled("order_confirmation");
    let out_arg = out.to_string_lossy();
    let (_, stderr, code) = preview(&[&template, "--data", &data, "-o", &out_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, format!("wrote {out_arg}\n"));
    let (_, stderr, code) = preview(&[
        &template, "--data", &data, "-o", &out_arg, "--format", "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("wrote"), "{stderr}");
}

/// An image that a shared part gives (a literal URL in the part's element) and that cannot be
/// read is reported in the part's file, with the `use` labelled, as every other diagnostic of a
/// part's items (it stood at the template's last line).
#[test]
fn a_missing_image_given_by_a_part_is_reported_in_the_part_file() {
    let dir = temp_dir("preview-part-image");
    std::fs::create_dir_all(dir.join("parts")).unwrap();
    std::fs::create_dir_all(dir.join("imgs")).unwrap();
    std::fs::write(
        dir.join("parts/card.missive"),
        "part card {\n  input { name: string max 40 }\n  element {\n    title: name\n    image_url: \"https://shop.example/img/logo.png\"\n  }\n}\n",
    )
    .unwrap();
    let template = dir.join("promo.missive");
    std::fs::write(
        &template,
        "notification promo\n\ninput {\n  product: { name: string max 40 }\n}\n\ncarousel {\n  use card { name: product.name }\n}\n",
    )
    .unwrap();
    let data = dir.join("promo.json");
    std::fs::write(&data, r#"{"product": {"name": "Whisk"}}"#).unwrap();
    let (_, stderr, code) = preview(&[
        &template.to_string_lossy(),
        "--data",
        &data.to_string_lossy(),
        "--images",
        &dir.join("imgs").to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning[M4011]"), "{stderr}");
    assert!(stderr.contains("card.missive:5:16]"), "{stderr}");
    assert!(
        stderr.contains("the part `card` is brought in here"),
        "{stderr}"
    );
}
