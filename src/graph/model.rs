//! The graph read off a plan: which resources there are, what invokes each
//! function, and what each function's role may do to which resource.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::kinds::Tag;
use crate::plan::{self, ById, Effect, Id, Kind, Plan, Resource, Statement};
use crate::spec::{self, AccessLevel};

/// A service as a set of nodes and a set of edges. Node IDs are the plan's
/// logical IDs, so two graphs of two versions of a spec compare node by node
/// and edge by edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub service: String,
    nodes: BTreeMap<Id, Node>,
    edges: BTreeSet<Edge>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node {
    /// The resource's logical ID: stable across unrelated spec edits, and the
    /// name a reviewer finds in the generated template.
    pub id: Id,
    /// What the reader knows it by: the spec name, route key or schedule.
    pub name: String,
    pub kind: NodeKind,
    /// The key that encrypts this data store.
    pub encrypted_with: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Route(RouteAuth),
    Schedule,
    Function,
    Table,
    Queue {
        fifo: bool,
    },
    DeadLetterQueue,
    Bucket,
    Topic,
    Secret,
    Key {
        rotation: bool,
    },
    /// An AWS WAF web ACL in front of the routes.
    WebAcl {
        rate_per_ip: u32,
        window: u32,
        managed_rules: usize,
    },
    /// A client of the API with its own usage plan.
    Client {
        rate: u32,
        burst: u32,
        quota: Option<(u32, &'static str)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteAuth {
    Jwt {
        scopes: Vec<String>,
    },
    /// No authorizer: anyone on the internet may call it.
    Public {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    pub from: Id,
    pub to: Id,
    pub relation: Relation,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// The source invokes the function.
    Invokes(Trigger),
    /// The function's role holds this access level on the target.
    Access(AccessLevel),
    /// The function's role holds actions on the target that no access level
    /// accounts for; drawn rather than hidden, so the picture stays true.
    Actions(Vec<String>),
    /// Messages received this many times without success move to the DLQ.
    DeadLetter { max_receives: u32 },
    /// The web ACL filters the route's requests.
    Filters,
    /// The client calls the route with its API key, within its usage plan.
    ApiKey,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trigger {
    Request,
    Messages {
        batch_size: u32,
    },
    StreamRecords {
        batch_size: u32,
    },
    ObjectCreated {
        prefix: Option<String>,
        suffix: Option<String>,
    },
    Notification,
    Schedule,
}

impl Graph {
    /// A service with nothing in it: the base of a first pull request.
    pub fn empty(service: &str) -> Graph {
        Graph {
            service: service.to_string(),
            nodes: BTreeMap::new(),
            edges: BTreeSet::new(),
        }
    }

    pub fn from_plan(plan: &Plan) -> Graph {
        let nodes: BTreeMap<Id, Node> = plan
            .resources
            .iter()
            .filter_map(|r| node(plan, r))
            .map(|n| (n.id.clone(), n))
            .collect();
        // Only edges between drawn nodes: an email subscription or a function's
        // failures to the shared DLQ end at plumbing that is not drawn.
        let by_id = plan.by_id();
        let edges = plan
            .resources
            .iter()
            .flat_map(|r| edges(plan, &by_id, r))
            .filter(|e| nodes.contains_key(&e.from) && nodes.contains_key(&e.to))
            .collect();
        Graph {
            service: plan.service.clone(),
            nodes,
            edges,
        }
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id)
    }

    pub fn edges(&self) -> impl Iterator<Item = &Edge> {
        self.edges.iter()
    }

    pub fn has_edge(&self, edge: &Edge) -> bool {
        self.edges.contains(edge)
    }
}

/// The node for a resource, if it is drawn. Palisade's own plumbing without a
/// spec name (the alarm topic, the access-log bucket, the functions' shared
/// DLQ, logs, alarms) is left out, so the picture shows what the spec declares.
fn node(plan: &Plan, resource: &Resource) -> Option<Node> {
    let spec_name = resource.source.clone();
    let (kind, name, encrypted_with) = match &resource.kind {
        // Public means no authorizer, whatever the spec says; the reason is
        // what the spec gave for it.
        Kind::Route(route) => (
            NodeKind::Route(route_auth(
                route.authorizer.is_some(),
                &route.scopes,
                &route.public_reason,
            )),
            route.key.clone(),
            None,
        ),
        Kind::RestMethod(method) => (
            NodeKind::Route(route_auth(
                method.authorizer.is_some(),
                &method.scopes,
                &method.public_reason,
            )),
            method.key.clone(),
            None,
        ),
        Kind::WebAcl(acl) => (
            NodeKind::WebAcl {
                rate_per_ip: acl.rate_per_ip,
                window: acl.window,
                managed_rules: acl.managed_rules.len(),
            },
            acl.name.clone(),
            None,
        ),
        Kind::UsagePlan(plan) => (
            NodeKind::Client {
                rate: plan.throttle.rate,
                burst: plan.throttle.burst,
                quota: plan.quota,
            },
            plan.client.clone(),
            None,
        ),
        Kind::Schedule(schedule) => (NodeKind::Schedule, schedule.expression.clone(), None),
        Kind::Key(key) => {
            let alias = plan.resources.iter().find_map(|r| {
                let Kind::KeyAlias { name, key } = &r.kind else {
                    return None;
                };
                (*key == resource.id).then(|| name.clone())
            });
            let name = alias.unwrap_or_else(|| resource.id.clone());
            (
                NodeKind::Key {
                    rotation: key.rotation,
                },
                name,
                None,
            )
        }
        Kind::Function(function) => (
            NodeKind::Function,
            spec_name.unwrap_or_else(|| function.name.clone()),
            None,
        ),
        // Stores are drawn when the spec declares them; Palisade's own
        // (the alarm topic, the access-log bucket, the shared DLQ) are not.
        Kind::Table(table) => (NodeKind::Table, spec_name?, Some(table.key.clone())),
        Kind::Queue(queue) if queue.dead_letter => (
            NodeKind::DeadLetterQueue,
            spec_name?,
            Some(queue.key.clone()),
        ),
        Kind::Queue(queue) => (
            NodeKind::Queue { fifo: queue.fifo },
            spec_name?,
            Some(queue.key.clone()),
        ),
        Kind::Bucket(bucket) => (NodeKind::Bucket, spec_name?, bucket.key.clone()),
        Kind::Topic(topic) => (NodeKind::Topic, spec_name?, Some(topic.key.clone())),
        Kind::Secret(secret) => (NodeKind::Secret, spec_name?, Some(secret.key.clone())),
        // Details of a node (the registry's `Drawn::Detail`) or drawn as
        // edges (`Drawn::Edges`): see `edges`.
        Kind::KeyAlias { .. }
        | Kind::LogGroup(_)
        | Kind::Role(_)
        | Kind::ResourcePolicy(_)
        | Kind::Subscription(_)
        | Kind::RotationSchedule(_)
        | Kind::Api(_)
        | Kind::Authorizer(_)
        | Kind::Integration(_)
        | Kind::Stage(_)
        | Kind::Permission(_)
        | Kind::EventSourceMapping(_)
        | Kind::Alarm(_)
        | Kind::RestApi(_)
        | Kind::RestResource(_)
        | Kind::RestPreflight(_)
        | Kind::RestGatewayResponse(_)
        | Kind::RestAuthorizer(_)
        | Kind::RestDeployment(_)
        | Kind::RestStage(_)
        | Kind::WebAclAssociation(_)
        | Kind::WebAclLogging(_)
        | Kind::ApiKey(_)
        | Kind::UsagePlanKey(_) => return None,
    };
    Some(Node {
        id: resource.id.clone(),
        name,
        kind,
        encrypted_with,
    })
}

fn edge(from: &str, to: &str, relation: Relation) -> Edge {
    Edge {
        from: from.to_string(),
        to: to.to_string(),
        relation,
    }
}

/// The edges a resource wires up: the triggers it defines, a queue's redrive,
/// and a function's permissions.
fn edges(whole: &Plan, plan: &ById, resource: &Resource) -> Vec<Edge> {
    let id = resource.id.as_str();
    match &resource.kind {
        Kind::Route(route) => {
            let Some(Kind::Integration(integration)) =
                plan.get(&route.integration).map(|r| &r.kind)
            else {
                return Vec::new();
            };
            vec![edge(
                id,
                &integration.function,
                Relation::Invokes(Trigger::Request),
            )]
        }
        Kind::RestMethod(method) => {
            let mut found = vec![edge(
                id,
                &method.function,
                Relation::Invokes(Trigger::Request),
            )];
            // The web ACL protects the stage: every route's requests.
            found.extend(
                whole
                    .resources
                    .iter()
                    .filter(|r| matches!(r.kind, Kind::WebAcl(_)))
                    .map(|acl| edge(&acl.id, id, Relation::Filters)),
            );
            if method.api_key_required {
                found.extend(
                    whole
                        .resources
                        .iter()
                        .filter(|r| matches!(r.kind, Kind::UsagePlan(_)))
                        .map(|client| edge(&client.id, id, Relation::ApiKey)),
                );
            }
            found
        }
        Kind::EventSourceMapping(mapping) => {
            let Some(source) = mapping.source.references().next() else {
                return Vec::new();
            };
            let trigger = match plan.get(source).map(|r| r.kind.tag()) {
                Some(Tag::Queue) => Trigger::Messages {
                    batch_size: mapping.batch_size,
                },
                Some(Tag::Table) => Trigger::StreamRecords {
                    batch_size: mapping.batch_size,
                },
                // Event sources are queues and table streams only.
                None | Some(_) => return Vec::new(),
            };
            vec![edge(source, &mapping.function, Relation::Invokes(trigger))]
        }
        Kind::Schedule(schedule) => vec![edge(
            id,
            &schedule.function,
            Relation::Invokes(Trigger::Schedule),
        )],
        Kind::Subscription(subscription) => subscription
            .endpoint
            .references()
            .map(|function| {
                edge(
                    &subscription.topic,
                    function,
                    Relation::Invokes(Trigger::Notification),
                )
            })
            .collect(),
        Kind::Bucket(bucket) => bucket
            .notifications
            .iter()
            .map(|n| {
                edge(
                    id,
                    &n.function,
                    Relation::Invokes(Trigger::ObjectCreated {
                        prefix: n.prefix.clone(),
                        suffix: n.suffix.clone(),
                    }),
                )
            })
            .collect(),
        Kind::Queue(queue) => queue
            .redrive
            .iter()
            .map(|(dlq, max_receives)| {
                edge(
                    id,
                    dlq,
                    Relation::DeadLetter {
                        max_receives: *max_receives,
                    },
                )
            })
            .collect(),
        Kind::Function(function) => {
            let Some(Kind::Role(role)) = plan.get(&function.role).map(|r| &r.kind) else {
                return Vec::new();
            };
            role.policy
                .iter()
                .flat_map(|statement| permissions(plan, id, statement))
                .collect()
        }
        // Drawn as nodes with no edges of their own, or details of a node.
        Kind::Key(_)
        | Kind::KeyAlias { .. }
        | Kind::LogGroup(_)
        | Kind::Role(_)
        | Kind::Table(_)
        | Kind::Topic(_)
        | Kind::ResourcePolicy(_)
        | Kind::Secret(_)
        | Kind::RotationSchedule(_)
        | Kind::Api(_)
        | Kind::Authorizer(_)
        | Kind::Integration(_)
        | Kind::Stage(_)
        | Kind::Permission(_)
        | Kind::Alarm(_)
        | Kind::RestApi(_)
        | Kind::RestResource(_)
        | Kind::RestPreflight(_)
        | Kind::RestGatewayResponse(_)
        | Kind::RestAuthorizer(_)
        | Kind::RestDeployment(_)
        | Kind::RestStage(_)
        | Kind::WebAcl(_)
        | Kind::WebAclAssociation(_)
        | Kind::WebAclLogging(_)
        | Kind::UsagePlan(_)
        | Kind::ApiKey(_)
        | Kind::UsagePlanKey(_) => Vec::new(),
    }
}

/// A role statement as permission edges. The plan names each access
/// statement after its target's logical ID; the levels are read back from
/// the actions through the same table that granted them, so the edges say
/// what the role holds (including the `consume` and `stream` that events
/// imply), not what the spec asked for. Statements that name no drawn
/// resource (own logs, tracing, the service key through AWS services) are
/// the same for every function and left out.
fn permissions(plan: &ById, function: &str, statement: &Statement) -> Vec<Edge> {
    if statement.effect != Effect::Allow {
        return Vec::new();
    }
    let Some(kind) = plan.get(&statement.sid).and_then(|r| spec_kind(&r.kind)) else {
        return Vec::new();
    };
    let held = |action: &&str| statement.actions.iter().any(|a| a == action);
    let mut explained = BTreeSet::new();
    let mut edges = Vec::new();
    for level in kind.access_levels().iter().chain(kind.implied_levels()) {
        let Some(grant) = plan::iam::grant(kind, *level) else {
            continue;
        };
        if grant.actions.iter().all(held) {
            explained.extend(grant.actions.iter().copied());
            edges.push(edge(function, &statement.sid, Relation::Access(*level)));
        }
    }
    let unexplained: Vec<String> = statement
        .actions
        .iter()
        .filter(|a| !explained.contains(a.as_str()))
        .cloned()
        .collect();
    if !unexplained.is_empty() {
        edges.push(edge(
            function,
            &statement.sid,
            Relation::Actions(unexplained),
        ));
    }
    edges
}

fn spec_kind(kind: &Kind) -> Option<spec::Section> {
    kind.describe().access
}

/// How a route (HTTP) or method (REST) is reached: public means no
/// authorizer, whatever the spec says; the reason is what the spec gave.
fn route_auth(authorized: bool, scopes: &[String], public_reason: &Option<String>) -> RouteAuth {
    if authorized {
        RouteAuth::Jwt {
            scopes: scopes.to_vec(),
        }
    } else {
        RouteAuth::Public {
            reason: public_reason.clone().unwrap_or_default(),
        }
    }
}
