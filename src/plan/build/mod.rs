//! Spec → plan. Every security setting is decided here, each one tagged with
//! the control that requires it, and recorded on the resource it protects.

use std::collections::{BTreeMap, BTreeSet};

use super::deploy;
use super::iam::{self, PolicyBuilder};
use super::logical_id;
use super::model::*;
use super::suppressions;
use crate::catalog::ids::*;
use crate::spec::{self, AccessLevel, EventSource, Loc, Spec, Waivers};

mod alarm;
mod api;
mod bucket;
mod function;
mod key;
mod policy;
mod queue;
mod rest;
mod role;
mod secret;
mod table;
mod topic;
mod usage;
mod waf;

pub use rest::authorizer_config;

/// Package facts the plan needs, by function name.
pub type Packages = BTreeMap<String, PackageRef>;

/// A function's built package: where the handler lives inside it and its hash.
#[derive(Debug, Clone)]
pub struct PackageRef {
    pub lambda_handler: String,
    pub sha256_hex: String,
    pub sha256_base64: String,
}

pub use super::logical_id::{
    ACCESS_LOGS_BUCKET, ALERTS_EMAIL_SUBSCRIPTION, ALERTS_TOPIC, API, API_5XX_ALARM,
    API_ACCESS_LOGS_ID, API_AUTHORIZER_ID, API_STAGE, API_URL, ARTIFACT_BUCKET, FUNCTIONS_DLQ,
    SERVICE_KEY, SERVICE_KEY_ALIAS,
};

/// Days a dead-letter queue keeps messages (the SQS maximum).
const DLQ_RETENTION_DAYS: u32 = 14;

/// Builds the plan for a valid spec.
pub fn build(spec: &Spec, packages: &Packages) -> Plan {
    let mut b = Builder {
        spec,
        plan: Plan {
            service: spec.service.value.clone(),
            description: spec.description.as_ref().map(|d| d.value.clone()),
            region: spec.region.as_ref().map(|r| r.value.clone()),
            tags: tags(spec),
            parameters: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
        },
        log_groups: Vec::new(),
    };
    b.functions_dead_letter_queue();
    b.tables();
    b.queues();
    b.buckets();
    b.topics();
    b.secrets();
    b.functions(packages);
    b.api();
    b.rest_api(packages);
    b.waf();
    b.usage_plans();
    b.alerts();
    b.deploy_roles();
    b.service_key();
    b.waiver_suppressions();
    for resource in &mut b.plan.resources {
        let extra = suppressions::for_resource(resource);
        resource.suppressions.extend(extra);
    }
    // Function code and the deploy role's uploads both live there.
    if !spec.functions.is_empty() || spec.deploy_role.is_some() {
        b.plan.parameters.push(Parameter {
            name: ARTIFACT_BUCKET,
            // The key is the one `Code.S3Key` names (see `functions`): a
            // deployer who uploads anywhere else leaves the stack without code.
            description: format!(
                "S3 bucket holding the function packages: upload dist/functions/<name>.zip as {}/<name>-<hash>.zip, <hash> being the first 16 hex digits of the zip's SHA-256 (the key each function's code names)",
                spec.service.value
            ),
        });
    }
    b.plan
}

fn tags(spec: &Spec) -> BTreeMap<String, String> {
    let mut tags: BTreeMap<String, String> = spec
        .tags
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    tags.insert("service".into(), spec.service.value.clone());
    tags
}

/// Upper snake case for environment variable names: `order-events` → `ORDER_EVENTS`.
pub fn env_name(name: &str) -> String {
    name.replace('-', "_").to_ascii_uppercase()
}

/// The environment variable through which a function finds a resource it
/// may access (`ORDERS_TABLE`, `ORDER_EVENTS_QUEUE_URL`, ...) and the
/// attribute it holds. Functions are not handed to each other.
pub fn access_env(name: &str, kind: spec::Section) -> Option<(String, Attr)> {
    let (suffix, attr) = match kind {
        spec::Section::Table => ("TABLE", Attr::Name),
        spec::Section::Queue => ("QUEUE_URL", Attr::Url),
        spec::Section::Bucket => ("BUCKET", Attr::Name),
        spec::Section::Topic => ("TOPIC_ARN", Attr::Arn),
        spec::Section::Secret => ("SECRET_ARN", Attr::Arn),
        spec::Section::Function => return None,
    };
    Some((format!("{}_{suffix}", env_name(name)), attr))
}

struct Builder<'a> {
    spec: &'a Spec,
    plan: Plan,
    /// Log group names, for the key policy's encryption-context condition.
    log_groups: Vec<String>,
}

/// The reason a control is waived for a resource, if it is.
fn waiver(waivers: &Waivers, control: &str) -> Option<String> {
    waivers.get(control).map(|reason| reason.value.clone())
}

