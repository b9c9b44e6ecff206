//! Indicatoren in the CSV: a row whose `indicatorNaam` is filled is not an
//! actie but one value of an indicator of the row's doel. `waardeSoort`
//! says which: `nulmeting`, `streefwaarde` (with `waardeJaar`, or without
//! for the whole period) or `meting` (with `metingPeriode`, `metingStatus`
//! and optionally `metingGemeente`); empty for an indicator without values
//! yet. The indicator's own columns (`indicatorEenheid`,
//! `indicatorRichting`, `indicatorBron`, `indicatorEigenaar`) need to be
//! filled once; where a later row fills them too they must agree. Numbers
//! take a decimal point or a decimal comma (`12,5`).

use super::{problem, Level, RowMap};
use crate::domain::indicator::{MetingStatus, Richting, Waarde};
use crate::domain::FieldError;
use crate::domain::Foutcode;
use crate::import::{IndicatorIn, MetingIn};

/// The indicator columns of the CSV, in order (after the actie columns).
pub const COLUMNS: [&str; 17] = [
    "indicatorNaam",
    "indicatorEenheid",
    "indicatorRichting",
    "indicatorBron",
    "indicatorEigenaar",
    "waardeSoort",
    "waardeJaar",
    "metingPeriode",
    "waarde",
    "ondergrens",
    "bovengrens",
    "metingStatus",
    "metingGemeente",
    "meetDatum",
    "metingBron",
    "metingToelichting",
    "metingDoorOrganisatie",
];

/// The column a planner problem on an indicator, one of its values or one
/// of its metingen is about.
pub(super) fn column(level: Level, head: &str) -> &'static str {
    match (level, head) {
        (Level::Indicator, "eenheid") => "indicatorEenheid",
        (Level::Indicator, "richting") => "indicatorRichting",
        (Level::Indicator, "bron") => "indicatorBron",
        (Level::Indicator, "eigenaar") => "indicatorEigenaar",
        (Level::Indicator, _) => "indicatorNaam",
        (Level::Waarde, "jaar") => "waardeJaar",
        (Level::Waarde, "waarde") => "waarde",
        (Level::Waarde, "bovengrens") => "bovengrens",
        // The band problem is on the streefwaarde itself.
        (Level::Waarde, _) => "ondergrens",
        (Level::Meting, "waarde") => "waarde",
        (Level::Meting, "status") => "metingStatus",
        (Level::Meting, "gemeente") => "metingGemeente",
        (Level::Meting, "meetDatum") => "meetDatum",
        (Level::Meting, "bron") => "metingBron",
        (Level::Meting, "toelichting") => "metingToelichting",
        (Level::Meting, "doorOrganisatie") => "metingDoorOrganisatie",
        _ => "metingPeriode",
    }
}

enum Soort {
    Geen,
    Nulmeting(Waarde),
    Streefwaarde(Waarde),
    Meting(MetingIn),
}

/// The indicator of one or more rows of a doel, gathered.
pub(super) struct IndicatorAcc {
    naam: String,
    row: usize,
    /// (value, row it was first given in) per own column.
    eigen: [Option<(String, usize)>; 4],
    nulmeting: Option<(Waarde, usize)>,
    streefwaarden: Vec<(Waarde, usize)>,
    metingen: Vec<(MetingIn, usize)>,
}

const EIGEN: [&str; 4] = [
    "indicatorEenheid",
    "indicatorRichting",
    "indicatorBron",
    "indicatorEigenaar",
];

fn getal(
    get: &dyn Fn(&str) -> String,
    name: &str,
    row: usize,
    errors: &mut Vec<FieldError>,
) -> Option<f64> {
    let raw = get(name);
    if raw.is_empty() {
        return None;
    }
    let text = if raw.contains('.') {
        raw.clone()
    } else {
        raw.replace(',', ".")
    };
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            problem(
                errors,
                row,
                name,
                Foutcode::InvalidNumber,
                format!("'{raw}' is geen getal (bijvoorbeeld 12,5 of 12.5)."),
            );
            None
        }
    }
}

fn waarde(
    get: &dyn Fn(&str) -> String,
    row: usize,
    errors: &mut Vec<FieldError>,
) -> Option<Waarde> {
    let raw_jaar = get("waardeJaar");
    let jaar = if raw_jaar.is_empty() {
        None
    } else {
        match raw_jaar.parse::<i32>() {
            Ok(j) => Some(j),
            Err(_) => {
                problem(
                    errors,
                    row,
                    "waardeJaar",
                    Foutcode::InvalidNumber,
                    format!(
                    "'{raw_jaar}' is geen jaar (bijvoorbeeld 2026); laat leeg voor de hele periode."
                ),
                );
                None
            }
        }
    };
    let w = getal(get, "waarde", row, errors);
    if w.is_none() && get("waarde").is_empty() {
        problem(
            errors,
            row,
            "waarde",
            Foutcode::Required,
            "Vul de waarde in.".into(),
        );
    }
    Some(Waarde {
        jaar,
        waarde: w?,
        ondergrens: getal(get, "ondergrens", row, errors),
        bovengrens: getal(get, "bovengrens", row, errors),
    })
}

