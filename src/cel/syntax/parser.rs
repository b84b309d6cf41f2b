//! Recursive-descent parser for CEL, depth-limited.
//!
//! Grammar (langdef "Syntax"), lowest precedence first:
//!
//! ```text
//! Expr      = Or ["?" Or ":" Expr]
//! Or        = And {"||" And}                       flattened into ExprKind::Or
//! And       = Relation {"&&" Relation}             flattened into ExprKind::And
//! Relation  = Addition {("<"|"<="|">="|">"|"=="|"!="|"in") Addition}
//! Addition  = Multiplication {("+"|"-") Multiplication}
//! Multiplication = Unary {("*"|"/"|"%") Unary}
//! Unary     = {"!" | "-"} Member                    (see `primary.rs` for Member and Primary)
//! ```
//!
//! # Depth
//!
//! Every parse function takes `depth`, the nesting level at which the expression it returns
//! will sit (the root is at 1; a child is one deeper than its parent; parentheses count as a
//! level), and returns the [`Node`]'s height. Two checks keep the tree within
//! `Limits::max_expr_depth`: before descending, [`Parser::enter`] refuses a level beyond the
//! limit, which bounds the recursion (and so the stack); and whenever a loop wraps what it has
//! built so far in a new node (`a + b + …`, `a.b.c…`, `a[0][0]…`) [`Parser::check_height`]
//! refuses a tree that would reach past the limit. The first violation is reported once and
//! parsing stops. Each level of nesting takes about 2 KiB of stack in a release build (about
//! 7 KiB in a debug build), so the default limit of 64 stays far below any thread's stack.
//!
//! # Recovery
//!
//! An expression that cannot be parsed becomes [`ExprKind::Error`] and parsing goes on: a
//! missing operand is reported without consuming the token (an enclosing loop handles it), and
//! a bad list element, argument or entry skips to the next `,` or closing bracket of its level.

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::lexer;
use super::token::{Token, TokenKind, span};
use crate::Limits;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};

/// Parses `source` with `limits` (see [`super::parse`]).
pub(super) fn parse(source: &str, limits: &Limits) -> Result<Expr, Vec<Diagnostic>> {
    if source.len() > limits.max_expr_bytes {
        let message =
            format!("limit exceeded: expression size {} bytes > {}", source.len(), limits.max_expr_bytes);
        return Err(vec![
            Diagnostic::error(DiagnosticKind::LimitExceeded, message)
                .with_span(span(limits.max_expr_bytes, source.len()))
                .with_help("shorten the expression, or raise the `max_expr_bytes` limit"),
        ]);
    }
    let mut diags = Vec::new();
    let tokens = lexer::tokenize(source, &mut diags);
    if tokens.len() == 1 && !diags.is_empty() {
        // Nothing but characters that are not tokens, already reported.
        return Err(diags);
    }
    let mut parser = Parser {
        src: source,
        tokens,
        pos: 0,
        max_depth: limits.max_expr_depth,
        diags: Vec::new(),
        stopped_at: None,
        last_unexpected: None,
    };
    let expr = parser.root();
    if let Some(stop) = parser.stopped_at {
        // Parsing stopped at the limit: what the lexer found beyond that point was never parsed.
        diags.retain(|d| d.span().is_none_or(|s| s.start < stop));
    }
    diags.append(&mut parser.diags);
    if diags.is_empty() {
        Ok(expr)
    } else {
        diags.sort_by_key(|d| d.span().map(|s| s.start));
        Err(diags)
    }
}

/// A parsed expression and the height of its tree (a leaf is 1; parentheses count).
pub(super) struct Node {
    pub(super) expr: Expr,
    pub(super) height: usize,
}

impl Node {
    pub(super) fn leaf(span: Span, kind: ExprKind) -> Node {
        Node { expr: Expr::new(span, kind), height: 1 }
    }

    pub(super) fn span(&self) -> Span {
        self.expr.span
    }
}

