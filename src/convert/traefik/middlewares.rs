//! The Middlewares an Ingress's annotations ask for on Traefik, chained through
//! `router.middlewares` in the order NGINX applies them.

use super::API;
use crate::convert::cors::{self, Cors};
use crate::convert::source::Source;
use crate::convert::yaml::{Map, Value};
use crate::convert::{comma_list, derived_name, metadata, Ledger, Outcome};
use crate::knowledge::Knowledge;

/// Why a header value with a line break is not written: it would split the header (Traefik's
/// ingress-nginx provider refuses such values too).
const BROKEN_HEADER: &str =
    "the value holds a line break: written as a header it would split into two; not written";

/// The Middlewares of one Ingress, in chain order.
pub struct Chain<'s, 'a> {
    pub(super) source: &'s Source<'a>,
    /// The Middlewares' names, in chain order.
    pub names: Vec<String>,
    /// The Middlewares and other objects (ServersTransports) the Ingress needs.
    pub objects: Vec<Map>,
    /// Why nothing may be written for the Ingress: its authentication cannot be, and NGINX
    /// denied or authenticated these paths (an open route is worse than none).
    pub refused: Option<String>,
}

impl<'s, 'a> Chain<'s, 'a> {
    /// The chain for an Ingress, in the order NGINX applies what the annotations ask: access,
    /// authentication, headers, redirects and rewrites, buffering, retries, the backend.
    pub fn build(source: &'s Source<'a>, knowledge: &Knowledge, ledger: &mut Ledger) -> Self {
        let mut chain = Chain {
            source,
            names: Vec::new(),
            objects: Vec::new(),
            refused: None,
        };
        ip_allow_list(&mut chain, ledger);
        rate_limit(&mut chain, ledger);
        limit_connections(&mut chain, ledger);
        basic_auth(&mut chain, ledger);
        forward_auth(&mut chain, ledger);
        cors(&mut chain, knowledge, ledger);
        request_headers(&mut chain, ledger);
        response_headers(&mut chain, ledger);
        snippet_headers(&mut chain, ledger);
        custom_errors(&mut chain, ledger);
        redirect(&mut chain, ledger);
        rewrite(&mut chain, ledger);
        buffering(&mut chain, ledger);
        retry(&mut chain, ledger);
        chain
    }
}

impl Chain<'_, '_> {
    /// Adds a Middleware `<ingress>-<feature>` with one spec field, commented with the keys
    /// it comes from.
    pub fn add(&mut self, feature: &str, field: &str, config: Map, from: &[String]) {
        let name = derived_name(&self.source.name, feature);
        let mut spec = Map::new().with(field, config);
        for key in from {
            spec.comment(field, key.clone());
        }
        self.objects.push(
            Map::new()
                .with("apiVersion", API)
                .with("kind", "Middleware")
                .with(
                    "metadata",
                    metadata(&name, &self.source.namespace, &self.source.origin),
                )
                .with("spec", spec),
        );
        self.names.push(name);
    }
}

/// whitelist-source-range / allowlist-source-range → ipAllowList.
fn ip_allow_list(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(annotation) = source
        .nginx("allowlist-source-range")
        .or_else(|| source.nginx("whitelist-source-range"))
    else {
        return;
    };
    let ranges = comma_list(&annotation.value);
    if ranges.is_empty() {
        // ingress-nginx reads an empty list as unset (the ConfigMap's list applies); an empty
        // sourceRange would make Traefik refuse the Middleware and the route with it.
        ledger.record(
            &annotation.key,
            Outcome::NoEffect("empty: NGINX falls back to the ConfigMap's whitelist-source-range (none by default)".into()),
        );
        return;
    }
    chain.add(
        "ip-allow-list",
        "ipAllowList",
        Map::new().with("sourceRange", ranges),
        &[format!("{}: {}", annotation.key, annotation.value)],
    );
    ledger.record(&annotation.key, Outcome::Approximated(
        "Traefik checks the connection's address; behind another proxy, set ipStrategy as NGINX used real-ip settings".into(),
    ));
}

