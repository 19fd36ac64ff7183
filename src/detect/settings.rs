//! A controller container's settings: flags in `args`/`command` (`--f=v`, `--f v`, `-f`),
//! `$(VAR)` references expanded from the container's env, env vars — and where a value cannot
//! be known from the manifests, why.

use manifest::model::ContainerFacts;
use manifest::parse::PathStep;
use manifest::Span;

use crate::knowledge::{Controller, Setting};

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag {
        text: String,
        span: Option<Span>,
    },
    Env {
        name: String,
        span: Option<Span>,
    },
    /// A key of the controller's configuration file, written as the flag it stands for.
    File {
        path: String,
        text: String,
        span: Option<Span>,
    },
    Default,
}

impl Origin {
    /// `flag --x=1`, `env X`, `/etc/traefik/traefik.yaml: x=1`, `default`.
    pub fn describe(&self) -> String {
        match self {
            Origin::Flag { text, .. } => format!("flag {text}"),
            Origin::Env { name, .. } => format!("env {name}"),
            Origin::File { path, text, .. } => {
                format!("{path}: {}", text.trim_start_matches('-'))
            }
            Origin::Default => "default".into(),
        }
    }
}

/// A setting's value, or why it cannot be known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Known(String),
    Unknown(String),
}

#[derive(Clone, Debug)]
pub struct Resolved {
    /// The setting's name, borrowed from the knowledge (loaded once, for the whole run).
    pub name: &'static str,
    pub value: Value,
    pub origin: Origin,
}

impl Resolved {
    pub fn known(&self) -> Option<&str> {
        match &self.value {
            Value::Known(v) => Some(v),
            Value::Unknown(_) => None,
        }
    }

    pub fn span(&self) -> Option<Span> {
        match &self.origin {
            Origin::Flag { span, .. } | Origin::Env { span, .. } | Origin::File { span, .. } => {
                *span
            }
            Origin::Default => None,
        }
    }
}

/// Settings a release's values cannot settle (the flag or env var the chart would have set
/// from them) are unknown, never their default.
pub fn mark_unknown(
    controller: &Controller,
    resolved: &mut [Resolved],
    unknowns: &[crate::release::Unknown],
) {
    let ci = controller.flags_case_insensitive;
    for setting in resolved.iter_mut() {
        let Some(known) = controller.setting(setting.name) else {
            continue;
        };
        let unknown = unknowns.iter().find(|u| {
            known.flags.iter().any(|f| same_flag(f, &u.fact, ci)) || known.env.contains(&u.fact)
        });
        if let Some(unknown) = unknown {
            setting.value = Value::Unknown(format!("{}: {}", unknown.fact, unknown.reason));
        }
    }
}

/// One command-line argument with its node — or a configuration file's key, written as the
/// flag it stands for (`file` names the file).
#[derive(Clone, Debug)]
pub struct Arg {
    pub text: String,
    pub span: Option<Span>,
    pub file: Option<String>,
}

impl Arg {
    pub fn origin(&self) -> Origin {
        match &self.file {
            Some(path) => Origin::File {
                path: path.clone(),
                text: self.text.clone(),
                span: self.span,
            },
            None => Origin::Flag {
                text: self.text.clone(),
                span: self.span,
            },
        }
    }
}

