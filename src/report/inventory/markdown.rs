//! `inventory --format markdown`: tables and a Mermaid flowchart (controllers → classes →
//! Ingresses, each controller labelled with its exposure) that GitHub renders.

use std::fmt::Write as _;

use super::{served_labels, InventoryReport};

/// Ingress nodes drawn at most; the tables list them all.
const MAX_DIAGRAM_INGRESSES: usize = 150;

/// Mermaid label text: quotes and angle brackets as entities.
fn label(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

pub fn markdown(report: &InventoryReport) -> String {
    let mut out = String::from("# Ingress inventory\n\n");
    let _ = writeln!(
        out,
        "{} controller(s), {} IngressClass(es), {} Ingress(es).\n",
        report.controllers.len(),
        report.ingress_classes.len(),
        report.ingresses.len()
    );
    out.push_str(&diagram(report));
    out.push_str("\n## Controllers\n\n| controller | origin | workload | classes | class-less | exposure | services | host ports | status |\n|---|---|---|---|---|---|---|---|---|\n");
    for c in &report.controllers {
        let exposure: Vec<&str> = c.exposure.iter().map(|e| e.as_str()).collect();
        let services: Vec<String> = c
            .services
            .iter()
            .map(|s| format!("{} ({})", s.service.name, s.type_))
            .collect();
        let ports: Vec<String> = c
            .host_ports
            .iter()
            .map(|h| {
                format!(
                    "{}{}/{}",
                    h.host_port,
                    if h.implicit { "*" } else { "" },
                    h.protocol
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "| `{}`{} | {} | {} (`{}`) | {} | {} | {} | {} | {} | {} |",
            c.id,
            if c.lifecycle == crate::knowledge::sets::Lifecycle::Retired {
                " (retired)"
            } else {
                ""
            },
            cell(&format!("{}: {}", c.origin.as_str(), c.origin_reason)),
            cell(&c.workload.label()),
            cell(&c.workload.at()),
            cell(&c.classes.join(", ")),
            cell(&if c.takes_classless {
                format!("yes: {}", c.takes_classless_reason)
            } else {
                "no".into()
            }),
            exposure.join(", "),
            cell(&services.join(", ")),
            ports.join(", "),
            if c.publishes_status {
                "publishes"
            } else {
                "no"
            },
        );
    }
    out.push_str("\nHost ports marked * are bound through hostNetwork.\n");
    let unknown: Vec<String> = report
        .controllers
        .iter()
        .flat_map(|c| {
            super::unknown_by_reason(&c.unknown)
                .into_iter()
                .map(move |(settings, reason)| {
                    format!("- `{}` {}: {}", c.id, cell(&settings), cell(reason))
                })
        })
        .chain(report.releases.iter().filter_map(|r| {
            r.unread.as_ref().map(|why| {
                format!(
                    "- {} (chart `{}`) was not read: {}",
                    cell(&r.declared_by),
                    r.chart,
                    cell(why)
                )
            })
        }))
        .collect();
    if !report.clusters.is_empty() {
        out.push_str("\n### Clusters\n\nCross-object rules run within each.\n\n");
        for c in &report.clusters {
            out.push_str(&format!(
                "- `{}`: {} file(s), from the {}\n",
                cell(&c.name),
                c.files,
                cell(&c.how)
            ));
        }
    }
    if !unknown.is_empty() {
        out.push_str("\n### What the input cannot tell\n\n");
        out.push_str(&unknown.join("\n"));
        out.push('\n');
    }
    out.push_str(
        "\n## IngressClasses\n\n| name | controller | default | served by |\n|---|---|---|---|\n",
    );
    for c in &report.ingress_classes {
        let served = served_labels(&c.served_by, c.served_by_count);
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            c.name,
            c.controller.as_deref().unwrap_or("-"),
            if c.default { "yes" } else { "no" },
            cell(&served.join(", "))
        );
    }
    out.push_str("\n## Ingresses\n\n| Ingress | class | from | served by | annotations |\n|---|---|---|---|---|\n");
    for i in &report.ingresses {
        let served = served_labels(&i.served_by, i.served_by_count);
        let prefixes: Vec<String> = i
            .annotation_prefixes
            .iter()
            .map(|(p, n)| format!("{p} ×{n}"))
            .collect();
        let source = serde_json::to_value(i.class_source)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&i.ingress.label()),
            i.class.as_deref().map_or("-".into(), |c| format!("`{c}`")),
            source,
            if served.is_empty() {
                "**nobody**".into()
            } else {
                cell(&served.join(", "))
            },
            cell(&prefixes.join(", "))
        );
    }
    out
}

fn diagram(report: &InventoryReport) -> String {
    let mut out = String::from("```mermaid\nflowchart LR\n");
    let mut classes: Vec<String> = Vec::new();
    for (i, c) in report.controllers.iter().enumerate() {
        let exposure: Vec<&str> = c.exposure.iter().map(|e| e.as_str()).collect();
        let _ = writeln!(
            out,
            "  c{i}[\"{}<br/>{}<br/>{}\"]",
            label(&c.id),
            label(&c.workload.label()),
            exposure.join(" + ")
        );
        for class in &c.classes {
            if !classes.contains(class) {
                classes.push(class.clone());
            }
        }
    }
    for i in &report.ingresses {
        if let Some(class) = &i.class {
            if !classes.contains(class) {
                classes.push(class.clone());
            }
        }
    }
    for (k, class) in classes.iter().enumerate() {
        let _ = writeln!(out, "  k{k}([\"class {}\"])", label(class));
    }
    for (i, c) in report.controllers.iter().enumerate() {
        for class in &c.classes {
            if let Some(k) = classes.iter().position(|x| x == class) {
                let _ = writeln!(out, "  c{i} --> k{k}");
            }
        }
        if c.takes_classless {
            let _ = writeln!(out, "  c{i} -.-> none((\"no class\"))");
        }
    }
    for (n, ingress) in report
        .ingresses
        .iter()
        .enumerate()
        .take(MAX_DIAGRAM_INGRESSES)
    {
        let _ = writeln!(out, "  i{n}[\"{}\"]", label(&ingress.ingress.label()));
        match ingress
            .class
            .as_ref()
            .and_then(|c| classes.iter().position(|x| x == c))
        {
            Some(k) => {
                let _ = writeln!(out, "  k{k} --> i{n}");
            }
            None => {
                let _ = writeln!(out, "  none((\"no class\")) --> i{n}");
            }
        }
        if ingress.served_by.is_empty() {
            let _ = writeln!(out, "  style i{n} stroke:#d33,stroke-width:2px");
        }
    }
    out.push_str("```\n");
    if report.ingresses.len() > MAX_DIAGRAM_INGRESSES {
        let _ = writeln!(
            out,
            "\nThe diagram shows the first {MAX_DIAGRAM_INGRESSES} of {} Ingresses.",
            report.ingresses.len()
        );
    }
    out
}
