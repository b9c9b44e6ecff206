//! What happened to an agenda between two log positions, for the
//! nieuwsbrief: computed from the events in the window, with the read model
//! at the window's start (for the PDCA phase then) and at its end (for
//! codes, titles and names as they are now).
//!
//! One scan: replay up to the start, keep a copy, then apply the window's
//! events one by one while noting what each one means for the agenda.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::ControlFlow;

use chrono::{DateTime, NaiveDate, Utc};
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

pub use super::items::*;

/// What one event in the window means for the agenda.
enum Fact {
    Actie(Section, Uuid, Option<NaiveDate>, Option<String>),
    Trekker(Uuid, Option<Trekker>, Option<Trekker>),
    /// A voortgangsbericht (actie, bericht) added or corrected.
    Bericht(Uuid, Uuid),
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
        E::TrekkerGewijzigd(_)
        | E::ActieStatusGewijzigd(_)
        | E::VoortgangsberichtToegevoegd(_)
        | E::VoortgangsberichtGecorrigeerd(_) => {
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
        E::VoortgangsberichtToegevoegd(x) => Fact::Bericht(e.stream_id, x.bericht_id),
        E::VoortgangsberichtGecorrigeerd(x) => Fact::Bericht(e.stream_id, x.bericht_id),
        E::ReflectieToegevoegd(_) => Fact::Reflectie(e.stream_id),
        E::MetingVastgelegd(x) => Fact::Meting(e.stream_id, x.meting_id),
        E::BijsturingVastgelegd(x) => Fact::Bijsturing(e.stream_id, x.bijsturing_id),
        _ => return None,
    })
}

