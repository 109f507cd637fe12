//! Live MIDI input on the audio clock: a port's timestamps (midir's microseconds, from an
//! origin of the port's) become engine samples through the engine's model of its audio clock
//! ([`AudioClock`]), so notes keep the timing they were played with instead of jittering by a
//! host buffer. Each message plays a constant delay after it arrived: the most the audio's
//! rendering runs ahead of the model's line ([`AudioClock::lead`]: a buffer, and what bursts
//! and jitter add) plus [`HANDLING_SECONDS`] for the thread that hands it on.

use patchvm_engine::{At, AudioClock};
use std::time::{Duration, Instant};

/// Room for the time between a message's arrival and its reaching the engine (the feed
/// thread waking, the controller's lock): a message handled later than this is late, and
/// plays at the next block.
pub const HANDLING_SECONDS: f64 = 0.002;

/// If a port's clock falls behind the system's by more than this (the port reopened, its
/// origin moved), the mapping starts again.
const RESET_SECONDS: f64 = 1.0;

/// Maps a port's timestamps to instants, then to engine samples.
#[derive(Debug, Default)]
pub struct PortTimer {
    /// The first arrival: what offsets count from.
    reference: Option<Instant>,
    /// The smallest arrival less timestamp seen, in nanoseconds after `reference`: the
    /// port's origin, since a message arrives after its stamp, never before.
    origin_ns: Option<i128>,
}

impl PortTimer {
    /// A timer that has seen no message.
    pub fn new() -> PortTimer {
        PortTimer::default()
    }

    /// When a message the port stamped `micros`, which arrived at `arrived`, takes effect:
    /// its stamp's sample on `clock`'s line, plus the lead and the handling time; at the
    /// next block while the clock has not locked (no audio yet, or rendering faster than
    /// real time).
    pub fn at(
        &mut self,
        micros: u64,
        arrived: Instant,
        clock: &AudioClock,
        sample_rate: f64,
    ) -> At {
        let stamp = self.instant(micros, arrived);
        match (clock.sample_at(stamp), clock.lead()) {
            (Some(sample), Some(lead)) => {
                let at = sample + lead + HANDLING_SECONDS * sample_rate;
                At::Sample(at.round().max(0.0) as u64)
            }
            _ => At::Now,
        }
    }

    /// The instant on the system's clock of the port's `micros`, learning the port's origin
    /// from `arrived`.
    fn instant(&mut self, micros: u64, arrived: Instant) -> Instant {
        let reference = *self.reference.get_or_insert(arrived);
        let since = i128::try_from((arrived - reference).as_nanos()).unwrap_or(i128::MAX);
        let candidate = since - i128::from(micros) * 1_000;
        let origin = match self.origin_ns {
            Some(origin)
                if candidate >= origin && candidate - origin <= (RESET_SECONDS * 1e9) as i128 =>
            {
                origin
            }
            _ => candidate,
        };
        self.origin_ns = Some(origin);
        let at_ns = origin + i128::from(micros) * 1_000;
        let magnitude =
            Duration::from_nanos(u64::try_from(at_ns.unsigned_abs()).unwrap_or(u64::MAX));
        match at_ns >= 0 {
            true => reference + magnitude,
            false => reference.checked_sub(magnitude).unwrap_or(reference),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 48_000.0;
    /// The device's clock runs this much fast against the system's.
    const DRIFT: f64 = 30e-6;

    /// SplitMix64, uniform in `0..1`: the same jitter on every machine.
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Plays a message every 37 ms from 1 s to 3.5 s into a host calling back every `buffer`
    /// frames, late by up to 2 ms; each message arrives up to 0.5 ms after its stamp and is
    /// handled up to 1 ms after that. For each: its sample less the device's sample at its
    /// stamp, and whether it was already rendered when handled.
    fn played(buffer: u64, seed: u64) -> Vec<(f64, bool)> {
        let start = Instant::now();
        let at = |seconds: f64| start + Duration::from_secs_f64(seconds);
        let clock = AudioClock::manual(RATE);
        let mut timer = PortTimer::new();
        let mut noise = Noise(seed);
        let call_at = |k: u64, noise: &mut Noise| {
            (k * buffer) as f64 / (RATE * (1.0 + DRIFT)) + 0.002 * noise.next()
        };
        // Each message: its stamp, its arrival, and when it is handed to the engine.
        let mut messages = Vec::new();
        let mut stamp = 1.0;
        while stamp < 3.5 {
            let arrived = stamp + 0.000_5 * noise.next();
            messages.push((stamp, arrived, arrived + 0.001 * noise.next()));
            stamp += 0.037;
        }
        let mut messages = messages.into_iter().peekable();
        let mut out = Vec::new();
        let mut this_call = call_at(0, &mut noise);
        for k in 0..(4.0 * RATE) as u64 / buffer {
            clock.observe(k * buffer, buffer, at(this_call));
            // The frames rendered once this call returns.
            let rendered = (k + 1) * buffer;
            let next_call = call_at(k + 1, &mut noise).max(this_call);
            while let Some(&(stamp, arrived, _)) = messages.peek().filter(|m| m.2 < next_call) {
                messages.next();
                // The port's clock starts 7 s before the system's instant `start`.
                let micros = ((stamp + 7.0) * 1e6).round() as u64;
                let At::Sample(sample) = timer.at(micros, at(arrived), &clock, RATE) else {
                    panic!("the clock has locked by 1 s");
                };
                let device = stamp * RATE * (1.0 + DRIFT);
                out.push((sample as f64 - device, sample < rendered));
            }
            this_call = next_call;
        }
        out
    }

    #[test]
    fn messages_keep_their_timing_within_a_millisecond_whatever_the_buffer() {
        for (buffer, seed) in [(64, 1), (256, 2), (1_024, 3)] {
            let played = played(buffer, seed);
            assert!(played.len() > 60, "{} messages", played.len());
            assert!(
                played.iter().all(|&(_, late)| !late),
                "{buffer}: a late message"
            );
            let low = played.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
            let high = played.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
            // The delay is a buffer and a little more: the price of never being late.
            assert!(
                low > buffer as f64 && high < buffer as f64 + 0.01 * RATE,
                "{buffer}: {low}..{high}"
            );
            assert!(high - low < 0.001 * RATE, "{buffer}: spread {}", high - low);
        }
    }

    #[test]
    fn without_a_locked_clock_messages_play_at_once_and_a_port_restart_is_followed() {
        let start = Instant::now();
        let clock = AudioClock::manual(RATE);
        let mut timer = PortTimer::new();
        assert_eq!(timer.at(5_000, start, &clock, RATE), At::Now);
        // The port's origin is learnt from the earliest arrival less its stamp.
        let late = start + Duration::from_millis(3);
        assert_eq!(timer.instant(6_000, late), start + Duration::from_millis(1));
        // A port whose clock started again from near zero starts the mapping again.
        let again = start + Duration::from_secs(2);
        assert_eq!(timer.instant(1_000, again), again);
    }
}
