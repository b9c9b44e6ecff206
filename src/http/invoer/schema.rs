//! Checks a JSON value against a schema of the served OpenAPI document and
//! reports every problem at once, as `invalidParams` with Dutch reasons.
//!
//! This is what makes the request schemas the contract: a body is first
//! checked against the very schema `openapi/openapi.json` publishes for
//! it, then deserialised into the typed request (serde, which stops at the
//! first problem, so it only ever sees bodies that passed here). The
//! subset of JSON Schema it knows is the one utoipa generates: `type`
//! (also as a list with `"null"`), `properties`, `required`,
//! `additionalProperties`, `items`, `minItems`/`maxItems`, `enum`, `const`,
//! `minimum`/`maximum`, `minLength`/`maxLength`, `format` (`uuid`, `date`,
//! `date-time`, `email`, integer formats), `pattern` (only the patterns in
//! [`PATTERNS`]), `oneOf`/`anyOf`/`allOf` (a `oneOf` with a
//! `discriminator` is checked against the option its tag names) and `$ref`.
//! A schema using
//! anything else fails `tests/openapi.rs`, so a new keyword cannot be
//! published without being enforced.

use serde_json::{Map, Value};

use crate::domain::Foutcode;
use crate::http::problem::InvalidParam;

/// A `pattern` the API uses: its regular expression as published, the
/// stable code and Dutch wording of a violation, and the check itself
/// (written out, so the server needs no regex engine).
pub struct Pattern {
    pub regex: &'static str,
    pub code: Foutcode,
    pub meaning: &'static str,
    pub holds: fn(&str) -> bool,
}

/// The patterns the API uses. A pattern not listed here is refused by the
/// spec test.
pub const PATTERNS: &[Pattern] = &[
    Pattern {
        regex: super::waarden::VISIBLE_PATTERN,
        code: Foutcode::Required,
        meaning: "mag niet alleen uit spaties bestaan",
        holds: |s| s.chars().any(|c| !c.is_whitespace()),
    },
    Pattern {
        regex: super::waarden::YEAR_PATTERN,
        code: Foutcode::OutOfRange,
        meaning: "moet in de jaren 1900 tot en met 2200 liggen",
        holds: |s| {
            let year = s.get(..4).and_then(|y| y.parse::<u32>().ok());
            s.get(4..5) == Some("-") && year.is_some_and(|y| (1900..=2200).contains(&y))
        },
    },
    Pattern {
        regex: super::waarden::CODE_PATTERN,
        code: Foutcode::InvalidCode,
        meaning: "is geen code: gebruik 1 tot 6 delen van 1 tot 4 letters of cijfers gescheiden door punten, zoals 1.1, 2.6.1, A of 3a",
        holds: |s| s == s.trim() && crate::domain::Code::parse(s).is_ok(),
    },
    Pattern {
        regex: super::waarden::WEERGAVECODE_PATTERN,
        code: Foutcode::InvalidCode,
        meaning: "is geen code: gebruik 1 tot 12 delen van 1 tot 4 letters of cijfers gescheiden door punten, zoals 1.1 of 2.6.1.3",
        holds: |s| s == s.trim() && crate::domain::Code::parse_weergave(s).is_ok(),
    },
    Pattern {
        regex: crate::domain::actie::kenmerk::KENMERK_PATTERN,
        code: Foutcode::InvalidKenmerk,
        meaning: "is geen kenmerk: schrijf een code met een volgnummer (1.1.3-2) of alleen een volgnummer (7)",
        holds: |s| s == s.trim() && crate::domain::actie::Kenmerk::parse(s).is_ok(),
    },
    Pattern {
        regex: crate::domain::indicator::PERIODE_PATTERN,
        code: Foutcode::InvalidPeriod,
        meaning: "moet een periode zijn: 2024, 2024-Q2 of 2024-03 (jaren 1900 tot en met 2200)",
        holds: crate::domain::indicator::periode_volgens_patroon,
    },
];

