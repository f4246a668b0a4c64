//! YAML output for templates. serde-saphyr writes it; strings a YAML 1.1
//! reader could take for something else (`yes`, `on`, `2012-10-17`, `0755`)
//! must come out quoted.

use serde_json::Value;

pub fn to_yaml(value: &Value) -> String {
    // One line per scalar: folded (`>-`) strings read badly in review diffs.
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    serde_saphyr::to_string_with_options(value, options).expect("a template is plain data")
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
        let value = serde_json::json!(words);
        let yaml = super::to_yaml(&value);
        for word in &words[..15] {
            assert!(
                yaml.contains(&format!("\"{word}\"")),
                "{word} not quoted in\n{yaml}"
            );
        }
        let back: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(back, value);
    }
}
