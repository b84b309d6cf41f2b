//! CEL through `cel-interpreter` 0.10: one `Program` per rule, compiled once, each a boolean
//! "is this rule violated?" over the variables `change`, `context` and `blast`, bound once per
//! scenario in a `Context` (so a decision runs the programs and nothing else).
//!
//! What `cel-interpreter` 0.10 cannot express, the host prepares once per scenario, and only
//! for this engine:
//! - it has no `lowerAscii`/`trim`: `change.author` and every approval's `by` and `role` are
//!   given trimmed and lower-cased (distinctness and author exclusion are still computed in
//!   CEL, with nested `exists`);
//! - it has no semver support nor `split`: each service also carries its version numbers as
//!   integers (`from_major`, `to_major`, `to_minor`, `to_patch`).
//!
//! It has no `let` either, so shared facts (the first rollout step with its strategy default)
//! are recomputed by each program that needs them. `matches` compiles its pattern on every
//! call (cel-interpreter caches nothing).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use cel_interpreter::objects::{Key, Map};
use cel_interpreter::{Context, Program, Value};
use changeguard::input::canonical_name;

use crate::rules::{
    CONFIG_KINDS, Cond, EMERGENCY_ROLES, REQUIRED_CHECKS, REVIEW_LABELS, Rule, RuleSet, STEPPED_STRATEGIES,
    any_equal, list_literal,
};
use crate::scenarios::document;
use crate::{Decision, Engine, Outcome, Scenario, outcome_of};

/// `cel-interpreter` with one compiled program per rule.
pub struct CelEngine {
    programs: Vec<(String, Program)>,
    rules: RuleSet,
}

impl std::fmt::Debug for CelEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CelEngine").field("programs", &self.programs.len()).finish_non_exhaustive()
    }
}

/// A scenario's variables, bound once in a context that also holds the standard functions.
pub struct CelInput {
    context: Context<'static>,
}

impl std::fmt::Debug for CelInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CelInput").finish_non_exhaustive()
    }
}

impl CelEngine {
    /// Compiles one program per rule.
    ///
    /// # Panics
    ///
    /// When a generated expression does not parse (a bug in this crate).
    #[must_use]
    pub fn new(rules: &RuleSet) -> CelEngine {
        let programs = rules
            .rules()
            .iter()
            .map(|r| {
                let text = violation(r);
                match Program::compile(&text) {
                    Ok(p) => (r.id.clone(), p),
                    Err(e) => panic!("{}: CEL does not parse: {e}\n{text}", r.id),
                }
            })
            .collect();
        CelEngine { programs, rules: rules.clone() }
    }

    /// The source of every program, `(rule id, expression)`.
    #[must_use]
    pub fn sources(rules: &RuleSet) -> Vec<(String, String)> {
        rules.rules().iter().map(|r| (r.id.clone(), violation(r))).collect()
    }

    fn violated(input: &CelInput, id: &str, program: &Program) -> bool {
        match program.execute(&input.context) {
            Ok(Value::Bool(b)) => b,
            // Every rule is written to evaluate without error on every scenario: an error
            // or a non-boolean is a bug in this crate.
            Ok(other) => panic!("{id}: not a boolean: {other:?}"),
            Err(e) => panic!("{id}: CEL evaluation failed: {e:?}"),
        }
    }
}

impl Engine for CelEngine {
    type Input = CelInput;

    fn name(&self) -> &'static str {
        "cel-interpreter"
    }

    fn prepare(&self, scenario: &Scenario) -> CelInput {
        let mut doc = document(scenario);
        normalize(&mut doc, scenario);
        let mut context = Context::default();
        for var in ["change", "context", "blast"] {
            context.add_variable_from_value(var, to_cel(&doc[var]));
        }
        CelInput { context }
    }

    fn outcome(&self, input: &CelInput) -> Outcome {
        let mut outcome = Outcome::Allow;
        for (id, program) in &self.programs {
            if Self::violated(input, id, program) {
                match self.rules.enforcement(id) {
                    Some(crate::Enforcement::Soft) => {
                        if outcome == Outcome::Allow {
                            outcome = Outcome::NeedsApproval;
                        }
                    }
                    _ => outcome = Outcome::Deny,
                }
            }
        }
        outcome
    }

    fn decide(&self, input: &CelInput) -> Decision {
        let violated: BTreeSet<String> = self
            .programs
            .iter()
            .filter(|(id, p)| Self::violated(input, id, p))
            .map(|(id, _)| id.clone())
            .collect();
        let outcome = outcome_of(&self.rules, violated.iter().map(String::as_str));
        Decision { outcome, violated }
    }
}

/// What cel-interpreter cannot compute: normalized identities and split version numbers.
fn normalize(doc: &mut serde_json::Value, scenario: &Scenario) {
    let change = &mut doc["change"];
    change["author"] = canonical_name(&scenario.change.author).into();
    if let Some(approvals) = change["approvals"].as_array_mut() {
        for a in approvals {
            for field in ["by", "role"] {
                let n = canonical_name(a[field].as_str().unwrap_or_default());
                a[field] = n.into();
            }
        }
    }
    if let Some(services) = change["services"].as_array_mut() {
        for (s, svc) in services.iter_mut().zip(&scenario.change.services) {
            if let Some(v) = &svc.from {
                s["from_major"] = v.major.into();
            }
            if let Some(v) = &svc.to {
                s["to_major"] = v.major.into();
                s["to_minor"] = v.minor.into();
                s["to_patch"] = v.patch.into();
            }
        }
    }
}

