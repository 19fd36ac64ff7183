//! A serde `Deserializer` over the located tree, with Kubernetes' reading of YAML.
//!
//! One pass gives typed `k8s-openapi` objects and, on the side, what Kubernetes would do
//! differently from a naive reader: fields the kind does not have (k8s-openapi sends them to
//! `IgnoredAny`), plain scalars that Kubernetes reads as bool/number where a string is
//! required (`value: on`), and type errors located at their node.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use crate::parse::{resolve_plain, NodeId, NodeKind, Resolved, ScalarStyle, Tree};

/// What the reading noticed besides errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Note {
    /// A key the typed kind has no field for.
    UnknownField { key: NodeId },
    /// A plain scalar that Kubernetes reads as a non-string, in a string field.
    NotAString { node: NodeId },
}

/// A decoding error, located at the innermost node it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
    pub node: Option<NodeId>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DecodeError {
            message: message.to_string(),
            node: None,
        }
    }
}

/// The outcome of decoding one node into a type.
pub struct Decoded<T> {
    pub value: Option<T>,
    pub errors: Vec<DecodeError>,
    pub notes: BTreeSet<Note>,
}

/// How many fields may be dropped from one object before it is given up.
const MAX_RETRIES: usize = 16;

/// Decodes `node` into `T`. A field of the wrong type is recorded and then treated as absent,
/// and decoding runs again, so the object is still used as far as it reads.
pub fn decode<T: DeserializeOwned>(tree: &Tree, node: NodeId) -> Decoded<T> {
    let context = Context {
        tree,
        masked: HashSet::new(),
        notes: RefCell::new(BTreeSet::new()),
    };
    let mut context = context;
    let mut errors = Vec::new();
    for _ in 0..MAX_RETRIES {
        match T::deserialize(NodeDeserializer {
            context: &context,
            node,
            key: None,
        }) {
            Ok(value) => {
                return Decoded {
                    value: Some(value),
                    errors,
                    notes: context.notes.into_inner(),
                }
            }
            Err(error) => {
                let failed = error.node.unwrap_or(node);
                errors.push(error);
                if failed == node || !context.masked.insert(failed) {
                    break;
                }
            }
        }
    }
    Decoded {
        value: None,
        errors,
        notes: context.notes.into_inner(),
    }
}

struct Context<'t> {
    tree: &'t Tree,
    /// Nodes found unreadable in an earlier attempt: read as absent.
    masked: HashSet<NodeId>,
    notes: RefCell<BTreeSet<Note>>,
}

#[derive(Clone, Copy)]
struct NodeDeserializer<'c, 't> {
    context: &'c Context<'t>,
    node: NodeId,
    /// The key this node is the value of, for unknown-field notes.
    key: Option<NodeId>,
}

