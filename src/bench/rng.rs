//! splitmix64: deterministic, good enough to pick targets. Shared by the
//! bench data generator and the seeded random writes of the as-of
//! equivalence test.

use chrono::{Duration, NaiveDate};

pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// One of `items` (none, and no draw, when empty).
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())])
    }

    /// A day of 2024.
    pub(crate) fn date(&mut self) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid") + Duration::days(self.below(366) as i64)
    }
}
