//! Renders a chart's knowledge over a release's values: the workload, Services and
//! IngressClasses the chart would create, as nodes of a tree of their own. Every node is
//! located where its value was written (a line of the release, of its values string), or at
//! the release's chart reference when the value is the chart's default.

use manifest::parse::{Entry, NodeId, ScalarStyle, Tree};
use manifest::Span;

use super::values::{split_path, text, Lookup, Values};
use crate::knowledge::charts::{
    ArgsForm, Chart, Condition, ConfigMapSpec, ContainerSpec, Fullname, IngressClassSpec, Piece,
    PortSpec, ServicePortSpec, ServiceSpec, Template, WorkloadSpec,
};

/// The label that ties a release's rendered pods to its Services.
pub const RELEASE_LABEL: &str = "ingress-lint.io/release";

/// A fact the values do not settle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub fact: String,
    pub reason: String,
}

/// What one release renders.
#[derive(Default)]
pub struct Rendered {
    pub tree: Tree,
    /// Each object's root node, with the chart template that renders it.
    pub objects: Vec<(NodeId, String)>,
    pub unknowns: Vec<Unknown>,
}

impl Rendered {
    pub fn has_workload(&self) -> bool {
        self.objects.iter().any(|(root, _)| {
            let kind = self
                .tree
                .get(*root, "kind")
                .and_then(|e| self.tree.scalar(e.value));
            matches!(kind, Some("Deployment" | "DaemonSet"))
        })
    }
}

/// The names a release renders with.
pub struct Names<'a> {
    pub release: &'a str,
    pub namespace: &'a str,
    /// The chart's name in this release (a subchart's alias).
    pub chart_name: &'a str,
}

/// Copies at most this many nodes out of values per release.
const GRAFT_BUDGET: usize = 100_000;

pub fn render(chart: &Chart, values: &Values<'_>, names: &Names<'_>, anchor: Span) -> Rendered {
    let mut r = Renderer {
        values,
        out: Rendered::default(),
        anchor,
        release: names.release.to_string(),
        namespace: names.namespace.to_string(),
        fullname: String::new(),
        each: None,
        budget: GRAFT_BUDGET,
        key_spans: Default::default(),
    };
    r.fullname = r.fullname(chart.fullname, names.chart_name);
    // Per chart: the subcharts of one umbrella release share its name, and each Service
    // selects its own chart's pods only (the charts' own selectors name the chart).
    let label = format!("{}/{}/{}", names.namespace, names.release, names.chart_name);
    for spec in &chart.workloads {
        r.workload(spec, &label);
    }
    for spec in &chart.services {
        r.service(spec, &label);
    }
    for spec in &chart.ingress_classes {
        r.ingress_class(spec);
    }
    for spec in &chart.config_maps {
        r.config_map(spec);
    }
    r.out
}

/// The value-comparing conditions of the chart's workloads that the values fail, as
/// `controller.kind is \`Daemonset\` (the chart renders it for Deployment|Both)`.
pub fn failed_conditions(chart: &Chart, values: &Values<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for spec in &chart.workloads {
        for condition in &spec.when {
            let crate::knowledge::charts::Test::Equals(wanted) = &condition.test else {
                continue;
            };
            if values.holds(condition) != Ok(false) {
                continue;
            }
            let written = match values.lookup(&split_path(&condition.path)) {
                Lookup::Found { tree, node, .. } => text(tree, node).unwrap_or_default(),
                _ => String::new(),
            };
            let said = format!(
                "`{}` is `{written}`, and the chart renders its {} only for {}",
                condition.path,
                spec.kind.as_str(),
                wanted.replace('|', " or ")
            );
            if !out.contains(&said) {
                out.push(said);
            }
        }
    }
    out
}

/// A template's value.
enum Eval {
    /// A single value, copied into the output (a map, a list, or a scalar).
    Node {
        node: NodeId,
        key_span: Option<Span>,
        text: Option<String>,
    },
    Text {
        text: String,
        span: Span,
    },
    Absent,
    Unknown(String),
}

