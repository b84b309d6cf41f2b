//! The `[health]` section: the rollout health judge's metrics and thresholds.
//!
//! ```toml
//! [health]
//! pass_score = 95          # promote at or above this score (0–100)
//! marginal_score = 75      # roll back below this score
//! confidence = 0.98        # each test's confidence (a difference counts at p < 0.02)
//! remove_outliers = false  # drop IQR outliers from samples before comparing
//! references = ["OPS06-BP04"]  # the practices this encodes, shown with every verdict
//!
//! [health.risk.critical]   # stricter thresholds for changes assessed at this risk level
//! confidence = 0.995
//! min_samples_factor = 2   # every metric needs twice its `min_samples`
//!
//! [[health.metric]]
//! name = "latency_p99_ms"  # the key in the observations document
//! kind = "continuous"      # or "count" (errors out of a total)
//! bad = "increase"         # or "decrease", "either"
//! tolerance = 0.10         # a change up to 10% passes
//! critical = true          # failing it rolls back whatever the score
//! weight = 1               # its share of the score
//! min_samples = 30         # per side (samples, or trials for counts)
//! missing = "continue"     # absent or empty data: "continue", "fail" or "ignore"
//! ```
//!
//! Every key but `name` and `kind` may be left out; the defaults are those of
//! [`crate::health::Thresholds::default`] and [`crate::health::MetricSpec::new`]. A risk
//! level's table may set `pass_score`, `marginal_score`, `confidence`, `min_samples_factor`
//! and `remove_outliers`; what it leaves out comes from `[health]`. How the judge decides is
//! described in [`crate::health`].

use super::kinds::RiskLevel;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::document::reader::{Reader, Table, join};
use crate::document::tree::{Node, NodeKind};
use crate::health::{Direction, Judge, MetricKind, MetricSpec, Missing, Thresholds};

const HEALTH_KEYS: [&str; 8] = [
    "pass_score",
    "marginal_score",
    "confidence",
    "min_samples_factor",
    "remove_outliers",
    "references",
    "risk",
    "metric",
];
const LEVEL_KEYS: [&str; 5] =
    ["pass_score", "marginal_score", "confidence", "min_samples_factor", "remove_outliers"];
const METRIC_KEYS: [&str; 8] =
    ["name", "kind", "bad", "tolerance", "critical", "weight", "min_samples", "missing"];

/// The compiled `[health]` section.
#[derive(Debug, Clone)]
pub(crate) struct HealthSection {
    pub(crate) judge: Judge,
    /// The thresholds for each risk level, from `low` to `critical`.
    pub(crate) by_risk: [Thresholds; 4],
    /// The practices the section encodes (`OPS06-BP04`), shown with every verdict.
    pub(crate) references: Vec<String>,
}

impl HealthSection {
    /// The thresholds for a change at `risk` (the section's own when the risk is not known).
    pub(crate) fn thresholds(&self, risk: Option<RiskLevel>) -> &Thresholds {
        let index = match risk {
            None => return self.judge.thresholds(),
            Some(RiskLevel::Low) => 0,
            Some(RiskLevel::Medium) => 1,
            Some(RiskLevel::High) => 2,
            Some(RiskLevel::Critical) => 3,
        };
        self.by_risk.get(index).unwrap_or(self.judge.thresholds())
    }
}

/// A number (integer or float) under `key`, or `None` when absent or mistyped (reported).
fn number(r: &mut Reader, t: Table<'_>, path: &str, key: &str) -> Option<f64> {
    let node = t.get(key)?;
    match node.kind {
        NodeKind::Int(i) => Some(i as f64),
        NodeKind::Float(f) => Some(f),
        _ => {
            let path = join(path, key);
            r.error(
                DiagnosticKind::InvalidValue,
                node.span,
                &path,
                format!("`{path}` must be a number, found {}", node.type_name()),
            );
            None
        }
    }
}

/// One of `names` under `key`, or `None` when absent or not one of them (reported).
fn choice<T: Copy>(r: &mut Reader, t: Table<'_>, path: &str, key: &str, names: &[(&str, T)]) -> Option<T> {
    let text = r.text(t, path, key, false)?;
    if let Some((_, value)) = names.iter().find(|(n, _)| *n == text.value) {
        return Some(*value);
    }
    let list: Vec<String> = names.iter().map(|(n, _)| format!("`{n}`")).collect();
    r.error_help(
        DiagnosticKind::InvalidValue,
        text.span,
        &join(path, key),
        format!("unknown {key} `{}`", text.value),
        format!("expected one of {}", list.join(", ")),
    );
    None
}

