//! `plan`: the handbook's scenario matrix and runbooks written with the input's names.

mod common;

use common::run;

fn plan(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["plan", "--format", "json"];
    all.extend_from_slice(args);
    let run = run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

#[test]
fn load_balancer_to_load_balancer_with_a_pinned_ip_recommends_ip_reuse() {
    let json = plan(&[
        "fixtures/demo",
        "--to",
        "traefik",
        "--target",
        "fixtures/demo/platform/traefik.yaml",
    ]);
    assert_eq!(json["version"], 1);
    assert_eq!(json["source"]["controller"], "ingress-nginx");
    assert_eq!(
        json["source"]["workload"],
        "Deployment ingress-nginx/ingress-nginx-controller"
    );
    assert_eq!(json["source"]["exposure"], "loadbalancer");
    assert_eq!(
        (
            json["target"]["exposure"].as_str(),
            json["target"]["exposure_assumed"].as_bool()
        ),
        (Some("loadbalancer"), Some(false))
    );
    let ids: Vec<&str> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["B", "A"], "the Service pins 203.0.113.10: keep it");
    let b = &json["scenarios"][0];
    assert_eq!(
        (b["recommended"].as_bool(), b["expected_downtime"].as_str()),
        (Some(true), Some("seconds"))
    );
    let steps = b["steps"].to_string();
    assert!(
        steps.contains("kubectl -n ingress-nginx get service ingress-nginx-controller -o yaml"),
        "{steps}"
    );
    assert!(steps.contains("203.0.113.10"), "{steps}");
    assert_eq!(json["hosts"].as_array().unwrap().len(), 6);
}

#[test]
fn without_the_target_its_exposure_is_assumed() {
    let json = plan(&[
        "fixtures/corpus/charts/ingress-nginx/default.yaml",
        "--to",
        "haproxy",
    ]);
    assert_eq!(json["target"]["exposure_assumed"], true);
    let ids: Vec<&str> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["A", "B"],
        "no pinned IP: the DNS switchover without downtime first"
    );
}

#[test]
fn host_ports_roll_over_node_by_node() {
    let json = plan(&[
        "fixtures/corpus/charts/ingress-nginx/daemonset-hostport.yaml",
        "--to",
        "traefik",
        "--target-exposure",
        "hostport",
    ]);
    let scenarios = json["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 1);
    assert_eq!(scenarios[0]["id"], "C");
    let steps = scenarios[0]["steps"].to_string();
    assert!(
        steps.contains("--set ports.web.hostPort=8080 --set ports.websecure.hostPort=8443"),
        "{steps}"
    );
    assert!(
        steps.contains(
            "kubectl -n ingress-nginx delete daemonset ingress-nginx-controller --cascade=orphan"
        ),
        "{steps}"
    );
}

#[test]
fn no_handbook_scenario_says_why() {
    let json = plan(&[
        "fixtures/corpus/charts/ingress-nginx/daemonset-hostnetwork.yaml",
        "--to",
        "kong",
        "--target-exposure",
        "loadbalancer",
    ]);
    assert_eq!(json["scenarios"], serde_json::json!([]));
    assert!(
        json["reason"]
            .as_str()
            .unwrap()
            .starts_with("no handbook scenario moves traffic from host ports"),
        "{}",
        json["reason"]
    );
    let empty = plan(&["fixtures/suppress", "--to", "traefik"]);
    assert!(
        empty["reason"]
            .as_str()
            .unwrap()
            .starts_with("no source controller found"),
        "{}",
        empty["reason"]
    );
}

#[test]
fn plan_markdown_for_the_demo() {
    insta::assert_snapshot!(
        run(&[
            "plan",
            "fixtures/demo",
            "--to",
            "traefik",
            "--target",
            "fixtures/demo/platform/traefik.yaml"
        ])
        .stdout
    );
}

/// The target found in the input gives its exposure; class-less and host-less Ingresses are
/// named as such, and a target that takes class-less Ingresses by default is said to.
#[test]
fn plan_reads_the_target_in_the_input_and_names_classless_and_hostless_ingresses() {
    let dir = common::scratch("plan-classless-hostless");
    std::fs::copy(
        "fixtures/corpus/charts/ingress-nginx/watch-classless.yaml",
        dir.join("nginx.yaml"),
    )
    .unwrap();
    std::fs::copy(
        "fixtures/corpus/charts/traefik/default.yaml",
        dir.join("traefik.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("app.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bare, namespace: shop}\nspec:\n  defaultBackend: {service: {name: shop, port: {number: 80}}}\n",
    )
    .unwrap();
    let run = common::run(&[
        "plan",
        "--format",
        "json",
        "--to",
        "traefik",
        "--from",
        "ingress-nginx",
        dir.to_str().unwrap(),
    ]);
    let plan = run.json();
    assert_eq!(plan["target"]["exposure_assumed"], false, "{plan}");
    let steps: Vec<String> = plan["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
        })
        .collect();
    let text = steps.join("\n");
    assert!(
        text.contains("1 Ingress(es) have no host (Ingress shop/bare)"),
        "{text}"
    );
    assert!(
        text.contains("traefik's chart takes Ingresses with no class by default"),
        "{text}"
    );
    assert!(
        text.contains("of class `nginx` and the 1 without a class"),
        "{text}"
    );
    assert!(!text.contains("the 0 host(s)"), "{text}");
}
