//! Splitting header text on ASCII separators.
//!
//! `str::split(char)` and `split_once(char)` search with `memchr`, which
//! pays a set-up cost per call that dominates on the short pieces of a
//! header value (`k=v`, a list member); these walk the bytes directly. The
//! separators are ASCII, so every split point is a character boundary.

/// The pieces of `s` between `sep` bytes, in order (`""` gives one empty piece).
pub(crate) fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

/// `s` before and after the first `sep`, or `None` when there is none.
#[inline]
pub(crate) fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|c| c == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The iterator of [`split`].
#[derive(Debug, Clone)]
pub(crate) struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once(rest, self.sep) {
            Some((piece, after)) => {
                self.rest = Some(after);
                Some(piece)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_pieces_as_str_split() {
        for s in ["", ",", "a", "a,b", ",a,,b,", "é,ü", "a=b=c"] {
            assert!(split(s, b',').eq(s.split(',')), "{s:?}");
            assert_eq!(split_once(s, b'='), s.split_once('='), "{s:?}");
        }
    }
}
