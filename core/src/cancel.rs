//! [`Cancel`]: how a caller stops long work from another thread (a sync, a bundle import, a
//! listings import, a download). The work checks it between chunks or batches, stops, rolls
//! back what it had not committed and returns [`crate::Error::Cancelled`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A handle shared by the caller and the work: clones see the same flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A handle that is not cancelled.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks every operation holding a clone of this handle to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_is_shared_between_clones() {
        let c = Cancel::new();
        let c2 = c.clone();
        assert!(!c2.is_cancelled());
        c.cancel();
        assert!(c2.is_cancelled());
    }
}
