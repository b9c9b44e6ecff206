//! Who may do what: one pure function, [`check`], over the caller, the read
//! model and the [`Action`] a handler is about to perform.
//!
//! Roles (see `docs/authorisatie.md` for the full matrix):
//! - **beheerder**: organisaties, tokens, and creating agendas;
//! - **programmamanager**: everything within the agendas on its token;
//! - **partner** (one organisatie): status, voortgangsberichten, reflecties
//!   on acties where its organisatie is trekker; voortgangsberichten and
//!   reflecties where it is a listed partner; metingen on indicators it owns
//!   (`eigenaar`); correcting its own berichten and reflecties. Never the
//!   trekker role (only a programmamanager assigns trekkers);
//! - **lezer**: reads only. Anonymous callers never write.

use uuid::Uuid;

use super::{Caller, Rol, TokenCaller};

mod gemeente;
use crate::domain::actie::{Actie, Trekker};
use crate::domain::reflectie::OnderwerpSoort;
use crate::projections::ReadModel;
use gemeente::binnen_gemeente;

/// A resource that belongs to an agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Agenda(Uuid),
    Groepering(Uuid),
    Opgave(Uuid),
    Doel(Uuid),
    Actie(Uuid),
    Reflectie(Uuid),
    Indicator(Uuid),
    Checkmoment(Uuid),
    /// A bijsturing, by its own id (it lives in a checkmoment).
    Bijsturing(Uuid),
}

impl Target {
    /// The agenda the resource belongs to; `None` when it does not exist.
    pub fn agenda(self, m: &ReadModel) -> Option<Uuid> {
        match self {
            Target::Agenda(id) => m.agendas.get(&id).map(|_| id),
            Target::Groepering(id) => m.groeperingen.get(&id).map(|e| e.state.agenda_id),
            Target::Opgave(id) => m.opgaven.get(&id).map(|e| e.state.agenda_id),
            Target::Doel(id) => m.doelen.get(&id).map(|e| e.state.agenda_id),
            Target::Actie(id) => m.acties.get(&id).map(|e| e.state.agenda_id),
            Target::Reflectie(id) => m.reflecties.get(&id).map(|e| e.state.agenda_id),
            Target::Indicator(id) => m.indicatoren.get(&id).map(|e| e.state.agenda_id),
            Target::Checkmoment(id) => m.checkmomenten.get(&id).map(|e| e.state.agenda_id),
            Target::Bijsturing(id) => m
                .bijsturingen
                .get(&id)
                .and_then(|c| m.checkmomenten.get(c))
                .map(|e| e.state.agenda_id),
        }
    }

    /// What an id names when the kind is not given (a reflectie's `over`):
    /// an actie, doel or opgave.
    pub fn subject(m: &ReadModel, id: Uuid) -> Option<Target> {
        if m.acties.contains_key(&id) {
            Some(Target::Actie(id))
        } else if m.doelen.contains_key(&id) {
            Some(Target::Doel(id))
        } else if m.opgaven.contains_key(&id) {
            Some(Target::Opgave(id))
        } else {
            None
        }
    }

    /// The resource whose stream this is (`actie`, `opgave`, …), if it belongs to an agenda.
    pub fn of_stream(stream_type: &str, id: Uuid) -> Option<Target> {
        Some(match stream_type {
            "agenda" => Target::Agenda(id),
            "groepering" => Target::Groepering(id),
            "opgave" => Target::Opgave(id),
            "doel" => Target::Doel(id),
            "actie" => Target::Actie(id),
            "reflectie" => Target::Reflectie(id),
            "indicator" => Target::Indicator(id),
            "checkmoment" => Target::Checkmoment(id),
            _ => return None,
        })
    }

