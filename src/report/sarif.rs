//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards, from typed structs.
//! Columns are Unicode code points (`columnKind`), as in every other format.

use std::collections::BTreeMap;
use std::sync::OnceLock;

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
    /// `%SRCROOT%`: the directory relative paths start from.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
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
    rules: &'static [ReportingDescriptor],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    /// The rule's documentation (what `explain` prints), as text and as Markdown.
    help: Help,
    /// The rule's source and documentation in the repository ingress-lint was built from,
    /// when the package names one (`CARGO_PKG_REPOSITORY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
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
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    /// The baseline's fingerprint (rule, object, YAML path, text): code scanning follows an
    /// alert across line moves by it.
    partial_fingerprints: BTreeMap<&'static str, String>,
}

/// The key of `partialFingerprints`, versioned with the fingerprint's fields.
const FINGERPRINT_KEY: &str = "ingressLintFingerprint/v1";

/// The fingerprint as 16 hex digits (FNV-1a 64 over its fields, each ended by a NUL): stable
/// across runs, platforms and Rust versions.
fn fingerprint_hash(fingerprint: &crate::rules::baseline::Fingerprint) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for field in [
        &fingerprint.rule,
        &fingerprint.subject,
        &fingerprint.path,
        &fingerprint.text,
    ] {
        for byte in field.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    /// A URI reference, percent-encoded: relative to `%SRCROOT%`, or a `file://` URI.
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

const SRCROOT: &str = "%SRCROOT%";

/// The artifact location of a reported path (`/`-separated, as given on the command line).
fn artifact(path: &str) -> ArtifactLocation {
    match path.strip_prefix('/') {
        Some(absolute) => ArtifactLocation {
            uri: format!("file:///{}", percent_encode(absolute)),
            uri_base_id: None,
        },
        None => ArtifactLocation {
            uri: percent_encode(path.trim_start_matches("./")),
            uri_base_id: Some(SRCROOT),
        },
    }
}

/// RFC 3986: everything but unreserved characters, sub-delimiters, `@` and `/` is
/// percent-encoded (a space, `%`, `#`, `?`, non-ASCII), and `:` too — in a relative
/// reference a directory named `ns:prod` would read as the URI scheme `ns`.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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

fn sarif_location(loaded: &Loaded, location: &Location, message: Option<&str>) -> SarifLocation {
    let at = resolve(&loaded.files, location);
    SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: artifact(at.file),
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

/// Every rule as SARIF describes it, from the rules' doc comments: the same in every report.
fn descriptors() -> &'static [ReportingDescriptor] {
    static DESCRIPTORS: OnceLock<Vec<ReportingDescriptor>> = OnceLock::new();
    DESCRIPTORS.get_or_init(|| {
        registry()
            .iter()
            .map(|rule| {
                let info = rule.info();
                ReportingDescriptor {
                    id: info.id,
                    short_description: Text {
                        text: info.summary(),
                    },
                    full_description: Text { text: info.doc() },
                    help: Help {
                        text: info.doc(),
                        markdown: format!("**{}**\n\n{}", info.id, info.doc()),
                    },
                    help_uri: help_uri(info.file),
                    default_configuration: Configuration {
                        level: level(info.default_severity),
                    },
                }
            })
            .collect()
    })
}

/// Where a rule's file is in the repository the package names, if it names one.
fn help_uri(file: &str) -> Option<String> {
    let repository = option_env!("CARGO_PKG_REPOSITORY").filter(|r| r.starts_with("https://"))?;
    Some(format!(
        "{}/blob/v{}/src/rules/{file}",
        repository.trim_end_matches('/'),
        env!("CARGO_PKG_VERSION")
    ))
}

pub fn sarif(loaded: &Loaded, findings: &[Finding]) -> Result<String, super::ReportError> {
    let rules = descriptors();
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
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY,
                    fingerprint_hash(&crate::rules::baseline::fingerprint(loaded, f)),
                )]),
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
            original_uri_base_ids: std::env::current_dir()
                .ok()
                .and_then(|dir| dir.to_str().map(|d| d.trim_end_matches('/').to_string()))
                .map(|dir| {
                    let dir = dir.trim_start_matches('/');
                    BTreeMap::from([(
                        SRCROOT,
                        BaseUri {
                            uri: format!("file:///{}/", percent_encode(dir)),
                        },
                    )])
                })
                .unwrap_or_default(),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    super::pretty_json(&log)
}

#[cfg(test)]
mod tests {
    use super::{artifact, percent_encode};

    #[test]
    fn uris_are_percent_encoded_and_relative_to_srcroot() {
        assert_eq!(percent_encode("a b/c#d%.yaml"), "a%20b/c%23d%25.yaml");
        assert_eq!(percent_encode("é"), "%C3%A9");
        // A directory named like a scheme stays a path.
        assert_eq!(artifact("ns:prod/a.yaml").uri, "ns%3Aprod/a.yaml");
        let relative = artifact("./apps/my app.yaml");
        assert_eq!(
            (relative.uri.as_str(), relative.uri_base_id),
            ("apps/my%20app.yaml", Some("%SRCROOT%"))
        );
        let absolute = artifact("/tmp/x y.yaml");
        assert_eq!(
            (absolute.uri.as_str(), absolute.uri_base_id),
            ("file:///tmp/x%20y.yaml", None)
        );
    }
}
