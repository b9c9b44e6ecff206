//! Reads an agenda from CSV: one row per actie, the columns of the export
//! (see [`super::export::CSV_COLUMNS`]; `opgaveTitel`, `omschrijving` and
//! `jaar` are required, every code column is optional, the informative
//! export columns are ignored). The agenda itself (naam, gemeenten,
//! periode) comes from [`CsvAgenda`], since a row has no place for it.
//!
//! Rows are grouped into groeperingen (by code, else naam), opgaven (within
//! their groepering: by code, else titel) and doelen (within their opgave
//! and parent doel: by code, else titel) and become an agenda file, so the
//! same planner validates them. So a spreadsheet without any codes works:
//! repeat the titles in the parent columns of each row. Problems name the
//! row as a spreadsheet shows it (the header is row 1) and the column:
//! `rij[7].partners`. Organisaties must be registered already: a CSV row
//! cannot describe one.
//!
//! A row whose `indicatorNaam` is filled is one value of an indicator of
//! its doel instead of an actie (see [`indicatoren`]). A row with only
//! `groeperingCode` and `groeperingNaam` filled defines a groepering
//! without acties: the `…BijdragenAan` columns name only groeperingen the
//! file defines (an unknown name is refused, never made up).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::export::{CSV_COLUMNS, PARTNER_SEPARATOR};
use super::{ActieIn, AgendaFile, AgendaIn, DoelIn, GroeperingIn, NiveauIn, OpgaveIn, TrekkerIn};
use crate::domain::actie::ActieStatus;
use crate::domain::agenda::AgendaStatus;
use crate::domain::FieldError;
use crate::domain::Foutcode;

pub mod indicatoren;

/// What the CSV cannot say about the agenda.
#[derive(Debug, Clone)]
pub struct CsvAgenda {
    pub naam: String,
    pub gemeenten: Vec<String>,
    pub periode_start_datum: NaiveDate,
    pub periode_eind_datum: NaiveDate,
    /// Name of the groepering level (default `themalijn`).
    pub groeperingsniveau: Option<String>,
    /// Per gemeente the period in which it carries out its acties.
    pub uitvoeringsperioden: Vec<crate::domain::gemeente::Uitvoeringsperiode>,
}

/// Parses the CSV import's uitvoeringsperioden, `Gemeente:JJJJ-MM-DD/JJJJ-MM-DD`
/// separated by commas (`Borne:2024-01-01/2025-12-31,Hengelo:2026-01-01/2027-12-31`);
/// `Err` with a Dutch reason. Which gemeenten and dates are allowed is the
/// planner's to check, as for the JSON file.
pub fn parse_uitvoeringsperioden(
    raw: &str,
) -> Result<Vec<crate::domain::gemeente::Uitvoeringsperiode>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let wrong = || format!("'{p}' is geen uitvoeringsperiode; schrijf Gemeente:JJJJ-MM-DD/JJJJ-MM-DD, bijvoorbeeld Borne:2024-01-01/2025-12-31.");
            let (gemeente, dates) = p.rsplit_once(':').ok_or_else(wrong)?;
            let (start, eind) = dates.split_once('/').ok_or_else(wrong)?;
            let date = |d: &str| crate::domain::datum::parse_date(d.trim()).map_err(|_| wrong());
            Ok(crate::domain::gemeente::Uitvoeringsperiode {
                gemeente: gemeente.trim().to_owned(),
                start_datum: date(start)?,
                eind_datum: date(eind)?,
            })
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Groepering,
    Opgave,
    Doel,
    Actie,
    Indicator,
    /// A nulmeting or streefwaarde row of an indicator.
    Waarde,
    Meting,
}

/// How a CSV defines a groepering that no actie is placed in (one only
/// contributed to): said with an unknown name in a `…BijdragenAan` cell.
const GROEPERING_RIJ: &str = " Een groepering zonder eigen acties zet u in een rij met alleen groeperingCode en groeperingNaam (de rest leeg).";

/// Maps the planner's paths back to CSV rows and columns.
pub struct RowMap {
    entries: Vec<(String, usize, Level)>,
}

