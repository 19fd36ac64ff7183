//! `--format human`: rendered diagnostics with the source snippet, a caret under the node,
//! related locations and help; then a summary line.

use std::fmt::Write as _;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use std::sync::Arc;

use super::source::{escape_controls, excerpt, IndexedSource};
use super::{resolve, Summary};
use crate::findings::{Finding, Severity};
use crate::load::Loaded;

struct Rendered<'a> {
    finding: &'a Finding,
    source: IndexedSource,
    labels: Vec<LabeledSpan>,
    others: Vec<Rendered<'a>>,
    message: String,
}

impl std::fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        (!self.finding.rule.is_empty())
            .then(|| Box::new(self.finding.rule) as Box<dyn std::fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let finding = self.finding;
        let mut help = String::new();
        if let Some(text) = &finding.help {
            help.push_str(&escape_controls(text));
        }
        if let Some(reason) = &finding.suppressed {
            let _ = write!(
                help,
                "{}suppressed ({})",
                if help.is_empty() { "" } else { "\n" },
                escape_controls(reason)
            );
        }
        (!help.is_empty()).then(|| Box::new(help) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.others.is_empty())
            .then(|| Box::new(self.others.iter().map(|o| o as &dyn Diagnostic)) as Box<_>)
    }
}

fn rendered<'a>(loaded: &'a Loaded, finding: &'a Finding) -> Rendered<'a> {
    let file = finding.location.file;
    let where_ = resolve(&loaded.files, &finding.location);
    let mut labels = vec![(Some("here".to_string()), finding.location.span)];
    let mut others = Vec::new();
    for related in &finding.related {
        if related.location.file == file {
            labels.push((Some(related.message.clone()), related.location.span));
        } else {
            let other = resolve(&loaded.files, &related.location);
            let (source, labels, cut) = framed(
                loaded,
                related.location.file,
                vec![(Some(related.message.clone()), related.location.span)],
            );
            let at = format!("{}:{}:{}", other.file, other.start.line, other.start.column);
            others.push(Rendered {
                finding: &RELATED,
                source,
                labels,
                others: Vec::new(),
                message: if cut {
                    format!("related: {at} (its line is cut around it)")
                } else {
                    format!("related: {at}")
                },
            });
        }
    }
    let (source, labels, cut) = framed(loaded, file, labels);
    // The snippet header carries `file:line:column`; a file with no text to show, or a line
    // cut to the finding, gets the true position here.
    let text = escape_controls(&finding.message);
    let mut message = if loaded.files[file].source.is_empty() || cut {
        format!(
            "{}:{}:{}: {text}",
            where_.file, where_.start.line, where_.start.column
        )
    } else {
        text.into_owned()
    };
    if let Some(source) = &finding.helm_source {
        let _ = write!(message, " [helm: {}]", escape_controls(source));
    }
    Rendered {
        finding,
        source,
        labels,
        others,
        message,
    }
}

/// The source and labels of a code frame in one file: the file itself, or, where its lines
/// are too long to show, an excerpt cut around the labels (`true`).
fn framed(
    loaded: &Loaded,
    file: usize,
    labels: Vec<(Option<String>, manifest::Span)>,
) -> (IndexedSource, Vec<LabeledSpan>, bool) {
    let text = &loaded.files[file].source;
    // A label ends where its run of kept text ends (an object's span can reach over lines
    // let go): a frame shows one run.
    let spans: Vec<manifest::Span> = labels
        .iter()
        .map(|(_, span)| match text.run_at(span.start as usize) {
            Some((base, run)) => manifest::Span {
                end: span
                    .end
                    .min(u32::try_from(base + run.len()).unwrap_or(u32::MAX)),
                ..*span
            },
            None => *span,
        })
        .collect();
    let (source, spans, cut) = match excerpt(text, &spans) {
        Some((cut, moved)) => (Arc::new(cut), moved, true),
        None => (text.clone(), spans, false),
    };
    let labels = labels
        .into_iter()
        .zip(spans)
        .enumerate()
        .map(|(i, ((label, _), span))| {
            let at = (span.start as usize, span.len());
            let label = label.map(|l| escape_controls(&l).into_owned());
            if i == 0 {
                LabeledSpan::new_primary_with_span(label, at)
            } else {
                LabeledSpan::new_with_span(label, at)
            }
        })
        .collect();
    (IndexedSource(source), labels, cut)
}

/// The stand-in finding behind a related location in another file (rendered as advice).
static RELATED: Finding = Finding {
    rule: "",
    severity: Severity::Info,
    message: String::new(),
    location: crate::findings::Location {
        file: 0,
        span: manifest::Span {
            start: 0,
            end: 0,
            file: manifest::Span::OWN,
        },
    },
    related: Vec::new(),
    help: None,
    object: None,
    helm_source: None,
    suppressed: None,
};

pub fn human(loaded: &Loaded, findings: &[Finding], color: bool) -> String {
    let mut out = human_findings(findings, loaded, color);
    out.push_str(&human_summary(loaded, findings));
    out
}

/// The findings alone (`--quiet`): no summary.
pub fn human_findings(findings: &[Finding], loaded: &Loaded, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(120)
        .with_wrap_lines(false);
    let mut out = String::new();
    for finding in findings {
        let diagnostic = rendered(loaded, finding);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            let _ = writeln!(out, "{diagnostic}");
        }
        out.push('\n');
    }
    out
}

/// The summary lines: counts, the baseline, and what was skipped.
fn human_summary(loaded: &Loaded, findings: &[Finding]) -> String {
    let mut out = String::new();
    let summary = Summary::new(loaded, findings);
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s), {} info; {} suppressed — {} file(s), {} document(s), {} object(s), {} non-Kubernetes document(s) skipped",
        summary.findings.error,
        summary.findings.warning,
        summary.findings.info,
        summary.suppressed,
        summary.files,
        summary.documents,
        summary.objects,
        summary.skipped_documents
    );
    if let Some(baseline) = summary.baseline {
        let _ = writeln!(
            out,
            "baseline: {} finding(s) left out, {} fixed since",
            baseline.baselined, baseline.fixed
        );
    }
    let skipped = summary.skipped_entries;
    if summary.files == 0 {
        let _ = writeln!(out, "{}", no_manifest(&skipped));
    } else if skipped.templates > 0 {
        let _ = writeln!(
            out,
            "not read: {} template(s) of manifests (`*.yaml.j2`, `*.yaml.gotmpl`, …): render them and check the output",
            skipped.templates
        );
    }
    if skipped.symlinks + skipped.special_files > 0 {
        let _ = writeln!(
            out,
            "not followed: {} symlink(s), {} FIFO(s)/socket(s)/device(s) — name their targets as paths to check them",
            skipped.symlinks, skipped.special_files
        );
    }
    out
}

/// What to say when no file was read: that nothing was found, and the templates passed over.
pub fn no_manifest(skipped: &crate::input::Skipped) -> String {
    let templates = if skipped.templates > 0 {
        format!(
            "; {} template(s) of manifests skipped (.{}): render them and check the output",
            skipped.templates,
            crate::input::TEMPLATE_EXTENSIONS.join(", .")
        )
    } else {
        String::new()
    };
    format!("no manifest found: nothing with a .yaml, .yml or .json name was read{templates}")
}
