//! `check`: findings, and an exit code for CI.

use super::args::{BaselineArgs, CheckArgs, CheckFormat, FormatSpec, RuleArgs};
use super::{use_color, write_out, write_streamed, Outcome, UsageError};
use crate::config::Config;
use crate::input::{discover, InputOptions};
use crate::knowledge::knowledge;
use crate::load::{load, Loaded};
use crate::release::Setup;
use crate::report;
use crate::rules::{self, RuleOptions};
use crate::translate;

/// Reads the inputs named by the arguments (exit code 2 when a PATH does not exist), with the
/// config's excludes.
pub(crate) fn load_inputs(
    input: &super::args::InputArgs,
    config: &Config,
) -> Result<Loaded, UsageError> {
    // A bad glob of the configuration's `exclude:` is said as the configuration's.
    for glob in &config.exclude {
        if let Err(error) = globset::Glob::new(glob) {
            let file = config
                .display_path()
                .unwrap_or_else(|| ".ingress-lint.yaml".into());
            return Err(UsageError(format!("{file}: exclude `{glob}`: {error}")));
        }
    }
    let options = InputOptions {
        hidden: input.hidden,
        exclude: config.excludes(&input.exclude),
        max_file_size: input.max_file_size,
        stdin_filename: input.stdin_filename.clone(),
    };
    let found = discover(&input.paths, &options).map_err(|e| UsageError(e.to_string()))?;
    let namespace = config.namespace(input.namespace.as_deref());
    let platform = config.platform(input.platform.as_deref());
    let config_name = config.display_path();
    let setup = Setup {
        clusters_configured: config.single_cluster() || config.has_clusters(),
        namespace: &namespace,
        platform: platform.as_deref(),
        disabled: &config.disable,
        config: config_name
            .as_deref()
            .map(|name| (name, config.text.as_str())),
        declared: &config.controllers,
    };
    let mut loaded = load(&found.inputs, input.max_file_size, &setup);
    loaded.skipped_entries = found.skipped;
    Ok(loaded)
}

/// What every command reads: the configuration, the default namespace, the inputs.
pub(crate) struct Read {
    pub config: Config,
    pub namespace: String,
    pub loaded: Loaded,
}

impl Read {
    pub(crate) fn new(input: &super::args::InputArgs) -> Result<Read, UsageError> {
        let config = find_config(input)?;
        let namespace = config.namespace(input.namespace.as_deref());
        let loaded = load_inputs(input, &config)?;
        if loaded.files.is_empty() {
            super::note(&crate::report::no_manifest(&loaded.skipped_entries));
        }
        Ok(Read {
            config,
            namespace,
            loaded,
        })
    }

    /// Every object, all clusters at once: an Ingress is served by its own cluster's
    /// controllers only.
    pub(crate) fn objects(&self) -> Result<crate::detect::Objects<'_>, UsageError> {
        let configured = self.config.clusters()?;
        let single = self.config.single_cluster();
        let scopes = crate::detect::cluster_scopes(&self.loaded, &configured, single);
        Ok(crate::detect::Objects::new(&self.loaded, &self.namespace, None).across(scopes))
    }
}

/// The pair to translate, refusing an unknown controller id or a pair the catalog has no
/// translations for.
pub(crate) fn check_migration(
    to: &str,
    from: Option<&str>,
) -> Result<translate::Migration, UsageError> {
    check_target(to)?;
    check_source(from)?;
    translate::migration(knowledge(), to, from).map_err(|e| UsageError(e.to_string()))
}

/// The migration with a Gateway API implementation's policies as a second path.
pub(crate) fn with_implementation(
    mut migration: translate::Migration,
    implementation: Option<&str>,
) -> Result<translate::Migration, UsageError> {
    if let Some(id) = implementation {
        if migration.target != "gateway-api" {
            return Err(UsageError(
                "--implementation is for --to gateway-api (the implementation's policies)".into(),
            ));
        }
        migration.implementation = Some(id.to_string());
    }
    Ok(migration)
}

