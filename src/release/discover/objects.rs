//! Releases declared by objects: Flux `HelmRelease` (its `valuesFrom` ConfigMaps and
//! Secrets, `chartRef` sources), Argo CD `Application`/`ApplicationSet`, k3s/RKE2 `HelmChart`
//! with its `HelmChartConfig`.

use manifest::parse::{NodeId, Tree};
use manifest::{LoadedFile, Object, Span};

use super::{
    built_at_path, built_from_text, built_parameters, built_set, child_text, decode_base64,
    path_of, Discovered, Found, Plan, ReleaseKind, Source, ValuesPlan,
};
use crate::knowledge::charts::strip_scheme;
use crate::knowledge::Knowledge;

/// Objects other releases refer to, by kind, namespace and name.
pub(super) struct Index<'f> {
    objects: Vec<(usize, &'f Object)>,
}

impl<'f> Index<'f> {
    pub(super) fn new(files: &'f [LoadedFile]) -> Index<'f> {
        let objects = files
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.objects.iter().map(move |o| (i, o)))
            .filter(|(_, o)| {
                matches!(
                    o.reference.kind.as_str(),
                    "HelmRepository" | "OCIRepository" | "ConfigMap" | "Secret" | "HelmChartConfig"
                )
            })
            .collect();
        Index { objects }
    }

    fn find(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        default_ns: &str,
    ) -> Option<(usize, &'f Object)> {
        self.objects.iter().copied().find(|(_, o)| {
            o.reference.kind == kind
                && o.reference.name == name
                && o.reference.namespace.as_deref().unwrap_or(default_ns) == namespace
        })
    }
}

pub(super) struct Reader<'r, 'f> {
    pub(super) files: &'f [LoadedFile],
    pub(super) file: usize,
    pub(super) object: &'f Object,
    pub(super) index: &'r Index<'f>,
    pub(super) namespace: &'r str,
    pub(super) knowledge: &'static Knowledge,
}

impl Reader<'_, '_> {
    fn tree(&self) -> &Tree {
        &self.files[self.file].tree
    }

    fn node(&self, path: &[&str]) -> Option<NodeId> {
        self.tree()
            .lookup_keys(self.object.node, path)
            .map(|e| e.value)
    }

    fn text(&self, path: &[&str]) -> Option<String> {
        let node = self.node(path)?;
        self.tree().string(node).map(str::to_string)
    }

    fn own_namespace(&self) -> String {
        self.object
            .reference
            .namespace
            .clone()
            .unwrap_or_else(|| self.namespace.to_string())
    }

    fn declared_by(&self) -> String {
        format!(
            "{} {}/{}",
            self.object.reference.kind,
            self.own_namespace(),
            self.object.reference.name
        )
    }

