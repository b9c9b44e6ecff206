use uuid::Uuid;

use crate::domain::token::{Token, TokenView};
use crate::projections::ReadModel;

impl TokenView for ReadModel {
    fn token(&self, id: Uuid) -> Option<(&Token, u64)> {
        self.tokens.get(&id).map(|t| (&t.state, t.version))
    }

    fn organisatie_geregistreerd(&self, id: Uuid) -> bool {
        self.organisaties.contains_key(&id)
    }

    fn agenda_bestaat(&self, id: Uuid) -> bool {
        self.agendas.contains_key(&id)
    }

    fn agenda_gemeenten(&self, id: Uuid) -> Option<&[String]> {
        self.agendas.get(&id).map(|a| &a.state.gemeenten[..])
    }

    fn heeft_organisaties(&self) -> bool {
        !self.organisaties.is_empty()
    }
}