    /// "Er is geen actie met id …": the 404 detail for a missing (or hidden) resource.
    pub fn describe(self) -> String {
        let (kind, id) = match self {
            Target::Agenda(id) => ("agenda", id),
            Target::Groepering(id) => ("groepering", id),
            Target::Opgave(id) => ("opgave", id),
            Target::Doel(id) => ("doel", id),
            Target::Actie(id) => ("actie", id),
            Target::Reflectie(id) => ("reflectie", id),
            Target::Indicator(id) => ("indicator", id),
            Target::Checkmoment(id) => ("checkmoment", id),
            Target::Bijsturing(id) => ("bijsturing", id),
        };
        format!("Er is geen {kind} met id {id}.")
    }
}

/// What a write handler is about to do. Add a variant only for a genuinely
/// new kind of permission; most new endpoints are `Beheren(target)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Register or change organisaties (beheerder).
    OrganisatiesBeheren,
    /// Issue, list or revoke tokens (beheerder).
    TokensBeheren,
    /// Create (or import) a new agenda (beheerder).
    AgendaAanmaken,
    /// Build, restructure or steer an agenda: structure, acties, indicatoren,
    /// checkmomenten, bijsturingen (programmamanager of that agenda).
    Beheren(Target),
    /// Create an actie under an opgave or doel (programmamanager of that
    /// agenda, also one scoped to a gemeente: the domain gives the actie that
    /// gemeente).
    ActieAanmaken(Target),
    /// Assign the trekker of an actie (programmamanager only).
    TrekkerToewijzen(Uuid),
    /// Change the status of an actie (programmamanager, trekker).
    StatusWijzigen(Uuid),
    /// Add a voortgangsbericht (programmamanager, trekker, listed partner).
    VoortgangToevoegen(Uuid),
    /// Correct or withdraw a voortgangsbericht (programmamanager, its author's organisatie).
    VoortgangWijzigen { actie: Uuid, bericht: Uuid },
    /// Add a reflectie on an actie, doel or opgave (partners only on acties).
    ReflectieToevoegen(Target),
    /// Correct or withdraw a reflectie (programmamanager, its author's organisatie).
    ReflectieWijzigen(Uuid),
    /// Record a meting on an indicator (programmamanager, the indicator's eigenaar).
    MetingVastleggen(Uuid),
    /// Make or manage one's own webhook subscriptions (every token, also a
    /// lezer's: a subscription only receives what its token may read; which
    /// subscription a token may see is decided in `http::abonnementen`).
    Abonneren,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// 401: no token.
    Unauthenticated,
    /// 403, with the reason in Dutch.
    Forbidden(String),
    /// 403 for a token scoped to one gemeente (`gemeente-scope`), with the reason.
    OutsideScope(String),
    /// 404: the resource the action is about does not exist.
    NotFound(String),
}

fn forbidden(reason: impl Into<String>) -> Denied {
    Denied::Forbidden(reason.into())
}

/// Decides whether `caller` may perform `action`.
pub fn check(caller: &Caller, m: &ReadModel, action: Action) -> Result<(), Denied> {
    let Caller::Token(t) = caller else {
        return Err(Denied::Unauthenticated);
    };
    if action == Action::Abonneren {
        return Ok(());
    }
    // A resource the caller may not read does not exist for it, for
    // writes too: 404, as for an id that names nothing.
    if let Some(target) = target_of(action) {
        if target.agenda(m).is_some_and(|a| !visible(caller, m, a)) {
            return Err(Denied::NotFound(target.describe()));
        }
    }
    match t.rol {
        Rol::Lezer => Err(forbidden(
            "Dit is een lezer-token: het mag alleen lezen. Vraag de beheerder om een token met een rol die mag schrijven.",
        )),
        Rol::Beheerder => beheerder(m, action),
        Rol::Programmamanager => programmamanager(t, m, action),
        Rol::Partner => partner(t, m, action),
    }
}

fn beheerder(m: &ReadModel, action: Action) -> Result<(), Denied> {
    match action {
        Action::OrganisatiesBeheren | Action::TokensBeheren | Action::AgendaAanmaken => Ok(()),
        other => {
            agenda_of(m, other)?;
            Err(forbidden("Een beheerder-token beheert organisaties, tokens en nieuwe agenda's; wijzigingen binnen een agenda doet een programmamanager van die agenda."))
        }
    }
}

