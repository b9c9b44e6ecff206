//! Reads an agenda file (`mag-tracker/agenda`, the export's JSON tree shape)
//! and turns it into the events that create it, in one atomic batch.
//!
//! Everything is validated first and every problem is reported with its path
//! (`agenda.groeperingen[0].opgaven[2].code`); on any problem nothing is
//! created. The Twenterand demo agenda (`src/demo/twenterand-2024.json`) is
//! such a file.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::domain::actie::kenmerk::{self, KenmerkRegister};
use crate::domain::actie::{Kenmerk, Trekker};
use crate::domain::events::*;
use crate::domain::gemeente::{self, Uitvoeringsperiode};
use crate::domain::structuur::Plek;
use crate::domain::Foutcode;
use crate::domain::{Code, Event, FieldError};
use crate::event_store::ExpectedVersion;
use crate::projections::ReadModel;
use crate::service::StreamEvents;

pub mod apply;
pub mod bestand;
mod bijdragen;
pub mod csv;
pub mod export;
mod indicatoren;

pub use bestand::{
    ActieIn, AgendaFile, AgendaIn, DoelIn, GroeperingIn, NiveauIn, OpgaveIn, OrganisatieIn,
    TrekkerIn,
};

pub use indicatoren::{IndicatorIn, MetingIn, WaardeIn};

/// The Twenterand Maatschappelijke Agenda 2024, transcribed (see src/demo/README.md).
pub const TWENTERAND_2024: &str = include_str!("../demo/twenterand-2024.json");

/// What an import creates, counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub agenda_id: Uuid,
    pub organisaties: usize,
    pub groeperingen: usize,
    pub opgaven: usize,
    pub doelen: usize,
    pub acties: usize,
    pub indicatoren: usize,
}

/// The events of an import plus what they create.
pub struct ImportPlan {
    pub streams: Vec<StreamEvents>,
    pub summary: ImportSummary,
}

/// Parses the file's JSON (`null` read as absent) without checking it
/// against its schema (the HTTP layer does that, naming every problem); a
/// syntax or shape error is one problem with its location.
pub fn parse(json: &str) -> Result<AgendaFile, Vec<FieldError>> {
    let problem = |e: serde_json::Error| {
        vec![FieldError {
            field: format!("regel {} kolom {}", e.line(), e.column()),
            code: Foutcode::InvalidAgendaFile,
            message: format!("Het agendabestand is ongeldig: {e}"),
        }]
    };
    bestand::from_value(serde_json::from_str(json).map_err(problem)?).map_err(problem)
}

struct Planner {
    agenda_id: Uuid,
    period: (NaiveDate, NaiveDate),
    /// The agenda's gemeenten and their uitvoeringsperioden (checked).
    gemeenten: (Vec<String>, Vec<Uitvoeringsperiode>),
    orgs: HashMap<String, Uuid>,
    /// Codes given in the file, by the place they must be unique at
    /// (lower case).
    codes: HashSet<(Plek, String)>,
    /// Kenmerken given in the file, and the highest number per prefix.
    kenmerken: HashSet<String>,
    volgnummers: HashMap<String, u32>,
    /// Acties without a kenmerk in the file: their stream and prefix,
    /// given one when the whole file is read.
    zonder_kenmerk: Vec<(usize, Option<Code>)>,
    /// The file's groeperingen and the contributions that name them.
    bijdragen: bijdragen::Bijdragen,
    errors: Vec<FieldError>,
    streams: Vec<StreamEvents>,
    summary: ImportSummary,
}

impl KenmerkRegister for Planner {
    fn hoogste_volgnummer(&self, _agenda_id: Uuid, prefix: &str) -> u32 {
        self.volgnummers.get(prefix).copied().unwrap_or(0)
    }
}

impl Planner {
    fn problem(&mut self, field: String, code: Foutcode, message: String) {
        self.errors.push(FieldError {
            field,
            code,
            message,
        });
    }

