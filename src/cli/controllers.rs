//! `controllers`: what ingress-lint knows about each controller (from `rules/controllers/`).

use std::fmt::Write as _;

use serde::Serialize;

use super::args::ControllersFormat;
use crate::knowledge::sets::{Lifecycle, Traffic};
use crate::knowledge::{knowledge, Controller};

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    lifecycle: Lifecycle,
    traffic: Traffic,
    images: Vec<&'a str>,
    controller_values: Vec<String>,
    default_classes: Vec<String>,
    annotation_prefixes: &'a [String],
    sources: &'a [String],
}

/// Controller values and classes with every setting at its default.
fn defaults(controller: &Controller) -> (Vec<String>, Vec<String>) {
    let mut values = Vec::new();
    for provider in &controller.providers {
        let default_of = |name: &str| {
            controller
                .setting(name)
                .map(|s| s.default.clone())
                .unwrap_or_default()
        };
        for template in &provider.controller_values {
            let mut value = template.clone();
            for name in crate::knowledge::template_settings(template) {
                let setting = default_of(name);
                let slash = if setting.is_empty() {
                    String::new()
                } else {
                    format!("/{setting}")
                };
                value = value
                    .replace(&format!("{{/{name}}}"), &slash)
                    .replace(&format!("{{{name}}}"), &setting);
            }
            if !value.is_empty() {
                values.push(value);
                break;
            }
        }
    }
    (values, controller.default_classes())
}

pub fn controllers(format: ControllersFormat) -> String {
    let entries: Vec<Entry<'_>> = knowledge()
        .controllers
        .iter()
        .map(|c| {
            let (controller_values, default_classes) = defaults(c);
            Entry {
                id: &c.id,
                name: &c.name,
                lifecycle: c.lifecycle,
                traffic: c.traffic,
                images: c.images.iter().map(|i| i.path.as_str()).collect(),
                controller_values,
                default_classes,
                annotation_prefixes: &c.annotation_prefixes,
                sources: &c.sources,
            }
        })
        .collect();
    match format {
        ControllersFormat::Json => {
            let mut text = serde_json::to_string_pretty(
                &serde_json::json!({"version": 1, "controllers": entries}),
            )
            .unwrap_or_default();
            text.push('\n');
            text
        }
        ControllersFormat::Table => {
            let mut out = String::new();
            let width = entries.iter().map(|e| e.id.len()).max().unwrap_or(0);
            for e in &entries {
                let _ = writeln!(
                    out,
                    "{:width$}  {}{}",
                    e.id,
                    e.name,
                    if e.lifecycle == Lifecycle::Retired {
                        " (retired)"
                    } else {
                        ""
                    }
                );
                let _ = writeln!(
                    out,
                    "{:width$}  controller values: {}",
                    "",
                    or_dash(&e.controller_values)
                );
                let _ = writeln!(
                    out,
                    "{:width$}  default classes:   {}",
                    "",
                    or_dash(&e.default_classes)
                );
                let _ = writeln!(
                    out,
                    "{:width$}  annotations:       {}",
                    "",
                    or_dash(e.annotation_prefixes)
                );
            }
            out
        }
    }
}

fn or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}
