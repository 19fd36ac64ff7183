//! `convert --to TARGET`: the target's manifests and the conversion report.

use std::path::{Component, Path, PathBuf};

use super::args::{ConvertArgs, ConvertFormat};
use super::check::{check_migration, Read};
use super::{write_out, Outcome, UsageError};
use crate::convert::{convert, Request};
use crate::detect;
use crate::knowledge::knowledge;
use crate::report::convert as report;
use crate::translate::translate;

pub fn run(args: &ConvertArgs) -> Result<Outcome, UsageError> {
    let migration = super::check::with_implementation(
        check_migration(&args.to, args.from.as_deref())?,
        args.implementation.as_deref(),
    )?;
    if args.via.is_some() && args.to != "traefik" {
        return Err(UsageError(
            "--via nginx-provider is for --to traefik (Traefik's ingress-nginx provider)".into(),
        ));
    }
    if let Some(suffix) = &args.name_suffix {
        if !suffix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
        {
            return Err(UsageError(format!(
                "--name-suffix `{suffix}`: object names take lower-case letters, digits, `-` and `.`"
            )));
        }
    }
    let read = Read::new(&args.input)?;
    let objects = read.objects()?;
    let inventory = detect::build(&objects, knowledge());
    let translation = translate(&objects, &inventory, knowledge(), &migration);
    let request = Request {
        target: &args.to,
        from: migration
            .from
            .first()
            .map_or("ingress-nginx", String::as_str),
        classes: &args.classes,
        classless: args.classless,
        target_class: args.target_class.as_deref(),
        via_nginx_provider: args.via == Some(super::args::Via::NginxProvider),
        implementation: args
            .implementation
            .as_deref()
            .and_then(|id| knowledge().implementation(id)),
        name_suffix: args.name_suffix.as_deref(),
    };
    let conversion = convert(&objects, &inventory, knowledge(), &translation, &request);
    match &args.output_dir {
        None => write_out(None, &report::manifests(&conversion))?,
        Some(dir) => {
            let name_of = |file: usize| mirrored(&objects.files[file].source.name);
            let mut files = report::files(&conversion, name_of);
            files.extend(report::values_files(&conversion, name_of));
            std::fs::create_dir_all(dir)
                .map_err(|e| UsageError(format!("--output-dir {}: {e}", dir.display())))?;
            let sources = source_files(&objects);
            for (name, text) in files {
                let target = dir.join(&name);
                // Over the sources (`--output-dir .`), only when asked to.
                let over_source =
                    std::fs::canonicalize(&target).is_ok_and(|t| sources.contains(&t));
                if over_source && !args.force {
                    return Err(UsageError(format!(
                        "--output-dir {}: {} is an input file: not overwritten (pass --force to replace the sources)",
                        dir.display(),
                        target.display()
                    )));
                }
                super::write::below(dir, Path::new(&name), &text)
                    .map_err(|e| UsageError(format!("--output-dir {e}")))?;
            }
        }
    }
    let text = match args.format {
        ConvertFormat::Markdown => report::markdown(&objects, &conversion),
        ConvertFormat::Json => report::json(&objects, &conversion)?,
    };
    match &args.report {
        Some(path) => super::write::file(path, |out| out.write_all(text.as_bytes()))
            .map_err(|e| UsageError(format!("--report {e}")))?,
        // The report is what convert says: one that does not reach stderr fails the run.
        None => std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes())
            .map_err(|e| UsageError(format!("writing the report to stderr: {e}")))?,
    }
    Ok(if conversion.incomplete() {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}

/// The input files, as the file system names them (to tell an output over one).
fn source_files(objects: &crate::detect::Objects<'_>) -> std::collections::HashSet<PathBuf> {
    objects
        .files
        .iter()
        .filter_map(|f| std::fs::canonicalize(&f.source.name).ok())
        .collect()
}

/// A source file's path below the output directory: its normal components only (no root,
/// no `..`), so nothing is written outside it; stdin becomes `stdin.yaml`.
fn mirrored(name: &str) -> String {
    if name == "-" || name == "<stdin>" {
        return "stdin.yaml".into();
    }
    let path: PathBuf = Path::new(name)
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part),
            _ => None,
        })
        .collect();
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_stay_below_the_directory() {
        assert_eq!(mirrored("apps/web/ingress.yaml"), "apps/web/ingress.yaml");
        assert_eq!(mirrored("/abs/x.yaml"), "abs/x.yaml");
        assert_eq!(mirrored("../../etc/x.yaml"), "etc/x.yaml");
        assert_eq!(mirrored("-"), "stdin.yaml");
    }
}
