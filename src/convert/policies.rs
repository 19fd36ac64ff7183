//! The policies of a Gateway API implementation (`--implementation`) for the annotations the
//! standard channel leaves out: per Ingress, one object per policy kind, attached to the
//! Ingress's routes by `targetRefs`, its fields written by the transforms
//! `rules/implementations/` names — one writer per kind of value, not per annotation.

use std::collections::BTreeMap;

use super::source::{AnnotationKind, Source};
use super::yaml::{Map, Value};
use super::{comma_list, derived_name, metadata, Ledger, Outcome, Output};
use crate::knowledge::implementations::{Implementation, PolicyKind, Transform};
use crate::knowledge::sets::Verdict;

/// The routes an Ingress became: (kind, name).
pub type Targets = Vec<(&'static str, String)>;

pub fn write(
    implementation: &Implementation,
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    targets: &[Targets],
    out: &mut Output<'_>,
) {
    for ((source, ledger), targets) in sources.iter().zip(ledgers.iter_mut()).zip(targets) {
        if source.is_canary() || targets.is_empty() {
            continue;
        }
        let mut specs: BTreeMap<PolicyKind, Map> = BTreeMap::new();
        for annotation in &source.annotations {
            let AnnotationKind::Source(suffix) = &annotation.kind else {
                continue;
            };
            let Some(mapping) = implementation.mapping(suffix) else {
                continue;
            };
            // The standard channel's converter, or NGINX itself, decided it already.
            if source.nginx(suffix).is_none()
                || matches!(
                    ledger.outcome(&annotation.key),
                    Some(Outcome::Translated | Outcome::Approximated(_) | Outcome::NoEffect(_))
                )
            {
                continue;
            }
            let spec = specs.entry(mapping.object).or_default();
            let outcome = match apply(mapping.transform, &mapping.field, source, spec) {
                Ok(()) => match mapping.verdict {
                    Verdict::Exact => Outcome::Translated,
                    _ => Outcome::Approximated(format!(
                        "{} {}: {}",
                        mapping.object.as_str(),
                        mapping.field,
                        mapping.note
                    )),
                },
                Err(why) => Outcome::NotTranslated(why),
            };
            let written = !matches!(outcome, Outcome::NotTranslated(_));
            ledger.record(&annotation.key, outcome);
            for with in &mapping.with {
                if let Some(key) = source.key_of(with) {
                    ledger.record(
                        &key,
                        if written {
                            Outcome::Translated
                        } else {
                            Outcome::NotTranslated(format!(
                                "goes with {}, which is not translated",
                                mapping.key
                            ))
                        },
                    );
                }
            }
        }
        for (kind, fields) in specs {
            if fields.is_empty() {
                continue;
            }
            let reference = |(route_kind, name): &(&'static str, String)| {
                Map::new()
                    .with("group", "gateway.networking.k8s.io")
                    .with("kind", *route_kind)
                    .with("name", name.as_str())
            };
            // A kind that names one route gets an object per route.
            let objects: Vec<(String, Map)> = if kind.single_target() {
                targets
                    .iter()
                    .map(|t| {
                        let name = if targets.len() == 1 {
                            derived_name(&source.name, kind.suffix())
                        } else {
                            derived_name(&t.1, kind.suffix())
                        };
                        (name, Map::new().with("targetRef", reference(t)))
                    })
                    .collect()
            } else {
                let refs: Vec<Value> = targets.iter().map(|t| Value::Map(reference(t))).collect();
                vec![(
                    derived_name(&source.name, kind.suffix()),
                    Map::new().with("targetRefs", refs),
                )]
            };
            for (name, mut spec) in objects {
                for (key, value) in fields.entries() {
                    spec.set(key, value.clone());
                }
                out.emit(
                    Some(source.key.file),
                    Map::new()
                        .with("apiVersion", implementation.api.as_str())
                        .with("kind", kind.as_str())
                        .with(
                            "metadata",
                            metadata(&name, &source.namespace, &source.origin),
                        )
                        .with("spec", spec),
                );
            }
        }
    }
}

/// Sets a value at a dotted path (`timeout.tcp.connectTimeout`).
fn set_path(spec: &mut Map, path: &str, value: impl Into<Value>) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or(path);
    let mut map = spec;
    for part in parts {
        map = map.map_mut(part);
    }
    map.set(last, value);
}

