//! `palisade init`: a new service that builds, passes the scanners and has
//! pull-request review wired in from its first commit.
//!
//! The spec is built as typed values and serialised, then loaded and
//! validated like any spec, so it is always valid and the name rules live in
//! one place (`spec::validate`). Everything else is rendered from the
//! handlebars templates in `templates/init/`, in strict mode: a value a
//! template names but the data lacks is an error, never an empty string.

mod service;

use std::collections::BTreeSet;

use handlebars::Handlebars;
use serde_json::{Value, json};

pub use self::service::spec;
use crate::diagnostic::Diagnostic;
use crate::plan::build::access_env;
use crate::plan::deploy;
use crate::spec::runtime::{self, Family};
use crate::spec::{EventSource, Section, Spec};

/// What `init` builds in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feature {
    /// An HTTP API with a JWT authorizer and two routes.
    Api,
    /// A DynamoDB table the functions read and write.
    Table,
    /// A queue with a consumer function (and its dead-letter queue).
    Queue,
    /// A bucket whose uploads start a function.
    Bucket,
    /// A function that runs every day.
    Schedule,
    /// A secret one function reads (shows the secret-fetch pattern).
    Secret,
}

impl Feature {
    pub const ALL: [Feature; 6] = [
        Feature::Api,
        Feature::Table,
        Feature::Queue,
        Feature::Bucket,
        Feature::Schedule,
        Feature::Secret,
    ];
}

/// `palisade init`'s choices.
#[derive(Debug, Clone)]
pub struct Options {
    pub name: String,
    pub runtime: String,
    pub features: BTreeSet<Feature>,
    /// Which API the `api` feature builds (`http` unless asked).
    pub api: crate::spec::ApiType,
    /// `owner/repo`: adds `deploy_role:` and a deploy job to the workflow.
    pub github: Option<String>,
    /// Who the alarms email (`alerts.email`); `None` writes
    /// [`PLACEHOLDER_ALERTS_EMAIL`], which `check` reports until replaced.
    pub alerts: Option<String>,
    /// `(repository URL, commit SHA)` the workflow installs Palisade from;
    /// `None` writes the build-time default or placeholders the workflow
    /// refuses to run with.
    pub palisade_source: Option<(String, String)>,
}

/// The `alerts.email` a new service gets when `--alerts` is not given: a
/// reserved domain (RFC 2606), so it never mails anyone by accident.
pub const PLACEHOLDER_ALERTS_EMAIL: &str = "alerts@example.com";

/// One file to write, by path relative to the service directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
}

pub const SPEC_FILE: &str = "palisade.yaml";
pub const SCHEMA_FILE: &str = "palisade.schema.json";
/// The branch `--github` trusts to deploy.
pub const DEPLOY_BRANCH: &str = "main";
/// The environment `--github` scaffolds and the workflow deploys.
pub const DEPLOY_STAGE: &str = "prod";
/// Its account until the user writes theirs: `deploy` refuses any real
/// account's credentials for it, so nothing deploys by accident.
pub const PLACEHOLDER_ACCOUNT: &str = "000000000000";
/// Its region until the user writes theirs.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The spec could not be generated as asked (a bad name, say): the
/// diagnostics point into `text`, the spec as it would have been written.
#[derive(Debug)]
pub struct Invalid {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "handler.py",
        include_str!("../../templates/init/handler.py.hbs"),
    ),
    (
        "handler.mjs",
        include_str!("../../templates/init/handler.mjs.hbs"),
    ),
    (
        "gitignore",
        include_str!("../../templates/init/gitignore.hbs"),
    ),
    (
        "README.md",
        include_str!("../../templates/init/README.md.hbs"),
    ),
    (
        "workflow.yml",
        include_str!("../../templates/init/workflow.yml.hbs"),
    ),
];

