//! What the renderers draw: nodes with their label lines, edges merged per
//! pair of nodes, and how each changed between two graphs. Labels, colours
//! and merging are decided here once; a renderer only spells them out.

use std::collections::BTreeMap;

use super::model::{Edge, Graph, Node, NodeKind, Relation, RouteAuth, Trigger};

/// How a node, edge or label line changed from the old graph to the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Unchanged,
    Added,
    Removed,
    /// The node is in both graphs with different details (a route made public).
    Modified,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub change: Change,
}

pub struct DrawnNode<'a> {
    pub node: &'a Node,
    pub lines: Vec<Line>,
    pub change: Change,
    /// The key whose box the node is drawn in: the key itself and the data
    /// it encrypts.
    pub group: Option<&'a str>,
}

pub struct DrawnEdge<'a> {
    pub from: &'a str,
    pub to: &'a str,
    /// Empty when the shapes say it all (a route invoking its function).
    pub label: String,
    pub weight: Weight,
    pub change: Change,
}

/// How much an edge matters to a reviewer; permission edges that can change
/// or destroy data are the heaviest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weight {
    Trigger,
    DeadLetter,
    Reads,
    Messages,
    Changes,
}

/// Colours and strokes, shared by every renderer.
pub struct Paint {
    pub fill: &'static str,
    pub stroke: &'static str,
    pub text: &'static str,
    pub width: f32,
    pub dashed: bool,
}

pub struct Drawing<'a> {
    /// Drawn as a comparison: only what changed is coloured.
    pub diff: bool,
    pub nodes: Vec<DrawnNode<'a>>,
    pub edges: Vec<DrawnEdge<'a>>,
}

const HIGHLIGHT: &str = "#cf222e";
const MUTED: &str = "#8c959f";

/// The box around a key and the data it encrypts.
pub const GROUP_PAINT: Paint = Paint {
    fill: "#f6f8fa",
    stroke: MUTED,
    text: "#57606a",
    width: 1.0,
    dashed: true,
};

impl<'a> Drawing<'a> {
    /// The graph as it is: every node and edge unchanged.
    pub fn plain(graph: &'a Graph) -> Drawing<'a> {
        Drawing::compare(graph, graph, false)
    }

    /// `new` compared with `old`.
    pub fn diff(old: &'a Graph, new: &'a Graph) -> Drawing<'a> {
        Drawing::compare(old, new, true)
    }

    fn compare(old: &'a Graph, new: &'a Graph, diff: bool) -> Drawing<'a> {
        let mut in_order: Vec<&'a Node> = new.nodes().collect();
        in_order.extend(old.nodes().filter(|n| new.node(&n.id).is_none()));
        in_order.sort_by(|a, b| (a.kind.rank(), &a.id).cmp(&(b.kind.rank(), &b.id)));
        let keys: Vec<&str> = in_order
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Key { .. }))
            .map(|n| n.id.as_str())
            .collect();
        let nodes = in_order
            .into_iter()
            .map(|node| {
                let (lines, change) = draw_node(old.node(&node.id), new.node(&node.id));
                let group = match &node.kind {
                    NodeKind::Key { .. } => Some(node.id.as_str()),
                    _ => node
                        .encrypted_with
                        .as_deref()
                        .filter(|key| keys.contains(key)),
                };
                DrawnNode {
                    node,
                    lines,
                    change,
                    group,
                }
            })
            .collect();

        // One arrow per pair of nodes, kind of relation and change: a
        // function that reads and writes a table gets one "read, write"
        // arrow, and in a diff a new "write" beside an old "read" is its own.
        let mut merged: BTreeMap<(u8, &str, &str, Change), Vec<&Relation>> = BTreeMap::new();
        let mut add = |edge: &'a Edge, change| {
            let key = (
                edge.relation.family(),
                edge.from.as_str(),
                edge.to.as_str(),
                change,
            );
            merged.entry(key).or_default().push(&edge.relation);
        };
        for edge in new.edges() {
            let change = if old.has_edge(edge) {
                Change::Unchanged
            } else {
                Change::Added
            };
            add(edge, change);
        }
        for edge in old.edges().filter(|e| !new.has_edge(e)) {
            add(edge, Change::Removed);
        }
        let edges = merged
            .into_iter()
            .map(|((_, from, to, change), relations)| DrawnEdge {
                from,
                to,
                label: relations
                    .iter()
                    .map(|r| r.label())
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(", "),
                weight: relations
                    .iter()
                    .map(|r| r.weight())
                    .max()
                    .unwrap_or(Weight::Trigger),
                change,
            })
            .collect();
        Drawing { diff, nodes, edges }
    }

    /// The caption of a key's box.
    pub fn group_label(&self, key: &str) -> String {
        let name = self
            .nodes
            .iter()
            .find(|n| n.node.id == key)
            .map_or(key, |n| n.node.name.as_str());
        format!("data encrypted with {}", clean(name))
    }

    /// The distinct groups, in drawing order.
    pub fn groups(&self) -> Vec<&'a str> {
        let mut groups: Vec<&str> = Vec::new();
        for group in self.nodes.iter().filter_map(|n| n.group) {
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
        groups
    }
}

