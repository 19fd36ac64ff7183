//! `inventory` on every chart render and install manifest of the corpus: the controller,
//! classes, class-less handling, default class and exposure that `shared/corpus/README.md`
//! states for each (copied into `fixtures/corpus/`).

mod common;

use common::run;
use serde_json::Value;

struct Expect {
    file: &'static str,
    /// `id Kind/name` of the one controller found.
    controller: &'static str,
    classes: &'static [&'static str],
    takes_classless: bool,
    /// Whether the file's IngressClass is the default; `None`: the file has no IngressClass.
    default_class: Option<bool>,
    exposure: &'static [&'static str],
    /// `port/PROTO`, `*` marking ports bound through hostNetwork.
    host_ports: &'static [&'static str],
    load_balancer_ip: Option<&'static str>,
}

const NONE: &[&str] = &[];
const LB: &[&str] = &["loadbalancer"];

macro_rules! expect {
    ($file:literal, $controller:literal, $classes:expr, $classless:literal, $default:expr, $exposure:expr, $ports:expr, $ip:expr) => {
        Expect {
            file: $file,
            controller: $controller,
            classes: $classes,
            takes_classless: $classless,
            default_class: $default,
            exposure: $exposure,
            host_ports: $ports,
            load_balancer_ip: $ip,
        }
    };
}

