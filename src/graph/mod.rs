//! `palisade graph`: a picture of the service drawn from the plan, so it is
//! always true — what invokes each function (routes, schedules, queues,
//! streams, buckets, topics), what each function's role may do to which data,
//! which routes are public and why, and which key encrypts the data.
//!
//! A [`Graph`] is a set of nodes and a set of edges keyed by the plan's
//! logical IDs, so two graphs compare: [`Graph::diff_render`] draws a new
//! graph against an old one with what was added highlighted and what was
//! removed struck through (the `diff` PR comment embeds it).

mod dot;
mod drawing;
mod mermaid;
mod model;

pub use model::{Edge, Graph, Node, NodeKind, Relation, RouteAuth, Trigger};

use drawing::Drawing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Mermaid flowchart: GitHub renders it in Markdown.
    #[default]
    Mermaid,
    /// Graphviz DOT: `dot -Tsvg graph.dot > graph.svg`.
    Dot,
}

impl Graph {
    pub fn render(&self, format: Format) -> String {
        draw(&Drawing::plain(self), &self.service, format)
    }

    /// `new` drawn against `old`: added nodes and edges highlighted, removed
    /// ones struck through, changed node details marked line by line, and
    /// everything unchanged muted.
    pub fn diff_render(old: &Graph, new: &Graph, format: Format) -> String {
        draw(&Drawing::diff(old, new), &new.service, format)
    }
}

fn draw(drawing: &Drawing, service: &str, format: Format) -> String {
    match format {
        Format::Mermaid => mermaid::render(drawing),
        Format::Dot => dot::render(drawing, service),
    }
}
