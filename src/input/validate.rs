//! The rules of the input documents that serde cannot express. Every broken rule is reported,
//! each with the path of the field that breaks it.

use crate::document::Problem;
use crate::document::path::FieldPath;
use crate::input::change::Change;
use crate::input::context::Context;
use crate::input::{Identity, IdentityError};

/// Every problem of `change`.
pub(crate) fn change(change: &Change) -> Vec<Problem> {
    let root = FieldPath::root();
    let mut out = Vec::new();
    not_blank(&mut out, &root, "id", &change.id, "name the change, e.g. `CHG-1042`");
    not_blank(
        &mut out,
        &root,
        "environment",
        &change.environment,
        "name the target environment, e.g. `production`",
    );
    identity(&mut out, &root, "author", &change.author, "name who made the change");
    if change.services.is_empty() {
        out.push(
            Problem::new(
                root.key("services"),
                "a change must deploy at least one service, `services` is empty",
            )
            .help("list the services it deploys, e.g. `[{ \"name\": \"checkout\" }]`"),
        );
    }
    let services = root.key("services");
    for (i, service) in change.services.iter().enumerate() {
        not_blank(
            &mut out,
            &services.index(i),
            "name",
            &service.name,
            "name the service as the topology does",
        );
    }
    if let Some(steps) = &change.strategy.steps {
        steps_problems(&mut out, &root.key("strategy").key("steps"), steps, change);
    }
    let approvals = root.key("approvals");
    for (i, approval) in change.approvals.iter().enumerate() {
        identity(&mut out, &approvals.index(i), "by", &approval.by, "name who approved the change");
    }
    out
}

fn not_blank(out: &mut Vec<Problem>, parent: &FieldPath, field: &str, value: &str, help: &str) {
    if value.trim().is_empty() {
        let what = if value.is_empty() { "empty" } else { "blank" };
        out.push(Problem::new(parent.key(field), format!("`{field}` is {what}")).help(help));
    }
}

/// A blank identity is reported as blank; otherwise one that [`Identity::key`] refuses
/// (nothing left once invisible characters are removed, or a control character) names why.
fn identity(out: &mut Vec<Problem>, parent: &FieldPath, field: &str, value: &Identity, help: &str) {
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
    out.push(Problem::new(parent.key(field), message).help(help));
}

fn steps_problems(out: &mut Vec<Problem>, path: &FieldPath, steps: &[u32], change: &Change) {
    let kind = change.strategy.kind;
    let Some(&last) = steps.last() else {
        out.push(
            Problem::new(path.clone(), "`steps` is empty").help(format!(
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
                Problem::new(path.index(i), format!("step `{step}` is not a percentage from 1 to 100"))
                    .help("steps are the percentages of traffic or hosts reached at each stage"),
            );
        } else if let Some(prev) = previous.filter(|&p| step <= p) {
            out.push(
                Problem::new(
                    path.index(i),
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
            Problem::new(path.clone(), format!("the last step is `{last}`, not 100"))
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
    let root = FieldPath::root();
    let mut out = Vec::new();
    let freezes = root.key("freezes");
    for (i, freeze) in ctx.freezes.iter().enumerate() {
        if freeze.end <= freeze.start {
            out.push(
                Problem::new(
                    freezes.index(i).key("end"),
                    format!(
                        "freeze `{}` ends at `{}`, which is not after its start `{}`",
                        freeze.name, freeze.end, freeze.start
                    ),
                )
                .help("`end` is the first instant after the freeze"),
            );
        }
    }
    let budgets = root.key("error_budgets");
    for (service, budget) in &ctx.error_budgets {
        if !budget.is_finite() {
            out.push(
                Problem::new(
                    budgets.key(service),
                    format!("the error budget of `{service}` is `{budget}`, not a finite number"),
                )
                .help("give the remaining fraction of the budget, e.g. `0.25`, or `-0.1` when overspent"),
            );
        }
    }
    out
}
