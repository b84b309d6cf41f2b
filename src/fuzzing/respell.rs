//! Respellings of what a change author writes, and the property that none of them makes an
//! assessment more permissive.
//!
//! A [`SpellingCase`] starts from one of the example changes (`examples/change-*.json`), adds
//! approvals to it (by the author, by someone already approving, by someone new) and then
//! respells one thing in it: the author, one approver, the environment, one service's name, or
//! the schedule (moved into the past);
//! or it adds an approval by a blank or invisible name, or a check given twice (the second
//! time respelt, as `passed`).
//! The honest change and the respelt one are assessed alike, by the built-in policy and by the
//! Northwind fixture policy, over the example topology and context; the respelt change must be
//! an input error or give an outcome at least as strict as the honest one.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{Map, Value, json};

use crate::policy::Outcome;
use crate::{Change, Context, Policy, Topology};

/// The example changes a case starts from.
const EXAMPLES: [&str; 5] = [
    include_str!("../../examples/change-canary-safe.json"),
    include_str!("../../examples/change-config-only.json"),
    include_str!("../../examples/change-emergency-hotfix.json"),
    include_str!("../../examples/change-friday-all-at-once.json"),
    include_str!("../../examples/change-irreversible-migration.json"),
];

/// Characters a reader does not see: zero-width space and joiner, byte-order mark, soft hyphen,
/// word joiner.
pub const INVISIBLE: [char; 5] = ['\u{200B}', '\u{200D}', '\u{FEFF}', '\u{00AD}', '\u{2060}'];

/// Whitespace put around a name (a tab, a control character, makes an identity an input error).
pub const PADDING: [&str; 5] = [" ", "\t", "\u{2003}", "\u{00A0}", "  \u{3000}"];

/// Latin letters and Cyrillic letters that look the same.
const CONFUSABLES: [(char, char); 6] = [
    ('a', '\u{0430}'),
    ('e', '\u{0435}'),
    ('o', '\u{043E}'),
    ('c', '\u{0441}'),
    ('p', '\u{0440}'),
    ('i', '\u{0456}'),
];

/// Roles given to added approvals: the override and approval roles of both policies, and some
/// that override nothing.
pub const ROLES: [&str; 8] = [
    "sre-lead",
    "change-manager",
    "principal-engineer",
    "qa-lead",
    "platform-lead",
    "incident-commander",
    "senior-engineer",
    "developer",
];

/// Times in the past of the example context's `now` (2026-11-27T13:50:00Z).
pub const PAST: [&str; 3] = ["1970-01-01T00:00:00Z", "2025-06-01T12:00:00Z", "2026-11-27T13:49:59Z"];

/// The example context's `now`, the honest schedule of a case that moves it.
const NOW: &str = "2026-11-27T13:50:00Z";

/// One way of writing a name differently that a reader takes for the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Respelling {
    /// Every letter in upper case.
    Upper,
    /// The case of the `n`-th character (modulo the length) flipped.
    FlipCase(usize),
    /// Whitespace ([`PADDING`], by index modulo its length) before and after.
    Pad(usize),
    /// An invisible character ([`INVISIBLE`], by index) inserted before the `at`-th character.
    Invisible {
        /// Which invisible character (modulo [`INVISIBLE`]'s length).
        which: usize,
        /// Where (modulo the length plus one).
        at: usize,
    },
    /// The `n`-th letter that has a Cyrillic look-alike (modulo their number) replaced by it.
    Confusable(usize),
    /// The `n`-th character (modulo the length), when printable ASCII, in its fullwidth form.
    Fullwidth(usize),
}

