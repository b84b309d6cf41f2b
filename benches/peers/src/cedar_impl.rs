//! Cedar through `cedar-policy`: one `forbid` policy per rule (its `PolicyId` is the rule id)
//! plus one `permit`, in a `PolicySet` parsed once. A decision is one
//! `Authorizer::is_authorized` call, which evaluates every policy; the violated rules are the
//! forbid policies in the response's `reason()`. The request (principal `User::"<author>"`,
//! action `Action::"deploy"`, resource `Change::"<id>"`) and the `Entities` holding the change
//! are built once per scenario.
//!
//! Cedar has no iteration over sets, no string functions, no regular expressions, no
//! division, no counting and no way to read a map with arbitrary keys. So the host gives the
//! `Change` entity attributes that Cedar can compare directly, computed once per scenario and
//! only for this engine:
//! - `approver_count`: distinct approvers other than the author, after trimming and
//!   lower-casing; `approver_roles`: the (normalized) roles of those approvals;
//! - `checks`, `checks_passed`, `checks_failed`: the check map split into sets of names;
//! - `first_step`: the first rollout step (strategy default applied);
//! - `max_to`: the highest target version among the services, as integer
//!   `{major, minor, patch}`; `bumps`: the set of the services' bumps (`"major"`…);
//!   `kinds`: the union of the services' kinds;
//! - `ticket_ok`: the replicas whose ticket pattern the `ticket` label matches (checked with
//!   the `regex` crate: Cedar's `like` has no character classes);
//! - `exposure` as a `decimal`; `when` in Unix seconds.
//!
//! The freeze calendar is compiled into the freeze policy (one disjunct per window, times in
//! Unix seconds), since Cedar cannot loop over a list of windows in the request: this is how
//! a Cedar deployment would hold a calendar, and it is why [`CedarEngine::new`] takes the
//! context.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context as CedarContext, Entities, EntityUid, Policy, PolicyId, PolicySet, Request, Response,
};
use changeguard::input::{Bump, Context, canonical_name};
use serde_json::json;

use crate::rules::{
    CONFIG_KINDS, Cond, EMERGENCY_ROLES, Enforcement, REQUIRED_CHECKS, REVIEW_LABELS, Rule, RuleSet,
    STEPPED_STRATEGIES, any_equal, list_literal,
};
use crate::scenarios::unix;
use crate::{Decision, Engine, Outcome, Scenario};

const PERMIT_ID: &str = "permit-deploy";

/// Cedar with the rule set as a policy set.
pub struct CedarEngine {
    authorizer: Authorizer,
    policies: PolicySet,
    hard: HashSet<PolicyId>,
    permit: PolicyId,
    rules: RuleSet,
    ticket_patterns: Vec<(u32, regex::Regex)>,
}

impl std::fmt::Debug for CedarEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CedarEngine").field("policies", &self.rules.len()).finish_non_exhaustive()
    }
}

/// A prepared request and its entities.
#[derive(Debug)]
pub struct CedarInput {
    request: Request,
    entities: Entities,
}

impl CedarEngine {
    /// Parses the rule set's policies, with the freeze windows of `context` compiled in.
    ///
    /// # Panics
    ///
    /// When a generated policy does not parse (a bug in this crate).
    #[must_use]
    pub fn new(rules: &RuleSet, context: &Context) -> CedarEngine {
        let mut policies = PolicySet::new();
        let mut hard = HashSet::new();
        for (id, text) in policy_texts(rules, context) {
            let pid = PolicyId::new(&id);
            let policy = match Policy::parse(Some(pid.clone()), &text) {
                Ok(p) => p,
                Err(e) => panic!("{id}: Cedar does not parse: {e:?}\n{text}"),
            };
            if let Err(e) = policies.add(policy) {
                panic!("{id}: {e}");
            }
            if rules.enforcement(&id) == Some(Enforcement::Hard) {
                hard.insert(pid);
            }
        }
        let ticket_patterns = (0..rules.replicas())
            .map(|k| {
                let rule = Rule { cond: Cond::TicketLabel, k, id: String::new() };
                (k, regex::Regex::new(&rule.ticket_pattern()).unwrap_or_else(|e| panic!("{e}")))
            })
            .collect();
        CedarEngine {
            authorizer: Authorizer::new(),
            policies,
            hard,
            permit: PolicyId::new(PERMIT_ID),
            rules: rules.clone(),
            ticket_patterns,
        }
    }

    fn authorize(&self, input: &CedarInput) -> Response {
        self.authorizer.is_authorized(&input.request, &self.policies, &input.entities)
    }
}

impl Engine for CedarEngine {
    type Input = CedarInput;