struct Renderer<'v, 'a> {
    values: &'v Values<'a>,
    out: Rendered,
    anchor: Span,
    release: String,
    namespace: String,
    fullname: String,
    /// The current `each` entry: its key and its values path.
    each: Option<(String, Vec<String>)>,
    budget: usize,
    /// Where the values key of a copied value was written, for the key of its entry.
    key_spans: std::collections::HashMap<NodeId, Span>,
}

impl<'v, 'a> Renderer<'v, 'a> {
    fn fullname(&self, kind: Fullname, chart_name: &str) -> String {
        let get = |path: &str| match self.values.lookup(&split_path(path)) {
            Lookup::Found { tree, node, .. } => text(tree, node).filter(|t| !t.is_empty()),
            _ => None,
        };
        let name = if let Some(full) = get("fullnameOverride") {
            full
        } else {
            let name = get("nameOverride").unwrap_or_else(|| chart_name.to_string());
            match kind {
                Fullname::Standard if self.release.contains(&name) => self.release.clone(),
                _ => format!("{}-{name}", self.release),
            }
        };
        let mut name: String = name.chars().take(63).collect();
        while name.ends_with('-') {
            name.pop();
        }
        name
    }

    /// A values path with `.`-relative steps and `{key}` resolved.
    fn path(&self, path: &str) -> Vec<String> {
        let key = self
            .each
            .as_ref()
            .map(|(k, _)| k.as_str())
            .unwrap_or_default();
        let path = path.replace("{key}", key);
        match (path.strip_prefix('.'), &self.each) {
            (Some(rest), Some((_, base))) => {
                let mut full = base.clone();
                full.extend(split_path(rest).into_iter().map(str::to_string));
                full
            }
            _ => split_path(&path).into_iter().map(str::to_string).collect(),
        }
    }

