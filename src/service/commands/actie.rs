use crate::domain::actie::ActieCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for ActieCommand {
    /// A create takes a kenmerk and a move reads the tree; status changes,
    /// trekkers and voortgang (the hot path) take no lock.
    fn structural(&self) -> bool {
        ActieCommand::structural(self)
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
