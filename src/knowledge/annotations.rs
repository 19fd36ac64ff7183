//! The annotation catalog (`rules/annotations/`): every ingress-nginx annotation with its
//! equivalents per target, other controllers' common keys back to ingress-nginx, and the
//! controller-neutral prefixes that are carried over unchanged.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::parse_bool;
use super::sets::{AnnotationStatus, GatewaySupport, ProviderSupport, Risk, Scope, Verdict};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControllerCatalog {
    pub controller: String,
    /// Every key of the controller is listed: others under its prefix are unknown (typos).
    pub complete: bool,
    /// What the catalog translates to, in report order.
    pub targets: Vec<CatalogTarget>,
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
    /// The key this one only works with (`cors-max-age` → `enable-cors`).
    #[serde(default)]
    pub requires: Option<String>,
    pub targets: BTreeMap<String, Equivalent>,
    pub sources: Vec<String>,
}

impl Annotation {
    /// A problem with a value, by the catalog's value type, read as ingress-nginx parses
    /// it: (message, help). ingress-nginx logs such a value and keeps its default.
    pub fn value_problem(&self, value: &str) -> Option<(String, String)> {
        if self.key == "app-root" && value == "/" {
            return Some((
                "ingress-nginx redirects `/` to the application root: a root of `/` redirects `/` to itself, a loop".into(),
                "name the application's path (`/app`), or remove the annotation".into(),
            ));
        }
        match &self.value_type {
            ValueType::Bool => parse_bool(value).is_none().then(|| {
                (
                    format!(
                        "`{value}` is not a boolean; ingress-nginx falls back to the default ({})",
                        self.default
                    ),
                    "write \"true\" or \"false\"".into(),
                )
            }),
            ValueType::Int(int) => int_problem(int, self, value),
            ValueType::Size => (!is_nginx_size(value)).then(|| {
                (
                    format!(
                        "`{value}` is not an nginx size; ingress-nginx falls back to {}",
                        self.default
                    ),
                    "write a number with an optional k, m or g suffix: \"8m\", \"512k\"".into(),
                )
            }),
            ValueType::Enum(allowed) => (!allowed.iter().any(|o| o.eq_ignore_ascii_case(value)))
                .then(|| {
                    (
                        format!("`{value}` is not one of {}", allowed.join(", ")),
                        format!("use one of: {}", allowed.join(", ")),
                    )
                }),
            ValueType::Regex
            | ValueType::Url
            | ValueType::CidrList
            | ValueType::String
            | ValueType::Text(_)
            | ValueType::Removed => None,
        }
    }
}

fn int_problem(int: &IntType, entry: &Annotation, value: &str) -> Option<(String, String)> {
    if int.unit == Some(IntUnit::HttpStatus) {
        let (min, max) = (int.min.unwrap_or(100), int.max.unwrap_or(599));
        return match value.parse::<i64>() {
            Ok(code) if (min..=max).contains(&code) => None,
            _ => Some((
                format!(
                    "`{value}` is not a redirect status ({min}–{max}); ingress-nginx uses {} instead",
                    entry.default
                ),
                "use 301, 302, 303, 307 or 308".into(),
            )),
        };
    }
    if value.parse::<i64>().is_ok() {
        return None;
    }
    let kind = match int.unit {
        Some(unit) => format!("int ({})", unit.label()),
        None => "int".to_string(),
    };
    let whole = value.trim_end_matches('s');
    let help = if int.unit == Some(IntUnit::Seconds) && whole.parse::<i64>().is_ok() {
        format!("write whole seconds without a unit: \"{whole}\"")
    } else {
        format!("write a whole number ({kind})")
    };
    Some((
        format!("`{value}` is not a whole number; ingress-nginx ignores it"),
        help,
    ))
}

/// nginx `size`: digits with an optional k/K/m/M/g/G.
pub fn is_nginx_size(value: &str) -> bool {
    let digits = value
        .strip_suffix(['k', 'K', 'm', 'M', 'g', 'G'])
        .unwrap_or(value);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
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
    /// The conformance level of the Gateway API field the key maps to.
    #[serde(default)]
    pub support: Option<GatewaySupport>,
}

/// The source controller's global settings (its ConfigMap keys) and where each goes on a
/// target's global configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsCatalog {
    pub controller: String,
    pub sources: BTreeMap<String, String>,
    pub keys: Vec<GlobalSetting>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalSetting {
    pub key: String,
    pub default: String,
    /// The source does it with no ConfigMap at all: worth naming when the target does not.
    #[serde(default)]
    pub notable_default: bool,
    pub meaning: String,
    pub targets: BTreeMap<String, Equivalent>,
}

