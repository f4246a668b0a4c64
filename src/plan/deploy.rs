//! PAL-CI-001: the CI deploy roles for `deploy_role:`. GitHub Actions
//! assumes [`DEPLOY_ROLE`] through the account's GitHub OIDC provider; that
//! role can only drive change sets on this service's stack, upload artifacts
//! under `<service>/`, and hand [`EXECUTION_ROLE`] to CloudFormation, which
//! does the provisioning. CI credentials therefore never touch the service's
//! resources directly, and what CloudFormation may do is limited to this
//! service's names and leaves out every call that deletes retained data.
//!
//! Both roles live in the service's own stack, so the first deploy is made by
//! an administrator (it creates them); CI deploys every later change.

use super::model::*;
use crate::spec;

pub const DEPLOY_ROLE: &str = "DeployRole";
pub const EXECUTION_ROLE: &str = "CloudFormationExecutionRole";
/// GitHub Actions' OIDC issuer (host and path of `iss`).
pub const GITHUB_OIDC_HOST: &str = "token.actions.githubusercontent.com";
/// The audience `aws-actions/configure-aws-credentials` requests.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";
/// IAM accepts `MaxSessionDuration` from one to twelve hours only.
pub const MIN_SESSION_SECONDS: u32 = 3_600;
pub const MAX_SESSION_SECONDS: u32 = 43_200;
/// `max_session_minutes` when the spec is silent.
pub const DEFAULT_SESSION_MINUTES: u32 = 60;

/// Actions AWS offers no resource-level scoping for: the verification pass
/// allows a deploy role `*` for these and nothing else.
pub const UNSCOPED_ACTIONS: &[&str] = &[
    "kms:CreateKey",
    "kms:ListAliases",
    "lambda:CreateEventSourceMapping",
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeIndexPolicies",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:PutResourcePolicy",
    "sns:GetSubscriptionAttributes",
    "sns:Unsubscribe",
];

/// What the roles say about their `*` and `/*` resources, for cdk-nag.
const WILDCARDS: &str = "Patterns only where names are not known before deployment: CloudFormation names roles, rules and the access-log bucket `<service>-<LogicalId>-<random>`, keys and APIs get random IDs, objects live under the service's artifact prefix. Actions AWS cannot scope to a resource (kms:CreateKey, list calls, sns:Unsubscribe) are the only ones on `*`.";

/// The session length the workflow requests, in seconds.
pub fn session_seconds(role: &spec::DeployRole) -> u32 {
    role.max_session_minutes
        .as_ref()
        .map_or(DEFAULT_SESSION_MINUTES, |m| m.value)
        * 60
}

/// `repo:<owner>/<repo>:ref:refs/heads/<branch>`: the `sub` claim of a
/// workflow run on a push to that branch.
pub fn subject(repository: &str, branch: &str) -> String {
    format!("repo:{repository}:ref:refs/heads/{branch}")
}

/// The account's GitHub OIDC provider. It exists once per account (IAM
/// refuses a second provider for the same URL), so a service stack refers to
/// it rather than creating it.
pub fn oidc_provider() -> Expr {
    Expr(vec![
        Part::Lit("arn:".into()),
        Part::Partition,
        Part::Lit(":iam::".into()),
        Part::Account,
        Part::Lit(format!(":oidc-provider/{GITHUB_OIDC_HOST}")),
    ])
}

/// Whether a service's CloudFormation is, or may soon be, a root with
/// nested stacks (`emit::cloudformation::nested` splits at 450 resources;
/// the roles grant the nested stacks from half that, and whenever the spec
/// pins `nested_stacks:`). The plan decides the roles before the template
/// exists, hence the margin.
pub fn may_nest(spec: &spec::Spec, resources: usize) -> bool {
    spec.nested_stacks.is_some() || resources > NESTED_FROM / 2
}

/// The resource count over which the CloudFormation output is split
/// (`emit::cloudformation::nested::MAX_RESOURCES`; a test keeps them equal).
pub const NESTED_FROM: usize = 450;

/// The ARNs of the service's nested stacks: CloudFormation names them
/// `<root>-<logical ID>-<suffix>`, the logical IDs `Functions007Stack`
/// and `Data003Stack`.
fn nested_stacks(service: &str) -> Vec<Expr> {
    ["Functions", "Data"]
        .iter()
        .map(|tier| {
            Expr::arn_in_account(
                "cloudformation",
                vec![Part::Lit(format!("stack/{service}-{tier}*/*"))],
            )
        })
        .collect()
}

