//! The expressions of a policy: `let` entries ordered by their uses and compiled once, each
//! condition parsed and type-checked, message templates split into text and expressions.

use std::collections::HashMap;

use crate::cel::syntax::{self, Expr};
use crate::cel::{Env, Program, Type};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};
use crate::document::reader::{Table, Text};
use crate::document::tree::{DocKey, NodeKind};
use crate::policy::env::{LET_BASE, PolicyEnvs};
use crate::policy::model::{Let, Part, Template};
use crate::policy::refs;
use crate::policy::sources::{EnvKind, ExprSource};

use super::Loader;

impl Loader {
    /// Reads, orders and compiles the `let` entries; returns them with their key spans.
    pub(super) fn lets(&mut self, top: Table<'_>, envs: &mut PolicyEnvs) -> (Vec<Let>, Vec<(String, Span)>) {
        let Some(node) = top.get("let") else { return (Vec::new(), Vec::new()) };
        let NodeKind::Table(entries) = &node.kind else {
            self.r.error(
                DiagnosticKind::InvalidValue,
                node.span,
                "let",
                "`let` must be a table of expressions",
            );
            return (Vec::new(), Vec::new());
        };
        // Parse every entry first, to learn what each refers to.
        let mut parsed: Vec<(&DocKey, Text, Option<Expr>)> = Vec::new();
        for (k, v) in entries {
            let path = format!("let.{}", k.name);
            if crate::policy::env::BUILTIN_NAMES.contains(&k.name.as_str())
                || crate::policy::env::PROPERTY_NAMES.contains(&k.name.as_str())
            {
                self.r.error(
                    DiagnosticKind::InvalidValue,
                    k.span,
                    &path,
                    format!("`{}` is a built-in name and cannot be redefined", k.name),
                );
                continue;
            }
            let NodeKind::Str { value, verbatim } = &v.kind else {
                self.r.error(
                    DiagnosticKind::InvalidValue,
                    v.span,
                    &path,
                    format!("`{path}` must be an expression string, found {}", v.type_name()),
                );
                continue;
            };
            let text = Text { value: value.clone(), span: v.span, verbatim: *verbatim };
            let ast = self.parse_expr(&text, &path);
            parsed.push((k, text, ast));
        }
        let names: HashMap<&str, usize> =
            parsed.iter().enumerate().map(|(i, (k, _, _))| (k.name.as_str(), i)).collect();
        let deps: Vec<Vec<usize>> = parsed
            .iter()
            .map(|(_, _, ast)| {
                ast.as_ref().map_or_else(Vec::new, |a| {
                    refs::free_idents(a).iter().filter_map(|(n, _)| names.get(n.as_str()).copied()).collect()
                })
            })
            .collect();
        for (i, (_, _, ast)) in parsed.iter().enumerate() {
            if let Some(a) = ast {
                self.note_uses(a, Some(i), &parsed);
            }
        }
        // Depth-first topological order; a cycle is reported once, at its first entry.
        let mut state = vec![0u8; parsed.len()]; // 0 new, 1 on stack, 2 done
        let mut order = Vec::with_capacity(parsed.len());
        let mut cyclic = vec![false; parsed.len()];
        for start in 0..parsed.len() {
            self.visit_let(start, &deps, &mut state, &mut order, &mut cyclic, &parsed);
        }
        let mut lets = Vec::with_capacity(order.len());
        for i in order {
            let Some((key, text, ast)) = parsed.get(i) else { continue };
            let path = format!("let.{}", key.name);
            let compiled = match (ast, cyclic.get(i).copied().unwrap_or(true)) {
                (Some(a), false) => self.compile_ast(&envs.lets, a, text, &path).inspect(|_| {
                    self.note_source(&path, text);
                }),
                _ => None,
            };
            match compiled {
                Some(program) => {
                    let ty = program.result_type().clone();
                    let constant = program.constant().cloned();
                    let slot = envs.declare_let(&key.name, ty, constant);
                    if slot != LET_BASE + lets.len() {
                        // Slots and programs must stay aligned; this cannot happen as lets
                        // are declared in order, but stay safe.
                        continue;
                    }
                    lets.push(Let::new(key.name.clone(), program));
                }
                None => {
                    // Declared as `dyn` so that users of a broken entry are still checked;
                    // the program is a placeholder never evaluated (the policy fails to load).
                    envs.declare_let(&key.name, Type::Dyn, None);
                    if let Ok(p) = Env::new().compile("null") {
                        lets.push(Let::new(key.name.clone(), p));
                    }
                }
            }
        }
        let spans = parsed.iter().map(|(k, _, _)| (k.name.clone(), k.span)).collect();
        (lets, spans)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn visit_let(
        &mut self,
        i: usize,
        deps: &[Vec<usize>],
        state: &mut [u8],
        order: &mut Vec<usize>,
        cyclic: &mut [bool],
        parsed: &[(&DocKey, Text, Option<Expr>)],
    ) {
        // Iterative DFS (a policy may have thousands of lets).
        let mut stack: Vec<(usize, usize)> = vec![(i, 0)];
        if state.get(i).copied() != Some(0) {
            return;
        }
        if let Some(s) = state.get_mut(i) {
            *s = 1;
        }
        while let Some((node, next)) = stack.last().copied() {
            let children = deps.get(node).map_or(&[][..], Vec::as_slice);
            if let Some(&child) = children.get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match state.get(child).copied() {
                    Some(0) => {
                        if let Some(s) = state.get_mut(child) {
                            *s = 1;
                        }
                        stack.push((child, 0));
                    }
                    Some(1) => {
                        // A cycle: child .. node .. child.
                        let pos = stack.iter().position(|(n, _)| *n == child).unwrap_or(0);
                        let members: Vec<usize> = stack.iter().skip(pos).map(|(n, _)| *n).collect();
                        for m in &members {
                            if let Some(c) = cyclic.get_mut(*m) {
                                *c = true;
                            }
                        }
                        let names: Vec<&str> = members
                            .iter()
                            .filter_map(|m| parsed.get(*m).map(|p| p.0.name.as_str()))
                            .collect();
                        if let Some((key, _, _)) = parsed.get(child) {
                            let message = if names.len() == 1 {
                                format!("`let` entry `{}` refers to itself", key.name)
                            } else {
                                format!("`let` entries form a cycle: {} → {}", names.join(" → "), key.name)
                            };
                            self.r.error_help(
                                DiagnosticKind::CyclicLet,
                                key.span,
                                &format!("let.{}", key.name),
                                message,
                                "a `let` may use other `let` entries, but not itself, directly or indirectly",
                            );
                        }
                    }
                    _ => {}
                }
            } else {
                stack.pop();
                if let Some(s) = state.get_mut(node) {
                    *s = 2;
                }
                // Entries depending on a cyclic one cannot be compiled either.
                if children.iter().any(|c| cyclic.get(*c).copied().unwrap_or(false))
                    && let Some(c) = cyclic.get_mut(node)
                {
                    *c = true;
                }
                order.push(node);
            }
        }
    }

