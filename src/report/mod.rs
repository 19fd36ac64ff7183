//! Report stage: one file per output format. Every format reads the same sorted findings.

mod concise;
pub mod convert;
mod github;
mod gitlab;
mod human;
pub mod inventory;
mod json;
mod junit;
mod markdown;
pub mod plan;
mod sarif;
mod source;
mod statistics;
pub mod translate;

pub use human::no_manifest;
use manifest::{LoadedFile, Position};

use crate::findings::{Finding, Location, Severity};
use crate::load::Loaded;

pub use concise::concise;
pub use github::github;
pub use gitlab::gitlab;
pub use human::{human, human_findings};
pub use json::{json, write_json};
pub use junit::junit;
pub use markdown::{markdown, MarkdownOptions};
pub use sarif::sarif;
pub use statistics::statistics;

/// A report that cannot be serialised: an error, never an empty output.
#[derive(Debug)]
pub enum ReportError {
    Json(serde_json::Error),
    Csv(csv::Error),
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::Json(e) => write!(f, "writing the report as JSON: {e}"),
            ReportError::Csv(e) => write!(f, "writing the report as CSV: {e}"),
        }
    }
}

impl std::error::Error for ReportError {}

impl From<csv::Error> for ReportError {
    fn from(error: csv::Error) -> ReportError {
        ReportError::Csv(error)
    }
}

impl From<std::io::Error> for ReportError {
    fn from(error: std::io::Error) -> ReportError {
        ReportError::Csv(error.into())
    }
}

/// Pretty JSON with a final newline. Written twice, the first time only counted: a report of
/// a large repository is tens of megabytes, and a buffer grown by doubling would hold up to
/// twice that while every input is still in memory.
pub(crate) fn pretty_json<T: serde::Serialize>(value: &T) -> Result<String, ReportError> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer_pretty(&mut count, value).map_err(ReportError::Json)?;
    let mut bytes = Vec::with_capacity(count.0 + 1);
    serde_json::to_writer_pretty(&mut bytes, value).map_err(ReportError::Json)?;
    bytes.push(b'\n');
    // serde_json writes UTF-8 only.
    String::from_utf8(bytes).map_err(|e| ReportError::Json(serde::ser::Error::custom(e)))
}

/// Pretty JSON with a final newline, written as it is serialised: a report of a large
/// repository is tens of megabytes, written while every input is still in memory.
pub(crate) fn write_pretty_json<T: serde::Serialize>(
    value: &T,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use std::io::Write;
    // Buffered here, in a writer of a known type: serde_json writes in small pieces.
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Counts for the summary line and the JSON `summary`.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    pub skipped_documents: usize,
    /// Symlinks and special files a directory walk passed over.
    pub skipped_entries: crate::input::Skipped,
    /// With `--baseline`: findings left out, and baseline entries fixed since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::findings::BaselineCounts>,
    pub findings: Counts,
    pub suppressed: usize,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Summary {
    pub fn new(loaded: &Loaded, findings: &[Finding]) -> Summary {
        let mut summary = Summary {
            files: loaded.files.len(),
            documents: loaded.documents(),
            objects: loaded.objects(),
            skipped_documents: loaded.skipped_documents(),
            skipped_entries: loaded.skipped_entries,
            baseline: loaded.baseline,
            ..Summary::default()
        };
        for finding in findings {
            if finding.suppressed.is_some() {
                summary.suppressed += 1;
                continue;
            }
            match finding.severity {
                Severity::Error => summary.findings.error += 1,
                Severity::Warning => summary.findings.warning += 1,
                Severity::Info => summary.findings.info += 1,
            }
        }
        summary
    }
}

/// A location as file name and 1-based start and end positions.
pub(crate) struct Resolved<'a> {
    pub file: &'a str,
    pub start: Position,
    pub end: Position,
}

pub(crate) fn resolve<'a>(files: &'a [LoadedFile], location: &Location) -> Resolved<'a> {
    let location = Location::new(location.file, location.span);
    let source = &files[location.file].source;
    Resolved {
        file: &source.name,
        start: source.position(location.span.start as usize),
        end: source.position(location.span.end as usize),
    }
}
