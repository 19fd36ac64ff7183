//! Routes sample requests through emitted Gateways and HTTPRoutes the way the Gateway API
//! specifies (HTTPRoute v1, "Matching precedence"): the listener by port and hostname, the
//! routes attached to it whose hostnames match (the most specific hostname first), then
//! among their matching rules: an Exact path, the longest PathPrefix, a RegularExpression
//! (implementation-specific; ranked after prefixes here), the most header matches; ties by
//! route name, then rule order. RegularExpression matches are full matches (Envoy's RE2).
#![allow(dead_code)]

use serde_json::Value;

/// What the data plane does with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Proxied: the backends with a weight above 0, by name.
    Backends(Vec<String>),
    Redirect {
        code: i64,
        scheme: Option<String>,
        hostname: Option<String>,
        path: Option<String>,
    },
    NotFound,
}

pub struct Request<'a> {
    pub https: bool,
    pub host: &'a str,
    pub path: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
}

impl<'a> Request<'a> {
    pub fn http(host: &'a str, path: &'a str) -> Self {
        Request {
            https: false,
            host,
            path,
            headers: &[],
        }
    }

    pub fn https(host: &'a str, path: &'a str) -> Self {
        Request {
            https: true,
            ..Self::http(host, path)
        }
    }

    pub fn with(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }
}

/// The emitted objects, routed.
pub struct Router {
    gateways: Vec<Value>,
    routes: Vec<Value>,
}

impl Router {
    pub fn new(documents: &[Value]) -> Self {
        let of = |kind: &str| -> Vec<Value> {
            documents
                .iter()
                .filter(|d| d["kind"] == kind)
                .cloned()
                .collect()
        };
        Router {
            gateways: of("Gateway"),
            routes: of("HTTPRoute"),
        }
    }

