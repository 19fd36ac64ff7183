//! auth-tls-* (client certificates) on Traefik: a TLSOption with `clientAuth` that the
//! router names (`router.tls.options`), and the passTLSClientCert Middleware for
//! auth-tls-pass-certificate-to-upstream — the mapping Traefik's own ingress-nginx provider
//! uses (build.go `buildClientAuthTLSOption`, `clientAuthTypeFromString`). A value NGINX
//! cannot read denies the paths there; here it writes nothing, so nothing is served without
//! the client-certificate check.

use super::middlewares::Chain;
use super::API;
use crate::convert::source::Source;
use crate::convert::yaml::{Map, Value};
use crate::convert::{derived_name, metadata, Ledger, Outcome};

/// What auth-tls-secret makes of an Ingress.
pub enum ClientAuth {
    None,
    /// The TLSOption to write: the router's reference to it, its namespace and name.
    Option {
        reference: String,
        namespace: String,
        name: String,
        object: Map,
    },
    /// Nothing may be written for the Ingress: why.
    Refused(String),
}

/// NGINX's `ssl_verify_client` value as Traefik's clientAuthType; `on` for anything else, as
/// ingress-nginx's authtls parser falls back to it.
fn client_auth_type(verify: Option<&str>) -> &'static str {
    match verify {
        Some("off") => "NoClientCert",
        Some("optional") => "VerifyClientCertIfGiven",
        Some("optional_no_ca") => "RequestClientCert",
        _ => "RequireAndVerifyClientCert",
    }
}

pub fn read(source: &Source<'_>, chain: &mut Chain<'_, '_>, ledger: &mut Ledger) -> ClientAuth {
    let Some(secret) = source.nginx("auth-tls-secret") else {
        return ClientAuth::None;
    };
    let value = secret.value.trim();
    // ingress-nginx reads it with ParseNameNS: `namespace/name`, nothing else.
    let Some((namespace, name)) = value
        .split_once('/')
        .filter(|(ns, n)| !ns.is_empty() && !n.is_empty() && !n.contains('/'))
    else {
        let why = format!(
            "auth-tls-secret `{value}` is not namespace/name: NGINX denies these paths; nothing is written rather than serve them without the client-certificate check"
        );
        ledger.record(&secret.key, Outcome::NotTranslated(why.clone()));
        return ClientAuth::Refused(why);
    };
    let verify = source.value("auth-tls-verify-client");
    let kind = client_auth_type(verify);
    let option_name = derived_name(&format!("client-auth-{name}"), &kind.to_ascii_lowercase());
    let mut client_auth = Map::new()
        .with("secretNames", vec![Value::from(name)])
        .with("clientAuthType", kind);
    client_auth.comment("secretNames", format!("{}: {value}", secret.key));
    let object = Map::new()
        .with("apiVersion", API)
        .with("kind", "TLSOption")
        .with(
            "metadata",
            metadata(&option_name, namespace, &source.origin),
        )
        .with("spec", Map::new().with("clientAuth", client_auth));
    ledger.record(&secret.key, Outcome::Approximated(
        "a TLSOption (the CA under the Secret's ca.crt, as NGINX reads it); Traefik picks TLS options per host name, so every router of the host must name the same one".into(),
    ));
    if let Some(key) = source.key_of("auth-tls-verify-client") {
        ledger.record(&key, Outcome::Translated);
    }
    if let Some(depth) = source.nginx("auth-tls-verify-depth") {
        ledger.record(&depth.key, Outcome::NotTranslated(format!(
            "TLSOption has no depth: Traefik verifies the whole chain to the CA, where NGINX stopped at depth {}",
            depth.value.trim()
        )));
    }
    if source.is_true("auth-tls-pass-certificate-to-upstream") {
        let key = source
            .key_of("auth-tls-pass-certificate-to-upstream")
            .unwrap_or_default();
        chain.add(
            "pass-client-cert",
            "passTLSClientCert",
            Map::new().with("pem", true),
            &[format!("{key}: \"true\"")],
        );
        ledger.record(&key, Outcome::Approximated(
            "Traefik passes the certificate in X-Forwarded-Tls-Client-Cert; NGINX passed it URL-encoded in ssl-client-cert: the backend must read the new header".into(),
        ));
    }
    ClientAuth::Option {
        reference: format!("{namespace}-{option_name}@kubernetescrd"),
        namespace: namespace.to_string(),
        name: option_name,
        object,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_values_map_as_the_provider_maps_them() {
        assert_eq!(client_auth_type(None), "RequireAndVerifyClientCert");
        assert_eq!(client_auth_type(Some("on")), "RequireAndVerifyClientCert");
        assert_eq!(
            client_auth_type(Some("optional")),
            "VerifyClientCertIfGiven"
        );
        assert_eq!(
            client_auth_type(Some("optional_no_ca")),
            "RequestClientCert"
        );
        assert_eq!(client_auth_type(Some("off")), "NoClientCert");
        assert_eq!(
            client_auth_type(Some("bogus")),
            "RequireAndVerifyClientCert"
        );
    }
}
