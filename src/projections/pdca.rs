//! The PDCA state of an opgave, derived from the read model.
//!
//! The phase rule (documented in `docs/pdca.md`), first match wins:
//! 1. **Check** while a checkmoment on the opgave, or on the whole agenda, is open.
//! 2. **Act** while a bijsturing that concerns the opgave is not yet doorgevoerd
//!    (see [`ReadModel::bijsturing_concerns`]).
//! 3. **Do** once any actie of the opgave has started (lopend, gepauzeerd or afgerond).
//! 4. **Plan** otherwise.
//!
//! So an opgave moves Plan → Do → Check → Act → Do as the programme runs.
//! Signals are computed against a reference instant (now, or a peildatum);
//! indicators against the streefwaarde of the reference year, which is the
//! instant's year clamped into the agenda's period.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use uuid::Uuid;

pub use super::indicator_signaal::{GebiedSignaal, IndicatorSignaal, VorigJaar};
use super::{Entity, ReadModel};
use crate::domain::actie::{Actie, ActieStatus};
use crate::domain::checkmoment::Checkmoment;
use crate::domain::kalender;
use crate::domain::reflectie::{OnderwerpSoort, PdcaFase};

#[derive(Debug, Clone, PartialEq)]
pub struct ActieSignaal {
    pub actie_id: Uuid,
    /// The actie's own kenmerk (`1.1.3-2`).
    pub kenmerk: String,
    /// The weergavecode of the nearest coded level above the actie (doel,
    /// parent doel, opgave); none when nothing above it has a code.
    pub code: Option<String>,
    pub omschrijving: String,
}

/// A bijsturing that concerns the opgave and is not yet doorgevoerd.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenBijsturing {
    pub checkmoment_id: Uuid,
    pub bijsturing_id: Uuid,
    pub besluit: String,
    pub datum: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PdcaState {
    pub opgave_id: Uuid,
    pub fase: PdcaFase,
    pub fase_reden: String,
    pub acties_per_status: BTreeMap<&'static str, usize>,
    pub zonder_trekker: Vec<ActieSignaal>,
    pub zonder_update: Vec<ActieSignaal>,
    pub indicatoren: Vec<IndicatorSignaal>,
    pub laatste_reflectie: Option<NaiveDate>,
    pub laatste_checkmoment: Option<NaiveDate>,
    pub open_checkmoment_id: Option<Uuid>,
    pub open_bijsturingen: Vec<OpenBijsturing>,
    /// The year whose streefwaarden the indicators are compared with.
    pub peiljaar: i32,
    /// The gemeente judged (`?gemeente=`): only its acties and those for
    /// the whole agenda count; `None`: every actie.
    pub gemeente: Option<String>,
    pub redenen: Vec<String>,
    /// The first instant after `now` at which the clock alone changes this
    /// state (an active actie passes the signaleringstermijn, or a new year
    /// begins); until then, only an event can (see [`ReadModel::pdca_stamp`]).
    pub valid_until: DateTime<Utc>,
}

fn excerpt(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    if t.len() < text.len() {
        format!("{}…", t.trim_end())
    } else {
        t
    }
}

fn list(items: &[ActieSignaal]) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(5)
        .map(|a| format!("{} ({})", a.kenmerk, a.omschrijving))
        .collect();
    let more = if items.len() > 5 {
        format!(" en {} meer", items.len() - 5)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join("; "))
}

impl ReadModel {
    /// The acties under an opgave: directly, or via any of its doelen.
    pub fn acties_of_opgave(&self, opgave_id: Uuid) -> Vec<&Entity<Actie>> {
        std::iter::once(opgave_id)
            .chain(self.doel_ids_of_opgave(opgave_id))
            .flat_map(|parent| self.actie_ids_under(parent))
            .filter_map(|id| self.acties.get(&id))
            .map(|e| &**e)
            .filter(|a| self.opgave_of(&a.state) == opgave_id)
            .collect()
    }

    /// The opgave an actie belongs to now: its doel's opgave (doelen can
    /// move between opgaven), or the opgave it hangs under directly.
    pub fn opgave_of(&self, a: &Actie) -> Uuid {
        a.doel_id
            .and_then(|d| self.doelen.get(&d))
            .map_or(a.opgave_id, |d| d.state.opgave_id)
    }

