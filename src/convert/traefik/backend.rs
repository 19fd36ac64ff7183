//! How Traefik reaches the backend, where ingress-nginx annotations set it: the scheme
//! (backend-protocol), a ServersTransport (backend TLS, proxy timeouts, HTTP version), sticky
//! cookies (affinity) and native load balancing (service-upstream). On an IngressRoute these
//! sit on the service reference itself, so the route is linked to them — an Ingress could
//! only ask for annotations on the Services, which are not this conversion's to change.

use super::API;
use crate::convert::source::Source;
use crate::convert::yaml::{Map, Value};
use crate::convert::{derived_name, metadata, Ledger, Outcome};

#[derive(Default)]
pub struct Backend {
    /// `https` or `h2c`.
    pub scheme: Option<&'static str>,
    /// The ServersTransport: its name and the object.
    pub transport: Option<(String, Map)>,
    /// The `sticky` field of the service reference.
    pub sticky: Option<Map>,
    pub native_lb: bool,
}

impl Backend {
    /// Whether anything must sit on the service reference (an IngressRoute, then).
    pub fn needed(&self) -> bool {
        self.scheme.is_some() || self.transport.is_some() || self.sticky.is_some() || self.native_lb
    }

    /// The fields a service reference of an IngressRoute takes from it.
    pub fn apply(&self, service: &mut Map) {
        if let Some(scheme) = self.scheme {
            service.set("scheme", scheme);
        }
        if let Some((name, _)) = &self.transport {
            service.set("serversTransport", name.as_str());
        }
        if let Some(sticky) = &self.sticky {
            service.set("sticky", sticky.clone());
        }
        if self.native_lb {
            service.set("nativeLB", true);
        }
    }
}

pub fn read(source: &Source<'_>, ledger: &mut Ledger) -> Backend {
    let mut backend = Backend::default();
    let mut transport = Map::new();
    let mut from = Vec::new();
    if let Some(protocol) = source.nginx("backend-protocol") {
        let value = protocol.value.trim().to_ascii_uppercase();
        match value.as_str() {
            "HTTP" | "AUTO_HTTP" => ledger.record(&protocol.key, Outcome::Translated),
            "HTTPS" | "GRPCS" => {
                backend.scheme = Some("https");
                from.push(format!("{}: {}", protocol.key, protocol.value.trim()));
                backend_tls(source, ledger, &mut transport);
                ledger.record(
                    &protocol.key,
                    if value == "GRPCS" {
                        Outcome::Approximated(
                            "scheme https; Traefik negotiates HTTP/2 over TLS as gRPC needs".into(),
                        )
                    } else {
                        Outcome::Translated
                    },
                );
            }
            "GRPC" => {
                backend.scheme = Some("h2c");
                ledger.record(&protocol.key, Outcome::Translated);
            }
            _ => {}
        }
    }
    if let Some(connect) = source.nginx("proxy-connect-timeout") {
        let seconds = connect.value.trim().trim_end_matches('s');
        transport
            .map_mut("forwardingTimeouts")
            .set("dialTimeout", format!("{seconds}s"));
        from.push(format!("{}: {}", connect.key, connect.value.trim()));
        ledger.record(&connect.key, Outcome::Translated);
    }
    if let Some(read) = source.nginx("proxy-read-timeout") {
        let seconds = read.value.trim().trim_end_matches('s');
        transport
            .map_mut("forwardingTimeouts")
            .set("responseHeaderTimeout", format!("{seconds}s"));
        from.push(format!("{}: {}", read.key, read.value.trim()));
        ledger.record(&read.key, Outcome::Approximated(
            "responseHeaderTimeout bounds the wait for the response headers; NGINX bounded every wait between two reads".into(),
        ));
    }
    if let Some(version) = source.nginx("proxy-http-version") {
        if version.value.trim() == "1.1" {
            transport.set("disableHTTP2", true);
            from.push(format!("{}: \"1.1\"", version.key));
            ledger.record(&version.key, Outcome::Translated);
        } else {
            ledger.record(
                &version.key,
                Outcome::NotTranslated(
                    "Traefik speaks HTTP/1.1 or HTTP/2 to backends, not 1.0".into(),
                ),
            );
        }
    }
    if !transport.is_empty() {
        let name = derived_name(&source.name, "transport");
        let first = [
            "serverName",
            "rootCAsSecrets",
            "insecureSkipVerify",
            "forwardingTimeouts",
            "disableHTTP2",
        ]
        .into_iter()
        .find(|k| transport.get(k).is_some());
        if let Some(first) = first {
            for line in &from {
                transport.comment(first, line.clone());
            }
        }
        let object = Map::new()
            .with("apiVersion", API)
            .with("kind", "ServersTransport")
            .with(
                "metadata",
                metadata(&name, &source.namespace, &source.origin),
            )
            .with("spec", transport);
        backend.transport = Some((name, object));
    }
    sticky(source, ledger, &mut backend);
    if let Some(key) = source.key_of("service-upstream") {
        backend.native_lb = source.is_true("service-upstream");
        ledger.record(&key, Outcome::Translated);
    }
    backend
}

