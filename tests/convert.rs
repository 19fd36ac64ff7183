//! `convert`: every emitted object validates against its target's CRD schema and CEL rules
//! (tests/crds/, extracted from shared/reference/crds/), the output goes back through `check --to`
//! clean, every annotation ends in the report, and the output per target is a snapshot.

use std::collections::BTreeMap;
use std::path::Path;

#[path = "support/cel.rs"]
mod cel;
mod common;

const TARGETS: [&str; 5] = ["gateway-api", "traefik", "haproxy", "kong", "f5-nginx"];
const INPUTS: [&str; 10] = [
    "fixtures/convert-fidelity",
    "fixtures/ingress2gateway-cases",
    "fixtures/convert-traefik",
    "fixtures/convert",
    "fixtures/convert-corpus",
    "fixtures/demo",
    "fixtures/corpus",
    "fixtures/kustomize",
    "fixtures/argocd-clusters",
    "fixtures/values-ingresses",
];

/// The CRD schemas by `apiVersion` and kind: the validator, and the schema for its CEL rules.
fn schemas() -> BTreeMap<(String, String), (jsonschema::Validator, serde_json::Value)> {
    let dir = common::root().join("tests/crds");
    let mut schemas = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let file: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let api = format!(
            "{}/{}",
            file["group"].as_str().unwrap(),
            file["version"].as_str().unwrap()
        );
        let validator = jsonschema::validator_for(&file["schema"])
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        schemas.insert(
            (api, file["kind"].as_str().unwrap().to_string()),
            (validator, file["schema"].clone()),
        );
    }
    assert_eq!(schemas.len(), 20);
    schemas
}

fn convert(target: &str, input: &str) -> common::Run {
    common::run(&["convert", "--to", target, "--format", "json", input])
}

#[test]
fn every_emitted_object_validates_against_its_crd() {
    let schemas = schemas();
    let mut rules = cel::Rules::new();
    let mut validated: BTreeMap<String, usize> = BTreeMap::new();
    // Every target, and Gateway API with each implementation's policies.
    let runs: Vec<Vec<&str>> = TARGETS
        .iter()
        .map(|t| vec!["--to", t])
        .chain(
            ["envoy-gateway", "nginx-gateway-fabric"].map(|implementation| {
                vec!["--to", "gateway-api", "--implementation", implementation]
            }),
        )
        .collect();
    for run_args in &runs {
        let target = run_args.join(" ");
        for input in INPUTS {
            let mut args = vec!["convert", "--format", "json"];
            args.extend(run_args.iter().copied());
            args.push(input);
            let run = common::run(&args);
            assert!(
                run.code == 0 || run.code == 1,
                "{target} {input}: {}",
                run.stderr
            );
            for doc in common::documents(&run.stdout) {
                let api = doc["apiVersion"].as_str().unwrap().to_string();
                let kind = doc["kind"].as_str().unwrap().to_string();
                let source = doc["metadata"]["annotations"]["ingress-lint.io/source"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{kind} without its source: {doc}"));
                assert!(
                    source
                        .rsplit_once(':')
                        .is_some_and(|(_, l)| l.parse::<u32>().is_ok()),
                    "{source}"
                );
                if api == "networking.k8s.io/v1" && kind == "Ingress" {
                    assert!(doc["spec"]["ingressClassName"].is_string(), "{doc}");
                    continue;
                }
                let (validator, schema) = schemas
                    .get(&(api.clone(), kind.clone()))
                    .unwrap_or_else(|| panic!("no schema for {api} {kind}"));
                let mut errors: Vec<String> = validator
                    .iter_errors(&doc)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                errors.extend(rules.violations(schema, &doc));
                assert!(
                    errors.is_empty(),
                    "{target} {input}: {kind}: {errors:#?}\n{doc:#}"
                );
                *validated.entry(kind).or_default() += 1;
            }
        }
    }
    // The CEL rules ran: thousands of evaluations over the outputs.
    assert!(rules.evaluated.get() > 1000, "{}", rules.evaluated.get());
    for kind in [
        "Gateway",
        "HTTPRoute",
        "GRPCRoute",
        "TLSRoute",
        "BackendTLSPolicy",
        "Middleware",
        "ReferenceGrant",
        "TLSOption",
        "SecurityPolicy",
        "BackendTrafficPolicy",
        "ProxySettingsPolicy",
        "ClientSettingsPolicy",
        "RateLimitPolicy",
    ] {
        assert!(
            validated.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} validated: {validated:?}"
        );
    }
}

