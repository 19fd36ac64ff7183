//! Located Kubernetes manifests: YAML/JSON text → located node trees → typed objects.
//!
//! This crate holds the `parse` and `model` stages of ingress-lint. It is a crate of its own
//! because the `k8s-openapi` `Deserialize` impls are monomorphised where they are used: kept
//! here, an edit to the rules or the CLI does not recompile them (measured: release rebuild
//! 13.3 s → 4.7 s, `shared/reference/yaml-and-deps-measurements.md` §2).
#![forbid(unsafe_code)]

pub mod model;
pub mod parse;
pub mod source;

pub use model::{load_file, Document, LoadedFile, Object, ObjectKey, ObjectRef, TypedObject};
pub use parse::{Problem, ProblemKind};
pub use source::{Position, SourceText, Span};

/// The most a side file (configuration, baseline, a list of paths, an ignore file) may hold.
pub const SIDE_FILE_CAP: u64 = 64 * 1024 * 1024;

/// Reads a side file the tool consults: a regular file (a FIFO, a device or `/dev/zero`
/// would block or never end) of at most `cap` bytes, as UTF-8.
pub fn read_side_file(path: &std::path::Path, cap: u64) -> std::io::Result<String> {
    use std::io::Read;
    let invalid = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(invalid("not a regular file".into()));
    }
    if metadata.len() > cap {
        return Err(invalid(format!("larger than {cap} bytes")));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(cap + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(invalid(format!("larger than {cap} bytes")));
    }
    String::from_utf8(bytes).map_err(|_| invalid("not UTF-8".into()))
}