/// A node's lines and change: in both graphs, lines are compared one by one
/// so that a route made public shows its old `JWT` struck and its reason new.
fn draw_node(old: Option<&Node>, new: Option<&Node>) -> (Vec<Line>, Change) {
    let line = |change| move |text| Line { text, change };
    match (old, new) {
        (Some(old), Some(new)) if old == new => (
            new.lines()
                .into_iter()
                .map(line(Change::Unchanged))
                .collect(),
            Change::Unchanged,
        ),
        (Some(old), Some(new)) => {
            let (old, new) = (old.lines(), new.lines());
            let mut lines: Vec<Line> = new
                .iter()
                .map(|text| Line {
                    text: text.clone(),
                    change: if old.contains(text) {
                        Change::Unchanged
                    } else {
                        Change::Added
                    },
                })
                .collect();
            lines.extend(
                old.into_iter()
                    .filter(|text| !new.contains(text))
                    .map(line(Change::Removed)),
            );
            (lines, Change::Modified)
        }
        (None, Some(new)) => (
            new.lines()
                .into_iter()
                .map(line(Change::Unchanged))
                .collect(),
            Change::Added,
        ),
        (Some(old), None) => (
            old.lines().into_iter().map(line(Change::Removed)).collect(),
            Change::Removed,
        ),
        (None, None) => (Vec::new(), Change::Unchanged),
    }
}

/// How a renderer spells label text: its escaping, line break, bold and
/// strike-through, so that both formats mark changes the same way.
pub struct Markup {
    pub escape: fn(&str) -> String,
    pub line_break: &'static str,
    pub bold: (&'static str, &'static str),
    pub strike: (&'static str, &'static str),
}

impl Markup {
    fn line(&self, text: &str, change: Change) -> String {
        let text = (self.escape)(text);
        match change {
            Change::Added | Change::Modified => {
                let (open, close) = self.bold;
                format!("{open}{}{close}", format!("+ {text}").trim_end())
            }
            Change::Removed if !text.is_empty() => {
                let (open, close) = self.strike;
                format!("{open}{text}{close}")
            }
            Change::Removed | Change::Unchanged => text,
        }
    }

    pub fn node_label(&self, node: &DrawnNode) -> String {
        node.lines
            .iter()
            .map(|line| self.line(&line.text, line.change))
            .collect::<Vec<_>>()
            .join(self.line_break)
    }

    pub fn edge_label(&self, edge: &DrawnEdge) -> String {
        self.line(&edge.label, edge.change)
    }
}

/// Widest label line, in characters, before wrapping a long reason.
const WRAP: usize = 36;

