//! Ingresses defined in application charts' values (`ingress:` blocks of app-template,
//! `helm create` charts, argo-cd's `server.ingress`, …), rendered as the chart would render
//! them into located Ingress objects: every node at the values line that set it, so findings
//! about such an Ingress point at its values. The block layouts are data
//! (`rules/values-ingresses.yaml`); a chart the data does not know is read generically.

use std::collections::{HashMap, HashSet};

use manifest::parse::{Entry, NodeId, ScalarStyle, Tree};
use manifest::{LoadedFile, ObjectKey, Span};

use super::discover::{AppRelease, ReleaseKind};
use super::values::{find, split_path, text, truthy, Lookup, Placement, Values};
use crate::knowledge::values_ingresses::{
    Backend, Block, HostsForm, Name, PathsAt, PathsForm, ValuesIngresses,
};

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
    /// The Ingresses rendered, with the values path of the block of each.
    pub ingresses: Vec<(ObjectKey, String)>,
    /// Values that could not be read as the chart reads them, located where written.
    pub problems: Vec<(Span, String)>,
    /// A caveat on the names it renders with (chosen at install, not in the input).
    pub unsure: Option<String>,
}

impl ValuesRelease {
    /// `values `ingress.app` of HelmRelease media/sonarr (Flux), chart app-template`.
    pub fn origin(&self, block: &str) -> String {
        let generic = if self.generic {
            " (generic ingress block)"
        } else {
            ""
        };
        format!(
            "values `{block}` of {} ({}), chart {}{generic}",
            self.declared_by,
            self.kind.tool(),
            self.chart
        )
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
                    release.problems.push((
                        app.anchor,
                        format!("its Ingresses are not read: {reason}"),
                    ));
                }
            } else {
                add_objects(files, &app, &tree, objects, in_input, &mut release);
            }
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
    objects: Vec<(NodeId, String, String)>,
    in_input: &HashSet<super::Identity>,
    release: &mut ValuesRelease,
) {
    for (root, name, block) in objects {
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
            release.ingresses.push((
                ObjectKey {
                    file: app.file,
                    index,
                },
                block,
            ));
        }
    }
}

/// A value read from the values, with where it was written.
struct Read<'v> {
    tree: &'v Tree,
    key: Option<NodeId>,
    node: NodeId,
    placement: Placement,
}

impl Read<'_> {
    fn span(&self) -> Span {
        place(self.placement, self.tree.span(self.node))
    }

    fn key_span(&self) -> Span {
        self.key
            .map_or_else(|| self.span(), |k| place(self.placement, self.tree.span(k)))
    }

    fn text(&self) -> Option<String> {
        text(self.tree, self.node)
    }

    fn is_string(&self) -> bool {
        matches!(
            self.tree.scalar_parts(self.node),
            Some((_, style)) if style != ScalarStyle::Plain
        )
    }
}

/// Copies at most this many nodes out of values per release.
const GRAFT_BUDGET: usize = 100_000;

struct Renderer<'v, 'a> {
    values: &'v Values<'a>,
    app: &'v AppRelease,
    generic: bool,
    /// The block's chart defaults, below every layer of the release.
    defaults: Option<&'static (Tree, NodeId)>,
    tree: Tree,
    /// Each Ingress's root, name and block path.
    objects: Vec<(NodeId, String, String)>,
    problems: Vec<(Span, String)>,
    budget: usize,
}

enum Get<'v> {
    Found(Read<'v>),
    Absent,
    Unknown(String),
}

impl<'v, 'a> Renderer<'v, 'a> {
    fn new(values: &'v Values<'a>, app: &'v AppRelease, generic: bool) -> Renderer<'v, 'a> {
        Renderer {
            values,
            app,
            generic,
            defaults: None,
            tree: Tree::default(),
            objects: Vec::new(),
            problems: Vec::new(),
            budget: GRAFT_BUDGET,
        }
    }

