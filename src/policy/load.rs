//! Policy text to a compiled policy: every section read, every expression compiled against
//! the typed environment, every problem reported at once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::doc::{self, DocKey, Node, NodeKind};
use super::env::{LET_BASE, PolicyEnvs};
use super::model::{
    BlastSettings, DecisionSettings, Enforcement, Expect, Factor, Let, OnError, Outcome, Part, Points,
    RiskLevel, RiskLevels, Rule, Template, TestCase,
};
use super::reader::{Reader, Table, Text, join};
use super::refs;
use crate::Limits;
use crate::cel::syntax::{self, Expr};
use crate::cel::{Env, Key, MapBuilder, Program, Str, Timestamp, Type, Value};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Span};

/// The text format of a policy document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Toml,
    Json,
}

/// Everything a loaded policy holds.
pub(crate) struct Loaded {
    pub(crate) name: std::sync::Arc<str>,
    pub(crate) version: semver::Version,
    /// `version` as text, as every assessment reports it.
    pub(crate) version_text: std::sync::Arc<str>,
    pub(crate) description: String,
    pub(crate) lets: Vec<Let>,
    pub(crate) factors: Vec<Factor>,
    pub(crate) levels: RiskLevels,
    pub(crate) rules: Vec<Rule>,
    pub(crate) decision: DecisionSettings,
    pub(crate) blast: BlastSettings,
    pub(crate) tests: Vec<TestCase>,
    pub(crate) test_topology: Option<crate::topology::Topology>,
    /// The `[health]` section, when the policy has one.
    pub(crate) health: Option<super::health::HealthSection>,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) limits: Limits,
    /// The environment vocabulary (`params.environments`), possibly empty.
    pub(crate) environments: super::environments::Environments,
}

impl Loaded {
    /// A policy with nothing in it (approval needed from `low`), used only as a last resort.
    pub(crate) fn empty() -> Self {
        Loaded {
            name: "empty".into(),
            version: semver::Version::new(0, 0, 0),
            version_text: "0.0.0".into(),
            description: String::new(),
            lets: Vec::new(),
            factors: Vec::new(),
            levels: RiskLevels::default(),
            rules: Vec::new(),
            decision: DecisionSettings { approval_at: RiskLevel::Low, ..DecisionSettings::default() },
            blast: BlastSettings::default(),
            tests: Vec::new(),
            test_topology: None,
            health: None,
            warnings: Vec::new(),
            limits: Limits::default(),
            environments: super::environments::Environments::default(),
        }
    }
}

const TOP_KEYS: [&str; 11] = [
    "policy",
    "params",
    "let",
    "risk",
    "risk_levels",
    "rule",
    "decision",
    "blast",
    "health",
    "test",
    "test_topology",
];

/// Loads a policy document.
pub(crate) fn load(source: &str, format: Format, limits: &Limits) -> Result<Loaded, Diagnostics> {
    if source.len() > limits.max_policy_bytes {
        return Err(Diagnostics::single(
            Diagnostic::error(
                DiagnosticKind::LimitExceeded,
                format!(
                    "limit exceeded: policy source of {} bytes > {}",
                    source.len(),
                    limits.max_policy_bytes
                ),
            )
            .with_help("raise `Limits::max_policy_bytes` if this policy is legitimate"),
        ));
    }
    let root = match format {
        Format::Toml => doc::parse_toml(source),
        Format::Json => doc::parse_json(source),
    }
    .map_err(Diagnostics::new)?;
    let mut l = Loader {
        r: Reader::default(),
        limits: limits.clone(),
        used_lets: HashSet::new(),
        used_params: HashSet::new(),
        all_params_used: false,
    };
    let loaded = l.document(&root);
    let mut diags = l.r.diags;
    // Report in the order of the text (stable: diagnostics without a place keep their order).
    diags.sort_by_key(|d| d.span().map_or(u32::MAX, |s| s.start));
    match loaded {
        Some(mut p) if !diags.iter().any(Diagnostic::is_error) => {
            p.warnings.append(&mut diags);
            Ok(p)
        }
        _ => {
            if !diags.iter().any(Diagnostic::is_error) {
                diags.push(Diagnostic::error(
                    DiagnosticKind::InvalidDocument,
                    "the policy could not be loaded",
                ));
            }
            Err(Diagnostics::new(diags))
        }
    }
}

