//! Targets that read Ingresses — HAProxy, Kong, F5 NGINX: the Ingress with the target's
//! class and annotations, and what annotations cannot say as the target's objects the
//! Ingress names (KongPlugins through `konghq.com/plugins`, F5 Policies through
//! `nginx.org/policies`). Each target's own handlers run first, for the keys whose values
//! need rewriting (`<n>r/s`, `Header: value`, Service lists); the catalog's annotation forms
//! cover the rest.

use super::cors::{self, Cors};
use super::source::Source;
use super::yaml::{Map, Value};
use super::{comma_list, derived_name, metadata, Ledger, Outcome, Output, Request};
use super::{ingress, virtual_server};
use crate::knowledge::Knowledge;

pub fn convert(
    knowledge: &Knowledge,
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    request: &Request<'_>,
    out: &mut Output<'_>,
) {
    let class = ingress::target_class(knowledge, request, out);
    let kong = request.target == "kong";
    // F5 NGINX: hosts that only redirect, or whose traffic a canary splits, as VirtualServers.
    let replaced = if request.target == "f5-nginx" {
        virtual_server::convert(sources, ledgers, &class, out)
    } else {
        Default::default()
    };
    for (i, (source, ledger)) in sources.iter().zip(ledgers.iter_mut()).enumerate() {
        if replaced.contains(&i) {
            continue;
        }
        if source.is_canary() {
            // Written as a plain Ingress it would compete with the main one for the same
            // route: nothing is written, its traffic stays on the main Ingress.
            if let Some(key) = source.key_of("canary") {
                ledger.record(&key, Outcome::NotTranslated(format!(
                    "{} has no canary split for Ingresses{}: the canary Ingress is not written, and all its traffic stays on the main Ingress",
                    request.target,
                    match request.target {
                        "kong" => " (the canary plugin is Kong Enterprise's)",
                        "f5-nginx" => " (a VirtualServer splits it only when the main Ingress and its canary are alone on the host, with no other annotations)",
                        _ => "",
                    }
                )));
            }
            continue;
        }
        let mut attached = Attached {
            source,
            names: Vec::new(),
            objects: Vec::new(),
            annotations: Vec::new(),
        };
        match request.target {
            "kong" => kong_plugins(&mut attached, knowledge, ledger),
            "f5-nginx" => {
                f5_policies(&mut attached, knowledge, ledger);
                f5_annotations(&mut attached, ledger);
            }
            _ => haproxy_annotations(&mut attached, knowledge, ledger),
        }
        let mut ingress = ingress::ingress(knowledge, source, ledger, request, &class);
        if let Some(Value::Map(meta)) = ingress.get_mut("metadata") {
            let annotations = meta.map_mut("annotations");
            for (key, value, comment) in &attached.annotations {
                annotations.set(key, value.as_str());
                if !comment.is_empty() {
                    annotations.comment(key, comment.clone());
                }
            }
            if !attached.names.is_empty() {
                let key = if kong {
                    "konghq.com/plugins"
                } else {
                    "nginx.org/policies"
                };
                annotations.set(key, attached.names.join(","));
            }
        }
        out.emit(Some(source.key.file), ingress);
        for object in attached.objects {
            out.emit(Some(source.key.file), object);
        }
    }
}

/// The objects one Ingress names, and annotations to add to it.
struct Attached<'s, 'a> {
    source: &'s Source<'a>,
    names: Vec<String>,
    objects: Vec<Map>,
    annotations: Vec<(String, String, String)>,
}

impl Attached<'_, '_> {
    fn kong_plugin(&mut self, feature: &str, plugin: &str, config: Map, from: &[String]) {
        let name = derived_name(&self.source.name, feature);
        let mut object = Map::new()
            .with("apiVersion", "configuration.konghq.com/v1")
            .with("kind", "KongPlugin")
            .with(
                "metadata",
                metadata(&name, &self.source.namespace, &self.source.origin),
            )
            .with("plugin", plugin)
            .with("config", config);
        for key in from {
            object.comment("plugin", key.clone());
        }
        self.objects.push(object);
        self.names.push(name);
    }

    fn f5_policy(&mut self, feature: &str, field: &str, config: Map, from: &[String]) {
        let name = derived_name(&self.source.name, feature);
        let mut spec = Map::new().with(field, config);
        for key in from {
            spec.comment(field, key.clone());
        }
        self.objects.push(
            Map::new()
                .with("apiVersion", "k8s.nginx.org/v1")
                .with("kind", "Policy")
                .with(
                    "metadata",
                    metadata(&name, &self.source.namespace, &self.source.origin),
                )
                .with("spec", spec),
        );
        self.names.push(name);
    }
}

