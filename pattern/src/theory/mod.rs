//! Music theory for patterns: [`Scale`]s and [`Chord`]s named as Strudel names them,
//! [`euclid`]ean rhythms, the [`Arp`]eggiator and the [`Groove`] (swing and humanise).
//!
//! Reading a name ([`Scale::parse`], [`Chord::parse`]) allocates and reports a
//! [`TheoryError`] at the bytes that are wrong; everything a kernel calls while playing
//! (degrees, chord notes, rhythms, arpeggio steps, groove maps) is allocation-free, and every
//! random choice is a hash of a seed and a position, so the same patch plays the same notes
//! whatever the host's buffer sizes.
//!
//! ```
//! use patchvm_pattern::theory::{Chord, Scale, euclid};
//!
//! let dorian = Scale::parse("d dorian").unwrap();
//! assert_eq!(dorian.degree(2), 53.0); // F3
//! let am7: Vec<f64> = Chord::parse("Am7").unwrap().notes(3).collect();
//! assert_eq!(am7, [57.0, 60.0, 64.0, 67.0]);
//! let tresillo = euclid(3, 8, 0);
//! assert!(tresillo.is_onset(3) && !tresillo.is_onset(4));
//! ```

mod arp;
mod chord;
mod error;
mod euclid;
mod groove;
mod hash;
mod note;
mod scale;

pub use arp::{Arp, ArpMode, MAX_OCTAVES};
pub use chord::{Chord, symbols as chord_symbols};
pub use error::TheoryError;
pub use euclid::{Euclid, MAX_STEPS, euclid};
pub use groove::{Groove, Humanise, Swing};
pub use scale::{Scale, names as scale_names};