/// The deploy role: trusted by exactly the listed repository's branches.
/// `nested`: it also reads the nested stacks' change sets and events.
pub fn deploy_role(service: &str, role: &spec::DeployRole, nested: bool) -> Role {
    let repository = &role.github.repository.value;
    let artifacts = artifact_objects(service);
    let mut policy = vec![
        // `aws cloudformation deploy` calls exactly these; change set
        // actions are authorised against the stack's ARN.
        allow(
            "ChangeSetsOnServiceStack",
            &[
                "cloudformation:CreateChangeSet",
                "cloudformation:DeleteChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
                "cloudformation:ExecuteChangeSet",
            ],
            vec![Expr::arn_in_account(
                "cloudformation",
                vec![Part::Lit(format!("stack/{service}/*"))],
            )],
        ),
        Statement {
            conditions: vec![passed_to("cloudformation.amazonaws.com")],
            ..allow(
                "PassExecutionRoleToCloudFormation",
                &["iam:PassRole"],
                vec![Expr::arn(EXECUTION_ROLE)],
            )
        },
        allow(
            "UploadArtifacts",
            &["s3:GetObject", "s3:PutObject"],
            vec![artifacts],
        ),
    ];
    if nested {
        // A change set made with `--include-nested-stacks` has one per
        // nested stack, read by `palisade deploy` to show what changes.
        policy.push(allow(
            "ReadNestedChangeSets",
            &[
                "cloudformation:DescribeChangeSet",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
            ],
            nested_stacks(service),
        ));
    }
    Role {
        description: format!(
            "Deploys the {service} stack from GitHub Actions ({repository}); assumed through OIDC only (generated by palisade)"
        ),
        trust: vec![Statement {
            sid: "GitHubActionsOnTrustedBranches".into(),
            effect: Effect::Allow,
            principal: Some(Principal::Federated(oidc_provider())),
            actions: vec!["sts:AssumeRoleWithWebIdentity".into()],
            resources: Vec::new(),
            conditions: vec![
                Condition {
                    test: "StringEquals",
                    key: format!("{GITHUB_OIDC_HOST}:aud"),
                    values: vec![Expr::lit(STS_AUDIENCE)],
                },
                Condition {
                    test: "StringEquals",
                    key: format!("{GITHUB_OIDC_HOST}:sub"),
                    values: role
                        .github
                        .branches
                        .iter()
                        .map(|branch| Expr::lit(subject(repository, branch)))
                        .collect(),
                },
            ],
        }],
        policy,
        max_session_seconds: Some(
            session_seconds(role).clamp(MIN_SESSION_SECONDS, MAX_SESSION_SECONDS),
        ),
        wildcards: WILDCARDS,
        assumed_by: AssumedBy::Deploy,
    }
}

