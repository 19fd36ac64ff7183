//! `convert --to gateway-api`: a Gateway per source class (an HTTP listener, an HTTPS
//! listener per TLS host, a passthrough listener per ssl-passthrough host), an HTTPRoute per
//! Ingress and host (a GRPCRoute for gRPC backends, a TLSRoute for passthrough), redirect
//! routes on the HTTP listener, canaries folded into their main route, BackendTLSPolicies
//! for HTTPS backends. Kinds and versions: Gateway API v1.6.1, standard channel.

use std::collections::BTreeMap;

use super::cors::{self, Cors};
use super::source::{Backend, HttpPath, Port, Rule, Source};
use super::yaml::{Map, Value};
use super::{derived_name, metadata, regex_escape, slug, Context, Ledger, Outcome, Output};
use crate::detect::{Inventory, Objects};
use crate::knowledge::{Knowledge, NGINX};

const API: &str = "gateway.networking.k8s.io/v1";
const GROUP: &str = "gateway.networking.k8s.io";
/// The status codes RequestRedirect accepts (HTTPRoute v1 CRD, `statusCode` enum).
const REDIRECT_CODES: [i64; 5] = [301, 302, 303, 307, 308];
/// ingress-nginx's `http-redirect-code` default: the code of its HTTP→HTTPS and www
/// redirects (docs/user-guide/nginx-configuration/configmap.md).
const NGINX_REDIRECT_CODE: i64 = 308;

/// One Gateway: its listeners by name.
struct Gateway {
    name: String,
    /// `file:line` of the first Ingress of the class.
    origin: String,
    class: String,
    listeners: BTreeMap<String, Map>,
    /// Secrets in another namespace than the Gateway's: namespace → names.
    foreign_secrets: BTreeMap<String, Vec<String>>,
}

/// A route being built: rules stay open until canaries are folded in.
struct Route {
    file: usize,
    kind: &'static str,
    name: String,
    namespace: String,
    origin: String,
    hostnames: Vec<String>,
    parent: Map,
    rules: Vec<Map>,
    annotations: Vec<(String, String)>,
}

pub fn convert(
    context: &Context<'_, '_>,
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    out: &mut Output<'_>,
) {
    let Context {
        objects,
        inventory,
        knowledge,
        request,
    } = *context;
    let gateway_namespace = gateway_namespace(objects, inventory, out);
    let mut gateways: BTreeMap<String, Gateway> = BTreeMap::new();
    let mut routes: Vec<Route> = Vec::new();
    // (namespace, host, path) → (route, rule): where a canary finds its main backend.
    let mut mains: BTreeMap<(String, String, String), (usize, usize)> = BTreeMap::new();
    let tls_hosts = tls_hosts(sources, knowledge, request.from);
    let regex_hosts = regex_hosts(sources, knowledge, request.from);
    // (namespace, hostnames) → the route on the HTTP listener redirecting to HTTPS.
    let mut http_redirects: BTreeMap<(String, Vec<String>), Route> = BTreeMap::new();
    let order = (0..sources.len())
        .filter(|&i| !sources[i].is_canary())
        .chain((0..sources.len()).filter(|&i| sources[i].is_canary()));
    for i in order {
        let source = &sources[i];
        let ledger = &mut ledgers[i];
        let source_class = gateway_class_of(source, knowledge, request.from);
        let gateway = gateways.entry(source_class.clone()).or_insert_with(|| {
            let class = match request.target_class {
                Some(class) => class.to_string(),
                None => {
                    out.decide(format!(
                        "Gateway `{}`: gatewayClassName `{source_class}` (the source class); pass --target-class with your implementation's GatewayClass",
                        slug(&source_class)
                    ));
                    source_class.clone()
                }
            };
            let mut gateway = Gateway {
                name: slug(&source_class),
                origin: source.origin.clone(),
                class,
                listeners: BTreeMap::new(),
                foreign_secrets: BTreeMap::new(),
            };
            gateway.listener("http", Map::new().with("protocol", "HTTP").with("port", 80));
            gateway
        });
        carry_class(source, ledger);
        if source.is_canary() {
            fold_canary(source, ledger, &mut routes, &mains);
            continue;
        }
        if source.is_true("ssl-passthrough") {
            passthrough(source, ledger, gateway, &gateway_namespace, &mut routes);
            continue;
        }
        let parent = Map::new()
            .with("group", GROUP)
            .with("kind", "Gateway")
            .with("name", gateway.name.as_str())
            .with("namespace", gateway_namespace.as_str());
        let grpc = grpc_backend(source, ledger);
        let hosts = host_groups(source);
        let several = hosts.len() > 1;
        for (host, rules) in hosts {
            if let Some(invalid) = host.as_deref().filter(|h| !valid_hostname(h)) {
                ledger.spec(
                    format!("spec.rules[{}].host", rules[0].index),
                    invalid.to_string(),
                    source.ingress_span(),
                    Outcome::NotTranslated("not a valid hostname (a template placeholder?): no route is written for it".into()),
                );
                continue;
            }
            let name = if several {
                derived_name(&source.name, &slug(host.as_deref().unwrap_or("any-host")))
            } else {
                source.name.clone()
            };
            let mut route = Route {
                file: source.key.file,
                kind: if grpc { "GRPCRoute" } else { "HTTPRoute" },
                name: name.clone(),
                namespace: source.namespace.clone(),
                origin: source.origin.clone(),
                hostnames: host.iter().cloned().collect(),
                parent: parent.clone(),
                rules: Vec::new(),
                annotations: carried(source, ledger),
            };
            if let Some(aliases) = source.nginx("server-alias") {
                route.hostnames.extend(
                    aliases
                        .value
                        .split([',', ' '])
                        .filter(|a| valid_hostname(a))
                        .map(str::to_string),
                );
                ledger.record(
                    &aliases.key,
                    Outcome::Approximated(
                        if source.tls_for(host.as_deref()).is_some() {
                            "added to the route's hostnames; NGINX ignored an alias that collides with another host, a hostname does not; over HTTPS the alias needs a listener with a certificate of its own".into()
                        } else {
                            "added to the route's hostnames; NGINX ignored an alias that collides with another host, a hostname does not".into()
                        },
                    ),
                );
            }
            let own_tls =
                tls_listener(source, ledger, gateway, host.as_deref(), &gateway_namespace);
            // NGINX decides the redirect per path: the host has a certificate from any
            // Ingress, and the path's own Ingress keeps ssl-redirect on.
            let host_tls = own_tls.or_else(|| {
                let host = host.as_deref()?;
                let secret = tls_hosts.get(&(gateway.name.clone(), host.to_string()))?;
                Some(shared_tls_listener(
                    gateway,
                    host,
                    secret,
                    &gateway_namespace,
                ))
            });
            let mut redirect_to = None;
            if let Some(listener) = &host_tls {
                if https_redirect(source, ledger) {
                    route.parent.set("sectionName", listener.as_str());
                    redirect_to = Some(listener.clone());
                }
            } else if !source.is_true("force-ssl-redirect") {
                // No TLS for the host: NGINX has nothing to redirect to either.
                if let Some(key) = source.key_of("ssl-redirect") {
                    ledger.record(&key, Outcome::Translated);
                }
            } else {
                if let Some(key) = source.key_of("force-ssl-redirect") {
                    ledger.record(&key, Outcome::NotTranslated(
                        "the Ingress has no TLS for this host: TLS ends in front of the Gateway, which sees HTTP only, so a redirect on its HTTP listener would loop; redirect at the load balancer in front".into(),
                    ));
                }
            }
            if !grpc {
                www_redirect(
                    source,
                    ledger,
                    &route,
                    &parent,
                    host.as_deref(),
                    &mut routes,
                );
                app_root(source, ledger, &mut route);
            }
            let regex_host = host
                .as_ref()
                .is_some_and(|h| regex_hosts.contains(&(gateway.name.clone(), h.clone())));
            for rule in rules {
                for path in &rule.paths {
                    let built = if grpc {
                        grpc_rule(source, ledger, path)
                    } else {
                        http_rule(source, knowledge, ledger, path, regex_host)
                    };
                    if let Some(built) = built {
                        mains.insert(
                            (
                                source.namespace.clone(),
                                host.clone().unwrap_or_default(),
                                path.path.clone(),
                            ),
                            (routes.len(), route.rules.len()),
                        );
                        route.rules.push(built);
                        if !grpc && !regex_host && !source.regex_paths() {
                            route.rules.extend(trailing_slash_redirect(source, path));
                        }
                    }
                }
            }
            if route.rules.is_empty() {
                ledger.spec(
                    "spec.rules".into(),
                    host.unwrap_or_default(),
                    source.ingress_span(),
                    Outcome::NotTranslated(
                        "no rule of this host could be converted: no route is written".into(),
                    ),
                );
                continue;
            }
            if redirect_to.is_some() {
                let redirect = http_redirects
                    .entry((route.namespace.clone(), route.hostnames.clone()))
                    .or_insert_with(|| redirect_route(&route, &parent, &name));
                redirect.rules.extend(https_redirect_rules(&route));
            }
            routes.push(route);
        }
        if let Some(backend) = &source.default_backend {
            default_backend(source, ledger, backend, &parent, &mut routes);
        }
        if grpc
            || source
                .value("backend-protocol")
                .is_some_and(|p| p == "HTTPS")
        {
            backend_tls(source, ledger, out);
        }
    }
    for (_, gateway) in gateways {
        gateway.emit(&gateway_namespace, out);
    }
    routes.extend(http_redirects.into_values());
    if let Some(implementation) = request.implementation {
        let targets: Vec<super::policies::Targets> =
            sources.iter().map(|s| policy_targets(s, &routes)).collect();
        super::policies::write(implementation, sources, ledgers, &targets, out);
    }
    for route in routes {
        route.emit(out);
    }
}

