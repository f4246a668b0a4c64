//! The spec's JSON Schema (draft-07, which yaml-language-server reads),
//! generated from the spec types so it can never drift from them.

use crate::spec::Spec;

pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Spec>();
    serde_json::to_value(schema).expect("a schema is plain JSON")
}

/// The schema as checked in at `schemas/palisade.schema.json`.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).expect("a schema is plain JSON");
    text.push('\n');
    text
}
