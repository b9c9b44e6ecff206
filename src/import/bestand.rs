//! The agenda file (`mag-tracker/agenda` version 1): the types the JSON
//! export writes and `POST /agenda-imports` reads, and their schema, which
//! the OpenAPI document publishes as the request body (`Agendabestand`).
//!
//! The schema says everything about one file that JSON Schema can state:
//! required fields, closed objects, enumerations, the code, kenmerk and date
//! patterns, non-blank texts, ranges, a trekker that is an organisatie or a
//! groep, sub-doelen one level deep (that rule is added to `BestandDoel` by
//! `src/http/spec_rules.rs`: the derive cannot say it), indicatoren (see
//! `indicatoren.rs`).
//! The HTTP layer checks a file against it before it is read (`invoer::schema::check`), so
//! every such problem is reported at once, one per field. What it cannot
//! state is left to [`super::plan`]: codes unique among the siblings of the
//! same kind, a `weergavecode` that follows from the codes, kenmerken unique
//! in the agenda, organisatie names that exist,
//! dates inside the agenda's period, groeperingen no deeper than the levels
//! the agenda names.
//!
//! `null` means the same as an absent field wherever a field may be left
//! out (the schema declares those nullable; [`from_value`] drops the nulls
//! before the typed read), so a script may write `"omschrijving": null`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, Object, ObjectBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::domain::actie::ActieStatus;
use crate::domain::agenda::{AgendaStatus, Niveau};
use crate::domain::gemeente::Uitvoeringsperiode;
use crate::domain::organisatie::OrganisatieSoort;
use crate::domain::Code;

/// The value of `formaat`.
pub const FORMAAT: &str = "mag-tracker/agenda";
/// The versions of the format this build reads.
pub const FORMAAT_VERSIES: [u32; 1] = [1];

/// Een agendabestand (`mag-tracker/agenda` versie 1): de organisaties en de hele agenda
/// (groeperingen, opgaven, doelen, acties). Het formaat van de JSON-export.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = Agendabestand, example = json!(voorbeeld()))]
pub struct AgendaFile {
    #[schema(schema_with = formaat)]
    pub formaat: String,
    #[schema(schema_with = formaat_versie)]
    pub formaat_versie: u32,
    /// Organisaties die het bestand noemt (als trekker of partner). Een naam die al
    /// geregistreerd is (hoofdletters en spaties tellen niet) wordt hergebruikt.
    #[serde(default)]
    #[schema(nullable)]
    pub organisaties: Vec<OrganisatieIn>,
    pub agenda: AgendaIn,
}

/// Een organisatie in een agendabestand.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandOrganisatie)]
pub struct OrganisatieIn {
    #[schema(min_length = 1, pattern = r"\S", example = "Bibliotheek Twenterand")]
    pub naam: String,
    pub soort: OrganisatieSoort,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contactadres: Option<String>,
}

/// De agenda in een agendabestand.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandAgenda)]
pub struct AgendaIn {
    #[schema(min_length = 1, pattern = r"\S")]
    pub naam: String,
    #[serde(default)]
    #[schema(nullable)]
    pub omschrijving: String,
    /// Eén of meer gemeenten.
    #[schema(schema_with = gemeenten)]
    pub gemeenten: Vec<String>,
    /// Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(value_type = String, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    pub periode_start_datum: NaiveDate,
    /// Niet vóór de startdatum. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(value_type = String, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    pub periode_eind_datum: NaiveDate,
    /// Standaard concept.
    #[serde(default = "concept")]
    #[schema(nullable)]
    pub status: AgendaStatus,
    /// Mag iedereen (ook zonder token) de agenda lezen? Standaard ja.
    #[serde(default = "yes")]
    #[schema(nullable)]
    pub gepubliceerd: bool,
    /// Na hoeveel dagen zonder update een actie 'stil' is (standaard 90).
    #[serde(default = "ninety")]
    #[schema(nullable, minimum = 1, maximum = 3650)]
    pub signaleringstermijn_dagen: u32,
    /// Namen van de niveaus boven opgave, buitenste eerst; een groepering ligt niet dieper
    /// dan het aantal niveaus.
    #[serde(default)]
    #[schema(nullable)]
    pub groeperingsniveaus: Vec<NiveauIn>,
    /// Per gemeente de periode waarin zij haar acties uitvoert (binnen de periode van de
    /// agenda, hoogstens één per gemeente).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable)]
    pub uitvoeringsperioden: Vec<UitvoeringsperiodeIn>,
    #[serde(default)]
    #[schema(nullable)]
    pub groeperingen: Vec<GroeperingIn>,
    /// Opgaven buiten een groepering.
    #[serde(default)]
    #[schema(nullable)]
    pub opgaven: Vec<OpgaveIn>,
}