fn kong_plugins(attached: &mut Attached<'_, '_>, knowledge: &Knowledge, ledger: &mut Ledger) {
    let source = attached.source;
    if let Some(cors) = Cors::read(source, knowledge, ledger) {
        let config = cors.fields([
            "origins",
            "methods",
            "headers",
            "exposed_headers",
            "credentials",
            "max_age",
        ]);
        attached.kong_plugin("cors", "cors", config, &[cors::FROM.into()]);
    }
    // One plugin takes both windows, as NGINX applies both limits.
    let mut rate = Map::new();
    let mut from = Vec::new();
    for (suffix, field) in [("limit-rps", "second"), ("limit-rpm", "minute")] {
        let Some(annotation) = source.nginx(suffix) else {
            continue;
        };
        match annotation.value.trim().parse::<i64>() {
            Ok(n) => {
                rate.set(field, n);
                from.push(format!("{}: {n}", annotation.key));
                ledger.record(&annotation.key, Outcome::Approximated(
                    "a fixed window per client IP and Kong node, no burst, 429; NGINX's leaky bucket allowed limit-burst-multiplier × the rate and answered 503".into(),
                ));
            }
            Err(_) => ledger.record(
                &annotation.key,
                Outcome::NotTranslated("not a number".into()),
            ),
        }
    }
    if !rate.is_empty() {
        rate.set("limit_by", "ip");
        rate.set("policy", "local");
        attached.kong_plugin("rate-limiting", "rate-limiting", rate, &from);
    }
    let allow = source
        .nginx("allowlist-source-range")
        .or_else(|| source.nginx("whitelist-source-range"));
    let deny = source.nginx("denylist-source-range");
    if allow.is_some() || deny.is_some() {
        let mut config = Map::new();
        let mut from = Vec::new();
        for (annotation, field) in [(allow, "allow"), (deny, "deny")] {
            if let Some(a) = annotation {
                config.set(field, comma_list(&a.value));
                from.push(format!("{}: {}", a.key, a.value));
                ledger.record(&a.key, Outcome::Translated);
            }
        }
        attached.kong_plugin("ip-restriction", "ip-restriction", config, &from);
    }
    if let Some(annotation) = source.nginx("proxy-body-size") {
        match kong_size(annotation.value.trim()) {
            Some((0, _)) => ledger.record(&annotation.key, Outcome::Translated),
            Some((size, unit)) => {
                attached.kong_plugin(
                    "request-size-limiting",
                    "request-size-limiting",
                    Map::new()
                        .with("allowed_payload_size", size)
                        .with("size_unit", unit),
                    &[format!("{}: {}", annotation.key, annotation.value.trim())],
                );
                ledger.record(&annotation.key, Outcome::Translated);
            }
            None => ledger.record(
                &annotation.key,
                Outcome::NotTranslated("not an NGINX size (number with k, m or g)".into()),
            ),
        }
    }
    if let Some(annotation) = source.nginx("x-forwarded-prefix") {
        attached.kong_plugin(
            "request-transformer",
            "request-transformer",
            Map::new().with(
                "add",
                Map::new().with(
                    "headers",
                    vec![Value::from(format!(
                        "X-Forwarded-Prefix:{}",
                        annotation.value.trim()
                    ))],
                ),
            ),
            &[format!("{}: {}", annotation.key, annotation.value.trim())],
        );
        ledger.record(&annotation.key, Outcome::Translated);
    }
    if let Some(headers) = source.response_headers(ledger).filter(|h| !h.is_empty()) {
        // NGINX replaces a header the backend sent; response-transformer needs `replace`
        // for those and `add` for the others.
        let list: Vec<Value> = headers
            .iter()
            .map(|(name, value)| Value::from(format!("{name}:{value}")))
            .collect();
        attached.kong_plugin(
            "response-transformer",
            "response-transformer",
            Map::new()
                .with("replace", Map::new().with("headers", list.clone()))
                .with("add", Map::new().with("headers", list)),
            &["custom-headers: the ConfigMap's headers".into()],
        );
    }
    kong_redirect(attached, ledger);
    kong_https_redirect(attached, ledger);
    kong_service_settings(attached, ledger);
}

