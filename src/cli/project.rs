//! The project file `missive.toml`: defaults for `check`, `build` and `render`, found in the
//! current folder or the nearest parent, so that a pipeline runs them with no flags.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use missive::diagnostic::codes;
use missive::diagnostic::report::FileReport;
use missive::{Profile, Severity, SourceFile, Span};

pub const FILE_NAME: &str = "missive.toml";

/// The keys, as written in the file. Paths are relative to the file's folder.
#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Keys {
    profile: Option<toml::Spanned<String>>,
    templates: Option<toml::Spanned<Paths>>,
    examples: Option<toml::Spanned<String>>,
    out_dir: Option<toml::Spanned<String>>,
    deny_warnings: Option<bool>,
    max_source_bytes: Option<usize>,
    max_depth: Option<toml::Spanned<u16>>,
    max_diagnostics: Option<usize>,
    max_data_bytes: Option<usize>,
    fuel: Option<u64>,
}

/// One path or a list of paths.
struct Paths(Vec<String>);

impl<'de> Deserialize<'de> for Paths {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Paths, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Paths;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a folder or file path, or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Paths, E> {
                Ok(Paths(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Paths, A::Error> {
                let mut out = Vec::new();
                while let Some(p) = a.next_element::<String>()? {
                    out.push(p);
                }
                Ok(Paths(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A project file, read: its settings with paths resolved against its folder.
#[derive(Debug, Default, Clone)]
pub struct Project {
    /// The folder the project file is in (its paths are resolved against it).
    pub dir: PathBuf,
    pub profile: Option<String>,
    pub templates: Vec<PathBuf>,
    pub examples: Option<PathBuf>,
    pub out_dir: Option<PathBuf>,
    pub deny_warnings: Option<bool>,
    /// The largest template source to parse, in bytes.
    pub max_source_bytes: Option<usize>,
    pub max_depth: Option<u16>,
    pub max_diagnostics: Option<usize>,
    pub max_data_bytes: Option<usize>,
    pub fuel: Option<u64>,
}

/// The nearest `missive.toml`, from the current folder up: `Ok(None)` when there is none, a
/// located report (M9004) when it cannot be used.
pub fn find() -> Result<Option<Project>, FileReport> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(None);
    };
    // The folder as a relative path (`.`, `..`, `../..`), so that paths in reports stay short.
    let mut rel = PathBuf::new();
    for dir in cwd.ancestors() {
        let file = dir.join(FILE_NAME);
        if file.is_file() {
            let shown = if rel.as_os_str().is_empty() {
                PathBuf::from(FILE_NAME)
            } else {
                rel.join(FILE_NAME)
            };
            return read(&shown).map(Some);
        }
        rel.push("..");
    }
    Ok(None)
}

/// Reads and checks a project file.
pub fn read(file: &Path) -> Result<Project, FileReport> {
    let shown = file.to_string_lossy().into_owned();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            let mut r = FileReport::new(shown.clone());
            r.diagnostics.push(
                codes::m9001_io(
                    Severity::Error,
                    format!("cannot read `{shown}`: {}", super::io_reason(&e, &shown)),
                )
                .help("save the project file as UTF-8 text, readable by the user running missive"),
            );
            return Err(r);
        }
    };
    const KEYS: &str = "the keys are `profile`, `templates`, `examples`, `out-dir` (paths, relative to this file), `deny-warnings` (true or false), `max-source-bytes` (a number of bytes), `max-depth` (1 to 256), `max-diagnostics` (a number), `max-data-bytes` (a number of bytes) and `fuel` (a number of steps)";
    let refuse = |span: Span, message: String, label: &str, help: &str| {
        let src = Arc::new(SourceFile::new(shown.clone(), text.clone()));
        let mut r = FileReport::new(shown.clone());
        r.diagnostics.push(
            codes::m9004_project_file(format!("`{shown}` cannot be used: {message}"))
                .at(span, label.to_string())
                .help(help.to_string()),
        );
        r.template = Some(src);
        r
    };
    let keys: Keys = match toml::from_str(&text) {
        Ok(k) => k,
        Err(e) => {
            let span = e
                .span()
                .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
            let message = e.message().trim().trim_end_matches('.').to_string();
            let label = if message.starts_with("unknown field") {
                "not a key of the project file"
            } else {
                "this value"
            };
            return Err(refuse(span, message, label, KEYS));
        }
    };
    // A built-in name is checked here, where it is written: later, nothing would say where the
    // name came from.
    if let Some(p) = &keys.profile {
        let name = p.get_ref();
        let is_file = name.contains('/') || name.ends_with(".toml");
        if !is_file && Profile::builtin(name).is_none() {
            let names: Vec<String> = Profile::builtin_names().map(|n| format!("`{n}`")).collect();
            let span = Span::new(p.span().start, p.span().end);
            return Err(refuse(
                span,
                format!(
                    "unknown profile `{name}` (the built-in profiles are {})",
                    names.join(" and ")
                ),
                "not a built-in profile",
                "give a built-in name, or the path to a TOML profile file (a value containing `/` or ending in `.toml`), relative to this file",
            ));
        }
    }
    if let Some(depth) = keys
        .max_depth
        .as_ref()
        .filter(|d| !(1..=missive::syntax::MAX_DEPTH_CAP).contains(&usize::from(*d.get_ref())))
    {
        return Err(refuse(
            Span::new(depth.span().start, depth.span().end),
            format!(
                "`max-depth` is {}, not between 1 and {}",
                depth.get_ref(),
                missive::syntax::MAX_DEPTH_CAP
            ),
            "out of range",
            "the parser and the checker recurse once per level: give a depth from 1 to 256 (the default is 64)",
        ));
    }
    // An empty path would be read as the current folder, or as `..` from a subfolder.
    let empty = [
        (
            "templates",
            keys.templates
                .as_ref()
                .filter(|t| t.get_ref().0.iter().any(String::is_empty))
                .map(toml::Spanned::span),
        ),
        (
            "examples",
            keys.examples
                .as_ref()
                .filter(|e| e.get_ref().is_empty())
                .map(toml::Spanned::span),
        ),
        (
            "out-dir",
            keys.out_dir
                .as_ref()
                .filter(|o| o.get_ref().is_empty())
                .map(toml::Spanned::span),
        ),
    ];
    if let Some((key, Some(span))) = empty.into_iter().find(|(_, s)| s.is_some()) {
        return Err(refuse(
            Span::new(span.start, span.end),
            format!("`{key}` is an empty path"),
            "an empty path",
            "write a folder relative to this file, or `.` for the file's own folder",
        ));
    }
    let dir = file.parent().unwrap_or(Path::new(""));
    let resolve = |p: &str| -> PathBuf {
        let joined = dir.join(p);
        // `./templates` reads better as `templates`.
        joined
            .strip_prefix(".")
            .map(Path::to_path_buf)
            .unwrap_or(joined)
    };
    // A profile file resolves like the other paths; a built-in name stays a name.
    let profile = keys.profile.map(|p| {
        let p = p.into_inner();
        if p.contains('/') || p.ends_with(".toml") {
            resolve(&p).to_string_lossy().into_owned()
        } else {
            p
        }
    });
    Ok(Project {
        dir: dir.to_path_buf(),
        profile,
        templates: keys
            .templates
            .map(|t| t.into_inner().0.iter().map(|p| resolve(p)).collect())
            .unwrap_or_default(),
        examples: keys.examples.map(|e| resolve(e.get_ref())),
        out_dir: keys.out_dir.map(|o| resolve(o.get_ref())),
        deny_warnings: keys.deny_warnings,
        max_source_bytes: keys.max_source_bytes,
        max_depth: keys.max_depth.map(toml::Spanned::into_inner),
        max_diagnostics: keys.max_diagnostics,
        max_data_bytes: keys.max_data_bytes,
        fuel: keys.fuel,
    })
}

/// Fills the flags the command line left unset from the project file, if there is one.
pub fn apply(common: &mut super::Common) -> Result<Option<Project>, FileReport> {
    let Some(project) = find()? else {
        return Ok(None);
    };
    if common.profile.is_none() {
        common.profile.clone_from(&project.profile);
    }
    if !common.deny_warnings {
        common.deny_warnings = project.deny_warnings.unwrap_or(false);
    }
    if common.max_source_bytes.is_none() {
        common.max_source_bytes = project.max_source_bytes;
    }
    if common.max_depth.is_none() {
        common.max_depth = project.max_depth;
    }
    if common.max_diagnostics.is_none() {
        common.max_diagnostics = project.max_diagnostics;
    }
    if common.max_data_bytes.is_none() {
        common.max_data_bytes = project.max_data_bytes;
    }
    if common.fuel.is_none() {
        common.fuel = project.fuel;
    }
    Ok(Some(project))
}

/// The profile a file gets from the project file nearest to it (its folder or a parent), if
/// that file names one and can be read; for the language server, which may be started in any
/// folder.
pub fn profile_for_file(file: &Path) -> Option<Profile> {
    let dir = file.parent()?;
    let project = dir
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|f| f.is_file())?;
    let name = read(&project).ok()?.profile?;
    Profile::resolve(&name).ok()
}
