//! `plan --to TARGET`: the scenario that fits and its runbook.

use super::args::{ExposureArg, PlanArgs, PlanFormat};
use super::check::{check_plan_target, check_source, load_inputs, Read};
use super::{write_out, Outcome, UsageError};
use crate::detect::{self, Objects};
use crate::knowledge::knowledge;
use crate::plan::{plan, Request};
use crate::report::plan as report;

pub fn run(args: &PlanArgs) -> Result<Outcome, UsageError> {
    check_plan_target(&args.to)?;
    check_source(args.from.as_deref())?;
    let read = Read::new(&args.input)?;
    let objects = read.objects()?;
    let inventory = detect::build(&objects, knowledge());
    let target_loaded = if args.target_paths.is_empty() {
        None
    } else {
        let input = crate::cli::args::InputArgs {
            paths: args.target_paths.clone(),
            ..args.input.clone()
        };
        Some(load_inputs(&input, &read.config)?)
    };
    let target_objects = target_loaded
        .as_ref()
        .map(|l| Objects::new(l, &read.namespace, None));
    let target_inventory = target_objects
        .as_ref()
        .map(|o| detect::build(o, knowledge()));
    let request = Request {
        to: &args.to,
        from: args.from.as_deref(),
        target_exposure: args.target_exposure.map(|e| match e {
            ExposureArg::Cloud => "cloud",
            ExposureArg::Loadbalancer => "loadbalancer",
            ExposureArg::Hostport => "hostport",
            ExposureArg::Hostnetwork => "hostnetwork",
        }),
        target_inventory: target_inventory.as_ref(),
    };
    let result = plan(&objects, &inventory, knowledge(), &request);
    let text = match args.format {
        PlanFormat::Markdown => report::markdown(&result),
        PlanFormat::Json => report::json(&result)?,
    };
    write_out(args.output.as_deref(), &text)?;
    Ok(Outcome::Clean)
}
