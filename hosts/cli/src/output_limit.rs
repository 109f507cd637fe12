//! `play` and `render`'s `--limit` / `--no-limit`: the output limiter of the audio half (see
//! [`patchvm::vm::live::Limiter`]), on by default where the sound reaches ears and speakers,
//! off where it goes to a file that should keep what the patch made (`play --to`, `render`).

use patchvm::vm::live::{DEFAULT_CEILING_DB, Limiter};

/// Whether the output goes through the limiter.
#[derive(Debug, clap::Args)]
pub struct OutputLimitArgs {
    /// Hold the output under −0.3 dBFS with a brickwall peak limiter (instant attack, 50 ms
    /// release, no added latency) [default: on a sound card, off for a file: --to, render]. Samples over
    /// 0 dBFS before it are counted on the status line either way.
    #[arg(long, overrides_with = "no_limit")]
    limit: bool,
    /// Play without the output limiter.
    #[arg(long, overrides_with = "limit")]
    no_limit: bool,
}

impl OutputLimitArgs {
    /// The limiter to play through, if any: `to_file` is whether the output is a file.
    pub fn limiter(&self, to_file: bool, sample_rate: f64) -> Option<Limiter> {
        let on = match (self.limit, self.no_limit) {
            (true, _) => true,
            (_, true) => false,
            _ => !to_file,
        };
        on.then(|| Limiter::new(DEFAULT_CEILING_DB, sample_rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(limit: bool, no_limit: bool) -> OutputLimitArgs {
        OutputLimitArgs { limit, no_limit }
    }

    #[test]
    fn on_for_a_sound_card_off_for_a_file_unless_told() {
        assert!(args(false, false).limiter(false, 48_000.0).is_some());
        assert!(args(false, false).limiter(true, 48_000.0).is_none());
        assert!(args(true, false).limiter(true, 48_000.0).is_some());
        assert!(args(false, true).limiter(false, 48_000.0).is_none());
    }
}
