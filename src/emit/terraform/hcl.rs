//! A small HCL writer for Palisade's own output: a tree of blocks, attributes
//! and values rendered exactly as `terraform fmt` would lay it out, with every
//! literal string escaped so that it reads back as the same text.
//!
//! Why not hcl-rs: its writer escapes runs of `$`/`%` wrongly, so user text
//! such as `$${a}` can come out as a live `${a}` reference. The layout rules
//! below follow hclwrite's formatter (hashicorp/hcl `hclwrite/format.go`):
//! two-space indentation per open bracket, and `=` aligned across a run of
//! consecutive single-line attributes; a line that opens a multi-line value,
//! a nested block, a comment or a blank line ends the run.

use std::fmt::Write as _;

/// Values longer than this go one list item per line, for readable diffs.
const INLINE_LIST_WIDTH: usize = 80;

/// An expression on the right of `=`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A quoted template: literal text (escaped) and interpolations.
    Template(Vec<Piece>),
    /// An expression written as is: a reference, a number, `true`.
    Raw(String),
    List(Vec<Value>),
    /// An object constructor; keys are literal strings.
    Object(Vec<(String, Value)>),
    /// A function call such as `jsonencode({...})`.
    Call(&'static str, Vec<Value>),
}

/// One piece of a quoted template.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Lit(String),
    /// A reference written inside `${...}`.
    Interp(String),
}

impl Value {
    pub fn str(text: impl Into<String>) -> Value {
        Value::Template(vec![Piece::Lit(text.into())])
    }
    pub fn raw(expression: impl Into<String>) -> Value {
        Value::Raw(expression.into())
    }
    pub fn int(n: impl Into<i64>) -> Value {
        Value::Raw(n.into().to_string())
    }
    pub fn bool(b: bool) -> Value {
        Value::Raw(b.to_string())
    }
    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::List(items.into_iter().map(|s| Value::str(s.as_ref())).collect())
    }
}

/// A `name "label" ... { body }` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub name: String,
    pub labels: Vec<String>,
    pub body: Body,
}

