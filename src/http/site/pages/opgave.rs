//! `/opgaven/{id}`: the opgave's PDCA state (the API's, `http/pdca.rs`), its
//! doelen with their acties and indicators, the latest voortgangsberichten,
//! reflecties, checkmomenten and bijsturingen with their rationale.

use maud::{html, Markup};
use uuid::Uuid;

use super::super::ctx::Ctx;
use super::super::{fmt, Page};
use crate::domain::actie::Actie;
use crate::domain::gemeente::hoort_bij;
use crate::http::peil::view::View;
use crate::http::problem::Problem;
use crate::projections::{Entity, ReadModel};

pub fn render(view: &View, ctx: &Ctx, id: Option<Uuid>) -> Result<Page, Problem> {
    let id = id.unwrap_or_default();
    let seen = view.read();
    let opgave = seen.opgave(id)?;
    let m = seen.model();
    let o = &opgave.state;
    let gemeente = super::gemeente(m, ctx, o.agenda_id)?;
    let state = m
        .pdca_in(id, view.now(), None, gemeente.as_deref())
        .ok_or_else(|| view.not_found(crate::domain::niet_gevonden("opgave", id), id))?;
    let valid_until = state.valid_until;
    let pdca = crate::http::pdca::pdca_dto(m, state);
    let acties_onder = |parent: Uuid| -> Vec<&Entity<Actie>> {
        let mut list: Vec<&Entity<Actie>> = m
            .actie_ids_under(parent)
            .filter_map(|a| m.acties.get(&a))
            .map(|a| a.as_ref())
            .filter(|a| a.state.opgave_id == id)
            .filter(|a| {
                gemeente
                    .as_deref()
                    .is_none_or(|g| hoort_bij(&a.state.gemeenten, g))
            })
            .collect();
        list.sort_by_key(|a| (a.state.kenmerk.to_string(), a.id));
        list
    };
    let mut doelen: Vec<Uuid> = m.doel_ids_of_opgave(id);
    doelen.sort_by_cached_key(|d| {
        let code = m.doel_weergavecode(*d);
        (
            code.is_none(),
            code.map(|c| crate::domain::code::sort_key(c.as_ref()))
                .unwrap_or_default(),
            m.doelen.get(d).map(|d| d.aangemaakt),
            *d,
        )
    });
    let direct = acties_onder(id);
    let all: Vec<&Entity<Actie>> = doelen
        .iter()
        .flat_map(|d| acties_onder(*d))
        .chain(direct.iter().copied())
        .collect();
    let body = html! {
        @if !o.omschrijving.is_empty() { p { (o.omschrijving) } }
        @if let Some(g) = o.groepering_id { p { "Onderdeel van " (groepering(m, g)) "." } }
        @if !o.bijdragen.is_empty() {
            p { "Draagt ook bij aan: "
                (o.bijdragen.iter().map(|g| groepering(m, *g)).collect::<Vec<_>>().join("; ")) "." }
        }
        @if let Some(reden) = &o.vervallen { p { strong { "Vervallen: " } (reden) } }
        h2 { "Stand van zaken" }
        (super::agenda::pdca(ctx, &pdca, "h3"))
        h2 { "Doelen en acties" }
        @if doelen.is_empty() && direct.is_empty() { p { "Deze opgave heeft nog geen doelen of acties." } }
        @for d in &doelen {
            @if let Some(doel) = m.doelen.get(d) {
                h3 { (m.doel_label(*d)) }
                @if let Some(p) = doel.state.bovenliggend_doel_id { p.zacht { "Onderdeel van doel " (m.doel_label(p)) "." } }
                @if !doel.state.omschrijving.is_empty() { p { (doel.state.omschrijving) } }
                @if let Some(reden) = &doel.state.vervallen { p { strong { "Vervallen: " } (reden) } }
                (indicatoren(ctx, m, *d))
                @let list = acties_onder(*d);
                @if list.is_empty() { p.zacht { "Geen acties onder dit doel." } }
                @else { (super::tabel::acties(ctx, m, &list, &format!("Acties bij {}", m.doel_label(*d)), false)) }
            }
        }
        @if !direct.is_empty() {
            h3 { "Acties direct onder de opgave" }
            (super::tabel::acties(ctx, m, &direct, "Acties zonder doel", false))
        }
        h2 { "Laatste voortgangsberichten" }
        (berichten(ctx, &all))
        h2 { "Reflecties" }
        (reflecties(m, id, &doelen, &all))
        h2 { "Checkmomenten en bijsturingen" }
        (checkmomenten(m, id))
    };
    let (crumb, gemeenten) = super::agenda_crumb(m, ctx, o.agenda_id);
    Ok(Page {
        kind: "opgave",
        title: m.opgave_label(id),
        crumbs: vec![crumb],
        gemeenten,
        body,
        valid_until,
    })
}

/// "themalijn 1 Zelfredzame Twenterander": the level's name and the label.
fn groepering(m: &ReadModel, g: Uuid) -> String {
    let niveau = m.groeperingen.get(&g).and_then(|e| {
        m.agendas
            .get(&e.state.agenda_id)
            .and_then(|a| a.state.groeperingsniveaus.get(e.state.niveau))
            .map(|n| n.enkelvoud.clone())
    });
    match niveau {
        Some(n) => format!("{n} {}", m.groepering_label(g)),
        None => m.groepering_label(g),
    }
}

