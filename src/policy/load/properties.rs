//! `[[property]]` entries, and test files: a policy's tests and properties kept in a file of
//! their own that names the policy (`policy = "../prod.toml"`).

use std::collections::HashSet;

use crate::Limits;
use crate::cel::{Env, Type};
use crate::diagnostic::{DiagnosticKind, Diagnostics};
use crate::document::reader::{Table, join};
use crate::document::tree::NodeKind;
use crate::policy::env::{PROPERTY_NAMES, RISK};
use crate::policy::model::{CompiledPolicy, Property, TestCase};
use crate::topology::Topology;

use super::{Format, Loader, transpose};

/// The most inputs one property may ask for: a property is a test, and its run must end.
pub(crate) const MAX_PROPERTY_CASES: i64 = 100_000;

impl Loader {
    /// Reads and compiles the `[[property]]` entries in `env` (see
    /// [`crate::policy::env::PolicyEnvs::property_env`]).
    pub(super) fn properties(&mut self, top: Table<'_>, env: &Env) -> Vec<Property> {
        let approval_slot = env.slot(PROPERTY_NAMES[1]);
        let assessment_slot = env.slot(PROPERTY_NAMES[0]);
        let mut out = Vec::new();
        let mut names = HashSet::new();
        for (i, node) in self.r.tables(top, "property").into_iter().enumerate() {
            let path = format!("property[{i}]");
            let Some(t) = self.r.table(node, &path, &["name", "given", "expect", "cases"]) else { continue };
            let (name, path) = self.unique_name(t, path, "property", &mut names);
            let given = self
                .r
                .text(t, &path, "given", false)
                .map(|g| self.expression(env, &g, &join(&path, "given"), &Type::Bool));
            let expect = self
                .r
                .text(t, &path, "expect", true)
                .and_then(|e| self.expression(env, &e, &join(&path, "expect"), &Type::Bool));
            let cases = match self.r.int(t, &path, "cases") {
                None => Some(None),
                Some((n, _)) if (1..=MAX_PROPERTY_CASES).contains(&n) => u32::try_from(n).ok().map(Some),
                Some((n, span)) => {
                    self.r.error_help(
                        DiagnosticKind::InvalidValue,
                        span,
                        &join(&path, "cases"),
                        format!("`cases` must be from 1 to {MAX_PROPERTY_CASES}, found {n}"),
                        "leave it out for the run's number of cases (256 unless `--cases` says)",
                    );
                    None
                }
            };
            if let (Some(name), Some(given), Some(expect), Some(cases)) =
                (name, transpose(given), expect, cases)
            {
                let reads =
                    |p: &crate::cel::Program| approval_slot.is_some_and(|s| p.references().contains(&s));
                let with_approval = reads(&expect) || given.as_ref().is_some_and(reads);
                let given_reads_assessment = given.as_ref().is_some_and(|g| {
                    g.references()
                        .iter()
                        .any(|s| *s == RISK || Some(*s) == assessment_slot || Some(*s) == approval_slot)
                });
                out.push(Property { name, given, expect, cases, with_approval, given_reads_assessment });
            }
        }
        out
    }
}

/// What a test file holds, compiled against its policy.
pub(crate) struct LoadedTests {
    pub(crate) tests: Vec<TestCase>,
    pub(crate) properties: Vec<Property>,
    pub(crate) test_topology: Option<Topology>,
}

fn format_of(source: &str) -> Format {
    if source.trim_start().starts_with('{') { Format::Json } else { Format::Toml }
}

/// The policy a test file names (its top-level `policy` string), or `None` when the text is
/// not a test file (a policy has a `[policy]` table).
pub(crate) fn test_file_target(source: &str, limits: &Limits) -> Result<Option<String>, Diagnostics> {
    let root = super::parse(source, format_of(source), limits, "test file")?;
    let NodeKind::Table(entries) = &root.kind else { return Ok(None) };
    Ok(entries.iter().find(|(k, _)| k.name == "policy").and_then(|(_, v)| match &v.kind {
        NodeKind::Str { value, .. } => Some(value.clone()),
        _ => None,
    }))
}

/// Loads a test file's `[[test]]`, `[[property]]` and `[test_topology]` against `policy`.
pub(crate) fn load_tests(source: &str, policy: &CompiledPolicy) -> Result<LoadedTests, Diagnostics> {
    let root = super::parse(source, format_of(source), &policy.limits, "test file")?;
    let mut l = Loader::new(&policy.limits, true);
    let loaded = l.r.table(&root, "", &["policy", "test", "property", "test_topology"]).map(|top| {
        l.r.string(top, "", "policy", true);
        let tests = l.tests(top);
        let properties = l.properties(top, &policy.property_env);
        let test_topology = top.get("test_topology").and_then(|n| l.input_document(n, "test_topology"));
        LoadedTests { tests, properties, test_topology }
    });
    super::finish(loaded, l.r.diags, "test file").map(|(t, _)| t)
}
