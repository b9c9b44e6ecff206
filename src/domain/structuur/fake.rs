//! A small in-memory [`StructuurView`] for the given/when/then tests of the
//! structure aggregates: entities by id, each at version 1 unless set.

use uuid::Uuid;

use super::StructuurView;
use crate::domain::agenda::{Agenda, AgendaStatus, Groepering, Niveau};
use crate::domain::doel::Doel;
use crate::domain::opgave::Opgave;
use crate::domain::Code;

#[derive(Default)]
pub struct Structuur {
    pub agendas: Vec<(Uuid, Agenda, u64)>,
    pub groeperingen: Vec<(Uuid, Groepering, u64)>,
    pub opgaven: Vec<(Uuid, Opgave, u64)>,
    pub doelen: Vec<(Uuid, Doel, u64)>,
}

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

/// Agenda 1 for 2025 with one grouping level.
pub const AGENDA: u128 = 1;

pub fn agenda() -> Agenda {
    let d = |m, dd| chrono::NaiveDate::from_ymd_opt(2025, m, dd).unwrap();
    Agenda {
        naam: "MAG 2025".into(),
        omschrijving: String::new(),
        gemeenten: vec!["Twenterand".into()],
        periode_start: d(1, 1),
        periode_eind: d(12, 31),
        status: AgendaStatus::Concept,
        gepubliceerd: true,
        signaleringstermijn_dagen: 90,
        groeperingsniveaus: vec![Niveau {
            enkelvoud: "themalijn".into(),
            meervoud: "themalijnen".into(),
        }],
        uitvoeringsperioden: vec![],
    }
}

impl Structuur {
    /// Agenda [`AGENDA`] and nothing in it.
    pub fn met_agenda() -> Self {
        Self {
            agendas: vec![(id(AGENDA), agenda(), 1)],
            ..Self::default()
        }
    }

    pub fn opgave(mut self, n: u128, c: &str) -> Self {
        self.opgaven.push((
            id(n),
            Opgave {
                agenda_id: id(AGENDA),
                groepering_id: None,
                code: code(c),
                titel: format!("Opgave {c}"),
                omschrijving: String::new(),
                geprioriteerd: true,
                vervallen: None,
            },
            1,
        ));
        self
    }

    pub fn doel(mut self, n: u128, opgave: u128, parent: Option<u128>, c: Option<&str>) -> Self {
        self.doelen.push((
            id(n),
            Doel {
                agenda_id: id(AGENDA),
                opgave_id: id(opgave),
                bovenliggend_doel_id: parent.map(id),
                code: c.map(code),
                titel: format!("Doel {n}"),
                omschrijving: String::new(),
                geprioriteerd: true,
                vervallen: None,
            },
            1,
        ));
        self
    }

    pub fn groepering(mut self, n: u128, niveau: usize, c: Option<&str>) -> Self {
        self.groeperingen.push((
            id(n),
            Groepering {
                agenda_id: id(AGENDA),
                niveau,
                bovenliggende_groepering_id: None,
                code: c.map(code),
                naam: format!("Groepering {n}"),
                omschrijving: String::new(),
            },
            1,
        ));
        self
    }
}

fn find<T>(items: &[(Uuid, T, u64)], id: Uuid) -> Option<(&T, u64)> {
    items.iter().find(|x| x.0 == id).map(|x| (&x.1, x.2))
}

impl StructuurView for Structuur {
    fn agenda(&self, id: Uuid) -> Option<(&Agenda, u64)> {
        find(&self.agendas, id)
    }
    fn groepering(&self, id: Uuid) -> Option<(&Groepering, u64)> {
        find(&self.groeperingen, id)
    }
    fn opgave(&self, id: Uuid) -> Option<(&Opgave, u64)> {
        find(&self.opgaven, id)
    }
    fn doel(&self, id: Uuid) -> Option<(&Doel, u64)> {
        find(&self.doelen, id)
    }
    fn code_owner(&self, agenda_id: Uuid, c: &Code) -> Option<Uuid> {
        let opgave = self
            .opgaven
            .iter()
            .find(|o| o.1.agenda_id == agenda_id && o.1.code == *c);
        let doel = self
            .doelen
            .iter()
            .find(|d| d.1.agenda_id == agenda_id && d.1.code.as_ref() == Some(c));
        let groepering = self
            .groeperingen
            .iter()
            .find(|g| g.1.agenda_id == agenda_id && g.1.code.as_ref() == Some(c));
        opgave
            .map(|x| x.0)
            .or(doel.map(|x| x.0))
            .or(groepering.map(|x| x.0))
    }
    fn doelen_van_opgave(&self, opgave_id: Uuid) -> Vec<Uuid> {
        self.doelen
            .iter()
            .filter(|d| d.1.opgave_id == opgave_id)
            .map(|d| d.0)
            .collect()
    }
    fn subdoelen(&self, doel_id: Uuid) -> Vec<Uuid> {
        let mut subs: Vec<Uuid> = self
            .doelen
            .iter()
            .filter(|d| d.1.bovenliggend_doel_id == Some(doel_id))
            .map(|d| d.0)
            .collect();
        subs.sort();
        subs
    }
}
