//! A normal form of compiled expressions, to tell when two conditions are the same.
//!
//! The form is text, equal for two programs when they are the same after these rewrites:
//! the operands of `&&` and `||` flattened, sorted and deduplicated; `!!x` is `x`; the sides of
//! `==` and `!=` sorted; `a > b` written `b < a` (and `>=` as `<=`); the strings of `x in [..]`
//! sorted. Variables are named by slot, or replaced by a caller's form (a policy inlines its
//! `let` entries). Two programs with the same form always give the same value; two with
//! different forms may still do (this is not a decision procedure).

use std::fmt::Write as _;

use super::display::Canonical;
use super::ir::{CmpOp, FieldRef, Node};
use super::program::Program;

/// Writes the normal form of programs, variables resolved by `global`.
pub(crate) struct Normalizer<'g> {
    /// The form of variable `slot`, when the caller has one (else it is written `$slot`).
    pub(crate) global: &'g dyn Fn(usize) -> Option<String>,
    /// The definition of variable `slot`, when it has one: its `&&` operands are operands of
    /// the conjunctions that read it.
    pub(crate) inline: &'g dyn Fn(usize) -> Option<&'g Program>,
}

/// The most operands a conjunction is flattened into.
const MAX_CONJUNCTS: usize = 10_000;

