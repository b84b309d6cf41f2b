//! Timestamps and durations: CEL's ranges, RFC 3339 and Go-style duration text.

use std::fmt;
use std::str::FromStr;

use super::EvalError;

const NANOS_PER_SEC: i64 = 1_000_000_000;
/// 0001-01-01T00:00:00Z.
const MIN_TS_SECS: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z.
const MAX_TS_SECS: i64 = 253_402_300_799;

/// A point in time with nanosecond precision, from year 1 to year 9999 (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// A signed span of time with nanosecond precision, within ±(2^63 - 1) nanoseconds (about 292
/// years): the range of cel-go, the reference implementation, which the conformance suite checks
/// (the difference of the extreme timestamps is an error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Duration {
    /// Total nanoseconds would overflow i64 for CEL's range, so seconds and nanoseconds are
    /// kept apart, normalized so that both have the same sign.
    secs: i64,
    nanos: i32,
}

impl Timestamp {
    /// The Unix epoch.
    pub const UNIX_EPOCH: Timestamp = Timestamp { secs: 0, nanos: 0 };

    /// A timestamp `secs` seconds and `nanos` nanoseconds after the Unix epoch.
    ///
    /// # Errors
    ///
    /// When the result is outside years 1 to 9999 or `nanos` is not below one second.
    pub fn new(secs: i64, nanos: u32) -> Result<Self, EvalError> {
        if !(MIN_TS_SECS..=MAX_TS_SECS).contains(&secs) || nanos >= NANOS_PER_SEC as u32 {
            return Err(EvalError::out_of_range("timestamp out of range"));
        }
        Ok(Timestamp { secs, nanos })
    }

    /// A timestamp from nanoseconds since the Unix epoch.
    ///
    /// # Errors
    ///
    /// When the result is outside years 1 to 9999.
    pub fn from_unix_nanos(total: i128) -> Result<Self, EvalError> {
        let per = i128::from(NANOS_PER_SEC);
        let secs = i64::try_from(total.div_euclid(per))
            .map_err(|_| EvalError::out_of_range("timestamp out of range"))?;
        Timestamp::new(secs, total.rem_euclid(per) as u32)
    }

    /// Seconds since the Unix epoch (floor).
    #[must_use]
    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second, `0..1_000_000_000`.
    #[must_use]
    pub fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// Nanoseconds since the Unix epoch.
    #[must_use]
    pub fn unix_nanos(self) -> i128 {
        i128::from(self.secs) * i128::from(NANOS_PER_SEC) + i128::from(self.nanos)
    }

    /// This timestamp moved by `d`.
    ///
    /// # Errors
    ///
    /// When the result leaves CEL's timestamp range.
    pub fn checked_add(self, d: Duration) -> Result<Self, EvalError> {
        Timestamp::from_unix_nanos(self.unix_nanos() + d.total_nanos())
    }

    /// This timestamp moved back by `d`.
    ///
    /// # Errors
    ///
    /// When the result leaves CEL's timestamp range.
    pub fn checked_sub(self, d: Duration) -> Result<Self, EvalError> {
        Timestamp::from_unix_nanos(self.unix_nanos() - d.total_nanos())
    }

    /// The duration from `other` to `self`.
    ///
    /// # Errors
    ///
    /// When the difference exceeds CEL's duration range.
    pub fn since(self, other: Timestamp) -> Result<Duration, EvalError> {
        Duration::from_nanos(self.unix_nanos() - other.unix_nanos())
    }

    /// Parses RFC 3339 text (`2026-03-02T10:00:00Z`, `2026-03-02T11:00:00.5+01:00`).
    ///
    /// # Errors
    ///
    /// When the text is not RFC 3339 or is outside years 1 to 9999.
    pub fn parse(text: &str) -> Result<Self, EvalError> {
        parse_rfc3339(text.as_bytes())
            .ok_or_else(|| EvalError::conversion(format!("timestamp `{text}` is not RFC 3339")))
            .and_then(|(secs, nanos)| Timestamp::new(secs, nanos))
    }

