//! Fuzz target bodies: an internal API for the `fuzz/` crate and for the test that replays
//! its seeds and regressions (`tests/fuzz_regressions.rs`). Built with the `fuzzing` feature.
//!
//! Each function takes arbitrary bytes, drives the library with them and checks properties
//! that must hold for every input. Errors in the input are expected and ignored; a panic means
//! a bug, either a crash in the library or a broken property asserted here.
//!
//! This module is not part of the public API: it may change in any release.

mod assess;
mod cel;
mod documents;
mod health;
mod respell;

pub use assess::assess;
pub use cel::{cel_eval, cel_parse};
pub use documents::{input_load, policy_load};
pub use health::{health_judge, health_stats};
pub use respell::{Approver, INVISIBLE, PADDING, PAST, ROLES, Respelling, SpellingCase, Target, respelling};
