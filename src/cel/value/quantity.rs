//! Kubernetes resource quantities (`"1Gi"`, `"250m"`, `"1.5e3"`), exact.
//!
//! A quantity is an exact decimal: a coefficient times a power of ten, normalized so that the
//! coefficient has no trailing zeros. The binary suffixes (`Ki` … `Ei`) multiply the coefficient
//! by powers of two, which are exact too. As in Kubernetes, amounts are kept to the nano
//! (`10⁻⁹`): finer ones round up, away from zero. A coefficient is an `i128`: a quantity or a sum
//! that needs more digits (about 38) is refused rather than approximated.

use std::cmp::Ordering;
use std::fmt;

/// The most digits an exponent (`1e…`) may have, and the largest scale a quantity may carry:
/// enough for any real resource, small enough that printing one stays short.
const MAX_SCALE: i32 = 1_000;

/// The finest amount kept: nano.
const MIN_SCALE: i32 = -9;

/// How a quantity was written, which is how it prints: with binary suffixes, decimal
/// suffixes, or a decimal exponent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    BinarySi,
    DecimalSi,
    DecimalExponent,
}

/// An exact quantity: `coeff × 10^scale`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Quantity {
    coeff: i128,
    scale: i32,
    format: Format,
}

/// The decimal suffixes and their powers of ten.
const DECIMAL: [(&str, i32); 9] =
    [("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15)];
/// The exa suffix, apart: `E` alone is exa, while `E` followed by digits is an exponent.
const EXA: (&str, i32) = ("E", 18);
/// The binary suffixes and their powers of 1024.
const BINARY: [(&str, u32); 6] = [("Ki", 1), ("Mi", 2), ("Gi", 3), ("Ti", 4), ("Pi", 5), ("Ei", 6)];

impl Quantity {
    /// Parses a quantity: an optionally signed decimal number and a suffix.
    pub(crate) fn parse(text: &str) -> Result<Quantity, String> {
        let bad =
            || format!("invalid quantity `{text}`: expected a number and a unit such as `Ki`, `M` or `m`");
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..).unwrap_or("")),
            Some(b'+') => (false, text.get(1..).unwrap_or("")),
            _ => (false, text),
        };
        let number_len = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let (number, suffix) = rest.split_at_checked(number_len).ok_or_else(bad)?;
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
            return Err(bad());
        }
        let too_large = || format!("quantity `{text}` has too many digits");
        // Zeros are held back until a non-zero digit follows, so that trailing zeros (`1000…0`)
        // cost no coefficient digits.
        let mut coeff: i128 = 0;
        let mut zeros: i32 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            if b == b'0' {
                zeros = zeros.saturating_add(1);
                continue;
            }
            for _ in 0..=zeros {
                coeff = coeff.checked_mul(10).ok_or_else(too_large)?;
            }
            coeff = coeff.checked_add(i128::from(b - b'0')).ok_or_else(too_large)?;
            zeros = 0;
        }
        let frac_digits = i32::try_from(frac_part.len()).map_err(|_| too_large())?.saturating_sub(zeros);
        let (format, exponent, binary) = parse_suffix(suffix).ok_or_else(bad)?;
        if negative {
            coeff = -coeff;
        }
        for _ in 0..binary {
            coeff = coeff.checked_mul(1024).ok_or_else(too_large)?;
        }
        let q = Quantity { coeff, scale: exponent.saturating_sub(frac_digits), format };
        q.normalized().ok_or_else(too_large)
    }

    /// A whole number as a quantity.
    pub(crate) fn from_int(i: i64) -> Quantity {
        let q = Quantity { coeff: i128::from(i), scale: 0, format: Format::DecimalSi };
        // An i64 has at most 19 digits: normalizing it cannot fail.
        q.clone().normalized().unwrap_or(q)
    }

    /// Strips trailing zeros, rounds up to the nano, and refuses a scale beyond the bounds.
    fn normalized(mut self) -> Option<Quantity> {
        if self.coeff == 0 {
            self.scale = 0;
            return Some(self);
        }
        while self.scale < MIN_SCALE {
            // Rounds away from zero: 1.5n is 2n, and so is 1.1n.
            let (q, r) = (self.coeff / 10, self.coeff % 10);
            self.coeff = q + r.signum();
            self.scale += 1;
        }
        while self.coeff % 10 == 0 {
            self.coeff /= 10;
            self.scale = self.scale.checked_add(1)?;
        }
        (self.scale <= MAX_SCALE).then_some(self)
    }

    /// -1, 0 or 1.
    pub(crate) fn sign(&self) -> i64 {
        i64::try_from(self.coeff.signum()).unwrap_or(0)
    }

    /// The amount as an int, when it is a whole number that fits.
    pub(crate) fn as_int(&self) -> Option<i64> {
        if self.scale < 0 {
            return None;
        }
        let mut v = self.coeff;
        for _ in 0..self.scale {
            v = v.checked_mul(10)?;
        }
        i64::try_from(v).ok()
    }

    /// The nearest double.
    pub(crate) fn as_f64(&self) -> f64 {
        format!("{}e{}", self.coeff, self.scale).parse().unwrap_or(f64::NAN)
    }

    /// Orders two quantities by amount, exactly.
    pub(crate) fn cmp_amount(&self, other: &Quantity) -> Ordering {
        let by_sign = self.coeff.signum().cmp(&other.coeff.signum());
        if by_sign.is_ne() || self.coeff == 0 {
            return by_sign;
        }
        // Same sign, both non-zero: compare magnitudes, the larger first by order of magnitude.
        let magnitude = |q: &Quantity| digits(q.coeff).saturating_add(q.scale);
        let by_magnitude = magnitude(self).cmp(&magnitude(other));
        let by_abs = if by_magnitude.is_ne() {
            by_magnitude
        } else {
            // Same number of digits before the point: align the scales, which cannot overflow
            // by much more than the other coefficient's size.
            let (a, b) = (self.coeff.unsigned_abs(), other.coeff.unsigned_abs());
            match self.scale.cmp(&other.scale) {
                Ordering::Equal => a.cmp(&b),
                Ordering::Greater => {
                    scale_up(a, self.scale - other.scale).map_or(Ordering::Greater, |a| a.cmp(&b))
                }
                Ordering::Less => scale_up(b, other.scale - self.scale).map_or(Ordering::Less, |b| a.cmp(&b)),
            }
        };
        if self.coeff < 0 { by_abs.reverse() } else { by_abs }
    }

    /// The sum, or `None` when it needs more digits than a quantity holds. The result prints in
    /// the format of `self`.
    pub(crate) fn checked_add(&self, other: &Quantity) -> Option<Quantity> {
        let scale = self.scale.min(other.scale);
        let a = scale_signed(self.coeff, self.scale - scale)?;
        let b = scale_signed(other.coeff, other.scale - scale)?;
        Quantity { coeff: a.checked_add(b)?, scale, format: self.format }.normalized()
    }

    /// The difference, or `None` when it needs more digits than a quantity holds.
    pub(crate) fn checked_sub(&self, other: &Quantity) -> Option<Quantity> {
        let negated = Quantity { coeff: other.coeff.checked_neg()?, ..other.clone() };
        self.checked_add(&negated)
    }
}

