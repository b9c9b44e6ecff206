use crate::domain::agenda::{AgendaCommand, GroeperingCommand};
use crate::domain::doel::DoelCommand;
use crate::domain::opgave::OpgaveCommand;
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

impl Command for OpgaveCommand {
    /// A code is unique among the sibling opgaven; a renumber reads the doelen below.
    fn structural(&self) -> bool {
        true
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}

impl Command for DoelCommand {
    /// A code is unique among the sibling doelen; a move reads the opgaven and sub-doelen.
    fn structural(&self) -> bool {
        true
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}

impl Command for GroeperingCommand {
    /// A new groepering's code is unique among its siblings; a rename reads nothing else.
    fn structural(&self) -> bool {
        matches!(self, Self::Maak { .. })
    }

    fn decide(&self, model: &ReadModel) -> Besluit {
        self.clone().decide(model)
    }
}
