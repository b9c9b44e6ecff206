//! The error responses operations share, declared once for the OpenAPI document.

use utoipa::IntoResponses;

use super::problem::Problem;

/// Errors of a GET by id.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ReadErrors {
    /// Ongeldige parameter of id.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Het token is ongeldig, ingetrokken of verlopen (of ontbreekt waar het vereist is).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Dit token mag dit niet lezen.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// De resource bestaat niet (of bestond nog niet op de peildatum).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Te veel verzoeken; wacht het aantal seconden uit Retry-After.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
}

/// Errors of a write to an existing resource.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum WriteErrors {
    /// Ongeldige invoer; alle fouten tegelijk in invalidParams.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Geen, een ongeldig, ingetrokken of verlopen token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Het token mag dit niet; `detail` zegt waarom.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// De resource bestaat niet.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Conflict met de huidige toestand (dubbele code, ongeldige statusovergang, niets te wijzigen).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// If-Match is verouderd: de resource is intussen gewijzigd.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// De body is te groot.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// De body is geen JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Idempotency-Key al gebruikt voor een ander verzoek (zelfde sleutel, andere body).
    #[response(status = 422, content_type = "application/problem+json")]
    IdempotencyKeyReused(Problem),
    /// If-Match ontbreekt (verplicht bij PUT en PATCH).
    #[response(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Problem),
    /// Te veel verzoeken; wacht het aantal seconden uit Retry-After.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// De opslag kan niet schrijven; er is niets gewijzigd.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}
