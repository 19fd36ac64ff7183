//! `convert --to gateway-api` against NGINX's own behaviour: the fixtures of
//! fixtures/convert-fidelity/ and fixtures/convert-selection/, each a defect once
//! reproduced. Requests are routed through the emitted Gateway and HTTPRoutes with the
//! Gateway API's match precedence (tests/support/router.rs) and must get NGINX's outcome;
//! the manifests and report are snapshots.

mod common;
#[path = "support/router.rs"]
mod router;

use router::{Outcome, Request, Router};

fn convert(args: &[&str]) -> (common::Run, Router) {
    let mut all = vec!["convert", "--to", "gateway-api"];
    all.extend_from_slice(args);
    let run = common::run(&all);
    let documents: Vec<serde_json::Value> = common::documents(&run.stdout);
    let router = Router::new(&documents);
    (run, router)
}

fn to(backend: &str) -> Outcome {
    Outcome::Backends(vec![backend.to_string()])
}

fn https_redirect() -> Outcome {
    Outcome::Redirect {
        code: 308,
        scheme: Some("https".into()),
        hostname: None,
        path: None,
    }
}

fn json_report(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["convert", "--to", "gateway-api", "--format", "json"];
    all.extend_from_slice(args);
    let run = common::run(&all);
    serde_json::from_str(&run.stderr).unwrap_or_else(|e| panic!("{e}: {}", run.stderr))
}

