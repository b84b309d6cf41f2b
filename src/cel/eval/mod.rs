//! The compiled program and its interpreter.
//!
//! A [`Node`] tree is what the checker produces: variables are slots, host-object fields are
//! indexes, constants are folded, literal regexes are compiled, functions are resolved to their
//! implementations. Evaluation walks the tree once, allocating only for the values it creates.
//! Its recursion depth is bounded by the parser's nesting limit.

mod budget;
mod comprehension;
mod ops;

use std::sync::Arc;

pub use budget::Budget;
pub(crate) use comprehension::{Comprehension, IterKind};
pub(crate) use ops::{ArithOp, CmpOp};

use crate::cel::stdlib::{Cost, Impl, Overload, matches_type};
use crate::cel::value::{EvalError, EvalErrorKind, Key, List, MapBuilder, ObjectType, Value, reborrow};

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

    /// Field `index` of the host object in `slot`, read directly: an optional fast path for
    /// activations that hold their objects by concrete type, taken for `variable.field`
    /// expressions. `ty` is the object type the checker saw; answer only when the object in
    /// `slot` has exactly this type (compare by address).
    ///
    /// `None` (the default) means no fast path: the evaluator then calls
    /// [`Activation::resolve`] and [`crate::cel::Object::field`]. `Some(None)` means the field
    /// is absent.
    fn object_field(&self, slot: usize, ty: &ObjectType, index: usize) -> Option<Option<Value<'a>>> {
        let _ = (slot, ty, index);
        None
    }

    /// The variable in `slot` when its value is a bool that is already at hand (a lazily
    /// computed variable computed before): an optional fast path for conditions such as
    /// `is_prod && …`, which read the same variables again and again.
    ///
    /// `None` (the default) means no fast path: the evaluator then calls
    /// [`Activation::resolve`].
    fn known_bool(&self, slot: usize) -> Option<bool> {
        let _ = slot;
        None
    }
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

/// How a field selection is resolved.
#[derive(Clone, Debug)]
pub(crate) enum FieldRef {
    /// Field `index` of a host object whose type `ty` is known statically.
    Object { index: usize, name: Arc<str>, ty: Arc<crate::cel::value::ObjectType> },
    /// A name looked up at run time in a map or an object.
    Dynamic(Arc<str>),
}

impl FieldRef {
    pub(crate) fn name(&self) -> &str {
        match self {
            FieldRef::Object { name, .. } | FieldRef::Dynamic(name) => name,
        }
    }