/// Computes the voortgang of `agenda_id` in the window; `None` when the
/// agenda does not exist at the window's end. With a `gemeente`, only what
/// holds for it: facts about acties of other gemeenten are left out, and
/// the PDCA phases are judged for it.
pub fn compute(
    store: &dyn EventStore,
    agenda_id: Uuid,
    window: Window,
    gemeente: Option<&str>,
    groepering: Option<Uuid>,
) -> Result<Option<Voortgang>, String> {
    let start = ReadModel::replay(store, window.sinds_positie)?;
    let mut model = start.clone();
    let mut noted = Vec::new();
    let mut berichten = HashSet::new();
    let mut corrected = HashMap::new();
    let mut failure = None;
    store
        .scan(window.sinds_positie, window.tot_positie, &mut |e| {
            if let Err(err) = model.apply(&e) {
                failure = Some(format!("event at position {}: {err}", e.position));
                return ControlFlow::Break(());
            }
            if let Ok(event) = Event::decode(&e.event_type, e.schema_version, &e.data) {
                if agenda_of(&model, &e, &event) == Some(agenda_id) {
                    if let Event::VoortgangsberichtGecorrigeerd(x) = &event {
                        corrected.insert(x.bericht_id, e.recorded_at);
                    }
                    if let Some(fact) = note(&e, &event) {
                        // A bericht added and corrected in the window is one item.
                        if let Fact::Bericht(_, bericht) = fact {
                            if !berichten.insert(bericht) {
                                return ControlFlow::Continue(());
                            }
                        }
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
    let names = Names(end, &corrected);
    let mut per_opgave: HashMap<Uuid, OpgaveVoortgang> = HashMap::new();
    let mut agendabreed = Vec::new();
    for n in noted {
        if gemeente.is_some_and(|g| !for_gemeente(end, &n.fact, g)) {
            continue;
        }
        names.place(n, &mut per_opgave, &mut agendabreed);
    }

    // PDCA phase at the start and at the end of the window.
    let now = Utc::now();
    for (id, o) in &end.opgaven {
        if o.state.agenda_id != agenda_id {
            continue;
        }
        let naar = end.pdca_in(*id, now, None, gemeente).map(|p| p.fase);
        let van = start.pdca_in(*id, now, None, gemeente).map(|p| p.fase);
        if let Some(naar) = naar.filter(|n| Some(*n) != van) {
            per_opgave.entry(*id).or_default().pdca_fase = Some(FaseWijziging {
                van: van.map(|v| v.as_str().to_owned()),
                naar: naar.as_str().to_owned(),
            });
        }
    }

    // ?groepering=: what concerns it, all in its one section.
    let per_opgave = match groepering {
        Some(g) => super::groepering::filter(end, g, per_opgave),
        None => per_opgave,
    };
    let section = |o: &crate::domain::opgave::Opgave| match groepering {
        Some(g) => Some(g),
        None => o.groepering_id.and_then(|g| root(end, g)),
    };
    let mut groeperingen: BTreeMap<Uuid, GroeperingVoortgang> = BTreeMap::new();
    let mut losse = Vec::new();
    let mut aantal = agendabreed.len();
    for (id, mut v) in per_opgave {
        let Some(o) = end.opgaven.get(&id) else {
            continue;
        };
        v.opgave_id = id;
        v.code = end.opgave_weergavecode(id).map(String::from);
        v.titel = o.state.titel.clone();
        aantal += v.count();
        match section(&o.state) {
            Some(g) => {
                let Some(grp) = end.groeperingen.get(&g).map(|x| &x.state) else {
                    continue;
                };
                groeperingen
                    .entry(g)
                    .or_insert_with(|| GroeperingVoortgang {
                        groepering_id: g,
                        code: end.groepering_weergavecode(g).map(String::from),
                        naam: grp.naam.clone(),
                        opgaven: Vec::new(),
                    })
                    .opgaven
                    .push(v)
            }
            None => losse.push(v),
        }
    }
    let by_code = |a: &OpgaveVoortgang, b: &OpgaveVoortgang| {
        crate::domain::code::compare(a.code.as_deref(), b.code.as_deref())
            .then_with(|| a.titel.cmp(&b.titel))
    };
    losse.sort_by(by_code);
    let mut groeperingen: Vec<GroeperingVoortgang> = groeperingen.into_values().collect();
    for g in &mut groeperingen {
        g.opgaven.sort_by(by_code);
    }
    groeperingen.sort_by(|a, b| {
        crate::domain::code::compare(a.code.as_deref(), b.code.as_deref())
            .then_with(|| a.naam.cmp(&b.naam))
    });
    Ok(Some(Voortgang {
        agenda_id,
        agenda: agenda.state.naam.clone(),
        gemeente: gemeente.map(str::to_owned),
        groeperingsniveau: agenda
            .state
            .groeperingsniveaus
            .first()
            .map(|n| n.enkelvoud.clone()),
        sinds_positie: window.sinds_positie,
        tot_positie: window.tot_positie,
        sinds_datum: window.sinds_datum,
        tot_datum: window.tot_datum,
        groepering_id: groepering,
        aantal_wijzigingen: aantal,
        agendabrede_bijsturingen: agendabreed,
        groeperingen,
        opgaven: losse,
    }))
}

/// Whether a fact holds for `gemeente`: facts about an actie (or a
/// reflectie on one) only when the actie, as it is at the window's end, is
/// for that gemeente or for the whole agenda; a meting only when it is for
/// that gemeente or for the whole area; other facts always.
fn for_gemeente(m: &ReadModel, fact: &Fact, gemeente: &str) -> bool {
    if let Fact::Meting(indicator, meting) = fact {
        return m
            .indicatoren
            .get(indicator)
            .and_then(|i| i.state.metingen.iter().find(|x| x.id == *meting))
            .and_then(|x| x.gemeente.as_deref())
            .is_none_or(|g| crate::domain::naam::same(g, gemeente));
    }
    let actie = match fact {
        Fact::Actie(_, id, ..) | Fact::Trekker(id, ..) | Fact::Bericht(id, _) => Some(*id),
        Fact::Reflectie(id) => m
            .reflecties
            .get(id)
            .filter(|r| r.state.over.soort == OnderwerpSoort::Actie)
            .map(|r| r.state.over.id),
        Fact::Meting(..) | Fact::Bijsturing(..) => None,
    };
    actie
        .and_then(|a| m.acties.get(&a))
        .is_none_or(|a| crate::domain::gemeente::hoort_bij(&a.state.gemeenten, gemeente))
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

/// Looks names and codes up in the model at the window's end (and when
/// voortgangsberichten were corrected in the window).
struct Names<'a>(&'a ReadModel, &'a HashMap<Uuid, DateTime<Utc>>);

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
                    kenmerk: a.state.kenmerk.to_string(),
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
                        kenmerk: a.state.kenmerk.to_string(),
                        code: m.actie_code(&a.state),
                        omschrijving: a.state.omschrijving.clone(),
                        vorige_trekker: self.trekker(&vorige),
                        nieuwe_trekker: self.trekker(&nieuwe),
                    });
            }
            Fact::Bericht(id, bericht) => {
                let Some(a) = m.acties.get(&id) else { return };
                let Some(b) = a
                    .state
                    .voortgangsberichten
                    .iter()
                    .find(|b| b.id == bericht && !b.ingetrokken)
                else {
                    return;
                };
                per_opgave
                    .entry(m.opgave_of(&a.state))
                    .or_default()
                    .voortgangsberichten
                    .push(VoortgangsberichtItem {
                        positie: position,
                        registratie_tijdstip: at,
                        bericht_id: bericht,
                        actie_id: id,
                        kenmerk: a.state.kenmerk.to_string(),
                        code: m.actie_code(&a.state),
                        omschrijving: a.state.omschrijving.clone(),
                        trekker: self.trekker(&a.state.trekker),
                        auteur_organisatie: self.org(b.auteur_organisatie_id),
                        datum: b.datum,
                        tekst: b.tekst.to_string(),
                        gecorrigeerd: b.gecorrigeerd,
                        gecorrigeerd_tijdstip: self.1.get(&bericht).copied(),
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
                            Some(a.state.kenmerk.to_string()),
                            a.state.omschrijving.clone(),
                        ),
                        None => return,
                    },
                    OnderwerpSoort::Doel => match m.doelen.get(&r.over.id) {
                        Some(d) => (
                            d.state.opgave_id,
                            m.doel_weergavecode(r.over.id).map(String::from),
                            d.state.titel.clone(),
                        ),
                        None => return,
                    },
                    OnderwerpSoort::Opgave => match m.opgaven.get(&r.over.id) {
                        Some(o) => (
                            r.over.id,
                            m.opgave_weergavecode(r.over.id).map(String::from),
                            o.state.titel.clone(),
                        ),
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
                        doel_code: doel
                            .and_then(|d| m.doel_weergavecode(d.id))
                            .map(String::from),
                        periode: meting.periode.clone(),
                        gemeente: meting.gemeente.clone(),
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
/// Compared, not subtracted: no difference of two values can overflow.
fn ontwikkeling(richting: Richting, nul: f64, waarde: f64) -> Option<String> {
    use std::cmp::Ordering;
    let ordering = waarde.partial_cmp(&nul)?;
    let ordering = match richting {
        Richting::HogerIsBeter => ordering,
        Richting::LagerIsBeter => ordering.reverse(),
        Richting::BinnenBandbreedte => return None,
    };
    Some(
        match ordering {
            Ordering::Greater => "verbeterd",
            Ordering::Less => "verslechterd",
            Ordering::Equal => "gelijk",
        }
        .to_owned(),
    )
}
