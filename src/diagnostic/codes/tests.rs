//! The codes module's discipline, over the source text (as `layering_tests` does for `use`
//! lines): every page in `docs/codes/` has exactly one constructor and every constructor a page,
//! named and filed for its code; no code is written as a string literal outside this module; and
//! no diagnostic is made except through a constructor.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Code;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(directory, its .rs files)` under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn codes_dir() -> PathBuf {
    root().join("src/diagnostic/codes")
}

/// Whether `s` starts with a code: `M` and four digits.
fn starts_with_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 5 && b[0] == b'M' && b[1..5].iter().all(u8::is_ascii_digit)
}

/// `RenderFailed` -> `render_failed`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The family file a code's constructor belongs in, by its first digit.
fn family_file(code: &str) -> &'static str {
    match &code[1..2] {
        "0" => "syntax.rs",
        "1" => "names.rs",
        "2" => "limits.rs",
        "3" => "data.rs",
        "4" => "lints.rs",
        "5" => "delivery.rs",
        "6" => "import.rs",
        "7" => "build.rs",
        _ => "usage.rs",
    }
}

/// One constructor as written: the file, the function's name, the page its documentation
/// includes, and the `Code` it makes.
#[derive(Debug)]
struct Constructor {
    file: String,
    name: String,
    page: String,
    makes: String,
}

/// Every `pub fn` in the family files, with the page included just above it and the `Code::`
/// variant in its body.
fn constructors() -> Vec<Constructor> {
    let mut out = Vec::new();
    for path in rust_files(&codes_dir()) {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if file == "mod.rs" || file == "tests.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut page = String::new();
        let mut current: Option<Constructor> = None;
        for line in text.lines() {
            if let Some(at) = line.find("/docs/codes/") {
                let rest = &line[at + "/docs/codes/".len()..];
                page = rest[..rest.find('"').unwrap()].to_string();
            } else if let Some(rest) = line.strip_prefix("pub fn ") {
                out.extend(current.take());
                current = Some(Constructor {
                    file: file.clone(),
                    name: rest[..rest.find('(').unwrap()].to_string(),
                    page: std::mem::take(&mut page),
                    makes: String::new(),
                });
            } else if let (Some(c), Some(at)) = (current.as_mut(), line.find("Code::")) {
                let rest = &line[at + "Code::".len()..];
                let end = rest
                    .find(|ch: char| !ch.is_ascii_alphanumeric())
                    .unwrap_or(rest.len());
                c.makes = rest[..end].to_string();
            }
        }
        out.extend(current);
    }
    out
}

#[test]
fn every_page_has_exactly_one_constructor_and_every_constructor_a_page() {
    let pages: Vec<String> = std::fs::read_dir(root().join("docs/codes"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| starts_with_code(n) && n.ends_with(".md"))
        .map(|n| n.trim_end_matches(".md").to_string())
        .collect();
    let constructors = constructors();
    let mut by_code: BTreeMap<String, Vec<&Constructor>> = BTreeMap::new();
    let mut problems = Vec::new();
    for c in &constructors {
        let code = c.name.get(..5).unwrap_or("").to_ascii_uppercase();
        if !starts_with_code(&code) || c.name.as_bytes().get(5) != Some(&b'_') {
            problems.push(format!(
                "`{}` ({}) is not named `m` + a code + `_` + a name",
                c.name, c.file
            ));
            continue;
        }
        let Some(variant) = Code::parse(&code) else {
            problems.push(format!("`{}` names {code}, which is not a code", c.name));
            continue;
        };
        let expected = format!(
            "{}_{}",
            code.to_ascii_lowercase(),
            snake(&format!("{variant:?}"))
        );
        if c.name != expected {
            problems.push(format!("`{}` should be called `{expected}`", c.name));
        }
        if c.page != format!("{code}.md") {
            problems.push(format!(
                "`{}` is documented by `{}`, not by its page `{code}.md`",
                c.name, c.page
            ));
        }
        if c.makes != format!("{variant:?}") {
            problems.push(format!(
                "`{}` makes `Code::{}`, not `Code::{variant:?}`",
                c.name, c.makes
            ));
        }
        if c.file != family_file(&code) {
            problems.push(format!(
                "`{}` is in {}, not in its family's {}",
                c.name,
                c.file,
                family_file(&code)
            ));
        }
        by_code.entry(code).or_default().push(c);
    }
    for page in &pages {
        match by_code.get(page).map_or(0, Vec::len) {
            1 => {}
            0 => problems.push(format!("docs/codes/{page}.md has no constructor")),
            n => problems.push(format!("docs/codes/{page}.md has {n} constructors")),
        }
    }
    for code in by_code.keys() {
        if !pages.contains(code) {
            problems.push(format!("{code} has a constructor and no page"));
        }
    }
    for code in Code::ALL {
        if !by_code.contains_key(code.as_str()) {
            problems.push(format!("`Code::{code:?}` has no constructor"));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
    assert_eq!(constructors.len(), Code::ALL.len());
}

/// Every `.rs` file under `src/`, except this module's.
fn files_outside_the_codes_module() -> Vec<PathBuf> {
    rust_files(&root().join("src"))
        .into_iter()
        .filter(|p| !p.starts_with(codes_dir()))
        .collect()
}

#[test]
fn no_code_is_written_as_a_literal_outside_the_codes_module() {
    let mut problems = Vec::new();
    for path in files_outside_the_codes_module() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let quoted = line
                .match_indices('"')
                .any(|(at, _)| starts_with_code(&line[at + 1..]));
            if quoted {
                problems.push(format!(
                    "{}:{}: a code as a string literal: use its constructor (`codes::m2001_...`) or `Code::...`",
                    path.strip_prefix(root()).unwrap().display(),
                    n + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn diagnostics_are_made_only_by_the_constructors() {
    let mut problems = Vec::new();
    let definitions = root().join("src/diagnostic/mod.rs");
    for path in files_outside_the_codes_module() {
        if path == definitions {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains("Diagnostic::error(") || line.contains("Diagnostic::warning(") {
                problems.push(format!(
                    "{}:{}: a diagnostic made inline: call its code's constructor in `diagnostic::codes`",
                    path.strip_prefix(root()).unwrap().display(),
                    n + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_scanners_see_what_they_look_for() {
    assert!(starts_with_code("M2001\""));
    assert!(!starts_with_code("M20"));
    assert!(!starts_with_code("MAX01"));
    assert_eq!(snake("RenderFailed"), "render_failed");
    assert_eq!(snake("Io"), "io");
    let found = constructors();
    let m2001 = found.iter().find(|c| c.name == "m2001_too_long").unwrap();
    assert_eq!(
        (m2001.page.as_str(), m2001.makes.as_str()),
        ("M2001.md", "TooLong")
    );
    assert_eq!(m2001.file, "limits.rs");
}
