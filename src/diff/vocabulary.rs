//! What each target calls the settings the risk rules are about. The rules in
//! `classify` are written once, against [`Concept`]s; CloudFormation and
//! Terraform differ only in the names listed here.

use serde_json::Value;

use super::Target;

/// A setting a reviewer cares about, whatever the target calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Concept {
    /// A scanner suppression (checkov, cdk-nag).
    Suppression,
    /// Encryption settings: removing one weakens encryption at rest.
    Encryption,
    /// The server-side encryption algorithm: anything but `aws:kms` is weaker.
    EncryptionAlgorithm,
    /// A switch that turns encryption on.
    EncryptionEnabled,
    KeyRotation,
    /// One of the four S3 public-access-block switches.
    PublicAccessBlock,
    /// A whole public-access protection (the block, object ownership).
    PublicAccessProtection,
    /// A route's authorization type (`NONE` is public).
    AuthorizationType,
    Authorizer,
    AuthorizationScopes,
    /// A throttling or reserved-concurrency limit.
    Limit,
    /// A whole set of throttling settings.
    Throttling,
    /// Allowed CORS origins, methods or headers.
    CorsList,
    Cors,
    LogRetention,
    /// `DeletionPolicy: Retain` / `prevent_destroy`.
    Retain,
    /// Deletion protection and point-in-time recovery.
    DataProtection,
    /// Versioning status (`Enabled`).
    VersioningStatus,
    Versioning,
    /// Who may invoke a function: the permission's source, principal, function.
    InvokeSource,
    InvokePrincipal,
    InvokeFunction,
    /// A managed policy attached to a role.
    ManagedPolicy,
    /// Who an authorizer trusts: issuer, audience, identity source, user
    /// pools, authorizer function.
    Identity,
    /// What answers a route: its target, an integration's URI, the function
    /// an event source feeds.
    Wiring,
    /// The roles, users or groups a policy is attached to.
    Attachment,
    /// A canned ACL (`PublicRead`, `public-read`, ...).
    CannedAcl,
    /// One rule of an AWS WAF web ACL (a rate limit, a managed rule group).
    WafRule,
    /// Which web ACL protects a resource.
    WafProtection,
}

/// `(concept, only for this resource type, path suffix)`: a property whose
/// path ends with the suffix (list keys such as `Sid=x` skipped) means the concept.
type Names = &'static [(Concept, Option<&'static str>, &'static [&'static str])];

use Concept::*;

