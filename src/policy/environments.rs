//! The environment vocabulary a policy declares, and how a change's environment resolves in it.
//!
//! A policy declares its environments in two parameters:
//!
//! ```toml
//! [params]
//! environments = { production = ["prod", "live"], staging = ["stage", "preprod"] }
//! strictest_environment = "production"
//! ```
//!
//! Each key of `environments` is an environment, its list holds its aliases, and the key is an
//! alias of itself. Names and aliases match by [canonical form](crate::input::canonical_name)
//! (`Production`, `PROD `, `prod\u{200b}` are `production`). An environment the vocabulary
//! does not know is **treated as `strictest_environment`**, never as "not production": a change
//! author who writes `staging-eu-weird` gets the controls of production.
//!
//! The resolution is computed once per assessment and exposed to expressions as
//! `change.canonical_environment` (the declared name the environment resolves to) and
//! `change.environment_known` (whether the vocabulary knows it). Freezes in the context name
//! environments too: an entry of a freeze's `environments` covers the change when it has the
//! same canonical form as the change's environment, or resolves to the same declared
//! environment (so a freeze of `production` also holds back `prod`, and a change whose
//! environment is unknown).
//!
//! Without `params.environments`, `change.canonical_environment` is the canonical form of the
//! change's environment, `change.environment_known` is `false`, and freezes match by canonical
//! form alone.

use std::sync::Arc;

use crate::diagnostic::{DiagnosticKind, Span};
use crate::document::reader::Reader;
use crate::document::tree::{Node, NodeKind};
use crate::input::{canonical_name, is_plain_ascii, same_name};

/// The name of the parameter that declares the environments.
pub(crate) const ENVIRONMENTS: &str = "environments";
/// The name of the parameter that names the strictest environment.
pub(crate) const STRICTEST: &str = "strictest_environment";

/// A policy's environment vocabulary (possibly empty).
#[derive(Debug, Default)]
pub(crate) struct Environments {
    /// Declared environments, by their canonical names, in declaration order.
    names: Vec<Arc<str>>,
    /// Every canonical alias (names included) with the index of its environment, sorted.
    aliases: Vec<(String, usize)>,
    /// The environment an unknown one is treated as.
    strictest: usize,
}

/// A change's environment, resolved in a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The declared name, or the canonical form when there is no vocabulary.
    pub(crate) name: Arc<str>,
    /// Whether the vocabulary knows the environment.
    pub(crate) known: bool,
    /// The declared environment it counts as (the strictest one when unknown).
    index: Option<usize>,
}

impl Environments {
    /// Whether the policy declares a vocabulary.
    pub(crate) fn is_declared(&self) -> bool {
        !self.names.is_empty()
    }

