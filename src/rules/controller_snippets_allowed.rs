//! An ingress controller's ConfigMap lets Ingresses carry raw configuration snippets
//! (ingress-nginx `allow-snippet-annotations: "true"`).
//!
//! ## Why
//! With snippets allowed, anyone who can create an Ingress in any namespace can paste NGINX
//! configuration into the shared proxy: read other tenants' traffic and the controller's
//! credentials (CVE-2021-25742; the IngressNightmare chain, CVE-2025-1974, went through the
//! same configuration path). ingress-nginx turned it off by default in v1.9 and, since v1.12,
//! also requires `annotations-risk-level: Critical`. In a migration every snippet is a manual
//! rewrite, and no target controller offers the same escape hatch.
//!
//! ## Example
//! ```yaml
//! # HelmRelease values of the ingress-nginx chart
//! controller:
//!   allowSnippetAnnotations: true
//! ```
//!
//! ## Fix
//! Replace the snippets with dedicated annotations or the target's own features
//! (`ingress-lint check --to TARGET` lists them), then set the key to `"false"` (chart value
//! `controller.allowSnippetAnnotations: false`). Source:
//! https://github.com/kubernetes/ingress-nginx/blob/main/docs/user-guide/nginx-configuration/configmap.md
use std::collections::HashMap;

use manifest::parse::PathStep;
use manifest::Object;

use crate::detect::ObjectKey;

use crate::findings::Finding;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct ControllerSnippetsAllowed;

impl Rule for ControllerSnippetsAllowed {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "controller-snippets-allowed",
            Warning,
            "controller_snippets_allowed.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        // ConfigMaps by namespace and name, once.
        let mut config_maps: HashMap<(&str, &str), Vec<(ObjectKey, &Object)>> = HashMap::new();
        for (at, object) in context.objects.iter() {
            if object.reference.kind == "ConfigMap" {
                let key = (
                    context.objects.namespace(at),
                    object.reference.name.as_str(),
                );
                config_maps.entry(key).or_default().push((at, object));
            }
        }
        for instance in &context.inventory.controllers {
            let Some(config) = instance.controller.config_map.as_ref() else {
                continue;
            };
            let Some(key) = config.snippets_allowed_key.as_deref() else {
                continue;
            };
            let Some((namespace, name)) = instance
                .setting(&config.setting)
                .and_then(|s| s.known())
                .and_then(|v| v.split_once('/'))
            else {
                continue;
            };
            let path = [PathStep::Key("data"), PathStep::Key(key)];
            let named = config_maps.get(&(namespace, name)).into_iter().flatten();
            for &(at, object) in named {
                let file = &context.files[at.file];
                let value = file
                    .tree
                    .lookup(object.node, &path)
                    .and_then(|e| file.tree.scalar(e.value));
                if value != Some("true") {
                    continue;
                }
                let view = context.view(at);
                let span = context.objects.value_span(at, &path).unwrap_or_default();
                let message = format!(
                    "{} lets every Ingress of {} {} carry raw configuration snippets (`{key}: \"true\"`)",
                    view.reference(),
                    instance.controller.id,
                    context.objects.reference(instance.workload)
                );
                out.push(view.finding(&info, span, message).help(
                    "replace the snippets with dedicated annotations or the target's features (`ingress-lint check --to TARGET`), then set it to \"false\"",
                ));
            }
        }
    }
}
