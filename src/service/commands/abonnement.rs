use crate::domain::abonnement::AbonnementCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for AbonnementCommand {
    /// Reads only the subscription (and, on creation, agendas that are
    /// never removed): no structure lock.
    fn structural(&self) -> bool {
        false
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
