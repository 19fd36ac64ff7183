//! The annotation catalog (`rules/annotations/`): every ingress-nginx annotation with its
//! equivalents per target, other controllers' common keys back to ingress-nginx, and the
//! controller-neutral prefixes that are carried over unchanged.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::sets::{AnnotationStatus, ProviderSupport, Risk, Scope, Verdict};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControllerCatalog {
    pub controller: String,
    /// Every key of the controller is listed: others under its prefix are unknown (typos).
    pub complete: bool,
    pub versions: BTreeMap<String, String>,
    pub annotations: Vec<Annotation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// The key without the prefix (`rewrite-target`).
    pub key: String,
    pub group: String,
    pub scope: Scope,
    pub risk: Risk,
    pub value_type: ValueType,
    pub default: String,
    pub meaning: String,
    pub status: AnnotationStatus,
    #[serde(default)]
    pub removed_in: Option<String>,
    #[serde(default)]
    pub replacement: Option<String>,
    #[serde(default)]
    pub alias_of: Option<String>,
    #[serde(default)]
    pub status_note: Option<String>,
    pub targets: BTreeMap<String, Equivalent>,
    pub sources: Vec<String>,
}

/// What an annotation's value must be: `annotation-value-invalid` checks the checkable
/// kinds the way ingress-nginx parses them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueType {
    /// Go's strconv.ParseBool.
    Bool,
    /// A whole number, in a unit, within bounds when it has them.
    Int(IntType),
    /// nginx `size`: digits with an optional k/m/g suffix.
    Size,
    /// One of these, compared case-insensitively.
    Enum(Vec<String>),
    /// A PCRE pattern.
    Regex,
    Url,
    /// Comma-separated CIDRs.
    CidrList,
    String,
    /// A string, with what it holds (`raw nginx config`, `namespace/secret`).
    Text(String),
    /// The key was removed: it takes nothing.
    Removed,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntType {
    #[serde(default)]
    pub unit: Option<IntUnit>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntUnit {
    Seconds,
    Kilobytes,
    KilobytesPerSecond,
    /// An HTTP status code.
    HttpStatus,
}

impl IntUnit {
    pub fn label(self) -> &'static str {
        match self {
            IntUnit::Seconds => "seconds",
            IntUnit::Kilobytes => "KB",
            IntUnit::KilobytesPerSecond => "KB/s",
            IntUnit::HttpStatus => "HTTP status",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalent {
    pub verdict: Verdict,
    /// The target form: an annotation key, or an object kind and field.
    #[serde(default)]
    pub form: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Traefik's ingress-nginx provider's support, and the version.
    #[serde(default)]
    pub status: Option<ProviderSupport>,
    #[serde(default)]
    pub since: Option<String>,
    /// ingress2gateway's outcome (Gateway API).
    #[serde(default)]
    pub i2gw: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReverseCatalog {
    pub annotations: Vec<ReverseAnnotation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReverseAnnotation {
    pub controller: String,
    /// The full key (`traefik.ingress.kubernetes.io/router.entrypoints`).
    pub key: String,
    pub applies_to: String,
    pub meaning: String,
    #[serde(rename = "ingress-nginx")]
    pub ingress_nginx: Equivalent,
    pub sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Neutral {
    pub prefixes: Vec<NeutralPrefix>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeutralPrefix {
    pub prefix: String,
    pub owner: String,
    pub source: String,
}

/// The targets the ingress-nginx catalog translates to, in report order. Traefik has two
/// paths: its native annotations/Middlewares and its ingress-nginx provider.
pub const TARGETS: [&str; 6] = [
    "traefik",
    "traefik-nginx-provider",
    "haproxy",
    "kong",
    "f5-nginx",
    "gateway-api",
];

impl ControllerCatalog {
    pub fn get(&self, key: &str) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.key == key)
    }
}

impl Neutral {
    pub fn owner(&self, key: &str) -> Option<&NeutralPrefix> {
        self.prefixes.iter().find(|p| key.starts_with(&p.prefix))
    }
}

#[cfg(test)]
mod tests {
    use crate::knowledge::knowledge;

    use super::*;

    #[test]
    fn the_ingress_nginx_catalog_is_complete_and_sourced() {
        let catalog = &knowledge().nginx_annotations;
        assert!(catalog.complete);
        let count = |status: &[&str]| {
            catalog
                .annotations
                .iter()
                .filter(|a| status.contains(&a.status.as_str()))
                .count()
        };
        use crate::knowledge::sets::{AnnotationStatus as S, Risk, Scope};
        // shared/reference/annotation-catalog.md: 136 current, 2 old names still accepted, 19
        // removed. A change to these counts must say why. Removed: +8 found in the Ingress
        // corpus and confirmed by maintainers' PRs (lua-resty-waf ×7 in 0.27.0, #4779/#3187;
        // mirror-uri, #5015).
        assert_eq!(count(&["active", "restricted", "obsolete"]), 136);
        assert_eq!(count(&["alias"]), 2);
        assert_eq!(count(&["removed"]), 19 + 8);
        let mut keys: Vec<&str> = catalog.annotations.iter().map(|a| a.key.as_str()).collect();
        keys.sort_unstable();
        let total = keys.len();
        keys.dedup();
        assert_eq!(total, keys.len(), "duplicate keys");
        for a in &catalog.annotations {
            let k = &a.key;
            assert!(
                !a.sources.is_empty() && a.sources.iter().all(|s| s.starts_with("https://")),
                "{k}: sources"
            );
            assert!(!a.meaning.is_empty() && !a.group.is_empty(), "{k}");
            let targets: Vec<&str> = a.targets.keys().map(String::as_str).collect();
            let mut expected = TARGETS.to_vec();
            expected.sort_unstable();
            assert_eq!(targets, expected, "{k}: targets");
            for (target, e) in &a.targets {
                assert_ne!(e.verdict, Verdict::Unknown, "{k}/{target}");
                if target != "traefik-nginx-provider" && e.verdict != Verdict::None {
                    assert!(
                        e.form.is_some(),
                        "{k}/{target}: a verdict without a target form"
                    );
                }
            }
            match a.status {
                S::Removed => assert!(a.removed_in.is_some(), "{k}: removed without a version"),
                S::Alias => assert!(
                    a.alias_of
                        .as_deref()
                        .is_some_and(|of| catalog.get(of).is_some()),
                    "{k}: alias of what?"
                ),
                S::Active | S::Restricted | S::Obsolete => {
                    assert_ne!(a.risk, Risk::None, "{k}: risk");
                    assert_ne!(a.scope, Scope::None, "{k}: scope");
                }
            }
        }
    }

    #[test]
    fn the_reverse_catalog_names_known_controllers() {
        let k = knowledge();
        let mut seen = std::collections::BTreeSet::new();
        for a in &k.reverse_annotations.annotations {
            let controller = k
                .controller(&a.controller)
                .unwrap_or_else(|| panic!("{}: unknown controller {}", a.key, a.controller));
            // Traefik Middleware fields are listed too: the CRD form of its features.
            let is_crd_field = a.applies_to.ends_with("CRD");
            assert!(
                is_crd_field
                    || a.key == crate::knowledge::CLASS_ANNOTATION
                    || controller.owns_annotation(&a.key),
                "{}: not an annotation of {}",
                a.key,
                a.controller
            );
            assert_ne!(a.ingress_nginx.verdict, Verdict::Unknown, "{}", a.key);
            assert!(!a.sources.is_empty(), "{}: sources", a.key);
            assert!(seen.insert((&a.controller, &a.key)), "{}: duplicate", a.key);
        }
        assert_eq!(seen.len(), 203);
    }
}
