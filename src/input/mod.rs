//! Input stage: which files to read (paths, directories walked with `.gitignore` honoured,
//! stdin) and reading them with a size cap and a UTF-8 check.

use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Extensions read when walking a directory; a file named explicitly is read whatever its name.
pub const MANIFEST_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

#[derive(Clone, Debug)]
pub struct InputOptions {
    pub hidden: bool,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    pub stdin_filename: Option<String>,
}

/// One input to read, with the name findings print for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    File {
        display: String,
        path: PathBuf,
    },
    Stdin {
        display: String,
    },
    /// A directory (or entry) the walk could not read: reported, never skipped silently.
    Unlisted {
        display: String,
        reason: String,
    },
}

impl Input {
    pub fn display(&self) -> &str {
        match self {
            Input::File { display, .. }
            | Input::Stdin { display }
            | Input::Unlisted { display, .. } => display,
        }
    }
}

/// Why the inputs cannot even be listed: a usage error (exit code 2).
#[derive(Debug)]
pub enum InputError {
    NotFound(String),
    BadGlob(String, globset::Error),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::NotFound(path) => write!(f, "{path}: no such file or directory"),
            InputError::BadGlob(glob, error) => write!(f, "--exclude {glob}: {error}"),
        }
    }
}

impl std::error::Error for InputError {}

/// Entries a directory walk passed over that may hold manifests: they are counted in the
/// summary, so that a manifest behind a symlink is not silently unchecked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Symbolic links to a directory or to a file with a manifest extension (not followed:
    /// they can loop, or point outside the repository).
    pub symlinks: usize,
    /// FIFOs, sockets and devices with a manifest extension (reading one can block forever).
    pub special_files: usize,
    /// Templates of manifests (`x.yaml.j2`, `values.yaml.gotmpl`): not YAML until rendered.
    pub templates: usize,
}

/// What `discover` lists.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub skipped: Skipped,
}

/// Lists the inputs under `paths` (default `.`), sorted and without duplicates.
pub fn discover(paths: &[String], options: &InputOptions) -> Result<Discovered, InputError> {
    let exclude = exclude_set(&options.exclude)?;
    let default = [".".to_string()];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut inputs = Vec::new();
    let mut skipped = Skipped::default();
    for given in paths {
        if given == "-" {
            let display = options.stdin_filename.clone().unwrap_or_else(|| "-".into());
            inputs.push(Input::Stdin { display });
            continue;
        }
        let path = Path::new(given);
        let metadata = std::fs::metadata(path).map_err(|_| InputError::NotFound(given.clone()))?;
        if !metadata.is_dir() {
            let display = display_path(path);
            if !exclude.is_match(&display) {
                inputs.push(Input::File {
                    display,
                    path: path.to_path_buf(),
                });
            }
            continue;
        }
        // Inside a Git repository, `.gitignore` files count from its root down, as Git reads
        // them (one above the root is not the repository's); outside one, wherever they are.
        let in_repository = std::fs::canonicalize(path)
            .is_ok_and(|p| p.ancestors().any(|a| a.join(".git").exists()));
        // A directory named through a symlink is walked: the link is what the user gave.
        // (The walk reads the root without following it; a trailing `/` resolves it.)
        let root = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            Path::new(given).join("")
        } else {
            path.to_path_buf()
        };
        // Ignore files are read here, not by the walk: each must be a regular file under
        // the cap (one committed as a link to /dev/zero, or a FIFO, would never end).
        let ignores =
            std::sync::Arc::new(std::sync::Mutex::new(Ignores::new(&root, in_repository)));
        let walker = ignore::WalkBuilder::new(&root)
            .hidden(!options.hidden)
            .ignore(false)
            .git_ignore(false)
            .git_exclude(false)
            .git_global(false)
            .parents(false)
            .sort_by_file_path(|a, b| a.cmp(b))
            .filter_entry({
                let ignores = std::sync::Arc::clone(&ignores);
                move |entry| {
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    let mut ignores = ignores.lock().unwrap_or_else(|e| e.into_inner());
                    !ignores.ignored(entry.path(), is_dir)
                }
            })
            .build();
        for entry in walker {
            // An unreadable directory is reported; the files the walk can list are still
            // checked.
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    inputs.push(unlisted(&error, path));
                    continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                continue;
            };
            let entry_path = entry.path();
            let display = display_path(entry_path);
            let manifest_named = has_manifest_extension(entry_path);
            if file_type.is_symlink() {
                let to_directory = std::fs::metadata(entry_path).is_ok_and(|m| m.is_dir());
                if (to_directory || manifest_named) && !exclude.is_match(&display) {
                    skipped.symlinks += 1;
                }
                continue;
            }
            if file_type.is_dir() || exclude.is_match(&display) {
                continue;
            }
            if !manifest_named {
                if file_type.is_file() && is_manifest_template(entry_path) {
                    skipped.templates += 1;
                }
                continue;
            }
            if !file_type.is_file() {
                skipped.special_files += 1;
                continue;
            }
            inputs.push(Input::File {
                display,
                path: entry_path.to_path_buf(),
            });
        }
        let mut ignores = ignores.lock().unwrap_or_else(|e| e.into_inner());
        inputs.append(&mut ignores.problems);
    }
    inputs.sort();
    inputs.dedup();
    Ok(Discovered { inputs, skipped })
}

