//! The command line: clap definitions and dispatch. `main.rs` only maps the outcome to an
//! exit code.

pub mod args;
mod check;
mod completions;
mod controllers;
mod convert;
mod explain;
mod inventory;
mod manual;
mod plan;
mod progress;
mod translate;
mod write;

use std::io::{IsTerminal, Write};

pub use args::{Cli, Command};

/// What a command asks the process to exit with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above `--fail-on`.
    Clean,
    /// Findings at or above `--fail-on`, or no object with `--fail-if-no-objects`.
    Failed,
}

/// A usage error: bad arguments, unreadable config, a PATH that does not exist (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl From<crate::report::ReportError> for UsageError {
    fn from(error: crate::report::ReportError) -> UsageError {
        UsageError(error.to_string())
    }
}

impl From<crate::config::ConfigError> for UsageError {
    fn from(error: crate::config::ConfigError) -> UsageError {
        UsageError(error.to_string())
    }
}

pub fn run(cli: Cli) -> Result<Outcome, UsageError> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Baseline(args) => check::baseline(&args),
        Command::Inventory(args) => inventory::run(&args),
        Command::Translate(args) => translate::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Controllers { format } => {
            write_out(None, &controllers::controllers(format))?;
            Ok(Outcome::Clean)
        }
        Command::Completions { shell } => {
            write_out(None, &completions::script(shell))?;
            Ok(Outcome::Clean)
        }
        Command::Man {
            subcommand,
            output_dir,
        } => {
            match output_dir {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)
                        .map_err(|e| UsageError(format!("--output-dir {}: {e}", dir.display())))?;
                    for (name, page) in manual::pages()? {
                        write_out(Some(&dir.join(format!("{name}.1"))), &page)?;
                    }
                }
                None => write_out(None, &manual::page(subcommand.as_deref())?)?,
            }
            Ok(Outcome::Clean)
        }
        Command::ConfigSchema => {
            write_out(None, crate::config::SCHEMA)?;
            Ok(Outcome::Clean)
        }
        Command::Explain { rule } => {
            let text = explain::explain(rule.as_deref())?;
            write_out(None, &text)?;
            Ok(Outcome::Clean)
        }
    }
}

/// Writes a report to `--output FILE` or stdout.
pub(crate) fn write_out(output: Option<&std::path::Path>, text: &str) -> Result<(), UsageError> {
    write_streamed(output, |out| out.write_all(text.as_bytes()))
}

/// Writes a report to `--output FILE` or stdout as `write` produces it.
pub(crate) fn write_streamed(
    output: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), UsageError> {
    match output {
        Some(path) => write::file(path, write).map_err(|e| UsageError(format!("--output {e}"))),
        // A report that did not reach its reader must not pass CI: exit code 2.
        None => {
            let stdout = &mut std::io::stdout().lock();
            let mut out = std::io::BufWriter::new(stdout);
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| UsageError(format!("writing the report to stdout: {e}")))
        }
    }
}

/// A note on stderr. `eprintln!` panics when stderr cannot be written (`2>/dev/full`, a
/// closed pipe); a note that does not reach anyone changes nothing else.
pub(crate) fn note(text: &str) {
    if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = writeln!(std::io::stderr(), "{text}");
    }
}

/// `--quiet`: notes are not written.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn quiet() {
    QUIET.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether to colour: `--color`, then `NO_COLOR`, then whether stdout is a terminal.
pub(crate) fn use_color(choice: args::ColorChoice, writing_to_file: bool) -> bool {
    match choice {
        args::ColorChoice::Always => true,
        args::ColorChoice::Never => false,
        args::ColorChoice::Auto => {
            !writing_to_file
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
