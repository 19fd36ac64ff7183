//! The located node tree: an arena of nodes, each with its byte span.
//!
//! The tree is the path → position index: rules name a path, `lookup` returns the key and
//! value spans. Aliases stay references (never copied), so a document costs memory in
//! proportion to its text, however many times its anchors are used.

use std::borrow::Cow;
use std::sync::Arc;

use crate::source::Span;

pub type NodeId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
}

/// A scalar's text: a range of the tree's source when it reads exactly as written (most
/// plain and quoted scalars), else a copy of its own (escapes, line folding, block scalars,
/// nodes built from elsewhere). Most scalars then cost no allocation.
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    Source { start: u32, len: u32 },
    Owned(Box<str>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// Its text through `Tree::scalar_parts`; an explicit tag through `Tree::tag`.
    Scalar {
        value: Text,
        style: ScalarStyle,
    },
    Sequence(Vec<NodeId>),
    Mapping(Vec<Entry>),
    Alias(NodeId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// All nodes of one file; documents name their root.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    /// The text the nodes were parsed from, when they point into it.
    source: Option<Arc<str>>,
    /// Explicit tags (`!!str` as `str`), by node, in node order: rare, so kept aside.
    tags: Vec<(NodeId, Box<str>)>,
}

/// A YAML merge key (`<<: *defaults`).
const MERGE_KEY: &str = "<<";

impl Tree {
    /// A tree whose scalars may point into `source`.
    pub(crate) fn over(source: Arc<str>) -> Tree {
        Tree {
            source: Some(source),
            ..Tree::default()
        }
    }

    pub(crate) fn reserve(&mut self, nodes: usize) {
        self.nodes.reserve(nodes);
    }

    /// Adds a parsed scalar: a range of the source when its value is the text written there.
    pub(crate) fn push_scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<Box<str>>,
        span: Span,
    ) -> NodeId {
        let (start, end) = (span.start as usize, span.end as usize);
        let written = match style {
            ScalarStyle::Plain => Some((start, end)),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if end >= start + 2 => {
                Some((start + 1, end - 1))
            }
            _ => None,
        };
        let in_source = written.filter(|&(from, to)| {
            self.source
                .as_deref()
                .and_then(|text| text.get(from..to))
                .is_some_and(|text| text == value)
        });
        let value = match in_source {
            Some((from, to)) => Text::Source {
                start: from as u32,
                len: (to - from) as u32,
            },
            None => Text::Owned(value.into_owned().into_boxed_str()),
        };
        let id = self.push(NodeKind::Scalar { value, style }, span);
        if let Some(tag) = tag {
            self.tags.push((id, tag));
        }
        id
    }

    fn text<'a>(&'a self, text: &'a Text) -> &'a str {
        match text {
            Text::Owned(owned) => owned,
            Text::Source { start, len } => self
                .source
                .as_deref()
                .and_then(|s| s.get(*start as usize..(*start + *len) as usize))
                .unwrap_or_default(),
        }
    }

    /// A scalar's text and style (after following aliases).
    pub fn scalar_parts(&self, id: NodeId) -> Option<(&str, ScalarStyle)> {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Scalar { value, style } => Some((self.text(value), *style)),
            _ => None,
        }
    }

    /// A node's explicit tag (after following aliases).
    pub fn tag(&self, id: NodeId) -> Option<&str> {
        let id = self.resolve(id);
        self.tags
            .binary_search_by_key(&id, |(node, _)| *node)
            .ok()
            .map(|at| &*self.tags[at].1)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub(crate) fn push(&mut self, kind: NodeKind, span: Span) -> NodeId {
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NodeId::MAX);
        self.nodes.push(Node { kind, span });
        id
    }

    /// Adds a scalar node: synthetic objects (a chart release's rendered form) are built
    /// from such nodes, each located at the text it comes from.
    pub fn add_scalar(&mut self, value: &str, style: ScalarStyle, span: Span) -> NodeId {
        self.push(
            NodeKind::Scalar {
                value: Text::Owned(value.into()),
                style,
            },
            span,
        )
    }

    /// Adds a mapping of existing nodes.
    pub fn add_mapping(&mut self, entries: Vec<Entry>, span: Span) -> NodeId {
        self.push(NodeKind::Mapping(entries), span)
    }

    /// Adds a sequence of existing nodes.
    pub fn add_sequence(&mut self, items: Vec<NodeId>, span: Span) -> NodeId {
        self.push(NodeKind::Sequence(items), span)
    }

    /// Copies the subtree at `root` of another tree into this one (aliases resolved), each
    /// node's span passed through `locate`: text parsed out of a string scalar keeps its place
    /// in the file, and nodes from elsewhere can be placed at the reference to them. At most
    /// `budget` nodes are copied (a hostile alias web must not explode); `None` past it.
    pub fn graft(
        &mut self,
        from: &Tree,
        root: NodeId,
        locate: &dyn Fn(Span) -> Span,
        budget: &mut usize,
    ) -> Option<NodeId> {
        *budget = budget.checked_sub(1)?;
        let node = from.node(from.resolve(root));
        let span = locate(node.span);
        let kind = match &node.kind {
            NodeKind::Scalar { value, style } => {
                let same_source = match (&self.source, &from.source) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    _ => false,
                };
                let value = match value {
                    Text::Source { .. } if same_source => value.clone(),
                    _ => Text::Owned(from.text(value).into()),
                };
                NodeKind::Scalar {
                    value,
                    style: *style,
                }
            }
            // `resolve` followed every alias; an unresolved one stands for nothing.
            NodeKind::Alias(_) => NodeKind::Scalar {
                value: Text::Owned("".into()),
                style: ScalarStyle::Plain,
            },
            NodeKind::Sequence(items) => {
                let mut copied = Vec::with_capacity(items.len());
                for item in items {
                    copied.push(self.graft(from, *item, locate, budget)?);
                }
                NodeKind::Sequence(copied)
            }
            NodeKind::Mapping(_) => {
                let entries = from.entries(root);
                let mut copied = Vec::with_capacity(entries.len());
                for entry in entries.iter() {
                    let key = self.graft(from, entry.key, locate, budget)?;
                    let value = self.graft(from, entry.value, locate, budget)?;
                    copied.push(Entry { key, value });
                }
                NodeKind::Mapping(copied)
            }
        };
        let id = self.push(kind, span);
        if let Some(tag) = from.tag(root) {
            self.tags.push((id, tag.into()));
        }
        Some(id)
    }

    /// Follows aliases to the node they stand for.
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        // Aliases only point backwards at finished nodes, so this ends; the bound is a guard.
        for _ in 0..64 {
            match self.node(id).kind {
                NodeKind::Alias(target) => id = target,
                _ => return id,
            }
        }
        id
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    /// The text of a scalar node (after following aliases).
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        self.scalar_parts(id).map(|(value, _)| value)
    }

    /// A scalar read as a string the way Kubernetes would: `null`/`~`/empty plain → `None`.
    pub fn string(&self, id: NodeId) -> Option<&str> {
        match self.scalar_parts(id)? {
            ("" | "~" | "null" | "Null" | "NULL", ScalarStyle::Plain) => None,
            (value, _) => Some(value),
        }
    }

    /// A sequence's items (after following aliases); empty for anything else.
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        matches!(self.node(self.resolve(id)).kind, NodeKind::Mapping(_))
    }

    /// A mapping's entries with merge keys applied: explicit keys first, then merged ones
    /// that no explicit key overrides (YAML merge-key semantics, as go-yaml applies them).
    pub fn entries(&self, id: NodeId) -> Cow<'_, [Entry]> {
        let NodeKind::Mapping(entries) = &self.node(self.resolve(id)).kind else {
            return Cow::Borrowed(&[]);
        };
        if !entries.iter().any(|e| self.is_merge_key(e.key)) {
            return Cow::Borrowed(entries);
        }
        let mut merged: Vec<Entry> = entries
            .iter()
            .filter(|e| !self.is_merge_key(e.key))
            .copied()
            .collect();
        for merge in entries.iter().filter(|e| self.is_merge_key(e.key)) {
            let value = self.resolve(merge.value);
            let sources: Vec<NodeId> = match &self.node(value).kind {
                NodeKind::Sequence(items) => items.clone(),
                _ => vec![value],
            };
            for source in sources {
                let source = self.resolve(source);
                // Nested merges in the source were applied when it was read the same way;
                // one level here is what the builder's alias budget accounts for.
                if let NodeKind::Mapping(source_entries) = &self.node(source).kind {
                    for entry in source_entries {
                        let key = self.scalar(entry.key);
                        if !merged
                            .iter()
                            .any(|m| key.is_some() && self.scalar(m.key) == key)
                        {
                            merged.push(*entry);
                        }
                    }
                }
            }
        }
        Cow::Owned(merged)
    }

    fn is_merge_key(&self, key: NodeId) -> bool {
        matches!(&self.node(key).kind, NodeKind::Scalar { value, style: ScalarStyle::Plain } if self.text(value) == MERGE_KEY)
    }

    /// The entry of a mapping under a scalar key.
    pub fn get(&self, map: NodeId, key: &str) -> Option<Entry> {
        self.entries(map)
            .iter()
            .rev()
            .find(|e| self.scalar(e.key) == Some(key))
            .copied()
    }

    /// Walks a path of mapping keys and sequence indexes; returns the last step's entry
    /// (for an index step the key is the item itself).
    pub fn lookup(&self, root: NodeId, path: &[PathStep<'_>]) -> Option<Entry> {
        let mut current = Entry {
            key: root,
            value: root,
        };
        for step in path {
            current = match *step {
                PathStep::Key(key) => self.get(current.value, key)?,
                PathStep::Index(index) => {
                    let item = *self.items(current.value).get(index)?;
                    Entry {
                        key: item,
                        value: item,
                    }
                }
            };
        }
        Some(current)
    }

    /// The path from `root` to `target` (`spec.ports[0].port`), for messages. The search is
    /// bounded, so an alias-heavy document cannot make it expensive.
    pub fn path_to(&self, root: NodeId, target: NodeId) -> Option<String> {
        let mut stack = vec![(root, String::new())];
        let mut budget = 200_000usize;
        while let Some((node, path)) = stack.pop() {
            if node == target {
                return Some(path);
            }
            budget = budget.checked_sub(1)?;
            match &self.node(self.resolve(node)).kind {
                NodeKind::Mapping(entries) => {
                    for entry in entries.iter().rev() {
                        let key = self.scalar(entry.key).unwrap_or("?");
                        let child = if path.is_empty() {
                            key.to_string()
                        } else {
                            format!("{path}.{key}")
                        };
                        if entry.key == target {
                            return Some(child);
                        }
                        stack.push((entry.value, child));
                    }
                }
                NodeKind::Sequence(items) => {
                    for (index, item) in items.iter().enumerate().rev() {
                        stack.push((*item, format!("{path}[{index}]")));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Convenience: a path of mapping keys only (`["spec", "loadBalancerIP"]`).
    pub fn lookup_keys(&self, root: NodeId, keys: &[&str]) -> Option<Entry> {
        let path: Vec<PathStep<'_>> = keys.iter().map(|k| PathStep::Key(k)).collect();
        self.lookup(root, &path)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStep<'a> {
    Key(&'a str),
    Index(usize),
}
