//! Whole objects that charts render from their values as written — `extraObjects` manifests,
//! argocd-apps' `applications` and `applicationsets` — added to the file that declares the
//! release, located at the values, before releases are read: an Ingress there is an Ingress,
//! and an Argo CD Application there installs what it names.

use manifest::parse::{Entry, NodeId, ScalarStyle, Tree};
use manifest::{LoadedFile, Span};

use super::discover::{Discovered, ReleaseKind, ValuesPlan};
use super::values::{Lookup, Placement};
use crate::knowledge::values_ingresses::{ObjectsForm, ValuesObjects};

/// A release as far as its values' objects need it.
struct Declared<'d> {
    kind: ReleaseKind,
    declared_by: &'d str,
    chart: &'d str,
    file: usize,
    anchor: Span,
    namespace: &'d str,
    values: &'d ValuesPlan,
    builds: &'d [u32],
}

/// Adds the objects every release's values hold; how many were added.
pub fn add(files: &mut [LoadedFile], discovered: &Discovered, data: &[ValuesObjects]) -> usize {
    let plans = discovered.plans.iter().map(|p| Declared {
        kind: p.release.kind,
        declared_by: &p.release.declared_by,
        chart: &p.release.chart,
        file: p.release.file,
        anchor: p.release.anchor,
        namespace: &p.release.namespace,
        values: &p.values,
        builds: &p.release.builds,
    });
    let apps = discovered
        .apps
        .iter()
        .filter(|a| a.unread.is_none())
        .map(|a| Declared {
            kind: a.kind,
            declared_by: &a.declared_by,
            chart: &a.chart,
            file: a.file,
            anchor: a.anchor,
            namespace: &a.namespace,
            values: &a.values,
            builds: &a.builds,
        });
    let declared: Vec<Declared<'_>> = plans.chain(apps).collect();
    let mut added = 0;
    for release in &declared {
        let mut rendered = Rendered::default();
        {
            let Ok(values) = release.values.layers(files) else {
                continue;
            };
            for spec in data {
                if spec.chart.as_deref().is_some_and(|c| c != release.chart) {
                    continue;
                }
                let path: Vec<&str> = spec.at.split('.').collect();
                let Lookup::Found {
                    tree,
                    node,
                    placement,
                    ..
                } = values.lookup(&path)
                else {
                    continue;
                };
                rendered.read(tree, node, placement, spec);
            }
        }
        for (root, source) in rendered.objects {
            let file = &mut files[release.file];
            let mut budget = usize::MAX;
            let Some(node) = file.tree.graft(&rendered.tree, root, &|s| s, &mut budget) else {
                continue;
            };
            let label = format!(
                "values `{source}` of {} ({}), chart {}",
                release.declared_by,
                release.kind.tool(),
                release.chart
            );
            if let Some(index) = file.add_synthetic(node, release.anchor, label) {
                let object = &mut file.objects[index];
                object.builds = release.builds.to_vec();
                // Applied into the release's namespace, as Helm applies what it renders.
                if object.reference.namespace.is_none() && !object.reference.is_cluster_scoped() {
                    object.reference.namespace = Some(release.namespace.to_string());
                }
                added += 1;
            }
        }
    }
    added
}

/// Objects built from values, each with the values path it came from.
#[derive(Default)]
struct Rendered {
    tree: Tree,
    objects: Vec<(NodeId, String)>,
}

/// Copies at most this many nodes out of one release's values.
const GRAFT_BUDGET: usize = 100_000;

impl Rendered {
    fn read(&mut self, tree: &Tree, node: NodeId, placement: Placement, spec: &ValuesObjects) {
        let locate = |s: Span| placement.locate(s);
        let mut budget = GRAFT_BUDGET;
        // The items, each with its name (argocd-apps' map key, or its `name`).
        let items: Vec<(Option<String>, NodeId)> = if tree.is_mapping(node) {
            tree.entries(node)
                .iter()
                .filter_map(|e| Some((Some(tree.scalar(e.key)?.to_string()), e.value)))
                .collect()
        } else {
            tree.items(node).iter().map(|item| (None, *item)).collect()
        };
        for (index, (key, item)) in items.into_iter().enumerate() {
            if !tree.is_mapping(item) {
                continue;
            }
            let label = match &key {
                Some(key) => format!("{}.{key}", spec.at),
                None => format!("{}[{index}]", spec.at),
            };
            let Some(copied) = self.tree.graft(tree, item, &locate, &mut budget) else {
                return;
            };
            let kind = match spec.form {
                ObjectsForm::Manifests => {
                    self.objects.push((copied, label));
                    continue;
                }
                ObjectsForm::ArgoApplications => "Application",
                ObjectsForm::ArgoApplicationsets => "ApplicationSet",
            };
            if let Some(root) =
                self.argo_object(copied, kind, key, placement.locate(tree.span(item)))
            {
                self.objects.push((root, label));
            }
        }
    }

    /// An argocd-apps item as the object its template writes: `name` and `namespace` in the
    /// metadata, the rest (less the chart's own keys) as the spec.
    fn argo_object(
        &mut self,
        item: NodeId,
        kind: &str,
        key: Option<String>,
        span: Span,
    ) -> Option<NodeId> {
        const METADATA_KEYS: [&str; 5] = [
            "name",
            "namespace",
            "additionalLabels",
            "additionalAnnotations",
            "finalizers",
        ];
        let entries = self.tree.entries(item).to_vec();
        let field = |tree: &Tree, name: &str| {
            entries
                .iter()
                .find(|e| tree.scalar(e.key) == Some(name))
                .map(|e| e.value)
        };
        let name = match key {
            Some(key) => self.tree.add_scalar(&key, ScalarStyle::Plain, span),
            None => field(&self.tree, "name")?,
        };
        let mut metadata = vec![self.entry("name", name, span)];
        if let Some(namespace) = field(&self.tree, "namespace") {
            metadata.push(self.entry("namespace", namespace, span));
        }
        let spec: Vec<Entry> = entries
            .iter()
            .filter(|e| {
                self.tree
                    .scalar(e.key)
                    .is_some_and(|k| !METADATA_KEYS.contains(&k))
            })
            .copied()
            .collect();
        let metadata = self.tree.add_mapping(metadata, span);
        let spec = self.tree.add_mapping(spec, span);
        let api = self
            .tree
            .add_scalar("argoproj.io/v1alpha1", ScalarStyle::Plain, span);
        let kind = self.tree.add_scalar(kind, ScalarStyle::Plain, span);
        let root = vec![
            self.entry("apiVersion", api, span),
            self.entry("kind", kind, span),
            self.entry("metadata", metadata, span),
            self.entry("spec", spec, span),
        ];
        Some(self.tree.add_mapping(root, span))
    }

    fn entry(&mut self, key: &str, value: NodeId, span: Span) -> Entry {
        Entry {
            key: self.tree.add_scalar(key, ScalarStyle::Plain, span),
            value,
        }
    }
}
