//! The kind registry: one description per kind of plan resource, the one
//! place that says what each kind is in every target. The emitters' type
//! names, the Terraform file a kind is written to, the diff's replacement and
//! data-loss tables, the plan's retention and the graph's shape all read it;
//! `tests/architecture.rs` checks the emitters write exactly these types.
//!
//! Adding a kind: a `Kind` variant (model.rs), a `Tag` and its line in
//! [`Kind::tag`], a [`Description`] in [`KINDS`]; the compiler then points at
//! every exhaustive match that must learn it (docs/architecture.md).

use super::model::{Attr, Kind, PolicyOn};
use crate::spec::Section;

/// A kind without its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    Key,
    KeyAlias,
    LogGroup,
    Role,
    Function,
    Table,
    Queue,
    Bucket,
    Topic,
    QueuePolicy,
    BucketPolicy,
    TopicPolicy,
    Subscription,
    Secret,
    RotationSchedule,
    Api,
    Authorizer,
    Integration,
    Route,
    Stage,
    Permission,
    Schedule,
    EventSourceMapping,
    Alarm,
    RestApi,
    RestResource,
    RestMethod,
    RestPreflight,
    RestGatewayResponse,
    RestAuthorizer,
    RestDeployment,
    RestStage,
    WebAcl,
    WebAclAssociation,
    WebAclLogging,
    UsagePlan,
    ApiKey,
    UsagePlanKey,
}

/// The Terraform file a kind is written to (`dist/terraform/<area>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Kms,
    Iam,
    Functions,
    Storage,
    Api,
    Monitoring,
}

impl Area {
    pub fn file(self) -> &'static str {
        match self {
            Area::Kms => "kms.tf",
            Area::Iam => "iam.tf",
            Area::Functions => "functions.tf",
            Area::Storage => "storage.tf",
            Area::Api => "api.tf",
            Area::Monitoring => "monitoring.tf",
        }
    }
}

/// How `palisade graph` shows a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// A node of its own.
    Node,
    /// Only as edges between other nodes (a trigger, a permission).
    Edges,
    /// Not at all: a detail of the node it belongs to.
    Detail,
}

/// A resource type and the settings whose change replaces a resource of it
/// (delete and recreate): CloudFormation's "Update requires: Replacement",
/// the AWS provider's `ForceNew` ("Forces new resource").
#[derive(Debug, Clone, Copy)]
pub struct Type {
    pub name: &'static str,
    pub replaced_by: &'static [&'static str],
}