fn programmamanager(t: &TokenCaller, m: &ReadModel, action: Action) -> Result<(), Denied> {
    match action {
        Action::OrganisatiesBeheren | Action::TokensBeheren | Action::AgendaAanmaken => {
            Err(forbidden(only_beheerder(action)))
        }
        other => {
            let agenda = agenda_of(m, other)?;
            if !t.agendas.contains(&agenda) {
                return Err(forbidden(format!(
                    "Dit programmamanager-token beheert agenda {agenda} niet. Vraag de beheerder om een token voor die agenda."
                )));
            }
            match &t.gemeente {
                None => Ok(()),
                Some(g) => binnen_gemeente(g, m, other),
            }
        }
    }
}

fn partner(t: &TokenCaller, m: &ReadModel, action: Action) -> Result<(), Denied> {
    let org = t.organisatie_id;
    let actie = |id: Uuid| {
        m.acties
            .get(&id)
            .map(|a| &a.state)
            .ok_or_else(|| Denied::NotFound(Target::Actie(id).describe()))
    };
    match action {
        Action::OrganisatiesBeheren | Action::TokensBeheren | Action::AgendaAanmaken => {
            Err(forbidden(only_beheerder(action)))
        }
        // Decided in `check` before the roles.
        Action::Abonneren => Ok(()),
        Action::Beheren(target) | Action::ActieAanmaken(target) => {
            target
                .agenda(m)
                .ok_or_else(|| Denied::NotFound(target.describe()))?;
            Err(forbidden("Een partner-token richt de agenda niet in en maakt of wijzigt geen acties; dat doet een programmamanager. Een partner wijzigt de status, voortgang, reflecties en metingen van het eigen werk."))
        }
        Action::TrekkerToewijzen(id) => {
            actie(id)?;
            Err(forbidden("Alleen een programmamanager wijst trekkers toe; ook de trekker zelf kan de trekkersrol niet overdragen."))
        }
        Action::StatusWijzigen(id) => {
            let a = actie(id)?;
            if is_trekker(a, org) {
                Ok(())
            } else if a.partners.contains(&org) {
                Err(forbidden("Uw organisatie is partner bij deze actie: u kunt voortgang en reflecties toevoegen, maar alleen de trekker wijzigt de status."))
            } else {
                Err(forbidden(not_involved()))
            }
        }
        Action::VoortgangToevoegen(id) => {
            let a = actie(id)?;
            involved(a, org)
        }
        Action::VoortgangWijzigen { actie: id, bericht } => {
            let a = actie(id)?;
            let b = a
                .voortgangsberichten
                .iter()
                .find(|b| b.id == bericht)
                .ok_or_else(|| {
                    Denied::NotFound(format!(
                        "Er is geen voortgangsbericht {bericht} bij actie {id}."
                    ))
                })?;
            if b.auteur_organisatie_id == Some(org) {
                Ok(())
            } else {
                Err(forbidden("U kunt alleen voortgangsberichten van uw eigen organisatie corrigeren of intrekken."))
            }
        }
        Action::ReflectieToevoegen(target) => {
            target
                .agenda(m)
                .ok_or_else(|| Denied::NotFound(target.describe()))?;
            match target {
                Target::Actie(id) => involved(actie(id)?, org),
                _ => Err(forbidden("Een partner schrijft reflecties alleen bij acties waarvan zijn organisatie trekker of partner is; reflecties op een doel of opgave schrijft een programmamanager.")),
            }
        }
        Action::ReflectieWijzigen(id) => {
            let r = m
                .reflecties
                .get(&id)
                .ok_or_else(|| Denied::NotFound(Target::Reflectie(id).describe()))?;
            if r.state.auteur_organisatie_id == Some(org) {
                Ok(())
            } else {
                Err(forbidden(
                    "U kunt alleen reflecties van uw eigen organisatie corrigeren of intrekken.",
                ))
            }
        }
        Action::MetingVastleggen(id) => {
            let i = m
                .indicatoren
                .get(&id)
                .ok_or_else(|| Denied::NotFound(Target::Indicator(id).describe()))?;
            if i.state.eigenaar_organisatie_id == Some(org) {
                Ok(())
            } else {
                Err(forbidden("Uw organisatie is geen eigenaar van deze indicator; alleen de eigenaar (of een programmamanager) legt er metingen bij vast."))
            }
        }
    }
}

