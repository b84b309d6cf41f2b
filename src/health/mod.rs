//! The rollout health judge: promote, continue or roll back a rollout from metric samples of
//! the canary and its baseline.
//!
//! The deploy gate ([`crate::policy`]) decides whether a change may start rolling out; the
//! health judge decides, at each step of the rollout, whether the evidence so far says the
//! canary is as healthy as the baseline (**promote**), is worse (**roll back**), or is not yet
//! conclusive (**continue**) — the automatic rollback on pre-defined conditions of practice
//! OPS06-BP04.
//!
//! # How a metric is judged
//!
//! - A **continuous** metric (latency, CPU) compares the canary's samples with the
//!   baseline's: the Mann-Whitney U test says whether they differ (two-sided, at the
//!   configured confidence), the Hodges-Lehmann estimate says by how much (relative to the
//!   baseline's median, with a confidence interval), and the Brown-Forsythe test catches a
//!   canary whose median is unchanged but whose spread is not. It is `high` or `low` when the
//!   difference is significant *and* beyond the metric's `tolerance`; a significant increase
//!   in spread beyond `1 + tolerance + 0.5` times the baseline's is `high` too.
//! - A **count** metric (errors out of requests) compares the two rates with Fisher's exact
//!   test, so a handful of errors against none at all is seen, where a rank test on mostly
//!   zero series sees nothing.
//! - Absent, empty or failed metrics are `no_data`; the metric's `missing` setting says
//!   whether that keeps the rollout waiting (`continue`, the default), fails the metric
//!   (`fail`) or leaves it out (`ignore`). Too few samples always keeps the rollout waiting.
//!   Data of the wrong kind fails the metric.
//! - A metric given only under another spelling of its name (`Errors`, `err\u{200b}ors`, a
//!   look-alike letter: the same confusable skeleton of the canonical name) is not judged, and
//!   is never weaker than an absent metric: under `missing = "fail"` it fails, otherwise it
//!   keeps the rollout waiting even where absence would be ignored. The judge does not guess
//!   which is meant, and a respelling must not turn a watched metric into an ignored one.
//!   Names the policy does not know are listed in the verdict's `unjudged`.
//!
//! A metric *fails* when it moves in its `bad` direction. The **score** is the weighted share
//! of scored metrics that did not fail, from 0 to 100.
//!
//! # How the decision is made
//!
//! 1. A failed critical metric: **roll back**.
//! 2. A score below `marginal_score`: **roll back**.
//! 3. A metric without enough data (and not ignored): **continue**.
//! 4. No metric could be scored: **continue** — absence of evidence never promotes.
//! 5. A score below `pass_score`: **continue**; otherwise **promote**.

mod config;
mod judge;
mod observations;
mod render;
pub mod stats;
mod verdict;

pub use config::{Direction, MetricKind, MetricSpec, Missing, Thresholds};
pub use judge::Judge;
pub(crate) use judge::threshold_problems;
pub use observations::{MetricData, Observations, Side};
pub use render::plot_svg;
pub use verdict::{Classification, Decision, MetricStats, MetricVerdict, Verdict};
