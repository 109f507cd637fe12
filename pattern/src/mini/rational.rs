//! Exact time: a reduced fraction of two `i64`s.
//!
//! Pattern time must be exact: a step of a triplet inside a quintuplet has to land on the
//! same sample however the host slices its buffers, which floating point cannot promise.
//! Arithmetic runs in `i128` and is reduced before it is stored. A result that does not fit
//! saturates instead of panicking; the parser bounds how finely a pattern divides time and
//! the query clamps the cycles it is asked for, so the patterns it accepts never get there.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, Div, Mul, Neg, Sub};

/// An exact rational number, always reduced, with a positive denominator.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    /// Invariant: `gcd(num, den) == 1`.
    num: i64,
    /// Invariant: `den > 0`.
    den: i64,
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    /// One.
    pub const ONE: Rational = Rational { num: 1, den: 1 };

    /// `num / den` reduced, or `None` when `den` is zero.
    pub fn new(num: i64, den: i64) -> Option<Rational> {
        if den == 0 {
            return None;
        }
        Some(Rational::reduce(i128::from(num), i128::from(den)))
    }

    /// The integer `n`.
    pub const fn integer(n: i64) -> Rational {
        Rational { num: n, den: 1 }
    }

    /// The numerator (sign included).
    pub fn numer(self) -> i64 {
        self.num
    }

    /// The denominator, always positive.
    pub fn denom(self) -> i64 {
        self.den
    }

    /// The nearest `f64`: numerator and denominator rounded, then divided, the way
    /// JavaScript's fraction library (and so Strudel) turns a time into a number.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The largest integer not above `self` (the start of its cycle, Tidal's `sam`).
    pub fn floor(self) -> i64 {
        self.num.div_euclid(self.den)
    }

    /// The smallest integer not below `self`.
    pub fn ceil(self) -> i64 {
        let f = self.floor();
        if self.den == 1 {
            f
        } else {
            f.saturating_add(1)
        }
    }

    /// `self` with its fractional part dropped, as a rational (`floor` as a time).
    pub fn sam(self) -> Rational {
        Rational::integer(self.floor())
    }

    /// Whether `self` is an integer.
    pub fn is_integer(self) -> bool {
        self.den == 1
    }

    /// Reduces `num / den` (den non-zero) and saturates what does not fit in `i64`.
    pub(crate) fn reduce(num: i128, den: i128) -> Rational {
        let (mut num, mut den) = if den < 0 { (-num, -den) } else { (num, den) };
        let g = gcd(num.unsigned_abs(), den.unsigned_abs());
        if g > 1 {
            // g divides both, and both fit in i128, so g does too.
            num /= g as i128;
            den /= g as i128;
        }
        match (i64::try_from(num), i64::try_from(den)) {
            (Ok(num), Ok(den)) => Rational { num, den },
            _ => Rational::saturated(num, den),
        }
    }

    /// The representable value nearest `num / den` when it does not fit: the integer part
    /// when that fits, else the largest magnitude of the same sign.
    fn saturated(num: i128, den: i128) -> Rational {
        let whole = num.div_euclid(den);
        match i64::try_from(whole) {
            Ok(n) => Rational::integer(n),
            Err(_) if num < 0 => Rational::integer(-i64::MAX),
            Err(_) => Rational::integer(i64::MAX),
        }
    }

    /// `(num, den)` widened, for arithmetic and comparisons that cannot overflow.
    pub(crate) fn wide(self) -> (i128, i128) {
        (i128::from(self.num), i128::from(self.den))
    }

    /// The smaller of two.
    pub fn min(self, other: Rational) -> Rational {
        if other < self { other } else { self }
    }

    /// The larger of two.
    pub fn max(self, other: Rational) -> Rational {
        if other > self { other } else { self }
    }
}

