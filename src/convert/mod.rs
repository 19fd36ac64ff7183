//! Convert stage: the target's manifests for every Ingress the source controller serves,
//! and a ledger in which every annotation of those Ingresses ends translated, approximated
//! or not translated — never dropped. What a target cannot express comes from the same
//! catalog `translate` reads, so the two agree.

mod annotated;
mod cors;
mod gateway;
mod ingress;
mod policies;
mod select;
pub mod settings;
mod source;
mod traefik;
mod traefik_nginx;
mod values;
mod virtual_server;
pub mod yaml;

use std::collections::{BTreeMap, HashMap};

use manifest::parse::PathStep;
use manifest::{Span, TypedObject};

use crate::detect::{Inventory, ObjectKey, Objects};
use crate::knowledge::sets::Verdict;
use crate::knowledge::Knowledge;
use crate::translate::{Item, Translation};
pub use select::{LeftOut, Selection};
pub use source::Source;
pub use values::Fragment;
use yaml::Map;

/// The annotation on every emitted object naming the source it came from (`file:line`).
pub const SOURCE_ANNOTATION: &str = "ingress-lint.io/source";

/// The targets `convert` writes manifests for.
pub const TARGETS: [&str; 5] = ["gateway-api", "traefik", "haproxy", "kong", "f5-nginx"];

pub struct Request<'a> {
    pub target: &'a str,
    pub from: &'a str,
    /// The source classes to convert (`--class`); empty: those the source serves.
    pub classes: &'a [String],
    /// Convert class-less Ingresses too (`--classless`).
    pub classless: bool,
    /// The target's class: the IngressClass of the emitted Ingresses, or the GatewayClass
    /// of the emitted Gateways.
    pub target_class: Option<&'a str>,
    /// Traefik only: keep the ingress-nginx annotations for Traefik's ingress-nginx provider.
    pub via_nginx_provider: bool,
    /// Gateway API only: the implementation whose policies carry what the standard channel
    /// cannot.
    pub implementation: Option<&'a crate::knowledge::implementations::Implementation>,
    /// Appended to the names of the emitted Ingresses, so that they run beside the source's
    /// instead of replacing them.
    pub name_suffix: Option<&'a str>,
}

/// What became of one annotation (or one part of an Ingress's spec).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Translated,
    /// Nothing to write: in NGINX the annotation changes nothing (why).
    NoEffect(String),
    /// Emitted, but it behaves differently: how.
    Approximated(String),
    /// Not emitted: why.
    NotTranslated(String),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Translated => "translated",
            Outcome::NoEffect(_) => "no effect",
            Outcome::Approximated(_) => "approximated",
            Outcome::NotTranslated(_) => "not translated",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Outcome::Translated => "",
            Outcome::Approximated(how) | Outcome::NotTranslated(how) | Outcome::NoEffect(how) => {
                how
            }
        }
    }
}

/// One line of the conversion report.
#[derive(Clone, Debug)]
pub struct Entry {
    pub ingress: ObjectKey,
    /// The annotation key, or the spec path (`spec.rules[0].http.paths[1].backend`).
    pub key: String,
    pub value: String,
    pub span: Span,
    pub outcome: Outcome,
    /// The catalog's verdict for the key on this target, when it is an annotation.
    pub verdict: Option<Verdict>,
}

/// An emitted object and the source file it goes with (`None`: shared, like a Gateway).
#[derive(Clone, Debug)]
pub struct Emitted {
    pub file: Option<usize>,
    pub object: Map,
}

impl Emitted {
    fn identity(&self) -> (String, String, String) {
        let text = |map: &Map, key: &str| match map.get(key) {
            Some(yaml::Value::Str(s)) => s.clone(),
            _ => String::new(),
        };
        let metadata = match self.object.get("metadata") {
            Some(yaml::Value::Map(m)) => m.clone(),
            _ => Map::new(),
        };
        (
            text(&self.object, "kind"),
            text(&metadata, "namespace"),
            text(&metadata, "name"),
        )
    }
}

