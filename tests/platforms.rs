//! Controllers the repository does not hold: managed by the cloud (recognised from the
//! classes the input uses, or on by default with `--platform`), bundled by the distribution
//! (k3s Traefik, RKE2 ingress-nginx, k3s ServiceLB), declared in `.ingress-lint.yaml`.

mod common;

use common::{located, root, run, run_in, scratch, served_by};
use serde_json::Value;

fn inventory(args: &[&str]) -> Value {
    let mut all = vec!["inventory", "--format", "json"];
    all.extend_from_slice(args);
    let run = run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

/// `id origin classes classless exposure` of each controller.
fn controllers(json: &Value) -> Vec<String> {
    json["controllers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {}",
                c["id"].as_str().unwrap(),
                c["origin"].as_str().unwrap(),
                c["classes"],
                c["takes_classless"],
                c["exposure"]
            )
        })
        .collect()
}

fn rules(args: &[&str]) -> Vec<(String, String, u64, u64)> {
    let mut all = vec!["check", "--format", "json", "--fail-on", "never"];
    all.extend_from_slice(args);
    located(&run(&all))
}

#[test]
fn gke_ingress_is_recognised_from_its_class_and_takes_class_less_ingresses() {
    let json = inventory(&["fixtures/platforms/gke"]);
    assert_eq!(
        controllers(&json),
        [r#"gce managed ["gce"] true ["cloud"]"#]
    );
    assert_eq!(served_by(&json, "shop"), ["kube-system/gke-ingress"]);
    assert_eq!(served_by(&json, "blog"), ["kube-system/gke-ingress"]);
    let reason = json["controllers"][0]["origin_reason"].as_str().unwrap();
    assert!(
        reason.contains("Ingress shop/shop has class gce"),
        "{reason}"
    );
    // GKE Ingress reads only the annotation: never advise spec.ingressClassName for it.
    let found = rules(&["fixtures/platforms/gke"]);
    assert!(
        !found
            .iter()
            .any(|f| f.0 == "ingress-class-annotation-deprecated"),
        "{found:?}"
    );
}

#[test]
fn with_platform_gke_its_ingress_controller_is_there_without_evidence() {
    // Traefik's chart default takes class-less Ingresses; so does GKE Ingress on every GKE
    // cluster: the conflict is real, and shows only when the platform is known.
    let without = rules(&["fixtures/gitops/argocd"]);
    assert!(
        !without.iter().any(|f| f.0 == "ingress-class-contested"),
        "{without:?}"
    );
    let with = rules(&["fixtures/gitops/argocd", "--platform", "gke"]);
    let contested: Vec<_> = with
        .iter()
        .filter(|f| f.0 == "ingress-class-contested")
        .collect();
    assert_eq!(contested.len(), 1, "{with:?}");
    let json = inventory(&["fixtures/gitops/argocd", "--platform", "gke"]);
    assert!(controllers(&json).contains(&r#"gce managed ["gce"] true ["cloud"]"#.to_string()));
}

#[test]
fn k3s_bundled_traefik_and_servicelb_host_ports() {
    let json = inventory(&["fixtures/platforms/k3s"]);
    assert_eq!(
        controllers(&json),
        [
            r#"haproxy rendered ["haproxy"] false ["hostport"]"#,
            r#"traefik bundled ["traefik"] true ["loadbalancer"]"#
        ]
    );
    // The bundled Traefik's HelmChartConfig shows k3s, and so its ServiceLB: Traefik's
    // LoadBalancer Service takes ports 80 and 443 on every node, with `--platform k3s` or
    // without (one inference for both components).
    let clashes = |found: &[(String, String, u64, u64)]| {
        found.iter().filter(|f| f.0 == "host-port-clash").count()
    };
    assert_eq!(clashes(&rules(&["fixtures/platforms/k3s"])), 2);
    let found = rules(&["fixtures/platforms/k3s", "--platform", "k3s"]);
    assert_eq!(clashes(&found), 2, "{found:?}");
    // MetalLB's address pools in the input replace ServiceLB (k3s needs it disabled then).
    let dir = scratch("platform-k3s-metallb");
    for entry in std::fs::read_dir(root().join("fixtures/platforms/k3s")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.join("metallb.yaml"),
        "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: lan, namespace: metallb-system}\nspec: {addresses: [192.168.1.240-192.168.1.250]}\n",
    )
    .unwrap();
    assert_eq!(clashes(&rules(&[dir.to_str().unwrap()])), 0);
    // Told that ServiceLB is disabled, no clash again.
    let dir = scratch("platform-k3s-disabled");
    std::fs::write(
        dir.join(".ingress-lint.yaml"),
        "platform: k3s\ndisable: [servicelb]\n",
    )
    .unwrap();
    let fixture = root().join("fixtures/platforms/k3s");
    let run = run_in(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            fixture.to_str().unwrap(),
        ],
        None,
        &[],
    );
    assert_eq!(clashes(&located(&run)), 0, "{}", run.stdout);
    // And with Traefik disabled, neither Traefik nor its Service.
    std::fs::write(
        dir.join(".ingress-lint.yaml"),
        "platform: k3s\ndisable: [traefik]\n",
    )
    .unwrap();
    let run = run_in(
        &dir,
        &["inventory", "--format", "json", fixture.to_str().unwrap()],
        None,
        &[],
    );
    assert_eq!(
        controllers(&run.json()),
        [r#"haproxy rendered ["haproxy"] false ["hostport"]"#]
    );
}

#[test]
fn rke2_bundled_ingress_nginx_uses_rke2s_defaults_and_its_customisation() {
    let json = inventory(&["fixtures/platforms/rke2"]);
    assert_eq!(
        controllers(&json),
        [r#"ingress-nginx bundled ["nginx"] true ["hostport"]"#]
    );
    let c = &json["controllers"][0];
    assert_eq!(c["workload"]["kind"], "DaemonSet");
    assert_eq!(c["workload"]["name"], "rke2-ingress-nginx-controller");
    // `watchIngressWithoutClass: true` comes from the HelmChartConfig, at its line.
    let reason = c["takes_classless_reason"].as_str().unwrap();
    assert!(
        reason.contains("--watch-ingress-without-class=true"),
        "{reason}"
    );
}

/// RKE2 v1.36+ installs Traefik on new clusters; its ingress-nginx is counted only where the
/// input shows it (its HelmChartConfig), not for `--platform rke2` alone.
#[test]
fn rke2_new_clusters_get_traefik() {
    let empty = scratch("platform-rke2-empty");
    let json = inventory(&[empty.to_str().unwrap(), "--platform", "rke2"]);
    assert_eq!(
        controllers(&json),
        [r#"traefik bundled ["traefik"] false ["hostport"]"#]
    );
    assert_eq!(json["controllers"][0]["workload"]["name"], "rke2-traefik");
    // With the nginx build's HelmChartConfig in the input, it is there too.
    let json = inventory(&["fixtures/platforms/rke2", "--platform", "rke2"]);
    let mut ids: Vec<String> = json["controllers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["ingress-nginx", "traefik"]);
}

#[test]
fn eks_auto_mode_serves_the_ingress_classes_of_its_controller_value() {
    let json = inventory(&["fixtures/platforms/eks"]);
    assert_eq!(
        controllers(&json),
        [r#"aws-alb managed ["alb"] false ["cloud"]"#]
    );
    assert_eq!(served_by(&json, "web"), ["kube-system/eks-auto-mode-alb"]);
    let found = rules(&["fixtures/platforms/eks"]);
    assert!(
        !found.iter().any(|f| f.0 == "ingress-class-undefined"),
        "{found:?}"
    );
}

#[test]
fn aks_application_routing_is_managed_and_not_reported_retired() {
    let json = inventory(&["fixtures/platforms/aks"]);
    assert_eq!(
        controllers(&json),
        [r#"ingress-nginx managed ["webapprouting.kubernetes.azure.com"] false ["loadbalancer"]"#]
    );
    assert_eq!(served_by(&json, "store"), ["app-routing-system/nginx"]);
    let found = rules(&["fixtures/platforms/aks"]);
    assert!(
        !found.iter().any(|f| f.0 == "controller-retired"),
        "{found:?}"
    );
}

#[test]
fn declared_controllers_serve_and_are_located_at_their_entries() {
    let dir = root().join("fixtures/declared");
    let run = run_in(&dir, &["inventory", "--format", "json", "."], None, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(
        controllers(&json),
        [
            r#"ingress-nginx declared ["nginx"] false ["loadbalancer"]"#,
            r#"traefik declared ["traefik"] true ["hostport"]"#
        ]
    );
    assert_eq!(
        served_by(&json, "web"),
        ["ingress-nginx/ingress-nginx-controller"]
    );
    assert_eq!(served_by(&json, "api"), ["traefik/traefik"]);
    let c = &json["controllers"][0];
    assert_eq!(
        (
            c["workload"]["file"].as_str(),
            c["workload"]["line"].as_u64()
        ),
        (Some(".ingress-lint.yaml"), Some(4))
    );
    assert_eq!(c["services"][0]["load_balancer_ip"], "203.0.113.7");
    // The findings on a declared controller point at its entry; nothing is claimed about
    // what was not declared (its Service's traffic policy).
    let run = run_in(
        &dir,
        &["check", "--format", "json", "--fail-on", "never", "."],
        None,
        &[],
    );
    let found = located(&run);
    assert!(
        found.contains(&(
            "controller-retired".into(),
            ".ingress-lint.yaml".into(),
            4,
            9
        )),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.0 == "load-balancer-source-ip"),
        "{found:?}"
    );
    // The plan reuses the declared IP (the declared Traefik binds host ports: the move to a
    // LoadBalancer Traefik is asked for).
    let run = run_in(
        &dir,
        &[
            "plan",
            "--format",
            "json",
            "--to",
            "traefik",
            "--target-exposure",
            "loadbalancer",
            ".",
        ],
        None,
        &[],
    );
    let plan = run.json();
    assert_eq!(plan["scenarios"][0]["id"], "B", "{}", run.stdout);
}

#[test]
fn a_platform_or_declared_controller_that_does_not_exist_is_a_usage_error() {
    let bad = run(&["check", "--platform", "gkee", "fixtures/platforms/gke"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("[possible values: aks, eks, gke, k3s, openshift, rke2]"),
        "{}",
        bad.stderr
    );
    let dir = scratch("declared-unknown-id");
    std::fs::write(
        dir.join(".ingress-lint.yaml"),
        "controllers:\n  - {id: nginx-plus, exposure: loadbalancer}\n",
    )
    .unwrap();
    let run = run_in(&dir, &["check", "."], None, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown controller id `nginx-plus`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_self_hosted_controller_stands_for_the_add_on_it_replaces() {
    let dir = scratch("self-hosted-glbc");
    std::fs::copy(
        "fixtures/platforms/gke/ingresses.yaml",
        dir.join("ingresses.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("glbc.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: l7-lb-controller, namespace: kube-system}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: l7-lb-controller, image: gcr.io/example/glbc:v1.20.1, args: [--ingress-class=gce]}\n",
    )
    .unwrap();
    // One gce controller, the self-hosted one; without it, the add-on.
    let json = inventory(&[dir.to_str().unwrap()]);
    assert_eq!(
        controllers(&json),
        [r#"gce rendered ["gce"] true ["cloud"]"#],
        "{json}"
    );
    std::fs::remove_file(dir.join("glbc.yaml")).unwrap();
    let json = inventory(&[dir.to_str().unwrap()]);
    assert_eq!(
        controllers(&json),
        [r#"gce managed ["gce"] true ["cloud"]"#],
        "{json}"
    );
}

#[test]
fn openshift_router_serves_its_class_and_class_less_ingresses() {
    let json = inventory(&["fixtures/platforms/openshift"]);
    assert_eq!(
        controllers(&json),
        [r#"openshift-router managed ["openshift-default"] true []"#]
    );
    assert_eq!(
        served_by(&json, "frontend"),
        ["openshift-ingress/router-default"]
    );
    assert_eq!(
        served_by(&json, "legacy"),
        ["openshift-ingress/router-default"]
    );
    // Traefik's chart default takes class-less Ingresses too: on OpenShift both expose them.
    let found = rules(&["fixtures/gitops/argocd", "--platform", "openshift"]);
    assert_eq!(
        found
            .iter()
            .filter(|f| f.0 == "ingress-class-contested")
            .count(),
        1,
        "{found:?}"
    );
}
