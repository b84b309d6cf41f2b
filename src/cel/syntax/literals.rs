//! String and bytes literals: quoting forms and escape sequences (langdef "String and Bytes
//! Values").
//!
//! A literal is quoted with `'`, `"`, `'''` or `"""`; single-quoted forms end at a line break,
//! triple-quoted ones may span lines. A raw literal (`r` prefix) keeps backslashes as written and
//! ends at the first closing delimiter. Otherwise the escapes are `\a`, `\b`, `\f`, `\n`, `\r`,
//! `\t`, `\v`, `\\`, `\?`, `\"`, `\'`, a backslash before a backtick, octal `\000` to `\377`,
//! `\xHH` (also `\XHH`), `\uHHHH` and `\UHHHHHHHH`. In a string every escape denotes a code point,
//! which must be a Unicode scalar value; in bytes octal and hex escapes denote one byte each,
//! and `\u` / `\U` escapes are invalid (langdef: "valid only for string literals").

use super::token::{TokenKind, span};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// Scans the literal whose first quote is at `quote` (its prefix, if any, starts at `start`).
///
/// Returns the token and the offset just past it. Problems are pushed to `diags`; an
/// unterminated literal becomes [`TokenKind::Error`], one with bad escapes keeps the rest of
/// its text.
pub(super) fn scan_quoted(
    src: &str,
    start: usize,
    quote: usize,
    raw: bool,
    bytes: bool,
    diags: &mut Vec<Diagnostic>,
) -> (TokenKind, usize) {
    let text = src.as_bytes();
    let at = |i: usize| text.get(i).copied();
    let Some(q) = at(quote) else { return (TokenKind::Error, quote) };
    let triple = at(quote + 1) == Some(q) && at(quote + 2) == Some(q);
    let delimiter = if triple { 3 } else { 1 };
    let mut out = Vec::new();
    let mut run = quote + delimiter;
    let mut i = run;
    let what = if bytes { "bytes" } else { "string" };
    let quotes = if q == b'"' { "\"" } else { "'" }.repeat(delimiter);
    loop {
        match at(i) {
            None => {
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::UnterminatedString,
                        format!("unterminated {what} literal"),
                    )
                    .with_span(span(start, i))
                    .with_help(format!("add the closing `{quotes}`")),
                );
                return (TokenKind::Error, i);
            }
            Some(c) if c == q && (!triple || (at(i + 1) == Some(q) && at(i + 2) == Some(q))) => {
                out.extend_from_slice(text.get(run..i).unwrap_or_default());
                let value = if bytes {
                    TokenKind::Bytes(out)
                } else {
                    TokenKind::String(
                        String::from_utf8(out)
                            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                    )
                };
                return (value, i + delimiter);
            }
            Some(b'\n' | b'\r') if !triple => {
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::UnterminatedString,
                        format!("unterminated {what} literal"),
                    )
                    .with_span(span(start, i))
                    .with_help(format!(
                        "add the closing `{quotes}` before the end of the line; a literal that spans lines \
                             needs triple quotes `{quotes}{quotes}{quotes}`"
                    )),
                );
                return (TokenKind::Error, i);
            }
            Some(b'\\') if !raw && !triple && matches!(at(i + 1), Some(b'\n' | b'\r')) => {
                // The line break ends the literal, which is reported as unterminated next.
                i += 1;
            }
            Some(b'\\') if !raw => {
                out.extend_from_slice(text.get(run..i).unwrap_or_default());
                i += match escape(src, i, bytes, &mut out) {
                    Ok(len) => len,
                    Err(e) => {
                        let mut diag = Diagnostic::error(DiagnosticKind::InvalidEscape, e.message)
                            .with_span(span(i, i + e.len));
                        if let Some(help) = e.help {
                            diag = diag.with_help(help);
                        }
                        diags.push(diag);
                        e.len
                    }
                };
                run = i;
            }
            Some(_) => i += 1,
        }
    }
}

/// Why an escape sequence is invalid, and how much of it to skip.
struct EscapeError {
    len: usize,
    message: String,
    help: Option<String>,
}

fn escape_error(src: &str, at: usize, len: usize, help: Option<String>) -> EscapeError {
    let shown = src.get(at..at + len).unwrap_or("\\");
    EscapeError { len, message: format!("invalid escape sequence `{shown}`"), help }
}