#[derive(Debug)]
pub struct Conversion {
    pub target: String,
    pub from: String,
    pub selection: Selection,
    pub ingresses: Vec<ObjectKey>,
    /// The other Ingresses of the input, each with the reason it is not converted.
    pub left_out: Vec<LeftOut>,
    pub objects: Vec<Emitted>,
    pub entries: Vec<Entry>,
    /// The source controller's global settings, for the target's global configuration.
    pub settings: Vec<settings::Setting>,
    /// Choices the input could not make (a default class name, a Gateway's namespace).
    pub decisions: Vec<String>,
    /// The values to set in the releases whose values define converted Ingresses.
    pub values: Vec<values::Fragment>,
}

impl Conversion {
    /// Whether anything could not be translated, or an Ingress that may be the source's
    /// was left out (the exit code says so).
    pub fn incomplete(&self) -> bool {
        self.left_out.iter().any(|l| l.unsure)
            || self
                .entries
                .iter()
                .map(|e| &e.outcome)
                .chain(self.settings.iter().map(|s| &s.outcome))
                .any(|o| matches!(o, Outcome::NotTranslated(_)))
    }
}

/// Converts the Ingresses the source serves. `translation` is `translate`'s result for the
/// same target and source.
pub fn convert(
    objects: &Objects<'_>,
    inventory: &Inventory,
    knowledge: &Knowledge,
    translation: &Translation,
    request: &Request<'_>,
) -> Conversion {
    let (selection, selected, left_out) = select::select(objects, inventory, knowledge, request);
    let mut items: HashMap<ObjectKey, Vec<&Item>> = HashMap::new();
    for item in &translation.items {
        items.entry(item.ingress).or_default().push(item);
    }
    let (settings, globals) = settings::read(objects, inventory, knowledge, request.target);
    let index = source::Index {
        services: source::services(objects),
        config_maps: source::config_maps(objects),
        globals,
    };
    let sources: Vec<Source<'_>> = selected
        .iter()
        .filter_map(|entry| {
            Source::read(
                objects,
                inventory,
                knowledge,
                &index,
                entry,
                items.remove(&entry.key).unwrap_or_default(),
            )
        })
        .collect();
    let ingresses = selected.iter().map(|e| e.key).collect();
    let mut conversion = Conversion {
        target: request.target.to_string(),
        from: request.from.to_string(),
        selection,
        ingresses,
        left_out,
        objects: Vec::new(),
        entries: Vec::new(),
        settings,
        decisions: Vec::new(),
        values: Vec::new(),
    };
    if sources.is_empty() {
        // Nothing converted: the report says only that, and why each Ingress was left out.
        conversion.settings.clear();
        return conversion;
    }
    let mut ledgers: Vec<Ledger> = sources
        .iter()
        .map(|source| ignored_by_nginx(knowledge, source))
        .collect();
    let mut out = Output {
        objects: &mut conversion.objects,
        decisions: &mut conversion.decisions,
    };
    match request.target {
        "gateway-api" => gateway::convert(
            &Context {
                objects,
                inventory,
                knowledge,
                request,
            },
            &sources,
            &mut ledgers,
            &mut out,
        ),
        "traefik" if request.via_nginx_provider => {
            traefik_nginx::convert(knowledge, &sources, &mut ledgers, request, &mut out)
        }
        "traefik" => traefik::convert(knowledge, &sources, &mut ledgers, request, &mut out),
        _ => annotated::convert(knowledge, &sources, &mut ledgers, request, &mut out),
    }
    for (source, ledger) in sources.iter().zip(ledgers) {
        conversion.entries.extend(ledger.close(source));
    }
    // The report reads in input order: file, then position.
    conversion
        .entries
        .sort_by_key(|e| (e.ingress.file, e.ingress.index, e.span.start));
    dedup(&mut conversion.objects);
    let mut decisions = Vec::new();
    conversion.values = values::fragments(
        objects,
        &sources,
        &mut conversion.objects,
        request.name_suffix.is_some(),
        &mut decisions,
    );
    for decision in decisions {
        if !conversion.decisions.contains(&decision) {
            conversion.decisions.push(decision);
        }
    }
    conversion
}

/// What a converter reads besides the Ingresses.
pub struct Context<'c, 'o> {
    pub objects: &'c Objects<'o>,
    pub inventory: &'c Inventory,
    pub knowledge: &'c Knowledge,
    pub request: &'c Request<'c>,
}

