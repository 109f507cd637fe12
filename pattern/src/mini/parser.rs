//! The mini-notation's parser: Strudel's krill grammar, by recursive descent, with spans.
//!
//! The grammar, as krill has it (whitespace is `[ \n\r\t\u00A0]*`):
//!
//! ```text
//! group    = sequence ( ("," sequence)+ | ("|" sequence)+ | ("." sequence)+ )?
//! sequence = "^"? element+
//! element  = slice op*
//! slice    = step | "[" group "]" | "{" sequence ("," sequence)* "}" ("%" slice)?
//!          | "<" sequence ("," sequence)* ">"
//! op       = ws ("@"|"_") number? | "(" element "," element ","? element? ")" | "/" slice
//!          | "*" slice | ws "!" number? | "?" number? | ":" slice
//! ```
//!
//! A step, a group and an argument slice swallow the whitespace after them; of the
//! operators only `@`, `_` and `!` may follow whitespace on their own, so `a@3 (3,8)` is an
//! error where `a*2 (3,8)` is not, as in Strudel. Seeds number the `?` and `|` operators in
//! the order krill's actions run: an element's operators when the element ends, a choice
//! when its last option ends (a `.` group takes a number too), so the randomness matches.
//! Operator arguments must be numbers: Strudel's patterned arguments (`a*<2 3>`) and its
//! `..` ranges are reported as errors, never silently misread.

use core::ops::Range;

use super::ast::{Element, Group, Op, Sequence, Slice};
use super::atom::{exact, js_number};
use super::error::{MAX_DEPTH, MAX_TEXT_BYTES, ParseError};
use super::rational::Rational;

/// What every hint about a stray character lists.
const VALID: &str = "a pattern holds steps (words, numbers, notes, `~`), groups `[ ]`, `< >`, `{ }`, \
    the operators `* / @ _ ! ? : ( )` and the separators `,` `|` `.`";

