//! The blast radius as a Mermaid flowchart, which code hosts draw in Markdown.

use std::fmt::Write as _;

use super::BlastRadius;
use crate::topology::DependencyKind;

/// The most services [`BlastRadius::to_mermaid`] draws by default: beyond that a graph is no
/// longer read.
pub const MERMAID_MAX_SERVICES: usize = 25;

impl BlastRadius {
    /// The blast radius as a Mermaid flowchart (without the code fence): an arrow from each
    /// service to those it impacts (dashed for a soft dependency, which degrades), changed
    /// services, impacted ones and degraded ones styled apart. At most `max_services` are
    /// drawn, the nearest to the change first, the rest summed up in one "and N more" node.
    /// `None` when there is nothing to draw.
    #[must_use]
    pub fn to_mermaid(&self, max_services: usize) -> Option<String> {
        let mut steps: Vec<_> = self.paths.steps().collect();
        if steps.is_empty() {
            return None;
        }
        // Nearest first, so that every drawn service's predecessor is drawn too.
        steps.sort_by(|a, b| (a.1.hops, a.0).cmp(&(b.1.hops, b.0)));
        let shown = steps.len().min(max_services.max(1));
        let (drawn, rest) = steps.split_at(shown);
        let node = |name: &str| drawn.iter().position(|(n, _)| *n == name).map(|i| format!("s{i}"));
        let mut out = String::from("flowchart LR\n");
        for (i, (name, step)) in drawn.iter().enumerate() {
            let class = if step.predecessor.is_none() {
                "changed"
            } else if self.degraded.contains_name(name) {
                "degraded"
            } else {
                "impacted"
            };
            let _ = writeln!(out, "  s{i}[\"{}\"]:::{class}", label(name));
        }
        for (i, (_, step)) in drawn.iter().enumerate() {
            if let Some(from) = step.predecessor.and_then(node) {
                let arrow = if step.dependency == Some(DependencyKind::Soft) { "-.->" } else { "-->" };
                let _ = writeln!(out, "  {from} {arrow} s{i}");
            }
        }
        if !rest.is_empty() {
            let _ = writeln!(out, "  more[\"and {} more\"]:::more", rest.len());
        }
        out.push_str(
            "  classDef changed fill:#fde2e1,stroke:#c0392b\n  classDef impacted fill:#fff3cd,stroke:#b7950b\n  \
             classDef degraded fill:#eef,stroke:#7f8c8d,stroke-dasharray:3\n  classDef more fill:#fff,stroke:#999\n",
        );
        Some(out)
    }
}

/// A service name inside a quoted Mermaid label.
fn label(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '"' => "#quot;".to_owned(),
            '<' => "#lt;".to_owned(),
            '>' => "#gt;".to_owned(),
            c if c.is_control() => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}