impl Block {
    pub fn new(name: &str, labels: &[&str]) -> Block {
        Block {
            name: name.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            body: Body::default(),
        }
    }
    /// Adds an attribute (builder style).
    pub fn attr(mut self, key: &str, value: Value) -> Block {
        self.body.attr(key, value);
        self
    }
    pub fn block(mut self, block: Block) -> Block {
        self.body.items.push(Item::Block(block));
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Attr(String, Value),
    Block(Block),
    /// A `#` comment line; control characters become spaces so that no text
    /// can end the comment early and start HCL of its own.
    Comment(String),
}

impl Body {
    /// Sets an attribute, replacing an earlier one of the same name.
    pub fn attr(&mut self, key: &str, value: Value) {
        match self
            .items
            .iter_mut()
            .find(|item| matches!(item, Item::Attr(k, _) if k == key))
        {
            Some(Item::Attr(_, existing)) => *existing = value,
            _ => self.items.push(Item::Attr(key.to_string(), value)),
        }
    }
    pub fn block(&mut self, block: Block) {
        self.items.push(Item::Block(block));
    }
    pub fn comment(&mut self, text: &str) {
        self.items.push(Item::Comment(text.to_string()));
    }
}

/// Renders top-level blocks, one blank line between them, after an optional
/// header comment. The result ends with exactly one newline.
pub fn render_file(header: &[&str], blocks: &[Block]) -> String {
    let mut out = String::new();
    for line in header {
        writeln!(out, "# {}", comment_text(line)).expect("writing to a String");
    }
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 || !header.is_empty() {
            out.push('\n');
        }
        write_block(&mut out, block, 0);
    }
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_block(out: &mut String, block: &Block, level: usize) {
    indent(out, level);
    // Checked in release builds too: a name that is not an identifier would
    // end the block and start HCL of its own. Overrides are refused before
    // they get here (E066); reaching this is a bug, never an injection.
    assert!(is_identifier(&block.name), "block names are identifiers");
    out.push_str(&block.name);
    for label in &block.labels {
        assert!(is_identifier(label), "labels are identifiers");
        write!(out, " \"{label}\"").expect("writing to a String");
    }
    if block.body.items.is_empty() {
        out.push_str(" {}\n");
        return;
    }
    out.push_str(" {\n");
    write_body(out, &block.body, level + 1);
    indent(out, level);
    out.push_str("}\n");
}

/// A body's items: comments first as given, attributes in aligned runs, and a
/// blank line around every nested block.
fn write_body(out: &mut String, body: &Body, level: usize) {
    let entries: Vec<Entry> = body
        .items
        .iter()
        .map(|item| match item {
            Item::Attr(key, value) => Entry::Pair(attribute_key(key), value),
            Item::Block(block) => Entry::Block(block),
            Item::Comment(text) => Entry::Comment(text),
        })
        .collect();
    write_entries(out, &entries, level);
}

enum Entry<'a> {
    Pair(String, &'a Value),
    Block(&'a Block),
    Comment(&'a str),
}

/// Writes attributes (or object entries) so that `=` lines up across each run
/// of single-line ones, as `terraform fmt` aligns them.
fn write_entries(out: &mut String, entries: &[Entry], level: usize) {
    let inline: Vec<Option<String>> = entries
        .iter()
        .map(|e| match e {
            Entry::Pair(_, value) => inline(value),
            _ => None,
        })
        .collect();
    let mut i = 0;
    while i < entries.len() {
        match &entries[i] {
            Entry::Comment(text) => {
                indent(out, level);
                writeln!(out, "#{}", comment_text(text)).expect("writing to a String");
                i += 1;
            }
            Entry::Block(block) => {
                if i > 0 {
                    out.push('\n');
                }
                write_block(out, block, level);
                // The next block opens with its own blank line.
                if i + 1 < entries.len() && !matches!(entries[i + 1], Entry::Block(_)) {
                    out.push('\n');
                }
                i += 1;
            }
            Entry::Pair(key, value) => match &inline[i] {
                Some(_) => {
                    let run_end = (i..entries.len())
                        .find(|&j| inline[j].is_none())
                        .unwrap_or(entries.len());
                    let width = entries[i..run_end]
                        .iter()
                        .map(|e| match e {
                            Entry::Pair(k, _) => k.len(),
                            _ => 0,
                        })
                        .max()
                        .unwrap_or(0);
                    for j in i..run_end {
                        let Entry::Pair(k, _) = &entries[j] else {
                            unreachable!("runs hold only pairs")
                        };
                        indent(out, level);
                        writeln!(
                            out,
                            "{k:<width$} = {}",
                            inline[j].as_deref().unwrap_or_default()
                        )
                        .expect("writing to a String");
                    }
                    i = run_end;
                }
                None => {
                    indent(out, level);
                    write!(out, "{key} = ").expect("writing to a String");
                    write_multiline(out, value, level);
                    out.push('\n');
                    i += 1;
                }
            },
        }
    }
}

/// A value that spans lines, starting after `key = `; its inner lines are
/// indented one level deeper than `level`, its closing bracket at `level`.
fn write_multiline(out: &mut String, value: &Value, level: usize) {
    if let Some(text) = inline(value) {
        out.push_str(&text);
        return;
    }
    match value {
        Value::List(items) => {
            out.push_str("[\n");
            for item in items {
                indent(out, level + 1);
                write_multiline(out, item, level + 1);
                out.push_str(",\n");
            }
            indent(out, level);
            out.push(']');
        }
        Value::Object(entries) => {
            out.push_str("{\n");
            let entries: Vec<Entry> = entries
                .iter()
                .map(|(k, v)| Entry::Pair(object_key(k), v))
                .collect();
            write_entries(out, &entries, level + 1);
            indent(out, level);
            out.push('}');
        }
        Value::Call(name, args) => {
            // Only calls on one multi-line argument reach here: `f({` ... `})`
            // keeps the argument's body one level in, as fmt indents it.
            out.push_str(name);
            out.push('(');
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_multiline(out, arg, level);
            }
            out.push(')');
        }
        Value::Template(_) | Value::Raw(_) => unreachable!("scalars are always inline"),
    }
}

/// The value on one line, if it belongs on one: scalars always, short lists of
/// scalars, empty objects, and calls whose arguments are all inline.
fn inline(value: &Value) -> Option<String> {
    match value {
        Value::Template(pieces) => Some(template(pieces)),
        Value::Raw(text) => Some(text.clone()),
        Value::List(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                if matches!(item, Value::Object(_) | Value::List(_)) {
                    return None;
                }
                parts.push(inline(item)?);
            }
            let text = format!("[{}]", parts.join(", "));
            (text.len() <= INLINE_LIST_WIDTH).then_some(text)
        }
        Value::Object(entries) => entries.is_empty().then(|| "{}".to_string()),
        Value::Call(name, args) => {
            let args: Option<Vec<String>> = args.iter().map(inline).collect();
            Some(format!("{name}({})", args?.join(", ")))
        }
    }
}

/// A quoted template. A single interpolation is written bare (`x`, not
/// `"${x}"`), as `terraform fmt` rewrites it.
fn template(pieces: &[Piece]) -> String {
    if let [Piece::Interp(expression)] = pieces {
        return expression.clone();
    }
    let mut out = String::from("\"");
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Lit(text) => {
                let before_interpolation = matches!(pieces.get(i + 1), Some(Piece::Interp(_)));
                out.push_str(&escape(text, before_interpolation, false));
            }
            Piece::Interp(expression) => {
                write!(out, "${{{expression}}}").expect("writing to a String");
            }
        }
    }
    out.push('"');
    out
}

