//! A counterexample written as a `[[test]]` table to paste into the policy, and as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::report::Counterexample;
use crate::input::{Approval, Change, Context};
use crate::topology::TopologyDocument;

#[derive(Serialize)]
struct Expectation<'a> {
    outcome: &'a str,
    violations: &'a [String],
}

#[derive(Serialize)]
struct Case<'a> {
    name: String,
    change: &'a Change,
    context: &'a Context,
    #[serde(skip_serializing_if = "Option::is_none")]
    topology: Option<TopologyDocument>,
    expect: Expectation<'a>,
}

#[derive(Serialize)]
struct Tests<'a> {
    test: [Case<'a>; 1],
}

/// The change, context and (generated) topology as JSON documents, and the extra approval.
#[derive(Serialize)]
struct Documents<'a> {
    change: &'a Change,
    context: &'a Context,
    #[serde(skip_serializing_if = "Option::is_none")]
    topology: Option<TopologyDocument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_approval: Option<&'a Approval>,
}

impl Counterexample {
    fn topology_document(&self) -> Option<TopologyDocument> {
        self.generated_topology.then(|| TopologyDocument::from(&self.topology))
    }

    /// The counterexample as a `[[test]]` table of the property `property`, expecting what the
    /// policy decides now (its outcome and counted violations): paste it into the policy or
    /// test file, then change `expect` to what the policy should decide. The topology is
    /// included when it was generated. Comments say how to replay the search.
    #[must_use]
    pub fn to_test_toml(&self, property: &str, seed: u64, cases: u32) -> String {
        let doc = Tests {
            test: [Case {
                name: format!("counterexample to {property}"),
                change: &self.change,
                context: &self.context,
                topology: self.topology_document(),
                expect: Expectation { outcome: self.outcome.as_str(), violations: &self.violations },
            }],
        };
        let mut out = format!(
            "# counterexample to property `{property}` ({}), shrunk in {} steps\n\
             # replay: changeguard test FILE --seed {seed} --cases {cases}\n",
            self.reason, self.shrinks
        );
        if let (Some(a), Some(o)) = (&self.extra_approval, self.outcome_with_approval) {
            let _ = writeln!(
                out,
                "# with one more approval, by `{}` as `{}`, the outcome is {o}",
                a.by.as_str(),
                a.role
            );
        }
        match toml::to_string(&doc) {
            Ok(t) => out.push_str(&t),
            Err(e) => {
                let _ = writeln!(out, "# the counterexample cannot be written as TOML: {e}");
            }
        }
        out
    }

    /// The change, context, generated topology and extra approval as one JSON object
    /// (`change`, `context`, `topology`, `extra_approval`), each member a document that
    /// `changeguard assess` reads.
    #[must_use]
    pub fn to_json_value(&self) -> serde_json::Value {
        let doc = Documents {
            change: &self.change,
            context: &self.context,
            topology: self.topology_document(),
            extra_approval: self.extra_approval.as_ref(),
        };
        serde_json::to_value(doc).unwrap_or_default()
    }
}
