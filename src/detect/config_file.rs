//! A controller's configuration file (Traefik's static configuration), mounted from a
//! ConfigMap in the input: found through the container's volume mounts, parsed, and flattened
//! into the flags its keys stand for, each located at its value.

use k8s_openapi::api::core::v1::{KeyToPath, Volume, VolumeMount};
use manifest::model::ContainerFacts;
use manifest::parse::{NodeId, NodeKind, PathStep, ScalarStyle, Tree};
use manifest::Span;

use super::pod::PodView;
use super::settings::{same_flag, split_flag, Arg};
use super::{ObjectKey, Objects};
use crate::knowledge::Configuration;
use crate::release::embedded;

/// What a controller's configuration file says.
pub enum FileSettings {
    /// No file is named by a flag or mounted at a default path.
    Absent,
    /// The file's keys, as the flags they stand for.
    Read(Vec<(Arg, Option<String>)>),
    /// A file is read, but the input does not hold its content.
    Unknown {
        path: String,
        reason: String,
        span: Option<Span>,
    },
}

/// At most this many keys are read from one file (a guard against hostile input).
const MAX_KEYS: usize = 10_000;

/// The configuration file of container `index` of the workload `key`, if it uses one.
pub fn read(
    objects: &Objects<'_>,
    key: ObjectKey,
    pod: &PodView<'_>,
    index: usize,
    configuration: &Configuration,
    arguments: &[(Arg, Option<String>)],
    case_insensitive: bool,
) -> FileSettings {
    let container = &pod.spec.containers[index];
    let named = arguments.iter().enumerate().find_map(|(at, (arg, _))| {
        let (name, value) = split_flag(&arg.text)?;
        let wanted = |f: &String| same_flag(f, name, case_insensitive);
        if !configuration.file_flags.iter().any(wanted) {
            return None;
        }
        let value = match value {
            Some(value) => value.to_string(),
            None => arguments.get(at + 1)?.0.text.clone(),
        };
        Some((value, arg.span))
    });
    let (path, named_span) = match named {
        Some((path, span)) if !path.trim().is_empty() => (path, span),
        _ => {
            let mounted = configuration
                .file_paths
                .iter()
                .find(|p| mount_for(container, p).is_some());
            match mounted {
                Some(path) => (path.clone(), None),
                None => return FileSettings::Absent,
            }
        }
    };
    let unknown = |reason: String, span: Option<Span>| FileSettings::Unknown {
        path: path.clone(),
        reason: format!("configuration file {path}: {reason}"),
        span: span.or(named_span),
    };
    let Some((mount_index, mount, inside)) = mount_for(container, &path) else {
        return unknown(
            "no volume is mounted there (it is in the image, or written at start-up)".into(),
            None,
        );
    };
    let mount_span = objects.value_span(
        key,
        &pod.path(&[
            PathStep::Key("containers"),
            PathStep::Index(index),
            PathStep::Key("volumeMounts"),
            PathStep::Index(mount_index),
            PathStep::Key("mountPath"),
        ]),
    );
    // The typed model keeps no volumes (3 KB each): the one mounted is decoded here.
    let workload = &objects.files[key.file].tree;
    let volumes = workload.lookup(
        objects.get(key).node,
        &pod.path(&[PathStep::Key("volumes")]),
    );
    let volume: Option<Volume> = volumes
        .map(|volumes| workload.items(volumes.value))
        .unwrap_or_default()
        .iter()
        .find(|&&v| {
            let name = workload.get(v, "name");
            name.and_then(|n| workload.string(n.value)) == Some(mount.name.as_str())
        })
        .and_then(|&v| manifest::model::decode::<Volume>(workload, v).value);
    let Some(volume) = volume.as_ref() else {
        return unknown(
            format!("the pod defines no volume `{}`", mount.name),
            mount_span,
        );
    };
    let (config_map, data_key) = match config_map_key(volume, &inside) {
        Ok(found) => found,
        Err(reason) => return unknown(reason, mount_span),
    };
    let namespace = objects.namespace(key);
    let found = objects.iter().find(|(at, object)| {
        object.reference.kind == "ConfigMap"
            && object.reference.name == config_map
            && objects.namespace(*at) == namespace
    });
    let Some((at, object)) = found else {
        return unknown(
            format!("ConfigMap {namespace}/{config_map} is not in the input"),
            mount_span,
        );
    };
    let file = &objects.files[at.file];
    let data_path = [PathStep::Key("data"), PathStep::Key(&data_key)];
    let Some(entry) = file.tree.lookup(object.node, &data_path) else {
        return unknown(
            format!("ConfigMap {namespace}/{config_map} has no key `{data_key}`"),
            mount_span,
        );
    };
    // Spans are positions in the workload's file; a ConfigMap in another file is pointed at
    // through the mount.
    let same_file = at.file == key.file;
    let data_span = same_file.then(|| file.tree.span(entry.value));
    if path.to_ascii_lowercase().ends_with(".toml") {
        return unknown(
            format!("ConfigMap {namespace}/{config_map} key `{data_key}` is TOML, which is not read; write it as YAML to have it checked"),
            data_span.or(mount_span),
        );
    }
    let Some(parsed) = embedded::parse_string(&file.source, &file.tree, entry.value) else {
        return unknown(
            format!("ConfigMap {namespace}/{config_map} key `{data_key}` is not a string"),
            data_span.or(mount_span),
        );
    };
    if let Some(error) = parsed.error {
        return unknown(
            format!("ConfigMap {namespace}/{config_map} key `{data_key}` does not parse: {error}"),
            data_span.or(mount_span),
        );
    }
    let mut flags = Vec::new();
    if let Some(root) = parsed.root {
        let mut prefix = String::new();
        flatten(&parsed.tree, root, &mut prefix, &mut flags);
    }
    let fallback = mount_span.or(named_span);
    let arguments = flags
        .into_iter()
        .map(|(text, node)| {
            let span = if same_file {
                Some(parsed.tree.span(node))
            } else {
                fallback
            };
            let arg = Arg {
                text,
                span,
                file: Some(path.clone()),
            };
            (arg, None)
        })
        .collect();
    FileSettings::Read(arguments)
}

