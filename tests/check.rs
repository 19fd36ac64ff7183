//! `check` end to end: bad input, output formats, exit codes, input selection.

mod common;

use common::{located, run, run_with, scratch};

fn loc(rule: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), file.to_string(), line, column)
}

#[test]
fn every_bad_input_class_is_a_located_finding_and_the_rest_is_checked() {
    let run = run(&["check", "fixtures/bad-input", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let b = "fixtures/bad-input/";
    assert_eq!(
        located(&run),
        [
            loc("input-unreadable", &format!("{b}alias-bomb.yaml"), 6, 45),
            loc("input-unreadable", &format!("{b}deep-nesting.yaml"), 5, 135),
            loc(
                "yaml-duplicate-key",
                &format!("{b}duplicate-key.yaml"),
                7,
                5
            ),
            loc(
                "helm-template-unrendered",
                &format!("{b}helm-template.yaml"),
                4,
                9
            ),
            loc("input-unreadable", &format!("{b}invalid-utf8.yaml"), 6, 11),
            loc(
                "load-balancer-ip-deprecated",
                &format!("{b}list.json"),
                9,
                40
            ),
            loc("ingress-api-removed", &format!("{b}list.json"), 12, 21),
            loc("ingress-class-missing", &format!("{b}list.json"), 15, 7),
            loc(
                "schema-mismatch",
                &format!("{b}schema-mismatch.yaml"),
                6,
                33
            ),
            loc(
                "schema-mismatch",
                &format!("{b}schema-mismatch.yaml"),
                8,
                13
            ),
            loc(
                "schema-mismatch",
                &format!("{b}schema-mismatch.yaml"),
                15,
                7
            ),
            loc(
                "schema-mismatch",
                &format!("{b}schema-mismatch.yaml"),
                22,
                18
            ),
            loc("yaml-syntax", &format!("{b}syntax.yaml"), 5, 11),
            // The document after the syntax error is still checked.
            loc(
                "load-balancer-ip-deprecated",
                &format!("{b}syntax.yaml"),
                13,
                3
            ),
        ]
    );
    let summary = &run.json()["summary"];
    assert_eq!(summary["files"], 9);
    // The values file is skipped and counted; the objects after the alias bomb, the
    // syntax error and in the List are kept.
    assert_eq!(summary["skipped_documents"], 1);
    assert_eq!(summary["objects"], 6);
}

#[test]
fn the_duplicate_key_names_the_first_occurrence() {
    let run = run(&[
        "check",
        "fixtures/bad-input/duplicate-key.yaml",
        "--format",
        "json",
    ]);
    let finding = &run.json()["findings"][0];
    assert_eq!(finding["related"][0]["line"], 6);
    assert_eq!(finding["related"][0]["column"], 5);
}

#[test]
fn real_invalid_files_of_the_corpus_are_yaml_syntax_findings() {
    let run = run(&["check", "fixtures/corpus/ingresses", "--format", "json"]);
    assert_eq!(run.code, 1);
    let syntax: Vec<_> = located(&run)
        .into_iter()
        .filter(|(rule, ..)| rule == "yaml-syntax")
        .collect();
    assert_eq!(
        syntax,
        [
            loc(
                "yaml-syntax",
                "fixtures/corpus/ingresses/Azure__application-gateway-kubernetes-ingress/docs/examples/guestbook/ing-guestbook-other.yaml",
                15,
                17
            ),
            loc(
                "yaml-syntax",
                "fixtures/corpus/ingresses/voyagermesh__voyager/docs/examples/ingress/pod-placement/ingress-w-node-selector.yaml",
                19,
                17
            ),
        ]
    );
}

#[test]
fn chart_renders_parse_without_syntax_findings() {
    let run = run(&[
        "check",
        "fixtures/corpus",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(run.code, 0);
    let bad: Vec<_> = located(&run)
        .into_iter()
        .filter(|(rule, file, ..)| {
            [
                "yaml-syntax",
                "input-unreadable",
                "helm-template-unrendered",
            ]
            .contains(&rule.as_str())
                && !file.starts_with("fixtures/corpus/ingresses/")
        })
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    let summary = &run.json()["summary"];
    assert_eq!(summary["files"], 99);
}

#[test]
fn json_output_validates_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("output.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for path in ["fixtures", "fixtures/bad-input", "fixtures/demo"] {
        let run = run(&["check", path, "--format", "json"]);
        let output = run.json();
        let errors: Vec<String> = validator
            .iter_errors(&output)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:?}");
        assert!(!output["findings"].as_array().unwrap().is_empty());
    }
}

#[test]
fn output_is_deterministic_at_any_thread_count() {
    let one = run_with(
        &["check", "fixtures", "--format", "json"],
        None,
        &[("RAYON_NUM_THREADS", "1")],
    );
    let two = run_with(
        &["check", "fixtures", "--format", "json"],
        None,
        &[("RAYON_NUM_THREADS", "2")],
    );
    assert_eq!(one.stdout, two.stdout);
    let findings = one.json()["findings"].as_array().unwrap().clone();
    let keys: Vec<(String, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "findings are ordered by file, line, column");
}

#[test]
fn exit_codes_follow_fail_on() {
    let ip = "fixtures/suppress/suppressed.yaml";
    assert_eq!(
        run(&["check", ip]).code,
        0,
        "a warning does not fail by default"
    );
    assert_eq!(run(&["check", ip, "--fail-on", "warning"]).code, 1);
    assert_eq!(
        run(&["check", "fixtures/bad-input", "--fail-on", "never"]).code,
        0
    );
    assert_eq!(run(&["check", "fixtures/bad-input"]).code, 1);
    let missing = run(&["check", "fixtures/no-such-dir"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("fixtures/no-such-dir: no such file or directory"),
        "{}",
        missing.stderr
    );
    assert_eq!(run(&["check", "--format", "yaml"]).code, 2);
}

#[test]
fn fail_if_no_objects_catches_a_wrong_folder() {
    let values = "fixtures/bad-input/values.yaml";
    assert_eq!(run(&["check", values]).code, 0);
    let run = run(&["check", values, "--fail-if-no-objects"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no Kubernetes object"),
        "{}",
        run.stderr
    );
}

#[test]
fn suppressed_findings_are_kept_marked_and_do_not_fail() {
    let run = run(&[
        "check",
        "fixtures/suppress",
        "--format",
        "json",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(run.code, 1, "the unsuppressed one still fails");
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    let marks: Vec<(u64, bool)> = findings
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["suppressed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(marks, [(10, true), (19, true), (27, false)]);
    assert!(findings[0]["suppression_reason"]
        .as_str()
        .unwrap()
        .contains("MetalLB pool pinned"));
    assert_eq!(json["summary"]["suppressed"], 2);
    assert_eq!(json["summary"]["findings"]["warning"], 1);
}

#[test]
fn stdin_is_read_and_named() {
    let text = std::fs::read("fixtures/suppress/suppressed.yaml").unwrap();
    let run = run_with(
        &[
            "check",
            "-",
            "--stdin-filename",
            "svc.yaml",
            "--format",
            "json",
        ],
        Some(&text),
        &[],
    );
    assert_eq!(run.code, 0);
    assert_eq!(located(&run)[0].1, "svc.yaml");
    let unnamed = run_with(&["check", "-", "--format", "json"], Some(&text), &[]);
    assert_eq!(located(&unnamed)[0].1, "-");
}

#[test]
fn walking_honours_gitignore_hidden_exclude_and_extensions() {
    let dir = scratch("walk");
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, loadBalancerIP: 203.0.113.1}\n";
    for file in [
        "a.yaml",
        "b.yml",
        "c.json",
        "vendor/v.yaml",
        ".hidden/h.yaml",
        "skip/s.yaml",
        "notes.txt",
    ] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = if file.ends_with(".json") {
            r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"}, "spec": {"loadBalancerIP": "203.0.113.2"}}"#
        } else {
            service
        };
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(dir.join(".gitignore"), "vendor/\n").unwrap();
    let dir_arg = dir.to_str().unwrap();
    let files = |extra: &[&str]| {
        let mut args = vec!["check", dir_arg, "--format", "json"];
        args.extend_from_slice(extra);
        let run = run(&args);
        let mut files: Vec<String> = located(&run)
            .into_iter()
            .map(|(_, file, ..)| file.rsplit_once("/walk/").unwrap().1.to_string())
            .collect();
        files.dedup();
        files
    };
    assert_eq!(files(&[]), ["a.yaml", "b.yml", "c.json", "skip/s.yaml"]);
    assert_eq!(
        files(&["--hidden"]),
        [".hidden/h.yaml", "a.yaml", "b.yml", "c.json", "skip/s.yaml"]
    );
    assert_eq!(
        files(&["--exclude", "**/skip", "--exclude", "*.json"]),
        ["a.yaml", "b.yml"]
    );
    // A file named explicitly is read whatever its extension.
    let txt = dir.join("notes.txt");
    let run = run(&["check", txt.to_str().unwrap(), "--format", "json"]);
    assert_eq!(located(&run).len(), 1);
}

#[test]
fn files_over_the_size_cap_are_skipped_with_a_finding() {
    let run = run(&[
        "check",
        "fixtures/suppress/suppressed.yaml",
        "--max-file-size",
        "100",
        "--format",
        "json",
    ]);
    let findings = located(&run);
    assert_eq!(
        findings,
        [loc(
            "input-unreadable",
            "fixtures/suppress/suppressed.yaml",
            1,
            1
        )]
    );
    assert!(run.json()["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("over the size cap of 100 bytes"));
}

#[test]
fn output_file_and_color() {
    let dir = scratch("output");
    let out = dir.join("report.json");
    let run1 = run(&[
        "check",
        "fixtures/suppress",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(run1.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["version"], 1);

    let plain = run(&["check", "fixtures/suppress"]);
    assert!(
        !plain.stdout.contains('\u{1b}'),
        "not a terminal: no colour"
    );
    let forced = run(&["check", "fixtures/suppress", "--color", "always"]);
    assert!(forced.stdout.contains('\u{1b}'));
    let never = run_with(
        &["check", "fixtures/suppress", "--color", "never"],
        None,
        &[("NO_COLOR", "1")],
    );
    assert!(!never.stdout.contains('\u{1b}'));
}

#[test]
fn github_and_sarif_formats() {
    let github = run(&[
        "check",
        "fixtures/bad-input/list.json",
        "--format",
        "github",
    ]);
    let first = github.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("::warning file=fixtures/bad-input/list.json,line=9,col=40,endLine=9,endColumn=56,title=ingress-lint load-balancer-ip-deprecated::Service web/json-lb"),
        "{first}"
    );
    let sarif = run(&[
        "check",
        "fixtures/bad-input/duplicate-key.yaml",
        "--format",
        "sarif",
    ]);
    let log = sarif.json();
    assert_eq!(log["version"], "2.1.0");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "yaml-duplicate-key");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
}

#[test]
fn provider_sharpens_the_load_balancer_ip_advice() {
    let run = run(&[
        "check",
        "fixtures/suppress",
        "--provider",
        "metallb",
        "--format",
        "json",
    ]);
    let help = run.json()["findings"][2]["help"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(help.starts_with("MetalLB: replace it with the annotation `metallb.io/loadBalancerIPs: \"203.0.113.42\"`"), "{help}");
    assert!(
        help.contains("https://github.com/metallb/metallb"),
        "{help}"
    );
}

/// A finding past column 65,535 (a minified JSON manifest) once panicked the human report:
/// the line is now cut around the finding, and the true position is in the message.
#[test]
fn human_output_survives_a_finding_past_column_65535() {
    let padding = "\"x\": 1, ".repeat(9000);
    let json = format!("{{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {{\"name\": \"s\", \"annotations\": {{{}\"z\": \"1\"}}}}, \"spec\": {{\"type\": \"LoadBalancer\", \"loadBalancerIP\": \"203.0.113.1\"}}}}\n", padding.trim_end_matches(", ").to_string() + ", ");
    let dir = common::scratch("long-line");
    std::fs::write(dir.join("minified.json"), &json).unwrap();
    let column = json.find("\"loadBalancerIP\"").unwrap() + 1;
    assert!(column > 65_535);
    let run = common::run(&[
        "check",
        "--color",
        "never",
        dir.join("minified.json").to_str().unwrap(),
    ]);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert!(
        run.stdout.contains(&format!(
            "minified.json:1:{column}: Service default/s sets spec.loadBalancerIP"
        )),
        "{}",
        &run.stdout[..run.stdout.len().min(2000)]
    );
    assert!(run.stdout.contains('…'));
}

/// A report that cannot be written (a full disk) exits 2, never 0 or 1 with a truncated
/// report.
#[test]
fn a_failed_write_of_the_report_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // Not Linux: nothing to write into that fails.
    };
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ingress-lint"))
        .args(["check", "fixtures/demo"])
        .current_dir(common::root())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("writing the report"));
}

/// Control characters of the input (ESC, BEL) never reach the terminal or the CI log.
#[test]
fn control_characters_from_the_input_are_escaped() {
    let dir = common::scratch("control-characters");
    std::fs::write(
        dir.join("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: \"x\\u001b[31m\\u0007\"} # \u{1b}]0;title\u{7}\nspec: {type: LoadBalancer, loadBalancerIP: 1.2.3.4}\n",
    )
    .unwrap();
    for format in ["human", "github"] {
        let run = common::run(&[
            "check",
            "--color",
            "never",
            "--format",
            format,
            dir.to_str().unwrap(),
        ]);
        assert!(
            !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
            "{format}: {:?}",
            run.stdout
        );
        assert!(run.stdout.contains("\\u{1b}"), "{format}: {}", run.stdout);
    }
}

/// A `.gitignore` above the Git repository's root is not the repository's: it does not hide
/// files; outside any repository `.gitignore` files still count.
#[test]
fn gitignore_files_count_from_the_repository_root_down() {
    let base = std::env::temp_dir().join(format!("ingress-lint-gitignore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let repo = base.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(base.join("plain")).unwrap();
    std::fs::write(base.join(".gitignore"), "*.yaml\n").unwrap();
    let object = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    std::fs::write(repo.join("a.yaml"), object).unwrap();
    std::fs::write(base.join("plain/a.yaml"), object).unwrap();
    let files = |dir: &std::path::Path| {
        common::run(&["check", "--format", "json", dir.to_str().unwrap()]).json()["summary"]
            ["files"]
            .clone()
    };
    assert_eq!(files(&repo), 1);
    assert_eq!(files(&base.join("plain")), 0);
    let _ = std::fs::remove_dir_all(&base);
}

/// Templates, precisely: a Helm chart's templates are said once, at the chart; `{{ }}` in a
/// comment or in values held as data is not a template; Jinja and `${VAR}` placeholders are
/// information, never a syntax error or schema warnings.
#[test]
fn templates_are_told_from_manifests() {
    let run = common::run(&["check", "--format", "json", "fixtures/templates"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let found: Vec<(String, String, u64)> = common::located(&run)
        .into_iter()
        .map(|(rule, file, line, _)| {
            (
                rule,
                file.trim_start_matches("fixtures/templates/").to_string(),
                line,
            )
        })
        .collect();
    let expect = |rule: &str, file: &str, line: u64| (rule.to_string(), file.to_string(), line);
    assert_eq!(
        found,
        [
            expect(
                "template-placeholders",
                "ansible/roles/edge/templates/ingress.yaml",
                5
            ),
            expect("helm-template-unrendered", "chart/Chart.yaml", 1),
            // Comments holding `{{ }}` do not hide the Service's real finding.
            expect("load-balancer-ip-deprecated", "comment.yaml", 9),
            expect("template-placeholders", "envsubst.yaml", 9),
        ]
    );
    let json = run.json();
    assert_eq!(
        json["findings"][1]["related"].as_array().map(Vec::len),
        Some(2),
        "the chart's two templates"
    );
    // The HelmRelease with a Go template in its values is read as an object.
    assert!(
        json["summary"]["objects"].as_u64().unwrap() >= 3,
        "{}",
        json["summary"]
    );
}

/// A baseline keeps today's findings out of the report, survives an edit that shifts every
/// line, fails on a new finding and counts a fixed one.
#[test]
fn a_baseline_reports_only_what_is_new() {
    let dir = common::scratch("baseline");
    let service = |extra: &str, ip: &str| {
        format!("{extra}apiVersion: v1\nkind: Service\nmetadata: {{name: edge, namespace: web}}\nspec:\n  type: LoadBalancer\n  loadBalancerIP: {ip}\n")
    };
    std::fs::write(dir.join("a.yaml"), service("", "203.0.113.7")).unwrap();
    let input = dir.to_str().unwrap();
    let file = dir.join("baseline.json");
    let written = common::run(&["baseline", input, "--output", file.to_str().unwrap()]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    let check = |args: &[&str]| {
        let mut all = vec![
            "check",
            "--format",
            "json",
            "--fail-on",
            "warning",
            "--baseline",
        ];
        all.push(file.to_str().unwrap());
        all.extend_from_slice(args);
        common::run(&all)
    };
    // Every line shifted by a comment block: still known.
    std::fs::write(
        dir.join("a.yaml"),
        service("# one\n# two\n\n", "203.0.113.7"),
    )
    .unwrap();
    let shifted = check(&[input]);
    assert_eq!(shifted.code, 0, "{}", shifted.stdout);
    assert_eq!(shifted.json()["summary"]["baseline"]["baselined"], 1);
    // A second Service with a pinned IP is new; the first is still baselined.
    std::fs::write(
        dir.join("b.yaml"),
        service("", "203.0.113.8").replace("edge", "api"),
    )
    .unwrap();
    let new = check(&[input]);
    assert_eq!(new.code, 1);
    assert_eq!(
        common::located(&new),
        [(
            "load-balancer-ip-deprecated".to_string(),
            dir.join("b.yaml").to_str().unwrap().to_string(),
            6,
            3
        )]
    );
    // The first fixed: counted as fixed since the baseline.
    std::fs::remove_file(dir.join("b.yaml")).unwrap();
    std::fs::write(dir.join("a.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: edge, namespace: web}\nspec: {type: LoadBalancer}\n").unwrap();
    let fixed = check(&[input]).json();
    assert_eq!(fixed["summary"]["baseline"]["fixed"], 1);
    // Not a baseline: exit 2, with its path and line.
    std::fs::write(&file, "{\"version\": 1,\n \"findings\": 3}\n").unwrap();
    let bad = check(&[input]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("baseline.json:2:"), "{}", bad.stderr);
}

/// `--only-report` reads everything but reports only the listed files: a conflict whose other
/// side is outside them is still found.
#[test]
fn only_report_keeps_cross_file_conflicts() {
    let dir = common::scratch("only-report");
    let list = dir.join("changed.txt");
    std::fs::write(&list, "fixtures/demo/platform/traefik.yaml\n").unwrap();
    let at = format!("@{}", list.display());
    let run = common::check_json(&["--only-report", &at, "fixtures/demo"]);
    let found = common::located(&run);
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|f| f.1 == "fixtures/demo/platform/traefik.yaml"),
        "{found:?}"
    );
    let all = common::located(&common::check_json(&["fixtures/demo"]));
    let expected: Vec<_> = all
        .into_iter()
        .filter(|f| f.1 == "fixtures/demo/platform/traefik.yaml")
        .collect();
    assert_eq!(
        found, expected,
        "the same findings as a full run, in that file"
    );
    // A conflict whose other side is in a file not listed is still found.
    let listed = "fixtures/gitops-clusters/infrastructure/production/ingress-nginx.yaml";
    let conflict =
        common::check_json(&["--only-report", listed, "fixtures/gitops-clusters"]).json();
    let contested = common::findings_of(&conflict, "ingress-class-contested");
    assert_eq!(contested.len(), 1, "{conflict}");
    assert!(
        contested[0]["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["file"]
                .as_str()
                .unwrap()
                .ends_with("ingress-nginx-internal.yaml")),
        "{contested:?}"
    );
    let missing = common::run(&[
        "check",
        "--only-report",
        "@/nonexistent/list",
        "fixtures/demo",
    ]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("--only-report @/nonexistent/list"),
        "{}",
        missing.stderr
    );
}

/// `--select` and `--ignore` choose rules over the configuration; an unknown id is a usage
/// error naming the closest.
#[test]
fn rules_are_selected_on_the_command_line() {
    let only = common::check_json(&["--select", "controller-retired", "fixtures/demo"]);
    let rules: std::collections::BTreeSet<String> =
        common::located(&only).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules.into_iter().collect::<Vec<_>>(),
        ["controller-retired"]
    );
    let without = common::check_json(&["--ignore", "controller-retired", "fixtures/demo"]);
    assert!(common::located(&without)
        .iter()
        .all(|f| f.0 != "controller-retired"));
    let typo = common::run(&["check", "--select", "controller-retird", "fixtures/demo"]);
    assert_eq!(typo.code, 2);
    // Over the configuration: selected, a rule it turns off runs.
    let dir = common::scratch("select-over-config");
    std::fs::write(
        dir.join(".ingress-lint.yaml"),
        "rules:\n  controller-retired: off\n",
    )
    .unwrap();
    let demo = common::root().join("fixtures/demo");
    let selected = common::run_in(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "--select",
            "controller-retired",
            demo.to_str().unwrap(),
        ],
        None,
        &[],
    );
    assert!(common::located(&selected)
        .iter()
        .any(|f| f.0 == "controller-retired"));
    assert!(
        typo.stderr.contains("did you mean `controller-retired`?"),
        "{}",
        typo.stderr
    );
}

/// GitLab Code Quality: every issue has the fields GitLab reads, and fingerprints are unique
/// (GitLab keeps one issue per fingerprint).
#[test]
fn gitlab_output_is_a_code_quality_report() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("gitlab-codequality.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let output = run(&["check", "fixtures", "--format", "gitlab"]).json();
    let errors: Vec<String> = validator
        .iter_errors(&output)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let issues = output.as_array().unwrap();
    assert!(issues.len() > 100);
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort_unstable();
    let before = prints.len();
    prints.dedup();
    assert_eq!(before, prints.len(), "fingerprints are unique");
}

/// JUnit as the strict Ant schema (windyroad `JUnit.xsd`) has it: no attributes on
/// `<testsuites>`; a suite with every required attribute and `properties`, the cases,
/// `system-out`, `system-err` in that order; a case per file and rule with findings, at most
/// one `<failure>` each, and only when a finding reaches `--fail-on`; a passed case per file
/// without. (Checked here by structure; validated with `xmllint --schema JUnit.xsd` by hand.)
#[test]
fn junit_output_has_a_case_per_file_and_rule_and_a_failure_per_failing_case() {
    let xml = run(&["check", "fixtures/demo", "--format", "junit"]).stdout;
    let json = run(&["check", "fixtures/demo", "--format", "json"]).json();
    let findings = json["findings"].as_array().unwrap();
    let mut pairs: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    pairs.sort();
    let mut cases: Vec<(&str, &str)> = pairs.iter().map(|(f, r, _)| (*f, *r)).collect();
    cases.dedup();
    let mut failing: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(.., s)| *s == "error")
        .map(|(f, r, _)| (*f, *r))
        .collect();
    failing.dedup();
    let files = json["summary"]["files"].as_u64().unwrap() as usize;
    let clean_files = files - {
        let mut with: Vec<&str> = cases.iter().map(|(f, _)| *f).collect();
        with.dedup();
        with.len()
    };
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite package=\"ingress-lint\" id=\"0\" name=\"ingress-lint\" timestamp=\""), "{xml}");
    let suite = xml.lines().nth(2).unwrap();
    for attribute in ["hostname=\"localhost\"", "errors=\"0\"", "time=\"0\""] {
        assert!(suite.contains(attribute), "{suite}");
    }
    assert!(
        suite.contains(&format!("tests=\"{}\"", cases.len() + clean_files)),
        "{suite}"
    );
    assert!(
        suite.contains(&format!("failures=\"{}\"", failing.len())),
        "{suite}"
    );
    assert_eq!(xml.matches("<testcase ").count(), cases.len() + clean_files);
    assert_eq!(xml.matches("<failure ").count(), failing.len());
    assert!(
        failing.len() < cases.len(),
        "warnings below --fail-on are no failures"
    );
    let order: Vec<usize> = [
        "<properties/>",
        "<testcase ",
        "<system-out>",
        "<system-err/>",
        "</testsuite>",
    ]
    .iter()
    .map(|tag| xml.find(tag).unwrap_or_else(|| panic!("{tag}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // A timestamp without a zone, as the schema's pattern has it; reproducible on request.
    let fixed = common::run_with(
        &["check", "fixtures/demo", "--format", "junit"],
        None,
        &[("SOURCE_DATE_EPOCH", "1796688000")],
    );
    assert!(
        fixed.stdout.contains("timestamp=\"2026-12-08T00:00:00\""),
        "{}",
        fixed.stdout
    );
    // With --fail-on warning, every case with a warning fails too.
    let strict = run(&[
        "check",
        "fixtures/demo",
        "--format",
        "junit",
        "--fail-on",
        "warning",
    ])
    .stdout;
    let warned = cases.len()
        - cases
            .iter()
            .filter(|(f, r)| {
                pairs
                    .iter()
                    .filter(|p| p.0 == *f && p.1 == *r)
                    .all(|p| p.2 == "info")
            })
            .count();
    assert_eq!(strict.matches("<failure ").count(), warned);
    let hostile = common::scratch("junit-escape");
    std::fs::write(
        hostile.join("a.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: \"<x&y>\"}\nspec: {type: LoadBalancer, loadBalancerIP: 203.0.113.9}\n",
    )
    .unwrap();
    let escaped = run(&["check", hostile.to_str().unwrap(), "--format", "junit"]).stdout;
    assert!(
        escaped.contains("&lt;x&amp;y&gt;") && !escaped.contains("<x&y>"),
        "{escaped}"
    );
}

/// Markdown for a pull request: a table by rule and severity, then the findings, folded
/// past 50.
#[test]
fn markdown_output_is_a_pull_request_comment() {
    let text = run(&[
        "check",
        "fixtures",
        "--format",
        "markdown",
        "--fail-on",
        "never",
    ])
    .stdout;
    assert!(text.starts_with("## ingress-lint\n"));
    assert!(text.contains("| rule | severity | findings |"));
    assert!(
        text.contains("<details><summary>"),
        "more than 50 findings fold"
    );
    assert!(text.contains("](fixtures/"));
}

/// The comment of the shared corpus (400 KB before) stays under the limit, errors first, the
/// table whole, with a line saying how many findings were left out; `--link-base` makes the
/// links absolute.
#[test]
fn markdown_comment_fits_with_errors_first() {
    // Run in the corpus, so that paths are relative and links can take a base.
    let corpus = common::root().join("../shared/corpus");
    let run = |args: &[&str]| common::run_in(&corpus, args, None, &[]);
    let json = run(&["check", "--format", "json", "--fail-on", "never", "."]).json();
    let rules: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    let base = "https://github.com/o/r/blob/0123abc";
    let text = run(&[
        "check",
        "--format",
        "markdown",
        "--fail-on",
        "never",
        "--link-base",
        base,
        ".",
    ])
    .stdout;
    assert!(text.chars().count() < 60_000, "{}", text.len());
    for rule in &rules {
        assert!(
            text.contains(&format!("| `{rule}` |")),
            "{rule} missing from the table"
        );
    }
    let listed: Vec<&str> = text.lines().filter(|l| l.starts_with("- **")).collect();
    let first_warning = listed.iter().position(|l| !l.starts_with("- **error**"));
    let last_error = listed.iter().rposition(|l| l.starts_with("- **error**"));
    assert!(last_error.unwrap() < first_warning.unwrap());
    assert!(text.contains("more finding(s) not shown"), "{text}");
    assert!(listed[0].contains(&format!("]({base}/")), "{}", listed[0]);
    // A smaller limit is kept too.
    let small = run(&[
        "check",
        "--format",
        "markdown",
        "--fail-on",
        "never",
        "--max-comment-size",
        "5000",
        ".",
    ])
    .stdout;
    assert!(small.len() <= 5_000, "{}", small.len());
}

/// A suppression that suppresses nothing is reported where it is written; one in use is not.
#[test]
fn unused_suppressions_are_reported() {
    let dir = common::scratch("suppression-unused");
    std::fs::write(
        dir.join("a.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: pinned\n  annotations:\n    ignore-check.ingress-lint.io/load-balancer-ip-deprecated: \"until the move\"\nspec:\n  type: LoadBalancer\n  loadBalancerIP: 203.0.113.5\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: free\n  annotations:\n    ignore-check.ingress-lint.io/load-balancer-ip-deprecated: \"stale\"\nspec:\n  type: LoadBalancer # ingress-lint: ignore[host-port-clash] stale too\n",
    )
    .unwrap();
    let run = common::run(&["check", "--format", "json", dir.to_str().unwrap()]);
    let unused: Vec<(String, u64)> = common::located(&run)
        .into_iter()
        .filter(|f| f.0 == "suppression-unused")
        .map(|f| (f.0, f.2))
        .collect();
    assert_eq!(
        unused,
        [
            ("suppression-unused".to_string(), 16),
            ("suppression-unused".to_string(), 18)
        ]
    );
}

/// `--only-report` compares paths however each side is written (absolute input, relative
/// list, a list relative to the repository's root from a subdirectory), and an empty list (a
/// change with no manifest) reports nothing.
#[test]
fn only_report_normalises_paths_and_an_empty_list_reports_nothing() {
    let root = common::root();
    let file = "fixtures/demo/platform/traefik.yaml";
    let expected = common::located(&common::check_json(&[
        "--only-report",
        file,
        "fixtures/demo",
    ]));
    assert!(!expected.is_empty());
    // An absolute input with a relative list.
    let absolute_input = root.join("fixtures/demo");
    let run = common::check_json(&["--only-report", file, absolute_input.to_str().unwrap()]);
    assert_eq!(
        common::located(&run).len(),
        expected.len(),
        "{}",
        run.stderr
    );
    // From a subdirectory, with the list relative to the repository's root (git diff
    // --name-only): the input relative to the subdirectory.
    let run = common::run_in(
        &root.join("fixtures"),
        &[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--only-report",
            file,
            "demo",
        ],
        None,
        &[],
    );
    assert_eq!(
        common::located(&run).len(),
        expected.len(),
        "{}",
        run.stderr
    );
    // An empty list: nothing reported, the run passes.
    let dir = common::scratch("only-report-empty");
    let list = dir.join("changed.txt");
    std::fs::write(&list, "").unwrap();
    let at = format!("@{}", list.display());
    let run = common::run(&[
        "check",
        "--format",
        "json",
        "--only-report",
        &at,
        "fixtures/demo",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(common::located(&run).is_empty());
    // A listed path that names no input is said.
    let run = common::check_json(&["--only-report", "README.md", "fixtures/demo"]);
    assert!(
        run.stderr.contains("name no input file (first: README.md)"),
        "{}",
        run.stderr
    );
}

/// The conventions of the linters CI already runs: `--format concise`, `--statistics`,
/// `--exit-zero`, `-q`, several reports in one run (`FORMAT:FILE`), rule selection by glob
/// and prefix, short flags.
#[test]
fn ci_conventions_formats_statistics_and_selection() {
    let dir = scratch("ci-conventions");
    let input = "fixtures/gitops-clusters";
    let concise = run(&["check", "-f", "concise", "--fail-on", "never", input]);
    assert_eq!(concise.code, 0);
    let first = concise.stdout.lines().next().unwrap();
    let parts: Vec<&str> = first.splitn(4, ':').collect();
    assert!(parts[0].ends_with(".yaml"), "{first}");
    assert!(
        parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok(),
        "{first}"
    );
    assert!(
        parts[3].starts_with(" warning ") || parts[3].starts_with(" error "),
        "{first}"
    );
    let json = run(&["check", "--format", "json", "--fail-on", "never", input]).json();
    let count = json["findings"].as_array().unwrap().len();
    assert_eq!(concise.stdout.lines().count(), count);

    // Several reports from one reading; stdout gets the statistics.
    let sarif = dir.join("out.sarif");
    let github = dir.join("out.txt");
    let both = run(&[
        "check",
        "-f",
        &format!("sarif:{}", sarif.display()),
        "-f",
        &format!("github:{}", github.display()),
        "--statistics",
        "--exit-zero",
        input,
    ]);
    assert_eq!(both.code, 0, "{}", both.stderr);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), count);
    assert_eq!(
        std::fs::read_to_string(&github).unwrap().lines().count(),
        count
    );
    assert!(
        both.stdout.contains("ingress-class-contested"),
        "{}",
        both.stdout
    );
    assert!(both
        .stdout
        .trim_end()
        .ends_with(&format!("{count}  finding(s)")));
    // Without --exit-zero the error fails the run.
    assert_eq!(run(&["check", "-q", input]).code, 1);

    // Two reports to stdout, or to one file, are usage errors.
    assert_eq!(run(&["check", "-f", "json", "-f", "human", input]).code, 2);
    let same = format!("json:{}", dir.join("x").display());
    assert_eq!(run(&["check", "-f", &same, "-f", &same, input]).code, 2);

    // -q: the findings, no summary line, nothing on stderr.
    let empty = dir.join("changed.txt");
    std::fs::write(&empty, "").unwrap();
    let listed = format!("@{}", empty.display());
    let quiet = run(&[
        "check",
        "-q",
        "--fail-on",
        "never",
        "--only-report",
        &listed,
        input,
    ]);
    assert_eq!(quiet.stdout, "");
    assert_eq!(quiet.stderr, "");

    // Rules by glob and by prefix; a pattern naming no rule is a usage error.
    let rules = |pattern: &str| -> Vec<String> {
        let json = run(&[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--select",
            pattern,
            input,
        ])
        .json();
        let mut rules: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        rules.dedup();
        rules
    };
    assert_eq!(rules("ingress-class-*"), ["ingress-class-contested"]);
    assert_eq!(rules("ingress-class-"), ["ingress-class-contested"]);
    let unknown = run(&["check", "--select", "controler-retired", input]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `controller-retired`"),
        "{}",
        unknown.stderr
    );
}

/// SARIF validates against the OASIS SARIF 2.1.0 schema (`tests/sarif-2.1.0-rtm.5.schema.json`,
/// from npm `@microsoft/jest-sarif` 1.0.0-beta.0, MIT, as published by SchemaStore; its one
/// malformed pattern, `run.language`'s stray `]`, made the regex it means), with a
/// `partialFingerprints` per result that stays the same when the finding moves down a line,
/// the rules' help as text and Markdown, and a directory named like a URI scheme kept a path.
#[test]
fn sarif_validates_with_fingerprints_that_survive_line_moves() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("tests/sarif-2.1.0-rtm.5.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let log = run(&[
        "check",
        "--format",
        "sarif",
        "--fail-on",
        "never",
        "fixtures",
    ])
    .json();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| e.to_string())
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().all(|r| r["help"]["markdown"]
        .as_str()
        .is_some_and(|m| m.contains("## Fix"))));

    let dir = scratch("sarif-fingerprints").join("ns:prod");
    std::fs::create_dir_all(&dir).unwrap();
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer, loadBalancerIP: 192.0.2.1}\n";
    let fingerprints = |text: &str| -> (Vec<String>, String) {
        std::fs::write(dir.join("svc.yaml"), text).unwrap();
        let log = common::run_in(
            &dir.join(".."),
            &[
                "check",
                "--format",
                "sarif",
                "--fail-on",
                "never",
                "ns:prod",
            ],
            None,
            &[],
        )
        .json();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string();
        let prints = results
            .iter()
            .map(|r| {
                r["partialFingerprints"]["ingressLintFingerprint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        (prints, uri)
    };
    let (before, uri) = fingerprints(service);
    assert!(!before.is_empty());
    assert_eq!(uri, "ns%3Aprod/svc.yaml");
    let (after, _) = fingerprints(&format!("# moved down\n\n{service}"));
    assert_eq!(before, after);
    let (changed, _) = fingerprints(&service.replace("name: web", "name: api"));
    assert_ne!(before, changed);
}

/// The GitHub Action: inputs reach scripts only through environment variables (an input is
/// never pasted into bash), the binary is cached by version, `check` runs once for both
/// reports, and SARIF goes up with the current `upload-sarif`.
#[test]
fn the_github_action_quotes_its_inputs_and_caches_the_build() {
    let action = std::fs::read_to_string(common::root().join("action.yml")).unwrap();
    for line in action.lines().filter(|l| l.contains("${{ inputs.")) {
        let trimmed = line.trim_start();
        let env_value = trimmed
            .split_once(": ${{ inputs.")
            .is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        assert!(
            env_value || trimmed.starts_with("if:"),
            "an input pasted into a script: {line}"
        );
    }
    assert!(action.contains("uses: actions/cache@"));
    assert!(action.contains("if: steps.cache.outputs.cache-hit != 'true'"));
    assert_eq!(
        action.matches("/bin/ingress-lint\" check ").count(),
        1,
        "{action}"
    );
    assert!(action.contains("--format sarif:ingress-lint.sarif --format github"));
    assert!(action.contains("github/codeql-action/upload-sarif@v4"));
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    for input in ["`paths`", "`args`", "`upload-sarif`"] {
        assert!(
            readme.contains(&format!("| {input} |")),
            "{input} undocumented"
        );
    }
}

/// Usage errors in one style whoever finds them (clap or ingress-lint), exit code 2; help
/// wraps to the terminal's width.
#[test]
fn usage_errors_share_one_style_and_help_wraps() {
    let parse = run(&["check", "--to-x", "fixtures/demo"]);
    let ours = run(&["check", "--to", "trafik", "fixtures/demo"]);
    for error in [&parse, &ours] {
        assert_eq!(error.code, 2);
        assert!(
            error.stderr.starts_with("ingress-lint: error: "),
            "{}",
            error.stderr
        );
    }
    let narrow = common::run_with(&["check", "--help"], None, &[("COLUMNS", "60")]).stdout;
    assert!(narrow.lines().all(|l| l.chars().count() <= 60), "{narrow}");
    let wide = common::run_with(&["check", "--help"], None, &[("COLUMNS", "100")]).stdout;
    assert!(wide.lines().any(|l| l.chars().count() > 60), "{wide}");
}

/// The progress line is drawn only on a terminal, outside CI: never in a log or a pipe.
#[test]
fn progress_stays_out_of_logs() {
    let piped = run(&["check", "--fail-on", "never", "fixtures"]);
    assert!(!piped.stderr.contains("file(s) read"), "{}", piped.stderr);
    // On a terminal (`script` gives one, where it exists) and past a second, it is drawn;
    // with CI set, it is not. The benchmark's size is not at hand here: a slow enough input
    // is not guaranteed, so only the CI side is asserted.
    let binary = env!("CARGO_BIN_EXE_ingress-lint");
    let under_ci = std::process::Command::new("script")
        .args([
            "-qc",
            &format!("{binary} check --fail-on never fixtures >/dev/null"),
            "/dev/null",
        ])
        .env("CI", "true")
        .current_dir(common::root())
        .output();
    if let Ok(out) = under_ci {
        assert!(!String::from_utf8_lossy(&out.stdout).contains("file(s) read"));
    }
}