/// The most an ignore file is read for.
const IGNORE_FILE_CAP: u64 = 1024 * 1024;

/// `.gitignore` and `.ignore` files — in a Git repository from its root down, elsewhere in
/// every directory above too — and the repository's `.git/info/exclude`, read once per
/// directory, each only when it is a regular file under the cap; an unusable one is
/// reported as an unlisted input.
struct Ignores {
    /// The walk's root, as given.
    root: PathBuf,
    /// The working directory, read once: a matcher of a directory above a relative root
    /// sees paths made absolute with it.
    cwd: Option<PathBuf>,
    /// The matchers that decide for the entries of a directory (as the walk names it),
    /// deepest first: a directory's own, then its parent's chain.
    chains: std::collections::HashMap<PathBuf, std::sync::Arc<Vec<ignore::gitignore::Gitignore>>>,
    problems: Vec<Input>,
}

impl Ignores {
    fn new(root: &Path, in_repository: bool) -> Ignores {
        let cwd = std::env::current_dir().ok();
        let mut ignores = Ignores {
            root: root.to_path_buf(),
            cwd: cwd.clone(),
            chains: Default::default(),
            problems: Vec::new(),
        };
        // The directories above the root count too: up to the repository's root, or all.
        let absolute_root = cwd.map_or_else(|| root.to_path_buf(), |cwd| cwd.join(root));
        let top = in_repository
            .then(|| absolute_root.ancestors().find(|a| a.join(".git").exists()))
            .flatten()
            .map(Path::to_path_buf);
        let mut above: Vec<ignore::gitignore::Gitignore> = Vec::new();
        for directory in absolute_root.ancestors().skip(1) {
            if top.as_deref().is_some_and(|t| !directory.starts_with(t)) {
                break;
            }
            if let Some(matcher) = ignores.read(directory, top.as_deref() == Some(directory)) {
                above.push(matcher);
            }
        }
        let own = ignores.read(root, top.as_deref() == Some(absolute_root.as_path()));
        let chain: Vec<_> = own.into_iter().chain(above).collect();
        ignores
            .chains
            .insert(root.to_path_buf(), std::sync::Arc::new(chain));
        ignores
    }

    /// The chain of a directory the walk names (its parent's is known: the walk goes down).
    fn chain(&mut self, directory: &Path) -> std::sync::Arc<Vec<ignore::gitignore::Gitignore>> {
        if let Some(chain) = self.chains.get(directory) {
            return std::sync::Arc::clone(chain);
        }
        // Above the root: its chain already holds what counts there.
        if !directory.starts_with(&self.root) {
            return std::sync::Arc::default();
        }
        let parent = directory
            .parent()
            .map(|p| self.chain(p))
            .unwrap_or_default();
        let chain = match self.read(directory, false) {
            Some(own) => {
                std::sync::Arc::new(std::iter::once(own).chain(parent.iter().cloned()).collect())
            }
            None => parent,
        };
        self.chains
            .insert(directory.to_path_buf(), std::sync::Arc::clone(&chain));
        chain
    }

    /// Whether a path is ignored: the deepest directory's files that decide win.
    fn ignored(&mut self, path: &Path, is_dir: bool) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        let chain = self.chain(parent);
        for matcher in chain.iter() {
            // A matcher of a directory above a relative root sees the path made absolute.
            let decided = if path.starts_with(matcher.path()) {
                matcher.matched(path, is_dir)
            } else {
                match &self.cwd {
                    Some(cwd) => matcher.matched(cwd.join(path), is_dir),
                    None => ignore::Match::None,
                }
            };
            match decided {
                ignore::Match::Ignore(_) => return true,
                ignore::Match::Whitelist(_) => return false,
                ignore::Match::None => {}
            }
        }
        false
    }

    /// A directory's own ignore files (and `.git/info/exclude` at the repository's root).
    fn read(&mut self, directory: &Path, top: bool) -> Option<ignore::gitignore::Gitignore> {
        let mut builder = ignore::gitignore::GitignoreBuilder::new(directory);
        let mut any = false;
        let mut names: Vec<PathBuf> = Vec::new();
        if top {
            names.push(directory.join(".git/info/exclude"));
        }
        names.push(directory.join(".gitignore"));
        names.push(directory.join(".ignore"));
        for name in names {
            let Ok(metadata) = std::fs::symlink_metadata(&name) else {
                continue;
            };
            let text = if metadata.is_file() {
                manifest::read_side_file(&name, IGNORE_FILE_CAP)
            } else {
                Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not a regular file (a symbolic link, a FIFO or a device)",
                ))
            };
            match text {
                Ok(text) => {
                    for line in text.lines() {
                        let _ = builder.add_line(Some(name.clone()), line);
                    }
                    any = true;
                }
                Err(error) => self.problems.push(Input::Unlisted {
                    display: display_path(&name),
                    reason: format!(
                        "ignore file not read ({error}): what it would leave out is checked"
                    ),
                }),
            }
        }
        any.then(|| builder.build().ok()).flatten()
    }
}