struct Loader {
    r: Reader,
    limits: Limits,
    used_lets: HashSet<String>,
    used_params: HashSet<String>,
    all_params_used: bool,
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
}

impl Loader {
    fn document(&mut self, root: &Node) -> Option<Loaded> {
        let top = self.r.table(root, "", &TOP_KEYS)?;
        let (name, version, description) = self.meta(top);
        let (params, param_spans, environments) = self.params(top);
        let mut envs = PolicyEnvs::new(&self.limits, &params);
        let (lets, let_spans) = self.lets(top, &mut envs);
        let factors = self.factors(top, &envs);
        let levels = self.levels(top);
        let rules = self.rules(top, &envs);
        if factors.len() + rules.len() > self.limits.max_rules {
            self.r.error(
                DiagnosticKind::LimitExceeded,
                top.span,
                "",
                format!(
                    "limit exceeded: {} rules and factors > {}",
                    factors.len() + rules.len(),
                    self.limits.max_rules
                ),
            );
        }
        let decision = self.decision(top);
        let blast = self.blast(top);
        let health = top.get("health").and_then(|n| super::health::read(&mut self.r, n));
        let tests = self.tests(top);
        let limits = self.limits.clone();
        let test_topology = top.get("test_topology").and_then(|n| {
            self.input_document(n, "test_topology", |t| {
                crate::topology::Topology::from_json_with_limits(t, &limits)
            })
        });
        let mut warnings = Vec::new();
        for (name, span) in &let_spans {
            if !self.used_lets.contains(name) {
                warnings.push(
                    Diagnostic::warning(
                        DiagnosticKind::Unused,
                        format!("`let` entry `{name}` is never used"),
                    )
                    .with_span(*span)
                    .with_path(format!("let.{name}"))
                    .with_help("remove it, or use it in a rule or risk factor"),
                );
            }
        }
        if !self.all_params_used {
            for (name, span) in &param_spans {
                if !self.used_params.contains(name) {
                    warnings.push(
                        Diagnostic::warning(
                            DiagnosticKind::Unused,
                            format!("parameter `{name}` is never used"),
                        )
                        .with_span(*span)
                        .with_path(format!("params.{name}"))
                        .with_help(format!("remove it, or refer to it as `params.{name}`")),
                    );
                }
            }
        }
        let version = version?;
        Some(Loaded {
            name: name?.into(),
            version_text: version.to_string().into(),
            version,
            description,
            lets,
            factors,
            levels,
            rules,
            decision,
            blast,
            tests,
            test_topology,
            health,
            warnings,
            limits: self.limits.clone(),
            environments,
        })
    }

    fn meta(&mut self, top: Table<'_>) -> (Option<String>, Option<semver::Version>, String) {
        let Some(node) = top.get("policy") else {
            self.r.error_help(
                DiagnosticKind::MissingKey,
                Span::new(0, 0),
                "policy",
                "missing `[policy]` section",
                "start the document with `[policy]`, `name = \"…\"` and `version = \"1.0.0\"`",
            );
            return (None, None, String::new());
        };
        let Some(t) = self.r.table(node, "policy", &["name", "version", "description"]) else {
            return (None, None, String::new());
        };
        let name = self.r.string(t, "policy", "name", true);
        if let Some(n) = &name
            && n.trim().is_empty()
        {
            self.r.error(
                DiagnosticKind::InvalidValue,
                t.get("name").map_or(t.span, |n| n.span),
                "policy.name",
                "`policy.name` must not be empty",
            );
        }
        let version = self.r.text(t, "policy", "version", true).and_then(|v| {
            let text = v.value.trim();
            match semver::Version::parse(text.strip_prefix('v').unwrap_or(text)) {
                Ok(ver) => Some(ver),
                Err(e) => {
                    self.r.error_help(
                        DiagnosticKind::InvalidValue,
                        v.span,
                        "policy.version",
                        format!("`{}` is not a semantic version: {e}", v.value),
                        "write a version like `1.4.0`",
                    );
                    None
                }
            }
        });
        let description = self.r.string(t, "policy", "description", false).unwrap_or_default();
        (name, version, description)
    }

