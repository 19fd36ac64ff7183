//! IngressClasses, each Ingress's class, and which controllers serve it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use manifest::parse::PathStep;
use manifest::{Span, TypedObject};

use super::{Claimant, Inventory, ObjectKey, Objects, Tri};
use crate::knowledge::{CLASS_ANNOTATION, DEFAULT_CLASS_ANNOTATION};

#[derive(Clone, Debug)]
pub struct ClassEntry {
    pub key: ObjectKey,
    pub name: String,
    /// `spec.controller`.
    pub controller: Option<String>,
    pub default: bool,
    /// Claimants serving it: (controller instance, claimant) indexes.
    pub served_by: Served,
}

/// Claimants, as (controller instance, claimant) indexes. Objects that read the same class
/// the same way share one list: thousands of Ingresses of one class served by thousands of
/// controllers cost one list, not their product.
pub type Served = Arc<Vec<(usize, usize)>>;

/// Where an Ingress's class comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassSource {
    Spec,
    Annotation,
    /// The single default IngressClass (admission writes it into new Ingresses).
    Default,
    None,
}

#[derive(Clone, Debug)]
pub struct IngressEntry {
    pub key: ObjectKey,
    pub class: Option<String>,
    pub class_source: ClassSource,
    /// The node the class was read from (`spec.ingressClassName` or the annotation).
    pub class_span: Option<Span>,
    pub served_by: Served,
    /// Annotation counts by prefix (`nginx.ingress.kubernetes.io` → 3).
    pub annotation_prefixes: BTreeMap<String, usize>,
}

pub fn collect(objects: &Objects<'_>) -> Vec<ClassEntry> {
    objects
        .iter_kept()
        .filter_map(|(key, object)| {
            let TypedObject::IngressClass(class) = &object.typed else {
                return None;
            };
            let default = class
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
                .is_some_and(|v| v == "true");
            Some(ClassEntry {
                key,
                name: object.reference.name.clone(),
                controller: class.spec.as_ref().and_then(|s| s.controller.clone()),
                default,
                served_by: Served::default(),
            })
        })
        .collect()
}

/// Whether a claimant serves an IngressClass object.
pub fn claims(claimant: &Claimant, class: &ClassEntry) -> bool {
    let named = claimant.classes.contains(&class.name);
    let by_controller = class
        .controller
        .as_ref()
        .is_some_and(|c| claimant.controller_values.contains(c));
    (by_controller && (named || !claimant.name_must_match)) || (claimant.match_by_name && named)
}

/// `own_class_default`: a claimant whose own IngressClass is the default takes class-less
/// Ingresses.
pub fn resolve_classless(inventory: &mut Inventory) {
    let defaults: Vec<&ClassEntry> = inventory.classes.iter().filter(|c| c.default).collect();
    for instance in &mut inventory.controllers {
        let providers = &instance.controller.providers;
        for claimant in &mut instance.claimants {
            let Some(provider) = providers.iter().find(|p| p.name == claimant.provider) else {
                continue;
            };
            if claimant.takes_classless.is_yes()
                || !provider.classless_when.iter().any(|c| c.own_class_default)
            {
                continue;
            }
            if let Some(class) = defaults.iter().find(|c| claims(claimant, c)) {
                claimant.takes_classless = Tri::Yes(format!(
                    "its IngressClass `{}` is the default class",
                    class.name
                ));
            }
        }
    }
}

