//! The assessment for people: text for a terminal (`Display`) and Markdown for a pull request.
//!
//! Both put the outcome first, then why, then what to do, then the details.

use std::fmt::{self, Write as _};

use super::assessment::{Assessment, ReasonKind, Violation};
use super::model::{Enforcement, Outcome};

fn headline(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allow => "ALLOW",
        Outcome::NeedsApproval => "NEEDS APPROVAL",
        Outcome::Deny => "DENY",
    }
}

fn reason_label(kind: ReasonKind) -> &'static str {
    match kind {
        ReasonKind::HardViolation => "hard rule violated",
        ReasonKind::RiskDeny => "risk too high",
        ReasonKind::SoftViolation => "soft rule violated",
        ReasonKind::RiskApproval => "risk needs approval",
        _ => "nothing blocks",
    }
}

fn roles_text(roles: &[String]) -> String {
    if roles.is_empty() { "anyone but the author".to_owned() } else { roles.join(" or ") }
}

fn short(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" { "0".to_owned() } else { s.to_owned() }
}

fn percent(x: f64) -> String {
    format!("{}%", short(x * 100.0))
}

fn violation_status(v: &Violation) -> String {
    if v.dry_run {
        "dry run, not counted".to_owned()
    } else if let Some(by) = &v.overridden_by {
        format!("overridden by {by}")
    } else if v.enforcement == Enforcement::Advisory {
        "warning".to_owned()
    } else {
        String::new()
    }
}

impl Assessment {
    /// What the reader should do next, one line each.
    fn next_steps(&self) -> Vec<String> {
        let mut steps = Vec::new();
        for v in self.violations.iter().filter(|v| !v.dry_run && v.overridden_by.is_none()) {
            if v.enforcement == Enforcement::Advisory {
                continue;
            }
            match &v.remediation {
                Some(r) => steps.push(format!("`{}`: {r}", v.rule)),
                None if v.enforcement == Enforcement::Hard => {
                    steps.push(format!("`{}`: fix the change so that the rule holds", v.rule));
                }
                None => {}
            }
        }
        for a in &self.required_approvals {
            steps.push(format!("get an approval from {}: {}", roles_text(&a.roles), a.reason));
        }
        if !self.blast_radius.teams.is_empty() && self.outcome != Outcome::Deny {
            steps.push(format!("tell the teams in the blast radius: {}", self.blast_radius.teams.join(", ")));
        }
        steps
    }

    /// The assessment as Markdown, for a pull-request comment.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let icon = match self.outcome {
            Outcome::Allow => "✅",
            Outcome::NeedsApproval => "⚠️",
            Outcome::Deny => "⛔",
        };
        let _ = writeln!(out, "## {icon} {} — `{}`\n", headline(self.outcome), self.change);
        let _ = writeln!(
            out,
            "Policy **{}** {} · risk **{}** ({}/100) · {} service(s) impacted\n",
            self.policy.name,
            self.policy.version,
            self.risk.level,
            self.risk.score,
            self.blast_radius.services
        );
        let _ = writeln!(out, "### Why\n");
        for r in &self.reasons {
            match &r.rule {
                Some(rule) => {
                    let _ = writeln!(out, "- **{}** `{rule}`: {}", reason_label(r.kind), r.detail);
                }
                None => {
                    let _ = writeln!(out, "- **{}**: {}", reason_label(r.kind), r.detail);
                }
            }
        }
        let steps = self.next_steps();
        if !steps.is_empty() {
            let _ = writeln!(out, "\n### What to do\n");
            for s in steps {
                let _ = writeln!(out, "- [ ] {s}");
            }
        }
        let factors = self.risk.factors.iter().map(|f| {
            [format!("`{}`", f.id), format!("{:+}", f.points), escape(&f.reason), f.references.join(", ")]
        });
        table(&mut out, "Risk factors", FACTOR_COLUMNS, factors);
        let violations = self.violations.iter().map(|v| {
            [format!("`{}`", v.rule), v.enforcement.to_string(), escape(&v.message), violation_status(v)]
        });
        table(&mut out, "Rules violated", VIOLATION_COLUMNS, violations);
        let b = &self.blast_radius;
        let _ = writeln!(out, "\n### Blast radius\n");
        let _ = writeln!(out, "- impacted: {}", list_or_none(&b.impacted));
        let _ = writeln!(out, "- degraded: {}", list_or_none(&b.degraded));
        let _ = writeln!(
            out,
            "- traffic share {} · initial exposure {} · most critical tier {}",
            percent(b.traffic_share),
            percent(b.exposure),
            b.min_tier.map_or_else(|| "none".to_owned(), |t| t.to_string())
        );
        let _ = writeln!(out, "- teams: {} · regions: {}", list_or_none(&b.teams), list_or_none(&b.regions));
        if !b.unknown.is_empty() {
            let _ =
                writeln!(out, "- ⚠️ not in the topology (blast radius incomplete): {}", b.unknown.join(", "));
        }
        if let Some(graph) = b.to_mermaid(crate::blast::MERMAID_MAX_SERVICES) {
            let _ = write!(out, "\n```mermaid\n{graph}```\n");
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\n### Evaluation errors\n");
            for e in &self.errors {
                let _ = writeln!(out, "- `{}` ({}): {}", e.rule, e.field, escape(&e.message));
            }
        }
        out
    }
}