    fn params(
        &mut self,
        top: Table<'_>,
    ) -> (Value<'static>, Vec<(String, Span)>, super::environments::Environments) {
        let mut b = MapBuilder::new();
        let mut spans = Vec::new();
        let mut environments = super::environments::Environments::default();
        if let Some(node) = top.get("params") {
            match &node.kind {
                NodeKind::Table(entries) => {
                    for (k, v) in entries {
                        b.push(Key::String(Str::shared(Arc::from(k.name.as_str()))), node_value(v));
                        // The vocabulary is read by the engine: never "unused".
                        if k.name != super::environments::ENVIRONMENTS
                            && k.name != super::environments::STRICTEST
                        {
                            spans.push((k.name.clone(), k.span));
                        }
                    }
                    environments = super::environments::Environments::read(&mut self.r, entries);
                }
                _ => self.r.error(
                    DiagnosticKind::InvalidValue,
                    node.span,
                    "params",
                    "`params` must be a table",
                ),
            }
        }
        (Value::map(b.build().unwrap_or_default()), spans, environments)
    }

    /// Reads, orders and compiles the `let` entries; returns them with their key spans.
    fn lets(&mut self, top: Table<'_>, envs: &mut PolicyEnvs) -> (Vec<Let>, Vec<(String, Span)>) {
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
            if super::env::BUILTIN_NAMES.contains(&k.name.as_str()) {
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
                (Some(a), false) => self.compile_ast(&envs.lets, a, text, &path),
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
    fn visit_let(
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

    /// Whether constant `points` are within [`super::model::POINTS_RANGE`]; reports them if not.
    fn points_in_range(&mut self, points: i64, span: Span, path: &str) -> bool {
        let range = super::model::POINTS_RANGE;
        if range.contains(&points) {
            return true;
        }
        self.r.error_help(
            DiagnosticKind::InvalidValue,
            span,
            &join(path, "points"),
            format!("`{path}.points` is {points}, outside {}..={}", range.start(), range.end()),
            "scores are clamped to 0..=100: give a factor a few points, or a negative few to lower the score",
        );
        false
    }

    /// Records which lets and params an expression uses (for unused warnings).
    fn note_uses(&mut self, ast: &Expr, own_let: Option<usize>, parsed: &[(&DocKey, Text, Option<Expr>)]) {
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

    fn parse_expr(&mut self, text: &Text, path: &str) -> Option<Expr> {
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

    fn compile_ast(&mut self, env: &Env, ast: &Expr, text: &Text, path: &str) -> Option<Program> {
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
    fn expression(&mut self, env: &Env, text: &Text, path: &str, expected: &Type) -> Option<Program> {
        let ast = self.parse_expr(text, path)?;
        self.note_uses(&ast, None, &[]);
        let program = self.compile_ast(env, &ast, text, path)?;
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

    fn template(&mut self, env: &Env, text: &Text, path: &str) -> Option<Template> {
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
                        Some(p) => parts.push(Part::Expr(p)),
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

    fn id(&mut self, t: Table<'_>, path: &str, seen: &mut HashMap<String, Span>) -> Option<String> {
        let text = self.r.text(t, path, "id", true)?;
        let id = text.value.clone();
        let path_id = format!("{path}.id");
        if !valid_id(&id) {
            self.r.error_help(
                DiagnosticKind::InvalidValue,
                text.span,
                &path_id,
                format!("invalid id `{id}`"),
                "ids start with a lowercase letter or digit and contain only `a-z`, `0-9`, `_`, `.` and `-`",
            );
        }
        if seen.contains_key(&id) {
            self.r.error_help(
                DiagnosticKind::DuplicateId,
                text.span,
                &path_id,
                format!("duplicate id `{id}`"),
                "ids must be unique within their section",
            );
        } else {
            seen.insert(id.clone(), text.span);
        }
        Some(id)
    }

    fn factors(&mut self, top: Table<'_>, envs: &PolicyEnvs) -> Vec<Factor> {
        let mut out = Vec::new();
        let mut seen = HashMap::new();
        for (i, node) in self.r.tables(top, "risk").into_iter().enumerate() {
            let path = format!("risk[{i}]");
            let Some(t) =
                self.r.table(node, &path, &["id", "when", "points", "reason", "references", "description"])
            else {
                continue;
            };
            let id = self.id(t, &path, &mut seen);
            let path = id.as_ref().map_or(path, |id| format!("risk[{id}]"));
            let when = self
                .r
                .text(t, &path, "when", false)
                .map(|w| self.expression(&envs.factor, &w, &join(&path, "when"), &Type::Bool));
            let points = match t.get("points") {
                None => {
                    self.r.error(
                        DiagnosticKind::MissingKey,
                        t.span,
                        &path,
                        format!("missing key `points` in `{path}`"),
                    );
                    None
                }
                Some(n) => match &n.kind {
                    NodeKind::Int(p) => {
                        self.points_in_range(*p, n.span, &path).then_some(Points::Literal(*p))
                    }
                    NodeKind::Str { value, verbatim } => {
                        let text = Text { value: value.clone(), span: n.span, verbatim: *verbatim };
                        self.expression(&envs.factor, &text, &join(&path, "points"), &Type::Int)
                            .filter(|p| match p.constant() {
                                Some(Value::Int(c)) => self.points_in_range(*c, n.span, &path),
                                _ => true,
                            })
                            .map(Points::Expr)
                    }
                    _ => {
                        self.r.error(
                            DiagnosticKind::InvalidValue,
                            n.span,
                            &join(&path, "points"),
                            format!(
                                "`{path}.points` must be an integer or an expression string, found {}",
                                n.type_name()
                            ),
                        );
                        None
                    }
                },
            };
            let reason = match self.r.text(t, &path, "reason", false) {
                Some(r) => self.template(&envs.rule, &r, &join(&path, "reason")),
                None => Some(Template { source: String::new(), parts: Vec::new() }),
            };
            let references = self.r.strings(t, &path, "references");
            let _ = self.r.string(t, &path, "description", false);
            if let (Some(id), Some(when), Some(points), Some(reason)) = (id, transpose(when), points, reason)
            {
                if let Some(Some(Value::Bool(false))) = when.as_ref().map(Program::constant) {
                    self.warn_never(t, &path, "risk factor");
                }
                out.push(Factor { id: id.into(), when, points, reason, references: references.into() });
            }
        }
        out
    }

    fn warn_never(&mut self, t: Table<'_>, path: &str, what: &str) {
        let span = t.key_span("when").unwrap_or(t.span);
        self.r.diags.push(
            Diagnostic::warning(
                DiagnosticKind::NeverApplies,
                format!("this {what} can never apply: `when` is always false"),
            )
            .with_span(span)
            .with_path(path),
        );
    }

    fn levels(&mut self, top: Table<'_>) -> RiskLevels {
        let mut levels = RiskLevels::default();
        let Some(node) = top.get("risk_levels") else { return levels };
        let Some(t) = self.r.table(node, "risk_levels", &["medium", "high", "critical"]) else {
            return levels;
        };
        for (key, slot) in
            [("medium", &mut levels.medium), ("high", &mut levels.high), ("critical", &mut levels.critical)]
        {
            if let Some((v, span)) = self.r.int(t, "risk_levels", key) {
                if (0..=100).contains(&v) {
                    *slot = v;
                } else {
                    self.r.error(
                        DiagnosticKind::InvalidValue,
                        span,
                        &format!("risk_levels.{key}"),
                        format!("`risk_levels.{key}` must be between 0 and 100, found {v}"),
                    );
                }
            }
        }
        if !(levels.medium <= levels.high && levels.high <= levels.critical) {
            self.r.error_help(
                DiagnosticKind::InvalidValue,
                t.span,
                "risk_levels",
                format!(
                    "risk level thresholds must not decrease: medium {} , high {}, critical {}",
                    levels.medium, levels.high, levels.critical
                ),
                "use thresholds such that medium ≤ high ≤ critical",
            );
        }
        levels
    }

    fn rules(&mut self, top: Table<'_>, envs: &PolicyEnvs) -> Vec<Rule> {
        let mut out = Vec::new();
        let mut seen = HashMap::new();
        let keys = [
            "id",
            "description",
            "enforcement",
            "when",
            "require",
            "message",
            "remediation",
            "references",
            "override_roles",
            "dry_run",
        ];
        for (i, node) in self.r.tables(top, "rule").into_iter().enumerate() {
            let path = format!("rule[{i}]");
            let Some(t) = self.r.table(node, &path, &keys) else { continue };
            let id = self.id(t, &path, &mut seen);
            let path = id.as_ref().map_or(path, |id| format!("rule[{id}]"));
            let description = self.r.string(t, &path, "description", false).unwrap_or_default();
            let enforcement = match self.r.text(t, &path, "enforcement", false) {
                None => Some(Enforcement::Soft),
                Some(e) => Enforcement::parse(&e.value).or_else(|| {
                    let help = crate::fuzzy::did_you_mean(&e.value, ["advisory", "soft", "hard"])
                        .unwrap_or_else(|| "use `advisory`, `soft` or `hard`".into());
                    self.r.error_help(
                        DiagnosticKind::InvalidValue,
                        e.span,
                        &join(&path, "enforcement"),
                        format!("unknown enforcement level `{}`", e.value),
                        help,
                    );
                    None
                }),
            };
            let when = self
                .r
                .text(t, &path, "when", false)
                .map(|w| self.expression(&envs.rule, &w, &join(&path, "when"), &Type::Bool));
            let require = self
                .r
                .text(t, &path, "require", true)
                .and_then(|r| self.expression(&envs.rule, &r, &join(&path, "require"), &Type::Bool));
            let message = self
                .r
                .text(t, &path, "message", false)
                .map(|m| self.template(&envs.rule, &m, &join(&path, "message")));
            let remediation = self
                .r
                .text(t, &path, "remediation", false)
                .map(|m| self.template(&envs.rule, &m, &join(&path, "remediation")));
            let references = self.r.strings(t, &path, "references");
            let override_roles = self.r.strings(t, &path, "override_roles");
            let dry_run = self.r.bool(t, &path, "dry_run").unwrap_or(false);
            if !override_roles.is_empty() && enforcement.is_some_and(|e| e != Enforcement::Soft) {
                self.r.diags.push(
                    Diagnostic::warning(
                        DiagnosticKind::IgnoredSetting,
                        "`override_roles` only applies to soft rules",
                    )
                    .with_span(t.key_span("override_roles").unwrap_or(t.span))
                    .with_path(join(&path, "override_roles")),
                );
            }
            if let (
                Some(id),
                Some(enforcement),
                Some(when),
                Some(require),
                Some(message),
                Some(remediation),
            ) = (id, enforcement, transpose(when), require, transpose(message), transpose(remediation))
            {
                if let Some(Some(Value::Bool(false))) = when.as_ref().map(Program::constant) {
                    self.warn_never(t, &path, "rule");
                }
                if let Some(Value::Bool(true)) = require.constant() {
                    self.r.diags.push(
                        Diagnostic::warning(
                            DiagnosticKind::NeverApplies,
                            "this rule can never be violated: `require` is always true",
                        )
                        .with_span(t.key_span("require").unwrap_or(t.span))
                        .with_path(path.clone()),
                    );
                }
                out.push(Rule {
                    id: id.into(),
                    description,
                    enforcement,
                    when,
                    require,
                    message,
                    remediation,
                    references: references.into(),
                    override_roles,
                    dry_run,
                });
            }
        }
        out
    }

    #[allow(
        clippy::option_option,
        reason = "absent, present but invalid, and present and valid are three answers"
    )]
    fn level(&mut self, t: Table<'_>, key: &str) -> Option<Option<RiskLevel>> {
        let text = self.r.text(t, "decision", key, false)?;
        match RiskLevel::parse(&text.value) {
            Some(l) => Some(Some(l)),
            None => {
                let help = crate::fuzzy::did_you_mean(&text.value, ["low", "medium", "high", "critical"])
                    .unwrap_or_else(|| "use `low`, `medium`, `high` or `critical`".into());
                self.r.error_help(
                    DiagnosticKind::InvalidValue,
                    text.span,
                    &format!("decision.{key}"),
                    format!("unknown risk level `{}`", text.value),
                    help,
                );
                Some(None)
            }
        }
    }

    fn decision(&mut self, top: Table<'_>) -> DecisionSettings {
        let mut d = DecisionSettings::default();
        let Some(node) = top.get("decision") else { return d };
        let Some(t) =
            self.r.table(node, "decision", &["approval_at", "approval_roles", "deny_at", "on_error"])
        else {
            return d;
        };
        if let Some(Some(l)) = self.level(t, "approval_at") {
            d.approval_at = l;
        }
        if let Some(l) = self.level(t, "deny_at") {
            d.deny_at = l;
        }
        d.approval_roles = self.r.strings(t, "decision", "approval_roles");
        if let Some(text) = self.r.text(t, "decision", "on_error", false) {
            match text.value.as_str() {
                "fail_closed" => d.on_error = OnError::FailClosed,
                "fail_open" => d.on_error = OnError::FailOpen,
                other => {
                    let help = crate::fuzzy::did_you_mean(other, ["fail_closed", "fail_open"])
                        .unwrap_or_else(|| "use `fail_closed` or `fail_open`".into());
                    self.r.error_help(
                        DiagnosticKind::InvalidValue,
                        text.span,
                        "decision.on_error",
                        format!("unknown error handling `{other}`"),
                        help,
                    );
                }
            }
        }
        d
    }

    fn blast(&mut self, top: Table<'_>) -> BlastSettings {
        let mut b = BlastSettings::default();
        let Some(node) = top.get("blast") else { return b };
        let Some(t) = self.r.table(node, "blast", &["default_tier", "max_depth"]) else { return b };
        for (key, slot) in [("default_tier", &mut b.default_tier), ("max_depth", &mut b.max_depth)] {
            if let Some((v, span)) = self.r.int(t, "blast", key) {
                match u32::try_from(v) {
                    Ok(v) => *slot = v,
                    Err(_) => self.r.error(
                        DiagnosticKind::InvalidValue,
                        span,
                        &format!("blast.{key}"),
                        format!("`blast.{key}` must be a non-negative integer, found {v}"),
                    ),
                }
            }
        }
        b
    }

    fn tests(&mut self, top: Table<'_>) -> Vec<TestCase> {
        let limits = self.limits.clone();
        let mut out = Vec::new();
        let mut names = HashSet::new();
        for (i, node) in self.r.tables(top, "test").into_iter().enumerate() {
            let path = format!("test[{i}]");
            let Some(t) = self.r.table(node, &path, &["name", "change", "topology", "context", "expect"])
            else {
                continue;
            };
            let name = self.r.string(t, &path, "name", true);
            let path = name.as_ref().map_or(path, |n| format!("test[{n}]"));
            if let Some(n) = &name
                && !names.insert(n.clone())
            {
                self.r.error(
                    DiagnosticKind::DuplicateId,
                    t.get("name").map_or(t.span, |n| n.span),
                    &path,
                    format!("duplicate test name `{n}`"),
                );
            }
            let change = match t.get("change") {
                Some(n) => self.input_document(n, &join(&path, "change"), |t| {
                    crate::input::Change::from_json_with_limits(t, &limits)
                }),
                None => {
                    self.r.error(
                        DiagnosticKind::MissingKey,
                        t.span,
                        &path,
                        format!("missing key `change` in `{path}`"),
                    );
                    None
                }
            };
            let topology = t.get("topology").map(|n| {
                self.input_document(n, &join(&path, "topology"), |t| {
                    crate::topology::Topology::from_json_with_limits(t, &limits)
                })
            });
            let context = t.get("context").map(|n| {
                self.input_document(n, &join(&path, "context"), |t| {
                    crate::input::Context::from_json_with_limits(t, &limits)
                })
            });
            let expect = self.expect(t, &path);
            if let (Some(name), Some(change), Some(topology), Some(context), Some(expect)) =
                (name, change, transpose(topology), transpose(context), expect)
            {
                out.push(TestCase { name, change, topology, context, expect });
            }
        }
        out
    }

    /// Reads an input document embedded in the policy (a test's change, topology or context)
    /// with the input types' own loader; its diagnostics point at the embedded table.
    fn input_document<T>(
        &mut self,
        node: &Node,
        path: &str,
        parse: impl Fn(&str) -> Result<T, Diagnostics>,
    ) -> Option<T> {
        let text = serde_json::to_string(&node.to_json()).unwrap_or_default();
        match parse(&text) {
            Ok(v) => Some(v),
            Err(diags) => {
                for d in diags {
                    let at = match d.path() {
                        Some(p) => format!("{path}.{p}"),
                        None => path.to_owned(),
                    };
                    let mut nd = Diagnostic::error(d.kind(), d.message()).with_span(node.span).with_path(at);
                    if let Some(h) = d.help() {
                        nd = nd.with_help(h);
                    }
                    self.r.diags.push(nd);
                }
                None
            }
        }
    }

    fn expect(&mut self, t: Table<'_>, path: &str) -> Option<Expect> {
        let Some(node) = t.get("expect") else {
            self.r.error(
                DiagnosticKind::MissingKey,
                t.span,
                path,
                format!("missing key `expect` in `{path}`"),
            );
            return None;
        };
        let epath = join(path, "expect");
        let e =
            self.r.table(node, &epath, &["outcome", "violations", "risk_level", "risk_score", "impacted"])?;
        let outcome = self.r.text(e, &epath, "outcome", true).and_then(|o| {
            Outcome::parse(&o.value).or_else(|| {
                let help = crate::fuzzy::did_you_mean(&o.value, ["allow", "needs_approval", "deny"])
                    .unwrap_or_else(|| "use `allow`, `needs_approval` or `deny`".into());
                self.r.error_help(
                    DiagnosticKind::InvalidValue,
                    o.span,
                    &join(&epath, "outcome"),
                    format!("unknown outcome `{}`", o.value),
                    help,
                );
                None
            })
        });
        let violations = e.get("violations").map(|_| self.r.strings(e, &epath, "violations"));
        let impacted = e.get("impacted").map(|_| self.r.strings(e, &epath, "impacted"));
        let risk_level = self.r.text(e, &epath, "risk_level", false).and_then(|l| {
            let parsed = RiskLevel::parse(&l.value);
            if parsed.is_none() {
                self.r.error(
                    DiagnosticKind::InvalidValue,
                    l.span,
                    &join(&epath, "risk_level"),
                    format!("unknown risk level `{}`", l.value),
                );
            }
            parsed
        });
        let risk_score = self.r.int(e, &epath, "risk_score").map(|(v, _)| v);
        Some(Expect { outcome: outcome?, violations, risk_level, risk_score, impacted })
    }
}

#[allow(
    clippy::option_option,
    reason = "absent, present but invalid, and present and valid are three answers"
)]
fn transpose<T>(v: Option<Option<T>>) -> Option<Option<T>> {
    match v {
        None => Some(None),
        Some(None) => None,
        Some(Some(x)) => Some(Some(x)),
    }
}

/// A diagnostic from an expression placed in the file: shifted to where the expression's text
/// is, or pointing at the whole string when its content is not verbatim.
fn place(d: Diagnostic, text: &Text, path: &str) -> Diagnostic {
    let d = match text.verbatim {
        Some(offset) => d.shifted(offset),
        None => d.respanned(Some(text.span)),
    };
    d.with_path(path)
}

/// A parameter value from the document.
fn node_value(n: &Node) -> Value<'static> {
    match &n.kind {
        NodeKind::Str { value, .. } => Value::string(value.as_str()),
        NodeKind::Int(i) => Value::Int(*i),
        NodeKind::Float(f) => Value::Double(*f),
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Null => Value::Null,
        NodeKind::Datetime(d) => {
            Timestamp::parse(d).map_or_else(|_| Value::string(d.as_str()), Value::Timestamp)
        }
        NodeKind::Array(items) => Value::list(items.iter().map(node_value).collect::<Vec<_>>()),
        NodeKind::Table(entries) => {
            let mut b = MapBuilder::with_capacity(entries.len());
            for (k, v) in entries {
                b.push(Key::String(Str::shared(Arc::from(k.name.as_str()))), node_value(v));
            }
            Value::map(b.build().unwrap_or_default())
        }
    }
}
