//! `/indicatoren/{id}`: the indicator with its koers (the API's
//! `IndicatorDto`), a chart of nulmeting, streefwaarden and metingen, and
//! the same figures in a table.

use chrono::Datelike;
use maud::html;
use uuid::Uuid;

use super::super::chart::{self, Grafiek, Punt, Reeks};
use super::super::ctx::Ctx;
use super::super::{fmt, Page};
use crate::domain::indicator::{Meting, MetingStatus};
use crate::http::indicatoren::dto::indicator_dto_in;
use crate::http::peil::view::View;
use crate::http::problem::Problem;

pub fn render(view: &View, ctx: &Ctx, id: Option<Uuid>) -> Result<Page, Problem> {
    let id = id.unwrap_or_default();
    let seen = view.read();
    let e = seen.indicator(id)?;
    let m = seen.model();
    let i = &e.state;
    let gemeente = super::gemeente(m, ctx, i.agenda_id)?;
    let dto = indicator_dto_in(e, m, view.now(), None, gemeente.as_deref());
    let agenda = m.agendas.get(&i.agenda_id).map(|a| &a.state);
    let jaar = crate::kalender::date_of(view.now()).year();
    let (start, eind) = agenda.map_or((jaar, jaar), |a| {
        (a.periode_start.year(), a.periode_eind.year())
    });
    // The metingen that stand (a later one for the same period replaced the others).
    let mut metingen: Vec<&Meting> = i
        .metingen
        .iter()
        .filter(|x| !x.vervangen)
        .filter(|x| {
            gemeente.as_deref().is_none_or(|g| {
                x.gemeente
                    .as_deref()
                    .is_none_or(|mg| mg.eq_ignore_ascii_case(g))
            })
        })
        .collect();
    metingen.sort_by(|a, b| {
        let key = |x: &Meting| chart::x_van_periode(&x.periode).unwrap_or_default();
        key(a).total_cmp(&key(b))
    });
    let voorlopig = |x: &Meting| x.status == MetingStatus::Voorlopig;
    let mut gebieden: Vec<Option<String>> = metingen.iter().map(|x| x.gemeente.clone()).collect();
    gebieden.dedup();
    gebieden.sort();
    gebieden.dedup();
    let reeksen: Vec<Reeks> = gebieden
        .iter()
        .map(|g| Reeks {
            naam: if gebieden.len() > 1 {
                Some(g.clone().unwrap_or_else(|| "hele gebied".into()))
            } else {
                None
            },
            punten: metingen
                .iter()
                .filter(|x| &x.gemeente == g)
                .filter_map(|x| {
                    chart::x_van_periode(&x.periode).map(|px| Punt {
                        x: px,
                        y: x.waarde,
                        voorlopig: voorlopig(x),
                    })
                })
                .collect(),
        })
        .collect();
    let years = metingen
        .iter()
        .filter_map(|x| chart::x_van_periode(&x.periode))
        .map(|x| x.floor() as i32)
        .chain(i.streefwaarden.iter().filter_map(|s| s.jaar))
        .chain(i.nulmeting.iter().filter_map(|n| n.jaar));
    let (j0, j1) = years.fold((start, eind), |(a, b), y| (a.min(y), b.max(y)));
    let eenheid = &i.eenheid;
    let uitleg = {
        let mut parts = Vec::new();
        if let Some(n) = &i.nulmeting {
            parts.push(format!(
                "nulmeting {}{}",
                fmt::waarde(n.waarde, eenheid),
                n.jaar.map(|j| format!(" ({j})")).unwrap_or_default()
            ));
        }
        for s in &i.streefwaarden {
            parts.push(format!(
                "streefwaarde {}{}",
                s.jaar
                    .map(|j| format!("{j}: "))
                    .unwrap_or_else(|| "hele periode: ".into()),
                fmt::waarde(s.waarde, eenheid)
            ));
        }
        for x in &metingen {
            parts.push(format!(
                "meting {}{}: {} ({})",
                x.periode,
                x.gemeente
                    .as_ref()
                    .map(|g| format!(" {g}"))
                    .unwrap_or_default(),
                fmt::waarde(x.waarde, eenheid),
                if voorlopig(x) {
                    "voorlopig"
                } else {
                    "definitief"
                }
            ));
        }
        if parts.is_empty() {
            "Nog geen nulmeting, streefwaarden of metingen.".to_owned()
        } else {
            format!("{}.", fmt::capital(&parts.join("; ")))
        }
    };
    let grafiek = Grafiek {
        titel: format!(
            "{} ({}) per jaar",
            i.naam,
            if eenheid.is_empty() {
                "waarde"
            } else {
                eenheid
            }
        ),
        uitleg,
        jaren: (j0, j1),
        nulmeting: i.nulmeting.as_ref().map(|n| Punt {
            x: f64::from(n.jaar.unwrap_or(j0)) + 0.5,
            y: n.waarde,
            voorlopig: false,
        }),
        streefwaarden: i
            .streefwaarden
            .iter()
            .map(|s| {
                (
                    s.jaar.map(|j| f64::from(j) + 0.5),
                    s.waarde,
                    s.ondergrens.zip(s.bovengrens),
                )
            })
            .collect(),
        reeksen,
    };
    let (koers, class) = fmt::koers(Some(dto.koers.status.as_str()), dto.koers.nog_te_vullen);
    let band = |l: Option<f64>, h: Option<f64>| match (l, h) {
        (Some(l), Some(h)) => format!(" (bandbreedte {} – {})", fmt::getal(l), fmt::getal(h)),
        _ => String::new(),
    };
    let body = html! {
        dl.gegevens {
            dt { "Doel" } dd { (m.doel_label(i.doel_id)) }
            @if let Some(d) = m.doelen.get(&i.doel_id) {
                dt { "Opgave" }
                dd { a href=(ctx.link(&format!("/opgaven/{}", d.state.opgave_id))) { (m.opgave_label(d.state.opgave_id)) } }
            }
            dt { "Eenheid" } dd { @if eenheid.is_empty() { "–" } @else { (eenheid) } }
            dt { "Richting" } dd { (fmt::richting(&dto.richting)) }
            @if let Some(b) = &dto.bron { dt { "Bron" } dd { (b) } }
            @if let Some(o) = &dto.eigenaar_organisatie_naam { dt { "Levert metingen" } dd { (o) } }
            dt { "Koers in " (dto.koers.jaar) } dd class=(class) { (koers) }
        }
        p {
            @match (dto.koers.waarde, &dto.koers.streefwaarde) {
                (Some(w), Some(s)) => {
                    "Laatste geldende meting in " (dto.koers.jaar) ": " (fmt::waarde(w, eenheid))
                    "; streefwaarde " (fmt::waarde(s.waarde, eenheid)) (band(s.ondergrens, s.bovengrens)) "."
                }
                (None, Some(s)) => {
                    "Nog geen meting in " (dto.koers.jaar) "; streefwaarde " (fmt::waarde(s.waarde, eenheid)) (band(s.ondergrens, s.bovengrens)) "."
                }
                (Some(w), None) => { "Laatste geldende meting in " (dto.koers.jaar) ": " (fmt::waarde(w, eenheid)) "; geen streefwaarde voor dat jaar." }
                (None, None) => { "Nog geen meting en geen streefwaarde voor " (dto.koers.jaar) "." }
            }
        }
        h2 { "Verloop" }
        figure.grafiek {
            (grafiek.svg())
            figcaption { "Nulmeting, streefwaarden en metingen per jaar; de tabel hieronder geeft dezelfde cijfers." }
        }
        (chart::legenda())
        h2 { "Cijfers" }
        table {
            caption { "Nulmeting, streefwaarden en metingen van " (i.naam) }
            thead { tr {
                th scope="col" { "Soort" } th scope="col" { "Periode" } th.getal scope="col" { "Waarde" }
                th scope="col" { "Status" } th scope="col" { "Gemeente" } th scope="col" { "Meetdatum en bron" }
            } }
            tbody {
                @if let Some(n) = &i.nulmeting {
                    tr { td { "Nulmeting" } td { (n.jaar.map(|j| j.to_string()).unwrap_or_else(|| "–".into())) }
                        td.getal { (fmt::waarde(n.waarde, eenheid)) } td { "–" } td { "–" } td { "–" } }
                }
                @for s in &i.streefwaarden {
                    tr { td { "Streefwaarde" } td { (s.jaar.map(|j| j.to_string()).unwrap_or_else(|| "hele periode".into())) }
                        td.getal { (fmt::waarde(s.waarde, eenheid)) (band(s.ondergrens, s.bovengrens)) } td { "–" } td { "–" } td { "–" } }
                }
                @for x in &metingen {
                    tr {
                        td { "Meting" } td { (x.periode) } td.getal { (fmt::waarde(x.waarde, eenheid)) }
                        td { @if voorlopig(x) { "voorlopig" } @else { "definitief" } }
                        td { (x.gemeente.as_deref().unwrap_or("hele gebied")) }
                        td {
                            @if let Some(d) = x.meet_datum { (fmt::datum(d)) }
                            @if let Some(b) = &x.bron { @if x.meet_datum.is_some() { ", " } (b) }
                        }
                    }
                }
            }
        }
    };
    let (crumb, gemeenten) = super::agenda_crumb(m, ctx, i.agenda_id);
    Ok(Page {
        kind: "indicator",
        title: i.naam.clone(),
        crumbs: vec![crumb],
        gemeenten,
        body,
        valid_until: super::until_tomorrow(view.now()),
    })
}
