//! What may be asked of a checkmoment ([`CheckmomentCommand`]): open,
//! correct or close it, record a bijsturing at it and mark one doorgevoerd.
//! Decided against a [`CheckmomentView`]: the agenda's period, the
//! deelnemers and the subjects of voorgenomen wijzigingen must exist (in
//! this agenda), dates follow each other. "Today" comes with the command:
//! the Amsterdam calendar day of its `nu`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{open, Checkmoment, VoorgenomenWijziging};
use crate::domain::events::{BijsturingVastgelegd, CheckmomentGeopend, CheckmomentGewijzigd};
use crate::domain::kalender::date_of;
use crate::domain::Foutcode;
use crate::domain::{Besluit, DomainError, FieldError, StreamBesluit};

/// Open or closed; a closed checkmoment cannot be opened again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckmomentStatus {
    Open,
    Gesloten,
}

/// Where a checkmoment is held: on one opgave or on the whole agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Niveau {
    Agenda(Uuid),
    Opgave(Uuid),
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckmomentCommand {
    Open {
        id: Uuid,
        niveau: Niveau,
        datum: NaiveDate,
        onderwerp: String,
        deelnemers: Vec<Uuid>,
    },
    /// Correct datum, onderwerp or deelnemers (`None`: keep), and/or close
    /// it (`status: Gesloten`, on `gesloten_datum` or today).
    Wijzig {
        id: Uuid,
        datum: Option<NaiveDate>,
        onderwerp: Option<String>,
        deelnemers: Option<Vec<Uuid>>,
        status: Option<CheckmomentStatus>,
        gesloten_datum: Option<NaiveDate>,
        samenvatting: Option<String>,
        nu: DateTime<Utc>,
    },
    /// Record a bijsturing (on `datum`, or today but not before the checkmoment).
    LegBijsturingVast {
        id: Uuid,
        bijsturing_id: Uuid,
        besluit: String,
        onderbouwing: String,
        datum: Option<NaiveDate>,
        voorgenomen_wijzigingen: Vec<VoorgenomenWijziging>,
        nu: DateTime<Utc>,
    },
    /// Mark a bijsturing doorgevoerd (on `datum`, or today but not before its decision).
    VoerBijsturingDoor {
        id: Uuid,
        bijsturing_id: Uuid,
        datum: Option<NaiveDate>,
        nu: DateTime<Utc>,
    },
}

/// What the checkmoment rules need to know beyond the checkmoment itself.
pub trait CheckmomentView {
    /// The checkmoment and its stream version.
    fn checkmoment(&self, id: Uuid) -> Option<(&Checkmoment, u64)>;
    /// The agenda's period (start, eind), if the agenda exists.
    fn agenda_periode(&self, agenda: Uuid) -> Option<(NaiveDate, NaiveDate)>;
    /// The agenda of an opgave, if the opgave exists.
    fn agenda_van_opgave(&self, opgave: Uuid) -> Option<Uuid>;
    fn organisatie_bekend(&self, id: Uuid) -> bool;
    /// The agenda of an actie, doel, opgave or indicator, if it exists.
    fn agenda_van_onderwerp(&self, id: Uuid) -> Option<Uuid>;
}

fn field(field: impl Into<String>, code: Foutcode, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        code,
        message: message.into(),
    }
}