    /// Whether both read the same field the same way.
    pub(crate) fn same_as(&self, other: &FieldRef) -> bool {
        match (self, other) {
            (FieldRef::Object { index: i, ty: t, .. }, FieldRef::Object { index: j, ty: u, .. }) => {
                i == j && Arc::ptr_eq(t, u)
            }
            (FieldRef::Dynamic(a), FieldRef::Dynamic(b)) => a == b,
            _ => false,
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
    /// `variable.field`, fused.
    GlobalField {
        slot: usize,
        field: FieldRef,
    },
    /// `comprehension_variable.field`, fused.
    LocalField {
        depth: u32,
        index: u8,
        field: FieldRef,
    },
    /// `x == "text"` (or `!=` when `negate`).
    EqStr {
        operand: Box<Node>,
        value: Box<str>,
        negate: bool,
    },
    /// `x op 5`.
    CmpInt {
        op: CmpOp,
        operand: Box<Node>,
        value: i64,
    },
    /// `a + b + …` of strings (statically typed), built in one allocation.
    Concat(Box<[Node]>),
    /// `list.join("sep")` with a constant separator (`None`: `list.join()`).
    Join {
        list: Box<Node>,
        sep: Option<Box<str>>,
    },
    /// `x in ["a", "b"]`.
    InStrs {
        operand: Box<Node>,
        list: Box<[Box<str>]>,
    },
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
    /// A call resolved to one overload.
    Call(&'static Overload, Box<[Node]>),
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

/// A chain of comprehension scopes, innermost first. The variables are borrowed: from the
/// range's own elements when it holds them, else from the step's value, which the
/// comprehension keeps alive for the step. Nothing is copied into a scope or dropped out of it.
pub(crate) struct Scope<'s, 'a> {
    parent: Option<&'s Scope<'s, 'a>>,
    vars: [&'s Value<'a>; 2],
}

/// The value of a scope's unused second variable.
pub(crate) static NULL: Value<'static> = Value::Null;

impl<'s, 'a> Scope<'s, 'a> {
    #[inline]
    pub(crate) fn new(parent: Option<&'s Scope<'s, 'a>>, vars: [&'s Value<'a>; 2]) -> Self {
        Scope { parent, vars }
    }

    /// The first variable.
    #[inline]
    pub(crate) fn first(&self) -> &'s Value<'a> {
        let [first, _] = self.vars;
        first
    }
}

/// Drops `v` only when it holds something to release: most values are numbers, bools or
/// borrowed data, whose drop would be an out-of-line call doing nothing.
#[inline]
pub(crate) fn release(v: Value<'_>) {
    if crate::cel::value::owns_nothing(&v) {
        std::mem::forget(v);
    } else {
        drop(v);
    }
}

/// Evaluation state shared across one evaluation.
pub(crate) struct Ctx<'a, 'c> {
    pub(crate) activation: &'c dyn Activation<'a>,
    pub(crate) budget: &'c Budget,
}

type Res<'a> = Result<Value<'a>, EvalError>;

/// The value of an operand that an operator only reads: borrowed when the node names a value
/// that already exists (a constant, a comprehension variable), so that reading it neither
/// copies nor drops anything; owned when it had to be computed.
enum Operand<'s, 'a> {
    Ref(&'s Value<'a>),
    Own(std::mem::ManuallyDrop<Value<'a>>),
}

impl Drop for Operand<'_, '_> {
    /// Drops an owned value only when it holds something to release: most operands are
    /// numbers, bools or borrowed data, whose drop would be an out-of-line call doing nothing.
    #[inline]
    fn drop(&mut self) {
        if let Operand::Own(v) = self
            && !crate::cel::value::owns_nothing(v)
        {
            drop(std::mem::replace(&mut **v, Value::Null));
        }
    }
}

impl<'a> std::ops::Deref for Operand<'_, 'a> {
    type Target = Value<'a>;

    #[inline]
    fn deref(&self) -> &Value<'a> {
        match self {
            Operand::Ref(v) => v,
            Operand::Own(v) => v,
        }
    }
}

impl Node {
    /// Evaluates this node. Constants and comprehension variables, the most common leaves, are
    /// read inline at the call site; the other nodes go through [`Node::eval_node`].
    #[inline]
    pub(crate) fn eval<'a>(&'a self, ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
        match self {
            Node::Const(v) => Ok(reborrow(v)),
            Node::Local { depth: 0, index } => match scope.and_then(|s| s.vars.get(usize::from(*index))) {
                Some(v) => Ok((*v).clone()),
                None => self.eval_node(ctx, scope),
            },
            _ => self.eval_node(ctx, scope),
        }
    }

    /// Evaluates this node for an operator that only reads the value: constants and
    /// comprehension variables are borrowed instead of copied.
    #[inline]
    fn eval_ref<'a, 's>(
        &'a self,
        ctx: &Ctx<'a, '_>,
        scope: Option<&'s Scope<'s, 'a>>,
    ) -> Result<Operand<'s, 'a>, EvalError>
    where
        'a: 's,
    {
        match self {
            Node::Const(v) => Ok(Operand::Ref(v)),
            Node::Local { depth, index } => local(scope, *depth, *index).map(Operand::Ref),
            _ => self.eval_node(ctx, scope).map(|v| Operand::Own(std::mem::ManuallyDrop::new(v))),
        }
    }

    /// Evaluates any node (the body of [`Node::eval`]).
    fn eval_node<'a>(&'a self, ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
        match self {
            Node::Const(v) => Ok(reborrow(v)),
            Node::Global(slot) => ctx.activation.resolve(*slot),
            Node::Local { depth, index } => local(scope, *depth, *index).cloned(),
            Node::Select(operand, field) => ops::select(&*operand.eval_ref(ctx, scope)?, field),
            Node::GlobalField { slot, field } => {
                if let FieldRef::Object { index, ty, .. } = field
                    && let Some(found) = ctx.activation.object_field(*slot, ty, *index)
                {
                    return found.ok_or_else(|| ops::absent_field(field));
                }
                ops::select(&ctx.activation.resolve(*slot)?, field)
            }
            Node::LocalField { depth, index, field } => ops::select(local(scope, *depth, *index)?, field),
            Node::EqStr { operand, value, negate } => {
                let v = operand.eval_ref(ctx, scope)?;
                let eq = match &*v {
                    Value::String(s) => s.as_str() == &**value,
                    other => ops::equals(other, &Value::str(value)),
                };
                Ok(Value::Bool(eq != *negate))
            }
            Node::CmpInt { op, operand, value } => match &*operand.eval_ref(ctx, scope)? {
                Value::Int(i) => Ok(Value::Bool(op.holds(i.cmp(value)))),
                other => ops::compare(*op, other, &Value::Int(*value)),
            },
            Node::InStrs { operand, list } => match &*operand.eval_ref(ctx, scope)? {
                Value::String(s) => Ok(Value::Bool(list.iter().any(|x| **x == *s.as_str()))),
                _ => Ok(Value::Bool(false)),
            },
            Node::Has(operand, field) => ops::has(&*operand.eval_ref(ctx, scope)?, field),
            Node::Index(pair) => {
                let [a, b] = &**pair;
                let container = a.eval_ref(ctx, scope)?;
                let index = b.eval_ref(ctx, scope)?;
                ops::index(&container, &index)
            }
            Node::Not(operand) => operand.eval_bool_as(ctx, scope, "!").map(|b| Value::Bool(!b)),
            Node::Neg(operand) => ops::negate(&*operand.eval_ref(ctx, scope)?),
            Node::And(items) => logic(items, ctx, scope, false),
            Node::Or(items) => logic(items, ctx, scope, true),
            Node::Cond(parts) => {
                let [c, t, e] = &**parts;
                if c.eval_bool_as(ctx, scope, "?:")? { t.eval(ctx, scope) } else { e.eval(ctx, scope) }
            }
            Node::Arith(op, pair) => {
                let [a, b] = &**pair;
                let x = a.eval(ctx, scope)?;
                let y = b.eval(ctx, scope)?;
                if *op == ArithOp::Add {
                    // Concatenation copies: pay for the copy before making it.
                    ctx.budget.charge(ops::concat_cost(&x, &y))?;
                }
                ops::arith(*op, &x, &y)
            }
            Node::Cmp(op, pair) => {
                let [a, b] = &**pair;
                let x = a.eval_ref(ctx, scope)?;
                let y = b.eval_ref(ctx, scope)?;
                ops::compare(*op, &x, &y)
            }
            Node::Eq(pair) => {
                let [a, b] = &**pair;
                let x = a.eval_ref(ctx, scope)?;
                let y = b.eval_ref(ctx, scope)?;
                ops::equals_charged(&x, &y, ctx.budget).map(Value::Bool)
            }
            Node::Ne(pair) => {
                let [a, b] = &**pair;
                let x = a.eval_ref(ctx, scope)?;
                let y = b.eval_ref(ctx, scope)?;
                ops::equals_charged(&x, &y, ctx.budget).map(|eq| Value::Bool(!eq))
            }
            Node::In(pair) => {
                let [a, b] = &**pair;
                let x = a.eval_ref(ctx, scope)?;
                let y = b.eval_ref(ctx, scope)?;
                charge_scan(ctx, &y)?;
                ops::contains_charged(&y, &x, ctx.budget).map(Value::Bool)
            }
            Node::List(items) => list(items, ctx, scope),
            Node::Concat(parts) => concat(parts, ctx, scope),
            Node::Join { list, sep } => {
                let mut out = String::new();
                charged_join(ctx, &*list.eval_ref(ctx, scope)?, sep.as_deref(), &mut out)?;
                Ok(Value::string(out))
            }
            Node::Map(entries) => map(entries, ctx, scope),
            Node::Call(overload, args) => call(overload, args, ctx, scope),
            Node::Dispatch { name, candidates, args } => dispatch(name, candidates, args, ctx, scope),
            Node::Method { index, args } => method(*index, args, ctx, scope),
            Node::DynMethod { name, args } => dyn_method(name, args, ctx, scope),
            Node::Matches(operand, re) => {
                crate::cel::stdlib::regex::regex_is_match(re, &*operand.eval_ref(ctx, scope)?)
            }
            Node::Prepared(operand, f) => f.call(&*operand.eval_ref(ctx, scope)?),
            Node::Comprehension(c) => c.eval(ctx, scope),
            Node::Fail(e) => Err(e.clone()),
        }
    }

    /// Evaluates a node that should give a bool, without building a `Value` for the common
    /// boolean shapes. A value of another type is a `no matching overload` error naming `op`.
    #[inline]
    pub(crate) fn eval_bool_as<'a>(
        &'a self,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
        op: &str,
    ) -> Result<bool, EvalError> {
        match self {
            Node::Const(Value::Bool(b)) => Ok(*b),
            Node::Global(slot) => match ctx.activation.known_bool(*slot) {
                Some(b) => Ok(b),
                None => bool_of(ctx.activation.resolve(*slot)?, op),
            },
            Node::And(items) => logic_bool(items, ctx, scope, false),
            Node::Or(items) => logic_bool(items, ctx, scope, true),
            Node::Not(operand) => operand.eval_bool_as(ctx, scope, "!").map(|b| !b),
            Node::EqStr { operand, value, negate } => {
                let v = operand.eval_ref(ctx, scope)?;
                let eq = match &*v {
                    Value::String(s) => s.as_str() == &**value,
                    other => ops::equals(other, &Value::str(value)),
                };
                Ok(eq != *negate)
            }
            Node::CmpInt { op, operand, value } => match &*operand.eval_ref(ctx, scope)? {
                Value::Int(i) => Ok(op.holds(i.cmp(value))),
                other => ops::compare_bool(*op, other, &Value::Int(*value)),
            },
            Node::Cmp(cmp, pair) => {
                let [a, b] = &**pair;
                let x = a.eval_ref(ctx, scope)?;
                let y = b.eval_ref(ctx, scope)?;
                ops::compare_bool(*cmp, &x, &y)
            }
            Node::In(pair) => {
                let [a, b] = &**pair;
                let x = a.eval_ref(ctx, scope)?;
                let y = b.eval_ref(ctx, scope)?;
                charge_scan(ctx, &y)?;
                ops::contains_charged(&y, &x, ctx.budget)
            }
            Node::InStrs { operand, list } => match &*operand.eval_ref(ctx, scope)? {
                Value::String(s) => Ok(list.iter().any(|x| **x == *s.as_str())),
                _ => Ok(false),
            },
            Node::Eq(pair) | Node::Ne(pair) => {
                let [a, b] = &**pair;
                let x = a.eval_ref(ctx, scope)?;
                let y = b.eval_ref(ctx, scope)?;
                Ok(ops::equals_charged(&x, &y, ctx.budget)? == matches!(self, Node::Eq(_)))
            }
            Node::Has(operand, field) => ops::has_bool(&*operand.eval_ref(ctx, scope)?, field),
            Node::Comprehension(c) => c.eval_bool(ctx, scope),
            other => bool_of(other.eval(ctx, scope)?, op),
        }
    }