/// `text` as a complete quoted HCL string that reads back as exactly `text`
/// (up to Unicode NFC, which Terraform applies to every string).
pub fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text, false, false))
}

/// Escapes literal text for the inside of a quoted template:
/// - `${` → `$${` and `%{` → `%%{`, so no text starts an interpolation or
///   directive (a run like `$${` becomes `$$${`: each `{`-adjacent sigil is
///   doubled, which is how Terraform's scanner reads runs back);
/// - a `$` that ends the text right before an interpolation becomes
///   `\u0024`, or it would pair with the interpolation's `${` into `$${`;
/// - quotes, backslashes, newlines and tabs get their backslash escapes;
/// - control and invisible formatting characters (bidi overrides, zero-width
///   spaces) become `\uNNNN`, so reviewers see them; with `ascii_only` every
///   non-ASCII character does (object keys, whose width `fmt` counts in
///   grapheme clusters when aligning `=`).
fn escape(text: &str, before_interpolation: bool, ascii_only: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if next == Some('{') => {
                out.push(c);
                out.push(c);
            }
            '$' if next.is_none() && before_interpolation => out.push_str("\\u0024"),
            c if is_hidden(c) || (ascii_only && !c.is_ascii()) => {
                let code = c as u32;
                if code > 0xFFFF {
                    write!(out, "\\U{code:08X}").expect("writing to a String");
                } else {
                    write!(out, "\\u{code:04X}").expect("writing to a String");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Characters that do not show as themselves in an editor or a review diff.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c as u32,
            0x00AD | 0x061C | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        )
}

pub use crate::text::is_hcl_identifier as is_identifier;

fn attribute_key(key: &str) -> String {
    assert!(is_identifier(key), "attribute names are identifiers");
    key.to_string()
}

/// Object keys: bare when HCL reads them as the same literal, quoted
/// otherwise (`"aws:SecureTransport"`, `"4711"`, `"true"`).
fn object_key(key: &str) -> String {
    // `-` is legal in identifiers, but a reader could take `a-b` for a
    // subtraction; quoting costs nothing.
    let bare = is_identifier(key) && !key.contains('-');
    if bare && !matches!(key, "true" | "false" | "null") {
        key.to_string()
    } else {
        format!("\"{}\"", escape(key, false, true))
    }
}

fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The JSON reading of a body, for checking what ships: attributes as
/// values, nested blocks as lists of bodies under their name. Literal text
/// stays text, references read `${...}`, and `jsonencode(x)` reads as `x`, so
/// policies are checked as the documents they encode.
impl Body {
    pub fn to_json(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        for item in &self.items {
            match item {
                Item::Attr(key, value) => {
                    object.insert(key.clone(), value.to_json());
                }
                Item::Block(block) => {
                    let entry = object
                        .entry(block.name.clone())
                        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                    if let serde_json::Value::Array(list) = entry {
                        list.push(block.body.to_json());
                    }
                }
                Item::Comment(_) => {}
            }
        }
        serde_json::Value::Object(object)
    }
}

impl Value {
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Value::Template(pieces) => Json::String(
                pieces
                    .iter()
                    .map(|piece| match piece {
                        Piece::Lit(text) => text.clone(),
                        Piece::Interp(expression) => format!("${{{expression}}}"),
                    })
                    .collect(),
            ),
            Value::Raw(expression) => match serde_json::from_str::<Json>(expression) {
                Ok(value @ (Json::Bool(_) | Json::Number(_) | Json::Null)) => value,
                _ => Json::String(format!("${{{expression}}}")),
            },
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Object(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Value::Call("jsonencode", args) if args.len() == 1 => args[0].to_json(),
            Value::Call(name, args) => {
                serde_json::json!({ "$call": name, "args": args.iter().map(Value::to_json).collect::<Vec<_>>() })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_and_directive_starts_are_escaped() {
        assert_eq!(quote("50%${var.x}"), r#""50%$${var.x}""#);
        assert_eq!(quote("$${a}"), r#""$$${a}""#);
        assert_eq!(quote("%{ if }"), r#""%%{ if }""#);
        assert_eq!(quote("%%{"), r#""%%%{""#);
        assert_eq!(quote("a$ b% $"), r#""a$ b% $""#);
    }

    #[test]
    fn quotes_backslashes_newlines_and_hidden_characters_are_escaped() {
        assert_eq!(quote("say \"hi\"\\n\n\t"), r#""say \"hi\"\\n\n\t""#);
        assert_eq!(quote("é😀"), "\"é😀\"");
        assert_eq!(quote("\u{202e}\u{0}"), r#""\u202E\u0000""#);
        assert_eq!(escape("é😀", false, true), r"\u00E9\U0001F600");
    }

    #[test]
    fn a_dollar_before_an_interpolation_stays_literal() {
        let value = Value::Template(vec![
            Piece::Lit("cost$".into()),
            Piece::Interp("var.x".into()),
        ]);
        assert_eq!(inline(&value).unwrap(), r#""cost\u0024${var.x}""#);
    }

    #[test]
    fn a_lone_interpolation_is_written_bare() {
        let value = Value::Template(vec![Piece::Interp("aws_kms_key.service.arn".into())]);
        assert_eq!(inline(&value).unwrap(), "aws_kms_key.service.arn");
    }

    #[test]
    fn runs_of_single_line_attributes_align_and_multiline_values_break_runs() {
        let block = Block::new("resource", &["aws_x", "y"])
            .attr("a", Value::int(1))
            .attr("long_name", Value::str("v"))
            .attr(
                "policy",
                Value::Call(
                    "jsonencode",
                    vec![Value::Object(vec![
                        ("Version".into(), Value::str("2012-10-17")),
                        ("aws:Key".into(), Value::bool(true)),
                    ])],
                ),
            )
            .attr("b", Value::strs(["x", "y"]))
            .block(Block::new("lifecycle", &[]).attr("prevent_destroy", Value::bool(true)));
        let text = render_file(&[], &[block]);
        assert_eq!(
            text,
            r#"resource "aws_x" "y" {
  a         = 1
  long_name = "v"
  policy = jsonencode({
    Version   = "2012-10-17"
    "aws:Key" = true
  })
  b = ["x", "y"]

  lifecycle {
    prevent_destroy = true
  }
}
"#
        );
    }

    #[test]
    fn comments_are_one_line() {
        let mut body = Body::default();
        body.comment("checkov:skip=CKV_AWS_1:two\nlines");
        let text = render_file(
            &[],
            &[Block {
                name: "resource".into(),
                labels: vec!["a".into(), "b".into()],
                body,
            }],
        );
        assert_eq!(
            text,
            "resource \"a\" \"b\" {\n  #checkov:skip=CKV_AWS_1:two lines\n}\n"
        );
    }
}
