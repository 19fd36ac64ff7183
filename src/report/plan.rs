//! `plan` output: per source controller, the facts the runbook rests on, then the scenarios
//! best first, each with its downtime, numbered steps (with their rollback) and caveats.

use std::fmt::Write as _;

use crate::plan::{Plan, Scenario, SourcePlan};

pub fn json(plan: &Plan) -> Result<String, super::ReportError> {
    super::pretty_json(plan)
}

pub fn markdown(plan: &Plan) -> String {
    let mut out = format!(
        "# Migration plan: {} → {}\n\n",
        plan.source.controller, plan.target.controller
    );
    let _ = writeln!(
        out,
        "- Target: {}, exposed by {}{}.",
        plan.target.controller,
        plan.target.exposure,
        if plan.target.exposure_assumed {
            " (assumed; pass --target-exposure or --target PATH)"
        } else {
            ""
        }
    );
    if let Some(reason) = &plan.reason {
        let _ = writeln!(out, "\nNo handbook scenario applies: {reason}.");
        return out;
    }
    let several = plan.plans.len() > 1;
    if several {
        let _ = writeln!(
            out,
            "- {} {} controllers in the input: one plan each.",
            plan.plans.len(),
            plan.source.controller
        );
    }
    for (n, source) in plan.plans.iter().enumerate() {
        let level = if several {
            let _ = writeln!(
                out,
                "\n## {}. {} ({})\n",
                n + 1,
                source
                    .source
                    .workload
                    .as_deref()
                    .unwrap_or("run by the platform"),
                source.at
            );
            "###"
        } else {
            out.push('\n');
            "##"
        };
        facts(&mut out, source);
        for scenario in &source.scenarios {
            write_scenario(&mut out, level, scenario);
        }
    }
    out
}

fn facts(out: &mut String, plan: &SourcePlan) {
    let _ = writeln!(
        out,
        "- Source: {} ({}, {}), exposed by {}.",
        plan.source.controller,
        plan.source
            .workload
            .as_deref()
            .unwrap_or(if plan.origin == "managed" {
                "run by the platform"
            } else {
                "not found in the input"
            }),
        plan.origin,
        plan.source.exposure
    );
    if !plan.classes.is_empty() {
        let _ = writeln!(
            out,
            "- Classes: {}; {} Ingress(es).",
            plan.classes
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
            plan.ingresses
        );
    }
    if let Some(pinned) = &plan.pinned_ip {
        let _ = writeln!(
            out,
            "- Address: Service `{}` pins `{}` through `{}`{}.",
            plan.service.as_deref().unwrap_or("?"),
            pinned.value,
            pinned.via,
            pinned
                .provider
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default()
        );
    }
    if !plan.streams.is_empty() {
        let ports: Vec<String> = plan
            .streams
            .iter()
            .map(|s| match &s.backend {
                Some(b) => format!("{} → {b}", s.port),
                None => s.port.clone(),
            })
            .collect();
        let _ = writeln!(out, "- TCP/UDP besides HTTP: {}.", ports.join(", "));
    }
    if !plan.hosts.is_empty() {
        let _ = writeln!(
            out,
            "- Hosts to move ({}): {}.",
            plan.hosts.len(),
            plan.hosts
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for also in &plan.also_switch {
        let _ = writeln!(out, "- Also reaching it: {also}.");
    }
}

fn write_scenario(out: &mut String, level: &str, scenario: &Scenario) {
    let _ = writeln!(
        out,
        "\n{level} Scenario {}: {}{}\n\nExpected downtime: {}.\n",
        scenario.id,
        scenario.name,
        if scenario.recommended {
            " (recommended)"
        } else {
            ""
        },
        scenario.expected_downtime
    );
    for (n, step) in scenario.steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {step}", n + 1);
    }
    if !scenario.caveats.is_empty() {
        out.push_str("\nCaveats:\n\n");
        for caveat in &scenario.caveats {
            let _ = writeln!(out, "- {caveat}");
        }
    }
}
