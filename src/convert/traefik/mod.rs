//! `convert --to traefik`: the Ingress with Traefik's class and router annotations, plus a
//! `traefik.io/v1alpha1` Middleware per feature the annotations ask for, chained through
//! `traefik.ingress.kubernetes.io/router.middlewares` in the order NGINX applies them
//! (access, then authentication, then headers, redirects and rewrites). An Ingress of a host
//! with TLS gets an HTTPS router and an HTTP one that redirects or serves, as NGINX decided
//! per location; client certificates a TLSOption.

mod backend;
mod canary;
mod client_auth;
mod ingress_route;
mod middlewares;
mod routes;

use super::ingress;
use super::source::Source;
use super::yaml::{Map, Value};
use super::{derived_name, metadata, Ledger, Outcome, Output, Request};
use crate::knowledge::Knowledge;
use client_auth::ClientAuth;
use middlewares::Chain;

/// The API group and version of Traefik's CRDs.
const API: &str = "traefik.io/v1alpha1";
const MIDDLEWARES: &str = "traefik.ingress.kubernetes.io/router.middlewares";
const PATH_MATCHER: &str = "traefik.ingress.kubernetes.io/router.pathmatcher";

/// The entry points of Traefik's Helm chart: plain HTTP and TLS.
const WEB: &str = "web";
const WEBSECURE: &str = "websecure";
const ENTRY_POINTS: &str = "traefik.ingress.kubernetes.io/router.entrypoints";
const ROUTER_TLS: &str = "traefik.ingress.kubernetes.io/router.tls";
const TLS_OPTIONS: &str = "traefik.ingress.kubernetes.io/router.tls.options";

