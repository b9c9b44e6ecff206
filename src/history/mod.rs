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
pub mod names;
#[cfg(test)]
pub(crate) mod pdca_equivalence;
pub mod peil;
mod streams;

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
    /// Estimated bytes all checkpoints together may take; beyond it they
    /// are thinned out like beyond `max_checkpoints` (the newest stays).
    pub budget_bytes: usize,
    /// Events of recently read streams kept for the per-opgave path
    /// ([`AsOf::opgave_model_at`]; see `streams.rs`).
    pub stream_cache_events: usize,
}

impl Default for AsOfOptions {
    fn default() -> Self {
        // MAG_ASOF_BUDGET_MIB overrides the memory budget (default 512 MiB).
        let budget_mib = crate::env_usize("MAG_ASOF_BUDGET_MIB", 512);
        Self {
            spacing: 2_000,
            max_checkpoints: 4_096,
            cached_models: 4,
            budget_bytes: budget_mib << 20,
            // MAG_ASOF_STREAM_CACHE_EVENTS overrides it.
            stream_cache_events: crate::env_usize("MAG_ASOF_STREAM_CACHE_EVENTS", 50_000),
        }
    }
}

#[derive(Default)]
struct Cache {
    /// Sorted by position; with the model's estimated size.
    checkpoints: Vec<(u64, Arc<ReadModel>, usize)>,
    /// Most recently used last.
    recent: Vec<(u64, Arc<ReadModel>)>,
    /// The spacing in use: doubled each time the checkpoints had to be
    /// thinned out, so reads do not rebuild what was just dropped.
    spacing: u64,
}

/// Past states of the read model.
pub struct AsOf {
    store: Arc<dyn EventStore>,
    options: AsOfOptions,
    cache: Mutex<Cache>,
    streams: streams::StreamCache,
}

