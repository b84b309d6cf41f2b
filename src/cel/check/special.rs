//! Specialized nodes for the shapes policies are made of: a field of a variable, a comparison
//! with a constant string or int, membership in a constant list of strings, `join` with a
//! constant separator. Each has the same
//! semantics as the general node it replaces and skips its dispatch (`x == "a"` compares
//! strings directly instead of going through heterogeneous equality).

use crate::cel::eval::{CmpOp, Node};
use crate::cel::value::Value;

/// A string constant.
fn const_str(n: &Node) -> Option<&str> {
    match n.as_const() {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// An int constant.
fn const_int(n: &Node) -> Option<i64> {
    match n.as_const() {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
    }
}

/// `a == b` (or `a != b` when `negate`), specialized when one side is a string constant.
pub(super) fn equality(pair: [Node; 2], negate: bool) -> Node {
    let [a, b] = pair;
    match (const_str(&a).map(Box::<str>::from), const_str(&b).map(Box::<str>::from)) {
        (None, Some(value)) => Node::EqStr { operand: Box::new(a), value, negate },
        (Some(value), None) => Node::EqStr { operand: Box::new(b), value, negate },
        _ => {
            if negate {
                Node::Ne(Box::new([a, b]))
            } else {
                Node::Eq(Box::new([a, b]))
            }
        }
    }
}

/// `a op b`, specialized when one side is an int constant.
pub(super) fn ordering(op: CmpOp, pair: [Node; 2]) -> Node {
    let [a, b] = pair;
    match (const_int(&a), const_int(&b)) {
        (None, Some(value)) => Node::CmpInt { op, operand: Box::new(a), value },
        (Some(value), None) => Node::CmpInt { op: flip(op), operand: Box::new(b), value },
        _ => Node::Cmp(op, Box::new([a, b])),
    }
}

/// `a in b`, specialized when `b` is a constant list of strings.
pub(super) fn membership(pair: [Node; 2]) -> Node {
    let [a, b] = pair;
    let strings: Option<Vec<Box<str>>> = match b.as_const() {
        Some(Value::List(l)) => l.iter().map(|v| v.as_str().map(Box::<str>::from)).collect(),
        _ => None,
    };
    match strings {
        Some(list) if !list.is_empty() => Node::InStrs { operand: Box::new(a), list: list.into() },
        _ => Node::In(Box::new([a, b])),
    }
}

/// `operand.field`, fused with the operand when it is a variable.
pub(super) fn field(operand: Node, field: crate::cel::eval::FieldRef) -> Node {
    match operand {
        Node::Global(slot) => Node::GlobalField { slot, field },
        Node::Local { depth, index } => Node::LocalField { depth, index, field },
        other => Node::Select(Box::new(other), field),
    }
}

/// A call resolved to one overload, specialized for `list.join()` and `list.join("sep")` with
/// a constant separator.
pub(super) fn call(overload: &'static crate::cel::stdlib::Overload, args: Vec<Node>) -> Node {
    let sep = match (overload.id, args.as_slice()) {
        ("list_join", [_]) => Some(None),
        ("list_join_string", [_, sep]) => const_str(sep).map(|s| Some(Box::<str>::from(s))),
        _ => None,
    };
    match sep {
        Some(sep) => match args.into_iter().next() {
            Some(list) => Node::Join { list: Box::new(list), sep },
            None => Node::Fail(crate::cel::value::EvalError::no_such_overload("`join` without a list")),
        },
        None => Node::Call(overload, args.into()),
    }
}
