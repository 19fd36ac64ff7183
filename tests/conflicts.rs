//! Cross-object rules on the cross-file scenarios of `shared/corpus/README.md` ("Cross-file
//! scenarios for conflict detection"): chart renders combined as if installed in one cluster.

mod common;

use common::{check_json, findings_of, root, run, scratch, served_by};

const C: &str = "fixtures/corpus/charts";

/// `(rule, file below charts/, line)` of the findings of `rules`.
fn findings(files: &[&str], rules: &[&str]) -> Vec<(String, String, u64)> {
    let paths: Vec<String> = files.iter().map(|f| format!("{C}/{f}")).collect();
    let mut args = vec!["check", "--format", "json", "--fail-on", "never"];
    args.extend(paths.iter().map(String::as_str));
    let json = run(&args).json();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.contains(&f["rule"].as_str().unwrap()))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("fixtures/corpus/charts/")
                    .to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn f(rule: &str, file: &str, line: u64) -> (String, String, u64) {
    (rule.into(), file.into(), line)
}

#[test]
fn class_less_ingresses_taken_twice() {
    assert_eq!(
        findings(
            &["traefik/default.yaml", "ingress-nginx/watch-classless.yaml"],
            &["ingress-class-contested"]
        ),
        [f("ingress-class-contested", "traefik/default.yaml", 150)]
    );
    // One workload, two providers.
    let single = findings(
        &["traefik/nginx-provider-classless.yaml"],
        &["ingress-class-contested"],
    );
    assert_eq!(
        single,
        [f(
            "ingress-class-contested",
            "traefik/nginx-provider-classless.yaml",
            205
        )]
    );
    // Each controller alone is fine.
    assert!(findings(&["traefik/default.yaml"], &["ingress-class-contested"]).is_empty());
}

#[test]
fn one_class_served_twice() {
    let found = findings(
        &["traefik/nginx-provider.yaml", "ingress-nginx/default.yaml"],
        &["ingress-class-contested"],
    );
    assert_eq!(
        found,
        [f(
            "ingress-class-contested",
            "ingress-nginx/default.yaml",
            456
        )]
    );
    // Same name, different controller values: no contest.
    assert!(findings(
        &[
            "ingress-nginx/default.yaml",
            "f5-nginx-ingress/default.yaml"
        ],
        &["ingress-class-contested"]
    )
    .is_empty());
}

#[test]
fn host_port_clashes() {
    assert_eq!(
        findings(
            &[
                "ingress-nginx/daemonset-hostport.yaml",
                "traefik/daemonset-hostport.yaml"
            ],
            &["host-port-clash", "host-network-port-clash"]
        ),
        [
            f("host-port-clash", "traefik/daemonset-hostport.yaml", 233),
            f("host-port-clash", "traefik/daemonset-hostport.yaml", 237)
        ]
    );
    // 443/TCP and 443/UDP in one pod are not a clash.
    assert!(findings(
        &["haproxytech/daemonset-hostport.yaml"],
        &["host-port-clash"]
    )
    .is_empty());
}

#[test]
fn host_network_clashes_say_whether_the_scheduler_sees_them() {
    let args = [
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        "fixtures/corpus/charts/kong/daemonset-hostnetwork.yaml",
        "fixtures/corpus/charts/ingress-nginx/daemonset-hostnetwork.yaml",
    ];
    let json = run(&args).json();
    let messages: Vec<String> = findings_of(&json, "host-network-port-clash")
        .into_iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    // 10254: declared by Kong, only the default healthz port of ingress-nginx.
    assert!(
        messages[0].contains("10254/TCP") && messages[0].contains("address already in use"),
        "{}",
        messages[0]
    );
    // 8443: declared on both sides.
    assert!(
        messages[1].contains("8443/TCP") && messages[1].contains("stay Pending"),
        "{}",
        messages[1]
    );
}

#[test]
fn host_network_without_cluster_dns() {
    assert_eq!(
        findings(
            &[
                "traefik/daemonset-hostnetwork.yaml",
                "ingress-nginx/daemonset-hostnetwork.yaml"
            ],
            &["host-network-dns-policy"]
        ),
        [f(
            "host-network-dns-policy",
            "traefik/daemonset-hostnetwork.yaml",
            265
        )]
    );
}

#[test]
fn load_balancer_source_ip_is_lost_with_cluster_policy() {
    let found = findings(
        &["traefik/default.yaml", "ingress-nginx/lb-static-ip.yaml"],
        &["load-balancer-source-ip"],
    );
    assert_eq!(
        found,
        [f("load-balancer-source-ip", "traefik/default.yaml", 132)],
        "lb-static-ip sets Local"
    );
}

