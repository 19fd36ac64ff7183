//! With `--to TARGET`: an annotation has no equivalent on the target controller.
//!
//! ## Why
//! The behaviour it configures (a ModSecurity rule set, a custom error page per Ingress, a
//! request mirror) silently disappears after the switch unless someone rebuilds it another
//! way. These are the blockers of a migration; the annotation catalog says which, with its
//! sources.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/enable-modsecurity: "true"   # --to kong
//! ```
//!
//! ## Fix
//! Decide before the move: drop the feature, rebuild it outside the Ingress (a WAF in front,
//! a sidecar), or choose a target that has it. `ingress-lint translate --to TARGET` lists
//! every annotation with its verdict.
use crate::findings::Finding;
use crate::knowledge::sets::Verdict;

use super::{on_target, rule_info, Context, Rule, RuleInfo};

pub struct AnnotationUnsupportedOnTarget;

impl Rule for AnnotationUnsupportedOnTarget {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "annotation-unsupported-on-target",
            Error,
            "annotation_unsupported_on_target.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        on_target::report(
            context,
            &self.info(),
            Verdict::None,
            "has no equivalent on",
            out,
        );
    }
}
