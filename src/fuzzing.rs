//! The entry point of the fuzz target (`fuzz/`): everything after the file system, on
//! arbitrary bytes — decoding, parsing, modelling, every rule, and every command's report in
//! every format.

use crate::detect::{self, Objects};
use crate::knowledge::knowledge;
use crate::knowledge::NGINX;
use crate::load::{load_bytes, Loaded};
use crate::plan::{plan, Request};
use crate::report;
use crate::rules::{self, RuleOptions};
use crate::translate::{migration, translate};

/// A report that does not serialise is a defect the fuzzer must find, not an empty output.
const SERIALISES: &str = "every report serialises";

/// Marks the start of another file in a fuzz input: `\n#>>> NAME\n`. A repository (Kustomize
/// overlays, clusters) is several files; an input without the mark is one file.
const FILE_MARK: &[u8] = b"\n#>>> ";

/// The files of a fuzz input, sorted by name (as the input stage gathers them), names unique.
fn files_of(data: &[u8]) -> Vec<(String, &[u8])> {
    let mut files = Vec::new();
    let mut name = "fuzz.yaml".to_string();
    let mut rest = data;
    loop {
        let next = rest.windows(FILE_MARK.len()).position(|w| w == FILE_MARK);
        let Some(at) = next else {
            files.push((name, rest));
            break;
        };
        files.push((name, &rest[..at]));
        let after = &rest[at + FILE_MARK.len()..];
        let end = after
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(after.len());
        name = String::from_utf8_lossy(&after[..end]).trim().to_string();
        rest = after.get(end + 1..).unwrap_or_default();
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    files
}

/// Runs the whole pipeline on one input; returns the total length of the reports so that
/// nothing is optimised away.
pub fn check_bytes(data: &[u8]) -> usize {
    let setup = crate::release::Setup {
        namespace: "default",
        ..Default::default()
    };
    let inputs = files_of(data);
    // Objects read for their names are passed over while parsing: the tree must be the one
    // the whole build gives once cut.
    #[cfg(fuzzing)]
    for (_, bytes) in &inputs {
        if let Ok(text) = std::str::from_utf8(bytes) {
            if let Some([quick, whole]) = manifest::model::both_reads(text) {
                assert_eq!(quick, whole, "the quick read differs from the whole build");
            }
        }
    }
    let files = inputs
        .into_iter()
        .map(|(name, bytes)| load_bytes(&name, Ok(bytes.to_vec())))
        .collect();
    let loaded = Loaded::from_files(files, &setup);
    let options = RuleOptions {
        namespace: "default".into(),
        ..RuleOptions::default()
    };
    let findings = rules::run(&loaded, &options);
    let mut length = report::human(&loaded, &findings, false).len()
        + report::json(&loaded, &findings).expect(SERIALISES).len()
        + report::sarif(&loaded, &findings).expect(SERIALISES).len()
        + report::github(&loaded, &findings).len()
        + report::gitlab(&loaded, &findings).expect(SERIALISES).len()
        + report::junit(&loaded, &findings, Some(crate::findings::Severity::Warning)).len()
        + report::markdown(&loaded, &findings, &report::MarkdownOptions::default()).len();

    let objects = Objects::new(&loaded, "default", None);
    let inventory = detect::build(&objects, knowledge());
    let summary = report::inventory::report(&objects, &inventory);
    length += report::inventory::table(&summary).len()
        + {
            let mut json = Vec::new();
            report::inventory::write_json(&summary, &mut json).expect(SERIALISES);
            json.len()
        }
        + report::inventory::markdown(&summary).len();
    if let Ok(migration) = migration(knowledge(), "traefik", None) {
        let translation = translate(&objects, &inventory, knowledge(), &migration);
        length += report::translate::json(&objects, &translation)
            .expect(SERIALISES)
            .len()
            + report::translate::csv(&objects, &translation)
                .expect(SERIALISES)
                .len()
            + report::translate::markdown(&objects, &translation).len();
    }
    // Every target `convert` writes: the manifests and both report formats.
    for target in crate::convert::TARGETS {
        let Ok(migration) = migration(knowledge(), target, None) else {
            continue;
        };
        let translation = translate(&objects, &inventory, knowledge(), &migration);
        let request = crate::convert::Request {
            target,
            from: NGINX,
            classes: &[],
            classless: false,
            target_class: None,
            via_nginx_provider: false,
            implementation: None,
            name_suffix: None,
        };
        let conversion =
            crate::convert::convert(&objects, &inventory, knowledge(), &translation, &request);
        length += report::convert::manifests(&conversion).len()
            + report::convert::json(&objects, &conversion)
                .expect(SERIALISES)
                .len()
            + report::convert::markdown(&objects, &conversion).len();
    }
    let request = Request {
        to: "traefik",
        from: None,
        target_exposure: None,
        target_inventory: None,
    };
    let plan = plan(&objects, &inventory, knowledge(), &request);
    length
        + report::plan::json(&plan).expect(SERIALISES).len()
        + report::plan::markdown(&plan).len()
}

/// Most kustomizations a graph input makes, and most edges between them.
const GRAPH_NODES: usize = 64;
const GRAPH_EDGES: usize = 512;

/// Runs the whole pipeline on a Kustomize graph the bytes describe (`graph_repository`):
/// diamonds, chains, cycles, components. Every build must stay linear in the files: the run
/// is bounded by a generous time per file (the fuzz target bounds memory the same way).
/// Returns the reports' length and the number of files.
pub fn kustomize_graph(data: &[u8]) -> (usize, usize) {
    let repository = graph_repository(data);
    let files = repository.matches("\n#>>> ").count() + 1;
    let started = std::time::Instant::now();
    let length = check_bytes(repository.as_bytes());
    let bound =
        std::time::Duration::from_millis(50) * files as u32 + std::time::Duration::from_secs(2);
    let took = started.elapsed();
    assert!(
        took <= bound,
        "{files} files took {took:?} (bound {bound:?})"
    );
    (length, files)
}

/// A repository of kustomizations from bytes: the first byte says how many (1 to
/// `GRAPH_NODES`), each following pair an edge — from, to, and the high bit of `to` makes it
/// a component. Each kustomization also lists a Service of its own; their names repeat, so
/// builds meet the same object through several paths.
pub fn graph_repository(data: &[u8]) -> String {
    let (first, edges) = data.split_first().unwrap_or((&0, &[]));
    let nodes = usize::from(*first) % GRAPH_NODES + 1;
    let mut resources: Vec<Vec<String>> = vec![vec!["svc.yaml".to_string()]; nodes];
    let mut components: Vec<Vec<String>> = vec![Vec::new(); nodes];
    for pair in edges.chunks_exact(2).take(GRAPH_EDGES) {
        let from = usize::from(pair[0]) % nodes;
        let to = usize::from(pair[1] & 0x7f) % nodes;
        let list = if pair[1] & 0x80 == 0 {
            &mut resources[from]
        } else {
            &mut components[from]
        };
        list.push(format!("../k{to}"));
    }
    // k0 is the input's first file (`fuzz.yaml` stands for nothing here).
    let mut text = String::from("# a Kustomize graph\n");
    for node in 0..nodes {
        text.push_str(&format!(
            "\n#>>> k{node}/kustomization.yaml\nresources: [{}]\ncomponents: [{}]\n",
            resources[node].join(", "),
            components[node].join(", ")
        ));
        text.push_str(&format!(
            "\n#>>> k{node}/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {{name: s{}}}\nspec: {{type: LoadBalancer, loadBalancerIP: 192.0.2.{}}}\n",
            node % 4,
            node % 250 + 1
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{check_bytes, kustomize_graph};

    /// Inputs that once broke a YAML tool somewhere; each must come back with a report.
    #[test]
    fn hostile_inputs_do_not_panic() {
        let cases: &[&[u8]] = &[
            b"",
            b"\xff\xfe\x00",
            // Kinds cut to their metadata: an alias from the metadata into what is cut, a
            // List of them, a Kustomize patch of what was cut.
            b"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules: &r [{verbs: [get]}]\nmetadata: {name: r, labels: *r, annotations: {a: *r}}\n",
            b"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: ServiceAccount, metadata: {name: a}, secrets: &s [x]}, {apiVersion: v1, kind: Service, metadata: {name: b}, spec: {ports: *s}}]\n",
            b"resources: [r.yaml]\npatches:\n- target: {kind: ClusterRole}\n  patch: '[{op: remove, path: /rules/0}]'\n#>>> r.yaml\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{verbs: [get]}]\n",
            b"&a [*a]",
            b"a: &a [*a, *a]\nb: *a\n",
            b"- [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            b"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Service}]}]}]}]}]\n",
            b"apiVersion: v1\nkind: Service\nmetadata: [1]\nspec: {ports: {a: b}, loadBalancerIP: [x]}\n",
            b"apiVersion: v1\nkind: Service\nmetadata: {name: x, annotations: {a: {b: c}}}\nspec: {loadBalancerIP: 1.2.3.4}\n",
            b"? [a, b]\n: c\napiVersion: v1\nkind: Pod\n",
            b"apiVersion: v1\nkind: Pod\nspec:\n  <<: [*x]\n",
            b"{{ .Values.x }}\n{{",
            b"apiVersion: v1\nkind: Service\n\xc3",
            b"--- !!binary\nAAAA\n--- &x\n*x\n",
            b"apiVersion: 18446744073709551616\nkind: .nan\n",
            b"\t- a\n\t- b",
            // Repositories: Kustomize builds and Flux substitution (several files per input).
            b"resources: [../b]\n#>>> b/kustomization.yaml\nresources: [../a, ../b]\ncomponents: [.]\n#>>> a/kustomization.yaml\nresources: [../b]\n",
            b"resources: [s.yaml]\npatches:\n- target: {kind: Service}\n  patch: |-\n    - {op: move, from: /spec, path: /spec/x}\n    - {op: copy, from: /, path: /metadata/y}\n    - {op: add, path: /spec/ports/99999999999, value: 1}\n    - {op: remove, path: ''}\n    - {op: replace, path: /-/-, value: [*a]}\n#>>> s.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n",
            b"resources: [s.yaml]\nnamePrefix: p-\nnamespace: n\npatchesStrategicMerge:\n- |\n  apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n  spec: {ports: [{port: 80, $patch: delete}, {$patch: replace}], $patch: replace}\n- '{kind: Service, metadata: {name: s}, $patch: delete}'\n#>>> s.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n",
            b"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: k}\nspec: {path: ./a, postBuild: {substitute: {A: '${A}', B: '$${B'}}}\n#>>> a/i.yaml\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: '${A:-${B}}'}\nspec: {ingressClassName: '${A:=x}${'}\n",
        ];
        for case in cases {
            check_bytes(case);
        }
    }

    /// Files whose cut entries' lines are let go: findings, frames and pragmas next to and
    /// across the lines that went (CRLF, a long line, control characters, flow style).
    #[test]
    fn inputs_with_lines_let_go_do_not_panic() {
        let rules =
            "- {apiGroups: [''], resources: [pods], verbs: [get, list, watch]}\n".repeat(30);
        let long = format!("- {{verbs: [{}]}}\n", "x".repeat(1500));
        let ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, annotations: {nginx.ingress.kubernetes.io/x: y}}\nspec: {ingressClassName: nginx}\n";
        let cases = [
            format!("kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: r}}\nrules:\n{rules}{long}---\n{ingress}"),
            format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n{rules}\u{1b}[31m: x\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec: {{type: LoadBalancer, loadBalancerIP: 1.2.3.4, ports: {{a: b}}}}\n"),
            format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n{rules}").replace('\n', "\r\n") + ingress,
            format!("apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata: {{name: r}}\n  rules:\n{}- {ingress}", rules.replace("- ", "  - ")),
            format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules:\n{rules}metadata: {{name: r}}\n{rules}# ingress-lint: ignore[all] nothing here\n"),
        ];
        for case in &cases {
            check_bytes(case.as_bytes());
        }
    }

    /// Diamonds of resources and of components (every level lists both kustomizations of the
    /// level below), a chain through every node, and cycles with components: each stays within the per-file bound.
    #[test]
    fn kustomize_graphs_stay_linear() {
        let nodes = 63u8;
        let mut diamond = vec![nodes];
        for level in 0..nodes - 2 {
            let below = level + 2 - level % 2;
            diamond.extend([level, below, level, below + 1]);
        }
        let chain: Vec<u8> = std::iter::once(nodes)
            .chain((0..nodes - 1).flat_map(|n| [n, n + 1]))
            .collect();
        let cycles: Vec<u8> = std::iter::once(20)
            .chain((0..200u16).flat_map(|n| {
                [
                    (n * 7 % 20) as u8,
                    (n * 13 % 20) as u8 | (0x80 * (n % 3 == 0) as u8),
                ]
            }))
            .collect();
        // The same diamond of components: each applied once per build.
        let components: Vec<u8> = diamond
            .iter()
            .enumerate()
            .map(|(i, b)| if i > 0 && i % 2 == 0 { b | 0x80 } else { *b })
            .collect();
        for graph in [diamond, components, chain, cycles] {
            let (length, files) = kustomize_graph(&graph);
            assert!(length > 0 && files > 1);
        }
    }
}
