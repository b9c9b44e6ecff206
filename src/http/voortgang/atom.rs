//! The voortgang as an Atom 1.0 feed (RFC 4287): one entry per change of the
//! last 90 days (at most 50, newest first; voortgangsberichten included), so residents and editors can
//! follow an agenda in a feed reader. Ids are tag URIs built from the agenda id
//! and the event's log position, so they never change, also not when the
//! server moves behind another `--public-url`; links start with that URL,
//! or without it are paths relative to the server's root.

use crate::http::gemeente::GemeenteQuery;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use uuid::Uuid;

use super::model::{ActieItem, Voortgang, Window};
use super::render::datum;
use super::{base_url, compute};
use crate::escape::xml;
use crate::http::problem::Problem;
use crate::http::AppState;

const MAX_ENTRIES: usize = 50;
const DAYS: i64 = 90;

struct Entry {
    position: u64,
    updated: DateTime<Utc>,
    title: String,
    text: String,
    link: String,
}

fn actie_entries(items: &[ActieItem], wat: &str, out: &mut Vec<Entry>) {
    for a in items {
        let mut text = a.omschrijving.clone();
        if let Some(t) = &a.trekker {
            text.push_str(&format!(" (trekker: {t})"));
        }
        if let Some(d) = a.ingangs_datum {
            text.push_str(&format!(", per {}", datum(d)));
        }
        if let Some(r) = &a.reden {
            text.push_str(&format!(". Reden: {r}"));
        }
        out.push(Entry {
            position: a.positie,
            updated: a.registratie_tijdstip,
            title: format!("Actie {} {wat}", a.kenmerk),
            text,
            link: format!("/v1/acties/{}", a.actie_id),
        });
    }
}

fn entries(v: &Voortgang) -> Vec<Entry> {
    let mut out = Vec::new();
    let agenda_link = format!("/v1/agendas/{}", v.agenda_id);
    let bijsturing = |b: &super::model::BijsturingItem, out: &mut Vec<Entry>| {
        out.push(Entry {
            position: b.positie,
            updated: b.registratie_tijdstip,
            title: format!("Bijsturing: {}", b.besluit),
            text: format!(
                "Checkmoment {} ({}): {}. Onderbouwing: {}",
                b.checkmoment,
                datum(b.datum),
                b.besluit,
                b.onderbouwing
            ),
            link: agenda_link.clone(),
        })
    };
    for b in &v.agendabrede_bijsturingen {
        bijsturing(b, &mut out);
    }
    let opgaven = v
        .groeperingen
        .iter()
        .flat_map(|g| g.opgaven.iter())
        .chain(v.opgaven.iter());
    for o in opgaven {
        actie_entries(&o.acties_afgerond, "afgerond", &mut out);
        actie_entries(&o.acties_gestart, "gestart", &mut out);
        actie_entries(&o.acties_gepauzeerd, "gepauzeerd", &mut out);
        actie_entries(&o.acties_vervallen, "vervallen", &mut out);
        actie_entries(&o.acties_toegevoegd, "toegevoegd", &mut out);
        for t in &o.trekkerwijzigingen {
            let name = |n: &Option<String>| n.clone().unwrap_or_else(|| "nog in te vullen".into());
            out.push(Entry {
                position: t.positie,
                updated: t.registratie_tijdstip,
                title: format!("Nieuwe trekker voor actie {}", t.kenmerk),
                text: format!(
                    "{}: {} → {}",
                    t.omschrijving,
                    name(&t.vorige_trekker),
                    name(&t.nieuwe_trekker)
                ),
                link: format!("/v1/acties/{}", t.actie_id),
            });
        }
        for b in &o.voortgangsberichten {
            let mut text = b.omschrijving.clone();
            if let Some(t) = &b.trekker {
                text.push_str(&format!(" (trekker: {t})"));
            }
            text.push_str(" — ");
            if let Some(a) = &b.auteur_organisatie {
                text.push_str(&format!("{a}, "));
            }
            text.push_str(&format!("{}: {}", datum(b.datum), b.tekst));
            if b.gecorrigeerd {
                text.push_str(" (gecorrigeerd)");
            }
            out.push(Entry {
                position: b.positie,
                // A correction changes the entry, so feed readers show it again.
                updated: b
                    .gecorrigeerd_tijdstip
                    .map_or(b.registratie_tijdstip, |c| c.max(b.registratie_tijdstip)),
                title: format!("Voortgang bij actie {}", b.kenmerk),
                text,
                link: format!(
                    "/v1/acties/{}/voortgangsberichten/{}",
                    b.actie_id, b.bericht_id
                ),
            });
        }
        for r in &o.reflecties {
            out.push(Entry {
                position: r.positie,
                updated: r.registratie_tijdstip,
                // The weergavecode (or kenmerk) when there is one, else the title.
                title: format!(
                    "Reflectie over {} {}",
                    r.over,
                    r.over_code.as_deref().unwrap_or(&r.over_titel)
                ),
                text: format!(
                    "{}{}: {}",
                    r.over_titel,
                    r.auteur_organisatie
                        .as_ref()
                        .map(|a| format!(" — {a}"))
                        .unwrap_or_default(),
                    r.fragment
                ),
                link: format!("/v1/opgaven/{}", o.opgave_id),
            });
        }
        for m in &o.metingen {
            out.push(Entry {
                position: m.positie,
                updated: m.registratie_tijdstip,
                title: match &m.gemeente {
                    Some(g) => format!("Meting {} over {} voor {g}", m.indicator, m.periode),
                    None => format!("Meting {} over {}", m.indicator, m.periode),
                },
                text: format!(
                    "{} {} ({}){}",
                    m.waarde,
                    m.eenheid,
                    m.status,
                    m.streefwaarde
                        .map(|s| format!("; streefwaarde {s}"))
                        .unwrap_or_default()
                ),
                link: format!("/v1/opgaven/{}", o.opgave_id),
            });
        }
        for b in &o.bijsturingen {
            bijsturing(b, &mut out);
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.position));
    out.truncate(MAX_ENTRIES);
    out
}

