//! A small in-memory [`StructuurView`] for the given/when/then tests of the
//! structure aggregates: entities by id, each at version 1 unless set.

use uuid::Uuid;

use super::weergave::CodeBoom;
use super::{Plek, StructuurView};
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

    pub fn opgave(self, n: u128, c: &str) -> Self {
        self.opgave_in(n, None, Some(c))
    }

    /// Opgave `n` in groepering `groepering` (or at the agenda level), with
    /// code `c` or without.
    pub fn opgave_in(mut self, n: u128, groepering: Option<u128>, c: Option<&str>) -> Self {
        self.opgaven.push((
            id(n),
            Opgave {
                agenda_id: id(AGENDA),
                groepering_id: groepering.map(id),
                code: c.map(code),
                titel: format!("Opgave {n}"),
                omschrijving: String::new(),
                geprioriteerd: true,
                vervallen: None,
                bijdragen: Vec::new(),
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
                bijdragen: Vec::new(),
            },
            1,
        ));
        self
    }

    pub fn groepering(self, n: u128, niveau: usize, c: Option<&str>) -> Self {
        self.groepering_onder(n, niveau, None, c)
    }

    /// Groepering `n` on `niveau` under groepering `parent` (or at the top).
    pub fn groepering_onder(
        mut self,
        n: u128,
        niveau: usize,
        parent: Option<u128>,
        c: Option<&str>,
    ) -> Self {
        self.groeperingen.push((
            id(n),
            Groepering {
                agenda_id: id(AGENDA),
                niveau,
                bovenliggende_groepering_id: parent.map(id),
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
    fn codes_op(&self, plek: Plek) -> Vec<(Uuid, Code)> {
        let coded = |id: Uuid, c: &Option<Code>| c.clone().map(|c| (id, c));
        match plek {
            Plek::Groepering {
                agenda_id,
                bovenliggende,
            } => self
                .groeperingen
                .iter()
                .filter(|g| {
                    g.1.agenda_id == agenda_id && g.1.bovenliggende_groepering_id == bovenliggende
                })
                .filter_map(|g| coded(g.0, &g.1.code))
                .collect(),
            Plek::Opgave {
                agenda_id,
                groepering,
            } => self
                .opgaven
                .iter()
                .filter(|o| o.1.agenda_id == agenda_id && o.1.groepering_id == groepering)
                .filter_map(|o| coded(o.0, &o.1.code))
                .collect(),
            Plek::Doel {
                opgave_id,
                bovenliggend,
            } => self
                .doelen
                .iter()
                .filter(|d| match bovenliggend {
                    Some(p) => d.1.bovenliggend_doel_id == Some(p),
                    None => d.1.opgave_id == opgave_id && d.1.bovenliggend_doel_id.is_none(),
                })
                .filter_map(|d| coded(d.0, &d.1.code))
                .collect(),
        }
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
    fn subgroeperingen(&self, groepering_id: Uuid) -> Vec<Uuid> {
        let mut subs: Vec<Uuid> = self
            .groeperingen
            .iter()
            .filter(|g| g.1.bovenliggende_groepering_id == Some(groepering_id))
            .map(|g| g.0)
            .collect();
        subs.sort();
        subs
    }
    fn opgaven_in(&self, groepering_id: Uuid) -> Vec<Uuid> {
        let mut opgaven: Vec<Uuid> = self
            .opgaven
            .iter()
            .filter(|o| o.1.groepering_id == Some(groepering_id))
            .map(|o| o.0)
            .collect();
        opgaven.sort();
        opgaven
    }
}

impl CodeBoom for Structuur {
    fn groepering_knoop(&self, id: Uuid) -> Option<&Groepering> {
        find(&self.groeperingen, id).map(|x| x.0)
    }
    fn opgave_knoop(&self, id: Uuid) -> Option<&Opgave> {
        find(&self.opgaven, id).map(|x| x.0)
    }
    fn doel_knoop(&self, id: Uuid) -> Option<&Doel> {
        find(&self.doelen, id).map(|x| x.0)
    }
}
