//! Every domain event, with its stable name and data layout.
//!
//! The name (`type` in the envelope) and the JSON of the data are a public
//! contract documented in `docs/events.md`. [`Event::decode`] is the single
//! place where stored data is read back, so upcasting of old schema versions
//! belongs there.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

pub use super::abonnement::{
    AbonnementAangemaakt, AbonnementBatchgrootteGewijzigd, AbonnementGeheimVernieuwd,
    AbonnementGepauzeerd, AbonnementGewijzigd, AbonnementHervat, AbonnementTeruggezet,
    AbonnementVerwijderd,
};
use super::actie::{ActieStatus, Trekker};
use super::agenda::{AgendaStatus, Niveau};
use super::checkmoment::VoorgenomenWijziging;
use super::indicator::{MetingStatus, Richting, Waarde};
use super::organisatie::OrganisatieSoort;
use super::reflectie::{Onderwerp, PdcaFase};
pub use super::token::{TokenAangemaakt, TokenIngetrokken};
use super::Code;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    OrganisatieGeregistreerd(OrganisatieGeregistreerd),
    AgendaAangemaakt(AgendaAangemaakt),
    GroeperingAangemaakt(GroeperingAangemaakt),
    OpgaveAangemaakt(OpgaveAangemaakt),
    DoelAangemaakt(DoelAangemaakt),
    ActieAangemaakt(ActieAangemaakt),
    TrekkerGewijzigd(TrekkerGewijzigd),
    ActieStatusGewijzigd(ActieStatusGewijzigd),
    VoortgangsberichtToegevoegd(VoortgangsberichtToegevoegd),
    OrganisatieGewijzigd(OrganisatieGewijzigd),
    AgendaGewijzigd(AgendaGewijzigd),
    GroeperingGewijzigd(GroeperingGewijzigd),
    GroeperingHernummerd(Hernummerd),
    OpgaveGewijzigd(OpgaveGewijzigd),
    OpgaveHernummerd(Hernummerd),
    OpgaveVervallen(Vervallen),
    DoelGewijzigd(DoelGewijzigd),
    DoelHernummerd(Hernummerd),
    DoelVerplaatst(DoelVerplaatst),
    DoelVervallen(Vervallen),
    ActieGewijzigd(ActieGewijzigd),
    ActieVerplaatst(ActieVerplaatst),
    PartnersGewijzigd(PartnersGewijzigd),
    VoortgangsberichtGecorrigeerd(VoortgangsberichtGecorrigeerd),
    VoortgangsberichtIngetrokken(BerichtIngetrokken),
    ReflectieToegevoegd(ReflectieToegevoegd),
    ReflectieGecorrigeerd(ReflectieGecorrigeerd),
    ReflectieIngetrokken(BerichtIngetrokken),
    IndicatorAangemaakt(IndicatorAangemaakt),
    IndicatorGewijzigd(IndicatorGewijzigd),
    StreefwaardeVastgesteld(StreefwaardeVastgesteld),
    MetingVastgelegd(MetingVastgelegd),
    CheckmomentGeopend(CheckmomentGeopend),
    CheckmomentGesloten(CheckmomentGesloten),
    BijsturingVastgelegd(BijsturingVastgelegd),
    BijsturingDoorgevoerd(BijsturingDoorgevoerd),
    CheckmomentGewijzigd(CheckmomentGewijzigd),
    TokenAangemaakt(TokenAangemaakt),
    TokenIngetrokken(TokenIngetrokken),
    OpgaveBijdrageToegevoegd(BijdrageToegevoegd),
    OpgaveBijdrageVerwijderd(BijdrageVerwijderd),
    DoelBijdrageToegevoegd(BijdrageToegevoegd),
    DoelBijdrageVerwijderd(BijdrageVerwijderd),
    AbonnementAangemaakt(AbonnementAangemaakt),
    AbonnementGepauzeerd(AbonnementGepauzeerd),
    AbonnementHervat(AbonnementHervat),
    AbonnementTeruggezet(AbonnementTeruggezet),
    AbonnementGeheimVernieuwd(AbonnementGeheimVernieuwd),
    AbonnementGewijzigd(AbonnementGewijzigd),
    AbonnementBatchgrootteGewijzigd(AbonnementBatchgrootteGewijzigd),
    AbonnementVerwijderd(AbonnementVerwijderd),
}

