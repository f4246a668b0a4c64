//! Recognising values that are credentials, so they never land in plain
//! Lambda environment variables (where any reader of the function sees them).

/// Why a value looks like a secret, or `None` if it looks like plain config.
pub fn looks_like_secret(name: &str, value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if has_token(value, &["AKIA", "ASIA"], 16, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit()
    }) {
        return Some("an AWS access key ID");
    }
    const PREFIXED: &[(&str, &str)] = &[
        ("sk_live_", "a Stripe live secret key"),
        ("rk_live_", "a Stripe restricted key"),
        ("whsec_", "a webhook signing secret"),
        ("ghp_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("xoxb-", "a Slack token"),
        ("xoxp-", "a Slack token"),
        ("glpat-", "a GitLab token"),
        ("AIza", "a Google API key"),
    ];
    if let Some((_, what)) = PREFIXED
        .iter()
        .find(|(prefix, _)| has_token(value, &[prefix], 8, is_token_char))
    {
        return Some(what);
    }
    if secret_sounding_name(name) && value.len() >= 16 && looks_random(value) {
        return Some("a high-entropy token under a secret-sounding name");
    }
    None
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

/// `prefix` followed by at least `min_rest` characters accepted by `body`.
fn has_token(value: &str, prefixes: &[&str], min_rest: usize, body: impl Fn(char) -> bool) -> bool {
    prefixes.iter().any(|prefix| {
        value.match_indices(prefix).any(|(at, _)| {
            value[at + prefix.len()..]
                .chars()
                .take_while(|&c| body(c))
                .count()
                >= min_rest
        })
    })
}

fn secret_sounding_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "KEY",
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "PWD",
        "CREDENTIAL",
        "PRIVATE",
        "AUTH",
    ]
    .iter()
    .any(|word| upper.contains(word))
}

/// High Shannon entropy, mixed character classes, and no spaces or URL shape:
/// random material rather than a word, a name or an address.
fn looks_random(value: &str) -> bool {
    if value.contains(char::is_whitespace) || value.contains("://") {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let len = value.chars().count() as f64;
    let entropy: f64 = counts
        .values()
        .map(|&n| {
            let p = n as f64 / len;
            -p * p.log2()
        })
        .sum();
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    entropy >= 3.5 && classes >= 2
}

#[cfg(test)]
mod tests {
    use super::looks_like_secret;

    #[test]
    fn flags_credentials() {
        assert!(looks_like_secret("X", "AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(looks_like_secret("STRIPE", "sk_live_51HxYzAbCdEfGh").is_some());
        assert!(looks_like_secret("K", "-----BEGIN RSA PRIVATE KEY-----\nabc").is_some());
        assert!(looks_like_secret("API_TOKEN", "f3Kz9QmP2xLw8VbN4cRt7YhJ6sDg1A0e").is_some());
    }

    #[test]
    fn accepts_plain_config() {
        assert!(looks_like_secret("LOG_LEVEL", "info").is_none());
        assert!(looks_like_secret("TABLE_KEY", "customer_id").is_none());
        assert!(looks_like_secret("AUTH_URL", "https://auth.example.com/oauth2/token").is_none());
        assert!(looks_like_secret("API_KEY_HEADER", "x-api-key").is_none());
    }
}