/// The feed document.
/// A query value percent-encoded (everything but RFC 3986's unreserved
/// characters), for the feed's links.
fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn feed(v: &Voortgang, base: &str, agenda_updated: DateTime<Utc>) -> String {
    let entries = entries(v);
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .map_or(agenda_updated, |e| e.max(agenda_updated));
    let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let tag = format!("tag:mag-tracker.nl,2024:agenda:{}", v.agenda_id);
    // A feed per gemeente is a feed of its own (its id, title and links).
    let (voor, query, extra) = match &v.gemeente {
        Some(g) => (
            format!(" voor {g}"),
            format!("?gemeente={}", query_value(g)),
            format!("&gemeente={}", query_value(g)),
        ),
        None => Default::default(),
    };
    let feed_id = match &v.gemeente {
        Some(g) => format!("{tag}:voortgang:gemeente:{}", query_value(g)),
        None => format!("{tag}:voortgang"),
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">\n");
    // A feed of one groepering is a feed of its own too (the entries keep
    // their ids).
    let (feed_id, voor, query, extra) = match v.groepering_id {
        Some(g) => {
            let naam = v.groeperingen.first().map(|s| format!(" — {}", s.naam));
            let sep = if query.is_empty() { '?' } else { '&' };
            (
                format!("{feed_id}:groepering:{g}"),
                format!("{voor}{}", naam.unwrap_or_default()),
                format!("{query}{sep}groepering={g}"),
                format!("{extra}&groepering={g}"),
            )
        }
        None => (feed_id, voor, query, extra),
    };
    out.push_str(&format!("  <id>{}</id>\n", xml(&feed_id)));
    out.push_str(&format!(
        "  <title>Voortgang {}{}</title>\n",
        xml(&v.agenda),
        xml(&voor)
    ));
    out.push_str(&format!("  <updated>{}</updated>\n", ts(updated)));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml(&v.agenda)
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(&format!(
            "{base}/v1/agendas/{}/voortgang.atom{query}",
            v.agenda_id
        ))
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&format!(
            "{base}/v1/agendas/{}/voortgang?sindsPositie={}&formaat=html{extra}",
            v.agenda_id, v.sinds_positie
        ))
    ));
    out.push_str(&format!(
        "  <generator version=\"{}\">mag-tracker</generator>\n",
        crate::http::API_VERSION
    ));
    for e in entries {
        out.push_str("  <entry>\n");
        out.push_str(&format!(
            "    <id>{}:positie:{}</id>\n",
            xml(&tag),
            e.position
        ));
        out.push_str(&format!("    <title>{}</title>\n", xml(&e.title)));
        out.push_str(&format!("    <updated>{}</updated>\n", ts(e.updated)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" href=\"{}\"/>\n",
            xml(&format!("{base}{}", e.link))
        ));
        out.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            xml(&e.text)
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// Atom-feed met de voortgang van een agenda (laatste 90 dagen, hoogstens 50 items).
///
/// Atom 1.0 (RFC 4287). Links beginnen met de publieke basis-URL van de server (`--public-url`);
/// zonder die zijn het paden vanaf de root van de server (nooit afgeleid van Host of
/// X-Forwarded-*-headers).
#[utoipa::path(get, path = "/agendas/{id}/voortgang.atom", tag = "Nieuwsbrief",
    params(("id" = Uuid, Path, description = "Id van de agenda"), GemeenteQuery, super::GroeperingQuery),
    responses(
        (status = 200, description = "De Atom-feed", content_type = "application/atom+xml", body = String),
        (status = 400, description = "Ongeldig id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Onbekende agenda", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_feed(
    state: web::Data<AppState>,
    reader: crate::http::peil::view::Reader,
    id: web::Path<Uuid>,
    g: web::Query<GemeenteQuery>,
    q: web::Query<super::GroeperingQuery>,
) -> Result<HttpResponse, Problem> {
    reader.check(crate::access::policy::Target::Agenda(*id))?;
    let gemeente = super::gemeente(&state, *id, &g)?;
    let groepering = super::groepering_param(&state, *id, q.groepering)?;
    let agenda_updated = state
        .projection
        .read()
        .agendas
        .get(&id)
        .map(|a| a.gewijzigd)
        .ok_or_else(|| Problem::not_found(crate::domain::niet_gevonden("agenda", *id)))?;
    let head = state.store.head();
    let from = state
        .store
        .position_at(Utc::now() - Duration::days(DAYS))
        .map_err(|e| {
            super::super::write::service_problem(crate::service::ServiceError::Store(e))
        })?;
    let window = Window {
        sinds_positie: from,
        tot_positie: head,
        sinds_datum: None,
        tot_datum: None,
    };
    let agenda_id: Uuid = *id;
    let v = compute(&state, agenda_id, window, gemeente, groepering).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header(("ETag", format!("W/\"{head}\"")))
        .body(feed(&v, &base_url(&state), agenda_updated)))
}
