//! Tokens of CEL text.
//!
//! The lexer walks the source as bytes and produces every token up front, ending with
//! [`TokenKind::Eof`]. Identifiers and punctuation carry only their span; literals carry their
//! decoded value. Problems (a stray character, a malformed number, a bad escape, a missing
//! closing quote) are reported as diagnostics and lexing goes on: a malformed literal becomes
//! [`TokenKind::Error`], which the parser accepts as an expression without reporting again.

use super::literals;
use super::token::{Token, TokenKind, span};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// Splits `src` into tokens, the last one [`TokenKind::Eof`], reporting problems to `diags`.
pub(super) fn tokenize(src: &str, diags: &mut Vec<Diagnostic>) -> Vec<Token> {
    let mut lexer = Lexer { src, bytes: src.as_bytes(), pos: 0, tokens: Vec::new(), diags };
    lexer.run();
    lexer.tokens.push(Token { kind: TokenKind::Eof, span: span(src.len(), src.len()) });
    lexer.tokens
}

struct Lexer<'s, 'd> {
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
    tokens: Vec<Token>,
    diags: &'d mut Vec<Diagnostic>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'s> Lexer<'s, '_> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn text(&self, start: usize, end: usize) -> &'s str {
        self.src.get(start..end).unwrap_or("")
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        self.tokens.push(Token { kind, span: span(start, end) });
        self.pos = end;
    }

    fn run(&mut self) {
        while let Some(b) = self.byte(self.pos) {
            let start = self.pos;
            let next = self.byte(start + 1);
            let two = |kind: TokenKind| (kind, start + 2);
            let one = |kind: TokenKind| (kind, start + 1);
            let (kind, end) = match b {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0C => {
                    self.pos += 1;
                    continue;
                }
                b'/' if next == Some(b'/') => {
                    // A comment runs to the next line feed (a lone carriage return does not end it).
                    let rest = self.bytes.get(start..).unwrap_or_default();
                    self.pos = rest.iter().position(|&c| c == b'\n').map_or(self.bytes.len(), |i| start + i);
                    continue;
                }
                b'0'..=b'9' => {
                    self.number(start);
                    continue;
                }
                b'.' if next.is_some_and(|c| c.is_ascii_digit()) => {
                    self.number(start);
                    continue;
                }
                b'"' | b'\'' => {
                    self.string(start, start, false, false);
                    continue;
                }
                _ if is_ident_start(b) => {
                    self.ident_or_prefixed_string(start);
                    continue;
                }
                b'(' => one(TokenKind::LParen),
                b')' => one(TokenKind::RParen),
                b'[' => one(TokenKind::LBracket),
                b']' => one(TokenKind::RBracket),
                b'{' => one(TokenKind::LBrace),
                b'}' => one(TokenKind::RBrace),
                b'.' => one(TokenKind::Dot),
                b',' => one(TokenKind::Comma),
                b':' => one(TokenKind::Colon),
                b'?' => one(TokenKind::Question),
                b'+' => one(TokenKind::Plus),
                b'-' => one(TokenKind::Minus),
                b'*' => one(TokenKind::Star),
                b'/' => one(TokenKind::Slash),
                b'%' => one(TokenKind::Percent),
                b'!' if next == Some(b'=') => two(TokenKind::NotEq),
                b'!' => one(TokenKind::Bang),
                b'<' if next == Some(b'=') => two(TokenKind::Le),
                b'<' => one(TokenKind::Lt),
                b'>' if next == Some(b'=') => two(TokenKind::Ge),
                b'>' => one(TokenKind::Gt),
                b'=' if next == Some(b'=') => two(TokenKind::EqEq),
                b'&' if next == Some(b'&') => two(TokenKind::AndAnd),
                b'|' if next == Some(b'|') => two(TokenKind::OrOr),
                // A lone `=`, `&` or `|` is almost always a typo for the doubled operator: report it
                // and carry on as if it had been written, so that the rest is checked normally.
                b'=' => self.mistyped(start, "=", TokenKind::EqEq, "use `==` to compare"),
                b'&' => self.mistyped(start, "&", TokenKind::AndAnd, "use `&&` for logical and"),
                b'|' => self.mistyped(start, "|", TokenKind::OrOr, "use `||` for logical or"),
                _ => {
                    self.unexpected_chars(start);
                    continue;
                }
            };
            self.push(kind, start, end);
        }
    }

    fn mistyped(&mut self, start: usize, text: &str, kind: TokenKind, help: &str) -> (TokenKind, usize) {
        self.diags.push(
            Diagnostic::error(DiagnosticKind::UnexpectedCharacter, format!("unexpected `{text}`"))
                .with_span(span(start, start + 1))
                .with_help(help),
        );
        (kind, start + 1)
    }

    /// Reports a run of characters that cannot start a token, and skips it.
    fn unexpected_chars(&mut self, start: usize) {
        let rest = self.src.get(start..).unwrap_or("");
        let mut end = start;
        let mut count = 0usize;
        let mut first = None;
        for c in rest.chars() {
            let starts_token = c.is_ascii()
                && (is_ident_char(c as u8) || b" \t\n\r\x0c\"'()[]{}.,:?+-*/%!<>=&|".contains(&(c as u8)));
            if starts_token {
                break;
            }
            first.get_or_insert(c);
            count += 1;
            end += c.len_utf8();
        }
        let shown: String = self.text(start, end).chars().flat_map(char::escape_debug).collect();
        let quoted = if shown.contains('`') { format!("`` {shown} ``") } else { format!("`{shown}`") };
        let message = if count == 1 {
            format!("unexpected character {quoted}")
        } else {
            format!("unexpected characters {quoted}")
        };
        let mut diag =
            Diagnostic::error(DiagnosticKind::UnexpectedCharacter, message).with_span(span(start, end));
        if let Some(help) = first.and_then(char_help) {
            diag = diag.with_help(help);
        }
        self.diags.push(diag);
        self.pos = end.max(start + 1);
    }

    fn ident_or_prefixed_string(&mut self, start: usize) {
        let rest = self.bytes.get(start..).unwrap_or_default();
        let end = start + rest.iter().position(|&b| !is_ident_char(b)).unwrap_or(rest.len());
        let text = self.text(start, end);
        if matches!(self.byte(end), Some(b'"' | b'\'')) {
            let prefix = match text {
                "r" | "R" => Some((true, false)),
                "b" | "B" => Some((false, true)),
                "br" | "bR" | "Br" | "BR" => Some((true, true)),
                "rb" | "rB" | "Rb" | "RB" => {
                    self.diags.push(
                        Diagnostic::error(
                            DiagnosticKind::UnexpectedToken,
                            format!("invalid string prefix `{text}`"),
                        )
                        .with_span(span(start, end))
                        .with_help("write raw bytes literals with the `b` first, as in `br'…'`"),
                    );
                    Some((true, true))
                }
                _ => None,
            };
            if let Some((raw, bytes)) = prefix {
                self.string(start, end, raw, bytes);
                return;
            }
        }
        let kind = match text {
            "true" => TokenKind::True,
            "false" => TokenKind::False,
            "null" => TokenKind::Null,
            "in" => TokenKind::In,
            _ => TokenKind::Ident,
        };
        self.push(kind, start, end);
    }

    fn string(&mut self, start: usize, quote: usize, raw: bool, bytes: bool) {
        let (kind, end) = literals::scan_quoted(self.src, start, quote, raw, bytes, self.diags);
        self.push(kind, start, end);
    }

    /// Lexes a number starting at `start` (a digit, or a `.` followed by a digit).
    fn number(&mut self, start: usize) {
        let digits_from = |lexer: &Self, at: usize, hex: bool| {
            let rest = lexer.bytes.get(at..).unwrap_or_default();
            at + rest
                .iter()
                .position(|b| if hex { !b.is_ascii_hexdigit() } else { !b.is_ascii_digit() })
                .unwrap_or(rest.len())
        };
        if self.byte(start) == Some(b'0') && self.byte(start + 1) == Some(b'x') {
            let end = digits_from(self, start + 2, true);
            let digits = self.text(start + 2, end);
            let (unsigned, end) =
                if matches!(self.byte(end), Some(b'u' | b'U')) { (true, end + 1) } else { (false, end) };
            if digits.is_empty() || self.byte(end).is_some_and(is_ident_char) {
                self.malformed_number(start, end);
                return;
            }
            let value = u64::from_str_radix(digits, 16).ok();
            self.push(if unsigned { TokenKind::Uint(value) } else { TokenKind::Int(value) }, start, end);
            return;
        }
        let mut end = digits_from(self, start, false);
        let mut double = false;
        if self.byte(end) == Some(b'.') && self.byte(end + 1).is_some_and(|b| b.is_ascii_digit()) {
            end = digits_from(self, end + 1, false);
            double = true;
        }
        if matches!(self.byte(end), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.byte(end + 1), Some(b'+' | b'-')));
            if self.byte(end + 1 + sign).is_some_and(|b| b.is_ascii_digit()) {
                end = digits_from(self, end + 1 + sign, false);
                double = true;
            }
        }
        let unsigned = !double && matches!(self.byte(end), Some(b'u' | b'U'));
        if unsigned {
            end += 1;
        }
        if self.byte(end).is_some_and(is_ident_char) {
            self.malformed_number(start, end);
            return;
        }
        let text = self.text(start, end);
        let kind = if double {
            match text.parse::<f64>() {
                Ok(value) if value.is_finite() => TokenKind::Double(value),
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            DiagnosticKind::InvalidNumber,
                            format!("double literal `{text}` is out of range"),
                        )
                        .with_span(span(start, end))
                        .with_help("doubles go up to about `1.8e308`"),
                    );
                    TokenKind::Error
                }
            }
        } else if unsigned {
            TokenKind::Uint(text.get(..text.len().saturating_sub(1)).and_then(|t| t.parse().ok()))
        } else {
            TokenKind::Int(text.parse().ok())
        };
        self.push(kind, start, end);
    }

    /// Reports a number run together with letters (`12ab`, `1.5u`, `0x`, `1e`) and skips it.
    fn malformed_number(&mut self, start: usize, end: usize) {
        let rest = self.bytes.get(end..).unwrap_or_default();
        let end = end + rest.iter().position(|&b| !is_ident_char(b)).unwrap_or(rest.len());
        let text = self.text(start, end);
        let lower = text.to_ascii_lowercase();
        let help = if text.starts_with("0X") {
            "hex literals start with a lowercase `0x`, as in `0x1F`"
        } else if lower.starts_with("0x") {
            "write a hex literal as `0x` followed by hex digits, like `0x1F`, optionally with a `u` suffix"
        } else if (lower.contains('.') || lower.contains('e')) && lower.ends_with('u') {
            "only integer literals can have a `u` suffix"
        } else if lower.ends_with('e') {
            "an exponent needs digits, as in `1e3`"
        } else {
            "a number cannot be followed directly by letters or `_`"
        };
        self.diags.push(
            Diagnostic::error(DiagnosticKind::InvalidNumber, format!("invalid number literal `{text}`"))
                .with_span(span(start, end))
                .with_help(help),
        );
        self.push(TokenKind::Error, start, end);
    }
}

/// Advice for a character that cannot appear outside a string.
fn char_help(c: char) -> Option<&'static str> {
    match c {
        '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' => {
            Some("use straight quotes `\"` or `'` around strings")
        }
        '`' => Some("use `\"` or `'` around strings"),
        ';' => Some("a CEL expression is a single expression, without `;`"),
        _ if c.is_whitespace() => Some("only spaces, tabs, line breaks and form feeds may separate tokens"),
        _ if c.is_alphanumeric() => Some("identifiers may contain only ASCII letters, digits and `_`"),
        _ => None,
    }
}
