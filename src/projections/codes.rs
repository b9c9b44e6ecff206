//! Codes in the read model: the coded siblings at a place (for the
//! uniqueness rule, [`crate::domain::structuur::Plek`]), weergavecodes and
//! labels (derived by [`crate::domain::structuur::weergave`]), and lookups
//! by weergavecode.

use uuid::Uuid;

use super::ReadModel;
use crate::domain::code::{self, Code};
use crate::domain::structuur::{weergave, Plek};

impl ReadModel {
    /// The items at `plek` that have a code, with their code.
    pub fn codes_op(&self, plek: Plek) -> Vec<(Uuid, Code)> {
        match plek {
            Plek::Groepering {
                agenda_id,
                bovenliggende,
            } => self
                .groeperingen
                .values()
                .filter(|g| {
                    g.state.agenda_id == agenda_id
                        && g.state.bovenliggende_groepering_id == bovenliggende
                })
                .filter_map(|g| Some((g.id, g.state.code.clone()?)))
                .collect(),
            Plek::Opgave {
                agenda_id,
                groepering,
            } => self
                .opgaven
                .values()
                .filter(|o| o.state.agenda_id == agenda_id && o.state.groepering_id == groepering)
                .filter_map(|o| Some((o.id, o.state.code.clone()?)))
                .collect(),
            Plek::Doel {
                opgave_id,
                bovenliggend,
            } => {
                let top = match bovenliggend {
                    Some(p) => self.doelen.get(&p).map(|d| d.state.opgave_id),
                    None => Some(opgave_id),
                };
                top.map(|o| self.doel_ids_of_opgave(o))
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|id| self.doelen.get(&id))
                    .filter(|d| d.state.bovenliggend_doel_id == bovenliggend)
                    .filter_map(|d| Some((d.id, d.state.code.clone()?)))
                    .collect()
            }
        }
    }

    /// The weergavecode of groepering `id`.
    pub fn groepering_weergavecode(&self, id: Uuid) -> Option<Code> {
        weergave::groepering(self, id)
    }

    /// The weergavecode of opgave `id`.
    pub fn opgave_weergavecode(&self, id: Uuid) -> Option<Code> {
        weergave::opgave(self, id)
    }

    /// The weergavecode of doel `id`.
    pub fn doel_weergavecode(&self, id: Uuid) -> Option<Code> {
        weergave::doel(self, id)
    }

    /// How groepering `id` is named in text (weergavecode and name, or the
    /// name); empty for an unknown id.
    pub fn groepering_label(&self, id: Uuid) -> String {
        weergave::groepering_label(self, id).unwrap_or_default()
    }

    /// How opgave `id` is named in text (weergavecode and title, or the
    /// title); empty for an unknown id.
    pub fn opgave_label(&self, id: Uuid) -> String {
        weergave::opgave_label(self, id).unwrap_or_default()
    }

    /// How doel `id` is named in text (weergavecode and title, or the
    /// title); empty for an unknown id.
    pub fn doel_label(&self, id: Uuid) -> String {
        weergave::doel_label(self, id).unwrap_or_default()
    }

    /// The opgave of the agenda whose weergavecode is `code` (case
    /// ignored); the first in code order when several share it.
    pub fn opgave_by_code(&self, agenda_id: Uuid, code: &Code) -> Option<Uuid> {
        let mut hits: Vec<Uuid> = self
            .opgaven
            .values()
            .filter(|o| o.state.agenda_id == agenda_id && o.state.code.is_some())
            .filter(|o| self.opgave_weergavecode(o.id).is_some_and(|w| w.same(code)))
            .map(|o| o.id)
            .collect();
        hits.sort();
        hits.first().copied()
    }

    /// The doel of the agenda whose weergavecode is `code` (case ignored).
    pub fn doel_by_code(&self, agenda_id: Uuid, code: &Code) -> Option<Uuid> {
        let mut hits: Vec<Uuid> = self
            .doelen
            .values()
            .filter(|d| d.state.agenda_id == agenda_id && d.state.code.is_some())
            .filter(|d| self.doel_weergavecode(d.id).is_some_and(|w| w.same(code)))
            .map(|d| d.id)
            .collect();
        hits.sort();
        hits.first().copied()
    }
}

/// Whether an item with weergavecode `weergave` and own code `own` is what
/// `?code=` asks for: its weergavecode, or (among siblings the caller
/// already narrowed to) its own code; case ignored.
pub fn code_past(gevraagd: &Code, weergave: Option<&Code>, own: Option<&Code>) -> bool {
    weergave.is_some_and(|w| w.same(gevraagd)) || own.is_some_and(|o| o.same(gevraagd))
}

/// A sort key: by weergavecode in natural order, uncoded items after the
/// coded ones (the caller keeps those in the order they were created).
pub fn sorteer(weergave: Option<&Code>) -> (bool, Vec<code::Segment>) {
    (
        weergave.is_none(),
        weergave.map(Code::sort_key).unwrap_or_default(),
    )
}