impl RowMap {
    /// Renames `agenda.groeperingen[0].opgaven[1].acties[2].partners[0]`
    /// to `rij[7].partners`, and the agenda's uitvoeringsperioden (which
    /// came from the query) to `query.uitvoeringsperioden[0].gemeente`;
    /// leaves other fields as they are.
    pub fn rename(&self, errors: Vec<FieldError>) -> Vec<FieldError> {
        errors
            .into_iter()
            .map(|mut e| {
                if let Some(rest) = e.field.strip_prefix("agenda.uitvoeringsperioden") {
                    e.field = format!("query.uitvoeringsperioden{rest}");
                    return e;
                }
                let best = self
                    .entries
                    .iter()
                    .filter(|(p, _, _)| e.field == *p || e.field.starts_with(&format!("{p}.")))
                    .max_by_key(|(p, _, _)| p.len());
                if let Some((p, row, level)) = best {
                    let rest = e.field[p.len()..].trim_start_matches('.');
                    let head = rest.split(['.', '[']).next().unwrap_or("");
                    let column = match (level, head) {
                        (Level::Groepering, "naam") => "groeperingNaam",
                        (Level::Groepering, _) => "groeperingCode",
                        (Level::Opgave, "titel") => "opgaveTitel",
                        (Level::Opgave, "vervalreden") => "opgaveVervalreden",
                        (Level::Doel, "vervalreden") => "doelVervalreden",
                        (Level::Opgave, "bijdragenAan") => "opgaveBijdragenAan",
                        (Level::Doel, "bijdragenAan") => "doelBijdragenAan",
                        (Level::Opgave, _) => "opgaveCode",
                        (Level::Doel, "titel") => "doelTitel",
                        (Level::Doel, _) => "doelCode",
                        (Level::Actie, "") => "omschrijving",
                        (Level::Actie, other) => other,
                        (level, head) => indicatoren::column(*level, head),
                    };
                    if e.code == Foutcode::UnknownGroepering && column.ends_with("BijdragenAan") {
                        e.message.push_str(GROEPERING_RIJ);
                    }
                    e.field = format!("rij[{row}].{column}");
                }
                e
            })
            .collect()
    }
}

/// The names in a `…BijdragenAan` cell.
fn namen(cell: &str) -> Vec<String> {
    cell.split(PARTNER_SEPARATOR.trim())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The first row's `…BijdragenAan` of an opgave or doel holds; a later row
/// that says otherwise is inconsistent.
fn same_bijdragen(
    errors: &mut Vec<FieldError>,
    (row, column): (usize, &str),
    first: (usize, &mut String),
    cell: &str,
) {
    if first.0 == row {
        *first.1 = cell.to_owned();
    } else if namen(first.1) != namen(cell) {
        problem(
            errors,
            row,
            column,
            Foutcode::Inconsistent,
            format!(
                "In rij {} staat hier '{}', in deze rij '{cell}'.",
                first.0, first.1
            ),
        );
    }
}

fn problem(
    errors: &mut Vec<FieldError>,
    row: usize,
    column: &str,
    code: Foutcode,
    message: String,
) {
    errors.push(FieldError {
        field: format!("rij[{row}].{column}"),
        code,
        message,
    });
}

#[derive(Default)]
struct DoelAcc {
    code: Option<String>,
    titel: String,
    row: usize,
    /// For a sub-doel: its parent doel (an index in the opgave's doelen).
    parent: Option<usize>,
    /// Empty for an active doel.
    vervalreden: String,
    /// The `…BijdragenAan` cell as first given.
    bijdragen: String,
    acties: Vec<(usize, ActieIn)>,
    indicatoren: Vec<indicatoren::IndicatorAcc>,
}

/// The doel of `opgave` with this code (or, without one, this titel)
/// among the doelen under `parent` (none: the opgave's own doelen), added
/// when it is not there yet; `Err` with a message when it is there with
/// another titel or another vervalreden. Codes compare without case, and
/// are unique only among those siblings.
fn find_doel(
    opgave: &mut OpgaveAcc,
    (code, titel, vervalreden): (&str, &str, &str),
    parent: Option<usize>,
    row: usize,
) -> Result<usize, String> {
    let same = |d: &DoelAcc| {
        if code.is_empty() {
            d.code.is_none() && d.titel == titel
        } else {
            d.code
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(code))
        }
    };
    let found = opgave
        .doelen
        .iter()
        .position(|d| d.parent == parent && same(d));
    match found {
        Some(di) => {
            let d = &opgave.doelen[di];
            if d.titel != titel {
                return Err(format!(
                    "Doel {code} heet in rij {} '{}', hier '{titel}'.",
                    d.row, d.titel
                ));
            }
            if d.vervalreden != vervalreden {
                return Err(format!(
                    "Doel '{titel}' heeft in rij {} vervalreden '{}', hier '{vervalreden}'.",
                    d.row, d.vervalreden
                ));
            }
            Ok(di)
        }
        None => {
            opgave.doelen.push(DoelAcc {
                code: (!code.is_empty()).then(|| code.to_owned()),
                titel: titel.to_owned(),
                row,
                parent,
                vervalreden: vervalreden.to_owned(),
                bijdragen: String::new(),
                acties: Vec::new(),
                indicatoren: Vec::new(),
            });
            Ok(opgave.doelen.len() - 1)
        }
    }
}

