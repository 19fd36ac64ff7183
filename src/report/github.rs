//! `--format github`: GitHub Actions workflow commands, one line per finding, so findings
//! show as annotations on the pull request's diff.

use std::fmt::Write as _;

use super::resolve;
use crate::findings::{Finding, Severity};
use crate::load::Loaded;

/// Workflow-command data escaping (`%`, CR, LF; and `,` `:` in properties); other control
/// characters from the input are written out (`\u{1b}`), so no input can drive the log.
fn escape(text: &str, property: bool) -> String {
    let controls_escaped: String = text
        .chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect();
    let mut out = controls_escaped
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

pub fn github(loaded: &Loaded, findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
        let at = resolve(&loaded.files, &finding.location);
        let level = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape(at.file, true),
            at.start.line,
            at.start.column,
            at.end.line,
            at.end.column,
            escape(&format!("ingress-lint {}", finding.rule), true),
            escape(&message, false)
        );
    }
    out
}