    /// Checkmomenten that concern an opgave: its own and the agenda-wide ones.
    pub fn checkmomenten_of_opgave(
        &self,
        opgave_id: Uuid,
        agenda_id: Uuid,
    ) -> Vec<&Entity<Checkmoment>> {
        self.checkmomenten
            .values()
            .map(|e| &**e)
            .filter(|c| {
                c.state.agenda_id == agenda_id && c.state.opgave_id.is_none_or(|o| o == opgave_id)
            })
            .collect()
    }

    /// The code shown for an actie: the weergavecode of its doel, else (a
    /// sub-doel without code) the parent doel's, else the opgave's; none
    /// when none of them has a code.
    pub fn actie_code(&self, a: &Actie) -> Option<String> {
        crate::domain::actie::kenmerk::prefix(self, self.opgave_of(a), a.doel_id).map(String::from)
    }

    /// The PDCA state of an opgave as of `now`; `None` for an unknown opgave.
    pub fn pdca(&self, opgave_id: Uuid, now: DateTime<Utc>) -> Option<PdcaState> {
        self.pdca_in(opgave_id, now, None, None)
    }

    /// [`Self::pdca`], with the indicators judged against the streefwaarden
    /// of `jaar` (`None`: the agenda's [`crate::domain::agenda::Agenda::peiljaar`]),
    /// and for one `gemeente` of a shared agenda (as the agenda spells it):
    /// only its acties and those for the whole agenda count, and the
    /// indicators are judged on that gemeente's values only (`None`: every
    /// actie, and each gemeente's values side by side).
    pub fn pdca_in(
        &self,
        opgave_id: Uuid,
        now: DateTime<Utc>,
        jaar: Option<i32>,
        gemeente: Option<&str>,
    ) -> Option<PdcaState> {
        let opgave = self.opgaven.get(&opgave_id)?;
        let agenda_id = opgave.state.agenda_id;
        let agenda = self.agendas.get(&agenda_id);
        let threshold = agenda.map_or(90, |a| a.state.signaleringstermijn_dagen);
        let mut acties = self.acties_of_opgave(opgave_id);
        if let Some(g) = gemeente {
            acties.retain(|a| crate::domain::gemeente::hoort_bij(&a.state.gemeenten, g));
        }
        // Every actie here is under this opgave, so its code depends only on
        // its doel: derive each doel's weergavecode once, not once per actie.
        let mut per_doel: HashMap<Option<Uuid>, Option<String>> = HashMap::new();
        let codes: HashMap<Uuid, Option<String>> = acties
            .iter()
            .map(|a| {
                let code = per_doel
                    .entry(a.state.doel_id)
                    .or_insert_with(|| self.actie_code(&a.state))
                    .clone();
                (a.id, code)
            })
            .collect();
        acties.sort_by_cached_key(|a| {
            let code = codes.get(&a.id).and_then(|c| c.as_deref());
            (
                code.is_none(),
                code.map(crate::domain::code::sort_key),
                a.id,
            )
        });
        // The peiljaar turns with the Dutch calendar year.
        let mut valid_until = kalender::next_year_start(now);

        let mut per_status: BTreeMap<&'static str, usize> =
            ActieStatus::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut zonder_trekker = Vec::new();
        let mut zonder_update = Vec::new();
        for a in &acties {
            *per_status.entry(a.state.status.as_str()).or_default() += 1;
            let active = matches!(
                a.state.status,
                ActieStatus::Gepland | ActieStatus::Lopend | ActieStatus::Gepauzeerd
            );
            let signal = || ActieSignaal {
                actie_id: a.id,
                kenmerk: a.state.kenmerk.to_string(),
                code: codes.get(&a.id).cloned().flatten(),
                omschrijving: excerpt(&a.state.omschrijving),
            };
            if active && a.state.trekker.is_none() {
                zonder_trekker.push(signal());
            }
            if active {
                // Without update once `num_days() > threshold`, i.e. from
                // `threshold + 1` whole days after the last change on.
                let stale_from = a
                    .state
                    .laatst_gewijzigd
                    .checked_add_signed(TimeDelta::days(i64::from(threshold) + 1))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC);
                if now >= stale_from {
                    zonder_update.push(signal());
                } else {
                    valid_until = valid_until.min(stale_from);
                }
            }
        }