/// The routes an Ingress's policies attach to: its own (a route split past 16 rules with
/// all its parts), not the HTTP listener's redirects, which NGINX answers before any
/// access check.
fn policy_targets(source: &Source<'_>, routes: &[Route]) -> super::policies::Targets {
    let mut targets = Vec::new();
    for route in routes.iter().filter(|r| {
        r.origin == source.origin
            && r.namespace == source.namespace
            && matches!(r.kind, "HTTPRoute" | "GRPCRoute")
            && !r.name.ends_with("-https-redirect")
            && !r.name.contains("-www-redirect")
    }) {
        targets.push((route.kind, route.name.clone()));
        let parts = route.rules.len().div_ceil(MAX_RULES);
        for part in 2..=parts {
            targets.push((route.kind, derived_name(&route.name, &part.to_string())));
        }
    }
    targets
}

/// The Gateway's namespace: the source controller's, else `default` (said in the report).
fn gateway_namespace(objects: &Objects<'_>, inventory: &Inventory, out: &mut Output<'_>) -> String {
    let found = inventory
        .controllers
        .iter()
        .find(|c| c.controller.id == NGINX)
        .map(|c| objects.namespace(c.workload).to_string());
    found.unwrap_or_else(|| {
        out.decide("Gateways go to namespace `default`: no ingress-nginx controller in the input to take the namespace from".into());
        "default".into()
    })
}

impl Gateway {
    fn listener(&mut self, name: &str, listener: Map) {
        self.listeners.entry(name.to_string()).or_insert(listener);
    }

    fn emit(self, namespace: &str, out: &mut Output<'_>) {
        let listeners: Vec<Value> = self
            .listeners
            .into_iter()
            .map(|(name, listener)| {
                let mut l = Map::new().with("name", name);
                for key in ["hostname", "protocol", "port", "tls"] {
                    if let Some(v) = listener.get(key) {
                        l.set(key, v.clone());
                    }
                }
                // ingress-nginx serves Ingresses of every namespace.
                l.set(
                    "allowedRoutes",
                    Map::new().with("namespaces", Map::new().with("from", "All")),
                );
                Value::Map(l)
            })
            .collect();
        if listeners.len() > 64 {
            out.decide(format!(
                "Gateway `{}` has {} listeners, more than the 64 the API allows: split it",
                self.name,
                listeners.len()
            ));
        }
        let meta = metadata(&self.name, namespace, &self.origin);
        let spec = Map::new()
            .with("gatewayClassName", self.class.as_str())
            .with("listeners", listeners);
        out.emit(
            None,
            Map::new()
                .with("apiVersion", API)
                .with("kind", "Gateway")
                .with("metadata", meta)
                .with("spec", spec),
        );
        // Each namespace grants the Gateway its named Secrets, no more.
        for (secret_namespace, secrets) in self.foreign_secrets {
            let to: Vec<Value> = secrets
                .iter()
                .map(|name| {
                    Value::Map(
                        Map::new()
                            .with("group", "")
                            .with("kind", "Secret")
                            .with("name", name.as_str()),
                    )
                })
                .collect();
            let grant = Map::new()
                .with("apiVersion", API)
                .with("kind", "ReferenceGrant")
                .with(
                    "metadata",
                    metadata(
                        &derived_name("gateway", &self.name),
                        &secret_namespace,
                        &self.origin,
                    ),
                )
                .with(
                    "spec",
                    Map::new()
                        .with(
                            "from",
                            vec![Value::Map(
                                Map::new()
                                    .with("group", GROUP)
                                    .with("kind", "Gateway")
                                    .with("namespace", namespace),
                            )],
                        )
                        .with("to", to),
                );
            out.emit(None, grant);
        }
    }
}

/// The most rules and hostnames a route takes (HTTPRoute and GRPCRoute v1 `maxItems`).
const MAX_RULES: usize = 16;
const MAX_HOSTNAMES: usize = 16;

impl Route {
    /// Writes the route; one with more rules than a route takes is split in routes of
    /// `MAX_RULES` (`name`, `name-2`, …), which attach alike.
    fn emit(self, out: &mut Output<'_>) {
        let mut hostnames = self.hostnames;
        if hostnames.len() > MAX_HOSTNAMES {
            out.decide(format!(
                "{} {}/{}: {} hostnames, more than the {MAX_HOSTNAMES} a route takes; the rest are left out",
                self.kind,
                self.namespace,
                self.name,
                hostnames.len()
            ));
            hostnames.truncate(MAX_HOSTNAMES);
        }
        let chunks: Vec<Vec<Map>> = if self.rules.len() <= MAX_RULES {
            vec![self.rules]
        } else {
            self.rules.chunks(MAX_RULES).map(<[Map]>::to_vec).collect()
        };
        for (i, rules) in chunks.into_iter().enumerate() {
            let name = if i == 0 {
                self.name.clone()
            } else {
                derived_name(&self.name, &(i + 1).to_string())
            };
            let mut meta = metadata(&name, &self.namespace, &self.origin);
            for (key, value) in &self.annotations {
                meta.map_mut("annotations").set(key, value.as_str());
            }
            let mut spec = Map::new().with("parentRefs", vec![Value::Map(self.parent.clone())]);
            if !hostnames.is_empty() {
                spec.set(
                    "hostnames",
                    hostnames
                        .iter()
                        .map(|h| Value::from(h.as_str()))
                        .collect::<Vec<_>>(),
                );
            }
            spec.set(
                "rules",
                rules.into_iter().map(Value::Map).collect::<Vec<_>>(),
            );
            out.emit(
                Some(self.file),
                Map::new()
                    .with("apiVersion", API)
                    .with("kind", self.kind)
                    .with("metadata", meta)
                    .with("spec", spec),
            );
        }
    }
}

/// The class annotation: the route attaches to the class's Gateway instead.
fn carry_class(source: &Source<'_>, ledger: &mut Ledger) {
    for a in &source.annotations {
        if a.kind == super::source::AnnotationKind::Class {
            ledger.record(&a.key, Outcome::Translated);
        }
    }
}

