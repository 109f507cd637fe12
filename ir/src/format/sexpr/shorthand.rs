//! The S-expression shorthand, expanded as the patch is read into ordinary nodes and
//! connections, so everything after the reader (validation, edits, state keeping, every
//! writer) sees only the longhand graph.
//!
//! Each scope (the patch, a voice template) is read first with its shorthand set aside, then
//! expanded once every id written in it is known:
//!
//! - an input's value that is a bare symbol naming a node of the scope, `(cutoff lfo1)`, or a
//!   list of such a symbol and a port, `(cutoff (lfo1 "out"))`, becomes a connection from that
//!   output (the node's first output when no port is written);
//! - an input's value that is a list headed by a bare symbol naming no node, whose other items
//!   are all lists, `(cutoff (lfo.sine (freq 2)))`, becomes a node of that module with those
//!   parameters, named `NODE.INPUT` (`lp1.cutoff`), connected from its first output; a bare
//!   string among them, `(seq.pattern "c2 ~ eb2")`, is the value of the module's first text
//!   input (named by [`crate::shorthand::resolve`]), as it is in a compact node;
//! - a chain `(-> A B C)` connects each element's first output to the next one's first input
//!   (`in` if it has one); an element is a node id, a node id and a quoted port
//!   (`lfo1 "out"`, or `(lfo1 "out")`), or an inline node `(MODULE (NAME VALUE) ...)` named
//!   `ANCHOR.MODULE` after the nearest written id after it in the chain (before it if none
//!   follows), `MODULE` being the module's last dotted part: `(-> (osc.saw) out)` makes
//!   `out.saw`. A port written after an element is the output the chain leaves the first
//!   element by, and the input it enters any other by.
//!
//! Generated ids never clash: a taken id gets the first free suffix `2`, `3`, …. Ports the
//! reader cannot know without the catalog ("first output", "first input") are left empty and
//! filled in by [`crate::shorthand::resolve`]. Expanded nodes and connections take the place
//! their text has in the file: both lists stay in the order their forms begin.

use super::syntax::{Atom, Sexp};
use super::{Reader, name, positional, to_value};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::format::guard;
use crate::patch::{Connection, Name, Node, Param, PortRef};
use crate::span::Span;
use std::collections::HashSet;

const CHAIN_EXAMPLE: &str = r#"(-> (osc.saw (freq 110)) (filter.lowpass (cutoff 800)) out)"#;

/// Shorthand found while reading one scope, waiting for every id of the scope.
#[derive(Debug, Default)]
pub(super) struct Pending {
    /// Parameter values that may be shorthand: the node's index in the scope, the parameter's
    /// index in the node, and the value as written.
    values: Vec<(usize, usize, Sexp)>,
    /// Chains, each its items after `->` and the whole form's span.
    chains: Vec<(Vec<Sexp>, Span)>,
}

impl Pending {
    /// Whether `value` may be shorthand: a bare symbol, or a list headed by one.
    pub(super) fn may_hold(value: &Sexp) -> bool {
        match value {
            Sexp::Atom(Atom::Symbol(_), _) => true,
            Sexp::List(items, _) => matches!(items.first(), Some(Sexp::Atom(Atom::Symbol(_), _))),
            Sexp::Atom(..) => false,
        }
    }

    /// Sets `value`, the parameter `param` of node `node`, aside until the scope is read.
    pub(super) fn value(&mut self, node: usize, param: usize, value: Sexp) {
        self.values.push((node, param, value));
    }

    /// Sets a chain aside until the scope is read.
    pub(super) fn chain(&mut self, items: Vec<Sexp>, span: Span) {
        self.chains.push((items, span));
    }
}

/// One element of a chain.
enum Element {
    /// A node written elsewhere, with the port written after it, if any.
    Written { id: Name, port: Option<Name> },
    /// A node written inline, once it has its id.
    Inline(Name),
}

/// What an input's value turns out to be.
enum Meaning {
    /// An output of a written node.
    Output(PortRef),
    /// A node written inline: its module and entries.
    Inline(Name, Vec<Sexp>, Span),
    /// A plain value.
    Value(Sexp),
    /// Shorthand that is wrong, and reported: the parameter is dropped.
    Reported,
}

