//! The voortgang's shape: one list per kind of change, per opgave, per
//! groepering. These are the JSON representation (and its OpenAPI schema);
//! Markdown, HTML and Atom are rendered from them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// An actie that was added, started, paused, completed or dropped.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActieItem {
    /// Positie van de gebeurtenis in het logboek.
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub actie_id: Uuid,
    /// Het kenmerk van de actie (uniek in de agenda, vast).
    #[schema(example = "1.1.1-2")]
    pub kenmerk: String,
    /// Weergavecode van het doel (of de opgave) waar de actie onder valt;
    /// leeg als daar geen code is.
    #[schema(example = "1.1.1")]
    pub code: Option<String>,
    pub omschrijving: String,
    /// Naam van de huidige trekker; leeg als de trekkersrol nog in te vullen is.
    pub trekker: Option<String>,
    /// Ingangsdatum van de statuswijziging.
    pub ingangs_datum: Option<NaiveDate>,
    /// Reden (bij vervallen en heropenen).
    pub reden: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrekkerItem {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub actie_id: Uuid,
    /// Het kenmerk van de actie.
    pub kenmerk: String,
    /// Weergavecode van het doel (of de opgave); leeg zonder code.
    pub code: Option<String>,
    pub omschrijving: String,
    pub vorige_trekker: Option<String>,
    pub nieuwe_trekker: Option<String>,
}

/// A voortgangsbericht (progress note) on an actie, with its text as it
/// stands at the end of the period; a withdrawn one is left out.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VoortgangsberichtItem {
    /// Positie van het toevoegen (of, voor een eerder bericht, van de correctie in deze periode).
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub bericht_id: Uuid,
    pub actie_id: Uuid,
    /// Het kenmerk van de actie.
    #[schema(example = "1.1.1-2")]
    pub kenmerk: String,
    /// Weergavecode van het doel (of de opgave) waar de actie onder valt;
    /// leeg als daar geen code is.
    #[schema(example = "1.1.1")]
    pub code: Option<String>,
    /// Omschrijving van de actie.
    pub omschrijving: String,
    /// Naam van de huidige trekker van de actie.
    pub trekker: Option<String>,
    /// Naam van de organisatie die het bericht schreef.
    pub auteur_organisatie: Option<String>,
    /// Waar het bericht over gaat (datum in de wereld).
    pub datum: NaiveDate,
    /// De tekst, zoals gecorrigeerd als het bericht gecorrigeerd is.
    pub tekst: String,
    pub gecorrigeerd: bool,
    /// Wanneer de tekst in deze periode het laatst is gecorrigeerd (UTC).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub gecorrigeerd_tijdstip: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReflectieItem {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub reflectie_id: Uuid,
    /// actie, doel of opgave.
    #[schema(value_type = crate::domain::reflectie::OnderwerpSoort)]
    pub over: String,
    /// Code van waar de reflectie over gaat (de weergavecode van het doel of
    /// de opgave; bij een actie haar kenmerk); leeg zonder code.
    pub over_code: Option<String>,
    /// Omschrijving of titel van waar de reflectie over gaat.
    pub over_titel: String,
    pub auteur_organisatie: Option<String>,
    /// PDCA-fase: plan, do, check of act.
    #[schema(value_type = crate::domain::reflectie::PdcaFase)]
    pub fase: String,
    pub datum: NaiveDate,
    /// Het begin van de tekst (hoogstens 200 tekens).
    pub fragment: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetingItem {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub indicator_id: Uuid,
    pub indicator: String,
    pub eenheid: String,
    /// hogerIsBeter, lagerIsBeter of binnenBandbreedte.
    #[schema(value_type = crate::domain::indicator::Richting)]
    pub richting: String,
    pub doel_code: Option<String>,
    #[schema(example = "2024-Q2")]
    pub periode: String,
    /// De gemeente waarvoor de meting geldt; ontbreekt: het hele gebied.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "Gemeente Twenterand")]
    pub gemeente: Option<String>,
    pub meet_datum: Option<NaiveDate>,
    pub waarde: f64,
    /// voorlopig of definitief.
    #[schema(value_type = crate::domain::indicator::MetingStatus)]
    pub status: String,
    /// Streefwaarde voor het jaar van de periode (die van dat jaar, anders die voor de hele periode).
    pub streefwaarde: Option<f64>,
    pub nulmeting: Option<f64>,
    /// opKoers of nietOpKoers ten opzichte van de streefwaarde (richting meegewogen).
    #[schema(value_type = Option<crate::http::enums::KoersWaarde>)]
    pub koers: Option<String>,
    /// verbeterd, verslechterd of gelijk ten opzichte van de nulmeting (richting meegewogen).
    #[schema(value_type = Option<crate::http::enums::Ontwikkeling>)]
    pub ontwikkeling: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BijsturingItem {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub bijsturing_id: Uuid,
    /// Onderwerp van het checkmoment waarop besloten is.
    pub checkmoment: String,
    pub besluit: String,
    pub onderbouwing: String,
    pub datum: NaiveDate,
    /// Wanneer de bijsturing is doorgevoerd (als dat binnen de periode al zo is).
    pub doorgevoerd_datum: Option<NaiveDate>,
}

/// A PDCA phase change of an opgave between the window's start and end.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaseWijziging {
    /// Fase aan het begin (leeg als de opgave toen nog niet bestond).
    #[schema(value_type = Option<crate::domain::reflectie::PdcaFase>)]
    pub van: Option<String>,
    #[schema(value_type = crate::domain::reflectie::PdcaFase)]
    pub naar: String,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpgaveVoortgang {
    pub opgave_id: Uuid,
    /// Alleen met ?groepering=: primair (de opgave staat in de groepering) of bijdrage (de opgave, of een doel ervan, draagt eraan bij).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soort: Option<crate::http::structuur::bijdrage::BijdrageSoort>,
    /// Alleen met ?groepering=, als niet de opgave maar doelen ervan bijdragen: die doelen (weergavecode en titel, of de titel; dan staan alleen hun wijzigingen hier).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via_doelen: Vec<String>,
    /// De weergavecode van de opgave; leeg als die geen code heeft.
    #[schema(example = "1.1")]
    pub code: Option<String>,
    pub titel: String,
    pub pdca_fase: Option<FaseWijziging>,
    pub acties_afgerond: Vec<ActieItem>,
    pub acties_gestart: Vec<ActieItem>,
    pub acties_gepauzeerd: Vec<ActieItem>,
    pub acties_vervallen: Vec<ActieItem>,
    pub acties_toegevoegd: Vec<ActieItem>,
    pub trekkerwijzigingen: Vec<TrekkerItem>,
    /// Nieuwe (of in deze periode gecorrigeerde) voortgangsberichten; ingetrokken berichten niet.
    pub voortgangsberichten: Vec<VoortgangsberichtItem>,
    pub reflecties: Vec<ReflectieItem>,
    pub metingen: Vec<MetingItem>,
    pub bijsturingen: Vec<BijsturingItem>,
}

impl OpgaveVoortgang {
    /// Items with a position (everything but the phase change).
    pub fn count(&self) -> usize {
        self.acties_afgerond.len()
            + self.acties_gestart.len()
            + self.acties_gepauzeerd.len()
            + self.acties_vervallen.len()
            + self.acties_toegevoegd.len()
            + self.trekkerwijzigingen.len()
            + self.voortgangsberichten.len()
            + self.reflecties.len()
            + self.metingen.len()
            + self.bijsturingen.len()
    }
}

/// The opgaven of one group at the agenda's outermost level (a themalijn).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroeperingVoortgang {
    pub groepering_id: Uuid,
    /// De weergavecode van de groepering; leeg zonder code.
    pub code: Option<String>,
    pub naam: String,
    pub opgaven: Vec<OpgaveVoortgang>,
}

