//! Ingresses defined in application charts' values (`fixtures/values-ingresses/`): what
//! `inventory` lists and where `check` points, for each shape; and wrapping one Ingress's
//! values in every release form gives the same Ingress as its `helm template` render.

mod common;

use common::{check_json, findings_of, run, scratch};
use serde_json::Value;

const FIXTURES: &[&str] = &[
    "app-template",
    "scaffold",
    "nested",
    "generic",
    "values-from",
    "umbrella",
    "bad-values",
    "argo-placement",
    "argo-appset",
    "values-objects",
];

#[test]
fn inventory_of_each_shape() {
    for fixture in FIXTURES {
        let dir = format!("fixtures/values-ingresses/{fixture}");
        let inventory = run(&["inventory", &dir]);
        assert_eq!(inventory.code, 0, "{fixture}: {}", inventory.stderr);
        insta::assert_snapshot!(format!("inventory_{fixture}"), inventory.stdout);
    }
}

#[test]
fn check_of_each_shape() {
    for fixture in FIXTURES {
        let dir = format!("fixtures/values-ingresses/{fixture}");
        let check = run(&["check", "--format", "github", "--fail-on", "never", &dir]);
        assert_eq!(check.code, 0, "{fixture}: {}", check.stderr);
        insta::assert_snapshot!(format!("check_{fixture}"), check.stdout);
    }
}

/// `(namespace/name, class)` of every Ingress of an inventory.
fn ingresses(inventory: &Value) -> Vec<(String, Option<String>)> {
    inventory["ingresses"]
        .as_array()
        .expect("ingresses")
        .iter()
        .map(|i| {
            (
                format!(
                    "{}/{}",
                    i["namespace"].as_str().unwrap_or_default(),
                    i["name"].as_str().unwrap_or_default()
                ),
                i["class"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn app_template_ingresses_are_named_and_served_as_the_chart_renders_them() {
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/values-ingresses/app-template",
    ])
    .json();
    // Two enabled ingresses: the release name with each key; the disabled one is not there.
    assert_eq!(
        ingresses(&inventory),
        [
            ("media/sonarr-app".into(), Some("internal-nginx".into())),
            ("media/sonarr-api".into(), Some("external-nginx".into())),
        ]
    );
    let app = &inventory["ingresses"][0];
    assert_eq!(
        app["served_by"][0]["name"], "internal-ingress-nginx-controller",
        "{app}"
    );
    assert_eq!(
        app["origin"],
        "values `ingress.app` of HelmRelease media/sonarr (Flux), chart app-template"
    );
    assert_eq!(app["line"], 38, "located at the `app:` key of the values");
}

#[test]
fn findings_about_values_ingresses_point_at_the_values_with_the_release_related() {
    let check = check_json(&["fixtures/values-ingresses/app-template"]).json();
    let snippet = findings_of(&check, "annotation-snippet");
    assert_eq!(snippet.len(), 1, "{check}");
    assert_eq!(snippet[0]["line"], 41, "the annotation key in the values");
    let related = &snippet[0]["related"][0];
    assert_eq!(
        related["line"], 12,
        "the release's chart reference: {related}"
    );
    let undefined = findings_of(&check, "ingress-class-undefined");
    assert_eq!(undefined.len(), 1);
    assert_eq!(undefined[0]["line"], 54, "the `className:` value");
}

#[test]
fn argo_cd_objects_land_in_their_destination_namespace() {
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/values-ingresses/argo-placement",
    ])
    .json();
    assert_eq!(
        ingresses(&inventory)
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>(),
        [
            // An Application of a plain directory, and of a Kustomize directory.
            "argo/argo-server",
            "argocd/argocd-server",
            // An ApplicationSet's list generator (Go template syntax).
            "grafana-system/grafana",
            // A cluster generator: the cluster Secret's normalized name.
            "tools-dev-1/mailpit",
            // An ApplicationSet's Git directory generator: `{{path.basename}}`.
            "prometheus-operator/prometheus",
            // A manifest's own namespace wins.
            "alerting/alertmanager",
            // A Git files generator: the files' keys.
            "web-prod/web",
            "web-staging/web",
        ]
    );
}

#[test]
fn argo_cd_installs_charts_of_its_paths_and_generates_applications() {
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/values-ingresses/argo-appset",
    ])
    .json();
    // An umbrella chart of a Git directory generator's path: in the directory's namespace.
    let controller = &inventory["controllers"][0];
    assert_eq!(
        controller["workload"]["namespace"], "ingress-nginx",
        "{controller}"
    );
    // A path chart with the Application's release name and values over its values.yaml; an
    // ApplicationSet's list element filling the namespace of an app-template release.
    assert_eq!(
        ingresses(&inventory),
        [
            ("shop/shop-prod".into(), Some("nginx".into())),
            ("tools/whoami".into(), Some("nginx".into())),
        ]
    );
    let check = check_json(&["fixtures/values-ingresses/argo-appset"]).json();
    let snippet = findings_of(&check, "annotation-snippet");
    assert_eq!(
        (snippet[0]["file"].as_str(), snippet[0]["line"].as_u64()),
        (
            Some("fixtures/values-ingresses/argo-appset/argocd/applicationsets.yaml"),
            Some(97)
        ),
        "the annotation the Application's valuesObject sets"
    );
    // The host of the valueFiles entry over the chart's values.yaml; app-template's port
    // name resolved to the Service's port number.
    let convert = run(&[
        "convert",
        "--to",
        "gateway-api",
        "--target-class",
        "cilium",
        "fixtures/values-ingresses/argo-appset",
    ]);
    for expected in [
        "- shop.example.com\n",
        "- whoami.example.com\n",
        "- name: whoami\n      port: 80\n",
    ] {
        assert!(
            convert.stdout.contains(expected),
            "{expected}: {}",
            convert.stdout
        );
    }
    assert!(!convert.stdout.contains("shop.example.local"));
}

