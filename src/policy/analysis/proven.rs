//! The findings proven from the compiled policy alone.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{FindingKind as K, Findings, Severity};
use crate::cel::Program;
use crate::cel::normal::{Normalizer, int_outcomes};
use crate::diagnostic::DiagnosticKind;
use crate::policy::env::{BUILTIN_NAMES, LET_BASE};
use crate::policy::model::{CompiledPolicy, Enforcement, Points, RiskLevel, constant_bool};
use crate::policy::sources::Sources;

/// The most distinct sums of points followed before giving up on proving a level unreachable.
const MAX_SUMS: usize = 100_000;

pub(super) fn all(f: &mut Findings<'_>) {
    constants(f);
    levels(f);
    decision(f);
    let forms = Forms::new(f.policy);
    duplicates(f, &forms);
    implied(f, &forms);
    unused(f);
    roles(f);
}

fn constants(f: &mut Findings<'_>) {
    let p = f.policy;
    for (factor, span) in p.factors.iter().zip(&p.sources.factors) {
        let item = format!("risk[{}]", factor.id);
        match factor.when.as_ref().map(constant_bool) {
            Some(Some(false)) => f.push(
                K::FactorNeverFires,
                Severity::Warning,
                item,
                Some(*span),
                format!("risk factor `{}` never fires: its `when` is always false", factor.id),
            ),
            None | Some(Some(true)) => f.push(
                K::FactorAlwaysFires,
                Severity::Note,
                item,
                Some(*span),
                format!(
                    "risk factor `{}` always fires (its `when` is absent or always true): its points are added to every score",
                    factor.id
                ),
            ),
            Some(None) => {}
        }
    }
    for (rule, span) in p.rules.iter().zip(&p.sources.rules) {
        let item = format!("rule[{}]", rule.id);
        let when = rule.when.as_ref().map(constant_bool);
        let require = constant_bool(&rule.require);
        if when == Some(Some(false)) {
            let message = format!("rule `{}` never applies: its `when` is always false", rule.id);
            f.push(K::RuleNeverApplies, Severity::Warning, item, Some(*span), message);
        } else if require == Some(true) {
            let message = format!("rule `{}` is never violated: its `require` is always true", rule.id);
            f.push(K::RuleNeverViolated, Severity::Warning, item, Some(*span), message);
        } else if require == Some(false) && matches!(when, None | Some(Some(true))) {
            let message =
                format!("rule `{}` is violated by every change: its `require` is always false", rule.id);
            f.push(K::RuleAlwaysViolated, Severity::Warning, item, Some(*span), message);
        }
    }
}

/// The scores the factors' points can sum to (clamped to 0..=100), when every factor's points
/// are known: a constant, or a choice between constants.
fn reachable_scores(p: &CompiledPolicy) -> Option<BTreeSet<i64>> {
    let mut sums = BTreeSet::from([0i64]);
    for factor in &p.factors {
        if factor.when.as_ref().and_then(constant_bool) == Some(false) {
            continue;
        }
        let values = match &factor.points {
            Points::Literal(v) => vec![*v],
            Points::Expr(program) => int_outcomes(program)?,
        };
        let mut next = sums.clone();
        for s in &sums {
            next.extend(values.iter().map(|v| s.saturating_add(*v)));
        }
        if next.len() > MAX_SUMS {
            return None;
        }
        sums = next;
    }
    Some(sums.into_iter().map(|s| s.clamp(0, 100)).collect())
}

fn levels(f: &mut Findings<'_>) {
    let p = f.policy;
    let Some(scores) = reachable_scores(p) else { return };
    let l = &p.levels;
    let ranges = [
        (RiskLevel::Low, 0, l.medium),
        (RiskLevel::Medium, l.medium, l.high),
        (RiskLevel::High, l.high, l.critical),
        (RiskLevel::Critical, l.critical, 101),
    ];
    for (level, from, to) in ranges {
        if scores.iter().any(|s| (from..to).contains(s)) {
            continue;
        }
        let mut message = if from >= to {
            format!("risk level `{level}` is unreachable: its range of scores is empty")
        } else {
            format!(
                "risk level `{level}` is unreachable: no sum of the risk factors' points gives a score from {from} to {}",
                to - 1
            )
        };
        for (key, setting) in [("approval_at", Some(p.decision.approval_at)), ("deny_at", p.decision.deny_at)]
        {
            if setting == Some(level) {
                let _ = write!(message, "; `decision.{key}` = \"{level}\" only counts from a higher level");
            }
        }
        let span = Sources::find(&p.sources.levels, level.as_str()).copied();
        f.push(K::UnreachableRiskLevel, Severity::Warning, format!("risk_levels.{level}"), span, message);
    }
}

fn decision(f: &mut Findings<'_>) {
    let d = &f.policy.decision;
    if let Some(deny) = d.deny_at
        && deny <= d.approval_at
    {
        let span = Sources::find(&f.policy.sources.decision, "deny_at").copied();
        f.push(
            K::DenyNotAboveApproval,
            Severity::Warning,
            String::from("decision.deny_at"),
            span,
            format!(
                "`deny_at` ({deny}) is not above `approval_at` ({}): a change risky enough to need an approval is denied instead",
                d.approval_at
            ),
        );
    }
}

/// The normal forms of the `let` entries, for the conditions that read them.
struct Forms<'p> {
    policy: &'p CompiledPolicy,
    lets: Vec<String>,
}

