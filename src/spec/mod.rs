//! The spec: typed model, loading with source locations, semantic validation.

pub mod environments;
pub mod load;
pub mod model;
pub mod runtime;
pub mod secrets;
mod spanned;
pub mod strings;
mod syntax;
pub mod validate;

pub use load::{MAX_SPEC_BYTES, Source};
pub use model::*;
pub use runtime::code_dir;

/// Defaults applied where the spec is silent (DESIGN §1).
pub const DEFAULT_MEMORY: u32 = 256;
pub const DEFAULT_TIMEOUT: u32 = 10;
pub const DEFAULT_CONCURRENCY: u32 = 10;
pub const DEFAULT_THROTTLE: Throttle = Throttle {
    rate: 50,
    burst: 100,
};
/// The stage a REST API is served from (`https://<id>.execute-api.<region>.<suffix>/live/`):
/// REST APIs have no `$default` stage.
pub const REST_STAGE: &str = "live";

/// The function Palisade adds to verify a REST API's JWTs (a Lambda
/// authorizer: API Gateway's own REST authorizer knows only Cognito user
/// pools and checks no audience). A spec's function may not take its name.
pub const AUTHORIZER_FUNCTION: &str = "palisade-authorizer";
/// The authorizer's runtime: its code is Palisade's, JavaScript on Node.js
/// built-ins only.
pub const AUTHORIZER_RUNTIME: &str = "nodejs22.x";
/// Seconds API Gateway caches an authorizer's answer per token (its default).
pub const AUTHORIZER_CACHE_SECONDS: u32 = 300;

/// Requests per window one client IP may make to a REST API before AWS WAF
/// blocks it: AWS WAF's own suggested default. At most ~7 requests per second
/// sustained, so one address cannot drain the default stage bucket (50/s)
/// alone, while offices and partners behind one NAT address are not blocked
/// in normal use.
pub const DEFAULT_WAF_RATE_PER_IP: u32 = 2000;
/// The window AWS WAF counts `rate_per_ip` over, in seconds.
pub const DEFAULT_WAF_WINDOW: u32 = 300;
/// The windows AWS WAF offers.
pub const WAF_WINDOWS: &[u32] = &[60, 120, 300, 600];

/// The region and user pool ID of an Amazon Cognito user pool issuer
/// (`https://cognito-idp.<region>.amazonaws.com/<region>_<id>`): the only
/// issuer a REST API's native authorizer verifies tokens of.
pub fn cognito_user_pool(issuer: &str) -> Option<(&str, &str)> {
    let rest = issuer.strip_prefix("https://cognito-idp.")?;
    let (region, rest) = rest.split_once('.')?;
    let pool = rest.strip_prefix("amazonaws.com/")?.trim_end_matches('/');
    let (pool_region, id) = pool.split_once('_')?;
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (word(region) && pool_region == region && word(id)).then_some((region, pool))
}

/// The most child stacks of one kind `nested_stacks:` may ask for (and
/// the nested layout chooses): CloudFormation allows 2,500 stacks per
/// account by default, and each child is a resource of the root.
pub const MAX_NESTED_STACKS: u32 = 256;
/// Days logs are kept unless `logs.retention_days` says more: a year, what
/// CIS and the FSBP ask of audit logs.
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 365;
/// CloudWatch Logs' retention periods of a year or more: the values
/// `logs.retention_days` may take.
pub const LOG_RETENTION_PERIODS: &[u32] =
    &[365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/// SQS's own default.
pub const DEFAULT_QUEUE_RETENTION_DAYS: u32 = 4;
pub const DEFAULT_MAX_RECEIVES: u32 = 5;
pub const DEFAULT_QUEUE_BATCH: u32 = 10;
pub const DEFAULT_STREAM_BATCH: u32 = 100;

/// The largest batch Lambda reads from a queue: FIFO queues deliver at most
/// ten messages per batch.
pub fn max_queue_batch(fifo: bool) -> u32 {
    if fifo { 10 } else { 10_000 }
}

use crate::diagnostic::{self, Diagnostic, Severity};

/// A spec that parsed and passed validation, with the text it came from.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    pub source: Source,
    pub spec: Spec,
    /// Warnings only (errors make loading fail).
    pub warnings: Vec<Diagnostic>,
    /// The environment the spec was staged for (`--env`), if any.
    pub stage: Option<environments::Stage>,
}

/// Parses and validates a spec's bytes. `path` is used in diagnostics as
/// given; `base_dir` is where handler files are looked for, if anywhere.
pub fn load(
    path: &str,
    bytes: &[u8],
    base_dir: Option<&std::path::Path>,
) -> Result<LoadedSpec, Vec<Diagnostic>> {
    let (source, spec) = load::parse(path, bytes)?;
    let context = validate::Context {
        today: runtime::today(),
        base_dir,
        control: &crate::catalog::find,
    };
    let mut found = validate::validate(&spec, &context);
    found.extend(strings::check(&source.text, &spec));
    found.extend(environments::validate(&spec));
    for d in &mut found {
        d.file = path.to_string();
    }
    diagnostic::sort(&mut found);
    if found.iter().any(|d| d.severity == Severity::Error) {
        return Err(found);
    }
    Ok(LoadedSpec {
        source,
        spec,
        warnings: found,
        stage: None,
    })
}
