//! The lines of `GET /agendas/{id}/wijzigingen` about the structure and the
//! PDCA cycle: renumbered groeperingen, opgaven and doelen, moved doelen and acties, and
//! bijsturingen recorded or carried out (see [`super::wijzigingen`]).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::wijzigingen::{moment, Moment};
use crate::domain::Event;
use crate::event_store::{EventStore, RecordedEvent};
use crate::history::names::Names;
use crate::projections::ReadModel;

/// A groepering, opgave or doel got a new code.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HernummeringRegel {
    #[serde(flatten)]
    pub moment: Moment,
    /// groepering, opgave of doel.
    #[schema(value_type = crate::http::enums::HernummeringSoort, example = "opgave")]
    pub soort: String,
    pub id: Uuid,
    /// De titel (van een groepering: de naam).
    pub titel: String,
    #[schema(example = "1.4")]
    pub vorige_code: Option<String>,
    /// Leeg als de code is weggehaald.
    #[schema(example = "1.5")]
    pub nieuwe_code: Option<String>,
}

/// A doel moved to another opgave, or an actie to another opgave or doel.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerplaatsingRegel {
    #[serde(flatten)]
    pub moment: Moment,
    /// doel of actie.
    #[schema(value_type = crate::http::enums::VerplaatsingSoort, example = "actie")]
    pub soort: String,
    pub id: Uuid,
    /// De titel van het doel of de omschrijving van de actie.
    pub omschrijving: String,
    pub vorige_opgave_id: Uuid,
    pub vorige_opgave_code: Option<String>,
    pub nieuwe_opgave_id: Uuid,
    pub nieuwe_opgave_code: Option<String>,
    pub vorig_doel_id: Option<Uuid>,
    pub vorige_doel_code: Option<String>,
    pub nieuw_doel_id: Option<Uuid>,
    pub nieuwe_doel_code: Option<String>,
}

/// Whether a contribution began or ended.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BijdrageWijziging {
    Toegevoegd,
    Verwijderd,
}

/// An opgave or doel began or stopped contributing to a groepering.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BijdrageRegel {
    #[serde(flatten)]
    pub moment: Moment,
    pub soort: BijdrageWijziging,
    pub onderdeel: super::structuur::bijdrage::Onderdeel,
    pub id: Uuid,
    pub titel: String,
    pub groepering_id: Uuid,
    pub groepering_naam: String,
}

/// A bijsturing recorded at a checkmoment, or marked doorgevoerd.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BijsturingRegel {
    #[serde(flatten)]
    pub moment: Moment,
    /// vastgelegd of doorgevoerd.
    #[schema(value_type = crate::http::enums::BijsturingSoort, example = "vastgelegd")]
    pub soort: String,
    pub checkmoment_id: Uuid,
    pub bijsturing_id: Uuid,
    pub besluit: String,
    /// De datum van het besluit (vastgelegd) of van het doorvoeren.
    pub datum: NaiveDate,
}

/// The structure and PDCA lines of the report. The codes of the opgaven
/// and doelen a move names are those of then: the previous ones just
/// before the move, the new ones just after it.
pub struct Regels<'a> {
    pub hernummeringen: Vec<HernummeringRegel>,
    pub verplaatsingen: Vec<VerplaatsingRegel>,
    pub bijsturingen: Vec<BijsturingRegel>,
    pub bijdragen: Vec<BijdrageRegel>,
    names: Names<'a>,
}

impl<'a> Regels<'a> {
    pub fn new(store: &'a dyn EventStore) -> Self {
        Self {
            hernummeringen: Vec::new(),
            verplaatsingen: Vec::new(),
            bijsturingen: Vec::new(),
            bijdragen: Vec::new(),
            names: Names::new(store),
        }
    }

    /// The code of an opgave or doel as of `position`.
    fn code(&mut self, id: Option<Uuid>, position: u64) -> Option<String> {
        id.and_then(|id| self.names.label(id, position))
    }

    fn bijdrage(&mut self, m: &ReadModel, e: &RecordedEvent, event: &Event) {
        use super::structuur::bijdrage::Onderdeel;
        let (soort, onderdeel, g) = match event {
            Event::OpgaveBijdrageToegevoegd(b) => (
                BijdrageWijziging::Toegevoegd,
                Onderdeel::Opgave,
                b.groepering_id,
            ),
            Event::OpgaveBijdrageVerwijderd(b) => (
                BijdrageWijziging::Verwijderd,
                Onderdeel::Opgave,
                b.groepering_id,
            ),
            Event::DoelBijdrageToegevoegd(b) => (
                BijdrageWijziging::Toegevoegd,
                Onderdeel::Doel,
                b.groepering_id,
            ),
            Event::DoelBijdrageVerwijderd(b) => (
                BijdrageWijziging::Verwijderd,
                Onderdeel::Doel,
                b.groepering_id,
            ),
            _ => return,
        };
        let titel = match onderdeel {
            Onderdeel::Opgave => m.opgaven.get(&e.stream_id).map(|o| o.state.titel.clone()),
            Onderdeel::Doel => m.doelen.get(&e.stream_id).map(|d| d.state.titel.clone()),
        };
        self.bijdragen.push(BijdrageRegel {
            moment: moment(e),
            soort,
            onderdeel,
            id: e.stream_id,
            titel: titel.unwrap_or_default(),
            groepering_id: g,
            groepering_naam: m
                .groeperingen
                .get(&g)
                .map(|x| x.state.naam.clone())
                .unwrap_or_default(),
        });
    }