/// Whole seconds of an annotation, as a duration (`30s`).
fn seconds(source: &Source<'_>, suffix: &str) -> Result<String, String> {
    source
        .value(suffix)
        .and_then(|v| v.trim_end_matches('s').parse::<i64>().ok())
        .map(|n| format!("{n}s"))
        .ok_or_else(|| "not whole seconds".to_string())
}

/// An NGINX size as NGINX Gateway Fabric's fields take it: up to four digits and k, m or g.
fn nginx_size(value: &str) -> Option<String> {
    let bytes = u64::try_from(super::nginx_size_bytes(value)?).ok()?;
    for (unit, factor) in [("g", 1u64 << 30), ("m", 1 << 20), ("k", 1 << 10), ("", 1)] {
        if bytes % factor == 0 && bytes / factor < 10_000 {
            return Some(format!("{}{unit}", bytes / factor));
        }
    }
    None
}

/// ingress-nginx's limit_req: per client address, its burst, nodelay.
fn nginx_rate(
    source: &Source<'_>,
    spec: &mut Map,
    field: &str,
    suffix: &str,
    unit: char,
) -> Result<(), String> {
    let rate = source
        .value(suffix)
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|&n| n > 0)
        .ok_or("0 sets no limit in NGINX")?;
    let multiplier = source
        .value("limit-burst-multiplier")
        .and_then(|m| m.parse::<i64>().ok())
        .filter(|&m| m >= 1)
        .unwrap_or(5);
    let mut local = Map::new();
    let mut rules = Vec::new();
    let mut parts: Vec<&str> = field.split('.').collect();
    let last = parts.pop().unwrap_or(field);
    {
        let mut map: &mut Map = spec;
        for part in &parts {
            map = map.map_mut(part);
        }
        if let Some(Value::Map(existing)) = map.get(last) {
            local = existing.clone();
        }
        if let Some(Value::List(existing)) = local.get("rules") {
            rules = existing.clone();
        }
        rules.push(Value::Map(
            Map::new()
                .with("rate", format!("{rate}r/{unit}"))
                .with("key", "$binary_remote_addr")
                .with("burst", rate.saturating_mul(multiplier))
                .with("noDelay", true),
        ));
        local.set("rules", rules);
        map.set(last, local);
    }
    Ok(())
}

