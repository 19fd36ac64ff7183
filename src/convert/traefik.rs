//! `convert --to traefik`: the Ingress with Traefik's class and router annotations, plus a
//! `traefik.io/v1alpha1` Middleware per feature the annotations ask for, chained through
//! `traefik.ingress.kubernetes.io/router.middlewares` in the order NGINX applies them
//! (access, then authentication, then headers, redirects and rewrites).

use super::cors::{self, Cors};
use super::ingress;
use super::source::{Backend, Port, Source};
use super::yaml::{Map, Value};
use super::{comma_list, derived_name, metadata, Ledger, Outcome, Output, Request};
use crate::knowledge::Knowledge;

const API: &str = "traefik.io/v1alpha1";
const MIDDLEWARES: &str = "traefik.ingress.kubernetes.io/router.middlewares";
const PATH_MATCHER: &str = "traefik.ingress.kubernetes.io/router.pathmatcher";

pub fn convert(
    knowledge: &Knowledge,
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    request: &Request<'_>,
    out: &mut Output<'_>,
) {
    let class = ingress::target_class(knowledge, request, out);
    let mains = main_backends(sources);
    let host_paths = host_paths(sources);
    for (source, ledger) in sources.iter().zip(ledgers.iter_mut()) {
        if source.is_canary() {
            canary(source, ledger, &mains, &host_paths, out);
            continue;
        }
        let mut chain = Chain {
            source,
            names: Vec::new(),
            objects: Vec::new(),
        };
        ip_allow_list(&mut chain, ledger);
        rate_limit(&mut chain, ledger);
        basic_auth(&mut chain, ledger);
        forward_auth(&mut chain, ledger);
        cors(&mut chain, knowledge, ledger);
        request_headers(&mut chain, ledger);
        response_headers(&mut chain, ledger);
        redirect(&mut chain, ledger);
        rewrite(&mut chain, ledger);
        buffering(&mut chain, ledger);
        retry(&mut chain, ledger);
        https_redirect(source, ledger, out);
        servers_transport(&mut chain, ledger);
        if source.regex_paths() {
            if let Some(key) = source.key_of("use-regex") {
                ledger.record(&key, Outcome::Approximated(
                    "PathRegexp uses Go RE2, case-sensitive and unanchored unless the path says so; NGINX used case-insensitive PCRE prefixes".into(),
                ));
            }
        }
        // What the target reads as annotations, for the keys left.
        let mut ingress = ingress::ingress(knowledge, source, ledger, request, &class);
        let meta = match ingress.get_mut("metadata") {
            Some(Value::Map(meta)) => meta,
            _ => continue,
        };
        let annotations = meta.map_mut("annotations");
        if source.regex_paths() {
            annotations.set(PATH_MATCHER, "PathRegexp");
            annotations.comment(PATH_MATCHER, "regex paths (use-regex / rewrite-target)");
        }
        if !chain.names.is_empty() {
            let references: Vec<String> = chain
                .names
                .iter()
                .map(|name| format!("{}-{name}@kubernetescrd", source.namespace))
                .collect();
            annotations.set(MIDDLEWARES, references.join(","));
        }
        out.emit(Some(source.key.file), ingress);
        for object in chain.objects {
            out.emit(Some(source.key.file), object);
        }
    }
}

