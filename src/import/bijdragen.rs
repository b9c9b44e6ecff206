//! Contributions in an agenda file: an opgave's or doel's `bijdragenAan`
//! names groeperingen of the same file by their `sleutel` (a file-local
//! name), else by their `naam` (compared as the API compares names). Every
//! reference is resolved when the whole file is read, so a contribution may
//! name a groepering further down; each becomes an `…BijdrageToegevoegd`
//! event in the contributing item's own stream, after its creation. A
//! reference to a groepering the file does not define is refused (never a
//! groepering made up), naming the groeperingen it does define.

use std::collections::HashMap;

use uuid::Uuid;

use crate::domain::events::BijdrageToegevoegd;
use crate::domain::{Event, FieldError, Foutcode};
use crate::service::StreamEvents;

struct Groep {
    id: Uuid,
    sleutel: Option<String>,
    naam: String,
    /// Its level (an index into the agenda's `groeperingsniveaus`).
    niveau: usize,
}

struct Bijdrager {
    path: String,
    stream: usize,
    refs: Vec<String>,
    primair: Option<Uuid>,
    opgave: bool,
}

#[derive(Default)]
pub struct Bijdragen {
    groepen: Vec<Groep>,
    sleutels: HashMap<String, String>,
    bijdragers: Vec<Bijdrager>,
    /// Each opgave's groepering (a doel's primary one).
    opgaven: HashMap<Uuid, Option<Uuid>>,
}

fn problem(errors: &mut Vec<FieldError>, field: String, code: Foutcode, message: String) {
    errors.push(FieldError {
        field,
        code,
        message,
    });
}

impl Bijdragen {
    /// A groepering of the file, at `path`, with its optional sleutel.
    pub fn groepering(
        &mut self,
        path: &str,
        id: Uuid,
        (sleutel, naam, niveau): (Option<&str>, &str, usize),
        errors: &mut Vec<FieldError>,
    ) {
        let sleutel = sleutel.map(str::trim);
        if let Some(s) = sleutel {
            if s.is_empty() {
                problem(
                    errors,
                    format!("{path}.sleutel"),
                    Foutcode::Required,
                    "Een sleutel is niet leeg; laat haar weg als niets naar deze groepering verwijst.".into(),
                );
            } else if let Some(first) = self.sleutels.get(s) {
                problem(
                    errors,
                    format!("{path}.sleutel"),
                    Foutcode::DuplicateSleutel,
                    format!("Sleutel '{s}' staat ook bij {first}; een sleutel komt één keer voor in het bestand."),
                );
            } else {
                self.sleutels.insert(s.to_owned(), path.to_owned());
            }
        }
        self.groepen.push(Groep {
            id,
            sleutel: sleutel.filter(|s| !s.is_empty()).map(str::to_owned),
            naam: naam.to_owned(),
            niveau,
        });
    }

    /// An opgave of the file and its groepering.
    pub fn opgave(&mut self, id: Uuid, groepering: Option<Uuid>) {
        self.opgaven.insert(id, groepering);
    }

    /// The groepering of an opgave of the file.
    pub fn groepering_van(&self, opgave: Uuid) -> Option<Uuid> {
        self.opgaven.get(&opgave).copied().flatten()
    }

    /// An opgave or doel at `path` (its creating events in `stream`) with
    /// its references; `primair` is its own groepering (for a doel: its
    /// opgave's).
    pub fn bijdrager(
        &mut self,
        path: &str,
        stream: usize,
        refs: &[String],
        primair: Option<Uuid>,
        opgave: bool,
    ) {
        if refs.is_empty() {
            return;
        }
        self.bijdragers.push(Bijdrager {
            path: path.to_owned(),
            stream,
            refs: refs.to_vec(),
            primair,
            opgave,
        });
    }

