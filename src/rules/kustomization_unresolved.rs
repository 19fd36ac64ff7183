//! A kustomization cannot be built as written — a cycle, an unknown field, a JSON 6902
//! operation whose path is not in the object, a patch that selects nothing — or lists a
//! resource, component or patch that is not in the input, or a remote one.
//!
//! ## Why
//! The objects a Kustomize build holds are what reaches the cluster. A kustomization
//! `kustomize build` rejects deploys nothing (and Flux or Argo CD stop syncing it); one that
//! the input does not hold cannot be checked. Remote bases are not fetched: the analysis is
//! offline. A patch that selects nothing is said only when the whole build is in the input.
//!
//! ## Example
//! ```yaml
//! # overlays/prod/kustomization.yaml
//! resources:
//!   - ../../base          # not among the paths given
//!   - https://github.com/org/repo//deploy?ref=v1.2.0
//! patchesStrategicMerges:  # unknown field: `kustomize build` fails
//!   - ingress.yaml
//! ```
//!
//! ## Fix
//! Correct the kustomization (`kustomize build DIR` shows the same error), give the whole
//! repository as the input, or check the build itself: `kustomize build overlays/prod |
//! ingress-lint check -`.
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