    /// Appends the value of this node to `out` as text for people ([`write_plain`]), writing
    /// concatenations, `join`s and the chosen branch of a conditional straight into `out`
    /// instead of building intermediate strings. Same value, errors and cost as [`Node::eval`];
    /// on error, `out` holds a partial text.
    pub(crate) fn write_text<'a>(
        &'a self,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
        out: &mut String,
    ) -> Result<(), EvalError> {
        let start = out.len();
        match self {
            Node::Const(Value::String(s)) => {
                out.push_str(s.as_str());
                return Ok(());
            }
            Node::Concat(parts) => {
                for part in parts {
                    if part.writes_string() {
                        // Charged for what it writes, as its own evaluation is.
                        part.write_text(ctx, scope, out)?;
                        continue;
                    }
                    match &*part.eval_ref(ctx, scope)? {
                        Value::String(s) => out.push_str(s.as_str()),
                        other => return Err(ops::no_overload1("+", other)),
                    }
                }
            }
            Node::Join { list, sep } => match &**list {
                Node::Comprehension(c) if c.maps_to_text() => {
                    c.write_joined(ctx, scope, sep.as_deref().unwrap_or(""), out)?;
                }
                // Paid for as its evaluation is.
                _ => return charged_join(ctx, &*list.eval_ref(ctx, scope)?, sep.as_deref(), out),
            },
            Node::Cond(parts) => {
                let [c, t, e] = &**parts;
                let branch = if c.eval_bool_as(ctx, scope, "?:")? { t } else { e };
                return branch.write_text(ctx, scope, out);
            }
            other => {
                // A small value can have a long text: written up to the size limit.
                let max = start.saturating_add(ctx.budget.max_value_bytes);
                if !write_plain_within(&other.eval(ctx, scope)?, out, max) {
                    return Err(ctx.budget.text_too_long());
                }
                return Ok(());
            }
        }
        // The charge their evaluation makes for the string they would have built, made once
        // the parts are known.
        ctx.budget.charge(Cost::text(0, out.len() - start))
    }

    /// Whether this node always gives a string, which [`Node::write_text`] writes as is: a
    /// string constant, a concatenation or a `join`.
    pub(crate) fn writes_string(&self) -> bool {
        matches!(self, Node::Const(Value::String(_)) | Node::Concat(_) | Node::Join { .. })
    }

    /// The constant value, when this node is one.
    pub(crate) fn as_const(&self) -> Option<&Value<'static>> {
        match self {
            Node::Const(v) => Some(v),
            _ => None,
        }
    }
}

