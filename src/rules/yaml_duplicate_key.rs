//! A mapping has the same key twice.
//!
//! ## Why
//! kubectl rejects the object ("mapping key already defined"), while other tools silently keep
//! one of the two values: what you review is not what runs. The finding points at the second
//! key; the first is the related location. Not looked at: what follows the metadata of an
//! object read for its name only (RBAC rules, webhooks, CRD schemas, Job templates), which is
//! passed over unparsed when its lines tell where it ends.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/proxy-body-size: 8m
//!     nginx.ingress.kubernetes.io/proxy-body-size: 64m
//! ```
//!
//! ## Fix
//! Keep one entry with the value you mean.
use crate::findings::Finding;
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct YamlDuplicateKey;

impl Rule for YamlDuplicateKey {
    fn info(&self) -> RuleInfo {
        rule_info!("yaml-duplicate-key", Warning, "yaml_duplicate_key.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        context.problem_findings(ProblemKind::DuplicateKey, &self.info(), out);
    }
}
