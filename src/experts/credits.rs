//! Ask Defender Experts credits. Experts on Demand comes with an allowance counted per
//! calendar **month** by default ([`AllowancePeriod`]; contracts counted per quarter set
//! `allowance_period = "quarter"`); the counter shows what is used and when it resets
//! ([`period_credits`]). The quarter model with roll-over (unused credits carried to at most
//! 20 in a quarter, expiring at year end) is kept for quarterly contracts. Periods are UTC.

use super::outbox::InquiryStore;
use crate::graph::model::Timestamp;

/// Default quarterly allowance.
pub const DEFAULT_QUARTERLY_CREDITS: u32 = 10;
/// Most credits one quarter can hold after roll-over.
pub const MAX_CREDITS_PER_QUARTER: u32 = 20;

/// A calendar quarter: (year, 1–4).
pub type Quarter = (i16, u8);

/// The UTC calendar quarter containing `ts`.
pub fn quarter_of(ts: Timestamp) -> Quarter {
    let z = ts.0.to_zoned(jiff::tz::TimeZone::UTC);
    let month = z.month().clamp(1, 12) as u8;
    (z.year(), (month - 1) / 3 + 1)
}

/// The quarter before `q`.
pub fn previous_quarter(q: Quarter) -> Quarter {
    if q.1 <= 1 {
        (q.0 - 1, 4)
    } else {
        (q.0, q.1 - 1)
    }
}

/// This quarter's allowance in the one-step model: `base`, plus (with `rollover`) what was left
/// of a `base` allowance last quarter, capped at [`MAX_CREDITS_PER_QUARTER`] (or `base` when a
/// contract sets a higher base).
pub fn allowance(base: u32, sent_previous_quarter: usize, rollover: bool) -> u32 {
    carried_allowance(base, base, sent_previous_quarter, rollover)
}

/// This quarter's allowance given last quarter's actual allowance and use.
pub fn carried_allowance(
    base: u32,
    previous_allowance: u32,
    sent_previous_quarter: usize,
    rollover: bool,
) -> u32 {
    if !rollover {
        return base;
    }
    let used = u32::try_from(sent_previous_quarter).unwrap_or(u32::MAX);
    let unused = previous_allowance.saturating_sub(used);
    base.saturating_add(unused)
        .min(MAX_CREDITS_PER_QUARTER.max(base))
}

/// Credits left.
pub fn remaining(allowance: u32, used: usize) -> u32 {
    allowance.saturating_sub(u32::try_from(used).unwrap_or(u32::MAX))
}

/// Credit use for the quarter containing `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreditStatus {
    pub quarter: Quarter,
    pub allowance: u32,
    pub used: usize,
    pub remaining: u32,
}

impl CreditStatus {
    /// "3 of 10 inquiries used this quarter".
    pub fn summary(&self) -> String {
        format!(
            "{} of {} inquiries used this quarter",
            self.used, self.allowance
        )
    }

    /// True when no credit is left.
    pub fn exhausted(&self) -> bool {
        self.remaining == 0
    }
}

/// Credit status from the inquiry history: roll-over is chained through the quarters of the
/// current calendar year (Q1 starts fresh, since credits expire at year end).
pub fn credit_status(
    base: u32,
    rollover: bool,
    store: &InquiryStore,
    now: Timestamp,
) -> CreditStatus {
    credit_status_from(base, rollover, quarter_of(now), |q| {
        store.sent_in_quarter(q)
    })
}

/// [`credit_status`] over any "sent in quarter" count.
pub fn credit_status_from(
    base: u32,
    rollover: bool,
    quarter: Quarter,
    sent_in: impl Fn(Quarter) -> usize,
) -> CreditStatus {
    let mut allow = base;
    for q in 1..quarter.1 {
        allow = carried_allowance(base, allow, sent_in((quarter.0, q)), rollover);
    }
    let used = sent_in(quarter);
    CreditStatus {
        quarter,
        allowance: allow,
        used,
        remaining: remaining(allow, used),
    }
}

/// How the Experts on Demand allowance is counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AllowancePeriod {
    /// Per calendar month (the service's documented allowance; the default).
    #[default]
    Month,
    /// Per calendar quarter (older contracts).
    Quarter,
}

impl AllowancePeriod {
    /// "month" / "quarter", as in "used this month".
    pub fn noun(self) -> &'static str {
        match self {
            AllowancePeriod::Month => "month",
            AllowancePeriod::Quarter => "quarter",
        }
    }
}

/// The first instant of the period containing `now` and the first instant of the next (UTC).
pub fn period_bounds(period: AllowancePeriod, now: Timestamp) -> (Timestamp, Timestamp) {
    let z = now.0.to_zoned(jiff::tz::TimeZone::UTC);
    let (year, month) = (z.year(), z.month().clamp(1, 12));
    let first = match period {
        AllowancePeriod::Month => month,
        AllowancePeriod::Quarter => (month - 1) / 3 * 3 + 1,
    };
    let span = match period {
        AllowancePeriod::Month => 1,
        AllowancePeriod::Quarter => 3,
    };
    let (next_year, next_month) = if first + span > 12 {
        (year + 1, first + span - 12)
    } else {
        (year, first + span)
    };
    (
        utc_month_start(year, first),
        utc_month_start(next_year, next_month),
    )
}

fn utc_month_start(year: i16, month: i8) -> Timestamp {
    jiff::civil::date(year, month, 1)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| Timestamp(z.timestamp()))
        .unwrap_or(Timestamp(jiff::Timestamp::UNIX_EPOCH))
}

