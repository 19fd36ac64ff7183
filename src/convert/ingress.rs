//! The Ingress again for targets that read Ingresses (HAProxy, Kong, F5 NGINX, Traefik): the
//! target's class and, for each ingress-nginx annotation the target's own converter left
//! undecided whose catalog form is an annotation key, that key with the value.

use super::source::{AnnotationKind, Source};
use super::yaml::{Map, Value};
use super::{metadata, Ledger, Outcome, Output, Request};
use crate::knowledge::sets::Verdict;
use crate::knowledge::{IntUnit, Knowledge, ValueType};
use crate::translate::is_annotation_key;

/// The target's IngressClass: `--target-class`, else the target controller's default (said in the
/// report, with a warning when it is the source's class too).
pub fn target_class(knowledge: &Knowledge, request: &Request<'_>, out: &mut Output<'_>) -> String {
    say_names(request, out);
    if let Some(class) = request.target_class {
        return class.to_string();
    }
    let class = knowledge
        .controller(request.target)
        .and_then(|c| c.default_classes().into_iter().next())
        .unwrap_or_else(|| request.target.to_string());
    let source_classes = knowledge
        .controller(request.from)
        .map(|c| c.default_classes())
        .unwrap_or_default();
    let clash = if source_classes.contains(&class) {
        format!(", which is also {}'s default class: while both run, both would serve these Ingresses; pass --target-class", request.from)
    } else {
        String::new()
    };
    out.decide(format!(
        "IngressClass `{class}`: {}'s default class{clash}",
        request.target
    ));
    class
}

/// Says what applying Ingresses of the same names does.
fn say_names(request: &Request<'_>, out: &mut Output<'_>) {
    if request.name_suffix.is_none() {
        out.decide("the Ingresses keep their names: applied, they replace the source's and move each to the target at once; to run both side by side first (a DNS switchover), pass --name-suffix=-<target>".into());
    }
}

/// The Ingress for the target: same spec, the target's class, the annotations translated.
pub fn ingress(
    knowledge: &Knowledge,
    source: &Source<'_>,
    ledger: &mut Ledger,
    request: &Request<'_>,
    class: &str,
) -> Map {
    let target = request.target;
    let name = format!("{}{}", source.name, request.name_suffix.unwrap_or_default());
    let mut meta = metadata(&name, &source.namespace, &source.origin);
    let annotations = meta.map_mut("annotations");
    // Keys that only work with another one come after it, so that its outcome is known.
    let catalog = &knowledge.nginx_annotations;
    let requires = |a: &&super::source::Annotation<'_>| match &a.kind {
        AnnotationKind::Source(suffix) => catalog.get(suffix).and_then(|e| e.requires.clone()),
        _ => None,
    };
    let mut ordered: Vec<&super::source::Annotation<'_>> = source.annotations.iter().collect();
    ordered.sort_by_key(|a| requires(a).is_some());
    for a in ordered {
        if let Some(parent) = requires(&a) {
            if !ledger.has(&a.key) {
                match source.key_of(&parent) {
                    // NGINX ignores it alone; so does the target.
                    None => ledger.record(&a.key, Outcome::Translated),
                    Some(parent_key) => {
                        // Undecided by now: the parent ends with the catalog's reason.
                        if matches!(
                            ledger.outcome(&parent_key),
                            None | Some(Outcome::NotTranslated(_))
                        ) {
                            ledger.record(
                                &a.key,
                                Outcome::NotTranslated(format!(
                                    "goes with {parent}, which is not translated"
                                )),
                            );
                        }
                    }
                }
            }
        }
        match &a.kind {
            AnnotationKind::Class => ledger.record(&a.key, Outcome::Translated),
            AnnotationKind::Neutral(_) | AnnotationKind::Plain => {
                if a.key != "kubectl.kubernetes.io/last-applied-configuration" {
                    annotations.set(&a.key, a.value.as_str());
                }
                ledger.record(&a.key, Outcome::Translated);
            }
            // Decided by the target's own converter.
            AnnotationKind::Source(_) if ledger.has(&a.key) => {}
            AnnotationKind::Source(suffix) => {
                let Some(entry) = knowledge.nginx_annotations.get(suffix) else {
                    continue;
                };
                // Only an exact equivalent is written mechanically: a partial one differs in
                // meaning or value format, and the catalog's reason says how.
                let Some(form) = entry
                    .targets
                    .get(target)
                    .filter(|e| e.verdict == Verdict::Exact)
                    .and_then(|e| e.form.as_deref())
                else {
                    continue;
                };
                let (on_service, form) = match form
                    .strip_prefix("Service annotation ")
                    .or_else(|| form.strip_prefix("Service "))
                {
                    Some(rest) => (true, rest),
                    None => (false, form),
                };
                let Some((key, fixed)) = key_and_value(form).filter(|(k, _)| is_annotation_key(k))
                else {
                    continue;
                };
                let value = match fixed {
                    // A switch the target spells differently: written when it is on.
                    Some(_) if entry.value_type == ValueType::Bool && a.value.trim() != "true" => {
                        ledger.record(&a.key, Outcome::Translated);
                        continue;
                    }
                    Some(fixed) => fixed.to_string(),
                    None => match same_value(&entry.value_type, &a.value) {
                        Some(value) => value,
                        None => {
                            ledger.record(
                                &a.key,
                                Outcome::NotTranslated(format!(
                                    "`{key}` is the equivalent, but this value's format ({}) is not known to read the same there: write it by hand",
                                    describe(&entry.value_type)
                                )),
                            );
                            continue;
                        }
                    },
                };
                if on_service {
                    // The Service is not the Ingress's to rewrite: say where it goes.
                    ledger.record(
                        &a.key,
                        Outcome::NotTranslated(format!(
                            "a Service annotation on the target: add `{key}: \"{value}\"` to Service(s) {}",
                            source.backend_services().join(", ")
                        )),
                    );
                    continue;
                }
                annotations.set(key, value);
                annotations.comment(key, format!("{}: {}", a.key, a.value));
                ledger.record(&a.key, Outcome::Translated);
            }
            AnnotationKind::OtherController(_) => {}
        }
    }
    with_spec(source, meta, class)
}

