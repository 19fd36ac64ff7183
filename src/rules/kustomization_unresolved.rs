//! A kustomization lists a resource, component or patch that is not in the input (outside
//! the paths given, or missing), or a remote one (a URL): what it adds is not checked.
//!
//! ## Why
//! The objects a Kustomize build holds are what reaches the cluster; one that the input does
//! not hold cannot be checked, and a missing file makes `kustomize build` fail. Remote bases
//! are not fetched: the analysis is offline.
//!
//! ## Example
//! ```yaml
//! # overlays/prod/kustomization.yaml
//! resources:
//!   - ../../base          # not among the paths given
//!   - https://github.com/org/repo//deploy?ref=v1.2.0
//! ```
//!
//! ## Fix
//! Give the whole repository as the input, or check the build itself:
//! `kustomize build overlays/prod | ingress-lint check -`.
use crate::findings::Finding;
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct KustomizationUnresolved;

impl Rule for KustomizationUnresolved {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "kustomization-unresolved",
            Info,
            "kustomization_unresolved.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        context.problem_findings(ProblemKind::Unresolved, &self.info(), out);
    }
}
