//! A Helm release whose values cannot all be read: a controller chart's, or the `ingress:`
//! values of an application chart.
//!
//! ## Why
//! Releases (Flux `HelmRelease`, Argo CD `Application`, k3s `HelmChart`, umbrella charts) are
//! rendered from the chart's knowledge in `rules/charts/` so that the controller they install
//! is inventoried and checked. When part of the values is not in the input — a `valuesFrom`
//! Secret kept elsewhere, Argo CD `valueFiles` in another repository — the facts those values
//! could set are unknown, and nothing is guessed. When the chart version is outside the
//! versions the knowledge was read from, or the release is an ApplicationSet template, the
//! release is not rendered at all; the class checks that would need its classes are then
//! skipped rather than reported wrongly.
//!
//! Application charts' `ingress:` blocks (app-template, `helm create` charts, argo-cd, …) are
//! read into Ingresses the same way. A value there that the chart cannot use as written — a
//! host list that is not a list, a class name that is a template (`${VAR}`, `{{ … }}`), an
//! `enabled: "false"` string that Helm takes as true — is reported at the value, and the rest
//! of the values is still read.
//!
//! ## Example
//! ```yaml
//! apiVersion: helm.toolkit.fluxcd.io/v2
//! kind: HelmRelease
//! spec:
//!   chart:
//!     spec: {chart: ingress-nginx, version: "3.35.0"}
//!   valuesFrom:
//!     - kind: Secret
//!       name: ingress-values     # not in the repository
//! ```
//!
//! ## Fix
//! Render the release (`helm template NAME REPO/CHART --version V -n NAMESPACE -f values.yaml`)
//! and check the output with the repository, or put the values in the input (a ConfigMap, a
//! Secret's `stringData`). Suppress the finding when the values are kept elsewhere on purpose.
use crate::findings::{Finding, Location};

use super::{rule_info, Context, Rule, RuleInfo};

pub struct HelmReleaseUnresolved;

impl Rule for HelmReleaseUnresolved {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "helm-release-unresolved",
            Info,
            "helm_release_unresolved.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for release in context
            .objects
            .releases
            .list
            .iter()
            .filter(|r| context.objects.in_scope(r.file))
        {
            let what = format!(
                "{} installs chart {} (controller {})",
                release.declared_by, release.chart, release.controller
            );
            let message = match (&release.unread, release.unknowns.as_slice()) {
                (Some(reason), _) => format!("{what}, but it was not read: {reason}"),
                (None, []) => continue,
                (None, unknowns) => {
                    let facts: Vec<String> = unknowns
                        .iter()
                        .map(|u| format!("{} ({})", u.fact, u.reason))
                        .collect();
                    format!("{what}; its values leave unknown: {}", facts.join("; "))
                }
            };
            let version = release
                .version
                .as_deref()
                .map(|v| format!(" --version {v}"))
                .unwrap_or_default();
            let location = Location::new(release.file, release.anchor);
            out.push(
                Finding::new(info.id, info.default_severity, location, message).help(format!(
                    "render it and check the output: `helm template {} <repo>/{}{version} -n {} -f values.yaml`",
                    release.name, release.chart, release.namespace
                )),
            );
        }
        for release in context
            .objects
            .releases
            .values
            .iter()
            .filter(|r| context.objects.in_scope(r.file))
        {
            for (span, problem) in &release.problems {
                let message = format!(
                    "{} (chart {}): {problem}",
                    release.declared_by, release.chart
                );
                let location = Location::new(release.file, *span);
                let mut finding = Finding::new(info.id, info.default_severity, location, message)
                    .help("write the value as the chart reads it, or put what it reads in the input (the values, the chart's source); else render the release and check the output");
                let anchor = Location::new(release.file, release.anchor);
                if anchor != location {
                    finding = finding.related(anchor, "the release", None);
                }
                out.push(finding);
            }
        }
    }
}
