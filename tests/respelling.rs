//! Property "respelling never relaxes": changes built from the examples, with approvals added
//! (by the author, twice by one person, by someone new), then one thing respelt — the author,
//! an approver, the environment or a service's name, by case, whitespace, invisible characters,
//! Cyrillic look-alikes or fullwidth forms; or the schedule moved into the past; or an approval
//! added by a blank or invisible name; or a check given twice (respelt, as `passed`) — are an
//! input error or assessed at least as strictly as the honest change
//! (`changeguard::fuzzing::SpellingCase`, shared with the `respell` fuzz target).
#![cfg(all(feature = "proptest", feature = "fuzzing"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use changeguard::fuzzing::{Approver, INVISIBLE, PAST, ROLES, Respelling, SpellingCase, Target};
use proptest::prelude::*;

fn respelling() -> impl Strategy<Value = Respelling> {
    let n = 0usize..64;
    prop_oneof![
        Just(Respelling::Upper),
        n.clone().prop_map(Respelling::FlipCase),
        n.clone().prop_map(Respelling::Pad),
        (0..INVISIBLE.len(), n.clone()).prop_map(|(which, at)| Respelling::Invisible { which, at }),
        n.clone().prop_map(Respelling::Confusable),
        n.prop_map(Respelling::Fullwidth),
    ]
}

