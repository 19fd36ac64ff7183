//! The facts the rules consult, compiled in from `rules/*.yaml`: data with its sources,
//! not code. Adding a provider (or, later, a controller) touches `rules/` only.

mod annotations;
pub mod charts;
mod controllers;
pub mod implementations;
pub mod platforms;
mod providers;
pub mod sets;
pub mod values_ingresses;

/// The annotation naming an Ingress's class (deprecated, still read by every controller).
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// An Ingress's two class names as written: `spec.ingressClassName` and the class annotation.
pub fn written_classes(
    ingress: &k8s_openapi::api::networking::v1::Ingress,
) -> (Option<&str>, Option<&str>) {
    let field = ingress
        .spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.as_deref());
    let annotation = ingress
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CLASS_ANNOTATION))
        .map(String::as_str);
    (field, annotation)
}

/// The annotation marking an IngressClass as the cluster's default.
pub const DEFAULT_CLASS_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";

use std::sync::OnceLock;

use manifest::model::decode;
use manifest::parse::{parse, Limits, ProblemKind};
use serde::de::DeserializeOwned;

pub use annotations::{
    did_you_mean, Annotation, CatalogTarget, ControllerCatalog, Equivalent, IntType, IntUnit,
    Neutral, NeutralPrefix, ReverseAnnotation, ReverseCatalog, SettingsCatalog, ValueType, NGINX,
    NGINX_PREFIX,
};
use charts::Chart;
pub use controllers::{
    image_path, template_settings, AnnotatedObject, BackendTargets, ClassNameFilter, Condition,
    Configuration, Controller, Image, ListenPort, Setting, SourcePrecedence,
};
pub use providers::{Provider, ProviderAnnotation, Providers};

/// Go's `strconv.ParseBool`, which controllers read their flags and annotations with.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Everything in `rules/`, read once.
#[derive(Debug)]
pub struct Knowledge {
    pub providers: Providers,
    /// Known ingress controllers, sorted by id.
    pub controllers: Vec<Controller>,
    pub nginx_annotations: ControllerCatalog,
    /// ingress-nginx's ConfigMap keys and the targets' global settings for them.
    pub nginx_settings: SettingsCatalog,
    pub reverse_annotations: ReverseCatalog,
    pub neutral_annotations: Neutral,
    /// Helm charts of ingress controllers, sorted by chart name.
    pub charts: Vec<Chart>,
    /// Platforms with the controllers they run or install, sorted by id.
    pub platforms: Vec<platforms::Platform>,
    /// The Ingresses application charts render from their values.
    pub values_ingresses: values_ingresses::ValuesIngresses,
    /// Gateway API implementations' policies, sorted by id.
    pub implementations: Vec<implementations::Implementation>,
}

impl Knowledge {
    pub fn controller(&self, id: &str) -> Option<&Controller> {
        self.controllers.iter().find(|c| c.id == id)
    }

    /// The chart data a chart reference names (`repository`: where it is pulled from): the
    /// chart of that name published there, else the one chart of that name when the name is
    /// distinctive (a mirror, an internal registry).
    pub fn chart(&self, name: &str, repository: Option<&str>) -> Option<&Chart> {
        let named = || self.charts.iter().filter(|c| c.has_name(name));
        if let Some(repository) = repository {
            if let Some(chart) = named().find(|c| c.published_in(repository)) {
                return Some(chart);
            }
        }
        let mut candidates = named().filter(|c| !c.name_needs_repository);
        match (candidates.next(), candidates.next()) {
            (Some(chart), None) => Some(chart),
            _ => None,
        }
    }

    /// The ids `--to`, `--from` and the configuration take: every controller, and the
    /// translation targets that are no controller (Gateway API).
    pub fn migration_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.controllers.iter().map(|c| c.id.as_str()).collect();
        for target in self.translation_targets() {
            if !ids.contains(&target) {
                ids.push(target);
            }
        }
        ids
    }

    pub fn implementation(&self, id: &str) -> Option<&implementations::Implementation> {
        self.implementations.iter().find(|i| i.implementation == id)
    }

    pub fn platform(&self, id: &str) -> Option<&platforms::Platform> {
        self.platforms.iter().find(|p| p.platform == id)
    }

    /// The chart by its file-level name (a subchart reference).
    pub fn chart_named(&self, name: &str) -> Option<&Chart> {
        self.charts.iter().find(|c| c.chart == name)
    }
}

/// The `--platform` values, from `rules/platforms/`.
pub fn platform_ids() -> Vec<&'static str> {
    knowledge()
        .platforms
        .iter()
        .map(|p| p.platform.as_str())
        .collect()
}

/// The `--provider` values, from `rules/providers.yaml`.
pub fn provider_ids() -> Vec<&'static str> {
    knowledge()
        .providers
        .providers
        .iter()
        .map(|p| p.id.as_str())
        .collect()
}