/// backend TLS: NGINX verifies only with proxy-ssl-verify "on", against proxy-ssl-secret's CA.
fn backend_tls(source: &Source<'_>, ledger: &mut Ledger, transport: &mut Map) {
    if let Some(name) = source.nginx("proxy-ssl-name").or_else(|| {
        source
            .nginx("proxy-ssl-server-name")
            .filter(|a| a.value.trim() != "on" && a.value.trim() != "off")
    }) {
        transport.set("serverName", name.value.trim());
        ledger.record(&name.key, Outcome::Translated);
    }
    let verify = source.value("proxy-ssl-verify") == Some("on");
    if let Some(key) = source.key_of("proxy-ssl-verify") {
        ledger.record(&key, Outcome::Translated);
    }
    if !verify {
        // ingress-nginx does not verify HTTPS backends unless proxy-ssl-verify is on.
        transport.set("insecureSkipVerify", true);
        if let Some(key) = source.key_of("proxy-ssl-secret") {
            ledger.record(
                &key,
                Outcome::NoEffect("NGINX verifies nothing without proxy-ssl-verify \"on\"".into()),
            );
        }
        return;
    }
    if let Some(secret) = source.nginx("proxy-ssl-secret") {
        let value = secret.value.trim();
        let (namespace, name) = value
            .split_once('/')
            .unwrap_or((source.namespace.as_str(), value));
        if namespace == source.namespace {
            transport.set("rootCAsSecrets", vec![Value::from(name)]);
            ledger.record(&secret.key, Outcome::Approximated(
                "the CA (ca.crt) only: the client certificate NGINX presented from the same Secret needs certificatesSecrets with a Secret of type tls".into(),
            ));
        } else {
            ledger.record(&secret.key, Outcome::NotTranslated(format!(
                "the CA Secret {namespace}/{name} is in another namespace: a ServersTransport reads Secrets of its own; the backend is verified against the system CAs"
            )));
        }
    }
}

/// affinity: cookie (+ session-cookie-*) → the service reference's sticky cookie.
fn sticky(source: &Source<'_>, ledger: &mut Ledger, backend: &mut Backend) {
    let Some(affinity) = source.nginx("affinity") else {
        return;
    };
    if affinity.value.trim() != "cookie" {
        ledger.record(
            &affinity.key,
            Outcome::NotTranslated(format!(
                "affinity `{}`: Traefik's sticky sessions are cookies only",
                affinity.value.trim()
            )),
        );
        return;
    }
    // ingress-nginx's defaults: cookie INGRESSCOOKIE, HttpOnly.
    let mut cookie = Map::new()
        .with(
            "name",
            source
                .value("session-cookie-name")
                .unwrap_or("INGRESSCOOKIE"),
        )
        .with("httpOnly", true);
    if source.is_true("session-cookie-secure") {
        cookie.set("secure", true);
    }
    if let Some(same_site) = source.value("session-cookie-samesite") {
        cookie.set("sameSite", same_site.to_ascii_lowercase());
    }
    if let Some(age) = source
        .value("session-cookie-max-age")
        .and_then(|a| a.parse::<i64>().ok())
    {
        cookie.set("maxAge", age);
    }
    if let Some(path) = source.value("session-cookie-path") {
        cookie.set("path", path);
    }
    cookie.comment("name", format!("{}: cookie", affinity.key));
    backend.sticky = Some(Map::new().with("cookie", cookie));
    ledger.record(&affinity.key, Outcome::Translated);
    for suffix in [
        "session-cookie-name",
        "session-cookie-secure",
        "session-cookie-samesite",
        "session-cookie-max-age",
        "session-cookie-path",
    ] {
        if let Some(key) = source.key_of(suffix) {
            ledger.record(&key, Outcome::Translated);
        }
    }
    if let Some(key) = source.key_of("affinity-mode") {
        ledger.record(&key, Outcome::Approximated("Traefik's sticky cookie stays with its server (persistent); balanced rebalancing on scale-out has no equivalent".into()));
    }
    if let Some(key) = source.key_of("session-cookie-expires") {
        ledger.record(
            &key,
            Outcome::NotTranslated("an Expires date has no field: set maxAge".into()),
        );
    }
}
