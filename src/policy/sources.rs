//! Where a loaded policy's expressions came from: their text, their place in the file and the
//! environment they were compiled in. Kept so that the test bench (coverage, analysis) can
//! compile pieces of them again and point into the file; assessing never reads it.

use std::sync::Arc;

use crate::diagnostic::{LineCol, Span};
use crate::document::reader::Text;

use super::env::PolicyEnvs;

/// The environment an expression was compiled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnvKind {
    Lets,
    Factor,
    Rule,
}

/// One compiled expression's text (a message template gives one per `{{ }}`).
#[derive(Clone, Debug)]
pub(crate) struct ExprSource {
    /// The field it was read from, as diagnostics name it: `let.x`, `rule[id].when`…
    pub(crate) path: String,
    pub(crate) text: Text,
    pub(crate) env: EnvKind,
}

impl ExprSource {
    /// The file offset of `span`, a span into the expression's text: exact when the text is
    /// verbatim in the file, else the start of the string that holds it.
    pub(crate) fn offset(&self, span: Span) -> u32 {
        match self.text.verbatim {
            Some(start) => start.saturating_add(span.start),
            None => self.text.span.start,
        }
    }
}

/// The sources of a policy's expressions and items.
#[derive(Default)]
pub(crate) struct Sources {
    /// The policy's text.
    pub(crate) text: Arc<str>,
    /// The environments, with every `let` declared.
    pub(crate) envs: Option<PolicyEnvs>,
    /// Every expression, in the order read.
    pub(crate) exprs: Vec<ExprSource>,
    /// The span of each risk factor's `id`, in policy order.
    pub(crate) factors: Vec<Span>,
    /// The span of each rule's `id`, in policy order.
    pub(crate) rules: Vec<Span>,
    /// The span of each `let` entry's key, by name.
    pub(crate) lets: Vec<(String, Span)>,
    /// The span of each parameter's key, by name.
    pub(crate) params: Vec<(String, Span)>,
    /// The span of `[decision]` settings by key (`approval_at`, `deny_at`…).
    pub(crate) decision: Vec<(String, Span)>,
    /// The span of `[risk_levels]` thresholds by key.
    pub(crate) levels: Vec<(String, Span)>,
    /// The span of each rule's `override_roles`, in policy order (`None` without one).
    pub(crate) override_roles: Vec<Option<Span>>,
}

impl Sources {
    /// The line and column of a file offset.
    pub(crate) fn line_col(&self, offset: u32) -> LineCol {
        LineCol::of(&self.text, offset)
    }

    /// The span of `key` in a list of keyed spans.
    pub(crate) fn find<'s>(list: &'s [(String, Span)], key: &str) -> Option<&'s Span> {
        list.iter().find(|(k, _)| k == key).map(|(_, s)| s)
    }

    /// The environment of `kind`, when the policy was loaded from text.
    pub(crate) fn env(&self, kind: EnvKind) -> Option<&crate::cel::Env> {
        let envs = self.envs.as_ref()?;
        Some(match kind {
            EnvKind::Lets => &envs.lets,
            EnvKind::Factor => &envs.factor,
            EnvKind::Rule => &envs.rule,
        })
    }
}
