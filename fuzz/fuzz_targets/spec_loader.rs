//! Any bytes as `palisade.yaml`: loading answers with a spec or diagnostics,
//! never a panic, hang or unbounded allocation; a spec that loads also
//! compiles to both targets (or to diagnostics) without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade::cli::build::{Target, TemplateFormat, compile_loaded};

fuzz_target!(|data: &[u8]| {
    match palisade::spec::load("palisade.yaml", data, None) {
        Ok(loaded) => {
            let _ = compile_loaded(
                &loaded,
                &Default::default(),
                Target::All,
                TemplateFormat::Yaml,
            );
        }
        Err(diagnostics) => {
            let text = String::from_utf8_lossy(data);
            for d in diagnostics {
                assert!(d.line >= 1, "{d:?}");
                let _ = d.render(&text, false);
            }
        }
    }
});
