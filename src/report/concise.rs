//! `--format concise`: one line per finding, `path:line:col: severity rule message`, the
//! shape compilers and ruff print, which editors and `grep` read.

use std::fmt::Write as _;

use super::resolve;
use super::source::escape_controls;
use crate::findings::Finding;
use crate::load::Loaded;

pub fn concise(loaded: &Loaded, findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
        let at = resolve(&loaded.files, &finding.location);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {} {}",
            escape_controls(at.file),
            at.start.line,
            at.start.column,
            finding.severity.as_str(),
            finding.rule,
            escape_controls(&finding.message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, Severity};

    #[test]
    fn one_line_per_finding_with_controls_escaped() {
        let loaded = crate::load::Loaded::from_files(
            vec![crate::load::load_bytes(
                "a\u{1b}.yaml",
                Ok(b"apiVersion: v1\nkind: Service\nmetadata: {name: s}\n".to_vec()),
            )],
            &Default::default(),
        );
        let mut finding = Finding::new(
            "load-balancer-ip-deprecated",
            Severity::Warning,
            Location::new(
                0,
                loaded.files[0]
                    .tree
                    .span(loaded.files[0].documents[0].root.unwrap()),
            ),
            "two\nlines",
        );
        let text = concise(&loaded, std::slice::from_ref(&finding));
        assert_eq!(
            text,
            "a\\u{1b}.yaml:1:1: warning load-balancer-ip-deprecated two\\u{a}lines\n"
        );
        finding.suppressed = Some("reviewed".into());
        assert_eq!(concise(&loaded, &[finding]), "");
    }
}
