//! Policy text to a compiled policy: every section read, every expression compiled against
//! the typed environment, every problem reported at once.

use std::collections::HashSet;
use std::sync::Arc;

use super::env::PolicyEnvs;
use super::model::{BlastSettings, CompiledPolicy, DecisionSettings, OnError};
use super::sources::Sources;
use crate::Limits;
use crate::cel::{Key, MapBuilder, Str, Timestamp, Value};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Span};
use crate::document::reader::{Reader, Table};
use crate::document::tree::{self, Node, NodeKind};

mod exprs;
mod properties;
mod rules;
mod test_cases;

pub(crate) use properties::{load_tests, test_file_target};

/// The text format of a policy document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Toml,
    Json,
}

const TOP_KEYS: [&str; 12] = [
    "policy",
    "params",
    "let",
    "risk",
    "risk_levels",
    "rule",
    "decision",
    "blast",
    "health",
    "test",
    "test_topology",
    "property",
];

/// Reads `source` into a tree, within [`Limits::max_policy_bytes`]; `what` names the
/// document in the error (`policy source`, `test file`).
fn parse(source: &str, format: Format, limits: &Limits, what: &str) -> Result<Node, Diagnostics> {
    if source.len() > limits.max_policy_bytes {
        return Err(Diagnostics::single(
            Diagnostic::error(
                DiagnosticKind::LimitExceeded,
                format!("limit exceeded: {what} of {} bytes > {}", source.len(), limits.max_policy_bytes),
            )
            .with_help("raise `Limits::max_policy_bytes` if this policy is legitimate"),
        ));
    }
    match format {
        Format::Toml => tree::parse_toml(source),
        Format::Json => tree::parse_json(source),
    }
    .map_err(Diagnostics::new)
}

/// What was loaded and the warnings, or every diagnostic when one is an error (with a
/// generic one when the reading failed without saying why); in the order of the text.
fn finish<T>(
    loaded: Option<T>,
    mut diags: Vec<Diagnostic>,
    what: &str,
) -> Result<(T, Vec<Diagnostic>), Diagnostics> {
    // Report in the order of the text (stable: diagnostics without a place keep their order).
    diags.sort_by_key(|d| d.span().map_or(u32::MAX, |s| s.start));
    match loaded {
        Some(p) if !diags.iter().any(Diagnostic::is_error) => Ok((p, diags)),
        _ => {
            if !diags.iter().any(Diagnostic::is_error) {
                diags.push(Diagnostic::error(
                    DiagnosticKind::InvalidDocument,
                    format!("the {what} could not be loaded"),
                ));
            }
            Err(Diagnostics::new(diags))
        }
    }
}

/// Loads a policy document.
pub(crate) fn load(source: &str, format: Format, limits: &Limits) -> Result<CompiledPolicy, Diagnostics> {
    let root = parse(source, format, limits, "policy source")?;
    let mut l = Loader::new(limits, false);
    let loaded = l.document(&root).map(|mut p| {
        l.sources.text = Arc::from(source);
        p.sources = std::mem::take(&mut l.sources);
        p
    });
    let (mut p, mut warnings) = finish(loaded, l.r.diags, "policy")?;
    p.warnings.append(&mut warnings);
    p.digest = crate::digest::of(source.as_bytes()).into();
    Ok(p)
}

struct Loader {
    r: Reader,
    limits: Limits,
    used_lets: HashSet<String>,
    used_params: HashSet<String>,
    all_params_used: bool,
    /// Where the expressions and items are, for the test bench.
    sources: Sources,
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
}

impl Loader {
    fn new(limits: &Limits, all_params_used: bool) -> Self {
        Loader {
            r: Reader::default(),
            limits: limits.clone(),
            used_lets: HashSet::new(),
            used_params: HashSet::new(),
            all_params_used,
            sources: Sources::default(),
        }
    }

    /// Reads the `name` of an entry of `kind` (`test`, `property`), reporting a name seen
    /// before; returns it with the entry's path (`test[name]`, else `test[3]`).
    fn unique_name(
        &mut self,
        t: Table<'_>,
        path: String,
        kind: &str,
        names: &mut HashSet<String>,
    ) -> (Option<String>, String) {
        let name = self.r.string(t, &path, "name", true);
        let path = name.as_ref().map_or(path, |n| format!("{kind}[{n}]"));
        if let Some(n) = &name
            && !names.insert(n.clone())
        {
            self.r.error(
                DiagnosticKind::DuplicateId,
                t.get("name").map_or(t.span, |n| n.span),
                &path,
                format!("duplicate {kind} name `{n}`"),
            );
        }
        (name, path)
    }