fn thresholds(r: &mut Reader, t: Table<'_>, path: &str, base: Thresholds) -> Thresholds {
    let mut out = base;
    if let Some(v) = number(r, t, path, "pass_score") {
        out.pass_score = v;
    }
    if let Some(v) = number(r, t, path, "marginal_score") {
        out.marginal_score = v;
    }
    if let Some(v) = number(r, t, path, "confidence") {
        out.confidence = v;
    }
    if let Some(v) = number(r, t, path, "min_samples_factor") {
        out.min_samples_factor = v;
    }
    if let Some(v) = r.bool(t, path, "remove_outliers") {
        out.remove_outliers = v;
    }
    out
}

fn place_at(d: Diagnostic, t: Table<'_>, key: &str) -> Diagnostic {
    // Point at the key the problem is about when it is in this table, else at the table.
    let span = t.key_span(key).unwrap_or(t.span);
    d.with_span(span)
}

/// Reads the `[health]` section, reporting every problem into `r`.
pub(crate) fn read(r: &mut Reader, node: &Node) -> Option<HealthSection> {
    let t = r.table(node, "health", &HEALTH_KEYS)?;
    let base = thresholds(r, t, "health", Thresholds::default());
    let references = r.strings(t, "health", "references");
    let mut by_risk = [base; 4];
    if let Some(levels) = t.get("risk")
        && let Some(lt) = r.table(levels, "health.risk", &["low", "medium", "high", "critical"])
    {
        for (slot, name) in by_risk.iter_mut().zip(["low", "medium", "high", "critical"]) {
            let path = format!("health.risk.{name}");
            if let Some(n) = lt.get(name)
                && let Some(level) = r.table(n, &path, &LEVEL_KEYS)
            {
                *slot = thresholds(r, level, &path, base);
                for d in crate::health::threshold_problems(slot, &path) {
                    let key = d.path().and_then(|p| p.rsplit('.').next()).unwrap_or("").to_owned();
                    r.diags.push(place_at(d, level, &key));
                }
            }
        }
    }
    let mut metrics = Vec::new();
    let mut spans = Vec::new();
    for (i, m) in r.tables(t, "metric").into_iter().enumerate() {
        let path = format!("health.metric[{i}]");
        let Some(mt) = r.table(m, &path, &METRIC_KEYS) else { continue };
        let name = r.string(mt, &path, "name", true);
        let kind = choice(
            r,
            mt,
            &path,
            "kind",
            &[("continuous", MetricKind::Continuous), ("count", MetricKind::Count)],
        );
        if mt.get("kind").is_none() {
            r.error_help(
                DiagnosticKind::MissingKey,
                mt.span,
                &path,
                format!("`{path}` has no `kind`"),
                "add `kind = \"continuous\"` (samples) or `kind = \"count\"` (errors out of a total)",
            );
        }
        let (Some(name), Some(kind)) = (name, kind) else { continue };
        let mut spec = MetricSpec::new(name, kind);
        if let Some(bad) = choice(
            r,
            mt,
            &path,
            "bad",
            &[
                ("increase", Direction::Increase),
                ("decrease", Direction::Decrease),
                ("either", Direction::Either),
            ],
        ) {
            spec = spec.bad(bad);
        }
        if let Some(missing) = choice(
            r,
            mt,
            &path,
            "missing",
            &[("continue", Missing::Continue), ("fail", Missing::Fail), ("ignore", Missing::Ignore)],
        ) {
            spec = spec.missing(missing);
        }
        if let Some(v) = number(r, mt, &path, "tolerance") {
            spec = spec.tolerance(v);
        }
        if let Some(v) = number(r, mt, &path, "weight") {
            spec = spec.weight(v);
        }
        if let Some(v) = r.bool(mt, &path, "critical") {
            spec = spec.critical(v);
        }
        if let Some((v, span)) = r.int(mt, &path, "min_samples") {
            match u64::try_from(v) {
                Ok(v) if v >= 1 => spec = spec.min_samples(v),
                _ => r.error(
                    DiagnosticKind::InvalidValue,
                    span,
                    &join(&path, "min_samples"),
                    format!("`min_samples` must be at least 1, found {v}"),
                ),
            }
        }
        spans.push(mt);
        metrics.push(spec);
    }
    match Judge::new(metrics, base) {
        Ok(judge) => Some(HealthSection { judge, by_risk, references }),
        Err(diags) => {
            for d in &diags {
                // Point each problem at its key: `health.metric[2].weight` → table 2, `weight`.
                let path = d.path().unwrap_or("").to_owned();
                let key = path.rsplit('.').next().unwrap_or("").to_owned();
                let table = path
                    .strip_prefix("health.metric[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| spans.get(i).copied())
                    .unwrap_or(t);
                r.diags.push(place_at(d.clone(), table, &key));
            }
            None
        }
    }
}