/// Settings KIC reads from the backend Service, not the Ingress: the report says what to add.
fn kong_service_settings(attached: &mut Attached<'_, '_>, ledger: &mut Ledger) {
    let source = attached.source;
    let services = source.backend_services().join(", ");
    if let Some(a) = source.nginx("backend-protocol") {
        let protocol = a.value.trim().to_ascii_lowercase();
        let outcome = match protocol.as_str() {
            "http" | "auto_http" => Outcome::Translated,
            "https" | "grpc" | "grpcs" => Outcome::NotTranslated(format!(
                "a Service annotation on Kong: add `konghq.com/protocol: {protocol}` to Service(s) {services}"
            )),
            _ => Outcome::NotTranslated(format!("{} backends have no Kong protocol", a.value.trim())),
        };
        ledger.record(&a.key, outcome);
    }
    if let Some(a) = source.nginx("upstream-vhost") {
        ledger.record(&a.key, Outcome::NotTranslated(format!(
            "a Service annotation on Kong: add `konghq.com/host-header: {}` to Service(s) {services}",
            a.value.trim()
        )));
    }
}

/// ingress-nginx redirects HTTP to HTTPS for TLS hosts (308); Kong does when the route takes
/// https only and names the code.
fn kong_https_redirect(attached: &mut Attached<'_, '_>, ledger: &mut Ledger) {
    let source = attached.source;
    let tls = !source.tls.is_empty() || source.is_true("force-ssl-redirect");
    if tls && source.redirects_to_https() {
        let from = source
            .key_of("ssl-redirect")
            .or_else(|| source.key_of("force-ssl-redirect"))
            .map_or_else(
                || "ingress-nginx redirects TLS hosts by default".to_string(),
                |k| format!("{k}: true"),
            );
        attached
            .annotations
            .push(("konghq.com/protocols".into(), "https".into(), from));
        attached.annotations.push((
            "konghq.com/https-redirect-status-code".into(),
            "308".into(),
            "ingress-nginx's http-redirect-code".into(),
        ));
    }
    for suffix in ["ssl-redirect", "force-ssl-redirect"] {
        if let Some(key) = source.key_of(suffix) {
            ledger.record(&key, Outcome::Translated);
        }
    }
}

/// `8m` as Kong's request-size-limiting size and unit.
fn kong_size(text: &str) -> Option<(i64, &'static str)> {
    let lower = text.to_ascii_lowercase();
    let (digits, unit) = match lower.chars().last()? {
        'k' => (&lower[..lower.len() - 1], "kilobytes"),
        'm' => (&lower[..lower.len() - 1], "megabytes"),
        'g' => {
            return lower[..lower.len() - 1]
                .parse::<i64>()
                .ok()?
                .checked_mul(1024)
                .map(|n| (n, "megabytes"))
        }
        _ => (lower.as_str(), "bytes"),
    };
    Some((digits.parse::<i64>().ok()?, unit))
}

/// permanent-redirect / temporal-redirect → the redirect plugin (Kong Gateway 3.9+).
fn kong_redirect(attached: &mut Attached<'_, '_>, ledger: &mut Ledger) {
    let source = attached.source;
    let Some(wanted) = source.redirect(ledger) else {
        return;
    };
    let annotation = wanted.annotation;
    let url = annotation.value.trim();
    let (location, keep_path) = (wanted.base.to_string(), wanted.keeps_path);
    let code = wanted.status_code(ledger, |n| (300..=399).contains(&n), "a redirect");
    attached.kong_plugin(
        "redirect",
        "redirect",
        Map::new()
            .with("location", location)
            .with("status_code", code)
            .with("keep_incoming_path", keep_path),
        &[format!("{}: {url}", annotation.key)],
    );
    ledger.record(
        &annotation.key,
        Outcome::Approximated("the redirect plugin needs Kong Gateway 3.9 or newer".into()),
    );
}

