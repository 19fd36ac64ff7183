//! A release's values as Helm merges them: layers, highest precedence first, down to the
//! chart's own `values.yaml`. A lookup walks the layers; a `null` deletes what lies below
//! (Helm's rule), and a layer whose content is not in the input makes everything below it
//! unknown.

use std::borrow::Cow;

use manifest::parse::{resolve_plain, NodeId, NodeKind, Resolved, ScalarStyle, Tree};
use manifest::Span;

use crate::knowledge::charts::{Condition, Test};

/// Where a layer's nodes are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Written in the release's own file: its nodes keep their spans.
    InFile,
    /// Elsewhere (another file, the chart's defaults): reported at this span of the release.
    At(Span),
    /// Written in another input file (by its index): its nodes keep their spans there.
    Foreign(usize),
}

impl Placement {
    /// Where a node of the layer at `span` is reported in the release's file.
    pub fn locate(self, span: Span) -> Span {
        match self {
            Placement::InFile => span,
            Placement::At(at) => at,
            Placement::Foreign(file) => span.in_file(file),
        }
    }

    /// Whether each node is reported where it was written (not at a stand-in span).
    pub fn is_exact(self) -> bool {
        !matches!(self, Placement::At(_))
    }
}

pub enum Layer<'a> {
    Known {
        tree: Cow<'a, Tree>,
        root: NodeId,
        placement: Placement,
    },
    /// Values that exist but cannot be read from the input (a Secret not in it, …).
    Unknown(String),
}

/// What a path holds.
#[derive(Clone, Copy, Debug)]
pub enum Lookup<'v> {
    Found {
        tree: &'v Tree,
        /// The key the value is written under (`None` for a layer's root).
        key: Option<NodeId>,
        node: NodeId,
        placement: Placement,
    },
    /// Not set anywhere (or deleted by a `null`).
    Absent,
    Unknown(&'v str),
}

#[derive(Default)]
pub struct Values<'a> {
    /// Highest precedence first; the chart defaults last.
    pub layers: Vec<Layer<'a>>,
}

impl<'a> Values<'a> {
    pub fn lookup(&self, path: &[&str]) -> Lookup<'_> {
        for layer in &self.layers {
            match layer {
                Layer::Unknown(reason) => return Lookup::Unknown(reason),
                Layer::Known {
                    tree,
                    root,
                    placement,
                } => match walk(tree, *root, path) {
                    Walk::Found(key, node) => {
                        return Lookup::Found {
                            tree,
                            key,
                            node,
                            placement: *placement,
                        }
                    }
                    Walk::Null => return Lookup::Absent,
                    Walk::Missing => {}
                },
            }
        }
        Lookup::Absent
    }

    /// The keys of a map value, merged over every layer (in the order first seen); `Err`
    /// with the reason when a layer that could add keys is unknown.
    pub fn keys(&self, path: &[&str]) -> Result<Vec<String>, &str> {
        let mut keys: Vec<String> = Vec::new();
        for layer in &self.layers {
            match layer {
                Layer::Unknown(reason) => return Err(reason),
                Layer::Known { tree, root, .. } => match walk(tree, *root, path) {
                    Walk::Found(_, node) => {
                        if !tree.is_mapping(node) {
                            // A scalar or list replaces the maps below it.
                            return Ok(keys);
                        }
                        for entry in tree.entries(node).iter() {
                            if let Some(key) = tree.scalar(entry.key) {
                                if !keys.iter().any(|k| k == key) {
                                    keys.push(key.to_string());
                                }
                            }
                        }
                    }
                    Walk::Null => return Ok(keys),
                    Walk::Missing => {}
                },
            }
        }
        Ok(keys)
    }
}

impl Values<'_> {
    /// Whether a condition holds; `Err` with the reason when the values cannot tell.
    pub fn holds(&self, condition: &Condition) -> Result<bool, String> {
        self.test(&split_path(&condition.path), &condition.test)
    }

    /// Whether the value at `path` passes `test`.
    pub fn test(&self, path: &[&str], test: &Test) -> Result<bool, String> {
        let (text, set) = match self.lookup(path) {
            Lookup::Found { tree, node, .. } => (text(tree, node), truthy(tree, node)),
            Lookup::Absent => (None, false),
            Lookup::Unknown(reason) => return Err(reason.to_string()),
        };
        let text = text.unwrap_or_default();
        Ok(match test {
            Test::Truthy => set,
            Test::Falsy => !set,
            Test::Equals(v) => v.split('|').any(|v| v == text),
            Test::Differs(v) => &text != v,
        })
    }
}

/// The key and value at `path` below `root` of one tree (no layers, no `null` rule).
pub fn find(tree: &Tree, root: NodeId, path: &[&str]) -> Option<(Option<NodeId>, NodeId)> {
    match walk(tree, root, path) {
        Walk::Found(key, node) => Some((key, node)),
        Walk::Null | Walk::Missing => None,
    }
}

