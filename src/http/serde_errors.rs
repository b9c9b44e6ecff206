//! Dutch problems for what actix's query and path extractors refuse.
//!
//! The extractors report serde's English text (`duplicate field `zoek``,
//! `UUID parsing failed: …`). Most query problems never get this far:
//! [`super::params`] refuses unknown, repeated and ill-typed parameters
//! first, naming each. What is left is translated here by the shape of
//! serde's message, naming the parameter where the message does (or, for
//! a path, where a segment is no id), and never passing English on.

use actix_web::error::{PathError, QueryPayloadError};
use actix_web::HttpRequest;

use super::problem::{InvalidParam, Problem};
use crate::domain::Foutcode;

/// The name between the first pair of backticks: `duplicate field `zoek``.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// One problem for a serde message about a field of `place` (`query`).
fn translate(place: &str, message: &str) -> InvalidParam {
    let field = quoted(message).unwrap_or_default();
    if let Some(rest) = message.strip_prefix("duplicate field ") {
        let k = quoted(rest).unwrap_or(field);
        return InvalidParam::new(
            format!("{place}.{k}"),
            Foutcode::DuplicateParameter,
            format!("Parameter '{k}' staat meer dan eens in het verzoek; geef hem één keer."),
        );
    }
    if message.starts_with("missing field ") {
        return InvalidParam::new(
            format!("{place}.{field}"),
            Foutcode::Required,
            format!("Parameter '{field}' is verplicht."),
        );
    }
    if message.starts_with("unknown field ") {
        return InvalidParam::new(
            format!("{place}.{field}"),
            Foutcode::UnknownParameter,
            format!("Onbekende parameter '{field}'."),
        );
    }
    if message.starts_with("unknown variant ") {
        let allowed: Vec<&str> = message
            .split('`')
            .skip(3)
            .step_by(2)
            .filter(|s| !s.is_empty())
            .collect();
        return InvalidParam::new(
            place,
            Foutcode::InvalidValue,
            format!(
                "'{field}' is geen toegestane waarde; kies uit: {}.",
                allowed.join(", ")
            ),
        );
    }
    InvalidParam::new(
        place,
        Foutcode::Invalid,
        match place {
            "path" => "Een deel van het pad heeft niet de verwachte vorm.",
            _ => "Een parameter heeft niet de verwachte vorm (een getal, datum, id of keuze).",
        },
    )
}

/// The problem for a query string the extractor refused.
pub fn query(err: &QueryPayloadError) -> Problem {
    let message = match err {
        QueryPayloadError::Deserialize(e) => e.to_string(),
        other => other.to_string(),
    };
    Problem::invalid(vec![translate("query", &message)])
}

/// The problem for a path the extractor refused: a segment that is no id
/// is named (`path.id`), else serde's message is translated.
pub fn path(err: &PathError, req: &HttpRequest) -> Problem {
    let PathError::Deserialize(e) = err else {
        return Problem::invalid(vec![translate("path", "")]);
    };
    let message = e.to_string();
    if message.contains("UUID") {
        let bad = req
            .match_info()
            .iter()
            .find(|(_, v)| uuid::Uuid::parse_str(v).is_err());
        if let Some((name, value)) = bad {
            return Problem::invalid(vec![InvalidParam::new(
                format!("path.{name}"),
                Foutcode::InvalidId,
                format!("'{value}' is geen geldig id; een id is een UUID zoals 0190a000-0000-7000-8000-000000000000."),
            )]);
        }
    }
    Problem::invalid(vec![translate("path", &message)])
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn serde_messages_become_dutch_problems_that_name_the_parameter() {
        let p = translate("query", "duplicate field `zoek`");
        assert_eq!(
            (p.name.as_str(), p.code.as_str()),
            ("query.zoek", "duplicate-parameter")
        );
        assert!(
            p.reason.contains("'zoek' staat meer dan eens"),
            "{}",
            p.reason
        );
        let p = translate("query", "missing field `naam`");
        assert_eq!(
            (p.name.as_str(), p.code.as_str()),
            ("query.naam", "required")
        );
        let p = translate("query", "unknown variant `pdf`, expected `csv` or `json`");
        assert_eq!(p.code, "invalid-value");
        assert_eq!(
            p.reason,
            "'pdf' is geen toegestane waarde; kies uit: csv, json."
        );
        for english in [
            "invalid digit found in string",
            "invalid type: string \"x\", expected u32",
            "",
        ] {
            let p = translate("query", english);
            assert_eq!((p.name.as_str(), p.code.as_str()), ("query", "invalid"));
            assert!(!p.reason.contains("invalid") && !p.reason.contains("expected"));
        }
    }
}