fn f5_policies(attached: &mut Attached<'_, '_>, knowledge: &Knowledge, ledger: &mut Ledger) {
    let source = attached.source;
    if let Some(cors) = Cors::read(source, knowledge, ledger) {
        let config = cors.fields([
            "allowOrigin",
            "allowMethods",
            "allowHeaders",
            "exposeHeaders",
            "allowCredentials",
            "maxAge",
        ]);
        attached.f5_policy(
            "cors",
            "cors",
            config,
            &[format!("{} (NIC >= 5.4.0)", cors::FROM)],
        );
    }
    let allow = source
        .nginx("allowlist-source-range")
        .or_else(|| source.nginx("whitelist-source-range"));
    let deny = source.nginx("denylist-source-range");
    // One Policy holds one of allow or deny; NGINX checks the deny list first.
    for (annotation, field) in [(deny, "deny"), (allow, "allow")] {
        if let Some(a) = annotation {
            attached.f5_policy(
                &format!("access-{field}"),
                "accessControl",
                Map::new().with(field, comma_list(&a.value)),
                &[format!("{}: {}", a.key, a.value)],
            );
            ledger.record(
                &a.key,
                Outcome::Approximated("a Policy on an Ingress needs NIC 5.4.0 or newer".into()),
            );
        }
    }
}

/// F5 annotations whose values are written differently from ingress-nginx's.
fn f5_annotations(attached: &mut Attached<'_, '_>, ledger: &mut Ledger) {
    let source = attached.source;
    let rate = match (source.nginx("limit-rps"), source.nginx("limit-rpm")) {
        (Some(rps), _) => Some((rps, "r/s")),
        (None, Some(rpm)) => Some((rpm, "r/m")),
        (None, None) => None,
    };
    if let Some((annotation, unit)) = rate {
        if let Ok(n) = annotation.value.trim().parse::<i64>() {
            // NGINX's burst is rate × limit-burst-multiplier (default 5) and it answers 503;
            // NIC has no burst and answers 429 unless told.
            let multiplier = source
                .value("limit-burst-multiplier")
                .and_then(|m| m.parse::<i64>().ok())
                .unwrap_or(5);
            if let Some(key) = source.key_of("limit-burst-multiplier") {
                ledger.record(&key, Outcome::Translated);
            }
            let from = format!("{}: {n}", annotation.key);
            attached.annotations.push((
                "nginx.org/limit-req-rate".into(),
                format!("{n}{unit}"),
                from.clone(),
            ));
            attached.annotations.push((
                "nginx.org/limit-req-burst".into(),
                n.saturating_mul(multiplier).to_string(),
                format!("burst = rate × limit-burst-multiplier ({multiplier})"),
            ));
            attached.annotations.push((
                "nginx.org/limit-req-reject-code".into(),
                "503".into(),
                "ingress-nginx answers 503".into(),
            ));
            ledger.record(&annotation.key, Outcome::Translated);
        }
        if let (Some(_), Some(rpm)) = (source.nginx("limit-rps"), source.nginx("limit-rpm")) {
            ledger.record(
                &rpm.key,
                Outcome::NotTranslated(
                    "NIC takes one rate per Ingress: limit-rps is written; NGINX applied both"
                        .into(),
                ),
            );
        }
    }
    if source.redirects_to_https()
        && (!source.tls.is_empty() || source.is_true("force-ssl-redirect"))
    {
        // NIC redirects TLS hosts with 301 by default; ingress-nginx with 308.
        attached.annotations.push((
            "nginx.org/http-redirect-code".into(),
            "308".into(),
            "ingress-nginx's http-redirect-code".into(),
        ));
    }
    if let Some(a) = source.nginx("upstream-hash-by") {
        let key = a.value.trim();
        attached.annotations.push((
            "nginx.org/lb-method".into(),
            format!("hash {key} consistent"),
            format!("{}: {key}", a.key),
        ));
        ledger.record(&a.key, Outcome::Translated);
    }
    // NIC is NGINX: its proxy-set-headers read NGINX variables as ingress-nginx did.
    let headers = source.request_headers(
        ledger,
        &[
            ("upstream-vhost", "Host"),
            ("x-forwarded-prefix", "X-Forwarded-Prefix"),
            ("connection-proxy-header", "Connection"),
        ],
        true,
    );
    if !headers.is_empty() {
        let value: Vec<String> = headers
            .iter()
            .map(|(h, v, _)| format!("{h}: {v}"))
            .collect();
        attached.annotations.push((
            "nginx.org/proxy-set-headers".into(),
            value.join(","),
            "upstream-vhost / x-forwarded-prefix / connection-proxy-header".into(),
        ));
    }
    if let Some(a) = source.nginx("backend-protocol") {
        let services: Vec<String> = source
            .backend_services()
            .into_iter()
            .map(|s| s.split_once('/').map_or(s.clone(), |(_, n)| n.to_string()))
            .collect();
        let key = match a.value.trim().to_ascii_uppercase().as_str() {
            "HTTPS" => Some("nginx.org/ssl-services"),
            "GRPC" | "GRPCS" => Some("nginx.org/grpc-services"),
            "HTTP" | "AUTO_HTTP" => {
                ledger.record(&a.key, Outcome::Translated);
                None
            }
            _ => None,
        };
        if let Some(key) = key {
            attached.annotations.push((
                key.into(),
                services.join(","),
                format!("{}: {}", a.key, a.value.trim()),
            ));
            ledger.record(
                &a.key,
                if a.value.trim().eq_ignore_ascii_case("GRPCS") {
                    Outcome::Approximated(
                        "gRPC over TLS also needs nginx.org/ssl-services for the same Services"
                            .into(),
                    )
                } else {
                    Outcome::Translated
                },
            );
        }
    }
}

