//! The characters that make text say something other than what it shows,
//! in one place: the spec's checks refuse them (src/spec/strings.rs) and
//! every renderer of user text escapes them ([`terminal`], [`markdown`]).
//!
//! - Control characters (C0, DEL, C1), and the Unicode line and paragraph
//!   separators: a newline in a value starts a fake line of output, ESC
//!   drives the terminal (`ESC[1A ESC[2K` erases the line above).
//! - Bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069, and
//!   the marks U+200E, U+200F, U+061C): they reorder what follows, so a
//!   reviewer reads other text than AWS stores ("Trojan Source").
//! - Invisible characters (zero-width spaces and joiners, the BOM, soft
//!   hyphens): harmless inside words, but text made only of them and
//!   whitespace says nothing, so [`is_blank`] counts it as empty.

use std::borrow::Cow;
use std::fmt::Write;

/// A character that moves or hides output: a control, a line separator or
/// a bidirectional formatting character.
pub fn is_forging(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Zero-width and other characters that print as nothing.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{034F}'
    )
}

/// Whether `text` shows nothing: only whitespace, invisible characters and
/// formatting characters.
pub fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || is_invisible(c) || is_forging(c))
}

/// `U+202E`, for messages that name a character without printing it.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// `text` for a terminal or a plain-text log: every forging character is
/// written as a visible escape (`\n`, `\e`, `\u{202E}`), and a backslash as
/// `\\` so an escape in the input cannot pass for one made here.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_forging(c) || c == '\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_forging(c) => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` for Markdown prose or a table cell (a pull-request comment,
/// SECURITY.md): forging characters as for a [`terminal`], then what
/// Markdown or HTML would read as markup escaped, so `</details>`,
/// `<img …>`, `<!--`, a `|` that would split a table cell, code spans and
/// links show as typed and do nothing. Emphasis (`*`, `_`, `~`) is left:
/// it cannot leave the line or the cell, and ARNs are full of `*`. `<` and `>` become
/// character references (which also hold inside raw HTML); the rest take
/// Markdown's backslash.
pub fn markdown(text: &str) -> Cow<'_, str> {
    let plain = terminal(text);
    if !plain.chars().any(|c| markup(c).is_some()) {
        return plain;
    }
    let mut out = String::with_capacity(plain.len() + 16);
    for c in plain.chars() {
        match markup(c) {
            Some(escaped) => out.push_str(escaped),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn markup(c: char) -> Option<&'static str> {
    Some(match c {
        '<' => "&lt;",
        '>' => "&gt;",
        '|' => "\\|",
        '`' => "\\`",
        '[' => "\\[",
        ']' => "\\]",
        _ => return None,
    })
}

/// `text` as a Markdown code span, delimited by more backticks than it
/// holds in a row so that none of its own can close it. Inside a span
/// nothing is markup; only a forging character (escaped as for a
/// [`terminal`]) or a table's `|` could still break out.
pub fn markdown_code(text: &str) -> String {
    let plain = terminal(text).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in plain.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space inside.
    let pad = if plain.starts_with('`') || plain.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{plain}{pad}{fence}")
}

/// `text` inside raw HTML (a `<summary>`): forging characters as for a
/// [`terminal`], and `<`, `>`, `&`, quotes, `|` and `` ` `` (in case the
/// line is ever read as Markdown) as character references.
pub fn html(text: &str) -> Cow<'_, str> {
    let plain = terminal(text);
    if !plain.contains(['<', '>', '&', '"', '\'', '|', '`']) {
        return plain;
    }
    let mut out = String::with_capacity(plain.len() + 16);
    for c in plain.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Lines for a fenced code block (a unified diff): newlines stay; every
/// other forging character is escaped as for a [`terminal`]. Backslashes
/// stay as they are (the block shows JSON, whose own escapes must read
/// as written); a line cannot close the fence, since each starts with the
/// diff's `+`, `-` or space.
pub fn code_block(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_forging(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c != '\n' && is_forging(c) {
            let _ = write!(out, "\\u{{{:X}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_what_moves_the_cursor_or_starts_a_line() {
        assert_eq!(terminal("a\nb"), "a\\nb");
        assert_eq!(terminal("\u{1b}[1A\u{1b}[2K"), "\\e[1A\\e[2K");
        assert_eq!(terminal("x\u{202E}y"), "x\\u{202E}y");
        assert_eq!(terminal("c:\\n"), "c:\\\\n");
        assert!(matches!(terminal("plain é"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_leaves_no_markup() {
        let out = markdown("</details><img src=x onerror=alert(1)><!-- | `x` **b**");
        assert!(!out.contains(['<', '>']), "{out}");
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`"), "`` ` ``");
        assert_eq!(html("</code>"), "&lt;/code&gt;");
    }

    #[test]
    fn blank_means_nothing_shows() {
        assert!(is_blank("\u{200B}\u{200B}"));
        assert!(is_blank(" \u{FEFF}\t"));
        assert!(!is_blank("because"));
    }
}