/// Greatest common divisor (Euclid), `gcd(0, 0) == 0`.
fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Add for Rational {
    type Output = Rational;
    fn add(self, rhs: Rational) -> Rational {
        let ((a, b), (c, d)) = (self.wide(), rhs.wide());
        // |a|, |c| < 2^63 and b, d < 2^63: each product < 2^126, their sum < 2^127.
        Rational::reduce(a * d + c * b, b * d)
    }
}

impl Sub for Rational {
    type Output = Rational;
    fn sub(self, rhs: Rational) -> Rational {
        self + (-rhs)
    }
}

impl Neg for Rational {
    type Output = Rational;
    fn neg(self) -> Rational {
        // -i64::MIN would overflow; saturation never produces i64::MIN, new() may.
        Rational {
            num: self.num.saturating_neg(),
            den: self.den,
        }
    }
}

impl Mul for Rational {
    type Output = Rational;
    fn mul(self, rhs: Rational) -> Rational {
        let ((a, b), (c, d)) = (self.wide(), rhs.wide());
        Rational::reduce(a * c, b * d)
    }
}

impl Div for Rational {
    type Output = Rational;
    /// Division; by zero it answers zero (callers never divide by a zero they did not
    /// reject at parse time, and an answer is better than a panic on the audio thread).
    fn div(self, rhs: Rational) -> Rational {
        let ((a, b), (c, d)) = (self.wide(), rhs.wide());
        if c == 0 {
            return Rational::ZERO;
        }
        Rational::reduce(a * d, b * c)
    }
}

impl Ord for Rational {
    fn cmp(&self, other: &Rational) -> Ordering {
        let ((a, b), (c, d)) = (self.wide(), other.wide());
        (a * d).cmp(&(c * b))
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Rational) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<i64> for Rational {
    fn from(n: i64) -> Rational {
        Rational::integer(n)
    }
}

impl fmt::Debug for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rational;

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d).unwrap()
    }

    #[test]
    fn arithmetic_is_exact_and_reduced() {
        assert_eq!(r(1, 3) + r(1, 6), r(1, 2));
        assert_eq!((r(1, 3) + r(1, 6)).denom(), 2);
        assert_eq!(r(3, 4) - r(1, 4), r(1, 2));
        assert_eq!(r(2, 3) * r(3, 4), r(1, 2));
        assert_eq!(r(1, 2) / r(1, 4), Rational::integer(2));
        assert_eq!(r(2, -4), r(-1, 2));
        assert_eq!(r(-1, 2).denom(), 2);
    }

    #[test]
    fn floor_and_ceil_round_towards_the_cycle_edges() {
        assert_eq!(r(7, 4).floor(), 1);
        assert_eq!(r(-1, 4).floor(), -1);
        assert_eq!(r(7, 4).ceil(), 2);
        assert_eq!(Rational::integer(3).ceil(), 3);
        assert_eq!(r(-1, 4).ceil(), 0);
    }

    #[test]
    fn comparison_orders_by_value() {
        assert!(r(1, 3) < r(1, 2));
        assert!(r(-1, 2) < r(-1, 3));
        assert_eq!(r(2, 6).cmp(&r(1, 3)), core::cmp::Ordering::Equal);
    }

    #[test]
    fn gcd_is_euclids() {
        assert_eq!(super::gcd(12, 18), 6);
        assert_eq!(super::gcd(0, 7), 7);
        assert_eq!(super::gcd(7, 0), 7);
        assert_eq!(super::gcd(0, 0), 0);
        assert_eq!(super::gcd(6 << 70, 4 << 70), 2 << 70);
        assert_eq!(super::gcd(17, 5), 1);
    }

    #[test]
    fn overflow_saturates_instead_of_panicking() {
        let big = Rational::integer(i64::MAX);
        assert_eq!(big + big, Rational::integer(i64::MAX));
        assert_eq!(-big - big, Rational::integer(-i64::MAX));
        assert_eq!(big / Rational::ZERO, Rational::ZERO);
        assert_eq!(Rational::new(1, 0), None);
    }
}
