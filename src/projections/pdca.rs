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

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use super::{Entity, ReadModel};
use crate::domain::actie::{Actie, ActieStatus};
use crate::domain::checkmoment::Checkmoment;
use crate::domain::indicator::{koers, Koers};
use crate::domain::reflectie::{OnderwerpSoort, PdcaFase};

#[derive(Debug, Clone, PartialEq)]
pub struct ActieSignaal {
    pub actie_id: Uuid,
    /// The doel's code, or the opgave's when the actie hangs directly under it.
    pub code: String,
    pub omschrijving: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorSignaal {
    pub indicator_id: Uuid,
    pub naam: String,
    pub koers: Option<Koers>,
    pub waarde: Option<f64>,
    pub streefwaarde: Option<f64>,
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
    pub redenen: Vec<String>,
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
        .map(|a| format!("{} ({})", a.code, a.omschrijving))
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
        self.acties
            .values()
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
            .filter(|c| {
                c.state.agenda_id == agenda_id && c.state.opgave_id.is_none_or(|o| o == opgave_id)
            })
            .collect()
    }

    pub fn actie_code(&self, a: &Actie) -> String {
        a.doel_id
            .and_then(|d| self.doelen.get(&d))
            .and_then(|d| d.state.code.as_ref().map(|c| c.to_string()))
            .or_else(|| {
                self.opgaven
                    .get(&self.opgave_of(a))
                    .map(|o| o.state.code.to_string())
            })
            .unwrap_or_default()
    }

    /// The PDCA state of an opgave as of `now`; `None` for an unknown opgave.
    pub fn pdca(&self, opgave_id: Uuid, now: DateTime<Utc>) -> Option<PdcaState> {
        let opgave = self.opgaven.get(&opgave_id)?;
        let agenda_id = opgave.state.agenda_id;
        let agenda = self.agendas.get(&agenda_id);
        let threshold = agenda.map_or(90, |a| a.state.signaleringstermijn_dagen);
        let mut acties = self.acties_of_opgave(opgave_id);
        acties.sort_by_key(|a| (self.actie_code(&a.state), a.id));

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
                code: self.actie_code(&a.state),
                omschrijving: excerpt(&a.state.omschrijving),
            };
            if active && a.state.trekker.is_none() {
                zonder_trekker.push(signal());
            }
            if active && (now - a.state.laatst_gewijzigd).num_days() > i64::from(threshold) {
                zonder_update.push(signal());
            }
        }

        let year = agenda.map_or(now.year(), |a| {
            now.year()
                .clamp(a.state.periode_start.year(), a.state.periode_eind.year())
        });
        let doelen: Vec<Uuid> = self
            .doelen
            .values()
            .filter(|d| d.state.opgave_id == opgave_id)
            .map(|d| d.id)
            .collect();
        let mut indicatoren: Vec<IndicatorSignaal> = self
            .indicatoren
            .values()
            .filter(|i| doelen.contains(&i.state.doel_id))
            .filter(|i| {
                self.doelen
                    .get(&i.state.doel_id)
                    .is_some_and(|d| d.state.vervallen.is_none())
            })
            .map(|i| {
                let streef = i.state.streefwaarde(year);
                let laatste = i.state.actuele_metingen(year).last().map(|m| m.waarde);
                IndicatorSignaal {
                    indicator_id: i.id,
                    naam: i.state.naam.clone(),
                    koers: match (laatste, streef) {
                        (Some(w), Some(s)) => Some(koers(i.state.richting, w, s)),
                        _ => None,
                    },
                    waarde: laatste,
                    streefwaarde: streef.map(|s| s.waarde),
                }
            })
            .collect();
        indicatoren.sort_by(|a, b| a.naam.cmp(&b.naam));

        let actie_ids: Vec<Uuid> = acties.iter().map(|a| a.id).collect();
        let laatste_reflectie = self
            .reflecties
            .values()
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
            match (i.koers, i.waarde, i.streefwaarde) {
                (Some(Koers::NietOpKoers), Some(w), Some(s)) => redenen.push(format!(
                    "Indicator '{}' niet op koers: {w} tegen streefwaarde {s} voor {year}.",
                    i.naam
                )),
                (None, None, Some(_)) => redenen.push(format!(
                    "Indicator '{}' heeft nog geen meting voor {year}.",
                    i.naam
                )),
                (None, _, None) => redenen.push(format!(
                    "Indicator '{}' heeft geen streefwaarde voor {year}.",
                    i.naam
                )),
                _ => {}
            }
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
            redenen,
        })
    }
}
