//! Control IDs, one constant each, so the planner and the catalog cannot
//! disagree on spelling.

pub const IAM_ROLE_PER_FUNCTION: &str = "PAL-IAM-001";
pub const IAM_DECLARED_ACCESS: &str = "PAL-IAM-002";
pub const IAM_NO_MANAGED_POLICIES: &str = "PAL-IAM-003";
pub const IAM_SCOPED_INVOKE: &str = "PAL-IAM-004";
pub const KMS_SERVICE_KEY: &str = "PAL-KMS-001";
pub const KMS_ENCRYPTION: &str = "PAL-KMS-002";
pub const TLS_ONLY: &str = "PAL-TLS-001";
pub const API_AUTHORIZER: &str = "PAL-API-001";
pub const API_SCOPES: &str = "PAL-API-002";
pub const API_THROTTLING: &str = "PAL-API-003";
pub const API_ACCESS_LOGS: &str = "PAL-API-004";
pub const API_CORS: &str = "PAL-API-005";
pub const FN_LOGS: &str = "PAL-FN-001";
pub const FN_TRACING: &str = "PAL-FN-002";
pub const FN_CONCURRENCY: &str = "PAL-FN-003";
pub const FN_ASYNC_DLQ: &str = "PAL-FN-004";
pub const FN_RUNTIME: &str = "PAL-FN-005";
pub const FN_NO_SECRETS: &str = "PAL-FN-006";
pub const DATA_RETAIN: &str = "PAL-DATA-001";
pub const DATA_PITR: &str = "PAL-DATA-002";
pub const DATA_DELETION_PROTECTION: &str = "PAL-DATA-003";
pub const DATA_VERSIONING: &str = "PAL-DATA-004";
pub const DATA_PRIVATE_BUCKETS: &str = "PAL-DATA-005";
pub const DATA_QUEUE_DLQ: &str = "PAL-DATA-006";
pub const DATA_VISIBILITY_TIMEOUT: &str = "PAL-DATA-007";
pub const MON_FUNCTION_ALARMS: &str = "PAL-MON-001";
pub const MON_DLQ_ALARM: &str = "PAL-MON-002";
pub const MON_API_ALARM: &str = "PAL-MON-003";
pub const MON_ACCESS_LOGS: &str = "PAL-MON-004";
pub const CI_DEPLOY_ROLE: &str = "PAL-CI-001";
pub const API_WIRING: &str = "PAL-API-006";
pub const IAM_RESOURCE_POLICIES: &str = "PAL-IAM-005";
pub const IAM_INVOKE_ONLY: &str = "PAL-IAM-006";
pub const KMS_KEY_ENABLED: &str = "PAL-KMS-003";
pub const MON_ALARMS_ENABLED: &str = "PAL-MON-005";
pub const DATA_IN_ACCOUNT: &str = "PAL-DATA-008";
pub const DATA_NO_SECRET_VALUES: &str = "PAL-DATA-009";
pub const OVERRIDES_TUNABLE: &str = "PAL-OVR-001";
pub const DATA_SECRET_ROTATION: &str = "PAL-DATA-010";
pub const API_WAF: &str = "PAL-API-007";
pub const API_CLIENT_LIMITS: &str = "PAL-API-008";

/// Controls that hold for every resource of the types they protect, checked
/// on the final artifacts (after `overrides:`), rather than applied to
/// chosen plan resources.
pub const ARTIFACT_CONTROLS: &[&str] = &[
    API_WIRING,
    IAM_RESOURCE_POLICIES,
    IAM_INVOKE_ONLY,
    KMS_KEY_ENABLED,
    MON_ALARMS_ENABLED,
    DATA_IN_ACCOUNT,
    DATA_NO_SECRET_VALUES,
    OVERRIDES_TUNABLE,
];