const CLOUDFORMATION: Names = &[
    (Encryption, None, &["KmsMasterKeyId"]),
    (Encryption, None, &["KMSMasterKeyId"]),
    (Encryption, None, &["KmsKeyId"]),
    (Encryption, None, &["KmsKeyArn"]),
    (Encryption, None, &["SSESpecification"]),
    (Encryption, None, &["SSEType"]),
    (Encryption, None, &["BucketEncryption"]),
    (Encryption, None, &["ServerSideEncryptionConfiguration"]),
    (Encryption, None, &["ServerSideEncryptionByDefault"]),
    (EncryptionAlgorithm, None, &["SSEAlgorithm"]),
    (EncryptionEnabled, None, &["SSEEnabled"]),
    (EncryptionEnabled, None, &["SqsManagedSseEnabled"]),
    (KeyRotation, None, &["EnableKeyRotation"]),
    (PublicAccessBlock, None, &["BlockPublicAcls"]),
    (PublicAccessBlock, None, &["BlockPublicPolicy"]),
    (PublicAccessBlock, None, &["IgnorePublicAcls"]),
    (PublicAccessBlock, None, &["RestrictPublicBuckets"]),
    (
        PublicAccessProtection,
        None,
        &["PublicAccessBlockConfiguration"],
    ),
    (PublicAccessProtection, None, &["OwnershipControls"]),
    (
        Limit,
        Some("AWS::WAFv2::WebACL"),
        &["RateBasedStatement", "Limit"],
    ),
    (WafRule, Some("AWS::WAFv2::WebACL"), &["Rules"]),
    (
        WafProtection,
        Some("AWS::WAFv2::WebACLAssociation"),
        &["WebACLArn"],
    ),
    (
        Limit,
        Some("AWS::ApiGateway::UsagePlan"),
        &["Throttle", "RateLimit"],
    ),
    (
        Limit,
        Some("AWS::ApiGateway::UsagePlan"),
        &["Throttle", "BurstLimit"],
    ),
    (
        Limit,
        Some("AWS::ApiGateway::UsagePlan"),
        &["Quota", "Limit"],
    ),
    (
        Throttling,
        Some("AWS::ApiGateway::UsagePlan"),
        &["Throttle"],
    ),
    (Throttling, Some("AWS::ApiGateway::UsagePlan"), &["Quota"]),
    (AuthorizationType, None, &["AuthorizationType"]),
    (AuthorizationType, Some("AWS::Lambda::Url"), &["AuthType"]),
    (Identity, None, &["JwtConfiguration", "Issuer"]),
    (Identity, None, &["JwtConfiguration", "Audience"]),
    (Identity, None, &["JwtConfiguration"]),
    (
        Identity,
        Some("AWS::ApiGatewayV2::Authorizer"),
        &["IdentitySource"],
    ),
    (
        Identity,
        Some("AWS::ApiGatewayV2::Authorizer"),
        &["AuthorizerType"],
    ),
    (Identity, None, &["AuthorizerUri"]),
    (Identity, None, &["ProviderARNs"]),
    (
        Identity,
        Some("AWS::ApiGateway::Authorizer"),
        &["IdentitySource"],
    ),
    (Identity, Some("AWS::ApiGateway::Authorizer"), &["Type"]),
    // Palisade's REST authorizer function: the issuer and audience it trusts.
    (
        Identity,
        Some("AWS::Lambda::Function"),
        &["Environment", "Variables", "PALISADE_JWT_ISSUER"],
    ),
    (
        Identity,
        Some("AWS::Lambda::Function"),
        &["Environment", "Variables", "PALISADE_JWT_AUDIENCE"],
    ),
    (Wiring, Some("AWS::ApiGatewayV2::Route"), &["Target"]),
    (Wiring, Some("AWS::ApiGatewayV2::Api"), &["Target"]),
    (Wiring, None, &["IntegrationUri"]),
    (
        Wiring,
        Some("AWS::ApiGateway::Method"),
        &["Integration", "Uri"],
    ),
    (
        Wiring,
        Some("AWS::Lambda::EventSourceMapping"),
        &["FunctionName"],
    ),
    (Authorizer, None, &["AuthorizerId"]),
    (AuthorizationScopes, None, &["AuthorizationScopes"]),
    (Limit, None, &["ThrottlingRateLimit"]),
    (Limit, None, &["ThrottlingBurstLimit"]),
    (Limit, None, &["ReservedConcurrentExecutions"]),
    (Throttling, None, &["DefaultRouteSettings"]),
    (Throttling, None, &["RouteSettings"]),
    (CorsList, None, &["AllowOrigins"]),
    (CorsList, None, &["AllowMethods"]),
    (CorsList, None, &["AllowHeaders"]),
    (Cors, None, &["CorsConfiguration"]),
    (LogRetention, None, &["RetentionInDays"]),
    (Retain, None, &["DeletionPolicy"]),
    (Retain, None, &["UpdateReplacePolicy"]),
    (DataProtection, None, &["DeletionProtectionEnabled"]),
    (DataProtection, None, &["PointInTimeRecoveryEnabled"]),
    (
        VersioningStatus,
        None,
        &["VersioningConfiguration", "Status"],
    ),
    (Versioning, None, &["VersioningConfiguration"]),
    (
        InvokeSource,
        Some("AWS::Lambda::Permission"),
        &["SourceArn"],
    ),
    (
        InvokeSource,
        Some("AWS::Lambda::Permission"),
        &["SourceAccount"],
    ),
    (
        InvokePrincipal,
        Some("AWS::Lambda::Permission"),
        &["Principal"],
    ),
    (
        InvokeFunction,
        Some("AWS::Lambda::Permission"),
        &["FunctionName"],
    ),
    (ManagedPolicy, None, &["ManagedPolicyArns"]),
    (Attachment, Some("AWS::IAM::Policy"), &["Roles"]),
    (Attachment, Some("AWS::IAM::Policy"), &["Users"]),
    (Attachment, Some("AWS::IAM::Policy"), &["Groups"]),
    (Attachment, Some("AWS::IAM::ManagedPolicy"), &["Roles"]),
    (Attachment, Some("AWS::IAM::ManagedPolicy"), &["Users"]),
    (Attachment, Some("AWS::IAM::ManagedPolicy"), &["Groups"]),
    (CannedAcl, None, &["AccessControl"]),
];

