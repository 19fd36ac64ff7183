//! Hostile repositories and faults: nothing written outside what was asked.

mod common;

use common::{run, run_in, scratch};

/// Every file's bytes below `dir`, by path.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap().flatten() {
            let p = entry.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A repository holding the output folder can plant symlinks in it (git commits them): a
/// file link, a directory link, and one at the shared file. `convert --output-dir` refuses
/// them, exit code 2, and no byte outside the folder changes.
#[test]
fn convert_never_writes_through_a_symlink() {
    let root = scratch("hardening-symlinks");
    let outside = root.join("outside");
    std::fs::create_dir_all(outside.join("dir")).unwrap();
    std::fs::write(outside.join("victim.yaml"), "do not touch\n").unwrap();
    std::fs::write(outside.join("dir/demo.yaml"), "do not touch either\n").unwrap();
    let before = snapshot(&outside);
    for (link, target) in [
        ("fixtures/demo", outside.join("dir")),
        ("ingress-lint-shared.yaml", outside.join("victim.yaml")),
    ] {
        let out = root.join(format!("out-{}", link.replace('/', "-")));
        std::fs::create_dir_all(out.join("fixtures")).unwrap();
        std::os::unix::fs::symlink(&target, out.join(link)).unwrap();
        let run = run_in(
            common::root(),
            &[
                "convert",
                "--to",
                "gateway-api",
                "--output-dir",
                out.to_str().unwrap(),
                "--report",
                root.join("report.md").to_str().unwrap(),
                "fixtures/demo",
            ],
            None,
            &[],
        );
        assert_eq!(run.code, 2, "{link}: {}", run.stderr);
        assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    }
    assert_eq!(snapshot(&outside), before);
}

/// `--output` and `--report` on a symlink are refused, the target untouched.
#[test]
fn reports_are_not_written_through_a_symlink() {
    let root = scratch("hardening-report-symlink");
    std::fs::write(root.join("victim"), "keep\n").unwrap();
    std::os::unix::fs::symlink(root.join("victim"), root.join("report.json")).unwrap();
    let out = root.join("report.json");
    for args in [
        vec![
            "check",
            "--format",
            "json",
            "--output",
            out.to_str().unwrap(),
            "fixtures/demo",
        ],
        vec![
            "inventory",
            "--output",
            out.to_str().unwrap(),
            "fixtures/demo",
        ],
        vec![
            "baseline",
            "--output",
            out.to_str().unwrap(),
            "fixtures/demo",
        ],
        vec![
            "convert",
            "--to",
            "traefik",
            "--report",
            out.to_str().unwrap(),
            "fixtures/demo",
        ],
    ] {
        let run = run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(root.join("victim")).unwrap(),
        "keep\n"
    );
}

/// `--output-dir .` over the sources is refused unless `--force`.
#[test]
fn output_dir_over_the_sources_needs_force() {
    let root = scratch("hardening-over-sources");
    let source = common::root().join("fixtures/convert/web.yaml");
    std::fs::copy(&source, root.join("web.yaml")).unwrap();
    let before = std::fs::read(root.join("web.yaml")).unwrap();
    let args = [
        "convert",
        "--to",
        "haproxy",
        "--output-dir",
        ".",
        "web.yaml",
    ];
    let refused = run_in(&root, &args, None, &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read(root.join("web.yaml")).unwrap(), before);
    let mut forced: Vec<&str> = args.to_vec();
    forced.push("--force");
    let written = run_in(&root, &forced, None, &[]);
    assert_ne!(written.code, 2, "{}", written.stderr);
    assert_ne!(std::fs::read(root.join("web.yaml")).unwrap(), before);
}

/// stderr or stdout that cannot be written (`2>/dev/full`) is no panic (exit 134): the
/// commands whose product went there exit 2, the others go on.
#[test]
fn unwritable_streams_are_no_panic() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let status = |args: &[&str], stdout_full: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ingress-lint"));
        command.args(args).current_dir(common::root());
        command.stderr(full());
        if stdout_full {
            command.stdout(full());
        } else {
            command.stdout(std::process::Stdio::null());
        }
        command.status().unwrap().code()
    };
    let baseline = scratch("hardening-full").join("baseline.json");
    let cases: [(&[&str], bool, i32); 6] = [
        (&["convert", "--to", "traefik", "fixtures/demo"], false, 2),
        (
            &[
                "baseline",
                "--output",
                baseline.to_str().unwrap(),
                "fixtures/demo",
            ],
            false,
            0,
        ),
        (
            &[
                "check",
                "--fail-if-no-objects",
                "fixtures/precision/templates-only",
            ],
            false,
            1,
        ),
        (&["check", "fixtures/demo"], true, 2),
        (&["--help"], true, 2),
        (&["--version"], true, 2),
    ];
    for (args, stdout_full, expected) in cases {
        assert_eq!(status(args, stdout_full), Some(expected), "{args:?}");
    }
}

