//! Definitions of one object that the cluster does not keep. An object is its identity —
//! API group, kind, namespace, name — and applying a stream or a directory leaves one
//! object per identity: the last definition applied. A chart rendered twice, or the same
//! manifest copied into two files, is one controller, one Service, one IngressClass; read
//! as several it would be "served by 2 controllers" and every Service would select every
//! copy (quadratic). Definitions that differ in other files are alternatives (`release::
//! clusters`), not superseded, unless too many to separate.

use std::collections::{HashMap, HashSet};

use manifest::TypedObject;

use super::{ObjectKey, Objects};
use crate::release::clusters::fingerprint;

/// How deep definitions are compared: as deep as alternatives are.
const COMPARED_DEPTH: usize = 64;

/// The definitions the cluster does not keep: of those with one identity (in one set of
/// clusters, from one set of builds), the kept one is the earliest definition equal to the
/// last (what applying leaves, located where it is first written); all others are superseded.
pub(super) fn superseded(objects: &Objects<'_>) -> HashSet<ObjectKey> {
    type Identity<'o> = (
        &'o str,
        &'o str,
        Option<&'o str>,
        &'o str,
        Vec<u32>,
        &'o [u32],
    );
    let mut groups: HashMap<Identity<'_>, Vec<ObjectKey>> = HashMap::new();
    for (key, object) in objects.iter() {
        // Kinds read for their names only have no body to compare, and no rule pairs them.
        if matches!(object.typed, TypedObject::Generic) {
            continue;
        }
        let r = &object.reference;
        let group = r
            .api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group);
        let namespace = (!r.is_cluster_scoped()).then(|| objects.namespace(key));
        let identity = (
            group,
            r.kind.as_str(),
            namespace,
            r.name.as_str(),
            objects.clusters(key).into_owned(),
            object.builds.as_slice(),
        );
        groups.entry(identity).or_default().push(key);
    }
    let mut superseded = HashSet::new();
    for keys in groups.into_values().filter(|keys| keys.len() > 1) {
        let print = |key: ObjectKey| {
            let file = &objects.files[key.file];
            fingerprint(&file.tree, file.objects[key.index].node, COMPARED_DEPTH)
        };
        let last = print(*keys.last().expect("a group has a definition"));
        let kept = keys
            .iter()
            .copied()
            .find(|&key| print(key) == last)
            .expect("the last definition equals itself");
        superseded.extend(keys.into_iter().filter(|&key| key != kept));
    }
    superseded
}
