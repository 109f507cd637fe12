//! Tempo from outside: tap tempo and following an external MIDI clock, on the
//! [`Controller`].

use super::At;
use super::controller::Controller;
use super::error::EngineError;
use patchvm_vm::time::{ClockFollow, ClockMessage, TapTempo, TransportCommand};

/// The tempo a clock is expected at when the patch names none: the transport's default.
const DEFAULT_BPM: f64 = 120.0;

/// What the controller keeps to take a tempo from outside.
#[derive(Debug, Default)]
pub(crate) struct TempoSync {
    tap: TapTempo,
    /// Made at the first clock message.
    follow: Option<ClockFollow>,
}

impl Controller {
    /// A tap of tap tempo at `at` (the engine's time now for [`At::Now`]): once two taps are
    /// in, the tempo of the median interval between the last eight (see [`TapTempo`]) is sent
    /// as a transport tempo change waiting for the next beat, and returned. A pause of more
    /// than two seconds starts a new series.
    pub fn tap(&mut self, at: At) -> Result<Option<f64>, EngineError> {
        let sample = match at {
            At::Now => self.time(),
            At::Sample(sample) => sample,
        };
        let seconds = sample as f64 / self.settings().sample_rate;
        let Some(bpm) = self.tempo_sync.tap.tap(seconds) else {
            return Ok(None);
        };
        let tempo = TransportCommand::Tempo {
            bpm,
            next_beat: true,
        };
        Ok(self.transport(tempo, At::Now)?.then_some(bpm))
    }

    /// Follows an external MIDI clock: takes one of its messages (timing clock, start, stop,
    /// continue, song position pointer), which arrived at `at` (the engine's time now for
    /// [`At::Now`]), and sends the transport the commands the phase-locked loop asks for (see
    /// [`ClockFollow`]): start and continue play from the clock's position on its next
    /// tick, stop stops, and between them only the tempo changes, so the beat position never
    /// jumps. Returns whether `message` was a clock message; anything else is left alone (for
    /// [`midi`](Controller::midi)).
    ///
    /// Commands are stamped with the message's sample, or, for a message handed over after
    /// the audio half passed it, with the engine's time now, where they land (within a
    /// block); the loop reckons with where they land.
    pub fn clock_in(&mut self, message: &[u8], at: At) -> Result<bool, EngineError> {
        let Some(message) = ClockMessage::parse(message) else {
            return Ok(false);
        };
        let now = self.time();
        let sample = match at {
            At::Now => now,
            At::Sample(sample) => sample,
        };
        let rate = self.settings().sample_rate;
        // The patch's tempo is the best guess of the clock's before its ticks say.
        let bpm = self
            .patch()
            .and_then(|patch| patch.transport.as_ref())
            .map_or(DEFAULT_BPM, |transport| transport.bpm);
        let follow = self
            .tempo_sync
            .follow
            .get_or_insert_with(|| ClockFollow::new(rate, bpm));
        let mut commands = Vec::new();
        follow.message(message, sample as f64, now, &mut commands);
        for command in commands {
            self.transport(command.command, At::Sample(command.at))?;
        }
        Ok(true)
    }

    /// The clock follower, once a clock message arrived: its estimated tempo, phase error,
    /// and whether it is locked.
    pub fn clock_follow(&self) -> Option<&ClockFollow> {
        self.tempo_sync.follow.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use crate::{At, AudioHalf, Controller, Engine, EngineSettings};
    use patchvm_vm::time::Segment;

    const RATE: f64 = 48_000.0;

    fn engine() -> (Controller, AudioHalf) {
        let settings = EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        };
        Engine::new(settings, Default::default())
    }

    fn play(audio: &mut AudioHalf, frames: usize) {
        let mut buffer = vec![0.0; frames];
        audio.process(&mut buffer);
    }