    fn create(&mut self, events: Vec<Event>) -> Uuid {
        let id = Uuid::now_v7();
        self.streams.push(StreamEvents {
            stream_id: id,
            expected: ExpectedVersion::NoStream,
            events,
        });
        id
    }

    /// A vervallen opgave or doel is created and then vervallen, in its own
    /// stream (as the API records it); the reason is required, as in the API.
    fn vervalreden(&mut self, path: &str, raw: Option<&str>) -> Option<String> {
        let reden = raw?;
        if reden.trim().is_empty() {
            self.problem(
                format!("{path}.vervalreden"),
                Foutcode::Required,
                "Een vervallen onderdeel heeft een reden nodig; laat vervalreden weg als het niet vervallen is.".into(),
            );
            return None;
        }
        Some(reden.to_owned())
    }

    /// The item's code, when it has one: valid, and not given twice among
    /// its siblings at `plek` (case ignored).
    fn code(&mut self, path: &str, raw: Option<&str>, plek: Plek) -> Option<Code> {
        match Code::parse(raw?) {
            Err(reason) => {
                self.problem(format!("{path}.code"), Foutcode::InvalidCode, reason);
                None
            }
            Ok(code) => {
                if !self
                    .codes
                    .insert((plek, code.as_str().to_ascii_lowercase()))
                {
                    self.problem(
                        format!("{path}.code"),
                        Foutcode::DuplicateCode,
                        format!(
                            "Code {code} komt meer dan eens voor: al in gebruik {}.",
                            plek.waar()
                        ),
                    );
                }
                Some(code)
            }
        }
    }

    /// The item's weergavecode, derived from its code and its parent's
    /// (`parent`; none at the top of the agenda); a `weergavecode` in the
    /// file is information only and must agree with it.
    fn weergave(
        &mut self,
        path: &str,
        code: Option<&Code>,
        parent: Option<&Weergave>,
        given: Option<&str>,
    ) -> Weergave {
        let derived =
            crate::domain::code::weergavecode(code, || parent.and_then(|p| p.code.clone()));
        let verankerd = crate::domain::code::verankerd(code, || parent.map(|p| p.verankerd));
        if let Some(g) = given.map(str::trim) {
            if derived
                .as_ref()
                .is_none_or(|d| !d.as_str().eq_ignore_ascii_case(g))
            {
                let afgeleid = derived
                    .as_ref()
                    .map_or("geen (het onderdeel heeft geen code)".to_owned(), |d| {
                        d.to_string()
                    });
                self.problem(
                    format!("{path}.weergavecode"),
                    Foutcode::WeergavecodeMismatch,
                    format!("Weergavecode {g:?} past niet bij de codes: afgeleid is {afgeleid}. De weergavecode volgt uit de codes; laat haar weg of pas code aan."),
                );
            }
        }
        Weergave {
            code: derived,
            verankerd,
        }
    }

    fn groepering(
        &mut self,
        path: String,
        g: &GroeperingIn,
        niveau: usize,
        parent: Option<(Uuid, Weergave)>,
        levels: usize,
    ) {
        if niveau >= levels {
            self.problem(path.clone(), Foutcode::UnknownLevel, format!("De agenda heeft {levels} groeperingsniveau(s); deze groepering ligt dieper. Vul groeperingsniveaus aan."));
        }
        let (parent, parent_code) = (parent.as_ref().map(|p| p.0), parent.map(|p| p.1));
        let plek = Plek::Groepering {
            agenda_id: self.agenda_id,
            bovenliggende: parent,
        };
        let code = self.code(&path, g.code.as_deref(), plek);
        let weergave = self.weergave(
            &path,
            code.as_ref(),
            parent_code.as_ref(),
            g.weergavecode.as_deref(),
        );
        let id = self.create(vec![Event::GroeperingAangemaakt(GroeperingAangemaakt {
            agenda_id: self.agenda_id,
            niveau,
            bovenliggende_groepering_id: parent,
            code,
            naam: g.naam.clone(),
            omschrijving: g.omschrijving.clone(),
        })]);
        self.summary.groeperingen += 1;
        self.bijdragen.groepering(
            &path,
            id,
            (g.sleutel.as_deref(), &g.naam, niveau),
            &mut self.errors,
        );
        for (i, child) in g.groeperingen.iter().enumerate() {
            self.groepering(
                format!("{path}.groeperingen[{i}]"),
                child,
                niveau + 1,
                Some((id, weergave.clone())),
                levels,
            );
        }
        for (i, o) in g.opgaven.iter().enumerate() {
            self.opgave(
                format!("{path}.opgaven[{i}]"),
                o,
                Some((id, weergave.clone())),
            );
        }
    }

