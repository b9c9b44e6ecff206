//! What may be asked of a reflectie ([`ReflectieCommand`]) and the rules
//! that decide it against a [`ReflectieView`]: the subject exists, the
//! author is a known organisatie, a reflectie looks back (no future date),
//! it holds at least one text, and a change either corrects or withdraws.

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;
use uuid::Uuid;

use super::{add, Onderwerp, OnderwerpSoort, PdcaFase, Reflectie};
use crate::domain::events::{ReflectieGecorrigeerd, ReflectieToegevoegd};
use crate::domain::Foutcode;
use crate::domain::{Besluit, DomainError, FieldError, StreamBesluit};

/// The four texts of a reflectie, as given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Teksten {
    pub wat_ging_goed: Option<String>,
    pub wat_kan_beter: Option<String>,
    pub volgende_stappen: Option<String>,
    pub tekst: Option<String>,
}

/// A correction of the texts: per text `None` keeps it, `Some(None)` clears
/// it, `Some(Some(t))` replaces it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TekstCorrectie {
    pub wat_ging_goed: Option<Option<String>>,
    pub wat_kan_beter: Option<Option<String>>,
    pub volgende_stappen: Option<Option<String>>,
    pub tekst: Option<Option<String>>,
}

impl TekstCorrectie {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReflectieCommand {
    /// Record a reflectie about an actie, doel or opgave.
    VoegToe {
        id: Uuid,
        over: Uuid,
        auteur_organisatie_id: Option<Uuid>,
        /// `None`: the opgave's current PDCA phase (plan when it has none).
        fase: Option<PdcaFase>,
        /// `None`: today (the Amsterdam calendar day of `nu`).
        datum: Option<NaiveDate>,
        teksten: Teksten,
        /// The moment of the request: "today" and the current phase.
        nu: DateTime<Utc>,
    },
    /// Correct the texts, or withdraw it (`intrekken`, with a `reden`);
    /// not both, and at least one of the two.
    Wijzig {
        id: Uuid,
        correctie: TekstCorrectie,
        intrekken: bool,
        reden: Option<String>,
    },
}

/// What the reflectie rules need to know beyond the reflectie itself.
pub trait ReflectieView {
    /// The reflectie and its stream version.
    fn reflectie(&self, id: Uuid) -> Option<(&Reflectie, u64)>;
    /// The actie, doel or opgave with this id: its kind, its agenda and the
    /// opgave it belongs to.
    fn onderwerp(&self, id: Uuid) -> Option<(OnderwerpSoort, Uuid, Uuid)>;
    fn organisatie_bestaat(&self, id: Uuid) -> bool;
    /// The opgave's PDCA phase at `nu`.
    fn pdca_fase(&self, opgave: Uuid, nu: DateTime<Utc>) -> Option<PdcaFase>;
}

fn field(field: &str, code: Foutcode, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        code,
        message: message.into(),
    }
}