    /// The declared names, then every alias (canonical forms), for generated inputs.
    #[cfg(feature = "proptest")]
    pub(crate) fn spellings(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| &**n).chain(self.aliases.iter().map(|(a, _)| a.as_str()))
    }

    fn lookup(&self, raw: &str) -> Option<usize> {
        let found = if is_plain_ascii(raw) {
            // The canonical form is the lower-case form: compare with it without building it.
            let folded = || raw.bytes().map(|b| b.to_ascii_lowercase());
            self.aliases.binary_search_by(|(a, _)| a.bytes().cmp(folded()))
        } else {
            let key = canonical_name(raw);
            self.aliases.binary_search_by(|(a, _)| a.as_str().cmp(&key))
        };
        self.aliases.get(found.ok()?).map(|(_, e)| *e)
    }

    /// Resolves a change's environment: its declared environment, or the strictest one when the
    /// vocabulary does not know it.
    pub(crate) fn resolve(&self, raw: &str) -> Resolved {
        if !self.is_declared() {
            return Resolved { name: Arc::from(canonical_name(raw)), known: false, index: None };
        }
        let found = self.lookup(raw);
        let index = found.unwrap_or(self.strictest);
        let name = self.names.get(index).cloned().unwrap_or_else(|| Arc::from(canonical_name(raw)));
        Resolved { name, known: found.is_some(), index: Some(index) }
    }

    /// Whether an entry of a freeze's `environments` names the change's environment `raw`,
    /// resolved as `resolved`.
    pub(crate) fn freeze_names(&self, entry: &str, raw: &str, resolved: &Resolved) -> bool {
        same_name(entry, raw) || (resolved.index.is_some() && self.lookup(entry) == resolved.index)
    }

    /// Reads the vocabulary from the `[params]` entries, reporting every problem.
    pub(crate) fn read(r: &mut Reader, params: &[(crate::document::tree::DocKey, Node)]) -> Environments {
        let find = |name: &str| params.iter().find(|(k, _)| k.name == name);
        let Some((key, node)) = find(ENVIRONMENTS) else {
            if let Some((k, _)) = find(STRICTEST) {
                r.error_help(
                    DiagnosticKind::InvalidValue,
                    k.span,
                    "params.strictest_environment",
                    "`params.strictest_environment` without `params.environments`",
                    "declare the environments and their aliases in `params.environments`",
                );
            }
            return Environments::default();
        };
        let path = format!("params.{ENVIRONMENTS}");
        let NodeKind::Table(entries) = &node.kind else {
            r.error_help(
                DiagnosticKind::InvalidValue,
                node.span,
                &path,
                format!("`{path}` must be a table of environment names to lists of aliases"),
                "write `environments = { production = [\"prod\"], staging = [\"stage\"] }`",
            );
            return Environments::default();
        };
        let mut env = Environments::default();
        // Canonical alias → (environment index, where it was written).
        let mut seen: Vec<(String, usize, Span)> = Vec::new();
        for (name, aliases) in entries {
            let index = env.names.len();
            let entry_path = format!("{path}.{}", name.name);
            env.names.push(Arc::from(canonical_name(&name.name)));
            let mut spellings = vec![(name.name.clone(), name.span)];
            match &aliases.kind {
                NodeKind::Array(items) => {
                    for item in items {
                        match &item.kind {
                            NodeKind::Str { value, .. } => spellings.push((value.clone(), item.span)),
                            _ => r.error(
                                DiagnosticKind::InvalidValue,
                                item.span,
                                &entry_path,
                                format!(
                                    "an alias in `{entry_path}` must be a string, found {}",
                                    item.type_name()
                                ),
                            ),
                        }
                    }
                }
                _ => r.error(
                    DiagnosticKind::InvalidValue,
                    aliases.span,
                    &entry_path,
                    format!("`{entry_path}` must be a list of aliases, found {}", aliases.type_name()),
                ),
            }
            for (spelling, span) in spellings {
                let canonical = canonical_name(&spelling);
                if canonical.is_empty() {
                    r.error(
                        DiagnosticKind::InvalidValue,
                        span,
                        &entry_path,
                        format!("environment alias `{spelling}` is empty once canonical"),
                    );
                    continue;
                }
                match seen.iter().find(|(a, _, _)| *a == canonical) {
                    Some((_, other, _)) if *other == index => {}
                    Some((_, other, _)) => {
                        let other = env.names.get(*other).map_or("", |n| &**n);
                        r.error_help(
                            DiagnosticKind::InvalidValue,
                            span,
                            &entry_path,
                            format!(
                                "environment alias `{spelling}` of `{}` is also an alias of `{other}`",
                                name.name
                            ),
                            "aliases match by canonical form (case, width and invisible characters \
                             do not count): give each spelling to one environment",
                        );
                    }
                    None => seen.push((canonical, index, span)),
                }
            }
        }
        env.aliases = seen.into_iter().map(|(a, i, _)| (a, i)).collect();
        env.aliases.sort();
        match find(STRICTEST) {
            None => r.error_help(
                DiagnosticKind::MissingKey,
                key.span,
                "params.strictest_environment",
                "`params.environments` needs `params.strictest_environment`",
                "name the declared environment that an unknown environment is treated as, \
                 e.g. `strictest_environment = \"production\"`",
            ),
            Some((_, n)) => match &n.kind {
                NodeKind::Str { value, .. } => match env.lookup(value) {
                    Some(i) => env.strictest = i,
                    None => r.error_help(
                        DiagnosticKind::InvalidValue,
                        n.span,
                        "params.strictest_environment",
                        format!("`{value}` is not a declared environment"),
                        "name one of the keys or aliases of `params.environments`",
                    ),
                },
                _ => r.error(
                    DiagnosticKind::InvalidValue,
                    n.span,
                    "params.strictest_environment",
                    format!("`params.strictest_environment` must be a string, found {}", n.type_name()),
                ),
            },
        }
        env
    }
}