/// Credit use in the period containing "now".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodCredits {
    pub period: AllowancePeriod,
    pub allowance: u32,
    pub used: usize,
    pub remaining: u32,
    /// When the allowance starts again (the first instant of the next period, UTC).
    pub resets: Timestamp,
}

impl PeriodCredits {
    /// "3 of 10 inquiries used this month · resets 1 Apr".
    pub fn summary(&self) -> String {
        format!(
            "{} of {} inquiries used this {} · resets {}",
            self.used,
            self.allowance,
            self.period.noun(),
            reset_label(self.resets)
        )
    }

    /// "7 of 10 inquiries left this month (resets 1 Apr)".
    pub fn left(&self) -> String {
        format!(
            "{} of {} inquiries left this {} (resets {})",
            self.remaining,
            self.allowance,
            self.period.noun(),
            reset_label(self.resets)
        )
    }
}

/// "1 Apr 2026": the reset day, unambiguous in every locale.
pub fn reset_label(t: Timestamp) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let z = t.0.to_zoned(jiff::tz::TimeZone::UTC);
    let m = usize::try_from(z.month().clamp(1, 12) - 1).unwrap_or(0);
    format!("{} {} {}", z.day(), MONTHS[m], z.year())
}

/// Credits of the period containing `now`, counting the inquiries first sent at `sent`.
pub fn period_credits(
    allowance: u32,
    period: AllowancePeriod,
    now: Timestamp,
    sent: impl IntoIterator<Item = Timestamp>,
) -> PeriodCredits {
    let (start, resets) = period_bounds(period, now);
    let used = sent
        .into_iter()
        .filter(|t| *t >= start && *t < resets)
        .count();
    PeriodCredits {
        period,
        allowance,
        used,
        remaining: remaining(allowance, used),
        resets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn quarters() {
        assert_eq!(quarter_of(ts("2026-03-31T23:59:59.9999999Z")), (2026, 1));
        assert_eq!(quarter_of(ts("2026-04-01T00:00:00Z")), (2026, 2));
        assert_eq!(quarter_of(ts("2026-12-31T12:00:00Z")), (2026, 4));
        assert_eq!(previous_quarter((2026, 1)), (2025, 4));
        assert_eq!(previous_quarter((2026, 3)), (2026, 2));
    }

    #[test]
    fn allowance_rolls_over_and_caps() {
        assert_eq!(allowance(10, 3, true), 17);
        assert_eq!(allowance(10, 0, true), 20);
        assert_eq!(allowance(10, 12, true), 10);
        assert_eq!(allowance(10, 0, false), 10);
        assert_eq!(allowance(25, 0, true), 25);
        assert_eq!(remaining(10, 12), 0);
    }

    #[test]
    fn chain_resets_each_year() {
        // Q1 used 2 → Q2 gets 18; Q2 used 18 → Q3 gets 10.
        let used = |q: Quarter| match q.1 {
            1 => 2,
            2 => 18,
            3 => 1,
            _ => 0,
        };
        let s = credit_status_from(10, true, (2026, 3), used);
        assert_eq!((s.allowance, s.used, s.remaining), (10, 1, 9));
        let q1 = credit_status_from(10, true, (2026, 1), |_| 0);
        assert_eq!(q1.allowance, 10);
        assert_eq!(s.summary(), "1 of 10 inquiries used this quarter");
    }

    #[test]
    fn month_and_quarter_periods_and_their_reset_dates() {
        let (start, next) = period_bounds(AllowancePeriod::Month, ts("2026-03-31T23:59:59Z"));
        assert_eq!(
            (start, next),
            (ts("2026-03-01T00:00:00Z"), ts("2026-04-01T00:00:00Z"))
        );
        let (start, next) = period_bounds(AllowancePeriod::Month, ts("2026-12-05T00:00:00Z"));
        assert_eq!(
            (start, next),
            (ts("2026-12-01T00:00:00Z"), ts("2027-01-01T00:00:00Z"))
        );
        let (start, next) = period_bounds(AllowancePeriod::Quarter, ts("2026-11-05T00:00:00Z"));
        assert_eq!(
            (start, next),
            (ts("2026-10-01T00:00:00Z"), ts("2027-01-01T00:00:00Z"))
        );
        let (start, next) = period_bounds(AllowancePeriod::Quarter, ts("2026-05-05T00:00:00Z"));
        assert_eq!(
            (start, next),
            (ts("2026-04-01T00:00:00Z"), ts("2026-07-01T00:00:00Z"))
        );
        assert_eq!(reset_label(ts("2027-01-01T00:00:00Z")), "1 Jan 2027");
    }

    #[test]
    fn monthly_credits_count_only_this_month() {
        let sent = [
            ts("2026-02-28T23:59:59Z"),
            ts("2026-03-01T00:00:00Z"),
            ts("2026-03-15T10:00:00Z"),
            ts("2026-04-01T00:00:00Z"),
        ];
        let now = ts("2026-03-20T12:00:00Z");
        let m = period_credits(10, AllowancePeriod::Month, now, sent);
        assert_eq!((m.used, m.remaining), (2, 8));
        assert_eq!(
            m.summary(),
            "2 of 10 inquiries used this month · resets 1 Apr 2026"
        );
        assert_eq!(
            m.left(),
            "8 of 10 inquiries left this month (resets 1 Apr 2026)"
        );
        let q = period_credits(3, AllowancePeriod::Quarter, now, sent);
        assert_eq!((q.used, q.remaining), (3, 0));
        assert!(
            q.summary()
                .starts_with("3 of 3 inquiries used this quarter")
        );
        assert!(q.left().ends_with("(resets 1 Apr 2026)"));
    }
}
