//! The rules of the input documents that serde cannot express (`Change::validate`,
//! `Context::validate`). Every broken rule is reported, each with the path of the field that
//! breaks it.

use crate::diagnostic::Diagnostics;
use crate::document::Problem;
use crate::document::path::FieldPath;
use crate::input::change::Change;
use crate::input::context::Context;
use crate::input::{Identity, IdentityError};

impl Change {
    /// Checks what the types cannot express: `id`, `environment` and service names are not
    /// blank; `author` and every approval's `by` are valid [`Identity`]s (not blank, not empty
    /// once invisible characters are removed, no control character inside); `services` is not
    /// empty; explicit `strategy.steps` are
    /// non-empty percentages from 1 to 100, strictly ascending, ending at 100.
    ///
    /// # Errors
    ///
    /// Every broken rule, each with its field path (`services[1].name`, `strategy.steps`).
    pub fn validate(&self) -> Result<(), Diagnostics> {
        crate::document::report(change(self))
    }
}

impl Context {
    /// Checks what the types cannot express: each freeze ends after it starts, and every error
    /// budget is a finite number.
    ///
    /// # Errors
    ///
    /// Every broken rule, each with its field path (`freezes[0].end`, `error_budgets.cart`).
    pub fn validate(&self) -> Result<(), Diagnostics> {
        crate::document::report(context(self))
    }
}

/// Every problem of `change`. Field paths are made only for the problems found: a valid
/// change allocates nothing here.
pub(crate) fn change(change: &Change) -> Vec<Problem> {
    let root = FieldPath::root;
    let mut out = Vec::new();
    not_blank(&mut out, root, "id", &change.id, "name the change, e.g. `CHG-1042`");
    not_blank(
        &mut out,
        root,
        "environment",
        &change.environment,
        "name the target environment, e.g. `production`",
    );
    identity(&mut out, root, "author", &change.author, "name who made the change");
    if change.services.is_empty() {
        out.push(
            Problem::new(
                root().key("services"),
                "a change must deploy at least one service, `services` is empty",
            )
            .help("list the services it deploys, e.g. `[{ \"name\": \"checkout\" }]`"),
        );
    }
    for (i, service) in change.services.iter().enumerate() {
        not_blank(
            &mut out,
            || root().key("services").index(i),
            "name",
            &service.name,
            "name the service as the topology does",
        );
    }
    if let Some(steps) = &change.strategy.steps {
        steps_problems(&mut out, || root().key("strategy").key("steps"), steps, change);
    }
    for (i, approval) in change.approvals.iter().enumerate() {
        let parent = || root().key("approvals").index(i);
        identity(&mut out, parent, "by", &approval.by, "name who approved the change");
    }
    out
}

/// `parent` makes the path of the object holding `field`, when a problem needs it.
fn not_blank(out: &mut Vec<Problem>, parent: impl Fn() -> FieldPath, field: &str, value: &str, help: &str) {
    if value.trim().is_empty() {
        let what = if value.is_empty() { "empty" } else { "blank" };
        out.push(Problem::new(parent().key(field), format!("`{field}` is {what}")).help(help));
    }
}

/// A blank identity is reported as blank; otherwise one that [`Identity::key`] refuses
/// (nothing left once invisible characters are removed, or a control character) names why.
fn identity(
    out: &mut Vec<Problem>,
    parent: impl Fn() -> FieldPath,
    field: &str,
    value: &Identity,
    help: &str,
) {
    if value.trim().is_empty() {
        not_blank(out, parent, field, value, help);
        return;
    }
    let message = match value.key() {
        Ok(_) => return,
        Err(IdentityError::Control(c)) => {
            format!("`{field}` holds the control character U+{:04X}", u32::from(*c))
        }
        Err(_) => format!("`{field}` is empty once invisible characters and whitespace are removed"),
    };
    out.push(Problem::new(parent().key(field), message).help(help));
}

fn steps_problems(out: &mut Vec<Problem>, path: impl Fn() -> FieldPath, steps: &[u32], change: &Change) {
    let kind = change.strategy.kind;
    let Some(&last) = steps.last() else {
        out.push(
            Problem::new(path(), "`steps` is empty").help(format!(
                "leave `steps` out to use the steps of `{kind}`, {}",
                list(kind.default_steps())
            )),
        );
        return;
    };
    let mut previous: Option<u32> = None;
    for (i, &step) in steps.iter().enumerate() {
        if !(1..=100).contains(&step) {
            out.push(
                Problem::new(path().index(i), format!("step `{step}` is not a percentage from 1 to 100"))
                    .help("steps are the percentages of traffic or hosts reached at each stage"),
            );
        } else if let Some(prev) = previous.filter(|&p| step <= p) {
            out.push(
                Problem::new(
                    path().index(i),
                    format!("step `{step}` does not come after `{prev}`: steps must be strictly ascending"),
                )
                .help("list each stage once, from the smallest share to 100"),
            );
        }
        if (1..=100).contains(&step) {
            previous = Some(previous.map_or(step, |p| p.max(step)));
        }
    }
    if last != 100 {
        out.push(
            Problem::new(path(), format!("the last step is `{last}`, not 100"))
                .help("a rollout ends with all traffic: add `100` as the last step"),
        );
    }
}

fn list(steps: &[u32]) -> String {
    let items: Vec<String> = steps.iter().map(u32::to_string).collect();
    format!("`[{}]`", items.join(", "))
}

/// Every problem of `ctx`.
pub(crate) fn context(ctx: &Context) -> Vec<Problem> {
    let root = FieldPath::root;
    let mut out = Vec::new();
    for (i, freeze) in ctx.freezes.iter().enumerate() {
        if freeze.end <= freeze.start {
            out.push(
                Problem::new(
                    root().key("freezes").index(i).key("end"),
                    format!(
                        "freeze `{}` ends at `{}`, which is not after its start `{}`",
                        freeze.name, freeze.end, freeze.start
                    ),
                )
                .help("`end` is the first instant after the freeze"),
            );
        }
    }
    for (service, budget) in &ctx.error_budgets {
        if !budget.is_finite() {
            out.push(
                Problem::new(
                    root().key("error_budgets").key(service),
                    format!("the error budget of `{service}` is `{budget}`, not a finite number"),
                )
                .help("give the remaining fraction of the budget, e.g. `0.25`, or `-0.1` when overspent"),
            );
        }
    }
    out
}
