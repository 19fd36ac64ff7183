//! Translate stage: each controller-specific annotation of each Ingress against the catalog,
//! for one target. Built once over the inventory (it knows a custom ingress-nginx annotation
//! prefix); the `translate` report and the `*-on-target` rules read the same result.

use crate::knowledge::CLASS_ANNOTATION;
use std::collections::BTreeMap;

use manifest::parse::PathStep;
use manifest::{Span, TypedObject};

use crate::detect::{Inventory, ObjectKey, Objects};
use crate::knowledge::sets::{AnnotationStatus, Verdict};
use crate::knowledge::{did_you_mean, Annotation, CatalogTarget, Equivalent, Knowledge, NGINX};

/// One way to carry an annotation to the target (Traefik has two).
#[derive(Clone, Debug, serde::Serialize)]
pub struct TargetPath {
    pub name: String,
    pub verdict: Verdict,
    pub target_form: Option<String>,
    pub note: String,
}

/// An annotation of an Ingress and what becomes of it on the target.
#[derive(Clone, Debug)]
pub struct Item {
    pub ingress: ObjectKey,
    pub key: String,
    pub value: String,
    pub key_span: Span,
    pub source_controller: String,
    pub verdict: Verdict,
    pub target_form: Option<String>,
    pub note: String,
    /// Catalog group (`rewrite-and-path-matching`, …), when known.
    pub group: Option<String>,
    pub paths: Vec<TargetPath>,
    pub did_you_mean: Option<String>,
    pub sources: Vec<String>,
}

/// An annotation kept as it is (cert-manager, ExternalDNS, …) or rewritten outside the catalog.
#[derive(Clone, Debug)]
pub struct Carried {
    pub ingress: ObjectKey,
    pub key: String,
    pub value: String,
    pub note: String,
}

#[derive(Debug)]
pub struct Translation {
    pub target: String,
    pub from: Vec<String>,
    pub items: Vec<Item>,
    pub carried: Vec<Carried>,
    /// Annotations of controllers outside `from`, by controller: not translated.
    pub other_controllers: BTreeMap<String, usize>,
}

/// A pair the catalog has translations for: the target and its source controllers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    pub target: String,
    pub from: Vec<String>,
    /// Gateway API: the implementation whose policies are a second path
    /// (`rules/implementations/`).
    pub implementation: Option<String>,
}

/// Why there is no translation data for a pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MigrationError {
    UnknownTarget {
        target: String,
        known: Vec<String>,
    },
    /// Both sides are ingress-nginx, or neither is.
    NoPair {
        from: String,
        target: String,
        /// The catalog's targets from ingress-nginx.
        covered: Vec<String>,
    },
}

impl std::fmt::Display for MigrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MigrationError::UnknownTarget { target, known } => write!(
                f,
                "no annotation translations are known for `{target}`; targets with translation data: {}",
                known.join(", ")
            ),
            MigrationError::NoPair {
                from,
                target,
                covered,
            } => write!(
                f,
                "no annotation translations from `{from}` to `{target}`: the catalog covers ingress-nginx → {} and the other controllers' common keys → ingress-nginx",
                covered.join(", ")
            ),
        }
    }
}

impl std::error::Error for MigrationError {}

/// The pair for `target` from `from` (default: ingress-nginx, or every other controller when
/// the target is ingress-nginx), or why the catalog has nothing for it.
pub fn migration(
    knowledge: &Knowledge,
    target: &str,
    from: Option<&str>,
) -> Result<Migration, MigrationError> {
    let targets = knowledge.translation_targets();
    if !targets.contains(&target) {
        return Err(MigrationError::UnknownTarget {
            target: target.to_string(),
            known: targets.iter().map(|t| t.to_string()).collect(),
        });
    }
    let from = match from {
        Some(f) if (target == NGINX) == (f == NGINX) => {
            return Err(MigrationError::NoPair {
                from: f.to_string(),
                target: target.to_string(),
                covered: targets
                    .iter()
                    .filter(|t| **t != NGINX)
                    .map(|t| t.to_string())
                    .collect(),
            });
        }
        Some(f) => vec![f.to_string()],
        None if target == NGINX => knowledge
            .controllers
            .iter()
            .filter(|c| c.id != NGINX)
            .map(|c| c.id.clone())
            .collect(),
        None => vec![NGINX.to_string()],
    };
    Ok(Migration {
        target: target.to_string(),
        from,
        implementation: None,
    })
}