enum Shape<'t> {
    Null,
    /// A plain scalar without a tag, and what Kubernetes reads it as (never null).
    Plain(&'t str, Resolved),
    /// Any other scalar (quoted, a block, or tagged), and its tag.
    Scalar(&'t str, Option<&'t str>),
    Sequence(&'t [NodeId]),
    Mapping,
}

impl<'t> NodeDeserializer<'_, 't> {
    fn shape(&self) -> Shape<'t> {
        let tree = self.context.tree;
        if let Some((value, style)) = tree.scalar_parts(self.node) {
            let tag = tree.tag(self.node);
            return match (style, tag) {
                (ScalarStyle::Plain, None) => match resolve_plain(value) {
                    Resolved::Null => Shape::Null,
                    resolved => Shape::Plain(value, resolved),
                },
                _ => Shape::Scalar(value, tag),
            };
        }
        match &tree.node(tree.resolve(self.node)).kind {
            // Scalars were read above.
            NodeKind::Scalar { .. } | NodeKind::Alias(_) => Shape::Null,
            NodeKind::Sequence(items) => Shape::Sequence(items),
            NodeKind::Mapping(_) => Shape::Mapping,
        }
    }

    fn located(&self, error: DecodeError) -> DecodeError {
        DecodeError {
            node: error.node.or(Some(self.node)),
            ..error
        }
    }

    fn expected(&self, what: &str) -> DecodeError {
        let found = match self.shape() {
            Shape::Null => "null".to_string(),
            Shape::Plain(value, resolved) => {
                format!("{} `{}`", resolved.type_name(), ellipsis(value))
            }
            Shape::Scalar(value, tag) => {
                format!("{} `{}`", tag.unwrap_or("string"), ellipsis(value))
            }
            Shape::Sequence(_) => "a list".to_string(),
            Shape::Mapping => "a mapping".to_string(),
        };
        DecodeError {
            message: format!("expected {what}, found {found}"),
            node: Some(self.node),
        }
    }

    /// The resolved meaning of a scalar, honouring quotes and explicit `!!` tags.
    fn resolved(&self) -> Option<(Resolved, &'t str)> {
        Self::meaning(self.shape())
    }

    /// `resolved`, of a shape already read.
    fn meaning(shape: Shape<'t>) -> Option<(Resolved, &'t str)> {
        match shape {
            Shape::Null => Some((Resolved::Null, "")),
            Shape::Plain(value, resolved) => Some((resolved, value)),
            Shape::Scalar(value, Some("int" | "float" | "bool" | "null")) => {
                Some((resolve_plain(value), value))
            }
            Shape::Scalar(value, ..) => Some((Resolved::String, value)),
            _ => None,
        }
    }

    fn map_access(&self) -> MapAccess<'_, 't> {
        MapAccess {
            context: self.context,
            entries: self.context.tree.entries(self.node),
            index: 0,
        }
    }

    fn seq_access(&self, items: &'t [NodeId]) -> SeqAccess<'_, 't> {
        SeqAccess {
            context: self.context,
            items,
            index: 0,
        }
    }

    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let result = match self.resolved() {
            Some((Resolved::Int(i), _)) => visitor.visit_i64(i),
            Some((Resolved::UInt(u), _)) => visitor.visit_u64(u),
            _ => return Err(self.expected("an integer")),
        };
        result.map_err(|e| self.located(e))
    }

    fn float<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let result = match self.resolved() {
            Some((Resolved::Int(i), _)) => visitor.visit_f64(i as f64),
            Some((Resolved::UInt(u), _)) => visitor.visit_f64(u as f64),
            Some((Resolved::Float(f), _)) => visitor.visit_f64(f),
            _ => return Err(self.expected("a number")),
        };
        result.map_err(|e| self.located(e))
    }
}

fn ellipsis(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let short: String = value.chars().take(MAX).collect();
        format!("{short}…")
    }
}

