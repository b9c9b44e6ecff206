//! Which streams the PDCA state of one opgave can depend on, at any
//! position of the log up to now, and the read model of only those streams.
//!
//! [`ReadModel::apply`] changes an entity only from its own stream's events
//! (plus `uitvoeringen`, which record the event's own stream), so the model
//! replayed from a subset of the streams is exactly the full model with
//! every other stream left out. [`ReadModel::pdca`] looks at:
//!
//! - the opgave and its agenda (settings such as the signaleringstermijn);
//! - the doelen under the opgave, the acties under those doelen or directly
//!   under the opgave, and the doelen their codes come from (a sub-doel
//!   without code shows its parent's);
//! - the indicatoren of those doelen, and the reflecties about the opgave,
//!   those doelen and those acties;
//! - the checkmomenten of the opgave and the agenda-wide ones of its agenda;
//!   for a bijsturing of an agenda-wide checkmoment also the subjects it
//!   names and the streams its carried-out changes touched, with what those
//!   belong to (an actie's doel, an indicator's doel), since that decides
//!   whether the bijsturing concerns this opgave.
//!
//! Doelen and acties move ([`crate::domain::events::DoelVerplaatst`],
//! `ActieVerplaatst`), so "under the opgave" is taken over all time: the
//! append-only `ever_children`/`ever_parents` index. Everything else used is
//! fixed when a stream is created (an indicator's doel, a reflectie's
//! subject, a checkmoment's opgave and agenda, a doel's parent doel, an
//! opgave's agenda, a bijsturing's voorgenomen wijzigingen) or only grows
//! (bijsturingen, uitvoeringen), so the current model's values cover every
//! past position.

use std::collections::BTreeSet;

use uuid::Uuid;

use super::ReadModel;

impl ReadModel {
    /// The streams the PDCA state of `opgave_id` can depend on at any
    /// position up to this model's; `None` when the opgave does not exist
    /// (then it did not exist at any earlier position either).
    pub fn pdca_streams(&self, opgave_id: Uuid) -> Option<BTreeSet<Uuid>> {
        let opgave = self.opgaven.get(&opgave_id)?;
        let agenda_id = opgave.state.agenda_id;
        let mut out = BTreeSet::from([opgave_id, agenda_id]);
        let ever_children = |id: &Uuid| self.index.ever_children.get(id).into_iter().flatten();
        // doelen ever under the opgave, acties ever directly under it
        let level1: Vec<Uuid> = ever_children(&opgave_id).copied().collect();
        let doelen: Vec<Uuid> = level1
            .iter()
            .copied()
            .filter(|id| self.doelen.contains_key(id))
            .collect();
        out.extend(level1.iter().copied());
        for d in &doelen {
            // acties ever under the doel
            out.extend(ever_children(d).copied());
            // where a sub-doel without code takes its code from
            if let Some(p) = self.doelen[d].state.bovenliggend_doel_id {
                out.insert(p);
            }
            out.extend(self.indicator_ids_of_doel(*d).iter().copied());
        }
        let subjects: Vec<Uuid> = out.iter().copied().collect();
        for s in subjects {
            out.extend(self.reflectie_ids_about(s).iter().copied());
        }
        for scope in [opgave_id, agenda_id] {
            for c in self
                .index
                .checkmomenten_by_scope
                .get(&scope)
                .into_iter()
                .flatten()
            {
                out.insert(*c);
                let Some(cm) = self.checkmomenten.get(c) else {
                    continue;
                };
                if cm.state.opgave_id.is_some() {
                    continue;
                }
                // Whether an agenda-wide bijsturing concerns the opgave
                // depends on what its subjects belonged to then.
                for b in &cm.state.bijsturingen {
                    for s in self.bijsturing_subjects(b) {
                        out.insert(s);
                        if let Some(i) = self.indicatoren.get(&s) {
                            out.insert(i.state.doel_id);
                        }
                        out.extend(self.index.ever_parents.get(&s).into_iter().flatten());
                    }
                }
            }
        }
        Some(out)
    }
}
