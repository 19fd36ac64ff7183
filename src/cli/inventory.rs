//! `inventory`: controllers, classes, exposure and who serves each Ingress.

use super::args::{InventoryArgs, InventoryFormat};
use super::check::load_inputs;
use super::{write_out, Outcome, UsageError};
use crate::config::Config;
use crate::detect::{self, Objects};
use crate::knowledge::knowledge;
use crate::report::inventory;

pub fn run(args: &InventoryArgs) -> Result<Outcome, UsageError> {
    let config = Config::find(args.input.config.as_deref())?;
    let namespace = config.namespace(&args.input);
    let loaded = load_inputs(&args.input, &config)?;
    let objects = Objects {
        files: &loaded.files,
        namespace: &namespace,
        scope: None,
    };
    let found = detect::build(&objects, knowledge());
    let report = inventory::report(&objects, &found);
    let text = match args.format {
        InventoryFormat::Table => inventory::table(&report),
        InventoryFormat::Json => inventory::json(&report),
        InventoryFormat::Markdown => inventory::markdown(&report),
    };
    write_out(args.output.as_deref(), &text)?;
    Ok(Outcome::Clean)
}