const fn ty(name: &'static str, replaced_by: &'static [&'static str]) -> Type {
    Type { name, replaced_by }
}

#[derive(Debug, Clone, Copy)]
pub struct Description {
    pub tag: Tag,
    /// What it is, in words both targets share (reports, graphs).
    pub name: &'static str,
    /// The attribute CloudFormation's `Ref` returns, which Terraform's
    /// translation of a plain reference must return too.
    pub reference: Attr,
    pub cloudformation: Type,
    /// The Terraform resource the plan resource becomes (its address).
    pub terraform: Type,
    /// Further Terraform resources it is written as (S3's split settings).
    pub terraform_companions: &'static [Type],
    /// Deleting or replacing it loses data, or state others depend on (a
    /// topic's confirmed subscriptions): the diff's data-loss class.
    pub holds_data: bool,
    /// The plan keeps it when it leaves the stack (DeletionPolicy Retain,
    /// `prevent_destroy`), unless a waiver of PAL-DATA-001 says otherwise.
    pub retained: bool,
    pub area: Area,
    pub drawn: Drawn,
    /// Needs a resource policy refusing requests without TLS (PAL-TLS-001).
    pub tls_only: bool,
    /// The spec section whose names `access:` grants reach it by.
    pub access: Option<Section>,
}

impl Kind {
    pub fn tag(&self) -> Tag {
        match self {
            Kind::Key(_) => Tag::Key,
            Kind::KeyAlias { .. } => Tag::KeyAlias,
            Kind::LogGroup(_) => Tag::LogGroup,
            Kind::Role(_) => Tag::Role,
            Kind::Function(_) => Tag::Function,
            Kind::Table(_) => Tag::Table,
            Kind::Queue(_) => Tag::Queue,
            Kind::Bucket(_) => Tag::Bucket,
            Kind::Topic(_) => Tag::Topic,
            Kind::ResourcePolicy(policy) => match policy.on {
                PolicyOn::Queue => Tag::QueuePolicy,
                PolicyOn::Bucket => Tag::BucketPolicy,
                PolicyOn::Topic => Tag::TopicPolicy,
            },
            Kind::Subscription(_) => Tag::Subscription,
            Kind::Secret(_) => Tag::Secret,
            Kind::RotationSchedule(_) => Tag::RotationSchedule,
            Kind::Api(_) => Tag::Api,
            Kind::Authorizer(_) => Tag::Authorizer,
            Kind::Integration(_) => Tag::Integration,
            Kind::Route(_) => Tag::Route,
            Kind::Stage(_) => Tag::Stage,
            Kind::Permission(_) => Tag::Permission,
            Kind::Schedule(_) => Tag::Schedule,
            Kind::EventSourceMapping(_) => Tag::EventSourceMapping,
            Kind::Alarm(_) => Tag::Alarm,
            Kind::RestApi(_) => Tag::RestApi,
            Kind::RestResource(_) => Tag::RestResource,
            Kind::RestMethod(_) => Tag::RestMethod,
            Kind::RestPreflight(_) => Tag::RestPreflight,
            Kind::RestGatewayResponse(_) => Tag::RestGatewayResponse,
            Kind::RestAuthorizer(_) => Tag::RestAuthorizer,
            Kind::RestDeployment(_) => Tag::RestDeployment,
            Kind::RestStage(_) => Tag::RestStage,
            Kind::WebAcl(_) => Tag::WebAcl,
            Kind::WebAclAssociation(_) => Tag::WebAclAssociation,
            Kind::WebAclLogging(_) => Tag::WebAclLogging,
            Kind::UsagePlan(_) => Tag::UsagePlan,
            Kind::ApiKey(_) => Tag::ApiKey,
            Kind::UsagePlanKey(_) => Tag::UsagePlanKey,
        }
    }

    pub fn describe(&self) -> &'static Description {
        self.tag().describe()
    }
}

impl Tag {
    pub fn describe(self) -> &'static Description {
        // KINDS is in Tag order (a test says so), so this is an index.
        &KINDS[self as usize]
    }
}

const S3_COMPANIONS: &[Type] = &[
    ty("aws_s3_bucket_versioning", &["bucket"]),
    ty(
        "aws_s3_bucket_server_side_encryption_configuration",
        &["bucket"],
    ),
    ty("aws_s3_bucket_public_access_block", &["bucket"]),
    ty("aws_s3_bucket_ownership_controls", &["bucket"]),
    ty("aws_s3_bucket_lifecycle_configuration", &["bucket"]),
    ty("aws_s3_bucket_logging", &["bucket"]),
    ty("aws_s3_bucket_notification", &["bucket"]),
];