/// Voortgang van een agenda tussen twee posities in het logboek.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Voortgang {
    pub agenda_id: Uuid,
    pub agenda: String,
    /// Met ?gemeente=: de gemeente waarvoor deze voortgang geldt (haar acties en die voor de hele agenda).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Borne")]
    pub gemeente: Option<String>,
    /// Naam van het groeperingsniveau (bijv. themalijn), als de agenda er een heeft.
    pub groeperingsniveau: Option<String>,
    /// De wijzigingen ná deze positie zijn meegenomen.
    pub sinds_positie: u64,
    /// Volledig tot en met deze positie; gebruik haar als sindsPositie voor de volgende editie.
    pub tot_positie: u64,
    pub sinds_datum: Option<NaiveDate>,
    pub tot_datum: Option<NaiveDate>,
    /// De groepering van ?groepering= (dan staat alles in haar ene sectie onder groeperingen).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groepering_id: Option<Uuid>,
    /// Aantal gemelde wijzigingen (fasewijzigingen niet meegeteld).
    pub aantal_wijzigingen: usize,
    /// Bijsturingen op checkmomenten over de hele agenda.
    pub agendabrede_bijsturingen: Vec<BijsturingItem>,
    /// Opgaven per groepering (alleen die met wijzigingen).
    pub groeperingen: Vec<GroeperingVoortgang>,
    /// Opgaven zonder groepering (alleen die met wijzigingen).
    pub opgaven: Vec<OpgaveVoortgang>,
}