/// Template extensions a manifest is kept under before it is rendered (Jinja for Ansible and
/// Salt, Go templates for helmfile and gomplate).
pub const TEMPLATE_EXTENSIONS: [&str; 6] = ["j2", "jinja", "jinja2", "gotmpl", "tmpl", "tpl"];

/// `x.yaml.j2`: a manifest extension under a template extension.
fn is_manifest_template(path: &Path) -> bool {
    let extension = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    TEMPLATE_EXTENSIONS.contains(&extension(path).as_str())
        && path
            .file_stem()
            .is_some_and(|stem| has_manifest_extension(Path::new(stem)))
}

fn has_manifest_extension(path: &Path) -> bool {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    MANIFEST_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
}

fn exclude_set(globs: &[String]) -> Result<GlobSet, InputError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(Glob::new(glob).map_err(|e| InputError::BadGlob(glob.clone(), e))?);
        // `vendor` and `vendor/` also exclude everything below.
        let below = format!("{}/**", glob.trim_end_matches('/'));
        builder.add(Glob::new(&below).map_err(|e| InputError::BadGlob(glob.clone(), e))?);
    }
    builder
        .build()
        .map_err(|e| InputError::BadGlob(globs.join(", "), e))
}

/// The path as given, `/`-separated, without a leading `./`.
fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    match text.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => text,
    }
}

/// Why a file could not be read as text.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    Io(String),
    /// A directory the walk could not list.
    Unlisted(String),
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// Not UTF-8: the text with bad bytes replaced (for display only), and the first bad
    /// byte's offset.
    NotUtf8 {
        lossy_text: String,
        offset: usize,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(error) => write!(f, "cannot read the file: {error}"),
            ReadError::Unlisted(error) => {
                write!(f, "cannot list the directory, its files were not checked: {error}")
            }
            ReadError::TooLarge { size, limit } => write!(
                f,
                "the file is {size} bytes, over the size cap of {limit} bytes (--max-file-size); it was skipped"
            ),
            ReadError::NotUtf8 { offset, .. } => write!(
                f,
                "invalid UTF-8 at byte {offset}: Kubernetes manifests must be UTF-8; the file was skipped"
            ),
        }
    }
}

/// Reads one input, with the size cap applied before the bytes are held.
pub fn read(input: &Input, max_file_size: u64) -> Result<Vec<u8>, ReadError> {
    let io = |e: std::io::Error| ReadError::Io(e.to_string());
    let mut bytes = Vec::new();
    match input {
        Input::File { path, .. } => {
            let file = std::fs::File::open(path).map_err(io)?;
            let size = file.metadata().map_err(io)?.len();
            if size > max_file_size {
                return Err(ReadError::TooLarge {
                    size,
                    limit: max_file_size,
                });
            }
            // Room for the whole file and the read that finds its end: `take` hides the
            // size, and growing by doubling would copy the text over and over.
            bytes.reserve_exact(usize::try_from(size).unwrap_or(0).saturating_add(1));
            file.take(max_file_size + 1)
                .read_to_end(&mut bytes)
                .map_err(io)?;
        }
        Input::Unlisted { reason, .. } => return Err(ReadError::Unlisted(reason.clone())),
        Input::Stdin { .. } => {
            std::io::stdin()
                .lock()
                .take(max_file_size + 1)
                .read_to_end(&mut bytes)
                .map_err(io)?;
        }
    }
    if bytes.len() as u64 > max_file_size {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit: max_file_size,
        });
    }
    Ok(bytes)
}

/// Decodes the bytes read; manifests are UTF-8.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, ReadError> {
    // A byte order mark is not text: editors do not count it in line 1's columns. UTF-16 with
    // a BOM is read as kubectl reads it (sigs.k8s.io/yaml converts it).
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    } else if let Some(big_endian) = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(false),
        Some([0xFE, 0xFF]) => Some(true),
        _ => None,
    } {
        let body = &bytes[2..];
        let units = body.chunks_exact(2).map(|pair| {
            let pair = [pair[0], pair[1]];
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        let mut text = String::with_capacity(body.len() / 2);
        for unit in char::decode_utf16(units) {
            match unit {
                Ok(c) => text.push(c),
                Err(_) => return Err(not_text(text)),
            }
        }
        if body.len() % 2 == 1 {
            return Err(not_text(text));
        }
        return Ok(text);
    }
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        ReadError::NotUtf8 {
            lossy_text: String::from_utf8_lossy(error.as_bytes()).into_owned(),
            offset,
        }
    })
}

