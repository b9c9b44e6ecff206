//! The query parameters of the indicator reads: `?jaar=` (which year is
//! judged) and `?gemeente=` (only that gemeente's values count).

use serde::Deserialize;
use uuid::Uuid;

use crate::http::problem::{InvalidParam, Problem};
use crate::projections::ReadModel;

/// `?jaar=&gemeente=` with paging, for the indicatoren of a doel.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorenQuery {
    pub jaar: Option<String>,
    pub gemeente: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

/// `?jaar=&gemeente=`, for one indicator.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorQuery {
    pub jaar: Option<String>,
    pub gemeente: Option<String>,
}

/// `?gemeente=` with paging, for the metingen of an indicator.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetingenQuery {
    pub gemeente: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

/// `?gemeente=`: only the values of one gemeente of the agenda count. Only
/// its description is used (in the spec); the handlers read it as part of
/// their own query.
#[allow(dead_code)]
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct GemeenteQuery {
    /// Een gemeente van de agenda: alleen haar waarden tellen (een indicator die alleen voor het hele gebied gemeten wordt, toont die waarden). Weglaten: alle gemeenten naast elkaar.
    #[param(example = "Gemeente Twenterand")]
    pub gemeente: Option<String>,
}

/// The gemeente `?gemeente=` names, as the agenda spells it; 400 naming the
/// parameter and the agenda's gemeenten when it is not one of them.
pub(crate) fn gemeente_param(
    m: &ReadModel,
    agenda_id: Uuid,
    raw: Option<&str>,
) -> Result<Option<String>, Problem> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let gemeenten = m
        .agendas
        .get(&agenda_id)
        .map(|a| a.state.gemeenten.clone())
        .unwrap_or_default();
    match crate::domain::gemeente::vind(&gemeenten, raw) {
        Some(g) => Ok(Some(g.to_owned())),
        None => {
            let e = crate::domain::indicator::onbekende_gemeente("query.gemeente", raw, &gemeenten);
            Err(Problem::invalid(vec![InvalidParam::new(
                e.field, e.code, e.message,
            )]))
        }
    }
}
