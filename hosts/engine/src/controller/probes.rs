//! Probes: any node output read on the control side without disturbing the audio. A
//! subscription pins the output's register in every program built while it lasts (see
//! [`CompileOptions::probes`](patchvm_compiler::CompileOptions::probes)) and hands the
//! program a tap of (register, cell) pairs; after each block the audio half publishes the
//! block's last sample and peak into the engine's [`ProbeBoard`], which a [`ProbeHandle`]
//! reads from any thread. Subscriptions survive edits while their node does (an edit's
//! transition publishes them too); a removed node's handle says so.

use super::Controller;
use crate::error::EngineError;
use patchvm_compiler::ProbePoint;
use patchvm_ir::{Code, Diagnostic, NodeName, Span};
use patchvm_modules::catalog;
use patchvm_vm::live::{MAX_PROBES, OUTPUT_PROBE, ProbeBoard, ProbeReading, ProbeTap};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a probe shows now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ProbeState {
    /// No block has been published since it subscribed (the program that carries it is not
    /// playing yet).
    Waiting,
    /// The last block published: its last sample ([`ProbeReading::value`], what
    /// [`ProbeHandle::value`] returns) and its peak.
    Playing(ProbeReading),
    /// An edit removed the node (or its output): nothing will be published again.
    Removed,
}

/// A subscription's view of one output, readable from any thread without a lock. Cloning it
/// reads the same cell.
#[derive(Clone, Debug)]
pub struct ProbeHandle {
    board: Arc<ProbeBoard>,
    cell: usize,
    node: NodeName,
    port: Arc<str>,
    removed: Arc<AtomicBool>,
}

impl ProbeHandle {
    /// The node probed.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The output probed.
    pub fn port(&self) -> &str {
        &self.port
    }

    /// What the probe shows now.
    pub fn read(&self) -> ProbeState {
        if self.removed.load(Ordering::Acquire) {
            return ProbeState::Removed;
        }
        self.board
            .read(self.cell)
            .map_or(ProbeState::Waiting, ProbeState::Playing)
    }

    /// The output's value: the last sample of the last block published (`None` while
    /// waiting, or once removed).
    pub fn value(&self) -> Option<f32> {
        match self.read() {
            ProbeState::Playing(reading) => Some(reading.value),
            ProbeState::Waiting | ProbeState::Removed => None,
        }
    }

    /// The largest magnitude the output reached since the last call (0 if none): a meter's
    /// peak over its refresh, every block counted however rarely it is read.
    pub fn take_peak(&self) -> f32 {
        self.board.take_peak(self.cell)
    }
}

/// One subscription.
#[derive(Debug)]
struct Subscription {
    node: NodeName,
    port: Arc<str>,
    cell: u16,
    removed: Arc<AtomicBool>,
}

/// The controller's probes: the board and who reads which cell.
#[derive(Debug)]
pub(crate) struct Probes {
    board: Arc<ProbeBoard>,
    subscriptions: Vec<Subscription>,
    /// Cells no subscription uses and no program publishes into.
    free: Vec<u16>,
    /// Cells given up, each with the generation from which no program publishes into it: free
    /// once that program is playing and none is in flight.
    cooling: Vec<(u16, u64)>,
}

impl Default for Probes {
    fn default() -> Probes {
        Probes {
            board: Arc::new(ProbeBoard::default()),
            subscriptions: Vec::new(),
            // Lowest first, popped from the end.
            free: (0..MAX_PROBES as u16)
                .rev()
                .filter(|&cell| usize::from(cell) != OUTPUT_PROBE)
                .collect(),
            cooling: Vec::new(),
        }
    }
}

impl Probes {
    /// The board the audio half publishes into: hand it to
    /// [`AudioHalf::probe_output`](patchvm_vm::live::AudioHalf::probe_output).
    pub(crate) fn board(&self) -> Arc<ProbeBoard> {
        self.board.clone()
    }

    /// The outputs every program must keep, for the compile options.
    pub(crate) fn wanted(&self) -> BTreeSet<(NodeName, String)> {
        self.subscriptions
            .iter()
            .map(|s| (s.node.clone(), s.port.to_string()))
            .collect()
    }

    /// The nodes probed, which stay kernels.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = &NodeName> {
        self.subscriptions.iter().map(|s| &s.node)
    }

    /// The tap of a program whose probed outputs live at `points`.
    pub(crate) fn tap(&self, points: &[ProbePoint]) -> ProbeTap {
        let taps: Vec<_> = points
            .iter()
            .filter_map(|point| {
                let sub = self
                    .subscriptions
                    .iter()
                    .find(|s| s.node == point.id && *s.port == *point.port)?;
                Some((point.reg, sub.cell))
            })
            .collect();
        ProbeTap {
            board: (!taps.is_empty()).then(|| self.board.clone()),
            taps,
        }
    }

    /// After program `generation`, carrying `points`, was published: subscriptions it no
    /// longer computes (their node removed, or its module changed to one without the output)
    /// are removed, their cells cooling until it plays.
    pub(crate) fn published(&mut self, points: &[ProbePoint], generation: u64) {
        let (kept, gone): (Vec<_>, Vec<_>) = std::mem::take(&mut self.subscriptions)
            .into_iter()
            .partition(|s| points.iter().any(|p| p.id == s.node && *p.port == *s.port));
        self.subscriptions = kept;
        for sub in gone {
            sub.removed.store(true, Ordering::Release);
            self.cooling.push((sub.cell, generation));
        }
    }

    /// Frees the cooling cells no program publishes into once program `playing` plays and
    /// none is in flight.
    fn settled(&mut self, playing: u64) {
        let (free, cooling): (Vec<_>, Vec<_>) = std::mem::take(&mut self.cooling)
            .into_iter()
            .partition(|&(_, from)| from <= playing);
        self.cooling = cooling;
        self.free.extend(free.into_iter().map(|(cell, _)| cell));
        self.free.sort_unstable_by(|a, b| b.cmp(a));
    }
}

