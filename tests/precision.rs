//! False alarms and misses seen on public repositories, each reproduced by its shape in
//! `fixtures/precision/` (not a copy of the repository).

mod common;

use common::{check_json, findings_of, run};

/// `(rule, file below fixtures/precision/, line)` of every finding.
fn located(dir: &str) -> Vec<(String, String, u64)> {
    let check = check_json(&[&format!("fixtures/precision/{dir}")]).json();
    check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["file"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_start_matches("fixtures/precision/")
                    .to_string(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// A Kustomize component is built only through the kustomizations that list it, and a patch
/// whose `target:` selects nothing applies nowhere: `kustomize build` succeeds on both.
#[test]
fn components_and_patches_selecting_nothing_are_no_failing_build() {
    let found = located("kustomize-component");
    assert!(
        !found
            .iter()
            .any(|(rule, ..)| rule == "kustomization-unresolved"),
        "{found:?}"
    );
}

/// A helmfile state's Go templates are helmfile's: data where the file parses (its releases
/// are read), an info where they make the structure — never an unrendered Helm chart.
#[test]
fn helmfile_states_are_not_helm_templates() {
    let found = located("helmfile");
    let templates: Vec<_> = found
        .iter()
        .filter(|(rule, ..)| rule.starts_with("helm-template") || rule.starts_with("template"))
        .collect();
    assert_eq!(
        templates,
        [&(
            "template-placeholders".to_string(),
            "helmfile/helmfile.yaml".to_string(),
            7
        )]
    );
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/precision/helmfile",
    ])
    .json();
    assert_eq!(
        inventory["controllers"][0]["workload"]["name"], "edge-ingress-nginx-controller",
        "the release of the helmfile.d/ state is read"
    );
}

/// hostNetwork without the DNS policy is said of ingress controllers and what shares their
/// nodes' ports, not of every node agent.
#[test]
fn host_network_dns_policy_is_for_what_shares_the_controllers_ports() {
    let found = located("host-network");
    let files: Vec<(String, u64)> = found
        .into_iter()
        .filter(|(rule, ..)| rule == "host-network-dns-policy")
        .map(|(_, file, line)| (file, line))
        .collect();
    assert_eq!(
        files,
        [
            ("host-network/ingress-nginx.yaml".to_string(), 14),
            ("host-network/ingress-nginx.yaml".to_string(), 36),
        ]
    );
}

/// A controller chart's name that only its repository tells apart, from a source the input
/// lacks, is said (with the candidates), not silently passed over.
#[test]
fn an_ambiguous_chart_name_is_said() {
    let check = check_json(&["fixtures/precision/ambiguous-chart"]).json();
    let unresolved = findings_of(&check, "helm-release-unresolved");
    assert_eq!(unresolved.len(), 1, "{check}");
    let message = unresolved[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("kong's `ingress` (from charts.konghq.com"),
        "{message}"
    );
    assert_eq!(unresolved[0]["line"], 11);
}

/// Every command takes the shared output flags.
#[test]
fn every_command_takes_color() {
    for command in [
        "check",
        "inventory",
        "translate",
        "convert",
        "plan",
        "baseline",
    ] {
        let mut args = vec![command, "--color", "never"];
        match command {
            "translate" | "convert" | "plan" => args.extend(["--to", "traefik"]),
            "baseline" => args.extend(["--output", "/dev/null"]),
            _ => {}
        }
        args.push("fixtures/demo");
        let run = run(&args);
        assert_ne!(run.code, 2, "{command}: {}", run.stderr);
    }
}

/// A repository of templates of manifests says that no manifest was found, and which
/// templates were passed over, instead of "0 file(s)" alone.
#[test]
fn templates_only_say_no_manifest_was_found() {
    let check = run(&["check", "fixtures/precision/templates-only"]);
    assert_eq!(check.code, 0);
    assert!(
        check.stdout.contains("no manifest found")
            && check
                .stdout
                .contains("2 template(s) of manifests skipped (.j2"),
        "{}",
        check.stdout
    );
    let inventory = run(&["inventory", "fixtures/precision/templates-only"]);
    assert!(
        inventory.stderr.contains("no manifest found"),
        "{}",
        inventory.stderr
    );
}

/// Flux `${VAR}` placeholders inside a flow sequence are scalars once substituted: no
/// `yaml-syntax` error, the values read as written.
#[test]
fn placeholders_in_flow_sequences_are_no_syntax_error() {
    let found = located("placeholders-flow");
    assert!(
        !found.iter().any(|(rule, ..)| rule == "yaml-syntax"),
        "{found:?}"
    );
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/precision/placeholders-flow",
    ])
    .json();
    assert_eq!(inventory["ingresses"][0]["class"], "nginx", "{inventory}");
}

