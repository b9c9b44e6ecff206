//! Given/when/then for [`IndicatorCommand`] against a small fake view.

use super::*;
use crate::domain::events::{Event, StreefwaardeVastgesteld};
use crate::domain::testing::given;
use crate::domain::Foutcode;
use crate::domain::Versie;

const IND: Uuid = Uuid::from_u128(1);
const DOEL: Uuid = Uuid::from_u128(2);
const ORG: Uuid = Uuid::from_u128(3);
const AGENDA: Uuid = Uuid::from_u128(4);

/// A fake view: one indicator (at version 5), one doel, one organisatie.
struct Fake {
    indicator: Option<Indicator>,
    doel: Option<DoelPlek>,
}

impl IndicatorView for Fake {
    fn indicator(&self, id: Uuid) -> Option<(&Indicator, u64)> {
        self.indicator
            .as_ref()
            .filter(|_| id == IND)
            .map(|i| (i, 5))
    }
    fn doel_plek(&self, doel_id: Uuid) -> Option<DoelPlek> {
        self.doel.clone().filter(|_| doel_id == DOEL)
    }
    fn organisatie_bestaat(&self, id: Uuid) -> bool {
        id == ORG
    }
    fn agenda_gemeenten(&self, agenda_id: Uuid) -> Vec<String> {
        if agenda_id == AGENDA {
            vec!["Gemeente Noord".into(), "Gemeente Zuid".into()]
        } else {
            vec![]
        }
    }
}

fn w(jaar: i32, waarde: f64) -> Waarde {
    Waarde {
        jaar: Some(jaar),
        waarde,
        ondergrens: None,
        bovengrens: None,
    }
}

fn aangemaakt() -> IndicatorAangemaakt {
    IndicatorAangemaakt {
        agenda_id: AGENDA,
        doel_id: DOEL,
        naam: "Achterstand".into(),
        eenheid: "%".into(),
        richting: Richting::LagerIsBeter,
        bron: None,
        eigenaar_organisatie_id: None,
        nulmeting: None,
        streefwaarden: vec![w(2025, 10.0)],
    }
}

fn world() -> Fake {
    Fake {
        indicator: Some(Indicator::created(&aangemaakt())),
        doel: Some(DoelPlek {
            agenda_id: AGENDA,
            ..Default::default()
        }),
    }
}

fn vandaag() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn meting() -> IndicatorCommand {
    IndicatorCommand::LegMetingVast {
        id: IND,
        meting_id: Uuid::from_u128(9),
        periode: None,
        meet_datum: Some(vandaag()),
        waarde: 9.5,
        status: MetingStatus::Definitief,
        bron: Some("  Monitor ".into()),
        toelichting: Some("   ".into()),
        door_organisatie_id: Some(ORG),
        gemeente: None,
        beperkt_tot: None,
        vandaag: vandaag(),
    }
}

fn with(c: IndicatorCommand, f: impl FnOnce(&mut IndicatorCommand)) -> IndicatorCommand {
    let mut c = c;
    f(&mut c);
    c
}

#[test]
fn a_meting_of_today_counts_for_its_year_with_trimmed_texts() {
    let streams = given(world())
        .when(|v| meting().decide(v))
        .then(vec![Event::MetingVastgelegd(MetingVastgelegd {
            meting_id: Uuid::from_u128(9),
            periode: "2025".into(),
            meet_datum: Some(vandaag()),
            waarde: 9.5,
            status: MetingStatus::Definitief,
            bron: Some("Monitor".into()),
            toelichting: None,
            door_organisatie_id: Some(ORG),
            gemeente: None,
        })]);
    assert_eq!(streams[0].versie, Versie::Exact(5));
}

#[test]
fn a_meting_after_today_is_refused_whatever_the_clock_says() {
    let tomorrow = vandaag().succ_opt().unwrap();
    let c = with(meting(), |c| {
        if let IndicatorCommand::LegMetingVast { meet_datum, .. } = c {
            *meet_datum = Some(tomorrow);
        }
    });
    given(world())
        .when(|v| c.decide(v))
        .then_refused(Foutcode::FutureDate);
}

#[test]
fn every_problem_of_a_meting_is_named_at_once_sorted_by_field() {
    let c = with(meting(), |c| {
        if let IndicatorCommand::LegMetingVast {
            periode,
            meet_datum,
            waarde,
            door_organisatie_id,
            ..
        } = c
        {
            *periode = Some("2024-Q5".into());
            *meet_datum = NaiveDate::from_ymd_opt(2199, 1, 1);
            *waarde = 2e15;
            *door_organisatie_id = Some(Uuid::from_u128(77));
        }
    });
    let Err(DomainError::Invalid(errors)) = given(world()).when(|v| c.decide(v)).0 else {
        panic!("refused")
    };
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("doorOrganisatieId", "unknown-organisatie"),
            ("meetDatum", "future-date"),
            ("periode", "invalid-period"),
            ("waarde", "out-of-range"),
        ]
    );
}

