//! How the PDCA state and the overzicht judge one indicator in a year: per
//! gemeente it has values for (an indicator off track for one gemeente is
//! off track, and the reason names the gemeente), or, asked for one gemeente,
//! on that gemeente's values only. An indicator without any streefwaarde
//! ("nog te vullen") is told as information, never as off track.

use uuid::Uuid;

use crate::domain::indicator::{Indicator, Koers, Richting, Stand, Waarde};

/// One area's position: a gemeente's (`gemeente`), or the whole area's.
#[derive(Debug, Clone, PartialEq)]
pub struct GebiedSignaal {
    pub gemeente: Option<String>,
    pub koers: Option<Koers>,
    pub waarde: Option<f64>,
    pub vorig_jaar: Option<VorigJaar>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorSignaal {
    pub indicator_id: Uuid,
    pub naam: String,
    /// The worst koers over the areas judged.
    pub koers: Option<Koers>,
    /// The value of the one area judged; with several, the whole area's.
    pub waarde: Option<f64>,
    pub streefwaarde: Option<f64>,
    /// The band (ondergrens, bovengrens) for richting binnenBandbreedte.
    pub bandbreedte: Option<(f64, f64)>,
    /// A missed target of an earlier year (see
    /// [`crate::domain::indicator::Indicator::vorig_jaar`]); with several
    /// areas, the latest year missed by any, naming its gemeente.
    pub vorig_jaar: Option<VorigJaar>,
    /// No streefwaarde at all yet.
    pub nog_te_vullen: bool,
    /// Each area judged, when the indicator is measured per gemeente (empty
    /// for an indicator with values for the whole area only).
    pub per_gemeente: Vec<GebiedSignaal>,
}

/// The off-track signal of the last earlier year with a definitive meting.
#[derive(Debug, Clone, PartialEq)]
pub struct VorigJaar {
    pub jaar: i32,
    pub waarde: f64,
    pub streefwaarde: f64,
    pub bandbreedte: Option<(f64, f64)>,
    /// The gemeente it was missed for; none: the whole area.
    pub gemeente: Option<String>,
}

/// The band of a streefwaarde, for richting binnenBandbreedte.
pub fn band(i: &Indicator, s: &Waarde) -> Option<(f64, f64)> {
    (i.richting == Richting::BinnenBandbreedte)
        .then_some(())
        .and_then(|_| Some((s.ondergrens?, s.bovengrens?)))
}

/// The missed earlier year of a stand, as a signal.
pub fn vorig(i: &Indicator, v: Stand<'_>, gemeente: Option<&str>) -> Option<VorigJaar> {
    let s = v.streefwaarde?;
    Some(VorigJaar {
        jaar: v.jaar,
        waarde: v.waarde?,
        streefwaarde: s.waarde,
        bandbreedte: band(i, s),
        gemeente: gemeente.map(str::to_owned),
    })
}

fn worst(a: Option<Koers>, b: Option<Koers>) -> Option<Koers> {
    match (a, b) {
        (Some(Koers::NietOpKoers), _) | (_, Some(Koers::NietOpKoers)) => Some(Koers::NietOpKoers),
        (Some(k), _) | (_, Some(k)) => Some(k),
        _ => None,
    }
}

/// Judges `i` in `year`, for `gemeente` only or for every area.
pub fn judge(id: Uuid, i: &Indicator, year: i32, gemeente: Option<&str>) -> IndicatorSignaal {
    let streef = i.streefwaarde(year);
    let gebieden: Vec<GebiedSignaal> = i
        .gebieden_voor(gemeente)
        .into_iter()
        .map(|g| {
            let stand = i.stand(year, g.as_deref());
            GebiedSignaal {
                koers: stand.koers,
                waarde: stand.waarde,
                vorig_jaar: i
                    .vorig_jaar(year, g.as_deref())
                    .and_then(|v| vorig(i, v, g.as_deref())),
                gemeente: g,
            }
        })
        .collect();
    let koers = gebieden.iter().fold(None, |k, g| worst(k, g.koers));
    let waarde = match gebieden.as_slice() {
        [one] => one.waarde,
        several => several
            .iter()
            .find(|g| g.gemeente.is_none())
            .and_then(|g| g.waarde),
    };
    let vorig_jaar = gebieden
        .iter()
        .filter_map(|g| g.vorig_jaar.clone())
        .reduce(|a, b| if b.jaar > a.jaar { b } else { a });
    IndicatorSignaal {
        indicator_id: id,
        naam: i.naam.clone(),
        koers,
        waarde,
        streefwaarde: streef.map(|s| s.waarde),
        bandbreedte: streef.and_then(|s| band(i, s)),
        vorig_jaar,
        nog_te_vullen: i.nog_te_vullen(),
        per_gemeente: if i.per_gemeente() {
            gebieden
        } else {
            Vec::new()
        },
    }
}

/// The sentences of the PDCA `redenen` about one indicator in `year`.
pub fn redenen(i: &IndicatorSignaal, year: i32) -> Vec<String> {
    let naam = &i.naam;
    let mut out = Vec::new();
    if i.nog_te_vullen {
        out.push(format!(
            "Indicator '{naam}' heeft nog geen streefwaarde (nog te vullen)."
        ));
        return out;
    }
    if i.streefwaarde.is_none() {
        out.push(format!(
            "Indicator '{naam}' heeft geen streefwaarde voor {year}."
        ));
    }
    let whole = [GebiedSignaal {
        gemeente: None,
        koers: i.koers,
        waarde: i.waarde,
        vorig_jaar: i.vorig_jaar.clone(),
    }];
    let gebieden = if i.per_gemeente.is_empty() {
        &whole[..]
    } else {
        &i.per_gemeente[..]
    };
    for g in gebieden {
        let waar = g
            .gemeente
            .as_ref()
            .map_or_else(String::new, |g| format!(" in {g}"));
        if let Some(s) = i.streefwaarde {
            match (g.koers, g.waarde, i.bandbreedte) {
                (Some(Koers::NietOpKoers), Some(w), Some((lo, hi))) => out.push(format!(
                    "Indicator '{naam}' niet op koers{waar}: {w} buiten de bandbreedte {lo} tot en met {hi} voor {year}."
                )),
                (Some(Koers::NietOpKoers), Some(w), None) => out.push(format!(
                    "Indicator '{naam}' niet op koers{waar}: {w} tegen streefwaarde {s} voor {year}."
                )),
                (_, None, _) => out.push(format!(
                    "Indicator '{naam}' heeft nog geen meting voor {year}{waar}."
                )),
                _ => {}
            }
        }
        if let Some(v) = &g.vorig_jaar {
            let tegen = match v.bandbreedte {
                Some((lo, hi)) => format!("buiten de bandbreedte {lo} tot en met {hi}"),
                None => format!("tegen streefwaarde {}", v.streefwaarde),
            };
            out.push(format!(
                "Indicator '{naam}' was in {} niet op koers{waar}: {} {tegen}.",
                v.jaar, v.waarde
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::events::{Event, IndicatorAangemaakt, MetingVastgelegd};
    use crate::domain::indicator::MetingStatus;

    fn indicator(streefwaarden: Vec<Waarde>, metingen: &[(&str, Option<&str>, f64)]) -> Indicator {
        let mut i = Indicator::created(&IndicatorAangemaakt {
            agenda_id: Uuid::nil(),
            doel_id: Uuid::nil(),
            naam: "Bereik".into(),
            eenheid: "%".into(),
            richting: Richting::HogerIsBeter,
            bron: None,
            eigenaar_organisatie_id: None,
            nulmeting: None,
            streefwaarden,
        });
        for (periode, gemeente, waarde) in metingen {
            let e = Event::MetingVastgelegd(MetingVastgelegd {
                meting_id: Uuid::now_v7(),
                periode: (*periode).into(),
                meet_datum: None,
                waarde: *waarde,
                status: MetingStatus::Definitief,
                bron: None,
                toelichting: None,
                door_organisatie_id: None,
                gemeente: gemeente.map(str::to_owned),
            });
            i.apply(&e, Utc::now());
        }
        i
    }

    fn heel(waarde: f64) -> Waarde {
        Waarde {
            jaar: None,
            waarde,
            ondergrens: None,
            bovengrens: None,
        }
    }

    #[test]
    fn off_track_for_one_gemeente_is_off_track_and_the_reason_names_it() {
        let i = indicator(
            vec![heel(50.0)],
            &[("2025", Some("Noord"), 40.0), ("2025", Some("Zuid"), 60.0)],
        );
        let s = judge(Uuid::nil(), &i, 2025, None);
        assert_eq!(s.koers, Some(Koers::NietOpKoers));
        assert_eq!(s.per_gemeente.len(), 2);
        assert_eq!(
            redenen(&s, 2025),
            ["Indicator 'Bereik' niet op koers in Noord: 40 tegen streefwaarde 50 voor 2025."]
        );
        let zuid = judge(Uuid::nil(), &i, 2025, Some("Zuid"));
        assert_eq!(
            (zuid.koers, zuid.waarde),
            (Some(Koers::OpKoers), Some(60.0))
        );
        assert!(redenen(&zuid, 2025).is_empty());
        // A year later, the missed 2025 stays visible with its year and gemeente.
        let later = judge(Uuid::nil(), &i, 2026, None);
        assert_eq!(
            redenen(&later, 2026),
            [
                "Indicator 'Bereik' heeft nog geen meting voor 2026 in Noord.",
                "Indicator 'Bereik' was in 2025 niet op koers in Noord: 40 tegen streefwaarde 50.",
                "Indicator 'Bereik' heeft nog geen meting voor 2026 in Zuid.",
            ]
        );
        assert_eq!(
            later.vorig_jaar.map(|v| (v.jaar, v.gemeente)),
            Some((2025, Some("Noord".into())))
        );
    }

    #[test]
    fn nog_te_vullen_is_information_never_off_track() {
        let i = indicator(vec![], &[("2025", None, 1.0)]);
        let s = judge(Uuid::nil(), &i, 2025, None);
        assert_eq!((s.koers, s.nog_te_vullen), (None, true));
        assert_eq!(
            redenen(&s, 2025),
            ["Indicator 'Bereik' heeft nog geen streefwaarde (nog te vullen)."]
        );
    }
}
