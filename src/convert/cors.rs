//! enable-cors and its cors-* keys, read once for every target: NGINX's defaults written out
//! for the keys not set (each target's own defaults differ), then each target's field names.

use super::source::Source;
use super::yaml::Map;
use super::{comma_list, Ledger, Outcome};
use crate::knowledge::Knowledge;

/// The cors-* keys, in the order of [`Cors::fields`].
const KEYS: [&str; 6] = [
    "cors-allow-origin",
    "cors-allow-methods",
    "cors-allow-headers",
    "cors-expose-headers",
    "cors-allow-credentials",
    "cors-max-age",
];

/// The comment on what a target's CORS object comes from.
pub const FROM: &str = "enable-cors: \"true\", with NGINX's defaults for the cors-* keys not set";

/// CORS as ingress-nginx applies it to an Ingress.
pub struct Cors {
    pub origins: Option<String>,
    pub methods: Option<String>,
    pub headers: Option<String>,
    pub expose: Option<String>,
    pub credentials: Option<bool>,
    pub max_age: Option<i64>,
}

impl Cors {
    /// The Ingress's CORS, when enable-cors is on. Every cors-* key is recorded translated:
    /// written out with enable-cors, or ignored (by NGINX too) without it.
    pub fn read(source: &Source<'_>, knowledge: &Knowledge, ledger: &mut Ledger) -> Option<Cors> {
        for suffix in std::iter::once("enable-cors").chain(KEYS) {
            if let Some(key) = source.key_of(suffix) {
                ledger.record(&key, Outcome::Translated);
            }
        }
        if !source.is_true("enable-cors") {
            return None;
        }
        let [origins, methods, headers, expose, credentials, max_age] = KEYS.map(|suffix| {
            source.value(suffix).map(str::to_string).or_else(|| {
                let default = knowledge
                    .nginx_annotations
                    .get(suffix)?
                    .default
                    .trim_matches('"')
                    .to_string();
                (default != "empty" && !default.is_empty()).then_some(default)
            })
        });
        let mut credentials = credentials.map(|c| c == "true");
        // NGINX answers `Access-Control-Allow-Origin: *` beside `Allow-Credentials: true`
        // (buildCorsOriginRegex), a pair browsers refuse for credentialed requests, and the
        // targets' schemas refuse outright: without credentials, browsers behave the same.
        if origins.as_deref().map(str::trim) == Some("*") && credentials == Some(true) {
            credentials = None;
            let key = source
                .key_of("cors-allow-credentials")
                .or_else(|| source.key_of("enable-cors"));
            if let Some(key) = key {
                ledger.record(&key, Outcome::Approximated(
                    "origin `*` with credentials: NGINX sent both headers, which browsers refuse for credentialed requests; the target refuses the pair, so credentials are left out (browsers behave the same)".into(),
                ));
            }
        }
        Some(Cors {
            origins,
            methods: methods.map(|m| m.to_uppercase()),
            headers,
            expose,
            credentials,
            max_age: max_age.and_then(|a| a.parse().ok()),
        })
    }

    /// The fields under a target's names, in [`KEYS`] order: lists for origins, methods and
    /// headers, a boolean, a number.
    pub fn fields(&self, names: [&str; 6]) -> Map {
        let [origins, methods, headers, expose, credentials, max_age] = names;
        let mut map = Map::new();
        for (name, value) in [
            (origins, &self.origins),
            (methods, &self.methods),
            (headers, &self.headers),
            (expose, &self.expose),
        ] {
            if let Some(value) = value {
                map.set(name, comma_list(value));
            }
        }
        if let Some(value) = self.credentials {
            map.set(credentials, value);
        }
        if let Some(value) = self.max_age {
            map.set(max_age, value);
        }
        map
    }
}