/// Calls macro `$m` with the name of every [`Event`] variant, so the
/// places that match on every variant by name keep one list.
macro_rules! with_event_variants {
    ($m:ident) => {
        $m!(
            OrganisatieGeregistreerd,
            AgendaAangemaakt,
            GroeperingAangemaakt,
            OpgaveAangemaakt,
            DoelAangemaakt,
            ActieAangemaakt,
            TrekkerGewijzigd,
            ActieStatusGewijzigd,
            VoortgangsberichtToegevoegd,
            OrganisatieGewijzigd,
            AgendaGewijzigd,
            GroeperingGewijzigd,
            GroeperingHernummerd,
            OpgaveGewijzigd,
            OpgaveHernummerd,
            OpgaveVervallen,
            DoelGewijzigd,
            DoelHernummerd,
            DoelVerplaatst,
            DoelVervallen,
            ActieGewijzigd,
            ActieVerplaatst,
            PartnersGewijzigd,
            VoortgangsberichtGecorrigeerd,
            VoortgangsberichtIngetrokken,
            ReflectieToegevoegd,
            ReflectieGecorrigeerd,
            ReflectieIngetrokken,
            IndicatorAangemaakt,
            IndicatorGewijzigd,
            StreefwaardeVastgesteld,
            MetingVastgelegd,
            CheckmomentGeopend,
            CheckmomentGesloten,
            BijsturingVastgelegd,
            BijsturingDoorgevoerd,
            CheckmomentGewijzigd,
            TokenAangemaakt,
            TokenIngetrokken,
            OpgaveBijdrageToegevoegd,
            OpgaveBijdrageVerwijderd,
            DoelBijdrageToegevoegd,
            DoelBijdrageVerwijderd,
            AbonnementAangemaakt,
            AbonnementGepauzeerd,
            AbonnementHervat,
            AbonnementTeruggezet,
            AbonnementGeheimVernieuwd,
            AbonnementGewijzigd,
            AbonnementBatchgrootteGewijzigd,
            AbonnementVerwijderd,
        )
    };
}

/// Every event type name, in the order of [`Event`]'s variants.
pub const EVENT_TYPES: &[&str] = {
    macro_rules! names {
        ($($v:ident),* $(,)?) => { &[$(stringify!($v)),*] };
    }
    with_event_variants!(names)
};

