//! Reflectie: a qualitative look back ("vertellen") on an actie, doel or
//! opgave by the people doing the work, in a PDCA phase. Its author may
//! correct or withdraw it; the original stays in history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::{BerichtIngetrokken, Event, ReflectieGecorrigeerd, ReflectieToegevoegd};
use super::{Decision, DomainError};
use crate::domain::Foutcode;

mod command;
pub use command::{ReflectieCommand, ReflectieView, TekstCorrectie, Teksten};

/// What a reflectie is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Onderwerp {
    pub soort: OnderwerpSoort,
    pub id: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnderwerpSoort {
    Actie,
    Doel,
    Opgave,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PdcaFase {
    Plan,
    Do,
    Check,
    Act,
}

impl PdcaFase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Do => "do",
            Self::Check => "check",
            Self::Act => "act",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reflectie {
    pub agenda_id: Uuid,
    pub over: Onderwerp,
    pub auteur_organisatie_id: Option<Uuid>,
    pub fase: PdcaFase,
    #[serde(with = "crate::domain::binary::date")]
    pub datum: NaiveDate,
    pub wat_ging_goed: Option<std::sync::Arc<str>>,
    pub wat_kan_beter: Option<std::sync::Arc<str>>,
    pub volgende_stappen: Option<std::sync::Arc<str>>,
    pub tekst: Option<std::sync::Arc<str>>,
    /// Corrected at least once (the original stays in history).
    pub gecorrigeerd: bool,
    pub ingetrokken: bool,
    /// Why the author withdrew it, if they said.
    pub intrekkingsreden: Option<String>,
    #[serde(with = "crate::domain::binary::instant")]
    pub geregistreerd: DateTime<Utc>,
}

fn clean(t: &Option<std::sync::Arc<str>>) -> Option<std::sync::Arc<str>> {
    t.as_ref()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(std::sync::Arc::from)
}

/// Validates and records a new reflectie: at least one text is required.
pub fn add(mut e: ReflectieToegevoegd) -> Decision {
    e.wat_ging_goed = clean(&e.wat_ging_goed);
    e.wat_kan_beter = clean(&e.wat_kan_beter);
    e.volgende_stappen = clean(&e.volgende_stappen);
    e.tekst = clean(&e.tekst);
    if [
        &e.wat_ging_goed,
        &e.wat_kan_beter,
        &e.volgende_stappen,
        &e.tekst,
    ]
    .iter()
    .all(|t| t.is_none())
    {
        return Err(DomainError::invalid(
            "tekst",
            Foutcode::Required,
            "Vul minstens één van watGingGoed, watKanBeter, volgendeStappen of tekst in.",
        ));
    }
    Ok(vec![Event::ReflectieToegevoegd(e)])
}

impl Reflectie {
    pub fn created(e: &ReflectieToegevoegd, at: DateTime<Utc>) -> Self {
        Self {
            agenda_id: e.agenda_id,
            over: e.over,
            auteur_organisatie_id: e.auteur_organisatie_id,
            fase: e.fase,
            datum: e.datum,
            wat_ging_goed: e.wat_ging_goed.clone(),
            wat_kan_beter: e.wat_kan_beter.clone(),
            volgende_stappen: e.volgende_stappen.clone(),
            tekst: e.tekst.clone(),
            gecorrigeerd: false,
            ingetrokken: false,
            intrekkingsreden: None,
            geregistreerd: at,
        }
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::ReflectieGecorrigeerd(e) => {
                self.wat_ging_goed = e.wat_ging_goed.clone();
                self.wat_kan_beter = e.wat_kan_beter.clone();
                self.volgende_stappen = e.volgende_stappen.clone();
                self.tekst = e.tekst.clone();
                self.gecorrigeerd = true;
            }
            Event::ReflectieIngetrokken(e) => {
                self.ingetrokken = true;
                self.intrekkingsreden = e.reden.clone();
            }
            _ => {}
        }
    }

    pub fn correct(&self, c: ReflectieGecorrigeerd) -> Decision {
        if self.ingetrokken {
            return Err(DomainError::conflict(
                Foutcode::ReflectieIngetrokken,
                "Deze reflectie is ingetrokken.",
            ));
        }
        let c = ReflectieGecorrigeerd {
            wat_ging_goed: clean(&c.wat_ging_goed),
            wat_kan_beter: clean(&c.wat_kan_beter),
            volgende_stappen: clean(&c.volgende_stappen),
            tekst: clean(&c.tekst),
        };
        if [
            &c.wat_ging_goed,
            &c.wat_kan_beter,
            &c.volgende_stappen,
            &c.tekst,
        ]
        .iter()
        .all(|t| t.is_none())
        {
            return Err(DomainError::invalid(
                "tekst",
                Foutcode::Required,
                "Een reflectie heeft minstens één tekst; trek haar anders in.",
            ));
        }
        if (
            &c.wat_ging_goed,
            &c.wat_kan_beter,
            &c.volgende_stappen,
            &c.tekst,
        ) == (
            &self.wat_ging_goed,
            &self.wat_kan_beter,
            &self.volgende_stappen,
            &self.tekst,
        ) {
            return Ok(vec![]);
        }
        Ok(vec![Event::ReflectieGecorrigeerd(c)])
    }

    pub fn withdraw(&self, reden: Option<String>) -> Decision {
        if self.ingetrokken {
            return Err(DomainError::conflict(
                Foutcode::ReflectieIngetrokken,
                "Deze reflectie is al ingetrokken.",
            ));
        }
        Ok(vec![Event::ReflectieIngetrokken(BerichtIngetrokken {
            bericht_id: None,
            reden,
        })])
    }
}
