//! With `--to TARGET`: an annotation has only a partial equivalent on the target controller.
//!
//! ## Why
//! The target offers something close, with documented differences: other units, another
//! scope (per Ingress instead of per path), a global setting instead of a per-Ingress one,
//! fewer options. Traffic keeps flowing, but not quite the same way; the note says how.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/rewrite-target: /$2   # --to haproxy: haproxy.org/path-rewrite
//! ```
//!
//! ## Fix
//! Apply the target form from the help and check the noted difference in a test
//! environment.
use crate::findings::Finding;
use crate::knowledge::sets::Verdict;

use super::{on_target, rule_info, Context, Rule, RuleInfo};

pub struct AnnotationPartialOnTarget;

impl Rule for AnnotationPartialOnTarget {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "annotation-partial-on-target",
            Warning,
            "annotation_partial_on_target.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        on_target::report(
            context,
            &self.info(),
            Verdict::Partial,
            "has only a partial equivalent on",
            out,
        );
    }
}
