//! The CRDs' CEL rules (`x-kubernetes-validations`) evaluated over an object, as the API
//! server does on create: defaults applied first, then every rule of every schema node the
//! object reaches. Transition rules (`oldSelf`) do not apply to a create and are skipped.

use std::sync::Arc;

use cel::extractors::This;
use serde_json::Value;

/// The rules of one CRD schema, compiled once.
pub struct Rules {
    env: Arc<cel::Env>,
    compiled: std::collections::HashMap<String, cel::Program>,
    /// Rules evaluated, for the caller to see the check did something.
    pub evaluated: std::cell::Cell<usize>,
}

impl Rules {
    pub fn new() -> Self {
        let mut env = cel::Env::stdlib();
        // Kubernetes' CEL environment has the strings extension (split, substring, …).
        env.add_extension(cel::extensions::strings)
            .expect("strings extension");
        Rules {
            env: Arc::new(env),
            compiled: std::collections::HashMap::new(),
            evaluated: std::cell::Cell::new(0),
        }
    }

    /// The violations of `object` against `schema`: `path: message (rule)`.
    pub fn violations(&mut self, schema: &Value, object: &Value) -> Vec<String> {
        let mut object = object.clone();
        apply_defaults(schema, &mut object);
        let mut out = Vec::new();
        self.walk(schema, &object, "", &mut out);
        out
    }

    fn walk(&mut self, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
        if let Some(Value::Array(rules)) = schema.get("x-kubernetes-validations") {
            for rule in rules {
                let text = rule["rule"].as_str().expect("rule text");
                if text.contains("oldSelf") {
                    continue;
                }
                let verdict = self.evaluate(text, value);
                if verdict != Ok(true) {
                    let message = rule
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("(no message)");
                    out.push(format!("{at}: {message} ({verdict:?}; rule: {text})"));
                }
            }
        }
        match value {
            Value::Object(map) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                let additional = schema.get("additionalProperties").filter(|a| a.is_object());
                for (key, child) in map {
                    let child_schema = properties.and_then(|p| p.get(key)).or(additional);
                    if let Some(child_schema) = child_schema {
                        self.walk(child_schema, child, &format!("{at}.{key}"), out);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item_schema, item, &format!("{at}[{i}]"), out);
                    }
                }
            }
            _ => {}
        }
    }

    fn evaluate(&mut self, rule: &str, value: &Value) -> Result<bool, String> {
        self.evaluated.set(self.evaluated.get() + 1);
        let env = self.env.clone();
        let program = self.compiled.entry(rule.to_string()).or_insert_with(|| {
            env.compile(rule)
                .unwrap_or_else(|e| panic!("{rule}: {e:?}"))
        });
        let mut context = cel::Context::with_env(env);
        context
            .add_function("isIP", |This(s): This<Arc<String>>| {
                s.parse::<std::net::IpAddr>().is_ok()
            })
            .expect("isIP");
        context.add_variable_from_value("self", cel::to_value(value).expect("a JSON value"));
        match program.execute(&context) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("not a bool: {other:?}")),
            Err(e) => Err(format!("{e:?}")),
        }
    }
}

/// The schema's defaults written into the object where it leaves a field out (the API
/// server defaults before it validates).
fn apply_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, child_schema) in properties {
                    if let (false, Some(default)) =
                        (map.contains_key(key), child_schema.get("default"))
                    {
                        map.insert(key.clone(), default.clone());
                    }
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (key, child) in map.iter_mut() {
                if let Some(child_schema) = properties.and_then(|p| p.get(key)).or(additional) {
                    apply_defaults(child_schema, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    apply_defaults(item_schema, item);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn a_broken_rule_is_reported() {
    let schema: Value = serde_json::json!({
        "type": "object",
        "properties": {"path": {"type": "object",
            "properties": {"type": {"type": "string", "default": "PathPrefix"}, "value": {"type": "string"}},
            "x-kubernetes-validations": [
                {"rule": "(self.type in ['Exact','PathPrefix']) ? !self.value.contains('//') : true", "message": "no //"}
            ]}}
    });
    let mut rules = Rules::new();
    assert!(rules
        .violations(&schema, &serde_json::json!({"path": {"value": "/a"}}))
        .is_empty());
    let found = rules.violations(&schema, &serde_json::json!({"path": {"value": "/a//b"}}));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(rules
        .violations(
            &schema,
            &serde_json::json!({"path": {"type": "RegularExpression", "value": "//"}})
        )
        .is_empty());
}
