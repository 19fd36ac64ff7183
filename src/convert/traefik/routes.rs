//! What an Ingress needs on Traefik besides its own router: ssl-passthrough as an
//! IngressRouteTCP (`HostSNI`, `tls.passthrough`), from-to-www-redirect as a router for the
//! other name, app-root as a redirect of `/` only, server-alias as more rules — as Traefik's
//! ingress-nginx provider builds them (build.go, middlewares.go `buildAppRoot`,
//! `buildFromToWwwRedirect`, `resolveAliases`).

use super::middlewares::Chain;
use crate::convert::source::{Backend, Port, Source};
use crate::convert::yaml::{Map, Value};
use crate::convert::{derived_name, regex_escape, Ledger, Outcome, Output};

/// ssl-passthrough: an IngressRouteTCP per host, forwarding the TLS connection to the
/// backend of the host's `/` path (the provider: the "/" path, else the default backend).
/// Whether the Ingress is passed through (its HTTP side is still built).
pub fn passthrough(source: &Source<'_>, ledger: &mut Ledger, out: &mut Output<'_>) {
    let Some(key) = source
        .key_of("ssl-passthrough")
        .filter(|_| source.is_true("ssl-passthrough"))
    else {
        return;
    };
    let mut routes = Vec::new();
    for rule in &source.rules {
        let Some(host) = &rule.host else {
            continue;
        };
        let backend = rule
            .paths
            .iter()
            .find(|p| p.path == "/")
            .map(|p| &p.backend)
            .or(source.default_backend.as_ref());
        let Some(Backend::Service { name, port }) = backend else {
            continue;
        };
        let port = match port {
            Port::Number(n)
            | Port::Name {
                number: Some(n), ..
            } => Value::Int(i64::from(*n)),
            Port::Name { name, number: None } => Value::from(name.as_str()),
            Port::Missing => continue,
        };
        let mut route = Map::new().with("match", format!("HostSNI(`{host}`)")).with(
            "services",
            vec![Value::Map(
                Map::new().with("name", name.as_str()).with("port", port),
            )],
        );
        route.comment("match", format!("{key}: \"true\""));
        routes.push(Value::Map(route));
    }
    if routes.is_empty() {
        ledger.record(
            &key,
            Outcome::NotTranslated("no rule with a host and a `/` path to pass through".into()),
        );
        return;
    }
    let spec = Map::new()
        .with("entryPoints", vec![Value::from(super::WEBSECURE)])
        .with("routes", routes)
        .with("tls", Map::new().with("passthrough", true));
    let name = derived_name(&source.name, "passthrough");
    out.emit(
        Some(source.key.file),
        super::object("IngressRouteTCP", &name, source, spec),
    );
    ledger.record(&key, Outcome::Approximated(
        "an IngressRouteTCP on websecure by SNI: Traefik checks TCP routers before HTTP ones, so the host's HTTPS never reaches its HTTP routers (as with NGINX's passthrough)".into(),
    ));
}

