//! Logical IDs: the one place resource names are made. They are a public
//! contract — a changed ID means CloudFormation replaces the resource — so each
//! depends only on the spec name it comes from, never on position or count.

/// The service's own resources, one of each per stack.
pub const SERVICE_KEY: &str = "ServiceKey";
pub const SERVICE_KEY_ALIAS: &str = "ServiceKeyAlias";
pub const FUNCTIONS_DLQ: &str = "FunctionsDeadLetterQueue";
pub const ACCESS_LOGS_BUCKET: &str = "AccessLogsBucket";
pub const ALERTS_TOPIC: &str = "AlertsTopic";
pub const ALERTS_EMAIL_SUBSCRIPTION: &str = "AlertsEmailSubscription";
pub const API: &str = "HttpApi";
pub const API_AUTHORIZER_ID: &str = "HttpApiAuthorizer";
pub const API_STAGE: &str = "HttpApiStage";
pub const API_ACCESS_LOGS_ID: &str = "HttpApiAccessLogs";
pub const API_5XX_ALARM: &str = "HttpApi5xxAlarm";
pub const REST_API: &str = "RestApi";
pub const REST_API_AUTHORIZER: &str = "RestApiAuthorizer";
pub const REST_API_AUTHORIZER_PERMISSION: &str = "RestApiAuthorizerPermission";
pub const REST_API_CORS_4XX: &str = "RestApiCors4xxResponse";
pub const REST_API_CORS_5XX: &str = "RestApiCors5xxResponse";

/// The CORS preflight of a REST API resource (`None`: the root).
pub fn rest_preflight(resource: Option<&str>) -> String {
    part(resource.unwrap_or("RestApiRoot"), "Preflight")
}
pub const REST_API_STAGE: &str = "RestApiStage";
pub const REST_API_ACCESS_LOGS: &str = "RestApiAccessLogs";
pub const REST_API_5XX_ALARM: &str = "RestApi5xxAlarm";
pub const WEB_ACL: &str = "WebAcl";
pub const WEB_ACL_ASSOCIATION: &str = "WebAclAssociation";
pub const WEB_ACL_LOGS: &str = "WebAclLogs";
pub const WEB_ACL_LOGGING: &str = "WebAclLogging";
/// Names of template parameters and outputs share the namespace.
pub const ARTIFACT_BUCKET: &str = "ArtifactBucket";
pub const API_URL: &str = "ApiUrl";

/// `get-order` → `GetOrder`.
pub fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(|segment| {
            let mut chars = segment.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// A resource generated for a spec name: `pascal(name) + suffix`.
pub fn of(name: &str, suffix: &str) -> String {
    format!("{}{suffix}", pascal(name))
}

/// `GET /orders/{id}` → `GetOrdersByIdRoute`-style stem `GetOrdersById`.
/// Path parameters read as `By<Name>` so `/orders/{id}` and `/orders/id`
/// stay distinct; a greedy `{proxy+}` reads `ByProxyAll`.
pub fn route_stem(method: &str, path: &str) -> String {
    let mut stem = pascal(&method.to_ascii_lowercase());
    if path == "/" {
        stem.push_str("Root");
    }
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(parameter) => {
                stem.push_str("By");
                match parameter.strip_suffix('+') {
                    Some(greedy) => {
                        stem.push_str(&pascal(greedy));
                        stem.push_str("All");
                    }
                    None => stem.push_str(&pascal(parameter)),
                }
            }
            None => stem.push_str(&pascal(segment)),
        }
    }
    stem
}

/// A REST API's resource for a path (`/orders/{id}` → `OrdersByIdResource`),
/// named like a route's stem without the method.
pub fn rest_resource(path: &str) -> String {
    format!("{}Resource", route_stem("", path))
}

/// A REST API deployment of one revision of its methods: a new revision is
/// a new logical ID, the only way CloudFormation deploys the API again.
pub fn rest_deployment(revision: &str) -> String {
    format!("RestApiDeployment{revision}")
}

/// A further Terraform resource of one plan resource, where it has several
/// of a type: `rest_api_stage` + `GetOrdersById` → `rest_api_stage_get_orders_by_id`.
pub fn companion(name: &str, what: &str) -> String {
    format!("{name}_{}", snake(what))
}