fn concept() -> AgendaStatus {
    AgendaStatus::Concept
}
fn yes() -> bool {
    true
}
fn ninety() -> u32 {
    90
}

/// De naam van een groeperingsniveau, enkelvoud en meervoud.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandNiveau)]
pub struct NiveauIn {
    #[schema(min_length = 1, pattern = r"\S", example = "themalijn")]
    pub enkelvoud: String,
    #[schema(min_length = 1, pattern = r"\S", example = "themalijnen")]
    pub meervoud: String,
}

impl From<NiveauIn> for Niveau {
    fn from(n: NiveauIn) -> Self {
        Self {
            enkelvoud: n.enkelvoud,
            meervoud: n.meervoud,
        }
    }
}

impl From<Niveau> for NiveauIn {
    fn from(n: Niveau) -> Self {
        Self {
            enkelvoud: n.enkelvoud,
            meervoud: n.meervoud,
        }
    }
}

/// De uitvoeringsperiode van één gemeente van de agenda.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandUitvoeringsperiode)]
pub struct UitvoeringsperiodeIn {
    /// Een van de gemeenten van de agenda.
    #[schema(min_length = 1, pattern = r"\S", example = "Borne")]
    pub gemeente: String,
    /// Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(value_type = String, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    pub start_datum: NaiveDate,
    /// Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(value_type = String, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    pub eind_datum: NaiveDate,
}

impl From<UitvoeringsperiodeIn> for Uitvoeringsperiode {
    fn from(u: UitvoeringsperiodeIn) -> Self {
        Self {
            gemeente: u.gemeente,
            start_datum: u.start_datum,
            eind_datum: u.eind_datum,
        }
    }
}

impl From<Uitvoeringsperiode> for UitvoeringsperiodeIn {
    fn from(u: Uitvoeringsperiode) -> Self {
        Self {
            gemeente: u.gemeente,
            start_datum: u.start_datum,
            eind_datum: u.eind_datum,
        }
    }
}

/// Een groepering (bijv. themalijn) in een agendabestand.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandGroepering)]
pub struct GroeperingIn {
    /// Een naam voor dit bestand alleen, waarmee opgaven en doelen in `bijdragenAan` naar
    /// deze groepering verwijzen (nodig als twee groeperingen dezelfde naam hebben); uniek
    /// in het bestand; wordt niet opgeslagen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, pattern = r"\S", example = "meedoen")]
    pub sleutel: Option<String>,
    /// Mag ontbreken; uniek onder de groeperingen met dezelfde bovenliggende groepering
    /// (hoofdletters tellen niet).
    #[serde(default)]
    #[schema(value_type = Option<Code>)]
    pub code: Option<String>,
    /// Alleen ter informatie (de export schrijft haar): de code zoals getoond, afgeleid uit de
    /// codes. Wie haar meegeeft, moet de afgeleide geven.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, pattern = r"^[0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,11}$")]
    pub weergavecode: Option<String>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub naam: String,
    #[serde(default)]
    #[schema(nullable)]
    pub omschrijving: String,
    /// Groeperingen van het niveau eronder.
    #[serde(default)]
    #[schema(nullable, no_recursion)]
    pub groeperingen: Vec<GroeperingIn>,
    #[serde(default)]
    #[schema(nullable)]
    pub opgaven: Vec<OpgaveIn>,
}

