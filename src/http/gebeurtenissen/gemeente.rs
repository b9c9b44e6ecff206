//! `gemeente` on the feed, the stream and webhook subscriptions: only the
//! events of agendas of that gemeente, and of those only what holds for it
//! (as `?gemeente=` on an agenda's views): an actie's events (and
//! reflecties on it) when the actie is for that gemeente or for the whole
//! agenda, a meting when it names no gemeente or that one. Events of no
//! agenda (organisaties registered on their own; those imported with an
//! agenda carry its id) do not pass, as with `agenda`.

use serde_json::Value;

use crate::domain::naam::same;
use crate::domain::reflectie::OnderwerpSoort;
use crate::event_store::RecordedEvent;
use crate::projections::ReadModel;

pub fn holds_for(m: &ReadModel, e: &RecordedEvent, g: &str) -> bool {
    let Some(agenda) = crate::access::policy::agenda_of_event(m, e) else {
        return false;
    };
    let in_agenda = m
        .agendas
        .get(&agenda)
        .is_some_and(|a| a.state.gemeenten.iter().any(|x| same(x, g)));
    if !in_agenda {
        return false;
    }
    let actie = |id| {
        m.acties
            .get(&id)
            .is_none_or(|a| crate::domain::gemeente::hoort_bij(&a.state.gemeenten, g))
    };
    match e.stream_type.as_str() {
        "actie" => actie(e.stream_id),
        "reflectie" => match m.reflecties.get(&e.stream_id).map(|r| r.state.over) {
            Some(over) if over.soort == OnderwerpSoort::Actie => actie(over.id),
            _ => true,
        },
        "indicator" => match e.data.get("gemeente") {
            Some(Value::String(x)) => same(x, g),
            _ => true,
        },
        _ => true,
    }
}

/// The gemeente as the agendas spell it, or a 400 naming `name`.
pub fn known(
    m: &ReadModel,
    agenda: Option<uuid::Uuid>,
    raw: &str,
    name: &str,
) -> Result<String, crate::http::problem::Problem> {
    let mut all: Vec<String> = m
        .agendas
        .values()
        .filter(|a| agenda.is_none_or(|id| a.id == id))
        .flat_map(|a| a.state.gemeenten.iter().cloned())
        .collect();
    all.sort();
    all.dedup();
    match crate::domain::gemeente::vind(&all, raw) {
        Some(g) => Ok(g.to_owned()),
        None => Err(crate::http::problem::Problem::invalid(vec![
            crate::http::problem::InvalidParam::new(
                name,
                crate::domain::Foutcode::UnknownGemeente,
                format!(
                    "'{raw}' is geen gemeente van een agenda; kies uit {}.",
                    all.join(", ")
                ),
            ),
        ])),
    }
}
