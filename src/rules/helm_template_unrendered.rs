//! A file holds Go template actions (`{{ .Values.x }}`): it is a Helm template, not a
//! manifest, and is skipped.
//!
//! Said once per chart — at its `Chart.yaml`, counting its templates, each a related
//! location — and once per template file outside a chart.
//!
//! ## Why
//! What reaches the cluster is the rendered output; a template cannot be checked faithfully
//! before its values are applied. Template text inside rendered values (Prometheus alert
//! annotations, `{{ $labels.instance }}`), in a HelmRelease's or an Argo CD Application's
//! values, or in a YAML comment is not reported.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   name: {{ include "app.fullname" . }}
//! ```
//!
//! ## Fix
//! Check the render instead: `helm template RELEASE CHART -f values.yaml | ingress-lint check -`,
//! and exclude the `templates/` folder (`--exclude "**/templates/**"`).
use std::collections::BTreeMap;

use crate::findings::{Finding, Location};
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct HelmTemplateUnrendered;

impl Rule for HelmTemplateUnrendered {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "helm-template-unrendered",
            Warning,
            "helm_template_unrendered.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        let mut per_file = Vec::new();
        context.problem_findings(ProblemKind::TemplateUnrendered, &info, &mut per_file);
        // Templates of a chart whose Chart.yaml is in the input: one finding at it.
        let mut charts: BTreeMap<usize, Vec<Finding>> = BTreeMap::new();
        for finding in per_file {
            match chart_of(context, &context.files[finding.location.file].source.name) {
                Some(chart) => charts.entry(chart).or_default().push(finding),
                None => out.push(finding),
            }
        }
        for (chart, templates) in charts {
            let name = &context.files[chart].source.name;
            let directory = name.trim_end_matches("Chart.yaml").trim_end_matches('/');
            let message = format!(
                "chart {directory}: {} template file(s) hold unrendered Go template actions and were skipped",
                templates.len()
            );
            let at = Location {
                file: chart,
                span: manifest::Span::new(0, 0),
            };
            let mut finding = Finding::new(info.id, info.default_severity, at, message);
            finding.help = templates[0].help.clone();
            for template in templates {
                finding = finding.related(template.location, "a template", None);
            }
            out.push(finding);
        }
    }
}

/// The input file that is the `Chart.yaml` of the chart holding `name` (`<chart>/templates/…`).
fn chart_of(context: &Context<'_>, name: &str) -> Option<usize> {
    let chart = match name.rsplit_once("/templates/") {
        Some((root, _)) => format!("{root}/Chart.yaml"),
        None if name.starts_with("templates/") => "Chart.yaml".to_string(),
        None => return None,
    };
    context.files.iter().position(|f| f.source.name == chart)
}
