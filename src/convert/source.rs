//! One Ingress to convert, read once: its place, class, annotations (each with the catalog's
//! verdict for the target) and routing rules, in the shapes the targets' converters share.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use manifest::parse::PathStep;
use manifest::Span;

use super::{annotation_span, typed_ingress, Ledger, Outcome};
use crate::detect::{IngressEntry, Inventory, ObjectKey, Objects};
use crate::knowledge::sets::Verdict;
use crate::knowledge::{parse_bool, Knowledge, CLASS_ANNOTATION, NGINX};
use crate::translate::Item;

pub struct Source<'a> {
    pub key: ObjectKey,
    pub ingress: &'a Ingress,
    /// Its `metadata.name` node.
    span: Span,
    pub name: String,
    pub namespace: String,
    pub class: Option<String>,
    /// `file:line` of the Ingress, for the emitted objects' source annotation.
    pub origin: String,
    pub annotations: Vec<Annotation<'a>>,
    pub rules: Vec<Rule>,
    pub tls: Vec<Tls>,
    pub default_backend: Option<Backend>,
    /// custom-headers: the headers of the ConfigMap it names, or why they cannot be read.
    pub custom_headers: Option<Result<Vec<(String, String)>, String>>,
    /// The `default-backend` annotation's Service and its first port, when in the input.
    pub default_backend_service: Option<(String, Option<i32>)>,
    /// The source controller's ConfigMap settings (the defaults annotations override).
    globals: &'a BTreeMap<String, String>,
}

pub struct Annotation<'a> {
    pub key: String,
    pub value: String,
    pub span: Span,
    pub kind: AnnotationKind,
    /// `translate`'s item, for a key of the source controller.
    pub item: Option<&'a Item>,
    /// What becomes of an annotation ingress-nginx ignores (a value its parser refuses, an
    /// empty one, one that only works with another): [`Source::nginx`] does not return it.
    pub ignored: Option<Outcome>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnnotationKind {
    /// ingress-nginx's, with the key's suffix (`rewrite-target`).
    Source(String),
    /// `kubernetes.io/ingress.class`.
    Class,
    /// cert-manager's, ExternalDNS's, …: carried.
    Neutral(String),
    /// Another controller's: the source never read it.
    OtherController(String),
    /// Nobody's (`app.kubernetes.io/…`, tooling): carried.
    Plain,
}

impl Annotation<'_> {
    /// What an annotation no converter dealt with becomes: the catalog's reason.
    pub fn unconverted(&self) -> Outcome {
        match &self.kind {
            AnnotationKind::Source(_) => Outcome::NotTranslated(match self.item {
                Some(item) => catalog_reason(item),
                None => "not in the catalog".into(),
            }),
            AnnotationKind::OtherController(owner) => Outcome::NotTranslated(format!(
                "an annotation of {owner}, not of the source controller: not carried"
            )),
            AnnotationKind::Class => {
                Outcome::NotTranslated("the class annotation is not carried".into())
            }
            AnnotationKind::Neutral(owner) => Outcome::NotTranslated(format!(
                "{owner}'s annotation has no place on the target's objects"
            )),
            AnnotationKind::Plain => Outcome::NotTranslated("not carried".into()),
        }
    }
}

/// The catalog's word on a key it has no translation for here: its first path to the
/// target (Traefik's native one before its ingress-nginx provider, which is named after).
pub fn catalog_reason(item: &Item) -> String {
    let Some(path) = item.paths.first() else {
        return if item.note.is_empty() {
            "unknown key".into()
        } else {
            item.note.clone()
        };
    };
    let mut reason = match path.verdict {
        Verdict::None => "no equivalent on the target".to_string(),
        Verdict::Unknown => "unknown key".to_string(),
        Verdict::Crd => "needs the target's own objects, which convert does not write".to_string(),
        Verdict::Exact | Verdict::Partial => {
            format!(
                "the catalog's {} translation is not written by convert",
                path.verdict
            )
        }
    };
    if let Some(form) = &path.target_form {
        reason.push_str(&format!(" (catalog: {form})"));
    }
    if !path.note.is_empty() {
        reason.push_str(&format!("; {}", path.note));
    }
    for other in &item.paths[1..] {
        reason.push_str(&format!("; {}: {}", other.name, other.verdict));
    }
    reason
}

/// The catalog's verdict for the key on the target's first path.
pub fn verdict(item: &Item) -> Verdict {
    item.paths.first().map_or(item.verdict, |p| p.verdict)
}

