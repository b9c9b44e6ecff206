use uuid::Uuid;

use crate::domain::abonnement::{Abonnement, AbonnementView};
use crate::projections::ReadModel;

impl AbonnementView for ReadModel {
    fn abonnement(&self, id: Uuid) -> Option<(&Abonnement, u64)> {
        self.abonnementen.get(&id).map(|a| (&a.state, a.version))
    }

    fn laatste_positie(&self) -> u64 {
        self.position
    }

    fn gemeenten_van(&self, agenda: Uuid) -> Option<&[String]> {
        self.agendas
            .get(&agenda)
            .map(|a| a.state.gemeenten.as_slice())
    }

    fn alle_gemeenten(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .agendas
            .values()
            .flat_map(|a| a.state.gemeenten.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }
}
