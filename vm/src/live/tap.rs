//! Recording taps: the audio half's end of a recording. A [`Tap`] is built on the control side
//! (its ring allocated there), sent to the audio half through a command queue like a program,
//! fed whole frames after every block, and sent back when the recording stops, so the audio
//! thread never allocates or frees one.

use crate::channels::mapped_sample;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

/// Recordings that can run at once on one engine.
pub const MAX_TAPS: usize = 16;

/// What a tap copies after each block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TapSource {
    /// The engine's output as the host receives it (after hush and limiter).
    Output,
    /// The host's input, as the patch's `input` nodes read it.
    Input,
}

/// What a tap and the control side both count, in frames.
#[derive(Debug, Default)]
pub struct TapCounters {
    /// Frames pushed into the ring.
    written: AtomicU64,
    /// Frames lost because the ring had no room for them (the writer fell behind).
    lost: AtomicU64,
}

impl TapCounters {
    /// Frames pushed into the ring so far.
    pub fn written(&self) -> u64 {
        self.written.load(Relaxed)
    }

    /// Frames lost so far because the ring was full.
    pub fn lost(&self) -> u64 {
        self.lost.load(Relaxed)
    }
}

/// One recording's audio-thread end: what it copies and the ring it copies into.
#[derive(Debug)]
pub struct Tap {
    source: TapSource,
    channels: usize,
    ring: rtrb::Producer<f32>,
    counters: Arc<TapCounters>,
}

impl Tap {
    /// A tap of `source` with `channels` channels (1 or 2) pushing interleaved frames into
    /// `ring`; `counters` are shared with the control side.
    pub fn new(
        source: TapSource,
        channels: usize,
        ring: rtrb::Producer<f32>,
        counters: Arc<TapCounters>,
    ) -> Tap {
        Tap {
            source,
            channels: channels.clamp(1, 2),
            ring,
            counters,
        }
    }

    /// Copies one block: `output` (interleaved frames of `output_channels`) or the host's
    /// `input` frames `first_frame..` (interleaved, `input_channels` each; missing ones
    /// silent), by [`mapped_sample`]'s channel mapping. A block the ring has no room for is
    /// lost whole and counted.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn block(&mut self, output: &[f32], output_channels: usize, input: BlockInput) {
        let frames = output.len() / output_channels.max(1);
        let wanted = frames * self.channels;
        let Ok(chunk) = self.ring.write_chunk_uninit(wanted) else {
            self.counters.lost.fetch_add(frames as u64, Relaxed);
            return;
        };
        let (channels, source) = (self.channels, self.source);
        let samples = (0..frames).flat_map(|i| {
            (0..channels).map(move |channel| match source {
                TapSource::Output => mapped_sample(output_channels, channels, channel, |c| {
                    output[i * output_channels + c]
                }),
                TapSource::Input => input.sample(i, channels, channel),
            })
        });
        chunk.fill_from_iter(samples);
        self.counters.written.fetch_add(frames as u64, Relaxed);
    }
}

/// The host's input for one block, as a tap reads it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockInput<'a> {
    pub(crate) samples: &'a [f32],
    pub(crate) channels: usize,
    pub(crate) first_frame: usize,
}

impl BlockInput<'_> {
    /// Frame `i` of the block on `channel` of `channels`, 0 where the host gave nothing.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn sample(&self, i: usize, channels: usize, channel: usize) -> f32 {
        if self.channels == 0 {
            return 0.0;
        }
        let at = (self.first_frame + i) * self.channels;
        mapped_sample(self.channels, channels, channel, |c| {
            self.samples.get(at + c).copied().unwrap_or(0.0)
        })
    }
}

/// What the control side asks of the audio half's taps.
#[derive(Debug)]
pub enum TapCommand {
    /// Start feeding `tap` in slot `slot` (`0..MAX_TAPS`, free) from the next block.
    Start {
        /// The slot, which the control side keeps free until the tap comes back.
        slot: usize,
        /// The tap.
        tap: Box<Tap>,
    },
    /// Stop the tap in slot `slot` and send it back.
    Stop {
        /// The slot.
        slot: usize,
    },
}

/// What the audio half answers.
#[derive(Debug)]
pub enum TapReport {
    /// The tap in `slot` gets its first frame at engine sample `time`.
    Started {
        /// The slot.
        slot: usize,
        /// The engine sample of its first frame.
        time: u64,
    },
    /// The tap in `slot` got its last frame before engine sample `time`; here it is back,
    /// to be freed on the control side.
    Stopped {
        /// The slot.
        slot: usize,
        /// The engine sample after its last frame.
        time: u64,
        /// The tap.
        tap: Box<Tap>,
    },
}

/// The audio half's taps and their command queues.
#[derive(Debug)]
pub struct Taps {
    commands: rtrb::Consumer<TapCommand>,
    reports: rtrb::Producer<TapReport>,
    slots: [Option<Box<Tap>>; MAX_TAPS],
}

