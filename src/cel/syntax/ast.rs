//! The spanned syntax tree of a CEL expression.
//!
//! Macros (`has`, `all`, `exists`, `exists_one`, `map`, `filter`, the two-variable forms,
//! `sortBy`, `cel.bind`, `optMap` and `optFlatMap`) are recognised by the parser and kept as
//! [`ExprKind::Macro`] nodes rather than expanded into comprehensions, so that the checker can
//! report errors in the user's own terms.

use crate::diagnostic::Span;

/// An expression with the span of text it was parsed from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expr {
    /// Where the expression is in the source.
    pub span: Span,
    /// What the expression is.
    pub kind: ExprKind,
}

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ident {
    /// The name as written (without a leading `.`).
    pub name: String,
    /// Where the name is in the source.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An int literal (decimal or hex). `-9223372036854775808` is parsed as one literal.
    Int(i64),
    /// A uint literal (`1u`, `0x1U`).
    Uint(u64),
    /// A double literal (`1.5`, `1e3`, `.5`).
    Double(f64),
    /// A string literal, escapes decoded.
    String(String),
    /// A bytes literal, escapes decoded.
    Bytes(Vec<u8>),
    /// A variable or type name: `x`, `int`, or `.x` (leading dot recorded in `absolute`).
    Ident {
        /// The name.
        name: Ident,
        /// Whether it was written with a leading `.`.
        absolute: bool,
    },
    /// Field selection `operand.field`.
    Select {
        /// The expression selected from.
        operand: Box<Expr>,
        /// The field name.
        field: Ident,
    },
    /// Optional field selection `operand.?field`: an optional value holding the field, or
    /// none when the field or key is absent.
    OptSelect {
        /// The expression selected from.
        operand: Box<Expr>,
        /// The field name.
        field: Ident,
    },
    /// Optional indexing `operand[?index]`: an optional value holding the element, or none
    /// when the index or key is absent.
    OptIndex {
        /// The list or map indexed.
        operand: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
    /// An optional element `?e` of a list literal (`[?e]`) or the value of an optional map
    /// entry (`{?k: e}`): included only when the optional value `e` holds a value. The parser
    /// builds it nowhere else.
    OptElement(Box<Expr>),
    /// Indexing `operand[index]`.
    Index {
        /// The list or map indexed.
        operand: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
    /// A function call `f(args)` or a receiver-style call `target.f(args)`.
    Call {
        /// The receiver, for `target.f(args)`.
        target: Option<Box<Expr>>,
        /// The function name.
        function: Ident,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `!x` or `-x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A binary operator (not `&&` / `||`, which are [`ExprKind::And`] / [`ExprKind::Or`]).
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Where the operator token is.
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `a && b && …`, flattened: two or more operands.
    And(Vec<Expr>),
    /// `a || b || …`, flattened: two or more operands.
    Or(Vec<Expr>),
    /// `cond ? then : otherwise`.
    Conditional {
        /// The condition.
        cond: Box<Expr>,
        /// Value when true.
        then: Box<Expr>,
        /// Value when false.
        otherwise: Box<Expr>,
    },
    /// `[a, b, …]`.
    List(Vec<Expr>),
    /// `{k: v, …}`.
    Map(Vec<(Expr, Expr)>),
    /// A message construction `Name{field: value, …}` (parsed so that it can be reported as
    /// unsupported with a clear message).
    Struct {
        /// The dotted type name.
        name: Ident,
        /// Field initialisers.
        fields: Vec<(Ident, Expr)>,
    },
    /// A macro call.
    Macro(Box<Macro>),
    /// Stands in for a subexpression that failed to parse (errors already reported).
    Error,
}

/// A unary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    /// `!`.
    Not,
    /// `-`.
    Neg,
}

/// A binary operator other than `&&` and `||`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`.
    In,
}

impl BinaryOp {
    /// The operator as written.
    #[must_use]
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
        }
    }
}

/// Which macro a [`Macro`] node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacroKind {
    /// `has(e.f)`: `target` is `e`, `field` is `f`; no variables or arguments.
    Has,
    /// `r.all(x, p)` or `r.all(k, v, p)`.
    All,
    /// `r.exists(x, p)` or `r.exists(k, v, p)`.
    Exists,
    /// `r.exists_one(x, p)` / `r.existsOne(x, p)`, or with two variables.
    ExistsOne,
    /// `r.map(x, t)` (args `[t]`) or `r.map(x, p, t)` (args `[p, t]`).
    Map,
    /// `r.filter(x, p)`.
    Filter,
    /// `r.transformList(i, v, t)` or `r.transformList(i, v, p, t)`.
    TransformList,
    /// `r.transformMap(k, v, t)` or `r.transformMap(k, v, p, t)`.
    TransformMap,
    /// `r.transformMapEntry(k, v, e)` or `r.transformMapEntry(k, v, p, e)`, where `e` gives a
    /// map of entries to add.
    TransformMapEntry,
    /// `r.sortBy(x, key)`: the list sorted by the key of each element.
    SortBy,
    /// `cel.bind(x, init, body)`: `target` is `init`, `args` is `[body]`.
    Bind,
    /// `o.optMap(x, t)`: `optional.of(t)` with `x` bound to the value of `o`, or none.
    OptMap,
    /// `o.optFlatMap(x, t)`: `t` (an optional) with `x` bound to the value of `o`, or none.
    OptFlatMap,
}

