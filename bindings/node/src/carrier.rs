//! Header lines as they cross from JavaScript: one string, or a flat array.

use napi::bindgen_prelude::Either;
use traceprop::{Carrier, Error};

/// The two input forms: the joined string `"\n{name}\n{value}"` per line
/// (fast), or the flat array `[name, value, name, value, …]` (exact, used
/// when a name or value holds a line feed).
pub type Input = Either<String, Vec<String>>;

/// Header lines borrowed from an [`Input`], validated against the line count
/// the caller announced.
///
/// ```text
/// "\ntraceparent\n00-…-01\ntracestate\na=1"  with lines = 2
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Lines<'a> {
    /// The joined form, leading `\n` removed.
    Joined(&'a str),
    /// The array form.
    Flat(&'a [String]),
}

impl<'a> Lines<'a> {
    /// Borrows `input` as `lines` header lines.
    ///
    /// # Errors
    /// [`Error::Malformed`] when the joined form does not hold exactly `lines`
    /// lines (a name or value contained `\n`: retry with the array form), or
    /// the array does not hold `2 * lines` strings.
    pub fn new(input: &'a Input, lines: u32) -> Result<Self, Error> {
        let lines = usize::try_from(lines).map_err(|_| Error::OutOfRange)?;
        match input {
            Either::A(joined) if lines == 0 && joined.is_empty() => Ok(Lines::Joined("")),
            Either::A(joined) => {
                let body = joined.strip_prefix('\n').ok_or(Error::Malformed)?;
                let separators = joined.bytes().filter(|&b| b == b'\n').count();
                if Some(separators) == lines.checked_mul(2) {
                    Ok(Lines::Joined(body))
                } else {
                    Err(Error::Malformed)
                }
            }
            Either::B(flat) if Some(flat.len()) == lines.checked_mul(2) => Ok(Lines::Flat(flat)),
            Either::B(_) => Err(Error::Malformed),
        }
    }
}

impl<'a> Carrier<'a> for Lines<'a> {
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
        match *self {
            Lines::Joined("") => {}
            Lines::Joined(body) => {
                let mut fields = body.split('\n');
                while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
                    f(name, value);
                }
            }
            Lines::Flat(flat) => {
                for pair in flat.chunks_exact(2) {
                    if let [name, value] = pair {
                        f(name, value);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(lines: Lines<'_>) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        lines.for_each(&mut |k, v| out.push((k, v)));
        out
    }

    #[test]
    fn joined_lines_are_counted() {
        let input = Either::A("\nb3\n\ntracestate\na=1".to_owned());
        let lines = Lines::new(&input, 2).unwrap();
        assert_eq!(collect(lines), [("b3", ""), ("tracestate", "a=1")]);
        assert_eq!(Lines::new(&input, 1).unwrap_err(), Error::Malformed);
        let empty = Either::A(String::new());
        assert!(collect(Lines::new(&empty, 0).unwrap()).is_empty());
        assert_eq!(Lines::new(&empty, 1).unwrap_err(), Error::Malformed);
    }

    #[test]
    fn a_value_with_a_line_feed_is_refused() {
        let input = Either::A("\nbaggage\na=1\nb3\nx".to_owned());
        assert_eq!(Lines::new(&input, 1).unwrap_err(), Error::Malformed);
        let flat = Either::B(vec!["baggage".to_owned(), "a=1\nb3\nx".to_owned()]);
        assert_eq!(
            collect(Lines::new(&flat, 1).unwrap()),
            [("baggage", "a=1\nb3\nx")]
        );
        assert_eq!(Lines::new(&flat, 2).unwrap_err(), Error::Malformed);
    }
}