impl ReflectieCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl ReflectieView) -> Besluit {
        match self {
            Self::VoegToe {
                id,
                over,
                auteur_organisatie_id,
                fase,
                datum,
                teksten,
                nu,
            } => {
                let mut errors = Vec::new();
                let today = crate::domain::kalender::date_of(nu);
                if let Some(d) = datum.filter(|d| *d > today) {
                    errors.push(field(
                        "datum",
                        Foutcode::FutureDate,
                        format!("{d} ligt in de toekomst; een reflectie kijkt terug."),
                    ));
                }
                if let Some(o) = auteur_organisatie_id.filter(|o| !view.organisatie_bestaat(*o)) {
                    errors.push(field(
                        "auteurOrganisatieId",
                        Foutcode::UnknownOrganisatie,
                        crate::domain::niet_gevonden("organisatie", o),
                    ));
                }
                let onderwerp = view.onderwerp(over);
                if onderwerp.is_none() {
                    errors.push(field(
                        "over",
                        Foutcode::UnknownOnderwerp,
                        format!("Er is geen actie, doel of opgave met id {over}."),
                    ));
                }
                let event = onderwerp.map(|(soort, agenda_id, opgave)| ReflectieToegevoegd {
                    agenda_id,
                    over: Onderwerp { soort, id: over },
                    auteur_organisatie_id,
                    fase: fase
                        .or_else(|| view.pdca_fase(opgave, nu))
                        .unwrap_or(PdcaFase::Plan),
                    datum: datum.unwrap_or(today),
                    wat_ging_goed: teksten.wat_ging_goed.map(Arc::from),
                    wat_kan_beter: teksten.wat_kan_beter.map(Arc::from),
                    volgende_stappen: teksten.volgende_stappen.map(Arc::from),
                    tekst: teksten.tekst.map(Arc::from),
                });
                // The texts are checked with the rest, so all problems come at once.
                let added = event.map(add);
                if let Some(Err(DomainError::Invalid(more))) = &added {
                    errors.extend(more.iter().cloned());
                }
                if !errors.is_empty() {
                    return Err(DomainError::Invalid(errors));
                }
                let events = added.expect("a known subject when there are no errors")?;
                Ok(vec![StreamBesluit::nieuw(id, events)])
            }
            Self::Wijzig {
                id,
                correctie,
                intrekken,
                reden,
            } => {
                let (current, version) = view
                    .reflectie(id)
                    .ok_or(DomainError::not_found("reflectie", id))?;
                check_wijziging(&correctie, intrekken, reden.is_some())?;
                let events = if intrekken {
                    current.withdraw(reden)?
                } else {
                    let keep = |c: Option<Option<String>>, now: &Option<Arc<str>>| {
                        c.map(|v| v.map(Arc::from)).unwrap_or_else(|| now.clone())
                    };
                    current.correct(ReflectieGecorrigeerd {
                        wat_ging_goed: keep(correctie.wat_ging_goed, &current.wat_ging_goed),
                        wat_kan_beter: keep(correctie.wat_kan_beter, &current.wat_kan_beter),
                        volgende_stappen: keep(
                            correctie.volgende_stappen,
                            &current.volgende_stappen,
                        ),
                        tekst: keep(correctie.tekst, &current.tekst),
                    })?
                };
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
        }
    }
}

