//! Constant folding: a node whose inputs are all constants is evaluated at compile time.
//!
//! A fold that fails leaves the node as it is, so the error happens at run time, where CEL
//! says it does (`1 / 0` is an evaluation error, not a compile error). Folding spends from a
//! budget of its own (the evaluation limit, for the whole expression): a constant expression too
//! costly to evaluate at load time is reported as a load error, since it would exceed the
//! budget at every evaluation too.

use super::{Checker, Typed};
use crate::cel::eval::{Ctx, NoVariables, Node};
use crate::cel::value::EvalErrorKind;

fn is_const(n: &Node) -> bool {
    matches!(n, Node::Const(_))
}

fn foldable(node: &Node) -> bool {
    match node {
        Node::Select(op, _) | Node::Has(op, _) | Node::Not(op) | Node::Neg(op) | Node::Matches(op, _) => {
            is_const(op)
        }
        Node::Prepared(op, _) | Node::Join { list: op, .. } => is_const(op),
        Node::Index(p) | Node::Eq(p) | Node::Ne(p) | Node::In(p) | Node::Arith(_, p) | Node::Cmp(_, p) => {
            p.iter().all(is_const)
        }
        Node::List(items) | Node::Concat(items) => items.iter().all(is_const),
        Node::Map(entries) => entries.iter().all(|(k, v)| is_const(k) && is_const(v)),
        Node::Call(_, args) | Node::Dispatch { args, .. } => args.iter().all(is_const),
        _ => false,
    }
}

/// `t` with its node replaced by a constant when it folds.
pub(super) fn fold(c: &mut Checker<'_>, t: Typed) -> Typed {
    if !foldable(&t.node) || c.fold_exhausted {
        return t;
    }
    let ctx = Ctx { activation: &NoVariables, budget: &c.fold_budget };
    let folded = t.node.eval(&ctx, None).map(|v| v.to_owned_value());
    match folded {
        Ok(v) => Typed { node: Node::Const(v), ty: t.ty },
        Err(e) => {
            if e.kind() == EvalErrorKind::CostLimitExceeded {
                c.fold_exhausted = true;
            }
            t
        }
    }
}
