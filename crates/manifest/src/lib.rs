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
