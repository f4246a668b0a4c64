//! Every string in a spec, checked in one place for what would make AWS
//! store one thing while a reviewer reads another: control characters
//! (newlines, tabs, ESC, NUL), line separators, and bidirectional
//! formatting characters ([`crate::text::is_forging`]) are refused wherever
//! they are, keys included, since any spec string can reach a template, a
//! report or a terminal; and text must be in Unicode NFC, since the two
//! targets would otherwise deploy different bytes for what looks the same
//! (refused rather than normalised, so the spec says exactly what deploys).
//!
//! Every string of the typed spec (keys included) is checked through its
//! serialisation, so no field of the model can be forgotten; only when one
//! is refused is the text read a second time, as a plain tree of located
//! strings, to say where (that parse costs as much as the first one).

use serde::Deserialize;

use super::load::options;
use super::spanned::Spanned;
use crate::diagnostic::{Code, Diagnostic};
use crate::text::{code_point, is_forging};

/// Whether a string passes these checks.
pub fn accepted(text: &str) -> bool {
    problem(text).is_none()
}

/// The diagnostics for every refused string in `spec`, parsed from `text`.
pub fn check(text: &str, spec: &super::Spec) -> Vec<Diagnostic> {
    let all_accepted = serde_json::to_value(spec).is_ok_and(|value| every_string_accepted(&value));
    if all_accepted {
        return Vec::new();
    }
    let Ok(tree) = serde_saphyr::from_str_with_options::<Spanned<Node>>(text, options()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(&tree, Place::Top, &mut found);
    found
}

fn every_string_accepted(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => accepted(text),
        Value::Array(items) => items.iter().all(every_string_accepted),
        Value::Object(map) => map
            .iter()
            .all(|(key, value)| accepted(key) && every_string_accepted(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
    }
}

/// What a string is, for the diagnostic's code and words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The top-level mapping, whose `tags` value holds the tags.
    Top,
    Tags,
    Other,
}

fn walk(node: &Spanned<Node>, place: Place, found: &mut Vec<Diagnostic>) {
    match &node.value {
        Node::Text(text) => {
            let what = if place == Place::Tags {
                "the tag value"
            } else {
                "the text"
            };
            refuse(text, node, place, what, found);
        }
        Node::Seq(items) => {
            for item in items {
                walk(item, Place::Other, found);
            }
        }
        Node::Map(entries) => {
            for (key, value) in entries {
                if let Node::Text(text) = &key.value {
                    let what = if place == Place::Tags {
                        "the tag key"
                    } else {
                        "the key"
                    };
                    refuse(text, key, place, what, found);
                }
                let inner = match (&key.value, place) {
                    (Node::Text(k), Place::Top) if k == "tags" => Place::Tags,
                    // A tag's value.
                    (_, Place::Tags) => Place::Tags,
                    _ => Place::Other,
                };
                walk(value, inner, found);
            }
        }
        Node::Other => {}
    }
}

fn refuse(text: &str, at: &Spanned<Node>, place: Place, what: &str, found: &mut Vec<Diagnostic>) {
    let Some(problem) = problem(text) else {
        return;
    };
    let code = if place == Place::Tags {
        Code::Tag
    } else {
        Code::Text
    };
    let (message, suggestion) = match problem {
        Problem::Forging(c) => (
            format!(
                "{what} contains {}, a control or bidirectional-formatting character",
                code_point(c)
            ),
            "remove it: AWS stores it as written, while terminals, reviews and consoles show other text (a newline starts a fake line, U+202E reverses what follows)",
        ),
        Problem::NotNfc => (
            format!("{what} is not in Unicode NFC (composed) form"),
            "write accented letters as one character (é, not e + U+0301): the two targets would deploy different bytes for the same-looking text",
        ),
    };
    found.push(Diagnostic::error(code, at.loc, message).with_suggestion(suggestion));
}

enum Problem {
    Forging(char),
    NotNfc,
}

fn problem(text: &str) -> Option<Problem> {
    if let Some(c) = text.chars().find(|&c| is_forging(c)) {
        return Some(Problem::Forging(c));
    }
    if !unicode_normalization::is_nfc(text) {
        return Some(Problem::NotNfc);
    }
    None
}

/// A YAML node, reduced to what these checks read.
enum Node {
    Text(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<Node>, Spanned<Node>)>),
    /// Numbers, booleans, nulls.
    Other,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Node::Map(entries))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
