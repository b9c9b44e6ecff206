use uuid::Uuid;

use crate::domain::agenda::{Agenda, Groepering};
use crate::domain::doel::Doel;
use crate::domain::opgave::Opgave;
use crate::domain::structuur::weergave::CodeBoom;
use crate::domain::structuur::{Plek, StructuurView};
use crate::domain::Code;
use crate::projections::ReadModel;

impl StructuurView for ReadModel {
    fn agenda(&self, id: Uuid) -> Option<(&Agenda, u64)> {
        self.agendas.get(&id).map(|e| (&e.state, e.version))
    }

    fn groepering(&self, id: Uuid) -> Option<(&Groepering, u64)> {
        self.groeperingen.get(&id).map(|e| (&e.state, e.version))
    }

    fn opgave(&self, id: Uuid) -> Option<(&Opgave, u64)> {
        self.opgaven.get(&id).map(|e| (&e.state, e.version))
    }

    fn doel(&self, id: Uuid) -> Option<(&Doel, u64)> {
        self.doelen.get(&id).map(|e| (&e.state, e.version))
    }

    fn codes_op(&self, plek: Plek) -> Vec<(Uuid, Code)> {
        ReadModel::codes_op(self, plek)
    }

    fn doelen_van_opgave(&self, opgave_id: Uuid) -> Vec<Uuid> {
        self.doel_ids_of_opgave(opgave_id)
    }

    fn subdoelen(&self, doel_id: Uuid) -> Vec<Uuid> {
        let mut subs: Vec<Uuid> = self
            .doelen
            .values()
            .filter(|s| s.state.bovenliggend_doel_id == Some(doel_id))
            .map(|s| s.id)
            .collect();
        subs.sort();
        subs
    }

    fn subgroeperingen(&self, groepering_id: Uuid) -> Vec<Uuid> {
        let mut subs: Vec<Uuid> = self
            .groeperingen
            .values()
            .filter(|g| g.state.bovenliggende_groepering_id == Some(groepering_id))
            .map(|g| g.id)
            .collect();
        subs.sort();
        subs
    }

    fn opgaven_in(&self, groepering_id: Uuid) -> Vec<Uuid> {
        let mut opgaven: Vec<Uuid> = self
            .opgaven
            .values()
            .filter(|o| o.state.groepering_id == Some(groepering_id))
            .map(|o| o.id)
            .collect();
        opgaven.sort();
        opgaven
    }
}

impl CodeBoom for ReadModel {
    fn groepering_knoop(&self, id: Uuid) -> Option<&Groepering> {
        self.groeperingen.get(&id).map(|e| &e.state)
    }
    fn opgave_knoop(&self, id: Uuid) -> Option<&Opgave> {
        self.opgaven.get(&id).map(|e| &e.state)
    }
    fn doel_knoop(&self, id: Uuid) -> Option<&Doel> {
        self.doelen.get(&id).map(|e| &e.state)
    }
}