/// Ids of one scope: those written, and every id taken so far.
struct Ids {
    written: HashSet<String>,
    taken: HashSet<String>,
}

impl Ids {
    /// `wanted`, or the first of `wanted2`, `wanted3` … no node has; taken from now on.
    fn fresh(&mut self, wanted: &str) -> String {
        let mut id = wanted.to_owned();
        let mut suffix = 2;
        while self.taken.contains(&id) {
            id = format!("{wanted}{suffix}");
            suffix += 1;
        }
        self.taken.insert(id.clone());
        id
    }
}

impl Reader<'_> {
    /// Expands the shorthand of one scope into `nodes` and `connections`; `outer` are ids the
    /// scope may name besides its nodes (the voice template's, seen from the patch).
    pub(super) fn expand(
        &mut self,
        pending: Pending,
        nodes: &mut Vec<Node>,
        connections: &mut Vec<Connection>,
        outer: &[&str],
    ) -> Result<(), Diagnostic> {
        if pending.values.is_empty() && pending.chains.is_empty() {
            return Ok(());
        }
        let written: HashSet<String> = nodes
            .iter()
            .map(|node| node.id.text.clone())
            .chain(outer.iter().map(|&id| id.to_owned()))
            .collect();
        let mut ids = Ids {
            taken: written.clone(),
            written,
        };
        let mut made = Made::default();
        let mut dropped: Vec<(usize, usize)> = Vec::new();
        for (node, param, value) in pending.values {
            let to = PortRef {
                node: nodes[node].id.clone(),
                port: nodes[node].params[param].name.clone(),
            };
            match self.meaning(value, &ids) {
                Meaning::Value(value) => nodes[node].params[param].value = to_value(value),
                meaning => {
                    dropped.push((node, param));
                    self.feed(meaning, to, &mut ids, &mut made)?;
                }
            }
        }
        for (items, span) in pending.chains {
            self.chain(items, span, &mut ids, &mut made)?;
        }
        // Parameters that became connections, removed back to front so indices hold.
        for (node, param) in dropped.into_iter().rev() {
            nodes[node].params.remove(param);
        }
        nodes.extend(made.nodes);
        nodes.sort_by_key(|node| node.span.start);
        connections.extend(made.connections);
        connections.sort_by_key(|connection| connection.span.start);
        Ok(())
    }

    /// What the value of an input is, given the scope's ids.
    fn meaning(&mut self, value: Sexp, ids: &Ids) -> Meaning {
        let span = value.span();
        match value {
            Sexp::Atom(Atom::Symbol(text), span) if ids.written.contains(&text) => {
                Meaning::Output(PortRef {
                    node: Name { text, span },
                    port: Name {
                        text: String::new(),
                        span,
                    },
                })
            }
            Sexp::List(items, _) if written_head(&items, ids) && items.len() <= 2 => {
                let mut items = items.into_iter();
                let node = items.next().and_then(name).unwrap_or_default();
                match items.next() {
                    None => Meaning::Output(PortRef {
                        port: Name {
                            text: String::new(),
                            span,
                        },
                        node,
                    }),
                    Some(port) => match name(port) {
                        Some(port) => Meaning::Output(PortRef { node, port }),
                        None => {
                            self.problem(
                                span,
                                format!("expected a port of node `{}` after it", node.text),
                                format!(r#"write `({} "out")`"#, node.text),
                            );
                            Meaning::Reported
                        }
                    },
                }
            }
            Sexp::List(items, span)
                if !written_head(&items, ids)
                    && items.iter().skip(1).all(|item| {
                        matches!(item, Sexp::List(..) | Sexp::Atom(Atom::Text(_), _))
                    }) =>
            {
                let mut items = items.into_iter();
                let module = items.next().and_then(name).unwrap_or_default();
                Meaning::Inline(module, items.collect(), span)
            }
            other => Meaning::Value(other),
        }
    }

    /// Connects `meaning` (an output, or a node written inline, made here) into `to`.
    fn feed(
        &mut self,
        meaning: Meaning,
        to: PortRef,
        ids: &mut Ids,
        made: &mut Made,
    ) -> Result<(), Diagnostic> {
        let (from, span) = match meaning {
            Meaning::Output(from) => {
                let span = from.node.span.to(from.port.span);
                (from, span)
            }
            Meaning::Inline(module, entries, span) => {
                let id = ids.fresh(&format!("{}.{}", to.node.text, to.port.text));
                let id = self.inline(Name { text: id, span }, module, entries, span, ids, made)?;
                let port = Name {
                    text: String::new(),
                    span,
                };
                (PortRef { node: id, port }, span)
            }
            Meaning::Value(_) | Meaning::Reported => return Ok(()),
        };
        made.connect(self, from, to, span)
    }

    /// Makes the node written inline as `(MODULE ENTRY ...)` at `span`, with id `id`; its
    /// own values may be shorthand too. Returns its id.
    fn inline(
        &mut self,
        id: Name,
        module: Name,
        entries: Vec<Sexp>,
        span: Span,
        ids: &mut Ids,
        made: &mut Made,
    ) -> Result<Name, Diagnostic> {
        if self.nodes == self.limits.max_nodes {
            return Err(guard::too_many_nodes(self.limits, span));
        }
        self.nodes += 1;
        let mut node = Node {
            id: id.clone(),
            module,
            params: Vec::new(),
            span,
        };
        let mut feeds = Vec::new();
        for entry in entries {
            let entry_span = entry.span();
            if let Some(param) = positional(&entry) {
                node.params.push(Param {
                    name: param,
                    value: to_value(entry),
                });
                continue;
            }
            let Some((key, values)) = self.entry(entry, &id) else {
                continue;
            };
            let super::Key::Param(param) = key else {
                self.problem(
                    entry_span,
                    format!(
                        "node `{}` is written inline and has its type already",
                        id.text
                    ),
                    "an inline node's type is its first word: `(osc.sine (freq 2))`",
                );
                continue;
            };
            let Ok([value]) = <[Sexp; 1]>::try_from(values) else {
                let message = format!(
                    "parameter `{}` on node `{}` takes one value",
                    param.text, id.text
                );
                self.problem(entry_span, message, "write a parameter as `(freq 440)`");
                continue;
            };
            if !Pending::may_hold(&value) {
                node.params.push(Param {
                    name: param,
                    value: to_value(value),
                });
                continue;
            }
            match self.meaning(value, ids) {
                Meaning::Value(value) => node.params.push(Param {
                    name: param,
                    value: to_value(value),
                }),
                meaning => feeds.push((meaning, param)),
            }
        }
        made.nodes.push(node);
        for (meaning, port) in feeds {
            let to = PortRef {
                node: id.clone(),
                port,
            };
            self.feed(meaning, to, ids, made)?;
        }
        Ok(id)
    }

    /// `(-> A B C ...)`, its items after `->`.
    fn chain(
        &mut self,
        items: Vec<Sexp>,
        span: Span,
        ids: &mut Ids,
        made: &mut Made,
    ) -> Result<(), Diagnostic> {
        // Elements as written, inline ones still to be made: (element, its span).
        let mut parts: Vec<(Part, Span)> = Vec::new();
        let mut items = items.into_iter().peekable();
        while let Some(item) = items.next() {
            let item_span = item.span();
            let part = match item {
                Sexp::Atom(Atom::Symbol(text) | Atom::Text(text), span) => {
                    let port = match items.peek() {
                        Some(Sexp::Atom(Atom::Text(_), _)) => items.next().and_then(name),
                        _ => None,
                    };
                    let id = Name { text, span };
                    let whole = port.as_ref().map_or(span, |port| span.to(port.span));
                    parts.push((Part::Written { id, port }, whole));
                    continue;
                }
                Sexp::List(list, _) if written_head(&list, ids) && list.len() <= 2 => {
                    let mut list = list.into_iter();
                    let id = list.next().and_then(name).unwrap_or_default();
                    let port = list.next().and_then(name);
                    Part::Written { id, port }
                }
                Sexp::List(list, _)
                    if matches!(
                        list.first(),
                        Some(Sexp::Atom(Atom::Symbol(_) | Atom::Text(_), _))
                    ) =>
                {
                    let mut list = list.into_iter();
                    let module = list.next().and_then(name).unwrap_or_default();
                    Part::Inline(module, list.collect())
                }
                other => {
                    self.problem(
                        item_span,
                        format!("expected a node in a chain, found {}", other.describe()),
                        format!(
                            r#"a chain's elements are node ids, `id "port"` or inline nodes: `{CHAIN_EXAMPLE}`"#
                        ),
                    );
                    return Ok(());
                }
            };
            parts.push((part, item_span));
        }
        if parts.len() < 2 {
            self.problem(
                span,
                format!("a chain needs at least two nodes, found {}", parts.len()),
                format!("write `{CHAIN_EXAMPLE}`"),
            );
            return Ok(());
        }
        let anchors = anchors(&parts);
        let mut elements = Vec::with_capacity(parts.len());
        for ((part, part_span), anchor) in parts.into_iter().zip(anchors) {
            elements.push((
                match part {
                    Part::Written { id, port } => Element::Written { id, port },
                    Part::Inline(module, entries) => {
                        let tail = module.text.rsplit('.').next().unwrap_or_default();
                        let wanted = match anchor {
                            Some(anchor) => format!("{anchor}.{tail}"),
                            None => tail.to_owned(),
                        };
                        let id = Name {
                            text: ids.fresh(&wanted),
                            span: part_span,
                        };
                        Element::Inline(self.inline(id, module, entries, part_span, ids, made)?)
                    }
                },
                part_span,
            ));
        }
        for (index, pair) in elements.windows(2).enumerate() {
            let [(from, from_span), (to, to_span)] = pair else {
                continue;
            };
            let end = |element: &Element, span: Span, use_port: bool| match element {
                Element::Written { id, port } => PortRef {
                    node: id.clone(),
                    port: port.clone().filter(|_| use_port).unwrap_or(Name {
                        text: String::new(),
                        span,
                    }),
                },
                Element::Inline(id) => PortRef {
                    node: id.clone(),
                    port: Name {
                        text: String::new(),
                        span,
                    },
                },
            };
            let from = end(from, *from_span, index == 0);
            let to = end(to, *to_span, true);
            made.connect(self, from, to, from_span.to(*to_span))?;
        }
        Ok(())
    }

    fn problem(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Shorthand, span, message).with_hint(hint),
        );
    }
}

