//! `--format junit`: JUnit XML, which most CI systems show as test results: one test case per
//! file read, a failure per finding in it.

use std::fmt::Write as _;

use super::resolve;
use crate::findings::Finding;
use crate::load::Loaded;

/// XML text and attribute escaping; characters XML 1.0 cannot hold are written `\u{…}`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

pub fn junit(loaded: &Loaded, findings: &[Finding]) -> String {
    let reported: Vec<&Finding> = findings.iter().filter(|f| f.suppressed.is_none()).collect();
    let mut cases = String::new();
    for (index, file) in loaded.files.iter().enumerate() {
        let failures: Vec<&&Finding> = reported
            .iter()
            .filter(|f| f.location.file == index)
            .collect();
        let _ = write!(
            cases,
            "    <testcase classname=\"ingress-lint\" name=\"{}\"",
            escape(&file.source.name)
        );
        if failures.is_empty() {
            cases.push_str("/>\n");
            continue;
        }
        cases.push_str(">\n");
        for finding in failures {
            let at = resolve(&loaded.files, &finding.location);
            let mut body = format!(
                "{}:{}:{}: {}",
                at.file, at.start.line, at.start.column, finding.message
            );
            if let Some(help) = &finding.help {
                let _ = write!(body, "\nhelp: {help}");
            }
            let _ = writeln!(
                cases,
                "      <failure type=\"{}\" message=\"{}: {}\">{}</failure>",
                finding.rule,
                finding.severity.as_str(),
                escape(&finding.message),
                escape(&body)
            );
        }
        cases.push_str("    </testcase>\n");
    }
    let tests = loaded.files.len();
    let failures = reported.len();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ingress-lint\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"ingress-lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n</testsuites>\n"
    )
}
