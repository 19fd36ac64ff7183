//! The `convert` report: what became of every annotation (and of the parts of the spec
//! that did not carry over as they are), as markdown or JSON, and the emitted manifests as
//! one YAML stream or one file per source file.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::inventory::LocatedRef;
use super::translate::{cell, code};
use super::{pretty_json, ReportError};
use crate::convert::{yaml, Conversion, Selection};
use crate::detect::Objects;

/// The file the shared objects (Gateways, ReferenceGrants) go to under `--output-dir`.
pub const SHARED_FILE: &str = "ingress-lint-shared.yaml";

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    target: &'a str,
    from: &'a str,
    selection: SelectionJson<'a>,
    ingresses: usize,
    /// The other Ingresses of the input, each with why it is not converted.
    left_out: Vec<LeftOutJson<'a>>,
    objects: usize,
    summary: BTreeMap<&'static str, usize>,
    decisions: &'a [String],
    entries: Vec<EntryJson<'a>>,
    /// The source controller's global settings and the target's setting for each.
    settings: Vec<SettingJson<'a>>,
    /// The values to set in the releases whose values define converted Ingresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    values: Vec<ValuesJson<'a>>,
}

#[derive(Serialize)]
struct ValuesJson<'a> {
    /// The file declaring the release.
    file: String,
    release: &'a str,
    /// Where in the release the values go.
    at: &'static str,
    values: serde_json::Value,
    /// The same values as YAML, to paste.
    yaml: String,
    ingresses: Vec<LocatedRef>,
}

#[derive(Serialize)]
struct SettingJson<'a> {
    /// `ConfigMap ns/name` and where the key is; none for a default nobody set.
    #[serde(skip_serializing_if = "Option::is_none")]
    config_map: Option<LocatedRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    key: &'a str,
    value: &'a str,
    outcome: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
}

#[derive(Serialize)]
struct SelectionJson<'a> {
    basis: &'static str,
    /// The source controllers (`Deployment ns/name`) or the classes selected by.
    names: &'a [String],
}

#[derive(Serialize)]
struct LeftOutJson<'a> {
    file: String,
    line: usize,
    column: usize,
    ingress: LocatedRef,
    reason: &'a str,
    /// The input cannot tell whether the source serves it (the run does not pass).
    unsure: bool,
}

#[derive(Serialize)]
struct EntryJson<'a> {
    file: String,
    line: usize,
    column: usize,
    ingress: LocatedRef,
    key: &'a str,
    value: &'a str,
    outcome: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'static str>,
}

fn report<'a>(objects: &Objects<'_>, conversion: &'a Conversion) -> Report<'a> {
    let mut summary = BTreeMap::new();
    for outcome in ["translated", "approximated", "not translated", "no effect"] {
        summary.insert(outcome, 0);
    }
    let entries = conversion
        .entries
        .iter()
        .map(|e| {
            *summary.entry(e.outcome.label()).or_insert(0) += 1;
            let (source, at) = objects.position(e.ingress.file, e.span);
            EntryJson {
                file: source.name.clone(),
                line: at.line,
                column: at.column,
                ingress: LocatedRef::new(objects, e.ingress),
                key: &e.key,
                value: &e.value,
                outcome: e.outcome.label(),
                detail: e.outcome.detail(),
                verdict: e.verdict.map(|v| v.as_str()),
            }
        })
        .collect();
    let settings = conversion
        .settings
        .iter()
        .map(|setting| {
            *summary.entry(setting.outcome.label()).or_insert(0) += 1;
            let at = setting.config_map.map(|key| {
                let (source, at) = objects.position(key.file, setting.span);
                (LocatedRef::new(objects, key), source.name.clone(), at.line)
            });
            let (config_map, file, line) = match at {
                Some((reference, file, line)) => (Some(reference), Some(file), Some(line)),
                None => (None, None, None),
            };
            SettingJson {
                config_map,
                file,
                line,
                key: &setting.key,
                value: &setting.value,
                outcome: setting.outcome.label(),
                detail: setting.outcome.detail(),
                target: setting.target_form.as_deref(),
            }
        })
        .collect();
    let (basis, names) = match &conversion.selection {
        Selection::Served { controllers } => ("served", controllers.as_slice()),
        Selection::ByClass { classes } => ("class", classes.as_slice()),
        Selection::Chosen { classes, .. } => ("chosen", classes.as_slice()),
    };
    let left_out = conversion
        .left_out
        .iter()
        .map(|l| {
            let (source, at) = objects.position(l.ingress.file, l.span);
            LeftOutJson {
                file: source.name.clone(),
                line: at.line,
                column: at.column,
                ingress: LocatedRef::new(objects, l.ingress),
                reason: &l.reason,
                unsure: l.unsure,
            }
        })
        .collect();
    let values = conversion
        .values
        .iter()
        .map(|fragment| ValuesJson {
            file: objects.files[fragment.file].source.name.clone(),
            release: &fragment.release,
            at: fragment.at,
            values: yaml::Value::Map(fragment.values.clone()).to_json(),
            yaml: values_yaml(fragment),
            ingresses: fragment
                .ingresses
                .iter()
                .map(|k| LocatedRef::new(objects, *k))
                .collect(),
        })
        .collect();
    Report {
        version: 1,
        target: &conversion.target,
        from: &conversion.from,
        selection: SelectionJson { basis, names },
        ingresses: conversion.ingresses.len(),
        left_out,
        objects: conversion.objects.len(),
        summary,
        decisions: &conversion.decisions,
        entries,
        settings,
        values,
    }
}

