//! Built with RealtimeSanitizer only (`.ci/run`: `-Zsanitizer=realtime --cfg rtsan`): the
//! marks on the vm's audio entry points work, so a kernel that allocates is caught inside
//! `Executable::run` and inside the audio half's `process`.

use crate::common;
use patchvm_vm::live::{LinkSettings, Loaded, Takeover, link};
use patchvm_vm::{Executable, Kernel, KernelShape};

/// A kernel that allocates while processing, as a bug would.
struct Allocates;

impl Kernel for Allocates {
    fn shape(&self) -> KernelShape {
        common::SOURCE
    }

    fn process(&mut self, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let scratch = std::hint::black_box(vec![0.5_f32; outputs[0].len()]);
        outputs[0].copy_from_slice(&scratch);
    }

    fn reset(&mut self) {}
}

fn executable() -> Executable {
    Executable::new(common::one_kernel("allocates"), vec![Box::new(Allocates)]).unwrap()
}

#[test]
fn an_allocating_kernel_is_caught_in_run() {
    let probe = || executable().run(64);
    patchvm_rtcheck::assert_child_dies(
        module_path!(),
        "an_allocating_kernel_is_caught_in_run",
        probe,
        "real-time unsafe function `malloc`",
    );
}

#[test]
fn an_allocating_kernel_is_caught_in_the_audio_half() {
    let probe = || {
        let (mut remote, mut audio) = link(LinkSettings::default());
        let loaded = Box::new(Loaded {
            executable: executable(),
            keys: vec![],
            generation: 1,
            takeover: Takeover::Changed {
                copied: vec![],
                params: vec![],
                glide: Vec::new(),
            },
            fade: 64,
            then: None,
            tail: None,
            quantize: None,
            probes: Default::default(),
        });
        assert!(remote.publish(loaded).is_ok());
        let mut output = [0.0_f32; 128];
        audio.process(&mut output);
    };
    patchvm_rtcheck::assert_child_dies(
        module_path!(),
        "an_allocating_kernel_is_caught_in_the_audio_half",
        probe,
        "real-time unsafe function `malloc`",
    );
}