/// Keywords this checker enforces or that only document (`description`,
/// `example`, ...). `tests/openapi.rs` refuses any other in a request schema.
pub const KNOWN_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "format",
    "pattern",
    "oneOf",
    "anyOf",
    "allOf",
    "$ref",
    "discriminator",
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "uniqueItems",
    "x-veld",
    "x-code",
    "description",
    "example",
    "examples",
    "title",
    "default",
    "deprecated",
];

/// Checks `value` at `path` (`body`, `body.partners[0]`) against `schema`;
/// `schemas` resolves `$ref`s (the document's `components.schemas`).
pub fn check(
    schemas: &Map<String, Value>,
    schema: &Value,
    value: &Value,
    path: &str,
) -> Vec<InvalidParam> {
    let mut out = Vec::new();
    Checker { schemas }.check(schema, value, path, &mut out);
    out
}

struct Checker<'a> {
    schemas: &'a Map<String, Value>,
}

fn field_name(path: &str) -> &str {
    path.rsplit(['.']).next().unwrap_or(path)
}

fn type_name(t: &str) -> &'static str {
    match t {
        "string" => "tekst",
        "integer" => "een geheel getal",
        "number" => "een getal",
        "boolean" => "true of false",
        "array" => "een lijst",
        "object" => "een object",
        "null" => "null",
        _ => "een waarde",
    }
}