/// A fragment as YAML: the values alone, as they are pasted under `at`.
fn values_yaml(fragment: &crate::convert::Fragment) -> String {
    let document = yaml::document(&fragment.values);
    document
        .strip_prefix("---\n")
        .unwrap_or(&document)
        .to_string()
}

/// The values fragments by output file: beside each release file, `<name>.values.yaml`.
pub fn values_files(
    conversion: &Conversion,
    name_of: impl Fn(usize) -> String,
) -> Vec<(String, String)> {
    let mut by_file: BTreeMap<String, String> = BTreeMap::new();
    for fragment in &conversion.values {
        let name = name_of(fragment.file);
        let stem = name
            .strip_suffix(".yaml")
            .or_else(|| name.strip_suffix(".yml"))
            .unwrap_or(&name);
        let text = by_file.entry(format!("{stem}.values.yaml")).or_default();
        let _ = write!(
            text,
            "# Values to set at {} of {}\n{}",
            fragment.at,
            fragment.release,
            yaml::document(&fragment.values)
        );
    }
    by_file.into_iter().collect()
}

pub fn json(objects: &Objects<'_>, conversion: &Conversion) -> Result<String, ReportError> {
    pretty_json(&report(objects, conversion))
}

pub fn markdown(objects: &Objects<'_>, conversion: &Conversion) -> String {
    let r = report(objects, conversion);
    let mut out = format!("# Conversion: {} → {}\n\n", r.from, r.target);
    let selected = match &conversion.selection {
        Selection::Served { controllers } => format!("served by {}", controllers.join(", ")),
        Selection::ByClass { classes } => format!(
            "no {} controller in the input: Ingresses of class {} or carrying its annotations",
            r.from,
            classes.join(", "),
        ),
        Selection::Chosen { classes, classless } => {
            let mut chosen: Vec<String> = classes.iter().map(|c| format!("`{c}`")).collect();
            if *classless {
                chosen.push("no class".into());
            }
            format!("of class {} (chosen)", chosen.join(", "))
        }
    };
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for emitted in &conversion.objects {
        if let Some(yaml::Value::Str(kind)) = emitted.object.get("kind") {
            *kinds.entry(kind.clone()).or_insert(0) += 1;
        }
    }
    let kinds: Vec<String> = kinds
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    let _ = writeln!(
        out,
        "{} Ingress(es) ({selected}); {} object(s) written{}{}.\n",
        r.ingresses,
        r.objects,
        if kinds.is_empty() {
            String::new()
        } else {
            format!(": {}", kinds.join(", "))
        },
        if r.values.is_empty() {
            String::new()
        } else {
            format!("; values to set in {} release(s)", r.values.len())
        }
    );
    left_out_section(&mut out, r.from, &r.left_out);
    if r.ingresses == 0 {
        return out;
    }
    out.push_str("| outcome | count |\n|---|---:|\n");
    for (outcome, n) in &r.summary {
        let _ = writeln!(out, "| {outcome} | {n} |");
    }
    if !r.decisions.is_empty() {
        out.push_str("\n## Decisions the input did not make\n\n");
        for d in r.decisions {
            let _ = writeln!(out, "- {d}");
        }
    }
    if !r.settings.is_empty() {
        let _ = writeln!(
            out,
            "\n## Global settings: ingress-nginx's ConfigMap and defaults → {}'s configuration\n",
            r.target
        );
        out.push_str(
            "| where | key | value | outcome | on the target | why |\n|---|---|---|---|---|---|\n",
        );
        for s in &r.settings {
            let place = match (&s.file, s.line) {
                (Some(file), Some(line)) => format!("{}:{line}", cell(file)),
                _ => "(default)".into(),
            };
            let _ = writeln!(
                out,
                "| {place} | {} | {} | {} | {} | {} |",
                code(s.key),
                code(s.value),
                s.outcome,
                s.target.map(cell).unwrap_or_default(),
                cell(s.detail)
            );
        }
    }
    if !r.values.is_empty() {
        let _ = writeln!(
            out,
            "\n## Values to set ({}): the chart renders these Ingresses from its values\n",
            r.values.len()
        );
        for v in &r.values {
            let ingresses: Vec<String> = v.ingresses.iter().map(|i| i.label()).collect();
            let _ = writeln!(
                out,
                "At `{}` of {} ({}; {}); `null` deletes a source annotation:\n\n```yaml\n{}```",
                v.at,
                cell(v.release),
                cell(&v.file),
                ingresses.join(", "),
                v.yaml
            );
        }
    }
    for (label, title, with_detail) in [
        ("not translated", "Not translated", true),
        (
            "approximated",
            "Approximated: emitted, behaves differently",
            true,
        ),
        (
            "no effect",
            "No effect: NGINX changes nothing for these",
            true,
        ),
        ("translated", "Translated", false),
    ] {
        let rows: Vec<&EntryJson<'_>> = r.entries.iter().filter(|e| e.outcome == label).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {title} ({})\n", rows.len());
        if with_detail {
            out.push_str("| where | Ingress | key | value | why |\n|---|---|---|---|---|\n");
        } else {
            out.push_str("| where | Ingress | key | value |\n|---|---|---|---|\n");
        }
        for e in rows {
            let _ = write!(
                out,
                "| {}:{} | {} | {} | {} |",
                cell(&e.file),
                e.line,
                cell(&e.ingress.label()),
                code(e.key),
                if e.value.is_empty() {
                    String::new()
                } else {
                    code(e.value)
                },
            );
            if with_detail {
                let _ = write!(out, " {} |", cell(e.detail));
            }
            out.push('\n');
        }
    }
    out
}

