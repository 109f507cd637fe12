//! Musical time: where each block lies on the transport's beat line ([`Beats`]), the tempo
//! map that turns beats into time ([`TempoMap`]), the [`Transport`] that plays, stops, seeks
//! and loops over it, the grid a held swap waits for ([`Quantize`]), and the ways a tempo
//! comes from or goes to the world: MIDI clock out ([`ClockOut`]) and in
//! ([`ClockFollow`]), and tap tempo ([`TapTempo`]).
//!
//! The audio half owns the transport and decides the beat position of every sample; the
//! machine only passes it on, one block at a time, to the kernels that follow the beat
//! ([`Kernel::process_at`](crate::Kernel::process_at)).

mod beats;
mod clock_follow;
mod clock_message;
mod clock_out;
mod quantize;
mod tap;
mod tempo_map;
mod transport;

pub use beats::Beats;
pub use clock_follow::{ClockFollow, FollowCommand};
pub use clock_message::{ClockMessage, TICKS_PER_BEAT};
pub use clock_out::ClockOut;
pub use quantize::Quantize;
pub use tap::TapTempo;
pub use tempo_map::{Segment, TempoError, TempoMap, TempoPoint, TempoShape};
pub use transport::{Transport, TransportCommand, TransportState};
