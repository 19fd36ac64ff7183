//! `.ingress-lint.yaml`: per-rule severity or `off`, excludes, default target, provider and
//! namespace, suppressions for objects nobody can annotate (third-party charts), and
//! `clusters:` — which paths form one cluster, so that cross-object rules do not compare the
//! dev overlay with the prod one. Found in the current directory or the nearest ancestor, or
//! named with `--config`; command-line flags win over it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::cli::args::InputArgs;
use crate::cli::UsageError;
use crate::findings::{Finding, Severity};
use crate::knowledge::read_data;

pub const FILE_NAME: &str = ".ingress-lint.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Rule id → `error`, `warning`, `info` or `off`.
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
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
    /// Cluster name → path globs.
    #[serde(default)]
    pub clusters: BTreeMap<String, Vec<String>>,
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

/// A controller the repository does not hold, as `controllers:` declares it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredController {
    /// The controller id (`ingress-lint controllers` lists them).
    pub id: String,
    /// Its workload's name (default: the id).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    /// The classes it serves.
    #[serde(default)]
    pub classes: Vec<String>,
    /// The IngressClass `spec.controller` value it claims (default: the controller's own).
    #[serde(default)]
    pub controller_value: Option<String>,
    /// Whether it takes Ingresses with no class.
    #[serde(default)]
    pub classless: bool,
    pub exposure: DeclaredExposure,
    /// The load balancer IP it is reached at.
    #[serde(default)]
    pub ip: Option<String>,
    /// Ports bound on the nodes (hostport, hostnetwork); default 80 and 443.
    #[serde(default)]
    pub host_ports: Vec<u16>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeclaredExposure {
    Loadbalancer,
    Nodeport,
    Hostport,
    Hostnetwork,
    Cloud,
    Clusterip,
}

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

/// A suppression ready to match.
#[derive(Clone, Debug)]
pub struct Suppression {
    pub entry: SuppressionEntry,
    name: Option<GlobMatcher>,
    path: Option<GlobMatcher>,
}

impl Suppression {
    /// Whether it covers a finding in the file named `file`.
    pub fn covers(&self, finding: &Finding, file: &str) -> bool {
        let e = &self.entry;
        let object = finding.object.as_ref();
        (e.rule == "all" || e.rule == finding.rule)
            && e.kind
                .as_ref()
                .is_none_or(|k| object.is_some_and(|o| &o.kind == k))
            && e.namespace
                .as_ref()
                .is_none_or(|ns| object.is_some_and(|o| o.namespace.as_ref() == Some(ns)))
            && self
                .name
                .as_ref()
                .is_none_or(|g| object.is_some_and(|o| g.is_match(&o.name)))
            && self.path.as_ref().is_none_or(|g| g.is_match(file))
    }
}

fn glob(text: &str, what: &str, where_: &str) -> Result<GlobMatcher, UsageError> {
    Glob::new(text)
        .map(|g| g.compile_matcher())
        .map_err(|e| UsageError(format!("{where_}: {what} `{text}`: {e}")))
}

