//! cel-go's regex library (`regex` namespace): `regex.replace`, `regex.extract` and
//! `regex.extractAll`, run with a pattern [`super::regex`] compiled (a literal one at load
//! time, another through the budget), and the list of matches `findAll` builds too.
//!
//! - `regex.replace(text, pattern, replacement)` replaces every non-overlapping match, and
//!   `regex.replace(text, pattern, replacement, n)` the first `n` (all when `n` is negative,
//!   none when it is 0). In the replacement, `\0` to `\9` stand for the text of that group
//!   (`\0` the whole match; nothing for a group that took no part in the match) and `\\` for
//!   one backslash; `$` is an ordinary character. Any other character after a backslash, a
//!   backslash at the end, or a group the pattern does not have is an error, found before
//!   matching (cel-go finds it at the first match, so that it goes unnoticed when nothing
//!   matches).
//! - `regex.extract(text, pattern)`: the first match, `optional.of(…)`, or `optional.none()`;
//!   when the pattern has a capture group, the text of that group, and `optional.none()` when
//!   the group is empty or took no part in the match.
//! - `regex.extractAll(text, pattern)`: every non-overlapping match, or with a capture group
//!   the text of that group in each match where it is not empty.
//!
//! `extract` and `extractAll` refuse a pattern with more than one capture group (at load time
//! when the pattern is a literal). Matches follow the `regex` crate's iteration: after a
//! match, an empty match where it ends is skipped, as in Go.

use regex::{Captures, Regex};

use super::cost::{Cost, text_steps};
use crate::cel::value::{EvalError, OptionalValue, Value};

/// Groups a replacement can name: `\0` to `\9`.
const NAMEABLE: usize = 10;

/// The number of capture groups of `re`, the whole match not counted.
pub(crate) fn groups(re: &Regex) -> usize {
    re.captures_len().saturating_sub(1)
}

/// Refuses, for `function` (`regex.extract` or `regex.extractAll`), a pattern with more
/// than one capture group.
///
/// # Errors
///
/// A one-line message naming the pattern and its number of groups.
pub(crate) fn at_most_one_group(function: &str, re: &Regex) -> Result<(), String> {
    match groups(re) {
        0 | 1 => Ok(()),
        n => Err(format!(
            "regular expression `{}` has {n} capture groups: `{function}` takes one at most",
            re.as_str()
        )),
    }
}

/// A piece of a replacement: text copied as it is, or the text of a group.
enum Piece<'r> {
    Text(&'r str),
    Group(usize),
}

/// A replacement string checked against the groups of a pattern, in pieces.
pub(crate) struct Template<'r> {
    pieces: Vec<Piece<'r>>,
    /// Bytes of text the replacement adds per match, group references aside.
    text_bytes: usize,
    /// How many times each group `\0` … `\9` is referred to.
    uses: [usize; NAMEABLE],
}

impl<'r> Template<'r> {
    /// Checks `replacement` for a pattern with `groups` capture groups and splits it.
    ///
    /// # Errors
    ///
    /// A one-line message for a backslash at the end, a backslash followed by anything but a
    /// digit or a backslash, or a reference to a group the pattern does not have.
    pub(crate) fn parse(replacement: &'r str, groups: usize) -> Result<Self, String> {
        let mut template = Template { pieces: Vec::new(), text_bytes: 0, uses: [0; NAMEABLE] };
        let invalid = |what: String| format!("invalid replacement `{replacement}`: {what}");
        // Where the text not yet pushed starts.
        let mut start = 0;
        let mut chars = replacement.char_indices();
        while let Some((at, c)) = chars.next() {
            if c != '\\' {
                continue;
            }
            template.text(replacement.get(start..at).unwrap_or(""));
            match chars.next() {
                // The second backslash starts the next run of text.
                Some((next, '\\')) => start = next,
                Some((next, digit)) if digit.is_ascii_digit() => {
                    let group = digit.to_digit(10).and_then(|d| usize::try_from(d).ok()).unwrap_or(0);
                    if group > groups {
                        return Err(invalid(format!(
                            "`\\{group}` refers to group {group}, but the pattern has {groups} capture group(s)"
                        )));
                    }
                    if let Some(n) = template.uses.get_mut(group) {
                        *n += 1;
                    }
                    template.pieces.push(Piece::Group(group));
                    start = next + digit.len_utf8();
                }
                Some((_, other)) => {
                    return Err(invalid(format!(
                        "`\\{other}` is not a group reference (`\\0` to `\\9`) nor `\\\\`"
                    )));
                }
                None => return Err(invalid("it ends with a lone `\\`".to_owned())),
            }
        }
        template.text(replacement.get(start..).unwrap_or(""));
        Ok(template)
    }

