//! Judging observations: each metric classified, the score, the decision and its reasons.

use std::fmt::Write as _;

use super::config::{Direction, MetricKind, MetricSpec, Missing, Thresholds};
use super::observations::{MetricData, Observations, Side};
use super::stats::{self, Alternative, Method};
use super::verdict::{Classification, Decision, MetricStats, MetricVerdict, Verdict};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Diagnostics};
use crate::input::identity_key;

impl Verdict {
    /// The verdict of a policy without a `[health]` section: nothing judged, so `continue`.
    pub(crate) fn without_health_section(observations: &Observations) -> Verdict {
        let t = Thresholds::default();
        let mut v = decide(Vec::new(), observations.metrics.keys().cloned().collect(), &t);
        v.reasons.insert(0, "the policy has no `[health]` section, so no metric is judged".into());
        v
    }
}

/// A health judge: the metrics to compare and the thresholds, checked once.
///
/// A judge is immutable and `Send + Sync`; judging does no I/O and never fails: unusable
/// data is a metric without data, which never promotes a rollout.
#[derive(Debug, Clone, PartialEq)]
pub struct Judge {
    metrics: Vec<MetricSpec>,
    thresholds: Thresholds,
    /// Each metric name's confusable skeleton ([`identity_key`]), to recognise it under
    /// another spelling in the observations.
    keys: Vec<Option<String>>,
}

/// Checks thresholds, naming the `path` of each problem (`health` or `health.risk.high`).
pub(crate) fn threshold_problems(t: &Thresholds, path: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut bad = |key: &str, message: String| {
        out.push(Diagnostic::error(DiagnosticKind::InvalidValue, message).with_path(format!("{path}.{key}")));
    };
    for (key, value) in [("pass_score", t.pass_score), ("marginal_score", t.marginal_score)] {
        if !(0.0..=100.0).contains(&value) {
            bad(key, format!("`{key}` must be from 0 to 100, found {value}"));
        }
    }
    if t.marginal_score > t.pass_score {
        bad(
            "marginal_score",
            format!(
                "`marginal_score` ({}) must not exceed `pass_score` ({})",
                t.marginal_score, t.pass_score
            ),
        );
    }
    if !(t.confidence > 0.5 && t.confidence < 1.0) {
        bad("confidence", format!("`confidence` must be above 0.5 and below 1, found {}", t.confidence));
    }
    if !(t.min_samples_factor.is_finite() && t.min_samples_factor >= 1.0) {
        bad(
            "min_samples_factor",
            format!("`min_samples_factor` must be at least 1, found {}", t.min_samples_factor),
        );
    }
    out
}

impl Judge {
    /// A judge for `metrics` under `thresholds`.
    ///
    /// # Errors
    /// A metric named twice, a weight that is not positive, a negative or non-finite
    /// tolerance, a threshold out of range.
    pub fn new(metrics: Vec<MetricSpec>, thresholds: Thresholds) -> Result<Judge, Diagnostics> {
        let mut diags = threshold_problems(&thresholds, "health");
        for (i, m) in metrics.iter().enumerate() {
            let path = format!("health.metric[{i}]");
            if metrics.iter().take(i).any(|other| other.name == m.name) {
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::DuplicateId,
                        format!("metric `{}` is defined twice", m.name),
                    )
                    .with_path(format!("{path}.name")),
                );
            }
            if !(m.weight.is_finite() && m.weight > 0.0) {
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        format!("`weight` must be a positive number, found {}", m.weight),
                    )
                    .with_path(format!("{path}.weight")),
                );
            }
            if !(m.tolerance.is_finite() && m.tolerance >= 0.0) {
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        format!("`tolerance` must be a non-negative number, found {}", m.tolerance),
                    )
                    .with_path(format!("{path}.tolerance")),
                );
            }
        }
        if !diags.is_empty() {
            return Err(Diagnostics::new(diags));
        }
        let keys = metrics.iter().map(|m| identity_key(&m.name).ok()).collect();
        Ok(Judge { metrics, thresholds, keys })
    }

    /// The metrics, in order.
    #[must_use]
    pub fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }

    /// The thresholds.
    #[must_use]
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Judges `observations` under the judge's own thresholds.
    #[must_use]
    pub fn judge(&self, observations: &Observations) -> Verdict {
        self.judge_with(observations, &self.thresholds)
    }

    /// Judges `observations` under `thresholds` (for example those for the change's risk
    /// level). Thresholds out of range are clamped into range, never relaxed below the
    /// judge's own.
    #[must_use]
    pub fn judge_with(&self, observations: &Observations, thresholds: &Thresholds) -> Verdict {
        let t = sane(thresholds, &self.thresholds);
        let unjudged: Vec<String> = observations
            .metrics
            .keys()
            .filter(|name| !self.metrics.iter().any(|m| &m.name == *name))
            .cloned()
            .collect();
        // The skeletons of the names the policy does not know, computed only when there are
        // any (there are none in a well-formed document).
        let unknown: Vec<(&str, Option<String>)> =
            unjudged.iter().map(|name| (name.as_str(), identity_key(name).ok())).collect();
        let metrics: Vec<MetricVerdict> = self
            .metrics
            .iter()
            .zip(&self.keys)
            .map(|(spec, key)| match observations.metrics.get(&spec.name) {
                Some(data) => judge_metric(spec, data.as_ref(), &t),
                None => match unknown.iter().find(|(_, k)| k.is_some() && k == key) {
                    Some(&(given, _)) => respelled(spec, &t, given),
                    None => judge_metric(spec, None, &t),
                },
            })
            .collect();
        decide(metrics, unjudged, &t)
    }
}

