//! Secrets Manager secrets and their rotation.

use super::*;

impl Builder<'_> {
    pub(super) fn secrets(&mut self) {
        for (name, secret) in &self.spec.secrets {
            let id = self.of(name, "Secret");
            let retain = waiver(&secret.waive, DATA_RETAIN);
            let resource = self.add(
                id.clone(),
                Some(name),
                name.loc,
                Kind::Secret(Secret {
                    name: format!(
                        "{}/{}",
                        self.spec.service.value,
                        self.spec.stable_name(name)
                    ),
                    description: secret.description.as_ref().map(|d| d.value.clone()),
                    key: SERVICE_KEY.into(),
                }),
            );
            resource.retain = retain.is_none();
            resource.controls = vec![
                applied(KMS_ENCRYPTION, None),
                applied(DATA_RETAIN, retain),
                applied(
                    DATA_SECRET_ROTATION,
                    waiver(&secret.waive, DATA_SECRET_ROTATION),
                ),
            ];
            // PAL-DATA-010: Secrets Manager invokes the spec's function, for
            // this secret only, on the schedule.
            if let Some(rotation) = &secret.rotation {
                let function = self.of(&rotation.function, "Function");
                let permission = logical_id::part(&id, "RotationPermission");
                self.permission(
                    permission.clone(),
                    name,
                    rotation.function.loc,
                    &function,
                    "secretsmanager.amazonaws.com",
                    Expr::arn(&id),
                );
                let schedule = self.add(
                    logical_id::part(&id, "RotationSchedule"),
                    Some(name),
                    rotation.schedule.loc,
                    Kind::RotationSchedule(RotationSchedule {
                        secret: id.clone(),
                        function,
                        schedule: rotation.schedule.value.clone(),
                    }),
                );
                schedule.depends_on = vec![permission];
                schedule.controls = vec![applied(DATA_SECRET_ROTATION, None)];
            }
            self.output(
                self.of(name, "SecretArn"),
                format!("ARN of secret {}", name.value),
                Expr::attr(&id, Attr::Arn),
            );
        }
    }
}