/// limit-rps / limit-rpm → a rateLimit each (burst = rate × limit-burst-multiplier,
/// default 5); NGINX applies both when both are set.
fn rate_limit(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let multiplier = source
        .value("limit-burst-multiplier")
        .and_then(|m| m.parse::<i64>().ok())
        .unwrap_or(5);
    for (suffix, period, feature) in [
        ("limit-rps", "1s", "rate-limit"),
        ("limit-rpm", "1m", "rate-limit-minute"),
    ] {
        let Some(annotation) = source.nginx(suffix) else {
            continue;
        };
        let Ok(rate) = annotation.value.trim().parse::<i64>() else {
            ledger.record(
                &annotation.key,
                Outcome::NotTranslated("not a number".into()),
            );
            continue;
        };
        let mut keys = vec![format!("{}: {rate}", annotation.key)];
        if let Some(key) = source.key_of("limit-burst-multiplier") {
            keys.push(format!("{key}: {multiplier}"));
            ledger.record(&key, Outcome::Translated);
        }
        chain.add(
            feature,
            "rateLimit",
            Map::new()
                .with("average", rate)
                .with("period", period)
                .with("burst", rate.saturating_mul(multiplier)),
            &keys,
        );
        ledger.record(&annotation.key, Outcome::Approximated(
            "a token bucket per client IP answering 429; NGINX's leaky bucket answered 503 and counted per replica".into(),
        ));
    }
}

/// upstream-vhost, x-forwarded-prefix → headers customRequestHeaders. (Not
/// connection-proxy-header: Go's proxy drops hop-by-hop headers such as Connection.)
fn request_headers(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let mut headers = chain.source.request_headers(
        ledger,
        &[
            ("upstream-vhost", "Host"),
            ("x-forwarded-prefix", "X-Forwarded-Prefix"),
        ],
        false,
    );
    headers.retain(|(_, value, key)| {
        let broken = value.contains(['\n', '\r']);
        if broken {
            ledger.record(key, Outcome::NotTranslated(BROKEN_HEADER.into()));
        }
        !broken
    });
    if headers.is_empty() {
        return;
    }
    let mut custom = Map::new();
    for (header, value, _) in &headers {
        custom.set(header, *value);
    }
    let keys: Vec<String> = headers
        .iter()
        .map(|(_, value, key)| format!("{key}: {value}"))
        .collect();
    chain.add(
        "request-headers",
        "headers",
        Map::new().with("customRequestHeaders", custom),
        &keys,
    );
}

/// auth-type basic|digest + auth-secret (+ auth-realm) → basicAuth / digestAuth. An auth-type
/// or Secret NGINX cannot use denies the paths there (its auth parser's LocationDenied): the
/// Ingress is refused, never written open.
fn basic_auth(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(kind) = source.nginx("auth-type") else {
        return;
    };
    let mut refuse = |chain: &mut Chain<'_, '_>, key: &str, why: String| {
        ledger.record(key, Outcome::NotTranslated(why.clone()));
        chain.refused = Some(why);
    };
    let field = match kind.value.trim() {
        "basic" => "basicAuth",
        "digest" => "digestAuth",
        other => {
            let why = format!(
                "auth-type `{other}` is neither basic nor digest: NGINX denies these paths"
            );
            refuse(chain, &kind.key, why);
            return;
        }
    };
    let Some(secret) = source.nginx("auth-secret") else {
        refuse(
            chain,
            &kind.key,
            "no auth-secret: NGINX denies these paths".into(),
        );
        return;
    };
    let value = secret.value.trim();
    let (namespace, name) = value
        .split_once('/')
        .unwrap_or((source.namespace.as_str(), value));
    if namespace != source.namespace {
        let why = format!(
            "the Secret {namespace}/{name} is in another namespace than the Ingress: a Middleware reads Secrets of its own namespace; copy it into {} (nothing is written rather than an open route)",
            source.namespace
        );
        refuse(chain, &secret.key, why);
        return;
    }
    let mut config = Map::new().with("secret", name);
    let mut keys = vec![
        format!("{}: {}", kind.key, kind.value.trim()),
        format!("{}: {value}", secret.key),
    ];
    if let Some(realm) = source.nginx("auth-realm") {
        config.set("realm", realm.value.as_str());
        keys.push(format!("{}: {}", realm.key, realm.value));
        ledger.record(&realm.key, Outcome::Translated);
    }
    chain.add("auth", field, config, &keys);
    ledger.record(&kind.key, Outcome::Translated);
    let auth_map = source.value("auth-secret-type") == Some("auth-map");
    ledger.record(&secret.key, Outcome::Approximated(if auth_map {
        "the same Secret, referenced: Traefik reads a Secret's single key as htpasswd lines, so an auth-map Secret (a key per user) must become one key of `user:hash` lines".into()
    } else {
        "the same Secret, referenced: Traefik reads its single key as htpasswd lines, so ingress-nginx's `auth` key works as it is; a Secret with a second key is refused and the route with it".into()
    }));
    if let Some(key) = source.key_of("auth-secret-type") {
        ledger.record(
            &key,
            if auth_map {
                Outcome::Approximated("see auth-secret: one key of htpasswd lines".into())
            } else {
                Outcome::Translated
            },
        );
    }
}

