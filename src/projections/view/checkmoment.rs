use chrono::NaiveDate;
use uuid::Uuid;

use crate::domain::checkmoment::{Checkmoment, CheckmomentView};
use crate::projections::ReadModel;

impl CheckmomentView for ReadModel {
    fn checkmoment(&self, id: Uuid) -> Option<(&Checkmoment, u64)> {
        self.checkmomenten.get(&id).map(|c| (&c.state, c.version))
    }

    fn agenda_periode(&self, agenda: Uuid) -> Option<(NaiveDate, NaiveDate)> {
        self.agendas
            .get(&agenda)
            .map(|a| (a.state.periode_start, a.state.periode_eind))
    }

    fn agenda_van_opgave(&self, opgave: Uuid) -> Option<Uuid> {
        self.opgaven.get(&opgave).map(|o| o.state.agenda_id)
    }

    fn organisatie_bekend(&self, id: Uuid) -> bool {
        self.organisaties.contains_key(&id)
    }

    fn agenda_van_onderwerp(&self, id: Uuid) -> Option<Uuid> {
        self.opgave_of_subject(id)
            .and_then(|o| self.opgaven.get(&o))
            .map(|o| o.state.agenda_id)
    }
}
