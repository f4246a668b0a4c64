//! Reading `palisade.yaml`: bytes → typed [`Spec`] with source locations, or
//! diagnostics that point at the offending text.

use serde_saphyr::{DuplicateKeyPolicy, Error as YamlError};

use super::model::Spec;
use super::spanned::Loc;
use super::syntax;
use crate::diagnostic::{Code, Diagnostic};
use crate::suggest::did_you_mean;

/// Largest spec accepted. Real specs are a few KiB; this leaves room for
/// generated ones while keeping a hostile file from costing memory.
pub const MAX_SPEC_BYTES: usize = 1024 * 1024;

pub use crate::diagnostic::Source;

/// What a YAML file is, for the words of its error messages and the
/// limits they name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Spec,
    /// A CloudFormation template read by `diff`.
    Template,
}

impl Document {
    fn name(self) -> &'static str {
        match self {
            Document::Spec => "spec",
            Document::Template => "template",
        }
    }

    /// How deep [`options`] (or the template reader's) lets it nest.
    fn max_depth(self) -> usize {
        match self {
            Document::Spec => 32,
            Document::Template => TEMPLATE_MAX_DEPTH,
        }
    }
}

/// Nesting allowed in a template `diff` reads.
pub const TEMPLATE_MAX_DEPTH: usize = 64;

/// The error for a file larger than [`MAX_SPEC_BYTES`]; `size` is the
/// file's real size, also when only the first bytes past the limit were read.
pub fn too_large(size: u64) -> Diagnostic {
    Diagnostic::error(
        Code::InputLimit,
        Loc {
            line: 1,
            column: 1,
            ..Loc::default()
        },
        format!("the spec is {size} bytes; the limit is {MAX_SPEC_BYTES} (1 MiB)"),
    )
}

/// Parses the spec's YAML. Semantic checks are [`super::validate`]'s job.
pub fn parse(path: &str, bytes: &[u8]) -> Result<(Source, Spec), Vec<Diagnostic>> {
    let located = |d: Diagnostic| {
        vec![Diagnostic {
            file: path.to_string(),
            ..d
        }]
    };
    let start = Loc {
        line: 1,
        column: 1,
        ..Loc::default()
    };
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(located(too_large(bytes.len() as u64)));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let loc = loc_of_offset(bytes, err.valid_up_to());
            return Err(located(Diagnostic::error(
                Code::Unreadable,
                loc,
                "the spec is not UTF-8 text",
            )));
        }
    };
    if text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---"
    }) {
        return Err(located(
            Diagnostic::error(Code::MissingKey, start, "the spec is empty")
                .with_suggestion("start with `service: my-service`, or run `palisade init`"),
        ));
    }
    let source = Source {
        path: path.to_string(),
        text: text.to_string(),
    };
    match serde_saphyr::from_str_with_options::<Spec>(text, options()) {
        Ok(spec) => Ok((source, spec)),
        Err(err) => Err(located(where_to_fix(
            to_diagnostic(&err, text, Document::Spec),
            text,
        ))),
    }
}

/// The parser reports where it gave up; point at the mistake a person would
/// fix instead when one comes before that (a tab, an unclosed quote or
/// bracket, an over-indented key), and add a hint to the parser's message.
fn where_to_fix(diagnostic: Diagnostic, text: &str) -> Diagnostic {
    let confusable = matches!(
        diagnostic.code(),
        Code::YamlSyntax | Code::WrongType | Code::UnknownKey | Code::MissingKey
    );
    if !confusable {
        return diagnostic;
    }
    if let Some(mistake) = syntax::first_mistake(text)
        && mistake.loc.line <= diagnostic.line.saturating_add(1)
    {
        return Diagnostic::error(Code::YamlSyntax, mistake.loc, mistake.message)
            .with_suggestion(mistake.hint);
    }
    let loc = Loc {
        line: diagnostic.line,
        column: diagnostic.column,
        offset: diagnostic.span.offset,
        len: diagnostic.span.length,
    };
    match (
        &diagnostic.suggestion,
        syntax::hint_for(&diagnostic.message, loc, text),
    ) {
        (None, Some(hint)) => diagnostic.with_suggestion(hint),
        _ => diagnostic,
    }
}