/// Parses a whole pattern text.
pub fn parse(text: &str) -> Result<Group, ParseError> {
    if text.len() > MAX_TEXT_BYTES {
        let at = (MAX_TEXT_BYTES..=text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        return Err(ParseError::new(
            at..text.len(),
            format!(
                "pattern is {} bytes long, more than the {MAX_TEXT_BYTES} accepted",
                text.len()
            ),
            "split it into several patterns",
        ));
    }
    let mut parser = Parser {
        text,
        pos: 0,
        last: 0,
        seed: 0,
        open: Vec::new(),
    };
    parser.ws();
    if parser.peek().is_none() {
        return Err(ParseError::new(
            0..text.len(),
            "empty pattern",
            "write at least one step; `~` is a rest",
        ));
    }
    let group = parser.group()?;
    parser.ws();
    match parser.peek() {
        None => Ok(group),
        Some(_) => Err(parser.unexpected()),
    }
}

/// A raw operator, before an element applies it (as krill's closures do).
enum Raw {
    Weight(Option<Rational>),
    Replicate(Option<Rational>),
    Degrade(Option<f64>),
    Done(Op),
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    /// End of the last character that was not whitespace, for spans.
    last: usize,
    /// The next `?`/`|` seed.
    seed: u32,
    /// The brackets open around `pos`: the character and its offset.
    open: Vec<(char, usize)>,
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\n' | '\r' | '\t' | '\u{A0}')
}

fn is_step_char(c: char) -> bool {
    c.is_alphabetic() || c.is_ascii_digit() || matches!(c, '~' | '-' | '#' | '.' | '^' | '_')
}

fn closing(open: char) -> char {
    match open {
        '[' => ']',
        '{' => '}',
        '<' => '>',
        _ => ')',
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.text[self.pos..].chars().nth(1)
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
            if !is_ws(c) {
                self.last = self.pos;
            }
        }
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.bump();
        }
    }

    fn char_range(&self) -> Range<usize> {
        self.pos..self.pos + self.peek().map_or(0, char::len_utf8)
    }

    fn next_seed(&mut self) -> u32 {
        let seed = self.seed;
        self.seed = self.seed.saturating_add(1);
        seed
    }

    /// The error for the character at `pos`, or for the innermost bracket left open when
    /// the text ends.
    fn unexpected(&self) -> ParseError {
        match (self.peek(), self.open.last()) {
            (None, Some(&(open, at))) => ParseError::new(
                at..at + 1,
                format!("unclosed `{open}`"),
                format!("close it with `{}`", closing(open)),
            ),
            (None, None) => ParseError::new(
                self.text.len()..self.text.len(),
                "pattern ends where a step was expected",
                "write a step (a word, number, note or `~`) or a group",
            ),
            (Some(c), Some(&(open, _))) => ParseError::new(
                self.char_range(),
                format!("unexpected `{c}` inside `{open}`"),
                format!("close the `{open}` with `{}`; {VALID}", closing(open)),
            ),
            (Some(c), None) => {
                ParseError::new(self.char_range(), format!("unexpected `{c}`"), VALID)
            }
        }
    }

    /// Consumes `ws sep ws` when `sep` comes next.
    fn eat_sep(&mut self, sep: char) -> bool {
        let save = (self.pos, self.last);
        self.ws();
        if self.peek() == Some(sep) && !(sep == '.' && self.peek2() == Some('.')) {
            self.bump();
            self.ws();
            return true;
        }
        (self.pos, self.last) = save;
        false
    }

    fn group(&mut self) -> Result<Group, ParseError> {
        let head = self.sequence()?;
        for (sep, kind) in [(',', 0), ('|', 1), ('.', 2)] {
            if !self.eat_sep(sep) {
                continue;
            }
            let mut list = vec![head, self.sequence()?];
            while self.eat_sep(sep) {
                list.push(self.sequence()?);
            }
            return Ok(match kind {
                0 => Group::Stack(list),
                1 => Group::Choose {
                    options: list,
                    seed: self.next_seed(),
                },
                _ => {
                    // krill numbers a `.` group too, though it draws nothing.
                    self.next_seed();
                    Group::Feet(list)
                }
            });
        }
        Ok(Group::Single(head))
    }

    fn sequence(&mut self) -> Result<Sequence, ParseError> {
        if self.peek() == Some('^') {
            // Strudel's marker for stepwise functions: no bearing on the events.
            self.bump();
        }
        let mut elements = Vec::new();
        while let Some(element) = self.element()? {
            elements.push(element);
        }
        if elements.is_empty() {
            self.ws();
            return Err(match self.peek() {
                // An empty group or option (`[]`, `a | `), not a stray closing bracket.
                Some(c @ (']' | '>' | '}' | ')' | ',' | '|' | '.')) => ParseError::new(
                    self.char_range(),
                    format!("expected a step before `{c}`"),
                    "write a step (a word, number or note), `~` for a rest, or a group",
                ),
                _ => self.unexpected(),
            });
        }
        Ok(Sequence { elements })
    }

    /// Opens a bracket at `pos`, parses its inside with `inner`, and closes it.
    fn bracketed<T>(
        &mut self,
        inner: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        let at = self.pos;
        let open = self.peek().unwrap_or('[');
        if self.open.len() >= MAX_DEPTH {
            return Err(ParseError::new(
                at..at + 1,
                format!("`{open}` nests groups deeper than {MAX_DEPTH} levels"),
                "flatten the pattern",
            ));
        }
        self.open.push((open, at));
        self.bump();
        self.ws();
        let value = inner(self)?;
        self.ws();
        if self.peek() != Some(closing(open)) {
            return Err(self.unexpected());
        }
        self.bump();
        self.open.pop();
        Ok(value)
    }

    fn sequences(&mut self) -> Result<Vec<Sequence>, ParseError> {
        let mut list = vec![self.sequence()?];
        while self.eat_sep(',') {
            list.push(self.sequence()?);
        }
        Ok(list)
    }

    /// A slice, with the whitespace around it, or `None` (nothing consumed) when none
    /// starts here.
    fn slice(&mut self) -> Result<Option<(Slice, Range<usize>)>, ParseError> {
        let save = (self.pos, self.last);
        self.ws();
        let start = self.pos;
        let slice = match self.peek() {
            Some('[') => Slice::Sub(Box::new(self.bracketed(Self::group)?)),
            Some('<') => Slice::SlowSequence(self.bracketed(Self::sequences)?),
            Some('{') => {
                let sequences = self.bracketed(Self::sequences)?;
                let steps = if self.peek() == Some('%') {
                    self.bump();
                    Some(self.positive_arg('%')?)
                } else {
                    None
                };
                Slice::Polymeter { sequences, steps }
            }
            Some(c) if is_step_char(c) => {
                while self.peek().is_some_and(is_step_char) {
                    self.bump();
                }
                match &self.text[start..self.pos] {
                    "." | "_" => {
                        (self.pos, self.last) = save;
                        return Ok(None);
                    }
                    "~" | "-" => Slice::Rest,
                    _ => Slice::Step(start..self.pos),
                }
            }
            _ => {
                (self.pos, self.last) = save;
                return Ok(None);
            }
        };
        let end = self.last;
        self.ws();
        Ok(Some((slice, start..end)))
    }

    fn element(&mut self) -> Result<Option<Element>, ParseError> {
        let Some((slice, range)) = self.slice()? else {
            return Ok(None);
        };
        let mut raw = Vec::new();
        while let Some(op) = self.op()? {
            raw.push(op);
        }
        let span = range.start..self.last.max(range.end);
        let mut weight = Rational::ONE;
        let mut reps = Rational::ONE;
        let mut ops: Vec<(Op, Range<usize>)> = Vec::new();
        for (op, at) in raw {
            match op {
                Raw::Weight(n) => {
                    weight = weight + n.unwrap_or(Rational::integer(2)) - Rational::ONE
                }
                Raw::Replicate(n) => {
                    reps = reps + n.unwrap_or(Rational::integer(2)) - Rational::ONE;
                    if reps <= Rational::ZERO {
                        return Err(ParseError::new(
                            at,
                            format!("`!` replicates the step {reps} times"),
                            "replicate a positive number of times, such as `a!3`",
                        ));
                    }
                    ops.retain(|(op, _)| !matches!(op, Op::Replicate(_)));
                    ops.push((Op::Replicate(reps), at));
                    weight = reps;
                }
                Raw::Degrade(amount) => {
                    let seed = self.next_seed();
                    ops.push((
                        Op::Degrade {
                            amount: amount.unwrap_or(0.5),
                            seed,
                        },
                        at,
                    ));
                }
                Raw::Done(op) => ops.push((op, at)),
            }
        }
        if weight < Rational::ZERO {
            return Err(ParseError::new(
                span.clone(),
                format!("step weight {weight} is negative"),
                "give a positive weight, such as `a@3`",
            ));
        }
        if weight == Rational::ZERO {
            // Strudel reads a zero weight as the default (`weight || 1`).
            weight = Rational::ONE;
        }
        if ops
            .iter()
            .filter(|(op, _)| matches!(op, Op::Velocity(_)))
            .count()
            > 1
        {
            let second = ops
                .iter()
                .filter(|(op, _)| matches!(op, Op::Velocity(_)))
                .nth(1);
            let at = second.map_or(span.clone(), |(_, at)| at.clone());
            return Err(ParseError::new(
                at,
                "a second `:` on one step",
                "give each step one velocity, such as `a:0.5`",
            ));
        }
        Ok(Some(Element {
            slice,
            ops,
            weight,
            span,
        }))
    }

    /// `minus? int frac? exp?` as krill reads it, exactly.
    fn number(&mut self) -> Option<Rational> {
        let start = self.pos;
        let save = (self.pos, self.last);
        if self.peek() == Some('-') {
            self.bump();
        }
        match self.peek() {
            Some('0') => self.bump(),
            Some('1'..='9') => {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
            }
            _ => {
                (self.pos, self.last) = save;
                return None;
            }
        }
        if self.peek() == Some('.') && self.peek2().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let before = (self.pos, self.last);
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
            } else {
                (self.pos, self.last) = before;
            }
        }
        // `exact` reads the exponent's sign only as `-`.
        exact(&self.text[start..self.pos].replace('+', ""))
    }

    /// A number after an operator character, as a checked exact value.
    fn op_number(&mut self, op: char) -> Result<Option<Rational>, ParseError> {
        let start = self.pos;
        if self.peek().is_some_and(|c| c == '-' || c.is_ascii_digit()) {
            match self.number() {
                Some(n) => return Ok(Some(n)),
                None if self.pos > start => {
                    return Err(ParseError::new(
                        start..self.pos,
                        format!(
                            "`{op}{}` has a number too large or too precise",
                            &self.text[start..self.pos]
                        ),
                        "use at most 9 decimals and 15 digits",
                    ));
                }
                None => {}
            }
        }
        Ok(None)
    }

    fn op(&mut self) -> Result<Option<(Raw, Range<usize>)>, ParseError> {
        let save = (self.pos, self.last);
        self.ws();
        let at = self.pos;
        match self.peek() {
            Some(c @ ('@' | '_')) => {
                self.bump();
                let n = self.op_number(c)?;
                return Ok(Some((Raw::Weight(n), at..self.last)));
            }
            Some('!') => {
                self.bump();
                let n = self.op_number('!')?;
                return Ok(Some((Raw::Replicate(n), at..self.last)));
            }
            _ => (self.pos, self.last) = save,
        }
        let at = self.pos;
        let raw = match self.peek() {
            Some('(') => Raw::Done(self.euclid()?),
            Some('/') => {
                self.bump();
                Raw::Done(Op::Slow(self.positive_arg('/')?))
            }
            Some('*') => {
                self.bump();
                Raw::Done(Op::Fast(self.positive_arg('*')?))
            }
            Some('?') => {
                self.bump();
                let n = self.op_number('?')?;
                Raw::Degrade(n.map(Rational::to_f64))
            }
            Some(':') => {
                self.bump();
                let (v, range) = self.number_arg(':')?;
                let v = v.to_f64();
                if !(0.0..=1.0).contains(&v) {
                    return Err(ParseError::new(
                        range,
                        format!(
                            "velocity `:{}` is outside 0 to 1",
                            &self.text[at + 1..self.last]
                        ),
                        "give a velocity from 0 to 1, such as `a:0.5`",
                    ));
                }
                Raw::Done(Op::Velocity(v))
            }
            Some('.') if self.peek2() == Some('.') => {
                return Err(ParseError::new(
                    at..at + 2,
                    "`..` ranges are not supported",
                    "write the steps out, such as `0 1 2 3`",
                ));
            }
            _ => return Ok(None),
        };
        Ok(Some((raw, at..self.last)))
    }

    /// A slice after `op` that must be a plain number.
    fn number_arg(&mut self, op: char) -> Result<(Rational, Range<usize>), ParseError> {
        let at = self.pos;
        let Some((slice, range)) = self.slice()? else {
            return Err(ParseError::new(
                at..at + self.peek().map_or(0, char::len_utf8),
                format!("`{op}` needs a number after it"),
                format!("write a number, such as `a{op}2`"),
            ));
        };
        let Slice::Step(step) = slice else {
            return Err(ParseError::new(
                range,
                format!("`{op}` takes a number, not a pattern"),
                format!("patterned arguments are not supported; write a number, such as `a{op}2`"),
            ));
        };
        let text = &self.text[step.clone()];
        if js_number(text).is_none() {
            return Err(ParseError::new(
                step,
                format!("`{op}` takes a number, found `{text}`"),
                format!("write a number, such as `a{op}2`"),
            ));
        }
        match exact(text) {
            Some(n) => Ok((n, step)),
            None => Err(ParseError::new(
                step,
                format!("`{op}{text}` is too large or too precise"),
                "use a finite number with at most 9 decimals and 15 digits",
            )),
        }
    }

    /// A number argument that must be above zero.
    fn positive_arg(&mut self, op: char) -> Result<Rational, ParseError> {
        let (n, range) = self.number_arg(op)?;
        if n <= Rational::ZERO {
            return Err(ParseError::new(
                range,
                format!("`{op}{n}` is not a positive factor"),
                format!("use a factor above 0, such as `a{op}2`; `~` is a rest"),
            ));
        }
        Ok(n)
    }

    /// `(pulses, steps)` or `(pulses, steps, rotation)`.
    fn euclid(&mut self) -> Result<Op, ParseError> {
        let open = self.pos;
        if self.open.len() >= MAX_DEPTH {
            return Err(ParseError::new(
                open..open + 1,
                format!("`(` nests groups deeper than {MAX_DEPTH} levels"),
                "flatten the pattern",
            ));
        }
        self.open.push(('(', open));
        self.bump();
        self.ws();
        let pulses = self.euclid_arg("pulses")?;
        self.ws();
        if !self.eat_sep(',') {
            return Err(self.euclid_expected(",", "the number of steps"));
        }
        let steps = self.euclid_arg("steps")?;
        self.eat_sep(',');
        self.ws();
        let rotation = if self.peek() == Some(')') {
            0
        } else {
            self.euclid_arg("rotation")?
        };
        self.ws();
        if self.peek() != Some(')') {
            return Err(self.euclid_expected(")", "the end of the rhythm"));
        }
        self.bump();
        self.open.pop();
        if steps < 1 {
            return Err(ParseError::new(
                open..self.last,
                format!("euclidean rhythm has {steps} steps"),
                "give at least one step, such as `a(3,8)`",
            ));
        }
        if pulses.unsigned_abs() > steps.unsigned_abs() {
            return Err(ParseError::new(
                open..self.last,
                format!("euclidean rhythm has {pulses} pulses in {steps} steps"),
                "give at most as many pulses as steps, such as `a(3,8)`",
            ));
        }
        Ok(Op::Euclid {
            pulses,
            steps,
            rotation,
        })
    }

    fn euclid_expected(&self, what: &str, meaning: &str) -> ParseError {
        if self.peek().is_none() {
            return self.unexpected();
        }
        ParseError::new(
            self.char_range(),
            format!(
                "expected `{what}` in the euclidean rhythm, found `{}`",
                self.peek().unwrap_or(' ')
            ),
            format!("write {meaning} next, as in `a(3,8,2)`"),
        )
    }

    /// One of a rhythm's integers: an element with no operators whose text is an integer.
    fn euclid_arg(&mut self, name: &str) -> Result<i64, ParseError> {
        let at = self.pos;
        let Some(element) = self.element()? else {
            if self.peek().is_none() {
                return Err(self.unexpected());
            }
            return Err(ParseError::new(
                at..at + self.peek().map_or(0, char::len_utf8),
                format!("euclidean rhythm needs its {name} here"),
                "write integers, such as `a(3,8)` or `a(3,8,2)`",
            ));
        };
        let value = match (&element.slice, element.ops.is_empty()) {
            (Slice::Step(range), true) => js_number(&self.text[range.clone()]),
            _ => None,
        };
        match value {
            Some(v) if v.fract() == 0.0 && v.abs() <= 4096.0 => Ok(v as i64),
            _ => Err(ParseError::new(
                element.span.clone(),
                format!(
                    "euclidean {name} `{}` is not an integer",
                    &self.text[element.span]
                ),
                "write integers of at most 4096, such as `a(3,8,2)`; patterned arguments are not supported",
            )),
        }
    }
}