impl Respelling {
    /// `name` respelt.
    #[must_use]
    pub fn apply(self, name: &str) -> String {
        let chars: Vec<char> = name.chars().collect();
        let nth = |n: usize| if chars.is_empty() { 0 } else { n % chars.len() };
        match self {
            Respelling::Upper => name.to_uppercase(),
            Respelling::FlipCase(n) => map_nth(&chars, nth(n), |c| {
                if c.is_lowercase() { c.to_uppercase().collect() } else { c.to_lowercase().collect() }
            }),
            Respelling::Pad(which) => {
                let pad = PADDING.get(which % PADDING.len()).copied().unwrap_or(" ");
                format!("{pad}{name}{pad}")
            }
            Respelling::Invisible { which, at } => {
                let invisible = INVISIBLE.get(which % INVISIBLE.len()).copied().unwrap_or('\u{200B}');
                let at = at % (chars.len() + 1);
                let mut out: String = chars.iter().take(at).collect();
                out.push(invisible);
                out.extend(chars.iter().skip(at));
                out
            }
            Respelling::Confusable(n) => {
                let candidates: Vec<usize> = chars
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| CONFUSABLES.iter().any(|(latin, _)| latin == *c))
                    .map(|(i, _)| i)
                    .collect();
                let Some(&at) = candidates.get(n % candidates.len().max(1)) else { return name.to_owned() };
                map_nth(&chars, at, |c| {
                    CONFUSABLES
                        .iter()
                        .find(|(latin, _)| *latin == c)
                        .map_or(c, |(_, cyrillic)| *cyrillic)
                        .into()
                })
            }
            Respelling::Fullwidth(n) => map_nth(&chars, nth(n), |c| {
                // Printable ASCII `!`..=`~` has fullwidth forms at U+FF01..=U+FF5E, in order.
                if ('!'..='~').contains(&c) {
                    char::from_u32(u32::from(c) - 0x21 + 0xFF01).unwrap_or(c).into()
                } else {
                    c.into()
                }
            }),
        }
    }
}

/// `chars` with the one at `at` replaced by `f` of it.
fn map_nth(chars: &[char], at: usize, f: impl Fn(char) -> String) -> String {
    let mut out = String::with_capacity(chars.len() * 4);
    for (i, &c) in chars.iter().enumerate() {
        if i == at {
            out.push_str(&f(c));
        } else {
            out.push(c);
        }
    }
    out
}

impl<'a> Arbitrary<'a> for Respelling {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let n = usize::from(u.arbitrary::<u8>()?);
        Ok(match u.int_in_range(0..=5)? {
            0 => Respelling::Upper,
            1 => Respelling::FlipCase(n),
            2 => Respelling::Pad(n),
            3 => Respelling::Invisible { which: n, at: usize::from(u.arbitrary::<u8>()?) },
            4 => Respelling::Confusable(n),
            _ => Respelling::Fullwidth(n),
        })
    }
}

/// Who gives an approval added to the example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approver {
    /// The change's author (an approval that must count for nothing).
    Author,
    /// Someone who already approves the example (the `n`-th, modulo their number; the author
    /// when there are none): the same person twice.
    Again(usize),
    /// Someone new, `approver-<n>`.
    New(u8),
}

/// What a case respells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The author.
    Author,
    /// The `n`-th approval's approver (modulo their number).
    Approval(usize),
    /// The schedule: honestly `now`, respelt one of [`PAST`] (by index, modulo its length);
    /// the respellings are not used.
    PastSchedule(usize),
    /// An approval added with a role from [`ROLES`] (by index, modulo) by someone whose name is
    /// the empty name respelt (blank or invisible); the honest change does not have it.
    Ghost(usize),
    /// The `n`-th check (modulo their number) given a second time, its name respelt, as
    /// `passed`: a duplicate key in the `checks` object of the JSON text.
    DuplicateCheck(usize),
    /// The environment.
    Environment,
    /// The `n`-th changed service's name (modulo their number).
    Service(usize),
}

/// A change, honest and respelt: one of the example changes with approvals added, then one
/// thing in it respelt ([`SpellingCase::check`] says what must hold).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpellingCase {
    /// Which example change (modulo their number).
    pub example: usize,
    /// Approvals added to the example: who, and a role from [`ROLES`] (by index, modulo).
    pub approvals: Vec<(Approver, usize)>,
    /// What is respelt.
    pub target: Target,
    /// The respellings, applied in order.
    pub respellings: Vec<Respelling>,
}

