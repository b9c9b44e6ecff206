//! Indicator on a doel ("tellen"): a measurable figure with a unit, a
//! direction, a nulmeting and a streefwaarde per year (or one for the whole
//! period of the agenda), and its metingen. A meting may be for one gemeente
//! of the agenda (none: the whole area); a later meting for the same period
//! and the same gemeente supersedes an earlier one; both stay in history.
//! An indicator is judged per gemeente it has values for (see
//! [`Indicator::standen`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::{
    Event, IndicatorAangemaakt, IndicatorGewijzigd, MetingVastgelegd, StreefwaardeVastgesteld,
};
use super::{Decision, DomainError, FieldError};
use crate::domain::Foutcode;

mod command;
mod stand;
pub use command::{onbekende_gemeente, DoelPlek, IndicatorCommand, IndicatorView};
pub use stand::{jaar_tekst, Gebied};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Richting {
    HogerIsBeter,
    LagerIsBeter,
    BinnenBandbreedte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MetingStatus {
    Voorlopig,
    Definitief,
}

/// A value for a year: a nulmeting or a streefwaarde. For
/// `binnenBandbreedte` the band is `ondergrens`..`bovengrens`. Without a
/// `jaar` it holds for the whole period of the agenda (a streefwaarde for the
/// whole nota); a year's own streefwaarde wins over that one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Waarde {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jaar: Option<i32>,
    pub waarde: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ondergrens: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bovengrens: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meting {
    pub id: Uuid,
    pub periode: String,
    #[serde(with = "crate::domain::binary::date_opt")]
    pub meet_datum: Option<NaiveDate>,
    pub waarde: f64,
    pub status: MetingStatus,
    pub bron: Option<String>,
    pub toelichting: Option<String>,
    pub door_organisatie_id: Option<Uuid>,
    #[serde(with = "crate::domain::binary::instant")]
    pub geregistreerd: DateTime<Utc>,
    /// A later meting for the same period and gemeente replaced this one.
    pub vervangen: bool,
    /// The gemeente of the agenda this value is for (as the agenda spells
    /// it); none: the whole area.
    pub gemeente: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Indicator {
    pub agenda_id: Uuid,
    pub doel_id: Uuid,
    pub naam: String,
    pub eenheid: String,
    pub richting: Richting,
    pub bron: Option<String>,
    pub eigenaar_organisatie_id: Option<Uuid>,
    #[serde(with = "crate::domain::binary::waarde")]
    pub nulmeting: Option<Waarde>,
    #[serde(with = "crate::domain::binary::waarden")]
    pub streefwaarden: Vec<Waarde>,
    pub metingen: Vec<Meting>,
}

/// The form of a period as the API publishes it (a JSON Schema `pattern`):
/// `2024`, `2024-Q1`..`Q4` or `2024-01`..`12`, years 1900–2200.
pub const PERIODE_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)(-Q[1-4]|-(0[1-9]|1[0-2]))?$";

/// Whether `periode` has exactly the form of [`PERIODE_PATTERN`] (four
/// digits for the year, no sign or leading zero beyond them).
pub fn periode_volgens_patroon(periode: &str) -> bool {
    let year_digits = periode
        .get(..4)
        .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()));
    let rest = periode.get(4..).unwrap_or("");
    year_digits && (rest.is_empty() || rest.starts_with('-')) && periode_jaar(periode).is_some()
}

/// Parses a period: `2024`, `2024-Q1`..`Q4` or `2024-01`..`12`; returns its year.
pub fn periode_jaar(periode: &str) -> Option<i32> {
    let (year, rest) = match periode.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (periode, None),
    };
    let year: i32 = year.parse().ok().filter(|y| (1900..=2200).contains(y))?;
    match rest {
        None => Some(year),
        Some(q)
            if q.len() == 2 && q.starts_with('Q') && matches!(&q[1..], "1" | "2" | "3" | "4") =>
        {
            Some(year)
        }
        Some(m) if m.len() == 2 && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)) => {
            Some(year)
        }
        _ => None,
    }
}

/// An indicator's position in a year; see [`Indicator::stand`].
#[derive(Debug, Clone, PartialEq)]
pub struct Stand<'a> {
    pub jaar: i32,
    pub waarde: Option<f64>,
    pub streefwaarde: Option<&'a Waarde>,
    pub koers: Option<Koers>,
}

