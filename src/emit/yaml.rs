//! YAML output for templates. serde-saphyr decides how every scalar is
//! written: strings a YAML 1.1 reader could take for something else (`yes`,
//! `on`, `2012-10-17`, `0755`) come out quoted.
//!
//! The block layout of a template (mappings, sequences, indentation) is
//! written here, and the scalars that are plainly safe (a letter, then
//! letters, digits and `_./-`, plus `:${}*@` in values; never a YAML 1.1
//! keyword) are written as they are. Every other scalar is serde-saphyr's
//! own rendering of it. The output is byte for byte serde-saphyr's
//! (`tests/yaml_writer.rs` compares both on every example, a 1,000-function
//! service and generated documents), at a third of its cost: a large
//! service's templates are the largest rendering of its build.

use std::collections::HashMap;

use serde_json::{Map, Value};

pub fn to_yaml(value: &Value) -> String {
    let Value::Object(map) = value else {
        return saphyr(value);
    };
    let mut writer = Writer {
        out: String::with_capacity(4096),
        quoted: HashMap::new(),
    };
    if map.is_empty() {
        return saphyr(value);
    }
    writer.map(map, 0, false);
    writer.out
}

/// serde-saphyr's rendering of a whole document: what [`to_yaml`] writes,
/// the slow way (kept for the scalars and for the differential test).
pub fn saphyr(value: &Value) -> String {
    // One line per scalar: folded (`>-`) strings read badly in review diffs.
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    serde_saphyr::to_string_with_options(value, options).expect("a template is plain data")
}

struct Writer<'v> {
    out: String,
    /// serde-saphyr's rendering of scalars that are not plainly safe, by
    /// text and position (key or value): templates repeat them (`Fn::Sub`).
    quoted: HashMap<(&'v str, bool), String>,
}

impl<'v> Writer<'v> {
    fn pad(&mut self, indent: usize) {
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    /// A mapping's entries at `indent`; with `inline`, the first entry
    /// continues the current line (after a sequence's `- `).
    fn map(&mut self, map: &'v Map<String, Value>, indent: usize, inline: bool) {
        for (i, (key, value)) in map.iter().enumerate() {
            if i > 0 || !inline {
                self.pad(indent);
            }
            self.string(key, true);
            self.out.push(':');
            match value {
                Value::Object(inner) if !inner.is_empty() => {
                    self.out.push('\n');
                    self.map(inner, indent + 2, false);
                }
                // A sequence under a key is not indented further.
                Value::Array(items) if !items.is_empty() => {
                    self.out.push('\n');
                    self.seq(items, indent, false);
                }
                scalar => {
                    self.out.push(' ');
                    self.scalar(scalar);
                    self.out.push('\n');
                }
            }
        }
    }

    fn seq(&mut self, items: &'v [Value], indent: usize, inline: bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !inline {
                self.pad(indent);
            }
            self.out.push_str("- ");
            match item {
                Value::Object(inner) if !inner.is_empty() => self.map(inner, indent + 2, true),
                Value::Array(inner) if !inner.is_empty() => self.seq(inner, indent + 2, true),
                scalar => {
                    self.scalar(scalar);
                    self.out.push('\n');
                }
            }
        }
    }

    /// A scalar, or an empty mapping or sequence.
    fn scalar(&mut self, value: &'v Value) {
        match value {
            Value::String(s) => self.string(s, false),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Null => self.out.push_str("null"),
            Value::Number(n) if n.is_i64() || n.is_u64() => self.out.push_str(&n.to_string()),
            Value::Number(_) => {
                let text = saphyr(value);
                self.out.push_str(text.strip_suffix('\n').unwrap_or(&text));
            }
            Value::Object(_) => self.out.push_str("{}"),
            Value::Array(_) => self.out.push_str("[]"),
        }
    }

    fn string(&mut self, s: &'v str, key: bool) {
        if plainly_safe(s, key) {
            self.out.push_str(s);
            return;
        }
        let quoted = self
            .quoted
            .entry((s, key))
            .or_insert_with(|| saphyr_scalar(s, key));
        self.out.push_str(quoted);
    }
}

/// serde-saphyr's rendering of one string as a mapping key or a value.
fn saphyr_scalar(s: &str, key: bool) -> String {
    if key {
        let mut map = Map::new();
        map.insert(s.to_string(), Value::Bool(true));
        let text = saphyr(&Value::Object(map));
        text.strip_suffix(": true\n")
            .expect("a one-entry mapping")
            .to_string()
    } else {
        let text = saphyr(&Value::String(s.to_string()));
        text.strip_suffix('\n').unwrap_or(&text).to_string()
    }
}

/// Whether serde-saphyr writes `s` plain, decided without it: a strict
/// subset of its rules (a differential test holds them equal).
fn plainly_safe(s: &str, key: bool) -> bool {
    let bytes = s.as_bytes();
    let Some(first) = bytes.first() else {
        return false;
    };
    if !first.is_ascii_alphabetic() || bytes.last() == Some(&b':') {
        return false;
    }
    let allowed = |b: &u8| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'.' | b'/' | b'-')
            || (!key && matches!(b, b':' | b'$' | b'{' | b'}' | b'*' | b'@'))
    };
    if !bytes.iter().all(allowed) {
        return false;
    }
    // YAML 1.1's booleans, nulls and float words, in any case.
    const WORDS: [&str; 11] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ];
    !WORDS.iter().any(|word| s.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ambiguous_strings_are_quoted_and_read_back_as_strings() {
        let words = [
            "yes",
            "on",
            "Off",
            "y",
            "N",
            "2012-10-17",
            "0755",
            "1e3",
            "null",
            "~",
            "true",
            "4711",
            "12:30",
            "0x1F",
            ".inf",
            "- x",
            "a: b",
            "#c",
            "",
            " lead",
            "*",
        ];
        let value = serde_json::json!({ "words": words });
        let yaml = super::to_yaml(&value);
        for word in &words[..15] {
            assert!(
                yaml.contains(&format!("\"{word}\"")),
                "{word} not quoted in\n{yaml}"
            );
        }
        let back: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(back, value);
        assert_eq!(yaml, super::saphyr(&value));
    }
}
