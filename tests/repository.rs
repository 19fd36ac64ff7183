//! Repositories read the way their tools build them: Kustomize overlays and patches, and the
//! clusters a GitOps layout describes.

mod common;

use common::{check_json, findings_of, run, scratch, served_by};

/// `(name, file count)` of the clusters an `inventory --format json` lists.
fn clusters(inventory: &serde_json::Value) -> Vec<(&str, u64)> {
    inventory["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["files"].as_u64().unwrap()))
        .collect()
}

/// Patches are fragments (a strategic-merge patch of an Ingress is not an Ingress with no
/// class), `$patch: delete` is an instruction, and the overlay that builds a base gives its
/// objects their namespace.
#[test]
fn kustomize_patches_are_fragments_and_overlays_set_the_namespace() {
    let check = run(&["check", "--format", "json", "fixtures/kustomize"]).json();
    assert_eq!(check["findings"], serde_json::json!([]), "{check}");
    // 4 kustomizations, the base Ingress and Service, the component's Certificate; the
    // patch, the JSON patch and the deletion are skipped documents.
    assert_eq!(check["summary"]["objects"], 7);
    assert_eq!(check["summary"]["skipped_documents"], 3);
    let inventory = run(&["inventory", "--format", "json", "fixtures/kustomize"]).json();
    let ingresses = inventory["ingresses"].as_array().unwrap();
    assert_eq!(ingresses.len(), 1, "the patch is no Ingress");
    // Two overlays build the base in two namespaces: it keeps its own.
    assert_eq!(ingresses[0]["namespace"], "default");
    // Overlays side by side are separate builds: one cluster per environment.
    let clusters = clusters(&inventory);
    assert_eq!(clusters, [("production", 6), ("staging", 4)]);
    // Built by production alone, the base is in production's namespace.
    let production = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/kustomize/base",
        "fixtures/kustomize/overlays/production",
    ])
    .json();
    assert_eq!(production["ingresses"][0]["namespace"], "shop");
    // An overlay given alone: what it lists outside the input is said, where it is listed.
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
    assert_eq!(clusters, [("production", 8), ("staging", 7)]);
    assert!(!served_by(&inventory, "shop").is_empty());

    // `clusters: single` makes it one cluster again: staging's class is contested too.
    let dir = scratch("clusters-single");
    std::fs::write(dir.join("config.yaml"), "clusters: single\n").unwrap();
    let config = dir.join("config.yaml");
    let single = check_json(&["--config", config.to_str().unwrap(), root]).json();
    assert_eq!(findings_of(&single, "ingress-class-contested").len(), 2);
}
