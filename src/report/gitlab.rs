//! `--format gitlab`: GitLab Code Quality JSON (the `artifacts:reports:codequality` report), so
//! findings show in the merge request. Each fingerprint is the finding's baseline fingerprint
//! hashed — stable when lines move — with an occurrence number when two findings share one
//! (GitLab keeps only the first of equal fingerprints).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{resolve, ReportError};
use crate::findings::{Finding, Severity};
use crate::load::Loaded;
use crate::rules::baseline::fingerprint;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

pub fn gitlab(loaded: &Loaded, findings: &[Finding]) -> Result<String, ReportError> {
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    let issues: Vec<Issue<'_>> = findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|finding| {
            let at = resolve(&loaded.files, &finding.location);
            let print = fingerprint(loaded, finding);
            let hash = fnv1a(&[&print.rule, &print.subject, &print.path, &print.text]);
            let occurrence = seen.entry(hash).or_insert(0);
            *occurrence += 1;
            let mut description = finding.message.clone();
            if let Some(help) = &finding.help {
                description.push_str(&format!(" (help: {help})"));
            }
            Issue {
                description,
                check_name: finding.rule,
                fingerprint: format!("{hash:016x}-{occurrence}"),
                severity: match finding.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "major",
                    Severity::Info => "info",
                },
                location: Location {
                    path: at.file,
                    lines: Lines {
                        begin: at.start.line,
                    },
                },
            }
        })
        .collect();
    super::pretty_json(&issues)
}

/// FNV-1a over the parts, each followed by a 0 byte: stable across builds and platforms.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
