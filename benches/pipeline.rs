//! The scale benchmark. `cargo bench --bench pipeline` builds the benchmark input with
//! `../shared/bench/make_bench_corpus.py` (in `target/bench-corpus/`) at 10k, 50k, 100k and
//! 1M documents (`-- --sizes 10000,100000` for others), and for each size runs, each as a
//! process of its own:
//! - the bare event parse of the same bytes with the same parser, built and set up as
//!   `check` uses it (granit-parser without comment events; the files read and parsed in
//!   parallel, as `check` reads them) — the floor of any YAML reading;
//! - `ingress-lint check --format json` (this build's binary) with the corpus's clusters
//!   configured, and as one cluster (`clusters: single`).
//!
//! It prints documents/s, MB/s, peak RSS (the process's own, from `wait4`) and the ratio to
//! the bare parse measured in the same run. Each figure is the fastest of three processes
//! (one at a million documents; `--runs N` for others) and the highest peak RSS among them:
//! on a shared machine a single run can be off by half. Not a test: nothing asserts on time.
//!
//! `-- --values-ingresses 5000` instead times `check` and `inventory` over a home-lab-shaped
//! repository of that many Flux HelmReleases of the app-template chart (one app per folder,
//! with its kustomization, each declaring two Ingresses in its values), built in
//! `target/bench-values/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rayon::prelude::*;

const SIZES: [usize; 4] = [10_000, 50_000, 100_000, 1_000_000];

/// What one process did.
struct Measured {
    elapsed: Duration,
    /// Peak resident set size, bytes.
    peak: u64,
    stdout: String,
}

/// The fastest of `runs` runs of a command, with the highest peak RSS of them.
fn best_of(runs: usize, mut command: impl FnMut() -> Command) -> Measured {
    let mut best = measure(&mut command());
    for _ in 1..runs {
        let next = measure(&mut command());
        best = Measured {
            peak: best.peak.max(next.peak),
            ..if next.elapsed < best.elapsed {
                next
            } else {
                best
            }
        };
    }
    best
}

/// Runs a command to its end, timing it and reading its own peak RSS.
// The child is reaped by `wait4`, which also gives its resource usage.
#[allow(clippy::zombie_processes)]
fn measure(command: &mut Command) -> Measured {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let stdout = child.stdout.map(|mut out| {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut text);
        text
    });
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct wait4 fills; the child is ours and not yet waited.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    Measured {
        elapsed: start.elapsed(),
        peak: usage.ru_maxrss as u64 * 1024,
        stdout: stdout.unwrap_or_default(),
    }
}

/// The manifests below a folder, as `check` finds them (YAML and JSON).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                out.push(p);
            }
        }
    }
    out
}

/// The child side of the bare parse: reads and parses every file, prints documents and bytes.
fn bare_parse(dir: &Path) {
    let (documents, bytes) = files(dir)
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            // The options `check` parses with: comment events off.
            let options = granit_parser::options! { emit_comments: false };
            let documents = granit_parser::Parser::new_from_str_with_options(&text, options)
                .map_while(Result::ok)
                .filter(|(event, _)| matches!(event, granit_parser::Event::DocumentStart(..)))
                .count();
            (documents, text.len())
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{documents} {bytes}");
}