/// The header and alignment rows of the risk factors' table.
const FACTOR_COLUMNS: &str = "| factor | points | reason | references |\n|---|---:|---|---|";

/// The header and alignment rows of the violated rules' table.
const VIOLATION_COLUMNS: &str = "| rule | enforcement | message | status |\n|---|---|---|---|";

/// Appends a section titled `title` holding a four-column table, `columns` its header and
/// alignment rows, then one line per row of cells; nothing when there are no rows.
fn table(out: &mut String, title: &str, columns: &str, rows: impl Iterator<Item = [String; 4]>) {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return;
    }
    let _ = writeln!(out, "\n### {title}\n\n{columns}");
    for [a, b, c, d] in rows {
        let _ = writeln!(out, "| {a} | {b} | {c} | {d} |");
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() { "none".to_owned() } else { items.join(", ") }
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl fmt::Display for Assessment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}  {}  (policy {} {}; risk {} {}/100)",
            headline(self.outcome),
            self.change,
            self.policy.name,
            self.policy.version,
            self.risk.level,
            self.risk.score
        )?;
        writeln!(f, "\nwhy:")?;
        for r in &self.reasons {
            match &r.rule {
                Some(rule) => writeln!(f, "  - {} `{rule}`: {}", reason_label(r.kind), r.detail)?,
                None => writeln!(f, "  - {}: {}", reason_label(r.kind), r.detail)?,
            }
        }
        let steps = self.next_steps();
        if !steps.is_empty() {
            writeln!(f, "\nwhat to do:")?;
            for s in steps {
                writeln!(f, "  - {s}")?;
            }
        }
        if !self.risk.factors.is_empty() {
            writeln!(f, "\nrisk factors:")?;
            let width = self.risk.factors.iter().map(|x| x.id.len()).max().unwrap_or(0);
            for x in &self.risk.factors {
                write!(f, "  {:+4}  {:width$}  {}", x.points, x.id, x.reason)?;
                if !x.references.is_empty() {
                    write!(f, " [{}]", x.references.join(", "))?;
                }
                writeln!(f)?;
            }
        }
        if !self.violations.is_empty() {
            writeln!(f, "\nrules violated:")?;
            let width = self.violations.iter().map(|v| v.rule.len()).max().unwrap_or(0);
            for v in &self.violations {
                let status = violation_status(v);
                write!(f, "  {:8}  {:width$}  {}", v.enforcement.as_str(), v.rule, v.message)?;
                if !status.is_empty() {
                    write!(f, " ({status})")?;
                }
                writeln!(f)?;
            }
        }
        let b = &self.blast_radius;
        writeln!(f, "\nblast radius:")?;
        writeln!(f, "  impacted  {} ({})", b.services, list_or_none(&b.impacted))?;
        writeln!(f, "  degraded  {} ({})", b.degraded.len(), list_or_none(&b.degraded))?;
        writeln!(
            f,
            "  traffic   {} of requests pass through impacted services, {} exposed at the first step; most critical tier {}",
            percent(b.traffic_share),
            percent(b.exposure),
            b.min_tier.map_or_else(|| "none".to_owned(), |t| t.to_string())
        )?;
        writeln!(f, "  teams     {}", list_or_none(&b.teams))?;
        writeln!(f, "  regions   {}", list_or_none(&b.regions))?;
        if !b.unknown.is_empty() {
            writeln!(
                f,
                "  unknown   {} (not in the topology: the blast radius is incomplete)",
                b.unknown.join(", ")
            )?;
        }
        if !self.errors.is_empty() {
            writeln!(f, "\nevaluation errors:")?;
            for e in &self.errors {
                writeln!(f, "  - `{}` ({}): {}", e.rule, e.field, e.message)?;
            }
        }
        Ok(())
    }
}
