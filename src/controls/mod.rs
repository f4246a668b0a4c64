//! The control catalog: every protection Palisade applies, each with a
//! permanent ID. IDs are never reused; a retired control keeps its entry.

/// Where a control applies, for grouping and for which `waive:` may name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    Iam,
    Kms,
    Tls,
    Api,
    Function,
    Data,
    Monitoring,
    Ci,
}

/// A control's identity and whether a spec may turn it off.
#[derive(Debug, Clone, Copy)]
pub struct ControlInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub area: Area,
    /// Whether `waive: { ID: reason }` may turn it off.
    pub waivable: bool,
}

const fn control(id: &'static str, title: &'static str, area: Area, waivable: bool) -> ControlInfo {
    ControlInfo {
        id,
        title,
        area,
        waivable,
    }
}

/// The one list of controls.
pub const CATALOG: &[ControlInfo] = &[
    control(
        "PAL-IAM-001",
        "One least-privilege role per function",
        Area::Iam,
        false,
    ),
    control(
        "PAL-IAM-002",
        "Permissions only from declared access, on exact ARNs",
        Area::Iam,
        false,
    ),
    control("PAL-IAM-003", "No AWS managed policies", Area::Iam, false),
    control(
        "PAL-IAM-004",
        "Invoke permissions scoped to the exact source",
        Area::Iam,
        false,
    ),
    control(
        "PAL-KMS-001",
        "One customer-managed key per service, rotated yearly",
        Area::Kms,
        false,
    ),
    control(
        "PAL-KMS-002",
        "Every store encrypted with the service key",
        Area::Kms,
        false,
    ),
    control(
        "PAL-TLS-001",
        "TLS-only resource policies on buckets, queues and topics",
        Area::Tls,
        false,
    ),
    control(
        "PAL-API-001",
        "An authorizer on every route that is not public with a reason",
        Area::Api,
        false,
    ),
    control(
        "PAL-API-002",
        "OAuth scopes on every authenticated route",
        Area::Api,
        true,
    ),
    control(
        "PAL-API-003",
        "Stage and per-route throttling",
        Area::Api,
        false,
    ),
    control(
        "PAL-API-004",
        "Structured, encrypted API access logs",
        Area::Api,
        false,
    ),
    control("PAL-API-005", "No wildcard CORS origins", Area::Api, false),
    control(
        "PAL-FN-001",
        "Encrypted function logs with retention",
        Area::Function,
        false,
    ),
    control("PAL-FN-002", "Active X-Ray tracing", Area::Function, true),
    control(
        "PAL-FN-003",
        "Reserved concurrency on every function",
        Area::Function,
        false,
    ),
    control(
        "PAL-FN-004",
        "A dead-letter queue for failed asynchronous invocations",
        Area::Function,
        true,
    ),
    control(
        "PAL-FN-005",
        "Supported runtimes only",
        Area::Function,
        false,
    ),
    control(
        "PAL-FN-006",
        "No plaintext secrets in environment variables",
        Area::Function,
        false,
    ),
    control(
        "PAL-DATA-001",
        "Stateful resources retained on delete and replace",
        Area::Data,
        true,
    ),
    control(
        "PAL-DATA-002",
        "Point-in-time recovery on tables",
        Area::Data,
        true,
    ),
    control(
        "PAL-DATA-003",
        "Deletion protection on tables",
        Area::Data,
        true,
    ),
    control("PAL-DATA-004", "Versioning on buckets", Area::Data, true),
    control(
        "PAL-DATA-005",
        "Private buckets: public access blocked, ACLs disabled",
        Area::Data,
        false,
    ),
    control(
        "PAL-DATA-006",
        "A dead-letter queue behind every queue",
        Area::Data,
        false,
    ),
    control(
        "PAL-DATA-007",
        "Queue visibility timeout at least six times the consumer's timeout",
        Area::Data,
        false,
    ),
    control(
        "PAL-MON-001",
        "Error and throttle alarms on every function",
        Area::Monitoring,
        true,
    ),
    control(
        "PAL-MON-002",
        "Dead-letter queue depth alarms",
        Area::Monitoring,
        true,
    ),
    control("PAL-MON-003", "API 5xx alarm", Area::Monitoring, true),
    control(
        "PAL-MON-004",
        "Bucket access logging",
        Area::Monitoring,
        true,
    ),
    control(
        "PAL-CI-001",
        "Deploy role trusts one repository's branches through OIDC only",
        Area::Ci,
        false,
    ),
];

pub fn find(id: &str) -> Option<&'static ControlInfo> {
    CATALOG.iter().find(|c| c.id == id)
}