/// The parser state. Its methods are spread over this file, `primary.rs` and `macros.rs`.
pub(super) struct Parser<'s> {
    src: &'s str,
    /// All tokens; the last is [`TokenKind::Eof`] and `pos` never moves past it.
    tokens: Vec<Token>,
    pos: usize,
    max_depth: usize,
    diags: Vec<Diagnostic>,
    /// Where parsing stopped because a limit was exceeded.
    stopped_at: Option<u32>,
    /// Offset of the last "unexpected token" report, so that one bad token is reported once.
    last_unexpected: Option<u32>,
}

static EOF: Token = Token { kind: TokenKind::Eof, span: Span::new(0, 0) };

/// Brackets, for skipping to the end of a bracketed list after an error.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Delim {
    Paren,
    Bracket,
    Brace,
}

impl Delim {
    fn closer(self) -> &'static str {
        match self {
            Delim::Paren => ")",
            Delim::Bracket => "]",
            Delim::Brace => "}",
        }
    }

    fn closes(self, kind: &TokenKind) -> bool {
        matches!(
            (self, kind),
            (Delim::Paren, TokenKind::RParen)
                | (Delim::Bracket, TokenKind::RBracket)
                | (Delim::Brace, TokenKind::RBrace)
        )
    }
}

/// What follows an element of a bracketed list.
pub(super) enum Step {
    /// A `,` was consumed: another element may follow.
    Next,
    /// The list ended; the span of its closing bracket, or of the last token when it is missing.
    End(Span),
}

// ---- tokens and diagnostics
impl<'s> Parser<'s> {
    pub(super) fn token(&self, ahead: usize) -> &Token {
        self.tokens.get(self.pos + ahead).or_else(|| self.tokens.last()).unwrap_or(&EOF)
    }

    pub(super) fn peek(&self) -> &TokenKind {
        &self.token(0).kind
    }

    pub(super) fn peek_span(&self) -> Span {
        self.token(0).span
    }

