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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir] = &args[..] {
        if flag == "--bare-parse" {
            bare_parse(Path::new(dir));
            return;
        }
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
    let runs_given: Option<usize> = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
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