/// hashicorp/aws names. Settings CloudFormation keeps inside a bucket are
/// resources of their own here (`aws_s3_bucket_versioning`, ...); their
/// attributes carry the same concepts, and removing one while the bucket
/// stays is classified like removing the settings (see [`settings_parent`]).
const TERRAFORM: Names = &[
    (Encryption, None, &["kms_master_key_id"]),
    (Encryption, None, &["kms_key_id"]),
    (Encryption, None, &["kms_key_arn"]),
    (Encryption, None, &["server_side_encryption"]),
    (Encryption, None, &["server_side_encryption_configuration"]),
    (
        Encryption,
        None,
        &["apply_server_side_encryption_by_default"],
    ),
    (EncryptionAlgorithm, None, &["sse_algorithm"]),
    (
        EncryptionEnabled,
        None,
        &["server_side_encryption", "enabled"],
    ),
    (EncryptionEnabled, None, &["sqs_managed_sse_enabled"]),
    (KeyRotation, None, &["enable_key_rotation"]),
    (PublicAccessBlock, None, &["block_public_acls"]),
    (PublicAccessBlock, None, &["block_public_policy"]),
    (PublicAccessBlock, None, &["ignore_public_acls"]),
    (PublicAccessBlock, None, &["restrict_public_buckets"]),
    (
        PublicAccessProtection,
        Some("aws_s3_bucket_ownership_controls"),
        &["object_ownership"],
    ),
    (
        Limit,
        Some("aws_wafv2_web_acl"),
        &["rate_based_statement", "limit"],
    ),
    (WafRule, Some("aws_wafv2_web_acl"), &["rule"]),
    (
        WafProtection,
        Some("aws_wafv2_web_acl_association"),
        &["web_acl_arn"],
    ),
    (
        Limit,
        Some("aws_api_gateway_usage_plan"),
        &["throttle_settings", "rate_limit"],
    ),
    (
        Limit,
        Some("aws_api_gateway_usage_plan"),
        &["throttle_settings", "burst_limit"],
    ),
    (
        Limit,
        Some("aws_api_gateway_usage_plan"),
        &["quota_settings", "limit"],
    ),
    (
        Throttling,
        Some("aws_api_gateway_usage_plan"),
        &["throttle_settings"],
    ),
    (
        Throttling,
        Some("aws_api_gateway_usage_plan"),
        &["quota_settings"],
    ),
    (AuthorizationType, None, &["authorization_type"]),
    (Identity, None, &["jwt_configuration", "issuer"]),
    (Identity, None, &["jwt_configuration", "audience"]),
    (Identity, None, &["jwt_configuration"]),
    (Identity, None, &["identity_sources"]),
    (
        Identity,
        Some("aws_apigatewayv2_authorizer"),
        &["authorizer_type"],
    ),
    (Identity, None, &["authorizer_uri"]),
    (Identity, None, &["provider_arns"]),
    (
        Identity,
        Some("aws_api_gateway_authorizer"),
        &["identity_source"],
    ),
    // Palisade's REST authorizer function: the issuer and audience it trusts.
    (
        Identity,
        Some("aws_lambda_function"),
        &["variables", "PALISADE_JWT_ISSUER"],
    ),
    (
        Identity,
        Some("aws_lambda_function"),
        &["variables", "PALISADE_JWT_AUDIENCE"],
    ),
    (Wiring, Some("aws_apigatewayv2_route"), &["target"]),
    (Wiring, Some("aws_apigatewayv2_api"), &["target"]),
    (Wiring, None, &["integration_uri"]),
    (Wiring, Some("aws_api_gateway_integration"), &["uri"]),
    (
        Wiring,
        Some("aws_lambda_event_source_mapping"),
        &["function_name"],
    ),
    (Authorizer, None, &["authorizer_id"]),
    (AuthorizationScopes, None, &["authorization_scopes"]),
    (Limit, None, &["throttling_rate_limit"]),
    (Limit, None, &["throttling_burst_limit"]),
    (Limit, None, &["reserved_concurrent_executions"]),
    (Throttling, None, &["default_route_settings"]),
    (Throttling, None, &["route_settings"]),
    (CorsList, None, &["allow_origins"]),
    (CorsList, None, &["allow_methods"]),
    (CorsList, None, &["allow_headers"]),
    (Cors, None, &["cors_configuration"]),
    (LogRetention, None, &["retention_in_days"]),
    (Retain, None, &["lifecycle", "prevent_destroy"]),
    (DataProtection, None, &["deletion_protection_enabled"]),
    (DataProtection, None, &["point_in_time_recovery", "enabled"]),
    (
        VersioningStatus,
        None,
        &["versioning_configuration", "status"],
    ),
    // The bucket's own `versioning` block (provider v3 style, still accepted).
    (
        VersioningStatus,
        Some("aws_s3_bucket"),
        &["versioning", "enabled"],
    ),
    (Versioning, None, &["versioning_configuration"]),
    (InvokeSource, Some("aws_lambda_permission"), &["source_arn"]),
    (
        InvokeSource,
        Some("aws_lambda_permission"),
        &["source_account"],
    ),
    (
        InvokePrincipal,
        Some("aws_lambda_permission"),
        &["principal"],
    ),
    (
        InvokeFunction,
        Some("aws_lambda_permission"),
        &["function_name"],
    ),
    (ManagedPolicy, None, &["managed_policy_arns"]),
    (Attachment, Some("aws_iam_policy_attachment"), &["roles"]),
    (Attachment, Some("aws_iam_policy_attachment"), &["users"]),
    (Attachment, Some("aws_iam_policy_attachment"), &["groups"]),
    (
        Attachment,
        Some("aws_iam_role_policy_attachment"),
        &["role"],
    ),
    (Attachment, Some("aws_iam_role_policy"), &["role"]),
    (CannedAcl, None, &["acl"]),
    (
        ManagedPolicy,
        Some("aws_iam_role_policy_attachment"),
        &["policy_arn"],
    ),
    (
        ManagedPolicy,
        Some("aws_iam_policy_attachment"),
        &["policy_arn"],
    ),
];