    /// Files a release found (a controller's plan, or an application chart's).
    fn add<'o>(&self, found: Found, out: &'o mut Discovered) -> Option<&'o mut Plan> {
        out.add(self.knowledge, found, self.file, self.declared_by())
    }

    /// Flux `HelmRelease`: `spec.chart.spec` (with its `sourceRef`) or `spec.chartRef`;
    /// `spec.valuesFrom` in order, then `spec.values` on top.
    pub(super) fn flux(&self, out: &mut Discovered) -> Option<()> {
        let namespace = self.own_namespace();
        let (chart, repository, version, anchor_node) =
            if let Some(chart_node) = self.node(&["spec", "chart", "spec", "chart"]) {
                let chart = self.tree().string(chart_node)?.to_string();
                let source_kind = self.text(&["spec", "chart", "spec", "sourceRef", "kind"]);
                let source_name = self.text(&["spec", "chart", "spec", "sourceRef", "name"]);
                let source_ns = self
                    .text(&["spec", "chart", "spec", "sourceRef", "namespace"])
                    .unwrap_or_else(|| namespace.clone());
                let repository = match (source_kind.as_deref(), source_name) {
                    (Some("HelmRepository"), Some(name)) => {
                        self.repository_url("HelmRepository", &source_ns, &name)
                    }
                    _ => None,
                };
                let version = self.text(&["spec", "chart", "spec", "version"]);
                (chart, repository, version, chart_node)
            } else {
                let name_node = self.node(&["spec", "chartRef", "name"])?;
                let kind = self.text(&["spec", "chartRef", "kind"]).unwrap_or_default();
                let name = self.tree().string(name_node)?.to_string();
                let ns = self
                    .text(&["spec", "chartRef", "namespace"])
                    .unwrap_or_else(|| namespace.clone());
                let url = self.repository_url(&kind, &ns, &name)?;
                let chart = strip_scheme(&url).rsplit('/').next()?.to_string();
                let version =
                    self.index
                        .find(&kind, &ns, &name, self.namespace)
                        .and_then(|(f, o)| {
                            let tree = &self.files[f].tree;
                            tree.lookup_keys(o.node, &["spec", "ref", "tag"])
                                .and_then(|e| tree.string(e.value).map(str::to_string))
                        });
                (chart, Some(url), version, name_node)
            };
        let target = self.text(&["spec", "targetNamespace"]);
        let name = self
            .text(&["spec", "releaseName"])
            .unwrap_or_else(|| match &target {
                Some(t) => format!("{t}-{}", self.object.reference.name),
                None => self.object.reference.name.clone(),
            });
        let mut values = ValuesPlan::default();
        if let Some(node) = self.node(&["spec", "values"]) {
            values.sources.push(Source::Node {
                file: self.file,
                node,
                reported_at: None,
            });
        }
        if let Some(list) = self.node(&["spec", "valuesFrom"]) {
            let items: Vec<NodeId> = self.tree().items(list).to_vec();
            for item in items.into_iter().rev() {
                values.sources.push(self.values_from(item, &namespace));
            }
        }
        let anchor = self.tree().span(anchor_node);
        self.add(
            Found {
                kind: ReleaseKind::FluxHelmRelease,
                chart,
                repository,
                version,
                anchor,
                name,
                namespace: target.unwrap_or(namespace),
                values,
            },
            out,
        );
        Some(())
    }

    fn repository_url(&self, kind: &str, namespace: &str, name: &str) -> Option<String> {
        let (file, object) = self.index.find(kind, namespace, name, self.namespace)?;
        let tree = &self.files[file].tree;
        tree.lookup_keys(object.node, &["spec", "url"])
            .and_then(|e| tree.string(e.value))
            .map(str::to_string)
    }

    /// One `valuesFrom` entry: a ConfigMap or Secret key in the input, else unknown.
    fn values_from(&self, item: NodeId, namespace: &str) -> Source {
        let tree = self.tree();
        let get = |key: &str| child_text(tree, item, key);
        let kind = get("kind").unwrap_or_default();
        let name = get("name").unwrap_or_default();
        let key = get("valuesKey").unwrap_or_else(|| "values.yaml".into());
        let at = tree.span(item);
        let Some((file, object)) = self.index.find(&kind, namespace, &name, self.namespace) else {
            return Source::Unknown(format!(
                "valuesFrom {kind} {namespace}/{name} is not in the input"
            ));
        };
        let f = &self.files[file];
        let entry = f
            .tree
            .lookup_keys(object.node, &["data", &key])
            .or_else(|| f.tree.lookup_keys(object.node, &["stringData", &key]));
        let Some(entry) = entry else {
            return Source::Unknown(format!("{kind} {namespace}/{name} has no key `{key}`"));
        };
        let encoded =
            kind == "Secret" && f.tree.lookup_keys(object.node, &["data", &key]).is_some();
        let decoded = if encoded {
            let text = f.tree.string(entry.value).unwrap_or_default();
            match decode_base64(text).and_then(|bytes| String::from_utf8(bytes).ok()) {
                Some(text) => Some(text),
                None => {
                    return Source::Unknown(format!(
                        "valuesFrom Secret {namespace}/{name} key `{key}` is not base64 text (encrypted?)"
                    ))
                }
            }
        } else {
            None
        };
        if let Some(path) = get("targetPath") {
            // The whole entry is one value, set at `targetPath`.
            let value = decoded
                .as_deref()
                .or(f.tree.string(entry.value))
                .unwrap_or_default();
            return built_at_path(&path, value, at);
        }
        match decoded {
            // Decoded text has no place in any file: its values are reported at the reference.
            Some(text) => built_from_text(&text, at).unwrap_or_else(|| {
                Source::Unknown(format!(
                    "valuesFrom Secret {namespace}/{name} key `{key}` does not parse as YAML"
                ))
            }),
            None => Source::Node {
                file,
                node: entry.value,
                reported_at: (file != self.file).then_some(at),
            },
        }
    }

    /// Argo CD `Application` (or an `ApplicationSet`'s template): `spec.source` or each of
    /// `spec.sources` with a `chart`; `parameters` over `valuesObject` over `values` over
    /// `valueFiles`.
    pub(super) fn argo(&self, base: &[&str], kind: ReleaseKind, out: &mut Discovered) {
        // An ApplicationSet is one Application per set of its generators' parameters, when
        // the input holds what they read; else its template, left unread where templated.
        let mut generated = if kind == ReleaseKind::ArgoApplicationSet {
            crate::release::argo::generated(self.files, self.tree(), self.object.node)
        } else {
            Vec::new()
        };
        if generated.is_empty() {
            generated.push(Vec::new());
        }
        for parameters in &generated {
            self.argo_application(base, kind, parameters, out);
        }
    }

    /// One Application (of an ApplicationSet: with its parameters filled in).
    fn argo_application(
        &self,
        base: &[&str],
        kind: ReleaseKind,
        parameters: &[(String, String)],
        out: &mut Discovered,
    ) {
        let fill = |text: String| crate::release::argo::fill(&text, parameters);
        let at = |rest: &[&str]| -> Vec<String> {
            base.iter().chain(rest).map(|s| s.to_string()).collect()
        };
        let app_name = fill(
            self.text(&path_of(&at(&["metadata", "name"])))
                .unwrap_or_else(|| self.object.reference.name.clone()),
        );
        let namespace = fill(
            self.text(&path_of(&at(&["spec", "destination", "namespace"])))
                .unwrap_or_else(|| self.namespace.to_string()),
        );
        let declared_by = if parameters.is_empty() {
            self.declared_by()
        } else {
            format!("{} (Application {app_name})", self.declared_by())
        };
        let mut sources = Vec::new();
        if let Some(node) = self.node(&path_of(&at(&["spec", "source"]))) {
            sources.push(node);
        }
        if let Some(list) = self.node(&path_of(&at(&["spec", "sources"]))) {
            sources.extend(self.tree().items(list).iter().copied());
        }
        for source in sources {
            let tree = self.tree();
            let Some(chart_entry) = tree.get(source, "chart") else {
                continue;
            };
            let Some(chart) = tree.string(chart_entry.value).map(|c| fill(c.to_string())) else {
                continue;
            };
            let repo = tree
                .get(source, "repoURL")
                .and_then(|e| tree.string(e.value))
                .map(|r| fill(r.to_string()));
            let version = tree
                .get(source, "targetRevision")
                .and_then(|e| tree.string(e.value))
                .map(|v| fill(v.to_string()));
            let helm = tree.get(source, "helm").map(|e| e.value);
            let get = |key: &str| helm.and_then(|h| tree.get(h, key)).map(|e| e.value);
            let name = get("releaseName")
                .and_then(|n| tree.string(n))
                .map_or_else(|| app_name.clone(), |n| fill(n.to_string()));
            let mut values = ValuesPlan::default();
            if let Some(parameters) = get("parameters") {
                if let Some(built) = built_parameters(tree, parameters) {
                    values.sources.push(built);
                }
            }
            for key in ["valuesObject", "values"] {
                if let Some(node) = get(key) {
                    values.sources.push(Source::Node {
                        file: self.file,
                        node,
                        reported_at: None,
                    });
                }
            }
            if let Some(list) = get("valueFiles") {
                // Argo CD applies them in order, under `values`/`valuesObject`: the last wins.
                for item in tree.items(list).iter().rev() {
                    let Some(path) = tree.string(*item) else {
                        continue;
                    };
                    let path = fill(path.to_string());
                    values
                        .sources
                        .push(self.value_file(&path, tree.span(*item)));
                }
            }
            let templated = [&name, &namespace, &chart].iter().any(|t| t.contains("{{"));
            let anchor = tree.span(chart_entry.value);
            let found = Found {
                kind,
                chart,
                repository: repo,
                version,
                anchor,
                name,
                namespace: namespace.clone(),
                values,
            };
            let apps = out.apps.len();
            let unsure = templated.then(|| {
                "its name or namespace is an ApplicationSet template, filled per generated Application, and the input does not hold what its generators read".to_string()
            });
            if let Some(plan) = out.add(self.knowledge, found, self.file, declared_by.clone()) {
                plan.release.unread = unsure;
            } else if let Some(app) = out.apps.get_mut(apps) {
                app.unread = unsure;
            }
        }
    }

    /// An Argo CD `valueFiles` entry. `$ref/path` names a file of another source (typically the
    /// GitOps repository itself): read when a file of the input ends with that path. A path
    /// without `$ref` is inside the chart, which is not in the input.
    fn value_file(&self, path: &str, at: Span) -> Source {
        let Some((reference, rest)) = path.strip_prefix('$').and_then(|p| p.split_once('/')) else {
            return Source::Unknown(format!(
                "valueFiles {path} is read from the chart, not from the input"
            ));
        };
        let rest = rest.trim_start_matches("./");
        let found = self
            .files
            .iter()
            .position(|f| f.source.name == rest || f.source.name.ends_with(&format!("/{rest}")));
        match found.and_then(|file| Some((file, self.files[file].documents.first()?.root?))) {
            Some((file, node)) => Source::Node {
                file,
                node,
                reported_at: (file != self.file).then_some(at),
            },
            None => Source::Unknown(format!(
                "valueFiles {path} (source `{reference}`) is not in the input"
            )),
        }
    }

    /// k3s / RKE2 `HelmChart`: `set` over the `HelmChartConfig` of the same name and namespace
    /// over `valuesContent`.
    pub(super) fn helm_chart(&self, out: &mut Discovered) -> Option<()> {
        let chart_node = self.node(&["spec", "chart"])?;
        let reference = self.tree().string(chart_node)?.to_string();
        // Bundled charts are referenced as a URL to the packaged chart: `…/traefik-34.2.1.tgz`.
        let (chart, mut version) = match reference.strip_suffix(".tgz") {
            Some(url) => {
                let file = url.rsplit('/').next().unwrap_or(url);
                match file.rfind('-') {
                    Some(dash) if file[dash + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
                        (file[..dash].to_string(), Some(file[dash + 1..].to_string()))
                    }
                    _ => (file.to_string(), None),
                }
            }
            None => (reference, None),
        };
        if let Some(v) = self.text(&["spec", "version"]) {
            version = Some(v);
        }
        let repo = self.text(&["spec", "repo"]);
        let own_namespace = self.own_namespace();
        let target = self
            .text(&["spec", "targetNamespace"])
            .unwrap_or_else(|| own_namespace.clone());
        let mut values = ValuesPlan::default();
        if let Some(set) = self.node(&["spec", "set"]) {
            if let Some(built) = built_set(self.tree(), set) {
                values.sources.push(built);
            }
        }
        let name = self.object.reference.name.clone();
        if let Some((file, config)) =
            self.index
                .find("HelmChartConfig", &own_namespace, &name, self.namespace)
        {
            let tree = &self.files[file].tree;
            if let Some(entry) = tree.lookup_keys(config.node, &["spec", "valuesContent"]) {
                values.sources.push(Source::Node {
                    file,
                    node: entry.value,
                    reported_at: (file != self.file).then(|| self.tree().span(chart_node)),
                });
            }
        }
        if let Some(node) = self.node(&["spec", "valuesContent"]) {
            values.sources.push(Source::Node {
                file: self.file,
                node,
                reported_at: None,
            });
        }
        let anchor = self.tree().span(chart_node);
        self.add(
            Found {
                kind: ReleaseKind::HelmChart,
                chart,
                repository: repo,
                version,
                anchor,
                name,
                namespace: target,
                values,
            },
            out,
        );
        Some(())
    }
}
