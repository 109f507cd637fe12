//! patchvm's musical patterns as values.
//!
//! A pattern is a function of musical time: queried over a span of cycles, it answers the
//! events that fall in it, in exact rational time. This crate holds the pattern languages
//! and the musical theory the pattern modules read; it depends on no other patchvm crate and
//! does no I/O. Parsing allocates; querying a parsed pattern into a caller's buffer does not.
#![deny(missing_docs)]

pub mod theory;
