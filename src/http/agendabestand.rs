//! Reads an agenda file (the JSON body of `POST /agenda-imports`, and the
//! file of `mag-tracker import`): checked against the schema the spec
//! publishes for it (`Agendabestand`, [`crate::import::bestand`]) like every
//! typed request body ([`super::invoer::check`]: every problem at once, one
//! per field), and only then read. The importer's own rules (codes unique,
//! names that exist, dates in the period) come after, in
//! [`crate::import::plan`].

use super::invoer;
use super::problem::{InvalidParam, Problem};
use crate::domain::Foutcode;
use crate::import::bestand;
use crate::import::AgendaFile;

/// The agenda file in `bytes`, or a 400 naming every problem in it.
pub fn lees(bytes: &[u8]) -> Result<AgendaFile, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        afgewezen(Problem::invalid(vec![InvalidParam::new(
            "body",
            Foutcode::InvalidEncoding,
            format!("Het bestand is geen UTF-8: {e}"),
        )]))
    })?;
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        afgewezen(Problem::invalid(vec![InvalidParam::new(
            format!("body.regel {} kolom {}", e.line(), e.column()),
            Foutcode::InvalidJson,
            format!("Het agendabestand is geen geldige JSON: {e}"),
        )]))
    })?;
    invoer::check::<AgendaFile>(&json).map_err(afgewezen)?;
    bestand::from_value(invoer::whole_numbers(json))
        .map_err(|e| afgewezen(invoer::mismatch("Agendabestand", &e)))
}

/// An import's 400: its title, and a detail that counts the problems.
pub fn afgewezen(mut p: Problem) -> Problem {
    if p.status != 400 {
        return p;
    }
    let n = p.invalid_params.len();
    p.title = "Import afgewezen".into();
    // The first problem in the detail too, with its place (a row and
    // column of a CSV), for a reader who looks no further.
    let eerste = p
        .invalid_params
        .first()
        .map(|f| {
            let plek = f.name.strip_prefix("body.").unwrap_or(&f.name);
            let wat = if n == 1 { "Het probleem" } else { "Het eerste" };
            format!(" {wat}: {plek}: {}", f.reason)
        })
        .unwrap_or_default();
    p.detail = format!(
        "Het bestand bevat {n} {}; er is niets aangemaakt.{eerste} Zie invalidParams, verbeter het bestand en probeer het opnieuw.",
        if n == 1 { "probleem" } else { "problemen" }
    );
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_agenda_and_the_schema_example_pass_the_schema() {
        let demo = lees(crate::import::TWENTERAND_2024.as_bytes()).expect("the demo file");
        assert_eq!(demo.agenda.groeperingen.len(), 4);
        let example = bestand::voorbeeld().to_string();
        let file = lees(example.as_bytes()).expect("the example");
        assert_eq!(file.agenda.naam, "Maatschappelijke Agenda Voorbeeld 2025");
    }

    #[test]
    fn bytes_that_are_no_json_file_are_named() {
        let p = lees(b"\xff{}").unwrap_err();
        assert_eq!(p.invalid_params[0].code, Foutcode::InvalidEncoding);
        let p = lees(b"{\n  \"formaat\": }").unwrap_err();
        assert_eq!(p.invalid_params[0].name, "body.regel 2 kolom 14");
        assert_eq!(p.title, "Import afgewezen");
    }
}
