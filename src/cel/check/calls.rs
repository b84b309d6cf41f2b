//! Operators, function calls and host-object methods: overload resolution by unification.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::prepare::Prep;
use super::{Checker, Typed, fold};
use crate::cel::ir::{ArithOp, CmpOp, Node};
use crate::cel::stdlib::{self, Overload};
use crate::cel::syntax::{BinaryOp, Expr, ExprKind, Ident, UnaryOp};
use crate::cel::types::Type;
use crate::diagnostic::{DiagnosticKind, Span};
use crate::fuzzy;

/// Bindings of type parameters `A`, `B`, … during one overload match.
#[derive(Default)]
struct Subst {
    bound: [Option<Type>; 4],
}

impl Subst {
    fn unify(&mut self, param: &Type, arg: &Type) -> bool {
        match (param, arg) {
            (Type::Param(p), _) => {
                let Some(slot) = self.bound.get_mut(usize::from(*p)) else { return false };
                match slot {
                    None => {
                        *slot = Some(arg.clone());
                        true
                    }
                    Some(b) => match widen(b, arg) {
                        Some(w) => {
                            *slot = Some(w);
                            true
                        }
                        None => false,
                    },
                }
            }
            (_, Type::Dyn) | (Type::Dyn, _) => true,
            (Type::List(p), Type::List(a)) | (Type::Optional(p), Type::Optional(a)) => self.unify(p, a),
            (Type::Map(pk, pv), Type::Map(ak, av)) => self.unify(pk, ak) && self.unify(pv, av),
            (p, a) => p == a,
        }
    }

    fn substitute(&self, t: &Type) -> Type {
        match t {
            Type::Param(p) => self.bound.get(usize::from(*p)).cloned().flatten().unwrap_or(Type::Dyn),
            Type::List(e) => Type::list(self.substitute(e)),
            Type::Map(k, v) => Type::map(self.substitute(k), self.substitute(v)),
            Type::Optional(t) => Type::optional(self.substitute(t)),
            other => other.clone(),
        }
    }
}

/// The type a parameter bound to `bound` takes when `arg` arrives too, if they agree.
fn widen(bound: &Type, arg: &Type) -> Option<Type> {
    match (bound, arg) {
        _ if bound == arg => Some(bound.clone()),
        (Type::Dyn, _) | (_, Type::Dyn) => Some(Type::Dyn),
        (Type::List(a), Type::List(b)) => widen(a, b).map(Type::list),
        (Type::Map(k1, v1), Type::Map(k2, v2)) => Some(Type::map(widen(k1, k2)?, widen(v1, v2)?)),
        (Type::Optional(a), Type::Optional(b)) => widen(a, b).map(Type::optional),
        _ => None,
    }
}

/// Matches `args` against `params`, returning the result type when they fit.
fn match_signature(params: &[Type], result: &Type, args: &[Type]) -> Option<Type> {
    if params.len() != args.len() {
        return None;
    }
    let mut s = Subst::default();
    for (p, a) in params.iter().zip(args) {
        if !s.unify(p, a) {
            return None;
        }
    }
    Some(s.substitute(result))
}

/// A binary operator node replaced by a specialized equivalent when one applies.
fn specialize_binary(node: Node) -> Node {
    match node {
        Node::Eq(pair) => super::special::equality(*pair, false),
        Node::Ne(pair) => super::special::equality(*pair, true),
        Node::Cmp(op, pair) => super::special::ordering(op, *pair),
        Node::In(pair) => super::special::membership(*pair),
        other => other,
    }
}

/// Builds the node of a binary operator from its operands.
type MakeNode = fn([Node; 2]) -> Node;

/// Signatures of an operator.
struct OpSigs {
    sigs: Vec<(Vec<Type>, Type)>,
}

impl OpSigs {
    fn result(&self, args: &[Type]) -> Option<Type> {
        let mut results = self.sigs.iter().filter_map(|(p, r)| match_signature(p, r, args));
        let first = results.next()?;
        Some(results.fold(first, |acc, r| super::super::types::join(&acc, &r)))
    }
}

fn a() -> Type {
    Type::Param(0)
}

fn b() -> Type {
    Type::Param(1)
}