/// A chain's element as read, before inline nodes are made.
enum Part {
    Written { id: Name, port: Option<Name> },
    Inline(Name, Vec<Sexp>),
}

/// The written id each inline element of a chain is named after: the nearest after it, or
/// else the nearest before it.
fn anchors(parts: &[(Part, Span)]) -> Vec<Option<String>> {
    let id = |part: &Part| match part {
        Part::Written { id, .. } => Some(id.text.clone()),
        Part::Inline(..) => None,
    };
    (0..parts.len())
        .map(|index| {
            parts[index + 1..]
                .iter()
                .find_map(|(part, _)| id(part))
                .or_else(|| parts[..index].iter().rev().find_map(|(part, _)| id(part)))
        })
        .collect()
}

/// Whether a list starts with a bare symbol naming a written node.
fn written_head(items: &[Sexp], ids: &Ids) -> bool {
    matches!(items.first(), Some(Sexp::Atom(Atom::Symbol(text), _)) if ids.written.contains(text))
}

/// Nodes and connections the shorthand of a scope made.
#[derive(Default)]
struct Made {
    nodes: Vec<Node>,
    connections: Vec<Connection>,
}

impl Made {
    fn connect(
        &mut self,
        reader: &mut Reader<'_>,
        from: PortRef,
        to: PortRef,
        span: Span,
    ) -> Result<(), Diagnostic> {
        if reader.connections == reader.limits.max_connections {
            return Err(guard::too_many_connections(reader.limits, span));
        }
        reader.connections += 1;
        self.connections.push(Connection { from, to, span });
        Ok(())
    }
}