/// The key under which a Terraform resource's `#checkov:skip=ID:reason`
/// comments are kept (`ID` → reason); no HCL attribute can be called this.
pub const TERRAFORM_SUPPRESSIONS: &str = "#checkov:skip";

fn names(target: Target) -> Names {
    match target {
        Target::CloudFormation => CLOUDFORMATION,
        Target::Terraform => TERRAFORM,
    }
}

/// What the property at `path` of a `resource_type` resource means, if a rule cares.
pub fn concept(target: Target, resource_type: &str, path: &[String]) -> Option<Concept> {
    let suppression = match target {
        Target::CloudFormation => {
            path.first().is_some_and(|p| p == "Metadata")
                && path.iter().any(|p| p == "checkov" || p == "cdk_nag")
        }
        Target::Terraform => path.first().is_some_and(|p| p == TERRAFORM_SUPPRESSIONS),
    };
    if suppression {
        return Some(Suppression);
    }
    // `RouteSettings.route_key=POST /x` is still about route settings, and
    // `Target.Fn::Join...` is about the target.
    let path: Vec<&str> = path
        .iter()
        .map(String::as_str)
        .take_while(|p| !p.starts_with("Fn::") && *p != "Ref")
        .filter(|p| !p.contains('='))
        .collect();
    names(target)
        .iter()
        .find(|(_, only, suffix)| only.is_none_or(|t| t == resource_type) && path.ends_with(suffix))
        .map(|(concept, _, _)| *concept)
}

