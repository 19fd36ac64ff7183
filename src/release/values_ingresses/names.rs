//! How charts name what they render: the standard fullname, bjw-s app-template's rule, and
//! the release fields Helm's `tpl` fills in.

use super::render::Renderer;
use crate::knowledge::values_ingresses::{Block, Name};
use crate::release::values::{text, Lookup};

impl Renderer<'_, '_> {
    /// `{{ .Release.Name }}` and `{{ .Release.Namespace }}` filled in, as Helm's `tpl` does
    /// for a chart that passes the value through it; other actions stay as written.
    pub(super) fn release_fields(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open..].find("}}").map(|c| c + open) else {
                break;
            };
            out.push_str(&rest[..open]);
            let action =
                rest[open + 2..close].trim_matches(|c: char| c == '-' || c.is_whitespace());
            match action {
                ".Release.Name" => out.push_str(&self.app.name),
                ".Release.Namespace" => out.push_str(&self.app.namespace),
                _ => out.push_str(&rest[open..close + 2]),
            }
            rest = &rest[close + 2..];
        }
        out.push_str(rest);
        out
    }

    /// The chart's standard fullname: `fullnameOverride` (or `global.`), else the release
    /// name when it holds the chart's name (`nameOverride`, `global.nameOverride`), else
    /// `release-name`. app-template sets `global.nameOverride` to the release name when
    /// unset (its `templates/common.yaml`), so its fullname is the release name.
    pub(super) fn fullname(&self, app_template: bool, max: usize) -> String {
        let get = |path: &[&str]| match self.values.lookup(path) {
            Lookup::Found { tree, node, .. } => text(tree, node).filter(|t| !t.is_empty()),
            _ => None,
        };
        let release = &self.app.name;
        let full = get(&["global", "fullnameOverride"]).or_else(|| get(&["fullnameOverride"]));
        let name = match full {
            Some(full) => full,
            None => {
                let chart = get(&["global", "nameOverride"])
                    .or_else(|| get(&["nameOverride"]))
                    .unwrap_or_else(|| {
                        if app_template {
                            release.clone()
                        } else {
                            self.app.chart.clone()
                        }
                    });
                if release.contains(&chart) {
                    release.clone()
                } else {
                    format!("{release}-{chart}")
                }
            }
        };
        truncate_name(&name.chars().take(max).collect::<String>())
    }

    pub(super) fn template(&self, template: &str, fullname: &str, key: Option<&str>) -> String {
        truncate_name(
            &template
                .replace("{fullname}", fullname)
                .replace("{release}", &self.app.name)
                .replace("{key}", key.unwrap_or_default()),
        )
    }

    pub(super) fn name(
        &self,
        block: &Block,
        key: Option<&str>,
        count: usize,
        steps: &[&str],
    ) -> String {
        match &block.name {
            Name::Template(template) => {
                self.template(template, &self.fullname(false, block.fullname_max), key)
            }
            Name::AppTemplate => {
                self.app_template_name(key.unwrap_or_default(), count, steps, "ingress")
            }
        }
    }

    /// bjw-s `determineResourceNameFromValues`: the fullname, `-identifier` when the chart
    /// renders several, `forceRename`, `prefix` and `suffix` of the item's values.
    pub(super) fn app_template_name(
        &self,
        identifier: &str,
        count: usize,
        steps: &[&str],
        section: &str,
    ) -> String {
        let item: Vec<&str> = if steps.is_empty() {
            vec![section, identifier]
        } else {
            steps.to_vec()
        };
        let field = |name: &str| {
            let mut path = item.clone();
            path.push(name);
            match self.values.lookup(&path) {
                Lookup::Found { tree, node, .. } => text(tree, node).filter(|t| !t.is_empty()),
                _ => None,
            }
        };
        if let Some(rename) = field("forceRename") {
            return rename.to_lowercase();
        }
        let mut name = self.fullname(true, 63);
        if let Some(prefix) = field("prefix") {
            if prefix != name {
                name = format!("{prefix}-{name}");
            }
        }
        if count > 1 && !name.ends_with(&format!("-{identifier}")) {
            name = format!("{name}-{identifier}");
        }
        if let Some(suffix) = field("suffix") {
            if !name.ends_with(&format!("-{suffix}")) {
                name = format!("{name}-{suffix}");
            }
        }
        name.to_lowercase()
    }
}

fn truncate_name(name: &str) -> String {
    let mut name: String = name.chars().take(63).collect();
    while name.ends_with('-') {
        name.pop();
    }
    name
}
