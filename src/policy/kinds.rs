//! The text enums of policies and assessments: enforcement levels, risk levels, error
//! handling and outcomes, written as `snake_case` text in policies and output.

use crate::input::serde_util::text_enum;

text_enum! {
    /// How strongly a rule is enforced.
    Enforcement, noun = "enforcement level" {
        /// A violation is a warning; it never changes the outcome.
        Advisory = "advisory",
        /// A violation needs an approval (or an override) before deploying.
        Soft = "soft",
        /// A violation denies the change.
        Hard = "hard",
    }
}

text_enum! {
    /// A risk level, from the score and the policy's thresholds.
    RiskLevel, noun = "risk level" {
        /// Below the `medium` threshold.
        Low = "low",
        /// At or above `medium`.
        Medium = "medium",
        /// At or above `high`.
        High = "high",
        /// At or above `critical`.
        Critical = "critical",
    }
}

text_enum! {
    /// What an evaluation error counts as.
    OnError, noun = "error handling" {
        /// An erroring rule counts as violated at its own enforcement; an erroring factor adds
        /// its literal points when positive (never negative ones). Whatever else cannot be known
        /// and can change the outcome denies, as a hard violation named after the item: a factor
        /// whose points or reason cannot be evaluated, a `let` that fails while a factor or a
        /// counted rule reads it (named `let.<name>`), and the message or remediation of a
        /// counted (not advisory, not dry-run) rule that cannot be written.
        FailClosed = "fail_closed",
        /// Neither counts.
        FailOpen = "fail_open",
    }
}

text_enum! {
    /// The decision about a change.
    ///
    /// Deliberately not `#[non_exhaustive]`: a new outcome must break callers' `match`.
    Outcome, noun = "outcome" {
        /// The change may be deployed.
        Allow = "allow",
        /// The change may be deployed once it carries the required approvals.
        NeedsApproval = "needs_approval",
        /// The change may not be deployed as it is.
        Deny = "deny",
    }
}
