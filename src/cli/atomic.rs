//! Writing a file atomically (`fmt`, `check --fix`, and the `-o` of `import`, `render`,
//! `sample`, `preview` and `optin`): a temporary file beside it, persisted over it, so that an
//! interruption leaves either the old file (or none) or the new one, never a part of it.

use std::io::Write;
use std::path::Path;

/// Replaces a file's content atomically: a temporary file beside it (with its permissions),
/// persisted over it, so that an interruption leaves either the old file or the new one. A
/// symbolic link stays a link to the rewritten file.
pub fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    write_with(path, text.as_bytes(), &mut Faults::default())
}

/// Writes a file atomically: as [`replace`] when it exists; a new one is written beside its
/// place and renamed into it, with the permissions any new file gets (the umask applied).
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with(path, bytes, &mut Faults::default())
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

fn write_with(path: &Path, bytes: &[u8], faults: &mut Faults) -> std::io::Result<()> {
    // Through a symbolic link, the file it points to is the one to replace; a file that does
    // not exist yet is written where it is named.
    let existing = match std::fs::metadata(path) {
        // A device or a pipe (`-o /dev/stdout`) is written to, not replaced.
        Ok(m) if !m.is_file() => return std::fs::write(path, bytes),
        Ok(_) => true,
        Err(_) => false,
    };
    let path = &if existing {
        std::fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = if existing {
        Some(std::fs::metadata(path)?.permissions())
    } else {
        None
    };
    // Dropped on an error, the temporary file is removed.
    faults.step()?;
    let prefix = format!(".{name}.missive-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A temporary file is private (0600); a new file is as any other the user makes.
    #[cfg(unix)]
    if permissions.is_none() {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    faults.step()?;
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
    if let Some(permissions) = permissions {
        std::fs::set_permissions(tmp.path(), permissions)?;
    }
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

    /// A failure at each of the five steps, then after each number of bytes of `len`.
    fn every_fault(len: usize) -> Vec<Faults> {
        let at_step = (0..5).map(|n| Faults {
            fail_at_step: Some(n),
            ..Faults::default()
        });
        let after_bytes = (0..len).map(|n| Faults {
            fail_after_bytes: Some(n),
            ..Faults::default()
        });
        at_step.chain(after_bytes).collect()
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
        for mut f in every_fault(new.len()) {
            assert!(write_with(&file, new.as_bytes(), &mut f).is_err());
            assert_eq!(folder(&dir), before);
        }
        write_with(&file, new.as_bytes(), &mut Faults::default()).unwrap();
        assert_eq!(folder(&dir), [("a.missive".to_string(), new.to_string())]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A new file (`import -o`, `render -o`) interrupted at every step, or after any number of
    /// bytes, is not there at all, and nothing is left beside its place; not interrupted, it
    /// is whole, with the permissions of any new file.
    #[test]
    fn a_new_file_interrupted_at_every_point_is_absent_or_whole() {
        let dir = std::env::temp_dir().join(format!("missive-write-faults-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("order.missive");
        let new = "notification order\n\ntext \"Your order is on its way\"\n";
        for mut f in every_fault(new.len()) {
            assert!(write_with(&file, new.as_bytes(), &mut f).is_err());
            assert_eq!(folder(&dir), []);
        }
        write_with(&file, new.as_bytes(), &mut Faults::default()).unwrap();
        assert_eq!(
            folder(&dir),
            [("order.missive".to_string(), new.to_string())]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let plain = dir.join("plain");
            std::fs::write(&plain, "x").unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&file), mode(&plain));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
