//! mag-tracker: an event-sourced tracker for a Dutch Maatschappelijke Agenda.
//!
//! Layers, dependencies pointing one way: [`domain`] (no I/O) →
//! [`event_store`] → projections → http → the `mag-tracker` binary.
#![forbid(unsafe_code)]

pub mod access;
pub mod app;
mod bench;
pub mod cli;
mod client;
mod crash;
pub mod domain;
pub mod escape;
pub mod event_store;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod http;
pub mod import;
pub mod kalender;
pub mod maintenance;
pub mod projections;
pub mod service;
pub mod telemetry;
pub mod webhooks;

/// A size tuned by an environment variable (`MAG_…`): its value as a
/// number, surrounding whitespace allowed, else `default` (unset or not a
/// number).
pub(crate) fn env_usize(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}