/// Decodes the escape sequence whose backslash is at `at`, appending its value to `out`.
/// Returns its length in bytes.
fn escape(src: &str, at: usize, bytes: bool, out: &mut Vec<u8>) -> Result<usize, EscapeError> {
    let text = src.as_bytes();
    let Some(c) = src.get(at + 1..).and_then(|rest| rest.chars().next()) else {
        // A backslash at the very end: the literal is unterminated, which is reported next.
        return Ok(1);
    };
    let simple = match c {
        'a' => Some(0x07),
        'b' => Some(0x08),
        'f' => Some(0x0C),
        'n' => Some(b'\n'),
        'r' => Some(b'\r'),
        't' => Some(b'\t'),
        'v' => Some(0x0B),
        '\\' | '?' | '"' | '\'' | '`' => Some(c as u8),
        _ => None,
    };
    if let Some(b) = simple {
        out.push(b);
        return Ok(2);
    }
    match c {
        'x' | 'X' | 'u' | 'U' => {
            let want = match c {
                'x' | 'X' => 2,
                'u' => 4,
                _ => 8,
            };
            let digits = text.get(at + 2..).unwrap_or_default().iter().take(want);
            let found = digits.take_while(|b| b.is_ascii_hexdigit()).count();
            if found < want {
                let help = format!("`\\{c}` must be followed by {want} hexadecimal digits");
                return Err(escape_error(src, at, 2 + found, Some(help)));
            }
            let hex = src.get(at + 2..at + 2 + want).unwrap_or("0");
            let value = u32::from_str_radix(hex, 16).unwrap_or(0);
            let len = 2 + want;
            if bytes && want > 2 {
                // langdef: `\u` and `\U` are "valid only for string literals".
                let help =
                    "`\\u` and `\\U` escapes are for strings; in bytes write each byte as `\\xHH`".to_owned();
                return Err(escape_error(src, at, len, Some(help)));
            }
            if bytes && want == 2 {
                out.push(value as u8);
                return Ok(len);
            }
            if let Some(ch) = char::from_u32(value) {
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                Ok(len)
            } else {
                let (len, help) = code_point_help(src, at, value);
                Err(escape_error(src, at, len, Some(help)))
            }
        }
        '0'..='3' => {
            let digits = text.get(at + 2..at + 4).unwrap_or_default();
            let octal = digits.iter().take_while(|b| (b'0'..=b'7').contains(b)).count();
            if octal < 2 {
                let help = "an octal escape has three digits, from `\\000` to `\\377`".to_owned();
                return Err(escape_error(src, at, 2 + octal, Some(help)));
            }
            let value = text
                .get(at + 1..at + 4)
                .unwrap_or_default()
                .iter()
                .fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
            if bytes {
                out.push(value as u8);
            } else {
                let ch = char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER);
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
            }
            Ok(4)
        }
        '4'..='7' => {
            let digits = text.get(at + 2..at + 4).unwrap_or_default();
            let octal = digits.iter().take_while(|b| (b'0'..=b'7').contains(b)).count();
            let help = "octal escapes go from `\\000` to `\\377`".to_owned();
            Err(escape_error(src, at, 2 + octal, Some(help)))
        }
        '\n' | '\r' => Err(EscapeError {
            len: 1,
            message: "invalid escape sequence: `\\` at the end of a line".to_owned(),
            help: Some("CEL has no line continuations; write `\\n` for a line break".to_owned()),
        }),
        _ => {
            let len = 1 + c.len_utf8();
            let help = "write `\\\\` for a backslash, or use a raw string such as `r'\\d+'`".to_owned();
            if c.is_control() {
                let shown: String = c.escape_debug().collect();
                return Err(EscapeError {
                    len,
                    message: format!("invalid escape sequence: `\\` followed by `{shown}`"),
                    help: Some(help),
                });
            }
            Err(escape_error(src, at, len, Some(help)))
        }
    }
}

/// Advice for a `\u` / `\U` escape that is not a Unicode scalar value, and the length of the
/// sequence to report (a surrogate pair is reported as one).
fn code_point_help(src: &str, at: usize, value: u32) -> (usize, String) {
    let len = if src.get(at + 1..at + 2) == Some("u") { 6 } else { 10 };
    if len == 6 && (0xD800..0xDC00).contains(&value) {
        // A high surrogate: if a low one follows, suggest the code point of the pair.
        let low = src
            .get(at + 6..at + 12)
            .and_then(|s| s.strip_prefix("\\u"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .filter(|v| (0xDC00..0xE000).contains(v));
        if let Some(low) = low {
            let code = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00);
            let help = format!("surrogate pairs are not allowed; write the code point as `\\U{code:08X}`");
            return (12, help);
        }
    }
    let help = if (0xD800..0xE000).contains(&value) {
        "surrogate code points are not characters; use `\\U` with the code point of the character"
    } else {
        "code points go up to `\\U0010FFFF`"
    };
    (len, help.to_owned())
}