#[test]
fn objects_in_values_are_objects_and_their_applications_install() {
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/values-ingresses/values-objects",
    ])
    .json();
    // argo-cd's `extraObjects` Ingress, in the release's namespace; the app-template release
    // of the ApplicationSet in argocd-apps' values, in its generated namespace.
    assert_eq!(
        ingresses(&inventory),
        [
            ("argocd/argocd-grpc".into(), Some("nginx".into())),
            ("echo/echo".into(), Some("nginx".into())),
        ]
    );
    assert_eq!(
        inventory["ingresses"][0]["line"], 20,
        "the manifest in the values"
    );
}

#[test]
fn unreadable_values_are_located_infos_and_the_rest_is_read() {
    let check = check_json(&["fixtures/values-ingresses/bad-values"]).json();
    let unresolved: Vec<(u64, String)> = findings_of(&check, "helm-release-unresolved")
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        unresolved,
        [
            (15, "info".into()),
            (20, "info".into()),
            (22, "info".into())
        ]
    );
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/values-ingresses/bad-values",
    ])
    .json();
    let names: Vec<String> = ingresses(&inventory).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["home/home-assistant-code", "home/home-assistant-esphome"]
    );
}

/// One Ingress's values in the `helm create` scaffold shape.
struct Case {
    class: Option<&'static str>,
    annotations: &'static [(&'static str, &'static str)],
    hosts: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        class: Some("nginx"),
        annotations: &[("nginx.ingress.kubernetes.io/proxy-body-size", "8m")],
        hosts: &["a.example.com"],
    },
    Case {
        class: Some("traefik"),
        annotations: &[],
        hosts: &["a.example.com", "b.example.com"],
    },
    Case {
        class: None,
        annotations: &[
            ("kubernetes.io/ingress.class", "nginx"),
            ("nginx.ingress.kubernetes.io/ssl-redirect", "false"),
            ("cert-manager.io/cluster-issuer", "letsencrypt"),
        ],
        hosts: &["c.example.com"],
    },
];

