//! `explain [RULE]`: a rule's documentation (its file's doc comment), or the list of rules.

use std::fmt::Write as _;

use super::UsageError;
use crate::rules::{find, registry};

pub fn explain(rule: Option<&str>) -> Result<String, UsageError> {
    match rule {
        Some(id) => {
            let rule = find(id).ok_or_else(|| {
                let ids: Vec<&str> = registry().iter().map(|r| r.info().id).collect();
                let closest = ids
                    .iter()
                    .min_by_key(|known| strsim::levenshtein(id, known));
                let hint = closest
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                UsageError(format!(
                    "unknown rule `{id}`{hint}; `ingress-lint explain` lists them"
                ))
            })?;
            let info = rule.info();
            Ok(format!(
                "{} (default severity: {})\n\n{}\n",
                info.id,
                info.default_severity.as_str(),
                info.doc()
            ))
        }
        None => {
            let mut out = String::new();
            let width = registry()
                .iter()
                .map(|r| r.info().id.len())
                .max()
                .unwrap_or(0);
            for rule in registry() {
                let info = rule.info();
                let _ = writeln!(
                    out,
                    "{:width$}  {:7}  {}",
                    info.id,
                    info.default_severity.as_str(),
                    info.summary()
                );
            }
            Ok(out)
        }
    }
}
