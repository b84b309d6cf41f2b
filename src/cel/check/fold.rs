//! Constant folding: a node whose inputs are all constants is evaluated at compile time.
//!
//! A fold that fails leaves the node as it is, so the error happens at run time, where CEL
//! says it does (`1 / 0` is an evaluation error, not a compile error). Folding spends from a
//! budget of its own (the evaluation limit, for the whole expression): a constant expression too
//! costly to evaluate at load time is reported as a load error, since it would exceed the
//! budget at every evaluation too.

use super::{Checker, Typed};
use crate::cel::eval::{Budget, Ctx, NoVariables};
use crate::cel::ir::Node;

/// The most steps folding one constant comprehension may take.
const COMPREHENSION_FOLD_STEPS: u64 = 10_000;
use crate::cel::value::EvalErrorKind;

fn is_const(n: &Node) -> bool {
    matches!(n, Node::Const(_))
}

/// The operands of a node that are evaluated in the node's own scope.
enum Operands<'n> {
    One(&'n Node),
    Many(&'n [Node]),
    Entries(&'n [(Node, Node)]),
}

impl Operands<'_> {
    fn all(&self, f: impl Fn(&Node) -> bool) -> bool {
        match self {
            Operands::One(n) => f(n),
            Operands::Many(nodes) => nodes.iter().all(f),
            Operands::Entries(entries) => entries.iter().all(|(k, v)| f(k) && f(v)),
        }
    }
}

/// The operands of `node`, when they are all it reads; `None` for leaves, macros and bindings
/// (whose bodies see another scope).
fn operands(node: &Node) -> Option<Operands<'_>> {
    Some(match node {
        Node::Select(op, _)
        | Node::OptSelect(op, _)
        | Node::Has(op, _)
        | Node::Not(op)
        | Node::Neg(op)
        | Node::Matches(op, _)
        | Node::Prepared(op, _)
        | Node::Join { list: op, .. }
        | Node::EqStr { operand: op, .. }
        | Node::CmpInt { operand: op, .. }
        | Node::InStrs { operand: op, .. } => Operands::One(op),
        Node::Index(p)
        | Node::OptIndex(p)
        | Node::Eq(p)
        | Node::Ne(p)
        | Node::In(p)
        | Node::Arith(_, p)
        | Node::Cmp(_, p)
        | Node::OptOr { pair: p, .. } => Operands::Many(&p[..]),
        Node::Cond(p) => Operands::Many(&p[..]),
        Node::List(items)
        | Node::ListOpt { items, .. }
        | Node::Concat(items)
        | Node::And(items)
        | Node::Or(items)
        | Node::Call(_, items)
        | Node::Dispatch { args: items, .. }
        | Node::Regex(_, items, _)
        | Node::Method { args: items, .. }
        | Node::DynMethod { args: items, .. } => Operands::Many(items),
        Node::Map(entries) | Node::MapOpt { entries, .. } => Operands::Entries(entries),
        _ => return None,
    })
}

fn foldable(node: &Node) -> bool {
    match node {
        // A macro over a constant list or map whose expressions read only its own variables
        // (`params.checks.map(c, c + "!")`): evaluated once here instead of at every run.
        Node::Comprehension(c) => {
            is_const(&c.range) && c.filter.as_ref().is_none_or(|f| closed(f, 1)) && closed(&c.body, 1)
        }
        // Conditions are decided by their constants while checking, the specialized tests are
        // built from nodes that did not fold, and methods need a host object.
        Node::Cond(_)
        | Node::And(_)
        | Node::Or(_)
        | Node::EqStr { .. }
        | Node::CmpInt { .. }
        | Node::InStrs { .. }
        | Node::Method { .. }
        | Node::DynMethod { .. } => false,
        other => operands(other).is_some_and(|o| o.all(is_const)),
    }
}

/// Whether `node` reads no variable but the comprehension variables of the `depth` innermost
/// scopes (so that it can be evaluated without an activation). Globals, even constant ones,
/// are never folded here: they are not constants of the expression.
fn closed(node: &Node, depth: u32) -> bool {
    match node {
        Node::Const(_) => true,
        Node::Local { depth: d, .. } | Node::LocalField { depth: d, .. } => *d < depth,
        Node::Comprehension(c) => {
            closed(&c.range, depth)
                && c.filter.as_ref().is_none_or(|f| closed(f, depth + 1))
                && closed(&c.body, depth + 1)
        }
        // The body sees one more scope.
        Node::Bind(p) | Node::OptApply { pair: p, .. } => {
            let [init, body] = &**p;
            closed(init, depth) && closed(body, depth + 1)
        }
        // Globals and failures are not constants; every other node is closed when its
        // operands are.
        other => operands(other).is_some_and(|o| o.all(|n| closed(n, depth))),
    }
}