#[derive(Default)]
struct OpgaveAcc {
    code: Option<String>,
    titel: String,
    row: usize,
    groepering: Option<usize>,
    /// Empty for an active opgave.
    vervalreden: String,
    /// The `opgaveBijdragenAan` cell as first given.
    bijdragen: String,
    doelen: Vec<DoelAcc>,
    acties: Vec<(usize, ActieIn)>,
}

/// The doel at `di` with its sub-doelen (taken out of `accs`), its paths
/// recorded in `map`.
fn doel_tree(accs: &mut [Option<DoelAcc>], di: usize, path: &str, map: &mut RowMap) -> DoelIn {
    let d = accs[di].take().expect("each doel is placed once");
    map.entries.push((path.to_owned(), d.row, Level::Doel));
    let subs: Vec<usize> = (0..accs.len())
        .filter(|i| accs[*i].as_ref().is_some_and(|s| s.parent == Some(di)))
        .collect();
    let subdoelen = subs
        .into_iter()
        .enumerate()
        .map(|(n, si)| doel_tree(accs, si, &format!("{path}.subdoelen[{n}]"), map))
        .collect();
    let mut acties = Vec::new();
    for (ai, (row, a)) in d.acties.into_iter().enumerate() {
        map.entries
            .push((format!("{path}.acties[{ai}]"), row, Level::Actie));
        acties.push(a);
    }
    let indicatoren = d
        .indicatoren
        .into_iter()
        .enumerate()
        .map(|(k, a)| indicatoren::tree(a, &format!("{path}.indicatoren[{k}]"), map))
        .collect();
    DoelIn {
        code: d.code,
        weergavecode: None,
        titel: d.titel,
        omschrijving: String::new(),
        geprioriteerd: true,
        vervalreden: (!d.vervalreden.is_empty()).then_some(d.vervalreden),
        bijdragen_aan: namen(&d.bijdragen),
        subdoelen,
        indicatoren,
        acties,
    }
}

/// The doel a row names (under its parent doel when it names one): `Ok(None)`
/// when it names none, `Err` when the row contradicts an earlier one (the
/// problem is recorded).
fn doel_of_row(
    opgave: &mut OpgaveAcc,
    get: &dyn Fn(&str) -> String,
    row: usize,
    errors: &mut Vec<FieldError>,
) -> Result<Option<usize>, ()> {
    let (dcode, dtitel) = (get("doelCode"), get("doelTitel"));
    let (pcode, ptitel) = (get("bovenliggendDoelCode"), get("bovenliggendDoelTitel"));
    let (dreden, preden) = (get("doelVervalreden"), get("bovenliggendDoelVervalreden"));
    if dcode.is_empty() && dtitel.is_empty() {
        return Ok(None);
    }
    let parent = if pcode.is_empty() && ptitel.is_empty() {
        Ok(None)
    } else {
        find_doel(opgave, (&pcode, &ptitel, &preden), None, row).map(Some)
    };
    if let Ok(Some(pi)) = parent {
        let p = &mut opgave.doelen[pi];
        same_bijdragen(
            errors,
            (row, "bovenliggendDoelBijdragenAan"),
            (p.row, &mut p.bijdragen),
            &get("bovenliggendDoelBijdragenAan"),
        );
    }
    let parent = match parent {
        Ok(p) => p,
        Err(msg) => {
            problem(
                errors,
                row,
                "bovenliggendDoelTitel",
                Foutcode::Inconsistent,
                msg,
            );
            None
        }
    };
    match find_doel(opgave, (&dcode, &dtitel, &dreden), parent, row) {
        Ok(di) => {
            let d = &mut opgave.doelen[di];
            same_bijdragen(
                errors,
                (row, "doelBijdragenAan"),
                (d.row, &mut d.bijdragen),
                &get("doelBijdragenAan"),
            );
            Ok(Some(di))
        }
        Err(msg) => {
            problem(errors, row, "doelTitel", Foutcode::Inconsistent, msg);
            Err(())
        }
    }
}