/// A chart's own `values.yaml` (`rules/charts/defaults/<file>`), parsed on first use.
pub fn chart_defaults(file: &str) -> Option<&'static manifest::parse::ParsedFile> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static PARSED: OnceLock<Mutex<HashMap<String, &'static manifest::parse::ParsedFile>>> =
        OnceLock::new();
    let text = CHART_DEFAULT_FILES
        .iter()
        .find(|(name, _)| name.rsplit('/').next() == Some(file))?
        .1;
    let cache = PARSED.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    let parsed = cache
        .entry(file.to_string())
        .or_insert_with(|| Box::leak(Box::new(parse(text, Limits::default()))));
    Some(parsed)
}

/// The embedded knowledge. The files are part of the binary and a test reads every one of
/// them, so a failure here is a build defect, never an input problem.
pub fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| match read_all() {
        Ok(knowledge) => knowledge,
        Err(error) => panic!("embedded rules/ data is invalid: {error}"),
    })
}

// `CONTROLLER_FILES`, `CHART_FILES`, `CHART_DEFAULT_FILES`, `PLATFORM_FILES`: every file of those `rules/`
// folders, listed by build.rs.
include!(concat!(env!("OUT_DIR"), "/knowledge_files.rs"));

fn read_all() -> Result<Knowledge, DataError> {
    read_with_controllers(&[])
}

