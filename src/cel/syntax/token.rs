//! Tokens of CEL text and the spans they cover, shared by the lexer and the literal scanner.

use crate::diagnostic::Span;

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum TokenKind {
    /// A decimal or hex int literal, unsigned; `None` when it does not fit in a `u64`. The
    /// parser checks the int range, which depends on a preceding `-`.
    Int(Option<u64>),
    /// A uint literal (`1u`); `None` when it does not fit in a `u64`.
    Uint(Option<u64>),
    /// A double literal.
    Double(f64),
    /// A string literal, escapes decoded.
    String(String),
    /// A bytes literal, escapes decoded.
    Bytes(Vec<u8>),
    /// An identifier, including the reserved words other than the four below.
    Ident,
    /// `true`.
    True,
    /// `false`.
    False,
    /// `null`.
    Null,
    /// `in`.
    In,
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `[`.
    LBracket,
    /// `]`.
    RBracket,
    /// `{`.
    LBrace,
    /// `}`.
    RBrace,
    /// `.`.
    Dot,
    /// `,`.
    Comma,
    /// `:`.
    Colon,
    /// `?`.
    Question,
    /// `+`.
    Plus,
    /// `-`.
    Minus,
    /// `*`.
    Star,
    /// `/`.
    Slash,
    /// `%`.
    Percent,
    /// `!`.
    Bang,
    /// `==`.
    EqEq,
    /// `!=`.
    NotEq,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `&&`.
    AndAnd,
    /// `||`.
    OrOr,
    /// A malformed literal, already reported.
    Error,
    /// The end of the source.
    Eof,
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    /// What it is.
    pub(super) kind: TokenKind,
    /// Where it is.
    pub(super) span: Span,
}

/// Converts a byte offset to the `u32` of [`Span`] (sources are far smaller than 4 GiB; larger
/// offsets saturate rather than wrap).
pub(super) fn offset(pos: usize) -> u32 {
    u32::try_from(pos).unwrap_or(u32::MAX)
}

/// A span from byte `start` to byte `end`.
pub(super) fn span(start: usize, end: usize) -> Span {
    Span::new(offset(start), offset(end))
}
