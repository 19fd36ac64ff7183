//! Helm charts of ingress controllers (`rules/charts/<chart>.yaml`): how a chart is
//! recognised (names, repositories), the versions the data was read from, and what the chart
//! renders — the controller workload, its Services and IngressClasses — as expressions over
//! the release's values. The chart's own `values.yaml` (`rules/charts/defaults/`) supplies the
//! defaults, so a value the user did not set reads exactly as the chart would render it.
//!
//! The expressions are a small typed language, parsed when the data is read:
//! - a template string: literal text with `{release}`, `{namespace}`, `{fullname}`, `{key}`
//!   (the current `each` entry's key) and `${values.path}` (a value; `${.}` and `${.x}` are
//!   the current `each` entry and a field of it; `${a|b}` takes the first that is set, and
//!   `${a|=text}` falls back to the text). A
//!   template that is exactly one `${…}` keeps the values node, and so its location.
//! - a condition: `path` (Helm's truthiness), `!path`, `path=text` (`path=a|b`: either, as
//!   a template's `or (eq … "a") (eq … "b")`), `path!=text`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chart {
    /// The chart's name in its repository.
    pub chart: String,
    /// The controller id it installs.
    pub controller: String,
    /// Other names the same chart is published under.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Repository URLs (Helm repositories, OCI registries) that publish it, without scheme.
    pub repositories: Vec<String>,
    /// The name alone is too common to tell the chart (Kong's `ingress`): the repository must
    /// match too. Otherwise a known name from an unknown repository (a mirror) matches.
    #[serde(default)]
    pub name_needs_repository: bool,
    /// The chart versions whose templates this data describes.
    pub versions: VersionRange,
    /// `rules/charts/defaults/<file>`: the chart's `values.yaml` at `versions.read`.
    pub defaults: String,
    /// How the chart names its objects.
    pub fullname: Fullname,
    /// A parent chart holding this one as subcharts, by alias (Kong's `ingress` chart).
    #[serde(default)]
    pub subcharts: Vec<Subchart>,
    #[serde(default)]
    pub workloads: Vec<WorkloadSpec>,
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    #[serde(default)]
    pub ingress_classes: Vec<IngressClassSpec>,
    /// The controller's configuration ConfigMap.
    #[serde(default)]
    pub config_maps: Vec<ConfigMapSpec>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigMapSpec {
    pub template: String,
    pub name: Template,
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Keys the template writes from values.
    #[serde(default)]
    pub entries: Vec<ConfigEntry>,
    /// A values map copied into `data`.
    #[serde(default)]
    pub data_from: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigEntry {
    pub key: String,
    pub value: Template,
    #[serde(default)]
    pub when: Vec<Condition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRange {
    /// Oldest version known to render the same way for every fact here.
    pub min: Version,
    /// Newest version checked.
    pub max: Version,
    /// The version whose templates and `values.yaml` were read.
    pub read: Version,
}

/// A chart version, `major.minor.patch` (a pre-release suffix is ignored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches('v');
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let major = parts.next()??;
        let minor = parts.next().unwrap_or(Some(0))?;
        let patch = parts.next().unwrap_or(Some(0))?;
        Some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Version, D::Error> {
        let text = String::deserialize(d)?;
        Version::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a chart version: `{text}`")))
    }
}

/// How `{fullname}` is made from the release name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Fullname {
    /// Helm's scaffold: `fullnameOverride`, else the release name when it contains the chart
    /// name (or `nameOverride`), else `release-chart`.
    Standard,
    /// Always `release-chart` (or `release-nameOverride`); `fullnameOverride` wins.
    ReleaseDashChart,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subchart {
    /// The alias the parent gives the subchart; its values sit under this key.
    pub alias: String,
    /// The chart it is (another `rules/charts/` file).
    pub chart: String,
    /// The parent's `Chart.yaml` condition that enables it.
    #[serde(default)]
    pub condition: Option<Condition>,
}

/// Deployment or DaemonSet, as the chart chooses from its values.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    DaemonSet,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::DaemonSet => "DaemonSet",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// The template file that renders it (reported as the finding's Helm source).
    pub template: String,
    pub name: Template,
    /// Charts choose the kind from a value: one spec per kind, each with its `when`.
    pub kind: WorkloadKind,
    #[serde(default)]
    pub when: Vec<Condition>,
    #[serde(default)]
    pub host_network: Option<Template>,
    #[serde(default)]
    pub dns_policy: Option<Template>,
    pub containers: Vec<ContainerSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    pub name: String,
    #[serde(default)]
    pub when: Vec<Condition>,
    /// The image the controller knowledge recognises (registry and tag do not matter).
    pub image: String,
    #[serde(default)]
    pub args: Vec<ArgSpec>,
    /// Arguments taken from a values map or list.
    #[serde(default)]
    pub args_from: Vec<ArgsFrom>,
    #[serde(default)]
    pub env: Vec<EnvSpec>,
    /// A values list of `{name, value}` env vars, passed through.
    #[serde(default)]
    pub env_from: Option<String>,
    #[serde(default)]
    pub ports: Vec<PortSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgSpec {
    pub arg: Template,
    #[serde(default)]
    pub when: Vec<Condition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgsFrom {
    pub path: String,
    pub form: ArgsForm,
    /// Prepended to each key (`map`, `prefixed-map`).
    #[serde(default)]
    pub prefix: String,
    /// Keys left out.
    #[serde(default)]
    pub omit: Vec<String>,
    #[serde(default)]
    pub when: Vec<Condition>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ArgsForm {
    /// `{key: value}` → `--key=value` (a key with an empty value or `true`: `--key`).
    Map,
    /// Each item is one argument, as written.
    List,
    /// `{key: value}` → `<prefix><key>=<value>`, every value written out.
    PrefixedMap,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvSpec {
    pub name: String,
    pub value: Template,
    #[serde(default)]
    pub when: Vec<Condition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// A values map: one port per entry (`{key}`, `${.}`).
    #[serde(default)]
    pub each: Option<String>,
    pub name: Template,
    pub container_port: Template,
    #[serde(default)]
    pub host_port: Option<Template>,
    /// When the host port is set (besides having a value).
    #[serde(default)]
    pub host_port_when: Vec<Condition>,
    #[serde(default)]
    pub protocol: Option<Template>,
    #[serde(default)]
    pub when: Vec<Condition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub template: String,
    pub name: Template,
    #[serde(default)]
    pub when: Vec<Condition>,
    #[serde(rename = "type")]
    pub type_: Template,
    /// Service spec fields copied from values when set.
    #[serde(default)]
    pub fields: BTreeMap<ServiceField, Template>,
    #[serde(default)]
    pub annotations: Option<String>,
    #[serde(default)]
    pub ports: Vec<ServicePortSpec>,
}

/// The Service spec fields the rules read.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServiceField {
    #[serde(rename = "loadBalancerIP")]
    LoadBalancerIp,
    #[serde(rename = "loadBalancerClass")]
    LoadBalancerClass,
    #[serde(rename = "externalTrafficPolicy")]
    ExternalTrafficPolicy,
}

impl ServiceField {
    pub fn key(self) -> &'static str {
        match self {
            ServiceField::LoadBalancerIp => "loadBalancerIP",
            ServiceField::LoadBalancerClass => "loadBalancerClass",
            ServiceField::ExternalTrafficPolicy => "externalTrafficPolicy",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePortSpec {
    #[serde(default)]
    pub each: Option<String>,
    pub name: Template,
    pub port: Template,
    pub target_port: Template,
    #[serde(default)]
    pub node_port: Option<Template>,
    #[serde(default)]
    pub protocol: Option<Template>,
    #[serde(default)]
    pub when: Vec<Condition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngressClassSpec {
    pub template: String,
    #[serde(default)]
    pub when: Vec<Condition>,
    pub name: Template,
    /// The name when `name` is empty.
    #[serde(default)]
    pub name_otherwise: Option<Template>,
    pub controller: Template,
    /// When the class is marked default.
    #[serde(default)]
    pub default_when: Vec<Condition>,
    /// A values map of annotations (may carry `is-default-class` itself).
    #[serde(default)]
    pub annotations: Option<String>,
}

/// A piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Release,
    Namespace,
    Fullname,
    Key,
    /// The first of these values paths that is set (`.`-relative to the `each` entry when
    /// they start with a dot; `{key}` inside stands for the entry's key).
    Value(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template(pub Vec<Piece>);

impl Template {
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        let mut literal = String::new();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("${") {
                let close = after
                    .find('}')
                    .filter(|_| !after.starts_with('}'))
                    .ok_or_else(|| format!("unclosed or empty `${{` in `{text}`"))?;
                // `{key}` may sit inside a path: find the `}` that closes `${`.
                let mut depth = 0;
                let mut end = None;
                for (i, c) in after.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            end = Some(i);
                            break;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                let end = end.unwrap_or(close);
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                let paths = after[..end].split('|').map(str::to_string).collect();
                pieces.push(Piece::Value(paths));
                rest = &after[end + 1..];
            } else if let Some(after) = rest.strip_prefix('{') {
                let close = after
                    .find('}')
                    .ok_or_else(|| format!("unclosed `{{` in `{text}`"))?;
                let piece = match &after[..close] {
                    "release" => Piece::Release,
                    "namespace" => Piece::Namespace,
                    "fullname" => Piece::Fullname,
                    "key" => Piece::Key,
                    other => return Err(format!("unknown variable `{{{other}}}` in `{text}`")),
                };
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                pieces.push(piece);
                rest = &after[close + 1..];
            } else {
                let c = rest.chars().next().unwrap_or_default();
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template(pieces))
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Template, D::Error> {
        let text = String::deserialize(d)?;
        Template::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A test of one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// Helm's truthiness: set, and not false, 0, empty or null.
    Truthy,
    Falsy,
    Equals(String),
    Differs(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub path: String,
    pub test: Test,
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, String> {
        let valid = |path: &str| {
            !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-{}".contains(c))
        };
        let (path, test) = if let Some((path, value)) = text.split_once("!=") {
            (path, Test::Differs(value.to_string()))
        } else if let Some((path, value)) = text.split_once('=') {
            (path, Test::Equals(value.to_string()))
        } else if let Some(path) = text.strip_prefix('!') {
            (path, Test::Falsy)
        } else {
            (text, Test::Truthy)
        };
        if !valid(path) {
            return Err(format!("not a condition: `{text}`"));
        }
        Ok(Condition {
            path: path.to_string(),
            test,
        })
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Condition, D::Error> {
        let text = String::deserialize(d)?;
        Condition::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Chart {
    /// Whether a chart name is this chart's.
    pub fn has_name(&self, name: &str) -> bool {
        name == self.chart || self.aliases.iter().any(|a| a == name)
    }

    /// Whether a repository URL is one this chart is published in.
    pub fn published_in(&self, repository: &str) -> bool {
        let repo = strip_scheme(repository).trim_end_matches('/');
        self.repositories
            .iter()
            .any(|known| repo.starts_with(known.as_str()))
    }
}

/// `https://charts.example/x/` → `charts.example/x/`; `oci://ghcr.io/x` → `ghcr.io/x`.
pub fn strip_scheme(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_into_pieces() {
        let t = Template::parse("{fullname}-${controller.name|.x}/{key}").unwrap();
        assert_eq!(
            t.0,
            [
                Piece::Fullname,
                Piece::Text("-".into()),
                Piece::Value(vec!["controller.name".into(), ".x".into()]),
                Piece::Text("/".into()),
                Piece::Key,
            ]
        );
        let nested = Template::parse("${controller.hostPort.ports.{key}|.}").unwrap();
        assert_eq!(
            nested.0,
            [Piece::Value(vec![
                "controller.hostPort.ports.{key}".into(),
                ".".into()
            ])]
        );
        assert!(Template::parse("{nope}").is_err());
        assert!(Template::parse("${}").is_err());
    }

    #[test]
    fn conditions_parse() {
        assert_eq!(Condition::parse("!a.b").unwrap().test, Test::Falsy);
        assert_eq!(
            Condition::parse("a.kind=DaemonSet").unwrap().test,
            Test::Equals("DaemonSet".into())
        );
        assert!(Condition::parse("a b").is_err());
    }

    #[test]
    fn versions_compare() {
        assert!(Version::parse("4.15.1").unwrap() > Version::parse("4.2").unwrap());
        assert_eq!(Version::parse("v1.2.3-rc.1"), Some(Version(1, 2, 3)));
        assert_eq!(Version::parse("x"), None);
    }
}
