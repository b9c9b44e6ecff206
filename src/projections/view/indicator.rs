use uuid::Uuid;

use crate::domain::indicator::{DoelPlek, Indicator, IndicatorView};
use crate::projections::ReadModel;

impl IndicatorView for ReadModel {
    fn indicator(&self, id: Uuid) -> Option<(&Indicator, u64)> {
        self.indicatoren.get(&id).map(|i| (&i.state, i.version))
    }

    fn doel_plek(&self, doel_id: Uuid) -> Option<DoelPlek> {
        let d = &self.doelen.get(&doel_id)?.state;
        Some(DoelPlek {
            agenda_id: d.agenda_id,
            doel_vervallen: d.vervallen.clone(),
            opgave_vervallen: self
                .opgaven
                .get(&d.opgave_id)
                .and_then(|o| o.state.vervallen.clone()),
        })
    }

    fn organisatie_bestaat(&self, id: Uuid) -> bool {
        self.organisaties.contains_key(&id)
    }

    fn agenda_gemeenten(&self, agenda_id: Uuid) -> Vec<String> {
        self.agendas
            .get(&agenda_id)
            .map(|a| a.state.gemeenten.clone())
            .unwrap_or_default()
    }
}
