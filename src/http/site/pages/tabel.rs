//! The acties table of the opgave and search pages, from the API's `ActieDto`.

use maud::{html, Markup};

use super::super::ctx::Ctx;
use super::super::fmt;
use crate::domain::actie::{Actie, Voortgangsbericht};
use crate::http::dto::ActieDto;
use crate::projections::{Entity, ReadModel};

/// The latest voortgangsberichten that stand (not withdrawn), newest first.
pub fn laatste(a: &Actie, n: usize) -> Vec<&Voortgangsbericht> {
    let mut list: Vec<&Voortgangsbericht> = a
        .voortgangsberichten
        .iter()
        .map(|b| b.as_ref())
        .filter(|b| !b.ingetrokken)
        .collect();
    list.sort_by_key(|y| std::cmp::Reverse((y.datum, y.geregistreerd)));
    list.truncate(n);
    list
}

/// One row per actie; `opgave`: with a column naming its opgave.
pub fn acties(
    ctx: &Ctx,
    m: &ReadModel,
    list: &[&Entity<Actie>],
    caption: &str,
    opgave: bool,
) -> Markup {
    html! {
        table.acties {
            caption { (caption) }
            thead { tr {
                th scope="col" { "Kenmerk" }
                th scope="col" { "Omschrijving" }
                @if opgave { th scope="col" { "Opgave" } }
                th scope="col" { "Trekker" }
                th scope="col" { "Partners" }
                th scope="col" { "Status" }
                th scope="col" { "Laatste voortgang" }
            } }
            tbody {
                @for e in list {
                    @let a = ActieDto::from(e, m);
                    tr {
                        td { a href=(ctx.link(&format!("/acties/{}", a.id))) { (a.kenmerk) } }
                        td { (a.omschrijving) }
                        @if opgave { td { (m.opgave_label(a.opgave_id)) } }
                        td {
                            @match &a.trekker {
                                Some(t) => { (t.naam) }
                                None => { span.open-rol { (fmt::capital(fmt::OPEN_ROL)) } }
                            }
                        }
                        td {
                            @if a.partners.is_empty() { span.zacht { "–" } }
                            @else { (a.partners.iter().map(|p| p.naam.as_str()).collect::<Vec<_>>().join(", ")) }
                        }
                        td {
                            (fmt::status(&a.status))
                            @if let Some(d) = a.status_sinds_datum { br; span.zacht { "sinds " (fmt::datum(d)) } }
                        }
                        td {
                            @if laatste(&e.state, 1).is_empty() { span.zacht { "nog geen" } }
                            @for b in laatste(&e.state, 1) {
                                span.zacht { (fmt::datum(b.datum)) } br;
                                (b.tekst)
                            }
                        }
                    }
                }
            }
        }
    }
}
