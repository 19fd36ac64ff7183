//! `inventory`: controllers, classes, exposure and who serves each Ingress.

use super::args::{InventoryArgs, InventoryFormat};
use super::check::Read;
use super::{write_out, Outcome, UsageError};
use crate::detect;
use crate::knowledge::knowledge;
use crate::report::inventory;

pub fn run(args: &InventoryArgs) -> Result<Outcome, UsageError> {
    let read = Read::new(&args.input)?;
    let objects = read.objects()?;
    let found = detect::build(&objects, knowledge());
    let report = inventory::report(&objects, &found);
    let text = match args.format {
        InventoryFormat::Table => inventory::table(&report),
        InventoryFormat::Json => inventory::json(&report)?,
        InventoryFormat::Markdown => inventory::markdown(&report),
    };
    write_out(args.output.as_deref(), &text)?;
    Ok(Outcome::Clean)
}
