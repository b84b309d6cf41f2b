//! The compiled program and its interpreter.
//!
//! A [`Node`] tree is what the checker produces: variables are slots, host-object fields are
//! indexes, constants are folded, literal regexes are compiled, functions are resolved to their
//! implementations. Evaluation walks the tree once, allocating only for the values it creates.
//! Its recursion depth is bounded by the parser's nesting limit.

mod comprehension;
mod ops;

use std::cell::Cell;
use std::sync::Arc;

pub(crate) use comprehension::{Comprehension, IterKind};
pub(crate) use ops::{ArithOp, CmpOp};

use crate::cel::stdlib::{Impl, Overload, matches_type};
use crate::cel::value::{EvalError, EvalErrorKind, Key, List, MapBuilder, Value, reborrow};

/// Supplies the values of declared variables during evaluation.
///
/// Slots are the indexes returned when variables were declared in the environment.
pub trait Activation<'a> {
    /// The value of the variable in `slot`.
    ///
    /// # Errors
    ///
    /// When the variable has no value (an unbound variable is an evaluation error, as in CEL),
    /// or when computing it failed (a lazily computed variable).
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError>;
}

impl<'a> Activation<'a> for [Value<'a>] {
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError> {
        self.get(slot).cloned().ok_or_else(|| unbound(slot))
    }
}

impl<'a> Activation<'a> for Vec<Value<'a>> {
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError> {
        self.as_slice().resolve(slot)
    }
}

/// An activation with no variables.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoVariables;

impl<'a> Activation<'a> for NoVariables {
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError> {
        Err(unbound(slot))
    }
}

fn unbound(slot: usize) -> EvalError {
    EvalError::new(EvalErrorKind::UnboundVariable, format!("no value for variable number {slot}"))
}

/// The evaluation cost budget: one step per comprehension iteration and per element of work
/// done by list-building functions; concatenation (`+`) costs one step per element of the
/// resulting list, or per 16 bytes of the resulting string or bytes. Shared by every
/// evaluation of one assessment.
#[derive(Debug)]
pub struct Budget {
    remaining: Cell<u64>,
    limit: u64,
}

impl Budget {
    /// A budget of `steps`.
    #[must_use]
    pub fn new(steps: u64) -> Self {
        Budget { remaining: Cell::new(steps), limit: steps }
    }

    /// Spends `steps`.
    ///
    /// # Errors
    ///
    /// When the budget is exhausted.
    pub fn spend(&self, steps: u64) -> Result<(), EvalError> {
        let left = self.remaining.get();
        if left < steps {
            self.remaining.set(0);
            return Err(EvalError::new(
                EvalErrorKind::CostLimitExceeded,
                format!("limit exceeded: evaluation cost budget of {} steps", self.limit),
            ));
        }
        self.remaining.set(left - steps);
        Ok(())
    }

    /// Steps spent so far.
    #[must_use]
    pub fn spent(&self) -> u64 {
        self.limit - self.remaining.get()
    }
}

/// How a field selection is resolved.
#[derive(Clone, Debug)]
pub(crate) enum FieldRef {
    /// Field `index` of a host object whose type is known statically.
    Object { index: usize, name: Arc<str> },
    /// A name looked up at run time in a map or an object.
    Dynamic(Arc<str>),
}

impl FieldRef {
    pub(crate) fn name(&self) -> &str {
        match self {
            FieldRef::Object { name, .. } | FieldRef::Dynamic(name) => name,
        }
    }
}