/// From `shared/corpus/README.md` §1 (chart renders) and §2 (install manifests).
const EXPECTED: &[Expect] = &[
    // ingress-nginx
    expect!("charts/ingress-nginx/default.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("charts/ingress-nginx/daemonset-hostnetwork.yaml", "ingress-nginx DaemonSet/ingress-nginx-controller", &["nginx"], false, Some(false), &["hostnetwork"], &["80*/TCP", "443*/TCP", "8443*/TCP"], None),
    expect!("charts/ingress-nginx/daemonset-hostport.yaml", "ingress-nginx DaemonSet/ingress-nginx-controller", &["nginx"], false, Some(false), &["hostport"], &["80/TCP", "443/TCP"], None),
    expect!("charts/ingress-nginx/daemonset-hostnetwork-hostport.yaml", "ingress-nginx DaemonSet/ingress-nginx-controller", &["nginx"], false, Some(false), &["hostport", "hostnetwork"], &["80/TCP", "443/TCP", "8443*/TCP"], None),
    expect!("charts/ingress-nginx/lb-static-ip.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, Some("203.0.113.10")),
    expect!("charts/ingress-nginx/nodeport.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), &["nodeport"], NONE, None),
    expect!("charts/ingress-nginx/watch-classless.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], true, Some(false), LB, NONE, None),
    expect!("charts/ingress-nginx/default-class.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(true), LB, NONE, None),
    expect!("charts/ingress-nginx/custom-class.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx-internal"], false, Some(false), LB, NONE, None),
    // Traefik: default class and class-less by chart default.
    expect!("charts/traefik/default.yaml", "traefik Deployment/traefik", &["traefik"], true, Some(true), LB, NONE, None),
    expect!("charts/traefik/daemonset-hostnetwork.yaml", "traefik DaemonSet/traefik", &["traefik"], true, Some(true), &["hostnetwork"], &["9100*/TCP", "8080*/TCP", "80*/TCP", "443*/TCP"], None),
    expect!("charts/traefik/daemonset-hostport.yaml", "traefik DaemonSet/traefik", &["traefik"], true, Some(true), &["hostport"], &["80/TCP", "443/TCP"], None),
    expect!("charts/traefik/lb-static-ip.yaml", "traefik Deployment/traefik", &["traefik"], true, Some(true), LB, NONE, Some("203.0.113.20")),
    expect!("charts/traefik/nodeport.yaml", "traefik Deployment/traefik", &["traefik"], true, Some(true), &["nodeport"], NONE, None),
    expect!("charts/traefik/not-default-class.yaml", "traefik Deployment/traefik", &["traefik"], true, Some(false), LB, NONE, None),
    expect!("charts/traefik/custom-class.yaml", "traefik Deployment/traefik", &["traefik-internal"], false, Some(false), LB, NONE, None),
    expect!("charts/traefik/nginx-provider.yaml", "traefik Deployment/traefik", &["nginx", "traefik"], true, Some(true), LB, NONE, None),
    expect!("charts/traefik/nginx-provider-classless.yaml", "traefik Deployment/traefik", &["nginx", "traefik"], true, Some(true), LB, NONE, None),
    // HAProxy Technologies
    expect!("charts/haproxytech/default.yaml", "haproxy Deployment/haproxy-kubernetes-ingress", &["haproxy"], false, Some(false), &["nodeport"], NONE, None),
    expect!("charts/haproxytech/daemonset-hostnetwork.yaml", "haproxy DaemonSet/haproxy-kubernetes-ingress", &["haproxy"], false, Some(false), &["hostnetwork"], &["6060*/TCP", "8080*/TCP", "8443*/TCP", "1024*/TCP", "8443*/UDP"], None),
    expect!("charts/haproxytech/daemonset-hostport.yaml", "haproxy DaemonSet/haproxy-kubernetes-ingress", &["haproxy"], false, Some(false), &["hostport"], &["80/TCP", "443/TCP", "1024/TCP", "443/UDP"], None),
    expect!("charts/haproxytech/daemonset-hostnetwork-hostport.yaml", "haproxy DaemonSet/haproxy-kubernetes-ingress", &["haproxy"], false, Some(false), &["hostport", "hostnetwork"], &["80/TCP", "443/TCP", "1024/TCP", "443/UDP", "6060*/TCP"], None),
    expect!("charts/haproxytech/lb-static-ip.yaml", "haproxy Deployment/haproxy-kubernetes-ingress", &["haproxy"], false, Some(false), LB, NONE, Some("203.0.113.30")),
    expect!("charts/haproxytech/watch-classless.yaml", "haproxy Deployment/haproxy-kubernetes-ingress", &["haproxy"], true, Some(false), &["nodeport"], NONE, None),
    expect!("charts/haproxytech/no-class.yaml", "haproxy Deployment/haproxy-kubernetes-ingress", NONE, true, Some(false), &["nodeport"], NONE, None),
    expect!("charts/haproxytech/default-class.yaml", "haproxy Deployment/haproxy-kubernetes-ingress", &["haproxy"], true, Some(true), &["nodeport"], NONE, None),
    expect!("charts/haproxytech/custom-class.yaml", "haproxy Deployment/haproxy-kubernetes-ingress", &["haproxy-internal"], false, Some(false), &["nodeport"], NONE, None),
    // Kong (chart kong): one pod with controller and proxy; the manager Service is a NodePort.
    expect!("charts/kong/default.yaml", "kong Deployment/kong-kong", &["kong"], false, Some(false), &["loadbalancer", "nodeport"], NONE, None),
    expect!("charts/kong/daemonset-hostnetwork.yaml", "kong DaemonSet/kong-kong", &["kong"], false, Some(false), &["nodeport", "hostnetwork"], &["8080*/TCP", "10255*/TCP", "10254*/TCP", "8000*/TCP", "8443*/TCP", "8100*/TCP"], None),
    expect!("charts/kong/daemonset-hostport.yaml", "kong DaemonSet/kong-kong", &["kong"], false, Some(false), &["nodeport", "hostport"], &["80/TCP", "443/TCP"], None),
    expect!("charts/kong/lb-static-ip.yaml", "kong Deployment/kong-kong", &["kong"], false, Some(false), &["loadbalancer", "nodeport"], NONE, Some("203.0.113.40")),
    expect!("charts/kong/nodeport.yaml", "kong Deployment/kong-kong", &["kong"], false, Some(false), &["nodeport"], NONE, None),
    expect!("charts/kong/default-class.yaml", "kong Deployment/kong-kong", &["kong"], true, Some(true), &["loadbalancer", "nodeport"], NONE, None),
    expect!("charts/kong/custom-class.yaml", "kong Deployment/kong-kong", &["kong-internal"], false, Some(false), &["loadbalancer", "nodeport"], NONE, None),
    // Kong (chart ingress): controller and gateway Deployments; exposure comes from the gateway.
    expect!("charts/kong-ingress/default.yaml", "kong Deployment/kong-controller", &["kong"], false, Some(false), &["loadbalancer", "nodeport"], NONE, None),
    expect!("charts/kong-ingress/default-class.yaml", "kong Deployment/kong-controller", &["kong"], true, Some(true), &["loadbalancer", "nodeport"], NONE, None),
    expect!("charts/kong-ingress/lb-static-ip.yaml", "kong Deployment/kong-controller", &["kong"], false, Some(false), &["loadbalancer", "nodeport"], NONE, Some("203.0.113.45")),
    // F5 NGINX: never takes class-less Ingresses.
    expect!("charts/f5-nginx-ingress/default.yaml", "f5-nginx Deployment/nginx-ingress-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("charts/f5-nginx-ingress/daemonset-hostnetwork.yaml", "f5-nginx DaemonSet/nginx-ingress-controller", &["nginx"], false, Some(false), &["hostnetwork"], &["80*/TCP", "443*/TCP", "9113*/TCP", "8081*/TCP"], None),
    expect!("charts/f5-nginx-ingress/daemonset-hostport.yaml", "f5-nginx DaemonSet/nginx-ingress-controller", &["nginx"], false, Some(false), &["hostport"], &["80/TCP", "443/TCP"], None),
    expect!("charts/f5-nginx-ingress/lb-static-ip.yaml", "f5-nginx Deployment/nginx-ingress-controller", &["nginx"], false, Some(false), LB, NONE, Some("203.0.113.50")),
    expect!("charts/f5-nginx-ingress/nodeport.yaml", "f5-nginx Deployment/nginx-ingress-controller", &["nginx"], false, Some(false), &["nodeport"], NONE, None),
    expect!("charts/f5-nginx-ingress/default-class.yaml", "f5-nginx Deployment/nginx-ingress-controller", &["nginx"], false, Some(true), LB, NONE, None),
    expect!("charts/f5-nginx-ingress/custom-class.yaml", "f5-nginx Deployment/nginx-ingress-controller", &["nginx-f5"], false, Some(false), LB, NONE, None),
    // haproxy-ingress (jcmoraisjr): no IngressClass unless enabled.
    expect!("charts/haproxy-ingress/default.yaml", "haproxy-ingress Deployment/haproxy-ingress", &["haproxy"], false, None, LB, NONE, None),
    expect!("charts/haproxy-ingress/daemonset-hostnetwork.yaml", "haproxy-ingress DaemonSet/haproxy-ingress", &["haproxy"], false, None, &["hostnetwork"], &["80*/TCP", "443*/TCP", "10253*/TCP"], None),
    expect!("charts/haproxy-ingress/daemonset-hostport.yaml", "haproxy-ingress DaemonSet/haproxy-ingress", &["haproxy"], false, None, &["hostport"], &["80/TCP", "443/TCP"], None),
    expect!("charts/haproxy-ingress/lb-static-ip.yaml", "haproxy-ingress Deployment/haproxy-ingress", &["haproxy"], false, None, LB, NONE, Some("203.0.113.60")),
    expect!("charts/haproxy-ingress/watch-classless.yaml", "haproxy-ingress Deployment/haproxy-ingress", &["haproxy"], true, None, LB, NONE, None),
    expect!("charts/haproxy-ingress/default-class.yaml", "haproxy-ingress Deployment/haproxy-ingress", &["haproxy"], false, Some(true), LB, NONE, None),
    expect!("charts/haproxy-ingress/custom-class.yaml", "haproxy-ingress Deployment/haproxy-ingress", &["haproxy-staging"], false, Some(false), LB, NONE, None),
    // AWS Load Balancer Controller: cloud exposure; the IngressClass sits in a `kind: List`.
    expect!("charts/aws-load-balancer-controller/default.yaml", "aws-alb Deployment/aws-load-balancer-controller", &["alb"], false, Some(false), &["cloud"], NONE, None),
    expect!("charts/aws-load-balancer-controller/default-class.yaml", "aws-alb Deployment/aws-load-balancer-controller", &["alb"], true, Some(true), &["cloud"], NONE, None),
    // The corpus README says this one takes class-less Ingresses ("no --ingress-class"). The
    // controller's own source disagrees: pkg/config/ingress_config.go binds --ingress-class with
    // `defaultIngressClass = "alb"`, and class-less Ingresses are served only when the class is
    // empty (class_loader.go). With the flag absent the class is `alb`, so: not taken.
    expect!("charts/aws-load-balancer-controller/no-class.yaml", "aws-alb Deployment/aws-load-balancer-controller", &["alb"], false, None, &["cloud"], NONE, None),
    expect!("charts/aws-load-balancer-controller/custom-class.yaml", "aws-alb Deployment/aws-load-balancer-controller", &["alb-internal"], false, Some(false), &["cloud"], NONE, None),
    // Install manifests (§2).
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/aws/deploy.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/aws/nlb-with-tls-termination/deploy.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/baremetal/deploy.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), &["nodeport"], NONE, None),
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/cloud/deploy.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/do/deploy.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/exoscale/deploy.yaml", "ingress-nginx DaemonSet/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/kind/deploy.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], true, Some(false), &["loadbalancer", "hostport"], &["80/TCP", "443/TCP"], None),
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/oracle/deploy.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("manifests/kubernetes__ingress-nginx/deploy/static/provider/scw/deploy.yaml", "ingress-nginx Deployment/ingress-nginx-controller", &["nginx"], false, Some(false), LB, NONE, None),
    expect!("manifests/haproxytech__kubernetes-ingress/deploy/haproxy-ingress.yaml", "haproxy Deployment/haproxy-kubernetes-ingress", NONE, true, None, &["nodeport"], NONE, None),
    expect!("manifests/haproxytech__kubernetes-ingress/deploy/haproxy-ingress-daemonset.yaml", "haproxy DaemonSet/haproxy-kubernetes-ingress", NONE, true, None, &["nodeport", "hostport"], &["8080/TCP", "8443/TCP", "1024/TCP"], None),
    expect!("manifests/jcmoraisjr__haproxy-ingress/examples/deployment/haproxy-ingress.yaml", "haproxy-ingress Deployment/haproxy-ingress", &["haproxy"], false, None, &["clusterip"], NONE, None),
    expect!("manifests/projectcontour__contour/examples/render/contour.yaml", "contour Deployment/contour", &["contour"], true, None, &["loadbalancer", "hostport"], &["80/TCP", "443/TCP"], None),
    expect!("manifests/projectcontour__contour/examples/render/contour-deployment.yaml", "contour Deployment/contour", &["contour"], true, None, &["loadbalancer", "hostport"], &["80/TCP", "443/TCP"], None),
    expect!("manifests/zalando__skipper/docs/kubernetes/deploy/daemonset/daemonset.yaml", "skipper DaemonSet/skipper-ingress", &["skipper"], true, None, &["hostport", "hostnetwork"], &["9999/TCP", "9911*/TCP"], None),
    expect!("manifests/zalando__skipper/docs/kubernetes/deploy/deployment/deployment.yaml", "skipper Deployment/skipper-ingress", &["skipper"], true, None, &["hostport", "hostnetwork"], &["9999/TCP"], None),
];

fn inventory(paths: &[&str]) -> Value {
    let mut args = vec!["inventory", "--format", "json"];
    args.extend_from_slice(paths);
    let run = run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_render_and_manifest_matches_the_corpus_facts() {
    let mut failures = Vec::new();
    for expect in EXPECTED {
        let path = format!("fixtures/corpus/{}", expect.file);
        let json = inventory(&[&path]);
        let controllers = json["controllers"].as_array().unwrap();
        let mut problems = Vec::new();
        if controllers.len() != 1 {
            problems.push(format!("{} controllers", controllers.len()));
        } else {
            let c = &controllers[0];
            let found = format!(
                "{} {}/{}",
                c["id"].as_str().unwrap(),
                c["workload"]["kind"].as_str().unwrap(),
                c["workload"]["name"].as_str().unwrap()
            );
            if found != expect.controller {
                problems.push(format!("controller {found}"));
            }
            if strings(&c["classes"]) != expect.classes {
                problems.push(format!("classes {:?}", c["classes"]));
            }
            if c["takes_classless"] != expect.takes_classless {
                problems.push(format!(
                    "takes_classless {} ({})",
                    c["takes_classless"], c["takes_classless_reason"]
                ));
            }
            if strings(&c["exposure"]) != expect.exposure {
                problems.push(format!("exposure {:?}", c["exposure"]));
            }
            let ports = common::host_ports(c);
            let mut expected_ports: Vec<String> =
                expect.host_ports.iter().map(|s| s.to_string()).collect();
            expected_ports.sort();
            if ports != expected_ports {
                problems.push(format!("host ports {ports:?}"));
            }
            let ips: Vec<&str> = c["services"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["load_balancer_ip"].as_str())
                .collect();
            if ips != expect.load_balancer_ip.into_iter().collect::<Vec<_>>() {
                problems.push(format!("loadBalancerIP {ips:?}"));
            }
        }
        let classes = json["ingress_classes"].as_array().unwrap();
        let default = classes.first().map(|c| c["default"] == true);
        if default != expect.default_class || classes.len() > 1 {
            problems.push(format!(
                "default class {default:?} among {} classes",
                classes.len()
            ));
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", expect.file, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_chart_render_is_covered() {
    let covered: Vec<&str> = EXPECTED.iter().map(|e| e.file).collect();
    let mut renders = Vec::new();
    for dir in std::fs::read_dir("fixtures/corpus/charts").unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            renders.push(
                path.strip_prefix("fixtures/corpus/")
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
    assert_eq!(renders.len(), 55);
    let missing: Vec<&String> = renders
        .iter()
        .filter(|r| !covered.contains(&r.as_str()))
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn split_f5_manifests_are_joined_across_files() {
    let json = inventory(&["fixtures/corpus/manifests/nginx__kubernetes-ingress/deployments"]);
    let controllers = json["controllers"].as_array().unwrap();
    // DaemonSet, Deployment and StatefulSet, each in a plain and a Plus flavour.
    assert_eq!(controllers.len(), 6);
    for c in controllers {
        assert_eq!(c["id"], "f5-nginx");
        assert_eq!(strings(&c["classes"]), ["nginx"]);
        assert_eq!(c["takes_classless"], false);
        let services: Vec<String> = c["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["type"].as_str().unwrap().to_string())
            .collect();
        assert!(
            services.contains(&"LoadBalancer".to_string())
                && services.contains(&"NodePort".to_string()),
            "{services:?}"
        );
    }
    let classes = json["ingress_classes"].as_array().unwrap();
    assert_eq!(classes.len(), 1);
    assert_eq!(
        classes[0]["default"], false,
        "the default annotation is only a YAML comment"
    );
}

#[test]
fn a_class_less_ingress_is_served_by_every_controller_taking_class_less_ingresses() {
    let ingress = "fixtures/corpus/ingresses/kubernetes__ingress-nginx/docs/examples/openpolicyagent/tests/should-allow.yaml";
    let json = inventory(&[
        "fixtures/corpus/charts/ingress-nginx/watch-classless.yaml",
        "fixtures/corpus/charts/haproxytech/no-class.yaml",
        ingress,
    ]);
    let entry = &json["ingresses"][0];
    assert_eq!(entry["class"], Value::Null);
    assert_eq!(entry["class_source"], "none");
    let served: Vec<&str> = entry["served_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        served,
        ["haproxy-kubernetes-ingress", "ingress-nginx-controller"]
    );

    // With Traefik's chart the default class is `traefik`: admission assigns it, and the
    // controllers taking class-less Ingresses still serve the existing object.
    let json = inventory(&[
        "fixtures/corpus/charts/traefik/default.yaml",
        "fixtures/corpus/charts/ingress-nginx/watch-classless.yaml",
        ingress,
    ]);
    let entry = &json["ingresses"][0];
    assert_eq!(
        (entry["class"].as_str(), entry["class_source"].as_str()),
        (Some("traefik"), Some("default"))
    );
    let served: Vec<&str> = entry["served_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(served, ["ingress-nginx-controller", "traefik"]);
}

#[test]
fn classes_are_matched_by_controller_value_not_by_name() {
    // Both charts name their IngressClass `nginx`; only the controller values tell them apart.
    let json = inventory(&[
        "fixtures/corpus/charts/ingress-nginx/default.yaml",
        "fixtures/corpus/charts/f5-nginx-ingress/default.yaml",
    ]);
    let classes = json["ingress_classes"].as_array().unwrap();
    assert_eq!(classes.len(), 2);
    for class in classes {
        let served: Vec<&str> = class["served_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        let expected = if class["controller"] == "k8s.io/ingress-nginx" {
            "ingress-nginx-controller"
        } else {
            "nginx-ingress-controller"
        };
        assert_eq!(served, [expected]);
    }
    // Traefik's ingress-nginx provider claims the ingress-nginx controller value too.
    let json = inventory(&[
        "fixtures/corpus/charts/ingress-nginx/default.yaml",
        "fixtures/corpus/charts/traefik/nginx-provider.yaml",
    ]);
    let nginx = json["ingress_classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "nginx")
        .unwrap()
        .clone();
    let served: Vec<&str> = nginx["served_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(served, ["ingress-nginx-controller", "traefik"]);
}

#[test]
fn unknowable_settings_are_reported_with_the_reason() {
    let json = inventory(&["fixtures/inventory/unknown-class.yaml"]);
    let c = &json["controllers"][0];
    assert_eq!(c["classes"], serde_json::json!([]));
    let unknown: Vec<String> = c["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{}: {}",
                u["setting"].as_str().unwrap(),
                u["reason"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        unknown,
        [
            "class: --ingress-class is given 2 times with different values (internal, public)",
            "watch_without_class: --watch-ingress-without-class: $(WATCH_ALL) comes from a ConfigMap, Secret or field reference",
        ]
    );
    assert_eq!(c["takes_classless"], false);
    assert!(
        c["takes_classless_reason"]
            .as_str()
            .unwrap()
            .starts_with("unknown: "),
        "{}",
        c["takes_classless_reason"]
    );
}

#[test]
fn nothing_in_large_unrelated_bundles_is_mistaken_for_a_controller() {
    // argo-cd's install manifest: 6 Deployments and a StatefulSet, none an ingress controller.
    let json = inventory(&["fixtures/corpus/bulk/argo-cd-install.yaml"]);
    assert_eq!(json["controllers"], serde_json::json!([]));
}

#[test]
fn markdown_has_a_mermaid_diagram_and_the_table_reads() {
    let markdown = run(&["inventory", "fixtures/demo", "--format", "markdown"]);
    assert!(
        markdown.stdout.contains("```mermaid\nflowchart LR\n"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains("c0[\"ingress-nginx<br/>Deployment ingress-nginx/ingress-nginx-controller<br/>loadbalancer\"]"), "{}", markdown.stdout);
    let table = run(&["inventory", "fixtures/demo"]);
    assert!(table.stdout.contains("Controllers (2)"), "{}", table.stdout);
}

/// `inventory --format json` follows `inventory.schema.json` (contract version 2): at most 10
/// controllers listed per class and Ingress, all of them counted.
#[test]
fn json_output_validates_against_the_inventory_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("../inventory.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for path in [
        "fixtures",
        "fixtures/demo",
        "fixtures/corpus",
        "fixtures/gitops-clusters",
    ] {
        let output = run(&["inventory", path, "--format", "json"]).json();
        let errors: Vec<String> = validator
            .iter_errors(&output)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:?}");
    }
    // Many controllers serving one class: listed up to 10, counted in full.
    let corpus = run(&["inventory", "fixtures/corpus", "--format", "json"]).json();
    let widest = corpus["ingress_classes"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|c| c["served_by_count"].as_u64())
        .unwrap();
    assert!(
        widest["served_by_count"].as_u64().unwrap()
            >= widest["served_by"].as_array().unwrap().len() as u64
    );
}
