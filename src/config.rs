//! `.ingress-lint.yaml`: per-rule severity or `off`, excludes, default target, provider and
//! namespace, suppressions for objects nobody can annotate (third-party charts), and
//! `clusters:` — which paths form one cluster, so that cross-object rules do not compare the
//! dev overlay with the prod one. Found in the current directory or the nearest ancestor, or
//! named with `--config`; command-line flags win over it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::findings::Severity;
use crate::knowledge::{read_data, DataError};
use crate::release::clusters::Configured;
use crate::release::DeclaredController;
use crate::rules::Suppression;

pub const FILE_NAME: &str = ".ingress-lint.yaml";

/// The JSON Schema of the file (`ingress-lint config-schema`; also in the repository, for
/// editors). A test checks it against the struct below.
pub const SCHEMA: &str = include_str!("../ingress-lint.schema.json");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Rule id → its level.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub suppressions: Vec<SuppressionEntry>,
    /// Cluster name → path globs, or `single`; absent: the clusters the layout shows.
    #[serde(default)]
    pub clusters: Clusters,
    /// The platform the clusters run on (`gke`, `k3s`, …: `rules/platforms/`).
    #[serde(default)]
    pub platform: Option<String>,
    /// Bundled components the platform was told not to install (k3s `--disable=traefik`).
    #[serde(default)]
    pub disable: Vec<String>,
    /// Controllers installed from elsewhere (another repository, a console).
    #[serde(default)]
    pub controllers: Vec<DeclaredController>,
    /// Where the file was read from, and its text (not keys of the file).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    #[serde(skip)]
    pub text: String,
}

/// `clusters:`: which paths form each cluster, or `single` for one cluster whatever the
/// repository's layout shows.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Clusters {
    Single(SingleCluster),
    Named(BTreeMap<String, Vec<String>>),
}

impl Default for Clusters {
    fn default() -> Clusters {
        Clusters::Named(BTreeMap::new())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SingleCluster {
    Single,
}

/// What `rules:` sets a rule to. `false` is `off`: YAML 1.1 tools (and editors validating
/// with the JSON schema) read a plain `off` as `false`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Info,
    Off,
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Level, D::Error> {
        struct LevelVisitor;
        impl serde::de::Visitor<'_> for LevelVisitor {
            type Value = Level;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("one of `error`, `warning`, `info`, `off` (or `false`)")
            }
            fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Level, E> {
                match value {
                    false => Ok(Level::Off),
                    true => Err(E::invalid_value(serde::de::Unexpected::Bool(true), &self)),
                }
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Level, E> {
                match value {
                    "error" => Ok(Level::Error),
                    "warning" => Ok(Level::Warning),
                    "info" => Ok(Level::Info),
                    "off" => Ok(Level::Off),
                    _ => Err(E::unknown_variant(
                        value,
                        &["error", "warning", "info", "off"],
                    )),
                }
            }
        }
        deserializer.deserialize_any(LevelVisitor)
    }
}

