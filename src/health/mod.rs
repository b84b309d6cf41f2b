//! The rollout health judge: promote, continue or roll back a rollout from metric samples of
//! the canary and its baseline.
//!
//! The deploy gate ([`crate::policy`]) decides whether a change may start rolling out; the
//! health judge decides, at each step of the rollout, whether the evidence so far says the
//! canary is as healthy as the baseline (promote), is worse (roll back), or is not yet
//! conclusive (continue). This module holds the statistics it rests on ([`stats`]).

pub mod stats;
