//! Validation of a topology document and compilation into the index.
//!
//! Every problem is reported at once, in document order (services first, then dependencies),
//! except that exceeding a size limit stops before anything else is checked: the point of a limit
//! is not to do the work.

use std::collections::HashMap;

use super::document::{Dependency, DependencyKind, MAX_TIER, Service};
use super::strings::{self, Interner, NameIndex, StringTable, TooLarge};
use super::{Index, NO_TEAM, NO_TIER};
use crate::graph::Csr;
use crate::{Diagnostic, DiagnosticKind, Diagnostics, Limits};

/// Ids and edge offsets are `u32` with the top values kept as sentinels, and a search needs
/// `2n + 2` stamps of a `u32` counter: 2³⁰ services or dependencies at most, whatever the limits.
const HARD_CAP: usize = 1 << 30;
/// Distinct unknown names that get a "did you mean" (each costs a scan of every name).
const SUGGESTIONS: usize = 32;
/// Longest unknown name, in characters, for which a "did you mean" is looked for.
const SUGGESTION_CHARS: usize = 64;

/// Diagnostics with their place in the document, sorted by it at the end.
#[derive(Default)]
struct Problems {
    items: Vec<((u8, usize, u8), Diagnostic)>,
}

impl Problems {
    fn service(&mut self, index: usize, field: u8, diagnostic: Diagnostic) {
        self.items.push(((0, index, field), diagnostic));
    }

