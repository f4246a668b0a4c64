//! One diagnostic type for every problem found in a spec. It serialises to JSON
//! as is and renders to the terminal with a source snippet.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

/// An input file's text, kept for rendering snippets.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user gave it (never made absolute: it ends up in output).
    pub path: String,
    pub text: String,
}

/// A position in an input file: 1-based line and column, byte offset and
/// length. Here rather than in `spec` so that diagnostics sit below every
/// layer that reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Loc {
    pub line: u32,
    pub column: u32,
    pub offset: usize,
    pub len: usize,
}

/// Every diagnostic code Palisade emits. Codes are permanent: retire, never reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    /// The file is not valid YAML.
    YamlSyntax,
    /// A value has the wrong type or is not one of the allowed values.
    WrongType,
    /// A key that the spec does not know.
    UnknownKey,
    /// The same key twice in one mapping.
    DuplicateKey,
    /// A required key is missing.
    MissingKey,
    /// Input too large, too deep, or too many aliases.
    InputLimit,
    /// The file cannot be read or is not UTF-8 text.
    Unreadable,
    /// A name is not kebab-case.
    NameFormat,
    /// Two resources share a name.
    NameDuplicate,
    /// `access:` names something that does not exist.
    AccessUnknownTarget,
    /// An access level that does not fit the target's kind.
    AccessLevelMismatch,
    /// A route key is not `METHOD /path`.
    RouteKey,
    /// A route names a function that does not exist.
    RouteUnknownFunction,
    /// A route has no authorizer and is not public with a reason.
    RouteWithoutAuth,
    /// `public:` without a reason.
    RoutePublicReason,
    /// A CORS origin that is not an explicit https origin.
    CorsOrigin,
    /// A JWT issuer or audience that cannot work.
    JwtConfig,
    /// A setting a REST API (`api.type: rest`) cannot honour.
    RestApi,
    /// A runtime Lambda does not offer.
    RuntimeUnknown,
    /// A runtime past its deprecation date.
    RuntimeDeprecated,
    /// A number outside its allowed range.
    OutOfRange,
    /// A handler that escapes the service directory or is malformed.
    HandlerPath,
    /// An environment value that looks like a secret.
    SecretInEnvironment,
    /// A schedule expression that is not valid.
    ScheduleExpression,
    /// An event that names something that does not exist.
    EventUnknownSource,
    /// An event with no source, several sources, or options that do not fit it.
    EventShape,
    /// A stream event on a table without `stream:`.
    StreamNotEnabled,
    /// A queue consumer that does not fit the queue.
    QueueConsumer,
    /// A waiver without a reason or for an unknown control.
    Waiver,
    /// A deploy role that cannot be trusted as written.
    DeployRole,
    /// A tag that AWS would reject.
    Tag,
    /// An override that names a resource Palisade does not generate.
    OverrideTarget,
    /// An override that undoes a control without a waiver.
    OverrideUndoesControl,
    /// An email address that is not one.
    Email,
    /// A secret without rotation or waiver, or a rotation that cannot work.
    SecretRotation,
    /// An override whose shape no stack may take: a resource's `Type`,
    /// Terraform meta-arguments, names the resource type does not have.
    OverrideStructure,
    /// Text with a control or bidirectional-formatting character, or not in NFC.
    Text,
    /// An environment that cannot be deployed as written (account, region,
    /// name, an unknown function or route).
    Environment,
    /// An environment that loosens a control without a waiver scoped to it,
    /// or waives one it may not.
    EnvironmentLoosening,
    /// CloudFormation output that no layout of nested stacks can deploy.
    StackLayout,
}

impl Code {
    /// The stable code printed with the message.
    pub fn id(self) -> &'static str {
        use Code::*;
        match self {
            YamlSyntax => "E001",
            WrongType => "E002",
            UnknownKey => "E003",
            DuplicateKey => "E004",
            MissingKey => "E005",
            InputLimit => "E006",
            Unreadable => "E007",
            NameFormat => "E010",
            NameDuplicate => "E011",
            AccessUnknownTarget => "E020",
            AccessLevelMismatch => "E021",
            RouteKey => "E030",
            RouteUnknownFunction => "E031",
            RouteWithoutAuth => "E032",
            RoutePublicReason => "E033",
            CorsOrigin => "E034",
            JwtConfig => "E035",
            RestApi => "E082",
            RuntimeUnknown => "E040",
            RuntimeDeprecated => "E041",
            OutOfRange => "E042",
            HandlerPath => "E043",
            SecretInEnvironment => "E044",
            ScheduleExpression => "E050",
            EventUnknownSource => "E051",
            EventShape => "E052",
            StreamNotEnabled => "E053",
            QueueConsumer => "E054",
            Waiver => "E060",
            DeployRole => "E061",
            Tag => "E062",
            OverrideTarget => "E063",
            OverrideUndoesControl => "E064",
            Email => "E065",
            OverrideStructure => "E066",
            Text => "E067",
            SecretRotation => "E068",
            Environment => "E080",
            EnvironmentLoosening => "E081",
            StackLayout => "E069",
        }
    }
}

impl Serialize for CodeId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.id())
    }
}

/// Serialises a [`Code`] as its stable ID (`E001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeId(pub Code);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A byte range in the spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteSpan {
    pub offset: usize,
    pub length: usize,
}

/// One problem, located in a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub code: CodeId,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub span: ByteSpan,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            code: CodeId(code),
            severity: Severity::Error,
            message: message.into(),
            file: String::new(),
            line: loc.line,
            column: loc.column,
            span: ByteSpan {
                offset: loc.offset,
                length: loc.len,
            },
            suggestion: None,
        }
    }

    pub fn warning(code: Code, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, loc, message)
        }
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    pub fn with_optional_suggestion(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    pub fn code(&self) -> Code {
        self.code.0
    }

    /// `file:line:col`, the form editors and terminals make clickable.
    /// Just the file when the problem has no place in it (line 0).
    pub fn position(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column)
        }
    }

    /// Renders the diagnostic with a snippet of `source` (the file's text).
    pub fn render(&self, source: &str, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(&self.message).id(self.code.0.id());
        let range = self.snippet_range(source);
        let group = match range {
            Some(range) => title.element(
                Snippet::source(source)
                    .path(self.file.as_str())
                    .annotation(AnnotationKind::Primary.span(range)),
            ),
            None => title.element(annotate_snippets::Origin::path(self.position())),
        };
        let mut report = vec![group];
        if let Some(suggestion) = &self.suggestion {
            report.push(Group::with_title(Level::HELP.secondary_title(suggestion)));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&report)
    }

    /// The byte range to underline, clamped to the source and to char
    /// boundaries; `None` when the diagnostic has no place in the text.
    fn snippet_range(&self, source: &str) -> Option<std::ops::Range<usize>> {
        if self.line == 0 || source.is_empty() {
            return None;
        }
        let start = self.span.offset.min(source.len());
        let start = (0..=start).rev().find(|&i| source.is_char_boundary(i))?;
        let end = (start + self.span.length.max(1)).min(source.len());
        let end = (end..=source.len())
            .find(|&i| source.is_char_boundary(i))
            .unwrap_or(source.len());
        // Underline the rest of the line at most: multi-line spans (a whole
        // mapping) would print the entire block.
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |n| start + n);
        Some(start..end.min(line_end).max(start))
    }
}

/// Puts the most relevant problems first: by position, then by code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.line, a.column, a.code.0, &a.message).cmp(&(b.line, b.column, b.code.0, &b.message))
    });
}