#[test]
fn classes_nobody_serves_and_ingresses_without_one() {
    let json = check_json(&[
        "fixtures/corpus/charts/ingress-nginx/lb-static-ip.yaml",
        "fixtures/classes/apps.yaml",
    ])
    .json();
    let of = |rule: &str| findings_of(&json, rule);
    let undefined = of("ingress-class-undefined");
    assert_eq!(undefined.len(), 1);
    assert_eq!(
        (
            undefined[0]["file"].as_str().unwrap(),
            undefined[0]["line"].as_u64().unwrap()
        ),
        ("fixtures/classes/apps.yaml", 9)
    );
    assert!(
        undefined[0]["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `nginx`?"),
        "{}",
        undefined[0]["help"]
    );
    let shared = of("load-balancer-ip-shared");
    assert_eq!(shared.len(), 1);
    // Reported on the later of the two in input order, with the other as related location.
    assert_eq!(
        (
            shared[0]["file"].as_str().unwrap(),
            shared[0]["line"].as_u64().unwrap()
        ),
        (
            "fixtures/corpus/charts/ingress-nginx/lb-static-ip.yaml",
            299
        )
    );
    assert_eq!(
        (
            shared[0]["related"][0]["file"].as_str().unwrap(),
            shared[0]["related"][0]["line"].as_u64().unwrap()
        ),
        ("fixtures/classes/apps.yaml", 20)
    );

    let classless = "fixtures/corpus/ingresses/kubernetes__ingress-nginx/docs/examples/openpolicyagent/tests/should-allow.yaml";
    let alone = check_json(&[classless]).json();
    let missing = findings_of(&alone, "ingress-class-missing");
    assert_eq!(
        (missing.len(), missing[0]["line"].as_u64().unwrap()),
        (1, 6),
        "at `spec:`"
    );
    // A controller that takes class-less Ingresses serves it.
    let with_taker = check_json(&[classless, "fixtures/corpus/charts/traefik/default.yaml"]).json();
    assert!(!with_taker["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "ingress-class-missing"));
}

#[test]
fn the_same_host_and_path_routed_twice() {
    let e = "fixtures/corpus/ingresses/kubernetes__ingress-nginx/docs/examples";
    let tls = format!("{e}/tls-termination/ingress.yaml");
    let chash = format!("{e}/chashsubset/deployment.yaml");
    let json = check_json(&["fixtures/demo", &tls, &chash]).json();
    let duplicates = findings_of(&json, "ingress-host-path-duplicate");
    // The demo's canary pair shares its path on purpose: only the two docs examples clash.
    assert_eq!(duplicates.len(), 1, "{duplicates:?}");
    assert_eq!(
        (
            duplicates[0]["file"].as_str().unwrap(),
            duplicates[0]["line"].as_u64().unwrap()
        ),
        (tls.as_str(), 17)
    );
    assert_eq!(duplicates[0]["related"][0]["file"].as_str().unwrap(), chash);
}

#[test]
fn alb_instance_targets_reach_backends_through_node_ports() {
    for extra in [
        None,
        Some("fixtures/corpus/charts/aws-load-balancer-controller/default.yaml"),
    ] {
        let mut args = vec![
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "fixtures/cloud/alb.yaml",
        ];
        args.extend(extra);
        let json = run(&args).json();
        let found = findings_of(&json, "cloud-ingress-nodeport-backends");
        assert_eq!(found.len(), 1, "only the instance-mode Ingress ({extra:?})");
        assert_eq!(
            (
                found[0]["file"].as_str().unwrap(),
                found[0]["line"].as_u64().unwrap()
            ),
            ("fixtures/cloud/alb.yaml", 11),
            "at ingressClassName"
        );
        assert_eq!(found[0]["related"][0]["line"], 24, "the Service's name");
        assert_eq!(found[0]["severity"], "info");
    }
}

/// Traefik with `ingressClass` set reads only the IngressClass of that name; F5 NGINX only the
/// one its `-ingress-class` names, whatever other IngressClasses of its controller value say.
#[test]
fn ingress_class_names_filter_traefik_instances_and_f5() {
    let file = "fixtures/classes/name-filters.yaml";
    let json = run(&["inventory", "--format", "json", file]).json();
    assert_eq!(served_by(&json, "internal"), ["traefik/traefik-internal"]);
    assert!(served_by(&json, "legacy").is_empty());
    let check = check_json(&[file]).json();
    let contested = findings_of(&check, "ingress-class-contested");
    assert!(contested.is_empty(), "{contested:?}");
}

/// Traefik read from environment variables; Traefik without IngressClass lookups serves an
/// Ingress by annotation, not by `spec.ingressClassName`.
#[test]
fn traefik_environment_and_class_lookup_switches() {
    let json = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/classes/traefik-env-and-lookup.yaml",
    ])
    .json();
    // `edge` is traefik-env's class (env var); traefik-namespaced cannot look it up.
    assert_eq!(served_by(&json, "by-env"), ["edge/traefik-env"]);
    // The annotation `traefik` is what a Traefik with no class serves, lookups or not.
    assert_eq!(
        served_by(&json, "by-annotation"),
        ["team/traefik-namespaced"]
    );
}

