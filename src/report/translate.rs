//! `translate` output: per target, a summary a reviewer reads in a minute (counts and share
//! per verdict and per group, blockers first), then per Ingress and per annotation the value,
//! verdict, target form, note and source. Markdown, JSON (SPEC §8) or CSV.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::inventory::LocatedRef;
use super::ReportError;
use crate::detect::Objects;
use crate::knowledge::knowledge;
use crate::knowledge::sets::Verdict;
use crate::translate::{TargetPath, Translation};

/// Verdicts in report order: blockers first.
/// Blockers first.
const ORDER: [Verdict; 5] = [
    Verdict::None,
    Verdict::Unknown,
    Verdict::Partial,
    Verdict::Crd,
    Verdict::Exact,
];

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    target: &'a str,
    from: &'a [String],
    summary: Summary,
    annotations: Vec<Entry<'a>>,
    carried_over: Vec<CarriedEntry<'a>>,
    /// Annotations of controllers outside `from`, by controller: not translated.
    other_controllers: &'a BTreeMap<String, usize>,
}

#[derive(Serialize, Default)]
struct Summary {
    total: usize,
    verdicts: BTreeMap<&'static str, usize>,
    groups: BTreeMap<String, BTreeMap<&'static str, usize>>,
    ingresses: usize,
    carried_over: usize,
}

#[derive(Serialize)]
struct Entry<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    object: LocatedRef,
    annotation: &'a str,
    value: &'a str,
    source_controller: &'a str,
    verdict: Verdict,
    target_form: Option<&'a str>,
    note: &'a str,
    group: Option<&'a str>,
    did_you_mean: Option<&'a str>,
    paths: &'a [TargetPath],
    sources: &'a [String],
}

#[derive(Serialize)]
struct CarriedEntry<'a> {
    object: LocatedRef,
    annotation: &'a str,
    value: &'a str,
    note: &'a str,
}

fn report<'a>(objects: &'a Objects<'_>, translation: &'a Translation) -> Report<'a> {
    let mut summary = Summary::default();
    let mut annotations = Vec::new();
    let mut ingresses = std::collections::BTreeSet::new();
    for item in &translation.items {
        summary.total += 1;
        *summary.verdicts.entry(item.verdict.as_str()).or_insert(0) += 1;
        let group = item
            .group
            .clone()
            .unwrap_or_else(|| "(not in the catalog)".into());
        *summary
            .groups
            .entry(group)
            .or_default()
            .entry(item.verdict.as_str())
            .or_insert(0) += 1;
        ingresses.insert(item.ingress);
        let (source, at) = objects.position(item.ingress.file, item.key_span);
        annotations.push(Entry {
            file: &source.name,
            line: at.line,
            column: at.column,
            object: LocatedRef::new(objects, item.ingress),
            annotation: &item.key,
            value: &item.value,
            source_controller: &item.source_controller,
            verdict: item.verdict,
            target_form: item.target_form.as_deref(),
            note: &item.note,
            group: item.group.as_deref(),
            did_you_mean: item.did_you_mean.as_deref(),
            paths: &item.paths,
            sources: &item.sources,
        });
    }
    for verdict in Verdict::ALL {
        summary.verdicts.entry(verdict.as_str()).or_insert(0);
    }
    summary.ingresses = ingresses.len();
    summary.carried_over = translation.carried.len();
    let carried_over = translation
        .carried
        .iter()
        .map(|c| CarriedEntry {
            object: LocatedRef::new(objects, c.ingress),
            annotation: &c.key,
            value: &c.value,
            note: &c.note,
        })
        .collect();
    Report {
        version: 1,
        target: &translation.target,
        from: &translation.from,
        summary,
        annotations,
        carried_over,
        other_controllers: &translation.other_controllers,
    }
}

pub fn json(
    objects: &Objects<'_>,
    translation: &Translation,
) -> Result<String, super::ReportError> {
    super::pretty_json(&report(objects, translation))
}

/// A CSV cell: quoted when needed, and a leading `=`, `+`, `-` or `@` neutralised with `'`,
/// so that a spreadsheet does not run an annotation value as a formula.
/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
fn formula_guarded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

pub fn csv(objects: &Objects<'_>, translation: &Translation) -> Result<String, ReportError> {
    let report = report(objects, translation);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "file",
        "line",
        "column",
        "namespace",
        "ingress",
        "annotation",
        "value",
        "source_controller",
        "target",
        "verdict",
        "target_form",
        "note",
    ])?;
    for e in &report.annotations {
        let fields = [
            e.file.to_string(),
            e.line.to_string(),
            e.column.to_string(),
            e.object.namespace.clone().unwrap_or_default(),
            e.object.name.clone(),
            e.annotation.to_string(),
            e.value.to_string(),
            e.source_controller.to_string(),
            report.target.to_string(),
            e.verdict.to_string(),
            e.target_form.unwrap_or_default().to_string(),
            e.note.to_string(),
        ];
        writer.write_record(fields.iter().map(|f| formula_guarded(f).into_owned()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ReportError::from(e.into_error()))?;
    String::from_utf8(bytes).map_err(|e| ReportError::from(std::io::Error::other(e)))
}

fn percent(part: usize, total: usize) -> String {
    if total == 0 {
        "0%".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / total as f64)
    }
}

