use crate::domain::checkmoment::CheckmomentCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for CheckmomentCommand {
    /// Opening creates a stream under the structure lock, as before; the
    /// other commands change only the checkmoment's own stream.
    fn structural(&self) -> bool {
        matches!(self, Self::Open { .. })
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
