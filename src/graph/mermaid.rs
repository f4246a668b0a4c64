//! Mermaid flowchart text, which GitHub renders inside Markdown.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::drawing::{Change, Drawing, DrawnNode, GROUP_PAINT, Markup, Paint};
use super::model::{NodeKind, RouteAuth};

pub fn render(drawing: &Drawing) -> String {
    let mut out = String::from("flowchart LR\n");
    for node in drawing.nodes.iter().filter(|n| n.group.is_none()) {
        node_line(&mut out, "  ", node);
    }
    for group in drawing.groups() {
        // Logical IDs are alphanumeric, so `_data` cannot clash with a node.
        let _ = writeln!(
            out,
            "  subgraph {group}_data[\"{}\"]",
            escape(&drawing.group_label(group))
        );
        for node in drawing.nodes.iter().filter(|n| n.group == Some(group)) {
            node_line(&mut out, "    ", node);
        }
        out.push_str("  end\n");
        let _ = writeln!(out, "  style {group}_data {}", style(&GROUP_PAINT));
    }
    // linkStyle addresses edges by their position; same style, one line.
    let mut link_styles: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, edge) in drawing.edges.iter().enumerate() {
        let paint = edge.paint(drawing.diff);
        let arrow = if paint.dashed {
            "-.->"
        } else if paint.width >= 3.0 {
            "==>"
        } else {
            "-->"
        };
        let label = MARKUP.edge_label(edge);
        let label = if label.is_empty() {
            String::new()
        } else {
            format!("|\"{label}\"|")
        };
        let _ = writeln!(out, "  {} {arrow}{label} {}", edge.from, edge.to);
        let style = format!(
            "stroke:{},stroke-width:{}px,color:{}",
            paint.stroke, paint.width, paint.text
        );
        link_styles.entry(style).or_default().push(index);
    }
    let mut classes: BTreeMap<String, (Paint, Vec<&str>)> = BTreeMap::new();
    for node in &drawing.nodes {
        classes
            .entry(class_name(node))
            .or_insert_with(|| (node.paint(), Vec::new()))
            .1
            .push(&node.node.id);
    }
    for (name, (paint, ids)) in &classes {
        let _ = writeln!(out, "  classDef {name} {}", style(paint));
        let _ = writeln!(out, "  class {} {name}", ids.join(","));
    }
    let mut link_styles: Vec<(String, Vec<usize>)> = link_styles.into_iter().collect();
    link_styles.sort_by_key(|(_, indices)| indices[0]);
    for (style, indices) in link_styles {
        let indices: Vec<String> = indices.iter().map(usize::to_string).collect();
        let _ = writeln!(out, "  linkStyle {} {style}", indices.join(","));
    }
    out
}

const MARKUP: Markup = Markup {
    escape,
    line_break: "<br>",
    bold: ("<b>", "</b>"),
    strike: ("<del>", "</del>"),
};

fn style(paint: &Paint) -> String {
    let dash = if paint.dashed {
        ",stroke-dasharray:5 5"
    } else {
        ""
    };
    format!(
        "fill:{},stroke:{},color:{},stroke-width:{}px{dash}",
        paint.fill, paint.stroke, paint.text, paint.width
    )
}

fn node_line(out: &mut String, indent: &str, node: &DrawnNode) {
    let (open, close) = match node.node.kind {
        NodeKind::Route(_) => ("([", "])"),
        NodeKind::Schedule => ("[/", "/]"),
        NodeKind::Function => ("(", ")"),
        NodeKind::Table => ("[(", ")]"),
        NodeKind::Bucket => ("[/", "\\]"),
        NodeKind::Queue { .. } | NodeKind::DeadLetterQueue => ("[[", "]]"),
        NodeKind::Topic => (">", "]"),
        NodeKind::Secret => ("{{", "}}"),
        NodeKind::Key { .. } | NodeKind::Client { .. } => ("[", "]"),
        NodeKind::WebAcl { .. } => ("[\\", "/]"),
    };
    let _ = writeln!(
        out,
        "{indent}{}{open}\"{}\"{close}",
        node.node.id,
        MARKUP.node_label(node)
    );
}

/// A class per kind of node and change, so the output reads `class ... public`.
fn class_name(node: &DrawnNode) -> String {
    let kind = match &node.node.kind {
        NodeKind::Route(RouteAuth::Public { .. }) => "public",
        NodeKind::Route(RouteAuth::Jwt { .. }) => "route",
        NodeKind::Schedule => "schedule",
        NodeKind::Function => "function",
        NodeKind::Table => "table",
        NodeKind::Bucket => "bucket",
        NodeKind::Queue { .. } => "queue",
        NodeKind::DeadLetterQueue => "dlq",
        NodeKind::Topic => "topic",
        NodeKind::Secret => "secret",
        NodeKind::Key { .. } => "key",
        NodeKind::WebAcl { .. } => "waf",
        NodeKind::Client { .. } => "client",
    };
    match node.change {
        Change::Unchanged => kind.to_string(),
        Change::Added => format!("{kind}_added"),
        Change::Removed => format!("{kind}_removed"),
        Change::Modified => format!("{kind}_changed"),
    }
}

/// Text inside a quoted Mermaid label. Mermaid reads labels as HTML, `#...;`
/// as an entity, `%%{...}%%` anywhere as a directive and backticks as
/// Markdown; so everything outside a plain set is written as a numeric entity
/// (`#35;`), which Mermaid turns back into the character. `$$...$$` is
/// KaTeX even after that decoding, so a `$` is followed by a zero-width space
/// that keeps two from meeting. (Mermaid's entity codec also turns its own
/// marker characters `ﬂ°`/`¶ß` in a label into `&`/`;`, but only ever as
/// text, never markup.)
pub fn escape(text: &str) -> String {
    let plain =
        |c: char| c.is_ascii_alphanumeric() || " -_.,/()[]{}+*?!@=~'".contains(c) || !c.is_ascii();
    text.chars()
        .map(|c| match c {
            '$' => "$\u{200b}".to_string(),
            c if plain(c) => c.to_string(),
            c => format!("#{};", u32::from(c)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_plain_text_and_encodes_the_rest() {
        assert_eq!(escape("GET /orders/{id}"), "GET /orders/{id}");
        assert_eq!(escape("a\"b"), "a#34;b");
        assert_eq!(escape("%%{init}%%"), "#37;#37;{init}#37;#37;");
        assert_eq!(escape("<b>#x;"), "#60;b#62;#35;x#59;");
        assert_eq!(escape("naïve ☂"), "naïve ☂");
        assert_eq!(escape("$$x$$"), "$\u{200b}$\u{200b}x$\u{200b}$\u{200b}");
    }
}
