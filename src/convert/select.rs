//! Which Ingresses `convert` takes, and why each other Ingress of the input is left out:
//! none is passed over in silence.

use manifest::Span;

use super::Request;
use crate::detect::{ClassSource, IngressEntry, Inventory, ObjectKey, Objects};
use crate::knowledge::Knowledge;

/// How the Ingresses to convert were chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Those the source controller(s) in the input serve.
    Served { controllers: Vec<String> },
    /// No source controller in the input: those of its default classes and of the
    /// IngressClasses naming its controller value, or carrying its annotations.
    ByClass { classes: Vec<String> },
    /// The classes `--class` names (and class-less ones with `--classless`).
    Chosen {
        classes: Vec<String>,
        classless: bool,
    },
}

/// An Ingress of the input that is not converted, and why.
#[derive(Clone, Debug)]
pub struct LeftOut {
    pub ingress: ObjectKey,
    /// Its class node, else its name.
    pub span: Span,
    pub reason: String,
    /// The input cannot tell whether the source serves it: the run does not pass.
    pub unsure: bool,
}

/// The Ingresses to convert, in input order, and the others with the reason.
pub fn select<'i>(
    objects: &Objects<'_>,
    inventory: &'i Inventory,
    knowledge: &Knowledge,
    request: &Request<'_>,
) -> (Selection, Vec<&'i IngressEntry>, Vec<LeftOut>) {
    let from = request.from;
    let mut left_out = Vec::new();
    let mut leave = |entry: &IngressEntry, reason: String, unsure: bool| {
        left_out.push(LeftOut {
            ingress: entry.key,
            span: entry
                .class_span
                .unwrap_or_else(|| objects.name_span(entry.key)),
            reason,
            unsure,
        });
    };
    let class_of = |entry: &IngressEntry| match (&entry.class, entry.class_source) {
        (Some(class), ClassSource::Annotation) => {
            format!("class `{class}` (kubernetes.io/ingress.class)")
        }
        (Some(class), _) => format!("class `{class}`"),
        (None, _) => "no class".to_string(),
    };

    if !request.classes.is_empty() || request.classless {
        let mut selected = Vec::new();
        for entry in &inventory.ingresses {
            // A class the default IngressClass gives counts as class-less here too.
            let own_class = matches!(
                entry.class_source,
                ClassSource::Spec | ClassSource::Annotation
            );
            let chosen = match &entry.class {
                Some(class) if own_class => request.classes.contains(class),
                Some(class) => request.classless || request.classes.contains(class),
                None => request.classless,
            };
            if chosen {
                selected.push(entry);
            } else {
                let hint = if entry.class.is_none() {
                    " (--classless takes it)"
                } else {
                    ""
                };
                leave(
                    entry,
                    format!("{}: not selected{hint}", class_of(entry)),
                    false,
                );
            }
        }
        let selection = Selection::Chosen {
            classes: request.classes.to_vec(),
            classless: request.classless,
        };
        return (selection, selected, left_out);
    }

    let instances: Vec<usize> = inventory
        .controllers
        .iter()
        .enumerate()
        .filter(|(_, c)| c.controller.id == from)
        .map(|(i, _)| i)
        .collect();
    let others = Others::new(inventory, knowledge, from);
    if !instances.is_empty() {
        let controllers = instances
            .iter()
            .map(|&i| workload_label(objects, inventory, i))
            .collect();
        let mut selected = Vec::new();
        for entry in &inventory.ingresses {
            if entry.served_by.iter().any(|(i, _)| instances.contains(i)) {
                selected.push(entry);
                continue;
            }
            match entry.served_by.first() {
                Some(&(i, _)) => leave(
                    entry,
                    format!(
                        "{}: served by {} ({}), not by {from}",
                        class_of(entry),
                        inventory.controllers[i].controller.id,
                        workload_label(objects, inventory, i)
                    ),
                    false,
                ),
                None => {
                    let (why, unsure) = others.unserved(entry);
                    leave(
                        entry,
                        format!(
                            "{}: no controller in the input serves it{why}",
                            class_of(entry)
                        ),
                        unsure,
                    );
                }
            }
        }
        return (Selection::Served { controllers }, selected, left_out);
    }

    let source = knowledge.controller(from);
    let mut classes = source.map(|c| c.default_classes()).unwrap_or_default();
    let values = source
        .map(|c| c.default_controller_values())
        .unwrap_or_default();
    for class in &inventory.classes {
        let claimed = class
            .controller
            .as_ref()
            .is_some_and(|v| values.contains(v));
        if claimed && !classes.contains(&class.name) {
            classes.push(class.name.clone());
        }
    }
    let prefixes = source
        .map(|c| c.annotation_prefixes.clone())
        .unwrap_or_default();
    let mut selected = Vec::new();
    for entry in &inventory.ingresses {
        if converted_already(objects, entry) {
            leave(
                entry,
                "written by `ingress-lint convert`: the target's already".into(),
                false,
            );
            continue;
        }
        let own = prefixes
            .iter()
            .any(|p| entry.annotation_prefixes.contains_key(p));
        let foreign = others.annotation_owner(entry);
        match &entry.class {
            Some(class) if classes.contains(class) => match foreign.filter(|_| !own) {
                // A default class can be another controller's too (`nginx` is F5 NGINX's).
                Some(owner) => leave(
                    entry,
                    format!(
                        "{}: carries only {owner}'s annotations, so it is taken for {owner}'s",
                        class_of(entry)
                    ),
                    false,
                ),
                None => selected.push(entry),
            },
            Some(_) => {
                let (why, unsure) = others.unserved(entry);
                leave(entry, format!("{}{why}", class_of(entry)), unsure);
            }
            None if own => selected.push(entry),
            None => leave(
                entry,
                format!(
                    "no class, no default IngressClass in the input and no {from} annotations: which controller serves it depends on the cluster ({from} takes it with --watch-ingress-without-class); pass --classless to convert it"
                ),
                true,
            ),
        }
    }
    (Selection::ByClass { classes }, selected, left_out)
}

