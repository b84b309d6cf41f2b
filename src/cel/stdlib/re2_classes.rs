//! RE2's meaning of the Perl classes, for the `regex` crate.
//!
//! CEL's regular expressions are RE2's, where `\d`, `\w`, `\s` and the word boundaries `\b`,
//! `\B` are ASCII: `\d` is `[0-9]`, `\w` is `[0-9A-Za-z_]`, `\s` is `[\t\n\f\r ]`. The `regex`
//! crate reads them as Unicode classes, so `'CHG-١٢٣'.matches('^CHG-\\d+$')` (Arabic-Indic
//! digits) would hold here and not in cel-go or Kubernetes, and a pattern written to admit
//! ASCII identifiers would admit look-alikes. [`re2_classes`] rewrites those escapes into
//! the explicit ASCII classes before the pattern is compiled; everything else (Unicode
//! letters in `.` and `\pL`, case folding) is left to the crate, which agrees with RE2 there.

use std::borrow::Cow;

/// `pattern` with `\d \D \w \W \s \S \b \B` replaced by their RE2 (ASCII) meaning, inside
/// and outside bracketed classes; borrowed unchanged when it has none of them. Escapes of
/// other characters (`\\`, `\[`, `\pL`, `\x{..}`) are copied as they are, so a backslash
/// written as `\\` never starts a class. An unbalanced pattern is copied as far as it goes,
/// for the compiler to reject.
pub(crate) fn re2_classes(pattern: &str) -> Cow<'_, str> {
    if !has_perl_class(pattern) {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    // Depth of bracketed classes (the crate allows them nested); 0 is outside any.
    let mut depth = 0usize;
    // Whether the next character is the first of a class, where `]` is a literal.
    let mut class_start = false;
    let mut chars = pattern.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let first = std::mem::take(&mut class_start);
        match c {
            '\\' => match chars.next() {
                Some((_, e)) => match (depth, perl_class(e)) {
                    (0, Some(class)) => out.push_str(class.outside),
                    (_, Some(class)) => out.push_str(class.inside),
                    (_, None) => {
                        out.push('\\');
                        out.push(e);
                    }
                },
                None => out.push('\\'),
            },
            '[' => {
                out.push('[');
                let rest = pattern.get(at + 1..).unwrap_or("");
                // An ASCII class such as `[:alpha:]` inside a class, copied through its `:]`.
                if depth > 0
                    && rest.starts_with(':')
                    && let Some(name) = rest.find(":]").and_then(|end| rest.get(..end + 2))
                {
                    out.push_str(name);
                    chars.nth(name.chars().count().saturating_sub(1));
                    continue;
                }
                depth += 1;
                if chars.peek().is_some_and(|&(_, n)| n == '^') {
                    out.push('^');
                    chars.next();
                }
                class_start = true;
            }
            ']' if depth > 0 && !first => {
                out.push(']');
                depth -= 1;
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `pattern` has one of the escapes to rewrite (a quick test before copying; it may
/// say yes for `\\d`, which the rewrite then copies unchanged).
fn has_perl_class(pattern: &str) -> bool {
    pattern.as_bytes().windows(2).any(|w| matches!(w, [b'\\', e] if perl_class(char::from(*e)).is_some()))
}

/// What one Perl escape becomes outside a class and inside one.
struct Rewrite {
    outside: &'static str,
    inside: &'static str,
}

fn perl_class(escape: char) -> Option<Rewrite> {
    // `\x20` rather than a space, so that verbose mode `(?x)` does not drop it.
    let (outside, inside) = match escape {
        'd' => ("[0-9]", "0-9"),
        'D' => ("[^0-9]", "[^0-9]"),
        'w' => ("[0-9A-Za-z_]", "0-9A-Za-z_"),
        'W' => ("[^0-9A-Za-z_]", "[^0-9A-Za-z_]"),
        's' => ("[\\t\\n\\f\\r\\x20]", "\\t\\n\\f\\r\\x20"),
        'S' => ("[^\\t\\n\\f\\r\\x20]", "[^\\t\\n\\f\\r\\x20]"),
        // Not valid inside a class; left for the compiler to reject there.
        'b' => ("(?-u:\\b)", "\\b"),
        'B' => ("(?-u:\\B)", "\\B"),
        _ => return None,
    };
    Some(Rewrite { outside, inside })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::re2_classes;

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(&re2_classes(pattern)).unwrap().is_match(text)
    }

    #[test]
    fn perl_classes_are_ascii() {
        assert!(matches(r"^CHG-\d+$", "CHG-123"));
        assert!(!matches(r"^CHG-\d+$", "CHG-١٢٣"));
        assert!(!matches(r"^\w+$", "pаyments")); // Cyrillic а
        assert!(matches(r"^\w+$", "payments_2"));
        assert!(!matches(r"\s", "a\u{00a0}b")); // no-break space
        assert!(!matches(r"\s", "a\u{000b}b")); // RE2's \s has no vertical tab
        assert!(matches(r"\s", "a\tb"));
        assert!(matches(r"^\D+$", "١٢٣"));
        assert!(matches(r"^\W$", "é"));
        assert!(matches(r"^\S+$", "a\u{00a0}b"));
    }

    #[test]
    fn word_boundaries_are_ascii() {
        // `é` is not a word character in RE2, so there is a boundary between it and `x`.
        assert!(matches(r"\bx", "éx"));
        assert!(!matches(r"\Bx", "éx"));
        assert!(matches(r"\bcat\b", "a cat!"));
    }

    #[test]
    fn classes_inside_brackets() {
        assert!(matches(r"^[\d.]+$", "1.2.3"));
        assert!(!matches(r"^[\d.]+$", "1.٢.3"));
        assert!(matches(r"^[^\d]+$", "abc"));
        assert!(!matches(r"^[^\d]+$", "ab1"));
        assert!(matches(r"^[a\D]+$", "a٢"));
        assert!(matches(r"^[[:alpha:]\d]+$", "ab12"));
        assert!(matches(r"^[]\d]+$", "]1"));
        assert!(matches(r"^[^]\d]+$", "ab"));
    }

    #[test]
    fn other_escapes_are_copied() {
        assert_eq!(re2_classes(r"a\.b"), r"a\.b");
        assert!(matches(r"^\\d$", r"\d"));
        assert!(!matches(r"^\\d$", "1"));
        assert!(matches(r"^\pL+$", "éa"));
        assert!(matches(r"^\[\d\]$", "[1]"));
        assert!(matches(r"(?x) \d \s \d ", "1 2"));
        assert!(matches(r"(?i)^\w$", "K"));
    }

    #[test]
    fn unbalanced_patterns_are_left_to_the_compiler() {
        for p in [r"[\d", r"\", r"[[:alpha:]", r"a\d["] {
            assert!(regex::Regex::new(&re2_classes(p)).is_err(), "{p}");
        }
    }
}
