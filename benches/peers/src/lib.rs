//! The same governance decision about a software change, expressed natively in four engines:
//! `changeguard` (CEL in a TOML policy), Cedar (`cedar-policy`), Rego (`regorus`, both its
//! tree-walking interpreter and its RVM bytecode VM) and CEL (`cel-interpreter`).
//!
//! The decision is a rule set of 20 conditions taken from changeguard's built-in policy
//! ([`rules`]): hard rules deny, soft rules need an approval, otherwise the change is allowed.
//! [`RuleSet::new`]`(10)` replicates the 20 conditions ten times with distinct constants (200
//! conditions). Each engine module compiles the rule set once and prepares each scenario's
//! input once; [`Engine::outcome`] is what the benchmark times and [`Engine::decide`] (the
//! outcome and the exact set of violated rules) is what the agreement test compares.
//!
//! See `README.md` for what each engine receives and why.

pub mod cedar_impl;
pub mod cel_impl;
pub mod changeguard_impl;
pub mod rego_impl;
pub mod rules;
pub mod scenarios;

use std::collections::BTreeSet;

pub use rules::{Cond, Enforcement, Rule, RuleSet};
pub use scenarios::{Scenario, Scenarios};

/// The outcome of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// No rule is violated.
    Allow,
    /// A soft rule is violated, no hard one.
    NeedsApproval,
    /// A hard rule is violated.
    Deny,
}

impl Outcome {
    /// The outcome as changeguard and the Rego policy spell it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::NeedsApproval => "needs_approval",
            Outcome::Deny => "deny",
        }
    }

    /// Parses [`Outcome::as_str`] text.
    #[must_use]
    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            "allow" => Some(Outcome::Allow),
            "needs_approval" => Some(Outcome::NeedsApproval),
            "deny" => Some(Outcome::Deny),
            _ => None,
        }
    }
}

/// A full decision: the outcome and every violated rule id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Deny, needs approval or allow.
    pub outcome: Outcome,
    /// The ids of the violated rules (hard and soft), sorted.
    pub violated: BTreeSet<String>,
}

impl Decision {
    /// The decision implied by a set of violated rule ids: deny when one is hard, else needs
    /// approval when there is any, else allow.
    #[must_use]
    pub fn from_violations(rules: &RuleSet, violated: BTreeSet<String>) -> Decision {
        let outcome = outcome_of(rules, violated.iter().map(String::as_str));
        Decision { outcome, violated }
    }
}

/// The outcome implied by violated rule ids (unknown ids count as hard, failing closed).
pub fn outcome_of<'a>(rules: &RuleSet, violated: impl IntoIterator<Item = &'a str>) -> Outcome {
    let mut outcome = Outcome::Allow;
    for id in violated {
        match rules.enforcement(id) {
            Some(Enforcement::Soft) => outcome = Outcome::NeedsApproval,
            Some(Enforcement::Hard) | None => return Outcome::Deny,
        }
    }
    outcome
}

/// One engine with a compiled rule set.
pub trait Engine {
    /// A scenario's input, in the engine's own form, prepared once.
    type Input;

    /// A short name for tables and benchmark ids.
    fn name(&self) -> &'static str;

    /// Converts a scenario into the engine's input. Not timed.
    fn prepare(&self, scenario: &Scenario) -> Self::Input;

    /// The outcome, having evaluated every rule: what the benchmark times.
    fn outcome(&self, input: &Self::Input) -> Outcome;

    /// The outcome and the set of violated rules: what the agreement test compares.
    fn decide(&self, input: &Self::Input) -> Decision;
}

/// An engine and its inputs, one per scenario, prepared once.
#[derive(Debug)]
pub struct Prepared<E: Engine> {
    /// The engine, with the rule set compiled.
    pub engine: E,
    /// The scenarios' inputs, in scenario order.
    pub inputs: Vec<E::Input>,
}

impl<E: Engine> Prepared<E> {
    /// Prepares every scenario for `engine`.
    pub fn new(engine: E, scenarios: &Scenarios) -> Prepared<E> {
        let inputs = scenarios.list.iter().map(|s| engine.prepare(s)).collect();
        Prepared { engine, inputs }
    }

