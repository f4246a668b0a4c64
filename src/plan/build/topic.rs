//! SNS topics.

use super::*;

impl Builder<'_> {
    pub(super) fn topics(&mut self) {
        for name in self.spec.topics.keys() {
            let id = self.of(name, "Topic");
            let topic = self.add(
                id.clone(),
                Some(name),
                name.loc,
                Kind::Topic(Topic {
                    name: self.qualified(name),
                    key: SERVICE_KEY.into(),
                }),
            );
            topic.controls.push(applied(KMS_ENCRYPTION, None));
            self.tls_only_policy(&id, PolicyOn::Topic, "sns:Publish", vec![Expr::arn(&id)]);
            self.output(
                self.of(name, "TopicArn"),
                format!("ARN of topic {}", name.value),
                Expr::attr(&id, Attr::Arn),
            );
        }
    }
}
