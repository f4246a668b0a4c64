//! CI deployment roles.

use super::*;

impl Builder<'_> {
    /// PAL-CI-001: the GitHub deploy role and the CloudFormation service role
    /// it hands the stack to (see `deploy.rs`).
    pub(super) fn deploy_roles(&mut self) {
        let Some(deploy_role) = &self.spec.deploy_role else {
            return;
        };
        let service = &self.spec.service.value;
        let loc = deploy_role.github.repository.loc;
        let nested = deploy::may_nest(self.spec, self.plan.resources.len());
        for (id, role, output) in [
            (
                deploy::DEPLOY_ROLE,
                deploy::deploy_role(service, deploy_role, nested),
                "role-to-assume for aws-actions/configure-aws-credentials",
            ),
            (
                deploy::EXECUTION_ROLE,
                deploy::execution_role(
                    service,
                    self.spec.api.as_ref().is_some_and(|a| {
                        a.api_type() == spec::ApiType::Rest && !a.routes.is_empty()
                    }),
                    nested,
                ),
                "--role-arn for aws cloudformation deploy",
            ),
        ] {
            let resource = self.add(id.into(), None, loc, Kind::Role(role));
            resource.controls = vec![
                applied(CI_DEPLOY_ROLE, None),
                applied(IAM_NO_MANAGED_POLICIES, None),
            ];
            self.output(
                logical_id::part(id, "Arn"),
                format!("ARN of {id}: {output}"),
                Expr::arn(id),
            );
        }
    }
}