    /// The UTC calendar fields: (year, month 1–12, day 1–31, hour, minute, second).
    #[must_use]
    pub fn utc_fields(self) -> (i64, u32, u32, u32, u32, u32) {
        self.fields_at_offset(0)
    }

    /// The wall-clock calendar fields `offset_secs` seconds east of UTC: (year, month 1–12,
    /// day 1–31, hour, minute, second). Near the ends of the range the year can be 0 or 10 000.
    #[must_use]
    pub fn fields_at_offset(self, offset_secs: i32) -> (i64, u32, u32, u32, u32, u32) {
        let local = self.secs + i64::from(offset_secs);
        let (year, month, day) = civil_from_days(local.div_euclid(86_400));
        let secs = local.rem_euclid(86_400);
        (year, month, day, (secs / 3600) as u32, ((secs % 3600) / 60) as u32, (secs % 60) as u32)
    }
}

impl FromStr for Timestamp {
    type Err = EvalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, with a fraction only when it is not zero (trailing zeros dropped).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.utc_fields();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        write_fraction(f, self.nanos)?;
        f.write_str("Z")
    }
}

fn write_fraction(f: &mut fmt::Formatter<'_>, nanos: u32) -> fmt::Result {
    if nanos == 0 {
        return Ok(());
    }
    let digits = format!("{nanos:09}");
    write!(f, ".{}", digits.trim_end_matches('0'))
}

impl Duration {
    /// The zero duration.
    pub const ZERO: Duration = Duration { secs: 0, nanos: 0 };

    /// A duration of `secs` seconds plus `nanos` nanoseconds (of any sign).
    ///
    /// # Errors
    ///
    /// When the total exceeds CEL's duration range.
    pub fn new(secs: i64, nanos: i64) -> Result<Self, EvalError> {
        Duration::from_nanos(i128::from(secs) * i128::from(NANOS_PER_SEC) + i128::from(nanos))
    }

    /// A duration of `total` nanoseconds.
    ///
    /// # Errors
    ///
    /// When `total` exceeds CEL's duration range.
    pub fn from_nanos(total: i128) -> Result<Self, EvalError> {
        let per = i128::from(NANOS_PER_SEC);
        let secs = total / per;
        let nanos = (total % per) as i32;
        if total > i128::from(i64::MAX) || total < i128::from(i64::MIN) {
            return Err(EvalError::out_of_range("duration out of range"));
        }
        Ok(Duration { secs: secs as i64, nanos })
    }

    /// Whole seconds, truncated toward zero.
    #[must_use]
    pub fn seconds(self) -> i64 {
        self.secs
    }

    /// The nanoseconds beyond whole seconds, with the sign of the duration.
    #[must_use]
    pub fn subsec_nanos(self) -> i32 {
        self.nanos
    }

    /// Total nanoseconds.
    #[must_use]
    pub fn total_nanos(self) -> i128 {
        i128::from(self.secs) * i128::from(NANOS_PER_SEC) + i128::from(self.nanos)
    }

    /// Parses Go-style duration text: an optional sign and one or more decimal numbers, each
    /// with a unit among `h`, `m`, `s`, `ms`, `us` (or `µs`) and `ns` (`1h30m`, `-1.5s`, `0`).
    ///
    /// # Errors
    ///
    /// When the text is malformed or the duration exceeds CEL's range.
    pub fn parse(text: &str) -> Result<Self, EvalError> {
        let bad = || {
            EvalError::conversion(format!(
                "duration `{text}` is not valid: expected text like `1h30m` or `1.5s`"
            ))
        };
        let total = parse_go_duration(text).ok_or_else(bad)?;
        Duration::from_nanos(total)
    }
}

impl FromStr for Duration {
    type Err = EvalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Duration::parse(s)
    }
}

impl fmt::Display for Duration {
    /// Seconds with an optional fraction: `1.5s`, `-30s`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.secs < 0 || self.nanos < 0 {
            f.write_str("-")?;
        }
        write!(f, "{}", self.secs.unsigned_abs())?;
        write_fraction(f, self.nanos.unsigned_abs())?;
        f.write_str("s")
    }
}

// ------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian), after Howard Hinnant's `days_from_civil`.

