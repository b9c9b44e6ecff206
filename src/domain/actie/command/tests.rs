//! Given/when/then for [`ActieCommand`] against a small fake view.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::actie::command::*;
use crate::domain::actie::kenmerk::KenmerkRegister;
use crate::domain::actie::*;
use crate::domain::agenda::{Agenda, AgendaStatus};
use crate::domain::doel::Doel;
use crate::domain::events::{ActieVerplaatst, VoortgangsberichtToegevoegd};
use crate::domain::opgave::Opgave;
use crate::domain::testing::given;
use crate::domain::{Code, DomainError, Event, Foutcode, Versie};

const AGENDA: Uuid = Uuid::from_u128(1);
const OTHER_AGENDA: Uuid = Uuid::from_u128(2);
const OPGAVE: Uuid = Uuid::from_u128(10);
const OPGAVE_2: Uuid = Uuid::from_u128(11);
const DOEL: Uuid = Uuid::from_u128(20);
const FOREIGN_DOEL: Uuid = Uuid::from_u128(21);
const ACTIE: Uuid = Uuid::from_u128(30);
const ORG: Uuid = Uuid::from_u128(40);
const BERICHT: Uuid = Uuid::from_u128(50);
const MISSING: Uuid = Uuid::from_u128(99);

#[derive(Default)]
struct Fake {
    acties: HashMap<Uuid, (Actie, u64)>,
    opgaven: HashMap<Uuid, Opgave>,
    doelen: HashMap<Uuid, Doel>,
    agendas: HashMap<Uuid, Agenda>,
    organisaties: Vec<Uuid>,
    volgnummers: HashMap<String, u32>,
}

impl KenmerkRegister for Fake {
    fn hoogste_volgnummer(&self, _: Uuid, prefix: &str) -> u32 {
        self.volgnummers.get(prefix).copied().unwrap_or(0)
    }
}

impl crate::domain::structuur::weergave::CodeBoom for Fake {
    fn groepering_knoop(&self, _: Uuid) -> Option<&crate::domain::agenda::Groepering> {
        None
    }
    fn opgave_knoop(&self, id: Uuid) -> Option<&Opgave> {
        self.opgaven.get(&id)
    }
    fn doel_knoop(&self, id: Uuid) -> Option<&Doel> {
        self.doelen.get(&id)
    }
}