/// Refuses an id none of `known` is, naming the closest and listing only those.
fn check_id(flag: &str, id: &str, known: &[&str]) -> Result<(), UsageError> {
    if known.contains(&id) {
        return Ok(());
    }
    let near = crate::knowledge::did_you_mean(id, known.iter().copied())
        .map(|near| format!("did you mean `{near}`? "))
        .unwrap_or_default();
    Err(UsageError(format!(
        "unknown {flag} `{id}`: {near}one of {}",
        known.join(", ")
    )))
}

/// Refuses a `--from` that is no controller ingress-lint knows.
pub(crate) fn check_source(from: Option<&str>) -> Result<(), UsageError> {
    match from {
        Some(id) => check_id("--from", id, &knowledge().migration_ids()),
        None => Ok(()),
    }
}

/// Refuses a `--to` that is no controller, naming the targets the annotation catalog
/// translates to (a known controller without translations is said by the catalog).
fn check_target(to: &str) -> Result<(), UsageError> {
    if knowledge().migration_ids().contains(&to) {
        return Ok(());
    }
    check_id("--to", to, &knowledge().translation_targets())
}

/// Refuses a `plan --to` that is no controller ingress-lint knows.
pub(crate) fn check_plan_target(to: &str) -> Result<(), UsageError> {
    check_id("--to", to, &knowledge().migration_ids())
}

/// Every finding of the rules that run, over the inputs.
/// The configuration for these inputs: `--config`, else found from the first path checked.
fn find_config(input: &super::args::InputArgs) -> Result<Config, UsageError> {
    let checked = input
        .paths
        .first()
        .filter(|p| p.as_str() != "-")
        .map(std::path::Path::new);
    Ok(Config::find(input.config.as_deref(), checked)?)
}

/// The loaded inputs, every finding, and the configuration file used (as reports name it).
type Checked = (Loaded, Vec<crate::findings::Finding>, Option<String>);

fn findings(input: &super::args::InputArgs, rule_args: &RuleArgs) -> Result<Checked, UsageError> {
    let config = find_config(input)?;
    let target = rule_args.to.clone().or_else(|| config.target.clone());
    check_source(rule_args.from.as_deref())?;
    let migration = target
        .as_deref()
        .map(|to| {
            check_migration(to, rule_args.from.as_deref())
                .and_then(|m| with_implementation(m, rule_args.implementation.as_deref()))
        })
        .transpose()?;
    let provider = rule_args
        .provider
        .clone()
        .or_else(|| config.provider.clone());
    if let Some(id) = provider
        .as_deref()
        .filter(|id| knowledge().providers.get(id).is_none())
    {
        return Err(UsageError(format!(
            "unknown provider `{id}` in the configuration"
        )));
    }
    let loaded = load_inputs(input, &config)?;
    let (severities, mut disabled) = config.severities();
    // The command line wins: a rule `--select` names runs even if the configuration turns it off.
    disabled.retain(|id| {
        !rule_args
            .select
            .iter()
            .any(|s| s != "all" && names_rule(s, id))
    });
    disabled.extend(deselected(rule_args)?);
    let options = RuleOptions {
        provider,
        namespace: config.namespace(input.namespace.as_deref()),
        disabled,
        severities,
        suppressions: config.suppressions()?,
        clusters: config.clusters()?,
        single_cluster: config.single_cluster(),
        migration,
    };
    let (mut findings, unused) = rules::run_and_report_unused(&loaded, &options);
    let mut loaded = loaded;
    report_unused_configured(&config, &mut loaded, &mut findings, &unused, &options);
    Ok((loaded, findings, config.display_path()))
}

