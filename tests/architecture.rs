//! The house has one direction: each stage imports only the stages before it. The table here
//! is the one in ARCHITECTURE.md; a `crate::` path against it fails this test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod common;

/// Each module and the modules it may import (besides itself and the `manifest` crate).
const ALLOWED: &[(&str, &[&str])] = &[
    ("knowledge", &[]),
    ("findings", &[]),
    ("input", &[]),
    ("release", &["knowledge"]),
    ("load", &["findings", "input", "knowledge", "release"]),
    ("detect", &["knowledge", "load", "release"]),
    ("translate", &["detect", "knowledge", "load"]),
    ("convert", &["detect", "knowledge", "load", "translate"]),
    (
        "rules",
        &[
            "detect",
            "findings",
            "knowledge",
            "load",
            "release",
            "translate",
        ],
    ),
    ("plan", &["detect", "knowledge", "load", "release"]),
    (
        "report",
        &[
            "convert",
            "detect",
            "findings",
            "input",
            "knowledge",
            "load",
            "plan",
            "release",
            "rules",
            "translate",
        ],
    ),
    ("config", &["findings", "knowledge", "release", "rules"]),
    (
        "fuzzing",
        &[
            "convert",
            "detect",
            "findings",
            "knowledge",
            "load",
            "plan",
            "release",
            "report",
            "rules",
            "translate",
        ],
    ),
    (
        "cli",
        &[
            "config",
            "convert",
            "detect",
            "findings",
            "input",
            "knowledge",
            "load",
            "plan",
            "release",
            "report",
            "rules",
            "translate",
        ],
    ),
];

/// The crate modules a source text names through `crate::` (single paths and `use` groups),
/// comments left out.
fn imports(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}}`: the first segment of each top-level item.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.insert(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            found.insert(first_segment(&item));
        } else {
            found.insert(first_segment(rest));
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_stage_imports_only_the_stages_before_it() {
    let src = common::root().join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut violations = Vec::new();
    let mut seen_modules = BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        seen_modules.insert(module.clone());
        let Some(may) = allowed.get(module.as_str()) else {
            violations.push(format!(
                "{}: module `{module}` is not in the table",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for import in imports(&text) {
            if import != module && !may.contains(&import.as_str()) {
                violations.push(format!(
                    "{}: `{module}` imports `{import}`, against the direction",
                    relative.display()
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    let listed: BTreeSet<String> = allowed.keys().map(|m| m.to_string()).collect();
    assert_eq!(seen_modules, listed, "the table and src/ disagree");
}

#[test]
fn the_import_reader_sees_groups_and_skips_comments() {
    let text = "use crate::{detect::{self, Objects}, knowledge::knowledge};\n// crate::cli\nlet x = crate::rules::find(id);\n";
    let found: Vec<String> = imports(text).into_iter().collect();
    assert_eq!(found, ["detect", "knowledge", "rules"]);
}

/// A controller is data only: a throw-away controller file, and nothing in `src/`, makes its
/// workload recognised, its class served and its Ingress matched. (`build.rs` compiles in
/// every file of `rules/controllers/`; a knowledge test checks the folder against the list.)
#[test]
fn a_controller_file_is_all_a_new_controller_needs() {
    use ingress_lint::detect::{self, Objects};
    use ingress_lint::load::{load_bytes, Loaded};
    let controller = r#"
id: throwaway
name: Throw-away Ingress
lifecycle: maintained
traffic: in-cluster
images:
  - {path: example/throwaway-ingress, role: controller}
labels: {}
settings:
  - {name: class, flags: [--ingress-class], default: throwaway}
providers:
  - name: ingress
    class: class
    controller_values: [example.com/throwaway]
    classless_when: []
    annotation_keys: [kubernetes.io/ingress.class]
    precedence: field
publishes_status_when: []
annotation_prefixes: [throwaway.example.com]
sources: [https://example.com/throwaway]
"#;
    let knowledge: &'static _ = Box::leak(Box::new(
        ingress_lint::knowledge::read_with_controllers(&[(
            "rules/controllers/throwaway.yaml",
            controller,
        )])
        .unwrap(),
    ));
    let manifests = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: edge, namespace: ops}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: c, image: registry.example.com/example/throwaway-ingress:1.0, args: [--ingress-class=edge]}\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: edge}\nspec: {controller: example.com/throwaway}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: app, namespace: apps}\nspec: {ingressClassName: edge}\n";
    let setup = ingress_lint::release::Setup {
        namespace: "default",
        ..Default::default()
    };
    let loaded = Loaded::from_files(vec![load_bytes("a.yaml", Ok(manifests.to_vec()))], &setup);
    let objects = Objects::new(&loaded, "default", None);
    let inventory = detect::build(&objects, knowledge);
    assert_eq!(inventory.controllers.len(), 1);
    assert_eq!(inventory.controllers[0].controller.id, "throwaway");
    let app = &inventory.ingresses[0];
    assert_eq!(app.served_by[..], [(0, 0)]);
}
