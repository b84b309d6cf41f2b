//! Timestamp and duration accessors: `getFullYear`, `getMonth`, `getDayOfYear`, `getDate`,
//! `getDayOfMonth`, `getDayOfWeek`, `getHours`, `getMinutes`, `getSeconds` and
//! `getMilliseconds`.
//!
//! On timestamps they read the calendar in UTC, or in the time zone given as a string: a fixed
//! offset (`"+05:30"`, `"-08:00"`; the sign may be left out, as cel-go allows) or an IANA name
//! (`"Europe/Paris"`, `"UTC"`), looked up in the time zone database bundled into the binary,
//! never the host's. On durations, `getHours` and the others give the whole duration in that
//! unit, truncated toward zero (`duration("3730s").getMinutes()` is 62).

use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};

use super::{Impl, Overload, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Timestamp, Value};

/// A time zone argument, parsed once (at load time when it is a literal).
#[derive(Clone, Debug)]
pub(crate) enum Tz {
    /// A fixed offset, in seconds east of UTC.
    Fixed(i32),
    /// A zone of the IANA database, with its daylight saving rules.
    Named(TimeZone),
    /// A zone of the IANA database with its offsets tabulated for 1900–2200 (a binary search
    /// instead of jiff's general look-up), made once for literal zones.
    Table(std::sync::Arc<ZoneTable>),
}

/// The offsets of a zone over a range of years, as sorted transition times.
#[derive(Debug)]
pub(crate) struct ZoneTable {
    zone: TimeZone,
    /// Seconds since the epoch at which each offset starts, ascending.
    starts: Box<[i64]>,
    /// The offset in seconds from each start on.
    offsets: Box<[i32]>,
    /// The range the table covers; outside it, jiff answers.
    from: i64,
    until: i64,
}

/// 1900-01-01T00:00:00Z.
const TABLE_FROM: i64 = -2_208_988_800;
/// 2200-01-01T00:00:00Z.
const TABLE_UNTIL: i64 = 7_258_118_400;

impl ZoneTable {
    fn new(zone: TimeZone) -> Option<ZoneTable> {
        let start = jiff::Timestamp::from_second(TABLE_FROM).ok()?;
        let mut starts = vec![TABLE_FROM];
        let mut offsets = vec![zone.to_offset(start).seconds()];
        for transition in zone.following(start) {
            let at = transition.timestamp().as_second();
            if at >= TABLE_UNTIL || starts.len() > 10_000 {
                break;
            }
            starts.push(at);
            offsets.push(transition.offset().seconds());
        }
        Some(ZoneTable {
            zone,
            starts: starts.into(),
            offsets: offsets.into(),
            from: TABLE_FROM,
            until: TABLE_UNTIL,
        })
    }

    fn offset_at(&self, secs: i64) -> i32 {
        if secs < self.from || secs >= self.until {
            return Tz::Named(self.zone.clone()).offset_at_seconds(secs);
        }
        // The last start at or before `secs`.
        let i = self.starts.partition_point(|&s| s <= secs).saturating_sub(1);
        self.offsets.get(i).copied().unwrap_or(0)
    }
}

impl Tz {
    /// Coordinated Universal Time.
    pub(crate) const UTC: Tz = Tz::Fixed(0);

    /// The offset from UTC, in seconds, in effect at `t`.
    fn offset_at(&self, t: Timestamp) -> i32 {
        self.offset_at_seconds(t.unix_seconds())
    }

    fn offset_at_seconds(&self, secs: i64) -> i32 {
        match self {
            Tz::Fixed(secs) => *secs,
            Tz::Table(table) => table.offset_at(secs),
            Tz::Named(zone) => {
                // jiff's range stops a day short of CEL's at both ends; the rules in force
                // there are the same a day later or earlier.
                let lo = jiff::Timestamp::MIN.as_second();
                let hi = jiff::Timestamp::MAX.as_second();
                jiff::Timestamp::from_second(secs.clamp(lo, hi)).map_or(0, |ts| zone.to_offset(ts).seconds())
            }
        }
    }