/// Een opgave in een agendabestand.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandOpgave)]
pub struct OpgaveIn {
    /// Mag ontbreken; uniek onder de opgaven van dezelfde groepering (of, zonder groepering,
    /// van de agenda); hoofdletters tellen niet. Een code van één deel toont onder die van de
    /// groepering.
    #[serde(default)]
    #[schema(value_type = Option<Code>)]
    pub code: Option<String>,
    /// Alleen ter informatie, als bij een groepering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, pattern = r"^[0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,11}$")]
    pub weergavecode: Option<String>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub titel: String,
    #[serde(default)]
    #[schema(nullable)]
    pub omschrijving: String,
    /// Standaard true.
    #[serde(default = "yes")]
    #[schema(nullable)]
    pub geprioriteerd: bool,
    /// Alleen bij een vervallen opgave: de reden (de opgave wordt aangemaakt en vervalt dan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"\S")]
    pub vervalreden: Option<String>,
    /// De groeperingen waaraan de opgave daarnaast bijdraagt (bijv. andere maatschappelijke
    /// effecten): elk de `sleutel`, anders de `naam`, van een groepering in dit bestand; niet
    /// de eigen groepering, niet twee keer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable)]
    pub bijdragen_aan: Vec<String>,
    #[serde(default)]
    #[schema(nullable)]
    pub doelen: Vec<DoelIn>,
    /// Acties direct onder de opgave (niet onder een doel).
    #[serde(default)]
    #[schema(nullable)]
    pub acties: Vec<ActieIn>,
}

/// Een doel of sub-doel in een agendabestand.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandDoel)]
pub struct DoelIn {
    /// Mag ontbreken; uniek onder de doelen van dezelfde opgave (een sub-doel: onder dezelfde
    /// bovenliggende doel); hoofdletters tellen niet. Een code van één deel (`4`) toont onder
    /// de code erboven (`1.1.4`), een langere (`1.1.4`) zoals geschreven.
    #[serde(default)]
    #[schema(value_type = Option<Code>)]
    pub code: Option<String>,
    /// Alleen ter informatie, als bij een groepering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, pattern = r"^[0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,11}$")]
    pub weergavecode: Option<String>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub titel: String,
    #[serde(default)]
    #[schema(nullable)]
    pub omschrijving: String,
    /// Standaard true.
    #[serde(default = "yes")]
    #[schema(nullable)]
    pub geprioriteerd: bool,
    /// Alleen bij een vervallen doel: de reden (het doel wordt aangemaakt en vervalt dan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"\S")]
    pub vervalreden: Option<String>,
    /// De groeperingen waaraan het doel bijdraagt naast die van zijn opgave: elk de
    /// `sleutel`, anders de `naam`, van een groepering in dit bestand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable)]
    pub bijdragen_aan: Vec<String>,
    /// Sub-doelen: één niveau diep (een sub-doel heeft zelf geen sub-doelen; die regel staat
    /// in de `allOf` van dit schema).
    #[serde(default)]
    #[schema(nullable, no_recursion)]
    pub subdoelen: Vec<DoelIn>,
    /// De indicatoren van het doel, met hun streefwaarden en metingen.
    #[serde(default)]
    #[schema(nullable)]
    pub indicatoren: Vec<super::IndicatorIn>,
    #[serde(default)]
    #[schema(nullable)]
    pub acties: Vec<ActieIn>,
}

/// Een actie in een agendabestand.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandActie)]
pub struct ActieIn {
    /// Het kenmerk van de actie (`1.1.3-2`), uniek in de agenda; de export geeft het mee en
    /// de import houdt het. Zonder kenmerk krijgt de actie het volgende van de code erboven.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        pattern = "^([0-9A-Za-z]{1,4}(\\.[0-9A-Za-z]{1,4}){0,11}-)?[1-9][0-9]{0,8}$",
        example = "1.1.3-2"
    )]
    pub kenmerk: Option<String>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub omschrijving: String,
    #[schema(minimum = 1900, maximum = 2200, example = 2025)]
    pub jaar: i32,
    /// Binnen de periode van de agenda. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    pub geplande_start_datum: Option<NaiveDate>,
    /// Binnen de periode van de agenda. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    pub geplande_eind_datum: Option<NaiveDate>,
    /// Weglaten of null: de trekkersrol is nog in te vullen.
    #[serde(default)]
    pub trekker: Option<TrekkerIn>,
    /// Namen van samenwerkingspartners (organisaties).
    #[serde(default)]
    #[schema(nullable)]
    pub partners: Vec<String>,
    /// De gemeenten van de agenda waarvoor de actie is; leeg of weglaten: de hele agenda.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable)]
    pub gemeenten: Vec<String>,
    /// Standaard gepland.
    #[serde(default = "gepland")]
    #[schema(nullable)]
    pub status: ActieStatus,
}

fn gepland() -> ActieStatus {
    ActieStatus::Gepland
}