/// permanent-redirect or temporal-redirect as ingress-nginx applies them: the temporal one
/// wins; a URL ending in `$request_uri` keeps the request's path.
pub struct Redirect<'s> {
    /// The annotation that applies.
    pub annotation: &'s Annotation<'s>,
    /// The URL without a trailing `$request_uri`.
    pub base: &'s str,
    pub keeps_path: bool,
    pub permanent: bool,
    /// The `*-redirect-code` annotation, when set.
    pub code: Option<&'s Annotation<'s>>,
    /// NGINX's code without it (301 permanent, 302 temporal).
    pub default_code: i64,
}

impl Redirect<'_> {
    /// The status code: the `*-redirect-code` annotation when the target takes it
    /// (recorded translated), else NGINX's default (the annotation recorded approximated).
    pub fn status_code(&self, ledger: &mut Ledger, takes: impl Fn(i64) -> bool, what: &str) -> i64 {
        let Some(code) = self.code else {
            return self.default_code;
        };
        match code.value.trim().parse::<i64>() {
            Ok(n) if takes(n) => {
                ledger.record(&code.key, Outcome::Translated);
                n
            }
            _ => {
                ledger.record(
                    &code.key,
                    Outcome::Approximated(format!(
                        "{} is not a code {what} takes: NGINX's default {} is written",
                        code.value.trim(),
                        self.default_code
                    )),
                );
                self.default_code
            }
        }
    }
}

pub struct Rule {
    pub index: usize,
    pub host: Option<String>,
    pub paths: Vec<HttpPath>,
}

pub struct HttpPath {
    /// `spec.rules[i].http.paths[j]`.
    pub at: String,
    pub span: Span,
    pub path: String,
    pub path_type: String,
    pub backend: Backend,
}