impl AsOf {
    pub fn new(store: Arc<dyn EventStore>, options: AsOfOptions) -> Self {
        Self {
            store,
            options,
            cache: Mutex::new(Cache::default()),
            streams: streams::StreamCache::new(options.stream_cache_events),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The read model after the event at `position` (clamped to the head).
    pub fn model_at(&self, position: u64) -> Result<Arc<ReadModel>, String> {
        let position = position.min(self.store.head());
        let (base, spacing) = {
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
                .find(|(p, _, _)| *p <= position)
                .map(|(p, m, _)| (*p, m.clone()));
            if cache.spacing == 0 {
                cache.spacing = self.options.spacing.max(1);
            }
            (base, cache.spacing)
        };
        let hit = position / spacing * spacing;
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

    /// The read model at `position` (clamped to the head) as far as the
    /// PDCA state of one opgave depends on it: only the streams
    /// [`ReadModel::pdca_streams`] names, each read up to `position` (no
    /// checkpoints, no whole-model replay; recently read streams come from
    /// memory, see `streams.rs`). `ReadModel::pdca` and the PDCA
    /// response give exactly what they give on the full model at `position`.
    /// `None` when the opgave does not exist in the live model (so it did
    /// not exist at `position` either).
    pub fn opgave_model_at(
        &self,
        live: &crate::projections::Projection,
        opgave_id: uuid::Uuid,
        position: u64,
    ) -> Result<Option<ReadModel>, String> {
        // The live model covers every position up to `position`: the store
        // tells listeners before it acknowledges (and before the head moves).
        let Some(streams) = live.read().pdca_streams(opgave_id) else {
            return Ok(None);
        };
        let position = position.min(self.store.head());
        let mut read = Vec::with_capacity(streams.len());
        for id in streams {
            read.push(
                self.streams
                    .read_until(self.store.as_ref(), id, position)
                    .map_err(|e| e.to_string())?,
            );
        }
        let mut events: Vec<&streams::DecodedEvent> =
            read.iter().flat_map(|(events, n)| &events[..*n]).collect();
        events.sort_unstable_by_key(|e| e.recorded.position);
        events.dedup_by_key(|e| e.recorded.position);
        let mut model = ReadModel::default();
        for e in events {
            model.apply_decoded(&crate::projections::EventHeader::of(&e.recorded), &e.event);
        }
        model.adopt_kenmerken(&live.read());
        model.position = position;
        Ok(Some(model))
    }

    fn apply_range(&self, model: &mut ReadModel, after: u64, until: u64) -> Result<(), String> {
        crate::projections::replay::replay_into(
            model,
            self.store.as_ref(),
            after,
            until,
            &mut |_| {},
        )
    }

    fn keep_checkpoint(&self, position: u64, model: Arc<ReadModel>) {
        let prev = self
            .cache()
            .checkpoints
            .iter()
            .rev()
            .find(|(p, _, _)| *p < position)
            .map(|(_, m, _)| m.clone());
        let size = estimated_bytes(&model, prev.as_deref());
        let mut cache = self.cache();
        if cache.checkpoints.iter().any(|(p, _, _)| *p == position) {
            return;
        }
        cache.checkpoints.push((position, model, size));
        cache.checkpoints.sort_by_key(|(p, _, _)| *p);
        let over = |c: &Cache| {
            c.checkpoints.len() > self.options.max_checkpoints.max(1)
                || c.checkpoints.iter().map(|(_, _, s)| s).sum::<usize>()
                    > self.options.budget_bytes
        };
        while cache.checkpoints.len() > 1 && over(&cache) {
            // Thin out: double the spacing and keep only its multiples (and
            // the newest checkpoint).
            let spacing = cache.spacing.max(self.options.spacing.max(1)) * 2;
            cache.spacing = spacing;
            let newest = cache.checkpoints.last().map_or(0, |(p, _, _)| *p);
            cache
                .checkpoints
                .retain(|(p, _, _)| p % spacing == 0 || *p == newest);
        }
    }

    /// Positions of the checkpoints currently kept (for tests and metrics).
    pub fn checkpoint_positions(&self) -> Vec<u64> {
        self.cache()
            .checkpoints
            .iter()
            .map(|(p, _, _)| *p)
            .collect()
    }

    /// Estimated bytes the checkpoints take now.
    pub fn checkpoint_bytes(&self) -> usize {
        self.cache().checkpoints.iter().map(|(_, _, s)| s).sum()
    }
}

/// A rough size of what a checkpoint adds in memory. Entity states are
/// shared (`Arc`) between models, so only entities that differ from the
/// previous checkpoint (`prev`) count, with the voortgangsberichten only
/// this model holds. Used only to keep the checkpoints within their budget.
pub fn estimated_bytes(m: &ReadModel, prev: Option<&ReadModel>) -> usize {
    use std::collections::HashMap;
    use uuid::Uuid;

    use crate::projections::Entity;
    const ENTITY: usize = 320;
    fn changed<T>(
        map: &HashMap<Uuid, Arc<Entity<T>>>,
        prev: Option<&HashMap<Uuid, Arc<Entity<T>>>>,
        extra: impl Fn(&T) -> usize,
    ) -> usize {
        map.iter()
            .filter(|(id, e)| {
                !prev
                    .and_then(|p| p.get(*id))
                    .is_some_and(|p| Arc::ptr_eq(p, e))
            })
            .map(|(_, e)| ENTITY + extra(&e.state))
            .sum()
    }
    changed(&m.acties, prev.map(|p| &p.acties), |a| {
        a.omschrijving.len()
            + a.voortgangsberichten
                .iter()
                .map(|b| {
                    16 + if Arc::strong_count(b) == 1 {
                        96 + b.tekst.len()
                    } else {
                        0
                    }
                })
                .sum::<usize>()
    }) + changed(&m.indicatoren, prev.map(|p| &p.indicatoren), |i| {
        192 * (i.metingen.len() + i.streefwaarden.len())
    }) + changed(&m.reflecties, prev.map(|p| &p.reflecties), |_| 1024)
        + changed(&m.agendas, prev.map(|p| &p.agendas), |_| 0)
        + changed(&m.opgaven, prev.map(|p| &p.opgaven), |_| 0)
        + changed(&m.doelen, prev.map(|p| &p.doelen), |_| 0)
        + changed(&m.groeperingen, prev.map(|p| &p.groeperingen), |_| 0)
        + changed(&m.organisaties, prev.map(|p| &p.organisaties), |_| 0)
        + changed(&m.checkmomenten, prev.map(|p| &p.checkmomenten), |_| 0)
        + 64 * (m.bijsturingen.len() + m.uitvoeringen.len())
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
                budget_bytes: usize::MAX,
                stream_cache_events: 0,
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

        // a tight memory budget thins the checkpoints out, reads stay right
        let tight = AsOf::new(
            store.clone(),
            AsOfOptions {
                spacing: 5,
                max_checkpoints: 100,
                cached_models: 1,
                budget_bytes: estimated_bytes(
                    &ReadModel::replay(store.as_ref(), 57).unwrap(),
                    None,
                ) / 2,
                stream_cache_events: 0,
            },
        );
        for p in [57u64, 20, 3, 44] {
            assert_eq!(tight.model_at(p).unwrap().organisaties.len(), p as usize);
        }
        assert!(
            tight.checkpoint_positions().len() < 57 / 5,
            "{:?} {}",
            tight.checkpoint_positions(),
            tight.checkpoint_bytes()
        );
        assert!(
            tight.checkpoint_bytes()
                <= estimated_bytes(&ReadModel::replay(store.as_ref(), 57).unwrap(), None) / 2
        );
    }
}
