//! Replacing a file's content atomically (`fmt`, `check --fix`): a temporary file beside it,
//! persisted over it, so that an interruption leaves either the old file or the new one.

use std::io::Write;
use std::path::Path;

/// Replaces a file's content atomically: a temporary file beside it (with its permissions),
/// persisted over it, so that an interruption leaves either the old file or the new one. A
/// symbolic link stays a link to the rewritten file.
pub fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    replace_with(path, text, &mut Faults::default())
}

/// Where [`replace_with`] fails, for the fault-injection tests: before a numbered step (create,
/// write, sync, permissions, rename) or after a number of bytes. Outside the tests, nothing
/// fails.
#[derive(Default)]
struct Faults {
    fail_at_step: Option<usize>,
    fail_after_bytes: Option<usize>,
    steps: usize,
}

impl Faults {
    fn step(&mut self) -> std::io::Result<()> {
        let n = self.steps;
        self.steps += 1;
        if self.fail_at_step == Some(n) {
            return Err(std::io::Error::other(format!(
                "injected failure at step {n}"
            )));
        }
        Ok(())
    }
}

fn replace_with(path: &Path, text: &str, faults: &mut Faults) -> std::io::Result<()> {
    // Through a symbolic link, the file it points to is the one to replace.
    let path = &std::fs::canonicalize(path)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(path)?.permissions();
    // Dropped on an error, the temporary file is removed.
    faults.step()?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.missive-"))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    faults.step()?;
    let bytes = text.as_bytes();
    match faults.fail_after_bytes {
        Some(n) if n < bytes.len() => {
            tmp.write_all(&bytes[..n])?;
            return Err(std::io::Error::other("injected failure: disk full"));
        }
        _ => tmp.write_all(bytes)?,
    }
    faults.step()?;
    tmp.as_file().sync_all()?;
    faults.step()?;
    std::fs::set_permissions(tmp.path(), permissions)?;
    faults.step()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    /// A replace (`fmt`, `check --fix`) interrupted at every step, or after any number of bytes, leaves the file whole and
    /// old, and nothing beside it; not interrupted, the file is new.
    #[test]
    fn a_replace_interrupted_at_every_point_leaves_the_old_file_or_the_new() {
        let dir =
            std::env::temp_dir().join(format!("missive-replace-faults-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.missive");
        let old = "notification a\ntext   \"old\"\n";
        let new = "notification a\n\ntext \"new, and longer than the old text\"\n";
        std::fs::write(&file, old).unwrap();
        let before = folder(&dir);
        let mut faults: Vec<Faults> = (0..5)
            .map(|n| Faults {
                fail_at_step: Some(n),
                ..Faults::default()
            })
            .collect();
        faults.extend((0..new.len()).map(|n| Faults {
            fail_after_bytes: Some(n),
            ..Faults::default()
        }));
        for mut f in faults {
            assert!(replace_with(&file, new, &mut f).is_err());
            assert_eq!(folder(&dir), before);
        }
        replace_with(&file, new, &mut Faults::default()).unwrap();
        assert_eq!(folder(&dir), [("a.missive".to_string(), new.to_string())]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
