//! Limits that turn pathological inputs into clear errors.

/// Bounds on the size and cost of what the library accepts.
///
/// Every limit has a default suited to production use; raise one when a legitimate input needs
/// it. Exceeding a limit while loading is a load error; exceeding the evaluation budget while
/// assessing is an evaluation error, which fails closed by default.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of an expression's syntax tree (parentheses, operators, calls). Default 64.
    pub max_expr_depth: usize,
    /// Largest policy document, in bytes. Default 1 MiB.
    pub max_policy_bytes: usize,
    /// Largest input document (change, context or topology JSON), in bytes. Default 16 MiB.
    ///
    /// Checked before the text is parsed. Memory for an accepted document stays a small
    /// multiple of its size, so this limit also bounds what reading a document can allocate.
    pub max_document_bytes: usize,
    /// Largest expression text, in bytes. Default 64 KiB.
    pub max_expr_bytes: usize,
    /// Most rules and risk factors in one policy (together). Default 10 000.
    pub max_rules: usize,
    /// Largest compiled regular expression, in bytes, for literal patterns compiled at load
    /// time and for patterns compiled at run time alike. Default 1 MiB.
    pub max_regex_bytes: usize,
    /// Most services in a topology. Default 1 000 000.
    pub max_services: usize,
    /// Most dependencies in a topology. Default 10 000 000.
    pub max_dependencies: usize,
    /// Evaluation steps allowed per assessment (or per standalone expression evaluation).
    /// Default 10 000 000.
    pub max_eval_cost: u64,
    /// Largest value an evaluation may build, in bytes: a string or bytes value counts its
    /// bytes, a list or map 32 bytes per element or entry plus any text it holds that was
    /// built with it. Applies when assessing, when folding constants at load time and when
    /// loading computes constant `let` entries. Default 16 MiB.
    pub max_value_bytes: usize,
    /// Most distinct regular expressions one assessment (or one standalone expression
    /// evaluation) may compile at run time, for `matches` with a pattern that is not a literal
    /// or a constant; each is compiled once and reused. Default 100.
    pub max_runtime_regexes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_expr_depth: 64,
            max_policy_bytes: 1 << 20,
            max_document_bytes: 16 << 20,
            max_expr_bytes: 64 << 10,
            max_rules: 10_000,
            max_regex_bytes: 1 << 20,
            max_services: 1_000_000,
            max_dependencies: 10_000_000,
            max_eval_cost: 10_000_000,
            max_value_bytes: 16 << 20,
            max_runtime_regexes: 100,
        }
    }
}
