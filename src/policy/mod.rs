//! Policies: loading, the decision about a change, and policy tests.

mod doc;
mod env;
mod load;
mod model;
mod objects;
mod reader;
mod refs;
mod schema;

use std::sync::Arc;

pub use model::{BlastSettings, DecisionSettings, Enforcement, OnError, Outcome, RiskLevel, RiskLevels};

use crate::Limits;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// A loaded policy: parsed, type-checked and compiled. Immutable, `Send + Sync`, and cheap to
/// clone (clones share the compiled form).
#[derive(Clone)]
pub struct Policy {
    inner: Arc<load::Loaded>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.inner.name)
            .field("version", &self.inner.version.to_string())
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Loads a policy from TOML text with default limits.
    ///
    /// # Errors
    ///
    /// Every problem found (syntax, unknown keys, type errors in expressions…), each with its
    /// place; render them with [`Diagnostics::render`] against `text`.
    pub fn from_toml(text: &str) -> Result<Policy, Diagnostics> {
        Policy::load(text, load::Format::Toml, &Limits::default())
    }

    /// Loads a policy from JSON text of the same shape as the TOML form.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_toml`].
    pub fn from_json(text: &str) -> Result<Policy, Diagnostics> {
        Policy::load(text, load::Format::Json, &Limits::default())
    }

    /// Loads a policy from TOML or JSON (JSON when the first non-blank character is `{`).
    ///
    /// # Errors
    ///
    /// As [`Policy::from_toml`].
    pub fn from_text(text: &str, limits: &Limits) -> Result<Policy, Diagnostics> {
        let format = if text.trim_start().starts_with('{') { load::Format::Json } else { load::Format::Toml };
        Policy::load(text, format, limits)
    }

    fn load(text: &str, format: load::Format, limits: &Limits) -> Result<Policy, Diagnostics> {
        load::load(text, format, limits).map(|l| Policy { inner: Arc::new(l) })
    }

    /// The policy's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The policy's version.
    #[must_use]
    pub fn version(&self) -> &semver::Version {
        &self.inner.version
    }

    /// The policy's description.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// Warnings found while loading (unused entries, rules that can never apply…).
    #[must_use]
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.inner.warnings
    }

    /// The ids of the rules, in policy order.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.rules.iter().map(|r| r.id.as_str())
    }

    /// The ids of the risk factors, in policy order.
    pub fn factor_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.factors.iter().map(|f| f.id.as_str())
    }

    /// The `[decision]` settings.
    #[must_use]
    pub fn decision(&self) -> &DecisionSettings {
        &self.inner.decision
    }

    /// The `[risk_levels]` thresholds.
    #[must_use]
    pub fn risk_levels(&self) -> &RiskLevels {
        &self.inner.levels
    }

    /// The `[blast]` settings.
    #[must_use]
    pub fn blast_settings(&self) -> &BlastSettings {
        &self.inner.blast
    }
}