/// Where a resource keeps its settings: CloudFormation under `Properties`,
/// Terraform at the top of the block.
pub fn settings(target: Target, resource: &Value) -> &Value {
    match target {
        Target::CloudFormation => &resource["Properties"],
        Target::Terraform => resource,
    }
}

/// The top-level setting a property path changes, for the replacement table.
pub fn setting(target: Target, path: &[String]) -> Option<&str> {
    match target {
        Target::CloudFormation => match path {
            [first, setting, ..] if first == "Properties" => Some(setting),
            _ => None,
        },
        Target::Terraform => path.first().map(String::as_str),
    }
}

/// The value of a top-level setting that means `concept`, if the resource has one.
pub fn find<'a>(
    target: Target,
    resource_type: &str,
    resource: &'a Value,
    concept: Concept,
) -> Option<&'a Value> {
    names(target)
        .iter()
        .filter(|(c, only, _)| *c == concept && only.is_none_or(|t| t == resource_type))
        .find_map(|(_, _, path)| {
            path.iter()
                .try_fold(settings(target, resource), |v, key| v.get(*key))
        })
}

/// Whether the resource is kept when its stack or configuration would
/// delete it: `DeletionPolicy: Retain`, or `lifecycle { prevent_destroy = true }`.
pub fn protected(target: Target, resource: &Value) -> bool {
    match target {
        Target::CloudFormation => resource["DeletionPolicy"].as_str() == Some("Retain"),
        Target::Terraform => resource["lifecycle"]["prevent_destroy"] == Value::Bool(true),
    }
}

/// Terraform resources that only carry settings of another resource, with
/// the attribute naming it: removing one while its parent stays removes
/// those settings from the parent (CloudFormation keeps them inside it).
const SETTINGS_OF: &[(&str, &str)] = &[
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        "bucket",
    ),
    ("aws_s3_bucket_versioning", "bucket"),
    ("aws_s3_bucket_public_access_block", "bucket"),
    ("aws_s3_bucket_ownership_controls", "bucket"),
    ("aws_s3_bucket_logging", "bucket"),
    ("aws_s3_bucket_lifecycle_configuration", "bucket"),
];

/// For a settings-only resource, the reference to its parent as written
/// (`aws_s3_bucket.receipts.id`, or a literal bucket name).
pub fn settings_parent<'a>(resource_type: &str, resource: &'a Value) -> Option<&'a str> {
    SETTINGS_OF
        .iter()
        .find(|(t, _)| *t == resource_type)
        .and_then(|(_, attribute)| resource[*attribute].as_str())
}

/// AWS WAF: its rules' `Statement` is what a rule matches, not an IAM
/// policy; and removing its web ACL or association removes protection.
pub fn is_waf(resource_type: &str) -> bool {
    resource_type.starts_with("AWS::WAFv2::") || resource_type.starts_with("aws_wafv2_")
}