/// Why the configuration cannot be used (exit code 2).
#[derive(Debug)]
pub enum ConfigError {
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// It does not parse or does not fit the schema (an unknown key, a misspelt level).
    Invalid(DataError),
    SecondDocument {
        file: String,
        line: usize,
        column: usize,
    },
    /// A name that is none of the known ones; `listing` says which are.
    Unknown {
        file: String,
        field: &'static str,
        what: &'static str,
        value: String,
        listing: String,
    },
    Glob {
        file: String,
        context: String,
        glob: String,
        error: globset::Error,
    },
    MissingReason {
        file: String,
        rule: String,
    },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Read { path, error } => write!(f, "{}: {error}", path.display()),
            ConfigError::Invalid(error) => write!(f, "{error}"),
            ConfigError::SecondDocument { file, line, column } => write!(
                f,
                "{file}:{line}:{column}: a second YAML document; the configuration is one document"
            ),
            ConfigError::Unknown {
                file,
                field,
                what,
                value,
                listing,
            } => write!(f, "{file}: {field}: unknown {what} `{value}`{listing}"),
            ConfigError::Glob {
                file,
                context,
                glob,
                error,
            } => write!(f, "{file}: {context} `{glob}`: {error}"),
            ConfigError::MissingReason { file, rule } => {
                write!(f, "{file}: suppressions: {rule}: a reason is required")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// A suppression by rule (or `all`), and any of kind, namespace, name glob and path glob.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionEntry {
    pub rule: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub reason: String,
}

fn glob(text: &str, file: &str, context: &str) -> Result<GlobMatcher, ConfigError> {
    Glob::new(text)
        .map(|g| g.compile_matcher())
        .map_err(|error| ConfigError::Glob {
            file: file.to_string(),
            context: context.to_string(),
            glob: text.to_string(),
            error,
        })
}

impl Config {
    /// `--config FILE`, else `.ingress-lint.yaml` in the checked path's directory or an
    /// ancestor (`checked`: the first path given), else in the current directory or an
    /// ancestor, else the defaults. An unreadable or invalid file is a usage error (exit
    /// code 2).
    pub fn find(explicit: Option<&Path>, checked: Option<&Path>) -> Result<Config, ConfigError> {
        let nearest = |start: &Path| {
            let start = std::path::absolute(start).ok()?;
            let directory = if start.is_dir() {
                start
            } else {
                start.parent()?.to_path_buf()
            };
            directory
                .ancestors()
                .map(|d| d.join(FILE_NAME))
                .find(|p| p.is_file())
        };
        let path = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => checked
                .and_then(nearest)
                .or_else(|| std::env::current_dir().ok().and_then(|dir| nearest(&dir))),
        };
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = manifest::read_side_file(&path, manifest::SIDE_FILE_CAP).map_err(|error| {
            ConfigError::Read {
                path: path.clone(),
                error,
            }
        })?;
        let name = path.display().to_string();
        let parsed = manifest::parse::parse(&text, manifest::parse::Limits::default());
        let roots: Vec<_> = parsed
            .documents
            .iter()
            .filter(|d| d.root.is_some())
            .collect();
        if let Some(second) = roots.get(1) {
            let at = manifest::SourceText::new(name.as_str(), text.as_str())
                .position(second.span.start as usize);
            return Err(ConfigError::SecondDocument {
                file: name,
                line: at.line,
                column: at.column,
            });
        }
        // Empty, or comments only: the defaults.
        let mut config: Config = if roots.is_empty() && parsed.problems.is_empty() {
            Config::default()
        } else {
            read_data(&name, &text).map_err(ConfigError::Invalid)?
        };
        config.path = Some(path);
        config.text = text;
        config.validate()?;
        Ok(config)
    }