pub fn convert(
    knowledge: &Knowledge,
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    request: &Request<'_>,
    out: &mut Output<'_>,
) {
    let class = ingress::target_class(knowledge, request, out);
    let mains = canary::main_backends(sources);
    let host_paths = canary::host_paths(sources);
    let tls_hosts = tls_hosts(sources);
    let regex_hosts: std::collections::BTreeSet<String> = sources
        .iter()
        .filter(|s| !s.is_canary() && s.regex_paths())
        .flat_map(|s| s.rules.iter().filter_map(|r| r.host.clone()))
        .collect();
    let all_hosts: std::collections::BTreeSet<String> = sources
        .iter()
        .flat_map(|s| s.rules.iter().filter_map(|r| r.host.clone()))
        .collect();
    // server-alias names already claimed, by the first Ingress naming them.
    let mut claimed = std::collections::BTreeSet::new();
    let mut split = false;
    let mut main_middlewares = canary::MainMiddlewares::new();
    // Canaries after the main Ingresses, whose Middlewares they go through.
    let order = (0..sources.len())
        .filter(|&i| !sources[i].is_canary())
        .chain((0..sources.len()).filter(|&i| sources[i].is_canary()));
    for i in order {
        let (source, ledger) = (&sources[i], &mut ledgers[i]);
        if source.is_canary() {
            canary::convert(source, ledger, &mains, &host_paths, &main_middlewares, out);
            continue;
        }
        let mut chain = Chain::build(source, knowledge, ledger);
        routes::app_root(&mut chain, ledger);
        routes::passthrough(source, ledger, out);
        routes::www_redirect(source, ledger, &all_hosts, out);
        for rule in &source.rules {
            for path in &rule.paths {
                main_middlewares.insert(
                    (
                        source.namespace.clone(),
                        rule.host.clone().unwrap_or_default(),
                        path.path.clone(),
                    ),
                    chain.names.clone(),
                );
            }
        }
        let backend = backend::read(source, ledger);
        let client_auth = client_auth::read(source, &mut chain, ledger);
        let refused = match &client_auth {
            ClientAuth::Refused(why) => Some(why.clone()),
            _ => chain.refused.clone(),
        }
        .or_else(|| strict_path_refusal(source));
        if let Some(why) = refused {
            ledger.spec(
                "metadata.annotations".into(),
                String::new(),
                source.ingress_span(),
                Outcome::NotTranslated(format!("the Ingress is not written: {why}")),
            );
            continue;
        }
        // NGINX matches every path of a host with use-regex or rewrite-target on one Ingress
        // as `~* "^path"`: an IngressRoute's anchored, case-insensitive PathRegexp.
        let regex_host = source
            .rules
            .iter()
            .any(|r| r.host.as_ref().is_some_and(|h| regex_hosts.contains(h)))
            || source.regex_paths();
        if regex_host {
            if let Some(key) = source.key_of("use-regex") {
                ledger.record(&key, Outcome::Approximated(
                    "an IngressRoute with PathRegexp(`(?i)^path`) on every path of the host, as NGINX's ~*; Go RE2 where NGINX used PCRE (no lookarounds or backreferences)".into(),
                ));
            }
        }
        // What the target reads as annotations, for the keys left.
        let mut ingress = ingress::ingress(knowledge, source, ledger, request, &class);
        routes::default_backend(source, ledger, &mut ingress);
        let aliases = routes::server_alias(source, ledger, &all_hosts, &mut claimed, &mut ingress);
        let references = |names: &[String]| {
            names
                .iter()
                .map(|name| format!("{}-{name}@kubernetescrd", source.namespace))
                .collect::<Vec<_>>()
                .join(",")
        };
        {
            let annotations = annotations_of(&mut ingress);
            if source.regex_paths() {
                annotations.set(PATH_MATCHER, "PathRegexp");
                annotations.comment(PATH_MATCHER, "regex paths (use-regex / rewrite-target)");
            }
            if !chain.names.is_empty() {
                annotations.set(MIDDLEWARES, references(&chain.names));
            }
        }
        let secure = !source.tls.is_empty()
            || source.is_true("force-ssl-redirect")
            || source
                .rules
                .iter()
                .any(|r| r.host.as_ref().is_some_and(|h| tls_hosts.contains(h)));
        if regex_host || backend.needed() {
            let redirects = https_redirect_keys(source, ledger, secure);
            let mut http_middlewares = None;
            if secure {
                split = true;
                if redirects {
                    let name = derived_name(&source.name, "https-redirect");
                    chain.objects.push(redirect_scheme(source, &name));
                    http_middlewares = Some(vec![name]);
                } else if !matches!(client_auth, ClientAuth::Option { .. }) {
                    http_middlewares = Some(chain.names.clone());
                }
            }
            let tls_option = match &client_auth {
                ClientAuth::Option {
                    namespace, name, ..
                } => Some((namespace.as_str(), name.as_str())),
                _ => None,
            };
            let exposure = ingress_route::Exposure {
                secure,
                http_middlewares,
                tls_option,
                aliases: &aliases,
                name_suffix: request.name_suffix.unwrap_or_default(),
            };
            for route in ingress_route::build(
                source,
                &ingress,
                &chain.names,
                &backend,
                regex_host,
                &exposure,
            ) {
                out.emit(Some(source.key.file), route);
            }
            for left in ingress_route::router_annotations_left(&ingress) {
                out.decide(format!("{}/{}: `{left}` has no place on the IngressRoute written for it: set its equivalent on the route by hand", source.namespace, source.name));
            }
        } else if !secure {
            https_redirect_keys(source, ledger, false);
            out.emit(Some(source.key.file), ingress);
        } else {
            split = true;
            // NGINX decides the redirect per location, by the host's certificate and the
            // Ingress's own ssl-redirect: an HTTPS router, and an HTTP router that redirects
            // or serves alike.
            let redirects = https_redirect_keys(source, ledger, true);
            let mut http = ingress.clone();
            {
                let annotations = annotations_of(&mut ingress);
                annotations.set(ENTRY_POINTS, WEBSECURE);
                annotations.set(ROUTER_TLS, "true");
                if let ClientAuth::Option { reference, .. } = &client_auth {
                    annotations.set(TLS_OPTIONS, reference.as_str());
                }
            }
            if let Some(Value::Map(spec)) = http.get_mut("spec") {
                spec.remove("tls");
            }
            if let Some(Value::Map(meta)) = http.get_mut("metadata") {
                let name = match meta.get("name") {
                    Some(Value::Str(name)) => derived_name(name, "http"),
                    _ => String::new(),
                };
                meta.set("name", name);
            }
            let annotations = annotations_of(&mut http);
            annotations.set(ENTRY_POINTS, WEB);
            if redirects {
                let name = derived_name(&source.name, "https-redirect");
                chain.objects.push(redirect_scheme(source, &name));
                annotations.set(MIDDLEWARES, references(&[name]));
                annotations.comment(MIDDLEWARES, "ingress-nginx redirects HTTP to HTTPS for hosts with TLS (ssl-redirect, default \"true\")");
            }
            out.emit(Some(source.key.file), ingress);
            // Over plain HTTP, NGINX answers a client-certificate location with 403: no HTTP
            // router that would serve it without the check.
            if redirects || !matches!(client_auth, ClientAuth::Option { .. }) {
                out.emit(Some(source.key.file), http);
            }
        }
        if let ClientAuth::Option { object, .. } = client_auth {
            out.emit(Some(source.key.file), object);
        }
        if let Some((_, transport)) = backend.transport {
            out.emit(Some(source.key.file), transport);
        }
        for object in chain.objects {
            out.emit(Some(source.key.file), object);
        }
    }
    if split {
        out.decide(format!("Ingresses of hosts with TLS are written twice: on entry point `{WEBSECURE}` (TLS) and, named `-http`, on `{WEB}`, redirecting or serving as NGINX did for each; rename the entry points if yours are not the chart's"));
    }
}