/// The arguments of a container (`command` past the executable, then `args`), with `$(VAR)`
/// expanded; an argument whose reference cannot be expanded carries the reason. `namespace`
/// is the pod's, which a `fieldRef: metadata.namespace` env var holds. `item_spans` gives the
/// nodes of a list's items (one lookup a list, not one an argument: it runs for every
/// controller of a fleet).
pub fn arguments(
    container: &ContainerFacts,
    index: usize,
    namespace: &str,
    item_spans: &dyn Fn(&[PathStep<'_>]) -> Vec<Span>,
    base: &[PathStep<'_>],
) -> Vec<(Arg, Option<String>)> {
    let mut out = Vec::new();
    let lists = [
        ("command", container.command.as_deref()),
        ("args", container.args.as_deref()),
    ];
    for (field, list) in lists {
        let Some(list) = list.filter(|list| !list.is_empty()) else {
            continue;
        };
        let mut path = base.to_vec();
        path.extend_from_slice(&[
            PathStep::Key("containers"),
            PathStep::Index(index),
            PathStep::Key(field),
        ]);
        let spans = item_spans(&path);
        for (i, text) in list.iter().enumerate() {
            if field == "command" && i == 0 && !text.starts_with('-') {
                continue;
            }
            let (expanded, problem) = expand(text, container, namespace);
            out.push((
                Arg {
                    text: expanded,
                    span: spans.get(i).copied(),
                    file: None,
                },
                problem,
            ));
        }
    }
    out
}

/// Kubernetes `$(VAR)` expansion from the container's own env (`$$` escapes a `$`).
fn expand(text: &str, container: &ContainerFacts, namespace: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(text.len());
    let mut problem = None;
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(escaped) = after.strip_prefix('$') {
            out.push('$');
            rest = escaped;
            continue;
        }
        let reference = after
            .strip_prefix('(')
            .and_then(|r| r.find(')').map(|end| &r[..end]));
        match reference {
            Some(name) => {
                let env = container
                    .env
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .rev()
                    .find(|e| e.name == name);
                match env {
                    Some(e) if e.value_from.is_none() => {
                        out.push_str(e.value.as_deref().unwrap_or_default())
                    }
                    Some(e) if pod_namespace_ref(e) => out.push_str(namespace),
                    Some(_) => {
                        problem.get_or_insert(format!(
                            "$({name}) comes from a ConfigMap, Secret or field reference"
                        ));
                        out.push_str(&format!("$({name})"));
                    }
                    None => {
                        problem.get_or_insert(format!(
                            "$({name}) is not defined in the container's env"
                        ));
                        out.push_str(&format!("$({name})"));
                    }
                }
                rest = &after[name.len() + 2..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, problem)
}

/// `valueFrom: {fieldRef: {fieldPath: metadata.namespace}}`: the pod's namespace.
fn pod_namespace_ref(env: &k8s_openapi::api::core::v1::EnvVar) -> bool {
    env.value_from
        .as_ref()
        .and_then(|v| v.field_ref.as_ref())
        .is_some_and(|f| f.field_path == "metadata.namespace")
}

/// Whether two flags name the same one, leading dashes aside (Go's flag package takes `-f`
/// and `--f` alike). Compared in place: it runs for every setting against every argument.
pub(super) fn same_flag(a: &str, b: &str, case_insensitive: bool) -> bool {
    let (a, b) = (a.trim_start_matches('-'), b.trim_start_matches('-'));
    if case_insensitive {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// Splits `--name=value` / `--name`.
pub(super) fn split_flag(text: &str) -> Option<(&str, Option<&str>)> {
    if !text.starts_with('-') || text == "-" || text == "--" {
        return None;
    }
    Some(match text.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (text, None),
    })
}

/// Resolves every setting of `controller` for one container, from `arguments` and — when
/// `read_env` — the container's env.
pub fn resolve(
    controller: &'static Controller,
    container: &ContainerFacts,
    arguments: &[(Arg, Option<String>)],
    locate_env: &dyn Fn(usize) -> Option<Span>,
    read_env: bool,
) -> Vec<Resolved> {
    controller
        .settings
        .iter()
        .map(|setting| {
            resolve_one(
                controller, setting, container, arguments, locate_env, read_env,
            )
        })
        .collect()
}

fn resolve_one(
    controller: &'static Controller,
    setting: &'static Setting,
    container: &ContainerFacts,
    arguments: &[(Arg, Option<String>)],
    locate_env: &dyn Fn(usize) -> Option<Span>,
    read_env: bool,
) -> Resolved {
    let ci = controller.flags_case_insensitive;
    let mut found: Vec<(String, &Arg, Option<&String>)> = Vec::new();
    for (index, (arg, problem)) in arguments.iter().enumerate() {
        let Some((name, value)) = split_flag(&arg.text) else {
            continue;
        };
        if !setting.flags.iter().any(|f| same_flag(f, name, ci)) {
            continue;
        }
        let value = match value {
            Some(v) => v.to_string(),
            None if setting.kind == "bool" => "true".to_string(),
            // `--flag value`: the next argument, unless it is a flag itself.
            None => match arguments.get(index + 1) {
                Some((next, _)) if !next.text.starts_with('-') => next.text.clone(),
                _ => String::new(),
            },
        };
        found.push((value, arg, problem.as_ref()));
    }
    if let Some((value, arg, problem)) = found.last() {
        let origin = arg.origin();
        let distinct: std::collections::BTreeSet<&str> =
            found.iter().map(|(v, ..)| v.as_str()).collect();
        let value = if distinct.len() > 1 {
            let values: Vec<&str> = distinct.into_iter().collect();
            Value::Unknown(format!(
                "{} is given {} times with different values ({})",
                setting.flags[0],
                found.len(),
                values.join(", ")
            ))
        } else if let Some(problem) = problem {
            Value::Unknown(format!("{}: {problem}", setting.flags[0]))
        } else {
            Value::Known(value.clone())
        };
        return Resolved {
            name: &setting.name,
            value,
            origin,
        };
    }
    let env = if read_env {
        container.env.as_deref().unwrap_or_default()
    } else {
        &[]
    };
    for name in &setting.env {
        if let Some((index, var)) = env.iter().enumerate().rev().find(|(_, e)| &e.name == name) {
            let origin = Origin::Env {
                name: name.clone(),
                span: locate_env(index),
            };
            let value = match (&var.value, &var.value_from) {
                (_, Some(_)) => Value::Unknown(format!(
                    "env {name} comes from a ConfigMap, Secret or field reference"
                )),
                (value, None) => Value::Known(value.clone().unwrap_or_default()),
            };
            return Resolved {
                name: &setting.name,
                value,
                origin,
            };
        }
    }
    if read_env
        && !setting.env.is_empty()
        && container.env_from.as_ref().is_some_and(|e| !e.is_empty())
    {
        return Resolved {
            name: &setting.name,
            value: Value::Unknown(format!(
                "the container reads env from a ConfigMap or Secret (envFrom), which may set {}",
                setting.env.join(" or ")
            )),
            origin: Origin::Default,
        };
    }
    Resolved {
        name: &setting.name,
        value: Value::Known(setting.default.clone()),
        origin: Origin::Default,
    }
}

pub use crate::knowledge::parse_bool;

/// The port of a `port` setting (`8080`) or an `address` setting (`:8080`, `0.0.0.0:8080`,
/// `:8000/tcp`); `None` when empty or unparsable.
pub fn parse_port(value: &str) -> Option<(u16, &'static str)> {
    let (address, protocol) = match value.rsplit_once('/') {
        Some((a, p)) if p.eq_ignore_ascii_case("udp") => (a, "UDP"),
        Some((a, _)) => (a, "TCP"),
        None => (value, "TCP"),
    };
    let port = address.rsplit_once(':').map_or(address, |(_, p)| p);
    port.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .map(|p| (p, protocol))
}

/// Flags matching a pattern with `*` for one dotted segment (`--entrypoints.*.address`).
pub fn matching_flags<'a>(
    pattern: &str,
    arguments: &'a [(Arg, Option<String>)],
    case_insensitive: bool,
) -> Vec<(&'a Arg, String)> {
    let parts: Vec<&str> = pattern.trim_start_matches('-').split('.').collect();
    arguments
        .iter()
        .filter_map(|(arg, _)| {
            let (name, value) = split_flag(&arg.text)?;
            let segments: Vec<&str> = name.trim_start_matches('-').split('.').collect();
            let matches = segments.len() == parts.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| *p == "*" || same_flag(p, s, case_insensitive));
            matches.then(|| (arg, value.unwrap_or_default().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::EnvVar;

    fn container(args: &[&str], env: &[(&str, &str)]) -> ContainerFacts {
        ContainerFacts {
            name: "c".into(),
            args: Some(args.iter().map(|s| s.to_string()).collect()),
            env: Some(
                env.iter()
                    .map(|(n, v)| EnvVar {
                        name: n.to_string(),
                        value: Some(v.to_string()),
                        value_from: None,
                    })
                    .collect(),
            ),
            ..ContainerFacts::default()
        }
    }

    fn resolve_all(id: &str, c: &ContainerFacts) -> Vec<(String, Value)> {
        let controller = crate::knowledge::knowledge().controller(id).unwrap();
        let args = arguments(c, 0, "ns", &|_| Vec::new(), &[]);
        resolve(controller, c, &args, &|_| None, true)
            .into_iter()
            .map(|r| (r.name.to_string(), r.value))
            .collect()
    }

    fn get(values: &[(String, Value)], name: &str) -> Value {
        values.iter().find(|(n, _)| n == name).unwrap().1.clone()
    }

    #[test]
    fn flag_forms_and_defaults() {
        let c = container(
            &[
                "/nginx-ingress-controller",
                "--ingress-class",
                "internal",
                "-watch-ingress-without-class",
                "--controller-class=$(CLASS)",
            ],
            &[("CLASS", "k8s.io/internal")],
        );
        let values = resolve_all("ingress-nginx", &c);
        assert_eq!(get(&values, "class"), Value::Known("internal".into()));
        assert_eq!(
            get(&values, "watch_without_class"),
            Value::Known("true".into())
        );
        assert_eq!(
            get(&values, "controller_class"),
            Value::Known("k8s.io/internal".into())
        );
        assert_eq!(get(&values, "http_port"), Value::Known("80".into()));
    }

    #[test]
    fn unknowable_values_say_why() {
        let c = container(
            &[
                "--ingress-class=a",
                "--ingress-class=b",
                "--controller-class=$(MISSING)",
            ],
            &[],
        );
        let mut with_namespace = container(&["--publish-service=$(POD_NAMESPACE)/edge"], &[]);
        with_namespace.env = Some(vec![EnvVar {
            name: "POD_NAMESPACE".into(),
            value: None,
            value_from: Some(k8s_openapi::api::core::v1::EnvVarSource {
                field_ref: Some(k8s_openapi::api::core::v1::ObjectFieldSelector {
                    field_path: "metadata.namespace".into(),
                    api_version: None,
                }),
                ..Default::default()
            }),
        }]);
        assert_eq!(
            get(
                &resolve_all("ingress-nginx", &with_namespace),
                "publish_service"
            ),
            Value::Known("ns/edge".into())
        );
        let values = resolve_all("ingress-nginx", &c);
        let Value::Unknown(twice) = get(&values, "class") else {
            panic!()
        };
        assert!(
            twice.contains("given 2 times with different values (a, b)"),
            "{twice}"
        );
        let Value::Unknown(missing) = get(&values, "controller_class") else {
            panic!()
        };
        assert!(missing.contains("$(MISSING) is not defined"), "{missing}");
    }

    #[test]
    fn env_configured_controllers() {
        let c = container(&[], &[("CONTROLLER_INGRESS_CLASS", "kong-internal")]);
        assert_eq!(
            get(&resolve_all("kong", &c), "class"),
            Value::Known("kong-internal".into())
        );
    }

    #[test]
    fn traefik_flags_are_case_insensitive() {
        let c = container(
            &[
                "--providers.kubernetesingress",
                "--providers.kubernetesingress.ingressClass=internal",
            ],
            &[],
        );
        let values = resolve_all("traefik", &c);
        assert_eq!(
            get(&values, "ingress_provider"),
            Value::Known("true".into())
        );
        assert_eq!(get(&values, "class"), Value::Known("internal".into()));
        assert_eq!(get(&values, "nginx_provider"), Value::Known("false".into()));
    }

    #[test]
    fn ports_from_addresses() {
        assert_eq!(parse_port(":8000/tcp"), Some((8000, "TCP")));
        assert_eq!(parse_port(":8443/udp"), Some((8443, "UDP")));
        assert_eq!(parse_port("0.0.0.0:10254"), Some((10254, "TCP")));
        assert_eq!(parse_port("443"), Some((443, "TCP")));
        assert_eq!(parse_port(""), None);
    }
}