    fn document(&mut self, root: &Node) -> Option<CompiledPolicy> {
        let top = self.r.table(root, "", &TOP_KEYS)?;
        let (name, version, description) = self.meta(top);
        let (params, param_spans, environments) = self.params(top);
        let mut envs = PolicyEnvs::new(&self.limits, &params);
        let (lets, let_spans) = self.lets(top, &mut envs);
        let factors = self.factors(top, &envs);
        let levels = self.levels(top);
        let rules = self.rules(top, &envs);
        if factors.len() + rules.len() > self.limits.max_rules {
            self.r.error(
                DiagnosticKind::LimitExceeded,
                top.span,
                "",
                format!(
                    "limit exceeded: {} rules and factors > {}",
                    factors.len() + rules.len(),
                    self.limits.max_rules
                ),
            );
        }
        let decision = self.decision(top);
        let blast = self.blast(top);
        let health = top.get("health").and_then(|n| super::health::read(&mut self.r, n));
        let tests = self.tests(top);
        let (property_env, _) = envs.property_env();
        let properties = self.properties(top, &property_env);
        let test_topology = top.get("test_topology").and_then(|n| self.input_document(n, "test_topology"));
        let mut warnings = Vec::new();
        self.sources.lets.clone_from(&let_spans);
        self.sources.params.clone_from(&param_spans);
        self.sources.envs = Some(envs);
        for (name, span) in &let_spans {
            if !self.used_lets.contains(name) {
                warnings.push(
                    Diagnostic::warning(
                        DiagnosticKind::Unused,
                        format!("`let` entry `{name}` is never used"),
                    )
                    .with_span(*span)
                    .with_path(format!("let.{name}"))
                    .with_help("remove it, or use it in a rule or risk factor"),
                );
            }
        }
        if !self.all_params_used {
            for (name, span) in &param_spans {
                if !self.used_params.contains(name) {
                    warnings.push(
                        Diagnostic::warning(
                            DiagnosticKind::Unused,
                            format!("parameter `{name}` is never used"),
                        )
                        .with_span(*span)
                        .with_path(format!("params.{name}"))
                        .with_help(format!("remove it, or refer to it as `params.{name}`")),
                    );
                }
            }
        }
        let version = version?;
        Some(CompiledPolicy {
            name: name?.into(),
            version_text: version.to_string().into(),
            version,
            description,
            lets,
            factors,
            levels,
            rules,
            decision,
            blast,
            tests,
            test_topology,
            properties,
            property_env,
            health,
            warnings,
            limits: self.limits.clone(),
            environments,
            sources: Sources::default(),
            digest: Arc::from(""),
            outline: super::outline::Outline::of(root),
        })
    }

    fn meta(&mut self, top: Table<'_>) -> (Option<String>, Option<semver::Version>, String) {
        let Some(node) = top.get("policy") else {
            self.r.error_help(
                DiagnosticKind::MissingKey,
                Span::new(0, 0),
                "policy",
                "missing `[policy]` section",
                "start the document with `[policy]`, `name = \"…\"` and `version = \"1.0.0\"`",
            );
            return (None, None, String::new());
        };
        let Some(t) = self.r.table(node, "policy", &["name", "version", "description"]) else {
            return (None, None, String::new());
        };
        let name = self.r.string(t, "policy", "name", true);
        if let Some(n) = &name
            && n.trim().is_empty()
        {
            self.r.error(
                DiagnosticKind::InvalidValue,
                t.get("name").map_or(t.span, |n| n.span),
                "policy.name",
                "`policy.name` must not be empty",
            );
        }
        let version = self.r.text(t, "policy", "version", true).and_then(|v| {
            let text = v.value.trim();
            match semver::Version::parse(text.strip_prefix('v').unwrap_or(text)) {
                Ok(ver) => Some(ver),
                Err(e) => {
                    self.r.error_help(
                        DiagnosticKind::InvalidValue,
                        v.span,
                        "policy.version",
                        format!("`{}` is not a semantic version: {e}", v.value),
                        "write a version like `1.4.0`",
                    );
                    None
                }
            }
        });
        let description = self.r.string(t, "policy", "description", false).unwrap_or_default();
        (name, version, description)
    }

