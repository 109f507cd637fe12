//! Musical time: where each block lies on the transport's beat line ([`Beats`]), the tempo
//! map that turns beats into time ([`TempoMap`]), the [`Transport`] that plays, stops, seeks
//! and loops over it, and the grid a held swap waits for ([`Quantize`]).
//!
//! The audio half owns the transport and decides the beat position of every sample; the
//! machine only passes it on, one block at a time, to the kernels that follow the beat
//! ([`Kernel::process_at`](crate::Kernel::process_at)).

mod beats;
mod quantize;
mod tempo_map;
mod transport;

pub use beats::Beats;
pub use quantize::Quantize;
pub use tempo_map::{Segment, TempoError, TempoMap, TempoPoint, TempoShape};
pub use transport::{Transport, TransportCommand, TransportState};
