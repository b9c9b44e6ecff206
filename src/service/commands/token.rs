use crate::domain::token::TokenCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for TokenCommand {
    /// Issuing reads organisaties and agendas (and, for the first token,
    /// whether any organisatie exists): under the structure lock, as
    /// before. Revoking reads only the token.
    fn structural(&self) -> bool {
        matches!(self, Self::Maak { .. })
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