impl Config {
    /// `--config FILE`, else `.ingress-lint.yaml` in the current directory or an ancestor,
    /// else the defaults. An unreadable or invalid file is a usage error (exit code 2).
    pub fn find(explicit: Option<&Path>) -> Result<Config, UsageError> {
        let path = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => std::env::current_dir().ok().and_then(|dir| {
                dir.ancestors()
                    .map(|d| d.join(FILE_NAME))
                    .find(|p| p.is_file())
            }),
        };
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
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
            return Err(UsageError(format!(
                "{name}:{}:{}: a second YAML document; the configuration is one document",
                at.line, at.column
            )));
        }
        // Empty, or comments only: the defaults.
        let mut config: Config = if roots.is_empty() && parsed.problems.is_empty() {
            Config::default()
        } else {
            read_data(&name, &text).map_err(UsageError)?
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

    fn validate(&self) -> Result<(), UsageError> {
        let where_ = self.location();
        for (rule, level) in &self.rules {
            if crate::rules::find(rule).is_none() {
                return Err(UsageError(format!(
                    "{where_}: rules: unknown rule `{rule}` (`ingress-lint explain` lists them)"
                )));
            }
            if !["error", "warning", "info", "off"].contains(&level.as_str()) {
                return Err(UsageError(format!(
                    "{where_}: rules: {rule}: `{level}` is not error, warning, info or off"
                )));
            }
        }
        let knowledge = crate::knowledge::knowledge();
        if let Some(target) = &self.target {
            if target != "gateway-api" && knowledge.controller(target).is_none() {
                let ids: Vec<&str> = knowledge
                    .controllers
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect();
                return Err(UsageError(format!(
                    "{where_}: target: unknown controller id `{target}`; known: {}, gateway-api",
                    ids.join(", ")
                )));
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
                return Err(UsageError(format!(
                    "{where_}: provider: unknown provider `{provider}`; known: {}",
                    ids.join(", ")
                )));
            }
        }
        if let Some(platform) = &self.platform {
            if knowledge.platform(platform).is_none() {
                return Err(UsageError(format!(
                    "{where_}: platform: unknown platform `{platform}`; known: {}",
                    crate::knowledge::platform_ids().join(", ")
                )));
            }
        }
        for c in &self.controllers {
            if knowledge.controller(&c.id).is_none() {
                return Err(UsageError(format!(
                    "{where_}: controllers: unknown controller id `{}` (`ingress-lint controllers` lists them)",
                    c.id
                )));
            }
        }
        for s in &self.suppressions {
            if s.rule != "all" && crate::rules::find(&s.rule).is_none() {
                return Err(UsageError(format!(
                    "{where_}: suppressions: unknown rule `{}`",
                    s.rule
                )));
            }
            if s.reason.trim().is_empty() {
                return Err(UsageError(format!(
                    "{where_}: suppressions: {}: a reason is required",
                    s.rule
                )));
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

    /// `--platform`, else the config's.
    pub fn platform(&self, input: &InputArgs) -> Option<String> {
        input.platform.clone().or_else(|| self.platform.clone())
    }

    /// `--namespace`, else the config's, else `default`.
    pub fn namespace(&self, input: &InputArgs) -> String {
        input
            .namespace
            .clone()
            .or_else(|| self.namespace.clone())
            .unwrap_or_else(|| "default".into())
    }

    /// The config's excludes, then the command line's.
    pub fn excludes(&self, input: &InputArgs) -> Vec<String> {
        self.exclude.iter().chain(&input.exclude).cloned().collect()
    }

    /// Rule severities: `off` rules are disabled, the others overridden.
    pub fn severities(&self) -> (BTreeMap<String, Severity>, Vec<String>) {
        let mut severities = BTreeMap::new();
        let mut disabled = Vec::new();
        for (rule, level) in &self.rules {
            match level.as_str() {
                "error" => drop(severities.insert(rule.clone(), Severity::Error)),
                "warning" => drop(severities.insert(rule.clone(), Severity::Warning)),
                "info" => drop(severities.insert(rule.clone(), Severity::Info)),
                _ => disabled.push(rule.clone()),
            }
        }
        (severities, disabled)
    }

    pub fn suppressions(&self) -> Result<Vec<Suppression>, UsageError> {
        self.suppressions
            .iter()
            .map(|entry| {
                Ok(Suppression {
                    name: entry
                        .name
                        .as_deref()
                        .map(|n| glob(n, "suppression name", &self.location()))
                        .transpose()?,
                    path: entry
                        .path
                        .as_deref()
                        .map(|p| glob(p, "suppression path", &self.location()))
                        .transpose()?,
                    entry: entry.clone(),
                })
            })
            .collect()
    }

    /// Each cluster's globs, compiled.
    pub fn clusters(&self) -> Result<Vec<(String, GlobSet)>, UsageError> {
        self.clusters
            .iter()
            .map(|(name, globs)| {
                let mut builder = GlobSetBuilder::new();
                for g in globs {
                    builder.add(Glob::new(g).map_err(|e| {
                        UsageError(format!("{}: clusters: {name}: `{g}`: {e}", self.location()))
                    })?);
                }
                let set = builder.build().map_err(|e| {
                    UsageError(format!("{}: clusters: {name}: {e}", self.location()))
                })?;
                Ok((name.clone(), set))
            })
            .collect()
    }
}