/// JSON to a CEL value: integers as `int`, other numbers as `double`.
fn to_cel(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(a) => Value::List(Arc::new(a.iter().map(to_cel).collect())),
        serde_json::Value::Object(o) => {
            let map: HashMap<Key, Value> =
                o.iter().map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v))).collect();
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

/// The first rollout step: explicit steps, else the strategy's default.
const FIRST_STEP: &str = "(has(change.strategy.steps) ? change.strategy.steps[0] : \
    {\"all_at_once\": 100, \"blue_green\": 100, \"rolling\": 25, \"canary\": 10, \"linear\": 10, \
    \"one_box\": 1, \"feature_flag\": 1}[change.strategy.type])";

/// The expression that is true when `rule` is violated.
fn violation(rule: &Rule) -> String {
    let prod = any_equal("change.environment", &rule.production());
    match rule.cond {
        Cond::ChangeFreeze => {
            let start = if rule.k == 0 {
                "f.start".to_owned()
            } else {
                format!("f.start - {}", rule.freeze_lead_hours() * 3600)
            };
            format!(
                "context.freezes.exists(f, {start} <= change.when && change.when < f.end \
                 && (size(f.environments) == 0 || change.environment in f.environments) \
                 && !(change.category in f.exempt))"
            )
        }
        Cond::SeparationOfDuties => format!(
            "{prod} && !change.approvals.exists(a, a.by != \"\" && a.by != change.author \
             && change.approvals.exists(b, b.by != \"\" && b.by != change.author && b.by != a.by))"
        ),
        Cond::RequiredChecks => format!(
            "{prod} && !{}.all(c, c in change.checks && change.checks[c] == \"passed\")",
            list_literal(&REQUIRED_CHECKS)
        ),
        Cond::RollbackPlan => format!("{prod} && !(has(change.rollback) && change.rollback.plan)"),
        Cond::VersionCeiling => {
            let (major, minor, _) = rule.version_ceiling();
            format!(
                "{prod} && change.services.exists(s, has(s.to_major) \
                 && (s.to_major > {major} || (s.to_major == {major} && s.to_minor >= {minor})))"
            )
        }
        Cond::NoFailedChecks => format!("{prod} && change.checks.exists(c, change.checks[c] == \"failed\")"),
        Cond::ChecksAllPassed => format!("{prod} && change.checks.exists(c, change.checks[c] != \"passed\")"),
        Cond::RollbackTested => format!(
            "{prod} && has(change.rollback) && change.rollback.plan \
             && !(change.rollback.tested && change.rollback.automated)"
        ),
        Cond::RollbackFast => format!(
            "{prod} && has(change.rollback) && has(change.rollback.minutes) && change.rollback.minutes > {}",
            rule.max_rollback_minutes()
        ),
        Cond::PreproductionTested => format!(
            "{prod} && change.category != \"emergency\" && !change.tested_in.exists(e, e in {})",
            list_literal(&rule.preproduction())
        ),
        Cond::ProgressiveRollout => format!("{prod} && {FIRST_STEP} > {}", rule.max_first_step()),
        Cond::BlastExposure => format!("{prod} && blast.exposure >= {}", rule.max_exposure_text()),
        Cond::TicketLabel => format!(
            "{prod} && !(\"ticket\" in change.labels && change.labels[\"ticket\"].matches(\"{}\"))",
            rule.ticket_pattern()
        ),
        Cond::MajorBump => format!(
            "{prod} && change.category != \"emergency\" && change.services.exists(s, \
             has(s.from_major) && has(s.to_major) && s.to_major > s.from_major)"
        ),
        Cond::StandardChangeSize => format!(
            "{prod} && change.category == \"standard\" && !(has(change.size) \
             && change.size.lines_added + change.size.lines_removed <= {})",
            rule.standard_max_lines()
        ),
        Cond::OneWayDoor => format!("{prod} && has(change.migration) && !change.migration.reversible"),
        Cond::EmergencyReview => format!(
            "{prod} && change.category == \"emergency\" && !(\"{}\" in change.labels || \"{}\" in change.labels)",
            REVIEW_LABELS[0], REVIEW_LABELS[1]
        ),
        Cond::BakeTime => format!(
            "{prod} && change.strategy.type in {} && change.strategy.bake_minutes < {}",
            list_literal(&STEPPED_STRATEGIES),
            rule.min_bake_minutes()
        ),
        Cond::EmergencyApprover => format!(
            "{prod} && change.category == \"emergency\" && !change.approvals.exists(a, \
             a.by != \"\" && a.by != change.author && a.role in {})",
            list_literal(&EMERGENCY_ROLES)
        ),
        Cond::ConfigProgressive => format!(
            "{prod} && change.services.exists(s, s.kinds.exists(k, k in {})) && {FIRST_STEP} > {}",
            list_literal(&CONFIG_KINDS),
            rule.max_config_first_step()
        ),
    }
}
