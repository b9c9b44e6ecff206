//! Gemeente scope: one nota for several gemeenten.
//!
//! An agenda lists the gemeenten it is for. An actie may belong to some of
//! them (`gemeenten`; empty means the whole agenda, every gemeente); a
//! programmamanager token may be scoped to one of them; and an agenda may
//! record an uitvoeringsperiode per gemeente (two years of a six-year nota)
//! that the acties of that gemeente must fall in. A gemeente is named as the
//! agenda spells it; a request may spell it in another case or with other
//! spaces ([`super::naam::same`]), it is stored as the agenda has it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::naam::same;
use super::{FieldError, Foutcode};

/// The period in which one gemeente carries out its part of the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Uitvoeringsperiode {
    pub gemeente: String,
    pub start_datum: NaiveDate,
    pub eind_datum: NaiveDate,
}

impl Uitvoeringsperiode {
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.start_datum <= d && d <= self.eind_datum
    }

    /// "Hengelo 2025-01-01 t/m 2026-12-31": how a refusal names the period.
    pub fn beschrijving(&self) -> String {
        format!(
            "de uitvoeringsperiode van {} ({} t/m {})",
            self.gemeente, self.start_datum, self.eind_datum
        )
    }
}

/// The agenda's spelling of `naam`, if it is one of its gemeenten.
pub fn vind<'a>(gemeenten: &'a [String], naam: &str) -> Option<&'a str> {
    gemeenten.iter().find(|g| same(g, naam)).map(String::as_str)
}

/// Whether an actie with these gemeenten belongs to `gemeente`: it names it,
/// or it names none (the whole agenda).
pub fn hoort_bij(actie_gemeenten: &[String], gemeente: &str) -> bool {
    actie_gemeenten.is_empty() || actie_gemeenten.iter().any(|g| same(g, gemeente))
}

fn fout(errors: &mut Vec<FieldError>, field: String, code: Foutcode, message: String) {
    errors.push(FieldError {
        field,
        code,
        message,
    });
}

fn lijst(gemeenten: &[String]) -> String {
    gemeenten.join(", ")
}

/// The gemeenten of an actie in the agenda's spelling: each one of the
/// agenda's, each listed once (`field[i]` names a wrong one).
pub fn van_actie(
    agenda_gemeenten: &[String],
    gegeven: &[String],
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, g) in gegeven.iter().enumerate() {
        match vind(agenda_gemeenten, g) {
            None => fout(
                errors,
                format!("{field}[{i}]"),
                Foutcode::UnknownGemeente,
                format!(
                    "'{g}' is geen gemeente van deze agenda; kies uit {}.",
                    lijst(agenda_gemeenten)
                ),
            ),
            Some(found) if out.iter().any(|o| o == found) => fout(
                errors,
                format!("{field}[{i}]"),
                Foutcode::Duplicate,
                format!("Gemeente {found} staat dubbel in de lijst."),
            ),
            Some(found) => out.push(found.to_owned()),
        }
    }
    out
}

