//! Annotation rules and the `translate` report, end to end.

mod common;

use common::{located, run};

fn rules_at(args: &[&str], rules: &[&str]) -> Vec<(String, u64)> {
    let run = run(args);
    located(&run)
        .into_iter()
        .filter(|(rule, ..)| rules.contains(&rule.as_str()))
        .map(|(rule, _, line, _)| (rule, line))
        .collect()
}

#[test]
fn annotation_problems_are_found_at_their_lines() {
    let found = rules_at(
        &[
            "check",
            "fixtures/annotations/problems.yaml",
            "fixtures/corpus/charts/ingress-nginx/default.yaml",
            "--format",
            "json",
        ],
        &[
            "annotation-unknown",
            "annotation-value-invalid",
            "annotation-removed",
            "annotation-snippet",
            "annotation-foreign-controller",
        ],
    );
    let expected: Vec<(String, u64)> = [
        ("annotation-unknown", 8),
        ("annotation-value-invalid", 9),
        ("annotation-value-invalid", 10),
        ("annotation-value-invalid", 11),
        ("annotation-value-invalid", 12),
        ("annotation-removed", 13),
        ("annotation-snippet", 14),
        ("annotation-foreign-controller", 16),
        ("annotation-value-invalid", 35),
        ("annotation-value-invalid", 53),
    ]
    .iter()
    .map(|(r, l)| (r.to_string(), *l))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn messages_say_what_to_write() {
    let run = run(&[
        "check",
        "fixtures/annotations/problems.yaml",
        "--format",
        "json",
    ]);
    let json = run.json();
    let help = |line: u64| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["line"] == line)
            .map(|f| f["help"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(
        help(8),
        "did you mean `nginx.ingress.kubernetes.io/rewrite-target`?"
    );
    assert!(help(9).contains("\"8m\""), "{}", help(9));
    assert_eq!(help(10), "write whole seconds without a unit: \"60\"");
    assert!(help(13).contains("backend-protocol: HTTPS"), "{}", help(13));
    assert!(
        help(53).contains("capture the part to keep"),
        "{}",
        help(53)
    );
    assert!(help(35).contains("use-regex: \"true\""), "{}", help(35));
}

#[test]
fn check_to_target_reports_each_verdict_at_the_annotation() {
    let run = run(&[
        "check",
        "fixtures/demo/apps",
        "--to",
        "kong",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    let count = |rule: &str| findings.iter().filter(|f| f["rule"] == rule).count();
    assert!(count("annotation-unsupported-on-target") > 0);
    assert!(count("annotation-partial-on-target") > 0);
    assert!(count("annotation-crd-on-target") > 0);
    let auth_type = findings
        .iter()
        .find(|f| {
            f["rule"] == "annotation-crd-on-target"
                && f["message"].as_str().unwrap().contains("auth-type")
        })
        .expect("basic auth needs a KongPlugin");
    assert_eq!(
        (
            auth_type["file"].as_str().unwrap(),
            auth_type["line"].as_u64().unwrap()
        ),
        ("fixtures/demo/apps/basicauth.yml", 10)
    );
    assert_eq!(auth_type["severity"], "info");
    assert!(
        auth_type["help"]
            .as_str()
            .unwrap()
            .starts_with("target form: "),
        "{}",
        auth_type["help"]
    );
    let expires = findings
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("session-cookie-expires")
        })
        .unwrap();
    assert_eq!(
        (
            expires["rule"].as_str().unwrap(),
            expires["severity"].as_str().unwrap()
        ),
        ("annotation-unsupported-on-target", "error")
    );
    // Without --to, none of them.
    let plain = self::run(&[
        "check",
        "fixtures/demo/apps",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert!(!plain.stdout.contains("on-target"));
}

#[test]
fn unknown_targets_and_pairs_are_usage_errors() {
    let unknown = run(&["translate", "fixtures/demo", "--to", "nginx-plus"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("unknown --to `nginx-plus`"),
        "{}",
        unknown.stderr
    );
    let typo = run(&["check", "fixtures/demo", "--to", "trafik"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr
            .contains("did you mean `traefik`? one of traefik, haproxy, kong, f5-nginx, gateway-api, ingress-nginx"),
        "{}",
        typo.stderr
    );
    let no_data = run(&["translate", "fixtures/demo", "--to", "contour"]);
    assert_eq!(no_data.code, 2);
    assert!(
        no_data
            .stderr
            .contains("no annotation translations are known for `contour`"),
        "{}",
        no_data.stderr
    );
    assert_eq!(
        run(&[
            "check",
            "fixtures/demo",
            "--to",
            "traefik",
            "--from",
            "haproxy"
        ])
        .code,
        2
    );
}

#[test]
fn translate_json_gives_every_annotation_a_verdict_and_traefik_both_paths() {
    let run = run(&[
        "translate",
        "fixtures/demo",
        "--to",
        "traefik",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["target"], "traefik");
    let items = json["annotations"].as_array().unwrap();
    assert_eq!(
        items.len(),
        json["summary"]["total"].as_u64().unwrap() as usize
    );
    for item in items {
        assert!(
            ["exact", "partial", "crd", "none", "unknown"]
                .contains(&item["verdict"].as_str().unwrap()),
            "{item}"
        );
        for field in [
            "file",
            "line",
            "column",
            "object",
            "annotation",
            "value",
            "source_controller",
            "note",
            "sources",
        ] {
            assert!(!item[field].is_null(), "{field} missing in {item}");
        }
        if item["verdict"] != "unknown" {
            assert_eq!(
                item["paths"].as_array().unwrap().len(),
                2,
                "native and ingress-nginx provider: {item}"
            );
        }
    }
    let snippet = items
        .iter()
        .find(|i| i["annotation"] == "nginx.ingress.kubernetes.io/configuration-snippet")
        .unwrap();
    assert_eq!(
        snippet["verdict"], "partial",
        "the better of native (none) and the provider (partial)"
    );
    let carried: Vec<&str> = json["carried_over"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["annotation"].as_str().unwrap())
        .collect();
    assert!(
        carried.contains(&"kubernetes.io/ingress.class"),
        "{carried:?}"
    );
}

#[test]
fn translate_writes_mechanical_target_forms_with_the_value() {
    let run = run(&[
        "translate",
        "fixtures/demo/apps/affinity-cookie.yaml",
        "--to",
        "f5-nginx",
        "--format",
        "csv",
    ]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "file,line,column,namespace,ingress,annotation,value,source_controller,target,verdict,target_form,note");
    assert!(
        lines.iter().any(|l| l.contains(
            "nginx.ingress.kubernetes.io/session-cookie-name,route,ingress-nginx,f5-nginx,"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn translate_over_the_reverse_direction() {
    let run = run(&[
        "translate",
        "fixtures/annotations/problems.yaml",
        "--to",
        "ingress-nginx",
        "--format",
        "json",
    ]);
    let json = run.json();
    let items = json["annotations"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["annotation"], "haproxy.org/timeout-server");
    assert_eq!(items[0]["source_controller"], "haproxy");
    assert_ne!(items[0]["verdict"], "unknown");
}

#[test]
fn translate_markdown_for_traefik() {
    insta::assert_snapshot!(run(&["translate", "fixtures/demo", "--to", "traefik"]).stdout);
}

#[test]
fn translate_markdown_for_gateway_api() {
    insta::assert_snapshot!(
        run(&[
            "translate",
            "fixtures/demo/apps",
            "fixtures/annotations",
            "--to",
            "gateway-api"
        ])
        .stdout
    );
}

/// `app-root: /` loops; `backend-protocol: HTTPS` is partial on targets that verify backend
/// certificates where ingress-nginx does not.
#[test]
fn app_root_loop_and_backend_tls_verification() {
    let dir = common::scratch("app-root-backend-tls");
    std::fs::write(
        dir.join("ing.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations:\n    nginx.ingress.kubernetes.io/app-root: /\n    nginx.ingress.kubernetes.io/backend-protocol: HTTPS\nspec:\n  ingressClassName: nginx\n  rules: [{host: a.example.com}]\n",
    )
    .unwrap();
    for target in ["traefik", "gateway-api"] {
        let run = common::check_json(&["--to", target, dir.to_str().unwrap()]);
        let found: Vec<(String, u64)> = common::located(&run)
            .into_iter()
            .map(|f| (f.0, f.2))
            .collect();
        assert!(
            found.contains(&("annotation-value-invalid".into(), 6)),
            "{target}: {found:?}"
        );
        assert!(
            found.contains(&("annotation-partial-on-target".into(), 7)),
            "{target}: {found:?}"
        );
    }
}

/// Translations whose target keeps another default than ingress-nginx (redirect code, CORS
/// credentials and cache, rate-limit burst and answer) are partial, and the note names the
/// setting that restores NGINX's behaviour.
#[test]
fn translations_with_other_defaults_are_partial() {
    let dir = common::scratch("other-defaults");
    std::fs::write(
        dir.join("ing.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations:\n    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/limit-rps: \"10\"\n    nginx.ingress.kubernetes.io/ssl-redirect: \"true\"\nspec:\n  ingressClassName: nginx\n  rules: [{host: a.example.com}]\n",
    )
    .unwrap();
    let cases = [
        ("haproxy", "enable-cors", "cors-allow-credentials"),
        ("gateway-api", "enable-cors", "allowCredentials"),
        ("haproxy", "limit-rps", "rate-limit-status-code"),
        ("f5-nginx", "limit-rps", "limit-req-reject-code"),
        ("f5-nginx", "ssl-redirect", "http-redirect-code"),
    ];
    for (target, key, restores) in cases {
        let json = common::run(&[
            "translate",
            "--format",
            "json",
            "--to",
            target,
            dir.to_str().unwrap(),
        ])
        .json();
        let text = json.to_string();
        let entry = json["annotations"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|e| e["annotation"].as_str().is_some_and(|k| k.ends_with(key)))
            })
            .unwrap_or_else(|| panic!("{target} {key}: {text}"));
        assert_eq!(entry["verdict"], "partial", "{target} {key}: {entry}");
        assert!(
            entry.to_string().contains(restores),
            "{target} {key}: {entry}"
        );
    }
}

/// The old `ingress.kubernetes.io/` prefix on an ingress-nginx Ingress: the help names the
/// current key, not a translation that cannot exist.
#[test]
fn the_old_prefix_is_explained() {
    let dir = common::scratch("old-prefix");
    std::fs::write(
        dir.join("a.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations:\n    ingress.kubernetes.io/rewrite-target: /\nspec: {ingressClassName: nginx}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c, namespace: x}\nspec: {template: {spec: {containers: [{name: c, image: registry.k8s.io/ingress-nginx/controller:v1.15.1}]}}}\n",
    )
    .unwrap();
    let json = common::check_json(&[dir.to_str().unwrap()]).json();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "annotation-foreign-controller")
        .cloned()
        .unwrap_or_default();
    let (message, help) = (
        finding["message"].as_str().unwrap_or_default(),
        finding["help"].as_str().unwrap_or_default(),
    );
    // Said as ingress-nginx's former name (and the HAProxy controllers' key), with the rename.
    assert!(
        message.contains("ingress-nginx's former name") && message.contains("before 0.9"),
        "{message}"
    );
    assert!(
        help.starts_with("rename it to `nginx.ingress.kubernetes.io/rewrite-target`"),
        "{help}"
    );
}
