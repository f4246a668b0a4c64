//! CORS on a REST API: a preflight answered by API Gateway on each resource
//! with routes, and API Gateway's own errors readable by the one origin.

mod support;

use support::{palisade, scratch};

fn build(name: &str, cors: &str, extra_routes: &str) -> Result<serde_json::Value, String> {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let spec = format!(
        "service: shop
runtime: nodejs22.x
api:
  type: rest
  auth: {{ jwt: {{ issuer: https://auth.example.com/, audience: [shop] }} }}
  cors: {cors}
  clients:
    partner-a: {{ rate: 5, burst: 10 }}
  routes:
    GET /items/{{id}}: {{ function: get-item, scopes: [items:read] }}
    PUT /items/{{id}}: {{ function: get-item, scopes: [items:write] }}
{extra_routes}functions:
  get-item:
    handler: src/get_item.handler
"
    );
    std::fs::write(dir.join("palisade.yaml"), spec).unwrap();
    std::fs::write(dir.join("src/get_item.mjs"), "export const handler = 1;\n").unwrap();
    let out = palisade()
        .args(["build", dir.join("palisade.yaml").to_str().unwrap()])
        .args(["--template-format", "json"])
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = std::fs::read_to_string(dir.join("dist/cloudformation/template.json")).unwrap();
    Ok(serde_json::from_str(&text).unwrap())
}

fn of_type<'a>(
    template: &'a serde_json::Value,
    ty: &str,
) -> Vec<(&'a String, &'a serde_json::Value)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

#[test]
fn one_origin_gets_preflights_and_readable_gateway_errors() {
    let template = build(
        "rest-cors-one",
        "{ origins: [https://app.example.com], headers: [content-type] }",
        "",
    )
    .unwrap();
    let preflights: Vec<_> = of_type(&template, "AWS::ApiGateway::Method")
        .into_iter()
        .filter(|(_, m)| m["Properties"]["HttpMethod"] == "OPTIONS")
        .collect();
    // `/items/{id}` has routes; `/items` has none of its own.
    assert_eq!(preflights.len(), 1, "{preflights:?}");
    let (_, preflight) = preflights[0];
    let properties = &preflight["Properties"];
    assert_eq!(properties["AuthorizationType"], "NONE");
    assert_eq!(properties["ApiKeyRequired"], false);
    assert_eq!(properties["Integration"]["Type"], "MOCK");
    let headers = &properties["Integration"]["IntegrationResponses"][0]["ResponseParameters"];
    assert_eq!(
        headers["method.response.header.Access-Control-Allow-Origin"],
        "'https://app.example.com'"
    );
    assert_eq!(
        headers["method.response.header.Access-Control-Allow-Methods"],
        "'GET,OPTIONS,PUT'"
    );
    // The client's key header is allowed: routes need it.
    assert_eq!(
        headers["method.response.header.Access-Control-Allow-Headers"],
        "'content-type,x-api-key'"
    );
    let declared = properties["MethodResponses"][0]["ResponseParameters"]
        .as_object()
        .unwrap();
    for name in headers.as_object().unwrap().keys() {
        assert!(declared.contains_key(name), "{name} is not declared");
    }
    let responses = of_type(&template, "AWS::ApiGateway::GatewayResponse");
    let mut types: Vec<&str> = responses
        .iter()
        .map(|(_, r)| r["Properties"]["ResponseType"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(types, ["DEFAULT_4XX", "DEFAULT_5XX"]);
    for (_, response) in responses {
        assert_eq!(
            response["Properties"]["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"],
            "'https://app.example.com'"
        );
    }
    // The deployment includes the preflight.
    let (_, deployment) = of_type(&template, "AWS::ApiGateway::Deployment")[0];
    let (preflight_id, _) = preflights[0];
    assert!(
        deployment["DependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == preflight_id.as_str()),
        "{deployment}"
    );
}

#[test]
fn several_origins_answer_only_a_listed_origin() {
    let template = build(
        "rest-cors-several",
        "{ origins: [https://app.example.com, https://admin.example.com] }",
        "",
    )
    .unwrap();
    let (_, preflight) = of_type(&template, "AWS::ApiGateway::Method")
        .into_iter()
        .find(|(_, m)| m["Properties"]["HttpMethod"] == "OPTIONS")
        .unwrap();
    let response = &preflight["Properties"]["Integration"]["IntegrationResponses"][0];
    assert!(
        response["ResponseParameters"]
            .get("method.response.header.Access-Control-Allow-Origin")
            .is_none(),
        "no fixed origin: {response}"
    );
    let template_text = response["ResponseTemplates"]["application/json"]
        .as_str()
        .unwrap();
    assert!(template_text.contains(r#"$origin == "https://app.example.com""#));
    assert!(template_text.contains(r#"$origin == "https://admin.example.com""#));
    assert!(
        template_text.contains("responseOverride.header.Access-Control-Allow-Origin = $origin")
    );
    assert!(
        preflight["Properties"]["MethodResponses"][0]["ResponseParameters"]
            .get("method.response.header.Access-Control-Allow-Origin")
            .is_some()
    );
    // API Gateway's own answers cannot choose among origins.
    assert!(of_type(&template, "AWS::ApiGateway::GatewayResponse").is_empty());
}

#[test]
fn rest_cors_is_validated_as_the_http_apis() {
    let wildcard = build("rest-cors-wildcard", "{ origins: [\"*\"] }", "").unwrap_err();
    assert!(wildcard.contains("CORS origin `*`"), "{wildcard}");
    let options = build(
        "rest-cors-options",
        "{ origins: [https://app.example.com] }",
        "    OPTIONS /items/{id}: { function: get-item, scopes: [items:read] }\n",
    )
    .unwrap_err();
    assert!(
        options.contains("E082")
            && options.contains("CORS preflight")
            && options.contains("palisade.yaml:"),
        "{options}"
    );
}