/// Reads the CSV into an agenda file, the problems found in the rows, and
/// the map to name the planner's problems by row.
pub fn read(
    bytes: &[u8],
    agenda: &CsvAgenda,
) -> Result<(AgendaFile, Vec<FieldError>, RowMap), Vec<FieldError>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![FieldError {
            field: "csv".into(),
            code: Foutcode::InvalidEncoding,
            message: format!("Het CSV-bestand is geen UTF-8 ({e}); sla het op als 'CSV UTF-8'."),
        }]
    })?;
    let text = text.trim_start_matches('\u{FEFF}');
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = if header_line.contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            vec![FieldError {
                field: "rij[1]".into(),
                code: Foutcode::InvalidCsv,
                message: format!("De kopregel is onleesbaar: {e}"),
            }]
        })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if !CSV_COLUMNS.contains(&h.as_str()) && !indicatoren::COLUMNS.contains(&h.as_str()) {
            errors.push(FieldError {
                field: format!("rij[1].kolom[{}]", i + 1),
                code: Foutcode::UnknownColumn,
                message: format!(
                    "Onbekende kolom '{h}'. Bekende kolommen: {}, {}.",
                    CSV_COLUMNS.join(", "),
                    indicatoren::COLUMNS.join(", ")
                ),
            });
        }
    }
    for required in ["opgaveTitel", "omschrijving", "jaar"] {
        if !headers.iter().any(|h| h == required) {
            errors.push(FieldError {
                field: "rij[1]".into(),
                code: Foutcode::MissingColumn,
                message: format!("De kolom '{required}' ontbreekt."),
            });
        }
    }
    if errors.iter().any(|e| e.code == "missing-column") {
        return Err(errors);
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut groeperingen: Vec<(Option<String>, String, usize)> = Vec::new();
    let mut opgaven: Vec<OpgaveAcc> = Vec::new();
    // (groepering, code in lower case or "titel:" and the titel) → opgave.
    let mut opgave_index: HashMap<(Option<usize>, String), usize> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problem(
                    &mut errors,
                    row,
                    "",
                    Foutcode::InvalidCsv,
                    format!("Rij {row} is onleesbaar: {e}"),
                );
                continue;
            }
        };
        // The `'` the export puts before a formula character comes off again.
        let get = |name: &str| {
            col(name)
                .and_then(|c| record.get(c))
                .map(|cell| crate::escape::csv_cell_text(cell.trim()))
                .unwrap_or("")
                .to_owned()
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // groepering
        let (gcode, gnaam) = (get("groeperingCode"), get("groeperingNaam"));
        let groepering = if gcode.is_empty() && gnaam.is_empty() {
            None
        } else {
            let key = |g: &(Option<String>, String, usize)| {
                if gcode.is_empty() {
                    g.0.is_none() && g.1 == gnaam
                } else {
                    g.0.as_deref()
                        .is_some_and(|c| c.eq_ignore_ascii_case(&gcode))
                }
            };
            match groeperingen.iter().position(key) {
                Some(idx) => {
                    if groeperingen[idx].1 != gnaam {
                        problem(
                            &mut errors,
                            row,
                            "groeperingNaam",
                            Foutcode::Inconsistent,
                            format!(
                                "Groepering {gcode} heet in rij {} '{}', hier '{gnaam}'.",
                                groeperingen[idx].2, groeperingen[idx].1
                            ),
                        );
                    }
                    Some(idx)
                }
                None => {
                    groeperingen.push((
                        (!gcode.is_empty()).then(|| gcode.clone()),
                        gnaam.clone(),
                        row,
                    ));
                    Some(groeperingen.len() - 1)
                }
            }
        };
        // A row with only the groepering columns filled defines that
        // groepering (one that only receives contributions, say).
        let alleen_groepering = headers.iter().enumerate().all(|(c, h)| {
            h == "groeperingCode"
                || h == "groeperingNaam"
                || record.get(c).is_none_or(|cell| cell.trim().is_empty())
        });
        if groepering.is_some() && alleen_groepering {
            continue;
        }
        // opgave
        let (ocode, otitel) = (get("opgaveCode"), get("opgaveTitel"));
        let oreden = get("opgaveVervalreden");
        if ocode.is_empty() && otitel.is_empty() {
            problem(
                &mut errors,
                row,
                "opgaveTitel",
                Foutcode::Required,
                "Elke actie hoort bij een opgave: vul opgaveTitel in (en opgaveCode als de opgave een code heeft).".into(),
            );
        }
        // Within its groepering an opgave is known by its code, else its titel.
        let okey = if ocode.is_empty() {
            (groepering, format!("titel:{otitel}"))
        } else {
            (groepering, ocode.to_ascii_lowercase())
        };
        let olabel = crate::domain::code::label((!ocode.is_empty()).then_some(&ocode), &otitel);
        let oi = match opgave_index.get(&okey) {
            Some(&oi) => {
                let o = &opgaven[oi];
                if o.titel != otitel {
                    problem(
                        &mut errors,
                        row,
                        "opgaveTitel",
                        Foutcode::Inconsistent,
                        format!(
                            "Opgave {olabel} heet in rij {} '{}', hier '{otitel}'.",
                            o.row, o.titel
                        ),
                    );
                }
                if o.vervalreden != oreden {
                    problem(
                        &mut errors,
                        row,
                        "opgaveVervalreden",
                        Foutcode::Inconsistent,
                        format!(
                            "Opgave {olabel} heeft in rij {} vervalreden '{}', hier '{oreden}'.",
                            o.row, o.vervalreden
                        ),
                    );
                }
                oi
            }
            None => {
                opgaven.push(OpgaveAcc {
                    code: (!ocode.is_empty()).then(|| ocode.clone()),
                    titel: otitel.clone(),
                    row,
                    groepering,
                    vervalreden: oreden.clone(),
                    ..OpgaveAcc::default()
                });
                opgave_index.insert(okey, opgaven.len() - 1);
                opgaven.len() - 1
            }
        };
        {
            let o = &mut opgaven[oi];
            same_bijdragen(
                &mut errors,
                (row, "opgaveBijdragenAan"),
                (o.row, &mut o.bijdragen),
                &get("opgaveBijdragenAan"),
            );
        }
        // an indicator row: one value of an indicator of the row's doel
        if !get("indicatorNaam").is_empty() {
            indicatoren::check_richting(&get, row, &mut errors);
            match doel_of_row(&mut opgaven[oi], &get, row, &mut errors) {
                Ok(Some(di)) => indicatoren::add(
                    &mut opgaven[oi].doelen[di].indicatoren,
                    &get,
                    row,
                    &mut errors,
                ),
                Ok(None) => problem(
                    &mut errors,
                    row,
                    "doelTitel",
                    Foutcode::Required,
                    "Een indicator hoort bij een doel: vul doelCode of doelTitel in.".into(),
                ),
                Err(()) => {}
            }
            continue;
        }
        // actie
        let jaar = match get("jaar").parse::<i32>() {
            Ok(j) => j,
            Err(_) => {
                problem(
                    &mut errors,
                    row,
                    "jaar",
                    Foutcode::InvalidNumber,
                    format!("'{}' is geen jaar (bijvoorbeeld 2024).", get("jaar")),
                );
                0
            }
        };
        let mut date = |name: &str| {
            let raw = get(name);
            if raw.is_empty() {
                return None;
            }
            match crate::domain::datum::parse_date(&raw) {
                Ok(d) => Some(d),
                Err(e) => {
                    problem(
                        &mut errors,
                        row,
                        name,
                        e.code(false),
                        e.reason(name, &raw, false),
                    );
                    None
                }
            }
        };
        let start = date("geplandeStartDatum");
        let eind = date("geplandeEindDatum");
        let status_raw = get("status");
        let status = if status_raw.is_empty() {
            ActieStatus::Gepland
        } else {
            match ActieStatus::ALL.iter().find(|s| s.as_str() == status_raw) {
                Some(s) => *s,
                None => {
                    problem(&mut errors, row, "status", Foutcode::InvalidValue, format!(
                        "'{status_raw}' is geen status; kies uit gepland, lopend, gepauzeerd, afgerond, vervallen."
                    ));
                    ActieStatus::Gepland
                }
            }
        };
        let trekker_naam = get("trekker");
        let trekker = if trekker_naam.is_empty() {
            None
        } else {
            match get("trekkerSoort").as_str() {
                "" | "organisatie" => Some(TrekkerIn {
                    organisatie: Some(trekker_naam),
                    groep: None,
                }),
                "groep" => Some(TrekkerIn {
                    organisatie: None,
                    groep: Some(trekker_naam),
                }),
                other => {
                    problem(
                        &mut errors,
                        row,
                        "trekkerSoort",
                        Foutcode::InvalidValue,
                        format!("'{other}' is geen trekkerSoort; kies organisatie of groep."),
                    );
                    None
                }
            }
        };
        let partners = get("partners")
            .split(PARTNER_SEPARATOR.trim())
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let gemeenten = get("gemeenten")
            .split(PARTNER_SEPARATOR.trim())
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect();
        let kenmerk = get("kenmerk");
        let actie = ActieIn {
            kenmerk: (!kenmerk.is_empty()).then_some(kenmerk),
            omschrijving: get("omschrijving"),
            jaar,
            geplande_start_datum: start,
            geplande_eind_datum: eind,
            trekker,
            partners,
            gemeenten,
            status,
        };
        // doel, under its parent doel when the row names one
        match doel_of_row(&mut opgaven[oi], &get, row, &mut errors) {
            Ok(None) => opgaven[oi].acties.push((row, actie)),
            Ok(Some(di)) => opgaven[oi].doelen[di].acties.push((row, actie)),
            Err(()) => {}
        }
    }

    // Build the tree and remember which path came from which row.
    let mut map = RowMap {
        entries: Vec::new(),
    };
    let mut tree_groepen: Vec<GroeperingIn> = groeperingen
        .iter()
        .map(|(code, naam, _)| GroeperingIn {
            sleutel: None,
            code: code.clone(),
            weergavecode: None,
            naam: naam.clone(),
            omschrijving: String::new(),
            groeperingen: Vec::new(),
            opgaven: Vec::new(),
        })
        .collect();
    for (gi, (_, _, row)) in groeperingen.iter().enumerate() {
        map.entries.push((
            format!("agenda.groeperingen[{gi}]"),
            *row,
            Level::Groepering,
        ));
    }
    let mut losse = Vec::new();
    for o in opgaven {
        let prefix = match o.groepering {
            Some(gi) => format!(
                "agenda.groeperingen[{gi}].opgaven[{}]",
                tree_groepen[gi].opgaven.len()
            ),
            None => format!("agenda.opgaven[{}]", losse.len()),
        };
        map.entries.push((prefix.clone(), o.row, Level::Opgave));
        let mut accs: Vec<Option<DoelAcc>> = o.doelen.into_iter().map(Some).collect();
        let tops: Vec<usize> = (0..accs.len())
            .filter(|i| accs[*i].as_ref().is_some_and(|d| d.parent.is_none()))
            .collect();
        let mut doelen = Vec::new();
        for (n, di) in tops.into_iter().enumerate() {
            let dp = format!("{prefix}.doelen[{n}]");
            doelen.push(doel_tree(&mut accs, di, &dp, &mut map));
        }
        let mut acties = Vec::new();
        for (ai, (row, a)) in o.acties.into_iter().enumerate() {
            map.entries
                .push((format!("{prefix}.acties[{ai}]"), row, Level::Actie));
            acties.push(a);
        }
        let opgave = OpgaveIn {
            code: o.code,
            weergavecode: None,
            titel: o.titel,
            omschrijving: String::new(),
            geprioriteerd: true,
            vervalreden: (!o.vervalreden.is_empty()).then_some(o.vervalreden),
            bijdragen_aan: namen(&o.bijdragen),
            doelen,
            acties,
        };
        match o.groepering {
            Some(gi) => tree_groepen[gi].opgaven.push(opgave),
            None => losse.push(opgave),
        }
    }
    let niveau = agenda
        .groeperingsniveau
        .clone()
        .unwrap_or_else(|| "themalijn".into());
    let file = AgendaFile {
        formaat: "mag-tracker/agenda".into(),
        formaat_versie: 1,
        organisaties: Vec::new(),
        agenda: AgendaIn {
            naam: agenda.naam.clone(),
            omschrijving: String::new(),
            gemeenten: agenda.gemeenten.clone(),
            periode_start_datum: agenda.periode_start_datum,
            periode_eind_datum: agenda.periode_eind_datum,
            status: AgendaStatus::Concept,
            gepubliceerd: true,
            signaleringstermijn_dagen: 90,
            groeperingsniveaus: if tree_groepen.is_empty() {
                Vec::new()
            } else {
                vec![NiveauIn {
                    meervoud: format!("{niveau}en"),
                    enkelvoud: niveau,
                }]
            },
            uitvoeringsperioden: agenda
                .uitvoeringsperioden
                .iter()
                .cloned()
                .map(Into::into)
                .collect(),
            groeperingen: tree_groepen,
            opgaven: losse,
        },
    };
    Ok((file, errors, map))
}