/// Markdown table cell: pipes escaped, line breaks folded.
pub(crate) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A table cell as a code span: fenced with more backticks than the text holds in a row
/// (CommonMark), so a backtick in a value does not end the span.
pub(crate) fn code(text: &str) -> String {
    let text = cell(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

fn describe(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::None => "no equivalent",
        Verdict::Unknown => "not in the catalog",
        Verdict::Partial => "partial equivalent",
        Verdict::Crd => "needs a CRD / middleware / plugin object",
        Verdict::Exact => "exact equivalent",
    }
}

pub fn markdown(objects: &Objects<'_>, translation: &Translation) -> String {
    let report = report(objects, translation);
    let s = &report.summary;
    let mut out = format!(
        "# Annotation translation: {} → {}\n\n",
        report.from.join(", "),
        report.target
    );
    let _ = writeln!(
        out,
        "{} controller-specific annotation(s) on {} Ingress(es); {} controller-neutral annotation(s) carried over unchanged.\n",
        s.total, s.ingresses, s.carried_over
    );
    out.push_str("## Summary\n\n| verdict | count | share |\n|---|---:|---:|\n");
    for verdict in ORDER {
        let n = s.verdicts.get(verdict.as_str()).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| **{verdict}** ({}) | {n} | {} |",
            describe(verdict),
            percent(n, s.total)
        );
    }
    out.push_str("\n### By group\n\n| group | none | unknown | partial | crd | exact |\n|---|---:|---:|---:|---:|---:|\n");
    let mut groups: Vec<(&String, &BTreeMap<&str, usize>)> = s.groups.iter().collect();
    // Groups with the most blockers first.
    groups.sort_by_key(|(name, counts)| {
        let blockers =
            counts.get("none").copied().unwrap_or(0) + counts.get("unknown").copied().unwrap_or(0);
        (std::cmp::Reverse(blockers), (*name).clone())
    });
    for (name, counts) in groups {
        let n = |v: &str| counts.get(v).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} |",
            n("none"),
            n("unknown"),
            n("partial"),
            n("crd"),
            n("exact")
        );
    }
    if !report.other_controllers.is_empty() {
        let others: Vec<String> = report
            .other_controllers
            .iter()
            .map(|(c, n)| format!("{c} ×{n}"))
            .collect();
        let _ = writeln!(
            out,
            "\nNot translated (annotations of other controllers): {}.",
            others.join(", ")
        );
    }
    let blockers: Vec<&Entry<'_>> = report
        .annotations
        .iter()
        .filter(|e| matches!(e.verdict, Verdict::None | Verdict::Unknown))
        .collect();
    if !blockers.is_empty() {
        out.push_str(
            "\n## Blockers\n\n| Ingress | annotation | value | why |\n|---|---|---|---|\n",
        );
        for e in blockers {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                cell(&e.object.label()),
                e.annotation,
                code(e.value),
                cell(if e.note.is_empty() {
                    describe(e.verdict)
                } else {
                    e.note
                })
            );
        }
    }
    out.push_str("\n## Per Ingress\n");
    let mut current = None;
    for e in &report.annotations {
        let key = (&e.object.file, e.object.line, &e.object.name);
        if current != Some(key) {
            current = Some(key);
            let _ = writeln!(
                out,
                "\n### {} (`{}:{}`)\n",
                e.object.label(),
                e.object.file,
                e.object.line
            );
            out.push_str(
                "| annotation | value | verdict | target form | note |\n|---|---|---|---|---|\n",
            );
        }
        let mut parts = Vec::new();
        if e.paths.len() > 1 {
            let paths: Vec<String> = e
                .paths
                .iter()
                .map(|p| format!("{}: {}", p.name, p.verdict))
                .collect();
            parts.push(format!("{}.", paths.join("; ")));
        }
        if !e.note.is_empty() {
            parts.push(cell(e.note));
        }
        if let Some(source) = knowledge().target_source(e.sources, report.target) {
            parts.push(format!("([source]({source}))"));
        }
        let note = parts.join(" ");
        let _ = writeln!(
            out,
            "| `{}` | {} | **{}** | {} | {} |",
            e.annotation,
            code(e.value),
            e.verdict,
            e.target_form.map_or("—".into(), code),
            note
        );
    }
    if !report.carried_over.is_empty() {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &report.carried_over {
            *counts.entry(c.annotation).or_insert(0) += 1;
        }
        let list: Vec<String> = counts.iter().map(|(k, n)| format!("`{k}` ×{n}")).collect();
        let _ = writeln!(out, "\n## Carried over unchanged\n\n{}", list.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{code, formula_guarded};

    #[test]
    fn values_cannot_break_a_code_span_or_run_as_a_formula() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "`` x`y ``");
        assert_eq!(code("``"), "``` `` ```");
        let mut writer = csv::Writer::from_writer(Vec::new());
        let cells = ["=HYPERLINK(\"x\")", "-1", "plain"].map(|c| formula_guarded(c).into_owned());
        writer.write_record(&cells).unwrap();
        let row = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(row, "\"'=HYPERLINK(\"\"x\"\")\",'-1,plain\n");
    }
}
