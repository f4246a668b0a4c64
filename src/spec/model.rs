//! The service spec (`palisade.yaml`) as typed values. Doc comments here are
//! the JSON Schema's descriptions, so they are written for spec authors.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::spanned::null_as_empty;
pub use super::spanned::{Loc, Spanned};

/// A spec name (function, table, queue, bucket, topic, secret) with its location.
pub type Name = Spanned<String>;
/// `CONTROL-ID: reason` pairs that turn a control off for one resource.
pub type Waivers = BTreeMap<Name, Spanned<String>>;

/// A Palisade service: a short description of a serverless service from which
/// Palisade generates secure CloudFormation and Terraform.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Palisade service spec")]
pub struct Spec {
    /// Service name, kebab-case. Prefixes every generated resource name.
    pub service: Name,
    /// What the service does, in one line. Copied into resource descriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Spanned<String>>,
    /// Default Lambda runtime for every function (for example `python3.12`,
    /// `nodejs22.x`). Deprecated runtimes are errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Spanned<String>>,
    /// Default instruction set for every function. Default `arm64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<Spanned<Architecture>>,
    /// AWS region written into Terraform's provider block. CloudFormation
    /// deploys to the region of the stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Spanned<String>>,
    /// Tags added to every resource, besides `service`.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub tags: BTreeMap<Name, Spanned<String>>,
    /// Where alarms are sent. Without it the alarm topic has no subscriber, which `check` and SECURITY.md report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Alerts>,
    /// How long function and API logs are kept (and the access-log
    /// bucket's objects). Default: 365 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<Logs>,
    /// An HTTP API (API Gateway v2) in front of the functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,
    /// Lambda functions, by name.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub functions: BTreeMap<Name, Function>,
    /// DynamoDB tables, by name.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub tables: BTreeMap<Name, Table>,
    /// SQS queues, by name. Each gets a dead-letter queue.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub queues: BTreeMap<Name, Queue>,
    /// S3 buckets, by name.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub buckets: BTreeMap<Name, Bucket>,
    /// SNS topics, by name.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub topics: BTreeMap<Name, Topic>,
    /// Secrets Manager secrets, by name. Values are never in the spec: set them
    /// out of band. Functions with `read` access get the secret's ARN.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub secrets: BTreeMap<Name, Secret>,
    /// A deploy role for CI that GitHub Actions assumes through OIDC, so no
    /// long-lived access keys exist anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_role: Option<DeployRole>,
    /// Raw properties merged onto generated resources, per target. Controls are
    /// checked again on the merged result: undoing one needs a `waive:`.
    #[serde(default, skip_serializing_if = "Overrides::is_empty")]
    pub overrides: Overrides,
    /// The stages the service is deployed to (`dev`, `staging`, `prod`), by
    /// name: account, region, deploy branches, and tunable values only.
    /// `--env NAME` compiles or deploys one of them.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub environments: BTreeMap<Name, super::environments::Environment>,
    /// Writes CloudFormation as a root stack and nested stacks even while it
    /// fits one template, and pins how many child stacks there are (so growth
    /// never moves resources between stacks). Without it, a template over
    /// 450 resources or 800 KB is split with counts chosen from the spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nested_stacks: Option<NestedStacks>,
}

/// Log settings for every function, the API and the access-log bucket.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logs {
    /// Days logs are kept: one of CloudWatch's retention periods of a year
    /// or more (365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
    /// 3653). Default 365. An environment may only raise it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<Spanned<u32>>,
}

/// How many child stacks the functions and the stores are spread over.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NestedStacks {
    /// Child stacks for the functions: a power of two, 1 to 256. Default: the
    /// number of functions divided by 16, rounded up to a power of two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<Spanned<u32>>,
    /// Child stacks for the tables, queues, buckets, topics and secrets: a
    /// power of two, 1 to 256. Default: their number divided by 32, rounded
    /// up to a power of two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Spanned<u32>>,
}

/// Lambda instruction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Architecture {
    #[serde(rename = "arm64")]
    Arm64,
    #[serde(rename = "x86_64")]
    X86_64,
}

/// Alarm notification settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// Email address subscribed to the (KMS-encrypted) alarm topic.
    pub email: Spanned<String>,
}

/// Which API Gateway API the routes are served by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApiType {
    /// An HTTP API (API Gateway v2): native JWT authorizer, no AWS WAF.
    #[default]
    Http,
    /// A REST API (API Gateway v1): AWS WAF, usage plans and API keys; JWTs
    /// only from an Amazon Cognito user pool.
    Rest,
}

