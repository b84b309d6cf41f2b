//! What several integration tests check alike.

/// The top-level keys of an assessment's JSON (`--format json`, `Assessment::to_json_pretty`),
/// sorted.
pub(crate) const ASSESSMENT_KEYS: [&str; 9] = [
    "blast_radius",
    "change",
    "errors",
    "outcome",
    "policy",
    "reasons",
    "required_approvals",
    "risk",
    "violations",
];