/// HAProxy annotations whose values are written differently from ingress-nginx's.
fn haproxy_annotations(
    attached: &mut Attached<'_, '_>,
    knowledge: &Knowledge,
    ledger: &mut Ledger,
) {
    let source = attached.source;
    haproxy_cors(attached, knowledge, ledger);
    haproxy_basic_auth(attached, ledger);
    // HAProxy counts requests per period with no burst and answers 403 by default.
    let rate = match (source.nginx("limit-rps"), source.nginx("limit-rpm")) {
        (Some(rps), rpm) => {
            if let Some(rpm) = rpm {
                ledger.record(&rpm.key, Outcome::NotTranslated(
                    "HAProxy takes one rate per Ingress: limit-rps is written; NGINX applied both".into(),
                ));
            }
            Some((rps, "1s"))
        }
        (None, Some(rpm)) => Some((rpm, "1m")),
        (None, None) => None,
    };
    if let Some((annotation, period)) = rate {
        if let Ok(n) = annotation.value.trim().parse::<i64>() {
            let from = format!("{}: {n}", annotation.key);
            attached.annotations.push((
                "haproxy.org/rate-limit-requests".into(),
                n.to_string(),
                from,
            ));
            attached.annotations.push((
                "haproxy.org/rate-limit-period".into(),
                period.into(),
                "the rate's window".into(),
            ));
            attached.annotations.push((
                "haproxy.org/rate-limit-status-code".into(),
                "503".into(),
                "ingress-nginx answers 503".into(),
            ));
            ledger.record(&annotation.key, Outcome::Approximated(
                "requests counted per period with no burst; NGINX's leaky bucket allowed limit-burst-multiplier × the rate".into(),
            ));
        }
    }
    let headers = source.request_headers(
        ledger,
        &[
            ("x-forwarded-prefix", "X-Forwarded-Prefix"),
            ("connection-proxy-header", "Connection"),
        ],
        false,
    );
    if !headers.is_empty() {
        let value: Vec<String> = headers.iter().map(|(h, v, _)| format!("{h} {v}")).collect();
        attached.annotations.push((
            "haproxy.org/request-set-header".into(),
            value.join("\n"),
            "x-forwarded-prefix / connection-proxy-header".into(),
        ));
    }
    if let Some(headers) = source.response_headers(ledger).filter(|h| !h.is_empty()) {
        let value: Vec<String> = headers.iter().map(|(h, v)| format!("{h} {v}")).collect();
        attached.annotations.push((
            "haproxy.org/response-set-header".into(),
            value.join("\n"),
            "custom-headers: the ConfigMap's headers".into(),
        ));
    }
    if let Some(a) = source.nginx("backend-protocol") {
        let protocol = a.value.trim().to_ascii_uppercase();
        let (ssl, h2) = match protocol.as_str() {
            "HTTPS" => (true, false),
            "GRPC" => (false, true),
            "GRPCS" => (true, true),
            _ => (false, false),
        };
        if ssl {
            attached.annotations.push((
                "haproxy.org/server-ssl".into(),
                "true".into(),
                format!("{}: {protocol}", a.key),
            ));
        }
        if h2 {
            attached.annotations.push((
                "haproxy.org/server-proto".into(),
                "h2".into(),
                format!("{}: {protocol}", a.key),
            ));
        }
        let outcome = match protocol.as_str() {
            // Neither verifies the backend's certificate unless told (server-ca / proxy-ssl-verify).
            "HTTP" | "AUTO_HTTP" | "GRPC" | "HTTPS" | "GRPCS" => Outcome::Translated,
            other => Outcome::NotTranslated(format!("{other} backends have no HAProxy equivalent")),
        };
        ledger.record(&a.key, outcome);
    }
}

