//! The rules of a values-defined Ingress: hosts, paths, path types, backends and TLS, read
//! in the block's layout.

use manifest::parse::{NodeId, Tree};
use manifest::Span;

use super::render::{Get, Read, Renderer};
use crate::knowledge::values_ingresses::{Backend, Block, HostsForm, Name, PathsAt, PathsForm};
use crate::release::values::{split_path, text, truthy, Lookup, Placement};

impl<'v> Renderer<'v, '_> {
    /// The first alternative set: its index and value (`root`: a path from the values' root).
    pub(super) fn first_set<'k>(
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

    /// The hosts of a block, each with where it was written and its own paths (the
    /// `objects` form), or the chart's default host.
    fn hosts(&mut self, block: &Block, steps: &[&str], dotted: &str) -> Vec<HostItem<'v>> {
        let mut hosts = Vec::new();
        let found = self.first_set(block.hosts.iter().map(|h| (h.key.as_str(), false)), steps);
        let Some((index, read)) = found else {
            let fallback = block.hosts.iter().find_map(|h| {
                if let Some(from) = &h.default_from {
                    if let Get::Found(read) = self.get(&split_path(from)) {
                        return read.text().map(|t| (t, read.span()));
                    }
                }
                h.default.clone().map(|d| (d, self.app.anchor))
            });
            let (host, span) = match fallback {
                Some((host, span)) => (Some(host), span),
                None => (None, self.app.anchor),
            };
            hosts.push(HostItem {
                host,
                span,
                paths: None,
            });
            return hosts;
        };
        let at = &block.hosts[index];
        let (tree, placement) = (read.tree, read.placement);
        if at.form == HostsForm::Single {
            match read.text() {
                Some(host) => hosts.push(HostItem {
                    host: Some(host),
                    span: read.span(),
                    paths: None,
                }),
                None => self.problem(
                    read.span(),
                    format!("`{dotted}.{}` is not a host name", at.key),
                ),
            }
            return hosts;
        }
        if tree.scalar(read.node).is_some() || tree.is_mapping(read.node) {
            self.problem(read.span(), format!("`{dotted}.{}` is not a list", at.key));
        }
        for item in tree.items(read.node).iter().copied() {
            let item_span = placement.locate(tree.span(item));
            if at.form == HostsForm::Strings {
                match text(tree, item) {
                    Some(host) => hosts.push(HostItem {
                        host: Some(host),
                        span: item_span,
                        paths: None,
                    }),
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
            hosts.push(HostItem {
                host: host
                    .and_then(|e| text(tree, e.value))
                    .filter(|h| !h.is_empty()),
                span: host.map_or(item_span, |e| placement.locate(tree.span(e.value))),
                paths: tree.get(item, "paths").map(|e| Read {
                    tree,
                    key: Some(e.key),
                    node: e.value,
                    placement,
                }),
            });
        }
        hosts
    }

    pub(super) fn rules(&mut self, block: &Block, steps: &[&str], dotted: &str) -> Vec<NodeId> {
        let hosts = self.hosts(block, steps, dotted);
        let shared_paths = self.block_paths(block, steps, dotted);
        let mut rules = Vec::new();
        for HostItem {
            host,
            span: host_span,
            paths: own_paths,
        } in hosts
        {
            let paths = match own_paths {
                Some(read) => self.host_paths(block, &read, dotted),
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
                let host = if block.tpl {
                    self.release_fields(&host)
                } else {
                    host
                };
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
                    let span = placement.locate(tree.span(item));
                    match text(tree, item) {
                        Some(path) => out.push((path, span, None, None)),
                        None => self.problem(
                            span,
                            format!("`{dotted}.{}` holds a path that is not a string", at.key),
                        ),
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
    fn host_paths(&mut self, block: &Block, paths: &Read<'_>, dotted: &str) -> Vec<PathItem> {
        let (tree, node, placement) = (paths.tree, paths.node, paths.placement);
        let mut out = Vec::new();
        if tree.scalar(node).is_some() || tree.is_mapping(node) {
            let span = paths.span();
            self.problem(
                span,
                format!("`{dotted}` has a host whose `paths` is not a list"),
            );
            return out;
        }
        for item in tree.items(node).iter().copied() {
            let span = placement.locate(tree.span(item));
            if let Some(path) = text(tree, item) {
                out.push((path, span, None, None));
                continue;
            }
            let field = |key: &str| tree.get(item, key);
            let Some(path) = field("path").and_then(|e| text(tree, e.value).map(|t| (t, e.value)))
            else {
                if block.path_default.is_none() {
                    self.problem(span, format!("a path of `{dotted}` has no `path`"));
                    continue;
                }
                let default = block.path_default.clone().unwrap_or_default();
                out.push((default, span, None, None));
                continue;
            };
            let path_type = field("pathType").and_then(|e| {
                text(tree, e.value).map(|t| (t, placement.locate(tree.span(e.value))))
            });
            let service = field("service").map(|e| ServiceRef::read(tree, e.value, placement));
            out.push((
                path.0,
                placement.locate(tree.span(path.1)),
                path_type,
                service,
            ));
        }
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
        let fullname = self.fullname(matches!(block.name, Name::AppTemplate), block.fullname_max);
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
                        (
                            self.app_template_name(id, self.service_count(), &[], "service"),
                            *at,
                        )
                    })
                });
                // A port name is resolved to the Service's port number, as the chart does
                // (`getPortNumberByName`): `service.<identifier>.ports.<name>.port`.
                let port = match (&service.port, &service.identifier) {
                    (Some((port, _)), Some((id, _))) if port.parse::<u16>().is_err() => {
                        match self.get(&["service", id, "ports", port, "port"]) {
                            Get::Found(read) => read.text().map(|t| (t, read.span())),
                            _ => service.port.clone(),
                        }
                    }
                    _ => service.port.clone(),
                };
                (name, port)
            }
            (Backend::PerPath(_), None) => (None, None),
        };
        let mut service = Vec::new();
        if let Some((name, at)) = name {
            service.push(("name", self.scalar(&name, at)));
        }
        if let Some((port, at)) = port {
            let field = if port.parse::<u16>().is_ok() {
                "number"
            } else {
                "name"
            };
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

    pub(super) fn tls(&mut self, path: &[&str], dotted: &str) -> Option<NodeId> {
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
        let locate = |s: Span| placement.locate(s);
        let mut budget = self.budget;
        let copied = self.tree.graft(read.tree, read.node, &locate, &mut budget);
        self.budget = budget;
        copied
    }
}

/// A host of a block: its name (none: every host), where written, its own `paths`.
struct HostItem<'v> {
    host: Option<String>,
    span: Span,
    paths: Option<Read<'v>>,
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
                text(tree, e.value).map(|t| (t, placement.locate(tree.span(e.value))))
            })
        };
        ServiceRef {
            name: field("name"),
            identifier: field("identifier"),
            port: field("port"),
        }
    }
}