/// Appends `list.join(sep)` to `out`.
fn join(list: &Value<'_>, sep: Option<&str>, out: &mut String) -> Result<(), EvalError> {
    match sep {
        Some(s) => crate::cel::stdlib::strings::join_into(list, s, &[list, &Value::str(s)], out),
        None => crate::cel::stdlib::strings::join_into(list, "", &[list], out),
    }
}

/// A value as text for people: strings without quotes, lists as `a, b`, other values in
/// their canonical form.
pub(crate) fn write_plain(v: &Value<'_>, out: &mut String) {
    write_plain_within(v, out, usize::MAX);
}

/// [`write_plain`], stopping as soon as `out` would grow past `max` bytes: `false` then, with
/// a partial text in `out`. A list holding one long string many times is small, its text is
/// not: this bounds the text without bounding the value.
pub(crate) fn write_plain_within(v: &Value<'_>, out: &mut String, max: usize) -> bool {
    use std::fmt::Write as _;
    match v {
        Value::String(s) => {
            if out.len().saturating_add(s.as_str().len()) > max {
                return false;
            }
            out.push_str(s.as_str());
        }
        Value::Int(i) => push_int(*i, out),
        Value::Uint(u) => push_decimal(*u, out),
        Value::Timestamp(t) => {
            let _ = write!(out, "{t}");
        }
        Value::Duration(d) => {
            let _ = write!(out, "{d}");
        }
        Value::List(l) => {
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !write_plain_within(&item, out, max) {
                    return false;
                }
            }
        }
        other => {
            let mut capped = Capped { out, max };
            if write!(capped, "{}", crate::cel::display::Canonical(other)).is_err() {
                return false;
            }
        }
    }
    out.len() <= max
}

