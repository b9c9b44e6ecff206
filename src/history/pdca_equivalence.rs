//! The per-opgave as-of path ([`AsOf::opgave_model_at`]) against a full
//! replay: the Twenterand demo twice (two agendas) plus a seeded random
//! sequence of writes that moves doelen and acties between opgaven, changes
//! statuses and trekkers, adds voortgangsberichten, reflecties, indicatoren
//! and metingen, opens and closes checkmomenten (on opgaven and agenda-wide)
//! with bijsturingen that name subjects and are carried out by events that
//! carry their id, adds sub-doelen without code, renumbers doelen and
//! changes the agenda's signaleringstermijn. At many positions, for every
//! opgave, the PDCA state must be identical (including "no opgave yet").

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{AsOf, AsOfOptions};
use crate::bench::Rng;
use crate::domain::actie::{ActieStatus, Trekker};
use crate::domain::checkmoment::{VoorgenomenWijziging, WijzigingSoort};
use crate::domain::events::*;
use crate::domain::indicator::{MetingStatus, Richting, Waarde};
use crate::domain::reflectie::{Onderwerp, OnderwerpSoort, PdcaFase};
use crate::domain::{Code, Event};
use crate::event_store::{AppendRequest, EventStore, ExpectedVersion, MemoryStore, Metadata};
use crate::projections::{Entity, Projection, ReadModel};

fn sorted<T>(map: &HashMap<Uuid, Arc<Entity<T>>>, keep: impl Fn(&T) -> bool) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = map
        .iter()
        .filter(|(_, e)| keep(&e.state))
        .map(|(id, _)| *id)
        .collect();
    ids.sort();
    ids
}

struct World {
    store: Arc<MemoryStore>,
    live: Arc<Projection>,
    rng: Rng,
    codes: u32,
}

impl World {
    fn append(&self, stream: Uuid, event: Event, bijsturing: Option<Uuid>) {
        self.store
            .append(AppendRequest::single(
                stream,
                event.stream_type(),
                ExpectedVersion::Any,
                vec![crate::service::new_event(&event)],
                Metadata {
                    bijsturing_id: bijsturing,
                    ..Metadata::default()
                },
            ))
            .wait()
            .unwrap();
    }

    fn import(&self, naam: &str) {
        let mut file = crate::import::parse(crate::import::TWENTERAND_2024).unwrap();
        file.agenda.naam = naam.to_owned();
        file.agenda.gemeenten = vec![naam.to_owned()];
        let plan = crate::import::plan(&file, &self.live.read()).unwrap();
        let streams = plan
            .streams
            .into_iter()
            .filter_map(crate::service::StreamEvents::into_append)
            .collect();
        self.store
            .append(AppendRequest {
                streams,
                metadata: Metadata::default(),
                idempotency: None,
            })
            .wait()
            .unwrap();
    }

    fn code(&mut self) -> Code {
        self.codes += 1;
        Code::parse(&format!("9.{}", self.codes)).unwrap()
    }

    /// One random write; false when the dice found nothing to do.
    fn step(&mut self) -> bool {
        let mut r = std::mem::replace(&mut self.rng, Rng(0));
        let done = self.step_with(&mut r);
        self.rng = r;
        done
    }

