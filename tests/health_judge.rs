//! The health judge: its decisions on the cases where Kayenta's users saw it fail, its error
//! rates on simulated data (fixed seeds), and the observations document's errors.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::float_cmp, missing_docs)]

use changeguard::health::{
    Classification, Decision, Direction, Judge, MetricKind, MetricSpec, Missing, Observations, Thresholds,
    Verdict,
};

/// xorshift64*: enough randomness for simulations, fixed by its seed.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        (bits as f64 + 0.5) / (1_u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next_f64(), self.next_f64());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Log-normal latencies around `median` with log-spread `sigma`.
    fn latencies(&mut self, n: usize, median: f64, sigma: f64) -> Vec<f64> {
        (0..n).map(|_| median * (sigma * self.normal()).exp()).collect()
    }
}

fn latency() -> MetricSpec {
    MetricSpec::new("latency_p99_ms", MetricKind::Continuous).critical(true).tolerance(0.10).min_samples(10)
}

fn errors() -> MetricSpec {
    MetricSpec::new("errors", MetricKind::Count).critical(true).min_samples(100)
}

fn samples_doc(metrics: &[(&str, &[f64], &[f64])]) -> String {
    let mut m = serde_json::Map::new();
    for (name, b, c) in metrics {
        m.insert((*name).into(), serde_json::json!({ "baseline": b, "canary": c }));
    }
    serde_json::json!({ "change": "CHG-1", "step": 1, "metrics": m }).to_string()
}

fn judge_samples(judge: &Judge, baseline: &[f64], canary: &[f64]) -> Verdict {
    let obs = Observations::from_json(&samples_doc(&[("latency_p99_ms", baseline, canary)])).unwrap();
    judge.judge(&obs)
}

/// How many of `runs` comparisons roll back: each judges `n` latencies of median 120 against
/// `n` of median `canary_median` (both with sigma 0.3), drawn from a generator seeded `seed`.
fn rollbacks(judge: &Judge, seed: u64, runs: u32, n: usize, canary_median: f64) -> u32 {
    let mut rng = Rng(seed);
    let mut rollbacks = 0;
    for _ in 0..runs {
        let b = rng.latencies(n, 120.0, 0.3);
        let c = rng.latencies(n, canary_median, 0.3);
        if judge_samples(judge, &b, &c).decision == Decision::RollBack {
            rollbacks += 1;
        }
    }
    rollbacks
}

#[test]
fn identical_distributions_rarely_roll_back() {
    // 10 000 A/A comparisons at 98% confidence with no tolerance: the false rollback rate is
    // at most alpha (0.02), plus 0.5 percentage points for simulation noise.
    let judge = Judge::new(vec![latency().tolerance(0.0)], Thresholds::default()).unwrap();
    let runs = 10_000;
    let rollbacks = rollbacks(&judge, 0x5eed_0001, runs, 30, 120.0);
    let rate = f64::from(rollbacks) / f64::from(runs);
    assert!(rate <= 0.025, "false rollback rate {rate}");
    assert!(rollbacks > 0, "a test that never rejects is not testing");
}

#[test]
fn a_twenty_percent_latency_shift_is_rolled_back() {
    let judge = Judge::new(vec![latency()], Thresholds::default()).unwrap();
    let runs = 1_000;
    let rollbacks = rollbacks(&judge, 0x5eed_0002, runs, 200, 144.0);
    assert!(f64::from(rollbacks) / f64::from(runs) >= 0.95, "{rollbacks} of {runs}");
}

#[test]
fn a_wider_canary_with_the_same_median_fails() {
    let judge = Judge::new(vec![latency()], Thresholds::default()).unwrap();
    let mut rng = Rng(0x5eed_0003);
    let b: Vec<f64> = (0..100).map(|_| 120.0 + 5.0 * rng.normal()).collect();
    let c: Vec<f64> = (0..100).map(|_| 120.0 + 25.0 * rng.normal()).collect();
    let v = judge_samples(&judge, &b, &c);
    assert_eq!(v.decision, Decision::RollBack, "{:#?}", v.reasons);
    let m = &v.metrics[0];
    assert_eq!(m.classification, Classification::High);
    assert!(m.reason.contains("spread"), "{}", m.reason);
}