macro_rules! integers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            self.integer(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDeserializer<'_, '_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let result = match self.shape() {
            Shape::Sequence(items) => visitor.visit_seq(self.seq_access(items)),
            Shape::Mapping => visitor.visit_map(self.map_access()),
            scalar => match Self::meaning(scalar) {
                Some((Resolved::Null, _)) => visitor.visit_unit(),
                Some((Resolved::Bool(b), _)) => visitor.visit_bool(b),
                Some((Resolved::Int(i), _)) => visitor.visit_i64(i),
                Some((Resolved::UInt(u), _)) => visitor.visit_u64(u),
                Some((Resolved::Float(f), _)) => visitor.visit_f64(f),
                Some((Resolved::String, value)) => visitor.visit_str(value),
                None => visitor.visit_unit(),
            },
        };
        result.map_err(|e| self.located(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.resolved() {
            Some((Resolved::Bool(b), _)) => visitor.visit_bool(b).map_err(|e| self.located(e)),
            _ => Err(self.expected("a bool")),
        }
    }

    integers!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
              deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.float(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.float(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let result = match self.resolved() {
            Some((Resolved::String, value)) => visitor.visit_str(value),
            // Kubernetes reads an absent string as empty.
            Some((Resolved::Null, _)) => visitor.visit_str(""),
            Some((_, value)) => {
                self.context
                    .notes
                    .borrow_mut()
                    .insert(Note::NotAString { node: self.node });
                visitor.visit_str(value)
            }
            None => return Err(self.expected("a string")),
        };
        result.map_err(|e| self.located(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.resolved() {
            Some((_, value)) => visitor.visit_str(value).map_err(|e| self.located(e)),
            None => Err(self.expected("a string")),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Null => visitor.visit_unit(),
            _ => Err(self.expected("null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| self.located(e))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let result = match self.shape() {
            Shape::Sequence(items) => visitor.visit_seq(self.seq_access(items)),
            Shape::Null => visitor.visit_seq(self.seq_access(&[])),
            _ => return Err(self.expected("a list")),
        };
        result.map_err(|e| self.located(e))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let result = match self.shape() {
            Shape::Mapping | Shape::Null => visitor.visit_map(self.map_access()),
            _ => return Err(self.expected("a mapping")),
        };
        result.map_err(|e| self.located(e))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if let Shape::Mapping = self.shape() {
            // `{variant: value}`: a variant with data, as serde_yaml writes it.
            let tree = self.context.tree;
            let entries = tree.entries(self.node);
            let [entry] = entries.as_ref() else {
                return Err(self.expected("a mapping with one key (the variant)"));
            };
            let Some(variant) = tree.scalar(entry.key) else {
                return Err(self.expected("a variant name"));
            };
            return visitor
                .visit_enum(EnumAccess {
                    variant,
                    key: entry.key,
                    value: NodeDeserializer {
                        context: self.context,
                        node: entry.value,
                        key: None,
                    },
                })
                .map_err(|e: DecodeError| self.located(e));
        }
        match self.resolved() {
            Some((_, value)) => visitor
                .visit_enum(value.into_deserializer())
                .map_err(|e: DecodeError| self.located(e)),
            None => Err(self.expected("a string")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if let Some(key) = self.key {
            self.context
                .notes
                .borrow_mut()
                .insert(Note::UnknownField { key });
        }
        visitor.visit_unit()
    }
}

/// An enum variant written `{variant: value}`.
struct EnumAccess<'c, 't> {
    variant: &'t str,
    key: NodeId,
    value: NodeDeserializer<'c, 't>,
}

impl<'de, 'c, 't> de::EnumAccess<'de> for EnumAccess<'c, 't> {
    type Error = DecodeError;
    type Variant = NodeDeserializer<'c, 't>;

    fn variant_seed<S: de::DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), DecodeError> {
        let key = self.key;
        let variant = seed
            .deserialize(de::value::StrDeserializer::<DecodeError>::new(self.variant))
            .map_err(|e| DecodeError {
                node: e.node.or(Some(key)),
                ..e
            })?;
        Ok((variant, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for NodeDeserializer<'_, '_> {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        match self.shape() {
            Shape::Null => Ok(()),
            _ => Err(self.expected("nothing")),
        }
    }

    fn newtype_variant_seed<S: de::DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, DecodeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

struct MapAccess<'c, 't> {
    context: &'c Context<'t>,
    entries: std::borrow::Cow<'t, [crate::parse::Entry]>,
    index: usize,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, '_> {
    type Error = DecodeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        while let Some(entry) = self.entries.get(self.index) {
            if self.context.masked.contains(&entry.value) {
                self.index += 1;
                continue;
            }
            let tree = self.context.tree;
            let Some(key) = tree.scalar(entry.key) else {
                return Err(DecodeError {
                    message: "a mapping key must be a scalar".into(),
                    node: Some(entry.key),
                });
            };
            return seed
                .deserialize(de::value::StrDeserializer::<DecodeError>::new(key))
                .map(Some)
                .map_err(|e| DecodeError {
                    node: e.node.or(Some(entry.key)),
                    ..e
                });
        }
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let entry = self.entries[self.index];
        self.index += 1;
        seed.deserialize(NodeDeserializer {
            context: self.context,
            node: entry.value,
            key: Some(entry.key),
        })
    }
}

struct SeqAccess<'c, 't> {
    context: &'c Context<'t>,
    items: &'t [NodeId],
    index: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, '_> {
    type Error = DecodeError;

    /// The items left: a decoded `Vec` is allocated once, at its size (it is kept to the end).
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len().saturating_sub(self.index))
    }

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        while let Some(&item) = self.items.get(self.index) {
            self.index += 1;
            if self.context.masked.contains(&item) {
                continue;
            }
            return seed
                .deserialize(NodeDeserializer {
                    context: self.context,
                    node: item,
                    key: None,
                })
                .map(Some);
        }
        Ok(None)
    }
}
