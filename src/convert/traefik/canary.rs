//! A canary Ingress on Traefik: an IngressRoute ahead of the main Ingress's router for the
//! canary's own paths — by weight through a TraefikService, by header or cookie in rules of
//! their own, checked in NGINX's order (header, cookie, weight).

use super::API;
use crate::convert::source::{Backend, HttpPath, Port, Source};
use crate::convert::yaml::{Map, Value};
use crate::convert::{derived_name, metadata, Ledger, Outcome, Output};

/// (namespace, host, path) → the main Ingress's backend and TLS secret: what a canary
/// splits traffic with.
pub type Mains<'s> =
    std::collections::BTreeMap<(String, String, String), (&'s Backend, Option<String>)>;

pub fn main_backends<'s>(sources: &'s [Source<'_>]) -> Mains<'s> {
    let mut mains = Mains::new();
    for source in sources.iter().filter(|s| !s.is_canary()) {
        for rule in &source.rules {
            let secret = source
                .tls_for(rule.host.as_deref())
                .and_then(|t| t.secret.clone());
            for path in &rule.paths {
                mains
                    .entry((
                        source.namespace.clone(),
                        rule.host.clone().unwrap_or_default(),
                        path.path.clone(),
                    ))
                    .or_insert((&path.backend, secret.clone()));
            }
        }
    }
    mains
}

/// host → the paths the main Ingresses serve on it (path, pathType).
pub type HostPaths = std::collections::BTreeMap<String, Vec<(String, String)>>;

pub fn host_paths(sources: &[Source<'_>]) -> HostPaths {
    let mut paths = HostPaths::new();
    for source in sources.iter().filter(|s| !s.is_canary()) {
        for rule in &source.rules {
            let host = paths
                .entry(rule.host.clone().unwrap_or_default())
                .or_default();
            for path in &rule.paths {
                host.push((path.path.clone(), path.path_type.clone()));
            }
        }
    }
    paths
}

/// The matcher of a canary's path: its host and path, less the host's longer paths that
/// other locations serve (NGINX sends those to their own backends, never to this canary).
fn canary_matcher(host: &str, path: &HttpPath, host_paths: &HostPaths) -> String {
    let mut matcher = if host.is_empty() {
        String::new()
    } else {
        format!("Host(`{host}`) && ")
    };
    if path.path_type == "Exact" {
        matcher.push_str(&format!("Path(`{}`)", path.path));
        return matcher;
    }
    matcher.push_str(&format!("PathPrefix(`{}`)", path.path));
    let mut excluded: Vec<&(String, String)> = host_paths
        .get(host)
        .into_iter()
        .flatten()
        .filter(|(other, _)| other.len() > path.path.len() && other.starts_with(&path.path))
        .collect();
    excluded.sort();
    excluded.dedup();
    for (other, kind) in excluded {
        let function = if kind == "Exact" {
            "Path"
        } else {
            "PathPrefix"
        };
        matcher.push_str(&format!(" && !{function}(`{other}`)"));
    }
    matcher
}

/// A canary Ingress: a plain Ingress cannot split traffic on Traefik, so an IngressRoute
/// (Traefik's Kubernetes CRD provider) takes its host and path ahead of the main Ingress's
/// router — by weight through a TraefikService, by header or cookie in a rule of its own.
/// (namespace, host, path) → the Middlewares of the main Ingress's router there.
pub type MainMiddlewares = std::collections::BTreeMap<(String, String, String), Vec<String>>;

pub fn convert(
    source: &Source<'_>,
    ledger: &mut Ledger,
    mains: &Mains<'_>,
    host_paths: &HostPaths,
    main_middlewares: &MainMiddlewares,
    out: &mut Output<'_>,
) {
    let canary_key = source.key_of("canary").unwrap_or_default();
    let mut routes = Vec::new();
    let mut objects = Vec::new();
    let mut tls: Option<String> = None;
    for rule in &source.rules {
        let host = rule.host.clone().unwrap_or_default();
        for path in &rule.paths {
            let Backend::Service {
                name: canary_service,
                port: canary_port,
            } = &path.backend
            else {
                continue;
            };
            let Some((
                Backend::Service {
                    name: main_service,
                    port: main_port,
                },
                secret,
            )) = mains.get(&(source.namespace.clone(), host.clone(), path.path.clone()))
            else {
                ledger.spec(
                    path.at.clone(),
                    path.path.clone(),
                    path.span,
                    Outcome::NotTranslated(format!(
                        "no main Ingress for host {} and path {} in the input to split traffic with",
                        if host.is_empty() { "*" } else { &host },
                        path.path
                    )),
                );
                continue;
            };
            tls = tls.or(secret.clone());
            let first_route = routes.len();
            let matcher = canary_matcher(&host, path, host_paths);
            let service = |name: &str, port: &Port| {
                let mut map = Map::new().with("name", name);
                match port {
                    Port::Number(n)
                    | Port::Name {
                        number: Some(n), ..
                    } => map.set("port", i64::from(*n)),
                    Port::Name {
                        name: port,
                        number: None,
                    } => map.set("port", port.as_str()),
                    Port::Missing => &mut map,
                };
                map
            };
            // Header and cookie rules first: NGINX checks them before the weight.
            if let Some(header) = source.nginx("canary-by-header") {
                let (matcher_kind, value) = match (
                    source.nginx("canary-by-header-value"),
                    source.nginx("canary-by-header-pattern"),
                ) {
                    (Some(v), _) => ("Header", v.value.trim().to_string()),
                    (None, Some(p)) => ("HeaderRegexp", p.value.trim().to_string()),
                    (None, None) => ("Header", "always".to_string()),
                };
                routes.push(route(
                    format!(
                        "{matcher} && {matcher_kind}(`{}`, `{value}`)",
                        header.value.trim()
                    ),
                    vec![Value::Map(service(canary_service, canary_port))],
                    &header.key,
                ));
                // "never" keeps a request on the main service, whatever cookie or weight say.
                let plain = source.nginx("canary-by-header-value").is_none()
                    && source.nginx("canary-by-header-pattern").is_none();
                if plain
                    && (source.nginx("canary-by-cookie").is_some()
                        || source.canary_weight().is_some())
                {
                    routes.push(route(
                        format!("{matcher} && Header(`{}`, `never`)", header.value.trim()),
                        vec![Value::Map(service(main_service, main_port))],
                        &header.key,
                    ));
                }
                for suffix in [
                    "canary-by-header",
                    "canary-by-header-value",
                    "canary-by-header-pattern",
                ] {
                    if let Some(key) = source.key_of(suffix) {
                        ledger.record(
                            &key,
                            if matcher_kind == "HeaderRegexp" && suffix != "canary-by-header" {
                                Outcome::Approximated(
                                    "HeaderRegexp uses Go RE2; NGINX used PCRE".into(),
                                )
                            } else {
                                Outcome::Translated
                            },
                        );
                    }
                }
            }
            if let Some(cookie) = source.nginx("canary-by-cookie") {
                let name = crate::convert::regex_escape(cookie.value.trim());
                routes.push(route(
                    format!("{matcher} && HeaderRegexp(`Cookie`, `(^|;\\s*){name}=always(;|$)`)"),
                    vec![Value::Map(service(canary_service, canary_port))],
                    &cookie.key,
                ));
                if source.canary_weight().is_some() {
                    routes.push(route(
                        format!(
                            "{matcher} && HeaderRegexp(`Cookie`, `(^|;\\s*){name}=never(;|$)`)"
                        ),
                        vec![Value::Map(service(main_service, main_port))],
                        &cookie.key,
                    ));
                }
                ledger.record(
                    &cookie.key,
                    Outcome::Approximated("a HeaderRegexp match on the Cookie header".into()),
                );
            }
            if let Some((weight, parsed)) = source.canary_weight() {
                match parsed {
                    Some((w, total)) => {
                        let split = derived_name(&source.name, "split");
                        let mut spec_service = Map::new();
                        spec_service.set(
                            "services",
                            vec![
                                Value::Map(
                                    service(main_service, main_port).with("weight", total - w),
                                ),
                                Value::Map(service(canary_service, canary_port).with("weight", w)),
                            ],
                        );
                        let mut spec = Map::new().with("weighted", spec_service);
                        spec.comment("weighted", format!("{}: {w} of {total}", weight.key));
                        objects.push(
                            Map::new()
                                .with("apiVersion", API)
                                .with("kind", "TraefikService")
                                .with(
                                    "metadata",
                                    metadata(&split, &source.namespace, &source.origin),
                                )
                                .with("spec", spec),
                        );
                        routes.push(route(
                            matcher.clone(),
                            vec![Value::Map(
                                Map::new()
                                    .with("name", split)
                                    .with("kind", "TraefikService"),
                            )],
                            &weight.key,
                        ));
                        ledger.record(&weight.key, Outcome::Translated);
                        if let Some(key) = source.key_of("canary-weight-total") {
                            ledger.record(&key, Outcome::Translated);
                        }
                    }
                    None => ledger.record(
                        &weight.key,
                        Outcome::NotTranslated(
                            "not a weight between 0 and canary-weight-total".into(),
                        ),
                    ),
                }
            }
            // A canary takes the main Ingress's annotations (NGINX ignores its own but the
            // canary-* ones): its routes go through the main router's Middlewares.
            let key = (source.namespace.clone(), host.clone(), path.path.clone());
            if let Some(names) = main_middlewares.get(&key).filter(|n| !n.is_empty()) {
                let references: Vec<Value> = names
                    .iter()
                    .map(|n| Value::Map(Map::new().with("name", n.as_str())))
                    .collect();
                for route in &mut routes[first_route..] {
                    if let Value::Map(route) = route {
                        route.set("middlewares", references.clone());
                    }
                }
            }
        }
    }
    if routes.is_empty() {
        ledger.record(
            &canary_key,
            Outcome::NotTranslated("no main route to split traffic with".into()),
        );
        return;
    }
    let mut spec = Map::new().with("routes", routes);
    if let Some(secret) = tls {
        spec.set("tls", Map::new().with("secretName", secret));
    }
    out.emit(
        Some(source.key.file),
        Map::new()
            .with("apiVersion", API)
            .with("kind", "IngressRoute")
            .with(
                "metadata",
                metadata(&source.name, &source.namespace, &source.origin),
            )
            .with("spec", spec),
    );
    for object in objects {
        out.emit(Some(source.key.file), object);
    }
    ledger.record(&canary_key, Outcome::Approximated(
        "an IngressRoute (Traefik's Kubernetes CRD provider must be on) placed ahead of the main Ingress's router by priority".into(),
    ));
}

/// One IngressRoute route, ahead of the routers Traefik makes from Ingresses (their
/// priority is their rule's length).
fn route(matcher: String, services: Vec<Value>, from: &str) -> Value {
    // NGINX checks the header, then the cookie, then the weight.
    let priority = if matcher.contains("(`Cookie`") {
        10_001
    } else if matcher.contains("Header") {
        10_002
    } else {
        10_000
    };
    let mut route = Map::new()
        .with("kind", "Rule")
        .with("match", matcher)
        .with("priority", priority)
        .with("services", services);
    route.comment("match", from.to_string());
    Value::Map(route)
}
