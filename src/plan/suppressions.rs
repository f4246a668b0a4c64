//! Scanner checks that do not fit a serverless stack: each decision once,
//! with the scanner checks it answers in every scanner the gate runs
//! (checkov, cdk-nag, cfn-guard with the AWS Guard Rules Registry) and the
//! written reason that is emitted beside each scanner's suppression and
//! listed in the security report. Waived controls add theirs from the
//! catalog (`checkov`, `cdk_nag`, `guard`) in `plan::build`. Keep this list
//! short: fix rather than suppress.

use std::borrow::Cow::Borrowed;

use crate::plan::{Check, Expr, Kind, Part, Resource, Suppression};

fn decision(checks: Vec<Check>, reason: &'static str) -> Suppression {
    Suppression {
        checks,
        reason: Borrowed(reason),
    }
}

/// A REST API stage whose web ACL leaves out AWS's anonymous-IP list:
/// checkov's Log4j check on the stage asks for it beside the known bad inputs.
pub fn stage_without_anonymous_ip() -> Suppression {
    decision(
        vec![Check::CheckovTerraform("CKV2_AWS_77")],
        "AWSManagedRulesAnonymousIpList is opt-in (`waf.managed_rules: [..., anonymous-ip]`): it also blocks cloud hosting providers and VPNs, where API clients often run. Log4j exploit requests are blocked by AWSManagedRulesKnownBadInputsRuleSet, which the web ACL always has (CKV_AWS_192).",
    )
}

/// Why a REST API's methods have no request validators.
const PROXY_VALIDATES: &str = "Every method is a Lambda proxy: the function receives the request as sent and validates it; API Gateway request validators would need request models the spec does not describe.";

