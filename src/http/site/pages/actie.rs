//! `/acties/{id}`: the actie (the API's `ActieDto`), its voortgangsberichten,
//! its status history and its trekker history (from its own stream in the
//! log, up to the position of the model read: also as of a peildatum).

use maud::{html, Markup};
use uuid::Uuid;

use super::super::ctx::Ctx;
use super::super::{fmt, Page};
use crate::domain::actie::Trekker;
use crate::domain::events::Event;
use crate::http::dto::ActieDto;
use crate::http::peil::view::View;
use crate::http::problem::Problem;
use crate::projections::ReadModel;

pub fn render(view: &View, ctx: &Ctx, id: Option<Uuid>) -> Result<Page, Problem> {
    let id = id.unwrap_or_default();
    let seen = view.read();
    let e = seen.actie(id)?;
    let m = seen.model();
    let a = ActieDto::from(e, m);
    let history = historie(view, m, id)?;
    let mut berichten: Vec<_> = e.state.voortgangsberichten.iter().collect();
    berichten.sort_by_key(|y| std::cmp::Reverse((y.datum, y.geregistreerd)));
    let body = html! {
        p { (a.omschrijving) }
        dl.gegevens {
            dt { "Opgave" }
            dd { a href=(ctx.link(&format!("/opgaven/{}", a.opgave_id))) { (m.opgave_label(a.opgave_id)) } }
            @if let Some(d) = a.doel_id { dt { "Doel" } dd { (m.doel_label(d)) } }
            dt { "Jaar" } dd { (a.jaar) }
            @if let Some(d) = a.geplande_start_datum { dt { "Geplande start" } dd { (fmt::datum(d)) } }
            @if let Some(d) = a.geplande_eind_datum { dt { "Gepland einde" } dd { (fmt::datum(d)) } }
            dt { "Trekker" }
            dd { @match &a.trekker { Some(t) => { (t.naam) }, None => { span.open-rol { (fmt::capital(fmt::OPEN_ROL)) } } } }
            @if !a.partners.is_empty() {
                dt { "Partners" }
                dd { (a.partners.iter().map(|p| p.naam.as_str()).collect::<Vec<_>>().join(", ")) }
            }
            @if !a.gemeenten.is_empty() { dt { "Voor gemeente" } dd { (a.gemeenten.join(", ")) } }
            dt { "Status" }
            dd {
                (fmt::status(&a.status))
                @if let Some(d) = a.status_sinds_datum { " sinds " (fmt::datum(d)) }
                @if let Some(r) = &a.reden { " – " (r) }
            }
        }
        h2 { "Voortgangsberichten" }
        @if berichten.is_empty() { p { "Nog geen voortgangsberichten." } }
        ul.berichten {
            @for b in &berichten {
                li {
                    span.zacht {
                        (fmt::datum(b.datum))
                        @if let Some(o) = b.auteur_organisatie_id { " – " (fmt::organisatie(m, o)) }
                        @if b.gecorrigeerd && !b.ingetrokken { " (gecorrigeerd)" }
                    }
                    @if b.ingetrokken { p.zacht { "Dit bericht is ingetrokken." } }
                    @else { p { (b.tekst) } }
                }
            }
        }
        h2 { "Statusgeschiedenis" }
        (tabel("Status per ingangsdatum", &["Ingangsdatum", "Status", "Reden", "Vastgelegd op"], &history.status))
        h2 { "Trekkergeschiedenis" }
        (tabel("Trekker per moment van vastleggen", &["Vastgelegd op", "Trekker"], &history.trekker))
    };
    let (crumb, gemeenten) = super::agenda_crumb(m, ctx, e.state.agenda_id);
    let opgave = (
        m.opgave_label(a.opgave_id),
        ctx.link(&format!("/opgaven/{}", a.opgave_id)),
    );
    Ok(Page {
        kind: "actie",
        title: format!("Actie {}", a.kenmerk),
        crumbs: vec![crumb, opgave],
        gemeenten,
        body,
        valid_until: super::until_tomorrow(view.now()),
    })
}

struct Historie {
    status: Vec<Vec<String>>,
    trekker: Vec<Vec<String>>,
}

/// The actie's status and trekker changes as recorded up to the model's position.
fn historie(view: &View, m: &ReadModel, id: Uuid) -> Result<Historie, Problem> {
    let events = view
        .state()
        .store
        .read_stream_until(id, m.position)
        .map_err(|error| {
            tracing::error!(%error, "the site could not read an actie's stream");
            Problem::new(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                crate::domain::Foutcode::InternalError,
                "Interne fout",
                "De geschiedenis van deze actie kon niet worden gelezen.",
            )
        })?;
    let trekker = |t: &Option<Trekker>| match t {
        Some(t) => fmt::trekker(m, t),
        None => format!("geen ({})", fmt::OPEN_ROL),
    };
    let mut h = Historie {
        status: Vec::new(),
        trekker: Vec::new(),
    };
    for e in &events {
        let Ok(event) = Event::decode(&e.event_type, e.schema_version, &e.data) else {
            continue;
        };
        let op = fmt::tijdstip(e.recorded_at);
        match event {
            Event::ActieAangemaakt(a) => {
                h.status.push(vec![
                    "–".into(),
                    format!("{} (aangemaakt)", fmt::status(a.status.as_str())),
                    String::new(),
                    op.clone(),
                ]);
                h.trekker.push(vec![op, trekker(&a.trekker)]);
            }
            Event::ActieStatusGewijzigd(s) => h.status.push(vec![
                fmt::datum(s.ingangs_datum),
                format!("{} (was {})", fmt::status(s.naar.as_str()), s.van.as_str()),
                s.reden.unwrap_or_default(),
                op,
            ]),
            Event::TrekkerGewijzigd(t) => h.trekker.push(vec![op, trekker(&t.nieuwe_trekker)]),
            _ => {}
        }
    }
    Ok(h)
}

fn tabel(caption: &str, heads: &[&str], rows: &[Vec<String>]) -> Markup {
    html! {
        table {
            caption { (caption) }
            thead { tr { @for h in heads { th scope="col" { (h) } } } }
            tbody { @for r in rows { tr { @for c in r { td { (c) } } } } }
        }
    }
}
