//! `.ingress-lint.yaml`: discovery, severities, suppressions, clusters, errors.

mod common;

use std::path::Path;

use common::{root, run, run_in, scratch};

/// A repository with a prod and a dev overlay, each running ingress-nginx and Traefik as
/// hostPort DaemonSets (copies of the corpus renders).
fn repository(name: &str, config: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let charts = root().join("fixtures/corpus/charts");
    for overlay in ["overlays/prod", "overlays/dev"] {
        std::fs::create_dir_all(dir.join(overlay)).unwrap();
        std::fs::copy(
            charts.join("ingress-nginx/daemonset-hostport.yaml"),
            dir.join(overlay).join("ingress-nginx.yaml"),
        )
        .unwrap();
    }
    // Traefik only in dev: in prod the hostPorts are free.
    std::fs::copy(
        charts.join("traefik/daemonset-hostport.yaml"),
        dir.join("overlays/dev/traefik.yaml"),
    )
    .unwrap();
    std::fs::write(dir.join(".ingress-lint.yaml"), config).unwrap();
    std::fs::create_dir_all(dir.join("overlays/dev/nested")).unwrap();
    dir
}

fn rules(dir: &Path, args: &[&str]) -> Vec<(String, String, String)> {
    let mut all = vec!["check", "--format", "json", "--fail-on", "never"];
    all.extend_from_slice(args);
    let run = run_in(dir, &all, None, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn clusters_keep_overlays_apart() {
    let without = repository("config-no-clusters", "rules: {}\n");
    let clashes = |found: &[(String, String, String)]| {
        found
            .iter()
            .filter(|(r, ..)| r == "host-port-clash")
            .count()
    };
    // One cluster: prod's ingress-nginx clashes with dev's two, on 80 and on 443: one
    // finding per port naming all three.
    assert_eq!(clashes(&rules(&without, &["."])), 2);

    let with = repository(
        "config-clusters",
        "clusters:\n  prod: [\"overlays/prod/**\"]\n  dev: [\"overlays/dev/**\"]\n",
    );
    let found = rules(&with, &["."]);
    let clash_files: Vec<&str> = found
        .iter()
        .filter(|(r, ..)| r == "host-port-clash")
        .map(|(_, f, _)| f.as_str())
        .collect();
    assert_eq!(
        clash_files,
        ["overlays/dev/traefik.yaml", "overlays/dev/traefik.yaml"],
        "80 and 443, dev only"
    );
    // Per-object rules still run once per file.
    let retired: Vec<&str> = found
        .iter()
        .filter(|(r, ..)| r == "controller-retired")
        .map(|(_, f, _)| f.as_str())
        .collect();
    assert_eq!(
        retired,
        [
            "overlays/dev/ingress-nginx.yaml",
            "overlays/prod/ingress-nginx.yaml"
        ]
    );
}

#[test]
fn severities_off_suppressions_and_discovery_from_a_subdirectory() {
    let dir = repository(
        "config-rules",
        "rules:\n  controller-retired: off\n  host-port-clash: error\nsuppressions:\n  - rule: host-network-dns-policy\n    reason: not used\n  - rule: all\n    path: \"overlays/dev/**\"\n    reason: dev is frozen until the migration window\n",
    );
    let found = rules(&dir, &["."]);
    assert!(!found.iter().any(|(r, ..)| r == "controller-retired"));
    assert!(found
        .iter()
        .filter(|(r, ..)| r == "host-port-clash")
        .all(|(.., s)| s == "error"));
    // Discovered from a subdirectory (the nearest ancestor's file), paths as given.
    let nested = rules(&dir.join("overlays/dev/nested"), &["../"]);
    assert!(!nested.iter().any(|(r, ..)| r == "controller-retired"));

    let run = run_in(
        &dir,
        &["check", ".", "--format", "json", "--fail-on", "never"],
        None,
        &[],
    );
    let json = run.json();
    let suppressed: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == true)
        .collect();
    assert!(!suppressed.is_empty());
    assert!(suppressed
        .iter()
        .all(|f| f["file"].as_str().unwrap().starts_with("overlays/dev/")));
    assert_eq!(
        suppressed[0]["suppression_reason"],
        "configuration: dev is frozen until the migration window"
    );
    // The suppression that covers nothing is reported at its entry in the configuration.
    let unused: Vec<(&str, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "suppression-unused")
        .map(|f| (f["file"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(unused, [(".ingress-lint.yaml", 5)]);
}

#[test]
fn a_bad_configuration_is_a_usage_error() {
    let dir = scratch("config-bad");
    std::fs::write(
        dir.join(".ingress-lint.yaml"),
        "rules:\n  controler-retired: off\n",
    )
    .unwrap();
    let run = run_in(&dir, &["check", "."], None, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown rule `controler-retired`"),
        "{}",
        run.stderr
    );

    std::fs::write(dir.join(".ingress-lint.yaml"), "rulez: {}\n").unwrap();
    let run = run_in(&dir, &["check", "."], None, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".ingress-lint.yaml:1:1"),
        "{}",
        run.stderr
    );

    let missing = run_in(&dir, &["check", ".", "--config", "nope.yaml"], None, &[]);
    assert_eq!(missing.code, 2);
}

#[test]
fn target_provider_and_namespace_come_from_the_configuration() {
    let dir = scratch("config-defaults");
    std::fs::write(
        dir.join(".ingress-lint.yaml"),
        "target: kong\nprovider: metallb\nnamespace: shop\n",
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/demo/apps/basicauth.yml"),
        dir.join("basicauth.yml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/suppress/suppressed.yaml"),
        dir.join("svc.yaml"),
    )
    .unwrap();
    let run = run_in(
        &dir,
        &["check", ".", "--format", "json", "--fail-on", "never"],
        None,
        &[],
    );
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "annotation-crd-on-target"),
        "target: kong"
    );
    let lb = findings
        .iter()
        .find(|f| f["rule"] == "load-balancer-ip-deprecated" && f["suppressed"] == false)
        .unwrap();
    assert!(
        lb["help"].as_str().unwrap().starts_with("MetalLB"),
        "{}",
        lb["help"]
    );
    assert_eq!(lb["object"]["namespace"], "shop");
    // The command line wins.
    let run = run_in(
        &dir,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--namespace",
            "web",
        ],
        None,
        &[],
    );
    let lb = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "load-balancer-ip-deprecated" && f["suppressed"] == false)
        .unwrap()
        .clone();
    assert_eq!(lb["object"]["namespace"], "web");
}