/// Traefik reads one source: a file (named or at a default path), else its arguments, else
/// its env. A file's keys are located at their values; a file not in the input leaves the
/// controller unknown, not serving nothing.
#[test]
fn traefik_static_configuration_file() {
    let file = "fixtures/classes/traefik-static-file.yaml";
    let json = run(&["inventory", "--format", "json", file]).json();
    assert_eq!(served_by(&json, "internal-app"), ["edge/traefik-file"]);
    // The flag beside --configFile and the env beside arguments are not read.
    assert!(served_by(&json, "ignored-app").is_empty());
    assert!(served_by(&json, "from-env-app").is_empty());
    let controllers = json["controllers"].as_array().unwrap();
    let by_name = |name: &str| {
        controllers
            .iter()
            .find(|c| c["workload"]["name"] == name)
            .unwrap()
    };
    assert_eq!(by_name("traefik-default-path")["classes"][0], "lab");
    assert_eq!(
        by_name("traefik-file")["listen_ports"][0]["source"],
        "/config/traefik.yaml: entryPoints.web.address=:8000"
    );
    let unknown = by_name("traefik-elsewhere")["unknown"].to_string();
    assert!(
        unknown.contains("ConfigMap ops/not-here is not in the input"),
        "{unknown}"
    );
    // Nobody is said to leave an Ingress unserved while a Traefik's classes are unknown.
    let check = check_json(&[file]).json();
    assert_eq!(check["findings"], serde_json::json!([]));

    // A second Traefik serving `internal` by flag: the conflict points at the file's key,
    // in the ConfigMap when it is in the workload's file, else at the mount.
    let twin = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: traefik-twin, namespace: edge}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: traefik, image: \"traefik:v3.5\", args: [--providers.kubernetesingress, --providers.kubernetesingress.ingressclass=internal]}\n";
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let dir = scratch("traefik-static-file");
    std::fs::write(dir.join("all.yaml"), format!("{text}{twin}")).unwrap();
    let related = |path: &std::path::Path| -> Vec<(u64, u64)> {
        let check = check_json(&[path.to_str().unwrap()]).json();
        let contested = findings_of(&check, "ingress-class-contested");
        assert_eq!(contested.len(), 1, "{check}");
        contested[0]["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_u64().unwrap()))
            .collect()
    };
    assert!(
        related(&dir.join("all.yaml")).contains(&(36, 23)),
        "ingressClass: internal"
    );
    let (workloads, config_map) = text
        .split_once("---\napiVersion: v1\nkind: ConfigMap")
        .unwrap();
    let split = scratch("traefik-static-file-split");
    std::fs::write(split.join("a.yaml"), format!("{workloads}{twin}")).unwrap();
    std::fs::write(
        split.join("b.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap{config_map}"),
    )
    .unwrap();
    // `mountPath: /config` of traefik-file.
    assert!(related(&split).contains(&(21, 41)), "{:?}", related(&split));
}

/// Thousands of controllers claiming one class, with hostPorts and one IP, and thousands of
/// Ingresses of the class on one route: the cross-object stage reports one finding per
/// conflict group whatever the count — each naming the count, relating at most 10 — so
/// output grows with the input, not with pairs.
#[test]
fn conflict_groups_are_one_finding_each_however_many_claim() {
    let findings_for = |copies: usize| {
        let mut text = String::new();
        for i in 0..copies {
            text.push_str(&format!(
                "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: nginx-{i}, namespace: edge}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: controller\n        image: registry.k8s.io/ingress-nginx/controller:v1.12.1\n        args: [/nginx-ingress-controller, --ingress-class=nginx, --controller-class=k8s.io/ingress-nginx]\n        ports: [{{containerPort: 80, hostPort: 80}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: nginx-{i}, namespace: edge}}\nspec: {{type: LoadBalancer, loadBalancerIP: 203.0.113.9, ports: [{{port: 80}}]}}\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {{name: nginx}}\nspec: {{controller: k8s.io/ingress-nginx}}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: shop-{i}, namespace: shop}}\nspec:\n  ingressClassName: nginx\n  rules: [{{host: shop.example.com, http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: shop, port: {{number: 80}}}}}}}}]}}}}]\n---\n"
            ));
        }
        let run = common::run_with(
            &["check", "--format", "json", "--fail-on", "never", "-"],
            Some(text.as_bytes()),
            &[],
        );
        let json = run.json();
        let mut counts = std::collections::BTreeMap::new();
        for f in json["findings"].as_array().unwrap() {
            assert!(f["related"].as_array().unwrap().len() <= 10, "{f}");
            *counts
                .entry(f["rule"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
        counts
    };
    let few = findings_for(3);
    let many = findings_for(2000);
    for rule in [
        "host-port-clash",
        "ingress-class-contested",
        "load-balancer-ip-shared",
        "ingress-host-path-duplicate",
    ] {
        assert_eq!(few.get(rule), Some(&1), "{rule}: {few:?}");
        assert_eq!(many.get(rule), Some(&1), "{rule}: {many:?}");
    }
    // Per-object findings stay one per object.
    assert_eq!(many.get("controller-retired"), Some(&2000));
}
