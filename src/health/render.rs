//! Verdicts for people: text, Markdown, and an SVG of each metric's baseline against canary.

use std::fmt::Write as _;

use super::judge::short;
use super::observations::{Observations, Side};
use super::stats::quantile_sorted;
use super::verdict::{Classification, Decision, MetricVerdict, Verdict};

fn decision_words(d: Decision) -> &'static str {
    match d {
        Decision::Promote => "PROMOTE",
        Decision::Continue => "CONTINUE",
        Decision::RollBack => "ROLL BACK",
    }
}

fn score_text(v: &Verdict) -> String {
    v.score.map_or_else(|| "no score (nothing could be judged)".to_owned(), |s| format!("score {s:.1}"))
}

impl Verdict {
    /// The verdict as plain text: the decision, the score against its thresholds, the reasons,
    /// then one line per metric.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} (pass at {}, roll back under {}; {:.1}% confidence)",
            decision_words(self.decision),
            score_text(self),
            self.pass_score,
            self.marginal_score,
            self.confidence * 100.0
        );
        for r in &self.reasons {
            let _ = writeln!(out, "  - {r}");
        }
        out.push_str("\nmetrics:\n");
        for m in &self.metrics {
            let _ = writeln!(out, "  {:<8} {}", m.classification.as_str(), m.reason);
        }
        if !self.unjudged.is_empty() {
            // Escaped, so that an invisible character in a name shows.
            let names: Vec<String> = self.unjudged.iter().map(|n| n.escape_debug().to_string()).collect();
            let _ = writeln!(out, "\nnot judged (the policy does not name them): {}", names.join(", "));
        }
        if !self.references.is_empty() {
            let _ = writeln!(out, "\nreferences: {}", self.references.join(", "));
        }
        out
    }

    /// The verdict as Markdown, for a pull request or chat: a heading with the decision, the
    /// reasons, and a table of the metrics.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### Rollout health: **{}** ({})\n",
            decision_words(self.decision),
            score_text(self)
        );
        let _ = writeln!(
            out,
            "Pass at {}, roll back under {}, at {:.1}% confidence.\n",
            self.pass_score,
            self.marginal_score,
            self.confidence * 100.0
        );
        for r in &self.reasons {
            let _ = writeln!(out, "- {}", r.replace('|', "\\|"));
        }
        out.push_str(
            "\n| metric | verdict | baseline | canary | change | p-value |\n|---|---|---:|---:|---:|---:|\n",
        );
        for m in &self.metrics {
            let (b, c, e, p) = m.stats.as_ref().map_or_else(
                || ("–".to_owned(), "–".to_owned(), "–".to_owned(), "–".to_owned()),
                |s| {
                    (
                        format!("{:.4} (n={})", s.baseline_value, s.baseline_n),
                        format!("{:.4} (n={})", s.canary_value, s.canary_n),
                        if s.effect.is_finite() {
                            format!("{:+.1}%", s.effect * 100.0)
                        } else {
                            "new".to_owned()
                        },
                        format!("{:.2e}", s.pvalue),
                    )
                },
            );
            let mark = if m.failed { " ✗" } else { "" };
            let _ = writeln!(
                out,
                "| `{}` | {}{mark} | {b} | {c} | {e} | {p} |",
                m.name,
                m.classification.as_str()
            );
        }
        if !self.references.is_empty() {
            let _ = writeln!(out, "\nReferences: {}", self.references.join(", "));
        }
        out
    }
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn colour(m: &MetricVerdict) -> &'static str {
    match (m.failed, m.classification) {
        (true, _) => "#c62828",
        (false, Classification::NoData) => "#9e9e9e",
        (false, Classification::Pass) => "#2e7d32",
        (false, _) => "#f9a825",
    }
}

const WIDTH: f64 = 720.0;
const PANEL: f64 = 120.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 30.0;

