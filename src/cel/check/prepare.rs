//! Calls whose constant arguments are prepared once at load time: literal regular
//! expressions (with a literal replacement checked against its pattern), time zones and
//! version requirements, whose errors are load errors that point at them.

use std::sync::Arc;

use super::{Checker, Typed};
use crate::cel::ir::{Node, PreparedFn};
use crate::cel::stdlib::{self, Overload};
use crate::cel::syntax::{Expr, Ident};
use crate::cel::value::Value;
use crate::diagnostic::{DiagnosticKind, Span};

impl Checker<'_> {
    /// Compiles calls whose constant arguments can be prepared at load time: a literal regex,
    /// time zone or version requirement is parsed once, and its errors are load errors.
    pub(super) fn prepare(&mut self, function: &Ident, nodes: Vec<Node>, constant_span: Span) -> Prep {
        let name = function.name.as_str();
        let [_, constant] = nodes.as_slice() else { return Prep::NotApplicable(nodes) };
        let Some(Value::String(arg)) = constant.as_const() else { return Prep::NotApplicable(nodes) };
        let arg = arg.as_str().to_owned();
        let prepared: Result<Prepared, (DiagnosticKind, String)> = if name == "matches" {
            stdlib::regex::compile_regex_cached(&arg, self.env.limits().max_regex_bytes)
                .map(|re| Prepared::Regex(Arc::new(re)))
                .map_err(|m| (DiagnosticKind::InvalidRegex, m))
        } else if let Some(field) = stdlib::time::TimeField::from_function(name) {
            stdlib::time::parse_time_zone(&arg)
                .map(|tz| Prepared::Fn(Arc::new(TzGetter { field, tz: tz.prepared() })))
                .map_err(|m| (DiagnosticKind::InvalidLiteral, m))
        } else if name == "satisfies" {
            stdlib::semver::parse_version_req(&arg)
                .map(|req| Prepared::Fn(Arc::new(Satisfies { req })))
                .map_err(|m| (DiagnosticKind::InvalidLiteral, m))
        } else {
            return Prep::NotApplicable(nodes);
        };
        match prepared {
            Err((kind, message)) => Prep::Failed(self.error(kind, constant_span, message)),
            Ok(p) => match nodes.into_iter().next() {
                None => Prep::NotApplicable(Vec::new()),
                Some(subject) => Prep::Done(match p {
                    Prepared::Regex(re) => Node::Matches(Box::new(subject), re),
                    Prepared::Fn(f) => Node::Prepared(Box::new(subject), f),
                }),
            },
        }
    }

    /// `find`, `findAll` and the `regex` functions with a literal pattern, compiled once here
    /// (with a literal replacement checked against it): their errors are load errors that
    /// point at them. `args` are the written arguments, the receiver of a method not included.
    pub(super) fn prepare_regex(
        &mut self,
        overload: &Overload,
        nodes: Vec<Node>,
        args: &[Expr],
        fallback: Span,
    ) -> Prep {
        let stdlib::Impl::Regex(op) = overload.imp else { return Prep::NotApplicable(nodes) };
        let Some(Value::String(pattern)) = nodes.get(1).and_then(Node::as_const) else {
            return Prep::NotApplicable(nodes);
        };
        // The node at `i` is the argument at `i - 1` when a receiver comes first.
        let skipped = usize::from(overload.receiver);
        let span_of =
            |i: usize| i.checked_sub(skipped).and_then(|i| args.get(i)).map_or(fallback, |a| a.span);
        let limit = self.env.limits().max_regex_bytes;
        let re = match stdlib::regex::compile_regex_cached(pattern.as_str(), limit)
            .and_then(|re| op.check_pattern(&re).map(|()| re))
        {
            Ok(re) => re,
            Err(message) => {
                return Prep::Failed(self.error(DiagnosticKind::InvalidRegex, span_of(1), message));
            }
        };
        if let Some(at) = op.replacement_index()
            && let Some(Value::String(replacement)) = nodes.get(at).and_then(Node::as_const)
            && let Err(message) =
                stdlib::regex_ext::Template::parse(replacement.as_str(), stdlib::regex_ext::groups(&re))
        {
            return Prep::Failed(self.error(DiagnosticKind::InvalidLiteral, span_of(at), message));
        }
        let operands: Vec<Node> =
            nodes.into_iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, n)| n).collect();
        Prep::Done(Node::Regex(op, operands.into(), Arc::new(re)))
    }
}

/// What a constant argument was prepared into.
enum Prepared {
    Regex(Arc<regex::Regex>),
    Fn(Arc<dyn PreparedFn>),
}

/// A timestamp getter with a time zone fixed at load time.
struct TzGetter {
    field: stdlib::time::TimeField,
    tz: stdlib::time::Tz,
}

impl PreparedFn for TzGetter {
    fn call<'a>(&self, arg: &Value<'a>) -> Result<Value<'a>, crate::cel::EvalError> {
        stdlib::time::timestamp_field(self.field, arg, &self.tz)
    }
}

/// `satisfies` with a version requirement parsed at load time.
struct Satisfies {
    req: semver::VersionReq,
}

impl PreparedFn for Satisfies {
    fn call<'a>(&self, arg: &Value<'a>) -> Result<Value<'a>, crate::cel::EvalError> {
        stdlib::semver::semver_satisfies(arg, &self.req)
    }
}

/// The outcome of preparing a call at load time.
pub(super) enum Prep {
    /// The call, prepared.
    Done(Node),
    /// The constant is invalid: the error, reported.
    Failed(Typed),
    /// Nothing to prepare: the argument nodes, given back.
    NotApplicable(Vec<Node>),
}
