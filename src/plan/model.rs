//! The plan: every resource Palisade creates, provider-neutral, with every
//! security setting already decided. Emitters translate it field by field.

use std::collections::BTreeMap;

/// A generated resource's logical ID (`OrdersTable`).
pub type Id = String;

/// An attribute of a generated resource, rendered per target
/// (`Fn::GetAtt`/`Ref` in CloudFormation, `aws_x.y.attr` in Terraform).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attr {
    Arn,
    Name,
    /// Queue URL.
    Url,
    /// Key ID, API ID, and other opaque IDs.
    Id,
    /// A table's stream ARN.
    StreamArn,
    /// The HTTP API's endpoint URL.
    Endpoint,
    /// A REST API's root resource (`/`).
    RootResourceId,
}

/// One piece of a string built at deploy time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// Literal text; emitters escape it so it can never become a reference.
    Lit(String),
    Ref(Id, Attr),
    Partition,
    Region,
    Account,
    UrlSuffix,
    /// A value the deployer supplies (the artifact bucket).
    Param(&'static str),
}

/// A value known at deploy time: literal text, a reference, or a mix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expr(pub Vec<Part>);

impl Expr {
    pub fn lit(text: impl Into<String>) -> Self {
        Expr(vec![Part::Lit(text.into())])
    }
    pub fn attr(id: &str, attr: Attr) -> Self {
        Expr(vec![Part::Ref(id.to_string(), attr)])
    }
    pub fn arn(id: &str) -> Self {
        Expr::attr(id, Attr::Arn)
    }
    /// `self` followed by literal text (`arn` + `/index/*`).
    pub fn then(mut self, text: &str) -> Self {
        self.0.push(Part::Lit(text.to_string()));
        self
    }
    /// `arn:<partition>:<service>:<region>:<account>:<rest>`.
    pub fn arn_in_account(service: &str, rest: Vec<Part>) -> Self {
        let mut parts = vec![
            Part::Lit("arn:".into()),
            Part::Partition,
            Part::Lit(format!(":{service}:")),
            Part::Region,
            Part::Lit(":".into()),
            Part::Account,
            Part::Lit(":".into()),
        ];
        parts.extend(rest);
        Expr(parts)
    }
    /// The literal text, if the expression has no references.
    pub fn as_literal(&self) -> Option<String> {
        self.0
            .iter()
            .map(|p| match p {
                Part::Lit(text) => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
    /// A readable rendering for reports: `${OrdersTable.Arn}/index/*`.
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|part| match part {
                Part::Lit(text) => text.clone(),
                Part::Ref(id, attr) => format!("${{{id}.{attr:?}}}"),
                Part::Partition => "${Partition}".into(),
                Part::Region => "${Region}".into(),
                Part::Account => "${Account}".into(),
                Part::UrlSuffix => "${UrlSuffix}".into(),
                Part::Param(name) => format!("${{{name}}}"),
            })
            .collect()
    }

    /// The resource IDs this expression refers to.
    pub fn references(&self) -> impl Iterator<Item = &Id> {
        self.0.iter().filter_map(|p| match p {
            Part::Ref(id, _) => Some(id),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    Allow,
    Deny,
}

/// Who a resource policy statement is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Principal {
    Any,
    Service(Expr),
    /// The account itself (`arn:<partition>:iam::<account>:root`).
    AccountRoot,
    /// A web identity provider (OIDC federation).
    Federated(Expr),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Condition {
    /// `StringEquals`, `Bool`, `ArnLike`, ...
    pub test: &'static str,
    pub key: String,
    pub values: Vec<Expr>,
}

impl Condition {
    /// A value of the `Bool` operator as the JSON boolean it stands for. IAM
    /// accepts the strings too, but policy scanners (the Guard registry's
    /// S3_BUCKET_SSL_REQUESTS_ONLY) match the boolean, so both targets write it.
    pub fn boolean(&self, value: &Expr) -> Option<bool> {
        if self.test != "Bool" {
            return None;
        }
        match value.0.as_slice() {
            [Part::Lit(text)] => text.parse().ok(),
            _ => None,
        }
    }
}

/// One IAM policy statement, built once and rendered per target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Statement {
    pub sid: String,
    pub effect: Effect,
    pub principal: Option<Principal>,
    pub actions: Vec<String>,
    pub resources: Vec<Expr>,
    pub conditions: Vec<Condition>,
}

/// A check of one of the scanners the gate runs, named as that scanner names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// A checkov check of both its CloudFormation and Terraform frameworks.
    Checkov(&'static str),
    /// A checkov check that exists only in its Terraform framework.
    CheckovTerraform(&'static str),
    /// A checkov check of its Terraform framework on the resource's
    /// companions of one type (`aws_api_gateway_method_settings`), which
    /// carry the settings the check reads.
    CheckovTerraformCompanion(&'static str, &'static str),
    /// A cdk-nag AwsSolutions rule, on the whole resource.
    CdkNag(&'static str),
    /// A cdk-nag rule's findings for these policy resources only
    /// (`applies_to: [Resource::<arn>]`, as AwsSolutions-IAM5 reports them).
    CdkNagResources(&'static str, Vec<Expr>),
    /// A rule of the AWS Guard Rules Registry (cfn-guard).
    Guard(&'static str),
}

impl Check {
    /// The scanner's name and the check's ID, for reports.
    pub fn label(&self) -> String {
        match self {
            Check::Checkov(id) => format!("checkov {id}"),
            Check::CheckovTerraform(id) => format!("checkov {id} (Terraform)"),
            Check::CheckovTerraformCompanion(companion, id) => {
                format!("checkov {id} (Terraform, {companion})")
            }
            Check::CdkNag(id) | Check::CdkNagResources(id, _) => format!("cdk-nag {id}"),
            Check::Guard(id) => format!("Guard {id}"),
        }
    }
}

/// One decision not to follow some scanner checks on a resource, with the
/// reason written beside the suppression in every scanner's format
/// (checkov `skip`, cdk-nag `rules_to_suppress`, Guard `SuppressedRules`,
/// checkov comments in Terraform) and listed in SECURITY.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub checks: Vec<Check>,
    pub reason: std::borrow::Cow<'static, str>,
}

/// A control as it applies to one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedControl {
    pub control: &'static str,
    /// `Some(reason)` when the spec waived it for this resource.
    pub waived: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub id: Id,
    /// The spec name this resource was generated for, if any.
    pub source: Option<String>,
    /// Where in the spec it comes from (for diagnostics and reports).
    pub loc: crate::spec::Loc,
    pub kind: Kind,
    /// Resources that must exist first beyond those referenced (a bucket's
    /// notifications need the invoke permission in place).
    pub depends_on: Vec<Id>,
    /// Kept when removed from the stack or replaced (stateful resources).
    pub retain: bool,
    pub suppressions: Vec<Suppression>,
    pub controls: Vec<AppliedControl>,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Key(Key),
    KeyAlias {
        name: String,
        key: Id,
    },
    LogGroup(LogGroup),
    Role(Role),
    Function(Function),
    Table(Table),
    Queue(Queue),
    Bucket(Bucket),
    Topic(Topic),
    /// A resource policy attached to a queue, bucket or topic.
    ResourcePolicy(ResourcePolicy),
    Subscription(Subscription),
    Secret(Secret),
    /// Secrets Manager invoking a function of the spec to rotate a secret.
    RotationSchedule(RotationSchedule),
    Api(Api),
    Authorizer(Authorizer),
    Integration(Integration),
    Route(Route),
    Stage(Stage),
    Permission(Permission),
    Schedule(Schedule),
    EventSourceMapping(EventSourceMapping),
    Alarm(Alarm),
    RestApi(RestApi),
    RestResource(RestResource),
    RestMethod(RestMethod),
    RestPreflight(RestPreflight),
    RestGatewayResponse(RestGatewayResponse),
    RestAuthorizer(RestAuthorizer),
    RestDeployment(RestDeployment),
    RestStage(RestStage),
    WebAcl(WebAcl),
    WebAclAssociation(WebAclAssociation),
    WebAclLogging(WebAclLogging),
    UsagePlan(UsagePlan),
    ApiKey(ApiKey),
    UsagePlanKey(UsagePlanKey),
}

impl Kind {
    /// What the resource is, in words both targets share (reports, graphs).
    pub fn name(&self) -> &'static str {
        self.describe().name
    }
}

#[derive(Debug, Clone)]
pub struct Key {
    pub description: String,
    pub rotation: bool,
    /// `SYMMETRIC_DEFAULT`: the only spec every service that Palisade
    /// encrypts with accepts (PAL-KMS-003 keeps it so).
    pub spec: &'static str,
    /// `ENCRYPT_DECRYPT`.
    pub usage: &'static str,
    pub policy: Vec<Statement>,
}

#[derive(Debug, Clone)]
pub struct LogGroup {
    pub name: Expr,
    pub retention_days: u32,
    pub key: Id,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub description: String,
    pub trust: Vec<Statement>,
    /// Inline policy; never AWS managed policies.
    pub policy: Vec<Statement>,
    pub max_session_seconds: Option<u32>,
    /// Why the policy's wildcard resources (`/*`, `*`) are needed, for
    /// reviewers and cdk-nag's AwsSolutions-IAM5 suppression.
    pub wildcards: &'static str,
    /// Who assumes it: the plan says, so nothing reads identity off a name.
    pub assumed_by: AssumedBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssumedBy {
    /// The execution role of the function that names it.
    Function,
    /// A CI deployment role (PAL-CI-001).
    Deploy,
}

#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    pub description: Option<String>,
    pub handler: String,
    pub runtime: String,
    pub architecture: &'static str,
    pub memory: u32,
    pub timeout: u32,
    pub reserved_concurrency: u32,
    pub role: Id,
    pub log_group: Id,
    pub environment: BTreeMap<String, Expr>,
    /// Encrypts the environment; `None` when there is no environment (Lambda
    /// keeps no key then, and a stated one would show as drift).
    pub environment_key: Option<Id>,
    pub tracing: bool,
    /// Queue that receives failed asynchronous invocations.
    pub dead_letter_queue: Option<Id>,
    pub package: Package,
}

/// A function's deployment package, content-addressed.
#[derive(Debug, Clone)]
pub struct Package {
    /// Path of the zip relative to the output directory (`functions/x.zip`).
    pub zip_path: String,
    /// Key in the artifact bucket (`<service>/<name>-<sha256>.zip`).
    pub s3_key: String,
    /// Base64 SHA-256 of the zip (Terraform's `source_code_hash`).
    pub sha256_base64: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    String,
    Number,
    Binary,
}

impl AttributeType {
    /// DynamoDB's own type code, which both targets write.
    pub fn code(self) -> &'static str {
        match self {
            AttributeType::String => "S",
            AttributeType::Number => "N",
            AttributeType::Binary => "B",
        }
    }
}

#[derive(Debug, Clone)]
pub struct KeySchema {
    pub partition: (String, AttributeType),
    pub sort: Option<(String, AttributeType)>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub keys: KeySchema,
    pub indexes: Vec<(String, KeySchema)>,
    pub ttl_attribute: Option<String>,
    /// `NEW_AND_OLD_IMAGES` etc.
    pub stream_view: Option<&'static str>,
    pub key: Id,
    pub point_in_time_recovery: bool,
    pub deletion_protection: bool,
}

impl Table {
    /// Every key attribute of the table and its indexes, once, by name.
    pub fn attributes(&self) -> BTreeMap<&str, &'static str> {
        let schemas = std::iter::once(&self.keys).chain(self.indexes.iter().map(|(_, k)| k));
        schemas
            .flat_map(|schema| std::iter::once(&schema.partition).chain(schema.sort.as_ref()))
            .map(|(name, kind)| (name.as_str(), kind.code()))
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Queue {
    pub name: String,
    pub fifo: bool,
    pub retention_seconds: u32,
    pub visibility_timeout: u32,
    /// How long SQS reuses a data key before asking KMS again.
    pub data_key_reuse_seconds: u32,
    /// The dead-letter queue and receives before a message moves there.
    pub redrive: Option<(Id, u32)>,
    /// It is a dead-letter queue (of a queue, or of the functions'
    /// asynchronous invocations): it needs a depth alarm, not a DLQ.
    pub dead_letter: bool,
    pub key: Id,
}

#[derive(Debug, Clone)]
pub struct Bucket {
    /// Fixed name (service buckets), or `None` to let the cloud pick one.
    pub name: Option<Expr>,
    /// `None`: SSE-S3 (the access-log bucket, where S3 requires it).
    pub key: Option<Id>,
    pub versioning: bool,
    pub block_public_access: bool,
    pub owner_enforced: bool,
    pub expire_after_days: Option<u32>,
    /// Days before non-current versions are removed (versioned buckets).
    pub noncurrent_expire_days: u32,
    /// Days before incomplete multipart uploads are aborted and their parts
    /// deleted (they are stored, and billed, but never seen).
    pub abort_incomplete_upload_days: u32,
    /// Bucket receiving server access logs (`None` for the log bucket itself).
    pub access_log_bucket: Option<Id>,
    pub access_log_prefix: String,
    /// Object-created notifications to functions.
    pub notifications: Vec<Notification>,
}

#[derive(Debug, Clone)]
pub struct Notification {
    pub function: Id,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub name: String,
    pub key: Id,
}

#[derive(Debug, Clone)]
pub struct ResourcePolicy {
    /// The queue, bucket or topic.
    pub target: Id,
    /// What kind of resource `target` is (each has its own policy type).
    pub on: PolicyOn,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyOn {
    Queue,
    Bucket,
    Topic,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub topic: Id,
    /// `lambda` or `email`.
    pub protocol: &'static str,
    pub endpoint: Expr,
}

#[derive(Debug, Clone)]
pub struct Secret {
    pub name: String,
    pub description: Option<String>,
    pub key: Id,
}

#[derive(Debug, Clone)]
pub struct RotationSchedule {
    pub secret: Id,
    pub function: Id,
    /// `rate(30 days)`, `cron(...)`.
    pub schedule: String,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub name: String,
    pub description: Option<String>,
    pub cors: Option<Cors>,
}

#[derive(Debug, Clone)]
pub struct Cors {
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
    pub max_age: u32,
}

#[derive(Debug, Clone)]
pub struct Authorizer {
    pub api: Id,
    pub issuer: String,
    pub audience: Vec<String>,
    /// Where the token is read from (`$request.header.Authorization`).
    pub identity_source: String,
}

#[derive(Debug, Clone)]
pub struct Integration {
    pub api: Id,
    pub function: Id,
    pub timeout_ms: u32,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub api: Id,
    /// `GET /orders/{id}`.
    pub key: String,
    pub integration: Id,
    /// `None` for a public route.
    pub authorizer: Option<Id>,
    pub scopes: Vec<String>,
    /// Why the route is public, for reports.
    pub public_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub rate: u32,
    pub burst: u32,
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub api: Id,
    /// `$default`: the stage served at the API's root URL.
    pub name: String,
    pub throttle: Throttle,
    /// Per-route throttling, by route key.
    pub route_throttles: Vec<(String, Throttle)>,
    pub access_log_group: Id,
    /// The JSON access-log format.
    pub access_log_format: String,
}

/// A REST API (API Gateway v1), regional.
#[derive(Debug, Clone)]
pub struct RestApi {
    pub name: String,
    pub description: Option<String>,
}

/// One path segment of a REST API (`items`, `{id}`) under its parent.
#[derive(Debug, Clone)]
pub struct RestResource {
    pub api: Id,
    /// `None`: under the API's root resource.
    pub parent: Option<Id>,
    pub path_part: String,
}

/// One route of a REST API: a method on a resource, proxied to a function.
#[derive(Debug, Clone)]
pub struct RestMethod {
    pub api: Id,
    /// `None`: the root resource (`/`).
    pub resource: Option<Id>,
    /// `GET`, `ANY`, ...
    pub http_method: String,
    /// The spec's route key (`GET /orders/{id}`), for reports.
    pub key: String,
    pub function: Id,
    pub timeout_ms: u32,
    /// `None` for a public route.
    pub authorizer: Option<Id>,
    pub scopes: Vec<String>,
    /// Why the route is public, for reports.
    pub public_reason: Option<String>,
    /// Callers must present a client's API key (the API has `clients:`).
    pub api_key_required: bool,
}

impl RestMethod {
    /// The Lambda proxy integration's URI: API Gateway's path to the function.
    pub fn integration_uri(&self) -> Expr {
        lambda_invocation_uri(&self.function)
    }
}

/// A REST API resource's CORS preflight: an `OPTIONS` method that API
/// Gateway answers itself (a mock integration), without authorizer or API
/// key, as browsers send it without credentials.
#[derive(Debug, Clone)]
pub struct RestPreflight {
    pub api: Id,
    /// `None`: the root resource (`/`).
    pub resource: Option<Id>,
    /// The allowed origins (for the check that none is a wildcard).
    pub origins: Vec<String>,
    /// Response headers with fixed values, as API Gateway writes them
    /// (`'GET,OPTIONS'`, quotes included).
    pub headers: Vec<(String, String)>,
    /// With several origins, the mapping template that answers with the
    /// request's `Origin` only when it is one of them.
    pub origin_template: Option<String>,
}

impl RestPreflight {
    /// The status code of its answer.
    pub const STATUS: &'static str = "204";

    /// Every header the answer may carry (the fixed ones, and the origin).
    pub fn header_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        if self.origin_template.is_some() {
            names.push(ACCESS_CONTROL_ALLOW_ORIGIN);
        }
        names.sort_unstable();
        names
    }
}

/// `Access-Control-Allow-Origin`.
pub const ACCESS_CONTROL_ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";

/// API Gateway's own answers of one type (`DEFAULT_4XX`: the authorizer's
/// 401, a missing API key's 403, throttling's 429) with the CORS headers,
/// so browsers can read them.
#[derive(Debug, Clone)]
pub struct RestGatewayResponse {
    pub api: Id,
    pub response_type: &'static str,
    /// Header name → fixed value, quoted as API Gateway writes it.
    pub headers: Vec<(String, String)>,
}

/// A REST API's token authorizer: Palisade's own function, which verifies
/// the spec's issuer, audience and each route's scopes (API Gateway's
/// native REST authorizer knows only Cognito user pools and no audience).
#[derive(Debug, Clone)]
pub struct RestAuthorizer {
    pub api: Id,
    pub issuer: String,
    pub audience: Vec<String>,
    /// The authorizer function.
    pub function: Id,
    /// `method.request.header.Authorization`.
    pub identity_source: String,
    /// What the identity must look like before the function is invoked
    /// (`Bearer <jwt>`): malformed headers cost no invocation.
    pub validation_expression: String,
    /// Seconds an answer is cached per token.
    pub result_ttl: u32,
}

impl RestAuthorizer {
    /// API Gateway's path to the function.
    pub fn uri(&self) -> Expr {
        lambda_invocation_uri(&self.function)
    }
}

/// `arn:<partition>:apigateway:<region>:lambda:path/.../<function>/invocations`:
/// what API Gateway invokes for a Lambda integration or authorizer.
fn lambda_invocation_uri(function: &Id) -> Expr {
    Expr(vec![
        Part::Lit("arn:".into()),
        Part::Partition,
        Part::Lit(":apigateway:".into()),
        Part::Region,
        Part::Lit(":lambda:path/2015-03-31/functions/".into()),
        Part::Ref(function.clone(), Attr::Arn),
        Part::Lit("/invocations".into()),
    ])
}

/// A snapshot of a REST API's methods that a stage serves. A new revision
/// is a new deployment: CloudFormation does not redeploy one it has.
#[derive(Debug, Clone)]
pub struct RestDeployment {
    pub api: Id,
    /// A digest of the methods it deploys.
    pub revision: String,
}

impl RestStage {
    /// Each method setting: the resource path and method it applies to
    /// (`/*`, `*` for all) and its limits, the stage default first.
    pub fn method_settings(&self) -> Vec<(String, String, Throttle)> {
        std::iter::once(("/*".to_string(), "*".to_string(), self.throttle))
            .chain(self.method_throttles.iter().cloned())
            .collect()
    }
}

/// A REST API's stage: throttled, traced, access-logged.
#[derive(Debug, Clone)]
pub struct RestStage {
    pub api: Id,
    pub deployment: Id,
    pub name: String,
    pub throttle: Throttle,
    /// Per-method throttling: (resource path, HTTP method, limits).
    pub method_throttles: Vec<(String, String, Throttle)>,
    pub tracing: bool,
    pub access_log_group: Id,
    /// The JSON access-log format.
    pub access_log_format: String,
}

/// An AWS WAF web ACL (regional): allows what no rule blocks.
#[derive(Debug, Clone)]
pub struct WebAcl {
    pub name: String,
    /// The CloudWatch metric name of the ACL; each rule's is its name.
    pub metric: String,
    /// Requests one client IP may make per window before it is blocked.
    pub rate_per_ip: u32,
    /// Seconds.
    pub window: u32,
    /// AWS managed rule groups by their AWS name, in priority order after
    /// the rate rule.
    pub managed_rules: Vec<String>,
}

impl WebAcl {
    /// The rate-based rule's name (and metric).
    pub const RATE_RULE: &'static str = "rate-per-ip";
}

/// A web ACL protecting a regional resource (a REST API stage).
#[derive(Debug, Clone)]
pub struct WebAclAssociation {
    pub acl: Id,
    /// The stage's ARN.
    pub resource: Expr,
}

/// Where a web ACL's logs go, with the headers they must not carry.
#[derive(Debug, Clone)]
pub struct WebAclLogging {
    pub acl: Id,
    /// The log group's ARN (without `:*`, which WAF refuses).
    pub destination: Expr,
    /// Header names whose values are redacted (credentials).
    pub redacted_headers: Vec<String>,
}

/// A client's tier of a REST API stage: its own rate, burst and quota.
#[derive(Debug, Clone)]
pub struct UsagePlan {
    /// The spec's name of the client (`partner-a`).
    pub client: String,
    pub name: String,
    pub description: String,
    pub api: Id,
    pub stage: Id,
    pub throttle: Throttle,
    /// Requests per period (`DAY`, `WEEK`, `MONTH`).
    pub quota: Option<(u32, &'static str)>,
}

/// A client's API key. Its value is generated by API Gateway: the plan has
/// no field for one, so no template, output or diff can carry it.
#[derive(Debug, Clone)]
pub struct ApiKey {
    /// `<service>-<client>` (Terraform requires a name; CloudFormation's is
    /// generated).
    pub name: String,
    pub description: String,
}

/// An API key's membership of a usage plan.
#[derive(Debug, Clone)]
pub struct UsagePlanKey {
    pub plan: Id,
    pub key: Id,
}

/// Lets a service invoke a function, from one exact source.
#[derive(Debug, Clone)]
pub struct Permission {
    pub function: Id,
    pub principal: String,
    pub source_arn: Expr,
    pub source_account: bool,
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub expression: String,
    pub function: Id,
    pub description: String,
    /// Redelivery of a failed invocation by EventBridge.
    pub retry: Retry,
}

#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    /// Older events are dropped rather than retried.
    pub max_age_seconds: u32,
}

#[derive(Debug, Clone)]
pub struct EventSourceMapping {
    pub function: Id,
    pub source: Expr,
    pub batch_size: u32,
    /// `LATEST`/`TRIM_HORIZON` for streams.
    pub starting_position: Option<&'static str>,
    /// Streams: where records that keep failing are sent.
    pub on_failure: Option<Id>,
    /// Streams: split a failing batch to find the bad record, and stop
    /// retrying a record after these attempts or this age.
    pub stream_retry: Option<StreamRetry>,
    pub report_batch_item_failures: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct StreamRetry {
    pub bisect_on_error: bool,
    pub retry: Retry,
}

#[derive(Debug, Clone)]
pub struct Alarm {
    /// `<service>-<logical ID>`: both targets name alarms alike.
    pub name: String,
    pub description: String,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(&'static str, Expr)>,
    pub statistic: &'static str,
    pub period: u32,
    pub evaluation_periods: u32,
    pub threshold: f64,
    pub comparison: &'static str,
    /// No data (nothing happened) is not an alarm.
    pub treat_missing_data: &'static str,
    /// Where alarm notifications go (the alert topic), if `alerts` is set.
    pub actions: Vec<Id>,
}

/// The deployer's choices, as template parameters / Terraform variables.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: &'static str,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub description: String,
    pub value: Expr,
}

/// The whole stack.
#[derive(Debug, Clone)]
pub struct Plan {
    pub service: String,
    pub description: Option<String>,
    pub region: Option<String>,
    /// Applied to every resource (`service` first).
    pub tags: BTreeMap<String, String>,
    pub parameters: Vec<Parameter>,
    pub resources: Vec<Resource>,
    pub outputs: Vec<Output>,
}

impl Plan {
    /// One lookup by scanning; a pass that follows many references uses
    /// [`Plan::by_id`] instead, or it grows quadratically with the plan.
    pub fn get(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// The alert topic that alarms notify, when nothing is subscribed to it
    /// (the spec has alarms but no `alerts:`): the alarms reach nobody.
    pub fn unsubscribed_alert_topic(&self) -> Option<&Resource> {
        let topic = self.get(crate::plan::logical_id::ALERTS_TOPIC)?;
        let subscribed = self
            .resources
            .iter()
            .any(|r| matches!(&r.kind, Kind::Subscription(s) if s.topic == topic.id));
        (!subscribed).then_some(topic)
    }

    pub fn by_id(&self) -> ById<'_> {
        ById(self.resources.iter().map(|r| (r.id.as_str(), r)).collect())
    }
}

/// The plan's resources indexed by logical ID.
pub struct ById<'a>(std::collections::HashMap<&'a str, &'a Resource>);

impl<'a> ById<'a> {
    pub fn get(&self, id: &str) -> Option<&'a Resource> {
        self.0.get(id).copied()
    }
}
