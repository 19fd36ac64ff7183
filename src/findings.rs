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

/// How many members of a conflict group a finding names and relates; the rest are counted.
pub const GROUP_LISTED: usize = 10;

/// `a, b and c`; past `GROUP_LISTED` names, `a, b, … and 12 more`.
pub fn listing(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        _ if names.len() > GROUP_LISTED => format!(
            "{} and {} more",
            names[..GROUP_LISTED].join(", "),
            names.len() - GROUP_LISTED
        ),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
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

    /// The other members of a conflict group as related locations, at most `GROUP_LISTED`
    /// (the message counts them all).
    pub fn related_group(
        mut self,
        members: impl IntoIterator<Item = (Location, String, Option<ObjectRef>)>,
    ) -> Finding {
        for (location, message, object) in members.into_iter().take(GROUP_LISTED) {
            self = self.related(location, message, object);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_are_bounded() {
        let names = |n: usize| (0..n).map(|i| format!("n{i}")).collect::<Vec<_>>();
        assert_eq!(listing(&names(1)), "n0");
        assert_eq!(listing(&names(3)), "n0, n1 and n2");
        assert_eq!(
            listing(&names(12)),
            "n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 and 2 more"
        );
    }
}