/// A web ACL or its association with what it protects.
pub fn guards_requests(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "AWS::WAFv2::WebACL"
            | "AWS::WAFv2::WebACLAssociation"
            | "aws_wafv2_web_acl"
            | "aws_wafv2_web_acl_association"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| p.to_string()).collect()
    }

    /// Every rule can fire on both targets: a concept named by one table and
    /// not the other would be a risk one target reports and the other misses.
    #[test]
    fn both_targets_name_every_concept() {
        let named = |names: Names| -> std::collections::BTreeSet<Concept> {
            names.iter().map(|(c, _, _)| *c).collect()
        };
        assert_eq!(named(CLOUDFORMATION), named(TERRAFORM));
    }

    #[test]
    fn the_same_setting_is_the_same_concept() {
        let cases = [
            (
                "AWS::ApiGatewayV2::Stage",
                &["Properties", "DefaultRouteSettings", "ThrottlingRateLimit"][..],
                "aws_apigatewayv2_stage",
                &["default_route_settings", "throttling_rate_limit"][..],
                Limit,
            ),
            (
                "AWS::DynamoDB::Table",
                &[
                    "Properties",
                    "PointInTimeRecoverySpecification",
                    "PointInTimeRecoveryEnabled",
                ],
                "aws_dynamodb_table",
                &["point_in_time_recovery", "enabled"],
                DataProtection,
            ),
            (
                "AWS::S3::Bucket",
                &["DeletionPolicy"],
                "aws_s3_bucket",
                &["lifecycle", "prevent_destroy"],
                Retain,
            ),
            (
                "AWS::Lambda::Function",
                &["Metadata", "checkov", "skip"],
                "aws_lambda_function",
                &[TERRAFORM_SUPPRESSIONS, "CKV_AWS_117"],
                Suppression,
            ),
        ];
        for (cfn_type, cfn_path, tf_type, tf_path, expected) in cases {
            assert_eq!(
                concept(Target::CloudFormation, cfn_type, &path(cfn_path)),
                Some(expected)
            );
            assert_eq!(
                concept(Target::Terraform, tf_type, &path(tf_path)),
                Some(expected)
            );
        }
    }

    #[test]
    fn names_that_only_mean_something_on_one_type_do_not_match_others() {
        assert_eq!(
            concept(
                Target::Terraform,
                "aws_lambda_permission",
                &path(&["principal"])
            ),
            Some(InvokePrincipal)
        );
        assert_eq!(
            concept(
                Target::Terraform,
                "aws_sns_topic_subscription",
                &path(&["principal"])
            ),
            None
        );
        assert_eq!(
            concept(
                Target::Terraform,
                "aws_dynamodb_table",
                &path(&["ttl", "enabled"])
            ),
            None
        );
    }

    #[test]
    fn a_named_block_is_about_what_its_list_is_about() {
        assert_eq!(
            concept(
                Target::Terraform,
                "aws_apigatewayv2_stage",
                &path(&["route_settings", "route_key=POST /orders"])
            ),
            Some(Throttling)
        );
    }

    #[test]
    fn settings_are_found_by_concept() {
        let cfn = json!({ "Type": "AWS::Lambda::Permission", "Properties": { "Principal": "s3.amazonaws.com" } });
        let tf = json!({ "principal": "s3.amazonaws.com" });
        for (target, resource_type, resource) in [
            (Target::CloudFormation, "AWS::Lambda::Permission", &cfn),
            (Target::Terraform, "aws_lambda_permission", &tf),
        ] {
            assert_eq!(
                find(target, resource_type, resource, InvokePrincipal),
                Some(&json!("s3.amazonaws.com"))
            );
            assert_eq!(find(target, resource_type, resource, InvokeSource), None);
        }
    }

    #[test]
    fn protection_is_retain_or_prevent_destroy() {
        assert!(protected(
            Target::CloudFormation,
            &json!({ "DeletionPolicy": "Retain" })
        ));
        assert!(!protected(
            Target::CloudFormation,
            &json!({ "DeletionPolicy": "Delete" })
        ));
        assert!(protected(
            Target::Terraform,
            &json!({ "lifecycle": { "prevent_destroy": true } })
        ));
        assert!(!protected(Target::Terraform, &json!({ "lifecycle": {} })));
    }
}
