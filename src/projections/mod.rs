//! Read models built only from events. The [`ReadModel`] holds the current
//! state of every aggregate plus lookup indexes; it is rebuilt from the log at
//! startup and kept current by the store's commit listener, before each append
//! is acknowledged (read-your-writes).

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::actie::Actie;
use crate::domain::agenda::{Agenda, Groepering};
use crate::domain::doel::Doel;
use crate::domain::opgave::Opgave;
use crate::domain::organisatie::Organisatie;
use crate::domain::{Code, Event};
use crate::event_store::{CommitListener, RecordedEvent};

/// An aggregate's state with what the log says about it.
#[derive(Debug, Clone)]
pub struct Entity<T> {
    pub id: Uuid,
    pub state: T,
    /// Stream version: the resource's ETag.
    pub version: u64,
    pub aangemaakt: DateTime<Utc>,
    pub gewijzigd: DateTime<Utc>,
}

#[derive(Debug, Default, Clone)]
pub struct ReadModel {
    /// Position of the last event applied.
    pub position: u64,
    pub organisaties: HashMap<Uuid, Entity<Organisatie>>,
    pub agendas: HashMap<Uuid, Entity<Agenda>>,
    pub groeperingen: HashMap<Uuid, Entity<Groepering>>,
    pub opgaven: HashMap<Uuid, Entity<Opgave>>,
    pub doelen: HashMap<Uuid, Entity<Doel>>,
    pub acties: HashMap<Uuid, Entity<Actie>>,
    opgave_codes: HashMap<(Uuid, Code), Uuid>,
    doel_codes: HashMap<(Uuid, Code), Uuid>,
}

fn evolve<T>(map: &mut HashMap<Uuid, Entity<T>>, e: &RecordedEvent, f: impl FnOnce(&mut T)) {
    if let Some(entity) = map.get_mut(&e.stream_id) {
        f(&mut entity.state);
        entity.version = e.version;
        entity.gewijzigd = e.recorded_at;
    }
}

fn insert<T>(map: &mut HashMap<Uuid, Entity<T>>, e: &RecordedEvent, state: T) {
    map.insert(
        e.stream_id,
        Entity {
            id: e.stream_id,
            state,
            version: e.version,
            aangemaakt: e.recorded_at,
            gewijzigd: e.recorded_at,
        },
    );
}

impl ReadModel {
    /// Applies one stored event. Fails only when the event cannot be decoded.
    pub fn apply(&mut self, recorded: &RecordedEvent) -> Result<(), String> {
        let event = Event::decode(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        )?;
        let at = recorded.recorded_at;
        let r = recorded;
        match &event {
            Event::OrganisatieGeregistreerd(e) => {
                insert(&mut self.organisaties, r, Organisatie::created(e))
            }
            Event::AgendaAangemaakt(e) => insert(&mut self.agendas, r, Agenda::created(e)),
            Event::GroeperingAangemaakt(e) => {
                insert(&mut self.groeperingen, r, Groepering::created(e))
            }
            Event::OpgaveAangemaakt(e) => {
                self.opgave_codes
                    .insert((e.agenda_id, e.code.clone()), r.stream_id);
                insert(&mut self.opgaven, r, Opgave::created(e));
            }
            Event::DoelAangemaakt(e) => {
                if let Some(code) = &e.code {
                    self.doel_codes
                        .insert((e.agenda_id, code.clone()), r.stream_id);
                }
                insert(&mut self.doelen, r, Doel::created(e));
            }
            Event::ActieAangemaakt(e) => insert(&mut self.acties, r, Actie::created(e, at)),
            Event::TrekkerGewijzigd(_)
            | Event::ActieStatusGewijzigd(_)
            | Event::VoortgangsberichtToegevoegd(_) => {
                evolve(&mut self.acties, r, |a| a.apply(&event, at))
            }
        }
        self.position = r.position;
        Ok(())
    }

    pub fn opgave_by_code(&self, agenda_id: Uuid, code: &Code) -> Option<Uuid> {
        self.opgave_codes.get(&(agenda_id, code.clone())).copied()
    }

    pub fn doel_by_code(&self, agenda_id: Uuid, code: &Code) -> Option<Uuid> {
        self.doel_codes.get(&(agenda_id, code.clone())).copied()
    }

    /// Whether a code is taken by an opgave, doel or groepering of the agenda.
    pub fn code_in_use(&self, agenda_id: Uuid, code: &Code) -> bool {
        self.opgave_by_code(agenda_id, code).is_some()
            || self.doel_by_code(agenda_id, code).is_some()
            || self
                .groeperingen
                .values()
                .any(|g| g.state.agenda_id == agenda_id && g.state.code.as_ref() == Some(code))
    }
}

/// The live read model, shared between the store's writer (which applies
/// committed events) and the request handlers (which read).
#[derive(Default)]
pub struct Projection {
    model: RwLock<ReadModel>,
}

impl Projection {
    pub fn new(model: ReadModel) -> Arc<Self> {
        Arc::new(Self {
            model: RwLock::new(model),
        })
    }

    pub fn read(&self) -> RwLockReadGuard<'_, ReadModel> {
        self.model.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl CommitListener for Projection {
    fn committed(&self, events: &[RecordedEvent]) {
        let mut model = self.model.write().unwrap_or_else(|e| e.into_inner());
        for e in events {
            if let Err(error) = model.apply(e) {
                // Only events this program wrote reach here; log loudly.
                tracing::error!(position = e.position, %error, "projection could not apply event");
            }
        }
    }
}