impl<'a> Arbitrary<'a> for SpellingCase {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let example = u.choose_index(EXAMPLES.len())?;
        let mut approvals = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            let who = match u.int_in_range(0..=2)? {
                0 => Approver::Author,
                1 => Approver::Again(u.choose_index(4)?),
                _ => Approver::New(u.int_in_range(0..=3)?),
            };
            approvals.push((who, u.choose_index(ROLES.len())?));
        }
        let target = match u.int_in_range(0..=8)? {
            0 | 1 => Target::Author,
            2 | 3 => Target::Approval(u.choose_index(4)?),
            4 => Target::PastSchedule(u.choose_index(PAST.len())?),
            5 => Target::Ghost(u.choose_index(ROLES.len())?),
            6 => Target::DuplicateCheck(u.choose_index(4)?),
            7 => Target::Environment,
            _ => Target::Service(u.choose_index(3)?),
        };
        let mut respellings = vec![u.arbitrary()?];
        for _ in 0..u.int_in_range(0..=2)? {
            respellings.push(u.arbitrary()?);
        }
        Ok(SpellingCase { example, approvals, target, respellings })
    }
}

/// How strict an outcome is: allow < needs approval < deny.
fn strictness(o: Outcome) -> u8 {
    match o {
        Outcome::Allow => 0,
        Outcome::NeedsApproval => 1,
        Outcome::Deny => 2,
    }
}

/// The policies, topology and context every case is assessed with.
fn setting() -> &'static (Vec<Policy>, Topology, Context) {
    static SETTING: OnceLock<(Vec<Policy>, Topology, Context)> = OnceLock::new();
    SETTING.get_or_init(|| {
        let northwind = Policy::from_toml(include_str!("../../tests/data/northwind.toml"));
        let policies = [Ok(Policy::well_architected()), northwind].into_iter().flatten().collect();
        let topology =
            Topology::from_json(include_str!("../../examples/topology-shop.json")).unwrap_or_default();
        let context = Context::from_json(include_str!("../../examples/context.json"))
            .unwrap_or_else(|_| Context::new(crate::cel::Timestamp::UNIX_EPOCH));
        (policies, topology, context)
    })
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