    fn dependency(&mut self, index: usize, field: u8, diagnostic: Diagnostic) {
        self.items.push(((1, index, field), diagnostic));
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn into_diagnostics(mut self) -> Diagnostics {
        self.items.sort_by_key(|(place, _)| *place);
        Diagnostics::new(self.items.into_iter().map(|(_, d)| d).collect())
    }
}

fn limit(what: &str, count: usize, max: usize, path: &str, knob: &str) -> Diagnostic {
    Diagnostic::error(DiagnosticKind::LimitExceeded, format!("limit exceeded: {count} {what} > {max}"))
        .with_path(path)
        .with_help(format!("raise `Limits::{knob}` to load a larger topology"))
}

fn too_large() -> Diagnostics {
    Diagnostics::single(
        Diagnostic::error(DiagnosticKind::LimitExceeded, "limit exceeded: topology text larger than 4 GiB")
            .with_help("shorten the names, or split the topology"),
    )
}

impl From<TooLarge> for Diagnostics {
    fn from(_: TooLarge) -> Self {
        too_large()
    }
}

/// Validates and compiles a topology.
pub(super) fn compile(
    services: &[Service],
    dependencies: &[Dependency],
    limits: &Limits,
) -> Result<Index, Diagnostics> {
    let mut problems = Problems::default();
    let max_services = limits.max_services.min(HARD_CAP);
    if services.len() > max_services {
        problems.service(0, 0, limit("services", services.len(), max_services, "services", "max_services"));
    }
    let max_dependencies = limits.max_dependencies.min(HARD_CAP);
    if dependencies.len() > max_dependencies {
        let d =
            limit("dependencies", dependencies.len(), max_dependencies, "dependencies", "max_dependencies");
        problems.dependency(0, 0, d);
    }
    if !problems.is_empty() {
        return Err(problems.into_diagnostics());
    }

    let name = |i: u32| services.get(i as usize).map_or("", |s| s.name.as_str());
    let count = u32::try_from(services.len()).unwrap_or(u32::MAX);

    // Ids in name order; duplicates resolve to their first declaration.
    let (order, tie_runs) = strings::sort_names(count, name);
    let mut id_of = vec![0u32; order.len()];
    let mut firsts: Vec<u32> = Vec::with_capacity(order.len());
    let mut tie_runs = tie_runs.into_iter().peekable();
    for (at, &i) in order.iter().enumerate() {
        while tie_runs.next_if(|run| run.end <= at).is_some() {}
        let tied = tie_runs.peek().is_some_and(|run| run.start < at && run.contains(&at));
        let first = firsts.last().copied().filter(|&first| tied && name(first) == name(i));
        if let Some(first) = first {
            let this = name(i);
            if !this.is_empty() {
                let d = Diagnostic::error(
                    DiagnosticKind::DuplicateService,
                    format!("duplicate service `{this}`"),
                )
                .with_path(format!("services[{i}].name"))
                .with_help(format!(
                    "`{this}` is first declared at `services[{first}]`; rename or remove one"
                ));
                problems.service(i as usize, 0, d);
            }
        } else {
            firsts.push(i);
        }
        if let Some(slot) = id_of.get_mut(i as usize) {
            *slot = u32::try_from(firsts.len().saturating_sub(1)).unwrap_or(u32::MAX);
        }
    }
    drop(order);

    for (i, service) in services.iter().enumerate() {
        check_service(i, service, &mut problems);
    }

    // The names in id order, in one buffer, which the map below borrows.
    let name_bytes = firsts.iter().map(|&i| name(i).len()).fold(0usize, usize::saturating_add);
    let names = StringTable::concat(firsts.iter().map(|&i| name(i)), name_bytes)?;
    let canonical = canonical_names(&names, &firsts, &mut problems);
    drop(firsts);
    let ids = NameIndex::new(&names);
    let edges = resolve_dependencies(dependencies, &ids, &names, &mut problems);
    drop(ids);
    if !problems.is_empty() {
        return Err(problems.into_diagnostics());
    }
    let mut index = build(services, names, &id_of, &edges)?;
    index.canonical = canonical;
    Ok(index)
}

/// The canonical forms of the service names that differ from them, sorted, with their ids;
/// reports two services whose names have the same canonical form (`Payments` and
/// `payments`), which a change could not tell apart. `firsts` maps ids to document indices.
fn canonical_names(names: &StringTable, firsts: &[u32], problems: &mut Problems) -> Vec<(Box<str>, u32)> {
    let mut side: Vec<(Box<str>, u32)> = Vec::new();
    let at = |id: u32| firsts.get(id as usize).copied().unwrap_or(0);
    let collision =
        |problems: &mut Problems, id: u32, this: &str, other_id: u32, other: &str, canonical: &str| {
            let d = Diagnostic::error(
                DiagnosticKind::DuplicateService,
                format!("services `{this}` and `{other}` have the same canonical name `{canonical}`"),
            )
            .with_path(format!("services[{}].name", at(id)))
            .with_help(format!(
                "service names match by canonical form (case, width, invisible characters and \
             surrounding whitespace do not count), so `{other}` at `services[{}]` is the same \
             name; rename or remove one",
                at(other_id)
            ));
            problems.service(at(id) as usize, 0, d);
        };
    for (id, this) in (0u32..).map_while(|id| names.get(id).map(|n| (id, n))) {
        if crate::input::is_canonical_ascii(this) {
            continue;
        }
        let canonical = crate::input::canonical_name(this);
        if canonical == this {
            continue;
        }
        if canonical.is_empty() {
            let d = Diagnostic::error(
                DiagnosticKind::InvalidInput,
                format!("service name `{}` is empty once canonical", this.escape_debug()),
            )
            .with_path(format!("services[{}].name", at(id)))
            .with_help("a service name needs a visible character");
            problems.service(at(id) as usize, 0, d);
            continue;
        }
        match names.find(&canonical) {
            Some(other) => collision(problems, id, this, other, names.get(other).unwrap_or(""), &canonical),
            None => side.push((canonical.into_boxed_str(), id)),
        }
    }
    side.sort_unstable();
    for pair in side.windows(2) {
        if let [(a, a_id), (b, b_id)] = pair
            && a == b
        {
            let (this, other) = (names.get(*b_id).unwrap_or(""), names.get(*a_id).unwrap_or(""));
            collision(problems, *b_id, this, *a_id, other, b);
        }
    }
    side.dedup_by(|b, a| a.0 == b.0);
    side
}

fn check_service(i: usize, service: &Service, problems: &mut Problems) {
    let who = &service.name;
    if service.name.is_empty() {
        let d = Diagnostic::error(DiagnosticKind::InvalidInput, "service name is empty")
            .with_path(format!("services[{i}].name"))
            .with_help("give every service a unique, non-empty name");
        problems.service(i, 0, d);
    }
    if let Some(tier) = service.tier.filter(|&t| t > MAX_TIER) {
        let d = Diagnostic::error(
            DiagnosticKind::InvalidInput,
            format!("tier `{tier}` of service `{who}` is out of range"),
        )
        .with_path(format!("services[{i}].tier"))
        .with_help(format!("tiers go from 0 (most critical) to {MAX_TIER}"));
        problems.service(i, 1, d);
    }
    if service.team.as_deref() == Some("") {
        let d = Diagnostic::error(DiagnosticKind::InvalidInput, format!("team of service `{who}` is empty"))
            .with_path(format!("services[{i}].team"))
            .with_help("leave `team` out when the service has no team");
        problems.service(i, 2, d);
    }
    let share = service.traffic_share;
    if !(0.0..=1.0).contains(&share) {
        let message = if share.is_nan() {
            format!("traffic share of service `{who}` is not a number")
        } else {
            format!("traffic share `{share}` of service `{who}` is outside [0, 1]")
        };
        let d = Diagnostic::error(DiagnosticKind::InvalidInput, message)
            .with_path(format!("services[{i}].traffic_share"))
            .with_help("a traffic share is the fraction of all user requests, from 0 to 1");
        problems.service(i, 3, d);
    }
    for (j, region) in service.regions.iter().enumerate() {
        if region.is_empty() {
            let d = Diagnostic::error(
                DiagnosticKind::InvalidInput,
                format!("region of service `{who}` is empty"),
            )
            .with_path(format!("services[{i}].regions[{j}]"))
            .with_help("remove the empty region");
            problems.service(i, 4, d);
        }
    }
}

/// Edges as `(callee, caller)` id pairs, hard and soft; empty once a problem is found.
struct Edges {
    hard: Vec<(u32, u32)>,
    soft: Vec<(u32, u32)>,
}

fn resolve_dependencies<'a>(
    dependencies: &'a [Dependency],
    ids: &NameIndex,
    names: &StringTable,
    problems: &mut Problems,
) -> Edges {
    let soft = dependencies.iter().filter(|d| d.kind == DependencyKind::Soft).count();
    let mut edges =
        Edges { hard: Vec::with_capacity(dependencies.len() - soft), soft: Vec::with_capacity(soft) };
    let mut suggestions: HashMap<&str, Option<String>> = HashMap::new();
    let mut suggest = |unknown: &'a str| -> Option<String> {
        if let Some(known) = suggestions.get(unknown) {
            return known.clone();
        }
        let help = (suggestions.len() < SUGGESTIONS)
            .then(|| did_you_mean(unknown, (0u32..).map_while(|id| names.get(id))))
            .flatten();
        suggestions.insert(unknown, help.clone());
        help
    };
    // Documents tend to list a caller's dependencies together: remember the last caller.
    let mut last_from: Option<(&str, u32)> = None;
    for (j, dependency) in dependencies.iter().enumerate() {
        let mut lookup = |field: &str, ordinal: u8, wanted: &'a str| -> Option<u32> {
            let found = ids.get(names, wanted);
            if found.is_none() {
                let d = if wanted.is_empty() {
                    Diagnostic::error(DiagnosticKind::InvalidInput, "service name is empty")
                        .with_help("name a service declared in `services`")
                } else {
                    let help = suggest(wanted)
                        .unwrap_or_else(|| format!("declare `{wanted}` in `services`, or fix the name"));
                    Diagnostic::error(DiagnosticKind::UnknownService, format!("unknown service `{wanted}`"))
                        .with_help(help)
                };
                problems.dependency(j, ordinal, d.with_path(format!("dependencies[{j}].{field}")));
            }
            found
        };
        let from = match last_from {
            Some((name, id)) if name == dependency.from => Some(id),
            _ => lookup("from", 0, &dependency.from),
        };
        if let Some(id) = from {
            last_from = Some((&dependency.from, id));
        }
        let to = lookup("to", 1, &dependency.to);
        let (Some(from), Some(to)) = (from, to) else { continue };
        if from == to {
            let d = Diagnostic::error(
                DiagnosticKind::SelfDependency,
                format!("service `{}` depends on itself", dependency.from),
            )
            .with_path(format!("dependencies[{j}]"))
            .with_help(format!("remove `dependencies[{j}]`; cycles through other services are allowed"));
            problems.dependency(j, 2, d);
        } else if problems.is_empty() {
            match dependency.kind {
                DependencyKind::Hard => edges.hard.push((to, from)),
                DependencyKind::Soft => edges.soft.push((to, from)),
            }
        }
    }
    edges
}