/// The configuration's suppressions that suppressed nothing, located at their entries: the
/// configuration joins the files the report shows.
fn report_unused_configured(
    config: &Config,
    loaded: &mut Loaded,
    findings: &mut Vec<crate::findings::Finding>,
    unused: &[usize],
    options: &RuleOptions,
) {
    if unused.is_empty() || options.disabled.iter().any(|d| d == "suppression-unused") {
        return;
    }
    let Some(name) = config.display_path() else {
        return;
    };
    let file = match loaded.files.iter().position(|f| f.source.name == name) {
        Some(file) => file,
        None => {
            let source = manifest::SourceText::new(name, config.text.clone());
            loaded.files.push(manifest::load_file(
                source,
                manifest::parse::Limits::default(),
            ));
            loaded.files.len() - 1
        }
    };
    let added = &loaded.files[file];
    let entries = added
        .documents
        .first()
        .and_then(|d| d.root)
        .and_then(|root| added.tree.lookup_keys(root, &["suppressions"]))
        .map(|e| added.tree.items(e.value).to_vec())
        .unwrap_or_default();
    for &index in unused {
        let Some(node) = entries.get(index) else {
            continue;
        };
        let location = crate::findings::Location::new(file, added.tree.span(*node));
        let mut finding = rules::unused_configured(location, &options.suppressions[index].rule);
        if let Some(severity) = options.severities.get(finding.rule) {
            finding.severity = *severity;
        }
        findings.push(finding);
    }
}

/// Whether a `--select`/`--ignore` entry names a rule: `all`, the id, a glob
/// (`annotation-*`) or a prefix ending in `-` (`ingress-class-`).
fn names_rule(pattern: &str, id: &str) -> bool {
    if pattern == "all" || pattern == id {
        return true;
    }
    if pattern.contains(['*', '?', '[']) {
        return globset::Glob::new(pattern).is_ok_and(|g| g.compile_matcher().is_match(id));
    }
    pattern.ends_with('-') && id.starts_with(pattern)
}

