//! Rego through `regorus`: one module (`package peers`) where every rule adds its id to the
//! partial set `hard` or `soft`, and `result` gives `{outcome, hard, soft}`, the outcome
//! computed in Rego with an `else` chain.
//!
//! Rego computes everything from the raw change: identities trimmed and lower-cased with
//! `trim_space`/`lower`, distinct approvers as a set comprehension, the first rollout step
//! with the strategy defaults, versions compared with `semver.compare`, major numbers with
//! `split`/`to_number`, the ticket label with `regex.match`. Helper rules (`approvers`,
//! `first_step`…) are evaluated at most once per decision, as Rego caches rules.
//!
//! Two ways to run it, both parsed and compiled once, the input document converted to a
//! `regorus::Value` once per scenario (so each decision costs a reference-count clone to set
//! it):
//! - [`RegoInterpreter`]: `Engine::set_input` + `Engine::eval_rule("data.peers.result")`;
//! - [`RegoVm`]: the policy compiled to RVM bytecode (`Compiler::compile_from_policy`) and run
//!   by a reused `RegoVM` (`set_input` + `execute`).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::vm::RegoVM;
use regorus::{Engine as RegoEngine, Value};

use crate::rules::{
    CONFIG_KINDS, Cond, EMERGENCY_ROLES, Enforcement, REQUIRED_CHECKS, Rule, RuleSet, STEPPED_STRATEGIES,
    production, set_literal,
};
use crate::scenarios::document;
use crate::{Decision, Engine, Outcome, Scenario};

/// The rule queried for a decision.
pub const ENTRY_POINT: &str = "data.peers.result";

/// The module run by a regorus machine `M`: its interpreter ([`RegoInterpreter`]) or its
/// virtual machine ([`RegoVm`]).
pub struct Rego<M> {
    machine: RefCell<M>,
    outcome_key: Value,
}

/// regorus's tree-walking interpreter.
pub type RegoInterpreter = Rego<RegoEngine>;

/// regorus's RVM: the policy compiled to bytecode, run by a reused virtual machine.
pub type RegoVm = Rego<RegoVM>;

impl<M: Machine> std::fmt::Debug for Rego<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rego").field("machine", &M::NAME).finish_non_exhaustive()
    }
}

impl<M> Rego<M> {
    fn with(machine: M) -> Rego<M> {
        Rego { machine: RefCell::new(machine), outcome_key: Value::from("outcome") }
    }
}

fn load(rules: &RuleSet) -> RegoEngine {
    let mut engine = RegoEngine::new();
    let text = policy_rego(rules);
    if let Err(e) = engine.add_policy("peers.rego".to_owned(), text) {
        panic!("Rego policy does not load: {e}");
    }
    engine
}

impl RegoInterpreter {
    /// Parses the rule set's module. A first evaluation (on an empty input) runs the engine's
    /// one-time preparation outside the benchmark.
    ///
    /// # Panics
    ///
    /// When the generated policy does not load (a bug in this crate).
    #[must_use]
    pub fn new(rules: &RuleSet) -> RegoInterpreter {
        let mut engine = load(rules);
        engine.set_input(Value::new_object());
        if let Err(e) = engine.eval_rule(ENTRY_POINT.to_owned()) {
            panic!("Rego policy does not evaluate: {e}");
        }
        Rego::with(engine)
    }
}

impl RegoVm {
    /// Compiles the rule set's module to an RVM program and loads it into a VM.
    ///
    /// # Panics
    ///
    /// When the generated policy does not compile (a bug in this crate).
    #[must_use]
    pub fn new(rules: &RuleSet) -> RegoVm {
        let mut engine = load(rules);
        let compiled = match engine.compile_with_entrypoint(&ENTRY_POINT.into()) {
            Ok(c) => c,
            Err(e) => panic!("Rego policy does not compile: {e}"),
        };
        let program = match Compiler::compile_from_policy(&compiled, &[ENTRY_POINT]) {
            Ok(p) => p,
            Err(e) => panic!("Rego policy does not compile to RVM: {e}"),
        };
        let mut vm = RegoVM::new();
        vm.load_program(Arc::clone(&program));
        Rego::with(vm)
    }
}

fn input_of(scenario: &Scenario) -> Value {
    match Value::from_json_str(&document(scenario).to_string()) {
        Ok(v) => v,
        Err(e) => panic!("input does not convert: {e}"),
    }
}

fn outcome_in(result: &Value, key: &Value) -> Outcome {
    match &result[key] {
        Value::String(s) => Outcome::parse(s).unwrap_or(Outcome::Deny),
        _ => Outcome::Deny,
    }
}

