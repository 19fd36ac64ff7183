//! Kustomize patches merged into the tree of the object they target, as `kustomize build`
//! merges them: strategic merge (mappings merged key by key, the lists Kubernetes merges by a
//! key merged by it, other values replaced, `null` and `$patch: delete` deleting) and JSON
//! 6902 (`add`, `replace`, `remove`, `copy`, `move`; `test` is not evaluated). Nodes taken
//! from a patch keep their place in the patch's file, so what a patch sets is located where
//! the patch sets it.

use manifest::parse::{Entry, NodeId, NodeKind, ScalarStyle, Tree};
use manifest::Span;

/// A patch's tree, and where its spans are (`locate` tags them with the patch's file).
pub struct From<'a> {
    pub tree: &'a Tree,
    pub locate: &'a dyn Fn(Span) -> Span,
}

/// Nodes a patch may copy: a hostile alias web must not explode.
const BUDGET: usize = 200_000;

/// What a strategic-merge patch leaves of a node.
enum Merged {
    Node(NodeId),
    Deleted,
}

/// Merges the strategic-merge patch `patch` (of `from`) into `base` (of `out`). `None`: the
/// patch deletes the object (`$patch: delete`).
pub fn strategic_merge(
    out: &mut Tree,
    base: NodeId,
    from: &From<'_>,
    patch: NodeId,
) -> Option<NodeId> {
    let mut budget = BUDGET;
    match merge_mapping(out, base, from, patch, &mut budget) {
        Merged::Node(node) => Some(node),
        Merged::Deleted => None,
    }
}

fn directive(tree: &Tree, node: NodeId) -> Option<&str> {
    tree.get(node, "$patch").and_then(|e| tree.scalar(e.value))
}

fn is_null(tree: &Tree, node: NodeId) -> bool {
    tree.scalar(node).is_some() && tree.string(node).is_none()
}

fn merge_mapping(
    out: &mut Tree,
    base: NodeId,
    from: &From<'_>,
    patch: NodeId,
    budget: &mut usize,
) -> Merged {
    match directive(from.tree, patch) {
        Some("delete") => return Merged::Deleted,
        Some("replace") => return Merged::Node(copy(out, from, patch, budget).unwrap_or(base)),
        _ => {}
    }
    if !out.is_mapping(base) {
        return Merged::Node(copy(out, from, patch, budget).unwrap_or(base));
    }
    let mut entries: Vec<Entry> = out.entries(base).into_owned();
    for patch_entry in from.tree.entries(patch).iter() {
        let Some(key) = from.tree.scalar(patch_entry.key) else {
            continue;
        };
        if key.starts_with('$') {
            continue;
        }
        let at = entries.iter().position(|e| out.scalar(e.key) == Some(key));
        if is_null(from.tree, patch_entry.value) {
            if let Some(at) = at {
                entries.remove(at);
            }
            continue;
        }
        let Some(at) = at else {
            let (Some(key), Some(value)) = (
                copy(out, from, patch_entry.key, budget),
                copy(out, from, patch_entry.value, budget),
            ) else {
                continue;
            };
            entries.push(Entry { key, value });
            continue;
        };
        let base_value = entries[at].value;
        let patch_value = patch_entry.value;
        if out.is_mapping(base_value) && from.tree.is_mapping(patch_value) {
            match merge_mapping(out, base_value, from, patch_value, budget) {
                Merged::Node(node) => entries[at].value = node,
                Merged::Deleted => {
                    entries.remove(at);
                }
            }
            continue;
        }
        let is_list =
            |tree: &Tree, node| matches!(tree.node(tree.resolve(node)).kind, NodeKind::Sequence(_));
        if is_list(out, base_value) && is_list(from.tree, patch_value) {
            if let Some(merge_key) = merge_key(key, from.tree, patch_value) {
                entries[at].value =
                    merge_list(out, base_value, from, patch_value, merge_key, budget);
                continue;
            }
        }
        // The same scalar again changes nothing: it stays located in the base.
        let scalar = from.tree.scalar(patch_value);
        if scalar.is_some() && out.scalar(base_value) == scalar {
            continue;
        }
        // Replaced: the key is located at the patch too.
        if let (Some(key), Some(value)) = (
            copy(out, from, patch_entry.key, budget),
            copy(out, from, patch_value, budget),
        ) {
            entries[at] = Entry { key, value };
        }
    }
    let span = out.span(base);
    Merged::Node(out.add_mapping(entries, span))
}

