use crate::domain::organisatie::OrganisatieCommand;
use crate::domain::Besluit;
use crate::projections::ReadModel;
use crate::service::Command;

impl Command for OrganisatieCommand {
    /// Names are unique across organisaties: every command may read them.
    fn structural(&self) -> bool {
        true
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