fn refuse(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// `datum` lies within the agenda's period.
fn in_periode(
    view: &impl CheckmomentView,
    agenda: Uuid,
    datum: Option<NaiveDate>,
    errors: &mut Vec<FieldError>,
) {
    let Some((start, eind)) = view.agenda_periode(agenda) else {
        return;
    };
    if let Some(d) = datum.filter(|d| *d < start || *d > eind) {
        errors.push(field(
            "datum",
            Foutcode::OutsidePeriod,
            format!("{d} ligt buiten de periode van de agenda ({start} t/m {eind})."),
        ));
    }
}

/// Every deelnemer is a known organisatie.
fn deelnemers_bekend(view: &impl CheckmomentView, ids: &[Uuid], errors: &mut Vec<FieldError>) {
    for (i, id) in ids.iter().enumerate() {
        if !view.organisatie_bekend(*id) {
            errors.push(field(
                format!("deelnemers[{i}]"),
                Foutcode::UnknownOrganisatie,
                format!("Er is geen organisatie met id {id}; deelnemers zijn organisaties."),
            ));
        }
    }
}

impl CheckmomentCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl CheckmomentView) -> Besluit {
        match self {
            Self::Open {
                id,
                niveau,
                datum,
                onderwerp,
                deelnemers,
            } => {
                let (agenda_id, opgave_id) = match niveau {
                    Niveau::Agenda(a) => {
                        view.agenda_periode(a)
                            .ok_or(DomainError::not_found("agenda", a))?;
                        (a, None)
                    }
                    Niveau::Opgave(o) => (
                        view.agenda_van_opgave(o)
                            .ok_or(DomainError::not_found("opgave", o))?,
                        Some(o),
                    ),
                };
                let mut errors = Vec::new();
                in_periode(view, agenda_id, Some(datum), &mut errors);
                deelnemers_bekend(view, &deelnemers, &mut errors);
                let opened = open(CheckmomentGeopend {
                    agenda_id,
                    opgave_id,
                    datum,
                    onderwerp: onderwerp.trim().to_owned(),
                    deelnemers,
                });
                if let Err(DomainError::Invalid(more)) = &opened {
                    errors.extend(more.iter().cloned());
                }
                refuse(errors)?;
                let events = opened?;
                Ok(vec![StreamBesluit::nieuw(id, events)])
            }
            Self::Wijzig {
                id,
                datum,
                onderwerp,
                deelnemers,
                status,
                gesloten_datum,
                samenvatting,
                nu,
            } => {
                let (current, version) = view
                    .checkmoment(id)
                    .ok_or(DomainError::not_found("checkmoment", id))?;
                let sluiten = status == Some(CheckmomentStatus::Gesloten);
                let mut errors = Vec::new();
                if !sluiten {
                    let closing = [
                        ("geslotenDatum", gesloten_datum.is_some()),
                        ("samenvatting", samenvatting.is_some()),
                    ];
                    for (name, _) in closing.into_iter().filter(|(_, given)| *given) {
                        errors.push(field(
                            name,
                            Foutcode::RequiresClosing,
                            format!("'{name}' hoort bij sluiten; stuur ook status: gesloten."),
                        ));
                    }
                }
                in_periode(view, current.agenda_id, datum, &mut errors);
                deelnemers_bekend(view, deelnemers.as_deref().unwrap_or_default(), &mut errors);
                let changed = current.change(CheckmomentGewijzigd {
                    datum,
                    onderwerp,
                    deelnemers,
                });
                if let Err(DomainError::Invalid(more)) = &changed {
                    errors.extend(more.iter().cloned());
                }
                refuse(errors)?;
                let mut events = changed?;
                match status {
                    Some(CheckmomentStatus::Gesloten) => {
                        let mut after = current.clone();
                        events.iter().for_each(|e| after.apply(e));
                        events.extend(after.close(
                            gesloten_datum.unwrap_or(date_of(nu)),
                            samenvatting.map(|s| s.trim().to_owned()),
                        )?);
                    }
                    Some(CheckmomentStatus::Open) if !current.is_open() => {
                        return Err(DomainError::conflict(
                            Foutcode::CheckmomentGesloten,
                            "Een gesloten checkmoment kan niet heropend worden; open een nieuw checkmoment.",
                        ))
                    }
                    _ => {}
                }
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
            Self::LegBijsturingVast {
                id,
                bijsturing_id,
                besluit,
                onderbouwing,
                datum,
                voorgenomen_wijzigingen,
                nu,
            } => {
                let (current, version) = view
                    .checkmoment(id)
                    .ok_or(DomainError::not_found("checkmoment", id))?;
                let mut errors = Vec::new();
                for (i, w) in voorgenomen_wijzigingen.iter().enumerate() {
                    let Some(o) = w.onderwerp_id else { continue };
                    if view.agenda_van_onderwerp(o) != Some(current.agenda_id) {
                        errors.push(field(
                            format!("voorgenomenWijzigingen[{i}].onderwerpId"),
                            Foutcode::UnknownOnderwerp,
                            format!(
                                "{o} is geen actie, doel, opgave of indicator van deze agenda."
                            ),
                        ));
                    }
                }
                let datum = datum.unwrap_or_else(|| date_of(nu).max(current.datum));
                if datum < current.datum {
                    errors.push(field(
                        "datum",
                        Foutcode::BeforeCheckmoment,
                        format!(
                            "Een bijsturing wordt op of na het checkmoment ({}) besloten.",
                            current.datum
                        ),
                    ));
                }
                refuse(errors)?;
                let events = current.decide(BijsturingVastgelegd {
                    bijsturing_id,
                    besluit: besluit.trim().to_owned(),
                    onderbouwing: onderbouwing.trim().to_owned(),
                    datum,
                    voorgenomen_wijzigingen: voorgenomen_wijzigingen
                        .into_iter()
                        .map(|w| VoorgenomenWijziging {
                            omschrijving: w.omschrijving.trim().to_owned(),
                            ..w
                        })
                        .collect(),
                })?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
            Self::VoerBijsturingDoor {
                id,
                bijsturing_id,
                datum,
                nu,
            } => {
                let (current, version) = view
                    .checkmoment(id)
                    .ok_or(DomainError::not_found("checkmoment", id))?;
                let besluit = current
                    .bijsturingen
                    .iter()
                    .find(|b| b.id == bijsturing_id)
                    .ok_or(DomainError::not_found("bijsturing", bijsturing_id))?;
                let datum = datum.unwrap_or_else(|| date_of(nu).max(besluit.datum));
                let events = current.complete(bijsturing_id, datum)?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checkmoment::WijzigingSoort;
    use crate::domain::events::{BijsturingDoorgevoerd, CheckmomentGesloten, Event};
    use crate::domain::testing::given;
    use chrono::TimeZone;

    const AGENDA: Uuid = Uuid::from_u128(1);
    const OPGAVE: Uuid = Uuid::from_u128(2);
    const ORG: Uuid = Uuid::from_u128(3);
    const CM: Uuid = Uuid::from_u128(4);
    const ACTIE_ELDERS: Uuid = Uuid::from_u128(5);
    const BS: Uuid = Uuid::from_u128(6);

    fn d(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, month, day).unwrap()
    }

    fn nu() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 20, 12, 0, 0).unwrap()
    }

    /// A fake view: an agenda for 2024 with one opgave and one
    /// organisatie; an actie of another agenda; the checkmomenten by id.
    #[derive(Default)]
    struct Fake(Vec<(Uuid, Checkmoment, u64)>);

    impl CheckmomentView for Fake {
        fn checkmoment(&self, id: Uuid) -> Option<(&Checkmoment, u64)> {
            self.0.iter().find(|c| c.0 == id).map(|c| (&c.1, c.2))
        }
        fn agenda_periode(&self, agenda: Uuid) -> Option<(NaiveDate, NaiveDate)> {
            (agenda == AGENDA).then(|| (d(1, 1), d(12, 31)))
        }
        fn agenda_van_opgave(&self, opgave: Uuid) -> Option<Uuid> {
            (opgave == OPGAVE).then_some(AGENDA)
        }
        fn organisatie_bekend(&self, id: Uuid) -> bool {
            id == ORG
        }
        fn agenda_van_onderwerp(&self, id: Uuid) -> Option<Uuid> {
            match id {
                OPGAVE => Some(AGENDA),
                ACTIE_ELDERS => Some(Uuid::from_u128(99)),
                _ => None,
            }
        }
    }

    fn open_op_opgave() -> CheckmomentCommand {
        CheckmomentCommand::Open {
            id: CM,
            niveau: Niveau::Opgave(OPGAVE),
            datum: d(6, 15),
            onderwerp: " Halfjaar ".into(),
            deelnemers: vec![ORG],
        }
    }

    fn geopend() -> Fake {
        let c = Checkmoment::created(&CheckmomentGeopend {
            agenda_id: AGENDA,
            opgave_id: Some(OPGAVE),
            datum: d(6, 15),
            onderwerp: "Halfjaar".into(),
            deelnemers: vec![],
        });
        Fake(vec![(CM, c, 1)])
    }

    fn wijzig() -> CheckmomentCommand {
        CheckmomentCommand::Wijzig {
            id: CM,
            datum: None,
            onderwerp: None,
            deelnemers: None,
            status: None,
            gesloten_datum: None,
            samenvatting: None,
            nu: nu(),
        }
    }

    #[test]
    fn opening_on_an_opgave_takes_its_agenda() {
        given(Fake::default())
            .when(|v| open_op_opgave().decide(v))
            .then(vec![Event::CheckmomentGeopend(CheckmomentGeopend {
                agenda_id: AGENDA,
                opgave_id: Some(OPGAVE),
                datum: d(6, 15),
                onderwerp: "Halfjaar".into(),
                deelnemers: vec![ORG],
            })]);
    }

    #[test]
    fn the_date_lies_in_the_agendas_period_and_deelnemers_are_organisaties() {
        let mut c = open_op_opgave();
        if let CheckmomentCommand::Open {
            datum, deelnemers, ..
        } = &mut c
        {
            *datum = d(1, 1).pred_opt().unwrap();
            *deelnemers = vec![ORG, Uuid::from_u128(77)];
        }
        let e = given(Fake::default())
            .when(|v| c.decide(v))
            .then_refused(Foutcode::OutsidePeriod);
        assert!(
            matches!(&e, DomainError::Invalid(f) if f.len() == 2 && f[1].field == "deelnemers[1]")
        );
        // an unknown opgave or agenda in the path is not found
        given(Fake::default())
            .when(|v| {
                CheckmomentCommand::Open {
                    id: CM,
                    niveau: Niveau::Agenda(Uuid::from_u128(50)),
                    datum: d(6, 1),
                    onderwerp: "x".into(),
                    deelnemers: vec![],
                }
                .decide(v)
            })
            .then_refused(Foutcode::NotFound);
    }

    #[test]
    fn closing_fields_need_status_gesloten_and_closing_defaults_to_today() {
        let mut c = wijzig();
        if let CheckmomentCommand::Wijzig { samenvatting, .. } = &mut c {
            *samenvatting = Some("x".into());
        }
        given(geopend())
            .when(|v| c.clone().decide(v))
            .then_refused(Foutcode::RequiresClosing);
        if let CheckmomentCommand::Wijzig { status, .. } = &mut c {
            *status = Some(CheckmomentStatus::Gesloten);
        }
        given(geopend())
            .when(|v| c.decide(v))
            .then(vec![Event::CheckmomentGesloten(CheckmomentGesloten {
                datum: d(6, 20),
                samenvatting: Some("x".into()),
            })]);
    }

    #[test]
    fn a_closed_checkmoment_is_not_opened_again() {
        let mut fake = geopend();
        let closed = fake.0[0].1.close(d(6, 16), None).unwrap();
        fake.0[0].1.apply(&closed[0]);
        let mut c = wijzig();
        if let CheckmomentCommand::Wijzig { status, .. } = &mut c {
            *status = Some(CheckmomentStatus::Open);
        }
        given(fake)
            .when(|v| c.decide(v))
            .then_refused(Foutcode::CheckmomentGesloten);
    }

    #[test]
    fn a_bijsturing_names_subjects_of_its_own_agenda_and_is_not_before_the_checkmoment() {
        let bijsturing =
            |datum: Option<NaiveDate>, onderwerp: Uuid| CheckmomentCommand::LegBijsturingVast {
                id: CM,
                bijsturing_id: BS,
                besluit: "Trekker wisselen".into(),
                onderbouwing: "Capaciteit".into(),
                datum,
                voorgenomen_wijzigingen: vec![VoorgenomenWijziging {
                    soort: WijzigingSoort::TrekkerWijzigen,
                    omschrijving: " Naar de bibliotheek ".into(),
                    onderwerp_id: Some(onderwerp),
                }],
                nu: nu(),
            };
        let e = given(geopend())
            .when(|v| bijsturing(Some(d(6, 1)), ACTIE_ELDERS).decide(v))
            .then_refused(Foutcode::UnknownOnderwerp);
        assert!(
            matches!(&e, DomainError::Invalid(f) if f.len() == 2 && f[1].code == "before-checkmoment")
        );
        given(geopend())
            .when(|v| bijsturing(None, OPGAVE).decide(v))
            .then(vec![Event::BijsturingVastgelegd(BijsturingVastgelegd {
                bijsturing_id: BS,
                besluit: "Trekker wisselen".into(),
                onderbouwing: "Capaciteit".into(),
                datum: d(6, 20),
                voorgenomen_wijzigingen: vec![VoorgenomenWijziging {
                    soort: WijzigingSoort::TrekkerWijzigen,
                    omschrijving: "Naar de bibliotheek".into(),
                    onderwerp_id: Some(OPGAVE),
                }],
            })]);
    }

    #[test]
    fn doorvoeren_defaults_to_today_and_an_unknown_bijsturing_is_not_found() {
        let mut fake = geopend();
        let decided = fake.0[0]
            .1
            .decide(BijsturingVastgelegd {
                bijsturing_id: BS,
                besluit: "b".into(),
                onderbouwing: "o".into(),
                datum: d(6, 16),
                voorgenomen_wijzigingen: vec![],
            })
            .unwrap();
        fake.0[0].1.apply(&decided[0]);
        let door = |bijsturing_id| CheckmomentCommand::VoerBijsturingDoor {
            id: CM,
            bijsturing_id,
            datum: None,
            nu: nu(),
        };
        given(Fake(fake.0.clone()))
            .when(|v| door(Uuid::from_u128(88)).decide(v))
            .then_refused(Foutcode::NotFound);
        given(fake)
            .when(|v| door(BS).decide(v))
            .then(vec![Event::BijsturingDoorgevoerd(BijsturingDoorgevoerd {
                bijsturing_id: BS,
                datum: d(6, 20),
            })]);
    }

    /// The dates closing, a bijsturing and doorvoeren get by default at
    /// `nu` (on the checkmoment of 15 June 2024; the bijsturing doorgevoerd
    /// was decided on 16 June).
    fn default_dates_at(nu: &str) -> [NaiveDate; 3] {
        let nu: DateTime<Utc> = nu.parse().unwrap();
        let event = |c: CheckmomentCommand, fake: Fake| {
            let besluit = c.decide(&fake).unwrap();
            besluit[0].events.last().cloned().unwrap()
        };
        let gesloten = event(
            CheckmomentCommand::Wijzig {
                id: CM,
                datum: None,
                onderwerp: None,
                deelnemers: None,
                status: Some(CheckmomentStatus::Gesloten),
                gesloten_datum: None,
                samenvatting: None,
                nu,
            },
            geopend(),
        );
        let vastgelegd = event(
            CheckmomentCommand::LegBijsturingVast {
                id: CM,
                bijsturing_id: BS,
                besluit: "b".into(),
                onderbouwing: "o".into(),
                datum: None,
                voorgenomen_wijzigingen: vec![],
                nu,
            },
            geopend(),
        );
        // doorvoeren a bijsturing decided on 16 June
        let mut fake = geopend();
        let decided = fake.0[0]
            .1
            .decide(BijsturingVastgelegd {
                bijsturing_id: BS,
                besluit: "b".into(),
                onderbouwing: "o".into(),
                datum: d(6, 16),
                voorgenomen_wijzigingen: vec![],
            })
            .unwrap();
        fake.0[0].1.apply(&decided[0]);
        let doorgevoerd = event(
            CheckmomentCommand::VoerBijsturingDoor {
                id: CM,
                bijsturing_id: BS,
                datum: None,
                nu,
            },
            fake,
        );
        match (gesloten, vastgelegd, doorgevoerd) {
            (
                Event::CheckmomentGesloten(g),
                Event::BijsturingVastgelegd(v),
                Event::BijsturingDoorgevoerd(d),
            ) => [g.datum, v.datum, d.datum],
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn today_is_the_amsterdam_calendar_day_of_nu() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        // 23:30 UTC on New Year's Eve is 00:30 on 1 January in Amsterdam (CET).
        assert_eq!(
            default_dates_at("2024-12-31T23:30:00Z"),
            [day("2025-01-01"); 3]
        );
        // 22:30 UTC on 30 June is 00:30 on 1 July (CEST).
        assert_eq!(
            default_dates_at("2024-06-30T22:30:00Z"),
            [day("2024-07-01"); 3]
        );
        // Just before Amsterdam's midnight it is still the old day.
        assert_eq!(
            default_dates_at("2024-06-30T21:59:00Z"),
            [day("2024-06-30"); 3]
        );
    }
}
