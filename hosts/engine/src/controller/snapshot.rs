//! Snapshots of a live engine and resuming from one: what the controller records as events
//! and notes go by, and how another engine is put back on the same beat.

use super::Controller;
use crate::At;
use crate::error::EngineError;
use crate::report::SwapReport;
use crate::snapshot::{
    HeldNote, ParamValue, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, Snapshot, TransportSnapshot,
};
use patchvm_ir::Format;
use patchvm_vm::{TransportCommand, TransportState};
use std::collections::BTreeMap;

/// Control changes that release every note: all sound off and all notes off.
const ALL_OFF: [u8; 2] = [120, 123];

/// What a snapshot keeps that the patch does not, recorded on the control side as calls go
/// by (never read from the audio thread).
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    /// The last value set on each input by an event, by node and input.
    params: BTreeMap<(String, String), f32>,
    /// Notes held down, oldest first.
    notes: Vec<HeldNote>,
    /// The scene recalled last.
    pub(super) scene: Option<String>,
}

impl Recorded {
    pub(super) fn param(&mut self, node: &str, param: &str, value: f32) {
        self.params
            .insert((node.to_owned(), param.to_owned()), value);
    }

    /// The value an event set last on input `param` of node `node`, if any.
    pub(super) fn value(&self, node: &str, param: &str) -> Option<f32> {
        self.params
            .get(&(node.to_owned(), param.to_owned()))
            .copied()
    }

    /// Forgets the value events set on an input that the patch now sets (a scene).
    pub(super) fn forget(&mut self, node: &str, param: &str) {
        self.params.remove(&(node.to_owned(), param.to_owned()));
    }

    pub(super) fn note_on(&mut self, channel: Option<u8>, note: u8, velocity: u8) {
        self.note_off(channel, note);
        self.notes.push(HeldNote {
            channel,
            note,
            velocity,
        });
    }

    pub(super) fn note_off(&mut self, channel: Option<u8>, note: u8) {
        self.notes
            .retain(|held| !(held.note == note && held.channel == channel));
    }

    pub(super) fn control(&mut self, channel: Option<u8>, number: u8) {
        if ALL_OFF.contains(&number) {
            self.notes
                .retain(|held| channel.is_some() && held.channel != channel);
        }
    }
}

impl Controller {
    /// Where the transport stood after the audio half's last block, and the engine sample
    /// that is; `None` before the first block. Read from atomics the audio half publishes,
    /// never waiting for it.
    pub fn transport_position(&self) -> Option<(u64, TransportState)> {
        self.remote.metrics().position()
    }

    /// The live state that matters musically, as it stands after the audio half's last
    /// block: the patch as edited, the transport, values set by events, notes held and the
    /// scene recalled last (see [`Snapshot`]). Allocates; call it off the audio thread.
    pub fn snapshot(&mut self) -> Result<Snapshot, EngineError> {
        self.maintain();
        let patch = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        let (time, state) = self.transport_position().unwrap_or((
            0,
            TransportState {
                playing: true,
                ..TransportState::default()
            },
        ));
        Ok(Snapshot {
            format: SNAPSHOT_FORMAT.to_owned(),
            version: SNAPSHOT_VERSION,
            patch: patchvm_ir::format::sexpr::write(patch),
            sample_rate: self.settings.sample_rate,
            time,
            transport: TransportSnapshot {
                beat: state.beat,
                bpm: state.bpm,
                playing: state.playing,
                anchor_beat: state.anchor_beat,
                since: state.since,
                live_bpm: state.live_bpm,
                looping: state.looping.map(|(start, end)| [start, end]),
            },
            params: self
                .recorded
                .params
                .iter()
                .map(|((node, param), &value)| ParamValue {
                    node: node.clone(),
                    param: param.clone(),
                    value,
                })
                .collect(),
            notes: self.recorded.notes.clone(),
            scene: self.recorded.scene.clone(),
        })
    }

    /// Plays `snapshot`'s patch and puts the engine where the snapshot's was, all on the
    /// next block's first sample: the transport on the same beat (the same anchor and
    /// offset, so every later position is the same bits, when the sample rates agree; the
    /// same beat otherwise), its live tempo and loop, every value events had set, the notes
    /// held, and the current scene.
    pub fn resume(&mut self, snapshot: &Snapshot) -> Result<SwapReport, EngineError> {
        let report = self.load_text(snapshot.patch.as_bytes(), Format::Sexpr)?;
        let transport = snapshot.transport;
        if let Some(bpm) = transport.live_bpm {
            let tempo = TransportCommand::Tempo {
                bpm,
                next_beat: false,
            };
            self.transport(tempo, At::Now)?;
        }
        if let Some([start, end]) = transport.looping {
            self.transport(TransportCommand::Loop { start, end }, At::Now)?;
        }
        let same_rate = snapshot.sample_rate == self.settings.sample_rate;
        let place = match (transport.playing, same_rate) {
            (true, true) => TransportCommand::Resume {
                anchor_beat: transport.anchor_beat,
                since: transport.since,
            },
            _ => TransportCommand::Seek(transport.beat),
        };
        self.transport(place, At::Now)?;
        if !transport.playing {
            self.transport(TransportCommand::Stop, At::Now)?;
        }
        for value in &snapshot.params {
            self.set_param(&value.node, &value.param, value.value, At::Now)?;
        }
        for held in &snapshot.notes {
            self.channel_note_on(held.channel, held.note, held.velocity, At::Now)?;
        }
        self.recorded.scene = snapshot.scene.clone();
        Ok(report)
    }
}