    /// The source text of `span`.
    pub(super) fn text(&self, span: Span) -> &'s str {
        self.src.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    /// Where the previous token ends (the start of the source before the first token).
    pub(super) fn prev_end(&self) -> Span {
        let end = self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)).map_or(0, |t| t.span.end);
        Span::new(end, end)
    }

    /// Consumes the current token (never the final `Eof`) and returns its span.
    pub(super) fn bump(&mut self) -> Span {
        let span = self.peek_span();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        span
    }

    /// Consumes the current token and returns it, leaving a placeholder behind.
    pub(super) fn take(&mut self) -> Token {
        let placeholder = Token { kind: TokenKind::Error, span: self.peek_span() };
        let token = match self.tokens.get_mut(self.pos) {
            Some(t) if t.kind != TokenKind::Eof => std::mem::replace(t, placeholder),
            _ => placeholder,
        };
        self.bump();
        token
    }

    /// Consumes the current token if it is `kind`.
    pub(super) fn eat(&mut self, kind: &TokenKind) -> Option<Span> {
        (self.peek() == kind).then(|| self.bump())
    }

    pub(super) fn stopped(&self) -> bool {
        self.stopped_at.is_some()
    }

    pub(super) fn report(&mut self, diag: Diagnostic) {
        if !self.stopped() {
            self.diags.push(diag);
        }
    }

    /// Reports the current token as unexpected where `expected` was wanted; `help` overrides
    /// the advice derived from the token. Tokens the lexer already reported are not reported.
    pub(super) fn unexpected_with(&mut self, expected: &str, help: Option<String>) {
        let token = self.token(0);
        let span = token.span;
        if token.kind == TokenKind::Error || self.last_unexpected == Some(span.start) {
            return;
        }
        let what = self.describe(token);
        let help = help.or_else(|| self.token_help(expected));
        self.last_unexpected = Some(span.start);
        let mut diag = Diagnostic::error(
            DiagnosticKind::UnexpectedToken,
            format!("unexpected {what}, expected {expected}"),
        )
        .with_span(span);
        if let Some(help) = help {
            diag = diag.with_help(help);
        }
        self.report(diag);
    }

    pub(super) fn unexpected(&mut self, expected: &str) {
        self.unexpected_with(expected, None);
    }

    fn describe(&self, token: &Token) -> String {
        let text = self.text(token.span);
        match &token.kind {
            TokenKind::Eof => "end of input".to_owned(),
            TokenKind::Ident => format!("identifier `{text}`"),
            TokenKind::Int(_) | TokenKind::Uint(_) | TokenKind::Double(_) => format!("number `{text}`"),
            TokenKind::String(_) => "string literal".to_owned(),
            TokenKind::Bytes(_) => "bytes literal".to_owned(),
            TokenKind::True | TokenKind::False | TokenKind::Null | TokenKind::In => {
                format!("keyword `{text}`")
            }
            _ => format!("token `{text}`"),
        }
    }

    /// Advice suggested by the unexpected current token itself.
    fn token_help(&self, expected: &str) -> Option<String> {
        let token = self.token(0);
        let after_operand = expected != "an expression";
        let prev = self.pos.checked_sub(1).and_then(|i| self.tokens.get(i));
        match &token.kind {
            TokenKind::Ident if after_operand => match self.text(token.span) {
                "and" => Some("use `&&` for logical and".to_owned()),
                "or" => Some("use `||` for logical or".to_owned()),
                _ => None,
            },
            TokenKind::String(_) | TokenKind::Bytes(_)
                if prev.is_some_and(|p| p.kind == TokenKind::Ident && p.span.end == token.span.start) =>
            {
                Some(
                    "a quote cannot follow a name; the only string prefixes are `r`, `b` and `br`".to_owned(),
                )
            }
            _ => None,
        }
    }

    /// Checks that an expression may sit at `depth`; otherwise reports the limit at the current
    /// token and stops parsing.
    pub(super) fn enter(&mut self, depth: usize) -> bool {
        if depth > self.max_depth {
            self.limit(depth, self.peek_span());
            return false;
        }
        !self.stopped()
    }

    /// Checks that a node of `height` may sit at `depth`; otherwise reports the limit at `span`
    /// and stops parsing.
    pub(super) fn check_height(&mut self, depth: usize, height: usize, span: Span) -> bool {
        let reached = depth + height.saturating_sub(1);
        if reached > self.max_depth {
            self.limit(reached, span);
            return false;
        }
        !self.stopped()
    }

    fn limit(&mut self, reached: usize, span: Span) {
        if self.stopped() {
            return;
        }
        let message = format!("limit exceeded: expression nesting depth {reached} > {}", self.max_depth);
        self.report(
            Diagnostic::error(DiagnosticKind::LimitExceeded, message)
                .with_span(span)
                .with_help("reduce the nesting, or raise the `max_expr_depth` limit"),
        );
        self.stopped_at = Some(span.start);
        // From here on every loop sees the end of input and unwinds.
        self.pos = self.tokens.len().saturating_sub(1);
    }

    /// An error node at the current token (which is not consumed).
    pub(super) fn error_node(&self) -> Node {
        let span = self.peek_span();
        Node::leaf(Span::new(span.start, span.start), ExprKind::Error)
    }

    /// After an element of a bracketed list: consumes a `,` or the closing bracket; on anything
    /// else reports it and skips to the next `,` or closing bracket of this level.
    pub(super) fn after_item(&mut self, delim: Delim, expected: &str) -> Step {
        if self.eat(&TokenKind::Comma).is_some() {
            return Step::Next;
        }
        if delim.closes(self.peek()) {
            return Step::End(self.bump());
        }
        self.unexpected(expected);
        self.skip_to(delim, true)
    }

    /// Consumes the closing bracket of `delim`, or reports its absence and skips to it.
    pub(super) fn close(&mut self, delim: Delim) -> Span {
        if delim.closes(self.peek()) {
            return self.bump();
        }
        self.unexpected(&format!("`{}`", delim.closer()));
        match self.skip_to(delim, false) {
            Step::End(span) => span,
            Step::Next => self.prev_end(),
        }
    }

    /// Skips tokens, keeping track of nested brackets, up to (and including) a `,` (when
    /// `at_comma`) or the closing bracket of `delim`; stops before a closing bracket of another
    /// kind or the end of input, taking the list as ended there.
    pub(super) fn skip_to(&mut self, delim: Delim, at_comma: bool) -> Step {
        let mut nested = 0usize;
        loop {
            match self.peek() {
                TokenKind::Eof => return Step::End(self.prev_end()),
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => nested += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace if nested == 0 => {
                    if delim.closes(self.peek()) {
                        return Step::End(self.bump());
                    }
                    return Step::End(self.prev_end());
                }
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => nested -= 1,
                TokenKind::Comma if nested == 0 && at_comma => {
                    self.bump();
                    return Step::Next;
                }
                _ => {}
            }
            self.bump();
        }
    }
}