/// A compiled expression.
pub(crate) enum Node {
    Const(Value<'static>),
    Global(usize),
    /// A comprehension variable: `depth` scopes up, variable `index` (0 or 1).
    Local {
        depth: u32,
        index: u8,
    },
    Select(Box<Node>, FieldRef),
    Has(Box<Node>, FieldRef),
    Index(Box<[Node; 2]>),
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Cond(Box<[Node; 3]>),
    Arith(ArithOp, Box<[Node; 2]>),
    Cmp(CmpOp, Box<[Node; 2]>),
    Eq(Box<[Node; 2]>),
    Ne(Box<[Node; 2]>),
    In(Box<[Node; 2]>),
    List(Box<[Node]>),
    Map(Box<[(Node, Node)]>),
    /// A call resolved to one implementation.
    Call(Impl, Box<[Node]>),
    /// A call whose overload is chosen at run time among candidates.
    Dispatch {
        name: &'static str,
        candidates: Box<[&'static Overload]>,
        args: Box<[Node]>,
    },
    /// A host-object method, statically resolved.
    Method {
        index: usize,
        args: Box<[Node]>,
    },
    /// A method looked up by name at run time on a host object (receiver of type `dyn`).
    DynMethod {
        name: Arc<str>,
        args: Box<[Node]>,
    },
    /// `matches` with a pattern compiled at load time.
    Matches(Box<Node>, Arc<regex::Regex>),
    /// A prepared call: an implementation with arguments fixed at load time.
    Prepared(Box<Node>, Arc<dyn PreparedFn>),
    Comprehension(Box<Comprehension>),
    /// An expression that always fails, e.g. an unknown function in unchecked mode.
    Fail(EvalError),
}

/// A function of one runtime argument whose other arguments were fixed at load time
/// (a compiled time zone, a parsed version requirement).
pub(crate) trait PreparedFn: Send + Sync {
    fn call<'a>(&self, arg: &Value<'a>) -> Result<Value<'a>, EvalError>;
}

/// A chain of comprehension scopes, innermost first.
pub(crate) struct Scope<'s, 'a> {
    parent: Option<&'s Scope<'s, 'a>>,
    vars: [Value<'a>; 2],
}

/// Evaluation state shared across one evaluation.
pub(crate) struct Ctx<'a, 'c> {
    pub(crate) activation: &'c dyn Activation<'a>,
    pub(crate) budget: &'c Budget,
}

type Res<'a> = Result<Value<'a>, EvalError>;

impl Node {
    /// Evaluates this node.
    pub(crate) fn eval<'a>(&'a self, ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
        match self {
            Node::Const(v) => Ok(reborrow(v)),
            Node::Global(slot) => ctx.activation.resolve(*slot),
            Node::Local { depth, index } => local(scope, *depth, *index),
            Node::Select(operand, field) => {
                let v = operand.eval(ctx, scope)?;
                ops::select(&v, field)
            }
            Node::Has(operand, field) => {
                let v = operand.eval(ctx, scope)?;
                ops::has(&v, field)
            }
            Node::Index(pair) => {
                let [a, b] = &**pair;
                let container = a.eval(ctx, scope)?;
                let index = b.eval(ctx, scope)?;
                ops::index(&container, &index)
            }
            Node::Not(operand) => match operand.eval(ctx, scope)? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                other => Err(ops::no_overload1("!", &other)),
            },
            Node::Neg(operand) => ops::negate(&operand.eval(ctx, scope)?),
            Node::And(items) => logic(items, ctx, scope, false),
            Node::Or(items) => logic(items, ctx, scope, true),
            Node::Cond(parts) => {
                let [c, t, e] = &**parts;
                match c.eval(ctx, scope)? {
                    Value::Bool(true) => t.eval(ctx, scope),
                    Value::Bool(false) => e.eval(ctx, scope),
                    other => Err(ops::no_overload1("?:", &other)),
                }
            }
            Node::Arith(op, pair) => {
                let [a, b] = &**pair;
                let x = a.eval(ctx, scope)?;
                let y = b.eval(ctx, scope)?;
                if *op == ArithOp::Add {
                    // Concatenation copies: pay for the copy before making it.
                    ctx.budget.spend(ops::concat_cost(&x, &y))?;
                }
                ops::arith(*op, &x, &y)
            }
            Node::Cmp(op, pair) => {
                let [a, b] = &**pair;
                let x = a.eval(ctx, scope)?;
                let y = b.eval(ctx, scope)?;
                ops::compare(*op, &x, &y)
            }
            Node::Eq(pair) => {
                let [a, b] = &**pair;
                let x = a.eval(ctx, scope)?;
                let y = b.eval(ctx, scope)?;
                Ok(Value::Bool(ops::equals(&x, &y)))
            }
            Node::Ne(pair) => {
                let [a, b] = &**pair;
                let x = a.eval(ctx, scope)?;
                let y = b.eval(ctx, scope)?;
                Ok(Value::Bool(!ops::equals(&x, &y)))
            }
            Node::In(pair) => {
                let [a, b] = &**pair;
                let x = a.eval(ctx, scope)?;
                let y = b.eval(ctx, scope)?;
                ops::contains(&y, &x)
            }
            Node::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(item.eval(ctx, scope)?);
                }
                Ok(Value::List(List::shared(Arc::from(out))))
            }
            Node::Map(entries) => {
                let mut b = MapBuilder::with_capacity(entries.len());
                for (k, v) in entries {
                    let key = k.eval(ctx, scope)?;
                    let key = Key::from_value(&key).ok_or_else(|| {
                        EvalError::invalid_argument(format!(
                            "a map key cannot be of type `{}`",
                            key.type_name()
                        ))
                    })?;
                    b.push(key, v.eval(ctx, scope)?);
                }
                let map = b.build().map_err(|k| {
                    EvalError::new(
                        EvalErrorKind::RepeatedKey,
                        format!("repeated key in map literal: {:?}", k.to_value()),
                    )
                })?;
                Ok(Value::map(map))
            }
            Node::Call(imp, args) => call(*imp, args, ctx, scope),
            Node::Dispatch { name, candidates, args } => dispatch(name, candidates, args, ctx, scope),
            Node::Method { index, args } => method(*index, args, ctx, scope),
            Node::DynMethod { name, args } => dyn_method(name, args, ctx, scope),
            Node::Matches(operand, re) => {
                crate::cel::stdlib::regex::regex_is_match(re, &operand.eval(ctx, scope)?)
            }
            Node::Prepared(operand, f) => {
                let v = operand.eval(ctx, scope)?;
                f.call(&v)
            }
            Node::Comprehension(c) => c.eval(ctx, scope),
            Node::Fail(e) => Err(e.clone()),
        }
    }

    /// The constant value, when this node is one.
    pub(crate) fn as_const(&self) -> Option<&Value<'static>> {
        match self {
            Node::Const(v) => Some(v),
            _ => None,
        }
    }
}

