//! Member and primary expressions:
//!
//! ```text
//! Member  = Primary {"." ["?"] IDENT ["(" [ExprList] ")"] | "[" ["?"] Expr "]"
//!                   | "{" [FieldInits] [","] "}"}
//! Primary = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")" | "[" [ListInits] [","] "]"
//!         | "{" [MapInits] [","] "}" | LITERAL
//! ListInits = ["?"] Expr {"," ["?"] Expr}
//! MapInits  = ["?"] Expr ":" Expr {"," ["?"] Expr ":" Expr}
//! ```
//!
//! A message construction `Name{…}` is recognised only after a (possibly qualified, possibly
//! absolute) name that is not parenthesised. The optional syntax of the optional-values
//! extension is parsed: `x.?f` ([`ExprKind::OptSelect`]), `x[?k]` ([`ExprKind::OptIndex`]) and
//! the optional elements `[?e]` and `{?k: e}` ([`ExprKind::OptElement`]). Optional message
//! fields `T{?f: v}` and the `x?.f` of other languages are reported as unsupported, then parsed
//! as their plain forms.

use super::ast::{Expr, ExprKind, Ident};
use super::parser::{Delim, Node, Parser, Step};
use super::token::TokenKind;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};

/// Words that langdef reserves and that are not otherwise tokens: they may follow a `.` (as
/// a field or method name) or name a message field, but are not identifiers.
const RESERVED: [&str; 17] = [
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "namespace",
    "package",
    "return",
    "var",
    "void",
    "while",
];

/// `e`, marked optional when written after a `?` (spanning `question`).
fn optional_element(question: Option<Span>, e: Expr) -> Expr {
    match question {
        Some(q) => Expr::new(q.to(e.span), ExprKind::OptElement(Box::new(e))),
        None => e,
    }
}