/// Ignore files committed as a link to /dev/zero, or a FIFO, and side files on /dev/zero:
/// read only as regular files under a cap — a located note or a usage error, never a hang or
/// 4 GB of memory.
#[test]
fn side_files_are_regular_files_under_a_cap() {
    let dir = scratch("hardening-side-files");
    std::fs::write(
        dir.join("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join(".gitignore")).unwrap();
    let fifo = dir.join(".ignore");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let check = run(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let report = check.json();
    assert_eq!(
        report["summary"]["objects"], 1,
        "the manifest is still checked"
    );
    let unreadable = common::findings_of(&report, "input-unreadable");
    let expected = if made.is_ok_and(|s| s.success()) {
        2
    } else {
        1
    };
    assert_eq!(unreadable.len(), expected, "{report}");
    for flag in [
        ["--config", "/dev/zero"],
        ["--baseline", "/dev/zero"],
        ["--only-report", "@/dev/zero"],
    ] {
        let mut args = vec!["check"];
        args.extend(flag);
        args.push(dir.to_str().unwrap());
        let run = run(&args);
        assert_eq!(run.code, 2, "{flag:?}: {}", run.stderr);
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    }
}

/// Suppressions and `--only-report` are looked up, not scanned: many objects in one file,
/// many listed paths (the figures are in the closing note; this checks what they select).
#[test]
fn suppressions_and_only_report_at_scale_select_the_same() {
    let dir = scratch("hardening-scale");
    let apps = dir.join("apps");
    std::fs::create_dir_all(&apps).unwrap();
    let mut text = String::new();
    for i in 0..2000 {
        let suppress = if i % 2 == 0 {
            "    ignore-check.ingress-lint.io/annotation-snippet: \"generated\"\n"
        } else {
            ""
        };
        text += &format!("---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web-{i}\n  annotations:\n{suppress}    nginx.ingress.kubernetes.io/server-snippet: \"return 200;\"\nspec:\n  ingressClassName: nginx\n");
    }
    std::fs::write(apps.join("big.yaml"), &text).unwrap();
    std::fs::write(dir.join("other.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {type: LoadBalancer, loadBalancerIP: 1.2.3.4}\n").unwrap();
    let mut list: String = (0..20000)
        .map(|i| format!("elsewhere/{i}.yaml\n"))
        .collect();
    list += &format!("{}\n", apps.display());
    let list_file = dir.join("changed.txt");
    std::fs::write(&list_file, list).unwrap();
    let check = run(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--only-report",
        &format!("@{}", list_file.display()),
        dir.to_str().unwrap(),
    ])
    .json();
    let findings = check["findings"].as_array().unwrap();
    let snippets = findings
        .iter()
        .filter(|f| f["rule"] == "annotation-snippet");
    let (suppressed, reported): (Vec<_>, Vec<_>) = snippets.partition(|f| f["suppressed"] == true);
    assert_eq!((suppressed.len(), reported.len()), (1000, 1000));
    assert!(
        !findings
            .iter()
            .any(|f| f["rule"] == "load-balancer-ip-deprecated"),
        "other.yaml is not listed"
    );
}

/// Kustomize bases shared through many paths (a diamond, 30 levels: 2^30 paths) are built
/// once each, and the duplicates `kustomize build` rejects are said; a 2,000-deep chain of
/// overlays is bounded, not a stack overflow.
#[test]
fn kustomize_diamonds_and_deep_chains_stay_linear() {
    let dir = scratch("hardening-diamond");
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("d/base/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer, loadBalancerIP: 1.2.3.4}\n");
    write("d/base/kustomization.yaml", "resources: [svc.yaml]\n");
    let levels = 30;
    for level in 1..=levels {
        let below = if level == 1 {
            "../base".to_string()
        } else {
            format!("../l{}a", level - 1)
        };
        let other = if level == 1 {
            "../base".to_string()
        } else {
            format!("../l{}b", level - 1)
        };
        for side in ["a", "b"] {
            write(
                &format!("d/l{level}{side}/kustomization.yaml"),
                &format!("resources: [{below}, {other}]\n"),
            );
        }
    }
    write(
        "d/top/kustomization.yaml",
        &format!("resources: [../l{levels}a]\n"),
    );
    for depth in 0..2000 {
        let resource = if depth == 1999 {
            "svc.yaml".to_string()
        } else {
            format!("../c{}", depth + 1)
        };
        write(
            &format!("chain/c{depth}/kustomization.yaml"),
            &format!("resources: [{resource}]\n"),
        );
    }
    write(
        "chain/c1999/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: deep}\nspec: {type: ClusterIP}\n",
    );
    let run = run(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let unresolved = common::findings_of(&report, "kustomization-unresolved");
    assert!(
        unresolved.iter().any(|f| f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already registered id")),
        "{report}"
    );
    assert!(
        unresolved.iter().any(|f| f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("chain of more than")),
        "{report}"
    );
    // The base's Service is one object of the build, found once.
    assert_eq!(
        common::findings_of(&report, "load-balancer-ip-deprecated").len(),
        1,
        "{report}"
    );
}

/// Values Helm cannot use are said, never rendered with guesses: a billion-laughs document
/// behind `valuesFrom` (a ConfigMap, like a Secret) leaves the release unread, and a
/// `controller.kind` the chart does not compare equal renders no workload (not both).
#[test]
fn unusable_values_are_said_not_guessed() {
    let dir = scratch("hardening-values");
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i", "j"]
        .iter()
        .enumerate()
    {
        let previous = ["a", "b", "c", "d", "e", "f", "g", "h", "i"][i];
        bomb += &format!("{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n");
    }
    let indented: String = bomb.lines().map(|l| format!("    {l}\n")).collect();
    std::fs::write(
        dir.join("release.yaml"),
        format!("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: ingress-nginx, namespace: ingress-nginx}}\nspec:\n  chart:\n    spec: {{chart: ingress-nginx, version: 4.11.3, sourceRef: {{kind: HelmRepository, name: ingress-nginx}}}}\n  valuesFrom:\n    - {{kind: ConfigMap, name: values}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: values, namespace: ingress-nginx}}\ndata:\n  values.yaml: |\n{indented}"),
    )
    .unwrap();
    let check = common::check_json(&[dir.to_str().unwrap()]).json();
    let unresolved = common::findings_of(&check, "helm-release-unresolved");
    assert_eq!(unresolved.len(), 1, "{check}");
    assert!(
        unresolved[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("does not parse"),
        "{check}"
    );
    let kind = scratch("hardening-kind");
    std::fs::write(
        kind.join("release.yaml"),
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ingress-nginx, namespace: ingress-nginx}\nspec:\n  chart:\n    spec: {chart: ingress-nginx, version: 4.11.3, sourceRef: {kind: HelmRepository, name: ingress-nginx}}\n  values:\n    controller:\n      kind: Daemonset\n",
    )
    .unwrap();
    let check = common::check_json(&[kind.to_str().unwrap()]).json();
    assert!(
        common::findings_of(&check, "ingress-class-contested").is_empty(),
        "{check}"
    );
    let unresolved = common::findings_of(&check, "helm-release-unresolved");
    assert!(
        unresolved[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("`controller.kind` is `Daemonset`"),
        "{check}"
    );
}

/// Two controller charts of one umbrella release (ingress-nginx and Traefik): each Service
/// exposes its own chart's controller only.
#[test]
fn umbrella_subcharts_keep_their_own_services() {
    let dir = scratch("hardening-umbrella").join("edge");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: edge\nversion: 1.0.0\ndependencies:\n  - {name: ingress-nginx, version: 4.11.3, repository: https://kubernetes.github.io/ingress-nginx}\n  - {name: traefik, version: 33.0.0, repository: https://traefik.github.io/charts}\n").unwrap();
    std::fs::write(
        dir.join("values.yaml"),
        "ingress-nginx:\n  controller:\n    service:\n      externalTrafficPolicy: Local\n",
    )
    .unwrap();
    let inventory = run(&["inventory", "--format", "json", dir.to_str().unwrap()]).json();
    let controllers = inventory["controllers"].as_array().unwrap();
    assert_eq!(controllers.len(), 2, "{inventory}");
    for controller in controllers {
        let services = controller["services"].as_array().unwrap();
        assert_eq!(services.len(), 1, "{controller}");
        let service = services[0]["name"].as_str().unwrap_or_default();
        let own = if controller["id"] == "traefik" {
            "edge-traefik"
        } else {
            "edge-ingress-nginx-controller"
        };
        assert_eq!(service, own, "{controller}");
    }
}

/// Control characters and bidi overrides in a file name reach no terminal raw, and markdown
/// link targets are percent-encoded.
#[test]
fn hostile_file_names_are_escaped() {
    let dir = scratch("hardening-names");
    let name = "evil\u{1b}[31m\u{202e}lmay.yaml";
    std::fs::write(
        dir.join(name),
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {type: LoadBalancer, loadBalancerIP: 1.2.3.4}\n",
    )
    .unwrap();
    let human = run(&[
        "check",
        "--color",
        "never",
        "--fail-on",
        "never",
        dir.to_str().unwrap(),
    ]);
    assert!(!human.stdout.contains('\u{1b}'), "{}", human.stdout);
    assert!(!human.stdout.contains('\u{202e}'), "{}", human.stdout);
    assert!(
        human.stdout.contains("evil\\u{1b}[31m\\u{202e}lmay.yaml"),
        "{}",
        human.stdout
    );
    let markdown = run(&[
        "check",
        "--format",
        "markdown",
        "--fail-on",
        "never",
        dir.to_str().unwrap(),
    ]);
    assert!(
        markdown
            .stdout
            .contains("evil%1B%5B31m%E2%80%AElmay.yaml#L4"),
        "{}",
        markdown.stdout
    );
    assert!(!markdown.stdout.contains('\u{202e}'), "{}", markdown.stdout);
}

/// A bad glob of the configuration's `exclude:` is said as the configuration's, not as
/// `--exclude`.
#[test]
fn a_bad_configuration_glob_is_the_configurations() {
    let dir = scratch("hardening-config-glob");
    std::fs::write(dir.join(".ingress-lint.yaml"), "exclude: [\"a[b\"]\n").unwrap();
    let run = run_in(&dir, &["check", "."], None, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".ingress-lint.yaml: exclude `a[b`")
            && !run.stderr.contains("--exclude"),
        "{}",
        run.stderr
    );
}

/// A port outside 1–65535 in a release's values is left out and said, not accepted silently.
#[test]
fn ports_outside_the_range_are_said() {
    let dir = scratch("hardening-ports");
    std::fs::write(
        dir.join("release.yaml"),
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ingress-nginx, namespace: ingress-nginx}\nspec:\n  chart:\n    spec: {chart: ingress-nginx, version: 4.11.3, sourceRef: {kind: HelmRepository, name: ingress-nginx}}\n  values:\n    controller:\n      service:\n        ports:\n          http: 70000\n",
    )
    .unwrap();
    let check = common::check_json(&[dir.to_str().unwrap()]).json();
    let unresolved = common::findings_of(&check, "helm-release-unresolved");
    assert!(
        unresolved.iter().any(|f| f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("70000 is not a port number")),
        "{check}"
    );
    let inventory = run(&["inventory", "--format", "json", dir.to_str().unwrap()]).json();
    let ports = inventory["controllers"][0]["services"][0]["ports"].to_string();
    assert!(!ports.contains("70000"), "{ports}");
}

/// One object defined several times is one object: a chart render copied into two files,
/// or repeated in one stream, is one controller (no class "served by 2 controllers" of one
/// name), exposed by its own Service once; in one stream the last definition is the one
/// applied. Three hundred copies in one stream stay linear (a Service selecting every copy
/// of the workload was quadratic in time and memory).
#[test]
fn an_object_defined_twice_is_one_object() {
    let render = std::fs::read_to_string(
        common::root().join("../shared/corpus/charts/ingress-nginx/default.yaml"),
    )
    .unwrap();
    let dir = scratch("defined-twice");
    std::fs::write(dir.join("a.yaml"), &render).unwrap();
    std::fs::write(dir.join("b.yaml"), &render).unwrap();
    let check = run(&["check", "--format", "json", dir.to_str().unwrap()]).json();
    assert!(
        common::findings_of(&check, "ingress-class-contested").is_empty(),
        "{check}"
    );
    let inventory = run(&["inventory", "--format", "json", dir.to_str().unwrap()]).json();
    let controllers = inventory["controllers"].as_array().unwrap();
    assert_eq!(controllers.len(), 1, "{inventory}");
    assert!(controllers[0]["workload"]["file"]
        .as_str()
        .unwrap()
        .ends_with("a.yaml"));

    // In one stream the later definition is what applying leaves: here a ClusterIP Service.
    let relabelled = render.replacen("type: LoadBalancer", "type: ClusterIP", 1);
    let stream = dir.join("stream.yaml");
    std::fs::write(&stream, format!("{render}\n---\n{relabelled}")).unwrap();
    let inventory = run(&["inventory", "--format", "json", stream.to_str().unwrap()]).json();
    let exposure = &inventory["controllers"][0]["exposure"];
    assert_eq!(exposure, &serde_json::json!(["clusterip"]), "{inventory}");

    let copies = dir.join("copies.yaml");
    std::fs::write(&copies, format!("{render}\n---\n").repeat(300)).unwrap();
    let check = run(&["check", "--format", "json", copies.to_str().unwrap()]).json();
    assert_eq!(
        common::findings_of(&check, "controller-retired").len(),
        1,
        "{check}"
    );
}