/// A string that refuses to grow past `max` bytes.
struct Capped<'o> {
    out: &'o mut String,
    max: usize,
}

impl std::fmt::Write for Capped<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.out.len().saturating_add(s.len()) > self.max {
            return Err(std::fmt::Error);
        }
        self.out.push_str(s);
        Ok(())
    }
}

/// Appends `i` in decimal, as `{i}` formats it.
pub(crate) fn push_int(i: i64, out: &mut String) {
    if i < 0 {
        out.push('-');
    }
    push_decimal(i.unsigned_abs(), out);
}

/// Appends `n` in decimal (what `{n}` formats, without the formatting machinery: messages
/// print counts and percentages often).
fn push_decimal(mut n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut used = 0;
    for slot in digits.iter_mut().rev() {
        // The remainder is below 10, so it fits.
        *slot = b'0' + (n % 10) as u8;
        used += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let text = digits.get(digits.len() - used..).unwrap_or_default();
    out.push_str(std::str::from_utf8(text).unwrap_or_default());
}

#[inline(never)]
fn concat<'a>(parts: &'a [Node], ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
    // Evaluated into a fixed array when short, so that only the result allocates.
    let mut small: [Value<'a>; 8] = std::array::from_fn(|_| Value::Null);
    let mut large = Vec::new();
    let values: &[Value<'a>] = if parts.len() <= small.len() {
        for (slot, part) in small.iter_mut().zip(parts) {
            *slot = part.eval(ctx, scope)?;
        }
        small.get(..parts.len()).unwrap_or(&[])
    } else {
        for part in parts {
            large.push(part.eval(ctx, scope)?);
        }
        &large
    };
    let mut len = 0usize;
    for v in values {
        match v {
            Value::String(s) => len = len.saturating_add(s.as_str().len()),
            other => return Err(ops::no_overload1("+", other)),
        }
    }
    ctx.budget.charge(Cost::text(0, len))?;
    let mut out = String::with_capacity(len);
    for v in values {
        out.push_str(v.as_str().unwrap_or(""));
    }
    Ok(Value::string(out))
}

#[inline(never)]
fn list<'a>(items: &'a [Node], ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
    ctx.budget.charge(Cost::list(items.len(), 0))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(item.eval(ctx, scope)?);
    }
    Ok(Value::List(List::shared(Arc::from(out))))
}