struct Operators {
    add: OpSigs,
    sub: OpSigs,
    mul_div: OpSigs,
    rem: OpSigs,
    ordering: OpSigs,
    membership: OpSigs,
}

fn operators() -> &'static Operators {
    static OPS: OnceLock<Operators> = OnceLock::new();
    OPS.get_or_init(|| {
        use Type::{Bool, Bytes, Double, Duration, Int, String, Timestamp, Uint};
        let same = |types: &[Type], result: Option<Type>| -> Vec<(Vec<Type>, Type)> {
            types
                .iter()
                .map(|t| (vec![t.clone(), t.clone()], result.clone().unwrap_or_else(|| t.clone())))
                .collect()
        };
        let mut add = same(&[Int, Uint, Double, String, Bytes], None);
        add.push((vec![Type::list(a()), Type::list(a())], Type::list(a())));
        add.push((vec![Timestamp, Duration], Timestamp));
        add.push((vec![Duration, Timestamp], Timestamp));
        add.push((vec![Duration, Duration], Duration));
        let mut sub = same(&[Int, Uint, Double], None);
        sub.push((vec![Timestamp, Timestamp], Duration));
        sub.push((vec![Timestamp, Duration], Timestamp));
        sub.push((vec![Duration, Duration], Duration));
        let mut ordering = same(&[Int, Uint, Double, String, Bytes, Bool, Timestamp, Duration], Some(Bool));
        for (x, y) in [(Int, Uint), (Int, Double), (Uint, Int), (Uint, Double), (Double, Int), (Double, Uint)]
        {
            ordering.push((vec![x, y], Bool));
        }
        Operators {
            add: OpSigs { sigs: add },
            sub: OpSigs { sigs: sub },
            mul_div: OpSigs { sigs: same(&[Int, Uint, Double], None) },
            rem: OpSigs { sigs: same(&[Int, Uint], None) },
            ordering: OpSigs { sigs: ordering },
            membership: OpSigs {
                sigs: vec![(vec![a(), Type::list(a())], Bool), (vec![a(), Type::map(a(), b())], Bool)],
            },
        }
    })
}

/// Standard-library overloads by function name.
fn functions() -> &'static HashMap<&'static str, Vec<&'static Overload>> {
    static INDEX: OnceLock<HashMap<&'static str, Vec<&'static Overload>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<&'static Overload>> = HashMap::new();
        for ov in stdlib::overloads() {
            debug_assert_eq!(ov.imp.arity(), ov.params.len(), "overload {}", ov.id);
            m.entry(ov.function).or_default().push(ov);
        }
        m
    })
}

