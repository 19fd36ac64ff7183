//! Every file the tool writes: never through a symbolic link (a repository can commit one
//! where an output goes, to redirect the write), and atomically — a temporary file created
//! beside the target (`O_CREAT|O_EXCL`, which never follows a link), then renamed over it.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The target, or a directory below the output directory on the way, is a symlink.
    Symlink(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Symlink(path) => write!(
                f,
                "{} is a symbolic link: not written through (remove it, or choose another path)",
                path.display()
            ),
            WriteError::Io(path, error) => write!(f, "{}: {error}", path.display()),
        }
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Writes `path` (a file the user named), refusing a symlink there.
pub fn file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    // The process's own streams are links by nature (`/dev/stdout` → `/proc/self/fd/1`).
    let stream = ["/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/self/fd/"]
        .iter()
        .any(|s| path.to_string_lossy().starts_with(s));
    if is_symlink(path) && !stream {
        return Err(WriteError::Symlink(path.to_path_buf()));
    }
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let io = |e| WriteError::Io(path.to_path_buf(), e);
    // Not a regular file (a device, `/dev/stdout`, a FIFO): written in place, as named.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io)?;
        return write(&mut out).and_then(|()| out.flush()).map_err(io);
    }
    let mut attempt = 0u32;
    let (temporary, mut out) = loop {
        let temporary = directory.join(format!(
            ".{name}.ingress-lint-{}-{attempt}",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(out) => break (temporary, out),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1
            }
            Err(e) => return Err(io(e)),
        }
    };
    let written = {
        let mut buffered = std::io::BufWriter::new(&mut out);
        write(&mut buffered).and_then(|()| buffered.flush())
    };
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&temporary);
        return Err(io(e));
    }
    Ok(())
}

/// Writes `relative` below `directory`, creating the directories on the way; no component
/// below `directory` may be a symlink (`directory` itself is what the user named).
pub fn below(directory: &Path, relative: &Path, text: &str) -> Result<PathBuf, WriteError> {
    let mut path = directory.to_path_buf();
    let components: Vec<Component<'_>> = relative.components().collect();
    for (i, component) in components.iter().enumerate() {
        let Component::Normal(part) = component else {
            continue;
        };
        path.push(part);
        if is_symlink(&path) {
            return Err(WriteError::Symlink(path));
        }
        if i + 1 < components.len() && !path.is_dir() {
            std::fs::create_dir(&path).map_err(|e| WriteError::Io(path.clone(), e))?;
        }
    }
    file(&path, |out| out.write_all(text.as_bytes()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ingress-lint-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn no_write_goes_through_a_symlink() {
        let dir = scratch("symlinks");
        let outside = dir.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("victim"), "keep").unwrap();
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::os::unix::fs::symlink(outside.join("victim"), out.join("a.yaml")).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("sub")).unwrap();
        assert!(matches!(
            below(&out, Path::new("a.yaml"), "x"),
            Err(WriteError::Symlink(_))
        ));
        assert!(matches!(
            below(&out, Path::new("sub/victim"), "x"),
            Err(WriteError::Symlink(_))
        ));
        assert_eq!(
            std::fs::read_to_string(outside.join("victim")).unwrap(),
            "keep"
        );
        // A plain path is written, and written again over itself.
        let written = below(&out, Path::new("apps/web.yaml"), "one").unwrap();
        below(&out, Path::new("apps/web.yaml"), "two").unwrap();
        assert_eq!(std::fs::read_to_string(written).unwrap(), "two");
        let leftovers: Vec<_> = std::fs::read_dir(out.join("apps")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left");
    }
}