#[inline(never)]
fn map<'a>(entries: &'a [(Node, Node)], ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
    ctx.budget.charge(Cost::list(entries.len(), 0))?;
    let mut b = MapBuilder::with_capacity(entries.len());
    for (k, v) in entries {
        let key = k.eval(ctx, scope)?;
        let key = Key::from_value(&key).ok_or_else(|| {
            EvalError::invalid_argument(format!("a map key cannot be of type `{}`", key.type_name()))
        })?;
        b.push(key, v.eval(ctx, scope)?);
    }
    let map = b.build().map_err(|k| {
        EvalError::new(EvalErrorKind::RepeatedKey, format!("repeated key in map literal: {:?}", k.to_value()))
    })?;
    Ok(Value::map(map))
}

#[inline]
fn bool_of(v: Value<'_>, op: &str) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(not_a_bool(&other, op)),
    }
}

#[cold]
#[inline(never)]
fn not_a_bool(v: &Value<'_>, op: &str) -> EvalError {
    if op == "condition" {
        EvalError::no_such_overload(format!("a condition must be a bool, found `{}`", v.type_name()))
    } else {
        ops::no_overload1(op, v)
    }
}

/// Charges the budget one step per element of a list that `in` is about to scan, before the
/// scan, so that a membership test inside a comprehension cannot do quadratic unpaid work.
#[inline]
fn charge_scan(ctx: &Ctx<'_, '_>, container: &Value<'_>) -> Result<(), EvalError> {
    match container {
        Value::List(l) => ctx.budget.spend(l.len() as u64),
        _ => Ok(()),
    }
}

/// Appends `list.join(sep)` to `out`, paid for. A list that holds its elements is measured
/// and paid for before anything is written. A host list builds each element on request, so
/// measuring it first would build every element twice: it is written in one pass and paid for
/// after (its text copies data the host already holds).
fn charged_join(
    ctx: &Ctx<'_, '_>,
    list: &Value<'_>,
    sep: Option<&str>,
    out: &mut String,
) -> Result<(), EvalError> {
    if let Value::List(l) = list
        && l.as_slice().is_none()
    {
        let start = out.len();
        join(list, sep, out)?;
        return ctx.budget.charge(Cost::text(0, out.len() - start));
    }
    let len = crate::cel::stdlib::strings::join_len(list, sep.map_or(0, str::len));
    ctx.budget.charge(Cost::text(0, len))?;
    join(list, sep, out)
}

