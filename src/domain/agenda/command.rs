//! What may be asked of an agenda: create it, change its name, description,
//! status, publication or signalling period.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{create, AgendaStatus, Niveau};
use crate::domain::events::{AgendaAangemaakt, AgendaGewijzigd};
use crate::domain::gemeente::Uitvoeringsperiode;
use crate::domain::structuur::StructuurView;
use crate::domain::{Besluit, DomainError, StreamBesluit};

#[derive(Debug, Clone, PartialEq)]
pub enum AgendaCommand {
    Maak {
        id: Uuid,
        naam: String,
        omschrijving: String,
        gemeenten: Vec<String>,
        periode_start_datum: NaiveDate,
        periode_eind_datum: NaiveDate,
        status: AgendaStatus,
        gepubliceerd: bool,
        signaleringstermijn_dagen: u32,
        groeperingsniveaus: Vec<Niveau>,
        uitvoeringsperioden: Vec<Uitvoeringsperiode>,
    },
    /// Only the fields given change.
    Wijzig {
        id: Uuid,
        naam: Option<String>,
        omschrijving: Option<String>,
        status: Option<AgendaStatus>,
        gepubliceerd: Option<bool>,
        signaleringstermijn_dagen: Option<u32>,
        /// Replaces the list (empty: none).
        uitvoeringsperioden: Option<Vec<Uitvoeringsperiode>>,
    },
}

