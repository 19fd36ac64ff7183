//! ingress-lint: an offline static analyzer and compatibility linter for moving a Kubernetes
//! cluster from one ingress controller to another.
//!
//! The pipeline is the architecture, data flowing one way:
//! `input` (find and read files) → `load` (parse and model each file in parallel, in the
//! `ingress-lint-manifest` crate) → `rules` (one file per rule, over all files at once) →
//! `report` (human, json, sarif, github). `knowledge` holds the facts the rules consult,
//! compiled in from `rules/*.yaml`.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod convert;
pub mod detect;
pub mod findings;
pub mod fuzzing;
pub mod input;
pub mod knowledge;
pub mod load;
pub mod plan;
pub mod release;
pub mod report;
pub mod rules;
pub mod translate;

pub use manifest;
