//! Recognising macros among calls.
//!
//! A call is a macro when its name and number of arguments fit one of these forms; a name that
//! matches with another number of arguments is an ordinary call (except `has`, which is always
//! the macro):
//!
//! | form                                              | vars | args       |
//! |---------------------------------------------------|------|------------|
//! | `has(e.f)`                                        | –    | –          |
//! | `r.all(x, p)`, `exists`, `exists_one`/`existsOne` | 1    | `[p]`      |
//! | `r.all(k, v, p)`, and the same three              | 2    | `[p]`      |
//! | `r.map(x, t)`                                     | 1    | `[t]`      |
//! | `r.map(x, p, t)`                                  | 1    | `[p, t]`   |
//! | `r.filter(x, p)`                                  | 1    | `[p]`      |
//! | `r.transformList(i, v, t)`, `transformMap(k, v, t)` | 2  | `[t]`      |
//! | `r.transformList(i, v, p, t)`, `transformMap(…)`  | 2    | `[p, t]`   |
//! | `r.transformMapEntry(k, v, e)`                    | 2    | `[e]`      |
//! | `r.transformMapEntry(k, v, p, e)`                 | 2    | `[p, e]`   |
//! | `r.sortBy(x, key)`                                | 1    | `[key]`    |
//! | `o.optMap(x, t)`, `o.optFlatMap(x, t)`            | 1    | `[t]`      |
//! | `cel.bind(x, init, body)` (target `init`)         | 1    | `[body]`   |
//!
//! Iteration variables must be simple names, and the two of a two-variable form must differ.
//! `cel.bind` is a macro only when written with the plain name `cel` as its receiver.

use super::ast::{Expr, ExprKind, Ident, Macro, MacroKind};
use super::parser::{Node, Parser};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};

/// The names of the macros, for did-you-mean suggestions.
pub(crate) const MACRO_NAMES: [&str; 15] = [
    "has",
    "all",
    "exists",
    "exists_one",
    "existsOne",
    "map",
    "filter",
    "transformList",
    "transformMap",
    "transformMapEntry",
    "sortBy",
    "optMap",
    "optFlatMap",
    "cel.bind",
    "bind",
];

/// The macro that `name` names when called with `argc` arguments (on a receiver when
/// `receiver`), and its number of iteration variables.
fn macro_form(name: &str, receiver: Option<&Expr>, argc: usize) -> Option<(MacroKind, usize)> {
    let Some(receiver) = receiver else {
        return (name == "has").then_some((MacroKind::Has, 0));
    };
    if name == "bind" && argc == 3 {
        let is_cel =
            matches!(&receiver.kind, ExprKind::Ident { name, absolute: false } if name.name == "cel");
        return is_cel.then_some((MacroKind::Bind, 1));
    }
    let kind = match name {
        "all" => MacroKind::All,
        "exists" => MacroKind::Exists,
        "exists_one" | "existsOne" => MacroKind::ExistsOne,
        "map" => MacroKind::Map,
        "filter" => MacroKind::Filter,
        "transformList" => MacroKind::TransformList,
        "transformMap" => MacroKind::TransformMap,
        "transformMapEntry" => MacroKind::TransformMapEntry,
        "sortBy" => MacroKind::SortBy,
        "optMap" => MacroKind::OptMap,
        "optFlatMap" => MacroKind::OptFlatMap,
        _ => return None,
    };
    let vars = match (kind, argc) {
        (
            MacroKind::All
            | MacroKind::Exists
            | MacroKind::ExistsOne
            | MacroKind::Filter
            | MacroKind::SortBy
            | MacroKind::OptMap
            | MacroKind::OptFlatMap,
            2,
        )
        | (MacroKind::Map, 2 | 3) => 1,
        (MacroKind::All | MacroKind::Exists | MacroKind::ExistsOne, 3)
        | (MacroKind::TransformList | MacroKind::TransformMap | MacroKind::TransformMapEntry, 3 | 4) => 2,
        _ => return None,
    };
    Some((kind, vars))
}

