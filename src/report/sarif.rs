//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards, from typed structs.
//! Columns are Unicode code points (`columnKind`), as in every other format.

use serde::Serialize;

use super::resolve;
use crate::findings::{Finding, Location, Severity};
use crate::load::Loaded;
use crate::rules::registry;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: ToolComponent,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct ToolComponent {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif_location<'a>(
    loaded: &'a Loaded,
    location: &Location,
    message: Option<&str>,
) -> SarifLocation<'a> {
    let at = resolve(&loaded.files, location);
    SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: at.file },
            region: Region {
                start_line: at.start.line,
                start_column: at.start.column,
                end_line: at.end.line,
                end_column: at.end.column,
            },
        },
        message: message.map(|m| Text {
            text: m.to_string(),
        }),
    }
}

pub fn sarif(loaded: &Loaded, findings: &[Finding]) -> String {
    let rules = registry()
        .iter()
        .map(|rule| {
            let info = rule.info();
            ReportingDescriptor {
                id: info.id,
                short_description: Text {
                    text: info.summary(),
                },
                full_description: Text { text: info.doc() },
                default_configuration: Configuration {
                    level: level(info.default_severity),
                },
            }
        })
        .collect();
    let results = findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            SarifResult {
                rule_id: f.rule,
                level: level(f.severity),
                message: Text { text },
                locations: vec![sarif_location(loaded, &f.location, None)],
                related_locations: f
                    .related
                    .iter()
                    .map(|r| sarif_location(loaded, &r.location, Some(&r.message)))
                    .collect(),
                suppressions: f
                    .suppressed
                    .iter()
                    .map(|reason| Suppression {
                        kind: "inSource",
                        justification: reason.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: ToolComponent {
                driver: Driver {
                    name: "ingress-lint",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