impl Node {
    /// The label: the name, then what it is (and for a route, who may call it).
    pub fn lines(&self) -> Vec<String> {
        let caption = match &self.kind {
            NodeKind::Route(RouteAuth::Jwt { scopes }) if scopes.is_empty() => "JWT".into(),
            NodeKind::Route(RouteAuth::Jwt { scopes }) => {
                format!("JWT, scopes: {}", scopes.join(" "))
            }
            NodeKind::Route(RouteAuth::Public { reason }) => format!("PUBLIC: {reason}"),
            NodeKind::Schedule => "schedule".into(),
            NodeKind::Function => "function".into(),
            NodeKind::Table => "table".into(),
            NodeKind::Queue { fifo: true } => "FIFO queue".into(),
            NodeKind::Queue { fifo: false } => "queue".into(),
            NodeKind::DeadLetterQueue => "dead-letter queue".into(),
            NodeKind::Bucket => "bucket".into(),
            NodeKind::Topic => "topic".into(),
            NodeKind::Secret => "secret".into(),
            NodeKind::Key { rotation: true } => "KMS key, rotation on".into(),
            NodeKind::Key { rotation: false } => "KMS key, rotation OFF".into(),
            NodeKind::WebAcl {
                rate_per_ip,
                window,
                managed_rules,
            } => format!(
                "AWS WAF: {rate_per_ip} per IP per {window} s, {managed_rules} managed rule groups"
            ),
            NodeKind::Client { rate, burst, quota } => {
                let quota = quota.map_or(String::new(), |(limit, period)| {
                    format!(", {limit} per {}", period.to_ascii_lowercase())
                });
                format!("API client: {rate}/s, burst {burst}{quota}")
            }
        };
        let mut lines = wrap(&clean(&self.name));
        lines.extend(wrap(&clean(&caption)));
        lines
    }

    pub fn paint(&self) -> Paint {
        let (fill, stroke, text) = match &self.kind {
            NodeKind::Route(RouteAuth::Public { .. }) => ("#ffebe9", HIGHLIGHT, "#82071e"),
            NodeKind::Route(RouteAuth::Jwt { .. }) => ("#ddf4ff", "#0969da", "#0a3069"),
            NodeKind::Schedule => ("#fbefff", "#8250df", "#512a97"),
            NodeKind::Function => ("#fff8c5", "#9a6700", "#4d2d00"),
            NodeKind::Table | NodeKind::Bucket => ("#dafbe1", "#1a7f37", "#044f1e"),
            NodeKind::Queue { .. } | NodeKind::Topic => ("#d8f3f0", "#1b7c83", "#0b4f55"),
            NodeKind::DeadLetterQueue => ("#fff1e5", "#bc4c00", "#762c00"),
            NodeKind::Secret => ("#f6f8fa", "#57606a", "#24292f"),
            NodeKind::Key { .. } => ("#eaeef2", "#424a53", "#1f2328"),
            NodeKind::WebAcl { .. } => ("#ffeff7", "#bf3989", "#7d0c4b"),
            NodeKind::Client { .. } => ("#f6f8fa", "#0969da", "#0a3069"),
        };
        let public = matches!(self.kind, NodeKind::Route(RouteAuth::Public { .. }));
        Paint {
            fill,
            stroke,
            text,
            width: if public { 2.0 } else { 1.0 },
            dashed: false,
        }
    }
}

impl DrawnNode<'_> {
    pub fn paint(&self) -> Paint {
        let base = self.node.paint();
        match self.change {
            Change::Unchanged => base,
            Change::Added | Change::Modified => Paint {
                stroke: HIGHLIGHT,
                width: 3.0,
                ..base
            },
            Change::Removed => Paint {
                fill: "#f6f8fa",
                stroke: MUTED,
                text: MUTED,
                width: 1.5,
                dashed: true,
            },
        }
    }
}

impl DrawnEdge<'_> {
    pub fn paint(&self, diff: bool) -> Paint {
        let (stroke, text, width, dashed) = match (self.change, self.weight) {
            (Change::Added | Change::Modified, _) => (HIGHLIGHT, HIGHLIGHT, 3.5, false),
            (Change::Removed, _) => (MUTED, MUTED, 1.5, true),
            // In a comparison only what changed is coloured; unchanged labels
            // stay readable.
            (Change::Unchanged, weight) if diff => {
                ("#afb8c1", "#6e7781", weight.width(), weight.dashed())
            }
            (Change::Unchanged, weight) => (
                weight.color(),
                weight.color(),
                weight.width(),
                weight.dashed(),
            ),
        };
        Paint {
            fill: stroke,
            stroke,
            text,
            width,
            dashed,
        }
    }
}

impl Weight {
    fn color(self) -> &'static str {
        match self {
            Weight::Trigger => "#8250df",
            Weight::DeadLetter => "#bc4c00",
            Weight::Reads => "#57606a",
            Weight::Messages => "#0969da",
            Weight::Changes => HIGHLIGHT,
        }
    }
    fn width(self) -> f32 {
        match self {
            Weight::Reads | Weight::DeadLetter => 1.0,
            Weight::Trigger | Weight::Messages => 1.5,
            Weight::Changes => 3.0,
        }
    }
    fn dashed(self) -> bool {
        self == Weight::DeadLetter
    }
}