#[test]
fn seven_of_ten_samples_a_hundred_times_higher_fail() {
    let judge = Judge::new(vec![latency()], Thresholds::default()).unwrap();
    let b = [10.0, 11.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.4, 10.3, 10.0];
    let c = [1000.0, 1100.0, 10.5, 980.0, 1020.0, 10.1, 990.0, 1040.0, 10.3, 1000.0];
    let v = judge_samples(&judge, &b, &c);
    assert_eq!(v.decision, Decision::RollBack, "{:#?}", v.metrics);
    assert_eq!(v.metrics[0].classification, Classification::High);
}

#[test]
fn sparse_errors_against_none_are_caught() {
    let judge = Judge::new(vec![errors()], Thresholds::default()).unwrap();
    let doc = r#"{ "metrics": { "errors": { "baseline": { "errors": 0, "total": 10000 },
                                             "canary": { "errors": 8, "total": 1000 } } } }"#;
    let v = judge.judge(&Observations::from_json(doc).unwrap());
    assert_eq!(v.decision, Decision::RollBack);
    let m = &v.metrics[0];
    assert_eq!(m.classification, Classification::High);
    let stats = m.stats.as_ref().unwrap();
    assert!(stats.pvalue < 1e-8, "{}", stats.pvalue);
    assert!(m.reason.contains("0.80%") && m.reason.contains("0.00%"), "{}", m.reason);
}

#[test]
fn a_zero_baseline_does_not_break_the_result() {
    let judge = Judge::new(vec![latency()], Thresholds::default()).unwrap();
    let b = [0.0; 20];
    let c = [5.0; 20];
    let v = judge_samples(&judge, &b, &c);
    assert_eq!(v.decision, Decision::RollBack);
    let m = &v.metrics[0];
    assert!(m.stats.as_ref().unwrap().effect.is_finite());
    // Both zero: nothing changed.
    let v = judge_samples(&judge, &b, &b);
    assert_eq!(v.decision, Decision::Promote, "{:#?}", v.reasons);
}