    fn opgave(&mut self, path: String, o: &OpgaveIn, groepering: Option<(Uuid, Weergave)>) {
        let (groepering, groepering_code) =
            (groepering.as_ref().map(|g| g.0), groepering.map(|g| g.1));
        let plek = Plek::Opgave {
            agenda_id: self.agenda_id,
            groepering,
        };
        let code = self.code(&path, o.code.as_deref(), plek);
        let weergave = self.weergave(
            &path,
            code.as_ref(),
            groepering_code.as_ref(),
            o.weergavecode.as_deref(),
        );
        if o.titel.trim().is_empty() {
            self.problem(
                format!("{path}.titel"),
                Foutcode::Required,
                "Titel is verplicht.".into(),
            );
        }
        let mut events = vec![Event::OpgaveAangemaakt(OpgaveAangemaakt {
            agenda_id: self.agenda_id,
            groepering_id: groepering,
            code,
            titel: o.titel.clone(),
            omschrijving: o.omschrijving.clone(),
            geprioriteerd: o.geprioriteerd,
        })];
        if let Some(reden) = self.vervalreden(&path, o.vervalreden.as_deref()) {
            events.push(Event::OpgaveVervallen(Vervallen { reden }));
        }
        let id = self.create(events);
        self.bijdragen.opgave(id, groepering);
        self.bijdragen.bijdrager(
            &path,
            self.streams.len() - 1,
            &o.bijdragen_aan,
            groepering,
            true,
        );
        self.summary.opgaven += 1;
        for (i, d) in o.doelen.iter().enumerate() {
            self.doel(format!("{path}.doelen[{i}]"), d, id, None, &weergave);
        }
        for (i, a) in o.acties.iter().enumerate() {
            self.actie(
                format!("{path}.acties[{i}]"),
                a,
                id,
                None,
                weergave.referentie(),
            );
        }
    }

    /// `parent`: the doel above a sub-doel, with its weergavecode;
    /// `opgave_code`: the opgave's weergavecode.
    fn doel(
        &mut self,
        path: String,
        d: &DoelIn,
        opgave: Uuid,
        parent: Option<(Uuid, &Weergave)>,
        opgave_code: &Weergave,
    ) {
        let (parent, parent_code) = (parent.map(|p| p.0), parent.map(|p| p.1));
        let plek = Plek::Doel {
            opgave_id: opgave,
            bovenliggend: parent,
        };
        let code = self.code(&path, d.code.as_deref(), plek);
        let above = parent_code.unwrap_or(opgave_code);
        let weergave = self.weergave(&path, code.as_ref(), Some(above), d.weergavecode.as_deref());
        if d.titel.trim().is_empty() {
            self.problem(
                format!("{path}.titel"),
                Foutcode::Required,
                "Titel is verplicht.".into(),
            );
        }
        let mut events = vec![Event::DoelAangemaakt(DoelAangemaakt {
            agenda_id: self.agenda_id,
            opgave_id: opgave,
            bovenliggend_doel_id: parent,
            code: code.clone(),
            titel: d.titel.clone(),
            omschrijving: d.omschrijving.clone(),
            geprioriteerd: d.geprioriteerd,
        })];
        if let Some(reden) = self.vervalreden(&path, d.vervalreden.as_deref()) {
            events.push(Event::DoelVervallen(Vervallen { reden }));
        }
        let id = self.create(events);
        let primair = self.bijdragen.groepering_van(opgave);
        self.bijdragen.bijdrager(
            &path,
            self.streams.len() - 1,
            &d.bijdragen_aan,
            primair,
            false,
        );
        self.summary.doelen += 1;
        for (i, ind) in d.indicatoren.iter().enumerate() {
            self.indicator(format!("{path}.indicatoren[{i}]"), ind, id);
        }
        if parent.is_some() && !d.subdoelen.is_empty() {
            self.problem(
                format!("{path}.subdoelen"),
                Foutcode::NestedSubdoel,
                "Een sub-doel kan zelf geen sub-doelen hebben.".into(),
            );
        }
        for (i, sub) in d.subdoelen.iter().enumerate() {
            self.doel(
                format!("{path}.subdoelen[{i}]"),
                sub,
                opgave,
                Some((id, &weergave)),
                opgave_code,
            );
        }
        // The kenmerk rule (`kenmerk::prefix`): the weergavecode of the
        // nearest level whose code names it within the agenda.
        let prefix = weergave
            .referentie()
            .or_else(|| parent_code.and_then(Weergave::referentie))
            .or_else(|| opgave_code.referentie());
        for (i, a) in d.acties.iter().enumerate() {
            self.actie(
                format!("{path}.acties[{i}]"),
                a,
                opgave,
                Some(id),
                prefix.clone(),
            );
        }
    }