fn local<'a>(scope: Option<&Scope<'_, 'a>>, depth: u32, index: u8) -> Res<'a> {
    let mut s = scope;
    for _ in 0..depth {
        s = s.and_then(|s| s.parent);
    }
    s.and_then(|s| s.vars.get(usize::from(index)))
        .cloned()
        .ok_or_else(|| EvalError::new(EvalErrorKind::UnboundVariable, "comprehension variable out of scope"))
}

/// `&&` (`absorbing` false) and `||` (`absorbing` true): commutative, errors absorbed by a
/// deciding operand anywhere in the chain.
fn logic<'a>(
    items: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
    absorbing: bool,
) -> Res<'a> {
    let mut error: Option<EvalError> = None;
    for item in items {
        match item.eval(ctx, scope) {
            Ok(Value::Bool(b)) if b == absorbing => return Ok(Value::Bool(absorbing)),
            Ok(Value::Bool(_)) => {}
            Ok(other) => {
                if error.is_none() {
                    error = Some(ops::no_overload1(if absorbing { "||" } else { "&&" }, &other));
                }
            }
            Err(e) => {
                if error.is_none() || e.kind() == EvalErrorKind::CostLimitExceeded {
                    error = Some(e);
                }
            }
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(Value::Bool(!absorbing)),
    }
}

