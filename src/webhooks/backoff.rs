//! Exponential backoff with jitter between attempts to deliver one event:
//! `basis · 2^(attempt-1)`, at most `max`, then a random factor between 0.8
//! and 1.2 so that many subscriptions failing together do not retry in step.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub basis: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            basis: Duration::from_secs(2),
            max: Duration::from_secs(600),
        }
    }
}

impl Backoff {
    /// The wait after failed attempt `attempt` (from 1), before jitter.
    pub fn nominal(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(20);
        self.basis.saturating_mul(factor).min(self.max)
    }

    /// The wait with jitter; `random` in [0, 1).
    pub fn wait(&self, attempt: u32, random: f64) -> Duration {
        self.nominal(attempt)
            .mul_f64(0.8 + 0.4 * random.clamp(0.0, 1.0))
    }

    /// [`Backoff::wait`] with a random number from the OS.
    pub fn wait_random(&self, attempt: u32) -> Duration {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        self.wait(
            attempt,
            f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_bounded_jitter() {
        let b = Backoff {
            basis: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let ms: Vec<u128> = (1..=6).map(|a| b.nominal(a).as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.wait(3, 0.0).as_millis(), 320);
        assert_eq!(b.wait(3, 0.999_999).as_millis(), 479);
        for _ in 0..100 {
            let w = b.wait_random(2).as_millis();
            assert!((160..=240).contains(&w), "{w}");
        }
        assert_eq!(b.nominal(u32::MAX), Duration::from_secs(1));
    }
}