impl Event {
    /// The stable event name (the serde tag, so it cannot drift from the enum).
    pub fn event_type(&self) -> &'static str {
        macro_rules! names {
            ($($v:ident),* $(,)?) => { match self { $(Self::$v(_) => stringify!($v),)* } };
        }
        with_event_variants!(names)
    }

    /// The data object as stored in the envelope.
    pub fn data(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => m.remove("data").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// Reads an event back from its envelope parts, upcasting old versions.
    pub fn decode(event_type: &str, schema_version: u32, data: &Value) -> Result<Self, String> {
        let data = super::upcast::upcast(event_type, schema_version, data)?;
        match Self::decode_data(event_type, data.as_ref()) {
            Some(decoded) => decoded.map_err(|e| format!("{event_type}: {e}")),
            None => Self::decode_tagged(event_type, data.as_ref()),
        }
    }

    /// The general path: deserialize `{"type": event_type, "data": data}` as
    /// [`Event`]. [`Event::decode_data`] gives the same result for every type
    /// it lists, without the tagged-enum buffering.
    fn decode_tagged(event_type: &str, data: &Value) -> Result<Self, String> {
        // Deserialize from borrowed parts: no copy of the data.
        let tag = Value::String(event_type.to_owned());
        let parts = [("type", &tag), ("data", data)];
        let de = serde::de::value::MapDeserializer::<_, serde_json::Error>::new(parts.into_iter());
        Event::deserialize(de).map_err(|e| format!("{event_type}: {e}"))
    }

    /// Reads an event straight from the JSON text of its data, without a
    /// [`Value`] in between (the replay fast path). Only for data already in
    /// its type's current layout: other schema versions go through
    /// [`Event::decode`], which upcasts them first.
    pub fn decode_current(
        event_type: &str,
        schema_version: u32,
        data_json: &str,
    ) -> Result<Self, String> {
        if schema_version != super::upcast::current_version(event_type) {
            let data: Value = serde_json::from_str(data_json)
                .map_err(|e| format!("{event_type}: data is not JSON: {e}"))?;
            return Self::decode(event_type, schema_version, &data);
        }
        let mut de = serde_json::Deserializer::from_str(data_json);
        if let Some(Ok(event)) =
            Self::decode_data(event_type, &mut de).map(|r| r.and_then(|e| de.end().map(|()| e)))
        {
            return Ok(event);
        }
        // An unlisted type or data that does not decode: the general path
        // decides, so the outcome and its message are exactly its own.
        let data: Value = serde_json::from_str(data_json)
            .map_err(|e| format!("{event_type}: data is not JSON: {e}"))?;
        Self::decode(event_type, schema_version, &data)
    }

    /// Deserializes the data of `event_type` directly into its struct: the
    /// type picks the variant, so there is no tagged-enum buffering. Same
    /// result as [`Event::decode_tagged`]; `None` (data untouched) for a type
    /// this list does not name, which then takes that general path.
    fn decode_data<'de, D: serde::Deserializer<'de>>(
        event_type: &str,
        data: D,
    ) -> Option<Result<Self, D::Error>> {
        macro_rules! variants {
            ($($v:ident),* $(,)?) => {
                match event_type {
                    $(stringify!($v) => Some(Deserialize::deserialize(data).map(Self::$v)),)*
                    _ => None,
                }
            };
        }
        with_event_variants!(variants)
    }

    /// The schema version this event is written with (its type's newest).
    pub fn schema_version(&self) -> u32 {
        super::upcast::current_version(self.event_type())
    }

    /// The stream type an event of this kind belongs to.
    pub fn stream_type(&self) -> &'static str {
        use Event::*;
        match self {
            OrganisatieGeregistreerd(_) | OrganisatieGewijzigd(_) => "organisatie",
            AgendaAangemaakt(_) | AgendaGewijzigd(_) => "agenda",
            GroeperingAangemaakt(_) | GroeperingGewijzigd(_) | GroeperingHernummerd(_) => {
                "groepering"
            }
            OpgaveAangemaakt(_)
            | OpgaveGewijzigd(_)
            | OpgaveHernummerd(_)
            | OpgaveVervallen(_)
            | OpgaveBijdrageToegevoegd(_)
            | OpgaveBijdrageVerwijderd(_) => "opgave",
            DoelAangemaakt(_)
            | DoelGewijzigd(_)
            | DoelHernummerd(_)
            | DoelVerplaatst(_)
            | DoelVervallen(_)
            | DoelBijdrageToegevoegd(_)
            | DoelBijdrageVerwijderd(_) => "doel",
            ActieAangemaakt(_)
            | TrekkerGewijzigd(_)
            | ActieStatusGewijzigd(_)
            | VoortgangsberichtToegevoegd(_)
            | ActieGewijzigd(_)
            | ActieVerplaatst(_)
            | PartnersGewijzigd(_)
            | VoortgangsberichtGecorrigeerd(_)
            | VoortgangsberichtIngetrokken(_) => "actie",
            ReflectieToegevoegd(_) | ReflectieGecorrigeerd(_) | ReflectieIngetrokken(_) => {
                "reflectie"
            }
            IndicatorAangemaakt(_)
            | IndicatorGewijzigd(_)
            | StreefwaardeVastgesteld(_)
            | MetingVastgelegd(_) => "indicator",
            CheckmomentGeopend(_)
            | CheckmomentGesloten(_)
            | BijsturingVastgelegd(_)
            | BijsturingDoorgevoerd(_)
            | CheckmomentGewijzigd(_) => "checkmoment",
            TokenAangemaakt(_) | TokenIngetrokken(_) => "token",
            AbonnementAangemaakt(_)
            | AbonnementGepauzeerd(_)
            | AbonnementHervat(_)
            | AbonnementTeruggezet(_)
            | AbonnementGeheimVernieuwd(_)
            | AbonnementGewijzigd(_)
            | AbonnementBatchgrootteGewijzigd(_)
            | AbonnementVerwijderd(_) => "abonnement",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganisatieGeregistreerd {
    pub naam: String,
    pub soort: OrganisatieSoort,
    /// A role address (info@, mag@), never a person's.
    pub contactadres: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaAangemaakt {
    pub naam: String,
    pub omschrijving: String,
    pub gemeenten: Vec<String>,
    pub periode_start_datum: NaiveDate,
    pub periode_eind_datum: NaiveDate,
    pub status: AgendaStatus,
    pub gepubliceerd: bool,
    pub signaleringstermijn_dagen: u32,
    /// Names of the grouping levels above opgave, outermost first
    /// (Twenterand: one level, "themalijn"; none for an ungrouped agenda).
    pub groeperingsniveaus: Vec<Niveau>,
    /// The period in which a gemeente carries out its part (a shared nota);
    /// empty in events written before there were any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uitvoeringsperioden: Vec<crate::domain::gemeente::Uitvoeringsperiode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroeperingAangemaakt {
    pub agenda_id: Uuid,
    /// Index into the agenda's `groeperingsniveaus` (0 = outermost).
    pub niveau: usize,
    pub bovenliggende_groepering_id: Option<Uuid>,
    pub code: Option<Code>,
    pub naam: String,
    pub omschrijving: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpgaveAangemaakt {
    pub agenda_id: Uuid,
    pub groepering_id: Option<Uuid>,
    /// `null` for an opgave without a code (always set before codes
    /// became optional; old events read unchanged).
    #[serde(default)]
    pub code: Option<Code>,
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoelAangemaakt {
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    /// Set for a sub-doel (a result under a strategic doel).
    pub bovenliggend_doel_id: Option<Uuid>,
    pub code: Option<Code>,
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActieAangemaakt {
    /// Schema v2: the actie's kenmerk (`1.1.3-2`), decided when it was
    /// created. `None` when upcast from v1: the projection then gives it
    /// one in log order by the same rule.
    #[serde(default)]
    pub kenmerk: Option<super::actie::Kenmerk>,
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    pub doel_id: Option<Uuid>,
    pub omschrijving: String,
    pub jaar: i32,
    pub geplande_start_datum: Option<NaiveDate>,
    pub geplande_eind_datum: Option<NaiveDate>,
    /// Empty: "trekkersrol nog in te vullen".
    pub trekker: Option<Trekker>,
    pub partners: Vec<Uuid>,
    pub status: ActieStatus,
    /// The gemeenten of the agenda this actie is for; empty (and absent in
    /// events written before gemeenten existed): the whole agenda.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gemeenten: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrekkerGewijzigd {
    pub vorige_trekker: Option<Trekker>,
    pub nieuwe_trekker: Option<Trekker>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActieStatusGewijzigd {
    pub van: ActieStatus,
    pub naar: ActieStatus,
    /// When the change took effect in the world (may precede registration).
    pub ingangs_datum: NaiveDate,
    /// Required for vervallen and heropenen.
    pub reden: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoortgangsberichtToegevoegd {
    pub bericht_id: Uuid,
    pub datum: NaiveDate,
    pub auteur_organisatie_id: Option<Uuid>,
    /// Free text written by a person; kept in its own field so it can be redacted.
    pub tekst: Arc<str>,
}

/// Only the fields that changed are present.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganisatieGewijzigd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naam: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soort: Option<OrganisatieSoort>,
    /// `Some(None)` clears the address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub contactadres: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaGewijzigd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naam: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omschrijving: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AgendaStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gepubliceerd: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signaleringstermijn_dagen: Option<u32>,
    /// Replaces the list of uitvoeringsperioden (empty: none any more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uitvoeringsperioden: Option<Vec<crate::domain::gemeente::Uitvoeringsperiode>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroeperingGewijzigd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naam: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omschrijving: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpgaveGewijzigd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub titel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omschrijving: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geprioriteerd: Option<bool>,
    /// `Some(None)` takes the opgave out of its groepering.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub groepering_id: Option<Option<Uuid>>,
}

/// A new code for an opgave or doel, or its code removed (`nieuweCode`
/// `null`); the old code is kept in history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hernummerd {
    pub vorige_code: Option<Code>,
    pub nieuwe_code: Option<Code>,
}

/// Dropped (never deleted), with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vervallen {
    pub reden: String,
}

/// An opgave or doel contributes to a further groepering (an effect, a
/// theme) besides its one primary place in the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BijdrageToegevoegd {
    pub groepering_id: Uuid,
}

/// A contribution of an opgave or doel to a groepering taken away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BijdrageVerwijderd {
    pub groepering_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoelGewijzigd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub titel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omschrijving: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geprioriteerd: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoelVerplaatst {
    pub vorige_opgave_id: Uuid,
    pub nieuwe_opgave_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActieGewijzigd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omschrijving: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jaar: Option<i32>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub geplande_start_datum: Option<Option<NaiveDate>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub geplande_eind_datum: Option<Option<NaiveDate>>,
    /// Replaces the actie's gemeenten (empty: the whole agenda).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gemeenten: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActieVerplaatst {
    pub vorige_opgave_id: Uuid,
    pub vorig_doel_id: Option<Uuid>,
    pub nieuwe_opgave_id: Uuid,
    pub nieuw_doel_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnersGewijzigd {
    pub vorige_partners: Vec<Uuid>,
    pub nieuwe_partners: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoortgangsberichtGecorrigeerd {
    pub bericht_id: Uuid,
    pub tekst: Arc<str>,
    /// Schema v2: the text before this correction (`None` when upcast from v1,
    /// which did not record it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vorige_tekst: Option<String>,
}

/// A voortgangsbericht or reflectie withdrawn by its author; the original stays in history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BerichtIngetrokken {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bericht_id: Option<Uuid>,
    pub reden: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReflectieToegevoegd {
    pub agenda_id: Uuid,
    pub over: Onderwerp,
    pub auteur_organisatie_id: Option<Uuid>,
    pub fase: PdcaFase,
    pub datum: NaiveDate,
    /// Free texts written by people; each in its own field so it can be redacted.
    pub wat_ging_goed: Option<Arc<str>>,
    pub wat_kan_beter: Option<Arc<str>>,
    pub volgende_stappen: Option<Arc<str>>,
    pub tekst: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReflectieGecorrigeerd {
    pub wat_ging_goed: Option<Arc<str>>,
    pub wat_kan_beter: Option<Arc<str>>,
    pub volgende_stappen: Option<Arc<str>>,
    pub tekst: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorAangemaakt {
    pub agenda_id: Uuid,
    pub doel_id: Uuid,
    pub naam: String,
    pub eenheid: String,
    pub richting: Richting,
    pub bron: Option<String>,
    pub eigenaar_organisatie_id: Option<Uuid>,
    pub nulmeting: Option<Waarde>,
    pub streefwaarden: Vec<Waarde>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorGewijzigd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naam: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eenheid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub richting: Option<Richting>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub bron: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub eigenaar_organisatie_id: Option<Option<Uuid>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub nulmeting: Option<Option<Waarde>>,
}

/// A streefwaarde set or revised for one year (or, without `jaar`, for the
/// whole period); `vorige` is what it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreefwaardeVastgesteld {
    pub streefwaarde: Waarde,
    pub vorige: Option<Waarde>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetingVastgelegd {
    pub meting_id: Uuid,
    /// `2024`, `2024-Q2` or `2024-03`; a later meting for the same period (and gemeente) supersedes.
    pub periode: String,
    pub meet_datum: Option<NaiveDate>,
    pub waarde: f64,
    pub status: MetingStatus,
    pub bron: Option<String>,
    pub toelichting: Option<String>,
    pub door_organisatie_id: Option<Uuid>,
    /// The gemeente of the agenda the value is for, as the agenda spells it;
    /// absent: the whole area (every meting before gemeenten could be named).
    /// A later meting supersedes only one for the same periode and gemeente.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gemeente: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckmomentGeopend {
    pub agenda_id: Uuid,
    /// Empty: a check of the whole agenda.
    pub opgave_id: Option<Uuid>,
    pub datum: NaiveDate,
    pub onderwerp: String,
    /// Organisaties that take part (never persons).
    pub deelnemers: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckmomentGesloten {
    pub datum: NaiveDate,
    pub samenvatting: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BijsturingVastgelegd {
    pub bijsturing_id: Uuid,
    pub besluit: String,
    pub onderbouwing: String,
    pub datum: NaiveDate,
    pub voorgenomen_wijzigingen: Vec<VoorgenomenWijziging>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BijsturingDoorgevoerd {
    pub bijsturing_id: Uuid,
    pub datum: NaiveDate,
}

/// A checkmoment's date, subject or participants corrected; only the fields
/// that changed are present.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckmomentGewijzigd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datum: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onderwerp: Option<String>,
    /// The full new list of participating organisaties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deelnemers: Option<Vec<Uuid>>,
}

/// Missing field → `None`; explicit `null` → `Some(None)`.
fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
