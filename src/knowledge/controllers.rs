//! Ingress controllers (`rules/controllers/<id>.yaml`): how to recognise one in a workload,
//! which settings (flags, env vars) it reads with their defaults, the class sets it serves,
//! when it takes class-less Ingresses, the ports it listens on, its annotation prefixes.
//! Detection code is written once over this data; adding a controller touches `rules/` only.

use serde::Deserialize;

use super::sets::{Lifecycle, Role, Traffic};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    /// The controller id of SPEC §1 (`ingress-nginx`, `traefik`, …).
    pub id: String,
    pub name: String,
    pub lifecycle: Lifecycle,
    #[serde(default)]
    pub lifecycle_note: Option<String>,
    pub traffic: Traffic,
    pub images: Vec<Image>,
    /// Pod-template labels a workload must also carry (glob values), e.g. Istio's gateways.
    #[serde(default)]
    pub require_labels: std::collections::BTreeMap<String, String>,
    /// Typical pod labels, for reference.
    pub labels: std::collections::BTreeMap<String, String>,
    /// Traefik reads flag names case-insensitively.
    #[serde(default)]
    pub flags_case_insensitive: bool,
    pub settings: Vec<Setting>,
    pub providers: Vec<Provider>,
    pub publishes_status_when: Vec<Condition>,
    #[serde(default)]
    pub listen_ports: Vec<ListenPort>,
    /// Flags naming listen addresses, `*` standing for any name (`--entrypoints.*.address`).
    #[serde(default)]
    pub listen_flag_patterns: Vec<String>,
    /// Chart values the migration runbook writes, when the controller has an official chart.
    #[serde(default)]
    pub helm: Option<Helm>,
    pub annotation_prefixes: Vec<String>,
    /// Keys it owns under a prefix shared with others (`kubernetes.io/ingress.allow-http`).
    #[serde(default)]
    pub annotation_keys: Vec<String>,
    /// The setting that moves the annotation prefix (ingress-nginx `--annotations-prefix`).
    #[serde(default)]
    pub annotation_prefix_setting: Option<String>,
    /// Its configuration ConfigMap, when it reads one.
    #[serde(default)]
    pub config_map: Option<ConfigMapKnowledge>,
    /// How a cloud controller's load balancers reach the backend pods.
    #[serde(default)]
    pub backend_targets: Option<BackendTargets>,
    /// How flags, env and a configuration file combine; absent: a flag wins over its env
    /// var, setting by setting.
    #[serde(default)]
    pub configuration: Option<Configuration>,
    pub sources: Vec<String>,
}

/// An annotation choosing whether a cloud load balancer sends traffic to the pods or through
/// node ports.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendTargets {
    pub annotation: String,
    /// Where the annotation is read, first first.
    pub read_on: Vec<AnnotatedObject>,
    /// The value when no object sets it.
    #[serde(default)]
    pub default: Option<String>,
    /// Values (compared without whitespace, as substrings) that mean node ports.
    pub through_node_ports: Vec<String>,
    /// The classes of Ingresses it serves when it is not in the input (managed).
    pub classes: Vec<String>,
    /// What the finding says.
    pub what: String,
    pub fix: String,
    pub source: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotatedObject {
    Service,
    Ingress,
}

impl BackendTargets {
    /// Whether the annotation's value (or the default, when it is absent) sends traffic
    /// through node ports.
    pub fn through_node_ports(&self, value: Option<&str>) -> bool {
        let Some(value) = value.or(self.default.as_deref()) else {
            return false;
        };
        let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        self.through_node_ports
            .iter()
            .any(|mark| value.contains(mark.as_str()))
    }
}

/// A controller that reads its settings from one source of several.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Configuration {
    pub precedence: SourcePrecedence,
    /// Flags naming the configuration file (`--configfile`).
    #[serde(default)]
    pub file_flags: Vec<String>,
    /// Where the controller looks for its file when no flag names one.
    #[serde(default)]
    pub file_paths: Vec<String>,
    pub source: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourcePrecedence {
    /// The first source that loads is the only one read: a configuration file when one is
    /// found, else the arguments when there are any, else the environment.
    FirstThatLoads,
}