/// The organisatie a partner writes on behalf of: its own. A partner that
/// names another organisatie as author is refused; other roles keep what
/// they gave.
pub fn namens(caller: &Caller, given: Option<Uuid>) -> Result<Option<Uuid>, Denied> {
    match caller.token() {
        Some(t) if t.rol == Rol::Partner => match given {
            None => Ok(Some(t.organisatie_id)),
            Some(o) if o == t.organisatie_id => Ok(Some(o)),
            Some(_) => Err(forbidden("Een partner-token schrijft namens de eigen organisatie; laat auteurOrganisatieId weg of geef die van uw organisatie.")),
        },
        _ => Ok(given),
    }
}

/// Whether `caller` may read the resources of this agenda (`docs/authorisatie.md`,
/// "Who reads what"). Judge it on the live model: a published agenda is
/// public; an unpublished one (or one that does not exist) only for a
/// beheerder, a token that names the agenda (a programmamanager's), and a
/// partner or lezer whose organisatie has a role in it ([`has_role`]).
pub fn visible(caller: &Caller, m: &ReadModel, agenda: Uuid) -> bool {
    let Some(a) = m.agendas.get(&agenda) else {
        return false;
    };
    if a.state.gepubliceerd {
        return true;
    }
    let Caller::Token(t) = caller else {
        return false;
    };
    match t.rol {
        Rol::Beheerder => true,
        _ if t.agendas.contains(&agenda) => true,
        Rol::Partner | Rol::Lezer => has_role(m, t.organisatie_id, agenda),
        Rol::Programmamanager => false,
    }
}

/// Whether the organisatie has a role in the agenda: trekker or partner of
/// one of its acties, or eigenaar of one of its indicatoren (the work a
/// partner token may write on). Walks the acties and indicatoren, so
/// callers ask it for unpublished agendas only.
pub fn has_role(m: &ReadModel, org: Uuid, agenda: Uuid) -> bool {
    m.acties.values().any(|a| {
        a.state.agenda_id == agenda
            && (is_trekker(&a.state, org) || a.state.partners.contains(&org))
    }) || m
        .indicatoren
        .values()
        .any(|i| i.state.agenda_id == agenda && i.state.eigenaar_organisatie_id == Some(org))
}

/// [`visible`], remembered per agenda: for one request ([`Sight::new`]), or
/// for a stream while the live model stays at one position ([`Sight::live`]).
/// (A partner's or lezer's judgement of an unpublished agenda walks its
/// acties, so a request judges each agenda once.)
#[derive(Debug, Clone)]
pub struct Sight {
    caller: Caller,
    /// Judge again whenever the live model has moved on.
    follows: bool,
    judged: std::cell::RefCell<(u64, std::collections::HashMap<Uuid, bool>)>,
}

impl Sight {
    /// For one request: each agenda judged once, when first asked.
    pub fn new(caller: Caller) -> Self {
        Self {
            caller,
            follows: false,
            judged: Default::default(),
        }
    }

    /// For a stream: judged again after every change of the live model.
    pub fn live(caller: Caller) -> Self {
        Self {
            follows: true,
            ..Self::new(caller)
        }
    }

    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// [`visible`] on `live` (the live model), remembered (see [`Sight`]).
    pub fn sees(&self, live: &ReadModel, agenda: Uuid) -> bool {
        let mut judged = self.judged.borrow_mut();
        if self.follows && judged.0 != live.position {
            *judged = (live.position, Default::default());
        }
        *judged
            .1
            .entry(agenda)
            .or_insert_with(|| visible(&self.caller, live, agenda))
    }