/// The API in front of the functions.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// `http` (default) or `rest`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Spanned<ApiType>>,
    /// The default authorizer for every route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// Stage-wide throttling. Default: rate 50, burst 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<Throttle>,
    /// Cross-origin access for browsers. No CORS unless asked; `*` is an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// AWS WAF in front of a REST API's stage: a per-IP rate limit and AWS
    /// managed rule groups, logged. On by default for `type: rest`; not
    /// available for `http`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waf: Option<Spanned<Waf>>,
    /// Named clients of a REST API, each with its own usage plan (rate,
    /// burst, quota) and API key. With clients, every route that is not
    /// public requires an API key (`x-api-key`) besides the token.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub clients: BTreeMap<Name, Client>,
    /// Routes, keyed by `METHOD /path` (for example `GET /orders/{id}`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub routes: BTreeMap<Spanned<String>, Route>,
    /// Controls turned off for the API, each with a reason.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub waive: Waivers,
}

impl Api {
    pub fn api_type(&self) -> ApiType {
        self.kind.as_ref().map(|k| k.value).unwrap_or_default()
    }
}

/// AWS WAF settings of a REST API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waf {
    /// Requests one client IP may make per `window`; more are blocked until
    /// its rate falls. Default 2000 (per 5 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_per_ip: Option<Spanned<u32>>,
    /// The window `rate_per_ip` counts over, in seconds: 60, 120, 300 or 600.
    /// Default 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Spanned<u32>>,
    /// AWS managed rule groups: `common`, `known-bad-inputs` (always
    /// required: it blocks Log4j-style exploits), `ip-reputation`,
    /// `anonymous-ip` (also blocks cloud hosting providers and VPNs, where
    /// API clients often run). Default: the first three.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_rules: Option<Vec<Spanned<ManagedRules>>>,
}

/// A client of a REST API: its usage plan's limits. Its API key is
/// generated by API Gateway and never written anywhere by Palisade.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// Steady-state requests per second for this client's key.
    pub rate: Spanned<u32>,
    /// Requests allowed in a burst for this client's key.
    pub burst: Spanned<u32>,
    /// Requests allowed per period, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Spanned<Quota>>,
}

/// A usage plan's quota.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// Requests allowed per period.
    pub limit: u32,
    /// `day`, `week` or `month`.
    pub period: QuotaPeriod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuotaPeriod {
    Day,
    Week,
    Month,
}

impl QuotaPeriod {
    /// API Gateway's name for it.
    pub fn aws_name(self) -> &'static str {
        match self {
            QuotaPeriod::Day => "DAY",
            QuotaPeriod::Week => "WEEK",
            QuotaPeriod::Month => "MONTH",
        }
    }
}

/// An AWS managed rule group of AWS WAF.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ManagedRules {
    /// `AWSManagedRulesCommonRuleSet`: the OWASP Top 10 kinds of request.
    Common,
    /// `AWSManagedRulesKnownBadInputsRuleSet`: exploit patterns (Log4j among them).
    KnownBadInputs,
    /// `AWSManagedRulesAmazonIpReputationList`: addresses Amazon threat
    /// intelligence knows for bots and attacks.
    IpReputation,
    /// `AWSManagedRulesAnonymousIpList`: VPNs, Tor, proxies and cloud
    /// hosting providers.
    AnonymousIp,
}

impl ManagedRules {
    /// What a REST API gets unless the spec lists its own.
    pub const DEFAULT: [ManagedRules; 3] = [
        ManagedRules::Common,
        ManagedRules::KnownBadInputs,
        ManagedRules::IpReputation,
    ];
    /// The rule group's name at AWS.
    pub fn aws_name(self) -> &'static str {
        match self {
            ManagedRules::Common => "AWSManagedRulesCommonRuleSet",
            ManagedRules::KnownBadInputs => "AWSManagedRulesKnownBadInputsRuleSet",
            ManagedRules::IpReputation => "AWSManagedRulesAmazonIpReputationList",
            ManagedRules::AnonymousIp => "AWSManagedRulesAnonymousIpList",
        }
    }
}

/// Route authorization.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// A JWT (OIDC / OAuth 2.0) authorizer.
    pub jwt: Spanned<Jwt>,
}