    fn text(&mut self, run: &'r str) {
        if !run.is_empty() {
            self.text_bytes += run.len();
            self.pieces.push(Piece::Text(run));
        }
    }

    /// The number of group references.
    fn references(&self) -> usize {
        self.uses.iter().sum()
    }

    /// The length of the replacement of the match `caps`, in at most ten steps.
    fn expanded_len(&self, caps: &Captures<'_>) -> usize {
        self.uses.iter().enumerate().fold(self.text_bytes, |total, (group, &uses)| {
            let len = caps.get(group).map_or(0, |m| m.len());
            total.saturating_add(uses.saturating_mul(len))
        })
    }

    fn expand_into(&self, caps: &Captures<'_>, out: &mut String) {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Group(group) => out.push_str(caps.get(*group).map_or("", |m| m.as_str())),
            }
        }
    }
}

/// `regex.replace`: the first `limit` matches of `re` in `subject` (whose text is `text`)
/// replaced by `replacement`. `charge` is called before each step: reading the replacement,
/// reading the text twice (once to measure the result, once to build it), then building the
/// result, one more step per match and per group reference expanded.
///
/// # Errors
///
/// An invalid replacement; whatever `charge` refuses.
pub(crate) fn replace<'a>(
    re: &Regex,
    subject: &Value<'a>,
    text: &str,
    replacement: &str,
    limit: usize,
    charge: &mut dyn FnMut(Cost) -> Result<(), EvalError>,
) -> Result<Value<'a>, EvalError> {
    charge(Cost::scan(text_steps(replacement.len())))?;
    let template = Template::parse(replacement, groups(re)).map_err(EvalError::invalid_argument)?;
    if limit == 0 {
        return Ok(subject.clone());
    }
    charge(Cost::scan(text_steps(text.len()).saturating_mul(2)))?;
    let (matches, len) = re.captures_iter(text).take(limit).fold((0usize, text.len()), |(n, len), caps| {
        let whole = caps.get(0).map_or(0, |m| m.len());
        (n + 1, len.saturating_sub(whole).saturating_add(template.expanded_len(&caps)))
    });
    if matches == 0 {
        return Ok(subject.clone());
    }
    let mut cost = Cost::text(0, len);
    let work = matches.saturating_mul(template.references().saturating_add(1));
    cost.steps = cost.steps.saturating_add(u64::try_from(work).unwrap_or(u64::MAX));
    charge(cost)?;
    let mut out = String::with_capacity(len);
    let mut last = 0;
    for caps in re.captures_iter(text).take(matches) {
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(text.get(last..whole.start()).unwrap_or(""));
        template.expand_into(&caps, &mut out);
        last = whole.end();
    }
    out.push_str(text.get(last..).unwrap_or(""));
    Ok(Value::string(out))
}

/// `regex.extract` (the first match of `re` in `text`, or of its capture group, optional) or
/// with `all`, `regex.extractAll` (the list of every one).
///
/// # Errors
///
/// A pattern with more than one group; whatever `charge` refuses.
pub(crate) fn extract<'a>(
    re: &Regex,
    text: &str,
    all: bool,
    charge: &mut dyn FnMut(Cost) -> Result<(), EvalError>,
) -> Result<Value<'a>, EvalError> {
    let function = if all { "regex.extractAll" } else { "regex.extract" };
    at_most_one_group(function, re).map_err(EvalError::invalid_argument)?;
    let group = groups(re) == 1;
    if all {
        return match_list(re, text, usize::MAX, group, charge);
    }
    charge(Cost::scan(text_steps(text.len())))?;
    let found = if group {
        re.captures(text).and_then(|caps| caps.get(1)).map(|m| m.as_str()).filter(|s| !s.is_empty())
    } else {
        re.find(text).map(|m| m.as_str())
    };
    let Some(found) = found else {
        return Ok(Value::Optional(OptionalValue::none()));
    };
    charge(Cost::text(0, found.len()))?;
    Ok(Value::Optional(OptionalValue::of(Value::string(found))))
}

