//! Reads an agenda file field by field so that *every* problem is reported
//! with its path at once (a typed parse stops at the first one).
//!
//! The JSON is checked against the file's shape; each bad field is reported
//! and replaced by a harmless stand-in (or removed), so the typed parse and
//! [`super::plan`] can go on and report what they find in the rest. A
//! stand-in never causes a second report: [`merge`] drops later problems on
//! a field that already has one.

use serde_json::{Map, Value};

use super::AgendaFile;
use crate::domain::actie::ActieStatus;
use crate::domain::agenda::AgendaStatus;
use crate::domain::indicator::{MetingStatus, Richting};
use crate::domain::organisatie::OrganisatieSoort;
use crate::domain::FieldError;
use crate::domain::Foutcode;

#[derive(Clone, Copy)]
enum Kind {
    Str {
        required: bool,
    },
    OptStr,
    Int {
        required: bool,
    },
    /// A number (an indicator's value).
    Num {
        required: bool,
    },
    Bool,
    Date {
        required: bool,
        stand_in: &'static str,
    },
    Enum(fn(&Value) -> bool, &'static str, &'static str),
    Obj(fn() -> &'static [Field]),
    OptObj(fn() -> &'static [Field]),
    Arr(fn() -> &'static [Field]),
    StrArr {
        required: bool,
    },
}

type Field = (&'static str, Kind);

fn is<T: serde::de::DeserializeOwned>(v: &Value) -> bool {
    serde_json::from_value::<T>(v.clone()).is_ok()
}

fn file() -> &'static [Field] {
    &[
        ("formaat", Kind::Str { required: true }),
        ("formaatVersie", Kind::Int { required: true }),
        ("organisaties", Kind::Arr(organisatie)),
        ("agenda", Kind::Obj(agenda)),
    ]
}

fn organisatie() -> &'static [Field] {
    &[
        ("naam", Kind::Str { required: true }),
        (
            "soort",
            Kind::Enum(
                is::<OrganisatieSoort>,
                "overig",
                "gemeente, overheid, welzijn, zorg, jeugdbescherming, onderwijs, kinderopvang, sport, cultuur, bibliotheek, woningcorporatie, inwonersgroep, samenwerkingsverband, bedrijf, overig",
            ),
        ),
        ("contactadres", Kind::OptStr),
    ]
}

fn agenda() -> &'static [Field] {
    &[
        ("naam", Kind::Str { required: true }),
        ("omschrijving", Kind::OptStr),
        ("gemeenten", Kind::StrArr { required: true }),
        (
            "periodeStartDatum",
            Kind::Date {
                required: true,
                stand_in: "0001-01-01",
            },
        ),
        (
            "periodeEindDatum",
            Kind::Date {
                required: true,
                stand_in: "9999-12-31",
            },
        ),
        (
            "status",
            Kind::Enum(
                is::<AgendaStatus>,
                "concept",
                "concept, vastgesteld, gearchiveerd",
            ),
        ),
        ("gepubliceerd", Kind::Bool),
        ("signaleringstermijnDagen", Kind::Int { required: false }),
        ("groeperingsniveaus", Kind::Arr(niveau)),
        ("groeperingen", Kind::Arr(groepering)),
        ("opgaven", Kind::Arr(opgave)),
    ]
}

fn niveau() -> &'static [Field] {
    &[
        ("enkelvoud", Kind::Str { required: true }),
        ("meervoud", Kind::Str { required: true }),
    ]
}

fn groepering() -> &'static [Field] {
    &[
        ("code", Kind::OptStr),
        ("naam", Kind::Str { required: true }),
        ("omschrijving", Kind::OptStr),
        ("groeperingen", Kind::Arr(groepering)),
        ("opgaven", Kind::Arr(opgave)),
    ]
}

fn opgave() -> &'static [Field] {
    &[
        ("code", Kind::Str { required: true }),
        ("titel", Kind::Str { required: true }),
        ("omschrijving", Kind::OptStr),
        ("geprioriteerd", Kind::Bool),
        ("vervalreden", Kind::OptStr),
        ("doelen", Kind::Arr(doel)),
        ("acties", Kind::Arr(actie)),
    ]
}

fn doel() -> &'static [Field] {
    &[
        ("code", Kind::OptStr),
        ("titel", Kind::Str { required: true }),
        ("omschrijving", Kind::OptStr),
        ("geprioriteerd", Kind::Bool),
        ("vervalreden", Kind::OptStr),
        ("subdoelen", Kind::Arr(doel)),
        ("indicatoren", Kind::Arr(indicator)),
        ("acties", Kind::Arr(actie)),
    ]
}

