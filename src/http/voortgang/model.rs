//! What happened to an agenda between two log positions, for the
//! nieuwsbrief: computed from the events in the window, with the read model
//! at the window's start (for the PDCA phase then) and at its end (for
//! codes, titles and names as they are now).
//!
//! One scan: replay up to the start, keep a copy, then apply the window's
//! events one by one while noting what each one means for the agenda.

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::actie::{ActieStatus, Trekker};
use crate::domain::indicator::{koers, periode_jaar, Koers, Richting};
use crate::domain::reflectie::OnderwerpSoort;
use crate::domain::Event;
use crate::event_store::{EventStore, RecordedEvent};
use crate::projections::ReadModel;

/// The window asked for: positions `(sindsPositie, totPositie]`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub sinds_positie: u64,
    pub tot_positie: u64,
    pub sinds_datum: Option<NaiveDate>,
    pub tot_datum: Option<NaiveDate>,
}

/// An actie that was added, started, paused, completed or dropped.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActieItem {
    /// Positie van de gebeurtenis in het logboek.
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub actie_id: Uuid,
    /// Code van het doel (of de opgave) waar de actie onder valt.
    #[schema(example = "1.1.1")]
    pub code: String,
    pub omschrijving: String,
    /// Naam van de huidige trekker; leeg als de trekkersrol nog in te vullen is.
    pub trekker: Option<String>,
    /// Ingangsdatum van de statuswijziging.
    pub ingangs_datum: Option<NaiveDate>,
    /// Reden (bij vervallen en heropenen).
    pub reden: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrekkerItem {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub actie_id: Uuid,
    pub code: String,
    pub omschrijving: String,
    pub vorige_trekker: Option<String>,
    pub nieuwe_trekker: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReflectieItem {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub reflectie_id: Uuid,
    /// actie, doel of opgave.
    pub over: String,
    /// Code van waar de reflectie over gaat (van het doel of de opgave).
    pub over_code: String,
    /// Omschrijving of titel van waar de reflectie over gaat.
    pub over_titel: String,
    pub auteur_organisatie: Option<String>,
    /// PDCA-fase: plan, do, check of act.
    pub fase: String,
    pub datum: NaiveDate,
    /// Het begin van de tekst (hoogstens 200 tekens).
    pub fragment: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetingItem {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub indicator_id: Uuid,
    pub indicator: String,
    pub eenheid: String,
    /// hogerIsBeter, lagerIsBeter of binnenBandbreedte.
    pub richting: String,
    pub doel_code: Option<String>,
    #[schema(example = "2024-Q2")]
    pub periode: String,
    pub meet_datum: Option<NaiveDate>,
    pub waarde: f64,
    /// voorlopig of definitief.
    pub status: String,
    /// Streefwaarde voor het jaar van de periode.
    pub streefwaarde: Option<f64>,
    pub nulmeting: Option<f64>,
    /// opKoers of nietOpKoers ten opzichte van de streefwaarde (richting meegewogen).
    pub koers: Option<String>,
    /// verbeterd, verslechterd of gelijk ten opzichte van de nulmeting (richting meegewogen).
    pub ontwikkeling: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BijsturingItem {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub bijsturing_id: Uuid,
    /// Onderwerp van het checkmoment waarop besloten is.
    pub checkmoment: String,
    pub besluit: String,
    pub onderbouwing: String,
    pub datum: NaiveDate,
    /// Wanneer de bijsturing is doorgevoerd (als dat binnen de periode al zo is).
    pub doorgevoerd_datum: Option<NaiveDate>,
}

/// A PDCA phase change of an opgave between the window's start and end.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaseWijziging {
    /// Fase aan het begin (leeg als de opgave toen nog niet bestond).
    pub van: Option<String>,
    pub naar: String,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpgaveVoortgang {
    pub opgave_id: Uuid,
    #[schema(example = "1.1")]
    pub code: String,
    pub titel: String,
    pub pdca_fase: Option<FaseWijziging>,
    pub acties_afgerond: Vec<ActieItem>,
    pub acties_gestart: Vec<ActieItem>,
    pub acties_gepauzeerd: Vec<ActieItem>,
    pub acties_vervallen: Vec<ActieItem>,
    pub acties_toegevoegd: Vec<ActieItem>,
    pub trekkerwijzigingen: Vec<TrekkerItem>,
    pub reflecties: Vec<ReflectieItem>,
    pub metingen: Vec<MetingItem>,
    pub bijsturingen: Vec<BijsturingItem>,
}

impl OpgaveVoortgang {
    /// Items with a position (everything but the phase change).
    pub fn count(&self) -> usize {
        self.acties_afgerond.len()
            + self.acties_gestart.len()
            + self.acties_gepauzeerd.len()
            + self.acties_vervallen.len()
            + self.acties_toegevoegd.len()
            + self.trekkerwijzigingen.len()
            + self.reflecties.len()
            + self.metingen.len()
            + self.bijsturingen.len()
    }
}

/// The opgaven of one group at the agenda's outermost level (a themalijn).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroeperingVoortgang {
    pub groepering_id: Uuid,
    pub code: Option<String>,
    pub naam: String,
    pub opgaven: Vec<OpgaveVoortgang>,
}

/// Voortgang van een agenda tussen twee posities in het logboek.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Voortgang {
    pub agenda_id: Uuid,
    pub agenda: String,
    /// Naam van het groeperingsniveau (bijv. themalijn), als de agenda er een heeft.
    pub groeperingsniveau: Option<String>,
    /// De wijzigingen ná deze positie zijn meegenomen.
    pub sinds_positie: u64,
    /// Volledig tot en met deze positie; gebruik haar als sindsPositie voor de volgende editie.
    pub tot_positie: u64,
    pub sinds_datum: Option<NaiveDate>,
    pub tot_datum: Option<NaiveDate>,
    /// Aantal gemelde wijzigingen (fasewijzigingen niet meegeteld).
    pub aantal_wijzigingen: usize,
    /// Bijsturingen op checkmomenten over de hele agenda.
    pub agendabrede_bijsturingen: Vec<BijsturingItem>,
    /// Opgaven per groepering (alleen die met wijzigingen).
    pub groeperingen: Vec<GroeperingVoortgang>,
    /// Opgaven zonder groepering (alleen die met wijzigingen).
    pub opgaven: Vec<OpgaveVoortgang>,
}

/// What one event in the window means for the agenda.
enum Fact {
    Actie(Section, Uuid, Option<NaiveDate>, Option<String>),
    Trekker(Uuid, Option<Trekker>, Option<Trekker>),
    Reflectie(Uuid),
    Meting(Uuid, Uuid),
    Bijsturing(Uuid, Uuid),
}

#[derive(Clone, Copy)]
enum Section {
    Afgerond,
    Gestart,
    Gepauzeerd,
    Vervallen,
    Toegevoegd,
}

struct Noted {
    position: u64,
    at: DateTime<Utc>,
    fact: Fact,
}

fn agenda_of(model: &ReadModel, e: &RecordedEvent, event: &Event) -> Option<Uuid> {
    use Event as E;
    match event {
        E::ActieAangemaakt(x) => Some(x.agenda_id),
        E::ReflectieToegevoegd(x) => Some(x.agenda_id),
        E::TrekkerGewijzigd(_) | E::ActieStatusGewijzigd(_) => {
            model.acties.get(&e.stream_id).map(|a| a.state.agenda_id)
        }
        E::MetingVastgelegd(_) => model
            .indicatoren
            .get(&e.stream_id)
            .map(|i| i.state.agenda_id),
        E::BijsturingVastgelegd(_) => model
            .checkmomenten
            .get(&e.stream_id)
            .map(|c| c.state.agenda_id),
        _ => None,
    }
}

fn note(e: &RecordedEvent, event: &Event) -> Option<Fact> {
    use Event as E;
    Some(match event {
        E::ActieAangemaakt(_) => Fact::Actie(Section::Toegevoegd, e.stream_id, None, None),
        E::ActieStatusGewijzigd(x) => {
            let section = match x.naar {
                ActieStatus::Afgerond => Section::Afgerond,
                ActieStatus::Lopend => Section::Gestart,
                ActieStatus::Gepauzeerd => Section::Gepauzeerd,
                ActieStatus::Vervallen => Section::Vervallen,
                ActieStatus::Gepland => return None,
            };
            Fact::Actie(section, e.stream_id, Some(x.ingangs_datum), x.reden.clone())
        }
        E::TrekkerGewijzigd(x) => Fact::Trekker(
            e.stream_id,
            x.vorige_trekker.clone(),
            x.nieuwe_trekker.clone(),
        ),
        E::ReflectieToegevoegd(_) => Fact::Reflectie(e.stream_id),
        E::MetingVastgelegd(x) => Fact::Meting(e.stream_id, x.meting_id),
        E::BijsturingVastgelegd(x) => Fact::Bijsturing(e.stream_id, x.bijsturing_id),
        _ => return None,
    })
}

/// Computes the voortgang of `agenda_id` in the window; `None` when the
/// agenda does not exist at the window's end.
pub fn compute(
    store: &dyn EventStore,
    agenda_id: Uuid,
    window: Window,
) -> Result<Option<Voortgang>, String> {
    let start = ReadModel::replay(store, window.sinds_positie)?;
    let mut model = start.clone();
    let mut noted = Vec::new();
    let mut failure = None;
    store
        .scan(window.sinds_positie, window.tot_positie, &mut |e| {
            if let Err(err) = model.apply(&e) {
                failure = Some(format!("event at position {}: {err}", e.position));
                return ControlFlow::Break(());
            }
            if let Ok(event) = Event::decode(&e.event_type, e.schema_version, &e.data) {
                if agenda_of(&model, &e, &event) == Some(agenda_id) {
                    if let Some(fact) = note(&e, &event) {
                        noted.push(Noted {
                            position: e.position,
                            at: e.recorded_at,
                            fact,
                        });
                    }
                }
            }
            ControlFlow::Continue(())
        })
        .map_err(|e| e.to_string())?;
    if let Some(f) = failure {
        return Err(f);
    }
    let Some(agenda) = model.agendas.get(&agenda_id) else {
        return Ok(None);
    };
    let end = &model;
    let names = Names(end);
    let mut per_opgave: HashMap<Uuid, OpgaveVoortgang> = HashMap::new();
    let mut agendabreed = Vec::new();
    for n in noted {
        names.place(n, &mut per_opgave, &mut agendabreed);
    }

    // PDCA phase at the start and at the end of the window.
    let now = Utc::now();
    for (id, o) in &end.opgaven {
        if o.state.agenda_id != agenda_id {
            continue;
        }
        let naar = end.pdca(*id, now).map(|p| p.fase);
        let van = start.pdca(*id, now).map(|p| p.fase);
        if let Some(naar) = naar.filter(|n| Some(*n) != van) {
            per_opgave.entry(*id).or_default().pdca_fase = Some(FaseWijziging {
                van: van.map(|v| v.as_str().to_owned()),
                naar: naar.as_str().to_owned(),
            });
        }
    }

    let mut groeperingen: BTreeMap<Uuid, GroeperingVoortgang> = BTreeMap::new();
    let mut losse = Vec::new();
    let mut aantal = agendabreed.len();
    for (id, mut v) in per_opgave {
        let Some(o) = end.opgaven.get(&id) else {
            continue;
        };
        v.opgave_id = id;
        v.code = o.state.code.to_string();
        v.titel = o.state.titel.clone();
        aantal += v.count();
        match o.state.groepering_id.and_then(|g| root(end, g)) {
            Some(g) => {
                let grp = &end.groeperingen[&g].state;
                groeperingen
                    .entry(g)
                    .or_insert_with(|| GroeperingVoortgang {
                        groepering_id: g,
                        code: grp.code.as_ref().map(|c| c.to_string()),
                        naam: grp.naam.clone(),
                        opgaven: Vec::new(),
                    })
                    .opgaven
                    .push(v)
            }
            None => losse.push(v),
        }
    }
    let by_code =
        |a: &OpgaveVoortgang, b: &OpgaveVoortgang| code_key(&a.code).cmp(&code_key(&b.code));
    losse.sort_by(by_code);
    let mut groeperingen: Vec<GroeperingVoortgang> = groeperingen.into_values().collect();
    for g in &mut groeperingen {
        g.opgaven.sort_by(by_code);
    }
    groeperingen.sort_by(|a, b| {
        (a.code.is_none(), a.code.as_deref().map(code_key), &a.naam).cmp(&(
            b.code.is_none(),
            b.code.as_deref().map(code_key),
            &b.naam,
        ))
    });
    Ok(Some(Voortgang {
        agenda_id,
        agenda: agenda.state.naam.clone(),
        groeperingsniveau: agenda
            .state
            .groeperingsniveaus
            .first()
            .map(|n| n.enkelvoud.clone()),
        sinds_positie: window.sinds_positie,
        tot_positie: window.tot_positie,
        sinds_datum: window.sinds_datum,
        tot_datum: window.tot_datum,
        aantal_wijzigingen: aantal,
        agendabrede_bijsturingen: agendabreed,
        groeperingen,
        opgaven: losse,
    }))
}

fn code_key(code: &str) -> Vec<u32> {
    code.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

/// The outermost groepering above `g`.
fn root(model: &ReadModel, mut g: Uuid) -> Option<Uuid> {
    for _ in 0..32 {
        let grp = model.groeperingen.get(&g)?;
        match grp.state.bovenliggende_groepering_id {
            Some(parent) => g = parent,
            None => return Some(g),
        }
    }
    Some(g)
}

/// Shortens a user text to at most `max` characters on one line.
pub fn excerpt(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// Looks names and codes up in the model at the window's end.
struct Names<'a>(&'a ReadModel);

impl Names<'_> {
    fn org(&self, id: Option<Uuid>) -> Option<String> {
        id.and_then(|id| self.0.organisaties.get(&id))
            .map(|o| o.state.naam.clone())
    }

    fn trekker(&self, t: &Option<Trekker>) -> Option<String> {
        match t {
            None => None,
            Some(Trekker::Organisatie { organisatie_id }) => self.org(Some(*organisatie_id)),
            Some(Trekker::Groep { naam }) => Some(naam.clone()),
        }
    }

    fn place(
        &self,
        n: Noted,
        per_opgave: &mut HashMap<Uuid, OpgaveVoortgang>,
        agendabreed: &mut Vec<BijsturingItem>,
    ) {
        let m = self.0;
        let (position, at) = (n.position, n.at);
        match n.fact {
            Fact::Actie(section, id, datum, reden) => {
                let Some(a) = m.acties.get(&id) else { return };
                let item = ActieItem {
                    positie: position,
                    registratie_tijdstip: at,
                    actie_id: id,
                    code: m.actie_code(&a.state),
                    omschrijving: a.state.omschrijving.clone(),
                    trekker: self.trekker(&a.state.trekker),
                    ingangs_datum: datum,
                    reden,
                };
                let v = per_opgave.entry(m.opgave_of(&a.state)).or_default();
                match section {
                    Section::Afgerond => v.acties_afgerond.push(item),
                    Section::Gestart => v.acties_gestart.push(item),
                    Section::Gepauzeerd => v.acties_gepauzeerd.push(item),
                    Section::Vervallen => v.acties_vervallen.push(item),
                    Section::Toegevoegd => v.acties_toegevoegd.push(item),
                }
            }
            Fact::Trekker(id, vorige, nieuwe) => {
                let Some(a) = m.acties.get(&id) else { return };
                per_opgave
                    .entry(m.opgave_of(&a.state))
                    .or_default()
                    .trekkerwijzigingen
                    .push(TrekkerItem {
                        positie: position,
                        registratie_tijdstip: at,
                        actie_id: id,
                        code: m.actie_code(&a.state),
                        omschrijving: a.state.omschrijving.clone(),
                        vorige_trekker: self.trekker(&vorige),
                        nieuwe_trekker: self.trekker(&nieuwe),
                    });
            }
            Fact::Reflectie(id) => {
                let Some(r) = m.reflecties.get(&id).filter(|r| !r.state.ingetrokken) else {
                    return;
                };
                let r = &r.state;
                let (opgave, code, titel) = match r.over.soort {
                    OnderwerpSoort::Actie => match m.acties.get(&r.over.id) {
                        Some(a) => (
                            m.opgave_of(&a.state),
                            m.actie_code(&a.state),
                            a.state.omschrijving.clone(),
                        ),
                        None => return,
                    },
                    OnderwerpSoort::Doel => match m.doelen.get(&r.over.id) {
                        Some(d) => (
                            d.state.opgave_id,
                            d.state
                                .code
                                .as_ref()
                                .map(|c| c.to_string())
                                .unwrap_or_default(),
                            d.state.titel.clone(),
                        ),
                        None => return,
                    },
                    OnderwerpSoort::Opgave => match m.opgaven.get(&r.over.id) {
                        Some(o) => (r.over.id, o.state.code.to_string(), o.state.titel.clone()),
                        None => return,
                    },
                };
                let text = [
                    &r.tekst,
                    &r.wat_ging_goed,
                    &r.wat_kan_beter,
                    &r.volgende_stappen,
                ]
                .into_iter()
                .flatten()
                .find(|t| !t.trim().is_empty())
                .cloned()
                .unwrap_or_default();
                per_opgave
                    .entry(opgave)
                    .or_default()
                    .reflecties
                    .push(ReflectieItem {
                        positie: position,
                        registratie_tijdstip: at,
                        reflectie_id: id,
                        over: crate::http::dto::enum_str(&r.over.soort),
                        over_code: code,
                        over_titel: titel,
                        auteur_organisatie: self.org(r.auteur_organisatie_id),
                        fase: r.fase.as_str().to_owned(),
                        datum: r.datum,
                        fragment: excerpt(&text, 200),
                    });
            }
            Fact::Meting(indicator_id, meting_id) => {
                let Some(i) = m.indicatoren.get(&indicator_id) else {
                    return;
                };
                let i = &i.state;
                let Some(meting) = i.metingen.iter().find(|x| x.id == meting_id) else {
                    return;
                };
                let doel = m.doelen.get(&i.doel_id);
                let Some(opgave) = doel.map(|d| d.state.opgave_id) else {
                    return;
                };
                let streef = periode_jaar(&meting.periode).and_then(|j| i.streefwaarde(j));
                let nul = i.nulmeting.as_ref().map(|n| n.waarde);
                per_opgave
                    .entry(opgave)
                    .or_default()
                    .metingen
                    .push(MetingItem {
                        positie: position,
                        registratie_tijdstip: at,
                        indicator_id,
                        indicator: i.naam.clone(),
                        eenheid: i.eenheid.clone(),
                        richting: crate::http::dto::enum_str(&i.richting),
                        doel_code: doel.and_then(|d| d.state.code.as_ref().map(|c| c.to_string())),
                        periode: meting.periode.clone(),
                        meet_datum: meting.meet_datum,
                        waarde: meting.waarde,
                        status: crate::http::dto::enum_str(&meting.status),
                        streefwaarde: streef.map(|s| s.waarde),
                        nulmeting: nul,
                        koers: streef.map(|s| {
                            match koers(i.richting, meting.waarde, s) {
                                Koers::OpKoers => "opKoers",
                                Koers::NietOpKoers => "nietOpKoers",
                            }
                            .to_owned()
                        }),
                        ontwikkeling: nul.and_then(|n| ontwikkeling(i.richting, n, meting.waarde)),
                    });
            }
            Fact::Bijsturing(checkmoment_id, bijsturing_id) => {
                let Some(c) = m.checkmomenten.get(&checkmoment_id) else {
                    return;
                };
                let Some(b) = c.state.bijsturingen.iter().find(|b| b.id == bijsturing_id) else {
                    return;
                };
                let item = BijsturingItem {
                    positie: position,
                    registratie_tijdstip: at,
                    bijsturing_id,
                    checkmoment: c.state.onderwerp.clone(),
                    besluit: b.besluit.clone(),
                    onderbouwing: b.onderbouwing.clone(),
                    datum: b.datum,
                    doorgevoerd_datum: b.doorgevoerd_op,
                };
                match c.state.opgave_id {
                    Some(o) => per_opgave.entry(o).or_default().bijsturingen.push(item),
                    None => agendabreed.push(item),
                }
            }
        }
    }
}

/// Better or worse than the nulmeting, the direction taken into account.
fn ontwikkeling(richting: Richting, nul: f64, waarde: f64) -> Option<String> {
    let sign = match richting {
        Richting::HogerIsBeter => 1.0,
        Richting::LagerIsBeter => -1.0,
        Richting::BinnenBandbreedte => return None,
    };
    let d = (waarde - nul) * sign;
    Some(
        if d > 0.0 {
            "verbeterd"
        } else if d < 0.0 {
            "verslechterd"
        } else {
            "gelijk"
        }
        .to_owned(),
    )
}