/// A JWT authorizer: tokens must be issued by `issuer` for one of `audience`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jwt {
    /// The token issuer, an `https://` URL (its `/.well-known/openid-configuration`
    /// must be reachable by API Gateway).
    pub issuer: Spanned<String>,
    /// Accepted `aud` values. At least one.
    pub audience: Vec<Spanned<String>>,
}

/// Request throttling (token bucket).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    /// Steady-state requests per second.
    pub rate: u32,
    /// Bucket size: requests allowed in a burst.
    pub burst: u32,
}

/// Cross-origin resource sharing.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    /// Allowed origins, each an explicit `https://host[:port]`. No `*`.
    pub origins: Vec<Spanned<String>>,
    /// Allowed methods. Default: the methods of the routes.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub methods: Vec<Spanned<String>>,
    /// Allowed request headers. Default: `authorization`, `content-type`.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub headers: Vec<Spanned<String>>,
    /// How long browsers may cache the preflight answer, in seconds. Default 600.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<Spanned<u32>>,
}

/// One API route.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The function that handles the route.
    pub function: Name,
    /// OAuth scopes the token must carry (any one of them).
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub scopes: Vec<Spanned<String>>,
    /// Throttling for this route, instead of the stage default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<Throttle>,
    /// Makes the route public (no authorizer). The value is the reason, and it
    /// must not be empty: it appears in the security report and in `diff`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<Spanned<String>>,
}

/// A Lambda function.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// The name this function had before: its logical IDs and AWS names stay
    /// those of the old name, so renaming it in the spec replaces nothing.
    /// Keep it until every stack deployed from the spec has the rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Spanned<String>>,
    /// What the function does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Spanned<String>>,
    /// `path/module.function`, relative to the spec's directory: `src/get_order.handler`
    /// means the file `src/get_order.py` (or `.mjs`/`.js` for Node.js).
    pub handler: Spanned<String>,
    /// Runtime for this function, instead of the service default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Spanned<String>>,
    /// Instruction set for this function, instead of the service default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<Spanned<Architecture>>,
    /// Memory in MB, 128 to 10240. Default 256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Spanned<u32>>,
    /// Timeout in seconds, 1 to 900. Default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Spanned<u32>>,
    /// Reserved concurrency: the most instances that may run at once. Default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Spanned<u32>>,
    /// Plain configuration. Values that look like secrets are errors: use `secrets:`.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub environment: BTreeMap<Spanned<String>, Spanned<String>>,
    /// What the function may touch: `resource-name: level` or a list of levels.
    /// This is the only way a function gets permissions.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub access: BTreeMap<Name, Spanned<Levels>>,
    /// What invokes the function besides API routes.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub events: Vec<Spanned<Event>>,
    /// Controls turned off for this function, each with a reason.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub waive: Waivers,
}

/// An access level. Which levels fit depends on the target's kind.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum AccessLevel {
    /// Table: get, query, describe. Bucket: get objects. Secret: get the value.
    Read,
    /// Table: put, update, delete items. Bucket: put objects.
    Write,
    /// Table: full-table Scan (never implied by `read`).
    Scan,
    /// Table: read the table's stream.
    Stream,
    /// Queue: send messages.
    Send,
    /// Queue: receive and delete messages (implied by a queue event).
    Consume,
    /// Bucket: delete objects.
    Delete,
    /// Bucket: list object keys.
    List,
    /// Topic: publish messages.
    Publish,
    /// Secret: describe, read, write and restage its versions. Implied for
    /// the function a secret's `rotation:` names; not written in `access:`.
    #[serde(skip_deserializing)]
    Rotate,
}

/// One access level or a list of them.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(untagged)]
pub enum Levels {
    One(Spanned<AccessLevel>),
    Many(Vec<Spanned<AccessLevel>>),
}

impl Levels {
    pub fn iter(&self) -> impl Iterator<Item = &Spanned<AccessLevel>> {
        match self {
            Levels::One(level) => std::slice::from_ref(level).iter(),
            Levels::Many(levels) => levels.iter(),
        }
    }
}

impl Serialize for Levels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Levels::One(level) => level.serialize(serializer),
            Levels::Many(levels) => levels.serialize(serializer),
        }
    }
}