/// Charges the price of calling `overload` with `args`, when it has one, before the call.
#[inline]
fn price(ctx: &Ctx<'_, '_>, overload: &Overload, args: &[&Value<'_>]) -> Result<(), EvalError> {
    match overload.cost {
        Some(cost) => ctx.budget.charge(cost(args)),
        None => Ok(()),
    }
}

/// The comprehension variable `index`, `depth` scopes up (borrowed: reading a field of it
/// copies nothing).
#[allow(
    clippy::inline_always,
    reason = "measured: left to the compiler it stays a call, on every variable read"
)]
#[inline(always)]
fn local<'s, 'a>(
    scope: Option<&'s Scope<'s, 'a>>,
    depth: u32,
    index: u8,
) -> Result<&'s Value<'a>, EvalError> {
    let mut s = scope;
    for _ in 0..depth {
        s = s.and_then(|s| s.parent);
    }
    s.and_then(|s| s.vars.get(usize::from(index)).copied())
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
    logic_bool(items, ctx, scope, absorbing).map(Value::Bool)
}

/// [`logic`] as a bool. Inlined into [`Node::eval_bool_as`], so that a chain of conditions
/// costs no call of its own.
#[allow(
    clippy::inline_always,
    reason = "measured: 3 % fewer instructions per assessment of the built-in policy"
)]
#[inline(always)]
fn logic_bool<'a>(
    items: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
    absorbing: bool,
) -> Result<bool, EvalError> {
    let mut error: Option<EvalError> = None;
    let op = if absorbing { "||" } else { "&&" };
    for item in items {
        // A variable (a `let` such as `is_prod`) is the most common operand: read here, it
        // costs no call into the general evaluator.
        let value = match item {
            Node::Global(slot) => match ctx.activation.known_bool(*slot) {
                Some(b) => Ok(b),
                None => ctx.activation.resolve(*slot).and_then(|v| bool_of(v, op)),
            },
            Node::Not(inner) if let Node::Global(slot) = &**inner => match ctx.activation.known_bool(*slot) {
                Some(b) => Ok(!b),
                None => ctx.activation.resolve(*slot).and_then(|v| bool_of(v, "!")).map(|b| !b),
            },
            _ => item.eval_bool_as(ctx, scope, op),
        };
        match value {
            Ok(b) if b == absorbing => return Ok(absorbing),
            Ok(_) => {}
            Err(e) => {
                if error.is_none() || e.kind().is_limit() {
                    error = Some(e);
                }
            }
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(!absorbing),
    }
}

fn call<'a>(
    overload: &Overload,
    args: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Res<'a> {
    match (overload.imp, args) {
        (Impl::F1(f), [a]) => {
            let x = a.eval(ctx, scope)?;
            price(ctx, overload, &[&x])?;
            f(&x)
        }
        (Impl::F2(f), [a, b]) => {
            let x = a.eval(ctx, scope)?;
            let y = b.eval(ctx, scope)?;
            price(ctx, overload, &[&x, &y])?;
            f(&x, &y)
        }
        (Impl::F3(f), [a, b, c]) => {
            let x = a.eval(ctx, scope)?;
            let y = b.eval(ctx, scope)?;
            let z = c.eval(ctx, scope)?;
            price(ctx, overload, &[&x, &y, &z])?;
            f(&x, &y, &z)
        }
        (Impl::F4(f), [a, b, c, d]) => {
            let x = a.eval(ctx, scope)?;
            let y = b.eval(ctx, scope)?;
            let z = c.eval(ctx, scope)?;
            let w = d.eval(ctx, scope)?;
            price(ctx, overload, &[&x, &y, &z, &w])?;
            f(&x, &y, &z, &w)
        }
        (Impl::Matches, [a, b]) => {
            let x = a.eval_ref(ctx, scope)?;
            let y = b.eval_ref(ctx, scope)?;
            crate::cel::stdlib::regex::matches_with(&x, &y, ctx.budget)
        }
        _ => Err(EvalError::no_such_overload(format!(
            "internal error: arity mismatch calling `{}`",
            overload.id
        ))),
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
    // One argument (conversions of `dyn` values): no argument array to fill and drop.
    if let [arg] = args {
        let v = arg.eval(ctx, scope)?;
        return dispatch_values(name, candidates, std::slice::from_ref(&v), ctx);
    }
    let (vals, n) = eval_args(args, ctx, scope)?;
    dispatch_values(name, candidates, vals.get(..n).unwrap_or(&[]), ctx)
}

/// Calls the first of `candidates` whose parameter types the values of `vals` have.
fn dispatch_values<'a>(
    name: &str,
    candidates: &[&'static Overload],
    vals: &[Value<'a>],
    ctx: &Ctx<'a, '_>,
) -> Res<'a> {
    for ov in candidates {
        if ov.params.len() == vals.len() && ov.params.iter().zip(vals).all(|(p, v)| matches_type(v, p)) {
            return match (ov.imp, vals) {
                (Impl::F1(f), [a]) => price(ctx, ov, &[a]).and_then(|()| f(a)),
                (Impl::F2(f), [a, b]) => price(ctx, ov, &[a, b]).and_then(|()| f(a, b)),
                (Impl::F3(f), [a, b, c]) => price(ctx, ov, &[a, b, c]).and_then(|()| f(a, b, c)),
                (Impl::F4(f), [a, b, c, d]) => price(ctx, ov, &[a, b, c, d]).and_then(|()| f(a, b, c, d)),
                (Impl::Matches, [a, b]) => crate::cel::stdlib::regex::matches_with(a, b, ctx.budget),
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
    // A method without arguments (`change.approvers()`): no argument array.
    if let [receiver] = args {
        return match receiver.eval(ctx, scope)? {
            Value::Object(obj) => obj.call_method(index, &[]),
            other => Err(no_such_method(&other)),
        };
    }
    let (vals, n) = eval_args(args, ctx, scope)?;
    match vals.get(..n) {
        Some([Value::Object(obj), rest @ ..]) => obj.call_method(index, rest),
        Some([other, ..]) => Err(no_such_method(other)),
        _ => Err(EvalError::no_such_overload("method call without a receiver")),
    }
}

#[cold]
fn no_such_method(receiver: &Value<'_>) -> EvalError {
    EvalError::no_such_overload(format!("no such method on a value of type `{}`", receiver.type_name()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::{Env, Type};

    /// Variables whose bools are known without resolving them, as a `let` cache knows them once
    /// computed; `resolve` fails, so that a result shows which way each variable was read.
    struct Known(Vec<Option<bool>>);

    impl<'a> Activation<'a> for Known {
        fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError> {
            Err(EvalError::new(EvalErrorKind::UnboundVariable, format!("resolved slot {slot}")))
        }

        fn known_bool(&self, slot: usize) -> Option<bool> {
            self.0.get(slot).copied().flatten()
        }
    }

    #[test]
    fn conditions_read_known_bools_and_resolve_the_others() {
        let mut env = Env::new();
        for name in ["a", "b", "c"] {
            env.declare(name, Type::Bool);
        }
        let known = Known(vec![Some(true), Some(false), None]);
        let budget = Budget::new(1_000);
        let cases = [
            ("a", Ok(true)),
            ("!b", Ok(true)),
            ("a && !b", Ok(true)),
            ("a && b", Ok(false)),
            ("b || !a", Ok(false)),
            ("!a || b", Ok(false)),
            // `c` is not known: it is resolved, and its error surfaces unless absorbed.
            ("a && c", Err("resolved slot 2")),
            ("!c || a", Ok(true)),
            ("b && c", Ok(false)),
            ("c", Err("resolved slot 2")),
        ];
        for (source, expected) in cases {
            let program = env.compile(source).unwrap_or_else(|d| panic!("{source}: {d:?}"));
            let got = program.evaluate_bool_with(&known, &budget);
            match (got, expected) {
                (Ok(b), Ok(want)) => assert_eq!(b, want, "{source}"),
                (Err(e), Err(want)) => assert!(e.message().contains(want), "{source}: {}", e.message()),
                (got, want) => panic!("{source}: got {got:?}, expected {want:?}"),
            }
        }
    }

    #[test]
    fn integers_are_written_as_formatting_writes_them() {
        let ints = [0, 1, -1, 9, 10, -10, 99, 100, 12_345, -987_654_321, i64::MAX, i64::MIN];
        for i in ints {
            let mut out = String::from("n=");
            write_plain(&Value::Int(i), &mut out);
            assert_eq!(out, format!("n={i}"));
        }
        for u in [0, 7, 10, 1_000_000, u64::MAX] {
            let mut out = String::new();
            write_plain(&Value::Uint(u), &mut out);
            assert_eq!(out, u.to_string());
        }
    }
}
