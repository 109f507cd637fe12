//! Follow actions that start another timeline, as edges of the graph: a clip of timeline A
//! whose follow action may start timeline B connects output `follow{k}` of every `timeline`
//! node playing A to input `start` of every `timeline` node playing B, where `k` is B's
//! place among the timelines A's clips follow into ([`targets`]). The edge orders B's node
//! after A's, so a start is a sample-exact signal inside the block; the `start` input breaks
//! cycles, so A → B → A is valid (the `timeline` kernel sends its starts ahead of time, so a
//! cycle's one block of delay is never heard). The edges are made for validation's graph
//! alone: the patch keeps no connection for them, so saving and editing never see them.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::graph::{Edge, GraphNode, NodeIdx};
use crate::span::Span;
use crate::timelines::{Follow, Timeline};
use std::collections::HashMap;

/// The module that plays one timeline, whose ports these edges join.
const TIMELINE: &str = "timeline";

/// How many timelines one timeline's clips may follow into: the `timeline` module's
/// `follow0` … `follow7` outputs.
pub const FOLLOW_OUTPUTS: usize = 8;

/// The timelines `timeline`'s clips may start by a follow action, each once, in the order
/// first named: the `k`-th is started through output `follow{k}`.
pub fn targets(timeline: &Timeline) -> Vec<&str> {
    let mut targets: Vec<&str> = Vec::new();
    let named = timeline
        .clips
        .iter()
        .flat_map(|clip| clip.follow.choices.iter())
        .filter_map(|(_, follow)| match follow {
            Follow::Timeline(name) => Some(name.text.as_str()),
            _ => None,
        });
    for name in named {
        if !targets.contains(&name) {
            targets.push(name);
        }
    }
    targets
}

/// The edges from the `timeline` nodes among `nodes` to those their timelines follow into,
/// at the follow actions' spans (a catalog whose `timeline` module lacks the ports gets
/// none); or E0124 at each follow action of a played timeline into a timeline of the
/// section that no node plays, which would never start.
pub(crate) fn edges(timelines: &[Timeline], nodes: &[GraphNode]) -> Result<Vec<Edge>, Diagnostics> {
    let mut players: HashMap<&str, Vec<usize>> = HashMap::new();
    for (at, node) in nodes.iter().enumerate() {
        if node.spec.name != TIMELINE {
            continue;
        }
        let Some(name) = node
            .spec
            .inputs
            .iter()
            .position(|input| input.name == "name")
        else {
            continue;
        };
        let text = node
            .texts
            .iter()
            .find(|text| text.input == name)
            .map_or("", |text| text.text.as_str());
        players.entry(text).or_default().push(at);
    }
    let (mut edges, mut problems) = (Vec::new(), Vec::new());
    for timeline in timelines {
        let Some(sources) = players.get(timeline.name.text.as_str()) else {
            continue;
        };
        for (slot, target) in targets(timeline).into_iter().enumerate() {
            let span = timeline
                .clips
                .iter()
                .flat_map(|clip| clip.follow.choices.iter())
                .find_map(|(_, follow)| match follow {
                    Follow::Timeline(name) if name.text == target => Some(name.span),
                    _ => None,
                })
                .unwrap_or(timeline.span);
            let Some(receivers) = players.get(target) else {
                if timelines.iter().any(|t| t.name.text == target) {
                    push_capped(&mut problems, unplayed(&timeline.name.text, target, span));
                }
                continue;
            };
            for &from in sources {
                let spec = nodes[from].spec;
                let output = format!("follow{slot}");
                let Some(output) = spec.outputs.iter().position(|port| port.name == output) else {
                    continue;
                };
                for &to in receivers {
                    let Some(input) = nodes[to]
                        .spec
                        .inputs
                        .iter()
                        .position(|port| port.name == "start")
                    else {
                        continue;
                    };
                    edges.push(Edge {
                        from: NodeIdx(from as u32),
                        output,
                        to: NodeIdx(to as u32),
                        input,
                        closes_cycle: false,
                        span,
                    });
                }
            }
        }
    }
    match problems.is_empty() {
        true => Ok(edges),
        false => Err(problems),
    }
}

/// E0124: timeline `from` follows into timeline `to`, which no `timeline` node plays.
fn unplayed(from: &str, to: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownTimeline,
        span,
        format!("timeline `{from}` follows into timeline `{to}`, which no `timeline` node plays"),
    )
    .with_label("never starts")
    .with_hint(format!(
        "add `(player timeline \"{to}\")` connected to the output, or follow into a timeline a node plays"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Name;
    use crate::timelines::{Clip, FollowAction};

    fn following(id: &str, into: &[&str]) -> Clip {
        Clip {
            follow: FollowAction {
                choices: into
                    .iter()
                    .map(|name| (1.0, Follow::Timeline(Name::new(*name))))
                    .collect(),
            },
            ..Clip::new(id, "a.wav", 0.0)
        }
    }

    #[test]
    fn targets_are_each_timeline_once_in_the_order_first_named() {
        let mut timeline = Timeline::new("a", 120.0);
        timeline.clips.push(following("c1", &["c", "b"]));
        timeline.clips.push(Clip::new("c2", "a.wav", 1.0));
        timeline.clips.push(following("c3", &["b", "a", "c"]));
        assert_eq!(targets(&timeline), ["c", "b", "a"]);
        assert!(targets(&Timeline::new("empty", 120.0)).is_empty());
    }
}
