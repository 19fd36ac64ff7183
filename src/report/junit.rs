//! `--format junit`: JUnit XML as the strict Apache Ant schema (windyroad `JUnit.xsd`) has
//! it, which most CI systems show as test results. A test case per file and rule that has
//! findings — failed, with one `<failure>` listing them, when one is at or above `--fail-on`;
//! passed when all are below (those are listed in the suite's `<system-out>`: the schema
//! gives a test case no output of its own) — and a passed case per file without findings.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::resolve;
use crate::findings::{Finding, Severity};
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

/// `threshold`: the `--fail-on` severity (`None`: nothing fails).
pub fn junit(loaded: &Loaded, findings: &[Finding], threshold: Option<Severity>) -> String {
    let mut by_file: Vec<BTreeMap<&str, Vec<&Finding>>> = vec![BTreeMap::new(); loaded.files.len()];
    for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
        if let Some(rules) = by_file.get_mut(finding.location.file) {
            rules.entry(finding.rule).or_default().push(finding);
        }
    }
    let (mut tests, mut failures) = (0usize, 0usize);
    let mut cases = String::new();
    let mut below = String::new();
    for (file, rules) in loaded.files.iter().zip(&by_file) {
        let name = escape(&file.source.name);
        if rules.is_empty() {
            tests += 1;
            let _ = writeln!(
                cases,
                "    <testcase name=\"{name}\" classname=\"{name}\" time=\"0\"/>"
            );
            continue;
        }
        for (rule, found) in rules {
            tests += 1;
            let mut body = String::new();
            for finding in found {
                let at = resolve(&loaded.files, &finding.location);
                let _ = writeln!(
                    body,
                    "{}:{}:{}: {}: {}",
                    at.file,
                    at.start.line,
                    at.start.column,
                    finding.severity.as_str(),
                    finding.message
                );
                if let Some(help) = &finding.help {
                    let _ = writeln!(body, "  help: {help}");
                }
            }
            let worst = found
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Info);
            let case = format!("<testcase name=\"{name}: {rule}\" classname=\"{name}\" time=\"0\"");
            if threshold.is_some_and(|t| worst >= t) {
                failures += 1;
                let message = format!(
                    "{} {} finding(s): {}",
                    found.len(),
                    worst.as_str(),
                    found[0].message
                );
                let _ = writeln!(
                    cases,
                    "    {case}>\n      <failure type=\"{rule}\" message=\"{}\">{}</failure>\n    </testcase>",
                    escape(&message),
                    escape(&body)
                );
            } else {
                let _ = writeln!(cases, "    {case}/>");
                below.push_str(&body);
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite package=\"ingress-lint\" id=\"0\" name=\"ingress-lint\" timestamp=\"{}\" hostname=\"localhost\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"0\">\n    <properties/>\n{cases}    <system-out>{}</system-out>\n    <system-err/>\n  </testsuite>\n</testsuites>\n",
        timestamp(),
        escape(&below)
    )
}

/// When the report was written, in UTC without a zone (the schema's pattern); from
/// `SOURCE_DATE_EPOCH` when set, so that a build can reproduce its report.
fn timestamp() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_795), (2026, 12, 8));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