/// One default IngressClass per cluster is not two defaults; two in one cluster are.
#[test]
fn default_ingress_classes_are_counted_per_cluster() {
    let dir = common::scratch("default-class-per-cluster");
    std::fs::create_dir_all(dir.join("prod")).unwrap();
    std::fs::create_dir_all(dir.join("dev")).unwrap();
    let class = |name: &str| {
        format!("apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: {name}\n  annotations: {{ingressclass.kubernetes.io/is-default-class: \"true\"}}\nspec: {{controller: k8s.io/ingress-nginx}}\n")
    };
    std::fs::write(dir.join("prod/class.yaml"), class("nginx")).unwrap();
    std::fs::write(dir.join("dev/class.yaml"), class("nginx-dev")).unwrap();
    std::fs::write(
        dir.join(".ingress-lint.yaml"),
        "clusters:\n  prod: [\"prod/**\"]\n  dev: [\"dev/**\"]\n",
    )
    .unwrap();
    let count = |dir: &std::path::Path| {
        let run = common::run_in(
            dir,
            &["check", "--format", "json", "--fail-on", "never", "."],
            None,
            &[],
        );
        common::located(&run)
            .iter()
            .filter(|f| f.0 == "default-ingress-class-multiple")
            .count()
    };
    assert_eq!(count(&dir), 0);
    std::fs::write(
        dir.join(".ingress-lint.yaml"),
        "clusters:\n  all: [\"**\"]\n",
    )
    .unwrap();
    assert_eq!(count(&dir), 1);
}