    fn name(&self) -> &'static str {
        "cedar"
    }

    fn prepare(&self, scenario: &Scenario) -> CedarInput {
        let c = &scenario.change;
        let author = canonical_name(&c.author);
        let mut approvers = BTreeSet::new();
        let mut roles = BTreeSet::new();
        for a in &c.approvals {
            let by = canonical_name(&a.by);
            if !by.is_empty() && by != author {
                approvers.insert(by);
                roles.insert(canonical_name(&a.role));
            }
        }
        let status = |want: &str| -> Vec<&str> {
            c.checks
                .iter()
                .filter(|(_, s)| want.is_empty() || s.to_string() == want)
                .map(|(n, _)| n.as_str())
                .collect()
        };
        let max_to = c.services.iter().filter_map(|s| s.to.as_ref()).max_by(|a, b| a.cmp_precedence(b));
        let bumps: BTreeSet<String> = c.services.iter().map(|s| s.bump().to_string()).collect();
        let kinds: BTreeSet<String> =
            c.services.iter().flat_map(|s| s.kinds.iter().map(ToString::to_string)).collect();
        let ticket_ok: Vec<u32> = match c.labels.get("ticket") {
            Some(t) => {
                self.ticket_patterns.iter().filter(|(_, re)| re.is_match(t)).map(|(k, _)| *k).collect()
            }
            None => Vec::new(),
        };
        let mut attrs = serde_json::Map::new();
        attrs.insert("environment".into(), json!(c.environment));
        attrs.insert("category".into(), json!(c.category.to_string()));
        attrs.insert("approver_count".into(), json!(approvers.len()));
        attrs.insert("approver_roles".into(), json!(roles));
        attrs.insert("checks".into(), json!(status("")));
        attrs.insert("checks_passed".into(), json!(status("passed")));
        attrs.insert("checks_failed".into(), json!(status("failed")));
        if let Some(r) = &c.rollback {
            let mut o = json!({ "plan": r.plan, "tested": r.tested, "automated": r.automated });
            if let Some(m) = r.minutes {
                o["minutes"] = json!(m);
            }
            attrs.insert("rollback".into(), o);
        }
        if let Some(m) = &c.migration {
            attrs.insert(
                "migration".into(),
                json!({ "reversible": m.reversible, "backward_compatible": m.backward_compatible }),
            );
        }
        attrs.insert("tested_in".into(), json!(c.tested_in));
        attrs.insert("first_step".into(), json!(c.strategy.first_step()));
        attrs.insert("strategy_type".into(), json!(c.strategy.kind.to_string()));
        attrs.insert("bake_minutes".into(), json!(c.strategy.bake_minutes));
        attrs.insert(
            "exposure".into(),
            json!({ "__extn": { "fn": "decimal", "arg": format!("{:.4}", scenario.exposure) } }),
        );
        attrs.insert("labels".into(), json!(c.labels));
        attrs.insert("ticket_ok".into(), json!(ticket_ok));
        attrs.insert("bumps".into(), json!(bumps));
        if let Some(v) = max_to {
            attrs.insert("max_to".into(), json!({ "major": v.major, "minor": v.minor, "patch": v.patch }));
        }
        attrs.insert("kinds".into(), json!(kinds));
        if let Some(s) = &c.size {
            attrs.insert(
                "size".into(),
                json!({ "lines_added": s.lines_added, "lines_removed": s.lines_removed }),
            );
        }
        attrs.insert("when".into(), json!(scenario.when_unix));
        let entities = json!([{
            "uid": { "type": "Change", "id": c.id },
            "attrs": serde_json::Value::Object(attrs),
            "parents": [],
        }]);
        let entities = Entities::from_json_value(entities, None).unwrap_or_else(|e| panic!("entities: {e}"));
        let uid = |ty: &str, id: &str| -> EntityUid {
            EntityUid::from_str(&format!("{ty}::{}", json!(id))).unwrap_or_else(|e| panic!("uid: {e}"))
        };
        let request = Request::new(
            uid("User", &c.author),
            uid("Action", "deploy"),
            uid("Change", &c.id),
            CedarContext::empty(),
            None,
        )
        .unwrap_or_else(|e| panic!("request: {e}"));
        CedarInput { request, entities }
    }

    fn outcome(&self, input: &CedarInput) -> Outcome {
        let response = self.authorize(input);
        let mut outcome = Outcome::Allow;
        for id in response.diagnostics().reason() {
            if self.hard.contains(id) {
                return Outcome::Deny;
            }
            if *id != self.permit {
                outcome = Outcome::NeedsApproval;
            }
        }
        outcome
    }

    fn decide(&self, input: &CedarInput) -> Decision {
        let response = self.authorize(input);
        let errors: Vec<String> = response.diagnostics().errors().map(ToString::to_string).collect();
        assert!(errors.is_empty(), "Cedar evaluation errors: {errors:?}");
        let violated: BTreeSet<String> = response
            .diagnostics()
            .reason()
            .filter(|id| **id != self.permit)
            .map(ToString::to_string)
            .collect();
        Decision::from_violations(&self.rules, violated)
    }
}

