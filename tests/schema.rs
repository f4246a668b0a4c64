//! The checked-in JSON Schema is current, and every example satisfies it.

#[test]
fn checked_in_schema_is_current() {
    let checked_in = std::fs::read_to_string("schemas/palisade.schema.json").unwrap();
    assert!(
        checked_in == palisade::schema::json_schema_text(),
        "schemas/palisade.schema.json is stale: run `cargo run -- schema > schemas/palisade.schema.json`"
    );
}

#[test]
fn examples_satisfy_the_schema() {
    let schema = palisade::schema::json_schema();
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
    let mut checked = 0;
    for entry in std::fs::read_dir("examples").unwrap() {
        let path = entry.unwrap().path().join("palisade.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        checked += 1;
    }
    assert!(checked >= 4);
}

#[test]
fn schema_rejects_what_the_loader_rejects() {
    let schema = palisade::schema::json_schema();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let unknown_key = serde_json::json!({ "service": "a", "functions": { "f": { "handler": "src/a.h", "memroy": 1 } } });
    assert!(!validator.is_valid(&unknown_key));
    let wrong_level = serde_json::json!({ "service": "a", "functions": { "f": { "handler": "src/a.h", "access": { "t": "rw" } } } });
    assert!(!validator.is_valid(&wrong_level));
}