impl Case {
    /// The values, indented by `indent`.
    fn values(&self, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let mut out = format!("{pad}ingress:\n{pad}  enabled: true\n");
        if let Some(class) = self.class {
            out += &format!("{pad}  className: {class}\n");
        }
        if !self.annotations.is_empty() {
            out += &format!("{pad}  annotations:\n");
            for (k, v) in self.annotations {
                out += &format!("{pad}    {k}: \"{v}\"\n");
            }
        }
        out += &format!("{pad}  hosts:\n");
        for host in self.hosts {
            out += &format!(
                "{pad}    - host: {host}\n{pad}      paths:\n{pad}        - path: /\n{pad}          pathType: ImplementationSpecific\n"
            );
        }
        out
    }

    /// What `helm template web ./mychart -n apps` renders from them (the scaffold's
    /// `templates/ingress.yaml`).
    fn render(&self) -> String {
        let mut out = String::from(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web-mychart\n  namespace: apps\n",
        );
        if !self.annotations.is_empty() {
            out += "  annotations:\n";
            for (k, v) in self.annotations {
                out += &format!("    {k}: \"{v}\"\n");
            }
        }
        out += "spec:\n";
        if let Some(class) = self.class {
            out += &format!("  ingressClassName: {class}\n");
        }
        out += "  rules:\n";
        for host in self.hosts {
            out += &format!(
                "    - host: \"{host}\"\n      http:\n        paths:\n          - path: /\n            pathType: ImplementationSpecific\n            backend:\n              service:\n                name: web-mychart\n                port:\n                  number: 80\n"
            );
        }
        out
    }

    /// The release forms, each a set of files.
    fn wrapped(&self) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
        let flux = format!(
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  chart:\n    spec:\n      chart: mychart\n      sourceRef: {{kind: HelmRepository, name: internal}}\n  values:\n{}",
            self.values(4)
        );
        let argo = |values: String| {
            format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\n  namespace: argocd\nspec:\n  destination:\n    namespace: apps\n  source:\n    repoURL: https://charts.example.com\n    chart: mychart\n    targetRevision: 1.0.0\n    helm:\n{values}"
            )
        };
        let argo_object = argo(format!("      valuesObject:\n{}", self.values(8)));
        let argo_string = argo(format!("      values: |\n{}", self.values(8)));
        let k3s = format!(
            "apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: web\n  namespace: kube-system\nspec:\n  repo: https://charts.example.com\n  chart: mychart\n  targetNamespace: apps\n  valuesContent: |-\n{}",
            self.values(4)
        );
        let helmfile = "repositories:\n  - name: internal\n    url: https://charts.example.com\nreleases:\n  - name: web\n    namespace: apps\n    chart: internal/mychart\n    values:\n      - values/web.yaml\n".to_string();
        let kustomize = format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nhelmCharts:\n  - name: mychart\n    repo: https://charts.example.com\n    releaseName: web\n    namespace: apps\n    valuesInline:\n{}",
            self.values(6)
        );
        vec![
            ("flux", vec![("helmrelease.yaml", flux)]),
            ("argo-values-object", vec![("app.yaml", argo_object)]),
            ("argo-values-string", vec![("app.yaml", argo_string)]),
            ("k3s", vec![("helmchart.yaml", k3s)]),
            (
                "helmfile",
                vec![
                    ("helmfile.yaml", helmfile),
                    ("values/web.yaml", self.values(0)),
                ],
            ),
            ("kustomize", vec![("kustomization.yaml", kustomize)]),
        ]
    }
}

/// The inventory's view of the Ingresses: identity, class and where it comes from, counts of
/// annotation prefixes.
fn facts(inventory: &Value) -> Vec<String> {
    inventory["ingresses"]
        .as_array()
        .expect("ingresses")
        .iter()
        .map(|i| {
            format!(
                "{}/{} class={} source={} prefixes={}",
                i["namespace"], i["name"], i["class"], i["class_source"], i["annotation_prefixes"]
            )
        })
        .collect()
}

