//! `/`: the published agendas.

use maud::html;
use uuid::Uuid;

use super::super::ctx::Ctx;
use super::super::{fmt, Page};
use crate::http::peil::view::View;
use crate::http::problem::Problem;

pub fn render(view: &View, ctx: &Ctx, _: Option<Uuid>) -> Result<Page, Problem> {
    let seen = view.read();
    let m = seen.model();
    let mut agendas: Vec<_> = m.agendas.values().filter(|a| seen.sees(a.id)).collect();
    agendas.sort_by(|a, b| {
        (a.state.naam.to_lowercase(), a.id).cmp(&(b.state.naam.to_lowercase(), b.id))
    });
    let body = html! {
        p { "Een maatschappelijke agenda beschrijft wat gemeente en partners samen willen bereiken: opgaven, doelen en de acties die daarvoor nodig zijn. Hier volgt u de voortgang van elke gepubliceerde agenda." }
        @if agendas.is_empty() {
            p { "Er is op dit moment geen gepubliceerde agenda." }
        }
        @for a in &agendas {
            section.kaart aria-labelledby=(format!("agenda-{}", a.id)) {
                h2 id=(format!("agenda-{}", a.id)) {
                    a href=(ctx.link_peil(&format!("/agendas/{}", a.id))) { (a.state.naam) }
                }
                dl.gegevens {
                    dt { "Periode" }
                    dd { (fmt::datum(a.state.periode_start)) " tot en met " (fmt::datum(a.state.periode_eind)) }
                    dt { @if a.state.gemeenten.len() > 1 { "Gemeenten" } @else { "Gemeente" } }
                    dd { (a.state.gemeenten.join(", ")) }
                }
                @if !a.state.omschrijving.is_empty() {
                    p { (a.state.omschrijving) }
                }
            }
        }
    };
    Ok(Page {
        kind: "start",
        title: "Maatschappelijke agenda's".into(),
        crumbs: Vec::new(),
        gemeenten: Vec::new(),
        body,
        valid_until: super::until_tomorrow(view.now()),
    })
}