/// An Ingress `convert` wrote (it carries the source annotation).
fn converted_already(objects: &Objects<'_>, entry: &IngressEntry) -> bool {
    match &objects.get(entry.key).typed {
        manifest::TypedObject::Ingress(ingress) => ingress
            .metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key(super::SOURCE_ANNOTATION)),
        _ => false,
    }
}

fn workload_label(objects: &Objects<'_>, inventory: &Inventory, instance: usize) -> String {
    let reference = objects.reference(inventory.controllers[instance].workload);
    format!(
        "{} {}/{}",
        reference.kind,
        reference.namespace.unwrap_or_default(),
        reference.name
    )
}

/// What the knowledge says of the other controllers: their default classes, controller
/// values and annotation prefixes.
struct Others<'k> {
    from: &'k str,
    /// The source's default classes.
    own_classes: Vec<String>,
    /// (controller id, default class)
    classes: Vec<(&'k str, String)>,
    /// (controller id, IngressClass controller value)
    values: Vec<(&'k str, String)>,
    /// (controller id, annotation prefix)
    prefixes: Vec<(&'k str, &'k str)>,
    /// The input's IngressClasses: (name, controller value).
    input_classes: Vec<(&'k str, Option<&'k str>)>,
}

impl<'k> Others<'k> {
    fn new(inventory: &'k Inventory, knowledge: &'k Knowledge, from: &'k str) -> Self {
        let others = knowledge.controllers.iter().filter(|c| c.id != from);
        Others {
            from,
            own_classes: knowledge
                .controller(from)
                .map(|c| c.default_classes())
                .unwrap_or_default(),
            classes: others
                .clone()
                .flat_map(|c| c.default_classes().into_iter().map(|n| (c.id.as_str(), n)))
                .collect(),
            values: others
                .clone()
                .flat_map(|c| {
                    c.default_controller_values()
                        .into_iter()
                        .map(|v| (c.id.as_str(), v))
                })
                .collect(),
            prefixes: others
                .flat_map(|c| {
                    c.annotation_prefixes
                        .iter()
                        .map(|p| (c.id.as_str(), p.as_str()))
                })
                .collect(),
            input_classes: inventory
                .classes
                .iter()
                .map(|c| (c.name.as_str(), c.controller.as_deref()))
                .collect(),
        }
    }

    /// The other controller whose annotations the Ingress carries, if any.
    fn annotation_owner(&self, entry: &IngressEntry) -> Option<&'k str> {
        self.prefixes
            .iter()
            .find(|(_, p)| entry.annotation_prefixes.contains_key(*p))
            .map(|(id, _)| *id)
    }

    /// Why an Ingress nobody in the input serves is not taken for the source's, and
    /// whether that is a guess (`true`: it may well be the source's).
    fn unserved(&self, entry: &IngressEntry) -> (String, bool) {
        let from = self.from;
        let Some(class) = &entry.class else {
            return (
                format!(" (pass --classless if {from} takes class-less Ingresses)"),
                true,
            );
        };
        if let Some(&(_, value)) = self.input_classes.iter().find(|(n, _)| n == class) {
            return match value.and_then(|v| self.values.iter().find(|(_, x)| x == v)) {
                Some((id, v)) => (
                    format!(": its IngressClass names controller `{v}`, {id}'s"),
                    false,
                ),
                None => (
                    format!(
                        ": its IngressClass names controller `{}`, not {from}'s (pass --class {class} if {from} serves it)",
                        value.unwrap_or("")
                    ),
                    true,
                ),
            };
        }
        if self.own_classes.contains(class) {
            return (
                format!(": {from}'s default class, but no {from} controller in the input serves it (pass --class {class} to convert it)"),
                true,
            );
        }
        if let Some((id, _)) = self.classes.iter().find(|(_, n)| n == class) {
            return (format!(": {id}'s default class"), false);
        }
        (
            format!(
                ": no IngressClass in the input says which controller serves it (pass --class {class} if {from} does)"
            ),
            true,
        )
    }
}