#[test]
fn a_meting_needs_a_periode_or_a_meetdatum() {
    let c = with(meting(), |c| {
        if let IndicatorCommand::LegMetingVast {
            periode,
            meet_datum,
            ..
        } = c
        {
            *periode = Some(" ".into());
            *meet_datum = None;
        }
    });
    given(world())
        .when(|v| c.decide(v))
        .then_refused(Foutcode::Required);
}

#[test]
fn a_meting_for_an_unknown_indicator_is_not_found() {
    given(Fake {
        indicator: None,
        doel: None,
    })
    .when(|v| meting().decide(v))
    .then_refused(Foutcode::NotFound);
}

fn maak() -> IndicatorCommand {
    IndicatorCommand::Maak {
        id: IND,
        doel_id: DOEL,
        naam: " Achterstand ".into(),
        eenheid: "%".into(),
        richting: Richting::LagerIsBeter,
        bron: Some("".into()),
        eigenaar_organisatie_id: Some(ORG),
        nulmeting: None,
        streefwaarden: vec![w(2025, 10.0)],
    }
}

#[test]
fn an_indicator_is_made_in_its_doels_agenda_with_trimmed_names() {
    let streams = given(world())
        .when(|v| maak().decide(v))
        .then(vec![Event::IndicatorAangemaakt(IndicatorAangemaakt {
            eigenaar_organisatie_id: Some(ORG),
            ..aangemaakt()
        })]);
    assert_eq!(streams[0].versie, Versie::Nieuw);
}

#[test]
fn an_unknown_eigenaar_and_bad_streefwaarden_are_named_together() {
    let c = with(maak(), |c| {
        if let IndicatorCommand::Maak {
            eigenaar_organisatie_id,
            richting,
            streefwaarden,
            ..
        } = c
        {
            *eigenaar_organisatie_id = Some(Uuid::from_u128(77));
            *richting = Richting::BinnenBandbreedte;
            streefwaarden.push(w(2025, 3.0));
        }
    });
    let Err(DomainError::Invalid(errors)) = given(world()).when(|v| c.decide(v)).0 else {
        panic!("refused")
    };
    let got: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        got,
        [
            "unknown-organisatie",
            "band-required",
            "band-required",
            "duplicate-year"
        ]
    );
}

#[test]
fn a_vervallen_doel_or_opgave_takes_no_indicator_and_an_unknown_doel_is_not_found() {
    let mut vervallen = world();
    vervallen.doel.as_mut().unwrap().doel_vervallen = Some("Opgeheven".into());
    given(vervallen)
        .when(|v| maak().decide(v))
        .then_refused(Foutcode::DoelVervallen);
    let mut opgave = world();
    opgave.doel.as_mut().unwrap().opgave_vervallen = Some("Klaar".into());
    given(opgave)
        .when(|v| maak().decide(v))
        .then_refused(Foutcode::OpgaveVervallen);
    given(Fake {
        indicator: None,
        doel: None,
    })
    .when(|v| maak().decide(v))
    .then_refused(Foutcode::NotFound);
}

fn wijzig() -> IndicatorCommand {
    IndicatorCommand::Wijzig {
        id: IND,
        naam: None,
        eenheid: None,
        richting: None,
        bron: None,
        eigenaar_organisatie_id: None,
        nulmeting: None,
        streefwaarden: Vec::new(),
    }
}

#[test]
fn a_change_clears_bron_and_revises_a_streefwaarde_with_the_previous_value() {
    let mut met_bron = world();
    met_bron.indicator.as_mut().unwrap().bron = Some("Monitor".into());
    let c = with(wijzig(), |c| {
        if let IndicatorCommand::Wijzig {
            bron,
            streefwaarden,
            ..
        } = c
        {
            *bron = Some(Some("  ".into()));
            streefwaarden.push(w(2025, 9.0));
        }
    });
    let streams = given(met_bron).when(|v| c.decide(v)).then(vec![
        Event::IndicatorGewijzigd(IndicatorGewijzigd {
            bron: Some(None),
            ..Default::default()
        }),
        Event::StreefwaardeVastgesteld(StreefwaardeVastgesteld {
            streefwaarde: w(2025, 9.0),
            vorige: Some(w(2025, 10.0)),
        }),
    ]);
    assert_eq!(streams[0].versie, Versie::Exact(5));
}

