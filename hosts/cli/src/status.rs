//! The status line `patchvm play` keeps at the bottom of a terminal: DSP load, late blocks,
//! the output's peak (read through the engine's probe of its mix) and clipped samples, the
//! last swap. Printed only when stderr is a terminal; messages are printed above it.

use patchvm::engine::{MetricsSnapshot, ProbeHandle, SwapReport};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often the line is redrawn.
const REFRESH: Duration = Duration::from_millis(250);

/// What the line shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatusView {
    /// Seconds of audio played.
    pub played_s: f64,
    /// Mean DSP load since the last redraw (1.0 = the whole real-time budget).
    pub load_mean: f64,
    /// The highest DSP load of any call so far.
    pub load_peak: f64,
    /// Calls of the audio half that took longer than the audio they rendered.
    pub late_calls: u64,
    /// Buffers the backend reports late: a WAV sink's late buffers, a sound card's xruns.
    pub late_buffers: u64,
    /// Voices whose gate is open (notes held or sustained).
    pub voices: u64,
    /// The last swap, in words, and how long ago it was taken.
    pub last_swap: Option<(String, Duration)>,
    /// Output samples over full scale so far, before the limiter.
    pub clipped: u64,
    /// The output's peak since the last redraw, in dBFS, when a meter reads it.
    pub peak_db: Option<f64>,
    /// The nodes whose output turned non-finite, and how many times.
    pub faults: Vec<(String, u64)>,
}

/// The line on stderr, when stderr is a terminal.
#[derive(Debug)]
pub struct StatusLine {
    enabled: bool,
    shown: bool,
    drawn_at: Option<Instant>,
    /// The metrics at the last redraw, for the mean load since.
    previous: Option<MetricsSnapshot>,
    /// The last swap taken, in words, and when the session saw it.
    last_swap: Option<(String, Instant)>,
    /// The probe of the engine's mix, whose peak since the last redraw the line shows.
    meter: Option<ProbeHandle>,
}

impl StatusLine {
    /// A line that shows only if stderr is a terminal.
    pub fn new() -> StatusLine {
        StatusLine {
            enabled: std::io::stderr().is_terminal(),
            shown: false,
            drawn_at: None,
            previous: None,
            last_swap: None,
            meter: None,
        }
    }

    /// Shows the peak `meter` (a probe of the output) reached between redraws, with the
    /// clipped samples. Read on the control side when the line is drawn; the audio half only
    /// publishes each block's peak.
    pub fn metering(self, meter: ProbeHandle) -> StatusLine {
        StatusLine {
            meter: Some(meter),
            ..self
        }
    }

    /// Remembers the last of `reports` (swaps the audio half has taken) for the line.
    pub fn swapped(&mut self, reports: &[SwapReport]) {
        if let Some(report) = reports.last() {
            self.last_swap = Some((swap_in_brief(report), Instant::now()));
        }
    }

    /// Erases the line so a message can be printed in its place; the next
    /// [`draw`](StatusLine::draw) puts it back.
    pub fn clear(&mut self) {
        if self.shown {
            eprint!("\r\x1b[K");
            self.shown = false;
            self.drawn_at = None;
        }
    }