// Hand-written rather than `#[serde(untagged)]`: untagged enums buffer their
// input and lose every source location inside them.
impl<'de> Deserialize<'de> for Levels {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LevelsVisitor;
        impl<'de> serde::de::Visitor<'de> for LevelsVisitor {
            type Value = Levels;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an access level or a list of access levels")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Levels, E> {
                use serde::de::IntoDeserializer;
                let level = AccessLevel::deserialize(text.into_deserializer())?;
                Ok(Levels::One(Spanned::synthetic(level)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Levels, A::Error> {
                let mut levels = Vec::new();
                while let Some(level) = seq.next_element()? {
                    levels.push(level);
                }
                Ok(Levels::Many(levels))
            }
        }
        deserializer.deserialize_any(LevelsVisitor)
    }
}

/// Something that invokes a function. Exactly one source key
/// (`queue`, `schedule`, `bucket`, `topic`, `stream`) plus its options.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Consume this queue (grants exactly the receive/delete actions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<Name>,
    /// Run on a schedule: `rate(5 minutes)` or `cron(0 3 * * ? *)` (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Spanned<String>>,
    /// Run when an object is created in this bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<Name>,
    /// Run for each message published to this topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Name>,
    /// Read this table's stream (the table needs `stream:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<Name>,
    /// Queue or stream: records per invocation. Queue 1–10000 (FIFO 1–10),
    /// stream 1–10000. Default 10 (stream 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<Spanned<u32>>,
    /// Bucket: only keys starting with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<Spanned<String>>,
    /// Bucket: only keys ending with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<Spanned<String>>,
    /// Stream: where to start reading. Default `latest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_position: Option<Spanned<StartingPosition>>,
}

/// The event source of an [`Event`], once validation has checked there is exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSource<'a> {
    Queue(&'a Name),
    Schedule(&'a Spanned<String>),
    Bucket(&'a Name),
    Topic(&'a Name),
    Stream(&'a Name),
}

impl Event {
    /// Every source key that is set, in declaration order.
    pub fn sources(&self) -> Vec<EventSource<'_>> {
        let mut sources = Vec::with_capacity(1);
        sources.extend(self.queue.as_ref().map(EventSource::Queue));
        sources.extend(self.schedule.as_ref().map(EventSource::Schedule));
        sources.extend(self.bucket.as_ref().map(EventSource::Bucket));
        sources.extend(self.topic.as_ref().map(EventSource::Topic));
        sources.extend(self.stream.as_ref().map(EventSource::Stream));
        sources
    }

    /// The single source of a validated event.
    pub fn source(&self) -> Option<EventSource<'_>> {
        match self.sources().as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// Where a stream consumer starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StartingPosition {
    /// Only new records.
    Latest,
    /// The oldest record still in the stream (24 hours).
    TrimHorizon,
}

/// A DynamoDB table (on-demand, KMS-encrypted, point-in-time recovery,
/// deletion protection, retained on stack deletion).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// The name this table had before: its logical IDs and AWS names stay
    /// those of the old name, so renaming it in the spec replaces nothing.
    /// Keep it until every stack deployed from the spec has the rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Spanned<String>>,
    /// The partition (hash) key.
    pub partition_key: Key,
    /// The sort (range) key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_key: Option<Key>,
    /// Attribute holding an expiry time (epoch seconds); expired items are deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_attribute: Option<Spanned<String>>,
    /// Global secondary indexes, by name.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub indexes: BTreeMap<Name, Index>,
    /// Enables the table's change stream with this view; functions may then use
    /// a `stream:` event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<Spanned<StreamView>>,
    /// Controls turned off for this table, each with a reason.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub waive: Waivers,
}

/// A key attribute.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Key {
    /// Attribute name.
    pub name: Spanned<String>,
    /// Attribute type.
    #[serde(rename = "type")]
    pub kind: KeyType,
}

/// A key attribute's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    String,
    Number,
    Binary,
}

/// A global secondary index (projects all attributes).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// The index's partition key.
    pub partition_key: Key,
    /// The index's sort key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_key: Option<Key>,
}

/// What a table's stream records carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StreamView {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOld,
}

/// An SQS queue (KMS-encrypted, TLS-only, with a dead-letter queue).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    /// The name this queue had before: its logical IDs and AWS names stay
    /// those of the old name, so renaming it in the spec replaces nothing.
    /// Keep it until every stack deployed from the spec has the rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Spanned<String>>,
    /// First-in-first-out with exactly-once processing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fifo: Option<Spanned<bool>>,
    /// Receives before a message moves to the dead-letter queue, 1–1000. Default 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_receives: Option<Spanned<u32>>,
    /// Days a message is kept, 1–14. Default 4 (the dead-letter queue keeps 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<Spanned<u32>>,
    /// Controls turned off for this queue, each with a reason.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub waive: Waivers,
}

