//! `/agendas/{id}`: the agenda by its groeperingen, each opgave with its PDCA
//! phase and reasons, acties per status, acties without trekker and its
//! indicators, rendered from the API's overzicht (`http/pdca.rs`).

use maud::{html, Markup};
use uuid::Uuid;

use super::super::ctx::Ctx;
use super::super::{fmt, Page};
use crate::http::pdca::{overzicht_geldig, ActiesPerStatus, IndicatorSignaalDto, PdcaDto};
use crate::http::peil::view::View;
use crate::http::problem::Problem;

pub fn render(view: &View, ctx: &Ctx, id: Option<Uuid>) -> Result<Page, Problem> {
    let id = id.unwrap_or_default();
    let seen = view.read();
    let agenda = seen.agenda(id)?;
    let m = seen.model();
    let gemeente = super::gemeente(m, ctx, id)?;
    let (dto, valid_until) = overzicht_geldig(m, id, view.now(), None, gemeente.as_deref())
        .ok_or_else(|| view.not_found(crate::domain::niet_gevonden("agenda", id), id))?;
    let a = &agenda.state;
    let api = format!("/v1/agendas/{id}");
    let export = |formaat: &str| {
        let mut l = format!("{api}/export?formaat={formaat}");
        if let Some(g) = &gemeente {
            l.push_str(&format!("&gemeente={}", super::super::ctx::encode(g)));
        }
        l
    };
    let t = &dto.totalen;
    let body = html! {
        @if !a.omschrijving.is_empty() { p { (a.omschrijving) } }
        dl.gegevens {
            dt { "Periode" }
            dd { (fmt::datum(a.periode_start)) " tot en met " (fmt::datum(a.periode_eind)) }
            dt { @if a.gemeenten.len() > 1 { "Gemeenten" } @else { "Gemeente" } }
            dd { (a.gemeenten.join(", ")) }
            @if let Some(g) = &gemeente {
                dt { "Getoond voor" }
                dd { (g) " (haar eigen acties en die voor de hele agenda)" }
            }
            dt { "Opgaven" }
            dd { (t.opgaven) " (plan " (t.fasen.plan) ", do " (t.fasen.doen) ", check " (t.fasen.check) ", act " (t.fasen.act) ")" }
            dt { "Acties" }
            dd { (t.acties) ", waarvan " (t.acties_zonder_trekker) " zonder trekker" }
        }
        form method="get" action=(format!("/agendas/{id}/acties")) role="search" {
            @if let Some(p) = &ctx.peildatum { input type="hidden" name="peildatum" value=(p); }
            @if let Some(g) = &ctx.gemeente { input type="hidden" name="gemeente" value=(g); }
            div {
                label for="zoek" { "Zoek in acties" }
                input type="search" id="zoek" name="zoek";
            }
            button type="submit" { "Zoek" }
        }
        (per_status(&t.acties_per_status, "Alle acties per status"))
        @for g in &dto.groepen {
            @let kop = groep_kop(g.niveau_naam.as_deref(), g.code.as_deref(), g.naam.as_deref());
            section aria-label=(kop) {
                h2 { (kop) }
                @for o in &g.opgaven { (opgave(ctx, o)) }
                @if !g.bijdragen.is_empty() {
                    h3 { "Draagt hier ook aan bij" }
                    ul {
                        @for b in &g.bijdragen {
                            li {
                                a href=(ctx.link(&format!("/opgaven/{}", b.opgave_id))) {
                                    (crate::domain::code::label(b.weergavecode.as_deref(), &b.titel))
                                }
                                @if let Some(f) = &b.fase { " – fase " (fmt::fase(f)) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Open data" }
        ul {
            li { a href=(format!("{api}/voortgang.atom")) { "Atom-feed met de voortgang" } }
            li { a href=(export("csv")) { "Export als CSV (opent in Excel)" } }
            li { a href=(export("json")) { "Export als JSON (agendabestand)" } }
            li { a href="/v1/docs/" { "API-documentatie" } }
        }
    };
    let (_, gemeenten) = super::agenda_crumb(m, ctx, id);
    Ok(Page {
        kind: "agenda",
        title: a.naam.clone(),
        crumbs: Vec::new(),
        gemeenten,
        body,
        valid_until,
    })
}

fn groep_kop(niveau: Option<&str>, code: Option<&str>, naam: Option<&str>) -> String {
    match naam {
        None => "Opgaven zonder groepering".into(),
        Some(naam) => match (niveau, code) {
            (Some(n), Some(c)) => format!("{} {c}: {naam}", fmt::capital(n)),
            (Some(n), None) => format!("{}: {naam}", fmt::capital(n)),
            (None, code) => crate::domain::code::label(code, naam),
        },
    }
}

/// One opgave's PDCA state as a card.
pub fn opgave(ctx: &Ctx, o: &PdcaDto) -> Markup {
    html! {
        article.kaart {
            h3 { a href=(ctx.link(&format!("/opgaven/{}", o.opgave_id))) { (o.opgave_label) } }
            (pdca(ctx, o, "h4"))
        }
    }
}

/// Phase, reasons, acties per status, acties without trekker, indicators.
pub fn pdca(ctx: &Ctx, o: &PdcaDto, kop: &str) -> Markup {
    let heading = |text: &str| match kop {
        "h3" => html! { h3 { (text) } },
        _ => html! { h4 { (text) } },
    };
    html! {
        p.fase { "Fase: " (fmt::fase(&o.fase)) }
        @if o.vervallen { p { span.label { "Vervallen" } } }
        @if !o.geprioriteerd { p.zacht { "Geen prioriteit in deze periode." } }
        ul.redenen { @for r in &o.redenen { li { (r) } } }
        (per_status(&o.acties_per_status, "Acties per status"))
        @if !o.acties_zonder_trekker.is_empty() {
            (heading("Acties zonder trekker"))
            ul {
                @for a in &o.acties_zonder_trekker {
                    li {
                        a href=(ctx.link(&format!("/acties/{}", a.actie_id))) { (a.kenmerk) }
                        " " (a.omschrijving) " – " span.open-rol { (fmt::OPEN_ROL) }
                    }
                }
            }
        }
        @if !o.indicatoren.is_empty() {
            (heading("Indicatoren"))
            (indicatoren(ctx, &o.indicatoren, o.peiljaar))
        }
    }
}

fn per_status(s: &ActiesPerStatus, caption: &str) -> Markup {
    html! {
        table.telling {
            caption { (caption) }
            thead { tr { th.getal scope="col" { "Gepland" } th.getal scope="col" { "Lopend" } th.getal scope="col" { "Gepauzeerd" } th.getal scope="col" { "Afgerond" } th.getal scope="col" { "Vervallen" } } }
            tbody { tr {
                td.getal { (s.gepland) } td.getal { (s.lopend) } td.getal { (s.gepauzeerd) }
                td.getal { (s.afgerond) } td.getal { (s.vervallen) }
            } }
        }
    }
}

fn indicatoren(ctx: &Ctx, list: &[IndicatorSignaalDto], jaar: i32) -> Markup {
    let num = |x: Option<f64>| x.map(fmt::getal).unwrap_or_else(|| "–".into());
    html! {
        table {
            caption { "Streefwaarde en gemeten waarde in " (jaar) }
            thead { tr { th scope="col" { "Indicator" } th.getal scope="col" { "Streefwaarde" } th.getal scope="col" { "Gemeten" } th scope="col" { "Koers" } } }
            tbody {
                @for i in list {
                    @let (koers, class) = fmt::koers(i.koers.as_deref(), i.nog_te_vullen);
                    tr {
                        td { a href=(ctx.link(&format!("/indicatoren/{}", i.indicator_id))) { (i.naam) } }
                        td.getal {
                            @match (i.ondergrens, i.bovengrens) {
                                (Some(l), Some(h)) => { (fmt::getal(l)) " – " (fmt::getal(h)) }
                                _ => { (num(i.streefwaarde)) }
                            }
                        }
                        td.getal { (num(i.waarde)) }
                        td class=(class) { (koers) }
                    }
                }
            }
        }
    }
}
