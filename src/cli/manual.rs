//! `man`: a manual page per command, from the clap definitions, with the sections a manual
//! page is expected to have (EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES).

use clap::CommandFactory;

use super::args::Cli;
use super::UsageError;

/// What every page says of exit codes, the environment and files.
const COMMON: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
No finding at or above \fB\-\-fail\-on\fR (check), or the command did what was asked.
.TP
\fB1\fR
A finding at or above \fB\-\-fail\-on\fR, no object with \fB\-\-fail\-if\-no\-objects\fR, or (convert) an annotation not translated or an Ingress left out.
.TP
\fB2\fR
A usage error: an unknown flag or value, an unreadable configuration, a report that cannot be written.
.SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
When set and not empty, human output is not coloured (\fB\-\-color always\fR still colours).
.TP
\fBSOURCE_DATE_EPOCH\fR
The time JUnit reports give as their timestamp, for reproducible reports.
.SH FILES
.TP
\fB.ingress\-lint.yaml\fR
The configuration, found in the current directory or the nearest ancestor (or \fB\-\-config\fR FILE): per-rule severities, suppressions, excludes, clusters, the default target, provider and namespace. \fBingress\-lint config\-schema\fR prints its JSON Schema.
"#;

/// Examples per page; the top page's come first.
fn examples(command: Option<&str>) -> &'static str {
    match command {
        None | Some("check") => {
            r#".SH EXAMPLES
.nf
ingress\-lint check .
ingress\-lint check deploy/ \-\-to traefik \-\-fail\-on warning
ingress\-lint check . \-f sarif:ingress\-lint.sarif \-f github
git diff \-\-name\-only origin/main > changed.txt
ingress\-lint check . \-\-only\-report @changed.txt \-\-format concise
.fi
"#
        }
        Some("convert") => {
            r#".SH EXAMPLES
.nf
ingress\-lint convert . \-\-to gateway\-api \-\-output\-dir out/
ingress\-lint convert . \-\-to traefik \-\-format json
.fi
"#
        }
        Some("plan") => {
            r#".SH EXAMPLES
.nf
ingress\-lint plan . \-\-to traefik
.fi
"#
        }
        Some("translate") => {
            r#".SH EXAMPLES
.nf
ingress\-lint translate . \-\-to gateway\-api \-\-implementation envoy\-gateway
.fi
"#
        }
        Some("baseline") => {
            r#".SH EXAMPLES
.nf
ingress\-lint baseline . \-\-output .ingress\-lint\-baseline.json
ingress\-lint check . \-\-baseline .ingress\-lint\-baseline.json
.fi
"#
        }
        Some(_) => "",
    }
}

fn render(command: clap::Command, name: Option<&str>) -> Result<String, UsageError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut out)
        .map_err(|e| UsageError(format!("writing the manual page: {e}")))?;
    let mut page = String::from_utf8_lossy(&out).into_owned();
    page.push_str(COMMON);
    page.push_str(examples(name));
    Ok(page)
}

/// The page of ingress-lint, or of one of its commands.
pub fn page(subcommand: Option<&str>) -> Result<String, UsageError> {
    let mut command = Cli::command();
    command.build();
    let Some(name) = subcommand else {
        return render(command, None);
    };
    let sub = command.find_subcommand(name).cloned().ok_or_else(|| {
        let names: Vec<&str> = command
            .get_subcommands()
            .map(|s| s.get_name())
            .filter(|n| *n != "help")
            .collect();
        let near = crate::knowledge::did_you_mean(name, names.iter().copied())
            .map(|near| format!("did you mean `{near}`? "))
            .unwrap_or_default();
        UsageError(format!(
            "no command `{name}`: {near}one of {}",
            names.join(", ")
        ))
    })?;
    let title = format!("ingress-lint-{}", sub.get_name());
    render(sub.name(title), Some(name))
}

/// Every page, by file name (without `.1`).
pub fn pages() -> Result<Vec<(String, String)>, UsageError> {
    let mut command = Cli::command();
    command.build();
    let mut pages = vec![("ingress-lint".to_string(), page(None)?)];
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        pages.push((
            format!("ingress-lint-{}", sub.get_name()),
            page(Some(sub.get_name()))?,
        ));
    }
    Ok(pages)
}