#[derive(Clone, Debug)]
pub enum Backend {
    Service {
        name: String,
        port: Port,
    },
    /// A `resource` backend: an object of another kind (`apiGroup` empty for the core).
    Resource {
        group: String,
        kind: String,
        name: String,
    },
    /// None: no Service to route to.
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Port {
    Number(i32),
    /// A named port, resolved through the Service when it is in the input.
    Name {
        name: String,
        number: Option<i32>,
    },
    Missing,
}

pub struct Tls {
    pub hosts: Vec<String>,
    pub secret: Option<String>,
}

impl<'a> Source<'a> {
    pub fn read(
        objects: &Objects<'a>,
        inventory: &Inventory,
        knowledge: &Knowledge,
        index: &'a Index<'a>,
        entry: &IngressEntry,
        items: Vec<&'a Item>,
    ) -> Option<Source<'a>> {
        let key = entry.key;
        let ingress = typed_ingress(objects, key)?;
        let namespace = objects.namespace(key).to_string();
        let (file, at) = objects.position(key.file, objects.name_span(key));
        let prefixes = inventory.nginx_prefixes();
        let annotations = ingress
            .metadata
            .annotations
            .iter()
            .flatten()
            .map(|(k, v)| {
                let item = items.iter().copied().find(|i| &i.key == k);
                let kind = if k == CLASS_ANNOTATION {
                    AnnotationKind::Class
                } else if let Some(neutral) = knowledge.neutral_annotations.owner(k) {
                    AnnotationKind::Neutral(neutral.owner.clone())
                } else {
                    match knowledge.owner(&prefixes, k) {
                        Some(owner) if owner == NGINX => AnnotationKind::Source(
                            k.split_once('/').map_or(k.as_str(), |(_, s)| s).to_string(),
                        ),
                        Some(owner) => AnnotationKind::OtherController(owner),
                        None => AnnotationKind::Plain,
                    }
                };
                let ignored = match &kind {
                    AnnotationKind::Source(suffix) => {
                        ignored(knowledge, ingress, &prefixes, suffix, v)
                    }
                    _ => None,
                };
                Annotation {
                    key: k.clone(),
                    value: v.clone(),
                    span: annotation_span(objects, key, k),
                    kind,
                    item,
                    ignored,
                }
            })
            .collect();
        let spec = ingress.spec.as_ref();
        let rules = spec
            .and_then(|s| s.rules.as_ref())
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, rule)| Rule {
                index: i,
                host: rule.host.clone().filter(|h| !h.is_empty()),
                paths: rule
                    .http
                    .iter()
                    .flat_map(|http| http.paths.iter().enumerate())
                    .map(|(j, p)| HttpPath {
                        at: format!("spec.rules[{i}].http.paths[{j}]"),
                        span: objects
                            .value_span(
                                key,
                                &[
                                    PathStep::Key("spec"),
                                    PathStep::Key("rules"),
                                    PathStep::Index(i),
                                    PathStep::Key("http"),
                                    PathStep::Key("paths"),
                                    PathStep::Index(j),
                                ],
                            )
                            .unwrap_or_default(),
                        path: p.path.clone().unwrap_or_else(|| "/".into()),
                        path_type: p.path_type.clone(),
                        backend: backend(&index.services, &namespace, &p.backend),
                    })
                    .collect(),
            })
            .collect();
        let tls = spec
            .and_then(|s| s.tls.as_ref())
            .into_iter()
            .flatten()
            .map(|t| Tls {
                hosts: t.hosts.clone().unwrap_or_default(),
                secret: t.secret_name.clone().filter(|s| !s.is_empty()),
            })
            .collect();
        let default_backend = spec
            .and_then(|s| s.default_backend.as_ref())
            .map(|b| backend(&index.services, &namespace, b));
        // An annotation of the source's own, under any of its prefixes.
        let own = |suffix: &str| {
            ingress
                .metadata
                .annotations
                .iter()
                .flatten()
                .find_map(|(k, v)| {
                    k.split_once('/')
                        .is_some_and(|(p, s)| s == suffix && prefixes.iter().any(|x| x == p))
                        .then_some(v)
                })
        };
        let custom_headers = own("custom-headers")
            .map(|v| custom_headers(objects, &index.config_maps, &namespace, v));
        let default_backend_service = own("default-backend").map(|v| {
            let name = v.trim().to_string();
            let port = index
                .services
                .get(&(namespace.as_str(), name.as_str()))
                .and_then(|s| s.spec.as_ref()?.ports.as_ref()?.first().map(|p| p.port));
            (name, port)
        });
        Some(Source {
            key,
            ingress,
            span: objects.name_span(key),
            name: objects.get(key).reference.name.clone(),
            namespace,
            class: entry.class.clone(),
            origin: format!("{}:{}", file.name, at.line),
            annotations,
            rules,
            tls,
            default_backend,
            custom_headers,
            default_backend_service,
            globals: &index.globals,
        })
    }

    /// Where a finding about the Ingress as a whole points.
    pub fn ingress_span(&self) -> Span {
        self.span
    }

    /// The source controller's annotation with this suffix (`ssl-redirect`), unless its
    /// value is one ingress-nginx ignores.
    pub fn nginx(&self, suffix: &str) -> Option<&Annotation<'a>> {
        self.annotations.iter().find(|a| {
            a.ignored.is_none() && matches!(&a.kind, AnnotationKind::Source(s) if s == suffix)
        })
    }

    pub fn value(&self, suffix: &str) -> Option<&str> {
        self.nginx(suffix).map(|a| a.value.trim())
    }

    /// Whether a switch is on, read as ingress-nginx reads it (Go's ParseBool).
    pub fn is_true(&self, suffix: &str) -> bool {
        self.value(suffix).and_then(parse_bool) == Some(true)
    }

    /// Whether the ConfigMap sets this key (so that an annotation's "false" may undo it).
    pub fn global_set(&self, key: &str) -> bool {
        self.globals.contains_key(key)
    }

    /// The source controller's ConfigMap value of a key, when the input has it.
    pub fn global(&self, key: &str) -> Option<&str> {
        self.globals.get(key).map(|v| v.trim())
    }

    /// Whether HTTP requests for the Ingress's TLS hosts redirect to HTTPS: its
    /// `ssl-redirect` / `force-ssl-redirect`, else the ConfigMap's, else ingress-nginx's
    /// default (`true`).
    pub fn redirects_to_https(&self) -> bool {
        let global = |key: &str| self.globals.get(key).map(|v| v.trim() == "true");
        let force = self
            .value("force-ssl-redirect")
            .map(|v| v == "true")
            .or_else(|| global("force-ssl-redirect"))
            .unwrap_or(false);
        let redirect = self
            .value("ssl-redirect")
            .map(|v| v != "false")
            .or_else(|| global("ssl-redirect"))
            .unwrap_or(true);
        force || redirect
    }

    /// The backend Services (`namespace/name`), sorted.
    pub fn backend_services(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| &r.paths)
            .map(|p| &p.backend)
            .chain(&self.default_backend)
            .filter_map(|b| match b {
                Backend::Service { name, .. } => Some(format!("{}/{name}", self.namespace)),
                Backend::Resource { .. } | Backend::Other => None,
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The redirect the Ingress answers with, if any. The losing permanent-redirect is
    /// recorded translated (NGINX ignores it too); a URL with other NGINX variables is
    /// recorded not translated, and none is returned.
    pub fn redirect(&self, ledger: &mut Ledger) -> Option<Redirect<'_>> {
        let (annotation, permanent) = match (
            self.nginx("temporal-redirect"),
            self.nginx("permanent-redirect"),
        ) {
            (Some(temporal), permanent) => {
                if let Some(p) = permanent {
                    ledger.record(&p.key, Outcome::Translated);
                }
                (temporal, false)
            }
            (None, Some(p)) => (p, true),
            (None, None) => return None,
        };
        let url = annotation.value.trim();
        let (base, keeps_path) = match url.strip_suffix("$request_uri") {
            Some(base) => (base, true),
            None => (url, false),
        };
        if base.contains('$') {
            ledger.record(
                &annotation.key,
                Outcome::NotTranslated(
                    "the URL uses NGINX variables other than a trailing $request_uri".into(),
                ),
            );
            return None;
        }
        let (code, default_code) = if permanent {
            (self.nginx("permanent-redirect-code"), 301)
        } else {
            (self.nginx("temporal-redirect-code"), 302)
        };
        Some(Redirect {
            annotation,
            base,
            keeps_path,
            permanent,
            code,
            default_code,
        })
    }

    /// The request headers these annotations set, as (header, value, annotation): each
    /// recorded translated; a value with NGINX variables, unless the target reads them too,
    /// recorded not translated and left out.
    pub fn request_headers(
        &self,
        ledger: &mut Ledger,
        annotations: &[(&str, &'static str)],
        variables_ok: bool,
    ) -> Vec<(&'static str, &str, &str)> {
        let mut headers = Vec::new();
        for &(suffix, header) in annotations {
            let Some(annotation) = self.nginx(suffix) else {
                continue;
            };
            let value = annotation.value.trim();
            if value.contains('$') && !variables_ok {
                ledger.record(
                    &annotation.key,
                    Outcome::NotTranslated("the value uses NGINX variables".into()),
                );
                continue;
            }
            ledger.record(&annotation.key, Outcome::Translated);
            headers.push((header, value, annotation.key.as_str()));
        }
        headers
    }

    /// custom-headers' headers, recorded approximated (or not translated, when the ConfigMap
    /// is not in the input): the caller writes them as the target sets response headers.
    pub fn response_headers(&self, ledger: &mut Ledger) -> Option<&[(String, String)]> {
        let key = self.key_of("custom-headers")?;
        match self.custom_headers.as_ref()? {
            Ok(headers) => {
                ledger.record(&key, Outcome::Approximated(
                    "the ConfigMap's headers written inline (a later change to the ConfigMap no longer applies); NGINX set only those its global-allowed-response-headers allowed".into(),
                ));
                Some(headers)
            }
            Err(why) => {
                ledger.record(&key, Outcome::NotTranslated(why.clone()));
                None
            }
        }
    }

    /// canary-weight and its total (canary-weight-total, default 100): the annotation, and
    /// the pair, the weight held within 0..=total, when the total is positive.
    pub fn canary_weight(&self) -> Option<(&Annotation<'a>, Option<(i64, i64)>)> {
        let weight = self.nginx("canary-weight")?;
        // NGINX falls back to 100 for a total it cannot read.
        let total = self
            .value("canary-weight-total")
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(100);
        // balancer.lua sends a request to the canary when `math.random(total) <= weight`:
        // a weight above the total takes every request, one below 1 none.
        let parsed = (total > 0).then_some(total).and_then(|total| {
            let w = weight.value.trim().parse::<i64>().ok()?;
            Some((w.clamp(0, total), total))
        });
        Some((weight, parsed))
    }

    /// The full key of a source annotation that is present.
    pub fn key_of(&self, suffix: &str) -> Option<String> {
        self.nginx(suffix).map(|a| a.key.clone())
    }

    /// Whether ingress-nginx reads the paths as regular expressions: `use-regex`, or
    /// `rewrite-target` which enforces it.
    pub fn regex_paths(&self) -> bool {
        self.is_true("use-regex") || self.nginx("rewrite-target").is_some()
    }

    /// Whether the Ingress is the canary twin of another.
    pub fn is_canary(&self) -> bool {
        self.is_true("canary")
    }

    /// The TLS secret of a host, when the Ingress terminates TLS for it.
    pub fn tls_for(&self, host: Option<&str>) -> Option<&Tls> {
        self.tls.iter().find(|t| match host {
            Some(host) => t.hosts.iter().any(|h| h == host),
            None => t.hosts.is_empty(),
        })
    }
}

/// Whether ingress-nginx ignores an annotation of its own, and what that makes of it: a value
/// its parser refuses keeps the default (not translated: nothing is written); an empty value
/// reads as unset; x-forwarded-prefix is set only with a rewrite (template.go
/// `buildProxyPass` returns before it without rewrite-target).
fn ignored(
    knowledge: &Knowledge,
    ingress: &Ingress,
    prefixes: &[String],
    suffix: &str,
    value: &str,
) -> Option<Outcome> {
    let value = value.trim();
    if value.is_empty() {
        return Some(Outcome::NoEffect(
            "empty: ingress-nginx reads it as unset and keeps its default".into(),
        ));
    }
    if let Some((message, _)) = knowledge
        .nginx_annotations
        .get(suffix)
        .and_then(|entry| entry.value_problem(value))
    {
        return Some(Outcome::NotTranslated(format!(
            "{message}: nothing is written"
        )));
    }
    if suffix == "x-forwarded-prefix" {
        let rewrite = ingress.metadata.annotations.iter().flatten().any(|(k, v)| {
            !v.trim().is_empty()
                && k.split_once('/')
                    .is_some_and(|(p, s)| s == "rewrite-target" && prefixes.iter().any(|x| x == p))
        });
        if !rewrite {
            return Some(Outcome::NoEffect(
                "ingress-nginx sets X-Forwarded-Prefix only with rewrite-target".into(),
            ));
        }
    }
    None
}

/// What reading an Ingress looks up in the rest of the input, built once.
pub struct Index<'a> {
    pub services: Services<'a>,
    pub config_maps: ConfigMaps<'a>,
    /// The source controller's ConfigMap settings.
    pub globals: BTreeMap<String, String>,
}

/// The input's Services by namespace and name.
pub type Services<'a> = HashMap<(&'a str, &'a str), &'a Service>;

/// The input's ConfigMaps by namespace and name.
pub type ConfigMaps<'a> = HashMap<(&'a str, &'a str), ObjectKey>;

pub fn config_maps<'a>(objects: &Objects<'a>) -> ConfigMaps<'a> {
    objects
        .iter()
        .filter(|(_, object)| object.reference.kind == "ConfigMap")
        .map(|(key, object)| {
            (
                (objects.namespace(key), object.reference.name.as_str()),
                key,
            )
        })
        .collect()
}

