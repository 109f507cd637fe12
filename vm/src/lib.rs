//! patchvm's bytecode and virtual machine.
//!
//! A [`Program`] is a list of [`Instr`]s over registers that each hold one block of up to
//! [`MAX_BLOCK`] samples. [`Executable::new`] verifies a program against the [`Kernel`]s it
//! calls — the only way to make one runnable — and [`Executable::run`] executes it for one
//! block. The VM knows nothing of patches or of any DSP library: kernels come from outside.
//!
//! Real-time contract: [`Executable::run`] does not allocate, lock or block, provided the
//! kernels keep the same promise. Allocation happens in [`Executable::new`].
//!
//! ```
//! use patchvm_vm::{ArgRange, Executable, Instr, Kernel, KernelDecl, KernelIdx, KernelShape, Program, Reg};
//!
//! /// Doubles its input.
//! struct Double;
//! impl Kernel for Double {
//!     fn shape(&self) -> KernelShape {
//!         KernelShape { inputs: 1, outputs: 1, takes_feed: false }
//!     }
//!     fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
//!         for (out, x) in outputs[0].iter_mut().zip(inputs[0]) {
//!             *out = 2.0 * x;
//!         }
//!     }
//!     fn reset(&mut self) {}
//! }
//!
//! let program = Program {
//!     instrs: vec![
//!         Instr::LoadConst { dst: Reg(1), value: 0.25 },
//!         Instr::CallOp { kernel: KernelIdx(0), args: ArgRange { start: 0, inputs: 1, outputs: 1 } },
//!         Instr::WriteOutput { channel: 0, src: Reg(2) },
//!     ],
//!     args: vec![Reg(1), Reg(2)],
//!     registers: 3,
//!     kernels: vec![KernelDecl { name: "double".into(), shape: Double.shape() }],
//!     channels: 1,
//!     inputs: 0,
//!     params: vec![],
//!     param_regs: vec![],
//!     ..Program::default()
//! };
//! let mut vm = Executable::new(program, vec![Box::new(Double)]).unwrap();
//! vm.run(64);
//! assert!(vm.output(0).iter().all(|&x| x == 0.5));
//! ```
#![deny(missing_docs)]
// RealtimeSanitizer (CI builds with `-Zsanitizer=realtime --cfg rtsan`) checks the audio entry
// points marked `sanitize(realtime = "nonblocking")`.
#![cfg_attr(rtsan, feature(sanitize))]

pub mod audio;
mod block;
pub mod channels;
pub mod clip_event;
pub mod cpu;
mod denormals;
mod fault;
mod index;
mod kernel;
pub mod live;
mod machine;
mod op;
mod param;
mod program;
mod shared;
pub mod sink;
pub mod time;
mod verify;

pub use clip_event::{ClipEvent, ClipHappened, clip_key};
pub use denormals::FlushDenormals;
pub use fault::{Fault, KernelId};
pub use index::{ArgRange, KernelIdx, ParamIdx, Reg, RegList};
pub use kernel::{Kernel, KernelShape, MAX_BLOCK, MAX_LANE_ARGS, MAX_LANES, MAX_PORTS};
pub use machine::Executable;
pub use op::{Access, Instr};
pub use program::{KernelDecl, Program};
pub use shared::{KernelRef, SharedKernel};
pub use sink::{Message, SinkDecl, SinkEvent, SinkKind, SinkMemory};
pub use time::{Beats, Quantize, TempoMap, Transport, TransportCommand, TransportState};
pub use verify::{VerifyError, verify};
