//! With `--to TARGET`: the equivalent of an annotation on the target controller is a separate
//! object (a Traefik Middleware, a KongPlugin, an F5 NGINX Policy, a Gateway API filter or
//! policy), not an annotation.
//!
//! ## Why
//! The feature carries over, but as a new object to write, name, review and reference from the
//! Ingress or route; one annotation can become several objects. This is migration work to
//! plan, not a blocker.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/auth-url: https://auth.example.com/verify   # --to traefik
//! ```
//! becomes a `Middleware` with `forwardAuth.address` and
//! `traefik.ingress.kubernetes.io/router.middlewares` on the Ingress.
//!
//! ## Fix
//! Create the object the help names and reference it.
use crate::findings::Finding;
use crate::knowledge::sets::Verdict;

use super::{on_target, rule_info, Context, Rule, RuleInfo};

pub struct AnnotationCrdOnTarget;

impl Rule for AnnotationCrdOnTarget {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "annotation-crd-on-target",
            Info,
            "annotation_crd_on_target.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        on_target::report(
            context,
            &self.info(),
            Verdict::Crd,
            "needs a separate object on",
            out,
        );
    }
}