/// The list of the first `limit` matches of `re` in `text`: their whole text, or with
/// `group`, the text of group 1 where it is not empty. The text is read twice, once to count
/// and measure the list, once to build it; both are charged first, then the list.
///
/// # Errors
///
/// Whatever `charge` refuses.
pub(crate) fn match_list<'a>(
    re: &Regex,
    text: &str,
    limit: usize,
    group: bool,
    charge: &mut dyn FnMut(Cost) -> Result<(), EvalError>,
) -> Result<Value<'a>, EvalError> {
    if limit == 0 {
        return Ok(Value::list(Vec::new()));
    }
    charge(Cost::scan(text_steps(text.len()).saturating_mul(2)))?;
    let (mut count, mut bytes) = (0usize, 0usize);
    each_match(re, text, limit, group, &mut |s| {
        count += 1;
        bytes = bytes.saturating_add(s.len());
    });
    charge(Cost::list(count, bytes))?;
    let mut items: Vec<Value<'a>> = Vec::with_capacity(count);
    each_match(re, text, limit, group, &mut |s| {
        if items.len() < count {
            items.push(Value::string(s));
        }
    });
    Ok(Value::list(items))
}

/// Calls `f` with the text of each of the first `limit` matches: the whole match, or with
/// `group`, group 1 when it is not empty.
fn each_match(re: &Regex, text: &str, limit: usize, group: bool, f: &mut dyn FnMut(&str)) {
    if group {
        re.captures_iter(text)
            .take(limit)
            .filter_map(|caps| caps.get(1).map(|m| m.as_str()))
            .filter(|s| !s.is_empty())
            .for_each(f);
    } else {
        re.find_iter(text).take(limit).map(|m| m.as_str()).for_each(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace_all(text: &str, pattern: &str, replacement: &str) -> Result<String, EvalError> {
        let re = Regex::new(pattern).unwrap();
        let v = replace(&re, &Value::str(text), text, replacement, usize::MAX, &mut |_| Ok(()))?;
        Ok(v.as_str().unwrap().to_owned())
    }

    #[test]
    fn replacements_expand_groups_and_backslashes() {
        assert_eq!(replace_all("foo bar", "(fo)o (ba)r", r"\2 \1").unwrap(), "ba fo");
        assert_eq!(replace_all("abc", "b", r"[\0\\]").unwrap(), r"a[b\]c");
        assert_eq!(replace_all("abc", "b", "$0").unwrap(), "a$0c");
        assert_eq!(replace_all("ac", "a(x)?", r"<\1>").unwrap(), "<>c");
        assert_eq!(replace_all("abc", "", "-").unwrap(), "-a-b-c-");
        assert_eq!(replace_all("héllo", "é", r"\\\0\\").unwrap(), r"h\é\llo");
    }

    #[test]
    fn bad_replacements_are_refused_before_matching() {
        let e = replace_all("test", "(.)", r"\2").unwrap_err();
        assert_eq!(
            e.message(),
            "invalid replacement `\\2`: `\\2` refers to group 2, but the pattern has 1 capture group(s)"
        );
        let e = replace_all("xyz", "(a)", r"\v").unwrap_err();
        assert_eq!(
            e.message(),
            "invalid replacement `\\v`: `\\v` is not a group reference (`\\0` to `\\9`) nor `\\\\`"
        );
        let e = replace_all("xyz", "a", "a\\").unwrap_err();
        assert_eq!(e.message(), "invalid replacement `a\\`: it ends with a lone `\\`");
        assert!(replace_all("x", "x", "\\\u{0663}").is_err());
    }

    #[test]
    fn the_result_is_measured_before_it_is_built() {
        let re = Regex::new("(a)").unwrap();
        let mut charged = Vec::new();
        let v = replace(&re, &Value::str("aaa"), "aaa", r"\1\1-", 2, &mut |c| {
            charged.push(c);
            Ok(())
        })
        .unwrap();
        assert_eq!(v.as_str(), Some("aa-aa-a"));
        // The replacement, the text twice, then 7 bytes and 2 matches of 2 references each.
        assert_eq!(charged.last().copied(), Some(Cost { steps: 6, bytes: 7 }));
    }
}
