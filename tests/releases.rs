//! Helm releases read as controllers: every corpus variant's values (chart defaults for
//! `default`), wrapped the ways GitOps repositories install a chart — Flux `HelmRelease`,
//! Argo CD `Application` (`valuesObject` and a `values: |` string), k3s `HelmChart`
//! (`valuesContent`), helmfile (a values file), Kustomize `helmCharts` (`valuesInline`), an
//! umbrella `Chart.yaml` — give the same controller facts as
//! `inventory` of the matching `helm template` render (`fixtures/corpus/charts/`).

mod common;

use std::path::Path;

use common::{check_json, run, scratch};
use serde_json::Value;

/// Corpus directory, chart name, release name, namespace (`shared/corpus/README.md` §1), and
/// the chart's public repository: all 55 renders.
const CHARTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "ingress-nginx",
        "ingress-nginx",
        "ingress-nginx",
        "ingress-nginx",
        "https://kubernetes.github.io/ingress-nginx",
    ),
    (
        "traefik",
        "traefik",
        "traefik",
        "traefik",
        "oci://ghcr.io/traefik/helm",
    ),
    (
        "haproxytech",
        "kubernetes-ingress",
        "haproxy-kubernetes-ingress",
        "haproxy-controller",
        "https://haproxytech.github.io/helm-charts",
    ),
    ("kong", "kong", "kong", "kong", "https://charts.konghq.com"),
    (
        "kong-ingress",
        "ingress",
        "kong",
        "kong",
        "https://charts.konghq.com",
    ),
    (
        "f5-nginx-ingress",
        "nginx-ingress",
        "nginx-ingress",
        "nginx-ingress",
        "https://helm.nginx.com/stable",
    ),
    (
        "haproxy-ingress",
        "haproxy-ingress",
        "haproxy-ingress",
        "ingress-controller",
        "https://haproxy-ingress.github.io/charts",
    ),
    (
        "aws-load-balancer-controller",
        "aws-load-balancer-controller",
        "aws-load-balancer-controller",
        "kube-system",
        "https://aws.github.io/eks-charts",
    ),
];

/// The facts compared: id, classes, class-less, default class, exposure, host ports.
fn facts(json: &Value) -> String {
    let controllers = json["controllers"].as_array().unwrap();
    let mut out: Vec<String> = controllers
        .iter()
        .map(|c| {
            let ports = common::host_ports(c);
            format!(
                "{} classes={} classless={} exposure={} host_ports={}",
                c["id"].as_str().unwrap(),
                c["classes"],
                c["takes_classless"],
                c["exposure"],
                ports.join(",")
            )
        })
        .collect();
    for class in json["ingress_classes"].as_array().unwrap() {
        out.push(format!(
            "class {} default={}",
            class["name"], class["default"]
        ));
    }
    out.join("\n")
}

