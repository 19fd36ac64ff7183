//! `check --format markdown`: a pull-request comment — a table of findings by rule and
//! severity, then each finding with its `file:line`, the list collapsed past 50.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{resolve, Summary};
use crate::findings::Finding;
use crate::load::Loaded;

/// Findings shown before the rest is folded away.
const SHOWN: usize = 50;

/// Text for a table cell or a list item: pipes escaped, one line, control characters written out.
fn cell(text: &str) -> String {
    super::source::escape_controls(text)
        .replace('|', "\\|")
        .replace('\n', " ")
}

pub fn markdown(loaded: &Loaded, findings: &[Finding]) -> String {
    let summary = Summary::new(loaded, findings);
    let reported: Vec<&Finding> = findings.iter().filter(|f| f.suppressed.is_none()).collect();
    let mut out = String::from("## ingress-lint\n\n");
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s), {} info; {} suppressed — {} file(s), {} object(s).\n",
        summary.findings.error,
        summary.findings.warning,
        summary.findings.info,
        summary.suppressed,
        summary.files,
        summary.objects
    );
    if reported.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for finding in &reported {
        *by_rule
            .entry((finding.rule, finding.severity.as_str()))
            .or_insert(0) += 1;
    }
    out.push_str("| rule | severity | findings |\n|---|---|---:|\n");
    for ((rule, severity), count) in &by_rule {
        let _ = writeln!(out, "| `{rule}` | {severity} | {count} |");
    }
    out.push('\n');
    for (index, finding) in reported.iter().enumerate() {
        if index == SHOWN {
            let _ = writeln!(
                out,
                "\n<details><summary>{} more</summary>\n",
                reported.len() - SHOWN
            );
        }
        let at = resolve(&loaded.files, &finding.location);
        let _ = writeln!(
            out,
            "- **{}** `{}` [{}:{}]({}#L{}): {}",
            finding.severity.as_str(),
            finding.rule,
            cell(at.file),
            at.start.line,
            link_target(at.file),
            at.start.line,
            cell(&finding.message)
        );
    }
    if reported.len() > SHOWN {
        out.push_str("\n</details>\n");
    }
    out
}

/// A path as a markdown link target: every byte outside the unreserved set and `/` is
/// percent-encoded (spaces, `%`, `#`, parentheses, controls, non-ASCII).
fn link_target(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod link_tests {
    use super::link_target;

    #[test]
    fn link_targets_are_percent_encoded() {
        assert_eq!(
            link_target("apps/web (v2)/a b#1%.yaml"),
            "apps/web%20%28v2%29/a%20b%231%25.yaml"
        );
        assert_eq!(
            link_target("x\u{1b}[31m\u{202e}.yaml"),
            "x%1B%5B31m%E2%80%AE.yaml"
        );
    }
}
