//! Bundle time tags as engine times.
//!
//! A bundle whose time tag is immediate or already past plays its events at the next block.
//! One whose tag lies ahead plays them that much later in engine time: the delay from the
//! wall clock at the moment the bundle is handled, in samples, after the engine sample the
//! model of the audio clock ([`AudioClock`](patchvm_engine::AudioClock)) puts at that moment
//! (the latency compensation SuperCollider's clients use). The model's line, not the frames
//! rendered so far, so a tag lands on the same sample whatever the host buffer: the frame
//! count moves a whole buffer at a time, late or early by the host's jitter. Edits in such a
//! bundle are still applied at once: a program cannot wait in the engine for a later sample.
//!
//! rosc's `From<OscTime> for SystemTime` panics for tags before 1970 (the immediate tag
//! among them) and its `Display` goes through it, so tags are compared here as 64-bit NTP
//! fixed-point numbers and never converted that way.

use patchvm_engine::{At, Controller};
use rosc::OscTime;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Tags further ahead than this many seconds are refused, so no event sits for long in the
/// audio half's bounded schedule.
pub const MAX_AHEAD_SECONDS: f64 = 60.0;

/// Seconds from 1900 (the NTP epoch) to 1970 (the Unix epoch).
const UNIX_OFFSET: u64 = 2_208_988_800;

/// The immediate time tag: seconds 0, fraction 1.
pub const IMMEDIATELY: OscTime = OscTime {
    seconds: 0,
    fractional: 1,
};

/// A moment: the calendar clock (which time tags count in) and the monotonic one (which the
/// audio clock's model counts in), read together.
#[derive(Clone, Copy, Debug)]
pub struct Now {
    /// The calendar clock.
    pub wall: SystemTime,
    /// The monotonic clock.
    pub instant: Instant,
}

impl Now {
    /// Both clocks, now.
    pub fn read() -> Now {
        Now {
            wall: SystemTime::now(),
            instant: Instant::now(),
        }
    }
}

/// A moment to map time tags against: the wall clock and the engine time, read together.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Now, as NTP fixed point (seconds since 1900 in the high 32 bits).
    pub(crate) now: u64,
    /// The engine time now, in frames (fractional: a point on the audio clock's line).
    pub(crate) engine_time: f64,
    /// The engine's sample rate.
    pub(crate) sample_rate: f64,
}

impl Clock {
    /// The clock at engine time `engine_time`, reading the wall clock now.
    pub fn new(engine_time: u64, sample_rate: f64) -> Clock {
        Clock {
            now: ntp(SystemTime::now()),
            engine_time: engine_time as f64,
            sample_rate,
        }
    }

    /// The clock at `now`, with the engine time `controller`'s model of the audio clock puts
    /// there.
    pub fn modelled(controller: &Controller, now: Now) -> Clock {
        Clock {
            now: ntp(now.wall),
            engine_time: controller.sample_at(now.instant),
            sample_rate: controller.settings().sample_rate,
        }
    }

    /// When an event in a bundle tagged `tag` takes effect, or why it cannot.
    pub fn at(&self, tag: OscTime) -> Result<At, String> {
        if tag == IMMEDIATELY {
            return Ok(At::Now);
        }
        let tag = (u64::from(tag.seconds) << 32) | u64::from(tag.fractional);
        // Modulo the NTP era (2^32 s, rolling over in 2036): the nearest reading to now.
        let ahead = tag.wrapping_sub(self.now) as i64;
        if ahead <= 0 {
            return Ok(At::Now);
        }
        let seconds = ahead as f64 / 4_294_967_296.0;
        if seconds > MAX_AHEAD_SECONDS {
            return Err(format!(
                "the bundle's time tag is {seconds:.1} s ahead; at most {MAX_AHEAD_SECONDS} s"
            ));
        }
        match (self.engine_time + seconds * self.sample_rate).round() {
            sample if sample <= self.engine_time.round() => Ok(At::Now),
            sample => Ok(At::Sample(sample as u64)),
        }
    }
}

/// `time` as NTP fixed point, modulo the 2^32-second era.
fn ntp(time: SystemTime) -> u64 {
    let since_unix = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = (since_unix.as_secs() + UNIX_OFFSET) & u64::from(u32::MAX);
    let fraction = (u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000;
    (seconds << 32) | fraction
}

/// The time tag `seconds` from now, for clients (and tests) that schedule ahead. Negative
/// and NaN seconds mean now; more than half an NTP era (68 years), which no reader can tell
/// from the past, means half an era.
pub fn time_tag_in(seconds: f64) -> OscTime {
    tag_after(ntp(SystemTime::now()), seconds)
}

/// The time tag of `time`: for clients (and tests) that keep a timeline of their own.
pub fn time_tag_at(time: SystemTime) -> OscTime {
    tag_after(ntp(time), 0.0)
}

/// The time tag `seconds` after `now` (NTP fixed point), modulo the era: in 2036 the
/// seconds roll over to 0.
fn tag_after(now: u64, seconds: f64) -> OscTime {
    const HALF_ERA: f64 = 2_147_483_647.0;
    let ahead = (seconds.clamp(0.0, HALF_ERA) * 4_294_967_296.0) as u64;
    let at = now.wrapping_add(ahead);
    OscTime {
        seconds: (at >> 32) as u32,
        fractional: at as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn future_tags_become_sample_times_and_past_ones_now() {
        let clock = Clock::new(1_000, 48_000.0);
        assert_eq!(clock.at(IMMEDIATELY), Ok(At::Now));
        let now = time_tag_in(0.0);
        assert_eq!(clock.at(now), Ok(At::Now));
        let past = OscTime::from((now.seconds - 10, now.fractional));
        assert_eq!(clock.at(past), Ok(At::Now));
        let At::Sample(at) = clock.at(time_tag_in(0.5)).unwrap() else {
            panic!("a tag half a second ahead is a sample time");
        };
        // Half a second is 24 000 samples; the wall clock moved on a little between the
        // clock's reading and the tag's.
        let ahead = at - 1_000;
        assert!((23_999..=24_100).contains(&ahead), "{ahead} samples ahead");
        assert!(clock.at(time_tag_in(MAX_AHEAD_SECONDS + 1.0)).is_err());
        // Tags are read modulo the 136-year NTP era, nearest to now: 1900 is also 2036.
        assert!(clock.at(OscTime::from((0, 0))).is_err());
    }

    #[test]
    fn tags_ahead_roll_over_the_era_and_any_number_of_seconds_makes_one() {
        // Half a second before the end of the era (7 February 2036).
        let now = u64::MAX - (1 << 31) + 1;
        let tag = tag_after(now, 1.0);
        assert_eq!((tag.seconds, tag.fractional), (0, 1 << 31));
        let clock = Clock {
            now,
            engine_time: 0.0,
            sample_rate: 48_000.0,
        };
        assert_eq!(clock.at(tag), Ok(At::Sample(48_000)));
        for seconds in [f64::INFINITY, 1e30, -1.0, f64::NAN, 3e9] {
            let tag = time_tag_in(seconds);
            let read = Clock::new(0, 48_000.0).at(tag);
            assert!(
                read.is_err() || read == Ok(At::Now),
                "{seconds} s: {read:?}"
            );
        }
    }

    #[test]
    fn any_tag_maps_without_panicking() {
        let clock = Clock::new(0, 48_000.0);
        for tag in [(u32::MAX, u32::MAX), (0, 2), (1 << 31, 0), (u32::MAX, 0)] {
            let _ = clock.at(OscTime::from(tag));
        }
    }
}
