//! The spec `init` writes, as typed values. Each feature adds its resources
//! and the functions that use them; access is granted only where a function
//! needs it, so the scaffold starts least-privilege like any spec.

use std::collections::BTreeMap;

use super::{
    DEFAULT_REGION, DEPLOY_BRANCH, DEPLOY_STAGE, Feature, Options, PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_ALERTS_EMAIL,
};
use crate::spec::*;

const TABLE: &str = "items";
const QUEUE: &str = "jobs";
const BUCKET: &str = "files";
const SECRET: &str = "api-key";

fn s(text: &str) -> Spanned<String> {
    Spanned::synthetic(text.to_string())
}

fn levels(levels: &[AccessLevel]) -> Spanned<Levels> {
    Spanned::synthetic(match levels {
        [one] => Levels::One(Spanned::synthetic(*one)),
        many => Levels::Many(many.iter().copied().map(Spanned::synthetic).collect()),
    })
}

fn function(name: &str, description: &str, events: Vec<Event>) -> Function {
    Function {
        renamed_from: None,
        description: Some(s(description)),
        handler: s(&format!("src/{}.handler", name.replace('-', "_"))),
        runtime: None,
        architecture: None,
        memory: None,
        timeout: None,
        concurrency: None,
        environment: BTreeMap::new(),
        access: BTreeMap::new(),
        events: events.into_iter().map(Spanned::synthetic).collect(),
        waive: BTreeMap::new(),
    }
}

/// The spec for `options`. It is not validated here: `files` loads it like
/// any spec, so a bad name is reported by the same rules as everywhere.
pub fn spec(options: &Options) -> Spec {
    use AccessLevel::*;
    let has = |feature| options.features.contains(&feature);
    let mut declared: Vec<(&str, &str, Vec<Event>)> = Vec::new();
    if has(Feature::Api) {
        declared.push(("get-item", "Returns one item", Vec::new()));
        declared.push(("put-item", "Creates or replaces one item", Vec::new()));
    }
    if has(Feature::Queue) {
        declared.push((
            "process-job",
            "Processes each job from the queue",
            vec![Event {
                queue: Some(s(QUEUE)),
                ..Event::default()
            }],
        ));
    }
    if has(Feature::Bucket) {
        declared.push((
            "on-upload",
            "Runs for every object uploaded under uploads/",
            vec![Event {
                bucket: Some(s(BUCKET)),
                prefix: Some(s("uploads/")),
                ..Event::default()
            }],
        ));
    }
    if has(Feature::Schedule) {
        declared.push((
            "nightly",
            "Runs once a day",
            vec![Event {
                schedule: Some(s("rate(1 day)")),
                ..Event::default()
            }],
        ));
    }
    if declared.is_empty() {
        declared.push(("hello", "Invoked directly (aws lambda invoke)", Vec::new()));
    }
    let mut functions: BTreeMap<Name, Function> = declared
        .into_iter()
        .map(|(name, description, events)| (s(name), function(name, description, events)))
        .collect();

    // Who touches what: each function only what its job needs.
    let grants: &[(&str, Feature, &str, &[AccessLevel])] = &[
        ("get-item", Feature::Table, TABLE, &[Read]),
        ("put-item", Feature::Table, TABLE, &[Write]),
        ("put-item", Feature::Queue, QUEUE, &[Send]),
        ("process-job", Feature::Table, TABLE, &[Write]),
        ("process-job", Feature::Bucket, BUCKET, &[Write]),
        ("on-upload", Feature::Bucket, BUCKET, &[Read]),
        ("on-upload", Feature::Table, TABLE, &[Write]),
        ("nightly", Feature::Table, TABLE, &[Read]),
        ("nightly", Feature::Queue, QUEUE, &[Send]),
        ("hello", Feature::Table, TABLE, &[Read, Write]),
        ("hello", Feature::Queue, QUEUE, &[Send]),
        ("hello", Feature::Bucket, BUCKET, &[Read, Write]),
    ];
    for (name, feature, target, granted) in grants {
        if let Some(f) = functions.get_mut(*name)
            && has(*feature)
        {
            f.access.insert(s(target), levels(granted));
        }
    }
    // The secret goes to one function: the first that calls out of the service.
    let caller = ["put-item", "process-job", "on-upload", "nightly", "hello"]
        .into_iter()
        .find(|name| functions.contains_key(*name));
    if has(Feature::Secret)
        && let Some(f) = caller.and_then(|name| functions.get_mut(name))
    {
        f.access.insert(s(SECRET), levels(&[Read]));
    }

    Spec {
        service: s(&options.name),
        runtime: Some(s(&options.runtime)),
        alerts: Some(Alerts {
            email: s(options
                .alerts
                .as_deref()
                .unwrap_or(PLACEHOLDER_ALERTS_EMAIL)),
        }),
        api: has(Feature::Api).then(|| api(&options.name, options.api)),
        functions,
        tables: only(has(Feature::Table), TABLE, || Table {
            renamed_from: None,
            partition_key: Key {
                name: s("id"),
                kind: KeyType::String,
            },
            sort_key: None,
            ttl_attribute: None,
            indexes: BTreeMap::new(),
            stream: None,
            waive: BTreeMap::new(),
        }),
        queues: only(has(Feature::Queue), QUEUE, Queue::default),
        buckets: only(has(Feature::Bucket), BUCKET, Bucket::default),
        secrets: only(has(Feature::Secret), SECRET, || Secret {
            renamed_from: None,
            description: Some(s(
                "Credential for a downstream API; set its value out of band",
            )),
            rotation: None,
            // A key issued by someone else cannot be rotated from here: the
            // scaffold says so, and the user says where it is rotated instead.
            waive: BTreeMap::from([(
                s(crate::controls::ids::DATA_SECRET_ROTATION),
                s(
                    "Issued by the downstream API's provider and set by hand; rotate it there and set the new value here (say where and how often)",
                ),
            )]),
        }),
        deploy_role: options.github.as_ref().map(|repository| DeployRole {
            github: GitHub {
                repository: s(repository),
                branches: vec![s(DEPLOY_BRANCH)],
            },
            max_session_minutes: None,
        }),
        // The stage the workflow deploys; the README says to write the
        // account and region in.
        environments: options
            .github
            .as_ref()
            .map(|_| {
                (
                    s(DEPLOY_STAGE),
                    crate::spec::environments::Environment {
                        account: s(PLACEHOLDER_ACCOUNT),
                        region: s(DEFAULT_REGION),
                        branches: vec![s(DEPLOY_BRANCH)],
                        tags: BTreeMap::new(),
                        alerts: None,
                        logs: None,
                        api: None,
                        functions: BTreeMap::new(),
                        waive: BTreeMap::new(),
                    },
                )
            })
            .into_iter()
            .collect(),
        ..Spec::default()
    }
}

