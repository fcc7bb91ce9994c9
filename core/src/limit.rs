//! How many results a query may ask for: one rule for search, rights and warnings, and so
//! for the CLI and the apps, which pass the person's or the screen's number through.
//!
//! A limit outside 1 to [`MAX_RESULTS`] is refused with [`Error::BadQuery`], never clamped
//! quietly: someone asking for 5,000 answers must not believe they saw everything.

use crate::error::{Error, Result};

/// The most results any query returns.
pub const MAX_RESULTS: usize = 1000;

/// Checks a query's `limit` (1 to [`MAX_RESULTS`]) and returns it.
pub fn check_limit(limit: usize) -> Result<usize> {
    if (1..=MAX_RESULTS).contains(&limit) {
        Ok(limit)
    } else {
        Err(Error::BadQuery(format!("limit must be 1 to {MAX_RESULTS}, not {limit}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_one_to_the_maximum_are_refused_with_the_range() {
        assert_eq!(check_limit(1).unwrap(), 1);
        assert_eq!(check_limit(MAX_RESULTS).unwrap(), MAX_RESULTS);
        for bad in [0, MAX_RESULTS + 1, usize::MAX] {
            let e = check_limit(bad).unwrap_err();
            assert!(matches!(&e, Error::BadQuery(m) if m == &format!("limit must be 1 to 1000, not {bad}")), "{e}");
        }
    }
}
