//! Reports for people: text for a terminal (`Display`) and Markdown for a pull-request comment.

use std::fmt::{self, Write as _};

use super::diff::{DiffReport, Search};
use super::report::{Churn, ReplayReport};
use crate::policy::{ChangeKind, Outcome};

/// How many rules and factors the Markdown lists under "top changes".
const TOP: usize = 10;

fn short_digest(digest: &str) -> &str {
    digest.get(..crate::digest::PREFIX.len() + 12).unwrap_or(digest)
}

/// The score-shift bucket of `shift`: 0 alone, then tens on each side (1 to 10, -10 to -1…).
fn bucket(shift: i64) -> (i64, i64) {
    match shift {
        0 => (0, 0),
        s if s > 0 => {
            let lo = (s - 1) / 10 * 10 + 1;
            (lo, lo + 9)
        }
        s => {
            let hi = -((-s - 1) / 10 * 10 + 1);
            (hi - 9, hi)
        }
    }
}

impl ReplayReport {
    /// The score shifts grouped in tens, in ascending order, with their counts.
    #[must_use]
    pub fn score_buckets(&self) -> Vec<((i64, i64), u64)> {
        let mut out: Vec<((i64, i64), u64)> = Vec::new();
        for (&shift, &n) in &self.score_shifts {
            let b = bucket(shift);
            match out.last_mut() {
                Some((last, count)) if *last == b => *count += n,
                _ => out.push((b, n)),
            }
        }
        out
    }

    /// Rules and factors that moved, the most moved first: (`rule` or `factor`, id, churn).
    fn top_churn(&self) -> Vec<(&'static str, &str, Churn)> {
        let mut all: Vec<_> = self
            .rules
            .iter()
            .map(|(id, c)| ("rule", id.as_str(), *c))
            .chain(self.factors.iter().map(|(id, c)| ("factor", id.as_str(), *c)))
            .collect();
        all.sort_by_key(|(_, id, c)| (std::cmp::Reverse(c.newly + c.no_longer), *id));
        all
    }

    /// The report as Markdown, for a pull-request comment: a summary, the transition matrix,
    /// the rules and factors that moved most, and examples.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let (name, version) = (&self.policy.name, &self.policy.version);
        let mut out = format!(
            "### Replay: `{name}` {version}\n\n{} records decided again: **{} relaxed**, **{} tightened**.\n\n",
            self.records,
            self.relaxed(),
            self.tightened()
        );
        if self.malformed.count > 0 {
            let _ = writeln!(
                out,
                "> [!WARNING]\n> {} lines are not records and were not replayed.\n",
                self.malformed.count
            );
        }
        out.push_str("| old ↓ / new → | allow | needs_approval | deny |\n|---|---:|---:|---:|\n");
        for from in Outcome::ALL {
            let _ = write!(out, "| **{}** |", from.as_str());
            for to in Outcome::ALL {
                let n = self.transitions.count(*from, *to);
                if from == to || n == 0 {
                    let _ = write!(out, " {n} |");
                } else {
                    let _ = write!(out, " **{n}** |");
                }
            }
            out.push('\n');
        }
        let top = self.top_churn();
        if !top.is_empty() {
            out.push_str("\n#### Top changes\n\n| | id | newly | no longer |\n|---|---|---:|---:|\n");
            for (what, id, c) in top.iter().take(TOP) {
                let _ = writeln!(out, "| {what} | `{id}` | {} | {} |", c.newly, c.no_longer);
            }
            if top.len() > TOP {
                let _ = writeln!(out, "\nand {} more", top.len() - TOP);
            }
        }
        if !self.examples.is_empty() {
            out.push_str("\n#### Examples\n\n");
            for e in &self.examples {
                let _ = writeln!(
                    out,
                    "<details><summary><code>{}</code>: {} → {} (line {} of <code>{}</code>)</summary>\n",
                    html(&e.change),
                    e.from.as_str(),
                    e.to.as_str(),
                    e.at.line,
                    html(&e.at.source)
                );
                for (label, reasons) in [("old", &e.old_reasons), ("new", &e.new_reasons)] {
                    for r in reasons {
                        let _ = writeln!(out, "- {label}: {}", html(r));
                    }
                }
                out.push_str("\n</details>\n");
            }
        }
        if self.topology_mismatches.count > 0 {
            let _ = writeln!(
                out,
                "\n{} records were assessed over another topology than `{}`.",
                self.topology_mismatches.count,
                short_digest(&self.topology_digest)
            );
        }
        out
    }
}

