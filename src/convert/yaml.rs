//! The objects `convert` writes: a small ordered tree whose map entries can carry comment
//! lines (the source annotation an entry came from), written as block YAML. Strings that a
//! YAML 1.1 reader (kubectl, Helm) could take for anything else are double-quoted.

use std::fmt::Write;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`: in Helm values, deletes the key from what lies below.
    Null,
    Str(String),
    Int(i64),
    Bool(bool),
    Map(Map),
    List(Vec<Value>),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    key: String,
    value: Value,
    comments: Vec<String>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    /// Sets `key` (replacing an earlier value, keeping its place).
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Map {
        let value = value.into();
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(entry) => entry.value = value,
            None => self.entries.push(Entry {
                key: key.to_string(),
                value,
                comments: Vec::new(),
            }),
        }
        self
    }

    /// Builder form of `set`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Map {
        self.set(key, value);
        self
    }

    /// A comment line written above `key` (which must be set).
    pub fn comment(&mut self, key: &str, comment: impl Into<String>) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.key == key) {
            let comment = comment.into();
            if !entry.comments.contains(&comment) {
                entry.comments.push(comment);
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }

    /// The map under `key`; any other value there is replaced by an empty map.
    pub fn map_mut(&mut self, key: &str) -> &mut Map {
        let at = match self.entries.iter().position(|e| e.key == key) {
            Some(at) => at,
            None => {
                self.set(key, Map::new());
                self.entries.len() - 1
            }
        };
        let value = &mut self.entries[at].value;
        if !matches!(value, Value::Map(_)) {
            *value = Value::Map(Map::new());
        }
        match value {
            Value::Map(map) => map,
            // Made a map just above.
            _ => unreachable!(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|e| (e.key.as_str(), &e.value))
    }

    pub fn remove(&mut self, key: &str) {
        self.entries.retain(|e| e.key != key);
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Map(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(l: Vec<Value>) -> Value {
        Value::List(l)
    }
}

impl Value {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Int(n) => serde_json::Value::from(*n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Null => serde_json::Value::Null,
            Value::List(items) => items.iter().map(Value::to_json).collect(),
            Value::Map(map) => serde_json::Value::Object(
                map.entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// One document: the map as block YAML, after `---`.
pub fn document(map: &Map) -> String {
    let mut out = String::from("---\n");
    write_map(&mut out, map, 0, false);
    out
}

/// Writes the entries at `indent`; `inline`: the cursor stands after a list item's `- `.
fn write_map(out: &mut String, map: &Map, indent: usize, mut inline: bool) {
    let pad = " ".repeat(indent);
    for entry in &map.entries {
        if inline && !entry.comments.is_empty() {
            // A comment cannot follow `- ` on its line: the item starts on the next one.
            out.pop();
            out.push('\n');
            inline = false;
        }
        for comment in &entry.comments {
            let _ = writeln!(out, "{pad}# {}", one_line(comment));
        }
        if !inline {
            out.push_str(&pad);
        }
        inline = false;
        out.push_str(&scalar(&entry.key));
        out.push(':');
        write_value(out, &entry.value, indent);
    }
}

fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Map(map) if map.is_empty() => out.push_str(" {}\n"),
        Value::List(list) if list.is_empty() => out.push_str(" []\n"),
        Value::Map(map) => {
            out.push('\n');
            write_map(out, map, indent + 2, false);
        }
        Value::List(items) => {
            out.push('\n');
            for item in items {
                out.push_str(&" ".repeat(indent));
                match item {
                    Value::Map(map) if !map.is_empty() => {
                        out.push_str("- ");
                        write_map(out, map, indent + 2, true);
                    }
                    // Nested lists do not occur in the objects written; an empty map is `{}`.
                    Value::List(_) | Value::Map(_) => {
                        out.push('-');
                        write_value(out, item, indent + 2);
                    }
                    scalar_item => {
                        let _ = writeln!(out, "- {}", scalar_of(scalar_item));
                    }
                }
            }
        }
        scalar_value => {
            let _ = writeln!(out, " {}", scalar_of(scalar_value));
        }
    }
}

fn scalar_of(value: &Value) -> String {
    match value {
        Value::Str(s) => scalar(s),
        Value::Int(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Map(_) | Value::List(_) => String::new(),
    }
}

/// A string as a plain scalar when every YAML reader takes it for that string, else
/// double-quoted (JSON string syntax is valid YAML).
fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
    }
}

fn is_plain_safe(text: &str) -> bool {
    const YAML11_WORDS: [&str; 22] = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && !YAML11_WORDS.contains(&text)
        && !matches!(text, "null" | "Null" | "NULL")
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

/// Comments are one line each.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_yaml_with_comments_and_quotes() {
        let mut spec = Map::new();
        spec.set("hostnames", vec![Value::from("a.example.com")]);
        let mut rule = Map::new();
        rule.set("path", "/");
        rule.set("weight", 20);
        rule.comment(
            "weight",
            "nginx.ingress.kubernetes.io/canary-weight: \"20\"",
        );
        spec.set("rules", vec![Value::Map(rule)]);
        spec.set("empty", Map::new());
        spec.set("flag", "yes");
        let doc = document(&Map::new().with("kind", "HTTPRoute").with("spec", spec));
        assert_eq!(
            doc,
            "---\nkind: HTTPRoute\nspec:\n  hostnames:\n  - a.example.com\n  rules:\n  - path: \"/\"\n    # nginx.ingress.kubernetes.io/canary-weight: \"20\"\n    weight: 20\n  empty: {}\n  flag: \"yes\"\n"
        );
    }

    #[test]
    fn a_comment_on_the_first_entry_of_an_item_opens_the_item() {
        let mut rule = Map::new();
        rule.set("type", "RequestRedirect");
        rule.comment("type", "from ssl-redirect");
        let doc = document(&Map::new().with("filters", vec![Value::Map(rule)]));
        assert_eq!(
            doc,
            "---\nfilters:\n-\n  # from ssl-redirect\n  type: RequestRedirect\n"
        );
    }

    #[test]
    fn ambiguous_scalars_are_quoted() {
        for text in [
            "on",
            "no",
            "1",
            "",
            "a: b",
            "#x",
            "*.example.com",
            "null",
            "1.5",
        ] {
            assert!(scalar(text).starts_with('"'), "{text}");
        }
        for text in ["a.example.com", "HTTPRoute", "gateway.networking.k8s.io/v1"] {
            assert_eq!(scalar(text), text);
        }
    }
}
