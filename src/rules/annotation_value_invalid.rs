//! An ingress-nginx annotation whose value does not mean what it seems: not a boolean where
//! one is read, `60s` where whole seconds are read, a size nginx cannot parse, a redirect
//! code outside 300–308, a value outside the allowed set, an `app-root` of `/` (which redirects
//! `/` to itself), or a `rewrite-target` whose `$1` refers to a capture no path defines.
//!
//! ## Why
//! ingress-nginx does not reject such values: it logs and falls back to the default (a 301
//! instead of your 308, the 1m body limit instead of your `8mb`), or renders an empty capture
//! (`rewrite-target: /$2` on a path without groups sends every request to `/`). Converters
//! carry the broken value along. `rewrite-target` with captures also relies on ingress-nginx
//! treating paths as regular expressions implicitly; say it with `use-regex: "true"`, since
//! other controllers and ingress2gateway read the paths literally otherwise.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/proxy-body-size: 8mb          # nginx sizes: 8m
//!     nginx.ingress.kubernetes.io/proxy-read-timeout: 60s       # whole seconds: "60"
//!     nginx.ingress.kubernetes.io/permanent-redirect-code: "310"
//! ```
//!
//! ## Fix
//! Write the value in the form the help gives.
use k8s_openapi::api::networking::v1::Ingress;

use crate::detect::settings::parse_bool;
use crate::findings::Finding;

use super::context::NginxAnnotation;
use super::{rule_info, Context, Rule, RuleInfo};

pub struct AnnotationValueInvalid;

impl Rule for AnnotationValueInvalid {
    fn info(&self) -> RuleInfo {
        rule_info!(
            "annotation-value-invalid",
            Warning,
            "annotation_value_invalid.rs"
        )
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        let info = self.info();
        for NginxAnnotation {
            annotation: a,
            prefix,
            suffix,
        } in context.nginx_annotations()
        {
            let Some(entry) = context.knowledge.nginx_annotations.get(suffix) else {
                continue;
            };
            let manifest::TypedObject::Ingress(ingress) = &a.view.object.typed else {
                continue;
            };
            let problem = match suffix {
                "rewrite-target" => rewrite_problem(a.value, ingress, prefix),
                _ => entry.value_problem(a.value.trim()),
            };
            if let Some((message, help)) = problem {
                let span = a.view.value_span(&["metadata", "annotations", a.key]);
                out.push(
                    a.view
                        .finding(
                            &info,
                            span,
                            format!("{}: `{}`: {message}", a.view.reference(), a.key),
                        )
                        .help(help),
                );
            }
        }
    }
}

/// `$n` in the target needs n capture groups in a path, and paths read as regexes.
fn rewrite_problem(value: &str, ingress: &Ingress, prefix: &str) -> Option<(String, String)> {
    let highest = value
        .match_indices('$')
        .filter_map(|(i, _)| value[i + 1..].chars().next().and_then(|c| c.to_digit(10)))
        .max()?;
    let paths: Vec<&str> = ingress
        .spec
        .iter()
        .flat_map(|s| s.rules.iter().flatten())
        .flat_map(|r| r.http.iter().flat_map(|h| h.paths.iter()))
        .filter_map(|p| p.path.as_deref())
        .collect();
    // Capture groups as a regex parser counts them: `(?:…)` and `\(` are not groups. A path
    // the parser cannot read (PCRE-only syntax) leaves the count unknown: nothing reported.
    let mut groups = 0;
    for path in &paths {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(path)
            .ok()?;
        groups =
            groups.max(u32::try_from(hir.properties().explicit_captures_len()).unwrap_or(u32::MAX));
    }
    if groups < highest {
        return Some((
            format!("`{value}` uses ${highest}, but no path of this Ingress has {highest} capture group(s): the rewrite sends every request to the same place"),
            "capture the part to keep in the path, e.g. `path: /api(/|$)(.*)` with `rewrite-target: /$2`".into(),
        ));
    }
    let use_regex = ingress
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(&format!("{prefix}/use-regex")));
    if use_regex.is_some_and(|v| parse_bool(v) == Some(true)) {
        return None;
    }
    Some((
        format!("`{value}` uses capture groups, which work only because ingress-nginx treats the paths as regular expressions when rewrite-target is set"),
        format!("add `{prefix}/use-regex: \"true\"`: other controllers and ingress2gateway read the paths literally unless told"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ingress(path: &str) -> Ingress {
        let json = format!(
            r#"{{"metadata": {{"annotations": {{"nginx.ingress.kubernetes.io/use-regex": "true"}}}}, "spec": {{"rules": [{{"http": {{"paths": [{{"path": "{path}", "pathType": "ImplementationSpecific", "backend": {{}}}}]}}}}]}}}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn capture_groups_are_counted_by_a_regex_parser() {
        let prefix = "nginx.ingress.kubernetes.io";
        // Two real groups: `$2` is fine.
        assert!(rewrite_problem("/$2", &ingress("/api(/|$)(.*)"), prefix).is_none());
        // `(?:…)` does not capture: `$2` has nothing to refer to.
        assert!(rewrite_problem("/$2", &ingress("/api(?:/|$)(.*)"), prefix).is_some());
        // An escaped parenthesis is not a group.
        assert!(rewrite_problem("/$1", &ingress(r"/a\\(b"), prefix).is_some());
        // PCRE-only syntax the parser cannot read: unknown, nothing reported.
        assert!(rewrite_problem("/$1", &ingress("/(?<=a)b"), prefix).is_none());
    }
}
