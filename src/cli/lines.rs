//! Lines of a file or standard input, each at most a given length: a longer line is skipped
//! to its end without being held in memory, and reported.

use std::io::{self, BufRead, Read as _};

use changeguard::replay::{RecordError, RecordErrorKind};

/// A line read: its number (from 1), the bytes it took, and its bytes (the newline and a
/// carriage return before it left out) or why it has none.
pub(crate) type Line = (u64, usize, Result<Vec<u8>, RecordError>);

/// The text of a line's bytes, or why it has none (not UTF-8, blank). Apart from
/// [`Lines::next_line`], so that it can run in parallel.
///
/// # Errors
///
/// A `not_json` [`RecordError`] when the bytes are not UTF-8 or only whitespace.
pub(crate) fn text(bytes: Vec<u8>) -> Result<String, RecordError> {
    match String::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => Err(RecordError::new(RecordErrorKind::NotJson, "blank line")),
        Ok(text) => Ok(text),
        Err(e) => Err(RecordError::new(RecordErrorKind::NotJson, format!("not UTF-8: {}", e.utf8_error()))),
    }
}

/// A source of lines bounded in length.
pub(crate) struct Lines<R> {
    reader: R,
    limit: usize,
    number: u64,
    done: bool,
    /// The length of the last line read: the next line's buffer starts that large.
    last_len: usize,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`, each at most `limit` bytes (the newline aside).
    pub(crate) fn new(reader: R, limit: usize) -> Self {
        Lines { reader, limit, number: 0, done: false, last_len: 0 }
    }

    /// The next line with its number (from 1) and how many bytes it took, its bytes or why it
    /// has none (too long); `None` at the end.
    ///
    /// # Errors
    ///
    /// A read error.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<Line>> {
        if self.done {
            return Ok(None);
        }
        // `read_until` finds the newline with the standard library's fast byte search; `take`
        // bounds what it may store to one byte past the limit.
        let cap = u64::try_from(self.limit).unwrap_or(u64::MAX).saturating_add(1);
        let mut bytes = Vec::with_capacity(self.last_len);
        let mut taken = (&mut self.reader).take(cap).read_until(b'\n', &mut bytes)?;
        if taken == 0 {
            self.done = true;
            return Ok(None);
        }
        let ended = bytes.last() == Some(&b'\n');
        if ended {
            bytes.pop();
        }
        let too_long = bytes.len() > self.limit;
        if too_long && !ended {
            // Skip to the end of the line in bounded pieces, holding none of it.
            let mut scratch = Vec::with_capacity(1 << 16);
            loop {
                scratch.clear();
                let n = (&mut self.reader).take(1 << 16).read_until(b'\n', &mut scratch)?;
                taken += n;
                if n == 0 || scratch.last() == Some(&b'\n') {
                    break;
                }
            }
        }
        self.number += 1;
        let line = if too_long {
            Err(RecordError::new(
                RecordErrorKind::TooLong,
                format!("line of more than {} bytes (`--max-input-bytes`)", self.limit),
            ))
        } else {
            self.last_len = bytes.len() + 1;
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            Ok(bytes)
        };
        Ok(Some((self.number, taken, line)))
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    fn all(text: &[u8], limit: usize) -> Vec<(u64, Result<String, String>)> {
        let mut lines = Lines::new(std::io::BufReader::with_capacity(4, text), limit);
        let mut out = Vec::new();
        while let Some((n, _, l)) = lines.next_line().unwrap() {
            out.push((n, l.and_then(super::text).map_err(|e| e.kind().as_str().to_owned())));
        }
        out
    }

    #[test]
    fn bounded_lines() {
        let got = all(b"ab\r\n0123456789\n\nxy", 5);
        assert_eq!(
            got,
            vec![
                (1, Ok("ab".to_owned())),
                (2, Err("too_long".to_owned())),
                (3, Err("not_json".to_owned())),
                (4, Ok("xy".to_owned())),
            ]
        );
        assert_eq!(all(b"a\n", 5), vec![(1, Ok("a".to_owned()))]);
        assert_eq!(all(b"", 5), vec![]);
    }
}
