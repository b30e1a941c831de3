//! Retry timing: `Retry-After` parsing and bounded exponential backoff with jitter.

use std::time::Duration;

use rand::Rng as _;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// First backoff step.
pub const BASE_BACKOFF: Duration = Duration::from_millis(500);

/// `Retry-After` as delta-seconds (fractions allowed, e.g. `2.128`) or an HTTP date.
/// A date in the past gives zero. Unparseable values give `None`.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = jiff::fmt::rfc2822::parse(raw).ok()?.timestamp();
    let delta = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(delta).unwrap_or(Duration::ZERO))
}

/// Exponential backoff for retry number `attempt` (0-based): `min(cap, 500 ms · 2^attempt)`,
/// jittered into its upper half (never below half the step, never above `cap`).
pub fn backoff(attempt: u32, cap: Duration) -> Duration {
    let step = BASE_BACKOFF
        .saturating_mul(1u32 << attempt.min(20))
        .min(cap);
    let half = step / 2;
    let jitter = rand::rng().random_range(0.0..=1.0);
    half + half.mul_f64(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn h(v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        m
    }

    #[test]
    fn parses_seconds_fractions_and_dates() {
        assert_eq!(retry_after(&h("10")), Some(Duration::from_secs(10)));
        assert_eq!(
            retry_after(&h(" 2.128 ")),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(
            retry_after(&h("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO)
        );
        let future = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(30);
        let text =
            jiff::fmt::rfc2822::to_string(&future.to_zoned(jiff::tz::TimeZone::UTC)).unwrap();
        let d = retry_after(&h(&text)).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?} from {text}"
        );
        assert_eq!(retry_after(&h("-1")), None);
        assert_eq!(retry_after(&h("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_is_bounded_and_grows() {
        let cap = Duration::from_secs(60);
        for attempt in 0..40 {
            let step = BASE_BACKOFF
                .saturating_mul(1u32 << attempt.min(20))
                .min(cap);
            let d = backoff(attempt, cap);
            assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
        }
        assert!(backoff(3, Duration::from_millis(40)) <= Duration::from_millis(40));
    }
}