/// A file that does not parse and names no `apiVersion` or `kind` (a dashboard's JSON with a
/// comment header) is information; a broken manifest is still an error.
#[test]
fn a_broken_file_that_is_no_manifest_is_information() {
    let check = check_json(&["fixtures/precision/not-manifests"]).json();
    let syntax: Vec<(String, String)> = findings_of(&check, "yaml-syntax")
        .iter()
        .map(|f| {
            (
                f["file"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        syntax,
        [
            ("broken-ingress.json".to_string(), "error".to_string()),
            ("dashboard.json".to_string(), "info".to_string()),
        ]
    );
}

/// A Flux Kustomization whose `spec.path` is not in the repository (its parent is) fails to
/// reconcile: a located finding. A path whose parent is not in the input is not said.
#[test]
fn a_flux_path_missing_from_the_repository_is_said() {
    let found = located("flux-path");
    assert_eq!(
        found,
        [(
            "kustomization-unresolved".to_string(),
            "flux-path/kubernetes/flux/apps.yaml".to_string(),
            20
        )]
    );
}

/// A k3s signal (the bundled Traefik's HelmChartConfig) shows ServiceLB too: a hostPort
/// controller next to Traefik's LoadBalancer Service clashes on ports 80 and 443 without
/// `--platform k3s`.
#[test]
fn a_k3s_signal_brings_servicelb_too() {
    let clashes: Vec<u64> = located("k3s-signal")
        .into_iter()
        .filter(|(rule, ..)| rule == "host-port-clash")
        .map(|(_, _, line)| line)
        .collect();
    assert_eq!(clashes.len(), 2, "{clashes:?}");
}

/// GKE Ingress's own annotations on a class-less Ingress show that GKE Ingress serves it: no
/// "served by nobody", no `ingress-class-missing`.
#[test]
fn gke_only_annotations_show_gke_ingress() {
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/precision/gke-annotations",
    ])
    .json();
    assert_eq!(
        inventory["ingresses"][0]["served_by"][0]["name"], "gke-ingress",
        "{inventory}"
    );
    assert_eq!(inventory["controllers"][0]["origin"], "managed");
    assert!(located("gke-annotations").is_empty());
}

/// Alternative installs side by side (`deploy/static/provider/{aws,baremetal,cloud}`) are
/// not one cluster: each controller has its own Service, each class one controller, and the
/// alternatives are said once.
#[test]
fn alternative_installs_are_not_merged() {
    let inventory = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/precision/alternatives",
    ])
    .json();
    for controller in inventory["controllers"].as_array().expect("controllers") {
        assert_eq!(
            controller["services"].as_array().map(Vec::len),
            Some(1),
            "{controller}"
        );
    }
    for class in inventory["ingress_classes"].as_array().expect("classes") {
        assert_eq!(class["served_by_count"], 1, "{class}");
    }
    let check = check_json(&["fixtures/precision/alternatives"]).json();
    let duplicated = findings_of(&check, "object-duplicated");
    assert_eq!(duplicated.len(), 1, "{check}");
    assert_eq!(duplicated[0]["related"].as_array().map(Vec::len), Some(2));
    assert!(findings_of(&check, "ingress-class-contested").is_empty());
}
