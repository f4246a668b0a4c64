//! `deploy`'s SDK interaction replayed from recorded CloudFormation answers
//! (aws-smithy-http-client's `StaticReplayClient`), for what moto does not
//! answer as CloudFormation does: an identical template is a FAILED change
//! set ("didn't contain changes"), changes carry `Replacement`, `Scope` and
//! details, and a failed update rolls back to UPDATE_ROLLBACK_COMPLETE.
//! The change set's rendering is a snapshot.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use palisade::deploy::{self, Clients, Console, Options, Outcome, Stack};
use palisade::diff::Risk;
use serde_json::json;

const STACK_ID: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-prod/1";
const SET_ID: &str = "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/palisade-1/1";

fn xml(operation: &str, result: &str) -> String {
    format!(
        "<{operation}Response xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><{operation}Result>{result}</{operation}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{operation}Response>"
    )
}

fn event(body: String) -> ReplayEvent {
    ReplayEvent::new(
        http::Request::builder()
            .uri("https://cloudformation.eu-west-1.amazonaws.com/")
            .body(SdkBody::empty())
            .unwrap(),
        http::Response::builder()
            .status(200)
            .body(SdkBody::from(body))
            .unwrap(),
    )
}

fn described_stack(status: &str) -> ReplayEvent {
    event(xml(
        "DescribeStacks",
        &format!(
            "<Stacks><member><StackName>orders-prod</StackName><StackId>{STACK_ID}</StackId><StackStatus>{status}</StackStatus><CreationTime>2026-12-01T00:00:00Z</CreationTime></member></Stacks>"
        ),
    ))
}

fn deployed_template() -> serde_json::Value {
    json!({
        "Parameters": { "ArtifactBucket": { "Type": "String" } },
        "Resources": {
            "OrdersTable": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "TableName": "orders-prod-orders",
                    "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
                    "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }]
                }
            }
        }
    })
}

fn got_template() -> ReplayEvent {
    let body = deployed_template()
        .to_string()
        .replace('&', "&amp;")
        .replace('<', "&lt;");
    event(xml(
        "GetTemplate",
        &format!("<TemplateBody>{body}</TemplateBody>"),
    ))
}

fn created_set() -> ReplayEvent {
    event(xml(
        "CreateChangeSet",
        &format!("<Id>{SET_ID}</Id><StackId>{STACK_ID}</StackId>"),
    ))
}

fn done(operation: &str) -> ReplayEvent {
    event(xml(operation, ""))
}

/// A change set CloudFormation computed: the table renamed, which it
/// replaces (Scope: Properties, TableName requires recreation).
fn described_replacement() -> ReplayEvent {
    event(xml(
        "DescribeChangeSet",
        &format!(
            "<ChangeSetName>palisade-1</ChangeSetName><ChangeSetId>{SET_ID}</ChangeSetId><StackId>{STACK_ID}</StackId><StackName>orders-prod</StackName><Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes><member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>OrdersTable</LogicalResourceId><PhysicalResourceId>orders-prod-orders</PhysicalResourceId><ResourceType>AWS::DynamoDB::Table</ResourceType><Replacement>True</Replacement><Scope><member>Properties</member></Scope><Details><member><Target><Attribute>Properties</Attribute><Name>TableName</Name><RequiresRecreation>Always</RequiresRecreation></Target><Evaluation>Static</Evaluation><ChangeSource>DirectModification</ChangeSource></member></Details></ResourceChange></member></Changes>"
        ),
    ))
}

fn config(http: &StaticReplayClient) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        )))
        .http_client(http.clone())
        .build()
}

/// The new template: the table renamed.
fn renamed() -> Stack {
    let mut template = deployed_template();
    template["Resources"]["OrdersTable"]["Properties"]["TableName"] =
        json!("orders-prod-orders-v2");
    Stack {
        name: "orders-prod".into(),
        template,
        packages: Vec::new(),
        children: Vec::new(),
        account: Some("123456789012".into()),
    }
}

fn options(fail_on: Vec<Risk>) -> Options {
    Options {
        artifact_bucket: "artifacts".into(),
        change_set_name: "palisade-1".into(),
        fail_on,
        yes: true,
        no_execute: false,
        poll: std::time::Duration::from_millis(1),
        color: false,
        role_arn: None,
    }
}

