//! `patchvm render --stats`: what a patch costs, on stderr.

use patchvm::engine::load::BlockLoads;
use patchvm::vm::{MAX_BLOCK, Program};
use std::time::Duration;

/// What a render measured, for [`print`].
pub struct RenderStats<'a> {
    /// Seconds of audio rendered.
    pub audio_seconds: f64,
    /// Wall-clock time of the render, writing the file included.
    pub wall: Duration,
    /// The load of every block.
    pub loads: &'a BlockLoads,
    /// Nodes in the patch with its voice template expanded: the nodes compiled.
    pub nodes: usize,
    /// The compiled program.
    pub program: &'a Program,
    /// Reading the file.
    pub read: Duration,
    /// From the patch read to the verified program with its kernels built.
    pub compile: Duration,
}

/// Prints the real-time factor, the DSP load per block, the program's size and the compile
/// time, one `stats:` line each.
pub fn print(stats: &RenderStats) {
    let wall = stats.wall.as_secs_f64();
    eprintln!(
        "stats: {:.3} s of audio in {wall:.6} s of wall time: {:.1}x real time",
        stats.audio_seconds,
        stats.audio_seconds / wall.max(1e-9),
    );
    let percent = |load: f64| format!("{:.2}%", 100.0 * load);
    eprintln!(
        "stats: DSP load per block of {MAX_BLOCK} frames: mean {}, p50 {}, p99 {}, max {} over {} blocks ({:.6} s computing: {:.1}x real time)",
        percent(stats.loads.mean()),
        percent(stats.loads.percentile(0.5)),
        percent(stats.loads.percentile(0.99)),
        percent(stats.loads.max()),
        stats.loads.blocks(),
        stats.loads.busy().as_secs_f64(),
        1.0 / stats.loads.mean().max(1e-12),
    );
    let program = stats.program;
    eprintln!(
        "stats: {} nodes: {} kernels, {} instructions, {} registers, {} parameter slots",
        stats.nodes,
        program.kernels.len(),
        program.instrs.len(),
        program.registers,
        program.params.len(),
    );
    eprintln!(
        "stats: read in {:.3} ms, compiled to a verified program with its kernels in {:.3} ms",
        stats.read.as_secs_f64() * 1e3,
        stats.compile.as_secs_f64() * 1e3,
    );
}
