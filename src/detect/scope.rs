//! The clusters cross-object analysis runs within: each configured cluster (else each
//! cluster the repository's layout shows) and the files in none, as per-file membership.

use crate::load::Loaded;

/// One scope per cluster (`None`: everything is one cluster). A file in two clusters is in
/// both; the files of the platform and the configuration are in every one.
pub fn cluster_scopes(
    loaded: &Loaded,
    configured: &[(String, globset::GlobSet)],
    single: bool,
) -> Vec<Option<Vec<bool>>> {
    let count = loaded.files.len();
    let mut scopes: Vec<Vec<bool>> = Vec::new();
    if configured.is_empty() {
        let derived = &loaded.releases.clusters;
        if single || derived.is_empty() {
            return vec![None];
        }
        for cluster in derived {
            let mut scope = vec![false; count];
            for &file in &cluster.files {
                scope[file] = true;
            }
            scopes.push(scope);
        }
    } else {
        for (_, globs) in configured {
            let scope = loaded
                .files
                .iter()
                .map(|f| globs.is_match(&f.source.name))
                .collect();
            scopes.push(scope);
        }
    }
    let rest: Vec<bool> = (0..count)
        .map(|i| !scopes.iter().any(|scope| scope[i]))
        .collect();
    for &file in &loaded.releases.shared_files {
        for scope in &mut scopes {
            scope[file] = true;
        }
    }
    if rest.iter().any(|r| *r) {
        scopes.push(rest);
    }
    scopes.into_iter().map(Some).collect()
}