    /// Whether the caller may read an event (judged on `live` now): token
    /// events beheerders only; events of an agenda only when it may read
    /// that agenda; events of no agenda (organisaties) everyone.
    pub fn sees_event(&self, live: &ReadModel, e: &crate::event_store::RecordedEvent) -> bool {
        if self.caller.rol() == Some(Rol::Beheerder) {
            return true;
        }
        // Subscriptions name callback URLs: like tokens, beheerders only.
        if e.stream_type == "token" || e.stream_type == "abonnement" {
            return false;
        }
        match agenda_of_event(live, e) {
            Some(agenda) => self.sees(live, agenda),
            None => true,
        }
    }
}

/// The agenda an event belongs to: `metadata.agendaId`, the agenda's own
/// stream, or else the agenda of the resource its stream is.
pub fn agenda_of_event(m: &ReadModel, e: &crate::event_store::RecordedEvent) -> Option<Uuid> {
    if let Some(a) = e.metadata.agenda_id {
        return Some(a);
    }
    match e.stream_type.as_str() {
        "organisatie" | "token" | "abonnement" => None,
        // A stream of an agenda's resource; a kind this code does not know
        // yet counts as hidden (nil is no agenda) rather than public.
        kind => Some(
            Target::of_stream(kind, e.stream_id)
                .and_then(|t| t.agenda(m))
                .unwrap_or(Uuid::nil()),
        ),
    }
}

fn is_trekker(a: &Actie, org: Uuid) -> bool {
    a.trekker
        == Some(Trekker::Organisatie {
            organisatie_id: org,
        })
}

fn involved(a: &Actie, org: Uuid) -> Result<(), Denied> {
    if is_trekker(a, org) || a.partners.contains(&org) {
        Ok(())
    } else {
        Err(forbidden(not_involved()))
    }
}

fn not_involved() -> &'static str {
    "Uw organisatie is geen trekker of partner van deze actie, dus dit token mag haar niet wijzigen."
}

fn only_beheerder(action: Action) -> &'static str {
    match action {
        Action::OrganisatiesBeheren => "Alleen een beheerder-token registreert of wijzigt organisaties.",
        Action::TokensBeheren => "Alleen een beheerder-token beheert tokens.",
        _ => "Alleen een beheerder-token maakt een nieuwe agenda aan; daarna richt een programmamanager van die agenda haar in.",
    }
}

/// The resource an action is about, if it belongs to an agenda.
fn target_of(action: Action) -> Option<Target> {
    Some(match action {
        Action::Beheren(t) | Action::ActieAanmaken(t) | Action::ReflectieToevoegen(t) => t,
        Action::TrekkerToewijzen(id)
        | Action::StatusWijzigen(id)
        | Action::VoortgangToevoegen(id)
        | Action::VoortgangWijzigen { actie: id, .. } => Target::Actie(id),
        Action::ReflectieWijzigen(id) => Target::Reflectie(id),
        Action::MetingVastleggen(id) => Target::Indicator(id),
        Action::OrganisatiesBeheren
        | Action::TokensBeheren
        | Action::AgendaAanmaken
        | Action::Abonneren => return None,
    })
}

/// The agenda an action is about (404 when its resource does not exist).
fn agenda_of(m: &ReadModel, action: Action) -> Result<Uuid, Denied> {
    let Some(target) = target_of(action) else {
        return Err(forbidden(only_beheerder(action)));
    };
    target
        .agenda(m)
        .ok_or_else(|| Denied::NotFound(target.describe()))
}

/// For reflecties: the subject kind as a [`Target`].
pub fn onderwerp(soort: OnderwerpSoort, id: Uuid) -> Target {
    match soort {
        OnderwerpSoort::Actie => Target::Actie(id),
        OnderwerpSoort::Doel => Target::Doel(id),
        OnderwerpSoort::Opgave => Target::Opgave(id),
    }
}

#[cfg(test)]
mod tests {
    //! Given a small agenda (an actie with trekker A and partner B, an
    //! indicator owned by A), when a caller acts, then the policy decides.

