//! `convert --to traefik`: the Ingress with Traefik's class and router annotations, plus a
//! `traefik.io/v1alpha1` Middleware per feature the annotations ask for, chained through
//! `traefik.ingress.kubernetes.io/router.middlewares` in the order NGINX applies them
//! (access, then authentication, then headers, redirects and rewrites).

mod canary;
mod middlewares;

use super::ingress;
use super::source::Source;
use super::yaml::Value;
use super::{Ledger, Outcome, Output, Request};
use crate::knowledge::Knowledge;
use middlewares::Chain;

/// The API group and version of Traefik's CRDs.
const API: &str = "traefik.io/v1alpha1";
const MIDDLEWARES: &str = "traefik.ingress.kubernetes.io/router.middlewares";
const PATH_MATCHER: &str = "traefik.ingress.kubernetes.io/router.pathmatcher";

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
    for (source, ledger) in sources.iter().zip(ledgers.iter_mut()) {
        if source.is_canary() {
            canary::convert(source, ledger, &mains, &host_paths, out);
            continue;
        }
        let chain = Chain::build(source, knowledge, ledger);
        https_redirect(source, ledger, out);
        if source.regex_paths() {
            if let Some(key) = source.key_of("use-regex") {
                ledger.record(&key, Outcome::Approximated(
                    "PathRegexp uses Go RE2, case-sensitive and unanchored unless the path says so; NGINX used case-insensitive PCRE prefixes".into(),
                ));
            }
        }
        // What the target reads as annotations, for the keys left.
        let mut ingress = ingress::ingress(knowledge, source, ledger, request, &class);
        let meta = match ingress.get_mut("metadata") {
            Some(Value::Map(meta)) => meta,
            _ => continue,
        };
        let annotations = meta.map_mut("annotations");
        if source.regex_paths() {
            annotations.set(PATH_MATCHER, "PathRegexp");
            annotations.comment(PATH_MATCHER, "regex paths (use-regex / rewrite-target)");
        }
        if !chain.names.is_empty() {
            let references: Vec<String> = chain
                .names
                .iter()
                .map(|name| format!("{}-{name}@kubernetescrd", source.namespace))
                .collect();
            annotations.set(MIDDLEWARES, references.join(","));
        }
        out.emit(Some(source.key.file), ingress);
        for object in chain.objects {
            out.emit(Some(source.key.file), object);
        }
    }
}

/// ingress-nginx redirects HTTP to HTTPS for hosts with TLS; Traefik does it on an entry
/// point, for every router at once.
fn https_redirect(source: &Source<'_>, ledger: &mut Ledger, out: &mut Output<'_>) {
    let tls = !source.tls.is_empty() || source.is_true("force-ssl-redirect");
    let off = !source.redirects_to_https();
    if tls && !off {
        out.decide("HTTP→HTTPS redirect: Traefik redirects on the entry point, not per router: `--entryPoints.web.http.redirections.entryPoint.to=websecure --entryPoints.web.http.redirections.entryPoint.scheme=https` (chart: `ports.web.redirections.entryPoint: {to: websecure, scheme: https, permanent: true}`)".into());
    }
    for suffix in ["ssl-redirect", "force-ssl-redirect"] {
        let Some(annotation) = source.nginx(suffix) else {
            continue;
        };
        let outcome = if off && !source.tls.is_empty() {
            Outcome::NotTranslated("an entry-point redirect cannot be switched off for one router: this Ingress's HTTP traffic would be redirected too".into())
        } else {
            Outcome::Approximated(
                "moved to the entry point's redirection (see the decisions)".into(),
            )
        };
        ledger.record(&annotation.key, outcome);
    }
}