fn indicatoren(ctx: &Ctx, m: &ReadModel, doel: Uuid) -> Markup {
    let ids = m.indicator_ids_of_doel(doel);
    html! {
        @if !ids.is_empty() {
            p { "Indicatoren: "
                @for (n, i) in ids.iter().filter_map(|i| m.indicatoren.get(i)).enumerate() {
                    @if n > 0 { ", " }
                    a href=(ctx.link(&format!("/indicatoren/{}", i.id))) { (i.state.naam) }
                }
            }
        }
    }
}

/// The ten newest voortgangsberichten over all the opgave's acties.
fn berichten(ctx: &Ctx, acties: &[&Entity<Actie>]) -> Markup {
    let mut list: Vec<_> = acties
        .iter()
        .flat_map(|a| {
            super::tabel::laatste(&a.state, 10)
                .into_iter()
                .map(move |b| (*a, b))
        })
        .collect();
    list.sort_by_key(|y| std::cmp::Reverse((y.1.datum, y.1.geregistreerd)));
    list.truncate(10);
    html! {
        @if list.is_empty() { p { "Nog geen voortgangsberichten." } }
        ul.berichten {
            @for (a, b) in &list {
                li {
                    span.zacht { (fmt::datum(b.datum)) " – actie " }
                    a href=(ctx.link(&format!("/acties/{}", a.id))) { (a.state.kenmerk) }
                    @if b.gecorrigeerd { span.zacht { " (gecorrigeerd)" } }
                    p { (b.tekst) }
                }
            }
        }
    }
}

/// The reflecties about the opgave, its doelen and its acties, newest first.
fn reflecties(m: &ReadModel, opgave: Uuid, doelen: &[Uuid], acties: &[&Entity<Actie>]) -> Markup {
    let over = |r: &crate::domain::reflectie::Reflectie| -> Option<String> {
        use crate::domain::reflectie::OnderwerpSoort as S;
        match r.over.soort {
            S::Opgave => None,
            S::Doel => Some(format!("Over doel {}", m.doel_label(r.over.id))),
            S::Actie => m
                .acties
                .get(&r.over.id)
                .map(|a| format!("Over actie {}", a.state.kenmerk)),
        }
    };
    let subjects = std::iter::once(opgave)
        .chain(doelen.iter().copied())
        .chain(acties.iter().map(|a| a.id));
    let mut list: Vec<_> = subjects
        .flat_map(|s| m.reflectie_ids_about(s).iter())
        .filter_map(|r| m.reflecties.get(r))
        .collect();
    list.sort_by_key(|y| std::cmp::Reverse((y.state.datum, y.id)));
    list.dedup_by_key(|r| r.id);
    html! {
        @if list.is_empty() { p { "Nog geen reflecties." } }
        @for r in &list {
            @let s = &r.state;
            article.kaart {
                h3 { "Reflectie van " (fmt::datum(s.datum)) }
                @if let Some(o) = over(s) { p.zacht { (o) } }
                @if s.ingetrokken {
                    p { "Deze reflectie is ingetrokken"
                        @if let Some(reden) = &s.intrekkingsreden { ": " (reden) } "." }
                } @else {
                    p.zacht {
                        "Fase " (fmt::fase(s.fase.as_str()))
                        @if let Some(o) = s.auteur_organisatie_id { " – " (fmt::organisatie(m, o)) }
                        @if s.gecorrigeerd { " (gecorrigeerd)" }
                    }
                    @if let Some(t) = &s.tekst { p { (t) } }
                    dl.gegevens {
                        @if let Some(t) = &s.wat_ging_goed { dt { "Wat ging goed" } dd { (t) } }
                        @if let Some(t) = &s.wat_kan_beter { dt { "Wat kan beter" } dd { (t) } }
                        @if let Some(t) = &s.volgende_stappen { dt { "Volgende stappen" } dd { (t) } }
                    }
                }
            }
        }
    }
}

fn checkmomenten(m: &ReadModel, opgave: Uuid) -> Markup {
    let mut list: Vec<_> = m
        .checkmomenten
        .values()
        .filter(|c| c.state.opgave_id == Some(opgave))
        .collect();
    list.sort_by_key(|y| std::cmp::Reverse((y.state.datum, y.id)));
    html! {
        @if list.is_empty() { p { "Nog geen checkmomenten." } }
        @for c in &list {
            @let s = &c.state;
            article.kaart {
                h3 { (s.onderwerp) " (" (fmt::datum(s.datum)) ")" }
                @if !s.deelnemers.is_empty() {
                    p { "Deelnemers: " (s.deelnemers.iter().map(|o| fmt::organisatie(m, *o)).collect::<Vec<_>>().join(", ")) }
                }
                @match s.gesloten_op {
                    Some(d) => p { "Gesloten op " (fmt::datum(d)) "." },
                    None => p { "Nog open." },
                }
                @if let Some(t) = &s.samenvatting { p { (t) } }
                @for b in &s.bijsturingen {
                    h4 { "Bijsturing: " (b.besluit) }
                    dl.gegevens {
                        dt { "Besloten op" } dd { (fmt::datum(b.datum)) }
                        dt { "Onderbouwing" } dd { (b.onderbouwing) }
                        dt { "Doorgevoerd" }
                        dd { @match b.doorgevoerd_op { Some(d) => { (fmt::datum(d)) }, None => { "nog niet" } } }
                    }
                    @if !b.voorgenomen_wijzigingen.is_empty() {
                        ul { @for w in &b.voorgenomen_wijzigingen { li { (w.omschrijving) } } }
                    }
                }
            }
        }
    }
}
