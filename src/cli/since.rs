//! `vigil export --since`: an age back from now, a date, or a date and time with an optional
//! UTC offset (no offset means UTC). Anything else is refused, never guessed.

use jiff::civil::DateTime;
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::{Offset, TimeZone};
use std::str::FromStr;
use std::time::Duration;

/// The accepted forms, for error messages and `--help`.
pub const SINCE_FORMS: &str = "an age (30m, 24h, 7d, 2w), a date (2026-11-01, midnight UTC), \
    or a date and time 2026-11-01T08:00[:00][.123][Z|+02:00] or \"2026-11-01 08:00[:00]\" \
    (no offset means UTC)";

/// Longest accepted age.
const MAX_AGE_SECS: u64 = 3650 * 86_400;

/// `--since`: a duration back from now, a UTC date (midnight), or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// `7d`, `12h`, …
    Ago(Duration),
    /// `2026-11-01` (00:00 UTC).
    Date(jiff::civil::Date),
    /// `2026-11-01T08:00:00-08:00`, or a zone-less time read as UTC.
    Instant(jiff::Timestamp),
}

impl Since {
    /// The cut-off instant, given the current time.
    pub fn cutoff(self, now: jiff::Timestamp) -> jiff::Timestamp {
        match self {
            Since::Ago(d) => jiff::SignedDuration::try_from(d)
                .ok()
                .and_then(|d| now.checked_sub(d).ok())
                .unwrap_or(jiff::Timestamp::MIN),
            Since::Date(date) => date
                .to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or(jiff::Timestamp::MIN),
            Since::Instant(t) => t,
        }
    }

    /// A warning when the cut-off lies after `now` (nothing can match yet).
    pub fn future_warning(self, now: jiff::Timestamp) -> Option<String> {
        let cutoff = self.cutoff(now);
        (cutoff > now).then(|| {
            format!("warning: --since {cutoff} is in the future (now {now}); nothing has changed since then yet")
        })
    }
}

impl FromStr for Since {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let refuse = || {
            format!(
                "{:?} is not a valid --since; use {SINCE_FORMS}",
                printable(s)
            )
        };
        if let Some(age) = parse_age(s) {
            return age.map(Since::Ago);
        }
        if !has_extended_shape(s) {
            return Err(refuse());
        }
        let pieces = Pieces::parse(s).map_err(|e| format!("{}: {e}", refuse()))?;
        if pieces.time_zone_annotation().is_some() {
            return Err(refuse());
        }
        let Some(time) = pieces.time() else {
            return Ok(Since::Date(pieces.date()));
        };
        let offset = match pieces.offset() {
            None | Some(PiecesOffset::Zulu) => Offset::UTC,
            Some(PiecesOffset::Numeric(n)) => n.offset(),
            Some(_) => return Err(refuse()),
        };
        DateTime::from_parts(pieces.date(), time)
            .to_zoned(TimeZone::fixed(offset))
            .map(|z| Since::Instant(z.timestamp()))
            .map_err(|e| format!("{}: {e}", refuse()))
    }
}

/// `--interval`: `1s` … `1d` (`s`, `m`, `h`, `d`).
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    match parse_age(s) {
        Some(Ok(d)) if (1..=86_400).contains(&d.as_secs()) => Ok(d),
        Some(Ok(_)) => Err(format!("{s:?}: the interval must be between 1s and 1d")),
        Some(Err(e)) => Err(e),
        None => Err(format!("{s:?}: expected a period such as 30s, 5m or 1h")),
    }
}

/// `30m`, `24h`, `7d`, `2w` (also `s`): `None` when `s` is not shaped like an age.
fn parse_age(s: &str) -> Option<Result<Duration, String>> {
    let unit = s.chars().last()?;
    let digits = &s[..s.len() - unit.len_utf8()];
    if !unit.is_ascii_alphabetic()
        || digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let per = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => {
            return Some(Err(format!(
                "unknown unit {unit:?} in {s:?}; use s, m, h, d or w"
            )));
        }
    };
    let total = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(per))
        .filter(|t| *t <= MAX_AGE_SECS);
    Some(
        total
            .map(Duration::from_secs)
            .ok_or_else(|| format!("{s:?} is too long ago (at most 3650d)")),
    )
}