/// The verdict of a metric that the observations give only under another spelling of its
/// name (case, invisible or look-alike characters): the judge does not guess which is meant.
/// It is never weaker than an absent metric: under `missing = "fail"` it fails, as absence
/// would; otherwise it keeps the rollout waiting, even where absence would be ignored.
fn respelled(spec: &MetricSpec, t: &Thresholds, given: &str) -> MetricVerdict {
    let need = needed(spec, t);
    let reason = format!(
        "not given under this name, but as `{}`, which differs only in case, invisible or \
         look-alike characters: not judged",
        given.escape_debug()
    );
    no_data(spec, t, need, &reason, spec.missing == Missing::Fail)
}

/// `given`, with anything unusable replaced by `fallback`'s value.
fn sane(given: &Thresholds, fallback: &Thresholds) -> Thresholds {
    if threshold_problems(given, "health").is_empty() { *given } else { *fallback }
}

fn percent(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "infinitely".into() } else { "-infinitely".into() };
    }
    let p = x * 100.0;
    if p.abs() >= 10.0 { format!("{p:.0}%") } else { format!("{p:.1}%") }
}

fn pvalue(p: f64) -> String {
    if p < 1e-4 { format!("{p:.1e}") } else { format!("{p:.4}") }
}

fn no_data(spec: &MetricSpec, t: &Thresholds, need: u64, reason: &str, missing: bool) -> MetricVerdict {
    let (failed, scored, blocks) = if missing {
        match spec.missing {
            Missing::Continue => (false, false, true),
            Missing::Fail => (true, true, false),
            Missing::Ignore => (false, false, false),
        }
    } else {
        // Too few samples: never a reason to promote, never alone a reason to roll back.
        (false, false, true)
    };
    let consequence = match (missing, spec.missing) {
        (true, Missing::Fail) => "counts as failed (`missing = \"fail\"`)",
        (true, Missing::Ignore) => "left out of the score (`missing = \"ignore\"`)",
        _ => "the rollout cannot be promoted until it has data",
    };
    MetricVerdict {
        name: spec.name.clone(),
        classification: Classification::NoData,
        failed,
        critical: spec.critical,
        scored,
        blocks_promotion: blocks,
        weight: spec.weight,
        alpha: 1.0 - t.confidence,
        tolerance: spec.tolerance,
        min_samples: need,
        stats: None,
        reason: format!("`{}`: {reason}; {consequence}", spec.name),
    }
}

/// How many samples (or trials) each side needs: the metric's `min_samples` scaled by the
/// thresholds' factor, at least one.
fn needed(spec: &MetricSpec, t: &Thresholds) -> u64 {
    ((spec.min_samples as f64) * t.min_samples_factor).ceil().max(1.0) as u64
}

