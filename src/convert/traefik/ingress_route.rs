//! An Ingress as IngressRoutes, where an Ingress cannot say it: a host whose paths NGINX
//! matched as case-insensitive regular expressions (Traefik's PathRegexp is unanchored, and
//! an Ingress path must start with `/`, so `(?i)^` needs a route), or a backend reached with
//! a scheme, a ServersTransport, a sticky cookie or native load balancing (fields of an
//! IngressRoute's service reference, annotations of the Service otherwise).

use super::backend::Backend;
use super::API;
use super::{ENTRY_POINTS, MIDDLEWARES, ROUTER_TLS, TLS_OPTIONS, WEB, WEBSECURE};
use crate::convert::source::{Backend as Target, Port, Source};
use crate::convert::yaml::{Map, Value};
use crate::convert::{derived_name, metadata, slug};

/// How the Ingress is exposed, as the Ingress form would have said it.
pub struct Exposure<'a> {
    /// TLS on `websecure`; else every entry point.
    pub secure: bool,
    /// The HTTP router: its Middlewares (a redirect, or the chain again); none when no HTTP
    /// router is written.
    pub http_middlewares: Option<Vec<String>>,
    /// The TLSOption for client certificates: (namespace, name).
    pub tls_option: Option<(&'a str, &'a str)>,
    /// server-alias names served with the hosts.
    pub aliases: &'a [String],
    /// `--name-suffix`.
    pub name_suffix: &'a str,
}

/// The IngressRoutes of one Ingress: per host, an HTTPS one (or one for every entry point)
/// and the HTTP one.
pub fn build(
    source: &Source<'_>,
    ingress: &Map,
    chain: &[String],
    backend: &Backend,
    regex: bool,
    exposure: &Exposure<'_>,
) -> Vec<Map> {
    let aliases = exposure.aliases;
    let observability = observability(ingress);
    let mut hosts: Vec<Option<&str>> = Vec::new();
    for rule in &source.rules {
        if !hosts.contains(&rule.host.as_deref()) {
            hosts.push(rule.host.as_deref());
        }
    }
    let several = hosts.len() > 1;
    let mut out = Vec::new();
    for host in hosts {
        let base = if several {
            derived_name(&source.name, &slug(host.unwrap_or("any-host")))
        } else {
            source.name.clone()
        };
        let base = format!("{base}{}", exposure.name_suffix);
        let routes = |middlewares: &[String]| -> Vec<Value> {
            source
                .rules
                .iter()
                .filter(|r| r.host.as_deref() == host)
                .flat_map(|r| &r.paths)
                .filter_map(|path| {
                    let service = service(&path.backend, backend)?;
                    let mut matcher = host
                        .map(|h| {
                            let names: Vec<String> = std::iter::once(h.to_string())
                                .chain(aliases.iter().cloned())
                                .map(|n| format!("Host(`{n}`)"))
                                .collect();
                            if names.len() == 1 {
                                format!("{} && ", names[0])
                            } else {
                                format!("({}) && ", names.join(" || "))
                            }
                        })
                        .unwrap_or_default();
                    matcher.push_str(&path_matcher(&path.path, &path.path_type, regex));
                    let mut route = Map::new()
                        .with("kind", "Rule")
                        .with("match", matcher)
                        .with("services", vec![Value::Map(service)]);
                    if !middlewares.is_empty() {
                        route.set(
                            "middlewares",
                            middlewares
                                .iter()
                                .map(|m| Value::Map(Map::new().with("name", m.as_str())))
                                .collect::<Vec<_>>(),
                        );
                    }
                    if let Some(o) = &observability {
                        route.set("observability", o.clone());
                    }
                    Some(Value::Map(route))
                })
                .collect()
        };
        let main_routes = routes(chain);
        if main_routes.is_empty() {
            continue;
        }
        let mut spec = Map::new();
        if exposure.secure {
            spec.set("entryPoints", vec![Value::from(WEBSECURE)]);
        }
        spec.set("routes", main_routes);
        if exposure.secure {
            let mut tls = Map::new();
            if let Some(secret) = source.tls_for(host).and_then(|t| t.secret.as_deref()) {
                tls.set("secretName", secret);
            }
            if let Some((namespace, name)) = exposure.tls_option {
                tls.set(
                    "options",
                    Map::new().with("name", name).with("namespace", namespace),
                );
            }
            spec.set("tls", tls);
        }
        out.push(route_object(source, &base, spec, regex));
        if let (true, Some(middlewares)) = (exposure.secure, &exposure.http_middlewares) {
            let spec = Map::new()
                .with("entryPoints", vec![Value::from(WEB)])
                .with("routes", routes(middlewares));
            out.push(route_object(
                source,
                &derived_name(&base, "http"),
                spec,
                regex,
            ));
        }
    }
    out
}