    /// The same zone, prepared for many look-ups (named zones get a transition table, made
    /// once per zone and shared: a policy naming a zone in many rules tabulates it once).
    #[must_use]
    pub(crate) fn prepared(self) -> Tz {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex};
        static TABLES: OnceLock<Mutex<HashMap<String, Arc<ZoneTable>>>> = OnceLock::new();
        let Tz::Named(zone) = self else { return self };
        let Some(name) = zone.iana_name().map(str::to_owned) else {
            return ZoneTable::new(zone.clone()).map_or(Tz::Named(zone), |t| Tz::Table(Arc::new(t)));
        };
        let tables = TABLES.get_or_init(|| Mutex::new(HashMap::new()));
        if let Ok(t) = tables.lock()
            && let Some(table) = t.get(&name)
        {
            return Tz::Table(table.clone());
        }
        let Some(table) = ZoneTable::new(zone.clone()).map(Arc::new) else { return Tz::Named(zone) };
        if let Ok(mut t) = tables.lock() {
            // The bundled database has a few hundred zones: the memo stays small.
            t.insert(name, table.clone());
        }
        Tz::Table(table)
    }
}

/// Parses a time zone: `[+|-]HH:MM` (hours up to 23, one or two digits) or an IANA name,
/// matched without regard to case.
///
/// # Errors
///
/// A message fit for a diagnostic: ``unknown time zone `Mars/Base` `` or ``invalid time zone
/// offset `+25:00`: expected `±HH:MM` ``.
pub(crate) fn parse_time_zone(text: &str) -> Result<Tz, String> {
    static DB: OnceLock<TimeZoneDatabase> = OnceLock::new();
    if text.contains(':') {
        return parse_offset(text)
            .map(Tz::Fixed)
            .ok_or_else(|| format!("invalid time zone offset `{text}`: expected `±HH:MM`"));
    }
    DB.get_or_init(TimeZoneDatabase::bundled)
        .get(text)
        .map(Tz::Named)
        .map_err(|_| format!("unknown time zone `{text}`"))
}

fn parse_offset(text: &str) -> Option<i32> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (hours, minutes) = rest.split_once(':')?;
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        (lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())?
    };
    let (h, m) = (digits(hours, 1..=2)?, digits(minutes, 2..=2)?);
    if h > 23 || m > 59 {
        return None;
    }
    let secs = h * 3600 + m * 60;
    Some(if negative { -secs } else { secs })
}

/// A calendar or clock field of a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeField {
    /// `getFullYear`.
    FullYear,
    /// `getMonth`: 0 for January.
    Month,
    /// `getDayOfYear`: 0 for January 1st.
    DayOfYear,
    /// `getDate`: 1 for the first day of the month.
    Date,
    /// `getDayOfMonth`: 0 for the first day of the month.
    DayOfMonth,
    /// `getDayOfWeek`: 0 for Sunday.
    DayOfWeek,
    /// `getHours`.
    Hours,
    /// `getMinutes`.
    Minutes,
    /// `getSeconds`.
    Seconds,
    /// `getMilliseconds`.
    Milliseconds,
}

impl TimeField {
    const ALL: [TimeField; 10] = [
        TimeField::FullYear,
        TimeField::Month,
        TimeField::DayOfYear,
        TimeField::Date,
        TimeField::DayOfMonth,
        TimeField::DayOfWeek,
        TimeField::Hours,
        TimeField::Minutes,
        TimeField::Seconds,
        TimeField::Milliseconds,
    ];

    /// The field read by the timestamp function `name` (`getHours`…).
    pub(crate) fn from_function(name: &str) -> Option<TimeField> {
        TimeField::ALL.into_iter().find(|f| f.function() == name)
    }

    /// The name of the function that reads this field (`getHours`…).
    pub(crate) fn function(self) -> &'static str {
        match self {
            TimeField::FullYear => "getFullYear",
            TimeField::Month => "getMonth",
            TimeField::DayOfYear => "getDayOfYear",
            TimeField::Date => "getDate",
            TimeField::DayOfMonth => "getDayOfMonth",
            TimeField::DayOfWeek => "getDayOfWeek",
            TimeField::Hours => "getHours",
            TimeField::Minutes => "getMinutes",
            TimeField::Seconds => "getSeconds",
            TimeField::Milliseconds => "getMilliseconds",
        }
    }
}

