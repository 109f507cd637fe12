//! Musical time as the VM hands it to kernels: where each block lies on the transport's beat
//! line ([`Beats`]).
//!
//! The host's transport (tempo map, play, stop, seek, loop) decides the beat position of every
//! sample; the machine only passes it on, one block at a time, to the kernels that follow the
//! beat ([`Kernel::process_at`](crate::Kernel::process_at)).

mod beats;

pub use beats::Beats;