/// Where a controller's ConfigMap is named, and the keys the rules read in it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigMapKnowledge {
    /// The setting holding `namespace/name`.
    pub setting: String,
    /// The key that lets Ingresses carry raw configuration snippets (`"true"`).
    #[serde(default)]
    pub snippets_allowed_key: Option<String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Helm {
    /// `repository/chart`.
    pub chart: String,
    /// `--set` values exposing the controller on host ports `{http}` and `{https}`.
    pub host_port_values: Vec<String>,
    /// `--set` values making it take class-less Ingresses; `None`: it cannot.
    #[serde(default)]
    pub take_classless_values: Option<Vec<String>>,
    /// Values that make it serve another controller's Ingresses as they are.
    #[serde(default)]
    pub serves_as_is: Vec<ServesAsIs>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServesAsIs {
    /// The controller whose Ingresses it serves.
    pub source: String,
    pub values: Vec<String>,
    /// What does it (`Traefik's ingress-nginx provider`), and since which version.
    pub what: String,
    pub since: String,
    /// What that changes in the migration.
    pub effect: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Repository path without registry, tag or digest; a mirror matches on this suffix.
    pub path: String,
    /// A controller (reads Ingresses) or a data plane (carries traffic for a controller).
    pub role: Role,
    /// Arguments one of which the container must have (Contour's `serve`).
    #[serde(default)]
    pub requires_args: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default = "yes")]
    pub verified: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub name: String,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
    /// `string` (default), `bool`, `port` (a number) or `address` (`host:port`).
    #[serde(default = "string_type", rename = "type")]
    pub kind: String,
    pub default: String,
    #[serde(default = "yes")]
    pub verified: bool,
}

fn string_type() -> String {
    "string".into()
}

/// One class set a workload serves (Traefik runs two).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub name: String,
    /// Another controller whose annotations it reads (Traefik's ingress-nginx provider).
    #[serde(default)]
    pub reads_annotations_of: Option<String>,
    /// Bool settings any of which enables the provider; empty: always on.
    #[serde(default)]
    pub enabled_by: Vec<String>,
    /// The setting holding the class name; empty when the class cannot be configured.
    pub class: String,
    /// Class names served when the class setting is empty (or absent).
    #[serde(default)]
    pub default_class_names: Vec<String>,
    /// IngressClass `spec.controller` values claimed: templates over settings, the first that
    /// renders wins. `{x}` needs setting x non-empty; `{/x}` adds `/x` only when x is set.
    pub controller_values: Vec<String>,
    /// IngressClasses are matched by name, not by `spec.controller`.
    #[serde(default)]
    pub match_by_name: bool,
    /// A bool setting that also matches IngressClasses by name.
    #[serde(default)]
    pub class_by_name_when: Option<String>,
    /// When an IngressClass of its controller value must also carry its class's name.
    #[serde(default)]
    pub class_name_filter: ClassNameFilter,
    /// Any of these makes the provider take class-less Ingresses.
    pub classless_when: Vec<Condition>,
    /// Any of these stops it looking IngressClasses up: an Ingress naming one in
    /// `spec.ingressClassName` is then not served (Traefik `disableIngressClassLookup`).
    #[serde(default)]
    pub class_lookup_off_when: Vec<Condition>,
    /// Annotations naming the class (empty: the annotation is not read).
    pub annotation_keys: Vec<String>,
    /// Annotation values served, when not the class names (templates as above).
    #[serde(default)]
    pub annotation_values: Vec<String>,
    /// Which wins when an Ingress has both: `field`, `annotation`, `either`, or
    /// `annotation-only` (the field is not read at all: GCE).
    pub precedence: String,
}

/// Whether an IngressClass naming the provider's controller value must also be named as its
/// class.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ClassNameFilter {
    /// Any IngressClass of its controller value.
    #[default]
    Never,
    /// Only the one named by its class setting, when that is set (Traefik).
    WhenClassSet,
    /// Only the one named by its class, default included (F5 NGINX).
    Always,
}

/// A condition over settings; exactly one field is set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default, rename = "true")]
    pub is_true: Option<String>,
    #[serde(default, rename = "false")]
    pub is_false: Option<String>,
    #[serde(default)]
    pub empty: Option<String>,
    #[serde(default)]
    pub set: Option<String>,
    /// The controller's own IngressClass is the default class.
    #[serde(default)]
    pub own_class_default: bool,
    #[serde(default)]
    pub always: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenPort {
    /// A fixed port, or…
    #[serde(default)]
    pub port: Option<u16>,
    /// …the `port`/`address` setting that holds it.
    #[serde(default)]
    pub setting: Option<String>,
    pub protocol: String,
    /// Which workload listens (default: the controller).
    #[serde(default = "controller_role")]
    pub role: Role,
}