impl ActieView for Fake {
    fn actie(&self, id: Uuid) -> Option<(&Actie, u64)> {
        self.acties.get(&id).map(|(a, v)| (a, *v))
    }
    fn opgave(&self, id: Uuid) -> Option<&Opgave> {
        self.opgaven.get(&id)
    }
    fn doel(&self, id: Uuid) -> Option<&Doel> {
        self.doelen.get(&id)
    }
    fn agenda(&self, id: Uuid) -> Option<&Agenda> {
        self.agendas.get(&id)
    }
    fn organisatie_bestaat(&self, id: Uuid) -> bool {
        self.organisaties.contains(&id)
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn opgave(agenda_id: Uuid, code: &str) -> Opgave {
    Opgave {
        agenda_id,
        groepering_id: None,
        code: Some(Code::parse(code).unwrap()),
        titel: "Armoede".into(),
        omschrijving: String::new(),
        geprioriteerd: true,
        vervallen: None,
        bijdragen: Vec::new(),
    }
}

fn doel(agenda_id: Uuid, opgave_id: Uuid, code: Option<&str>) -> Doel {
    Doel {
        agenda_id,
        opgave_id,
        bovenliggend_doel_id: None,
        code: code.map(|c| Code::parse(c).unwrap()),
        titel: "Schulden".into(),
        omschrijving: String::new(),
        geprioriteerd: true,
        vervallen: None,
        bijdragen: Vec::new(),
    }
}

/// An agenda 2024–2027 with opgaven 1.1 and 1.2, doel 1.1.1 under 1.1, a
/// doel of another agenda, one organisatie, and actie 1.1.1-1 (version 3)
/// with one voortgangsbericht.
fn twenterand() -> Fake {
    let mut f = Fake::default();
    f.agendas.insert(
        AGENDA,
        Agenda {
            naam: "MAG".into(),
            omschrijving: String::new(),
            gemeenten: vec!["Twenterand".into()],
            periode_start: date(2024, 1, 1),
            periode_eind: date(2027, 12, 31),
            status: AgendaStatus::Vastgesteld,
            gepubliceerd: true,
            signaleringstermijn_dagen: 90,
            groeperingsniveaus: vec![],
            uitvoeringsperioden: vec![],
        },
    );
    f.opgaven.insert(OPGAVE, opgave(AGENDA, "1.1"));
    f.opgaven.insert(OPGAVE_2, opgave(AGENDA, "1.2"));
    f.doelen.insert(DOEL, doel(AGENDA, OPGAVE, Some("1.1.1")));
    f.doelen
        .insert(FOREIGN_DOEL, doel(OTHER_AGENDA, MISSING, Some("9.9.9")));
    f.organisaties.push(ORG);
    f.volgnummers.insert("1.1.1".into(), 1);
    let created = ActieAangemaakt {
        kenmerk: Some(Kenmerk::parse("1.1.1-1").unwrap()),
        agenda_id: AGENDA,
        opgave_id: OPGAVE,
        doel_id: Some(DOEL),
        omschrijving: "Budgetcafé".into(),
        jaar: 2024,
        geplande_start_datum: None,
        geplande_eind_datum: None,
        trekker: None,
        partners: vec![],
        status: ActieStatus::Gepland,
        gemeenten: vec![],
    };
    let mut actie = Actie::created(&created, Kenmerk::parse("1.1.1-1").unwrap(), Utc::now());
    actie.apply(
        &Event::VoortgangsberichtToegevoegd(VoortgangsberichtToegevoegd {
            bericht_id: BERICHT,
            datum: date(2024, 3, 1),
            auteur_organisatie_id: None,
            tekst: "Gestart".into(),
        }),
        Utc::now(),
    );
    f.acties.insert(ACTIE, (actie, 3));
    f
}

fn nieuw(omschrijving: &str) -> NieuweActie {
    NieuweActie {
        omschrijving: omschrijving.into(),
        jaar: None,
        geplande_start_datum: None,
        geplande_eind_datum: None,
        trekker: None,
        partners: vec![],
        gemeenten: vec![],
    }
}

fn melding(auteur: Option<Uuid>) -> ActieCommand {
    ActieCommand::MeldVoortgang {
        id: ACTIE,
        bericht_id: Uuid::from_u128(51),
        datum: date(2024, 4, 1),
        auteur_organisatie_id: auteur,
        tekst: " Tweede café ".into(),
    }
}

fn invalid_fields(e: DomainError) -> Vec<String> {
    match e {
        DomainError::Invalid(fields) => fields.into_iter().map(|f| f.field).collect(),
        other => panic!("expected invalid fields, got {other:?}"),
    }
}

#[test]
fn voortgang_is_added_at_the_version_seen_with_trimmed_text() {
    let streams = given(twenterand())
        .when(|v| melding(Some(ORG)).decide(v))
        .then(vec![Event::VoortgangsberichtToegevoegd(
            VoortgangsberichtToegevoegd {
                bericht_id: Uuid::from_u128(51),
                datum: date(2024, 4, 1),
                auteur_organisatie_id: Some(ORG),
                tekst: "Tweede café".into(),
            },
        )]);
    assert_eq!(streams[0].versie, Versie::Exact(3));
}

#[test]
fn voortgang_names_an_existing_organisatie_on_an_existing_actie() {
    let e = given(twenterand())
        .when(|v| melding(Some(MISSING)).decide(v))
        .then_refused(Foutcode::UnknownOrganisatie);
    assert_eq!(invalid_fields(e), ["auteurOrganisatieId"]);
    let mut c = melding(None);
    if let ActieCommand::MeldVoortgang { id, .. } = &mut c {
        *id = MISSING;
    }
    given(twenterand())
        .when(|v| c.decide(v))
        .then_refused(Foutcode::NotFound);
}

#[test]
fn a_vervallen_actie_takes_no_voortgang() {
    let mut f = twenterand();
    f.acties.get_mut(&ACTIE).unwrap().0.status = ActieStatus::Vervallen;
    given(f)
        .when(|v| melding(None).decide(v))
        .then_refused(Foutcode::ActieVervallen);
}

fn wijzig_bericht(bericht_id: Uuid, tekst: Option<&str>, intrekken: bool) -> ActieCommand {
    ActieCommand::WijzigVoortgang {
        id: ACTIE,
        bericht_id,
        tekst: tekst.map(Into::into),
        intrekken,
        reden: Some("Dubbel".into()),
    }
}

#[test]
fn a_bericht_is_corrected_or_withdrawn_never_both_or_neither() {
    given(twenterand())
        .when(|v| wijzig_bericht(BERICHT, Some("Gestart in drie kernen"), true).decide(v))
        .then_refused(Foutcode::ConflictingFields);
    given(twenterand())
        .when(|v| wijzig_bericht(BERICHT, None, false).decide(v))
        .then_refused(Foutcode::Required);
    given(twenterand())
        .when(|v| wijzig_bericht(MISSING, Some("x"), false).decide(v))
        .then_refused(Foutcode::NotFound);
    given(twenterand())
        .when(|v| wijzig_bericht(BERICHT, None, true).decide(v))
        .then(vec![Event::VoortgangsberichtIngetrokken(
            crate::domain::events::BerichtIngetrokken {
                bericht_id: Some(BERICHT),
                reden: Some("Dubbel".into()),
            },
        )]);
}

#[test]
fn a_status_change_needs_an_existing_actie_and_an_allowed_transition() {
    let status = |id, naar| ActieCommand::WijzigStatus {
        id,
        naar,
        ingangs_datum: date(2024, 5, 1),
        reden: None,
    };
    given(twenterand())
        .when(|v| status(ACTIE, ActieStatus::Gepland).decide(v))
        .then_refused(Foutcode::InvalidStatusTransition);
    given(twenterand())
        .when(|v| status(MISSING, ActieStatus::Lopend).decide(v))
        .then_refused(Foutcode::NotFound);
    assert!(!status(ACTIE, ActieStatus::Lopend).structural());
}

#[test]
fn a_trekker_organisatie_must_exist() {
    let toewijzing = |organisatie_id| ActieCommand::WijsTrekkerToe {
        id: ACTIE,
        trekker: Some(Trekker::Organisatie { organisatie_id }),
    };
    let e = given(twenterand())
        .when(|v| toewijzing(MISSING).decide(v))
        .then_refused(Foutcode::UnknownOrganisatie);
    assert_eq!(invalid_fields(e), ["organisatieId"]);
    given(twenterand())
        .when(|v| toewijzing(ORG).decide(v))
        .then(vec![Event::TrekkerGewijzigd(
            crate::domain::events::TrekkerGewijzigd {
                vorige_trekker: None,
                nieuwe_trekker: Some(Trekker::Organisatie {
                    organisatie_id: ORG,
                }),
            },
        )]);
}

fn maak_aan(onder: Ouder, actie: NieuweActie) -> ActieCommand {
    ActieCommand::MaakAan {
        id: Uuid::from_u128(31),
        onder,
        actie,
        beperkt_tot: None,
    }
}

#[test]
fn a_new_actie_under_a_doel_takes_the_next_kenmerk_of_its_code_and_the_agenda_year() {
    let streams = given(twenterand())
        .when(|v| maak_aan(Ouder::Doel(DOEL), nieuw(" Taalcafé ")).decide(v))
        .0
        .unwrap();
    assert_eq!(streams[0].versie, Versie::Nieuw);
    let Event::ActieAangemaakt(e) = &streams[0].events[0] else {
        panic!("{streams:?}")
    };
    assert_eq!(
        (
            e.kenmerk.as_ref().map(Kenmerk::as_str),
            e.opgave_id,
            e.jaar,
            e.omschrijving.as_str()
        ),
        (Some("1.1.1-2"), OPGAVE, 2024, "Taalcafé")
    );
}

#[test]
fn a_new_actie_reports_every_invalid_field_at_once() {
    let mut n = nieuw("  ");
    n.geplande_start_datum = Some(date(2023, 5, 1));
    n.trekker = Some(Trekker::Organisatie {
        organisatie_id: MISSING,
    });
    n.partners = vec![ORG, MISSING];
    let e = given(twenterand())
        .when(|v| maak_aan(Ouder::Opgave(OPGAVE), n).decide(v))
        .then_refused(Foutcode::OutsidePeriod);
    assert_eq!(
        invalid_fields(e),
        [
            "geplandeStartDatum",
            "trekker.organisatieId",
            "partners[1]",
            "omschrijving"
        ]
    );
}

#[test]
fn nothing_new_goes_under_a_vervallen_or_unknown_parent() {
    let mut f = twenterand();
    f.opgaven.get_mut(&OPGAVE).unwrap().vervallen = Some("Samengevoegd".into());
    given(f)
        .when(|v| maak_aan(Ouder::Doel(DOEL), nieuw("x")).decide(v))
        .then_refused(Foutcode::OpgaveVervallen);
    let mut f = twenterand();
    f.doelen.get_mut(&DOEL).unwrap().vervallen = Some("Bereikt".into());
    given(f)
        .when(|v| maak_aan(Ouder::Doel(DOEL), nieuw("x")).decide(v))
        .then_refused(Foutcode::DoelVervallen);
    given(twenterand())
        .when(|v| maak_aan(Ouder::Doel(MISSING), nieuw("x")).decide(v))
        .then_refused(Foutcode::NotFound);
}

fn wijzig(w: ActieWijziging) -> ActieCommand {
    ActieCommand::Wijzig {
        id: ACTIE,
        wijziging: w,
        beperkt_tot: None,
    }
}

#[test]
fn an_actie_moves_only_within_its_agenda() {
    let e = given(twenterand())
        .when(|v| {
            wijzig(ActieWijziging {
                doel_id: Some(Some(FOREIGN_DOEL)),
                geplande_eind_datum: Some(Some(date(2030, 1, 1))),
                ..Default::default()
            })
            .decide(v)
        })
        .then_refused(Foutcode::UnknownDoel);
    assert_eq!(invalid_fields(e), ["geplandeEindDatum", "doelId"]);
    given(twenterand())
        .when(|v| {
            wijzig(ActieWijziging {
                opgave_id: Some(MISSING),
                ..Default::default()
            })
            .decide(v)
        })
        .then_refused(Foutcode::UnknownOpgave);
}

#[test]
fn a_move_starts_from_where_the_actie_is_now_and_naming_it_changes_nothing() {
    // Its doel moved to opgave 1.2 since the actie was placed under it.
    let mut f = twenterand();
    f.doelen.get_mut(&DOEL).unwrap().opgave_id = OPGAVE_2;
    let here = wijzig(ActieWijziging {
        opgave_id: Some(OPGAVE_2),
        ..Default::default()
    });
    assert!(here.structural());
    let f = given(f).when(|v| here.decide(v));
    assert!(f.0.as_ref().unwrap()[0].events.is_empty(), "{f:?}");
    let mut f = twenterand();
    f.doelen.get_mut(&DOEL).unwrap().opgave_id = OPGAVE_2;
    given(f)
        .when(|v| {
            wijzig(ActieWijziging {
                doel_id: Some(None),
                ..Default::default()
            })
            .decide(v)
        })
        .then(vec![Event::ActieVerplaatst(ActieVerplaatst {
            vorige_opgave_id: OPGAVE_2,
            vorig_doel_id: Some(DOEL),
            nieuwe_opgave_id: OPGAVE_2,
            nieuw_doel_id: None,
        })]);
}

mod gemeente;