/// auth-url (+ auth-response-headers) → forwardAuth; a URL Traefik cannot call as NGINX did
/// refuses the Ingress rather than serve it unauthenticated.
fn forward_auth(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(url) = source.nginx("auth-url") else {
        return;
    };
    if url.value.contains('$') {
        let why = "the auth URL uses NGINX variables, which forwardAuth's address cannot: nothing is written rather than an unauthenticated route".to_string();
        ledger.record(&url.key, Outcome::NotTranslated(why.clone()));
        chain.refused = Some(why);
        return;
    }
    let mut config = Map::new().with("address", url.value.trim());
    let mut keys = vec![format!("{}: {}", url.key, url.value.trim())];
    if let Some(headers) = source.nginx("auth-response-headers") {
        config.set("authResponseHeaders", comma_list(&headers.value));
        keys.push(format!("{}: {}", headers.key, headers.value));
        ledger.record(&headers.key, Outcome::Translated);
    }
    if let Some(method) = source.nginx("auth-method") {
        // forwardAuth asks with GET, or with the request's own method: no fixed other one.
        ledger.record(
            &method.key,
            if method.value.trim().eq_ignore_ascii_case("GET") {
                Outcome::Translated
            } else {
                Outcome::NotTranslated(format!(
                    "forwardAuth calls the auth service with GET (or the request's own method): not {}",
                    method.value.trim()
                ))
            },
        );
    }
    if let Some(signin) = source.nginx("auth-signin") {
        // NGINX turns the auth service's 401 into a redirect here (authSigninURL, Traefik
        // 3.7+). Its variables have no Traefik equivalent: a query parameter made of them
        // is dropped.
        let value = signin.value.trim();
        let (base, query) = value.split_once('?').unwrap_or((value, ""));
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.contains('$'))
            .collect();
        if base.contains('$') {
            ledger.record(&signin.key, Outcome::NotTranslated(
                "the sign-in URL's address uses NGINX variables: on a 401 the client gets the auth service's answer instead of a redirect".into(),
            ));
        } else {
            let url = if kept.is_empty() {
                base.to_string()
            } else {
                format!("{base}?{}", kept.join("&"))
            };
            config.set("authSigninURL", url.as_str());
            keys.push(format!("{}: {value}", signin.key));
            ledger.record(
                &signin.key,
                if url == value {
                    Outcome::Translated
                } else {
                    Outcome::Approximated(format!(
                        "`{url}`: the parameters made of NGINX variables (the page to return to) are dropped, so after signing in the user lands on the auth service's default"
                    ))
                },
            );
        }
    }
    chain.add("forward-auth", "forwardAuth", config, &keys);
    ledger.record(&url.key, Outcome::Approximated(
        "Traefik forwards the request's headers to the address instead of an NGINX sub-request, and caches nothing".into(),
    ));
}