impl MacroKind {
    /// The macro's name as written.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        match self {
            MacroKind::Has => "has",
            MacroKind::All => "all",
            MacroKind::Exists => "exists",
            MacroKind::ExistsOne => "exists_one",
            MacroKind::Map => "map",
            MacroKind::Filter => "filter",
            MacroKind::TransformList => "transformList",
            MacroKind::TransformMap => "transformMap",
            MacroKind::TransformMapEntry => "transformMapEntry",
            MacroKind::SortBy => "sortBy",
            MacroKind::Bind => "cel.bind",
            MacroKind::OptMap => "optMap",
            MacroKind::OptFlatMap => "optFlatMap",
        }
    }
}

/// A macro call, kept unexpanded.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Macro {
    /// Which macro.
    pub kind: MacroKind,
    /// The range (list or map) iterated, for `has` the operand whose field is tested, for
    /// `cel.bind` the initial value, for `optMap` / `optFlatMap` the optional value.
    pub target: Expr,
    /// For `has`: the field tested. Unused otherwise.
    pub field: Option<Ident>,
    /// Iteration variables: one, or two for the two-variable forms (index/key, value).
    pub vars: Vec<Ident>,
    /// The remaining arguments, in source order (predicate, filter, transform).
    pub args: Vec<Expr>,
}

impl Expr {
    /// A new expression.
    #[must_use]
    pub(crate) fn new(span: Span, kind: ExprKind) -> Self {
        Expr { span, kind }
    }

    /// The direct subexpressions, in source order (for a macro: its target, then its other
    /// arguments, which see the macro's variables).
    #[must_use]
    pub(crate) fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Select { operand, .. }
            | ExprKind::OptSelect { operand, .. }
            | ExprKind::OptElement(operand)
            | ExprKind::Unary { operand, .. } => vec![&**operand],
            ExprKind::Index { operand, index } | ExprKind::OptIndex { operand, index } => {
                vec![&**operand, &**index]
            }
            ExprKind::Binary { lhs, rhs, .. } => vec![&**lhs, &**rhs],
            ExprKind::Call { target, args, .. } => target.iter().map(|t| &**t).chain(args).collect(),
            ExprKind::And(items) | ExprKind::Or(items) | ExprKind::List(items) => items.iter().collect(),
            ExprKind::Conditional { cond, then, otherwise } => vec![&**cond, &**then, &**otherwise],
            ExprKind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
            ExprKind::Struct { fields, .. } => fields.iter().map(|(_, v)| v).collect(),
            ExprKind::Macro(m) => std::iter::once(&m.target).chain(&m.args).collect(),
            _ => Vec::new(),
        }
    }
}
