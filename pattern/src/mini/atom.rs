//! What a step's text means: a number, a note name or a word, decided as Strudel does.
//!
//! Strudel keeps a step as a number when JavaScript's `Number(text)` accepts it, and its
//! `noteToMidi` reads note names (`c4`, `eb3`, `f#5`, `cs4`; a bare `c` is in octave 3).
//! Everything else is a word. Only the forms a step can spell are handled: a step holds
//! letters, digits and `~ - # . ^ _`, so signs other than `-`, spaces and `+` never occur.

use super::rational::Rational;

/// JavaScript's `Number(text)` for a step's text: decimal (`60`, `-1`, `.5`, `1.`, `2e3`),
/// `0x`/`0o`/`0b` integers and `Infinity`; `None` where JavaScript answers `NaN`.
pub fn js_number(text: &str) -> Option<f64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let magnitude = if body == "Infinity" {
        f64::INFINITY
    } else if let Some(value) = radix_integer(body) {
        // JavaScript refuses a sign before a prefixed integer.
        if negative {
            return None;
        }
        value
    } else if is_decimal(body) {
        body.parse::<f64>().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `0x1f`, `0o17`, `0b101` (either case of the prefix letter), rounded like JavaScript.
fn radix_integer(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    if bytes.len() < 3 || bytes[0] != b'0' {
        return None;
    }
    let radix = match bytes[1] {
        b'x' | b'X' => 16,
        b'o' | b'O' => 8,
        b'b' | b'B' => 2,
        _ => return None,
    };
    let digits = &text[2..];
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Accumulate in f64 as JavaScript does for long literals; exact up to 2^53.
    Some(digits.chars().fold(0.0, |acc, c| {
        acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
    }))
}

/// Digits with at most one `.` and an optional exponent, at least one digit in the mantissa.
fn is_decimal(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let mut dots = 0;
    let mut digits = 0;
    for c in mantissa.chars() {
        match c {
            '.' => dots += 1,
            '0'..='9' => digits += 1,
            _ => return false,
        }
    }
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix('-').unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    dots <= 1 && digits > 0 && exponent_ok
}

/// Strudel's `noteToMidi`: a letter `a`–`g` (either case), accidentals from `#bsf` (sharp
/// `#`/`s`, flat `b`/`f`), an optional octave (`-?[0-9]*`, 3 when absent); `(octave + 1) * 12 +
/// chroma + accidentals`. `None` when the text is not a note name.
pub fn note_number(text: &str) -> Option<f64> {
    let mut chars = text.chars();
    let chroma = match chars.next()?.to_ascii_lowercase() {
        'c' => 0,
        'd' => 2,
        'e' => 4,
        'f' => 5,
        'g' => 7,
        'a' => 9,
        'b' => 11,
        _ => return None,
    };
    let rest = chars.as_str();
    let octave_at = rest
        .find(|c: char| c == '-' || c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (accidentals, octave) = rest.split_at(octave_at);
    let mut offset = 0.0;
    for c in accidentals.chars() {
        offset += match c {
            '#' | 's' => 1.0,
            'b' | 'f' => -1.0,
            _ => return None,
        };
    }
    let octave = if octave.is_empty() {
        3.0
    } else {
        let digits = octave.strip_prefix('-').unwrap_or(octave);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        octave.parse::<f64>().ok()?
    };
    Some((octave + 1.0) * 12.0 + f64::from(chroma) + offset)
}

/// A number written in the text as an exact rational: plain decimals exactly (`1.5` is
/// 3/2, `0.1` is 1/10), other forms when they are integers. `None` when the number is not
/// finite, has more than 9 decimals, or does not fit.
pub fn exact(text: &str) -> Option<Rational> {
    let value = js_number(text)?;
    if !value.is_finite() {
        return None;
    }
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let plain = !body.contains(['e', 'E', 'x', 'X', 'o', 'O', 'b', 'B']);
    let magnitude = if plain {
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        if fraction.len() > 9 || whole.len() > 15 {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let den = 10_i64.pow(fraction.len() as u32);
        let frac: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().ok()?
        };
        Rational::new(whole.checked_mul(den)?.checked_add(frac)?, den)?
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        Rational::integer(value.abs() as i64)
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::{exact, js_number, note_number};
    use crate::mini::Rational;

    #[test]
    fn numbers_follow_javascript() {
        assert_eq!(js_number("60"), Some(60.0));
        assert_eq!(js_number("-1"), Some(-1.0));
        assert_eq!(js_number("0.5"), Some(0.5));
        assert_eq!(js_number(".5"), Some(0.5));
        assert_eq!(js_number("1."), Some(1.0));
        assert_eq!(js_number("2e3"), Some(2000.0));
        assert_eq!(js_number("0x1f"), Some(31.0));
        assert_eq!(js_number("0b101"), Some(5.0));
        assert_eq!(js_number("-0x1f"), None);
        assert_eq!(js_number("Infinity"), Some(f64::INFINITY));
        assert_eq!(js_number("1.2.3"), None);
        assert_eq!(js_number("bd"), None);
        assert_eq!(js_number("."), None);
        assert_eq!(js_number("-"), None);
        assert_eq!(js_number("5e"), None);
    }

    #[test]
    fn note_names_follow_strudel() {
        assert_eq!(note_number("c4"), Some(60.0));
        assert_eq!(note_number("C4"), Some(60.0));
        assert_eq!(note_number("c"), Some(48.0));
        assert_eq!(note_number("eb3"), Some(51.0));
        assert_eq!(note_number("f#5"), Some(78.0));
        assert_eq!(note_number("cs4"), Some(61.0));
        assert_eq!(note_number("bb"), Some(58.0));
        assert_eq!(note_number("c-1"), Some(0.0));
        assert_eq!(note_number("bd"), None);
        assert_eq!(note_number("hh"), None);
        assert_eq!(note_number("c-"), None);
        assert_eq!(note_number("c4x"), None);
    }

    #[test]
    fn exact_numbers_are_decimal_fractions() {
        assert_eq!(exact("1.5"), Rational::new(3, 2));
        assert_eq!(exact("0.1"), Rational::new(1, 10));
        assert_eq!(exact("-2"), Some(Rational::integer(-2)));
        assert_eq!(exact("1e2"), Some(Rational::integer(100)));
        assert_eq!(exact("Infinity"), None);
        assert_eq!(exact("0.0000000001"), None);
    }
}