/// A "did you mean" over `candidates`, looking only at names of a plausible length.
fn did_you_mean<'c>(unknown: &str, candidates: impl Iterator<Item = &'c str>) -> Option<String> {
    let chars = unknown.chars().count();
    if chars > SUGGESTION_CHARS {
        return None;
    }
    let plausible = candidates.filter(|c| {
        // `fuzzy::closest` accepts at most a third of the longer length in edits.
        let other = c.chars().count();
        chars.abs_diff(other) <= (chars.max(other) / 3).max(1)
    });
    crate::fuzzy::did_you_mean(unknown, plausible)
}

/// Builds the index of a valid document, whose names are `names` in id order (no duplicates:
/// `id_of` maps document indices to ids one to one).
fn build(
    services: &[Service],
    names: StringTable,
    id_of: &[u32],
    edges: &Edges,
) -> Result<Index, Diagnostics> {
    let count = names.len();

    // In document order, written at each service's id.
    let mut tiers = vec![NO_TIER; count];
    let mut shares = vec![0.0f64; count];
    let mut teams = vec![NO_TEAM; count];
    let mut team_interner = Interner::default();
    let mut region_interner = Interner::default();
    let mut region_pairs: Vec<(u32, u32)> = Vec::new();
    let mut tag_interner = Interner::default();
    let mut tag_triples: Vec<(u32, u32, u32)> = Vec::new();
    for (service, &id) in services.iter().zip(id_of) {
        let at = id as usize;
        if let Some(slot) = tiers.get_mut(at) {
            *slot = service.tier.and_then(|t| u8::try_from(t).ok()).unwrap_or(NO_TIER);
        }
        if let Some(slot) = shares.get_mut(at) {
            *slot = service.traffic_share;
        }
        if let (Some(slot), Some(team)) = (teams.get_mut(at), &service.team) {
            *slot = team_interner.intern(team);
        }
        for region in &service.regions {
            region_pairs.push((id, region_interner.intern(region)));
        }
        for (key, value) in &service.tags {
            tag_triples.push((id, tag_interner.intern(key), tag_interner.intern(value)));
        }
    }

    let (team_names, remap) = team_interner.finish()?;
    for team in teams.iter_mut().filter(|t| **t != NO_TEAM) {
        *team = remap.get(*team as usize).copied().unwrap_or(NO_TEAM);
    }

    let (region_names, remap) = region_interner.finish()?;
    for (_, region) in &mut region_pairs {
        *region = remap.get(*region as usize).copied().unwrap_or(*region);
    }
    let regions = Csr::from_pairs(count, &region_pairs);
    drop(region_pairs);

    let (tag_texts, remap) = tag_interner.finish()?;
    for (_, key, value) in &mut tag_triples {
        *key = remap.get(*key as usize).copied().unwrap_or(*key);
        *value = remap.get(*value as usize).copied().unwrap_or(*value);
    }
    // Keys are distinct per service and ranks follow text order: this sorts by id then key.
    tag_triples.sort_unstable();
    let mut tag_offsets: Vec<u32> = Vec::with_capacity(count + 1);
    let mut triples = tag_triples.iter().peekable();
    tag_offsets.push(0);
    for id in (0u32..).take(count) {
        let mut end = tag_offsets.last().copied().unwrap_or(0);
        while triples.next_if(|t| t.0 == id).is_some() {
            end = end.saturating_add(1);
        }
        tag_offsets.push(end);
    }
    u32::try_from(tag_triples.len()).map_err(|_| too_large())?;
    let tags: Vec<[u32; 2]> = tag_triples.iter().map(|&(_, key, value)| [key, value]).collect();
    drop(tag_triples);

    let hard_callers = Csr::from_pairs(count, &edges.hard);
    let mut soft_callers = Csr::from_pairs(count, &edges.soft);
    soft_callers.remove_common(&hard_callers);

    Ok(Index {
        names: std::sync::Arc::new(names),
        tiers,
        teams,
        team_names: std::sync::Arc::new(team_names),
        shares,
        regions,
        region_names: std::sync::Arc::new(region_names),
        tag_offsets,
        tags,
        tag_texts,
        hard_callers,
        soft_callers,
        canonical: Vec::new(),
    })
}