    /// The file, for messages.
    fn location(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| FILE_NAME.to_string(), |p| p.display().to_string())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let file = self.location();
        let unknown = |field, what, value: &str, listing: String| ConfigError::Unknown {
            file: file.clone(),
            field,
            what,
            value: value.to_string(),
            listing,
        };
        // The closest rule id, or where they are listed.
        let explain = |rule: &str| {
            let ids = crate::rules::registry().iter().map(|r| r.info().id);
            crate::knowledge::did_you_mean(rule, ids)
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_else(|| " (`ingress-lint explain` lists them)".to_string())
        };
        for rule in self.rules.keys() {
            if crate::rules::find(rule).is_none() {
                return Err(unknown("rules", "rule", rule, explain(rule)));
            }
        }
        let knowledge = crate::knowledge::knowledge();
        if let Some(target) = &self.target {
            let ids = knowledge.migration_ids();
            if !ids.contains(&target.as_str()) {
                let listing = format!("; known: {}", ids.join(", "));
                return Err(unknown("target", "controller id", target, listing));
            }
        }
        if let Some(provider) = &self.provider {
            if knowledge.providers.get(provider).is_none() {
                let ids: Vec<&str> = knowledge
                    .providers
                    .providers
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect();
                let listing = format!("; known: {}", ids.join(", "));
                return Err(unknown("provider", "provider", provider, listing));
            }
        }
        if let Some(platform) = &self.platform {
            if knowledge.platform(platform).is_none() {
                let listing = format!("; known: {}", crate::knowledge::platform_ids().join(", "));
                return Err(unknown("platform", "platform", platform, listing));
            }
        }
        for c in &self.controllers {
            if knowledge.controller(&c.id).is_none() {
                let listing = " (`ingress-lint controllers` lists them)".to_string();
                return Err(unknown("controllers", "controller id", &c.id, listing));
            }
        }
        for s in &self.suppressions {
            if s.rule != "all" && crate::rules::find(&s.rule).is_none() {
                return Err(unknown("suppressions", "rule", &s.rule, explain(&s.rule)));
            }
            if s.reason.trim().is_empty() {
                return Err(ConfigError::MissingReason {
                    file: file.clone(),
                    rule: s.rule.clone(),
                });
            }
        }
        Ok(())
    }

    /// The file's path as reports name it: relative to the current directory when below it.
    pub fn display_path(&self) -> Option<String> {
        let path = self.path.as_ref()?;
        let relative = std::env::current_dir()
            .ok()
            .and_then(|dir| path.strip_prefix(dir).ok().map(Path::to_path_buf));
        Some(
            relative
                .unwrap_or_else(|| path.clone())
                .display()
                .to_string()
                .replace('\\', "/"),
        )
    }

    /// The platform given on the command line, else the config's.
    pub fn platform(&self, given: Option<&str>) -> Option<String> {
        given.map(str::to_string).or_else(|| self.platform.clone())
    }

    /// The namespace given on the command line, else the config's, else `default`.
    pub fn namespace(&self, given: Option<&str>) -> String {
        given
            .map(str::to_string)
            .or_else(|| self.namespace.clone())
            .unwrap_or_else(|| "default".into())
    }

    /// The config's excludes, then the command line's.
    pub fn excludes(&self, given: &[String]) -> Vec<String> {
        self.exclude.iter().chain(given).cloned().collect()
    }

    /// Rule severities: `off` rules are disabled, the others overridden.
    pub fn severities(&self) -> (BTreeMap<String, Severity>, Vec<String>) {
        let mut severities = BTreeMap::new();
        let mut disabled = Vec::new();
        for (rule, level) in &self.rules {
            let severity = match level {
                Level::Error => Severity::Error,
                Level::Warning => Severity::Warning,
                Level::Info => Severity::Info,
                Level::Off => {
                    disabled.push(rule.clone());
                    continue;
                }
            };
            severities.insert(rule.clone(), severity);
        }
        (severities, disabled)
    }

    pub fn suppressions(&self) -> Result<Vec<Suppression>, ConfigError> {
        let file = self.location();
        self.suppressions
            .iter()
            .map(|entry| {
                Ok(Suppression {
                    rule: entry.rule.clone(),
                    kind: entry.kind.clone(),
                    namespace: entry.namespace.clone(),
                    name: entry
                        .name
                        .as_deref()
                        .map(|n| glob(n, &file, "suppression name"))
                        .transpose()?,
                    path: entry
                        .path
                        .as_deref()
                        .map(|p| glob(p, &file, "suppression path"))
                        .transpose()?,
                    base: self
                        .path
                        .as_deref()
                        .and_then(|p| std::path::absolute(p).ok())
                        .and_then(|p| p.parent().map(Path::to_path_buf)),
                    reason: entry.reason.clone(),
                })
            })
            .collect()
    }

    /// Each cluster's globs, compiled.
    /// `clusters: single`.
    pub fn single_cluster(&self) -> bool {
        matches!(self.clusters, Clusters::Single(_))
    }

    /// Whether `clusters:` names clusters.
    pub fn has_clusters(&self) -> bool {
        matches!(&self.clusters, Clusters::Named(named) if !named.is_empty())
    }

    pub fn clusters(&self) -> Result<Configured, ConfigError> {
        let file = self.location();
        let Clusters::Named(clusters) = &self.clusters else {
            return Ok(Configured::default());
        };
        let compiled = clusters
            .iter()
            .map(|(name, globs)| {
                let context = format!("clusters: {name}:");
                let globs = globs
                    .iter()
                    .map(|g| {
                        Glob::new(g).map_err(|error| ConfigError::Glob {
                            file: file.clone(),
                            context: context.clone(),
                            glob: g.to_string(),
                            error,
                        })
                    })
                    .collect::<Result<Vec<Glob>, ConfigError>>()?;
                Ok((name.clone(), globs))
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        Configured::new(compiled).map_err(|error| ConfigError::Glob {
            file,
            context: "clusters:".into(),
            glob: String::new(),
            error,
        })
    }
}