/// Text safe inside HTML tags of a Markdown comment.
fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl fmt::Display for ReplayReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "replayed {} records with `{}` {} ({})",
            self.records,
            self.policy.name,
            self.policy.version,
            short_digest(&self.policy.digest)
        )?;
        writeln!(f, "relaxed: {}, tightened: {}", self.relaxed(), self.tightened())?;
        if self.malformed.count > 0 {
            writeln!(f, "\nmalformed lines: {} (not replayed)", self.malformed.count)?;
            for m in &self.malformed.named {
                writeln!(f, "  {}:{}: {}: {}", m.at.source, m.at.line, m.kind.as_str(), m.message)?;
            }
            more(f, self.malformed.count, self.malformed.named.len())?;
        }
        writeln!(f, "\noutcomes (old → new):")?;
        writeln!(f, "  {:>16} {:>10} {:>15} {:>10}", "", "allow", "needs_approval", "deny")?;
        for from in Outcome::ALL {
            let row = |to| self.transitions.count(*from, to);
            writeln!(
                f,
                "  {:>16} {:>10} {:>15} {:>10}",
                from.as_str(),
                row(Outcome::Allow),
                row(Outcome::NeedsApproval),
                row(Outcome::Deny)
            )?;
        }
        for (title, map, verb) in [("rules", &self.rules, "violated"), ("factors", &self.factors, "fired")] {
            if !map.is_empty() {
                writeln!(f, "\n{title}:")?;
                for (id, c) in map {
                    writeln!(f, "  {id}: newly {verb} {}, no longer {verb} {}", c.newly, c.no_longer)?;
                }
            }
        }
        writeln!(f, "\nscore shifts (new − old):")?;
        for ((lo, hi), n) in self.score_buckets() {
            if lo == hi {
                writeln!(f, "  {lo:>4}          {n}")?;
            } else {
                writeln!(f, "  {lo:>4} to {hi:>4}  {n}")?;
            }
        }
        if !self.examples.is_empty() {
            writeln!(f, "\nexamples:")?;
            for e in &self.examples {
                writeln!(
                    f,
                    "  {} → {}: {} ({}:{})",
                    e.from.as_str(),
                    e.to.as_str(),
                    e.change,
                    e.at.source,
                    e.at.line
                )?;
                for r in &e.old_reasons {
                    writeln!(f, "    old: {r}")?;
                }
                for r in &e.new_reasons {
                    writeln!(f, "    new: {r}")?;
                }
            }
        }
        if self.topology_mismatches.count > 0 {
            writeln!(
                f,
                "\n{} records were assessed over another topology than {}:",
                self.topology_mismatches.count,
                short_digest(&self.topology_digest)
            )?;
            for m in &self.topology_mismatches.named {
                writeln!(
                    f,
                    "  {} ({}:{}): {}",
                    m.change,
                    m.at.source,
                    m.at.line,
                    short_digest(&m.topology_digest)
                )?;
            }
            more(f, self.topology_mismatches.count, self.topology_mismatches.named.len())?;
        }
        Ok(())
    }
}

fn more(f: &mut fmt::Formatter<'_>, count: u64, named: usize) -> fmt::Result {
    let rest = count.saturating_sub(named as u64);
    if rest > 0 { writeln!(f, "  and {rest} more") } else { Ok(()) }
}

fn change_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed => "changed",
    }
}