/// Every file of the new service, or why the spec would be invalid.
pub fn files(options: &Options) -> Result<Vec<File>, Invalid> {
    let text = spec_text(&spec(options));
    let loaded =
        crate::spec::load(SPEC_FILE, text.as_bytes(), None).map_err(|diagnostics| Invalid {
            text: text.clone(),
            diagnostics,
        })?;
    let spec = loaded.spec;
    let family = runtime::find(&options.runtime)
        .expect("validation accepted the runtime")
        .family;
    let templates = registry();
    let render = |name: &str, data: &Value| {
        templates
            .render(name, data)
            .unwrap_or_else(|e| panic!("templates/init/{name}.hbs: {e}"))
    };
    let mut files = vec![
        File {
            path: SPEC_FILE.into(),
            text,
        },
        File {
            path: SCHEMA_FILE.into(),
            text: crate::schema::json_schema_text(),
        },
    ];
    let template = match family {
        Family::Python => "handler.py",
        Family::NodeJs => "handler.mjs",
    };
    for (name, function) in &spec.functions {
        files.push(File {
            path: handler_file(function, family),
            text: render(template, &handler_data(&spec, name, function)),
        });
    }
    let project = project_data(&spec, options, family);
    files.push(File {
        path: ".gitignore".into(),
        text: render("gitignore", &project),
    });
    files.push(File {
        path: "README.md".into(),
        text: render("README.md", &project),
    });
    files.push(File {
        path: ".github/workflows/palisade.yml".into(),
        text: render("workflow.yml", &project),
    });
    Ok(files)
}

/// The spec as written: the schema line for editors, then the serialised
/// spec. The schema is written beside it, so completion works offline and
/// matches the palisade that wrote it (`palisade schema` refreshes it).
pub fn spec_text(spec: &Spec) -> String {
    let body = serde_saphyr::to_string(spec).expect("a spec serialises");
    format!("# yaml-language-server: $schema={SCHEMA_FILE}\n{body}")
}

/// The scaffold's templates, parsed.
pub fn registry() -> Handlebars<'static> {
    crate::templates::registry(TEMPLATES)
}

/// `src/get_item.handler` → `src/get_item.py` (or `.mjs`: ES modules need no
/// package.json).
fn handler_file(function: &crate::spec::Function, family: Family) -> String {
    let (module, _) = function
        .handler
        .rsplit_once('.')
        .expect("generated handlers are module.function");
    format!("{module}.{}", family.extensions()[0])
}

/// What a handler stub shows: what invokes it, and each resource it may
/// touch with the environment variable that names it.
fn handler_data(spec: &Spec, name: &str, function: &crate::spec::Function) -> Value {
    let route = spec
        .api
        .iter()
        .flat_map(|api| &api.routes)
        .find_map(|(key, route)| (route.function.value == name).then(|| key.value.clone()));
    let source = function.events.first().and_then(|e| e.source());
    let api = spec
        .api
        .as_ref()
        .is_some_and(|api| api.routes.values().any(|r| r.function.value == name));
    let mut resources = Vec::new();
    let mut secrets = Vec::new();
    for (target, levels) in &function.access {
        let kind = spec.kind_of(target).expect("validated access");
        let (variable, _) = access_env(target, kind).expect("access targets are not functions");
        let levels: Vec<String> = levels
            .value
            .iter()
            .map(|l| serde_json::to_value(l.value).expect("a level is a string"))
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        resources.push(json!({
            "variable": variable,
            "kind": kind.as_str(),
            "name": target.value,
            "levels": levels.join(", "),
        }));
        if kind == Section::Secret {
            secrets.push(json!({
                "name": target.value,
                "variable": variable,
                "python": target.replace('-', "_"),
                "js": lower_camel(target),
            }));
        }
    }
    json!({
        "function": name,
        "description": function.description.as_ref().map_or("", |d| d.value.as_str()),
        "route": route.unwrap_or_default(),
        "api": api,
        "queue": matches!(source, Some(EventSource::Queue(_))),
        "bucket": matches!(source, Some(EventSource::Bucket(_))),
        "schedule": matches!(source, Some(EventSource::Schedule(_))),
        "direct": !api && source.is_none(),
        "resources": resources,
        "secrets": secrets,
    })
}