fn decision_in(result: &Value, key: &Value) -> Decision {
    let mut violated = BTreeSet::new();
    for part in ["hard", "soft"] {
        let set = match result[part].as_set() {
            Ok(s) => s,
            Err(e) => panic!("result.{part} is not a set ({e}): {result:?}"),
        };
        for v in set {
            violated.insert(v.as_string().map(ToString::to_string).unwrap_or_default());
        }
    }
    Decision { outcome: outcome_in(result, key), violated }
}

/// What differs between the two ways of running the module: the name, and how one evaluation
/// of `data.peers.result` is asked for.
pub trait Machine {
    /// The engine's name in tables and benchmark ids.
    const NAME: &'static str;

    /// The result object for the input last set.
    ///
    /// # Errors
    ///
    /// The machine's error, as text.
    fn result(&mut self, input: Value) -> Result<Value, String>;
}

impl Machine for RegoEngine {
    const NAME: &'static str = "regorus";

    fn result(&mut self, input: Value) -> Result<Value, String> {
        self.set_input(input);
        self.eval_rule(ENTRY_POINT.to_owned()).map_err(|e| e.to_string())
    }
}

impl Machine for RegoVM {
    const NAME: &'static str = "regorus-rvm";

    fn result(&mut self, input: Value) -> Result<Value, String> {
        self.set_input(input);
        self.execute().map_err(|e| e.to_string())
    }
}

impl<M: Machine> Rego<M> {
    fn eval(&self, input: &Value) -> Value {
        match self.machine.borrow_mut().result(input.clone()) {
            Ok(v) => v,
            Err(e) => panic!("{} evaluation failed: {e}", M::NAME),
        }
    }
}

impl<M: Machine> Engine for Rego<M> {
    type Input = Value;

    fn name(&self) -> &'static str {
        M::NAME
    }

    fn prepare(&self, scenario: &Scenario) -> Value {
        input_of(scenario)
    }

    fn outcome(&self, input: &Value) -> Outcome {
        outcome_in(&self.eval(input), &self.outcome_key)
    }

    fn decide(&self, input: &Value) -> Decision {
        decision_in(&self.eval(input), &self.outcome_key)
    }
}

const PRELUDE: &str = r#"package peers

import rego.v1

# Derived facts, evaluated at most once per decision.
author := lower(trim_space(input.change.author))

approvers contains a if {
	some ap in input.change.approvals
	a := lower(trim_space(ap.by))
	a != ""
	a != author
}

approver_roles contains lower(trim_space(ap.role)) if {
	some ap in input.change.approvals
	by := lower(trim_space(ap.by))
	by != ""
	by != author
}

default_steps := {
	"all_at_once": [100], "blue_green": [100], "rolling": [25, 50, 75, 100],
	"canary": [10, 100], "linear": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
	"one_box": [1, 100], "feature_flag": [1, 100],
}

first_step := object.get(input.change.strategy, "steps", default_steps[input.change.strategy.type])[0]

major(v) := to_number(split(v, ".")[0])

freeze_covers_environment(f) if count(f.environments) == 0

freeze_covers_environment(f) if input.change.environment in f.environments

outcome := "deny" if {
	count(hard) > 0
} else := "needs_approval" if {
	count(soft) > 0
} else := "allow"

result := {"outcome": outcome, "hard": hard, "soft": soft}
"#;

/// The Rego module of a rule set.
#[must_use]
pub fn policy_rego(rules: &RuleSet) -> String {
    let mut out = String::from(PRELUDE);
    // A rule set without hard (or soft) rules still defines the set, empty.
    for (set, enforcement) in [("hard", Enforcement::Hard), ("soft", Enforcement::Soft)] {
        if !rules.rules().iter().any(|r| r.enforcement() == enforcement) {
            let _ = writeln!(out, "\n{set} := set()");
        }
    }
    // One production test per replica, evaluated at most once per decision.
    for k in 0..rules.replicas() {
        let _ =
            write!(out, "\n{} if input.change.environment in {}\n", is_prod(k), set_literal(&production(k)));
    }
    for rule in rules.rules() {
        let set = match rule.enforcement() {
            Enforcement::Hard => "hard",
            Enforcement::Soft => "soft",
        };
        let (bodies, helpers) = condition(rule);
        for body in bodies {
            let _ = write!(out, "\n{set} contains \"{}\" if {{\n", rule.id);
            for line in body.lines() {
                let _ = writeln!(out, "\t{}", line.trim());
            }
            out.push_str("}\n");
        }
        if let Some(h) = helpers {
            out.push('\n');
            out.push_str(&h);
            out.push('\n');
        }
    }
    out
}

/// The name of the rule that tells whether the change goes to production, for replica `k`.
fn is_prod(k: u32) -> String {
    if k == 0 { "is_prod".to_owned() } else { format!("is_prod_{k}") }
}