/// How a value compares with a target, given the direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Koers {
    OpKoers,
    NietOpKoers,
}

pub fn koers(richting: Richting, waarde: f64, streef: &Waarde) -> Koers {
    let ok = match richting {
        Richting::HogerIsBeter => waarde >= streef.waarde,
        Richting::LagerIsBeter => waarde <= streef.waarde,
        Richting::BinnenBandbreedte => {
            waarde >= streef.ondergrens.unwrap_or(streef.waarde)
                && waarde <= streef.bovengrens.unwrap_or(streef.waarde)
        }
    };
    if ok {
        Koers::OpKoers
    } else {
        Koers::NietOpKoers
    }
}

/// The largest magnitude a number of an indicator may have (meting,
/// nulmeting, streefwaarde, ondergrens, bovengrens): far beyond any count,
/// percentage or amount in euros a gemeente measures, and small enough that
/// no sum, difference or ratio of two of them overflows to infinity.
pub const MAX_WAARDE: f64 = 1e15;

/// Checks one number of an indicator (finite, |v| ≤ [`MAX_WAARDE`]) and
/// normalises `-0` to `0` (so `-0` is stored, shown and compared as `0`).
pub fn check_getal(field: &str, v: &mut f64, errors: &mut Vec<FieldError>) {
    if *v == 0.0 {
        *v = 0.0;
    }
    if !(v.is_finite() && v.abs() <= MAX_WAARDE) {
        errors.push(FieldError {
            field: field.into(),
            code: Foutcode::OutOfRange,
            // In exponent notation: `1e308`, not 309 digits.
            message: format!(
                "{v:e} valt buiten het bereik van een waarde: van -1e15 tot en met 1e15 (een miljoen miljard)."
            ),
        });
    }
}

/// The years a nulmeting or streefwaarde may be for (the API's years).
pub const JAREN: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Checks the year of a nulmeting or streefwaarde (none: the whole period).
fn check_jaar(field: &str, jaar: Option<i32>, errors: &mut Vec<FieldError>) {
    if jaar.is_some_and(|j| !JAREN.contains(&j)) {
        errors.push(FieldError {
            field: format!("{field}.jaar"),
            code: Foutcode::InvalidNumber,
            message: format!(
                "Veld 'jaar' moet een geheel getal van {} tot en met {} zijn.",
                JAREN.start(),
                JAREN.end()
            ),
        });
    }
}

fn check_waarde(field: &str, w: &mut Waarde, richting: Richting, errors: &mut Vec<FieldError>) {
    check_jaar(field, w.jaar, errors);
    check_getal(&format!("{field}.waarde"), &mut w.waarde, errors);
    if let Some(v) = w.ondergrens.as_mut() {
        check_getal(&format!("{field}.ondergrens"), v, errors);
    }
    if let Some(v) = w.bovengrens.as_mut() {
        check_getal(&format!("{field}.bovengrens"), v, errors);
    }
    if richting == Richting::BinnenBandbreedte {
        match (w.ondergrens, w.bovengrens) {
            (Some(lo), Some(hi)) if lo <= hi => {}
            _ => errors.push(FieldError { field: field.into(), code: Foutcode::BandRequired, message: "Bij richting binnenBandbreedte horen een ondergrens en een bovengrens (ondergrens ≤ bovengrens).".into() }),
        }
    }
}