    fn params(
        &mut self,
        top: Table<'_>,
    ) -> (Value<'static>, Vec<(String, Span)>, super::environments::Environments) {
        let mut b = MapBuilder::new();
        let mut spans = Vec::new();
        let mut environments = super::environments::Environments::default();
        if let Some(node) = top.get("params") {
            match &node.kind {
                NodeKind::Table(entries) => {
                    for (k, v) in entries {
                        b.push(Key::String(Str::shared(Arc::from(k.name.as_str()))), node_value(v));
                        // The vocabulary is read by the engine: never "unused".
                        if k.name != super::environments::ENVIRONMENTS
                            && k.name != super::environments::STRICTEST
                        {
                            spans.push((k.name.clone(), k.span));
                        }
                    }
                    environments = super::environments::Environments::read(&mut self.r, entries);
                }
                _ => self.r.error(
                    DiagnosticKind::InvalidValue,
                    node.span,
                    "params",
                    "`params` must be a table",
                ),
            }
        }
        (Value::map(b.build().unwrap_or_default()), spans, environments)
    }

    fn decision(&mut self, top: Table<'_>) -> DecisionSettings {
        let mut d = DecisionSettings::default();
        let Some(node) = top.get("decision") else { return d };
        let Some(t) =
            self.r.table(node, "decision", &["approval_at", "approval_roles", "deny_at", "on_error"])
        else {
            return d;
        };
        self.sources.decision = t.entries.iter().map(|(k, v)| (k.name.clone(), v.span)).collect();
        if let Some(Some(l)) = self.level(t, "approval_at") {
            d.approval_at = l;
        }
        if let Some(l) = self.level(t, "deny_at") {
            d.deny_at = l;
        }
        d.approval_roles = self.r.strings(t, "decision", "approval_roles");
        if let Some(text) = self.r.text(t, "decision", "on_error", false) {
            match OnError::from_name(&text.value) {
                Some(on_error) => d.on_error = on_error,
                None => {
                    let other = &text.value;
                    let help = OnError::name_help(other);
                    self.r.error_help(
                        DiagnosticKind::InvalidValue,
                        text.span,
                        "decision.on_error",
                        format!("unknown error handling `{other}`"),
                        help,
                    );
                }
            }
        }
        d
    }

    fn blast(&mut self, top: Table<'_>) -> BlastSettings {
        let mut b = BlastSettings::default();
        let Some(node) = top.get("blast") else { return b };
        let Some(t) = self.r.table(node, "blast", &["default_tier", "max_depth"]) else { return b };
        for (key, slot) in [("default_tier", &mut b.default_tier), ("max_depth", &mut b.max_depth)] {
            if let Some((v, span)) = self.r.int(t, "blast", key) {
                match u32::try_from(v) {
                    Ok(v) => *slot = v,
                    Err(_) => self.r.error(
                        DiagnosticKind::InvalidValue,
                        span,
                        &format!("blast.{key}"),
                        format!("`blast.{key}` must be a non-negative integer, found {v}"),
                    ),
                }
            }
        }
        b
    }
}

#[allow(
    clippy::option_option,
    reason = "absent, present but invalid, and present and valid are three answers"
)]
fn transpose<T>(v: Option<Option<T>>) -> Option<Option<T>> {
    match v {
        None => Some(None),
        Some(None) => None,
        Some(Some(x)) => Some(Some(x)),
    }
}

/// A parameter value from the document.
fn node_value(n: &Node) -> Value<'static> {
    match &n.kind {
        NodeKind::Str { value, .. } => Value::string(value.as_str()),
        NodeKind::Int(i) => Value::Int(*i),
        #[expect(clippy::cast_precision_loss, reason = "a policy's JSON reads big integers as numbers")]
        NodeKind::UInt(u) => Value::Double(*u as f64),
        NodeKind::Float(f) => Value::Double(*f),
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Null => Value::Null,
        NodeKind::Datetime(d) => {
            Timestamp::parse(d).map_or_else(|_| Value::string(d.as_str()), Value::Timestamp)
        }
        NodeKind::Array(items) => Value::list(items.iter().map(node_value).collect::<Vec<_>>()),
        NodeKind::Table(entries) => {
            let mut b = MapBuilder::with_capacity(entries.len());
            for (k, v) in entries {
                b.push(Key::String(Str::shared(Arc::from(k.name.as_str()))), node_value(v));
            }
            Value::map(b.build().unwrap_or_default())
        }
    }
}
