//! Bounded concurrency for expensive work an anonymous client can start:
//! password checks (argon2id, ~19 MiB each) and uploads (up to 10 MiB each
//! held in memory). A gate lets a fixed number through at once, keeps a
//! short queue of waiters, and turns everyone else away at once with a
//! "busy, retry after" answer, so that a flood costs a bounded amount of
//! memory and time instead of all of it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// One bounded resource.
#[derive(Debug, Clone)]
pub struct Gate {
    what: &'static str,
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
    max_wait: Duration,
}

/// Held while the work runs; the next waiter goes in when it is dropped.
#[derive(Debug)]
pub struct Pass {
    _permit: OwnedSemaphorePermit,
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    /// `at_once` may run together; up to `max_waiting` more wait at most
    /// `max_wait` for their turn. `what` names the work in the busy message
    /// ("sign-ins", "uploads").
    pub fn new(what: &'static str, at_once: usize, max_waiting: usize, max_wait: Duration) -> Self {
        Self {
            what,
            permits: Arc::new(Semaphore::new(at_once.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
            max_wait,
        }
    }

    /// Waits for a turn; [`AppError::Busy`] (503 with `Retry-After`) when the
    /// queue is full or the turn does not come in time.
    pub async fn enter(&self) -> Result<Pass, AppError> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(Pass { _permit: permit });
        }
        let busy = || AppError::Busy(self.what, self.max_wait.as_secs().max(1));
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(busy());
        }
        let _waiting = Waiting(&self.waiting);
        match tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Pass { _permit: permit }),
            _ => Err(busy()),
        }
    }
}

/// The gates of one running app.
#[derive(Debug, Clone)]
pub struct Gates {
    /// Password hashes and checks.
    pub passwords: Gate,
    /// Multipart bodies being read and examined.
    pub uploads: Gate,
}

impl Gates {
    /// Gates sized by the settings.
    pub fn new(password_checks: usize, uploads: usize) -> Self {
        Self {
            passwords: Gate::new("sign-ins", password_checks, 4 * password_checks, Duration::from_secs(5)),
            uploads: Gate::new("uploads", uploads, 16 * uploads, Duration::from_secs(10)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_gate_lets_a_few_through_queues_some_and_turns_the_rest_away() {
        let gate = Gate::new("tests", 2, 1, Duration::from_millis(200));
        let a = gate.enter().await.expect("first");
        let _b = gate.enter().await.expect("second");
        // The third waits its turn; the fourth finds the queue full.
        let third = {
            let gate = gate.clone();
            actix_web::rt::spawn(async move { gate.enter().await.map(|_| ()) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let fourth = gate.enter().await;
        assert!(matches!(fourth, Err(AppError::Busy("tests", 1))), "{fourth:?}");
        drop(a);
        assert!(third.await.expect("join").is_ok(), "the waiter gets the freed turn");
        // Nobody frees a turn: a waiter gives up after the wait.
        let _c = gate.enter().await.expect("the third's turn is free again");
        assert!(matches!(gate.enter().await, Err(AppError::Busy(..))));
    }
}
