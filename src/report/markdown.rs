//! `check --format markdown`: a pull-request comment — a table of findings by rule and
//! severity, then each finding with its `file:line`, errors first, the list collapsed past
//! 50 and cut to fit the comment (GitHub holds 65,536 characters): the table always fits.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{resolve, Summary};
use crate::findings::Finding;
use crate::load::Loaded;

/// Findings shown before the rest is folded away.
const SHOWN: usize = 50;

/// How the comment is bounded and linked.
#[derive(Clone, Debug)]
pub struct MarkdownOptions {
    /// The most bytes the comment may take (characters are never fewer).
    pub max_size: usize,
    /// Prefixed to relative paths to make links absolute (the blob URL of the commit).
    pub link_base: Option<String>,
}

impl Default for MarkdownOptions {
    fn default() -> MarkdownOptions {
        MarkdownOptions {
            max_size: 60_000,
            link_base: None,
        }
    }
}

/// Text for a table cell or a list item: pipes escaped, one line, control characters written out.
fn cell(text: &str) -> String {
    super::source::escape_controls(text)
        .replace('|', "\\|")
        .replace('\n', " ")
}

pub fn markdown(loaded: &Loaded, findings: &[Finding], options: &MarkdownOptions) -> String {
    let summary = Summary::new(loaded, findings);
    let mut reported: Vec<&Finding> = findings.iter().filter(|f| f.suppressed.is_none()).collect();
    // Errors first; within a severity, in the findings' order (file, line).
    reported.sort_by_key(|f| std::cmp::Reverse(f.severity));
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
    let mut by_rule: BTreeMap<(std::cmp::Reverse<crate::findings::Severity>, &str), usize> =
        BTreeMap::new();
    for finding in &reported {
        *by_rule
            .entry((std::cmp::Reverse(finding.severity), finding.rule))
            .or_insert(0) += 1;
    }
    out.push_str("| rule | severity | findings |\n|---|---|---:|\n");
    for ((severity, rule), count) in &by_rule {
        let _ = writeln!(out, "| `{rule}` | {} | {count} |", severity.0.as_str());
    }
    out.push('\n');
    // Room kept for the folding's end and the line that says what was left out.
    const CLOSING: usize = 200;
    let mut shown = 0;
    for (index, finding) in reported.iter().enumerate() {
        let mut line = String::new();
        if index == SHOWN {
            let _ = writeln!(
                line,
                "\n<details><summary>{} more</summary>\n",
                reported.len() - SHOWN
            );
        }
        let at = resolve(&loaded.files, &finding.location);
        let _ = writeln!(
            line,
            "- **{}** `{}` [{}:{}]({}#L{}): {}",
            finding.severity.as_str(),
            finding.rule,
            cell(at.file),
            at.start.line,
            link(at.file, options.link_base.as_deref()),
            at.start.line,
            cell(&finding.message)
        );
        if out.len() + line.len() + CLOSING > options.max_size {
            break;
        }
        out.push_str(&line);
        shown += 1;
    }
    if shown > SHOWN {
        out.push_str("\n</details>\n");
    }
    if shown < reported.len() {
        let _ = writeln!(
            out,
            "\n{} more finding(s) not shown: the comment is kept under {} characters (`--max-comment-size`); the SARIF or JSON report has them all.",
            reported.len() - shown,
            options.max_size
        );
    }
    out
}

/// A link to a file: relative paths under `base` when given (made absolute), else as
/// they are; percent-encoded either way.
fn link(path: &str, base: Option<&str>) -> String {
    let target = link_target(path.trim_start_matches("./"));
    match base {
        Some(base) if !path.starts_with('/') => {
            format!("{}/{target}", base.trim_end_matches('/'))
        }
        _ => target,
    }
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
    use super::{link, link_target};

    #[test]
    fn links_are_absolute_under_a_base() {
        let base = Some("https://github.com/o/r/blob/abc123/");
        assert_eq!(
            link("./apps/a b.yaml", base),
            "https://github.com/o/r/blob/abc123/apps/a%20b.yaml"
        );
        assert_eq!(link("/abs/a.yaml", base), "/abs/a.yaml");
        assert_eq!(link("apps/a.yaml", None), "apps/a.yaml");
    }

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
