//! The source controller's global settings: the keys of the ConfigMap each ingress-nginx
//! controller in the input reads (`--configmap`, also what the chart's `controller.config`
//! renders), each ending translated, approximated or not translated into the target's own
//! global configuration; and the source's defaults worth naming when the target lacks them.

use std::collections::BTreeMap;

use manifest::parse::PathStep;
use manifest::Span;

use super::Outcome;
use crate::detect::{Inventory, ObjectKey, Objects};
use crate::knowledge::sets::Verdict;
use crate::knowledge::{Equivalent, Knowledge, NGINX};

/// One global setting and where it goes on the target.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The ConfigMap it was read from; `None` for a default nobody set.
    pub config_map: Option<ObjectKey>,
    pub key: String,
    pub value: String,
    pub span: Span,
    pub outcome: Outcome,
    /// The target's setting, when it has one.
    pub target_form: Option<String>,
}

/// The settings of every ingress-nginx ConfigMap in the input, and the values by key (the
/// first ConfigMap's, for the per-Ingress defaults they change).
pub fn read(
    objects: &Objects<'_>,
    inventory: &Inventory,
    knowledge: &Knowledge,
    target: &str,
) -> (Vec<Setting>, BTreeMap<String, String>) {
    let catalog = &knowledge.nginx_settings;
    let mut settings = Vec::new();
    let mut values = BTreeMap::new();
    // The ConfigMaps the ingress-nginx controllers read, then one pass over the objects.
    let mut wanted: Vec<(&str, &str)> = inventory
        .controllers
        .iter()
        .filter(|c| c.controller.id == NGINX)
        .filter_map(|c| c.setting("configmap")?.known()?.split_once('/'))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    if !wanted.is_empty() {
        for (key, object) in objects.iter() {
            if object.reference.kind != "ConfigMap"
                || wanted
                    .binary_search(&(objects.namespace(key), object.reference.name.as_str()))
                    .is_err()
            {
                continue;
            }
            let tree = &objects.files[key.file].tree;
            let Some(data) = tree.lookup(object.node, &[PathStep::Key("data")]) else {
                continue;
            };
            for entry in tree.entries(data.value).iter() {
                let (Some(k), Some(v)) = (tree.scalar(entry.key), tree.scalar(entry.value)) else {
                    continue;
                };
                values.entry(k.to_string()).or_insert_with(|| v.to_string());
                let (outcome, target_form) = match catalog.get(k).and_then(|s| s.targets.get(target)) {
                    Some(equivalent) => judge(equivalent),
                    None => (
                        Outcome::NotTranslated("not among the settings the catalog maps: carry it over by hand if it matters".into()),
                        None,
                    ),
                };
                settings.push(Setting {
                    config_map: Some(key),
                    key: k.to_string(),
                    value: v.to_string(),
                    span: tree.span(entry.key),
                    outcome,
                    target_form,
                });
            }
        }
    }
    // What ingress-nginx does with no ConfigMap, where the target does not do the same.
    for setting in catalog.keys.iter().filter(|s| s.notable_default) {
        if values.contains_key(&setting.key) {
            continue;
        }
        let Some(equivalent) = setting.targets.get(target) else {
            continue;
        };
        if equivalent.verdict == Verdict::Exact {
            continue;
        }
        let (outcome, target_form) = judge(equivalent);
        settings.push(Setting {
            config_map: None,
            key: setting.key.clone(),
            value: setting.default.clone(),
            span: Span::default(),
            outcome: match outcome {
                Outcome::NotTranslated(why) => Outcome::Approximated(format!(
                    "ingress-nginx does this with no ConfigMap ({}), the target does not: {why}",
                    setting.meaning.trim_end_matches('.')
                )),
                other => other,
            },
            target_form,
        });
    }
    (settings, values)
}

/// A catalog entry as an outcome and the target's setting.
fn judge(equivalent: &Equivalent) -> (Outcome, Option<String>) {
    let note = equivalent.note.clone().unwrap_or_default();
    let outcome = match equivalent.verdict {
        Verdict::Exact => Outcome::Translated,
        Verdict::Partial => Outcome::Approximated(if note.is_empty() {
            "the target's setting behaves differently".into()
        } else {
            note
        }),
        Verdict::Crd => Outcome::NotTranslated(format!(
            "needs the target's own object, which convert does not write{}",
            if note.is_empty() {
                String::new()
            } else {
                format!("; {note}")
            }
        )),
        Verdict::None | Verdict::Unknown => Outcome::NotTranslated(if note.is_empty() {
            "no equivalent on the target".into()
        } else {
            format!("no equivalent on the target; {note}")
        }),
    };
    (outcome, equivalent.form.clone())
}
