//! `--statistics`: how many findings each rule gave, by severity, most first — what to
//! look at first on a repository checked for the first time.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::findings::{Finding, Severity};

pub fn statistics(findings: &[Finding]) -> String {
    let mut counts: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
        *counts.entry((finding.rule, finding.severity)).or_default() += 1;
    }
    let mut rows: Vec<((&str, Severity), usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(b.0 .1.cmp(&a.0 .1))
            .then(a.0 .0.cmp(b.0 .0))
    });
    let total: usize = rows.iter().map(|(_, n)| n).sum();
    let width = total.to_string().len();
    let rule_width = rows
        .iter()
        .map(|((rule, _), _)| rule.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for ((rule, severity), count) in &rows {
        let _ = writeln!(
            out,
            "{count:>width$}  {rule:<rule_width$}  {}",
            severity.as_str()
        );
    }
    let _ = writeln!(out, "{total:>width$}  finding(s)");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Location;

    #[test]
    fn counts_by_rule_and_severity_most_first() {
        let finding = |rule: &'static str, severity| {
            Finding::new(
                rule,
                severity,
                Location::new(0, Default::default()),
                String::new(),
            )
        };
        let findings = [
            finding("controller-retired", Severity::Warning),
            finding("host-port-clash", Severity::Error),
            finding("controller-retired", Severity::Warning),
            finding("annotation-unknown", Severity::Info),
        ];
        assert_eq!(
            statistics(&findings),
            "2  controller-retired  warning\n1  host-port-clash     error\n1  annotation-unknown  info\n4  finding(s)\n"
        );
    }
}
