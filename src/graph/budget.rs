//! Client-side request budget: a token bucket shared by every clone of the client.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Token bucket refilled at `per_minute / 60` tokens per second.
///
/// The burst is one twelfth of the per-minute budget (5 s worth, at least 1) so that a full
/// bucket plus a minute of refill stays near the budget (Graph counts per rolling minute).
/// Waiters reserve their token up front (the level may go negative), so they are served in order.
#[derive(Debug)]
pub struct Budget {
    state: Mutex<Bucket>,
    per_second: f64,
    capacity: f64,
}

#[derive(Debug)]
struct Bucket {
    level: f64,
    last: Instant,
}

impl Budget {
    /// A full bucket; `per_minute == 0` means unlimited.
    pub fn new(per_minute: u32) -> Self {
        let capacity = f64::from(per_minute.div_ceil(12).max(1));
        Self {
            state: Mutex::new(Bucket {
                level: capacity,
                last: Instant::now(),
            }),
            per_second: f64::from(per_minute) / 60.0,
            capacity,
        }
    }

    /// Takes one token; returns how long the caller must wait before sending (zero if none).
    pub fn reserve(&self) -> Duration {
        self.reserve_at(Instant::now())
    }

    /// [`reserve`](Self::reserve) at the instant `now` (not before the previous call's).
    fn reserve_at(&self, now: Instant) -> Duration {
        if self.per_second <= 0.0 {
            return Duration::ZERO;
        }
        let mut b = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.level = (b.level + elapsed * self.per_second).min(self.capacity);
        b.last = b.last.max(now);
        b.level -= 1.0;
        if b.level >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-b.level / self.per_second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Times are given, not measured: the figures are exact whatever the machine's speed.
    #[test]
    fn burst_then_waits_grow_then_refill() {
        let b = Budget::new(120); // burst 10, 2 per second
        let t0 = Instant::now();
        for _ in 0..10 {
            assert_eq!(b.reserve_at(t0), Duration::ZERO);
        }
        assert_eq!(b.reserve_at(t0), Duration::from_millis(500));
        assert_eq!(b.reserve_at(t0), Duration::from_millis(1000));
        // Two reserved tokens are owed: after 1 s they are paid back and the bucket is empty.
        assert_eq!(
            b.reserve_at(t0 + Duration::from_secs(1)),
            Duration::from_millis(500)
        );
        // After a long pause the bucket is full again (10 tokens), never more.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..10 {
            assert_eq!(b.reserve_at(later), Duration::ZERO);
        }
        assert_eq!(b.reserve_at(later), Duration::from_millis(500));
    }

    #[test]
    fn zero_is_unlimited() {
        let b = Budget::new(0);
        for _ in 0..1000 {
            assert_eq!(b.reserve(), Duration::ZERO);
        }
    }
}