fn matches_type(t: &str, value: &Value) -> bool {
    match t {
        "string" => value.is_string(),
        // JSON Schema: an integer is a number without a fraction (`2.0` too).
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

impl Checker<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut s = schema;
        // A reference to a component; utoipa never chains more than a few.
        for _ in 0..8 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => match r
                    .strip_prefix("#/components/schemas/")
                    .and_then(|n| self.schemas.get(n))
                {
                    Some(target) => s = target,
                    None => return s,
                },
                None => return s,
            }
        }
        s
    }

    fn check(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<InvalidParam>) {
        let schema = self.resolve(schema);
        // A rule between fields (`src/http/spec_rules.rs`): one problem,
        // named after the field it is about, in the rule's own words.
        if let Some(veld) = schema.get("x-veld").and_then(Value::as_str) {
            let mut found = Vec::new();
            let mut plain = schema.clone();
            if let Some(o) = plain.as_object_mut() {
                o.remove("x-veld");
            }
            self.check(&plain, value, path, &mut found);
            if !found.is_empty() {
                let code = schema
                    .get("x-code")
                    .and_then(Value::as_str)
                    .and_then(Foutcode::parse)
                    .unwrap_or(Foutcode::ConflictingFields);
                let reason = schema
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("Deze velden gaan zo niet samen.");
                out.push(InvalidParam::new(format!("{path}.{veld}"), code, reason));
            }
            return;
        }
        let name = field_name(path);
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|t| matches_type(t, value)) {
            let wanted: Vec<&str> = types
                .iter()
                .filter(|t| **t != "null")
                .map(|t| type_name(t))
                .collect();
            let code = match (
                types.contains(&"integer") || types.contains(&"number"),
                value,
            ) {
                (true, Value::Number(_)) => Foutcode::InvalidNumber,
                _ => Foutcode::InvalidType,
            };
            let reason = if value.is_null() {
                format!(
                    "Veld '{name}' mag niet null zijn: laat het weg om het te laten zoals het is, of geef {}.",
                    wanted.join(" of ")
                )
            } else {
                format!("Veld '{name}' moet {} zijn.", wanted.join(" of "))
            };
            out.push(InvalidParam::new(path, code, reason));
            return;
        }
        if value.is_null() {
            // Allowed by `type` (or no type given): nothing more to check,
            // except a oneOf/anyOf that must admit null.
            if types.is_empty() {
                self.composite(schema, value, path, out);
            }
            return;
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array) {
            if !options.contains(value) {
                let list: Vec<String> = options
                    .iter()
                    .filter(|o| !o.is_null())
                    .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_owned))
                    .collect();
                out.push(InvalidParam::new(
                    path,
                    Foutcode::InvalidValue,
                    format!(
                        "{value} is geen geldige waarde voor '{name}'; kies uit: {}.",
                        list.join(", ")
                    ),
                ));
                return;
            }
        }
        if let Some(c) = schema.get("const") {
            if c != value {
                out.push(InvalidParam::new(
                    path,
                    Foutcode::InvalidValue,
                    format!("Veld '{name}' moet {c} zijn."),
                ));
                return;
            }
        }
        match value {
            Value::String(s) => self.string(schema, s, path, out),
            Value::Number(_) => number(schema, value, path, out),
            Value::Array(items) => self.array(schema, items, path, out),
            Value::Object(map) => self.object(schema, map, path, out),
            _ => {}
        }
        self.composite(schema, value, path, out);
    }

    fn composite(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<InvalidParam>) {
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            // utoipa's allOf parts each describe some of the properties; an
            // unknown-field complaint of one part about another part's
            // property is not a problem of the whole.
            let mut found = Vec::new();
            for part in all {
                self.check(part, value, path, &mut found);
            }
            let known = self.property_names(schema);
            out.extend(found.into_iter().filter(|p| {
                p.code != "unknown-field" || !known.iter().any(|k| p.name == format!("{path}.{k}"))
            }));
        }
        if let Some(not) = schema.get("not") {
            let mut found = Vec::new();
            self.check(not, value, path, &mut found);
            if found.is_empty() {
                out.push(InvalidParam::new(
                    path,
                    Foutcode::ConflictingFields,
                    format!(
                        "'{}' heeft een combinatie van velden die niet is toegestaan.",
                        field_name(path)
                    ),
                ));
            }
        }
        if let Some(condition) = schema.get("if") {
            let mut found = Vec::new();
            self.check(condition, value, path, &mut found);
            let branch = if found.is_empty() {
                schema.get("then")
            } else {
                schema.get("else")
            };
            if let Some(branch) = branch {
                self.check(branch, value, path, out);
            }
        }
        for key in ["oneOf", "anyOf"] {
            let Some(options) = schema.get(key).and_then(Value::as_array) else {
                continue;
            };
            if let Some(tag) = schema
                .pointer("/discriminator/propertyName")
                .and_then(Value::as_str)
            {
                if let Value::Object(map) = value {
                    self.tagged(options, tag, map.get(tag), value, path, out);
                    continue;
                }
            }
            let mut best: Option<Vec<InvalidParam>> = None;
            // A value that is not null is never explained by the `null`
            // option of a nullable object (`Patch<T>`): report what is wrong
            // with it as the object, not "must be null".
            let only_null = |o: &Value| self.resolve(o).get("type") == Some(&Value::from("null"));
            let real: Vec<&Value> = options.iter().filter(|o| !only_null(o)).collect();
            let options: Vec<&Value> = if value.is_null() || real.is_empty() {
                options.iter().collect()
            } else {
                real
            };
            for option in options {
                let mut found = Vec::new();
                self.check(option, value, path, &mut found);
                if found.is_empty() {
                    best = None;
                    break;
                }
                if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                    best = Some(found);
                }
            }
            if let Some(problems) = best {
                out.extend(problems);
            }
        }
    }

    /// A tagged union (`discriminator`): the option whose `tag` property
    /// holds the value's tag decides, so a problem is reported against the
    /// shape the client chose; an unknown or missing tag is one problem
    /// that lists every tag.
    fn tagged(
        &self,
        options: &[Value],
        tag: &str,
        given: Option<&Value>,
        value: &Value,
        path: &str,
        out: &mut Vec<InvalidParam>,
    ) {
        let tag_of = |o: &Value| {
            self.resolve(o)
                .get("properties")
                .and_then(|p| p.get(tag))
                .map(|p| self.resolve(p))
                .and_then(|p| p.get("enum"))
                .and_then(Value::as_array)
                .and_then(|e| e.first())
                .cloned()
        };
        if let Some(option) =
            given.and_then(|g| options.iter().find(|o| tag_of(o).as_ref() == Some(g)))
        {
            self.check(option, value, path, out);
            return;
        }
        let tags: Vec<String> = options
            .iter()
            .filter_map(tag_of)
            .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_owned))
            .collect();
        let at = format!("{path}.{tag}");
        out.push(match given {
            None => InvalidParam::new(
                at,
                Foutcode::Required,
                format!("Veld '{tag}' is verplicht; kies uit: {}.", tags.join(", ")),
            ),
            Some(v) => InvalidParam::new(
                at,
                Foutcode::InvalidValue,
                format!(
                    "{v} is geen geldige waarde voor '{tag}'; kies uit: {}.",
                    tags.join(", ")
                ),
            ),
        });
    }

    /// Every property any part of a composite schema declares.
    fn property_names(&self, schema: &Value) -> Vec<String> {
        let schema = self.resolve(schema);
        let mut names: Vec<String> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                names.extend(self.property_names(part));
            }
        }
        names
    }

    fn string(&self, schema: &Value, s: &str, path: &str, out: &mut Vec<InvalidParam>) {
        let name = field_name(path);
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            if len < min {
                let reason = if min == 1 {
                    format!("Veld '{name}' mag niet leeg zijn.")
                } else {
                    format!("Veld '{name}' moet minstens {min} tekens lang zijn.")
                };
                out.push(InvalidParam::new(path, Foutcode::Required, reason));
                return;
            }
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            if len > max {
                out.push(InvalidParam::new(
                    path,
                    Foutcode::TooLong,
                    format!("Veld '{name}' is {len} tekens lang; het maximum is {max}."),
                ));
                return;
            }
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            match PATTERNS.iter().find(|p| p.regex == pattern) {
                Some(p) if (p.holds)(s) => {}
                Some(_) if schema.get("format").is_some() => {
                    // The format check below says it better (dates).
                }
                Some(p) => {
                    out.push(InvalidParam::new(path, p.code, format!("Veld '{name}' {}.", p.meaning)));
                    return;
                }
                None => out.push(InvalidParam::new(
                    path,
                    Foutcode::InternalError,
                    format!("Het patroon van veld '{name}' is de server onbekend; meld dit aan de beheerder."),
                )),
            }
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("uuid") if uuid::Uuid::try_parse(s).is_err() || s.len() != 36 => {
                out.push(InvalidParam::new(
                    path,
                    Foutcode::InvalidUuid,
                    format!("Veld '{name}' moet een UUID zijn (zoals 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b)."),
                ));
            }
            Some("date") => {
                if let Err(problem) = crate::http::datum::date_at(path, s) {
                    out.push(problem);
                }
            }
            Some("date-time") => {
                if let Err(problem) = crate::http::datum::instant_at(path, s) {
                    out.push(problem);
                }
            }
            Some("email") if !plausible_email(s) => out.push(InvalidParam::new(
                path,
                Foutcode::InvalidEmail,
                format!("Veld '{name}' moet een e-mailadres zijn, bijv. info@organisatie.nl."),
            )),
            _ => {}
        }
    }

    fn array(&self, schema: &Value, items: &[Value], path: &str, out: &mut Vec<InvalidParam>) {
        let name = field_name(path);
        let n = items.len() as u64;
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
            if n < min {
                out.push(InvalidParam::new(
                    path,
                    Foutcode::Required,
                    format!("Veld '{name}' moet minstens {min} element(en) bevatten."),
                ));
            }
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
            if n > max {
                out.push(InvalidParam::new(
                    path,
                    Foutcode::TooMany,
                    format!("Veld '{name}' mag hoogstens {max} elementen bevatten (nu {n})."),
                ));
            }
        }
        if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    out.push(InvalidParam::new(
                        format!("{path}[{i}]"),
                        Foutcode::Duplicate,
                        format!("{item} staat al eerder in '{name}'; noem elk element één keer."),
                    ));
                }
            }
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.check(item_schema, item, &format!("{path}[{i}]"), out);
            }
        }
    }

    fn object(
        &self,
        schema: &Value,
        map: &Map<String, Value>,
        path: &str,
        out: &mut Vec<InvalidParam>,
    ) {
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for field in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(field) {
                    out.push(InvalidParam::new(
                        format!("{path}.{field}"),
                        Foutcode::Required,
                        format!("Veld '{field}' is verplicht."),
                    ));
                }
            }
        }
        if let Some(deps) = schema.get("dependentRequired").and_then(Value::as_object) {
            for (given, needs) in deps {
                if !map.contains_key(given) {
                    continue;
                }
                for need in needs
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !map.contains_key(need) {
                        out.push(InvalidParam::new(
                            format!("{path}.{need}"),
                            Foutcode::Required,
                            format!("Veld '{need}' is verplicht als '{given}' is meegegeven."),
                        ));
                    }
                }
            }
        }
        for (key, v) in map {
            let at = format!("{path}.{key}");
            match properties.get(key) {
                Some(property) => self.check(property, v, &at, out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        let mut allowed: Vec<&str> =
                            properties.keys().map(String::as_str).collect();
                        allowed.sort_unstable();
                        out.push(InvalidParam::new(
                            at,
                            Foutcode::UnknownField,
                            format!("Onbekend veld '{key}'. Toegestaan: {}.", allowed.join(", ")),
                        ));
                    }
                    Some(extra @ Value::Object(_)) => self.check(extra, v, &at, out),
                    _ => {}
                },
            }
        }
    }
}