fn judge_metric(spec: &MetricSpec, data: Option<&MetricData>, t: &Thresholds) -> MetricVerdict {
    let need = needed(spec, t);
    let Some(data) = data else {
        return no_data(spec, t, need, "no data (absent, or its query failed)", true);
    };
    match (spec.kind, &data.baseline, &data.canary) {
        (MetricKind::Continuous, Side::Samples(b), Side::Samples(c)) => continuous(spec, t, need, b, c),
        (
            MetricKind::Count,
            Side::Counts { errors: eb, total: tb },
            Side::Counts { errors: ec, total: tc },
        ) => count(spec, t, need, (*eb, *tb), (*ec, *tc)),
        (kind, _, _) => {
            let mut v = no_data(
                spec,
                t,
                need,
                &format!(
                    "the observations do not give {} (expected {})",
                    kind.as_str(),
                    match kind {
                        MetricKind::Continuous => "lists of samples",
                        MetricKind::Count => "`errors` and `total`",
                    }
                ),
                true,
            );
            // Data of the wrong kind is a broken pipeline, not an absence: it fails.
            v.failed = true;
            v.scored = true;
            v.blocks_promotion = false;
            v
        }
    }
}

fn fails(spec: &MetricSpec, class: Classification) -> bool {
    match class {
        Classification::High => matches!(spec.bad, Direction::Increase | Direction::Either),
        Classification::Low => matches!(spec.bad, Direction::Decrease | Direction::Either),
        Classification::Pass | Classification::NoData => false,
    }
}

/// The spread that a canary may exceed the baseline's by, before a significant increase in
/// spread fails it: 50% on top of the metric's tolerance.
const SPREAD_ALLOWANCE: f64 = 0.5;

fn continuous(
    spec: &MetricSpec,
    t: &Thresholds,
    need: u64,
    baseline: &[f64],
    canary: &[f64],
) -> MetricVerdict {
    let alpha = 1.0 - t.confidence;
    let mut removed = (0, 0);
    // Each side is sorted once (outliers removed first, when asked); every statistic below
    // reads the sorted samples.
    let (b, c) = if t.remove_outliers {
        let keep = |sample: &[f64], count: &mut usize| match stats::iqr_outliers(sample, 1.5) {
            Ok((kept, out)) => {
                *count = out.len();
                stats::sorted(&kept)
            }
            Err(_) => stats::sorted(sample),
        };
        (keep(baseline, &mut removed.0), keep(canary, &mut removed.1))
    } else {
        (stats::sorted(baseline), stats::sorted(canary))
    };
    if b.is_empty() || c.is_empty() {
        let side = if b.is_empty() { "baseline" } else { "canary" };
        return no_data(spec, t, need, &format!("no {side} samples"), true);
    }
    if (b.len() as u64) < need || (c.len() as u64) < need {
        return no_data(
            spec,
            t,
            need,
            &format!(
                "not enough samples yet ({} baseline, {} canary; {need} needed on each side)",
                b.len(),
                c.len()
            ),
            false,
        );
    }
    let (mb, mc) = (stats::quantile_sorted(&b, 0.5), stats::quantile_sorted(&c, 0.5));
    // The scale that makes the shift relative: the baseline's median, or when that is zero
    // the canary's (so any shift from zero is a 100% change), or 1 when both are zero.
    let scale = if mb != 0.0 {
        mb.abs()
    } else if mc != 0.0 {
        mc.abs()
    } else {
        1.0
    };
    if stats::check(&b).is_err() || stats::check(&c).is_err() {
        return no_data(spec, t, need, "the samples could not be compared", true);
    }
    let location = stats::mann_whitney_sorted(&c, &b, Alternative::TwoSided, Method::Auto);
    let shift = stats::shift_estimate_sorted(&b, &c, t.confidence);
    // The mean absolute deviations (the spreads compared) are also the centres of the
    // Brown-Forsythe test.
    let (dev_c, dev_b) = (stats::deviation_sum(&c, mc), stats::deviation_sum(&b, mb));
    let spread = stats::brown_forsythe_centred(&c, &b, (mc, dev_c), (mb, dev_b));
    let effect = shift.estimate / scale;
    let interval = Some((shift.low / scale, shift.high / scale));
    let (mad_b, mad_c) = (dev_b / b.len() as f64, dev_c / c.len() as f64);
    let spread_ratio = if mad_b > 0.0 {
        mad_c / mad_b
    } else if mad_c > 0.0 {
        f64::INFINITY
    } else {
        1.0
    };
    let spread_p = spread.ok().map(|s| s.pvalue);
    let significant = location.pvalue < alpha;
    let mut class = if significant && effect > spec.tolerance {
        Classification::High
    } else if significant && -effect > spec.tolerance {
        Classification::Low
    } else {
        Classification::Pass
    };
    let mut reason = String::new();
    let ci = interval.map_or(String::new(), |(lo, hi)| {
        format!(" ({:.0}% CI {} to {})", t.confidence * 100.0, percent(lo), percent(hi))
    });
    let direction = if effect >= 0.0 { "higher" } else { "lower" };
    let _ = write!(
        reason,
        "`{}` is {} {direction} than baseline{ci}, median {} against {}",
        spec.name,
        percent(effect.abs()),
        short(mc),
        short(mb)
    );
    let mut failed = fails(spec, class);
    if class == Classification::Pass {
        if significant {
            let _ = write!(reason, "; within the {} tolerance", percent(spec.tolerance));
        } else {
            let _ = write!(reason, "; not significant (p = {} ≥ {})", pvalue(location.pvalue), pvalue(alpha));
        }
    } else {
        let _ = write!(
            reason,
            "; beyond the {} tolerance (p = {} < {})",
            percent(spec.tolerance),
            pvalue(location.pvalue),
            pvalue(alpha)
        );
    }
    let spread_bad =
        spread_p.is_some_and(|p| p < alpha) && spread_ratio > 1.0 + spec.tolerance + SPREAD_ALLOWANCE;
    if spread_bad && !failed {
        class = Classification::High;
        failed = true;
        let _ = write!(
            reason,
            "; but its spread is {:.1}× the baseline's (Brown-Forsythe p = {} < {})",
            spread_ratio,
            pvalue(spread_p.unwrap_or(0.0)),
            pvalue(alpha)
        );
    }
    finish(&mut reason, spec, failed, class);
    if removed != (0, 0) {
        let _ = write!(reason, " [{} baseline and {} canary outliers removed]", removed.0, removed.1);
    }
    judged(
        spec,
        class,
        failed,
        alpha,
        need,
        reason,
        MetricStats {
            baseline_n: b.len() as u64,
            canary_n: c.len() as u64,
            baseline_value: mb,
            canary_value: mc,
            effect,
            interval,
            pvalue: location.pvalue,
            spread_ratio: Some(spread_ratio),
            spread_pvalue: spread_p,
            outliers_removed: removed,
        },
    )
}