fn soort(get: &dyn Fn(&str) -> String, row: usize, errors: &mut Vec<FieldError>) -> Soort {
    match get("waardeSoort").as_str() {
        "" => Soort::Geen,
        "nulmeting" => waarde(get, row, errors).map_or(Soort::Geen, Soort::Nulmeting),
        "streefwaarde" => waarde(get, row, errors).map_or(Soort::Geen, Soort::Streefwaarde),
        "meting" => {
            let status = match get("metingStatus").as_str() {
                "voorlopig" => Some(MetingStatus::Voorlopig),
                "definitief" => Some(MetingStatus::Definitief),
                "" => None,
                other => {
                    problem(
                        errors,
                        row,
                        "metingStatus",
                        Foutcode::InvalidValue,
                        format!("'{other}' is geen metingStatus; kies voorlopig of definitief."),
                    );
                    Some(MetingStatus::Voorlopig)
                }
            };
            let meet_datum = match get("meetDatum") {
                raw if raw.is_empty() => None,
                raw => match crate::domain::datum::parse_date(&raw) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        problem(
                            errors,
                            row,
                            "meetDatum",
                            e.code(false),
                            e.reason("meetDatum", &raw, false),
                        );
                        None
                    }
                },
            };
            let tekst = |name: &str| Some(get(name)).filter(|t| !t.is_empty());
            let w = getal(get, "waarde", row, errors);
            if w.is_none() && get("waarde").is_empty() {
                problem(
                    errors,
                    row,
                    "waarde",
                    Foutcode::Required,
                    "Vul de gemeten waarde in.".into(),
                );
            }
            match w {
                None => Soort::Geen,
                Some(waarde) => Soort::Meting(MetingIn {
                    periode: get("metingPeriode"),
                    meet_datum,
                    waarde,
                    status,
                    gemeente: tekst("metingGemeente"),
                    bron: tekst("metingBron"),
                    toelichting: tekst("metingToelichting"),
                    door_organisatie: tekst("metingDoorOrganisatie"),
                }),
            }
        }
        other => {
            problem(
                errors,
                row,
                "waardeSoort",
                Foutcode::InvalidValue,
                format!("'{other}' is geen waardeSoort; kies nulmeting, streefwaarde of meting (of laat leeg)."),
            );
            Soort::Geen
        }
    }
}

/// Adds the indicator row `row` to the indicatoren of its doel.
pub(super) fn add(
    accs: &mut Vec<IndicatorAcc>,
    get: &dyn Fn(&str) -> String,
    row: usize,
    errors: &mut Vec<FieldError>,
) {
    let naam = get("indicatorNaam");
    let i = match accs
        .iter()
        .position(|a| crate::domain::naam::same(&a.naam, &naam))
    {
        Some(i) => i,
        None => {
            accs.push(IndicatorAcc {
                naam,
                row,
                eigen: Default::default(),
                nulmeting: None,
                streefwaarden: Vec::new(),
                metingen: Vec::new(),
            });
            accs.len() - 1
        }
    };
    let acc = &mut accs[i];
    for (k, name) in EIGEN.iter().enumerate() {
        let v = get(name);
        if v.is_empty() {
            continue;
        }
        match &acc.eigen[k] {
            None => acc.eigen[k] = Some((v, row)),
            Some((first, at)) if *first != v => problem(
                errors,
                row,
                name,
                Foutcode::Inconsistent,
                format!(
                    "Indicator '{}' heeft in rij {at} {name} '{first}', hier '{v}'.",
                    acc.naam
                ),
            ),
            Some(_) => {}
        }
    }
    match soort(get, row, errors) {
        Soort::Geen => {}
        Soort::Nulmeting(w) => match &acc.nulmeting {
            Some((_, at)) => problem(
                errors,
                row,
                "waardeSoort",
                Foutcode::Inconsistent,
                format!(
                    "Indicator '{}' heeft al een nulmeting in rij {at}.",
                    acc.naam
                ),
            ),
            None => acc.nulmeting = Some((w, row)),
        },
        Soort::Streefwaarde(w) => acc.streefwaarden.push((w, row)),
        Soort::Meting(m) => acc.metingen.push((m, row)),
    }
}

/// The gathered indicator as the file's tree has it, its paths in `map`.
pub(super) fn tree(acc: IndicatorAcc, path: &str, map: &mut RowMap) -> IndicatorIn {
    map.entries
        .push((path.to_owned(), acc.row, Level::Indicator));
    if let Some((_, row)) = &acc.nulmeting {
        map.entries
            .push((format!("{path}.nulmeting"), *row, Level::Waarde));
    }
    for (j, (_, row)) in acc.streefwaarden.iter().enumerate() {
        map.entries
            .push((format!("{path}.streefwaarden[{j}]"), *row, Level::Waarde));
    }
    for (j, (_, row)) in acc.metingen.iter().enumerate() {
        map.entries
            .push((format!("{path}.metingen[{j}]"), *row, Level::Meting));
    }
    let [eenheid, richting, bron, eigenaar] = acc.eigen.map(|v| v.map(|(t, _)| t));
    IndicatorIn {
        naam: acc.naam,
        eenheid: eenheid.unwrap_or_default(),
        // An unknown spelling is reported by the planner as missing.
        richting: richting.and_then(|r| serde_json::from_value(serde_json::Value::from(r)).ok()),
        bron,
        eigenaar,
        nulmeting: acc.nulmeting.map(|(w, _)| w.into()),
        streefwaarden: acc
            .streefwaarden
            .into_iter()
            .map(|(w, _)| w.into())
            .collect(),
        metingen: acc.metingen.into_iter().map(|(m, _)| m).collect(),
    }
}

/// Checks `indicatorRichting` where it is given (the planner only sees
/// whether it is there).
pub(super) fn check_richting(
    get: &dyn Fn(&str) -> String,
    row: usize,
    errors: &mut Vec<FieldError>,
) {
    let raw = get("indicatorRichting");
    if !raw.is_empty()
        && serde_json::from_value::<Richting>(serde_json::Value::from(raw.clone())).is_err()
    {
        problem(
            errors,
            row,
            "indicatorRichting",
            Foutcode::InvalidValue,
            format!(
                "'{raw}' is geen richting; kies hogerIsBeter, lagerIsBeter of binnenBandbreedte."
            ),
        );
    }
}