/// The rules `--select` and `--ignore` turn off; an entry that names no rule is a usage
/// error naming the closest ones.
fn deselected(rule_args: &RuleArgs) -> Result<Vec<String>, UsageError> {
    let ids: Vec<&str> = rules::registry().iter().map(|r| r.info().id).collect();
    for pattern in rule_args.select.iter().chain(&rule_args.ignore) {
        if !ids.iter().any(|id| names_rule(pattern, id)) {
            let near = crate::knowledge::did_you_mean(pattern, ids.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_else(|| " (`ingress-lint explain` lists them)".into());
            return Err(UsageError(format!("`{pattern}` names no rule{near}")));
        }
    }
    let selected = |id: &str| {
        rule_args.select.is_empty() || rule_args.select.iter().any(|p| names_rule(p, id))
    };
    let ignored = |id: &str| rule_args.ignore.iter().any(|p| names_rule(p, id));
    Ok(ids
        .into_iter()
        .filter(|id| !selected(id) || ignored(id))
        .map(str::to_string)
        .collect())
}

/// `--show-config`: the configuration file these inputs get, its text, and the settings in
/// effect with where each comes from.
fn show_config(args: &CheckArgs) -> Result<Outcome, UsageError> {
    let config = find_config(&args.input)?;
    let mut out = match config.display_path() {
        Some(file) => format!("# configuration: {file}\n{}", config.text),
        None => "# no configuration file (.ingress-lint.yaml) found: the defaults\n".to_string(),
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let from = |flag: Option<&String>, file: Option<&String>| match (flag, file) {
        (Some(v), _) => format!("{v} (command line)"),
        (None, Some(v)) => format!("{v} (configuration)"),
        (None, None) => "(not set)".to_string(),
    };
    out.push_str("# in effect:\n");
    out.push_str(&format!(
        "#   target: {}\n",
        from(args.rules.to.as_ref(), config.target.as_ref())
    ));
    out.push_str(&format!(
        "#   provider: {}\n",
        from(args.rules.provider.as_ref(), config.provider.as_ref())
    ));
    out.push_str(&format!(
        "#   platform: {}\n",
        from(args.input.platform.as_ref(), config.platform.as_ref())
    ));
    out.push_str(&format!(
        "#   namespace: {}\n",
        config.namespace(args.input.namespace.as_deref())
    ));
    write_out(args.output.as_deref(), &out)?;
    Ok(Outcome::Clean)
}

/// The reports to write: `--format` as given (human to stdout when none). One goes to stdout
/// (or `--output`) at most, and no two to one file.
fn report_specs(args: &CheckArgs) -> Result<Vec<FormatSpec>, UsageError> {
    if args.format.is_empty() {
        return Ok(vec![FormatSpec {
            format: CheckFormat::Human,
            file: None,
        }]);
    }
    let to_stdout = args.format.iter().filter(|s| s.file.is_none()).count();
    if to_stdout > 1 {
        return Err(UsageError(
            "more than one --format writes to stdout: give the others a file (`--format sarif:out.sarif`)".into(),
        ));
    }
    let mut files: Vec<&std::path::Path> = args
        .format
        .iter()
        .filter_map(|s| s.file.as_deref())
        .chain(args.output.as_deref().filter(|_| to_stdout == 1))
        .collect();
    files.sort();
    if let Some(pair) = files.windows(2).find(|w| w[0] == w[1]) {
        return Err(UsageError(format!(
            "two reports would be written to {}",
            pair[0].display()
        )));
    }
    Ok(args.format.clone())
}

/// `baseline`: today's findings, written to `--output`.
pub fn baseline(args: &BaselineArgs) -> Result<Outcome, UsageError> {
    let (loaded, findings, _) = findings(&args.input, &args.rules)?;
    let text = rules::baseline::write(&loaded, &findings)
        .map_err(|e| UsageError(format!("writing the baseline: {e}")))?;
    write_out(Some(&args.output), &text)?;
    super::note(&format!(
        "ingress-lint: {} finding(s) written to {}",
        findings.iter().filter(|f| f.suppressed.is_none()).count(),
        args.output.display()
    ));
    Ok(Outcome::Clean)
}

/// The files `--only-report` names: paths, and the lines of `@FILE`s. `None` without the
/// option; an empty list (an `@FILE` of a change with no manifest) reports nothing.
fn only_report(given: &[String]) -> Result<Option<Vec<String>>, UsageError> {
    if given.is_empty() {
        return Ok(None);
    }
    let mut paths = Vec::new();
    for item in given {
        match item.strip_prefix('@') {
            Some(list) => {
                let text =
                    manifest::read_side_file(std::path::Path::new(list), manifest::SIDE_FILE_CAP)
                        .map_err(|e| UsageError(format!("--only-report @{list}: {e}")))?;
                paths.extend(
                    text.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(String::from),
                );
            }
            None => paths.push(item.clone()),
        }
    }
    Ok(Some(paths))
}

/// A path as an absolute one, to compare an input with a listed path however each was
/// written: absolute, relative to the working directory, or (as `git diff --name-only`
/// prints it) to the repository's root.
fn absolute(path: &str, roots: &[std::path::PathBuf]) -> std::path::PathBuf {
    let path = std::path::Path::new(path);
    if path.is_absolute() {
        return std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    }
    roots
        .iter()
        .find_map(|root| std::fs::canonicalize(root.join(path)).ok())
        .unwrap_or_else(|| roots.first().map_or(path.to_path_buf(), |r| r.join(path)))
}

/// The working directory, then the repository's root above it (where `.git` is).
fn path_roots() -> Vec<std::path::PathBuf> {
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let repository = cwd
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(|a| a.to_path_buf());
    std::iter::once(cwd.clone())
        .chain(repository.filter(|r| *r != cwd))
        .collect()
}

pub fn run(args: &CheckArgs) -> Result<Outcome, UsageError> {
    if args.quiet {
        super::quiet();
    }
    let reported = only_report(&args.only_report)?;
    if args.show_config {
        return show_config(args);
    }
    let ticker = super::progress::Ticker::start(args.quiet);
    let (mut loaded, mut findings, config_file) = findings(&args.input, &args.rules)?;
    drop(ticker);
    if let Some(reported) = reported {
        // A file is reported when it, or a directory above it, is listed: both sides made
        // absolute, each input looked up by its path and each of its directories.
        let roots = path_roots();
        let listed: std::collections::HashSet<std::path::PathBuf> =
            reported.iter().map(|p| absolute(p, &roots)).collect();
        let files: Vec<std::path::PathBuf> = loaded
            .files
            .iter()
            .map(|f| absolute(&f.source.name, &roots))
            .collect();
        let mut matched = std::collections::HashSet::new();
        let keep: Vec<bool> = files
            .iter()
            .map(|file| {
                let hit = file.ancestors().find(|a| listed.contains(*a));
                if let Some(hit) = hit {
                    matched.insert(hit.to_path_buf());
                }
                hit.is_some()
            })
            .collect();
        findings.retain(|f| keep[f.location.file]);
        let unmatched: Vec<&String> = reported
            .iter()
            .filter(|p| !matched.contains(&absolute(p, &roots)))
            .collect();
        if let Some(first) = unmatched.first() {
            super::note(&format!(
                "ingress-lint: {} --only-report path(s) name no input file (first: {first})",
                unmatched.len()
            ));
        }
    }
    if let Some(path) = &args.baseline {
        let baseline = rules::baseline::read(path).map_err(|e| UsageError(e.to_string()))?;
        loaded.baseline = Some(rules::baseline::apply(&baseline, &loaded, &mut findings));
    }
    let specs = report_specs(args)?;
    for spec in &specs {
        let to_file = spec.file.is_some() || args.output.is_some();
        let destination = spec.file.as_deref().or(args.output.as_deref());
        // `--statistics` takes stdout's report's place.
        if args.statistics && spec.file.is_none() {
            write_out(destination, &report::statistics(&findings))?;
            continue;
        }
        let text = match spec.format {
            CheckFormat::Human if args.quiet => Some(report::human_findings(
                &findings,
                &loaded,
                use_color(args.input.color, to_file),
            )),
            CheckFormat::Human => Some({
                let mut text =
                    report::human(&loaded, &findings, use_color(args.input.color, to_file));
                if let Some(file) = &config_file {
                    text.push_str(&format!("configuration: {file}\n"));
                }
                text
            }),
            CheckFormat::Concise => Some(report::concise(&loaded, &findings)),
            CheckFormat::Json => None,
            CheckFormat::Sarif => Some(report::sarif(&loaded, &findings)?),
            CheckFormat::Github => Some(report::github(&loaded, &findings)),
            CheckFormat::Gitlab => Some(report::gitlab(&loaded, &findings)?),
            CheckFormat::Junit => Some(report::junit(&loaded, &findings, args.fail_on.threshold())),
            CheckFormat::Markdown => Some(report::markdown(
                &loaded,
                &findings,
                &report::MarkdownOptions {
                    max_size: args.max_comment_size,
                    link_base: args.link_base.clone(),
                },
            )),
        };
        match text {
            Some(text) => write_out(destination, &text)?,
            // Written as it is serialised: on a large repository it is tens of megabytes,
            // written while every input is still in memory.
            None => write_streamed(destination, |out| {
                report::write_json(&loaded, &findings, out)
            })?,
        }
    }
    if args.statistics && specs.iter().all(|s| s.file.is_some()) {
        write_out(args.output.as_deref(), &report::statistics(&findings))?;
    }
    let failing = args.fail_on.threshold().is_some_and(|threshold| {
        findings
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity >= threshold)
    });
    let empty = args.fail_if_no_objects && loaded.objects() == 0;
    if empty {
        super::note("ingress-lint: no Kubernetes object found in the input (--fail-if-no-objects)");
    }
    // The process ends here and hands all its memory back at once: freeing every tree
    // piece by piece cost a tenth of a second on a 100,000-document repository.
    std::mem::forget(loaded);
    std::mem::forget(findings);
    Ok(if (failing || empty) && !args.exit_zero {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}