/// Whether a token can begin an expression.
fn starts_expr(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Int(_)
            | TokenKind::Uint(_)
            | TokenKind::Double(_)
            | TokenKind::String(_)
            | TokenKind::Bytes(_)
            | TokenKind::Ident
            | TokenKind::True
            | TokenKind::False
            | TokenKind::Null
            | TokenKind::LParen
            | TokenKind::LBracket
            | TokenKind::LBrace
            | TokenKind::Dot
            | TokenKind::Bang
            | TokenKind::Minus
            | TokenKind::Error
    )
}

/// An infix operator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Infix {
    Or,
    And,
    Binary(BinaryOp),
}

/// The infix operator of a token, with its precedence (higher binds tighter).
fn infix_op(kind: &TokenKind) -> Option<(Infix, u8)> {
    Some(match kind {
        TokenKind::OrOr => (Infix::Or, 1),
        TokenKind::AndAnd => (Infix::And, 2),
        TokenKind::EqEq => (Infix::Binary(BinaryOp::Eq), 3),
        TokenKind::NotEq => (Infix::Binary(BinaryOp::Ne), 3),
        TokenKind::Lt => (Infix::Binary(BinaryOp::Lt), 3),
        TokenKind::Le => (Infix::Binary(BinaryOp::Le), 3),
        TokenKind::Gt => (Infix::Binary(BinaryOp::Gt), 3),
        TokenKind::Ge => (Infix::Binary(BinaryOp::Ge), 3),
        TokenKind::In => (Infix::Binary(BinaryOp::In), 3),
        TokenKind::Plus => (Infix::Binary(BinaryOp::Add), 4),
        TokenKind::Minus => (Infix::Binary(BinaryOp::Sub), 4),
        TokenKind::Star => (Infix::Binary(BinaryOp::Mul), 5),
        TokenKind::Slash => (Infix::Binary(BinaryOp::Div), 5),
        TokenKind::Percent => (Infix::Binary(BinaryOp::Rem), 5),
        _ => return None,
    })
}

