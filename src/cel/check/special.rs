//! Specialized nodes for the shapes policies are made of: a field of a variable, a comparison
//! with a constant string or int, membership in a constant list of strings, `join` with a
//! constant separator. Each has the same
//! semantics as the general node it replaces and skips its dispatch (`x == "a"` compares
//! strings directly instead of going through heterogeneous equality).

use crate::cel::ir::{CmpOp, Node};
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

/// An operand of `||` (`&&` when `!is_or`) during [`merge_string_tests`].
enum Item {
    /// `operand == v1 || operand == v2 …` (`operand != v1 && …` under `&&`).
    Test(Box<Node>, Vec<Box<str>>),
    Other(Node),
}

/// A variable, a comprehension variable, or a field of one: reading it twice gives the same
/// value or error, at no cost.
fn plain_read(n: &Node) -> bool {
    matches!(n, Node::Global(_) | Node::Local { .. } | Node::GlobalField { .. } | Node::LocalField { .. })
}

fn same_read(a: &Node, b: &Node) -> bool {
    let same_field = |x: &crate::cel::ir::FieldRef, y: &crate::cel::ir::FieldRef| x.same_as(y);
    match (a, b) {
        (Node::Global(x), Node::Global(y)) => x == y,
        (Node::Local { depth: d1, index: i1 }, Node::Local { depth: d2, index: i2 }) => d1 == d2 && i1 == i2,
        (Node::GlobalField { slot: s1, field: f1 }, Node::GlobalField { slot: s2, field: f2 }) => {
            s1 == s2 && same_field(f1, f2)
        }
        (
            Node::LocalField { depth: d1, index: i1, field: f1 },
            Node::LocalField { depth: d2, index: i2, field: f2 },
        ) => d1 == d2 && i1 == i2 && same_field(f1, f2),
        _ => false,
    }
}

fn item(node: Node, is_or: bool) -> Item {
    match node {
        Node::EqStr { operand, value, negate } if negate != is_or && plain_read(&operand) => {
            Item::Test(operand, vec![value])
        }
        Node::InStrs { operand, list } if is_or && plain_read(&operand) => {
            Item::Test(operand, list.into_vec())
        }
        Node::Not(inner) if !is_or => match *inner {
            Node::InStrs { operand, list } if plain_read(&operand) => Item::Test(operand, list.into_vec()),
            other => Item::Other(Node::Not(Box::new(other))),
        },
        other => Item::Other(other),
    }
}

/// Merges neighbouring string tests of one variable or field in the operands of `||`
/// (`x == "a" || x == "b"` or `x in [...]`) into one `x in ["a", "b"]`, and in those of `&&`
/// (`x != "a" && x != "b"`) into `!(x in ["a", "b"])`: the same value and the same errors (a
/// value that is not a string equals none of them), read once.
pub(super) fn merge_string_tests(nodes: Vec<Node>, is_or: bool) -> Vec<Node> {
    let mut items: Vec<Item> = Vec::with_capacity(nodes.len());
    for node in nodes {
        let next = item(node, is_or);
        if let (Item::Test(operand, values), Some(Item::Test(last, merged))) = (&next, items.last_mut())
            && same_read(operand, last)
        {
            merged.extend(values.iter().cloned());
            continue;
        }
        items.push(next);
    }
    items
        .into_iter()
        .map(|item| match item {
            Item::Other(node) => node,
            Item::Test(operand, mut values) if values.len() == 1 => match values.pop() {
                Some(value) => Node::EqStr { operand, value, negate: !is_or },
                None => Node::InStrs { operand, list: values.into() },
            },
            Item::Test(operand, values) => {
                let test = Node::InStrs { operand, list: values.into() };
                if is_or { test } else { Node::Not(Box::new(test)) }
            }
        })
        .collect()
}

/// `operand.field`, fused with the operand when it is a variable.
pub(super) fn field(operand: Node, field: crate::cel::ir::FieldRef) -> Node {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(index: u8, value: &str, negate: bool) -> Node {
        Node::EqStr { operand: Box::new(Node::Local { depth: 0, index }), value: value.into(), negate }
    }

    fn tested(n: &Node) -> Option<(u8, Vec<&str>)> {
        match n {
            Node::InStrs { operand, list } => match **operand {
                Node::Local { index, .. } => Some((index, list.iter().map(|s| &**s).collect())),
                _ => None,
            },
            _ => None,
        }
    }

    #[test]
    fn neighbouring_tests_of_one_variable_merge() {
        let merged = merge_string_tests(vec![eq(0, "a", false), eq(0, "b", false), eq(1, "c", false)], true);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged.first().and_then(tested), Some((0, vec!["a", "b"])));
        assert!(matches!(merged.get(1), Some(Node::EqStr { negate: false, .. })));

        let merged = merge_string_tests(vec![eq(0, "a", true), eq(0, "b", true)], false);
        match merged.as_slice() {
            [Node::Not(inner)] => assert_eq!(tested(inner), Some((0, vec!["a", "b"]))),
            _ => panic!("not merged into one negated membership test"),
        }
    }

    #[test]
    fn tests_of_the_other_polarity_stay_apart() {
        // `x != "a" || x != "b"` and `x == "a" && x == "b"` are not membership tests.
        assert_eq!(merge_string_tests(vec![eq(0, "a", true), eq(0, "b", true)], true).len(), 2);
        assert_eq!(merge_string_tests(vec![eq(0, "a", false), eq(0, "b", false)], false).len(), 2);
    }
}