/// The key Kubernetes merges a list by (`patchMergeKey` in k8s.io/api's types: containers,
/// env, volumes and image pull secrets by `name`, container ports by `containerPort`,
/// Service ports by `port`, volume mounts by `mountPath`, host aliases by `ip`); other lists
/// (Ingress rules and TLS among them) are replaced whole.
fn merge_key(field: &str, tree: &Tree, patch: NodeId) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "hostAliases" => Some("ip"),
        "ports" => {
            let container = tree
                .items(patch)
                .iter()
                .any(|i| tree.get(*i, "containerPort").is_some());
            Some(if container { "containerPort" } else { "port" })
        }
        _ => None,
    }
}

fn merge_list(
    out: &mut Tree,
    base: NodeId,
    from: &From<'_>,
    patch: NodeId,
    merge_key: &str,
    budget: &mut usize,
) -> NodeId {
    let mut items = out.items(base).to_vec();
    for item in from.tree.items(patch) {
        let wanted = from
            .tree
            .get(*item, merge_key)
            .and_then(|e| from.tree.scalar(e.value));
        let at = wanted.and_then(|wanted| {
            items.iter().position(|i| {
                out.get(*i, merge_key).and_then(|e| out.scalar(e.value)) == Some(wanted)
            })
        });
        match at {
            Some(at) => match merge_mapping(out, items[at], from, *item, budget) {
                Merged::Node(node) => items[at] = node,
                Merged::Deleted => {
                    items.remove(at);
                }
            },
            None if directive(from.tree, *item).is_some() => {}
            None => items.extend(copy(out, from, *item, budget)),
        }
    }
    let span = out.span(base);
    out.add_sequence(items, span)
}

fn copy(out: &mut Tree, from: &From<'_>, node: NodeId, budget: &mut usize) -> Option<NodeId> {
    out.graft(from.tree, node, from.locate, budget)
}

/// Applies the JSON 6902 operations of the sequence `ops` (of `from`) to `base`; an
/// operation that cannot apply is an error naming it, as `kustomize build` fails on it.
pub fn json6902(
    out: &mut Tree,
    base: NodeId,
    from: &From<'_>,
    ops: NodeId,
) -> Result<NodeId, (NodeId, String)> {
    let mut budget = BUDGET;
    let mut root = base;
    for op in from.tree.items(ops) {
        let field = |name: &str| from.tree.get(*op, name);
        let text = |name: &str| field(name).and_then(|e| from.tree.scalar(e.value));
        let name = text("op").unwrap_or_default();
        let Some(path) = field("path") else {
            return Err((*op, format!("operation `{name}` has no `path`")));
        };
        let path_text = from.tree.scalar(path.value).unwrap_or_default();
        let tokens = pointer(path_text);
        let key_span = (from.locate)(from.tree.span(path.value));
        let fail = |why: &str| Err((path.value, format!("`{name} {path_text}`: {why}")));
        let value = match name {
            "add" | "replace" => match field("value") {
                Some(v) => match copy(out, from, v.value, &mut budget) {
                    Some(node) => Some(node),
                    None => return fail("the value is too large to read"),
                },
                None => return fail("no `value`"),
            },
            "copy" | "move" => {
                let source = text("from").map(pointer).unwrap_or_default();
                match node_at(out, root, &source) {
                    Some(node) => Some(node),
                    None => return fail("its `from` is not in the object"),
                }
            }
            "remove" => None,
            "test" => continue,
            _ => return fail("unknown operation"),
        };
        if name == "move" {
            let source = text("from").map(pointer).unwrap_or_default();
            root = match edit(out, root, &source, Edit::Remove, key_span) {
                Some(node) => node,
                None => return fail("its `from` is not in the object"),
            };
        }
        let change = match (name, value) {
            ("replace", Some(value)) => Edit::Replace(value),
            (_, Some(value)) => Edit::Add(value),
            _ => Edit::Remove,
        };
        root = match edit(out, root, &tokens, change, key_span) {
            Some(node) => node,
            None => return fail("the path is not in the object"),
        };
    }
    Ok(root)
}

