//! Where an indicator stands: in a year, against the streefwaarde that holds
//! for that year (its own, else the one for the whole period), and per
//! gemeente it has values for.
//!
//! An indicator of a shared nota may have a value per gemeente for the same
//! period ([`Meting::gemeente`]); each gemeente's values are judged on their
//! own, and a view shows them side by side. An indicator whose metingen name
//! no gemeente is judged once, for the whole area. "Nog te vullen" (no
//! streefwaarde at all) is information, never a missed target.

use super::{koers, periode_jaar, Indicator, Koers, Meting, MetingStatus, Stand, Waarde};
use crate::domain::naam;

/// Which values count: those for one gemeente (`Some`), or those for the
/// whole area (`None`).
pub type Gebied<'a> = Option<&'a str>;

fn in_gebied(m: &Meting, gebied: Gebied<'_>) -> bool {
    match (&m.gemeente, gebied) {
        (None, None) => true,
        (Some(g), Some(w)) => naam::same(g, w),
        _ => false,
    }
}

impl Indicator {
    /// No streefwaarde at all yet ("nog te vullen").
    pub fn nog_te_vullen(&self) -> bool {
        self.streefwaarden.is_empty()
    }

    /// The streefwaarde that holds for `jaar`: the year's own, else the one
    /// for the whole period.
    pub fn streefwaarde(&self, jaar: i32) -> Option<&Waarde> {
        self.eigen_streefwaarde(Some(jaar))
            .or_else(|| self.eigen_streefwaarde(None))
    }

    /// Exactly the streefwaarde set for `jaar` (`None`: for the whole period).
    pub fn eigen_streefwaarde(&self, jaar: Option<i32>) -> Option<&Waarde> {
        self.streefwaarden.iter().find(|s| s.jaar == jaar)
    }

    /// Whether any meting names a gemeente: the indicator is measured per
    /// gemeente.
    pub fn per_gemeente(&self) -> bool {
        self.metingen.iter().any(|m| m.gemeente.is_some())
    }

    /// Whether the indicator is measured for the whole area only: it has
    /// metingen and none names a gemeente. Its values hold for every
    /// gemeente, so a token scoped to one gemeente adds none of its own (a
    /// value for one gemeente would make it an indicator per gemeente, and
    /// the other gemeenten would no longer read the whole area's values).
    pub fn alleen_heel_gebied(&self) -> bool {
        !self.metingen.is_empty() && !self.per_gemeente()
    }

    /// The areas the indicator has values for, in the order a view shows
    /// them: the whole area first (when a meting is for it, or when no
    /// meting names a gemeente), then each gemeente by name.
    pub fn gebieden(&self) -> Vec<Option<String>> {
        let mut gemeenten: Vec<String> = Vec::new();
        for g in self.metingen.iter().filter_map(|m| m.gemeente.as_ref()) {
            if !gemeenten.iter().any(|x| naam::same(x, g)) {
                gemeenten.push(g.clone());
            }
        }
        gemeenten.sort_by_key(|g| naam::key(g));
        let heel = gemeenten.is_empty() || self.metingen.iter().any(|m| m.gemeente.is_none());
        heel.then_some(None)
            .into_iter()
            .chain(gemeenten.into_iter().map(Some))
            .collect()
    }

    /// The area whose values count when a view asks for `gemeente` (`None`:
    /// every area): that gemeente when the indicator is measured per
    /// gemeente, else the whole area (its only values, which hold for every
    /// gemeente).
    pub fn gebieden_voor(&self, gemeente: Option<&str>) -> Vec<Option<String>> {
        match gemeente {
            Some(g) if self.per_gemeente() => vec![Some(g.to_owned())],
            Some(_) => vec![None],
            None => self.gebieden(),
        }
    }

    /// Where the indicator stands in a year for one area: the latest current
    /// meting of that year for the area against the streefwaarde that holds
    /// for the year, given the richting (the same rule the PDCA state uses).
    pub fn stand(&self, jaar: i32, gebied: Gebied<'_>) -> Stand<'_> {
        let streefwaarde = self.streefwaarde(jaar);
        let waarde = self.actuele_metingen(jaar, gebied).last().map(|m| m.waarde);
        Stand {
            jaar,
            waarde,
            streefwaarde,
            koers: match (waarde, streefwaarde) {
                (Some(w), Some(s)) => Some(koers(self.richting, w, s)),
                _ => None,
            },
        }
    }

    /// A missed target of an earlier year for one area, so it stays visible
    /// after 1 January: the last year before `peiljaar` with a definitive
    /// (not superseded) meting for the area, judged by that year's latest
    /// definitive meting against the streefwaarde that holds for that year;
    /// `Some` only when it was not on track (`vorigJaar` in the PDCA state,
    /// the overzicht and the indicator view).
    pub fn vorig_jaar(&self, peiljaar: i32, gebied: Gebied<'_>) -> Option<Stand<'_>> {
        let definitief = |m: &&Meting| !m.vervangen && m.status == MetingStatus::Definitief;
        let jaar = self
            .metingen
            .iter()
            .filter(|m| in_gebied(m, gebied))
            .filter(definitief)
            .filter_map(|m| periode_jaar(&m.periode))
            .filter(|y| *y < peiljaar)
            .max()?;
        let waarde = self
            .actuele_metingen(jaar, gebied)
            .into_iter()
            .rfind(definitief)
            .map(|m| m.waarde)?;
        let streefwaarde = self.streefwaarde(jaar)?;
        let koers = koers(self.richting, waarde, streefwaarde);
        (koers == Koers::NietOpKoers).then_some(Stand {
            jaar,
            waarde: Some(waarde),
            streefwaarde: Some(streefwaarde),
            koers: Some(koers),
        })
    }

    /// The latest meting that is not superseded (latest period, then latest
    /// recorded), of any area (`None`) or of one.
    pub fn laatste_meting(&self, gebied: Option<Gebied<'_>>) -> Option<&Meting> {
        self.metingen
            .iter()
            .filter(|m| !m.vervangen && gebied.is_none_or(|g| in_gebied(m, g)))
            .max_by(|a, b| {
                (periode_jaar(&a.periode), &a.periode, a.geregistreerd).cmp(&(
                    periode_jaar(&b.periode),
                    &b.periode,
                    b.geregistreerd,
                ))
            })
    }

    /// The current (not superseded) metingen of a year for one area, latest
    /// period last.
    pub fn actuele_metingen(&self, jaar: i32, gebied: Gebied<'_>) -> Vec<&Meting> {
        let mut v: Vec<&Meting> = self
            .metingen
            .iter()
            .filter(|m| {
                !m.vervangen && periode_jaar(&m.periode) == Some(jaar) && in_gebied(m, gebied)
            })
            .collect();
        v.sort_by(|a, b| a.periode.cmp(&b.periode));
        v
    }
}

/// A year as a text: `2025`, or "de hele periode" for a value without one.
pub fn jaar_tekst(jaar: Option<i32>) -> String {
    jaar.map_or_else(|| "de hele periode".to_owned(), |j| j.to_string())
}

#[cfg(test)]
mod tests;