/// The trekker of an actie: `{"organisatie": naam}` or `{"groep": naam}`
/// (its schema, written out below, says exactly one of the two).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrekkerIn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisatie: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groep: Option<String>,
}

const TREKKER_RULE: &str =
    "Een trekker is óf {\"organisatie\": naam} óf {\"groep\": naam}, of null.";

fn nullable_string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

/// A rule fragment as `invoer::schema` reads it (`src/http/spec_rules.rs`):
/// the field it is about, its code and its Dutch reason.
pub fn rule(mut fragment: Value, veld: &str, code: &str, reason: &str) -> Value {
    fragment["x-veld"] = json!(veld);
    fragment["x-code"] = json!(code);
    fragment["description"] = json!(reason);
    fragment
}

/// `schema` with rule fragments (JSON Schema the builders have no method for).
fn with_keyword(mut schema: Object, keyword: &str, value: Value) -> Object {
    schema
        .extensions
        .get_or_insert_with(Default::default)
        .insert(keyword.to_owned(), value);
    schema
}

impl PartialSchema for TrekkerIn {
    fn schema() -> RefOr<Schema> {
        let given = |f: &str| json!({"required": [f], "properties": {f: {"type": "string"}}});
        let rules = json!([
            rule(
                json!({"anyOf": [given("organisatie"), given("groep")]}),
                "organisatie",
                "invalid-trekker",
                TREKKER_RULE
            ),
            rule(
                json!({"not": {"required": ["organisatie", "groep"],
                       "properties": {"organisatie": {"type": "string"}, "groep": {"type": "string"}}}}),
                "groep",
                "invalid-trekker",
                TREKKER_RULE
            ),
        ]);
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "De trekker: een organisatie (naam, zoals in organisaties of al geregistreerd) \
                 of een benoemde groep. Precies één van beide.",
            ))
            .property(
                "organisatie",
                nullable_string().examples([json!("Gemeente Twenterand")]),
            )
            .property(
                "groep",
                nullable_string()
                    .pattern(Some(r"\S"))
                    .examples([json!("Werkgroep Armoede")]),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .build();
        Schema::Object(with_keyword(object, "allOf", rules)).into()
    }
}

impl ToSchema for TrekkerIn {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("BestandTrekker")
    }
}

fn formaat() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([FORMAAT]))
        .into()
}

fn formaat_versie() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .enum_values(Some(FORMAAT_VERSIES))
        .into()
}

fn gemeenten() -> Schema {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .pattern(Some(r"\S"))
                .examples([json!("Twenterand")]),
        )
        .min_items(Some(1))
        .description(Some("Eén of meer gemeenten."))
        .into()
}

/// A small agenda: the schema's example, and a file that imports.
pub fn voorbeeld() -> Value {
    json!({
        "formaat": FORMAAT,
        "formaatVersie": 1,
        "organisaties": [
            {"naam": "Bibliotheek Twenterand", "soort": "bibliotheek"}
        ],
        "agenda": {
            "naam": "Maatschappelijke Agenda Voorbeeld 2025",
            "gemeenten": ["Twenterand"],
            "periodeStartDatum": "2025-01-01",
            "periodeEindDatum": "2025-12-31",
            "groeperingsniveaus": [{"enkelvoud": "themalijn", "meervoud": "themalijnen"}],
            "groeperingen": [{
                "code": "1",
                "naam": "Zelfredzame inwoners",
                "opgaven": [{
                    "code": "1.1",
                    "titel": "Laaggeletterdheid",
                    "doelen": [{
                        "code": "1.1.1",
                        "titel": "Meer inwoners vinden de weg naar een taalcursus",
                        "acties": [{
                            "omschrijving": "De bibliotheek organiseert vier taalcafés per kern.",
                            "jaar": 2025,
                            "geplandeStartDatum": "2025-03-01",
                            "trekker": {"organisatie": "Bibliotheek Twenterand"},
                            "status": "gepland"
                        }]
                    }]
                }]
            }]
        }
    })
}

/// `value` without its `null` members (at any depth): in an agenda file a
/// `null` means the field is left out.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// Reads an agenda file from its JSON (`null` read as absent).
pub fn from_value(value: Value) -> Result<AgendaFile, serde_json::Error> {
    serde_json::from_value(without_nulls(value))
}