    /// Redraws the line if it is due, from the engine's metrics, the backend's count of
    /// late buffers and the faults by node.
    pub fn draw(
        &mut self,
        metrics: &MetricsSnapshot,
        sample_rate: u32,
        late_buffers: u64,
        faults: Vec<(String, u64)>,
    ) {
        if !self.enabled || self.drawn_at.is_some_and(|at| at.elapsed() < REFRESH) {
            return;
        }
        let view = StatusView {
            played_s: metrics.frames as f64 / f64::from(sample_rate),
            load_mean: mean_load(self.previous.as_ref(), metrics, sample_rate),
            load_peak: metrics.peak_load,
            late_calls: metrics.late_calls,
            late_buffers,
            voices: metrics.active_voices,
            last_swap: self
                .last_swap
                .as_ref()
                .map(|(what, at)| (what.clone(), at.elapsed())),
            clipped: metrics.clipped_samples,
            peak_db: self.meter.as_ref().map(|meter| dbfs(meter.take_peak())),
            faults,
        };
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[K{}", format_status(&view));
        let _ = stderr.flush();
        self.shown = true;
        self.drawn_at = Some(Instant::now());
        self.previous = Some(*metrics);
    }
}

/// The DSP load over the audio rendered between two snapshots (since the start without a
/// previous one): time spent in the audio half over the duration of the audio.
pub fn mean_load(
    previous: Option<&MetricsSnapshot>,
    now: &MetricsSnapshot,
    sample_rate: u32,
) -> f64 {
    let (dsp_ns, frames) = match previous {
        Some(previous) => (
            now.dsp_ns.saturating_sub(previous.dsp_ns),
            now.frames.saturating_sub(previous.frames),
        ),
        None => (now.dsp_ns, now.frames),
    };
    if frames == 0 {
        return 0.0;
    }
    dsp_ns as f64 / (frames as f64 * 1e9 / f64::from(sample_rate))
}

/// The line's text.
pub fn format_status(view: &StatusView) -> String {
    let mut line = format!(
        "{:>8.1} s | DSP {:>5.1}% (peak {:.1}%) | late {} calls, {} buffers | {} voices",
        view.played_s,
        100.0 * view.load_mean,
        100.0 * view.load_peak,
        view.late_calls,
        view.late_buffers,
        view.voices
    );
    match view.peak_db {
        Some(db) if db.is_finite() => {
            line.push_str(&format!(" | out {db:>5.1} dBFS, clipped {}", view.clipped));
        }
        Some(_) => line.push_str(&format!(" | out  -inf dBFS, clipped {}", view.clipped)),
        None if view.clipped > 0 => line.push_str(&format!(" | clipped {}", view.clipped)),
        None => {}
    }
    if !view.faults.is_empty() {
        let faults: Vec<String> = view
            .faults
            .iter()
            .map(|(node, count)| format!("{node} ×{count}"))
            .collect();
        line.push_str(&format!(" | muted {}", faults.join(", ")));
    }
    if let Some((what, ago)) = &view.last_swap {
        line.push_str(&format!(" | swap {:.1} s ago: {what}", ago.as_secs_f64()));
    }
    line
}

/// `peak` (linear, full scale 1) in dBFS: `-inf` for silence.
pub fn dbfs(peak: f32) -> f64 {
    20.0 * f64::from(peak).log10()
}

/// A swap in a few words for the status line: what changed among the nodes.
pub fn swap_in_brief(report: &SwapReport) -> String {
    if report.generation == 1 {
        return "loaded".into();
    }
    let mut parts: Vec<String> = Vec::new();
    parts.extend(report.added.iter().map(|id| format!("+{id}")));
    parts.extend(report.removed.iter().map(|id| format!("-{id}")));
    if parts.is_empty() {
        return match report.crossfade {
            true => "connections".into(),
            false => "values".into(),
        };
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(added: &[&str], removed: &[&str], crossfade: bool) -> SwapReport {
        SwapReport {
            generation: 2,
            kept: vec!["osc1".into()],
            added: added.iter().map(|&s| s.into()).collect(),
            removed: removed.iter().map(|&s| s.into()).collect(),
            crossfade,
            ..SwapReport::default()
        }
    }

    #[test]
    fn the_mean_load_is_dsp_time_over_audio_time() {
        let earlier = MetricsSnapshot {
            dsp_ns: 1_000_000,
            frames: 48_000,
            ..MetricsSnapshot::default()
        };
        // 50 ms of DSP for 0.5 s of audio: 10 %.
        let now = MetricsSnapshot {
            dsp_ns: 51_000_000,
            frames: 72_000,
            ..MetricsSnapshot::default()
        };
        let load = mean_load(Some(&earlier), &now, 48_000);
        assert!((load - 0.1).abs() < 1e-9, "{load}");
        assert_eq!(mean_load(Some(&now), &now, 48_000), 0.0);
    }

    #[test]
    fn the_line_shows_load_lateness_and_the_last_swap() {
        let view = StatusView {
            played_s: 12.34,
            load_mean: 0.031,
            load_peak: 0.25,
            late_calls: 1,
            late_buffers: 2,
            voices: 3,
            last_swap: Some(("+gain2".into(), Duration::from_millis(1_500))),
            clipped: 0,
            peak_db: None,
            faults: Vec::new(),
        };
        assert_eq!(
            format_status(&view),
            "    12.3 s | DSP   3.1% (peak 25.0%) | late 1 calls, 2 buffers | 3 voices | swap 1.5 s ago: +gain2"
        );
        let view = StatusView {
            clipped: 480,
            faults: vec![("boom".into(), 2), ("lp".into(), 1)],
            last_swap: None,
            ..view
        };
        assert_eq!(
            format_status(&view),
            "    12.3 s | DSP   3.1% (peak 25.0%) | late 1 calls, 2 buffers | 3 voices | clipped 480 | muted boom ×2, lp ×1"
        );
        // With a meter: the peak in dBFS (0.5 is -6.0), and the clip count even when 0.
        let view = StatusView {
            clipped: 0,
            faults: Vec::new(),
            peak_db: Some(dbfs(0.5)),
            ..view
        };
        assert_eq!(
            format_status(&view),
            "    12.3 s | DSP   3.1% (peak 25.0%) | late 1 calls, 2 buffers | 3 voices | out  -6.0 dBFS, clipped 0"
        );
        let view = StatusView {
            peak_db: Some(dbfs(0.0)),
            ..view
        };
        assert!(format_status(&view).ends_with("| out  -inf dBFS, clipped 0"));
    }

    #[test]
    fn swaps_are_told_by_what_changed() {
        assert_eq!(
            swap_in_brief(&report(&["gain2"], &["lfo"], true)),
            "+gain2 -lfo"
        );
        assert_eq!(swap_in_brief(&report(&[], &[], false)), "values");
    }
}
