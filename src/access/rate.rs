//! A simple per-caller rate limit (GCRA, from the `governor` crate): per
//! token, or per IP address for anonymous callers and refused tokens.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

/// Whom a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Token(Uuid),
    Ip(IpAddr),
}

/// Requests per second and burst; `None` turns the limit off.
pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<Key>>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl Default for RateLimit {
    /// Off (the library default; `serve` turns it on, see `--rate-limit`).
    fn default() -> Self {
        Self::new(0, 0)
    }
}

impl RateLimit {
    /// `per_second` 0 turns the limit off; `burst` is at least 1.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let limiter = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst.max(1)).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        Self {
            limiter,
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(wait)` when the caller must wait before the next request.
    pub fn check(&self, key: &Key) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget idle keys now and then so per-IP state cannot grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            limiter.retain_recent();
        }
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}
