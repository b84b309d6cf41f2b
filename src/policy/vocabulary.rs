//! What a policy talks about, for policy-aware generation of test inputs
//! ([`crate::testing::scenarios`]).

use crate::cel::Literals;
use crate::testing::Vocabulary;

use super::model::{CompiledPolicy, Part, Points, Template};

fn add_template(literals: &mut Literals, t: &Template) {
    for part in &t.parts {
        if let Part::Expr(p) = part {
            literals.add_program(p);
        }
    }
}

/// The vocabulary of `policy`: its declared environments with their aliases, the roles of
/// `[decision]` and of its rules, the constants of every expression, and its
/// test topology.
///
/// Parameters are constants folded into the expressions that read them, so the parameters in
/// use are found there.
pub(crate) fn vocabulary(policy: &CompiledPolicy) -> Vocabulary {
    let mut literals = Literals::default();
    for l in &policy.lets {
        literals.add_program(&l.program);
    }
    for f in &policy.factors {
        if let Some(w) = &f.when {
            literals.add_program(w);
        }
        if let Points::Expr(p) = &f.points {
            literals.add_program(p);
        }
        add_template(&mut literals, &f.reason);
    }
    let mut roles = policy.decision.approval_roles.clone();
    for r in &policy.rules {
        if let Some(w) = &r.when {
            literals.add_program(w);
        }
        literals.add_program(&r.require);
        for t in [&r.message, &r.remediation].into_iter().flatten() {
            add_template(&mut literals, t);
        }
        for role in &r.override_roles {
            if !roles.contains(role) {
                roles.push(role.clone());
            }
        }
    }
    Vocabulary {
        environments: policy.environments.spellings().map(str::to_owned).collect(),
        roles,
        strings: literals.strings.into_iter().collect(),
        ints: literals.ints.into_iter().collect(),
        doubles: literals.doubles,
        topology: policy.test_topology.clone(),
    }
}
