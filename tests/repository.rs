//! Repositories read the way their tools build them: Kustomize overlays and patches, and the
//! clusters a GitOps layout describes.

mod common;

use common::{check_json, findings_of, run, scratch};

/// `(name, file count)` of the clusters an `inventory --format json` lists.
fn clusters(inventory: &serde_json::Value) -> Vec<(&str, u64)> {
    inventory["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["files"].as_u64().unwrap()))
        .collect()
}

/// `(namespace, name)` of the Ingresses an `inventory --format json` lists.
fn ingresses(inventory: &serde_json::Value) -> Vec<(String, String)> {
    inventory["ingresses"]
        .as_array()
        .expect("ingresses")
        .iter()
        .map(|i| {
            (
                i["namespace"].as_str().unwrap().into(),
                i["name"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// `file:line` of a finding's related locations.
fn related(finding: &serde_json::Value) -> Vec<String> {
    finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}:{}", r["file"].as_str().unwrap(), r["line"]))
        .collect()
}

/// Each overlay is a build: patches (strategic merge and JSON 6902, from files and inline)
/// are merged into the objects they target and are no objects themselves; `$patch: delete`
/// deletes; the overlay's namespace and name prefix name its objects; a base built by two
/// overlays is two objects; what a patch sets is located in the patch, the base related.
#[test]
fn kustomize_overlays_are_builds_with_their_patches_merged() {
    let check = check_json(&["fixtures/kustomize"]).json();
    let findings = check["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{check}");
    let lb = &findings[0];
    assert_eq!(lb["rule"], "load-balancer-ip-deprecated");
    assert_eq!(
        (lb["file"].as_str().unwrap(), lb["line"].as_u64().unwrap()),
        ("fixtures/kustomize/overlays/production/service-lb.yaml", 8)
    );
    assert_eq!(
        lb["message"].as_str().unwrap().split(" sets").next(),
        Some("Service shop/shop")
    );
    assert_eq!(related(lb), ["fixtures/kustomize/base/service.yaml:2"]);
    // The base's Ingress, Service and debug Service per overlay (production deletes the
    // debug Service, staging prefixes every name), the component's Certificate in
    // production only, and the 4 kustomizations; the four patch documents are skipped.
    assert_eq!(check["summary"]["objects"], 10);
    assert_eq!(check["summary"]["skipped_documents"], 4);

    let inventory = run(&["inventory", "--format", "json", "fixtures/kustomize"]).json();
    assert_eq!(
        ingresses(&inventory),
        [
            ("shop".into(), "shop".into()),
            ("shop-staging".into(), "staging-shop".into())
        ]
    );
    assert_eq!(clusters(&inventory), [("production", 7), ("staging", 5)]);

    // Annotations set by a patch are read, and located where the patch sets them.
    let translation = run(&[
        "translate",
        "--to",
        "traefik",
        "--format",
        "json",
        "fixtures/kustomize",
    ])
    .json();
    let mut annotations: Vec<(String, String, String, u64)> = translation["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["object"]["namespace"].as_str().unwrap().into(),
                a["annotation"].as_str().unwrap().into(),
                a["file"].as_str().unwrap().into(),
                a["line"].as_u64().unwrap(),
            )
        })
        .collect();
    annotations.sort();
    assert_eq!(
        annotations,
        [
            (
                "shop".into(),
                "nginx.ingress.kubernetes.io/ssl-redirect".into(),
                "fixtures/kustomize/overlays/production/ingress-json-patch.yaml".into(),
                3
            ),
            (
                "shop-staging".into(),
                "nginx.ingress.kubernetes.io/proxy-body-size".into(),
                "fixtures/kustomize/overlays/staging/ingress-host.yaml".into(),
                7
            ),
        ]
    );

    // Built by production alone, the base is production's only.
    let production = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/kustomize/base",
        "fixtures/kustomize/overlays/production",
    ])
    .json();
    assert_eq!(ingresses(&production), [("shop".into(), "shop".into())]);
    // An overlay given alone: what it lists outside the input is said, where it is listed;
    // its patches' targets are not in the input, which is no build failure.
    let alone = run(&[
        "check",
        "--format",
        "json",
        "fixtures/kustomize/overlays/production",
    ]);
    let unresolved: Vec<(String, u64)> = common::located(&alone)
        .into_iter()
        .filter(|f| f.0 == "kustomization-unresolved")
        .map(|f| (f.1, f.2))
        .collect();
    let file = "fixtures/kustomize/overlays/production/kustomization.yaml".to_string();
    assert_eq!(unresolved, [(file.clone(), 5), (file, 7)]);
}

/// What an inline patch sets is located in the kustomization, at the line that sets it.
#[test]
fn an_inline_patch_is_located_in_the_kustomization() {
    let dir = scratch("kustomize-inline");
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("base/ingress.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: web.example.com\n");
    write("base/kustomization.yaml", "resources: [ingress.yaml]\n");
    write(
        "overlays/prod/kustomization.yaml",
        "namespace: prod\nresources: [../../base]\npatches:\n  - patch: |-\n      apiVersion: networking.k8s.io/v1\n      kind: Ingress\n      metadata:\n        name: web\n        annotations:\n          nginx.ingress.kubernetes.io/configuration-snippet: |\n            more_set_headers \"X-Env: prod\";\n",
    );
    let check = check_json(&[dir.to_str().unwrap()]).json();
    let snippets = findings_of(&check, "annotation-snippet");
    assert_eq!(snippets.len(), 1, "{check}");
    let file = snippets[0]["file"].as_str().unwrap();
    assert!(
        file.ends_with("kustomize-inline/overlays/prod/kustomization.yaml"),
        "{file}"
    );
    assert_eq!(
        (snippets[0]["line"].as_u64(), snippets[0]["column"].as_u64()),
        (Some(10), Some(11))
    );
    assert!(related(snippets[0])[0].ends_with("kustomize-inline/base/ingress.yaml:2"));
    assert_eq!(snippets[0]["object"]["namespace"], "prod");
}

/// A patch target's label and annotation selectors are read from the objects as written, for
/// every kind: the patch lands on what they select, and one that selects nothing applies
/// nowhere, as in `kustomize build` (v5), which succeeds.
#[test]
fn patch_targets_select_by_labels_and_annotations() {
    let dir = scratch("kustomize-selectors");
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("app/objects.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  labels: {app: web, tier: front}\nspec:\n  ingressClassName: nginx\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: db\n  labels: {app: web, tier: db}\nspec:\n  ingressClassName: nginx\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations: {team: edge}\ndata: {a: b}\n");
    let snippet = "      - op: add\n        path: /metadata/annotations\n        value: {nginx.ingress.kubernetes.io/server-snippet: 'return 403;'}\n";
    let config = "      - op: add\n        path: /data/c\n        value: d\n";
    write(
        "app/kustomization.yaml",
        &format!("resources: [objects.yaml]\npatches:\n  - target: {{kind: Ingress, labelSelector: 'app=web,tier!=db'}}\n    patch: |-\n{snippet}  - target: {{kind: ConfigMap, annotationSelector: team=edge}}\n    patch: |-\n{config}  - target: {{kind: ConfigMap, labelSelector: app=none}}\n    patch: |-\n{config}"),
    );
    let check = check_json(&[dir.to_str().unwrap()]).json();
    let snippets = findings_of(&check, "annotation-snippet");
    assert_eq!(snippets.len(), 1, "{check}");
    assert_eq!(snippets[0]["object"]["name"], "web");
    let unresolved = findings_of(&check, "kustomization-unresolved");
    assert!(unresolved.is_empty(), "{check}");
}

/// A kustomization `kustomize build` rejects is a located finding, and the rest is checked:
/// a cycle, an unknown field, a JSON 6902 operation whose path is not in the object, a patch
/// whose target the build does not hold. A Flux `Kustomization` in a file named
/// `kustomization.yaml` is that object, not a kustomization.
#[test]
fn kustomizations_that_cannot_build_are_located() {
    let dir = scratch("kustomize-broken");
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("a/kustomization.yaml", "resources: [../b]\n");
    write("b/kustomization.yaml", "resources: [../a]\n");
    write("app/service.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: LoadBalancer\n  loadBalancerIP: 203.0.113.7\n");
    write(
        "app/kustomization.yaml",
        "resources: [service.yaml]\npatchesStrategicMerges: [x.yaml]\npatchesJson6902:\n  - target: {kind: Service, name: web}\n    patch: |-\n      - op: replace\n        path: /spec/missing\n        value: 1\n  - target: {kind: Deployment, name: web}\n    patch: '[{op: remove, path: /spec/replicas}]'\npatches:\n  - path: replicas.yaml\n",
    );
    // Untargeted, a strategic-merge patch of an object the build lacks fails the build
    // ("find unique target for patch"); a `target:` that selects nothing applies nowhere.
    write(
        "app/replicas.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
    );
    // What a generator makes, or a name pattern selects, is not known here: no claim that the
    // build fails.
    write(
        "gen/kustomization.yaml",
        "resources: [service.yaml]\nconfigMapGenerator: [{name: settings, literals: [a=b]}]\npatches:\n  - target: {kind: ConfigMap, name: settings}\n    patch: '[{op: add, path: /data/c, value: d}]'\n  - target: {kind: Service, name: \"web-.*\"}\n    patch: '[{op: add, path: /metadata/labels, value: {a: b}}]'\nhelmCharts:\n  - {name: grafana, repo: https://grafana.github.io/helm-charts, version: 8.0.0}\n  - {name: ingress-nginx, repo: https://kubernetes.github.io/ingress-nginx, version: 4.11.0}\ngenerators: [plugin.yaml]\n",
    );
    write(
        "gen/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web-a}\nspec: {ports: [{port: 80}]}\n",
    );
    write("flux/kustomization.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {path: ./app, interval: 5m, sourceRef: {kind: GitRepository, name: flux-system}}\n");
    let check = check_json(&[dir.to_str().unwrap()]).json();
    let mut unresolved: Vec<(String, u64, String)> =
        findings_of(&check, "kustomization-unresolved")
            .iter()
            .map(|f| {
                let file = f["file"]
                    .as_str()
                    .unwrap()
                    .rsplit_once("kustomize-broken/")
                    .unwrap()
                    .1
                    .to_string();
                let message = f["message"].as_str().unwrap();
                let what = [
                    "includes itself",
                    "unknown field",
                    "not in the object",
                    "does not hold",
                    "inflated",
                    "not run",
                ]
                .into_iter()
                .find(|w| message.contains(w))
                .unwrap_or(message);
                (file, f["line"].as_u64().unwrap(), what.to_string())
            })
            .collect();
    unresolved.sort();
    assert_eq!(
        unresolved,
        [
            ("app/kustomization.yaml".into(), 2, "unknown field".into()),
            (
                "app/kustomization.yaml".into(),
                7,
                "not in the object".into()
            ),
            ("app/kustomization.yaml".into(), 12, "does not hold".into()),
            ("b/kustomization.yaml".into(), 1, "includes itself".into()),
            // An unknown chart needs its repository, a plugin its runtime: not followed. The
            // ingress-nginx chart is rendered from the knowledge.
            ("gen/kustomization.yaml".into(), 9, "inflated".into()),
            ("gen/kustomization.yaml".into(), 11, "not run".into()),
        ],
        "{check}"
    );
    // The rest is still checked.
    assert_eq!(findings_of(&check, "load-balancer-ip-deprecated").len(), 1);
}

/// Each `clusters/<name>` of a Flux repository is a cluster with what its Kustomizations
/// reach: the same class claimed by each cluster's own controller is no conflict; a second
/// controller inside one cluster still is.
#[test]
fn clusters_are_found_in_the_repository_layout() {
    let root = "fixtures/gitops-clusters";
    let check = check_json(&[root]).json();
    let contested = findings_of(&check, "ingress-class-contested");
    let files: Vec<&str> = contested
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["fixtures/gitops-clusters/infrastructure/production/ingress-nginx.yaml"],
        "{contested:?}"
    );
    let inventory = run(&["inventory", "--format", "json", root]).json();
    let clusters = clusters(&inventory);
    assert_eq!(clusters, [("production", 8), ("staging", 8)]);
    // Each Ingress is served by its own cluster's controllers: production's two, staging's one.
    let served: Vec<(&str, usize)> = inventory["ingresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["namespace"].as_str().unwrap(),
                i["served_by"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(served, [("shop", 2), ("shop-staging", 1)]);
    // Flux substitutes each cluster's variables (inline and from a ConfigMap) into the
    // shared base: both Ingresses have their class, and no placeholder is left to report.
    let classes: Vec<&str> = inventory["ingresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes, ["nginx", "nginx"]);
    assert!(
        findings_of(&check, "template-placeholders").is_empty(),
        "{check}"
    );

    // `clusters: single` makes it one cluster again: `nginx` is contested by its two
    // controllers, said once (staging's copy of ingress-nginx is the same Deployment as
    // production's: one object in one cluster, not a third controller).
    let dir = scratch("clusters-single");
    std::fs::write(dir.join("config.yaml"), "clusters: single\n").unwrap();
    let config = dir.join("config.yaml");
    let single = check_json(&["--config", config.to_str().unwrap(), root]).json();
    let contested = findings_of(&single, "ingress-class-contested");
    assert_eq!(contested.len(), 1, "{contested:?}");
    assert!(contested[0]["message"]
        .as_str()
        .unwrap()
        .contains("served by 2 controllers"));
    assert_eq!(contested[0]["related"].as_array().unwrap().len(), 2);
}

/// A Helm release in a base, patched per cluster by Kustomize overlays (Flux's
/// kustomize-helm example): the values each patch merges are read and located in the patch,
/// and each cluster's release renders into that cluster only — no contested class.
#[test]
fn a_release_patched_per_cluster_renders_into_each_cluster() {
    let check = check_json(&["fixtures/flux-helm-overlays"]).json();
    let mut found: Vec<(String, String, u64)> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            (
                f["rule"].as_str().unwrap().into(),
                file.trim_start_matches("fixtures/flux-helm-overlays/")
                    .into(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    let base = "infrastructure/controllers/base/ingress-nginx/release.yaml";
    assert_eq!(
        found,
        [
            ("controller-retired".into(), base.into(), 10),
            (
                "load-balancer-ip-deprecated".into(),
                "infrastructure/controllers/production/ingress-nginx-values.yaml".into(),
                10
            ),
            (
                "load-balancer-ip-deprecated".into(),
                "infrastructure/controllers/staging/ingress-nginx-values.yaml".into(),
                10
            ),
            ("load-balancer-source-ip".into(), base.into(), 19),
        ],
        "{check}"
    );
    let lb = findings_of(&check, "load-balancer-ip-deprecated");
    assert_eq!(
        related(lb[0]),
        [format!("fixtures/flux-helm-overlays/{base}:10")]
    );
}

/// Argo CD: each cluster's ApplicationSet generates an application per directory its Git
/// directory generator matches (`envs/<cluster>/*`); those directories are the cluster's,
/// and each cluster's own controller claiming `nginx` contests nothing.
#[test]
fn argo_cd_application_sets_name_what_each_cluster_applies() {
    let root = "fixtures/argocd-clusters";
    let check = check_json(&[root]).json();
    assert!(
        findings_of(&check, "ingress-class-contested").is_empty(),
        "{check}"
    );
    let inventory = run(&["inventory", "--format", "json", root]).json();
    assert_eq!(clusters(&inventory), [("production", 3), ("staging", 3)]);
    let how: Vec<&str> = inventory["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["how"].as_str().unwrap())
        .collect();
    assert!(
        how.iter()
            .all(|h| h.ends_with("following Argo CD ApplicationSet Git directories")),
        "{how:?}"
    );
    let served: Vec<usize> = inventory["ingresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["served_by"].as_array().unwrap().len())
        .collect();
    assert_eq!(served, [1, 1]);
}

/// A Flux `Kustomization`'s `spec.targetNamespace` is the namespace of every namespaced
/// object it applies (cluster-scoped ones keep none).
#[test]
fn flux_target_namespace_names_what_it_applies() {
    let dir = scratch("flux-target-namespace");
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("clusters/prod/apps.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {path: ./apps/shop, targetNamespace: shop, interval: 10m, sourceRef: {kind: GitRepository, name: flux-system}}\n");
    write("apps/shop/ingress.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: default}\nspec: {ingressClassName: nginx}\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec: {controller: k8s.io/ingress-nginx}\n");
    let inventory = run(&["inventory", "--format", "json", dir.to_str().unwrap()]).json();
    assert_eq!(ingresses(&inventory), [("shop".into(), "web".into())]);
    assert_eq!(inventory["ingress_classes"][0]["name"], "nginx");
}
