//! Properties checked over policy-aware generated inputs, with shrunk counterexamples.

use proptest::strategy::{BoxedStrategy, Strategy};

use super::report::{Counterexample, PropertyResult, PropertyStatus, TestOptions};
use crate::input::Approval;
use crate::policy::assess::check_property;
use crate::policy::model::Property;
use crate::policy::views::AssessmentView;
use crate::policy::{Assessment, Policy};
use crate::testing::{Scenario, SearchOptions, Trial, approvals, scenarios, search};
use crate::topology::Topology;

/// The number of inputs a property is checked on when neither it nor the run says.
pub(crate) const DEFAULT_CASES: u32 = 256;

/// One generated input of a property: a scenario and an extra approval.
type Input = (Scenario, Approval);

/// What checking one input gave: the trial, the assessments and why it failed.
struct Checked {
    trial: Trial,
    assessment: Assessment,
    with_approval: Option<Assessment>,
    reason: String,
}

/// Whether `given` holds, when it can be told without assessing (`given` reads no
/// assessment): inputs it rejects are then never assessed.
fn rejected_early(policy: &Policy, property: &Property, (s, _): &Input) -> bool {
    property.given.is_some()
        && !property.given_reads_assessment
        && matches!(
            check_property(&policy.inner, property, (&s.change, &s.topology, &s.context), [None, None]),
            Ok(None)
        )
}

fn check(policy: &Policy, property: &Property, (s, extra): &Input) -> Checked {
    let assessment = policy.assess(&s.change, &s.topology, &s.context);
    let with_approval = property.with_approval.then(|| {
        let mut change = s.change.clone();
        change.approvals.push(extra.clone());
        policy.assess(&change, &s.topology, &s.context)
    });
    let view = AssessmentView::new(&assessment);
    let extra_view = with_approval.as_ref().map(AssessmentView::new);
    let result = check_property(
        &policy.inner,
        property,
        (&s.change, &s.topology, &s.context),
        [Some(&view), extra_view.as_ref()],
    );
    let (trial, reason) = match result {
        Ok(None) => (Trial::Skip, String::new()),
        Ok(Some(true)) => (Trial::Pass, String::new()),
        Ok(Some(false)) => (Trial::Fail, String::from("`expect` is false")),
        Err(e) => (Trial::Fail, format!("`given` or `expect` failed to evaluate: {}", e.message())),
    };
    Checked { trial, assessment, with_approval, reason }
}

pub(super) fn run(
    policy: &Policy,
    properties: &[Property],
    test_topology: Option<&Topology>,
    options: &TestOptions,
) -> Vec<PropertyResult> {
    if properties.is_empty() {
        return Vec::new();
    }
    let mut vocabulary = policy.vocabulary();
    vocabulary.topology = test_topology.cloned();
    let strategy: BoxedStrategy<Input> = (scenarios(&vocabulary), approvals(&vocabulary)).boxed();
    properties
        .iter()
        .map(|property| {
            let cases = options.cases.or(property.cases).unwrap_or(DEFAULT_CASES);
            let found = search(&strategy, &SearchOptions::new(cases, options.seed), |input| {
                if rejected_early(policy, property, input) {
                    return Trial::Skip;
                }
                check(policy, property, input).trial
            });
            let counterexample = found.counterexample.map(|input| {
                let checked = check(policy, property, &input);
                let (s, extra) = input;
                Counterexample {
                    change: s.change,
                    context: s.context,
                    topology: s.topology,
                    generated_topology: test_topology.is_none(),
                    extra_approval: property.with_approval.then_some(extra),
                    outcome: checked.assessment.outcome,
                    outcome_with_approval: checked.with_approval.map(|a| a.outcome),
                    violations: checked.assessment.violated_rules().map(str::to_owned).collect(),
                    reason: checked.reason,
                    shrinks: found.shrinks,
                }
            });
            let status = if counterexample.is_some() {
                PropertyStatus::Failed
            } else if found.accepted == 0 {
                PropertyStatus::Vacuous
            } else if u64::from(found.accepted) * 100 < u64::from(found.tried) {
                PropertyStatus::Weak
            } else {
                PropertyStatus::Held
            };
            PropertyResult {
                name: property.name.clone(),
                status,
                cases,
                tried: found.tried,
                accepted: found.accepted,
                counterexample,
            }
        })
        .collect()
}