pub(crate) fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        duplicate_keys: DuplicateKeyPolicy::Error,
        strict_booleans: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_documents: 1,
            max_depth: 32,
            max_aliases: 64,
            max_anchors: 64,
            max_nodes: 200_000,
            max_events: 400_000,
            max_total_scalar_bytes: MAX_SPEC_BYTES,
            max_recorded_anchor_bytes: 64 * 1024,
        },
    }
}

fn loc_of_offset(bytes: &[u8], offset: usize) -> Loc {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    Loc {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(offset - line_start + 1).unwrap_or(u32::MAX),
        offset,
        len: 1,
    }
}

/// Maps a YAML/serde error to one diagnostic, in Palisade's words (never
/// serde-saphyr's Rust ones, such as type names or `Debug` output).
pub fn to_diagnostic(err: &YamlError, text: &str, document: Document) -> Diagnostic {
    let name = document.name();
    let outer = err.without_snippet();
    // An alias error wraps what went wrong while replaying the alias; report
    // that, at the place the alias is used.
    let inner = match outer {
        YamlError::AliasError { error, .. } => error.without_snippet(),
        other => other,
    };
    let loc = outer
        .location()
        .map(|l| located_loc(l.line(), l.column(), text))
        .unwrap_or(Loc {
            line: 1,
            column: 1,
            ..Loc::default()
        });
    match inner {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let d = Diagnostic::error(Code::UnknownKey, loc, format!("unknown key `{field}`"));
            match did_you_mean(field, expected.iter().copied()) {
                Some(best) => d.with_suggestion(format!("did you mean `{best}`?")),
                None => d.with_suggestion(format!("expected one of {}", quoted_list(expected))),
            }
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let d = Diagnostic::error(
                Code::WrongType,
                loc,
                format!("`{variant}` is not one of {}", quoted_list(expected)),
            );
            match did_you_mean(variant, expected.iter().copied()) {
                Some(best) => d.with_suggestion(format!("did you mean `{best}`?")),
                None => d,
            }
        }
        YamlError::SerdeMissingField { field, .. } => Diagnostic::error(
            Code::MissingKey,
            loc,
            format!("missing required key `{field}`"),
        ),
        YamlError::DuplicateMappingKey { key, .. } => Diagnostic::error(
            Code::DuplicateKey,
            loc,
            match key {
                Some(key) => format!("duplicate key `{key}`"),
                None => "duplicate key".to_string(),
            },
        )
        .with_suggestion("each key may appear once in a mapping; merge the two entries"),
        YamlError::Budget {
            breach: serde_saphyr::budget::BudgetBreach::Documents { .. },
            ..
        } => Diagnostic::error(
            Code::YamlSyntax,
            loc,
            format!("the {name} must be a single YAML document"),
        )
        .with_suggestion("remove the `---` separator and everything after it, or split the file"),
        YamlError::Budget { breach, .. } => Diagnostic::error(
            Code::InputLimit,
            loc,
            format!(
                "the {name} exceeds a safety limit: {}",
                describe_breach(breach, document)
            ),
        )
        .with_suggestion(match document {
            Document::Spec => "specs are small and flat; anchors and aliases are limited to 64",
            Document::Template => "CloudFormation templates use no YAML anchors or aliases",
        }),
        YamlError::AliasReplayLimitExceeded { .. }
        | YamlError::AliasExpansionLimitExceeded { .. }
        | YamlError::AliasReplayStackDepthExceeded { .. }
        | YamlError::AliasReplayCounterOverflow { .. } => Diagnostic::error(
            Code::InputLimit,
            loc,
            format!("too much alias expansion: {}", plain_message(inner)),
        ),
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => Diagnostic::error(
            Code::WrongType,
            loc,
            format!("expected {expected}, found {unexpected}"),
        ),
        YamlError::InvalidScalar { ty, .. } => Diagnostic::error(
            Code::WrongType,
            loc,
            format!(
                "expected {}, found `{}`",
                describe_type(ty),
                token_at(text, loc)
            ),
        ),
        YamlError::Unexpected { expected, .. } => Diagnostic::error(
            Code::WrongType,
            loc,
            format!(
                "expected {}",
                expected.replace("mapping start", "a mapping (`key: value` lines)")
            ),
        ),
        YamlError::NullIntoString { .. } => Diagnostic::error(
            Code::WrongType,
            loc,
            "expected text, found nothing (an empty value, `~` or `null`)",
        ),
        YamlError::SerdeInvalidValue { .. }
        | YamlError::SerdeInvalidLength { .. }
        | YamlError::InvalidBooleanStrict { .. }
        | YamlError::QuotingRequired { .. }
        | YamlError::UnexpectedValueForUnit { .. }
        | YamlError::NonFiniteFloat { .. } => {
            Diagnostic::error(Code::WrongType, loc, plain_message(inner))
        }
        YamlError::MultipleDocuments { .. } => Diagnostic::error(
            Code::YamlSyntax,
            loc,
            format!("the {name} must be a single YAML document"),
        ),
        other => {
            let message = plain_message(other);
            if message.contains("recursion limit") {
                Diagnostic::error(
                    Code::InputLimit,
                    loc,
                    format!("the {name} is nested too deeply"),
                )
            } else {
                Diagnostic::error(Code::YamlSyntax, loc, message)
            }
        }
    }
}