fn call<'a>(imp: Impl, args: &'a [Node], ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
    match (imp, args) {
        (Impl::F1(f), [a]) => f(&a.eval(ctx, scope)?),
        (Impl::F2(f), [a, b]) => {
            let x = a.eval(ctx, scope)?;
            f(&x, &b.eval(ctx, scope)?)
        }
        (Impl::F3(f), [a, b, c]) => {
            let x = a.eval(ctx, scope)?;
            let y = b.eval(ctx, scope)?;
            f(&x, &y, &c.eval(ctx, scope)?)
        }
        (Impl::F4(f), [a, b, c, d]) => {
            let x = a.eval(ctx, scope)?;
            let y = b.eval(ctx, scope)?;
            let z = c.eval(ctx, scope)?;
            f(&x, &y, &z, &d.eval(ctx, scope)?)
        }
        _ => Err(EvalError::no_such_overload("internal error: call arity mismatch")),
    }
}

/// Evaluates up to four arguments into a fixed array (no allocation).
fn eval_args<'a>(
    args: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Result<([Value<'a>; 4], usize), EvalError> {
    let mut vals = [Value::Null, Value::Null, Value::Null, Value::Null];
    if args.len() > vals.len() {
        return Err(EvalError::no_such_overload("too many arguments"));
    }
    for (slot, arg) in vals.iter_mut().zip(args) {
        *slot = arg.eval(ctx, scope)?;
    }
    Ok((vals, args.len()))
}

fn dispatch<'a>(
    name: &str,
    candidates: &[&'static Overload],
    args: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Res<'a> {
    let (vals, n) = eval_args(args, ctx, scope)?;
    let vals = vals.get(..n).unwrap_or(&[]);
    for ov in candidates {
        if ov.params.len() == vals.len() && ov.params.iter().zip(vals).all(|(p, v)| matches_type(v, p)) {
            return match (ov.imp, vals) {
                (Impl::F1(f), [a]) => f(a),
                (Impl::F2(f), [a, b]) => f(a, b),
                (Impl::F3(f), [a, b, c]) => f(a, b, c),
                (Impl::F4(f), [a, b, c, d]) => f(a, b, c, d),
                _ => Err(EvalError::no_such_overload("internal error: call arity mismatch")),
            };
        }
    }
    // A receiver of type dyn may be a host object with a method of this name.
    if let Some(Value::Object(obj)) = vals.first() {
        return call_object_method(*obj, name, vals.get(1..).unwrap_or(&[]));
    }
    Err(ops::no_overload_n(name, vals))
}

fn method<'a>(index: usize, args: &'a [Node], ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
    let (vals, n) = eval_args(args, ctx, scope)?;
    match vals.get(..n) {
        Some([Value::Object(obj), rest @ ..]) => obj.call_method(index, rest),
        Some([other, ..]) => Err(EvalError::no_such_overload(format!(
            "no such method on a value of type `{}`",
            other.type_name()
        ))),
        _ => Err(EvalError::no_such_overload("method call without a receiver")),
    }
}

fn dyn_method<'a>(name: &str, args: &'a [Node], ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
    let (vals, n) = eval_args(args, ctx, scope)?;
    match vals.get(..n) {
        Some([Value::Object(obj), rest @ ..]) => call_object_method(*obj, name, rest),
        Some(all) => Err(ops::no_overload_n(name, all)),
        None => Err(EvalError::no_such_overload(name.to_owned())),
    }
}

fn call_object_method<'a>(obj: &'a dyn crate::cel::value::Object, name: &str, args: &[Value<'a>]) -> Res<'a> {
    let ty = obj.object_type();
    let found = ty.methods().iter().position(|m| {
        m.name == name
            && m.params.len() == args.len()
            && m.params.iter().zip(args).all(|(p, v)| matches_type(v, p))
    });
    match found {
        Some(index) => obj.call_method(index, args),
        None => Err(EvalError::no_such_overload(format!(
            "`{}` has no method `{name}` for these arguments",
            ty.name()
        ))),
    }
}