    fn get(&self, path: &[&str]) -> Get<'v> {
        let values: &'v Values<'a> = self.values;
        match values.lookup(path) {
            Lookup::Found {
                tree,
                key,
                node,
                placement,
            } => Get::Found(Read {
                tree,
                key,
                node,
                placement,
            }),
            Lookup::Unknown(reason) => Get::Unknown(reason.to_string()),
            Lookup::Absent => match self.defaults.and_then(|(tree, root)| {
                find(tree, *root, path).map(|(key, node)| (tree, key, node))
            }) {
                Some((tree, key, node)) => Get::Found(Read {
                    tree,
                    key,
                    node,
                    placement: Placement::At(self.app.anchor),
                }),
                None => Get::Absent,
            },
        }
    }

    fn problem(&mut self, span: Span, message: String) {
        self.problems.push((span, message));
    }

    fn block(&mut self, block: &'static Block) {
        self.defaults = defaults_of(block);
        for condition in &block.when {
            let path = split_path(&condition.path);
            let holds = match self.get(&path) {
                Get::Found(read) => match &condition.test {
                    crate::knowledge::charts::Test::Truthy => truthy(read.tree, read.node),
                    crate::knowledge::charts::Test::Falsy => !truthy(read.tree, read.node),
                    crate::knowledge::charts::Test::Equals(v) => read.text().as_ref() == Some(v),
                    crate::knowledge::charts::Test::Differs(v) => read.text().as_ref() != Some(v),
                },
                Get::Absent => matches!(
                    condition.test,
                    crate::knowledge::charts::Test::Falsy
                        | crate::knowledge::charts::Test::Differs(_)
                ),
                Get::Unknown(_) => false,
            };
            if !holds {
                return;
            }
        }
        let at: Vec<String> = split_path(&block.at)
            .into_iter()
            .map(str::to_string)
            .collect();
        let at_refs: Vec<&str> = at.iter().map(String::as_str).collect();
        let node = match self.get(&at_refs) {
            Get::Found(read) => read,
            Get::Absent => return,
            Get::Unknown(reason) => {
                if !self.generic {
                    let span = self.app.anchor;
                    self.problem(span, format!("`{}` is unknown: {reason}", block.at));
                }
                return;
            }
        };
        if !node.tree.is_mapping(node.node) {
            // A generic read only takes blocks of the shape it knows.
            if !self.generic {
                let span = node.span();
                self.problem(span, format!("`{}` is not a map of values", block.at));
            }
            return;
        }
        if !block.named {
            self.ingress(block, &at, None, 1);
            return;
        }
        let keys = match self.values.keys(&at_refs) {
            Ok(keys) => keys,
            Err(_) => return,
        };
        // The named blocks that are maps (and, read generically, hold hosts).
        let named: Vec<String> = keys
            .into_iter()
            .filter(|key| {
                let mut path = at_refs.clone();
                path.push(key);
                match self.values.lookup(&path) {
                    Lookup::Found { tree, node, .. } => {
                        tree.is_mapping(node) && (!self.generic || tree.get(node, "hosts").is_some())
                    }
                    _ => false,
                }
            })
            .collect();
        let enabled: Vec<String> = named
            .into_iter()
            .filter(|key| {
                let mut path = at.clone();
                path.push(key.clone());
                self.enabled(block, &path) == Some(true)
            })
            .collect();
        let count = enabled.len();
        for key in enabled {
            let mut path = at.clone();
            path.push(key.clone());
            self.ingress(block, &path, Some(&key), count);
        }
    }

    /// Whether the block at `path` is switched on; `None` when that cannot be told (said).
    fn enabled(&mut self, block: &Block, path: &[String]) -> Option<bool> {
        let mut steps: Vec<&str> = path.iter().map(String::as_str).collect();
        steps.push(&block.enabled);
        let dotted = steps.join(".");
        match self.get(&steps) {
            Get::Absent => Some(block.enabled_default),
            Get::Unknown(reason) => {
                if !self.generic {
                    let span = self.app.anchor;
                    self.problem(span, format!("`{dotted}` is unknown: {reason}"));
                }
                None
            }
            Get::Found(read) => {
                let span = read.span();
                let Some(value) = read.text() else {
                    self.problem(span, format!("`{dotted}` is not true or false"));
                    return None;
                };
                if is_templated(&value) {
                    self.problem(
                        span,
                        format!("`{dotted}` is a template (`{value}`), resolved only at install"),
                    );
                    return None;
                }
                let on = truthy(read.tree, read.node);
                if read.is_string() {
                    self.problem(
                        span,
                        format!(
                            "`{dotted}` is the string \"{value}\", not a boolean: Helm takes any non-empty string as true{}",
                            if on { ", so the Ingress is rendered" } else { "" }
                        ),
                    );
                }
                Some(on)
            }
        }
    }

    fn ingress(&mut self, block: &'static Block, path: &[String], key: Option<&str>, count: usize) {
        if !block.named && self.enabled(block, path) != Some(true) {
            return;
        }
        let dotted = path.join(".");
        let steps: Vec<&str> = path.iter().map(String::as_str).collect();
        let block_span = match self.get(&steps) {
            Get::Found(read) => read.key_span(),
            _ => self.app.anchor,
        };
        fn child<'s>(steps: &[&'s str], name: &'s str) -> Vec<&'s str> {
            let mut p = steps.to_vec();
            p.extend(split_path(name));
            p
        }
        // The class: a template or a non-string leaves the Ingress unread.
        let mut class = None;
        for key in &block.class {
            match self.get(&child(&steps, key)) {
                Get::Found(read) => {
                    let span = read.span();
                    match read.text() {
                        Some(value) if is_templated(&value) => {
                            self.problem(
                                span,
                                format!(
                                    "`{dotted}.{key}` is a template (`{value}`): the Ingress's class is unknown, so it is not read"
                                ),
                            );
                            return;
                        }
                        Some(value) if !value.is_empty() => {
                            class = Some(self.scalar(&value, span));
                        }
                        Some(_) => {}
                        None => {
                            self.problem(
                                span,
                                format!("`{dotted}.{key}` is not a class name, so the Ingress is not read"),
                            );
                            return;
                        }
                    }
                    break;
                }
                Get::Absent => {}
                Get::Unknown(_) => return,
            }
        }
        let annotations = self.annotations(&child(&steps, "annotations"), &dotted);
        let rules = self.rules(block, &steps, &dotted);
        let tls = block.tls.as_deref().and_then(|k| self.tls(&child(&steps, k), &dotted));
        let name = self.name(block, key, count, &steps);
        let name_node = self.scalar(&name, block_span);
        let namespace = self.scalar(&self.app.namespace.clone(), self.app.anchor);
        let mut metadata = vec![("name", name_node), ("namespace", namespace)];
        if !annotations.is_empty() {
            let entries = annotations
                .into_iter()
                .map(|(k, kspan, v)| Entry {
                    key: self.tree.add_scalar(&k, ScalarStyle::Plain, kspan),
                    value: v,
                })
                .collect();
            metadata.push(("annotations", self.tree.add_mapping(entries, block_span)));
        }
        let metadata = self.mapping(metadata, block_span);
        let mut spec = Vec::new();
        if let Some(class) = class {
            spec.push(("ingressClassName", class));
        }
        if let Some(tls) = tls {
            spec.push(("tls", tls));
        }
        let rules = self.tree.add_sequence(rules, block_span);
        spec.push(("rules", rules));
        let spec = self.mapping(spec, block_span);
        let api = self.scalar("networking.k8s.io/v1", block_span);
        let kind = self.scalar("Ingress", block_span);
        let root = self.mapping(
            vec![
                ("apiVersion", api),
                ("kind", kind),
                ("metadata", metadata),
                ("spec", spec),
            ],
            block_span,
        );
        self.objects.push((root, name, dotted));
    }

    fn scalar(&mut self, text: &str, span: Span) -> NodeId {
        self.tree.add_scalar(text, ScalarStyle::Plain, span)
    }

    fn string(&mut self, text: &str, span: Span) -> NodeId {
        self.tree.add_scalar(text, ScalarStyle::DoubleQuoted, span)
    }

    fn mapping(&mut self, entries: Vec<(&str, NodeId)>, span: Span) -> NodeId {
        let entries = entries
            .into_iter()
            .map(|(k, v)| {
                let at = self.tree.span(v);
                Entry {
                    key: self.tree.add_scalar(k, ScalarStyle::Plain, at),
                    value: v,
                }
            })
            .collect();
        self.tree.add_mapping(entries, span)
    }

    /// The annotations merged over the layers: key, where the key was written, value node.
    fn annotations(&mut self, path: &[&str], dotted: &str) -> Vec<(String, Span, NodeId)> {
        let keys = match self.values.keys(path) {
            Ok(keys) => keys,
            Err(_) => return Vec::new(),
        };
        let mut out = Vec::new();
        for key in keys {
            let mut with_key = path.to_vec();
            with_key.push(&key);
            let Get::Found(read) = self.get(&with_key) else {
                continue;
            };
            let (span, key_span) = (read.span(), read.key_span());
            match read.text() {
                Some(value) => {
                    let node = self.string(&value, span);
                    out.push((key, key_span, node));
                }
                None => self.problem(
                    span,
                    format!("`{dotted}.annotations.{key}` is not a string: Kubernetes rejects the Ingress"),
                ),
            }
        }
        out
    }

    /// The first alternative set: its index and value (`root`: a path from the values' root).
    fn first_set<'k>(
        &self,
        alternatives: impl Iterator<Item = (&'k str, bool)>,
        steps: &[&str],
    ) -> Option<(usize, Read<'v>)> {
        for (index, (path, root)) in alternatives.enumerate() {
            let mut full: Vec<&str> = if root { Vec::new() } else { steps.to_vec() };
            full.extend(split_path(path));
            if let Get::Found(read) = self.get(&full) {
                return Some((index, read));
            }
        }
        None
    }

    fn rules(&mut self, block: &Block, steps: &[&str], dotted: &str) -> Vec<NodeId> {
        let hosts_found = self
            .first_set(block.hosts.iter().map(|h| (h.key.as_str(), false)), steps)
            .map(|(i, read)| {
                let span = read.span();
                (&block.hosts[i], read.tree, read.node, read.placement, span)
            });
        // Each host, with where it was written and its own paths node (objects form).
        let mut hosts: Vec<(Option<String>, Span, Option<(&Tree, NodeId, Placement)>)> =
            Vec::new();
        match hosts_found {
            Some((at, tree, node, placement, span)) => match at.form {
                HostsForm::Single => match text(tree, node) {
                    Some(host) => hosts.push((Some(host), span, None)),
                    None => self.problem(span, format!("`{dotted}.{}` is not a host name", at.key)),
                },
                HostsForm::Strings | HostsForm::Objects => {
                    if tree.scalar(node).is_some() || tree.is_mapping(node) {
                        self.problem(span, format!("`{dotted}.{}` is not a list", at.key));
                    }
                    for item in tree.items(node).iter().copied() {
                        let item_span = place(placement, tree.span(item));
                        if at.form == HostsForm::Strings {
                            match text(tree, item) {
                                Some(host) => hosts.push((Some(host), item_span, None)),
                                None => self.problem(
                                    item_span,
                                    format!("an item of `{dotted}.{}` is not a host name", at.key),
                                ),
                            }
                            continue;
                        }
                        if !tree.is_mapping(item) {
                            self.problem(
                                item_span,
                                format!("an item of `{dotted}.{}` is not a map with `host`", at.key),
                            );
                            continue;
                        }
                        let host = tree.get(item, "host");
                        let host_text = host.and_then(|e| text(tree, e.value));
                        let host_span = host.map_or(item_span, |e| place(placement, tree.span(e.value)));
                        let paths = tree.get(item, "paths").map(|e| (tree, e.value, placement));
                        hosts.push((host_text.filter(|h| !h.is_empty()), host_span, paths));
                    }
                }
            },
            None => {
                // The chart's default host, when it has one.
                let fallback = block.hosts.iter().find_map(|h| {
                    if let Some(from) = &h.default_from {
                        if let Get::Found(read) = self.get(&split_path(from)) {
                            return read.text().map(|t| (t, read.span()));
                        }
                    }
                    h.default.clone().map(|d| (d, self.app.anchor))
                });
                match fallback {
                    Some((host, span)) => hosts.push((Some(host), span, None)),
                    None => hosts.push((None, self.app.anchor, None)),
                }
            }
        }
        let shared_paths = self.block_paths(block, steps, dotted);
        let mut rules = Vec::new();
        for (host, host_span, own_paths) in hosts {
            let paths = match own_paths {
                Some((tree, node, placement)) => self.host_paths(block, steps, tree, node, placement, dotted),
                None => shared_paths.clone(),
            };
            let paths: Vec<NodeId> = paths
                .into_iter()
                .map(|(path, path_span, path_type, service)| {
                    self.path(block, steps, path, path_span, path_type, service)
                })
                .collect();
            let paths_node = self.tree.add_sequence(paths, host_span);
            let http = self.mapping(vec![("paths", paths_node)], host_span);
            let mut rule = Vec::new();
            if let Some(host) = host {
                rule.push(("host", self.string(&host, host_span)));
            }
            rule.push(("http", http));
            rules.push(self.mapping(rule, host_span));
        }
        rules
    }

    /// Paths of the block for every host (`list`, `single` forms), else the default.
    fn block_paths(&mut self, block: &Block, steps: &[&str], dotted: &str) -> Vec<PathItem> {
        let per_host = |p: &PathsAt| p.form == PathsForm::PerHost;
        let shared: Vec<&PathsAt> = block.paths.iter().filter(|p| !per_host(p)).collect();
        let found = self
            .first_set(shared.iter().map(|p| (p.key.as_str(), p.root)), steps)
            .map(|(i, read)| (shared[i], read.tree, read.node, read.placement));
        let mut out = Vec::new();
        match found {
            Some((at, tree, node, placement)) => {
                let nodes: Vec<NodeId> = match at.form {
                    PathsForm::Single => vec![node],
                    _ => tree.items(node).to_vec(),
                };
                for item in nodes {
                    let span = place(placement, tree.span(item));
                    match text(tree, item) {
                        Some(path) => out.push((path, span, None, None)),
                        None => self.problem(span, format!("`{dotted}.{}` holds a path that is not a string", at.key)),
                    }
                }
            }
            None => {
                if let Some(path) = &block.path_default {
                    out.push((path.clone(), self.app.anchor, None, None));
                }
            }
        }
        out
    }

    /// A host object's own `paths`: strings, or `{path, pathType, service}`.
    fn host_paths(
        &mut self,
        block: &Block,
        steps: &[&str],
        tree: &Tree,
        node: NodeId,
        placement: Placement,
        dotted: &str,
    ) -> Vec<PathItem> {
        let mut out = Vec::new();
        if tree.scalar(node).is_some() || tree.is_mapping(node) {
            let span = place(placement, tree.span(node));
            self.problem(span, format!("`{dotted}` has a host whose `paths` is not a list"));
            return out;
        }
        for item in tree.items(node).iter().copied() {
            let span = place(placement, tree.span(item));
            if let Some(path) = text(tree, item) {
                out.push((path, span, None, None));
                continue;
            }
            let field = |key: &str| tree.get(item, key);
            let Some(path) = field("path").and_then(|e| text(tree, e.value).map(|t| (t, e.value))) else {
                if block.path_default.is_none() {
                    self.problem(span, format!("a path of `{dotted}` has no `path`"));
                    continue;
                }
                let default = block.path_default.clone().unwrap_or_default();
                out.push((default, span, None, None));
                continue;
            };
            let path_type = field("pathType").and_then(|e| {
                text(tree, e.value).map(|t| (t, place(placement, tree.span(e.value))))
            });
            let service = field("service").map(|e| ServiceRef::read(tree, e.value, placement));
            out.push((path.0, place(placement, tree.span(path.1)), path_type, service));
        }
        let _ = steps;
        out
    }

    fn path(
        &mut self,
        block: &Block,
        steps: &[&str],
        path: String,
        span: Span,
        path_type: Option<(String, Span)>,
        service: Option<ServiceRef>,
    ) -> NodeId {
        let path_type = path_type.or_else(|| {
            let key = block.path_type.key.as_deref()?;
            let mut full = steps.to_vec();
            full.push(key);
            match self.get(&full) {
                Get::Found(read) => read.text().map(|t| (t, read.span())),
                _ => None,
            }
        });
        let path_type = path_type.or_else(|| {
            block
                .path_type
                .default
                .clone()
                .map(|d| (d, self.app.anchor))
        });
        let mut entries = vec![("path", self.string(&path, span))];
        if let Some((path_type, at)) = path_type {
            entries.push(("pathType", self.scalar(&path_type, at)));
        }
        let backend = self.backend(block, service, span);
        entries.push(("backend", backend));
        self.mapping(entries, span)
    }

    fn backend(&mut self, block: &Block, service: Option<ServiceRef>, span: Span) -> NodeId {
        let fullname = self.fullname(matches!(block.name, Name::AppTemplate));
        let (name, port) = match (&block.backend, service) {
            (Backend::Chart { service, port }, _) => {
                let name = self.template(service, &fullname, None);
                let port = match port.strip_prefix('=') {
                    Some(literal) => Some((literal.to_string(), self.app.anchor)),
                    None => match self.get(&split_path(port)) {
                        Get::Found(read) => read.text().map(|t| (t, read.span())),
                        _ => None,
                    },
                };
                (Some((name, span)), port)
            }
            (Backend::PerPath(_), Some(service)) => {
                // app-template: `name` is the Service's own; an `identifier` names one of
                // the chart's Services, named like the chart's objects.
                let name = service.name.clone().or_else(|| {
                    service.identifier.as_ref().map(|(id, at)| {
                        (self.app_template_name(id, self.service_count(), &[], "service"), *at)
                    })
                });
                (name, service.port)
            }
            (Backend::PerPath(_), None) => (None, None),
        };
        let mut service = Vec::new();
        if let Some((name, at)) = name {
            service.push(("name", self.scalar(&name, at)));
        }
        if let Some((port, at)) = port {
            let field = if port.parse::<u16>().is_ok() { "number" } else { "name" };
            let port_node = self.scalar(&port, at);
            let port = self.mapping(vec![(field, port_node)], at);
            service.push(("port", port));
        }
        let service = self.mapping(service, span);
        self.mapping(vec![("service", service)], span)
    }

    /// How many Services app-template renders (enabled ones of `service:`).
    fn service_count(&self) -> usize {
        self.values
            .keys(&["service"])
            .map(|keys| {
                keys.iter()
                    .filter(|k| match self.values.lookup(&["service", k, "enabled"]) {
                        Lookup::Found { tree, node, .. } => truthy(tree, node),
                        _ => true,
                    })
                    .count()
            })
            .unwrap_or(1)
    }

    fn tls(&mut self, path: &[&str], dotted: &str) -> Option<NodeId> {
        let Get::Found(read) = self.get(path) else {
            return None;
        };
        if read.tree.items(read.node).is_empty() {
            if read.tree.scalar(read.node).is_some() || read.tree.is_mapping(read.node) {
                let span = read.span();
                if !matches!(read.text().as_deref(), Some("true" | "false")) {
                    self.problem(span, format!("`{dotted}` has a `tls` that is not a list"));
                }
            }
            return None;
        }
        let placement = read.placement;
        let locate = |s: Span| place(placement, s);
        let mut budget = self.budget;
        let copied = self.tree.graft(read.tree, read.node, &locate, &mut budget);
        self.budget = budget;
        copied
    }

    /// The chart's standard fullname: `fullnameOverride` (or `global.`), else the release
    /// name when it holds the chart's name (`nameOverride`, `global.nameOverride`), else
    /// `release-name`. app-template sets `global.nameOverride` to the release name when
    /// unset (its `templates/common.yaml`), so its fullname is the release name.
    fn fullname(&self, app_template: bool) -> String {
        let get = |path: &[&str]| match self.values.lookup(path) {
            Lookup::Found { tree, node, .. } => text(tree, node).filter(|t| !t.is_empty()),
            _ => None,
        };
        let release = &self.app.name;
        let full = get(&["global", "fullnameOverride"]).or_else(|| get(&["fullnameOverride"]));
        let name = match full {
            Some(full) => full,
            None => {
                let chart = get(&["global", "nameOverride"])
                    .or_else(|| get(&["nameOverride"]))
                    .unwrap_or_else(|| {
                        if app_template {
                            release.clone()
                        } else {
                            self.app.chart.clone()
                        }
                    });
                if release.contains(&chart) {
                    release.clone()
                } else {
                    format!("{release}-{chart}")
                }
            }
        };
        truncate_name(&name)
    }

    fn template(&self, template: &str, fullname: &str, key: Option<&str>) -> String {
        truncate_name(
            &template
                .replace("{fullname}", fullname)
                .replace("{release}", &self.app.name)
                .replace("{key}", key.unwrap_or_default()),
        )
    }

    fn name(&self, block: &Block, key: Option<&str>, count: usize, steps: &[&str]) -> String {
        match &block.name {
            Name::Template(template) => self.template(template, &self.fullname(false), key),
            Name::AppTemplate => self.app_template_name(key.unwrap_or_default(), count, steps, "ingress"),
        }
    }

    /// bjw-s `determineResourceNameFromValues`: the fullname, `-identifier` when the chart
    /// renders several, `forceRename`, `prefix` and `suffix` of the item's values.
    fn app_template_name(&self, identifier: &str, count: usize, steps: &[&str], section: &str) -> String {
        let item: Vec<&str> = if steps.is_empty() {
            vec![section, identifier]
        } else {
            steps.to_vec()
        };
        let field = |name: &str| {
            let mut path = item.clone();
            path.push(name);
            match self.values.lookup(&path) {
                Lookup::Found { tree, node, .. } => text(tree, node).filter(|t| !t.is_empty()),
                _ => None,
            }
        };
        if let Some(rename) = field("forceRename") {
            return rename.to_lowercase();
        }
        let mut name = self.fullname(true);
        if let Some(prefix) = field("prefix") {
            if prefix != name {
                name = format!("{prefix}-{name}");
            }
        }
        if count > 1 && !name.ends_with(&format!("-{identifier}")) {
            name = format!("{name}-{identifier}");
        }
        if let Some(suffix) = field("suffix") {
            if !name.ends_with(&format!("-{suffix}")) {
                name = format!("{name}-{suffix}");
            }
        }
        name.to_lowercase()
    }
}

