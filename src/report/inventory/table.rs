//! `inventory --format table`: readable in a terminal.

use std::fmt::Write as _;

use super::{served_labels, InventoryReport};

fn columns(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:w$}"))
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
    }
    out
}

/// Names in a table cell: a long list (hundreds of identical controllers claiming a class)
/// shows its first few and the count; `--format json` keeps them all.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 3;
    match items.len() {
        0 => "-".into(),
        n if n <= SHOWN + 1 => items.join(","),
        n => format!("{},… ({n} in all)", items[..SHOWN].join(",")),
    }
}

pub fn table(report: &InventoryReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Controllers ({})", report.controllers.len());
    if !report.controllers.is_empty() {
        let mut rows = vec![[
            "ID",
            "ORIGIN",
            "WORKLOAD",
            "CLASSES",
            "CLASS-LESS",
            "EXPOSURE",
            "HOST PORTS",
            "STATUS",
        ]
        .map(String::from)
        .to_vec()];
        for c in &report.controllers {
            let exposure: Vec<String> = c.exposure.iter().map(|e| e.as_str().to_string()).collect();
            let host_ports: Vec<String> = c
                .host_ports
                .iter()
                .map(|h| {
                    let implicit = if h.implicit { "*" } else { "" };
                    format!("{}{implicit}/{}", h.host_port, h.protocol)
                })
                .collect();
            rows.push(vec![
                c.id.clone(),
                c.origin.as_str().to_string(),
                c.workload.label(),
                list(&c.classes),
                if c.takes_classless {
                    "yes".into()
                } else {
                    "no".into()
                },
                list(&exposure),
                list(&host_ports),
                if c.publishes_status {
                    "yes".into()
                } else {
                    "no".into()
                },
            ]);
        }
        out.push_str(&columns(&rows));
        let _ = writeln!(out, "  (host ports marked * are bound through hostNetwork)");
        for c in &report.controllers {
            let _ = writeln!(out, "  {} at {}", c.workload.label(), c.workload.at());
            if c.origin != crate::release::Origin::Rendered {
                let _ = writeln!(out, "    {}: {}", c.origin.as_str(), c.origin_reason);
            }
            if c.lifecycle == crate::knowledge::sets::Lifecycle::Retired
                && c.origin != crate::release::Origin::Managed
            {
                let _ = writeln!(
                    out,
                    "    retired controller: no further releases or security fixes"
                );
            }
            let _ = writeln!(
                out,
                "    class-less Ingresses: {}",
                c.takes_classless_reason
            );
            for s in &c.services {
                let ip = s
                    .load_balancer_ip
                    .as_deref()
                    .map(|ip| format!(", loadBalancerIP {ip}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    service {} {} [{}]{ip}",
                    s.service.label(),
                    s.type_,
                    s.ports.join(", ")
                );
            }
            for (settings, reason) in super::unknown_by_reason(&c.unknown) {
                let _ = writeln!(out, "    unknown {settings}: {reason}");
            }
        }
    }
    let _ = writeln!(out, "\nIngressClasses ({})", report.ingress_classes.len());
    if !report.ingress_classes.is_empty() {
        let mut rows = vec![["NAME", "CONTROLLER", "DEFAULT", "SERVED BY", "AT"]
            .map(String::from)
            .to_vec()];
        for c in &report.ingress_classes {
            let served = served_labels(&c.served_by, c.served_by_count);
            rows.push(vec![
                c.name.clone(),
                c.controller.clone().unwrap_or_else(|| "-".into()),
                if c.default { "yes".into() } else { "no".into() },
                list(&served),
                format!("{}:{}:{}", c.file, c.line, c.column),
            ]);
        }
        out.push_str(&columns(&rows));
    }
    let _ = writeln!(out, "\nIngresses ({})", report.ingresses.len());
    if !report.ingresses.is_empty() {
        let mut rows = vec![["INGRESS", "CLASS", "FROM", "SERVED BY", "AT"]
            .map(String::from)
            .to_vec()];
        for i in &report.ingresses {
            let served = served_labels(&i.served_by, i.served_by_count);
            let source = serde_json::to_value(i.class_source)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            rows.push(vec![
                i.ingress.label(),
                i.class.clone().unwrap_or_else(|| "-".into()),
                source,
                if served.is_empty() {
                    "nobody".into()
                } else {
                    list(&served)
                },
                i.ingress.at(),
            ]);
        }
        out.push_str(&columns(&rows));
        for i in &report.ingresses {
            if let Some(origin) = &i.origin {
                let _ = writeln!(out, "  {}: {origin}", i.ingress.label());
            }
        }
    }
    if !report.clusters.is_empty() {
        let _ = writeln!(
            out,
            "\nClusters ({}): cross-object rules run within each (`clusters: single` in the configuration for one)",
            report.clusters.len()
        );
        for c in &report.clusters {
            let _ = writeln!(out, "  {}  {} file(s), from the {}", c.name, c.files, c.how);
        }
    }
    let unread: Vec<_> = report
        .releases
        .iter()
        .filter(|r| r.unread.is_some())
        .collect();
    if !unread.is_empty() {
        let _ = writeln!(out, "\nReleases not read ({})", unread.len());
        for r in unread {
            let _ = writeln!(
                out,
                "  {} (chart {}) at {}:{}:{}: {}",
                r.declared_by,
                r.chart,
                r.file,
                r.line,
                r.column,
                r.unread.as_deref().unwrap_or_default()
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::list;

    #[test]
    fn long_lists_show_their_first_names_and_the_count() {
        let names: Vec<String> = (0..300).map(|i| format!("c{i}")).collect();
        assert_eq!(list(&names), "c0,c1,c2,… (300 in all)");
        assert_eq!(list(&names[..4]), "c0,c1,c2,c3");
        assert_eq!(list(&[]), "-");
    }
}
