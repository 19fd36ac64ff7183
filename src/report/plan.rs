//! `plan` output: the scenarios best first, each with its downtime, steps and caveats.

use std::fmt::Write as _;

use crate::plan::Plan;

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
        "- Source: {} ({}), exposed by {}.",
        plan.source.controller,
        plan.source
            .workload
            .as_deref()
            .unwrap_or("not found in the input"),
        plan.source.exposure
    );
    let _ = writeln!(
        out,
        "- Target: {}, exposed by {}{}.",
        plan.target.controller,
        plan.target.exposure,
        if plan.target.exposure_assumed {
            " (assumed: the same as the source; pass --target-exposure or --target PATH)"
        } else {
            ""
        }
    );
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
    if let Some(reason) = &plan.reason {
        let _ = writeln!(out, "\nNo handbook scenario applies: {reason}.");
    }
    for scenario in &plan.scenarios {
        let _ = writeln!(
            out,
            "\n## Scenario {}: {}{}\n\nExpected downtime: {}.\n",
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
    out
}
