use crate::domain::reflectie::ReflectieCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for ReflectieCommand {
    /// A new reflectie reads its subject (another aggregate) and takes the
    /// structure lock, as before; a change reads only the reflectie.
    fn structural(&self) -> bool {
        matches!(self, Self::VoegToe { .. })
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
