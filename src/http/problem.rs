//! `application/problem+json` (RFC 9457): the one shape of every error the
//! API returns, with a stable English `code` clients can switch on and Dutch
//! `title`/`detail` for people.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::Foutcode;

/// An error as the API reports it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// URI reference identifying the problem type.
    #[serde(rename = "type")]
    #[schema(example = "https://mag-tracker.nl/problemen/ongeldige-invoer")]
    pub problem_type: String,
    #[schema(example = "Ongeldige invoer")]
    pub title: String,
    #[schema(example = 400)]
    pub status: u16,
    #[schema(example = "Het verzoek bevat 2 fouten; zie invalidParams.")]
    pub detail: String,
    /// The request path the problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Stable machine-readable code, e.g. `invalid-input`, `not-found`
    /// (all of them: schema `Foutcode`, docs/foutcodes.md).
    pub code: Foutcode,
    /// Every invalid field of the request, all at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_params: Vec<InvalidParam>,
}

/// One invalid field or parameter.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvalidParam {
    /// Path of the field (`body.trekker.organisatieId`, `query.pageSize`).
    #[schema(example = "body.titel")]
    pub name: String,
    /// Stable code (`required`, `unknown-field`, `invalid-type`, ...).
    pub code: Foutcode,
    #[schema(example = "Titel is verplicht.")]
    pub reason: String,
}

impl InvalidParam {
    pub fn new(name: impl Into<String>, code: Foutcode, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            code,
            reason: reason.into(),
        }
    }
}

impl Problem {
    pub fn new(status: StatusCode, code: Foutcode, title: &str, detail: impl Into<String>) -> Self {
        Self {
            problem_type: format!("https://mag-tracker.nl/problemen/{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            instance: None,
            code,
            invalid_params: Vec::new(),
        }
    }

    pub fn invalid(params: Vec<InvalidParam>) -> Self {
        let detail = match params.len() {
            1 => format!("{} ({})", params[0].reason, params[0].name),
            n => format!("Het verzoek bevat {n} fouten; zie invalidParams."),
        };
        Self {
            invalid_params: params,
            ..Self::new(
                StatusCode::BAD_REQUEST,
                Foutcode::InvalidInput,
                "Ongeldige invoer",
                detail,
            )
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            Foutcode::NotFound,
            "Niet gevonden",
            detail,
        )
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        Problem::status_code(self)
    }
    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(Problem::status_code(self));
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if self.status == 401 {
            // RFC 6750: say which scheme, and whether the presented token was the problem.
            let value = if self.code.as_str().starts_with("token-") {
                r#"Bearer realm="mag-tracker", error="invalid_token""#
            } else {
                r#"Bearer realm="mag-tracker""#
            };
            response.insert_header((header::WWW_AUTHENTICATE, value));
        }
        if self.status == 503 || self.status == 429 {
            response.insert_header((header::RETRY_AFTER, "5"));
        }
        response.body(serde_json::to_string(self).unwrap_or_default())
    }
}