fn types_list(types: &[Type]) -> String {
    types.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// Advice for an operator applied to mismatched types.
fn operator_help(l: &Type, r: &Type) -> Option<String> {
    if l.is_numeric() && r.is_numeric() {
        return Some(
            "CEL does not convert between `int`, `uint` and `double` implicitly: convert one side with \
             `int()`, `uint()` or `double()`, or write the literal as `1u` or `1.0`"
                .into(),
        );
    }
    if matches!(l, Type::String) || matches!(r, Type::String) {
        return Some("convert the other operand with `string()`".into());
    }
    None
}

impl Checker<'_> {
    pub(super) fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> Typed {
        let t = self.expr(operand);
        let (node, ty) = match op {
            UnaryOp::Not => {
                if !matches!(t.ty, Type::Bool | Type::Dyn) {
                    return self.error(
                        DiagnosticKind::NoMatchingOverload,
                        span,
                        format!("no matching overload for `!` with argument type `{}`", t.ty),
                    );
                }
                (Node::Not(Box::new(t.node)), Type::Bool)
            }
            UnaryOp::Neg => {
                if !matches!(t.ty, Type::Int | Type::Double | Type::Dyn) {
                    return self.error(
                        DiagnosticKind::NoMatchingOverload,
                        span,
                        format!("no matching overload for `-` with argument type `{}`", t.ty),
                    );
                }
                let ty = t.ty.clone();
                (Node::Neg(Box::new(t.node)), ty)
            }
        };
        fold::fold(self, Typed::new(node, ty))
    }

    pub(super) fn binary(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Typed {
        let l = self.expr(lhs);
        let r = self.expr(rhs);
        let args = [l.ty.clone(), r.ty.clone()];
        let ops = operators();
        let (sigs, make): (Option<&OpSigs>, MakeNode) = match op {
            BinaryOp::Add => (Some(&ops.add), |p| Node::Arith(ArithOp::Add, Box::new(p))),
            BinaryOp::Sub => (Some(&ops.sub), |p| Node::Arith(ArithOp::Sub, Box::new(p))),
            BinaryOp::Mul => (Some(&ops.mul_div), |p| Node::Arith(ArithOp::Mul, Box::new(p))),
            BinaryOp::Div => (Some(&ops.mul_div), |p| Node::Arith(ArithOp::Div, Box::new(p))),
            BinaryOp::Rem => (Some(&ops.rem), |p| Node::Arith(ArithOp::Rem, Box::new(p))),
            BinaryOp::Lt => (Some(&ops.ordering), |p| Node::Cmp(CmpOp::Lt, Box::new(p))),
            BinaryOp::Le => (Some(&ops.ordering), |p| Node::Cmp(CmpOp::Le, Box::new(p))),
            BinaryOp::Gt => (Some(&ops.ordering), |p| Node::Cmp(CmpOp::Gt, Box::new(p))),
            BinaryOp::Ge => (Some(&ops.ordering), |p| Node::Cmp(CmpOp::Ge, Box::new(p))),
            BinaryOp::In => (Some(&ops.membership), |p| Node::In(Box::new(p))),
            BinaryOp::Eq => (None, |p| Node::Eq(Box::new(p))),
            BinaryOp::Ne => (None, |p| Node::Ne(Box::new(p))),
        };
        let result = match sigs {
            Some(s) => s.result(&args),
            None => comparable(&l.ty, &r.ty).then_some(Type::Bool),
        };
        let Some(ty) = result else {
            let help = operator_help(&l.ty, &r.ty);
            return self.error_help(
                DiagnosticKind::NoMatchingOverload,
                op_span,
                format!(
                    "no matching overload for `{}` with argument types ({})",
                    op.symbol(),
                    types_list(&args)
                ),
                help,
            );
        };
        let t = fold::fold(self, Typed::new(make([l.node, r.node]), ty));
        if t.ty == Type::String
            && let Node::Arith(ArithOp::Add, pair) = t.node
        {
            // `a + b + c` on strings: one allocation for the whole chain.
            let mut parts = Vec::new();
            for n in *pair {
                match n {
                    Node::Concat(inner) => parts.extend(inner.into_vec()),
                    other => parts.push(other),
                }
            }
            return Typed::new(Node::Concat(parts.into()), t.ty);
        }
        Typed { node: specialize_binary(t.node), ty: t.ty }
    }

    pub(super) fn call(
        &mut self,
        target: Option<&Expr>,
        function: &Ident,
        args: &[Expr],
        span: Span,
    ) -> Typed {
        if let Some(t) = target
            && let Some(name) = self.namespaced(t, function)
        {
            let qualified = Ident { name, span: t.span.to(function.span) };
            return self.call(None, &qualified, args, span);
        }
        if target.is_none() && args.len() > 2 && stdlib::math::VARIADIC.contains(&function.name.as_str()) {
            // `math.greatest(a, b, c…)` is `math.greatest([a, b, c…])`.
            let items = args.first().map_or(span, |a| a.span).to(args.last().map_or(span, |a| a.span));
            let list = Expr { span: items, kind: ExprKind::List(args.to_vec()) };
            return self.call(None, function, std::slice::from_ref(&list), span);
        }
        let target_t = target.map(|t| self.expr(t));
        let arg_ts: Vec<Typed> = args.iter().map(|a| self.expr(a)).collect();
        let mut arg_types: Vec<Type> = Vec::with_capacity(arg_ts.len() + 1);
        if let Some(t) = &target_t {
            arg_types.push(t.ty.clone());
        }
        arg_types.extend(arg_ts.iter().map(|t| t.ty.clone()));
        let mut nodes: Vec<Node> = Vec::with_capacity(arg_types.len());
        let receiver_ty = target_t.as_ref().map(|t| t.ty.clone());
        if let Some(t) = target_t {
            nodes.push(t.node);
        }
        nodes.extend(arg_ts.into_iter().map(|t| t.node));

        if let Some(Type::Object(o)) = &receiver_ty {
            return self.method_call(o, function, &arg_types, nodes);
        }

        let receiver = receiver_ty.is_some();
        let all = functions().get(function.name.as_str()).map_or(&[][..], Vec::as_slice);
        let styled: Vec<&'static Overload> = all.iter().copied().filter(|o| o.receiver == receiver).collect();
        if styled.is_empty() {
            if receiver && matches!(receiver_ty, Some(Type::Dyn)) {
                // A dyn receiver may be a host object with such a method.
                return Typed::new(
                    Node::DynMethod { name: Arc::from(function.name.as_str()), args: nodes.into() },
                    Type::Dyn,
                );
            }
            return self.unknown_function(function, all, receiver, span);
        }
        let matching: Vec<(&'static Overload, Type)> = styled
            .iter()
            .filter_map(|o| match_signature(&o.params, &o.result, &arg_types).map(|r| (*o, r)))
            .collect();
        let Some(first) = matching.first() else {
            let shown = if receiver {
                let (recv, rest) = arg_types
                    .split_first()
                    .map_or((String::new(), &[][..]), |(r, rest)| (r.to_string(), rest));
                format!("`{recv}.{}({})`", function.name, types_list(rest))
            } else {
                format!("`{}({})`", function.name, types_list(&arg_types))
            };
            let accepted: Vec<String> = styled.iter().map(|o| signature_text(o)).collect();
            return self.error_help(
                DiagnosticKind::NoMatchingOverload,
                function.span,
                format!("no matching overload for {shown}"),
                Some(format!("`{}` accepts {}", function.name, accepted.join(", "))),
            );
        };
        if receiver
            && function.name == "format"
            && let Some(failed) = self.check_format_call(target, args, &arg_types)
        {
            return failed;
        }
        let ty =
            matching.iter().skip(1).fold(first.1.clone(), |acc, (_, r)| super::super::types::join(&acc, r));
        // Errors in a constant argument point at it (the last argument of these calls).
        let constant_span = args.last().map_or(function.span, |a| a.span);
        let nodes = match self.prepare_regex(first.0, nodes, args, function.span) {
            Prep::Done(node) => return fold::fold(self, Typed::new(node, ty)),
            Prep::Failed(t) => return t,
            Prep::NotApplicable(nodes) => nodes,
        };
        let nodes = match self.prepare(function, nodes, constant_span) {
            Prep::Done(node) => return fold::fold(self, Typed::new(node, ty)),
            Prep::Failed(t) => return t,
            Prep::NotApplicable(nodes) => nodes,
        };
        let candidates: Vec<&'static Overload> = matching.iter().map(|(o, _)| *o).collect();
        let nodes = match super::optional::lazy_or(&function.name, &candidates, nodes) {
            Ok(node) => return Typed::new(node, ty),
            Err(nodes) => nodes,
        };
        let node = if matching.len() == 1 && !arg_types.iter().any(Type::is_dyn) {
            super::special::call(first.0, nodes)
        } else {
            Node::Dispatch { name: first.0.function, candidates: candidates.into(), args: nodes.into() }
        };
        fold::fold(self, Typed::new(node, ty))
    }

    /// The global function that `target.function(…)` names when `target` is a namespace
    /// (`math` in `math.greatest(1, 2)`) rather than a value: a chain of identifiers that is
    /// neither a comprehension variable nor a declared variable (a variable of the same name, or
    /// of any prefix of it, wins), with `function` declared under that namespace. A misspelt
    /// function of a known namespace is returned too, so that it is reported as a function.
    fn namespaced(&self, target: &Expr, function: &Ident) -> Option<String> {
        let head = super::names::head_ident(target)?;
        // The common case, a method call on a variable, is settled before any allocation.
        if self.local(head).is_some() || self.env.lookup(head).is_some() {
            return None;
        }
        let namespace = super::names::qualified_name(target)?;
        let mut prefixes = namespace.match_indices('.').map(|(i, _)| namespace.get(..i).unwrap_or(""));
        if self.env.lookup(&namespace).is_some() || prefixes.any(|p| self.env.lookup(p).is_some()) {
            return None;
        }
        let name = format!("{namespace}.{}", function.name);
        let known = functions().contains_key(name.as_str())
            || functions()
                .keys()
                .any(|k| k.strip_prefix(namespace.as_str()).is_some_and(|r| r.starts_with('.')));
        known.then_some(name)
    }

    fn method_call(
        &mut self,
        o: &Arc<crate::cel::value::ObjectType>,
        function: &Ident,
        arg_types: &[Type],
        nodes: Vec<Node>,
    ) -> Typed {
        let rest = arg_types.get(1..).unwrap_or(&[]);
        let same_name: Vec<(usize, &crate::cel::value::MethodDecl)> =
            o.methods().iter().enumerate().filter(|(_, m)| m.name == function.name).collect();
        if same_name.is_empty() {
            let help = fuzzy::did_you_mean(&function.name, o.methods().iter().map(|m| m.name.as_str()))
                .or_else(|| {
                    let names: Vec<String> = o.methods().iter().map(|m| format!("`{}()`", m.name)).collect();
                    (!names.is_empty())
                        .then(|| format!("the methods of `{}` are {}", o.name(), names.join(", ")))
                });
            return self.error_help(
                DiagnosticKind::UnknownFunction,
                function.span,
                format!("unknown method `{}` on `{}`", function.name, o.name()),
                help,
            );
        }
        for (index, m) in &same_name {
            if let Some(result) = match_signature(&m.params, &m.result, rest) {
                return Typed::new(Node::Method { index: *index, args: nodes.into() }, result);
            }
        }
        let accepted: Vec<String> =
            same_name.iter().map(|(_, m)| format!("`{}({})`", m.name, types_list(&m.params))).collect();
        self.error_help(
            DiagnosticKind::NoMatchingOverload,
            function.span,
            format!("no matching overload for `{}.{}({})`", o.name(), function.name, types_list(rest)),
            Some(format!("`{}` accepts {}", function.name, accepted.join(", "))),
        )
    }

    fn unknown_function(
        &mut self,
        function: &Ident,
        all: &[&'static Overload],
        receiver: bool,
        span: Span,
    ) -> Typed {
        if let Some(other) = all.first() {
            let help = if receiver {
                format!("`{}` is a global function: call it as `{}(x, …)`", other.function, other.function)
            } else {
                format!("`{}` is called on a value: write `x.{}(…)`", other.function, other.function)
            };
            return self.error_help(
                DiagnosticKind::UnknownFunction,
                function.span,
                format!(
                    "`{}` cannot be called {}",
                    function.name,
                    if receiver { "on a value" } else { "globally" }
                ),
                Some(help),
            );
        }
        let _ = span;
        if !self.checked {
            return super::failed_with(
                crate::cel::EvalErrorKind::NoSuchOverload,
                format!("unbound function `{}`", function.name),
            );
        }
        let names = functions().keys().copied().chain(crate::cel::syntax::MACRO_NAMES);
        let help = fuzzy::did_you_mean(&function.name, names)
            .or_else(|| qualified_spelling(&function.name, receiver));
        self.error_help(
            DiagnosticKind::UnknownFunction,
            function.span,
            format!("unknown function `{}`", function.name),
            help,
        )
    }
}

fn signature_text(o: &Overload) -> String {
    if o.receiver {
        let (recv, rest) =
            o.params.split_first().map_or((String::new(), &[][..]), |(r, rest)| (r.to_string(), rest));
        format!("`{recv}.{}({})`", o.function, types_list(rest))
    } else {
        format!("`{}({})`", o.function, types_list(&o.params))
    }
}

/// Whether values of types `l` and `r` may be compared with `==`.
fn comparable(l: &Type, r: &Type) -> bool {
    if matches!(l, Type::Null) || matches!(r, Type::Null) {
        return true;
    }
    match_signature(&[a(), a()], &Type::Bool, &[l.clone(), r.clone()]).is_some()
}

/// Advice for a function called without its namespace (`greatest(1, 2)` for
/// `math.greatest(1, 2)`).
fn qualified_spelling(name: &str, receiver: bool) -> Option<String> {
    let mut found: Vec<&str> = functions()
        .keys()
        .copied()
        .filter(|k| k.rsplit_once('.').is_some_and(|(_, last)| last == name))
        .collect();
    found.sort_unstable();
    let first = found.first()?;
    let how = if receiver { " (a global function, not a method)" } else { "" };
    Some(format!("did you mean `{first}(…)`{how}?"))
}