/// Writes one annotation's field into its policy's spec, or says why it cannot.
fn apply(
    transform: Transform,
    field: &str,
    source: &Source<'_>,
    spec: &mut Map,
) -> Result<(), String> {
    match transform {
        Transform::ReadTimeout => set_path(spec, field, seconds(source, "proxy-read-timeout")?),
        Transform::SendTimeout => set_path(spec, field, seconds(source, "proxy-send-timeout")?),
        Transform::BufferingSwitch => {
            set_path(spec, field, source.value("proxy-buffering") != Some("on"));
        }
        Transform::BufferSize => {
            let value = source.value("proxy-buffer-size").unwrap_or_default();
            set_path(
                spec,
                field,
                nginx_size(value).ok_or_else(|| format!("`{value}` is not an NGINX size"))?,
            );
        }
        Transform::Buffers => {
            let number = source
                .value("proxy-buffers-number")
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|n| (2..=256).contains(n))
                .ok_or("the field takes 2 to 256 buffers")?;
            let size = source
                .value("proxy-buffer-size")
                .and_then(nginx_size)
                .unwrap_or_else(|| "4k".into());
            set_path(
                spec,
                field,
                Map::new().with("number", number).with("size", size),
            );
        }
        Transform::BodyMaxSize => {
            let value = source.value("proxy-body-size").unwrap_or_default();
            set_path(
                spec,
                field,
                nginx_size(value)
                    .ok_or_else(|| format!("`{value}` is not an NGINX size the field takes"))?,
            );
        }
        Transform::NginxRatePerSecond => nginx_rate(source, spec, field, "limit-rps", 's')?,
        Transform::NginxRatePerMinute => nginx_rate(source, spec, field, "limit-rpm", 'm')?,
        Transform::BasicAuth => {
            if source.value("auth-type") != Some("basic") {
                return Err("only basic authentication has a field (no digest)".into());
            }
            let secret = source
                .value("auth-secret")
                .ok_or("no auth-secret: NGINX denies these paths")?;
            let (namespace, name) = secret
                .split_once('/')
                .unwrap_or((&source.namespace, secret));
            if namespace != source.namespace {
                return Err(format!("the Secret {namespace}/{name} is in another namespace: copy it into {} (with its htpasswd under `.htpasswd`)", source.namespace));
            }
            spec.set(
                "basicAuth",
                Map::new().with("users", Map::new().with("name", name)),
            );
        }
        Transform::ExternalAuth => {
            let url = source.value("auth-url").unwrap_or_default();
            let (name, namespace, port, path) =
                cluster_url(url).ok_or_else(|| format!("`{url}` does not name a cluster Service (name.namespace.svc): ext-auth calls a backendRef"))?;
            let mut backend = Map::new().with("name", name.as_str()).with("port", port);
            if namespace != source.namespace {
                backend.set("namespace", namespace.as_str());
            }
            let mut http = Map::new().with("backendRefs", vec![Value::Map(backend)]);
            if path != "/" {
                http.set("path", path.as_str());
            }
            if let Some(headers) = source.value("auth-response-headers") {
                http.set("headersToBackend", comma_list(headers));
            }
            spec.set("extAuth", Map::new().with("http", http));
        }
        Transform::AllowCidrs | Transform::DenyCidrs => {
            let suffix = if transform == Transform::DenyCidrs {
                "denylist-source-range"
            } else if source.value("allowlist-source-range").is_some() {
                "allowlist-source-range"
            } else {
                "whitelist-source-range"
            };
            // NGINX reads a bare address as a single host; the field takes CIDRs only.
            let cidrs: Vec<Value> = comma_list(source.value(suffix).unwrap_or_default())
                .into_iter()
                .map(|v| match v {
                    Value::Str(c) if !c.contains('/') => {
                        Value::Str(format!("{c}/{}", if c.contains(':') { 128 } else { 32 }))
                    }
                    other => other,
                })
                .collect();
            let action = if transform == Transform::DenyCidrs {
                "Deny"
            } else {
                "Allow"
            };
            let authorization = spec.map_mut("authorization");
            let mut rules = match authorization.get("rules") {
                Some(Value::List(rules)) => rules.clone(),
                _ => Vec::new(),
            };
            let rule = Value::Map(
                Map::new()
                    .with("action", action)
                    .with("principal", Map::new().with("clientCIDRs", cidrs)),
            );
            // A deny list is checked first; with an allow list, everything else is denied.
            if action == "Deny" {
                rules.insert(0, rule);
            } else {
                rules.push(rule);
            }
            let allows = rules.iter().any(
                |r| matches!(r, Value::Map(m) if m.get("action") == Some(&Value::from("Allow"))),
            );
            authorization.set("defaultAction", if allows { "Deny" } else { "Allow" });
            authorization.set("rules", rules);
        }
        Transform::RatePerSecond | Transform::RatePerMinute => {
            let (suffix, unit) = if transform == Transform::RatePerSecond {
                ("limit-rps", "Second")
            } else {
                ("limit-rpm", "Minute")
            };
            let requests = source
                .value(suffix)
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|&n| n > 0)
                .ok_or("0 sets no limit in NGINX")?;
            let rate = spec.map_mut("rateLimit");
            rate.set("type", "Local");
            let local = rate.map_mut("local");
            let mut rules = match local.get("rules") {
                Some(Value::List(rules)) => rules.clone(),
                _ => Vec::new(),
            };
            rules.push(Value::Map(Map::new().with(
                "limit",
                Map::new().with("requests", requests).with("unit", unit),
            )));
            local.set("rules", rules);
        }
        Transform::ConnectTimeout => {
            set_path(spec, field, seconds(source, "proxy-connect-timeout")?);
        }
        Transform::Retries => {
            let conditions = source
                .value("proxy-next-upstream")
                .unwrap_or("error timeout");
            let words: Vec<&str> = conditions.split_whitespace().collect();
            if words.contains(&"off") {
                return Err("proxy-next-upstream is off: NGINX does not retry".into());
            }
            // ingress-nginx: 0 (or an unreadable value) is its default, 3.
            let tries = source
                .value("proxy-next-upstream-tries")
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|&t| t > 0)
                .unwrap_or(3);
            let mut triggers: Vec<Value> = Vec::new();
            if words.contains(&"error") {
                triggers.extend(["connect-failure", "reset", "refused-stream"].map(Value::from));
            }
            if words.contains(&"timeout") && !words.contains(&"error") {
                triggers.push(Value::from("reset"));
            }
            let codes: Vec<Value> = words
                .iter()
                .filter_map(|w| w.strip_prefix("http_")?.parse::<i64>().ok())
                .map(Value::Int)
                .collect();
            if !codes.is_empty() {
                triggers.push(Value::from("retriable-status-codes"));
            }
            let mut retry_on = Map::new();
            if !triggers.is_empty() {
                retry_on.set("triggers", triggers);
            }
            if !codes.is_empty() {
                retry_on.set("httpStatusCodes", codes);
            }
            let mut retry = Map::new().with("numRetries", tries - 1);
            if !retry_on.is_empty() {
                retry.set("retryOn", retry_on);
            }
            spec.set("retry", retry);
        }
        Transform::BodyLimit => {
            let value = source.value("proxy-body-size").unwrap_or_default();
            let quantity =
                quantity(value).ok_or_else(|| format!("`{value}` is not an NGINX size"))?;
            if quantity == "0" {
                return Err("0 lifts NGINX's limit: no buffer limit is written".into());
            }
            set_path(spec, field, quantity);
        }
        Transform::CookieAffinity => {
            if source.value("affinity") != Some("cookie") {
                return Err("only cookie affinity has a field".into());
            }
            let mut cookie = Map::new().with(
                "name",
                source
                    .value("session-cookie-name")
                    .unwrap_or("INGRESSCOOKIE"),
            );
            // Envoy sets the cookie only with a ttl; 0 is a session cookie, as NGINX's default.
            let ttl = source
                .value("session-cookie-max-age")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0);
            cookie.set("ttl", duration(ttl));
            let mut attributes = Map::new();
            if let Some(same_site) = source.value("session-cookie-samesite") {
                attributes.set("SameSite", same_site);
            }
            if source.is_true("session-cookie-secure") {
                attributes.set("Secure", "");
            }
            if let Some(path) = source.value("session-cookie-path") {
                attributes.set("Path", path);
            }
            if !attributes.is_empty() {
                cookie.set("attributes", attributes);
            }
            spec.set(
                "loadBalancer",
                Map::new().with("type", "ConsistentHash").with(
                    "consistentHash",
                    Map::new().with("type", "Cookie").with("cookie", cookie),
                ),
            );
        }
        Transform::HashBy => {
            let by = source.value("upstream-hash-by").unwrap_or_default();
            let hash = match by {
                "$remote_addr" | "$binary_remote_addr" => Map::new().with("type", "SourceIP"),
                _ => {
                    if let Some(header) = by.strip_prefix("$http_").filter(|h| !h.contains('$')) {
                        Map::new()
                            .with("type", "Header")
                            .with("header", Map::new().with("name", header.replace('_', "-")))
                    } else if let Some(cookie) =
                        by.strip_prefix("$cookie_").filter(|c| !c.contains('$'))
                    {
                        Map::new()
                            .with("type", "Cookie")
                            .with("cookie", Map::new().with("name", cookie))
                    } else {
                        return Err(format!("`{by}`: a consistent hash takes the client address, a header or a cookie"));
                    }
                }
            };
            if spec.get("loadBalancer").is_some() {
                return Err(
                    "affinity already sets the load balancer (NGINX's cookie wins too)".into(),
                );
            }
            spec.set(
                "loadBalancer",
                Map::new()
                    .with("type", "ConsistentHash")
                    .with("consistentHash", hash),
            );
        }
        Transform::StreamsRequests => {
            // NGINX buffers request bodies by default (on); off streams them, as Envoy does.
            if source.value("proxy-request-buffering") != Some("off") {
                return Err("Envoy streams request bodies: buffering them (on) needs requestBuffer with a size, which the annotation does not give".into());
            }
        }
        Transform::StreamsResponses => {
            if source.value("proxy-buffering") == Some("on") {
                return Err(
                    "Envoy streams responses: there is no response buffering to turn on".into(),
                );
            }
        }
    }
    Ok(())
}

