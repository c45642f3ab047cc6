//! The layering of the crate's modules, as data, and a test that the code keeps to it: every
//! `crate::` path (and `missive::` in the command line) in a module's source names a module that
//! module may use, and the table itself has no cycle. Test code (`#[cfg(test)] mod tests`) is
//! exempt: a unit test may build its input with `compile`.
//!
//! The table is the ARCHITECTURE's "who may call whom": change it only together with that page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each module, and the modules it may use. The pipeline is `syntax -> check -> ir <- render`,
/// all over `model`; `driver` is the one module above both `check` and `render`.
const ALLOWED: &[(&str, &[&str])] = &[
    ("span", &[]),
    ("intl", &[]),
    ("diagnostic", &["span"]),
    ("json", &["diagnostic", "span"]),
    ("model", &["diagnostic", "span"]),
    ("syntax", &["diagnostic", "span"]),
    ("ir", &["model", "span"]),
    (
        "check",
        &[
            "syntax",
            "ir",
            "model",
            "json",
            "intl",
            "diagnostic",
            "span",
        ],
    ),
    ("render", &["ir", "model", "json", "diagnostic", "span"]),
    ("fmt", &["syntax", "diagnostic", "span"]),
    ("batch", &["check", "render", "ir", "diagnostic", "span"]),
    ("input_schema", &["ir", "model"]),
    ("sample", &["ir", "model", "span"]),
    (
        "import",
        &["check", "syntax", "model", "json", "diagnostic", "span"],
    ),
    (
        "driver",
        &[
            "check",
            "render",
            "import",
            "ir",
            "syntax",
            "model",
            "json",
            "diagnostic",
            "span",
        ],
    ),
    (
        "api_error",
        &["render", "ir", "model", "json", "diagnostic", "span"],
    ),
    (
        "delivery",
        &[
            "batch",
            "api_error",
            "check",
            "render",
            "ir",
            "model",
            "json",
            "diagnostic",
            "span",
        ],
    ),
    (
        "lsp",
        &[
            "driver",
            "check",
            "fmt",
            "syntax",
            "ir",
            "model",
            "diagnostic",
            "span",
        ],
    ),
    (
        "preview",
        &["render", "ir", "json", "intl", "diagnostic", "span"],
    ),
    (
        "cli",
        &[
            "preview",
            "driver",
            "batch",
            "delivery",
            "lsp",
            "api_error",
            "import",
            "input_schema",
            "sample",
            "fmt",
            "check",
            "render",
            "ir",
            "syntax",
            "model",
            "json",
            "diagnostic",
            "span",
        ],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules under `src/`, each with its source files (test modules left out).
fn modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src()).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            out.entry(name).or_default().extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs")
            && !matches!(name.as_str(), "lib" | "main" | "layering_tests")
        {
            out.entry(name).or_default().push(path);
        }
    }
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
    out
}

/// The source without comments and without `#[cfg(test)]` modules.
fn code(text: &str) -> String {
    let mut kept = String::new();
    for line in text.lines() {
        // A `//` inside a string (a URL) is not a comment: cut at the first one outside quotes.
        let comment = line
            .match_indices("//")
            .map(|(i, _)| i)
            .find(|&i| line[..i].matches('"').count() % 2 == 0);
        let line = comment.map_or(line, |i| &line[..i]);
        kept.push_str(line);
        kept.push('\n');
    }
    while let Some(at) = kept.find("#[cfg(test)]") {
        let rest = &kept[at..];
        let end = match (rest.find(';'), rest.find('{')) {
            (Some(semi), Some(brace)) if semi < brace => at + semi + 1,
            (_, Some(brace)) => at + brace + matching(&rest[brace..]),
            (Some(semi), None) => at + semi + 1,
            (None, None) => kept.len(),
        };
        kept.replace_range(at..end, "");
    }
    kept
}

/// The length of a `{ ... }` group at the start of `s`, through its closing brace.
fn matching(s: &str) -> usize {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    s.len()
}

/// The first segment of every path that starts with `root::` (`crate::a::b`, `crate::{a, b::c}`).
fn used(code: &str, root: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let prefix = format!("{root}::");
    let mut rest = code;
    while let Some(i) = rest.find(&prefix) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if rest.starts_with('{') {
            let group = &rest[1..matching(rest) - 1];
            // Top-level items of the group only: `{a::{b, c}, d}` uses `a` and `d`.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars().chain([',']) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let first = item.trim().split("::").next().unwrap_or("").trim();
                        if !first.is_empty() && first != "self" {
                            out.insert(first.to_string());
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
        } else {
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                out.insert(ident);
            }
        }
    }
    out
}