/// Translates every annotation of every Ingress for the migration.
pub fn translate(
    objects: &Objects<'_>,
    inventory: &Inventory,
    knowledge: &Knowledge,
    migration: &Migration,
) -> Translation {
    let target = migration.target.as_str();
    let from = &migration.from;
    let prefixes = inventory.nginx_prefixes();
    let mut translation = Translation {
        target: target.into(),
        from: from.clone(),
        items: Vec::new(),
        carried: Vec::new(),
        other_controllers: BTreeMap::new(),
    };
    for entry in &inventory.ingresses {
        let TypedObject::Ingress(ingress) = &objects.get(entry.key).typed else {
            continue;
        };
        for (key, value) in ingress.metadata.annotations.iter().flatten() {
            let key_span = objects
                .key_span(
                    entry.key,
                    &[
                        PathStep::Key("metadata"),
                        PathStep::Key("annotations"),
                        PathStep::Key(key),
                    ],
                )
                .unwrap_or_default();
            if key == CLASS_ANNOTATION {
                translation.carried.push(Carried {
                    ingress: entry.key,
                    key: key.clone(),
                    value: value.clone(),
                    note:
                        "the class moves to spec.ingressClassName, naming the target's IngressClass"
                            .into(),
                });
                continue;
            }
            if let Some(neutral) = knowledge.neutral_annotations.owner(key) {
                translation.carried.push(Carried {
                    ingress: entry.key,
                    key: key.clone(),
                    value: value.clone(),
                    note: format!("{}'s, carried over unchanged", neutral.owner),
                });
                continue;
            }
            let Some(source) = knowledge.owner(&prefixes, key) else {
                continue;
            };
            if !from.contains(&source) {
                *translation.other_controllers.entry(source).or_insert(0) += 1;
                continue;
            }
            let item = if source == NGINX {
                let mut item = nginx_item(knowledge, target, entry.key, key, value, key_span);
                if let Some(implementation) = migration
                    .implementation
                    .as_deref()
                    .and_then(|id| knowledge.implementation(id))
                {
                    implementation_path(&mut item, implementation);
                }
                item
            } else {
                reverse_item(knowledge, &source, entry.key, key, value, key_span)
            };
            translation.items.push(item);
        }
    }
    translation
}

/// The implementation's policy for a key, as another path beside the standard channel's; the
/// item takes the better verdict.
fn implementation_path(
    item: &mut Item,
    implementation: &crate::knowledge::implementations::Implementation,
) {
    let suffix = item
        .key
        .split_once('/')
        .map_or(item.key.as_str(), |(_, s)| s);
    let Some(mapping) = implementation.mapping(suffix) else {
        return;
    };
    let path = TargetPath {
        name: implementation.name.clone(),
        verdict: mapping.verdict,
        target_form: Some(format!("{} {}", mapping.object.as_str(), mapping.field)),
        note: mapping.note.clone(),
    };
    if path.verdict < item.verdict {
        item.verdict = path.verdict;
        item.target_form = path.target_form.clone();
        item.note = path.note.clone();
        item.sources.push(mapping.source.clone());
    }
    item.paths.push(path);
}

fn nginx_item(
    knowledge: &Knowledge,
    target: &str,
    ingress: ObjectKey,
    key: &str,
    value: &str,
    key_span: Span,
) -> Item {
    let catalog = &knowledge.nginx_annotations;
    let suffix = key.split_once('/').map_or(key, |(_, s)| s);
    let mut item = Item {
        ingress,
        key: key.into(),
        value: value.into(),
        key_span,
        source_controller: NGINX.into(),
        verdict: Verdict::Unknown,
        target_form: None,
        note: String::new(),
        group: None,
        paths: Vec::new(),
        did_you_mean: None,
        sources: Vec::new(),
    };
    let Some(annotation) = catalog.get(suffix) else {
        item.did_you_mean =
            did_you_mean(suffix, catalog.annotations.iter().map(|a| a.key.as_str()));
        item.note = match &item.did_you_mean {
            Some(guess) => format!("not an ingress-nginx annotation; did you mean `{guess}`?"),
            None => "not an ingress-nginx annotation".into(),
        };
        return item;
    };
    item.group = Some(annotation.group.clone());
    item.sources = annotation.sources.clone();
    item.paths = knowledge
        .paths_to(target)
        .filter_map(|path| {
            annotation
                .targets
                .get(&path.id)
                .map(|e| target_path(path, e, key, value))
        })
        .collect();
    // Best first: Verdict's order.
    if let Some(best) = item.paths.iter().min_by_key(|p| p.verdict) {
        item.verdict = best.verdict;
        item.target_form = best.target_form.clone();
        item.note = best.note.clone();
    }
    if let Some(status) = status_note(annotation) {
        item.note = if item.note.is_empty() {
            status
        } else {
            format!("{status}; {}", item.note)
        };
    }
    item
}