/// A JSON pointer's tokens (`~1` is `/`, `~0` is `~`).
fn pointer(text: &str) -> Vec<String> {
    text.split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn node_at(tree: &Tree, root: NodeId, tokens: &[String]) -> Option<NodeId> {
    let mut node = root;
    for token in tokens {
        node = if tree.is_mapping(node) {
            tree.get(node, token)?.value
        } else {
            *tree.items(node).get(token.parse::<usize>().ok()?)?
        };
    }
    Some(node)
}

#[derive(Clone, Copy)]
enum Edit {
    Add(NodeId),
    Replace(NodeId),
    Remove,
}

/// `root` with the edit made at `tokens` (copies along the path; the rest is shared). New
/// keys are located at the operation's `path`.
fn edit(
    out: &mut Tree,
    root: NodeId,
    tokens: &[String],
    change: Edit,
    key_span: Span,
) -> Option<NodeId> {
    let Some((token, rest)) = tokens.split_first() else {
        return match change {
            Edit::Add(value) | Edit::Replace(value) => Some(value),
            Edit::Remove => None,
        };
    };
    let span = out.span(root);
    if out.is_mapping(root) {
        let mut entries = out.entries(root).into_owned();
        let at = entries
            .iter()
            .position(|e| out.scalar(e.key) == Some(token));
        if rest.is_empty() {
            match (change, at) {
                (Edit::Add(value) | Edit::Replace(value), Some(at)) => {
                    let key = out.add_scalar(token, ScalarStyle::Plain, key_span);
                    entries[at] = Entry { key, value };
                }
                (Edit::Add(value), None) => {
                    let key = out.add_scalar(token, ScalarStyle::Plain, key_span);
                    entries.push(Entry { key, value });
                }
                (Edit::Remove, Some(at)) => {
                    entries.remove(at);
                }
                (Edit::Replace(_) | Edit::Remove, None) => return None,
            }
        } else {
            let at = at?;
            entries[at].value = edit(out, entries[at].value, rest, change, key_span)?;
        }
        return Some(out.add_mapping(entries, span));
    }
    if !matches!(out.node(out.resolve(root)).kind, NodeKind::Sequence(_)) {
        return None;
    }
    let mut items = out.items(root).to_vec();
    let index = if token == "-" {
        items.len()
    } else {
        token.parse::<usize>().ok()?
    };
    if rest.is_empty() {
        match change {
            Edit::Add(value) if index <= items.len() => items.insert(index, value),
            Edit::Replace(value) if index < items.len() => items[index] = value,
            Edit::Remove if index < items.len() => {
                items.remove(index);
            }
            _ => return None,
        }
    } else {
        let item = *items.get(index)?;
        items[index] = edit(out, item, rest, change, key_span)?;
    }
    Some(out.add_sequence(items, span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use manifest::parse::{parse, Limits, PathStep};

    fn tree(text: &str) -> (Tree, NodeId) {
        let parsed = parse(text, Limits::default());
        let root = parsed.documents[0].root.unwrap();
        (parsed.tree, root)
    }

    fn text(tree: &Tree, root: NodeId, path: &[&str]) -> Option<String> {
        let steps: Vec<PathStep> = path
            .iter()
            .map(|p| p.parse::<usize>().map_or(PathStep::Key(p), PathStep::Index))
            .collect();
        tree.lookup(root, &steps)
            .and_then(|e| tree.scalar(e.value))
            .map(str::to_string)
    }

    const BASE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations: {a: '1', b: '2'}\nspec:\n  type: ClusterIP\n  ports:\n  - {port: 80, name: http}\n  - {port: 443, name: https}\n";

    #[test]
    fn strategic_merge_merges_maps_replaces_values_and_merges_ports_by_port() {
        let (mut out, base) = tree(BASE);
        let (patch_tree, patch) = tree("metadata:\n  name: s\n  annotations: {b: null, c: '3'}\nspec:\n  type: LoadBalancer\n  ports:\n  - {port: 443, nodePort: 30443}\n  - {port: 8080}\n");
        let from = From {
            tree: &patch_tree,
            locate: &|s: Span| s.in_file(7),
        };
        let merged = strategic_merge(&mut out, base, &from, patch).unwrap();
        assert_eq!(
            text(&out, merged, &["metadata", "annotations", "a"]).as_deref(),
            Some("1")
        );
        assert_eq!(text(&out, merged, &["metadata", "annotations", "b"]), None);
        assert_eq!(
            text(&out, merged, &["metadata", "annotations", "c"]).as_deref(),
            Some("3")
        );
        assert_eq!(
            text(&out, merged, &["spec", "type"]).as_deref(),
            Some("LoadBalancer")
        );
        assert_eq!(
            text(&out, merged, &["spec", "ports", "1", "name"]).as_deref(),
            Some("https")
        );
        assert_eq!(
            text(&out, merged, &["spec", "ports", "1", "nodePort"]).as_deref(),
            Some("30443")
        );
        assert_eq!(
            text(&out, merged, &["spec", "ports", "2", "port"]).as_deref(),
            Some("8080")
        );
        // What the patch set is located in the patch's file; the rest stays in the base.
        let entry = out
            .lookup(merged, &[PathStep::Key("spec"), PathStep::Key("type")])
            .unwrap();
        assert_eq!(out.span(entry.key).foreign_file(), Some(7));
        let entry = out.lookup(merged, &[PathStep::Key("kind")]).unwrap();
        assert_eq!(out.span(entry.key).foreign_file(), None);
    }

    #[test]
    fn patch_delete_deletes_the_object_and_list_items() {
        let (mut out, base) = tree(BASE);
        let (patch_tree, patch) = tree("$patch: delete\nmetadata: {name: s}\n");
        let from = From {
            tree: &patch_tree,
            locate: &|s: Span| s,
        };
        assert_eq!(strategic_merge(&mut out, base, &from, patch), None);
        let (patch_tree, patch) = tree("spec:\n  ports:\n  - {port: 80, $patch: delete}\n");
        let from = From {
            tree: &patch_tree,
            locate: &|s: Span| s,
        };
        let merged = strategic_merge(&mut out, base, &from, patch).unwrap();
        assert_eq!(
            out.lookup(merged, &[PathStep::Key("spec"), PathStep::Key("ports")])
                .map(|e| out.items(e.value).len()),
            Some(1)
        );
    }

    #[test]
    fn json6902_adds_replaces_removes_with_escaped_keys() {
        let (mut out, base) = tree(BASE);
        let (patch_tree, ops) = tree("- {op: add, path: /metadata/annotations/x.io~1class, value: nginx}\n- {op: replace, path: /spec/type, value: NodePort}\n- {op: remove, path: /spec/ports/0}\n- {op: add, path: /spec/ports/-, value: {port: 9}}\n");
        let from = From {
            tree: &patch_tree,
            locate: &|s: Span| s.in_file(3),
        };
        let merged = json6902(&mut out, base, &from, ops).unwrap();
        assert_eq!(
            text(&out, merged, &["metadata", "annotations", "x.io/class"]).as_deref(),
            Some("nginx")
        );
        assert_eq!(
            text(&out, merged, &["spec", "type"]).as_deref(),
            Some("NodePort")
        );
        assert_eq!(
            text(&out, merged, &["spec", "ports", "0", "port"]).as_deref(),
            Some("443")
        );
        assert_eq!(
            text(&out, merged, &["spec", "ports", "1", "port"]).as_deref(),
            Some("9")
        );
        let (patch_tree, ops) = tree("- {op: replace, path: /spec/missing, value: x}\n");
        let from = From {
            tree: &patch_tree,
            locate: &|s: Span| s,
        };
        let error = json6902(&mut out, base, &from, ops).unwrap_err();
        assert!(error.1.contains("not in the object"), "{}", error.1);
    }
}
