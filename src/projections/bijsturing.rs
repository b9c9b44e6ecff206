//! What bijsturingen (PDCA "Act") did and whom they concern.
//!
//! The changes a bijsturing lists are ordinary commands that carry its id in
//! `metadata.bijsturingId` (header `X-Bijsturing-Id`). This module remembers
//! those events per bijsturing, so a bijsturing can show what was done for
//! it, and works out which opgaven a bijsturing concerns (for the PDCA phase).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Entity, EventHeader, ReadModel};
use crate::domain::checkmoment::{Bijsturing, Checkmoment};

/// One event that carried out (part of) a bijsturing.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Uitvoering {
    pub position: u64,
    pub event_type: String,
    pub stream_type: String,
    pub stream_id: Uuid,
    #[serde(with = "crate::domain::binary::instant")]
    pub recorded_at: DateTime<Utc>,
}

impl ReadModel {
    pub(super) fn record_uitvoering(&mut self, r: &EventHeader<'_>, event_type: &str) {
        if let Some(b) = r.bijsturing_id {
            self.uitvoeringen.entry(b).or_default().push(Uitvoering {
                position: r.position,
                event_type: event_type.to_owned(),
                stream_type: r.stream_type.clone().into_owned(),
                stream_id: r.stream_id,
                recorded_at: r.recorded_at,
            });
        }
    }

    /// The checkmoment that holds a bijsturing, and the bijsturing itself.
    pub fn bijsturing(&self, id: Uuid) -> Option<(&Entity<Checkmoment>, &Bijsturing)> {
        let c = self.checkmomenten.get(self.bijsturingen.get(&id)?)?;
        let b = c.state.bijsturingen.iter().find(|b| b.id == id)?;
        Some((c, b))
    }

    /// The opgave an actie, doel, opgave or indicator belongs to now.
    pub fn opgave_of_subject(&self, id: Uuid) -> Option<Uuid> {
        if self.opgaven.contains_key(&id) {
            return Some(id);
        }
        if let Some(a) = self.acties.get(&id) {
            return Some(self.opgave_of(&a.state));
        }
        let doel = self.indicatoren.get(&id).map_or(id, |i| i.state.doel_id);
        self.doelen.get(&doel).map(|d| d.state.opgave_id)
    }

    /// Whether a bijsturing concerns an opgave. A bijsturing of an opgave's
    /// checkmoment concerns that opgave. One of an agenda-wide checkmoment
    /// concerns the opgaven its voorgenomen wijzigingen name (`onderwerpId`)
    /// or its carried-out changes touched; when it names none, every opgave.
    pub fn bijsturing_concerns(&self, c: &Checkmoment, b: &Bijsturing, opgave_id: Uuid) -> bool {
        if let Some(o) = c.opgave_id {
            return o == opgave_id;
        }
        let named: Vec<Uuid> = self
            .bijsturing_subjects(b)
            .filter_map(|id| self.opgave_of_subject(id))
            .collect();
        named.is_empty() || named.contains(&opgave_id)
    }

    /// What a bijsturing names: the subjects of its voorgenomen wijzigingen
    /// (`onderwerpId`) and the streams of the events that carried it out.
    pub(super) fn bijsturing_subjects<'a>(
        &'a self,
        b: &'a Bijsturing,
    ) -> impl Iterator<Item = Uuid> + 'a {
        b.voorgenomen_wijzigingen
            .iter()
            .filter_map(|w| w.onderwerp_id)
            .chain(
                self.uitvoeringen
                    .get(&b.id)
                    .into_iter()
                    .flatten()
                    .map(|u| u.stream_id),
            )
    }
}
