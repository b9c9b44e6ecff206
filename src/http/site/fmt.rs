//! Dutch for people: dates as "4 december 2024", numbers with a decimal
//! comma, statuses and phases as words. Dates and numbers use the same
//! functions as the voortgang report (`http/voortgang/render.rs`).

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::actie::Trekker;
use crate::projections::ReadModel;

/// `4 december 2024`.
pub fn datum(d: NaiveDate) -> String {
    crate::http::voortgang::render::datum(d)
}

/// The Amsterdam calendar day of an instant (the day a "zoals op" date of
/// which includes it), as a date.
pub fn tijdstip(t: DateTime<Utc>) -> String {
    datum(crate::kalender::date_of(t))
}

/// `12,5`; whole numbers without decimals.
pub fn getal(x: f64) -> String {
    crate::http::voortgang::render::getal(x)
}

/// A value with its unit: `12,5 %`, `340 deelnemers`.
pub fn waarde(x: f64, eenheid: &str) -> String {
    if eenheid.is_empty() {
        getal(x)
    } else {
        format!("{} {eenheid}", getal(x))
    }
}

/// An actie status as a word with a capital.
pub fn status(s: &str) -> String {
    capital(s)
}

pub fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A PDCA phase in words.
pub fn fase(f: &str) -> &'static str {
    match f {
        "plan" => "Plan (voorbereiden)",
        "do" => "Do (uitvoeren)",
        "check" => "Check (terugkijken)",
        "act" => "Act (bijsturen)",
        _ => "onbekend",
    }
}

/// A koers (`opKoers`, `nietOpKoers`, none) in words and its CSS class.
pub fn koers(k: Option<&str>, nog_te_vullen: bool) -> (&'static str, &'static str) {
    match k {
        Some("opKoers") => ("op koers", "op-koers"),
        Some("nietOpKoers") => ("niet op koers", "niet-op-koers"),
        _ if nog_te_vullen => ("streefwaarde nog in te vullen", "zacht"),
        _ => ("nog niet te beoordelen", "zacht"),
    }
}

/// The richting of an indicator in words.
pub fn richting(r: &str) -> &'static str {
    match r {
        "hogerIsBeter" => "hoger is beter",
        "lagerIsBeter" => "lager is beter",
        "binnenBandbreedte" => "binnen de bandbreedte",
        _ => "",
    }
}

/// The name of a trekker (an organisatie's name or a named group).
pub fn trekker(m: &ReadModel, t: &Trekker) -> String {
    match t {
        Trekker::Organisatie { organisatie_id } => organisatie(m, *organisatie_id),
        Trekker::Groep { naam } => naam.clone(),
    }
}

pub fn organisatie(m: &ReadModel, id: uuid::Uuid) -> String {
    m.organisaties
        .get(&id)
        .map(|o| o.state.naam.clone())
        .unwrap_or_else(|| "onbekende organisatie".into())
}

/// What a page says for an actie without trekker.
pub const OPEN_ROL: &str = "trekkersrol nog in te vullen";

#[cfg(test)]
mod tests {
    #[test]
    fn dutch_numbers_and_dates() {
        assert_eq!(super::getal(12.5), "12,5");
        assert_eq!(super::getal(340.0), "340");
        let d = chrono::NaiveDate::from_ymd_opt(2024, 12, 4).unwrap();
        assert_eq!(super::datum(d), "4 december 2024");
    }
}