fn case() -> impl Strategy<Value = SpellingCase> {
    let approver = prop_oneof![
        Just(Approver::Author),
        (0usize..3).prop_map(Approver::Again),
        (0u8..3).prop_map(Approver::New),
    ];
    let target = prop_oneof![
        2 => Just(Target::Author),
        2 => (0usize..5).prop_map(Target::Approval),
        1 => (0..PAST.len()).prop_map(Target::PastSchedule),
        1 => (0..ROLES.len()).prop_map(Target::Ghost),
        1 => (0usize..5).prop_map(Target::DuplicateCheck),
        2 => Just(Target::Environment),
        2 => (0usize..3).prop_map(Target::Service),
    ];
    (
        0usize..5,
        prop::collection::vec((approver, 0..ROLES.len()), 0..4),
        target,
        prop::collection::vec(respelling(), 1..4),
    )
        .prop_map(|(example, approvals, target, respellings)| SpellingCase {
            example,
            approvals,
            target,
            respellings,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn respelling_never_relaxes(case in case()) {
        if let Err(message) = case.check() {
            prop_assert!(false, "{}", message);
        }
    }
}

#[test]
fn respellings_look_alike_but_differ() {
    let name = "aisha.rahman";
    let spelt: Vec<String> = [
        Respelling::Upper,
        Respelling::FlipCase(0),
        Respelling::Pad(3),
        Respelling::Invisible { which: 0, at: 5 },
        Respelling::Confusable(0),
        Respelling::Fullwidth(5),
    ]
    .iter()
    .map(|r| r.apply(name))
    .collect();
    assert_eq!(
        spelt,
        [
            "AISHA.RAHMAN",
            "Aisha.rahman",
            "\u{a0}aisha.rahman\u{a0}",
            "aisha\u{200b}.rahman",
            "\u{430}isha.rahman",
            "aisha\u{ff0e}rahman"
        ]
    );
}

/// The self-approval and past-schedule examples of the issue, as cases: each respelling of the
/// author's own approval, and each past schedule, relaxes nothing.
#[test]
fn the_reported_respellings_relax_nothing() {
    let mut cases = Vec::new();
    for r in [
        Respelling::Invisible { which: 0, at: 99 },
        Respelling::Invisible { which: 1, at: 2 },
        Respelling::Invisible { which: 2, at: 0 },
        Respelling::Invisible { which: 3, at: 3 },
        Respelling::Fullwidth(0),
        Respelling::Confusable(0),
        Respelling::Upper,
        Respelling::Pad(3),
    ] {
        // The emergency hotfix (example 2), approved by its author as a change manager, that
        // approval respelt.
        cases.push(SpellingCase {
            example: 2,
            approvals: vec![(Approver::Author, 1)],
            target: Target::Approval(1),
            respellings: vec![r],
        });
    }
    for past in 0..PAST.len() {
        cases.push(SpellingCase {
            example: 3,
            approvals: vec![],
            target: Target::PastSchedule(past),
            respellings: vec![],
        });
    }
    for case in cases {
        let (honest, respelt) = case.outcomes().unwrap();
        if let Some(respelt) = &respelt {
            assert_eq!(&honest, respelt, "{case:?}");
        }
        case.check().unwrap();
    }
}

/// The cases above have teeth: the author's approval is all that stands between the hotfix and
/// `allow`, and the freeze is all that stands between the canary change and `allow`.
#[test]
fn the_respelt_items_decide_the_outcome() {
    use changeguard::Outcome::{Allow, NeedsApproval};
    let hotfix = |who| SpellingCase {
        example: 2,
        approvals: vec![(who, 1)],
        target: Target::Author,
        respellings: vec![],
    };
    assert_eq!(hotfix(Approver::Author).outcomes().unwrap().0[0], NeedsApproval);
    assert_eq!(hotfix(Approver::New(0)).outcomes().unwrap().0[0], Allow);
    // The canary change (example 0), scheduled after the freeze: allowed; scheduled now, or in
    // the past (judged now): denied by the freeze.
    let canary = SpellingCase { example: 0, approvals: vec![], target: Target::Author, respellings: vec![] };
    assert_eq!(canary.outcomes().unwrap().0[0], Allow);
    for past in 0..PAST.len() {
        let case = SpellingCase {
            example: 0,
            approvals: vec![],
            target: Target::PastSchedule(past),
            respellings: vec![],
        };
        let (honest, respelt) = case.outcomes().unwrap();
        assert_eq!(honest[0], changeguard::Outcome::Deny);
        assert_eq!(respelt.unwrap()[0], changeguard::Outcome::Deny);
    }
}

#[test]
fn a_duplicate_check_is_written_twice() {
    let case = SpellingCase {
        example: 3,
        approvals: vec![],
        target: Target::DuplicateCheck(2),
        respellings: vec![Respelling::Upper],
    };
    let (honest, respelt) = case.documents().unwrap();
    assert!(!honest.contains("SECURITY-SCAN"));
    assert!(
        respelt.contains(r#""security-scan":"pending","unit-tests":"passed","SECURITY-SCAN":"passed"}"#),
        "{respelt}"
    );
    case.check().unwrap();
    // Spelt alike, the duplicate is an input error.
    let same = SpellingCase { respellings: vec![], ..case };
    let (_, respelt) = same.documents().unwrap();
    assert!(respelt.contains(r#""security-scan":"pending","unit-tests":"passed","security-scan":"passed"}"#));
    assert_eq!(same.outcomes().unwrap().1, None);
}

/// Found by the `respell` fuzz target: an author padded with tabs and no-break spaces was read,
/// matched nobody, and so their own approval counted (needs approval became allow). The author
/// is now the same person as the approver.
#[test]
fn an_author_padded_with_tabs_is_still_the_author() {
    let case = SpellingCase {
        example: 2,
        approvals: vec![(Approver::Author, 3), (Approver::Author, 0)],
        target: Target::Author,
        respellings: vec![Respelling::Pad(1), Respelling::Upper, Respelling::Pad(3)],
    };
    let (_, respelt) = case.documents().unwrap();
    assert!(respelt.contains("\"author\":\"\u{a0}\\tAISHA.RAHMAN\\t\u{a0}\""), "{respelt}");
    let (honest, respelt) = case.outcomes().unwrap();
    assert_eq!(honest[0], changeguard::Outcome::NeedsApproval);
    assert!(respelt.as_ref().is_none_or(|r| *r == honest), "{respelt:?}");
    case.check().unwrap();
}