/// The extended ISO 8601 layout jiff alone would not insist on: `YYYY-MM-DD`, optionally
/// followed by `T` or a space and `HH:MM` (jiff also reads basic `20261101T0800` and
/// hour-only times, which are refused here as ambiguous), and an offset written `±HH:MM`.
fn has_extended_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let date = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    if !date {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    let time = b.len() >= 16
        && matches!(b[10], b'T' | b't' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16);
    if !time {
        return false;
    }
    // A numeric offset, when present, keeps its colon (`-08:00`, not `-0800` or `-08`).
    match b[16..].iter().position(|c| matches!(c, b'+' | b'-')) {
        Some(i) => {
            let off = &b[16 + i..];
            off.len() == 6 && off[3] == b':'
        }
        None => true,
    }
}

/// The value as typed, with control characters replaced (it is echoed on stderr).
fn printable(s: &str) -> String {
    s.chars()
        .take(80)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_is_a_period_from_one_second_to_a_day() {
        assert_eq!(parse_interval("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_interval("5m"), Ok(Duration::from_secs(300)));
        for bad in ["0s", "2d", "5", "soon", "5x"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    fn cutoff(s: &str) -> String {
        let now = at("2026-12-06T12:00:00Z");
        s.parse::<Since>().unwrap().cutoff(now).to_string()
    }

    #[test]
    fn relative_ages() {
        assert_eq!(cutoff("7d"), "2026-11-29T12:00:00Z");
        assert_eq!(cutoff("24h"), "2026-12-05T12:00:00Z");
        assert_eq!(cutoff("30m"), "2026-12-06T11:30:00Z");
        assert_eq!(cutoff(" 2w "), "2026-11-22T12:00:00Z");
    }

    #[test]
    fn a_date_is_midnight_utc() {
        assert_eq!(cutoff("2026-12-06"), "2026-12-06T00:00:00Z");
    }

    #[test]
    fn offsets_are_honoured() {
        assert_eq!(cutoff("2026-12-06T03:00:00-08:00"), "2026-12-06T11:00:00Z");
        assert_eq!(cutoff("2026-12-06T03:00+05:30"), "2026-12-05T21:30:00Z");
        assert_eq!(cutoff("2026-12-06T03:00:00Z"), "2026-12-06T03:00:00Z");
    }

    #[test]
    fn no_zone_means_utc() {
        assert_eq!(cutoff("2026-12-06T03:00:00"), "2026-12-06T03:00:00Z");
        assert_eq!(cutoff("2026-12-06T03:00"), "2026-12-06T03:00:00Z");
        assert_eq!(cutoff("2026-12-06 01:00"), "2026-12-06T01:00:00Z");
        assert_eq!(cutoff("2026-12-06 01:00:30"), "2026-12-06T01:00:30Z");
    }

    #[test]
    fn fractions_are_kept() {
        assert_eq!(cutoff("2026-12-06T03:00:00.25Z"), "2026-12-06T03:00:00.25Z");
        assert_eq!(
            cutoff("2026-12-06T03:00:00.1234567+01:00"),
            "2026-12-06T02:00:00.1234567Z"
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "d",
            "7x",
            "-7d",
            "7.5d",
            "yesterday",
            "99999w",
            "2026-13-01",
            "2026-12-06T03",
            "2026-12-06T3:00",
            "20261206",
            "20261206T0300Z",
            "2026-12-06T03:00-0800",
            "2026-12-06T03:00-08",
            "2026-12-06T03:00[America/New_York]",
            "2026-12-06T03:00:00-08:00[America/Los_Angeles]",
            "2026-12-06T25:00",
            "06/12/2026",
            "2026-12-06T03:00:00 junk",
            "7d\u{1b}",
        ] {
            assert!(bad.parse::<Since>().is_err(), "{bad:?} should be refused");
        }
        let msg = "\u{1b}[2J".parse::<Since>().unwrap_err();
        assert!(!msg.contains('\u{1b}'), "{msg}");
        assert!(msg.contains("7d"), "the message names the forms: {msg}");
    }

    #[test]
    fn the_future_warns() {
        let now = at("2026-12-06T12:00:00Z");
        let later: Since = "2026-12-07".parse().unwrap();
        assert!(
            later
                .future_warning(now)
                .is_some_and(|w| w.contains("future"))
        );
        let earlier: Since = "2026-12-06T11:00:00Z".parse().unwrap();
        assert_eq!(earlier.future_warning(now), None);
        assert_eq!(
            Since::Ago(Duration::from_secs(60)).future_warning(now),
            None
        );
    }
}
