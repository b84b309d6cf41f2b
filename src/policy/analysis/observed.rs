//! The findings observed over generated inputs: what every input tried showed of the factors
//! and rules, through the same accounting as test coverage.

use proptest::strategy::{Strategy, ValueTree};

use super::{Evidence, FindingKind as K, Findings, Severity};
use crate::policy::coverage::Recorder;
use crate::testing::{SearchOptions, scenarios, seeded_runner};

/// Assesses `options.cases` inputs generated from the policy's vocabulary and adds what held
/// for all of them; returns how many inputs were assessed.
pub(super) fn all(f: &mut Findings<'_>, options: &SearchOptions) -> u32 {
    let p = f.policy;
    let strategy = scenarios(&crate::policy::vocabulary::vocabulary(p));
    let mut runner = seeded_runner(options.seed);
    let mut recorder = Recorder::new(p);
    let mut inputs = 0u32;
    for _ in 0..options.cases {
        let Ok(tree) = strategy.new_tree(&mut runner) else { continue };
        let s = tree.current();
        let _ = recorder.assess(&s.change, &s.topology, &s.context);
        inputs += 1;
    }
    if inputs == 0 {
        return 0;
    }
    let (factors, rules) = recorder.items();
    let observed = Evidence::Observed;
    for ((factor, [fired, not_fired]), span) in p.factors.iter().zip(factors).zip(&p.sources.factors) {
        let item = format!("risk[{}]", factor.id);
        if fired == Some(false) {
            let message = format!("risk factor `{}` fired for none of the inputs", factor.id);
            f.push_with(K::FactorNeverFires, Severity::Warning, observed, item, Some(*span), message);
        } else if not_fired == Some(false) {
            let message = format!("risk factor `{}` fired for every input", factor.id);
            f.push_with(K::FactorAlwaysFires, Severity::Note, observed, item, Some(*span), message);
        }
    }
    for ((rule, [not_applicable, satisfied, violated]), span) in
        p.rules.iter().zip(rules).zip(&p.sources.rules)
    {
        let item = format!("rule[{}]", rule.id);
        let span = Some(*span);
        let id = &rule.id;
        match (not_applicable, satisfied, violated) {
            (_, Some(false) | None, Some(false) | None) if not_applicable == Some(true) => {
                let message = format!("rule `{id}` applied to none of the inputs");
                f.push_with(K::RuleNeverApplies, Severity::Warning, observed, item, span, message);
            }
            (_, Some(true), Some(false)) if rule.when.is_some() => {
                let message = format!(
                    "rule `{id}` was never violated: its `require` held for every input its `when` held for"
                );
                f.push_with(K::RequireImpliedByWhen, Severity::Warning, observed, item, span, message);
            }
            (_, Some(true), Some(false)) => {
                let message = format!("rule `{id}` was violated by none of the inputs");
                f.push_with(K::RuleNeverViolated, Severity::Warning, observed, item, span, message);
            }
            (Some(false) | None, Some(false) | None, Some(true)) => {
                let message = format!("rule `{id}` was violated by every input");
                f.push_with(K::RuleAlwaysViolated, Severity::Warning, observed, item, span, message);
            }
            _ => {}
        }
    }
    inputs
}