/// enable-cors → headers with accessControl* fields, NGINX's defaults written out.
fn cors(chain: &mut Chain<'_, '_>, knowledge: &Knowledge, ledger: &mut Ledger) {
    let Some(cors) = Cors::read(chain.source, knowledge, ledger) else {
        return;
    };
    let fields = cors.fields([
        "accessControlAllowOriginList",
        "accessControlAllowMethods",
        "accessControlAllowHeaders",
        "accessControlExposeHeaders",
        "accessControlAllowCredentials",
        "accessControlMaxAge",
    ]);
    chain.add("cors", "headers", fields, &[cors::FROM.into()]);
}

/// custom-headers → headers customResponseHeaders, the ConfigMap's entries inline.
fn response_headers(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let Some(headers) = chain
        .source
        .response_headers(ledger)
        .filter(|h| !h.is_empty())
    else {
        return;
    };
    if headers
        .iter()
        .any(|(_, value)| value.contains(['\n', '\r']))
    {
        if let Some(key) = chain.source.key_of("custom-headers") {
            ledger.record(&key, Outcome::NotTranslated(BROKEN_HEADER.into()));
        }
        return;
    }
    let mut custom = Map::new();
    for (name, value) in headers {
        custom.set(name, value.as_str());
    }
    chain.add(
        "response-headers",
        "headers",
        Map::new().with("customResponseHeaders", custom),
        &["custom-headers: the ConfigMap's headers".into()],
    );
}

/// custom-http-errors (+ default-backend) → errors: the listed statuses served by the
/// default-backend Service, as NGINX's `proxy_intercept_errors` with its error locations.
fn custom_errors(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(errors) = source.nginx("custom-http-errors") else {
        return;
    };
    let statuses = comma_list(&errors.value);
    let Some((service, port)) = &source.default_backend_service else {
        ledger.record(&errors.key, Outcome::NotTranslated(
            "NGINX sends these to the controller's default backend (--default-backend-service), which the input does not name: add default-backend with the error pages' Service".into(),
        ));
        return;
    };
    let Some(port) = port else {
        ledger.record(
            &errors.key,
            Outcome::NotTranslated(format!(
            "the errors Middleware names a Service port: Service {}/{service} is not in the input",
            source.namespace
        )),
        );
        return;
    };
    chain.add(
        "custom-errors",
        "errors",
        Map::new()
            .with("status", statuses)
            .with(
                "service",
                Map::new()
                    .with("name", service.as_str())
                    .with("port", i64::from(*port)),
            )
            .with("query", "/"),
        &[format!("{}: {}", errors.key, errors.value.trim())],
    );
    ledger.record(&errors.key, Outcome::Approximated(
        "the error pages' Service gets GET / for these statuses; NGINX passed the original request with X-Code, X-Format and X-Original-URI headers, which custom error pages read".into(),
    ));
    if let Some(key) = source.key_of("default-backend") {
        ledger.record(&key, Outcome::Approximated(
            "serves the custom-http-errors statuses; NGINX also sent a path there when its Service had no endpoints, which Traefik answers with 503".into(),
        ));
    }
}