// ---- expressions
impl Parser<'_> {
    /// The whole source: one expression, then the end. Text after a complete expression is
    /// reported, and the expressions found in it are parsed for more errors.
    fn root(&mut self) -> Expr {
        if *self.peek() == TokenKind::Eof {
            let span = self.peek_span();
            self.report(
                Diagnostic::error(DiagnosticKind::UnexpectedToken, "empty expression")
                    .with_span(span)
                    .with_help("write a CEL expression, such as `true`"),
            );
            return Expr::new(span, ExprKind::Error);
        }
        let expr = self.expr(1).expr;
        while *self.peek() != TokenKind::Eof {
            self.unexpected("an operator or the end of the expression");
            self.bump();
            while *self.peek() != TokenKind::Eof && !starts_expr(self.peek()) {
                self.bump();
            }
            if *self.peek() != TokenKind::Eof {
                let _ = self.expr(1);
            }
        }
        expr
    }

    /// `Or ["?" Or ":" Expr]`.
    pub(super) fn expr(&mut self, depth: usize) -> Node {
        if !self.enter(depth) {
            return self.error_node();
        }
        let cond = self.binary(1, depth);
        if *self.peek() != TokenKind::Question {
            return cond;
        }
        let question = self.bump();
        let then = self.binary(1, depth + 1);
        let otherwise = if self.eat(&TokenKind::Colon).is_some() {
            self.expr(depth + 1)
        } else {
            self.unexpected_with(
                "`:`",
                Some("a conditional is written `condition ? value : other`".to_owned()),
            );
            self.error_node()
        };
        let height = 1 + cond.height.max(then.height).max(otherwise.height);
        let span = cond.span().to(otherwise.span()).to(then.span());
        let kind = ExprKind::Conditional {
            cond: Box::new(cond.expr),
            then: Box::new(then.expr),
            otherwise: Box::new(otherwise.expr),
        };
        self.check_height(depth, height, question);
        Node { expr: Expr::new(span, kind), height }
    }

    /// `||`, `&&`, relations, additions and multiplications, by precedence climbing: an
    /// operand, then operators of precedence `min_prec` or higher with their right operands.
    /// `&&` and `||` collect a run of operands into one node; the others are left-associative.
    fn binary(&mut self, min_prec: u8, depth: usize) -> Node {
        let mut lhs = self.unary(depth);
        while let Some((op, prec)) = infix_op(self.peek()) {
            if prec < min_prec {
                break;
            }
            let op_span = self.bump();
            lhs = match op {
                Infix::Binary(op) => {
                    let rhs = self.binary(prec + 1, depth + 1);
                    let height = 1 + lhs.height.max(rhs.height);
                    let span = lhs.span().to(rhs.span());
                    let kind =
                        ExprKind::Binary { op, op_span, lhs: Box::new(lhs.expr), rhs: Box::new(rhs.expr) };
                    Node { expr: Expr::new(span, kind), height }
                }
                Infix::And | Infix::Or => {
                    let op_token = if op == Infix::And { TokenKind::AndAnd } else { TokenKind::OrOr };
                    let mut height = lhs.height;
                    let mut operands = vec![lhs.expr];
                    loop {
                        let next = self.binary(prec + 1, depth + 1);
                        height = height.max(next.height);
                        operands.push(next.expr);
                        if self.eat(&op_token).is_none() {
                            break;
                        }
                    }
                    let span = operands.first().map(|e| e.span).unwrap_or_default();
                    let span = operands.last().map_or(span, |e| span.to(e.span));
                    let kind =
                        if op == Infix::And { ExprKind::And(operands) } else { ExprKind::Or(operands) };
                    Node { expr: Expr::new(span, kind), height: height + 1 }
                }
            };
            if !self.check_height(depth, lhs.height, op_span) {
                break;
            }
        }
        lhs
    }

    /// `{"!" | "-"} Member`. A `-` directly before a numeric literal (not followed by `.` or
    /// `[`) is folded into the literal, so that `-9223372036854775808` is an int.
    fn unary(&mut self, depth: usize) -> Node {
        if !self.enter(depth) {
            return self.error_node();
        }
        let mut ops: Vec<(UnaryOp, Span)> = Vec::new();
        loop {
            let op = match self.peek() {
                TokenKind::Bang => UnaryOp::Not,
                TokenKind::Minus => UnaryOp::Neg,
                _ => break,
            };
            let fold = op == UnaryOp::Neg
                && matches!(self.token(1).kind, TokenKind::Int(_) | TokenKind::Double(_))
                && !matches!(self.token(2).kind, TokenKind::Dot | TokenKind::LBracket);
            if fold {
                // This `-` becomes part of the literal, which sits where the `-` does.
                let minus = self.bump();
                let literal = self.number(Some(minus));
                return Self::wrap_unary(ops, literal);
            }
            if !self.enter(depth + ops.len() + 1) {
                return self.error_node();
            }
            ops.push((op, self.bump()));
        }
        let operand = self.member(depth + ops.len());
        Self::wrap_unary(ops, operand)
    }

    /// Applies the prefix operators `ops` (outermost first) to `node`.
    fn wrap_unary(ops: Vec<(UnaryOp, Span)>, mut node: Node) -> Node {
        for (op, op_span) in ops.into_iter().rev() {
            let span = op_span.to(node.span());
            node = Node {
                expr: Expr::new(span, ExprKind::Unary { op, operand: Box::new(node.expr) }),
                height: node.height + 1,
            };
        }
        node
    }
}
