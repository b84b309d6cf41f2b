//! Test coverage of a policy ([Coverage](crate::policy#coverage)): which of the things a
//! policy can do its tests made it do.
//!
//! A *goal* is one thing to observe: a boolean operand seen true, or seen false; a risk factor
//! fired, or not; a rule not applicable, satisfied, or violated; an outcome reached. Coverage
//! is measured by evaluating, after each assessment and only when asked, the operands of every
//! condition again, each compiled on its own from the policy's text (`probe`): the assessment
//! itself is never instrumented, so coverage costs nothing when it is off.

mod probe;
mod record;

use std::fmt::Write as _;

use serde::Serialize;

pub(crate) use record::Recorder;

use super::model::Outcome;

/// What one goal is.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalKind {
    /// A boolean operand (or a whole condition) evaluated to `true`.
    True,
    /// A boolean operand (or a whole condition) evaluated to `false`.
    False,
    /// A risk factor fired.
    Fired,
    /// A risk factor did not fire.
    NotFired,
    /// A rule's `when` did not hold.
    NotApplicable,
    /// A rule applied and its `require` held.
    Satisfied,
    /// A rule was violated.
    Violated,
    /// The assessment's outcome was `allow`.
    Allow,
    /// The assessment's outcome was `needs_approval`.
    NeedsApproval,
    /// The assessment's outcome was `deny`.
    Deny,
}

impl GoalKind {
    pub(crate) fn of_outcome(outcome: Outcome) -> GoalKind {
        match outcome {
            Outcome::Allow => GoalKind::Allow,
            Outcome::NeedsApproval => GoalKind::NeedsApproval,
            Outcome::Deny => GoalKind::Deny,
        }
    }
}

/// One thing the tests should make the policy do, and whether they did.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Goal {
    /// The item, as diagnostics name it: `rule[id].when`, `risk[id]`, `let.name`, `decision`.
    pub item: String,
    /// What should be observed.
    pub kind: GoalKind,
    /// The operand's text, for operand goals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The 1-based line in the policy text (0 when the goal has no place).
    pub line: usize,
    /// The 1-based column, in characters (0 when the goal has no place).
    pub column: usize,
    /// Whether a test observed it.
    pub covered: bool,
}

impl Goal {
    /// What was not observed, in words.
    #[must_use]
    pub fn describe(&self) -> String {
        let text = self.text.as_deref().unwrap_or("");
        let item = &self.item;
        match self.kind {
            GoalKind::True => format!("`{text}` in `{item}` was never true"),
            GoalKind::False => format!("`{text}` in `{item}` was never false"),
            GoalKind::Fired => format!("`{item}` never fired"),
            GoalKind::NotFired => format!("`{item}` fired in every test"),
            GoalKind::NotApplicable => format!("`{item}` applied in every test"),
            GoalKind::Satisfied => format!("`{item}` was never satisfied"),
            GoalKind::Violated => format!("`{item}` was never violated"),
            GoalKind::Allow => String::from("no test was allowed"),
            GoalKind::NeedsApproval => String::from("no test needed approval"),
            GoalKind::Deny => String::from("no test was denied"),
        }
    }
}

/// The coverage of a policy by a set of assessments (its tests).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Every goal, in policy order.
    pub goals: Vec<Goal>,
}

impl Coverage {
    /// How many goals were observed.
    #[must_use]
    pub fn covered(&self) -> usize {
        self.goals.iter().filter(|g| g.covered).count()
    }

    /// How many goals there are.
    #[must_use]
    pub fn total(&self) -> usize {
        self.goals.len()
    }

    /// The percentage of goals observed, truncated (never rounded up: 99.9 % is 99); 100 when
    /// there is nothing to observe.
    #[must_use]
    pub fn percent(&self) -> u32 {
        let (covered, total) = (self.covered(), self.total());
        if total == 0 {
            return 100;
        }
        u32::try_from(covered.saturating_mul(100) / total).unwrap_or(100)
    }

    /// The goals not observed, in policy order.
    pub fn uncovered(&self) -> impl Iterator<Item = &Goal> {
        self.goals.iter().filter(|g| !g.covered)
    }

    /// The coverage as text: a summary line, then one line per goal not observed, placed as
    /// `file:line:column:` when `file` is given.
    #[must_use]
    pub fn render(&self, file: Option<&str>) -> String {
        let mut out =
            format!("coverage: {}% ({} of {} goals)\n", self.percent(), self.covered(), self.total());
        for g in self.uncovered() {
            let place = match (file, g.line) {
                (_, 0) => String::new(),
                (Some(f), line) => format!("{f}:{line}:{}: ", g.column),
                (None, line) => format!("{line}:{}: ", g.column),
            };
            let _ = writeln!(out, "  {place}{}", g.describe());
        }
        out
    }
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(None))
    }
}

/// JSON: `percent`, `covered`, `total` and the goals not observed.
impl Serialize for Coverage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'c> {
            percent: u32,
            covered: usize,
            total: usize,
            uncovered: Vec<&'c Goal>,
        }
        Json {
            percent: self.percent(),
            covered: self.covered(),
            total: self.total(),
            uncovered: self.uncovered().collect(),
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coverage(covered: usize, total: usize) -> Coverage {
        let goal = |i: usize| Goal {
            item: format!("rule[r{i}]"),
            kind: GoalKind::Violated,
            text: None,
            line: i + 1,
            column: 1,
            covered: i < covered,
        };
        Coverage { goals: (0..total).map(goal).collect() }
    }

    #[test]
    fn the_percentage_is_truncated() {
        for (covered, total, percent) in
            [(199, 200, 99), (2, 3, 66), (1, 3, 33), (0, 5, 0), (7, 7, 100), (0, 0, 100)]
        {
            assert_eq!(coverage(covered, total).percent(), percent, "{covered} of {total}");
        }
    }
}
