//! The renderer of values-defined Ingresses: reads a block's values through the release's
//! layers (then the chart's defaults for the block) and writes the Ingress as located nodes.

use std::collections::HashMap;

use manifest::parse::{Entry, NodeId, ScalarStyle, Tree};
use manifest::Span;

use super::RenderedIngress;
use crate::knowledge::values_ingresses::Block;
use crate::release::discover::{AppRelease, Nested};
use crate::release::values::{find, split_path, text, truthy, Lookup, Placement, Values};

/// A value read from the values, with where it was written.
pub(super) struct Read<'v> {
    pub(super) tree: &'v Tree,
    pub(super) key: Option<NodeId>,
    pub(super) node: NodeId,
    pub(super) placement: Placement,
}

impl Read<'_> {
    pub(super) fn span(&self) -> Span {
        self.placement.locate(self.tree.span(self.node))
    }

    pub(super) fn key_span(&self) -> Span {
        self.key
            .map_or_else(|| self.span(), |k| self.placement.locate(self.tree.span(k)))
    }

    pub(super) fn text(&self) -> Option<String> {
        text(self.tree, self.node)
    }

    pub(super) fn is_string(&self) -> bool {
        matches!(
            self.tree.scalar_parts(self.node),
            Some((_, style)) if style != ScalarStyle::Plain
        )
    }
}

/// Copies at most this many nodes out of values per release.
pub(super) const GRAFT_BUDGET: usize = 100_000;

pub(super) struct Renderer<'v, 'a> {
    pub(super) values: &'v Values<'a>,
    pub(super) app: &'v AppRelease,
    pub(super) generic: bool,
    /// The block's chart defaults, below every layer of the release.
    pub(super) defaults: Option<&'static (Tree, NodeId)>,
    pub(super) tree: Tree,
    pub(super) objects: Vec<RenderedIngress>,
    pub(super) problems: Vec<(Span, String)>,
    pub(super) budget: usize,
}

pub(super) enum Get<'v> {
    Found(Read<'v>),
    Absent,
    Unknown(String),
}

impl<'v, 'a> Renderer<'v, 'a> {
    pub(super) fn new(
        values: &'v Values<'a>,
        app: &'v AppRelease,
        generic: bool,
    ) -> Renderer<'v, 'a> {
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

    pub(super) fn get(&self, path: &[&str]) -> Get<'v> {
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

    pub(super) fn problem(&mut self, span: Span, message: String) {
        self.problems.push((span, message));
    }

    pub(super) fn block(&mut self, block: &'static Block) {
        self.defaults = defaults_of(block);
        for condition in &block.when {
            let path = split_path(&condition.path);
            let holds = match self.get(&path) {
                Get::Found(read) => match &condition.test {
                    crate::knowledge::charts::Test::Truthy => truthy(read.tree, read.node),
                    crate::knowledge::charts::Test::Falsy => !truthy(read.tree, read.node),
                    crate::knowledge::charts::Test::Equals(v) => {
                        read.text().is_some_and(|t| v.split('|').any(|v| v == t))
                    }
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
                        tree.is_mapping(node)
                            && (!self.generic || tree.get(node, "hosts").is_some())
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
        let mut class_key = block.class.first().cloned().unwrap_or_default();
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
                            class_key.clone_from(key);
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
        let tls = block
            .tls
            .as_deref()
            .and_then(|k| self.tls(&child(&steps, k), &dotted));
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
        self.objects.push(RenderedIngress {
            root,
            name,
            block: dotted,
            class_key,
        });
    }

    pub(super) fn scalar(&mut self, text: &str, span: Span) -> NodeId {
        self.tree.add_scalar(text, ScalarStyle::Plain, span)
    }

    pub(super) fn string(&mut self, text: &str, span: Span) -> NodeId {
        self.tree.add_scalar(text, ScalarStyle::DoubleQuoted, span)
    }

    pub(super) fn mapping(&mut self, entries: Vec<(&str, NodeId)>, span: Span) -> NodeId {
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
}

/// The block's chart defaults as a values tree, built once per block.
pub(super) fn defaults_of(block: &'static Block) -> Option<&'static (Tree, NodeId)> {
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
                root.insert(&split_path(path), (value.clone(), Span::default()));
            }
            let node = root.write(&mut tree, Span::default());
            Box::leak(Box::new((tree, node)))
        });
    Some(*built)
}

/// A value Helm or Flux fills in later: `{{ … }}`, `${VAR}`.
pub(super) fn is_templated(value: &str) -> bool {
    value.contains("{{") || value.contains("${")
}
