use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ingress_lint::cli::{run, Cli, Outcome};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if error.use_stderr() => {
            // Usage errors in one style, ours: `ingress-lint: error: …`, exit code 2.
            let text = error.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            let _ = write!(std::io::stderr(), "ingress-lint: error: {text}");
            return ExitCode::from(2);
        }
        Err(error) => {
            // --help and --version: exit code 0; help that could not be written is no
            // success.
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