/// An S3 bucket (SSE-KMS, versioned, private, TLS-only, access-logged, retained).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// The name this bucket had before: its logical IDs and AWS names stay
    /// those of the old name, so renaming it in the spec replaces nothing.
    /// Keep it until every stack deployed from the spec has the rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Spanned<String>>,
    /// Delete objects this many days after creation (and old versions as well).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_after_days: Option<Spanned<u32>>,
    /// Controls turned off for this bucket, each with a reason.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub waive: Waivers,
}

/// An SNS topic (KMS-encrypted, TLS-only).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// The name this topic had before: its logical IDs and AWS names stay
    /// those of the old name, so renaming it in the spec replaces nothing.
    /// Keep it until every stack deployed from the spec has the rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Spanned<String>>,
    /// Controls turned off for this topic, each with a reason.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub waive: Waivers,
}

/// A Secrets Manager secret (KMS-encrypted, retained). Its value is set out of band.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// The name this secret had before: its logical IDs and AWS names stay
    /// those of the old name, so renaming it in the spec replaces nothing.
    /// Keep it until every stack deployed from the spec has the rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Spanned<String>>,
    /// What the secret is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Spanned<String>>,
    /// Automatic rotation by a function of this spec (PAL-DATA-010). A
    /// secret without it needs `waive: { PAL-DATA-010: <reason> }`, as for a
    /// key an outside system issues and someone sets by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Rotation>,
    /// Controls turned off for this secret, each with a reason.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub waive: Waivers,
}

/// How Secrets Manager rotates a secret.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// The function of this spec that Secrets Manager invokes to rotate the
    /// secret (its four steps: createSecret, setSecret, testSecret,
    /// finishSecret). It is granted exactly the rotation actions on this
    /// secret; it gets the secret's ARN in the event, not in its environment.
    pub function: Spanned<String>,
    /// When: `rate(<n> days)` (1–1000), `rate(<n> hours)` (4–23) or a
    /// `cron(...)` expression.
    pub schedule: Spanned<String>,
}

/// A CI deploy role assumed through GitHub's OIDC provider.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeployRole {
    /// Which GitHub repository and branches may assume the role.
    pub github: GitHub,
    /// Session length in minutes, 15–720. Default 60. The generated workflow
    /// asks for exactly this; the role's own cap (IAM's `MaxSessionDuration`)
    /// is this too, but never under IAM's minimum of 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_minutes: Option<Spanned<u32>>,
}

/// A GitHub repository and the branches trusted to deploy.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GitHub {
    /// `owner/name`.
    pub repository: Spanned<String>,
    /// Branches whose workflows may deploy. At least one.
    pub branches: Vec<Spanned<String>>,
}

/// Raw properties merged onto generated resources, per target.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// By CloudFormation logical ID: a mapping merged onto the resource
    /// (for example `{ Properties: { Description: ... } }`).
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub cloudformation: BTreeMap<Name, Spanned<serde_json::Value>>,
    /// By Terraform address (`aws_lambda_function.get_order`): attributes merged
    /// onto the resource block.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub terraform: BTreeMap<Name, Spanned<serde_json::Value>>,
}

impl Overrides {
    pub fn is_empty(&self) -> bool {
        self.cloudformation.is_empty() && self.terraform.is_empty()
    }

    /// The CloudFormation patches by logical ID, as the emitter takes them.
    pub fn cloudformation_patches(&self) -> BTreeMap<String, serde_json::Value> {
        patches(&self.cloudformation)
    }

    /// The Terraform patches by address, as the emitter takes them.
    pub fn terraform_patches(&self) -> BTreeMap<String, serde_json::Value> {
        patches(&self.terraform)
    }
}

fn patches(
    by_target: &BTreeMap<Name, Spanned<serde_json::Value>>,
) -> BTreeMap<String, serde_json::Value> {
    by_target
        .iter()
        .map(|(target, patch)| (target.value.clone(), patch.value.clone()))
        .collect()
}

