use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::reflectie::{OnderwerpSoort, PdcaFase, Reflectie, ReflectieView};
use crate::projections::ReadModel;

impl ReflectieView for ReadModel {
    fn reflectie(&self, id: Uuid) -> Option<(&Reflectie, u64)> {
        self.reflecties.get(&id).map(|r| (&r.state, r.version))
    }

    fn onderwerp(&self, id: Uuid) -> Option<(OnderwerpSoort, Uuid, Uuid)> {
        if let Some(a) = self.acties.get(&id) {
            return Some((
                OnderwerpSoort::Actie,
                a.state.agenda_id,
                self.opgave_of(&a.state),
            ));
        }
        if let Some(d) = self.doelen.get(&id) {
            return Some((OnderwerpSoort::Doel, d.state.agenda_id, d.state.opgave_id));
        }
        self.opgaven
            .get(&id)
            .map(|o| (OnderwerpSoort::Opgave, o.state.agenda_id, id))
    }

    fn organisatie_bestaat(&self, id: Uuid) -> bool {
        self.organisaties.contains_key(&id)
    }

    fn pdca_fase(&self, opgave: Uuid, nu: DateTime<Utc>) -> Option<PdcaFase> {
        self.pdca(opgave, nu).map(|p| p.fase)
    }
}