/// Draws, for each judged metric, the baseline against the canary — box plots (quartiles,
/// whiskers to the most extreme values within 1.5 IQR, the median) for samples, bars for
/// event rates — with the metric's verdict, as a standalone SVG document.
///
/// The drawing is plain SVG written directly: deterministic text, no fonts embedded.
#[must_use]
pub fn plot_svg(verdict: &Verdict, observations: &Observations) -> String {
    let height = 70.0 + PANEL * verdict.metrics.len().max(1) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(out, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let _ = writeln!(
        out,
        "<text x=\"16\" y=\"28\" font-size=\"18\" font-weight=\"bold\">{} — {}</text>",
        decision_words(verdict.decision),
        esc(&score_text(verdict))
    );
    let _ = writeln!(
        out,
        "<text x=\"16\" y=\"48\" fill=\"#555\">baseline (grey) against canary (blue); pass at {}, roll back under {}</text>",
        verdict.pass_score, verdict.marginal_score
    );
    for (i, m) in verdict.metrics.iter().enumerate() {
        let top = 60.0 + PANEL * i as f64;
        panel(
            &mut out,
            m,
            observations.metrics.get(&m.name).and_then(Option::as_ref).map(|d| (&d.baseline, &d.canary)),
            top,
        );
    }
    out.push_str("</svg>\n");
    out
}

fn panel(out: &mut String, m: &MetricVerdict, data: Option<(&Side, &Side)>, top: f64) {
    let _ = writeln!(
        out,
        "<rect x=\"8\" y=\"{top}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ddd\"/>",
        WIDTH - 16.0,
        PANEL - 8.0
    );
    let _ = writeln!(out, "<text x=\"16\" y=\"{}\" font-weight=\"bold\">{}</text>", top + 20.0, esc(&m.name));
    let _ = writeln!(
        out,
        "<text x=\"16\" y=\"{}\" fill=\"{}\">{}{}</text>",
        top + 38.0,
        colour(m),
        m.classification.as_str(),
        if m.failed { " (fails)" } else { "" }
    );
    let summary = m.stats.as_ref().map_or_else(String::new, |s| {
        if s.effect.is_finite() {
            format!("{:+.1}%, p = {:.2e}", s.effect * 100.0, s.pvalue)
        } else {
            format!("new, p = {:.2e}", s.pvalue)
        }
    });
    let _ = writeln!(out, "<text x=\"16\" y=\"{}\" fill=\"#555\">{}</text>", top + 56.0, esc(&summary));
    let rows = [(top + 30.0, "#9e9e9e"), (top + 70.0, "#1565c0")];
    match data {
        Some((Side::Samples(b), Side::Samples(c))) if !b.is_empty() && !c.is_empty() => {
            let mut b = b.clone();
            let mut c = c.clone();
            b.sort_by(f64::total_cmp);
            c.sort_by(f64::total_cmp);
            let lo = b.first().copied().unwrap_or(0.0).min(c.first().copied().unwrap_or(0.0));
            let hi = b.last().copied().unwrap_or(1.0).max(c.last().copied().unwrap_or(1.0));
            // Halved first (exact, but for subnormals): the range of samples near the largest
            // float would overflow to infinity and put NaN in the drawing.
            let span = if hi > lo { hi / 2.0 - lo / 2.0 } else { 1.0 };
            let x = |v: f64| LEFT + (v / 2.0 - lo / 2.0) / span * (WIDTH - LEFT - RIGHT);
            for ((y, fill), sorted) in rows.iter().zip([&b, &c]) {
                box_plot(out, sorted, *y, fill, &x);
            }
            let _ =
                writeln!(out, "<text x=\"{LEFT}\" y=\"{}\" fill=\"#555\">{}</text>", top + 104.0, short(lo));
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"#555\" text-anchor=\"end\">{}</text>",
                WIDTH - RIGHT,
                top + 104.0,
                short(hi)
            );
        }
        Some((Side::Counts { errors: eb, total: tb }, Side::Counts { errors: ec, total: tc }))
            if *tb > 0 && *tc > 0 =>
        {
            let rb = *eb as f64 / *tb as f64;
            let rc = *ec as f64 / *tc as f64;
            let max = rb.max(rc);
            let scale = if max > 0.0 { max } else { 1.0 };
            for ((y, fill), (rate, e, t)) in rows.iter().zip([(rb, eb, tb), (rc, ec, tc)]) {
                let w = (rate / scale * (WIDTH - LEFT - RIGHT - 120.0)).max(1.0);
                let _ = writeln!(
                    out,
                    "<rect x=\"{LEFT}\" y=\"{}\" width=\"{w:.1}\" height=\"16\" fill=\"{fill}\"/>",
                    y - 8.0
                );
                let _ = writeln!(
                    out,
                    "<text x=\"{:.1}\" y=\"{}\">{:.3}% ({e} of {t})</text>",
                    LEFT + w + 6.0,
                    y + 4.0,
                    rate * 100.0
                );
            }
        }
        _ => {
            let _ = writeln!(out, "<text x=\"{LEFT}\" y=\"{}\" fill=\"#9e9e9e\">no data</text>", top + 50.0);
        }
    }
}

fn box_plot(out: &mut String, sorted: &[f64], y: f64, fill: &str, x: &impl Fn(f64) -> f64) {
    let q1 = quantile_sorted(sorted, 0.25);
    let q2 = quantile_sorted(sorted, 0.5);
    let q3 = quantile_sorted(sorted, 0.75);
    let reach = 1.5 * (q3 - q1);
    let low = sorted.iter().copied().find(|v| *v >= q1 - reach).unwrap_or(q1);
    let high = sorted.iter().rev().copied().find(|v| *v <= q3 + reach).unwrap_or(q3);
    let _ = writeln!(
        out,
        "<line x1=\"{:.1}\" y1=\"{y}\" x2=\"{:.1}\" y2=\"{y}\" stroke=\"{fill}\"/>",
        x(low),
        x(high)
    );
    let _ = writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"16\" fill=\"{fill}\" fill-opacity=\"0.35\" stroke=\"{fill}\"/>",
        x(q1),
        y - 8.0,
        (x(q3) - x(q1)).max(1.0)
    );
    let _ = writeln!(
        out,
        "<line x1=\"{:.1}\" y1=\"{}\" x2=\"{:.1}\" y2=\"{}\" stroke=\"{fill}\" stroke-width=\"2\"/>",
        x(q2),
        y - 8.0,
        x(q2),
        y + 8.0
    );
    for v in sorted.iter().filter(|v| **v < low || **v > high) {
        let _ = writeln!(out, "<circle cx=\"{:.1}\" cy=\"{y}\" r=\"2\" fill=\"{fill}\"/>", x(*v));
    }
}