    fn org(&mut self, field: String, naam: &str) -> Option<Uuid> {
        let found = self.orgs.get(&crate::domain::naam::key(naam)).copied();
        if found.is_none() {
            self.problem(field, Foutcode::UnknownOrganisatie, format!("Organisatie {naam:?} is onbekend: neem haar op in 'organisaties' of registreer haar eerst."));
        }
        found
    }

    fn kenmerk(&mut self, path: &str, raw: Option<&str>, prefix: Option<Code>) -> Option<Kenmerk> {
        let Some(raw) = raw else {
            self.zonder_kenmerk.push((self.streams.len(), prefix));
            return None;
        };
        match Kenmerk::parse(raw) {
            Err(reason) => {
                self.problem(format!("{path}.kenmerk"), Foutcode::InvalidKenmerk, reason);
                None
            }
            Ok(k) => {
                if !self.kenmerken.insert(k.to_string()) {
                    self.problem(
                        format!("{path}.kenmerk"),
                        Foutcode::DuplicateKenmerk,
                        format!("Kenmerk {k} komt meer dan eens voor in de agenda."),
                    );
                }
                let highest = self.volgnummers.entry(k.prefix().to_owned()).or_default();
                *highest = (*highest).max(k.volgnummer());
                Some(k)
            }
        }
    }

    /// Gives every actie the file left without a kenmerk one, in file
    /// order, past the highest the file gives with the same code.
    fn assign_kenmerken(&mut self) {
        let agenda_id = self.agenda_id;
        for (stream, prefix) in std::mem::take(&mut self.zonder_kenmerk) {
            let k = kenmerk::volgende(&*self, agenda_id, prefix.as_ref());
            let highest = self.volgnummers.entry(k.prefix().to_owned()).or_default();
            *highest = (*highest).max(k.volgnummer());
            if let Some(Event::ActieAangemaakt(e)) = self.streams[stream].events.first_mut() {
                e.kenmerk = Some(k);
            }
        }
    }