/// The crate root's re-exports (`pub use check::{compile, ...}` in lib.rs): name -> module.
fn reexports() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let module = rest.split("::").next().unwrap().to_string();
        let names = match (rest.find('{'), rest.rfind('}')) {
            (Some(a), Some(b)) => rest[a + 1..b].to_string(),
            _ => rest.rsplit("::").next().unwrap().to_string(),
        };
        for name in names.split(',') {
            let name = name.trim().rsplit(" as ").next().unwrap().trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.clone());
            }
        }
    }
    out
}

/// The methods a module adds to the IR's `Template` (`impl Template` outside `ir`): a call to
/// one of them is a use of that module that no path shows.
fn template_methods(files: &[PathBuf]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in files {
        let code = code(&std::fs::read_to_string(f).unwrap());
        let mut rest = code.as_str();
        while let Some(i) = rest.find("impl Template {") {
            let block = &rest[i + "impl Template ".len()..];
            let body = &block[..matching(block)];
            for part in body.split("pub fn ").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
            rest = &block[matching(block)..];
        }
    }
    out
}

/// The modules each module uses, and where: module -> used module -> a file that uses it.
fn edges() -> BTreeMap<String, BTreeMap<String, String>> {
    let modules = modules();
    let reexports = reexports();
    let methods: BTreeMap<&String, BTreeSet<String>> = modules
        .iter()
        .filter(|(m, _)| *m != "ir")
        .map(|(m, files)| (m, template_methods(files)))
        .collect();
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (module, files) in &modules {
        let root = if module == "cli" { "missive" } else { "crate" };
        let uses = out.entry(module.clone()).or_default();
        for f in files {
            let code = code(&std::fs::read_to_string(f).unwrap());
            let shown = f
                .strip_prefix(src().parent().unwrap())
                .unwrap()
                .display()
                .to_string();
            for name in used(&code, root) {
                let target = if modules.contains_key(&name) {
                    name
                } else if let Some(m) = reexports.get(&name) {
                    m.clone()
                } else {
                    panic!(
                        "{shown}: `{root}::{name}` is neither a module nor a re-export of lib.rs"
                    )
                };
                if &target != module {
                    uses.entry(target).or_insert_with(|| shown.clone());
                }
            }
            for (owner, names) in &methods {
                if *owner == module {
                    continue;
                }
                for name in names {
                    if code.contains(&format!(".{name}(")) {
                        uses.entry((*owner).clone())
                            .or_insert_with(|| format!("{shown} (calls `Template::{name}`)"));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn modules_use_only_the_modules_below_them() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut problems = Vec::new();
    for (module, uses) in edges() {
        let Some(may) = allowed.get(module.as_str()) else {
            problems.push(format!(
                "`{module}` is not in the layering table (src/layering_tests.rs): add it with the modules it may use"
            ));
            continue;
        };
        for (target, file) in uses {
            if !may.contains(&target.as_str()) {
                problems.push(format!(
                    "`{module}` uses `{target}` ({file}), which the layering does not allow: `{module}` may use {may:?}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_layering_has_no_cycle() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    // Depth-first search: a module met again while still on the path closes a cycle.
    fn visit<'a>(
        m: &'a str,
        allowed: &BTreeMap<&'a str, &'a [&'a str]>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if let Some(i) = path.iter().position(|p| *p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m);
            panic!("the layering has a cycle: {}", cycle.join(" -> "));
        }
        if !done.insert(m) {
            return;
        }
        path.push(m);
        for next in allowed.get(m).copied().unwrap_or_default() {
            visit(next, allowed, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for m in allowed.keys() {
        visit(m, &allowed, &mut Vec::new(), &mut done);
    }
}

#[test]
fn check_and_render_do_not_use_each_other() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    for (a, b) in [
        ("check", "render"),
        ("render", "check"),
        ("ir", "check"),
        ("ir", "render"),
    ] {
        assert!(!allowed[a].contains(&b), "the table lets `{a}` use `{b}`");
    }
    for m in ["syntax", "ir", "check", "render"] {
        assert!(
            !allowed["model"].contains(&m),
            "the model must stay below `{m}`"
        );
    }
}

#[test]
fn the_scanner_finds_paths_groups_and_method_calls() {
    let found = used(
        "use crate::a::b;\nuse crate::{c, d::{e, f}};\nlet x = crate::g::h();\n$crate::no;",
        "crate",
    );
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["a", "c", "d", "g"]);
    let stripped = code(
        "use crate::a; // crate::b\nlet u = \"http://x\"; // crate::d\n#[cfg(test)]\nmod tests {\n use crate::c;\n}\n",
    );
    assert_eq!(
        used(&stripped, "crate").into_iter().collect::<Vec<_>>(),
        ["a"]
    );
    let render = template_methods(&[src().join("render.rs")]);
    assert!(render.contains("render_to"), "{render:?}");
}
