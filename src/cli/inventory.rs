//! `inventory`: controllers, classes, exposure and who serves each Ingress.

use super::args::{InventoryArgs, InventoryFormat};
use super::check::Read;
use super::{write_out, write_streamed, Outcome, UsageError};
use crate::detect;
use crate::knowledge::knowledge;
use crate::report::inventory;

pub fn run(args: &InventoryArgs) -> Result<Outcome, UsageError> {
    let read = Read::new(&args.input)?;
    let objects = read.objects()?;
    let found = detect::build(&objects, knowledge());
    let report = inventory::report(&objects, &found);
    let output = args.output.as_deref();
    match args.format {
        InventoryFormat::Table => write_out(output, &inventory::table(&report))?,
        InventoryFormat::Json => write_streamed(output, |out| inventory::write_json(&report, out))?,
        InventoryFormat::Markdown => write_out(output, &inventory::markdown(&report))?,
    }
    // The process ends here and hands all its memory back at once (as `check` does).
    std::mem::forget(report);
    std::mem::forget(found);
    std::mem::forget(read);
    Ok(Outcome::Clean)
}