/// `GetOrdersById` → `get_orders_by_id`, `HttpApi5xxAlarm` → `http_api_5xx_alarm`,
/// `ScheduleCron06NoAnyMONAny` → `schedule_cron_06_no_any_mon_any`.
pub fn snake(pascal: &str) -> String {
    let chars: Vec<char> = pascal.chars().collect();
    let mut out = String::with_capacity(pascal.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = match previous {
            None => false,
            Some(p) if c.is_ascii_uppercase() => {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            }
            Some(p) if c.is_ascii_digit() => p.is_ascii_alphabetic(),
            Some(_) => false,
        };
        if boundary && !out.ends_with('_') {
            out.push('_');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// The Terraform name of a resource: its logical ID in snake case, less the
/// trailing words that the resource type already says
/// (`GetOrderFunction` → `aws_lambda_function.get_order`,
/// `OrderEventsQueuePolicy` → `aws_sqs_queue_policy.order_events`). At least
/// one word is kept. Like the logical ID it depends on nothing else, so it is
/// as stable; resources generated alongside (a bucket's
/// `aws_s3_bucket_versioning`, a role's `aws_iam_role_policy`) share it.
pub fn terraform_name(resource_type: &str, logical_id: &str) -> String {
    let snake = snake(logical_id);
    let words: Vec<&str> = snake.split('_').collect();
    let type_words: Vec<&str> = resource_type.split('_').collect();
    let common = words
        .iter()
        .rev()
        .zip(type_words.iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(words.len() - 1);
    words[..words.len() - common].join("_")
}

/// A resource that exists for another and is named after it: the queue's
/// `OrdersQueue` + `Policy`, a route stem + `Permission`.
pub fn part(owner: &str, what: &str) -> String {
    format!("{owner}{what}")
}

/// What a consumer receives from a source: `ProcessOrderFromOrdersQueue`.
pub fn from(consumer: &str, source: &str) -> String {
    format!("{consumer}From{source}")
}

/// A function's alarm on one metric: `GetOrderErrorsAlarm`.
pub fn metric_alarm(function: &str, metric: &str) -> String {
    format!("{function}{metric}Alarm")
}

/// The logical-ID suffix of a named spec resource's main resource.
pub fn kind_suffix(kind: crate::spec::Section) -> &'static str {
    match kind {
        crate::spec::Section::Function => "Function",
        crate::spec::Section::Table => "Table",
        crate::spec::Section::Queue => "Queue",
        crate::spec::Section::Bucket => "Bucket",
        crate::spec::Section::Topic => "Topic",
        crate::spec::Section::Secret => "Secret",
    }
}

pub fn bucket_event_id(function_id: &str, bucket_id: &str) -> String {
    format!(
        "{}From{bucket_id}",
        function_id.trim_end_matches("Function"),
    )
}

/// `rate(1 day)` → `ScheduleRate1Day`; `cron(0 3 * * ? *)` → `ScheduleCron0At3`-like
/// stems built from every field, so different expressions get different IDs.
pub fn schedule_stem(expression: &str) -> String {
    let mut stem = String::from("Schedule_");
    for c in expression.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => stem.push(c),
            '*' => stem.push_str("Any"),
            '?' => stem.push_str("No"),
            '/' => stem.push_str("Every"),
            ',' => stem.push_str("And"),
            '-' => stem.push_str("To"),
            '#' => stem.push_str("Nth"),
            _ => stem.push('_'),
        }
    }
    stem.split('_')
        .filter(|s| !s.is_empty())
        .map(pascal)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(of("get-order", "Function"), "GetOrderFunction");
        assert_eq!(of("orders", "Table"), "OrdersTable");
        assert_eq!(snake("get-order"), "get_order");
        assert_eq!(route_stem("GET", "/orders/{id}"), "GetOrdersById");
        assert_eq!(route_stem("POST", "/orders"), "PostOrders");
        assert_eq!(route_stem("ANY", "/{proxy+}"), "AnyByProxyAll");
        assert_eq!(route_stem("GET", "/"), "GetRoot");
        assert_eq!(route_stem("GET", "/v1.0/my_items"), "GetV10MyItems");
    }

    #[test]
    fn terraform_names_drop_what_the_type_already_says() {
        assert_eq!(
            terraform_name("aws_lambda_function", "GetOrderFunction"),
            "get_order"
        );
        assert_eq!(
            terraform_name("aws_sqs_queue_policy", "OrderEventsQueuePolicy"),
            "order_events"
        );
        assert_eq!(
            terraform_name("aws_sqs_queue", "OrderEventsDeadLetterQueue"),
            "order_events_dead_letter"
        );
        assert_eq!(terraform_name("aws_kms_key", "ServiceKey"), "service");
        assert_eq!(
            terraform_name("aws_cloudwatch_log_group", "HttpApiAccessLogs"),
            "http_api_access_logs"
        );
        assert_eq!(
            terraform_name("aws_cloudwatch_metric_alarm", "HttpApi5xxAlarm"),
            "http_api_5xx"
        );
        assert_eq!(terraform_name("aws_apigatewayv2_api", "HttpApi"), "http");
        assert_eq!(terraform_name("aws_kms_key", "Key"), "key");
    }

    #[test]
    fn snake_case_splits_words_digits_and_acronyms() {
        assert_eq!(snake("GetOrdersById"), "get_orders_by_id");
        assert_eq!(snake("ScheduleRate1Day"), "schedule_rate_1_day");
        assert_eq!(
            snake("ScheduleCron06NoAnyMONAny"),
            "schedule_cron_06_no_any_mon_any"
        );
        assert_eq!(snake("ArtifactBucket"), "artifact_bucket");
        assert_eq!(snake("OrdersTableName"), "orders_table_name");
    }

    #[test]
    fn schedule_stems_differ_per_expression() {
        assert_eq!(schedule_stem("rate(1 day)"), "ScheduleRate1Day");
        assert_ne!(
            schedule_stem("cron(0 3 * * ? *)"),
            schedule_stem("cron(0 3 ? * MON *)")
        );
        assert_ne!(
            schedule_stem("cron(0 1-5 * * ? *)"),
            schedule_stem("cron(0 15 * * ? *)")
        );
    }
}