/// `(policy id, policy text)` of every policy: the permit, then one forbid per rule.
#[must_use]
pub fn policy_texts(rules: &RuleSet, context: &Context) -> Vec<(String, String)> {
    let mut out = vec![(
        PERMIT_ID.to_owned(),
        "permit (principal, action == Action::\"deploy\", resource);".to_owned(),
    )];
    for rule in rules.rules() {
        let text = format!(
            "forbid (principal, action == Action::\"deploy\", resource is Change)\nwhen {{ {} }};",
            violation(rule, context)
        );
        out.push((rule.id.clone(), text));
    }
    out
}

/// The condition under which `rule` is violated.
fn violation(rule: &Rule, context: &Context) -> String {
    let prod = any_equal("resource.environment", &rule.production());
    match rule.cond {
        Cond::ChangeFreeze => {
            let mut windows = Vec::new();
            for f in &context.freezes {
                let mut w = format!(
                    "(resource.when >= {} && resource.when < {}",
                    unix(f.start) - rule.freeze_lead_hours() * 3600,
                    unix(f.end)
                );
                if !f.environments.is_empty() {
                    let _ = write!(w, " && {}.contains(resource.environment)", list_literal(&f.environments));
                }
                if !f.exempt.is_empty() {
                    let exempt: Vec<String> = f.exempt.iter().map(ToString::to_string).collect();
                    let _ = write!(w, " && !{}.contains(resource.category)", list_literal(&exempt));
                }
                w.push(')');
                windows.push(w);
            }
            if windows.is_empty() { "false".to_owned() } else { windows.join("\n  || ") }
        }
        Cond::SeparationOfDuties => format!("{prod} && resource.approver_count < 2"),
        Cond::RequiredChecks => {
            format!("{prod} && !resource.checks_passed.containsAll({})", list_literal(&REQUIRED_CHECKS))
        }
        Cond::RollbackPlan => format!("{prod} && !(resource has rollback && resource.rollback.plan)"),
        Cond::VersionCeiling => {
            let (major, minor, _) = rule.version_ceiling();
            format!(
                "{prod} && resource has max_to && (resource.max_to.major > {major} \
                 || (resource.max_to.major == {major} && resource.max_to.minor >= {minor}))"
            )
        }
        Cond::NoFailedChecks => format!("{prod} && !resource.checks_failed.isEmpty()"),
        Cond::ChecksAllPassed => format!("{prod} && !resource.checks_passed.containsAll(resource.checks)"),
        Cond::RollbackTested => format!(
            "{prod} && resource has rollback && resource.rollback.plan \
             && !(resource.rollback.tested && resource.rollback.automated)"
        ),
        Cond::RollbackFast => format!(
            "{prod} && resource has rollback && resource.rollback has minutes && resource.rollback.minutes > {}",
            rule.max_rollback_minutes()
        ),
        Cond::PreproductionTested => format!(
            "{prod} && resource.category != \"emergency\" && !resource.tested_in.containsAny({})",
            list_literal(&rule.preproduction())
        ),
        Cond::ProgressiveRollout => format!("{prod} && resource.first_step > {}", rule.max_first_step()),
        Cond::BlastExposure => format!(
            "{prod} && resource.exposure.greaterThanOrEqual(decimal(\"{}\"))",
            rule.max_exposure_text()
        ),
        Cond::TicketLabel => format!("{prod} && !resource.ticket_ok.contains({})", rule.k),
        Cond::MajorBump => format!(
            "{prod} && resource.category != \"emergency\" && resource.bumps.contains(\"{}\")",
            Bump::Major
        ),
        Cond::StandardChangeSize => format!(
            "{prod} && resource.category == \"standard\" && !(resource has size \
             && resource.size.lines_added + resource.size.lines_removed <= {})",
            rule.standard_max_lines()
        ),
        Cond::OneWayDoor => format!("{prod} && resource has migration && !resource.migration.reversible"),
        Cond::EmergencyReview => format!(
            "{prod} && resource.category == \"emergency\" \
             && !(resource.labels has \"{}\" || resource.labels has \"{}\")",
            REVIEW_LABELS[0], REVIEW_LABELS[1]
        ),
        Cond::BakeTime => format!(
            "{prod} && {}.contains(resource.strategy_type) && resource.bake_minutes < {}",
            list_literal(&STEPPED_STRATEGIES),
            rule.min_bake_minutes()
        ),
        Cond::EmergencyApprover => format!(
            "{prod} && resource.category == \"emergency\" && !resource.approver_roles.containsAny({})",
            list_literal(&EMERGENCY_ROLES)
        ),
        Cond::ConfigProgressive => format!(
            "{prod} && resource.kinds.containsAny({}) && resource.first_step > {}",
            list_literal(&CONFIG_KINDS),
            rule.max_config_first_step()
        ),
    }
}
