//! Ingresses that application charts render from their values (`rules/values-ingresses.yaml`):
//! the values path of each chart's `ingress:` blocks and the layout of the fields a block is
//! read from, plus the shapes read in charts the data does not know.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::charts::Condition;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuesIngresses {
    /// Blocks read in any chart the data does not know (scaffold-shaped, app-template-shaped).
    pub generic: Vec<Block>,
    pub charts: Vec<AppChart>,
    /// Whole objects charts render from their values.
    pub objects: Vec<ValuesObjects>,
}

/// Where a chart's values hold whole objects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuesObjects {
    /// The chart (none: every chart).
    #[serde(default)]
    pub chart: Option<String>,
    /// The values path.
    pub at: String,
    pub form: ObjectsForm,
    pub source: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectsForm {
    /// A list of whole manifests.
    Manifests,
    /// argocd-apps: Applications by name (a map, or a list of items with `name`).
    ArgoApplications,
    /// argocd-apps: ApplicationSets by name.
    ArgoApplicationsets,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppChart {
    pub chart: String,
    /// Repository URLs that publish it, without scheme.
    pub repositories: Vec<String>,
    pub blocks: Vec<Block>,
}

/// One `ingress:` block of a chart's values and how the chart renders it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// The block's values path (`server.ingress`).
    pub at: String,
    /// A map of named blocks (app-template's `ingress: {app: {...}}`).
    #[serde(default)]
    pub named: bool,
    /// Conditions on the whole values besides the block's own switch.
    #[serde(default)]
    pub when: Vec<Condition>,
    /// The key that switches the block on.
    pub enabled: String,
    /// Whether it is on when that key is unset.
    pub enabled_default: bool,
    /// Keys of the class name, the first set wins.
    pub class: Vec<String>,
    pub hosts: Vec<HostsAt>,
    /// The chart passes hosts through Helm's `tpl` (`{{ .Release.Name }}` is filled in).
    #[serde(default)]
    pub tpl: bool,
    pub paths: Vec<PathsAt>,
    /// The path written when no alternative of `paths` is set.
    #[serde(default)]
    pub path_default: Option<String>,
    pub path_type: PathType,
    /// The key of the `tls` list (`[{hosts, secretName}]`).
    #[serde(default)]
    pub tls: Option<String>,
    pub name: Name,
    /// The length the chart cuts its fullname to (63, Kubernetes' limit, unless it says).
    #[serde(default = "fullname_max")]
    pub fullname_max: usize,
    pub backend: Backend,
    /// The chart's defaults for values the block reads: values path → value (YAML scalar).
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    pub source: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostsAt {
    pub key: String,
    pub form: HostsForm,
    /// A values path whose value is the host when no alternative is set.
    #[serde(default)]
    pub default_from: Option<String>,
    /// The host when no alternative is set.
    #[serde(default)]
    pub default: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostsForm {
    /// `[{host, paths}]`.
    Objects,
    /// `[host]`.
    Strings,
    /// One host string.
    Single,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathsAt {
    pub key: String,
    pub form: PathsForm,
    /// `key` is a path from the values' root, not from the block.
    #[serde(default)]
    pub root: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathsForm {
    /// Each host object's own list: strings or `{path, pathType}`.
    PerHost,
    /// The block's list of path strings, for every host.
    List,
    /// The block's one path, for every host.
    Single,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathType {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
}

fn fullname_max() -> usize {
    63
}

/// How the chart names the Ingress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Name {
    /// bjw-s app-template's rule.
    AppTemplate,
    /// A template over `{fullname}`, `{release}`, `{key}`.
    Template(String),
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        let text = String::deserialize(d)?;
        Ok(match text.as_str() {
            "app-template" => Name::AppTemplate,
            _ => Name::Template(text),
        })
    }
}

/// Where each path's backend goes.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Backend {
    /// The chart's Service: a name template and the values path of its port (`=80`: a
    /// literal port).
    Chart { service: String, port: String },
    /// Each path names its own (`service: {identifier|name, port}`): `per-path`.
    PerPath(PerPath),
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PerPath {
    PerPath,
}

impl ValuesIngresses {
    /// The blocks of a chart by its reference and repository; `None` for a chart the data
    /// does not know (its values are read generically).
    pub fn chart(&self, name: &str, repository: Option<&str>) -> Option<&AppChart> {
        let named = || self.charts.iter().filter(|c| c.chart == name);
        if let Some(repository) = repository {
            let repository = super::charts::strip_scheme(repository).trim_end_matches('/');
            if let Some(chart) = named().find(|c| {
                c.repositories.iter().any(|r| {
                    repository
                        .trim_start_matches("oci://")
                        .starts_with(r.as_str())
                })
            }) {
                return Some(chart);
            }
        }
        named().next()
    }
}