/// The mount that holds `path`, with the path inside the volume (the longest mount wins, as
/// in the container's file system).
fn mount_for<'c>(
    container: &'c ContainerFacts,
    path: &str,
) -> Option<(usize, &'c VolumeMount, String)> {
    let mut best: Option<(usize, &VolumeMount, String)> = None;
    for (at, mount) in container.volume_mounts.iter().flatten().enumerate() {
        let mount_path = mount.mount_path.trim_end_matches('/');
        let sub_path = mount.sub_path.as_deref().filter(|s| !s.is_empty());
        let inside = if path == mount_path {
            // A file mounted on its own (`subPath`); a whole volume cannot be a file.
            let Some(sub_path) = sub_path else {
                continue;
            };
            sub_path.to_string()
        } else if let Some(rest) = path.strip_prefix(&format!("{mount_path}/")) {
            match sub_path {
                Some(sub_path) => format!("{}/{rest}", sub_path.trim_end_matches('/')),
                None => rest.to_string(),
            }
        } else {
            continue;
        };
        if best
            .as_ref()
            .is_none_or(|(_, b, _)| b.mount_path.len() <= mount.mount_path.len())
        {
            best = Some((at, mount, inside));
        }
    }
    best
}

/// The ConfigMap and key behind `inside` (a path within the volume).
fn config_map_key(volume: &Volume, inside: &str) -> Result<(String, String), String> {
    if let Some(source) = &volume.config_map {
        return key_of(&source.name, source.items.as_deref(), inside).ok_or_else(|| {
            format!(
                "ConfigMap {} (volume `{}`) does not project `{inside}`",
                source.name, volume.name
            )
        });
    }
    if let Some(projected) = &volume.projected {
        let found = projected
            .sources
            .iter()
            .flatten()
            .filter_map(|s| s.config_map.as_ref())
            .find_map(|source| key_of(&source.name, source.items.as_deref(), inside));
        return found.ok_or_else(|| {
            format!(
                "no ConfigMap of the projected volume `{}` holds `{inside}`",
                volume.name
            )
        });
    }
    let kind = if volume.secret.is_some() {
        "a Secret"
    } else if volume.empty_dir.is_some() {
        "an emptyDir (written at start-up)"
    } else if volume.host_path.is_some() {
        "a hostPath"
    } else {
        "a volume whose content is not in the input"
    };
    Err(format!("volume `{}` is {kind}", volume.name))
}

/// A ConfigMap volume shows each key as a file of its name, or only the listed `items`.
fn key_of(name: &str, items: Option<&[KeyToPath]>, inside: &str) -> Option<(String, String)> {
    let key = match items {
        Some(items) if !items.is_empty() => items
            .iter()
            .find(|item| item.path.trim_start_matches("./") == inside)?
            .key
            .clone(),
        _ if !inside.contains('/') => inside.to_string(),
        _ => return None,
    };
    Some((name.to_string(), key))
}

/// Every key of the file as the flag it stands for: `a: {b: x}` is `--a.b=x`; a section is
/// `--a=true` (present, so enabled, as Traefik reads an empty `kubernetesIngress: {}`); a list
/// of scalars is comma-separated; list items of sections are `--a[0].b`.
fn flatten(tree: &Tree, node: NodeId, prefix: &mut String, out: &mut Vec<(String, NodeId)>) {
    if out.len() >= MAX_KEYS {
        return;
    }
    let node = tree.resolve(node);
    match &tree.node(node).kind {
        NodeKind::Mapping(_) => {
            if !prefix.is_empty() {
                out.push((format!("--{prefix}=true"), node));
            }
            for entry in tree.entries(node).iter() {
                let Some(name) = tree.scalar(entry.key) else {
                    continue;
                };
                let length = prefix.len();
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(name);
                flatten(tree, entry.value, prefix, out);
                prefix.truncate(length);
            }
        }
        NodeKind::Sequence(items) => {
            let scalars: Option<Vec<&str>> = items.iter().map(|i| tree.scalar(*i)).collect();
            match scalars {
                Some(values) => out.push((format!("--{prefix}={}", values.join(",")), node)),
                None => {
                    for (at, item) in items.iter().enumerate() {
                        let length = prefix.len();
                        prefix.push_str(&format!("[{at}]"));
                        flatten(tree, *item, prefix, out);
                        prefix.truncate(length);
                    }
                }
            }
        }
        NodeKind::Scalar { .. } => {
            let (value, style) = tree.scalar_parts(node).unwrap_or(("", ScalarStyle::Plain));
            let value = match value {
                "" | "~" | "null" | "Null" | "NULL" if style == ScalarStyle::Plain => "true",
                value => value,
            };
            out.push((format!("--{prefix}={value}"), node));
        }
        NodeKind::Alias(_) => {}
    }
}
