//! A reader for the protocol-buffer text format, as far as the cel-spec test files use it:
//! messages, repeated fields, strings (with escapes and adjacent-string concatenation),
//! numbers and identifiers, `#` comments, and extension or `Any` field names in brackets.
//! It keeps no schema: every field is a name and either a scalar's text or a message.

use std::fmt;

/// A message: its fields in order (a repeated field appears once per value).
#[derive(Debug, Default)]
pub struct Message {
    pub fields: Vec<(String, Field)>,
}

/// The value of one field.
#[derive(Debug)]
pub enum Field {
    /// A string literal, escapes decoded (bytes: a `bytes_value` need not be UTF-8).
    Str(Vec<u8>),
    /// A number, identifier or enum constant, as written.
    Word(String),
    /// A nested message.
    Message(Message),
}

/// A syntax error, at a byte offset.
#[derive(Debug)]
pub struct Error {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl Message {
    /// The first value of field `name`.
    pub fn get(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// Every value of field `name`.
    pub fn all<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m Field> + 'm {
        self.fields.iter().filter(move |(n, _)| n == name).map(|(_, f)| f)
    }

    /// The first value of field `name`, when it is a message.
    pub fn message(&self, name: &str) -> Option<&Message> {
        match self.get(name) {
            Some(Field::Message(m)) => Some(m),
            _ => None,
        }
    }

    /// The first value of field `name` as text (a string's UTF-8, or a word).
    pub fn text(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Field::Str(b) => Some(String::from_utf8_lossy(b).into_owned()),
            Field::Word(w) => Some(w.clone()),
            Field::Message(_) => None,
        }
    }

    /// Whether field `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Parses a whole file as one message.
pub fn parse(text: &str) -> Result<Message, Error> {
    let mut p = Parser { src: text.as_bytes(), pos: 0 };
    let m = p.message(None)?;
    Ok(m)
}

struct Parser<'s> {
    src: &'s [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error<T>(&self, message: impl Into<String>) -> Result<T, Error> {
        Err(Error { offset: self.pos, message: message.into() })
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// Skips white space and comments.
    fn skip(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'#' {
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == b'\n' {
                        break;
                    }
                }
            } else if c.is_ascii_whitespace() {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Fields up to `close` (`}` or `>`), or to the end of the text for the top level.
    fn message(&mut self, close: Option<u8>) -> Result<Message, Error> {
        let mut m = Message::default();
        loop {
            self.skip();
            match (self.peek(), close) {
                (None, None) => return Ok(m),
                (None, Some(_)) => return self.error("unexpected end of text"),
                (Some(c), Some(end)) if c == end => {
                    self.pos += 1;
                    return Ok(m);
                }
                _ => {}
            }
            let name = self.field_name()?;
            let colon = self.eat(b':');
            self.skip();
            let value = match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    Field::Message(self.message(Some(b'}'))?)
                }
                Some(b'<') => {
                    self.pos += 1;
                    Field::Message(self.message(Some(b'>'))?)
                }
                Some(b'[') if colon => {
                    // A list of values: each becomes one value of the field.
                    self.pos += 1;
                    loop {
                        if self.eat(b']') {
                            break;
                        }
                        let v = self.scalar_or_message()?;
                        m.fields.push((name.clone(), v));
                        self.eat(b',');
                    }
                    self.eat(b',') || self.eat(b';');
                    continue;
                }
                _ if colon => self.scalar()?,
                _ => return self.error(format!("expected `:` or a message after `{name}`")),
            };
            m.fields.push((name, value));
            // Optional separators.
            let _ = self.eat(b',') || self.eat(b';');
        }
    }

    fn scalar_or_message(&mut self) -> Result<Field, Error> {
        self.skip();
        if self.peek() == Some(b'{') {
            self.pos += 1;
            return Ok(Field::Message(self.message(Some(b'}'))?));
        }
        self.scalar()
    }

    fn field_name(&mut self) -> Result<String, Error> {
        self.skip();
        if self.peek() == Some(b'[') {
            let start = self.pos;
            while let Some(c) = self.peek() {
                self.pos += 1;
                if c == b']' {
                    return Ok(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned());
                }
            }
            return self.error("unterminated `[`");
        }
        let w = self.word();
        if w.is_empty() { self.error("expected a field name") } else { Ok(w) }
    }

    fn word(&mut self) -> String {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'+') {
                self.pos += 1;
            } else {
                break;
            }
        }
        String::from_utf8_lossy(&self.src[start..self.pos]).into_owned()
    }

    fn scalar(&mut self) -> Result<Field, Error> {
        self.skip();
        match self.peek() {
            Some(b'"' | b'\'') => {
                let mut out = Vec::new();
                // Adjacent strings concatenate.
                while matches!(self.peek(), Some(b'"' | b'\'')) {
                    self.string(&mut out)?;
                    self.skip();
                }
                Ok(Field::Str(out))
            }
            _ => {
                let w = self.word();
                if w.is_empty() { self.error("expected a value") } else { Ok(Field::Word(w)) }
            }
        }
    }

    /// One quoted string, appended to `out` with its escapes decoded.
    fn string(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let Some(quote) = self.peek() else { return self.error("expected a string") };
        self.pos += 1;
        loop {
            let Some(c) = self.peek() else { return self.error("unterminated string") };
            self.pos += 1;
            if c == quote {
                return Ok(());
            }
            if c != b'\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek() else { return self.error("unterminated escape") };
            self.pos += 1;
            match e {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                b'a' => out.push(7),
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'v' => out.push(11),
                b'0'..=b'7' => {
                    let mut v = u32::from(e - b'0');
                    for _ in 0..2 {
                        match self.peek() {
                            Some(d @ b'0'..=b'7') => {
                                v = v * 8 + u32::from(d - b'0');
                                self.pos += 1;
                            }
                            _ => break,
                        }
                    }
                    out.push((v & 0xff) as u8);
                }
                b'x' | b'X' => {
                    let v = self.hex(2)?;
                    out.push((v & 0xff) as u8);
                }
                b'u' => self.code_point(4, out)?,
                b'U' => self.code_point(8, out)?,
                other => out.push(other),
            }
        }
    }

    /// Up to `most` hex digits (at least one).
    fn hex(&mut self, most: usize) -> Result<u32, Error> {
        let mut v = 0u32;
        let mut n = 0;
        while n < most {
            match self.peek().and_then(|c| char::from(c).to_digit(16)) {
                Some(d) => {
                    v = v * 16 + d;
                    self.pos += 1;
                    n += 1;
                }
                None => break,
            }
        }
        if n == 0 { self.error("expected hex digits") } else { Ok(v) }
    }

    fn code_point(&mut self, digits: usize, out: &mut Vec<u8>) -> Result<(), Error> {
        let v = self.hex(digits)?;
        match char::from_u32(v) {
            Some(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            // A lone surrogate: kept as its (invalid) UTF-8-like encoding, so that the string is
            // not valid UTF-8 and the test is skipped.
            None => out.extend_from_slice(&[0xed, 0xa0 | ((v >> 6) & 0x1f) as u8, 0x80 | (v & 0x3f) as u8]),
        }
        Ok(())
    }
}