impl NodeKind {
    /// Drawing order: entry points, functions, then the data they touch.
    fn rank(&self) -> u8 {
        match self {
            NodeKind::Client { .. } => 0,
            NodeKind::WebAcl { .. } => 0,
            NodeKind::Route(_) => 0,
            NodeKind::Schedule => 1,
            NodeKind::Function => 2,
            NodeKind::Key { .. } => 3,
            NodeKind::Table => 4,
            NodeKind::Bucket => 5,
            NodeKind::Queue { .. } => 6,
            NodeKind::DeadLetterQueue => 7,
            NodeKind::Topic => 8,
            NodeKind::Secret => 9,
        }
    }
}

impl Relation {
    /// Edges of one family between the same two nodes are drawn as one arrow.
    fn family(&self) -> u8 {
        match self {
            Relation::Invokes(_) => 0,
            Relation::Access(_) | Relation::Actions(_) => 1,
            Relation::DeadLetter { .. } => 2,
            Relation::Filters => 3,
            Relation::ApiKey => 4,
        }
    }

    fn weight(&self) -> Weight {
        use crate::spec::AccessLevel::*;
        match self {
            Relation::Invokes(_) | Relation::Filters | Relation::ApiKey => Weight::Trigger,
            Relation::DeadLetter { .. } => Weight::DeadLetter,
            Relation::Access(Read | Scan | Stream | List) => Weight::Reads,
            Relation::Access(Send | Consume | Publish) => Weight::Messages,
            // Actions no level explains could do anything: assume the worst.
            Relation::Access(Write | Delete | Rotate) | Relation::Actions(_) => Weight::Changes,
        }
    }

    fn label(&self) -> String {
        let text = match self {
            Relation::Invokes(Trigger::Request | Trigger::Schedule) => String::new(),
            Relation::Invokes(Trigger::Messages { batch_size }) => format!("batch {batch_size}"),
            Relation::Invokes(Trigger::StreamRecords { batch_size }) => {
                format!("stream, batch {batch_size}")
            }
            Relation::Invokes(Trigger::ObjectCreated { prefix, suffix }) => format!(
                "created {}*{}",
                prefix.as_deref().unwrap_or(""),
                suffix.as_deref().unwrap_or("")
            ),
            Relation::Invokes(Trigger::Notification) => "notification".into(),
            // The spelling users write in `access:`.
            Relation::Access(level) => serde_json::to_value(level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            Relation::Actions(actions) => actions.join(", "),
            Relation::DeadLetter { max_receives } => format!("after {max_receives} receives"),
            Relation::Filters => "filters".into(),
            Relation::ApiKey => "API key".into(),
        };
        clean(&text)
    }
}

/// Bidirectional-text controls would make a label display other than it
/// reads; they are dropped with the other invisible controls.
/// Spec text on one line: newlines, tabs and other controls become spaces,
/// runs of spaces one. Renderers escape what is left.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| !crate::text::is_invisible(c) && !crate::text::is_bidi_control(c))
        .map(|c| {
            if crate::text::is_forging(c) || c.is_whitespace() {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split(' ')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Greedy word wrap at `WRAP` characters; a longer word is cut.
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > WRAP {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(word.drain(..WRAP).collect());
        }
        let word: String = word.into_iter().collect();
        let width = current.chars().count();
        if width > 0 && width + 1 + word.chars().count() > WRAP {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_puts_spec_text_on_one_line_without_hidden_controls() {
        assert_eq!(clean("a\nb\r\n\tc  d"), "a b c d");
        assert_eq!(clean("evil\u{202e}txt.exe\u{200b}"), "eviltxt.exe");
    }

    #[test]
    fn wrap_breaks_at_words_and_cuts_long_words() {
        assert_eq!(
            wrap("PUBLIC: signature verified in handler with the stripe-signing secret"),
            vec![
                "PUBLIC: signature verified in",
                "handler with the stripe-signing",
                "secret"
            ]
        );
        let long = "x".repeat(WRAP + 3);
        assert_eq!(wrap(&long), vec!["x".repeat(WRAP), "xxx".into()]);
        assert_eq!(wrap(""), vec![String::new()]);
    }
}
