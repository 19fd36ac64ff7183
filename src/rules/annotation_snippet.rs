//! A raw-configuration snippet annotation (`configuration-snippet`, `server-snippet`,
//! `auth-snippet`, HAProxy's `backend-config-snippet`, F5 NGINX's `location-snippets`, …).
//!
//! ## Why
//! Snippets paste text into the proxy's configuration: anyone who can edit an Ingress can
//! reach every other tenant's traffic and the controller's secrets (CVE-2021-25742,
//! CVE-2025-1974). ingress-nginx rejects them unless the ConfigMap sets
//! `allow-snippet-annotations: "true"` (off since v1.9) and `annotations-risk-level: Critical`
//! (High since v1.12). And they are not portable: no other controller reads NGINX
//! configuration, so every snippet is a manual rewrite in a migration.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/configuration-snippet: |
//!       more_set_headers "Request-Id: $req_id";
//! ```
//!
//! ## Fix
//! Use the dedicated annotation or the target's own feature (a header middleware, a policy),
//! then remove the snippet.
use crate::findings::Finding;
use crate::knowledge::sets::Risk;
use crate::knowledge::NGINX;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct AnnotationSnippet;

impl Rule for AnnotationSnippet {
    fn info(&self) -> RuleInfo {
        rule_info!("annotation-snippet", Warning, "annotation_snippet.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let prefixes = context.inventory.nginx_prefixes();
        let catalog = &context.knowledge.nginx_annotations;
        for a in context.ingress_annotations() {
            let Some(controller) = context.knowledge.owner(&prefixes, a.key) else {
                continue;
            };
            let suffix = a.key.split_once('/').map_or(a.key, |(_, s)| s);
            let (risk, note) = if controller == NGINX {
                match catalog.get(suffix).filter(|e| e.group == "snippets") {
                    Some(entry) => (entry.risk, entry.status_note.clone().unwrap_or_default()),
                    None => continue,
                }
            } else if suffix.contains("snippet") {
                (
                    Risk::Critical,
                    format!("raw {controller} configuration: not portable to any other controller"),
                )
            } else {
                continue;
            };
            let message = format!(
                "{}: `{}` injects raw proxy configuration ({risk} risk)",
                a.view.reference(),
                a.key
            );
            out.push(a.view.finding(&info, a.span, message).help(format!(
                "{note}. Replace it with a dedicated annotation or the target's own feature"
            )));
        }
    }
}
