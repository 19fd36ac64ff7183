//! The located node tree: an arena of nodes, each with its byte span.
//!
//! The tree is the path → position index: rules name a path, `lookup` returns the key and
//! value spans. Aliases stay references (never copied), so a document costs memory in
//! proportion to its text, however many times its anchors are used.
//!
//! Every tree of every input stays in memory until the report, so a node is 20 bytes: its
//! byte range, its shape, and two numbers that locate its text (in the source or in the tree's own
//! text) or its children (in one shared array of items and one of entries). A collection
//! costs no allocation of its own.

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

/// What a node is, as the rest of the program sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind<'t> {
    /// Its text through `Tree::scalar_parts`; an explicit tag through `Tree::tag`.
    Scalar {
        style: ScalarStyle,
    },
    Sequence(&'t [NodeId]),
    Mapping(&'t [Entry]),
    Alias(NodeId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node<'t> {
    pub kind: NodeKind<'t>,
    pub span: Span,
}

/// How a stored node reads its two numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `start`, `len` of the source: most plain and quoted scalars read exactly as written.
    SourceScalar(ScalarStyle),
    /// `start`, `len` of the tree's own text (escapes, line folding, block scalars, nodes
    /// built from elsewhere).
    OwnedScalar(ScalarStyle),
    /// `start`, `len` of the tree's items.
    Sequence,
    /// `start`, `len` of the tree's entries.
    Mapping,
    /// The target node, in `a`.
    Alias,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    start: u32,
    end: u32,
    shape: Shape,
    a: u32,
    b: u32,
}

const _: () = assert!(std::mem::size_of::<Slot>() == 20);

impl Slot {
    fn range(&self) -> std::ops::Range<usize> {
        self.a as usize..self.a as usize + self.b as usize
    }
}

/// All nodes of one file; documents name their root.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    slots: Vec<Slot>,
    items: Vec<NodeId>,
    entries: Vec<Entry>,
    /// The text of scalars that are not a range of the source.
    owned: String,
    /// The text the nodes were parsed from, when they point into it.
    source: Option<Arc<String>>,
    /// Explicit tags (`!!str` as `str`), by node, in node order: rare, so kept aside.
    tags: Vec<(NodeId, Box<str>)>,
    /// The input file of the nodes located in another file's text (a Kustomize patch merged
    /// into its base), by node, in node order.
    foreign: Vec<(NodeId, u32)>,
    /// Whether a mapping may hold a merge key: most trees have none, and then `entries`
    /// need not look for one on every lookup.
    merge_keys: bool,
    /// Parsed from the source with its `${…}` placeholders' braces as parentheses
    /// (`mask_placeholders`): a scalar written with them is still that range of the source.
    placeholders_masked: bool,
}

/// A YAML merge key (`<<: *defaults`).
const MERGE_KEY: &str = "<<";

