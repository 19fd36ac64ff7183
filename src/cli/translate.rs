//! `translate --to TARGET`: what each controller-specific annotation becomes on the target.

use super::args::{TranslateArgs, TranslateFormat};
use super::check::{check_migration, Read};
use super::{write_out, Outcome, UsageError};
use crate::detect;
use crate::knowledge::knowledge;
use crate::report::translate as report;
use crate::translate::translate;

pub fn run(args: &TranslateArgs) -> Result<Outcome, UsageError> {
    let migration = super::check::with_implementation(
        check_migration(&args.to, args.from.as_deref())?,
        args.implementation.as_deref(),
    )?;
    let read = Read::new(&args.input)?;
    let objects = read.objects()?;
    let inventory = detect::build(&objects, knowledge());
    let translation = translate(&objects, &inventory, knowledge(), &migration);
    let text = match args.format {
        TranslateFormat::Markdown => report::markdown(&objects, &translation),
        TranslateFormat::Json => report::json(&objects, &translation)?,
        TranslateFormat::Csv => report::csv(&objects, &translation)?,
    };
    write_out(args.output.as_deref(), &text)?;
    Ok(Outcome::Clean)
}