fn indicator() -> &'static [Field] {
    &[
        ("naam", Kind::Str { required: true }),
        ("eenheid", Kind::Str { required: true }),
        (
            "richting",
            Kind::Enum(
                is::<Richting>,
                "hogerIsBeter",
                "hogerIsBeter, lagerIsBeter, binnenBandbreedte",
            ),
        ),
        ("bron", Kind::OptStr),
        ("eigenaar", Kind::OptStr),
        ("nulmeting", Kind::OptObj(waarde)),
        ("streefwaarden", Kind::Arr(waarde)),
        ("metingen", Kind::Arr(meting)),
    ]
}

fn waarde() -> &'static [Field] {
    &[
        ("jaar", Kind::Int { required: false }),
        ("waarde", Kind::Num { required: true }),
        ("ondergrens", Kind::Num { required: false }),
        ("bovengrens", Kind::Num { required: false }),
    ]
}

fn meting() -> &'static [Field] {
    &[
        ("periode", Kind::Str { required: true }),
        (
            "meetDatum",
            Kind::Date {
                required: false,
                stand_in: "",
            },
        ),
        ("waarde", Kind::Num { required: true }),
        (
            "status",
            Kind::Enum(is::<MetingStatus>, "voorlopig", "voorlopig, definitief"),
        ),
        ("gemeente", Kind::OptStr),
        ("bron", Kind::OptStr),
        ("toelichting", Kind::OptStr),
        ("doorOrganisatie", Kind::OptStr),
    ]
}

fn actie() -> &'static [Field] {
    &[
        ("kenmerk", Kind::OptStr),
        ("omschrijving", Kind::Str { required: true }),
        ("jaar", Kind::Int { required: true }),
        (
            "geplandeStartDatum",
            Kind::Date {
                required: false,
                stand_in: "",
            },
        ),
        (
            "geplandeEindDatum",
            Kind::Date {
                required: false,
                stand_in: "",
            },
        ),
        ("trekker", Kind::OptObj(trekker)),
        ("partners", Kind::StrArr { required: false }),
        (
            "status",
            Kind::Enum(
                is::<ActieStatus>,
                "gepland",
                "gepland, lopend, gepauzeerd, afgerond, vervallen",
            ),
        ),
    ]
}

fn trekker() -> &'static [Field] {
    &[("organisatie", Kind::OptStr), ("groep", Kind::OptStr)]
}

struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn problem(&mut self, field: String, code: Foutcode, message: String) {
        self.errors.push(FieldError {
            field,
            code,
            message,
        });
    }

    fn object(&mut self, map: &mut Map<String, Value>, path: &str, schema: &[Field]) {
        let at = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !schema.iter().any(|(name, _)| name == k))
            .cloned()
            .collect();
        for key in unknown {
            let allowed: Vec<&str> = schema.iter().map(|(n, _)| *n).collect();
            self.problem(
                at(&key),
                Foutcode::UnknownField,
                format!("Onbekend veld '{key}'. Toegestaan: {}.", allowed.join(", ")),
            );
            map.remove(&key);
        }
        for (name, kind) in schema {
            let field = at(name);
            let present = map.get(*name).filter(|v| !v.is_null()).is_some();
            if !present {
                map.remove(*name);
                let stand_in = match kind {
                    Kind::Str { required: true } => Some(Value::from("")),
                    Kind::Int { required: true } | Kind::Num { required: true } => {
                        Some(Value::from(0))
                    }
                    Kind::Date {
                        required: true,
                        stand_in,
                    } => Some(Value::from(*stand_in)),
                    Kind::StrArr { required: true } => Some(Value::Array(Vec::new())),
                    Kind::Obj(_) => Some(Value::Object(Map::new())),
                    _ => None,
                };
                if let Some(v) = stand_in {
                    self.problem(
                        field.clone(),
                        Foutcode::Required,
                        format!("Veld '{name}' is verplicht."),
                    );
                    if let Kind::Obj(inner) = kind {
                        let mut m = Map::new();
                        self.object(&mut m, &field, inner());
                        // Only the object's absence is reported, not each of its fields.
                        self.errors
                            .retain(|e| !e.field.starts_with(&format!("{field}.")));
                        map.insert((*name).to_owned(), Value::Object(m));
                    } else {
                        map.insert((*name).to_owned(), v);
                    }
                }
                continue;
            }
            let value = map.get_mut(*name).expect("present");
            self.value(value, &field, *kind);
            if value.is_null() {
                map.remove(*name);
            }
        }
    }

    /// Checks one present value; sets it to null to have it removed.
    fn value(&mut self, value: &mut Value, field: &str, kind: Kind) {
        match kind {
            Kind::Str { required } => match value {
                Value::String(_) => {}
                _ => {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidType,
                        "Moet tekst zijn.".into(),
                    );
                    *value = if required {
                        Value::from("")
                    } else {
                        Value::Null
                    };
                }
            },
            Kind::OptStr => {
                if !value.is_string() {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidType,
                        "Moet tekst zijn.".into(),
                    );
                    *value = Value::Null;
                }
            }
            Kind::Int { required } => {
                if value
                    .as_i64()
                    .filter(|n| i32::try_from(*n).is_ok())
                    .is_none()
                {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidNumber,
                        "Moet een geheel getal zijn.".into(),
                    );
                    *value = if required {
                        Value::from(0)
                    } else {
                        Value::Null
                    };
                }
            }
            Kind::Num { required } => {
                if !value.is_number() {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidNumber,
                        "Moet een getal zijn.".into(),
                    );
                    *value = if required {
                        Value::from(0)
                    } else {
                        Value::Null
                    };
                }
            }
            Kind::Bool => {
                if !value.is_boolean() {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidType,
                        "Moet true of false zijn.".into(),
                    );
                    *value = Value::Null;
                }
            }
            Kind::Date { required, stand_in } => {
                let checked = match value.as_str() {
                    Some(s) => crate::domain::datum::parse_date(s).map(|_| ()),
                    None => Err(crate::domain::datum::DatumFout::Syntax),
                };
                if let Err(e) = checked {
                    let raw = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned);
                    let name = field.rsplit('.').next().unwrap_or(field).to_owned();
                    self.problem(field.into(), e.code(false), e.reason(&name, &raw, false));
                    *value = if required {
                        Value::from(stand_in)
                    } else {
                        Value::Null
                    };
                }
            }
            Kind::Enum(valid, default, options) => {
                if !valid(value) {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidValue,
                        format!("{value} is geen geldige waarde; kies uit: {options}."),
                    );
                    *value = Value::from(default);
                }
            }
            Kind::Obj(inner) | Kind::OptObj(inner) => match value {
                Value::Object(m) => self.object(m, field, inner()),
                _ => {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidType,
                        "Moet een object zijn.".into(),
                    );
                    *value = match kind {
                        Kind::Obj(_) => Value::Object(Map::new()),
                        _ => Value::Null,
                    };
                }
            },
            Kind::Arr(inner) => match value {
                Value::Array(items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        let path = format!("{field}[{i}]");
                        match item {
                            Value::Object(m) => self.object(m, &path, inner()),
                            _ => {
                                self.problem(
                                    path.clone(),
                                    Foutcode::InvalidType,
                                    "Moet een object zijn.".into(),
                                );
                                let mut m = Map::new();
                                self.object(&mut m, &path, inner());
                                self.errors
                                    .retain(|e| !e.field.starts_with(&format!("{path}.")));
                                *item = Value::Object(m);
                            }
                        }
                    }
                }
                _ => {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidType,
                        "Moet een lijst zijn.".into(),
                    );
                    *value = Value::Array(Vec::new());
                }
            },
            Kind::StrArr { .. } => match value {
                Value::Array(items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        if !item.is_string() {
                            self.problem(
                                format!("{field}[{i}]"),
                                Foutcode::InvalidType,
                                "Moet tekst zijn.".into(),
                            );
                            *item = Value::from("");
                        }
                    }
                }
                _ => {
                    self.problem(
                        field.into(),
                        Foutcode::InvalidType,
                        "Moet een lijst van teksten zijn.".into(),
                    );
                    *value = Value::Array(Vec::new());
                }
            },
        }
    }
}

/// Reads an agenda file from JSON text: the typed file plus every problem
/// found on the way (the file is usable for planning even when there are
/// problems, so the planner can report the rest).
pub fn read(json: &str) -> Result<(AgendaFile, Vec<FieldError>), Vec<FieldError>> {
    let mut value: Value = serde_json::from_str(json).map_err(|e| {
        vec![FieldError {
            field: format!("regel {} kolom {}", e.line(), e.column()),
            code: Foutcode::InvalidJson,
            message: format!("Het agendabestand is geen geldige JSON: {e}"),
        }]
    })?;
    read_value(&mut value)
}

/// As [`read`], from a parsed value (which is cleaned in place).
pub fn read_value(value: &mut Value) -> Result<(AgendaFile, Vec<FieldError>), Vec<FieldError>> {
    let mut c = Checker { errors: Vec::new() };
    match value {
        Value::Object(m) => c.object(m, "", file()),
        _ => {
            return Err(vec![FieldError {
                field: "".into(),
                code: Foutcode::InvalidType,
                message: "Een agendabestand is een JSON-object met formaat, formaatVersie, organisaties en agenda.".into(),
            }])
        }
    }
    match serde_json::from_value::<AgendaFile>(value.clone()) {
        Ok(file) => Ok((file, c.errors)),
        Err(e) => {
            c.errors.push(FieldError {
                field: "".into(),
                code: Foutcode::InvalidAgendaFile,
                message: format!("Het agendabestand is ongeldig: {e}"),
            });
            Err(c.errors)
        }
    }
}

/// `first` plus those of `then` on fields `first` does not mention yet.
pub fn merge(mut first: Vec<FieldError>, then: Vec<FieldError>) -> Vec<FieldError> {
    for e in then {
        if !first.iter().any(|f| f.field == e.field) {
            first.push(e);
        }
    }
    first
}
