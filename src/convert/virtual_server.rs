//! F5 NGINX VirtualServers for what its Ingress annotations cannot say: a host that only
//! redirects, and a host whose traffic a canary splits. A VirtualServer owns its host, so one
//! is written only when the Ingresses it replaces are the only ones on that host and carry
//! nothing else it would have to express; the rest stays an Ingress, reported as before.

use std::collections::{BTreeMap, BTreeSet};

use super::source::{Backend, HttpPath, Port, Source};
use super::yaml::{Map, Value};
use super::{derived_name, metadata, slug, Ledger, Outcome, Output};

const API: &str = "k8s.nginx.org/v1";
/// The codes a VirtualServer redirect action takes.
const REDIRECT_CODES: [i64; 4] = [301, 302, 307, 308];

/// Writes the VirtualServers it can; returns the sources they replace.
pub fn convert(
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    class: &str,
    out: &mut Output<'_>,
) -> BTreeSet<usize> {
    // Sources by (namespace, host); a source with several hosts is left to the Ingress.
    let mut hosts: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    let mut shared = BTreeSet::new();
    for (i, source) in sources.iter().enumerate() {
        let names: BTreeSet<&str> = source
            .rules
            .iter()
            .filter_map(|r| r.host.as_deref())
            .collect();
        for host in &names {
            hosts
                .entry((source.namespace.clone(), host.to_string()))
                .or_default()
                .push(i);
        }
        if names.len() != 1 || source.rules.iter().any(|r| r.host.is_none()) {
            shared.insert(i);
        }
    }
    let mut replaced = BTreeSet::new();
    for ((_, host), members) in hosts {
        if members.iter().any(|i| shared.contains(i)) {
            continue;
        }
        let (canaries, mains): (Vec<usize>, Vec<usize>) =
            members.iter().partition(|&&i| sources[i].is_canary());
        let [main] = mains[..] else {
            continue;
        };
        let written = if canaries.is_empty() {
            redirect_host(&sources[main], &mut ledgers[main], &host, class, out)
        } else {
            canary_host(sources, ledgers, main, &canaries, &host, class, out)
        };
        if written {
            replaced.insert(main);
            replaced.extend(canaries);
        }
    }
    replaced
}

/// A path as a VirtualServer route matches it (`=` exact); regex paths are left out.
fn route_path(source: &Source<'_>, path: &HttpPath) -> Option<String> {
    if source.regex_paths() || !path.path.starts_with('/') {
        return None;
    }
    Some(if path.path_type == "Exact" {
        format!("={}", path.path)
    } else {
        path.path.clone()
    })
}

fn virtual_server(
    source: &Source<'_>,
    host: &str,
    class: &str,
    upstreams: Vec<Value>,
    routes: Vec<Value>,
) -> Map {
    let mut spec = Map::new()
        .with("ingressClassName", class)
        .with("host", host);
    if let Some(secret) = source.tls_for(Some(host)).and_then(|t| t.secret.clone()) {
        let mut tls = Map::new().with("secret", secret);
        // A VirtualServer does not redirect HTTP unless told; ingress-nginx did (308).
        if source.redirects_to_https() {
            tls.set(
                "redirect",
                Map::new().with("enable", true).with("code", 308),
            );
        }
        spec.set("tls", tls);
    }
    if !upstreams.is_empty() {
        spec.set("upstreams", upstreams);
    }
    spec.set("routes", routes);
    Map::new()
        .with("apiVersion", API)
        .with("kind", "VirtualServer")
        .with(
            "metadata",
            metadata(
                &derived_name(&slug(host), "vs"),
                &source.namespace,
                &source.origin,
            ),
        )
        .with("spec", spec)
}

/// An Ingress that answers every request of its host with a redirect.
fn redirect_host(
    source: &Source<'_>,
    ledger: &mut Ledger,
    host: &str,
    class: &str,
    out: &mut Output<'_>,
) -> bool {
    if source.nginx("temporal-redirect").is_none() && source.nginx("permanent-redirect").is_none() {
        return false;
    }
    let paths: Option<Vec<String>> = source
        .rules
        .iter()
        .flat_map(|r| &r.paths)
        .map(|p| route_path(source, p))
        .collect();
    let Some(paths) = paths.filter(|p| !p.is_empty()) else {
        return false;
    };
    let Some(wanted) = source.redirect(ledger) else {
        return false;
    };
    let url = if wanted.keeps_path {
        format!("{}${{request_uri}}", wanted.base)
    } else {
        wanted.base.to_string()
    };
    let code = wanted.status_code(
        ledger,
        |n| REDIRECT_CODES.contains(&n),
        "a VirtualServer redirect (301, 302, 307, 308)",
    );
    let routes = paths
        .into_iter()
        .map(|path| {
            let mut route = Map::new().with("path", path).with(
                "action",
                Map::new().with(
                    "redirect",
                    Map::new().with("url", url.as_str()).with("code", code),
                ),
            );
            route.comment(
                "action",
                format!(
                    "{}: {}",
                    wanted.annotation.key,
                    wanted.annotation.value.trim()
                ),
            );
            Value::Map(route)
        })
        .collect();
    ledger.record(&wanted.annotation.key, Outcome::Approximated(
        "a VirtualServer owns its host: this Ingress becomes one, so nothing else may route that host".into(),
    ));
    out.emit(
        Some(source.key.file),
        virtual_server(source, host, class, Vec::new(), routes),
    );
    true
}

