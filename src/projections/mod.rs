//! Read models built only from events. The [`ReadModel`] holds the current
//! state of every aggregate plus lookup indexes; it is rebuilt from the log at
//! startup and kept current by the store's commit listener, before each append
//! is acknowledged (read-your-writes).

mod agenda_of;
mod bijsturing;
pub mod codes;
pub mod indicator_signaal;
mod pdca;
mod related;
pub mod replay;
pub mod snapshot;
mod view;

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::abonnement::Abonnement;
use crate::domain::actie::kenmerk::{self, KenmerkRegister};
use crate::domain::actie::{Actie, Kenmerk};
use crate::domain::agenda::{Agenda, Groepering};
use crate::domain::checkmoment::Checkmoment;
use crate::domain::doel::Doel;
use crate::domain::indicator::Indicator;
use crate::domain::opgave::Opgave;
use crate::domain::organisatie::Organisatie;
use crate::domain::reflectie::Reflectie;
use crate::domain::token::Token;
use crate::domain::Event;
use crate::event_store::{CommitListener, EventStore, RecordedEvent};

pub use bijsturing::Uitvoering;
pub use pdca::{
    ActieSignaal, GebiedSignaal, IndicatorSignaal, OpenBijsturing, PdcaState, VorigJaar,
};

/// An aggregate's state with what the log says about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Entity<T> {
    pub id: Uuid,
    pub state: T,
    /// Stream version: the resource's ETag.
    pub version: u64,
    #[serde(with = "crate::domain::binary::instant")]
    pub aangemaakt: DateTime<Utc>,
    #[serde(with = "crate::domain::binary::instant")]
    pub gewijzigd: DateTime<Utc>,
}

/// Everything here is serialized as it is into the snapshot file
/// (`snapshot.rs`); a field type that only JSON can read back needs an
/// adapter from `domain::binary`.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReadModel {
    /// Position of the last event applied.
    pub position: u64,
    pub organisaties: HashMap<Uuid, Arc<Entity<Organisatie>>>,
    pub agendas: HashMap<Uuid, Arc<Entity<Agenda>>>,
    pub groeperingen: HashMap<Uuid, Arc<Entity<Groepering>>>,
    pub opgaven: HashMap<Uuid, Arc<Entity<Opgave>>>,
    pub doelen: HashMap<Uuid, Arc<Entity<Doel>>>,
    pub acties: HashMap<Uuid, Arc<Entity<Actie>>>,
    pub reflecties: HashMap<Uuid, Arc<Entity<Reflectie>>>,
    pub indicatoren: HashMap<Uuid, Arc<Entity<Indicator>>>,
    pub checkmomenten: HashMap<Uuid, Arc<Entity<Checkmoment>>>,
    /// Bijsturing id → the checkmoment that holds it.
    pub bijsturingen: HashMap<Uuid, Uuid>,
    /// Bijsturing id → the events that carried it out (`metadata.bijsturingId`).
    pub uitvoeringen: HashMap<Uuid, Vec<Uitvoering>>,
    /// API tokens by id (hash only; see `domain::token`).
    pub tokens: HashMap<Uuid, Arc<Entity<Token>>>,
    /// Webhook subscriptions by id (see `domain::abonnement`; no secrets).
    pub abonnementen: HashMap<Uuid, Arc<Entity<Abonnement>>>,
    /// Actie kenmerken per agenda (see `domain::actie::kenmerk`).
    kenmerken: HashMap<(Uuid, Kenmerk), Uuid>,
    /// (agenda, code prefix or `""`) → the highest kenmerk number given.
    kenmerk_volgnummers: HashMap<(Uuid, String), u32>,
    /// What hangs under what, so per-opgave reads (PDCA, overzicht) do not
    /// walk every actie of the store: acties by doel (or by opgave for an
    /// actie without doel), doelen by opgave, indicatoren by doel,
    /// reflecties by subject.
    index: Index,
}