    fn lookup(&self, path: &str) -> Lookup<'v> {
        let path = self.path(path);
        let steps: Vec<&str> = path.iter().map(String::as_str).collect();
        let values: &'v Values<'a> = self.values;
        values.lookup(&steps)
    }

    fn eval(&mut self, template: &Template) -> Eval {
        if let [Piece::Value(paths)] = template.0.as_slice() {
            for path in paths {
                if let Some(literal) = path.strip_prefix('=') {
                    let node = self.text_node(literal);
                    return Eval::Node {
                        node,
                        key_span: None,
                        text: Some(literal.to_string()),
                    };
                }
                match self.lookup(path) {
                    Lookup::Found {
                        tree,
                        key,
                        node,
                        placement,
                    } => {
                        let span = placement.locate(tree.span(node));
                        let key_span = key.map(|k| placement.locate(tree.span(k)));
                        let scalar = text(tree, node);
                        let copied = match &scalar {
                            Some(t) => Some(self.out.tree.add_scalar(t, ScalarStyle::Plain, span)),
                            None => {
                                let locate = |s: Span| placement.locate(s);
                                let mut budget = self.budget;
                                let copied = self.out.tree.graft(tree, node, &locate, &mut budget);
                                self.budget = budget;
                                copied
                            }
                        };
                        return match copied {
                            Some(node) => Eval::Node {
                                node,
                                key_span,
                                text: scalar,
                            },
                            None => Eval::Unknown("the values are too large to read".into()),
                        };
                    }
                    Lookup::Unknown(reason) => return Eval::Unknown(reason.to_string()),
                    Lookup::Absent => {}
                }
            }
            return Eval::Absent;
        }
        let mut out = String::new();
        let mut span = None;
        for piece in &template.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Release => out.push_str(&self.release),
                Piece::Namespace => out.push_str(&self.namespace),
                Piece::Fullname => out.push_str(&self.fullname),
                Piece::Key => {
                    out.push_str(self.each.as_ref().map(|(k, _)| k.as_str()).unwrap_or(""))
                }
                Piece::Value(paths) => {
                    for path in paths {
                        if let Some(literal) = path.strip_prefix('=') {
                            out.push_str(literal);
                            break;
                        }
                        match self.lookup(path) {
                            Lookup::Found {
                                tree,
                                node,
                                placement,
                                ..
                            } => {
                                out.push_str(&text(tree, node).unwrap_or_default());
                                if placement.is_exact() {
                                    span.get_or_insert(placement.locate(tree.span(node)));
                                }
                                break;
                            }
                            Lookup::Unknown(reason) => return Eval::Unknown(reason.to_string()),
                            Lookup::Absent => {}
                        }
                    }
                }
            }
        }
        Eval::Text {
            text: out,
            span: span.unwrap_or(self.anchor),
        }
    }

    /// A template as a scalar node (`None`: absent or empty; unknown is recorded).
    fn scalar(&mut self, template: &Template, fact: &str) -> Option<NodeId> {
        self.value(template).unwrap_or_else(|reason| {
            self.unknown(fact, reason);
            None
        })
    }

    /// A template as a scalar node; `Err` with the reason when the values cannot tell.
    fn value(&mut self, template: &Template) -> Result<Option<NodeId>, String> {
        Ok(match self.eval(template) {
            Eval::Node {
                node,
                key_span,
                text: Some(t),
            } if !t.is_empty() => {
                if let Some(span) = key_span {
                    self.key_spans.insert(node, span);
                }
                Some(node)
            }
            Eval::Text { text, span } if !text.is_empty() => {
                Some(self.out.tree.add_scalar(&text, ScalarStyle::Plain, span))
            }
            Eval::Unknown(reason) => return Err(reason),
            _ => None,
        })
    }

    fn unknown(&mut self, fact: &str, reason: String) {
        let unknown = Unknown {
            fact: fact.to_string(),
            reason,
        };
        if !self.out.unknowns.contains(&unknown) {
            self.out.unknowns.push(unknown);
        }
    }

    /// All conditions hold; `None` when one cannot be known (recorded as unknown).
    fn holds(&mut self, conditions: &[Condition], fact: &str) -> Option<bool> {
        for condition in conditions {
            let path = self.path(&condition.path);
            let steps: Vec<&str> = path.iter().map(String::as_str).collect();
            match self.values.test(&steps, &condition.test) {
                Ok(true) => {}
                Ok(false) => return Some(false),
                Err(reason) => {
                    self.unknown(fact, reason);
                    return None;
                }
            }
        }
        Some(true)
    }

    /// Adds `key: <template>` when the template has a value.
    fn optional(
        &mut self,
        entries: &mut Vec<(&'static str, NodeId)>,
        key: &'static str,
        template: Option<&Template>,
    ) {
        if let Some(node) = template.and_then(|t| self.scalar(t, key)) {
            entries.push((key, node));
        }
    }

    fn key(&mut self, key: &str, span: Span) -> NodeId {
        self.out.tree.add_scalar(key, ScalarStyle::Plain, span)
    }

    fn mapping(&mut self, entries: Vec<(&str, NodeId)>) -> NodeId {
        let anchor = self.anchor;
        let entries = entries
            .into_iter()
            .map(|(k, value)| {
                let span = self
                    .key_spans
                    .get(&value)
                    .copied()
                    .unwrap_or_else(|| self.out.tree.span(value));
                Entry {
                    key: self.key(k, span),
                    value,
                }
            })
            .collect();
        self.out.tree.add_mapping(entries, anchor)
    }

    fn text_node(&mut self, text: &str) -> NodeId {
        self.out
            .tree
            .add_scalar(text, ScalarStyle::Plain, self.anchor)
    }

    fn metadata(&mut self, name: NodeId, namespaced: bool, extra: Vec<(&str, NodeId)>) -> NodeId {
        let mut entries = vec![("name", name)];
        if namespaced {
            let namespace = self.namespace.clone();
            entries.push(("namespace", self.text_node(&namespace)));
        }
        entries.extend(extra);
        self.mapping(entries)
    }

    fn labels(&mut self, label: &str) -> NodeId {
        let value = self.text_node(label);
        self.mapping(vec![(RELEASE_LABEL, value)])
    }

    fn workload(&mut self, spec: &WorkloadSpec, label: &str) {
        let fact = format!("{} {}", spec.kind.as_str(), spec.template);
        if self.holds(&spec.when, &fact) != Some(true) {
            return;
        }
        let Some(name) = self.scalar(&spec.name, "workload name") else {
            return;
        };
        let mut pod = Vec::new();
        self.optional(&mut pod, "hostNetwork", spec.host_network.as_ref());
        self.optional(&mut pod, "dnsPolicy", spec.dns_policy.as_ref());
        let mut containers = Vec::new();
        for container in &spec.containers {
            if self.holds(&container.when, &container.name) == Some(true) {
                containers.push(self.container(container));
            }
        }
        let containers = self.out.tree.add_sequence(containers, self.anchor);
        pod.push(("containers", containers));
        let pod_spec = self.mapping(pod);
        let pod_labels = self.labels(label);
        let pod_meta = self.mapping(vec![("labels", pod_labels)]);
        let template = self.mapping(vec![("metadata", pod_meta), ("spec", pod_spec)]);
        let match_labels = self.labels(label);
        let selector = self.mapping(vec![("matchLabels", match_labels)]);
        let workload_spec = self.mapping(vec![("selector", selector), ("template", template)]);
        let labels = self.labels(label);
        let metadata = self.metadata(name, true, vec![("labels", labels)]);
        let api = self.text_node("apps/v1");
        let kind = self.text_node(spec.kind.as_str());
        let root = self.mapping(vec![
            ("apiVersion", api),
            ("kind", kind),
            ("metadata", metadata),
            ("spec", workload_spec),
        ]);
        self.out.objects.push((root, spec.template.clone()));
    }

    fn container(&mut self, spec: &ContainerSpec) -> NodeId {
        let mut args = Vec::new();
        for arg in &spec.args {
            let flag = flag_of(&arg.arg);
            if self.holds(&arg.when, &flag) != Some(true) {
                continue;
            }
            if let Some(node) = self.scalar(&arg.arg, &flag) {
                // A fixed flag (`--watch-ingress-without-class=true`) is located at the value
                // that turned it on.
                let node = if self.out.tree.span(node) == self.anchor {
                    let span = self.default_span(&arg.when);
                    let text = self.out.tree.scalar(node).unwrap_or_default().to_string();
                    self.out.tree.add_scalar(&text, ScalarStyle::Plain, span)
                } else {
                    node
                };
                args.push(node);
            }
        }
        for from in &spec.args_from {
            if self.holds(&from.when, &from.path) != Some(true) {
                continue;
            }
            self.args_from(from, &mut args);
        }
        let mut env = Vec::new();
        for var in &spec.env {
            if self.holds(&var.when, &var.name) != Some(true) {
                continue;
            }
            if let Some(value) = self.scalar(&var.value, &var.name) {
                let name = self.text_node(&var.name);
                env.push(self.mapping(vec![("name", name), ("value", value)]));
            }
        }
        if let Some(path) = &spec.env_from {
            if let Eval::Node { node, .. } = self.eval(&value_template(path)) {
                env.extend(self.out.tree.items(node).to_vec());
            }
        }
        let mut ports = Vec::new();
        for port in &spec.ports {
            self.ports(port, &mut ports);
        }
        let name = self.text_node(&spec.name);
        let image = self.text_node(&spec.image);
        let args = self.out.tree.add_sequence(args, self.anchor);
        let env = self.out.tree.add_sequence(env, self.anchor);
        let ports = self.out.tree.add_sequence(ports, self.anchor);
        self.mapping(vec![
            ("name", name),
            ("image", image),
            ("args", args),
            ("env", env),
            ("ports", ports),
        ])
    }

    fn args_from(&mut self, from: &crate::knowledge::charts::ArgsFrom, args: &mut Vec<NodeId>) {
        match from.form {
            ArgsForm::List => match self.eval(&value_template(&from.path)) {
                Eval::Node { node, .. } => args.extend(self.out.tree.items(node).to_vec()),
                Eval::Unknown(reason) => self.unknown(&from.path, reason),
                Eval::Text { .. } | Eval::Absent => {}
            },
            ArgsForm::Map | ArgsForm::PrefixedMap => {
                self.map_args(from, &split_path(&from.path).join("."), "", args);
            }
        }
    }

    /// `{key: value}` entries as flags; nested maps (prefixed form) join their keys with dots.
    fn map_args(
        &mut self,
        from: &crate::knowledge::charts::ArgsFrom,
        path: &str,
        flag_path: &str,
        args: &mut Vec<NodeId>,
    ) {
        let Some((steps, keys)) = self.keys_at(path, &from.path) else {
            return;
        };
        let steps: Vec<&str> = steps.iter().map(String::as_str).collect();
        for key in keys {
            if flag_path.is_empty() && from.omit.contains(&key) {
                continue;
            }
            let mut key_steps = steps.clone();
            key_steps.push(&key);
            let (value, nested, span) = match self.values.lookup(&key_steps) {
                Lookup::Found {
                    tree,
                    key: key_node,
                    node,
                    placement,
                } => {
                    let span = placement.locate(tree.span(key_node.unwrap_or(node)));
                    (text(tree, node), tree.is_mapping(node), span)
                }
                Lookup::Absent => continue,
                Lookup::Unknown(reason) => {
                    let reason = reason.to_string();
                    self.unknown(&from.path, reason);
                    continue;
                }
            };
            let flag = if flag_path.is_empty() {
                key.clone()
            } else {
                format!("{flag_path}.{key}")
            };
            if nested {
                if from.form == ArgsForm::PrefixedMap {
                    self.map_args(from, &format!("{path}.{key}"), &flag, args);
                }
                continue;
            }
            let value = value.unwrap_or_default();
            let text = if from.form == ArgsForm::Map && value.is_empty() {
                format!("{}{flag}", from.prefix)
            } else {
                format!("{}{flag}={value}", from.prefix)
            };
            args.push(self.out.tree.add_scalar(&text, ScalarStyle::Plain, span));
        }
    }

    /// The entries an `each` iterates (one `None` without `each`).
    fn entries(&mut self, each: Option<&str>, fact: &str) -> Vec<Option<(String, Vec<String>)>> {
        let Some(path) = each else {
            return vec![None];
        };
        let Some((steps, keys)) = self.keys_at(path, fact) else {
            return Vec::new();
        };
        keys.into_iter()
            .map(|k| {
                let mut p = steps.clone();
                p.push(k.clone());
                Some((k, p))
            })
            .collect()
    }

    /// The path (resolved) and the keys of the values map there; `None` when the values
    /// cannot tell (recorded as unknown).
    fn keys_at(&mut self, path: &str, fact: &str) -> Option<(Vec<String>, Vec<String>)> {
        let steps = self.path(path);
        let refs: Vec<&str> = steps.iter().map(String::as_str).collect();
        match self.values.keys(&refs) {
            Ok(keys) => Some((steps, keys)),
            Err(reason) => {
                let reason = reason.to_string();
                self.unknown(fact, reason);
                None
            }
        }
    }

    fn ports(&mut self, spec: &PortSpec, ports: &mut Vec<NodeId>) {
        for entry in self.entries(spec.each.as_deref(), "container ports") {
            self.each = entry;
            if self.holds(&spec.when, "container port") == Some(true) {
                if let Some(port) = self.port(spec) {
                    ports.push(port);
                }
            }
            self.each = None;
        }
    }

    /// A port number a value sets must be 1–65535: another is left out and said (the API
    /// server rejects it).
    fn port_number(&mut self, node: NodeId, fact: &str) -> Option<NodeId> {
        let text = self.out.tree.scalar(node).unwrap_or_default().to_string();
        match text.parse::<i64>() {
            Ok(number) if !(1..=65535).contains(&number) => {
                self.unknown(
                    fact,
                    format!("{number} is not a port number (1-65535): Kubernetes rejects it"),
                );
                None
            }
            _ => Some(node),
        }
    }

    fn port(&mut self, spec: &PortSpec) -> Option<NodeId> {
        let container_port = self.scalar(&spec.container_port, "containerPort")?;
        let container_port = self.port_number(container_port, "containerPort")?;
        let mut entries = vec![("containerPort", container_port)];
        self.optional(&mut entries, "name", Some(&spec.name));
        if self.holds(&spec.host_port_when, "hostPort") == Some(true) {
            self.optional(&mut entries, "hostPort", spec.host_port.as_ref());
        }
        self.optional(&mut entries, "protocol", spec.protocol.as_ref());
        Some(self.mapping(entries))
    }

    /// A values map merged over the layers, as a mapping node.
    fn merged_map(&mut self, path: &str, fact: &str) -> Vec<(String, NodeId)> {
        let Some((steps, keys)) = self.keys_at(path, fact) else {
            return Vec::new();
        };
        let refs: Vec<&str> = steps.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        for key in keys {
            // Keys with dots (`service.beta.kubernetes.io/x`) cannot go through a path.
            let mut with_key = refs.clone();
            with_key.push(&key);
            if let Lookup::Found {
                tree,
                node,
                placement,
                ..
            } = self.values.lookup(&with_key)
            {
                let span = placement.locate(tree.span(node));
                if let Some(t) = text(tree, node) {
                    let node = self
                        .out
                        .tree
                        .add_scalar(&t, ScalarStyle::DoubleQuoted, span);
                    out.push((key, node));
                }
            }
        }
        out
    }

    fn service(&mut self, spec: &ServiceSpec, label: &str) {
        let fact = format!("Service {}", spec.template);
        if self.holds(&spec.when, &fact) != Some(true) {
            return;
        }
        let Some(name) = self.scalar(&spec.name, "Service name") else {
            return;
        };
        let mut body = Vec::new();
        // A Service whose type the values cannot tell is left out (the unknown is recorded)
        // rather than shown as the ClusterIP it would default to.
        match self.value(&spec.type_) {
            Ok(Some(node)) => body.push(("type", node)),
            Ok(None) => {}
            Err(reason) => {
                self.unknown("Service type", reason);
                return;
            }
        }
        let selector = self.labels(label);
        body.push(("selector", selector));
        for (field, template) in &spec.fields {
            self.optional(&mut body, field.key(), Some(template));
        }
        let mut ports = Vec::new();
        for port in &spec.ports {
            for entry in self.entries(port.each.as_deref(), "Service ports") {
                self.each = entry;
                if self.holds(&port.when, "Service port") == Some(true) {
                    if let Some(node) = self.service_port(port) {
                        ports.push(node);
                    }
                }
                self.each = None;
            }
        }
        let ports = self.out.tree.add_sequence(ports, self.anchor);
        body.push(("ports", ports));
        let mut extra = Vec::new();
        if let Some(path) = &spec.annotations {
            let annotations = self.merged_map(path, "Service annotations");
            if !annotations.is_empty() {
                let entries = annotations.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                extra.push(("annotations", self.mapping(entries)));
            }
        }
        let metadata = self.metadata(name, true, extra);
        let service_spec = self.mapping(body);
        let api = self.text_node("v1");
        let kind = self.text_node("Service");
        let root = self.mapping(vec![
            ("apiVersion", api),
            ("kind", kind),
            ("metadata", metadata),
            ("spec", service_spec),
        ]);
        self.out.objects.push((root, spec.template.clone()));
    }

    fn service_port(&mut self, port: &ServicePortSpec) -> Option<NodeId> {
        let number = self.scalar(&port.port, "Service port")?;
        let number = self.port_number(number, "Service port")?;
        let mut entries = vec![("port", number)];
        self.optional(&mut entries, "name", Some(&port.name));
        self.optional(&mut entries, "targetPort", Some(&port.target_port));
        self.optional(&mut entries, "nodePort", port.node_port.as_ref());
        self.optional(&mut entries, "protocol", port.protocol.as_ref());
        Some(self.mapping(entries))
    }

    fn ingress_class(&mut self, spec: &IngressClassSpec) {
        let fact = format!("IngressClass {}", spec.template);
        if self.holds(&spec.when, &fact) != Some(true) {
            return;
        }
        let name = self.scalar(&spec.name, "IngressClass name").or_else(|| {
            let otherwise = spec.name_otherwise.as_ref()?;
            self.scalar(otherwise, "IngressClass name")
        });
        let Some(name) = name else {
            return;
        };
        let Some(controller) = self.scalar(&spec.controller, "IngressClass controller") else {
            return;
        };
        let mut annotations = match &spec.annotations {
            Some(path) => self.merged_map(path, "IngressClass annotations"),
            None => Vec::new(),
        };
        if !spec.default_when.is_empty()
            && self.holds(&spec.default_when, "default IngressClass") == Some(true)
        {
            annotations.retain(|(k, _)| k != crate::knowledge::DEFAULT_CLASS_ANNOTATION);
            let span = self.default_span(&spec.default_when);
            let value = self
                .out
                .tree
                .add_scalar("true", ScalarStyle::DoubleQuoted, span);
            annotations.push((
                crate::knowledge::DEFAULT_CLASS_ANNOTATION.to_string(),
                value,
            ));
        }
        let mut extra = Vec::new();
        if !annotations.is_empty() {
            let entries = annotations.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            extra.push(("annotations", self.mapping(entries)));
        }
        let metadata = self.metadata(name, false, extra);
        let class_spec = self.mapping(vec![("controller", controller)]);
        let api = self.text_node("networking.k8s.io/v1");
        let kind = self.text_node("IngressClass");
        let root = self.mapping(vec![
            ("apiVersion", api),
            ("kind", kind),
            ("metadata", metadata),
            ("spec", class_spec),
        ]);
        self.out.objects.push((root, spec.template.clone()));
    }

    fn config_map(&mut self, spec: &ConfigMapSpec) {
        let fact = format!("ConfigMap {}", spec.template);
        if self.holds(&spec.when, &fact) != Some(true) {
            return;
        }
        let Some(name) = self.scalar(&spec.name, "ConfigMap name") else {
            return;
        };
        let mut data = match &spec.data_from {
            Some(path) => self.merged_map(path, "ConfigMap data"),
            None => Vec::new(),
        };
        for entry in &spec.entries {
            if self.holds(&entry.when, &entry.key) != Some(true) {
                continue;
            }
            let span = self.default_span(&entry.when);
            let Some(text) = self.text_of(&entry.value, &entry.key) else {
                continue;
            };
            data.retain(|(k, _)| k != &entry.key);
            let value = self
                .out
                .tree
                .add_scalar(&text, ScalarStyle::DoubleQuoted, span);
            data.push((entry.key.clone(), value));
        }
        let entries = data.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let data = self.mapping(entries);
        let metadata = self.metadata(name, true, Vec::new());
        let api = self.text_node("v1");
        let kind = self.text_node("ConfigMap");
        let root = self.mapping(vec![
            ("apiVersion", api),
            ("kind", kind),
            ("metadata", metadata),
            ("data", data),
        ]);
        self.out.objects.push((root, spec.template.clone()));
    }

    /// A template's text (`None`: absent; unknown is recorded).
    fn text_of(&mut self, template: &Template, fact: &str) -> Option<String> {
        match self.eval(template) {
            Eval::Node { text, .. } => text,
            Eval::Text { text, .. } => Some(text),
            Eval::Absent => None,
            Eval::Unknown(reason) => {
                self.unknown(fact, reason);
                None
            }
        }
    }

    /// Where a condition's value was written (the release, for a chart default).
    fn default_span(&self, conditions: &[Condition]) -> Span {
        conditions
            .iter()
            .find_map(|c| match self.lookup(&c.path) {
                Lookup::Found {
                    tree,
                    node,
                    placement,
                    ..
                } if placement.is_exact() => Some(placement.locate(tree.span(node))),
                _ => None,
            })
            .unwrap_or(self.anchor)
    }
}

fn value_template(path: &str) -> Template {
    Template(vec![Piece::Value(vec![path.to_string()])])
}

/// The flag an argument template sets (`--ingress-class` of `--ingress-class=${…}`).
fn flag_of(template: &Template) -> String {
    match template.0.first() {
        Some(Piece::Text(t)) => t.split('=').next().unwrap_or(t).to_string(),
        _ => "argument".to_string(),
    }
}
