//! Every control has a passing case (the examples' plans satisfy it with the
//! control applied) and a failing case: either a spec that must be rejected,
//! or a plan broken on purpose that the verification pass must catch.

use std::collections::BTreeSet;

use palisade::controls::{Area, CATALOG, ids::*, verify::verify};
use palisade::diagnostic::Code;
use palisade::plan::{Check, Expr, Kind, Plan};

fn plan_of(example: &str) -> Plan {
    let path = format!("examples/{example}/palisade.yaml");
    let bytes = std::fs::read(&path).unwrap();
    let loaded = palisade::spec::load(&path, &bytes, None).unwrap();
    palisade::plan::compile(&loaded.spec, &Default::default()).unwrap()
}

fn all_plans() -> Vec<Plan> {
    ["orders", "webhooks", "media", "reports", "partners"]
        .map(plan_of)
        .into()
}

/// How a control is shown to fail.
enum Fail {
    /// Break the orders plan; verification must name the control.
    Mutation(fn(&mut Plan)),
    /// Break this example's plan instead (for what orders does not have).
    MutationOf(&'static str, fn(&mut Plan)),
    /// A spec (orders plus this text) that must be rejected with this code.
    Spec(&'static str, Code),
}

fn cases() -> Vec<(&'static str, Fail)> {
    use Fail::*;
    vec![
        (
            IAM_ROLE_PER_FUNCTION,
            Mutation(|p| {
                let shared = function_mut(p, "GetOrderFunction").role.clone();
                function_mut(p, "HealthFunction").role = shared;
            }),
        ),
        (
            IAM_DECLARED_ACCESS,
            Mutation(|p| {
                role_mut(p, "GetOrderRole").policy[0]
                    .actions
                    .push("dynamodb:*".into());
            }),
        ),
        (
            IAM_NO_MANAGED_POLICIES,
            Spec(
                "overrides:\n  cloudformation:\n    GetOrderRole:\n      Properties:\n        ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            API_WIRING,
            Spec(
                "overrides:\n  cloudformation:\n    HttpApiAuthorizer:\n      Properties:\n        JwtConfiguration: { Issuer: \"https://evil.example.com/\", Audience: [any] }\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            IAM_RESOURCE_POLICIES,
            Spec(
                "overrides:\n  terraform:\n    aws_sqs_queue.order_events:\n      policy: '{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}]}'\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            IAM_INVOKE_ONLY,
            Spec(
                "overrides:\n  cloudformation:\n    GetOrdersByIdPermission:\n      Properties: { Action: \"lambda:*\" }\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            KMS_KEY_ENABLED,
            Spec(
                "overrides:\n  cloudformation:\n    ServiceKey:\n      Properties: { Enabled: false }\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            MON_ALARMS_ENABLED,
            Spec(
                "overrides:\n  terraform:\n    aws_cloudwatch_metric_alarm.get_order_errors:\n      actions_enabled: false\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            DATA_IN_ACCOUNT,
            Spec(
                "overrides:\n  cloudformation:\n    GetOrderFunction:\n      Properties: { Layers: [\"arn:aws:lambda:us-east-1:999999999999:layer:x:1\"] }\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            DATA_NO_SECRET_VALUES,
            Spec(
                "overrides:\n  cloudformation:\n    StripeKeySecret:\n      Properties: { SecretString: sk_live_1 }\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            OVERRIDES_TUNABLE,
            Spec(
                "overrides:\n  cloudformation:\n    GetOrderFunction:\n      Properties: { VpcConfig: { SubnetIds: [subnet-1] } }\n",
                Code::OverrideUndoesControl,
            ),
        ),
        (
            IAM_SCOPED_INVOKE,
            Mutation(|p| {
                for r in &mut p.resources {
                    if let Kind::Permission(permission) = &mut r.kind {
                        permission.source_arn = Expr::lit("*");
                    }
                }
            }),
        ),
        (
            KMS_SERVICE_KEY,
            Mutation(|p| {
                if let Kind::Key(key) = &mut get_mut(p, "ServiceKey").kind {
                    key.rotation = false;
                }
            }),
        ),
        (
            KMS_ENCRYPTION,
            Mutation(|p| {
                if let Kind::Table(table) = &mut get_mut(p, "OrdersTable").kind {
                    table.key.clear();
                }
            }),
        ),
        (
            TLS_ONLY,
            Mutation(|p| p.resources.retain(|r| r.id != "ReceiptsBucketPolicy")),
        ),
        (
            API_AUTHORIZER,
            Mutation(|p| {
                if let Kind::Route(route) = &mut get_mut(p, "GetOrdersByIdRoute").kind {
                    route.authorizer = None;
                }
            }),
        ),
        (
            API_SCOPES,
            Mutation(|p| {
                if let Kind::Route(route) = &mut get_mut(p, "GetOrdersByIdRoute").kind {
                    route.scopes.clear();
                }
            }),
        ),
        (
            API_THROTTLING,
            Mutation(|p| {
                if let Kind::Stage(stage) = &mut get_mut(p, "HttpApiStage").kind {
                    stage.throttle.rate = 0;
                }
            }),
        ),
        (
            API_ACCESS_LOGS,
            Mutation(|p| p.resources.retain(|r| r.id != "HttpApiAccessLogs")),
        ),
        // The REST API (examples/partners) is held to the same API controls.
        (
            API_AUTHORIZER,
            MutationOf("partners", |p| {
                if let Kind::RestMethod(method) = &mut get_mut(p, "GetItemsByIdMethod").kind {
                    method.authorizer = None;
                }
            }),
        ),
        (
            API_CORS,
            MutationOf("partners", |p| {
                if let Kind::RestPreflight(preflight) =
                    &mut get_mut(p, "ItemsByIdResourcePreflight").kind
                {
                    preflight.origins.push("*".into());
                }
            }),
        ),
        (
            API_CORS,
            MutationOf("partners", |p| {
                if let Kind::RestGatewayResponse(response) =
                    &mut get_mut(p, "RestApiCors4xxResponse").kind
                {
                    for (_, value) in &mut response.headers {
                        *value = "'*'".into();
                    }
                }
            }),
        ),
        // The REST authorizer invokes Palisade's function, and only it may.
        (
            API_AUTHORIZER,
            MutationOf("partners", |p| {
                if let Kind::RestAuthorizer(authorizer) = &mut get_mut(p, "RestApiAuthorizer").kind
                {
                    authorizer.function = "GetItemFunction".into();
                }
            }),
        ),
        (
            API_AUTHORIZER,
            MutationOf("partners", |p| {
                if let Kind::Permission(permission) =
                    &mut get_mut(p, "RestApiAuthorizerPermission").kind
                {
                    permission.source_arn = Expr::arn_in_account(
                        "execute-api",
                        vec![palisade::plan::Part::Lit("*/*".into())],
                    );
                }
            }),
        ),
        (
            API_AUTHORIZER,
            MutationOf("partners", |p| {
                p.resources
                    .retain(|r| r.id != "RestApiAuthorizerPermission");
            }),
        ),
        (
            API_SCOPES,
            MutationOf("partners", |p| {
                if let Kind::RestMethod(method) = &mut get_mut(p, "PutItemsByIdMethod").kind {
                    method.scopes.clear();
                }
            }),
        ),
        (
            API_THROTTLING,
            MutationOf("partners", |p| {
                if let Kind::RestStage(stage) = &mut get_mut(p, "RestApiStage").kind {
                    stage.method_throttles[0].2.burst = 0;
                }
            }),
        ),
        (
            API_ACCESS_LOGS,
            MutationOf("partners", |p| {
                p.resources.retain(|r| r.id != "RestApiAccessLogs")
            }),
        ),
        (
            API_WAF,
            MutationOf("partners", |p| {
                p.resources
                    .retain(|r| !matches!(r.kind, Kind::WebAclAssociation(_)))
            }),
        ),
        (
            API_CLIENT_LIMITS,
            MutationOf("partners", |p| {
                if let Kind::RestMethod(method) = &mut get_mut(p, "GetItemsMethod").kind {
                    method.api_key_required = false;
                }
            }),
        ),
        (
            API_CLIENT_LIMITS,
            MutationOf("partners", |p| {
                p.resources.retain(|r| r.id != "PartnerBUsagePlanKey")
            }),
        ),
        (
            API_CLIENT_LIMITS,
            MutationOf("partners", |p| {
                if let Kind::UsagePlan(plan) = &mut get_mut(p, "PartnerAUsagePlan").kind {
                    plan.throttle.rate = 0;
                }
            }),
        ),
        (
            API_WAF,
            MutationOf("partners", |p| {
                p.resources
                    .retain(|r| !matches!(r.kind, Kind::WebAclLogging(_)))
            }),
        ),
        (
            API_WAF,
            MutationOf("partners", |p| {
                if let Kind::WebAcl(acl) = &mut get_mut(p, "WebAcl").kind {
                    acl.managed_rules
                        .retain(|r| r != "AWSManagedRulesKnownBadInputsRuleSet");
                }
            }),
        ),
        (
            API_WAF,
            MutationOf("partners", |p| {
                if let Kind::WebAcl(acl) = &mut get_mut(p, "WebAcl").kind {
                    acl.rate_per_ip = 0;
                }
            }),
        ),
        (
            API_CORS,
            Mutation(|p| {
                if let Kind::Api(api) = &mut get_mut(p, "HttpApi").kind {
                    api.cors.as_mut().unwrap().origins.push("*".into());
                }
            }),
        ),
        (
            FN_LOGS,
            Mutation(|p| p.resources.retain(|r| r.id != "GetOrderLogGroup")),
        ),
        (
            FN_TRACING,
            Mutation(|p| function_mut(p, "GetOrderFunction").tracing = false),
        ),
        (
            FN_CONCURRENCY,
            Mutation(|p| function_mut(p, "GetOrderFunction").reserved_concurrency = 0),
        ),
        (
            FN_ASYNC_DLQ,
            Mutation(|p| function_mut(p, "GetOrderFunction").dead_letter_queue = None),
        ),
        (
            FN_RUNTIME,
            Mutation(|p| function_mut(p, "GetOrderFunction").runtime = "python3.9".into()),
        ),
        (
            FN_NO_SECRETS,
            Mutation(|p| {
                function_mut(p, "GetOrderFunction")
                    .environment
                    .insert("AWS_KEY".into(), Expr::lit("AKIAIOSFODNN7EXAMPLE"));
            }),
        ),
        (
            DATA_RETAIN,
            Mutation(|p| get_mut(p, "OrdersTable").retain = false),
        ),
        (
            DATA_PITR,
            Mutation(|p| {
                if let Kind::Table(table) = &mut get_mut(p, "OrdersTable").kind {
                    table.point_in_time_recovery = false;
                }
            }),
        ),
        (
            DATA_SECRET_ROTATION,
            MutationOf("reports", |p| {
                p.resources
                    .retain(|r| !matches!(r.kind, Kind::RotationSchedule(_)))
            }),
        ),
        (
            DATA_DELETION_PROTECTION,
            Mutation(|p| {
                if let Kind::Table(table) = &mut get_mut(p, "OrdersTable").kind {
                    table.deletion_protection = false;
                }
            }),
        ),
        (
            DATA_VERSIONING,
            Mutation(|p| {
                if let Kind::Bucket(bucket) = &mut get_mut(p, "ReceiptsBucket").kind {
                    bucket.versioning = false;
                }
            }),
        ),
        (
            DATA_PRIVATE_BUCKETS,
            Mutation(|p| {
                if let Kind::Bucket(bucket) = &mut get_mut(p, "ReceiptsBucket").kind {
                    bucket.block_public_access = false;
                }
            }),
        ),
        (
            DATA_QUEUE_DLQ,
            Mutation(|p| {
                if let Kind::Queue(queue) = &mut get_mut(p, "OrderEventsQueue").kind {
                    queue.redrive = None;
                }
            }),
        ),
        (
            DATA_VISIBILITY_TIMEOUT,
            Mutation(|p| {
                if let Kind::Queue(queue) = &mut get_mut(p, "OrderEventsQueue").kind {
                    queue.visibility_timeout = 10;
                }
            }),
        ),
        (
            MON_FUNCTION_ALARMS,
            Mutation(|p| p.resources.retain(|r| r.id != "GetOrderErrorsAlarm")),
        ),
        (
            MON_DLQ_ALARM,
            Mutation(|p| {
                p.resources
                    .retain(|r| r.id != "OrderEventsDeadLetterQueueDepthAlarm")
            }),
        ),
        (
            MON_API_ALARM,
            Mutation(|p| p.resources.retain(|r| r.id != "HttpApi5xxAlarm")),
        ),
        (
            MON_ACCESS_LOGS,
            Mutation(|p| {
                if let Kind::Bucket(bucket) = &mut get_mut(p, "ReceiptsBucket").kind {
                    bucket.access_log_bucket = None;
                }
            }),
        ),
        (
            CI_DEPLOY_ROLE,
            Spec(
                "deploy_role:\n  github: { repository: example-org/*, branches: [main] }\n",
                Code::DeployRole,
            ),
        ),
        // Any branch of the repository, forks' pull requests included.
        (
            CI_DEPLOY_ROLE,
            MutationOf("webhooks", |p| {
                for condition in &mut role_mut(p, "DeployRole").trust[0].conditions {
                    if condition.key.ends_with(":sub") {
                        condition.values = vec![Expr::lit("repo:example-org/webhooks:*")];
                    }
                }
            }),
        ),
        (
            CI_DEPLOY_ROLE,
            MutationOf("webhooks", |p| {
                role_mut(p, "DeployRole").trust[0]
                    .conditions
                    .retain(|c| !c.key.ends_with(":aud"))
            }),
        ),
        (
            CI_DEPLOY_ROLE,
            MutationOf("webhooks", |p| {
                role_mut(p, "DeployRole").max_session_seconds = Some(86_400)
            }),
        ),
        (
            CI_DEPLOY_ROLE,
            MutationOf("webhooks", |p| {
                role_mut(p, "CloudFormationExecutionRole").policy[1].resources =
                    vec![Expr::lit("*")]
            }),
        ),
    ]
}

fn get_mut<'a>(plan: &'a mut Plan, id: &str) -> &'a mut palisade::plan::Resource {
    plan.resources
        .iter_mut()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn function_mut<'a>(plan: &'a mut Plan, id: &str) -> &'a mut palisade::plan::Function {
    match &mut get_mut(plan, id).kind {
        Kind::Function(f) => f,
        _ => panic!("{id} is not a function"),
    }
}

fn role_mut<'a>(plan: &'a mut Plan, id: &str) -> &'a mut palisade::plan::Role {
    match &mut get_mut(plan, id).kind {
        Kind::Role(role) => role,
        _ => panic!("{id} is not a role"),
    }
}

#[test]
fn every_control_has_a_failing_case() {
    let covered: BTreeSet<&str> = cases().iter().map(|(id, _)| *id).collect();
    let catalog: BTreeSet<&str> = CATALOG.iter().map(|c| c.id).collect();
    assert_eq!(covered, catalog);
}

#[test]
fn failing_cases_fail_with_the_control_named() {
    let orders = std::fs::read_to_string("examples/orders/palisade.yaml").unwrap();
    for (id, fail) in cases() {
        match fail {
            Fail::Mutation(break_it) | Fail::MutationOf(_, break_it) => {
                let example = match fail {
                    Fail::MutationOf(example, _) => example,
                    _ => "orders",
                };
                let mut plan = plan_of(example);
                break_it(&mut plan);
                let findings = verify(&plan);
                assert!(
                    findings.iter().any(|f| f.control == id),
                    "{id}: not caught; findings: {findings:#?}"
                );
            }
            Fail::Spec(addition, code) => {
                let text = format!("{orders}{addition}");
                let loaded = palisade::spec::load("palisade.yaml", text.as_bytes(), None);
                let diagnostics = match loaded {
                    Err(diagnostics) => diagnostics,
                    Ok(loaded) => {
                        match palisade::pipeline::run_strict(&loaded, &Default::default()) {
                            Err(palisade::Error::Invalid { diagnostics, .. }) => diagnostics,
                            Err(other) => panic!("{id}: {other:?}"),
                            Ok(_) => panic!("{id}: the spec should be rejected"),
                        }
                    }
                };
                assert!(
                    diagnostics.iter().any(|d| d.code() == code),
                    "{id}: {diagnostics:#?}"
                );
                if code == Code::OverrideUndoesControl {
                    assert!(
                        diagnostics.iter().any(|d| d.message.contains(id)),
                        "{id}: {diagnostics:#?}"
                    );
                }
            }
        }
    }
}

#[test]
fn passing_case_every_plan_control_is_applied_and_verified_in_the_examples() {
    let mut applied = BTreeSet::new();
    for plan in all_plans() {
        assert_eq!(verify(&plan), Vec::new(), "{}", plan.service);
        for resource in &plan.resources {
            for control in resource.controls.iter().filter(|c| c.waived.is_none()) {
                applied.insert(control.control);
            }
        }
    }
    // Artifact controls hold for every resource of their types; their
    // passing case is every example building (the pipeline verifies them).
    for control in CATALOG
        .iter()
        .filter(|c| !ARTIFACT_CONTROLS.contains(&c.id))
    {
        assert!(
            applied.contains(control.id),
            "{} is never applied by any example",
            control.id
        );
    }
}

#[test]
fn waivers_are_recorded_with_their_reason_and_suppress_the_matching_scanner_check() {
    let plan = plan_of("webhooks");
    let function = plan.get("ReceiveStripeFunction").unwrap();
    let waived = function
        .controls
        .iter()
        .find(|c| c.control == FN_ASYNC_DLQ)
        .unwrap();
    assert!(waived.waived.as_deref().unwrap().contains("synchronously"));
    let suppression = function
        .suppressions
        .iter()
        .find(|s| s.checks.contains(&Check::Checkov("CKV_AWS_116")))
        .unwrap();
    assert!(suppression.reason.contains("Waived PAL-FN-004"));
    // One decision, every scanner: the same suppression carries Guard's rule.
    assert!(
        suppression
            .checks
            .contains(&Check::Guard("LAMBDA_DLQ_CHECK"))
    );
    assert!(verify(&plan).is_empty());
}

/// The registry meta-test: IDs and titles unique, IDs well-formed, every
/// control documented under the fixed headings with a compliance reference.
#[test]
fn registry_is_complete() {
    let mut ids = BTreeSet::new();
    let mut titles = BTreeSet::new();
    for control in CATALOG.iter() {
        assert!(ids.insert(control.id), "duplicate ID {}", control.id);
        assert!(
            titles.insert(control.title),
            "duplicate title {}",
            control.title
        );
        let parts: Vec<&str> = control.id.split('-').collect();
        assert!(
            matches!(parts.as_slice(), ["PAL", _, n] if n.len() == 3),
            "{}",
            control.id
        );
        for field in [
            control.enforces,
            control.why,
            control.emitted,
            control.opting_out,
        ] {
            assert!(
                field.len() > 20,
                "{}: a documentation field is too thin",
                control.id
            );
        }
        assert!(
            !(control.fsbp.is_empty()
                && control.cis.is_empty()
                && control.checkov.is_empty()
                && control.well_architected.is_empty()),
            "{} has no compliance reference",
            control.id
        );
        // A field that starts a line with `#` would add a section of its
        // own to `palisade explain` and docs/controls.md.
        for field in [
            control.title,
            control.enforces,
            control.why,
            control.emitted,
            control.opting_out,
        ] {
            assert!(
                !field.starts_with('#') && !field.contains("\n#"),
                "{}: a field starts a heading",
                control.id
            );
        }
        // Exactly the fixed sections, in order, none empty.
        let doc = control.documentation();
        let sections: Vec<(&str, &str)> = doc
            .split("\n## ")
            .skip(1)
            .map(|s| s.split_once('\n').unwrap_or((s, "")))
            .collect();
        let headings: Vec<&str> = sections.iter().map(|(h, _)| *h).collect();
        assert_eq!(
            headings,
            [
                "What it enforces",
                "Why",
                "What is emitted",
                "Opting out",
                "References"
            ],
            "{}",
            control.id
        );
        for (heading, body) in &sections {
            assert!(
                !body.trim().is_empty(),
                "{}: `{heading}` is empty",
                control.id
            );
        }
        // The ID names its family (the file it is declared in).
        let family = match control.area {
            Area::Iam => "IAM",
            Area::Kms => "KMS",
            Area::Tls => "TLS",
            Area::Api => "API",
            Area::Function => "FN",
            Area::Data => "DATA",
            Area::Monitoring => "MON",
            Area::Ci => "CI",
            Area::Overrides => "OVR",
        };
        assert_eq!(
            parts[1], family,
            "{} is declared in another family",
            control.id
        );
        if !control.waivable {
            assert!(
                control.opting_out.starts_with("Not waivable"),
                "{}",
                control.id
            );
        }
    }
}
