//! Any text as a CloudFormation template for `palisade diff`: parsed (JSON,
//! or YAML with short-form tags) or rejected, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = palisade::diff::load::parse_template(text);
    }
});