/// The CloudFormation service role. Its policy depends only on the service
/// name, never on what the spec declares: CloudFormation may create a new
/// resource before it has updated this role's policy, so a grant added in the
/// same change set could come too late.
/// `rest`: the service has a REST API, with its web ACL and usage plans;
/// only then does the role reach those (an HTTP-only service's role is as
/// it always was).
/// `nested`: CloudFormation also creates, updates and deletes the service's
/// nested stacks with this role (and reads their templates, which are
/// under the artifact prefix it already reads).
pub fn execution_role(service: &str, rest: bool, nested: bool) -> Role {
    let in_account =
        |aws_service: &str, rest: String| Expr::arn_in_account(aws_service, vec![Part::Lit(rest)]);
    let global_in_account = |aws_service: &str, rest: String| {
        Expr(vec![
            Part::Lit("arn:".into()),
            Part::Partition,
            Part::Lit(format!(":{aws_service}::")),
            Part::Account,
            Part::Lit(format!(":{rest}")),
        ])
    };
    let roles = global_in_account("iam", format!("role/{service}-*"));
    let functions = in_account("lambda", format!("function:{service}-*"));
    let function_condition = Condition {
        test: "ArnLike",
        key: "lambda:FunctionArn".into(),
        values: vec![functions.clone()],
    };
    let service_tag = Condition {
        test: "StringEquals",
        key: "aws:ResourceTag/service".into(),
        values: vec![Expr::lit(service)],
    };
    let mut policy = vec![
        allow(
            "ListAndCreateWithoutResourceScope",
            &[
                "kms:CreateKey",
                "kms:ListAliases",
                "logs:DescribeIndexPolicies",
                "logs:DescribeLogGroups",
                "logs:DescribeResourcePolicies",
                "sns:GetSubscriptionAttributes",
                "sns:Unsubscribe",
            ],
            vec![Expr::lit("*")],
        ),
        // Never ScheduleKeyDeletion, DisableKey or DisableKeyRotation: the
        // key is retained and its rotation is a control (PAL-KMS-001).
        Statement {
            conditions: vec![service_tag],
            ..allow(
                "ServiceKey",
                &[
                    "kms:CreateAlias",
                    "kms:CreateGrant",
                    "kms:Decrypt",
                    "kms:DeleteAlias",
                    "kms:DescribeKey",
                    "kms:EnableKey",
                    "kms:EnableKeyRotation",
                    "kms:Encrypt",
                    "kms:GenerateDataKey",
                    "kms:GetKeyPolicy",
                    "kms:GetKeyRotationStatus",
                    "kms:ListResourceTags",
                    "kms:PutKeyPolicy",
                    "kms:RevokeGrant",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:UpdateAlias",
                    "kms:UpdateKeyDescription",
                ],
                vec![in_account("kms", "key/*".into())],
            )
        },
        allow(
            "ServiceKeyAlias",
            &["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            vec![in_account("kms", format!("alias/palisade/{service}"))],
        ),
        // No DeleteLogGroup: log groups are retained.
        allow(
            "LogGroups",
            &[
                "logs:AssociateKmsKey",
                "logs:CreateLogGroup",
                "logs:GetDataProtectionPolicy",
                "logs:ListTagsForResource",
                "logs:PutRetentionPolicy",
                "logs:TagResource",
                "logs:UntagResource",
            ],
            vec![
                in_account("logs", format!("log-group:/aws/lambda/{service}-*")),
                in_account("logs", format!("log-group:/aws/apigateway/{service}/*")),
            ],
        ),
        // No AttachRolePolicy: roles never get managed policies (PAL-IAM-003).
        allow(
            "Roles",
            &[
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:DeleteRolePolicy",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            vec![roles.clone()],
        ),
        Statement {
            conditions: vec![passed_to("lambda.amazonaws.com")],
            ..allow("PassFunctionRolesToLambda", &["iam:PassRole"], vec![roles])
        },
        allow(
            "Functions",
            &[
                "lambda:AddPermission",
                "lambda:CreateFunction",
                "lambda:DeleteFunction",
                "lambda:DeleteFunctionConcurrency",
                "lambda:GetFunction",
                "lambda:GetFunctionCodeSigningConfig",
                "lambda:GetFunctionRecursionConfig",
                "lambda:GetFunctionScalingConfig",
                "lambda:GetPolicy",
                "lambda:GetRuntimeManagementConfig",
                // RotateSecret (a RotationSchedule) needs it for the
                // service's own rotation functions.
                "lambda:InvokeFunction",
                "lambda:ListTags",
                "lambda:PutFunctionConcurrency",
                "lambda:RemovePermission",
                "lambda:TagResource",
                "lambda:UntagResource",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
            ],
            vec![functions],
        ),
        Statement {
            conditions: vec![function_condition.clone()],
            ..allow(
                "CreateEventSourceMappingsForServiceFunctions",
                &["lambda:CreateEventSourceMapping"],
                vec![Expr::lit("*")],
            )
        },
        Statement {
            conditions: vec![function_condition],
            ..allow(
                "EventSourceMappingsOfServiceFunctions",
                &[
                    "lambda:DeleteEventSourceMapping",
                    "lambda:GetEventSourceMapping",
                    "lambda:UpdateEventSourceMapping",
                ],
                vec![in_account("lambda", "event-source-mapping:*".into())],
            )
        },
        // Lambda reads function code with the caller's credentials.
        allow(
            "ReadFunctionCode",
            &["s3:GetObject", "s3:GetObjectVersion"],
            vec![artifact_objects(service)],
        ),
        // No DeleteTable (tables are retained and deletion-protected), and
        // none of the item actions CloudFormation uses only to import data.
        allow(
            "Tables",
            &[
                "dynamodb:CreateTable",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:DescribeContributorInsights",
                "dynamodb:DescribeKinesisStreamingDestination",
                "dynamodb:DescribeTable",
                "dynamodb:DescribeTimeToLive",
                "dynamodb:GetResourcePolicy",
                "dynamodb:ListTagsOfResource",
                "dynamodb:TagResource",
                "dynamodb:UntagResource",
                "dynamodb:UpdateContinuousBackups",
                "dynamodb:UpdateContributorInsights",
                "dynamodb:UpdateTable",
                "dynamodb:UpdateTimeToLive",
            ],
            vec![in_account("dynamodb", format!("table/{service}-*"))],
        ),
        // No DeleteQueue: queues are retained.
        allow(
            "Queues",
            &[
                "sqs:CreateQueue",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ListQueueTags",
                "sqs:SetQueueAttributes",
                "sqs:TagQueue",
                "sqs:UntagQueue",
            ],
            vec![in_account("sqs", format!("{service}-*"))],
        ),
        allow(
            "Topics",
            &[
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:GetDataProtectionPolicy",
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:TagResource",
                "sns:UntagResource",
            ],
            vec![in_account("sns", format!("{service}-*"))],
        ),
        // No DeleteBucket: buckets are retained.
        allow(
            "Buckets",
            &[
                "s3:CreateBucket",
                "s3:DeleteBucketPolicy",
                "s3:GetAccelerateConfiguration",
                "s3:GetAnalyticsConfiguration",
                "s3:GetBucketAbac",
                "s3:GetBucketAcl",
                "s3:GetBucketCORS",
                "s3:GetBucketLogging",
                "s3:GetBucketMetadataTableConfiguration",
                "s3:GetBucketNotification",
                "s3:GetBucketObjectLockConfiguration",
                "s3:GetBucketOwnershipControls",
                "s3:GetBucketPolicy",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetBucketTagging",
                "s3:GetBucketVersioning",
                "s3:GetBucketWebsite",
                "s3:GetEncryptionConfiguration",
                "s3:GetIntelligentTieringConfiguration",
                "s3:GetInventoryConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:GetMetricsConfiguration",
                "s3:GetReplicationConfiguration",
                "s3:ListBucket",
                "s3:ListTagsForResource",
                "s3:PutBucketLogging",
                "s3:PutBucketNotification",
                "s3:PutBucketOwnershipControls",
                "s3:PutBucketPolicy",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketTagging",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:TagResource",
                "s3:UntagResource",
            ],
            vec![Expr(vec![
                Part::Lit("arn:".into()),
                Part::Partition,
                Part::Lit(format!(":s3:::{service}-*")),
            ])],
        ),
        // No GetSecretValue: a template's `{{resolve:secretsmanager:...}}`
        // reference would otherwise read the value. No DeleteSecret: retained.
        allow(
            "Secrets",
            &[
                "secretsmanager:CancelRotateSecret",
                "secretsmanager:CreateSecret",
                "secretsmanager:DescribeSecret",
                "secretsmanager:RotateSecret",
                "secretsmanager:TagResource",
                "secretsmanager:UntagResource",
                "secretsmanager:UpdateSecret",
            ],
            vec![in_account("secretsmanager", format!("secret:{service}/*"))],
        ),
        // HTTP API IDs are random: this scopes to the region's APIs only.
        allow(
            "HttpApis",
            &[
                "apigateway:DELETE",
                "apigateway:GET",
                "apigateway:PATCH",
                "apigateway:POST",
                "apigateway:PUT",
            ],
            // API Gateway authorises tagging as POST/DELETE on `/tags/<arn>`.
            vec![
                api_gateway("/apis"),
                api_gateway("/apis/*"),
                api_gateway("/tags/*"),
            ],
        ),
        allow(
            "ScheduleRules",
            &[
                "events:DeleteRule",
                "events:DescribeRule",
                "events:ListTagsForResource",
                "events:ListTargetsByRule",
                "events:PutRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:TagResource",
                "events:UntagResource",
            ],
            vec![in_account("events", format!("rule/{service}-*"))],
        ),
        allow(
            "Alarms",
            &[
                "cloudwatch:DeleteAlarms",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:ListTagsForResource",
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:TagResource",
                "cloudwatch:UntagResource",
            ],
            vec![in_account("cloudwatch", format!("alarm:{service}-*"))],
        ),
    ];
    if rest {
        policy.extend(rest_api_statements(service));
    }
    if nested {
        policy.push(allow(
            "NestedStacks",
            &[
                "cloudformation:CreateChangeSet",
                "cloudformation:CreateStack",
                "cloudformation:DeleteChangeSet",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeChangeSet",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
                "cloudformation:ExecuteChangeSet",
                "cloudformation:GetTemplate",
                "cloudformation:TagResource",
                "cloudformation:UntagResource",
                "cloudformation:UpdateStack",
            ],
            nested_stacks(service),
        ));
    }
    Role {
        description: format!(
            "CloudFormation service role for the {service} stack: manages this service's resources only (generated by palisade)"
        ),
        trust: vec![Statement {
            sid: "CloudFormationAssumesRole".into(),
            effect: Effect::Allow,
            principal: Some(Principal::Service(Expr::lit(
                "cloudformation.amazonaws.com",
            ))),
            actions: vec!["sts:AssumeRole".into()],
            resources: Vec::new(),
            conditions: Vec::new(),
        }],
        policy,
        max_session_seconds: None,
        wildcards: WILDCARDS,
        assumed_by: AssumedBy::Deploy,
    }
}

/// What a REST API stack adds: the API, its stage, usage plans and keys
/// (API Gateway authorises by path; REST API IDs are random, so this
/// scopes to the region's REST APIs), its web ACL (by name) and the WAF log
/// group and log delivery.
fn rest_api_statements(service: &str) -> Vec<Statement> {
    let wafv2 = |account: Option<()>, rest: String| {
        let mut parts = vec![
            Part::Lit("arn:".into()),
            Part::Partition,
            Part::Lit(":wafv2:".into()),
            Part::Region,
            Part::Lit(":".into()),
        ];
        match account {
            Some(()) => parts.push(Part::Account),
            None => parts.push(Part::Lit("*".into())),
        }
        parts.push(Part::Lit(format!(":{rest}")));
        Expr(parts)
    };
    vec![
        allow(
            "RestApis",
            &[
                "apigateway:DELETE",
                "apigateway:GET",
                "apigateway:PATCH",
                "apigateway:POST",
                "apigateway:PUT",
                // Associating the web ACL with the stage.
                "apigateway:SetWebACL",
            ],
            vec![
                api_gateway("/restapis"),
                api_gateway("/restapis/*"),
                api_gateway("/usageplans"),
                api_gateway("/usageplans/*"),
                api_gateway("/apikeys"),
                api_gateway("/apikeys/*"),
                api_gateway("/tags/*"),
            ],
        ),
        allow(
            "WebAcl",
            &[
                "wafv2:AssociateWebACL",
                "wafv2:CreateWebACL",
                "wafv2:DeleteLoggingConfiguration",
                "wafv2:DeleteWebACL",
                "wafv2:DisassociateWebACL",
                "wafv2:GetLoggingConfiguration",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "wafv2:ListTagsForResource",
                "wafv2:PutLoggingConfiguration",
                "wafv2:TagResource",
                "wafv2:UntagResource",
                "wafv2:UpdateWebACL",
            ],
            vec![
                wafv2(Some(()), format!("regional/webacl/{service}-api/*")),
                // AssociateWebACL is authorised on the stage too.
                api_gateway("/restapis/*/stages/*"),
                // The AWS managed rule groups the ACL references.
                wafv2(None, "regional/managedruleset/*".into()),
            ],
        ),
        // No DeleteLogGroup: retained, as the other log groups.
        allow(
            "WafLogGroup",
            &[
                "logs:AssociateKmsKey",
                "logs:CreateLogGroup",
                "logs:GetDataProtectionPolicy",
                "logs:ListTagsForResource",
                "logs:PutRetentionPolicy",
                "logs:TagResource",
                "logs:UntagResource",
            ],
            vec![Expr::arn_in_account(
                "logs",
                vec![Part::Lit(format!("log-group:aws-waf-logs-{service}"))],
            )],
        ),
        // WAF delivers its logs through CloudWatch Logs' vended-log delivery,
        // which has no resource to scope to.
        allow(
            "WafLogDelivery",
            &[
                "logs:CreateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:PutResourcePolicy",
            ],
            vec![Expr::lit("*")],
        ),
    ]
}

/// Objects under the service's prefix in the artifact bucket.
/// An API Gateway resource by path (API Gateway authorises by path, in
/// this region, with no account).
fn api_gateway(path: &str) -> Expr {
    Expr(vec![
        Part::Lit("arn:".into()),
        Part::Partition,
        Part::Lit(":apigateway:".into()),
        Part::Region,
        Part::Lit(format!("::{path}")),
    ])
}

fn artifact_objects(service: &str) -> Expr {
    Expr(vec![
        Part::Lit("arn:".into()),
        Part::Partition,
        Part::Lit(":s3:::".into()),
        Part::Param(super::logical_id::ARTIFACT_BUCKET),
        Part::Lit(format!("/{service}/*")),
    ])
}

fn passed_to(service: &str) -> Condition {
    Condition {
        test: "StringEquals",
        key: "iam:PassedToService".into(),
        values: vec![Expr::lit(service)],
    }
}

fn allow(sid: &str, actions: &[&str], resources: Vec<Expr>) -> Statement {
    Statement {
        sid: sid.into(),
        effect: Effect::Allow,
        principal: None,
        actions: actions.iter().map(|a| a.to_string()).collect(),
        resources,
        conditions: Vec::new(),
    }
}