    fn actie(
        &mut self,
        path: String,
        a: &ActieIn,
        opgave: Uuid,
        doel: Option<Uuid>,
        prefix: Option<Code>,
    ) {
        let kenmerk = self.kenmerk(&path, a.kenmerk.as_deref(), prefix);
        if a.omschrijving.trim().is_empty() {
            self.problem(
                format!("{path}.omschrijving"),
                Foutcode::Required,
                "Omschrijving is verplicht.".into(),
            );
        }
        for (field, date) in [
            ("geplandeStartDatum", a.geplande_start_datum),
            ("geplandeEindDatum", a.geplande_eind_datum),
        ] {
            if let Some(d) = date {
                if d < self.period.0 || d > self.period.1 {
                    self.problem(
                        format!("{path}.{field}"),
                        Foutcode::OutsidePeriod,
                        format!(
                            "{d} ligt buiten de periode van de agenda ({} t/m {}).",
                            self.period.0, self.period.1
                        ),
                    );
                }
            }
        }
        let trekker = match &a.trekker {
            None => None,
            Some(TrekkerIn {
                organisatie: Some(naam),
                groep: None,
            }) => self
                .org(format!("{path}.trekker.organisatie"), naam)
                .map(|id| Trekker::Organisatie { organisatie_id: id }),
            Some(TrekkerIn {
                organisatie: None,
                groep: Some(naam),
            }) if !crate::domain::naam::normalise(naam).is_empty() => Some(Trekker::Groep {
                naam: crate::domain::naam::normalise(naam),
            }),
            Some(_) => {
                self.problem(
                    format!("{path}.trekker"),
                    Foutcode::InvalidTrekker,
                    "Een trekker is óf {\"organisatie\": naam} óf {\"groep\": naam}, of null."
                        .into(),
                );
                None
            }
        };
        let partners = a
            .partners
            .iter()
            .enumerate()
            .filter_map(|(i, naam)| self.org(format!("{path}.partners[{i}]"), naam))
            .collect();
        let (alle, perioden) = &self.gemeenten;
        let field = format!("{path}.gemeenten");
        let gemeenten = gemeente::van_actie(alle, &a.gemeenten, &field, &mut self.errors);
        let planning = gemeente::Planning {
            jaar: a.jaar,
            geplande_start_datum: a.geplande_start_datum,
            geplande_eind_datum: a.geplande_eind_datum,
        };
        let prefix = format!("{path}.");
        gemeente::binnen_uitvoering(perioden, &gemeenten, &planning, &prefix, &mut self.errors);
        self.create(vec![Event::ActieAangemaakt(ActieAangemaakt {
            kenmerk,
            agenda_id: self.agenda_id,
            opgave_id: opgave,
            doel_id: doel,
            omschrijving: a.omschrijving.clone(),
            jaar: a.jaar,
            geplande_start_datum: a.geplande_start_datum,
            geplande_eind_datum: a.geplande_eind_datum,
            trekker,
            partners,
            status: a.status,
            gemeenten,
        })]);
        self.summary.acties += 1;
    }
}