fn corpus(size: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target/bench-corpus").join(size.to_string());
    let script = root.join("../shared/bench/make_bench_corpus.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(&out)
        .arg(size.to_string())
        .arg("--clusters")
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs make_bench_corpus.py");
    assert!(status.success(), "make_bench_corpus.py failed");
    out
}

/// A GitOps repository of `releases` app-template HelmReleases, as home-lab repositories lay
/// them out: `kubernetes/apps/<namespace>/<app>/app/{helmrelease,kustomization}.yaml`.
fn values_repository(releases: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target/bench-values").join(releases.to_string());
    let _ = std::fs::remove_dir_all(&out);
    let repositories = out.join("kubernetes/flux/repositories");
    std::fs::create_dir_all(&repositories).expect("create the repository");
    std::fs::write(
        repositories.join("bjw-s.yaml"),
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: bjw-s\n  namespace: flux-system\nspec:\n  type: oci\n  url: oci://ghcr.io/bjw-s/helm\n",
    )
    .expect("write");
    for n in 0..releases {
        let namespace = format!("team-{}", n % 40);
        let app = format!("app-{n}");
        let dir = out.join(format!("kubernetes/apps/{namespace}/{app}/app"));
        std::fs::create_dir_all(&dir).expect("create the app");
        std::fs::write(
            dir.join("kustomization.yaml"),
            format!("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: {namespace}\nresources:\n  - ./helmrelease.yaml\n"),
        )
        .expect("write");
        let class = if n % 6 == 0 {
            "external-nginx"
        } else {
            "internal-nginx"
        };
        std::fs::write(
            dir.join("helmrelease.yaml"),
            format!(
                "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {app}\nspec:\n  interval: 30m\n  chart:\n    spec:\n      chart: app-template\n      version: 3.5.1\n      sourceRef:\n        kind: HelmRepository\n        name: bjw-s\n        namespace: flux-system\n  values:\n    controllers:\n      {app}:\n        containers:\n          app:\n            image:\n              repository: ghcr.io/example/{app}\n              tag: 1.0.{n}\n            env:\n              TZ: Europe/Berlin\n    service:\n      app:\n        controller: {app}\n        ports:\n          http:\n            port: 8080\n    ingress:\n      app:\n        className: {class}\n        annotations:\n          nginx.ingress.kubernetes.io/proxy-body-size: 50m\n          gethomepage.dev/enabled: \"true\"\n        hosts:\n          - host: \"{{{{ .Release.Name }}}}.example.com\"\n            paths:\n              - path: /\n                service:\n                  identifier: app\n                  port: http\n      api:\n        className: {class}\n        hosts:\n          - host: {app}-api.example.com\n            paths:\n              - path: /api\n                pathType: Prefix\n                service:\n                  identifier: app\n                  port: http\n    persistence:\n      config:\n        existingClaim: {app}\n"
            ),
        )
        .expect("write");
    }
    out
}

/// Times `check` and `inventory` over a repository of values-defined Ingresses.
fn values_benchmark(releases: usize, runs: usize) {
    let dir = values_repository(releases);
    let binary = env!("CARGO_BIN_EXE_ingress-lint");
    println!("| HelmReleases | command | time | peak RSS | Ingresses |");
    println!("|---:|---|---:|---:|---:|");
    for command in ["check", "inventory"] {
        let measured = best_of(runs, || {
            let mut run = Command::new(binary);
            run.current_dir(&dir)
                .args([command, ".", "--format", "json"]);
            if command == "check" {
                run.args(["--fail-on", "never"]);
            }
            run
        });
        let ingresses = serde_json::from_str::<serde_json::Value>(&measured.stdout)
            .ok()
            .and_then(|report| {
                report
                    .get("ingresses")
                    .and_then(|i| i.as_array().map(Vec::len))
            })
            .map_or_else(|| "-".to_string(), |n| n.to_string());
        println!(
            "| {releases} | {command} | {:.2} s | {:.0} MB | {ingresses} |",
            measured.elapsed.as_secs_f64(),
            measured.peak as f64 / 1e6,
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir] = &args[..] {
        if flag == "--bare-parse" {
            bare_parse(Path::new(dir));
            return;
        }
    }
    let runs_given: Option<usize> = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
    if let Some(releases) = args
        .iter()
        .position(|a| a == "--values-ingresses")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
    {
        values_benchmark(releases, runs_given.unwrap_or(3).max(1));
        return;
    }
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map(|list| {
            list.split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| SIZES.to_vec());
    let binary = env!("CARGO_BIN_EXE_ingress-lint");
    let me = std::env::current_exe().expect("own path");
    let single = std::env::temp_dir().join("ingress-lint-bench-single.yaml");
    std::fs::write(&single, "clusters: single\n").expect("write config");
    println!(
        "{} threads; bare parse and check in the same run, each the fastest of {} processes",
        rayon::current_num_threads(),
        runs_given.map_or("3 (1 at 1M documents)".to_string(), |n| n.to_string())
    );
    println!("| documents | input | clusters | bare parse | check | ratio | documents/s | MB/s | peak RSS | RSS / input |");
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        let dir = corpus(size);
        let runs = runs_given
            .unwrap_or(if size >= 1_000_000 { 1 } else { 3 })
            .max(1);
        let bare = best_of(runs, || {
            let mut command = Command::new(&me);
            command.arg("--bare-parse").arg(&dir);
            command
        });
        let mut counts = bare
            .stdout
            .split_whitespace()
            .map(|n| n.parse::<f64>().unwrap_or(0.0));
        let (documents, bytes) = (counts.next().unwrap_or(0.0), counts.next().unwrap_or(0.0));
        for (label, config) in [("configured", None), ("one", Some(&single))] {
            let check = best_of(runs, || {
                let mut command = Command::new(binary);
                command.current_dir(&dir).args([
                    "check",
                    ".",
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    "--output",
                    "/dev/null",
                ]);
                if let Some(config) = config {
                    command.arg("--config").arg(config);
                }
                command
            });
            let seconds = check.elapsed.as_secs_f64();
            println!(
                "| {documents:.0} | {:.0} MB | {label} | {:.2} s | {seconds:.2} s | {:.2}× | {:.0} | {:.1} | {:.0} MB | {:.1}× |",
                bytes / 1e6,
                bare.elapsed.as_secs_f64(),
                seconds / bare.elapsed.as_secs_f64(),
                documents / seconds,
                bytes / 1e6 / seconds,
                check.peak as f64 / 1e6,
                check.peak as f64 / bytes,
            );
        }
    }
}