impl Builder<'_> {
    /// `service-name`, the AWS name of what the spec calls `name` (the name
    /// it was `renamed_from`, if it was renamed).
    fn qualified(&self, name: &str) -> String {
        format!(
            "{}-{}",
            self.spec.service.value,
            self.spec.stable_name(name)
        )
    }

    /// The logical ID of what the spec calls `name` (see `qualified`).
    fn of(&self, name: &str, suffix: &str) -> String {
        logical_id::of(self.spec.stable_name(name), suffix)
    }

    /// `name` in PascalCase, for IDs built from it (see `qualified`).
    fn pascal(&self, name: &str) -> String {
        logical_id::pascal(self.spec.stable_name(name))
    }

    fn add(&mut self, id: String, source: Option<&str>, loc: Loc, kind: Kind) -> &mut Resource {
        self.plan.resources.push(Resource {
            id,
            source: source.map(str::to_string),
            loc,
            kind,
            depends_on: Vec::new(),
            retain: false,
            suppressions: Vec::new(),
            controls: Vec::new(),
        });
        self.plan.resources.last_mut().expect("just pushed")
    }

    fn output(&mut self, name: String, description: String, value: Expr) {
        self.plan.outputs.push(Output {
            name,
            description,
            value,
        });
    }

    /// A named resource's ARN. Buckets' are built from their fixed name, so
    /// that function policies never refer to the bucket resource (a
    /// dependency cycle once the bucket notifies a function).
    fn arn_of(&self, name: &str, kind: spec::Section) -> Expr {
        match kind {
            spec::Section::Bucket => self.bucket_arn(name),
            _ => Expr::arn(&self.of(name, logical_id::kind_suffix(kind))),
        }
    }

    /// A waived control's scanner checks are suppressed on that resource with
    /// the waiver's own reason, so scanners and reviewers see one decision.
    fn waiver_suppressions(&mut self) {
        for resource in &mut self.plan.resources {
            for applied in &resource.controls {
                let (Some(reason), Some(control)) =
                    (&applied.waived, crate::catalog::find(applied.control))
                else {
                    continue;
                };
                let checks: Vec<Check> = (control.checkov.iter().map(|id| Check::Checkov(id)))
                    .chain(control.cdk_nag.iter().map(|id| Check::CdkNag(id)))
                    .chain(control.guard.iter().map(|id| Check::Guard(id)))
                    .collect();
                // The authorizer function's waivers are Palisade's own.
                let by = if resource.source.as_deref() == Some(spec::AUTHORIZER_FUNCTION) {
                    "by palisade for its JWT authorizer"
                } else {
                    "in palisade.yaml"
                };
                if !checks.is_empty() {
                    resource.suppressions.push(Suppression {
                        checks,
                        reason: format!("Waived {} {by}: {reason}", control.id).into(),
                    });
                }
            }
        }
    }
}

/// HTTP API access-log fields: who called what, the outcome and the latency.
pub const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","requestTime":"$context.requestTime","sourceIp":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","principal":"$context.authorizer.claims.sub","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency","integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}"#;

/// SQS's default; fewer KMS calls without holding a key for long.
const DATA_KEY_REUSE_SECONDS: u32 = 300;

/// A failed scheduled invocation is retried twice within the hour; later
/// runs of the schedule supersede older ones.
const SCHEDULE_RETRY: Retry = Retry {
    attempts: 2,
    max_age_seconds: 3600,
};

/// A poison record in a stream blocks its shard: bisect to find it, retry
/// three times, give up after a day (the stream keeps 24 hours), then send
/// it to the functions' dead-letter queue.
const STREAM_RETRY: StreamRetry = StreamRetry {
    bisect_on_error: true,
    retry: Retry {
        attempts: 3,
        max_age_seconds: 86_400,
    },
};

fn applied(control: &'static str, waived: Option<String>) -> AppliedControl {
    AppliedControl { control, waived }
}

fn source_account() -> Condition {
    Condition {
        test: "StringEquals",
        key: "aws:SourceAccount".into(),
        values: vec![Expr(vec![Part::Account])],
    }
}

fn deny_insecure_transport(action: &str, resources: Vec<Expr>) -> Statement {
    Statement {
        sid: "DenyInsecureTransport".into(),
        effect: Effect::Deny,
        principal: Some(Principal::Any),
        actions: vec![action.into()],
        resources,
        conditions: vec![Condition {
            test: "Bool",
            key: "aws:SecureTransport".into(),
            values: vec![Expr::lit("false")],
        }],
    }
}

fn attribute_type(kind: spec::KeyType) -> AttributeType {
    match kind {
        spec::KeyType::String => AttributeType::String,
        spec::KeyType::Number => AttributeType::Number,
        spec::KeyType::Binary => AttributeType::Binary,
    }
}

fn stream_view(view: spec::StreamView) -> &'static str {
    match view {
        spec::StreamView::KeysOnly => "KEYS_ONLY",
        spec::StreamView::NewImage => "NEW_IMAGE",
        spec::StreamView::OldImage => "OLD_IMAGE",
        spec::StreamView::NewAndOld => "NEW_AND_OLD_IMAGES",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_upper_snake() {
        assert_eq!(env_name("order-events"), "ORDER_EVENTS");
    }
}
