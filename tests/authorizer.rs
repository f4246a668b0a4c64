//! The REST API's JWT authorizer: its code against an attacker's tokens
//! (Node.js), and the issue's own form built for both targets with the
//! packaged authorizer answering as the spec says.

mod support;

use std::process::Command;

use support::{palisade, scratch};

/// `node`, or `None` (said on stderr) when it is not installed on a
/// developer's machine; CI has it, so there a missing node fails.
fn node() -> Option<Command> {
    match Command::new("node").arg("--version").output() {
        Ok(output) if output.status.success() => Some(Command::new("node")),
        _ if std::env::var_os("CI").is_some() => panic!("node is not installed (CI needs it)"),
        _ => {
            eprintln!("SKIPPED: node is not installed; the authorizer's JavaScript is not tested");
            None
        }
    }
}

#[test]
fn the_authorizer_rejects_the_attackers_tokens() {
    let Some(mut node) = node() else { return };
    let output = node
        .args(["--test", "tests/authorizer/attack.test.mjs"])
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every case ran: a test file that loads nothing would pass too.
    let passed: usize = report
        .lines()
        .find_map(|l| l.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(passed >= 36, "only {passed} cases passed:\n{report}");
    assert!(report.contains("# fail 0"), "{report}");
}

const ISSUE_FORM: &str = "service: shop
runtime: nodejs22.x
api:
  type: rest
  auth: { jwt: { issuer: https://auth.example.com/, audience: [shop] } }
  waf: { rate_per_ip: 300 }
  clients:
    partner-a: { rate: 50, burst: 100, quota: { limit: 100000, period: month } }
  routes:
    GET /items/{id}: { function: get-item, scopes: [items:read] }
functions:
  get-item:
    handler: src/get_item.handler
";

fn build_issue_form(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("palisade.yaml"), ISSUE_FORM).unwrap();
    std::fs::write(
        dir.join("src/get_item.mjs"),
        "export const handler = async () => ({ statusCode: 200, body: '{}' });\n",
    )
    .unwrap();
    palisade()
        .args(["build", dir.join("palisade.yaml").to_str().unwrap()])
        .args(["--template-format", "json"])
        .assert()
        .success();
    dir.join("dist")
}

#[test]
fn the_issues_form_builds_with_a_lambda_authorizer_in_both_targets() {
    let dist = build_issue_form("authorizer-issue-form");
    let text = std::fs::read_to_string(dist.join("cloudformation/template.json")).unwrap();
    let template: serde_json::Value = serde_json::from_str(&text).unwrap();
    let resources = &template["Resources"];
    let authorizer = &resources["RestApiAuthorizer"]["Properties"];
    assert_eq!(authorizer["Type"], "TOKEN");
    let uri = authorizer["AuthorizerUri"]["Fn::Sub"].as_str().unwrap();
    assert!(
        uri.contains("${PalisadeAuthorizerFunction.Arn}/invocations"),
        "{uri}"
    );
    assert_eq!(
        authorizer["IdentitySource"],
        "method.request.header.Authorization"
    );
    let method = &resources["GetItemsByIdMethod"]["Properties"];
    assert_eq!(method["AuthorizationType"], "CUSTOM", "{method}");
    assert_eq!(method["AuthorizerId"]["Ref"], "RestApiAuthorizer");
    assert_eq!(method["ApiKeyRequired"], true);
    // Enforced by the function: API Gateway refuses scopes on a method
    // whose authorization is not Cognito's.
    assert!(method.get("AuthorizationScopes").is_none(), "{method}");
    // API Gateway may invoke the authorizer function from this authorizer only.
    let permission = &resources["RestApiAuthorizerPermission"]["Properties"];
    assert_eq!(permission["Principal"], "apigateway.amazonaws.com");
    assert_eq!(
        permission["SourceArn"]["Fn::Sub"],
        "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/authorizers/${RestApiAuthorizer}"
    );
    let function = &resources["PalisadeAuthorizerFunction"]["Properties"];
    assert_eq!(function["Runtime"], "nodejs22.x");
    assert_eq!(function["TracingConfig"]["Mode"], "Active");
    assert!(function["ReservedConcurrentExecutions"].as_u64().unwrap() > 0);
    // Its own role, which may write only its own logs (and traces).
    let role = &resources["PalisadeAuthorizerRole"]["Properties"];
    let actions: Vec<&str> = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| match &s["Action"] {
            serde_json::Value::String(a) => vec![a.as_str()],
            serde_json::Value::Array(a) => a.iter().filter_map(|a| a.as_str()).collect(),
            _ => Vec::new(),
        })
        .collect();
    for action in &actions {
        assert!(
            action.starts_with("logs:") || action.starts_with("xray:") || *action == "kms:Decrypt",
            "the authorizer's role may {action}"
        );
    }

    let terraform = std::fs::read_to_string(dist.join("terraform/api.tf")).unwrap();
    let block = terraform
        .split("resource \"aws_api_gateway_authorizer\"")
        .nth(1)
        .expect("a Terraform authorizer")
        .split("\n}\n")
        .next()
        .unwrap();
    assert!(
        block.contains("type                             = \"TOKEN\""),
        "{block}"
    );
    assert!(
        block.contains("aws_lambda_function.palisade_authorizer.arn"),
        "{block}"
    );
    assert!(
        terraform
            .lines()
            .any(|l| l.trim_start().starts_with("authorization ")
                && l.trim_end().ends_with("= \"CUSTOM\"")),
        "{terraform}"
    );
    let functions = std::fs::read_to_string(dist.join("terraform/functions.tf")).unwrap();
    assert!(
        functions.contains("/authorizers/${aws_api_gateway_authorizer.rest_api.id}\""),
        "{functions}"
    );
    assert!(functions.contains("palisade-authorizer.zip"), "{functions}");
}

/// The package holds the authorizer's code as Palisade ships it and the
/// spec's settings; run, it allows exactly what the spec says.
#[test]
fn the_packaged_authorizer_answers_as_the_spec_says() {
    let dist = build_issue_form("authorizer-packaged");
    let zip = std::fs::read(dist.join("functions/palisade-authorizer.zip")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let unpacked = scratch("authorizer-packaged-unzipped");
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        std::fs::write(unpacked.join(file.name()), bytes).unwrap();
        names.push(file.name().to_string());
    }
    assert_eq!(names, ["config.json", "index.mjs"]);
    assert_eq!(
        std::fs::read_to_string(unpacked.join("index.mjs")).unwrap(),
        std::fs::read_to_string("templates/authorizer/index.mjs").unwrap()
    );
    let Some(_) = node() else { return };
    let text = std::fs::read_to_string(dist.join("cloudformation/template.json")).unwrap();
    let template: serde_json::Value = serde_json::from_str(&text).unwrap();
    let environment = template["Resources"]["PalisadeAuthorizerFunction"]["Properties"]
        ["Environment"]["Variables"]
        .as_object()
        .expect("the authorizer's environment")
        .clone();
    assert_eq!(
        environment["PALISADE_JWT_ISSUER"],
        "https://auth.example.com/"
    );
    assert_eq!(environment["PALISADE_JWT_AUDIENCE"], r#"["shop"]"#);
    let arn = "arn:aws:execute-api:eu-west-1:123456789012:abc/live/GET/items/42";
    let run = |claims: serde_json::Value| -> serde_json::Value {
        let output = Command::new("node")
            .envs(environment.iter().map(|(k, v)| (k, v.as_str().unwrap())))
            .arg("tests/authorizer/packaged.mjs")
            .arg(&unpacked)
            .arg(claims.to_string())
            .arg(arn)
            .output()
            .expect("node runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The authorizer logs why it rejected a token; the answer is last.
        let stdout = String::from_utf8_lossy(&output.stdout);
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap()
    };
    let allowed = run(serde_json::json!({
        "iss": "https://auth.example.com/", "aud": "shop", "sub": "u1", "scope": "items:read"
    }));
    assert_eq!(allowed["principalId"], "u1", "{allowed}");
    assert_eq!(
        allowed["policyDocument"]["Statement"],
        serde_json::json!([{
            "Action": "execute-api:Invoke",
            "Effect": "Allow",
            "Resource": ["arn:aws:execute-api:eu-west-1:123456789012:abc/live/GET/items/*"],
        }])
    );
    let unscoped = run(serde_json::json!({
        "iss": "https://auth.example.com/", "aud": "shop", "sub": "u1", "scope": "items:write"
    }));
    assert_eq!(
        unscoped["policyDocument"]["Statement"][0]["Effect"], "Deny",
        "{unscoped}"
    );
    for claims in [
        serde_json::json!({ "iss": "https://auth.example.com/", "aud": "other", "sub": "u1", "scope": "items:read" }),
        serde_json::json!({ "iss": "https://auth.example.com", "aud": "shop", "sub": "u1", "scope": "items:read" }),
    ] {
        assert_eq!(run(claims.clone())["error"], "Unauthorized", "{claims}");
    }
}

/// Nested stacks keep the authorizer function with the API in the root: in
/// a child, its permission (which names the authorizer) and the authorizer
/// (which names the function) would make the stacks depend on each other.
#[test]
fn the_authorizer_stays_in_the_root_of_nested_stacks() {
    let dir = scratch("authorizer-nested");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let spec = format!(
        "{}  other:\n    handler: src/get_item.handler\nnested_stacks: {{ functions: 4 }}\n",
        ISSUE_FORM.replace(
            "    GET /items/{id}: { function: get-item, scopes: [items:read] }\n",
            "    GET /items/{id}: { function: get-item, scopes: [items:read] }\n    GET /other: { function: other, scopes: [other:read] }\n",
        )
    );
    std::fs::write(dir.join("palisade.yaml"), spec).unwrap();
    std::fs::write(dir.join("src/get_item.mjs"), "export const handler = 1;\n").unwrap();
    palisade()
        .args(["build", dir.join("palisade.yaml").to_str().unwrap()])
        .assert()
        .success();
    let root = std::fs::read_to_string(dir.join("dist/cloudformation/template.yaml")).unwrap();
    for id in [
        "PalisadeAuthorizerFunction:",
        "PalisadeAuthorizerRole:",
        "RestApiAuthorizerPermission:",
        "RestApiAuthorizer:",
    ] {
        assert!(root.contains(id), "{id} is not in the root stack");
    }
    assert!(dir.join("dist/cloudformation/stacks").is_dir());
}

/// No override may swap who verifies tokens: the authorizer's function, the
/// function's code or trusted issuer, or the scoping of its permission.
#[test]
fn overrides_cannot_swap_the_authorizer_or_widen_its_permission() {
    let cases = [
        (
            "cloudformation:\n    RestApiAuthorizer: { Properties: { AuthorizerUri: \"arn:aws:apigateway:eu-central-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-central-1:123456789012:function:evil/invocations\" } }",
            "PAL-API-006",
        ),
        (
            "cloudformation:\n    RestApiAuthorizerPermission: { Properties: { SourceArn: \"arn:aws:execute-api:eu-central-1:123456789012:*\" } }",
            "PAL-IAM-004",
        ),
        (
            "cloudformation:\n    PalisadeAuthorizerFunction: { Properties: { Environment: { Variables: { PALISADE_JWT_ISSUER: \"https://evil.example.com/\", PALISADE_JWT_AUDIENCE: \"[]\" } } } }",
            "PAL-FN-006",
        ),
        (
            "cloudformation:\n    PalisadeAuthorizerFunction: { Properties: { Code: { S3Bucket: evil, S3Key: x.zip } } }",
            "PAL-DATA-008",
        ),
        (
            "terraform:\n    aws_api_gateway_authorizer.rest_api: { authorizer_uri: \"arn:aws:apigateway:eu-central-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-central-1:123456789012:function:evil/invocations\" }",
            "PAL-API-006",
        ),
    ];
    for (i, (override_, control)) in cases.iter().enumerate() {
        let dir = support::example_copy("partners", &format!("authorizer-override-{i}"));
        let spec = dir.join("palisade.yaml");
        let mut text = std::fs::read_to_string(&spec).unwrap();
        text.push_str(&format!("overrides:\n  {override_}\n"));
        std::fs::write(&spec, text).unwrap();
        let out = palisade()
            .args(["validate", spec.to_str().unwrap()])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("E064") && stderr.contains(control),
            "{override_}: {stderr}"
        );
    }
}