/// The verdict of a metric that had data to compare.
fn judged(
    spec: &MetricSpec,
    class: Classification,
    failed: bool,
    alpha: f64,
    need: u64,
    reason: String,
    stats: MetricStats,
) -> MetricVerdict {
    MetricVerdict {
        name: spec.name.clone(),
        classification: class,
        failed,
        critical: spec.critical,
        scored: true,
        blocks_promotion: false,
        weight: spec.weight,
        alpha,
        tolerance: spec.tolerance,
        min_samples: need,
        stats: Some(stats),
        reason,
    }
}

fn finish(reason: &mut String, spec: &MetricSpec, failed: bool, class: Classification) {
    let _ = write!(reason, ": {}", class.as_str());
    if failed {
        reason.push_str(if spec.critical { ", fails (critical metric)" } else { ", fails" });
    } else if class != Classification::Pass {
        let _ = write!(reason, ", not a failure (`bad = \"{}\"`)", spec.bad.as_str());
    }
}

/// A number short enough for a sentence: three decimals, or scientific for extremes.
pub(super) fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn count(
    spec: &MetricSpec,
    t: &Thresholds,
    need: u64,
    baseline: (u64, u64),
    canary: (u64, u64),
) -> MetricVerdict {
    let alpha = 1.0 - t.confidence;
    let ((eb, tb), (ec, tc)) = (baseline, canary);
    if tb == 0 || tc == 0 {
        let side = if tb == 0 { "baseline" } else { "canary" };
        return no_data(spec, t, need, &format!("no {side} trials (a total of 0)"), true);
    }
    if tb < need || tc < need {
        return no_data(
            spec,
            t,
            need,
            &format!("not enough trials yet ({tb} baseline, {tc} canary; {need} needed on each side)"),
            false,
        );
    }
    let (rb, rc) = (eb as f64 / tb as f64, ec as f64 / tc as f64);
    let effect = if rb > 0.0 {
        (rc - rb) / rb
    } else if rc > 0.0 {
        f64::INFINITY
    } else {
        0.0
    };
    let table = [[ec, tc.saturating_sub(ec)], [eb, tb.saturating_sub(eb)]];
    let Ok(test) = stats::fisher_exact(table, Alternative::TwoSided) else {
        return no_data(spec, t, need, "the counts could not be compared", true);
    };
    let significant = test.pvalue < alpha;
    let class = if significant && rc > rb && effect > spec.tolerance {
        Classification::High
    } else if significant && rc < rb && -effect > spec.tolerance {
        Classification::Low
    } else {
        Classification::Pass
    };
    let failed = fails(spec, class);
    let mut reason = format!(
        "`{}` rate is {} in the canary ({ec} of {tc}) against {} in the baseline ({eb} of {tb})",
        spec.name,
        percent_rate(rc),
        percent_rate(rb),
    );
    if class == Classification::Pass {
        if significant {
            let _ = write!(reason, "; within the {} tolerance", percent(spec.tolerance));
        } else {
            let _ =
                write!(reason, "; not significant (Fisher p = {} ≥ {})", pvalue(test.pvalue), pvalue(alpha));
        }
    } else {
        let _ = write!(
            reason,
            "; {} {}, beyond the {} tolerance (Fisher p = {} < {})",
            percent(effect.abs()),
            if rc > rb { "higher" } else { "lower" },
            percent(spec.tolerance),
            pvalue(test.pvalue),
            pvalue(alpha)
        );
    }
    finish(&mut reason, spec, failed, class);
    judged(
        spec,
        class,
        failed,
        alpha,
        need,
        reason,
        MetricStats {
            baseline_n: tb,
            canary_n: tc,
            baseline_value: rb,
            canary_value: rc,
            effect,
            interval: None,
            pvalue: test.pvalue,
            spread_ratio: None,
            spread_pvalue: None,
            outliers_removed: (0, 0),
        },
    )
}