    fn step_with(&mut self, r: &mut Rng) -> bool {
        let m = self.live.read().clone();
        let opgaven = sorted(&m.opgaven, |_| true);
        let doelen = sorted(&m.doelen, |_| true);
        let acties = sorted(&m.acties, |_| true);
        let indicatoren = sorted(&m.indicatoren, |_| true);
        let checkmomenten = sorted(&m.checkmomenten, |_| true);
        let mut bijsturingen: Vec<Uuid> = m.bijsturingen.keys().copied().collect();
        bijsturingen.sort();
        let same_agenda = |agenda: Uuid| sorted(&m.opgaven, |o| o.agenda_id == agenda);
        let subject = |r: &mut Rng| -> Option<Uuid> {
            match r.below(5) {
                0 => r.pick(&opgaven),
                1 => r.pick(&doelen),
                2 => r.pick(&indicatoren),
                3 => None,
                _ => r.pick(&acties),
            }
        };
        let dice = r.below(22);
        let (stream, event, bijsturing) = match dice {
            0 | 1 => {
                let Some(d) = r.pick(&doelen) else {
                    return false;
                };
                let doel = &m.doelen[&d].state;
                let to: Vec<Uuid> = same_agenda(doel.agenda_id)
                    .into_iter()
                    .filter(|o| *o != doel.opgave_id)
                    .collect();
                let Some(o) = r.pick(&to) else { return false };
                let e = Event::DoelVerplaatst(DoelVerplaatst {
                    vorige_opgave_id: doel.opgave_id,
                    nieuwe_opgave_id: o,
                });
                (d, e, None)
            }
            2 | 3 => {
                let Some(a) = r.pick(&acties) else {
                    return false;
                };
                let actie = &m.acties[&a].state;
                let Some(o) = r.pick(&same_agenda(actie.agenda_id)) else {
                    return false;
                };
                let under = sorted(&m.doelen, |d| d.opgave_id == o);
                let doel = if r.below(3) == 0 {
                    None
                } else {
                    r.pick(&under)
                };
                let e = Event::ActieVerplaatst(ActieVerplaatst {
                    vorige_opgave_id: actie.opgave_id,
                    vorig_doel_id: actie.doel_id,
                    nieuwe_opgave_id: o,
                    nieuw_doel_id: doel,
                });
                let b = if r.below(4) == 0 {
                    r.pick(&bijsturingen)
                } else {
                    None
                };
                (a, e, b)
            }
            4 | 5 => {
                let Some(a) = r.pick(&acties) else {
                    return false;
                };
                let naar = ActieStatus::ALL[r.below(ActieStatus::ALL.len())];
                let e = Event::ActieStatusGewijzigd(ActieStatusGewijzigd {
                    van: m.acties[&a].state.status,
                    naar,
                    ingangs_datum: r.date(),
                    reden: Some("Door de test.".into()),
                });
                let b = if r.below(3) == 0 {
                    r.pick(&bijsturingen)
                } else {
                    None
                };
                (a, e, b)
            }
            6 => {
                let Some(a) = r.pick(&acties) else {
                    return false;
                };
                let e = Event::VoortgangsberichtToegevoegd(VoortgangsberichtToegevoegd {
                    bericht_id: Uuid::now_v7(),
                    datum: r.date(),
                    auteur_organisatie_id: None,
                    tekst: "Bijeenkomst gehouden.".into(),
                });
                (a, e, None)
            }
            7 => {
                let Some(a) = r.pick(&acties) else {
                    return false;
                };
                let nieuwe = (r.below(2) == 0).then(|| Trekker::Groep {
                    naam: format!("Werkgroep {}", r.below(9)),
                });
                let e = Event::TrekkerGewijzigd(TrekkerGewijzigd {
                    vorige_trekker: m.acties[&a].state.trekker.clone(),
                    nieuwe_trekker: nieuwe,
                });
                (a, e, None)
            }
            8 | 9 => {
                let (soort, over) = match r.below(3) {
                    0 => (OnderwerpSoort::Opgave, r.pick(&opgaven)),
                    1 => (OnderwerpSoort::Doel, r.pick(&doelen)),
                    _ => (OnderwerpSoort::Actie, r.pick(&acties)),
                };
                let Some(over) = over else { return false };
                let Some(agenda) = m.agenda_of(over) else {
                    return false;
                };
                let e = Event::ReflectieToegevoegd(ReflectieToegevoegd {
                    agenda_id: agenda,
                    over: Onderwerp { soort, id: over },
                    auteur_organisatie_id: None,
                    fase: [PdcaFase::Plan, PdcaFase::Do, PdcaFase::Check, PdcaFase::Act]
                        [r.below(4)],
                    datum: r.date(),
                    wat_ging_goed: None,
                    wat_kan_beter: None,
                    volgende_stappen: None,
                    tekst: Some("Terugblik.".into()),
                });
                (Uuid::now_v7(), e, None)
            }
            10 => {
                let Some(x) = r.pick(&sorted(&m.reflecties, |x| !x.ingetrokken)) else {
                    return false;
                };
                let e = Event::ReflectieIngetrokken(BerichtIngetrokken {
                    bericht_id: None,
                    reden: Some("Dubbel.".into()),
                });
                (x, e, None)
            }
            11 => {
                let Some(d) = r.pick(&doelen) else {
                    return false;
                };
                let doel = &m.doelen[&d].state;
                let streef = Waarde {
                    // Sometimes a streefwaarde for the whole period.
                    jaar: (r.below(3) != 0).then_some(2024),
                    waarde: 50.0,
                    ondergrens: Some(40.0),
                    bovengrens: Some(60.0),
                };
                let richting = [
                    Richting::HogerIsBeter,
                    Richting::LagerIsBeter,
                    Richting::BinnenBandbreedte,
                ][r.below(3)];
                let e = Event::IndicatorAangemaakt(IndicatorAangemaakt {
                    agenda_id: doel.agenda_id,
                    doel_id: d,
                    // few names, so equal names (ties in the sort) occur
                    naam: format!("Indicator {}", r.below(3)),
                    eenheid: "%".into(),
                    richting,
                    bron: None,
                    eigenaar_organisatie_id: None,
                    nulmeting: None,
                    streefwaarden: if r.below(4) == 0 {
                        vec![]
                    } else {
                        vec![streef]
                    },
                });
                (Uuid::now_v7(), e, None)
            }
            12 => {
                let Some(i) = r.pick(&indicatoren) else {
                    return false;
                };
                let e = Event::MetingVastgelegd(MetingVastgelegd {
                    meting_id: Uuid::now_v7(),
                    periode: "2024".into(),
                    meet_datum: None,
                    waarde: r.below(100) as f64,
                    status: MetingStatus::Definitief,
                    bron: None,
                    toelichting: None,
                    door_organisatie_id: None,
                    // Values for the whole area and per gemeente.
                    gemeente: [None, Some("Testdorp"), Some("Anderdorp")][r.below(3)]
                        .map(str::to_owned),
                });
                (i, e, None)
            }
            13 => {
                let Some(o) = r.pick(&opgaven) else {
                    return false;
                };
                let agenda = m.opgaven[&o].state.agenda_id;
                let e = Event::CheckmomentGeopend(CheckmomentGeopend {
                    agenda_id: agenda,
                    opgave_id: (r.below(2) == 0).then_some(o),
                    datum: r.date(),
                    onderwerp: "Halfjaarlijkse check".into(),
                    deelnemers: vec![],
                });
                (Uuid::now_v7(), e, None)
            }
            14 | 15 => {
                let Some(c) = r.pick(&checkmomenten) else {
                    return false;
                };
                let wijzigingen = (0..r.below(3))
                    .map(|_| VoorgenomenWijziging {
                        soort: WijzigingSoort::Overig,
                        omschrijving: "Bijstellen.".into(),
                        onderwerp_id: subject(r),
                    })
                    .collect();
                let e = Event::BijsturingVastgelegd(BijsturingVastgelegd {
                    bijsturing_id: Uuid::now_v7(),
                    besluit: "Extra inzet op de wijken".into(),
                    onderbouwing: "Uit de check.".into(),
                    datum: r.date(),
                    voorgenomen_wijzigingen: wijzigingen,
                });
                (c, e, None)
            }
            16 => {
                let open = sorted(&m.checkmomenten, |c| c.is_open());
                let Some(c) = r.pick(&open) else { return false };
                let e = Event::CheckmomentGesloten(CheckmomentGesloten {
                    datum: r.date(),
                    samenvatting: None,
                });
                (c, e, None)
            }
            17 => {
                let Some(b) = r.pick(&bijsturingen) else {
                    return false;
                };
                let e = Event::BijsturingDoorgevoerd(BijsturingDoorgevoerd {
                    bijsturing_id: b,
                    datum: r.date(),
                });
                (m.bijsturingen[&b], e, None)
            }
            18 => {
                // a sub-doel without code (its acties show the parent's code)
                let Some(p) = r.pick(&doelen) else {
                    return false;
                };
                let parent = &m.doelen[&p].state;
                let e = Event::DoelAangemaakt(DoelAangemaakt {
                    agenda_id: parent.agenda_id,
                    opgave_id: parent.opgave_id,
                    bovenliggend_doel_id: Some(p),
                    code: None,
                    titel: "Subdoel".into(),
                    omschrijving: String::new(),
                    geprioriteerd: false,
                });
                let d = Uuid::now_v7();
                self.append(d, e, None);
                let e = Event::ActieAangemaakt(ActieAangemaakt {
                    kenmerk: None,
                    agenda_id: parent.agenda_id,
                    opgave_id: parent.opgave_id,
                    doel_id: Some(d),
                    omschrijving: "Actie onder een subdoel".into(),
                    jaar: 2024,
                    geplande_start_datum: None,
                    geplande_eind_datum: None,
                    trekker: None,
                    partners: vec![],
                    status: ActieStatus::Gepland,
                    gemeenten: vec![],
                });
                (Uuid::now_v7(), e, None)
            }
            19 => {
                let Some(d) = r.pick(&doelen) else {
                    return false;
                };
                let (e, code) = if r.below(2) == 0 {
                    (
                        Event::DoelVervallen(Vervallen {
                            reden: "Opgegaan in een ander doel.".into(),
                        }),
                        false,
                    )
                } else {
                    (
                        Event::DoelGewijzigd(DoelGewijzigd {
                            titel: Some("Nieuwe titel".into()),
                            ..DoelGewijzigd::default()
                        }),
                        true,
                    )
                };
                if code {
                    let nieuwe = self.code();
                    let vorige = m.doelen[&d].state.code.clone();
                    self.append(
                        d,
                        Event::DoelHernummerd(Hernummerd {
                            vorige_code: vorige,
                            nieuwe_code: Some(nieuwe),
                        }),
                        None,
                    );
                }
                (d, e, None)
            }
            20 => {
                // a new opgave (absent before it was created)
                let mut agendas = sorted(&m.agendas, |_| true);
                agendas.sort();
                let Some(a) = r.pick(&agendas) else {
                    return false;
                };
                let e = Event::OpgaveAangemaakt(OpgaveAangemaakt {
                    agenda_id: a,
                    groepering_id: None,
                    code: Some(self.code()),
                    titel: "Nieuwe opgave".into(),
                    omschrijving: String::new(),
                    geprioriteerd: false,
                });
                (Uuid::now_v7(), e, None)
            }
            _ => {
                let Some(a) = r.pick(&sorted(&m.agendas, |_| true)) else {
                    return false;
                };
                let e = Event::AgendaGewijzigd(AgendaGewijzigd {
                    signaleringstermijn_dagen: Some(1 + r.below(120) as u32),
                    ..AgendaGewijzigd::default()
                });
                (a, e, None)
            }
        };
        self.append(stream, event, bijsturing);
        true
    }
}

