//! An annotation under the ingress-nginx prefix that ingress-nginx does not have: a typo, or
//! a key from an old blog post. It is ignored, silently.
//!
//! ## Why
//! ingress-nginx reads only the annotations it knows; a misspelt key does nothing and nobody
//! notices until the feature is missed in production. The catalog knows every ingress-nginx
//! annotation (current, old names, removed), so anything else under its prefix is reported,
//! with the closest real key. A custom `--annotations-prefix` on an ingress-nginx controller
//! in the input is honoured. Other controllers' prefixes are not checked: the catalog holds
//! only their common keys.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/rewrite-targte: /$1
//! ```
//!
//! ## Fix
//! Correct the key (`nginx.ingress.kubernetes.io/rewrite-target`), or remove it.
use crate::findings::Finding;
use crate::knowledge::did_you_mean;

use super::context::NginxAnnotation;
use super::{rule_info, Context, Rule, RuleInfo};

pub struct AnnotationUnknown;

impl Rule for AnnotationUnknown {
    fn info(&self) -> RuleInfo {
        rule_info!("annotation-unknown", Warning, "annotation_unknown.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let catalog = &context.knowledge.nginx_annotations;
        for NginxAnnotation {
            annotation: a,
            prefix,
            suffix,
        } in context.nginx_annotations()
        {
            if catalog.get(suffix).is_some() {
                continue;
            }
            let guess = did_you_mean(suffix, catalog.annotations.iter().map(|e| e.key.as_str()));
            let message = format!(
                "{}: `{}` is not an ingress-nginx annotation; it is ignored",
                a.view.reference(),
                a.key
            );
            let help = match guess {
                Some(guess) => format!("did you mean `{prefix}/{guess}`?"),
                None => "check the key against https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/".into(),
            };
            out.push(a.view.finding(&info, a.span, message).help(help));
        }
    }
}