    #[test]
    fn taps_set_the_tempo_at_the_next_beat() {
        // Idle at 120 BPM; taps 2/3 s apart (32 000 samples) ask for 90 BPM. Sent at sample
        // 30 000 (beat 1.25), it starts at beat 2 (sample 48 000): beat 3 is 32 000 samples on.
        let (mut controller, mut audio) = engine();
        play(&mut audio, 30_000);
        assert_eq!(controller.tap(At::Sample(0)).unwrap(), None);
        assert_eq!(controller.tap(At::Sample(32_000)).unwrap(), Some(90.0));
        play(&mut audio, 20_000);
        assert_eq!(audio.position(48_000 + 16_000), 2.5);
        assert_eq!(audio.position(48_000 + 32_000), 3.0);
        // A pause of more than 2 s starts a new series: one tap sends nothing.
        assert_eq!(controller.tap(At::Sample(32_000 + 96_001)).unwrap(), None);
    }

    /// SplitMix64, uniform in `-max..max`.
    fn jitter(state: &mut u64, max: f64) -> f64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * max
    }

    /// Follows 32 beats of a clock at 120.6 BPM (0.5 % fast) with ±2 ms of jitter, beat 0 at
    /// engine second 0.5, each message handed over at the end of the host buffer (of
    /// `buffer` samples) it arrived in, stamped `At::Sample` of its arrival when `stamped`,
    /// else `At::Now`. Returns the worst distance, in beats, between the engine's beat and
    /// the master's true beat at the buffer boundaries of the last 24 beats, and the
    /// follower's tempo.
    fn follow(buffer: usize, stamped: bool) -> (f64, f64) {
        let (mut controller, mut audio) = engine();
        let master = Segment::steady(120.6);
        let mut seed = 7;
        let mut messages = vec![(0.495 * RATE, 0xFA)];
        for k in 0..32 * 24 {
            let seconds = 0.5 + master.seconds_at(f64::from(k) / 24.0) + jitter(&mut seed, 0.002);
            messages.push((seconds * RATE, 0xF8));
        }
        let mut next = messages.iter().peekable();
        let mut worst: f64 = 0.0;
        while let Some(&&(_, _)) = next.peek() {
            play(&mut audio, buffer);
            let now = audio.time();
            while let Some(&&(time, byte)) = next.peek()
                && time < now as f64
            {
                let at = match stamped {
                    true => At::Sample(time.ceil() as u64),
                    false => At::Now,
                };
                assert!(controller.clock_in(&[byte], at).unwrap());
                next.next();
            }
            let seconds = now as f64 / RATE - 0.5;
            if master.beat_at(seconds) >= 8.0 {
                worst = worst.max((audio.position(now) - master.beat_at(seconds)).abs());
            }
        }
        assert!(controller.clock_follow().is_some_and(|f| f.locked()));
        (worst, controller.clock_follow().unwrap().bpm())
    }

    #[test]
    fn a_jittery_clock_drives_the_engine_through_the_controller() {
        // Stamped with their arrival (a headless source, or a port whose times map onto the
        // engine's): the engine's beat stays within 0.002 beats (1 ms) of the master's, even
        // when handed over a 256-sample buffer late.
        for buffer in [64, 256] {
            let (worst, bpm) = follow(buffer, true);
            assert!(worst < 0.002, "buffers of {buffer}: {worst}");
            assert!((bpm / 120.6 - 1.0).abs() < 0.001, "{bpm}");
        }
        // Stamped "now" at the end of each 128-sample buffer (up to 2.7 ms more jitter): within
        // 0.006 beats (3 ms).
        let (worst, bpm) = follow(128, false);
        assert!(worst < 0.006, "{worst}");
        assert!((bpm / 120.6 - 1.0).abs() < 0.002, "{bpm}");
    }

    #[test]
    fn only_clock_messages_are_taken() {
        let (mut controller, _audio) = engine();
        assert!(!controller.clock_in(&[0x90, 60, 100], At::Now).unwrap());
        assert!(!controller.clock_in(&[], At::Now).unwrap());
        assert!(controller.clock_follow().is_none());
        assert!(controller.clock_in(&[0xF2, 16, 0], At::Now).unwrap());
        assert!(controller.clock_follow().is_some());
    }
}
