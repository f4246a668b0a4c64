//! Graphviz DOT, for `dot -Tsvg` and other Graphviz tools.

use std::fmt::Write;

use super::drawing::{Drawing, DrawnNode, GROUP_PAINT, Markup, Paint};
use super::model::NodeKind;

const FONT: &str = "Helvetica";

pub fn render(drawing: &Drawing, service: &str) -> String {
    let mut out = format!("digraph {} {{\n", quote(service));
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, fontname={FONT:?}, fontsize=11, nodesep=0.3, ranksep=0.9];"
    );
    let _ = writeln!(
        out,
        "  node [fontname={FONT:?}, fontsize=11, margin=\"0.15,0.06\"];"
    );
    let _ = writeln!(out, "  edge [fontname={FONT:?}, fontsize=10];");
    for node in drawing.nodes.iter().filter(|n| n.group.is_none()) {
        node_line(&mut out, "  ", node);
    }
    for group in drawing.groups() {
        let _ = writeln!(out, "  subgraph {} {{", quote(&format!("cluster_{group}")));
        let _ = writeln!(
            out,
            "    label=<{}>; style=\"filled,dashed,rounded\"; fillcolor={:?}; color={:?}; fontcolor={:?};",
            html(&drawing.group_label(group)),
            GROUP_PAINT.fill,
            GROUP_PAINT.stroke,
            GROUP_PAINT.text
        );
        for node in drawing.nodes.iter().filter(|n| n.group == Some(group)) {
            node_line(&mut out, "    ", node);
        }
        out.push_str("  }\n");
    }
    for edge in &drawing.edges {
        let paint = edge.paint(drawing.diff);
        let mut attributes = vec![
            format!("color={:?}", paint.stroke),
            format!("fontcolor={:?}", paint.text),
            format!("penwidth={}", paint.width),
        ];
        if paint.dashed {
            attributes.push("style=dashed".into());
        }
        let label = MARKUP.edge_label(edge);
        if !label.is_empty() {
            attributes.push(format!("label=<{label}>"));
        }
        let _ = writeln!(
            out,
            "  {} -> {} [{}];",
            quote(edge.from),
            quote(edge.to),
            attributes.join(", ")
        );
    }
    out.push_str("}\n");
    out
}

fn node_line(out: &mut String, indent: &str, node: &DrawnNode) {
    let shape = match node.node.kind {
        NodeKind::Route(_) | NodeKind::Function => "box",
        NodeKind::Schedule => "parallelogram",
        NodeKind::Table => "cylinder",
        NodeKind::Bucket => "invtrapezium",
        NodeKind::Queue { .. } | NodeKind::DeadLetterQueue => "box3d",
        NodeKind::Topic => "cds",
        NodeKind::Secret => "hexagon",
        NodeKind::Key { .. } => "octagon",
        NodeKind::WebAcl { .. } => "trapezium",
        NodeKind::Client { .. } => "note",
    };
    let rounded = matches!(node.node.kind, NodeKind::Route(_) | NodeKind::Function);
    let Paint {
        fill,
        stroke,
        text,
        width,
        dashed,
    } = node.paint();
    let style = [
        Some("filled"),
        rounded.then_some("rounded"),
        dashed.then_some("dashed"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(",");
    let _ = writeln!(
        out,
        "{indent}{} [shape={shape}, style={style:?}, fillcolor={fill:?}, color={stroke:?}, fontcolor={text:?}, penwidth={width}, label=<{}>];",
        quote(&node.node.id),
        MARKUP.node_label(node)
    );
}

const MARKUP: Markup = Markup {
    escape: html,
    line_break: "<BR/>",
    bold: ("<B>", "</B>"),
    strike: ("<S>", "</S>"),
};

/// A DOT quoted string (IDs).
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Text inside an HTML-like label: `<S>` strikes through, so labels are HTML
/// and the markup characters are entities.
fn html(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_html_escape_markup() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(html("<S>&amp;\""), "&lt;S&gt;&amp;amp;&quot;");
    }
}
