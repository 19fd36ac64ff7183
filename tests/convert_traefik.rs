//! `convert --to traefik` against what NGINX does, as Traefik's own ingress-nginx provider
//! maps it (traefik/traefik pkg/provider/kubernetes/ingress-nginx): fixtures in
//! fixtures/convert-traefik/ written in the shapes of that provider's fixtures.

mod common;

use serde_json::Value;

fn convert(args: &[&str]) -> (common::Run, Vec<Value>, Value) {
    let mut all = vec!["convert", "--to", "traefik", "--format", "json"];
    all.extend_from_slice(args);
    let run = common::run(&all);
    let docs = common::documents(&run.stdout);
    let report =
        serde_json::from_str(&run.stderr).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    (run, docs, report)
}

fn find<'d>(docs: &'d [Value], kind: &str, name: &str) -> Option<&'d Value> {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
}

fn annotation<'d>(doc: &'d Value, key: &str) -> Option<&'d str> {
    doc["metadata"]["annotations"][key].as_str()
}

fn outcome(report: &Value, key_suffix: &str, ingress: &str) -> (String, String) {
    report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["key"].as_str().unwrap().ends_with(key_suffix) && e["ingress"]["name"] == ingress
        })
        .map(|e| {
            (
                e["outcome"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .unwrap_or_else(|| panic!("no entry {key_suffix} of {ingress}"))
}

const ENTRY_POINTS: &str = "traefik.ingress.kubernetes.io/router.entrypoints";
const MIDDLEWARES: &str = "traefik.ingress.kubernetes.io/router.middlewares";

#[test]
fn https_is_decided_per_router_as_nginx_does_per_location() {
    let (_, docs, _) = convert(&["fixtures/convert-traefik/https.yaml"]);
    // web: TLS on websecure, a redirecting router on web.
    let web = find(&docs, "Ingress", "web").unwrap();
    assert_eq!(annotation(web, ENTRY_POINTS), Some("websecure"));
    let web_http = find(&docs, "Ingress", "web-http").unwrap();
    assert_eq!(annotation(web_http, ENTRY_POINTS), Some("web"));
    assert!(web_http["spec"].get("tls").is_none());
    let redirect = annotation(web_http, MIDDLEWARES).unwrap();
    assert_eq!(redirect, "site-web-https-redirect@kubernetescrd");
    let middleware = find(&docs, "Middleware", "web-https-redirect").unwrap();
    assert_eq!(middleware["spec"]["redirectScheme"]["scheme"], "https");
    // docs has no certificate of its own, but its host has one: served over TLS too, and
    // over HTTP without a redirect (its ssl-redirect is off).
    let docs_tls = find(&docs, "Ingress", "docs").unwrap();
    assert_eq!(annotation(docs_tls, ENTRY_POINTS), Some("websecure"));
    assert_eq!(
        annotation(docs_tls, "traefik.ingress.kubernetes.io/router.tls"),
        Some("true")
    );
    let docs_http = find(&docs, "Ingress", "docs-http").unwrap();
    assert_eq!(annotation(docs_http, ENTRY_POINTS), Some("web"));
    assert_eq!(annotation(docs_http, MIDDLEWARES), None);
}

#[test]
fn nothing_opens_what_nginx_kept_closed() {
    let (run, docs, report) = convert(&["fixtures/convert-traefik/fail-closed.yaml"]);
    assert_eq!(run.code, 1);
    // An empty allowlist restricts nothing in NGINX: no ipAllowList (an empty sourceRange
    // would make Traefik refuse the route).
    assert!(docs.iter().all(|d| d["spec"].get("ipAllowList").is_none()));
    assert_eq!(
        outcome(&report, "whitelist-source-range", "allowlist-empty").0,
        "no effect"
    );
    // Client certificates: a TLSOption the router names, the certificate passed on.
    let option = docs
        .iter()
        .find(|d| d["kind"] == "TLSOption")
        .expect("a TLSOption");
    assert_eq!(
        option["spec"]["clientAuth"]["clientAuthType"],
        "VerifyClientCertIfGiven"
    );
    assert_eq!(option["spec"]["clientAuth"]["secretNames"][0], "client-ca");
    let mtls = find(&docs, "Ingress", "mtls").unwrap();
    let name = option["metadata"]["name"].as_str().unwrap();
    assert_eq!(
        annotation(mtls, "traefik.ingress.kubernetes.io/router.tls.options"),
        Some(format!("default-{name}@kubernetescrd").as_str())
    );
    assert!(annotation(mtls, MIDDLEWARES)
        .unwrap()
        .contains("mtls-pass-client-cert"));
    // A Secret reference NGINX cannot read denies the paths: nothing is written for it.
    assert!(find(&docs, "Ingress", "mtls-malformed").is_none());
    assert!(find(&docs, "Ingress", "mtls-malformed-http").is_none());
    assert_eq!(
        outcome(&report, "auth-tls-secret", "mtls-malformed").0,
        "not translated"
    );
    // strict-validate-path-type: NGINX rejects the Ingress; nothing is written.
    assert!(find(&docs, "Ingress", "strict-path").is_none());
    assert!(outcome(&report, "metadata.annotations", "strict-path")
        .1
        .contains("strict-validate-path-type"));
    // custom-http-errors served by the default-backend Service.
    let errors = find(&docs, "Middleware", "custom-errors-custom-errors").unwrap();
    assert_eq!(
        errors["spec"]["errors"]["status"],
        serde_json::json!(["404", "503"])
    );
    assert_eq!(errors["spec"]["errors"]["service"]["port"], 8080);
    // A header value that would split into two headers is not written.
    let header = find(&docs, "Ingress", "header-newline").unwrap();
    assert_eq!(annotation(header, MIDDLEWARES), None);
    assert!(!run.stdout.contains("X-Injected"));
}

#[test]
fn retries_and_limits_count_as_nginx_counts() {
    let (_, docs, report) = convert(&["fixtures/convert-traefik/resilience.yaml"]);
    let retry = find(&docs, "Middleware", "retry-retry").unwrap();
    let spec = &retry["spec"]["retry"];
    // tries 0 is ingress-nginx's default, 3.
    assert_eq!(spec["attempts"], 3);
    assert_eq!(spec["status"], serde_json::json!(["502", "503"]));
    assert_eq!(spec["disableRetryOnNetworkError"], true);
    assert_eq!(spec["retryNonIdempotentMethod"], true);
    assert_eq!(spec["timeout"], "15s");
    let limit = find(&docs, "Middleware", "retry-limit-connections").unwrap();
    assert_eq!(limit["spec"]["inFlightReq"]["amount"], 20);
    // `off`: no retry at all.
    assert!(find(&docs, "Middleware", "no-retry-retry").is_none());
    assert_eq!(
        outcome(&report, "proxy-next-upstream", "no-retry").0,
        "translated"
    );
}

#[test]
fn via_the_nginx_provider_keeps_the_annotations_and_names_what_it_does_not_read() {
    let (run, docs, report) = convert(&[
        "--via",
        "nginx-provider",
        "fixtures/convert/every-annotation.yaml",
    ]);
    let ingresses: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "Ingress").collect();
    assert_eq!(
        ingresses.len(),
        docs.len(),
        "only Ingresses: {}",
        run.stdout
    );
    let ingress = ingresses[0];
    assert_eq!(ingress["spec"]["ingressClassName"], "nginx");
    assert_eq!(
        annotation(ingress, "nginx.ingress.kubernetes.io/rewrite-target"),
        Some("/")
    );
    let decisions = report["decisions"].as_array().unwrap();
    assert!(decisions
        .iter()
        .any(|d| d.as_str().unwrap().contains("60 s timeout")));
    // The catalog's column for the provider: supported keys translated, the others said.
    assert_eq!(
        outcome(&report, "/rewrite-target", "everything").0,
        "translated"
    );
    let (label, why) = outcome(&report, "/auth-tls-match-cn", "everything");
    assert_eq!(label, "not translated");
    assert!(why.contains("Traefik's ingress-nginx provider"), "{why}");
    // --via is Traefik's.
    let wrong = common::run(&[
        "convert",
        "--to",
        "kong",
        "--via",
        "nginx-provider",
        "fixtures/convert",
    ]);
    assert_eq!(wrong.code, 2);
}

#[test]
fn redirects_aliases_and_passthrough_route_as_the_provider_builds_them() {
    let (_, docs, report) = convert(&["fixtures/convert-traefik/routes.yaml"]);
    // app-root: `/` only, 302.
    let root = find(&docs, "Middleware", "shop-app-root").unwrap();
    let redirect = &root["spec"]["redirectRegex"];
    assert_eq!(redirect["permanent"], false);
    let regex = regex::Regex::new(redirect["regex"].as_str().unwrap()).unwrap();
    assert!(regex.is_match("https://shop.example.com/"));
    assert!(!regex.is_match("https://shop.example.com/cart"));
    assert_eq!(
        regex.replace(
            "https://shop.example.com/",
            redirect["replacement"]
                .as_str()
                .unwrap()
                .replace("${1}", "$1")
        ),
        "https://shop.example.com/store"
    );
    // www: a router for the other name, redirecting to the host with the path kept.
    let www = docs
        .iter()
        .find(|d| d["kind"] == "IngressRoute")
        .expect("the www router");
    assert_eq!(
        www["spec"]["routes"][0]["match"],
        "Host(`www.shop.example.com`)"
    );
    let name = www["metadata"]["name"].as_str().unwrap();
    let middleware = find(&docs, "Middleware", name).unwrap();
    let r = &middleware["spec"]["redirectRegex"];
    let regex = regex::Regex::new(r["regex"].as_str().unwrap()).unwrap();
    let replacement = r["replacement"]
        .as_str()
        .unwrap()
        .replace("${1}", "$1")
        .replace("${3}", "$3");
    assert_eq!(
        regex.replace("https://www.shop.example.com/a?b", replacement.as_str()),
        "https://shop.example.com/a?b"
    );
    // server-alias: the alias that is another Ingress's host is dropped.
    let shop = find(&docs, "Ingress", "shop").unwrap();
    let hosts: Vec<&str> = shop["spec"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["shop.example.com", "shop.example.org"]);
    // ssl-passthrough: TLS by SNI to the `/` backend; the HTTP side stays.
    let tcp = docs
        .iter()
        .find(|d| d["kind"] == "IngressRouteTCP")
        .expect("an IngressRouteTCP");
    assert_eq!(
        tcp["spec"]["routes"][0]["match"],
        "HostSNI(`vault.example.com`)"
    );
    assert_eq!(tcp["spec"]["tls"]["passthrough"], true);
    assert_eq!(tcp["spec"]["routes"][0]["services"][0]["port"], 8200);
    assert!(find(&docs, "Ingress", "vault").is_some());
    assert_eq!(outcome(&report, "app-root", "shop").0, "translated");
}

#[test]
fn authentication_that_cannot_be_written_writes_no_route() {
    let (run, docs, report) = convert(&["fixtures/convert-traefik/auth.yaml"]);
    assert_eq!(run.code, 1);
    assert!(find(&docs, "Ingress", "foreign-secret").is_none());
    assert!(find(&docs, "Ingress", "variable-auth").is_none());
    let (_, why) = outcome(&report, "auth-secret", "foreign-secret");
    assert!(why.contains("another namespace"), "{why}");
    // What can be written is: basic auth from the Ingress's namespace, forwardAuth with its
    // sign-in redirect (the NGINX variable parameter dropped, and said).
    let sso = find(&docs, "Middleware", "sso-forward-auth").unwrap();
    assert_eq!(
        sso["spec"]["forwardAuth"]["authSigninURL"],
        "https://sso.example.com/oauth2/start"
    );
    assert_eq!(
        find(&docs, "Middleware", "sso-auth").unwrap()["spec"]["basicAuth"]["secret"],
        "htpasswd"
    );
    assert_eq!(outcome(&report, "auth-signin", "sso").0, "approximated");
}

#[test]
fn regex_hosts_and_backend_settings_become_ingress_routes() {
    let (_, docs, _) = convert(&["fixtures/convert-traefik/regex-and-backend.yaml"]);
    let route = |name: &str| find(&docs, "IngressRoute", name).unwrap_or_else(|| panic!("{name}"));
    // Every path of the host, both Ingresses: anchored and case-insensitive, as ~* "^path".
    for (name, path, yes, no) in [
        ("api", "/v[0-9]+/users", "/V2/Users/7", "/x/v2/users"),
        ("static", "/static", "/STATIC/app.js", "/assets/static"),
    ] {
        let matcher = route(name)["spec"]["routes"][0]["match"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            matcher.contains(&format!("PathRegexp(`(?i)^{path}`)")),
            "{matcher}"
        );
        let regex = regex::Regex::new(&format!("(?i)^{path}")).unwrap();
        assert!(regex.is_match(yes) && !regex.is_match(no), "{path}");
    }
    // The backend's settings sit on the service reference, linked.
    let service = &route("static")["spec"]["routes"][0]["services"][0];
    assert_eq!(service["scheme"], "https");
    assert_eq!(service["sticky"]["cookie"]["name"], "sticky");
    let transport = service["serversTransport"].as_str().unwrap();
    let transport =
        find(&docs, "ServersTransport", transport).expect("the linked ServersTransport");
    assert_eq!(transport["spec"]["forwardingTimeouts"]["dialTimeout"], "5s");
    // NGINX does not verify HTTPS backends without proxy-ssl-verify.
    assert_eq!(transport["spec"]["insecureSkipVerify"], true);
    assert!(find(&docs, "Ingress", "static").is_none());
}

#[test]
fn a_canary_keeps_the_main_middlewares_and_the_default_backend_catches_the_rest() {
    let (_, docs, _) = convert(&["fixtures/convert-traefik/canary-and-default.yaml"]);
    let canary = find(&docs, "IngressRoute", "shop-canary").expect("the canary route");
    for route in canary["spec"]["routes"].as_array().unwrap() {
        assert_eq!(route["middlewares"][0]["name"], "shop-auth", "{route}");
    }
    let shop = find(&docs, "Ingress", "shop").unwrap();
    assert!(shop["spec"].get("defaultBackend").is_none());
    let rules = shop["spec"]["rules"].as_array().unwrap();
    let catch_all = rules
        .iter()
        .flat_map(|r| r["http"]["paths"].as_array().unwrap())
        .find(|p| p["path"] == "/")
        .expect("a / rule for the host");
    assert_eq!(catch_all["backend"]["service"]["name"], "fallback");
}

#[test]
fn snippets_of_header_lines_become_headers_when_nginx_applied_them() {
    let (_, docs, report) = convert(&["fixtures/convert-traefik/snippets.yaml"]);
    let headers = find(&docs, "Middleware", "web-configuration-snippet-headers")
        .expect("a headers Middleware");
    let response = &headers["spec"]["headers"]["customResponseHeaders"];
    assert_eq!(response["X-Frame-Options"], "DENY");
    assert_eq!(response["Cache-Control"], "no-store");
    let (label, why) = outcome(&report, "configuration-snippet", "legacy");
    assert_eq!(label, "not translated");
    assert!(why.contains("`rewrite"), "{why}");
    // Without the ConfigMap, NGINX ignored snippets: nothing is written.
    let (_, docs, report) = convert(&["fixtures/convert/access.yaml"]);
    assert!(docs.iter().all(|d| !d["metadata"]["name"]
        .as_str()
        .unwrap_or("")
        .contains("snippet")));
    assert!(outcome(&report, "configuration-snippet", "admin")
        .1
        .contains("allow-snippet-annotations"));
}