/// (namespace, host, path) → the main Ingress's backend and TLS secret: what a canary
/// splits traffic with.
type Mains<'s> =
    std::collections::BTreeMap<(String, String, String), (&'s Backend, Option<String>)>;

fn main_backends<'s>(sources: &'s [Source<'_>]) -> Mains<'s> {
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
type HostPaths = std::collections::BTreeMap<String, Vec<(String, String)>>;

fn host_paths(sources: &[Source<'_>]) -> HostPaths {
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
fn canary_matcher(host: &str, path: &super::source::HttpPath, host_paths: &HostPaths) -> String {
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
fn canary(
    source: &Source<'_>,
    ledger: &mut Ledger,
    mains: &Mains<'_>,
    host_paths: &HostPaths,
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
                let name = super::regex_escape(cookie.value.trim());
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

/// The Middlewares of one Ingress, in chain order.
struct Chain<'s, 'a> {
    source: &'s Source<'a>,
    names: Vec<String>,
    objects: Vec<Map>,
}

impl Chain<'_, '_> {
    /// Adds a Middleware `<ingress>-<feature>` with one spec field, commented with the keys
    /// it comes from.
    fn add(&mut self, feature: &str, field: &str, config: Map, from: &[String]) {
        let name = derived_name(&self.source.name, feature);
        let mut spec = Map::new().with(field, config);
        for key in from {
            spec.comment(field, key.clone());
        }
        self.objects.push(
            Map::new()
                .with("apiVersion", API)
                .with("kind", "Middleware")
                .with(
                    "metadata",
                    metadata(&name, &self.source.namespace, &self.source.origin),
                )
                .with("spec", spec),
        );
        self.names.push(name);
    }
}

/// whitelist-source-range / allowlist-source-range → ipAllowList.
fn ip_allow_list(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(annotation) = source
        .nginx("allowlist-source-range")
        .or_else(|| source.nginx("whitelist-source-range"))
    else {
        return;
    };
    chain.add(
        "ip-allow-list",
        "ipAllowList",
        Map::new().with("sourceRange", comma_list(&annotation.value)),
        &[format!("{}: {}", annotation.key, annotation.value)],
    );
    ledger.record(&annotation.key, Outcome::Approximated(
        "Traefik checks the connection's address; behind another proxy, set ipStrategy as NGINX used real-ip settings".into(),
    ));
}

/// limit-rps / limit-rpm → a rateLimit each (burst = rate × limit-burst-multiplier,
/// default 5); NGINX applies both when both are set.
fn rate_limit(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let multiplier = source
        .value("limit-burst-multiplier")
        .and_then(|m| m.parse::<i64>().ok())
        .unwrap_or(5);
    for (suffix, period, feature) in [
        ("limit-rps", "1s", "rate-limit"),
        ("limit-rpm", "1m", "rate-limit-minute"),
    ] {
        let Some(annotation) = source.nginx(suffix) else {
            continue;
        };
        let Ok(rate) = annotation.value.trim().parse::<i64>() else {
            ledger.record(
                &annotation.key,
                Outcome::NotTranslated("not a number".into()),
            );
            continue;
        };
        let mut keys = vec![format!("{}: {rate}", annotation.key)];
        if let Some(key) = source.key_of("limit-burst-multiplier") {
            keys.push(format!("{key}: {multiplier}"));
            ledger.record(&key, Outcome::Translated);
        }
        chain.add(
            feature,
            "rateLimit",
            Map::new()
                .with("average", rate)
                .with("period", period)
                .with("burst", rate.saturating_mul(multiplier)),
            &keys,
        );
        ledger.record(&annotation.key, Outcome::Approximated(
            "a token bucket per client IP answering 429; NGINX's leaky bucket answered 503 and counted per replica".into(),
        ));
    }
}

/// upstream-vhost, x-forwarded-prefix → headers customRequestHeaders. (Not
/// connection-proxy-header: Go's proxy drops hop-by-hop headers such as Connection.)
fn request_headers(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let headers = chain.source.request_headers(
        ledger,
        &[
            ("upstream-vhost", "Host"),
            ("x-forwarded-prefix", "X-Forwarded-Prefix"),
        ],
        false,
    );
    if headers.is_empty() {
        return;
    }
    let mut custom = Map::new();
    for (header, value, _) in &headers {
        custom.set(header, *value);
    }
    let keys: Vec<String> = headers
        .iter()
        .map(|(_, value, key)| format!("{key}: {value}"))
        .collect();
    chain.add(
        "request-headers",
        "headers",
        Map::new().with("customRequestHeaders", custom),
        &keys,
    );
}

/// auth-type basic|digest + auth-secret (+ auth-realm) → basicAuth / digestAuth.
fn basic_auth(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(kind) = source.nginx("auth-type") else {
        return;
    };
    let field = match kind.value.trim() {
        "basic" => "basicAuth",
        "digest" => "digestAuth",
        other => {
            ledger.record(
                &kind.key,
                Outcome::NotTranslated(format!("auth-type `{other}`")),
            );
            return;
        }
    };
    let Some(secret) = source.nginx("auth-secret") else {
        ledger.record(&kind.key, Outcome::NotTranslated("no auth-secret".into()));
        return;
    };
    let name = secret.value.trim();
    let name = name.split_once('/').map_or(name, |(_, n)| n);
    let mut config = Map::new().with("secret", name);
    let mut keys = vec![
        format!("{}: {}", kind.key, kind.value.trim()),
        format!("{}: {}", secret.key, secret.value.trim()),
    ];
    if let Some(realm) = source.nginx("auth-realm") {
        config.set("realm", realm.value.as_str());
        keys.push(format!("{}: {}", realm.key, realm.value));
        ledger.record(&realm.key, Outcome::Translated);
    }
    chain.add("auth", field, config, &keys);
    ledger.record(&kind.key, Outcome::Translated);
    ledger.record(&secret.key, Outcome::Approximated(
        "the same Secret, referenced: Traefik reads htpasswd lines under the key `users` (or a kubernetes.io/basic-auth Secret), ingress-nginx under `auth`: copy the key".into(),
    ));
    if let Some(key) = source.key_of("auth-secret-type") {
        ledger.record(
            &key,
            Outcome::Approximated(
                "auth-map Secrets need reformatting to htpasswd lines under `users`".into(),
            ),
        );
    }
}

/// auth-url (+ auth-response-headers) → forwardAuth.
fn forward_auth(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(url) = source.nginx("auth-url") else {
        return;
    };
    if url.value.contains('$') {
        ledger.record(
            &url.key,
            Outcome::NotTranslated("the URL uses NGINX variables".into()),
        );
        return;
    }
    let mut config = Map::new().with("address", url.value.trim());
    let mut keys = vec![format!("{}: {}", url.key, url.value.trim())];
    if let Some(headers) = source.nginx("auth-response-headers") {
        config.set("authResponseHeaders", comma_list(&headers.value));
        keys.push(format!("{}: {}", headers.key, headers.value));
        ledger.record(&headers.key, Outcome::Translated);
    }
    chain.add("forward-auth", "forwardAuth", config, &keys);
    ledger.record(&url.key, Outcome::Approximated(
        "Traefik forwards the request's headers to the address instead of an NGINX sub-request, and caches nothing".into(),
    ));
}

/// enable-cors → headers with accessControl* fields, NGINX's defaults written out.
fn cors(chain: &mut Chain<'_, '_>, knowledge: &Knowledge, ledger: &mut Ledger) {
    let Some(cors) = Cors::read(chain.source, knowledge, ledger) else {
        return;
    };
    let fields = cors.fields([
        "accessControlAllowOriginList",
        "accessControlAllowMethods",
        "accessControlAllowHeaders",
        "accessControlExposeHeaders",
        "accessControlAllowCredentials",
        "accessControlMaxAge",
    ]);
    chain.add("cors", "headers", fields, &[cors::FROM.into()]);
}

/// custom-headers → headers customResponseHeaders, the ConfigMap's entries inline.
fn response_headers(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let Some(headers) = chain
        .source
        .response_headers(ledger)
        .filter(|h| !h.is_empty())
    else {
        return;
    };
    let mut custom = Map::new();
    for (name, value) in headers {
        custom.set(name, value.as_str());
    }
    chain.add(
        "response-headers",
        "headers",
        Map::new().with("customResponseHeaders", custom),
        &["custom-headers: the ConfigMap's headers".into()],
    );
}

/// permanent-redirect / temporal-redirect → redirectRegex.
fn redirect(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(wanted) = source.redirect(ledger) else {
        return;
    };
    let (annotation, permanent) = (wanted.annotation, wanted.permanent);
    let url = annotation.value.trim();
    let (regex, replacement) = if wanted.keeps_path {
        (
            "^https?://[^/]+(.*)".to_string(),
            format!("{}${{1}}", wanted.base),
        )
    } else {
        (".*".to_string(), wanted.base.to_string())
    };
    chain.add(
        "redirect",
        "redirectRegex",
        Map::new()
            .with("regex", regex)
            .with("replacement", replacement)
            .with("permanent", permanent),
        &[format!("{}: {url}", annotation.key)],
    );
    ledger.record(
        &annotation.key,
        Outcome::Approximated(if permanent {
            "Traefik answers 301 to GET and 308 to other methods".into()
        } else {
            "Traefik answers 302 to GET and 307 to other methods".into()
        }),
    );
    for suffix in ["permanent-redirect-code", "temporal-redirect-code"] {
        if let Some(code) = source.nginx(suffix) {
            ledger.record(
                &code.key,
                Outcome::Approximated(format!(
                    "Traefik has no status code setting: {} maps to permanent: {permanent}",
                    code.value.trim()
                )),
            );
        }
    }
}

/// rewrite-target → stripPrefix (the prefix idiom), replacePath (a constant), or
/// replacePathRegex (captures).
fn rewrite(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(annotation) = source.nginx("rewrite-target") else {
        return;
    };
    let target = annotation.value.trim();
    let paths: Vec<&str> = source
        .rules
        .iter()
        .flat_map(|r| &r.paths)
        .map(|p| p.path.as_str())
        .collect();
    let comment = [format!("{}: {target}", annotation.key)];
    let prefixes: Option<Vec<Value>> = paths
        .iter()
        .map(|p| {
            p.strip_suffix("(/|$)(.*)")
                .filter(|_| target == "/$2")
                .map(Value::from)
        })
        .collect();
    match prefixes {
        Some(prefixes) if !prefixes.is_empty() => {
            chain.add("rewrite", "stripPrefix", Map::new().with("prefixes", prefixes), &comment);
            ledger.record(&annotation.key, Outcome::Approximated(
                "stripPrefix with the idiom's prefixes; Traefik sets X-Forwarded-Prefix, NGINX did not".into(),
            ));
        }
        _ if !target.contains('$') => {
            chain.add("rewrite", "replacePath", Map::new().with("path", target), &comment);
            ledger.record(&annotation.key, Outcome::Translated);
        }
        _ if paths.len() == 1 => {
            chain.add(
                "rewrite",
                "replacePathRegex",
                Map::new().with("regex", format!("^{}", paths[0])).with("replacement", target),
                &comment,
            );
            ledger.record(&annotation.key, Outcome::Approximated(
                "replacePathRegex with the path as regex: Go RE2, case-sensitive; NGINX used case-insensitive PCRE".into(),
            ));
        }
        _ => ledger.record(&annotation.key, Outcome::NotTranslated(
            "captures over several paths need one replacePathRegex per path: one Middleware per router".into(),
        )),
    }
}

/// proxy-body-size → buffering.maxRequestBodyBytes.
fn buffering(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(annotation) = source.nginx("proxy-body-size") else {
        return;
    };
    let Some(bytes) = size_bytes(annotation.value.trim()) else {
        ledger.record(
            &annotation.key,
            Outcome::NotTranslated("not an NGINX size (number with k, m or g)".into()),
        );
        return;
    };
    if bytes == 0 {
        // 0 lifts NGINX's limit; Traefik has none unless buffering is set.
        ledger.record(&annotation.key, Outcome::Translated);
        return;
    }
    chain.add(
        "body-size",
        "buffering",
        Map::new().with("maxRequestBodyBytes", bytes),
        &[format!("{}: {}", annotation.key, annotation.value.trim())],
    );
    ledger.record(
        &annotation.key,
        Outcome::Approximated(
            "the buffering Middleware also buffers the whole request before passing it on".into(),
        ),
    );
}

/// `8m` → 8388608; NGINX sizes are bytes, k, m or g (binary).
fn size_bytes(text: &str) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let (digits, factor) = match lower.chars().last()? {
        'k' => (&lower[..lower.len() - 1], 1024),
        'm' => (&lower[..lower.len() - 1], 1024 * 1024),
        'g' => (&lower[..lower.len() - 1], 1024 * 1024 * 1024),
        _ => (lower.as_str(), 1),
    };
    digits.parse::<i64>().ok()?.checked_mul(factor)
}

/// proxy-next-upstream-tries → retry.attempts.
fn retry(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(annotation) = source.nginx("proxy-next-upstream-tries") else {
        return;
    };
    let Ok(tries) = annotation.value.trim().parse::<i64>() else {
        ledger.record(
            &annotation.key,
            Outcome::NotTranslated("not a number".into()),
        );
        return;
    };
    chain.add(
        "retry",
        "retry",
        Map::new().with("attempts", tries.max(1)),
        &[format!("{}: {tries}", annotation.key)],
    );
    ledger.record(&annotation.key, Outcome::Approximated(
        "Traefik retries on network errors (and may pick the same server); NGINX followed proxy-next-upstream's conditions".into(),
    ));
}

/// backend-protocol HTTPS/GRPCS/GRPC: the scheme Traefik speaks is a Service annotation
/// (`service.serversscheme`), and backend TLS a ServersTransport the Service names
/// (`service.serverstransport`). The ServersTransport is written; the Services are not
/// this conversion's to change, so the report says what to add.
fn servers_transport(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(protocol) = source.nginx("backend-protocol") else {
        return;
    };
    let value = protocol.value.trim().to_ascii_uppercase();
    let scheme = match value.as_str() {
        "HTTP" | "AUTO_HTTP" => {
            ledger.record(&protocol.key, Outcome::Translated);
            return;
        }
        "HTTPS" | "GRPCS" => "https",
        "GRPC" => "h2c",
        _ => return,
    };
    let services = source.backend_services().join(", ");
    let mut instructions = format!(
        "add `traefik.ingress.kubernetes.io/service.serversscheme: {scheme}` to Service(s) {services}"
    );
    if scheme == "https" {
        let name = derived_name(&source.name, "backend-tls");
        let mut config = Map::new();
        let verify = source.value("proxy-ssl-verify") == Some("on");
        if let Some(server_name) = source.value("proxy-ssl-name") {
            config.set("serverName", server_name);
        }
        if verify {
            if let Some(secret) = source.value("proxy-ssl-secret") {
                let secret = secret.split_once('/').map_or(secret, |(_, n)| n);
                config.set(
                    "rootCAs",
                    vec![Value::Map(Map::new().with("secret", secret))],
                );
            }
        } else {
            // ingress-nginx does not verify HTTPS backends unless proxy-ssl-verify is on.
            config.set("insecureSkipVerify", true);
        }
        let mut object = Map::new()
            .with("apiVersion", API)
            .with("kind", "ServersTransport")
            .with(
                "metadata",
                metadata(&name, &source.namespace, &source.origin),
            )
            .with("spec", config);
        if let Some(Value::Map(spec)) = object.get_mut("spec") {
            if let Some(first) = ["serverName", "rootCAs", "insecureSkipVerify"]
                .into_iter()
                .find(|k| spec.get(k).is_some())
            {
                spec.comment(
                    first,
                    format!("{}: {}", protocol.key, protocol.value.trim()),
                );
            }
        }
        chain.objects.push(object);
        instructions.push_str(&format!(
            " and `traefik.ingress.kubernetes.io/service.serverstransport: {}-{name}@kubernetescrd`",
            source.namespace
        ));
        for suffix in ["proxy-ssl-name", "proxy-ssl-verify", "proxy-ssl-secret"] {
            if let Some(key) = source.key_of(suffix) {
                ledger.record(&key, Outcome::Translated);
            }
        }
    }
    ledger.record(
        &protocol.key,
        Outcome::NotTranslated(format!(
            "a Service setting on Traefik{}: {instructions}",
            if scheme == "https" {
                " (the ServersTransport is written)"
            } else {
                ""
            }
        )),
    );
}

/// ingress-nginx redirects HTTP to HTTPS for hosts with TLS; Traefik does it on an entry
/// point, for every router at once.
fn https_redirect(source: &Source<'_>, ledger: &mut Ledger, out: &mut Output<'_>) {
    let tls = !source.tls.is_empty() || source.is_true("force-ssl-redirect");
    let off = !source.redirects_to_https();
    if tls && !off {
        out.decide("HTTP→HTTPS redirect: Traefik redirects on the entry point, not per router: `--entryPoints.web.http.redirections.entryPoint.to=websecure --entryPoints.web.http.redirections.entryPoint.scheme=https` (chart: `ports.web.redirections.entryPoint: {to: websecure, scheme: https, permanent: true}`)".into());
    }
    for suffix in ["ssl-redirect", "force-ssl-redirect"] {
        let Some(annotation) = source.nginx(suffix) else {
            continue;
        };
        let outcome = if off && !source.tls.is_empty() {
            Outcome::NotTranslated("an entry-point redirect cannot be switched off for one router: this Ingress's HTTP traffic would be redirected too".into())
        } else {
            Outcome::Approximated(
                "moved to the entry point's redirection (see the decisions)".into(),
            )
        };
        ledger.record(&annotation.key, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_sizes_are_binary() {
        assert_eq!(size_bytes("8m"), Some(8 * 1024 * 1024));
        assert_eq!(size_bytes("100K"), Some(100 * 1024));
        assert_eq!(size_bytes("1024"), Some(1024));
        assert_eq!(size_bytes("8mb"), None);
        assert_eq!(size_bytes(""), None);
    }
}