impl Normalizer<'_> {
    /// The normal form of `program`.
    pub(crate) fn program(&self, program: &Program) -> String {
        self.node(program.root())
    }

    /// The normal forms of the operands of a top-level `&&` (the whole program alone when it
    /// is something else), sorted and distinct.
    pub(crate) fn conjuncts(&self, program: &Program) -> Vec<String> {
        let mut out = Vec::new();
        self.flatten(program.root(), false, &mut out);
        out.sort();
        out.dedup();
        out
    }

    fn flatten(&self, node: &Node, is_or: bool, out: &mut Vec<String>) {
        if out.len() >= MAX_CONJUNCTS {
            return;
        }
        match (node, is_or) {
            (Node::Global(slot), false) if let Some(p) = (self.inline)(*slot) => {
                if matches!(p.root(), Node::And(_)) {
                    self.flatten(p.root(), false, out);
                } else {
                    out.push(self.node(node));
                }
            }
            (Node::And(items), false) | (Node::Or(items), true) => {
                for i in items {
                    self.flatten(i, is_or, out);
                }
            }
            _ => out.push(self.node(node)),
        }
    }

    fn field(field: &FieldRef) -> &str {
        field.name()
    }

    fn all(&self, nodes: &[Node]) -> String {
        nodes.iter().map(|n| self.node(n)).collect::<Vec<_>>().join(", ")
    }

    fn node(&self, node: &Node) -> String {
        match node {
            Node::Const(v) => Canonical(v).to_string(),
            Node::Global(slot) => (self.global)(*slot).unwrap_or_else(|| format!("${slot}")),
            Node::Local { depth, index } => format!("@{depth}.{index}"),
            Node::Select(operand, field) => format!("{}.{}", self.node(operand), Self::field(field)),
            Node::GlobalField { slot, field } => {
                let base = (self.global)(*slot).unwrap_or_else(|| format!("${slot}"));
                format!("{base}.{}", Self::field(field))
            }
            Node::LocalField { depth, index, field } => format!("@{depth}.{index}.{}", Self::field(field)),
            Node::EqStr { operand, value, negate } => {
                let s = Canonical(&super::Value::str(value)).to_string();
                Self::pair(if *negate { "!=" } else { "==" }, self.node(operand), s)
            }
            Node::CmpInt { op, operand, value } => {
                Self::compare(*op, &self.node(operand), &value.to_string())
            }
            Node::Cmp(op, pair) => {
                let [a, b] = &**pair;
                Self::compare(*op, &self.node(a), &self.node(b))
            }
            Node::Eq(pair) | Node::Ne(pair) => {
                let [a, b] = &**pair;
                let op = if matches!(node, Node::Eq(_)) { "==" } else { "!=" };
                Self::pair(op, self.node(a), self.node(b))
            }
            Node::InStrs { operand, list } => {
                let mut items: Vec<String> =
                    list.iter().map(|s| Canonical(&super::Value::str(s)).to_string()).collect();
                items.sort();
                items.dedup();
                format!("({} in [{}])", self.node(operand), items.join(", "))
            }
            Node::In(pair) => {
                let [a, b] = &**pair;
                format!("({} in {})", self.node(a), self.node(b))
            }
            Node::Not(inner) => match &**inner {
                Node::Not(x) => self.node(x),
                other => format!("!{}", self.node(other)),
            },
            Node::And(_) | Node::Or(_) => {
                let is_or = matches!(node, Node::Or(_));
                let mut items = Vec::new();
                self.flatten(node, is_or, &mut items);
                items.sort();
                items.dedup();
                format!("({})", items.join(if is_or { " || " } else { " && " }))
            }
            Node::Concat(parts) => format!("concat({})", self.all(parts)),
            Node::Join { list, sep } => format!("{}.join({sep:?})", self.node(list)),
            Node::Has(operand, field) => format!("has({}.{})", self.node(operand), Self::field(field)),
            Node::Index(pair) => {
                let [a, b] = &**pair;
                format!("{}[{}]", self.node(a), self.node(b))
            }
            Node::Neg(x) => format!("-{}", self.node(x)),
            Node::Cond(parts) => {
                let [c, t, e] = &**parts;
                format!("({} ? {} : {})", self.node(c), self.node(t), self.node(e))
            }
            Node::Arith(op, pair) => {
                let [a, b] = &**pair;
                format!("({} {} {})", self.node(a), op.symbol(), self.node(b))
            }
            Node::List(items) => format!("[{}]", self.all(items)),
            Node::Map(entries) => {
                let mut out = String::from("{");
                for (k, v) in entries {
                    let _ = write!(out, "{}: {}, ", self.node(k), self.node(v));
                }
                out.push('}');
                out
            }
            Node::Call(overload, args) => format!("{}({})", overload.id, self.all(args)),
            Node::Dispatch { name, args, .. } => format!("{name}({})", self.all(args)),
            Node::Method { index, args } => format!("method{index}({})", self.all(args)),
            Node::DynMethod { name, args } => format!("{name}({})", self.all(args)),
            Node::Matches(x, re) => format!("{}.matches({:?})", self.node(x), re.as_str()),
            Node::Regex(op, args, re) => format!("{op:?}({}, {:?})", self.all(args), re.as_str()),
            // A prepared call cannot be told apart from another of the same shape: never equal.
            Node::Prepared(x, f) => format!("prepared{:p}({})", std::sync::Arc::as_ptr(f), self.node(x)),
            Node::Comprehension(c) => {
                let filter = c.filter.as_ref().map(|f| self.node(f)).unwrap_or_default();
                format!(
                    "{}({}, {}, {filter}, {})",
                    c.kind.name(),
                    self.node(&c.range),
                    c.two_vars,
                    self.node(&c.body)
                )
            }
            Node::OptSelect(operand, field) => format!("{}.?{}", self.node(operand), Self::field(field)),
            Node::OptIndex(pair) => {
                let [a, b] = &**pair;
                format!("{}[?{}]", self.node(a), self.node(b))
            }
            Node::ListOpt { items, optional } => {
                let parts: Vec<String> = items
                    .iter()
                    .zip(optional.iter())
                    .map(|(n, opt)| format!("{}{}", if *opt { "?" } else { "" }, self.node(n)))
                    .collect();
                format!("[{}]", parts.join(", "))
            }
            Node::MapOpt { entries, optional } => {
                let mut out = String::from("{");
                for ((k, v), opt) in entries.iter().zip(optional.iter()) {
                    let mark = if *opt { "?" } else { "" };
                    let _ = write!(out, "{mark}{}: {}, ", self.node(k), self.node(v));
                }
                out.push('}');
                out
            }
            Node::OptOr { or_value, pair } => {
                let [a, b] = &**pair;
                let name = if *or_value { "orValue" } else { "or" };
                format!("{}.{name}({})", self.node(a), self.node(b))
            }
            Node::OptApply { flat, pair } => {
                let [a, b] = &**pair;
                let name = if *flat { "optFlatMap" } else { "optMap" };
                format!("{}.{name}({})", self.node(a), self.node(b))
            }
            Node::Bind(pair) => {
                let [a, b] = &**pair;
                format!("cel.bind({}, {})", self.node(a), self.node(b))
            }
            Node::Fail(e) => format!("fail({})", e.message()),
        }
    }

    fn pair(op: &str, a: String, b: String) -> String {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        format!("({a} {op} {b})")
    }

    fn compare(op: CmpOp, a: &str, b: &str) -> String {
        match op {
            CmpOp::Gt => format!("({b} < {a})"),
            CmpOp::Ge => format!("({b} <= {a})"),
            CmpOp::Lt | CmpOp::Le => format!("({a} {} {b})", op.symbol()),
        }
    }
}

/// The integers `program` can give when it is a constant or a choice (`?:`) between
/// constants; `None` when it computes anything else.
pub(crate) fn int_outcomes(program: &Program) -> Option<Vec<i64>> {
    let mut out = Vec::new();
    let mut stack = vec![program.root()];
    while let Some(node) = stack.pop() {
        match node {
            Node::Const(super::Value::Int(i)) => out.push(*i),
            Node::Cond(parts) => {
                let [_, t, e] = &**parts;
                stack.push(t);
                stack.push(e);
            }
            _ => return None,
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}