        let today = kalender::date_of(now);
        let year = jaar.unwrap_or_else(|| agenda.map_or(today.year(), |a| a.state.peiljaar(today)));
        let doelen: Vec<Uuid> = self.doel_ids_of_opgave(opgave_id);
        let mut indicatoren: Vec<IndicatorSignaal> = doelen
            .iter()
            .flat_map(|d| self.indicator_ids_of_doel(*d))
            .filter_map(|id| self.indicatoren.get(id))
            .filter(|i| {
                self.doelen
                    .get(&i.state.doel_id)
                    .is_some_and(|d| d.state.vervallen.is_none())
            })
            .map(|i| super::indicator_signaal::judge(i.id, &i.state, year, gemeente))
            .collect();
        indicatoren.sort_by(|a, b| a.naam.cmp(&b.naam));

        let actie_ids: Vec<Uuid> = acties.iter().map(|a| a.id).collect();
        let laatste_reflectie = std::iter::once(opgave_id)
            .chain(doelen.iter().copied())
            .chain(actie_ids.iter().copied())
            .flat_map(|subject| self.reflectie_ids_about(subject))
            .filter_map(|id| self.reflecties.get(id))
            .filter(|r| !r.state.ingetrokken)
            .filter(|r| match r.state.over.soort {
                OnderwerpSoort::Opgave => r.state.over.id == opgave_id,
                OnderwerpSoort::Doel => doelen.contains(&r.state.over.id),
                OnderwerpSoort::Actie => actie_ids.contains(&r.state.over.id),
            })
            .map(|r| r.state.datum)
            .max();

        let checks = self.checkmomenten_of_opgave(opgave_id, agenda_id);
        let laatste_checkmoment = checks.iter().map(|c| c.state.datum).max();
        let open_check = checks
            .iter()
            .filter(|c| c.state.is_open())
            .max_by_key(|c| c.state.datum);
        let mut open_bijsturingen: Vec<OpenBijsturing> = checks
            .iter()
            .flat_map(|c| c.state.bijsturingen.iter().map(move |b| (c, b)))
            .filter(|(c, b)| {
                b.doorgevoerd_op.is_none() && self.bijsturing_concerns(&c.state, b, opgave_id)
            })
            .map(|(c, b)| OpenBijsturing {
                checkmoment_id: c.id,
                bijsturing_id: b.id,
                besluit: b.besluit.clone(),
                datum: b.datum,
            })
            .collect();
        open_bijsturingen.sort_by_key(|b| (b.datum, b.bijsturing_id));
        let gestart = acties.iter().any(|a| {
            matches!(
                a.state.status,
                ActieStatus::Lopend | ActieStatus::Gepauzeerd | ActieStatus::Afgerond
            )
        });

        let (fase, fase_reden) = if let Some(c) = open_check {
            (
                PdcaFase::Check,
                format!(
                    "Checkmoment '{}' van {}{} staat open.",
                    c.state.onderwerp,
                    c.state.datum,
                    if c.state.opgave_id.is_none() {
                        " over de hele agenda"
                    } else {
                        ""
                    }
                ),
            )
        } else if let Some(b) = open_bijsturingen.first() {
            (
                PdcaFase::Act,
                format!(
                    "Bijsturing van {} ('{}') is nog niet doorgevoerd.",
                    b.datum,
                    excerpt(&b.besluit)
                ),
            )
        } else if gestart {
            (
                PdcaFase::Do,
                "Er is uitvoering gestart: minstens één actie is lopend, gepauzeerd of afgerond."
                    .to_owned(),
            )
        } else {
            (PdcaFase::Plan, "Nog geen actie is gestart.".to_owned())
        };