#[test]
fn nan_and_impossible_counts_are_input_errors_naming_the_field() {
    for (doc, path) in [
        (r#"{"metrics": {"lat": {"baseline": [1.0, 1e999], "canary": [1.0]}}}"#, "metrics"),
        (
            r#"{"metrics": {"e": {"baseline": {"errors": -1, "total": 5}, "canary": {"errors": 0, "total": 5}}}}"#,
            "metrics.e.baseline",
        ),
        (
            r#"{"metrics": {"e": {"baseline": {"errors": 6, "total": 5}, "canary": {"errors": 0, "total": 5}}}}"#,
            "metrics.e.baseline.errors",
        ),
        (r#"{"metrics": {"e": {"baseline": [1.0], "canary": {"errors": 0, "total": 5}}}}"#, "metrics.e"),
        (r#"{"metrics": {"e": null, "e": {"baseline": [1.0], "canary": [2.0]}}}"#, "metrics"),
    ] {
        let err = Observations::from_json(doc).unwrap_err().to_string();
        assert!(err.contains(path), "{doc}\n{err}");
    }
}

#[test]
fn missing_metrics_never_promote() {
    let metrics = vec![latency(), errors()];
    let judge = Judge::new(metrics, Thresholds::default()).unwrap();
    // Every query failed.
    let v = judge.judge(&Observations::from_json(r#"{"metrics": {"latency_p99_ms": null}}"#).unwrap());
    assert_eq!(v.decision, Decision::Continue);
    assert!(v.metrics.iter().all(|m| m.classification == Classification::NoData));
    // Empty results.
    let doc = r#"{"metrics": {"latency_p99_ms": {"baseline": [], "canary": []},
                   "errors": {"baseline": {"errors": 0, "total": 0}, "canary": {"errors": 0, "total": 0}}}}"#;
    assert_eq!(judge.judge(&Observations::from_json(doc).unwrap()).decision, Decision::Continue);
    // `missing = "fail"` on a critical metric rolls back; `ignore` lets the others decide.
    let failing = Judge::new(vec![latency().missing(Missing::Fail)], Thresholds::default()).unwrap();
    let v = failing.judge(&Observations::from_json(r#"{"metrics": {}}"#).unwrap());
    assert_eq!(v.decision, Decision::RollBack);
    let ignoring =
        Judge::new(vec![latency().missing(Missing::Ignore), errors()], Thresholds::default()).unwrap();
    let doc = r#"{"metrics": {"errors": {"baseline": {"errors": 1, "total": 1000}, "canary": {"errors": 1, "total": 1000}}}}"#;
    assert_eq!(ignoring.judge(&Observations::from_json(doc).unwrap()).decision, Decision::Promote);
    // Too few samples waits, whatever `missing` says.
    let v = judge_samples(
        &Judge::new(vec![latency().missing(Missing::Ignore)], Thresholds::default()).unwrap(),
        &[1.0; 3],
        &[1.0; 3],
    );
    assert_eq!(v.decision, Decision::Continue);
}

#[test]
fn samples_where_counts_are_expected_fail_the_metric() {
    let judge = Judge::new(vec![errors()], Thresholds::default()).unwrap();
    let v =
        judge.judge(&Observations::from_json(&samples_doc(&[("errors", &[1.0; 20], &[1.0; 20])])).unwrap());
    assert_eq!(v.decision, Decision::RollBack);
}

#[test]
fn reasons_show_the_effect_interval_threshold_and_p_value() {
    let judge = Judge::new(vec![latency()], Thresholds::default()).unwrap();
    let mut rng = Rng(0x5eed_0004);
    let b = rng.latencies(200, 100.0, 0.2);
    let c = rng.latencies(200, 140.0, 0.2);
    let v = judge_samples(&judge, &b, &c);
    let reason = &v.metrics[0].reason;
    for part in ["higher than baseline", "98% CI", "10% tolerance", "p = ", "critical"] {
        assert!(reason.contains(part), "{part} missing in {reason}");
    }
    assert!(v.reasons[0].contains("critical metric `latency_p99_ms` failed"));
}

#[test]
fn the_score_weighs_non_critical_metrics_against_the_thresholds() {
    let cpu = |name: &str| MetricSpec::new(name, MetricKind::Continuous).tolerance(0.05);
    let judge =
        Judge::new(vec![cpu("a"), cpu("b"), cpu("c"), cpu("d")], Thresholds::default().scores(95.0, 60.0))
            .unwrap();
    let same: Vec<f64> = (0..40).map(|i| 50.0 + f64::from(i % 10)).collect();
    let worse: Vec<f64> = same.iter().map(|v| v * 1.5).collect();
    let doc =
        samples_doc(&[("a", &same, &worse), ("b", &same, &same), ("c", &same, &same), ("d", &same, &same)]);
    let v = judge.judge(&Observations::from_json(&doc).unwrap());
    assert_eq!(v.score, Some(75.0));
    assert_eq!(v.decision, Decision::Continue, "{:?}", v.reasons);
    let doc =
        samples_doc(&[("a", &same, &worse), ("b", &same, &worse), ("c", &same, &same), ("d", &same, &same)]);
    let v = judge.judge(&Observations::from_json(&doc).unwrap());
    assert_eq!(v.decision, Decision::RollBack);
    // A decrease of a metric whose bad direction is `increase` is reported, not failed.
    let judge = Judge::new(vec![cpu("a")], Thresholds::default()).unwrap();
    let better: Vec<f64> = same.iter().map(|v| v * 0.5).collect();
    let v = judge.judge(&Observations::from_json(&samples_doc(&[("a", &same, &better)])).unwrap());
    assert_eq!(v.metrics[0].classification, Classification::Low);
    assert_eq!(v.decision, Decision::Promote);
    let judge = Judge::new(vec![cpu("a").bad(Direction::Either)], Thresholds::default()).unwrap();
    let v = judge.judge(&Observations::from_json(&samples_doc(&[("a", &same, &better)])).unwrap());
    assert_eq!(v.decision, Decision::RollBack);
}

#[test]
fn stricter_thresholds_need_more_samples() {
    let judge = Judge::new(vec![latency()], Thresholds::default()).unwrap();
    let same: Vec<f64> = (0..15).map(|i| 50.0 + f64::from(i % 5)).collect();
    let obs = Observations::from_json(&samples_doc(&[("latency_p99_ms", &same, &same)])).unwrap();
    assert_eq!(judge.judge(&obs).decision, Decision::Promote);
    let strict = Thresholds::default().min_samples_factor(2.0).confidence(0.995);
    let v = judge.judge_with(&obs, &strict);
    assert_eq!(v.decision, Decision::Continue);
    assert_eq!(v.metrics[0].min_samples, 20);
}

#[test]
fn bad_configuration_is_rejected_with_paths() {
    let err = Judge::new(
        vec![latency(), latency().weight(0.0).tolerance(-1.0)],
        Thresholds::default().scores(50.0, 80.0).confidence(1.5),
    )
    .unwrap_err()
    .to_string();
    for part in [
        "health.metric[1].name",
        "health.metric[1].weight",
        "health.metric[1].tolerance",
        "health.marginal_score",
        "health.confidence",
    ] {
        assert!(err.contains(part), "{part} missing in {err}");
    }
}

#[test]
fn metrics_the_policy_does_not_name_are_listed_not_judged() {
    let judge = Judge::new(vec![latency()], Thresholds::default()).unwrap();
    let same = [1.0; 20];
    let doc = samples_doc(&[("latency_p99_ms", &same, &same), ("other", &same, &same)]);
    let v = judge.judge(&Observations::from_json(&doc).unwrap());
    assert_eq!(v.unjudged, vec!["other".to_owned()]);
}

#[test]
fn a_canary_reporting_its_zeros_as_minus_zero_is_judged_as_if_they_were_zeros() {
    // In the total order of floats `-0.0` ranks below `0.0`: a canary whose zeros were spelled
    // `-0` would rank them below the baseline's and pull its rank sum down, hiding an increase.
    let judge = Judge::new(vec![latency()], Thresholds::default()).unwrap();
    let mut rng = Rng(41);
    let baseline: Vec<f64> =
        (0..300).map(|i| if i % 2 == 0 { 0.0 } else { rng.latencies(1, 10.0, 0.3)[0] }).collect();
    let canary: Vec<f64> =
        (0..300).map(|i| if i % 2 == 0 { 0.0 } else { rng.latencies(1, 13.0, 0.3)[0] }).collect();
    let spelled: Vec<f64> = canary.iter().map(|&v| if v == 0.0 { -0.0 } else { v }).collect();
    assert!(spelled.iter().any(|v| v.is_sign_negative()));
    let plain = judge_samples(&judge, &baseline, &canary);
    let minus = judge_samples(&judge, &baseline, &spelled);
    let (a, b) = (plain.metrics[0].stats.clone().unwrap(), minus.metrics[0].stats.clone().unwrap());
    assert_eq!(a.pvalue.to_bits(), b.pvalue.to_bits(), "{} vs {}", a.pvalue, b.pvalue);
    assert_eq!(a.effect.to_bits(), b.effect.to_bits());
    assert_eq!(plain.metrics[0].classification, minus.metrics[0].classification);
    assert_eq!(plain.decision, minus.decision);
    // In the document, `-0` is the same.
    let text = samples_doc(&[("latency_p99_ms", &baseline, &spelled)]);
    assert!(text.contains("-0.0"), "the document spells the zeros with a sign");
    let read = judge.judge(&Observations::from_json(&text).unwrap());
    assert_eq!(read.metrics[0].stats.as_ref().unwrap().pvalue.to_bits(), a.pvalue.to_bits());
}

#[test]
fn a_metric_given_under_another_spelling_of_its_name_never_promotes() {
    // `saturation` may be missing (`missing = "ignore"`); `latency_p99_ms` is judged. The
    // canary's author respells `saturation` so that the policy would see it as absent and
    // leave it out, while a regression sits in it.
    let judge = Judge::new(
        vec![latency(), MetricSpec::new("saturation", MetricKind::Continuous).missing(Missing::Ignore)],
        Thresholds::default(),
    )
    .unwrap();
    let mut rng = Rng(7);
    let (b, c) = (rng.latencies(200, 120.0, 0.3), rng.latencies(200, 120.0, 0.3));
    let (sb, sc) = (rng.latencies(200, 0.4, 0.1), rng.latencies(200, 0.9, 0.1));
    let doc = |name: &str| {
        let text = samples_doc(&[("latency_p99_ms", &b, &c), (name, &sb, &sc)]);
        judge.judge(&Observations::from_json(&text).unwrap())
    };
    // Under its own name, the saturation regression is seen.
    assert_eq!(doc("saturation").metrics[1].classification, Classification::High);
    // An unrelated name is not this metric: it is ignored as absent, and the rest promotes.
    let unrelated = doc("queue_depth");
    assert_eq!(unrelated.decision, Decision::Promote, "{:?}", unrelated.reasons);
    assert_eq!(unrelated.unjudged, vec!["queue_depth".to_owned()]);
    // Case, an invisible character, a look-alike letter (Cyrillic `а`), a full-width letter.
    for spelled in ["Saturation", "satu\u{200b}ration", "s\u{430}turation", "\u{ff53}aturation"] {
        let v = doc(spelled);
        assert_eq!(v.decision, Decision::Continue, "{spelled:?}: {:?}", v.reasons);
        let m = &v.metrics[1];
        assert_eq!(m.classification, Classification::NoData);
        assert!(m.blocks_promotion, "{spelled:?}");
        assert!(m.reason.contains(&spelled.escape_debug().to_string()), "{spelled:?}: {}", m.reason);
        assert_eq!(v.unjudged, vec![spelled.to_owned()]);
    }
}

#[test]
fn a_score_of_nothing_passed_is_zero_not_minus_zero() {
    let judge = Judge::new(vec![errors()], Thresholds::default()).unwrap();
    let text = r#"{ "metrics": { "errors": { "baseline": { "errors": 0, "total": 100000 },
                                         "canary": { "errors": 50, "total": 1000 } } } }"#;
    let v = judge.judge(&Observations::from_json(text).unwrap());
    assert_eq!(v.decision, Decision::RollBack);
    assert_eq!(v.score.map(f64::to_bits), Some(0.0_f64.to_bits()), "{:?}", v.score);
}

#[test]
fn a_respelled_metric_is_never_weaker_than_an_absent_one() {
    // Under `missing = "fail"`, absence fails a critical metric (roll back); a respelling
    // must not turn that into waiting.
    let judge = Judge::new(vec![latency().missing(Missing::Fail)], Thresholds::default()).unwrap();
    let mut rng = Rng(11);
    let (b, c) = (rng.latencies(200, 120.0, 0.3), rng.latencies(200, 400.0, 0.3));
    let judged = |name: &str| {
        let text = samples_doc(&[(name, &b, &c)]);
        judge.judge(&Observations::from_json(&text).unwrap())
    };
    assert_eq!(judged("latency_p99_ms").decision, Decision::RollBack);
    let absent = judge.judge(&Observations::from_json(r#"{ "metrics": {} }"#).unwrap());
    assert_eq!(absent.decision, Decision::RollBack);
    let respelled = judged("Latency_p99_ms");
    assert_eq!(respelled.decision, Decision::RollBack, "{:?}", respelled.reasons);
    assert!(respelled.metrics[0].failed && respelled.metrics[0].reason.contains("Latency_p99_ms"));
}