/// The control side's end of the tap queues.
#[derive(Debug)]
pub struct TapRemote {
    /// Commands to the audio half.
    pub commands: rtrb::Producer<TapCommand>,
    /// Its answers.
    pub reports: rtrb::Consumer<TapReport>,
}

/// The audio half's taps (give them to
/// [`AudioHalf::record_with`](crate::live::AudioHalf::record_with)) and the control side's
/// end. The report queue has room for two answers per command, so the audio half never waits
/// or drops a tap.
pub fn tap_link() -> (Taps, TapRemote) {
    let (commands, commands_rx) = rtrb::RingBuffer::new(MAX_TAPS);
    let (reports_tx, reports) = rtrb::RingBuffer::new(2 * MAX_TAPS + 2);
    let taps = Taps {
        commands: commands_rx,
        reports: reports_tx,
        slots: Default::default(),
    };
    (taps, TapRemote { commands, reports })
}

impl Taps {
    /// Carries out the commands waiting, as long as the report queue has room, at engine
    /// sample `time`. A start into a busy slot or a stop of an empty one is ignored (the
    /// control side never sends one).
    ///
    /// Real-time safe: moves boxes; does not allocate, free, lock or block.
    pub(crate) fn receive(&mut self, time: u64) {
        while self.reports.slots() >= 1 {
            let Ok(command) = self.commands.pop() else {
                break;
            };
            match command {
                TapCommand::Start { slot, tap } => {
                    if let Some(free @ None) = self.slots.get_mut(slot) {
                        *free = Some(tap);
                        let _ = self.reports.push(TapReport::Started { slot, time });
                    } else {
                        // Cannot happen: the control side keeps slots; sent back unused.
                        let _ = self.reports.push(TapReport::Stopped { slot, time, tap });
                    }
                }
                TapCommand::Stop { slot } => {
                    if let Some(tap) = self.slots.get_mut(slot).and_then(Option::take) {
                        let _ = self.reports.push(TapReport::Stopped { slot, time, tap });
                    }
                }
            }
        }
    }

    /// Feeds every running tap one block (see [`Tap::block`]).
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn block(&mut self, output: &[f32], output_channels: usize, input: BlockInput) {
        for tap in self.slots.iter_mut().flatten() {
            tap.block(output, output_channels, input);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_the_ring_has_no_room_for_is_lost_whole_and_counted() {
        // Room for 100 stereo frames: one block of 64 fits, the next does not.
        let (producer, mut ring) = rtrb::RingBuffer::new(200);
        let counters = Arc::new(TapCounters::default());
        let mut tap = Tap::new(TapSource::Output, 2, producer, Arc::clone(&counters));
        let block: Vec<f32> = (0..128).map(|i| i as f32).collect();
        let none = BlockInput {
            samples: &[],
            channels: 0,
            first_frame: 0,
        };
        tap.block(&block, 2, none);
        tap.block(&block, 2, none);
        assert_eq!((counters.written(), counters.lost()), (64, 64));
        let read = ring.read_chunk(ring.slots()).unwrap();
        assert_eq!(read.as_slices().0, &block[..]);
        read.commit_all();
        // Drained, the ring takes the next block whole.
        tap.block(&block, 2, none);
        assert_eq!((counters.written(), counters.lost()), (128, 64));
    }

    #[test]
    fn a_mono_output_fills_both_channels_and_the_input_maps_like_the_output() {
        let (producer, mut ring) = rtrb::RingBuffer::new(64);
        let counters = Arc::new(TapCounters::default());
        let mut tap = Tap::new(TapSource::Output, 2, producer, Arc::clone(&counters));
        tap.block(
            &[0.5, -0.5],
            1,
            BlockInput {
                samples: &[],
                channels: 0,
                first_frame: 0,
            },
        );
        let (producer, mut input_ring) = rtrb::RingBuffer::new(64);
        let mut input_tap = Tap::new(TapSource::Input, 1, producer, counters);
        // Frames 1 and 2 of a stereo input, summed to mono as the output mapping does.
        let input = [9.0, 9.0, 0.25, 0.75, 1.0, 0.0];
        input_tap.block(
            &[0.0, 0.0],
            1,
            BlockInput {
                samples: &input,
                channels: 2,
                first_frame: 1,
            },
        );
        let taken = |ring: &mut rtrb::Consumer<f32>| {
            let chunk = ring.read_chunk(ring.slots()).unwrap();
            let values = chunk.as_slices().0.to_vec();
            chunk.commit_all();
            values
        };
        assert_eq!(taken(&mut ring), [0.5, 0.5, -0.5, -0.5]);
        assert_eq!(taken(&mut input_ring), [0.5, 0.5]);
    }
}
