//! Gateway API implementations and the objects of theirs that carry what the standard
//! channel cannot (`rules/implementations/`): per ingress-nginx annotation, the policy, its
//! field and the transform that writes it.

use serde::Deserialize;

use super::sets::Verdict;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Implementation {
    pub implementation: String,
    pub name: String,
    pub version: String,
    /// The API group/version of its policies.
    pub api: String,
    pub sources: Vec<String>,
    pub annotations: Vec<PolicyMapping>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyMapping {
    /// The ingress-nginx annotation, without the prefix.
    pub key: String,
    /// Keys the transform reads beside it.
    #[serde(default)]
    pub with: Vec<String>,
    pub object: PolicyKind,
    pub field: String,
    pub transform: Transform,
    pub verdict: Verdict,
    pub note: String,
    pub source: String,
}

/// The policy objects writers exist for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum PolicyKind {
    /// Envoy Gateway.
    SecurityPolicy,
    BackendTrafficPolicy,
    /// NGINX Gateway Fabric.
    ProxySettingsPolicy,
    ClientSettingsPolicy,
    RateLimitPolicy,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::SecurityPolicy => "SecurityPolicy",
            PolicyKind::BackendTrafficPolicy => "BackendTrafficPolicy",
            PolicyKind::ProxySettingsPolicy => "ProxySettingsPolicy",
            PolicyKind::ClientSettingsPolicy => "ClientSettingsPolicy",
            PolicyKind::RateLimitPolicy => "RateLimitPolicy",
        }
    }

    /// The suffix of its objects' names (`<ingress>-<suffix>`).
    pub fn suffix(self) -> &'static str {
        match self {
            PolicyKind::SecurityPolicy => "security",
            PolicyKind::BackendTrafficPolicy => "traffic",
            PolicyKind::ProxySettingsPolicy => "proxy-settings",
            PolicyKind::ClientSettingsPolicy => "client-settings",
            PolicyKind::RateLimitPolicy => "rate-limit",
        }
    }

    /// It names one route (`targetRef`), not a list: one object per route.
    pub fn single_target(self) -> bool {
        self == PolicyKind::ClientSettingsPolicy
    }
}

/// How an annotation's value becomes the field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transform {
    BasicAuth,
    ExternalAuth,
    AllowCidrs,
    DenyCidrs,
    RatePerSecond,
    RatePerMinute,
    ConnectTimeout,
    Retries,
    BodyLimit,
    CookieAffinity,
    HashBy,
    StreamsRequests,
    StreamsResponses,
    ReadTimeout,
    SendTimeout,
    BufferingSwitch,
    BufferSize,
    Buffers,
    BodyMaxSize,
    NginxRatePerSecond,
    NginxRatePerMinute,
}

impl Implementation {
    pub fn mapping(&self, key: &str) -> Option<&PolicyMapping> {
        self.annotations.iter().find(|m| m.key == key)
    }
}