/// The embedded knowledge with more controller files beside those of `rules/controllers/`:
/// what a new controller file brings, before it is added there.
pub fn read_with_controllers(extra: &[(&str, &str)]) -> Result<Knowledge, DataError> {
    // Read on every start: the large catalogs in parallel with the rest (start-up is most of
    // a small run).
    let (catalogs, (rest, controllers)) = rayon::join(
        || {
            rayon::join(
                || {
                    read_data(
                        "rules/annotations/ingress-nginx.yaml",
                        include_str!("../../rules/annotations/ingress-nginx.yaml"),
                    )
                },
                || {
                    read_data(
                        "rules/annotations/reverse.yaml",
                        include_str!("../../rules/annotations/reverse.yaml"),
                    )
                },
            )
        },
        || {
            rayon::join(
                || {
                    let mut charts = CHART_FILES
                        .iter()
                        .map(|(name, text)| read_data::<Chart>(name, text))
                        .collect::<Result<Vec<_>, _>>()?;
                    charts.sort_by(|a, b| a.chart.cmp(&b.chart));
                    let mut platforms = PLATFORM_FILES
                        .iter()
                        .map(|(name, text)| read_data::<platforms::Platform>(name, text))
                        .collect::<Result<Vec<_>, _>>()?;
                    platforms.sort_by(|a, b| a.platform.cmp(&b.platform));
                    let providers = read_data(
                        "rules/providers.yaml",
                        include_str!("../../rules/providers.yaml"),
                    )?;
                    let neutral = read_data(
                        "rules/annotations/neutral.yaml",
                        include_str!("../../rules/annotations/neutral.yaml"),
                    )?;
                    let settings = read_data(
                        "rules/annotations/ingress-nginx-configmap.yaml",
                        include_str!("../../rules/annotations/ingress-nginx-configmap.yaml"),
                    )?;
                    let values_ingresses = read_data(
                        "rules/values-ingresses.yaml",
                        include_str!("../../rules/values-ingresses.yaml"),
                    )?;
                    let implementations = IMPLEMENTATION_FILES
                        .iter()
                        .map(|(name, text)| {
                            read_data::<implementations::Implementation>(name, text)
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok::<_, DataError>((
                        charts,
                        platforms,
                        providers,
                        neutral,
                        settings,
                        values_ingresses,
                        implementations,
                    ))
                },
                || {
                    let mut controllers = CONTROLLER_FILES
                        .iter()
                        .chain(extra)
                        .map(|(name, text)| read_data::<Controller>(name, text))
                        .collect::<Result<Vec<_>, _>>()?;
                    controllers.sort_by(|a, b| a.id.cmp(&b.id));
                    Ok::<_, DataError>(controllers)
                },
            )
        },
    );
    let (nginx_annotations, reverse_annotations) = (catalogs.0?, catalogs.1?);
    let (
        charts,
        platforms,
        providers,
        neutral_annotations,
        nginx_settings,
        values_ingresses,
        implementations,
    ) = rest?;
    Ok(Knowledge {
        providers,
        nginx_annotations,
        nginx_settings,
        reverse_annotations,
        neutral_annotations,
        controllers: controllers?,
        charts,
        platforms,
        values_ingresses,
        implementations,
    })
}

/// The Gateway API implementations `convert --implementation` writes policies for.
const IMPLEMENTATION_FILES: [(&str, &str); 2] = [
    (
        "rules/implementations/envoy-gateway.yaml",
        include_str!("../../rules/implementations/envoy-gateway.yaml"),
    ),
    (
        "rules/implementations/nginx-gateway-fabric.yaml",
        include_str!("../../rules/implementations/nginx-gateway-fabric.yaml"),
    ),
];

/// The `--implementation` values, from `rules/implementations/`.
pub fn implementation_ids() -> Vec<&'static str> {
    knowledge()
        .implementations
        .iter()
        .map(|i| i.implementation.as_str())
        .collect()
}

/// A data file (in `rules/`, or the configuration) that does not read: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    pub file: String,
    /// 1-based; 0 when the problem is the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for DataError {}

/// Reads one data file with the same located reader as manifests, so that an error — a
/// misspelt enum value, an unknown field — names its line.
pub(crate) fn read_data<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, DataError> {
    let parsed = parse(text, Limits::default());
    let source = manifest::SourceText::new(name, text);
    let at = |offset: u32, message: String| {
        let p = source.position(offset as usize);
        DataError {
            file: name.to_string(),
            line: p.line,
            column: p.column,
            message,
        }
    };
    let whole = |message: &str| DataError {
        file: name.to_string(),
        line: 0,
        column: 0,
        message: message.to_string(),
    };
    if let Some(problem) = parsed
        .problems
        .iter()
        .find(|p| p.kind != ProblemKind::SchemaMismatch)
    {
        return Err(at(problem.span.start, problem.message.clone()));
    }
    let root = parsed
        .documents
        .first()
        .and_then(|d| d.root)
        .ok_or_else(|| whole("empty"))?;
    let decoded = decode::<T>(&parsed.tree, root);
    if let Some(error) = decoded.errors.first() {
        let offset = error.node.map_or(0, |n| parsed.tree.span(n).start);
        return Err(at(offset, error.message.clone()));
    }
    if let Some(manifest::model::Note::UnknownField { key }) = decoded.notes.first() {
        return Err(at(parsed.tree.span(*key).start, "unknown field".into()));
    }
    decoded.value.ok_or_else(|| whole("unreadable"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_reads() {
        read_all().unwrap();
    }

    /// A value outside its closed set fails at load, at its line, naming the valid values —
    /// in every kind of data file.
    #[test]
    fn a_misspelt_enum_value_is_refused_with_its_location() {
        let controller = CONTROLLER_FILES
            .iter()
            .find(|(name, _)| name.ends_with("/traefik.yaml"))
            .unwrap();
        let cases: Vec<(String, String, &str)> = vec![
            (
                controller.0.to_string(),
                controller
                    .1
                    .replacen("lifecycle: maintained", "lifecycle: maintaned", 1),
                "maintaned",
            ),
            (
                "rules/annotations/ingress-nginx.yaml".into(),
                include_str!("../../rules/annotations/ingress-nginx.yaml").replacen(
                    "{verdict: exact",
                    "{verdict: exakt",
                    1,
                ),
                "exakt",
            ),
            (
                "rules/annotations/ingress-nginx.yaml".into(),
                include_str!("../../rules/annotations/ingress-nginx.yaml").replacen(
                    "value_type: bool",
                    "value_type: boolean",
                    1,
                ),
                "boolean",
            ),
            (
                "rules/providers.yaml".into(),
                include_str!("../../rules/providers.yaml").replacen(
                    "honours_spec_field: \"false\"",
                    "honours_spec_field: nope",
                    1,
                ),
                "nope",
            ),
        ];
        for (name, text, wrong) in cases {
            let line = text
                .lines()
                .position(|l| l.contains(wrong))
                .map(|at| at + 1)
                .unwrap_or_else(|| panic!("{name}: `{wrong}` not written"));
            let error = match name.as_str() {
                n if n.starts_with("rules/controllers/") => read_data::<Controller>(&name, &text)
                    .map(|_| ())
                    .unwrap_err(),
                "rules/providers.yaml" => read_data::<Providers>(&name, &text)
                    .map(|_| ())
                    .unwrap_err(),
                _ => read_data::<ControllerCatalog>(&name, &text)
                    .map(|_| ())
                    .unwrap_err(),
            };
            assert_eq!(
                (error.file.as_str(), error.line),
                (name.as_str(), line),
                "{error}"
            );
            assert!(error.message.contains(&format!("`{wrong}`")), "{error}");
        }
    }

    #[test]
    fn every_controller_file_is_compiled_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/controllers");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut compiled: Vec<String> = CONTROLLER_FILES
            .iter()
            .map(|(name, _)| name.trim_start_matches("rules/controllers/").to_string())
            .collect();
        compiled.sort();
        assert_eq!(on_disk, compiled);
    }
}
