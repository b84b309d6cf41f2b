//! Analysis of a policy ([Analysis](crate::policy#analysis)): what in it can never matter,
//! always matters, or says the same thing twice.
//!
//! Each finding is either *proven* from the compiled policy alone (constant conditions, sums of
//! points, normal forms of conditions), or *observed* over generated inputs (feature
//! `proptest`): then it holds for every input tried, which is evidence, not proof.

mod proven;

#[cfg(feature = "proptest")]
mod observed;

use std::fmt::Write as _;

use serde::Serialize;

use super::model::CompiledPolicy;
use crate::diagnostic::Span;

/// What a finding is about.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A risk factor never fires.
    FactorNeverFires,
    /// A risk factor always fires.
    FactorAlwaysFires,
    /// A rule's `when` never holds: the rule never applies.
    RuleNeverApplies,
    /// A rule is never violated.
    RuleNeverViolated,
    /// A rule is always violated.
    RuleAlwaysViolated,
    /// A risk level that no sum of the factors' points reaches.
    UnreachableRiskLevel,
    /// `deny_at` is not above `approval_at`: no approval can ever be asked for on risk alone.
    DenyNotAboveApproval,
    /// A condition that is the same as another (after normalisation).
    DuplicateCondition,
    /// A rule whose `require` holds whenever its `when` does: it is never violated.
    RequireImpliedByWhen,
    /// A parameter no expression reads.
    UnusedParam,
    /// A `let` entry nothing reads.
    UnusedLet,
    /// An override role that no approval can carry.
    UnusableOverrideRole,
}

/// How serious a finding is.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Probably a mistake.
    Warning,
    /// Worth a look; may be intended.
    Note,
}

/// How a finding is known.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// From the policy alone: true for every input.
    Proven,
    /// True of every generated input tried ([`Analysis::inputs`] of them), not proven.
    Observed,
}

/// One finding.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is about.
    pub kind: FindingKind,
    /// How serious it is.
    pub severity: Severity,
    /// How it is known.
    pub evidence: Evidence,
    /// The item, as diagnostics name it: `rule[id]`, `risk[id]`, `params.name`, `decision`…
    pub item: String,
    /// What was found, in words.
    pub message: String,
    /// Where, in the policy text (byte offsets); `None` when the item has no place.
    #[serde(skip)]
    pub span: Option<Span>,
    /// The 1-based line of `span` (0 without a place).
    pub line: usize,
    /// The 1-based column of `span`, in characters (0 without a place).
    pub column: usize,
}

/// The findings about a policy.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// The findings, proven ones first, each group in the order of the text.
    pub findings: Vec<Finding>,
    /// How many generated inputs the observed findings were checked on (0: none were
    /// generated, every finding is proven).
    pub inputs: u32,
}

impl Analysis {
    /// The findings as text, one line each (`file:line:column: severity: message`), then a
    /// summary line.
    #[must_use]
    pub fn render(&self, file: Option<&str>) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let place = match (file, f.line) {
                (Some(name), 0) => format!("{name}: "),
                (None, 0) => String::new(),
                (Some(name), line) => format!("{name}:{line}:{}: ", f.column),
                (None, line) => format!("{line}:{}: ", f.column),
            };
            let severity = match f.severity {
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            let evidence = match f.evidence {
                Evidence::Proven => String::from("proven"),
                Evidence::Observed => format!("observed over {} generated inputs", self.inputs),
            };
            let _ = writeln!(out, "{place}{severity}: {} ({evidence})", f.message);
        }
        let proven = self.findings.iter().filter(|f| f.evidence == Evidence::Proven).count();
        let observed = self.findings.len() - proven;
        let _ = writeln!(
            out,
            "{} finding(s): {proven} proven, {observed} observed over {} generated inputs",
            self.findings.len(),
            self.inputs
        );
        out
    }
}

impl std::fmt::Display for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(None))
    }
}

/// Collects findings with their places.
pub(crate) struct Findings<'p> {
    policy: &'p CompiledPolicy,
    found: Vec<Finding>,
}

impl<'p> Findings<'p> {
    fn new(policy: &'p CompiledPolicy) -> Self {
        Findings { policy, found: Vec::new() }
    }

    fn push(
        &mut self,
        kind: FindingKind,
        severity: Severity,
        item: String,
        span: Option<Span>,
        message: String,
    ) {
        self.push_with(kind, severity, Evidence::Proven, item, span, message);
    }

    fn push_with(
        &mut self,
        kind: FindingKind,
        severity: Severity,
        evidence: Evidence,
        item: String,
        span: Option<Span>,
        message: String,
    ) {
        // Observed findings never repeat what is proven of the same item.
        if self.found.iter().any(|f| f.item == item && f.kind == kind) {
            return;
        }
        let at = span.map(|s| self.policy.sources.line_col(s.start));
        self.found.push(Finding {
            kind,
            severity,
            evidence,
            item,
            message,
            span,
            line: at.map_or(0, |a| a.line),
            column: at.map_or(0, |a| a.col),
        });
    }

    fn finish(mut self, inputs: u32) -> Analysis {
        self.found.sort_by_key(|f| (f.evidence == Evidence::Observed, f.line == 0, f.line, f.column));
        Analysis { findings: self.found, inputs }
    }
}

/// The proven findings.
pub(crate) fn analyze(policy: &CompiledPolicy) -> Analysis {
    let mut findings = Findings::new(policy);
    proven::all(&mut findings);
    findings.finish(0)
}

/// The proven findings, and those observed over the inputs `options` generates.
#[cfg(feature = "proptest")]
pub(crate) fn analyze_generated(
    policy: &CompiledPolicy,
    options: &crate::testing::SearchOptions,
) -> Analysis {
    let mut findings = Findings::new(policy);
    proven::all(&mut findings);
    let inputs = observed::all(&mut findings, options);
    findings.finish(inputs)
}
