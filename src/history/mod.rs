//! History: the read model as it was at an earlier position (time travel),
//! on top of [`ReadModel::replay`].
//!
//! A full replay of 1M events takes seconds, so [`AsOf`] keeps
//! *checkpoints*: the model at every multiple of `spacing` positions, as an
//! `Arc<ReadModel>`, made lazily the first time a read needs them. A read at
//! position `p` clones the nearest checkpoint at or before `p` and applies at
//! most `spacing - 1` events. The exact models of the last few positions
//! asked for are cached too (peildata cluster: "1 juli", "eind 2024").
//! Memory is bounded by `max_checkpoints` (older ones are thinned out).
//! Because checkpoints are whole models, doelen that moved between opgaven
//! and renumbered codes are simply as they were then.

pub mod audit;
pub mod peil;

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use crate::event_store::EventStore;
use crate::projections::ReadModel;

/// How checkpoints are kept.
#[derive(Debug, Clone, Copy)]
pub struct AsOfOptions {
    /// A checkpoint every this many positions.
    pub spacing: u64,
    /// Most checkpoints kept; beyond it every other one is dropped.
    pub max_checkpoints: usize,
    /// Exact as-of models kept for repeated reads.
    pub cached_models: usize,
}

impl Default for AsOfOptions {
    fn default() -> Self {
        Self {
            spacing: 20_000,
            max_checkpoints: 64,
            cached_models: 4,
        }
    }
}

#[derive(Default)]
struct Cache {
    /// Sorted by position.
    checkpoints: Vec<(u64, Arc<ReadModel>)>,
    /// Most recently used last.
    recent: Vec<(u64, Arc<ReadModel>)>,
}

/// Past states of the read model.
pub struct AsOf {
    store: Arc<dyn EventStore>,
    options: AsOfOptions,
    cache: Mutex<Cache>,
}

impl AsOf {
    pub fn new(store: Arc<dyn EventStore>, options: AsOfOptions) -> Self {
        Self {
            store,
            options,
            cache: Mutex::new(Cache::default()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The read model after the event at `position` (clamped to the head).
    pub fn model_at(&self, position: u64) -> Result<Arc<ReadModel>, String> {
        let position = position.min(self.store.head());
        let (base, hit) = {
            let mut cache = self.cache();
            if let Some(i) = cache.recent.iter().position(|(p, _)| *p == position) {
                let entry = cache.recent.remove(i);
                let model = entry.1.clone();
                cache.recent.push(entry);
                return Ok(model);
            }
            let base = cache
                .checkpoints
                .iter()
                .rev()
                .find(|(p, _)| *p <= position)
                .cloned();
            (base, position / self.options.spacing * self.options.spacing)
        };
        let spacing = self.options.spacing.max(1);
        let (mut at, mut model) = match base {
            Some((p, m)) => (p, (*m).clone()),
            None => (0, ReadModel::default()),
        };
        // Build the missing checkpoints on the way (at multiples of spacing).
        while at + spacing <= hit {
            let next = (at / spacing + 1) * spacing;
            self.apply_range(&mut model, at, next)?;
            at = next;
            self.keep_checkpoint(at, Arc::new(model.clone()));
        }
        self.apply_range(&mut model, at, position)?;
        let model = Arc::new(model);
        let mut cache = self.cache();
        cache.recent.push((position, model.clone()));
        let excess = cache
            .recent
            .len()
            .saturating_sub(self.options.cached_models);
        cache.recent.drain(..excess);
        Ok(model)
    }

    fn apply_range(&self, model: &mut ReadModel, after: u64, until: u64) -> Result<(), String> {
        let mut failure = None;
        self.store
            .scan(after, until, &mut |e| match model.apply(&e) {
                Ok(()) => ControlFlow::Continue(()),
                Err(err) => {
                    failure = Some(format!("event at position {}: {err}", e.position));
                    ControlFlow::Break(())
                }
            })
            .map_err(|e| e.to_string())?;
        failure.map_or(Ok(()), Err)
    }

    fn keep_checkpoint(&self, position: u64, model: Arc<ReadModel>) {
        let mut cache = self.cache();
        if cache.checkpoints.iter().any(|(p, _)| *p == position) {
            return;
        }
        cache.checkpoints.push((position, model));
        cache.checkpoints.sort_by_key(|(p, _)| *p);
        if cache.checkpoints.len() > self.options.max_checkpoints {
            // Thin out: keep every other one (the newest always stays).
            let n = cache.checkpoints.len();
            let mut i = 0;
            cache.checkpoints.retain(|_| {
                i += 1;
                (n - i) % 2 == 0
            });
        }
    }

    /// Positions of the checkpoints currently kept (for tests and metrics).
    pub fn checkpoint_positions(&self) -> Vec<u64> {
        self.cache().checkpoints.iter().map(|(p, _)| *p).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_store::{AppendRequest, ExpectedVersion, MemoryStore, Metadata, NewEvent};
    use serde_json::json;
    use uuid::Uuid;

    fn store_with_organisaties(n: usize) -> (Arc<MemoryStore>, Vec<Uuid>) {
        let store = Arc::new(MemoryStore::new());
        let mut ids = Vec::new();
        for i in 0..n {
            let id = Uuid::now_v7();
            ids.push(id);
            store
                .append(AppendRequest::single(
                    id,
                    "organisatie",
                    ExpectedVersion::NoStream,
                    vec![NewEvent::new(
                        "OrganisatieGeregistreerd",
                        1,
                        json!({"naam": format!("Org {i}"), "soort": "welzijn", "contactadres": null}),
                    )],
                    Metadata::default(),
                ))
                .wait()
                .unwrap();
        }
        (store, ids)
    }

    #[test]
    fn as_of_equals_a_full_replay_at_every_position() {
        let (store, ids) = store_with_organisaties(57);
        let as_of = AsOf::new(
            store.clone(),
            AsOfOptions {
                spacing: 10,
                max_checkpoints: 3,
                cached_models: 2,
            },
        );
        for p in [0u64, 5, 10, 11, 57, 33, 9, 40, 40, 100] {
            let m = as_of.model_at(p).unwrap();
            let full = ReadModel::replay(store.as_ref(), p).unwrap();
            assert_eq!(m.position, full.position, "at {p}");
            assert_eq!(m.organisaties.len(), full.organisaties.len(), "at {p}");
            let expected = p.min(57) as usize;
            assert_eq!(m.organisaties.len(), expected);
            assert!(ids[..expected]
                .iter()
                .all(|id| m.organisaties.contains_key(id)));
        }
        assert!(as_of.checkpoint_positions().len() <= 3);
    }
}