#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Index {
    acties_by_parent: HashMap<Uuid, BTreeSet<Uuid>>,
    actie_parent: HashMap<Uuid, Uuid>,
    doelen_by_opgave: HashMap<Uuid, BTreeSet<Uuid>>,
    doel_opgave: HashMap<Uuid, Uuid>,
    indicatoren_by_doel: HashMap<Uuid, Vec<Uuid>>,
    reflecties_by_subject: HashMap<Uuid, Vec<Uuid>>,
    /// Opgave or agenda id → position of the last event that may have
    /// changed the PDCA state of that opgave, or of every opgave of that
    /// agenda (see [`ReadModel::pdca_stamp`]).
    pdca_stamps: HashMap<Uuid, u64>,
    /// Position of the last event that may have changed every PDCA state.
    pdca_stamp_all: u64,
    /// Organisatie, opgave or doel id → position of the last event on its
    /// stream: what an actie's DTO reads besides the actie itself (see
    /// [`ReadModel::actie_stamp`]).
    actie_dep_stamps: HashMap<Uuid, u64>,
    /// Append-only ("ever"): every parent a doel (its opgave) or an actie
    /// (its doel, or its opgave when it has none) has had, in both
    /// directions. A superset of what hung under what at any past position:
    /// as-of reads of one opgave use it to find the streams they need
    /// (see `related.rs`).
    ever_children: HashMap<Uuid, BTreeSet<Uuid>>,
    ever_parents: HashMap<Uuid, BTreeSet<Uuid>>,
    /// Checkmomenten by what they are about: their opgave, or their agenda
    /// for an agenda-wide one (fixed when opened).
    checkmomenten_by_scope: HashMap<Uuid, Vec<Uuid>>,
}

/// Which PDCA states an event may change.
#[derive(Debug, Clone, Copy)]
enum PdcaScope {
    /// The opgave with this id.
    Opgave(Uuid),
    /// Every opgave of the agenda with this id.
    Agenda(Uuid),
    /// Every opgave.
    All,
}

impl Index {
    fn link_ever(&mut self, parent: Uuid, child: Uuid) {
        self.ever_children.entry(parent).or_default().insert(child);
        self.ever_parents.entry(child).or_default().insert(parent);
    }
}

/// Moves `child` under `parent` in a one-to-many index.
fn reparent(
    by_parent: &mut HashMap<Uuid, BTreeSet<Uuid>>,
    parent_of: &mut HashMap<Uuid, Uuid>,
    child: Uuid,
    parent: Uuid,
) {
    match parent_of.insert(child, parent) {
        Some(old) if old == parent => return,
        Some(old) => {
            if let Some(set) = by_parent.get_mut(&old) {
                set.remove(&child);
            }
        }
        None => {}
    }
    by_parent.entry(parent).or_default().insert(child);
}

/// What the projections read of an event's envelope (besides its data).
#[derive(Debug, Clone, PartialEq)]
pub struct EventHeader<'a> {
    pub position: u64,
    pub stream_id: Uuid,
    pub stream_type: Cow<'a, str>,
    pub version: u64,
    pub recorded_at: DateTime<Utc>,
    /// `metadata.bijsturingId`.
    pub bijsturing_id: Option<Uuid>,
}

impl<'a> EventHeader<'a> {
    pub fn of(r: &'a RecordedEvent) -> Self {
        Self {
            position: r.position,
            stream_id: r.stream_id,
            stream_type: Cow::Borrowed(&r.stream_type),
            version: r.version,
            recorded_at: r.recorded_at,
            bijsturing_id: r.metadata.bijsturing_id,
        }
    }
}

fn evolve<T: Clone>(
    map: &mut HashMap<Uuid, Arc<Entity<T>>>,
    e: &EventHeader,
    f: impl FnOnce(&mut T),
) {
    if let Some(entity) = map.get_mut(&e.stream_id) {
        let entity = Arc::make_mut(entity);
        f(&mut entity.state);
        entity.version = e.version;
        entity.gewijzigd = e.recorded_at;
    }
}