/// The section of the spec that declares a named resource (`tables:`, …),
/// for `access:` and error messages. Not a plan kind: one section becomes
/// several kinds of resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Function,
    Table,
    Queue,
    Bucket,
    Topic,
    Secret,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Function => "function",
            Section::Table => "table",
            Section::Queue => "queue",
            Section::Bucket => "bucket",
            Section::Topic => "topic",
            Section::Secret => "secret",
        }
    }

    /// The access levels a function may hold on a resource of this kind.
    pub fn access_levels(self) -> &'static [AccessLevel] {
        use AccessLevel::*;
        match self {
            Section::Function => &[],
            Section::Table => &[Read, Write, Scan, Stream],
            Section::Queue => &[Send, Consume],
            Section::Bucket => &[Read, Write, Delete, List],
            Section::Topic => &[Publish],
            Section::Secret => &[Read],
        }
    }

    /// Levels a function holds without writing them in `access:`: `consume`
    /// and `stream` come from events and are writable too; `rotate` comes
    /// only from a secret's `rotation:`.
    pub fn implied_levels(self) -> &'static [AccessLevel] {
        match self {
            Section::Secret => &[AccessLevel::Rotate],
            Section::Function
            | Section::Table
            | Section::Queue
            | Section::Bucket
            | Section::Topic => &[],
        }
    }
}

impl Spec {
    /// Days function and API logs are kept.
    pub fn log_retention_days(&self) -> u32 {
        self.logs
            .as_ref()
            .and_then(|l| l.retention_days.as_ref())
            .map_or(super::DEFAULT_LOG_RETENTION_DAYS, |d| d.value)
    }

    /// Every named resource with its kind, in kind order then name order.
    pub fn named_resources(&self) -> impl Iterator<Item = (&Name, Section)> {
        self.functions
            .keys()
            .map(|n| (n, Section::Function))
            .chain(self.tables.keys().map(|n| (n, Section::Table)))
            .chain(self.queues.keys().map(|n| (n, Section::Queue)))
            .chain(self.buckets.keys().map(|n| (n, Section::Bucket)))
            .chain(self.topics.keys().map(|n| (n, Section::Topic)))
            .chain(self.secrets.keys().map(|n| (n, Section::Secret)))
    }

    /// The name a resource's logical IDs and AWS names come from: the name it
    /// was `renamed_from`, if any, else its own.
    pub fn stable_name<'a>(&'a self, name: &'a str) -> &'a str {
        let from = match self.kind_of(name) {
            Some(Section::Function) => self
                .functions
                .get(name)
                .and_then(|r| r.renamed_from.as_ref()),
            Some(Section::Table) => self.tables.get(name).and_then(|r| r.renamed_from.as_ref()),
            Some(Section::Queue) => self.queues.get(name).and_then(|r| r.renamed_from.as_ref()),
            Some(Section::Bucket) => self.buckets.get(name).and_then(|r| r.renamed_from.as_ref()),
            Some(Section::Topic) => self.topics.get(name).and_then(|r| r.renamed_from.as_ref()),
            Some(Section::Secret) => self.secrets.get(name).and_then(|r| r.renamed_from.as_ref()),
            None => None,
        };
        from.map_or(name, |from| from.value.as_str())
    }

    /// `(name, renamed_from)` for every resource renamed in the spec.
    pub fn renames(&self) -> Vec<(&Name, &Spanned<String>)> {
        let mut out = Vec::new();
        for (name, _) in self.named_resources() {
            let from = self.stable_name(name);
            if from != name.as_str() {
                let from = match self.kind_of(name) {
                    Some(Section::Function) => self.functions[name].renamed_from.as_ref(),
                    Some(Section::Table) => self.tables[name].renamed_from.as_ref(),
                    Some(Section::Queue) => self.queues[name].renamed_from.as_ref(),
                    Some(Section::Bucket) => self.buckets[name].renamed_from.as_ref(),
                    Some(Section::Topic) => self.topics[name].renamed_from.as_ref(),
                    Some(Section::Secret) => self.secrets[name].renamed_from.as_ref(),
                    None => None,
                };
                out.extend(from.map(|from| (name, from)));
            }
        }
        out
    }

    /// The kind of the resource with this name, if there is one.
    /// Map lookups, not a scan: this runs for every `access:` entry.
    pub fn kind_of(&self, name: &str) -> Option<Section> {
        [
            (self.functions.contains_key(name), Section::Function),
            (self.tables.contains_key(name), Section::Table),
            (self.queues.contains_key(name), Section::Queue),
            (self.buckets.contains_key(name), Section::Bucket),
            (self.topics.contains_key(name), Section::Topic),
            (self.secrets.contains_key(name), Section::Secret),
        ]
        .into_iter()
        .find_map(|(found, kind)| found.then_some(kind))
    }
}