/// The suffix's format, power of ten and power of 1024.
fn parse_suffix(suffix: &str) -> Option<(Format, i32, u32)> {
    if let Some((_, k)) = BINARY.iter().find(|(s, _)| *s == suffix) {
        return Some((Format::BinarySi, 0, *k));
    }
    if let Some((_, e)) = DECIMAL.iter().chain([&EXA]).find(|(s, _)| *s == suffix) {
        return Some((Format::DecimalSi, *e, 0));
    }
    let exponent = suffix.strip_prefix(['e', 'E'])?;
    let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((Format::DecimalExponent, exponent.parse().ok()?, 0))
}

/// The number of decimal digits of `c` (1 for 0).
fn digits(c: i128) -> i32 {
    let mut n = 1;
    let mut v = c.unsigned_abs() / 10;
    while v > 0 {
        n += 1;
        v /= 10;
    }
    n
}

fn scale_up(v: u128, by: i32) -> Option<u128> {
    (0..by).try_fold(v, |acc, _| acc.checked_mul(10))
}

fn scale_signed(v: i128, by: i32) -> Option<i128> {
    (0..by).try_fold(v, |acc, _| acc.checked_mul(10))
}

impl fmt::Display for Quantity {
    /// The canonical text, as Kubernetes prints a quantity: a whole number with the largest
    /// suffix of the quantity's format that keeps it whole (`1536Mi`, `1500m`, `1500e-3`).
    /// A quantity that is not a whole number of bytes prints with decimal suffixes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.format == Format::BinarySi
            && self.scale >= 0
            && let Some(mut v) = scale_signed(self.coeff, self.scale)
        {
            {
                let mut suffix = "";
                for (s, _) in BINARY {
                    if v == 0 || v % 1024 != 0 {
                        break;
                    }
                    v /= 1024;
                    suffix = s;
                }
                return write!(f, "{v}{suffix}");
            }
        }
        // The largest multiple of 3 not above the scale, within the suffixes' range.
        let exponent = self.scale.div_euclid(3) * 3;
        let zeros = self.scale - exponent.clamp(MIN_SCALE, 18);
        let decimal_suffix = DECIMAL.iter().chain([&EXA]).find(|(_, e)| *e == exponent.clamp(MIN_SCALE, 18));
        match (self.format, decimal_suffix) {
            (Format::DecimalExponent, _) | (_, None) => {
                write_padded(f, self.coeff, self.scale - exponent)?;
                if exponent == 0 { Ok(()) } else { write!(f, "e{exponent}") }
            }
            (_, Some((suffix, _))) if zeros <= 18 => {
                write_padded(f, self.coeff, zeros)?;
                f.write_str(suffix)
            }
            _ => {
                write_padded(f, self.coeff, self.scale - exponent)?;
                write!(f, "e{exponent}")
            }
        }
    }
}