#[test]
fn every_release_form_gives_the_ingress_its_render_gives() {
    for (n, case) in CASES.iter().enumerate() {
        let rendered = scratch(&format!("values-ingress-render-{n}"));
        std::fs::write(rendered.join("ingress.yaml"), case.render()).expect("write");
        let expected = facts(
            &run(&[
                "inventory",
                "--format",
                "json",
                rendered.to_str().expect("utf-8"),
            ])
            .json(),
        );
        assert_eq!(expected.len(), 1, "{expected:?}");
        for (form, files) in case.wrapped() {
            let dir = scratch(&format!("values-ingress-{form}-{n}"));
            for (name, text) in files {
                let path = dir.join(name);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
                std::fs::write(path, text).expect("write");
            }
            let inventory = run(&[
                "inventory",
                "--format",
                "json",
                dir.to_str().expect("utf-8"),
            ])
            .json();
            assert_eq!(facts(&inventory), expected, "case {n}, {form}");
            let origin = inventory["ingresses"][0]["origin"]
                .as_str()
                .unwrap_or_default();
            assert!(
                origin.starts_with("values `ingress` of ")
                    && origin.ends_with("(generic ingress block)"),
                "case {n}, {form}: {origin}"
            );
        }
    }
}

#[test]
fn convert_writes_the_values_to_set_not_a_manifest() {
    for target in ["haproxy", "traefik", "kong", "gateway-api"] {
        let run = run(&[
            "convert",
            "--to",
            target,
            "--format",
            "json",
            "fixtures/values-ingresses/app-template",
        ]);
        let report: Value = serde_json::from_str(&run.stderr).expect("JSON report");
        // Every annotation of the converted Ingress is accounted for.
        let keys: Vec<&str> = report["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|e| e["key"].as_str())
            .collect();
        assert!(
            keys.contains(&"nginx.ingress.kubernetes.io/proxy-body-size")
                && keys.contains(&"nginx.ingress.kubernetes.io/configuration-snippet"),
            "{target}: {keys:?}"
        );
        assert!(
            !run.stdout.contains("kind: Ingress\n"),
            "{target}: no Ingress manifest for a values-defined Ingress:\n{}",
            run.stdout
        );
        if target == "gateway-api" {
            assert!(report.get("values").is_none(), "{report}");
            continue;
        }
        let values = &report["values"][0];
        assert_eq!(values["at"], "spec.values", "{target}");
        let block = &values["values"]["ingress"]["app"];
        assert_eq!(block["className"], target, "{target}: {block}");
        assert_eq!(
            block["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"],
            Value::Null,
            "{target}: the source annotation is deleted"
        );
        insta::assert_snapshot!(
            format!("convert_values_{target}"),
            values["yaml"].as_str().unwrap_or_default()
        );
    }
}

#[test]
fn side_by_side_the_values_defined_ingress_stays_a_manifest() {
    let run = run(&[
        "convert",
        "--to",
        "haproxy",
        "--name-suffix=-haproxy",
        "--format",
        "json",
        "fixtures/values-ingresses/app-template",
    ]);
    assert!(
        run.stdout.contains("name: sonarr-app-haproxy"),
        "{}",
        run.stdout
    );
    let report: Value = serde_json::from_str(&run.stderr).expect("JSON report");
    assert!(report.get("values").is_none(), "{report}");
}

#[test]
fn output_dir_writes_a_values_file_beside_each_release_file() {
    let dir = scratch("values-ingress-output-dir");
    let run = run(&[
        "convert",
        "--to",
        "kong",
        "--output-dir",
        dir.to_str().expect("utf-8"),
        "--report",
        dir.join("report.md").to_str().expect("utf-8"),
        "fixtures/values-ingresses/umbrella",
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let values = std::fs::read_to_string(
        dir.join("fixtures/values-ingresses/umbrella/charts/shop/values.values.yaml"),
    )
    .expect("the values file beside values.yaml");
    assert!(
        values.starts_with("# Values to set at values.yaml of chart `shop`"),
        "{values}"
    );
    assert!(values.contains("ingress:\n  className: kong\n"), "{values}");
}