impl Controller {
    /// Subscribes to output `port` of node `node` of the patch playing (a template's nodes
    /// as `TEMPLATE/V/NODE`): from the next program on, the audio half publishes the output
    /// after each block of at most 64 samples — its last sample (the value
    /// [`ProbeHandle::value`] returns) and its peak — and the handle reads it from any thread.
    /// Subscribing again to the same output returns a handle on the same cell. The first
    /// subscription to an output rebuilds the program playing (a swap in which every node
    /// keeps its state), so that its register is kept for the probe.
    ///
    /// Refused with E0132 when the node or the output does not exist, E0003 when 63 outputs
    /// are probed already, and as [`EngineError::Busy`] when the swap cannot be published.
    pub fn probe(&mut self, node: &str, port: &str) -> Result<ProbeHandle, EngineError> {
        self.maintain();
        let (node, port) = self.probe_target(node, port)?;
        if let Some(sub) = self
            .probes
            .subscriptions
            .iter()
            .find(|s| s.node == node && *s.port == *port)
        {
            return Ok(self.handle(sub));
        }
        if self.in_flight.is_empty() && self.settling.is_empty() {
            self.probes.settled(self.generation);
        }
        let Some(cell) = self.probes.free.pop() else {
            return Err(EngineError::Invalid(vec![
                Diagnostic::new(
                    Code::Limit,
                    Span::NONE,
                    format!(
                        "too many probes: {} outputs are probed already",
                        MAX_PROBES - 1
                    ),
                )
                .with_hint("unsubscribe one first (`Controller::unprobe`)"),
            ]));
        };
        self.probes.board.clear(usize::from(cell));
        self.probes.subscriptions.push(Subscription {
            node: node.clone(),
            port: port.clone(),
            cell,
            removed: Arc::new(AtomicBool::new(false)),
        });
        let patch = self.patch.clone().ok_or(EngineError::NoPatch)?;
        if let Err(error) = self.commit(patch) {
            self.probes.subscriptions.pop();
            self.probes.free.push(cell);
            return Err(error);
        }
        let sub = self.probes.subscriptions.last().expect("just pushed");
        Ok(self.handle(sub))
    }

    /// Ends the subscription to `port` of `node` (its handles then read
    /// [`ProbeState::Removed`]); whether there was one. The program playing keeps publishing
    /// into its cell until the next edit, which no longer keeps its register.
    pub fn unprobe(&mut self, node: &str, port: &str) -> bool {
        let Some(at) = self
            .probes
            .subscriptions
            .iter()
            .position(|s| *s.node == *node && *s.port == *port)
        else {
            return false;
        };
        let sub = self.probes.subscriptions.remove(at);
        sub.removed.store(true, Ordering::Release);
        // The program playing still publishes into the cell: it cools until the next one.
        self.probes.cooling.push((sub.cell, self.generation + 1));
        true
    }

    /// A handle on the engine's mix, as the audio half publishes it after each block before
    /// the limiter (interleaved: its value is the last channel's last sample, its peak over
    /// every channel): what a level meter reads, with the clip count in the
    /// [`metrics`](Controller::metrics).
    pub fn probe_output(&self) -> ProbeHandle {
        ProbeHandle {
            board: self.probes.board(),
            cell: OUTPUT_PROBE,
            node: NodeName::from("output"),
            port: Arc::from("mix"),
            removed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The board the audio half publishes the mix into.
    pub(crate) fn probe_board(&self) -> Arc<ProbeBoard> {
        self.probes.board()
    }

    fn handle(&self, sub: &Subscription) -> ProbeHandle {
        ProbeHandle {
            board: self.probes.board(),
            cell: usize::from(sub.cell),
            node: sub.node.clone(),
            port: sub.port.clone(),
            removed: sub.removed.clone(),
        }
    }

    /// The node and output a probe names, checked against the patch playing (E0132).
    fn probe_target(&self, node: &str, port: &str) -> Result<(NodeName, Arc<str>), EngineError> {
        let written = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        let patch = self.flat.as_ref().unwrap_or(written);
        let unknown = |message: String, hint: String| {
            EngineError::Invalid(vec![
                Diagnostic::new(Code::UnknownProbe, Span::NONE, message).with_hint(hint),
            ])
        };
        let Some(found) = patch.node(node) else {
            let ids: Vec<&str> = patch.nodes.iter().map(|n| n.id.text.as_str()).collect();
            return Err(unknown(
                format!("no node `{node}` to probe"),
                patchvm_ir::suggest::hint_for(node, &ids),
            ));
        };
        let spec = catalog().get(&found.module.text).ok_or_else(|| {
            unknown(
                format!("node `{node}` has an unknown module"),
                "fix the patch first".into(),
            )
        })?;
        let outputs: Vec<&str> = spec.outputs.iter().map(|o| o.name).collect();
        if !outputs.contains(&port) {
            let hint = match outputs.is_empty() {
                true => format!("`{}` nodes have no outputs to probe", spec.name),
                false => patchvm_ir::suggest::hint_for(port, &outputs),
            };
            return Err(unknown(
                format!("node `{node}` (`{}`) has no output `{port}`", spec.name),
                hint,
            ));
        }
        Ok((NodeName::from(node), Arc::from(port)))
    }
}