impl SpellingCase {
    /// The honest change and the respelt one, as JSON documents; `None` when the example does
    /// not read as JSON.
    #[must_use]
    pub fn documents(&self) -> Option<(String, String)> {
        let source = EXAMPLES.get(self.example % EXAMPLES.len())?;
        let mut honest: Map<String, Value> = serde_json::from_str(source).ok()?;
        let author = honest.get("author").map(text).unwrap_or_default().to_owned();
        let mut approvals = honest.get("approvals").and_then(Value::as_array).cloned().unwrap_or_default();
        let existing: Vec<String> =
            approvals.iter().map(|a| a.get("by").map(text).unwrap_or_default().to_owned()).collect();
        for &(who, role) in &self.approvals {
            let by = match who {
                Approver::Author => author.clone(),
                Approver::Again(n) => existing.get(n % existing.len().max(1)).unwrap_or(&author).clone(),
                Approver::New(n) => format!("approver-{n}"),
            };
            let role = ROLES.get(role % ROLES.len()).copied().unwrap_or("developer");
            approvals.push(json!({ "by": by, "role": role }));
        }
        let respell = |name: &str| self.respellings.iter().fold(name.to_owned(), |s, r| r.apply(&s));
        let mut changed = honest.clone();
        let mut changed_approvals = approvals.clone();
        match self.target {
            Target::Author => {
                changed.insert("author".to_owned(), Value::String(respell(&author)));
            }
            Target::Approval(n) => {
                let count = changed_approvals.len().max(1);
                if let Some(Value::Object(approval)) = changed_approvals.get_mut(n % count) {
                    let by = approval.get("by").map(text).unwrap_or_default();
                    approval.insert("by".to_owned(), Value::String(respell(by)));
                }
            }
            Target::PastSchedule(n) => {
                honest.insert("scheduled_at".to_owned(), Value::String(NOW.to_owned()));
                let past = PAST.get(n % PAST.len()).copied().unwrap_or(NOW);
                changed.insert("scheduled_at".to_owned(), Value::String(past.to_owned()));
            }
            Target::Ghost(role) => {
                let role = ROLES.get(role % ROLES.len()).copied().unwrap_or("developer");
                changed_approvals.push(json!({ "by": respell(""), "role": role }));
            }
            Target::DuplicateCheck(_) => {}
            Target::Environment => {
                let environment = changed.get("environment").map(text).unwrap_or_default();
                changed.insert("environment".to_owned(), Value::String(respell(environment)));
            }
            Target::Service(n) => {
                if let Some(Value::Array(services)) = changed.get_mut("services") {
                    let count = services.len().max(1);
                    if let Some(Value::Object(service)) = services.get_mut(n % count) {
                        let name = service.get("name").map(text).unwrap_or_default();
                        service.insert("name".to_owned(), Value::String(respell(name)));
                    }
                }
            }
        }
        honest.insert("approvals".to_owned(), Value::Array(approvals));
        changed.insert("approvals".to_owned(), Value::Array(changed_approvals));
        let honest_text = Value::Object(honest).to_string();
        let Target::DuplicateCheck(n) = self.target else {
            return Some((honest_text, Value::Object(changed).to_string()));
        };
        // A JSON object cannot hold a key twice: the `checks` object is written out by hand,
        // with the duplicate last (where a last-wins reader would take it).
        let checks = changed.remove("checks").and_then(|c| c.as_object().cloned()).unwrap_or_default();
        let mut entries: Vec<String> =
            checks.iter().map(|(k, v)| format!("{}:{v}", Value::from(k.as_str()))).collect();
        let keys: Vec<&String> = checks.keys().collect();
        let key = keys.get(n % keys.len().max(1)).map_or("build", |k| k.as_str());
        entries.push(format!("{}:\"passed\"", Value::from(respell(key))));
        let rest = Value::Object(changed).to_string();
        let rest = rest.strip_suffix('}').unwrap_or(&rest);
        let separator = if rest.len() > 1 { "," } else { "" };
        Some((honest_text, format!("{rest}{separator}\"checks\":{{{}}}}}", entries.join(","))))
    }

    /// The outcomes (one per policy) of the honest change and of the respelt one (`None` when
    /// the respelt change is an input error); `None` when the honest change does not read.
    #[must_use]
    pub fn outcomes(&self) -> Option<(Vec<Outcome>, Option<Vec<Outcome>>)> {
        let (honest, respelt) = self.documents()?;
        let (policies, topology, context) = setting();
        let assess =
            |change: &Change| policies.iter().map(|p| p.assess(change, topology, context).outcome).collect();
        let honest = Change::from_json(&honest).ok()?;
        let respelt = Change::from_json(&respelt).ok();
        Some((assess(&honest), respelt.as_ref().map(assess)))
    }

    /// Checks the property: the respelt change is an input error or, under every policy (only
    /// the built-in one for a respelt environment), no more permissive than the honest one.
    ///
    /// # Errors
    ///
    /// When a respelling relaxes an outcome: the documents and the outcomes.
    pub fn check(&self) -> std::result::Result<(), String> {
        let Some((honest, Some(respelt))) = self.outcomes() else { return Ok(()) };
        // The Northwind policy declares no environment vocabulary and compares the environment
        // as written (`change.environment in params.production`): a respelt environment is
        // only checked against the built-in policy, which declares one.
        let compared = if self.target == Target::Environment { 1 } else { honest.len() };
        if honest.iter().zip(&respelt).take(compared).all(|(h, r)| strictness(*r) >= strictness(*h)) {
            return Ok(());
        }
        let (a, b) = self.documents().unwrap_or_default();
        Err(format!("{self:?} relaxes {honest:?} to {respelt:?}\nhonest:  {a}\nrespelt: {b}"))
    }
}

/// Builds a [`SpellingCase`] from `data` and checks it.
///
/// # Panics
///
/// When a respelling makes an outcome more permissive, or assessing panics.
pub fn respelling(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(case) = SpellingCase::arbitrary(&mut u) else { return };
    assert_eq!(case.check(), Ok(()), "a respelling relaxes the outcome");
}