fn reverse_item(
    knowledge: &Knowledge,
    source: &str,
    ingress: ObjectKey,
    key: &str,
    value: &str,
    key_span: Span,
) -> Item {
    let entry = knowledge
        .reverse_annotations
        .annotations
        .iter()
        .find(|a| a.key == key && a.controller == source);
    let mut item = Item {
        ingress,
        key: key.into(),
        value: value.into(),
        key_span,
        source_controller: source.into(),
        verdict: Verdict::Unknown,
        target_form: None,
        note: format!("not among the {source} keys the catalog translates"),
        group: None,
        paths: Vec::new(),
        did_you_mean: None,
        sources: Vec::new(),
    };
    if let Some(entry) = entry {
        let path = target_path(
            &knowledge.reverse_annotations.target,
            &entry.ingress_nginx,
            key,
            value,
        );
        item.verdict = path.verdict;
        item.target_form = path.target_form.clone();
        item.note = path.note.clone();
        item.sources = entry.sources.clone();
        item.paths = vec![path];
    }
    item
}

/// What the catalog says of a key's lifecycle, for the note.
fn status_note(annotation: &Annotation) -> Option<String> {
    match annotation.status {
        AnnotationStatus::Removed => Some(format!(
            "removed in ingress-nginx {}{}",
            annotation.removed_in.as_deref().unwrap_or("?"),
            annotation
                .replacement
                .as_deref()
                .map(|r| format!(" (replacement: {r})"))
                .unwrap_or_default()
        )),
        AnnotationStatus::Alias => annotation
            .alias_of
            .as_deref()
            .map(|of| format!("old name of `{of}`")),
        AnnotationStatus::Restricted | AnnotationStatus::Obsolete => annotation.status_note.clone(),
        AnnotationStatus::Active => None,
    }
}

/// A path's verdict and target form; an annotation-key form is written with the actual value.
fn target_path(
    path: &CatalogTarget,
    equivalent: &Equivalent,
    key: &str,
    value: &str,
) -> TargetPath {
    let label = if path.reads_source_keys {
        let since = equivalent
            .since
            .as_deref()
            .map(|s| format!(", {s}+"))
            .unwrap_or_default();
        format!(
            "{} ({}{since})",
            path.label,
            equivalent.status.map_or("not listed", |s| s.as_str())
        )
    } else {
        path.label.clone()
    };
    let form = match equivalent.verdict {
        // It reads the source key as it is.
        Verdict::Exact | Verdict::Partial if path.reads_source_keys => {
            Some(format!("{key}: {}", quoted(value)))
        }
        Verdict::None => None,
        _ => equivalent
            .form
            .as_deref()
            .map(|form| with_value(form, value)),
    };
    // What the target does first; the conformance level and ingress2gateway's outcome after.
    let note = [
        equivalent.note.clone(),
        equivalent
            .support
            .map(|s| format!("Gateway API support: {s}")),
        equivalent
            .i2gw
            .as_ref()
            .map(|i| format!("ingress2gateway: {i}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("; ");
    TargetPath {
        name: label,
        verdict: equivalent.verdict,
        target_form: form,
        note,
    }
}

/// Writes the value into a form that is an annotation key (`nginx.org/app-root`, `Service
/// annotation haproxy.org/timeout-server`); a description is left as it is.
fn with_value(form: &str, value: &str) -> String {
    const LEAD_INS: [&str; 3] = ["", "Service annotation ", "Ingress annotation "];
    for lead in LEAD_INS {
        if let Some(key) = form.strip_prefix(lead).filter(|k| is_annotation_key(k)) {
            return format!("{lead}{key}: {}", quoted(value));
        }
    }
    form.to_string()
}

/// `nginx.org/app-root` is a key; `HTTPRoute rule with …` is a description.
pub fn is_annotation_key(form: &str) -> bool {
    form.contains('/')
        && !form.contains(' ')
        && form
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/' | '_'))
}

fn quoted(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion_and_strangers_do_not() {
        let keys = ["rewrite-target", "ssl-redirect", "proxy-body-size"];
        assert_eq!(
            did_you_mean("rewrite-targte", keys.iter().copied()).as_deref(),
            Some("rewrite-target")
        );
        assert_eq!(
            did_you_mean("proxy-body-sise", keys.iter().copied()).as_deref(),
            Some("proxy-body-size")
        );
        assert_eq!(
            did_you_mean("totally-different", keys.iter().copied()),
            None
        );
    }

    #[test]
    fn mechanical_forms_carry_the_value() {
        assert_eq!(
            with_value("nginx.org/app-root", "/app"),
            "nginx.org/app-root: \"/app\""
        );
        assert_eq!(
            with_value("Service annotation traefik.ingress.kubernetes.io/service.sticky.cookie.name", "route"),
            "Service annotation traefik.ingress.kubernetes.io/service.sticky.cookie.name: \"route\""
        );
        assert_eq!(
            with_value("Middleware ReplacePath", "/x"),
            "Middleware ReplacePath"
        );
    }

    #[test]
    fn annotation_keys_are_told_from_descriptions() {
        assert!(is_annotation_key("nginx.org/app-root"));
        assert!(!is_annotation_key(
            "Middleware RedirectRegex matching only \"/\""
        ));
        assert!(!is_annotation_key(
            "konghq.com/rewrite (or konghq.com/strip-path)"
        ));
    }
}