/// ingress-nginx (strict-validate-path-type, on by default since v1.12, as in Traefik's
/// provider) rejects an Ingress whose Prefix or Exact path holds more than letters, digits,
/// `.`, `_`, `-` and `/`: it serves none of it, so nothing is written.
fn strict_path_refusal(source: &Source<'_>) -> Option<String> {
    if source.global("strict-validate-path-type") == Some("false") {
        return None;
    }
    let plain = |path: &str| {
        path.starts_with('/')
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
    };
    let bad = source
        .rules
        .iter()
        .flat_map(|r| &r.paths)
        .find(|p| matches!(p.path_type.as_str(), "Prefix" | "Exact") && !plain(&p.path))?;
    Some(format!(
        "path `{}` of type {} holds characters ingress-nginx's strict-validate-path-type refuses (on by default since v1.12): NGINX rejects the whole Ingress, so nothing is written (set pathType ImplementationSpecific, or the ConfigMap's strict-validate-path-type to \"false\" if yours served it)",
        bad.path, bad.path_type
    ))
}

/// The hosts any (non-canary) Ingress gives a certificate: NGINX serves every path of such a
/// host over TLS, and redirects them on port 80 by each path's own ssl-redirect.
fn tls_hosts(sources: &[Source<'_>]) -> std::collections::BTreeSet<String> {
    sources
        .iter()
        .filter(|s| !s.is_canary())
        .flat_map(|s| s.tls.iter().flat_map(|t| t.hosts.iter().cloned()))
        .collect()
}

fn annotations_of(ingress: &mut Map) -> &mut Map {
    ingress.map_mut("metadata").map_mut("annotations")
}

/// A Traefik object of an Ingress: its kind, name (in the Ingress's namespace) and spec.
fn object(kind: &str, name: &str, source: &Source<'_>, spec: Map) -> Map {
    Map::new()
        .with("apiVersion", API)
        .with("kind", kind)
        .with(
            "metadata",
            metadata(name, &source.namespace, &source.origin),
        )
        .with("spec", spec)
}

/// The redirectScheme Middleware of an Ingress's HTTP router.
fn redirect_scheme(source: &Source<'_>, name: &str) -> Map {
    let mut spec = Map::new().with(
        "redirectScheme",
        Map::new().with("scheme", "https").with("permanent", true),
    );
    spec.comment(
        "redirectScheme",
        "NGINX answered 308 (http-redirect-code); Traefik answers 301 to GET and HEAD, 308 to other methods",
    );
    object("Middleware", name, source, spec)
}

/// Records ssl-redirect and force-ssl-redirect; whether the HTTP router redirects.
fn https_redirect_keys(source: &Source<'_>, ledger: &mut Ledger, secure: bool) -> bool {
    let redirects = secure && source.redirects_to_https();
    for suffix in ["ssl-redirect", "force-ssl-redirect"] {
        if let Some(key) = source.key_of(suffix) {
            ledger.record(
                &key,
                if redirects {
                    Outcome::Approximated("a redirectScheme Middleware on the Ingress's HTTP router: Traefik answers 301 to GET and HEAD (308 to other methods) where NGINX answered 308".into())
                } else {
                    Outcome::Translated
                },
            );
        }
    }
    redirects
}