fn describe_breach(breach: &serde_saphyr::budget::BudgetBreach, document: Document) -> String {
    use serde_saphyr::budget::BudgetBreach::*;
    match (breach, document) {
        (Depth { .. }, _) => format!("nested more than {} levels deep", document.max_depth()),
        (Nodes { .. } | Events { .. }, _) => {
            "more than 200000 values (an alias expansion bomb?)".into()
        }
        (Aliases { .. }, Document::Spec) => "more than 64 aliases".into(),
        (Aliases { .. }, Document::Template) => "it uses a YAML alias (`*name`)".into(),
        (Anchors { .. }, Document::Spec) => "more than 64 anchors".into(),
        (Anchors { .. }, Document::Template) => "it uses a YAML anchor (`&name`)".into(),
        (ScalarBytes { .. }, _) => "more than 1 MiB of text, counting what aliases repeat".into(),
        (MergeKeys { .. }, _) => "too many merge keys (`<<`)".into(),
        (Documents { .. }, _) => "more than one YAML document".into(),
        // The enum is non-exhaustive: a breach added by a later serde-saphyr
        // still gets a plain sentence, never its Rust name.
        _ => "it is too large or too complex".into(),
    }
}

fn describe_type(ty: &str) -> &str {
    match ty {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number",
        "i8" | "i16" | "i32" | "i64" | "isize" => "an integer",
        "f32" | "f64" => "a number",
        "bool" => "`true` or `false`",
        other => other,
    }
}

fn token_at(text: &str, loc: Loc) -> &str {
    text.get(loc.offset..loc.offset + loc.len).unwrap_or("")
}

/// serde-saphyr's message without its own " at line X column Y" suffix: the
/// diagnostic carries the position itself.
fn plain_message(err: &YamlError) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    }
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A 1-based line/column (in characters) turned into a byte offset, so the
/// snippet can underline the token.
pub fn located_loc(line: u64, column: u64, text: &str) -> Loc {
    let line = line.max(1);
    let column = column.max(1);
    let line_start = text
        .split_inclusive('\n')
        .take(usize::try_from(line - 1).unwrap_or(usize::MAX))
        .map(str::len)
        .sum::<usize>();
    let line_text = text[line_start.min(text.len())..]
        .split('\n')
        .next()
        .unwrap_or("");
    let column_offset = line_text
        .char_indices()
        .nth(usize::try_from(column - 1).unwrap_or(usize::MAX))
        .map_or(line_text.len(), |(i, _)| i);
    let token_len = line_text[column_offset..]
        .find([' ', ':', ',', ']', '}'])
        .unwrap_or(line_text.len() - column_offset)
        .max(1);
    Loc {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
        offset: line_start + column_offset,
        len: token_len,
    }
}