fn route_object(source: &Source<'_>, name: &str, spec: Map, regex: bool) -> Map {
    let mut meta = metadata(name, &source.namespace, &source.origin);
    if regex {
        meta.map_mut("annotations").comment(
            crate::convert::SOURCE_ANNOTATION,
            "an IngressRoute: NGINX matched this host's paths as case-insensitive regular expressions anchored at the start",
        );
    }
    Map::new()
        .with("apiVersion", API)
        .with("kind", "IngressRoute")
        .with("metadata", meta)
        .with("spec", spec)
}

/// NGINX's location for a path: `~* "^path"` on a regex host (every pathType), else `= path`
/// (Exact) or a prefix.
fn path_matcher(path: &str, path_type: &str, regex: bool) -> String {
    if regex {
        return format!("PathRegexp(`(?i)^{path}`)");
    }
    if path_type == "Exact" {
        format!("Path(`{path}`)")
    } else {
        format!("PathPrefix(`{path}`)")
    }
}

/// The service reference of a path, with what the backend asks for.
fn service(target: &Target, backend: &Backend) -> Option<Map> {
    let Target::Service { name, port } = target else {
        return None;
    };
    let mut service = Map::new().with("name", name.as_str());
    match port {
        Port::Number(n)
        | Port::Name {
            number: Some(n), ..
        } => {
            service.set("port", i64::from(*n));
        }
        Port::Name { name, number: None } => {
            service.set("port", name.as_str());
        }
        Port::Missing => {}
    }
    backend.apply(&mut service);
    Some(service)
}

/// The router observability annotations the Ingress form carried, as the route's fields.
fn observability(ingress: &Map) -> Option<Map> {
    let annotations = match ingress.get("metadata") {
        Some(Value::Map(meta)) => match meta.get("annotations") {
            Some(Value::Map(a)) => a.clone(),
            _ => return None,
        },
        _ => return None,
    };
    let mut fields = Map::new();
    for (annotation, field) in [
        (
            "traefik.ingress.kubernetes.io/router.observability.accesslogs",
            "accessLogs",
        ),
        (
            "traefik.ingress.kubernetes.io/router.observability.tracing",
            "tracing",
        ),
        (
            "traefik.ingress.kubernetes.io/router.observability.metrics",
            "metrics",
        ),
    ] {
        if let Some(Value::Str(value)) = annotations.get(annotation) {
            fields.set(field, value == "true");
        }
    }
    (!fields.is_empty()).then_some(fields)
}

/// The router annotations an IngressRoute has no place for (said in the report).
pub fn router_annotations_left(ingress: &Map) -> Vec<String> {
    let Some(Value::Map(meta)) = ingress.get("metadata") else {
        return Vec::new();
    };
    let Some(Value::Map(annotations)) = meta.get("annotations") else {
        return Vec::new();
    };
    annotations
        .entries()
        .map(|(k, _)| k.to_string())
        .filter(|k| {
            k.starts_with("traefik.ingress.kubernetes.io/router.")
                && ![
                    MIDDLEWARES,
                    ENTRY_POINTS,
                    ROUTER_TLS,
                    TLS_OPTIONS,
                    super::PATH_MATCHER,
                ]
                .contains(&k.as_str())
                && !k.starts_with("traefik.ingress.kubernetes.io/router.observability.")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_hosts_match_as_nginx_locations() {
        assert_eq!(
            path_matcher("/api", "Prefix", true),
            "PathRegexp(`(?i)^/api`)"
        );
        assert_eq!(
            path_matcher("/api", "Exact", true),
            "PathRegexp(`(?i)^/api`)"
        );
        assert_eq!(path_matcher("/api", "Exact", false), "Path(`/api`)");
        assert_eq!(path_matcher("/api", "Prefix", false), "PathPrefix(`/api`)");
    }
}
