//! One module per page type; each reads the model through the API's
//! [`crate::http::peil::view::View`] and the API's view functions.

pub mod actie;
pub mod agenda;
pub mod indicator;
pub mod opgave;
pub mod start;
mod tabel;
pub mod zoeken;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ctx::Ctx;
use crate::http::problem::Problem;
use crate::projections::ReadModel;

/// Pages that read the clock only for the date (the peiljaar): valid until
/// the next day begins in Amsterdam.
pub fn until_tomorrow(now: DateTime<Utc>) -> DateTime<Utc> {
    crate::kalender::next_day_start(now)
}

/// The agenda's breadcrumb and its gemeenten (for the filter).
pub fn agenda_crumb(m: &ReadModel, ctx: &Ctx, agenda: Uuid) -> ((String, String), Vec<String>) {
    let a = m.agendas.get(&agenda);
    (
        (
            a.map(|a| a.state.naam.clone()).unwrap_or_default(),
            ctx.link(&format!("/agendas/{agenda}")),
        ),
        a.map(|a| a.state.gemeenten.clone()).unwrap_or_default(),
    )
}

/// The gemeente asked for, checked against the agenda as the API checks it
/// (an unknown one is a 400 that lists the agenda's gemeenten).
pub fn gemeente(m: &ReadModel, ctx: &Ctx, agenda: Uuid) -> Result<Option<String>, Problem> {
    let q = crate::http::gemeente::GemeenteQuery {
        gemeente: ctx.gemeente.clone(),
    };
    match m.agendas.get(&agenda) {
        Some(a) if a.state.gemeenten.len() > 1 => q.van(&a.state),
        // One gemeente (or none): the filter does not apply.
        _ => Ok(None),
    }
}