fn inventory(path: &Path) -> Value {
    let run = run(&["inventory", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{}{l}", " ".repeat(by))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The values without comments (the wrapped forms nest them).
fn values(dir: &str, variant: &str) -> String {
    if variant == "default" {
        return String::new();
    }
    let path = format!("fixtures/chart-values/{dir}/{variant}.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut text: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    if dir == "aws-load-balancer-controller" {
        text.push_str("clusterName: demo-cluster\n");
    }
    text
}

fn block(values: &str, by: usize) -> String {
    if values.trim().is_empty() {
        format!("{}{{}}", " ".repeat(by))
    } else {
        indent(values, by)
    }
}

/// Each form of one release, as (form name, its files as (name, text)).
fn forms(
    chart: &str,
    release: &str,
    namespace: &str,
    repo: &str,
    values: &str,
) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let flux = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {{name: repo, namespace: flux-system}}\nspec: {{url: \"{repo}\"}}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {release}\n  namespace: {namespace}\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: {chart}\n      sourceRef: {{kind: HelmRepository, name: repo, namespace: flux-system}}\n  values:\n{}\n",
        block(values, 4)
    );
    let argo_object = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {release}\n  namespace: argocd\nspec:\n  destination: {{server: https://kubernetes.default.svc, namespace: {namespace}}}\n  source:\n    repoURL: {repo}\n    chart: {chart}\n    helm:\n      valuesObject:\n{}\n",
        block(values, 8)
    );
    let argo_string = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {release}\n  namespace: argocd\nspec:\n  destination: {{server: https://kubernetes.default.svc, namespace: {namespace}}}\n  source:\n    repoURL: {repo}\n    chart: {chart}\n    helm:\n      values: |\n{}\n",
        block(values, 8)
    );
    let k3s = format!(
        "apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: {release}\n  namespace: kube-system\nspec:\n  repo: {repo}\n  chart: {chart}\n  targetNamespace: {namespace}\n  valuesContent: |-\n{}\n",
        block(values, 4)
    );
    let helmfile = format!(
        "repositories:\n  - name: upstream\n    url: {repo}\nreleases:\n  - name: {release}\n    namespace: {namespace}\n    chart: upstream/{chart}\n    values:\n      - values.yaml\n"
    );
    let kustomization = format!(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nhelmCharts:\n  - name: {chart}\n    repo: {repo}\n    releaseName: {release}\n    namespace: {namespace}\n    valuesInline:\n{}\n",
        block(values, 6)
    );
    // Umbrella chart: the values sit under the dependency's name.
    let umbrella_chart = format!("apiVersion: v2\nname: {release}\nversion: 1.0.0\ndependencies:\n  - name: {chart}\n    version: \"*\"\n    repository: {repo}\n");
    let umbrella_values = format!("{chart}:\n{}\n", block(values, 2));
    vec![
        ("flux", vec![("release.yaml", flux)]),
        ("argo-object", vec![("release.yaml", argo_object)]),
        ("argo-string", vec![("release.yaml", argo_string)]),
        ("k3s", vec![("release.yaml", k3s)]),
        (
            "helmfile",
            vec![
                ("helmfile.yaml", helmfile),
                (
                    "values.yaml",
                    format!(
                        "{}\n",
                        if values.trim().is_empty() {
                            "{}"
                        } else {
                            values
                        }
                    ),
                ),
            ],
        ),
        ("kustomize", vec![("kustomization.yaml", kustomization)]),
        (
            "umbrella",
            vec![
                ("Chart.yaml", umbrella_chart),
                ("values.yaml", umbrella_values),
            ],
        ),
    ]
}

#[test]
fn every_variant_as_a_release_matches_its_render() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for (dir, chart, release, namespace, repo) in CHARTS {
        let mut variants: Vec<String> = std::fs::read_dir(format!("fixtures/corpus/charts/{dir}"))
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".yaml")
                    .to_string()
            })
            .collect();
        variants.sort();
        for variant in variants {
            let render = inventory(Path::new(&format!(
                "fixtures/corpus/charts/{dir}/{variant}.yaml"
            )));
            let expected = facts(&render);
            let values = values(dir, &variant);
            for (form, files) in forms(chart, release, namespace, repo, &values) {
                let scratch = scratch(&format!("releases-{dir}-{variant}-{form}"));
                for (file, text) in files {
                    std::fs::write(scratch.join(file), text).unwrap();
                }
                let found = facts(&inventory(&scratch));
                compared += 1;
                if found != expected {
                    failures.push(format!(
                        "{dir}/{variant} as {form}:\n  render:  {}\n  release: {}",
                        expected.replace('\n', "\n           "),
                        found.replace('\n', "\n           ")
                    ));
                }
            }
        }
    }
    assert_eq!(compared, 55 * 7);
    assert!(
        failures.is_empty(),
        "{} of {compared} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Findings on values point at the values: a line of a `HelmRelease`, a line inside an
/// Argo CD `values: |` string.
#[test]
fn findings_on_values_are_located_at_the_values() {
    let run = run(&["check", "fixtures/gitops", "--format", "json"]);
    let found = common::located(&run);
    let at = |rule: &str, file: &str| {
        found
            .iter()
            .filter(|(r, f, ..)| r == rule && f.ends_with(file))
            .map(|(_, _, line, column)| (*line, *column))
            .collect::<Vec<_>>()
    };
    // `loadBalancerIP:` under `spec.values.controller.service`.
    assert_eq!(
        at("load-balancer-ip-deprecated", "flux/ingress-nginx.yaml"),
        [(31, 9)]
    );
    // `loadBalancerIP:` inside the `helm.values` string.
    assert_eq!(
        at("load-balancer-ip-deprecated", "argocd/traefik.yaml"),
        [(21, 13)]
    );
    // A chart default is reported at the release's chart reference.
    assert_eq!(
        at("controller-retired", "flux/ingress-nginx.yaml"),
        [(21, 14)]
    );
    // `controller.allowSnippetAnnotations: true`, rendered into the controller's ConfigMap.
    assert_eq!(
        at("controller-snippets-allowed", "flux/ingress-nginx.yaml"),
        [(33, 32)]
    );
    // Both releases take class-less Ingresses (Traefik by its chart default).
    assert_eq!(
        at("ingress-class-contested", "flux/ingress-nginx.yaml").len(),
        1
    );
}

/// The same rule on rendered manifests: the ConfigMap the controller's `--configmap` names
/// (`$(POD_NAMESPACE)` expanded from the pod's namespace).
#[test]
fn snippets_allowed_in_a_rendered_configmap() {
    let render =
        std::fs::read_to_string("fixtures/corpus/charts/ingress-nginx/default.yaml").unwrap();
    let patched = render.replacen(
        "data:\n---",
        "data:\n  allow-snippet-annotations: \"true\"\n---",
        1,
    );
    assert_ne!(render, patched);
    let dir = scratch("snippets-rendered");
    std::fs::write(dir.join("render.yaml"), &patched).unwrap();
    let line = patched
        .lines()
        .position(|l| l.contains("allow-snippet-annotations"))
        .unwrap() as u64
        + 1;
    let run = check_json(&[dir.to_str().unwrap()]);
    let found: Vec<_> = common::located(&run)
        .into_iter()
        .filter(|f| f.0 == "controller-snippets-allowed")
        .map(|f| (f.2, f.3))
        .collect();
    assert_eq!(found, [(line, 30)]);
    // Unpatched: nothing.
    let clean = run_check_count("fixtures/corpus/charts/ingress-nginx/default.yaml");
    assert_eq!(clean, 0);
}

fn run_check_count(path: &str) -> usize {
    let run = check_json(&[path]);
    common::located(&run)
        .iter()
        .filter(|f| f.0 == "controller-snippets-allowed")
        .count()
}

/// A `helm template` render of a release next to the release is one controller: the
/// rendered objects stand.
#[test]
fn a_release_and_its_render_are_one_controller() {
    let dir = scratch("release-and-render");
    std::fs::copy(
        "fixtures/corpus/charts/ingress-nginx/default.yaml",
        dir.join("render.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("release.yaml"),
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ingress-nginx, namespace: ingress-nginx}\nspec:\n  chart:\n    spec: {chart: ingress-nginx, sourceRef: {kind: HelmRepository, name: ingress-nginx}}\n",
    )
    .unwrap();
    let json = inventory(&dir);
    let controllers = json["controllers"].as_array().unwrap();
    assert_eq!(controllers.len(), 1, "{controllers:?}");
    assert_eq!(controllers[0]["origin"], "rendered");
    assert_eq!(json["ingress_classes"].as_array().unwrap().len(), 1);
}

/// Flux `valuesFrom`: a ConfigMap and a Secret (base64 `data`) in the input are read in
/// order under `values`; a Secret that is not in the input leaves what it could set unknown.
#[test]
fn flux_values_from_configmaps_and_secrets() {
    let dir = scratch("flux-values-from");
    // `controller:\n  kind: DaemonSet\n  hostPort:\n    enabled: true\n`
    let secret = "Y29udHJvbGxlcjoKICBraW5kOiBEYWVtb25TZXQKICBob3N0UG9ydDoKICAgIGVuYWJsZWQ6IHRydWUK";
    std::fs::write(
        dir.join("release.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: base, namespace: ingress-nginx}}\ndata:\n  values.yaml: |\n    controller:\n      watchIngressWithoutClass: true\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: node, namespace: ingress-nginx}}\ndata:\n  values.yaml: {secret}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: ingress-nginx, namespace: ingress-nginx}}\nspec:\n  chart:\n    spec: {{chart: ingress-nginx, sourceRef: {{kind: HelmRepository, name: ingress-nginx}}}}\n  valuesFrom:\n    - {{kind: ConfigMap, name: base}}\n    - {{kind: Secret, name: node}}\n  values:\n    controller:\n      service: {{type: ClusterIP}}\n"),
    )
    .unwrap();
    let json = inventory(&dir);
    let c = &json["controllers"][0];
    assert_eq!(c["workload"]["kind"], "DaemonSet", "{c}");
    assert_eq!(c["takes_classless"], true);
    assert_eq!(common::host_ports(c), ["443/TCP", "80/TCP"]);
    assert_eq!(c["exposure"], serde_json::json!(["hostport"]));
    // Without the Secret in the input, its layer is unknown: so is everything below it.
    let text = std::fs::read_to_string(dir.join("release.yaml")).unwrap();
    std::fs::write(
        dir.join("release.yaml"),
        text.replace("name: node", "name: elsewhere").replacen(
            "kind: Secret, name: elsewhere",
            "kind: Secret, name: node",
            1,
        ),
    )
    .unwrap();
    let json = inventory(&dir);
    assert!(json["controllers"].as_array().unwrap().is_empty(), "{json}");
    let release = &json["releases"][0];
    assert!(
        release["unread"]
            .as_str()
            .unwrap()
            .contains("valuesFrom Secret ingress-nginx/node is not in the input"),
        "{release}"
    );
}
