//! The same spec gives the same bytes: whatever order its mappings are
//! written in, wherever it is built, by whom, on which machine, and when.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use palisade::cli::build::{Outputs, Targets, TemplateFormat, compile};
use proptest::prelude::*;
use serde_json::Value;

/// `value` with every mapping's entries reordered by `order` (a stream of
/// random numbers); sequences keep their order, which has meaning.
fn shuffled(value: &Value, order: &mut impl FnMut() -> u64) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(u64, &String, &Value)> =
                map.iter().map(|(k, v)| (order(), k, v)).collect();
            entries.sort_by_key(|(rank, _, _)| *rank);
            Value::Object(
                entries
                    .into_iter()
                    .map(|(_, k, v)| (k.clone(), shuffled(v, order)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| shuffled(v, order)).collect()),
        other => other.clone(),
    }
}

fn outputs(spec: &Path, format: TemplateFormat) -> Outputs {
    compile(spec.to_str().unwrap(), Targets::All, format).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn mapping_order_does_not_change_a_byte(example in 0..4usize, seed: u64) {
        let examples = support::examples();
        let original = &examples[example % examples.len()];
        let name = support::example_name(original);
        let dir = support::example_copy(&name, &format!("rel-shuffle-{name}"));
        let spec = dir.join("palisade.yaml");
        let text = std::fs::read_to_string(&spec).unwrap();
        let value: Value = serde_saphyr::from_str(&text).unwrap();
        // xorshift: reproducible from the seed proptest reports.
        let mut state = seed | 1;
        let mut order = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let reordered = shuffled(&value, &mut order);
        prop_assert_eq!(&reordered, &value, "same meaning");
        let expected_yaml = outputs(&spec, TemplateFormat::Yaml);
        let expected_json = outputs(&spec, TemplateFormat::Json);
        std::fs::write(&spec, palisade::emit::yaml::to_yaml(&reordered)).unwrap();
        prop_assert!(outputs(&spec, TemplateFormat::Yaml) == expected_yaml, "{} (yaml)", name);
        prop_assert!(outputs(&spec, TemplateFormat::Json) == expected_json, "{} (json)", name);
    }
}

/// The property above would prove nothing if shuffling kept the order.
#[test]
fn shuffling_reorders_the_spec_text() {
    for spec in support::examples() {
        let text = std::fs::read_to_string(&spec).unwrap();
        let value: Value = serde_saphyr::from_str(&text).unwrap();
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut order = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let reordered = shuffled(&value, &mut order);
        assert_ne!(
            palisade::emit::yaml::to_yaml(&reordered),
            palisade::emit::yaml::to_yaml(&value),
            "{}",
            spec.display()
        );
    }
}

/// Every file of every example's build (both targets, zips included), by
/// path, built in scratch directories under `scratch`.
fn build_all_examples(scratch: &str, env: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for spec in support::examples() {
        let name = support::example_name(&spec);
        let copy = support::example_copy(&name, &format!("{scratch}/{name}"));
        let mut command = Command::cargo_bin("palisade").unwrap();
        command.args(["build", copy.join("palisade.yaml").to_str().unwrap()]);
        for (key, value) in env {
            command.env(key, value);
        }
        command.assert().success();
        collect(&copy.join("dist"), &copy.join("dist"), &name, &mut files);
    }
    files
}

fn collect(root: &Path, dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, prefix, files);
        } else {
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            files.insert(
                format!("{prefix}/{relative}"),
                std::fs::read(&path).unwrap(),
            );
        }
    }
}

/// Built in another directory, as another user on another host, in another
/// time zone and locale, a second later: the same bytes, and none of those
/// facts in them.
#[test]
fn output_is_the_same_anywhere_and_names_no_machine_user_path_or_time() {
    let first_dir = support::scratch("rel-anywhere-a");
    let first = build_all_examples("rel-anywhere-a", &[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let strangers = [
        ("USER", "zqx-user"),
        ("LOGNAME", "zqx-user"),
        ("HOME", "/home/zqx-home"),
        ("HOSTNAME", "zqx-host"),
        ("TZ", "Pacific/Kiritimati"),
        ("LANG", "tr_TR.UTF-8"),
        ("LC_ALL", "tr_TR.UTF-8"),
        ("SOURCE_DATE_EPOCH", "1"),
    ];
    let second = build_all_examples("rel-anywhere-b/deeper/elsewhere", &strangers);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(second[path] == *bytes, "{path} differs between machines");
    }

    let cwd = std::env::current_dir().unwrap();
    let mut needles: Vec<String> = vec![
        first_dir.display().to_string(),
        cwd.display().to_string(),
        env!("CARGO_MANIFEST_DIR").to_string(),
        "zqx-".to_string(),
    ];
    if let Ok(home) = std::env::var("HOME")
        && home.len() > 1
    {
        needles.push(home);
    }
    // The host's name, if it is distinctive enough not to be a common word.
    if let Ok(host) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let host = host.trim();
        if host.len() >= 6 {
            needles.push(host.to_string());
        }
    }
    let today = civil_date(std::time::SystemTime::now());
    needles.push(today.clone());
    needles.push(today.replace('-', ""));
    for (path, bytes) in &first {
        let contents = if path.ends_with(".zip") {
            zip_metadata(bytes)
        } else {
            String::from_utf8(bytes.clone()).unwrap()
        };
        for needle in &needles {
            assert!(
                !contents.contains(needle.as_str()),
                "{path} contains `{needle}`"
            );
        }
    }
}

/// A zip's entry names, times and modes, which is where a zip would carry
/// paths and build times (the contents are the handlers' own).
fn zip_metadata(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        let time = entry.last_modified().unwrap_or_default();
        assert_eq!(
            (time.year(), time.month(), time.day()),
            (1980, 1, 1),
            "{}: a fixed time",
            entry.name()
        );
        assert!(
            entry.extra_data().is_none_or(|d| d.is_empty()),
            "no extended timestamps"
        );
        out.push_str(&format!("{} {:?}\n", entry.name(), entry.unix_mode()));
    }
    out
}

/// `YYYY-MM-DD` in UTC (Howard Hinnant's days-to-civil algorithm).
fn civil_date(time: std::time::SystemTime) -> String {
    let days = (time
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