/// A comment-only configuration is an empty one; a second document, an unknown provider or
/// target, a bad glob are usage errors that name the file and, where there is a list, the
/// valid values.
#[test]
fn configuration_files_are_read_strictly_and_explained() {
    let dir = common::scratch("config-strict");
    std::fs::write(
        dir.join("a.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    )
    .unwrap();
    let check = |config: &str| {
        std::fs::write(dir.join(".ingress-lint.yaml"), config).unwrap();
        common::run_in(&dir, &["check", "."], None, &[])
    };
    assert_eq!(check("# nothing configured yet\n").code, 0);
    let second = check("rules: {}\n---\nrules: {}\n");
    assert_eq!(second.code, 2);
    assert!(
        second
            .stderr
            .contains(".ingress-lint.yaml:2:1: a second YAML document"),
        "{}",
        second.stderr
    );
    let provider = check("provider: metalb\n");
    assert_eq!(provider.code, 2);
    assert!(
        provider
            .stderr
            .contains("unknown provider `metalb`; known: ")
            && provider.stderr.contains("metallb"),
        "{}",
        provider.stderr
    );
    let target = check("target: trafik\n");
    assert!(
        target
            .stderr
            .contains("unknown controller id `trafik`; known: ")
            && target.stderr.contains(".ingress-lint.yaml"),
        "{}",
        target.stderr
    );
    let refused = |config: &str, said: &str| {
        let run = check(config);
        assert_eq!(run.code, 2, "{config}");
        assert!(run.stderr.contains(said), "{}", run.stderr);
    };
    // A level outside the closed set is refused where it is written, naming the valid ones.
    refused(
        "rules:\n  host-port-clash: warn\n",
        ".ingress-lint.yaml:2:20: unknown variant `warn`, expected one of `error`, `warning`, `info`, `off`",
    );
    refused(
        "exclude: []\nsuppressions:\n  - {rule: all, path: \"[\", reason: x}\n",
        ".ingress-lint.yaml: suppression path `[`",
    );
}

/// The configuration's JSON Schema (for editors): `config-schema` prints the one in the
/// repository; it names every rule, controller, provider and platform ingress-lint knows,
/// accepts the README's example and the fixtures' files, and refuses a misspelt level.
#[test]
fn the_configuration_schema_matches_the_tool() {
    let printed = run(&["config-schema"]).stdout;
    assert_eq!(
        printed,
        std::fs::read_to_string(root().join("ingress-lint.schema.json")).unwrap()
    );
    let schema: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let names = |pointer: &str| -> Vec<String> {
        let mut v: Vec<String> = schema
            .pointer(pointer)
            .and_then(|e| e.as_array())
            .unwrap_or_else(|| panic!("{pointer}"))
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let mut rules: Vec<String> = run(&["explain"])
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    rules.sort();
    assert_eq!(names("/properties/rules/propertyNames/enum"), rules);
    let controllers = run(&["controllers", "--format", "json"]).json();
    let mut ids: Vec<String> = controllers["controllers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(
        names("/properties/controllers/items/properties/id/enum"),
        ids
    );
    let help = run(&["check", "--help"]).stdout;
    for provider in names("/properties/provider/enum") {
        assert!(help.contains(&provider), "--provider {provider}");
    }
    for platform in names("/properties/platform/enum") {
        assert!(help.contains(&platform), "--platform {platform}");
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let example = readme
        .split("```yaml\nrules:")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .map(|rest| format!("rules:{rest}"))
        .expect("the README's configuration example");
    let as_json = |yaml: &str| -> serde_json::Value {
        let parsed = ingress_lint::manifest::parse::parse(yaml, Default::default());
        let root_node = parsed.documents[0].root.unwrap();
        to_json(&parsed.tree, root_node)
    };
    assert!(validator.is_valid(&as_json(&example)), "{example}");
    let declared =
        std::fs::read_to_string(root().join("fixtures/declared/.ingress-lint.yaml")).unwrap();
    assert!(validator.is_valid(&as_json(&declared)), "{declared}");
    assert!(!validator.is_valid(&as_json("rules:\n  host-port-clash: warn\n")));
}

/// A parsed YAML node as JSON (scalars as strings, `true`/`false` and numbers as such).
fn to_json(
    tree: &ingress_lint::manifest::parse::Tree,
    node: ingress_lint::manifest::parse::NodeId,
) -> serde_json::Value {
    use ingress_lint::manifest::parse::NodeKind;
    match &tree.node(tree.resolve(node)).kind {
        NodeKind::Mapping(_) => serde_json::Value::Object(
            tree.entries(node)
                .iter()
                .map(|e| {
                    (
                        tree.scalar(e.key).unwrap_or_default().to_string(),
                        to_json(tree, e.value),
                    )
                })
                .collect(),
        ),
        NodeKind::Sequence(items) => {
            serde_json::Value::Array(items.iter().map(|i| to_json(tree, *i)).collect())
        }
        NodeKind::Scalar { .. } => match tree.scalar(node).unwrap_or_default() {
            "true" => true.into(),
            "false" => false.into(),
            v => v.parse::<i64>().map_or_else(|_| v.into(), Into::into),
        },
        NodeKind::Alias(_) => serde_json::Value::Null,
    }
}

/// Completions and the manual pages come from the clap definitions.
#[test]
fn completions_and_the_manual_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = run(&["completions", shell]);
        assert_eq!(script.code, 0, "{shell}: {}", script.stderr);
        assert!(
            script.stdout.contains("ingress-lint") && script.stdout.contains("baseline"),
            "{shell}"
        );
    }
    let man = run(&["man"]).stdout;
    assert!(
        man.contains(".TH ingress-lint"),
        "{}",
        &man[..man.len().min(200)]
    );
    // A page per command, each with the sections a manual page is expected to have.
    let check = run(&["man", "check"]).stdout;
    assert!(check.contains(".TH ingress-lint-check 1"), "{check}");
    for section in ["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"] {
        assert!(check.contains(section), "{section}");
    }
    assert!(check.contains("NO_COLOR") && check.contains(".ingress\\-lint.yaml"));
    let dir = scratch("man-pages");
    let written = run(&["man", "--output-dir", dir.join("man1").to_str().unwrap()]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    for page in [
        "ingress-lint.1",
        "ingress-lint-check.1",
        "ingress-lint-convert.1",
        "ingress-lint-plan.1",
    ] {
        assert!(dir.join("man1").join(page).is_file(), "{page}");
    }
    let typo = run(&["man", "chek"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `check`?"),
        "{}",
        typo.stderr
    );
}

/// The bash script, sourced in bash, completes after the subcommand (clap_complete's
/// hyphenated-name defect is worked around) and completes values: `--to` targets, rule ids
/// for `--select` and `explain`, formats.
#[test]
fn bash_completion_completes_options_and_values() {
    let dir = scratch("bash-completion");
    let script = dir.join("ingress-lint.bash");
    std::fs::write(&script, run(&["completions", "bash"]).stdout).unwrap();
    let complete = |words: &str| -> Vec<String> {
        let program = format!(
            "source '{}'\nCOMP_WORDS=({words})\nCOMP_CWORD=$((${{#COMP_WORDS[@]}}-1))\nCOMPREPLY=()\n_ingress__lint ingress-lint \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            script.display()
        );
        let out = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &program])
            .output()
            .expect("bash runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(complete("ingress-lint ch"), ["check"]);
    assert!(complete("ingress-lint check --fail-").contains(&"--fail-on".to_string()));
    let targets = complete("ingress-lint check --to ''");
    for target in ["traefik", "gateway-api", "haproxy", "kong", "f5-nginx"] {
        assert!(targets.contains(&target.to_string()), "{targets:?}");
    }
    assert_eq!(
        complete("ingress-lint convert --from ingress-ng"),
        ["ingress-nginx"]
    );
    assert_eq!(
        complete("ingress-lint explain load-balancer-ip-d"),
        ["load-balancer-ip-deprecated"]
    );
    assert!(complete("ingress-lint check --select annotation-")
        .contains(&"annotation-snippet".to_string()));
    assert_eq!(complete("ingress-lint check --format sa"), ["sarif"]);
}

/// `off` as YAML 1.1 tools read it (`false`) turns a rule off like `off` and `"off"`; `true`
/// is no level.
#[test]
fn false_is_off() {
    for level in ["off", "\"off\"", "false"] {
        let dir = repository(
            &format!("config-false-{}", level.trim_matches('"')),
            &format!("rules:\n  controller-retired: {level}\n"),
        );
        let found = rules(&dir, &["."]);
        assert!(!found.is_empty(), "{level}");
        assert!(
            !found.iter().any(|(r, ..)| r == "controller-retired"),
            "{level}: {found:?}"
        );
    }
    let dir = repository("config-true", "rules:\n  controller-retired: true\n");
    let refused = run_in(&dir, &["check", "."], None, &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("`off` (or `false`)"),
        "{}",
        refused.stderr
    );
}

/// A rule id that names no rule — in the configuration, or in a suppression in the input —
/// is said with the closest id.
#[test]
fn misspelt_rule_ids_get_a_did_you_mean() {
    let dir = repository(
        "config-misspelt-suppression",
        "suppressions:\n  - rule: controler-retired\n    reason: x\n",
    );
    let refused = run_in(&dir, &["check", "."], None, &[]);
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("unknown rule `controler-retired`; did you mean `controller-retired`?"),
        "{}",
        refused.stderr
    );
    let dir = scratch("misspelt-pragma");
    std::fs::write(
        dir.join("a.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    ignore-check.ingress-lint.io/load-balancer-ip-deprecatd: typo\nspec:\n  type: LoadBalancer  # ingress-lint: ignore[host-port-clsh] typo\n",
    )
    .unwrap();
    let found = run_in(&dir, &["check", "--format", "concise", "."], None, &[]).stdout;
    assert!(
        found
            .contains("`load-balancer-ip-deprecatd` (did you mean `load-balancer-ip-deprecated`?)"),
        "{found}"
    );
    assert!(
        found.contains("`host-port-clsh` (did you mean `host-port-clash`?)"),
        "{found}"
    );
}

/// The configuration is found from the checked path upwards, not only from the working
/// directory; its suppression paths match files named from its own directory; the human
/// summary names it, and `--show-config` prints it with the settings in effect.
#[test]
fn configuration_is_found_from_the_checked_path() {
    let outside = scratch("config-from-path");
    let repo = outside.join("repo");
    std::fs::create_dir_all(repo.join("apps/dev")).unwrap();
    std::fs::write(
        repo.join(".ingress-lint.yaml"),
        "target: traefik\nsuppressions:\n  - rule: load-balancer-ip-deprecated\n    path: \"apps/dev/**\"\n    reason: dev is frozen\n",
    )
    .unwrap();
    let service = |name: &str| {
        format!("apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec: {{type: LoadBalancer, loadBalancerIP: 192.0.2.1}}\n")
    };
    std::fs::write(repo.join("apps/dev/a.yaml"), service("dev")).unwrap();
    std::fs::write(repo.join("apps/b.yaml"), service("prod")).unwrap();
    let json = run_in(
        &outside,
        &[
            "check",
            "repo/apps",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        None,
        &[],
    )
    .json();
    let findings: Vec<(&str, bool)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "load-balancer-ip-deprecated")
        .map(|f| (f["file"].as_str().unwrap(), f["suppressed"] == true))
        .collect();
    assert_eq!(
        findings,
        [("repo/apps/b.yaml", false), ("repo/apps/dev/a.yaml", true)],
        "{json}"
    );
    let human = run_in(
        &outside,
        &["check", "repo/apps", "--fail-on", "never"],
        None,
        &[],
    )
    .stdout;
    assert!(
        human
            .trim_end()
            .ends_with("configuration: repo/.ingress-lint.yaml"),
        "{human}"
    );
    let shown = run_in(
        &outside,
        &["check", "--show-config", "repo/apps"],
        None,
        &[],
    );
    assert_eq!(shown.code, 0);
    assert!(
        shown
            .stdout
            .starts_with("# configuration: repo/.ingress-lint.yaml\ntarget: traefik\n"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("#   target: traefik (configuration)"),
        "{}",
        shown.stdout
    );
    let overridden = run_in(
        &outside,
        &["check", "--show-config", "--to", "kong", "repo/apps"],
        None,
        &[],
    );
    assert!(
        overridden
            .stdout
            .contains("#   target: kong (command line)"),
        "{}",
        overridden.stdout
    );
}