    /// Records which lets and params an expression uses (for unused warnings).
    pub(super) fn note_uses(
        &mut self,
        ast: &Expr,
        own_let: Option<usize>,
        parsed: &[(&DocKey, Text, Option<Expr>)],
    ) {
        for (name, _) in refs::free_idents(ast) {
            let is_self = own_let.is_some_and(|i| parsed.get(i).is_some_and(|p| p.0.name == name));
            if !is_self {
                self.used_lets.insert(name);
            }
        }
        let mut keys = Vec::new();
        if refs::param_keys(ast, &mut keys).is_none() {
            self.all_params_used = true;
        }
        self.used_params.extend(keys);
    }

    pub(super) fn parse_expr(&mut self, text: &Text, path: &str) -> Option<Expr> {
        match syntax::parse(&text.value, &self.limits) {
            Ok(ast) => Some(ast),
            Err(diags) => {
                for d in diags {
                    self.r.diags.push(place(d, text, path));
                }
                None
            }
        }
    }

    /// Keeps the text of an expression that compiled, for the test bench.
    fn note_source(&mut self, path: &str, text: &Text) {
        // Properties are tests of the policy, not part of it: no coverage goals.
        if path.starts_with("property[") {
            return;
        }
        let env = if path.starts_with("let.") {
            EnvKind::Lets
        } else if path.starts_with("risk[") && !path.ends_with(".reason") {
            EnvKind::Factor
        } else {
            EnvKind::Rule
        };
        self.sources.exprs.push(ExprSource { path: path.to_owned(), text: text.clone(), env });
    }