fn percent_rate(r: f64) -> String {
    let p = r * 100.0;
    if p == 0.0 || p >= 0.01 { format!("{p:.2}%") } else { format!("{p:.1e}%") }
}

fn decide(metrics: Vec<MetricVerdict>, unjudged: Vec<String>, t: &Thresholds) -> Verdict {
    // Folded from `0.0`: an empty `sum` of floats is `-0.0`, which would print as a score of
    // "-0.0" when every scored metric failed.
    let scored = metrics.iter().filter(|m| m.scored).fold(0.0, |sum, m| sum + m.weight);
    let passed = metrics.iter().filter(|m| m.scored && !m.failed).fold(0.0, |sum, m| sum + m.weight);
    let score = (scored > 0.0).then(|| 100.0 * passed / scored);
    let mut reasons = Vec::new();
    let critical: Vec<&MetricVerdict> = metrics.iter().filter(|m| m.critical && m.failed).collect();
    let blocking: Vec<&MetricVerdict> = metrics.iter().filter(|m| m.blocks_promotion).collect();
    let decision = if !critical.is_empty() {
        for m in &critical {
            reasons.push(format!("critical metric `{}` failed: roll back", m.name));
        }
        Decision::RollBack
    } else if let Some(s) = score.filter(|s| *s < t.marginal_score) {
        reasons.push(format!("score {s:.1} is below the marginal score {}: roll back", t.marginal_score));
        Decision::RollBack
    } else if !blocking.is_empty() {
        for m in &blocking {
            reasons.push(format!("not enough evidence: {}", m.reason));
        }
        Decision::Continue
    } else if let Some(s) = score {
        if s < t.pass_score {
            reasons.push(format!(
                "score {s:.1} is between the marginal score {} and the pass score {}: continue",
                t.marginal_score, t.pass_score
            ));
            Decision::Continue
        } else {
            reasons.push(format!("score {s:.1} reaches the pass score {}: promote", t.pass_score));
            Decision::Promote
        }
    } else {
        reasons.push("no metric could be judged: there is no evidence to promote on".into());
        Decision::Continue
    };
    for m in metrics.iter().filter(|m| m.failed && !m.critical) {
        reasons.push(m.reason.clone());
    }
    Verdict {
        decision,
        score,
        pass_score: t.pass_score,
        marginal_score: t.marginal_score,
        confidence: t.confidence,
        metrics,
        unjudged,
        reasons,
        references: Vec::new(),
    }
}
