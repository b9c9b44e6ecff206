use crate::domain::bijdrage::BijdrageCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for BijdrageCommand {
    /// Reads the tree: the item's primary groepering (a move of the opgave
    /// changes it) and the groepering's agenda.
    fn structural(&self) -> bool {
        true
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
