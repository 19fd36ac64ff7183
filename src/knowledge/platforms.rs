//! Platforms (`rules/platforms/<id>.yaml`): the ingress controllers a cloud runs outside the
//! cluster's manifests (managed), the ones a distribution installs itself (bundled, as Helm
//! releases), and how it implements LoadBalancer Services. `--platform` (config `platform:`)
//! makes them certain; without it, a managed controller is recognised from the classes the
//! input uses, and a bundled one from its customisation (`HelmChartConfig`).

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// The `--platform` value.
    pub platform: String,
    pub name: String,
    #[serde(default)]
    pub managed: Vec<Managed>,
    #[serde(default)]
    pub bundled: Vec<Bundled>,
    /// How LoadBalancer Services are implemented, when the platform brings its own.
    #[serde(default)]
    pub service_load_balancer: Option<ServiceLoadBalancer>,
    pub sources: Vec<String>,
}

/// A controller the platform runs (a cloud add-on), represented by stub objects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Managed {
    /// The controller id it behaves as.
    pub controller: String,
    pub description: String,
    /// Present on every cluster of the platform unless turned off (GKE's HttpLoadBalancing).
    pub on_by_default: bool,
    /// What in the input shows it is in use.
    pub evidence: Evidence,
    /// What it serves, when the controller's own settings cannot say it.
    #[serde(default)]
    pub claims: Option<Claims>,
    /// The objects standing for it: a workload with the controller's image, its Service.
    pub manifest: String,
    pub source: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Ingress classes (field or annotation) that only it serves.
    #[serde(default)]
    pub classes: Vec<String>,
    /// IngressClass `spec.controller` values that only it serves.
    #[serde(default)]
    pub controller_values: Vec<String>,
    /// Annotations only it reads: on an Ingress with no class, they show it serves it.
    #[serde(default)]
    pub annotations: Vec<String>,
}

/// Classes and class-less handling stated as facts (managed add-ons, declared controllers).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default)]
    pub controller_values: Vec<String>,
    #[serde(default)]
    pub takes_classless: Option<bool>,
}

/// A controller the distribution installs as a Helm release of its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundled {
    /// `--disable` name that removes it.
    pub component: String,
    /// The chart (a `rules/charts/` chart name), release name and namespace.
    pub chart: String,
    pub name: String,
    pub namespace: String,
    /// The chart version the distribution's current release ships.
    pub version: String,
    /// The values the distribution installs it with (its `valuesContent`).
    pub values: String,
    /// The `HelmChartConfig` (same name and namespace) that customises it.
    pub customised_by: String,
    /// Installed on a new cluster of the distribution's current release: else only where
    /// the input shows it (its `HelmChartConfig`).
    #[serde(default = "installed_by_default")]
    pub default: bool,
    pub source: String,
}

fn installed_by_default() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLoadBalancer {
    pub name: String,
    /// `--disable` name that removes it.
    pub component: String,
    /// Every LoadBalancer Service's ports are bound as host ports on every node.
    pub binds_host_ports: bool,
    /// Services with a `loadBalancerClass` are left to another implementation.
    pub ignores_load_balancer_class: bool,
    /// The image of the pods binding the ports.
    pub image: String,
    pub source: String,
}
