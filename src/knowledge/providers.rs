//! Load-balancer implementations (`rules/providers.yaml`): how to recognise one on a Service
//! and what replaces the deprecated `spec.loadBalancerIP` there.

use serde::Deserialize;

use super::sets::Honours;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Providers {
    pub deprecation: Deprecation,
    pub providers: Vec<Provider>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    pub field: String,
    pub deprecated_in: String,
    pub reason: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub detect: Detect,
    pub annotations: Vec<ProviderAnnotation>,
    /// Older keys still read: they pin an IP too, but are never suggested.
    #[serde(default)]
    pub legacy_annotations: Vec<ProviderAnnotation>,
    /// Whether the implementation still reads `spec.loadBalancerIP`.
    pub honours_spec_field: Honours,
    pub note: String,
    /// Annotations that let Services share an IP, when their values match.
    #[serde(default)]
    pub ip_sharing_keys: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    pub annotation_prefixes: Vec<String>,
    pub load_balancer_classes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderAnnotation {
    pub key: String,
    pub value: String,
}

impl Providers {
    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// The provider a Service's annotations or `loadBalancerClass` point at, if exactly one.
    pub fn infer<'a>(
        &self,
        annotation_keys: impl Iterator<Item = &'a str> + Clone,
        class: Option<&str>,
    ) -> Option<&Provider> {
        let mut matches = self.providers.iter().filter(|p| {
            class.is_some_and(|c| p.detect.load_balancer_classes.iter().any(|k| k == c))
                || annotation_keys.clone().any(|key| {
                    p.detect
                        .annotation_prefixes
                        .iter()
                        .any(|prefix| key.starts_with(prefix.as_str()))
                })
        });
        let first = matches.next()?;
        matches.next().is_none().then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use crate::knowledge::knowledge;

    #[test]
    fn every_provider_is_complete_and_sourced() {
        let providers = &knowledge().providers;
        let mut ids: Vec<&str> = providers.providers.iter().map(|p| p.id.as_str()).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate provider ids");
        // The ids `--provider` accepts (SPEC §1).
        assert_eq!(
            ids,
            [
                "aks",
                "cilium",
                "digitalocean",
                "eks",
                "gke",
                "hetzner",
                "kube-vip",
                "linode",
                "metallb",
                "openstack",
                "oracle"
            ]
        );
        for provider in &providers.providers {
            assert!(!provider.sources.is_empty(), "{}: no source", provider.id);
            assert!(
                provider.sources.iter().all(|s| s.starts_with("https://")),
                "{}",
                provider.id
            );
            assert!(
                !provider.annotations.is_empty(),
                "{}: no annotation",
                provider.id
            );
            assert!(
                ["true", "false", "unknown"].contains(&provider.honours_spec_field.as_str()),
                "{}",
                provider.id
            );
            assert!(
                !provider.detect.annotation_prefixes.is_empty(),
                "{}: cannot be inferred",
                provider.id
            );
        }
    }

    #[test]
    fn inference_needs_a_single_match() {
        let providers = &knowledge().providers;
        let keys = ["metallb.io/address-pool"];
        assert_eq!(
            providers
                .infer(keys.iter().copied(), None)
                .map(|p| p.id.as_str()),
            Some("metallb")
        );
        assert_eq!(
            providers
                .infer([].iter().copied(), Some("service.k8s.aws/nlb"))
                .map(|p| p.id.as_str()),
            Some("eks")
        );
        assert!(providers.infer(["a/b"].iter().copied(), None).is_none());
    }
}