/// Where a target's converter writes.
pub struct Output<'o> {
    pub objects: &'o mut Vec<Emitted>,
    pub decisions: &'o mut Vec<String>,
}

impl Output<'_> {
    fn emit(&mut self, file: Option<usize>, object: Map) {
        self.objects.push(Emitted { file, object });
    }

    fn decide(&mut self, decision: String) {
        if !self.decisions.contains(&decision) {
            self.decisions.push(decision);
        }
    }
}

/// One object per kind/namespace/name and file: a Kustomize base built by two overlays into
/// the same namespace yields the same objects twice.
fn dedup(objects: &mut Vec<Emitted>) {
    let mut seen = std::collections::HashSet::new();
    objects.retain(|o| seen.insert((o.file, o.identity())));
}

/// The outcome of each annotation of one Ingress, and of the parts of its spec that did not
/// carry over.
#[derive(Default)]
pub struct Ledger {
    outcomes: BTreeMap<String, Outcome>,
    spec: Vec<(String, String, Span, Outcome)>,
}

impl Ledger {
    /// Records what became of an annotation (by its full key). The first word stands,
    /// except that a translation is downgraded by a later approximation or failure; what
    /// NGINX ignores (no effect, an invalid value) is decided before any target.
    pub fn record(&mut self, key: &str, outcome: Outcome) {
        match self.outcomes.get(key) {
            Some(Outcome::NotTranslated(_) | Outcome::NoEffect(_)) => {}
            Some(Outcome::Approximated(_)) if outcome == Outcome::Translated => {}
            _ => {
                self.outcomes.insert(key.to_string(), outcome);
            }
        }
    }

    /// Whether a target's own converter already decided the annotation.
    pub fn has(&self, key: &str) -> bool {
        self.outcomes.contains_key(key)
    }

    /// What became of an annotation so far.
    pub fn outcome(&self, key: &str) -> Option<&Outcome> {
        self.outcomes.get(key)
    }

    /// Records a part of the spec that did not carry over as it is.
    pub fn spec(&mut self, path: String, value: String, span: Span, outcome: Outcome) {
        self.spec.push((path, value, span, outcome));
    }

    fn close(mut self, source: &Source<'_>) -> Vec<Entry> {
        let mut entries = Vec::new();
        for annotation in &source.annotations {
            let outcome = self
                .outcomes
                .remove(&annotation.key)
                .unwrap_or_else(|| annotation.unconverted());
            entries.push(Entry {
                ingress: source.key,
                key: annotation.key.clone(),
                value: annotation.value.clone(),
                span: annotation.span,
                outcome,
                verdict: annotation.item.map(source::verdict),
            });
        }
        for (key, value, span, outcome) in self.spec {
            entries.push(Entry {
                ingress: source.key,
                key,
                value,
                span,
                outcome,
                verdict: None,
            });
        }
        entries
    }
}

/// The ledger of an Ingress, opened with what NGINX ignores whatever the target: values it
/// cannot parse (it keeps its default), a canary's annotations other than its own (it
/// takes the main Ingress's), and switches set to the default they cannot change.
fn ignored_by_nginx(knowledge: &Knowledge, source: &Source<'_>) -> Ledger {
    // ingress-nginx's docs (annotations.md, Canary): "all the other non-canary annotations
    // will be ignored (inherited from the corresponding main ingress) except load-balance,
    // upstream-hash-by, and annotations related to session affinity".
    const CANARY_OWN: [&str; 5] = [
        "canary",
        "load-balance",
        "upstream-hash-by",
        "affinity",
        "session-cookie-",
    ];
    let mut ledger = Ledger::default();
    let canary = source.is_true("canary");
    for a in &source.annotations {
        let source::AnnotationKind::Source(suffix) = &a.kind else {
            continue;
        };
        if let Some(outcome) = &a.ignored {
            ledger.record(&a.key, outcome.clone());
            continue;
        }
        let own = CANARY_OWN.iter().any(|p| suffix.starts_with(p));
        if canary && !own {
            ledger.record(
                &a.key,
                Outcome::NoEffect(
                    "a canary Ingress takes the main Ingress's annotations: NGINX ignores this one"
                        .into(),
                ),
            );
            continue;
        }
        if !canary && suffix.starts_with("canary") {
            ledger.record(
                &a.key,
                Outcome::NoEffect("the Ingress is not a canary (canary is not \"true\")".into()),
            );
            continue;
        }
        let Some(entry) = knowledge.nginx_annotations.get(suffix) else {
            continue;
        };
        let off = entry.value_type == crate::knowledge::ValueType::Bool
            && entry.default.trim_matches('"') == "false"
            && crate::knowledge::parse_bool(a.value.trim()) == Some(false);
        if off && !source.global_set(suffix) {
            ledger.record(
                &a.key,
                Outcome::NoEffect(
                    "\"false\" is ingress-nginx's default: the switch is off either way".into(),
                ),
            );
        }
    }
    ledger
}

