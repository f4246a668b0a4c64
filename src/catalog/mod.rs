//! The control catalog: every protection Palisade applies, as one documented
//! unit with a permanent ID and compliance references. A leaf: it depends on
//! nothing else in the crate, so the spec (waivers), the plan (applied
//! controls) and the checks above them can all name controls. One file per
//! family; a family's checks live in `src/controls/`. IDs are never reused.

pub mod ids;

mod api;
mod ci;
mod data;
mod function;
mod iam;
mod kms;
mod monitoring;
mod overrides;
mod tls;

use std::sync::LazyLock;

/// Every family's controls, in the order `palisade controls` lists them.
const FAMILIES: &[&[ControlInfo]] = &[
    iam::CONTROLS,
    kms::CONTROLS,
    tls::CONTROLS,
    api::CONTROLS,
    function::CONTROLS,
    data::CONTROLS,
    monitoring::CONTROLS,
    ci::CONTROLS,
    overrides::CONTROLS,
];

/// Every control, family by family.
pub static CATALOG: LazyLock<Vec<ControlInfo>> =
    LazyLock::new(|| FAMILIES.iter().flat_map(|f| f.iter().copied()).collect());

pub(crate) const fn cfn(resource_type: &'static str, property: &'static str) -> Protected {
    Protected {
        target: Target::CloudFormation,
        resource_type,
        property,
    }
}

/// A setting only Terraform has.
pub(crate) const fn tf(resource_type: &'static str, property: &'static str) -> Protected {
    Protected {
        target: Target::Terraform,
        resource_type,
        property,
    }
}

pub(crate) const NOT_WAIVABLE: &str = "Not waivable: there is no spec in which this protection is wrong. Ask for a change to the control if you find one.";

/// Where a control applies, for grouping in `palisade controls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    Iam,
    Kms,
    Tls,
    Api,
    Function,
    Data,
    Monitoring,
    Ci,
    Overrides,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Iam => "iam",
            Area::Kms => "encryption",
            Area::Tls => "transport",
            Area::Api => "api",
            Area::Function => "function",
            Area::Data => "data",
            Area::Monitoring => "monitoring",
            Area::Ci => "ci",
            Area::Overrides => "overrides",
        }
    }
}

/// The two languages a stack ships in: the one name for them everywhere
/// (controls, overrides, diff).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    CloudFormation,
    Terraform,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::CloudFormation, Target::Terraform];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::CloudFormation => "cloudformation",
            Target::Terraform => "terraform",
        }
    }
}

/// A property a control sets: an override that changes it on a resource the
/// control applies to undoes the control. Declared in CloudFormation terms
/// (translated for Terraform by the emitter) or, where only Terraform has the
/// setting (`force_destroy`), in Terraform terms.
#[derive(Debug, Clone, Copy)]
pub struct Protected {
    pub target: Target,
    /// `AWS::Lambda::Function` or `aws_lambda_function`.
    pub resource_type: &'static str,
    /// Top-level key under `Properties` (or `DeletionPolicy`), or a
    /// Terraform argument; [`EVERY_SETTING`] for every setting that is not
    /// tunable.
    pub property: &'static str,
}

/// A `Protected::property` that covers every non-tunable setting of a type.
pub const EVERY_SETTING: &str = "*";

/// One control: what it enforces and why, for users; how it is checked, for us.
#[derive(Debug, Clone, Copy)]
pub struct ControlInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub area: Area,
    /// Whether `waive: { ID: reason }` may turn it off.
    pub waivable: bool,
    /// What it enforces.
    pub enforces: &'static str,
    /// Why: the risk it prevents.
    pub why: &'static str,
    /// What is emitted.
    pub emitted: &'static str,
    /// How to opt out, or why one cannot.
    pub opting_out: &'static str,
    /// AWS Foundational Security Best Practices control IDs.
    pub fsbp: &'static [&'static str],
    /// CIS AWS Foundations Benchmark items, where one applies.
    pub cis: &'static [&'static str],
    /// AWS Well-Architected best practices (where no benchmark item exists).
    pub well_architected: &'static [&'static str],
    /// checkov check IDs this control answers.
    pub checkov: &'static [&'static str],
    /// cdk-nag AwsSolutions rules this control answers.
    pub cdk_nag: &'static [&'static str],
    /// AWS Guard Rules Registry rules this control answers.
    pub guard: &'static [&'static str],
    /// Properties it sets, which overrides may not undo.
    pub protects: &'static [Protected],
}

pub fn find(id: &str) -> Option<&'static ControlInfo> {
    CATALOG.iter().find(|c| c.id == id)
}

impl ControlInfo {
    /// The full documentation, with fixed headings, as `palisade explain` prints it.
    pub fn documentation(&self) -> String {
        let mut references = Vec::new();
        if !self.fsbp.is_empty() {
            references.push(format!(
                "- AWS Foundational Security Best Practices: {}",
                self.fsbp.join(", ")
            ));
        }
        if !self.cis.is_empty() {
            references.push(format!(
                "- CIS AWS Foundations Benchmark: {}",
                self.cis.join(", ")
            ));
        }
        if !self.well_architected.is_empty() {
            references.push(format!(
                "- AWS Well-Architected: {}",
                self.well_architected.join(", ")
            ));
        }
        if !self.checkov.is_empty() {
            references.push(format!("- checkov: {}", self.checkov.join(", ")));
        }
        if !self.cdk_nag.is_empty() {
            references.push(format!("- cdk-nag: {}", self.cdk_nag.join(", ")));
        }
        if !self.guard.is_empty() {
            references.push(format!(
                "- AWS Guard Rules Registry: {}",
                self.guard.join(", ")
            ));
        }
        format!(
            "# {id}: {title}\n\n## What it enforces\n{enforces}\n\n## Why\n{why}\n\n## What is emitted\n{emitted}\n\n## Opting out\n{opting_out}\n\n## References\n{references}\n",
            id = self.id,
            title = self.title,
            enforces = self.enforces,
            why = self.why,
            emitted = self.emitted,
            opting_out = self.opting_out,
            references = references.join("\n"),
        )
    }
}

/// `docs/controls.md`: every control's documentation, generated from the
/// registry so the docs cannot drift from what is enforced.
pub fn catalog_markdown() -> String {
    let mut text = String::from(
        "<!-- generated from src/catalog/ by `palisade controls --format markdown`; do not edit -->\n\n# Palisade controls\n\n| ID | Title | Waivable |\n|----|-------|----------|\n",
    );
    for c in CATALOG.iter() {
        text.push_str(&format!(
            "| {} | {} | {} |\n",
            c.id,
            c.title,
            if c.waivable { "yes" } else { "no" }
        ));
    }
    for c in CATALOG.iter() {
        text.push('\n');
        text.push_str(
            &c.documentation()
                .replacen("# ", "## ", 1)
                .replace("\n## ", "\n### "),
        );
    }
    text
}