/// What the walk could not read below `root`, named by its path when the error has one.
fn unlisted(error: &ignore::Error, root: &Path) -> Input {
    fn path_of(error: &ignore::Error) -> Option<&Path> {
        match error {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            _ => None,
        }
    }
    Input::Unlisted {
        display: display_path(path_of(error).unwrap_or(root)),
        reason: error.to_string(),
    }
}

/// UTF-16 that breaks off: shown up to the break, located there.
fn not_text(mut text: String) -> ReadError {
    let offset = text.len();
    text.push('\u{FFFD}');
    ReadError::NotUtf8 {
        lossy_text: text,
        offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_the_walk_cannot_read_is_an_input_in_error() {
        let error = ignore::Error::WithPath {
            path: PathBuf::from("repo/secret"),
            err: Box::new(ignore::Error::Io(std::io::Error::from(
                std::io::ErrorKind::PermissionDenied,
            ))),
        };
        let input = unlisted(&error, Path::new("repo"));
        assert_eq!(input.display(), "repo/secret");
        let read = read(&input, 1 << 20).unwrap_err().to_string();
        assert!(read.contains("cannot list the directory"), "{read}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_and_fifos_in_a_walk_are_counted_not_read() {
        let root = std::env::temp_dir().join(format!("ingress-lint-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("base")).unwrap();
        std::fs::write(root.join("base/ingress.yaml"), "kind: Ingress\n").unwrap();
        std::fs::write(root.join("notes.txt"), "").unwrap();
        std::os::unix::fs::symlink(root.join("base"), root.join("linked-dir")).unwrap();
        std::os::unix::fs::symlink(root.join("base/ingress.yaml"), root.join("link.yaml")).unwrap();
        std::os::unix::fs::symlink(root.join("notes.txt"), root.join("link.txt")).unwrap();
        let fifo = root.join("pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let options = InputOptions {
            hidden: false,
            exclude: Vec::new(),
            max_file_size: 1 << 20,
            stdin_filename: None,
        };
        let found = discover(&[root.to_string_lossy().into_owned()], &options).unwrap();
        // A directory named through a link is walked: the link is what the user gave.
        let named = root.join("linked-dir").to_string_lossy().into_owned();
        let through_link = discover(&[named], &options).unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(through_link.inputs.len(), 1, "{:?}", through_link.inputs);
        assert_eq!(through_link.skipped, Skipped::default());
        assert_eq!(found.inputs.len(), 1, "{:?}", found.inputs);
        assert_eq!(
            found.skipped.symlinks, 2,
            "the directory and the .yaml link"
        );
        let fifos = usize::from(made.is_ok_and(|s| s.success()));
        assert_eq!(found.skipped.special_files, fifos);
    }

    #[test]
    fn byte_order_marks_are_read_as_kubectl_reads_them() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap(), "a: 1\n");
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("k: é\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(utf16le).unwrap(), "k: é\n");
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("k: v".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(utf16be).unwrap(), "k: v");
        // An unpaired surrogate or an odd byte count is an error, located, not a panic.
        assert!(decode(vec![0xFF, 0xFE, 0x00, 0xD8, b'a', 0]).is_err());
        assert!(decode(vec![0xFF, 0xFE, b'a', 0, b'b']).is_err());
    }

    #[test]
    fn an_unreadable_input_is_an_error_value_not_a_panic() {
        // Permission bits do not stop root, which CI runs as; a directory read as a file
        // fails the same way (EISDIR), through the same path.
        let input = Input::File {
            display: "src".into(),
            path: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src"),
        };
        let error = read(&input, 1 << 20).unwrap_err();
        assert!(matches!(error, ReadError::Io(_)), "{error:?}");
        assert!(
            error.to_string().starts_with("cannot read the file: "),
            "{error}"
        );
    }

    #[test]
    fn the_size_cap_applies_before_reading() {
        let input = Input::File {
            display: "Cargo.toml".into(),
            path: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"),
        };
        assert!(matches!(
            read(&input, 10),
            Err(ReadError::TooLarge { limit: 10, .. })
        ));
    }

    #[test]
    fn invalid_utf8_names_the_first_bad_byte() {
        let error = decode(b"ok: \xff\n".to_vec()).unwrap_err();
        assert!(
            matches!(error, ReadError::NotUtf8 { offset: 4, .. }),
            "{error:?}"
        );
    }
}
