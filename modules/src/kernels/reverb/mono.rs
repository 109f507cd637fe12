//! `reverb.mono`: one Freeverb channel, the left one of `reverb.stereo`.
//!
//! Mono Freeverb is the stock reverb of most engines (Faust's `re.mono_freeverb`, scsynth's
//! `FreeVerb`): eight combs and four allpasses. A `reverb.stereo` whose right output goes
//! nowhere still runs its right channel, which is half its cost; this module runs the left
//! channel alone, with the same lines, gains and arithmetic, so its output equals
//! `reverb.stereo`'s left output at width 1 sample for sample (a test checks it).

use super::{Channel, Freeverb, INPUT_GAIN, OFFSET_ROOM, SCALE_DAMP, SCALE_ROOM, STEREO, block};
use crate::KernelInit;
use crate::dsp::simd::{uniform, wide};
use crate::dsp::state::copy_with;
use crate::kernels::limit;
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::{Kernel, MAX_BLOCK};

/// `reverb.mono`: Freeverb, one channel.
pub const MONO: Module = Module::kernel(
ModuleSpec {
    name: "reverb.mono",
    doc: "Freeverb, one channel: 8 damped combs and 4 allpasses (reverb.stereo's left channel at width 1, at half the cost)",
    // `reverb.stereo`'s inputs but its width.
    inputs: STEREO.spec.inputs.split_at(4).0,
    outputs: &[OutputSpec {
        name: "out",
        doc: "dry and wet mixed",
        unit: Unit::Signal,
    }],
    role: Role::Kernel,
},
|init| init.kernel(Mono::new(init)),
)
.memory(|init| Channel::memory_bytes(0, init.sample_rate));

/// `reverb.mono`'s kernel.
#[derive(Debug)]
struct Mono {
    channel: Channel,
    dc_pole: f32,
    /// Room for the block path.
    scratch: Box<block::Scratch>,
}

impl Mono {
    fn new(init: &KernelInit) -> Mono {
        Mono {
            channel: Channel::new(0, init.sample_rate),
            dc_pole: Freeverb::dc_pole(init.sample_rate),
            scratch: block::Scratch::new(),
        }
    }
}

// Where `Mono` finds the ports of `reverb.mono`.
const MONO_IN: usize = port(&MONO.spec, "in");
const MONO_ROOM_SIZE: usize = port(&MONO.spec, "room_size");
const MONO_DAMPING: usize = port(&MONO.spec, "damping");
const MONO_MIX: usize = port(&MONO.spec, "mix");
const MONO_OUT: usize = output(&MONO.spec, "out");

impl Dsp for Mono {
    /// Inputs `[in, room_size, damping, mix]` (signal, then linear 0..1), output `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [x, room, damping, mix] = [
            inputs[MONO_IN],
            inputs[MONO_ROOM_SIZE],
            inputs[MONO_DAMPING],
            inputs[MONO_MIX],
        ];
        let out = &mut *outputs[MONO_OUT];
        let unit = |v: f32| limit(f64::from(v), 0.0, 1.0) as f32;
        if let (Some(room), Some(damping), Some(mix)) =
            (uniform(room), uniform(damping), uniform(mix))
            && x.len() <= self.channel.shortest()
        {
            // Settings that hold still: the block path, the same arithmetic as below.
            let settings = (
                OFFSET_ROOM + SCALE_ROOM * unit(room),
                SCALE_DAMP * unit(damping),
                self.dc_pole,
            );
            let mix = unit(mix);
            let n = x.len();
            let (channel, scratch) = (&mut self.channel, &mut *self.scratch);
            wide(
                #[inline(always)]
                |isa| {
                    let mut input = [0.0_f32; MAX_BLOCK];
                    for (input, &x) in input.iter_mut().zip(x) {
                        *input = if x.is_finite() { x * INPUT_GAIN } else { 0.0 };
                    }
                    let mut wet = [0.0_f32; MAX_BLOCK];
                    let wets = [&mut wet[..n]];
                    block::channels(isa, [channel], scratch, &input[..n], settings, wets);
                    for ((out, &x), &wet) in out.iter_mut().zip(x).zip(&wet) {
                        *out = (1.0 - mix) * x + mix * wet;
                    }
                },
            );
            return;
        }
        for i in 0..out.len() {
            let feedback = OFFSET_ROOM + SCALE_ROOM * unit(room[i]);
            let damp = SCALE_DAMP * unit(damping[i]);
            let mix = unit(mix[i]);
            // A non-finite input is kept out of the loops, where it would stay for good.
            let input = if x[i].is_finite() {
                x[i] * INPUT_GAIN
            } else {
                0.0
            };
            let wet = self.channel.tick(input, feedback, damp, self.dc_pole);
            out[i] = (1.0 - mix) * x[i] + mix * wet;
        }
    }

    fn reset(&mut self) {
        self.channel.clear();
    }

    /// Keeps the tail: every comb's and allpass's most recent samples (as many as both hold,
    /// should the lines' lengths differ) and the filters' states.
    ///
    /// Real-time safe: copies into this kernel's own lines; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| {
            this.channel.take_over(&other.channel);
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::kernels::test_support::{Chunks, Run, constant, kernel, white_noise};

    /// `reverb.mono`'s output and `reverb.stereo`'s left output for input `x`, constant
    /// controls `[room_size, damping, mix]` (the stereo at width 1), in blocks as `chunks`.
    fn both(x: &[f32], controls: [f32; 3], chunks: Chunks) -> (Vec<f32>, Vec<f32>) {
        let len = x.len();
        let [room, damping, mix, width] =
            [controls[0], controls[1], controls[2], 1.0].map(|v| constant(v, len));
        let mono = Run::new(&[x, &room, &damping, &mix], len)
            .chunks(chunks)
            .on_all(kernel("reverb.mono", &[]).as_mut());
        let stereo = Run::new(&[x, &room, &damping, &mix, &width], len)
            .chunks(chunks)
            .on_all(kernel("reverb.stereo", &[]).as_mut());
        (mono[0].clone(), stereo[0].clone())
    }

    #[test]
    fn mono_is_the_stereo_left_channel_at_width_one_whatever_the_blocks() {
        let len = 48_000;
        let noise = white_noise(5, len);
        // Bursts: the tail rings between them.
        let x: Vec<f32> = noise
            .iter()
            .enumerate()
            .map(|(n, &v)| if n % 12_000 < 3_000 { v } else { 0.0 })
            .collect();
        for controls in [[0.5, 0.5, 0.33], [0.9, 0.1, 1.0], [0.0, 1.0, 0.7]] {
            let (mono, left) = both(&x, controls, Chunks::Full);
            let wet_energy: f64 = mono[3_000..12_000]
                .iter()
                .map(|&v| f64::from(v).powi(2))
                .sum();
            println!("{controls:?}: tail energy {wet_energy:.4}");
            assert!(wet_energy > 1e-3, "the reverb rings");
            assert_eq!(mono, left, "{controls:?}");
            for chunks in [Chunks::Random(7), Chunks::Fixed(1), Chunks::Fixed(23)] {
                assert_eq!(
                    both(&x, controls, chunks).0,
                    mono,
                    "{controls:?} {chunks:?}"
                );
            }
        }
    }
}