enum Walk {
    Found(Option<NodeId>, NodeId),
    Null,
    Missing,
}

fn walk(tree: &Tree, root: NodeId, path: &[&str]) -> Walk {
    let (mut key, mut node) = (None, root);
    for step in path {
        if is_null(tree, node) {
            return Walk::Null;
        }
        match tree.get(node, step) {
            Some(entry) => (key, node) = (Some(entry.key), entry.value),
            None => return Walk::Missing,
        }
    }
    if is_null(tree, node) {
        Walk::Null
    } else {
        Walk::Found(key, tree.resolve(node))
    }
}

fn is_null(tree: &Tree, node: NodeId) -> bool {
    matches!(
        tree.scalar_parts(node),
        Some(("~" | "null" | "Null" | "NULL", ScalarStyle::Plain))
    )
}

/// Helm's truthiness of a value (Go templates' `if`): false, 0, "" and empty collections
/// are false; a string is true whenever it is not empty, `"false"` included.
pub fn truthy(tree: &Tree, node: NodeId) -> bool {
    match &tree.node(tree.resolve(node)).kind {
        NodeKind::Scalar { .. } => {
            let (value, style) = tree.scalar_parts(node).unwrap_or(("", ScalarStyle::Plain));
            if style != ScalarStyle::Plain {
                return !value.is_empty();
            }
            match resolve_plain(value) {
                Resolved::Null => false,
                Resolved::Bool(b) => b,
                Resolved::Int(i) => i != 0,
                Resolved::UInt(u) => u != 0,
                Resolved::Float(f) => f != 0.0,
                Resolved::String => !value.is_empty(),
            }
        }
        NodeKind::Sequence(items) => !items.is_empty(),
        NodeKind::Mapping(entries) => !entries.is_empty(),
        NodeKind::Alias(_) => false,
    }
}

/// A scalar's text as a template prints it (`true`, `80`, the string itself).
pub fn text(tree: &Tree, node: NodeId) -> Option<String> {
    let (value, style) = tree.scalar_parts(node)?;
    if style == ScalarStyle::Plain {
        if let Resolved::Bool(b) = resolve_plain(value) {
            return Some(b.to_string());
        }
    }
    Some(value.to_string())
}

/// `a.b.c` → `["a", "b", "c"]`.
pub fn split_path(path: &str) -> Vec<&str> {
    path.split('.').filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use manifest::parse::{parse, Limits};

    fn layer(text: &str) -> Layer<'static> {
        let parsed = parse(text, Limits::default());
        let root = parsed.documents[0].root.unwrap();
        Layer::Known {
            tree: Cow::Owned(parsed.tree),
            root,
            placement: Placement::InFile,
        }
    }

    fn get(values: &Values, path: &str) -> Option<String> {
        match values.lookup(&split_path(path)) {
            Lookup::Found { tree, node, .. } => text(tree, node),
            Lookup::Absent => None,
            Lookup::Unknown(reason) => Some(format!("unknown: {reason}")),
        }
    }

    #[test]
    fn layers_merge_deeply_and_null_deletes() {
        let values = Values {
            layers: vec![
                layer("controller:\n  ingressClass: null\n  service: {type: NodePort}\n"),
                layer("controller:\n  ingressClass: nginx\n  kind: Deployment\n  service: {type: LoadBalancer, enabled: true}\n"),
            ],
        };
        assert_eq!(get(&values, "controller.ingressClass"), None);
        assert_eq!(
            get(&values, "controller.kind").as_deref(),
            Some("Deployment")
        );
        assert_eq!(
            get(&values, "controller.service.type").as_deref(),
            Some("NodePort")
        );
        assert_eq!(
            get(&values, "controller.service.enabled").as_deref(),
            Some("true")
        );
        assert_eq!(
            values.keys(&["controller", "service"]).unwrap(),
            ["type", "enabled"]
        );
    }

    #[test]
    fn an_unknown_layer_hides_what_is_below_it() {
        let values = Values {
            layers: vec![
                layer("a: 1\n"),
                Layer::Unknown("Secret s is not in the input".into()),
                layer("a: 2\nb: 3\n"),
            ],
        };
        assert_eq!(get(&values, "a").as_deref(), Some("1"));
        assert_eq!(
            get(&values, "b").as_deref(),
            Some("unknown: Secret s is not in the input")
        );
    }

    #[test]
    fn helm_truthiness() {
        let parsed = parse(
            "a: false\nb: \"false\"\nc: 0\nd: ''\ne: {}\nf: [x]\ng: yes\n",
            Limits::default(),
        );
        let root = parsed.documents[0].root.unwrap();
        let t = |k: &str| truthy(&parsed.tree, parsed.tree.get(root, k).unwrap().value);
        assert_eq!(
            ["a", "b", "c", "d", "e", "f", "g"].map(t),
            [false, true, false, false, false, true, true]
        );
    }
}
