//! Values-defined Ingresses (an application chart's `ingress:` block) are changed in their
//! release's values, not replaced by a manifest: for a target that reads Ingresses, each
//! converted Ingress becomes a values fragment at its block's path — the target's class under
//! the key the chart reads it from, the translated annotations, and every source annotation
//! set to `null` (Helm's way to delete a key that another values layer sets). Side by side
//! (`--name-suffix`), the Ingresses stay manifests: a chart renders one Ingress per block.

use std::collections::HashMap;

use super::yaml::{Map, Value};
use super::{Emitted, Source, SOURCE_ANNOTATION};
use crate::detect::{ObjectKey, Objects};

/// The values to set in one release.
#[derive(Clone, Debug)]
pub struct Fragment {
    /// The file declaring the release (its fragment goes beside it under `--output-dir`).
    pub file: usize,
    /// `HelmRelease media/sonarr (Flux), chart app-template`.
    pub release: String,
    /// Where in the release the values go (`spec.values`).
    pub at: &'static str,
    pub values: Map,
    /// The Ingresses it changes.
    pub ingresses: Vec<ObjectKey>,
}

/// Moves the emitted Ingresses of values-defined sources into values fragments, one per
/// release, in input order.
pub fn fragments(
    objects: &Objects<'_>,
    sources: &[Source<'_>],
    emitted: &mut Vec<Emitted>,
    side_by_side: bool,
    decisions: &mut Vec<String>,
) -> Vec<Fragment> {
    let by_origin: HashMap<&str, &Source<'_>> = sources
        .iter()
        .filter(|s| objects.releases.values_ingress(s.key).is_some())
        .map(|s| (s.origin.as_str(), s))
        .collect();
    if by_origin.is_empty() {
        return Vec::new();
    }
    let mut fragments: Vec<Fragment> = Vec::new();
    let mut kept = Vec::new();
    for object in emitted.drain(..) {
        let source = source_of(&object.object).and_then(|o| by_origin.get(o.as_str()));
        let (Some(source), false) = (source, !is_ingress(&object.object) || side_by_side) else {
            kept.push(object);
            continue;
        };
        let Some((ingress, release)) = objects.releases.values_ingress(source.key) else {
            kept.push(object);
            continue;
        };
        let declared = release.declared();
        let at = release.kind.values_at();
        let index = match fragments.iter().position(|f| f.release == declared) {
            Some(i) => i,
            None => {
                fragments.push(Fragment {
                    file: release.file,
                    release: declared,
                    at,
                    values: Map::new(),
                    ingresses: Vec::new(),
                });
                fragments.len() - 1
            }
        };
        let fragment = &mut fragments[index];
        fragment.ingresses.push(source.key);
        let steps = release
            .under
            .iter()
            .map(String::as_str)
            .chain(ingress.block.split('.'));
        let mut block = &mut fragment.values;
        for step in steps {
            block = block.map_mut(step);
        }
        write_block(block, &object.object, source, &ingress.class_key);
    }
    // A target that writes no Ingress (Gateway API): the chart's Ingress is switched off
    // once the new objects serve.
    let converted: Vec<ObjectKey> = fragments.iter().flat_map(|f| f.ingresses.clone()).collect();
    let with_ingress: Vec<&str> = kept
        .iter()
        .filter(|e| is_ingress(&e.object))
        .filter_map(|e| source_of(&e.object))
        .map(|o| by_origin.get(o.as_str()).map_or("", |s| s.origin.as_str()))
        .collect();
    for source in by_origin.values() {
        if converted.contains(&source.key) || with_ingress.contains(&source.origin.as_str()) {
            continue;
        }
        if let Some((ingress, release)) = objects.releases.values_ingress(source.key) {
            decisions.push(format!(
                "Ingress {}/{} is defined in the values of {} (`{}`): once the objects written for it serve, switch it off there (`{}.enabled: false`)",
                source.namespace, source.name, release.declared_by, ingress.block, ingress.block
            ));
        }
    }
    decisions.sort();
    *emitted = kept;
    let values_defined =
        |e: &Emitted| source_of(&e.object).is_some_and(|o| by_origin.contains_key(o.as_str()));
    if side_by_side && emitted.iter().any(values_defined) {
        decisions.push("values-defined Ingresses are written as manifests beside the chart's (--name-suffix); for the switch itself, run without --name-suffix for the values to set".into());
    }
    if !fragments.is_empty() {
        decisions.push("values-defined Ingresses are changed in their releases' values: the report's *Values to set* lists them (under --output-dir, one `.values.yaml` file beside each release file); the chart then renders the Ingress for the target".into());
    }
    fragments
}

/// The block's class and annotations as the emitted Ingress has them; the source's own
/// annotations deleted.
fn write_block(block: &mut Map, ingress: &Map, source: &Source<'_>, class_key: &str) {
    let get_map = |map: &Map, key: &str| match map.get(key) {
        Some(Value::Map(m)) => Some(m.clone()),
        _ => None,
    };
    let class = get_map(ingress, "spec").and_then(|spec| match spec.get("ingressClassName") {
        Some(Value::Str(c)) => Some(c.clone()),
        _ => None,
    });
    if let Some(class) = class {
        block.set(class_key, class);
    }
    let emitted = get_map(ingress, "metadata")
        .and_then(|m| get_map(&m, "annotations"))
        .unwrap_or_default();
    let annotations = block.map_mut("annotations");
    for annotation in &source.annotations {
        if emitted.get(&annotation.key).is_none() {
            annotations.set(&annotation.key, Value::Null);
        }
    }
    let class_annotation = crate::knowledge::CLASS_ANNOTATION;
    let own_class_annotation = source
        .ingress
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(class_annotation));
    if own_class_annotation && emitted.get(class_annotation).is_none() {
        annotations.set(class_annotation, Value::Null);
    }
    for (key, value) in emitted.entries() {
        if key != SOURCE_ANNOTATION {
            annotations.set(key, value.clone());
        }
    }
    if annotations.is_empty() {
        block.remove("annotations");
    }
}

fn source_of(object: &Map) -> Option<String> {
    let Some(Value::Map(metadata)) = object.get("metadata") else {
        return None;
    };
    let Some(Value::Map(annotations)) = metadata.get("annotations") else {
        return None;
    };
    match annotations.get(SOURCE_ANNOTATION) {
        Some(Value::Str(origin)) => Some(origin.clone()),
        _ => None,
    }
}

fn is_ingress(object: &Map) -> bool {
    matches!(object.get("kind"), Some(Value::Str(kind)) if kind == "Ingress")
}