/// configuration-snippet / server-snippet made only of header lines (`add_header`,
/// `more_set_headers`, `proxy_set_header`, `more_set_input_headers`) → a headers Middleware,
/// the subset Traefik's ingress-nginx provider reads too. Only when the input shows NGINX
/// applied snippets at all (`allow-snippet-annotations: "true"`, off by default since v1.9,
/// and `annotations-risk-level: Critical`).
fn snippet_headers(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    for suffix in ["configuration-snippet", "server-snippet"] {
        let Some(snippet) = source.nginx(suffix) else {
            continue;
        };
        // Snippets are Critical-risk annotations: since v1.12 they also need the risk level.
        let allowed = source.global("allow-snippet-annotations") == Some("true")
            && source.global("annotations-risk-level") == Some("Critical");
        if !allowed {
            ledger.record(&snippet.key, Outcome::NotTranslated(
                "ingress-nginx ignores snippets unless its ConfigMap sets allow-snippet-annotations: \"true\" (off by default since v1.9) and annotations-risk-level: Critical (High by default since v1.12), which the input does not show: nothing is written".into(),
            ));
            continue;
        }
        match header_lines(&snippet.value) {
            Ok((request, response)) if !request.is_empty() || !response.is_empty() => {
                let mut config = Map::new();
                for (field, headers) in [
                    ("customRequestHeaders", &request),
                    ("customResponseHeaders", &response),
                ] {
                    if !headers.is_empty() {
                        let mut map = Map::new();
                        for (name, value) in headers {
                            map.set(name, value.as_str());
                        }
                        config.set(field, map);
                    }
                }
                chain.add(
                    &format!("{suffix}-headers"),
                    "headers",
                    config,
                    &[format!("{}: its header lines", snippet.key)],
                );
                ledger.record(&snippet.key, Outcome::Approximated(format!(
                    "its header lines as a headers Middleware: Traefik sets response headers on every response, where add_header without `always` only touched 2xx and 3xx ones{}",
                    if suffix == "server-snippet" { "; NGINX applied a server snippet to every Ingress of the host, this to this Ingress's routes" } else { "" }
                )));
            }
            Ok(_) => ledger.record(&snippet.key, Outcome::NoEffect("no directive".into())),
            Err(directive) => ledger.record(&snippet.key, Outcome::NotTranslated(format!(
                "`{directive}` is not a header line: Traefik has no configuration injection, so the snippet is not written"
            ))),
        }
    }
}

/// Header (name, value) pairs.
type Headers = Vec<(String, String)>;

/// The request and response headers of a snippet made only of header directives, or the
/// first statement that is something else (or uses NGINX variables).
fn header_lines(snippet: &str) -> Result<(Headers, Headers), String> {
    let mut request = Vec::new();
    let mut response = Vec::new();
    let text: String = snippet
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    for statement in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let words = words(statement);
        if statement.contains('$') {
            return Err(statement.to_string());
        }
        match words.first().map(String::as_str) {
            Some("add_header") if words.len() >= 3 => {
                response.push((words[1].clone(), words[2].clone()));
            }
            Some("proxy_set_header") if words.len() == 3 => {
                request.push((words[1].clone(), words[2].clone()));
            }
            Some(directive @ ("more_set_headers" | "more_set_input_headers"))
                if words.len() >= 2 =>
            {
                for pair in &words[1..] {
                    let Some((name, value)) = pair.split_once(':') else {
                        return Err(statement.to_string());
                    };
                    let header = (name.trim().to_string(), value.trim().to_string());
                    if directive == "more_set_headers" {
                        response.push(header);
                    } else {
                        request.push(header);
                    }
                }
            }
            _ => return Err(statement.to_string()),
        }
    }
    Ok((request, response))
}