/// Writes `coeff` followed by `zeros` zeros (0 to 2 for a multiple-of-3 exponent).
fn write_padded(f: &mut fmt::Formatter<'_>, coeff: i128, zeros: i32) -> fmt::Result {
    write!(f, "{coeff}")?;
    if coeff != 0 {
        for _ in 0..zeros {
            f.write_str("0")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap()
    }

    #[test]
    fn canonical_text() {
        for (text, shown) in [
            ("1.5Gi", "1536Mi"),
            ("0.5Ki", "512"),
            ("1Ei", "1Ei"),
            ("1000m", "1"),
            ("0.001", "1m"),
            ("123456789", "123456789"),
            ("120e3", "120e3"),
            ("1.2e-7", "120e-9"),
            ("-0", "0"),
            ("100E", "100E"),
            ("1e21", "1e21"),
        ] {
            assert_eq!(q(text).to_string(), shown, "{text}");
        }
    }

    #[test]
    fn limits() {
        assert!(Quantity::parse("1e1001").is_err());
        assert!(Quantity::parse("1e1000").is_ok());
        assert!(Quantity::parse(&"9".repeat(39)).is_err());
        assert_eq!(q(&format!("0.{}1", "0".repeat(500))).to_string(), "1n");
        assert_eq!(q("1e-9999").to_string(), "1e-9");
        assert!(q("1e1000").checked_add(&q("1")).is_none());
        assert_eq!(q("1e1000").cmp_amount(&q("99999999999999999999999999999999999999")), Ordering::Greater);
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,12}",
            "[+-]?[0-9]{0,20}(\\.[0-9]{0,20})?(|n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e[+-]?[0-9]{1,4})",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]
        /// Parsing, printing, ordering and arithmetic never panic; a printed quantity parses back
        /// to the same amount; ordering agrees with subtraction.
        #[test]
        fn quantities_are_exact(a in text(), b in text()) {
            let (Ok(x), Ok(y)) = (Quantity::parse(&a), Quantity::parse(&b)) else { return Ok(()) };
            for v in [&x, &y] {
                let back = Quantity::parse(&v.to_string()).unwrap();
                prop_assert_eq!(back.cmp_amount(v), Ordering::Equal, "{} printed as {}", v.to_string(), back);
                let _ = (v.as_f64(), v.as_int(), v.sign());
            }
            if let Some(d) = x.checked_sub(&y) {
                prop_assert_eq!(d.sign().cmp(&0), x.cmp_amount(&y));
                prop_assert_eq!(d.checked_add(&y).map(|s| s.cmp_amount(&x)), Some(Ordering::Equal));
            }
        }
    }
}