/// Days since 1970-01-01 of the civil date `y-m-d`.
#[must_use]
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of `days` since 1970-01-01.
#[must_use]
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

struct Cursor<'t> {
    text: &'t [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let c = *self.text.get(self.pos)?;
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
            self.pos += 1;
        }
        Some(v)
    }

    fn expect(&mut self, accepted: &[u8]) -> Option<u8> {
        let c = *self.text.get(self.pos)?;
        if accepted.contains(&c) {
            self.pos += 1;
            Some(c)
        } else {
            None
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }
}

/// The value of an ASCII digit.
#[inline]
fn digit(c: u8) -> Option<u32> {
    c.is_ascii_digit().then(|| u32::from(c - b'0'))
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form most documents use, read at its fixed places; `None` for
/// any other text (which the general reader then reads, or rejects).
#[inline]
fn parse_plain_utc(text: &[u8]) -> Option<(i64, u32)> {
    let &[
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T' | b't',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
        b'Z' | b'z',
    ] = text
    else {
        return None;
    };
    let two = |a: u8, b: u8| Some(digit(a)? * 10 + digit(b)?);
    let year = two(y0, y1)? * 100 + two(y2, y3)?;
    let secs = civil_seconds(year, two(m0, m1)?, two(d0, d1)?, two(h0, h1)?, two(i0, i1)?, two(s0, s1)?, 0)?;
    Some((secs, 0))
}

/// Seconds since the epoch of a valid calendar date and time at `offset` seconds east of UTC.
fn civil_seconds(
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset: i64,
) -> Option<i64> {
    let year = i64::from(year);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // A leap second is read as the last second of its minute, as Go does.
    let second = second.min(59);
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset)
}

/// Seconds since the epoch and nanoseconds of RFC 3339 text, or `None` when malformed.
fn parse_rfc3339(text: &[u8]) -> Option<(i64, u32)> {
    parse_plain_utc(text).or_else(|| parse_rfc3339_any(text))
}