    /// One decision per scenario, each with its violated rules.
    pub fn decisions(&self) -> Vec<Decision> {
        self.inputs.iter().map(|i| self.engine.decide(i)).collect()
    }

    /// One outcome per scenario: exactly the work the benchmark times.
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.inputs.iter().map(|i| self.engine.outcome(i)).collect()
    }
}

/// Every engine, compiled for one rule set, with every scenario prepared.
#[derive(Debug)]
pub struct Suite {
    /// The rule set.
    pub rules: RuleSet,
    /// The scenarios.
    pub scenarios: Scenarios,
    /// changeguard.
    pub changeguard: Prepared<changeguard_impl::ChangeguardEngine>,
    /// Cedar.
    pub cedar: Prepared<cedar_impl::CedarEngine>,
    /// Rego, regorus's interpreter.
    pub rego: Prepared<rego_impl::RegoInterpreter>,
    /// Rego, regorus's RVM.
    pub rego_vm: Prepared<rego_impl::RegoVm>,
    /// CEL, cel-interpreter.
    pub cel: Prepared<cel_impl::CelEngine>,
}

impl Suite {
    /// Compiles the 20 conditions times `replicas` in every engine and prepares every
    /// scenario.
    #[must_use]
    pub fn new(replicas: u32) -> Suite {
        let rules = RuleSet::new(replicas);
        let scenarios = Scenarios::load();
        let context = &scenarios.list[0].context;
        let changeguard =
            Prepared::new(changeguard_impl::ChangeguardEngine::new(&rules, &scenarios.topology), &scenarios);
        let cedar = Prepared::new(cedar_impl::CedarEngine::new(&rules, context), &scenarios);
        let rego = Prepared::new(rego_impl::RegoInterpreter::new(&rules), &scenarios);
        let rego_vm = Prepared::new(rego_impl::RegoVm::new(&rules), &scenarios);
        let cel = Prepared::new(cel_impl::CelEngine::new(&rules), &scenarios);
        Suite { rules, scenarios, changeguard, cedar, rego, rego_vm, cel }
    }

    /// Checks that every engine reaches changeguard's decision (outcome and violated rules)
    /// on every scenario, through both [`Engine::decide`] and [`Engine::outcome`]. Returns a
    /// table of the decisions, or every disagreement.
    ///
    /// # Errors
    ///
    /// A description of every disagreement.
    pub fn verify(&self) -> Result<String, String> {
        let reference = self.changeguard.decisions();
        let peers: [(&str, Vec<Decision>, Vec<Outcome>); 5] = [
            ("changeguard", reference.clone(), self.changeguard.outcomes()),
            ("cedar", self.cedar.decisions(), self.cedar.outcomes()),
            ("regorus", self.rego.decisions(), self.rego.outcomes()),
            ("regorus-rvm", self.rego_vm.decisions(), self.rego_vm.outcomes()),
            ("cel-interpreter", self.cel.decisions(), self.cel.outcomes()),
        ];
        let mut errors = Vec::new();
        let mut table = format!("{} rules\n", self.rules.len());
        for (i, scenario) in self.scenarios.list.iter().enumerate() {
            let want = &reference[i];
            let _ = std::fmt::Write::write_fmt(
                &mut table,
                format_args!(
                    "{:<28} {:<15} {}\n",
                    scenario.name,
                    want.outcome.as_str(),
                    want.violated.iter().cloned().collect::<Vec<_>>().join(" ")
                ),
            );
            for (name, decisions, outcomes) in &peers {
                let got = &decisions[i];
                if got != want {
                    let missing: Vec<_> = want.violated.difference(&got.violated).collect();
                    let extra: Vec<_> = got.violated.difference(&want.violated).collect();
                    errors.push(format!(
                        "{}: {name} decides {} (missing {missing:?}, extra {extra:?}), changeguard {}",
                        scenario.name,
                        got.outcome.as_str(),
                        want.outcome.as_str()
                    ));
                }
                if outcomes[i] != got.outcome {
                    errors.push(format!(
                        "{}: {name}'s outcome() {} differs from its decide() {}",
                        scenario.name,
                        outcomes[i].as_str(),
                        got.outcome.as_str()
                    ));
                }
            }
        }
        if errors.is_empty() { Ok(table) } else { Err(errors.join("\n")) }
    }
}