impl<'p> Forms<'p> {
    fn new(policy: &'p CompiledPolicy) -> Self {
        let mut forms = Forms { policy, lets: Vec::with_capacity(policy.lets.len()) };
        // In dependency order: each reads only the ones before it.
        for l in &policy.lets {
            let form = forms.of(&l.program);
            forms.lets.push(form);
        }
        forms
    }

    fn with<R>(&self, f: impl FnOnce(&Normalizer<'_>) -> R) -> R {
        let global = |slot: usize| match slot.checked_sub(LET_BASE) {
            Some(i) => self.lets.get(i).cloned(),
            None => BUILTIN_NAMES.get(slot).map(|n| (*n).to_owned()),
        };
        let inline = |slot: usize| {
            slot.checked_sub(LET_BASE).and_then(|i| self.policy.lets.get(i)).map(|l| &l.program)
        };
        f(&Normalizer { global: &global, inline: &inline })
    }

    fn of(&self, program: &Program) -> String {
        self.with(|n| n.program(program))
    }

    fn conjuncts(&self, program: &Program) -> Vec<String> {
        self.with(|n| n.conjuncts(program))
    }

    fn when(&self, when: Option<&Program>) -> String {
        when.map_or_else(|| String::from("true"), |w| self.of(w))
    }
}

/// Describes a duplicate: the later item's id, the earlier's, the earlier's line.
type Describe = fn(&str, &str, usize) -> String;

fn duplicates(f: &mut Findings<'_>, forms: &Forms<'_>) {
    let p = f.policy;
    let factors: Vec<(&str, String)> =
        p.factors.iter().map(|x| (&*x.id, forms.when(x.when.as_ref()))).collect();
    let rules: Vec<(&str, String)> = p
        .rules
        .iter()
        .map(|r| (&*r.id, format!("{} => {}", forms.when(r.when.as_ref()), forms.of(&r.require))))
        .collect();
    let factor: Describe = |b, a, line| {
        format!(
            "risk factor `{b}` has the same condition as `{a}` (line {line}): a change that meets it gets the points of both"
        )
    };
    let rule: Describe =
        |b, a, line| format!("rule `{b}` has the same `when` and `require` as rule `{a}` (line {line})");
    let mut found = Vec::new();
    for (section, items, spans, describe) in
        [("risk", &factors, &p.sources.factors, factor), ("rule", &rules, &p.sources.rules, rule)]
    {
        for (j, (id, form)) in items.iter().enumerate() {
            let Some(i) = items.iter().position(|(_, other)| other == form).filter(|i| *i < j) else {
                continue;
            };
            let (Some((earlier, _)), Some(span_a), Some(span_b)) = (items.get(i), spans.get(i), spans.get(j))
            else {
                continue;
            };
            let line = p.sources.line_col(span_a.start).line;
            found.push((format!("{section}[{id}]"), *span_b, describe(id, earlier, line)));
        }
    }
    for (item, span, message) in found {
        f.push(K::DuplicateCondition, Severity::Warning, item, Some(span), message);
    }
}

fn implied(f: &mut Findings<'_>, forms: &Forms<'_>) {
    let p = f.policy;
    for (rule, span) in p.rules.iter().zip(&p.sources.rules) {
        let Some(when) = &rule.when else { continue };
        if constant_bool(&rule.require).is_some() {
            continue;
        }
        let given = forms.conjuncts(when);
        let required = forms.conjuncts(&rule.require);
        if required.iter().all(|r| given.contains(r)) {
            f.push(
                K::RequireImpliedByWhen,
                Severity::Warning,
                format!("rule[{}]", rule.id),
                Some(*span),
                format!(
                    "rule `{}` can never be violated: its `require` holds whenever its `when` does",
                    rule.id
                ),
            );
        }
    }
}

fn unused(f: &mut Findings<'_>) {
    let found: Vec<_> = f
        .policy
        .warnings
        .iter()
        .filter(|d| d.kind() == DiagnosticKind::Unused)
        .filter_map(|d| {
            let path = d.path()?.to_owned();
            let kind = if path.starts_with("let.") { K::UnusedLet } else { K::UnusedParam };
            Some((kind, path, d.span(), d.message().to_owned()))
        })
        .collect();
    for (kind, path, span, message) in found {
        f.push(kind, Severity::Warning, path, span, message);
    }
}

fn roles(f: &mut Findings<'_>) {
    let p = f.policy;
    for (rule, span) in p.rules.iter().zip(&p.sources.override_roles) {
        if rule.override_roles.is_empty() {
            continue;
        }
        let item = format!("rule[{}].override_roles", rule.id);
        if rule.enforcement != Enforcement::Soft {
            let message = format!(
                "rule `{}` is {}: no approval overrides it, so its override roles ({}) are never used",
                rule.id,
                rule.enforcement,
                rule.override_roles.join(", ")
            );
            f.push(K::UnusableOverrideRole, Severity::Warning, item, *span, message);
            continue;
        }
        for role in &rule.override_roles {
            if crate::input::canonical_name(role).is_empty() {
                let message =
                    format!("override role `{role}` of rule `{}` is blank: no approval carries it", rule.id);
                f.push(K::UnusableOverrideRole, Severity::Warning, item.clone(), *span, message);
            }
        }
    }
}