/// A statement's words, quotes removed (`"X-A: b c"` is one word).
fn words(statement: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in statement.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// permanent-redirect / temporal-redirect → redirectRegex.
fn redirect(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(wanted) = source.redirect(ledger) else {
        return;
    };
    let (annotation, permanent) = (wanted.annotation, wanted.permanent);
    let url = annotation.value.trim();
    let (regex, replacement) = if wanted.keeps_path {
        (
            "^https?://[^/]+(.*)".to_string(),
            format!("{}${{1}}", wanted.base),
        )
    } else {
        (".*".to_string(), wanted.base.to_string())
    };
    chain.add(
        "redirect",
        "redirectRegex",
        Map::new()
            .with("regex", regex)
            .with("replacement", replacement)
            .with("permanent", permanent),
        &[format!("{}: {url}", annotation.key)],
    );
    ledger.record(
        &annotation.key,
        Outcome::Approximated(if permanent {
            "Traefik answers 301 to GET and 308 to other methods".into()
        } else {
            "Traefik answers 302 to GET and 307 to other methods".into()
        }),
    );
    for suffix in ["permanent-redirect-code", "temporal-redirect-code"] {
        if let Some(code) = source.nginx(suffix) {
            ledger.record(
                &code.key,
                Outcome::Approximated(format!(
                    "Traefik has no status code setting: {} maps to permanent: {permanent}",
                    code.value.trim()
                )),
            );
        }
    }
}

/// rewrite-target → stripPrefix (the prefix idiom), replacePath (a constant), or
/// replacePathRegex (captures).
fn rewrite(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(annotation) = source.nginx("rewrite-target") else {
        return;
    };
    let target = annotation.value.trim();
    let paths: Vec<&str> = source
        .rules
        .iter()
        .flat_map(|r| &r.paths)
        .map(|p| p.path.as_str())
        .collect();
    let comment = [format!("{}: {target}", annotation.key)];
    let prefixes: Option<Vec<Value>> = paths
        .iter()
        .map(|p| {
            p.strip_suffix("(/|$)(.*)")
                .filter(|_| target == "/$2")
                .map(Value::from)
        })
        .collect();
    match prefixes {
        Some(prefixes) if !prefixes.is_empty() => {
            chain.add("rewrite", "stripPrefix", Map::new().with("prefixes", prefixes), &comment);
            ledger.record(&annotation.key, Outcome::Approximated(
                "stripPrefix with the idiom's prefixes; Traefik sets X-Forwarded-Prefix, NGINX did not".into(),
            ));
        }
        _ if !target.contains('$') => {
            chain.add("rewrite", "replacePath", Map::new().with("path", target), &comment);
            ledger.record(&annotation.key, Outcome::Translated);
        }
        _ if paths.len() == 1 => {
            chain.add(
                "rewrite",
                "replacePathRegex",
                Map::new().with("regex", format!("^{}", paths[0])).with("replacement", target),
                &comment,
            );
            ledger.record(&annotation.key, Outcome::Approximated(
                "replacePathRegex with the path as regex: Go RE2, case-sensitive; NGINX used case-insensitive PCRE".into(),
            ));
        }
        _ => ledger.record(&annotation.key, Outcome::NotTranslated(
            "captures over several paths need one replacePathRegex per path: one Middleware per router".into(),
        )),
    }
}

/// proxy-body-size → buffering.maxRequestBodyBytes.
fn buffering(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let Some(annotation) = source.nginx("proxy-body-size") else {
        return;
    };
    let Some(bytes) = crate::convert::nginx_size_bytes(annotation.value.trim()) else {
        ledger.record(
            &annotation.key,
            Outcome::NotTranslated("not an NGINX size (number with k, m or g)".into()),
        );
        return;
    };
    if bytes == 0 {
        // 0 lifts NGINX's limit; Traefik has none unless buffering is set.
        ledger.record(&annotation.key, Outcome::Translated);
        return;
    }
    chain.add(
        "body-size",
        "buffering",
        Map::new().with("maxRequestBodyBytes", bytes),
        &[format!("{}: {}", annotation.key, annotation.value.trim())],
    );
    ledger.record(
        &annotation.key,
        Outcome::Approximated(
            "the buffering Middleware also buffers the whole request before passing it on".into(),
        ),
    );
}

/// proxy-next-upstream (its conditions), -tries and -timeout → retry, as ingress-nginx reads
/// them: 0 tries is its default (3), `off` no retry; `http_5xx` conditions become statuses,
/// and without `error`/`timeout` network errors are not retried (the mapping of Traefik's
/// ingress-nginx provider, middlewares.go `buildRetry`).
fn retry(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let source = chain.source;
    let conditions = source.nginx("proxy-next-upstream");
    let tries = source.nginx("proxy-next-upstream-tries");
    let timeout = source.nginx("proxy-next-upstream-timeout");
    if conditions.is_none() && tries.is_none() && timeout.is_none() {
        return;
    }
    let words: Vec<&str> = conditions
        .map_or("error timeout", |c| c.value.trim())
        .split_whitespace()
        .collect();
    let keys: Vec<&str> = [conditions, tries, timeout]
        .into_iter()
        .flatten()
        .map(|a| a.key.as_str())
        .collect();
    if words.contains(&"off") {
        for key in keys {
            ledger.record(key, Outcome::Translated);
        }
        return;
    }
    // ingress-nginx: a value it cannot read or 0 falls back to the default, 3.
    let attempts = tries
        .and_then(|t| t.value.trim().parse::<i64>().ok())
        .filter(|&t| t > 0)
        .unwrap_or(3);
    let mut config = Map::new().with("attempts", attempts);
    if !words.contains(&"error") && !words.contains(&"timeout") {
        config.set("disableRetryOnNetworkError", true);
    }
    let statuses: Vec<Value> = words
        .iter()
        .filter_map(|w| w.strip_prefix("http_"))
        .map(Value::from)
        .collect();
    if !statuses.is_empty() {
        config.set("status", statuses);
    }
    if words.contains(&"non_idempotent") {
        config.set("retryNonIdempotentMethod", true);
    }
    if let Some(seconds) = timeout
        .and_then(|t| t.value.trim().parse::<i64>().ok())
        .filter(|&t| t > 0)
    {
        config.set("timeout", format!("{seconds}s"));
    }
    let from: Vec<String> = [conditions, tries, timeout]
        .into_iter()
        .flatten()
        .map(|a| format!("{}: {}", a.key, a.value.trim()))
        .collect();
    chain.add("retry", "retry", config, &from);
    for key in keys {
        ledger.record(
            key,
            Outcome::Approximated(
                "Traefik's retry may pick the same server again; NGINX moved to the next one"
                    .into(),
            ),
        );
    }
}

/// limit-connections → inFlightReq per client address (NGINX's `limit_conn` on
/// `$binary_remote_addr`).
fn limit_connections(chain: &mut Chain<'_, '_>, ledger: &mut Ledger) {
    let Some(annotation) = chain.source.nginx("limit-connections") else {
        return;
    };
    let Ok(amount) = annotation.value.trim().parse::<i64>() else {
        return;
    };
    if amount <= 0 {
        ledger.record(
            &annotation.key,
            Outcome::NoEffect("0 or less: ingress-nginx sets no connection limit".into()),
        );
        return;
    }
    chain.add(
        "limit-connections",
        "inFlightReq",
        Map::new()
            .with("amount", amount)
            .with("sourceCriterion", Map::new().with("ipStrategy", Map::new())),
        &[format!("{}: {amount}", annotation.key)],
    );
    ledger.record(&annotation.key, Outcome::Approximated(
        "concurrent requests per client address, answered with 429 beyond; NGINX counted connections and answered 503 (limit-conn-status-code)".into(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_header_lines_make_a_headers_middleware() {
        let (request, response) = header_lines(
            "# security headers\nadd_header X-Frame-Options \"DENY\" always;\nmore_set_headers \"X-A: 1\" \"X-B: two words\";\nproxy_set_header X-Team shop;",
        )
        .unwrap();
        assert_eq!(request, [("X-Team".to_string(), "shop".to_string())]);
        assert_eq!(response.len(), 3);
        assert_eq!(response[2], ("X-B".to_string(), "two words".to_string()));
        assert!(header_lines("return 301 https://example.com;").is_err());
        assert!(header_lines("add_header X-Host $host;").is_err());
    }

    #[test]
    fn nginx_sizes_are_binary() {
        assert_eq!(
            crate::convert::nginx_size_bytes("8m"),
            Some(8 * 1024 * 1024)
        );
        assert_eq!(crate::convert::nginx_size_bytes("100K"), Some(100 * 1024));
        assert_eq!(crate::convert::nginx_size_bytes("1024"), Some(1024));
        assert_eq!(crate::convert::nginx_size_bytes("8mb"), None);
        assert_eq!(crate::convert::nginx_size_bytes(""), None);
    }
}
