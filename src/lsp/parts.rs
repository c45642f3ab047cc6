//! The language server and shared parts: the catalogue a document is checked with (the
//! `parts/` folder beside it, open part files as the editor has them), and, on `use NAME`,
//! go to definition, hover with the part's inputs, and completion of part names after `use `
//! and of argument names inside `use NAME { }`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::parts::{is_part_path, Catalogue, Part};
use crate::span::{SourceFile, Span};

use super::analysis::{Completion, CompletionKind};

/// The folder whose part files a document at `path` is checked with: `parts/` beside a
/// template, a part file's own folder.
pub fn folder(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new(""));
    if is_part_path(&path.to_string_lossy()) {
        dir.to_path_buf()
    } else {
        dir.join("parts")
    }
}

/// The parts of `folder`: its `.missive` files as on disk, except the open ones, as the
/// editor has them (`open`: path and text of each open document).
pub fn catalogue<'a>(folder: &Path, open: impl Iterator<Item = (&'a Path, &'a str)>) -> Catalogue {
    let mut files: Vec<(PathBuf, Option<String>)> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "missive"))
        .map(|p| (p, None))
        .collect();
    for (path, text) in open {
        if path.parent() != Some(folder) || !is_part_path(&path.to_string_lossy()) {
            continue;
        }
        match files.iter_mut().find(|(p, _)| p == path) {
            Some(f) => f.1 = Some(text.to_string()),
            None => files.push((path.to_path_buf(), Some(text.to_string()))),
        }
    }
    files.sort();
    Catalogue::from_sources(files.into_iter().filter_map(|(path, text)| {
        let text = match text {
            Some(t) => t,
            None => std::fs::read_to_string(&path).ok()?,
        };
        Some(Arc::new(SourceFile::new(path.to_string_lossy(), text)))
    }))
}

/// The part name of the `use NAME` on the line at `offset`, with its span, when `offset` is
/// on `use` or on the name.
pub fn use_at(text: &str, offset: usize) -> Option<(String, Span)> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..line_end];
    let indent = line.len() - line.trim_start().len();
    let rest = line[indent..].strip_prefix("use")?;
    let gap = rest.len() - rest.trim_start().len();
    if gap == 0 {
        return None;
    }
    let name_start = start + indent + 3 + gap;
    let name_len = text[name_start..line_end]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line_end - name_start);
    let span = Span::new(name_start, name_start + name_len);
    (name_len > 0 && offset >= start + indent && offset <= span.end as usize)
        .then(|| (text[span.range()].to_string(), span))
}

/// Hover on a use: the part, where it is defined, and its inputs.
pub fn hover(part: &Part) -> String {
    let mut text = format!(
        "**part `{}`**, defined in `{}`\n\n",
        part.name(),
        part.file().name
    );
    let inputs = part.signature();
    if inputs.is_empty() {
        text.push_str("No inputs: `use ");
        text.push_str(part.name());
        text.push('`');
    } else {
        text.push_str("Inputs (give them as `use ");
        text.push_str(part.name());
        text.push_str(" { name: value }`):\n");
        for i in inputs {
            text.push_str(&format!("- `{i}`\n"));
        }
    }
    text
}

/// Completions where a use is written: part names after `use `, argument names inside
/// `use NAME { }` (the ones not given yet). `None` elsewhere.
pub fn complete(text: &str, offset: usize, catalogue: &Catalogue) -> Option<Vec<Completion>> {
    let before = &text[..offset.min(text.len())];
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    if let Some(rest) = line.trim_start().strip_prefix("use") {
        let typed = rest.trim_start();
        if rest.len() > typed.len() && typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Some(
                catalogue
                    .parts()
                    .iter()
                    .map(|p| Completion {
                        label: p.name().to_string(),
                        kind: CompletionKind::Block,
                        detail: format!("part, in {}", p.file().name),
                        insert: p.name().to_string(),
                        snippet: None,
                    })
                    .collect(),
            );
        }
    }
    // Inside `use NAME { ... }`, where a name goes (not after its `:`).
    let open = open_brace(before)?;
    let inside = &before[open + 1..];
    let since = inside.rsplit([',', '\n']).next().unwrap_or("");
    if since.contains(':') {
        return None;
    }
    let head = before[..open].trim_end();
    let name_start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &head[name_start..];
    if !head[..name_start].trim_end().ends_with("use") {
        return None;
    }
    let part = catalogue.get(name)?;
    let given: Vec<&str> = inside
        .split([',', '\n'])
        .filter_map(|f| f.split_once(':').map(|(n, _)| n.trim()))
        .collect();
    Some(
        part.input()
            .fields
            .iter()
            .filter(|f| !given.contains(&f.name.as_str()))
            .map(|f| Completion {
                label: f.name.clone(),
                kind: CompletionKind::Field,
                detail: format!(
                    "input of `{}`{}: {}",
                    part.name(),
                    if f.optional { ", optional" } else { "" },
                    f.ty.describe()
                ),
                insert: format!("{}: ", f.name),
                snippet: Some(format!("{}: $0", f.name)),
            })
            .collect(),
    )
}

/// The `{` still open at the end of `before`, if any.
fn open_brace(before: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => return Some(i),
            '{' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Catalogue {
        Catalogue::from_sources([Arc::new(SourceFile::new(
            "parts/shop.missive",
            "part contact_us {\n  button phone_number { title: \"Contact us\", payload: \"+33123456789\" }\n}\n\npart order_link {\n  input { number: string max 20, page: url }\n  button web_url { title: \"Order {{ number }}\", url: page }\n}\n",
        ))])
    }

    #[test]
    fn a_use_is_found_on_its_keyword_and_name_only() {
        let text = "buttons {\n  use order_link { number: n }\n}\n";
        let at = text.find("order_link").unwrap();
        let found = use_at(text, at + 3).unwrap();
        assert_eq!(found.0, "order_link");
        assert_eq!(&text[found.1.range()], "order_link");
        assert!(use_at(text, text.find("use").unwrap()).is_some());
        assert!(use_at(text, text.find("number").unwrap()).is_none());
        assert!(use_at("  user x", 4).is_none());
    }

    #[test]
    fn part_names_complete_after_use_and_arguments_inside_its_braces() {
        let c = shop();
        let names = |text: &str| -> Vec<String> {
            complete(text, text.len(), &c)
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.label)
                .collect()
        };
        assert_eq!(names("buttons {\n  use "), ["contact_us", "order_link"]);
        assert_eq!(names("buttons {\n  use or"), ["contact_us", "order_link"]);
        assert_eq!(names("buttons {\n  use order_link { "), ["number", "page"]);
        assert_eq!(names("buttons {\n  use order_link { number: n, "), ["page"]);
        assert!(names("buttons {\n  use order_link { number: ").is_empty());
        assert!(complete("buttons {\n  ", 12, &c).is_none());
    }

    #[test]
    fn hover_lists_the_inputs() {
        let c = shop();
        let text = hover(c.get("order_link").unwrap());
        assert!(text.contains("`number: string max 20`"), "{text}");
        assert!(text.contains("`page: url`"), "{text}");
        assert!(hover(c.get("contact_us").unwrap()).contains("No inputs"));
    }
}