/// enable-cors → HAProxy's cors-* keys with NGINX's defaults written out (HAProxy's own
/// allow no credentials and cache a preflight 5 s); several origins become the regex
/// HAProxy matches the request's Origin with.
fn haproxy_cors(attached: &mut Attached<'_, '_>, knowledge: &Knowledge, ledger: &mut Ledger) {
    let Some(cors) = Cors::read(attached.source, knowledge, ledger) else {
        return;
    };
    // The comment once, on the first key.
    let mut comment = cors::FROM.to_string();
    let mut push = |key: &str, value: String| {
        let comment = std::mem::take(&mut comment);
        attached
            .annotations
            .push((format!("haproxy.org/{key}"), value, comment));
    };
    push("cors-enable", "true".into());
    if let Some(origins) = &cors.origins {
        let list: Vec<&str> = origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .collect();
        push(
            "cors-allow-origin",
            if list.len() > 1 {
                let escaped: Vec<String> = list.iter().map(|o| o.replace('.', "\\.")).collect();
                format!("^({})$", escaped.join("|"))
            } else {
                list.concat()
            },
        );
    }
    if let Some(methods) = &cors.methods {
        push("cors-allow-methods", methods.clone());
    }
    if let Some(headers) = &cors.headers {
        push("cors-allow-headers", headers.clone());
    }
    if let Some(credentials) = cors.credentials {
        push("cors-allow-credentials", credentials.to_string());
    }
    if let Some(age) = cors.max_age {
        push("cors-max-age", format!("{age}s"));
    }
    if let Some(key) = attached
        .source
        .key_of("cors-expose-headers")
        .filter(|_| cors.expose.is_some())
    {
        ledger.record(&key, Outcome::NotTranslated(
            "HAProxy has no expose-headers key: add `Access-Control-Expose-Headers` with haproxy.org/response-set-header".into(),
        ));
    }
}

/// auth-type basic + auth-secret (+ auth-realm) → HAProxy's basic auth. HAProxy reads one
/// Secret key per user (`auth-map`); ingress-nginx's default `auth-file` keeps every user
/// under `auth`, so that Secret must be split first.
fn haproxy_basic_auth(attached: &mut Attached<'_, '_>, ledger: &mut Ledger) {
    let source = attached.source;
    let (Some(kind), Some(secret)) = (source.nginx("auth-type"), source.nginx("auth-secret"))
    else {
        return;
    };
    if kind.value.trim() != "basic" {
        ledger.record(
            &kind.key,
            Outcome::NotTranslated("HAProxy does basic authentication only".into()),
        );
        return;
    }
    let from = format!("{}: basic", kind.key);
    attached.annotations.push((
        "haproxy.org/auth-type".into(),
        "basic-auth".into(),
        from.clone(),
    ));
    attached.annotations.push((
        "haproxy.org/auth-secret".into(),
        secret.value.trim().to_string(),
        format!("{}: {}", secret.key, secret.value.trim()),
    ));
    if let Some(realm) = source.nginx("auth-realm") {
        attached.annotations.push((
            "haproxy.org/auth-realm".into(),
            realm.value.trim().to_string(),
            format!("{}: {}", realm.key, realm.value.trim()),
        ));
        ledger.record(&realm.key, Outcome::Translated);
    }
    ledger.record(&kind.key, Outcome::Translated);
    let map = source.value("auth-secret-type") == Some("auth-map");
    if let Some(key) = source.key_of("auth-secret-type") {
        ledger.record(&key, Outcome::Translated);
    }
    ledger.record(&secret.key, if map {
        Outcome::Translated
    } else {
        Outcome::NotTranslated(format!(
            "the Secret `{}` holds its users under `auth` (auth-file); HAProxy reads one key per user with its hash: split it before switching, or nobody gets in",
            secret.value.trim()
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_sizes_become_kong_units() {
        assert_eq!(kong_size("8m"), Some((8, "megabytes")));
        assert_eq!(kong_size("512k"), Some((512, "kilobytes")));
        assert_eq!(kong_size("2g"), Some((2048, "megabytes")));
        assert_eq!(kong_size("100"), Some((100, "bytes")));
        assert_eq!(kong_size("1.5m"), None);
    }
}