/// (key suffix, outcome, detail) of every entry of a JSON report.
fn entries(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["key"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                e["outcome"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn https_redirects_are_decided_per_path_as_nginx_does() {
    let (run, router) = convert(&["fixtures/convert-fidelity/ssl-redirect.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let host = "shop.example.com";
    // The host has web's certificate: every path of every Ingress redirects on port 80…
    assert_eq!(router.route(&Request::http(host, "/")), https_redirect());
    assert_eq!(
        router.route(&Request::http(host, "/api/orders")),
        https_redirect()
    );
    // …except the paths of the Ingress that turns ssl-redirect off.
    assert_eq!(
        router.route(&Request::http(host, "/public/logo.png")),
        to("static")
    );
    assert_eq!(
        router.route(&Request::https(host, "/api/orders")),
        to("api")
    );
    assert_eq!(router.route(&Request::https(host, "/public")), to("static"));
    assert_eq!(router.route(&Request::https(host, "/cart")), to("web"));
    insta::assert_snapshot!("ssl_redirect_manifests", run.stdout);
}

#[test]
fn canaries_route_as_balancer_lua_does() {
    let (run, router) = convert(&["fixtures/convert-fidelity/canary.yaml"]);
    let host = "app.example.com";
    // canary-weight 150 of 100: every request without a header or cookie to the canary.
    assert_eq!(router.route(&Request::http(host, "/app")), to("app-v2"));
    // The header pattern decides over the cookie; the value `never` does not apply with a
    // pattern, so such a request falls to the cookie and the weight.
    let yes = [("X-Canary", "yes")];
    assert_eq!(
        router.route(&Request::http(host, "/app").with(&yes)),
        to("app-v2")
    );
    let never_cookie = [("Cookie", "session=1; canary=never")];
    assert_eq!(
        router.route(&Request::http(host, "/app").with(&never_cookie)),
        to("app")
    );
    let always_cookie = [("Cookie", "canary=always")];
    assert_eq!(
        router.route(&Request::http(host, "/app").with(&always_cookie)),
        to("app-v2")
    );
    // A canary only takes its own paths.
    assert_eq!(router.route(&Request::http(host, "/api")), to("api"));
    let report = json_report(&["fixtures/convert-fidelity/canary.yaml"]);
    let entries = entries(&report);
    let outcome = |key: &str| {
        entries
            .iter()
            .filter(|(k, _, _)| k == key)
            .map(|(_, o, _)| o.as_str())
            .collect::<Vec<_>>()
    };
    // The canary's ssl-redirect, a pattern beside… (no value here: the pattern applies),
    // the canary keys of a non-canary, a passthrough switched off: no effect.
    assert_eq!(outcome("ssl-redirect"), ["no effect"]);
    assert_eq!(outcome("canary"), ["translated", "no effect"]);
    assert_eq!(outcome("canary-weight"), ["translated", "no effect"]);
    assert_eq!(outcome("ssl-passthrough"), ["no effect"]);
    assert_eq!(report["summary"]["not translated"], 0, "{report:#}");
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("canary_manifests", run.stdout);
}

/// canary-by-header without a value: `always` to the canary, `never` to the main backend
/// whatever the weight says.
#[test]
fn a_canary_header_never_keeps_the_main_backend() {
    let dir = common::scratch("canary-never");
    let input = dir.join("in.yaml");
    let text = std::fs::read_to_string("fixtures/convert-fidelity/canary.yaml")
        .unwrap()
        .replace(
            "    nginx.ingress.kubernetes.io/canary-by-header-pattern: \"^yes$\"\n",
            "",
        );
    std::fs::write(&input, text).unwrap();
    let (_, router) = convert(&[input.to_str().unwrap()]);
    let host = "app.example.com";
    for (value, backend) in [("always", "app-v2"), ("never", "app"), ("other", "app-v2")] {
        let header = [("X-Canary", value)];
        assert_eq!(
            router.route(&Request::http(host, "/app").with(&header)),
            to(backend),
            "X-Canary: {value}"
        );
    }
}

#[test]
fn paths_match_as_nginx_matches_them() {
    let (run, router) = convert(&["fixtures/convert-fidelity/paths.yaml"]);
    // use-regex on one Ingress of the host: every path of the host case-insensitive.
    let host = "regex.example.com";
    assert_eq!(
        router.route(&Request::http(host, "/V2/Users/7")),
        to("users")
    );
    assert_eq!(
        router.route(&Request::http(host, "/STATIC/app.js")),
        to("static")
    );
    // A literal the Gateway API refuses as a path, matched as the same text.
    let host = "literal.example.com";
    assert_eq!(router.route(&Request::http(host, "/foo[0-9]/x")), to("foo"));
    assert_eq!(
        router.route(&Request::http(host, "/foo1")),
        Outcome::NotFound
    );
    // nginx answers the bare name of a prefix ending in / with a 301.
    assert_eq!(
        router.route(&Request::http(host, "/docs")),
        Outcome::Redirect {
            code: 301,
            scheme: None,
            hostname: None,
            path: Some("/docs/".into())
        }
    );
    assert_eq!(
        router.route(&Request::http(host, "/docs/intro")),
        to("docs")
    );
    assert_eq!(
        router.route(&Request::http(host, "/assets/x")),
        to("assets")
    );
    let documents = common::documents(&run.stdout);
    let grpc = documents
        .iter()
        .find(|d| d["kind"] == "GRPCRoute")
        .expect("a GRPCRoute");
    let methods: Vec<&serde_json::Value> = grpc["spec"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["matches"][0]["method"])
        .collect();
    assert_eq!(methods[0]["service"], "helloworld.Greeter");
    assert!(methods[0].get("method").is_none());
    assert_eq!(methods[1]["service"], "grpc.health.v1.Health");
    assert_eq!(methods[1]["method"], "Check");
    let resource = documents
        .iter()
        .flat_map(|d| d["spec"]["rules"].as_array().into_iter().flatten())
        .flat_map(|r| r["backendRefs"].as_array().into_iter().flatten())
        .find(|b| b["kind"] == "StorageBucket")
        .expect("the resource backend");
    assert_eq!(resource["group"], "k8s.example.com");
    insta::assert_snapshot!("paths_manifests", run.stdout);
}

#[test]
fn values_nginx_rejects_write_nothing() {
    let (run, _) = convert(&["fixtures/convert-fidelity/values.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains("timeouts"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("replaceFullPath: \"/\""),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("BackendTLSPolicy"), "{}", run.stdout);
    let report = json_report(&["fixtures/convert-fidelity/values.yaml"]);
    let entries = entries(&report);
    let detail = |key: &str| {
        entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, o, d)| format!("{o}: {d}"))
            .unwrap()
    };
    assert!(detail("proxy-read-timeout").starts_with("not translated: `1s` is not a whole number"));
    assert!(detail("app-root").contains("a loop"));
    assert!(detail("proxy-ssl-secret").contains("another namespace"));
    insta::assert_snapshot!("values_report", run.stderr);
}

#[test]
fn every_ingress_is_converted_or_left_out_with_a_reason() {
    // An IngressClass naming ingress-nginx's controller value makes its class the source's.
    let (run, _) = convert(&["fixtures/convert-selection/ingress-nginx-class.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("kind: HTTPRoute"), "{}", run.stdout);
    assert!(run.stdout.contains("gatewayClassName: ingress-nginx"));
    // Nothing says these are ingress-nginx's: none converted, each named, the run fails,
    // and the report says only that.
    let (run, _) = convert(&["fixtures/convert-selection/undecided.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!run.stderr.contains("Global settings"), "{}", run.stderr);
    insta::assert_snapshot!("undecided_report", run.stderr);
    let report = json_report(&["fixtures/convert-selection/undecided.yaml"]);
    let left: Vec<(&str, bool)> = report["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["ingress"]["name"].as_str().unwrap(),
                l["unsure"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        left,
        [("legacy", true), ("classless", true), ("traefik", false)]
    );
    // --class and --classless select them; the rest is left out, surely.
    let (run, _) = convert(&[
        "--class",
        "ingress-nginx",
        "--classless",
        "fixtures/convert-selection/undecided.yaml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for host in ["legacy.example.com", "classless.example.com"] {
        assert!(run.stdout.contains(host), "{host}: {}", run.stdout);
    }
    assert!(!run.stdout.contains("traefik.example.com"));
    // The suggested GatewayClass is a class name, never a controller id.
    assert!(!run.stdout.contains("gatewayClassName: k8s.io"));
}