fn controller_role() -> Role {
    Role::Controller
}

impl Image {
    /// Whether an image path (`image_path`) is this image, or a mirror of it.
    pub fn matches(&self, path: &str) -> bool {
        path == self.path
            || path
                .strip_suffix(self.path.as_str())
                .is_some_and(|rest| rest.ends_with('/'))
    }
}

/// `registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:…` → `ingress-nginx/controller`.
pub fn image_path(image: &str) -> String {
    let image = image.split('@').next().unwrap_or_default();
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    let image = match image[last_slash..].find(':') {
        Some(colon) => &image[..last_slash + colon],
        None => image,
    };
    let mut parts: Vec<&str> = image.split('/').collect();
    if parts.len() > 1
        && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
    {
        parts.remove(0);
    }
    parts.join("/")
}

impl Controller {
    pub fn setting(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.name == name)
    }

    /// The classes it takes with default settings, provider by provider.
    pub fn default_classes(&self) -> Vec<String> {
        let mut classes = Vec::new();
        for provider in &self.providers {
            let class = self
                .setting(&provider.class)
                .map(|s| s.default.clone())
                .unwrap_or_default();
            if class.is_empty() {
                classes.extend(provider.default_class_names.iter().cloned());
            } else {
                classes.push(class);
            }
        }
        classes
    }

    /// The IngressClass `spec.controller` values it claims with default settings: per
    /// provider, the first template whose settings all have a default.
    pub fn default_controller_values(&self) -> Vec<String> {
        let mut values = Vec::new();
        for provider in &self.providers {
            let rendered = provider.controller_values.iter().find_map(|template| {
                let mut out = template.clone();
                for name in template_settings(template) {
                    let value = self.setting(name).map_or("", |s| s.default.as_str());
                    let optional = format!("{{/{name}}}");
                    if out.contains(&optional) {
                        let piece = if value.is_empty() {
                            String::new()
                        } else {
                            format!("/{value}")
                        };
                        out = out.replace(&optional, &piece);
                    } else if value.is_empty() {
                        return None;
                    } else {
                        out = out.replace(&format!("{{{name}}}"), value);
                    }
                }
                Some(out)
            });
            values.extend(rendered);
        }
        values
    }

    pub fn is_retired(&self) -> bool {
        self.lifecycle == Lifecycle::Retired
    }

    pub fn is_cloud(&self) -> bool {
        self.traffic == Traffic::Cloud
    }

    /// Whether an annotation key is this controller's (by prefix or listed key).
    pub fn owns_annotation(&self, key: &str) -> bool {
        self.annotation_keys.iter().any(|k| k == key)
            || key
                .split_once('/')
                .is_some_and(|(prefix, _)| self.annotation_prefixes.iter().any(|p| p == prefix))
    }
}

impl Condition {
    /// The setting a condition reads, if any.
    pub fn setting(&self) -> Option<&str> {
        [&self.is_true, &self.is_false, &self.empty, &self.set]
            .into_iter()
            .flatten()
            .next()
            .map(String::as_str)
    }
}