pub fn create(mut e: IndicatorAangemaakt) -> Decision {
    let mut errors = Vec::new();
    if e.naam.trim().is_empty() {
        errors.push(FieldError {
            field: "naam".into(),
            code: Foutcode::Required,
            message: "Naam is verplicht.".into(),
        });
    }
    if e.eenheid.trim().is_empty() {
        errors.push(FieldError {
            field: "eenheid".into(),
            code: Foutcode::Required,
            message: "Eenheid is verplicht (bijv. %, aantal).".into(),
        });
    }
    if let Some(n) = &mut e.nulmeting {
        check_jaar("nulmeting", n.jaar, &mut errors);
        check_getal("nulmeting.waarde", &mut n.waarde, &mut errors);
    }
    for i in 0..e.streefwaarden.len() {
        check_waarde(
            &format!("streefwaarden[{i}]"),
            &mut e.streefwaarden[i],
            e.richting,
            &mut errors,
        );
        let s = &e.streefwaarden[i];
        if e.streefwaarden[..i].iter().any(|o| o.jaar == s.jaar) {
            errors.push(FieldError {
                field: format!("streefwaarden[{i}].jaar"),
                code: Foutcode::DuplicateYear,
                message: format!("Voor {} staat al een streefwaarde.", jaar_tekst(s.jaar)),
            });
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(vec![Event::IndicatorAangemaakt(e)])
}

impl Indicator {
    pub fn created(e: &IndicatorAangemaakt) -> Self {
        Self {
            agenda_id: e.agenda_id,
            doel_id: e.doel_id,
            naam: e.naam.clone(),
            eenheid: e.eenheid.clone(),
            richting: e.richting,
            bron: e.bron.clone(),
            eigenaar_organisatie_id: e.eigenaar_organisatie_id,
            nulmeting: e.nulmeting.clone(),
            streefwaarden: e.streefwaarden.clone(),
            metingen: Vec::new(),
        }
    }

    pub fn apply(&mut self, event: &Event, at: DateTime<Utc>) {
        match event {
            Event::IndicatorGewijzigd(e) => {
                if let Some(v) = &e.naam {
                    self.naam = v.clone();
                }
                if let Some(v) = &e.eenheid {
                    self.eenheid = v.clone();
                }
                if let Some(v) = e.richting {
                    self.richting = v;
                }
                if let Some(v) = &e.bron {
                    self.bron = v.clone();
                }
                if let Some(v) = e.eigenaar_organisatie_id {
                    self.eigenaar_organisatie_id = v;
                }
                if let Some(v) = &e.nulmeting {
                    self.nulmeting = v.clone();
                }
            }
            Event::StreefwaardeVastgesteld(e) => {
                self.streefwaarden.retain(|s| s.jaar != e.streefwaarde.jaar);
                self.streefwaarden.push(e.streefwaarde.clone());
                self.streefwaarden.sort_by_key(|s| s.jaar);
            }
            Event::MetingVastgelegd(e) => {
                for m in self
                    .metingen
                    .iter_mut()
                    .filter(|m| m.periode == e.periode && m.gemeente == e.gemeente)
                {
                    m.vervangen = true;
                }
                self.metingen.push(Meting {
                    id: e.meting_id,
                    periode: e.periode.clone(),
                    meet_datum: e.meet_datum,
                    waarde: e.waarde,
                    status: e.status,
                    bron: e.bron.clone(),
                    toelichting: e.toelichting.clone(),
                    door_organisatie_id: e.door_organisatie_id,
                    geregistreerd: at,
                    vervangen: false,
                    gemeente: e.gemeente.clone(),
                });
            }
            _ => {}
        }
    }

    pub fn set_streefwaarde(&self, mut w: Waarde) -> Decision {
        let mut errors = Vec::new();
        check_waarde("streefwaarde", &mut w, self.richting, &mut errors);
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let vorige = self.eigen_streefwaarde(w.jaar).cloned();
        if vorige.as_ref() == Some(&w) {
            return Err(DomainError::conflict(
                Foutcode::StreefwaardeUnchanged,
                format!(
                    "De streefwaarde voor {} is al {}.",
                    jaar_tekst(w.jaar),
                    w.waarde
                ),
            ));
        }
        Ok(vec![Event::StreefwaardeVastgesteld(
            StreefwaardeVastgesteld {
                streefwaarde: w,
                vorige,
            },
        )])
    }

    pub fn record(&self, mut m: MetingVastgelegd) -> Decision {
        let mut errors = Vec::new();
        if periode_jaar(&m.periode).is_none() {
            errors.push(FieldError {
                field: "periode".into(),
                code: Foutcode::InvalidPeriod,
                message: format!(
                    "Periode {:?} is ongeldig: gebruik 2024, 2024-Q2 of 2024-03.",
                    m.periode
                ),
            });
        }
        check_getal("waarde", &mut m.waarde, &mut errors);
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(vec![Event::MetingVastgelegd(m)])
    }

    /// Changes the indicator's own fields and sets or revises streefwaarden
    /// (one `StreefwaardeVastgesteld` per changed year, carrying the previous
    /// value). Unchanged parts produce no event. Every streefwaarde, old and
    /// new, must fit the resulting richting.
    pub fn update(
        &self,
        mut change: IndicatorGewijzigd,
        mut streefwaarden: Vec<Waarde>,
    ) -> Decision {
        let mut errors = Vec::new();
        for (field, v) in [("naam", &change.naam), ("eenheid", &change.eenheid)] {
            if v.as_ref().is_some_and(|t| t.trim().is_empty()) {
                errors.push(FieldError {
                    field: field.into(),
                    code: Foutcode::Required,
                    message: format!("{field} mag niet leeg zijn."),
                });
            }
        }
        if let Some(Some(n)) = &mut change.nulmeting {
            check_jaar("nulmeting", n.jaar, &mut errors);
            check_getal("nulmeting.waarde", &mut n.waarde, &mut errors);
        }
        let richting = change.richting.unwrap_or(self.richting);
        for i in 0..streefwaarden.len() {
            check_waarde(
                &format!("streefwaarden[{i}]"),
                &mut streefwaarden[i],
                richting,
                &mut errors,
            );
            let s = &streefwaarden[i];
            if streefwaarden[..i].iter().any(|o| o.jaar == s.jaar) {
                errors.push(FieldError {
                    field: format!("streefwaarden[{i}].jaar"),
                    code: Foutcode::DuplicateYear,
                    message: format!("{} staat twee keer in de lijst.", jaar_tekst(s.jaar)),
                });
            }
        }
        if richting != self.richting {
            for s in self
                .streefwaarden
                .iter()
                .filter(|s| !streefwaarden.iter().any(|n| n.jaar == s.jaar))
            {
                let mut own = Vec::new();
                check_waarde("richting", &mut s.clone(), richting, &mut own);
                if !own.is_empty() {
                    errors.push(FieldError {
                        field: "richting".into(),
                        code: Foutcode::BandRequired,
                        message: format!("De streefwaarde voor {} heeft geen ondergrens en bovengrens; geef bij deze richting ook nieuwe streefwaarden met een bandbreedte.", jaar_tekst(s.jaar)),
                    });
                }
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        change.naam = change
            .naam
            .map(|v| v.trim().to_owned())
            .filter(|v| *v != self.naam);
        change.eenheid = change
            .eenheid
            .map(|v| v.trim().to_owned())
            .filter(|v| *v != self.eenheid);
        change.richting = change.richting.filter(|v| *v != self.richting);
        change.bron = change.bron.filter(|v| *v != self.bron);
        change.eigenaar_organisatie_id = change
            .eigenaar_organisatie_id
            .filter(|v| *v != self.eigenaar_organisatie_id);
        change.nulmeting = change.nulmeting.filter(|v| *v != self.nulmeting);
        let mut events = Vec::new();
        if change != IndicatorGewijzigd::default() {
            events.push(Event::IndicatorGewijzigd(change));
        }
        for w in streefwaarden {
            let vorige = self.eigen_streefwaarde(w.jaar).cloned();
            if vorige.as_ref() != Some(&w) {
                events.push(Event::StreefwaardeVastgesteld(StreefwaardeVastgesteld {
                    streefwaarde: w,
                    vorige,
                }));
            }
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(jaar: i32, waarde: f64) -> Waarde {
        Waarde {
            jaar: Some(jaar),
            waarde,
            ondergrens: None,
            bovengrens: None,
        }
    }

    fn given() -> Indicator {
        let e = IndicatorAangemaakt {
            agenda_id: Uuid::nil(),
            doel_id: Uuid::nil(),
            naam: "Achterstand".into(),
            eenheid: "%".into(),
            richting: Richting::LagerIsBeter,
            bron: None,
            eigenaar_organisatie_id: None,
            nulmeting: None,
            streefwaarden: vec![w(2025, 10.0), w(2026, 8.0)],
        };
        Indicator::created(&e)
    }

    fn meting(periode: &str, waarde: f64) -> Event {
        Event::MetingVastgelegd(MetingVastgelegd {
            meting_id: Uuid::now_v7(),
            periode: periode.into(),
            meet_datum: None,
            waarde,
            status: MetingStatus::Definitief,
            bron: None,
            toelichting: None,
            door_organisatie_id: None,
            gemeente: None,
        })
    }

    #[test]
    fn the_published_periode_pattern_and_its_check_agree() {
        for ok in [
            "2024", "1900", "2200", "2024-Q1", "2024-Q4", "2024-01", "2024-12",
        ] {
            assert!(periode_volgens_patroon(ok), "{ok}");
        }
        for bad in [
            "", "202", "02024", "+2024", " 2024", "1899", "2201", "2024-Q5", "2024-Q0", "2024-00",
            "2024-13", "2024-1", "2024-", "2024-q1", "2024-Q1 ",
        ] {
            assert!(!periode_volgens_patroon(bad), "{bad}");
        }
    }

    #[test]
    fn revising_a_streefwaarde_records_the_previous_one_and_skips_unchanged() {
        let i = given();
        let events = i
            .update(
                IndicatorGewijzigd::default(),
                vec![w(2025, 9.0), w(2026, 8.0)],
            )
            .unwrap();
        assert_eq!(
            events,
            vec![Event::StreefwaardeVastgesteld(StreefwaardeVastgesteld {
                streefwaarde: w(2025, 9.0),
                vorige: Some(w(2025, 10.0)),
            })]
        );
        let same = IndicatorGewijzigd {
            naam: Some(" Achterstand ".into()),
            ..Default::default()
        };
        assert_eq!(i.update(same, vec![]).unwrap(), vec![]);
    }

    #[test]
    fn a_band_direction_needs_bands_on_every_streefwaarde() {
        let i = given();
        let change = IndicatorGewijzigd {
            richting: Some(Richting::BinnenBandbreedte),
            ..Default::default()
        };
        let Err(DomainError::Invalid(errors)) = i.update(change.clone(), vec![]) else {
            panic!("refused")
        };
        assert_eq!(errors.len(), 2);
        let band = |jaar| Waarde {
            ondergrens: Some(1.0),
            bovengrens: Some(3.0),
            ..w(jaar, 2.0)
        };
        assert_eq!(
            i.update(change, vec![band(2025), band(2026)])
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn a_later_meting_supersedes_and_decides_the_koers() {
        let mut i = given();
        let t = Utc::now();
        i.apply(&meting("2025", 11.0), t);
        assert_eq!(i.stand(2025, None).koers, Some(Koers::NietOpKoers));
        i.apply(&meting("2025", 9.5), t);
        assert_eq!(
            i.metingen.iter().map(|m| m.vervangen).collect::<Vec<_>>(),
            [true, false]
        );
        let stand = i.stand(2025, None);
        assert_eq!(
            (stand.waarde, stand.koers),
            (Some(9.5), Some(Koers::OpKoers))
        );
        assert_eq!(i.stand(2026, None).koers, None, "no meting for 2026 yet");
        i.apply(&meting("2024", 20.0), t);
        assert_eq!(i.laatste_meting(None).map(|m| m.waarde), Some(9.5));
    }

    #[test]
    fn a_missed_target_of_the_last_year_with_a_definitive_meting_stays_visible() {
        let mut i = given();
        let t = Utc::now();
        // Lower is better: 12 misses 2025's 10.
        i.apply(&meting("2025-Q4", 12.0), t);
        let v = i.vorig_jaar(2026, None).expect("2025 missed");
        assert_eq!(
            (v.jaar, v.waarde, v.streefwaarde.map(|s| s.waarde)),
            (2025, Some(12.0), Some(10.0))
        );
        assert_eq!(v.koers, Some(Koers::NietOpKoers));
        assert!(
            i.vorig_jaar(2025, None).is_none(),
            "only earlier years count"
        );
        // A provisional meting of 2026 does not make 2026 the earlier year for 2027.
        let mut provisional = meting("2026", 1.0);
        if let Event::MetingVastgelegd(m) = &mut provisional {
            m.status = MetingStatus::Voorlopig;
        }
        i.apply(&provisional, t);
        assert_eq!(i.vorig_jaar(2027, None).map(|v| v.jaar), Some(2025));
        // Met after all (a later definitive meting for the same period): nothing to show.
        i.apply(&meting("2025-Q4", 9.0), t);
        assert!(i.vorig_jaar(2026, None).is_none());
    }
}