/// The uitvoeringsperioden of an agenda, checked: each for one of its
/// gemeenten (stored in the agenda's spelling), at most one per gemeente,
/// start not after end, within the agenda's period.
pub fn uitvoeringsperioden(
    agenda_gemeenten: &[String],
    periode: (NaiveDate, NaiveDate),
    gegeven: Vec<Uitvoeringsperiode>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<Uitvoeringsperiode> {
    let mut out: Vec<Uitvoeringsperiode> = Vec::new();
    for (i, p) in gegeven.into_iter().enumerate() {
        let path = format!("{field}[{i}]");
        let gemeente = match vind(agenda_gemeenten, &p.gemeente) {
            None => {
                fout(
                    errors,
                    format!("{path}.gemeente"),
                    Foutcode::UnknownGemeente,
                    format!(
                        "'{}' is geen gemeente van deze agenda; kies uit {}.",
                        p.gemeente,
                        lijst(agenda_gemeenten)
                    ),
                );
                continue;
            }
            Some(g) if out.iter().any(|o| o.gemeente == g) => {
                fout(
                    errors,
                    format!("{path}.gemeente"),
                    Foutcode::Duplicate,
                    format!("Gemeente {g} heeft al een uitvoeringsperiode in de lijst."),
                );
                continue;
            }
            Some(g) => g.to_owned(),
        };
        if p.eind_datum < p.start_datum {
            fout(
                errors,
                format!("{path}.eindDatum"),
                Foutcode::InvalidPeriod,
                "De einddatum ligt vóór de startdatum.".into(),
            );
        }
        for (name, d) in [("startDatum", p.start_datum), ("eindDatum", p.eind_datum)] {
            if d < periode.0 || d > periode.1 {
                fout(
                    errors,
                    format!("{path}.{name}"),
                    Foutcode::OutsidePeriod,
                    format!(
                        "{d} ligt buiten de periode van de agenda ({} t/m {}).",
                        periode.0, periode.1
                    ),
                );
            }
        }
        out.push(Uitvoeringsperiode { gemeente, ..p });
    }
    out
}

/// What of an actie must lie in the uitvoeringsperiode of each gemeente it
/// names: its jaar (a year the period touches) and its planned dates. An
/// actie for the whole agenda (no gemeenten) is bound by the agenda's
/// period only.
pub struct Planning {
    pub jaar: i32,
    pub geplande_start_datum: Option<NaiveDate>,
    pub geplande_eind_datum: Option<NaiveDate>,
}

/// Refuses (as `prefix` + field) what lies outside the uitvoeringsperiode
/// of one of `gemeenten`.
pub fn binnen_uitvoering(
    perioden: &[Uitvoeringsperiode],
    gemeenten: &[String],
    planning: &Planning,
    prefix: &str,
    errors: &mut Vec<FieldError>,
) {
    for g in gemeenten {
        let Some(p) = perioden.iter().find(|p| same(&p.gemeente, g)) else {
            continue;
        };
        let jaren = p.start_datum.year()..=p.eind_datum.year();
        if !jaren.contains(&planning.jaar) {
            fout(
                errors,
                format!("{prefix}jaar"),
                Foutcode::OutsideUitvoeringsperiode,
                format!("Jaar {} ligt buiten {}.", planning.jaar, p.beschrijving()),
            );
        }
        for (name, d) in [
            ("geplandeStartDatum", planning.geplande_start_datum),
            ("geplandeEindDatum", planning.geplande_eind_datum),
        ] {
            if let Some(d) = d.filter(|d| !p.covers(*d)) {
                fout(
                    errors,
                    format!("{prefix}{name}"),
                    Foutcode::OutsideUitvoeringsperiode,
                    format!("{d} ligt buiten {}.", p.beschrijving()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn drie() -> Vec<String> {
        vec!["Almelo".into(), "Borne".into(), "Hengelo".into()]
    }

    #[test]
    fn a_gemeente_is_found_in_any_case_and_kept_in_the_agendas_spelling() {
        let mut errors = Vec::new();
        let g = van_actie(&drie(), &[" borne ".into()], "gemeenten", &mut errors);
        assert_eq!(g, vec!["Borne".to_owned()]);
        assert!(errors.is_empty());
        let g = van_actie(
            &drie(),
            &["Borne".into(), "BORNE".into(), "Enschede".into()],
            "gemeenten",
            &mut errors,
        );
        assert_eq!(g, vec!["Borne".to_owned()]);
        assert_eq!(errors[0].field, "gemeenten[1]");
        assert_eq!(errors[0].code, Foutcode::Duplicate);
        assert_eq!(errors[1].field, "gemeenten[2]");
        assert!(errors[1]
            .message
            .contains("kies uit Almelo, Borne, Hengelo"));
    }

    #[test]
    fn an_actie_without_gemeenten_belongs_to_every_gemeente() {
        assert!(hoort_bij(&[], "Borne"));
        assert!(hoort_bij(&["Borne".into()], "borne"));
        assert!(!hoort_bij(&["Almelo".into()], "Borne"));
    }

    #[test]
    fn an_uitvoeringsperiode_lies_in_the_agenda_period_once_per_gemeente() {
        let mut errors = Vec::new();
        let p = |g: &str, s, e| Uitvoeringsperiode {
            gemeente: g.into(),
            start_datum: s,
            eind_datum: e,
        };
        let out = uitvoeringsperioden(
            &drie(),
            (d(2024, 1, 1), d(2029, 12, 31)),
            vec![
                p("borne", d(2024, 1, 1), d(2025, 12, 31)),
                p("Borne", d(2026, 1, 1), d(2026, 12, 31)),
                p("Hengelo", d(2027, 1, 1), d(2030, 6, 30)),
                p("Delden", d(2024, 1, 1), d(2024, 12, 31)),
            ],
            "uitvoeringsperioden",
            &mut errors,
        );
        assert_eq!(out[0].gemeente, "Borne");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "uitvoeringsperioden[1].gemeente",
                "uitvoeringsperioden[2].eindDatum",
                "uitvoeringsperioden[3].gemeente"
            ]
        );
    }

    #[test]
    fn an_actie_of_a_gemeente_lies_in_its_uitvoeringsperiode() {
        let perioden = vec![Uitvoeringsperiode {
            gemeente: "Borne".into(),
            start_datum: d(2024, 1, 1),
            eind_datum: d(2025, 12, 31),
        }];
        let planning = Planning {
            jaar: 2026,
            geplande_start_datum: Some(d(2025, 6, 1)),
            geplande_eind_datum: Some(d(2026, 3, 1)),
        };
        let mut errors = Vec::new();
        binnen_uitvoering(&perioden, &["Borne".into()], &planning, "", &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["jaar", "geplandeEindDatum"]);
        assert!(errors[0]
            .message
            .contains("uitvoeringsperiode van Borne (2024-01-01 t/m 2025-12-31)"));
        // another gemeente, or the whole agenda, is not bound by it
        let mut none = Vec::new();
        binnen_uitvoering(&perioden, &["Almelo".into()], &planning, "", &mut none);
        binnen_uitvoering(&perioden, &[], &planning, "", &mut none);
        assert!(none.is_empty());
    }
}