/// Validates the whole file against the current state and plans its events.
pub fn plan(file: &AgendaFile, model: &ReadModel) -> Result<ImportPlan, Vec<FieldError>> {
    let a = &file.agenda;
    let gemeenten: Vec<String> = a
        .gemeenten
        .iter()
        .map(|g| crate::domain::naam::normalise(g))
        .collect();
    let period = (a.periode_start_datum, a.periode_eind_datum);
    let mut errors = Vec::new();
    let perioden = gemeente::uitvoeringsperioden(
        &gemeenten,
        period,
        a.uitvoeringsperioden
            .iter()
            .cloned()
            .map(Into::into)
            .collect(),
        "agenda.uitvoeringsperioden",
        &mut errors,
    );
    let mut p = Planner {
        agenda_id: Uuid::now_v7(),
        period,
        gemeenten: (gemeenten, perioden),
        orgs: HashMap::new(),
        codes: HashSet::new(),
        kenmerken: HashSet::new(),
        volgnummers: HashMap::new(),
        zonder_kenmerk: Vec::new(),
        bijdragen: bijdragen::Bijdragen::default(),
        errors,
        streams: Vec::new(),
        summary: ImportSummary::default(),
    };
    if file.formaat != bestand::FORMAAT || !bestand::FORMAAT_VERSIES.contains(&file.formaat_versie)
    {
        p.problem(
            "formaat".into(),
            Foutcode::UnknownFormat,
            "Verwacht formaat \"mag-tracker/agenda\" versie 1.".into(),
        );
    }
    if crate::domain::naam::normalise(&a.naam).is_empty() {
        p.problem(
            "agenda.naam".into(),
            Foutcode::Required,
            "De agenda heeft een naam nodig.".into(),
        );
    }
    if a.gemeenten.is_empty() {
        p.problem(
            "agenda.gemeenten".into(),
            Foutcode::Required,
            "Noem minstens één gemeente.".into(),
        );
    }
    if a.periode_eind_datum < a.periode_start_datum {
        p.problem(
            "agenda.periodeEindDatum".into(),
            Foutcode::InvalidPeriod,
            "De einddatum ligt voor de startdatum.".into(),
        );
    }
    // Organisations already registered are reused by name (the same name as
    // the API's uniqueness check: normalised, any case); new ones are created.
    for (id, o) in &model.organisaties {
        p.orgs.insert(crate::domain::naam::key(&o.state.naam), *id);
    }
    for (i, o) in file.organisaties.iter().enumerate() {
        if crate::domain::naam::normalise(&o.naam).is_empty() {
            p.problem(
                format!("organisaties[{i}].naam"),
                Foutcode::Required,
                "Naam is verplicht.".into(),
            );
            continue;
        }
        let normalised = crate::domain::naam::normalise(&o.naam);
        let key = crate::domain::naam::key(&o.naam);
        if p.orgs.contains_key(&key) {
            if file.organisaties[..i]
                .iter()
                .any(|x| crate::domain::naam::same(&x.naam, &o.naam))
            {
                p.problem(
                    format!("organisaties[{i}].naam"),
                    Foutcode::DuplicateOrganisatie,
                    format!("Organisatie {:?} staat dubbel in de lijst.", o.naam),
                );
            }
            continue;
        }
        let id = p.create(vec![Event::OrganisatieGeregistreerd(
            OrganisatieGeregistreerd {
                naam: normalised,
                soort: o.soort,
                contactadres: o.contactadres.clone(),
            },
        )]);
        p.orgs.insert(key, id);
        p.summary.organisaties += 1;
    }
    let agenda_id = p.agenda_id;
    p.streams.push(StreamEvents {
        stream_id: agenda_id,
        expected: ExpectedVersion::NoStream,
        events: vec![Event::AgendaAangemaakt(AgendaAangemaakt {
            naam: crate::domain::naam::normalise(&a.naam),
            omschrijving: a.omschrijving.clone(),
            gemeenten: p.gemeenten.0.clone(),
            periode_start_datum: a.periode_start_datum,
            periode_eind_datum: a.periode_eind_datum,
            status: a.status,
            gepubliceerd: a.gepubliceerd,
            signaleringstermijn_dagen: a.signaleringstermijn_dagen,
            groeperingsniveaus: a
                .groeperingsniveaus
                .iter()
                .cloned()
                .map(Into::into)
                .collect(),
            uitvoeringsperioden: p.gemeenten.1.clone(),
        })],
    });
    let levels = a.groeperingsniveaus.len();
    for (i, g) in a.groeperingen.iter().enumerate() {
        p.groepering(format!("agenda.groeperingen[{i}]"), g, 0, None, levels);
    }
    for (i, o) in a.opgaven.iter().enumerate() {
        p.opgave(format!("agenda.opgaven[{i}]"), o, None);
    }
    p.assign_kenmerken();
    let b = std::mem::take(&mut p.bijdragen);
    let niveaus: Vec<String> = a
        .groeperingsniveaus
        .iter()
        .map(|n| n.meervoud.clone())
        .collect();
    b.resolve(&niveaus, &mut p.streams, &mut p.errors);
    p.summary.agenda_id = agenda_id;
    if p.errors.is_empty() {
        Ok(ImportPlan {
            streams: p.streams,
            summary: p.summary,
        })
    } else {
        Err(p.errors)
    }
}

/// An item's weergavecode while the file is read, and whether it names the
/// item within the agenda ([`crate::domain::code::verankerd`]): only then
/// may an actie's kenmerk start with it.
#[derive(Clone)]
struct Weergave {
    code: Option<Code>,
    verankerd: bool,
}

impl Weergave {
    fn referentie(&self) -> Option<Code> {
        self.code.clone().filter(|_| self.verankerd)
    }
}
