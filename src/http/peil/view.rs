//! Who may read what, decided where the data is read: [`View`], the one way a
//! GET handler reads the model, and [`Reader`] for handlers that read the log
//! or a part of the model instead.
//!
//! Both know the caller (the [`Caller`] the gate put in the request) and
//! judge every resource by its agenda with [`crate::access::policy::visible`]
//! on the *live* model: a resource of an agenda the caller may not read is a
//! 404 with the same message as an id that does not exist, and lists leave it
//! out. Ids reach this code already parsed by the router and the `Path`/
//! `Query` extractors, however the request spelled them; nothing here looks
//! at the URL.
//!
//! As-of reads (`peildatum`, `peiltijdstip`, `positie`) read the past model
//! but are judged now: an agenda unpublished today stays hidden in every past
//! state, and one published today shows its past too.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ModelRef, Peil, PeilFuture};
use crate::access::policy::{Sight, Target};
use crate::domain::actie::Actie;
use crate::domain::agenda::{Agenda, Groepering};
use crate::domain::checkmoment::Checkmoment;
use crate::domain::doel::Doel;
use crate::domain::indicator::Indicator;
use crate::domain::opgave::Opgave;
use crate::domain::reflectie::Reflectie;
use crate::http::problem::Problem;
use crate::http::AppState;
use crate::projections::{Entity, ReadModel};

/// The caller and what it may read, judged on the live model.
pub struct Reader {
    state: web::Data<AppState>,
    sight: Sight,
}

impl Reader {
    fn of(req: &HttpRequest) -> Result<Self, Problem> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| Problem::not_found("Geen toestand beschikbaar."))?;
        Ok(Self {
            state,
            sight: Sight::new(crate::http::access::caller(req)),
        })
    }

    /// Refuses (404, the message of a missing resource) a resource the
    /// caller may not read. A resource that does not exist passes: the
    /// handler answers its own 404 for it.
    pub fn check(&self, target: Target) -> Result<(), Problem> {
        let live = self.state.projection.read();
        match target.agenda(&live) {
            Some(agenda) if !self.sight.sees(&live, agenda) => {
                Err(Problem::not_found(target.describe()))
            }
            _ => Ok(()),
        }
    }
}

impl FromRequest for Reader {
    type Error = Problem;
    type Future = std::future::Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Reader::of(req))
    }
}

/// The model a GET reads (live or as of a peildatum, see [`Peil`]) as its
/// caller may see it.
pub struct View {
    peil: Peil,
    reader: Reader,
}

/// [`View`]'s extractor future: [`Peil`]'s, then the caller.
pub struct ViewFuture {
    peil: PeilFuture,
    req: HttpRequest,
}

impl Future for ViewFuture {
    type Output = Result<View, Problem>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match Pin::new(&mut this.peil).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(peil) => Poll::Ready(peil.and_then(|peil| {
                Ok(View {
                    peil,
                    reader: Reader::of(&this.req)?,
                })
            })),
        }
    }
}

impl FromRequest for View {
    type Error = Problem;
    type Future = ViewFuture;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ViewFuture {
            peil: Peil::from_request(req, payload),
            req: req.clone(),
        }
    }
}

impl View {
    /// The model to read, as the caller may see it.
    pub fn read(&self) -> Seen<'_> {
        Seen {
            model: self.peil.read(),
            view: self,
        }
    }

    /// "Now" for the state read (see [`Peil::now`]).
    pub fn now(&self) -> DateTime<Utc> {
        self.peil.now()
    }

    pub fn state(&self) -> &AppState {
        self.peil.state()
    }

    /// Whether the request asked for a past state.
    pub fn is_past(&self) -> bool {
        self.peil.is_past()
    }

    /// A 404 for `id` that is no resource (see [`Peil::not_found`]).
    pub fn not_found(&self, detail: impl Into<String>, id: Uuid) -> Problem {
        self.peil.not_found(detail, id)
    }
}

/// The read model behind a caller's eyes: look resources up with
/// [`Seen::agenda`], [`Seen::actie`], …, which refuse what the caller may
/// not read, and filter lists with [`Seen::sees`]. [`Seen::model`] is the
/// whole model for rendering what passed.
pub struct Seen<'a> {
    model: ModelRef<'a>,
    view: &'a View,
}

macro_rules! lookup {
    ($(#[$doc:meta])* $name:ident, $field:ident, $ty:ty, $target:ident, $agenda:expr) => {
        $(#[$doc])*
        pub fn $name(&self, id: Uuid) -> Result<&Arc<Entity<$ty>>, Problem> {
            let found = self.model.$field.get(&id);
            let agenda_of: fn(&Entity<$ty>) -> Uuid = $agenda;
            self.admit(Target::$target(id), found.map(|e| agenda_of(e)))?;
            Ok(found.expect("admitted only when found"))
        }
    };
}

impl Seen<'_> {
    /// The whole model: for rendering a resource that passed a lookup and
    /// for lists whose items are filtered with [`Seen::sees`].
    pub fn model(&self) -> &ReadModel {
        &self.model
    }

    /// Whether the caller may read the resources of this agenda (judged now).
    pub fn sees(&self, agenda: Uuid) -> bool {
        let sight = &self.view.reader.sight;
        match &self.model {
            ModelRef::Live(live) => sight.sees(live, agenda),
            ModelRef::Past(_) => sight.sees(&self.view.state().projection.read(), agenda),
        }
    }

    /// Ok when the resource was found (with its agenda) and the caller may
    /// read it; otherwise the 404 of a missing resource. One that exists now
    /// but not at the moment read is "not yet existing", unless it is hidden.
    fn admit(&self, target: Target, agenda: Option<Uuid>) -> Result<(), Problem> {
        match agenda {
            Some(agenda) if self.sees(agenda) => Ok(()),
            Some(_) => Err(Problem::not_found(target.describe())),
            None => {
                // Plain "not found" unless it is a past read of a resource
                // that exists now and that the caller may read.
                let plain = match &self.model {
                    ModelRef::Live(_) => true,
                    ModelRef::Past(_) => {
                        let live = self.view.state().projection.read();
                        target
                            .agenda(&live)
                            .is_none_or(|a| !self.view.reader.sight.sees(&live, a))
                    }
                };
                Err(if plain {
                    Problem::not_found(target.describe())
                } else {
                    self.view.not_found(target.describe(), target_id(target))
                })
            }
        }
    }

    lookup!(
        /// The agenda, if the caller may read it.
        agenda, agendas, Agenda, Agenda, |e| e.id
    );
    lookup!(groepering, groeperingen, Groepering, Groepering, |e| e
        .state
        .agenda_id);
    lookup!(opgave, opgaven, Opgave, Opgave, |e| e.state.agenda_id);
    lookup!(doel, doelen, Doel, Doel, |e| e.state.agenda_id);
    lookup!(actie, acties, Actie, Actie, |e| e.state.agenda_id);
    lookup!(reflectie, reflecties, Reflectie, Reflectie, |e| e
        .state
        .agenda_id);
    lookup!(indicator, indicatoren, Indicator, Indicator, |e| e
        .state
        .agenda_id);
    lookup!(checkmoment, checkmomenten, Checkmoment, Checkmoment, |e| e
        .state
        .agenda_id);
}

fn target_id(t: Target) -> Uuid {
    match t {
        Target::Agenda(id)
        | Target::Groepering(id)
        | Target::Opgave(id)
        | Target::Doel(id)
        | Target::Actie(id)
        | Target::Reflectie(id)
        | Target::Indicator(id)
        | Target::Checkmoment(id)
        | Target::Bijsturing(id) => id,
    }
}
