//! `completions SHELL`: clap_complete's script, with the values ingress-lint knows (targets,
//! controllers, rule ids, formats) and, for bash, its hyphenated-name defect worked around.

use clap::builder::PossibleValuesParser;
use clap::CommandFactory;

use super::args::{CheckFormat, Cli};
use crate::knowledge::knowledge;

/// The script for `shell`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut command = with_values(Cli::command());
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "ingress-lint", &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    match shell {
        // clap_complete names the functions of a hyphenated binary's subcommands
        // `ingress__subcmd__lint__…` in the cases it matches, but `ingress__lint__…` where it
        // sets them: nothing after the subcommand completed.
        clap_complete::Shell::Bash => script.replace("ingress__subcmd__lint", "ingress__lint"),
        _ => script,
    }
}

/// The command with the values of options that take free text when parsing (they are checked
/// after, with a did-you-mean) listed for completion.
fn with_values(command: clap::Command) -> clap::Command {
    let knowledge = knowledge();
    let rules: Vec<String> = std::iter::once("all".to_string())
        .chain(
            crate::rules::registry()
                .iter()
                .map(|r| r.info().id.to_string()),
        )
        .collect();
    let formats: Vec<String> = <CheckFormat as clap::ValueEnum>::value_variants()
        .iter()
        .filter_map(|v| clap::ValueEnum::to_possible_value(v).map(|p| p.get_name().to_string()))
        .collect();
    let values: [(&str, Vec<String>); 6] = [
        ("to", owned(knowledge.translation_targets())),
        ("from", owned(knowledge.migration_ids())),
        ("select", rules.clone()),
        ("ignore", rules.clone()),
        ("format", formats),
        ("rule", rules[1..].to_vec()),
    ];
    let mut command = command;
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, |mut sub| {
            for (id, list) in &values {
                let takes = sub.get_arguments().any(|a| a.get_id() == *id);
                // `check --format` takes `FORMAT:FILE` too: only its plain values are listed.
                let is_value_enum = sub
                    .get_arguments()
                    .find(|a| a.get_id() == *id)
                    .is_some_and(|a| !a.get_possible_values().is_empty());
                if takes && !is_value_enum {
                    let list = list.clone();
                    sub = sub.mut_arg(*id, |arg| arg.value_parser(PossibleValuesParser::new(list)));
                }
            }
            sub
        });
    }
    command
}

fn owned(ids: Vec<&str>) -> Vec<String> {
    ids.into_iter().map(str::to_string).collect()
}