/// Annotations carried onto the route as they are: controller-neutral ones and nobody's.
fn carried(source: &Source<'_>, ledger: &mut Ledger) -> Vec<(String, String)> {
    use super::source::AnnotationKind as K;
    let mut carried = Vec::new();
    for a in &source.annotations {
        match &a.kind {
            K::Neutral(owner) if owner == "cert-manager" => ledger.record(
                &a.key,
                Outcome::NotTranslated("cert-manager reads Gateway annotations, not route ones: put it on the Gateway (every route of the class shares it)".into()),
            ),
            K::Neutral(_) | K::Plain => {
                if a.key != "kubectl.kubernetes.io/last-applied-configuration" {
                    carried.push((a.key.clone(), a.value.clone()));
                }
                ledger.record(&a.key, Outcome::Translated);
            }
            _ => {}
        }
    }
    carried
}

/// The Ingress's rules grouped by host, in order (one route per host).
fn host_groups<'s>(source: &'s Source<'_>) -> Vec<(Option<String>, Vec<&'s Rule>)> {
    let mut groups: Vec<(Option<String>, Vec<&Rule>)> = Vec::new();
    for rule in &source.rules {
        match groups.iter_mut().find(|(h, _)| *h == rule.host) {
            Some((_, rules)) => rules.push(rule),
            None => groups.push((rule.host.clone(), vec![rule])),
        }
    }
    groups
}

/// The HTTPS listener of a host the Ingress has TLS for; its name.
fn tls_listener(
    source: &Source<'_>,
    ledger: &mut Ledger,
    gateway: &mut Gateway,
    host: Option<&str>,
    gateway_namespace: &str,
) -> Option<String> {
    let tls = source.tls_for(host)?;
    let Some(secret) = &tls.secret else {
        ledger.spec(
            "spec.tls".into(),
            host.unwrap_or_default().into(),
            source.ingress_span(),
            Outcome::NotTranslated("TLS without a secretName (NGINX's default certificate): name the Gateway's certificate by hand".into()),
        );
        return None;
    };
    let (name, listener) =
        https_listener(gateway, host, secret, &source.namespace, gateway_namespace);
    if let Some(existing) = gateway.listeners.get(&name) {
        if existing.get("tls") != listener.get("tls") {
            ledger.spec(
                "spec.tls".into(),
                secret.clone(),
                source.ingress_span(),
                Outcome::Approximated(format!(
                    "another Ingress already gave host {} a certificate: the Gateway's listener `{name}` keeps that one",
                    host.unwrap_or("*")
                )),
            );
        }
    }
    gateway.listener(&name, listener);
    Some(name)
}

/// The HTTPS listener of a host whose certificate another Ingress names (NGINX serves a
/// host's every path with the certificate any Ingress gives it); its name.
fn shared_tls_listener(
    gateway: &mut Gateway,
    host: &str,
    (secret, secret_namespace): &(String, String),
    gateway_namespace: &str,
) -> String {
    let (name, listener) = https_listener(
        gateway,
        Some(host),
        secret,
        secret_namespace,
        gateway_namespace,
    );
    gateway.listener(&name, listener);
    name
}

/// An HTTPS listener terminating with a Secret (granted by a ReferenceGrant when it is in
/// another namespace than the Gateway's): its name and the listener.
fn https_listener(
    gateway: &mut Gateway,
    host: Option<&str>,
    secret: &str,
    secret_namespace: &str,
    gateway_namespace: &str,
) -> (String, Map) {
    let name = match host {
        Some(host) => derived_name("https", &slug(host)),
        None => "https".to_string(),
    };
    let mut reference = Map::new()
        .with("group", "")
        .with("kind", "Secret")
        .with("name", secret);
    if secret_namespace != gateway_namespace {
        reference.set("namespace", secret_namespace);
        let names = gateway
            .foreign_secrets
            .entry(secret_namespace.to_string())
            .or_default();
        if !names.iter().any(|n| n == secret) {
            names.push(secret.to_string());
        }
    }
    let mut listener = Map::new().with("protocol", "HTTPS").with("port", 443).with(
        "tls",
        Map::new()
            .with("mode", "Terminate")
            .with("certificateRefs", vec![Value::Map(reference)]),
    );
    if let Some(host) = host {
        listener.set("hostname", host);
    }
    (name, listener)
}

/// Whether HTTP requests for a TLS host redirect to HTTPS (ingress-nginx's default).
fn https_redirect(source: &Source<'_>, ledger: &mut Ledger) -> bool {
    let off = !source.redirects_to_https();
    for suffix in ["ssl-redirect", "force-ssl-redirect"] {
        if let Some(key) = source.key_of(suffix) {
            ledger.record(&key, Outcome::Translated);
        }
    }
    !off
}

/// The source class an Ingress's Gateway is named after; a class-less Ingress goes with the
/// source's default class (never a controller id).
fn gateway_class_of(source: &Source<'_>, knowledge: &Knowledge, from: &str) -> String {
    source.class.clone().unwrap_or_else(|| {
        knowledge
            .controller(from)
            .and_then(|c| c.default_classes().into_iter().next())
            .unwrap_or_else(|| "nginx".into())
    })
}

