//! A suppression — a `# ingress-lint: ignore[…]` comment, an `ignore-check.ingress-lint.io/…`
//! annotation or a configuration `suppressions:` entry — that suppresses no finding.
//!
//! ## Why
//! Stale suppressions pile up: the problem was fixed, or the rule id was misspelt, and the next
//! real finding on that line or object goes unseen. Reported after every other rule ran and
//! suppressions were applied, so it sees what each one covered. Unused `suppressions:` of the
//! configuration are reported at their entry.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     ignore-check.ingress-lint.io/load-balancer-ip-deprecated: "kept until the migration"
//! spec:
//!   type: LoadBalancer     # no loadBalancerIP any more
//! ```
//!
//! ## Fix
//! Remove the suppression, or correct its rule id (`ingress-lint explain` lists them).
use crate::findings::Finding;
use crate::load::Loaded;

use super::suppress::{self, Source};
use super::{rule_info, Context, Rule, RuleInfo};

pub struct SuppressionUnused;

impl Rule for SuppressionUnused {
    fn info(&self) -> RuleInfo {
        rule_info!("suppression-unused", Info, "suppression_unused.rs")
    }

    /// Runs after the other rules, in `rules::run` (see `unused`): a suppression is unused only
    /// once every finding is known.
    fn check(&self, _context: &Context<'_>, _out: &mut Vec<Finding>) {}
}

/// The finding for the configuration's `suppressions:` entry at `location` (the configuration
/// added to the files) that suppressed nothing.
pub fn unused_configured(location: crate::findings::Location, rule: &str) -> Finding {
    let info = SuppressionUnused.info();
    let message = format!("this configuration suppression ({rule}) suppresses no finding");
    Finding::new(info.id, info.default_severity, location, message)
        .help("remove it, or correct its rule, kind, namespace, name or path")
}

/// Findings for the suppressions of the input that covered nothing (`used` lists those that
/// did, sorted).
pub fn unused(loaded: &Loaded, used: &[Source]) -> Vec<Finding> {
    let info = SuppressionUnused.info();
    suppress::all_in_input(&loaded.files)
        .into_iter()
        .filter(|(source, _)| used.binary_search(source).is_err())
        .filter_map(|(source, rules)| {
            let Source::Located(location) = source else {
                return None;
            };
            // A rule id that names no rule is said as such, with the closest one.
            let unknown: Vec<String> = rules
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty() && *r != "all" && super::find(r).is_none())
                .map(|r| {
                    let ids = super::registry().iter().map(|rule| rule.info().id);
                    match crate::knowledge::did_you_mean(r, ids) {
                        Some(near) => format!("`{r}` (did you mean `{near}`?)"),
                        None => format!("`{r}`"),
                    }
                })
                .collect();
            let message = if unknown.is_empty() {
                format!("this suppression ({rules}) suppresses no finding")
            } else {
                format!(
                    "this suppression names no rule: {}; it suppresses nothing",
                    unknown.join(", ")
                )
            };
            Some(
                Finding::new(info.id, info.default_severity, location, message)
                    .help("remove it, or correct the rule id (`ingress-lint explain` lists them)"),
            )
        })
        .collect()
}
