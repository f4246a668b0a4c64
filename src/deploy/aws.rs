//! The AWS SDK clients `deploy` uses, from the standard credential chain.

use aws_config::{BehaviorVersion, Region};

/// The two services a deploy talks to.
#[derive(Clone, Debug)]
pub struct Clients {
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub s3: aws_sdk_s3::Client,
}

impl Clients {
    /// Clients from the standard chain: environment variables, shared
    /// config and credentials files (profiles, SSO), web identity (GitHub
    /// OIDC in CI), container and instance metadata. `region` (the
    /// environment's) wins over the chain's region. `AWS_ENDPOINT_URL`
    /// points every client elsewhere (the tests' emulator); S3 then uses
    /// path-style URLs, since `bucket.127.0.0.1` does not resolve.
    pub async fn from_environment(region: Option<&str>) -> Clients {
        // rustls with ring: the SDK's default TLS stack builds aws-lc's C
        // sources, which slows a build on a small machine for no gain here.
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_string()));
        }
        let config = loader.load().await;
        Clients::from_config(&config)
    }

    /// Clients for a loaded SDK configuration (tests replay recorded
    /// responses through one).
    pub fn from_config(config: &aws_config::SdkConfig) -> Clients {
        let custom_endpoint =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(custom_endpoint)
            .build();
        Clients {
            cloudformation: aws_sdk_cloudformation::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3),
        }
    }
}
