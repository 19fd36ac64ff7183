//! Findings: what a rule reports, located at a YAML node, with the other side of a conflict.

use manifest::{ObjectRef, Span};

/// How serious a finding is; ordered so that `Error` is the highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What applying a baseline did (`check --baseline`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BaselineCounts {
    /// Findings left out because the baseline has them.
    pub baselined: usize,
    /// Baseline entries no finding matched any more: fixed since.
    pub fixed: usize,
}

/// A place in one of the loaded files (an index into the load result's files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: usize,
    pub span: Span,
}

impl Location {
    /// A span of file `file`'s tree: a node grafted there from another file (a Kustomize
    /// patch) is located in that file.
    pub fn new(file: usize, span: Span) -> Location {
        Location {
            file: span.foreign_file().unwrap_or(file),
            span: span.local(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
    pub object: Option<ObjectRef>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    pub related: Vec<Related>,
    pub help: Option<String>,
    pub object: Option<ObjectRef>,
    pub helm_source: Option<String>,
    /// Why the finding is suppressed, when it is; suppressed findings are kept and counted.
    pub suppressed: Option<String>,
}

impl Finding {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        location: Location,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            severity,
            message: message.into(),
            location,
            related: Vec::new(),
            help: None,
            object: None,
            helm_source: None,
            suppressed: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn related(
        mut self,
        location: Location,
        message: impl Into<String>,
        object: Option<ObjectRef>,
    ) -> Finding {
        self.related.push(Related {
            location,
            message: message.into(),
            object,
        });
        self
    }
}