#[test]
fn a_change_to_an_unknown_eigenaar_or_indicator_is_refused() {
    let c = with(wijzig(), |c| {
        if let IndicatorCommand::Wijzig {
            eigenaar_organisatie_id,
            ..
        } = c
        {
            *eigenaar_organisatie_id = Some(Some(Uuid::from_u128(77)));
        }
    });
    given(world())
        .when(|v| c.decide(v))
        .then_refused(Foutcode::UnknownOrganisatie);
    given(Fake {
        indicator: None,
        doel: None,
    })
    .when(|v| wijzig().decide(v))
    .then_refused(Foutcode::NotFound);
}

#[test]
fn years_outside_the_apis_years_are_refused_for_nulmeting_and_streefwaarden() {
    let c = with(maak(), |c| {
        if let IndicatorCommand::Maak {
            nulmeting,
            streefwaarden,
            ..
        } = c
        {
            *nulmeting = Some(w(1899, 1.0));
            streefwaarden.push(w(2201, 1.0));
        }
    });
    let Err(DomainError::Invalid(errors)) = given(world()).when(|v| c.decide(v)).0 else {
        panic!("refused")
    };
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("nulmeting.jaar", "invalid-number"),
            ("streefwaarden[1].jaar", "invalid-number")
        ]
    );
}

fn voor_gemeente(g: &str) -> IndicatorCommand {
    with(meting(), |c| {
        if let IndicatorCommand::LegMetingVast { gemeente, .. } = c {
            *gemeente = Some(g.into());
        }
    })
}

#[test]
fn a_meting_for_a_gemeente_of_the_agenda_is_recorded_as_the_agenda_spells_it() {
    given(world())
        .when(|v| voor_gemeente("  gemeente   zuid ").decide(v))
        .then(vec![Event::MetingVastgelegd(MetingVastgelegd {
            meting_id: Uuid::from_u128(9),
            periode: "2025".into(),
            meet_datum: Some(vandaag()),
            waarde: 9.5,
            status: MetingStatus::Definitief,
            bron: Some("Monitor".into()),
            toelichting: None,
            door_organisatie_id: Some(ORG),
            gemeente: Some("Gemeente Zuid".into()),
        })]);
}

#[test]
fn a_meting_for_a_gemeente_outside_the_agenda_is_refused_naming_the_agendas_gemeenten() {
    let e = given(world())
        .when(|v| voor_gemeente("Gemeente West").decide(v))
        .then_refused(Foutcode::UnknownGemeente);
    let DomainError::Invalid(errors) = e else {
        panic!("{e:?}")
    };
    assert_eq!(errors[0].field, "gemeente");
    assert_eq!(
        errors[0].message,
        "'Gemeente West' is geen gemeente van deze agenda; kies uit Gemeente Noord, Gemeente Zuid."
    );
}

fn als_zuid(c: IndicatorCommand) -> IndicatorCommand {
    with(c, |c| {
        if let IndicatorCommand::LegMetingVast { beperkt_tot, .. } = c {
            *beperkt_tot = Some("gemeente zuid".into());
        }
    })
}

#[test]
fn a_token_scoped_to_a_gemeente_records_metingen_for_that_gemeente_only() {
    let voor = |g: Option<&str>| MetingVastgelegd {
        meting_id: Uuid::from_u128(9),
        periode: "2025".into(),
        meet_datum: Some(vandaag()),
        waarde: 9.5,
        status: MetingStatus::Definitief,
        bron: Some("Monitor".into()),
        toelichting: None,
        door_organisatie_id: Some(ORG),
        gemeente: g.map(str::to_owned),
    };
    // Without a gemeente the meting is its gemeente's, as the agenda spells it.
    given(world())
        .when(|v| als_zuid(meting()).decide(v))
        .then(vec![Event::MetingVastgelegd(voor(Some("Gemeente Zuid")))]);
    given(world())
        .when(|v| als_zuid(voor_gemeente("GEMEENTE ZUID")).decide(v))
        .then(vec![Event::MetingVastgelegd(voor(Some("Gemeente Zuid")))]);
    // Another gemeente of the agenda is not its to record.
    let e = given(world())
        .when(|v| als_zuid(voor_gemeente("Gemeente Noord")).decide(v))
        .then_refused(Foutcode::GemeenteScope);
    assert!(
        e.to_string().contains("alleen metingen voor Gemeente Zuid"),
        "{e}"
    );
    // A name that is no gemeente of the agenda stays the 400 naming them.
    given(world())
        .when(|v| als_zuid(voor_gemeente("Gemeente West")).decide(v))
        .then_refused(Foutcode::UnknownGemeente);
}
