//! Lists the knowledge files in `rules/` so that adding a controller or a chart touches
//! `rules/` only: each folder becomes a `&[(path, text)]` of `include_str!`s.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut code = String::new();
    for (constant, folder) in [
        ("CONTROLLER_FILES", "rules/controllers"),
        ("CHART_FILES", "rules/charts"),
        ("CHART_DEFAULT_FILES", "rules/charts/defaults"),
        ("PLATFORM_FILES", "rules/platforms"),
    ] {
        let dir = Path::new(&root).join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{folder}: {e}"))
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        names.sort();
        let _ = writeln!(code, "pub(crate) const {constant}: &[(&str, &str)] = &[");
        for name in names {
            let path = dir.join(&name);
            println!("cargo:rerun-if-changed={}", path.display());
            let _ = writeln!(
                code,
                "    ({:?}, include_str!({:?})),",
                format!("{folder}/{name}"),
                path.display().to_string()
            );
        }
        let _ = writeln!(code, "];");
    }
    std::fs::write(Path::new(&out).join("knowledge_files.rs"), code).expect("write OUT_DIR");
}
