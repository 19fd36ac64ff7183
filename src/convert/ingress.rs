//! Targets that read Ingresses (haproxy, kong, f5-nginx, and Traefik's Ingress half): the
//! Ingress again, with the target's class and, for each ingress-nginx annotation whose
//! catalog form on the target is an annotation key, that key with the value.

use manifest::TypedObject;

use super::source::{AnnotationKind, Source};
use super::yaml::{Map, Value};
use super::{metadata, Ledger, Outcome, Output, Request};
use crate::detect::Objects;
use crate::knowledge::sets::Verdict;
use crate::knowledge::Knowledge;
use crate::translate::is_annotation_key;

pub fn convert(
    objects: &Objects<'_>,
    knowledge: &Knowledge,
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    request: &Request<'_>,
    out: &mut Output<'_>,
) {
    let class = target_class(knowledge, request, out);
    for (source, ledger) in sources.iter().zip(ledgers.iter_mut()) {
        let ingress = ingress(objects, knowledge, source, ledger, request.target, &class);
        out.emit(Some(source.key.file), ingress);
    }
}

/// The target's IngressClass: `--class`, else the target controller's default (said in the
/// report, with a warning when it is the source's class too).
pub fn target_class(knowledge: &Knowledge, request: &Request<'_>, out: &mut Output<'_>) -> String {
    if let Some(class) = request.class {
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
        format!(", which is also {}'s default class: while both run, both would serve these Ingresses; pass --class", request.from)
    } else {
        String::new()
    };
    out.decide(format!(
        "IngressClass `{class}`: {}'s default class{clash}",
        request.target
    ));
    class
}

/// The Ingress for the target: same spec, the target's class, the annotations translated.
pub fn ingress(
    objects: &Objects<'_>,
    knowledge: &Knowledge,
    source: &Source<'_>,
    ledger: &mut Ledger,
    target: &str,
    class: &str,
) -> Map {
    let mut meta = metadata(&source.name, &source.namespace, &source.origin);
    let annotations = meta.map_mut("annotations");
    for a in &source.annotations {
        match &a.kind {
            AnnotationKind::Class => ledger.record(&a.key, Outcome::Translated),
            AnnotationKind::Neutral(_) | AnnotationKind::Plain => {
                if a.key != "kubectl.kubernetes.io/last-applied-configuration" {
                    annotations.set(&a.key, a.value.as_str());
                }
                ledger.record(&a.key, Outcome::Translated);
            }
            AnnotationKind::Source(suffix) => {
                let Some(equivalent) = knowledge
                    .nginx_annotations
                    .get(suffix)
                    .and_then(|entry| entry.targets.get(target))
                else {
                    continue;
                };
                if let Some(service_key) = equivalent
                    .form
                    .as_deref()
                    .and_then(|f| {
                        f.strip_prefix("Service annotation ")
                            .or_else(|| f.strip_prefix("Service "))
                    })
                    .filter(|_| matches!(equivalent.verdict, Verdict::Exact | Verdict::Partial))
                {
                    // The Service is not the Ingress's to rewrite: say where it goes.
                    let Some((key, value)) = key_and_value(service_key, &a.value) else {
                        // A description, not a key: the catalog's reason says it.
                        continue;
                    };
                    if !is_annotation_key(key) {
                        // A description, not a key: the catalog's reason says it.
                        continue;
                    }
                    ledger.record(
                        &a.key,
                        Outcome::NotTranslated(format!(
                            "a Service annotation on the target: add `{key}: \"{value}\"` to Service(s) {}",
                            source.backend_services().join(", ")
                        )),
                    );
                    continue;
                }
                // `key` takes the value; `key: value` fixes it.
                let Some((form, value)) = equivalent
                    .form
                    .as_deref()
                    .and_then(|f| key_and_value(f, &a.value))
                    .filter(|(key, _)| is_annotation_key(key))
                else {
                    continue;
                };
                let outcome = match equivalent.verdict {
                    Verdict::Exact => Outcome::Translated,
                    Verdict::Partial => Outcome::Approximated(
                        equivalent
                            .note
                            .clone()
                            .unwrap_or_else(|| "the catalog calls it partial".into()),
                    ),
                    _ => continue,
                };
                annotations.set(form, value);
                annotations.comment(form, format!("{}: {}", a.key, a.value));
                ledger.record(&a.key, outcome);
            }
            AnnotationKind::OtherController(_) => {}
        }
    }
    let mut spec = match &objects.get(source.key).typed {
        TypedObject::Ingress(ingress) => ingress
            .spec
            .as_ref()
            .and_then(|s| serde_json::to_value(s).ok())
            .map(from_json)
            .and_then(|v| match v {
                Value::Map(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default(),
        _ => Map::new(),
    };
    spec.set("ingressClassName", class);
    Map::new()
        .with("apiVersion", "networking.k8s.io/v1")
        .with("kind", "Ingress")
        .with("metadata", meta)
        .with("spec", spec)
}

/// A catalog form as an annotation: `key` takes the source's value, `key: "fixed"` (or a
/// plain `key: token`) fixes it; anything longer is a description.
fn key_and_value<'f>(form: &'f str, value: &'f str) -> Option<(&'f str, &'f str)> {
    match form.split_once(": ") {
        None => Some((form, value)),
        Some((key, fixed)) => {
            let quoted = fixed
                .strip_prefix('"')
                .and_then(|f| f.strip_suffix('"'))
                .filter(|f| !f.contains('"'));
            let token = (!fixed.contains([' ', '"'])).then_some(fixed);
            Some((key, quoted.or(token)?))
        }
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
            key_and_value("haproxy.org/auth-type: basic-auth", "basic"),
            Some(("haproxy.org/auth-type", "basic-auth"))
        );
        assert_eq!(
            key_and_value("nginx.org/path-regex: \"case_insensitive\"", "true"),
            Some(("nginx.org/path-regex", "case_insensitive"))
        );
        assert_eq!(
            key_and_value("haproxy.org/ssl-redirect", "true"),
            Some(("haproxy.org/ssl-redirect", "true"))
        );
        assert_eq!(
            key_and_value("konghq.com/protocols: \"https\" + ingress.kubernetes.io/force-ssl-redirect: \"true\"", "true"),
            None
        );
        assert_eq!(
            key_and_value("konghq.com/strip-path: true (or konghq.com/rewrite)", "x"),
            None
        );
    }
}
