//! Cases from ingress2gateway's ingress-nginx provider tests (kubernetes-sigs/ingress2gateway,
//! pkg/i2gw/providers/ingressnginx/*_test.go), written out as Ingresses in
//! fixtures/ingress2gateway-cases/, each with requests and the outcome NGINX gives them
//! (cases.json: where ingress2gateway's expectation differs from NGINX, the case says so and
//! NGINX's is the one asserted). Each is converted and the requests routed through the
//! emitted Gateway and HTTPRoutes.

mod common;
#[path = "support/router.rs"]
mod router;

use router::{Outcome, Request, Router};
use serde_json::Value;

/// Whether an outcome is the expected one: the backends as a set; a redirect's fields that
/// the case names.
fn agrees(outcome: &Outcome, expect: &Value) -> bool {
    match (outcome, expect) {
        (Outcome::NotFound, Value::String(s)) => s == "not found",
        (Outcome::Backends(got), Value::Object(e)) if e.contains_key("backends") => {
            let mut got = got.clone();
            let mut want: Vec<String> = e["backends"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_str().unwrap().to_string())
                .collect();
            got.sort();
            want.sort();
            got == want
        }
        (
            Outcome::Redirect {
                code,
                scheme,
                hostname,
                path,
            },
            Value::Object(e),
        ) if e.contains_key("redirect") => {
            let r = &e["redirect"];
            let field = |name: &str, got: &Option<String>| {
                r.get(name)
                    .is_none_or(|want| want.as_str() == got.as_deref())
            };
            r["code"].as_i64() == Some(*code)
                && field("scheme", scheme)
                && field("hostname", hostname)
                && field("path", path)
        }
        _ => false,
    }
}

#[test]
fn every_case_routes_as_nginx_does() {
    let dir = common::root().join("fixtures/ingress2gateway-cases");
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    assert!(cases.len() >= 38, "{}", cases.len());
    let mut wrong = Vec::new();
    let mut requests = 0;
    for case in &cases {
        let file = dir.join(case["file"].as_str().unwrap());
        let run = common::run(&[
            "convert",
            "--to",
            "gateway-api",
            "--class",
            "nginx",
            "--class",
            "ingress-nginx",
            file.to_str().unwrap(),
        ]);
        assert!(
            run.code == 0 || run.code == 1,
            "{}: {}",
            case["name"],
            run.stderr
        );
        let router = Router::new(&common::documents(&run.stdout));
        for r in case["requests"].as_array().unwrap() {
            requests += 1;
            let headers: Vec<(&str, &str)> = r["headers"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
                .collect();
            let request = Request {
                https: r["https"].as_bool().unwrap_or(false),
                host: r["host"].as_str().unwrap(),
                path: r["path"].as_str().unwrap(),
                headers: &headers,
            };
            let outcome = router.route(&request);
            if !agrees(&outcome, &r["expect"]) {
                wrong.push(format!(
                    "{} ({}): {} {}{} {:?}: got {outcome:?}, NGINX: {}",
                    case["name"],
                    case["source"],
                    if request.https { "https" } else { "http" },
                    request.host,
                    request.path,
                    headers,
                    r["expect"]
                ));
            }
        }
    }
    assert!(requests >= 68, "{requests}");
    assert!(
        wrong.is_empty(),
        "{} of {requests}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
