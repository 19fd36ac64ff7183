//! Throughput of the pipeline on a real corpus, next to the bare parse of the same bytes.
//!
//! `cargo bench --bench pipeline [-- DIR]` (default: `../shared/corpus/bulk`, the large real
//! bundles; any folder of manifests works). Reads every file once into memory, then for each
//! stage takes the best of several rounds, single-threaded and in parallel:
//! - `events`: granit-parser events only — the floor of any YAML reading;
//! - `load`: located trees + typed k8s-openapi objects + problems (`manifest::load_file`);
//! - `check`: load + inventory + every rule (what `ingress-lint check` does, minus output),
//!   with the inventory build (`detect`) timed on its own.
//!
//! Not a test: nothing asserts on time. Results go to stdout.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ingress_lint::detect::{self, Objects};
use ingress_lint::knowledge::knowledge;
use ingress_lint::load::Loaded;
use ingress_lint::manifest::parse::Limits;
use ingress_lint::manifest::{load_file, SourceText};
use ingress_lint::rules::{self, RuleOptions};
use rayon::prelude::*;

const ROUNDS: usize = 10;

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push((p.display().to_string(), text));
                }
            }
        }
    }
    out.sort();
    out
}

fn best<F: FnMut()>(mut f: F) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn events(text: &str) -> usize {
    granit_parser::Parser::new_from_str(text)
        .take_while(Result::is_ok)
        .count()
}

fn load(inputs: &[(String, String)], parallel: bool) -> Loaded {
    let one = |(name, text): &(String, String)| {
        load_file(
            SourceText::new(name.clone(), text.as_str()),
            Limits::default(),
        )
    };
    let files = if parallel {
        inputs.par_iter().map(one).collect()
    } else {
        inputs.iter().map(one).collect()
    };
    let setup = ingress_lint::release::Setup {
        namespace: "default",
        ..Default::default()
    };
    Loaded::from_files(files, &setup)
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(
            || {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../shared/corpus/bulk"
                ))
            },
            PathBuf::from,
        );
    let inputs = files(&dir);
    let bytes: usize = inputs.iter().map(|(_, t)| t.len()).sum();
    if inputs.is_empty() {
        eprintln!("no manifests under {}", dir.display());
        return;
    }
    let documents = load(&inputs, true).documents();
    println!("corpus: {} — {} files, {:.1} MB, {documents} documents; best of {ROUNDS} rounds, {} threads available", dir.display(), inputs.len(), bytes as f64 / 1e6, rayon::current_num_threads());
    let mb = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    let options = RuleOptions {
        namespace: "default".into(),
        ..RuleOptions::default()
    };
    for parallel in [false, true] {
        let label = if parallel { "parallel" } else { "1 thread" };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(if parallel { 0 } else { 1 })
            .build()
            .expect("thread pool");
        pool.install(|| {
            let bare = best(|| {
                let n: usize = if parallel { inputs.par_iter().map(|(_, t)| events(t)).sum() } else { inputs.iter().map(|(_, t)| events(t)).sum() };
                std::hint::black_box(n);
            });
            let loaded = best(|| {
                std::hint::black_box(load(&inputs, parallel));
            });
            let loaded_once = load(&inputs, parallel);
            let detect = best(|| {
                let objects = Objects::new(&loaded_once, "default", None);
                std::hint::black_box(detect::build(&objects, knowledge()));
            });
            let checked = best(|| {
                let loaded = load(&inputs, parallel);
                std::hint::black_box(rules::run(&loaded, &options));
            });
            println!("{label:>8}: events {:7.1} MB/s | load {:7.1} MB/s ({:.0}% of events) | check {:7.1} MB/s ({:.0}% of events) | {:.0} ms, of which inventory {:.0} ms",
                mb(bare), mb(loaded), 100.0 * bare.as_secs_f64() / loaded.as_secs_f64(), mb(checked), 100.0 * bare.as_secs_f64() / checked.as_secs_f64(), checked.as_secs_f64() * 1e3, detect.as_secs_f64() * 1e3);
        });
    }
}
