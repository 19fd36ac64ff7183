//! An ingress-nginx annotation that the controller removed: current versions ignore it.
//!
//! ## Why
//! ingress-nginx dropped these keys (global rate limiting in v1.12, OpenTracing in v1.10,
//! InfluxDB in v1.7.1, `secure-backends` and `grpc-backend` in 0.21, …). They still sit in
//! many manifests and do nothing: the behaviour they promise is gone. A migration should
//! neither carry them nor be planned around them.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/secure-backends: "true"
//! ```
//!
//! ## Fix
//! Use the replacement the help names (here `nginx.ingress.kubernetes.io/backend-protocol: HTTPS`),
//! or remove the key.
use crate::findings::Finding;
use crate::knowledge::sets::AnnotationStatus;

use super::context::NginxAnnotation;
use super::{rule_info, Context, Rule, RuleInfo};

pub struct AnnotationRemoved;

impl Rule for AnnotationRemoved {
    fn info(&self) -> RuleInfo {
        rule_info!("annotation-removed", Warning, "annotation_removed.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for NginxAnnotation {
            annotation: a,
            suffix,
            ..
        } in context.nginx_annotations()
        {
            let Some(entry) = context
                .knowledge
                .nginx_annotations
                .get(suffix)
                .filter(|e| e.status == AnnotationStatus::Removed)
            else {
                continue;
            };
            let version = entry.removed_in.as_deref().unwrap_or("an earlier release");
            let message = format!(
                "{}: `{}` was removed in ingress-nginx {version}; current controllers ignore it",
                a.view.reference(),
                a.key
            );
            let help = match &entry.replacement {
                Some(replacement) => format!("replacement: {replacement}"),
                None => "no replacement: remove the key".into(),
            };
            out.push(a.view.finding(&info, a.span, message).help(help));
        }
    }
}