/// A path: its text, where written, its own pathType, its own service reference.
type PathItem = (String, Span, Option<(String, Span)>, Option<ServiceRef>);

/// An app-template path's `service: {identifier|name, port}`.
#[derive(Clone)]
struct ServiceRef {
    name: Option<(String, Span)>,
    identifier: Option<(String, Span)>,
    port: Option<(String, Span)>,
}

impl ServiceRef {
    fn read(tree: &Tree, node: NodeId, placement: Placement) -> ServiceRef {
        let field = |key: &str| {
            tree.get(node, key).and_then(|e| {
                text(tree, e.value).map(|t| (t, place(placement, tree.span(e.value))))
            })
        };
        ServiceRef {
            name: field("name"),
            identifier: field("identifier"),
            port: field("port"),
        }
    }
}

/// The block's chart defaults as a values tree, built once per block.
fn defaults_of(block: &'static Block) -> Option<&'static (Tree, NodeId)> {
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<usize, &'static (Tree, NodeId)>>;
    static BUILT: OnceLock<Cache> = OnceLock::new();
    if block.defaults.is_empty() {
        return None;
    }
    let cache = BUILT.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    let built = cache
        .entry(std::ptr::from_ref(block) as usize)
        .or_insert_with(|| {
            let mut tree = Tree::default();
            let mut root = Nested::default();
            for (path, value) in &block.defaults {
                root.insert(&split_path(path), value);
            }
            let node = root.write(&mut tree, Span::default());
            Box::leak(Box::new((tree, node)))
        });
    Some(*built)
}

#[derive(Default)]
struct Nested<'d> {
    leaf: Option<&'d str>,
    children: Vec<(&'d str, Nested<'d>)>,
}