/// A change corrects or withdraws, never both and never neither; a reden
/// belongs to withdrawing.
fn check_wijziging(c: &TekstCorrectie, intrekken: bool, reden: bool) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    match (c.is_empty(), intrekken) {
        (false, true) => errors.push(field(
            "ingetrokken",
            Foutcode::ConflictingFields,
            "Corrigeer óf trek in, niet beide tegelijk.",
        )),
        (true, false) => errors.push(field(
            "tekst",
            Foutcode::Required,
            "Geef minstens één gecorrigeerde tekst (watGingGoed, watKanBeter, volgendeStappen, tekst), of ingetrokken: true.",
        )),
        _ => {}
    }
    if reden && !intrekken {
        errors.push(field(
            "reden",
            Foutcode::ConflictingFields,
            "Een reden hoort alleen bij intrekken (ingetrokken: true).",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::{BerichtIngetrokken, Event};
    use crate::domain::testing::given;
    use chrono::TimeZone;

    const ACTIE: Uuid = Uuid::from_u128(10);
    const OPGAVE: Uuid = Uuid::from_u128(11);
    const AGENDA: Uuid = Uuid::from_u128(12);
    const ORG: Uuid = Uuid::from_u128(13);
    const REFLECTIE: Uuid = Uuid::from_u128(14);

    /// A fake view: one actie in one opgave in the Do phase, one
    /// organisatie, and the reflecties by id.
    #[derive(Default)]
    struct Fake(Vec<(Uuid, Reflectie, u64)>);

    impl ReflectieView for Fake {
        fn reflectie(&self, id: Uuid) -> Option<(&Reflectie, u64)> {
            self.0.iter().find(|r| r.0 == id).map(|r| (&r.1, r.2))
        }
        fn onderwerp(&self, id: Uuid) -> Option<(OnderwerpSoort, Uuid, Uuid)> {
            match id {
                ACTIE => Some((OnderwerpSoort::Actie, AGENDA, OPGAVE)),
                OPGAVE => Some((OnderwerpSoort::Opgave, AGENDA, OPGAVE)),
                _ => None,
            }
        }
        fn organisatie_bestaat(&self, id: Uuid) -> bool {
            id == ORG
        }
        fn pdca_fase(&self, opgave: Uuid, _: DateTime<Utc>) -> Option<PdcaFase> {
            (opgave == OPGAVE).then_some(PdcaFase::Do)
        }
    }

    fn nu() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 15, 12, 0, 0).unwrap()
    }

    fn voeg_toe(over: Uuid, tekst: Option<&str>) -> ReflectieCommand {
        ReflectieCommand::VoegToe {
            id: REFLECTIE,
            over,
            auteur_organisatie_id: None,
            fase: None,
            datum: None,
            teksten: Teksten {
                tekst: tekst.map(str::to_owned),
                ..Teksten::default()
            },
            nu: nu(),
        }
    }

    fn bestaand() -> Fake {
        let e = ReflectieToegevoegd {
            agenda_id: AGENDA,
            over: Onderwerp {
                soort: OnderwerpSoort::Actie,
                id: ACTIE,
            },
            auteur_organisatie_id: None,
            fase: PdcaFase::Do,
            datum: crate::domain::kalender::date_of(nu()),
            wat_ging_goed: None,
            wat_kan_beter: None,
            volgende_stappen: None,
            tekst: Some("Eerste ronde".into()),
        };
        Fake(vec![(REFLECTIE, Reflectie::created(&e, nu()), 1)])
    }

    fn wijzig(correctie: TekstCorrectie, intrekken: bool, reden: Option<&str>) -> ReflectieCommand {
        ReflectieCommand::Wijzig {
            id: REFLECTIE,
            correctie,
            intrekken,
            reden: reden.map(str::to_owned),
        }
    }

    #[test]
    fn a_reflectie_takes_the_phase_of_its_opgave_and_today_by_default() {
        given(Fake::default())
            .when(|v| voeg_toe(ACTIE, Some(" Halverwege ")).decide(v))
            .then(vec![Event::ReflectieToegevoegd(ReflectieToegevoegd {
                agenda_id: AGENDA,
                over: Onderwerp {
                    soort: OnderwerpSoort::Actie,
                    id: ACTIE,
                },
                auteur_organisatie_id: None,
                fase: PdcaFase::Do,
                datum: crate::domain::kalender::date_of(nu()),
                wat_ging_goed: None,
                wat_kan_beter: None,
                volgende_stappen: None,
                tekst: Some("Halverwege".into()),
            })]);
    }

    #[test]
    fn every_problem_of_a_new_reflectie_is_named_at_once() {
        let mut c = voeg_toe(Uuid::from_u128(99), Some("  "));
        if let ReflectieCommand::VoegToe {
            auteur_organisatie_id,
            datum,
            ..
        } = &mut c
        {
            *auteur_organisatie_id = Some(Uuid::from_u128(98));
            *datum = NaiveDate::from_ymd_opt(2024, 6, 16);
        }
        let e = given(Fake::default())
            .when(|v| c.decide(v))
            .then_refused(Foutcode::UnknownOnderwerp);
        let DomainError::Invalid(fields) = e else {
            panic!("{e:?}")
        };
        let mut names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        names.sort();
        assert_eq!(names, ["auteurOrganisatieId", "datum", "over"]);
        // a known subject without any text: the texts are the problem
        given(Fake::default())
            .when(|v| voeg_toe(OPGAVE, Some(" ")).decide(v))
            .then_refused(Foutcode::Required);
    }

    #[test]
    fn a_reflectie_looks_back() {
        let mut c = voeg_toe(ACTIE, Some("x"));
        if let ReflectieCommand::VoegToe { datum, .. } = &mut c {
            *datum = NaiveDate::from_ymd_opt(2024, 6, 16);
        }
        given(Fake::default())
            .when(|v| c.decide(v))
            .then_refused(Foutcode::FutureDate);
    }

    /// The reflectie's default datum at `nu`, after refusing `datum` as
    /// in the future or not.
    fn datum_at(nu: &str, datum: Option<&str>) -> Result<NaiveDate, DomainError> {
        let mut c = voeg_toe(ACTIE, Some("x"));
        if let ReflectieCommand::VoegToe {
            nu: n, datum: d, ..
        } = &mut c
        {
            *n = nu.parse().unwrap();
            *d = datum.map(|d| d.parse().unwrap());
        }
        let besluit = c.decide(&Fake::default())?;
        match &besluit[0].events[0] {
            Event::ReflectieToegevoegd(e) => Ok(e.datum),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn today_is_the_amsterdam_calendar_day_of_nu() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        // 23:30 UTC on New Year's Eve is 00:30 on 1 January in Amsterdam (CET).
        assert_eq!(
            datum_at("2024-12-31T23:30:00Z", None).unwrap(),
            day("2025-01-01")
        );
        // 22:30 UTC on 30 June is 00:30 on 1 July (CEST).
        assert_eq!(
            datum_at("2024-06-30T22:30:00Z", None).unwrap(),
            day("2024-07-01")
        );
        // The Dutch day is not in the future, the next one is.
        assert_eq!(
            datum_at("2024-12-31T23:30:00Z", Some("2025-01-01")).unwrap(),
            day("2025-01-01")
        );
        let e = datum_at("2024-12-31T23:30:00Z", Some("2025-01-02")).unwrap_err();
        assert!(matches!(&e, DomainError::Invalid(f) if f[0].code == Foutcode::FutureDate));
        // Before midnight in Amsterdam it is still the old day.
        assert_eq!(
            datum_at("2024-12-31T22:59:59Z", None).unwrap(),
            day("2024-12-31")
        );
    }

    #[test]
    fn a_correction_keeps_what_it_does_not_name_and_clears_with_null() {
        let correctie = TekstCorrectie {
            wat_kan_beter: Some(Some("Eerder".into())),
            ..TekstCorrectie::default()
        };
        given(bestaand())
            .when(|v| wijzig(correctie, false, None).decide(v))
            .then(vec![Event::ReflectieGecorrigeerd(ReflectieGecorrigeerd {
                wat_ging_goed: None,
                wat_kan_beter: Some("Eerder".into()),
                volgende_stappen: None,
                tekst: Some("Eerste ronde".into()),
            })]);
        // clearing the only text leaves none: refused
        let leeg = TekstCorrectie {
            tekst: Some(None),
            ..TekstCorrectie::default()
        };
        given(bestaand())
            .when(|v| wijzig(leeg, false, None).decide(v))
            .then_refused(Foutcode::Required);
    }

    #[test]
    fn a_change_corrects_or_withdraws_not_both_and_not_neither() {
        let correctie = TekstCorrectie {
            tekst: Some(Some("x".into())),
            ..TekstCorrectie::default()
        };
        given(bestaand())
            .when(|v| wijzig(correctie, true, None).decide(v))
            .then_refused(Foutcode::ConflictingFields);
        given(bestaand())
            .when(|v| wijzig(TekstCorrectie::default(), false, None).decide(v))
            .then_refused(Foutcode::Required);
        given(bestaand())
            .when(|v| wijzig(TekstCorrectie::default(), false, Some("dubbel")).decide(v))
            .then_refused(Foutcode::ConflictingFields);
        given(bestaand())
            .when(|v| wijzig(TekstCorrectie::default(), true, Some("Dubbel")).decide(v))
            .then(vec![Event::ReflectieIngetrokken(BerichtIngetrokken {
                bericht_id: None,
                reden: Some("Dubbel".into()),
            })]);
    }

    #[test]
    fn changing_an_unknown_reflectie_is_not_found() {
        given(Fake::default())
            .when(|v| wijzig(TekstCorrectie::default(), true, None).decide(v))
            .then_refused(Foutcode::NotFound);
    }
}