/// `t` with its node replaced by a constant when it folds.
pub(super) fn fold(c: &mut Checker<'_>, t: Typed) -> Typed {
    if !foldable(&t.node) || c.fold_exhausted {
        return t;
    }
    if matches!(t.node, Node::Comprehension(_)) {
        // Only outside other macros, whose bodies run many times: folding an inner one would
        // hide its cost from the outer one's. Within the evaluation limit, so that folding
        // never turns a budget error into a value, and small, so that loading stays fast:
        // what costs more is left to run time.
        if !c.scopes.is_empty() {
            return t;
        }
        let budget = Budget::with_limits(&crate::Limits {
            max_eval_cost: c.env.limits().max_eval_cost.min(COMPREHENSION_FOLD_STEPS),
            ..c.env.limits().clone()
        });
        let ctx = Ctx { activation: &NoVariables, budget: &budget };
        return match t.node.eval(&ctx, None) {
            Ok(v) => Typed { node: Node::Const(v.to_owned_value()), ty: t.ty },
            Err(_) => t,
        };
    }
    let ctx = Ctx { activation: &NoVariables, budget: &c.fold_budget };
    let folded = t.node.eval(&ctx, None).map(|v| v.to_owned_value());
    match folded {
        Ok(v) => Typed { node: Node::Const(v), ty: t.ty },
        Err(e) => {
            if e.kind() == EvalErrorKind::CostLimitExceeded {
                c.fold_exhausted = true;
            } else if e.kind() == EvalErrorKind::LimitExceeded && c.fold_too_large.is_none() {
                c.fold_too_large = Some(e);
            }
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Limits;
    use crate::cel::{Env, Program, Type, Value};

    fn compile(env: &Env, source: &str) -> Program {
        env.compile(source).unwrap_or_else(|d| panic!("`{source}`: {d}"))
    }

    fn env() -> Env {
        let mut env = Env::new();
        env.declare("x", Type::Int);
        env
    }

    #[test]
    fn a_macro_over_constants_folds_to_its_value() {
        let env = env();
        for (source, want) in [
            ("[1, 2, 3].map(n, n * 2)", "[2, 4, 6]"),
            ("[1, 2, 3].filter(n, n > 1).size()", "2"),
            ("{'a': [1], 'b': [2, 3]}.transformList(k, v, v.size())", "[1, 2]"),
            ("[[1], [2, 3]].exists(l, l.exists(n, n == 3))", "true"),
        ] {
            let program = compile(&env, source);
            let folded = program.constant().unwrap_or_else(|| panic!("`{source}` did not fold"));
            assert_eq!(crate::cel::display::Canonical(folded).to_string(), want, "`{source}`");
        }
    }

    #[test]
    fn a_macro_reading_a_variable_or_failing_or_too_costly_is_left_to_run_time() {
        let env = env();
        let ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
        for source in [
            "[1, 2, 3].map(n, n + x)".to_owned(),
            "[1, 2, 3].map(n, [n].map(m, m + x))".to_owned(),
            "[1, 0].map(n, 6 / n)".to_owned(),
            // 10 000 steps and more: more than folding may spend.
            format!("{ten}.all(a, {ten}.all(b, {ten}.all(c, {ten}.all(d, a + b + c + d >= 0))))"),
        ] {
            assert!(compile(&env, &source).constant().is_none(), "`{source}` folded");
        }
        // Within a smaller evaluation limit, a macro costing more than the limit is not folded:
        // it fails at run time, as it would have without folding.
        let small = Env::with_limits(Limits { max_eval_cost: 50, ..Limits::default() });
        let program = compile(&small, &format!("{ten}.all(a, {ten}.all(b, a + b >= 0))"));
        assert!(program.constant().is_none());
        let budget = crate::cel::Budget::new(50);
        let err = program.evaluate_with(&crate::cel::NoVariables, &budget).unwrap_err();
        assert!(err.message().contains("budget"), "{err}");
        // An inner macro is not folded on its own, so the outer one pays for it at run time.
        let program = compile(&env, &format!("{ten}.filter(a, {ten}.all(b, b >= 0) && a < x).size()"));
        let budget = crate::cel::Budget::new(1_000_000);
        let vars: Vec<Value<'_>> = vec![Value::Int(1)];
        assert!(matches!(program.evaluate_with(&vars, &budget), Ok(Value::Int(1))));
        assert_eq!(budget.spent(), 110);
    }
}