/// An upstream per backend Service and port, named after them.
fn upstream(backend: &Backend, upstreams: &mut BTreeMap<String, Map>) -> Option<String> {
    let Backend::Service { name, port } = backend else {
        return None;
    };
    let number = match port {
        Port::Number(n)
        | Port::Name {
            number: Some(n), ..
        } => *n,
        _ => return None,
    };
    let id = format!("{}-{number}", slug(name));
    upstreams.entry(id.clone()).or_insert_with(|| {
        Map::new()
            .with("name", id.as_str())
            .with("service", name.as_str())
            .with("port", i64::from(number))
    });
    Some(id)
}

/// A main Ingress and its canaries, alone on their host: one VirtualServer whose routes pass
/// to the main upstream, split by weight and matched by header or cookie for the canary.
fn canary_host(
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    main: usize,
    canaries: &[usize],
    host: &str,
    class: &str,
    out: &mut Output<'_>,
) -> bool {
    let source = &sources[main];
    // The main Ingress must carry nothing a VirtualServer would have to express besides.
    if source
        .annotations
        .iter()
        .any(|a| matches!(a.kind, super::source::AnnotationKind::Source(_)))
    {
        return false;
    }
    let mut upstreams = BTreeMap::new();
    let mut routes = Vec::new();
    let mut notes = Vec::new();
    for path in source.rules.iter().flat_map(|r| &r.paths) {
        let (Some(at), Some(main_upstream)) = (
            route_path(source, path),
            upstream(&path.backend, &mut upstreams),
        ) else {
            return false;
        };
        let mut route = Map::new().with("path", at);
        let mut matches = Vec::new();
        let mut action = Map::new().with("pass", main_upstream.as_str());
        for &c in canaries {
            let canary = &sources[c];
            let Some(canary_path) = canary
                .rules
                .iter()
                .flat_map(|r| &r.paths)
                .find(|p| p.path == path.path)
            else {
                continue;
            };
            let Some(canary_upstream) = upstream(&canary_path.backend, &mut upstreams) else {
                return false;
            };
            let pass = || Map::new().with("pass", canary_upstream.as_str());
            // NGINX checks the header, then the cookie, then the weight.
            if let Some(header) = canary.nginx("canary-by-header") {
                if canary.nginx("canary-by-header-pattern").is_some()
                    && canary.nginx("canary-by-header-value").is_none()
                {
                    return false;
                }
                let value = canary.value("canary-by-header-value").unwrap_or("always");
                let condition = Map::new()
                    .with("header", header.value.trim())
                    .with("value", value);
                matches.push(Value::Map(
                    Map::new()
                        .with("conditions", vec![Value::Map(condition)])
                        .with("action", pass()),
                ));
            }
            if let Some(cookie) = canary.nginx("canary-by-cookie") {
                let condition = Map::new()
                    .with("cookie", cookie.value.trim())
                    .with("value", "always");
                matches.push(Value::Map(
                    Map::new()
                        .with("conditions", vec![Value::Map(condition)])
                        .with("action", pass()),
                ));
            }
            if let Some((_, parsed)) = canary.canary_weight() {
                let Some((weight, total)) = parsed else {
                    return false;
                };
                // Splits are percentages (in i128: the values are the user's).
                let percent = (i128::from(weight) * 100 / i128::from(total)) as i64;
                route.set(
                    "splits",
                    vec![
                        Value::Map(
                            Map::new()
                                .with("weight", 100 - percent)
                                .with("action", Map::new().with("pass", main_upstream.as_str())),
                        ),
                        Value::Map(Map::new().with("weight", percent).with("action", pass())),
                    ],
                );
                if i128::from(percent) * i128::from(total) != i128::from(weight) * 100 {
                    notes.push(format!("VirtualServer for {host}: canary weight {weight} of {total} rounded to {percent}%"));
                }
            }
        }
        if !matches.is_empty() {
            // Conditions first, then the split or the main backend.
            let otherwise = match route.get("splits").cloned() {
                Some(splits) => Map::new().with("splits", splits),
                None => action.clone(),
            };
            route = Map::new()
                .with(
                    "path",
                    route.get("path").cloned().unwrap_or(Value::from("/")),
                )
                .with("matches", matches);
            match otherwise.get("splits") {
                Some(splits) => route.set("splits", splits.clone()),
                None => route.set("action", std::mem::take(&mut action)),
            };
        } else if route.get("splits").is_none() {
            route.set("action", action);
        }
        routes.push(Value::Map(route));
    }
    for &c in canaries {
        let canary = &sources[c];
        for suffix in [
            "canary",
            "canary-weight",
            "canary-weight-total",
            "canary-by-header",
            "canary-by-header-value",
            "canary-by-cookie",
        ] {
            if let Some(key) = canary.key_of(suffix) {
                ledgers[c].record(&key, Outcome::Translated);
            }
        }
        if let Some(key) = canary.key_of("canary") {
            ledgers[c].record(&key, Outcome::Approximated(
                "main and canary became one VirtualServer for the host: nothing else may route it".into(),
            ));
        }
    }
    for note in notes {
        out.decide(note);
    }
    let upstreams = upstreams.into_values().map(Value::Map).collect();
    out.emit(
        Some(source.key.file),
        virtual_server(source, host, class, upstreams, routes),
    );
    true
}