impl Parser<'_> {
    /// A call `function(args)` or `target.function(args)` spanning `span`, of tree `height`:
    /// a macro node when it is one, an error node when it is a malformed one (reported).
    pub(super) fn call(
        &mut self,
        target: Option<Node>,
        function: Ident,
        args: Vec<Expr>,
        span: Span,
        height: usize,
    ) -> Node {
        let Some((kind, vars)) = macro_form(&function.name, target.as_ref().map(|t| &t.expr), args.len())
        else {
            let target = target.map(|t| Box::new(t.expr));
            return Node { expr: Expr::new(span, ExprKind::Call { target, function, args }), height };
        };
        let made = match target {
            None => self.has(args, span),
            Some(_) if kind == MacroKind::Bind => self.bind(args),
            Some(target) => self.comprehension(kind, vars, target.expr, &function, args),
        };
        let kind = made.map_or(ExprKind::Error, |m| ExprKind::Macro(Box::new(m)));
        Node { expr: Expr::new(span, kind), height }
    }

    fn invalid_macro(&mut self, span: Span, message: String, help: &str) {
        self.report(Diagnostic::error(DiagnosticKind::InvalidMacro, message).with_span(span).with_help(help));
    }

    /// `has(e.f)`.
    fn has(&mut self, args: Vec<Expr>, span: Span) -> Option<Macro> {
        let help = "write `has(x.field)` to test whether `x` has `field`";
        let count = args.len();
        let arg = match args.into_iter().next() {
            Some(arg) if count == 1 => arg,
            _ => {
                self.invalid_macro(span, format!("`has` takes exactly one argument, found {count}"), help);
                return None;
            }
        };
        match arg.kind {
            ExprKind::Select { operand, field } => Some(Macro {
                kind: MacroKind::Has,
                target: *operand,
                field: Some(field),
                vars: Vec::new(),
                args: Vec::new(),
            }),
            ExprKind::Error => None,
            _ => {
                self.invalid_macro(
                    arg.span,
                    "the argument of `has` must be a field selection".to_owned(),
                    help,
                );
                None
            }
        }
    }

    /// `cel.bind(name, init, body)`.
    fn bind(&mut self, args: Vec<Expr>) -> Option<Macro> {
        let mut args = args.into_iter();
        let (Some(var), Some(init), Some(body)) = (args.next(), args.next(), args.next()) else {
            return None;
        };
        let var = match var.kind {
            ExprKind::Ident { name, absolute: false } => name,
            ExprKind::Error => return None,
            _ => {
                self.invalid_macro(
                    var.span,
                    "the variable of `cel.bind` must be a simple name".to_owned(),
                    "write it as `cel.bind(x, value, expression using x)`",
                );
                return None;
            }
        };
        Some(Macro { kind: MacroKind::Bind, target: init, field: None, vars: vec![var], args: vec![body] })
    }

    /// `target.name(vars…, args…)` for the comprehension macros.
    fn comprehension(
        &mut self,
        kind: MacroKind,
        var_count: usize,
        target: Expr,
        function: &Ident,
        args: Vec<Expr>,
    ) -> Option<Macro> {
        let name = &function.name;
        let mut vars = Vec::with_capacity(var_count);
        let mut rest = args.into_iter();
        let mut ok = true;
        for arg in rest.by_ref().take(var_count) {
            match arg.kind {
                ExprKind::Ident { name, absolute: false } => vars.push(name),
                ExprKind::Error => ok = false,
                _ => {
                    let example = if var_count == 1 { "x" } else { "k, v" };
                    self.invalid_macro(
                        arg.span,
                        format!("the iteration variable of `{name}` must be a simple name"),
                        &format!(
                            "write it as `list.{name}({example}, …)`, where `{example}` names each element"
                        ),
                    );
                    ok = false;
                }
            }
        }
        if let [first, second] = vars.as_slice()
            && first.name == second.name
        {
            self.invalid_macro(
                second.span,
                format!("the two iteration variables of `{name}` are both named `{}`", first.name),
                "give the index or key and the value different names",
            );
            ok = false;
        }
        let args: Vec<Expr> = rest.collect();
        ok.then_some(Macro { kind, target, field: None, vars, args })
    }
}