/// Days before the first of each month in a common year.
const DAYS_BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// Reads `field` of the timestamp `t` in the time zone `tz`.
///
/// # Errors
///
/// `no such overload` when `t` is not a timestamp.
pub(crate) fn timestamp_field<'a>(field: TimeField, t: &Value<'a>, tz: &Tz) -> Result<Value<'a>, EvalError> {
    let Value::Timestamp(ts) = t else { return Err(no_such_overload(field.function(), &[t])) };
    let offset = tz.offset_at(*ts);
    let (year, month, day, hour, minute, second) = ts.fields_at_offset(offset);
    let value = match field {
        TimeField::FullYear => year,
        TimeField::Month => i64::from(month) - 1,
        TimeField::DayOfYear => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let before = DAYS_BEFORE_MONTH.get((month as usize).saturating_sub(1)).copied().unwrap_or(0);
            i64::from(before + u32::from(leap && month > 2) + day) - 1
        }
        TimeField::Date => i64::from(day),
        TimeField::DayOfMonth => i64::from(day) - 1,
        TimeField::DayOfWeek => {
            // 1970-01-01 was a Thursday.
            let days = (ts.unix_seconds() + i64::from(offset)).div_euclid(86_400);
            (days + 4).rem_euclid(7)
        }
        TimeField::Hours => i64::from(hour),
        TimeField::Minutes => i64::from(minute),
        TimeField::Seconds => i64::from(second),
        TimeField::Milliseconds => i64::from(ts.subsec_nanos() / 1_000_000),
    };
    Ok(Value::Int(value))
}

/// The dynamic form: parses the zone on every call.
fn field_in_zone<'a>(field: TimeField, t: &Value<'a>, zone: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Value::String(name) = zone else {
        return Err(no_such_overload(field.function(), &[t, zone]));
    };
    let tz = parse_time_zone(name.as_str()).map_err(EvalError::invalid_argument)?;
    timestamp_field(field, t, &tz)
}

/// A duration in whole units of `nanos_per_unit`, truncated toward zero.
fn duration_in<'a>(function: &str, d: &Value<'a>, nanos_per_unit: i128) -> Result<Value<'a>, EvalError> {
    let Value::Duration(d) = d else { return Err(no_such_overload(function, &[d])) };
    // At most 10 000 years: the quotient fits in i64.
    Ok(Value::Int(i64::try_from(d.total_nanos() / nanos_per_unit).unwrap_or(i64::MAX)))
}

/// Declares, for each field, the implementation without and with a time zone.
macro_rules! timestamp_getters {
    ($($field:ident: $plain:ident, $zoned:ident;)*) => {
        $(
            fn $plain<'a>(t: &Value<'a>) -> Result<Value<'a>, EvalError> {
                timestamp_field(TimeField::$field, t, &Tz::UTC)
            }

            fn $zoned<'a>(t: &Value<'a>, zone: &Value<'a>) -> Result<Value<'a>, EvalError> {
                field_in_zone(TimeField::$field, t, zone)
            }
        )*
    };
}

timestamp_getters! {
    FullYear: full_year, full_year_tz;
    Month: month, month_tz;
    DayOfYear: day_of_year, day_of_year_tz;
    Date: date, date_tz;
    DayOfMonth: day_of_month, day_of_month_tz;
    DayOfWeek: day_of_week, day_of_week_tz;
    Hours: hours, hours_tz;
    Minutes: minutes, minutes_tz;
    Seconds: seconds, seconds_tz;
    Milliseconds: milliseconds, milliseconds_tz;
}

fn duration_hours<'a>(d: &Value<'a>) -> Result<Value<'a>, EvalError> {
    duration_in("getHours", d, 3_600_000_000_000)
}

fn duration_minutes<'a>(d: &Value<'a>) -> Result<Value<'a>, EvalError> {
    duration_in("getMinutes", d, 60_000_000_000)
}

fn duration_seconds<'a>(d: &Value<'a>) -> Result<Value<'a>, EvalError> {
    duration_in("getSeconds", d, 1_000_000_000)
}