/// Every kind, in [`Tag`] order.
pub const KINDS: &[Description] = &[
    Description {
        tag: Tag::Key,
        name: "KMS key",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::KMS::Key",
            &["KeySpec", "KeyUsage", "MultiRegion", "Origin"],
        ),
        terraform: ty(
            "aws_kms_key",
            &[
                "customer_master_key_spec",
                "key_usage",
                "multi_region",
                "custom_key_store_id",
            ],
        ),
        terraform_companions: &[],
        // Everything encrypted with it is unreadable once it is gone.
        holds_data: true,
        retained: true,
        area: Area::Kms,
        drawn: Drawn::Node,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::KeyAlias,
        name: "KMS alias",
        reference: Attr::Id,
        cloudformation: ty("AWS::KMS::Alias", &["AliasName"]),
        terraform: ty("aws_kms_alias", &["name", "name_prefix"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Kms,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::LogGroup,
        name: "log group",
        reference: Attr::Name,
        cloudformation: ty("AWS::Logs::LogGroup", &["LogGroupName"]),
        terraform: ty("aws_cloudwatch_log_group", &["name", "name_prefix"]),
        terraform_companions: &[],
        holds_data: true,
        retained: true,
        area: Area::Monitoring,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Role,
        name: "IAM role",
        reference: Attr::Name,
        cloudformation: ty("AWS::IAM::Role", &["RoleName", "Path"]),
        terraform: ty("aws_iam_role", &["name", "name_prefix", "path"]),
        terraform_companions: &[ty("aws_iam_role_policy", &["name", "name_prefix", "role"])],
        holds_data: false,
        retained: false,
        area: Area::Iam,
        // A function's permissions are its edges.
        drawn: Drawn::Edges,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Function,
        name: "function",
        reference: Attr::Name,
        cloudformation: ty("AWS::Lambda::Function", &["FunctionName", "PackageType"]),
        terraform: ty("aws_lambda_function", &["function_name", "package_type"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Functions,
        drawn: Drawn::Node,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Table,
        name: "table",
        reference: Attr::Name,
        cloudformation: ty("AWS::DynamoDB::Table", &["TableName", "KeySchema"]),
        terraform: ty("aws_dynamodb_table", &["name", "hash_key", "range_key"]),
        terraform_companions: &[],
        holds_data: true,
        retained: true,
        area: Area::Storage,
        drawn: Drawn::Node,
        tls_only: false,
        access: Some(Section::Table),
    },
    Description {
        tag: Tag::Queue,
        name: "queue",
        reference: Attr::Url,
        cloudformation: ty("AWS::SQS::Queue", &["QueueName", "FifoQueue"]),
        terraform: ty("aws_sqs_queue", &["name", "name_prefix", "fifo_queue"]),
        terraform_companions: &[],
        holds_data: true,
        retained: true,
        area: Area::Storage,
        drawn: Drawn::Node,
        tls_only: true,
        access: Some(Section::Queue),
    },
    Description {
        tag: Tag::Bucket,
        name: "bucket",
        reference: Attr::Name,
        cloudformation: ty("AWS::S3::Bucket", &["BucketName"]),
        terraform: ty(
            "aws_s3_bucket",
            &["bucket", "bucket_prefix", "object_lock_enabled"],
        ),
        terraform_companions: S3_COMPANIONS,
        holds_data: true,
        retained: true,
        area: Area::Storage,
        drawn: Drawn::Node,
        tls_only: true,
        access: Some(Section::Bucket),
    },
    Description {
        tag: Tag::Topic,
        name: "topic",
        reference: Attr::Arn,
        cloudformation: ty("AWS::SNS::Topic", &["TopicName", "FifoTopic"]),
        terraform: ty("aws_sns_topic", &["name", "name_prefix", "fifo_topic"]),
        terraform_companions: &[],
        // SNS stores no messages, but a replaced topic drops its confirmed
        // subscriptions (email endpoints must confirm again).
        holds_data: true,
        // Kept with the stack's lifecycle: nothing to recover from a
        // retained topic that the stack would not recreate.
        retained: false,
        area: Area::Storage,
        drawn: Drawn::Node,
        tls_only: true,
        access: Some(Section::Topic),
    },
    Description {
        tag: Tag::QueuePolicy,
        name: "resource policy",
        reference: Attr::Id,
        cloudformation: ty("AWS::SQS::QueuePolicy", &[]),
        terraform: ty("aws_sqs_queue_policy", &["queue_url"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Storage,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::BucketPolicy,
        name: "resource policy",
        reference: Attr::Id,
        cloudformation: ty("AWS::S3::BucketPolicy", &["Bucket"]),
        terraform: ty("aws_s3_bucket_policy", &["bucket"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Storage,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::TopicPolicy,
        name: "resource policy",
        reference: Attr::Id,
        cloudformation: ty("AWS::SNS::TopicPolicy", &[]),
        terraform: ty("aws_sns_topic_policy", &["arn"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Storage,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Subscription,
        name: "subscription",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::SNS::Subscription",
            &["Protocol", "Endpoint", "TopicArn"],
        ),
        terraform: ty(
            "aws_sns_topic_subscription",
            &["protocol", "endpoint", "topic_arn"],
        ),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Storage,
        drawn: Drawn::Edges,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Secret,
        name: "secret",
        reference: Attr::Arn,
        cloudformation: ty("AWS::SecretsManager::Secret", &["Name"]),
        terraform: ty("aws_secretsmanager_secret", &["name", "name_prefix"]),
        terraform_companions: &[],
        holds_data: true,
        retained: true,
        area: Area::Storage,
        drawn: Drawn::Node,
        tls_only: false,
        access: Some(Section::Secret),
    },
    Description {
        tag: Tag::RotationSchedule,
        name: "secret rotation",
        reference: Attr::Id,
        cloudformation: ty("AWS::SecretsManager::RotationSchedule", &["SecretId"]),
        terraform: ty("aws_secretsmanager_secret_rotation", &["secret_id"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Storage,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Api,
        name: "HTTP API",
        reference: Attr::Id,
        cloudformation: ty("AWS::ApiGatewayV2::Api", &["ProtocolType"]),
        terraform: ty("aws_apigatewayv2_api", &["protocol_type"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        // Its routes are the nodes.
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Authorizer,
        name: "JWT authorizer",
        reference: Attr::Id,
        cloudformation: ty("AWS::ApiGatewayV2::Authorizer", &["ApiId"]),
        terraform: ty("aws_apigatewayv2_authorizer", &["api_id"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Integration,
        name: "integration",
        reference: Attr::Id,
        cloudformation: ty("AWS::ApiGatewayV2::Integration", &["ApiId"]),
        terraform: ty("aws_apigatewayv2_integration", &["api_id"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Route,
        name: "route",
        reference: Attr::Id,
        cloudformation: ty("AWS::ApiGatewayV2::Route", &["ApiId"]),
        terraform: ty("aws_apigatewayv2_route", &["api_id"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Node,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Stage,
        name: "API stage",
        reference: Attr::Id,
        cloudformation: ty("AWS::ApiGatewayV2::Stage", &["ApiId", "StageName"]),
        terraform: ty("aws_apigatewayv2_stage", &["api_id", "name"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Permission,
        name: "invoke permission",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::Lambda::Permission",
            &[
                "Action",
                "FunctionName",
                "Principal",
                "SourceArn",
                "SourceAccount",
                "EventSourceToken",
                "PrincipalOrgID",
            ],
        ),
        terraform: ty(
            "aws_lambda_permission",
            &[
                "action",
                "function_name",
                "principal",
                "source_arn",
                "source_account",
                "event_source_token",
                "principal_org_id",
                "qualifier",
                "statement_id",
                "statement_id_prefix",
            ],
        ),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Functions,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Schedule,
        name: "schedule",
        reference: Attr::Name,
        cloudformation: ty("AWS::Events::Rule", &["Name", "EventBusName"]),
        terraform: ty(
            "aws_cloudwatch_event_rule",
            &["name", "name_prefix", "event_bus_name"],
        ),
        terraform_companions: &[ty(
            "aws_cloudwatch_event_target",
            &["rule", "target_id", "event_bus_name"],
        )],
        holds_data: false,
        retained: false,
        area: Area::Functions,
        drawn: Drawn::Node,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::EventSourceMapping,
        name: "event source mapping",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::Lambda::EventSourceMapping",
            &[
                "EventSourceArn",
                "StartingPosition",
                "StartingPositionTimestamp",
            ],
        ),
        terraform: ty(
            "aws_lambda_event_source_mapping",
            &[
                "event_source_arn",
                "starting_position",
                "starting_position_timestamp",
            ],
        ),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Functions,
        drawn: Drawn::Edges,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::Alarm,
        name: "alarm",
        reference: Attr::Name,
        cloudformation: ty("AWS::CloudWatch::Alarm", &["AlarmName"]),
        terraform: ty("aws_cloudwatch_metric_alarm", &["alarm_name"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Monitoring,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::RestApi,
        name: "REST API",
        reference: Attr::Id,
        cloudformation: ty("AWS::ApiGateway::RestApi", &[]),
        terraform: ty("aws_api_gateway_rest_api", &[]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        // Its methods are the nodes.
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::RestResource,
        name: "REST API resource",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::ApiGateway::Resource",
            &["ParentId", "PathPart", "RestApiId"],
        ),
        terraform: ty("aws_api_gateway_resource", &["rest_api_id"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::RestMethod,
        name: "route",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::ApiGateway::Method",
            &["HttpMethod", "ResourceId", "RestApiId"],
        ),
        terraform: ty(
            "aws_api_gateway_method",
            &["http_method", "resource_id", "rest_api_id"],
        ),
        terraform_companions: &[ty(
            "aws_api_gateway_integration",
            &["http_method", "resource_id", "rest_api_id"],
        )],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Node,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::RestPreflight,
        name: "CORS preflight",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::ApiGateway::Method",
            &["HttpMethod", "ResourceId", "RestApiId"],
        ),
        terraform: ty(
            "aws_api_gateway_method",
            &["http_method", "resource_id", "rest_api_id"],
        ),
        terraform_companions: &[
            ty(
                "aws_api_gateway_integration",
                &["http_method", "resource_id", "rest_api_id"],
            ),
            ty(
                "aws_api_gateway_method_response",
                &["http_method", "resource_id", "rest_api_id", "status_code"],
            ),
            ty(
                "aws_api_gateway_integration_response",
                &["http_method", "resource_id", "rest_api_id", "status_code"],
            ),
        ],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::RestGatewayResponse,
        name: "REST API gateway response",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::ApiGateway::GatewayResponse",
            &["ResponseType", "RestApiId"],
        ),
        terraform: ty(
            "aws_api_gateway_gateway_response",
            &["response_type", "rest_api_id"],
        ),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::RestAuthorizer,
        name: "JWT authorizer",
        reference: Attr::Id,
        cloudformation: ty("AWS::ApiGateway::Authorizer", &["RestApiId"]),
        terraform: ty("aws_api_gateway_authorizer", &["rest_api_id"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::RestDeployment,
        name: "REST API deployment",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::ApiGateway::Deployment",
            &["DeploymentCanarySettings", "RestApiId"],
        ),
        terraform: ty(
            "aws_api_gateway_deployment",
            &["description", "rest_api_id", "triggers"],
        ),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::RestStage,
        name: "REST API stage",
        reference: Attr::Name,
        cloudformation: ty("AWS::ApiGateway::Stage", &["RestApiId", "StageName"]),
        terraform: ty("aws_api_gateway_stage", &["rest_api_id", "stage_name"]),
        terraform_companions: &[ty(
            "aws_api_gateway_method_settings",
            &["method_path", "rest_api_id", "stage_name"],
        )],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::WebAcl,
        name: "WAF web ACL",
        // `Ref` gives `name|id|scope`; the plan reads its `Arn` only.
        reference: Attr::Id,
        cloudformation: ty("AWS::WAFv2::WebACL", &["Name", "Scope"]),
        terraform: ty("aws_wafv2_web_acl", &["name", "name_prefix", "scope"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Node,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::WebAclAssociation,
        name: "WAF association",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::WAFv2::WebACLAssociation",
            &["ResourceArn", "WebACLArn"],
        ),
        terraform: ty(
            "aws_wafv2_web_acl_association",
            &["resource_arn", "web_acl_arn"],
        ),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::WebAclLogging,
        name: "WAF logging",
        reference: Attr::Id,
        cloudformation: ty("AWS::WAFv2::LoggingConfiguration", &["ResourceArn"]),
        terraform: ty("aws_wafv2_web_acl_logging_configuration", &["resource_arn"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::UsagePlan,
        name: "usage plan",
        reference: Attr::Id,
        cloudformation: ty("AWS::ApiGateway::UsagePlan", &[]),
        terraform: ty("aws_api_gateway_usage_plan", &[]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Node,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::ApiKey,
        name: "API key",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::ApiGateway::ApiKey",
            &["GenerateDistinctId", "Name", "Value"],
        ),
        terraform: ty("aws_api_gateway_api_key", &["customer_id", "value"]),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
    Description {
        tag: Tag::UsagePlanKey,
        name: "usage plan key",
        reference: Attr::Id,
        cloudformation: ty(
            "AWS::ApiGateway::UsagePlanKey",
            &["KeyId", "KeyType", "UsagePlanId"],
        ),
        terraform: ty(
            "aws_api_gateway_usage_plan_key",
            &["key_id", "key_type", "usage_plan_id"],
        ),
        terraform_companions: &[],
        holds_data: false,
        retained: false,
        area: Area::Api,
        drawn: Drawn::Detail,
        tls_only: false,
        access: None,
    },
];

/// Every type a target emits, with what replaces it: the registry's types
/// (primary and companions) for that target.
pub fn cloudformation_types() -> impl Iterator<Item = &'static Type> {
    KINDS.iter().map(|d| &d.cloudformation)
}

pub fn terraform_types() -> impl Iterator<Item = &'static Type> {
    KINDS
        .iter()
        .flat_map(|d| std::iter::once(&d.terraform).chain(d.terraform_companions))
}

/// The description of the kind a type belongs to, in either target (a
/// Terraform companion type answers for its kind).
pub fn by_type(resource_type: &str) -> Option<&'static Description> {
    KINDS.iter().find(|d| {
        d.cloudformation.name == resource_type
            || d.terraform.name == resource_type
            || d.terraform_companions
                .iter()
                .any(|t| t.name == resource_type)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_in_tag_order() {
        for (index, description) in KINDS.iter().enumerate() {
            assert_eq!(description.tag as usize, index, "{:?}", description.tag);
        }
        assert_eq!(KINDS.len(), Tag::UsagePlanKey as usize + 1);
    }

    #[test]
    fn retained_kinds_hold_data() {
        for d in KINDS {
            assert!(!d.retained || d.holds_data, "{:?}", d.tag);
        }
    }

    /// A type belongs to one kind, except a REST API method, which is a
    /// route or a CORS preflight: both describe it alike (what replaces it),
    /// so a lookup by type answers the same whichever it finds.
    #[test]
    fn every_type_is_listed_once_per_target() {
        let shared = |d: &Description| d.tag == Tag::RestPreflight;
        let mut cfn: Vec<&str> = KINDS
            .iter()
            .filter(|d| !shared(d))
            .map(|d| d.cloudformation.name)
            .collect();
        let mut tf: Vec<&str> = KINDS
            .iter()
            .filter(|d| !shared(d))
            .flat_map(|d| std::iter::once(&d.terraform).chain(d.terraform_companions))
            .map(|t| t.name)
            .collect();
        for types in [&mut cfn, &mut tf] {
            let before = types.len();
            types.sort();
            types.dedup();
            assert_eq!(before, types.len());
        }
        let route = &KINDS[Tag::RestMethod as usize];
        let preflight = &KINDS[Tag::RestPreflight as usize];
        assert_eq!(route.cloudformation.name, preflight.cloudformation.name);
        assert_eq!(
            route.cloudformation.replaced_by,
            preflight.cloudformation.replaced_by
        );
        assert_eq!(route.terraform.name, preflight.terraform.name);
        assert_eq!(route.terraform.replaced_by, preflight.terraform.replaced_by);
        assert_eq!(
            route.terraform_companions[0].name,
            preflight.terraform_companions[0].name
        );
    }
}
