//! The policy's own tests: each case's documents read from their tables by the document
//! reader, and its expectations.

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::document::Document;
use crate::document::reader::{Table, join};
use crate::document::tree::Node;
use crate::policy::model::{Expect, Outcome, RiskLevel, TestCase};

use super::{Loader, transpose};

impl Loader {
    pub(super) fn tests(&mut self, top: Table<'_>) -> Vec<TestCase> {
        let mut out = Vec::new();
        let mut names = HashSet::new();
        for (i, node) in self.r.tables(top, "test").into_iter().enumerate() {
            let path = format!("test[{i}]");
            let Some(t) = self.r.table(node, &path, &["name", "change", "topology", "context", "expect"])
            else {
                continue;
            };
            let (name, path) = self.unique_name(t, path, "test", &mut names);
            let change = match t.get("change") {
                Some(n) => self.input_document(n, &join(&path, "change")),
                None => {
                    self.r.error(
                        DiagnosticKind::MissingKey,
                        t.span,
                        &path,
                        format!("missing key `change` in `{path}`"),
                    );
                    None
                }
            };
            let topology = t.get("topology").map(|n| self.input_document(n, &join(&path, "topology")));
            let context = t.get("context").map(|n| self.input_document(n, &join(&path, "context")));
            let expect = self.expect(t, &path);
            if let (Some(name), Some(change), Some(topology), Some(context), Some(expect)) =
                (name, change, transpose(topology), transpose(context), expect)
            {
                out.push(TestCase { name, change, topology, context, expect });
            }
        }
        out
    }

    /// Reads an input document embedded in the policy (a test's change, topology or context)
    /// from its table directly; each diagnostic points at the key or value it is about.
    pub(super) fn input_document<T: Document>(&mut self, node: &Node, path: &str) -> Option<T> {
        match crate::document::from_tree::<T>(node, &self.limits) {
            Ok(v) => Some(v),
            Err(diags) => {
                for d in diags {
                    let at = match d.path() {
                        Some(p) if p.starts_with('[') => format!("{path}{p}"),
                        Some(p) => format!("{path}.{p}"),
                        None => path.to_owned(),
                    };
                    let span = d.span().unwrap_or(node.span);
                    let mut nd = Diagnostic::error(d.kind(), d.message()).with_span(span).with_path(at);
                    if let Some(h) = d.help() {
                        nd = nd.with_help(h);
                    }
                    self.r.diags.push(nd);
                }
                None
            }
        }
    }

    pub(super) fn expect(&mut self, t: Table<'_>, path: &str) -> Option<Expect> {
        let Some(node) = t.get("expect") else {
            self.r.error(
                DiagnosticKind::MissingKey,
                t.span,
                path,
                format!("missing key `expect` in `{path}`"),
            );
            return None;
        };
        let epath = join(path, "expect");
        let e =
            self.r.table(node, &epath, &["outcome", "violations", "risk_level", "risk_score", "impacted"])?;
        let outcome = self.r.text(e, &epath, "outcome", true).and_then(|o| {
            Outcome::from_name(&o.value).or_else(|| {
                let help = Outcome::name_help(&o.value);
                self.r.error_help(
                    DiagnosticKind::InvalidValue,
                    o.span,
                    &join(&epath, "outcome"),
                    format!("unknown outcome `{}`", o.value),
                    help,
                );
                None
            })
        });
        let violations = e.get("violations").map(|_| self.r.strings(e, &epath, "violations"));
        let impacted = e.get("impacted").map(|_| self.r.strings(e, &epath, "impacted"));
        let risk_level = self.r.text(e, &epath, "risk_level", false).and_then(|l| {
            let parsed = RiskLevel::from_name(&l.value);
            if parsed.is_none() {
                self.r.error(
                    DiagnosticKind::InvalidValue,
                    l.span,
                    &join(&epath, "risk_level"),
                    format!("unknown risk level `{}`", l.value),
                );
            }
            parsed
        });
        let risk_score = self.r.int(e, &epath, "risk_score").map(|(v, _)| v);
        Some(Expect { outcome: outcome?, violations, risk_level, risk_score, impacted })
    }
}
