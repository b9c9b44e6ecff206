//! The one rule of a programmamanager token scoped to a gemeente of a
//! shared nota (`docs/model-flexibility.md`): which resources it may write.
//! Which gemeenten a new or changed actie may get is the actie's domain rule
//! (`domain::actie`, the command's `beperkt_tot`).

use uuid::Uuid;

use super::{Action, Denied, Target};
use crate::domain::reflectie::OnderwerpSoort;
use crate::projections::ReadModel;

/// A programmamanager token scoped to gemeente `g`: the acties of exactly
/// that gemeente (their status, trekker, voortgang and reflecties too), and
/// new acties (the domain gives them `g` and refuses another gemeente);
/// metingen for `g` (the domain gives a meting `g` and refuses another
/// gemeente or the whole area) on an indicator that is not measured for
/// the whole area only; not the agenda's structure, acties of other
/// gemeenten or of the whole agenda.
pub(super) fn binnen_gemeente(g: &str, m: &ReadModel, action: Action) -> Result<(), Denied> {
    let scope = |reason: String| Err(Denied::OutsideScope(reason));
    let eigen = |id: Uuid| {
        let a = m
            .acties
            .get(&id)
            .map(|a| &a.state)
            .ok_or_else(|| Denied::NotFound(Target::Actie(id).describe()))?;
        match a.gemeenten.as_slice() {
            [only] if crate::domain::naam::same(only, g) => Ok(()),
            [] => scope(format!("Dit token is beperkt tot gemeente {g}; actie {} is voor de hele agenda. Alleen een programmamanager van de hele agenda wijzigt haar.", a.kenmerk)),
            other => scope(format!("Dit token is beperkt tot gemeente {g}; actie {} is voor {}. Alleen acties van precies {g} mag het wijzigen.", a.kenmerk, other.join(", "))),
        }
    };
    match action {
        Action::ActieAanmaken(_) => Ok(()),
        Action::Beheren(Target::Actie(id))
        | Action::ReflectieToevoegen(Target::Actie(id))
        | Action::TrekkerToewijzen(id)
        | Action::StatusWijzigen(id)
        | Action::VoortgangToevoegen(id)
        | Action::VoortgangWijzigen { actie: id, .. } => eigen(id),
        Action::ReflectieWijzigen(id) => match m.reflecties.get(&id).map(|r| &r.state.over) {
            Some(over) if over.soort == OnderwerpSoort::Actie => eigen(over.id),
            _ => scope(format!("Dit token is beperkt tot gemeente {g}; het wijzigt alleen reflecties op acties van {g}.")),
        },
        Action::MetingVastleggen(id) => {
            let i = m
                .indicatoren
                .get(&id)
                .map(|i| &i.state)
                .ok_or_else(|| Denied::NotFound(Target::Indicator(id).describe()))?;
            if i.alleen_heel_gebied() {
                scope(format!("Dit token is beperkt tot gemeente {g}; indicator '{}' wordt gemeten voor het hele gebied (geen van haar metingen noemt een gemeente). Metingen daarvan legt een programmamanager van de hele agenda of de eigenaar van de indicator vast.", i.naam))
            } else {
                Ok(())
            }
        }
        Action::ReflectieToevoegen(_) => scope(format!("Dit token is beperkt tot gemeente {g}; het schrijft reflecties alleen bij acties van {g}, niet bij een opgave of doel.")),
        _ => scope(format!("Dit token is beperkt tot gemeente {g}: het leest de hele agenda en maakt en wijzigt acties van {g}, maar wijzigt de indeling van de agenda niet (agenda, groeperingen, opgaven, doelen, indicatoren, checkmomenten en bijsturingen). Dat doet een programmamanager van de hele agenda.")),
    }
}