/// A memory store with the Twenterand demo imported twice and then
/// `writes` seeded random writes of every kind (see the module docs); also
/// the head after the first import.
fn busy_world(seed: u64, writes: usize) -> (World, u64) {
    let store = Arc::new(MemoryStore::new());
    let live = Projection::new(ReadModel::default());
    store.add_listener(live.clone());
    let mut w = World {
        store,
        live,
        rng: Rng(seed),
        codes: 0,
    };
    w.import("Twenterand");
    let after_first_import = w.store.head();
    w.import("Tweede gemeente");
    let mut done = 0;
    while done < writes {
        if w.step() {
            done += 1;
        }
    }
    (w, after_first_import)
}

/// [`busy_world`]'s store and the live projection kept on it.
pub(crate) fn busy_store(seed: u64, writes: usize) -> (Arc<MemoryStore>, Arc<Projection>) {
    let (w, _) = busy_world(seed, writes);
    (w.store, w.live)
}

#[test]
fn the_per_opgave_path_gives_the_pdca_state_of_a_full_replay() {
    let (mut w, after_first_import) = busy_world(20_241_123, 900);
    let (store, live) = (w.store.clone(), w.live.clone());
    let head = store.head();
    // with the stream cache (reads after the first come from memory) and without
    let as_of = AsOf::new(store.clone(), AsOfOptions::default());
    let uncached = AsOf::new(
        store.clone(),
        AsOfOptions {
            stream_cache_events: 0,
            ..AsOfOptions::default()
        },
    );
    let mut opgaven = sorted(&live.read().opgaven, |_| true);
    opgaven.push(Uuid::now_v7()); // never existed
    let mut positions: Vec<u64> = (0..36).map(|i| after_first_import + i * 97).collect();
    positions.extend([0, 1, after_first_import - 1, head - 1, head]);
    positions.retain(|p| *p <= head);
    let (mut compared, mut absent, mut moved, mut act, mut stale, mut wide) = (0, 0, 0, 0, 0, 0);
    for &p in &positions {
        let full = ReadModel::replay(store.as_ref(), p).unwrap();
        let recorded: DateTime<Utc> = store
            .event_at(p)
            .unwrap()
            .map_or(DateTime::<Utc>::MIN_UTC, |e| e.recorded_at);
        for &o in &opgaven {
            // "now" as a peildatum would set it, up to a year later
            let now = recorded + Duration::days(w.rng.below(400) as i64);
            let fast = as_of.opgave_model_at(&live, o, p).unwrap();
            let expected = full.pdca(o, now);
            let got = fast.as_ref().and_then(|m| m.pdca(o, now));
            assert_eq!(got, expected, "opgave {o} at position {p}");
            let direct = uncached.opgave_model_at(&live, o, p).unwrap();
            let got = direct.as_ref().and_then(|m| m.pdca(o, now));
            assert_eq!(got, expected, "opgave {o} at position {p}, read directly");
            if let Some(m) = &fast {
                assert_eq!(m.position, full.position);
                // what the response shows besides the PDCA state
                let (a, b) = (m.opgaven.get(&o), full.opgaven.get(&o));
                assert_eq!(a.map(|x| x.version), b.map(|x| x.version));
                let agenda = |m: &ReadModel| {
                    b.and_then(|b| m.agendas.get(&b.state.agenda_id))
                        .map(|a| a.state.signaleringstermijn_dagen)
                };
                assert_eq!(agenda(m), agenda(&full));
            }
            compared += 1;
            match &expected {
                None => absent += 1,
                Some(s) => {
                    act += usize::from(!s.open_bijsturingen.is_empty());
                    stale += usize::from(!s.zonder_update.is_empty());
                    let checks = full.checkmomenten_of_opgave(o, full.opgaven[&o].state.agenda_id);
                    wide +=
                        usize::from(checks.iter().any(|c| {
                            c.state.opgave_id.is_none() && !c.state.bijsturingen.is_empty()
                        }));
                    // an actie or doel that belongs elsewhere now than then
                    let now_model = live.read();
                    moved += usize::from(
                        full.doel_ids_of_opgave(o)
                            .iter()
                            .any(|d| now_model.doelen[d].state.opgave_id != o),
                    );
                }
            }
        }
    }
    // the comparison covered what it is meant to cover
    eprintln!("compared {compared}: absent {absent}, moved {moved}, act {act}, stale {stale}, agenda-wide {wide}");
    assert!(compared > 1_000, "{compared}");
    assert!(absent > 50, "absent {absent}");
    assert!(moved > 50, "moved {moved}");
    assert!(act > 50, "act {act}");
    assert!(stale > 50, "stale {stale}");
    assert!(wide > 50, "agenda-wide bijsturingen {wide}");
}