/// [`parse_rfc3339`] for every form: fractions, offsets.
fn parse_rfc3339_any(text: &[u8]) -> Option<(i64, u32)> {
    let mut c = Cursor { text, pos: 0 };
    let year = c.digits(4)?;
    c.expect(b"-")?;
    let month = c.digits(2)?;
    c.expect(b"-")?;
    let day = c.digits(2)?;
    c.expect(b"Tt")?;
    let hour = c.digits(2)?;
    c.expect(b":")?;
    let minute = c.digits(2)?;
    c.expect(b":")?;
    let second = c.digits(2)?;
    let mut nanos = 0u32;
    if c.peek() == Some(b'.') {
        c.pos += 1;
        let mut count = 0;
        while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
            if count < 9 {
                nanos = nanos * 10 + u32::from(d - b'0');
            }
            count += 1;
            c.pos += 1;
        }
        if count == 0 {
            return None;
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let offset = match c.expect(b"Zz+-")? {
        b'Z' | b'z' => 0,
        sign => {
            let oh = c.digits(2)?;
            c.expect(b":")?;
            let om = c.digits(2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let off = i64::from(oh * 3600 + om * 60);
            if sign == b'-' { -off } else { off }
        }
    };
    if c.pos != text.len() {
        return None;
    }
    Some((civil_seconds(year, month, day, hour, minute, second, offset)?, nanos))
}

/// Total nanoseconds of Go-style duration text, or `None` when malformed.
fn parse_go_duration(text: &str) -> Option<i128> {
    let mut s = text;
    let negative = if let Some(rest) = s.strip_prefix('-') {
        s = rest;
        true
    } else {
        if let Some(rest) = s.strip_prefix('+') {
            s = rest;
        }
        false
    };
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, rest) = s.split_at(int_len);
        let (frac_part, rest) = match rest.strip_prefix('.') {
            Some(r) => {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                r.split_at(n)
            }
            None => ("", rest),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let (unit, rest) = rest.split_at(unit_len);
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let whole: i128 = if int_part.is_empty() { 0 } else { int_part.parse().ok()? };
        let mut frac_nanos: i128 = 0;
        let mut denom: i128 = 1;
        for d in frac_part.bytes().take(18) {
            frac_nanos = frac_nanos * 10 + i128::from(d - b'0');
            denom *= 10;
        }
        total = total.checked_add(whole.checked_mul(scale)?)?;
        total = total.checked_add(frac_nanos * scale / denom)?;
        if total > i128::from(i64::MAX) * 100 {
            return None;
        }
        s = rest;
    }
    Some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        for (text, shown) in [
            ("2009-02-13T23:31:30Z", "2009-02-13T23:31:30Z"),
            ("1970-01-01T00:00:00.500Z", "1970-01-01T00:00:00.5Z"),
            ("2026-03-29T03:30:00+02:00", "2026-03-29T01:30:00Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z"),
            ("1969-12-31T23:59:59.000000001Z", "1969-12-31T23:59:59.000000001Z"),
        ] {
            assert_eq!(Timestamp::parse(text).unwrap().to_string(), shown, "{text}");
        }
        assert_eq!(Timestamp::parse("2009-02-13T23:31:30Z").unwrap().unix_seconds(), 1_234_567_890);
    }

    proptest::proptest! {
        /// The fixed-place reader of the plain UTC form agrees with the general reader on
        /// every text of that shape, valid or not (any digits, both letter cases).
        #[test]
        fn plain_utc_form_reads_as_the_general_reader_does(
            digits in proptest::collection::vec(0u8..10, 14),
            t in proptest::sample::select(vec![b'T', b't', b'X']),
            z in proptest::sample::select(vec![b'Z', b'z', b'+']),
        ) {
            let d = |i: usize| b'0' + digits.get(i).copied().unwrap_or(0);
            let text = [
                d(0), d(1), d(2), d(3), b'-', d(4), d(5), b'-', d(6), d(7), t, d(8), d(9), b':',
                d(10), d(11), b':', d(12), d(13), z,
            ];
            let general = parse_rfc3339_any(&text);
            let plain = parse_plain_utc(&text);
            if plain.is_some() {
                proptest::prop_assert_eq!(plain, general);
            } else {
                // Not the plain form (or not valid): the general reader decides alone.
                proptest::prop_assert_eq!(parse_rfc3339(&text), general);
            }
        }
    }

    #[test]
    fn plain_utc_form_edges() {
        for (text, valid) in [
            ("2024-02-29T12:00:00Z", true),
            ("2023-02-29T12:00:00Z", false),
            ("2026-03-04T10:00:60Z", true),
            ("2026-03-04T10:60:00Z", false),
            // Read, then refused by the range check of `Timestamp::new` (below).
            ("0000-01-01T00:00:00Z", true),
            ("2026-13-01T00:00:00Z", false),
            ("2026-03-04t10:00:00z", true),
        ] {
            assert_eq!(parse_plain_utc(text.as_bytes()).is_some(), valid, "{text}");
            assert_eq!(parse_plain_utc(text.as_bytes()), parse_rfc3339_any(text.as_bytes()), "{text}");
        }
        assert!(Timestamp::parse("0000-01-01T00:00:00Z").is_err());
    }

    #[test]
    fn rfc3339_rejects_malformed() {
        for text in [
            "2009-02-13",
            "2009-02-30T00:00:00Z",
            "2009-02-13T24:00:00Z",
            "2009-02-13T23:31:30",
            "x",
            "2009-02-13T23:31:30.Z",
        ] {
            assert!(Timestamp::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn durations() {
        for (text, shown) in [
            ("1.5s", "1.5s"),
            ("1h30m", "5400s"),
            ("-90m", "-5400s"),
            ("0", "0s"),
            ("1ms", "0.001s"),
            ("2us", "0.000002s"),
            ("-0.5s", "-0.5s"),
            ("9223372036.854775807s", "9223372036.854775807s"),
        ] {
            assert_eq!(Duration::parse(text).unwrap().to_string(), shown, "{text}");
        }
        for text in ["", "1", "1x", "s", "9223372037s", "315576000000s", "--1s", "1.s.2"] {
            assert!(Duration::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_162, -1, 0, 1, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