    fn find(&self, r: &str) -> Result<&Groep, Foutcode> {
        if let Some(g) = self
            .groepen
            .iter()
            .find(|g| g.sleutel.as_deref() == Some(r))
        {
            return Ok(g);
        }
        let mut named = self
            .groepen
            .iter()
            .filter(|g| crate::domain::naam::same(&g.naam, r));
        match (named.next(), named.next()) {
            (Some(g), None) => Ok(g),
            (Some(_), Some(_)) => Err(Foutcode::AmbiguousGroepering),
            _ => Err(Foutcode::UnknownGroepering),
        }
    }

    /// The groeperingen the file does have, per level (`niveaus`: the
    /// plural names of the agenda's levels): what an unknown reference
    /// could have meant.
    fn bekend(&self, niveaus: &[String]) -> String {
        const MAX: usize = 20;
        let mut delen = Vec::new();
        for niveau in 0..niveaus.len().max(1) {
            let namen: Vec<String> = self
                .groepen
                .iter()
                .filter(|g| g.niveau == niveau)
                .map(|g| format!("'{}'", g.naam))
                .collect();
            if namen.is_empty() {
                continue;
            }
            let soort = niveaus.get(niveau).map_or("groeperingen", String::as_str);
            let meer = match namen.len().saturating_sub(MAX) {
                0 => String::new(),
                n => format!(" en nog {n}"),
            };
            let lijst = namen[..namen.len().min(MAX)].join(", ");
            delen.push(format!("{soort} {lijst}{meer}"));
        }
        if delen.is_empty() {
            "Het bestand heeft geen groeperingen.".into()
        } else {
            format!("Het bestand heeft de {}.", delen.join("; de "))
        }
    }

    /// Resolves every reference and adds the events to the streams; an
    /// unknown one is named with the groeperingen the file does have
    /// (`niveaus`: the plural names of the agenda's levels).
    pub fn resolve(
        self,
        niveaus: &[String],
        streams: &mut [StreamEvents],
        errors: &mut Vec<FieldError>,
    ) {
        for b in &self.bijdragers {
            let mut seen: Vec<Uuid> = Vec::new();
            for (i, raw) in b.refs.iter().enumerate() {
                let field = format!("{}.bijdragenAan[{i}]", b.path);
                let r = raw.trim();
                let g = match self.find(r) {
                    Ok(g) => g,
                    Err(Foutcode::AmbiguousGroepering) => {
                        problem(errors, field, Foutcode::AmbiguousGroepering, format!("Meer dan één groepering in het bestand heet '{r}'; geef de bedoelde een sleutel en verwijs daarnaar."));
                        continue;
                    }
                    Err(code) => {
                        problem(
                            errors,
                            field,
                            code,
                            format!(
                                "Er is geen groepering met sleutel of naam '{r}' in het bestand. {}",
                                self.bekend(niveaus)
                            ),
                        );
                        continue;
                    }
                };
                if b.primair == Some(g.id) {
                    problem(errors, field, Foutcode::PrimaryGroepering, format!("'{r}' is de eigen groepering (van de opgave); een bijdrage gaat naar een andere groepering."));
                    continue;
                }
                if seen.contains(&g.id) {
                    problem(
                        errors,
                        field,
                        Foutcode::DuplicateBijdrage,
                        format!("De bijdrage aan '{r}' staat er al."),
                    );
                    continue;
                }
                seen.push(g.id);
                let e = BijdrageToegevoegd {
                    groepering_id: g.id,
                };
                let event = if b.opgave {
                    Event::OpgaveBijdrageToegevoegd(e)
                } else {
                    Event::DoelBijdrageToegevoegd(e)
                };
                // Before a vervallen: the API changes nothing after it.
                let events = &mut streams[b.stream].events;
                let at = events
                    .iter()
                    .position(|e| matches!(e, Event::OpgaveVervallen(_) | Event::DoelVervallen(_)))
                    .unwrap_or(events.len());
                events.insert(at, event);
            }
        }
    }
}