    pub(super) fn compile_ast(&mut self, env: &Env, ast: &Expr, text: &Text, path: &str) -> Option<Program> {
        match env.compile_ast(ast, true) {
            Ok(p) => Some(p),
            Err(diags) => {
                for d in diags {
                    self.r.diags.push(place(d, text, path));
                }
                None
            }
        }
    }

    /// Parses and compiles one expression, checking its result type.
    pub(super) fn expression(
        &mut self,
        env: &Env,
        text: &Text,
        path: &str,
        expected: &Type,
    ) -> Option<Program> {
        let ast = self.parse_expr(text, path)?;
        self.note_uses(&ast, None, &[]);
        let program = self.compile_ast(env, &ast, text, path)?;
        self.note_source(path, text);
        let ty = program.result_type();
        if ty != expected && !ty.is_dyn() {
            let d = Diagnostic::error(
                DiagnosticKind::TypeMismatch,
                format!("`{path}` must be a `{expected}` expression, found `{ty}`"),
            )
            .with_span(Span::new(0, text.value.len() as u32));
            self.r.diags.push(place(d, text, path));
            return None;
        }
        Some(program)
    }

    pub(super) fn template(&mut self, env: &Env, text: &Text, path: &str) -> Option<Template> {
        let s = text.value.as_str();
        let mut parts = Vec::new();
        let mut rest_start = 0usize;
        let mut ok = true;
        while let Some(open_rel) = s.get(rest_start..).and_then(|r| r.find("{{")) {
            let open = rest_start + open_rel;
            if open > rest_start {
                parts.push(Part::Text(s.get(rest_start..open).unwrap_or("").to_owned()));
            }
            let expr_start = open + 2;
            let Some(close_rel) = s.get(expr_start..).and_then(|r| r.find("}}")) else {
                let d =
                    Diagnostic::error(DiagnosticKind::UnexpectedToken, "unclosed `{{` in message template")
                        .with_span(Span::new(open as u32, (open + 2) as u32))
                        .with_help("close the interpolation with `}}`");
                self.r.diags.push(place(d, text, path));
                return None;
            };
            let inner = s.get(expr_start..expr_start + close_rel).unwrap_or("");
            let sub = Text {
                value: inner.to_owned(),
                span: text.span,
                verbatim: text.verbatim.map(|o| o + expr_start as u32),
            };
            match self.parse_expr(&sub, path) {
                Some(ast) => {
                    self.note_uses(&ast, None, &[]);
                    match self.compile_ast(env, &ast, &sub, path) {
                        Some(p) => {
                            self.note_source(path, &sub);
                            parts.push(Part::Expr(p));
                        }
                        None => ok = false,
                    }
                }
                None => ok = false,
            }
            rest_start = expr_start + close_rel + 2;
        }
        if rest_start < s.len() {
            parts.push(Part::Text(s.get(rest_start..).unwrap_or("").to_owned()));
        }
        ok.then(|| Template { source: text.value.clone(), parts })
    }
}

/// A diagnostic from an expression placed in the file: shifted to where the expression's text
/// is, or pointing at the whole string when its content is not verbatim.
pub(super) fn place(d: Diagnostic, text: &Text, path: &str) -> Diagnostic {
    let d = match text.verbatim {
        Some(offset) => d.shifted(offset),
        None => d.respanned(Some(text.span)),
    };
    d.with_path(path)
}