fn duration_milliseconds<'a>(d: &Value<'a>) -> Result<Value<'a>, EvalError> {
    duration_in("getMilliseconds", d, 1_000_000)
}

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Duration, Int, String, Timestamp};
    let getters: [(
        &'static str,
        &'static str,
        &'static str,
        crate::cel::stdlib::Fn1,
        crate::cel::stdlib::Fn2,
    ); 10] = [
        ("getFullYear", "timestamp_to_year", "timestamp_to_year_with_tz", full_year, full_year_tz),
        ("getMonth", "timestamp_to_month", "timestamp_to_month_with_tz", month, month_tz),
        (
            "getDayOfYear",
            "timestamp_to_day_of_year",
            "timestamp_to_day_of_year_with_tz",
            day_of_year,
            day_of_year_tz,
        ),
        (
            "getDate",
            "timestamp_to_day_of_month_1_based",
            "timestamp_to_day_of_month_1_based_with_tz",
            date,
            date_tz,
        ),
        (
            "getDayOfMonth",
            "timestamp_to_day_of_month",
            "timestamp_to_day_of_month_with_tz",
            day_of_month,
            day_of_month_tz,
        ),
        (
            "getDayOfWeek",
            "timestamp_to_day_of_week",
            "timestamp_to_day_of_week_with_tz",
            day_of_week,
            day_of_week_tz,
        ),
        ("getHours", "timestamp_to_hours", "timestamp_to_hours_with_tz", hours, hours_tz),
        ("getMinutes", "timestamp_to_minutes", "timestamp_to_minutes_with_tz", minutes, minutes_tz),
        ("getSeconds", "timestamp_to_seconds", "timestamp_to_seconds_with_tz", seconds, seconds_tz),
        (
            "getMilliseconds",
            "timestamp_to_milliseconds",
            "timestamp_to_milliseconds_with_tz",
            milliseconds,
            milliseconds_tz,
        ),
    ];
    for (function, plain_id, zoned_id, plain, zoned) in getters {
        out.push(method(plain_id, function, vec![Timestamp], Int, Impl::F1(plain)));
        out.push(method(zoned_id, function, vec![Timestamp, String], Int, Impl::F2(zoned)));
    }
    out.extend([
        method("duration_to_hours", "getHours", vec![Duration], Int, Impl::F1(duration_hours)),
        method("duration_to_minutes", "getMinutes", vec![Duration], Int, Impl::F1(duration_minutes)),
        method("duration_to_seconds", "getSeconds", vec![Duration], Int, Impl::F1(duration_seconds)),
        method(
            "duration_to_milliseconds",
            "getMilliseconds",
            vec![Duration],
            Int,
            Impl::F1(duration_milliseconds),
        ),
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::value::{Duration, EvalErrorKind};

    fn ts(text: &str) -> Value<'static> {
        Value::Timestamp(Timestamp::parse(text).unwrap())
    }

    fn get(field: TimeField, t: &str, zone: Option<&str>) -> i64 {
        let tz = zone.map_or(Tz::UTC, |z| parse_time_zone(z).unwrap());
        match timestamp_field(field, &ts(t), &tz) {
            Ok(Value::Int(i)) => i,
            other => panic!("{other:?}"),
        }
    }

    fn get_dyn(f: crate::cel::stdlib::Fn2, t: &str, zone: &str) -> Result<i64, EvalError> {
        f(&ts(t), &Value::str(zone)).map(|v| match v {
            Value::Int(i) => i,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn utc_fields_like_the_conformance_suite() {
        use TimeField::*;
        let t = "2009-02-13T23:31:30Z";
        assert_eq!(get(Date, t, None), 13);
        assert_eq!(get(DayOfMonth, t, None), 12);
        assert_eq!(get(DayOfWeek, t, None), 5);
        assert_eq!(get(DayOfYear, t, None), 43);
        assert_eq!(get(FullYear, t, None), 2009);
        assert_eq!(get(Hours, t, None), 23);
        assert_eq!(get(Minutes, t, None), 31);
        assert_eq!(get(Month, t, None), 1);
        assert_eq!(get(Seconds, t, None), 30);
        assert_eq!(get(Milliseconds, "2009-02-13T23:31:20.123456789Z", None), 123);
        assert!(matches!(full_year(&ts(t)), Ok(Value::Int(2009))));
    }

    #[test]
    fn zoned_fields_like_the_conformance_suite() {
        use TimeField::*;
        let t = "2009-02-13T23:31:30Z";
        assert_eq!(get(Date, t, Some("Australia/Sydney")), 14);
        assert_eq!(get(DayOfMonth, t, Some("US/Central")), 12);
        assert_eq!(get(DayOfMonth, t, Some("+11:00")), 13);
        assert_eq!(get(DayOfMonth, "2009-02-13T02:00:00Z", Some("-02:30")), 11);
        assert_eq!(get(DayOfMonth, "2009-02-13T02:00:00Z", Some("America/St_Johns")), 11);
        assert_eq!(get(DayOfWeek, t, Some("UTC")), 5);
        assert_eq!(get(DayOfYear, t, Some("US/Central")), 43);
        assert_eq!(get(FullYear, t, Some("-09:30")), 2009);
        assert_eq!(get(Hours, t, Some("02:00")), 1);
        assert_eq!(get(Minutes, t, Some("Asia/Kathmandu")), 16);
        assert_eq!(get(Month, t, Some("UTC")), 1);
        assert_eq!(get(Seconds, t, Some("-00:00")), 30);
    }

    #[test]
    fn daylight_saving_in_paris() {
        use TimeField::Hours;
        // Spring forward on 2026-03-29 at 01:00 UTC: 02:00 CET becomes 03:00 CEST.
        assert_eq!(get(Hours, "2026-03-29T00:30:00Z", Some("Europe/Paris")), 1);
        assert_eq!(get(Hours, "2026-03-29T01:30:00Z", Some("Europe/Paris")), 3);
        assert_eq!(get_dyn(hours_tz, "2026-03-29T01:30:00Z", "Europe/Paris").unwrap(), 3);
        // Fall back on 2026-10-25 at 01:00 UTC: 03:00 CEST becomes 02:00 CET.
        assert_eq!(get(Hours, "2026-10-25T00:30:00Z", Some("Europe/Paris")), 2);
        assert_eq!(get(Hours, "2026-10-25T01:30:00Z", Some("Europe/Paris")), 2);
        assert_eq!(get(Hours, "2026-10-25T02:30:00Z", Some("Europe/Paris")), 3);
        assert_eq!(get(Hours, "2026-07-01T12:00:00Z", Some("europe/paris")), 14);
        assert_eq!(get(Hours, "2026-01-01T12:00:00Z", Some("Europe/Paris")), 13);
    }

    #[test]
    fn daylight_saving_in_new_york_and_los_angeles() {
        use TimeField::{Date, DayOfWeek, Hours};
        // Spring forward on 2026-03-08 at 07:00 UTC (02:00 EST becomes 03:00 EDT).
        assert_eq!(get(Hours, "2026-03-08T06:59:00Z", Some("America/New_York")), 1);
        assert_eq!(get(Hours, "2026-03-08T07:00:00Z", Some("America/New_York")), 3);
        // Fall back on 2026-11-01 at 06:00 UTC (02:00 EDT becomes 01:00 EST).
        assert_eq!(get(Hours, "2026-11-01T05:30:00Z", Some("America/New_York")), 1);
        assert_eq!(get(Hours, "2026-11-01T06:30:00Z", Some("America/New_York")), 1);
        // Local date before UTC's: Sunday evening in Los Angeles is Monday in UTC.
        assert_eq!(get(Date, "2026-03-02T03:00:00Z", Some("America/Los_Angeles")), 1);
        assert_eq!(get(DayOfWeek, "2026-03-02T03:00:00Z", Some("America/Los_Angeles")), 0);
        assert_eq!(get(DayOfWeek, "2026-03-02T03:00:00Z", None), 1);
    }

    #[test]
    fn fixed_offsets() {
        use TimeField::{Hours, Minutes};
        assert_eq!(get(Hours, "2026-01-01T00:00:00Z", Some("+05:30")), 5);
        assert_eq!(get(Minutes, "2026-01-01T00:00:00Z", Some("+05:30")), 30);
        assert_eq!(get(Hours, "2026-01-01T00:00:00Z", Some("-08:00")), 16);
        assert_eq!(get(Hours, "2026-01-01T00:00:00Z", Some("+5:00")), 5);
        for bad in ["+24:00", "+05:60", "+5:3", "+:30", "++05:00", "+005:00", "+05:00:00", "x:y", ":"] {
            let e = parse_time_zone(bad).unwrap_err();
            assert_eq!(e, format!("invalid time zone offset `{bad}`: expected `±HH:MM`"));
        }
    }

    #[test]
    fn unknown_zones() {
        assert_eq!(parse_time_zone("Mars/Base").unwrap_err(), "unknown time zone `Mars/Base`");
        for bad in ["", "05", "Local", "../../etc/passwd", "Europe/"] {
            assert!(parse_time_zone(bad).is_err(), "{bad}");
        }
        let e = get_dyn(hours_tz, "2026-01-01T00:00:00Z", "Mars/Base").unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::InvalidArgument);
        assert_eq!(e.message(), "unknown time zone `Mars/Base`");
        assert!(hours_tz(&ts("2026-01-01T00:00:00Z"), &Value::Int(1)).is_err());
        assert!(hours(&Value::Int(1)).is_err());
    }

    #[test]
    fn calendar_edges() {
        use TimeField::*;
        assert_eq!(get(DayOfYear, "2024-12-31T12:00:00Z", None), 365);
        assert_eq!(get(DayOfYear, "2023-12-31T12:00:00Z", None), 364);
        assert_eq!(get(DayOfYear, "2024-03-01T00:00:00Z", None), 60);
        assert_eq!(get(DayOfYear, "2100-03-01T00:00:00Z", None), 59);
        assert_eq!(get(DayOfYear, "2000-03-01T00:00:00Z", None), 60);
        assert_eq!(get(Month, "2026-12-31T00:00:00Z", None), 11);
        // The ends of the range, pushed past them by an offset.
        assert_eq!(get(FullYear, "0001-01-01T00:00:00Z", Some("-01:00")), 0);
        assert_eq!(get(DayOfWeek, "0001-01-01T00:00:00Z", None), 1);
        assert_eq!(get(FullYear, "9999-12-31T23:59:59Z", Some("+14:00")), 10000);
        assert_eq!(get(FullYear, "9999-12-31T23:59:59Z", Some("Pacific/Kiritimati")), 10000);
        assert_eq!(get(FullYear, "0001-01-01T00:00:00Z", Some("America/New_York")), 0);
        assert_eq!(get(Milliseconds, "1969-12-31T23:59:59.999Z", None), 999);
        assert_eq!(get(Seconds, "1969-12-31T23:59:59.999Z", None), 59);
    }

    #[test]
    fn duration_totals() {
        let d = |s| Value::Duration(Duration::parse(s).unwrap());
        assert!(matches!(duration_hours(&d("10000s")), Ok(Value::Int(2))));
        assert!(matches!(duration_minutes(&d("3730s")), Ok(Value::Int(62))));
        assert!(matches!(duration_seconds(&d("3730s")), Ok(Value::Int(3730))));
        assert!(matches!(duration_milliseconds(&d("123.321456789s")), Ok(Value::Int(123_321))));
        assert!(matches!(duration_hours(&d("-5400s")), Ok(Value::Int(-1))));
        assert!(matches!(duration_milliseconds(&d("-1.5009s")), Ok(Value::Int(-1500))));
        assert!(matches!(duration_milliseconds(&d("9223372036s")), Ok(Value::Int(9_223_372_036_000))));
        assert!(duration_hours(&Value::Int(1)).is_err());
    }

    #[test]
    fn field_names() {
        assert_eq!(TimeField::from_function("getDate"), Some(TimeField::Date));
        assert_eq!(TimeField::from_function("getMilliseconds"), Some(TimeField::Milliseconds));
        assert_eq!(TimeField::from_function("size"), None);
        for field in TimeField::ALL {
            assert_eq!(TimeField::from_function(field.function()), Some(field));
        }
        let e = timestamp_field(TimeField::Hours, &Value::Int(1), &Tz::UTC).unwrap_err();
        assert_eq!(e.message(), "no such overload: `getHours(int)`");
    }

    #[test]
    fn tabulated_zones_agree_with_jiff() {
        for name in ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"] {
            let named = parse_time_zone(name).unwrap();
            let table = named.clone().prepared();
            assert!(matches!(table, Tz::Table(_)), "{name}");
            // Every hour around the 2026 changes, and a spread of instants over the range.
            let mut probes: Vec<i64> = (0..24 * 400).map(|h| 1_767_225_600 + h * 3600).collect();
            probes.extend((0..2000).map(|i| -2_208_988_800 + i * 4_733_553_600 / 1000));
            probes.extend([-62_135_596_800, 253_402_300_799, 7_258_118_399, 7_258_118_400]);
            for t in probes {
                assert_eq!(table.offset_at_seconds(t), named.offset_at_seconds(t), "{name} at {t}");
            }
        }
    }
}
