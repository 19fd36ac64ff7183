//! Runs the built binary from the project root, as a user would.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn run(args: &[&str]) -> Run {
    run_with(args, None, &[])
}

pub fn run_with(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    run_in(root(), args, stdin, env)
}

/// Runs the binary from another directory (for configuration discovery).
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ingress-lint"));
    command.args(args).current_dir(dir).env_remove("NO_COLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("binary runs");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write stdin");
    }
    let output = child.wait_with_output().expect("binary finishes");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `(rule, file, line, column)` of every finding of a `check --format json` run.
pub fn located(run: &Run) -> Vec<(String, String, u64, u64)> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// A fresh scratch directory under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target").join("test-scratch").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A controller's host ports from `inventory --format json`, as `port/PROTO` (`*` marks a port
/// bound through hostNetwork), sorted.
pub fn host_ports(controller: &serde_json::Value) -> Vec<String> {
    let mut ports: Vec<String> = controller["host_ports"]
        .as_array()
        .expect("host_ports")
        .iter()
        .map(|h| {
            format!(
                "{}{}/{}",
                h["host_port"],
                if h["implicit"] == true { "*" } else { "" },
                h["protocol"].as_str().unwrap_or_default()
            )
        })
        .collect();
    ports.sort();
    ports
}

/// `check --format json --fail-on never` with more arguments.
pub fn check_json(args: &[&str]) -> Run {
    let mut all = vec!["check", "--format", "json", "--fail-on", "never"];
    all.extend_from_slice(args);
    run(&all)
}

/// The findings of one rule in a `check --format json` report.
pub fn findings_of<'j>(check: &'j serde_json::Value, rule: &str) -> Vec<&'j serde_json::Value> {
    check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// `namespace/name` of the workloads serving an Ingress, from `inventory --format json`.
pub fn served_by(inventory: &serde_json::Value, ingress: &str) -> Vec<String> {
    inventory["ingresses"]
        .as_array()
        .expect("ingresses")
        .iter()
        .find(|i| i["name"] == ingress)
        .unwrap_or_else(|| panic!("no Ingress {ingress}"))["served_by"]
        .as_array()
        .expect("served_by")
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["namespace"].as_str().unwrap_or_default(),
                r["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// The documents of a YAML stream (a command's output), read with the project's own parser.
pub fn documents(text: &str) -> Vec<serde_json::Value> {
    let file = manifest::load_file(
        manifest::SourceText::new("out.yaml", text),
        manifest::parse::Limits::default(),
    );
    assert!(file.problems.is_empty(), "{:?}\n{text}", file.problems);
    file.documents
        .iter()
        .filter_map(|d| d.root)
        .map(|root| {
            manifest::model::decode::<serde_json::Value>(&file.tree, root)
                .value
                .unwrap()
        })
        .collect()
}
