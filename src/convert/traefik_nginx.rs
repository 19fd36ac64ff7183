//! `convert --to traefik --via nginx-provider`: the smallest migration. Traefik (v3.5+) reads
//! ingress-nginx's Ingresses and annotations itself through its ingress-nginx provider
//! (`--providers.kubernetesingressnginx`), so the Ingresses stay as they are, with the class
//! that provider watches; the report says, annotation by annotation, what the provider does
//! with each (the catalog's `traefik-nginx-provider` column, from its `annotations.go`), and
//! where its defaults differ from NGINX's.

use super::source::{AnnotationKind, Source};
use super::{ingress, metadata, Ledger, Outcome, Output, Request};
use crate::knowledge::sets::{ProviderSupport, Verdict};
use crate::knowledge::Knowledge;

/// The catalog column of Traefik's ingress-nginx provider.
const PROVIDER: &str = "traefik-nginx-provider";

/// Where the provider's defaults and rules differ from ingress-nginx's (traefik/traefik
/// pkg/provider/kubernetes/ingress-nginx/kubernetes.go `SetDefaults` and build.go).
const DIFFERENCES: [&str; 5] = [
    "Traefik's ingress-nginx provider connects to backends with a 60 s timeout where ingress-nginx's proxy-connect-timeout default is 5 s (its read and send timeouts are NGINX's 60 s); set `--providers.kubernetesingressnginx.proxyConnectTimeout=5` to keep NGINX's",
    "it retries like NGINX's defaults (proxy-next-upstream `error timeout`, 3 tries), but with Traefik's retry middleware, which may pick the same server again",
    "it refuses Secrets and ConfigMaps in another namespace than the Ingress (auth-secret, auth-tls-secret, proxy-ssl-secret, custom-headers) unless `allowCrossNamespaceResources` is set: such an Ingress is skipped",
    "it skips an Ingress with a snippet annotation unless `allowSnippetAnnotations` is set, and then reads only the snippets' headers and auth",
    "with `strictValidatePathType` (its default, as in ingress-nginx ≥ 1.12) it skips an Ingress whose Prefix or Exact path holds regex characters",
];

pub fn convert(
    knowledge: &Knowledge,
    sources: &[Source<'_>],
    ledgers: &mut [Ledger],
    request: &Request<'_>,
    out: &mut Output<'_>,
) {
    let class = class(knowledge, request, out);
    for difference in DIFFERENCES {
        out.decide(difference.to_string());
    }
    for (source, ledger) in sources.iter().zip(ledgers.iter_mut()) {
        let name = format!("{}{}", source.name, request.name_suffix.unwrap_or_default());
        let mut meta = metadata(&name, &source.namespace, &source.origin);
        let annotations = meta.map_mut("annotations");
        for a in &source.annotations {
            match &a.kind {
                // The class moves to spec.ingressClassName.
                AnnotationKind::Class => ledger.record(&a.key, Outcome::Translated),
                AnnotationKind::Source(suffix) => {
                    annotations.set(&a.key, a.value.as_str());
                    ledger.record(&a.key, provider_outcome(knowledge, suffix));
                }
                _ => {
                    if a.key != "kubectl.kubernetes.io/last-applied-configuration" {
                        annotations.set(&a.key, a.value.as_str());
                    }
                    ledger.record(&a.key, Outcome::Translated);
                }
            }
        }
        out.emit(
            Some(source.key.file),
            ingress::with_spec(source, meta, &class),
        );
    }
}

/// The class the provider watches: `--target-class`, else its `ingressClass` default.
fn class(knowledge: &Knowledge, request: &Request<'_>, out: &mut Output<'_>) -> String {
    if let Some(class) = request.target_class {
        out.decide(format!("IngressClass `{class}`: set the provider's `ingressClass` (and an IngressClass of that name whose controller is its `controllerClass`) to match"));
        return class.to_string();
    }
    let class = knowledge
        .controller("traefik")
        .and_then(|c| c.setting("nginx_class"))
        .map_or_else(|| "nginx".to_string(), |s| s.default.clone());
    out.decide(format!(
        "IngressClass `{class}`: the provider's `ingressClass` default, which is ingress-nginx's too (and its `controllerClass` is `k8s.io/ingress-nginx`): while both run, both serve these Ingresses; to move them one by one, pass --target-class and set the provider's `ingressClass` and `controllerClass` to a class of its own"
    ));
    class
}

/// What the provider does with an ingress-nginx annotation, from the catalog.
fn provider_outcome(knowledge: &Knowledge, suffix: &str) -> Outcome {
    let Some(entry) = knowledge
        .nginx_annotations
        .get(suffix)
        .and_then(|a| a.targets.get(PROVIDER))
    else {
        return Outcome::NotTranslated(
            "not in the catalog: Traefik's ingress-nginx provider does not read it".into(),
        );
    };
    let note = entry.note.as_deref().unwrap_or_default();
    let since = entry
        .since
        .as_deref()
        .map(|s| format!(" (since {s})"))
        .unwrap_or_default();
    match (entry.status, entry.verdict) {
        (Some(ProviderSupport::Supported), Verdict::Exact) => Outcome::Translated,
        (Some(ProviderSupport::Supported), _) => Outcome::Approximated(format!(
            "read by Traefik's ingress-nginx provider{since}, not exactly as NGINX: {note}"
        )),
        (status, _) => Outcome::NotTranslated(format!(
            "Traefik's ingress-nginx provider: {}{}",
            status.map_or("not listed", |s| s.as_str()),
            if note.is_empty() {
                String::new()
            } else {
                format!("; {note}")
            }
        )),
    }
}
