//! Probes: chosen node outputs of the program playing, published after each block for the
//! control side to read without disturbing the audio. The control side allocates a
//! [`ProbeBoard`] (a fixed array of cells of atomics) once and hands each program a
//! [`ProbeTap`]: the board and a list of (register, cell) pairs. After each block the audio
//! half copies, for each pair, the register's last sample and its peak into the cell: a few
//! atomic stores, no allocation, lock or system call.

use crate::index::Reg;
use crate::machine::Executable;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU32, AtomicU64, fence};

/// How many cells a board has: the engine's mix ([`OUTPUT_PROBE`]) and up to 63 node
/// outputs probed at once.
pub const MAX_PROBES: usize = 64;

/// The cell the audio half publishes its mix into
/// ([`AudioHalf::probe_output`](crate::live::AudioHalf::probe_output)); node probes take the
/// others.
pub const OUTPUT_PROBE: usize = 0;

/// One probed output's last block, as the audio half published it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProbeReading {
    /// The output's last sample of the block: the value a meter or a control follows.
    pub value: f32,
    /// The largest magnitude (`|x|`) among the block's samples.
    pub peak: f32,
    /// The engine time just after the block: its last sample is at `end - 1`.
    pub end: u64,
    /// Blocks published into this cell since the board was made.
    pub blocks: u64,
}

/// One cell: a sequence lock over one reading, and the peak held since the control side last
/// took it.
#[derive(Debug, Default)]
struct Cell {
    sequence: AtomicU64,
    value: AtomicU32,
    peak: AtomicU32,
    end: AtomicU64,
    /// The largest `|x|` since the last [`ProbeBoard::take_peak`], as `f32` bits: for
    /// non-negative floats the bits order as the values, so `fetch_max` keeps the larger.
    held: AtomicU32,
}

/// The cells probes are published into, shared by the control side and the programs' taps.
#[derive(Debug)]
pub struct ProbeBoard {
    cells: Box<[Cell]>,
}

impl Default for ProbeBoard {
    fn default() -> ProbeBoard {
        ProbeBoard {
            cells: (0..MAX_PROBES).map(|_| Cell::default()).collect(),
        }
    }
}

impl ProbeBoard {
    /// Publishes `samples`, one block of an output ending at engine time `end`, into cell
    /// `cell` (ignored when out of range or empty).
    ///
    /// Real-time safe: does not allocate, lock or block (a handful of atomic stores).
    pub fn publish(&self, cell: usize, samples: &[f32], end: u64) {
        let (Some(cell), Some(&value)) = (self.cells.get(cell), samples.last()) else {
            return;
        };
        let peak = samples.iter().fold(0.0_f32, |peak, x| peak.max(x.abs()));
        let sequence = cell.sequence.load(Relaxed);
        cell.sequence.store(sequence.wrapping_add(1), Relaxed);
        fence(Release);
        cell.value.store(value.to_bits(), Relaxed);
        cell.peak.store(peak.to_bits(), Relaxed);
        cell.end.store(end, Relaxed);
        cell.sequence.store(sequence.wrapping_add(2), Release);
        cell.held.fetch_max(peak.to_bits(), Relaxed);
    }

    /// The last reading of cell `cell`; `None` before its first block (or out of range).
    /// Retries while the audio side writes, never making it wait.
    pub fn read(&self, cell: usize) -> Option<ProbeReading> {
        let cell = self.cells.get(cell)?;
        let mut tries = 0u32;
        loop {
            let before = cell.sequence.load(Acquire);
            let value = f32::from_bits(cell.value.load(Relaxed));
            let peak = f32::from_bits(cell.peak.load(Relaxed));
            let end = cell.end.load(Relaxed);
            fence(Acquire);
            let after = cell.sequence.load(Relaxed);
            if before == after && before.is_multiple_of(2) {
                return (before > 0).then_some(ProbeReading {
                    value,
                    peak,
                    end,
                    blocks: before / 2,
                });
            }
            tries += 1;
            match tries < 64 {
                true => std::hint::spin_loop(),
                false => std::thread::yield_now(),
            }
        }
    }

    /// The largest magnitude cell `cell` saw since the last call (0 if none): a meter's peak
    /// over its refresh, however many blocks passed.
    pub fn take_peak(&self, cell: usize) -> f32 {
        self.cells
            .get(cell)
            .map_or(0.0, |cell| f32::from_bits(cell.held.swap(0, Relaxed)))
    }

    /// Forgets cell `cell`'s readings, for a new subscriber: [`read`](ProbeBoard::read) is
    /// `None` until the next block publishes into it. Call it only while no program's tap
    /// names the cell.
    pub fn clear(&self, cell: usize) {
        if let Some(cell) = self.cells.get(cell) {
            cell.sequence.store(0, Release);
            cell.held.store(0, Relaxed);
        }
    }
}

/// What a program publishes after each block: the board and, for each probed output, the
/// register holding it and its cell. Built on the control side with the program.
#[derive(Clone, Debug, Default)]
pub struct ProbeTap {
    /// The board the cells are in; `None`: nothing probed.
    pub board: Option<Arc<ProbeBoard>>,
    /// `(register, cell)` pairs.
    pub taps: Vec<(Reg, u16)>,
}

impl ProbeTap {
    /// Publishes each tapped register's last block of `executable`, which ended at engine
    /// time `end`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn publish(&self, executable: &Executable, end: u64) {
        let Some(board) = &self.board else {
            return;
        };
        for &(reg, cell) in &self.taps {
            if let Some(samples) = executable.register(reg) {
                board.publish(usize::from(cell), samples, end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_reads_the_last_sample_the_block_peak_and_the_peak_held_since_taken() {
        let board = ProbeBoard::default();
        assert_eq!(board.read(3), None);
        board.publish(3, &[0.5, -0.75, 0.25], 3);
        board.publish(3, &[0.125, -0.25], 5);
        assert_eq!(
            board.read(3),
            Some(ProbeReading {
                value: -0.25,
                peak: 0.25,
                end: 5,
                blocks: 2
            })
        );
        assert_eq!(board.take_peak(3), 0.75, "held over both blocks");
        assert_eq!(board.take_peak(3), 0.0, "taken");
        board.clear(3);
        assert_eq!(board.read(3), None);
        assert_eq!(board.read(MAX_PROBES), None);
        board.publish(MAX_PROBES, &[1.0], 1);
    }
}