/// `http(s)://name.namespace.svc[.cluster.local][:port][/path]` → (name, namespace, port, path).
fn cluster_url(url: &str) -> Option<(String, String, i64, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (authority, if scheme == "https" { 443 } else { 80 }),
    };
    let host = host.strip_suffix(".cluster.local").unwrap_or(host);
    let (name, namespace) = host.strip_suffix(".svc")?.split_once('.')?;
    if url.contains('$') {
        return None;
    }
    let path = if path.is_empty() { "/" } else { path };
    Some((
        name.to_string(),
        namespace.to_string(),
        port,
        path.to_string(),
    ))
}

/// Seconds as a Gateway duration (`172800` → `48h`): each part at most five digits.
fn duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        "0s".into()
    } else {
        out
    }
}

/// An NGINX size as a Kubernetes quantity (`8m` → `8Mi`: NGINX's units are binary).
fn quantity(size: &str) -> Option<String> {
    let lower = size.trim().to_ascii_lowercase();
    let (digits, unit) = match lower.chars().last()? {
        'k' => (&lower[..lower.len() - 1], "Ki"),
        'm' => (&lower[..lower.len() - 1], "Mi"),
        'g' => (&lower[..lower.len() - 1], "Gi"),
        _ => (lower.as_str(), ""),
    };
    let n: u64 = digits.parse().ok()?;
    Some(if n == 0 {
        "0".into()
    } else {
        format!("{n}{unit}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_to_five_digits_a_part() {
        assert_eq!(duration(172_800), "48h");
        assert_eq!(duration(100_000), "27h46m40s");
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(90), "1m30s");
    }

    #[test]
    fn sizes_are_binary_quantities() {
        assert_eq!(quantity("8m").as_deref(), Some("8Mi"));
        assert_eq!(quantity("512K").as_deref(), Some("512Ki"));
        assert_eq!(quantity("1024").as_deref(), Some("1024"));
        assert_eq!(quantity("0").as_deref(), Some("0"));
        assert_eq!(quantity("8mb"), None);
    }

    #[test]
    fn auth_urls_name_cluster_services() {
        assert_eq!(
            cluster_url("http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth"),
            Some((
                "oauth2-proxy".into(),
                "auth".into(),
                4180,
                "/oauth2/auth".into()
            ))
        );
        assert_eq!(cluster_url("https://auth.example.com/check"), None);
        assert_eq!(cluster_url("http://a.b.svc/x?rd=$request_uri"), None);
    }
}