fn insert<T>(map: &mut HashMap<Uuid, Arc<Entity<T>>>, e: &EventHeader, state: T) {
    map.insert(
        e.stream_id,
        Arc::new(Entity {
            id: e.stream_id,
            state,
            version: e.version,
            aangemaakt: e.recorded_at,
            gewijzigd: e.recorded_at,
        }),
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
        self.apply_decoded(&EventHeader::of(recorded), &event);
        Ok(())
    }

    /// Applies one event already decoded (the replay fast path decodes it
    /// straight from the stored bytes, see [`replay`]).
    pub fn apply_decoded(&mut self, r: &EventHeader<'_>, event: &Event) {
        let at = r.recorded_at;
        // Before and after: an event that moves something (an actie to
        // another doel, ...) changes the PDCA state of both opgaven.
        let scope_before = self.pdca_scope(r, event);
        use Event as E;
        match event {
            E::OrganisatieGeregistreerd(e) => {
                insert(&mut self.organisaties, r, Organisatie::created(e))
            }
            E::OrganisatieGewijzigd(_) => evolve(&mut self.organisaties, r, |o| o.apply(event)),
            E::AgendaAangemaakt(e) => insert(&mut self.agendas, r, Agenda::created(e)),
            E::AgendaGewijzigd(_) => evolve(&mut self.agendas, r, |a| a.apply(event)),
            E::GroeperingAangemaakt(e) => insert(&mut self.groeperingen, r, Groepering::created(e)),
            E::GroeperingGewijzigd(_) | E::GroeperingHernummerd(_) => {
                evolve(&mut self.groeperingen, r, |g| g.apply(event))
            }
            E::OpgaveAangemaakt(e) => insert(&mut self.opgaven, r, Opgave::created(e)),
            E::OpgaveHernummerd(_)
            | E::OpgaveGewijzigd(_)
            | E::OpgaveVervallen(_)
            | E::OpgaveBijdrageToegevoegd(_)
            | E::OpgaveBijdrageVerwijderd(_) => evolve(&mut self.opgaven, r, |o| o.apply(event)),
            E::DoelAangemaakt(e) => insert(&mut self.doelen, r, Doel::created(e)),
            E::DoelHernummerd(_)
            | E::DoelGewijzigd(_)
            | E::DoelVerplaatst(_)
            | E::DoelVervallen(_)
            | E::DoelBijdrageToegevoegd(_)
            | E::DoelBijdrageVerwijderd(_) => evolve(&mut self.doelen, r, |d| d.apply(event)),
            E::ActieAangemaakt(e) => {
                // Events written before kenmerken were recorded get theirs
                // here, in log order, by the rule new acties follow.
                let kenmerk = e
                    .kenmerk
                    .clone()
                    .unwrap_or_else(|| self.volgend_kenmerk(e.agenda_id, e.opgave_id, e.doel_id));
                self.register_kenmerk(e.agenda_id, &kenmerk, r.stream_id);
                insert(&mut self.acties, r, Actie::created(e, kenmerk, at));
            }
            E::TrekkerGewijzigd(_)
            | E::ActieStatusGewijzigd(_)
            | E::VoortgangsberichtToegevoegd(_)
            | E::VoortgangsberichtGecorrigeerd(_)
            | E::VoortgangsberichtIngetrokken(_)
            | E::ActieGewijzigd(_)
            | E::ActieVerplaatst(_)
            | E::PartnersGewijzigd(_) => evolve(&mut self.acties, r, |a| a.apply(event, at)),
            E::ReflectieToegevoegd(e) => insert(&mut self.reflecties, r, Reflectie::created(e, at)),
            E::ReflectieGecorrigeerd(_) | E::ReflectieIngetrokken(_) => {
                evolve(&mut self.reflecties, r, |x| x.apply(event))
            }
            E::IndicatorAangemaakt(e) => insert(&mut self.indicatoren, r, Indicator::created(e)),
            E::IndicatorGewijzigd(_) | E::StreefwaardeVastgesteld(_) | E::MetingVastgelegd(_) => {
                evolve(&mut self.indicatoren, r, |i| i.apply(event, at))
            }
            E::CheckmomentGeopend(e) => insert(&mut self.checkmomenten, r, Checkmoment::created(e)),
            E::BijsturingVastgelegd(e) => {
                self.bijsturingen.insert(e.bijsturing_id, r.stream_id);
                evolve(&mut self.checkmomenten, r, |c| c.apply(event));
            }
            E::CheckmomentGesloten(_)
            | E::BijsturingDoorgevoerd(_)
            | E::CheckmomentGewijzigd(_) => evolve(&mut self.checkmomenten, r, |c| c.apply(event)),
            E::TokenAangemaakt(e) => insert(&mut self.tokens, r, Token::created(e)),
            E::TokenIngetrokken(_) => evolve(&mut self.tokens, r, |t| t.apply(event, at)),
            E::AbonnementAangemaakt(e) => insert(&mut self.abonnementen, r, Abonnement::created(e)),
            E::AbonnementGepauzeerd(_)
            | E::AbonnementHervat(_)
            | E::AbonnementTeruggezet(_)
            | E::AbonnementGeheimVernieuwd(_)
            | E::AbonnementGewijzigd(_)
            | E::AbonnementBatchgrootteGewijzigd(_)
            | E::AbonnementVerwijderd(_) => evolve(&mut self.abonnementen, r, |a| a.apply(event)),
        }
        match event {
            E::ActieAangemaakt(_) | E::ActieGewijzigd(_) | E::ActieVerplaatst(_) => {
                if let Some(a) = self.acties.get(&r.stream_id) {
                    let parent = a.state.doel_id.unwrap_or(a.state.opgave_id);
                    self.index.link_ever(parent, r.stream_id);
                    reparent(
                        &mut self.index.acties_by_parent,
                        &mut self.index.actie_parent,
                        r.stream_id,
                        parent,
                    );
                }
            }
            E::DoelAangemaakt(_) | E::DoelVerplaatst(_) | E::DoelGewijzigd(_) => {
                if let Some(d) = self.doelen.get(&r.stream_id) {
                    let opgave = d.state.opgave_id;
                    self.index.link_ever(opgave, r.stream_id);
                    reparent(
                        &mut self.index.doelen_by_opgave,
                        &mut self.index.doel_opgave,
                        r.stream_id,
                        opgave,
                    );
                }
            }
            E::IndicatorAangemaakt(e) => self
                .index
                .indicatoren_by_doel
                .entry(e.doel_id)
                .or_default()
                .push(r.stream_id),
            E::CheckmomentGeopend(e) => self
                .index
                .checkmomenten_by_scope
                .entry(e.opgave_id.unwrap_or(e.agenda_id))
                .or_default()
                .push(r.stream_id),
            E::ReflectieToegevoegd(_) => {
                if let Some(x) = self.reflecties.get(&r.stream_id) {
                    let subject = x.state.over.id;
                    self.index
                        .reflecties_by_subject
                        .entry(subject)
                        .or_default()
                        .push(r.stream_id);
                }
            }
            _ => {}
        }
        self.record_uitvoering(r, event.event_type());
        if read_by_actie_dto(event) {
            self.index.actie_dep_stamps.insert(r.stream_id, r.position);
        }
        if let E::GroeperingHernummerd(_) = event {
            // An actie shows its opgave's and doel's weergavecode, which a
            // local code derives from the groepering's: every opgave below
            // it (through groeperingen under it too) is read anew.
            for o in self.opgaven_onder_groepering(r.stream_id) {
                self.index.actie_dep_stamps.insert(o, r.position);
            }
        }
        let scope_after = self.pdca_scope(r, event);
        for scope in scope_before.into_iter().chain(scope_after).flatten() {
            self.stamp_pdca(scope, r.position);
        }
        self.position = r.position;
    }

    /// The PDCA states `event` (on stream `r.stream_id`) may change, judged
    /// from the model as it is (call it before and after applying the event).
    /// `None`: nothing the PDCA state reads, or a stream not known (yet).
    ///
    /// Precise for the frequent changes (an actie, an indicator's metingen, a
    /// reflectie, an opgave's own fields); every opgave of the agenda for the
    /// structural ones (agenda, groepering, doel, checkmoment and bijsturing,
    /// and anything that carries out a bijsturing: an agenda-wide bijsturing
    /// concerns the opgaven its carried-out changes touched).
    fn pdca_scope(&self, r: &EventHeader<'_>, event: &Event) -> [Option<PdcaScope>; 2] {
        let bijsturing = r.bijsturing_id.map(|b| {
            self.bijsturingen
                .get(&b)
                .and_then(|c| self.checkmomenten.get(c))
                .map_or(PdcaScope::All, |c| PdcaScope::Agenda(c.state.agenda_id))
        });
        [bijsturing, self.pdca_scope_of_stream(r.stream_id, event)]
    }

    fn pdca_scope_of_stream(&self, id: Uuid, event: &Event) -> Option<PdcaScope> {
        use Event as E;
        match event {
            E::ActieAangemaakt(_)
            | E::TrekkerGewijzigd(_)
            | E::ActieStatusGewijzigd(_)
            | E::VoortgangsberichtToegevoegd(_)
            | E::VoortgangsberichtGecorrigeerd(_)
            | E::VoortgangsberichtIngetrokken(_)
            | E::ActieGewijzigd(_)
            | E::ActieVerplaatst(_)
            | E::PartnersGewijzigd(_) => self
                .acties
                .get(&id)
                .map(|a| PdcaScope::Opgave(self.opgave_of(&a.state))),
            E::IndicatorAangemaakt(_)
            | E::IndicatorGewijzigd(_)
            | E::StreefwaardeVastgesteld(_)
            | E::MetingVastgelegd(_) => self
                .indicatoren
                .get(&id)
                .and_then(|i| self.doelen.get(&i.state.doel_id))
                .map(|d| PdcaScope::Opgave(d.state.opgave_id)),
            E::ReflectieToegevoegd(_)
            | E::ReflectieGecorrigeerd(_)
            | E::ReflectieIngetrokken(_) => self
                .reflecties
                .get(&id)
                .and_then(|x| self.opgave_of_subject(x.state.over.id))
                .map(PdcaScope::Opgave),
            E::OpgaveAangemaakt(_)
            | E::OpgaveGewijzigd(_)
            | E::OpgaveHernummerd(_)
            | E::OpgaveVervallen(_) => self
                .opgaven
                .contains_key(&id)
                .then_some(PdcaScope::Opgave(id)),
            // The PDCA state names no organisatie, reads no token and no
            // contribution (the overzicht, which shows them, is not cached).
            E::OpgaveBijdrageToegevoegd(_)
            | E::OpgaveBijdrageVerwijderd(_)
            | E::DoelBijdrageToegevoegd(_)
            | E::DoelBijdrageVerwijderd(_)
            | E::OrganisatieGeregistreerd(_)
            | E::OrganisatieGewijzigd(_)
            | E::TokenAangemaakt(_)
            | E::TokenIngetrokken(_)
            | E::AbonnementAangemaakt(_)
            | E::AbonnementGepauzeerd(_)
            | E::AbonnementHervat(_)
            | E::AbonnementTeruggezet(_)
            | E::AbonnementGeheimVernieuwd(_)
            | E::AbonnementGewijzigd(_)
            | E::AbonnementBatchgrootteGewijzigd(_)
            | E::AbonnementVerwijderd(_) => None,
            E::AgendaAangemaakt(_)
            | E::AgendaGewijzigd(_)
            | E::GroeperingAangemaakt(_)
            | E::GroeperingGewijzigd(_)
            | E::GroeperingHernummerd(_)
            | E::DoelAangemaakt(_)
            | E::DoelHernummerd(_)
            | E::DoelGewijzigd(_)
            | E::DoelVerplaatst(_)
            | E::DoelVervallen(_)
            | E::CheckmomentGeopend(_)
            | E::BijsturingVastgelegd(_)
            | E::CheckmomentGesloten(_)
            | E::BijsturingDoorgevoerd(_)
            | E::CheckmomentGewijzigd(_) => self.agenda_of(id).map(PdcaScope::Agenda),
        }
    }

    fn stamp_pdca(&mut self, scope: PdcaScope, position: u64) {
        match scope {
            PdcaScope::Opgave(id) | PdcaScope::Agenda(id) => {
                self.index.pdca_stamps.insert(id, position);
            }
            PdcaScope::All => self.index.pdca_stamp_all = position,
        }
    }

    /// A stamp of everything the PDCA state of an opgave reads (apart from
    /// the clock, see [`PdcaState::valid_until`]): while it is the same, so
    /// is the state. It is the position of the last event that may have
    /// changed the state; `None` for an unknown opgave.
    pub fn pdca_stamp(&self, opgave_id: Uuid) -> Option<u64> {
        let o = self.opgaven.get(&opgave_id)?;
        let stamp = |id: &Uuid| self.index.pdca_stamps.get(id).copied().unwrap_or(0);
        Some(
            stamp(&opgave_id)
                .max(stamp(&o.state.agenda_id))
                .max(self.index.pdca_stamp_all),
        )
    }

    /// A stamp of everything the rendered actie (`ActieDto`) reads: the
    /// actie's version and the position of the last event on any stream
    /// besides the actie's own that it reads (its opgave and doel for their
    /// codes and where the doel hangs, the organisaties of its trekker and
    /// partners for their names). While both are the same, so is the
    /// rendering: every entity changes only from its own stream, and a
    /// change to any of those streams raises the second number past every
    /// earlier position. `None` for an unknown actie.
    pub fn actie_stamp(&self, actie_id: Uuid) -> Option<(u64, u64)> {
        use crate::domain::actie::Trekker;
        let a = self.acties.get(&actie_id)?;
        let stamp = |id: &Uuid| self.index.actie_dep_stamps.get(id).copied().unwrap_or(0);
        let s = &a.state;
        let mut deps = stamp(&s.opgave_id).max(stamp(&self.opgave_of(s)));
        if let Some(d) = &s.doel_id {
            deps = deps.max(stamp(d));
            // A sub-doel's weergavecode follows its parent doel's code.
            let parent = self
                .doelen
                .get(d)
                .and_then(|x| x.state.bovenliggend_doel_id);
            if let Some(p) = parent {
                deps = deps.max(stamp(&p));
            }
        }
        if let Some(Trekker::Organisatie { organisatie_id }) = &s.trekker {
            deps = deps.max(stamp(organisatie_id));
        }
        for p in &s.partners {
            deps = deps.max(stamp(p));
        }
        Some((a.version, deps))
    }

    /// The opgaven in groepering `g` or in a groepering below it.
    fn opgaven_onder_groepering(&self, g: Uuid) -> Vec<Uuid> {
        let onder = |mut x: Option<Uuid>| {
            // Levels are few; the bound guards against a malformed log.
            for _ in 0..32 {
                match x {
                    Some(id) if id == g => return true,
                    Some(id) => {
                        x = self
                            .groeperingen
                            .get(&id)
                            .and_then(|e| e.state.bovenliggende_groepering_id)
                    }
                    None => return false,
                }
            }
            false
        };
        self.opgaven
            .values()
            .filter(|o| onder(o.state.groepering_id))
            .map(|o| o.id)
            .collect()
    }

    /// The doelen (sub-doelen included) under an opgave now.
    pub fn doel_ids_of_opgave(&self, opgave_id: Uuid) -> Vec<Uuid> {
        self.index
            .doelen_by_opgave
            .get(&opgave_id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The acties hanging directly under a doel, or under an opgave without doel.
    pub fn actie_ids_under(&self, parent: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.index
            .acties_by_parent
            .get(&parent)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    /// The indicatoren created on a doel.
    pub fn indicator_ids_of_doel(&self, doel_id: Uuid) -> &[Uuid] {
        self.index
            .indicatoren_by_doel
            .get(&doel_id)
            .map_or(&[], Vec::as_slice)
    }

    /// The reflecties about a subject (actie, doel or opgave).
    pub fn reflectie_ids_about(&self, subject: Uuid) -> &[Uuid] {
        self.index
            .reflecties_by_subject
            .get(&subject)
            .map_or(&[], Vec::as_slice)
    }

    /// Rebuilds the read model from the log up to and including `until`
    /// (clamped to the head). This is the one way to get a past state; the
    /// history module may cache or snapshot on top of it.
    /// Uses the decode-once, two-thread fast path ([`replay::replay_into`]).
    pub fn replay(store: &dyn EventStore, until: u64) -> Result<ReadModel, String> {
        let mut model = ReadModel::default();
        replay::replay_into(&mut model, store, 0, until, &mut |_| {})?;
        Ok(model)
    }

    /// The model [`ReadModel::replay`] gives at `until` (clamped to the
    /// head) with every stream not in `streams` left out: each stream read
    /// up to `until`, the events applied in log order. The position is
    /// `until`, as after a full replay.
    pub fn replay_streams(
        store: &dyn EventStore,
        streams: impl IntoIterator<Item = Uuid>,
        until: u64,
    ) -> Result<ReadModel, String> {
        let until = until.min(store.head());
        let mut events = Vec::new();
        for id in streams {
            events.extend(
                store
                    .read_stream_until(id, until)
                    .map_err(|e| e.to_string())?,
            );
        }
        Self::replay_events(&events, until)
    }

    /// Applies `events` (of any streams, each stream complete up to
    /// `until`) in log order to an empty model whose position becomes
    /// `until`; see [`ReadModel::replay_streams`].
    pub fn replay_events<'a>(
        events: impl IntoIterator<Item = &'a RecordedEvent>,
        until: u64,
    ) -> Result<ReadModel, String> {
        let mut events: Vec<&RecordedEvent> = events.into_iter().collect();
        events.sort_unstable_by_key(|e| e.position);
        events.dedup_by_key(|e| e.position);
        let mut model = ReadModel::default();
        for e in events {
            model
                .apply(e)
                .map_err(|err| format!("event at position {}: {err}", e.position))?;
        }
        model.position = until;
        Ok(model)
    }

    /// The kenmerk a new actie under `opgave_id` (and `doel_id`) of
    /// `agenda_id` gets now (`domain::actie::kenmerk`).
    pub fn volgend_kenmerk(
        &self,
        agenda_id: Uuid,
        opgave_id: Uuid,
        doel_id: Option<Uuid>,
    ) -> Kenmerk {
        let prefix = kenmerk::prefix(self, opgave_id, doel_id);
        kenmerk::volgende(self, agenda_id, prefix.as_ref())
    }

    fn register_kenmerk(&mut self, agenda_id: Uuid, k: &Kenmerk, actie_id: Uuid) {
        self.kenmerken.insert((agenda_id, k.clone()), actie_id);
        let highest = self
            .kenmerk_volgnummers
            .entry((agenda_id, k.prefix().to_owned()))
            .or_default();
        *highest = (*highest).max(k.volgnummer());
    }

    /// The actie of the agenda with this kenmerk.
    pub fn actie_by_kenmerk(&self, agenda_id: Uuid, k: &Kenmerk) -> Option<Uuid> {
        self.kenmerken.get(&(agenda_id, k.clone())).copied()
    }

    /// Gives the acties of this (partial) model the kenmerken `full` has for
    /// them. A kenmerk never changes, so the full live model's holds at
    /// every past position; a model replayed from some streams only could
    /// not derive those of events written before kenmerken were recorded.
    pub fn adopt_kenmerken(&mut self, full: &ReadModel) {
        for (id, a) in self.acties.iter_mut() {
            if let Some(k) = full.acties.get(id).map(|f| &f.state.kenmerk) {
                if *k != a.state.kenmerk {
                    Arc::make_mut(a).state.kenmerk = k.clone();
                }
            }
        }
    }
}

impl KenmerkRegister for ReadModel {
    fn hoogste_volgnummer(&self, agenda_id: Uuid, prefix: &str) -> u32 {
        self.kenmerk_volgnummers
            .get(&(agenda_id, prefix.to_owned()))
            .copied()
            .unwrap_or(0)
    }
}

/// Whether `event` is on a stream whose entity `ActieDto` reads besides
/// the actie's own (an organisatie, opgave or doel); see
/// [`ReadModel::actie_stamp`]. Every event is listed, so a new one must be
/// placed here.
fn read_by_actie_dto(event: &Event) -> bool {
    use Event as E;
    match event {
        E::OrganisatieGeregistreerd(_)
        | E::OrganisatieGewijzigd(_)
        | E::OpgaveAangemaakt(_)
        | E::OpgaveGewijzigd(_)
        | E::OpgaveHernummerd(_)
        | E::OpgaveVervallen(_)
        | E::DoelAangemaakt(_)
        | E::DoelHernummerd(_)
        | E::DoelGewijzigd(_)
        | E::DoelVerplaatst(_)
        | E::DoelVervallen(_) => true,
        // The actie's own stream: its version.
        E::ActieAangemaakt(_)
        | E::TrekkerGewijzigd(_)
        | E::ActieStatusGewijzigd(_)
        | E::VoortgangsberichtToegevoegd(_)
        | E::VoortgangsberichtGecorrigeerd(_)
        | E::VoortgangsberichtIngetrokken(_)
        | E::ActieGewijzigd(_)
        | E::ActieVerplaatst(_)
        | E::PartnersGewijzigd(_) => false,
        E::AgendaAangemaakt(_)
        | E::AgendaGewijzigd(_)
        | E::GroeperingAangemaakt(_)
        | E::GroeperingGewijzigd(_)
        // A renumbered groepering changes the weergavecode of the opgaven
        // with a local code below it: `apply_decoded` stamps those opgaven.
        | E::GroeperingHernummerd(_)
        | E::ReflectieToegevoegd(_)
        | E::ReflectieGecorrigeerd(_)
        | E::ReflectieIngetrokken(_)
        | E::IndicatorAangemaakt(_)
        | E::IndicatorGewijzigd(_)
        | E::StreefwaardeVastgesteld(_)
        | E::MetingVastgelegd(_)
        | E::CheckmomentGeopend(_)
        | E::BijsturingVastgelegd(_)
        | E::CheckmomentGesloten(_)
        | E::BijsturingDoorgevoerd(_)
        | E::CheckmomentGewijzigd(_)
        | E::TokenAangemaakt(_)
        | E::TokenIngetrokken(_)
        | E::AbonnementAangemaakt(_)
        | E::AbonnementGepauzeerd(_)
        | E::AbonnementHervat(_)
        | E::AbonnementTeruggezet(_)
        | E::AbonnementGeheimVernieuwd(_)
        | E::AbonnementGewijzigd(_)
        | E::AbonnementBatchgrootteGewijzigd(_)
        | E::AbonnementVerwijderd(_)
        // The actie's DTO does not show its opgave's or doel's contributions.
        | E::OpgaveBijdrageToegevoegd(_)
        | E::OpgaveBijdrageVerwijderd(_)
        | E::DoelBijdrageToegevoegd(_)
        | E::DoelBijdrageVerwijderd(_) => false,
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