    pub fn route(&self, request: &Request<'_>) -> Outcome {
        let (port, protocol) = if request.https {
            (443, "HTTPS")
        } else {
            (80, "HTTP")
        };
        // The listener: the most specific hostname that matches.
        let mut listeners: Vec<(&Value, &Value)> = self
            .gateways
            .iter()
            .flat_map(|g| {
                g["spec"]["listeners"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |l| (g, l))
            })
            .filter(|(_, l)| l["port"] == port && l["protocol"] == protocol)
            .filter(|(_, l)| {
                l["hostname"]
                    .as_str()
                    .is_none_or(|h| host_matches(h, request.host))
            })
            .collect();
        listeners.sort_by_key(|(_, l)| {
            std::cmp::Reverse(l["hostname"].as_str().map_or(0, hostname_rank))
        });
        let Some(&(gateway, listener)) = listeners.first() else {
            return Outcome::NotFound;
        };
        let attached = |route: &Value| {
            route["spec"]["parentRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| {
                    p["name"] == gateway["metadata"]["name"]
                        && p["sectionName"]
                            .as_str()
                            .is_none_or(|s| Some(s) == listener["name"].as_str())
                })
        };
        // Routes by the specificity of the hostname they match with.
        let mut candidates: Vec<(usize, &Value)> = self
            .routes
            .iter()
            .filter(|r| attached(r))
            .filter_map(|r| {
                let hostnames = r["spec"]["hostnames"].as_array();
                match hostnames {
                    None => Some((0, r)),
                    Some(list) => list
                        .iter()
                        .filter_map(Value::as_str)
                        .filter(|h| host_matches(h, request.host))
                        .map(hostname_rank)
                        .max()
                        .map(|rank| (rank, r)),
                }
            })
            .collect();
        candidates.sort_by_key(|(rank, r)| {
            (
                std::cmp::Reverse(*rank),
                r["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                r["metadata"]["name"].as_str().unwrap_or("").to_string(),
            )
        });
        let best_rank = candidates.first().map(|(rank, _)| *rank);
        let mut best: Option<((u8, usize, usize), &Value)> = None;
        for (rank, route) in candidates {
            if Some(rank) != best_rank {
                break;
            }
            for rule in route["spec"]["rules"].as_array().into_iter().flatten() {
                let matches = rule["matches"].as_array().cloned().unwrap_or_else(|| {
                    vec![serde_json::json!({"path": {"type": "PathPrefix", "value": "/"}})]
                });
                for m in &matches {
                    let Some(score) = score(m, request) else {
                        continue;
                    };
                    // Strictly better only: earlier routes and rules win ties.
                    if best.as_ref().is_none_or(|(s, _)| score > *s) {
                        best = Some((score, rule));
                    }
                }
            }
        }
        let Some((_, rule)) = best else {
            return Outcome::NotFound;
        };
        for filter in rule["filters"].as_array().into_iter().flatten() {
            if filter["type"] == "RequestRedirect" {
                let r = &filter["requestRedirect"];
                return Outcome::Redirect {
                    code: r["statusCode"].as_i64().unwrap_or(302),
                    scheme: r["scheme"].as_str().map(str::to_string),
                    hostname: r["hostname"].as_str().map(str::to_string),
                    path: r["path"]["replaceFullPath"].as_str().map(str::to_string),
                };
            }
        }
        let backends = rule["backendRefs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["weight"].as_i64().unwrap_or(1) > 0)
            .filter_map(|b| b["name"].as_str().map(str::to_string))
            .collect();
        Outcome::Backends(backends)
    }
}

/// A match's precedence when it matches the request: (path kind, path length, header
/// matches); `None` when it does not match.
fn score(m: &Value, request: &Request<'_>) -> Option<(u8, usize, usize)> {
    let path = &m["path"];
    let kind = path["type"].as_str().unwrap_or("PathPrefix");
    let value = path["value"].as_str().unwrap_or("/");
    let path_rank = match kind {
        "Exact" => (request.path == value).then_some(3)?,
        "PathPrefix" => prefix_matches(value, request.path).then_some(2)?,
        "RegularExpression" => {
            let re = regex::Regex::new(&format!("^(?:{value})$")).expect("a valid regex");
            re.is_match(request.path).then_some(1)?
        }
        other => panic!("path match type {other}"),
    };
    let headers = m["headers"].as_array().cloned().unwrap_or_default();
    for header in &headers {
        let name = header["name"].as_str().unwrap_or_default();
        let wanted = header["value"].as_str().unwrap_or_default();
        let got = request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)?;
        let ok = match header["type"].as_str().unwrap_or("Exact") {
            "Exact" => got == wanted,
            "RegularExpression" => regex::Regex::new(&format!("^(?:{wanted})$"))
                .expect("a valid regex")
                .is_match(got),
            other => panic!("header match type {other}"),
        };
        if !ok {
            return None;
        }
    }
    Some((path_rank, value.len(), headers.len()))
}

/// PathPrefix: whole segments, a trailing slash ignored.
fn prefix_matches(prefix: &str, path: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    prefix.is_empty()
        || path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .is_some_and(|head| head.ends_with('.') && head.len() > 1),
        None => pattern.eq_ignore_ascii_case(host),
    }
}

/// An exact hostname outranks a wildcard, a longer wildcard a shorter one.
fn hostname_rank(hostname: &str) -> usize {
    if hostname.starts_with("*.") {
        hostname.len()
    } else {
        1000 + hostname.len()
    }
}

#[test]
fn prefixes_match_whole_segments() {
    assert!(prefix_matches("/api", "/api"));
    assert!(prefix_matches("/api", "/api/x"));
    assert!(!prefix_matches("/api", "/apix"));
    assert!(prefix_matches("/api/", "/api"));
    assert!(prefix_matches("/", "/anything"));
    assert!(host_matches("*.example.com", "a.example.com"));
    assert!(!host_matches("*.example.com", "example.com"));
}
