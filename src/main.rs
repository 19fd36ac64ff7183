use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ingress_lint::cli::{run, Cli, Outcome};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap's own exit codes: 0 for --help/--version, 2 for usage errors; help that
            // could not be written is no success.
            if error
                .print()
                .and_then(|()| std::io::stdout().flush())
                .is_err()
            {
                return ExitCode::from(2);
            }
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(error) => {
            // `eprintln!` panics when stderr is closed; the exit code still tells.
            let _ = writeln!(std::io::stderr(), "ingress-lint: error: {error}");
            ExitCode::from(2)
        }
    }
}