/// Resolves each Ingress's class and the claimants serving it, and the claimants of each
/// IngressClass.
pub fn serve(objects: &Objects<'_>, inventory: &mut Inventory) {
    let defaults: Vec<usize> = inventory
        .classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.default)
        .map(|(i, _)| i)
        .collect();
    let single_default = (defaults.len() == 1).then(|| &inventory.classes[defaults[0]]);
    let mut by_name: HashMap<&str, Vec<&ClassEntry>> = HashMap::new();
    for class in &inventory.classes {
        by_name.entry(class.name.as_str()).or_default().push(class);
    }
    let mut annotation_keys: Vec<&str> = inventory
        .claimants()
        .flat_map(|(_, c)| c.annotation_keys.iter().map(String::as_str))
        .collect();
    annotation_keys.sort_unstable();
    annotation_keys.dedup();
    // By the class field and the annotations claimants read; each list numbered, for
    // `Narrowing`.
    let mut served_alike: HashMap<ReadAlike, (usize, Served)> = HashMap::new();
    let mut narrowing = Narrowing::default();
    let mut ingresses = Vec::new();
    for (key, object) in objects.iter_kept() {
        let TypedObject::Ingress(ingress) = &object.typed else {
            continue;
        };
        let empty = BTreeMap::new();
        let annotations = ingress.metadata.annotations.as_ref().unwrap_or(&empty);
        let (field, annotation) = crate::knowledge::written_classes(ingress);
        let field = field.filter(|c| !c.is_empty()).map(str::to_string);
        let annotation = annotation.filter(|c| !c.is_empty()).map(str::to_string);
        let (class, class_source, class_span) = match (&field, &annotation) {
            (Some(f), _) => (
                Some(f.clone()),
                ClassSource::Spec,
                objects.value_span(
                    key,
                    &[PathStep::Key("spec"), PathStep::Key("ingressClassName")],
                ),
            ),
            (None, Some(a)) => (
                Some(a.clone()),
                ClassSource::Annotation,
                objects.key_span(
                    key,
                    &[
                        PathStep::Key("metadata"),
                        PathStep::Key("annotations"),
                        PathStep::Key(CLASS_ANNOTATION),
                    ],
                ),
            ),
            (None, None) => match single_default {
                Some(d) => (Some(d.name.clone()), ClassSource::Default, None),
                None => (None, ClassSource::None, None),
            },
        };
        // Claimants read the field and a few annotation keys: Ingresses alike in those are
        // served alike (within one cluster).
        let read: Vec<Option<String>> = annotation_keys
            .iter()
            .map(|k| annotations.get(*k).cloned())
            .collect();
        let groups = served_alike.len();
        let (group, candidates) = served_alike
            .entry((field.clone(), read))
            .or_insert_with(|| {
                let served: Vec<(usize, usize)> = inventory
                    .claimants()
                    .filter(|(_, claimant)| {
                        serves(
                            claimant,
                            field.as_deref(),
                            annotations,
                            &by_name,
                            single_default,
                        )
                    })
                    .map(|(at, _)| at)
                    .collect();
                (groups, Arc::new(served))
            })
            .clone();
        let served_by = narrowing.in_cluster(objects, inventory, key, group, &candidates);
        let mut annotation_prefixes = BTreeMap::new();
        for key in annotations.keys() {
            if let Some((prefix, _)) = key.split_once('/') {
                *annotation_prefixes.entry(prefix.to_string()).or_insert(0) += 1;
            }
        }
        ingresses.push(IngressEntry {
            key,
            class,
            class_source,
            class_span,
            served_by,
            annotation_prefixes,
        });
    }
    inventory.ingresses = ingresses;
    // IngressClasses of one name and controller value are claimed alike.
    let mut claimed_alike: HashMap<(&str, Option<&str>), (usize, Served)> = HashMap::new();
    let mut narrowing = Narrowing::default();
    let served: Vec<Served> = inventory
        .classes
        .iter()
        .map(|class| {
            let groups = claimed_alike.len();
            let (group, candidates) = claimed_alike
                .entry((class.name.as_str(), class.controller.as_deref()))
                .or_insert_with(|| {
                    let claimed = inventory
                        .claimants()
                        .filter(|(_, claimant)| claims(claimant, class))
                        .map(|(at, _)| at)
                        .collect();
                    (groups, Arc::new(claimed))
                })
                .clone();
            narrowing.in_cluster(objects, inventory, class.key, group, &candidates)
        })
        .collect();
    for (class, served_by) in inventory.classes.iter_mut().zip(served) {
        class.served_by = served_by;
    }
}

/// What claimants read of an Ingress: its class field, and the values of the annotation
/// keys any of them reads.
type ReadAlike = (Option<String>, Vec<Option<String>>);

/// Lists of candidates narrowed to clusters, by the list's number and the clusters: objects
/// of one cluster share the result, so thousands of Ingresses and claimants cost their sum,
/// not their product.
#[derive(Default)]
struct Narrowing {
    done: HashMap<(usize, Vec<u32>), Served>,
}

impl Narrowing {
    /// The claimants that share a cluster with the object: all of them within one scope (the
    /// shared list itself), else those of a cluster the object is in.
    fn in_cluster(
        &mut self,
        objects: &Objects<'_>,
        inventory: &Inventory,
        key: ObjectKey,
        group: usize,
        candidates: &Served,
    ) -> Served {
        if objects.one_cluster() {
            return candidates.clone();
        }
        let clusters = objects.clusters(key).into_owned();
        self.done
            .entry((group, clusters))
            .or_insert_with_key(|(_, clusters)| {
                let apart = |&(i, _): &(usize, usize)| {
                    !objects.meets(inventory.controllers[i].workload, clusters)
                };
                if !candidates.iter().any(apart) {
                    return candidates.clone();
                }
                Arc::new(candidates.iter().copied().filter(|s| !apart(s)).collect())
            })
            .clone()
    }
}

/// Whether a claimant serves an Ingress, following the controller's own rules: which of the
/// field and the annotation it reads first, how it matches IngressClasses, class-less rules.
fn serves(
    claimant: &Claimant,
    field: Option<&str>,
    annotations: &BTreeMap<String, String>,
    by_name: &HashMap<&str, Vec<&ClassEntry>>,
    default_class: Option<&ClassEntry>,
) -> bool {
    let annotation = claimant
        .annotation_keys
        .iter()
        .find_map(|k| annotations.get(k))
        .map(String::as_str)
        .filter(|v| !v.is_empty());
    let annotation_matches = |value: &str| claimant.annotation_values.iter().any(|v| v == value);
    let field_matches = |name: &str| match by_name.get(name) {
        Some(named) => named.iter().any(|class| claims(claimant, class)),
        // The IngressClass is not in the input: match the configured class name.
        None => claimant.classes.iter().any(|c| c == name),
    };
    let classless =
        || claimant.takes_classless.is_yes() || default_class.is_some_and(|d| claims(claimant, d));
    // Without IngressClass lookups the field names a class it cannot find (Traefik's
    // shouldProcessIngress checks the field against the IngressClasses it listed).
    if field.is_some() && !claimant.reads_class_field {
        return false;
    }
    match (claimant.precedence.as_str(), field, annotation) {
        ("annotation-only", _, Some(value)) => annotation_matches(value),
        ("annotation-only", Some(_), None) => false,
        ("annotation", _, Some(value)) | ("field", None, Some(value)) => annotation_matches(value),
        ("annotation" | "field", Some(name), _) => field_matches(name),
        ("either", f, a) if f.is_some() || a.is_some() => {
            f.is_some_and(field_matches) || a.is_some_and(annotation_matches)
        }
        _ => classless(),
    }
}