impl<'d> Nested<'d> {
    fn insert(&mut self, path: &[&'d str], leaf: &'d str) {
        match path.split_first() {
            None => self.leaf = Some(leaf),
            Some((head, rest)) => {
                let index = match self.children.iter().position(|(k, _)| k == head) {
                    Some(i) => i,
                    None => {
                        self.children.push((head, Nested::default()));
                        self.children.len() - 1
                    }
                };
                self.children[index].1.insert(rest, leaf);
            }
        }
    }

    fn write(&self, out: &mut Tree, span: Span) -> NodeId {
        if let Some(text) = self.leaf {
            return out.add_scalar(text, ScalarStyle::Plain, span);
        }
        let entries = self
            .children
            .iter()
            .map(|(k, child)| {
                let value = child.write(out, span);
                Entry {
                    key: out.add_scalar(k, ScalarStyle::Plain, span),
                    value,
                }
            })
            .collect();
        out.add_mapping(entries, span)
    }
}

fn place(placement: Placement, span: Span) -> Span {
    match placement {
        Placement::InFile => span,
        Placement::At(at) => at,
    }
}

/// A value Helm or Flux fills in later: `{{ … }}`, `${VAR}`.
fn is_templated(value: &str) -> bool {
    value.contains("{{") || value.contains("${")
}

fn truncate_name(name: &str) -> String {
    let mut name: String = name.chars().take(63).collect();
    while name.ends_with('-') {
        name.pop();
    }
    name
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
                .map(move |(i, (key, _))| (*key, (r, i)))
        })
        .collect()
}
