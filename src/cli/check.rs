//! `check`: findings, and an exit code for CI.

use super::args::{CheckArgs, CheckFormat};
use super::{use_color, write_out, Outcome, UsageError};
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
        let config = Config::find(input.config.as_deref())?;
        let namespace = config.namespace(input.namespace.as_deref());
        let loaded = load_inputs(input, &config)?;
        Ok(Read {
            config,
            namespace,
            loaded,
        })
    }

    pub(crate) fn objects(&self) -> crate::detect::Objects<'_> {
        crate::detect::Objects::new(&self.loaded, &self.namespace, None)
    }
}

/// The pair to translate, refusing an unknown controller id or a pair the catalog has no
/// translations for.
pub(crate) fn check_migration(
    to: &str,
    from: Option<&str>,
) -> Result<translate::Migration, UsageError> {
    check_ids(&[Some(to), from])?;
    translate::migration(knowledge(), to, from).map_err(|e| UsageError(e.to_string()))
}

/// Refuses an unknown controller id.
pub(crate) fn check_ids(ids: &[Option<&str>]) -> Result<(), UsageError> {
    let known = knowledge().migration_ids();
    for id in ids.iter().copied().flatten() {
        if !known.contains(&id) {
            return Err(UsageError(format!(
                "unknown controller id `{id}`; known: {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

pub fn run(args: &CheckArgs) -> Result<Outcome, UsageError> {
    let config = Config::find(args.input.config.as_deref())?;
    let target = args.to.clone().or_else(|| config.target.clone());
    check_ids(&[args.from.as_deref()])?;
    let migration = target
        .as_deref()
        .map(|to| check_migration(to, args.from.as_deref()))
        .transpose()?;
    let provider = args.provider.clone().or_else(|| config.provider.clone());
    if let Some(id) = provider
        .as_deref()
        .filter(|id| knowledge().providers.get(id).is_none())
    {
        return Err(UsageError(format!(
            "unknown provider `{id}` in the configuration"
        )));
    }
    let loaded = load_inputs(&args.input, &config)?;
    let (severities, disabled) = config.severities();
    let options = RuleOptions {
        provider,
        namespace: config.namespace(args.input.namespace.as_deref()),
        disabled,
        severities,
        suppressions: config.suppressions()?,
        clusters: config.clusters()?,
        single_cluster: config.single_cluster(),
        migration,
    };
    let findings = rules::run(&loaded, &options);
    let text = match args.format {
        CheckFormat::Human => report::human(
            &loaded,
            &findings,
            use_color(args.color, args.output.is_some()),
        ),
        CheckFormat::Json => report::json(&loaded, &findings)?,
        CheckFormat::Sarif => report::sarif(&loaded, &findings)?,
        CheckFormat::Github => report::github(&loaded, &findings),
    };
    write_out(args.output.as_deref(), &text)?;
    let failing = args.fail_on.threshold().is_some_and(|threshold| {
        findings
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity >= threshold)
    });
    let empty = args.fail_if_no_objects && loaded.objects() == 0;
    if empty {
        eprintln!("ingress-lint: no Kubernetes object found in the input (--fail-if-no-objects)");
    }
    Ok(if failing || empty {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}