/// Runs a deploy on the replayed answers: its result, stdout and stderr,
/// and the actions called in order.
fn run(
    events: Vec<ReplayEvent>,
    stack: &Stack,
    options: &Options,
) -> (palisade::Result<Outcome>, String, String, Vec<String>) {
    let http = StaticReplayClient::new(events);
    let clients = Clients::from_config(&config(&http));
    let (mut out, mut progress) = (Vec::new(), Vec::new());
    let mut console = Console {
        out: &mut out,
        progress: &mut progress,
        confirm: None,
        summary: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(deploy::deploy(&clients, stack, options, &mut console));
    let actions = http
        .actual_requests()
        .map(|r| {
            let body = std::str::from_utf8(r.body().bytes().unwrap_or_default()).unwrap_or("");
            body.split('&')
                .find_map(|p| p.strip_prefix("Action="))
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    (
        result,
        String::from_utf8(out).unwrap(),
        String::from_utf8(progress).unwrap(),
        actions,
    )
}

#[test]
fn an_identical_template_is_a_failed_change_set_and_exits_clean() {
    let failed = event(xml(
        "DescribeChangeSet",
        &format!(
            "<ChangeSetName>palisade-1</ChangeSetName><ChangeSetId>{SET_ID}</ChangeSetId><StackId>{STACK_ID}</StackId><Status>FAILED</Status><StatusReason>The submitted information didn't contain changes. Submit different information to create a change set.</StatusReason><ExecutionStatus>UNAVAILABLE</ExecutionStatus><Changes/>"
        ),
    ));
    let events = vec![
        described_stack("UPDATE_COMPLETE"),
        got_template(),
        created_set(),
        failed,
        done("DeleteChangeSet"),
    ];
    let (result, out, progress, actions) = run(events, &renamed(), &options(Vec::new()));
    assert_eq!(result.unwrap(), Outcome::NoChanges);
    assert!(out.is_empty());
    assert!(
        progress.contains("orders-prod: no changes to deploy"),
        "{progress}"
    );
    // The failed change set is not left behind.
    assert_eq!(
        actions,
        [
            "DescribeStacks",
            "GetTemplate",
            "CreateChangeSet",
            "DescribeChangeSet",
            "DeleteChangeSet"
        ]
    );
}

#[test]
fn cloudformation_replacement_is_data_loss_and_fail_on_stops_it() {
    let events = vec![
        described_stack("UPDATE_COMPLETE"),
        got_template(),
        created_set(),
        described_replacement(),
        done("DeleteChangeSet"),
    ];
    let (result, out, _, actions) = run(events, &renamed(), &options(vec![Risk::DataLoss]));
    match result {
        Err(palisade::Error::CheckFailed(message)) => {
            assert!(message.contains("data-loss"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(actions.last().unwrap(), "DeleteChangeSet");
    assert!(!actions.iter().any(|a| a == "ExecuteChangeSet"));
    insta::assert_snapshot!("replacement_change_set", out);
}

#[test]
fn a_failed_update_names_the_first_failure_and_the_rollback() {
    let old_events = event(xml(
        "DescribeStackEvents",
        &format!(
            "<StackEvents><member><StackId>{STACK_ID}</StackId><EventId>old-1</EventId><StackName>orders-prod</StackName><LogicalResourceId>orders-prod</LogicalResourceId><ResourceType>AWS::CloudFormation::Stack</ResourceType><Timestamp>2026-12-01T00:00:00Z</Timestamp><ResourceStatus>UPDATE_COMPLETE</ResourceStatus></member></StackEvents>"
        ),
    ));
    let member = |id: &str, logical: &str, kind: &str, status: &str, reason: &str, at: &str| {
        format!(
            "<member><StackId>{STACK_ID}</StackId><EventId>{id}</EventId><StackName>orders-prod</StackName><LogicalResourceId>{logical}</LogicalResourceId><ResourceType>{kind}</ResourceType><Timestamp>{at}</Timestamp><ResourceStatus>{status}</ResourceStatus><ResourceStatusReason>{reason}</ResourceStatusReason></member>"
        )
    };
    // Newest first, as CloudFormation lists them.
    let new_events = event(xml(
        "DescribeStackEvents",
        &format!(
            "<StackEvents>{}{}{}{}{}</StackEvents>",
            member(
                "e5",
                "orders-prod",
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_COMPLETE",
                "",
                "2026-12-07T05:00:09Z"
            ),
            member(
                "e4",
                "OrdersTable",
                "AWS::DynamoDB::Table",
                "UPDATE_COMPLETE",
                "",
                "2026-12-07T05:00:08Z"
            ),
            member(
                "e3",
                "orders-prod",
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_IN_PROGRESS",
                "The following resource(s) failed to update: [OrdersTable].",
                "2026-12-07T05:00:07Z"
            ),
            member(
                "e2",
                "OrdersTable",
                "AWS::DynamoDB::Table",
                "UPDATE_FAILED",
                "Resource handler returned message: \"Table already exists: orders-prod-orders-v2\"",
                "2026-12-07T05:00:05Z"
            ),
            member(
                "e1",
                "orders-prod",
                "AWS::CloudFormation::Stack",
                "UPDATE_IN_PROGRESS",
                "User Initiated",
                "2026-12-07T05:00:01Z"
            ),
        ),
    ));
    let events = vec![
        described_stack("UPDATE_COMPLETE"),
        got_template(),
        created_set(),
        described_replacement(),
        old_events,
        done("ExecuteChangeSet"),
        described_stack("UPDATE_ROLLBACK_COMPLETE"),
        new_events,
    ];
    let (result, _, progress, actions) = run(events, &renamed(), &options(Vec::new()));
    let Err(palisade::Error::CheckFailed(message)) = result else {
        panic!("{result:?}");
    };
    assert!(
        message.contains("first failure: OrdersTable (AWS::DynamoDB::Table): Resource handler returned message: \"Table already exists: orders-prod-orders-v2\""),
        "{message}"
    );
    assert!(message.contains("UPDATE_ROLLBACK_COMPLETE"), "{message}");
    assert!(
        message.contains("rolled back: the stack is as it was before this deploy"),
        "{message}"
    );
    // Every new event is printed once, oldest first; the old one is not.
    let lines: Vec<&str> = progress.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(lines.len(), 5, "{progress}");
    assert!(
        lines[0].contains("UPDATE_IN_PROGRESS") && lines[4].contains("UPDATE_ROLLBACK_COMPLETE")
    );
    assert_eq!(
        actions,
        [
            "DescribeStacks",
            "GetTemplate",
            "CreateChangeSet",
            "DescribeChangeSet",
            "DescribeStackEvents",
            "ExecuteChangeSet",
            "DescribeStacks",
            "DescribeStackEvents"
        ]
    );
}

#[test]
fn credentials_for_another_account_are_refused_before_any_upload() {
    let mut stack = renamed();
    stack.account = Some("222222222222".into());
    stack.packages = vec![("orders-prod/f-abc.zip".into(), b"zip".to_vec())];
    let events = vec![
        described_stack("UPDATE_COMPLETE"),
        got_template(),
        created_set(),
        done("DeleteChangeSet"),
    ];
    let (result, _, progress, actions) = run(events, &stack, &options(Vec::new()));
    let Err(palisade::Error::Usage(message)) = result else {
        panic!("{result:?}");
    };
    assert!(message.contains("account 123456789012"), "{message}");
    assert!(!progress.contains("uploaded"));
    assert_eq!(actions.last().unwrap(), "DeleteChangeSet");
}

#[test]
fn the_generated_deploy_role_deploys_as_the_execution_role_without_reading_templates() {
    // DeployRole may drive change sets but not read templates; the stack
    // names the role CloudFormation provisions as.
    let stack_with_role = event(xml(
        "DescribeStacks",
        &format!(
            "<Stacks><member><StackName>orders-prod</StackName><StackId>{STACK_ID}</StackId><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-12-01T00:00:00Z</CreationTime><Outputs><member><OutputKey>CloudFormationExecutionRoleArn</OutputKey><OutputValue>arn:aws:iam::123456789012:role/orders-prod-cfn-exec</OutputValue></member></Outputs></member></Stacks>"
        ),
    ));
    let denied = ReplayEvent::new(
        http::Request::builder()
            .uri("https://cloudformation.eu-west-1.amazonaws.com/")
            .body(SdkBody::empty())
            .unwrap(),
        http::Response::builder()
            .status(403)
            .body(SdkBody::from(
                "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: cloudformation:GetTemplate</Message></Error><RequestId>r</RequestId></ErrorResponse>",
            ))
            .unwrap(),
    );
    let events = vec![
        stack_with_role,
        denied,
        created_set(),
        described_replacement(),
        done("DeleteChangeSet"),
    ];
    let http = StaticReplayClient::new(events);
    let clients = Clients::from_config(&config(&http));
    let (mut out, mut progress) = (Vec::new(), Vec::new());
    let mut console = Console {
        out: &mut out,
        progress: &mut progress,
        confirm: None,
        summary: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(deploy::deploy(
        &clients,
        &renamed(),
        &options(vec![Risk::DataLoss]),
        &mut console,
    ));
    assert!(
        matches!(result, Err(palisade::Error::CheckFailed(_))),
        "{result:?}"
    );
    let create = http.actual_requests().nth(2).unwrap();
    let body = std::str::from_utf8(create.body().bytes().unwrap()).unwrap();
    assert!(body.contains("Action=CreateChangeSet"), "{body}");
    assert!(
        body.contains("RoleARN=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Forders-prod-cfn-exec"),
        "{body}"
    );
    let progress = String::from_utf8(progress).unwrap();
    assert!(progress.contains("GetTemplate denied"), "{progress}");
    // Classified from the change set alone, the replacement is still data loss.
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("[data-loss]"), "{out}");
}