/// A length or an offset as stored: files and trees stay under 4 GiB (inputs are bounded far
/// below), and a value past it saturates rather than wraps.
fn small(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl Tree {
    /// A tree whose scalars may point into `source`.
    pub(crate) fn over(source: Arc<String>) -> Tree {
        Tree {
            source: Some(source),
            ..Tree::default()
        }
    }

    /// This tree is built from the source with its placeholders masked.
    pub(crate) fn with_placeholders_masked(mut self) -> Tree {
        self.placeholders_masked = true;
        self
    }

    pub(crate) fn reserve(&mut self, nodes: usize) {
        self.slots.reserve(nodes);
    }

    /// Gives back the spare capacity the parse reserved: the tree is kept to the end.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.slots.shrink_to_fit();
        self.items.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.owned.shrink_to_fit();
        self.foreign.shrink_to_fit();
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
        let masked = self.placeholders_masked;
        let in_source = written.filter(|&(from, to)| {
            self.source
                .as_deref()
                .and_then(|text| text.get(from..to))
                .is_some_and(|text| text == value || (masked && mask_placeholders(text) == value))
        });
        let id = match in_source {
            Some((from, to)) => self.push(
                Shape::SourceScalar(style),
                small(from),
                small(to - from),
                span,
            ),
            None => self.push_owned(&value, style, span),
        };
        if let Some(tag) = tag {
            self.tags.push((id, tag));
        }
        id
    }

    fn push_owned(&mut self, value: &str, style: ScalarStyle, span: Span) -> NodeId {
        let start = small(self.owned.len());
        // Past 4 GiB of owned text a scalar reads as empty rather than as another's text.
        let len = if start == u32::MAX {
            0
        } else {
            self.owned.push_str(value);
            small(value.len())
        };
        self.push(Shape::OwnedScalar(style), start, len, span)
    }

    fn push(&mut self, shape: Shape, a: u32, b: u32, span: Span) -> NodeId {
        let id = small(self.slots.len());
        self.slots.push(Slot {
            start: span.start,
            end: span.end,
            shape,
            a,
            b,
        });
        if let Some(file) = span.foreign_file() {
            self.foreign.push((id, small(file)));
        }
        id
    }

    /// Takes back the last node added, a scalar no other node refers to (a key whose entry
    /// is passed over).
    pub(crate) fn forget_last(&mut self) {
        let Some(slot) = self.slots.pop() else {
            return;
        };
        let id = small(self.slots.len());
        if matches!(slot.shape, Shape::OwnedScalar(_)) {
            self.owned.truncate(slot.a as usize);
        }
        if self.tags.last().is_some_and(|(node, _)| *node == id) {
            self.tags.pop();
        }
        if self.foreign.last().is_some_and(|(node, _)| *node == id) {
            self.foreign.pop();
        }
    }

    /// Starts a collection whose children come later (`close_sequence`, `close_mapping`).
    pub(crate) fn open_sequence(&mut self, span: Span) -> NodeId {
        self.push(Shape::Sequence, 0, 0, span)
    }

    pub(crate) fn open_mapping(&mut self, span: Span) -> NodeId {
        self.push(Shape::Mapping, 0, 0, span)
    }

    pub(crate) fn push_alias(&mut self, target: NodeId, span: Span) -> NodeId {
        self.push(Shape::Alias, target, 0, span)
    }

    /// Gives an opened collection its children and its end.
    pub(crate) fn close_sequence(&mut self, id: NodeId, items: &[NodeId], end: u32) {
        let start = small(self.items.len());
        self.items.extend_from_slice(items);
        self.close(id, start, items.len(), end);
    }

    pub(crate) fn close_mapping(&mut self, id: NodeId, entries: &[Entry], end: u32) {
        let start = small(self.entries.len());
        self.entries.extend_from_slice(entries);
        self.merge_keys = self.merge_keys || entries.iter().any(|e| self.is_merge_key(e.key));
        self.close(id, start, entries.len(), end);
    }

    fn close(&mut self, id: NodeId, start: u32, len: usize, end: u32) {
        if let Some(slot) = self.slots.get_mut(id as usize) {
            slot.a = start;
            slot.b = small(len);
            slot.end = end.max(slot.start);
        }
    }

    fn text_of(&self, slot: &Slot) -> &str {
        let text = match slot.shape {
            Shape::SourceScalar(_) => self.source.as_deref().map_or("", String::as_str),
            Shape::OwnedScalar(_) => &self.owned,
            _ => return "",
        };
        text.get(slot.range()).unwrap_or_default()
    }

    fn slot(&self, id: NodeId) -> &Slot {
        &self.slots[id as usize]
    }

    /// A scalar's text and style (after following aliases).
    pub fn scalar_parts(&self, id: NodeId) -> Option<(&str, ScalarStyle)> {
        let slot = self.slot(self.resolve(id));
        match slot.shape {
            Shape::SourceScalar(style) | Shape::OwnedScalar(style) => {
                Some((self.text_of(slot), style))
            }
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

    pub fn node(&self, id: NodeId) -> Node<'_> {
        let slot = self.slot(id);
        let kind = match slot.shape {
            Shape::SourceScalar(style) | Shape::OwnedScalar(style) => NodeKind::Scalar { style },
            Shape::Sequence => NodeKind::Sequence(self.items.get(slot.range()).unwrap_or(&[])),
            Shape::Mapping => NodeKind::Mapping(self.entries.get(slot.range()).unwrap_or(&[])),
            Shape::Alias => NodeKind::Alias(slot.a),
        };
        Node {
            kind,
            span: self.span(id),
        }
    }

    /// Every node's span and kind, in node order.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = Node<'_>> {
        (0..small(self.slots.len())).map(|id| self.node(id))
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Adds a scalar node: synthetic objects (a chart release's rendered form) are built
    /// from such nodes, each located at the text it comes from.
    pub fn add_scalar(&mut self, value: &str, style: ScalarStyle, span: Span) -> NodeId {
        self.push_owned(value, style, span)
    }

    /// Adds a mapping of existing nodes.
    pub fn add_mapping(&mut self, entries: Vec<Entry>, span: Span) -> NodeId {
        let id = self.open_mapping(span);
        self.close_mapping(id, &entries, span.end);
        id
    }

    /// Adds a sequence of existing nodes.
    pub fn add_sequence(&mut self, items: Vec<NodeId>, span: Span) -> NodeId {
        let id = self.open_sequence(span);
        self.close_sequence(id, &items, span.end);
        id
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
        let resolved = from.resolve(root);
        let slot = *from.slot(resolved);
        let span = locate(from.span(resolved));
        let id = match slot.shape {
            Shape::SourceScalar(style) | Shape::OwnedScalar(style) => {
                let same_source = match (&self.source, &from.source) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    _ => false,
                };
                if same_source && matches!(slot.shape, Shape::SourceScalar(_)) {
                    self.push(slot.shape, slot.a, slot.b, span)
                } else {
                    self.push_owned(from.text_of(&slot), style, span)
                }
            }
            // `resolve` followed every alias; an unresolved one stands for nothing.
            Shape::Alias => self.push_owned("", ScalarStyle::Plain, span),
            Shape::Sequence => {
                let items = from.items(resolved);
                let mut copied = Vec::with_capacity(items.len());
                for item in items {
                    copied.push(self.graft(from, *item, locate, budget)?);
                }
                self.add_sequence(copied, span)
            }
            Shape::Mapping => {
                let entries = from.entries(root);
                let mut copied = Vec::with_capacity(entries.len());
                for entry in entries.iter() {
                    let key = self.graft(from, entry.key, locate, budget)?;
                    let value = self.graft(from, entry.value, locate, budget)?;
                    copied.push(Entry { key, value });
                }
                self.add_mapping(copied, span)
            }
        };
        if let Some(tag) = from.tag(root) {
            self.tags.push((id, tag.into()));
        }
        Some(id)
    }

    /// Lets go of the source before lines of it are cut: the scalars written in `cut`
    /// (sorted, apart; none should be) keep a copy of their text, and the tree holds the
    /// source no more, so the text can be cut where it lies. `move_source` then points the
    /// tree at the cut text.
    pub(crate) fn release_source(&mut self, cut: &[std::ops::Range<usize>]) {
        let Some(source) = self.source.take() else {
            return;
        };
        let touches_cut = |range: std::ops::Range<usize>| {
            let after = cut.partition_point(|c| c.end <= range.start);
            cut.get(after)
                .is_some_and(|c| c.start < range.end.max(range.start + 1))
        };
        for slot in &mut self.slots {
            let Shape::SourceScalar(style) = slot.shape else {
                continue;
            };
            if touches_cut(slot.range()) {
                let text = source.get(slot.range()).unwrap_or_default();
                slot.a = small(self.owned.len());
                self.owned.push_str(text);
                slot.shape = Shape::OwnedScalar(style);
            }
        }
    }

    /// Points the scalars that are ranges of the source (`release_source` left only those
    /// outside what was cut) at `source`, the same text with lines let go: `moved` says where
    /// an old offset is now.
    pub(crate) fn move_source(&mut self, source: Arc<String>, moved: impl Fn(usize) -> usize) {
        self.source = Some(source);
        for slot in &mut self.slots {
            if let Shape::SourceScalar(_) = slot.shape {
                slot.a = small(moved(slot.a as usize));
            }
        }
    }

    /// Keeps only what `keep_entry` keeps of the mappings `cut` and the nodes still reachable
    /// from `roots` then; returns each old node's new id (`None` for a dropped one). Node
    /// order is kept, so aliases still point backwards.
    pub(crate) fn cut(
        &mut self,
        roots: &[NodeId],
        cut: &[NodeId],
        keep_entry: impl Fn(&str) -> bool,
    ) -> Vec<Option<NodeId>> {
        let mut entries = std::mem::take(&mut self.entries);
        for &id in cut {
            let Some(slot) = self.slots.get(id as usize).copied() else {
                continue;
            };
            if slot.shape != Shape::Mapping {
                continue;
            }
            let kept: Vec<Entry> = entries
                .get(slot.range())
                .unwrap_or(&[])
                .iter()
                .filter(|e| self.scalar(e.key).is_some_and(&keep_entry))
                .copied()
                .collect();
            // The kept entries go first in the mapping's own range: it never grows.
            if let Some(first) = entries.get_mut(slot.a as usize..slot.a as usize + kept.len()) {
                first.copy_from_slice(&kept);
                self.slots[id as usize].b = small(kept.len());
            }
        }
        self.entries = entries;
        let mut reached = vec![false; self.slots.len()];
        let mut stack: Vec<NodeId> = roots.to_vec();
        while let Some(id) = stack.pop() {
            let Some(seen) = reached.get_mut(id as usize) else {
                continue;
            };
            if std::mem::replace(seen, true) {
                continue;
            }
            match self.node(id).kind {
                NodeKind::Sequence(items) => stack.extend_from_slice(items),
                NodeKind::Mapping(entries) => {
                    stack.extend(entries.iter().flat_map(|e| [e.key, e.value]));
                }
                NodeKind::Alias(target) => stack.push(target),
                NodeKind::Scalar { .. } => {}
            }
        }
        let mut new_ids = Vec::with_capacity(self.slots.len());
        let mut next: NodeId = 0;
        for &kept in &reached {
            new_ids.push(kept.then(|| {
                next += 1;
                next - 1
            }));
        }
        let renumber = |id: NodeId| new_ids.get(id as usize).copied().flatten().unwrap_or(0);
        let mut out = Tree {
            source: self.source.clone(),
            merge_keys: self.merge_keys,
            ..Tree::default()
        };
        out.slots.reserve_exact(next as usize);
        for (id, slot) in self.slots.iter().enumerate() {
            if !reached[id] {
                continue;
            }
            let (a, b) = match slot.shape {
                Shape::SourceScalar(_) => (slot.a, slot.b),
                Shape::OwnedScalar(_) => {
                    let start = small(out.owned.len());
                    out.owned.push_str(self.text_of(slot));
                    (start, slot.b)
                }
                Shape::Sequence => {
                    let start = small(out.items.len());
                    let items = self.items.get(slot.range()).unwrap_or(&[]);
                    out.items.extend(items.iter().map(|&i| renumber(i)));
                    (start, slot.b)
                }
                Shape::Mapping => {
                    let start = small(out.entries.len());
                    let entries = self.entries.get(slot.range()).unwrap_or(&[]);
                    out.entries.extend(entries.iter().map(|e| Entry {
                        key: renumber(e.key),
                        value: renumber(e.value),
                    }));
                    (start, slot.b)
                }
                Shape::Alias => (renumber(slot.a), 0),
            };
            out.slots.push(Slot { a, b, ..*slot });
        }
        out.tags = std::mem::take(&mut self.tags)
            .into_iter()
            .filter_map(|(id, tag)| Some((new_ids.get(id as usize).copied().flatten()?, tag)))
            .collect();
        out.foreign = self
            .foreign
            .iter()
            .filter_map(|&(id, file)| Some((new_ids.get(id as usize).copied().flatten()?, file)))
            .collect();
        out.shrink_to_fit();
        *self = out;
        new_ids
    }

    /// Follows aliases to the node they stand for.
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        // Aliases only point backwards at finished nodes, so this ends; the bound is a guard.
        for _ in 0..64 {
            let slot = self.slot(id);
            match slot.shape {
                Shape::Alias => id = slot.a,
                _ => return id,
            }
        }
        id
    }

    pub fn span(&self, id: NodeId) -> Span {
        let slot = self.slot(id);
        let span = Span::new(slot.start as usize, slot.end as usize);
        match self.foreign.binary_search_by_key(&id, |(node, _)| *node) {
            Ok(at) => span.in_file(self.foreign[at].1 as usize),
            Err(_) => span,
        }
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
        let slot = self.slot(self.resolve(id));
        match slot.shape {
            Shape::Sequence => self.items.get(slot.range()).unwrap_or(&[]),
            _ => &[],
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        self.slot(self.resolve(id)).shape == Shape::Mapping
    }

    /// A mapping's entries with merge keys applied: explicit keys first, then merged ones
    /// that no explicit key overrides (YAML merge-key semantics, as go-yaml applies them).
    pub fn entries(&self, id: NodeId) -> Cow<'_, [Entry]> {
        let NodeKind::Mapping(entries) = self.node(self.resolve(id)).kind else {
            return Cow::Borrowed(&[]);
        };
        if !self.merge_keys || !entries.iter().any(|e| self.is_merge_key(e.key)) {
            return Cow::Borrowed(entries);
        }
        let mut merged: Vec<Entry> = entries
            .iter()
            .filter(|e| !self.is_merge_key(e.key))
            .copied()
            .collect();
        for merge in entries.iter().filter(|e| self.is_merge_key(e.key)) {
            let value = self.resolve(merge.value);
            let sources: Vec<NodeId> = match self.node(value).kind {
                NodeKind::Sequence(items) => items.to_vec(),
                _ => vec![value],
            };
            for source in sources {
                let source = self.resolve(source);
                // Nested merges in the source were applied when it was read the same way;
                // one level here is what the builder's alias budget accounts for.
                if let NodeKind::Mapping(source_entries) = self.node(source).kind {
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
        let slot = self.slot(key);
        matches!(
            slot.shape,
            Shape::SourceScalar(ScalarStyle::Plain) | Shape::OwnedScalar(ScalarStyle::Plain)
        ) && self.text_of(slot) == MERGE_KEY
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
            match self.node(self.resolve(node)).kind {
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

/// The text with each `${…}` placeholder (envsubst, Flux `postBuild`) written `$(…)`: same
/// length and offsets, and a plain scalar in a flow collection (`[vault.${DOMAIN}:8200]`),
/// where braces are YAML's, stays one scalar. Placeholders are never YAML structure: what the
/// tool substitutes them with is a scalar.
pub fn mask_placeholders(text: &str) -> Cow<'_, str> {
    if !text.contains("${") {
        return Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    let mut at = 0;
    while let Some(open) = text[at..].find("${").map(|i| i + at) {
        let rest = &text[open + 2..];
        let end = rest
            .find(['}', '{', '\n'])
            .filter(|&i| rest.as_bytes()[i] == b'}');
        match end {
            Some(close) if close > 0 => {
                out[open + 1] = b'(';
                out[open + 2 + close] = b')';
                at = open + 3 + close;
            }
            _ => at = open + 2,
        }
    }
    // Only ASCII braces were swapped for ASCII parentheses: still UTF-8.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}