        let mut redenen = vec![fase_reden.clone()];
        if fase == PdcaFase::Check && !open_bijsturingen.is_empty() {
            let besluiten: Vec<String> = open_bijsturingen
                .iter()
                .map(|b| format!("'{}'", excerpt(&b.besluit)))
                .collect();
            redenen.push(format!(
                "{} {} nog niet doorgevoerd: {}",
                open_bijsturingen.len(),
                if open_bijsturingen.len() == 1 {
                    "bijsturing"
                } else {
                    "bijsturingen"
                },
                besluiten.join("; ")
            ));
        }
        if !zonder_trekker.is_empty() {
            redenen.push(format!(
                "{} {} zonder trekker: {}",
                zonder_trekker.len(),
                if zonder_trekker.len() == 1 {
                    "actie"
                } else {
                    "acties"
                },
                list(&zonder_trekker)
            ));
        }
        if !zonder_update.is_empty() {
            redenen.push(format!(
                "{} {} langer dan {threshold} dagen zonder update: {}",
                zonder_update.len(),
                if zonder_update.len() == 1 {
                    "actie"
                } else {
                    "acties"
                },
                list(&zonder_update)
            ));
        }
        for i in &indicatoren {
            redenen.extend(super::indicator_signaal::redenen(i, year));
        }
        if laatste_reflectie.is_none() {
            redenen.push(
                "Er is nog geen reflectie over deze opgave, haar doelen of acties.".to_owned(),
            );
        }
        Some(PdcaState {
            opgave_id,
            fase,
            fase_reden,
            acties_per_status: per_status,
            zonder_trekker,
            zonder_update,
            indicatoren,
            laatste_reflectie,
            laatste_checkmoment,
            open_checkmoment_id: open_check.map(|c| c.id),
            open_bijsturingen,
            peiljaar: year,
            gemeente: gemeente.map(str::to_owned),
            redenen,
            valid_until,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::actie::ActieStatus;
    use crate::domain::events::*;
    use crate::domain::indicator::{Koers, MetingStatus, Richting, Waarde};
    use crate::domain::{Code, Event};
    use crate::event_store::{Metadata, RecordedEvent};

    struct Given {
        model: ReadModel,
        position: u64,
    }

    impl Given {
        fn event(&mut self, stream: Uuid, version: u64, e: Event, at: DateTime<Utc>) {
            self.position += 1;
            let r = RecordedEvent {
                id: Uuid::now_v7(),
                position: self.position,
                stream_id: stream,
                stream_type: e.stream_type().into(),
                version,
                event_type: e.event_type().into(),
                schema_version: 1,
                recorded_at: at,
                data: e.data(),
                metadata: Metadata::default(),
            };
            self.model.apply(&r).unwrap();
        }
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn indicator(doel: Uuid, agenda: Uuid, naam: &str, richting: Richting, s: Waarde) -> Event {
        Event::IndicatorAangemaakt(IndicatorAangemaakt {
            agenda_id: agenda,
            doel_id: doel,
            naam: naam.into(),
            eenheid: "%".into(),
            richting,
            bron: None,
            eigenaar_organisatie_id: None,
            nulmeting: None,
            streefwaarden: vec![s],
        })
    }

    fn meting(waarde: f64) -> Event {
        Event::MetingVastgelegd(MetingVastgelegd {
            meting_id: Uuid::now_v7(),
            periode: "2024-Q1".into(),
            meet_datum: None,
            waarde,
            status: MetingStatus::Definitief,
            bron: None,
            toelichting: None,
            door_organisatie_id: None,
            gemeente: None,
        })
    }

    fn waarde(w: f64, band: Option<(f64, f64)>) -> Waarde {
        Waarde {
            jaar: Some(2024),
            waarde: w,
            ondergrens: band.map(|b| b.0),
            bovengrens: band.map(|b| b.1),
        }
    }

    /// An agenda for 2024 (threshold 90 days) with one opgave, one doel, one
    /// actie without trekker created on 10 January, and three indicators.
    fn given() -> (Given, Uuid) {
        let mut g = Given {
            model: ReadModel::default(),
            position: 0,
        };
        let (agenda, opgave, doel, actie) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let t0 = at(2024, 1, 10);
        g.event(
            agenda,
            1,
            Event::AgendaAangemaakt(AgendaAangemaakt {
                naam: "Test".into(),
                omschrijving: String::new(),
                gemeenten: vec!["Testdorp".into()],
                periode_start_datum: date(2024, 1, 1),
                periode_eind_datum: date(2024, 12, 31),
                status: crate::domain::agenda::AgendaStatus::Vastgesteld,
                gepubliceerd: true,
                signaleringstermijn_dagen: 90,
                groeperingsniveaus: vec![],
                uitvoeringsperioden: vec![],
            }),
            t0,
        );
        g.event(
            opgave,
            1,
            Event::OpgaveAangemaakt(OpgaveAangemaakt {
                agenda_id: agenda,
                groepering_id: None,
                code: Some(Code::parse("1.1").unwrap()),
                titel: "Armoede".into(),
                omschrijving: String::new(),
                geprioriteerd: true,
            }),
            t0,
        );
        g.event(
            doel,
            1,
            Event::DoelAangemaakt(DoelAangemaakt {
                agenda_id: agenda,
                opgave_id: opgave,
                bovenliggend_doel_id: None,
                code: Some(Code::parse("1.1.1").unwrap()),
                titel: "Minder schulden".into(),
                omschrijving: String::new(),
                geprioriteerd: true,
            }),
            t0,
        );
        g.event(
            actie,
            1,
            Event::ActieAangemaakt(ActieAangemaakt {
                kenmerk: None,
                agenda_id: agenda,
                opgave_id: opgave,
                doel_id: Some(doel),
                omschrijving: "Schuldhulp aan huis".into(),
                jaar: 2024,
                geplande_start_datum: None,
                geplande_eind_datum: None,
                trekker: None,
                partners: vec![],
                status: ActieStatus::Gepland,
                gemeenten: vec![],
            }),
            t0,
        );
        for (naam, richting, streef, gemeten) in [
            ("Bereik", Richting::HogerIsBeter, waarde(50.0, None), 40.0),
            ("Schulden", Richting::LagerIsBeter, waarde(10.0, None), 8.0),
            (
                "Wachttijd",
                Richting::BinnenBandbreedte,
                waarde(6.0, Some((5.0, 7.0))),
                9.0,
            ),
        ] {
            let id = Uuid::now_v7();
            g.event(id, 1, indicator(doel, agenda, naam, richting, streef), t0);
            g.event(id, 2, meting(gemeten), t0);
        }
        (g, opgave)
    }

    #[test]
    fn acties_without_update_beyond_the_threshold_are_signalled() {
        let (g, opgave) = given();
        let early = g.model.pdca(opgave, at(2024, 3, 1)).unwrap();
        assert!(early.zonder_update.is_empty());
        let late = g.model.pdca(opgave, at(2024, 5, 1)).unwrap();
        assert_eq!(late.zonder_update.len(), 1);
        assert!(late.redenen.contains(
            &"1 actie langer dan 90 dagen zonder update: 1.1.1-1 (Schuldhulp aan huis)".to_owned()
        ));
        assert!(late
            .redenen
            .contains(&"1 actie zonder trekker: 1.1.1-1 (Schuldhulp aan huis)".to_owned()));
        assert_eq!(late.fase, PdcaFase::Plan);
    }

    #[test]
    fn the_state_is_valid_until_the_clock_changes_it() {
        let (g, opgave) = given();
        let early = g.model.pdca(opgave, at(2024, 3, 1)).unwrap();
        // The actie (last changed 10 January 09:00) is without update after
        // 90 whole days: from 91 days on.
        assert_eq!(early.valid_until, at(2024, 4, 10));
        let just_before = early.valid_until - TimeDelta::seconds(1);
        let same = g.model.pdca(opgave, just_before).unwrap();
        assert_eq!(
            (same.zonder_update.len(), &same.redenen),
            (0, &early.redenen)
        );
        assert_eq!(same.valid_until, early.valid_until);
        let then = g.model.pdca(opgave, early.valid_until).unwrap();
        assert_eq!(then.zonder_update.len(), 1);
        // Nothing left for the clock to change but the year, which turns at
        // midnight in Amsterdam (23:00 UTC in winter).
        let new_year = "2024-12-31T23:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(then.valid_until, new_year);
    }

    #[test]
    fn indicators_are_judged_by_their_direction_in_the_reference_year() {
        let (g, opgave) = given();
        // 2026 lies after the agenda's period: 2024's streefwaarden count.
        let s = g.model.pdca(opgave, at(2026, 11, 23)).unwrap();
        assert_eq!(s.peiljaar, 2024);
        let koersen: Vec<(&str, Option<Koers>)> = s
            .indicatoren
            .iter()
            .map(|i| (i.naam.as_str(), i.koers))
            .collect();
        assert_eq!(
            koersen,
            [
                ("Bereik", Some(Koers::NietOpKoers)),
                ("Schulden", Some(Koers::OpKoers)),
                ("Wachttijd", Some(Koers::NietOpKoers)),
            ]
        );
        assert!(s.redenen.contains(
            &"Indicator 'Bereik' niet op koers: 40 tegen streefwaarde 50 voor 2024.".to_owned()
        ));
        assert!(!s.redenen.iter().any(|r| r.contains("'Schulden'")));
        assert!(s.redenen.contains(
            &"Indicator 'Wachttijd' niet op koers: 9 buiten de bandbreedte 5 tot en met 7 voor 2024."
                .to_owned()
        ));
    }
}
