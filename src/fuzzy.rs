//! "Did you mean": the closest known name to a misspelt one.
//!
//! A generic helper that knows nothing of policies: optimal string alignment distance
//! (Levenshtein plus adjacent transpositions), bounded so that only plausible suggestions are
//! made.

/// The candidate closest to `name`, if one is close enough to be a plausible typo.
///
/// Close enough means an edit distance of at most a third of the longer name (at least 1), or
/// the same name in a different case. Ties go to the candidate listed first.
#[must_use]
pub(crate) fn closest<'c, I>(name: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    let mut best: Option<(usize, &'c str)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let dist = if cand.eq_ignore_ascii_case(name) { 0 } else { distance(name, cand) };
        let limit = (name.chars().count().max(cand.chars().count()) / 3).max(1);
        if dist <= limit && best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance between `a` and `b`, counted in characters.
#[must_use]
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    // Three rolling rows: two back (for transpositions), previous, current.
    let mut two_back = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for (i, &ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let deletion = prev.get(j + 1).copied().unwrap_or(usize::MAX).saturating_add(1);
            let insertion = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            let substitution = prev.get(j).copied().unwrap_or(usize::MAX).saturating_add(cost);
            let mut best = deletion.min(insertion).min(substitution);
            if i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca) {
                best = best.min(two_back.get(j - 1).copied().unwrap_or(usize::MAX).saturating_add(1));
            }
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = best;
            }
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().unwrap_or(0)
}

/// Formats the standard help for a misspelt name: ``did you mean `x`?``.
#[must_use]
pub(crate) fn did_you_mean<'c, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'c str>,
{
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("enviroment", "environment"), 1);
        assert_eq!(distance("ab", "ba"), 1);
    }

    #[test]
    fn suggests_only_plausible_names() {
        let fields = ["id", "environment", "author", "services"];
        assert_eq!(closest("enviroment", fields), Some("environment"));
        assert_eq!(closest("servces", fields), Some("services"));
        assert_eq!(closest("Author", fields), Some("author"));
        assert_eq!(closest("zzzzzz", fields), None);
        assert_eq!(closest("id", fields), None);
    }
}
