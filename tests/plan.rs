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
    // C recommended, A as the fallback.
    assert_eq!(scenarios.len(), 2);
    assert_eq!(scenarios[0]["id"], "C");
    assert_eq!(scenarios[0]["recommended"], true);
    assert_eq!(scenarios[1]["id"], "A");
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
fn host_ports_to_a_load_balancer_offer_c_and_recommend_a() {
    let json = plan(&[
        "fixtures/corpus/charts/ingress-nginx/daemonset-hostnetwork.yaml",
        "--to",
        "kong",
        "--target-exposure",
        "loadbalancer",
    ]);
    let ids: Vec<(&str, bool)> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap(),
                s["recommended"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(ids, [("A", true), ("C", false)]);
    assert!(json["reason"].is_null());
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

/// The `ingress-lint` commands a plan's steps print (in backticks).
fn printed_commands(plan: &serde_json::Value) -> Vec<String> {
    let mut commands = Vec::new();
    for source in plan["plans"].as_array().unwrap() {
        for scenario in source["scenarios"].as_array().unwrap() {
            for step in scenario["steps"].as_array().unwrap() {
                let step = step.as_str().unwrap();
                for (i, part) in step.split('`').enumerate() {
                    if i % 2 == 1 && part.starts_with("ingress-lint ") {
                        commands.push(part.to_string());
                    }
                }
            }
        }
    }
    commands.sort();
    commands.dedup();
    commands
}

/// Every `ingress-lint` command a plan prints runs on the same input and does what the step
/// says: `convert` converts the Ingresses the step counts, `check --provider` reports.
#[test]
fn every_printed_command_runs_on_the_same_input() {
    let inputs = [
        "fixtures/plan/multi-release.yaml",
        "fixtures/plan/cilium-pinned-ip.yaml",
        "fixtures/plan/metallb-pinned-ip.yaml",
        "fixtures/plan/tcp-and-tunnel.yaml",
        "fixtures/plan/gke-global-ip.yaml",
        "fixtures/corpus/charts/ingress-nginx/daemonset-hostport.yaml",
        "fixtures/demo",
    ];
    let mut ran = 0;
    for input in inputs {
        for target in ["traefik", "gateway-api", "haproxy"] {
            let json = plan(&[input, "--to", target]);
            for command in printed_commands(&json) {
                let mut args: Vec<&str> = command.split_whitespace().skip(1).collect();
                args.push(input);
                let run = common::run(&args);
                assert!(
                    run.code == 0 || run.code == 1,
                    "{input} → {target}: `{command}` exited {}: {}",
                    run.code,
                    run.stderr
                );
                assert!(
                    !run.stdout.is_empty() || !run.stderr.is_empty(),
                    "{command}"
                );
                if args[0] == "convert" {
                    let mut json_args = args.clone();
                    json_args.insert(1, "--format");
                    json_args.insert(2, "json");
                    let report: serde_json::Value =
                        serde_json::from_str(&common::run(&json_args).stderr).unwrap();
                    assert!(
                        report["ingresses"].as_u64().unwrap() > 0,
                        "{input} → {target}: `{command}` converts nothing"
                    );
                }
                ran += 1;
            }
        }
    }
    assert!(ran >= 15, "{ran}");
}

#[test]
fn each_source_controller_gets_its_plan_with_its_real_classes() {
    let json = plan(&["fixtures/plan/multi-release.yaml", "--to", "traefik"]);
    let plans = json["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 2);
    let classes: Vec<&serde_json::Value> = plans.iter().map(|p| &p["classes"]).collect();
    assert_eq!(classes[0], &serde_json::json!(["external-nginx"]));
    assert_eq!(classes[1], &serde_json::json!(["internal-nginx"]));
    assert_eq!(plans[0]["namespace"], "ingress-external");
    let steps = plans[1]["scenarios"].to_string();
    assert!(steps.contains("--class internal-nginx"), "{steps}");
    assert!(!steps.contains("class `nginx`"), "{steps}");
    // A self-hosted target is never assumed "cloud"; its default is a LoadBalancer.
    assert_eq!(json["target"]["exposure"], "loadbalancer");
}

#[test]
fn a_pinned_ip_tcp_ports_and_a_tunnel_shape_the_runbook() {
    let json = plan(&["fixtures/plan/cilium-pinned-ip.yaml", "--to", "traefik"]);
    let first = &json["plans"][0];
    assert_eq!(first["pinned_ip"]["via"], "lbipam.cilium.io/ips");
    assert_eq!(first["pinned_ip"]["value"], "192.0.2.50");
    assert_eq!(first["scenarios"][0]["id"], "B");
    let steps = first["scenarios"][0]["steps"].to_string();
    assert!(
        steps.contains("lbipam.cilium.io/ips: \\\"192.0.2.50\\\""),
        "{steps}"
    );
    assert!(!steps.contains("<the old IP>"), "{steps}");

    // MetalLB's older key still pins the IP.
    let json = plan(&["fixtures/plan/metallb-pinned-ip.yaml", "--to", "traefik"]);
    assert_eq!(
        json["plans"][0]["pinned_ip"]["via"],
        "metallb.universe.tf/loadBalancerIPs"
    );
    assert_eq!(json["plans"][0]["scenarios"][0]["id"], "B");
    // An ExternalDNS target naming that address is switched with it.
    assert!(json["plans"][0]["also_switch"]
        .to_string()
        .contains("Ingress ops/status: ExternalDNS publishes"));

    let json = plan(&["fixtures/plan/tcp-and-tunnel.yaml", "--to", "traefik"]);
    let first = &json["plans"][0];
    assert_eq!(first["streams"][0]["port"], "22/TCP");
    assert_eq!(first["streams"][0]["backend"], "gitea/gitea-ssh:22");
    let steps = first["scenarios"].to_string();
    assert!(steps.contains("IngressRouteTCP"), "{steps}");
    assert!(
        steps.contains("Also switch: ConfigMap cloudflared/cloudflared"),
        "{steps}"
    );
}

#[test]
fn a_managed_cloud_controller_is_the_platforms_and_its_global_ip_stays() {
    let json = plan(&["fixtures/plan/gke-global-ip.yaml", "--to", "traefik"]);
    // A self-hosted target from a cloud source: planned (A), not refused.
    assert!(json["reason"].is_null(), "{json}");
    assert_eq!(json["target"]["exposure"], "loadbalancer");
    let first = &json["plans"][0];
    assert_eq!(first["origin"], "managed");
    assert!(first["source"]["workload"].is_null(), "{first}");
    let ids: Vec<&str> = first["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["A"]);
    let caveats = first["scenarios"][0]["caveats"].to_string();
    assert!(caveats.contains("global static IP `web-ip`"), "{caveats}");
}

/// The runbooks of the plan fixtures, read line by line when they change.
#[test]
fn plan_fixtures_runbooks() {
    for (name, input) in [
        ("multi_release", "fixtures/plan/multi-release.yaml"),
        ("cilium_pinned_ip", "fixtures/plan/cilium-pinned-ip.yaml"),
        ("metallb_pinned_ip", "fixtures/plan/metallb-pinned-ip.yaml"),
        ("tcp_and_tunnel", "fixtures/plan/tcp-and-tunnel.yaml"),
        ("gke_global_ip", "fixtures/plan/gke-global-ip.yaml"),
        (
            "kind_host_ports",
            "fixtures/corpus/charts/ingress-nginx/daemonset-hostport.yaml",
        ),
    ] {
        let run = common::run(&["plan", input, "--to", "traefik"]);
        insta::assert_snapshot!(format!("plan_{name}"), run.stdout);
    }
}