/// Where the generated workflow builds Palisade from: set at build time
/// (`PALISADE_SOURCE_REPOSITORY`, `PALISADE_SOURCE_REV`, by whoever builds the
/// Palisade a team uses), or placeholders the workflow refuses to run with.
const PALISADE_REPOSITORY: &str = match option_env!("PALISADE_SOURCE_REPOSITORY") {
    Some(url) => url,
    None => "https://github.com/YOUR-ORG/palisade",
};
const PALISADE_REV: &str = match option_env!("PALISADE_SOURCE_REV") {
    Some(rev) => rev,
    None => "0000000000000000000000000000000000000000",
};

/// What the README and the workflow need.
fn project_data(spec: &Spec, options: &Options, family: Family) -> Value {
    let functions: Vec<Value> = spec
        .functions
        .iter()
        .map(|(name, f)| {
            json!({
                "name": name.value,
                "file": handler_file(f, family),
                "description": f.description.as_ref().map_or("", |d| d.value.as_str()),
            })
        })
        .collect();
    let deploy = spec.deploy_role.as_ref().map(|role| {
        let stage = spec.environments.get(DEPLOY_STAGE);
        json!({
            "stage": DEPLOY_STAGE,
            "region": stage.map_or(DEFAULT_REGION, |e| e.region.value.as_str()),
            "repository": role.github.repository.value,
            "branches": role.github.branches.iter().map(|b| b.value.clone()).collect::<Vec<_>>(),
            "session_seconds": deploy::session_seconds(role),
        })
    });
    json!({
        "service": spec.service.value,
        "runtime": options.runtime,
        "python": family == Family::Python,
        "palisade_version": env!("CARGO_PKG_VERSION"),
        "palisade_repository": options.palisade_source.as_ref().map_or(PALISADE_REPOSITORY, |(url, _)| url.as_str()),
        "palisade_rev": options.palisade_source.as_ref().map_or(PALISADE_REV, |(_, rev)| rev.as_str()),
        "functions": functions,
        "api": spec.api.is_some(),
        "rest_api": spec.api.as_ref().is_some_and(|a| a.api_type() == crate::spec::ApiType::Rest),
        "secrets": spec.secrets.keys().map(|k| k.value.clone()).collect::<Vec<_>>(),
        "deploy": deploy.unwrap_or(Value::Bool(false)),
        "schema_file": SCHEMA_FILE,
    })
}

/// `api-key` → `apiKey`.
fn lower_camel(name: &str) -> String {
    let pascal = crate::plan::logical_id::pascal(name);
    let mut chars = pascal.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strict mode does not catch `{{#if name}}` on a key the data lacks: it
    /// is just false. So every condition a template tests must be a key of
    /// the data it is rendered with.
    #[test]
    fn every_condition_names_a_key_of_the_data() {
        let options = Options {
            name: "demo".into(),
            runtime: "python3.13".into(),
            features: Feature::ALL.into(),
            api: crate::spec::ApiType::Rest,
            github: Some("example-org/demo".into()),
            alerts: None,
            palisade_source: None,
        };
        let spec = crate::spec::load(SPEC_FILE, spec_text(&spec(&options)).as_bytes(), None)
            .unwrap()
            .spec;
        let (name, function) = spec.functions.iter().next().unwrap();
        let handler = handler_data(&spec, name, function);
        let project = project_data(&spec, &options, Family::Python);
        for (template, data) in [
            ("handler.py", &handler),
            ("handler.mjs", &handler),
            ("gitignore", &project),
            ("README.md", &project),
            ("workflow.yml", &project),
        ] {
            let text = TEMPLATES.iter().find(|(n, _)| *n == template).unwrap().1;
            for opening in ["{{#if ", "{{#unless "] {
                for (start, _) in text.match_indices(opening) {
                    let rest = &text[start + opening.len()..];
                    let key = &rest[..rest.find("}}").unwrap()];
                    if !key.starts_with('@') {
                        assert!(
                            data.get(key).is_some(),
                            "{template}: `{key}` is not in its data"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn camel_case_for_javascript_names() {
        assert_eq!(lower_camel("api-key"), "apiKey");
        assert_eq!(lower_camel("key"), "key");
    }
}
