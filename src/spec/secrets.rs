//! Recognising values that are credentials, so they never land in plain
//! Lambda environment variables (where any reader of the function sees them).
//!
//! Three rules, any of which makes a value a secret (E044):
//! - the value has the shape of a known credential (a private key, an AWS
//!   access key ID, a Stripe, GitHub, Slack, GitLab or Google key) or is a
//!   high-entropy token under a secret-sounding name;
//! - the value is a URL with a password in it (`scheme://user:password@host`);
//! - the name says it holds a credential (`DB_PASSWORD`, `GITHUB_TOKEN`,
//!   `STRIPE_API_KEY`, ...) and the value is a literal: anything but a
//!   number, a boolean, an empty string or a reference (`arn:...`,
//!   `{{resolve:...}}`, `${...}`). A word after the credential word that
//!   describes it (`PASSWORD_MIN_LENGTH`, `TOKEN_TTL_SECONDS`,
//!   `SECRET_ARN`) makes the name plain configuration.

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
    if url_with_password(value) {
        return Some("a URL with a password in it (`user:password@`)");
    }
    if !is_literal(value) {
        return None;
    }
    if secret_sounding_name(name) && value.len() >= 16 && looks_random(value) {
        return Some("a high-entropy token under a secret-sounding name");
    }
    if names_a_credential(name) {
        return Some("a password, token or key in plain text (its name says so)");
    }
    None
}

/// `scheme://user:password@host` with a non-empty password that is not a
/// placeholder (`${DB_PASSWORD}`, `{{resolve:...}}`, `<password>`).
fn url_with_password(value: &str) -> bool {
    value.match_indices("://").any(|(at, _)| {
        let scheme = &value[..at];
        let scheme_ok = scheme
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c)))
            .next()
            .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_alphabetic()));
        let rest = &value[at + 3..];
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let Some((userinfo, _host)) = authority.rsplit_once('@') else {
            return false;
        };
        let Some((_user, password)) = userinfo.split_once(':') else {
            return false;
        };
        scheme_ok && !password.is_empty() && !is_placeholder(password)
    })
}

fn is_placeholder(text: &str) -> bool {
    text.starts_with("${")
        || text.starts_with("$(")
        || text.starts_with("{{")
        || (text.starts_with('<') && text.ends_with('>'))
        || text.chars().all(|c| c == '*' || c == 'x' || c == 'X')
}

/// Words that make a name a credential's: `DB_PASSWORD`, `SLACK_TOKEN`.
const CREDENTIAL_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Two-word credential names: `API_KEY`, `PRIVATE_KEY`.
const CREDENTIAL_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("PRIVATE", "KEY"),
    ("SECRET", "KEY"),
    ("ACCESS", "KEY"),
    ("SIGNING", "KEY"),
    ("ENCRYPTION", "KEY"),
    ("CLIENT", "SECRET"),
];

/// Words after a credential word that make the name describe the credential
/// rather than hold it: `PASSWORD_MIN_LENGTH`, `TOKEN_TTL_SECONDS`.
const DESCRIBING_WORDS: &[&str] = &[
    "ALG",
    "ALGORITHM",
    "ARN",
    "AGE",
    "AUDIENCE",
    "BITS",
    "BUCKET",
    "BYTES",
    "CACHE",
    "COUNT",
    "DAYS",
    "DISABLED",
    "ENABLED",
    "ENDPOINT",
    "EXPIRATION",
    "EXPIRES",
    "EXPIRY",
    "FIELD",
    "FILE",
    "FORMAT",
    "HEADER",
    "HOURS",
    "ID",
    "ISSUER",
    "KEY",
    "LEN",
    "LENGTH",
    "LEVEL",
    "LIFETIME",
    "LIMIT",
    "LOCATION",
    "MAX",
    "MIN",
    "MINUTES",
    "MODE",
    "MS",
    "NAME",
    "PARAM",
    "PARAMETER",
    "PATH",
    "POLICY",
    "PREFIX",
    "REGION",
    "REQUIRED",
    "ROTATION",
    "SCOPE",
    "SCOPES",
    "SECONDS",
    "SECS",
    "SIZE",
    "TABLE",
    "TIMEOUT",
    "TTL",
    "TYPE",
    "URI",
    "URL",
    "VERSION",
];

/// Whether the name says the variable holds a credential: a credential word
/// (`*PASSWORD*`, `*PASSWD*`, `*SECRET*`, `*TOKEN`, `*_PWD`, `*API_KEY*`,
/// `*PRIVATE_KEY*`, ...) not followed by a word that describes it.
pub fn names_a_credential(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    let is_credential_word = |word: &str| {
        word == "PWD"
            || word.ends_with("PWD") && word.len() > 3 && word != "CWD"
            || word.ends_with("TOKEN")
            || ["PASSWORD", "PASSWD", "SECRET"]
                .iter()
                .any(|w| word.contains(w))
            || CREDENTIAL_WORDS.contains(&word)
    };
    let last_credential = (0..words.len()).rev().find(|&i| {
        is_credential_word(words[i])
            || (i > 0 && CREDENTIAL_PAIRS.contains(&(words[i - 1], words[i])))
    });
    match last_credential {
        Some(i) => words[i + 1..]
            .iter()
            .all(|word| !DESCRIBING_WORDS.contains(word)),
        None => false,
    }
}

/// A value written out, rather than a number, a boolean, nothing, or a
/// reference to where the real value lives.
fn is_literal(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let number = value.parse::<f64>().is_ok_and(f64::is_finite);
    let boolean = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off"
    );
    let reference =
        lower.starts_with("arn:") || value.starts_with("{{resolve:") || is_placeholder(value);
    !(value.is_empty() || number || boolean || reference)
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

    #[test]
    fn credential_names() {
        use super::names_a_credential as n;
        for name in [
            "DB_PASSWORD",
            "PASSWORD",
            "SMTP_PASSWD",
            "DB_PWD",
            "GITHUB_TOKEN",
            "AUTH_TOKEN_VALUE",
            "STRIPE_API_KEY",
            "APIKEY",
            "JWT_PRIVATE_KEY",
            "CLIENT_SECRET",
            "SECRET",
            "db_password",
        ] {
            assert!(n(name), "{name}");
        }
        for name in [
            "LOG_LEVEL",
            "TOKEN_TTL_SECONDS",
            "PASSWORD_MIN_LENGTH",
            "SECRET_ARN",
            "API_KEY_HEADER",
            "TABLE_KEY",
            "MAX_TOKENS",
            "TOKENIZER",
            "CWD",
            "KEYBOARD_LAYOUT",
        ] {
            assert!(!n(name), "{name}");
        }
    }
}