/// The suppressions a resource carries because of what it is.
pub fn for_resource(resource: &Resource) -> Vec<Suppression> {
    use Check::{
        CdkNag, CdkNagResources, Checkov, CheckovTerraform, CheckovTerraformCompanion, Guard,
    };
    match &resource.kind {
        Kind::Function(_) => vec![
            decision(
                vec![Checkov("CKV_AWS_117"), Guard("LAMBDA_INSIDE_VPC")],
                "The function calls only AWS service APIs over TLS with IAM authentication and has no inbound network path; a VPC would add NAT or endpoint cost and cold-start latency without reducing exposure.",
            ),
            decision(
                vec![CheckovTerraform("CKV_AWS_272")],
                "Code signing needs an AWS Signer profile, which the spec does not model yet (planned); the package is built reproducibly by palisade and pinned by its SHA-256 in source_code_hash.",
            ),
            decision(
                vec![CdkNag("AwsSolutions-L1")],
                "The runtime is the spec's choice among the runtimes Palisade supports: deprecated runtimes are refused (PAL-FN-005) and `palisade check` advises when a newer one of the family exists (palisade.runtime-update). cdk-nag's notion of latest follows its aws-cdk-lib release, not the runtimes Lambda and Palisade support.",
            ),
        ],
        Kind::Role(role) => {
            let mut found = vec![
                decision(
                    vec![Guard("IAM_NO_INLINE_POLICY_CHECK")],
                    "The policy is inline on purpose: it belongs to this one role, is created and deleted with it, and cannot be attached anywhere else; managed policies are refused (PAL-IAM-003).",
                ),
                decision(
                    vec![Guard("CFN_NO_EXPLICIT_RESOURCE_NAMES")],
                    "Rule defect: a suppression only decides whether the rule runs, which it does while any resource of its types (roles among them) is unsuppressed, and then it checks all of them. This role has no RoleName (CloudFormation names it); it carries the suppression so that the named tables' and alarms' take effect.",
                ),
            ];
            let wildcards: Vec<Expr> = role
                .policy
                .iter()
                .flat_map(|s| &s.resources)
                .filter(|r| {
                    r.0.iter()
                        .any(|p| matches!(p, Part::Lit(text) if text.contains('*')))
                })
                .cloned()
                .collect();
            if !wildcards.is_empty() {
                found.push(Suppression {
                    checks: vec![
                        CdkNagResources("AwsSolutions-IAM5", wildcards),
                        Guard("IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE"),
                    ],
                    reason: Borrowed(role.wildcards),
                });
            }
            found
        }
        Kind::Bucket(bucket) => {
            let mut found = vec![
                decision(
                    vec![
                        CheckovTerraform("CKV_AWS_144"),
                        Guard("S3_BUCKET_REPLICATION_ENABLED"),
                    ],
                    "Cross-region replication needs a second bucket and key in another region that this single-region stack does not own; versioning and retention on deletion protect the data in place.",
                ),
                decision(
                    vec![Guard("S3_BUCKET_DEFAULT_LOCK_ENABLED")],
                    "Object Lock makes every object undeletable for its retention period, which the bucket's lifecycle expiry and data-deletion duties need to do; versioning and retention on deletion protect against loss.",
                ),
                decision(
                    vec![Guard("S3_BUCKET_NO_PUBLIC_RW_ACL")],
                    "Rule defect under cfn-guard 3.x: it fails every bucket without `AccessControl`. ACLs are disabled here (ObjectOwnership BucketOwnerEnforced) and all four public-access blocks are on (PAL-DATA-005).",
                ),
            ];
            if bucket.notifications.is_empty() {
                found.push(decision(
                    vec![CheckovTerraform("CKV2_AWS_62")],
                    "Nothing in the service consumes this bucket's object events; notifications with no consumer add no monitoring. Access is logged by S3 server access logs and CloudTrail.",
                ));
            }
            if bucket.key.is_none() {
                // Only the access-log bucket is without the service key.
                found.push(decision(
                    vec![CheckovTerraform("CKV_AWS_145")],
                    "S3 delivers server access logs only to buckets encrypted with SSE-S3, so this log bucket cannot use the service key.",
                ));
                found.push(decision(
                    vec![Checkov("CKV_AWS_18"), Guard("S3_BUCKET_LOGGING_ENABLED")],
                    "This bucket is the destination of the service's S3 server access logs; logging it to itself would recurse. Access to it is recorded by CloudTrail.",
                ));
            }
            found
        }
        Kind::Table(_) => vec![decision(
            vec![Guard("CFN_NO_EXPLICIT_RESOURCE_NAMES")],
            "Tables are named `<service>-<name>` so that the data, retained beyond the stack, is found by name in backups, consoles and runbooks; `palisade diff` flags any change that would replace a named table.",
        )],
        Kind::Alarm(alarm) => {
            let mut found = vec![decision(
                vec![Guard("CFN_NO_EXPLICIT_RESOURCE_NAMES")],
                "Alarms are named `<service>-<logical ID>` so that whoever is paged sees which service and resource alarmed; Terraform requires the name anyway, and both targets name alarms alike.",
            )];
            if alarm.actions.is_empty() {
                found.push(decision(
                    vec![Guard("CLOUDWATCH_ALARM_ACTION_CHECK")],
                    "The spec has no `alerts:`, so there is no topic to notify: the alarm records state for dashboards and `palisade check` only. Add `alerts: { email: ... }` to be notified.",
                ));
            }
            found
        }
        Kind::Permission(permission) if permission.principal == "s3.amazonaws.com" => {
            vec![decision(
                vec![Guard("LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED")],
                "Rule defect: it requires every Lambda permission of a template to pass the same branch, so an S3 permission next to any other service's fails. This one is scoped by SourceArn and SourceAccount (PAL-IAM-004); the rule still checks every other permission.",
            )]
        }
        Kind::Route(route) => match &route.public_reason {
            Some(reason) => vec![Suppression {
                checks: vec![CdkNag("AwsSolutions-APIG4")],
                reason: format!("Public route by spec: {reason}").into(),
            }],
            None => Vec::new(),
        },
        Kind::RestMethod(method) => {
            let mut found = vec![decision(
                vec![CheckovTerraform("CKV2_AWS_53")],
                PROXY_VALIDATES,
            )];
            if method.authorizer.is_some() {
                found.push(decision(
                    vec![CdkNag("AwsSolutions-COG4")],
                    "The method's authorizer is Palisade's JWT authorizer function (a Lambda TOKEN authorizer), which verifies the spec's issuer, audience and scopes: API Gateway's Cognito authorizer would check no audience, and no issuer but a Cognito user pool.",
                ));
            }
            if let Some(reason) = &method.public_reason {
                found.push(Suppression {
                    checks: vec![
                        Checkov("CKV_AWS_59"),
                        Guard("API_GW_METHOD_AUTHORIZATION_TYPE_RULE"),
                        CdkNag("AwsSolutions-APIG4"),
                        CdkNag("AwsSolutions-COG4"),
                    ],
                    reason: format!("Public route by spec: {reason}").into(),
                });
            }
            found
        }
        // Browsers send the preflight without credentials (Fetch standard):
        // it can carry neither a token nor an API key. API Gateway answers it
        // itself; no function runs.
        Kind::RestPreflight(_) => vec![decision(
            vec![
                Checkov("CKV_AWS_59"),
                CheckovTerraform("CKV2_AWS_53"),
                Guard("API_GW_METHOD_AUTHORIZATION_TYPE_RULE"),
                CdkNag("AwsSolutions-APIG4"),
                CdkNag("AwsSolutions-COG4"),
            ],
            "A CORS preflight (OPTIONS): browsers send it without credentials, so it can require neither a token nor an API key; API Gateway answers it itself (a mock integration) with the spec's CORS headers, and no function runs.",
        )],
        Kind::RestApi(_) => vec![decision(
            vec![CdkNag("AwsSolutions-APIG2")],
            PROXY_VALIDATES,
        )],
        Kind::ApiKey(_) => vec![decision(
            vec![Guard("CFN_NO_EXPLICIT_RESOURCE_NAMES")],
            "Rule defect: a suppression only decides whether the rule runs, which it does while any resource of its types (API keys among them) is unsuppressed, and then it checks all of them. This key has no Name (API Gateway generates it, and its value); it carries the suppression so that the named tables' and alarms' take effect.",
        )],
        Kind::RestStage(_) => vec![
            decision(
                vec![
                    Checkov("CKV_AWS_120"),
                    CheckovTerraformCompanion("aws_api_gateway_method_settings", "CKV_AWS_225"),
                    Guard("API_GW_CACHE_ENABLED_AND_ENCRYPTED"),
                ],
                "No response cache: the routes answer authenticated callers, and a stage cache keyed without the caller would serve one caller's response to another; API Gateway's cache is also billed by the hour whether used or not.",
            ),
            decision(
                vec![
                    CheckovTerraform("CKV2_AWS_4"),
                    Guard("API_GW_EXECUTION_LOGGING_ENABLED"),
                    CdkNag("AwsSolutions-APIG6"),
                ],
                "Execution logging is off on purpose: API Gateway writes it to a log group it creates itself, unencrypted and kept forever. The stage's access log (PAL-API-004) records every request, in a KMS-encrypted log group with retention.",
            ),
            decision(
                vec![CheckovTerraform("CKV2_AWS_51")],
                "Client certificates authenticate API Gateway to HTTP backends; every integration here is a Lambda proxy invoked through IAM (each permission scoped to its route), so there is no backend to present one to.",
            ),
        ],
        Kind::Key(_)
        | Kind::KeyAlias { .. }
        | Kind::LogGroup(_)
        | Kind::Queue(_)
        | Kind::Topic(_)
        | Kind::ResourcePolicy(_)
        | Kind::Subscription(_)
        | Kind::Secret(_)
        | Kind::RotationSchedule(_)
        | Kind::Api(_)
        | Kind::Authorizer(_)
        | Kind::Integration(_)
        | Kind::Stage(_)
        | Kind::Permission(_)
        | Kind::Schedule(_)
        | Kind::EventSourceMapping(_)
        | Kind::RestResource(_)
        | Kind::RestGatewayResponse(_)
        | Kind::RestAuthorizer(_)
        | Kind::RestDeployment(_)
        | Kind::WebAcl(_)
        | Kind::WebAclAssociation(_)
        | Kind::WebAclLogging(_)
        | Kind::UsagePlan(_)
        | Kind::UsagePlanKey(_) => Vec::new(),
    }
}
