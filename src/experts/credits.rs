//! Ask Defender Experts credits: 10 inquiries per calendar quarter by
//! default; unused credits roll over to at most 20 in a quarter and expire at the end of the
//! calendar year. Quarters are computed in UTC.

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
}
