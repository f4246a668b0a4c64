//! Where a person would fix a YAML syntax error.
//!
//! A YAML parser reports where it gave up, which is often lines after the
//! mistake: a tab or an unclosed quote or bracket swallows the lines after
//! it, and an over-indented key turns the value above it into a multi-line
//! string. When the spec fails to load, [`first_mistake`] scans the text for
//! those mistakes and, if one comes before the parser's position, the
//! diagnostic points at it instead, with a hint. [`hint_for`] adds hints to
//! the parser's own messages.

use super::spanned::Loc;

/// A mistake found by scanning the text, in Palisade's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    pub loc: Loc,
    pub message: String,
    pub hint: String,
}

/// The first tab in indentation, unclosed quote or bracket (the lines after
/// it are indented like keys, so it was meant to end on its line), or
/// over-indented key.
pub fn first_mistake(text: &str) -> Option<Mistake> {
    let lines: Vec<Line> = lines(text);
    let mut open: Option<Opener> = None;
    let mut flow: Vec<Opener> = Vec::new();
    // Indentation of the line that opened a block scalar (`|`, `>`): lines
    // indented deeper are its text.
    let mut block_scalar: Option<usize> = None;
    let mut previous: Option<&Line> = None;
    for line in &lines {
        let content = line.text.trim_start_matches([' ', '\t']);
        if content.is_empty() {
            continue;
        }
        if let Some(indent) = block_scalar {
            if line.indent() > indent {
                continue;
            }
            block_scalar = None;
        }
        let continuing = open.is_some() || !flow.is_empty();
        if continuing {
            // Inside a quote or bracket opened on an earlier line: a line
            // indented no deeper than the opening line is a new key the
            // quote or bracket swallowed.
            let opener = open.as_ref().or(flow.first()).expect("continuing");
            if line.indent() <= opener.line_indent && !content.starts_with('#') {
                return Some(opener.unclosed());
            }
        } else if !content.starts_with('#') {
            if let Some(at) = line.text[..line.text.len() - content.len()].find('\t') {
                return Some(Mistake {
                    loc: loc(line, at, 1),
                    message: "a tab in the indentation".into(),
                    hint: "YAML indents with spaces, not tabs: replace the tab with spaces".into(),
                });
            }
            if let Some(prev) = previous
                && line.indent() > prev.key_column()
                && let Some(key) = key_of(content)
                && prev.has_scalar_value()
            {
                let prev_key = key_of(prev.text.trim_start()).unwrap_or_default();
                return Some(Mistake {
                    loc: loc(line, line.indent(), key.len()),
                    message: format!(
                        "`{key}` is indented deeper than `{prev_key}` on the line above, which has a value"
                    ),
                    hint: format!(
                        "keys of one mapping start in the same column: start `{key}` in column {}, like `{prev_key}`",
                        prev.key_column() + 1
                    ),
                });
            }
        }
        if let Some(mismatch) = scan(line, &mut open, &mut flow) {
            return Some(mismatch);
        }
        if open.is_none() && flow.is_empty() {
            if opens_block_scalar(content) {
                block_scalar = Some(line.indent());
            }
            if !content.starts_with('#') {
                previous = Some(line);
            }
        }
    }
    // The quote or bracket is still open at the end of the file.
    open.or_else(|| flow.into_iter().next())
        .map(|opener| opener.unclosed())
}

/// A hint for the parser's own message at `loc`, where the text says more.
pub fn hint_for(message: &str, loc: Loc, text: &str) -> Option<String> {
    let line_text = text
        .lines()
        .nth(usize::try_from(loc.line).ok()?.checked_sub(1)?)?;
    let indent = line_text.len() - line_text.trim_start_matches(' ').len();
    if message.contains("did not find expected key") {
        let above = text
            .lines()
            .take(usize::try_from(loc.line).ok()? - 1)
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .last()?;
        let above_indent = above.len() - above.trim_start_matches(' ').len();
        return Some(format!(
            "this line is indented {indent} spaces and the line above {above_indent}: keys of one mapping start in the same column, and a nested key needs its parent to end with `:`"
        ));
    }
    if message.contains("mapping values are not allowed") {
        return Some(
            "`: ` starts a key, and a value cannot hold one: quote the value (`'...'`) if the colon belongs to it, or move the key to its own line"
                .into(),
        );
    }
    if message.contains("mismatched bracket") {
        return Some(
            "close brackets in the order they were opened: `[` with `]`, `{` with `}`".into(),
        );
    }
    if message.starts_with("expected a mapping") && line_text.trim_start().starts_with("- ") {
        return Some("remove the `- `: this is a mapping (`key: value` lines), not a list".into());
    }
    if message.starts_with("expected a mapping") && !line_text.contains(':') {
        return Some(format!(
            "write `key: value`; is a `:` missing after `{}`?",
            line_text.trim().split(' ').next().unwrap_or("")
        ));
    }
    None
}

struct Line<'a> {
    /// 1-based.
    number: u32,
    /// Byte offset of the line in the text.
    offset: usize,
    text: &'a str,
}