    /// Adds the line for `event` (recorded as `e`) if it is one of these kinds.
    pub fn collect(&mut self, m: &ReadModel, e: &RecordedEvent, event: &Event) {
        let (before, after) = (e.position.saturating_sub(1), e.position);
        match event {
            Event::GroeperingHernummerd(h)
            | Event::OpgaveHernummerd(h)
            | Event::DoelHernummerd(h) => {
                let (soort, titel) = match event {
                    Event::GroeperingHernummerd(_) => (
                        "groepering",
                        m.groeperingen
                            .get(&e.stream_id)
                            .map(|g| g.state.naam.clone()),
                    ),
                    Event::OpgaveHernummerd(_) => (
                        "opgave",
                        m.opgaven.get(&e.stream_id).map(|o| o.state.titel.clone()),
                    ),
                    _ => (
                        "doel",
                        m.doelen.get(&e.stream_id).map(|d| d.state.titel.clone()),
                    ),
                };
                self.hernummeringen.push(HernummeringRegel {
                    moment: moment(e),
                    soort: soort.to_owned(),
                    id: e.stream_id,
                    titel: titel.unwrap_or_default(),
                    vorige_code: h.vorige_code.as_ref().map(|c| c.to_string()),
                    nieuwe_code: h.nieuwe_code.as_ref().map(|c| c.to_string()),
                });
            }
            Event::OpgaveBijdrageToegevoegd(_)
            | Event::OpgaveBijdrageVerwijderd(_)
            | Event::DoelBijdrageToegevoegd(_)
            | Event::DoelBijdrageVerwijderd(_) => self.bijdrage(m, e, event),
            Event::DoelVerplaatst(v) => {
                let regel = VerplaatsingRegel {
                    moment: moment(e),
                    soort: "doel".to_owned(),
                    id: e.stream_id,
                    omschrijving: m
                        .doelen
                        .get(&e.stream_id)
                        .map(|d| d.state.titel.clone())
                        .unwrap_or_default(),
                    vorige_opgave_id: v.vorige_opgave_id,
                    vorige_opgave_code: self.code(Some(v.vorige_opgave_id), before),
                    nieuwe_opgave_id: v.nieuwe_opgave_id,
                    nieuwe_opgave_code: self.code(Some(v.nieuwe_opgave_id), after),
                    vorig_doel_id: None,
                    vorige_doel_code: None,
                    nieuw_doel_id: None,
                    nieuwe_doel_code: None,
                };
                self.verplaatsingen.push(regel);
            }
            Event::ActieVerplaatst(v) => {
                let regel = VerplaatsingRegel {
                    moment: moment(e),
                    soort: "actie".to_owned(),
                    id: e.stream_id,
                    omschrijving: m
                        .acties
                        .get(&e.stream_id)
                        .map(|a| a.state.omschrijving.clone())
                        .unwrap_or_default(),
                    vorige_opgave_id: v.vorige_opgave_id,
                    vorige_opgave_code: self.code(Some(v.vorige_opgave_id), before),
                    nieuwe_opgave_id: v.nieuwe_opgave_id,
                    nieuwe_opgave_code: self.code(Some(v.nieuwe_opgave_id), after),
                    vorig_doel_id: v.vorig_doel_id,
                    vorige_doel_code: self.code(v.vorig_doel_id, before),
                    nieuw_doel_id: v.nieuw_doel_id,
                    nieuwe_doel_code: self.code(v.nieuw_doel_id, after),
                };
                self.verplaatsingen.push(regel);
            }
            Event::BijsturingVastgelegd(b) => self.bijsturingen.push(BijsturingRegel {
                moment: moment(e),
                soort: "vastgelegd".to_owned(),
                checkmoment_id: e.stream_id,
                bijsturing_id: b.bijsturing_id,
                besluit: b.besluit.clone(),
                datum: b.datum,
            }),
            Event::BijsturingDoorgevoerd(b) => {
                let besluit = m
                    .checkmomenten
                    .get(&e.stream_id)
                    .and_then(|c| {
                        c.state
                            .bijsturingen
                            .iter()
                            .find(|x| x.id == b.bijsturing_id)
                    })
                    .map(|x| x.besluit.clone())
                    .unwrap_or_default();
                self.bijsturingen.push(BijsturingRegel {
                    moment: moment(e),
                    soort: "doorgevoerd".to_owned(),
                    checkmoment_id: e.stream_id,
                    bijsturing_id: b.bijsturing_id,
                    besluit,
                    datum: b.datum,
                })
            }
            _ => {}
        }
    }
}
