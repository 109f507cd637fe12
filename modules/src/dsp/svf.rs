//! A second-order filter core for the responses of Robert Bristow-Johnson's "Audio EQ
//! Cookbook", shared by the cookbook filters and `filter.svf`.
//!
//! Every cookbook response is the bilinear transform, prewarped at the cutoff, of a
//! second-order analog prototype. This core computes them with Andrew Simper's trapezoidal
//! state-variable filter ("Solving the continuous SVF equations using trapezoidal integration
//! and equivalent currents", 2013): the same bilinear transform of the same prototypes, so the
//! same response to the last bit of the formulas, but with state that stays meaningful when
//! the coefficients change. A transposed direct form II biquad was written first and measured:
//! with `cutoff` and `q` switching every 50-90 samples between extremes of their ranges, its
//! output grew without bound (infinite within 3 000 samples), while this form stays bounded
//! under any modulation, as the lowpass (fundsp's SVF, the same equations) does.
//!
//! The state-variable filter computes three signals from the input `v0`: the low-pass `v2`
//! `1/(s² + k·s + 1)`, the band-pass `v1` `s/(s² + k·s + 1)`, and by subtraction the others;
//! each cookbook response is a mix `m0·v0 + m1·v1 + m2·v2`. It runs in `f64`, which keeps the
//! round-off of low cutoffs far below an `f32` output's resolution. Coefficients cost a `tan`
//! (and a `powf` for the gain responses); they are recomputed only in a sample whose settings
//! differ from the sample before.

use std::f64::consts::PI;

/// Which cookbook response a [`Svf`] computes (`A = 10^(gain_db/40)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Response {
    /// `1 / (s² + s/q + 1)`.
    Lowpass,
    /// `s² / (s² + s/q + 1)`.
    Highpass,
    /// `(s/q) / (s² + s/q + 1)`: 0 dB at the centre whatever `q` is.
    Bandpass,
    /// `(s² + 1) / (s² + s/q + 1)`.
    Notch,
    /// `(s² + s·A/q + 1) / (s² + s/(A·q) + 1)`.
    Peak,
    /// `A·(s² + s·√A/q + A) / (A·s² + s·√A/q + 1)`.
    LowShelf,
    /// `A·(A·s² + s·√A/q + 1) / (s² + s·√A/q + A)`.
    HighShelf,
    /// `(s² - s/q + 1) / (s² + s/q + 1)`.
    Allpass,
}

/// A filter's settings. The caller limits them: `cutoff` strictly between 0 and half the
/// sample rate, `q` above 0, `gain_db` finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Settings {
    /// Cutoff or centre frequency, in hertz.
    pub(crate) cutoff: f32,
    /// Quality factor.
    pub(crate) q: f32,
    /// Gain of the peak and shelf responses, in decibels; ignored by the others.
    pub(crate) gain_db: f32,
}

/// The state-variable filter's coefficients and the output mix of one response.
#[derive(Clone, Copy, Debug, Default)]
struct Coefficients {
    /// Damping, `1/q` (the peak and shelves scale it by `A`).
    k: f64,
    a1: f64,
    a2: f64,
    a3: f64,
    /// `out = m0·in + m1·band + m2·low`.
    m: [f64; 3],
}

impl Coefficients {
    /// Simper's coefficients and mix for `response` with `settings` at `sample_rate`.
    fn design(response: Response, settings: Settings, sample_rate: f64) -> Coefficients {
        let g = (PI * f64::from(settings.cutoff) / sample_rate).tan();
        let k = 1.0 / f64::from(settings.q);
        let a = 10_f64.powf(f64::from(settings.gain_db) / 40.0);
        // The shelves move the filter's own cutoff by √A so that the shelf's midpoint (half
        // the gain in dB) lands on `cutoff`, as in the cookbook.
        let (g, k, m) = match response {
            Response::Lowpass => (g, k, [0.0, 0.0, 1.0]),
            Response::Highpass => (g, k, [1.0, -k, -1.0]),
            Response::Bandpass => (g, k, [0.0, k, 0.0]),
            Response::Notch => (g, k, [1.0, -k, 0.0]),
            Response::Allpass => (g, k, [1.0, -2.0 * k, 0.0]),
            Response::Peak => {
                let k = k / a;
                (g, k, [1.0, k * (a * a - 1.0), 0.0])
            }
            Response::LowShelf => (g / a.sqrt(), k, [1.0, k * (a - 1.0), a * a - 1.0]),
            Response::HighShelf => (g * a.sqrt(), k, [a * a, k * (1.0 - a) * a, 1.0 - a * a]),
        };
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        Coefficients {
            k,
            a1,
            a2,
            a3: g * a2,
            m,
        }
    }
}

/// The three signals of a state-variable filter for one input sample.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Taps {
    /// The input.
    pub(crate) input: f64,
    /// The band-pass, `s/(s² + k·s + 1)` (peak gain `1/k`).
    pub(crate) band: f64,
    /// The low-pass, `1/(s² + k·s + 1)`.
    pub(crate) low: f64,
    /// The damping `k` these were computed with.
    pub(crate) k: f64,
}

/// One filter: a response, its current settings and coefficients, and its two state values.
#[derive(Clone, Debug)]
pub(crate) struct Svf {
    response: Response,
    sample_rate: f64,
    settings: Settings,
    coefficients: Coefficients,
    ic1: f64,
    ic2: f64,
}

impl Svf {
    /// A filter at rest with these settings.
    pub(crate) fn new(response: Response, settings: Settings, sample_rate: f64) -> Svf {
        Svf {
            response,
            sample_rate,
            settings,
            coefficients: Coefficients::design(response, settings, sample_rate),
            ic1: 0.0,
            ic2: 0.0,
        }
    }

    /// Filters one sample with `settings` and returns the response's output.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn tick(&mut self, x: f32, settings: Settings) -> f32 {
        let taps = self.taps(x, settings);
        let [m0, m1, m2] = self.coefficients.m;
        (m0 * taps.input + m1 * taps.band + m2 * taps.low) as f32
    }

    /// Filters one sample with `settings`, first recomputing the coefficients if they differ
    /// from the last sample's, and returns the filter's internal signals. A non-finite result
    /// (from a non-finite input) clears the state, so the filter recovers when its input does.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn taps(&mut self, x: f32, settings: Settings) -> Taps {
        if settings != self.settings {
            self.settings = settings;
            self.coefficients = Coefficients::design(self.response, settings, self.sample_rate);
        }
        let c = self.coefficients;
        let v0 = f64::from(x);
        let v3 = v0 - self.ic2;
        let v1 = c.a1 * self.ic1 + c.a2 * v3;
        let v2 = self.ic2 + c.a2 * self.ic1 + c.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        if !(v1.is_finite() && v2.is_finite()) {
            self.clear();
        }
        Taps {
            input: v0,
            band: v1,
            low: v2,
            k: c.k,
        }
    }

    /// Clears the state, keeping the coefficients (which always match `settings`).
    pub(crate) fn clear(&mut self) {
        self.ic1 = 0.0;
        self.ic2 = 0.0;
    }

    /// Takes over `other`'s state, keeping this filter's response; the coefficients need no
    /// copy, as they always match the settings of the next sample.
    ///
    /// Real-time safe: copies two numbers.
    pub(crate) fn take_over(&mut self, other: &Svf) {
        self.ic1 = other.ic1;
        self.ic2 = other.ic2;
    }
}
