//! docs/architecture.md, checked: the top-level modules of `src/` depend on
//! each other without cycles and in the documented layer order, no match
//! over plan kinds hides a kind behind `_ =>`, and the kind registry is what
//! the emitters write.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use palisade::plan::kinds::{self, KINDS, Tag};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's code without comments and without its `#[cfg(test)]` tail (unit
/// tests may reach anywhere).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level module → the top-level modules it names through `crate::`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        // The crate roots, and `src/bin/` (other executables, not modules).
        if name == "lib" || name == "main" || name == "bin" {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        modules.insert(name, files);
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, files) in &modules {
        let mut uses = BTreeSet::new();
        for file in files {
            let text = code(file);
            for (at, _) in text.match_indices("crate::") {
                let rest = &text[at + "crate::".len()..];
                // `crate::{a, b::c}` names several.
                let named: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    group
                        .split(',')
                        .map(|part| part.trim().split("::").next().unwrap_or(""))
                        .collect()
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    vec![&rest[..end]]
                };
                for name in named {
                    if name != module && names.contains(name) {
                        uses.insert(name.to_string());
                    }
                }
            }
        }
        graph.insert(module.clone(), uses);
    }
    graph
}

#[test]
fn top_level_modules_form_no_cycle() {
    let graph = dependencies();
    // Kahn's algorithm: whatever cannot be ordered sits on a cycle.
    let mut remaining = graph.clone();
    loop {
        let leaves: Vec<String> = remaining
            .iter()
            .filter(|(_, uses)| uses.iter().all(|u| !remaining.contains_key(u)))
            .map(|(m, _)| m.clone())
            .collect();
        if leaves.is_empty() {
            break;
        }
        for leaf in leaves {
            remaining.remove(&leaf);
        }
    }
    assert!(
        remaining.is_empty(),
        "import cycle among {:?}",
        remaining
            .iter()
            .map(|(m, uses)| format!(
                "{m} -> {:?}",
                uses.iter()
                    .filter(|u| remaining.contains_key(*u))
                    .collect::<Vec<_>>()
            ))
            .collect::<Vec<_>>()
    );
}

/// The spine of docs/architecture.md: each layer uses only layers before it.
#[test]
fn the_pipeline_layers_point_one_way() {
    const LAYERS: &[&str] = &["catalog", "spec", "plan", "controls", "emit", "pipeline"];
    let graph = dependencies();
    for (index, layer) in LAYERS.iter().enumerate() {
        for later in &LAYERS[index + 1..] {
            assert!(
                !graph[*layer].contains(*later),
                "`{layer}` uses `{later}`, a layer above it"
            );
        }
    }
    assert!(
        graph["catalog"].is_empty(),
        "the catalog is a leaf: {:?}",
        graph["catalog"]
    );
}

/// A match over plan kinds lists every kind: a new kind is then a compile
/// error wherever it needs a decision, never a silent default.
#[test]
fn no_wildcard_arm_over_plan_kinds() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut found = Vec::new();
    for file in files {
        let text = code(&file);
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let arm = ["Kind::", "Some(Kind::", "(Some(Kind::"]
                .iter()
                .any(|p| trimmed.starts_with(p));
            if !arm {
                continue;
            }
            let indent = line.len() - trimmed.len();
            for later in &lines[i + 1..] {
                let t = later.trim_start();
                if t.is_empty() {
                    continue;
                }
                let at = later.len() - t.len();
                if at < indent {
                    break;
                }
                if at == indent && t.starts_with("_ =>") {
                    found.push(format!("{}: {t}", file.display()));
                    break;
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

fn example_plans() -> Vec<palisade::plan::Plan> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut plans = Vec::new();
    for entry in std::fs::read_dir(examples).unwrap() {
        let spec = entry.unwrap().path().join("palisade.yaml");
        if !spec.exists() {
            continue;
        }
        let text = std::fs::read(&spec).unwrap();
        let loaded = palisade::spec::load("palisade.yaml", &text, None)
            .unwrap_or_else(|d| panic!("{}: {d:#?}", spec.display()));
        plans.push(
            palisade::plan::compile(&loaded.spec, &Default::default())
                .unwrap_or_else(|e| panic!("{e:?}")),
        );
    }
    plans
}

/// The emitters write the registry's types and nothing else, and the
/// examples between them exercise every kind.
#[test]
fn emitted_types_are_the_registrys() {
    let mut seen = BTreeSet::new();
    for plan in example_plans() {
        let template = palisade::emit::cloudformation::template(&plan, &Default::default());
        for resource in &plan.resources {
            let description = resource.kind.describe();
            seen.insert(description.tag);
            assert_eq!(
                template["Resources"][&resource.id]["Type"], description.cloudformation.name,
                "{}",
                resource.id
            );
        }
        let files = palisade::emit::terraform::module(&plan, &Default::default()).unwrap();
        let registered: BTreeSet<&str> = kinds::terraform_types().map(|t| t.name).collect();
        for (file, text) in files.iter() {
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("resource \"") {
                    let ty = &rest[..rest.find('"').unwrap()];
                    assert!(
                        registered.contains(ty),
                        "{file}: {ty} is not in the registry"
                    );
                }
            }
        }
    }
    let all: BTreeSet<Tag> = KINDS.iter().map(|d| d.tag).collect();
    assert_eq!(seen, all, "kinds no example exercises");
}

/// The plan keeps what the registry says holds data and is retained.
#[test]
fn retention_follows_the_registry() {
    for plan in example_plans() {
        for resource in &plan.resources {
            let description = resource.kind.describe();
            let waived = resource
                .controls
                .iter()
                .any(|c| c.control == palisade::catalog::ids::DATA_RETAIN && c.waived.is_some());
            if description.retained && !waived {
                assert!(resource.retain, "{} is not retained", resource.id);
            }
            if !description.retained {
                assert!(!resource.retain, "{} is retained", resource.id);
            }
        }
    }
}

/// The graph draws what the registry says: nodes only for `Drawn::Node`
/// kinds, and every edge between drawn nodes comes from a kind that is drawn
/// or draws edges.
#[test]
fn the_graph_draws_what_the_registry_says() {
    use palisade::plan::kinds::Drawn;
    for plan in example_plans() {
        let graph = palisade::graph::Graph::from_plan(&plan);
        let by_id: std::collections::BTreeMap<&str, &palisade::plan::Resource> =
            plan.resources.iter().map(|r| (r.id.as_str(), r)).collect();
        for node in graph.nodes() {
            let drawn = by_id[node.id.as_str()].kind.describe().drawn;
            assert_eq!(drawn, Drawn::Node, "{} is drawn as a node", node.id);
        }
        // Every resource the spec declared of a node kind is drawn.
        for resource in &plan.resources {
            let description = resource.kind.describe();
            if description.drawn == Drawn::Node && resource.source.is_some() {
                assert!(
                    graph.node(&resource.id).is_some(),
                    "{} is not drawn",
                    resource.id
                );
            }
        }
    }
}