/// The hosts with a certificate on a Gateway, from any Ingress: (Gateway name, host) →
/// the first Secret named for it (name, namespace).
fn tls_hosts(
    sources: &[Source<'_>],
    knowledge: &Knowledge,
    from: &str,
) -> BTreeMap<(String, String), (String, String)> {
    let mut hosts = BTreeMap::new();
    for source in sources
        .iter()
        .filter(|s| !s.is_canary() && !s.is_true("ssl-passthrough"))
    {
        let gateway = slug(&gateway_class_of(source, knowledge, from));
        for tls in &source.tls {
            let Some(secret) = &tls.secret else {
                continue;
            };
            for host in tls.hosts.iter().filter(|h| valid_hostname(h)) {
                hosts
                    .entry((gateway.clone(), host.clone()))
                    .or_insert_with(|| (secret.clone(), source.namespace.clone()));
            }
        }
    }
    hosts
}

/// The hosts whose paths NGINX matches as regular expressions: one Ingress of the host sets
/// use-regex or rewrite-target, and the template's `enforceRegexModifier` applies `~*` to
/// every location of the server. (Gateway name, host).
fn regex_hosts(
    sources: &[Source<'_>],
    knowledge: &Knowledge,
    from: &str,
) -> std::collections::BTreeSet<(String, String)> {
    sources
        .iter()
        .filter(|s| !s.is_canary() && s.regex_paths())
        .flat_map(|s| {
            let gateway = slug(&gateway_class_of(s, knowledge, from));
            s.rules
                .iter()
                .filter_map(|r| r.host.clone())
                .map(|h| (gateway.clone(), h))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A Prefix or Exact path ending in `/` (`/docs/`): for `/docs`, nginx answers 301 to
/// `/docs/` (a location ending in a slash, with proxy_pass: its auto_redirect), where
/// PathPrefix would proxy it and Exact answer 404. ingress2gateway writes the same.
fn trailing_slash_redirect(source: &Source<'_>, path: &HttpPath) -> Option<Map> {
    let bare = path.path.strip_suffix('/').filter(|b| !b.is_empty())?;
    if !matches!(path.path_type.as_str(), "Prefix" | "Exact") || !valid_path(bare) {
        return None;
    }
    // Another path of the Ingress for the bare name serves it instead.
    let served = source
        .rules
        .iter()
        .flat_map(|r| &r.paths)
        .any(|p| p.path == bare);
    if served {
        return None;
    }
    let mut filter = Map::new().with("type", "RequestRedirect").with(
        "requestRedirect",
        Map::new()
            .with(
                "path",
                Map::new()
                    .with("type", "ReplaceFullPath")
                    .with("replaceFullPath", path.path.as_str()),
            )
            .with("statusCode", 301),
    );
    filter.comment(
        "type",
        format!(
            "nginx redirects {bare} to {} (a prefix location ending in /)",
            path.path
        ),
    );
    Some(
        Map::new()
            .with("matches", vec![Value::Map(path_match("Exact", bare))])
            .with("filters", vec![Value::Map(filter)]),
    )
}

/// The route on the HTTP listener that sends the hosts' requests to HTTPS, path by path.
fn redirect_route(route: &Route, parent: &Map, name: &str) -> Route {
    let mut parent = parent.clone();
    parent.set("sectionName", "http");
    Route {
        file: route.file,
        kind: "HTTPRoute",
        name: derived_name(name, "https-redirect"),
        namespace: route.namespace.clone(),
        origin: route.origin.clone(),
        hostnames: route.hostnames.clone(),
        parent,
        rules: Vec::new(),
        annotations: Vec::new(),
    }
}

/// A route's rules on the HTTP listener: each path redirects to HTTPS (308, NGINX's
/// http-redirect-code), except that a redirect of the Ingress's own (app-root,
/// permanent-redirect) answers first, as NGINX's rewrite phase runs before its TLS redirect.
fn https_redirect_rules(route: &Route) -> Vec<Map> {
    let redirects = |rule: &Map| {
        match rule.get("filters") {
        Some(Value::List(filters)) => filters.iter().any(|f| {
            matches!(f, Value::Map(f) if f.get("type") == Some(&Value::from("RequestRedirect")))
        }),
        _ => false,
    }
    };
    route
        .rules
        .iter()
        .map(|rule| {
            if redirects(rule) {
                return rule.clone();
            }
            let mut filter = Map::new().with("type", "RequestRedirect").with(
                "requestRedirect",
                Map::new()
                    .with("scheme", "https")
                    .with("statusCode", NGINX_REDIRECT_CODE),
            );
            filter.comment(
                "type",
                "ingress-nginx redirects HTTP to HTTPS for hosts with TLS (ssl-redirect, default \"true\")",
            );
            let matches = match (route.kind, rule.get("matches")) {
                ("HTTPRoute", Some(matches)) => matches.clone(),
                // A gRPC service, or a rule matching everything: the whole host.
                _ => Value::List(vec![Value::Map(path_match("PathPrefix", "/"))]),
            };
            Map::new()
                .with("matches", matches)
                .with("filters", vec![Value::Map(filter)])
        })
        .collect()
}

/// from-to-www-redirect: a route for the other name redirecting to the host.
fn www_redirect(
    source: &Source<'_>,
    ledger: &mut Ledger,
    route: &Route,
    parent: &Map,
    host: Option<&str>,
    routes: &mut Vec<Route>,
) {
    let Some(annotation) = source.nginx("from-to-www-redirect") else {
        return;
    };
    if annotation.value.trim() != "true" {
        ledger.record(&annotation.key, Outcome::Translated);
        return;
    }
    let Some(host) = host.filter(|h| !h.starts_with('*')) else {
        ledger.record(
            &annotation.key,
            Outcome::NotTranslated("needs a host that is not a wildcard".into()),
        );
        return;
    };
    let other = match host.strip_prefix("www.") {
        Some(bare) => bare.to_string(),
        None => format!("www.{host}"),
    };
    let mut filter = Map::new().with("type", "RequestRedirect").with(
        "requestRedirect",
        Map::new()
            .with("hostname", host)
            .with("statusCode", NGINX_REDIRECT_CODE),
    );
    filter.comment("type", format!("{}: \"true\"", annotation.key));
    routes.push(Route {
        file: route.file,
        kind: "HTTPRoute",
        name: derived_name(&route.name, "www-redirect"),
        namespace: route.namespace.clone(),
        origin: route.origin.clone(),
        hostnames: vec![other.clone()],
        parent: parent.clone(),
        rules: vec![Map::new().with("filters", vec![Value::Map(filter)])],
        annotations: Vec::new(),
    });
    ledger.record(
        &annotation.key,
        if source.tls_for(Some(host)).is_some() {
            Outcome::Approximated(format!(
                "over HTTPS, {other} needs a listener with a certificate for it (NGINX used the host's, which had to name both)"
            ))
        } else {
            Outcome::Translated
        },
    );
}

/// app-root: requests for exactly "/" redirect (302) to the application root.
fn app_root(source: &Source<'_>, ledger: &mut Ledger, route: &mut Route) {
    let Some(annotation) = source.nginx("app-root") else {
        return;
    };
    let root = annotation.value.trim();
    if !root.starts_with('/') || root.contains('$') {
        ledger.record(
            &annotation.key,
            Outcome::NotTranslated("the value is not a plain path".into()),
        );
        return;
    }
    let mut filter = Map::new().with("type", "RequestRedirect").with(
        "requestRedirect",
        Map::new()
            .with(
                "path",
                Map::new()
                    .with("type", "ReplaceFullPath")
                    .with("replaceFullPath", root),
            )
            .with("statusCode", 302),
    );
    filter.comment("type", format!("{}: {root}", annotation.key));
    route.rules.push(
        Map::new()
            .with("matches", vec![Value::Map(path_match("Exact", "/"))])
            .with("filters", vec![Value::Map(filter)]),
    );
    ledger.record(&annotation.key, Outcome::Translated);
}

fn path_match(kind: &str, value: &str) -> Map {
    Map::new().with("path", Map::new().with("type", kind).with("value", value))
}

fn backend_ref(
    source: &Source<'_>,
    ledger: &mut Ledger,
    path_at: &str,
    backend: &Backend,
) -> Option<Map> {
    let (name, port) = match backend {
        Backend::Service { name, port } => (name, port),
        Backend::Resource { group, kind, name } => {
            let at = format!("{path_at}.backend.resource");
            if group.is_empty() && kind == "Service" {
                ledger.spec(
                    at,
                    format!("{kind} {name}"),
                    source.ingress_span(),
                    Outcome::NotTranslated("a resource backend naming a Service gives no port, which a Service backendRef needs: use backend.service".into()),
                );
                return None;
            }
            ledger.spec(
                at,
                format!("{kind} {name}"),
                source.ingress_span(),
                Outcome::Approximated(format!(
                    "a backendRef of kind {kind}: the implementation must support that kind (Service is the only core one); ingress-nginx served Service backends only and answered these paths from its default backend"
                )),
            );
            return Some(
                Map::new()
                    .with("group", group.as_str())
                    .with("kind", kind.as_str())
                    .with("name", name.as_str()),
            );
        }
        Backend::Other => {
            ledger.spec(
                format!("{path_at}.backend"),
                String::new(),
                source.ingress_span(),
                Outcome::NotTranslated("the backend names no Service and no resource".into()),
            );
            return None;
        }
    };
    let number = match port {
        Port::Number(n) => *n,
        Port::Name {
            number: Some(n), ..
        } => *n,
        Port::Name {
            name: port,
            number: None,
        } => {
            ledger.spec(
                format!("{path_at}.backend.service.port.name"),
                port.clone(),
                source.ingress_span(),
                Outcome::NotTranslated(format!(
                    "backendRefs need a port number: Service {}/{name} with a port named `{port}` is not in the input",
                    source.namespace
                )),
            );
            return None;
        }
        Port::Missing => {
            ledger.spec(
                format!("{path_at}.backend.service.port"),
                String::new(),
                source.ingress_span(),
                Outcome::NotTranslated("the backend has no port".into()),
            );
            return None;
        }
    };
    Some(
        Map::new()
            .with("name", name.as_str())
            .with("port", i64::from(number)),
    )
}

/// One HTTPRoute rule for one Ingress path: the match, the filters the annotations ask for,
/// the backend.
fn http_rule(
    source: &Source<'_>,
    knowledge: &Knowledge,
    ledger: &mut Ledger,
    path: &HttpPath,
    regex_host: bool,
) -> Option<Map> {
    let mut rule = Map::new();
    let mut filters: Vec<Value> = Vec::new();
    let (kind, value, rewrite) = match_and_rewrite(source, ledger, path, regex_host)?;
    rule.set("matches", vec![Value::Map(path_match(&kind, &value))]);
    if let Some(rewrite) = rewrite {
        filters.push(Value::Map(rewrite));
    }
    if let Some(redirect) = redirect(source, ledger) {
        // NGINX answers the redirect before proxying: what only shapes the proxied request
        // has nothing to do, and a rule takes a redirect or a rewrite, not both.
        for suffix in [
            "rewrite-target",
            "upstream-vhost",
            "x-forwarded-prefix",
            "connection-proxy-header",
            "mirror-target",
            "proxy-read-timeout",
            "proxy-send-timeout",
        ] {
            if let Some(key) = source.key_of(suffix) {
                ledger.record(&key, Outcome::Translated);
            }
        }
        let mut filters = vec![Value::Map(redirect)];
        // CORS headers are added to the redirect response too.
        if let Some(cors) = cors(source, knowledge, ledger) {
            filters.push(Value::Map(cors));
        }
        rule.set("filters", filters);
        return Some(rule);
    }
    if let Some(headers) = request_headers(source, ledger) {
        filters.push(Value::Map(headers));
    }
    if let Some(cors) = cors(source, knowledge, ledger) {
        filters.push(Value::Map(cors));
    }
    if let Some(headers) = source.response_headers(ledger).filter(|h| !h.is_empty()) {
        let set: Vec<Value> = headers
            .iter()
            .map(|(name, value)| {
                Value::Map(
                    Map::new()
                        .with("name", name.as_str())
                        .with("value", value.as_str()),
                )
            })
            .collect();
        let mut filter = Map::new()
            .with("type", "ResponseHeaderModifier")
            .with("responseHeaderModifier", Map::new().with("set", set));
        filter.comment("type", "custom-headers: the ConfigMap's headers");
        filters.push(Value::Map(filter));
    }
    if let Some(mirror) = mirror(source, ledger) {
        filters.push(Value::Map(mirror));
    }
    if !filters.is_empty() {
        rule.set("filters", filters);
    }
    let backend = backend_ref(source, ledger, &path.at, &path.backend)?;
    rule.set("backendRefs", vec![Value::Map(backend)]);
    if let Some(timeouts) = timeouts(source, ledger) {
        rule.set("timeouts", timeouts);
    }
    Some(rule)
}

/// The path match, and the URLRewrite filter rewrite-target asks for.
fn match_and_rewrite(
    source: &Source<'_>,
    ledger: &mut Ledger,
    path: &HttpPath,
    regex_host: bool,
) -> Option<(String, String, Option<Map>)> {
    if !path.path.starts_with('/') {
        ledger.spec(
            format!("{}.path", path.at),
            path.path.clone(),
            path.span,
            Outcome::NotTranslated("a path match must start with /".into()),
        );
        return None;
    }
    // A redirect answers before any rewrite: the rewrite has nothing to do.
    let redirecting =
        source.nginx("temporal-redirect").is_some() || source.nginx("permanent-redirect").is_some();
    let rewrite = source.nginx("rewrite-target").filter(|_| !redirecting);
    if let Some(annotation) = rewrite {
        let target = annotation.value.trim();
        if let Some(prefix) = capture_prefix(&path.path, target) {
            let filter = url_rewrite(
                Map::new()
                    .with("type", "ReplacePrefixMatch")
                    .with("replacePrefixMatch", "/"),
                &annotation.key,
                target,
            );
            ledger.record(&annotation.key, Outcome::Approximated(
                "the capture idiom became PathPrefix + ReplacePrefixMatch: case-sensitive where NGINX ignored case, and P/(.*) now also matches P itself".into(),
            ));
            return Some(("PathPrefix".into(), prefix, Some(filter)));
        }
        if target.contains('$') {
            ledger.record(&annotation.key, Outcome::NotTranslated(format!(
                "path {} with target {target}: only the prefix idiom P(/|$)(.*) → /$2 maps to URLRewrite; the route is written without the rewrite",
                path.path
            )));
        } else {
            let filter = url_rewrite(
                Map::new()
                    .with("type", "ReplaceFullPath")
                    .with("replaceFullPath", target),
                &annotation.key,
                target,
            );
            ledger.record(&annotation.key, Outcome::Approximated(
                "ReplaceFullPath; the paths became RegularExpression matches (NGINX enforces regex paths with rewrite-target), whose dialect is implementation-specific".into(),
            ));
            let (kind, value) = regex_match(path);
            return Some((kind, value, Some(filter)));
        }
    }
    if source.regex_paths() || regex_host {
        match source.key_of("use-regex").filter(|_| source.is_true("use-regex")) {
            Some(key) => ledger.record(&key, Outcome::Approximated(
                "case-insensitive RegularExpression matches anchored at the start, as NGINX's `location ~* ^path`; the dialect is implementation-specific (RE2 on Envoy: no lookarounds or backreferences)".into(),
            )),
            None if !source.regex_paths() => ledger.spec(
                format!("{}.path", path.at),
                path.path.clone(),
                path.span,
                Outcome::Approximated(
                    "another Ingress of this host sets use-regex or rewrite-target, so NGINX matched every path of the host as a case-insensitive regex: a RegularExpression match here too".into(),
                ),
            ),
            None => {}
        }
        let (kind, value) = regex_match(path);
        return Some((kind, value, None));
    }
    if let Some(key) = source.key_of("use-regex") {
        ledger.record(&key, Outcome::Translated);
    }
    let kind = match path.path_type.as_str() {
        "Exact" => "Exact",
        "Prefix" => "PathPrefix",
        _ => {
            ledger.spec(
                format!("{}.pathType", path.at),
                path.path_type.clone(),
                path.span,
                Outcome::Approximated("ImplementationSpecific became PathPrefix: ingress-nginx matched it as a plain string prefix (/app also matched /apple), PathPrefix matches whole segments".into()),
            );
            "PathPrefix"
        }
    };
    if valid_path(&path.path) {
        return Some((kind.into(), path.path.clone(), None));
    }
    // NGINX compared the path as a literal string; the Gateway API refuses it as a path
    // (`//`, `/./`, `[`…): the same literal as a RegularExpression.
    ledger.spec(
        format!("{}.path", path.at),
        path.path.clone(),
        path.span,
        Outcome::Approximated(
            "not a path the Gateway API accepts in an Exact or PathPrefix match: written as a RegularExpression matching the same literal text (implementation-specific)".into(),
        ),
    );
    let literal = regex_escape(&path.path);
    let value = if kind == "Exact" {
        format!("^{literal}$")
    } else {
        format!("^{literal}.*")
    };
    Some(("RegularExpression".into(), value, None))
}

/// A path an Exact or PathPrefix match takes (the HTTPRoute v1 CRD's validations).
fn valid_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    let characters = bytes.iter().enumerate().all(|(i, &b)| {
        b.is_ascii_alphanumeric()
            || b"-/._~!$&'()*+,;=:@".contains(&b)
            || (b == b'%'
                && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            || (i > 0 && bytes[i - 1] == b'%' && b.is_ascii_hexdigit())
            || (i > 1 && bytes[i - 2] == b'%' && b.is_ascii_hexdigit())
    });
    path.starts_with('/')
        && characters
        && !["//", "/./", "/../", "%2f", "%2F", "#"]
            .iter()
            .any(|bad| path.contains(bad))
        && !path.ends_with("/..")
        && !path.ends_with("/.")
}

/// A regex path as ingress-nginx reads it: `location ~* "^path"`, case-insensitive,
/// anchored at the start, open at the end — whatever its pathType (buildLocation checks
/// enforceRegex before Exact).
fn regex_match(path: &HttpPath) -> (String, String) {
    let value = if path.path.ends_with('$') || path.path.ends_with(".*") {
        format!("(?i)^{}", path.path)
    } else {
        format!("(?i)^{}.*", path.path)
    };
    ("RegularExpression".into(), value)
}

/// `P(/|$)(.*)` with target `/$2` (the documented idiom), or `P/(.*)` with `/$1`, is a
/// prefix strip: P.
fn capture_prefix(path: &str, target: &str) -> Option<String> {
    let prefix = match target {
        "/$2" => path.strip_suffix("(/|$)(.*)")?,
        "/$1" => path.strip_suffix("/(.*)")?,
        _ => return None,
    };
    if prefix.contains(['(', ')', '[', '*', '+', '?', '\\', '|', '^', '$']) {
        return None;
    }
    Some(if prefix.is_empty() {
        "/".into()
    } else {
        prefix.to_string()
    })
}

fn url_rewrite(path: Map, key: &str, target: &str) -> Map {
    let mut filter = Map::new()
        .with("type", "URLRewrite")
        .with("urlRewrite", Map::new().with("path", path));
    filter.comment("type", format!("{key}: {target}"));
    filter
}

/// permanent-redirect / temporal-redirect (temporal wins, as in NGINX).
fn redirect(source: &Source<'_>, ledger: &mut Ledger) -> Option<Map> {
    let wanted = source.redirect(ledger)?;
    let annotation = wanted.annotation;
    let mut redirect = match redirect_target(wanted.base, wanted.keeps_path) {
        Ok(redirect) => redirect,
        Err(why) => {
            ledger.record(&annotation.key, Outcome::NotTranslated(why));
            return None;
        }
    };
    let code = wanted.status_code(
        ledger,
        |n| REDIRECT_CODES.contains(&n),
        "RequestRedirect (301, 302, 303, 307, 308)",
    );
    redirect.set("statusCode", code);
    ledger.record(&annotation.key, Outcome::Translated);
    let mut filter = Map::new()
        .with("type", "RequestRedirect")
        .with("requestRedirect", redirect);
    filter.comment(
        "type",
        format!("{}: {}", annotation.key, annotation.value.trim()),
    );
    Some(filter)
}

/// A redirect URL as RequestRedirect fields: scheme, hostname, port, and the full path
/// unless the request's is kept.
fn redirect_target(url: &str, keeps_path: bool) -> Result<Map, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("`{url}` is not an absolute URL"))?;
    if !matches!(scheme, "http" | "https") {
        return Err(format!(
            "scheme `{scheme}`: RequestRedirect takes http or https"
        ));
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if keeps_path && !path.is_empty() {
        return Err("a path before $request_uri: RequestRedirect replaces or keeps the path, it does not prefix it".into());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (
            host,
            Some(
                port.parse::<i64>()
                    .map_err(|_| format!("port `{port}` is not a number"))?,
            ),
        ),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(format!("`{url}` names no host"));
    }
    if path.contains('?') {
        return Err("RequestRedirect cannot set a query string".into());
    }
    let mut redirect = Map::new().with("scheme", scheme).with("hostname", host);
    if let Some(port) = port {
        redirect.set("port", port);
    }
    if !keeps_path {
        let path = if path.is_empty() { "/" } else { path };
        redirect.set(
            "path",
            Map::new()
                .with("type", "ReplaceFullPath")
                .with("replaceFullPath", path),
        );
    }
    Ok(redirect)
}

/// upstream-vhost, x-forwarded-prefix, connection-proxy-header: one RequestHeaderModifier.
fn request_headers(source: &Source<'_>, ledger: &mut Ledger) -> Option<Map> {
    let headers = source.request_headers(
        ledger,
        &[
            ("upstream-vhost", "Host"),
            ("x-forwarded-prefix", "X-Forwarded-Prefix"),
            ("connection-proxy-header", "Connection"),
        ],
        false,
    );
    if headers.is_empty() {
        return None;
    }
    let set: Vec<Value> = headers
        .iter()
        .map(|(header, value, _)| {
            Value::Map(Map::new().with("name", *header).with("value", *value))
        })
        .collect();
    let mut filter = Map::new()
        .with("type", "RequestHeaderModifier")
        .with("requestHeaderModifier", Map::new().with("set", set));
    for (header, value, key) in &headers {
        filter.comment("type", format!("{key}: {value}"));
        if *header == "Connection" {
            ledger.record(
                key,
                Outcome::Approximated("a hop-by-hop header: the implementation may drop it".into()),
            );
        }
    }
    Some(filter)
}

/// enable-cors: the CORS filter with NGINX's defaults written out.
fn cors(source: &Source<'_>, knowledge: &Knowledge, ledger: &mut Ledger) -> Option<Map> {
    let cors = Cors::read(source, knowledge, ledger)?;
    let mut filter = Map::new().with("type", "CORS").with(
        "cors",
        cors.fields([
            "allowOrigins",
            "allowMethods",
            "allowHeaders",
            "exposeHeaders",
            "allowCredentials",
            "maxAge",
        ]),
    );
    filter.comment("type", cors::FROM);
    Some(filter)
}

/// mirror-target: a RequestMirror filter when the URL names a cluster Service.
fn mirror(source: &Source<'_>, ledger: &mut Ledger) -> Option<Map> {
    let annotation = source.nginx("mirror-target")?;
    let url = annotation.value.trim();
    let service = url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '$']).next().unwrap_or(""))
        .and_then(|authority| {
            let (host, port) = match authority.rsplit_once(':') {
                Some((h, p)) => (h, p.parse::<i64>().ok()?),
                None => (authority, if url.starts_with("https") { 443 } else { 80 }),
            };
            let host = host.strip_suffix(".cluster.local").unwrap_or(host);
            let (name, namespace) = host.strip_suffix(".svc")?.split_once('.')?;
            Some((name.to_string(), namespace.to_string(), port))
        });
    let Some((name, namespace, port)) = service else {
        ledger.record(&annotation.key, Outcome::NotTranslated(
            "RequestMirror mirrors to a Service backendRef: the URL does not name a cluster Service (name.namespace.svc)".into(),
        ));
        return None;
    };
    ledger.record(
        &annotation.key,
        Outcome::Approximated(
            "mirrors to the Service; mirror-host and mirror-request-body have no equivalent".into(),
        ),
    );
    let mut filter = Map::new().with("type", "RequestMirror").with(
        "requestMirror",
        Map::new().with(
            "backendRef",
            Map::new()
                .with("name", name)
                .with("namespace", namespace)
                .with("port", port),
        ),
    );
    filter.comment("type", format!("{}: {url}", annotation.key));
    Some(filter)
}

/// proxy-read-timeout / proxy-send-timeout: timeouts.backendRequest (the larger).
fn timeouts(source: &Source<'_>, ledger: &mut Ledger) -> Option<Map> {
    let mut longest: Option<i64> = None;
    for suffix in ["proxy-read-timeout", "proxy-send-timeout"] {
        let Some(annotation) = source.nginx(suffix) else {
            continue;
        };
        match annotation.value.trim().trim_end_matches('s').parse::<i64>() {
            Ok(seconds) if (0..=99_999).contains(&seconds) => {
                longest = longest.max(Some(seconds));
                ledger.record(&annotation.key, Outcome::Approximated(
                    "timeouts.backendRequest bounds the whole backend exchange; NGINX timed the gap between two reads or writes".into(),
                ));
            }
            _ => ledger.record(
                &annotation.key,
                Outcome::NotTranslated("not a number of seconds".into()),
            ),
        }
    }
    let seconds = longest?;
    let mut timeouts = Map::new().with("backendRequest", format!("{seconds}s"));
    timeouts.comment("backendRequest", "proxy-read-timeout / proxy-send-timeout");
    Some(timeouts)
}

/// Whether the backend speaks gRPC (a GRPCRoute instead of an HTTPRoute).
fn grpc_backend(source: &Source<'_>, ledger: &mut Ledger) -> bool {
    let Some(annotation) = source.nginx("backend-protocol") else {
        return false;
    };
    let protocol = annotation.value.trim().to_ascii_uppercase();
    let outcome = match protocol.as_str() {
        "HTTP" | "AUTO_HTTP" | "GRPC" => Outcome::Translated,
        "HTTPS" | "GRPCS" => Outcome::Approximated(
            "BackendTLSPolicy verifies the backend's certificate (against the system CAs unless proxy-ssl-secret names a CA); NGINX did not verify by default".into(),
        ),
        _ => Outcome::NotTranslated(format!("{protocol} backends have no Gateway API route")),
    };
    ledger.record(&annotation.key, outcome);
    matches!(protocol.as_str(), "GRPC" | "GRPCS")
}

/// A GRPCRoute rule: `/` matches everything, `/pkg.Service` one service.
fn grpc_rule(source: &Source<'_>, ledger: &mut Ledger, path: &HttpPath) -> Option<Map> {
    let mut rule = Map::new();
    let trimmed = path.path.trim_matches('/');
    if !trimmed.is_empty() {
        let (service, method) = match trimmed.split_once('/') {
            Some((service, method)) => (service, Some(method)),
            None => (trimmed, None),
        };
        // The GRPCRoute v1 CRD's patterns for service and method names.
        let is_name = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        let valid = service.split('.').all(is_name) && method.is_none_or(is_name);
        if !valid {
            ledger.spec(
                format!("{}.path", path.at),
                path.path.clone(),
                path.span,
                Outcome::NotTranslated(
                    "a gRPC path other than /, /package.Service or /package.Service/Method has no GRPCRoute match".into(),
                ),
            );
            return None;
        }
        let mut method_match = Map::new().with("type", "Exact").with("service", service);
        if let Some(method) = method {
            method_match.set("method", method);
        }
        rule.set(
            "matches",
            vec![Value::Map(Map::new().with("method", method_match))],
        );
    }
    let backend = backend_ref(source, ledger, &path.at, &path.backend)?;
    rule.set("backendRefs", vec![Value::Map(backend)]);
    Some(rule)
}

/// BackendTLSPolicy for each backend Service of an HTTPS/GRPCS Ingress.
fn backend_tls(source: &Source<'_>, ledger: &mut Ledger, out: &mut Output<'_>) {
    let protocol = source
        .value("backend-protocol")
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !matches!(protocol.as_str(), "HTTPS" | "GRPCS") {
        return;
    }
    let mut services: Vec<&str> = source
        .rules
        .iter()
        .flat_map(|r| &r.paths)
        .filter_map(|p| match &p.backend {
            Backend::Service { name, .. } => Some(name.as_str()),
            Backend::Resource { .. } | Backend::Other => None,
        })
        .collect();
    services.sort_unstable();
    services.dedup();
    let ca = source.nginx("proxy-ssl-secret").map(|a| {
        let value = a.value.trim();
        let (namespace, name) = value
            .split_once('/')
            .unwrap_or((source.namespace.as_str(), value));
        (a.key.clone(), namespace.to_string(), name.to_string())
    });
    // caCertificateRefs are local to the policy's namespace: a CA in another namespace cannot
    // be named, and a same-named Secret here would be another one.
    if let Some((key, namespace, name)) = ca.as_ref().filter(|(_, ns, _)| *ns != source.namespace) {
        ledger.record(key, Outcome::NotTranslated(format!(
            "the CA Secret {namespace}/{name} is in another namespace than the Ingress ({}): a BackendTLSPolicy names CA references in its own namespace only, so none is written; copy the CA into {} and write the policy, or the Gateway speaks plain HTTP to the HTTPS backend",
            source.namespace, source.namespace
        )));
        for suffix in [
            "backend-protocol",
            "proxy-ssl-verify",
            "proxy-ssl-name",
            "proxy-ssl-server-name",
        ] {
            if let Some(other) = source.key_of(suffix) {
                ledger.record(&other, Outcome::NotTranslated(
                    "goes with the BackendTLSPolicy, which is not written (see proxy-ssl-secret)".into(),
                ));
            }
        }
        return;
    }
    for service in services {
        let hostname = source
            .value("proxy-ssl-name")
            .map(str::to_string)
            .unwrap_or_else(|| format!("{service}.{}.svc", source.namespace));
        let mut validation = Map::new().with("hostname", hostname.as_str());
        match &ca {
            Some((key, _, secret)) => {
                validation.set(
                    "caCertificateRefs",
                    vec![Value::Map(
                        Map::new()
                            .with("group", "")
                            .with("kind", "Secret")
                            .with("name", secret.as_str()),
                    )],
                );
                validation.comment("caCertificateRefs", format!("{key}: its ca.crt; a client certificate towards the backend has no standard field"));
                ledger.record(key, Outcome::Approximated(
                    "only the CA part; Secret references are implementation-specific (core support reads a ConfigMap with ca.crt)".into(),
                ));
            }
            None => {
                validation.set("wellKnownCACertificates", "System");
                validation.comment("wellKnownCACertificates", "NGINX did not verify HTTPS backends by default: the backend's certificate must now chain to a system CA");
            }
        }
        for suffix in [
            "proxy-ssl-name",
            "proxy-ssl-verify",
            "proxy-ssl-server-name",
        ] {
            if let Some(a) = source.nginx(suffix) {
                let outcome = match (suffix, a.value.trim()) {
                    ("proxy-ssl-name", _) | (_, "on") => Outcome::Translated,
                    _ => Outcome::Approximated("BackendTLSPolicy always verifies and sends the hostname as SNI: \"off\" has no equivalent".into()),
                };
                ledger.record(&a.key, outcome);
            }
        }
        let spec = Map::new()
            .with(
                "targetRefs",
                vec![Value::Map(
                    Map::new()
                        .with("group", "")
                        .with("kind", "Service")
                        .with("name", service),
                )],
            )
            .with("validation", validation);
        out.emit(
            Some(source.key.file),
            Map::new()
                .with("apiVersion", API)
                .with("kind", "BackendTLSPolicy")
                .with(
                    "metadata",
                    metadata(
                        &derived_name(service, "backend-tls"),
                        &source.namespace,
                        &source.origin,
                    ),
                )
                .with("spec", spec),
        );
    }
}

/// ssl-passthrough: a TLSRoute per host on a passthrough listener.
fn passthrough(
    source: &Source<'_>,
    ledger: &mut Ledger,
    gateway: &mut Gateway,
    gateway_namespace: &str,
    routes: &mut Vec<Route>,
) {
    let Some(key) = source.key_of("ssl-passthrough") else {
        return;
    };
    let mut any = false;
    for rule in &source.rules {
        let Some(host) = &rule.host else {
            ledger.spec(
                format!("spec.rules[{}].host", rule.index),
                String::new(),
                source.ingress_span(),
                Outcome::NotTranslated(
                    "ssl-passthrough routes by SNI: a rule without a host has none".into(),
                ),
            );
            continue;
        };
        // NGINX passes the whole host through: the backend of its "/" path.
        let Some(path) = rule
            .paths
            .iter()
            .find(|p| p.path == "/")
            .or(rule.paths.first())
        else {
            continue;
        };
        let Some(backend) = backend_ref(source, ledger, &path.at, &path.backend) else {
            continue;
        };
        let listener = derived_name("tls-passthrough", &slug(host));
        gateway.listener(
            &listener,
            Map::new()
                .with("hostname", host.as_str())
                .with("protocol", "TLS")
                .with("port", 443)
                .with("tls", Map::new().with("mode", "Passthrough")),
        );
        let parent = Map::new()
            .with("group", GROUP)
            .with("kind", "Gateway")
            .with("name", gateway.name.as_str())
            .with("namespace", gateway_namespace)
            .with("sectionName", listener.as_str());
        routes.push(Route {
            file: source.key.file,
            kind: "TLSRoute",
            name: derived_name(&source.name, &slug(host)),
            namespace: source.namespace.clone(),
            origin: source.origin.clone(),
            hostnames: vec![host.clone()],
            parent,
            rules: vec![Map::new().with("backendRefs", vec![Value::Map(backend)])],
            annotations: Vec::new(),
        });
        any = true;
    }
    ledger.record(
        &key,
        if any {
            Outcome::Translated
        } else {
            Outcome::NotTranslated("no rule with a host and a backend".into())
        },
    );
}

/// spec.defaultBackend: a catch-all rule in a route without hostnames.
fn default_backend(
    source: &Source<'_>,
    ledger: &mut Ledger,
    backend: &Backend,
    parent: &Map,
    routes: &mut Vec<Route>,
) {
    let Some(reference) = backend_ref(source, ledger, "spec.defaultBackend", backend) else {
        return;
    };
    ledger.spec(
        "spec.defaultBackend".into(),
        String::new(),
        source.ingress_span(),
        Outcome::Approximated("a catch-all route for requests no other route matches; ingress-nginx used it for unknown hosts only".into()),
    );
    routes.push(Route {
        file: source.key.file,
        kind: "HTTPRoute",
        name: derived_name(&source.name, "default-backend"),
        namespace: source.namespace.clone(),
        origin: source.origin.clone(),
        hostnames: Vec::new(),
        parent: parent.clone(),
        rules: vec![Map::new()
            .with("matches", vec![Value::Map(path_match("PathPrefix", "/"))])
            .with("backendRefs", vec![Value::Map(reference)])],
        annotations: Vec::new(),
    });
}

/// A canary Ingress: its backend joins the main route's rule for the same host and path —
/// by weight, or in a rule matching the canary header or cookie.
fn fold_canary(
    source: &Source<'_>,
    ledger: &mut Ledger,
    routes: &mut [Route],
    mains: &BTreeMap<(String, String, String), (usize, usize)>,
) {
    let canary_key = source.key_of("canary").unwrap_or_default();
    let mut folded = false;
    for rule in &source.rules {
        for path in &rule.paths {
            let found = mains.get(&(
                source.namespace.clone(),
                rule.host.clone().unwrap_or_default(),
                path.path.clone(),
            ));
            let Some(&(route, main_rule)) = found else {
                ledger.spec(
                    path.at.clone(),
                    path.path.clone(),
                    path.span,
                    Outcome::NotTranslated(format!(
                        "no main Ingress for host {} and path {} in the input to add the canary to",
                        rule.host.as_deref().unwrap_or("*"),
                        path.path
                    )),
                );
                continue;
            };
            let Some(backend) = backend_ref(source, ledger, &path.at, &path.backend) else {
                continue;
            };
            let main = routes[route].rules[main_rule].clone();
            let matches = main.get("matches").cloned();
            // The main Ingress's backend, for requests that say "never".
            let main_backend = match main.get("backendRefs") {
                Some(Value::List(refs)) => match refs.first() {
                    Some(Value::Map(first)) => Some(first.clone()),
                    _ => None,
                },
                _ => None,
            };
            let mut extra = Vec::new();
            if let Some(header) = source.nginx("canary-by-header") {
                let (kind, value, key) = match (
                    source.nginx("canary-by-header-value"),
                    source.nginx("canary-by-header-pattern"),
                ) {
                    (Some(v), pattern) => {
                        if let Some(p) = pattern {
                            ledger.record(
                                &p.key,
                                Outcome::NoEffect(
                                    "NGINX ignores the pattern when canary-by-header-value is set"
                                        .into(),
                                ),
                            );
                        }
                        ("Exact", v.value.trim().to_string(), Some(&v.key))
                    }
                    (None, Some(p)) => (
                        "RegularExpression",
                        p.value.trim().to_string(),
                        Some(&p.key),
                    ),
                    (None, None) => ("Exact", "always".to_string(), None),
                };
                extra.push(header_rule(
                    &matches,
                    &header.value,
                    kind,
                    &value,
                    &backend,
                    &header.key,
                ));
                // "never" keeps a request on the main backend, whatever cookie or weight say.
                let overruled =
                    source.nginx("canary-by-cookie").is_some() || source.canary_weight().is_some();
                if key.is_none() && overruled {
                    if let Some(main_backend) = &main_backend {
                        extra.push(header_rule(
                            &matches,
                            &header.value,
                            "Exact",
                            "never",
                            main_backend,
                            &header.key,
                        ));
                    }
                }
                ledger.record(&header.key, Outcome::Translated);
                if let Some(key) = key {
                    ledger.record(key, if kind == "Exact" { Outcome::Translated } else {
                        Outcome::Approximated("RegularExpression header match: the dialect is implementation-specific; NGINX used PCRE".into())
                    });
                }
            }
            if let Some(cookie) = source.nginx("canary-by-cookie") {
                let pattern = |value: &str| {
                    format!(
                        "(.*;\\s*)?{}={value}(;.*)?",
                        regex_escape(cookie.value.trim())
                    )
                };
                extra.push(header_rule(
                    &matches,
                    "Cookie",
                    "RegularExpression",
                    &pattern("always"),
                    &backend,
                    &cookie.key,
                ));
                if let Some(main_backend) = main_backend
                    .as_ref()
                    .filter(|_| source.canary_weight().is_some())
                {
                    extra.push(header_rule(
                        &matches,
                        "Cookie",
                        "RegularExpression",
                        &pattern("never"),
                        main_backend,
                        &cookie.key,
                    ));
                }
                ledger.record(&cookie.key, Outcome::Approximated(
                    "a RegularExpression match on the Cookie header (implementation-specific dialect)".into(),
                ));
            }
            if let Some((weight, parsed)) = source.canary_weight() {
                match parsed {
                    Some((w, total)) => {
                        let main_rule = &mut routes[route].rules[main_rule];
                        if let Some(Value::List(refs)) = main_rule.get_mut("backendRefs") {
                            if let Some(Value::Map(first)) = refs.first_mut() {
                                first.set("weight", total - w);
                            }
                            let mut canary = backend.clone().with("weight", w);
                            canary.comment("weight", format!("{}: {w} of {total}", weight.key));
                            refs.push(Value::Map(canary));
                        }
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
            routes[route].rules.extend(extra);
            folded = true;
        }
    }
    ledger.record(
        &canary_key,
        if folded {
            Outcome::Translated
        } else {
            Outcome::NotTranslated("no main route to fold the canary into".into())
        },
    );
}

fn header_rule(
    matches: &Option<Value>,
    header: &str,
    kind: &str,
    value: &str,
    backend: &Map,
    key: &str,
) -> Map {
    let header_match = Map::new()
        .with("type", kind)
        .with("name", header.trim())
        .with("value", value);
    let matches = match matches {
        Some(Value::List(list)) => list
            .iter()
            .map(|m| match m {
                Value::Map(m) => Value::Map(
                    m.clone()
                        .with("headers", vec![Value::Map(header_match.clone())]),
                ),
                other => other.clone(),
            })
            .collect(),
        _ => vec![Value::Map(
            Map::new().with("headers", vec![Value::Map(header_match)]),
        )],
    };
    let mut rule = Map::new()
        .with("matches", matches)
        .with("backendRefs", vec![Value::Map(backend.clone())]);
    rule.comment("matches", format!("canary: {key}"));
    rule
}

/// A hostname the Gateway API accepts: an optional `*.` and lower-case DNS labels
/// (the `hostname` pattern of the v1 CRDs).
fn valid_hostname(host: &str) -> bool {
    let name = host.strip_prefix("*.").unwrap_or(host);
    !name.is_empty()
        && host.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_idiom_is_a_prefix_strip() {
        assert_eq!(
            capture_prefix("/api(/|$)(.*)", "/$2").as_deref(),
            Some("/api")
        );
        assert_eq!(capture_prefix("(/|$)(.*)", "/$2").as_deref(), Some("/"));
        assert_eq!(capture_prefix("/api(/|$)(.*)", "/v2/$2"), None);
        assert_eq!(capture_prefix("/api/(.*)", "/$1").as_deref(), Some("/api"));
        assert_eq!(capture_prefix("/api/(.*)", "/$2"), None);
        assert_eq!(capture_prefix("/a.*(/|$)(.*)", "/$2"), None);
    }

    #[test]
    fn redirect_urls_become_redirect_fields() {
        let r = redirect_target("https://new.example.com/landing", false).unwrap();
        assert_eq!(r.get("hostname"), Some(&Value::from("new.example.com")));
        assert!(r.get("path").is_some());
        let kept = redirect_target("https://new.example.com", true).unwrap();
        assert_eq!(kept.get("path"), None);
        let port = redirect_target("http://a.example.com:8080", false).unwrap();
        assert_eq!(port.get("port"), Some(&Value::Int(8080)));
        assert!(redirect_target("https://a.example.com/x?y=1", false).is_err());
        assert!(redirect_target("https://a.example.com/app", true).is_err());
        assert!(redirect_target("/relative", false).is_err());
    }

    #[test]
    fn hostnames_follow_the_crd_pattern() {
        assert!(valid_hostname("a.example.com"));
        assert!(valid_hostname("*.example.com"));
        assert!(!valid_hostname("__INGRESS_HOST__"));
        assert!(!valid_hostname("registry.<your domain>"));
        assert!(!valid_hostname("A.example.com"));
        assert!(!valid_hostname("a..b"));
    }

    #[test]
    fn cookie_names_are_escaped() {
        assert_eq!(regex_escape("a.b"), "a\\.b");
    }
}