impl Search {
    /// One sentence: no difference found in so many inputs, or which input differs.
    #[must_use]
    pub fn summary(&self) -> String {
        if self.example.is_none() {
            format!("No difference found in {} generated inputs", self.inputs)
        } else {
            format!(
                "Generated input {} (seed {}) decides differently; shrunk in {} steps",
                self.inputs, self.seed, self.shrinks
            )
        }
    }
}

impl DiffReport {
    /// The report as Markdown, for a pull-request comment.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let (old, new) = (&self.old, &self.new);
        let mut out =
            format!("### Policy diff: `{}` {} → `{}` {}\n\n", old.name, old.version, new.name, new.version);
        if self.structural.is_empty() {
            out.push_str("No structural change.\n");
        } else {
            out.push_str("| part | name | change |\n|---|---|---|\n");
            for c in &self.structural {
                let _ = writeln!(out, "| {} | `{}` | {} |", c.section.key(), c.name, change_word(c.change));
            }
            out.push_str("\n<details><summary>old and new text</summary>\n\n```diff\n");
            for c in &self.structural {
                let _ = writeln!(out, "@@ {}.{} @@", c.section.key(), c.name);
                for (sign, text) in [('-', &c.old), ('+', &c.new)] {
                    for line in text.iter().flat_map(|t| t.lines()) {
                        let _ = writeln!(out, "{sign} {line}");
                    }
                }
            }
            out.push_str("```\n\n</details>\n");
        }
        if let Some(r) = &self.records {
            out.push('\n');
            out.push_str(&r.to_markdown().replacen("### Replay:", "#### Recorded inputs:", 1));
        }
        if let Some(s) = &self.generated {
            let _ = writeln!(out, "\n#### Generated inputs\n\n{}.", s.summary());
            if let Some(e) = &s.example {
                let _ = writeln!(
                    out,
                    "\nSmallest difference: {} → {}\n\n```json\n{}\n```\n\n```json\n{}\n```",
                    e.old.outcome.as_str(),
                    e.new.outcome.as_str(),
                    e.change.to_json_pretty(),
                    serde_json::to_string_pretty(&e.context).unwrap_or_default()
                );
            }
        }
        out
    }
}

impl fmt::Display for DiffReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "`{}` {} → `{}` {}", self.old.name, self.old.version, self.new.name, self.new.version)?;
        if self.structural.is_empty() {
            writeln!(f, "no structural change")?;
        }
        for c in &self.structural {
            writeln!(f, "{} {}.{}", change_word(c.change), c.section.key(), c.name)?;
            for (label, text) in [("old", &c.old), ("new", &c.new)] {
                for line in text.iter().flat_map(|t| t.lines()) {
                    writeln!(f, "  {label}: {line}")?;
                }
            }
        }
        if let Some(r) = &self.records {
            writeln!(f, "\nover recorded inputs (both policies decide each):")?;
            write!(f, "{r}")?;
        }
        if let Some(s) = &self.generated {
            writeln!(f, "\n{}", s.summary())?;
            if let Some(e) = &s.example {
                writeln!(f, "smallest difference: {} → {}", e.old.outcome.as_str(), e.new.outcome.as_str())?;
                writeln!(f, "change: {}", serde_json::to_string(&e.change).unwrap_or_default())?;
                writeln!(f, "context: {}", serde_json::to_string(&e.context).unwrap_or_default())?;
                writeln!(f, "old violations: {:?}, factors: {:?}", e.old.violations, e.old.factors)?;
                writeln!(f, "new violations: {:?}, factors: {:?}", e.new.violations, e.new.factors)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn buckets() {
        assert_eq!(super::bucket(0), (0, 0));
        assert_eq!(super::bucket(1), (1, 10));
        assert_eq!(super::bucket(10), (1, 10));
        assert_eq!(super::bucket(11), (11, 20));
        assert_eq!(super::bucket(-1), (-10, -1));
        assert_eq!(super::bucket(-10), (-10, -1));
        assert_eq!(super::bucket(-11), (-20, -11));
    }
}