fn number(schema: &Value, value: &Value, path: &str, out: &mut Vec<InvalidParam>) {
    let name = field_name(path);
    let Some(x) = value.as_f64() else { return };
    let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
    let (min, max) = (bound("minimum"), bound("maximum"));
    let below = min.is_some_and(|m| x < m) || bound("exclusiveMinimum").is_some_and(|m| x <= m);
    let above = max.is_some_and(|m| x > m) || bound("exclusiveMaximum").is_some_and(|m| x >= m);
    if below || above {
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("van {a} tot en met {b}"),
            (Some(a), None) => format!("van minstens {a}"),
            (None, Some(b)) => format!("van hoogstens {b}"),
            (None, None) => "binnen het toegestane bereik".to_owned(),
        };
        out.push(InvalidParam::new(
            path,
            Foutcode::InvalidNumber,
            format!("Veld '{name}' moet een getal {range} zijn."),
        ));
    }
    // utoipa's integer formats carry their own range.
    let int_range = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => Some((i32::MIN as f64, i32::MAX as f64)),
        Some("uint32") => Some((0.0, u32::MAX as f64)),
        Some("int64") => Some((i64::MIN as f64, i64::MAX as f64)),
        Some("uint64") => Some((0.0, u64::MAX as f64)),
        Some("int8") => Some((i8::MIN as f64, i8::MAX as f64)),
        Some("uint8") => Some((0.0, u8::MAX as f64)),
        Some("int16") => Some((i16::MIN as f64, i16::MAX as f64)),
        Some("uint16") => Some((0.0, u16::MAX as f64)),
        _ => None,
    };
    if !(below || above) {
        if let Some((lo, hi)) = int_range {
            if x < lo || x > hi {
                out.push(InvalidParam::new(
                    path,
                    Foutcode::InvalidNumber,
                    format!("Veld '{name}' moet een geheel getal van {lo} tot en met {hi} zijn."),
                ));
            }
        }
    }
}

/// `local@domain.tld`-like: something before and a dotted host after one `@`.
fn plausible_email(s: &str) -> bool {
    let Some((local, host)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !host.contains('@')
        && host.split('.').count() >= 2
        && host.split('.').all(|p| !p.is_empty())
        && !s.chars().any(char::is_whitespace)
}
