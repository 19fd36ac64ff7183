//! Ingresses defined in application charts' values (`ingress:` blocks of app-template,
//! `helm create` charts, argo-cd's `server.ingress`, …), rendered as the chart would render
//! them into located Ingress objects: every node at the values line that set it, so findings
//! about such an Ingress point at its values. The block layouts are data
//! (`rules/values-ingresses.yaml`); a chart the data does not know is read generically.

use std::collections::{HashMap, HashSet};

use manifest::parse::{NodeId, Tree};
use manifest::{LoadedFile, ObjectKey, Span};

use super::discover::{AppRelease, ReleaseKind};
use crate::knowledge::values_ingresses::{Block, ValuesIngresses};
use render::Renderer;

mod names;
mod render;
mod rules;

/// A release of an application chart whose values define Ingresses (or try to).
#[derive(Debug)]
pub struct ValuesRelease {
    pub kind: ReleaseKind,
    pub declared_by: String,
    pub name: String,
    pub namespace: String,
    pub chart: String,
    pub version: Option<String>,
    pub file: usize,
    pub anchor: Span,
    /// The chart's blocks are read generically (the data does not know the chart).
    pub generic: bool,
    /// The Ingresses rendered.
    pub ingresses: Vec<ValuesIngress>,
    /// The path below the release's values at which its chart's values sit (an umbrella
    /// chart's dependency: its alias).
    pub under: Vec<String>,
    /// Values that could not be read as the chart reads them, located where written.
    pub problems: Vec<(Span, String)>,
    /// A caveat on the names it renders with (chosen at install, not in the input).
    pub unsure: Option<String>,
}

/// One Ingress a release's values define.
#[derive(Debug)]
pub struct ValuesIngress {
    pub key: ObjectKey,
    /// The values path of its block (`ingress.app`).
    pub block: String,
    /// The key of the block that holds the class (the one set, else the chart's first).
    pub class_key: String,
}

/// An Ingress rendered from values, before it joins its file.
pub(super) struct RenderedIngress {
    pub(super) root: NodeId,
    pub(super) name: String,
    pub(super) block: String,
    pub(super) class_key: String,
}

impl ValuesRelease {
    /// `HelmRelease media/sonarr (Flux), chart app-template`.
    pub fn declared(&self) -> String {
        format!(
            "{} ({}), chart {}",
            self.declared_by,
            self.kind.tool(),
            self.chart
        )
    }

    /// `values `ingress.app` of HelmRelease media/sonarr (Flux), chart app-template`.
    pub fn origin(&self, block: &str) -> String {
        let generic = if self.generic {
            " (generic ingress block)"
        } else {
            ""
        };
        format!("values `{block}` of {}{generic}", self.declared())
    }
}

/// Values-defined Ingresses of every application release, added to the files that declare
/// them (those the input already holds as rendered output are left out).
pub fn expand(
    files: &mut [LoadedFile],
    data: &'static ValuesIngresses,
    apps: Vec<AppRelease>,
    in_input: &HashSet<super::Identity>,
) -> Vec<ValuesRelease> {
    let mut out = Vec::new();
    for app in apps {
        let known = data.chart(&app.chart, app.repository.as_deref());
        let blocks: &'static [Block] = known.map_or(&data.generic, |c| &c.blocks);
        let mut release = ValuesRelease {
            kind: app.kind,
            declared_by: app.declared_by.clone(),
            name: app.name.clone(),
            namespace: app.namespace.clone(),
            chart: app.chart.clone(),
            version: app.version.clone(),
            file: app.file,
            anchor: app.anchor,
            generic: known.is_none(),
            ingresses: Vec::new(),
            under: app.values.under.clone(),
            problems: Vec::new(),
            unsure: app.unsure.clone(),
        };
        let rendered = match app.values.layers(files) {
            Ok(values) => {
                let mut renderer = Renderer::new(&values, &app, known.is_none());
                for block in blocks {
                    renderer.block(block);
                }
                release.problems = renderer.problems;
                Some((renderer.tree, renderer.objects))
            }
            Err(reason) => {
                if known.is_some() {
                    release.problems.push((app.anchor, reason));
                }
                None
            }
        };
        if let Some((tree, objects)) = rendered {
            if let Some(reason) = &app.unread {
                if !objects.is_empty() {
                    release
                        .problems
                        .push((app.anchor, format!("its Ingresses are not read: {reason}")));
                }
            } else {
                add_objects(files, &app, &tree, objects, in_input, &mut release);
            }
        }
        if let Some(ambiguous) = &app.ambiguous {
            release.problems.push((app.anchor, ambiguous.clone()));
        }
        if !release.ingresses.is_empty() || !release.problems.is_empty() {
            out.push(release);
        }
    }
    out
}

fn add_objects(
    files: &mut [LoadedFile],
    app: &AppRelease,
    tree: &Tree,
    objects: Vec<RenderedIngress>,
    in_input: &HashSet<super::Identity>,
    release: &mut ValuesRelease,
) {
    for rendered in objects {
        let RenderedIngress {
            root,
            name,
            block,
            class_key,
        } = rendered;
        if in_input.contains(&super::identity("Ingress", &app.namespace, &name)) {
            continue;
        }
        let file = &mut files[app.file];
        let mut budget = usize::MAX;
        let Some(node) = file.tree.graft(tree, root, &|s| s, &mut budget) else {
            continue;
        };
        let source = release.origin(&block);
        if let Some(index) = file.add_synthetic(node, app.anchor, source) {
            file.objects[index].builds.clone_from(&app.builds);
            release.ingresses.push(ValuesIngress {
                key: ObjectKey {
                    file: app.file,
                    index,
                },
                block,
                class_key,
            });
        }
    }
}

/// The values-defined Ingress each added object is, by key.
pub fn index(releases: &[ValuesRelease]) -> HashMap<ObjectKey, (usize, usize)> {
    releases
        .iter()
        .enumerate()
        .flat_map(|(r, release)| {
            release
                .ingresses
                .iter()
                .enumerate()
                .map(move |(i, ingress)| (ingress.key, (r, i)))
        })
        .collect()
}
