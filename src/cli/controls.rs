//! `palisade controls` and `palisade explain ID`: the control catalog, from
//! the one registry the planner uses.

use super::Io;
use crate::controls::{CATALOG, ControlInfo};
use crate::error::{Error, Result};
use crate::suggest::did_you_mean;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
    /// The catalog as Markdown (`docs/controls.md`).
    Markdown,
    /// What `overrides:` may change, as Markdown (`docs/overrides.md`).
    Overrides,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A control ID, such as PAL-IAM-002.
    pub id: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn to_json(control: &ControlInfo) -> serde_json::Value {
    serde_json::json!({
        "id": control.id,
        "title": control.title,
        "area": control.area.as_str(),
        "waivable": control.waivable,
        "what_it_enforces": control.enforces,
        "why": control.why,
        "what_is_emitted": control.emitted,
        "opting_out": control.opting_out,
        "references": {
            "aws_foundational_security_best_practices": control.fsbp,
            "cis_aws_foundations": control.cis,
            "aws_well_architected": control.well_architected,
            "checkov": control.checkov,
            "cdk_nag": control.cdk_nag,
            "aws_guard_rules_registry": control.guard,
        },
    })
}

fn write(io: &mut Io, text: &str) -> Result<()> {
    io.stdout
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("<stdout>", e))
}

pub fn list(args: &ListArgs, io: &mut Io) -> Result<()> {
    let text = match args.format {
        Format::Markdown => crate::controls::catalog_markdown(),
        Format::Overrides => crate::controls::tunable::markdown(),
        Format::Json => {
            let all: Vec<_> = CATALOG.iter().map(to_json).collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&all).expect("plain JSON")
            )
        }
        Format::Text => {
            let mut text = String::new();
            for c in CATALOG.iter() {
                let mut references: Vec<&str> = c.fsbp.to_vec();
                references.extend(c.cis.iter().copied());
                references.extend(c.checkov);
                let waivable = if c.waivable { "waivable" } else { "" };
                text.push_str(&format!(
                    "{:<13} {:<10} {:<8} {}\n{:<33} {}\n",
                    c.id,
                    c.area.as_str(),
                    waivable,
                    c.title,
                    "",
                    references.join(" ")
                ));
            }
            text
        }
    };
    write(io, &text)
}

pub fn explain(args: &ExplainArgs, io: &mut Io) -> Result<()> {
    let id = args.id.to_ascii_uppercase();
    let Some(control) = crate::controls::find(&id) else {
        let suggestion = did_you_mean(&id, CATALOG.iter().map(|c| c.id))
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_else(|| "; `palisade controls` lists them".into());
        return Err(Error::Usage(format!(
            "no control `{}`{suggestion}",
            args.id
        )));
    };
    let text = match args.format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&to_json(control)).expect("plain JSON")
        ),
        Format::Text | Format::Markdown | Format::Overrides => {
            let mut text = control.documentation();
            if control.id == crate::controls::ids::OVERRIDES_TUNABLE {
                text.push('\n');
                text.push_str(&crate::controls::tunable::markdown());
            }
            text
        }
    };
    write(io, &text)
}