impl SettingsCatalog {
    pub fn get(&self, key: &str) -> Option<&GlobalSetting> {
        self.keys.iter().find(|k| k.key == key)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReverseCatalog {
    pub target: CatalogTarget,
    pub annotations: Vec<ReverseAnnotation>,
}

/// A target of a catalog's translations, or a second path to one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogTarget {
    pub id: String,
    /// The target this is a second path to (Traefik's ingress-nginx provider).
    #[serde(default)]
    pub path_of: Option<String>,
    /// It reads the source controller's annotation keys as they are.
    #[serde(default)]
    pub reads_source_keys: bool,
    pub label: String,
    /// An entry's source whose URL holds one of these documents the target's side.
    pub source_marks: Vec<String>,
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

/// The ingress-nginx controller id: the source of the catalog, the target of the reverse one.
pub const NGINX: &str = "ingress-nginx";
/// ingress-nginx's annotation prefix, unless `--annotations-prefix` moves it.
pub const NGINX_PREFIX: &str = "nginx.ingress.kubernetes.io";

/// The closest of `candidates`, when close enough to be a typo.
pub fn did_you_mean<'a>(suffix: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let close = |c: &str| 3.max(c.len() / 5);
    // The distance is at least the difference in length: most candidates need no count.
    let chars = suffix.chars().count();
    candidates
        .filter(|c| chars.abs_diff(c.chars().count()) <= close(c))
        .map(|c| (strsim::levenshtein(suffix, c), c))
        .filter(|(distance, c)| *distance <= close(c) && *distance < c.len())
        .min()
        .map(|(_, c)| c.to_string())
}

impl super::Knowledge {
    /// Every target with translation data: the catalog's (not second paths), then the
    /// reverse catalog's.
    pub fn translation_targets(&self) -> Vec<&str> {
        self.nginx_annotations
            .targets
            .iter()
            .filter(|t| t.path_of.is_none())
            .map(|t| t.id.as_str())
            .chain([self.reverse_annotations.target.id.as_str()])
            .collect()
    }

    /// The paths to `target` the catalog lists (the target, and any second path to it).
    pub fn paths_to(&self, target: &str) -> impl Iterator<Item = &CatalogTarget> + '_ {
        let target = target.to_string();
        self.nginx_annotations
            .targets
            .iter()
            .filter(move |t| t.id == target || t.path_of.as_deref() == Some(target.as_str()))
    }

    /// The source among an entry's `sources` that documents `target`'s side.
    pub fn target_source<'s>(&self, sources: &'s [String], target: &str) -> Option<&'s str> {
        let reverse = &self.reverse_annotations.target;
        let marks = self
            .nginx_annotations
            .targets
            .iter()
            .chain([reverse])
            .find(|t| t.id == target)
            .map_or(&reverse.source_marks, |t| &t.source_marks);
        sources
            .iter()
            .find(|s| marks.iter().any(|m| s.contains(m.as_str())))
            .map(String::as_str)
    }

    /// The controller an annotation key belongs to, if any; `nginx_prefixes` are the
    /// prefixes ingress-nginx reads in this input.
    pub fn owner(&self, nginx_prefixes: &[String], key: &str) -> Option<String> {
        if key == super::CLASS_ANNOTATION {
            // Every controller reads the class annotation; it belongs to none.
            return None;
        }
        let (prefix, _) = key.split_once('/')?;
        if nginx_prefixes.iter().any(|p| p == prefix) {
            return Some(NGINX.into());
        }
        if let Some(entry) = self
            .reverse_annotations
            .annotations
            .iter()
            .find(|a| a.key == key)
        {
            return Some(entry.controller.clone());
        }
        self.controllers
            .iter()
            .find(|c| c.id != NGINX && c.owns_annotation(key))
            .map(|c| c.id.clone())
    }
}

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
    fn nginx_sizes() {
        for ok in ["8m", "512k", "0", "1G", "100"] {
            assert!(is_nginx_size(ok), "{ok}");
        }
        for bad in ["8mb", "1.5m", "", "m", "8 m"] {
            assert!(!is_nginx_size(bad), "{bad}");
        }
    }

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
            let mut expected: Vec<&str> = catalog.targets.iter().map(|t| t.id.as_str()).collect();
            expected.sort_unstable();
            assert_eq!(targets, expected, "{k}: targets");
            for (target, e) in &a.targets {
                assert_ne!(e.verdict, Verdict::Unknown, "{k}/{target}");
                let reads_source_keys = catalog
                    .targets
                    .iter()
                    .any(|t| &t.id == target && t.reads_source_keys);
                // A Gateway API verdict that expresses the key says at which conformance level.
                if target == "gateway-api" && matches!(e.verdict, Verdict::Exact | Verdict::Partial)
                {
                    assert!(e.support.is_some(), "{k}/{target}: no support level");
                }
                if !reads_source_keys && e.verdict != Verdict::None {
                    assert!(
                        e.form.is_some(),
                        "{k}/{target}: a verdict without a target form"
                    );
                }
            }
            if let Some(parent) = &a.requires {
                assert!(
                    catalog.get(parent).is_some(),
                    "{k}: requires an unknown key"
                );
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
    fn every_global_setting_has_a_verdict_for_every_convert_target() {
        let catalog = &knowledge().nginx_settings;
        assert_eq!(catalog.controller, "ingress-nginx");
        for setting in &catalog.keys {
            let targets: Vec<&str> = setting.targets.keys().map(String::as_str).collect();
            assert_eq!(
                targets,
                ["f5-nginx", "gateway-api", "haproxy", "kong", "traefik"],
                "{}",
                setting.key
            );
            for (target, e) in &setting.targets {
                assert_ne!(e.verdict, Verdict::Unknown, "{}/{target}", setting.key);
                assert!(
                    e.verdict == Verdict::None || e.form.is_some(),
                    "{}/{target}: a verdict without a form",
                    setting.key
                );
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
