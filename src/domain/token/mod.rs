//! Token: an API credential of one organisatie with one role.
//!
//! The secret itself never enters the domain or the log: a token is created
//! with the SHA-256 hash of its secret (`geheimHash`). The secret has 256
//! random bits, so the hash cannot be turned back into a usable token; still,
//! token events are shown only to beheerders (see `docs/authorisatie.md`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::Event;
use super::{Decision, DomainError, FieldError};
use crate::domain::Foutcode;

mod command;
pub use command::{TokenCommand, TokenView};

/// What a token may do; see `src/access/policy.rs` for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Rol {
    /// Manages organisaties and tokens.
    Beheerder,
    /// Everything within the agendas listed on the token.
    Programmamanager,
    /// Bound to its organisatie: status, voortgang, reflecties, metingen of its own work.
    Partner,
    /// Reads, never writes.
    Lezer,
}

impl Rol {
    pub const ALL: [(&'static str, Rol); 4] = [
        ("beheerder", Rol::Beheerder),
        ("programmamanager", Rol::Programmamanager),
        ("partner", Rol::Partner),
        ("lezer", Rol::Lezer),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rol::Beheerder => "beheerder",
            Rol::Programmamanager => "programmamanager",
            Rol::Partner => "partner",
            Rol::Lezer => "lezer",
        }
    }

    pub fn parse(s: &str) -> Option<Rol> {
        Self::ALL.iter().find(|(k, _)| *k == s).map(|(_, r)| *r)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAangemaakt {
    pub organisatie_id: Uuid,
    pub rol: Rol,
    /// What the token is for ("script voortgang bibliotheek"); no personal data.
    pub omschrijving: String,
    /// The agendas a programmamanager manages (empty for other roles).
    pub agendas: Vec<Uuid>,
    /// After this instant the token is refused (none: no expiry).
    pub verloop_tijdstip: Option<DateTime<Utc>>,
    /// `sha256:<64 hex>` of the whole token string; never the secret itself.
    pub geheim_hash: String,
    /// A programmamanager token scoped to one gemeente of its agendas: it
    /// reads the whole agenda but creates and changes only that gemeente's
    /// acties (see `access::policy`). Absent: the whole agenda.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gemeente: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenIngetrokken {
    pub reden: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Token {
    pub organisatie_id: Uuid,
    pub rol: Rol,
    pub omschrijving: String,
    pub agendas: Vec<Uuid>,
    /// The gemeente a programmamanager token is scoped to.
    pub gemeente: Option<String>,
    pub verloop: Option<DateTime<Utc>>,
    /// The stored hash; `None` if the event held no valid hash (never matches).
    pub hash: Option<[u8; 32]>,
    pub ingetrokken: Option<DateTime<Utc>>,
}

/// Parses `sha256:<64 hex>`.
pub fn parse_hash(s: &str) -> Option<[u8; 32]> {
    let hex = s.strip_prefix("sha256:")?;
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Decides a new token.
pub fn create(e: TokenAangemaakt, now: DateTime<Utc>) -> Decision {
    let mut errors = Vec::new();
    let mut err = |field: &str, code: Foutcode, message: &str| {
        errors.push(FieldError {
            field: field.into(),
            code,
            message: message.into(),
        })
    };
    if e.omschrijving.trim().is_empty() {
        err(
            "omschrijving",
            Foutcode::Required,
            "Beschrijf waarvoor het token is (bijv. 'script voortgang bibliotheek').",
        );
    }
    if e.omschrijving.chars().count() > 200 {
        err(
            "omschrijving",
            Foutcode::TooLong,
            "De omschrijving is hoogstens 200 tekens.",
        );
    }
    match e.rol {
        Rol::Programmamanager if e.agendas.is_empty() => err(
            "agendas",
            Foutcode::Required,
            "Een programmamanager-token noemt de agenda's die het beheert.",
        ),
        Rol::Programmamanager => {}
        _ if !e.agendas.is_empty() => err(
            "agendas",
            Foutcode::NotAllowed,
            "Alleen een programmamanager-token noemt agenda's.",
        ),
        _ => {}
    }
    if e.rol != Rol::Programmamanager && e.gemeente.is_some() {
        err(
            "gemeente",
            Foutcode::NotAllowed,
            "Alleen een programmamanager-token kan tot één gemeente beperkt worden.",
        );
    }
    if e.verloop_tijdstip.is_some_and(|t| t <= now) {
        err(
            "verloopTijdstip",
            Foutcode::InThePast,
            "Het verlooptijdstip moet in de toekomst liggen.",
        );
    }
    if parse_hash(&e.geheim_hash).is_none() {
        err("geheimHash", Foutcode::Invalid, "Ongeldige hash.");
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(vec![Event::TokenAangemaakt(TokenAangemaakt {
        omschrijving: e.omschrijving.trim().to_owned(),
        ..e
    })])
}

impl Token {
    pub fn created(e: &TokenAangemaakt) -> Self {
        Self {
            organisatie_id: e.organisatie_id,
            rol: e.rol,
            omschrijving: e.omschrijving.clone(),
            agendas: e.agendas.clone(),
            gemeente: e.gemeente.clone(),
            verloop: e.verloop_tijdstip,
            hash: parse_hash(&e.geheim_hash),
            ingetrokken: None,
        }
    }

    pub fn apply(&mut self, event: &Event, at: DateTime<Utc>) {
        if let Event::TokenIngetrokken(_) = event {
            self.ingetrokken.get_or_insert(at);
        }
    }

    /// Revoking twice changes nothing (no event).
    pub fn revoke(&self, reden: Option<String>) -> Decision {
        if self.ingetrokken.is_some() {
            return Ok(vec![]);
        }
        Ok(vec![Event::TokenIngetrokken(TokenIngetrokken { reden })])
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.verloop.is_some_and(|t| t <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(rol: Rol, agendas: Vec<Uuid>) -> TokenAangemaakt {
        TokenAangemaakt {
            organisatie_id: Uuid::now_v7(),
            rol,
            omschrijving: "script".into(),
            agendas,
            verloop_tijdstip: None,
            geheim_hash: format!("sha256:{}", "ab".repeat(32)),
            gemeente: None,
        }
    }

    #[test]
    fn a_programmamanager_token_names_its_agendas_and_others_do_not() {
        let now = Utc::now();
        assert!(create(given(Rol::Programmamanager, vec![]), now).is_err());
        assert!(create(given(Rol::Programmamanager, vec![Uuid::now_v7()]), now).is_ok());
        assert!(create(given(Rol::Partner, vec![Uuid::now_v7()]), now).is_err());
        let past = TokenAangemaakt {
            verloop_tijdstip: Some(now - chrono::Duration::days(1)),
            ..given(Rol::Partner, vec![])
        };
        assert!(create(past, now).is_err());
    }

    #[test]
    fn revoking_is_recorded_once() {
        let mut t = Token::created(&given(Rol::Lezer, vec![]));
        assert_eq!(t.hash, Some([0xab; 32]));
        let events = t.revoke(None).unwrap();
        assert_eq!(events.len(), 1);
        t.apply(&events[0], Utc::now());
        assert!(t.revoke(None).unwrap().is_empty());
    }
}
