//! The literal values a compiled expression mentions: what a generator of test inputs should
//! try, because the expression decides on them.

use std::collections::BTreeSet;

use super::ir::Node;
use super::program::Program;
use super::value::Value;

/// Strings and numbers written in expressions (after folding), deduplicated and sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Literals {
    /// String constants.
    pub strings: BTreeSet<String>,
    /// Integer constants (unsigned ones that fit).
    pub ints: BTreeSet<i64>,
    /// Floating-point constants, as their bit patterns would not sort: kept in text order.
    pub doubles: Vec<f64>,
}

impl Literals {
    /// Adds the literals of `program`. The walk is iterative and visits each node once.
    pub fn add_program(&mut self, program: &Program) {
        let mut stack: Vec<&Node> = vec![program.root()];
        while let Some(node) = stack.pop() {
            match node {
                Node::Const(v) => self.add_value(v),
                Node::EqStr { operand, value, .. } => {
                    self.strings.insert(value.to_string());
                    stack.push(operand);
                }
                Node::CmpInt { operand, value, .. } => {
                    self.ints.insert(*value);
                    stack.push(operand);
                }
                Node::InStrs { operand, list } => {
                    self.strings.extend(list.iter().map(ToString::to_string));
                    stack.push(operand);
                }
                Node::Join { list, sep } => {
                    stack.push(list);
                    if let Some(s) = sep {
                        self.strings.insert(s.to_string());
                    }
                }
                Node::Select(inner, _)
                | Node::OptSelect(inner, _)
                | Node::Has(inner, _)
                | Node::Not(inner)
                | Node::Neg(inner) => {
                    stack.push(inner);
                }
                Node::Matches(inner, _) | Node::Prepared(inner, _) => stack.push(inner),
                Node::Concat(items)
                | Node::Regex(_, items, _)
                | Node::And(items)
                | Node::Or(items)
                | Node::List(items)
                | Node::ListOpt { items, .. }
                | Node::Call(_, items)
                | Node::Dispatch { args: items, .. }
                | Node::Method { args: items, .. }
                | Node::DynMethod { args: items, .. } => stack.extend(items.iter()),
                Node::Index(pair)
                | Node::Arith(_, pair)
                | Node::Cmp(_, pair)
                | Node::Eq(pair)
                | Node::Ne(pair)
                | Node::In(pair)
                | Node::OptIndex(pair)
                | Node::OptOr { pair, .. }
                | Node::OptApply { pair, .. }
                | Node::Bind(pair) => stack.extend(pair.iter()),
                Node::Cond(three) => stack.extend(three.iter()),
                Node::Map(entries) | Node::MapOpt { entries, .. } => {
                    for (k, v) in entries {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                Node::Comprehension(c) => {
                    stack.push(&c.range);
                    stack.push(&c.body);
                    if let Some(f) = &c.filter {
                        stack.push(f);
                    }
                }
                Node::Global(_)
                | Node::Local { .. }
                | Node::GlobalField { .. }
                | Node::LocalField { .. }
                | Node::Fail(_) => {}
            }
        }
    }

    /// Adds the strings and numbers in `value`, descending into lists and maps.
    pub fn add_value(&mut self, value: &Value<'_>) {
        let mut stack: Vec<Value<'_>> = vec![value.clone()];
        while let Some(v) = stack.pop() {
            match v {
                Value::String(s) => {
                    self.strings.insert(s.as_str().to_owned());
                }
                Value::Int(i) => {
                    self.ints.insert(i);
                }
                Value::Uint(u) => {
                    if let Ok(i) = i64::try_from(u) {
                        self.ints.insert(i);
                    }
                }
                Value::Double(d) if d.is_finite() && !self.doubles.contains(&d) => self.doubles.push(d),
                Value::List(l) => {
                    let items: Vec<Value<'_>> = l.iter().collect();
                    stack.extend(items);
                }
                Value::Map(m) => {
                    let entries: Vec<(Value<'_>, Value<'_>)> =
                        m.iter().map(|(k, v)| (k.to_value(), v)).collect();
                    for (k, v) in entries {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                _ => {}
            }
        }
    }
}
