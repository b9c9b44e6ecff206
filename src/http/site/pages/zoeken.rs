//! `/agendas/{id}/acties?zoek=`: the agenda's acties whose kenmerk,
//! omschrijving or trekker holds every search word (the API's `Zoekvraag`:
//! case and accents do not count).

use maud::html;
use uuid::Uuid;

use super::super::ctx::Ctx;
use super::super::{fmt, Page};
use crate::domain::gemeente::hoort_bij;
use crate::domain::zoeken::Zoekvraag;
use crate::http::peil::view::View;
use crate::http::problem::Problem;

pub fn render(view: &View, ctx: &Ctx, id: Option<Uuid>) -> Result<Page, Problem> {
    let id = id.unwrap_or_default();
    let seen = view.read();
    let agenda = seen.agenda(id)?;
    let m = seen.model();
    let gemeente = super::gemeente(m, ctx, id)?;
    let vraag = ctx.zoek.as_deref().and_then(Zoekvraag::parse);
    let mut hits: Vec<_> = m
        .acties
        .values()
        .filter(|a| a.state.agenda_id == id)
        .filter(|a| {
            gemeente
                .as_deref()
                .is_none_or(|g| hoort_bij(&a.state.gemeenten, g))
        })
        .filter(|a| {
            vraag.as_ref().is_none_or(|z| {
                let trekker = a
                    .state
                    .trekker
                    .as_ref()
                    .map(|t| fmt::trekker(m, t))
                    .unwrap_or_else(|| fmt::OPEN_ROL.to_owned());
                z.matches(&format!(
                    "{} {} {trekker}",
                    a.state.kenmerk, a.state.omschrijving
                ))
            })
        })
        .map(|a| a.as_ref())
        .collect();
    hits.sort_by_cached_key(|a| {
        let code = a
            .state
            .doel_id
            .and_then(|d| m.doel_weergavecode(d))
            .or_else(|| m.opgave_weergavecode(a.state.opgave_id));
        (
            code.is_none(),
            code.map(|c| crate::domain::code::sort_key(c.as_ref()))
                .unwrap_or_default(),
            a.state.kenmerk.to_string(),
            a.id,
        )
    });
    let n = hits.len();
    let body = html! {
        form method="get" action=(format!("/agendas/{id}/acties")) role="search" {
            @if let Some(p) = &ctx.peildatum { input type="hidden" name="peildatum" value=(p); }
            @if let Some(g) = &ctx.gemeente { input type="hidden" name="gemeente" value=(g); }
            div {
                label for="zoek" { "Zoek in acties" }
                input type="search" id="zoek" name="zoek" value=[ctx.zoek.as_deref()];
            }
            button type="submit" { "Zoek" }
        }
        p role="status" {
            @match &ctx.zoek {
                Some(z) => { (n) @if n == 1 { " actie" } @else { " acties" } " gevonden voor “" (z) "”." }
                None => { "Alle " (n) " acties van de agenda. Zoek op kenmerk, woorden uit de omschrijving of de trekker." }
            }
        }
        @if n > 0 {
            (super::tabel::acties(ctx, m, &hits, "Gevonden acties", true))
        }
    };
    let (crumb, gemeenten) = super::agenda_crumb(m, ctx, id);
    Ok(Page {
        kind: "zoeken",
        title: format!("Zoeken in de acties van {}", agenda.state.naam),
        crumbs: vec![crumb],
        gemeenten,
        body,
        valid_until: super::until_tomorrow(view.now()),
    })
}
