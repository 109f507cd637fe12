//! Generated patches for patchvm's benchmarks and profiling runs.
//!
//! The criterion benchmarks live in `benches/`; the stage-by-stage compile timer in
//! `examples/`. Both measure patches of a chosen size built here, so every figure in the README
//! comes from the same shape of patch: voices of saw → low-pass → gain summed into one output,
//! optionally through a long delay line.
#![deny(missing_docs)]

use patchvm::ir::{Patch, PatchBuilder};

/// The patch sizes the benchmarks sweep, in nodes.
pub const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

/// What [`synth`] builds besides its voices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// Added to the first voice's frequency, in Hz: a reload with another value changes one
    /// parameter, as a typical edit does.
    pub retune: f64,
    /// A delay of this many seconds between the mix and the output (one of the nodes), whose
    /// line a swap must keep.
    pub delay_seconds: Option<f64>,
    /// One more sine into the mix, beyond the count: toggling it is a structural change.
    pub marker: bool,
}

impl Default for Shape {
    fn default() -> Shape {
        Shape {
            retune: 0.0,
            delay_seconds: None,
            marker: false,
        }
    }
}

/// A patch of exactly `nodes` nodes (at least 2; one more with the marker): voices of
/// `osc.saw` → `filter.lowpass` → `gain` summed into the output, sines filling up to the
/// count, and the delay and marker of `shape`.
pub fn synth(nodes: usize, shape: Shape) -> Patch {
    let nodes = nodes.max(2);
    let fixed = 1 + usize::from(shape.delay_seconds.is_some());
    let voices = (nodes - fixed) / 3;
    let (sink, sink_port) = match shape.delay_seconds {
        Some(_) => ("echo", "in"),
        None => ("out", "in"),
    };
    let mut builder = PatchBuilder::new().node("out", "output", &[]);
    if let Some(seconds) = shape.delay_seconds {
        builder = builder
            .node("echo", "delay", &[("time", seconds)])
            .connect(("echo", "out"), ("out", "in"));
    }
    for voice in 0..voices {
        let (osc, lp, amp) = (
            format!("osc{voice}"),
            format!("lp{voice}"),
            format!("amp{voice}"),
        );
        let retune = if voice == 0 { shape.retune } else { 0.0 };
        let freq = 55.0 * (1.0 + 0.01 * voice as f64) + retune;
        builder = builder
            .node(&osc, "osc.saw", &[("freq", freq)])
            .node(&lp, "filter.lowpass", &[("cutoff", 2_000.0), ("q", 0.9)])
            .node(&amp, "gain", &[("amp", 1.0 / (voices as f64 + 1.0))])
            .connect((&osc, "out"), (&lp, "in"))
            .connect((&lp, "out"), (&amp, "in"))
            .connect((&amp, "out"), (sink, sink_port));
    }
    for extra in 0..nodes - fixed - 3 * voices {
        let id = format!("sine{extra}");
        builder = builder
            .node(&id, "osc.sine", &[("freq", 220.0)])
            .connect((&id, "out"), (sink, sink_port));
    }
    if shape.marker {
        builder = builder
            .node("marker", "osc.sine", &[("freq", 330.0)])
            .connect(("marker", "out"), (sink, sink_port));
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synth_has_exactly_the_nodes_asked_for() {
        for nodes in [2, 3, 4, 10, 11, 12, 100, 1_000] {
            for delay_seconds in [None, Some(10.0)] {
                for marker in [false, true] {
                    let shape = Shape {
                        delay_seconds,
                        marker,
                        ..Shape::default()
                    };
                    let expected = nodes + usize::from(marker);
                    assert_eq!(synth(nodes, shape).nodes.len(), expected, "{shape:?}");
                }
            }
        }
    }
}
