//! The intermediate representation: the tree the checker produces and the interpreter walks.
//!
//! A [`Node`] tree is a checked, compiled expression: variables are slots, host-object fields
//! are indexes, constants are folded, literal regexes are compiled, functions are resolved to
//! their implementations. The checker (`check`) builds it; the interpreter (`eval`) runs it;
//! neither depends on the other for this shape.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::cel::stdlib::Overload;
use crate::cel::stdlib::regex::RegexOp;
use crate::cel::value::{EvalError, ObjectType, Value};

/// How a field selection is resolved.
#[derive(Clone, Debug)]
pub(crate) enum FieldRef {
    /// Field `index` of a host object whose type `ty` is known statically.
    Object { index: usize, name: Arc<str>, ty: Arc<ObjectType> },
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
    /// `find`, `findAll` or a `regex` function with a pattern compiled at load time: the
    /// arguments but the pattern (the text, then a limit or a replacement and a count).
    Regex(RegexOp, Box<[Node]>, Arc<regex::Regex>),
    /// A prepared call: an implementation with arguments fixed at load time.
    Prepared(Box<Node>, Arc<dyn PreparedFn>),
    Comprehension(Box<Comprehension>),
    /// `operand.?field`, and `operand.field` of an optional operand.
    OptSelect(Box<Node>, FieldRef),
    /// `operand[?index]`, and `operand[index]` of an optional operand.
    OptIndex(Box<[Node; 2]>),
    /// A list literal with optional elements: `optional[i]` marks `?items[i]`.
    ListOpt {
        items: Box<[Node]>,
        optional: Box<[bool]>,
    },
    /// A map literal with optional entries: `optional[i]` marks `{?k: v}`.
    MapOpt {
        entries: Box<[(Node, Node)]>,
        optional: Box<[bool]>,
    },
    /// `a.or(b)`, or `a.orValue(b)` when `or_value`: `b` is evaluated only when `a` is none.
    OptOr {
        or_value: bool,
        pair: Box<[Node; 2]>,
    },
    /// `o.optMap(x, t)`, or `o.optFlatMap(x, t)` when `flat`: `t` sees the value of `o` as
    /// variable 0 of a new scope.
    OptApply {
        flat: bool,
        pair: Box<[Node; 2]>,
    },
    /// `cel.bind(x, init, body)`: `body` sees the value of `init` as variable 0 of a new scope.
    Bind(Box<[Node; 2]>),
    /// An expression that always fails, e.g. an unknown function in unchecked mode.
    Fail(EvalError),
}

/// A function of one runtime argument whose other arguments were fixed at load time
/// (a compiled time zone, a parsed version requirement).
pub(crate) trait PreparedFn: Send + Sync {
    fn call<'a>(&self, arg: &Value<'a>) -> Result<Value<'a>, EvalError>;
}

impl Node {
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

/// An arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl ArithOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
        }
    }
}

/// An ordering operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub(crate) fn holds(self, o: Ordering) -> bool {
        match self {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        }
    }
}

/// Which macro a comprehension implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IterKind {
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
    TransformList,
    TransformMap,
    TransformMapEntry,
    SortBy,
}

impl IterKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            IterKind::All => "all",
            IterKind::Exists => "exists",
            IterKind::ExistsOne => "exists_one",
            IterKind::Map => "map",
            IterKind::Filter => "filter",
            IterKind::TransformList => "transformList",
            IterKind::TransformMap => "transformMap",
            IterKind::TransformMapEntry => "transformMapEntry",
            IterKind::SortBy => "sortBy",
        }
    }
}

/// A compiled macro call.
pub(crate) struct Comprehension {
    pub(crate) kind: IterKind,
    pub(crate) range: Node,
    /// Whether the body sees two variables (index or key, value) instead of one.
    pub(crate) two_vars: bool,
    /// The optional filter of `map(x, p, t)` and the transforms.
    pub(crate) filter: Option<Node>,
    /// The predicate or transform.
    pub(crate) body: Node,
}

impl Comprehension {
    /// Whether this is a `map` whose elements are strings that [`Node::write_text`] writes as
    /// is, so that joining them can write each straight into the text.
    pub(crate) fn maps_to_text(&self) -> bool {
        self.kind == IterKind::Map && self.body.writes_string()
    }
}