/// Every annotation of every converted Ingress is in the report, once, and nothing is
/// translated that the catalog says the target cannot express.
#[test]
fn nothing_is_dropped_and_the_catalog_agrees() {
    for target in TARGETS {
        let run = common::run(&[
            "convert",
            "--to",
            target,
            "--format",
            "json",
            "--report",
            "/dev/stdout",
            "--output-dir",
            common::scratch(&format!("agree-{target}"))
                .to_str()
                .unwrap(),
            "fixtures/convert",
        ]);
        let report = run.json();
        let entries = report["entries"].as_array().unwrap();
        let annotations: usize = entries
            .iter()
            .filter(|e| !e["key"].as_str().unwrap().starts_with("spec"))
            .count();
        // Every annotation of the fixtures' Ingresses (all are selected).
        let expected: usize = std::fs::read_dir(common::root().join("fixtures/convert"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| annotation_count(&p))
            .sum();
        assert_eq!(annotations, expected, "{target}");
        for e in entries {
            let verdict = e["verdict"].as_str().unwrap_or("");
            if matches!(verdict, "none" | "unknown") {
                assert!(
                    e["outcome"] == "not translated" || e["outcome"] == "no effect",
                    "{target}: {e}"
                );
            }
            if e["outcome"] != "translated" {
                assert!(
                    !e["detail"].as_str().unwrap_or("").is_empty(),
                    "{target}: {e}"
                );
            }
        }
        assert_eq!(
            run.code, 1,
            "{target}: something in the fixtures is untranslatable"
        );
    }
}

fn annotation_count(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    common::documents(&text)
        .iter()
        .filter(|d| d["kind"] == "Ingress")
        .map(|d| {
            d["metadata"]["annotations"]
                .as_object()
                .map_or(0, |a| a.len())
        })
        .sum()
}

/// `check --to TARGET` on the emitted files: no unknown annotation, and no unsupported one
/// the conversion report does not list.
#[test]
fn the_output_checks_clean_on_its_target() {
    for target in TARGETS {
        let dir = common::scratch(&format!("round-trip-{target}"));
        let run = common::run(&[
            "convert",
            "--to",
            target,
            "--output-dir",
            dir.to_str().unwrap(),
            "--format",
            "json",
            "--report",
            dir.join("report.json").to_str().unwrap(),
            "fixtures/convert",
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stdout.is_empty(), "manifests went to the directory");
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap())
                .unwrap();
        let untranslated: Vec<&str> = report["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["outcome"] == "not translated")
            .map(|e| e["key"].as_str().unwrap())
            .collect();
        std::fs::remove_file(dir.join("report.json")).unwrap();
        let check = common::run(&[
            "check",
            "--to",
            target,
            "--format",
            "json",
            "--fail-on",
            "never",
            dir.to_str().unwrap(),
        ])
        .json();
        for finding in check["findings"].as_array().unwrap() {
            let rule = finding["rule"].as_str().unwrap();
            assert_ne!(rule, "annotation-unknown", "{target}: {finding}");
            if rule == "annotation-unsupported-on-target" {
                let message = finding["message"].as_str().unwrap();
                assert!(
                    untranslated.iter().any(|k| message.contains(k)),
                    "{target}: {finding}"
                );
            }
        }
        // Mirrored paths, and the shared objects beside them.
        assert!(dir.join("fixtures/convert/web.yaml").is_file(), "{target}");
    }
}

#[test]
fn output_is_deterministic_and_idempotent() {
    for target in TARGETS {
        let first = common::run(&["convert", "--to", target, "fixtures/convert"]);
        let second = common::run(&["convert", "--to", target, "fixtures/convert"]);
        assert_eq!(first.stdout, second.stdout, "{target}");
        assert_eq!(first.stderr, second.stderr, "{target}");
        // Converting the output again selects nothing: it is the target's already.
        let migrated = common::run(&[
            "convert",
            "--to",
            target,
            "--target-class",
            "migrated",
            "fixtures/convert",
        ]);
        let dir = common::scratch(&format!("idempotent-{target}"));
        let out = dir.join("out.yaml");
        std::fs::write(&out, &migrated.stdout).unwrap();
        let again = common::run(&[
            "convert",
            "--to",
            target,
            "--target-class",
            "migrated",
            "--format",
            "json",
            out.to_str().unwrap(),
        ]);
        let report: serde_json::Value = serde_json::from_str(&again.stderr).unwrap();
        assert_eq!(report["ingresses"], 0, "{target}: {}", again.stderr);
        assert_eq!(again.code, 0);
    }
}

#[test]
fn a_fully_translatable_ingress_exits_zero() {
    let dir = common::scratch("convert-clean");
    std::fs::write(
        dir.join("ing.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations:\n    nginx.ingress.kubernetes.io/upstream-vhost: a.internal\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: a.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend: {service: {name: a, port: {number: 80}}}\n",
    )
    .unwrap();
    let run = common::run(&[
        "convert",
        "--to",
        "gateway-api",
        "--target-class",
        "eg",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("gatewayClassName: eg"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("# nginx.ingress.kubernetes.io/upstream-vhost: a.internal"),
        "{}",
        run.stdout
    );
}

#[test]
fn manifests_per_target_snapshot() {
    for target in TARGETS {
        let run = common::run(&["convert", "--to", target, "fixtures/convert"]);
        insta::assert_snapshot!(format!("convert_{target}_manifests"), run.stdout);
        insta::assert_snapshot!(format!("convert_{target}_report"), run.stderr);
    }
}

/// The source controller's ConfigMap: its `ssl-redirect: "false"` is the default the
/// Ingresses' redirect routes follow, and each key ends in the report's global settings.
#[test]
fn the_controller_configmap_becomes_global_settings() {
    let dir = common::scratch("convert-configmap");
    std::fs::write(
        dir.join("controller.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\nspec:\n  selector: {matchLabels: {app: c}}\n  template:\n    metadata: {labels: {app: c}}\n    spec:\n      containers:\n      - name: controller\n        image: registry.k8s.io/ingress-nginx/controller:v1.15.1\n        args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/ingress-nginx-controller]\n        env:\n        - name: POD_NAMESPACE\n          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\ndata:\n  ssl-redirect: \"false\"\n  proxy-body-size: 20m\n  log-format-upstream: $remote_addr\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a, namespace: web}\nspec:\n  ingressClassName: nginx\n  tls: [{hosts: [a.example.com], secretName: a-tls}]\n  rules:\n  - host: a.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}\n",
    )
    .unwrap();
    let run = common::run(&[
        "convert",
        "--to",
        "gateway-api",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    let report: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(report["selection"]["basis"], "served", "{}", run.stderr);
    assert!(
        !run.stdout.contains("https-redirect"),
        "the ConfigMap switched the redirect off:\n{}",
        run.stdout
    );
    let settings = report["settings"].as_array().unwrap();
    let of = |key: &str| {
        settings
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("{key}: {settings:?}"))
    };
    assert_eq!(of("ssl-redirect")["outcome"], "translated");
    assert_eq!(of("ssl-redirect")["line"], 21);
    assert_eq!(of("proxy-body-size")["outcome"], "not translated");
    assert_eq!(of("log-format-upstream")["outcome"], "not translated");
    // HSTS: ingress-nginx's default, which Gateway API does not do by itself.
    assert_eq!(of("hsts")["outcome"], "approximated");
    assert!(of("hsts").get("file").is_none());
    assert_eq!(run.code, 1);
    let f5 = common::run(&[
        "convert",
        "--to",
        "f5-nginx",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    let report: serde_json::Value = serde_json::from_str(&f5.stderr).unwrap();
    let body = report["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "proxy-body-size")
        .unwrap()
        .clone();
    assert_eq!(body["outcome"], "translated");
    assert_eq!(body["target"], "ConfigMap client-max-body-size");
}

/// Kustomize builds: the route carries the built name and namespace, one per overlay, and
/// points at the base file the Ingress is written in.
#[test]
fn kustomize_builds_convert_with_their_built_names() {
    let run = common::run(&["convert", "--to", "gateway-api", "fixtures/kustomize"]);
    let docs = common::documents(&run.stdout);
    let routes: Vec<(String, String)> = docs
        .iter()
        .filter(|d| d["kind"] == "HTTPRoute")
        .map(|d| {
            (
                d["metadata"]["namespace"].as_str().unwrap().to_string(),
                d["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("shop".to_string(), "shop".to_string()),
            ("shop-staging".to_string(), "staging-shop".to_string())
        ]
    );
    assert!(run
        .stdout
        .contains("ingress-lint.io/source: \"fixtures/kustomize/base/ingress.yaml:4\""));
}

/// `convert --format json` follows `convert.schema.json`, for every target and input.
#[test]
fn the_report_validates_against_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../convert.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    // Every target, and Gateway API with each implementation's policies.
    let runs: Vec<Vec<&str>> = TARGETS
        .iter()
        .map(|t| vec!["--to", t])
        .chain(
            ["envoy-gateway", "nginx-gateway-fabric"].map(|implementation| {
                vec!["--to", "gateway-api", "--implementation", implementation]
            }),
        )
        .collect();
    for run_args in &runs {
        let target = run_args.join(" ");
        for input in INPUTS {
            let mut args = vec!["convert", "--format", "json"];
            args.extend(run_args.iter().copied());
            args.push(input);
            let run = common::run(&args);
            let report: serde_json::Value = serde_json::from_str(&run.stderr)
                .unwrap_or_else(|e| panic!("{target} {input}: {e}: {}", run.stderr));
            let errors: Vec<String> = validator
                .iter_errors(&report)
                .take(5)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{target} {input}: {errors:#?}");
        }
    }
}

/// With no controller in the input, class `nginx` is also F5 NGINX's default: an Ingress
/// carrying only F5 annotations is F5's and is left out; one with none is converted.
#[test]
fn class_nginx_with_only_f5_annotations_is_left_out() {
    let dir = common::scratch("convert-f5-class");
    std::fs::write(
        dir.join("ing.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: f5\n  annotations:\n    nginx.org/mergeable-ingress-type: master\nspec:\n  ingressClassName: nginx\n  rules: [{host: f5.example.com}]\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: plain\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: plain.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}\n",
    )
    .unwrap();
    let run = common::run(&["convert", "--to", "gateway-api", dir.to_str().unwrap()]);
    assert!(run.stderr.contains("1 Ingress(es)"), "{}", run.stderr);
    assert!(
        run.stderr.contains("carries only f5-nginx's annotations"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("name: plain") && !run.stdout.contains("name: f5"),
        "{}",
        run.stdout
    );
}

/// stdin: `-` converts, and under `--output-dir` its objects go to `stdin.yaml`.
#[test]
fn stdin_converts_into_stdin_yaml() {
    let dir = common::scratch("convert-stdin");
    let input = b"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: a.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}\n";
    let out = dir.join("out");
    let run = common::run_with(
        &[
            "convert",
            "--to",
            "gateway-api",
            "--output-dir",
            out.to_str().unwrap(),
            "-",
        ],
        Some(input),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let route = std::fs::read_to_string(out.join("stdin.yaml")).unwrap();
    assert!(route.contains("kind: HTTPRoute"), "{route}");
    let shared = std::fs::read_to_string(out.join("ingress-lint-shared.yaml")).unwrap();
    assert!(shared.contains("kind: Gateway"), "{shared}");
}

/// `--name-suffix` gives the emitted Ingresses names of their own, to run beside the source's;
/// without it the report says they replace them.
#[test]
fn name_suffix_lets_both_run_side_by_side() {
    let plain = common::run(&["convert", "--to", "haproxy", "fixtures/convert/web.yaml"]);
    assert!(plain.stdout.contains("  name: web\n"), "{}", plain.stdout);
    assert!(
        plain.stderr.contains("pass --name-suffix"),
        "{}",
        plain.stderr
    );
    let suffixed = common::run(&[
        "convert",
        "--to",
        "haproxy",
        "--name-suffix=-haproxy",
        "fixtures/convert/web.yaml",
    ]);
    assert!(
        suffixed.stdout.contains("  name: web-haproxy\n"),
        "{}",
        suffixed.stdout
    );
    assert!(
        !suffixed.stderr.contains("pass --name-suffix"),
        "{}",
        suffixed.stderr
    );
    let bad = common::run(&[
        "convert",
        "--to",
        "haproxy",
        "--name-suffix",
        "_X",
        "fixtures/convert/web.yaml",
    ]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

/// Weights, rates and sizes at the edge of i64 do not overflow (the test build panics on
/// overflow): every target still converts and reports.
#[test]
fn huge_numbers_do_not_overflow() {
    for target in TARGETS {
        let run = convert(target, "fixtures/convert-extremes");
        assert_eq!(run.code, 1, "{target}: {}", run.stderr);
        let report: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
        assert_eq!(report["ingresses"], 3, "{target}");
    }
}

/// The CEL check reads the real CRDs' rules: objects the API server refuses are refused here.
#[test]
fn cel_rules_refuse_what_the_api_server_refuses() {
    let schemas = schemas();
    let mut rules = cel::Rules::new();
    let api = "gateway.networking.k8s.io/v1".to_string();
    let route = serde_json::json!({
        "apiVersion": api, "kind": "HTTPRoute", "metadata": {"name": "r"},
        "spec": {"rules": [
            {"matches": [{"path": {"type": "PathPrefix", "value": "/a//b"}}],
             "backendRefs": [{"name": "s", "port": 80}]},
            {"filters": [
                {"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}},
                {"type": "URLRewrite", "urlRewrite": {"hostname": "x.example.com"}}
            ]}
        ]}
    });
    let (_, schema) = &schemas[&(api.clone(), "HTTPRoute".to_string())];
    let found = rules.violations(schema, &route);
    assert!(found.iter().any(|v| v.contains("//")), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|v| v.contains("RequestRedirect") && v.contains("URLRewrite")),
        "{found:#?}"
    );
    let gateway = serde_json::json!({
        "apiVersion": api, "kind": "Gateway", "metadata": {"name": "g"},
        "spec": {"gatewayClassName": "eg", "listeners": [
            {"name": "http", "protocol": "HTTP", "port": 80},
            {"name": "http", "protocol": "HTTP", "port": 8080}
        ]}
    });
    let (_, schema) = &schemas[&(api, "Gateway".to_string())];
    let found = rules.violations(schema, &gateway);
    assert!(found.iter().any(|v| v.contains("name")), "{found:#?}");
}

/// `--implementation envoy-gateway`: Envoy Gateway's policies for what the standard channel
/// leaves out, attached to the routes; the share of ingress-nginx annotations not translated
/// on the corpus drops (printed; the README quotes it).
#[test]
fn envoy_gateway_policies_carry_what_the_standard_channel_cannot() {
    let run = common::run(&[
        "convert",
        "--to",
        "gateway-api",
        "--implementation",
        "envoy-gateway",
        "fixtures/convert",
    ]);
    insta::assert_snapshot!("convert_gateway-api_envoy-gateway_manifests", run.stdout);
    let share = |extra: &[&str]| {
        let mut args = vec!["convert", "--to", "gateway-api", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("fixtures/convert-corpus");
        let report: serde_json::Value = serde_json::from_str(&common::run(&args).stderr).unwrap();
        let entries: Vec<&serde_json::Value> = report["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["key"]
                    .as_str()
                    .unwrap()
                    .starts_with("nginx.ingress.kubernetes.io/")
            })
            .collect();
        let not = entries
            .iter()
            .filter(|e| e["outcome"] == "not translated")
            .count();
        (not, entries.len())
    };
    let (base, total) = share(&[]);
    let (with, _) = share(&["--implementation", "envoy-gateway"]);
    let (fabric, _) = share(&["--implementation", "nginx-gateway-fabric"]);
    eprintln!(
        "not translated on the corpus: {base}/{total} standard channel, {with}/{total} with envoy-gateway, {fabric}/{total} with nginx-gateway-fabric"
    );
    assert!(with * 100 < base * 75, "{with} vs {base}");
    assert!(fabric < base, "{fabric} vs {base}");
    let run = common::run(&[
        "convert",
        "--to",
        "gateway-api",
        "--implementation",
        "nginx-gateway-fabric",
        "fixtures/convert",
    ]);
    insta::assert_snapshot!(
        "convert_gateway-api_nginx-gateway-fabric_manifests",
        run.stdout
    );
}

/// `translate` and `check` read the same implementation data: its policies are a second path,
/// and the better verdict counts.
#[test]
fn translate_and_check_know_the_implementation() {
    let summary = |extra: &[&str]| {
        let mut args = vec!["translate", "--to", "gateway-api", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("fixtures/convert");
        common::run(&args).json()["summary"]["verdicts"].clone()
    };
    let base = summary(&[]);
    let with = summary(&["--implementation", "envoy-gateway"]);
    assert!(
        with["crd"].as_u64() < base["crd"].as_u64()
            && with["exact"].as_u64() > base["exact"].as_u64(),
        "{base} → {with}"
    );
    let findings = |extra: &[&str]| {
        let mut args = vec!["check", "--to", "gateway-api", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("fixtures/convert");
        common::run(&args).json()["findings"]
            .as_array()
            .unwrap()
            .len()
    };
    assert!(findings(&["--implementation", "envoy-gateway"]) < findings(&[]));
    let wrong = common::run(&[
        "translate",
        "--to",
        "traefik",
        "--implementation",
        "envoy-gateway",
        "fixtures/convert",
    ]);
    assert_eq!(wrong.code, 2);
}