/// The Ingresses not converted: those the source may serve first (they fail the run).
fn left_out_section(out: &mut String, from: &str, left_out: &[LeftOutJson<'_>]) {
    if left_out.is_empty() {
        return;
    }
    let unsure = left_out.iter().filter(|l| l.unsure).count();
    let _ = writeln!(
        out,
        "## Left out: {} Ingress(es) not converted, {unsure} of which may be {from}'s\n",
        left_out.len(),
    );
    out.push_str("| where | Ingress | why |\n|---|---|---|\n");
    for l in left_out
        .iter()
        .filter(|l| l.unsure)
        .chain(left_out.iter().filter(|l| !l.unsure))
    {
        let _ = writeln!(
            out,
            "| {}:{} | {} | {}{} |",
            cell(&l.file),
            l.line,
            cell(&l.ingress.label()),
            if l.unsure {
                "**may be the source's**: "
            } else {
                ""
            },
            cell(l.reason)
        );
    }
    out.push('\n');
}

/// The emitted objects as one YAML stream: shared objects first, then by source file.
pub fn manifests(conversion: &Conversion) -> String {
    files(conversion, |_| String::new())
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

/// The emitted objects by output file: `name_of(file)` names a source file's output; the
/// shared objects go to [`SHARED_FILE`]. In input order, shared first.
pub fn files(conversion: &Conversion, name_of: impl Fn(usize) -> String) -> Vec<(String, String)> {
    let mut by_file: BTreeMap<Option<usize>, String> = BTreeMap::new();
    for emitted in &conversion.objects {
        by_file
            .entry(emitted.file)
            .or_default()
            .push_str(&yaml::document(&emitted.object));
    }
    by_file
        .into_iter()
        .map(|(file, text)| (file.map_or_else(|| SHARED_FILE.to_string(), &name_of), text))
        .collect()
}
