//! `check`: findings, and an exit code for CI.

use super::args::{CheckArgs, CheckFormat};
use super::{use_color, write_out, Outcome, UsageError};
use crate::input::{discover, InputOptions};
use crate::load::{load, Loaded};
use crate::report;
use crate::rules::{self, RuleOptions};

/// Reads the inputs named by the arguments (exit code 2 when a PATH does not exist).
pub(crate) fn load_inputs(input: &super::args::InputArgs) -> Result<Loaded, UsageError> {
    let options = InputOptions {
        hidden: input.hidden,
        exclude: input.exclude.clone(),
        max_file_size: input.max_file_size,
        stdin_filename: input.stdin_filename.clone(),
    };
    let inputs = discover(&input.paths, &options).map_err(|e| UsageError(e.to_string()))?;
    Ok(load(&inputs, input.max_file_size))
}

pub fn run(args: &CheckArgs) -> Result<Outcome, UsageError> {
    let loaded = load_inputs(&args.input)?;
    let options = RuleOptions {
        provider: args.provider.map(|p| p.id()),
        namespace: args.input.namespace.clone(),
        disabled: Vec::new(),
    };
    let findings = rules::run(&loaded, &options);
    let text = match args.format {
        CheckFormat::Human => report::human(
            &loaded,
            &findings,
            use_color(args.color, args.output.is_some()),
        ),
        CheckFormat::Json => report::json(&loaded, &findings),
        CheckFormat::Sarif => report::sarif(&loaded, &findings),
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
