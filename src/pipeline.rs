//! The one pipeline every command goes through: a loaded spec → plan →
//! overrides checked for shape → final CloudFormation and Terraform with the
//! overrides merged → every control verified on those final artifacts.
//! `validate`, `build`, `check`, `diff` and `graph` all call [`run`], so
//! what one accepts the others accept.

use serde_json::Value;

use crate::controls::{self, Target, artifact};
use crate::diagnostic::{Code, Diagnostic};
use crate::emit::{cloudformation, terraform};
use crate::error::{Error, Result};
use crate::plan::{self, Kind, Plan, Resource};
use crate::spec::{LoadedSpec, Loc, Spec, Waivers};

/// What the pipeline produced for one spec.
#[derive(Debug)]
pub struct Compiled {
    pub plan: Plan,
    /// The final template, overrides merged; `Value::Null` when
    /// [`Render::stacks`] took it (`build`, which writes only the stacks).
    pub cloudformation: Value,
    /// The final Terraform module's files, overrides merged.
    pub terraform: terraform::Files,
    /// Controls the final artifacts fail, each at the override that did it.
    /// `build` refuses these (E064); `check` reports them.
    pub violations: Vec<Located>,
}

/// A violation and the override it comes from.
#[derive(Debug, Clone)]
pub struct Located {
    pub violation: artifact::Violation,
    /// The override's key in the spec.
    pub at: crate::spec::Name,
}

impl Compiled {
    /// The violations as E064 diagnostics at their overrides.
    pub fn violation_diagnostics(&self) -> Vec<Diagnostic> {
        self.violations
            .iter()
            .map(|v| {
                let control = controls::find(v.violation.control).expect("catalogued");
                let target = match v.violation.target {
                    Target::CloudFormation => "CloudFormation",
                    Target::Terraform => "Terraform",
                };
                controls::overrides::undoes(
                    &v.at,
                    &format!("{} ({target})", v.violation.message),
                    control,
                )
            })
            .collect()
    }
}

/// What the caller wants rendered from the final artifacts while the
/// pipeline still has both cores busy: the template's text (the largest
/// rendering, beside the template on the second core) and the report.
#[derive(Default)]
pub struct Render<'r> {
    pub template: Option<&'r (dyn Fn(&Value) -> String + Sync)>,
    /// Instead of `template`: the CloudFormation output as files, one
    /// template or nested stacks (`emit::cloudformation::nested`), which needs the plan.
    pub stacks: Option<&'r crate::emit::cloudformation::nested::RenderStacks<'r>>,
    pub security: bool,
}

/// The renderings asked for in [`Render`].
#[derive(Debug, Default)]
pub struct Rendered {
    pub template: Option<String>,
    pub stacks: Option<crate::emit::cloudformation::nested::Rendered>,
    pub security: Option<String>,
}

/// Runs the pipeline. Spec problems (including overrides of the wrong
/// shape) are `Error::Invalid`; a plan that fails its own verification is a
/// bug (`Error::Internal`). Violations through overrides come back in
/// [`Compiled::violations`] for the caller to refuse or report.
pub fn run(loaded: &LoadedSpec, packages: &plan::Packages) -> Result<Compiled> {
    run_and_render(loaded, packages, &Render::default()).map(|(compiled, _)| compiled)
}

