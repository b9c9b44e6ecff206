use crate::domain::indicator::IndicatorCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for IndicatorCommand {
    /// Adding an indicator reads whether its doel or opgave is vervallen.
    fn structural(&self) -> bool {
        IndicatorCommand::structural(self)
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