impl Line<'_> {
    /// Leading spaces (tabs count as one column, and are reported apart).
    fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start_matches([' ', '\t']).len()
    }

    /// Where the line's key starts: after the indentation and any `- `.
    fn key_column(&self) -> usize {
        let content = &self.text[self.indent()..];
        self.indent() + if content.starts_with("- ") { 2 } else { 0 }
    }

    /// `key: value` with a plain or quoted scalar value on the line.
    fn has_scalar_value(&self) -> bool {
        let content = strip_comment(self.text.trim_start());
        let Some(key) = key_of(content) else {
            return false;
        };
        let value = content[key.len() + 1..].trim();
        !value.is_empty() && !value.starts_with(['|', '>', '&', '!', '[', '{'])
    }
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut offset = 0;
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, raw)| {
            let line = Line {
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                offset,
                text: raw.trim_end_matches(['\n', '\r']),
            };
            offset += raw.len();
            line
        })
        .collect()
}

fn loc(line: &Line, at: usize, len: usize) -> Loc {
    Loc {
        line: line.number,
        column: u32::try_from(line.text[..at].chars().count() + 1).unwrap_or(u32::MAX),
        offset: line.offset + at,
        len: len.max(1),
    }
}

/// The key of a `key:` or `key: value` line (plain keys only).
fn key_of(content: &str) -> Option<&str> {
    let content = content.strip_prefix("- ").unwrap_or(content);
    let end = content.find(':')?;
    let key = &content[..end];
    let after = &content[end + 1..];
    let plain = !key.is_empty()
        && !key.starts_with(['"', '\'', '[', '{', '#', '&', '*', '!', '|', '>'])
        && !key.contains(" #");
    (plain && (after.is_empty() || after.starts_with([' ', '\t']))).then_some(key)
}

fn strip_comment(content: &str) -> &str {
    match content.find(" #") {
        Some(at) => &content[..at],
        None => content,
    }
}

fn opens_block_scalar(content: &str) -> bool {
    let value = strip_comment(content).trim_end();
    let last = value.rsplit([' ', ':']).next().unwrap_or("");
    last.starts_with(['|', '>'])
        && last[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
        && value.len() > last.len()
}

/// A quote or bracket that opened on some line.
struct Opener {
    what: char,
    loc: Loc,
    line_indent: usize,
}

impl Opener {
    fn unclosed(&self) -> Mistake {
        let (message, hint) = match self.what {
            '"' | '\'' => (
                "unclosed quote".to_string(),
                format!(
                    "the string that starts here runs into the lines below: end it with `{}` on this line",
                    self.what
                ),
            ),
            '[' => (
                "unclosed `[`".to_string(),
                "the list that starts here runs into the lines below: end it with `]`".to_string(),
            ),
            _ => (
                "unclosed `{`".to_string(),
                "the mapping that starts here runs into the lines below: end it with `}`"
                    .to_string(),
            ),
        };
        Mistake {
            loc: self.loc,
            message,
            hint,
        }
    }
}

/// Follows quotes, brackets and comments through one line.
fn scan(line: &Line, open: &mut Option<Opener>, flow: &mut Vec<Opener>) -> Option<Mistake> {
    let text = line.text;
    let mut chars = text.char_indices().peekable();
    // The last character that was not a space, for "starts a token".
    let mut before: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        if let Some(quote) = open.as_ref().map(|o| o.what) {
            match (quote, c) {
                ('"', '\\') => {
                    chars.next();
                }
                ('\'', '\'') if chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                    chars.next();
                }
                (q, c) if q == c => *open = None,
                _ => {}
            }
            before = Some(c);
            continue;
        }
        // A quote or bracket is an indicator only where a value starts:
        // first on the line, after `: `, `- `, `? `, or in a flow after `[`,
        // `{` or `,`; elsewhere it is part of a plain value (`/orders/{id}`).
        let spaced = text[..at].ends_with([' ', '\t']);
        let token_start = match before {
            None => true,
            Some(':' | '-' | '?') => spaced,
            Some('[' | '{' | ',') => true,
            Some(_) => false,
        };
        let opener = |what| Opener {
            what,
            loc: loc(line, at, 1),
            line_indent: line.indent(),
        };
        match c {
            '#' if at == 0 || text[..at].ends_with([' ', '\t']) => return None,
            '"' | '\'' if token_start => *open = Some(opener(c)),
            '[' | '{' if token_start => flow.push(opener(c)),
            ']' | '}' => match flow.pop() {
                Some(o) if (o.what, c) == ('[', ']') || (o.what, c) == ('{', '}') => {}
                Some(o) => {
                    let (close, opened) = if o.what == '[' {
                        (']', "list")
                    } else {
                        ('}', "mapping")
                    };
                    return Some(Mistake {
                        loc: loc(line, at, 1),
                        message: format!(
                            "`{c}` where the {opened} opened at {}:{} needs `{close}`",
                            o.loc.line, o.loc.column
                        ),
                        hint: format!(
                            "write `{close}` before this `{c}`: brackets close in the order they were opened"
                        ),
                    });
                }
                None => {}
            },
            _ => {}
        }
        if c != ' ' && c != '\t' {
            before = Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::first_mistake;

    #[test]
    fn valid_yaml_has_no_mistake() {
        let text = "service: orders # a comment\napi:\n  routes:\n    GET /orders/{id}: { function: get, scopes: [a:read] }\n    POST /x:\n      function: 'it''s'\ndescription: >-\n  long text\n\twith a tab \"and a quote\ncron: cron(0 3 * * ? *)\nlist: [a,\n  b]\nq: \"multi\n  line\"\n";
        assert_eq!(first_mistake(text), None);
    }
}