/// The setting names a template refers to (`{x}` and `{/x}`).
pub fn template_settings(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(rest[open + 1..open + close].trim_start_matches('/'));
        rest = &rest[open + close + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::image_path;
    use crate::knowledge::knowledge;

    #[test]
    fn image_paths_ignore_registry_tag_and_digest() {
        assert_eq!(
            image_path("registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:abc"),
            "ingress-nginx/controller"
        );
        assert_eq!(image_path("docker.io/traefik:v3.7.11"), "traefik");
        assert_eq!(image_path("traefik"), "traefik");
        assert_eq!(image_path("localhost:5000/kong:3.9"), "kong");
        assert_eq!(
            image_path("mirror.corp:443/proxy/haproxytech/kubernetes-ingress"),
            "proxy/haproxytech/kubernetes-ingress"
        );
    }

    #[test]
    fn default_controller_values_render_the_defaults() {
        let k = knowledge();
        let values = |id: &str| k.controller(id).unwrap().default_controller_values();
        assert_eq!(values("ingress-nginx"), ["k8s.io/ingress-nginx"]);
        assert!(values("traefik").contains(&"traefik.io/ingress-controller".to_string()));
    }

    /// SPEC §1: the controller ids `--to`, `--from` and the output use.
    const IDS: [&str; 15] = [
        "aws-alb",
        "azure-agic",
        "cilium",
        "contour",
        "emissary",
        "f5-nginx",
        "gce",
        "haproxy",
        "haproxy-ingress",
        "ingress-nginx",
        "istio",
        "kong",
        "openshift-router",
        "skipper",
        "traefik",
    ];

    #[test]
    fn every_controller_is_complete_consistent_and_sourced() {
        let controllers = &knowledge().controllers;
        let mut ids: Vec<&str> = controllers.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, IDS);
        for c in controllers {
            let id = &c.id;
            assert!(
                !c.sources.is_empty() && c.sources.iter().all(|s| s.starts_with("https://")),
                "{id}: sources"
            );
            assert!(
                ["maintained", "retired"].contains(&c.lifecycle.as_str()),
                "{id}: lifecycle"
            );
            assert!(
                ["in-cluster", "cloud"].contains(&c.traffic.as_str()),
                "{id}: traffic"
            );
            assert!(!c.providers.is_empty(), "{id}: no provider");
            for image in &c.images {
                assert!(
                    ["controller", "data-plane"].contains(&image.role.as_str()),
                    "{id}: role {}",
                    image.role
                );
                assert!(
                    !image.path.contains(':') && !image.path.contains('@'),
                    "{id}: {} has a tag",
                    image.path
                );
            }
            let mut names: Vec<&str> = c.settings.iter().map(|s| s.name.as_str()).collect();
            names.sort_unstable();
            let count = names.len();
            names.dedup();
            assert_eq!(count, names.len(), "{id}: duplicate setting");
            for setting in &c.settings {
                assert!(
                    ["string", "bool", "port", "address"].contains(&setting.kind.as_str()),
                    "{id}: {}",
                    setting.name
                );
                assert!(
                    !setting.flags.is_empty() || !setting.env.is_empty(),
                    "{id}: {} is read from nowhere",
                    setting.name
                );
                if setting.kind == "bool" {
                    assert!(
                        ["true", "false"].contains(&setting.default.as_str()),
                        "{id}: {}",
                        setting.name
                    );
                }
                if setting.kind == "port" {
                    assert!(
                        setting.default.parse::<u16>().is_ok(),
                        "{id}: {}",
                        setting.name
                    );
                }
            }
            let known = |name: &str| c.setting(name).is_some();
            for provider in &c.providers {
                let p = &provider.name;
                assert!(
                    ["field", "annotation", "either", "annotation-only"]
                        .contains(&provider.precedence.as_str()),
                    "{id}/{p}"
                );
                assert!(
                    provider.class.is_empty() || known(&provider.class),
                    "{id}/{p}: class setting"
                );
                assert!(
                    !provider.class.is_empty() || !provider.default_class_names.is_empty(),
                    "{id}/{p}: serves no class"
                );
                assert!(
                    provider.match_by_name
                        || !provider.controller_values.is_empty()
                        || provider.precedence == "annotation-only",
                    "{id}/{p}: cannot match IngressClasses"
                );
                for name in provider
                    .enabled_by
                    .iter()
                    .chain(&provider.class_by_name_when)
                {
                    assert!(known(name), "{id}/{p}: {name}");
                }
                for template in provider
                    .controller_values
                    .iter()
                    .chain(&provider.annotation_values)
                {
                    for name in super::template_settings(template) {
                        assert!(known(name), "{id}/{p}: template {template}");
                    }
                }
                for condition in provider
                    .classless_when
                    .iter()
                    .chain(&provider.class_lookup_off_when)
                {
                    assert!(condition.setting().is_none_or(known), "{id}/{p}: condition");
                }
            }
            for condition in &c.publishes_status_when {
                assert!(
                    condition.setting().is_none_or(known),
                    "{id}: status condition"
                );
            }
            for port in &c.listen_ports {
                assert!(
                    port.port.is_some() != port.setting.is_some(),
                    "{id}: listen port needs a port or a setting"
                );
                assert!(
                    port.setting.as_deref().is_none_or(known),
                    "{id}: listen setting"
                );
                assert!(
                    ["TCP", "UDP"].contains(&port.protocol.as_str()),
                    "{id}: protocol"
                );
            }
            assert!(
                c.annotation_prefix_setting.as_deref().is_none_or(known),
                "{id}: prefix setting"
            );
            assert!(
                c.config_map.as_ref().is_none_or(|m| known(&m.setting)),
                "{id}: config map setting"
            );
        }
    }
}
