//! `--format json`, per `spec/output.schema.json` (copied to `tests/output.schema.json`).

use manifest::ObjectRef;
use rayon::prelude::*;
use serde::Serialize;

use super::{resolve, Summary};
use crate::findings::{Finding, Location, Severity};
use crate::load::Loaded;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    location: JsonLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    #[serde(flatten)]
    location: JsonLocation<'a>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectRef>,
}

fn location<'a>(loaded: &'a Loaded, location: &Location) -> JsonLocation<'a> {
    let resolved = resolve(&loaded.files, location);
    JsonLocation {
        file: resolved.file,
        line: resolved.start.line,
        column: resolved.start.column,
        end_line: resolved.end.line,
        end_column: resolved.end.column,
    }
}

pub fn json(loaded: &Loaded, findings: &[Finding]) -> Result<String, super::ReportError> {
    super::pretty_json(&output(loaded, findings))
}

/// The JSON report, written as it is serialised.
pub fn write_json(
    loaded: &Loaded,
    findings: &[Finding],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    super::write_pretty_json(&output(loaded, findings), out)
}

fn output<'a>(loaded: &'a Loaded, findings: &'a [Finding]) -> Output<'a> {
    Output {
        version: 1,
        tool: Tool {
            name: "ingress-lint",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary::new(loaded, findings),
        // In parallel: locating a finding can build its file's line index.
        findings: findings
            .par_iter()
            .map(|f| JsonFinding {
                rule: f.rule,
                severity: f.severity,
                message: &f.message,
                location: location(loaded, &f.location),
                object: f.object.as_ref(),
                helm_source: f.helm_source.as_deref(),
                help: f.help.as_deref(),
                related: f
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        location: location(loaded, &r.location),
                        message: &r.message,
                        object: r.object.as_ref(),
                    })
                    .collect(),
                suppressed: f.suppressed.is_some(),
                suppression_reason: f.suppressed.as_deref(),
            })
            .collect(),
    }
}
