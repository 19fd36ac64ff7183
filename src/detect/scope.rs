//! The clusters cross-object analysis runs within: each configured cluster (else each
//! cluster the repository's layout shows) and the files in none, as per-file membership.

use crate::load::Loaded;
use crate::release::clusters::Configured;

/// One scope per cluster, as the sorted files it holds (`None`: everything is one cluster).
/// A file in two clusters is in both; the files of the platform and the configuration are in
/// every one; the files in none form one more.
pub fn cluster_scopes(
    loaded: &Loaded,
    configured: &Configured,
    single: bool,
) -> Vec<Option<Vec<usize>>> {
    let mut scopes: Vec<Vec<usize>> = Vec::new();
    if configured.is_empty() {
        let derived = &loaded.releases.clusters;
        if single || derived.is_empty() {
            return vec![None];
        }
        for cluster in derived {
            let mut files = cluster.files.clone();
            files.sort_unstable();
            files.dedup();
            scopes.push(files);
        }
    } else {
        scopes = vec![Vec::new(); configured.names.len()];
        for (i, file) in loaded.files.iter().enumerate() {
            for cluster in configured.of(&file.source.name) {
                scopes[cluster].push(i);
            }
        }
    }
    let mut in_some = vec![false; loaded.files.len()];
    for &file in scopes.iter().flatten() {
        in_some[file] = true;
    }
    let rest: Vec<usize> = (0..loaded.files.len()).filter(|&i| !in_some[i]).collect();
    let shared = &loaded.releases.shared_files;
    if !shared.is_empty() {
        for scope in &mut scopes {
            scope.extend(shared.iter().copied());
            scope.sort_unstable();
            scope.dedup();
        }
    }
    if !rest.is_empty() {
        scopes.push(rest);
    }
    scopes.into_iter().map(Some).collect()
}