/// `metadata` of an emitted object: name, namespace, and the source annotation.
fn metadata(name: &str, namespace: &str, source: &str) -> Map {
    let mut annotations = Map::new();
    annotations.set(SOURCE_ANNOTATION, source);
    Map::new()
        .with("name", name)
        .with("namespace", namespace)
        .with("annotations", annotations)
}

/// The span of an Ingress's annotation key.
fn annotation_span(objects: &Objects<'_>, key: ObjectKey, annotation: &str) -> Span {
    objects
        .key_span(
            key,
            &[
                PathStep::Key("metadata"),
                PathStep::Key("annotations"),
                PathStep::Key(annotation),
            ],
        )
        .unwrap_or_default()
}

/// `a, b,c` as a list of its non-empty, trimmed items.
fn comma_list(text: &str) -> Vec<yaml::Value> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(yaml::Value::from)
        .collect()
}

/// A name made of `base` and a suffix, cut to Kubernetes' 253 characters.
fn derived_name(base: &str, suffix: &str) -> String {
    let mut name = if suffix.is_empty() {
        base.to_string()
    } else {
        format!("{base}-{suffix}")
    };
    name.truncate(253);
    name.trim_end_matches(['-', '.']).to_string()
}

/// A host as a DNS-label-safe slug (`*.example.com` → `wildcard-example-com`).
fn slug(host: &str) -> String {
    let slug: String = host
        .replace('*', "wildcard")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    slug.trim_matches('-').to_string()
}

/// `8m` → 8388608; NGINX sizes are bytes, k, m or g (binary).
pub(crate) fn nginx_size_bytes(text: &str) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let (digits, factor) = match lower.chars().last()? {
        'k' => (&lower[..lower.len() - 1], 1024),
        'm' => (&lower[..lower.len() - 1], 1024 * 1024),
        'g' => (&lower[..lower.len() - 1], 1024 * 1024 * 1024),
        _ => (lower.as_str(), 1),
    };
    digits.parse::<i64>().ok()?.checked_mul(factor)
}

/// Text as a regular expression matching it literally.
pub(crate) fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = "\\.+*?()|[]{}^$".contains(c);
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

fn typed_ingress<'a>(
    objects: &Objects<'a>,
    key: ObjectKey,
) -> Option<&'a k8s_openapi::api::networking::v1::Ingress> {
    match &objects.get(key).typed {
        TypedObject::Ingress(ingress) => Some(ingress),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_not_overwritten_by_a_later_success() {
        let mut ledger = Ledger::default();
        ledger.record("k", Outcome::Translated);
        ledger.record("k", Outcome::Approximated("differs".into()));
        ledger.record("k", Outcome::Translated);
        assert_eq!(
            ledger.outcomes["k"],
            Outcome::Approximated("differs".into())
        );
        ledger.record("k", Outcome::NotTranslated("no".into()));
        ledger.record("k", Outcome::Approximated("x".into()));
        assert_eq!(ledger.outcomes["k"], Outcome::NotTranslated("no".into()));
    }

    #[test]
    fn slugs_and_names_are_dns_safe() {
        assert_eq!(slug("*.Example.com"), "wildcard-example-com");
        assert_eq!(derived_name("web", "a-example-com"), "web-a-example-com");
        assert_eq!(derived_name(&"x".repeat(300), "y").len(), 253);
    }
}