impl Parser<'_> {
    /// `Primary` followed by any number of selections, calls, indexes and a message body.
    pub(super) fn member(&mut self, depth: usize) -> Node {
        let mut node = self.primary(depth);
        loop {
            let suffix = self.peek_span();
            node = match self.peek() {
                TokenKind::Dot => {
                    self.bump();
                    match self.select(node, depth) {
                        Ok(node) => node,
                        Err(node) => return node,
                    }
                }
                TokenKind::Question if self.optional_select_ahead() => {
                    self.bump();
                    let dot = self.bump();
                    self.unsupported(
                        suffix.to(dot),
                        "optional field selection `?.` is not supported",
                        "test for the field first, as in `has(x.field) ? x.field : other`",
                    );
                    match self.select(node, depth) {
                        Ok(node) => node,
                        Err(node) => return node,
                    }
                }
                TokenKind::LBracket => self.index(node, depth),
                TokenKind::LBrace => match self.struct_name(&node.expr) {
                    Some(name) => self.message(node.span(), name, depth),
                    None => break,
                },
                _ => break,
            };
            if !self.check_height(depth, node.height, suffix) {
                break;
            }
        }
        node
    }

    /// Whether the current `?` is directly followed by `.` and a name (`x?.f`).
    fn optional_select_ahead(&self) -> bool {
        let question = self.token(0).span;
        let dot = self.token(1);
        dot.kind == TokenKind::Dot && dot.span.start == question.end && self.token(2).kind == TokenKind::Ident
    }

    fn unsupported(&mut self, span: Span, message: &str, help: &str) {
        self.report(Diagnostic::error(DiagnosticKind::Unsupported, message).with_span(span).with_help(help));
    }

    /// After `operand .`: a field selection or a method call. `Err` gives back the operand
    /// when no name follows (reported).
    fn select(&mut self, operand: Node, depth: usize) -> Result<Node, Node> {
        let optional = self.eat(&TokenKind::Question);
        if matches!(self.peek(), TokenKind::True | TokenKind::False | TokenKind::Null | TokenKind::In) {
            // A keyword where a field name belongs: reported, then taken as the field name.
            let word = self.text(self.peek_span());
            let help =
                format!("`{word}` is a keyword; select the key with an index instead, as in `x['{word}']`");
            self.unexpected_with("a field name", Some(help));
        } else if *self.peek() != TokenKind::Ident {
            let after_int = matches!(operand.expr.kind, ExprKind::Int(_))
                && self.prev_end().start == operand.span().end.saturating_add(1);
            let help = after_int.then(|| "a double needs digits after the point, as in `1.0`".to_owned());
            self.unexpected_with("a field name", help);
            return Err(operand);
        }
        let name_span = self.bump();
        let field = Ident { name: self.text(name_span).to_owned(), span: name_span };
        if let Some(question) = optional {
            if *self.peek() == TokenKind::LParen {
                self.unsupported(
                    question.to(name_span),
                    "a method cannot be called with `.?`",
                    "call it with `.`, or map the optional value with `optMap`",
                );
            } else {
                let span = operand.span().to(name_span);
                let kind = ExprKind::OptSelect { operand: Box::new(operand.expr), field };
                return Ok(Node { expr: Expr::new(span, kind), height: operand.height + 1 });
            }
        }
        if *self.peek() == TokenKind::LParen {
            self.bump();
            let (args, end, args_height) = self.args(depth);
            let span = operand.span().to(end);
            let height = 1 + operand.height.max(args_height);
            return Ok(self.call(Some(operand), field, args, span, height));
        }
        let span = operand.span().to(name_span);
        let height = operand.height + 1;
        Ok(Node {
            expr: Expr::new(span, ExprKind::Select { operand: Box::new(operand.expr), field }),
            height,
        })
    }

    /// After `operand`, at `[`: an index.
    fn index(&mut self, operand: Node, depth: usize) -> Node {
        self.bump();
        let optional = self.eat(&TokenKind::Question).is_some();
        let index = self.expr(depth + 1);
        let end = self.close(Delim::Bracket);
        let height = 1 + operand.height.max(index.height);
        let span = operand.span().to(end);
        let (operand, index) = (Box::new(operand.expr), Box::new(index.expr));
        let kind =
            if optional { ExprKind::OptIndex { operand, index } } else { ExprKind::Index { operand, index } };
        Node { expr: Expr::new(span, kind), height }
    }

    /// After `(`: call arguments up to `)`. Returns them, the span of `)` and their greatest
    /// height (0 when there are none).
    fn args(&mut self, depth: usize) -> (Vec<Expr>, Span, usize) {
        let mut args = Vec::new();
        let mut height = 0;
        if let Some(end) = self.eat(&TokenKind::RParen) {
            return (args, end, height);
        }
        loop {
            if *self.peek() == TokenKind::RParen {
                self.unexpected_with("an expression", Some("remove the trailing `,`".to_owned()));
                return (args, self.bump(), height);
            }
            let arg = self.expr(depth + 1);
            height = height.max(arg.height);
            args.push(arg.expr);
            if let Step::End(end) = self.after_item(Delim::Paren, "`,` or `)`") {
                return (args, end, height);
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Node {
        match self.peek() {
            TokenKind::Int(_) | TokenKind::Uint(_) | TokenKind::Double(_) => self.number(None),
            TokenKind::String(_) | TokenKind::Bytes(_) => {
                let token = self.take();
                let kind = match token.kind {
                    TokenKind::String(s) => ExprKind::String(s),
                    TokenKind::Bytes(b) => ExprKind::Bytes(b),
                    _ => ExprKind::Error,
                };
                Node::leaf(token.span, kind)
            }
            TokenKind::True => Node::leaf(self.bump(), ExprKind::Bool(true)),
            TokenKind::False => Node::leaf(self.bump(), ExprKind::Bool(false)),
            TokenKind::Null => Node::leaf(self.bump(), ExprKind::Null),
            TokenKind::Error => Node::leaf(self.bump(), ExprKind::Error),
            TokenKind::Ident => self.name(None, depth),
            TokenKind::Dot => {
                let dot = self.bump();
                if *self.peek() == TokenKind::Ident {
                    self.name(Some(dot), depth)
                } else {
                    self.unexpected("a name after `.`");
                    self.error_node()
                }
            }
            TokenKind::LParen => {
                let open = self.bump();
                let inner = self.expr(depth + 1);
                let end = self.close(Delim::Paren);
                Node { expr: Expr::new(open.to(end), inner.expr.kind), height: inner.height + 1 }
            }
            TokenKind::LBracket => self.list(depth),
            TokenKind::LBrace => self.map(depth),
            _ => {
                self.unexpected("an expression");
                self.error_node()
            }
        }
    }

    /// The numeric literal at the current token, negated when `minus` (the span of a `-`
    /// before it) is given.
    pub(super) fn number(&mut self, minus: Option<Span>) -> Node {
        let token = self.take();
        let text = self.text(token.span);
        let span = minus.map_or(token.span, |m| m.to(token.span));
        let sign = if minus.is_some() { "-" } else { "" };
        let int_range = "ints range from `-9223372036854775808` to `9223372036854775807`";
        let kind = match token.kind {
            TokenKind::Int(Some(magnitude)) => {
                let value = if minus.is_some() { -i128::from(magnitude) } else { i128::from(magnitude) };
                if let Ok(v) = i64::try_from(value) {
                    ExprKind::Int(v)
                } else {
                    let help = if minus.is_some() {
                        int_range.to_owned()
                    } else {
                        format!("use a uint literal: `{text}u`")
                    };
                    let message = format!("integer literal `{sign}{text}` is out of range for int");
                    self.invalid_number(span, message, help);
                    ExprKind::Error
                }
            }
            TokenKind::Int(None) => {
                self.invalid_number(
                    span,
                    format!("integer literal `{sign}{text}` is out of range for int"),
                    int_range.to_owned(),
                );
                ExprKind::Error
            }
            TokenKind::Uint(Some(v)) => ExprKind::Uint(v),
            TokenKind::Uint(None) => {
                self.invalid_number(
                    span,
                    format!("integer literal `{text}` is out of range for uint"),
                    "uints go up to `18446744073709551615u`".to_owned(),
                );
                ExprKind::Error
            }
            TokenKind::Double(v) => ExprKind::Double(if minus.is_some() { -v } else { v }),
            _ => ExprKind::Error,
        };
        Node::leaf(span, kind)
    }

    fn invalid_number(&mut self, span: Span, message: String, help: String) {
        self.report(
            Diagnostic::error(DiagnosticKind::InvalidNumber, message).with_span(span).with_help(help),
        );
    }

    /// An identifier (after a leading `.` when `dot` is its span), or a global call.
    fn name(&mut self, dot: Option<Span>, depth: usize) -> Node {
        let span = self.bump();
        let text = self.text(span);
        if RESERVED.contains(&text) {
            let help = if matches!(text, "if" | "else") {
                "CEL has no `if`; write a conditional as `condition ? value : other`".to_owned()
            } else {
                format!("`{text}` is reserved in CEL; it can only be a field name, as in `x.{text}`")
            };
            self.report(
                Diagnostic::error(
                    DiagnosticKind::ReservedWord,
                    format!("reserved word `{text}` cannot be used as an identifier"),
                )
                .with_span(span)
                .with_help(help),
            );
        }
        let start = dot.unwrap_or(span);
        if *self.peek() == TokenKind::LParen {
            self.bump();
            let (args, end, args_height) = self.args(depth);
            // A call written `.f(…)` keeps its leading dot in the function name.
            let name = if dot.is_some() { format!(".{text}") } else { text.to_owned() };
            let function = Ident { name, span: start.to(span) };
            return self.call(None, function, args, start.to(end), 1 + args_height);
        }
        let name = Ident { name: text.to_owned(), span };
        Node::leaf(start.to(span), ExprKind::Ident { name, absolute: dot.is_some() })
    }

    /// At `[`: a list literal.
    fn list(&mut self, depth: usize) -> Node {
        let open = self.bump();
        let mut items = Vec::new();
        let mut height = 0;
        let end = loop {
            if let Some(end) = self.eat(&TokenKind::RBracket) {
                break end;
            }
            let question = self.eat(&TokenKind::Question);
            let item = self.expr(depth + 1);
            height = height.max(item.height);
            items.push(optional_element(question, item.expr));
            if let Step::End(end) = self.after_item(Delim::Bracket, "`,` or `]`") {
                break end;
            }
        };
        Node { expr: Expr::new(open.to(end), ExprKind::List(items)), height: height + 1 }
    }

    /// At `{`: a map literal.
    fn map(&mut self, depth: usize) -> Node {
        let open = self.bump();
        let mut entries = Vec::new();
        let mut height = 0;
        let end = loop {
            if let Some(end) = self.eat(&TokenKind::RBrace) {
                break end;
            }
            let question = self.eat(&TokenKind::Question);
            let key = self.expr(depth + 1);
            if self.eat(&TokenKind::Colon).is_none() {
                self.unexpected_with("`:`", Some("map entries are written `key: value`".to_owned()));
                match self.skip_to(Delim::Brace, true) {
                    Step::Next => continue,
                    Step::End(end) => break end,
                }
            }
            let value = self.expr(depth + 1);
            height = height.max(key.height).max(value.height);
            entries.push((key.expr, optional_element(question, value.expr)));
            if let Step::End(end) = self.after_item(Delim::Brace, "`,` or `}`") {
                break end;
            }
        };
        Node { expr: Expr::new(open.to(end), ExprKind::Map(entries)), height: height + 1 }
    }

    /// The dotted name `expr` spells (`a.b.C`, `.a.B`), if it is one and not parenthesised.
    fn struct_name(&self, expr: &Expr) -> Option<String> {
        if self.text(expr.span).starts_with('(') {
            return None;
        }
        let mut parts = Vec::new();
        let mut current = expr;
        loop {
            match &current.kind {
                ExprKind::Select { operand, field } => {
                    parts.push(field.name.as_str());
                    current = operand;
                }
                ExprKind::Ident { name, absolute } => {
                    parts.push(name.name.as_str());
                    parts.reverse();
                    let dot = if *absolute { "." } else { "" };
                    return Some(format!("{dot}{}", parts.join(".")));
                }
                _ => return None,
            }
        }
    }

    /// At `{` after the type name `name` (spanning `name_span`): a message construction.
    fn message(&mut self, name_span: Span, name: String, depth: usize) -> Node {
        self.bump();
        let mut fields = Vec::new();
        let mut height = 0;
        let end = loop {
            if let Some(end) = self.eat(&TokenKind::RBrace) {
                break end;
            }
            if let Some(question) = self.eat(&TokenKind::Question) {
                self.unsupported(
                    question,
                    "optional field initializers `?field:` are not supported",
                    "set the field unconditionally",
                );
            }
            if *self.peek() != TokenKind::Ident {
                self.unexpected("a field name");
                match self.skip_to(Delim::Brace, true) {
                    Step::Next => continue,
                    Step::End(end) => break end,
                }
            }
            let field_span = self.bump();
            let field = Ident { name: self.text(field_span).to_owned(), span: field_span };
            if self.eat(&TokenKind::Colon).is_none() {
                self.unexpected_with("`:`", Some("fields are initialized as `field: value`".to_owned()));
                match self.skip_to(Delim::Brace, true) {
                    Step::Next => continue,
                    Step::End(end) => break end,
                }
            }
            let value = self.expr(depth + 1);
            height = height.max(value.height);
            fields.push((field, value.expr));
            if let Step::End(end) = self.after_item(Delim::Brace, "`,` or `}`") {
                break end;
            }
        };
        let name = Ident { name, span: name_span };
        Node { expr: Expr::new(name_span.to(end), ExprKind::Struct { name, fields }), height: height + 1 }
    }
}