impl AgendaCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl StructuurView) -> Besluit {
        match self {
            Self::Maak {
                id,
                naam,
                omschrijving,
                gemeenten,
                periode_start_datum,
                periode_eind_datum,
                status,
                gepubliceerd,
                signaleringstermijn_dagen,
                groeperingsniveaus,
                uitvoeringsperioden,
            } => {
                let events = create(AgendaAangemaakt {
                    naam,
                    omschrijving,
                    gemeenten,
                    periode_start_datum,
                    periode_eind_datum,
                    status,
                    gepubliceerd,
                    signaleringstermijn_dagen,
                    groeperingsniveaus,
                    uitvoeringsperioden,
                })?;
                Ok(vec![StreamBesluit::nieuw(id, events)])
            }
            Self::Wijzig {
                id,
                naam,
                omschrijving,
                status,
                gepubliceerd,
                signaleringstermijn_dagen,
                uitvoeringsperioden,
            } => {
                let (agenda, version) = view
                    .agenda(id)
                    .ok_or(DomainError::not_found("agenda", id))?;
                let events = agenda.update(AgendaGewijzigd {
                    naam,
                    omschrijving,
                    status,
                    gepubliceerd,
                    signaleringstermijn_dagen,
                    uitvoeringsperioden,
                })?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::Event;
    use crate::domain::structuur::fake::{id, Structuur, AGENDA};
    use crate::domain::testing::given;
    use crate::domain::Foutcode;

    fn maak(start: (i32, u32, u32), eind: (i32, u32, u32)) -> AgendaCommand {
        let d = |(y, m, dd)| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        AgendaCommand::Maak {
            id: id(7),
            naam: " MAG   2026 ".into(),
            omschrijving: String::new(),
            gemeenten: vec!["Twenterand".into()],
            periode_start_datum: d(start),
            periode_eind_datum: d(eind),
            status: AgendaStatus::Concept,
            gepubliceerd: true,
            signaleringstermijn_dagen: 90,
            groeperingsniveaus: vec![],
            uitvoeringsperioden: vec![],
        }
    }

    #[test]
    fn creating_normalises_the_name_and_starts_a_stream() {
        let streams = given(Structuur::default())
            .when(|v| maak((2026, 1, 1), (2026, 12, 31)).decide(v))
            .then(vec![Event::AgendaAangemaakt(AgendaAangemaakt {
                naam: "MAG 2026".into(),
                omschrijving: String::new(),
                gemeenten: vec!["Twenterand".into()],
                periode_start_datum: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                periode_eind_datum: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                status: AgendaStatus::Concept,
                gepubliceerd: true,
                signaleringstermijn_dagen: 90,
                groeperingsniveaus: vec![],
                uitvoeringsperioden: vec![],
            })]);
        assert_eq!(streams[0].stream_id, id(7));
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused() {
        let e = given(Structuur::default())
            .when(|v| maak((2026, 12, 31), (2026, 1, 1)).decide(v))
            .then_refused(Foutcode::InvalidPeriod);
        assert!(matches!(e, DomainError::Invalid(f) if f[0].field == "periodeEindDatum"));
    }

    #[test]
    fn changing_only_what_differs_and_nothing_for_the_same_values() {
        let wijzig = |status| AgendaCommand::Wijzig {
            id: id(AGENDA),
            naam: Some("MAG 2025".into()),
            omschrijving: None,
            status,
            gepubliceerd: Some(true),
            signaleringstermijn_dagen: None,
            uitvoeringsperioden: None,
        };
        given(Structuur::met_agenda())
            .when(|v| wijzig(Some(AgendaStatus::Vastgesteld)).decide(v))
            .then(vec![Event::AgendaGewijzigd(AgendaGewijzigd {
                status: Some(AgendaStatus::Vastgesteld),
                ..Default::default()
            })]);
        given(Structuur::met_agenda())
            .when(|v| wijzig(None).decide(v))
            .then(vec![]);
    }

    #[test]
    fn changing_an_unknown_agenda_is_not_found() {
        given(Structuur::default())
            .when(|v| {
                AgendaCommand::Wijzig {
                    id: id(9),
                    naam: Some("x".into()),
                    omschrijving: None,
                    status: None,
                    gepubliceerd: None,
                    signaleringstermijn_dagen: None,
                    uitvoeringsperioden: None,
                }
                .decide(v)
            })
            .then_refused(Foutcode::NotFound);
    }

    fn periode(g: &str, start: (u32, u32), eind: (u32, u32)) -> Uitvoeringsperiode {
        let d = |(m, dd)| NaiveDate::from_ymd_opt(2025, m, dd).unwrap();
        Uitvoeringsperiode {
            gemeente: g.into(),
            start_datum: d(start),
            eind_datum: d(eind),
        }
    }

    #[test]
    fn a_shared_agenda_records_an_uitvoeringsperiode_per_gemeente() {
        let mut gedeeld = Structuur::met_agenda();
        gedeeld.agendas[0].1.gemeenten = vec!["Almelo".into(), "Borne".into()];
        let wijzig = |perioden| AgendaCommand::Wijzig {
            id: id(AGENDA),
            naam: None,
            omschrijving: None,
            status: None,
            gepubliceerd: None,
            signaleringstermijn_dagen: None,
            uitvoeringsperioden: Some(perioden),
        };
        given(gedeeld)
            .when(|v| wijzig(vec![periode("borne", (1, 1), (6, 30))]).decide(v))
            .then(vec![Event::AgendaGewijzigd(AgendaGewijzigd {
                uitvoeringsperioden: Some(vec![periode("Borne", (1, 1), (6, 30))]),
                ..Default::default()
            })]);
        let mut gedeeld = Structuur::met_agenda();
        gedeeld.agendas[0].1.gemeenten = vec!["Almelo".into(), "Borne".into()];
        let e = given(gedeeld)
            .when(|v| {
                wijzig(vec![
                    periode("Enschede", (1, 1), (6, 30)),
                    periode("Almelo", (7, 1), (3, 1)),
                ])
                .decide(v)
            })
            .then_refused(Foutcode::UnknownGemeente);
        assert!(matches!(&e, DomainError::Invalid(f)
            if f.iter().map(|f| f.field.as_str()).collect::<Vec<_>>()
                == ["uitvoeringsperioden[0].gemeente", "uitvoeringsperioden[1].eindDatum"]));
    }

    #[test]
    fn a_new_agendas_uitvoeringsperiode_lies_within_its_period() {
        let mut c = maak((2025, 1, 1), (2025, 12, 31));
        if let AgendaCommand::Maak {
            uitvoeringsperioden,
            ..
        } = &mut c
        {
            uitvoeringsperioden.push(Uitvoeringsperiode {
                eind_datum: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
                ..periode("twenterand", (1, 1), (1, 1))
            });
        }
        let e = given(Structuur::default())
            .when(|v| c.decide(v))
            .then_refused(Foutcode::OutsidePeriod);
        assert!(
            matches!(&e, DomainError::Invalid(f) if f[0].field == "uitvoeringsperioden[0].eindDatum")
        );
    }
}