/// app-root: GET `/` answers 302 to the root path, through a redirectRegex matching only the
/// bare root URL.
pub fn app_root(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let Some(annotation) = chain.source.nginx("app-root") else {
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
    chain.add(
        "app-root",
        "redirectRegex",
        Map::new()
            .with("regex", "^(https?://[^/]+)/$")
            .with("replacement", format!("${{1}}{root}"))
            .with("permanent", false),
        &[format!("{}: {root}", annotation.key)],
    );
    let served = chain
        .source
        .rules
        .iter()
        .flat_map(|r| &r.paths)
        .any(|p| p.path == "/");
    ledger.record(
        &annotation.key,
        if served {
            Outcome::Translated
        } else {
            Outcome::Approximated("the Ingress has no `/` path: the redirect applies only where one of its routers matches `/` (NGINX redirected at the server)".into())
        },
    );
}

/// from-to-www-redirect: a router for the other name (www. added or removed) that redirects
/// to the Ingress's host, unless that name is a host of its own (the provider's bypass).
pub fn www_redirect(
    source: &Source<'_>,
    ledger: &mut Ledger,
    all_hosts: &std::collections::BTreeSet<String>,
    out: &mut Output<'_>,
) {
    let Some(annotation) = source.nginx("from-to-www-redirect") else {
        return;
    };
    if !source.is_true("from-to-www-redirect") {
        return;
    }
    let mut written = false;
    for rule in &source.rules {
        let Some(host) = rule.host.as_deref().filter(|h| !h.starts_with("*.")) else {
            continue;
        };
        let other = match host.strip_prefix("www.") {
            Some(bare) => bare.to_string(),
            None => format!("www.{host}"),
        };
        if all_hosts.contains(&other) {
            continue;
        }
        let name = derived_name(
            &source.name,
            &format!("www-redirect-{}", crate::convert::slug(&other)),
        );
        let mut redirect = Map::new().with(
            "redirectRegex",
            Map::new()
                .with(
                    "regex",
                    format!("^(https?)://{}(:[0-9]+)?/(.*)", regex_escape(&other)),
                )
                .with("replacement", format!("${{1}}://{host}/${{3}}"))
                .with("permanent", true),
        );
        redirect.comment("redirectRegex", format!("{}: \"true\"", annotation.key));
        out.emit(
            Some(source.key.file),
            super::object("Middleware", &name, source, redirect),
        );
        let mut route = Map::new()
            .with("kind", "Rule")
            .with("match", format!("Host(`{other}`)"))
            .with(
                "middlewares",
                vec![Value::Map(Map::new().with("name", name.as_str()))],
            )
            .with(
                "services",
                vec![Value::Map(
                    Map::new()
                        .with("name", "noop@internal")
                        .with("kind", "TraefikService"),
                )],
            );
        route.comment("match", format!("{}: \"true\"", annotation.key));
        out.emit(
            Some(source.key.file),
            super::object(
                "IngressRoute",
                &name,
                source,
                Map::new().with("routes", vec![Value::Map(route)]),
            ),
        );
        written = true;
    }
    ledger.record(
        &annotation.key,
        if written {
            Outcome::Approximated("an IngressRoute for the other name redirecting to the host (301 to GET and HEAD, 308 otherwise, where NGINX answered 308); over HTTPS the other name needs a certificate".into())
        } else {
            Outcome::NoEffect("the other name is a host of its own (or the host a wildcard): NGINX does not redirect it".into())
        },
    );
}

/// server-alias: the Ingress's rules again for each alias, except an alias that is a host of
/// its own or that an earlier Ingress claimed (the provider's `resolveAliases`, as
/// ingress-nginx resolves them).
pub fn server_alias(
    source: &Source<'_>,
    ledger: &mut Ledger,
    all_hosts: &std::collections::BTreeSet<String>,
    claimed: &mut std::collections::BTreeSet<String>,
    ingress: &mut Map,
) -> Vec<String> {
    let Some(annotation) = source.nginx("server-alias") else {
        return Vec::new();
    };
    let aliases: Vec<String> = annotation
        .value
        .split([',', ' '])
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty() && !all_hosts.contains(a))
        .filter(|a| claimed.insert(a.clone()))
        .collect();
    let Some(Value::Map(spec)) = ingress.get_mut("spec") else {
        return Vec::new();
    };
    let rules: Vec<Value> = match spec.get("rules") {
        Some(Value::List(rules)) => rules.clone(),
        _ => Vec::new(),
    };
    let mut added = Vec::new();
    for alias in &aliases {
        for rule in &rules {
            if let Value::Map(rule) = rule {
                if rule.get("host").is_some() {
                    added.push(Value::Map(rule.clone().with("host", alias.as_str())));
                }
            }
        }
    }
    if added.is_empty() {
        ledger.record(
            &annotation.key,
            Outcome::NoEffect(
                "every alias is a host of its own or another Ingress's alias: NGINX ignores it"
                    .into(),
            ),
        );
        return Vec::new();
    }
    let mut all = rules;
    all.extend(added);
    spec.set("rules", all);
    ledger.record(&annotation.key, Outcome::Approximated(
        "the rules again for each alias; over HTTPS an alias needs a certificate naming it (NGINX used the host's)".into(),
    ));
    aliases
}

/// spec.defaultBackend beside rules: NGINX serves each of the Ingress's hosts' unmatched
/// paths from it (a catch-all location per host); Traefik ignores it when rules exist. A `/`
/// rule per host that has none, which Traefik ranks last (the shortest rule).
pub fn default_backend(source: &Source<'_>, ledger: &mut Ledger, ingress: &mut Map) {
    let Some(Backend::Service { .. }) = &source.default_backend else {
        return;
    };
    if source.rules.is_empty() {
        // Alone, Traefik serves it as the catch-all, as NGINX does.
        return;
    }
    let Some(Value::Map(spec)) = ingress.get_mut("spec") else {
        return;
    };
    let Some(default) = spec.get("defaultBackend").cloned() else {
        return;
    };
    let mut rules = match spec.get("rules") {
        Some(Value::List(rules)) => rules.clone(),
        _ => Vec::new(),
    };
    let mut added = 0;
    let mut covered = std::collections::BTreeSet::new();
    for rule in &source.rules {
        let Some(host) = &rule.host else {
            continue;
        };
        let has_root = source
            .rules
            .iter()
            .filter(|r| r.host.as_ref() == Some(host))
            .flat_map(|r| &r.paths)
            .any(|p| p.path == "/");
        // One catch-all per host, however many rules name it.
        let already = !covered.insert(host.clone());
        if has_root || already {
            continue;
        }
        let path = Map::new()
            .with("path", "/")
            .with("pathType", "Prefix")
            .with("backend", default.clone());
        rules.push(Value::Map(
            Map::new()
                .with("host", host.as_str())
                .with("http", Map::new().with("paths", vec![Value::Map(path)])),
        ));
        added += 1;
    }
    spec.set("rules", rules);
    spec.remove("defaultBackend");
    ledger.spec(
        "spec.defaultBackend".into(),
        String::new(),
        source.ingress_span(),
        if added > 0 {
            Outcome::Translated
        } else {
            Outcome::NoEffect(
                "every host of the Ingress has a `/` path: NGINX never reaches its default backend"
                    .into(),
            )
        },
    );
}