/// [`run`], and the renderings `render` asks for.
pub fn run_and_render(
    loaded: &LoadedSpec,
    packages: &plan::Packages,
    render: &Render,
) -> Result<(Compiled, Rendered)> {
    let spec = &loaded.spec;
    let invalid = |diagnostics: Vec<Diagnostic>| Error::invalid_in(&loaded.source, diagnostics);
    let plan = plan::compile(spec, packages).map_err(|err| match err {
        plan::CompileError::Invalid(diagnostics) => invalid(diagnostics),
        plan::CompileError::Bug(bug) => bug,
    })?;
    let limit = crate::spec::validate::MAX_GENERATED_RESOURCES;
    if plan.resources.len() > limit {
        let diagnostic = Diagnostic::error(
            Code::InputLimit,
            spec.service.loc,
            format!(
                "the spec generates {} resources; the limit is {limit}",
                plan.resources.len()
            ),
        )
        .with_suggestion("split the service into several specs (CloudFormation itself allows 500 resources per stack)");
        return Err(invalid(vec![diagnostic]));
    }
    // Emitting Terraform just to list its addresses costs a second emission:
    // only Terraform overrides need them (a name clash is found below too).
    let addresses = if spec.overrides.terraform.is_empty() {
        Vec::new()
    } else {
        terraform::addresses(&plan).map_err(|clash| invalid(vec![clash.diagnostic(&plan)]))?
    };
    let cfn_type = |resource: &Resource| resource.kind.describe().cloudformation.name;
    let shape = controls::overrides::check(&plan, &spec.overrides, &cfn_type, &addresses);
    if !shape.is_empty() {
        return Err(invalid(shape));
    }
    let cfn_patches = spec.overrides.cloudformation_patches();
    let tf_patches = spec.overrides.terraform_patches();
    // The template and its text, the larger rendering, on a second core;
    // Terraform and the report on this one.
    let ((template, planned, texts), module, security) = std::thread::scope(|scope| {
        let template = scope.spawn(|| {
            let (template, planned) = cloudformation::template_patched(&plan, &cfn_patches);
            // What the overrides made of each patched resource, for the
            // controls below, before `stacks` takes the template.
            let planned: Vec<_> = planned
                .into_iter()
                .map(|(id, planned)| {
                    let shipped = template["Resources"][&id].clone();
                    (id, planned, shipped)
                })
                .collect();
            let text = render.template.map(|text| text(&template));
            match render.stacks {
                Some(stacks) => {
                    let rendered = stacks(&plan, template);
                    (Value::Null, planned, (text, Some(rendered)))
                }
                None => (template, planned, (text, None)),
            }
        });
        // A planner bug must never ship a stack that silently lacks a
        // control: checked here, beside the template, and refused below.
        let unverified = controls::verify::verify(&plan).into_iter().next();
        let module = terraform::module_patched(&plan, &tf_patches);
        let security = render
            .security
            .then(|| crate::emit::security::render(&plan, &spec.overrides));
        (
            template
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            (unverified, module),
            security,
        )
    });
    let (unverified, module) = module;
    if let Some(finding) = unverified {
        return Err(Error::Internal(format!(
            "the plan fails {} on {}: {}",
            finding.control, finding.resource, finding.message
        )));
    }
    let (template_text, stacks) = texts;
    let (files, patched_blocks) = module.map_err(|clash| invalid(vec![clash.diagnostic(&plan)]))?;

    let mut shipped = Vec::new();
    for (id, planned, shipped_resource) in planned {
        let resource = plan.get(&id).expect("patched resources are plan resources");
        shipped.push(artifact::Shipped {
            target: Target::CloudFormation,
            resource,
            resource_type: planned["Type"].as_str().unwrap_or_default().to_string(),
            cfn_type: cfn_type(resource).to_string(),
            shipped: shipped_resource,
            planned,
            address: id,
        });
    }
    for block in patched_blocks {
        let resource = plan
            .get(&block.resource)
            .expect("patched blocks are plan resources");
        shipped.push(artifact::Shipped {
            target: Target::Terraform,
            resource,
            resource_type: block.resource_type,
            cfn_type: cfn_type(resource).to_string(),
            address: block.address,
            planned: block.planned,
            shipped: block.shipped,
        });
    }
    let waived = |resource: &Resource, control: &str| {
        spec_waivers(spec, resource).is_some_and(|w| w.keys().any(|k| k.value == control))
    };
    let violations = artifact::verify(&shipped, &waived)
        .into_iter()
        .map(|violation| {
            let overrides = match violation.target {
                Target::CloudFormation => &spec.overrides.cloudformation,
                Target::Terraform => &spec.overrides.terraform,
            };
            let at = overrides
                .keys()
                .find(|k| k.value == violation.address)
                .cloned()
                .expect("only overridden resources are verified");
            Located { violation, at }
        })
        .collect();
    Ok((
        Compiled {
            plan,
            cloudformation: template,
            terraform: files,
            violations,
        },
        Rendered {
            template: template_text,
            stacks,
            security,
        },
    ))
}

/// [`run`], refusing violations: what `build`, `diff` and `validate` accept.
pub fn run_strict(loaded: &LoadedSpec, packages: &plan::Packages) -> Result<Compiled> {
    run_strict_and_render(loaded, packages, &Render::default()).map(|(compiled, _)| compiled)
}

/// [`run_and_render`], refusing violations.
pub fn run_strict_and_render(
    loaded: &LoadedSpec,
    packages: &plan::Packages,
    render: &Render,
) -> Result<(Compiled, Rendered)> {
    let (compiled, rendered) = run_and_render(loaded, packages, render)?;
    if compiled.violations.is_empty() {
        Ok((compiled, rendered))
    } else {
        Err(Error::invalid_in(
            &loaded.source,
            compiled.violation_diagnostics(),
        ))
    }
}

/// The `waive:` of the spec entry a plan resource comes from: the function,
/// table, queue, bucket, topic or secret, or `api:` for the API's resources.
pub fn spec_waivers<'s>(spec: &'s Spec, resource: &Resource) -> Option<&'s Waivers> {
    let api_level = matches!(
        resource.kind,
        Kind::Route(_)
            | Kind::Api(_)
            | Kind::Stage(_)
            | Kind::Authorizer(_)
            | Kind::Integration(_)
            | Kind::RestApi(_)
            | Kind::RestResource(_)
            | Kind::RestPreflight(_)
            | Kind::RestGatewayResponse(_)
            | Kind::RestMethod(_)
            | Kind::RestAuthorizer(_)
            | Kind::RestDeployment(_)
            | Kind::RestStage(_)
            | Kind::WebAcl(_)
            | Kind::WebAclAssociation(_)
            | Kind::WebAclLogging(_)
            | Kind::UsagePlan(_)
            | Kind::ApiKey(_)
            | Kind::UsagePlanKey(_)
    );
    if api_level {
        return spec.api.as_ref().map(|api| &api.waive);
    }
    let name = resource.source.as_deref()?;
    spec.functions
        .get(name)
        .map(|f| &f.waive)
        .or_else(|| spec.tables.get(name).map(|t| &t.waive))
        .or_else(|| spec.queues.get(name).map(|q| &q.waive))
        .or_else(|| spec.buckets.get(name).map(|b| &b.waive))
        .or_else(|| spec.topics.get(name).map(|t| &t.waive))
        .or_else(|| spec.secrets.get(name).map(|s| &s.waive))
}

/// Where a waiver of `control` for `resource` is written, if it is.
pub fn waiver_loc(spec: &Spec, resource: &Resource, control: &str) -> Option<Loc> {
    spec_waivers(spec, resource)?
        .keys()
        .find(|k| k.value == control)
        .map(|k| k.loc)
}
