//! Command-line arguments (SPEC §1).

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::findings::Severity;

#[derive(Debug, Parser)]
#[command(
    name = "ingress-lint",
    version,
    about = "Offline static analyzer and compatibility linter for moving a Kubernetes cluster from one ingress controller to another",
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests and report findings; the exit code is for CI
    #[command(visible_alias = "lint")]
    Check(CheckArgs),
    /// Write today's findings to a file, so that `check --baseline FILE` reports only new ones
    Baseline(BaselineArgs),
    /// List the ingress controllers, their classes, how each is exposed, and who serves each Ingress
    Inventory(InventoryArgs),
    /// Annotation translation report for a target controller
    Translate(TranslateArgs),
    /// Write the target's manifests for the Ingresses the source controller serves, and a
    /// report of every annotation: translated, approximated or not translated (exit code 1)
    Convert(ConvertArgs),
    /// Migration scenario (DNS switchover, LoadBalancer IP reuse, node rollout) and runbook
    Plan(PlanArgs),
    /// List the controllers ingress-lint knows: ids, controller values, default classes, prefixes
    Controllers {
        /// Output format
        #[arg(long, value_enum, default_value = "table")]
        format: ControllersFormat,
    },
    /// Print a rule's documentation, or list all rules
    Explain {
        /// A rule id, e.g. load-balancer-ip-deprecated
        rule: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff) of ingress-lint, or of one subcommand (`man check`)
    Man {
        /// The subcommand whose page to print
        subcommand: Option<String>,
        /// Write every page (`ingress-lint.1`, `ingress-lint-check.1`, …) into DIR
        #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
        output_dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of `.ingress-lint.yaml` (for editors' completion and validation)
    ConfigSchema,
}

/// Where manifests come from (shared by every command that reads them).
#[derive(Clone, Debug, Args)]
pub struct InputArgs {
    /// Files or directories (walked for .yaml/.yml/.json, honouring .gitignore); `-` for stdin
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Remove paths matching this glob (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also walk hidden files and directories
    #[arg(long)]
    pub hidden: bool,
    /// The name stdin input gets in findings
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Skip files larger than this many bytes (input-unreadable)
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Namespace of objects that name none [default: default]
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Configuration file [default: .ingress-lint.yaml in the current directory or an ancestor]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The platform the cluster runs on: its managed and bundled controllers count
    #[arg(long, value_name = "PLATFORM", value_parser = PossibleValuesParser::new(crate::knowledge::platform_ids()))]
    pub platform: Option<String>,
    /// Colour the human output (every command takes it; `NO_COLOR` is honoured)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    /// One line per finding: `path:line:col: severity rule message`.
    Concise,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
    Markdown,
}

/// A report to write: its format, and its file (`None`: stdout or `--output`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: CheckFormat,
    pub file: Option<PathBuf>,
}

/// `FORMAT` or `FORMAT:FILE`.
fn format_spec(text: &str) -> Result<FormatSpec, String> {
    let (name, file) = match text.split_once(':') {
        Some((name, file)) => (name, Some(file)),
        None => (text, None),
    };
    let format = CheckFormat::from_str(name, true).map_err(|_| {
        let names: Vec<String> = CheckFormat::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        let near = crate::knowledge::did_you_mean(name, names.iter().map(String::as_str))
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        format!("unknown format `{name}`: {near}one of {}", names.join(", "))
    })?;
    match file {
        Some("") => Err(format!("`{name}:` names no file")),
        file => Ok(FormatSpec {
            format,
            file: file.map(PathBuf::from),
        }),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TranslateFormat {
    Markdown,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct TranslateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The controller you migrate to (traefik, haproxy, kong, f5-nginx, gateway-api, ingress-nginx)
    #[arg(long, value_name = "TARGET")]
    pub to: String,
    /// Gateway API: the implementation whose policies count as a second path
    #[arg(long, value_name = "ID", value_parser = PossibleValuesParser::new(crate::knowledge::implementation_ids()))]
    pub implementation: Option<String>,
    /// The controller you migrate from (default: ingress-nginx, or every other controller
    /// when the target is ingress-nginx)
    #[arg(long, value_name = "ID")]
    pub from: Option<String>,
    /// Output format
    #[arg(short, long, value_enum, default_value = "markdown")]
    pub format: TranslateFormat,
    /// Write the report to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConvertFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The target to write manifests for
    #[arg(long, value_name = "TARGET", value_parser = PossibleValuesParser::new(crate::convert::TARGETS))]
    pub to: String,
    /// The controller you migrate from (ingress-nginx, the default, is the one the catalog
    /// translates from)
    #[arg(long, value_name = "ID")]
    pub from: Option<String>,
    /// Convert the Ingresses of this source class (repeatable; default: those the source
    /// controller in the input serves, else its default class and the IngressClasses naming
    /// its controller)
    #[arg(long = "class", value_name = "NAME")]
    pub classes: Vec<String>,
    /// Convert class-less Ingresses too
    #[arg(long)]
    pub classless: bool,
    /// The target's class: the IngressClass of the emitted Ingresses, or the GatewayClass of
    /// the emitted Gateways (default: the target's default class; for Gateway API the
    /// source's IngressClass name)
    #[arg(long, value_name = "NAME")]
    pub target_class: Option<String>,
    /// Gateway API: also write this implementation's policies for what the standard channel
    /// cannot say (authentication, IP lists, rate limits, timeouts, retries, body size,
    /// affinity)
    #[arg(long, value_name = "ID", value_parser = PossibleValuesParser::new(crate::knowledge::implementation_ids()))]
    pub implementation: Option<String>,
    /// Traefik: keep the ingress-nginx annotations for Traefik's ingress-nginx provider
    /// (v3.5+) instead of writing Traefik's own objects; the report says what it does not read
    #[arg(long, value_enum, value_name = "PATH")]
    pub via: Option<Via>,
    /// Append this to the names of the emitted Ingresses, so that they run beside the
    /// source's instead of replacing them (e.g. `--name-suffix=-traefik`)
    #[arg(long, value_name = "SUFFIX")]
    pub name_suffix: Option<String>,
    /// Write one file per source file under DIR (mirroring the paths) instead of stdout
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Let --output-dir replace input files (`--output-dir .` over the sources)
    #[arg(long)]
    pub force: bool,
    /// Write the conversion report to FILE instead of stderr
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Format of the conversion report
    #[arg(short, long, value_enum, default_value = "markdown")]
    pub format: ConvertFormat,
}

/// How `convert --to traefik` carries the Ingresses over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Via {
    /// Traefik's ingress-nginx provider reads the annotations as they are
    NginxProvider,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExposureArg {
    Cloud,
    Loadbalancer,
    Hostport,
    Hostnetwork,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The controller you migrate to
    #[arg(long, value_name = "TARGET")]
    pub to: String,
    /// The controller you migrate from (default: the retired one, else the first found)
    #[arg(long, value_name = "ID")]
    pub from: Option<String>,
    /// The target's manifests (its helm template output), to read its exposure from
    #[arg(long = "target", value_name = "PATH")]
    pub target_paths: Vec<String>,
    /// The target's exposure, when its manifests are not at hand
    #[arg(long, value_enum)]
    pub target_exposure: Option<ExposureArg>,
    /// Output format
    #[arg(short, long, value_enum, default_value = "markdown")]
    pub format: PlanFormat,
    /// Write the report to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ControllersFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format
    #[arg(short, long, value_enum, default_value = "table")]
    pub format: InventoryFormat,
    /// Write the report to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What decides which rules run and how (shared by `check` and `baseline`).
#[derive(Clone, Debug, Args)]
pub struct RuleArgs {
    /// The load-balancer implementation, for load-balancer-ip-deprecated advice
    #[arg(long, value_name = "PROVIDER", value_parser = PossibleValuesParser::new(crate::knowledge::provider_ids()))]
    pub provider: Option<String>,
    /// The controller you migrate to: report annotations it cannot carry (traefik, haproxy,
    /// kong, f5-nginx, gateway-api, ingress-nginx)
    #[arg(long, value_name = "TARGET")]
    pub to: Option<String>,
    /// With `--to gateway-api`: the implementation whose policies carry what the standard
    /// channel cannot
    #[arg(long, value_name = "ID", value_parser = PossibleValuesParser::new(crate::knowledge::implementation_ids()))]
    pub implementation: Option<String>,
    /// The controller you migrate from (default: ingress-nginx, or every other controller
    /// when the target is ingress-nginx)
    #[arg(long, value_name = "ID")]
    pub from: Option<String>,
    /// Run only these rules (repeatable, or comma-separated; `all`), over the configuration
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (repeatable, or comma-separated), over the configuration
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// The baseline file to write
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Report only findings that are not in this baseline (`ingress-lint baseline` writes it)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<String>,
    /// Report only findings located in these files or directories; `@FILE` reads paths one a
    /// line (`git diff --name-only`). Every input is still read.
    #[arg(long, value_name = "PATH|@FILE")]
    pub only_report: Vec<String>,
    /// Output format: human, concise, json, sarif, github, gitlab, junit, markdown
    /// [default: human]. Repeatable: `FORMAT:FILE` writes that report to FILE, so one run
    /// writes several (`-f sarif:out.sarif -f github`); one format at most goes to stdout.
    #[arg(short = 'f', long, value_name = "FORMAT[:FILE]", value_parser = format_spec)]
    pub format: Vec<FormatSpec>,
    /// Exit 1 when a finding is at or above this severity
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Exit 0 whatever is found (usage errors still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Print how many findings each rule gave (by severity) instead of the findings
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings and nothing else: no summary, no notes on stderr
    #[arg(short, long)]
    pub quiet: bool,
    /// Exit 1 when no Kubernetes object was found
    #[arg(long)]
    pub fail_if_no_objects: bool,
    /// Write the report to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print the configuration file these paths get (found from the first path upwards),
    /// its text and the settings in effect, then exit
    #[arg(long)]
    pub show_config: bool,
    /// `--format markdown`: the most characters the comment takes (errors first, the table
    /// always; GitHub holds 65,536)
    #[arg(long, value_name = "CHARS", default_value_t = 60_000)]
    pub max_comment_size: usize,
    /// `--format markdown`: make file links absolute under this URL (the blob URL of the
    /// commit, `https://github.com/OWNER/REPO/blob/SHA`)
    #[arg(long, value_name = "URL")]
    pub link_base: Option<String>,
}