/// The bodies of the rule (each adds the id when it holds) and any helper rules.
fn condition(rule: &Rule) -> (Vec<String>, Option<String>) {
    let prod = is_prod(rule.k);
    let k = rule.k;
    match rule.cond {
        Cond::ChangeFreeze => {
            let start = if k == 0 {
                "f.start".to_owned()
            } else {
                format!("f.start - {}", rule.freeze_lead_hours() * 3600)
            };
            (
                vec![format!(
                    "some f in input.context.freezes\n{start} <= input.change.when\n\
                     input.change.when < f.end\nfreeze_covers_environment(f)\n\
                     not input.change.category in f.exempt"
                )],
                None,
            )
        }
        Cond::SeparationOfDuties => (vec![format!("{prod}\ncount(approvers) < 2")], None),
        Cond::RequiredChecks => (
            vec![format!(
                "{prod}\nsome c in {}\nobject.get(input.change.checks, c, \"\") != \"passed\"",
                set_literal(&REQUIRED_CHECKS)
            )],
            None,
        ),
        Cond::RollbackPlan => (vec![format!("{prod}\nnot input.change.rollback.plan")], None),
        Cond::VersionCeiling => (
            vec![format!(
                "{prod}\nsome s in input.change.services\nsemver.compare(s.to, \"{}\") >= 0",
                rule.version_ceiling_text()
            )],
            None,
        ),
        Cond::NoFailedChecks => {
            (vec![format!("{prod}\nsome status in input.change.checks\nstatus == \"failed\"")], None)
        }
        Cond::ChecksAllPassed => {
            (vec![format!("{prod}\nsome status in input.change.checks\nstatus != \"passed\"")], None)
        }
        Cond::RollbackTested => (
            vec![
                format!("{prod}\ninput.change.rollback.plan\nnot input.change.rollback.tested"),
                format!("{prod}\ninput.change.rollback.plan\nnot input.change.rollback.automated"),
            ],
            None,
        ),
        Cond::RollbackFast => {
            (vec![format!("{prod}\ninput.change.rollback.minutes > {}", rule.max_rollback_minutes())], None)
        }
        Cond::PreproductionTested => (
            vec![format!("{prod}\ninput.change.category != \"emergency\"\nnot preproduction_tested_{k}")],
            Some(format!(
                "preproduction_tested_{k} if {{\n\tsome e in input.change.tested_in\n\te in {}\n}}",
                set_literal(&rule.preproduction())
            )),
        ),
        Cond::ProgressiveRollout => (vec![format!("{prod}\nfirst_step > {}", rule.max_first_step())], None),
        Cond::BlastExposure => {
            (vec![format!("{prod}\ninput.blast.exposure >= {}", rule.max_exposure_text())], None)
        }
        Cond::TicketLabel => (
            vec![format!("{prod}\nnot ticket_ok_{k}")],
            Some(format!(
                "ticket_ok_{k} if regex.match(\"{}\", input.change.labels.ticket)",
                rule.ticket_pattern()
            )),
        ),
        Cond::MajorBump => (
            vec![format!(
                "{prod}\ninput.change.category != \"emergency\"\nsome s in input.change.services\n\
                 major(s.to) > major(s.from)"
            )],
            None,
        ),
        Cond::StandardChangeSize => (
            vec![format!("{prod}\ninput.change.category == \"standard\"\nnot small_change_{k}")],
            Some(format!(
                "small_change_{k} if input.change.size.lines_added + input.change.size.lines_removed <= {}",
                rule.standard_max_lines()
            )),
        ),
        Cond::OneWayDoor => {
            (vec![format!("{prod}\ninput.change.migration\nnot input.change.migration.reversible")], None)
        }
        Cond::EmergencyReview => (
            vec![format!(
                "{prod}\ninput.change.category == \"emergency\"\n\
                 not input.change.labels[\"post-incident-review\"]\nnot input.change.labels.postmortem"
            )],
            None,
        ),
        Cond::BakeTime => (
            vec![format!(
                "{prod}\ninput.change.strategy.type in {}\ninput.change.strategy.bake_minutes < {}",
                set_literal(&STEPPED_STRATEGIES),
                rule.min_bake_minutes()
            )],
            None,
        ),
        Cond::EmergencyApprover => (
            vec![format!(
                "{prod}\ninput.change.category == \"emergency\"\ncount(approver_roles & {}) == 0",
                set_literal(&EMERGENCY_ROLES)
            )],
            None,
        ),
        Cond::ConfigProgressive => (
            vec![format!(
                "{prod}\nsome s in input.change.services\nsome kind in s.kinds\nkind in {}\nfirst_step > {}",
                set_literal(&CONFIG_KINDS),
                rule.max_config_first_step()
            )],
            None,
        ),
    }
}
