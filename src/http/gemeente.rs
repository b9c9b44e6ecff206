//! `?gemeente=` on the views of an agenda (acties, overzicht, PDCA,
//! voortgang, wijzigingen, export): only what holds for one gemeente of a
//! shared nota, i.e. the acties of that gemeente and those for the whole
//! agenda (`domain::gemeente::hoort_bij`). One query type and one check for
//! every view, so each answers an unknown gemeente the same way.

use serde::Deserialize;
use utoipa::IntoParams;

use super::problem::{InvalidParam, Problem};
use crate::domain::agenda::Agenda;
use crate::domain::Foutcode;

/// `?gemeente=`. Not closed (`deny_unknown_fields`): it sits beside the
/// view's own query type; undeclared parameters are refused for every
/// operation by `params.rs`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GemeenteQuery {
    /// Alleen wat voor deze gemeente van de agenda geldt (een gedeelde nota): haar acties en de acties voor de hele agenda. Hoofdletters tellen niet.
    #[param(example = "Borne", min_length = 1, pattern = r"\S")]
    pub gemeente: Option<String>,
}

impl GemeenteQuery {
    /// The asked gemeente in the agenda's spelling (`None`: not asked); an
    /// unknown one is a 400 naming `query.gemeente` and listing the
    /// agenda's gemeenten.
    pub fn van(&self, agenda: &Agenda) -> Result<Option<String>, Problem> {
        let Some(raw) = &self.gemeente else {
            return Ok(None);
        };
        match crate::domain::gemeente::vind(&agenda.gemeenten, raw) {
            Some(g) => Ok(Some(g.to_owned())),
            None => Err(Problem::invalid(vec![InvalidParam::new(
                "query.gemeente",
                Foutcode::UnknownGemeente,
                format!(
                    "'{raw}' is geen gemeente van deze agenda; kies uit {}.",
                    agenda.gemeenten.join(", ")
                ),
            )])),
        }
    }
}