/// The `data` of the ConfigMap a `custom-headers` value names (`namespace/name`, or a name in
/// the Ingress's namespace).
fn custom_headers(
    objects: &Objects<'_>,
    config_maps: &ConfigMaps<'_>,
    namespace: &str,
    value: &str,
) -> Result<Vec<(String, String)>, String> {
    let value = value.trim();
    let (namespace, name) = value.split_once('/').unwrap_or((namespace, value));
    let key = config_maps.get(&(namespace, name)).ok_or_else(|| {
        format!("ConfigMap {namespace}/{name} is not in the input: copy its headers by hand")
    })?;
    let tree = &objects.files[key.file].tree;
    let object = objects.get(*key);
    let Some(data) = tree.lookup(object.node, &[PathStep::Key("data")]) else {
        return Ok(Vec::new());
    };
    Ok(tree
        .entries(data.value)
        .iter()
        .filter_map(|e| {
            Some((
                tree.scalar(e.key)?.to_string(),
                tree.scalar(e.value)?.to_string(),
            ))
        })
        .collect())
}

pub fn services<'a>(objects: &Objects<'a>) -> Services<'a> {
    objects
        .iter()
        .filter_map(|(key, object)| match &object.typed {
            manifest::TypedObject::Service(s) => {
                Some(((objects.namespace(key), s.metadata.name.as_deref()?), &**s))
            }
            _ => None,
        })
        .collect()
}

fn backend(services: &Services<'_>, namespace: &str, backend: &IngressBackend) -> Backend {
    let Some(service) = &backend.service else {
        return match &backend.resource {
            Some(resource) => Backend::Resource {
                group: resource.api_group.clone().unwrap_or_default(),
                kind: resource.kind.clone(),
                name: resource.name.clone(),
            },
            None => Backend::Other,
        };
    };
    let port = match &service.port {
        Some(port) => match (port.number, &port.name) {
            (Some(number), _) => Port::Number(number),
            (None, Some(name)) => Port::Name {
                name: name.clone(),
                number: services
                    .get(&(namespace, service.name.as_str()))
                    .and_then(|s| s.spec.as_ref()?.ports.as_ref())
                    .and_then(|ports| ports.iter().find(|p| p.name.as_deref() == Some(name)))
                    .map(|p| p.port),
            },
            (None, None) => Port::Missing,
        },
        None => Port::Missing,
    };
    Backend::Service {
        name: service.name.clone(),
        port,
    }
}