/// The Ingress object: `metadata`, and the source's spec with the class set.
pub fn with_spec(source: &Source<'_>, meta: Map, class: &str) -> Map {
    let mut spec = source
        .ingress
        .spec
        .as_ref()
        .and_then(|s| serde_json::to_value(s).ok())
        .map(from_json)
        .and_then(|v| match v {
            Value::Map(m) => Some(m),
            _ => None,
        })
        .unwrap_or_default();
    spec.set("ingressClassName", class);
    Map::new()
        .with("apiVersion", "networking.k8s.io/v1")
        .with("kind", "Ingress")
        .with("metadata", meta)
        .with("spec", spec)
}

/// A catalog form as an annotation: `key` takes the source's value, `key: "fixed"` (or a
/// plain `key: token`) fixes it, `key (a remark)` carries the catalog's remark; anything
/// else is a description.
fn key_and_value(form: &str) -> Option<(&str, Option<&str>)> {
    let form = match form.split_once(" (") {
        Some((key, _)) if form.ends_with(')') && !key.contains(' ') => key,
        _ => form,
    };
    match form.split_once(": ") {
        None => Some((form, None)),
        Some((key, fixed)) => {
            let quoted = fixed
                .strip_prefix('"')
                .and_then(|f| f.strip_suffix('"'))
                .filter(|f| !f.contains('"'));
            let token = (!fixed.contains([' ', '"'])).then_some(fixed);
            Some((key, Some(quoted.or(token)?)))
        }
    }
}

/// The source's value as the target reads it, when its format is one both share: switches,
/// numbers, NGINX sizes, URLs, CIDR lists; seconds gain their unit (`30` → `30s`, which
/// HAProxy and F5 NGINX read as seconds, not milliseconds). Enumerations and strings are not
/// copied: the same key often takes another vocabulary there (`on` where F5 reads `True`,
/// a cookie mode where F5 reads a Service list), and NGINX syntax never is.
fn same_value(kind: &ValueType, value: &str) -> Option<String> {
    let value = value.trim();
    match kind {
        ValueType::Int(int) if int.unit == Some(IntUnit::Seconds) => {
            let seconds = value.trim_end_matches('s');
            seconds.parse::<u64>().ok().map(|n| format!("{n}s"))
        }
        ValueType::Bool
        | ValueType::Int(_)
        | ValueType::Size
        | ValueType::Url
        | ValueType::CidrList
            if !value.contains('$') =>
        {
            Some(value.to_string())
        }
        _ => None,
    }
}

/// How the catalog types a value, for a reason.
fn describe(kind: &ValueType) -> String {
    match kind {
        ValueType::Text(what) => what.clone(),
        ValueType::Regex => "a PCRE pattern".into(),
        ValueType::Enum(values) => format!("one of {}", values.join(", ")),
        ValueType::String => "a string".into(),
        _ => "NGINX variables".into(),
    }
}

/// A JSON value as an emitted value (numbers stay integers; objects keep their order).
fn from_json(value: serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Map(Map::new()),
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Str(n.to_string())),
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => Value::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(fields) => {
            let mut map = Map::new();
            for (k, v) in fields {
                if !v.is_null() {
                    map.set(&k, from_json(v));
                }
            }
            Value::Map(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_with_fixed_values_are_told_from_descriptions() {
        assert_eq!(
            key_and_value("haproxy.org/auth-type: basic-auth"),
            Some(("haproxy.org/auth-type", Some("basic-auth")))
        );
        assert_eq!(
            key_and_value("nginx.org/path-regex: \"case_insensitive\""),
            Some(("nginx.org/path-regex", Some("case_insensitive")))
        );
        assert_eq!(
            key_and_value("haproxy.org/ssl-redirect"),
            Some(("haproxy.org/ssl-redirect", None))
        );
        assert_eq!(
            key_and_value("konghq.com/protocols: \"https\" + ingress.kubernetes.io/force-ssl-redirect: \"true\""),
            None
        );
        assert_eq!(
            key_and_value("haproxy.org/ssl-redirect (+ haproxy.org/ssl-redirect-code)"),
            Some(("haproxy.org/ssl-redirect", None))
        );
    }

    #[test]
    fn values_are_copied_only_in_formats_both_read() {
        assert_eq!(
            same_value(
                &ValueType::Int(crate::knowledge::IntType {
                    unit: Some(IntUnit::Seconds),
                    ..Default::default()
                }),
                "30"
            ),
            Some("30s".into())
        );
        assert_eq!(same_value(&ValueType::Bool, "true"), Some("true".into()));
        assert_eq!(
            same_value(&ValueType::Text("raw nginx config".into()), "return 200;"),
            None
        );
        assert_eq!(same_value(&ValueType::Regex, "^/a"), None);
        assert_eq!(same_value(&ValueType::String, "cookie"), None);
        assert_eq!(same_value(&ValueType::Url, "https://$host/x"), None);
        assert_eq!(same_value(&ValueType::Size, "8m"), Some("8m".into()));
    }
}