/// One named resource, when its feature is on.
fn only<T>(present: bool, name: &str, value: impl FnOnce() -> T) -> BTreeMap<Name, T> {
    present.then(|| (s(name), value())).into_iter().collect()
}

/// Two routes behind a JWT authorizer. The issuer and audience are
/// placeholders the README tells the user to replace. A REST API gets AWS
/// WAF by default and one example client with its usage plan.
fn api(service: &str, kind: ApiType) -> Api {
    let route = |function: &str, scope: &str| Route {
        function: s(function),
        scopes: vec![s(scope)],
        throttle: None,
        public: None,
    };
    let rest = kind == ApiType::Rest;
    let issuer = "https://auth.example.com/";
    let clients = only(rest, "example-client", || Client {
        // 1,500 per 5 minutes: within the default per-IP limit of AWS WAF.
        rate: Spanned::synthetic(5),
        burst: Spanned::synthetic(10),
        quota: Some(Spanned::synthetic(Quota {
            limit: 10_000,
            period: QuotaPeriod::Day,
        })),
    });
    Api {
        kind: rest.then(|| Spanned::synthetic(ApiType::Rest)),
        clients,
        auth: Some(Auth {
            jwt: Spanned::synthetic(Jwt {
                issuer: s(issuer),
                audience: vec![s(&format!("{service}-api"))],
            }),
        }),
        routes: [
            (s("GET /items/{id}"), route("get-item", "items:read")),
            (s("PUT /items/{id}"), route("put-item", "items:write")),
        ]
        .into_iter()
        .collect(),
        ..Api::default()
    }
}
