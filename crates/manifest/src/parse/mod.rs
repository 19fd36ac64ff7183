//! Parse stage: YAML/JSON text → one located node tree per document, plus bad-input problems.

mod by_lines;
mod loader;
mod resolve;
mod template;
mod tree;

pub use loader::{parse, parse_shared, Limits, NamesOnly, ParsedDocument, ParsedFile, PassedOver};
pub use resolve::{resolve_plain, Resolved};
pub use template::{find_jinja, find_unrendered_template, Parsed as TemplateView};
pub use tree::{Entry, Node, NodeId, NodeKind, PathStep, ScalarStyle, Tree};

use crate::source::Span;

/// What went wrong with the input, before any rule looked at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// The text is not valid YAML (or JSON).
    Syntax,
    /// A mapping holds the same key twice.
    DuplicateKey,
    /// The input cannot be read safely: alias expansion or nesting over a bound, …
    Unreadable,
    /// Go template actions: `helm template` was not run on this file.
    TemplateUnrendered,
    /// A kustomization entry that names nothing in the input, or a remote one.
    Unresolved,
    /// Placeholders another tool fills in: a Jinja file (Ansible, Salt), shell-style
    /// `${VAR}` values (envsubst, Flux `postBuild.substitute`).
    Placeholders,
    /// A known kind has a field of the wrong type, or a field the kind does not have.
    SchemaMismatch,
}

/// A located problem with the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    /// Other locations involved (the first occurrence of a duplicate key, …).
    pub related: Vec<(Span, String)>,
    pub help: Option<String>,
    /// Index of the document it belongs to, when there is one.
    pub document: Option<usize>,
}

impl Problem {
    pub fn new(kind: ProblemKind, span: Span, message: impl Into<String>) -> Problem {
        Problem {
            kind,
            span,
            message: message.into(),
            related: Vec::new(),
            help: None,
            document: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    pub fn in_document(mut self, document: usize) -> Problem {
        self.document = Some(document);
        self
    }
}
