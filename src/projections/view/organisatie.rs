use uuid::Uuid;

use crate::domain::naam;
use crate::domain::organisatie::{Organisatie, OrganisatieView};
use crate::projections::ReadModel;

impl OrganisatieView for ReadModel {
    fn organisatie(&self, id: Uuid) -> Option<(&Organisatie, u64)> {
        self.organisaties.get(&id).map(|o| (&o.state, o.version))
    }

    fn organisatienaam_bezet(&self, naam: &str, behalve: Option<Uuid>) -> bool {
        self.organisaties
            .values()
            .any(|o| Some(o.id) != behalve && naam::same(&o.state.naam, naam))
    }
}
