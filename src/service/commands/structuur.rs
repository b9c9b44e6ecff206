use crate::domain::agenda::AgendaCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for AgendaCommand {
    /// A new agenda is structure; a change of its own fields reads nothing else.
    fn structural(&self) -> bool {
        matches!(self, Self::Maak { .. })
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
