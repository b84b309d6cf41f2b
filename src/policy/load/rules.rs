//! Rules, risk factors and risk levels: ids checked, conditions compiled, constant
//! conditions warned about.

use std::collections::HashMap;

use crate::cel::{Program, Type, Value};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};
use crate::document::reader::{Table, Text, join};
use crate::document::tree::NodeKind;
use crate::policy::env::PolicyEnvs;
use crate::policy::model::{Enforcement, Factor, Points, RiskLevel, RiskLevels, Rule, Template};

use super::{Loader, transpose, valid_id};

impl Loader {
    /// Whether constant `points` are within [`crate::policy::model::POINTS_RANGE`]; reports them if not.
    pub(super) fn points_in_range(&mut self, points: i64, span: Span, path: &str) -> bool {
        let range = crate::policy::model::POINTS_RANGE;
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

    pub(super) fn id(
        &mut self,
        t: Table<'_>,
        path: &str,
        seen: &mut HashMap<String, Span>,
    ) -> Option<String> {
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

    pub(super) fn factors(&mut self, top: Table<'_>, envs: &PolicyEnvs) -> Vec<Factor> {
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
                self.sources.factors.push(t.key_span("id").unwrap_or(t.span));
                out.push(Factor { id: id.into(), when, points, reason, references: references.into() });
            }
        }
        out
    }

    pub(super) fn warn_never(&mut self, t: Table<'_>, path: &str, what: &str) {
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

    pub(super) fn levels(&mut self, top: Table<'_>) -> RiskLevels {
        let mut levels = RiskLevels::default();
        let Some(node) = top.get("risk_levels") else { return levels };
        let Some(t) = self.r.table(node, "risk_levels", &["medium", "high", "critical"]) else {
            return levels;
        };
        self.sources.levels = t.entries.iter().map(|(k, v)| (k.name.clone(), v.span)).collect();
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

    pub(super) fn rules(&mut self, top: Table<'_>, envs: &PolicyEnvs) -> Vec<Rule> {
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
                Some(e) => Enforcement::from_name(&e.value).or_else(|| {
                    let help = Enforcement::name_help(&e.value);
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
                self.sources.rules.push(t.key_span("id").unwrap_or(t.span));
                self.sources.override_roles.push(t.get("override_roles").map(|n| n.span));
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
    pub(super) fn level(&mut self, t: Table<'_>, key: &str) -> Option<Option<RiskLevel>> {
        let text = self.r.text(t, "decision", key, false)?;
        match RiskLevel::from_name(&text.value) {
            Some(l) => Some(Some(l)),
            None => {
                let help = RiskLevel::name_help(&text.value);
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
}
