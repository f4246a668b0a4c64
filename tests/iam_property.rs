//! For random policies P and widenings W ⊇ P: `diff` of P → W is broadening
//! whenever W grants something P did not, and W → P never is.

use palisade::iam::{grants, widened};
use proptest::prelude::*;
use serde_json::{Value, json};

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:Get*",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:*",
    "sqs:SendMessage",
    "sqs:Receive*",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::a/*",
    "arn:aws:s3:::b/x",
    "arn:aws:dynamodb:us-east-1:1:table/t",
    "arn:aws:sqs:us-east-1:1:q",
];

fn statement() -> impl Strategy<Value = Value> {
    (
        prop::sample::subsequence(ACTIONS, 1..4),
        prop::sample::subsequence(RESOURCES, 1..3),
        any::<bool>(),
    )
        .prop_map(|(actions, resources, condition)| {
            let mut s = json!({ "Effect": "Allow", "Action": actions, "Resource": resources });
            if condition {
                s["Condition"] = json!({ "StringEquals": { "aws:RequestedRegion": "us-east-1" } });
            }
            s
        })
}

fn policy(statements: &[Value]) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn strictly_wider_policies_are_broadening_and_narrower_ones_are_not(
        statements in prop::collection::vec(statement(), 1..4),
        how in 0..4u8,
        which in any::<prop::sample::Index>(),
        resource in prop::sample::select(RESOURCES),
    ) {
        let p = statements.clone();
        let mut w = statements.clone();
        let i = which.index(w.len());
        // Strictly wider: access P never grants (another service, or every action).
        let strictly = match how {
            0 => { w.push(json!({ "Effect": "Allow", "Action": "kms:Decrypt", "Resource": resource })); true }
            1 => { w[i]["Action"] = json!("*"); true }
            // Wider or equal: a resource widened to `*`, a condition dropped.
            2 => { w[i]["Resource"] = json!("*"); false }
            _ => { w[i].as_object_mut().unwrap().remove("Condition"); false }
        };
        let (p_grants, w_grants) = (grants(&policy(&p)).unwrap(), grants(&policy(&w)).unwrap());
        prop_assert!(widened(&w_grants, &p_grants).is_empty(), "W → P narrows: {:?}", widened(&w_grants, &p_grants));
        let template = |statements: &[Value]| json!({ "Resources": { "P": { "Type": "AWS::IAM::Policy", "Properties": { "PolicyName": "p", "PolicyDocument": policy(statements) } } } });
        let broadening = |old: &[Value], new: &[Value]| {
            palisade::diff::compare_cloudformation(&template(old), &template(new))
                .has_risk(palisade::diff::Risk::Broadening)
        };
        prop_assert!(!broadening(&w, &p), "diff W → P is not broadening");
        if strictly {
            prop_assert!(!widened(&p_grants, &w_grants).is_empty(), "P → W widens");
            prop_assert!(broadening(&p, &w), "diff P → W is broadening");
        }
        // Reordering never changes anything.
        let mut reordered = w.clone();
        reordered.reverse();
        prop_assert!(widened(&w_grants, &grants(&policy(&reordered)).unwrap()).is_empty());
    }
}