    use chrono::{NaiveDate, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::access::{Caller, TokenCaller};
    use crate::domain::actie::{ActieStatus, Trekker};
    use crate::domain::agenda::AgendaStatus;
    use crate::domain::events::*;
    use crate::domain::indicator::Richting;
    use crate::domain::organisatie::OrganisatieSoort;
    use crate::domain::Code;
    use crate::event_store::{Metadata, RecordedEvent};

    struct Given {
        model: ReadModel,
        agenda: Uuid,
        actie: Uuid,
        indicator: Uuid,
        a: Uuid,
        b: Uuid,
        c: Uuid,
    }

    fn given() -> Given {
        let (agenda, opgave, actie, indicator, doel) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let date = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut events = vec![
            (
                agenda,
                Event::AgendaAangemaakt(AgendaAangemaakt {
                    naam: "Agenda".into(),
                    omschrijving: String::new(),
                    gemeenten: vec!["X".into()],
                    periode_start_datum: date,
                    periode_eind_datum: date,
                    status: AgendaStatus::Vastgesteld,
                    gepubliceerd: true,
                    signaleringstermijn_dagen: 90,
                    groeperingsniveaus: vec![],
                    uitvoeringsperioden: vec![],
                }),
            ),
            (
                opgave,
                Event::OpgaveAangemaakt(OpgaveAangemaakt {
                    agenda_id: agenda,
                    groepering_id: None,
                    code: Some(Code::parse("1.1").unwrap()),
                    titel: "Opgave".into(),
                    omschrijving: String::new(),
                    geprioriteerd: true,
                }),
            ),
            (
                actie,
                Event::ActieAangemaakt(ActieAangemaakt {
                    kenmerk: None,
                    agenda_id: agenda,
                    opgave_id: opgave,
                    doel_id: None,
                    omschrijving: "Actie".into(),
                    jaar: 2024,
                    geplande_start_datum: None,
                    geplande_eind_datum: None,
                    trekker: Some(Trekker::Organisatie { organisatie_id: a }),
                    partners: vec![b],
                    status: ActieStatus::Gepland,
                    gemeenten: vec![],
                }),
            ),
            (
                indicator,
                Event::IndicatorAangemaakt(IndicatorAangemaakt {
                    agenda_id: agenda,
                    doel_id: doel,
                    naam: "Indicator".into(),
                    eenheid: "%".into(),
                    richting: Richting::LagerIsBeter,
                    bron: None,
                    eigenaar_organisatie_id: Some(a),
                    nulmeting: None,
                    streefwaarden: vec![],
                }),
            ),
        ];
        for org in [a, b, c] {
            events.push((
                org,
                Event::OrganisatieGeregistreerd(OrganisatieGeregistreerd {
                    naam: org.to_string(),
                    soort: OrganisatieSoort::Overig,
                    contactadres: None,
                }),
            ));
        }
        let mut model = ReadModel::default();
        for (i, (stream, e)) in events.into_iter().enumerate() {
            model
                .apply(&RecordedEvent {
                    id: Uuid::now_v7(),
                    position: i as u64 + 1,
                    stream_id: stream,
                    stream_type: e.stream_type().into(),
                    version: 1,
                    event_type: e.event_type().into(),
                    schema_version: 1,
                    recorded_at: Utc::now(),
                    data: e.data(),
                    metadata: Metadata::default(),
                })
                .unwrap();
        }
        Given {
            model,
            agenda,
            actie,
            indicator,
            a,
            b,
            c,
        }
    }

    fn token(rol: Rol, org: Uuid, agendas: Vec<Uuid>) -> Caller {
        Caller::Token(TokenCaller {
            token_id: Uuid::now_v7(),
            organisatie_id: org,
            rol,
            agendas,
            gemeente: None,
        })
    }

    fn allowed(g: &Given, caller: &Caller, action: Action) -> bool {
        check(caller, &g.model, action).is_ok()
    }

    #[test]
    fn a_partner_changes_only_its_own_work() {
        let g = given();
        let (trekker, partner, other) = (
            token(Rol::Partner, g.a, vec![]),
            token(Rol::Partner, g.b, vec![]),
            token(Rol::Partner, g.c, vec![]),
        );
        assert!(allowed(&g, &trekker, Action::StatusWijzigen(g.actie)));
        assert!(!allowed(&g, &partner, Action::StatusWijzigen(g.actie)));
        assert!(!allowed(&g, &other, Action::StatusWijzigen(g.actie)));
        assert!(allowed(&g, &partner, Action::VoortgangToevoegen(g.actie)));
        assert!(allowed(
            &g,
            &partner,
            Action::ReflectieToevoegen(Target::Actie(g.actie))
        ));
        assert!(!allowed(&g, &other, Action::VoortgangToevoegen(g.actie)));
        // the trekker cannot hand the trekker role away
        assert!(!allowed(&g, &trekker, Action::TrekkerToewijzen(g.actie)));
        // metingen: only the indicator's eigenaar
        assert!(allowed(&g, &trekker, Action::MetingVastleggen(g.indicator)));
        assert!(!allowed(
            &g,
            &partner,
            Action::MetingVastleggen(g.indicator)
        ));
        assert!(!allowed(
            &g,
            &trekker,
            Action::Beheren(Target::Actie(g.actie))
        ));
        // writing on behalf of another organisatie
        assert!(namens(&partner, Some(g.a)).is_err());
        assert_eq!(namens(&partner, None), Ok(Some(g.b)));
    }

    #[test]
    fn who_reads_an_unpublished_agenda() {
        let mut g = given();
        let agenda = std::sync::Arc::make_mut(g.model.agendas.get_mut(&g.agenda).unwrap());
        agenda.state.gepubliceerd = false;
        let sees = |caller: &Caller| visible(caller, &g.model, g.agenda);
        assert!(!sees(&Caller::Anonymous));
        assert!(sees(&token(Rol::Beheerder, g.c, vec![])));
        assert!(sees(&token(Rol::Programmamanager, g.c, vec![g.agenda])));
        assert!(!sees(&token(
            Rol::Programmamanager,
            g.c,
            vec![Uuid::now_v7()]
        )));
        // a partner or lezer whose organisatie is trekker or partner of an
        // actie, or eigenaar of an indicator, in the agenda; no other
        for org in [g.a, g.b] {
            assert!(sees(&token(Rol::Partner, org, vec![])));
            assert!(sees(&token(Rol::Lezer, org, vec![])));
        }
        assert!(!sees(&token(Rol::Partner, g.c, vec![])));
        assert!(!sees(&token(Rol::Lezer, g.c, vec![])));
        // writing about it is a 404 for those who may not read it
        let actie = Action::VoortgangToevoegen(g.actie);
        assert!(matches!(
            check(&token(Rol::Partner, g.c, vec![]), &g.model, actie),
            Err(Denied::NotFound(_))
        ));
        assert!(matches!(
            check(&token(Rol::Partner, g.b, vec![]), &g.model, actie),
            Ok(())
        ));
        // an agenda that does not exist is seen by no one
        assert!(!visible(
            &token(Rol::Beheerder, g.c, vec![]),
            &g.model,
            Uuid::now_v7()
        ));
    }

    #[test]
    fn roles_other_than_partner() {
        let g = given();
        let pm = token(Rol::Programmamanager, g.a, vec![g.agenda]);
        let pm_other = token(Rol::Programmamanager, g.a, vec![Uuid::now_v7()]);
        let beheerder = token(Rol::Beheerder, g.a, vec![]);
        for action in [
            Action::TrekkerToewijzen(g.actie),
            Action::StatusWijzigen(g.actie),
            Action::Beheren(Target::Agenda(g.agenda)),
            Action::MetingVastleggen(g.indicator),
        ] {
            assert!(allowed(&g, &pm, action));
            assert!(!allowed(&g, &pm_other, action));
            assert!(!allowed(&g, &beheerder, action));
            assert!(!allowed(&g, &token(Rol::Lezer, g.a, vec![]), action));
            assert_eq!(
                check(&Caller::Anonymous, &g.model, action),
                Err(Denied::Unauthenticated)
            );
        }
        assert!(allowed(&g, &beheerder, Action::TokensBeheren));
        assert!(!allowed(&g, &pm, Action::OrganisatiesBeheren));
        // an unknown resource is 404, not a hint about permissions
        let missing = Action::StatusWijzigen(Uuid::now_v7());
        assert!(matches!(
            check(&pm, &g.model, missing),
            Err(Denied::NotFound(_))
        ));
    }

    #[test]
    fn a_programmamanager_scoped_to_a_gemeente_changes_only_that_gemeentes_acties() {
        let mut g = given();
        let scoped = Caller::Token(TokenCaller {
            token_id: Uuid::now_v7(),
            organisatie_id: g.a,
            rol: Rol::Programmamanager,
            agendas: vec![g.agenda],
            gemeente: Some("X".into()),
        });
        let scope = |g: &Given, action| match check(&scoped, &g.model, action) {
            Err(Denied::OutsideScope(reason)) => reason,
            other => panic!("expected a refusal for the scope, got {other:?}"),
        };
        // an actie for the whole agenda is not its to change
        let reason = scope(&g, Action::Beheren(Target::Actie(g.actie)));
        assert!(reason.contains("voor de hele agenda"), "{reason}");
        scope(&g, Action::StatusWijzigen(g.actie));
        // the structure, never
        let reason = scope(&g, Action::Beheren(Target::Agenda(g.agenda)));
        assert!(
            reason.contains("wijzigt de indeling van de agenda niet"),
            "{reason}"
        );
        // metingen on an indicator without values yet (the domain makes
        // them its gemeente's), not on one measured for the whole area
        assert!(allowed(&g, &scoped, Action::MetingVastleggen(g.indicator)));
        let indicator =
            std::sync::Arc::make_mut(g.model.indicatoren.get_mut(&g.indicator).unwrap());
        indicator
            .state
            .metingen
            .push(crate::domain::indicator::Meting {
                id: Uuid::now_v7(),
                periode: "2025".into(),
                meet_datum: None,
                waarde: 1.0,
                status: crate::domain::indicator::MetingStatus::Definitief,
                bron: None,
                toelichting: None,
                door_organisatie_id: None,
                geregistreerd: chrono::Utc::now(),
                vervangen: false,
                gemeente: None,
            });
        let reason = scope(&g, Action::MetingVastleggen(g.indicator));
        assert!(reason.contains("voor het hele gebied"), "{reason}");
        let indicator =
            std::sync::Arc::make_mut(g.model.indicatoren.get_mut(&g.indicator).unwrap());
        indicator.state.metingen[0].gemeente = Some("Y".into());
        assert!(allowed(&g, &scoped, Action::MetingVastleggen(g.indicator)));
        // creating an actie is allowed (the domain gives it the gemeente)
        assert!(allowed(
            &g,
            &scoped,
            Action::ActieAanmaken(Target::Agenda(g.agenda))
        ));
        // an actie of exactly its gemeente it changes like any programmamanager
        let actie = std::sync::Arc::make_mut(g.model.acties.get_mut(&g.actie).unwrap());
        actie.state.gemeenten = vec!["x".into()];
        for action in [
            Action::Beheren(Target::Actie(g.actie)),
            Action::StatusWijzigen(g.actie),
            Action::TrekkerToewijzen(g.actie),
            Action::VoortgangToevoegen(g.actie),
            Action::ReflectieToevoegen(Target::Actie(g.actie)),
        ] {
            assert!(allowed(&g, &scoped, action), "{action:?}");
        }
        let actie = std::sync::Arc::make_mut(g.model.acties.get_mut(&g.actie).unwrap());
        actie.state.gemeenten = vec!["X".into(), "Y".into()];
        let reason = scope(&g, Action::Beheren(Target::Actie(g.actie)));
        assert!(reason.contains("is voor X, Y"), "{reason}");
    }
}
