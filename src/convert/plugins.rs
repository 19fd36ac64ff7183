//! Kong and F5 NGINX: what annotations cannot say, as the target's objects the Ingress
//! names — KongPlugins through `konghq.com/plugins`, F5 Policies through `nginx.org/policies`
//! — and the F5 annotations whose values need rewriting (`<n>r/s`, `Header: value`, Service
//! lists).

use super::ingress;
use super::source::Source;
use super::yaml::{Map, Value};
use super::{derived_name, metadata, Ledger, Outcome, Output, Request};
use crate::detect::Objects;
use crate::knowledge::Knowledge;

pub fn convert(
    objects: &Objects<'_>,
    knowledge: &Knowledge,
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    request: &Request<'_>,
    out: &mut Output<'_>,
) {
    let class = ingress::target_class(knowledge, request, out);
    let kong = request.target == "kong";
    for (source, ledger) in sources.iter().zip(ledgers.iter_mut()) {
        let mut ingress =
            ingress::ingress(objects, knowledge, source, ledger, request.target, &class);
        let mut attached = Attached {
            source,
            names: Vec::new(),
            objects: Vec::new(),
            annotations: Vec::new(),
        };
        if kong {
            kong_plugins(&mut attached, knowledge, ledger);
        } else {
            f5_policies(&mut attached, knowledge, ledger);
            f5_annotations(&mut attached, ledger);
        }
        if let Some(Value::Map(meta)) = ingress.get_mut("metadata") {
            let annotations = meta.map_mut("annotations");
            for (key, value, comment) in &attached.annotations {
                annotations.set(key, value.as_str());
                annotations.comment(key, comment.clone());
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

fn list(text: &str) -> Vec<Value> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Value::from)
        .collect()
}

/// The cors-* values with NGINX's defaults for those not set.
fn cors_values(
    source: &Source<'_>,
    knowledge: &Knowledge,
    ledger: &mut Ledger,
) -> Option<[Option<String>; 6]> {
    let keys = [
        "cors-allow-origin",
        "cors-allow-methods",
        "cors-allow-headers",
        "cors-expose-headers",
        "cors-allow-credentials",
        "cors-max-age",
    ];
    for suffix in std::iter::once("enable-cors").chain(keys) {
        if let Some(key) = source.key_of(suffix) {
            ledger.record(&key, Outcome::Translated);
        }
    }
    if !source.is_true("enable-cors") {
        return None;
    }
    Some(keys.map(|suffix| {
        source.value(suffix).map(str::to_string).or_else(|| {
            let default = knowledge
                .nginx_annotations
                .get(suffix)?
                .default
                .trim_matches('"')
                .to_string();
            (default != "empty" && !default.is_empty()).then_some(default)
        })
    }))
}

fn kong_plugins(attached: &mut Attached<'_, '_>, knowledge: &Knowledge, ledger: &mut Ledger) {
    let source = attached.source;
    if let Some([origins, methods, headers, exposed, credentials, max_age]) =
        cors_values(source, knowledge, ledger)
    {
        let mut config = Map::new();
        if let Some(v) = origins {
            config.set("origins", list(&v));
        }
        if let Some(v) = methods {
            config.set("methods", list(&v.to_uppercase()));
        }
        if let Some(v) = headers {
            config.set("headers", list(&v));
        }
        if let Some(v) = exposed {
            config.set("exposed_headers", list(&v));
        }
        if let Some(v) = credentials {
            config.set("credentials", v == "true");
        }
        if let Some(v) = max_age.and_then(|v| v.parse::<i64>().ok()) {
            config.set("max_age", v);
        }
        attached.kong_plugin(
            "cors",
            "cors",
            config,
            &["enable-cors: \"true\", with NGINX's defaults for the cors-* keys not set".into()],
        );
    }
    let (rate, field) = match (source.nginx("limit-rps"), source.nginx("limit-rpm")) {
        (Some(rps), _) => (Some(rps), "second"),
        (None, Some(rpm)) => (Some(rpm), "minute"),
        (None, None) => (None, ""),
    };
    if let Some(annotation) = rate {
        match annotation.value.trim().parse::<i64>() {
            Ok(n) => {
                attached.kong_plugin(
                    "rate-limiting",
                    "rate-limiting",
                    Map::new()
                        .with(field, n)
                        .with("limit_by", "ip")
                        .with("policy", "local"),
                    &[format!("{}: {n}", annotation.key)],
                );
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
    let allow = source
        .nginx("allowlist-source-range")
        .or_else(|| source.nginx("whitelist-source-range"));
    let deny = source.nginx("denylist-source-range");
    if allow.is_some() || deny.is_some() {
        let mut config = Map::new();
        let mut from = Vec::new();
        for (annotation, field) in [(allow, "allow"), (deny, "deny")] {
            if let Some(a) = annotation {
                config.set(field, list(&a.value));
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
    kong_redirect(attached, ledger);
    kong_https_redirect(attached, ledger);
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
    let (annotation, code_suffix, default_code) = match (
        source.nginx("temporal-redirect"),
        source.nginx("permanent-redirect"),
    ) {
        (Some(t), p) => {
            if let Some(p) = p {
                ledger.record(&p.key, Outcome::Translated);
            }
            (t, "temporal-redirect-code", 302)
        }
        (None, Some(p)) => (p, "permanent-redirect-code", 301),
        (None, None) => return,
    };
    let url = annotation.value.trim();
    let (location, keep_path) = match url.strip_suffix("$request_uri") {
        Some(base) if !base.contains('$') => (base.to_string(), true),
        None if !url.contains('$') => (url.to_string(), false),
        _ => {
            ledger.record(
                &annotation.key,
                Outcome::NotTranslated(
                    "the URL uses NGINX variables other than a trailing $request_uri".into(),
                ),
            );
            return;
        }
    };
    let code = source
        .nginx(code_suffix)
        .map(|c| {
            ledger.record(&c.key, Outcome::Translated);
            c.value.trim().parse::<i64>().unwrap_or(default_code)
        })
        .unwrap_or(default_code);
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
    if let Some([origins, methods, headers, exposed, credentials, max_age]) =
        cors_values(source, knowledge, ledger)
    {
        let mut config = Map::new();
        if let Some(v) = origins {
            config.set("allowOrigin", list(&v));
        }
        if let Some(v) = methods {
            config.set("allowMethods", list(&v.to_uppercase()));
        }
        if let Some(v) = headers {
            config.set("allowHeaders", list(&v));
        }
        if let Some(v) = exposed {
            config.set("exposeHeaders", list(&v));
        }
        if let Some(v) = credentials {
            config.set("allowCredentials", v == "true");
        }
        if let Some(v) = max_age.and_then(|v| v.parse::<i64>().ok()) {
            config.set("maxAge", v);
        }
        attached.f5_policy("cors", "cors", config, &["enable-cors: \"true\", with NGINX's defaults for the cors-* keys not set (NIC >= 5.4.0)".into()]);
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
                Map::new().with(field, list(&a.value)),
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
                (n * multiplier).to_string(),
                format!("burst = rate × limit-burst-multiplier ({multiplier})"),
            ));
            attached.annotations.push((
                "nginx.org/limit-req-reject-code".into(),
                "503".into(),
                "ingress-nginx answers 503".into(),
            ));
            ledger.record(&annotation.key, Outcome::Translated);
        }
    }
    let mut headers = Vec::new();
    for (suffix, header) in [
        ("upstream-vhost", "Host"),
        ("x-forwarded-prefix", "X-Forwarded-Prefix"),
    ] {
        if let Some(a) = source.nginx(suffix) {
            headers.push(format!("{header}: {}", a.value.trim()));
            ledger.record(&a.key, Outcome::Translated);
        }
    }
    if !headers.is_empty() {
        attached.annotations.push((
            "nginx.org/proxy-set-headers".into(),
            headers.join(","),
            "upstream-vhost / x-forwarded-prefix".into(),
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
