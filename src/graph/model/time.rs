//! Lenient timestamps: Graph mixes 0, 1, 3 and 7 fractional digits, and error bodies carry
//! zone-less dates (`innerError.date`); a date without a zone is UTC.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in time parsed leniently from Graph JSON; serialised as RFC 3339 UTC with 7 digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub jiff::Timestamp);

impl Timestamp {
    /// Now, from the system clock.
    pub fn now() -> Self {
        Timestamp(jiff::Timestamp::now())
    }

    /// Parses RFC 3339 with any number of fraction digits; a missing zone is taken as UTC.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if let Ok(t) = s.parse::<jiff::Timestamp>() {
            return Some(Timestamp(t));
        }
        // Zone-less: treat as UTC.
        if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
            return dt
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| Timestamp(z.timestamp()));
        }
        // More than 9 fraction digits: cut the fraction to 9 and retry.
        if let Some(dot) = s.find('.') {
            let tail = &s[dot + 1..];
            let digits = tail.chars().take_while(|c| c.is_ascii_digit()).count();
            if digits > 9 {
                let fixed = format!("{}.{}{}", &s[..dot], &tail[..9], &tail[digits..]);
                return Self::parse(&fixed);
            }
        }
        None
    }

    /// Seconds since the Unix epoch.
    pub fn as_second(&self) -> i64 {
        self.0.as_second()
    }

    /// This timestamp shifted by a signed number of seconds (saturating at the jiff range).
    pub fn plus_seconds(&self, secs: i64) -> Self {
        self.0
            .checked_add(jiff::SignedDuration::from_secs(secs))
            .map(Timestamp)
            .unwrap_or(*self)
    }

    /// Graph filter literal form: `2026-01-01T00:00:00.0000000Z`.
    pub fn to_graph(&self) -> String {
        format!("{}", self.0.strftime("%Y-%m-%dT%H:%M:%S.%7fZ"))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%d %H:%M:%S UTC"))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_graph())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}")))
    }
}

/// Deserialises an optional timestamp; an unparseable string becomes `None` instead of an error
/// so one odd field never rejects a whole record.
pub fn lenient_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::String(s)) => Timestamp::parse(&s),
        _ => None,
    })
}

/// Deserialises an optional timestamp strictly: `null`/absent is `None`, but a value that is
/// present and not a timestamp is an error, so the record is reported as bad instead of being
/// silently mis-sorted (used for the schema's non-null incident times).
pub fn strict_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Timestamp::parse(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}"))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "invalid timestamp {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_fraction_length() {
        let a = Timestamp::parse("2021-08-13T08:43:35.5533333Z").unwrap();
        let b = Timestamp::parse("2021-04-26T07:45:50.116Z").unwrap();
        let c = Timestamp::parse("2026-02-25T16:29:33.1Z").unwrap();
        let d = Timestamp::parse("2026-02-25T16:29:33Z").unwrap();
        assert!(c > d);
        assert!(a > b, "August is after April");
        assert_eq!(c.0.subsec_nanosecond(), 100_000_000);
        assert_eq!(a.0.subsec_nanosecond(), 553_333_300);
    }

    #[test]
    fn zoneless_is_utc_and_long_fractions_are_cut() {
        let z = Timestamp::parse("2023-01-20T11:29:01").unwrap();
        assert_eq!(z, Timestamp::parse("2023-01-20T11:29:01Z").unwrap());
        let long = Timestamp::parse("2023-01-20T11:29:01.123456789012Z").unwrap();
        assert_eq!(long.0.subsec_nanosecond(), 123_456_789);
        assert!(Timestamp::parse("yesterday").is_none());
        assert!(Timestamp::parse("").is_none());
    }

    #[test]
    fn round_trips_through_graph_form() {
        let t = Timestamp::parse("2021-08-13T08:43:35.5533333Z").unwrap();
        assert_eq!(t.to_graph(), "2021-08-13T08:43:35.5533333Z");
        let json = serde_json::to_string(&t).unwrap();
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }
}
