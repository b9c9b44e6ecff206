use uuid::Uuid;

use crate::domain::actie::{Actie, ActieView};
use crate::domain::agenda::Agenda;
use crate::domain::doel::Doel;
use crate::domain::opgave::Opgave;
use crate::projections::ReadModel;

impl ActieView for ReadModel {
    fn actie(&self, id: Uuid) -> Option<(&Actie, u64)> {
        self.acties.get(&id).map(|a| (&a.state, a.version))
    }

    fn opgave(&self, id: Uuid) -> Option<&Opgave> {
        self.opgaven.get(&id).map(|o| &o.state)
    }

    fn doel(&self, id: Uuid) -> Option<&Doel> {
        self.doelen.get(&id).map(|d| &d.state)
    }

    fn agenda(&self, id: Uuid) -> Option<&Agenda> {
        self.agendas.get(&id).map(|a| &a.state)
    }

    fn organisatie_bestaat(&self, id: Uuid) -> bool {
        self.organisaties.contains_key(&id)
    }
}
